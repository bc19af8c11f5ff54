/*
 * worklist.h - the team's worklist: cases, most urgent first, explained.
 *
 * Gathers cases as the engine reports them, then prints them as a table
 * (priority class, score, due date first) with the reasons of the first
 * few, as `vroeg demo` and `vroeg run` at the end of a bounded run show.
 */
#ifndef VR_WORKLIST_H
#define VR_WORKLIST_H

#include <stdio.h>

#include "engine.h"

struct worklist;

struct worklist *worklist_new(void);
void worklist_free(struct worklist *w);

/* Keep a copy of case c of household h: VR_OK or VR_ENOMEM. */
int worklist_add(struct worklist *w, const struct hkey *h, const struct case_rec *c);

/* The table, most urgent first, and why the first `explain` come first. */
void worklist_print(struct worklist *w, FILE *f, const struct engine *e, size_t explain);

#endif
