/*
 * tasks.c - the service's dispatch: the team queues and the task sinks of
 * the config's [team NAME] and [sink.NAME] sections (docs/dispatch.md).
 *
 * Dispatch hears each decided batch in the engine's early hooks, before the
 * batch is stored.  Its state changes (queue entries, outbox, the day
 * reached) go into that same batch (engine_add_kv), so a case change and
 * the queue or outbox entry it makes are stored together or not at all.  A
 * task goes to the sinks only once the batch that made it is stored
 * (reported), and leaves the outbox when every sink is done with it.  A
 * release that the clock makes (a working morning with no signal) is
 * written on its own, between batches.  At start-up the state is read back
 * from the store, and the outbox is sent again: a task may then reach a
 * receiver twice, always with the same task_id and body.
 *
 * A zgw sink makes each task in two requests, a zaak and then a rol.  The
 * zaak's URL is written to the store (d:z:SINK:TASKID, beside the task's
 * outbox entry) before the rol goes, on a connection of its own, so a
 * retried or restarted task posts only the rol; the value leaves with the
 * outbox entry.
 *
 * With the memory store, state ends with the process, so nothing is
 * journalled; the flow is the same.
 */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feedback.h"
#include "log.h"
#include "names.h"
#include "queue_print.h"
#include "src_kafka.h"
#include "svc_int.h"
#include "tasks_int.h"
#include "vr.h"

#define ZAAK_PREFIX "d:z:"

bool svc_wants_tasks(const struct conf *c)
{
	for (size_t i = 0; i < conf_count(c); i++) {
		const char *sec = conf_at(c, i)->section;
		if (strncmp(sec, "sink.", 5) == 0 || strncmp(sec, "team ", 5) == 0)
			return true;
	}
	return false;
}

int svc_check_tasks(const struct conf *c, char *err, size_t n)
{
	struct dispatch_conf dc;
	dispatch_conf_init(&dc);
	if (task_out_check_conf(c, err, n) || dispatch_conf_load(&dc, c, err, n))
		return VR_EINVAL;
	if (conf_get(c, "outcomes", "topic") && !svc_wants_tasks(c)) {
		char at[300];
		conf_where(c, "outcomes", "topic", at, sizeof(at));
		snprintf(err, n, "%s: [outcomes] topic needs dispatch: a [team NAME] or [sink.NAME]",
			 at);
		return VR_EINVAL;
	}
	return VR_OK;
}

static void *grow(void *v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return v;
	size_t c = *cap ? 2 * *cap : 32;
	void *p = realloc(v, c * size);
	if (p)
		*cap = c;
	return p;
}

/* dispatch's journal: kept until a write takes it. */
static int kv_put(void *ud, const char *key, const void *val, size_t len, int64_t ttl)
{
	struct svc_tasks *k = ud;
	struct store_kv *v = grow(k->kv, &k->cap_kv, k->n_kv, sizeof(*v));
	if (!v)
		return VR_ENOMEM;
	k->kv = v;
	if (store_kv_copy(&k->kv[k->n_kv], key, val, len, ttl) != VR_OK)
		return VR_ENOMEM;
	k->n_kv++;
	return VR_OK;
}

static void kv_clear(struct svc_tasks *k)
{
	for (size_t i = 0; i < k->n_kv; i++)
		store_kv_free(&k->kv[i]);
	k->n_kv = 0;
}

/* A task from dispatch: held until what made it is stored. */
static int on_task(void *ud, const struct dispatch_task *t)
{
	struct svc *r = ud;
	struct svc_tasks *k = r->tk;
	struct held_task *v = grow(k->held, &k->cap_held, k->n_held, sizeof(*v));
	if (!v)
		return VR_ENOMEM;
	k->held = v;
	struct held_task *h = &k->held[k->n_held];
	if (!(h->body = malloc(t->len)))
		return VR_ENOMEM;
	memcpy(h->body, t->json, t->len);
	h->len = t->len;
	snprintf(h->id, sizeof(h->id), "%s", t->task_id);
	h->t = *t;
	h->t.case_id = h->t.team = NULL; /* they point into dispatch's buffers */
	k->n_held++;
	r->res->tasks++;
	return VR_OK;
}

/* held[0, n) are durable: to the sinks. */
static int send_held(struct svc *r, size_t n)
{
	struct svc_tasks *k = r->tk;
	int rc = VR_OK;
	for (size_t i = 0; i < n; i++) {
		struct held_task *h = &k->held[i];
		struct sent_task **v = grow(k->sent, &k->cap_sent, k->n_sent, sizeof(*v));
		struct sent_task *s = v ? calloc(1, sizeof(*s)) : NULL;
		if (v)
			k->sent = v;
		if (s) {
			k->sent[k->n_sent++] = s;
			snprintf(s->id, sizeof(s->id), "%s", h->id);
			h->t.task_id = s->id;
			h->t.json = h->body;
			h->t.len = h->len;
			if (task_out_send_tracked(r->tout, &h->t, &s->tr) != VR_OK) {
				/* Not tracked: it stays in the outbox (sent after
				 * a restart), and this process stops. */
				k->n_sent--;
				free(s);
				rc = VR_ENOMEM;
			}
		} else {
			rc = VR_ENOMEM;
		}
		/* The body held the household's contact details in the clear. */
		OPENSSL_cleanse(h->body, h->len);
		free(h->body);
	}
	if (n < k->n_held)
		memmove(k->held, k->held + n, (k->n_held - n) * sizeof(*k->held));
	k->n_held -= n;
	k->covered = k->covered > n ? k->covered - n : 0;
	return rc;
}

/* Early hooks: each decision's case through dispatch, before the store. */
int svc_tasks_decision(struct svc *r, const struct decision *d)
{
	if (r->tk && r->tk->dstage)
		return svc_dstage_change(r, d);
	if (!r->disp)
		return VR_OK;
	return dispatch_decision(r->disp, d) == VR_OK ? VR_OK : VR_ENOMEM;
}

/* The batch's write is about to be sent: dispatch's values go with it. */
int svc_tasks_written(struct svc *r)
{
	struct svc_tasks *k = r->tk;
	if (!k)
		return VR_OK;
	/* The dispatch stage writes its values on its own (dstage.c). */
	if (k->dstage)
		return svc_dstage_written(r);
	for (size_t i = 0; i < k->n_kv; i++)
		if (engine_add_kv(r->e, k->kv[i].key, k->kv[i].val, k->kv[i].len, k->kv[i].ttl))
			return VR_ENOMEM;
	kv_clear(k);
	k->covered = k->n_held;
	return VR_OK;
}

/* The batch is stored: its tasks may go. */
int svc_tasks_reported(struct svc *r)
{
	return r->tk && !r->tk->dstage ? send_held(r, r->tk->covered) : VR_OK;
}

/* Values the clock made (a morning's release) or deliveries ended (the
 * outbox entries they leave), written on their own between batches. */
int svc_tk_write_journal(struct svc *r)
{
	struct svc_tasks *k = r->tk;
	if (k->n_kv) {
		struct store_batch b = {.kv = k->kv, .n_kv = k->n_kv};
		int rc = store_apply(r->st, &b);
		if (rc != VR_OK)
			return rc; /* kept, and tried again at the next poll */
		kv_clear(k);
	}
	return send_held(r, k->n_held);
}

/* A zgw sink's zaak for task_id, written before its rol is posted. */
static int zaak_put(void *ud, const char *sink, const char *task_id, const char *url)
{
	struct svc_tasks *k = ud;
	char key[256];
	snprintf(key, sizeof(key), ZAAK_PREFIX "%s:%s", sink, task_id);
	struct store_kv kv = {.key = key, .val = url, .len = strlen(url), .ttl = k->ttl};
	struct store_batch b = {.kv = &kv, .n_kv = 1};
	int rc = store_apply(k->ledger, &b);
	if (rc != VR_OK)
		vlog(LOG_WARN, "zgw: cannot record the zaak of task %s yet: %s", task_id,
		     store_error(k->ledger));
	return rc;
}

/* The task is done: its zaak records go with its outbox entry. */
static void forget_zaak(struct svc *r, const char *task_id)
{
	char key[256];
	size_t it = 0;
	const char *sink;
	while (r->tk->ledger && (sink = task_out_zgw_name(r->tout, &it))) {
		snprintf(key, sizeof(key), ZAAK_PREFIX "%s:%s", sink, task_id);
		if (kv_put(r->tk, key, NULL, 0, 0) != VR_OK)
			r->fatal = true;
	}
}

/* A zaak recorded before a restart: its task's rol is what is left. */
static int restore_zaak(struct svc *r, const char *key, const void *val, size_t len)
{
	char sink[128], url[1001];
	const char *name = key + strlen(ZAAK_PREFIX), *colon = strchr(name, ':');
	if (!colon || (size_t)(colon - name) >= sizeof(sink) || len >= sizeof(url))
		return VR_EPARSE;
	snprintf(sink, sizeof(sink), "%.*s", (int)(colon - name), name);
	memcpy(url, val, len);
	url[len] = '\0';
	int rc = task_out_zgw_known(r->tout, sink, colon + 1, url);
	if (rc == VR_ENOTFOUND) {
		vlog(LOG_WARN, "zgw: a zaak recorded for sink %s, which the config no longer has",
		     sink);
		return VR_OK;
	}
	return rc;
}

/* Tasks every sink is done with leave the outbox. */
static void retire_sent(struct svc *r)
{
	struct svc_tasks *k = r->tk;
	size_t j = 0;
	for (size_t i = 0; i < k->n_sent; i++) {
		unsigned long failed;
		struct sent_task *s = k->sent[i];
		if (!task_out_track_done(r->tout, &s->tr, &failed)) {
			k->sent[j++] = s;
			continue;
		}
		if (failed) {
			k->refused++;
			vlog(LOG_ERROR, "task %s refused for good by %lu sink(s); dead-lettered "
			     "(see the sink's reason above)", s->id, failed);
		}
		if (dispatch_task_done(r->disp, s->id) != VR_OK)
			r->fatal = true;
		forget_zaak(r, s->id);
		free(s);
	}
	k->n_sent = j;
}

/* A case the team picked up: each listed signal is Opgepakt now, on its
 * partner's feedback topic. */
static int on_picked_up(void *ud, const struct case_rec *c)
{
	struct svc *r = ud;
	if (!r->feedback)
		return VR_OK;
	for (unsigned i = 0; i < (unsigned)(c->n_signals - c->signals_dropped); i++) {
		const struct case_signal *s = &c->signals[i];
		const char *naam = s->org_name != NAME_NONE ? name_str(s->org_name)
							   : sig_partner_name((enum sig_partner)s->partner);
		feedback_event_case(&r->line, s, DEC_OPGEPAKT);
		const struct sink_msg m = {r->feedback_topics[s->partner], naam, strlen(naam),
					   r->line.p, r->line.len, NULL, 0};
		if (sink_send(r->kafka, &m, &r->tk->fb) != VR_OK)
			return VR_ENOMEM;
		r->res->feedback++;
	}
	return VR_OK;
}

/* One outcome (where: for the log): applied to dispatch, its journal
 * values queued.  VR_OK; VR_EINVAL with err when refused (a bad field, a
 * case not known or closed); another error when it could not be applied
 * (out of memory: it must be tried again). */
static int apply_outcome(struct svc *r, const char *where, const void *val, size_t len,
			 char *err, size_t n)
{
	struct dispatch_outcome o;
	struct dispatch_case_info info;
	enum case_status before;
	int rc = outcome_parse(val, len, &o, err, n);
	if (rc == VR_OK)
		rc = dispatch_outcome(r->disp, &o, &before, err, n);
	if (rc == VR_ENOTFOUND)
		rc = VR_EINVAL;
	if (rc == VR_EINVAL) {
		vlog(LOG_WARN, "outcome %s refused: %s", where, err);
		r->tk->outcomes_refused++;
	} else if (rc != VR_OK) {
		vlog(LOG_ERROR, "outcome %s: %s", where, vr_strerror(rc));
	} else {
		r->tk->outcomes++;
		if (dispatch_case_info(r->disp, o.case_id, &info) == VR_OK && info.status != before)
			vlog(LOG_INFO, "case %s: %s -> %s", o.case_id, case_status_name(before),
			     case_status_name(info.status));
	}
	return rc;
}

/* One outcome from the inbox (vroeg outcome): applied, and taken out. */
static int inbox_one(void *ud, const char *key, const void *val, size_t len)
{
	struct svc *r = ud;
	char err[512];
	int rc = apply_outcome(r, key, val, len, err, sizeof(err));
	/* Not applied for want of memory: left in the inbox, and this
	 * process stops (the restart applies it). */
	if (rc != VR_OK && rc != VR_EINVAL)
		return rc;
	return kv_put(r->tk, key, NULL, 0, 0);
}

/* Wait up to 10 s for the partners' Opgepakt events of the outcomes just
 * applied (they are acknowledged before the outcome is let go). */
void svc_tk_wait_picked_up(struct svc *r)
{
	for (int i = 0; !sink_group_done(&r->tk->fb) && i < 200; i++)
		sink_poll(r->kafka, 50);
	if (!sink_group_done(&r->tk->fb))
		vlog(LOG_WARN, "Opgepakt events to the partners not acknowledged in 10 s; Kafka "
		     "keeps trying (a crash now would lose them)");
}

/*
 * The outcomes topic: each message applied (or refused and dead-lettered),
 * the dispatch values it changed written to the store, the partners'
 * Opgepakt events and the dead letters acknowledged, and only then its
 * position stored for the commit.  Messages whose write or events are not
 * through yet stay in hand (no new ones are read meanwhile) and are tried
 * again at the next poll; a crash in between reads them again, and the
 * same outcome twice is one.
 */
static void read_outcomes(struct svc *r)
{
	struct svc_tasks *k = r->tk;
	int rc = VR_OK;
	bool fresh = k->n_opend == 0;
	if (fresh)
		k->opend_failed = k->fb.failed;
	while (fresh && rc == VR_OK && k->n_opend < OUTCOMES_PER_POLL) {
		struct src_msg *m = &k->opend[k->n_opend];
		if (src_poll(k->osrc, 0, m) != 1)
			break;
		k->n_opend++;
		char where[300], err[512];
		snprintf(where, sizeof(where), "%s/%d@%lld", m->topic, (int)m->partition,
			 m->offset);
		rc = m->payload ? apply_outcome(r, where, m->payload, m->len, err, sizeof(err))
				: (snprintf(err, sizeof(err), "empty message"), VR_EINVAL);
		if (rc == VR_EINVAL)
			rc = svc_dead_letter(r, &k->fb, m, "outcome", err);
	}
	if (k->n_opend == 0)
		return;
	if (rc != VR_OK) {
		/* Out of memory: stop; the restart reads them again. */
		vlog(LOG_ERROR, "outcomes: cannot apply them: %s", vr_strerror(rc));
		r->fatal = true;
		return;
	}
	svc_tk_settle(r, k->osrc, k->opend, &k->n_opend, k->opend_failed, "outcomes");
}

void svc_tk_settle(struct svc *r, struct src *s, struct src_msg *m, size_t *n,
		   unsigned long failed_at, const char *what)
{
	struct svc_tasks *k = r->tk;
	if (!*n)
		return;
	int rc = svc_tk_write_journal(r);
	if (rc == VR_OK)
		svc_tk_wait_picked_up(r);
	if (rc != VR_OK || !sink_group_done(&k->fb))
		return; /* kept: tried again at the next poll */
	if (k->fb.failed != failed_at) {
		vlog(LOG_ERROR, "%s: their events to the partners or dead letters failed; "
		     "stopping, the restart reads them again", what);
		r->fatal = true;
		return;
	}
	src_store(s, m, *n);
	for (size_t i = 0; i < *n; i++)
		src_release(s, &m[i]);
	*n = 0;
}

static int outcomes_revoking(void *ud, bool lost)
{
	(void)ud, (void)lost;
	return VR_OK; /* every outcome read is settled within its poll */
}

int svc_tk_check_outcomes(struct svc *r, char *err, size_t n)
{
	const char *topic = conf_get(r->cf, "outcomes", "topic");
	if (!topic || !r->tk) /* without dispatch: refused by svc_check_tasks() */
		return VR_OK;
	/* Its own topic: refused outcomes go to the dead-letter topic, which
	 * must never lead back here. */
	if (svc_topic_used(r, topic)) {
		snprintf(err, n, "[outcomes] topic %s is also a partner, feedback or dead-letter "
			 "topic", topic);
		return VR_EINVAL;
	}
	return VR_OK;
}

/* The [outcomes] topic's consumer, read by the instance that dispatches. */
static int open_outcomes(struct svc *r, char *err, size_t n)
{
	const char *topic = conf_get(r->cf, "outcomes", "topic");
	if (!topic || !r->tk)
		return VR_OK;
	if (svc_tk_check_outcomes(r, err, n) != VR_OK)
		return VR_EINVAL;
	char group[300];
	const char *g = conf_get(r->cf, "outcomes", "group.id");
	if (!g) {
		const char *base = conf_get(r->cf, "kafka consumer", "group.id");
		snprintf(group, sizeof(group), "%s.outcomes", base ? base : "vroeg");
		g = group;
	}
	struct src_kafka_topic t = {topic, NULL};
	struct src_events ev = {r, outcomes_revoking, NULL};
	r->tk->osrc = src_kafka_open_group(r->cf, &t, 1, r->o->stop_at_end, g, &ev, err, n);
	if (!r->tk->osrc)
		return VR_EINVAL;
	vlog(LOG_INFO, "reading the teams' outcomes from %s (group %s)", topic, g);
	return VR_OK;
}

int svc_setup_outcomes(struct svc *r, char *err, size_t n)
{
	/* With a dispatch stage the outcomes are read where dispatch runs,
	 * from when this instance gets the dispatch topic. */
	if (r->tk && r->tk->dstage)
		return svc_dstage_setup(r, err, n);
	return open_outcomes(r, err, n);
}

bool svc_outcomes_at_end(struct svc *r)
{
	if (r->tk && r->tk->dstage && !svc_dstage_at_end(r))
		return false;
	return !r->tk || !r->tk->osrc || src_at_end(r->tk->osrc);
}

static int inbox_mark(void *ud, const char *key, const void *val, size_t len)
{
	struct svc_tasks *k = ud;
	(void)key;
	k->mark_now = vr_hash_bytes(val, len);
	return VR_OK;
}

/* The outcomes vroeg outcome left in the store.  Once a second one GET
 * of its mark (d:inbox, a new value with every vroeg outcome); the inbox
 * itself is walked when the mark changed, and at start-up. */
static int read_inbox(struct svc *r)
{
	struct svc_tasks *k = r->tk;
	double now = vr_mono_now();
	if (!store_is_persistent(r->st) || now - k->inbox_at < 1)
		return VR_OK;
	k->inbox_at = now;
	k->mark_now = 0;
	int rc = store_kv_get(r->st, "d:inbox", inbox_mark, k);
	if (rc != VR_OK || (k->mark_seen && k->mark_now == k->mark_seen))
		return rc;
	k->mark_seen = k->mark_now ? k->mark_now : 1;
	rc = store_kv_scan(r->st, "d:in:", inbox_one, r);
	/* The partners hear of it before the inbox entry goes (up to 10 s):
	 * a crash in between applies the outcome and sends the events again. */
	if (rc == VR_OK)
		svc_tk_wait_picked_up(r);
	return rc;
}

/* In the loop, between batches: the working mornings up to today, the
 * teams' outcomes, the values to write, the sinks' news. */
void svc_tasks_poll(struct svc *r)
{
	if (r->tk && r->tk->dstage)
		svc_dstage_poll(r);
	if (!r->disp)
		return;
	vr_date today = clock_today(&r->clk);
	if (dispatch_advance(r->disp, today) != VR_OK) {
		vlog(LOG_ERROR, "dispatch: out of memory");
		r->fatal = true;
		return;
	}
	/* Once a day: cases past their retention leave the memory (their
	 * stored values expire by their TTL). */
	if (today != VR_DATE_NONE && today != r->tk->pruned) {
		r->tk->pruned = today;
		dispatch_prune(r->disp, today - ruleset_retention_cases(r->rs), today);
	}
	task_out_poll(r->tout);
	retire_sent(r);
	if (r->tk->osrc)
		read_outcomes(r);
	int rc = read_inbox(r);
	if (rc == VR_OK)
		rc = svc_tk_write_journal(r);
	if (rc != VR_OK && rc != VR_EAGAIN) {
		vlog(LOG_ERROR, "dispatch: cannot store the queues: %s", store_error(r->st));
		r->fatal = true;
	}
}

/* What the store kept of dispatch: queues, the day, the outbox to send. */
static int restore_one(void *ud, const char *key, const void *val, size_t len)
{
	struct svc *r = ud;
	/* The inbox (read_inbox()) is not the journal: dispatch_restore()
	 * skips it. */
	int rc = strncmp(key, ZAAK_PREFIX, strlen(ZAAK_PREFIX)) == 0
			 ? restore_zaak(r, key, val, len)
			 : dispatch_restore(r->disp, key, val, len);
	if (rc == VR_EPARSE) {
		vlog(LOG_WARN, "dispatch: cannot read the stored value %s; skipped", key);
		return VR_OK;
	}
	return rc;
}

static int restore(struct svc *r, char *err, size_t n)
{
	struct dispatch_journal j = {r->tk, kv_put, r->tk->ttl};
	dispatch_set_journal(r->disp, &j);
	int rc = store_kv_scan(r->st, DISPATCH_KV_PREFIX, restore_one, r);
	if (rc == VR_OK)
		rc = dispatch_resend(r->disp);
	if (rc != VR_OK) {
		snprintf(err, n, "cannot read the team queues from the store: %s",
			 store_error(r->st)[0] ? store_error(r->st) : vr_strerror(rc));
		return rc;
	}
	struct dispatch_stats st;
	dispatch_stats(r->disp, &st);
	if (st.queued || r->tk->n_held)
		vlog(LOG_INFO, "dispatch: %zu queued cases and %zu undelivered tasks restored",
		     st.in_queue, r->tk->n_held);
	return VR_OK;
}

int svc_setup_tasks(struct svc *r, char *err, size_t n)
{
	if (!svc_wants_tasks(r->cf))
		return VR_OK;
	if (!(r->tk = calloc(1, sizeof(*r->tk))))
		return VR_ENOMEM;
	struct svc_tasks *k = r->tk;
	dispatch_conf_init(&k->dc);
	if (dispatch_conf_load(&k->dc, r->cf, err, n) != VR_OK)
		return VR_EINVAL;
	k->ttl = (int64_t)86400 * ruleset_retention_cases(r->rs);
	/* The team must reach the household: contact details are sealed in
	 * the state (with the memory store under a key of this run). */
	if (!r->ck && (!(r->ck = contact_key_ephemeral(err, n))))
		return VR_EINVAL;
	engine_set_contact_key(r->e, r->ck);
	/* With a dispatch stage, dispatch starts when this instance gets the
	 * dispatch topic (dstage.c). */
	const char *dt = conf_get(r->cf, "connector", "dispatch.topic");
	if (dt) {
		k->dstage = true;
		snprintf(k->dtopic, sizeof(k->dtopic), "%s", dt);
		return VR_OK;
	}
	return svc_tk_start_dispatch(r, err, n);
}

int svc_tk_start_dispatch(struct svc *r, char *err, size_t n)
{
	struct svc_tasks *k = r->tk;
	if (!(r->tout = task_out_new()))
		return VR_ENOMEM;
	if (task_out_add_conf(r->tout, r->cf, err, n) != VR_OK)
		return VR_EINVAL;
	size_t it = 0;
	if (store_is_persistent(r->st) && task_out_zgw_name(r->tout, &it)) {
		const char *url = conf_get(r->cf, "store", "url");
		if (!k->ledger && !(k->ledger = store_open(url, err, n)))
			return VR_EINVAL;
		struct zgw_ledger l = {k, zaak_put};
		task_out_set_ledger(r->tout, &l);
	}
	struct dispatch_observer obs = {r, on_task, NULL, on_picked_up};
	if (!(r->disp = dispatch_new(&k->dc, r->e, r->ck, &obs, err, n)))
		return VR_ENOMEM;
	if (!task_out_count(r->tout))
		vlog(LOG_WARN, "[team] sections but no [sink.NAME]: tasks go nowhere");
	k->mark_seen = 0;
	k->inbox_at = 0;
	k->pruned = VR_DATE_NONE;
	int rc = store_is_persistent(r->st) ? restore(r, err, n) : VR_OK;
	if (rc == VR_OK && k->dstage)
		rc = open_outcomes(r, err, n);
	return rc;
}

void svc_tk_stop_dispatch(struct svc *r, double wait_s, bool lost)
{
	struct svc_tasks *k = r->tk;
	double end = vr_mono_now() + wait_s;
	while (!lost && r->disp && r->tout) {
		task_out_poll(r->tout);
		retire_sent(r);
		if (svc_tk_write_journal(r) != VR_OK || !k->n_sent || vr_mono_now() >= end)
			break;
		vr_sleep(0.02);
	}
	if (k->n_sent || k->n_held)
		vlog(LOG_INFO, "dispatch: %zu tasks left in the outbox for the next owner",
		     k->n_sent + k->n_held);
	if (k->osrc) {
		/* Applied outcomes whose values are not written: read again. */
		for (size_t i = 0; i < k->n_opend; i++)
			src_release(k->osrc, &k->opend[i]);
		k->n_opend = 0;
		src_commit_sync(k->osrc);
		src_close(k->osrc);
		k->osrc = NULL;
	}
	/* What is not written goes: the messages that made it are read again
	 * by the next owner (held tasks, values). */
	kv_clear(k);
	for (size_t i = 0; i < k->n_held; i++) {
		OPENSSL_cleanse(k->held[i].body, k->held[i].len);
		free(k->held[i].body);
	}
	k->n_held = k->covered = 0;
	task_out_free(r->tout);
	r->tout = NULL;
	for (size_t i = 0; i < k->n_sent; i++)
		free(k->sent[i]);
	k->n_sent = 0;
	dispatch_free(r->disp);
	r->disp = NULL;
}

static vr_date next_working_day(const struct svc *r, vr_date d)
{
	do
		d++;
	while (date_is_weekend(d) || ruleset_is_holiday(r->rs, d));
	return d;
}

/* At the end of the run: (when asked) the next working morning's release,
 * the queues, and every task delivered or left in the outbox after 30 s. */
void svc_tasks_finish(struct svc *r)
{
	if (!r->disp) /* (with a dispatch stage: another instance dispatches) */
		return;
	vr_date today = clock_today(&r->clk);
	if (r->o->next_morning && today != VR_DATE_NONE) {
		today = next_working_day(r, today);
		dispatch_advance(r->disp, today);
	}
	dispatch_finish(r->disp);
	if (r->o->queues)
		queue_print(r->o->queues, r->disp, r->e, today, 12);
	double end = vr_mono_now() + 30;
	do {
		task_out_poll(r->tout);
		retire_sent(r);
		if (svc_tk_write_journal(r) != VR_OK)
			break;
		if (r->tk->n_sent)
			vr_sleep(0.02);
	} while (r->tk->n_sent && vr_mono_now() < end);
	r->res->tasks_failed = r->tk->n_sent + r->tk->n_held + r->tk->refused;
	if (r->tk->n_sent || r->tk->n_held)
		vlog(LOG_WARN, "stopping with %zu tasks not delivered: they stay in the outbox "
		     "and go out after the restart", r->tk->n_sent + r->tk->n_held);
}

/* A decided batch was given up (a stop while the store is away): the
 * tasks it made were never stored, and go. */
void svc_tasks_discard(struct svc *r)
{
	struct svc_tasks *k = r->tk;
	if (!k)
		return;
	if (k->dstage) {
		/* Its case changes are out; the batch read again sends them again,
		 * and dispatch knows a change it had (dispatch.c). */
		sink_group_reset(r->kafka, &k->cc);
		return;
	}
	for (size_t i = 0; i < k->n_held; i++) {
		OPENSSL_cleanse(k->held[i].body, k->held[i].len);
		free(k->held[i].body);
	}
	k->n_held = k->covered = 0;
	kv_clear(k);
}

void svc_teardown_tasks(struct svc *r)
{
	struct svc_tasks *k = r->tk;
	if (k && k->dstage)
		svc_dstage_close(r); /* leaves the group: dispatch stops here */
	dispatch_free(r->disp);
	task_out_free(r->tout);
	r->disp = NULL;
	r->tout = NULL;
	if (!k)
		return;
	store_close(k->ledger);
	if (k->osrc) {
		for (size_t i = 0; i < k->n_opend; i++)
			src_release(k->osrc, &k->opend[i]);
		src_commit_sync(k->osrc);
		src_close(k->osrc);
	}
	kv_clear(k);
	free(k->kv);
	for (size_t i = 0; i < k->n_held; i++)
		free(k->held[i].body);
	free(k->held);
	for (size_t i = 0; i < k->n_sent; i++)
		free(k->sent[i]);
	free(k->sent);
	free(k);
	r->tk = NULL;
}

enum dec_status svc_tasks_status(struct svc *r, const char *case_id)
{
	struct dispatch_case_info info;
	if (r->disp && dispatch_case_info(r->disp, case_id, &info) == VR_OK &&
	    (info.status == CASE_OPGEPAKT || info.status == CASE_CLOSED) &&
	    info.opgepakt != VR_DATE_NONE)
		return DEC_OPGEPAKT;
	return DEC_NOG_NIET;
}

bool svc_tasks_busy(const struct svc *r)
{
	return r->tk && (r->tk->n_sent || r->tk->n_held);
}
