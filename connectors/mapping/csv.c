/*
 * csv.c - one CSV message (RFC 4180, an optional header line) into a
 * mapping's values (mapping_int.h).
 */
#include "mapping_int.h"

#include <string.h>

#include "vr.h"

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
			return map_fail(err, "CSV record has more than %d columns", MAP_COLS_MAX);
		r->cell[r->n++] = o;
		if (s < end && *s == '"') {
			for (s++;; s++) {
				if (s == end)
					return map_fail(err,
							"CSV column %zu: unterminated quoted value",
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
				return map_fail(err, "CSV column %zu: text after a closing quote",
						r->n);
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
		return map_fail(err, "CSV record: a carriage return inside an unquoted value");
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
			return map_fail(err, "column \"%.40s\" appears twice in the CSV header",
					name);
		*col = (int)i;
	}
	if (*col < 0)
		return map_fail(err, "column \"%.40s\" is not in the CSV header", name);
	return VR_OK;
}

int map_csv(const struct mapping *m, const char *msg, size_t len, struct mval *vals,
	    char *cells, struct sig_error *err)
{
	const char *p = msg, *end = msg + len;
	struct csv_rec head, row;
	int rc;

	if (memchr(msg, '\0', len))
		return map_fail(err, "NUL byte in message");
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3; /* a byte-order mark from a spreadsheet export */
	if (m->header) {
		if (only_line_ends(p, end))
			return map_fail(err,
					"empty CSV message (expected a header and one record)");
		if ((rc = csv_read(&p, end, m->delim, &cells, &head, err)))
			return rc;
	}
	if (only_line_ends(p, end))
		return map_fail(err, "CSV message has no data record");
	if ((rc = csv_read(&p, end, m->delim, &cells, &row, err)))
		return rc;
	if (!only_line_ends(p, end))
		return map_fail(err, "CSV message has more than one data record");

	size_t want = m->header ? head.n : m->ncolumns;
	if (row.n != want)
		return map_fail(err, "CSV record has %zu columns, %s has %zu", row.n,
				m->header ? "header" : "csv.columns", want);
	for (size_t i = 0; i < m->nfields; i++) {
		const struct map_field *f = &m->fields[i];
		int col = f->col;
		if (!f->src)
			continue;
		if (m->header && (rc = header_find(&head, f->src, &col, err)))
			return rc;
		if ((rc = map_convert_text(m, f, row.cell[col], &vals[f->dst], err)))
			return rc;
	}
	return VR_OK;
}
