/*
 * sink.c - the sink family's core (sink.h): in-flight tracking, retries
 * with exponential backoff and jitter, groups.  Backends only classify
 * (sink_int.h).
 *
 * Every message that is not settled at once takes an entry: a copy of its
 * bytes, its group and its attempt count.  An entry is found again by its
 * ticket (index and generation), so an outcome that arrives after its group
 * was given up, or after the entry was reused, is recognised and ignored.
 */
#include "sink_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backoff.h"
#include "log.h"
#include "vr.h"

enum entry_state { E_FREE, E_INFLIGHT, E_WAITING };

struct entry {
	enum entry_state state;
	uint32_t gen;
	struct sink_group *g;      /* NULL: sent without a group */
	uint32_t ggen;
	bool given_up;             /* its group was reset: forget the outcome */
	struct sink_msg m;         /* pointing into buf */
	struct sink_header h[SINK_HEADERS_MAX];
	char *buf;
	size_t cap;
	unsigned attempts;
	double retry_at;
	uint32_t next_free;
};

struct sink {
	const struct sink_ops *ops;
	void *impl;
	char name[64];
	struct entry *e;
	uint32_t n, cap, free_head;   /* free list through next_free; UINT32_MAX: empty */
	size_t waiting;
	double next_retry;            /* the earliest retry_at of a waiting entry */
	struct sink_retry retry;
	struct sink_stats st;
	uint64_t rnd;
	double warned_at;
	unsigned long unwarned;
};

#define NO_ENTRY UINT32_MAX
#define BUSY_TRIES 40              /* 40 x 50 ms of serving a full backend */

struct sink *sink_new(const struct sink_ops *ops, void *impl, const char *name)
{
	struct sink *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->ops = ops;
	s->impl = impl;
	snprintf(s->name, sizeof(s->name), "%s", name ? name : ops->name);
	s->free_head = NO_ENTRY;
	s->retry = (struct sink_retry){100, 5000};
	s->rnd = vr_backoff_seed(s);
	return s;
}

void *sink_impl(const struct sink *s)
{
	return s->impl;
}

const char *sink_name(const struct sink *s)
{
	return s->name;
}

void sink_stats(const struct sink *s, struct sink_stats *out)
{
	*out = s->st;
}

void sink_set_retry(struct sink *s, const struct sink_retry *r)
{
	s->retry.base_ms = r->base_ms > 0 ? r->base_ms : 100;
	s->retry.max_ms = r->max_ms > 0 ? r->max_ms : 5000;
}

/* The pause after the message's last attempt (backoff.h). */
static double backoff(struct sink *s, unsigned attempts)
{
	return vr_backoff_delay((double)s->retry.base_ms / 1000, (double)s->retry.max_ms / 1000,
				attempts, &s->rnd);
}

static struct entry *entry_new(struct sink *s, uint32_t *idx)
{
	if (s->free_head != NO_ENTRY) {
		*idx = s->free_head;
		s->free_head = s->e[*idx].next_free;
		return &s->e[*idx];
	}
	if (s->n == s->cap) {
		uint32_t cap = s->cap ? s->cap * 2 : 256;
		struct entry *e = realloc(s->e, cap * sizeof(*e));
		if (!e)
			return NULL;
		memset(e + s->cap, 0, (cap - s->cap) * sizeof(*e));
		s->e = e;
		s->cap = cap;
	}
	*idx = s->n++;
	return &s->e[*idx];
}

static void entry_free(struct sink *s, uint32_t idx)
{
	struct entry *e = &s->e[idx];
	if (e->state == E_WAITING)
		s->waiting--;
	e->state = E_FREE;
	e->gen++;
	e->g = NULL;
	e->given_up = false;
	e->next_free = s->free_head;
	s->free_head = idx;
	/* One huge message must not keep its buffer for good. */
	if (e->cap > (64u << 10)) {
		free(e->buf);
		e->buf = NULL;
		e->cap = 0;
	}
}

/* Copy m into e's buffer: topic, key, body, header names and values. */
static int entry_copy(struct entry *e, const struct sink_msg *m)
{
	size_t need = (m->topic ? strlen(m->topic) + 1 : 0) + m->key_len + m->len;
	for (size_t i = 0; i < m->n_headers; i++)
		need += strlen(m->headers[i].name) + strlen(m->headers[i].value) + 2;
	if (need > e->cap) {
		char *b = realloc(e->buf, need);
		if (!b && need)
			return VR_ENOMEM;
		e->buf = b;
		e->cap = need;
	}
	char *p = e->buf;
	e->m = *m;
	if (m->topic) {
		e->m.topic = memcpy(p, m->topic, strlen(m->topic) + 1);
		p += strlen(m->topic) + 1;
	}
	e->m.key = m->key_len ? memcpy(p, m->key, m->key_len) : NULL;
	p += m->key_len;
	e->m.body = m->len ? memcpy(p, m->body, m->len) : NULL;
	p += m->len;
	for (size_t i = 0; i < m->n_headers; i++) {
		size_t a = strlen(m->headers[i].name) + 1, b = strlen(m->headers[i].value) + 1;
		e->h[i].name = memcpy(p, m->headers[i].name, a);
		e->h[i].value = memcpy(p + a, m->headers[i].value, b);
		p += a + b;
	}
	e->m.headers = NULL; /* e->h moves with the array: attempt() points at it */
	return VR_OK;
}

/* Does anyone still wait for this message? */
static bool wanted(const struct entry *e)
{
	return !e->given_up && (!e->g || e->g->gen == e->ggen);
}

static void warn_retry(struct sink *s, const struct entry *e, const char *why)
{
	double now = vr_mono_now();
	if (now - s->warned_at < 1) {
		s->unwarned++;
		return;
	}
	vlog(LOG_WARN, "%s: message to %s not delivered: %s (attempt %u; will retry%s)",
	     s->name, e->m.topic ? e->m.topic : s->name, why && why[0] ? why : "unknown error",
	     e->attempts, s->unwarned ? ", more failures not shown" : "");
	s->warned_at = now;
	s->unwarned = 0;
}

/* Settle entry idx with outcome o (not SINK_INFLIGHT); a retry waits at
 * least min_pause seconds (the receiver's Retry-After). */
static void settle_after(struct sink *s, uint32_t idx, enum sink_outcome o, const char *why,
			 double min_pause)
{
	struct entry *e = &s->e[idx];
	bool live = wanted(e);
	if (o == SINK_DELIVERED || o == SINK_FAILED || !live) {
		if (o == SINK_DELIVERED)
			s->st.delivered++;
		if (o == SINK_FAILED) {
			s->st.failed++;
			vlog(LOG_ERROR, "%s: message to %s failed for good, not retried: %s",
			     s->name, e->m.topic ? e->m.topic : s->name,
			     why && why[0] ? why : "unknown error");
		}
		if (live && e->g) {
			e->g->pending--;
			if (o == SINK_FAILED)
				e->g->failed++;
		} else if (!live && o != SINK_DELIVERED && o != SINK_FAILED) {
			s->st.abandoned++;
		}
		entry_free(s, idx);
		return;
	}
	/* SINK_RETRY or SINK_BUSY: wait, then send again. */
	if (o == SINK_RETRY) {
		s->st.retried++;
		warn_retry(s, e, why);
	}
	double pause = o == SINK_RETRY ? backoff(s, e->attempts) : 0.05;
	double at = vr_mono_now() + (pause < min_pause ? min_pause : pause);
	e->state = E_WAITING;
	e->retry_at = at;
	s->waiting++;
	if (s->waiting == 1 || at < s->next_retry)
		s->next_retry = at;
}

static void settle(struct sink *s, uint32_t idx, enum sink_outcome o, const char *why)
{
	settle_after(s, idx, o, why, 0);
}

static enum sink_outcome attempt(struct sink *s, uint32_t idx)
{
	struct entry *e = &s->e[idx];
	char why[256] = "";
	uint64_t ticket = (uint64_t)e->gen << 32 | idx;
	/* The headers live in the entry, which moves when the array grows. */
	e->m.headers = e->m.n_headers ? e->h : NULL;
	enum sink_outcome o = s->ops->send(s, &e->m, ticket, why, sizeof(why));
	if (o == SINK_BUSY)
		return o; /* not an attempt: the caller serves the backend */
	e->attempts++;
	s->st.sent++;
	if (o == SINK_INFLIGHT)
		e->state = E_INFLIGHT;
	else
		settle(s, idx, o, why);
	return o;
}

int sink_send(struct sink *s, const struct sink_msg *m, struct sink_group *g)
{
	uint32_t idx;
	if (m->n_headers > SINK_HEADERS_MAX)
		return VR_EINVAL;
	if (s->ops->settles) {
		/* A backend that settles at once and keeps nothing: no copy unless
		 * the message has to wait. */
		char why[256] = "";
		enum sink_outcome o = s->ops->send(s, m, 0, why, sizeof(why));
		if (o == SINK_DELIVERED || o == SINK_FAILED) {
			s->st.sent++;
			/* A failure is the caller's to report: sink_error() says why. */
			if (o == SINK_DELIVERED) {
				s->st.delivered++;
			} else {
				s->st.failed++;
				if (g)
					g->failed++;
			}
			return VR_OK;
		}
	}
	struct entry *e = entry_new(s, &idx);
	if (!e || entry_copy(e, m) != VR_OK) {
		if (e)
			entry_free(s, idx);
		return VR_ENOMEM;
	}
	e->g = g;
	e->ggen = g ? g->gen : 0;
	e->attempts = 0;
	e->state = E_INFLIGHT;
	if (g)
		g->pending++;
	/* A full backend: serve it (its outcomes make room), then again; in
	 * the end leave the message waiting and return. */
	for (int i = 0; attempt(s, idx) == SINK_BUSY; i++) {
		if (i == BUSY_TRIES || !s->ops->poll) {
			settle(s, idx, SINK_BUSY, NULL);
			break;
		}
		s->ops->poll(s, 50);
	}
	return VR_OK;
}

void sink_outcome_after(struct sink *s, uint64_t ticket, enum sink_outcome o, const char *why,
			double min_pause)
{
	uint32_t idx = (uint32_t)ticket, gen = (uint32_t)(ticket >> 32);
	if (idx >= s->n || s->e[idx].gen != gen || s->e[idx].state != E_INFLIGHT)
		return;
	settle_after(s, idx, o, why, min_pause);
}

void sink_outcome(struct sink *s, uint64_t ticket, enum sink_outcome o, const char *why)
{
	sink_outcome_after(s, ticket, o, why, 0);
}

static void retry_due(struct sink *s)
{
	if (s->waiting == 0)
		return;
	double now = vr_mono_now();
	if (now < s->next_retry)
		return;
	double next = 0;
	bool any = false;
	for (uint32_t i = 0; i < s->n; i++) {
		struct entry *e = &s->e[i];
		if (e->state != E_WAITING)
			continue;
		if (!wanted(e)) {
			entry_free(s, i);
			s->st.abandoned++;
			continue;
		}
		if (e->retry_at <= now) {
			s->waiting--;
			e->state = E_INFLIGHT;
			if (attempt(s, i) == SINK_BUSY)
				settle(s, i, SINK_BUSY, NULL);
		}
		if (e->state == E_WAITING && (!any || e->retry_at < next)) {
			next = e->retry_at;
			any = true;
		}
	}
	s->next_retry = next;
}

void sink_poll(struct sink *s, long wait_ms)
{
	if (s->waiting && wait_ms > 0) {
		long until = (long)((s->next_retry - vr_mono_now()) * 1000) + 1;
		if (until < wait_ms)
			wait_ms = until < 0 ? 0 : until;
	}
	if (s->ops->poll)
		s->ops->poll(s, wait_ms);
	else if (wait_ms > 0 && s->waiting)
		vr_sleep((double)wait_ms / 1000);
	retry_due(s);
}

void sink_group_reset(struct sink *s, struct sink_group *g)
{
	for (uint32_t i = 0; i < s->n; i++) {
		struct entry *e = &s->e[i];
		if (e->state == E_FREE || e->g != g || e->given_up)
			continue;
		if (e->state == E_WAITING) {
			entry_free(s, i);
			s->st.abandoned++;
		} else {
			e->given_up = true; /* in flight: its bytes stay until its outcome */
		}
	}
	g->gen++;
	g->pending = 0;
	g->failed = 0;
}

int sink_flush(struct sink *s, long wait_ms)
{
	return s->ops->flush ? s->ops->flush(s, wait_ms) : VR_OK;
}

const char *sink_error(const struct sink *s)
{
	const char *e = s->ops->error ? s->ops->error(s) : NULL;
	return e ? e : "";
}

void sink_close(struct sink *s)
{
	if (!s)
		return;
	sink_flush(s, 10000);
	s->ops->close(s);
	for (uint32_t i = 0; i < s->n; i++)
		free(s->e[i].buf);
	free(s->e);
	free(s);
}
