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

	/* Scratch for one batch, sized conf.batch_size.  There are two, so a
	 * batch can be decided while the previous one's apply is on its way
	 * to the store (engine_submit). */
	struct slot {
		struct signal *sigs;
		struct sig_error *errs;
		bool *valid;
		struct hkey *hkeys;
		uint32_t *item_of;        /* record -> index in items */
		uint64_t *mark_id;        /* record -> its redelivery mark */
		struct store_item *items;
		struct store_batch batch;
		struct decision *decs;
		struct store_case *done;
		size_t n_done;
		size_t n;                 /* records */
	} slots[2];
	struct slot *b;               /* the batch being decided */
	struct slot *sent;            /* the batch decided before it */
	enum {
		SENT_NONE,            /* reported (or none yet) */
		SENT_WAITING,         /* its apply is sent, outcome not read */
		SENT_APPLIED,         /* stored, not reported yet */
		SENT_FAILED,          /* its apply failed or its outcome is
				       * unknown: to be repeated */
	} sent_state;
	bool process_pending;     /* sent is an engine_process() batch whose
				   * apply failed: that call is repeated */
	uint32_t *ht;             /* batch-local index: slot -> item/mark + 1 */
	size_t ht_cap;
	struct contact_key *ck;
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
	}
	free(e->ht);
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
		if (!b->sigs || !b->errs || !b->valid || !b->hkeys || !b->item_of ||
		    !b->mark_id || !b->items || !b->decs || !b->done)
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
		struct store_case *d = &e->b->done[e->b->n_done++];
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
	struct decision *d = &e->b->decs[i];
	const struct signal *s = &e->b->sigs[i];
	const struct ruleset *rs = e->rs;
	struct store_item *it = &e->b->items[e->b->item_of[i]];
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

	const struct hh_mark *seen = hh_mark_find(h, e->b->mark_id[i]);
	if (seen) {
		d->status = DEC_DUPLICATE;
		d->original = seen->status < DEC_DUPLICATE ? (enum dec_status)seen->status
							   : DEC__COUNT;
		return;
	}
	hh_mark_note(h, e->b->mark_id[i], s->signal_date, ruleset_retention_marks(rs));
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
	e->b->batch.n_items = 0;
	for (size_t i = 0; i < n; i++) {
		struct signal *s = &e->b->sigs[i];
		struct decision *d = &e->b->decs[i];
		memset(d, 0, sizeof(*d));
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
		if (ruleset_matching_key(e->rs) != RULES_KEY_PERSON ||
		    !pseudo_person(e->ps, &s->client, &e->b->hkeys[i]))
			pseudo_household(e->ps, &s->client, &e->b->hkeys[i]);
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
	for (size_t i = 0; i < n; i++) {
		if (b->valid[i]) {
			decide(e, i);
			/* The mark remembers the status, so a redelivery can be
			 * answered with it (partner feedback after a crash). */
			struct hh_mark *mk;
			if (b->decs[i].status != DEC_DUPLICATE &&
			    (mk = hh_mark_find(&b->items[b->item_of[i]].state, b->mark_id[i])))
				mk->status = (uint8_t)b->decs[i].status;
		} else {
			struct decision *d = &b->decs[i];
			d->status = DEC_REJECTED;
			d->err = &b->errs[i];
			/* The ID is parsed right after the object check. */
			if (b->errs[i].code > REJ_ID && !recs[i].reject)
				d->signal_id = b->sigs[i].id;
		}
	}
	b->n = n;
	b->batch.cases = b->done;
	b->batch.n_cases = b->n_done;
	batch_retention(e);
}

/* A stored batch's decisions and completed cases, to the sink. */
static int report(struct engine *e, const struct slot *b)
{
	int rc;
	for (size_t i = 0; i < b->n; i++)
		if ((rc = e->sink.decision(e->sink.ud, &b->decs[i])))
			return rc;
	for (size_t i = 0; i < b->n_done; i++)
		if ((rc = e->sink.case_done(e->sink.ud, &b->done[i].household, &b->done[i].c)))
			return rc;
	return VR_OK;
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
	struct open_cases oc = {0};
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
		for (size_t i = 0; i < m && rc == VR_OK; i++)
			if (e->b->items[i].found && e->b->items[i].state.has_case)
				rc = e->sink.case_done(e->sink.ud, &e->b->items[i].key,
						       &e->b->items[i].state.cur);
	}
	free(oc.v);
	return rc;
}
