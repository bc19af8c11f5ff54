/* engine.c - the batch pipeline and the per-signal decision. */
#include "engine.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vr.h"

struct engine {
	struct engine_conf conf;
	const struct ruleset *rs;
	struct store *st;
	struct pseudo *ps;
	struct vr_clock *clk;
	struct engine_sink sink;

	/* Scratch for one batch, sized conf.batch_size. */
	struct signal *sigs;
	struct sig_error *errs;
	bool *valid;
	struct hkey *hkeys;
	uint32_t *item_of;        /* record -> index in items */
	uint64_t *mark_id;        /* record -> its redelivery mark */
	struct store_item *items;
	struct store_batch batch;
	uint32_t *ht;             /* batch-local index: slot -> item/mark + 1 */
	size_t ht_cap;
	struct decision *decs;
	struct store_case *done;
	struct contact_key *ck;
	bool pending;             /* decided, apply not confirmed */
	size_t pending_n;
	size_t n_done;
};

static const char *const status_names[DEC__COUNT] = {
	[DEC_OPGEPAKT] = "Opgepakt",
	[DEC_HERHAALD] = "Niet opgepakt: herhaalde melding",
	[DEC_ONTERECHT] = "Niet opgepakt: onterecht signaal",
	[DEC_ANDERE_REDEN] = "Niet opgepakt: andere reden",
	[DEC_BEKEND] = "Inwoner al bekend bij schuldhulpverlening",
	[DEC_OVERLEDEN] = "Inwoner is overleden",
	[DEC_GEEN_INWONER] = "Persoon is geen inwoner (meer) in de gemeente",
	[DEC_NOG_NIET] = "Nog niet opgepakt",
	[DEC_DUPLICATE] = "duplicate",
	[DEC_REJECTED] = "rejected",
};

const char *dec_status_name(enum dec_status s)
{
	return (unsigned)s < DEC__COUNT ? status_names[s] : "?";
}

const char *dec_flag_name(enum dec_flag f)
{
	switch (f) {
	case FLAG_INCASSO_ONBEKEND: return "incasso_onbekend";
	case FLAG_INCASSO_ONVOLLEDIG: return "incasso_onvolledig";
	case FLAG_ESCALATIE: return "escalatie";
	case FLAG_NIEUWE_ZAAK: return "nieuwe_zaak";
	}
	return "?";
}

const char *engine_rule_name(const struct engine *e, unsigned rule)
{
	return ruleset_score_name(e->rs, rule);
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
	free(e->sigs);
	free(e->errs);
	free(e->valid);
	free(e->hkeys);
	free(e->item_of);
	free(e->mark_id);
	free(e->items);
	free(e->ht);
	free(e->decs);
	free(e->done);
	free(e);
}

struct engine *engine_new(const struct engine_conf *conf, const struct ruleset *rs,
			  struct store *st, struct pseudo *ps, struct vr_clock *clk,
			  const struct engine_sink *sink, char *err, size_t errlen)
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
	e->sink = *sink;
	e->ht_cap = 1;
	while (e->ht_cap < 4 * n)
		e->ht_cap *= 2;
	e->sigs = calloc(n, sizeof(*e->sigs));
	e->errs = calloc(n, sizeof(*e->errs));
	e->valid = calloc(n, sizeof(*e->valid));
	e->hkeys = calloc(n, sizeof(*e->hkeys));
	e->item_of = calloc(n, sizeof(*e->item_of));
	e->mark_id = calloc(n, sizeof(*e->mark_id));
	e->items = calloc(n, sizeof(*e->items));
	e->ht = calloc(e->ht_cap, sizeof(*e->ht));
	e->decs = calloc(n, sizeof(*e->decs));
	e->done = calloc(n, sizeof(*e->done));
	if (!e->sigs || !e->errs || !e->valid || !e->hkeys || !e->item_of || !e->mark_id ||
	    !e->items || !e->ht || !e->decs || !e->done)
		goto out_nomem;
	e->batch.items = e->items;
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

static bool muni_is_served(const struct engine *e, const char *code)
{
	const struct engine_conf *c = &e->conf;
	if (c->n_municipalities) {
		for (size_t i = 0; i < c->n_municipalities; i++)
			if (strcmp(c->municipalities[i], code) == 0)
				return true;
		return false;
	}
	size_t n = ruleset_n_municipalities(e->rs);
	for (size_t i = 0; i < n; i++)
		if (strcmp(ruleset_municipality(e->rs, i), code) == 0)
			return true;
	return n == 0;
}

/* Remember a pick-up of org; the oldest entry makes room when full. */
static void hh_org_note(struct hh_state *h, uint64_t org, vr_date date, int64_t amount)
{
	struct hh_org *slot = NULL;
	for (unsigned i = 0; i < h->n_orgs && !slot; i++)
		if (h->orgs[i].org == org)
			slot = &h->orgs[i];
	if (!slot && h->n_orgs < HH_ORGS_MAX)
		slot = &h->orgs[h->n_orgs++];
	if (!slot) {
		slot = &h->orgs[0];
		for (unsigned i = 1; i < h->n_orgs; i++)
			if (h->orgs[i].picked < slot->picked)
				slot = &h->orgs[i];
	}
	slot->org = org;
	slot->picked = date;
	slot->amount = amount;
}

static struct hh_mark *hh_mark_find(struct hh_state *h, uint64_t id)
{
	for (unsigned i = 0; i < h->n_marks; i++)
		if (h->marks[i].id == id)
			return &h->marks[i];
	return NULL;
}

/* Remember a signal; marks past their retention go first, then the oldest. */
static void hh_mark_note(struct hh_state *h, uint64_t id, vr_date date, int retention)
{
	unsigned k = 0;
	for (unsigned i = 0; i < h->n_marks; i++)
		if (date - h->marks[i].date < retention)
			h->marks[k++] = h->marks[i];
	h->n_marks = (uint16_t)k;
	if (h->n_marks == HH_MARKS_MAX) {
		unsigned oldest = 0;
		for (unsigned i = 1; i < h->n_marks; i++)
			if (h->marks[i].date < h->marks[oldest].date)
				oldest = i;
		h->marks[oldest] = h->marks[--h->n_marks];
	}
	h->marks[h->n_marks++] = (struct hh_mark){id, date, HH_MARK_UNDECIDED};
}

static const struct hh_org *hh_org_find(const struct hh_state *h, uint64_t org)
{
	for (unsigned i = 0; i < h->n_orgs; i++)
		if (h->orgs[i].org == org)
			return &h->orgs[i];
	return NULL;
}

/* Start the household's next case with s, completing the previous one. */
static void case_open(struct engine *e, struct store_item *it, const struct signal *s)
{
	struct hh_state *h = &it->state;
	struct case_rec *c = &h->cur;
	uint64_t seq = 1;
	bool opeenvolgend = false;
	char hex[HKEY_STRLEN], day[VR_DATE_STRLEN];

	if (h->has_case) {
		struct store_case *d = &e->done[e->n_done++];
		d->household = it->key;
		d->c = *c;
		seq = c->seq + 1;
		opeenvolgend = s->signal_date - c->last_signal < ruleset_consecutive_lookback(e->rs);
	}
	memset(c, 0, sizeof(*c));
	h->has_case = true;
	hkey_format(&it->key, hex);
	date_format(s->signal_date, day);
	/* c-<first 64 bits of the household pseudonym>-<yyyymmdd>: unique,
	 * since a household opens at most one case a day. */
	snprintf(c->id, sizeof(c->id), "c-%.16s-%.4s%.2s%.2s", hex + 2, day, day + 5, day + 8);
	c->seq = seq;
	c->opened = s->signal_date;
	c->last_signal = s->signal_date;
	c->due = VR_DATE_NONE;
	c->opeenvolgend = opeenvolgend;
}

/* The org's latest amount replaces its earlier one: an escalation is the
 * same arrear grown, not a second debt. */
static void case_org_note(struct case_rec *c, const struct signal *s, uint64_t org)
{
	for (unsigned i = 0; i < c->n_orgs; i++) {
		if (c->orgs[i].org == org) {
			c->orgs[i].amount = s->amount;
			return;
		}
	}
	if (c->n_orgs < CASE_ORGS_MAX)
		c->orgs[c->n_orgs++] = (struct case_org){org, (uint8_t)s->partner, s->amount};
}

static void case_add(struct engine *e, struct case_rec *c, const struct signal *s, uint64_t org,
		     struct rules_ctx *ctx)
{
	vr_date due;
	enum case_priority p = ruleset_priority(e->rs, ctx, &due);

	if (c->n_signals - c->signals_dropped < CASE_SIGNALS_MAX) {
		struct case_signal *cs = &c->signals[c->n_signals - c->signals_dropped];
		memcpy(cs->id, s->id, sizeof(cs->id));
		cs->org = org;
		cs->partner = (uint8_t)s->partner;
		cs->priority = (uint8_t)p;
		cs->crisis = s->crisis;
		cs->end_of_supply = s->end_of_supply;
		cs->date = s->signal_date;
		cs->amount = s->amount;
	} else {
		c->signals_dropped++;
	}
	c->n_signals++;
	case_org_note(c, s, org);
	if (p > c->priority)
		c->priority = (uint8_t)p;
	if (c->due == VR_DATE_NONE || due < c->due)
		c->due = due;
	if (s->signal_date > c->last_signal)
		c->last_signal = s->signal_date;
	c->amount = 0;
	for (unsigned i = 0; i < c->n_orgs; i++)
		c->amount += c->orgs[i].amount;
	ctx->kase = c;
	ruleset_score(e->rs, ctx, c);
	snprintf(c->team, sizeof(c->team), "%s", ruleset_route(e->rs, ctx));
}

static void dec_case_fill(struct dec_case *d, const struct case_rec *c)
{
	memcpy(d->id, c->id, sizeof(d->id));
	d->score = c->score;
	d->priority = c->priority;
	d->due = c->due;
	d->n_rules = c->n_rules;
	memcpy(d->rules, c->rules, sizeof(d->rules[0]) * c->n_rules);
}

/* Onterecht signaal: below the partner type's threshold or outside its
 * accepted days-in-arrears range.  Fills the reason and returns true. */
static bool is_onterecht(const struct ruleset *rs, const struct signal *s, char *reason,
			 size_t len)
{
	int64_t thr = ruleset_threshold(rs, s->partner);
	int lo, hi, days = sig_days_overdue(s);

	if (s->amount < thr) {
		snprintf(reason, len, "bedrag %lld below threshold %lld", (long long)s->amount,
			 (long long)thr);
		return true;
	}
	ruleset_days_range(rs, s->partner, &lo, &hi);
	if (days < lo) {
		snprintf(reason, len, "%d days in arrears, fewer than %d", days, lo);
		return true;
	}
	if (hi >= 0 && days > hi) {
		snprintf(reason, len, "%d days in arrears, more than %d", days, hi);
		return true;
	}
	return false;
}

/* Herhaalde melding: the same org was picked up within the repeat window
 * and the amount did not rise enough.  Sets the escalation flag otherwise. */
static bool is_repeat(const struct ruleset *rs, const struct hh_state *h, const struct signal *s,
		      uint64_t org, struct decision *d)
{
	const struct hh_org *prev = hh_org_find(h, org);
	char day[VR_DATE_STRLEN];

	if (!prev || s->signal_date - prev->picked >= ruleset_repeat_window(rs))
		return false;
	if (s->amount - prev->amount >= ruleset_escalation_min_rise(rs)) {
		d->flags |= FLAG_ESCALATIE;
		return false;
	}
	snprintf(d->reason, sizeof(d->reason),
		 "same partner picked up on %s with bedrag %lld; not risen",
		 date_format(prev->picked, day), (long long)prev->amount);
	return true;
}

/* The case's contact block becomes this signal's client, sealed for the
 * case; a client who gave nothing to contact leaves the previous block. */
static void contact_note(struct engine *e, struct case_rec *c, const struct sig_client *cl)
{
	char plain[CONTACT_PLAIN_MAX];
	unsigned char sealed[CONTACT_SEALED_MAX];
	size_t n = contact_plain(cl, plain, sizeof(plain));

	if (!n)
		return;
	/* 0 when libcrypto failed: then the block stays as it was. */
	n = contact_seal(e->ck, c->id, plain, n, sealed);
	memset(plain, 0, sizeof(plain));
	if (n) {
		memcpy(c->contact, sealed, n);
		c->contact_len = (uint16_t)n;
	}
}

static void decide(struct engine *e, size_t i)
{
	struct decision *d = &e->decs[i];
	const struct signal *s = &e->sigs[i];
	const struct ruleset *rs = e->rs;
	struct store_item *it = &e->items[e->item_of[i]];
	struct hh_state *h = &it->state;
	struct hkey person;
	struct rules_ctx ctx = {s, &it->key, NULL, NULL};
	const char *why;

	d->sig = s;
	d->signal_id = s->id;
	d->has_household = true;
	d->household = it->key;
	if (!s->has_collection)
		d->flags |= FLAG_INCASSO_ONBEKEND;
	else if (sig_collection_incomplete(s))
		d->flags |= FLAG_INCASSO_ONVOLLEDIG;

	const struct hh_mark *seen = hh_mark_find(h, e->mark_id[i]);
	if (seen) {
		d->status = DEC_DUPLICATE;
		d->original = seen->status < DEC_DUPLICATE ? (enum dec_status)seen->status
							   : DEC__COUNT;
		return;
	}
	hh_mark_note(h, e->mark_id[i], s->signal_date, ruleset_retention_marks(rs));
	it->dirty = true;

	if (!muni_is_served(e, s->gemeentecode)) {
		d->status = DEC_GEEN_INWONER;
		snprintf(d->reason, sizeof(d->reason), "gemeentecode %s is not served",
			 s->gemeentecode);
		return;
	}
	if (ruleset_uses_person(rs) && pseudo_person(e->ps, &s->client, &person))
		ctx.person = &person;
	enum rules_status rst = ruleset_status(rs, &ctx, &why);
	if (rst == RSTATUS_ANDERE_REDEN || rst == RSTATUS_OVERLEDEN) {
		d->status = rst == RSTATUS_OVERLEDEN ? DEC_OVERLEDEN : DEC_ANDERE_REDEN;
		snprintf(d->reason, sizeof(d->reason), "%s", why[0] ? why : "status rule");
		return;
	}
	uint64_t org = sig_text_hash(s->partner_org);
	/* A household already known to schuldhulpverlening goes to its
	 * caseworker whatever the amount or an earlier signal. */
	if (rst != RSTATUS_BEKEND) {
		if (is_onterecht(rs, s, d->reason, sizeof(d->reason))) {
			d->status = DEC_ONTERECHT;
			return;
		}
		if (is_repeat(rs, h, s, org, d)) {
			d->status = DEC_HERHAALD;
			return;
		}
	}

	d->status = rst == RSTATUS_BEKEND ? DEC_BEKEND : DEC_OPGEPAKT;
	if (rst == RSTATUS_BEKEND && why[0])
		snprintf(d->reason, sizeof(d->reason), "%s", why);
	it->dirty = true;
	hh_org_note(h, org, s->signal_date, s->amount);
	if (!h->has_case || s->signal_date - h->cur.opened >= ruleset_matching_period(rs)) {
		case_open(e, it, s);
		d->flags |= FLAG_NIEUWE_ZAAK;
	}
	case_add(e, &h->cur, s, org, &ctx);
	d->has_case = true;
	dec_case_fill(&d->kase, &h->cur);
	if (e->ck)
		contact_note(e, &h->cur, &s->client);
}

/* Validate and pseudonymise; gather the batch's households. */
static void prepare(struct engine *e, const struct engine_rec *recs, size_t n)
{
	memset(e->ht, 0, e->ht_cap * sizeof(*e->ht));
	e->batch.n_items = 0;
	for (size_t i = 0; i < n; i++) {
		struct signal *s = &e->sigs[i];
		struct decision *d = &e->decs[i];
		memset(d, 0, sizeof(*d));
		d->source = recs[i].source;
		d->pos = recs[i].pos;
		if (recs[i].reject) {
			e->errs[i] = *recs[i].reject;
			e->valid[i] = false;
			continue;
		}
		e->valid[i] = sig_parse_def(recs[i].data, recs[i].len, clock_horizon(e->clk),
					    recs[i].def, s, &e->errs[i]) == VR_OK;
		if (!e->valid[i])
			continue;
		clock_observe(e->clk, s->signal_date);
		if (ruleset_matching_key(e->rs) != RULES_KEY_PERSON ||
		    !pseudo_person(e->ps, &s->client, &e->hkeys[i]))
			pseudo_household(e->ps, &s->client, &e->hkeys[i]);
		e->item_of[i] = batch_intern(e, e->items, sizeof(e->items[0]),
					     &e->batch.n_items, &e->hkeys[i]);
		/* The redelivery key: (org, ID), kept inside the household. */
		e->mark_id[i] = sig_text_hash2(s->partner_org, s->id);
	}
	for (size_t i = 0; i < e->batch.n_items; i++)
		e->items[i].dirty = false;
}

static void batch_retention(struct engine *e)
{
	const int64_t day = 86400;
	/* A household's state also holds its redelivery marks. */
	int keep = ruleset_retention_household(e->rs);
	if (ruleset_retention_marks(e->rs) > keep)
		keep = ruleset_retention_marks(e->rs);
	e->batch.ttl_household = day * keep;
	e->batch.ttl_case = day * ruleset_retention_cases(e->rs);
}

int engine_process(struct engine *e, const struct engine_rec *recs, size_t n)
{
	int rc;

	if (n > e->conf.batch_size)
		return VR_EINVAL;
	if (e->pending) {
		/* The last apply failed with an unknown outcome: the caller
		 * repeats the same batch, and we repeat the same writes
		 * (idempotent) instead of deciding again on a state that may
		 * already hold them. */
		if (n != e->pending_n)
			return VR_EINVAL;
		goto apply;
	}
	prepare(e, recs, n);
	if ((rc = store_load(e->st, &e->batch)) != VR_OK)
		return rc;
	for (size_t i = 0; i < e->batch.n_items; i++) {
		struct store_item *it = &e->items[i];
		if (!it->found) {
			memset(&it->state, 0, offsetof(struct hh_state, cur));
			it->state.key = it->key;
			it->state.has_case = false;
		}
	}
	e->n_done = 0;
	for (size_t i = 0; i < n; i++) {
		if (e->valid[i]) {
			decide(e, i);
			/* The mark remembers the status, so a redelivery can be
			 * answered with it (partner feedback after a crash). */
			struct hh_mark *mk;
			if (e->decs[i].status != DEC_DUPLICATE &&
			    (mk = hh_mark_find(&e->items[e->item_of[i]].state, e->mark_id[i])))
				mk->status = (uint8_t)e->decs[i].status;
		} else {
			struct decision *d = &e->decs[i];
			d->status = DEC_REJECTED;
			d->err = &e->errs[i];
			/* The ID is parsed right after the object check. */
			if (e->errs[i].code > REJ_ID && !recs[i].reject)
				d->signal_id = e->sigs[i].id;
		}
	}
	e->batch.cases = e->done;
	e->batch.n_cases = e->n_done;
	batch_retention(e);
	e->pending = true;
	e->pending_n = n;
apply:
	if ((rc = store_apply(e->st, &e->batch)) != VR_OK)
		return rc;
	e->pending = false;
	for (size_t i = 0; i < n; i++)
		if ((rc = e->sink.decision(e->sink.ud, &e->decs[i])))
			return rc;
	for (size_t i = 0; i < e->n_done; i++)
		if ((rc = e->sink.case_done(e->sink.ud, &e->done[i].household, &e->done[i].c)))
			return rc;
	return VR_OK;
}

/* A case still in the store at the end, found by store_foreach. */
struct open_case {
	vr_date opened;
	char id[CASE_ID_STRLEN];
	struct hkey household;
};

struct open_cases {
	struct open_case *v;
	size_t n, cap;
};

static int collect_open(void *ud, const struct hh_state *h)
{
	struct open_cases *oc = ud;
	if (!h->has_case)
		return VR_OK;
	if (oc->n == oc->cap) {
		size_t cap = oc->cap ? 2 * oc->cap : 1024;
		struct open_case *v = realloc(oc->v, cap * sizeof(*v));
		if (!v)
			return VR_ENOMEM;
		oc->v = v;
		oc->cap = cap;
	}
	struct open_case *c = &oc->v[oc->n++];
	c->opened = h->cur.opened;
	memcpy(c->id, h->cur.id, sizeof(c->id));
	c->household = h->key;
	return VR_OK;
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
	int rc = store_foreach(e->st, collect_open, &oc);
	*keys = NULL;
	*n = 0;
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
	struct open_cases oc = {0};
	int rc = store_foreach(e->st, collect_open, &oc);
	if (rc == VR_OK && oc.n)
		qsort(oc.v, oc.n, sizeof(*oc.v), by_opened);
	for (size_t at = 0; rc == VR_OK && at < oc.n; at += e->conf.batch_size) {
		size_t m = oc.n - at < e->conf.batch_size ? oc.n - at : e->conf.batch_size;
		struct store_batch b = {.items = e->items, .n_items = m};
		for (size_t i = 0; i < m; i++)
			e->items[i].key = oc.v[at + i].household;
		if ((rc = store_load(e->st, &b)) != VR_OK)
			break;
		for (size_t i = 0; i < m && rc == VR_OK; i++)
			if (e->items[i].found && e->items[i].state.has_case)
				rc = e->sink.case_done(e->sink.ud, &e->items[i].key,
						       &e->items[i].state.cur);
	}
	free(oc.v);
	return rc;
}
