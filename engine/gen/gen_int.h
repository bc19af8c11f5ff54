/*
 * gen_int.h - the generator's model, shared by its implementers: gen.c (the
 * timeline: episodes, months, the run), gen_pop.c (the population) and
 * gen_out.c (record writing).  Callers use gen.h.
 *
 * One struct gen holds a run's whole state and is passed to every step; the
 * partner tables are read-only.  gen.h's invariants hold for all three files.
 */
#ifndef VR_GEN_INT_H
#define VR_GEN_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "date.h"
#include "gen.h"

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
static inline uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static inline uint64_t hash3(uint64_t a, uint64_t b, uint64_t c)
{
	return mix64(mix64(a ^ mix64(b)) ^ c);
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

/* The partner types (gen.c). */
extern const struct gtype_info gen_gtypes[GT__COUNT];

struct org {
	uint8_t type;
	uint8_t weight;
	const char *code; /* ID prefix */
	const char *name; /* signaalpartner.naam, fictional */
};

/* The fictional organisations and their share of their type (gen.c). */
extern const struct org gen_orgs[];
#define GEN_ORGS 23 /* entries of gen_orgs[]; gen.c asserts the count */

/* ---------------------------------------------------------- population -- */

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

/* gen_pop.c: the population, derived from hash(seed, household). */
int gen_household_adults(const struct gen *g, uint32_t h);
void gen_household_get(const struct gen *g, uint32_t h, struct household *hh);
void gen_person_get(const struct gen *g, uint32_t h, int a, struct person *p);

/* gen_out.c: writes this month's records (g->recs, sorted), numbering their IDs. */
int gen_month_emit(struct gen *g);

#endif
