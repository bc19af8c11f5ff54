/*
 * run.c - `vroeg run -c FILE`: partner topics in, decisions, dead letters
 * and partner feedback out.
 *
 * One thread.  The loop polls the consumer into a batch (up to [engine]
 * batch records, or [engine] linger.ms after the first), maps every
 * message with its topic's mapping, and hands the batch to the engine.
 * The engine's sink produces a dead letter for each rejected record and a
 * feedback event for each decided one; the batch retires when every one
 * of those is acknowledged by Kafka, and only then are the batch's offsets
 * stored (enable.auto.offset.store=false) and committed.
 *
 * Backpressure: at most INFLIGHT_MAX decided batches wait for their
 * acknowledgements (a ring; they retire in order) while the next one is
 * gathered; with the ring full the loop waits for the oldest.  While the
 * store is unavailable, the loop retries the batch in hand and polls
 * nothing new, so the consumer's own prefetch (bounded by
 * queued.max.messages.kbytes) is all the memory that can grow.
 *
 * Revocation: the rebalance callback runs inside rd_kafka_consumer_poll();
 * the batch being gathered is decided there and every batch in flight
 * retired before the partitions are given up and the offsets committed.
 * If that fails, or the assignment was lost, the batches are dropped
 * uncommitted and the next owner reads them again.
 */
#include "service.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include "emit.h"
#include "engine.h"
#include "jsonw.h"
#include "keyfile.h"
#include "log.h"
#include "mapping.h"
#include "rules.h"
#include "vr.h"

#define RUN_TOPICS_MAX 64
#define RUN_PARTS_MAX 1024
#define SRC_MAX 300
#define OUT_FLUSH (1u << 20)
#define OUT_MAX (64u << 20)
#define ERRS_MAX (16u << 10)
#define INFLIGHT_MAX 4   /* batches decided and waiting for Kafka's acknowledgements */

enum out_kind { OUT_NONE, OUT_DLQ, OUT_FEEDBACK };

/* What one record of the batch sends to Kafka besides its state. */
struct outmsg {
	enum out_kind kind;
	char topic[256];
	char key[SIG_ORG_MAX + 1];
	struct jbuf body;          /* feedback JSON (dead letters carry the original) */
	struct sig_error err;      /* dead letter: why */
	int state;                 /* 0 not sent, 1 in flight, 2 acknowledged, -1 failed */
};

/* A batch of messages: gathered, then decided, then in flight until Kafka
 * acknowledges its side messages, then retired (offsets stored). */
struct batch {
	size_t n;
	rd_kafka_message_t **msgs;
	struct engine_rec *recs;
	struct jbuf *mapped;
	struct sig_error *pre;
	char (*src)[SRC_MAX];
	struct outmsg *out;
	long outstanding;          /* side messages not yet acknowledged */
	double retry_at;           /* when to produce failed ones again */
	long pause_ms;
	uint32_t gen;              /* bumped when the slot is reused: a late delivery
				    * report of an earlier batch is recognised */
};

struct case_list;

struct part {
	char topic[256];
	int32_t partition;
	bool eof;
	char src[SRC_MAX];         /* "topic/partition", the records' source */
	struct mapping *map;       /* the topic's mapping, or NULL */
};

struct run {
	const struct conf *cf;
	const struct run_opts *o;
	struct run_result *res;

	/* engine */
	struct engine_conf econf;
	const char *rules_file;
	struct ruleset *rs;
	struct ruleset *old_rs[16];
	int n_old;
	struct pseudo *ps;
	struct contact_key *ck;
	struct store *st;
	struct vr_clock clk;
	struct engine *e;

	/* kafka */
	rd_kafka_t *c, *p;
	struct mapping *maps[RUN_TOPICS_MAX];
	size_t n_maps;
	char dlq_topic[256];
	char feedback_tpl[256];
	char feedback_topics[PARTNER__COUNT][256];
	bool feedback;
	long linger_ms;
	struct part parts[RUN_PARTS_MAX];
	size_t n_parts;
	struct part *last_part;      /* messages come in runs of one partition */

	/* batches: a ring of INFLIGHT_MAX; [head, head + inflight) are decided
	 * and wait for acknowledgements, the next one is being gathered */
	size_t batch_max;
	struct batch batches[INFLIGHT_MAX];
	unsigned head, inflight;
	struct batch *fill;
	struct batch *deciding;      /* the batch the sink is reporting */
	size_t pos;                  /* its next record */

	/* output */
	FILE *fdec, *fcases;
	struct jbuf dec, cases;
	bool write_failed;
	bool fatal;
	bool checking;               /* --check: no store contacted, no engine */
	struct case_list *collect;   /* cases gathered for the closing report */
};

static volatile sig_atomic_t stop_flag, reload_flag;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_flag = 1;
	else
		stop_flag = 1;
}

/* ---- Kafka configuration ---------------------------------------------- */

static void rk_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	enum log_level lv = level <= 3 ? LOG_ERROR : level <= 4 ? LOG_WARN
				   : level <= 6 ? LOG_INFO : LOG_DEBUG;
	vlog(lv, "kafka %s: %s", fac, buf);
}

static int conf_set(rd_kafka_conf_t *kc, const char *k, const char *v, char *err, size_t n)
{
	char e[256];
	if (rd_kafka_conf_set(kc, k, v, e, sizeof(e)) != RD_KAFKA_CONF_OK) {
		snprintf(err, n, "kafka property %s: %s", k, e);
		return VR_EINVAL;
	}
	return VR_OK;
}

/* [kafka] for both clients, then [kafka consumer] or [kafka producer]. */
static rd_kafka_conf_t *kafka_conf(const struct conf *c, const char *role, char *err, size_t n)
{
	rd_kafka_conf_t *kc = rd_kafka_conf_new();
	char sec[64];
	snprintf(sec, sizeof(sec), "kafka %s", role);
	rd_kafka_conf_set_log_cb(kc, rk_log);
	for (size_t i = 0; i < conf_count(c); i++) {
		const struct conf_entry *e = conf_at(c, i);
		if (strcmp(e->section, "kafka") != 0)
			continue;
		if (conf_set(kc, e->key, e->value, err, n))
			goto fail;
	}
	for (size_t i = 0; i < conf_count(c); i++) {
		const struct conf_entry *e = conf_at(c, i);
		if (strcmp(e->section, sec) != 0)
			continue;
		if (conf_set(kc, e->key, e->value, err, n))
			goto fail;
	}
	return kc;
fail:
	rd_kafka_conf_destroy(kc);
	return NULL;
}

/* A setting vroeg depends on: the config may not change it. */
static int conf_force(const struct conf *c, rd_kafka_conf_t *kc, const char *role,
		      const char *k, const char *v, char *err, size_t n)
{
	char sec[64];
	snprintf(sec, sizeof(sec), "kafka %s", role);
	const char *given = conf_get(c, "kafka", k);
	if (!given)
		given = conf_get(c, sec, k);
	if (given && strcmp(given, v) != 0) {
		snprintf(err, n, "kafka property %s must be %s for vroeg's delivery guarantees",
			 k, v);
		return VR_EINVAL;
	}
	return conf_set(kc, k, v, err, n);
}

/* A default the config may change. */
static int conf_default(const struct conf *c, rd_kafka_conf_t *kc, const char *role,
			const char *k, const char *v, char *err, size_t n)
{
	char sec[64];
	snprintf(sec, sizeof(sec), "kafka %s", role);
	if (conf_get(c, "kafka", k) || conf_get(c, sec, k))
		return VR_OK;
	return conf_set(kc, k, v, err, n);
}

/* ---- partitions we own ------------------------------------------------ */

static struct mapping *mapping_of(struct run *r, const char *topic);

static bool part_is(const struct part *p, const char *topic, int32_t partition)
{
	return p->partition == partition && strcmp(p->topic, topic) == 0;
}

static struct part *part_find(struct run *r, const char *topic, int32_t partition, bool add)
{
	if (r->last_part && part_is(r->last_part, topic, partition))
		return r->last_part;
	for (size_t i = 0; i < r->n_parts; i++)
		if (part_is(&r->parts[i], topic, partition))
			return r->last_part = &r->parts[i];
	if (!add || r->n_parts == RUN_PARTS_MAX)
		return NULL;
	struct part *p = &r->parts[r->n_parts++];
	snprintf(p->topic, sizeof(p->topic), "%s", topic);
	p->partition = partition;
	p->eof = false;
	snprintf(p->src, sizeof(p->src), "%s/%d", topic, (int)partition);
	p->map = mapping_of(r, topic);
	return p;
}

static void parts_drop(struct run *r, const rd_kafka_topic_partition_list_t *l)
{
	for (int i = 0; i < l->cnt; i++) {
		struct part *p = part_find(r, l->elems[i].topic, l->elems[i].partition, false);
		if (p)
			*p = r->parts[--r->n_parts];
	}
	r->last_part = NULL; /* the array was compacted */
}

static bool all_at_end(const struct run *r)
{
	if (r->n_parts == 0)
		return false;
	for (size_t i = 0; i < r->n_parts; i++)
		if (!r->parts[i].eof)
			return false;
	return true;
}

/* ---- output: dead letters and feedback -------------------------------- */

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	struct run *r = opaque;
	uint64_t v = (uint64_t)(uintptr_t)m->_private;
	if (v == 0)
		return;
	v--;
	size_t slot = (v >> 16) & 0xffff, i = v & 0xffff;
	if (slot >= INFLIGHT_MAX || i >= r->batches[slot].n)
		return;
	struct batch *b = &r->batches[slot];
	struct outmsg *o = &b->out[i];
	if ((uint32_t)(v >> 32) != b->gen || o->state != 1)
		return; /* a batch given up earlier: its slot is in use again */
	b->outstanding--;
	if (m->err) {
		o->state = -1;
		vlog(LOG_WARN, "%s to %s not delivered: %s (will retry)",
		     o->kind == OUT_DLQ ? "dead letter" : "feedback", o->topic,
		     rd_kafka_err2str(m->err));
	} else {
		o->state = 2;
	}
}

/* feedback.{partner}: the partner type in lower case, spaces as '-'. */
static void feedback_topic(const struct run *r, enum sig_partner p, char *out, size_t n)
{
	char slug[64];
	sig_partner_slug(p, slug, sizeof(slug));
	const char *at = strstr(r->feedback_tpl, "{partner}");
	if (!at) {
		snprintf(out, n, "%s", r->feedback_tpl);
		return;
	}
	snprintf(out, n, "%.*s%s%s", (int)(at - r->feedback_tpl), r->feedback_tpl, slug,
		 at + strlen("{partner}"));
}

static int produce_one(struct run *r, struct batch *b, size_t i)
{
	struct outmsg *o = &b->out[i];
	const rd_kafka_message_t *m = b->msgs[i];
	uint64_t tag = (uint64_t)b->gen << 32 | (uint64_t)(b - r->batches) << 16 | i;
	void *opaque = (void *)(uintptr_t)(tag + 1);
	rd_kafka_resp_err_t err;
	char part[16], off[24];

	for (;;) {
		if (o->kind == OUT_DLQ) {
			const char *topic = rd_kafka_topic_name(m->rkt);
			snprintf(part, sizeof(part), "%d", (int)m->partition);
			snprintf(off, sizeof(off), "%lld", (long long)m->offset);
			const char *code = sig_reject_code(o->err.code);
			err = rd_kafka_producev(
				r->p, RD_KAFKA_V_TOPIC(o->topic),
				RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
				RD_KAFKA_V_VALUE(m->payload, m->len),
				RD_KAFKA_V_KEY(m->key, m->key_len),
				RD_KAFKA_V_HEADER("vroeg.reason.code", code, -1),
				RD_KAFKA_V_HEADER("vroeg.reason", o->err.msg, -1),
				RD_KAFKA_V_HEADER("vroeg.source.topic", topic, -1),
				RD_KAFKA_V_HEADER("vroeg.source.partition", part, -1),
				RD_KAFKA_V_HEADER("vroeg.source.offset", off, -1),
				RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
		} else {
			err = rd_kafka_producev(
				r->p, RD_KAFKA_V_TOPIC(o->topic),
				RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
				RD_KAFKA_V_VALUE(o->body.p, o->body.len),
				RD_KAFKA_V_KEY(o->key, strlen(o->key)),
				RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
		}
		if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
			break;
		rd_kafka_poll(r->p, 100); /* the producer's queue is full: wait for room */
		if (stop_flag)
			return VR_EAGAIN;
	}
	if (err) {
		vlog(LOG_WARN, "cannot produce to %s: %s", o->topic, rd_kafka_err2str(err));
		o->state = -1;
		return VR_EAGAIN;
	}
	o->state = 1;
	b->outstanding++;
	return VR_OK;
}

/* ---- the engine's sink ------------------------------------------------ */

static int flush_out(struct run *r, struct jbuf *b, FILE *f, size_t at_least)
{
	if (jbuf_flush(b, f, at_least) != 0) {
		r->write_failed = true;
		return VR_EIO;
	}
	return VR_OK;
}

static int on_decision(void *ud, const struct decision *d)
{
	struct run *r = ud;
	struct batch *b = r->deciding;
	size_t i = r->pos++;
	struct outmsg *o = &b->out[i];

	summary_add_decision(&r->res->sum, d);
	o->kind = OUT_NONE;
	o->state = 0;
	if (d->status == DEC_REJECTED) {
		o->kind = OUT_DLQ;
		snprintf(o->topic, sizeof(o->topic), "%s", r->dlq_topic);
		o->err = *d->err;
		r->res->dead_letters++;
	} else if (r->feedback && (d->status != DEC_DUPLICATE || d->original < DEC_DUPLICATE)) {
		/* The partner learns the DDAS status of its signal, nothing more: no
		 * reason (that of "andere reden" is the municipality's own), no
		 * household, no case.  A redelivery is answered with the status
		 * the signal got the first time: if vroeg stopped after storing a
		 * batch but before its feedback was acknowledged, the batch is read
		 * again, and this is how its feedback still goes out. */
		enum dec_status st = d->status == DEC_DUPLICATE ? d->original : d->status;
		bool first = true;
		o->kind = OUT_FEEDBACK;
		memcpy(o->topic, r->feedback_topics[d->sig->partner], sizeof(o->topic));
		memcpy(o->key, d->sig->partner_org, sizeof(o->key));
		jbuf_reset(&o->body);
		jbuf_lit(&o->body, "{");
		jbuf_key(&o->body, "ID", &first);
		jbuf_str(&o->body, d->sig->id);
		jbuf_key(&o->body, "signaalpartner", &first);
		jbuf_lit(&o->body, "{\"type\":");
		jbuf_str(&o->body, sig_partner_name(d->sig->partner));
		jbuf_lit(&o->body, ",\"naam\":");
		jbuf_str(&o->body, d->sig->partner_org);
		jbuf_lit(&o->body, "}");
		jbuf_key(&o->body, "status", &first);
		jbuf_str(&o->body, dec_status_name(st));
		jbuf_lit(&o->body, "}");
		r->res->feedback++;
	}
	if (o->kind != OUT_NONE && produce_one(r, b, i) != VR_OK && stop_flag)
		return VR_EAGAIN;
	if (r->fdec) {
		emit_decision(&r->dec, r->e, d);
		return flush_out(r, &r->dec, r->fdec, OUT_FLUSH);
	}
	return VR_OK;
}

static int collect_case(struct case_list *l, const struct hkey *h, const struct case_rec *c);

static int on_case(void *ud, const struct hkey *h, const struct case_rec *c)
{
	struct run *r = ud;
	summary_add_case(&r->res->sum, c);
	if (r->collect && collect_case(r->collect, h, c))
		return VR_ENOMEM;
	if (!r->fcases)
		return VR_OK;
	emit_case(&r->cases, r->e, h, c);
	return flush_out(r, &r->cases, r->fcases, 0);
}

/* ---- batches ---------------------------------------------------------- */

static struct mapping *mapping_of(struct run *r, const char *topic)
{
	for (size_t i = 0; i < r->n_maps; i++)
		if (strcmp(mapping_topic(r->maps[i]), topic) == 0)
			return r->maps[i];
	return NULL;
}

/* Take one message into the batch being gathered (which owns it now). */
static void batch_add(struct run *r, rd_kafka_message_t *m, const struct part *pt)
{
	struct batch *b = r->fill;
	size_t i = b->n++;
	const char *topic = rd_kafka_topic_name(m->rkt);
	struct mapping *map = pt ? pt->map : mapping_of(r, topic);
	struct engine_rec *rec = &b->recs[i];

	b->msgs[i] = m;
	b->out[i].kind = OUT_NONE;
	if (pt)
		memcpy(b->src[i], pt->src, strlen(pt->src) + 1);
	else
		snprintf(b->src[i], SRC_MAX, "%s/%d", topic, (int)m->partition);
	*rec = (struct engine_rec){"", 0, b->src[i], (long)m->offset, NULL, NULL};
	r->res->messages++;
	if (!map) { /* subscribed by pattern, or a topic without a mapping */
		b->pre[i].code = REJ_MAPPING;
		snprintf(b->pre[i].msg, sizeof(b->pre[i].msg), "no mapping for topic %.100s",
			 topic);
		rec->reject = &b->pre[i];
		return;
	}
	rec->def = mapping_defaults(map);
	if (!m->payload) {
		b->pre[i].code = REJ_MAPPING;
		snprintf(b->pre[i].msg, sizeof(b->pre[i].msg), "empty message");
		rec->reject = &b->pre[i];
		return;
	}
	if (mapping_apply(map, m->payload, m->len, &b->mapped[i], &rec->data, &rec->len,
			  &b->pre[i]) != VR_OK)
		rec->reject = &b->pre[i];
}

/* Store the next offset of every partition in the batch, and commit. */
static void store_offsets(struct run *r, const struct batch *b)
{
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(16);
	for (size_t i = 0; i < b->n; i++) {
		const rd_kafka_message_t *m = b->msgs[i];
		rd_kafka_topic_partition_t *tp = rd_kafka_topic_partition_list_find(
			l, rd_kafka_topic_name(m->rkt), m->partition);
		if (!tp)
			tp = rd_kafka_topic_partition_list_add(l, rd_kafka_topic_name(m->rkt),
							       m->partition);
		if (m->offset + 1 > tp->offset)
			tp->offset = m->offset + 1;
	}
	rd_kafka_resp_err_t err = rd_kafka_offsets_store(r->c, l);
	if (err && err != RD_KAFKA_RESP_ERR__STATE)
		vlog(LOG_WARN, "cannot store offsets: %s", rd_kafka_err2str(err));
	rd_kafka_topic_partition_list_destroy(l);
	/* Commit now rather than at the next auto-commit tick: the less is
	 * uncommitted when the group coordinator goes away, the less is read
	 * again (and recognised as redelivered) afterwards. */
	rd_kafka_commit(r->c, NULL, 1);
}

static void batch_drop(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		rd_kafka_message_destroy(b->msgs[i]);
		b->out[i].state = 0;
		/* One huge record must not keep its buffer for good. */
		if (b->mapped[i].cap > (64u << 10)) {
			size_t max = b->mapped[i].max;
			jbuf_fini(&b->mapped[i]);
			jbuf_init(&b->mapped[i], max);
		}
	}
	b->n = 0;
	b->outstanding = 0;
	b->gen++;
}

/* Give up every batch in hand, uncommitted: they are read again. */
static void drop_all(struct run *r)
{
	if (r->inflight)
		rd_kafka_flush(r->p, 5000); /* no late reports into reused slots */
	for (unsigned k = 0; k < INFLIGHT_MAX; k++)
		batch_drop(&r->batches[k]);
	r->head = 0;
	r->inflight = 0;
	r->fill = &r->batches[0];
}

static bool has_failed(const struct batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->out[i].kind != OUT_NONE && b->out[i].state == -1)
			return true;
	return false;
}

/*
 * Retire decided batches, oldest first, whose side messages Kafka has all
 * acknowledged: store their offsets.  A batch with a message that failed
 * produces it again (growing pauses) and holds back the batches after it.
 * Waits until at most max batches are in flight.  VR_EAGAIN when told to
 * stop before that (the batches in hand are then dropped uncommitted).
 */
/* One pass: retire what is acknowledged, produce again what failed. */
static void retire_pass(struct run *r)
{
	while (r->inflight > 0) {
		struct batch *b = &r->batches[r->head];
		if (b->outstanding > 0)
			return;
		if (has_failed(b)) {
			double now = vr_mono_now();
			if (now >= b->retry_at) {
				b->pause_ms = b->pause_ms ? b->pause_ms * 2 : 100;
				if (b->pause_ms > 5000)
					b->pause_ms = 5000;
				b->retry_at = now + (double)b->pause_ms / 1000;
				for (size_t i = 0; i < b->n; i++)
					if (b->out[i].kind != OUT_NONE && b->out[i].state == -1)
						produce_one(r, b, i);
			}
			return;
		}
		store_offsets(r, b);
		batch_drop(b);
		r->res->batches++;
		r->head = (r->head + 1) % INFLIGHT_MAX;
		r->inflight--;
	}
}

static int retire(struct run *r, unsigned max)
{
	for (;;) {
		rd_kafka_poll(r->p, r->inflight > max ? 50 : 0);
		retire_pass(r);
		if (r->inflight <= max)
			return VR_OK;
		if (stop_flag) {
			/* Give in-flight messages a little time, then give up. */
			rd_kafka_flush(r->p, 5000);
			retire_pass(r);
			if (r->inflight <= max)
				return VR_OK;
			drop_all(r);
			return VR_EAGAIN;
		}
	}
}

/*
 * Decide the batch being gathered and send its side messages; it is then in
 * flight and the next slot is gathered.  While the store is unavailable,
 * wait and try the same batch again (the engine repeats an apply it already
 * computed).  VR_EAGAIN: stopped before the batch was decided; it is
 * dropped uncommitted.
 */
static int decide_fill(struct run *r)
{
	struct batch *b = r->fill;
	long pause = 50;
	double since = 0, logged = 0;
	int rc;

	if (b->n == 0)
		return VR_OK;
	for (;;) {
		r->deciding = b;
		r->pos = 0;
		b->outstanding = 0;
		b->retry_at = 0;
		b->pause_ms = 0;
		rc = engine_process(r->e, b->recs, b->n);
		if (rc != VR_EAGAIN)
			break;
		double now = vr_mono_now();
		if (since == 0)
			since = now;
		if (now - logged >= 10) {
			vlog(LOG_WARN, "store unavailable (%s); consumption paused for %.0fs",
			     store_error(r->st), now - since);
			logged = now;
		}
		/* Keep acknowledging the batches already in flight meanwhile. */
		retire(r, INFLIGHT_MAX);
		if (stop_flag) {
			engine_discard(r->e);
			r->deciding = NULL;
			batch_drop(b);
			return VR_EAGAIN;
		}
		vr_sleep((double)pause / 1000);
		pause = pause * 2 > 2000 ? 2000 : pause * 2;
	}
	r->deciding = NULL;
	if (since != 0 && rc == VR_OK)
		vlog(LOG_INFO, "store back after %.1fs; consuming again", vr_mono_now() - since);
	/* The batch's decisions are written before its offsets are stored. */
	if (rc == VR_OK && flush_out(r, &r->dec, r->fdec, 0) != VR_OK)
		rc = VR_EIO;
	if (rc != VR_OK) {
		vlog(LOG_ERROR, "cannot decide a batch: %s%s%s",
		     r->write_failed ? "cannot write output" : vr_strerror(rc),
		     store_error(r->st)[0] ? ": " : "", store_error(r->st));
		r->fatal = true;
		batch_drop(b);
		return rc;
	}
	r->inflight++;
	r->fill = &r->batches[(r->head + r->inflight) % INFLIGHT_MAX];
	return VR_OK;
}

/* Decide what is being gathered and wait for every batch in flight. */
static int batch_finish(struct run *r)
{
	int rc = decide_fill(r);
	if (rc == VR_OK && r->inflight == INFLIGHT_MAX)
		rc = retire(r, INFLIGHT_MAX - 1);
	if (rc == VR_OK)
		rc = retire(r, 0);
	return rc;
}

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
			 rd_kafka_topic_partition_list_t *parts, void *opaque)
{
	struct run *r = opaque;
	bool coop = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;

	if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
		for (int i = 0; i < parts->cnt; i++)
			part_find(r, parts->elems[i].topic, parts->elems[i].partition, true);
		vlog(LOG_INFO, "assigned %d partition(s)", parts->cnt);
		if (coop)
			rd_kafka_incremental_assign(rk, parts);
		else
			rd_kafka_assign(rk, parts);
		return;
	}
	/* Revoked (or lost): finish what we hold, then give it up. */
	if (!rd_kafka_assignment_lost(rk)) {
		if (batch_finish(r) == VR_OK) {
			rd_kafka_resp_err_t ce = rd_kafka_commit(rk, NULL, 0);
			if (ce && ce != RD_KAFKA_RESP_ERR__NO_OFFSET)
				vlog(LOG_WARN, "commit on revoke: %s", rd_kafka_err2str(ce));
		}
	} else {
		vlog(LOG_WARN, "partitions lost; the batches in hand are left to their next owner");
		drop_all(r);
	}
	vlog(LOG_INFO, "revoked %d partition(s)", parts->cnt);
	parts_drop(r, parts);
	if (coop)
		rd_kafka_incremental_unassign(rk, parts);
	else
		rd_kafka_assign(rk, NULL);
}

/* ---- start and stop --------------------------------------------------- */

static const char *const engine_keys[] = {"rules", "municipalities", "key.file",
					  "contact.key.file", "batch", "linger.ms", "clock",
					  "log.level", NULL};
static const char *const store_keys[] = {"url", NULL};
static const char *const connector_keys[] = {"dlq.topic", "feedback", "feedback.topic",
					     NULL};
static const char *const output_keys[] = {"decisions", "cases", NULL};

static int check_sections(const struct conf *c, char *err, size_t n)
{
	static const char *const sections[] = {"engine", "store", "connector", "output",
					       "kafka", "kafka consumer", "kafka producer"};
	for (size_t i = 0; i < conf_count(c); i++) {
		const struct conf_entry *e = conf_at(c, i);
		bool ok = strncmp(e->section, "topic ", 6) == 0;
		for (size_t k = 0; k < VR_ARRAY_LEN(sections) && !ok; k++)
			ok = strcmp(e->section, sections[k]) == 0;
		if (!ok) {
			snprintf(err, n, "%s:%d: unknown section [%s]", conf_name(c), e->line,
				 e->section);
			return VR_EINVAL;
		}
	}
	if (conf_check_keys(c, "engine", engine_keys, err, n) ||
	    conf_check_keys(c, "store", store_keys, err, n) ||
	    conf_check_keys(c, "connector", connector_keys, err, n) ||
	    conf_check_keys(c, "output", output_keys, err, n))
		return VR_EINVAL;
	return VR_OK;
}

static FILE *open_output(const char *v, char *err, size_t n)
{
	if (!v || strcmp(v, "none") == 0)
		return NULL;
	if (strcmp(v, "-") == 0)
		return stdout;
	FILE *f = fopen(v, "a");
	if (!f)
		snprintf(err, n, "cannot open %s: %s", v, strerror(errno));
	return f;
}

static int setup_engine(struct run *r, char *err, size_t n)
{
	const struct conf *c = r->cf;
	char *errs = NULL;
	long v;
	const char *s;

	engine_conf_init(&r->econf);
	if (conf_get_long(c, "engine", "batch", 1, ENGINE_BATCH_MAX, 1024, &v, err, n))
		return VR_EINVAL;
	r->econf.batch_size = (size_t)v;
	r->batch_max = (size_t)v;
	if (conf_get_long(c, "engine", "linger.ms", 0, 60000, 100, &r->linger_ms, err, n))
		return VR_EINVAL;
	if ((s = conf_get(c, "engine", "municipalities"))) {
		char code[8];
		while (*s) {
			size_t k = strcspn(s, ", \t");
			if (k) {
				snprintf(code, sizeof(code), "%.*s", (int)(k > 7 ? 7 : k), s);
				if (k > 4 || engine_conf_add_municipality(&r->econf, code)) {
					snprintf(err, n, "[engine] municipalities: \"%.*s\" is not "
						 "a 4-digit CBS code", (int)(k > 20 ? 20 : k), s);
					return VR_EINVAL;
				}
			}
			s += k;
			s += strspn(s, ", \t");
		}
	}
	s = conf_get(c, "engine", "clock");
	if (!s || strcmp(s, "wall") == 0) {
		clock_init_wall(&r->clk);
	} else if (strcmp(s, "event") == 0) {
		clock_init_event(&r->clk, 31);
	} else {
		vr_date d;
		if (date_parse(s, strlen(s), &d) != VR_OK) {
			snprintf(err, n, "[engine] clock must be wall, event or YYYY-MM-DD");
			return VR_EINVAL;
		}
		clock_init_fixed(&r->clk, d);
	}
	r->rules_file = conf_get(c, "engine", "rules");
	if (!(errs = malloc(ERRS_MAX)))
		return VR_ENOMEM;
	r->rs = r->rules_file ? ruleset_load_file(r->rules_file, errs, ERRS_MAX)
			      : ruleset_load_default(errs, ERRS_MAX);
	if (!r->rs) {
		snprintf(err, n, "rule file has errors:\n%s", errs);
		free(errs);
		return VR_EINVAL;
	}
	free(errs);
	s = conf_get(c, "engine", "key.file");
	r->ps = s ? pseudo_new_file(s, err, n) : NULL;
	if (r->o->ps) {
		if (r->ps != r->o->ps)
		pseudo_free(r->ps);
		r->ps = r->o->ps;
	} else if (!s) {
		snprintf(err, n, "[engine] key.file is required: the pseudonym key must be the "
			 "same across restarts");
		return VR_EINVAL;
	}
	if (!r->ps)
		return VR_EINVAL;
	const char *url = conf_get(c, "store", "url");
	if (!url)
		url = "memory";
	if (!r->checking && !(r->st = store_open(url, err, n)))
		return VR_EINVAL;
	if (!store_url_is_memory(url)) {
		s = conf_get(c, "engine", "contact.key.file");
		if (!s) {
			snprintf(err, n, "[engine] contact.key.file is required with a persistent "
				 "store (contact details are sealed under it)");
			return VR_EINVAL;
		}
		if (!(r->ck = contact_key_file(s, err, n)))
			return VR_EINVAL;
	}
	if (r->checking)
		return VR_OK;
	struct engine_sink sink = {r, on_decision, on_case};
	r->e = engine_new(&r->econf, r->rs, r->st, r->ps, &r->clk, &sink, err, n);
	if (!r->e)
		return VR_EINVAL;
	if (r->ck)
		engine_set_contact_key(r->e, r->ck);
	return VR_OK;
}

static int setup_batch(struct run *r)
{
	size_t m = r->batch_max;
	for (unsigned k = 0; k < INFLIGHT_MAX; k++) {
		struct batch *b = &r->batches[k];
		b->msgs = calloc(m, sizeof(*b->msgs));
		b->recs = calloc(m, sizeof(*b->recs));
		b->mapped = calloc(m, sizeof(*b->mapped));
		b->pre = calloc(m, sizeof(*b->pre));
		b->src = calloc(m, sizeof(*b->src));
		b->out = calloc(m, sizeof(*b->out));
		if (!b->msgs || !b->recs || !b->mapped || !b->pre || !b->src || !b->out)
			return VR_ENOMEM;
		for (size_t i = 0; i < m; i++) {
			jbuf_init(&b->mapped[i], SIG_LINE_MAX * 2);
			jbuf_init(&b->out[i].body, 4096);
		}
	}
	r->fill = &r->batches[0];
	return VR_OK;
}

/* The mapping of every [topic NAME] section. */
static int load_mappings(struct run *r, char *err, size_t n)
{
	const struct conf *c = r->cf;
	for (size_t i = 0; i < conf_count(c); i++) {
		const struct conf_entry *ce = conf_at(c, i);
		if (strncmp(ce->section, "topic ", 6) != 0 || mapping_of(r, ce->section + 6))
			continue;
		if (r->n_maps == RUN_TOPICS_MAX) {
			snprintf(err, n, "at most %d topics", RUN_TOPICS_MAX);
			return VR_ELIMIT;
		}
		if (!(r->maps[r->n_maps] = mapping_from_conf(c, ce->section + 6, err, n)))
			return VR_EINVAL;
		r->n_maps++;
	}
	if (r->n_maps == 0) {
		snprintf(err, n, "%s: no [topic NAME] sections: nothing to consume", conf_name(c));
		return VR_EINVAL;
	}
	return VR_OK;
}

static int setup_kafka(struct run *r, char *err, size_t n)
{
	const struct conf *c = r->cf;
	char e[512];
	const char *s;
	bool fb;
	int rc;

	s = conf_get(c, "connector", "dlq.topic");
	snprintf(r->dlq_topic, sizeof(r->dlq_topic), "%s", s ? s : "signals.dlq");
	s = conf_get(c, "connector", "feedback.topic");
	snprintf(r->feedback_tpl, sizeof(r->feedback_tpl), "%s", s ? s : "feedback.{partner}");
	for (int p = 0; p < PARTNER__COUNT; p++)
		feedback_topic(r, (enum sig_partner)p, r->feedback_topics[p],
			       sizeof(r->feedback_topics[p]));
	if (conf_get_bool(c, "connector", "feedback", true, &fb, err, n))
		return VR_EINVAL;
	r->feedback = fb;
	if ((rc = load_mappings(r, err, n)) != VR_OK)
		return rc;

	rd_kafka_conf_t *kc = kafka_conf(c, "consumer", err, n);
	if (!kc || conf_default(c, kc, "consumer", "group.id", "vroeg", err, n) ||
	    conf_force(c, kc, "consumer", "enable.auto.offset.store", "false", err, n) ||
	    conf_default(c, kc, "consumer", "auto.offset.reset", "earliest", err, n) ||
	    conf_default(c, kc, "consumer", "queued.max.messages.kbytes", "65536", err, n) ||
	    (r->o->stop_at_end &&
	     conf_set(kc, "enable.partition.eof", "true", err, n))) {
		if (kc)
			rd_kafka_conf_destroy(kc);
		return VR_EINVAL;
	}
	rd_kafka_conf_set_rebalance_cb(kc, on_rebalance);
	rd_kafka_conf_set_opaque(kc, r);
	if (!(r->c = rd_kafka_new(RD_KAFKA_CONSUMER, kc, e, sizeof(e)))) {
		rd_kafka_conf_destroy(kc);
		snprintf(err, n, "kafka consumer: %s", e);
		return VR_EINVAL;
	}
	rd_kafka_poll_set_consumer(r->c);

	kc = kafka_conf(c, "producer", err, n);
	if (!kc || conf_force(c, kc, "producer", "enable.idempotence", "true", err, n) ||
	    conf_default(c, kc, "producer", "linger.ms", "5", err, n)) {
		if (kc)
			rd_kafka_conf_destroy(kc);
		return VR_EINVAL;
	}
	rd_kafka_conf_set_dr_msg_cb(kc, on_delivery);
	rd_kafka_conf_set_opaque(kc, r);
	if (!(r->p = rd_kafka_new(RD_KAFKA_PRODUCER, kc, e, sizeof(e)))) {
		rd_kafka_conf_destroy(kc);
		snprintf(err, n, "kafka producer: %s", e);
		return VR_EINVAL;
	}

	rd_kafka_topic_partition_list_t *topics =
		rd_kafka_topic_partition_list_new((int)r->n_maps);
	for (size_t i = 0; i < r->n_maps; i++)
		rd_kafka_topic_partition_list_add(topics, mapping_topic(r->maps[i]),
						  RD_KAFKA_PARTITION_UA);
	rd_kafka_resp_err_t ke = rd_kafka_subscribe(r->c, topics);
	rd_kafka_topic_partition_list_destroy(topics);
	if (ke) {
		snprintf(err, n, "cannot subscribe: %s", rd_kafka_err2str(ke));
		return VR_EINVAL;
	}
	return VR_OK;
}

static void reload_rules(struct run *r)
{
	char *errs = malloc(ERRS_MAX);
	reload_flag = 0;
	if (!errs)
		return;
	if (!r->rules_file) {
		vlog(LOG_WARN, "SIGHUP: the built-in rule set is in use; nothing to reload");
	} else if (r->n_old == (int)VR_ARRAY_LEN(r->old_rs)) {
		vlog(LOG_ERROR, "SIGHUP: too many reloads without a restart; rules kept");
	} else {
		struct ruleset *rs = ruleset_load_file(r->rules_file, errs, ERRS_MAX);
		if (!rs) {
			/* The first line names the file, line and column. */
			char *nl = strchr(errs, '\n');
			if (nl)
				*nl = '\0';
			vlog(LOG_ERROR, "SIGHUP: %s; the rules in use are kept", errs);
		} else {
			/* Decisions already written may name the old set's rules: keep it. */
			r->old_rs[r->n_old++] = r->rs;
			r->rs = rs;
			engine_set_rules(r->e, rs);
			vlog(LOG_INFO, "SIGHUP: rule set %s loaded from %s", ruleset_name(rs),
			     r->rules_file);
		}
	}
	free(errs);
}

/* Cases at the end, most urgent first: priority, score, due date. */
struct case_copy {
	struct hkey h;
	struct case_rec c;
};

struct case_list {
	struct case_copy *v;
	size_t n, cap;
};

static int collect_case(struct case_list *l, const struct hkey *h, const struct case_rec *c)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct case_copy *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return VR_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].h = *h;
	l->v[l->n++].c = *c;
	return VR_OK;
}

static int case_cmp(const void *a, const void *b)
{
	const struct case_rec *x = &((const struct case_copy *)a)->c;
	const struct case_rec *y = &((const struct case_copy *)b)->c;
	if (x->priority != y->priority)
		return x->priority > y->priority ? -1 : 1;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (x->due != y->due)
		return x->due < y->due ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* At the end of a bounded run: every case to the cases output and, when
 * asked, explained most urgent first. */
static int report_cases(struct run *r)
{
	struct case_list l = {NULL, 0, 0};
	r->collect = r->o->worklist ? &l : NULL;
	int rc = engine_flush_cases(r->e);
	r->collect = NULL;
	if (rc == VR_OK && r->o->worklist) {
		FILE *f = r->o->worklist;
		char due[VR_DATE_STRLEN];
		static const char *const prio[] = {"normal", "urgent", "crisis"};
		qsort(l.v, l.n, sizeof(*l.v), case_cmp);
		fprintf(f, "%4s  %-7s %-10s %5s  %-16s %7s  %-36s %s\n", "#", "prio", "due",
			"score", "team", "bedrag", "partners", "case");
		for (size_t i = 0; i < l.n; i++) {
			const struct case_rec *c = &l.v[i].c;
			char partners[128] = "";
			unsigned seen = 0;
			for (unsigned k = 0; k < c->n_signals && k < CASE_SIGNALS_MAX; k++) {
				unsigned p = c->signals[k].partner;
				if (p >= PARTNER__COUNT || (seen & (1u << p)))
					continue;
				seen |= 1u << p;
				size_t at = strlen(partners);
				snprintf(partners + at, sizeof(partners) - at, "%s%s", at ? "," : "",
					 sig_partner_name((enum sig_partner)p));
			}
			fprintf(f, "%4zu  %-7s %-10s %5d  %-16.16s %7lld  %-36.36s %s\n", i + 1,
				prio[c->priority < 3 ? c->priority : 0], date_format(c->due, due),
				(int)c->score, c->team, (long long)c->amount, partners, c->id);
		}
		size_t top = l.n < 3 ? l.n : 3;
		if (top)
			fprintf(f, "\nWhy the first %zu come first:\n\n", top);
		for (size_t i = 0; i < top; i++) {
			if (i)
				fputc('\n', f);
			emit_case_text(f, r->e, &l.v[i].h, &l.v[i].c);
		}
	}
	free(l.v);
	return rc;
}

static void teardown(struct run *r)
{
	if (r->c) {
		rd_kafka_consumer_close(r->c);
		rd_kafka_destroy(r->c);
	}
	if (r->p) {
		rd_kafka_flush(r->p, 10000);
		rd_kafka_destroy(r->p);
	}
	for (size_t i = 0; i < r->n_maps; i++)
		mapping_free(r->maps[i]);
	for (unsigned k = 0; k < INFLIGHT_MAX; k++) {
		struct batch *b = &r->batches[k];
		if (b->msgs)
			batch_drop(b);
		for (size_t i = 0; i < r->batch_max; i++) {
			if (b->mapped)
				jbuf_fini(&b->mapped[i]);
			if (b->out)
				jbuf_fini(&b->out[i].body);
		}
		free(b->msgs);
		free(b->recs);
		free(b->mapped);
		free(b->pre);
		free(b->src);
		free(b->out);
	}
	engine_free(r->e);
	store_close(r->st);
	if (r->ps != r->o->ps)
		pseudo_free(r->ps);
	contact_key_free(r->ck);
	ruleset_free(r->rs);
	for (int i = 0; i < r->n_old; i++)
		ruleset_free(r->old_rs[i]);
	if (r->fdec && r->fdec != stdout)
		fclose(r->fdec);
	if (r->fcases && r->fcases != stdout)
		fclose(r->fcases);
	jbuf_fini(&r->dec);
	jbuf_fini(&r->cases);
}

static void poll_loop(struct run *r)
{
	double t0 = vr_mono_now(), first = 0;
	while (!stop_flag && !r->fatal) {
		if (reload_flag && r->fill->n == 0)
			reload_rules(r);
		if (r->o->max_seconds > 0 && vr_mono_now() - t0 > r->o->max_seconds) {
			vlog(LOG_WARN, "stopping after %.0fs", r->o->max_seconds);
			break;
		}
		long wait = r->inflight ? 10 : 100;
		if (r->fill->n > 0) {
			double left = first + (double)r->linger_ms / 1000 - vr_mono_now();
			long w = left <= 0 ? 0 : (long)(left * 1000) + 1;
			wait = w < wait ? w : wait;
		}
		rd_kafka_message_t *m = rd_kafka_consumer_poll(r->c, (int)wait);
		if (m && m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
			struct part *p = part_find(r, rd_kafka_topic_name(m->rkt), m->partition,
						   false);
			if (p)
				p->eof = true;
			rd_kafka_message_destroy(m);
			m = NULL;
		} else if (m && m->err) {
			vlog(LOG_WARN, "consumer: %s", rd_kafka_message_errstr(m));
			rd_kafka_message_destroy(m);
			m = NULL;
		} else if (m) {
			struct part *p = part_find(r, rd_kafka_topic_name(m->rkt), m->partition,
						   false);
			if (p)
				p->eof = false;
			if (r->fill->n == 0)
				first = vr_mono_now();
			batch_add(r, m, p);
		}
		size_t n = r->fill->n;
		bool full = n == r->batch_max;
		bool lingered = n > 0 && vr_mono_now() - first >= (double)r->linger_ms / 1000;
		bool at_end = r->o->stop_at_end && all_at_end(r);
		if (full || lingered || (n > 0 && at_end)) {
			if (decide_fill(r) != VR_OK)
				break;
		}
		/* Bounded: with every slot in flight, wait for the oldest. */
		if (r->inflight &&
		    retire(r, r->inflight == INFLIGHT_MAX ? INFLIGHT_MAX - 1 : INFLIGHT_MAX) != VR_OK)
			break;
		if (at_end && r->fill->n == 0) {
			if (retire(r, 0) != VR_OK)
				break;
			vlog(LOG_INFO, "every partition read to its end; stopping");
			break;
		}
	}
	/* Drain: decide what is in hand, wait for its acknowledgements, commit. */
	if (!r->fatal)
		batch_finish(r);
	drop_all(r);
}

int run_service(const struct conf *c, const struct run_opts *o, struct run_result *res)
{
	struct run *r = calloc(1, sizeof(*r));
	char err[1024] = "";
	int code = 1;
	const char *s;

	if (!r)
		return 1;
	memset(res, 0, sizeof(*res));
	summary_init(&res->sum);
	r->cf = c;
	r->o = o;
	r->res = res;
	jbuf_init(&r->dec, OUT_MAX);
	jbuf_init(&r->cases, OUT_MAX);
	stop_flag = reload_flag = 0;

	if ((s = conf_get(c, "engine", "log.level"))) {
		int lv = log_level_parse(s);
		if (lv < 0) {
			snprintf(err, sizeof(err), "[engine] log.level must be debug, info, warn "
				 "or error");
			goto out;
		}
		log_set_level((enum log_level)lv);
	}
	if (check_sections(c, err, sizeof(err)) || setup_engine(r, err, sizeof(err)) ||
	    setup_batch(r))
		goto out;
	r->fdec = open_output(conf_get(c, "output", "decisions"), err, sizeof(err));
	if (err[0])
		goto out;
	r->fcases = open_output(conf_get(c, "output", "cases"), err, sizeof(err));
	if (err[0] || setup_kafka(r, err, sizeof(err)))
		goto out;

	/* A peer that went away (Redis killed mid-write) is an error the store
	 * reports and the loop waits out, not a reason to die silently. */
	signal(SIGPIPE, SIG_IGN);
	struct sigaction sa = {0};
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	vlog(LOG_INFO, "consuming %zu topic(s) with rule set %s, store %s", r->n_maps,
	     ruleset_name(r->rs), store_name(r->st));
	poll_loop(r);
	rd_kafka_resp_err_t ce = rd_kafka_commit(r->c, NULL, 0);
	if (ce && ce != RD_KAFKA_RESP_ERR__NO_OFFSET)
		vlog(LOG_WARN, "final commit: %s", rd_kafka_err2str(ce));
	if (!r->fatal && (o->stop_at_end || o->worklist))
		report_cases(r);
	if (flush_out(r, &r->dec, r->fdec, 0) || flush_out(r, &r->cases, r->fcases, 0))
		vlog(LOG_ERROR, "cannot write output");
	vlog(LOG_INFO, "stopped: %lu messages, %lu batches, %lu dead letters, %lu feedback "
	     "events", res->messages, res->batches, res->dead_letters, res->feedback);
	code = r->fatal || r->write_failed ? 1 : 0;
out:
	if (err[0])
		vlog(LOG_ERROR, "%s", err);
	teardown(r);
	free(r);
	return code;
}

/* --check: the config, the rule file, the keys and every mapping; Kafka
 * and the store are not contacted. */
static int run_check(const struct conf *c, char *err, size_t n)
{
	struct run *r = calloc(1, sizeof(*r));
	struct run_result res;
	struct run_opts o = {0};
	int rc = VR_ENOMEM;
	if (!r)
		return rc;
	r->cf = c;
	r->o = &o;
	r->res = &res;
	r->checking = true;
	rc = check_sections(c, err, n);
	if (rc == VR_OK)
		rc = setup_engine(r, err, n);
	if (rc == VR_OK)
		rc = load_mappings(r, err, n);
	teardown(r);
	free(r);
	return rc;
}

static void usage(FILE *f)
{
	fputs("usage: vroeg run -c FILE [--stop-at-end] [--max-seconds S]\n"
	      "  -c FILE          config file (docs/connectors.md); VROEG_<SECTION>_<KEY>\n"
	      "                   environment variables override its values\n"
	      "  --check          check the config and rule file, then exit\n"
	      "  --stop-at-end    stop when every partition is read to its end (tests,\n"
	      "                   one-off catch-up runs)\n"
	      "  --max-seconds S  stop after S seconds\n"
	      "SIGTERM/SIGINT finish the batch in hand, commit and stop; SIGHUP reloads\n"
	      "the rule file.\n",
	      f);
}

extern char **environ;

int run_main(int argc, char **argv)
{
	const char *path = NULL;
	struct run_opts o = {0};
	bool check = false;
	char err[1024];

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if ((strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) && i + 1 < argc) {
			path = argv[++i];
		} else if (strcmp(a, "--stop-at-end") == 0) {
			o.stop_at_end = true;
		} else if (strcmp(a, "--check") == 0) {
			check = true;
		} else if (strcmp(a, "--max-seconds") == 0 && i + 1 < argc) {
			char *end;
			o.max_seconds = strtod(argv[++i], &end);
			if (*end || o.max_seconds <= 0) {
				fprintf(stderr, "vroeg run: --max-seconds needs a positive number\n");
				return 2;
			}
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "vroeg run: unknown option %s\n", a);
			usage(stderr);
			return 2;
		}
	}
	if (!path) {
		fprintf(stderr, "vroeg run: no config file (-c FILE)\n");
		usage(stderr);
		return 2;
	}
	/* Keys the environment may set even when the file does not have them. */
	static const char *const env_keys[] = {
		"engine", "rules", "engine", "municipalities", "engine", "key.file",
		"engine", "contact.key.file", "engine", "batch", "engine", "linger.ms",
		"engine", "clock", "engine", "log.level", "store", "url",
		"connector", "dlq.topic", "connector", "feedback", "connector", "feedback.topic",
		"output", "decisions", "output", "cases", NULL};
	struct conf *c = conf_load(path, err, sizeof(err));
	if (!c || conf_apply_env(c, environ, env_keys, err, sizeof(err))) {
		vlog(LOG_ERROR, "%s", err);
		conf_free(c);
		return 1;
	}
	int rc;
	if (check) {
		rc = run_check(c, err, sizeof(err));
		if (rc)
			vlog(LOG_ERROR, "%s", err);
		else
			printf("%s: ok\n", path);
	} else {
		struct run_result res;
		rc = run_service(c, &o, &res);
	}
	conf_free(c);
	return rc ? 1 : 0;
}
