/*
 * kafka.h - what every librdkafka client of vroeg shares: its configuration.
 *
 * The config file's [kafka] section goes to every client, then
 * [kafka consumer] or [kafka producer] to that role's client, as librdkafka
 * properties (so SASL, TLS and tuning need no code here).  On top of that
 * vroeg forces the settings its delivery guarantees depend on, and sets
 * defaults the operator may change.  Log lines of librdkafka go through
 * vroeg's log.
 */
#ifndef VR_KAFKA_H
#define VR_KAFKA_H

#include <librdkafka/rdkafka.h>

#include "conf.h"

/* A client configuration of role "consumer" or "producer"; NULL and err on
 * a property librdkafka refuses ("kafka property K: ..."). */
rd_kafka_conf_t *kafka_conf_new(const struct conf *c, const char *role, char *err, size_t n);

/* Set k = v, which the config may not change (an error when it tries). */
int kafka_conf_force(const struct conf *c, rd_kafka_conf_t *kc, const char *role,
		     const char *k, const char *v, char *err, size_t n);

/* Set k = v unless the config sets k. */
int kafka_conf_default(const struct conf *c, rd_kafka_conf_t *kc, const char *role,
		       const char *k, const char *v, char *err, size_t n);

/* Set k = v (for settings of a mode, such as partition EOF events). */
int kafka_conf_set(rd_kafka_conf_t *kc, const char *k, const char *v, char *err, size_t n);

/* A client of the given type from kc (consumed, also on failure). */
rd_kafka_t *kafka_client_new(rd_kafka_type_t type, rd_kafka_conf_t *kc, char *err,
			     size_t n);

#endif
