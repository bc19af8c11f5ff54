/*
 * gen.h - seeded synthetic signal generator ("vroeg gen").
 *
 * Writes canonical signal JSONL (docs/formats.md) for a fictional
 * municipality, with the volumes, mix and peaks of DOMAIN.md: 4.4 signals
 * per 1,000 inhabitants per month, the zorg peak in March, arrears episodes
 * that a partner re-signals monthly, households signalled by several partners,
 * and optionally the yearly Gemeentebelastingen peak and a fraction of
 * deliberately invalid records.
 *
 * Invariants:
 * - Deterministic: the same options give byte-identical output.  The
 *   generator has its own PRNG and never reads the clock.
 * - Records come in non-decreasing signaaldatum order.
 * - Memory is bounded by one month of records plus the active episodes; the
 *   population is derived from hash(seed, household) and never stored.
 * - Valid records pass sig_parse(); invalid ones are each rejected by it.
 * - Nothing is written to stderr that contains client data.
 */
#ifndef VR_GEN_H
#define VR_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "date.h"

#define GEN_HOUSEHOLDS_MAX 25000000L /* bounded by the BSN space per seed */
#define GEN_MONTHS_MAX 600

struct gen_opts {
	long households;          /* number of households in the municipality */
	int months;               /* months to generate, starting at start */
	uint64_t seed;
	char municipality[5];     /* 4-digit CBS code, default "0344" */
	vr_date start;            /* first day of first month, default 2024-01-01 */
	bool with_taxes;          /* add the yearly Gemeentebelastingen peak */
	double invalid_fraction;  /* 0..1, fraction of deliberately invalid records, default 0 */
};

/* Defaults: 10,000 households, 12 months, seed 1, "0344", 2024-01-01. */
void gen_opts_init(struct gen_opts *o);

/*
 * VR_OK when gen_run() would accept o, else VR_EINVAL and a message in err;
 * for a caller that checks the options before it opens its output.
 */
int gen_opts_check(const struct gen_opts *o, char *err, size_t errlen);

/* Is s a municipality code: exactly four digits? */
bool gen_code_is_valid(const char *s);

/*
 * Writes JSONL to out (borrowed, not closed).  Returns VR_OK, VR_EINVAL for
 * bad options, VR_ENOMEM or VR_EIO, and fills err with a message.
 */
int gen_run(const struct gen_opts *o, FILE *out, char *err, size_t errlen);

/*
 * CLI (gen_cli.c): argv[0] is "gen".  Options: --households N --months M
 * --seed S [--municipality CODE] [--start YYYY-MM-DD] [--with-taxes]
 * [--invalid FRACTION] [--out FILE] [-h|--help].
 * Returns 0 on success, 2 for bad options (message and usage on stderr),
 * 1 on I/O failure.
 */
int gen_main(int argc, char **argv);

#endif
