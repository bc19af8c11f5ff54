/* src_file.c - batched line reader over a file or stdin. */
#include "src_file.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
	free(f->buf);
	free(f->name);
	free(f);
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

static bool is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

long src_file_next(struct src_file *f, struct engine_rec *recs, size_t max)
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
			recs[n++] = (struct engine_rec){f->buf, (size_t)total, f->name, f->line, NULL, NULL};
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
		recs[n++] = (struct engine_rec){start, len, f->name, f->line, NULL, NULL};
	}
	return (long)n;
}
