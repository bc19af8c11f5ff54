/*
 * rules_int.h - the compiled form of a rule set, shared by the compiler
 * (compile.c, parse.c) and the evaluator (eval.c) only.
 *
 * Every condition and points expression is compiled to a short program for
 * a stack machine over int64 values.  Booleans are 0/1, partner types their
 * enum value, strings a 64-bit hash, a partner set a bit mask.  VAL_UNKNOWN
 * (a missing birth date, say) propagates through arithmetic and makes every
 * comparison false, so "age < 27" does not hold for an unknown age.
 */
#ifndef VR_RULES_INT_H
#define VR_RULES_INT_H

#include "rules.h"

#define VAL_UNKNOWN INT64_MIN
#define RULES_STACK_MAX (RULES_DEPTH_MAX * 2 + 8)
#define RULES_NAME_MAX 63
#define RULES_TEAM_MAX CASE_TEAM_MAX

enum op {
	OP_CONST,       /* push consts[b] */
	OP_FIELD,       /* push field a */
	OP_FIELD_IDX,   /* push field a indexed by partner b (case.amount[P]) */
	OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_NEG,
	OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE,
	OP_AND, OP_OR, OP_NOT,
	OP_IN_MASK,     /* x in constant partner mask consts[b] */
	OP_IN_SET,      /* partner x in partner set y */
	OP_IN_VALUES,   /* x in consts[b .. b+a) */
	OP_IN_LIST,     /* household or person key field a in list b */
};

/* Fields a rule can read (docs/rules.md lists them for people). */
enum field {
	F_PARTNER, F_ORG, F_AMOUNT, F_DAYS_OVERDUE, F_CRISIS, F_END_OF_SUPPLY,
	F_WARM_HANDOVER, F_INCASSO_MISSING, F_INCASSO_INCOMPLETE, F_AGE,
	F_GEMEENTECODE, F_HAS_BSN, F_HAS_ADDRESS,
	F_CASE_AMOUNT, F_CASE_AMOUNT_OF, F_CASE_PARTNERS, F_CASE_PARTNER_COUNT,
	F_CASE_SIGNAL_COUNT, F_CASE_OPEENVOLGEND, F_CASE_MEERVOUDIG, F_CASE_CRISIS, F_CASE_URGENT,
	F_CASE_END_OF_SUPPLY,
	F_HOUSEHOLD, F_PERSON,
	F__COUNT
};

struct instr {
	uint8_t op;
	uint16_t a;
	uint32_t b;
};

struct prog {
	uint32_t start, len;    /* slice of ruleset.code; len 0 = always true */
};

struct score_rule {
	char name[RULES_NAME_MAX + 1];
	uint16_t name_id;       /* interned (names.h), for the cases it scores */
	struct prog when, points;
};

struct prio_rule {
	uint8_t prio;           /* enum case_priority */
	bool working;           /* due counts working days */
	int due;
	struct prog when;
};

struct status_rule {
	uint8_t status;         /* enum rules_status */
	char reason[RULES_NAME_MAX + 1];
	struct prog when;
};

struct route_rule {
	char team[RULES_TEAM_MAX + 1];
	struct prog when;
};

/* A list of pseudonyms from a file: a sorted array, searched by bisection. */
struct hlist {
	char name[RULES_NAME_MAX + 1];
	struct hkey *keys;
	size_t n;
};

struct ruleset {
	char name[RULES_NAME_MAX + 1];
	char version[RULES_NAME_MAX + 1];
	uint16_t ident_id;      /* "name/version", interned (names.h) */

	int64_t threshold[PARTNER__COUNT];
	int days_min[PARTNER__COUNT], days_max[PARTNER__COUNT];
	int repeat_window, matching_period, consecutive_lookback;
	int retention_household, retention_marks, retention_cases;
	int64_t escalation_min_rise;
	enum rules_key matching_key;
	char (*municipalities)[5];
	size_t n_municipalities;
	vr_date *holidays;      /* sorted; the rule file's own */
	size_t n_holidays;
	bool nl_holidays;       /* the national ones too (date_is_nl_holiday) */
	bool liberation_lustrum; /* 5 May only in years divisible by 5 */

	struct status_rule *statuses;
	size_t n_statuses;
	struct prio_rule *prios;
	size_t n_prios;
	struct score_rule *scores;
	size_t n_scores;
	struct route_rule *routes;
	size_t n_routes;
	struct hlist *lists;
	size_t n_lists;

	bool uses_person;       /* some rule reads the person pseudonym */

	struct instr *code;
	size_t n_code;
	int64_t *consts;
	size_t n_consts;
};

/* Run a program; returns its value (0/1 for conditions). */
int64_t rules_run(const struct ruleset *rs, const struct prog *p, const struct rules_ctx *ctx);

#endif
