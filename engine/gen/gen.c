/*
 * gen.c - seeded synthetic signal generator (see gen.h).
 *
 * The model, month by month:
 * - every signal belongs to an arrears *episode* (one household, one partner,
 *   one ontstaansdatum); an episode starts with a first signal and the partner
 *   re-signals it monthly for a while with the same, a higher or sometimes a
 *   lower amount;
 * - per partner type a month has a target volume (rate x mix x season); the
 *   repeats of running episodes count towards it and new episodes fill the
 *   rest, so the realised rate follows the target whatever the repeat rate;
 * - a share of new episodes goes to a household that another partner
 *   signalled in the last six months (DOMAIN.md: almost half of the
 *   households had several arrears within six months);
 * - six months are generated before the start without output, so the first
 *   month already holds repeats of older arrears.
 * A month's records are sorted by day, given IDs and written; only running
 * episodes survive into the next month.
 *
 * This file is the timeline; gen_pop.c derives the population, gen_out.c
 * writes the records and gen_cli.c is the `vroeg gen` verb.
 */
#include "gen_int.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vr.h"

/* ---------------------------------------------------------------- PRNG -- */

static void rng_seed(struct rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++) {
		seed = mix64(seed);
		r->s[i] = seed;
	}
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** */
static uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

static double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform in [0, n), n < 2^32. */
static uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * n) >> 32);
}

/* A count with mean lambda: binomial for small means, normal for large. */
static long rng_count(struct rng *r, double lambda)
{
	if (lambda <= 0)
		return 0;
	if (lambda < 64) {
		long n = 0;
		double p = lambda / 1024;
		for (int i = 0; i < 1024; i++)
			n += rng_unit(r) < p;
		return n;
	}
	double z = -6; /* Irwin-Hall: no libm beyond sqrt, so byte-stable */
	for (int i = 0; i < 12; i++)
		z += rng_unit(r);
	double n = floor(lambda + sqrt(lambda) * z + 0.5);
	return n < 0 ? 0 : (long)n;
}

/* ------------------------------------------------------------ partners -- */

const struct gtype_info gen_gtypes[GT__COUNT] = {
	[GT_ZORG] = {"Zorg", 0.41, 150, 1500, 30, 100, 140, 0.50, 4},
	[GT_HUUR] = {"Huur", 0.20, 400, 4000, 30, 90, 750, 0.50, 6},
	[GT_ENERGIE] = {"Energie", 0.20, 100, 2000, 30, 90, 160, 0.45, 5},
	[GT_WATER] = {"Water", 0.18, 75, 400, 30, 90, 35, 0.40, 6},
	[GT_CAKZ] = {"CAK Zorgverzekeringen", 0.0035, 600, 3000, 180, 240, 150, 0.3, 3},
	[GT_HYPOTHEEK] = {"Hypotheek", 0.0015, 2000, 8000, 60, 120, 1100, 0.3, 3},
	[GT_BELASTING] = {"Belastingdienst", 0.0015, 600, 5000, 60, 180, 0, 0.3, 3},
	[GT_DUO] = {"DUO", 0.0015, 200, 2000, 60, 180, 120, 0.3, 3},
	[GT_CAKEB] = {"CAK Eigen bijdrage", 0.001, 100, 1500, 150, 210, 80, 0.3, 3},
	[GT_TOESLAGEN] = {"Dienst Toeslagen", 0.0005, 300, 5000, 60, 180, 0, 0.3, 3},
	[GT_OVERIGE] = {"Overige", 0.0005, 100, 1000, 30, 120, 50, 0.3, 3},
	[GT_GB] = {"Gemeentebelastingen", 0, 100, 1500, 30, 90, 0, 0.2, 3},
};

const struct org gen_orgs[] = {
	{GT_ZORG, 35, "ZVN", "Zorgverzekeraar Noord"},
	{GT_ZORG, 30, "ZVM", "Zorgverzekeraar Midden"},
	{GT_ZORG, 20, "GZV", "Gezond Verzekerd"},
	{GT_ZORG, 15, "ZZV", "Zorgzaam Zorgverzekeringen"},
	{GT_HUUR, 45, "WDL", "Woonstichting De Linie"},
	{GT_HUUR, 30, "WGR", "Woongoed Rivierenland"},
	{GT_HUUR, 15, "TIS", "Stichting Thuis in de Stad"},
	{GT_HUUR, 10, "PVB", "Particulier Verhuurbeheer BV"},
	{GT_ENERGIE, 40, "EDG", "Energie Direct Gemeente"},
	{GT_ENERGIE, 35, "GSN", "Groene Stroom Nederland"},
	{GT_ENERGIE, 25, "NZE", "Noordzee Energie"},
	{GT_WATER, 1, "WBO", "Waterbedrijf Oost"},
	{GT_WATER, 1, "WLM", "Waterleiding Midden"},
	{GT_WATER, 1, "DWW", "Duinwaterbedrijf West"},
	{GT_CAKZ, 1, "CAKZ", "CAK Zorgverzekeringen"},
	{GT_HYPOTHEEK, 60, "HBC", "Hypotheekbank Centraal"},
	{GT_HYPOTHEEK, 40, "WHF", "Woonhypotheekfonds"},
	{GT_BELASTING, 1, "BD", "Belastingdienst"},
	{GT_DUO, 1, "DUO", "DUO"},
	{GT_CAKEB, 1, "CAKEB", "CAK Eigen bijdrage"},
	{GT_TOESLAGEN, 1, "DT", "Dienst Toeslagen"},
	{GT_OVERIGE, 1, "TOB", "Telecom Overig BV"},
	{GT_GB, 1, "GBR", "Gemeentebelastingen Rivierenland"},
};
_Static_assert(VR_ARRAY_LEN(gen_orgs) == GEN_ORGS, "GEN_ORGS counts gen_orgs[]");

/* ----------------------------------------------------------- generator -- */

/* Returns arr grown to hold at least n + 1 elements of sz, or NULL. */
static void *grow(void *arr, size_t *cap, size_t n, size_t sz)
{
	if (n < *cap)
		return arr;
	size_t ncap = *cap ? *cap * 2 : 1024;
	void *p = realloc(arr, ncap * sz);
	if (p)
		*cap = ncap;
	return p;
}

static int month_days(int y, int m)
{
	return m == 12 ? 31 : date_from_ymd(y, m + 1, 1) - date_from_ymd(y, m, 1);
}

/* ----------------------------------------------------------- episodes -- */

/* A working day near `day` of the month that starts on `first`. */
static vr_date work_day(vr_date first, int dim, int day)
{
	day = day < 1 ? 1 : day > dim ? dim : day;
	int wd = date_weekday(first + day - 1);
	if (wd == 5)
		day = day > 1 ? day - 1 : day + 2;
	else if (wd == 6)
		day = day < dim ? day + 1 : day - 2;
	return first + day - 1;
}

/* Most signals leave on working days; a tax peak in the first week. */
static int random_day(struct gen *g, int dim, vr_date first, bool peak)
{
	int day = 1;
	if (peak) {
		double u = rng_unit(&g->st->rng);
		return work_day(first, dim, 1 + (int)(u * u * 8)) - first + 1;
	}
	for (int i = 0; i < 8; i++) {
		day = 1 + (int)rng_below(&g->st->rng, (uint32_t)dim);
		if (!date_is_weekend(first + day - 1) || rng_unit(&g->st->rng) < 0.15)
			break;
	}
	return day;
}

static void ring_push(struct gen *g, uint32_t hh, int t, vr_date date)
{
	struct link *l = &g->ring[g->ring_pos];
	l->hh = hh;
	l->type = (uint8_t)t;
	l->date = date;
	g->ring_pos = (g->ring_pos + 1) % g->ring_cap;
	if (g->ring_n < g->ring_cap)
		g->ring_n++;
}

/* A home another partner signalled lately, or anyone. */
static uint32_t pick_household(struct gen *g, int t, vr_date date)
{
	double share = t == GT_GB ? GEN_TAX_LINK_SHARE : GEN_LINK_SHARE;
	if (g->ring_n && rng_unit(&g->st->rng) < share) {
		for (int i = 0; i < 4; i++) {
			const struct link *l =
				&g->ring[rng_below(&g->st->rng, (uint32_t)g->ring_n)];
			vr_date age = date > l->date ? date - l->date : l->date - date;
			if (l->type != t && age <= GEN_LINK_DAYS)
				return l->hh;
		}
	}
	return rng_below(&g->st->rng, (uint32_t)g->o->households);
}

/* A household keeps its insurer, landlord and supplier. */
static uint8_t pick_org(const struct gen *g, uint32_t hh, int t)
{
	unsigned total = 0, first = GEN_ORGS;
	if (t == GT_WATER)
		return g->water_org;
	for (unsigned i = 0; i < GEN_ORGS; i++) {
		if (gen_orgs[i].type != t)
			continue;
		if (first == GEN_ORGS)
			first = i;
		total += gen_orgs[i].weight;
	}
	unsigned u = (unsigned)(hash3(g->pop_seed, hh, 100 + (uint64_t)t) % total);
	for (unsigned i = first; i < GEN_ORGS; i++) {
		if (u < gen_orgs[i].weight)
			return (uint8_t)i;
		u -= gen_orgs[i].weight;
	}
	return (uint8_t)first;
}

static uint8_t pick_adult(struct gen *g, uint32_t hh, int t)
{
	int n = gen_household_adults(g, hh);
	if (n == 1 || (t != GT_ZORG && rng_unit(&g->st->rng) < 0.8))
		return 0;
	return (uint8_t)rng_below(&g->st->rng, (uint32_t)n);
}

/* Which identity the partner sends, and which contact details. */
static uint8_t pick_mode(struct gen *g, int t)
{
	double u = rng_unit(&g->st->rng);
	uint8_t m = ID_FULL;
	if (t <= GT_WATER || t == GT_OVERIGE) {
		if (u < 0.15)
			m = ID_ADDR;
		else if (t == GT_ZORG && u < 0.25)
			m = ID_BSN;
	}
	if (m == ID_ADDR || rng_unit(&g->st->rng) < 0.75)
		m |= MODE_BIRTH;
	if (rng_unit(&g->st->rng) < 0.9)
		m |= MODE_PHONE;
	if (rng_unit(&g->st->rng) < 0.3)
		m |= MODE_EMAIL;
	return m;
}

static int32_t first_amount(struct gen *g, int t)
{
	const struct gtype_info *ti = &gen_gtypes[t];
	if (t <= GT_WATER && rng_unit(&g->st->rng) < GEN_LOW_SHARE)
		return 15 + (int32_t)rng_below(&g->st->rng, 60);
	double u = rng_unit(&g->st->rng), s = 0.2 * u + 0.8 * u * u * u;
	return ti->amount_lo + (int32_t)(s * (ti->amount_hi - ti->amount_lo));
}

/* Usually the arrears grow or stay; sometimes a partial payment. */
static int32_t next_amount(struct gen *g, const struct episode *e)
{
	double u = rng_unit(&g->st->rng);
	int32_t rise = gen_gtypes[e->type].rise, a = e->amount;
	if (u < 0.55 && rise > 0)
		a += rise * (80 + (int32_t)rng_below(&g->st->rng, 41)) / 100;
	else if (u >= 0.88)
		a = a * (50 + (int32_t)rng_below(&g->st->rng, 41)) / 100;
	return a > GEN_AMOUNT_MAX ? GEN_AMOUNT_MAX : a < 1 ? 1 : a;
}

static int first_days(struct gen *g, int t)
{
	const struct gtype_info *ti = &gen_gtypes[t];
	if (rng_unit(&g->st->rng) < GEN_EARLY_SHARE)
		return 5 + (int)rng_below(&g->st->rng, 25);
	double u = rng_unit(&g->st->rng);
	return ti->days_lo + (int)((u + u * u) / 2 * (ti->days_hi - ti->days_lo));
}

/* Eviction, disconnection or termination threatens. */
static bool crisis_draw(struct gen *g, int t, int32_t amount, bool eind)
{
	double p = 0.01;
	if (t == GT_HUUR)
		p = amount >= 2500 ? 0.12 : 0.02;
	else if (t == GT_ENERGIE)
		p = eind ? 0.05 : 0.005;
	else if (t == GT_ZORG)
		p = 0.005;
	else if (t == GT_HYPOTHEEK)
		p = 0.10;
	return rng_unit(&g->st->rng) < p;
}

/* Once an end-of-supply notice is out it stays in the later signals. */
static uint8_t signal_flags(struct gen *g, struct episode *e, bool first)
{
	uint8_t f = 0;
	if (e->type == GT_ENERGIE && !e->eind)
		e->eind = rng_unit(&g->st->rng) < (first ? 0.12 : 0.25);
	else if (e->type == GT_WATER && !e->eind)
		e->eind = rng_unit(&g->st->rng) < 0.02;
	if (e->eind)
		f |= RF_EIND;
	if (crisis_draw(g, e->type, e->amount, e->eind))
		f |= RF_CRISIS;
	if (rng_unit(&g->st->rng) < (e->type == GT_HUUR ? 0.05 : 0.02))
		f |= RF_WARM;
	if (rng_unit(&g->st->rng) < GEN_DUP_SHARE)
		f |= RF_DUP;
	return f;
}

/* The social-collection steps; the tax experiment skipped them more. */
static uint8_t pick_incasso(struct gen *g, int t)
{
	double miss = t == GT_GB ? 0.10 : 0.05, part = t == GT_GB ? 0.20 : 0.05;
	double u = rng_unit(&g->st->rng);
	if (u < miss)
		return INC_MISSING;
	if (u < miss + part)
		return (uint8_t)(INC_STEP_FALSE + rng_below(&g->st->rng, 4));
	return INC_COMPLETE;
}

static int rec_add(struct gen *g, struct episode *e, vr_date date, bool first)
{
	struct rec *recs = grow(g->recs, &g->cap_recs, g->nrecs, sizeof(*recs));
	if (!recs)
		return VR_ENOMEM;
	g->recs = recs;
	struct rec *r = &recs[g->nrecs++];
	r->flags = signal_flags(g, e, first);
	r->e = *e;
	r->date = date;
	r->key = (uint32_t)(rng_next(&g->st->rng) >> 32);
	r->ord = (uint32_t)(g->nrecs - 1);
	r->incasso = pick_incasso(g, e->type);
	return VR_OK;
}

/* Keep e for a re-signal next month, or let it end. */
static int episode_keep(struct gen *g, const struct episode *e)
{
	if (e->left == 0 || rng_unit(&g->st->rng) >= gen_gtypes[e->type].cont)
		return VR_OK;
	struct stream *st = g->st;
	struct episode *eps = grow(st->eps, &st->cap_eps, st->neps, sizeof(*eps));
	if (!eps)
		return VR_ENOMEM;
	st->eps = eps;
	eps[st->neps] = *e;
	eps[st->neps++].left--;
	return VR_OK;
}

static int episode_start(struct gen *g, int t, vr_date first, int dim, bool peak)
{
	struct episode e;
	int day = random_day(g, dim, first, peak);
	vr_date date = first + day - 1;

	memset(&e, 0, sizeof(e));
	e.type = (uint8_t)t;
	e.day = (uint8_t)day;
	e.hh = pick_household(g, t, date);
	e.org = pick_org(g, e.hh, t);
	e.adult = pick_adult(g, e.hh, t);
	e.mode = pick_mode(g, t);
	e.amount = first_amount(g, t);
	e.since = date - first_days(g, t);
	e.left = (uint8_t)(gen_gtypes[t].max_len - 1);
	if (t != GT_GB)
		ring_push(g, e.hh, t, date);
	if (rec_add(g, &e, date, true))
		return VR_ENOMEM;
	return episode_keep(g, &e);
}

/* Every running episode is re-signalled about a month after the last. */
static int episodes_step(struct gen *g, vr_date first, int dim, long *repeats)
{
	size_t i = 0;
	struct stream *st = g->st;
	while (i < st->neps) {
		struct episode *e = &st->eps[i];
		int day = e->day + (int)rng_below(&g->st->rng, 5) - 2;
		e->amount = next_amount(g, e);
		if (rec_add(g, e, work_day(first, dim, day), false))
			return VR_ENOMEM;
		repeats[e->type]++;
		if (e->left > 0 && rng_unit(&g->st->rng) < gen_gtypes[e->type].cont)
			st->eps[i++].left--;
		else
			st->eps[i] = st->eps[--st->neps];
	}
	return VR_OK;
}

/*
 * Expected signals per type this month.  Zorg peaks in March (January
 * premiums fall due) and is a little lower the other months, so a year
 * averages the national rate and March totals about 4.1/3.3 of a month.
 */
static void month_targets(const struct gen *g, int m, double *target)
{
	const double zorg_march = 1.6, zorg_other = (12 - zorg_march) / 11;
	for (int t = 0; t < GT_GB; t++) {
		double season = t != GT_ZORG ? 1 : m == 3 ? zorg_march : zorg_other;
		target[t] = g->per_month * gen_gtypes[t].share * season;
	}
	target[GT_GB] = !g->o->with_taxes ? 0 :
			g->per_month * (m == g->tax_month ? 1.0 : 0.04);
}

/* ------------------------------------------------------------- months -- */

/* By day; within a day in a random order that no other stream shifts. */
static int rec_cmp(const void *pa, const void *pb)
{
	const struct rec *a = pa, *b = pb;
	if (a->date != b->date)
		return a->date < b->date ? -1 : 1;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return a->ord < b->ord ? -1 : a->ord > b->ord;
}

/* Re-signal the stream's running episodes, then start new ones. */
static int stream_month(struct gen *g, struct stream *st, int m, vr_date first,
			int dim, const double *target)
{
	long repeats[GT__COUNT] = {0};
	int rc;

	g->st = st;
	rc = episodes_step(g, first, dim, repeats);
	for (int t = 0; t < GT__COUNT && rc == VR_OK; t++) {
		if ((t == GT_GB) != (st == &g->tax))
			continue;
		long n = rng_count(&st->rng, target[t] - (double)repeats[t]);
		bool peak = t == GT_GB && m == g->tax_month;
		for (long i = 0; i < n && rc == VR_OK; i++)
			rc = episode_start(g, t, first, dim, peak);
	}
	return rc;
}

static int gen_month(struct gen *g, int y, int m, bool emit)
{
	vr_date first = date_from_ymd(y, m, 1);
	int dim = month_days(y, m), rc;
	double target[GT__COUNT];

	g->nrecs = 0;
	month_targets(g, m, target);
	rc = stream_month(g, &g->base, m, first, dim, target);
	if (rc == VR_OK && g->o->with_taxes)
		rc = stream_month(g, &g->tax, m, first, dim, target);
	if (rc != VR_OK || !emit)
		return rc;
	qsort(g->recs, g->nrecs, sizeof(*g->recs), rec_cmp);
	return gen_month_emit(g);
}

/* ---------------------------------------------------------------- run -- */

void gen_opts_init(struct gen_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->households = 10000;
	o->months = 12;
	o->seed = 1;
	memcpy(o->municipality, "0344", 5);
	o->start = date_from_ymd(2024, 1, 1);
	o->with_taxes = false;
	o->invalid_fraction = 0;
}

bool gen_code_is_valid(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return s[4] == '\0';
}

int gen_opts_check(const struct gen_opts *o, char *err, size_t errlen)
{
	int y, m, d;
	date_to_ymd(o->start, &y, &m, &d);
	if (o->households < 1 || o->households > GEN_HOUSEHOLDS_MAX)
		snprintf(err, errlen, "households must be 1 to %ld", GEN_HOUSEHOLDS_MAX);
	else if (o->months < 1 || o->months > GEN_MONTHS_MAX)
		snprintf(err, errlen, "months must be 1 to %d", GEN_MONTHS_MAX);
	else if (!gen_code_is_valid(o->municipality))
		snprintf(err, errlen, "municipality must be a 4-digit CBS code");
	else if (!(o->invalid_fraction >= 0 && o->invalid_fraction <= 1))
		snprintf(err, errlen, "invalid fraction must be 0 to 1");
	else if (d != 1)
		snprintf(err, errlen, "start must be the first day of a month");
	else if (y < 1990 || (y * 12 + m - 1 + o->months - 1) / 12 > 2099)
		snprintf(err, errlen, "months must lie between 1990 and 2099");
	else
		return VR_OK;
	return VR_EINVAL;
}

static uint64_t code_num(const char *code)
{
	return (uint64_t)strtoul(code, NULL, 10);
}

static int gen_init(struct gen *g, const struct gen_opts *o, FILE *out)
{
	uint64_t muni = code_num(o->municipality), h;
	unsigned water = 0;

	memset(g, 0, sizeof(*g));
	g->o = o;
	g->out = out;
	rng_seed(&g->base.rng, hash3(o->seed, muni, 0x726e67));
	rng_seed(&g->tax.rng, hash3(o->seed, muni, 0x746178));
	g->pop_seed = hash3(o->seed, muni, 0x706f70);
	g->inv_seed = hash3(o->seed, muni, 0x696e76);
	h = hash3(g->pop_seed, 0, 0x62736e);
	g->bsn_mul = (h % GEN_BSN_SPACE) | 1;
	while (g->bsn_mul % 3 == 0 || g->bsn_mul % 5 == 0)
		g->bsn_mul += 2;
	g->bsn_add = (h >> 32) % GEN_BSN_SPACE;
	g->pc_base = (unsigned)(mix64(muni) % 8000);
	while (gen_orgs[water].type != GT_WATER)
		water++;
	g->water_org = (uint8_t)(water + mix64(muni + 1) % 3);
	g->tax_month = (uint8_t)(3 + mix64(muni + 2) % 2);
	g->per_month = (double)o->households * 2.2 * 4.4 / 1000;
	g->ring_cap = (size_t)(g->per_month * 4) + 256;
	g->ring = calloc(g->ring_cap, sizeof(*g->ring));
	return g->ring ? VR_OK : VR_ENOMEM;
}

static void gen_fini(struct gen *g)
{
	free(g->ring);
	free(g->base.eps);
	free(g->tax.eps);
	free(g->recs);
}

int gen_run(const struct gen_opts *o, FILE *out, char *err, size_t errlen)
{
	struct gen g;
	int y, m, d, rc;

	rc = gen_opts_check(o, err, errlen);
	if (rc)
		return rc;
	rc = gen_init(&g, o, out);
	date_to_ymd(o->start, &y, &m, &d);
	m -= GEN_BURN_IN;
	for (; m < 1; m += 12)
		y--;
	for (int i = -GEN_BURN_IN; i < o->months && rc == VR_OK; i++) {
		rc = gen_month(&g, y, m, i >= 0);
		if (++m > 12) {
			m = 1;
			y++;
		}
	}
	if (rc == VR_OK && (fflush(out) != 0 || ferror(out)))
		rc = VR_EIO;
	if (rc == VR_EIO)
		snprintf(err, errlen, "write failed: %s", strerror(errno));
	else if (rc)
		snprintf(err, errlen, "%s", vr_strerror(rc));
	gen_fini(&g);
	return rc;
}
