/*
 * sink_kafka.h - the Kafka sink: messages to topics through one idempotent
 * producer (dead letters, partner feedback; later tasks).
 */
#ifndef VR_SINK_KAFKA_H
#define VR_SINK_KAFKA_H

#include <stddef.h>

#include "conf.h"
#include "sink.h"

/*
 * A producer configured from [kafka] and [kafka producer]; vroeg forces
 * enable.idempotence = true (no duplicates or reordering from its own
 * retries) and sets linger.ms = 5 unless the config does.  Each message
 * names its topic.  NULL and err on a bad property.
 */
struct sink *sink_kafka_open(const struct conf *c, char *err, size_t errlen);

/* The producer's configuration without a client (`vroeg run --check`). */
int sink_kafka_check(const struct conf *c, char *err, size_t errlen);

#endif
