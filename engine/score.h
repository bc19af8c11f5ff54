/*
 * score.h - the core engine's default priority and score of a case.
 *
 * A documented weighted sum (docs/engine.md), every contribution a named
 * rule with its points, so a team can see why a case ranks where it does.
 * The rule language (rules/) replaces these defaults with a rule file; until
 * then this is the policy, and rules/default.rules must reproduce it.
 */
#ifndef VR_SCORE_H
#define VR_SCORE_H

#include "engine.h"
#include "signal.h"
#include "state.h"

/* Priority class of one signal on its own. */
enum case_priority score_signal_priority(const struct engine_conf *c, const struct signal *s);

/* Due date of a signal of priority p. */
vr_date score_due(const struct engine_conf *c, vr_date signal_date, enum case_priority p);

/*
 * Recompute a case's amount, score and fired rules from its partner
 * organisations and flags.  The caller keeps the org table, priority and
 * due date up to date as signals join.
 */
void score_case(const struct engine_conf *c, struct case_rec *k);

/* Name of a default rule id; "?" when out of range. */
const char *score_rule_name(unsigned rule);

/* 64-bit FNV-1a of a partner organisation name. */
uint64_t score_org_hash(const char *org);

#endif
