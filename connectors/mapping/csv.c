/*
 * csv.c - CSV messages and rows into a mapping's values (mapping_int.h),
 * read with libcsv (RFC 4180, strict).
 *
 * Cells are taken as sent: no spaces are trimmed (the conversions decide
 * what blank means), a quoted cell may hold the delimiter, a doubled quote
 * and line breaks.  Strict mode refuses a quote inside an unquoted cell
 * and text after a closing quote, so a broken row is a mapping error
 * instead of a cell read differently than the partner meant.
 */
#include "mapping_int.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>

#include "vr.h"

#define CSV_OPTIONS (CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL)

struct csv_rec {
	const char *cell[MAP_COLS_MAX];
	size_t n;
};

/* The header's answer for each field: its column, or why there is none. */
struct map_header {
	int col[CANON_COUNT];   /* by index into m->fields */
	size_t ncols;
	struct sig_error err;   /* REJ_NONE, or the error every row gets */
};

enum { READ_OK, READ_COLS, READ_RECORDS };

/* libcsv's callbacks copy cells into the caller's buffer. */
struct csv_read {
	struct csv_rec *recs;
	size_t nrec, maxrec;
	char *out;
	int err;
};

static int no_space(unsigned char c)
{
	(void)c;
	return 0;
}

static void parser_init(struct csv_parser *p, char delim)
{
	csv_init(p, CSV_OPTIONS); /* allocates nothing: it cannot fail */
	csv_set_delim(p, (unsigned char)delim);
	csv_set_space_func(p, no_space);
}

static void on_cell(void *s, size_t len, void *ud)
{
	struct csv_read *r = ud;
	if (r->err)
		return;
	if (r->nrec == r->maxrec) {
		r->err = READ_RECORDS;
		return;
	}
	struct csv_rec *rec = &r->recs[r->nrec];
	if (rec->n == MAP_COLS_MAX) {
		r->err = READ_COLS;
		return;
	}
	rec->cell[rec->n++] = r->out;
	if (len)
		memcpy(r->out, s, len);
	r->out[len] = '\0';
	r->out += len + 1;
}

static void on_record(int c, void *ud)
{
	struct csv_read *r = ud;
	(void)c;
	if (!r->err && r->nrec < r->maxrec)
		r->nrec++;
}

/*
 * Read at most maxrec records of text into recs, cells decoded into cells
 * (room for 2 * len + 2 bytes: no cell is longer than the text, plus one
 * NUL each).  Blank lines between records are skipped, as libcsv does.
 */
static const char *const HEADER_ROW[] = {"CSV header", "CSV record"};
static const char *const ROW_ONLY[] = {"CSV record"};
static const char *const HEADER_ONLY[] = {"CSV header"};

/* what[i] names record i in errors. */
static int csv_records(char delim, const char *text, size_t len, struct csv_rec *recs,
		       size_t maxrec, const char *const *what, size_t *nrec, char *cells,
		       struct sig_error *err)
{
	struct csv_parser p;
	struct csv_read r = {.recs = recs, .maxrec = maxrec, .out = cells};
	int rc = VR_OK;

	for (size_t i = 0; i < maxrec; i++)
		recs[i].n = 0;
	parser_init(&p, delim);
	csv_set_blk_size(&p, len + 2); /* one entry buffer, never regrown */
	size_t done = csv_parse(&p, text, len, on_cell, on_record, &r);
	if (done == len && csv_fini(&p, on_cell, on_record, &r) == 0) {
		if (r.err == READ_COLS)
			rc = map_fail(err, "CSV record has more than %d columns", MAP_COLS_MAX);
		else if (r.err == READ_RECORDS)
			rc = map_fail(err, "CSV message has more than one data record");
	} else if (csv_error(&p) == CSV_ENOMEM) {
		rc = map_fail(err, "out of memory");
		rc = VR_ENOMEM;
	} else {
		size_t at = r.nrec < maxrec ? r.nrec : maxrec - 1;
		if (done < len)
			rc = map_fail(err,
				      "%s, column %zu: a quote inside an unquoted value, "
				      "or text after a closing quote",
				      what[at], recs[at].n + 1);
		else
			rc = map_fail(err, "%s: unterminated quoted value", what[at]);
	}
	csv_free(&p);
	*nrec = r.nrec;
	return rc;
}

/* The column of each field that the header names; errors go to h->err. */
static void header_resolve(const struct mapping *m, const struct csv_rec *head,
			   struct map_header *h)
{
	h->ncols = head->n;
	for (size_t i = 0; i < m->nfields; i++) {
		const struct map_field *f = &m->fields[i];
		h->col[i] = -1;
		if (!f->src)
			continue;
		for (size_t c = 0; c < head->n; c++) {
			if (strcmp(head->cell[c], f->src) != 0)
				continue;
			if (h->col[i] >= 0) {
				map_fail(&h->err, "column \"%.40s\" appears twice in the CSV header",
					 f->src);
				return;
			}
			h->col[i] = (int)c;
		}
		if (h->col[i] < 0) {
			map_fail(&h->err, "column \"%.40s\" is not in the CSV header", f->src);
			return;
		}
	}
}

/* The columns csv.columns fixes, for messages without a header. */
static void header_fixed(const struct mapping *m, struct map_header *h)
{
	h->ncols = m->ncolumns;
	for (size_t i = 0; i < m->nfields; i++)
		h->col[i] = m->fields[i].col;
}

static const char *skip_bom(const char *p, size_t *len)
{
	if (*len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
		*len -= 3;
		return p + 3; /* a byte-order mark from a spreadsheet export */
	}
	return p;
}

static int row_values(const struct mapping *m, const struct map_header *h,
		      const struct csv_rec *row, struct mval *vals, struct sig_error *err)
{
	int rc;
	if (h->err.code != REJ_NONE) {
		*err = h->err;
		return VR_EINVAL;
	}
	if (row->n != h->ncols)
		return map_fail(err, "CSV record has %zu columns, %s has %zu", row->n,
				m->header ? "header" : "csv.columns", h->ncols);
	for (size_t i = 0; i < m->nfields; i++) {
		const struct map_field *f = &m->fields[i];
		if (f->src && (rc = map_convert_text(m, f, row->cell[h->col[i]], &vals[f->dst], err)))
			return rc;
	}
	return VR_OK;
}

int map_csv(const struct mapping *m, const char *msg, size_t len, struct mval *vals,
	    char *cells, struct sig_error *err)
{
	struct csv_rec recs[2];
	struct map_header h = {0};
	size_t want = m->header ? 2 : 1, n;
	int rc;

	if (memchr(msg, '\0', len))
		return map_fail(err, "NUL byte in message");
	msg = skip_bom(msg, &len);
	if ((rc = csv_records(m->delim, msg, len, recs, want, m->header ? HEADER_ROW : ROW_ONLY,
			       &n, cells, err)))
		return rc;
	if (n == 0)
		return map_fail(err, m->header ? "empty CSV message (expected a header and one record)"
					       : "CSV message has no data record");
	if (n < want)
		return map_fail(err, "CSV message has no data record");
	if (m->header)
		header_resolve(m, &recs[0], &h);
	else
		header_fixed(m, &h);
	return row_values(m, &h, &recs[n - 1], vals, err);
}

struct map_header *mapping_header_new(const struct mapping *m, const char *text, size_t len)
{
	struct map_header *h = calloc(1, sizeof(*h));
	char *cells = NULL;
	struct csv_rec *rec = NULL;
	size_t n;

	if (!h)
		return NULL;
	if (len > MAP_HEADER_MAX) {
		map_fail(&h->err, "the CSV header is %zu bytes, max %d", len, MAP_HEADER_MAX);
		return h;
	}
	if (memchr(text, '\0', len)) {
		map_fail(&h->err, "NUL byte in the CSV header");
		return h;
	}
	text = skip_bom(text, &len);
	cells = malloc(2 * len + 2);
	rec = malloc(sizeof(*rec));
	if (!cells || !rec) {
		free(h);
		h = NULL;
	} else if (csv_records(m->delim, text, len, rec, 1, HEADER_ONLY, &n, cells, &h->err) == VR_ENOMEM) {
		free(h);
		h = NULL;
	} else if (h->err.code == REJ_NONE) {
		if (n == 0)
			map_fail(&h->err, "the CSV header is empty");
		else
			header_resolve(m, rec, h);
	}
	if (h && h->err.code != REJ_NONE) /* "in the CSV header", whatever the reader said */
		h->err.code = REJ_MAPPING;
	free(rec);
	free(cells);
	return h;
}

void mapping_header_free(struct map_header *h)
{
	free(h);
}

int map_csv_row(const struct mapping *m, const struct map_header *h, const char *row,
		size_t len, struct mval *vals, char *cells, struct sig_error *err)
{
	struct csv_rec rec;
	size_t n;
	int rc;

	if (memchr(row, '\0', len))
		return map_fail(err, "NUL byte in record");
	if ((rc = csv_records(m->delim, row, len, &rec, 1, ROW_ONLY, &n, cells, err)))
		return rc;
	if (n == 0)
		return map_fail(err, "CSV record is empty");
	return row_values(m, h, &rec, vals, err);
}

/* ---- record ends in a file -------------------------------------------- */

struct csv_ends {
	struct csv_parser p;
	bool ended;
	size_t fields;  /* of the record so far */
};

static void on_field(void *s, size_t len, void *ud)
{
	(void)s;
	(void)len;
	((struct csv_ends *)ud)->fields++;
}

static void on_end(int c, void *ud)
{
	(void)c;
	((struct csv_ends *)ud)->ended = true;
}

static int lf_only(unsigned char c)
{
	return c == '\n';
}

struct csv_ends *csv_ends_new(char delim)
{
	struct csv_ends *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	parser_init(&e->p, delim);
	/* Only the line end fed below ends a record; a CR inside a line is
	 * left to the mapping, which reads the record whole. */
	csv_set_term_func(&e->p, lf_only);
	csv_set_blk_size(&e->p, 1 << 16);
	return e;
}

bool csv_ends_line(struct csv_ends *e, const char *line, size_t len)
{
	e->ended = false;
	if (csv_parse(&e->p, line, len, on_field, on_end, e) < len || e->ended)
		return true; /* unreadable, or a record ended inside the line */
	if (csv_parse(&e->p, "\n", 1, on_field, on_end, e) < 1)
		return true;
	return e->ended;
}

void csv_ends_reset(struct csv_ends *e)
{
	/* csv_fini resets the parser, except with CSV_STRICT_FINI inside an
	 * open quote: drop that option for the reset. */
	csv_set_opts(&e->p, CSV_OPTIONS & ~CSV_STRICT_FINI);
	csv_fini(&e->p, NULL, NULL, NULL);
	csv_set_opts(&e->p, CSV_OPTIONS);
	e->fields = 0;
}

size_t csv_ends_fields(const struct csv_ends *e)
{
	return e->fields;
}

void csv_ends_free(struct csv_ends *e)
{
	if (!e)
		return;
	csv_free(&e->p);
	free(e);
}
