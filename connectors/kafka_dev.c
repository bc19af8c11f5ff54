/*
 * kafka_dev.c - the mock cluster (kafka_dev.h).
 *
 * The cluster is owned by a producer handle that is also its client
 * (test.mock.num.brokers), which produces the sample data; the cluster
 * goes with the handle's rd_kafka_destroy().
 */
#include "kafka_dev.h"

#include <stdio.h>
#include <stdlib.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "vr.h"

struct kafka_dev {
	rd_kafka_t *rk;
	rd_kafka_mock_cluster_t *mc;
};

struct kafka_dev *kafka_dev_start(int brokers, char *err, size_t n)
{
	char e[256], nb[8];
	struct kafka_dev *d = calloc(1, sizeof(*d));
	rd_kafka_conf_t *kc = rd_kafka_conf_new();
	snprintf(nb, sizeof(nb), "%d", brokers);
	if (!d || rd_kafka_conf_set(kc, "log_level", "3", e, sizeof(e)) != RD_KAFKA_CONF_OK ||
	    rd_kafka_conf_set(kc, "test.mock.num.brokers", nb, e, sizeof(e)) !=
		    RD_KAFKA_CONF_OK) {
		snprintf(err, n, "%s", d ? e : "out of memory");
		rd_kafka_conf_destroy(kc);
		free(d);
		return NULL;
	}
	if (!(d->rk = rd_kafka_new(RD_KAFKA_PRODUCER, kc, e, sizeof(e)))) {
		snprintf(err, n, "kafka: %s", e);
		rd_kafka_conf_destroy(kc);
		free(d);
		return NULL;
	}
	if (!(d->mc = rd_kafka_handle_mock_cluster(d->rk))) {
		snprintf(err, n, "cannot start the Kafka mock cluster");
		kafka_dev_free(d);
		return NULL;
	}
	return d;
}

void kafka_dev_free(struct kafka_dev *d)
{
	if (!d)
		return;
	rd_kafka_destroy(d->rk);
	free(d);
}

const char *kafka_dev_bootstraps(const struct kafka_dev *d)
{
	return rd_kafka_mock_cluster_bootstraps(d->mc);
}

int kafka_dev_topic(struct kafka_dev *d, const char *name, int partitions, char *err,
		    size_t n)
{
	rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(d->mc, name, partitions, 1);
	if (e)
		snprintf(err, n, "%s", rd_kafka_err2str(e));
	return e ? VR_EIO : VR_OK;
}

void kafka_dev_broker(struct kafka_dev *d, int id, bool up)
{
	if (up)
		rd_kafka_mock_broker_set_up(d->mc, id);
	else
		rd_kafka_mock_broker_set_down(d->mc, id);
}

void kafka_dev_produce_errors(struct kafka_dev *d, int n, int code)
{
	rd_kafka_resp_err_t errs[1000];
	if (n > 1000)
		n = 1000;
	for (int i = 0; i < n; i++)
		errs[i] = (rd_kafka_resp_err_t)code;
	rd_kafka_mock_push_request_errors_array(d->mc, 0 /* Produce */, (size_t)n, errs);
}

int kafka_dev_produce(struct kafka_dev *d, const char *topic, const void *data, size_t len)
{
	return kafka_dev_produce_at(d, topic, data, len, 0);
}

int kafka_dev_produce_at(struct kafka_dev *d, const char *topic, const void *data, size_t len,
			 long long timestamp_ms)
{
	rd_kafka_resp_err_t err;
	do {
		err = rd_kafka_producev(d->rk, RD_KAFKA_V_TOPIC(topic),
					RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
					RD_KAFKA_V_VALUE((void *)data, len),
					RD_KAFKA_V_TIMESTAMP((int64_t)timestamp_ms), RD_KAFKA_V_END);
		if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL)
			rd_kafka_poll(d->rk, 50);
	} while (err == RD_KAFKA_RESP_ERR__QUEUE_FULL);
	return err ? VR_EIO : VR_OK;
}

int kafka_dev_flush(struct kafka_dev *d, int ms)
{
	return rd_kafka_flush(d->rk, ms) ? VR_EIO : VR_OK;
}

static rd_kafka_t *reader(const char *bootstrap, const char *topic)
{
	char e[256];
	rd_kafka_conf_t *kc = rd_kafka_conf_new();
	if (rd_kafka_conf_set(kc, "bootstrap.servers", bootstrap, e, sizeof(e)) ||
	    rd_kafka_conf_set(kc, "group.id", "vroeg-dev-reader", e, sizeof(e)) ||
	    rd_kafka_conf_set(kc, "enable.auto.commit", "false", e, sizeof(e)) ||
	    rd_kafka_conf_set(kc, "log_level", "3", e, sizeof(e))) {
		rd_kafka_conf_destroy(kc);
		return NULL;
	}
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, kc, e, sizeof(e));
	if (!rk) {
		rd_kafka_conf_destroy(kc);
		return NULL;
	}
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
	rd_kafka_topic_partition_list_add(l, topic, 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
	rd_kafka_assign(rk, l);
	rd_kafka_topic_partition_list_destroy(l);
	return rk;
}

static void read_headers(const rd_kafka_message_t *m, const char *const *names, size_t n,
			 struct kafka_dev_msg *out)
{
	rd_kafka_headers_t *h = NULL;
	bool have = rd_kafka_message_headers(m, &h) == RD_KAFKA_RESP_ERR_NO_ERROR;
	for (size_t i = 0; i < n && i < 8; i++) {
		const void *v = NULL;
		size_t vl = 0;
		if (!have || rd_kafka_header_get_last(h, names[i], &v, &vl) || !v)
			v = "", vl = 0;
		out->hdr[i] = v;
		out->hdr_len[i] = vl;
	}
}

unsigned long kafka_dev_read(const char *bootstrap, const char *topic, unsigned long expect,
			     int wait_ms, const char *const *headers, size_t n_headers,
			     void (*fn)(void *ud, const struct kafka_dev_msg *m), void *ud)
{
	rd_kafka_t *rk = reader(bootstrap, topic);
	unsigned long seen = 0;
	if (!rk)
		return 0;
	for (int polls = 0; seen < expect && polls < wait_ms / 100; polls++) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
		if (!m)
			continue;
		if (!m->err) {
			struct kafka_dev_msg out = {m->payload, m->len, {0}, {0}};
			read_headers(m, headers, n_headers, &out);
			fn(ud, &out);
			seen++;
		}
		rd_kafka_message_destroy(m);
	}
	rd_kafka_consumer_close(rk);
	rd_kafka_destroy(rk);
	return seen;
}
