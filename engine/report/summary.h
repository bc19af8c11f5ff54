/*
 * summary.h - counts of a run, for summary.json and the closing report.
 *
 * Fed with every decision and every completed case; all counts, no
 * identifiers, so a summary may be shared freely.
 */
#ifndef VR_SUMMARY_H
#define VR_SUMMARY_H

#include <stddef.h>
#include <stdio.h>

#include "dispatch.h"
#include "engine.h"
#include "jsonw.h"

struct summary {
	size_t records;
	size_t status[DEC__COUNT];
	size_t rejected[REJ__COUNT];
	size_t partner_signals[PARTNER__COUNT];
	size_t partner_picked[PARTNER__COUNT];
	size_t flags[DEC_FLAG_COUNT];
	size_t cases;
	size_t case_priority[PRIO__COUNT];
	size_t meervoudig, opeenvolgend;
	size_t households;       /* households with at least one case */
	bool has_tasks;          /* dispatch ran: its figures */
	struct dispatch_stats tasks;
};

void summary_init(struct summary *s);
void summary_add_decision(struct summary *s, const struct decision *d);
void summary_add_case(struct summary *s, const struct case_rec *c);
void summary_set_tasks(struct summary *s, const struct dispatch_stats *t);
/* One JSON object, newline-terminated. */
void summary_json(const struct summary *s, struct jbuf *b);
/* A short human-readable report. */
void summary_print(const struct summary *s, FILE *f);

#endif
