/*
 * src_kafka.c - the Kafka source (src_kafka.h): a high-level consumer,
 * the table of partitions it owns, and the rebalance handling.
 *
 * The rebalance callback runs inside rd_kafka_consumer_poll(): on a
 * revocation the caller finishes what it holds (src_events.revoking) and
 * the consumer commits before the partitions are given up.  If that fails,
 * or the assignment was lost, what the caller held is dropped uncommitted
 * and the next owner reads it again (at-least-once).
 */
#include "src_kafka.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "kafka.h"
#include "log.h"
#include "src_int.h"
#include "vr.h"

#define PARTS_MAX 1024

const struct conf_key kafka_conf_keys[] = {
	{"kafka", "*", CONF_PASS, NULL, "librdkafka properties of every client", 0, 0},
	{"kafka consumer", "*", CONF_PASS, NULL, "librdkafka properties of the consumer", 0, 0},
	{"kafka producer", "*", CONF_PASS, NULL, "librdkafka properties of the producer", 0, 0},
	{NULL, NULL, 0, NULL, NULL, 0, 0},
};
#define WHERE_MAX 300

struct part {
	char topic[256];
	int32_t partition;
	bool eof;
	char where[WHERE_MAX];     /* "topic/partition" */
	void *ud;                  /* the topic's */
};

struct ksrc {
	struct src src;
	rd_kafka_t *c;
	struct src_kafka_topic *topics;
	size_t n_topics;
	struct src_events ev;
	struct part parts[PARTS_MAX];
	size_t n_parts;
	struct part *last;         /* messages come in runs of one partition */
	bool paused;               /* src_kafka_pause() */
	unsigned ask_failed;       /* watermark queries failed in a row */
	char where[WHERE_MAX];     /* for a message of a partition not in the table */
};

static void *topic_ud(const struct ksrc *k, const char *topic)
{
	for (size_t i = 0; i < k->n_topics; i++)
		if (strcmp(k->topics[i].name, topic) == 0)
			return k->topics[i].ud;
	return NULL;
}

static bool part_is(const struct part *p, const char *topic, int32_t partition)
{
	return p->partition == partition && strcmp(p->topic, topic) == 0;
}

static struct part *part_find(struct ksrc *k, const char *topic, int32_t partition, bool add)
{
	if (k->last && part_is(k->last, topic, partition))
		return k->last;
	for (size_t i = 0; i < k->n_parts; i++)
		if (part_is(&k->parts[i], topic, partition))
			return k->last = &k->parts[i];
	if (!add || k->n_parts == PARTS_MAX)
		return NULL;
	struct part *p = &k->parts[k->n_parts++];
	snprintf(p->topic, sizeof(p->topic), "%s", topic);
	p->partition = partition;
	p->eof = false;
	snprintf(p->where, sizeof(p->where), "%s/%d", topic, (int)partition);
	p->ud = topic_ud(k, topic);
	return p;
}

static void parts_drop(struct ksrc *k, const rd_kafka_topic_partition_list_t *l)
{
	for (int i = 0; i < l->cnt; i++) {
		struct part *p = part_find(k, l->elems[i].topic, l->elems[i].partition, false);
		if (p)
			*p = k->parts[--k->n_parts];
	}
	k->last = NULL; /* the array was compacted */
}

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
			 rd_kafka_topic_partition_list_t *parts, void *opaque)
{
	struct ksrc *k = opaque;
	bool coop = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;

	if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
		for (int i = 0; i < parts->cnt; i++)
			part_find(k, parts->elems[i].topic, parts->elems[i].partition, true);
		vlog(LOG_INFO, "assigned %d partition(s)", parts->cnt);
		k->paused = false; /* a new assignment starts fetching */
		if (coop)
			rd_kafka_incremental_assign(rk, parts);
		else
			rd_kafka_assign(rk, parts);
		if (k->ev.assigned)
			k->ev.assigned(k->ev.ud);
		return;
	}
	/* Revoked (or lost): finish what is held, then give it up. */
	if (!rd_kafka_assignment_lost(rk)) {
		if (k->ev.revoking(k->ev.ud, false) == VR_OK) {
			rd_kafka_resp_err_t ce = rd_kafka_commit(rk, NULL, 0);
			if (ce && ce != RD_KAFKA_RESP_ERR__NO_OFFSET)
				vlog(LOG_WARN, "commit on revoke: %s", rd_kafka_err2str(ce));
		}
	} else {
		vlog(LOG_WARN, "partitions lost; the batches in hand are left to their next owner");
		k->ev.revoking(k->ev.ud, true);
	}
	vlog(LOG_INFO, "revoked %d partition(s)", parts->cnt);
	parts_drop(k, parts);
	if (coop)
		rd_kafka_incremental_unassign(rk, parts);
	else
		rd_kafka_assign(rk, NULL);
}

/* The message's timestamp: when the partner produced it (CreateTime) or
 * the broker stored it (LogAppendTime); 0 when it has none. */
static long long message_ms(const rd_kafka_message_t *m)
{
	rd_kafka_timestamp_type_t type;
	int64_t ts = rd_kafka_message_timestamp(m, &type);
	return type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE || ts <= 0 ? 0 : (long long)ts;
}

static int ksrc_poll(struct src *s, long wait_ms, struct src_msg *out)
{
	struct ksrc *k = s->impl;
	rd_kafka_message_t *m = rd_kafka_consumer_poll(k->c, (int)wait_ms);
	if (!m)
		return 0;
	const char *topic = m->rkt ? rd_kafka_topic_name(m->rkt) : "";
	if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
		struct part *p = part_find(k, topic, m->partition, false);
		if (p)
			p->eof = true;
		rd_kafka_message_destroy(m);
		return 0;
	}
	if (m->err) {
		vlog(LOG_WARN, "consumer: %s", rd_kafka_message_errstr(m));
		rd_kafka_message_destroy(m);
		return 0;
	}
	struct part *p = part_find(k, topic, m->partition, false);
	if (p) {
		p->eof = false;
	} else { /* not (yet) in the table: describe it anyway */
		snprintf(k->where, sizeof(k->where), "%s/%d", topic, (int)m->partition);
	}
	*out = (struct src_msg){
		.payload = m->payload, .len = m->len, .key = m->key, .key_len = m->key_len,
		.topic = topic, .partition = m->partition, .offset = (long long)m->offset,
		.timestamp_ms = message_ms(m),
		.where = p ? p->where : k->where, .topic_ud = p ? p->ud : topic_ud(k, topic),
		.handle = m};
	return 1;
}

static void ksrc_release(struct src *s, struct src_msg *m)
{
	rd_kafka_message_destroy(m->handle);
}

/* Store the next offset of every partition in m[0..n), and commit. */
static void ksrc_store(struct src *s, const struct src_msg *msgs, size_t n)
{
	struct ksrc *k = s->impl;
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(16);
	for (size_t i = 0; i < n; i++) {
		const struct src_msg *m = &msgs[i];
		rd_kafka_topic_partition_t *tp =
			rd_kafka_topic_partition_list_find(l, m->topic, m->partition);
		if (!tp)
			tp = rd_kafka_topic_partition_list_add(l, m->topic, m->partition);
		if (m->offset + 1 > tp->offset)
			tp->offset = m->offset + 1;
	}
	rd_kafka_resp_err_t err = rd_kafka_offsets_store(k->c, l);
	if (err && err != RD_KAFKA_RESP_ERR__STATE)
		vlog(LOG_WARN, "cannot store offsets: %s", rd_kafka_err2str(err));
	rd_kafka_topic_partition_list_destroy(l);
	/* Commit now rather than at the next auto-commit tick: the less is
	 * uncommitted when the group coordinator goes away, the less is read
	 * again (and recognised as redelivered) afterwards. */
	rd_kafka_commit(k->c, NULL, 1);
}

static void ksrc_commit_sync(struct src *s)
{
	struct ksrc *k = s->impl;
	rd_kafka_resp_err_t ce = rd_kafka_commit(k->c, NULL, 0);
	if (ce && ce != RD_KAFKA_RESP_ERR__NO_OFFSET)
		vlog(LOG_WARN, "final commit: %s", rd_kafka_err2str(ce));
}

static bool ksrc_at_end(const struct src *s)
{
	const struct ksrc *k = s->impl;
	if (k->n_parts == 0)
		return false;
	for (size_t i = 0; i < k->n_parts; i++)
		if (!k->parts[i].eof)
			return false;
	return true;
}

static int ksrc_header(struct src *s, const struct src_msg *m, const char *name,
		       const void **val, size_t *len)
{
	rd_kafka_headers_t *h = NULL;
	(void)s;
	if (rd_kafka_message_headers(m->handle, &h) != RD_KAFKA_RESP_ERR_NO_ERROR ||
	    rd_kafka_header_get_last(h, name, val, len) != RD_KAFKA_RESP_ERR_NO_ERROR)
		return 0;
	return 1;
}

/* Each owned partition of topic: its position (the offset after the last
 * message handed out) against the high watermark the broker answers. */
static bool ksrc_caught_up(struct src *s, const char *topic)
{
	struct ksrc *k = s->impl;
	for (size_t i = 0; i < k->n_parts; i++) {
		const struct part *p = &k->parts[i];
		int64_t lo, hi;
		if (strcmp(p->topic, topic) != 0)
			continue;
		rd_kafka_resp_err_t e =
			rd_kafka_query_watermark_offsets(k->c, topic, p->partition, &lo, &hi, 2000);
		if (e && ++k->ask_failed < 5)
			return false; /* asked again at the next call */
		if (e) {
			/* Not waited for any longer: what is not read is not
			 * committed, and the next run reads it. */
			vlog(LOG_WARN, "%s: cannot ask for its end (%s); taken as read",
			     p->where, rd_kafka_err2str(e));
			continue;
		}
		k->ask_failed = 0;
		rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
		rd_kafka_topic_partition_list_add(l, topic, p->partition);
		int64_t pos = rd_kafka_position(k->c, l) ? -1 : l->elems[0].offset;
		/* Nothing handed out yet: where the group stands, or the start. */
		if (pos < 0)
			pos = rd_kafka_committed(k->c, l, 2000) ? -1 : l->elems[0].offset;
		if (pos < 0)
			pos = lo;
		rd_kafka_topic_partition_list_destroy(l);
		if (hi > lo && pos < hi)
			return false;
	}
	return true;
}

void src_kafka_pause(struct src *s, bool pause)
{
	struct ksrc *k = s->impl;
	if (k->paused == pause)
		return;
	rd_kafka_topic_partition_list_t *l = NULL;
	if (rd_kafka_assignment(k->c, &l) != RD_KAFKA_RESP_ERR_NO_ERROR || !l)
		return;
	rd_kafka_resp_err_t e = pause ? rd_kafka_pause_partitions(k->c, l)
				      : rd_kafka_resume_partitions(k->c, l);
	rd_kafka_topic_partition_list_destroy(l);
	if (!e)
		k->paused = pause;
}

bool src_kafka_owns(struct src *s, const char *topic)
{
	const struct ksrc *k = s->impl;
	for (size_t i = 0; i < k->n_parts; i++)
		if (strcmp(k->parts[i].topic, topic) == 0)
			return true;
	return false;
}

int src_kafka_partition_count(struct src *s, const char *topic, int timeout_ms)
{
	const struct ksrc *k = s->impl;
	const struct rd_kafka_metadata *md = NULL;
	rd_kafka_topic_t *t = rd_kafka_topic_new(k->c, topic, NULL);
	if (!t)
		return -1;
	int n = -1;
	if (rd_kafka_metadata(k->c, 0, t, &md, timeout_ms) == RD_KAFKA_RESP_ERR_NO_ERROR &&
	    md->topic_cnt == 1 && !md->topics[0].err)
		n = md->topics[0].partition_cnt;
	if (md)
		rd_kafka_metadata_destroy(md);
	rd_kafka_topic_destroy(t);
	return n;
}

static void ksrc_free(struct ksrc *k)
{
	for (size_t i = 0; i < k->n_topics; i++)
		free((char *)k->topics[i].name);
	free(k->topics);
	free(k);
}

static void ksrc_close(struct src *s)
{
	struct ksrc *k = s->impl;
	rd_kafka_consumer_close(k->c);
	rd_kafka_destroy(k->c);
	ksrc_free(k);
	s->impl = NULL;
}

static const struct src_ops kafka_src_ops = {
	.name = "kafka",
	.poll = ksrc_poll,
	.release = ksrc_release,
	.store = ksrc_store,
	.commit_sync = ksrc_commit_sync,
	.at_end = ksrc_at_end,
	.header = ksrc_header,
	.caught_up = ksrc_caught_up,
	.close = ksrc_close,
};

/* The consumer's configuration: the config's properties and vroeg's own. */
static rd_kafka_conf_t *consumer_conf(const struct conf *c, bool stop_at_end, const char *group,
				      char *err, size_t n)
{
	rd_kafka_conf_t *kc = kafka_conf_new(c, "consumer", err, n);
	if (!kc || kafka_conf_default(c, kc, "consumer", "group.id", "vroeg", err, n) ||
	    (group && kafka_conf_set(kc, "group.id", group, err, n)) ||
	    kafka_conf_force(c, kc, "consumer", "enable.auto.offset.store", "false", err, n) ||
	    kafka_conf_default(c, kc, "consumer", "auto.offset.reset", "earliest", err, n) ||
	    kafka_conf_default(c, kc, "consumer", "queued.max.messages.kbytes", "65536", err, n) ||
	    (stop_at_end && kafka_conf_set(kc, "enable.partition.eof", "true", err, n))) {
		if (kc)
			rd_kafka_conf_destroy(kc);
		return NULL;
	}
	return kc;
}

int src_kafka_check(const struct conf *c, char *err, size_t errlen)
{
	rd_kafka_conf_t *kc = consumer_conf(c, false, NULL, err, errlen);
	if (!kc)
		return VR_EINVAL;
	rd_kafka_conf_destroy(kc);
	return VR_OK;
}

static rd_kafka_t *consumer_new(const struct conf *c, bool stop_at_end, const char *group,
				struct ksrc *k, char *err, size_t n)
{
	rd_kafka_conf_t *kc = consumer_conf(c, stop_at_end, group, err, n);
	if (!kc)
		return NULL;
	rd_kafka_conf_set_rebalance_cb(kc, on_rebalance);
	rd_kafka_conf_set_opaque(kc, k);
	rd_kafka_t *rk = kafka_client_new(RD_KAFKA_CONSUMER, kc, err, n);
	if (rk)
		rd_kafka_poll_set_consumer(rk);
	return rk;
}

struct src *src_kafka_open(const struct conf *c, const struct src_kafka_topic *topics,
			   size_t n, bool stop_at_end, const struct src_events *ev, char *err,
			   size_t errlen)
{
	return src_kafka_open_group(c, topics, n, stop_at_end, NULL, ev, err, errlen);
}

struct src *src_kafka_open_group(const struct conf *c, const struct src_kafka_topic *topics,
				 size_t n, bool stop_at_end, const char *group,
				 const struct src_events *ev, char *err, size_t errlen)
{
	struct ksrc *k = calloc(1, sizeof(*k));
	struct src *s = calloc(1, sizeof(*s));
	if (!k || !s || !(k->topics = calloc(n ? n : 1, sizeof(*k->topics)))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		k->topics[i].ud = topics[i].ud;
		if (!(k->topics[i].name = strdup(topics[i].name))) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		k->n_topics++;
	}
	k->ev = *ev;
	if (!(k->c = consumer_new(c, stop_at_end, group, k, err, errlen)))
		goto fail;
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)n);
	for (size_t i = 0; i < n; i++)
		rd_kafka_topic_partition_list_add(l, topics[i].name, RD_KAFKA_PARTITION_UA);
	rd_kafka_resp_err_t ke = rd_kafka_subscribe(k->c, l);
	rd_kafka_topic_partition_list_destroy(l);
	if (ke) {
		snprintf(err, errlen, "cannot subscribe: %s", rd_kafka_err2str(ke));
		rd_kafka_destroy(k->c);
		goto fail;
	}
	s->ops = &kafka_src_ops;
	s->impl = k;
	return s;
fail:
	if (k)
		ksrc_free(k);
	free(s);
	return NULL;
}
