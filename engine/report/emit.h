/*
 * emit.h - decisions and cases as JSON lines (docs/formats.md).
 *
 * Each function appends exactly one line, newline included, to the buffer.
 * The line holds pseudonyms, never a BSN, name, address or contact detail.
 */
#ifndef VR_EMIT_H
#define VR_EMIT_H

#include "engine.h"
#include "jsonw.h"

#include <stdio.h>

void emit_decision(struct jbuf *b, const struct engine *e, const struct decision *d);
void emit_case(struct jbuf *b, const struct engine *e, const struct hkey *h,
	       const struct case_rec *c);

/* A human-readable explanation of a case's priority, team and score. */
void emit_case_text(FILE *f, const struct engine *e, const struct hkey *h,
		    const struct case_rec *c);

#endif
