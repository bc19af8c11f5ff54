/*
 * compile.c - expressions of the rule language: parsed by recursive
 * descent, type-checked and compiled to stack-machine code (rules_int.h)
 * in the same pass.
 *
 * Precedence, loosest first: or; and; not; comparisons and 'in'; + and -;
 * * and /; unary minus.  Each level returns a struct val with the type of
 * what it emitted (TY_BAD once an error is reported, so the mistake is not
 * reported again as a type mismatch further up) and its position.
 */
#include <stdio.h>
#include <string.h>

#include "parse_int.h"
#include "vr.h"

/* ------------------------------------------------------------- emitting */

static void emit(struct parser *ps, enum op op, unsigned a, uint32_t b)
{
	struct ruleset *rs = ps->rs;
	if (!grow((void **)&rs->code, &ps->cap_code, rs->n_code, sizeof(*rs->code))) {
		ERR(ps, "out of memory");
		return;
	}
	rs->code[rs->n_code++] = (struct instr){(uint8_t)op, (uint16_t)a, b};
}

static uint32_t add_const(struct parser *ps, int64_t v)
{
	struct ruleset *rs = ps->rs;
	if (!grow((void **)&rs->consts, &ps->cap_consts, rs->n_consts, sizeof(*rs->consts))) {
		ERR(ps, "out of memory");
		return 0;
	}
	rs->consts[rs->n_consts] = v;
	return (uint32_t)rs->n_consts++;
}

/* --------------------------------------------------------- expressions */

static const char *type_name(enum type t)
{
	switch (t) {
	case TY_INT: return "number";
	case TY_BOOL: return "true/false";
	case TY_PARTNER: return "partner type";
	case TY_STRING: return "text";
	case TY_PSET: return "set of partner types";
	case TY_KEY: return "pseudonym";
	default: return "invalid";
	}
}

/* The result of compiling an expression. */
struct val {
	enum type t;
	int line, col;
	int64_t lit_const;           /* index of a lone string literal's constant, or -1 */
	char lit[RULES_NAME_MAX * 4 + 1];
	unsigned key_field;          /* F_HOUSEHOLD or F_PERSON for TY_KEY */
};

static const struct {
	const char *name;
	enum field f;
	enum type t;
	bool is_case;
} fields[] = {
	{"signal.partner", F_PARTNER, TY_PARTNER, false},
	{"signal.org", F_ORG, TY_STRING, false},
	{"signal.amount", F_AMOUNT, TY_INT, false},
	{"signal.days_overdue", F_DAYS_OVERDUE, TY_INT, false},
	{"signal.crisis", F_CRISIS, TY_BOOL, false},
	{"signal.end_of_supply", F_END_OF_SUPPLY, TY_BOOL, false},
	{"signal.warm_handover", F_WARM_HANDOVER, TY_BOOL, false},
	{"signal.incasso_missing", F_INCASSO_MISSING, TY_BOOL, false},
	{"signal.incasso_incomplete", F_INCASSO_INCOMPLETE, TY_BOOL, false},
	{"signal.age", F_AGE, TY_INT, false},
	{"signal.gemeentecode", F_GEMEENTECODE, TY_STRING, false},
	{"signal.has_bsn", F_HAS_BSN, TY_BOOL, false},
	{"signal.has_address", F_HAS_ADDRESS, TY_BOOL, false},
	{"case.amount", F_CASE_AMOUNT, TY_INT, true},
	{"case.partners", F_CASE_PARTNERS, TY_PSET, true},
	{"case.partner_count", F_CASE_PARTNER_COUNT, TY_INT, true},
	{"case.signal_count", F_CASE_SIGNAL_COUNT, TY_INT, true},
	{"case.opeenvolgend", F_CASE_OPEENVOLGEND, TY_BOOL, true},
	{"case.meervoudig", F_CASE_MEERVOUDIG, TY_BOOL, true},
	{"case.crisis", F_CASE_CRISIS, TY_BOOL, true},
	{"case.urgent", F_CASE_URGENT, TY_BOOL, true},
	{"case.end_of_supply", F_CASE_END_OF_SUPPLY, TY_BOOL, true},
	{"household", F_HOUSEHOLD, TY_KEY, false},
	{"person", F_PERSON, TY_KEY, false},
};

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[64];
	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

static void unknown_field(struct parser *ps, int line, int col, const char *name)
{
	const char *best = NULL;
	size_t bd = 4;
	for (size_t i = 0; i < VR_ARRAY_LEN(fields); i++) {
		size_t d = edit_distance(name, fields[i].name);
		if (d < bd) {
			bd = d;
			best = fields[i].name;
		}
	}
	if (!strcmp(name, "case.amount[]") || !best)
		lex_error_at(ps, line, col, "unknown field %s", name);
	else
		lex_error_at(ps, line, col, "unknown field %s (did you mean %s?)", name, best);
}

/* Partner type from an identifier or string; PARTNER__COUNT if none. */
enum sig_partner compile_partner_named(const char *s)
{
	enum sig_partner p = sig_partner_from_name(s);
	if (p != PARTNER__COUNT)
		return p;
	/* Identifiers cannot hold spaces: CAK_Zorgverzekeringen. */
	char buf[64];
	size_t n = strlen(s);
	if (n >= sizeof(buf))
		return PARTNER__COUNT;
	for (size_t i = 0; i <= n; i++)
		buf[i] = s[i] == '_' ? ' ' : s[i];
	return sig_partner_from_name(buf);
}

/* A string literal used where a partner type is expected. */
static bool coerce_partner(struct parser *ps, struct val *v)
{
	if (v->t == TY_PARTNER)
		return true;
	if (v->t != TY_STRING || v->lit_const < 0)
		return false;
	enum sig_partner p = compile_partner_named(v->lit);
	if (p == PARTNER__COUNT) {
		lex_error_at(ps, v->line, v->col, "unknown partner type \"%s\"", v->lit);
		v->t = TY_BAD; /* reported; do not also report a type mismatch */
		return true;
	}
	ps->rs->consts[v->lit_const] = p;
	v->t = TY_PARTNER;
	return true;
}

static struct val expr(struct parser *ps);

static struct val mkval(struct parser *ps, enum type t)
{
	struct val v = {t, ps->tok.line, ps->tok.col, -1, "", 0};
	return v;
}

static struct val parse_path(struct parser *ps, struct val v, char *name, size_t nlen)
{
	while (ps->tok.t == T_DOT) {
		lex_next(ps);
		if (ps->tok.t != T_IDENT) {
			lex_expect(ps, T_IDENT, "a field name after '.'");
			v.t = TY_BAD;
			return v;
		}
		size_t used = strlen(name);
		snprintf(name + used, nlen - used, ".%.*s", (int)ps->tok.len, ps->tok.s);
		lex_next(ps);
	}
	if (!strcmp(name, "case.amount") && ps->tok.t == T_LB) {
		lex_next(ps);
		char pn[RULES_NAME_MAX + 1] = "";
		if (ps->tok.t == T_IDENT)
			snprintf(pn, sizeof(pn), "%.*s", (int)(ps->tok.len > 60 ? 60 : ps->tok.len), ps->tok.s);
		else if (ps->tok.t == T_STR)
			snprintf(pn, sizeof(pn), "%.60s", ps->tok.str);
		enum sig_partner p = compile_partner_named(pn);
		if (p == PARTNER__COUNT)
			ERR(ps, "case.amount[...] needs a partner type, found '%s'", pn);
		lex_next(ps);
		lex_expect(ps, T_RB, "']'");
		if (!ps->ctx_case)
			lex_error_at(ps, v.line, v.col, "case fields are not available here");
		emit(ps, OP_FIELD_IDX, F_CASE_AMOUNT_OF, (uint32_t)(p == PARTNER__COUNT ? 0 : p));
		v.t = TY_INT;
		return v;
	}
	for (size_t i = 0; i < VR_ARRAY_LEN(fields); i++) {
		if (strcmp(fields[i].name, name) != 0)
			continue;
		if (fields[i].is_case && !ps->ctx_case)
			lex_error_at(ps, v.line, v.col,
				     "%s is not available here: status and priority rules see the "
				     "signal, not its case", name);
		v.t = fields[i].t;
		if (v.t == TY_KEY)
			v.key_field = fields[i].f;
		else
			emit(ps, OP_FIELD, fields[i].f, 0);
		return v;
	}
	unknown_field(ps, v.line, v.col, name);
	v.t = TY_BAD;
	return v;
}

static struct val primary(struct parser *ps)
{
	struct val v = mkval(ps, TY_BAD);
	char name[RULES_NAME_MAX * 2 + 1];

	switch (ps->tok.t) {
	case T_NUM:
		emit(ps, OP_CONST, 0, add_const(ps, ps->tok.num));
		lex_next(ps);
		v.t = TY_INT;
		return v;
	case T_STR:
		v.lit_const = add_const(ps, (int64_t)sig_text_hash(ps->tok.str));
		snprintf(v.lit, sizeof(v.lit), "%s", ps->tok.str);
		emit(ps, OP_CONST, 0, (uint32_t)v.lit_const);
		lex_next(ps);
		v.t = TY_STRING;
		return v;
	case T_LP:
		lex_next(ps);
		v = expr(ps);
		lex_expect(ps, T_RP, "')'");
		v.lit_const = -1;
		return v;
	case T_IDENT:
		snprintf(name, sizeof(name), "%.*s", (int)(ps->tok.len > 60 ? 60 : ps->tok.len),
			 ps->tok.s);
		if (!strcmp(name, "true") || !strcmp(name, "false")) {
			emit(ps, OP_CONST, 0, add_const(ps, name[0] == 't'));
			lex_next(ps);
			v.t = TY_BOOL;
			return v;
		}
		if (!strcmp(name, "signal") || !strcmp(name, "case") ||
		    !strcmp(name, "household") || !strcmp(name, "person")) {
			lex_next(ps);
			return parse_path(ps, v, name, sizeof(name));
		}
		enum sig_partner p = compile_partner_named(name);
		if (p != PARTNER__COUNT) {
			emit(ps, OP_CONST, 0, add_const(ps, p));
			lex_next(ps);
			v.t = TY_PARTNER;
			return v;
		}
		ERR(ps, "unknown name '%s' (fields start with signal., case., household or "
			"person; partner types are written as in DDAS, e.g. Huur)", name);
		lex_next(ps);
		return v;
	default: {
		char got[64];
		lex_tok_text(&ps->tok, got, sizeof(got));
		if (!ps->line_failed)
			ERR(ps, "expected a value, found %s", got);
		return v;
	}
	}
}

static struct val unary(struct parser *ps)
{
	if (ps->tok.t == T_MINUS) {
		struct val v = mkval(ps, TY_INT);
		lex_next(ps);
		struct val x = unary(ps);
		if (x.t != TY_INT && x.t != TY_BAD)
			lex_error_at(ps, v.line, v.col, "'-' needs a number, not %s",
				     type_name(x.t));
		emit(ps, OP_NEG, 0, 0);
		return v;
	}
	return primary(ps);
}

static struct val binary_arith(struct parser *ps, struct val l, enum op op,
			       struct val (*next)(struct parser *))
{
	struct val r = next(ps);
	if ((l.t != TY_INT && l.t != TY_BAD) || (r.t != TY_INT && r.t != TY_BAD)) {
		struct val bad = l.t != TY_INT ? l : r;
		lex_error_at(ps, bad.line, bad.col, "arithmetic needs numbers, not %s",
			     type_name(bad.t));
	}
	emit(ps, op, 0, 0);
	l.t = l.t == TY_BAD || r.t == TY_BAD ? TY_BAD : TY_INT;
	l.lit_const = -1;
	return l;
}

static struct val product(struct parser *ps)
{
	struct val l = unary(ps);
	for (;;) {
		if (lex_accept(ps, T_STAR))
			l = binary_arith(ps, l, OP_MUL, unary);
		else if (lex_accept(ps, T_SLASH))
			l = binary_arith(ps, l, OP_DIV, unary);
		else
			return l;
	}
}

static struct val sum(struct parser *ps)
{
	struct val l = product(ps);
	for (;;) {
		if (lex_accept(ps, T_PLUS))
			l = binary_arith(ps, l, OP_ADD, product);
		else if (lex_accept(ps, T_MINUS))
			l = binary_arith(ps, l, OP_SUB, product);
		else
			return l;
	}
}

int compile_find_list(const struct ruleset *rs, const char *name)
{
	for (size_t i = 0; i < rs->n_lists; i++)
		if (!strcmp(rs->lists[i].name, name))
			return (int)i;
	return -1;
}

/* Right-hand side of 'in'. */
static void in_rhs(struct parser *ps, struct val *l)
{
	struct val r = mkval(ps, TY_BAD);
	if (l->t == TY_KEY) {
		char name[RULES_NAME_MAX + 1] = "";
		if (ps->tok.t == T_IDENT)
			snprintf(name, sizeof(name), "%.*s", (int)(ps->tok.len > 60 ? 60 : ps->tok.len),
				 ps->tok.s);
		int li = ps->tok.t == T_IDENT ? compile_find_list(ps->rs, name) : -1;
		if (li < 0)
			ERR(ps, "'%s in' needs a list declared with 'list NAME from \"file\"'",
			    l->key_field == F_PERSON ? "person" : "household");
		else
			emit(ps, OP_IN_LIST, l->key_field, (uint32_t)li);
		if (l->key_field == F_PERSON)
			ps->rs->uses_person = true;
		lex_next(ps);
		l->t = TY_BOOL;
		return;
	}
	if (ps->tok.t == T_LB) {
		/* A literal list: its items become constants in a row. */
		lex_next(ps);
		uint32_t first = (uint32_t)ps->rs->n_consts;
		int64_t mask = 0;
		unsigned n = 0;
		bool partner = l->t == TY_PARTNER;
		do {
			struct token t = ps->tok;
			if (t.t == T_NUM && l->t == TY_INT) {
				add_const(ps, t.num);
			} else if ((t.t == T_STR || t.t == T_IDENT) && partner) {
				char pn[RULES_NAME_MAX + 1];
				snprintf(pn, sizeof(pn), "%.*s", (int)(t.t == T_STR ? strlen(t.str) : t.len),
					 t.t == T_STR ? t.str : t.s);
				enum sig_partner p = compile_partner_named(pn);
				if (p == PARTNER__COUNT)
					ERR(ps, "unknown partner type \"%s\"", pn);
				else
					mask |= (int64_t)1 << p;
			} else if (t.t == T_STR && l->t == TY_STRING) {
				add_const(ps, (int64_t)sig_text_hash(t.str));
			} else {
				ERR(ps, "list items must be %s like the left side", type_name(l->t));
			}
			n++;
			lex_next(ps);
		} while (lex_accept(ps, T_COMMA));
		lex_expect(ps, T_RB, "']' closing the list");
		if (partner)
			emit(ps, OP_IN_MASK, 0, add_const(ps, mask));
		else
			emit(ps, OP_IN_VALUES, n, first);
		l->t = TY_BOOL;
		return;
	}
	r = sum(ps);
	if (r.t == TY_PSET) {
		if (!coerce_partner(ps, l) && l->t != TY_BAD)
			lex_error_at(ps, l->line, l->col, "only a partner type can be in %s",
				     type_name(r.t));
		emit(ps, OP_IN_SET, 0, 0);
	} else if (r.t != TY_BAD) {
		lex_error_at(ps, r.line, r.col,
			     "'in' needs a [list], case.partners or a list name");
	}
	l->t = TY_BOOL;
}

static struct val comparison(struct parser *ps)
{
	struct val l = sum(ps);
	static const struct {
		enum tok t;
		enum op op;
	} cmps[] = {{T_EQ, OP_EQ}, {T_NE, OP_NE}, {T_LT, OP_LT},
		    {T_LE, OP_LE}, {T_GT, OP_GT}, {T_GE, OP_GE}};

	if (lex_is_word(ps, "in") || lex_is_word(ps, "not")) {
		bool negate = lex_is_word(ps, "not");
		lex_next(ps);
		if (negate && !lex_expect_word(ps, "in")) {
			l.t = TY_BAD;
			return l;
		}
		in_rhs(ps, &l);
		if (negate)
			emit(ps, OP_NOT, 0, 0);
		l.lit_const = -1;
		return l;
	}
	for (size_t i = 0; i < VR_ARRAY_LEN(cmps); i++) {
		if (ps->tok.t != cmps[i].t)
			continue;
		lex_next(ps);
		struct val r = sum(ps);
		if (l.t == TY_PARTNER || r.t == TY_PARTNER) {
			coerce_partner(ps, &l);
			coerce_partner(ps, &r);
		}
		bool ordered = cmps[i].op != OP_EQ && cmps[i].op != OP_NE;
		if (l.t != TY_BAD && r.t != TY_BAD) {
			if (l.t != r.t)
				lex_error_at(ps, r.line, r.col,
					     "type mismatch: cannot compare %s with %s",
					     type_name(l.t), type_name(r.t));
			else if (ordered && l.t != TY_INT)
				lex_error_at(ps, l.line, l.col,
					     "only numbers can be ordered, not %s", type_name(l.t));
			else if (l.t == TY_PSET || l.t == TY_KEY)
				lex_error_at(ps, l.line, l.col, "%s cannot be compared; use 'in'",
					     type_name(l.t));
		}
		emit(ps, cmps[i].op, 0, 0);
		l.t = l.t == TY_BAD || r.t == TY_BAD ? TY_BAD : TY_BOOL;
		l.lit_const = -1;
		return l;
	}
	return l;
}

static struct val need_bool(struct parser *ps, struct val v, const char *op)
{
	if (v.t != TY_BOOL && v.t != TY_BAD)
		lex_error_at(ps, v.line, v.col, "'%s' needs true/false, not %s", op,
			     type_name(v.t));
	return v;
}

static struct val negation(struct parser *ps)
{
	if (lex_is_word(ps, "not")) {
		struct val v = mkval(ps, TY_BOOL);
		lex_next(ps);
		struct val x = need_bool(ps, negation(ps), "not");
		emit(ps, OP_NOT, 0, 0);
		v.t = x.t == TY_BAD ? TY_BAD : TY_BOOL;
		return v;
	}
	return comparison(ps);
}

static struct val conjunction(struct parser *ps)
{
	struct val l = negation(ps);
	while (lex_accept_word(ps, "and")) {
		need_bool(ps, l, "and");
		struct val r = need_bool(ps, negation(ps), "and");
		emit(ps, OP_AND, 0, 0);
		if (r.t == TY_BAD)
			l.t = TY_BAD;
		else if (l.t != TY_BAD)
			l.t = TY_BOOL;
	}
	return l;
}

static struct val expr(struct parser *ps)
{
	if (++ps->depth > RULES_DEPTH_MAX) {
		ERR(ps, "expression nested too deeply (max %d)", RULES_DEPTH_MAX);
		ps->depth--;
		/* Skip the rest of the line: the parse cannot recover inside. */
		while (ps->tok.t != T_EOF && ps->tok.t != T_NL)
			lex_next(ps);
		return mkval(ps, TY_BAD);
	}
	struct val l = conjunction(ps);
	while (lex_accept_word(ps, "or")) {
		need_bool(ps, l, "or");
		struct val r = need_bool(ps, conjunction(ps), "or");
		emit(ps, OP_OR, 0, 0);
		if (r.t == TY_BAD)
			l.t = TY_BAD;
		else if (l.t != TY_BAD)
			l.t = TY_BOOL;
	}
	ps->depth--;
	return l;
}

/* Compile an expression of the wanted type into a program. */
struct prog compile_expr(struct parser *ps, enum type want, const char *what)
{
	struct prog p = {(uint32_t)ps->rs->n_code, 0};
	struct val v = expr(ps);
	if (want == TY_PARTNER)
		coerce_partner(ps, &v);
	if (v.t == TY_KEY)
		lex_error_at(ps, v.line, v.col, "%s must be used as '%s in LIST'",
			     v.key_field == F_PERSON ? "person" : "household",
			     v.key_field == F_PERSON ? "person" : "household");
	else if (v.t != want && v.t != TY_BAD)
		lex_error_at(ps, v.line, v.col, "%s must be %s, not %s", what, type_name(want),
			     type_name(v.t));
	p.len = (uint32_t)(ps->rs->n_code - p.start);
	if (p.len == 0) /* an empty program means "always": never for a real expr */
		emit(ps, OP_CONST, 0, add_const(ps, 0)), p.len = 1;
	return p;
}
