/*
 * policy.c - the decision for one record (docs/engine.md, "Steps"): its
 * validation outcome as a status, redelivery, municipality and status
 * rules, onterecht, repeat, matching into the household's case, priority,
 * due date and score (the rule set's), and the case's contact block.
 */
#include "engine_int.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "names.h"
#include "vr.h"

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
	case FLAG_LATE: return "late";
	}
	return "?";
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

/*
 * Keyed digests (pseudo_short) of who owes whom: the partner organisation
 * and the person (the BSN, else the birth date, else the household alone),
 * and with the ontstaansdatum the arrear (docs/engine.md, step 6).  They
 * stand for a BSN, so a plain hash would give the BSN away by brute force.
 */
static uint64_t debt_key(const struct engine *e, const struct signal *s, bool arrear)
{
	/* org NUL kind person NUL [date]: bounded by signal.h's field sizes. */
	char buf[SIG_ORG_MAX + 1 + 1 + VR_DATE_STRLEN + 1 + sizeof(vr_date)];
	size_t n = strlen(s->partner_org), m;
	memcpy(buf, s->partner_org, n + 1);
	if (s->client.bsn[0]) {
		buf[++n] = 'b';
		m = strlen(s->client.bsn);
		memcpy(buf + n + 1, s->client.bsn, m + 1);
	} else {
		buf[++n] = 'g';
		m = sizeof(vr_date);
		memcpy(buf + n + 1, &s->client.birth, m); /* VR_DATE_NONE: none */
		buf[n + 1 + m] = '\0';
	}
	n += 1 + m + 1;
	if (arrear) {
		memcpy(buf + n, &s->arrears_since, sizeof(vr_date));
		n += sizeof(vr_date);
	}
	return pseudo_short(e->ps, buf, n);
}

static struct hh_arrear *hh_arrear_find(struct hh_state *h, uint64_t key)
{
	for (unsigned i = 0; i < h->n_arrears; i++)
		if (h->arrears[i].key == key)
			return &h->arrears[i];
	return NULL;
}

/* Remember a pick-up of an arrear; the oldest makes room when full. */
static void hh_arrear_note(struct hh_state *h, uint64_t key, const struct signal *s,
			   uint64_t case_seq)
{
	struct hh_arrear *slot = hh_arrear_find(h, key);
	/* The window counts from the latest pick-up, also after a late one. */
	vr_date picked = slot && slot->picked > s->signal_date ? slot->picked : s->signal_date;
	if (!slot && h->n_arrears < HH_ARREARS_MAX)
		slot = &h->arrears[h->n_arrears++];
	if (!slot) {
		slot = &h->arrears[0];
		for (unsigned i = 1; i < h->n_arrears; i++)
			if (h->arrears[i].picked < slot->picked)
				slot = &h->arrears[i];
	}
	*slot = (struct hh_arrear){key, picked, s->amount, case_seq, s->crisis, s->end_of_supply};
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

/* A case leaves the household's state: complete, reported with the batch. */
static struct case_rec *case_done(struct engine *e, const struct store_item *it,
				  const struct case_rec *c)
{
	struct store_case *d = &e->b->done[e->b->n_done++];
	d->household = it->key;
	d->c = *c;
	return &d->c;
}

/* c becomes the household's next case, starting with s; before is the case
 * it follows in time, or NULL. */
static void case_start(struct engine *e, struct store_item *it, struct case_rec *c,
		       const struct signal *s, const struct case_rec *before)
{
	char hex[HKEY_STRLEN], day[VR_DATE_STRLEN];
	bool opeenvolgend = before && s->signal_date - before->last_signal <
					      ruleset_consecutive_lookback(e->rs);
	vr_date floor = before ? before->opened + ruleset_matching_period(e->rs) : VR_DATE_NONE;

	memset(c, 0, sizeof(*c));
	hkey_format(&it->key, hex);
	date_format(s->signal_date, day);
	/* c-<first 64 bits of the household pseudonym>-<yyyymmdd>: unique,
	 * since no two cases of a household start on one day (a late case
	 * starts between the periods of the cases around it). */
	snprintf(c->id, sizeof(c->id), "c-%.16s-%.4s%.2s%.2s", hex + 2, day, day + 5, day + 8);
	c->seq = ++it->state.n_cases;
	c->opened = s->signal_date;
	c->received = s->received;
	c->floor = floor;
	c->last_signal = s->signal_date;
	c->due = VR_DATE_NONE;
	c->opeenvolgend = opeenvolgend;
}

/* Start the household's next case with s: the latest becomes the previous
 * one, and the previous one is complete. */
static void case_open(struct engine *e, struct store_item *it, const struct signal *s)
{
	struct hh_state *h = &it->state;
	if (h->has_case) {
		if (h->has_prev)
			case_done(e, it, &h->prev);
		h->prev = h->cur;
		h->has_prev = true;
	}
	case_start(e, it, &h->cur, s, h->has_prev ? &h->prev : NULL);
	h->has_case = true;
}

/* The org's latest amount for this person replaces its earlier one: a
 * partner reports what the person owes it now, and an escalation is the
 * same debt grown, not a second one.  Another person's debt adds. */
static void case_org_note(struct case_rec *c, const struct signal *s, uint64_t org,
			  uint64_t who)
{
	for (unsigned i = 0; i < c->n_orgs; i++) {
		if (c->orgs[i].who == who) {
			c->orgs[i].amount = s->amount;
			return;
		}
	}
	if (c->n_orgs < CASE_ORGS_MAX)
		c->orgs[c->n_orgs++] = (struct case_org){org, who, (uint8_t)s->partner, s->amount};
}

static void case_add(struct engine *e, struct case_rec *c, const struct signal *s, uint64_t org,
		     uint64_t who, struct rules_ctx *ctx)
{
	vr_date due;
	enum case_priority p = ruleset_priority(e->rs, ctx, &due);

	if (c->n_signals - c->signals_dropped < CASE_SIGNALS_MAX) {
		struct case_signal *cs = &c->signals[c->n_signals - c->signals_dropped];
		memcpy(cs->id, s->id, sizeof(cs->id));
		cs->org = org;
		cs->org_name = name_intern(s->partner_org);
		cs->partner = (uint8_t)s->partner;
		cs->priority = (uint8_t)p;
		cs->crisis = s->crisis;
		cs->end_of_supply = s->end_of_supply;
		cs->date = s->signal_date;
		cs->received = s->received;
		cs->amount = s->amount;
	} else {
		c->signals_dropped++;
	}
	c->n_signals++;
	case_org_note(c, s, org, who);
	if (p > c->priority)
		c->priority = (uint8_t)p;
	if (c->due == VR_DATE_NONE || due < c->due)
		c->due = due;
	if (s->signal_date > c->last_signal)
		c->last_signal = s->signal_date;
	if (s->received < c->received)
		c->received = s->received;
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

/*
 * Herhaalde melding: the same arrear was picked up within the repeat window
 * and the situation did not get worse: the amount did not rise enough, and
 * it did not become a crisis or an eindelevering.  When it did, the signal
 * is an escalation (flag escalatie) and *prev names the arrear.
 */
static bool is_repeat(const struct ruleset *rs, struct hh_state *h, const struct signal *s,
		      uint64_t arrear, struct decision *d, const struct hh_arrear **prev)
{
	const struct hh_arrear *a = hh_arrear_find(h, arrear);
	char day[VR_DATE_STRLEN];

	*prev = NULL;
	if (!a || s->signal_date - a->picked >= ruleset_repeat_window(rs))
		return false;
	if (s->amount - a->amount >= ruleset_escalation_min_rise(rs) || (s->crisis && !a->crisis) ||
	    (s->end_of_supply && !a->end_of_supply)) {
		d->flags |= FLAG_ESCALATIE;
		*prev = a;
		return false;
	}
	snprintf(d->reason, sizeof(d->reason),
		 "same arrear picked up on %s with bedrag %lld; not risen, no new crisis "
		 "or eindelevering",
		 date_format(a->picked, day), (long long)a->amount);
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

/* Can c start on day d: c with it still within one matching period, and d
 * past the period of the case before c? */
static bool can_start_at(const struct case_rec *c, vr_date d, int period)
{
	return c->last_signal - d < period && (c->floor == VR_DATE_NONE || d >= c->floor);
}

/*
 * The case of a late signal, dated before the household's latest case
 * opened (docs/engine.md, step 7): the latest case when it can start that
 * day, else the previous one when its period covers the day or it can
 * start that day; a late case of its own when the day lies between the
 * two (or before the household's first case), which then is the previous
 * one.  A signal older than both joins the previous case as it is.
 */
static struct case_rec *late_case(struct engine *e, struct store_item *it,
				  const struct signal *s, struct decision *d)
{
	struct hh_state *h = &it->state;
	struct case_rec *p = &h->prev;
	int period = ruleset_matching_period(e->rs);
	vr_date day = s->signal_date;

	d->flags |= FLAG_LATE;
	if (can_start_at(&h->cur, day, period)) {
		h->cur.opened = day;
		return &h->cur;
	}
	if (h->has_prev && day >= p->opened && day - p->opened < period)
		return p;
	if (h->has_prev && day < p->opened && can_start_at(p, day, period)) {
		p->opened = day;
		return p;
	}
	if (h->has_prev ? day >= p->opened + period : h->cur.floor == VR_DATE_NONE) {
		const struct case_rec *before = h->has_prev ? case_done(e, it, p) : NULL;
		case_start(e, it, p, s, before);
		h->has_prev = true;
		h->cur.floor = day + period;
		d->flags |= FLAG_NIEUWE_ZAAK;
		return p;
	}
	return h->has_prev ? p : &h->cur; /* no previous case: a state older than version 8 */
}

/*
 * The case a picked-up signal joins (docs/engine.md, step 7), opened when
 * needed.  An escalation of an arrear in the household's current case joins
 * that case, whatever its matching period: the same debt, worse.
 */
static struct case_rec *case_choose(struct engine *e, struct store_item *it,
				    const struct signal *s, const struct hh_arrear *esc,
				    struct decision *d)
{
	struct hh_state *h = &it->state;
	if (!h->has_case) {
		case_open(e, it, s);
		d->flags |= FLAG_NIEUWE_ZAAK;
		return &h->cur;
	}
	bool late = s->signal_date < h->cur.opened;
	if (esc && esc->case_seq == h->cur.seq) {
		if (late)
			d->flags |= FLAG_LATE;
		return &h->cur;
	}
	if (late)
		return late_case(e, it, s, d);
	if (s->signal_date - h->cur.opened < ruleset_matching_period(e->rs))
		return &h->cur;
	case_open(e, it, s);
	d->flags |= FLAG_NIEUWE_ZAAK;
	return &h->cur;
}

/* The steps of docs/engine.md in order, best read in one piece. */
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
	/* A household already known to schuldhulpverlening goes to its
	 * caseworker whatever the amount or an earlier signal. */
	if (rst != RSTATUS_BEKEND && is_onterecht(rs, s, d->reason, sizeof(d->reason))) {
		d->status = DEC_ONTERECHT;
		return;
	}
	uint64_t arrear = debt_key(e, s, true);
	const struct hh_arrear *esc = NULL;
	if (rst != RSTATUS_BEKEND && is_repeat(rs, h, s, arrear, d, &esc)) {
		d->status = DEC_HERHAALD;
		return;
	}

	d->status = rst == RSTATUS_BEKEND ? DEC_BEKEND : DEC_OPGEPAKT;
	if (rst == RSTATUS_BEKEND && why[0])
		snprintf(d->reason, sizeof(d->reason), "%s", why);
	it->dirty = true;
	struct case_rec *c = case_choose(e, it, s, esc, d);
	hh_arrear_note(h, arrear, s, c->seq);
	case_add(e, c, s, sig_text_hash(s->partner_org), debt_key(e, s, false), &ctx);
	d->has_case = true;
	dec_case_fill(&d->kase, c);
	if (e->ck)
		contact_note(e, c, &s->client);
	if (e->b->after) {
		e->b->after[i] = *c;
		d->case_after = &e->b->after[i];
	}
}

void policy_decide(struct engine *e, size_t i, const struct engine_rec *rec)
{
	struct slot *b = e->b;
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
		if (b->errs[i].code > REJ_ID && !rec->reject)
			d->signal_id = b->sigs[i].id;
	}
}
