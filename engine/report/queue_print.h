/*
 * queue_print.h - a team's queue as the team reads it: position, priority,
 * due date, score, received date, age, partners and why (the fired rules).
 * `vroeg demo` prints it; `vroeg queue` will.
 */
#ifndef VR_QUEUE_PRINT_H
#define VR_QUEUE_PRINT_H

#include <stdio.h>

#include "dispatch.h"

/* Every team's queue (or team's only, when not NULL) on day today, at
 * most max_rows lines each (0: all). */
int queue_print(FILE *f, struct dispatch *d, const struct engine *e, vr_date today,
		size_t max_rows);
int queue_print_team(FILE *f, struct dispatch *d, const struct engine *e, vr_date today,
		     size_t max_rows, const char *team);

#endif
