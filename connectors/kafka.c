/* kafka.c - shared librdkafka configuration (kafka.h). */
#include "kafka.h"

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "vr.h"

static void rk_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	enum log_level lv = level <= 3 ? LOG_ERROR : level <= 4 ? LOG_WARN
				   : level <= 6 ? LOG_INFO : LOG_DEBUG;
	vlog(lv, "kafka %s: %s", fac, buf);
}

int kafka_conf_set(rd_kafka_conf_t *kc, const char *k, const char *v, char *err, size_t n)
{
	char e[256];
	if (rd_kafka_conf_set(kc, k, v, e, sizeof(e)) != RD_KAFKA_CONF_OK) {
		snprintf(err, n, "kafka property %s: %s", k, e);
		return VR_EINVAL;
	}
	return VR_OK;
}

static int set_section(const struct conf *c, rd_kafka_conf_t *kc, const char *sec, char *err,
		       size_t n)
{
	char why[512], at[300];
	for (size_t i = 0; i < conf_count(c); i++) {
		const struct conf_entry *e = conf_at(c, i);
		if (strcmp(e->section, sec) != 0)
			continue;
		if (kafka_conf_set(kc, e->key, e->value, why, sizeof(why))) {
			conf_where(c, sec, e->key, at, sizeof(at));
			snprintf(err, n, "%s: %s", at, why);
			return VR_EINVAL;
		}
	}
	return VR_OK;
}

rd_kafka_conf_t *kafka_conf_new(const struct conf *c, const char *role, char *err, size_t n)
{
	rd_kafka_conf_t *kc = rd_kafka_conf_new();
	char sec[64];
	snprintf(sec, sizeof(sec), "kafka %s", role);
	rd_kafka_conf_set_log_cb(kc, rk_log);
	if (set_section(c, kc, "kafka", err, n) || set_section(c, kc, sec, err, n)) {
		rd_kafka_conf_destroy(kc);
		return NULL;
	}
	return kc;
}

static const char *given(const struct conf *c, const char *role, const char *k)
{
	char sec[64];
	snprintf(sec, sizeof(sec), "kafka %s", role);
	const char *v = conf_get(c, "kafka", k);
	return v ? v : conf_get(c, sec, k);
}

int kafka_conf_force(const struct conf *c, rd_kafka_conf_t *kc, const char *role,
		     const char *k, const char *v, char *err, size_t n)
{
	const char *g = given(c, role, k);
	if (g && strcmp(g, v) != 0) {
		char sec[64], at[300];
		snprintf(sec, sizeof(sec), "kafka %s", role);
		conf_where(c, conf_get(c, "kafka", k) ? "kafka" : sec, k, at, sizeof(at));
		snprintf(err, n, "%s: kafka property %s must be %s for vroeg's delivery guarantees",
			 at, k, v);
		return VR_EINVAL;
	}
	return kafka_conf_set(kc, k, v, err, n);
}

int kafka_conf_default(const struct conf *c, rd_kafka_conf_t *kc, const char *role,
		       const char *k, const char *v, char *err, size_t n)
{
	if (given(c, role, k))
		return VR_OK;
	return kafka_conf_set(kc, k, v, err, n);
}

rd_kafka_t *kafka_client_new(rd_kafka_type_t type, rd_kafka_conf_t *kc, char *err, size_t n)
{
	char e[512];
	rd_kafka_t *rk = rd_kafka_new(type, kc, e, sizeof(e));
	if (!rk) {
		rd_kafka_conf_destroy(kc);
		snprintf(err, n, "kafka %s: %s", type == RD_KAFKA_CONSUMER ? "consumer" : "producer",
			 e);
	}
	return rk;
}
