/* eval.c - run compiled rules against a signal, household and case. */
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "rules_int.h"

static int64_t case_amount_of(const struct case_rec *c, unsigned partner)
{
	int64_t sum = 0;
	for (unsigned i = 0; i < c->n_orgs; i++)
		if (c->orgs[i].partner == partner)
			sum += c->orgs[i].amount;
	return sum;
}

static int64_t case_partner_mask(const struct case_rec *c)
{
	int64_t m = 0;
	for (unsigned i = 0; i < c->n_orgs; i++)
		m |= (int64_t)1 << c->orgs[i].partner;
	return m;
}

static bool case_any_end_of_supply(const struct case_rec *c)
{
	unsigned listed = c->n_signals - c->signals_dropped;
	for (unsigned i = 0; i < listed; i++)
		if (c->signals[i].end_of_supply)
			return true;
	return false;
}

static int64_t field(const struct rules_ctx *x, unsigned f, uint32_t arg)
{
	const struct signal *s = x->sig;
	const struct case_rec *c = x->kase;

	switch ((enum field)f) {
	case F_PARTNER: return s->partner;
	case F_ORG: return (int64_t)sig_text_hash(s->partner_org);
	case F_AMOUNT: return s->amount;
	case F_DAYS_OVERDUE: return sig_days_overdue(s);
	case F_CRISIS: return s->crisis;
	case F_END_OF_SUPPLY: return s->end_of_supply;
	case F_WARM_HANDOVER: return s->warm_handover;
	case F_INCASSO_MISSING: return !s->has_collection;
	case F_INCASSO_INCOMPLETE: return sig_collection_incomplete(s);
	case F_AGE:
		return s->client.birth == VR_DATE_NONE
			       ? VAL_UNKNOWN
			       : date_age_years(s->client.birth, s->signal_date);
	case F_GEMEENTECODE: return (int64_t)sig_text_hash(s->gemeentecode);
	case F_HAS_BSN: return s->client.bsn[0] != '\0';
	case F_HAS_ADDRESS: return s->client.postcode[0] != '\0';
	case F_CASE_AMOUNT: return c ? c->amount : VAL_UNKNOWN;
	case F_CASE_AMOUNT_OF: return c ? case_amount_of(c, arg) : VAL_UNKNOWN;
	case F_CASE_PARTNERS: return c ? case_partner_mask(c) : 0;
	case F_CASE_PARTNER_COUNT: return c ? case_partner_orgs(c) : VAL_UNKNOWN;
	case F_CASE_SIGNAL_COUNT: return c ? c->n_signals : VAL_UNKNOWN;
	case F_CASE_OPEENVOLGEND: return c ? c->opeenvolgend : VAL_UNKNOWN;
	case F_CASE_MEERVOUDIG: return c ? case_is_meervoudig(c) : VAL_UNKNOWN;
	case F_CASE_CRISIS: return c ? c->priority == PRIO_CRISIS : VAL_UNKNOWN;
	case F_CASE_URGENT: return c ? c->priority >= PRIO_URGENT : VAL_UNKNOWN;
	case F_CASE_END_OF_SUPPLY: return c ? case_any_end_of_supply(c) : VAL_UNKNOWN;
	case F_HOUSEHOLD:
	case F_PERSON:
	case F__COUNT:
		break;
	}
	return VAL_UNKNOWN;
}

static int key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, HKEY_LEN);
}

static bool in_list(const struct hlist *l, const struct hkey *k)
{
	return k && l->n && bsearch(k, l->keys, l->n, sizeof(*k), key_cmp) != NULL;
}

static int64_t cmp(enum op op, int64_t a, int64_t b)
{
	if (a == VAL_UNKNOWN || b == VAL_UNKNOWN)
		return VAL_UNKNOWN;
	switch (op) {
	case OP_EQ: return a == b;
	case OP_NE: return a != b;
	case OP_LT: return a < b;
	case OP_LE: return a <= b;
	case OP_GT: return a > b;
	case OP_GE: return a >= b;
	default: return 0;
	}
}

static int64_t arith(enum op op, int64_t a, int64_t b)
{
	if (a == VAL_UNKNOWN || b == VAL_UNKNOWN)
		return VAL_UNKNOWN;
	/* Wrap instead of overflowing: amounts are bounded far below this. */
	uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
	switch (op) {
	case OP_ADD: return (int64_t)(ua + ub);
	case OP_SUB: return (int64_t)(ua - ub);
	case OP_MUL: return (int64_t)(ua * ub);
	case OP_DIV:
		if (b == 0 || (a == INT64_MIN + 1 && b == -1))
			return VAL_UNKNOWN;
		return a / b;
	default: return VAL_UNKNOWN;
	}
}

/* Three-valued logic, as SQL: unknown and false is false, unknown
 * or true is true, not unknown is unknown (OP_NOT). */
static int64_t and3(int64_t a, int64_t b)
{
	if (a == 0 || b == 0)
		return 0;
	if (a == VAL_UNKNOWN || b == VAL_UNKNOWN)
		return VAL_UNKNOWN;
	return 1;
}

static int64_t or3(int64_t a, int64_t b)
{
	if (a == 1 || b == 1)
		return 1;
	if (a == VAL_UNKNOWN || b == VAL_UNKNOWN)
		return VAL_UNKNOWN;
	return 0;
}

int64_t rules_run(const struct ruleset *rs, const struct prog *p, const struct rules_ctx *x)
{
	int64_t st[RULES_STACK_MAX];
	int sp = 0;

	if (p->len == 0)
		return 1;
	for (const struct instr *in = rs->code + p->start, *end = in + p->len; in < end; in++) {
		switch ((enum op)in->op) {
		case OP_CONST: st[sp++] = rs->consts[in->b]; break;
		case OP_FIELD:
			if (in->a == F_HOUSEHOLD || in->a == F_PERSON)
				st[sp++] = 0; /* only used through OP_IN_LIST */
			else
				st[sp++] = field(x, in->a, 0);
			break;
		case OP_FIELD_IDX: st[sp++] = field(x, in->a, in->b); break;
		case OP_ADD: case OP_SUB: case OP_MUL: case OP_DIV:
			sp--;
			st[sp - 1] = arith((enum op)in->op, st[sp - 1], st[sp]);
			break;
		case OP_NEG:
			if (st[sp - 1] != VAL_UNKNOWN)
				st[sp - 1] = (int64_t)(0 - (uint64_t)st[sp - 1]);
			break;
		case OP_EQ: case OP_NE: case OP_LT: case OP_LE: case OP_GT: case OP_GE:
			sp--;
			st[sp - 1] = cmp((enum op)in->op, st[sp - 1], st[sp]);
			break;
		case OP_AND:
			sp--;
			st[sp - 1] = and3(st[sp - 1], st[sp]);
			break;
		case OP_OR:
			sp--;
			st[sp - 1] = or3(st[sp - 1], st[sp]);
			break;
		case OP_NOT:
			if (st[sp - 1] != VAL_UNKNOWN)
				st[sp - 1] = st[sp - 1] == 0;
			break;
		case OP_IN_MASK:
			if (st[sp - 1] != VAL_UNKNOWN)
				st[sp - 1] = st[sp - 1] >= 0 && st[sp - 1] < 63 &&
					     ((rs->consts[in->b] >> st[sp - 1]) & 1);
			break;
		case OP_IN_SET:
			sp--;
			if (st[sp - 1] != VAL_UNKNOWN)
				st[sp - 1] = st[sp - 1] >= 0 && st[sp - 1] < 63 &&
					     ((st[sp] >> st[sp - 1]) & 1);
			break;
		case OP_IN_VALUES: {
			int64_t v = st[sp - 1], hit = 0;
			for (uint32_t k = 0; k < in->a && !hit && v != VAL_UNKNOWN; k++)
				hit = rs->consts[in->b + k] == v;
			st[sp - 1] = v == VAL_UNKNOWN ? VAL_UNKNOWN : hit;
			break;
		}
		case OP_IN_LIST:
			st[sp++] = in_list(&rs->lists[in->b],
					   in->a == F_PERSON ? x->person : x->household);
			break;
		}
	}
	return sp ? st[sp - 1] : 0;
}

static bool holds(const struct ruleset *rs, const struct prog *p, const struct rules_ctx *x)
{
	return rules_run(rs, p, x) == 1;
}

enum rules_status ruleset_status(const struct ruleset *rs, const struct rules_ctx *x,
				 const char **reason)
{
	for (size_t i = 0; i < rs->n_statuses; i++) {
		if (holds(rs, &rs->statuses[i].when, x)) {
			*reason = rs->statuses[i].reason;
			return (enum rules_status)rs->statuses[i].status;
		}
	}
	*reason = "";
	return RSTATUS_NONE;
}

static vr_date add_working_days(const struct ruleset *rs, vr_date d, int n)
{
	while (n > 0) {
		d++;
		if (!date_is_weekend(d) && !ruleset_is_holiday(rs, d))
			n--;
	}
	return d;
}

enum case_priority ruleset_priority(const struct ruleset *rs, const struct rules_ctx *x,
				    vr_date *due)
{
	/* The team's clock starts when the municipality received the signal,
	 * never before its signaaldatum (received may be unknown: NONE). */
	vr_date from = x->sig->received > x->sig->signal_date ? x->sig->received
							      : x->sig->signal_date;
	for (size_t i = 0; i < rs->n_prios; i++) {
		const struct prio_rule *p = &rs->prios[i];
		if (!holds(rs, &p->when, x))
			continue;
		*due = p->working ? add_working_days(rs, from, p->due) : from + p->due;
		return (enum case_priority)p->prio;
	}
	/* The checker requires a final unconditional priority; not reached. */
	*due = from;
	return PRIO_NORMAL;
}

/* A case's rule name (state.h) holds any rule name whole. */
_Static_assert(CASE_RULE_NAME_MAX == RULES_NAME_MAX, "a case's rule name holds any rule name");
_Static_assert(CASE_RULESET_MAX >= 2 * RULES_NAME_MAX + 1 && CASE_RULESET_MAX <= NAME_MAX_BYTES,
	       "a case's rule set name holds any name/version");

void ruleset_score(const struct ruleset *rs, const struct rules_ctx *x, struct case_rec *out)
{
	out->score = 0;
	out->n_rules = 0;
	/* Rules are evaluated on the case as it stands; out may be that case. */
	for (size_t i = 0; i < rs->n_scores; i++) {
		const struct score_rule *r = &rs->scores[i];
		if (!holds(rs, &r->when, x))
			continue;
		int64_t pts = rules_run(rs, &r->points, x);
		if (pts == VAL_UNKNOWN)
			continue;
		if (pts > INT16_MAX)
			pts = INT16_MAX;
		if (pts < INT16_MIN)
			pts = INT16_MIN;
		out->score += (int32_t)pts;
		if (out->n_rules < CASE_RULES_MAX) {
			out->rules[out->n_rules].rule = (uint16_t)i;
			out->rules[out->n_rules].points = (int16_t)pts;
			out->rule_name[out->n_rules] = r->name_id;
			out->n_rules++;
		}
	}
	out->has_rule_names = true;
	out->scored_by = rs->ident_id;
}

const char *ruleset_route(const struct ruleset *rs, const struct rules_ctx *x)
{
	for (size_t i = 0; i < rs->n_routes; i++)
		if (holds(rs, &rs->routes[i].when, x))
			return rs->routes[i].team;
	return "default";
}

const char *ruleset_score_name(const struct ruleset *rs, unsigned rule)
{
	return rule < rs->n_scores ? rs->scores[rule].name : "?";
}

const char *ruleset_name(const struct ruleset *rs) { return rs->name; }
const char *ruleset_version(const struct ruleset *rs) { return rs->version; }
size_t ruleset_n_scores(const struct ruleset *rs) { return rs->n_scores; }

int64_t ruleset_threshold(const struct ruleset *rs, enum sig_partner p)
{
	return rs->threshold[p];
}

void ruleset_days_range(const struct ruleset *rs, enum sig_partner p, int *min, int *max)
{
	*min = rs->days_min[p];
	*max = rs->days_max[p];
}

int ruleset_retention_household(const struct ruleset *rs) { return rs->retention_household; }
int ruleset_retention_marks(const struct ruleset *rs) { return rs->retention_marks; }
int ruleset_retention_cases(const struct ruleset *rs) { return rs->retention_cases; }
bool ruleset_uses_person(const struct ruleset *rs) { return rs->uses_person; }
int ruleset_repeat_window(const struct ruleset *rs) { return rs->repeat_window; }
int64_t ruleset_escalation_min_rise(const struct ruleset *rs) { return rs->escalation_min_rise; }
int ruleset_matching_period(const struct ruleset *rs) { return rs->matching_period; }
enum rules_key ruleset_matching_key(const struct ruleset *rs) { return rs->matching_key; }
int ruleset_consecutive_lookback(const struct ruleset *rs) { return rs->consecutive_lookback; }
size_t ruleset_n_municipalities(const struct ruleset *rs) { return rs->n_municipalities; }

const char *ruleset_municipality(const struct ruleset *rs, size_t i)
{
	return i < rs->n_municipalities ? rs->municipalities[i] : NULL;
}

bool ruleset_is_holiday(const struct ruleset *rs, vr_date d)
{
	if (rs->nl_holidays && date_is_nl_holiday(d, rs->liberation_lustrum))
		return true;
	size_t lo = 0, hi = rs->n_holidays;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (rs->holidays[mid] < d)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < rs->n_holidays && rs->holidays[lo] == d;
}

void ruleset_free(struct ruleset *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n_lists; i++)
		free(rs->lists[i].keys);
	free(rs->lists);
	free(rs->municipalities);
	free(rs->holidays);
	free(rs->statuses);
	free(rs->prios);
	free(rs->scores);
	free(rs->routes);
	free(rs->code);
	free(rs->consts);
	free(rs);
}
