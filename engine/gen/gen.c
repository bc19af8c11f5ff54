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
 */
#include "gen.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vr.h"

#define GEN_BURN_IN 6          /* months simulated before the first output */
#define GEN_LINK_DAYS 183      /* "another partner within six months" */
#define GEN_LINK_SHARE 0.58    /* new episodes at an already signalled home */
#define GEN_TAX_LINK_SHARE 0.30
#define GEN_DUP_SHARE 0.005    /* exact redeliveries */
#define GEN_LOW_SHARE 0.04     /* amounts below EUR 75 */
#define GEN_EARLY_SHARE 0.03   /* fewer than 30 days in arrears */
#define GEN_PER_POSTCODE 20    /* households per postcode */
#define GEN_BSN_SPACE 9000000u /* 7-digit BSN prefixes 1000000..9999999 */
#define GEN_LINE_MAX 2048
#define GEN_AMOUNT_MAX 1000000

/* ---------------------------------------------------------------- PRNG -- */

struct rng {
	uint64_t s[4];
};

/* splitmix64: seeds the stream and hashes (seed, household) pairs. */
static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t hash3(uint64_t a, uint64_t b, uint64_t c)
{
	return mix64(mix64(a ^ mix64(b)) ^ c);
}

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

enum gtype {
	GT_ZORG, GT_HUUR, GT_ENERGIE, GT_WATER, GT_CAKZ, GT_HYPOTHEEK,
	GT_BELASTING, GT_DUO, GT_CAKEB, GT_TOESLAGEN, GT_OVERIGE, GT_GB,
	GT__COUNT
};

struct gtype_info {
	const char *ddas;       /* signaalpartner.type */
	double share;           /* of all signals, taxes excluded */
	int amount_lo, amount_hi;
	int days_lo, days_hi;   /* arrears age at the first signal */
	int rise;               /* typical monthly growth of the arrears */
	double cont;            /* chance of a re-signal next month */
	int max_len;            /* signals per episode at most */
};

static const struct gtype_info gtypes[GT__COUNT] = {
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

struct org {
	uint8_t type;
	uint8_t weight;
	const char *code; /* ID prefix */
	const char *name; /* signaalpartner.naam, fictional */
};

static const struct org orgs[] = {
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

#define GEN_ORGS VR_ARRAY_LEN(orgs)

/* ---------------------------------------------------------- population -- */

struct surname {
	const char *name;
	const char *slug; /* ASCII, for e-mail addresses */
};

static const struct surname surnames[] = {
	{"Jansen", "jansen"}, {"de Vries", "devries"},
	{"van den Berg", "vandenberg"}, {"Bakker", "bakker"},
	{"Visser", "visser"}, {"Smit", "smit"}, {"Meijer", "meijer"},
	{"de Boer", "deboer"}, {"Mulder", "mulder"}, {"de Groot", "degroot"},
	{"Bos", "bos"}, {"Vos", "vos"}, {"Peters", "peters"},
	{"Hendriks", "hendriks"}, {"van Leeuwen", "vanleeuwen"},
	{"Dekker", "dekker"}, {"Brouwer", "brouwer"}, {"de Wit", "dewit"},
	{"Dijkstra", "dijkstra"}, {"Smits", "smits"}, {"de Graaf", "degraaf"},
	{"van der Meer", "vandermeer"}, {"van der Linden", "vanderlinden"},
	{"Kok", "kok"}, {"Jacobs", "jacobs"}, {"de Haan", "dehaan"},
	{"Vermeulen", "vermeulen"}, {"van den Heuvel", "vandenheuvel"},
	{"van der Veen", "vanderveen"}, {"van den Broek", "vandenbroek"},
	{"Yilmaz", "yilmaz"}, {"El Idrissi", "elidrissi"}, {"Kaya", "kaya"},
	{"Nguyen", "nguyen"}, {"\xc3\x96zt\xc3\xbcrk", "ozturk"},
	{"\xc5\x9e" "ahin", "sahin"}, {"Pinas", "pinas"},
	{"Martina", "martina"}, {"Kowalski", "kowalski"},
	{"Bouzid", "bouzid"}, {"Verhoeven", "verhoeven"},
	{"Willems", "willems"}, {"Gerritsen", "gerritsen"},
};

static const char initials[] = "ABCDEFGHIJKLMNOPRSTWY";
static const char *const toevoegingen[] = {"A", "B", "C", "1", "2", "3", "HS", "BIS"};
static const char *const mail_domains[] = {"example.com", "example.net", "example.org"};

struct household {
	int adults;
	char postcode[7];
	unsigned huisnummer;
	const char *toevoeging; /* NULL when none */
};

struct person {
	char bsn[10];
	vr_date birth;
	char name[64];
	char phone[11];
	char email[96];
};

/* ----------------------------------------------------------- generator -- */

enum { ID_FULL, ID_ADDR, ID_BSN };                     /* identity sent */
enum { MODE_BIRTH = 4, MODE_PHONE = 8, MODE_EMAIL = 16 };  /* extra fields */
enum { RF_CRISIS = 1, RF_WARM = 2, RF_EIND = 4, RF_DUP = 8 };
enum { INC_COMPLETE, INC_MISSING, INC_STEP_FALSE };     /* + step index */

struct episode {
	uint32_t hh;
	int32_t amount;
	vr_date since;
	uint8_t type, org, adult, mode, left, day, eind;
};

/* One signal: a snapshot of its episode plus what varies per signal. */
struct rec {
	struct episode e;
	vr_date date;
	uint32_t key, ord; /* random tie-break within a day; creation order */
	uint8_t flags, incasso;
};

struct link {
	uint32_t hh;
	vr_date date;
	uint8_t type;
};

/*
 * Other partners and the tax department draw from separate streams, so
 * adding --with-taxes adds Gemeentebelastingen lines and changes no other
 * line: a source's incremental reach can be measured by replaying both.
 */
struct stream {
	struct rng rng;
	struct episode *eps; /* running episodes */
	size_t neps, cap_eps;
};

struct gen {
	const struct gen_opts *o;
	FILE *out;
	struct stream base, tax;
	struct stream *st; /* the stream being generated */
	uint64_t pop_seed, inv_seed;
	uint64_t bsn_mul, bsn_add;
	unsigned pc_base;
	uint8_t water_org, tax_month;
	double per_month; /* expected signals a month, taxes excluded */
	struct rec *recs; /* this month's signals */
	size_t nrecs, cap_recs;
	struct link *ring;
	size_t ring_cap, ring_n, ring_pos;
	uint32_t seq[GEN_ORGS];
	int seq_year[GEN_ORGS];
	unsigned bad_next[GEN_ORGS];
};

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

/* --------------------------------------------------------- households -- */

static int household_adults(const struct gen *g, uint32_t h)
{
	unsigned u = (unsigned)(hash3(g->pop_seed, h, 1) & 0xff);
	return u < 90 ? 1 : u < 230 ? 2 : 3;
}

/* The address is a bijection of the index: 20 homes per postcode. */
static void household_get(const struct gen *g, uint32_t h, struct household *hh)
{
	uint64_t hb = hash3(g->pop_seed, h, 1);
	uint32_t slot = h / GEN_PER_POSTCODE, letters = slot % 676;
	unsigned digits = 1000 + (g->pc_base + slot / 676) % 9000;

	hh->adults = household_adults(g, h);
	snprintf(hh->postcode, sizeof(hh->postcode), "%u%c%c", digits,
		 'A' + (int)(letters / 26), 'A' + (int)(letters % 26));
	hh->huisnummer = 1 + (unsigned)(hash3(g->pop_seed, slot, 2) % 120) +
			 2 * (h % GEN_PER_POSTCODE);
	hh->toevoeging = NULL;
	if ((hb >> 8) % 100 < 10)
		hh->toevoeging = toevoegingen[(hb >> 16) % VR_ARRAY_LEN(toevoegingen)];
}

/*
 * A valid BSN per (household, adult), unique within a seed: the person
 * number picks a 7-digit prefix through an affine permutation and one of the
 * (at least nine) eighth digits that leave a valid check digit.
 */
static void person_bsn(const struct gen *g, uint32_t h, int a, char bsn[10])
{
	uint64_t p = (uint64_t)h * 3 + (uint64_t)a;
	uint64_t y = (g->bsn_mul * (p % GEN_BSN_SPACE) + g->bsn_add) % GEN_BSN_SPACE;
	unsigned k = (unsigned)((p / GEN_BSN_SPACE + y) % 9), sum = 0;

	y += 1000000;
	for (int i = 6; i >= 0; i--) {
		bsn[i] = (char)('0' + y % 10);
		y /= 10;
	}
	for (int i = 0; i < 7; i++)
		sum += (unsigned)(bsn[i] - '0') * (unsigned)(9 - i);
	for (unsigned d8 = 0; d8 < 10; d8++) {
		unsigned check = (sum + 2 * d8) % 11;
		if (check == 10)
			continue;
		if (k-- == 0) {
			bsn[7] = (char)('0' + d8);
			bsn[8] = (char)('0' + check);
			break;
		}
	}
	bsn[9] = '\0';
}

/* Ages 18-85 at the start; a partner close in age; a third adult a child. */
static vr_date person_birth(const struct gen *g, uint32_t h, int a)
{
	vr_date adult = g->o->start - 18 * 365 - 5, oldest = g->o->start - 85 * 365;
	uint64_t ph = hash3(g->pop_seed, h, 10 + (uint64_t)a);
	vr_date b;

	if (a == 0)
		return adult - (vr_date)(ph % (67 * 365));
	if (a == 2)
		return adult - (vr_date)(ph % (7 * 365));
	b = person_birth(g, h, 0) + (vr_date)(ph % (12 * 365)) - 6 * 365;
	return b > adult ? adult : b < oldest ? oldest : b;
}

static void person_get(const struct gen *g, uint32_t h, int a, struct person *p)
{
	uint64_t ph = hash3(g->pop_seed, h, 20 + (uint64_t)a);
	uint64_t family = hash3(g->pop_seed, h, 3);
	const struct surname *sn;
	char ini[5];
	int n = 0;

	sn = &surnames[(a == 1 && ph % 10 < 4 ? ph >> 8 : family) %
		       VR_ARRAY_LEN(surnames)];
	ini[n++] = initials[(ph >> 20) % (sizeof(initials) - 1)];
	ini[n++] = '.';
	if ((ph >> 28) % 3 == 0) {
		ini[n++] = initials[(ph >> 32) % (sizeof(initials) - 1)];
		ini[n++] = '.';
	}
	ini[n] = '\0';
	person_bsn(g, h, a, p->bsn);
	p->birth = person_birth(g, h, a);
	snprintf(p->name, sizeof(p->name), "%s %s", ini, sn->name);
	snprintf(p->phone, sizeof(p->phone), "06%08u",
		 (unsigned)((ph >> 36) % 100000000));
	snprintf(p->email, sizeof(p->email), "%c.%s%02u@%s", ini[0] + 32,
		 sn->slug, (unsigned)((ph >> 12) % 100),
		 mail_domains[(ph >> 4) % VR_ARRAY_LEN(mail_domains)]);
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
		if (orgs[i].type != t)
			continue;
		if (first == GEN_ORGS)
			first = i;
		total += orgs[i].weight;
	}
	unsigned u = (unsigned)(hash3(g->pop_seed, hh, 100 + (uint64_t)t) % total);
	for (unsigned i = first; i < GEN_ORGS; i++) {
		if (u < orgs[i].weight)
			return (uint8_t)i;
		u -= orgs[i].weight;
	}
	return (uint8_t)first;
}

static uint8_t pick_adult(struct gen *g, uint32_t hh, int t)
{
	int n = household_adults(g, hh);
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
	const struct gtype_info *ti = &gtypes[t];
	if (t <= GT_WATER && rng_unit(&g->st->rng) < GEN_LOW_SHARE)
		return 15 + (int32_t)rng_below(&g->st->rng, 60);
	double u = rng_unit(&g->st->rng), s = 0.2 * u + 0.8 * u * u * u;
	return ti->amount_lo + (int32_t)(s * (ti->amount_hi - ti->amount_lo));
}

/* Usually the arrears grow or stay; sometimes a partial payment. */
static int32_t next_amount(struct gen *g, const struct episode *e)
{
	double u = rng_unit(&g->st->rng);
	int32_t rise = gtypes[e->type].rise, a = e->amount;
	if (u < 0.55 && rise > 0)
		a += rise * (80 + (int32_t)rng_below(&g->st->rng, 41)) / 100;
	else if (u >= 0.88)
		a = a * (50 + (int32_t)rng_below(&g->st->rng, 41)) / 100;
	return a > GEN_AMOUNT_MAX ? GEN_AMOUNT_MAX : a < 1 ? 1 : a;
}

static int first_days(struct gen *g, int t)
{
	const struct gtype_info *ti = &gtypes[t];
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
	if (e->left == 0 || rng_unit(&g->st->rng) >= gtypes[e->type].cont)
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
	e.left = (uint8_t)(gtypes[t].max_len - 1);
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
		if (e->left > 0 && rng_unit(&g->st->rng) < gtypes[e->type].cont)
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
		target[t] = g->per_month * gtypes[t].share * season;
	}
	target[GT_GB] = !g->o->with_taxes ? 0 :
			g->per_month * (m == g->tax_month ? 1.0 : 0.04);
}

/* ------------------------------------------------------------- output -- */

enum bad {
	BAD_TRUNCATED, BAD_ARRAY, BAD_NO_ID, BAD_TYPE, BAD_BSN_CHECK,
	BAD_BSN_LEN, BAD_POSTCODE, BAD_DATE, BAD_DATE_ORDER, BAD_NEGATIVE,
	BAD_FLOAT, BAD_NO_IDENTITY, BAD_NO_GEMEENTE, BAD_UTF8, BAD__COUNT
};

/* One record's fields as text; an empty string leaves the field out. */
struct view {
	char id[48];
	const char *type, *org;
	char gem[5];
	char amount[24], since[VR_DATE_STRLEN], date[VR_DATE_STRLEN];
	bool crisis, warm;
	int eind; /* -1: no field */
	int incasso;
	char bsn[10], postcode[7], hn[8], toev[5], birth[VR_DATE_STRLEN];
	char name[72], phone[11], email[96];
};

struct lbuf {
	char b[GEN_LINE_MAX];
	size_t n;
};

static void lb_str(struct lbuf *l, const char *s)
{
	size_t k = strlen(s);
	if (l->n + k < sizeof(l->b)) {
		memcpy(l->b + l->n, s, k);
		l->n += k;
	}
}

static void lb_key(struct lbuf *l, const char *key)
{
	if (l->n && l->b[l->n - 1] != '{')
		lb_str(l, ",");
	lb_str(l, "\"");
	lb_str(l, key);
	lb_str(l, "\":");
}

/* Names and codes never hold quotes or backslashes: no escaping needed. */
static void lb_qstr(struct lbuf *l, const char *key, const char *val)
{
	if (!val[0])
		return;
	lb_key(l, key);
	lb_str(l, "\"");
	lb_str(l, val);
	lb_str(l, "\"");
}

static void lb_bool(struct lbuf *l, const char *key, bool b)
{
	lb_key(l, key);
	lb_str(l, b ? "true" : "false");
}

static void view_client(const struct rec *r, const struct household *hh,
			const struct person *p, struct view *out)
{
	int id = r->e.mode & 3;
	if (id != ID_ADDR)
		memcpy(out->bsn, p->bsn, sizeof(out->bsn));
	if (id != ID_BSN) {
		memcpy(out->postcode, hh->postcode, sizeof(out->postcode));
		snprintf(out->hn, sizeof(out->hn), "%u", hh->huisnummer);
		if (hh->toevoeging)
			snprintf(out->toev, sizeof(out->toev), "%s", hh->toevoeging);
	}
	if (r->e.mode & MODE_BIRTH)
		date_format(p->birth, out->birth);
	snprintf(out->name, sizeof(out->name), "%s", p->name);
	if (r->e.mode & MODE_PHONE)
		memcpy(out->phone, p->phone, sizeof(out->phone));
	if (r->e.mode & MODE_EMAIL)
		snprintf(out->email, sizeof(out->email), "%s", p->email);
}

static void view_build(const struct gen *g, const struct rec *r, uint32_t seq,
		       const struct household *hh, const struct person *p,
		       struct view *v)
{
	int y, m, d;
	memset(v, 0, sizeof(*v));
	date_to_ymd(r->date, &y, &m, &d);
	snprintf(v->id, sizeof(v->id), "%s-%04d-%06u", orgs[r->e.org].code, y, seq);
	v->type = gtypes[r->e.type].ddas;
	v->org = orgs[r->e.org].name;
	memcpy(v->gem, g->o->municipality, sizeof(v->gem));
	snprintf(v->amount, sizeof(v->amount), "%d", (int)r->e.amount);
	date_format(r->e.since, v->since);
	date_format(r->date, v->date);
	v->crisis = r->flags & RF_CRISIS;
	v->warm = r->flags & RF_WARM;
	v->eind = r->e.type == GT_ENERGIE || r->e.type == GT_WATER ?
		  (r->flags & RF_EIND) != 0 : -1;
	v->incasso = r->incasso;
	view_client(r, hh, p, v);
}

/* Make the record invalid in the way `bad` names (docs/formats.md). */
static void view_spoil(struct view *v, int bad, const struct rec *r,
		       const struct household *hh, const struct person *p)
{
	int y, m, d;
	switch (bad) {
	case BAD_NO_ID: v->id[0] = '\0'; break;
	case BAD_TYPE: v->type = "Telecom"; break;
	case BAD_BSN_CHECK:
		memcpy(v->bsn, p->bsn, sizeof(v->bsn));
		v->bsn[8] = (char)('0' + (v->bsn[8] - '0' + 1) % 10);
		break;
	case BAD_BSN_LEN:
		memcpy(v->bsn, p->bsn, sizeof(v->bsn));
		v->bsn[8] = '\0';
		break;
	case BAD_POSTCODE:
		memcpy(v->postcode, hh->postcode, sizeof(v->postcode));
		snprintf(v->hn, sizeof(v->hn), "%u", hh->huisnummer);
		v->postcode[0] = '0';
		break;
	case BAD_DATE:
		date_to_ymd(r->date, &y, &m, &d);
		snprintf(v->since, sizeof(v->since), "%04u-02-30", (unsigned)y % 10000u);
		break;
	case BAD_DATE_ORDER: date_format(r->date + 1 + r->e.hh % 20, v->since); break;
	case BAD_NEGATIVE:
		snprintf(v->amount, sizeof(v->amount), "-%d", (int)r->e.amount);
		break;
	case BAD_FLOAT:
		snprintf(v->amount, sizeof(v->amount), "%d.50", (int)r->e.amount);
		break;
	case BAD_NO_IDENTITY:
		v->bsn[0] = v->postcode[0] = v->hn[0] = v->toev[0] = '\0';
		break;
	case BAD_NO_GEMEENTE: v->gem[0] = '\0'; break;
	case BAD_UTF8: strcat(v->name, "\xff"); break;
	}
}

static void format_incasso(struct lbuf *l, int incasso)
{
	static const char *const steps[4] = {
		"herinnering", "persoonlijkContact", "verwijzingShv",
		"toestemmingAangeboden"};
	lb_key(l, "incasso");
	lb_str(l, "{");
	for (int i = 0; i < 4; i++)
		lb_bool(l, steps[i], incasso != INC_STEP_FALSE + i);
	lb_str(l, "}");
}

static void format_client(struct lbuf *l, const struct view *v)
{
	lb_key(l, "client");
	lb_str(l, "{");
	lb_qstr(l, "burgerservicenummer", v->bsn);
	lb_qstr(l, "postcode", v->postcode);
	lb_qstr(l, "huisnummer", v->hn);
	lb_qstr(l, "huisnummertoevoeging", v->toev);
	lb_qstr(l, "geboortedatum", v->birth);
	lb_qstr(l, "naam", v->name);
	lb_qstr(l, "telefoon", v->phone);
	lb_qstr(l, "email", v->email);
	lb_str(l, "}");
}

static void view_format(const struct view *v, struct lbuf *l)
{
	lb_str(l, "{");
	lb_qstr(l, "ID", v->id);
	lb_key(l, "signaalpartner");
	lb_str(l, "{");
	lb_qstr(l, "type", v->type);
	lb_qstr(l, "naam", v->org);
	lb_str(l, "}");
	lb_qstr(l, "gemeentecode", v->gem);
	lb_key(l, "bedrag");
	lb_str(l, v->amount);
	lb_qstr(l, "ontstaansdatum", v->since);
	lb_qstr(l, "signaaldatum", v->date);
	lb_bool(l, "crisissignaal", v->crisis);
	lb_bool(l, "warmeOverdracht", v->warm);
	if (v->eind >= 0)
		lb_bool(l, "eindelevering", v->eind);
	if (v->incasso != INC_MISSING)
		format_incasso(l, v->incasso);
	format_client(l, v);
	lb_str(l, "}");
}

/* The shapes no view can express: a cut-off line and a JSON array. */
static void format_bad(const struct view *v, int bad, struct lbuf *l)
{
	if (bad == BAD_ARRAY) {
		l->n = 0;
		lb_str(l, "[\"");
		lb_str(l, v->id);
		lb_str(l, "\",\"");
		lb_str(l, v->type);
		lb_str(l, "\",");
		lb_str(l, v->amount);
		lb_str(l, "]");
	} else if (bad == BAD_TRUNCATED) {
		l->n /= 2;
		while (l->n > 1 && ((unsigned char)l->b[l->n] & 0xc0) == 0x80)
			l->n--; /* cut between characters: a JSON error, not UTF-8 */
	}
}

/* copy: 0 for the signal, 1 for its redelivery. */
static int rec_write(struct gen *g, const struct rec *r, uint32_t seq, int copy)
{
	struct household hh;
	struct person p;
	struct view v;
	struct lbuf l;
	int bad = -1;
	int y, m, d;
	date_to_ymd(r->date, &y, &m, &d);
	uint64_t ident = (uint64_t)r->e.org << 48 | (uint64_t)y << 32 | seq;
	double u = (double)(hash3(g->inv_seed, ident, copy) >> 11) * 0x1.0p-53;

	household_get(g, r->e.hh, &hh);
	person_get(g, r->e.hh, r->e.adult, &p);
	view_build(g, r, seq, &hh, &p, &v);
	if (u < g->o->invalid_fraction) {
		bad = (int)((r->e.org + g->bad_next[r->e.org]++) % BAD__COUNT);
		view_spoil(&v, bad, r, &hh, &p);
	}
	l.n = 0;
	view_format(&v, &l);
	format_bad(&v, bad, &l);
	l.b[l.n++] = '\n';
	return fwrite(l.b, 1, l.n, g->out) == l.n ? VR_OK : VR_EIO;
}

/* IDs run per organisation and year, in signaaldatum order. */
static uint32_t next_seq(struct gen *g, const struct rec *r)
{
	int y, m, d;
	date_to_ymd(r->date, &y, &m, &d);
	if (g->seq_year[r->e.org] != y) {
		g->seq_year[r->e.org] = y;
		g->seq[r->e.org] = 0;
	}
	return ++g->seq[r->e.org];
}

/* A redelivery is the same line again, straight after the first. */
static int month_emit(struct gen *g)
{
	int rc = VR_OK;
	for (size_t i = 0; i < g->nrecs && rc == VR_OK; i++) {
		const struct rec *r = &g->recs[i];
		uint32_t seq = next_seq(g, r);
		rc = rec_write(g, r, seq, 0);
		if (rc == VR_OK && (r->flags & RF_DUP))
			rc = rec_write(g, r, seq, 1);
	}
	return rc;
}

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
	return month_emit(g);
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

static bool is_code(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return s[4] == '\0';
}

static int opts_check(const struct gen_opts *o, char *err, size_t errlen)
{
	int y, m, d;
	date_to_ymd(o->start, &y, &m, &d);
	if (o->households < 1 || o->households > GEN_HOUSEHOLDS_MAX)
		snprintf(err, errlen, "households must be 1 to %ld", GEN_HOUSEHOLDS_MAX);
	else if (o->months < 1 || o->months > GEN_MONTHS_MAX)
		snprintf(err, errlen, "months must be 1 to %d", GEN_MONTHS_MAX);
	else if (!is_code(o->municipality))
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
	while (orgs[water].type != GT_WATER)
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

	rc = opts_check(o, err, errlen);
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

/* ---------------------------------------------------------------- CLI -- */

static const char gen_usage[] =
	"usage: vroeg gen --households N --months M --seed S [options]\n"
	"Writes realistic synthetic signals as JSONL (docs/formats.md).\n"
	"  --households N       households in the municipality (1-25000000)\n"
	"  --months M           months to generate (1-600)\n"
	"  --seed S             seed; the same options give the same output\n"
	"  --municipality CODE  4-digit CBS code (default 0344)\n"
	"  --start YYYY-MM-DD   first day of the first month (default 2024-01-01)\n"
	"  --with-taxes         add the yearly Gemeentebelastingen peak\n"
	"  --invalid FRACTION   share of deliberately invalid records, 0-1\n"
	"  --out FILE           write to FILE instead of standard output\n"
	"  -h, --help           show this help\n";

enum cli_opt {
	OPT_HOUSEHOLDS, OPT_MONTHS, OPT_SEED, OPT_MUNICIPALITY, OPT_START,
	OPT_INVALID, OPT_OUT, OPT__COUNT
};

static const char *const cli_names[OPT__COUNT] = {
	"--households", "--months", "--seed", "--municipality", "--start",
	"--invalid", "--out"};

struct cli {
	struct gen_opts o;
	const char *out;
	bool seen[OPT__COUNT];
};

static int cli_fail(const char *what, const char *arg)
{
	fprintf(stderr, "vroeg gen: %s%s%s%s\n%s", what, arg ? " '" : "",
		arg ? arg : "", arg ? "'" : "", gen_usage);
	return 2;
}

static bool parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	char *end;
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static bool parse_fraction(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0 && v <= 1))
		return false;
	*out = v;
	return true;
}

static int cli_set(struct cli *c, enum cli_opt k, const char *v)
{
	static const char *const want[OPT__COUNT] = {
		"a number from 1 to 25000000", "a number from 1 to 600",
		"a non-negative integer", "a 4-digit CBS code",
		"a date YYYY-MM-DD", "a fraction from 0 to 1", "a file name"};
	char msg[96];
	uint64_t n = 0;
	bool ok = false;

	c->seen[k] = true;
	switch (k) {
	case OPT_HOUSEHOLDS:
		ok = parse_u64(v, 1, GEN_HOUSEHOLDS_MAX, &n);
		c->o.households = (long)n;
		break;
	case OPT_MONTHS:
		ok = parse_u64(v, 1, GEN_MONTHS_MAX, &n);
		c->o.months = (int)n;
		break;
	case OPT_SEED: ok = parse_u64(v, 0, UINT64_MAX, &c->o.seed); break;
	case OPT_MUNICIPALITY:
		if ((ok = is_code(v)))
			memcpy(c->o.municipality, v, 5);
		break;
	case OPT_START: ok = date_parse(v, strlen(v), &c->o.start) == VR_OK; break;
	case OPT_INVALID: ok = parse_fraction(v, &c->o.invalid_fraction); break;
	case OPT_OUT: ok = (c->out = v)[0] != '\0'; break;
	case OPT__COUNT: break;
	}
	if (ok)
		return 0;
	snprintf(msg, sizeof(msg), "%s needs %s, got", cli_names[k], want[k]);
	return cli_fail(msg, v);
}

/* "--name value" or "--name=value": 1 and *val set, 0 no match, -1 no value. */
static int cli_value(int argc, char **argv, int *i, const char *name,
		     const char **val)
{
	const char *a = argv[*i];
	size_t n = strlen(name);
	if (strncmp(a, name, n) != 0 || (a[n] != '\0' && a[n] != '='))
		return 0;
	if (a[n] == '=') {
		*val = a + n + 1;
		return 1;
	}
	if (*i + 1 >= argc)
		return -1;
	*val = argv[++*i];
	return 1;
}

/* Returns 0 to go on, 2 for a bad option, -1 when help was printed. */
static int cli_parse(struct cli *c, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		int k, r = 0;
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(gen_usage, stdout);
			return -1;
		}
		if (strcmp(a, "--with-taxes") == 0) {
			c->o.with_taxes = true;
			continue;
		}
		for (k = 0; k < OPT__COUNT && r == 0; k++)
			r = cli_value(argc, argv, &i, cli_names[k], &v);
		if (r < 0)
			return cli_fail("missing value for", a);
		if (r == 0)
			return cli_fail("unknown option", a);
		if (cli_set(c, (enum cli_opt)(k - 1), v))
			return 2;
	}
	for (int k = 0; k <= OPT_SEED; k++)
		if (!c->seen[k])
			return cli_fail("missing required option", cli_names[k]);
	return 0;
}

int gen_main(int argc, char **argv)
{
	struct cli c;
	char err[256];
	FILE *f = stdout;
	int rc;

	memset(&c, 0, sizeof(c));
	gen_opts_init(&c.o);
	rc = cli_parse(&c, argc, argv);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (opts_check(&c.o, err, sizeof(err)))
		return cli_fail(err, NULL);
	if (c.out && strcmp(c.out, "-") != 0) {
		f = fopen(c.out, "w");
		if (!f) {
			fprintf(stderr, "vroeg gen: cannot open '%s': %s\n", c.out,
				strerror(errno));
			return 1;
		}
		setvbuf(f, NULL, _IOFBF, 1 << 20);
	}
	rc = gen_run(&c.o, f, err, sizeof(err));
	if ((f == stdout ? fflush(f) : fclose(f)) != 0 && rc == VR_OK) {
		rc = VR_EIO;
		snprintf(err, sizeof(err), "write failed: %s", strerror(errno));
	}
	if (rc) {
		fprintf(stderr, "vroeg gen: %s\n", err);
		return rc == VR_EINVAL ? 2 : 1;
	}
	return 0;
}
