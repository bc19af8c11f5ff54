/*
 * parse.c - the declarations of a rule file, and the loaders.
 *
 * One pass: a recursive-descent parser that checks types as it goes and
 * emits stack-machine code (rules_int.h); lexer.c supplies the tokens,
 * compile.c the expressions.  Errors are collected as "file:line:col:
 * message" (up to RULES_ERRORS_MAX); after an error the parser skips to
 * the next line, so one mistake gives one message.  Nothing is returned
 * unless the whole file is clean.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "keyfile.h"
#include "names.h"
#include "parse_int.h"
#include "vr.h"

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
	lex_next(ps);
	bool w = lex_accept_word(ps, "working");
	if (w && !allow_working) {
		lex_error_at(ps, line, col, "bad duration: working days are only for due dates");
		return false;
	}
	int mult = 1;
	if (lex_accept_word(ps, "weeks") || lex_accept_word(ps, "week")) {
		mult = 7;
		if (w) {
			lex_error_at(ps, line, col, "bad duration: say 'N working days'");
			return false;
		}
	} else if (!lex_accept_word(ps, "days") && !lex_accept_word(ps, "day")) {
		lex_error_at(ps, line, col, "bad duration: give a unit, 'days'%s or 'weeks'",
			     allow_working ? ", 'working days'" : "");
		return false;
	}
	if (n <= 0 || n > 3660 / mult) {
		lex_error_at(ps, line, col, "bad duration: must be 1 to 3660 days");
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
	if (!lex_accept(ps, T_LB))
		return true;
	char pn[RULES_NAME_MAX + 1] = "";
	if (ps->tok.t == T_IDENT)
		snprintf(pn, sizeof(pn), "%.*s", (int)(ps->tok.len > 60 ? 60 : ps->tok.len),
			 ps->tok.s);
	else if (ps->tok.t == T_STR)
		snprintf(pn, sizeof(pn), "%.60s", ps->tok.str);
	enum sig_partner e = compile_partner_named(pn);
	if (e == PARTNER__COUNT) {
		ERR(ps, "unknown partner type \"%s\"", pn);
		return false;
	}
	lex_next(ps);
	*p = e;
	return lex_expect(ps, T_RB, "']'");
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
	lex_next(ps);
	return true;
}

static void set_municipalities(struct parser *ps)
{
	struct ruleset *rs = ps->rs;
	if (!lex_expect(ps, T_LB, "'[' starting a list of municipality codes"))
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
		lex_next(ps);
	} while (lex_accept(ps, T_COMMA));
	lex_expect(ps, T_RB, "']'");
}

/* The settings whose value is one of two words (decl_set()'s names[k]). */
static void set_word(struct parser *ps, size_t k)
{
	static const struct {
		size_t k;
		const char *yes, *no, *msg;
	} words[] = {
		{5, "person", "address", "matching_key is 'address' or 'person'"},
		{11, "nl", "none",
		 "holidays is 'nl' (the national holidays) or 'none' (only 'holiday' lines)"},
		{12, "lustrum", "yearly", "liberation_day is 'yearly' or 'lustrum' (every 5 years)"},
	};
	struct ruleset *rs = ps->rs;
	for (size_t i = 0; i < VR_ARRAY_LEN(words); i++) {
		if (words[i].k != k)
			continue;
		bool yes = lex_accept_word(ps, words[i].yes);
		if (!yes && !lex_accept_word(ps, words[i].no)) {
			ERR(ps, "%s", words[i].msg);
			return;
		}
		if (k == 5)
			rs->matching_key = yes ? RULES_KEY_PERSON : RULES_KEY_ADDRESS;
		else if (k == 11)
			rs->nl_holidays = yes;
		else
			rs->liberation_lustrum = yes;
	}
}

/* Read the value of setting names[k] (decl_set()) for partner type p or,
 * when p < 0, for every type not set on its own. */
static void set_value(struct parser *ps, size_t k, int p)
{
	struct ruleset *rs = ps->rs;
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
		    !lex_expect(ps, T_DOTDOT, "'..' as in 30..100"))
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
	case 11:
	case 12:
		set_word(ps, k);
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

static void decl_set(struct parser *ps)
{
	static const char *const names[] = {
		"threshold", "days_overdue", "repeat_window", "escalation_min_rise",
		"matching_period", "matching_key", "consecutive_lookback", "municipalities",
		"retention_household", "retention_marks", "retention_cases",
		"holidays", "liberation_day",
	};
	char name[RULES_NAME_MAX + 1];
	int line = ps->tok.line, col = ps->tok.col, p;
	size_t k;

	if (ps->tok.t != T_IDENT) {
		lex_expect(ps, T_IDENT, "a setting name");
		return;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(ps->tok.len > 60 ? 60 : ps->tok.len), ps->tok.s);
	for (k = 0; k < VR_ARRAY_LEN(names) && strcmp(names[k], name); k++)
		;
	if (k == VR_ARRAY_LEN(names)) {
		ERR(ps, "unknown setting '%s'", name);
		return;
	}
	lex_next(ps);
	if (!partner_index(ps, &p))
		return;
	if (p >= 0 && k != 0 && k != 1) {
		lex_error_at(ps, line, col, "%s cannot be set per partner type", name);
		return;
	}
	if (!lex_expect(ps, T_ASSIGN, "'='"))
		return;
	set_value(ps, k, p);
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
	struct stat st;
	if (!f) {
		lex_error_at(ps, line, col, "cannot open list %s: %s", path, strerror(errno));
		return;
	}
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		/* A directory opens, and reads as nothing: an empty list, silently. */
		lex_error_at(ps, line, col, "list %s is not a file", path);
		fclose(f);
		return;
	}
	size_t cap = 0;
	int ln = 0;
	while (fgets(buf, sizeof(buf), f)) {
		ln++;
		size_t n = strcspn(buf, "\r\n");
		if (buf[n] != '\n' && buf[n] != '\r' && !feof(f)) {
			lex_error_at(ps, line, col, "%s:%d: line too long", path, ln);
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
			lex_error_at(ps, line, col,
				     "%s:%d: not a pseudonym (expected h- and 32 hex digits)",
				     path, ln);
			break;
		}
		if (!grow((void **)&l->keys, &cap, l->n, sizeof(*l->keys))) {
			lex_error_at(ps, line, col, "out of memory");
			break;
		}
		l->keys[l->n++] = k;
	}
	if (ferror(f))
		lex_error_at(ps, line, col, "cannot read list %s: %s", path, strerror(errno));
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
		lex_expect(ps, T_IDENT, "a list name");
		return;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(ps->tok.len > 60 ? 60 : ps->tok.len), ps->tok.s);
	if (compile_find_list(rs, name) >= 0) {
		ERR(ps, "duplicate list name '%s'", name);
		return;
	}
	lex_next(ps);
	if (!lex_expect_word(ps, "from"))
		return;
	if (ps->tok.t != T_STR) {
		lex_expect(ps, T_STR, "a file name in quotes");
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
	lex_next(ps);
}

static bool quoted_name(struct parser *ps, char *out, size_t len, const char *what)
{
	if (ps->tok.t != T_STR) {
		char w[64];
		snprintf(w, sizeof(w), "%s in quotes", what);
		lex_expect(ps, T_STR, w);
		return false;
	}
	if (strlen(ps->tok.str) >= len || !ps->tok.str[0]) {
		ERR(ps, "%s must be 1 to %zu bytes", what, len - 1);
		return false;
	}
	snprintf(out, len, "%s", ps->tok.str);
	lex_next(ps);
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
			lex_error_at(ps, line, col, "duplicate rule name \"%s\"", r.name);
			return;
		}
	}
	ps->ctx_case = 1;
	if (lex_accept_word(ps, "when"))
		r.when = compile_expr(ps, TY_BOOL, "a condition");
	if (!lex_expect_word(ps, "points"))
		return;
	r.points = compile_expr(ps, TY_INT, "points");
	if (rs->n_scores >= UINT16_MAX) {
		lex_error_at(ps, line, col, "too many score rules");
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
	lex_error_at(ps, line, col, "unreachable %s: the %s at line %d always applies", kind, kind,
		     final_line);
	return false;
}

static void decl_priority(struct parser *ps)
{
	struct ruleset *rs = ps->rs;
	struct prio_rule r;
	int line = ps->tok.line, col = ps->tok.col;

	memset(&r, 0, sizeof(r));
	if (lex_accept_word(ps, "crisis"))
		r.prio = PRIO_CRISIS;
	else if (lex_accept_word(ps, "urgent"))
		r.prio = PRIO_URGENT;
	else if (lex_accept_word(ps, "normal"))
		r.prio = PRIO_NORMAL;
	else {
		ERR(ps, "priority class is crisis, urgent or normal");
		return;
	}
	ps->ctx_case = 0;
	bool cond = lex_accept_word(ps, "when");
	if (cond)
		r.when = compile_expr(ps, TY_BOOL, "a condition");
	if (!lex_expect_word(ps, "due") || !duration(ps, &r.due, &r.working, true))
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
	if (lex_accept_word(ps, "bekend"))
		r.status = RSTATUS_BEKEND;
	else if (lex_accept_word(ps, "andere_reden"))
		r.status = RSTATUS_ANDERE_REDEN;
	else if (lex_accept_word(ps, "overleden"))
		r.status = RSTATUS_OVERLEDEN;
	else {
		ERR(ps, "status is bekend, andere_reden or overleden");
		return;
	}
	ps->ctx_case = 0;
	if (!lex_expect_word(ps, "when"))
		return;
	r.when = compile_expr(ps, TY_BOOL, "a condition");
	if (lex_accept_word(ps, "reason") &&
	    !quoted_name(ps, r.reason, sizeof(r.reason), "a reason"))
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
	lex_next(ps);
	ps->ctx_case = 1;
	bool cond = lex_accept_word(ps, "when");
	if (cond)
		r.when = compile_expr(ps, TY_BOOL, "a condition");
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
	lex_next(ps);
}

static void decl_ruleset(struct parser *ps)
{
	if (ps->ruleset_line) {
		ERR(ps, "a second 'ruleset' line (the first is line %d): a file is one rule set",
		    ps->ruleset_line);
		return;
	}
	ps->ruleset_line = ps->tok.line;
	if (!quoted_name(ps, ps->rs->name, sizeof(ps->rs->name), "the rule set name"))
		return;
	if (lex_expect_word(ps, "version"))
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
		if (lex_accept_word(ps, kws[i].kw)) {
			kws[i].fn(ps);
			return;
		}
	}
	char got[64];
	lex_tok_text(&ps->tok, got, sizeof(got));
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
	rs->nl_holidays = true;
	rs->liberation_lustrum = false;
}

/* The names a case keeps (state.h), as ids. */
static int intern_names(struct ruleset *rs)
{
	char ident[2 * RULES_NAME_MAX + 2];
	snprintf(ident, sizeof(ident), "%s/%s", rs->name, rs->version);
	if ((rs->ident_id = name_intern(ident)) == NAME_NONE)
		return VR_ENOMEM;
	for (size_t i = 0; i < rs->n_scores; i++)
		if ((rs->scores[i].name_id = name_intern(rs->scores[i].name)) == NAME_NONE)
			return VR_ENOMEM;
	return VR_OK;
}

static bool check_lines(struct parser *ps)
{
	int line = 1;
	const char *start = ps->src;
	for (const char *p = ps->src; p <= ps->end; p++) {
		if (p == ps->end || *p == '\n') {
			if (p - start > RULES_LINE_MAX) {
				lex_error_at(ps, line, RULES_LINE_MAX + 1,
					     "line too long (%td bytes, max %d)", p - start,
					     RULES_LINE_MAX);
				return false;
			}
			line++;
			start = p + 1;
		} else if (*p == '\0') {
			lex_error_at(ps, line, (int)(p - start) + 1, "NUL byte in rule file");
			return false;
		}
	}
	if (sig_utf8_check(ps->src, (size_t)(ps->end - ps->src)) >= 0) {
		lex_error_at(ps, 1, 1, "rule file is not valid UTF-8");
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
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		text += 3; /* a UTF-8 byte order mark, as Windows editors write */
		len -= 3;
	}
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
		lex_error_at(&ps, 1, 1, "rule file too large (max %u bytes)", RULES_FILE_MAX);
	else if (check_lines(&ps)) {
		lex_next(&ps);
		while (ps.tok.t != T_EOF && ps.n_errors <= RULES_ERRORS_MAX) {
			if (ps.tok.t == T_NL) {
				lex_next(&ps);
				continue;
			}
			ps.line_failed = false;
			ps.depth = 0;
			statement(&ps);
			if (ps.tok.t != T_NL && ps.tok.t != T_EOF) {
				if (!ps.line_failed) {
					char got[64];
					lex_tok_text(&ps.tok, got, sizeof(got));
					ERR(&ps, "unexpected %s after the declaration", got);
				}
				while (ps.tok.t != T_NL && ps.tok.t != T_EOF)
					lex_next(&ps);
			}
		}
		if (!ps.n_errors && !ps.final_prio_line)
			lex_error_at(&ps, ps.line, 1,
				     "missing a final 'priority normal due N days' "
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
	if (intern_names(ps.rs) != VR_OK) {
		snprintf(errs, errlen, "%s: out of memory", name);
		ruleset_free(ps.rs);
		return NULL;
	}
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
