/*
 * sink_file.c - JSON lines to a file or stdout (sink_file.h).
 *
 * Lines are buffered and written in blocks of at least SINK_FILE_BLOCK
 * bytes, and by sink_flush(); a failed write is permanent (the path and
 * errno in sink_error()), as a disk that refused a line must not be
 * written past: the caller stops without committing.  "Delivered" means
 * in the buffer; the caller flushes before it commits what the lines
 * stand for.
 */
#include "sink_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonw.h"
#include "sink_int.h"
#include "vr.h"

#define SINK_FILE_BLOCK (1u << 20)
#define SINK_FILE_MAX (64u << 20)

const struct conf_key sink_file_conf_keys[] = {
	{"output", "decisions", CONF_STR, "none",
	 "file for one decision line per message (\"-\": stdout)", 0, 0},
	{"output", "cases", CONF_STR, "none", "file for one line per case (\"-\": stdout)", 0, 0},
	{NULL, NULL, 0, NULL, NULL, 0, 0},
};

struct file_sink {
	FILE *f;
	char *path;
	struct jbuf buf;
	size_t block;
	char err[512];
};

static int write_out(struct file_sink *fs, size_t at_least)
{
	if (fs->err[0])
		return VR_EIO;
	if (fs->buf.len < at_least || fs->buf.len == 0)
		return VR_OK;
	errno = 0;
	if (!jbuf_ok(&fs->buf) || jbuf_write(&fs->buf, fs->f) != 0 || fflush(fs->f) != 0) {
		snprintf(fs->err, sizeof(fs->err), "cannot write %s: %s", fs->path,
			 !jbuf_ok(&fs->buf) ? "line buffer overflow"
			 : errno ? strerror(errno) : "write error");
		return VR_EIO;
	}
	jbuf_reset(&fs->buf);
	return VR_OK;
}

static enum sink_outcome file_send(struct sink *s, const struct sink_msg *m, uint64_t ticket,
				   char *why, size_t whylen)
{
	struct file_sink *fs = sink_impl(s);
	jbuf_raw(&fs->buf, m->body, m->len);
	if (write_out(fs, fs->block) != VR_OK) {
		snprintf(why, whylen, "%s", fs->err);
		return SINK_FAILED;
	}
	return SINK_DELIVERED;
}

static int file_flush(struct sink *s, long wait_ms)
{
	return write_out(sink_impl(s), 0);
}

static const char *file_error(const struct sink *s)
{
	const struct file_sink *fs = sink_impl(s);
	return fs->err;
}

static void file_close(struct sink *s)
{
	struct file_sink *fs = sink_impl(s);
	if (fs->f && fs->f != stdout)
		fclose(fs->f);
	jbuf_fini(&fs->buf);
	free(fs->path);
	free(fs);
}

static const struct sink_ops file_ops = {
	.name = "file",
	.settles = true,
	.send = file_send,
	.flush = file_flush,
	.error = file_error,
	.close = file_close,
};

/* Where the last line end is in [0, size): its offset + 1, or 0. */
static int last_line_end(int fd, off_t size, off_t *end)
{
	char buf[65536];
	*end = 0;
	for (off_t hi = size; hi > 0;) {
		off_t lo = hi > (off_t)sizeof(buf) ? hi - (off_t)sizeof(buf) : 0;
		ssize_t n = pread(fd, buf, (size_t)(hi - lo), lo);
		if (n != hi - lo)
			return VR_EIO;
		for (ssize_t i = n - 1; i >= 0; i--)
			if (buf[i] == '\n') {
				*end = lo + i + 1;
				return VR_OK;
			}
		hi = lo;
	}
	return VR_OK;
}

int sink_file_recover(struct sink *s, size_t max_bytes,
		      void (*fn)(void *ud, const char *line, size_t len), void *ud, char *err,
		      size_t errlen)
{
	struct file_sink *fs = sink_impl(s);
	int fd = fileno(fs->f);
	struct stat st;
	off_t end;
	if (fs->f == stdout || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
		return VR_OK;
	if (last_line_end(fd, st.st_size, &end) != VR_OK)
		goto fail;
	if (end != st.st_size && ftruncate(fd, end) != 0)
		goto fail;
	off_t lo = end > (off_t)max_bytes ? end - (off_t)max_bytes : 0;
	char *buf = malloc((size_t)(end - lo) + 1);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", fs->path);
		return VR_ENOMEM;
	}
	ssize_t n = end > lo ? pread(fd, buf, (size_t)(end - lo), lo) : 0;
	if (n != end - lo) {
		free(buf);
		goto fail;
	}
	char *p = buf, *stop = buf + n;
	if (lo > 0) { /* the window starts inside a line: from the next one */
		char *nl = memchr(p, '\n', (size_t)(stop - p));
		p = nl ? nl + 1 : stop;
	}
	for (char *nl; p < stop && (nl = memchr(p, '\n', (size_t)(stop - p))); p = nl + 1)
		fn(ud, p, (size_t)(nl - p + 1));
	free(buf);
	return VR_OK;
fail:
	snprintf(err, errlen, "cannot repair %s after a stop: %s", fs->path, strerror(errno));
	return VR_EIO;
}

struct sink *sink_file_open(const char *path, const char *mode, size_t block, char *err,
			    size_t errlen)
{
	struct file_sink *fs = calloc(1, sizeof(*fs));
	struct sink *s = NULL;
	if (!fs || !(fs->path = strdup(strcmp(path, "-") == 0 ? "standard output" : path))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (strcmp(path, "-") == 0) {
		fs->f = stdout;
	} else if (!(fs->f = fopen(path, mode))) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		goto fail;
	}
	fs->block = block ? block : SINK_FILE_BLOCK;
	jbuf_init(&fs->buf, SINK_FILE_MAX);
	if (!(s = sink_new(&file_ops, fs, fs->path))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	return s;
fail:
	if (fs) {
		if (fs->f && fs->f != stdout)
			fclose(fs->f);
		jbuf_fini(&fs->buf);
		free(fs->path);
		free(fs);
	}
	return NULL;
}
