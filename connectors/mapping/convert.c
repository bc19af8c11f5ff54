/*
 * convert.c - field conversions for mapped messages (mapping_int.h): text
 * to whole euros, cents, integers, dates by pattern and booleans by word.
 * An error names the field's column or path, never its value.
 */
#include "mapping_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vr.h"

/* ---- conversions ------------------------------------------------------- */

int map_fail(struct sig_error *err, const char *fmt, ...)
{
	va_list ap;
	err->code = REJ_MAPPING;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return VR_EINVAL;
}

/* What a failing field is called in a message: never its value. */
static const char *src_kind(const struct mapping *m)
{
	return m->format == MAP_CSV ? "column" : "path";
}

static bool is_blank(const char *s)
{
	return s[strspn(s, " \t")] == '\0';
}

/* The text without surrounding blanks, into out (at most n bytes). */
static bool trimmed(const char *s, char *out, size_t n)
{
	s += strspn(s, " \t");
	size_t len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len >= n)
		return false;
	memcpy(out, s, len);
	out[len] = '\0';
	return true;
}

/* ASCII case-insensitive equality: "J" and "j" are the same answer. */
bool map_word_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		int x = (*a >= 'A' && *a <= 'Z') ? *a + 32 : *a;
		int y = (*b >= 'A' && *b <= 'Z') ? *b + 32 : *b;
		if (x != y)
			return false;
	}
	return *a == *b;
}

/* An optionally signed integer of at most 15 digits. */
static bool parse_integer(const char *s, long long *out)
{
	char t[24];
	if (!trimmed(s, t, sizeof(t)))
		return false;
	const char *p = t + (t[0] == '-' || t[0] == '+');
	size_t nd = strspn(p, "0123456789");
	if (nd == 0 || nd > 15 || p[nd])
		return false;
	long long v = strtoll(p, NULL, 10);
	*out = t[0] == '-' ? -v : v;
	return true;
}

/* Whole euros from hundredths, half away from zero. */
long long map_round_cents(long long cents)
{
	return cents < 0 ? -((-cents + 50) / 100) : (cents + 50) / 100;
}

/*
 * Euros as partners write them: "1250", "1250,5", "1250.50", "1.250,50",
 * "1,250.50", "1.250.000".  When both '.' and ',' occur, the last one is
 * the decimal separator and the other groups thousands; one kind occurring
 * more than once groups thousands.  A single separator after one to three
 * digits and before exactly three ("1.250") could be either, and is refused
 * rather than read a thousand times too small or too large; "1250,499" and
 * "0,125" are decimals.  Rounded half up to whole euros.
 */
static bool parse_euros(const char *s, long long *out)
{
	char t[48];
	if (!trimmed(s, t, sizeof(t)))
		return false;
	const char *p = t;
	bool neg = *p == '-';
	p += neg || *p == '+';
	const char *lastdot = strrchr(p, '.'), *lastcomma = strrchr(p, ',');
	int ndots = 0, ncommas = 0;
	for (const char *q = p; *q; q++)
		ndots += *q == '.', ncommas += *q == ',';

	char dec = 0, group = 0;
	if (ndots && ncommas) {
		dec = lastdot > lastcomma ? '.' : ',';
		group = dec == '.' ? ',' : '.';
		if ((dec == '.' ? ndots : ncommas) != 1)
			return false;
	} else if (ndots + ncommas > 1) {
		group = ndots ? '.' : ',';
	} else if (ndots + ncommas == 1) {
		const char *sep = ndots ? lastdot : lastcomma;
		size_t lead = (size_t)(sep - p);
		if (strspn(sep + 1, "0123456789") == 3 && sep[4] == '\0' && lead <= 3 &&
		    p[0] != '0')
			return false; /* "1.250": a decimal or a thousands separator */
		dec = *sep;
	}

	long long whole = 0;
	int digits = 0, run = 0, groups = 0;
	for (; *p && *p != dec; p++) {
		if (*p == group && group) {
			if (run == 0 || run > 3 || (groups && run != 3))
				return false;
			groups++, run = 0;
			continue;
		}
		if (*p < '0' || *p > '9' || ++digits > 15)
			return false;
		whole = whole * 10 + (*p - '0');
		run++;
	}
	if (digits == 0 || (groups && run != 3))
		return false;
	int cents = 0;
	if (*p == dec && dec) {
		p++;
		size_t nd = strspn(p, "0123456789");
		if (nd == 0 || p[nd])
			return false;
		cents = (p[0] - '0') * 10 + (nd > 1 ? p[1] - '0' : 0);
	}
	long long c = whole * 100 + cents;
	*out = map_round_cents(neg ? -c : c);
	return true;
}

/* DD, MM and YYYY once each; other letters or digits are typos (dd-mm-yyyy). */
bool map_date_pattern_is_valid(const char *p)
{
	int dd = 0, mm = 0, yyyy = 0;
	if (strlen(p) > MAP_DATE_PATTERN_MAX)
		return false;
	while (*p) {
		if (strncmp(p, "YYYY", 4) == 0) {
			yyyy++, p += 4;
		} else if (strncmp(p, "DD", 2) == 0) {
			dd++, p += 2;
		} else if (strncmp(p, "MM", 2) == 0) {
			mm++, p += 2;
		} else if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			   (*p >= '0' && *p <= '9')) {
			return false;
		} else {
			p++;
		}
	}
	return dd == 1 && mm == 1 && yyyy == 1;
}

/* Reads 1-2 digits for DD/MM before a separator, 2 (or 4 for YYYY) otherwise. */
static bool parse_date(const char *s, const char *pat, char out[VR_DATE_STRLEN])
{
	char t[48];
	int y = -1, mo = -1, d = -1;
	if (!trimmed(s, t, sizeof(t)))
		return false;
	const char *p = t;
	while (*pat) {
		int want, *dst;
		if (strncmp(pat, "YYYY", 4) == 0)
			want = 4, dst = &y, pat += 4;
		else if (strncmp(pat, "DD", 2) == 0)
			want = 2, dst = &d, pat += 2;
		else if (strncmp(pat, "MM", 2) == 0)
			want = 2, dst = &mo, pat += 2;
		else if (*p++ != *pat++)
			return false;
		else
			continue;
		int n = (int)strspn(p, "0123456789");
		/* "1-2-2024" for DD-MM-YYYY: one digit only before a separator. */
		bool flexible = want == 2 && *pat && *pat != 'Y' && *pat != 'D' && *pat != 'M';
		if (n > want)
			n = want; /* the next part of the pattern must then match */
		if (n < want && !(flexible && n == 1))
			return false;
		*dst = 0;
		for (int i = 0; i < n; i++)
			*dst = *dst * 10 + (*p++ - '0');
	}
	if (*p)
		return false;
	/* The engine judges whether the day exists; this only reshapes it. */
	const int part[3] = {y, mo, d}, width[3] = {4, 2, 2};
	char *o = out;
	for (int i = 0; i < 3; i++) {
		for (int k = width[i] - 1, v = part[i]; k >= 0; k--, v /= 10)
			o[k] = (char)('0' + v % 10);
		o += width[i];
		*o++ = i < 2 ? '-' : '\0';
	}
	return true;
}

/*
 * Convert one text value (a CSV cell, a JSON string) for field f.  An
 * empty or blank text is an absent field.
 */
int map_convert_text(const struct mapping *m, const struct map_field *f, const char *s,
		     struct mval *v, struct sig_error *err)
{
	const char *what = src_kind(m), *src = f->src;

	if (is_blank(s))
		return VR_OK;
	switch (f->conv) {
	case CONV_STRING:
		v->kind = V_STR;
		v->s = s;
		return VR_OK;
	case CONV_INT:
		if (!parse_integer(s, &v->i))
			return map_fail(err, "%s \"%.40s\": not a whole number", what, src);
		v->kind = V_INT;
		return VR_OK;
	case CONV_CENTS:
		if (!parse_integer(s, &v->i))
			return map_fail(err, "%s \"%.40s\": not a whole number of cents", what,
					src);
		v->i = map_round_cents(v->i);
		v->kind = V_INT;
		return VR_OK;
	case CONV_EUROS:
		if (!parse_euros(s, &v->i))
			return map_fail(err, "%s \"%.40s\": not an amount in euros", what, src);
		v->kind = V_INT;
		return VR_OK;
	case CONV_DATE:
		if (!parse_date(s, f->arg_true, v->tmp))
			return map_fail(err, "%s \"%.40s\": not a date in the form %s", what, src,
					f->arg_true);
		v->kind = V_STR;
		v->s = v->tmp;
		return VR_OK;
	case CONV_BOOL: {
		char t[64];
		const char *yes = f->arg_true ? f->arg_true : "true";
		const char *no = f->arg_false ? f->arg_false : "false";
		if (trimmed(s, t, sizeof(t)) && map_word_eq(t, yes))
			v->b = true;
		else if (trimmed(s, t, sizeof(t)) && map_word_eq(t, no))
			v->b = false;
		else
			return map_fail(err, "%s \"%.40s\": not %s or %s", what, src, yes, no);
		v->kind = V_BOOL;
		return VR_OK;
	}
	}
	return map_fail(err, "%s \"%.40s\": unknown conversion", what, src);
}
