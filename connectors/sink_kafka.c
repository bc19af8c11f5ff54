/*
 * sink_kafka.c - the Kafka sink backend (sink_kafka.h).
 *
 * send() hands the message to librdkafka without a copy (sink.c keeps the
 * bytes until the outcome) and the delivery report classifies it.  Only
 * errors that no retry can cure are permanent: a message larger than the
 * topic or producer accepts, or an invalid record.  Everything else
 * (brokers away, authorisation not yet granted, a leader election) is
 * retried by sink.c, however long it takes: a dead letter or a feedback
 * event is not dropped because Kafka is unwell.
 */
#include "sink_kafka.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "kafka.h"
#include "sink_int.h"
#include "vr.h"

struct kafka_sink {
	rd_kafka_t *p;
	struct sink *s;
	char err[512];  /* the producer's fatal error, once it has one */
};

static bool permanent(rd_kafka_resp_err_t err)
{
	switch (err) {
	case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
	case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
	case RD_KAFKA_RESP_ERR_INVALID_RECORD:
	case RD_KAFKA_RESP_ERR__INVALID_ARG:
		return true;
	default:
		return false;
	}
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	struct kafka_sink *ks = opaque;
	uint64_t ticket = (uint64_t)(uintptr_t)m->_private;
	if (ticket == 0)
		return;
	enum sink_outcome o = !m->err ? SINK_DELIVERED
			      : permanent(m->err) ? SINK_FAILED : SINK_RETRY;
	sink_outcome(ks->s, ticket - 1, o, m->err ? rd_kafka_err2str(m->err) : NULL);
}

static enum sink_outcome kafka_send(struct sink *s, const struct sink_msg *m, uint64_t ticket,
				    char *why, size_t whylen)
{
	struct kafka_sink *ks = sink_impl(s);
	rd_kafka_headers_t *h = NULL;
	if (m->n_headers) {
		h = rd_kafka_headers_new(m->n_headers);
		for (size_t i = 0; i < m->n_headers; i++)
			rd_kafka_header_add(h, m->headers[i].name, -1, m->headers[i].value, -1);
	}
	/* No RD_KAFKA_MSG_F_COPY: sink.c keeps the bytes until the report. */
	rd_kafka_resp_err_t err = rd_kafka_producev(
		ks->p, RD_KAFKA_V_TOPIC(m->topic), RD_KAFKA_V_MSGFLAGS(0),
		RD_KAFKA_V_VALUE((void *)m->body, m->len),
		RD_KAFKA_V_KEY(m->key, m->key_len),
		RD_KAFKA_V_HEADERS(h),
		RD_KAFKA_V_OPAQUE((void *)(uintptr_t)(ticket + 1)), RD_KAFKA_V_END);
	if (!err)
		return SINK_INFLIGHT; /* the producer owns the headers now */
	if (h)
		rd_kafka_headers_destroy(h);
	if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL)
		return SINK_BUSY;
	snprintf(why, whylen, "cannot produce to %s: %s", m->topic, rd_kafka_err2str(err));
	return permanent(err) ? SINK_FAILED : SINK_RETRY;
}

static void kafka_poll(struct sink *s, long wait_ms)
{
	struct kafka_sink *ks = sink_impl(s);
	rd_kafka_poll(ks->p, (int)wait_ms);
}

static int kafka_flush(struct sink *s, long wait_ms)
{
	struct kafka_sink *ks = sink_impl(s);
	return rd_kafka_flush(ks->p, (int)wait_ms) ? VR_EAGAIN : VR_OK;
}

static void kafka_close(struct sink *s)
{
	struct kafka_sink *ks = sink_impl(s);
	rd_kafka_destroy(ks->p);
	free(ks);
}

/* An idempotent producer can fail for good (a fenced or out-of-sequence
 * producer): every later message fails too, and only a new producer, that
 * is a restart, helps.  The caller stops without committing. */
static const char *kafka_error(const struct sink *s)
{
	struct kafka_sink *ks = sink_impl(s);
	char why[400];
	if (!ks->err[0] && rd_kafka_fatal_error(ks->p, why, sizeof(why)))
		snprintf(ks->err, sizeof(ks->err), "the Kafka producer failed for good: %s", why);
	return ks->err;
}

static const struct sink_ops kafka_ops = {
	.name = "kafka",
	.send = kafka_send,
	.poll = kafka_poll,
	.flush = kafka_flush,
	.error = kafka_error,
	.close = kafka_close,
};

/* The producer's configuration: the config's properties and vroeg's own. */
static rd_kafka_conf_t *producer_conf(const struct conf *c, char *err, size_t errlen)
{
	rd_kafka_conf_t *kc = kafka_conf_new(c, "producer", err, errlen);
	if (!kc || kafka_conf_force(c, kc, "producer", "enable.idempotence", "true", err, errlen) ||
	    kafka_conf_default(c, kc, "producer", "linger.ms", "5", err, errlen)) {
		if (kc)
			rd_kafka_conf_destroy(kc);
		return NULL;
	}
	return kc;
}

int sink_kafka_check(const struct conf *c, char *err, size_t errlen)
{
	rd_kafka_conf_t *kc = producer_conf(c, err, errlen);
	if (!kc)
		return VR_EINVAL;
	rd_kafka_conf_destroy(kc);
	return VR_OK;
}

struct sink *sink_kafka_open(const struct conf *c, char *err, size_t errlen)
{
	struct kafka_sink *ks = calloc(1, sizeof(*ks));
	if (!ks) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	rd_kafka_conf_t *kc = producer_conf(c, err, errlen);
	if (!kc) {
		free(ks);
		return NULL;
	}
	rd_kafka_conf_set_dr_msg_cb(kc, on_delivery);
	rd_kafka_conf_set_opaque(kc, ks);
	if (!(ks->p = kafka_client_new(RD_KAFKA_PRODUCER, kc, err, errlen))) {
		free(ks);
		return NULL;
	}
	if (!(ks->s = sink_new(&kafka_ops, ks, "kafka"))) {
		rd_kafka_destroy(ks->p);
		free(ks);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	return ks->s;
}
