/*
 * jsonw.h - a small JSON writer into a bounded, growable buffer.
 *
 * The output formats are fixed by docs/formats.md, so the writer is plain
 * appends with correct string escaping: no tree, no allocation per value.
 * A buffer never grows beyond its max; an append that would is dropped and
 * the buffer remembers the overflow (jbuf_ok() turns false).
 */
#ifndef VR_JSONW_H
#define VR_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "date.h"

struct jbuf {
	char *p;
	size_t len, cap, max;
	bool overflow;
};

void jbuf_init(struct jbuf *b, size_t max);
void jbuf_fini(struct jbuf *b);
static inline void jbuf_reset(struct jbuf *b)
{
	b->len = 0;
	b->overflow = false;
}
static inline bool jbuf_ok(const struct jbuf *b)
{
	return !b->overflow;
}

/* Room for n more bytes (within max): false, and overflow set, when not. */
bool jbuf_reserve(struct jbuf *b, size_t n);
void jbuf_raw(struct jbuf *b, const char *s, size_t n);
void jbuf_lit(struct jbuf *b, const char *s);   /* unescaped text */
void jbuf_str(struct jbuf *b, const char *s);   /* quoted, escaped string */
void jbuf_int(struct jbuf *b, long long v);
void jbuf_bool(struct jbuf *b, bool v);
void jbuf_date(struct jbuf *b, vr_date d);      /* "YYYY-MM-DD" or null */
/* "key": with a leading comma unless first; first is cleared.  Keys are the
 * formats' own names and are written without escaping. */
void jbuf_key(struct jbuf *b, const char *key, bool *first);

/* The same for a key that may need escaping (a name from a rule file). */
void jbuf_skey(struct jbuf *b, const char *key, bool *first);

/* Write the buffer to f; returns 0 or -1 on a write error. */
int jbuf_write(const struct jbuf *b, FILE *f);
/*
 * Once the buffer holds at least at_least bytes, write it to f, flush f and
 * empty the buffer.  Nothing to do without f.  Returns 0, or -1 when the
 * buffer overflowed or the write failed (the buffer is then kept).
 */
int jbuf_flush(struct jbuf *b, FILE *f, size_t at_least);

#endif
