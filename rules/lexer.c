/*
 * lexer.c - tokens of the rule language, and error reporting.
 *
 * The parser looks one token ahead, in ps->tok.  A newline is a token of
 * its own, since a declaration ends with its line; '#' starts a comment
 * that runs to the end of the line.  Errors are collected as
 * "file:line:col: message" in the caller's buffer, up to RULES_ERRORS_MAX.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "parse_int.h"
#include "vr.h"

void lex_error_at(struct parser *ps, int line, int col, const char *fmt, ...)
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

/* A decimal number; one too large for int64 is an error token. */
static void lex_number(struct parser *ps, const char *p)
{
	struct token *t = &ps->tok;
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
}

/* A string literal, unescaped into t->str: \" and \\ are its only escapes. */
static void lex_string(struct parser *ps, const char *p)
{
	struct token *t = &ps->tok;
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
}

/* An operator (two-character ones first), or an error token. */
static void lex_punct(struct parser *ps, const char *p)
{
	struct token *t = &ps->tok;
	char c = *p;

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

void lex_next(struct parser *ps)
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
		lex_number(ps, p);
		return;
	}
	if (c == '"') {
		lex_string(ps, p);
		return;
	}
	lex_punct(ps, p);
}

bool lex_is_word(const struct parser *ps, const char *w)
{
	return ps->tok.t == T_IDENT && ps->tok.len == strlen(w) &&
	       memcmp(ps->tok.s, w, ps->tok.len) == 0;
}

bool lex_accept(struct parser *ps, enum tok t)
{
	if (ps->tok.t != t)
		return false;
	lex_next(ps);
	return true;
}

bool lex_accept_word(struct parser *ps, const char *w)
{
	if (!lex_is_word(ps, w))
		return false;
	lex_next(ps);
	return true;
}

void lex_tok_text(const struct token *t, char *buf, size_t len)
{
	if (t->t == T_EOF)
		snprintf(buf, len, "end of file");
	else if (t->t == T_NL)
		snprintf(buf, len, "end of line");
	else
		snprintf(buf, len, "'%.*s'", (int)(t->len > 40 ? 40 : t->len), t->s);
}

bool lex_expect(struct parser *ps, enum tok t, const char *what)
{
	char got[64];
	if (lex_accept(ps, t))
		return true;
	if (!ps->line_failed) {
		lex_tok_text(&ps->tok, got, sizeof(got));
		ERR(ps, "expected %s, found %s", what, got);
	}
	return false;
}

bool lex_expect_word(struct parser *ps, const char *w)
{
	char got[64], want[64];
	if (lex_accept_word(ps, w))
		return true;
	if (!ps->line_failed) {
		lex_tok_text(&ps->tok, got, sizeof(got));
		snprintf(want, sizeof(want), "'%s'", w);
		ERR(ps, "expected %s, found %s", want, got);
	}
	return false;
}
