/*
 * mapping.c - partner message formats to canonical signal JSON (mapping.h):
 * the topic's config, the canonical record and mapping_apply().  The field
 * conversions are in convert.c, the CSV reader in csv.c, partner JSON in
 * json.c (mapping_int.h).
 */
#include "mapping_int.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vr.h"

/*
 * The canonical fields, exactly those engine/signal.c reads, in output
 * order; the fields of one nested object (group) are adjacent.
 */
const struct canon map_canon[] = {
	{"ID", NULL, "ID", CT_STR},
	{"signaalpartner.naam", "signaalpartner", "naam", CT_STR},
	{"gemeentecode", NULL, "gemeentecode", CT_STR},
	{"bedrag", NULL, "bedrag", CT_INT},
	{"ontstaansdatum", NULL, "ontstaansdatum", CT_DATE},
	{"signaaldatum", NULL, "signaaldatum", CT_DATE},
	{"ontvangstdatum", NULL, "ontvangstdatum", CT_DATE},
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
_Static_assert(VR_ARRAY_LEN(map_canon) == CANON_COUNT, "CANON_COUNT counts map_canon[]");

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

/* Does the conversion give what f's canonical field holds? */
static int conversion_check_type(const struct map_field *f, const char *conv,
				 const struct conf *c, const struct conf_entry *e, char *err,
				 size_t errlen)
{
	enum ctype t = map_canon[f->dst].type;
	const char *path = map_canon[f->dst].path;
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
}

static int parse_conversion(struct map_field *f, const char *conv, const struct conf *c,
			    const struct conf_entry *e, char *err, size_t errlen)
{
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
		if (!map_date_pattern_is_valid(conv + 5)) {
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
		if (!*f->arg_true || !*f->arg_false || map_word_eq(f->arg_true, f->arg_false)) {
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
	return conversion_check_type(f, conv, c, e, err, errlen);
nomem:
	conf_err(c, e, err, errlen, "out of memory");
	return VR_ENOMEM;
}

static int canon_find(const char *path, size_t *out)
{
	for (size_t i = 0; i < CANON_COUNT; i++) {
		if (strcmp(map_canon[i].path, path) == 0) {
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

/* A `const.<path> = value` entry: the value is canonical already. */
static int parse_const(struct map_field *f, const struct conf *c,
		       const struct conf_entry *e, char *err, size_t errlen)
{
	const char *v = e->value;
	switch (map_canon[f->dst].type) {
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
	f->conv = map_canon[dst].type == CT_INT ? CONV_INT
		: map_canon[dst].type == CT_BOOL ? CONV_BOOL : CONV_STRING;
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
	if (m->format == MAP_MAPPED && !map_path_is_valid(f->src)) {
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

/* partner and organisation: the topic's struct sig_defaults. */
static int parse_partner(struct mapping *m, const struct conf *c, const char *section,
			 char *err, size_t errlen)
{
	const struct conf_entry *e;

	if (!(e = find_entry(c, section, "partner"))) {
		conf_err(c, NULL, err, errlen, "[%s] needs partner = <DDAS partner type>",
			 section);
		return VR_EINVAL;
	}
	m->def.partner = sig_partner_from_name(e->value);
	if (m->def.partner == PARTNER__COUNT) {
		conf_err(c, e, err, errlen,
			 "unknown partner \"%.40s\" (a DDAS type such as Huur, Energie, Water, "
			 "Zorg, Gemeentebelastingen)", e->value);
		return VR_EINVAL;
	}
	if ((e = find_entry(c, section, "organisation"))) {
		size_t n = strlen(e->value);
		if (n == 0 || n > SIG_ORG_MAX) {
			conf_err(c, e, err, errlen, "organisation must be 1 to %d bytes",
				 SIG_ORG_MAX);
			return VR_EINVAL;
		}
		memcpy(m->def.partner_org, e->value, n + 1);
	}
	return VR_OK;
}

struct mapping *mapping_from_conf(const struct conf *c, const char *topic, char *err,
				  size_t errlen)
{
	char section[300];
	const struct conf_entry *e;
	struct mapping *m = calloc(1, sizeof(*m));

	if (!m || !(m->topic = strdup(topic))) {
		snprintf(err, errlen, "%s: out of memory", conf_name(c));
		goto out_free;
	}
	snprintf(section, sizeof(section), "topic %s", topic);
	if (conf_check_section(c, section, mapping_conf_keys, err, errlen))
		goto out_free;

	if (parse_partner(m, c, section, err, errlen))
		goto out_free;

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

/* ---- output ------------------------------------------------------------ */

int map_write_record(struct jbuf *buf, const struct mval *vals, struct sig_error *err)
{
	const char *open = NULL; /* the group whose object is open */
	bool first = true, gfirst = true;

	jbuf_lit(buf, "{");
	for (size_t i = 0; i < CANON_COUNT; i++) {
		const struct mval *v = &vals[i];
		const struct canon *k = &map_canon[i];
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

static int too_long(size_t len, struct sig_error *err)
{
	err->code = REJ_TOO_LONG;
	snprintf(err->msg, sizeof(err->msg), "message too long (%zu bytes, max %d)", len,
		 SIG_LINE_MAX);
	return VR_EINVAL;
}

/* CSV text into buf: a message (h NULL) or a file's row with its header. */
static int apply_csv(const struct mapping *m, const struct map_header *h, const char *text,
		     size_t len, struct mval *vals, struct jbuf *buf, struct sig_error *err)
{
	/* Decoded cells are never longer than the text, plus one NUL each. */
	char *cells = malloc(2 * len + 2);
	int rc;
	if (!cells) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		err->code = REJ_MAPPING;
		return VR_ENOMEM;
	}
	rc = h ? map_csv_row(m, h, text, len, vals, cells, err)
	       : map_csv(m, text, len, vals, cells, err);
	if (rc == VR_OK)
		rc = map_write_record(buf, vals, err);
	free(cells);
	return rc;
}

static void start_record(const struct mapping *m, struct jbuf *buf, struct mval *vals,
			 struct sig_error *err)
{
	err->code = REJ_NONE;
	err->msg[0] = '\0';
	jbuf_reset(buf);
	buf->overflow = false; /* jbuf_reset keeps it; a new record starts clean */
	start_values(m, vals);
}

int mapping_apply(const struct mapping *m, const char *msg, size_t len, struct jbuf *buf,
		  const char **out_data, size_t *out_len, struct sig_error *err)
{
	struct mval vals[CANON_COUNT];
	int rc;

	if (m->format == MAP_JSON) {
		err->code = REJ_NONE;
		err->msg[0] = '\0';
		*out_data = msg;
		*out_len = len;
		return VR_OK;
	}
	start_record(m, buf, vals, err);
	if (len > SIG_LINE_MAX)
		return too_long(len, err);
	if (m->format == MAP_MAPPED)
		rc = map_json(m, msg, len, vals, buf, err);
	else
		rc = apply_csv(m, NULL, msg, len, vals, buf, err);
	if (rc)
		return rc;
	*out_data = buf->p;
	*out_len = buf->len;
	return VR_OK;
}

int mapping_apply_row(const struct mapping *m, const struct map_header *h, const char *row,
		      size_t len, struct jbuf *buf, const char **out_data, size_t *out_len,
		      struct sig_error *err)
{
	struct mval vals[CANON_COUNT];
	int rc;

	start_record(m, buf, vals, err);
	if (len > SIG_LINE_MAX)
		return too_long(len, err);
	if ((rc = apply_csv(m, h, row, len, vals, buf, err)))
		return rc;
	*out_data = buf->p;
	*out_len = buf->len;
	return VR_OK;
}

char mapping_csv_delim(const struct mapping *m)
{
	return m->delim;
}
