/*
 * dstage.c - the dispatch stage: one dispatcher when several instances
 * share a consumer group (docs/connectors.md, "Several instances").
 *
 * Team queues, each team's capacity per working day and the outbox are one
 * process's state (dispatch.h), journalled to the store.  Two deciding
 * instances may not both run it: each would release a team's capacity.
 * With [connector] dispatch.topic (a topic of exactly one partition) the
 * deciding stage does not queue a case itself.  It produces each case
 * change there (the case as the engine left it, sealed contact block and
 * all, and the day it happened) and waits for Kafka's acknowledgement
 * before its batch is stored.  A second consumer, in a group of its own
 * (GROUP.dispatch), subscribes to the topic.  The instance the group gives
 * its one partition to is the dispatcher: it reads the queues back from
 * the store, sends the outbox again, reads the teams' outcomes and the
 * inbox, and applies the case changes in the order they arrived.  Each
 * change's values are written to the store before its offset is stored.
 * When the partition moves, the old dispatcher gives the sinks a few
 * seconds, writes what it can, and lets go; the new one starts from the
 * store.
 *
 * At least once, like the stages before it: a case change sent again (its
 * batch read again after a crash) lists no more signals than the one
 * dispatch already has, and dispatch lets it pass (dispatch.c).  A task the
 * old dispatcher had not seen acknowledged goes out again with the same
 * task_id and body.
 */
#include "tasks_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feedback.h"
#include "log.h"
#include "src_kafka.h"
#include "vr.h"

#define H_HOUSEHOLD "vroeg.household"
#define H_TODAY "vroeg.today"
#define H_FB_TOPIC "vroeg.feedback.topic"
#define H_FB_KEY "vroeg.feedback.key"
#define H_FB "vroeg.feedback"

#define CC_LOG_S 10   /* how often a batch waiting for its case changes says so */
#define RETRY_S 5     /* dispatch that could not start is tried again after this */

/* ---- the deciding stage: case changes out ------------------------------ */

int svc_dstage_change(struct svc *r, const struct decision *d)
{
	struct svc_tasks *k = r->tk;
	if (!d->has_case || !d->case_after)
		return VR_OK;
	unsigned char *buf = k->enc;
	size_t len = case_encode(d->case_after, buf);
	char hh[HKEY_STRLEN], today[VR_DATE_STRLEN];
	hkey_format(&d->household, hh);
	date_format(d->today, today);
	struct sink_header h[5] = {{H_HOUSEHOLD, hh}, {H_TODAY, today}};
	size_t nh = 2;
	/* The partner's Opgepakt event for this signal, should the team have
	 * picked the case up already (the dispatcher knows; a known client's
	 * Bekend stays Bekend, as with one instance). */
	if (r->feedback && d->sig && d->status == DEC_OPGEPAKT) {
		feedback_event(&r->line, d->sig, DEC_OPGEPAKT);
		jbuf_raw(&r->line, "", 1); /* a header is a string */
		if (jbuf_ok(&r->line)) {
			h[nh++] = (struct sink_header){H_FB_TOPIC, r->feedback_topics[d->sig->partner]};
			h[nh++] = (struct sink_header){H_FB_KEY, d->sig->partner_org};
			h[nh++] = (struct sink_header){H_FB, r->line.p};
		}
	}
	const struct sink_msg out = {k->dtopic, d->case_after->id, strlen(d->case_after->id),
				     buf, len, h, nh};
	return sink_send(r->kafka, &out, &k->cc);
}

/* Before the batch is stored: every case change of it acknowledged, so a
 * stored case never misses its change (a crash before the store reads the
 * batch again and sends them again). */
int svc_dstage_written(struct svc *r)
{
	struct svc_tasks *k = r->tk;
	double since = vr_mono_now(), logged = since;
	/* Kafka away: the batch waits (as for the store), logged every 10 s. */
	while (!sink_group_done(&k->cc) && !svc_stop_flag && !sink_error(r->kafka)[0]) {
		sink_poll(r->kafka, 5);
		if (vr_mono_now() - logged >= CC_LOG_S) {
			logged = vr_mono_now();
			vlog(LOG_WARN, "dispatch topic %s: case changes not acknowledged for %.0fs; "
			     "the batch waits", k->dtopic, logged - since);
		}
	}
	int rc = VR_OK;
	if (!sink_group_done(&k->cc)) {
		vlog(LOG_ERROR, "dispatch topic %s: stopping with case changes not acknowledged; "
		     "the batch is read again", k->dtopic);
		rc = VR_EIO;
	} else if (k->cc.failed) {
		vlog(LOG_ERROR, "dispatch topic %s: %lu case change(s) failed for good", k->dtopic,
		     k->cc.failed);
		rc = VR_EIO;
	}
	sink_group_reset(r->kafka, &k->cc);
	return rc;
}

/* ---- the dispatcher: case changes in ----------------------------------- */

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* "h-" and 32 hex digits (hkey_format) back to the key. */
static bool parse_hkey(const char *s, struct hkey *out)
{
	unsigned char *b = (unsigned char *)out;
	if (strlen(s) != 2 + 2 * sizeof(*out) || s[0] != 'h' || s[1] != '-')
		return false;
	for (size_t i = 0; i < sizeof(*out); i++) {
		int hi = hexval(s[2 + 2 * i]), lo = hexval(s[3 + 2 * i]);
		if (hi < 0 || lo < 0)
			return false;
		b[i] = (unsigned char)(hi << 4 | lo);
	}
	return true;
}

/* One case change: through dispatch, and the signal's Opgepakt event when
 * its case is picked up already.  VR_EINVAL with why: not a case change. */
static int apply_change(struct svc *r, const struct src_msg *m, char *why, size_t n)
{
	struct svc_tasks *k = r->tk;
	char hh[HKEY_STRLEN + 1], day[VR_DATE_STRLEN + 1];
	struct decision dec;
	memset(&dec, 0, sizeof(dec));
	if (!src_header_str(k->dsrc, m, H_HOUSEHOLD, hh, sizeof(hh)) || !parse_hkey(hh, &dec.household) ||
	    !src_header_str(k->dsrc, m, H_TODAY, day, sizeof(day)) ||
	    date_parse(day, strlen(day), &dec.today) != VR_OK) {
		snprintf(why, n, "a case change without its household or day");
		return VR_EINVAL;
	}
	if (!m->payload || m->len > CASE_ENCODED_MAX ||
	    case_decode(m->payload, m->len, k->scratch) != VR_OK) {
		snprintf(why, n, "a case change whose case cannot be read");
		return VR_EINVAL;
	}
	dec.status = DEC_OPGEPAKT;
	dec.has_case = true;
	dec.case_after = k->scratch;
	int rc = dispatch_decision(r->disp, &dec);
	if (rc != VR_OK)
		return rc == VR_EINVAL ? VR_ENOMEM : rc;
	k->changes++;
	char topic[256], key[SIG_ORG_MAX + 1];
	const void *ev;
	size_t evlen;
	if (r->feedback && svc_tasks_status(r, k->scratch->id) == DEC_OPGEPAKT &&
	    src_header_str(k->dsrc, m, H_FB_TOPIC, topic, sizeof(topic)) &&
	    src_header_str(k->dsrc, m, H_FB_KEY, key, sizeof(key)) &&
	    src_header(k->dsrc, m, H_FB, &ev, &evlen) == 1 && ev) {
		const struct sink_msg out = {topic, key, strlen(key), ev, evlen, NULL, 0};
		if ((rc = sink_send(r->kafka, &out, &k->fb)) != VR_OK)
			return rc;
		r->res->feedback++;
	}
	return VR_OK;
}

/* The case changes in hand, settled (svc_tk_settle). */
static void settle(struct svc *r)
{
	struct svc_tasks *k = r->tk;
	svc_tk_settle(r, k->dsrc, k->dpend, &k->n_dpend, k->dpend_failed, "case changes");
}

static void drop_pending(struct svc *r)
{
	struct svc_tasks *k = r->tk;
	for (size_t i = 0; i < k->n_dpend; i++)
		src_release(k->dsrc, &k->dpend[i]);
	k->n_dpend = 0;
}

/* Dispatch here, from the store.  A failure (the store away) is tried
 * again in RETRY_S, not fatal: the next owner would find the same. */
static void start(struct svc *r)
{
	struct svc_tasks *k = r->tk;
	char err[1024];
	k->retry_at = 0;
	if (svc_tk_start_dispatch(r, err, sizeof(err)) != VR_OK) {
		vlog(LOG_ERROR, "dispatch: cannot start: %s; trying again in %d s", err, RETRY_S);
		svc_tk_stop_dispatch(r, 0, true);
		k->retry_at = vr_mono_now() + RETRY_S;
		return;
	}
	k->dispatching = true;
	struct dispatch_stats st;
	dispatch_stats(r->disp, &st);
	vlog(LOG_INFO, "this instance dispatches now (%s): %zu queued cases, %zu tasks to send "
	     "again", k->dtopic, st.in_queue, k->n_held);
}

static void on_assigned(void *ud)
{
	struct svc *r = ud;
	struct svc_tasks *k = r->tk;
	k->assigned = true;
	if (!k->dispatching && src_kafka_owns(k->dsrc, k->dtopic))
		start(r);
}

static int on_revoking(void *ud, bool lost)
{
	struct svc *r = ud;
	struct svc_tasks *k = r->tk;
	k->retry_at = 0;
	if (!k->dispatching)
		return VR_OK;
	/* Finish what is in hand when it can be (its positions are then
	 * committed before the partition goes); the rest is read again.  A
	 * change that failed (a fatal stop) is not settled: read again. */
	if (!lost && !r->fatal)
		settle(r);
	drop_pending(r);
	svc_tk_stop_dispatch(r, 5, lost || r->fatal);
	k->dispatching = false;
	vlog(LOG_INFO, "dispatch leaves this instance (%s %s)", k->dtopic,
	     lost ? "lost" : "revoked");
	return VR_OK;
}

/* A case change read: applied, or dead-lettered; false (and a fatal stop)
 * when it could not be either. */
static bool take(struct svc *r, const struct src_msg *m)
{
	struct svc_tasks *k = r->tk;
	char why[256], where[300];
	int rc = apply_change(r, m, why, sizeof(why));
	if (rc == VR_EINVAL) {
		snprintf(where, sizeof(where), "%s/%d@%lld", m->topic, (int)m->partition, m->offset);
		vlog(LOG_ERROR, "dispatch topic %s: %s; dead-lettered", where, why);
		rc = svc_dead_letter(r, &k->fb, m, "dispatch", why);
	}
	if (rc != VR_OK) {
		vlog(LOG_ERROR, "dispatch: cannot apply a case change: %s", vr_strerror(rc));
		r->fatal = true;
		return false;
	}
	return true;
}

void svc_dstage_poll(struct svc *r)
{
	struct svc_tasks *k = r->tk;
	struct src_msg m;
	if (!k->dsrc)
		return;
	if (k->retry_at && vr_mono_now() >= k->retry_at && !k->dispatching &&
	    src_kafka_owns(k->dsrc, k->dtopic))
		start(r);
	if (k->n_dpend) {
		settle(r);
		if (k->n_dpend) {
			/* Not through yet: nothing new meanwhile, but the group is
			 * still heard (a rebalance, or an assignment lost). */
			src_kafka_pause(k->dsrc, true);
			if (src_poll(k->dsrc, 0, &m) == 1) {
				/* Fetched before the pause: taken in with the rest,
				 * or, with no room, read again after a stop. */
				if (k->n_dpend == OUTCOMES_PER_POLL || !k->dispatching) {
					vlog(LOG_ERROR, "dispatch: a case change arrived while "
					     "paused; stopping, the restart reads it again");
					src_release(k->dsrc, &m);
					r->fatal = true;
					return;
				}
				k->dpend[k->n_dpend++] = m;
				take(r, &k->dpend[k->n_dpend - 1]);
			}
			return;
		}
		src_kafka_pause(k->dsrc, false);
	}
	k->dpend_failed = k->fb.failed;
	/* Also where a rebalance makes or ends this instance's dispatch. */
	while (k->n_dpend < OUTCOMES_PER_POLL && !r->fatal && src_poll(k->dsrc, 0, &m) == 1) {
		if (!k->dispatching) {
			src_release(k->dsrc, &m); /* not ours (between assignments) */
			continue;
		}
		k->dpend[k->n_dpend++] = m;
		if (!take(r, &k->dpend[k->n_dpend - 1]))
			return;
	}
	settle(r);
}

bool svc_dstage_at_end(struct svc *r)
{
	struct svc_tasks *k = r->tk;
	if (!k->assigned)
		return false; /* not in the dispatch group yet */
	return !k->dispatching || (k->n_dpend == 0 && src_caught_up(k->dsrc, k->dtopic));
}

int svc_dstage_setup(struct svc *r, char *err, size_t n)
{
	struct svc_tasks *k = r->tk;
	char group[300];
	if (svc_tk_check_outcomes(r, err, n) != VR_OK)
		return VR_EINVAL;
	const char *g = conf_get(r->cf, "connector", "dispatch.group.id");
	if (!g) {
		const char *base = conf_get(r->cf, "kafka consumer", "group.id");
		snprintf(group, sizeof(group), "%s.dispatch", base ? base : "vroeg");
		g = group;
	}
	if (!(k->scratch = malloc(sizeof(*k->scratch))) || !(k->enc = malloc(CASE_ENCODED_MAX))) {
		snprintf(err, n, "out of memory");
		return VR_ENOMEM;
	}
	struct src_kafka_topic t = {k->dtopic, NULL};
	struct src_events ev = {r, on_revoking, on_assigned};
	k->dsrc = src_kafka_open_group(r->cf, &t, 1, r->o->stop_at_end, g, &ev, err, n);
	if (!k->dsrc)
		return VR_EINVAL;
	int parts = src_kafka_partition_count(k->dsrc, k->dtopic, 10000);
	if (parts != 1) {
		char at[300];
		conf_where(r->cf, "connector", "dispatch.topic", at, sizeof(at));
		if (parts < 0)
			snprintf(err, n, "%s: [connector] dispatch.topic %s does not exist (or Kafka did "
				 "not say in 10 s): create it with one partition", at, k->dtopic);
		else
			snprintf(err, n, "%s: [connector] dispatch.topic %s has %d partitions: it must "
				 "have exactly one, so that one instance dispatches", at, k->dtopic,
				 parts);
		return VR_EINVAL;
	}
	vlog(LOG_INFO, "case changes go to %s; the instance that owns it dispatches (group %s)",
	     k->dtopic, g);
	return VR_OK;
}

void svc_dstage_close(struct svc *r)
{
	struct svc_tasks *k = r->tk;
	if (k->dsrc) {
		/* Leaving the group revokes the partition (on_revoking). */
		src_close(k->dsrc);
		k->dsrc = NULL;
	}
	free(k->scratch);
	k->scratch = NULL;
	free(k->enc);
	k->enc = NULL;
}
