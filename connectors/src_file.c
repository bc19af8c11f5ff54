/* src_file.c - batched line reader over a file or stdin. */
#include "src_file.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mapping.h"
#include "signal.h"
#include "vr.h"

#define SRC_BLOCK (4u << 20)

struct src_file {
	FILE *fp;
	bool is_stdin;
	bool eof;
	char *name;
	char *buf;
	size_t cap, pos, end;  /* unread bytes are buf[pos, end) */
	long line;
	uint64_t consumed, size;
	char term;             /* the line end: '\n' (LF, CRLF) or '\r' (CR alone); 0 not known yet */
	struct csv_ends *csv;  /* CSV records, which may span lines; NULL: one line each */
	size_t csv_fields;     /* fields of the first CSV record; 0 before it */
};

struct src_file *src_file_open(const char *path, char *err, size_t errlen)
{
	struct src_file *f = calloc(1, sizeof(*f));
	if (!f)
		goto out_nomem;
	f->is_stdin = strcmp(path, "-") == 0;
	f->name = strdup(f->is_stdin ? "stdin" : path);
	f->cap = SRC_BLOCK + SIG_LINE_MAX + 1;
	f->buf = malloc(f->cap);
	if (!f->name || !f->buf)
		goto out_nomem;
	f->fp = f->is_stdin ? stdin : fopen(path, "rb");
	if (!f->fp) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		src_file_close(f);
		return NULL;
	}
	struct stat st;
	if (fstat(fileno(f->fp), &st) == 0 && S_ISREG(st.st_mode))
		f->size = (uint64_t)st.st_size;
	return f;

out_nomem:
	src_file_close(f);
	snprintf(err, errlen, "out of memory");
	return NULL;
}

void src_file_close(struct src_file *f)
{
	if (!f)
		return;
	if (f->fp && !f->is_stdin)
		fclose(f->fp);
	csv_ends_free(f->csv);
	free(f->buf);
	free(f->name);
	free(f);
}

int src_file_set_csv(struct src_file *f, char delim)
{
	if (!(f->csv = csv_ends_new(delim)))
		return VR_ENOMEM;
	return VR_OK;
}

uint64_t src_file_offset(const struct src_file *f)
{
	return f->consumed;
}

uint64_t src_file_size(const struct src_file *f)
{
	return f->size;
}

/* Move unread bytes to the front and read more; VR_EIO on a read error. */
static int refill(struct src_file *f)
{
	if (f->pos) {
		memmove(f->buf, f->buf + f->pos, f->end - f->pos);
		f->end -= f->pos;
		f->pos = 0;
	}
	if (f->eof || f->end == f->cap)
		return VR_OK;
	size_t n = fread(f->buf + f->end, 1, f->cap - f->end, f->fp);
	f->end += n;
	if (n == 0) {
		if (ferror(f->fp))
			return VR_EIO;
		f->eof = true;
	}
	/* The first block decides how lines end: a file with a line feed
	 * uses it (LF, CRLF: the CR is dropped from the line), one with
	 * carriage returns only (old Mac exports) ends lines with CR. */
	if (!f->term && (f->end > f->pos || f->eof)) {
		const char *b = f->buf + f->pos;
		size_t k = f->end - f->pos;
		f->term = !memchr(b, '\n', k) && memchr(b, '\r', k) ? '\r' : '\n';
	}
	return VR_OK;
}

/* Discard the rest of an overlong line; returns its full length. */
static long skip_long_line(struct src_file *f, size_t have, int *rc)
{
	size_t total = have;
	f->pos = f->end = 0;
	for (;;) {
		if ((*rc = refill(f)) != VR_OK)
			return 0;
		if (f->end == 0)
			return (long)total;
		char *nl = memchr(f->buf, f->term, f->end);
		if (nl) {
			total += (size_t)(nl - f->buf);
			f->pos = (size_t)(nl - f->buf) + 1;
			f->consumed += total + 1;
			return (long)total;
		}
		total += f->end;
		f->pos = f->end;
	}
}

static struct engine_rec rec_at(const char *data, size_t len, const char *name, long line)
{
	return (struct engine_rec){.data = data, .len = len, .source = name, .pos = line};
}

static bool is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

static long next_lines(struct src_file *f, struct engine_rec *recs, size_t max)
{
	size_t n = 0;
	int rc;

	while (n < max) {
		char *start = f->buf + f->pos;
		char *nl = f->term ? memchr(start, f->term, f->end - f->pos) : NULL;
		size_t len;
		if (nl) {
			len = (size_t)(nl - start);
			f->pos += len + 1;
			f->consumed += len + 1;
		} else if (f->eof) {
			len = f->end - f->pos;
			if (len == 0)
				break;
			f->pos = f->end;
			f->consumed += len;
		} else if (n > 0) {
			break; /* hand out what we have before moving the buffer */
		} else if (f->pos == 0 && f->end == f->cap) {
			long total = skip_long_line(f, f->end, &rc);
			if (rc != VR_OK)
				return VR_EIO;
			f->line++;
			recs[n++] = rec_at(f->buf, (size_t)total, f->name, f->line);
			break;
		} else {
			if ((rc = refill(f)) != VR_OK)
				return VR_EIO;
			continue;
		}
		f->line++;
		if (len && start[len - 1] == '\r')
			len--;
		if (is_blank(start, len))
			continue;
		recs[n++] = rec_at(start, len, f->name, f->line);
	}
	return (long)n;
}

/* ---- CSV records -------------------------------------------------------- */

enum { REC_ONE, REC_END, REC_MORE, REC_LONG_LINE };

/*
 * The line at q, without its line end (nor the CR of a CRLF): false when
 * the buffer holds no whole line and more input may come.  At the end of
 * the input *next == q.
 */
static bool line_at(const struct src_file *f, size_t q, size_t *len, size_t *next)
{
	const char *s = f->buf + q;
	const char *nl = f->term ? memchr(s, f->term, f->end - q) : NULL;
	if (nl)
		*next = (size_t)(nl - f->buf) + 1;
	else if (f->eof)
		*next = f->end;
	else
		return false;
	*len = (size_t)((nl ? nl : f->buf + f->end) - s);
	if (*len && s[*len - 1] == '\r')
		(*len)--;
	return true;
}

/* Hand out buf[f->pos, end) as a record of `lines` lines; read up to next. */
static void take(struct src_file *f, size_t end, size_t next, long lines,
		 struct engine_rec *rec)
{
	*rec = rec_at(f->buf + f->pos, end - f->pos, f->name, f->line + 1);
	f->consumed += next - f->pos;
	f->pos = next;
	f->line += lines;
}

/*
 * One CSV record: its lines until the quotes close (csv_ends_line).  Lines
 * joined by a quoted line break must give a whole record (as many fields
 * as the file's first record); when they do not, or a quote is still open
 * at the end of the input or after SIG_LINE_MAX bytes, the record is its
 * first line alone (the mapping rejects it) and reading goes on at the
 * next line, so one stray quote costs one row, not the rows after it.
 */
static int csv_record(struct src_file *f, struct engine_rec *rec)
{
	size_t q = f->pos, len, next, end = 0, first_end = 0, first_next = 0;
	long lines = 0;

	csv_ends_reset(f->csv);
	for (;;) {
		if (!line_at(f, q, &len, &next)) {
			if (f->pos > 0 || f->end < f->cap)
				return REC_MORE;
			if (lines == 0)
				return REC_LONG_LINE;
			break; /* longer than the buffer: the first line alone */
		}
		if (next == q) /* the end of the input, inside a quote */
			break;
		if (lines == 0 && is_blank(f->buf + q, len)) {
			f->consumed += next - q; /* blank lines between records */
			f->pos = q = next;
			f->line++;
			continue;
		}
		lines++;
		end = q + len;
		if (lines == 1) {
			first_end = end;
			first_next = next;
		}
		if (csv_ends_line(f->csv, f->buf + q, len)) {
			size_t fields = csv_ends_fields(f->csv);
			if (!f->csv_fields)
				f->csv_fields = fields;
			else if (lines > 1 && fields != f->csv_fields)
				break;
			take(f, end, next, lines, rec);
			return REC_ONE;
		}
		if (next - f->pos > SIG_LINE_MAX)
			break;
		q = next;
	}
	if (lines == 0)
		return REC_END;
	take(f, first_end, first_next, 1, rec);
	return REC_ONE;
}

static long next_csv(struct src_file *f, struct engine_rec *recs, size_t max)
{
	size_t n = 0;
	int rc;

	while (n < max) {
		switch (csv_record(f, &recs[n])) {
		case REC_ONE:
			n++;
			continue;
		case REC_END:
			return (long)n;
		case REC_LONG_LINE: {
			long total = skip_long_line(f, f->end, &rc);
			if (rc != VR_OK)
				return VR_EIO;
			f->line++;
			recs[n++] = rec_at(f->buf, (size_t)total, f->name, f->line);
			return (long)n;
		}
		default: /* REC_MORE */
			if (n > 0)
				return (long)n; /* hand out what we have before moving the buffer */
			if ((rc = refill(f)) != VR_OK)
				return VR_EIO;
		}
	}
	return (long)n;
}

long src_file_next(struct src_file *f, struct engine_rec *recs, size_t max)
{
	return f->csv ? next_csv(f, recs, max) : next_lines(f, recs, max);
}
