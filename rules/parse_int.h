/*
 * parse_int.h - what the three pieces of the rule compiler share: lexer.c
 * (tokens and error reporting), compile.c (expressions: type checking and
 * code generation) and parse.c (declarations and the loaders).
 *
 * Together they still make one pass: parse.c reads a declaration and hands
 * each condition or points expression to compile_expr(), which emits its
 * code into the rule set as it parses; both take tokens from lex_next().
 * All state is in struct parser, which the loader keeps on its stack.
 * lex_error_at() marks the statement failed (line_failed), so callers
 * report only its first error and the loader skips to the next line.
 */
#ifndef VR_PARSE_INT_H
#define VR_PARSE_INT_H

#include <stdlib.h>

#include "rules_int.h"

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

/* The state of one load: the text, the token ahead, the errors so far and
 * the rule set being built. */
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
	int ruleset_line;          /* of the 'ruleset' declaration; 0 = none yet */
};

/* Grow *arr so that element n fits, doubling from 64; false when out of memory. */
static inline bool grow(void **arr, size_t *cap, size_t n, size_t size)
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

/* ------------------------------------------------------------- lexer.c */

/* Report "file:line:col: message" and mark the statement failed. */
void lex_error_at(struct parser *ps, int line, int col, const char *fmt, ...);
/* An error at the current token. */
#define ERR(ps, ...) lex_error_at((ps), (ps)->tok.line, (ps)->tok.col, __VA_ARGS__)

/* Read the next token into ps->tok. */
void lex_next(struct parser *ps);
bool lex_is_word(const struct parser *ps, const char *w);
/* Take the current token if it is t (the word w); false, and nothing read, if not. */
bool lex_accept(struct parser *ps, enum tok t);
bool lex_accept_word(struct parser *ps, const char *w);
/* Take t (the word w), or report "expected WHAT, found ..." unless the
 * statement already failed. */
bool lex_expect(struct parser *ps, enum tok t, const char *what);
bool lex_expect_word(struct parser *ps, const char *w);
/* A token as messages quote it: 'text', end of line or end of file. */
void lex_tok_text(const struct token *t, char *buf, size_t len);

/* ----------------------------------------------------------- compile.c */

enum type { TY_BAD, TY_INT, TY_BOOL, TY_PARTNER, TY_STRING, TY_PSET, TY_KEY };

/* Compile an expression of the wanted type into a program; what names it
 * in messages ("a condition", "points"). */
struct prog compile_expr(struct parser *ps, enum type want, const char *what);
/* Partner type from an identifier or string; PARTNER__COUNT if none. */
enum sig_partner compile_partner_named(const char *s);
/* Index of the list declared as name, or -1. */
int compile_find_list(const struct ruleset *rs, const char *name);

#endif
