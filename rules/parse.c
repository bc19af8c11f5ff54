/*
 * parse.c - lexer, parser, type checker and compiler of rule files.
 *
 * One pass: a recursive-descent parser that checks types as it goes and
 * emits stack-machine code (rules_int.h).  Errors are collected as
 * "file:line:col: message" (up to RULES_ERRORS_MAX); after an error the
 * parser skips to the next line, so one mistake gives one message.  Nothing
 * is returned unless the whole file is clean.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyfile.h"
#include "rules_int.h"
#include "vr.h"

/* ---------------------------------------------------------------- lexer */

enum tok {
	T_EOF, T_NL, T_IDENT, T_NUM, T_STR,
	T_LP, T_RP, T_LB, T_RB, T_COMMA, T_DOT, T_DOTDOT, T_ASSIGN,
	T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_PLUS, T_MINUS, T_STAR, T_SLASH,
	T_ERR
};

struct token {
	enum tok t;
	int line, col;
	const char *s;   /* start in the text */
	size_t len;
	int64_t num;
	char str[RULES_NAME_MAX * 4 + 1]; /* string literal, unescaped */
};

struct parser {
	const char *name, *dir;
	const char *src, *end, *p;
	int line;
	const char *line_start;
	struct token tok;
	char *errs;
	size_t errlen, errused;
	int n_errors;
	bool line_failed;          /* an error in this statement: skip the rest */
	struct ruleset *rs;
	size_t cap_code, cap_consts, cap_scores, cap_prios, cap_statuses, cap_routes;
	int depth;
	int ctx_case;              /* case fields allowed in this statement */
	int decls;
	bool thr_by_type[PARTNER__COUNT];  /* set per type: the general value skips it */
	bool days_by_type[PARTNER__COUNT];
	int final_prio_line, final_route_line; /* 0 = none yet */
};

static void error_at(struct parser *ps, int line, int col, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	ps->line_failed = true;
	if (ps->n_errors++ >= RULES_ERRORS_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ps->errused < ps->errlen) {
		int n = snprintf(ps->errs + ps->errused, ps->errlen - ps->errused, "%s%s:%d:%d: %s",
				 ps->errused ? "\n" : "", ps->name, line, col, msg);
		if (n > 0)
			ps->errused += (size_t)n < ps->errlen - ps->errused ? (size_t)n
									: ps->errlen - ps->errused - 1;
	}
}

#define ERR(ps, ...) error_at((ps), (ps)->tok.line, (ps)->tok.col, __VA_ARGS__)

static void lex(struct parser *ps)
{
	struct token *t = &ps->tok;
	const char *p = ps->p;

again:
	while (p < ps->end && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	if (p < ps->end && *p == '#') {
		while (p < ps->end && *p != '\n')
			p++;
		goto again;
	}
	t->line = ps->line;
	t->col = (int)(p - ps->line_start) + 1;
	t->s = p;
	t->len = 1;
	if (p >= ps->end) {
		t->t = T_EOF;
		t->len = 0;
		ps->p = p;
		return;
	}
	char c = *p;
	if (c == '\n') {
		t->t = T_NL;
		ps->line++;
		ps->line_start = p + 1;
		ps->p = p + 1;
		return;
	}
	if (isalpha((unsigned char)c) || c == '_') {
		const char *q = p;
		while (q < ps->end && (isalnum((unsigned char)*q) || *q == '_'))
			q++;
		t->t = T_IDENT;
		t->len = (size_t)(q - p);
		ps->p = q;
		return;
	}
	if (isdigit((unsigned char)c)) {
		const char *q = p;
		int64_t v = 0;
		bool overflow = false;
		while (q < ps->end && isdigit((unsigned char)*q)) {
			if (v > (INT64_MAX - 9) / 10)
				overflow = true;
			else
				v = v * 10 + (*q - '0');
			q++;
		}
		t->t = overflow ? T_ERR : T_NUM;
		t->num = v;
		t->len = (size_t)(q - p);
		ps->p = q;
		if (overflow)
			ERR(ps, "number too large");
		return;
	}
	if (c == '"') {
		const char *q = p + 1;
		size_t n = 0;
		t->t = T_STR;
		while (q < ps->end && *q != '"' && *q != '\n') {
			char ch = *q++;
			if (ch == '\\' && q < ps->end && (*q == '"' || *q == '\\'))
				ch = *q++;
			if (n + 1 < sizeof(t->str))
				t->str[n++] = ch;
			else
				t->t = T_ERR;
		}
		t->str[n] = '\0';
		if (q >= ps->end || *q != '"') {
			t->t = T_ERR;
			ERR(ps, "unterminated string");
			ps->p = q;
			return;
		}
		if (t->t == T_ERR)
			ERR(ps, "string too long (max %zu bytes)", sizeof(t->str) - 1);
		t->len = (size_t)(q + 1 - p);
		ps->p = q + 1;
		return;
	}
	static const struct {
		const char *s;
		enum tok t;
	} ops[] = {
		{"..", T_DOTDOT}, {"==", T_EQ}, {"!=", T_NE}, {"<=", T_LE}, {">=", T_GE},
		{"(", T_LP}, {")", T_RP}, {"[", T_LB}, {"]", T_RB}, {",", T_COMMA},
		{".", T_DOT}, {"=", T_ASSIGN}, {"<", T_LT}, {">", T_GT}, {"+", T_PLUS},
		{"-", T_MINUS}, {"*", T_STAR}, {"/", T_SLASH},
	};
	for (size_t i = 0; i < VR_ARRAY_LEN(ops); i++) {
		size_t n = strlen(ops[i].s);
		if ((size_t)(ps->end - p) >= n && memcmp(p, ops[i].s, n) == 0) {
			t->t = ops[i].t;
			t->len = n;
			ps->p = p + n;
			return;
		}
	}
	t->t = T_ERR;
	ps->p = p + 1;
	if ((unsigned char)c >= 0x20 && (unsigned char)c < 0x7f)
		ERR(ps, "unexpected character '%c'", c);
	else
		ERR(ps, "unexpected byte 0x%02x", (unsigned char)c);
}

static bool is_word(const struct parser *ps, const char *w)
{
	return ps->tok.t == T_IDENT && ps->tok.len == strlen(w) &&
	       memcmp(ps->tok.s, w, ps->tok.len) == 0;
}

static bool accept(struct parser *ps, enum tok t)
{
	if (ps->tok.t != t)
		return false;
	lex(ps);
	return true;
}

static bool accept_word(struct parser *ps, const char *w)
{
	if (!is_word(ps, w))
		return false;
	lex(ps);
	return true;
}

static void tok_text(const struct token *t, char *buf, size_t len)
{
	if (t->t == T_EOF)
		snprintf(buf, len, "end of file");
	else if (t->t == T_NL)
		snprintf(buf, len, "end of line");
	else
		snprintf(buf, len, "'%.*s'", (int)(t->len > 40 ? 40 : t->len), t->s);
}

static bool expect(struct parser *ps, enum tok t, const char *what)
{
	char got[64];
	if (accept(ps, t))
		return true;
	if (!ps->line_failed) {
		tok_text(&ps->tok, got, sizeof(got));
		ERR(ps, "expected %s, found %s", what, got);
	}
	return false;
}

static bool expect_word(struct parser *ps, const char *w)
{
	char got[64], want[64];
	if (accept_word(ps, w))
		return true;
	if (!ps->line_failed) {
		tok_text(&ps->tok, got, sizeof(got));
		snprintf(want, sizeof(want), "'%s'", w);
		ERR(ps, "expected %s, found %s", want, got);
	}
	return false;
}

/* ------------------------------------------------------------- emitting */

static bool grow(void **arr, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return true;
	size_t nc = *cap ? *cap * 2 : 64;
	void *p = realloc(*arr, nc * size);
	if (!p)
		return false;
	*arr = p;
	*cap = nc;
	return true;
}

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

enum type { TY_BAD, TY_INT, TY_BOOL, TY_PARTNER, TY_STRING, TY_PSET, TY_KEY };

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
		error_at(ps, line, col, "unknown field %s", name);
	else
		error_at(ps, line, col, "unknown field %s (did you mean %s?)", name, best);
}

/* Partner type from an identifier or string; PARTNER__COUNT if none. */
static enum sig_partner partner_named(const char *s)
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
	enum sig_partner p = partner_named(v->lit);
	if (p == PARTNER__COUNT) {
		error_at(ps, v->line, v->col, "unknown partner type \"%s\"", v->lit);
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
		lex(ps);
		if (ps->tok.t != T_IDENT) {
			expect(ps, T_IDENT, "a field name after '.'");
			v.t = TY_BAD;
			return v;
		}
		size_t used = strlen(name);
		snprintf(name + used, nlen - used, ".%.*s", (int)ps->tok.len, ps->tok.s);
		lex(ps);
	}
	if (!strcmp(name, "case.amount") && ps->tok.t == T_LB) {
		lex(ps);
		char pn[RULES_NAME_MAX + 1] = "";
		if (ps->tok.t == T_IDENT)
			snprintf(pn, sizeof(pn), "%.*s", (int)(ps->tok.len > 60 ? 60 : ps->tok.len), ps->tok.s);
		else if (ps->tok.t == T_STR)
			snprintf(pn, sizeof(pn), "%.60s", ps->tok.str);
		enum sig_partner p = partner_named(pn);
		if (p == PARTNER__COUNT)
			ERR(ps, "case.amount[...] needs a partner type, found '%s'", pn);
		lex(ps);
		expect(ps, T_RB, "']'");
		if (!ps->ctx_case)
			error_at(ps, v.line, v.col, "case fields are not available here");
		emit(ps, OP_FIELD_IDX, F_CASE_AMOUNT_OF, (uint32_t)(p == PARTNER__COUNT ? 0 : p));
		v.t = TY_INT;
		return v;
	}
	for (size_t i = 0; i < VR_ARRAY_LEN(fields); i++) {
		if (strcmp(fields[i].name, name) != 0)
			continue;
		if (fields[i].is_case && !ps->ctx_case)
			error_at(ps, v.line, v.col,
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
		lex(ps);
		v.t = TY_INT;
		return v;
	case T_STR:
		v.lit_const = add_const(ps, (int64_t)sig_text_hash(ps->tok.str));
		snprintf(v.lit, sizeof(v.lit), "%s", ps->tok.str);
		emit(ps, OP_CONST, 0, (uint32_t)v.lit_const);
		lex(ps);
		v.t = TY_STRING;
		return v;
	case T_LP:
		lex(ps);
		v = expr(ps);
		expect(ps, T_RP, "')'");
		v.lit_const = -1;
		return v;
	case T_IDENT:
		snprintf(name, sizeof(name), "%.*s", (int)(ps->tok.len > 60 ? 60 : ps->tok.len),
			 ps->tok.s);
		if (!strcmp(name, "true") || !strcmp(name, "false")) {
			emit(ps, OP_CONST, 0, add_const(ps, name[0] == 't'));
			lex(ps);
			v.t = TY_BOOL;
			return v;
		}
		if (!strcmp(name, "signal") || !strcmp(name, "case") ||
		    !strcmp(name, "household") || !strcmp(name, "person")) {
			lex(ps);
			return parse_path(ps, v, name, sizeof(name));
		}
		enum sig_partner p = partner_named(name);
		if (p != PARTNER__COUNT) {
			emit(ps, OP_CONST, 0, add_const(ps, p));
			lex(ps);
			v.t = TY_PARTNER;
			return v;
		}
		ERR(ps, "unknown name '%s' (fields start with signal., case., household or "
			"person; partner types are written as in DDAS, e.g. Huur)", name);
		lex(ps);
		return v;
	default: {
		char got[64];
		tok_text(&ps->tok, got, sizeof(got));
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
		lex(ps);
		struct val x = unary(ps);
		if (x.t != TY_INT && x.t != TY_BAD)
			error_at(ps, v.line, v.col, "'-' needs a number, not %s", type_name(x.t));
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
		error_at(ps, bad.line, bad.col, "arithmetic needs numbers, not %s",
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
		if (accept(ps, T_STAR))
			l = binary_arith(ps, l, OP_MUL, unary);
		else if (accept(ps, T_SLASH))
			l = binary_arith(ps, l, OP_DIV, unary);
		else
			return l;
	}
}

static struct val sum(struct parser *ps)
{
	struct val l = product(ps);
	for (;;) {
		if (accept(ps, T_PLUS))
			l = binary_arith(ps, l, OP_ADD, product);
		else if (accept(ps, T_MINUS))
			l = binary_arith(ps, l, OP_SUB, product);
		else
			return l;
	}
}

static int find_list(const struct ruleset *rs, const char *name)
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
		int li = ps->tok.t == T_IDENT ? find_list(ps->rs, name) : -1;
		if (li < 0)
			ERR(ps, "'%s in' needs a list declared with 'list NAME from \"file\"'",
			    l->key_field == F_PERSON ? "person" : "household");
		else
			emit(ps, OP_IN_LIST, l->key_field, (uint32_t)li);
		if (l->key_field == F_PERSON)
			ps->rs->uses_person = true;
		lex(ps);
		l->t = TY_BOOL;
		return;
	}
	if (ps->tok.t == T_LB) {
		/* A literal list: its items become constants in a row. */
		lex(ps);
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
				enum sig_partner p = partner_named(pn);
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
			lex(ps);
		} while (accept(ps, T_COMMA));
		expect(ps, T_RB, "']' closing the list");
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
			error_at(ps, l->line, l->col, "only a partner type can be in %s",
				 type_name(r.t));
		emit(ps, OP_IN_SET, 0, 0);
	} else if (r.t != TY_BAD) {
		error_at(ps, r.line, r.col, "'in' needs a [list], case.partners or a list name");
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

	if (is_word(ps, "in") || is_word(ps, "not")) {
		bool negate = is_word(ps, "not");
		lex(ps);
		if (negate && !expect_word(ps, "in")) {
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
		lex(ps);
		struct val r = sum(ps);
		if (l.t == TY_PARTNER || r.t == TY_PARTNER) {
			coerce_partner(ps, &l);
			coerce_partner(ps, &r);
		}
		bool ordered = cmps[i].op != OP_EQ && cmps[i].op != OP_NE;
		if (l.t != TY_BAD && r.t != TY_BAD) {
			if (l.t != r.t)
				error_at(ps, r.line, r.col, "type mismatch: cannot compare %s with %s",
					 type_name(l.t), type_name(r.t));
			else if (ordered && l.t != TY_INT)
				error_at(ps, l.line, l.col, "only numbers can be ordered, not %s",
					 type_name(l.t));
			else if (l.t == TY_PSET || l.t == TY_KEY)
				error_at(ps, l.line, l.col, "%s cannot be compared; use 'in'",
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
		error_at(ps, v.line, v.col, "'%s' needs true/false, not %s", op, type_name(v.t));
	return v;
}

static struct val negation(struct parser *ps)
{
	if (is_word(ps, "not")) {
		struct val v = mkval(ps, TY_BOOL);
		lex(ps);
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
	while (accept_word(ps, "and")) {
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
			lex(ps);
		return mkval(ps, TY_BAD);
	}
	struct val l = conjunction(ps);
	while (accept_word(ps, "or")) {
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
static struct prog compile(struct parser *ps, enum type want, const char *what)
{
	struct prog p = {(uint32_t)ps->rs->n_code, 0};
	struct val v = expr(ps);
	if (want == TY_PARTNER)
		coerce_partner(ps, &v);
	if (v.t == TY_KEY)
		error_at(ps, v.line, v.col, "%s must be used as '%s in LIST'",
			 v.key_field == F_PERSON ? "person" : "household",
			 v.key_field == F_PERSON ? "person" : "household");
	else if (v.t != want && v.t != TY_BAD)
		error_at(ps, v.line, v.col, "%s must be %s, not %s", what, type_name(want),
			 type_name(v.t));
	p.len = (uint32_t)(ps->rs->n_code - p.start);
	if (p.len == 0) /* an empty program means "always": never for a real expr */
		emit(ps, OP_CONST, 0, add_const(ps, 0)), p.len = 1;
	return p;
}

/* -------------------------------------------------------- declarations */

/* "N days", "N working days" (when allowed) or "N weeks". */
static bool duration(struct parser *ps, int *days, bool *working, bool allow_working)
{
	int line = ps->tok.line, col = ps->tok.col;
	if (ps->tok.t != T_NUM) {
		ERR(ps, "bad duration: expected a number of days");
		return false;
	}
	int64_t n = ps->tok.num;
	lex(ps);
	bool w = accept_word(ps, "working");
	if (w && !allow_working) {
		error_at(ps, line, col, "bad duration: working days are only for due dates");
		return false;
	}
	int mult = 1;
	if (accept_word(ps, "weeks") || accept_word(ps, "week")) {
		mult = 7;
		if (w) {
			error_at(ps, line, col, "bad duration: say 'N working days'");
			return false;
		}
	} else if (!accept_word(ps, "days") && !accept_word(ps, "day")) {
		error_at(ps, line, col, "bad duration: give a unit, 'days'%s or 'weeks'",
			 allow_working ? ", 'working days'" : "");
		return false;
	}
	if (n <= 0 || n > 3660 / mult) {
		error_at(ps, line, col, "bad duration: must be 1 to 3660 days");
		return false;
	}
	*days = (int)(n * mult);
	if (working)
		*working = w;
	return true;
}

static bool partner_index(struct parser *ps, int *p)
{
	*p = -1;
	if (!accept(ps, T_LB))
		return true;
	char pn[RULES_NAME_MAX + 1] = "";
	if (ps->tok.t == T_IDENT)
		snprintf(pn, sizeof(pn), "%.*s", (int)(ps->tok.len > 60 ? 60 : ps->tok.len),
			 ps->tok.s);
	else if (ps->tok.t == T_STR)
		snprintf(pn, sizeof(pn), "%.60s", ps->tok.str);
	enum sig_partner e = partner_named(pn);
	if (e == PARTNER__COUNT) {
		ERR(ps, "unknown partner type \"%s\"", pn);
		return false;
	}
	lex(ps);
	*p = e;
	return expect(ps, T_RB, "']'");
}

static bool int_value(struct parser *ps, int64_t *v, int64_t min, int64_t max, const char *what)
{
	if (ps->tok.t != T_NUM) {
		ERR(ps, "%s must be a whole number", what);
		return false;
	}
	if (ps->tok.num < min || ps->tok.num > max) {
		ERR(ps, "%s must be %lld to %lld", what, (long long)min, (long long)max);
		return false;
	}
	*v = ps->tok.num;
	lex(ps);
	return true;
}

static void set_municipalities(struct parser *ps)
{
	struct ruleset *rs = ps->rs;
	if (!expect(ps, T_LB, "'[' starting a list of municipality codes"))
		return;
	size_t cap = 0;
	do {
		if (ps->tok.t != T_STR || strlen(ps->tok.str) != 4 ||
		    strspn(ps->tok.str, "0123456789") != 4) {
			ERR(ps, "municipality codes are 4-digit strings such as \"0344\"");
			return;
		}
		if (!grow((void **)&rs->municipalities, &cap, rs->n_municipalities,
			  sizeof(*rs->municipalities))) {
			ERR(ps, "out of memory");
			return;
		}
		memcpy(rs->municipalities[rs->n_municipalities++], ps->tok.str, 5);
		lex(ps);
	} while (accept(ps, T_COMMA));
	expect(ps, T_RB, "']'");
}

static void decl_set(struct parser *ps)
{
	struct ruleset *rs = ps->rs;
	static const char *const names[] = {
		"threshold", "days_overdue", "repeat_window", "escalation_min_rise",
		"matching_period", "matching_key", "consecutive_lookback", "municipalities",
		"retention_household", "retention_marks", "retention_cases",
	};
	char name[RULES_NAME_MAX + 1];
	int line = ps->tok.line, col = ps->tok.col, p;
	size_t k;

	if (ps->tok.t != T_IDENT) {
		expect(ps, T_IDENT, "a setting name");
		return;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(ps->tok.len > 60 ? 60 : ps->tok.len), ps->tok.s);
	for (k = 0; k < VR_ARRAY_LEN(names) && strcmp(names[k], name); k++)
		;
	if (k == VR_ARRAY_LEN(names)) {
		ERR(ps, "unknown setting '%s'", name);
		return;
	}
	lex(ps);
	if (!partner_index(ps, &p))
		return;
	if (p >= 0 && k != 0 && k != 1) {
		error_at(ps, line, col, "%s cannot be set per partner type", name);
		return;
	}
	if (!expect(ps, T_ASSIGN, "'='"))
		return;

	int64_t v;
	int d;
	switch (k) {
	case 0: /* threshold */
		if (!int_value(ps, &v, 0, SIG_AMOUNT_MAX, "threshold"))
			return;
		for (int i = 0; i < PARTNER__COUNT; i++)
			if (p == i || (p < 0 && !ps->thr_by_type[i]))
				rs->threshold[i] = v;
		if (p >= 0)
			ps->thr_by_type[p] = true;
		break;
	case 1: { /* days_overdue = MIN..MAX or MIN.. */
		int64_t lo, hi = -1;
		if (!int_value(ps, &lo, 0, 36500, "days_overdue minimum") ||
		    !expect(ps, T_DOTDOT, "'..' as in 30..100"))
			return;
		if (ps->tok.t == T_NUM && !int_value(ps, &hi, lo, 36500, "days_overdue maximum"))
			return;
		for (int i = 0; i < PARTNER__COUNT; i++) {
			if (p == i || (p < 0 && !ps->days_by_type[i])) {
				rs->days_min[i] = (int)lo;
				rs->days_max[i] = (int)hi;
			}
		}
		if (p >= 0)
			ps->days_by_type[p] = true;
		break;
	}
	case 2:
		if (duration(ps, &d, NULL, false))
			rs->repeat_window = d;
		break;
	case 3:
		if (int_value(ps, &v, 1, SIG_AMOUNT_MAX, "escalation_min_rise"))
			rs->escalation_min_rise = v;
		break;
	case 4:
		if (duration(ps, &d, NULL, false))
			rs->matching_period = d;
		break;
	case 5:
		if (accept_word(ps, "address"))
			rs->matching_key = RULES_KEY_ADDRESS;
		else if (accept_word(ps, "person"))
			rs->matching_key = RULES_KEY_PERSON;
		else
			ERR(ps, "matching_key is 'address' or 'person'");
		break;
	case 6:
		if (duration(ps, &d, NULL, false))
			rs->consecutive_lookback = d;
		break;
	case 7:
		set_municipalities(ps);
		break;
	case 8:
	case 9:
	case 10:
		if (duration(ps, &d, NULL, false))
			*(k == 8 ? &rs->retention_household
				 : k == 9 ? &rs->retention_marks : &rs->retention_cases) = d;
		break;
	}
}

static int key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, HKEY_LEN);
}

/* Read a list file: one pseudonym "h-" + 32 hex per line, # comments. */
static void load_list(struct parser *ps, struct hlist *l, const char *file, int line, int col)
{
	char path[4096], buf[256];
	if (file[0] == '/' || !ps->dir)
		snprintf(path, sizeof(path), "%s", file);
	else
		snprintf(path, sizeof(path), "%s/%s", ps->dir, file);
	FILE *f = fopen(path, "r");
	if (!f) {
		error_at(ps, line, col, "cannot open list %s: %s", path, strerror(errno));
		return;
	}
	size_t cap = 0;
	int ln = 0;
	while (fgets(buf, sizeof(buf), f)) {
		ln++;
		size_t n = strcspn(buf, "\r\n");
		if (buf[n] != '\n' && buf[n] != '\r' && !feof(f)) {
			error_at(ps, line, col, "%s:%d: line too long", path, ln);
			break;
		}
		buf[n] = '\0';
		char *s = buf + strspn(buf, " \t");
		if (!*s || *s == '#')
			continue;
		n = strcspn(s, " \t#");
		struct hkey k;
		/* Pseudonyms are written in lower case (hkey_format). */
		bool ok = n == HKEY_STRLEN - 1 && s[0] == 'h' && s[1] == '-' &&
			  strspn(s + 2, "0123456789abcdef") >= 2 * HKEY_LEN &&
			  hex_decode(s + 2, HKEY_LEN, k.b) == 0;
		if (!ok) {
			error_at(ps, line, col, "%s:%d: not a pseudonym (expected h- and 32 hex digits)",
				 path, ln);
			break;
		}
		if (!grow((void **)&l->keys, &cap, l->n, sizeof(*l->keys))) {
			error_at(ps, line, col, "out of memory");
			break;
		}
		l->keys[l->n++] = k;
	}
	fclose(f);
	if (l->n)
		qsort(l->keys, l->n, sizeof(*l->keys), key_cmp);
}

static void decl_list(struct parser *ps)
{
	struct ruleset *rs = ps->rs;
	int line = ps->tok.line, col = ps->tok.col;
	char name[RULES_NAME_MAX + 1];

	if (ps->tok.t != T_IDENT) {
		expect(ps, T_IDENT, "a list name");
		return;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(ps->tok.len > 60 ? 60 : ps->tok.len), ps->tok.s);
	if (find_list(rs, name) >= 0) {
		ERR(ps, "duplicate list name '%s'", name);
		return;
	}
	lex(ps);
	if (!expect_word(ps, "from"))
		return;
	if (ps->tok.t != T_STR) {
		expect(ps, T_STR, "a file name in quotes");
		return;
	}
	struct hlist *nl = realloc(rs->lists, (rs->n_lists + 1) * sizeof(*nl));
	if (!nl) {
		ERR(ps, "out of memory");
		return;
	}
	rs->lists = nl;
	struct hlist *l = &rs->lists[rs->n_lists++];
	memset(l, 0, sizeof(*l));
	snprintf(l->name, sizeof(l->name), "%s", name);
	load_list(ps, l, ps->tok.str, line, col);
	lex(ps);
}

static bool quoted_name(struct parser *ps, char *out, size_t len, const char *what)
{
	if (ps->tok.t != T_STR) {
		char w[64];
		snprintf(w, sizeof(w), "%s in quotes", what);
		expect(ps, T_STR, w);
		return false;
	}
	if (strlen(ps->tok.str) >= len || !ps->tok.str[0]) {
		ERR(ps, "%s must be 1 to %zu bytes", what, len - 1);
		return false;
	}
	snprintf(out, len, "%s", ps->tok.str);
	lex(ps);
	return true;
}

static void decl_score(struct parser *ps)
{
	struct ruleset *rs = ps->rs;
	struct score_rule r;
	int line = ps->tok.line, col = ps->tok.col;

	memset(&r, 0, sizeof(r));
	if (!quoted_name(ps, r.name, sizeof(r.name), "a rule name"))
		return;
	for (size_t i = 0; i < rs->n_scores; i++) {
		if (!strcmp(rs->scores[i].name, r.name)) {
			error_at(ps, line, col, "duplicate rule name \"%s\"", r.name);
			return;
		}
	}
	ps->ctx_case = 1;
	if (accept_word(ps, "when"))
		r.when = compile(ps, TY_BOOL, "a condition");
	if (!expect_word(ps, "points"))
		return;
	r.points = compile(ps, TY_INT, "points");
	if (rs->n_scores >= UINT16_MAX) {
		error_at(ps, line, col, "too many score rules");
		return;
	}
	if (!grow((void **)&rs->scores, &ps->cap_scores, rs->n_scores, sizeof(r))) {
		ERR(ps, "out of memory");
		return;
	}
	rs->scores[rs->n_scores++] = r;
}

/* A rule after an unconditional one of its kind can never apply. */
static bool reachable(struct parser *ps, int final_line, int line, int col, const char *kind)
{
	if (!final_line)
		return true;
	error_at(ps, line, col, "unreachable %s: the %s at line %d always applies", kind, kind,
		 final_line);
	return false;
}

static void decl_priority(struct parser *ps)
{
	struct ruleset *rs = ps->rs;
	struct prio_rule r;
	int line = ps->tok.line, col = ps->tok.col;

	memset(&r, 0, sizeof(r));
	if (accept_word(ps, "crisis"))
		r.prio = PRIO_CRISIS;
	else if (accept_word(ps, "urgent"))
		r.prio = PRIO_URGENT;
	else if (accept_word(ps, "normal"))
		r.prio = PRIO_NORMAL;
	else {
		ERR(ps, "priority class is crisis, urgent or normal");
		return;
	}
	ps->ctx_case = 0;
	bool cond = accept_word(ps, "when");
	if (cond)
		r.when = compile(ps, TY_BOOL, "a condition");
	if (!expect_word(ps, "due") || !duration(ps, &r.due, &r.working, true))
		return;
	if (!reachable(ps, ps->final_prio_line, line, col, "priority"))
		return;
	if (!cond)
		ps->final_prio_line = line;
	if (!grow((void **)&rs->prios, &ps->cap_prios, rs->n_prios, sizeof(r))) {
		ERR(ps, "out of memory");
		return;
	}
	rs->prios[rs->n_prios++] = r;
}

static void decl_status(struct parser *ps)
{
	struct ruleset *rs = ps->rs;
	struct status_rule r;

	memset(&r, 0, sizeof(r));
	if (accept_word(ps, "bekend"))
		r.status = RSTATUS_BEKEND;
	else if (accept_word(ps, "andere_reden"))
		r.status = RSTATUS_ANDERE_REDEN;
	else if (accept_word(ps, "overleden"))
		r.status = RSTATUS_OVERLEDEN;
	else {
		ERR(ps, "status is bekend, andere_reden or overleden");
		return;
	}
	ps->ctx_case = 0;
	if (!expect_word(ps, "when"))
		return;
	r.when = compile(ps, TY_BOOL, "a condition");
	if (accept_word(ps, "reason") && !quoted_name(ps, r.reason, sizeof(r.reason), "a reason"))
		return;
	if (!grow((void **)&rs->statuses, &ps->cap_statuses, rs->n_statuses, sizeof(r))) {
		ERR(ps, "out of memory");
		return;
	}
	rs->statuses[rs->n_statuses++] = r;
}

static void decl_route(struct parser *ps)
{
	struct ruleset *rs = ps->rs;
	struct route_rule r;
	int line = ps->tok.line, col = ps->tok.col;

	memset(&r, 0, sizeof(r));
	if (ps->tok.t != T_IDENT || ps->tok.len > RULES_TEAM_MAX) {
		ERR(ps, "route needs a team name (letters, digits, _; at most %d)", RULES_TEAM_MAX);
		return;
	}
	snprintf(r.team, sizeof(r.team), "%.*s", (int)ps->tok.len, ps->tok.s);
	lex(ps);
	ps->ctx_case = 1;
	bool cond = accept_word(ps, "when");
	if (cond)
		r.when = compile(ps, TY_BOOL, "a condition");
	if (!reachable(ps, ps->final_route_line, line, col, "route"))
		return;
	if (!cond)
		ps->final_route_line = line;
	if (!grow((void **)&rs->routes, &ps->cap_routes, rs->n_routes, sizeof(r))) {
		ERR(ps, "out of memory");
		return;
	}
	rs->routes[rs->n_routes++] = r;
}

static void decl_holiday(struct parser *ps)
{
	struct ruleset *rs = ps->rs;
	vr_date d;
	if (ps->tok.t != T_STR || date_parse(ps->tok.str, strlen(ps->tok.str), &d) != VR_OK) {
		ERR(ps, "holiday needs a date in quotes, \"YYYY-MM-DD\"");
		return;
	}
	vr_date *h = realloc(rs->holidays, (rs->n_holidays + 1) * sizeof(*h));
	if (!h) {
		ERR(ps, "out of memory");
		return;
	}
	rs->holidays = h;
	rs->holidays[rs->n_holidays++] = d;
	lex(ps);
}

static void decl_ruleset(struct parser *ps)
{
	if (!quoted_name(ps, ps->rs->name, sizeof(ps->rs->name), "the rule set name"))
		return;
	if (expect_word(ps, "version"))
		quoted_name(ps, ps->rs->version, sizeof(ps->rs->version), "the version");
}

static void statement(struct parser *ps)
{
	static const struct {
		const char *kw;
		void (*fn)(struct parser *);
	} kws[] = {
		{"ruleset", decl_ruleset}, {"set", decl_set}, {"list", decl_list},
		{"score", decl_score}, {"priority", decl_priority}, {"status", decl_status},
		{"route", decl_route}, {"holiday", decl_holiday},
	};
	if (++ps->decls > RULES_MAX) {
		if (ps->decls == RULES_MAX + 1)
			ERR(ps, "too many declarations (max %d)", RULES_MAX);
		ps->line_failed = true;
		return;
	}
	for (size_t i = 0; i < VR_ARRAY_LEN(kws); i++) {
		if (accept_word(ps, kws[i].kw)) {
			kws[i].fn(ps);
			return;
		}
	}
	char got[64];
	tok_text(&ps->tok, got, sizeof(got));
	ERR(ps, "expected a declaration (ruleset, set, list, status, priority, score, route, "
		"holiday), found %s", got);
}

static int hol_cmp(const void *a, const void *b)
{
	vr_date x = *(const vr_date *)a, y = *(const vr_date *)b;
	return (x > y) - (x < y);
}

static void defaults(struct ruleset *rs, const char *name)
{
	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	snprintf(rs->name, sizeof(rs->name), "%.*s", (int)strcspn(base, "."), base);
	snprintf(rs->version, sizeof(rs->version), "0");
	for (int i = 0; i < PARTNER__COUNT; i++) {
		rs->threshold[i] = 0;
		rs->days_min[i] = 0;
		rs->days_max[i] = -1;
	}
	rs->repeat_window = 90;
	rs->escalation_min_rise = 1;
	rs->matching_period = 30;
	rs->matching_key = RULES_KEY_ADDRESS;
	rs->consecutive_lookback = 183;
	rs->retention_household = 365;
	rs->retention_marks = 183;
	rs->retention_cases = 548;
}

static bool check_lines(struct parser *ps)
{
	int line = 1;
	const char *start = ps->src;
	for (const char *p = ps->src; p <= ps->end; p++) {
		if (p == ps->end || *p == '\n') {
			if (p - start > RULES_LINE_MAX) {
				error_at(ps, line, RULES_LINE_MAX + 1, "line too long (%td bytes, max %d)",
					 p - start, RULES_LINE_MAX);
				return false;
			}
			line++;
			start = p + 1;
		} else if (*p == '\0') {
			error_at(ps, line, (int)(p - start) + 1, "NUL byte in rule file");
			return false;
		}
	}
	if (sig_utf8_check(ps->src, (size_t)(ps->end - ps->src)) >= 0) {
		error_at(ps, 1, 1, "rule file is not valid UTF-8");
		return false;
	}
	return true;
}

struct ruleset *ruleset_load_text(const char *name, const char *dir, const char *text,
				  size_t len, char *errs, size_t errlen)
{
	struct parser ps;
	memset(&ps, 0, sizeof(ps));
	ps.name = name;
	ps.dir = dir;
	ps.src = ps.p = ps.line_start = text;
	ps.end = text + len;
	ps.line = 1;
	ps.errs = errs;
	ps.errlen = errlen;
	if (errlen)
		errs[0] = '\0';
	ps.rs = calloc(1, sizeof(*ps.rs));
	if (!ps.rs) {
		snprintf(errs, errlen, "%s: out of memory", name);
		return NULL;
	}
	defaults(ps.rs, name);
	if (len > RULES_FILE_MAX)
		error_at(&ps, 1, 1, "rule file too large (max %u bytes)", RULES_FILE_MAX);
	else if (check_lines(&ps)) {
		lex(&ps);
		while (ps.tok.t != T_EOF && ps.n_errors <= RULES_ERRORS_MAX) {
			if (ps.tok.t == T_NL) {
				lex(&ps);
				continue;
			}
			ps.line_failed = false;
			ps.depth = 0;
			statement(&ps);
			if (ps.tok.t != T_NL && ps.tok.t != T_EOF) {
				if (!ps.line_failed) {
					char got[64];
					tok_text(&ps.tok, got, sizeof(got));
					ERR(&ps, "unexpected %s after the declaration", got);
				}
				while (ps.tok.t != T_NL && ps.tok.t != T_EOF)
					lex(&ps);
			}
		}
		if (!ps.n_errors && !ps.final_prio_line)
			error_at(&ps, ps.line, 1, "missing a final 'priority normal due N days' "
						  "without a condition");
	}
	if (ps.n_errors) {
		if (ps.n_errors > RULES_ERRORS_MAX && ps.errused + 40 < errlen)
			snprintf(errs + ps.errused, errlen - ps.errused, "\n%s: %d more errors", name,
				 ps.n_errors - RULES_ERRORS_MAX);
		ruleset_free(ps.rs);
		return NULL;
	}
	if (ps.rs->n_holidays)
		qsort(ps.rs->holidays, ps.rs->n_holidays, sizeof(vr_date), hol_cmp);
	return ps.rs;
}

struct ruleset *ruleset_load_file(const char *path, char *errs, size_t errlen)
{
	size_t n;
	char *buf = vr_read_file(path, RULES_FILE_MAX, &n, errs, errlen);
	if (!buf)
		return NULL;
	char dir[4096];
	const char *slash = strrchr(path, '/');
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
	struct ruleset *rs = ruleset_load_text(path, dir, buf, n, errs, errlen);
	free(buf);
	return rs;
}

#include "default_rules.h"

struct ruleset *ruleset_load_default(char *errs, size_t errlen)
{
	return ruleset_load_text("default.rules (built in)", NULL,
				 (const char *)rules_default_text, rules_default_len, errs, errlen);
}
