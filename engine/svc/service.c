/*
 * service.c - `vroeg run`: the streaming service's batch ring and loop.
 *
 * One thread.  The loop polls the source into a batch (up to [engine]
 * batch records, or [engine] linger.ms after the first), maps every
 * message with its topic's mapping, and hands the batch to the engine.
 * The engine's decision observer sends a dead letter for each rejected
 * record and a feedback event for each decided one to the Kafka sink, in
 * the batch's sink group; the batch retires when the group is done (every
 * message acknowledged, or failed for good and logged), and only then are
 * the batch's positions stored and committed.  Retries and their backoff
 * belong to the sink (connectors/sink.c), partitions and rebalances to the
 * source (connectors/src_kafka.c); this file knows neither protocol.
 *
 * Backpressure: at most INFLIGHT_MAX decided batches wait for their
 * acknowledgements (a ring; they retire in order) while the next one is
 * gathered; with the ring full the loop waits for the oldest.  While the
 * store is unavailable, the loop retries the batch in hand and polls
 * nothing new, so the consumer's own prefetch is all the memory that can
 * grow.
 *
 * Revocation: the source calls svc_revoking() from inside src_poll(); the
 * batch being gathered is decided there and every batch in flight retired
 * before the partitions go.  If that fails, or the assignment was lost,
 * the batches are dropped uncommitted and the next owner reads them again.
 */
#include "svc_int.h"
#include "tasks_int.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "backoff.h"
#include "emit.h"
#include "feedback.h"
#include "log.h"
#include "sink_file.h"
#include "sink_kafka.h"
#include "src_kafka.h"
#include "store.h"
#include "task_out.h"
#include "vr.h"
#include "worklist.h"

#define OUT_FLUSH_WAIT 5000   /* ms a stopping service waits for its output */

volatile sig_atomic_t svc_stop_flag, svc_reload_flag;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		svc_reload_flag = 1;
	else
		svc_stop_flag = 1;
}

/* ---- the engine's decision observer ------------------------------------ */

int svc_dead_letter(struct svc *r, struct sink_group *g, const struct src_msg *m,
		    const char *code, const char *reason)
{
	char part[16], off[24];
	snprintf(part, sizeof(part), "%d", (int)m->partition);
	snprintf(off, sizeof(off), "%lld", m->offset);
	const struct sink_header h[] = {
		{"vroeg.reason.code", code},
		{"vroeg.reason", reason},
		{"vroeg.source.topic", m->topic},
		{"vroeg.source.partition", part},
		{"vroeg.source.offset", off},
	};
	const struct sink_msg out = {r->dlq_topic, m->key, m->key_len, m->payload, m->len,
				     h, VR_ARRAY_LEN(h)};
	r->res->dead_letters++;
	return sink_send(r->kafka, &out, g);
}

static int send_dead_letter(struct svc *r, struct batch *b, size_t i,
			    const struct sig_error *err)
{
	const struct src_msg *m = &b->msgs[i];
	/* A repartition record (sealed) names where its partner message was,
	 * if it could say. */
	char topic[SVC_WHERE_MAX];
	const char *slash = strrchr(b->where[i], '/');
	if (r->repart && m->topic_ud == r && slash && b->recs[i].source == b->where[i]) {
		struct src_msg orig = *m;
		snprintf(topic, sizeof(topic), "%.*s", (int)(slash - b->where[i]), b->where[i]);
		orig.topic = topic;
		orig.partition = (int32_t)atoi(slash + 1);
		orig.offset = b->recs[i].pos;
		return svc_dead_letter(r, &b->g, &orig, sig_reject_code(err->code), err->msg);
	}
	return svc_dead_letter(r, &b->g, m, sig_reject_code(err->code), err->msg);
}

/* A redelivery is answered with the status the signal got the first time:
 * if vroeg stopped after storing a batch but before its feedback was
 * acknowledged, the batch is read again, and this is how its feedback
 * still goes out. */
static int send_feedback(struct svc *r, struct batch *b, const struct decision *d)
{
	enum dec_status st = d->status == DEC_DUPLICATE ? d->original : d->status;
	/* With dispatch the team's first contact makes a signal Opgepakt
	 * (tasks.c); until then it is Nog niet opgepakt (DDAS). */
	if (st == DEC_OPGEPAKT && r->tk)
		st = d->has_case && !r->tk->dstage ? svc_tasks_status(r, d->kase.id)
						   : DEC_NOG_NIET;
	feedback_event(&r->line, d->sig, st);
	const struct sink_msg out = {r->feedback_topics[d->sig->partner], d->sig->partner_org,
				     strlen(d->sig->partner_org), r->line.p, r->line.len,
				     NULL, 0};
	r->res->feedback++;
	return sink_send(r->kafka, &out, &b->g);
}

static int send_line(struct sink *s, const struct jbuf *line)
{
	const struct sink_msg out = {NULL, NULL, 0, line->p, line->len, NULL, 0};
	int rc = sink_send(s, &out, NULL);
	if (rc == VR_OK && sink_error(s)[0])
		rc = VR_EIO;
	return rc;
}

/* After the batch is stored: partners' feedback and dead letters (the
 * decision lines were written before, on_decision_early). */
static int on_decision(void *ud, const struct decision *d)
{
	struct svc *r = ud;
	struct batch *b = r->deciding;
	size_t i = b->emsg[r->pos++];

	summary_add_decision(&r->res->sum, d);
	if (d->status == DEC_REJECTED)
		return send_dead_letter(r, b, i, d->err);
	if (r->feedback && (d->status != DEC_DUPLICATE || d->original < DEC_DUPLICATE))
		return send_feedback(r, b, d);
	return VR_OK;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static bool written_before(const uint64_t *set, size_t n, const struct jbuf *line)
{
	if (!n)
		return false;
	uint64_t h = vr_hash_bytes(line->p, line->len);
	return bsearch(&h, set, n, sizeof(h), cmp_u64) != NULL;
}

/*
 * Before the batch is stored: its decision and case lines, and then
 * svc_written() flushes them, so a crash can never leave state in the
 * store whose lines are not in the files.  A batch read again after a
 * crash decides the same lines; those the files already end with are not
 * written twice.
 */
static int on_decision_early(void *ud, const struct decision *d)
{
	struct svc *r = ud;
	int rc = svc_tasks_decision(r, d);
	if (rc != VR_OK || !r->fdec)
		return rc;
	jbuf_reset(&r->line);
	emit_decision(&r->line, r->e, d);
	if (written_before(r->written_dec, r->n_written_dec, &r->line))
		return VR_OK;
	return send_line(r->fdec, &r->line);
}

static int write_case(struct svc *r, const struct hkey *h, const struct case_rec *c)
{
	if (!r->fcases)
		return VR_OK;
	jbuf_reset(&r->line);
	emit_case(&r->line, r->e, h, c);
	if (written_before(r->written_cases, r->n_written_cases, &r->line))
		return VR_OK;
	return send_line(r->fcases, &r->line);
}

static int on_case_early(void *ud, const struct hkey *h, const struct case_rec *c)
{
	return write_case(ud, h, c);
}

static int svc_written(void *ud)
{
	struct svc *r = ud;
	if ((r->fdec && sink_flush(r->fdec, 0) != VR_OK) ||
	    (r->fcases && sink_flush(r->fcases, 0) != VR_OK))
		return VR_EIO;
	return svc_tasks_written(r);
}

static int svc_reported(void *ud)
{
	return svc_tasks_reported(ud);
}

static int on_case(void *ud, const struct hkey *h, const struct case_rec *c)
{
	struct svc *r = ud;
	summary_add_case(&r->res->sum, c);
	if (r->collect && worklist_add(r->collect, h, c))
		return VR_ENOMEM;
	/* A case of a batch was written before the batch was stored; one
	 * still open at the end of a bounded run is written now. */
	if (!r->flushing || !r->fcases)
		return VR_OK;
	return write_case(r, h, c); /* flushed once, after the last (run_service) */
}

struct line_set {
	uint64_t *v;
	size_t n, cap;
	bool nomem;
};

static void add_line(void *ud, const char *line, size_t len)
{
	struct line_set *s = ud;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		uint64_t *v = realloc(s->v, cap * sizeof(*v));
		if (!v) {
			s->nomem = true;
			return;
		}
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = vr_hash_bytes(line, len);
}

/* Lines a crash may have left: far more than the batches in flight. */
#define RECOVER_BYTES (32u << 20)

static int recover_file(struct sink *f, uint64_t **set, size_t *n, char *err, size_t errlen)
{
	struct line_set s = {NULL, 0, 0, false};
	if (!f)
		return VR_OK;
	int rc = sink_file_recover(f, RECOVER_BYTES, add_line, &s, err, errlen);
	if (rc == VR_OK && s.nomem) {
		snprintf(err, errlen, "out of memory");
		rc = VR_ENOMEM;
	}
	if (rc == VR_OK && s.n)
		qsort(s.v, s.n, sizeof(*s.v), cmp_u64);
	*set = s.v;
	*n = s.n;
	return rc;
}

/* ---- batches ------------------------------------------------------------ */

/* Take one message into the batch being gathered (which owns it now). */
static void batch_add(struct svc *r, const struct src_msg *m)
{
	struct batch *b = r->fill;
	size_t i = b->n++;
	struct mapping *map = m->topic_ud;
	struct engine_rec *rec = &b->recs[i];

	b->msgs[i] = *m;
	b->fwd[i] = false;
	/* A copy: the source may reuse its string for the next message. */
	size_t wl = strlen(m->where);
	wl = wl < SVC_WHERE_MAX ? wl : SVC_WHERE_MAX - 1;
	memcpy(b->where[i], m->where, wl);
	b->where[i][wl] = '\0';
	*rec = (struct engine_rec){"", 0, b->where[i], (long)m->offset, NULL, NULL,
				   m->timestamp_ms};
	r->res->messages++;
	if (r->repart && m->topic_ud == r) { /* stage 2: decide a household's record */
		svc_repart_open(r, b, i);
		return;
	}
	if (!map) { /* subscribed by pattern, or a topic without a mapping */
		b->pre[i].code = REJ_MAPPING;
		snprintf(b->pre[i].msg, sizeof(b->pre[i].msg), "no mapping for topic %.100s",
			 m->topic);
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
	/* Stage 1: to the household's writer, unless rejected here. */
	if (r->repart)
		b->fwd[i] = svc_repart_forward(r, b, i);
}

/* Release the batch's messages and forget its output (sink_group_reset). */
static void batch_drop(struct svc *r, struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		src_release(r->src, &b->msgs[i]);
		/* One huge record must not keep its buffer for good. */
		if (b->mapped[i].cap > (64u << 10)) {
			size_t max = b->mapped[i].max;
			jbuf_fini(&b->mapped[i]);
			jbuf_init(&b->mapped[i], max);
		}
	}
	b->n = 0;
	b->ne = 0;
	sink_group_reset(r->kafka, &b->g);
	sink_group_reset(r->kafka, &b->fg);
}

/* Give up every batch in hand, uncommitted: they are read again. */
static void drop_all(struct svc *r)
{
	for (unsigned k = 0; k < INFLIGHT_MAX; k++)
		batch_drop(r, &r->batches[k]);
	r->head = 0;
	r->inflight = 0;
	r->fill = &r->batches[0];
}

/* Retire decided batches, oldest first, whose output is all settled. */
static void retire_pass(struct svc *r)
{
	while (r->inflight > 0) {
		struct batch *b = &r->batches[r->head];
		if (!sink_group_done(&b->g) || !sink_group_done(&b->fg))
			return;
		if (b->fg.failed) {
			/* A record that did not reach the repartition topic: its
			 * partner message must be read again, so nothing of this or
			 * a later batch is committed. */
			vlog(LOG_ERROR, "%lu record(s) could not be produced to repartition topic %s; "
			     "stopping without committing them", b->fg.failed, r->repart_topic);
			r->fatal = true;
			drop_all(r);
			return;
		}
		src_store(r->src, b->msgs, b->n);
		batch_drop(r, b);
		r->res->batches++;
		r->head = (r->head + 1) % INFLIGHT_MAX;
		r->inflight--;
	}
}

/*
 * Wait until at most max batches are in flight.  VR_EAGAIN when told to
 * stop before that (the batches in hand are then dropped uncommitted).
 */
static int retire(struct svc *r, unsigned max)
{
	for (;;) {
		sink_poll(r->kafka, r->inflight > max ? 50 : 0);
		if (sink_error(r->kafka)[0]) {
			/* Nothing more can be delivered: stop, committing nothing
			 * undelivered; the restart reads it again. */
			vlog(LOG_ERROR, "%s; stopping", sink_error(r->kafka));
			r->fatal = true;
			drop_all(r);
			return VR_EAGAIN;
		}
		retire_pass(r);
		if (r->inflight <= max)
			return VR_OK;
		if (svc_stop_flag) {
			/* Give in-flight messages a little time, then give up. */
			sink_flush(r->kafka, OUT_FLUSH_WAIT);
			sink_poll(r->kafka, 0);
			retire_pass(r);
			if (r->inflight <= max)
				return VR_OK;
			drop_all(r);
			return VR_EAGAIN;
		}
	}
}

/* Wait out a store outage for the batch in hand: VR_OK to try again,
 * VR_EAGAIN when told to stop meanwhile. */
static int store_pause(struct svc *r, double *since, double *logged, struct vr_backoff *bo)
{
	double now = vr_mono_now();
	if (*since == 0)
		*since = now;
	if (now - *logged >= 10) {
		vlog(LOG_WARN, "store unavailable (%s); consumption paused for %.0fs",
		     store_error(r->st), now - *since);
		*logged = now;
	}
	/* Keep acknowledging the batches already in flight meanwhile. */
	retire(r, INFLIGHT_MAX);
	if (svc_stop_flag)
		return VR_EAGAIN;
	vr_sleep(vr_backoff_next(bo));
	return VR_OK;
}

/*
 * Decide the batch being gathered and send its output; it is then in
 * flight and the next slot is gathered.  While the store is unavailable,
 * wait and try the same batch again (the engine repeats an apply it already
 * computed).  VR_EAGAIN: stopped before the batch was decided; it is
 * dropped uncommitted.
 */
static int decide_fill(struct svc *r)
{
	struct batch *b = r->fill;
	struct vr_backoff bo;
	double since = 0, logged = 0;
	int rc;

	if (b->n == 0)
		return VR_OK;
	/* The engine's records: all but those stage 1 forwarded. */
	b->ne = 0;
	for (size_t i = 0; i < b->n; i++)
		if (!b->fwd[i]) {
			b->erecs[b->ne] = b->recs[i];
			b->emsg[b->ne++] = i;
		}
	vr_backoff_init(&bo, 0.05, 2.0);
	for (;;) {
		r->deciding = b;
		r->pos = 0;
		sink_group_reset(r->kafka, &b->g);
		rc = b->ne ? engine_process(r->e, b->erecs, b->ne) : VR_OK;
		if (rc != VR_EAGAIN)
			break;
		/* Stopping, or a stop found meanwhile (retire_pass may have dropped
		 * every batch, this one too): give the batch up. */
		if (store_pause(r, &since, &logged, &bo) != VR_OK || r->fatal) {
			engine_discard(r->e);
			svc_tasks_discard(r);
			r->deciding = NULL;
			batch_drop(r, b);
			return VR_EAGAIN;
		}
	}
	r->deciding = NULL;
	if (since != 0 && rc == VR_OK)
		vlog(LOG_INFO, "store back after %.1fs; consuming again", vr_mono_now() - since);
	/* Its lines were flushed before its state was stored (svc_written). */
	if (rc != VR_OK) {
		const char *why = r->fdec && sink_error(r->fdec)[0] ? sink_error(r->fdec)
				  : r->fcases && sink_error(r->fcases)[0] ? sink_error(r->fcases)
				  : vr_strerror(rc);
		vlog(LOG_ERROR, "cannot decide a batch: %s%s%s", why,
		     store_error(r->st)[0] ? ": " : "", store_error(r->st));
		r->fatal = true;
		batch_drop(r, b);
		return rc;
	}
	r->inflight++;
	r->fill = &r->batches[(r->head + r->inflight) % INFLIGHT_MAX];
	return VR_OK;
}

/* Decide what is being gathered and wait for every batch in flight. */
static int batch_finish(struct svc *r)
{
	int rc = decide_fill(r);
	if (rc == VR_OK && r->inflight == INFLIGHT_MAX)
		rc = retire(r, INFLIGHT_MAX - 1);
	if (rc == VR_OK)
		rc = retire(r, 0);
	return rc;
}

static int svc_revoking(void *ud, bool lost)
{
	struct svc *r = ud;
	if (lost) {
		drop_all(r);
		return VR_OK;
	}
	return batch_finish(r);
}

static int setup_batches(struct svc *r)
{
	size_t m = r->batch_max;
	for (unsigned k = 0; k < INFLIGHT_MAX; k++) {
		struct batch *b = &r->batches[k];
		b->msgs = calloc(m, sizeof(*b->msgs));
		b->recs = calloc(m, sizeof(*b->recs));
		b->mapped = calloc(m, sizeof(*b->mapped));
		b->pre = calloc(m, sizeof(*b->pre));
		b->where = calloc(m, sizeof(*b->where));
		b->fwd = calloc(m, sizeof(*b->fwd));
		b->erecs = calloc(m, sizeof(*b->erecs));
		b->emsg = calloc(m, sizeof(*b->emsg));
		if (!b->msgs || !b->recs || !b->mapped || !b->pre || !b->where || !b->fwd ||
		    !b->erecs || !b->emsg)
			return VR_ENOMEM;
		for (size_t i = 0; i < m; i++)
			jbuf_init(&b->mapped[i], SIG_LINE_MAX * 2);
	}
	r->fill = &r->batches[0];
	return VR_OK;
}

static int setup_source(struct svc *r, char *err, size_t n)
{
	struct src_kafka_topic topics[SVC_TOPICS_MAX + 1];
	size_t nt = r->n_maps;
	for (size_t i = 0; i < r->n_maps; i++)
		topics[i] = (struct src_kafka_topic){mapping_topic(r->maps[i]), r->maps[i]};
	/* Both stages in the one group: its messages are told apart by their
	 * topic's ud, the service itself. */
	if (r->repart)
		topics[nt++] = (struct src_kafka_topic){r->repart_topic, r};
	struct src_events ev = {r, svc_revoking, NULL};
	r->src = src_kafka_open(r->cf, topics, nt, r->o->stop_at_end, &ev, err, n);
	return r->src ? VR_OK : VR_EINVAL;
}

/* ---- start and stop ----------------------------------------------------- */

/* At the end of a bounded run: every case to the cases output and, when
 * asked, the worklist, most urgent first. */
static int report_cases(struct svc *r)
{
	struct worklist *w = r->o->worklist ? worklist_new() : NULL;
	if (r->o->worklist && !w)
		return VR_ENOMEM;
	r->collect = w;
	r->flushing = true;
	int rc = engine_flush_cases(r->e);
	r->flushing = false;
	r->collect = NULL;
	if (rc == VR_OK && w)
		worklist_print(w, r->o->worklist, r->e, 3);
	worklist_free(w);
	return rc;
}

static void teardown(struct svc *r)
{
	for (unsigned k = 0; k < INFLIGHT_MAX && r->src; k++)
		for (size_t i = 0; r->batches[k].msgs && i < r->batches[k].n; i++)
			src_release(r->src, &r->batches[k].msgs[i]);
	src_close(r->src);
	for (unsigned k = 0; k < INFLIGHT_MAX; k++) {
		struct batch *b = &r->batches[k];
		for (size_t i = 0; b->mapped && i < r->batch_max; i++)
			jbuf_fini(&b->mapped[i]);
		free(b->msgs);
		free(b->recs);
		free(b->mapped);
		free(b->pre);
		free(b->where);
		free(b->fwd);
		free(b->erecs);
		free(b->emsg);
	}
	if (r->rsig)
		OPENSSL_cleanse(r->rsig, sizeof(*r->rsig));
	free(r->rsig);
	if (r->rseal)
		OPENSSL_cleanse(r->rseal, r->rseal_cap);
	free(r->rseal);
	/* The dispatch stage's last settle may still use the producer. */
	if (r->tk && r->tk->dstage)
		svc_dstage_close(r);
	sink_close(r->kafka);
	svc_teardown_tasks(r);
	free(r->written_dec);
	free(r->written_cases);
	svc_teardown_engine(r);
}

/* How long to poll: less while batches wait, and never past the linger. */
static long poll_wait(const struct svc *r, double first)
{
	long wait = r->inflight ? 10 : 100;
	/* Tasks on their way: their HTTP requests move on when the sinks are
	 * served, between polls (a crisis task must not wait 100 ms). */
	if (svc_tasks_busy(r))
		wait = 2;
	if (r->fill->n > 0) {
		double left = first + (double)r->linger_ms / 1000 - vr_mono_now();
		long w = left <= 0 ? 0 : (long)(left * 1000) + 1;
		wait = w < wait ? w : wait;
	}
	return wait;
}

static void poll_loop(struct svc *r)
{
	double t0 = vr_mono_now(), first = 0;
	struct src_msg m;
	while (!svc_stop_flag && !r->fatal) {
		if (svc_reload_flag && r->fill->n == 0)
			svc_reload_rules(r);
		if (r->o->max_seconds > 0 && vr_mono_now() - t0 > r->o->max_seconds) {
			vlog(LOG_WARN, "stopping after %.0fs", r->o->max_seconds);
			break;
		}
		if (src_poll(r->src, poll_wait(r, first), &m) == 1) {
			if (r->fill->n == 0)
				first = vr_mono_now();
			batch_add(r, &m);
		}
		size_t n = r->fill->n;
		bool full = n == r->batch_max;
		bool lingered = n > 0 && vr_mono_now() - first >= (double)r->linger_ms / 1000;
		bool at_end = r->o->stop_at_end && src_at_end(r->src) && svc_outcomes_at_end(r);
		if ((full || lingered || (n > 0 && at_end)) && decide_fill(r) != VR_OK)
			break;
		svc_tasks_poll(r);
		/* Bounded: with every slot in flight, wait for the oldest. */
		if (r->inflight &&
		    retire(r, r->inflight == INFLIGHT_MAX ? INFLIGHT_MAX - 1 : INFLIGHT_MAX) != VR_OK)
			break;
		if (at_end && r->fill->n == 0) {
			if (retire(r, 0) != VR_OK)
				break;
			/* What stage 1 forwarded, or the last batch sent to the
			 * dispatch topic, may not have been fetched yet: ask the
			 * broker what this instance's partitions hold now.
			 * (Another instance that forwards later is not waited
			 * for: --stop-at-end is for one instance.) */
			if (r->repart && (!src_caught_up(r->src, r->repart_topic) ||
					  !svc_outcomes_at_end(r)))
				continue;
			vlog(LOG_INFO, "every partition read to its end; stopping");
			break;
		}
	}
	/* Drain: decide what is in hand, wait for its acknowledgements, commit. */
	if (!r->fatal)
		batch_finish(r);
	drop_all(r);
}

/* Every module's config keys: the checker takes their union. */
static const struct conf_key *const conf_tables[] = {
	svc_conf_keys, svc_key_conf_keys, store_conf_keys, sink_file_conf_keys, kafka_conf_keys,
	mapping_conf_keys, dispatch_team_keys, task_out_conf_keys, NULL};

const struct conf_key *const *run_conf_tables(void)
{
	return conf_tables;
}

static void install_signals(void)
{
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
}

static int set_log_level(const struct conf *c, char *err, size_t n)
{
	const char *s = conf_get(c, "engine", "log.level");
	if (!s)
		return VR_OK;
	int lv = log_level_parse(s);
	if (lv < 0) {
		char at[300];
		conf_where(c, "engine", "log.level", at, sizeof(at));
		snprintf(err, n, "%s: [engine] log.level must be debug, info, warn or error", at);
		return VR_EINVAL;
	}
	log_set_level((enum log_level)lv);
	return VR_OK;
}

/* What start-up and --check both refuse, before anything is opened. */
static int check_conf(const struct conf *c, char *err, size_t n)
{
	const char *url = conf_get(c, "store", "url");
	char at[300], why[512];
	if (set_log_level(c, err, n) || conf_check(c, conf_tables, err, n) ||
	    svc_check_tasks(c, err, n))
		return VR_EINVAL;
	if (url && store_check_url(url, why, sizeof(why)) != VR_OK) {
		conf_where(c, "store", "url", at, sizeof(at));
		snprintf(err, n, "%s: %s", at, why);
		return VR_EINVAL;
	}
	return VR_OK;
}

static int start(struct svc *r, char *err, size_t n)
{
	struct engine_observer obs = {.ud = r, .decision = on_decision, .case_done = on_case,
				      .decision_early = on_decision_early,
				      .case_early = on_case_early, .written = svc_written,
				      .reported = svc_reported, .with_cases = svc_wants_tasks(r->cf)};
	if (check_conf(r->cf, err, n) || svc_setup_engine(r, &obs, err, n) ||
	    svc_setup_tasks(r, err, n) || setup_batches(r) ||
	    svc_load_mappings(r, err, n) || svc_setup_output(r, err, n) ||
	    svc_check_topics(r, err, n) || svc_setup_repart(r, err, n) ||
	    recover_file(r->fdec, &r->written_dec, &r->n_written_dec, err, n) ||
	    recover_file(r->fcases, &r->written_cases, &r->n_written_cases, err, n) ||
	    setup_source(r, err, n) || svc_setup_outcomes(r, err, n))
		return VR_EINVAL;
	return VR_OK;
}

int run_service(const struct conf *c, const struct run_opts *o, struct run_result *res)
{
	struct svc *r = calloc(1, sizeof(*r));
	char err[1024] = "";
	int code = 1;

	if (!r)
		return 1;
	memset(res, 0, sizeof(*res));
	summary_init(&res->sum);
	r->cf = c;
	r->o = o;
	r->res = res;
	svc_stop_flag = svc_reload_flag = 0;
	if (start(r, err, sizeof(err)) != VR_OK)
		goto out;
	install_signals();
	vlog(LOG_INFO, "consuming %zu topic(s) with rule set %s, store %s", r->n_maps,
	     ruleset_name(r->rs), store_name(r->st));
	poll_loop(r);
	src_commit_sync(r->src);
	if (!r->fatal && (o->stop_at_end || o->worklist))
		report_cases(r);
	if (!r->fatal)
		svc_tasks_finish(r);
	if ((r->fdec && sink_flush(r->fdec, 0)) || (r->fcases && sink_flush(r->fcases, 0)))
		vlog(LOG_ERROR, "cannot write output");
	struct sink_stats ks;
	sink_stats(r->kafka, &ks);
	res->output_failed = ks.failed;
	vlog(ks.failed ? LOG_WARN : LOG_INFO, "stopped: %lu messages, %lu batches, %lu "
	     "forwarded to the repartition topic, %lu dead letters, %lu feedback events, %lu "
	     "of them failed for good", res->messages, res->batches, res->forwarded,
	     res->dead_letters, res->feedback, ks.failed);
	code = r->fatal || (r->fdec && sink_error(r->fdec)[0]) ||
	       (r->fcases && sink_error(r->fcases)[0]) ? 1 : 0;
out:
	if (err[0])
		vlog(LOG_ERROR, "%s", err);
	teardown(r);
	free(r);
	return code;
}

/* --check: the config, the rule file, the keys and every mapping; Kafka
 * and the store are not contacted. */
int run_check(const struct conf *c, const struct run_opts *o, char *err, size_t n)
{
	struct svc *r = calloc(1, sizeof(*r));
	struct run_result res;
	int rc = VR_ENOMEM;
	if (!r)
		return rc;
	r->cf = c;
	r->o = o;
	r->res = &res;
	r->checking = true;
	rc = check_conf(c, err, n);
	if (rc == VR_OK)
		rc = svc_setup_engine(r, NULL, err, n);
	if (rc == VR_OK)
		rc = svc_load_mappings(r, err, n);
	if (rc == VR_OK && (svc_output_topics(r, err, n) || svc_check_topics(r, err, n) ||
			    svc_setup_repart(r, err, n) ||
			    svc_check_output(c, err, n) || src_kafka_check(c, err, n) ||
			    sink_kafka_check(c, err, n)))
		rc = VR_EINVAL;
	teardown(r);
	free(r);
	return rc;
}
