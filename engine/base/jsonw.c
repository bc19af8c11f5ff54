/* jsonw.c - JSON output helpers. */
#include "jsonw.h"

#include <stdlib.h>
#include <string.h>

void jbuf_init(struct jbuf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

void jbuf_fini(struct jbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static bool jbuf_grow(struct jbuf *b, size_t n)
{
	if (b->overflow)
		return false;
	if (b->len + n <= b->cap)
		return true;
	if (b->len + n > b->max) {
		b->overflow = true;
		return false;
	}
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + n)
		cap *= 2;
	if (cap > b->max)
		cap = b->max;
	char *p = realloc(b->p, cap);
	if (!p) {
		b->overflow = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

bool jbuf_reserve(struct jbuf *b, size_t n)
{
	return jbuf_grow(b, n);
}

void jbuf_raw(struct jbuf *b, const char *s, size_t n)
{
	if (!jbuf_grow(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

void jbuf_lit(struct jbuf *b, const char *s)
{
	jbuf_raw(b, s, strlen(s));
}

/* Bytes that JSON strings cannot hold as they are. */
static bool needs_escape(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\';
}

void jbuf_str(struct jbuf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = strlen(s), plain = 0;

	while (plain < n && !needs_escape((unsigned char)s[plain]))
		plain++;
	if (plain == n) { /* the common case: copy as is */
		if (!jbuf_grow(b, n + 2))
			return;
		b->p[b->len] = '"';
		memcpy(b->p + b->len + 1, s, n);
		b->p[b->len + 1 + n] = '"';
		b->len += n + 2;
		return;
	}
	/* Worst case every byte becomes \u00XX. */
	if (!jbuf_grow(b, 6 * n + 2))
		return;
	char *o = b->p + b->len;
	*o++ = '"';
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned char c = *p;
		if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = (char)c;
		} else if (c == '\n') {
			*o++ = '\\', *o++ = 'n';
		} else if (c == '\t') {
			*o++ = '\\', *o++ = 't';
		} else if (c == '\r') {
			*o++ = '\\', *o++ = 'r';
		} else if (c < 0x20) {
			memcpy(o, "\\u00", 4);
			o[4] = hex[c >> 4];
			o[5] = hex[c & 15];
			o += 6;
		} else {
			*o++ = (char)c;
		}
	}
	*o++ = '"';
	b->len = (size_t)(o - b->p);
}

void jbuf_int(struct jbuf *b, long long v)
{
	char tmp[24];
	char *o = tmp + sizeof(tmp);
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do {
		*--o = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--o = '-';
	jbuf_raw(b, o, (size_t)(tmp + sizeof(tmp) - o));
}

void jbuf_bool(struct jbuf *b, bool v)
{
	jbuf_lit(b, v ? "true" : "false");
}

void jbuf_date(struct jbuf *b, vr_date d)
{
	char buf[VR_DATE_STRLEN + 2];
	if (d == VR_DATE_NONE) {
		jbuf_lit(b, "null");
		return;
	}
	buf[0] = '"';
	date_format(d, buf + 1);
	buf[11] = '"';
	jbuf_raw(b, buf, 12);
}

void jbuf_key(struct jbuf *b, const char *key, bool *first)
{
	size_t n = strlen(key);
	if (!jbuf_grow(b, n + 4))
		return;
	char *o = b->p + b->len;
	if (!*first)
		*o++ = ',';
	*first = false;
	*o++ = '"';
	memcpy(o, key, n);
	o += n;
	*o++ = '"';
	*o++ = ':';
	b->len = (size_t)(o - b->p);
}

int jbuf_write(const struct jbuf *b, FILE *f)
{
	if (b->len && fwrite(b->p, 1, b->len, f) != b->len)
		return -1;
	return 0;
}

int jbuf_flush(struct jbuf *b, FILE *f, size_t at_least)
{
	if (!f || b->len < at_least)
		return 0;
	if (!jbuf_ok(b) || jbuf_write(b, f) != 0 || fflush(f) != 0)
		return -1;
	jbuf_reset(b);
	return 0;
}

void jbuf_skey(struct jbuf *b, const char *key, bool *first)
{
	if (!*first)
		jbuf_raw(b, ",", 1);
	*first = false;
	jbuf_str(b, key);
	jbuf_raw(b, ":", 1);
}
