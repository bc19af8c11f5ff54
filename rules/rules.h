/*
 * rules.h - rule sets: the municipality's triage policy as a checked,
 * compiled, explainable file (docs/rules.md).
 *
 * A rule file declares settings (thresholds, windows, matching), status
 * rules (known clients, exclusion list), priority classes with due dates,
 * scored rules and routes to teams.  ruleset_load_*() parses, type-checks
 * and compiles it completely or not at all: on any error nothing is
 * returned and every problem is reported as "file:line:col: message".
 * A compiled rule set is immutable and may be shared between engines and
 * threads; evaluation allocates nothing.
 */
#ifndef VR_RULES_H
#define VR_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "pseudo.h"
#include "signal.h"
#include "state.h"

#define RULES_MAX 10000          /* declarations per file */
#define RULES_FILE_MAX (4u << 20)
#define RULES_LINE_MAX 4096
#define RULES_DEPTH_MAX 64       /* expression nesting */
#define RULES_ERRORS_MAX 50      /* reported per load */

struct ruleset;

enum rules_key { RULES_KEY_ADDRESS, RULES_KEY_PERSON };

/* Statuses a status rule can give. */
enum rules_status {
	RSTATUS_NONE,
	RSTATUS_BEKEND,          /* picked up, routed; "Inwoner al bekend ..." */
	RSTATUS_ANDERE_REDEN,    /* not picked up; reason internal */
	RSTATUS_OVERLEDEN,       /* not picked up */
};

/* What a rule sees: the signal being decided, its household and, for
 * scores and routes, the case it joined. */
struct rules_ctx {
	const struct signal *sig;
	const struct hkey *household;
	const struct hkey *person;     /* NULL when the signal has no BSN */
	const struct case_rec *kase;   /* NULL for status and priority rules */
};

/*
 * Load from a file or from text (name is used in messages and as the base
 * for relative list paths: dir may be NULL for the current directory).
 * On failure returns NULL and writes the messages, one per line, to errs.
 */
struct ruleset *ruleset_load_file(const char *path, char *errs, size_t errlen);
struct ruleset *ruleset_load_text(const char *name, const char *dir, const char *text,
				  size_t len, char *errs, size_t errlen);
/* The built-in rule set: rules/default.rules as compiled into the binary. */
struct ruleset *ruleset_load_default(char *errs, size_t errlen);
void ruleset_free(struct ruleset *rs);

const char *ruleset_name(const struct ruleset *rs);
const char *ruleset_version(const struct ruleset *rs);
size_t ruleset_n_scores(const struct ruleset *rs);

/* Settings. */
int64_t ruleset_threshold(const struct ruleset *rs, enum sig_partner p);
/* Accepted days-in-arrears range; max < 0 means no upper bound. */
void ruleset_days_range(const struct ruleset *rs, enum sig_partner p, int *min, int *max);
int ruleset_repeat_window(const struct ruleset *rs);
int64_t ruleset_escalation_min_rise(const struct ruleset *rs);
int ruleset_matching_period(const struct ruleset *rs);
enum rules_key ruleset_matching_key(const struct ruleset *rs);
int ruleset_consecutive_lookback(const struct ruleset *rs);
size_t ruleset_n_municipalities(const struct ruleset *rs);
const char *ruleset_municipality(const struct ruleset *rs, size_t i);
bool ruleset_is_holiday(const struct ruleset *rs, vr_date d);
/* Retention in days: household state, redelivery marks, completed cases. */
int ruleset_retention_household(const struct ruleset *rs);
int ruleset_retention_marks(const struct ruleset *rs);
int ruleset_retention_cases(const struct ruleset *rs);
/* Does any rule read `person` (so the engine must compute that pseudonym)? */
bool ruleset_uses_person(const struct ruleset *rs);

/* The first status rule that holds, and its reason ("" if none given). */
enum rules_status ruleset_status(const struct ruleset *rs, const struct rules_ctx *ctx,
				 const char **reason);
/* The priority class of a signal and its due date, counted from its receipt
 * (signal.received; the signaaldatum when that is not known). */
enum case_priority ruleset_priority(const struct ruleset *rs, const struct rules_ctx *ctx,
				    vr_date *due);
/* Score the case in ctx->kase: fills score, rules, n_rules and the rules'
 * names (rule_name, scored_by, has_rule_names) of *out. */
void ruleset_score(const struct ruleset *rs, const struct rules_ctx *ctx, struct case_rec *out);
/* The team of the first route that holds. */
const char *ruleset_route(const struct ruleset *rs, const struct rules_ctx *ctx);
const char *ruleset_score_name(const struct ruleset *rs, unsigned rule);

#endif
