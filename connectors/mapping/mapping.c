/* mapping.c - partner message formats to canonical signal JSON (mapping.h). */
#include "mapping.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vr.h"

#define MAP_COLS_MAX 256        /* columns in one CSV record */
#define MAP_DATE_PATTERN_MAX 32
#define MAP_NUMBER_MAX 1000000000000000LL /* |value| of an int, cents or euros */

/* The type a canonical field has in the output, and the conversions it takes. */
enum ctype { CT_STR, CT_DATE, CT_INT, CT_BOOL };

/*
 * The canonical fields, exactly those engine/signal.c reads, in output
 * order; the fields of one nested object (group) are adjacent.
 */
static const struct canon {
	const char *path;
	const char *group; /* enclosing object, or NULL */
	const char *key;
	enum ctype type;
} canon[] = {
	{"ID", NULL, "ID", CT_STR},
	{"signaalpartner.naam", "signaalpartner", "naam", CT_STR},
	{"gemeentecode", NULL, "gemeentecode", CT_STR},
	{"bedrag", NULL, "bedrag", CT_INT},
	{"ontstaansdatum", NULL, "ontstaansdatum", CT_DATE},
	{"signaaldatum", NULL, "signaaldatum", CT_DATE},
	{"crisissignaal", NULL, "crisissignaal", CT_BOOL},
	{"warmeOverdracht", NULL, "warmeOverdracht", CT_BOOL},
	{"eindelevering", NULL, "eindelevering", CT_BOOL},
	{"incasso.herinnering", "incasso", "herinnering", CT_BOOL},
	{"incasso.persoonlijkContact", "incasso", "persoonlijkContact", CT_BOOL},
	{"incasso.verwijzingShv", "incasso", "verwijzingShv", CT_BOOL},
	{"incasso.toestemmingAangeboden", "incasso", "toestemmingAangeboden", CT_BOOL},
	{"client.burgerservicenummer", "client", "burgerservicenummer", CT_STR},
	{"client.postcode", "client", "postcode", CT_STR},
	{"client.huisnummer", "client", "huisnummer", CT_STR},
	{"client.huisnummertoevoeging", "client", "huisnummertoevoeging", CT_STR},
	{"client.geboortedatum", "client", "geboortedatum", CT_DATE},
	{"client.naam", "client", "naam", CT_STR},
	{"client.telefoon", "client", "telefoon", CT_STR},
	{"client.email", "client", "email", CT_STR},
};
#define CANON_COUNT VR_ARRAY_LEN(canon)

enum conv { CONV_STRING, CONV_INT, CONV_EUROS, CONV_CENTS, CONV_DATE, CONV_BOOL };

/* One field's value in one message (or a constant's, fixed at load). */
enum vkind { V_ABSENT = 0, V_STR, V_INT, V_BOOL };
struct mval {
	enum vkind kind;
	bool b;
	long long i;
	const char *s;  /* V_STR: borrowed from the message, the field or tmp */
	char tmp[24];
};

struct map_field {
	size_t dst;         /* index into canon[] */
	char *src;          /* column name or dotted path; NULL for a constant */
	int col;            /* column index when csv.columns fixes them, else -1 */
	enum conv conv;
	char *arg_true;     /* bool: the true and false words; date: the pattern */
	char *arg_false;
	char *cstr;         /* a constant string's text */
	struct mval cval;   /* a constant's value */
};

struct mapping {
	char *topic;
	enum map_format format;
	struct sig_defaults def;
	char delim;
	bool header;
	char **columns;     /* csv.columns, when csv.header = false */
	size_t ncolumns;
	struct map_field fields[CANON_COUNT];
	size_t nfields;
};

/* ---- config ------------------------------------------------------------ */

static void conf_err(const struct conf *c, const struct conf_entry *e, char *err,
		     size_t errlen, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (e && e->line)
		snprintf(err, errlen, "%s:%d: [%s] %s", conf_name(c), e->line, e->section, msg);
	else if (e)
		snprintf(err, errlen, "%s: [%s] %s", conf_name(c), e->section, msg);
	else
		snprintf(err, errlen, "%s: %s", conf_name(c), msg);
}

static const struct conf_entry *find_entry(const struct conf *c, const char *section,
					   const char *key)
{
	for (size_t i = 0; i < conf_count(c); i++) {
		const struct conf_entry *e = conf_at(c, i);
		if (strcmp(e->section, section) == 0 && strcmp(e->key, key) == 0)
			return e;
	}
	return NULL;
}

static char *dup_trim(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* ASCII case-insensitive equality: "J" and "j" are the same answer. */
static bool word_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		int x = (*a >= 'A' && *a <= 'Z') ? *a + 32 : *a;
		int y = (*b >= 'A' && *b <= 'Z') ? *b + 32 : *b;
		if (x != y)
			return false;
	}
	return *a == *b;
}

/* DD, MM and YYYY once each; other letters or digits are typos (dd-mm-yyyy). */
static bool date_pattern_is_valid(const char *p)
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

static int parse_conversion(struct map_field *f, const char *conv, const struct conf *c,
			    const struct conf_entry *e, char *err, size_t errlen)
{
	enum ctype t = canon[f->dst].type;
	const char *path = canon[f->dst].path;

	if (!*conv) {
		conf_err(c, e, err, errlen, "%s: empty conversion after '|'", e->key);
		return VR_EINVAL;
	}
	if (strcmp(conv, "string") == 0) {
		f->conv = CONV_STRING;
	} else if (strcmp(conv, "int") == 0) {
		f->conv = CONV_INT;
	} else if (strcmp(conv, "euros") == 0) {
		f->conv = CONV_EUROS;
	} else if (strcmp(conv, "cents") == 0) {
		f->conv = CONV_CENTS;
	} else if (strncmp(conv, "date:", 5) == 0) {
		f->conv = CONV_DATE;
		if (!date_pattern_is_valid(conv + 5)) {
			conf_err(c, e, err, errlen,
				 "%s: date pattern must have DD, MM and YYYY once each "
				 "(e.g. date:DD-MM-YYYY, date:YYYYMMDD)", e->key);
			return VR_EINVAL;
		}
		if (!(f->arg_true = strdup(conv + 5)))
			goto nomem;
	} else if (strncmp(conv, "bool:", 5) == 0) {
		const char *slash = strchr(conv + 5, '/');
		f->conv = CONV_BOOL;
		if (!slash || slash == conv + 5 || !slash[1] || strchr(slash + 1, '/')) {
			conf_err(c, e, err, errlen,
				 "%s: bool conversion must be bool:<true>/<false> (e.g. bool:J/N)",
				 e->key);
			return VR_EINVAL;
		}
		f->arg_true = dup_trim(conv + 5, (size_t)(slash - conv - 5));
		f->arg_false = dup_trim(slash + 1, strlen(slash + 1));
		if (!f->arg_true || !f->arg_false)
			goto nomem;
		if (!*f->arg_true || !*f->arg_false || word_eq(f->arg_true, f->arg_false)) {
			conf_err(c, e, err, errlen,
				 "%s: bool conversion needs two different words", e->key);
			return VR_EINVAL;
		}
	} else {
		conf_err(c, e, err, errlen,
			 "%s: unknown conversion \"%.40s\" (euros, cents, int, date:<pattern>, "
			 "bool:<true>/<false>, string)", e->key, conv);
		return VR_EINVAL;
	}

	bool ok;
	switch (t) {
	case CT_INT:
		ok = f->conv == CONV_INT || f->conv == CONV_EUROS || f->conv == CONV_CENTS;
		break;
	case CT_BOOL:
		ok = f->conv == CONV_BOOL;
		break;
	case CT_DATE:
		ok = f->conv == CONV_DATE || f->conv == CONV_STRING;
		break;
	default:
		ok = f->conv == CONV_STRING;
	}
	if (!ok) {
		static const char *const allowed[] = {
			[CT_STR] = "string",
			[CT_DATE] = "date:<pattern> or string",
			[CT_INT] = "euros, cents or int",
			[CT_BOOL] = "bool:<true>/<false>",
		};
		conf_err(c, e, err, errlen, "%s: conversion \"%.40s\" does not fit %s (use %s)",
			 e->key, conv, path, allowed[t]);
		return VR_EINVAL;
	}
	return VR_OK;
nomem:
	conf_err(c, e, err, errlen, "out of memory");
	return VR_ENOMEM;
}

static int canon_find(const char *path, size_t *out)
{
	for (size_t i = 0; i < CANON_COUNT; i++) {
		if (strcmp(canon[i].path, path) == 0) {
			*out = i;
			return VR_OK;
		}
	}
	return VR_ENOTFOUND;
}

static int column_find(const struct mapping *m, const char *name)
{
	for (size_t i = 0; i < m->ncolumns; i++)
		if (strcmp(m->columns[i], name) == 0)
			return (int)i;
	return -1;
}

static bool path_is_valid(const char *p)
{
	if (*p == '.')
		return false;
	for (; *p; p++)
		if (*p == '.' && (p[1] == '.' || p[1] == '\0'))
			return false;
	return true;
}

/* A `const.<path> = value` entry: the value is canonical already. */
static int parse_const(struct map_field *f, const struct conf *c,
		       const struct conf_entry *e, char *err, size_t errlen)
{
	const char *v = e->value;
	switch (canon[f->dst].type) {
	case CT_INT: {
		char *end;
		long long n = strtoll(v, &end, 10);
		if (!*v || *end || n < 0 || n > SIG_AMOUNT_MAX) {
			conf_err(c, e, err, errlen, "%s must be whole euros", e->key);
			return VR_EINVAL;
		}
		f->cval.kind = V_INT;
		f->cval.i = n;
		return VR_OK;
	}
	case CT_BOOL:
		if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0) {
			conf_err(c, e, err, errlen, "%s must be true or false", e->key);
			return VR_EINVAL;
		}
		f->cval.kind = V_BOOL;
		f->cval.b = v[0] == 't';
		return VR_OK;
	default:
		if (!*v) {
			conf_err(c, e, err, errlen, "%s is empty", e->key);
			return VR_EINVAL;
		}
		if (!(f->cstr = strdup(v))) {
			conf_err(c, e, err, errlen, "out of memory");
			return VR_ENOMEM;
		}
		f->cval.kind = V_STR;
		f->cval.s = f->cstr;
		return VR_OK;
	}
}

/* A `field.<path>` or `const.<path>` entry. */
static int parse_field(struct mapping *m, const struct conf *c, const struct conf_entry *e,
		       char *err, size_t errlen)
{
	bool is_const = strncmp(e->key, "const.", 6) == 0;
	const char *path = e->key + 6; /* after "field." or "const." */
	size_t dst;

	if (m->format == MAP_JSON) {
		conf_err(c, e, err, errlen, "%s needs format = csv or mapped", e->key);
		return VR_EINVAL;
	}
	if (strcmp(path, "signaalpartner.type") == 0) {
		conf_err(c, e, err, errlen, "%s: the partner type comes from `partner`", e->key);
		return VR_EINVAL;
	}
	if (canon_find(path, &dst)) {
		conf_err(c, e, err, errlen, "%s: unknown canonical field \"%.60s\"", e->key, path);
		return VR_EINVAL;
	}
	for (size_t i = 0; i < m->nfields; i++) {
		if (m->fields[i].dst == dst) {
			conf_err(c, e, err, errlen, "%s is mapped twice (field. and const.)", path);
			return VR_EINVAL;
		}
	}
	struct map_field *f = &m->fields[m->nfields++];
	f->dst = dst;
	f->col = -1;
	f->conv = canon[dst].type == CT_INT ? CONV_INT
		: canon[dst].type == CT_BOOL ? CONV_BOOL : CONV_STRING;
	if (is_const)
		return parse_const(f, c, e, err, errlen);

	const char *bar = strchr(e->value, '|');
	size_t srclen = bar ? (size_t)(bar - e->value) : strlen(e->value);
	if (!(f->src = dup_trim(e->value, srclen)))
		goto nomem;
	if (!*f->src) {
		conf_err(c, e, err, errlen, "%s: no source column or path", e->key);
		return VR_EINVAL;
	}
	if (m->format == MAP_MAPPED && !path_is_valid(f->src)) {
		conf_err(c, e, err, errlen, "%s: malformed path (empty part)", e->key);
		return VR_EINVAL;
	}
	if (bar) {
		char *conv = dup_trim(bar + 1, strlen(bar + 1));
		if (!conv)
			goto nomem;
		int rc = parse_conversion(f, conv, c, e, err, errlen);
		free(conv);
		if (rc)
			return rc;
	}
	if (m->format == MAP_CSV && !m->header && (f->col = column_find(m, f->src)) < 0) {
		conf_err(c, e, err, errlen, "%s: column \"%.60s\" is not in csv.columns", e->key,
			 f->src);
		return VR_EINVAL;
	}
	return VR_OK;
nomem:
	conf_err(c, e, err, errlen, "out of memory");
	return VR_ENOMEM;
}

static int parse_columns(struct mapping *m, const struct conf *c, const struct conf_entry *e,
			 char *err, size_t errlen)
{
	size_t n = 1;
	for (const char *p = e->value; *p; p++)
		n += *p == ',';
	if (n > MAP_COLS_MAX) {
		conf_err(c, e, err, errlen, "csv.columns: more than %d columns", MAP_COLS_MAX);
		return VR_EINVAL;
	}
	if (!(m->columns = calloc(n, sizeof(*m->columns))))
		goto nomem;
	const char *p = e->value;
	for (size_t i = 0; i < n; i++) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (!(m->columns[i] = dup_trim(p, len)))
			goto nomem;
		m->ncolumns++;
		if (m->columns[i][0] && column_find(m, m->columns[i]) != (int)i) {
			conf_err(c, e, err, errlen, "csv.columns: \"%.60s\" is named twice",
				 m->columns[i]);
			return VR_EINVAL;
		}
		p += len + (comma != NULL);
	}
	return VR_OK;
nomem:
	conf_err(c, e, err, errlen, "out of memory");
	return VR_ENOMEM;
}

static int parse_csv_options(struct mapping *m, const struct conf *c, const char *section,
			     char *err, size_t errlen)
{
	const struct conf_entry *d = find_entry(c, section, "csv.delimiter");
	const struct conf_entry *h = find_entry(c, section, "csv.header");
	const struct conf_entry *cols = find_entry(c, section, "csv.columns");
	int rc;

	if (m->format != MAP_CSV) {
		const struct conf_entry *e = d ? d : h ? h : cols;
		if (e) {
			conf_err(c, e, err, errlen, "%s needs format = csv", e->key);
			return VR_EINVAL;
		}
		return VR_OK;
	}
	m->delim = ',';
	if (d) {
		if (strcmp(d->value, "tab") == 0 || strcmp(d->value, "\\t") == 0) {
			m->delim = '\t';
		} else if (strlen(d->value) != 1 || d->value[0] == '"') {
			conf_err(c, d, err, errlen,
				 "csv.delimiter must be one character other than '\"' (or tab)");
			return VR_EINVAL;
		} else {
			m->delim = d->value[0];
		}
	}
	if ((rc = conf_get_bool(c, section, "csv.header", true, &m->header, err, errlen)))
		return rc;
	if (m->header && cols) {
		conf_err(c, cols, err, errlen,
			 "csv.columns is for messages without a header (csv.header = false)");
		return VR_EINVAL;
	}
	if (!m->header && !cols) {
		conf_err(c, h, err, errlen, "csv.header = false needs csv.columns");
		return VR_EINVAL;
	}
	return cols ? parse_columns(m, c, cols, err, errlen) : VR_OK;
}

struct mapping *mapping_from_conf(const struct conf *c, const char *topic, char *err,
				  size_t errlen)
{
	static const char *const known[] = {"partner", "organisation", "format",
					    "csv.delimiter", "csv.header", "csv.columns",
					    "field.", "const.", NULL};
	char section[300];
	const struct conf_entry *e;
	struct mapping *m = calloc(1, sizeof(*m));

	if (!m || !(m->topic = strdup(topic))) {
		snprintf(err, errlen, "%s: out of memory", conf_name(c));
		goto out_free;
	}
	snprintf(section, sizeof(section), "topic %s", topic);
	if (conf_check_keys(c, section, known, err, errlen))
		goto out_free;

	if (!(e = find_entry(c, section, "partner"))) {
		conf_err(c, NULL, err, errlen, "[%s] needs partner = <DDAS partner type>",
			 section);
		goto out_free;
	}
	m->def.partner = sig_partner_from_name(e->value);
	if (m->def.partner == PARTNER__COUNT) {
		conf_err(c, e, err, errlen,
			 "unknown partner \"%.40s\" (a DDAS type such as Huur, Energie, Water, "
			 "Zorg, Gemeentebelastingen)", e->value);
		goto out_free;
	}
	if ((e = find_entry(c, section, "organisation"))) {
		size_t n = strlen(e->value);
		if (n == 0 || n > SIG_ORG_MAX) {
			conf_err(c, e, err, errlen, "organisation must be 1 to %d bytes",
				 SIG_ORG_MAX);
			goto out_free;
		}
		memcpy(m->def.partner_org, e->value, n + 1);
	}

	m->format = MAP_JSON;
	if ((e = find_entry(c, section, "format"))) {
		if (strcmp(e->value, "csv") == 0) {
			m->format = MAP_CSV;
		} else if (strcmp(e->value, "mapped") == 0) {
			m->format = MAP_MAPPED;
		} else if (strcmp(e->value, "json") != 0) {
			conf_err(c, e, err, errlen,
				 "unknown format \"%.40s\" (json, csv or mapped)", e->value);
			goto out_free;
		}
	}
	if (parse_csv_options(m, c, section, err, errlen))
		goto out_free;

	for (size_t i = 0; i < conf_count(c); i++) {
		e = conf_at(c, i);
		if (strcmp(e->section, section) != 0 ||
		    (strncmp(e->key, "field.", 6) != 0 && strncmp(e->key, "const.", 6) != 0))
			continue;
		if (parse_field(m, c, e, err, errlen))
			goto out_free;
	}
	if (m->format != MAP_JSON && m->nfields == 0) {
		conf_err(c, NULL, err, errlen, "[%s] maps no fields (field.<canonical path> = ...)",
			 section);
		goto out_free;
	}
	return m;

out_free:
	mapping_free(m);
	return NULL;
}

void mapping_free(struct mapping *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nfields; i++) {
		free(m->fields[i].src);
		free(m->fields[i].arg_true);
		free(m->fields[i].arg_false);
		free(m->fields[i].cstr);
	}
	for (size_t i = 0; i < m->ncolumns; i++)
		free(m->columns[i]);
	free(m->columns);
	free(m->topic);
	free(m);
}

enum map_format mapping_format(const struct mapping *m)
{
	return m->format;
}

bool mapping_csv_header(const struct mapping *m)
{
	return m->format == MAP_CSV && m->header;
}

const char *mapping_topic(const struct mapping *m)
{
	return m->topic;
}

const struct sig_defaults *mapping_defaults(const struct mapping *m)
{
	return &m->def;
}

/* ---- conversions ------------------------------------------------------- */

static int fail(struct sig_error *err, const char *fmt, ...)
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
static long long round_cents(long long cents)
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
	*out = round_cents(neg ? -c : c);
	return true;
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
static int convert_text(const struct mapping *m, const struct map_field *f, const char *s,
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
			return fail(err, "%s \"%.40s\": not a whole number", what, src);
		v->kind = V_INT;
		return VR_OK;
	case CONV_CENTS:
		if (!parse_integer(s, &v->i))
			return fail(err, "%s \"%.40s\": not a whole number of cents", what, src);
		v->i = round_cents(v->i);
		v->kind = V_INT;
		return VR_OK;
	case CONV_EUROS:
		if (!parse_euros(s, &v->i))
			return fail(err, "%s \"%.40s\": not an amount in euros", what, src);
		v->kind = V_INT;
		return VR_OK;
	case CONV_DATE:
		if (!parse_date(s, f->arg_true, v->tmp))
			return fail(err, "%s \"%.40s\": not a date in the form %s", what, src,
				    f->arg_true);
		v->kind = V_STR;
		v->s = v->tmp;
		return VR_OK;
	case CONV_BOOL: {
		char t[64];
		const char *yes = f->arg_true ? f->arg_true : "true";
		const char *no = f->arg_false ? f->arg_false : "false";
		if (trimmed(s, t, sizeof(t)) && word_eq(t, yes))
			v->b = true;
		else if (trimmed(s, t, sizeof(t)) && word_eq(t, no))
			v->b = false;
		else
			return fail(err, "%s \"%.40s\": not %s or %s", what, src, yes, no);
		v->kind = V_BOOL;
		return VR_OK;
	}
	}
	return fail(err, "%s \"%.40s\": unknown conversion", what, src);
}

/* Convert a JSON value found at f's path; NULL or null is an absent field. */
static int convert_json(const struct mapping *m, const struct map_field *f, const cJSON *j,
			struct mval *v, struct sig_error *err)
{
	const char *src = f->src;

	if (!j || cJSON_IsNull(j))
		return VR_OK;
	if (cJSON_IsString(j))
		return convert_text(m, f, j->valuestring, v, err);
	if (cJSON_IsBool(j)) {
		if (f->conv != CONV_BOOL)
			return fail(err, "path \"%.40s\": true or false where a %s was expected",
				    src, canon[f->dst].type == CT_INT ? "number" : "text");
		v->kind = V_BOOL;
		v->b = cJSON_IsTrue(j);
		return VR_OK;
	}
	if (!cJSON_IsNumber(j))
		return fail(err, "path \"%.40s\": %s where a value was expected", src,
			    cJSON_IsArray(j) ? "an array" : "an object");

	double d = j->valuedouble;
	if (f->conv == CONV_BOOL)
		return fail(err, "path \"%.40s\": a number where true or false was expected",
			    src);
	if (!(fabs(d) < (double)MAP_NUMBER_MAX))
		return fail(err, "path \"%.40s\": number out of range", src);
	if (f->conv == CONV_DATE) { /* 20240115 as a number: read its digits */
		char digits[24];
		if (d != floor(d) || d < 0)
			return fail(err, "path \"%.40s\": not a date in the form %s", src,
				    f->arg_true);
		snprintf(digits, sizeof(digits), "%lld", (long long)d);
		return convert_text(m, f, digits, v, err);
	}
	if (f->conv == CONV_EUROS) {
		v->i = (long long)(d < 0 ? -floor(-d + 0.5) : floor(d + 0.5));
	} else if (d != floor(d)) {
		return fail(err, "path \"%.40s\": not a whole number%s", src,
			    f->conv == CONV_CENTS ? " of cents" : "");
	} else if (f->conv == CONV_CENTS) {
		v->i = round_cents((long long)d);
	} else {
		v->i = (long long)d;
	}
	if (f->conv == CONV_STRING) { /* a number for a text field: its digits */
		snprintf(v->tmp, sizeof(v->tmp), "%lld", v->i);
		v->kind = V_STR;
		v->s = v->tmp;
	} else {
		v->kind = V_INT;
	}
	return VR_OK;
}

/* ---- output ------------------------------------------------------------ */

static int write_record(struct jbuf *buf, const struct mval *vals, struct sig_error *err)
{
	const char *open = NULL; /* the group whose object is open */
	bool first = true, gfirst = true;

	jbuf_lit(buf, "{");
	for (size_t i = 0; i < CANON_COUNT; i++) {
		const struct mval *v = &vals[i];
		const struct canon *k = &canon[i];
		if (v->kind == V_ABSENT)
			continue;
		if (open && (!k->group || strcmp(open, k->group) != 0)) {
			jbuf_lit(buf, "}");
			open = NULL;
		}
		if (k->group && !open) {
			jbuf_key(buf, k->group, &first);
			jbuf_lit(buf, "{");
			open = k->group;
			gfirst = true;
		}
		jbuf_key(buf, k->key, k->group ? &gfirst : &first);
		if (v->kind == V_STR)
			jbuf_str(buf, v->s);
		else if (v->kind == V_INT)
			jbuf_int(buf, v->i);
		else
			jbuf_bool(buf, v->b);
	}
	jbuf_lit(buf, open ? "}}" : "}");
	if (!jbuf_ok(buf)) {
		err->code = REJ_TOO_LONG;
		snprintf(err->msg, sizeof(err->msg), "mapped record too long");
		return VR_EINVAL;
	}
	return VR_OK;
}

/* Constants first, so a message's fields never meet an unset slot. */
static void start_values(const struct mapping *m, struct mval *vals)
{
	memset(vals, 0, CANON_COUNT * sizeof(*vals));
	for (size_t i = 0; i < m->nfields; i++)
		if (!m->fields[i].src)
			vals[m->fields[i].dst] = m->fields[i].cval;
}

/* ---- csv --------------------------------------------------------------- */

struct csv_rec {
	const char *cell[MAP_COLS_MAX];
	size_t n;
};

/*
 * Read one RFC 4180 record from *p (up to end), decoding cells into *out
 * (NUL-terminated each).  A quote inside an unquoted cell is kept as text.
 * Consumes the record's line end.
 */
static int csv_read(const char **p, const char *end, char delim, char **out,
		    struct csv_rec *r, struct sig_error *err)
{
	const char *s = *p;
	char *o = *out;

	r->n = 0;
	for (;;) {
		if (r->n == MAP_COLS_MAX)
			return fail(err, "CSV record has more than %d columns", MAP_COLS_MAX);
		r->cell[r->n++] = o;
		if (s < end && *s == '"') {
			for (s++;; s++) {
				if (s == end)
					return fail(err, "CSV column %zu: unterminated quoted value",
						    r->n);
				if (*s == '"') {
					if (s + 1 < end && s[1] == '"')
						s++;
					else
						break;
				}
				*o++ = *s;
			}
			s++; /* closing quote */
			if (s < end && *s != delim && *s != '\n' && *s != '\r')
				return fail(err, "CSV column %zu: text after a closing quote", r->n);
		} else {
			while (s < end && *s != delim && *s != '\n' && *s != '\r')
				*o++ = *s++;
		}
		*o++ = '\0';
		if (s < end && *s == delim) {
			s++;
			continue;
		}
		break;
	}
	if (s < end && *s == '\r')
		s++;
	if (s < end && *s == '\n')
		s++;
	else if (s < end)
		return fail(err, "CSV record: a carriage return inside an unquoted value");
	*p = s;
	*out = o;
	return VR_OK;
}

static bool only_line_ends(const char *p, const char *end)
{
	for (; p < end; p++)
		if (*p != '\r' && *p != '\n')
			return false;
	return true;
}

static int header_find(const struct csv_rec *h, const char *name, int *col,
		       struct sig_error *err)
{
	*col = -1;
	for (size_t i = 0; i < h->n; i++) {
		if (strcmp(h->cell[i], name) != 0)
			continue;
		if (*col >= 0)
			return fail(err, "column \"%.40s\" appears twice in the CSV header", name);
		*col = (int)i;
	}
	if (*col < 0)
		return fail(err, "column \"%.40s\" is not in the CSV header", name);
	return VR_OK;
}

static int map_csv(const struct mapping *m, const char *msg, size_t len, struct mval *vals,
		   char *cells, struct sig_error *err)
{
	const char *p = msg, *end = msg + len;
	struct csv_rec head, row;
	int rc;

	if (memchr(msg, '\0', len))
		return fail(err, "NUL byte in message");
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3; /* a byte-order mark from a spreadsheet export */
	if (m->header) {
		if (only_line_ends(p, end))
			return fail(err, "empty CSV message (expected a header and one record)");
		if ((rc = csv_read(&p, end, m->delim, &cells, &head, err)))
			return rc;
	}
	if (only_line_ends(p, end))
		return fail(err, "CSV message has no data record");
	if ((rc = csv_read(&p, end, m->delim, &cells, &row, err)))
		return rc;
	if (!only_line_ends(p, end))
		return fail(err, "CSV message has more than one data record");

	size_t want = m->header ? head.n : m->ncolumns;
	if (row.n != want)
		return fail(err, "CSV record has %zu columns, %s has %zu", row.n,
			    m->header ? "header" : "csv.columns", want);
	for (size_t i = 0; i < m->nfields; i++) {
		const struct map_field *f = &m->fields[i];
		int col = f->col;
		if (!f->src)
			continue;
		if (m->header && (rc = header_find(&head, f->src, &col, err)))
			return rc;
		if ((rc = convert_text(m, f, row.cell[col], &vals[f->dst], err)))
			return rc;
	}
	return VR_OK;
}

/* ---- mapped JSON ------------------------------------------------------- */

/* The value at a dotted path; NULL when a part is missing or null. */
static int json_find(const cJSON *root, const char *path, const cJSON **out,
		     struct sig_error *err)
{
	const cJSON *j = root;
	const char *p = path;

	*out = NULL;
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (!j || cJSON_IsNull(j))
			return VR_OK;
		if (!cJSON_IsObject(j))
			return fail(err, "path \"%.40s\": not an object above \"%.*s\"", path,
				    (int)(n > 40 ? 40 : n), p);
		const cJSON *c;
		for (c = j->child; c; c = c->next)
			if (c->string && strlen(c->string) == n && memcmp(c->string, p, n) == 0)
				break;
		j = c;
		p += n + (dot != NULL);
	}
	*out = j;
	return VR_OK;
}

/* The message's tree stays alive until the record is written: vals point in. */
static int map_json(const struct mapping *m, const char *msg, size_t len, struct mval *vals,
		    struct jbuf *buf, struct sig_error *err)
{
	const char *end = NULL;
	int rc = VR_OK;

	if (memchr(msg, '\0', len))
		return fail(err, "NUL byte in message");
	cJSON *root = cJSON_ParseWithLengthOpts(msg, len, &end, false);
	if (!root)
		return fail(err, "message is not JSON (error near byte %ld)",
			    end ? (long)(end - msg) : 0L);
	size_t used = (size_t)(end - msg);
	while (used < len && (msg[used] == ' ' || msg[used] == '\t' || msg[used] == '\r' ||
			      msg[used] == '\n'))
		used++;
	if (used != len) {
		rc = fail(err, "message is not JSON (trailing data at byte %zu)", used);
		goto out_free;
	}
	if (!cJSON_IsObject(root)) {
		rc = fail(err, "message is not a JSON object");
		goto out_free;
	}
	for (size_t i = 0; i < m->nfields && rc == VR_OK; i++) {
		const struct map_field *f = &m->fields[i];
		const cJSON *j;
		if (f->src && !(rc = json_find(root, f->src, &j, err)))
			rc = convert_json(m, f, j, &vals[f->dst], err);
	}
	if (rc == VR_OK)
		rc = write_record(buf, vals, err);
out_free:
	cJSON_Delete(root);
	return rc;
}

int mapping_apply(const struct mapping *m, const char *msg, size_t len, struct jbuf *buf,
		  const char **out_data, size_t *out_len, struct sig_error *err)
{
	struct mval vals[CANON_COUNT];
	int rc;

	err->code = REJ_NONE;
	err->msg[0] = '\0';
	if (m->format == MAP_JSON) {
		*out_data = msg;
		*out_len = len;
		return VR_OK;
	}
	if (len > SIG_LINE_MAX) {
		err->code = REJ_TOO_LONG;
		snprintf(err->msg, sizeof(err->msg), "message too long (%zu bytes, max %d)", len,
			 SIG_LINE_MAX);
		return VR_EINVAL;
	}
	jbuf_reset(buf);
	buf->overflow = false; /* jbuf_reset keeps it; a new record starts clean */
	start_values(m, vals);
	if (m->format == MAP_MAPPED) {
		rc = map_json(m, msg, len, vals, buf, err);
	} else {
		/* Decoded cells are never longer than the message, plus one NUL each. */
		char *cells = malloc(2 * len + 2);
		if (!cells) {
			snprintf(err->msg, sizeof(err->msg), "out of memory");
			err->code = REJ_MAPPING;
			return VR_ENOMEM;
		}
		rc = map_csv(m, msg, len, vals, cells, err);
		if (rc == VR_OK)
			rc = write_record(buf, vals, err);
		free(cells);
	}
	if (rc)
		return rc;
	*out_data = buf->p;
	*out_len = buf->len;
	return VR_OK;
}
