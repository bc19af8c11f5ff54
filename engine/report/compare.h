/*
 * compare.h - side-by-side comparison of rule sets over one replay.
 *
 * Fed, batch by batch, the status each rule set gave each record, and at the
 * end each set's households with a case; writes changes.jsonl (one line per
 * record whose status differs between sets) and comparison.json (per set:
 * households, cases, statuses; per set against the first: households
 * reached only by one of the two, and status transitions).
 */
#ifndef VR_COMPARE_H
#define VR_COMPARE_H

#include <stddef.h>
#include <stdio.h>

#include "engine.h"
#include "pseudo.h"
#include "summary.h"

struct compare;

/* names: n set names, borrowed for the compare's lifetime. */
struct compare *compare_new(const char *const *names, size_t n, FILE *changes);
void compare_free(struct compare *c);

/* One record's statuses (status[k] for set k) with its id and position. */
int compare_record(struct compare *c, const char *signal_id, const char *source, long pos,
		   const enum dec_status *status);

/* Set k's households with a case (any order; the compare copies them). */
int compare_households(struct compare *c, size_t k, const struct hkey *keys, size_t n);

/* comparison.json, from the sets' summaries; and a short report. */
void compare_json(const struct compare *c, const struct summary *const *sums, struct jbuf *b);
void compare_print(const struct compare *c, const struct summary *const *sums, FILE *f);

#endif
