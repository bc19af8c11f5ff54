/* store_redis_url.c - the Redis store's URL (store_redis_int.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_redis_int.h"
#include "vr.h"

/* A host name or an IPv4 address: anything else is a mistake in the URL
 * (found at start-up, not retried as an unreachable server forever). */
#define HOST_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_"

bool redis_accepts(const char *url)
{
	return strncmp(url, "redis://", 8) == 0 || strncmp(url, "unix://", 7) == 0 ||
	       url[0] == '/';
}

/* Copy s[0, n) percent-decoded into out (len bytes with the NUL). */
static int url_part(const char *s, size_t n, char *out, size_t len)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '%') {
			unsigned v;
			if (i + 2 >= n || sscanf(s + i + 1, "%2x", &v) != 1)
				return VR_EINVAL;
			c = (char)v;
			i += 2;
		}
		if (k + 1 >= len)
			return VR_EINVAL;
		out[k++] = c;
	}
	out[k] = '\0';
	return VR_OK;
}

/* ?db=N&prefix=P&timeout=S (seconds, fractions allowed) */
static int parse_query(struct redis_store *r, const char *q, char *err, size_t errlen)
{
	while (q && *q) {
		const char *amp = strchr(q, '&');
		size_t n = amp ? (size_t)(amp - q) : strlen(q);
		char item[160], *eq;
		if (n >= sizeof(item))
			goto bad;
		memcpy(item, q, n);
		item[n] = '\0';
		if (!(eq = strchr(item, '=')))
			goto bad;
		*eq++ = '\0';
		if (!strcmp(item, "db")) {
			r->db = atoi(eq);
		} else if (!strcmp(item, "prefix")) {
			size_t pl = strlen(eq);
			if (pl == 0 || pl + 2 >= sizeof(r->prefix) || strpbrk(eq, "{} \t\r\n"))
				goto bad;
			snprintf(r->prefix, sizeof(r->prefix), "%s%s", eq,
				 eq[pl - 1] == ':' ? "" : ":");
		} else if (!strcmp(item, "timeout")) {
			double t = atof(eq);
			if (t <= 0 || t > 600)
				goto bad;
			r->timeout.tv_sec = (time_t)t;
			r->timeout.tv_usec = (suseconds_t)((t - (double)(time_t)t) * 1e6);
		} else {
			goto bad;
		}
		q = amp ? amp + 1 : NULL;
	}
	return VR_OK;
bad:
	snprintf(err, errlen, "bad store URL option near \"%.40s\" (db=N, prefix=P, timeout=S)", q);
	return VR_EINVAL;
}

int redis_parse_url(struct redis_store *r, const char *url, char *err, size_t errlen)
{
	const char *q = strchr(url, '?');
	size_t end = q ? (size_t)(q - url) : strlen(url);

	snprintf(r->prefix, sizeof(r->prefix), "vroeg:default:");
	r->connect_timeout.tv_sec = 2;
	r->timeout.tv_sec = 5;
	if (!strncmp(url, "unix://", 7) || url[0] == '/') {
		size_t skip = url[0] == '/' ? 0 : 7;
		if (url_part(url + skip, end - skip, r->host, sizeof(r->host)) || r->host[0] != '/')
			goto bad;
		r->port = 0;
		return parse_query(r, q ? q + 1 : NULL, err, errlen);
	}
	const char *p = url + 8, *stop = url + end;
	/* The last '@': a password with an '@' of its own that was not
	 * written as %40 still ends where the host begins. */
	const char *at = NULL;
	for (const char *x = p; x < stop; x++)
		if (*x == '@')
			at = x;
	if (at) {
		const char *colon = memchr(p, ':', (size_t)(at - p));
		if (!colon || url_part(p, (size_t)(colon - p), r->user, sizeof(r->user)) ||
		    url_part(colon + 1, (size_t)(at - colon - 1), r->password, sizeof(r->password)))
			goto bad;
		p = at + 1;
	}
	const char *slash = memchr(p, '/', (size_t)(stop - p));
	const char *hend = slash ? slash : stop;
	const char *colon = memchr(p, ':', (size_t)(hend - p));
	if (url_part(p, (size_t)((colon ? colon : hend) - p), r->host, sizeof(r->host)) ||
	    !r->host[0] || strspn(r->host, HOST_CHARS) != strlen(r->host))
		goto bad;
	r->port = 6379;
	if (colon) {
		char *e;
		long port = strtol(colon + 1, &e, 10);
		if (e != hend || port < 1 || port > 65535)
			goto bad;
		r->port = (int)port;
	}
	if (slash && slash + 1 < stop) {
		char *e;
		long db = strtol(slash + 1, &e, 10);
		if (e != stop || db < 0 || db > 10000)
			goto bad;
		r->db = (int)db;
	}
	return parse_query(r, q ? q + 1 : NULL, err, errlen);
bad:
	/* Never echo the URL: it may hold a password. */
	snprintf(err, errlen, "bad store URL (expected redis://[:password@]host[:port][/db] "
			      "or unix:///path)");
	return VR_EINVAL;
}
