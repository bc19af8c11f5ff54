/*
 * pipeline.c - the batch pipeline (docs/design.md, "The batch contract"):
 * the engine's lifecycle and its two scratch slots; per batch prepare
 * (validate, pseudonymise, gather the households), load, decide (each
 * record by policy.c), apply and report.  engine_submit() overlaps one
 * batch's apply with the next one's load.  At the end, the open cases in
 * an order that does not depend on the backend or the batch size.
 */
#include "engine_int.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "vr.h"

const char *engine_rule_name(const struct engine *e, unsigned rule)
{
	return ruleset_score_name(e->rs, rule);
}

const char *engine_case_rule_name(const struct engine *e, const struct case_rec *c, unsigned i)
{
	return c->has_rule_names ? name_str(c->rule_name[i])
				  : ruleset_score_name(e->rs, c->rules[i].rule);
}

void engine_set_rules(struct engine *e, const struct ruleset *rs)
{
	e->rs = rs;
}

void engine_set_contact_key(struct engine *e, struct contact_key *k)
{
	e->ck = k;
}

const struct ruleset *engine_get_rules(const struct engine *e)
{
	return e->rs;
}

/* Forget a slot's own values (each key and value one allocation). */
static void kv_reset(struct slot *b)
{
	for (size_t i = 0; i < b->n_kv; i++)
		store_kv_free(&b->kv[i]);
	b->n_kv = 0;
	b->batch.kv = NULL;
	b->batch.n_kv = 0;
}

int engine_add_kv(struct engine *e, const char *key, const void *val, size_t len, int64_t ttl)
{
	struct slot *b = e->b;
	if (!e->in_early)
		return VR_EINVAL;
	if (b->n_kv == b->cap_kv) {
		size_t cap = b->cap_kv ? 2 * b->cap_kv : 64;
		struct store_kv *v = realloc(b->kv, cap * sizeof(*v));
		if (!v)
			return VR_ENOMEM;
		b->kv = v;
		b->cap_kv = cap;
	}
	if (store_kv_copy(&b->kv[b->n_kv], key, val, len, ttl) != VR_OK)
		return VR_ENOMEM;
	b->n_kv++;
	b->batch.kv = b->kv;
	b->batch.n_kv = b->n_kv;
	return VR_OK;
}

void engine_conf_init(struct engine_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->batch_size = 1024;
}

int engine_conf_add_municipality(struct engine_conf *c, const char *code)
{
	if (strlen(code) != 4 || strspn(code, "0123456789") != 4)
		return VR_EINVAL;
	if (c->n_municipalities == ENGINE_MUNI_MAX)
		return VR_ELIMIT;
	memcpy(c->municipalities[c->n_municipalities++], code, 5);
	return VR_OK;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	for (int k = 0; k < 2; k++) {
		struct slot *b = &e->slots[k];
		free(b->sigs);
		free(b->errs);
		free(b->valid);
		free(b->hkeys);
		free(b->item_of);
		free(b->mark_id);
		free(b->items);
		free(b->decs);
		free(b->done);
		free(b->after);
		kv_reset(b);
		free(b->kv);
	}
	free(e->ht);
	free(e);
}

struct engine *engine_new(const struct engine_conf *conf, const struct ruleset *rs,
			  struct store *st, struct pseudo *ps, struct vr_clock *clk,
			  const struct engine_observer *obs, char *err, size_t errlen)
{
	size_t n = conf->batch_size;
	if (n == 0 || n > ENGINE_BATCH_MAX) {
		snprintf(err, errlen, "batch size must be 1 to %d", ENGINE_BATCH_MAX);
		return NULL;
	}
	struct engine *e = calloc(1, sizeof(*e));
	if (!e)
		goto out_nomem;
	e->conf = *conf;
	e->rs = rs;
	e->st = st;
	e->ps = ps;
	e->clk = clk;
	e->obs = *obs;
	e->ht_cap = 1;
	while (e->ht_cap < 4 * n)
		e->ht_cap *= 2;
	e->ht = calloc(e->ht_cap, sizeof(*e->ht));
	if (!e->ht)
		goto out_nomem;
	for (int k = 0; k < 2; k++) {
		struct slot *b = &e->slots[k];
		b->sigs = calloc(n, sizeof(*b->sigs));
		b->errs = calloc(n, sizeof(*b->errs));
		b->valid = calloc(n, sizeof(*b->valid));
		b->hkeys = calloc(n, sizeof(*b->hkeys));
		b->item_of = calloc(n, sizeof(*b->item_of));
		b->mark_id = calloc(n, sizeof(*b->mark_id));
		b->items = calloc(n, sizeof(*b->items));
		b->decs = calloc(n, sizeof(*b->decs));
		b->done = calloc(n, sizeof(*b->done));
		b->after = obs->with_cases ? calloc(n, sizeof(*b->after)) : NULL;
		if (!b->sigs || !b->errs || !b->valid || !b->hkeys || !b->item_of ||
		    !b->mark_id || !b->items || !b->decs || !b->done ||
		    (obs->with_cases && !b->after))
			goto out_nomem;
		b->batch.items = b->items;
	}
	e->b = &e->slots[0];
	e->sent = &e->slots[1];
	return e;

out_nomem:
	engine_free(e);
	snprintf(err, errlen, "out of memory for a batch of %zu records", n);
	return NULL;
}

/* Index of key among the first *n keys (stride bytes apart), adding it if new. */
static uint32_t batch_intern(struct engine *e, void *base, size_t stride, size_t *n,
			     const struct hkey *key)
{
	size_t mask = e->ht_cap - 1;
	for (size_t i = hkey_hash(key) & mask;; i = (i + 1) & mask) {
		uint32_t v = e->ht[i];
		if (!v) {
			memcpy((char *)base + *n * stride, key, sizeof(*key));
			e->ht[i] = (uint32_t)++*n;
			return (uint32_t)(*n - 1);
		}
		if (memcmp((char *)base + (v - 1) * stride, key, sizeof(*key)) == 0)
			return v - 1;
	}
}

/*
 * When the municipality received a signal (docs/engine.md, "Order and
 * time"): the record's ontvangstdatum, else its transport's timestamp (a
 * Kafka message's), else the clock's receipt (today, the fixed date, event
 * time).  Never before the signaaldatum, never after the clock's horizon
 * (a producer whose clock runs ahead).
 */
static vr_date receipt(const struct engine *e, const struct engine_rec *rec,
		       const struct signal *s)
{
	vr_date r = s->received, h = clock_horizon(e->clk);
	if (r == VR_DATE_NONE && rec->received_ms > 0)
		r = clock_date_of_ms(rec->received_ms);
	if (r == VR_DATE_NONE)
		r = clock_receipt(e->clk);
	if (r != VR_DATE_NONE && h != VR_DATE_NONE && r > h)
		r = h;
	return r == VR_DATE_NONE || r < s->signal_date ? s->signal_date : r;
}

void engine_state_key(const struct engine *e, const struct signal *s, struct hkey *out)
{
	if (ruleset_matching_key(e->rs) != RULES_KEY_PERSON || !pseudo_person(e->ps, &s->client, out))
		pseudo_household(e->ps, &s->client, out);
}

/* Validate and pseudonymise; gather the batch's households. */
static void prepare(struct engine *e, const struct engine_rec *recs, size_t n)
{
	memset(e->ht, 0, e->ht_cap * sizeof(*e->ht));
	e->b->batch.n_items = 0;
	kv_reset(e->b);
	for (size_t i = 0; i < n; i++) {
		struct signal *s = &e->b->sigs[i];
		struct decision *d = &e->b->decs[i];
		memset(d, 0, sizeof(*d));
		d->today = clock_today(e->clk);
		d->source = recs[i].source;
		d->pos = recs[i].pos;
		if (recs[i].reject) {
			e->b->errs[i] = *recs[i].reject;
			e->b->valid[i] = false;
			continue;
		}
		e->b->valid[i] = sig_parse_def(recs[i].data, recs[i].len, clock_horizon(e->clk),
					    recs[i].def, s, &e->b->errs[i]) == VR_OK;
		if (!e->b->valid[i])
			continue;
		clock_observe(e->clk, s->signal_date);
		s->received = receipt(e, &recs[i], s);
		clock_observe(e->clk, s->received);
		/* Only event time moves with the record itself. */
		if (e->clk->kind == CLOCK_EVENT)
			d->today = clock_today(e->clk);
		engine_state_key(e, s, &e->b->hkeys[i]);
		e->b->item_of[i] = batch_intern(e, e->b->items, sizeof(e->b->items[0]),
					     &e->b->batch.n_items, &e->b->hkeys[i]);
		/* The redelivery key: (org, ID), kept inside the household. */
		e->b->mark_id[i] = sig_text_hash2(s->partner_org, s->id);
	}
	for (size_t i = 0; i < e->b->batch.n_items; i++)
		e->b->items[i].dirty = false;
}

static void batch_retention(struct engine *e)
{
	const int64_t day = 86400;
	/* A household's state also holds its redelivery marks. */
	int keep = ruleset_retention_household(e->rs);
	if (ruleset_retention_marks(e->rs) > keep)
		keep = ruleset_retention_marks(e->rs);
	e->b->batch.ttl_household = day * keep;
	e->b->batch.ttl_case = day * ruleset_retention_cases(e->rs);
}

/* Decide the prepared, loaded batch in e->b. */
static void decide_batch(struct engine *e, const struct engine_rec *recs, size_t n)
{
	struct slot *b = e->b;
	for (size_t i = 0; i < b->batch.n_items; i++) {
		struct store_item *it = &b->items[i];
		if (!it->found) {
			memset(&it->state, 0, offsetof(struct hh_state, cur));
			it->state.key = it->key;
			it->state.has_case = false;
		}
	}
	b->n_done = 0;
	for (size_t i = 0; i < n; i++)
		policy_decide(e, i, &recs[i]);
	b->n = n;
	b->batch.cases = b->done;
	b->batch.n_cases = b->n_done;
	batch_retention(e);
}

/* A stored batch's decisions and completed cases, to the observer. */
static int report(struct engine *e, const struct slot *b)
{
	int rc;
	for (size_t i = 0; i < b->n; i++)
		if ((rc = e->obs.decision(e->obs.ud, &b->decs[i])))
			return rc;
	for (size_t i = 0; i < b->n_done; i++)
		if ((rc = e->obs.case_done(e->obs.ud, &b->done[i].household, &b->done[i].c)))
			return rc;
	return e->obs.reported ? e->obs.reported(e->obs.ud) : VR_OK;
}

/* A decided batch, to the observer's early hooks, before it is stored. */
static int report_early(struct engine *e, const struct slot *b)
{
	int rc;
	if (!e->obs.decision_early && !e->obs.case_early && !e->obs.written)
		return VR_OK;
	e->in_early = true;
	rc = VR_OK;
	for (size_t i = 0; e->obs.decision_early && i < b->n && rc == VR_OK; i++)
		rc = e->obs.decision_early(e->obs.ud, &b->decs[i]);
	for (size_t i = 0; e->obs.case_early && i < b->n_done && rc == VR_OK; i++)
		rc = e->obs.case_early(e->obs.ud, &b->done[i].household, &b->done[i].c);
	if (rc == VR_OK && e->obs.written)
		rc = e->obs.written(e->obs.ud);
	e->in_early = false;
	return rc;
}

int engine_sync(struct engine *e)
{
	int rc = VR_OK;
	switch (e->sent_state) {
	case SENT_NONE:
		return VR_OK;
	case SENT_WAITING:
		rc = store_apply_wait(e->st);
		break;
	case SENT_FAILED:
		/* Failed, or the outcome is unknown (the connection broke after
		 * the writes were sent): repeat the same writes (idempotent)
		 * instead of deciding again on a state that may hold them. */
		rc = store_apply(e->st, &e->sent->batch);
		break;
	case SENT_APPLIED:
		break;
	}
	if (rc != VR_OK) {
		e->sent_state = SENT_FAILED;
		return rc;
	}
	e->sent_state = SENT_NONE;
	return report(e, e->sent);
}

int engine_submit(struct engine *e, const struct engine_rec *recs, size_t n)
{
	int rc, arc = VR_OK;

	if (n > e->conf.batch_size)
		return VR_EINVAL;
	if ((e->sent_state == SENT_FAILED || e->sent_state == SENT_APPLIED) &&
	    (rc = engine_sync(e)) != VR_OK)
		return rc;
	/* While the store works on the previous batch's writes, read and
	 * pseudonymise this one; its load goes after those writes.  The
	 * clock is put back if this batch is not decided now, so a repeated
	 * call sees the clock an undisturbed run would. */
	struct vr_clock clk = *e->clk;
	prepare(e, recs, n);
	store_load_send(e->st, &e->b->batch);
	if (e->sent_state == SENT_WAITING) {
		arc = store_apply_wait(e->st);
		e->sent_state = arc == VR_OK ? SENT_APPLIED : SENT_FAILED;
	}
	rc = store_load_wait(e->st, &e->b->batch);
	if (arc != VR_OK || rc != VR_OK) {
		*e->clk = clk;
		if (arc != VR_OK)
			return arc; /* the load may have missed those writes */
		/* The previous batch is stored: report it now, not only when
		 * (if ever) this one is retried. */
		if (e->sent_state == SENT_APPLIED) {
			int src = engine_sync(e);
			if (src != VR_OK)
				return src;
		}
		return rc;
	}
	decide_batch(e, recs, n);
	if ((rc = report_early(e, e->b)) != VR_OK) {
		/* Not stored, not to be reported: as if never decided. */
		*e->clk = clk;
		if (e->sent_state == SENT_APPLIED) {
			e->sent_state = SENT_NONE;
			(void)report(e, e->sent);
		}
		return rc;
	}
	store_apply_send(e->st, &e->b->batch);
	/* The previous batch is reported while the store writes this one. */
	if (e->sent_state == SENT_APPLIED) {
		e->sent_state = SENT_NONE;
		rc = report(e, e->sent);
	}
	struct slot *t = e->sent;
	e->sent = e->b;
	e->b = t;
	e->sent_state = SENT_WAITING;
	e->process_pending = false;
	return rc;
}

int engine_process(struct engine *e, const struct engine_rec *recs, size_t n)
{
	int rc;
	if (e->sent_state != SENT_NONE) {
		/* Only the batch of an engine_process() whose apply failed may
		 * be pending here: finish it.  Anything else is a caller that
		 * mixed in engine_submit() without engine_sync(). */
		if (!e->process_pending || n != e->sent->n)
			return VR_EINVAL;
	} else if ((rc = engine_submit(e, recs, n)) != VR_OK) {
		return rc;
	}
	if ((rc = engine_sync(e)) != VR_OK) {
		e->process_pending = e->sent_state == SENT_FAILED;
		return rc;
	}
	e->process_pending = false;
	/* Every batch in the same scratch: warm in the caches. */
	struct slot *t = e->b;
	e->b = e->sent;
	e->sent = t;
	return VR_OK;
}

void engine_discard(struct engine *e)
{
	/* A sent apply's answer is still read, so the store is in step. */
	if (e->sent_state == SENT_WAITING)
		(void)store_apply_wait(e->st);
	e->sent_state = SENT_NONE;
	e->process_pending = false;
}

/* Cases are walked only with every decided batch stored and reported. */
static int settle(struct engine *e)
{
	if (e->sent_state == SENT_FAILED)
		return VR_EAGAIN; /* the caller finishes or discards it first */
	return engine_sync(e);
}

/* A case still in the store at the end, found by store_foreach. */
struct open_case {
	vr_date opened;
	char id[CASE_ID_STRLEN];
	struct hkey household;
	bool prev;               /* the household's previous case, not its latest */
};

struct open_cases {
	struct open_case *v;
	size_t n, cap;
	bool with_prev;
};

static int add_open(struct open_cases *oc, const struct hh_state *h, bool prev)
{
	if (oc->n == oc->cap) {
		size_t cap = oc->cap ? 2 * oc->cap : 1024;
		struct open_case *v = realloc(oc->v, cap * sizeof(*v));
		if (!v)
			return VR_ENOMEM;
		oc->v = v;
		oc->cap = cap;
	}
	const struct case_rec *k = prev ? &h->prev : &h->cur;
	struct open_case *c = &oc->v[oc->n++];
	c->opened = k->opened;
	memcpy(c->id, k->id, sizeof(c->id));
	c->household = h->key;
	c->prev = prev;
	return VR_OK;
}

/* Both cases a household may hold; the latest only for the households list. */
static int collect_open(void *ud, const struct hh_state *h)
{
	struct open_cases *oc = ud;
	int rc = h->has_case ? add_open(oc, h, false) : VR_OK;
	return rc == VR_OK && h->has_prev && oc->with_prev ? add_open(oc, h, true) : rc;
}

static int by_opened(const void *a, const void *b)
{
	const struct open_case *x = a, *y = b;
	if (x->opened != y->opened)
		return x->opened < y->opened ? -1 : 1;
	return strcmp(x->id, y->id);
}

int engine_case_households(struct engine *e, struct hkey **keys, size_t *n)
{
	struct open_cases oc = {0};
	*keys = NULL;
	*n = 0;
	int rc = settle(e);
	if (rc != VR_OK)
		return rc;
	rc = store_foreach(e->st, collect_open, &oc);
	if (rc == VR_OK && oc.n) {
		*keys = malloc(oc.n * sizeof(**keys));
		if (!*keys)
			rc = VR_ENOMEM;
		for (size_t i = 0; *keys && i < oc.n; i++)
			(*keys)[i] = oc.v[i].household;
		*n = *keys ? oc.n : 0;
	}
	free(oc.v);
	return rc;
}

/*
 * Report the open cases in (opened, case id) order: the same whatever the
 * backend's iteration order and however the input was cut into batches.
 * The states are read back in batches through the ordinary load.
 */
int engine_flush_cases(struct engine *e)
{
	struct open_cases oc = {.with_prev = true};
	int rc = settle(e);
	if (rc != VR_OK)
		return rc;
	rc = store_foreach(e->st, collect_open, &oc);
	if (rc == VR_OK && oc.n)
		qsort(oc.v, oc.n, sizeof(*oc.v), by_opened);
	for (size_t at = 0; rc == VR_OK && at < oc.n; at += e->conf.batch_size) {
		size_t m = oc.n - at < e->conf.batch_size ? oc.n - at : e->conf.batch_size;
		struct store_batch b = {.items = e->b->items, .n_items = m};
		for (size_t i = 0; i < m; i++)
			e->b->items[i].key = oc.v[at + i].household;
		if ((rc = store_load(e->st, &b)) != VR_OK)
			break;
		for (size_t i = 0; i < m && rc == VR_OK; i++) {
			const struct hh_state *h = &e->b->items[i].state;
			bool prev = oc.v[at + i].prev;
			if (e->b->items[i].found && (prev ? h->has_prev : h->has_case))
				rc = e->obs.case_done(e->obs.ud, &e->b->items[i].key,
						       prev ? &h->prev : &h->cur);
		}
	}
	free(oc.v);
	return rc;
}
