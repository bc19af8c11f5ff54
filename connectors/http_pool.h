/*
 * http_pool.h - HTTP POSTs in parallel over libcurl's multi interface, for
 * the sink backends that speak HTTP (sink_http.c: a webhook; sink_zgw.c:
 * the ZGW Zaken API).
 *
 * A pool has a fixed number of slots, each one request at a time, with TLS
 * verification on, a connect and a total timeout.  A finished request is
 * classified the way every HTTP sink classifies: 2xx delivered; 408, 429,
 * 5xx, a timeout or a connection that fails or breaks: try again (not
 * before the answer's Retry-After, in seconds); any other status: failed
 * for good, with the status and the start of the answer in the reason.
 */
#ifndef VR_HTTP_POOL_H
#define VR_HTTP_POOL_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sink_int.h"

struct http_pool;

struct http_pool_conf {
	long connect_timeout_ms;   /* 0: 5,000 */
	long timeout_ms;           /* the whole request; 0: 30,000 */
	int slots;                 /* requests in flight at most; 0: 16 */
	const char *ca_file;       /* extra CA bundle for a private CA, or NULL */
	size_t answer_max;         /* bytes of each answer kept (0: 200) */
};

/* A finished request, as the pool hands it to its caller. */
struct http_done {
	void *ud;                  /* the caller's, from http_pool_post() */
	uint64_t tag;              /* the same */
	enum sink_outcome outcome; /* SINK_DELIVERED, SINK_RETRY or SINK_FAILED */
	long status;               /* the HTTP status; 0 without an answer */
	double retry_after;        /* seconds the receiver asked for; 0: none */
	const char *body;          /* the answer's first answer_max bytes, NUL-ended */
	size_t len;
	bool truncated;            /* the answer was longer */
	const char *why;           /* for a retry or a failure: what happened */
};

typedef void (*http_done_fn)(void *ctx, const struct http_done *d);

/* NULL with err when libcurl cannot be set up or memory is short. */
struct http_pool *http_pool_new(const struct http_pool_conf *c, char *err, size_t errlen);
void http_pool_free(struct http_pool *p);

/* Requests in flight. */
int http_pool_inflight(const struct http_pool *p);

/*
 * POST body[0, len) to url with the header lines hdrs (the pool owns the
 * list from here on, and frees it, also on failure).  body must stay valid
 * until the request's http_done.  ud and tag come back with it.  VR_OK;
 * VR_EAGAIN when every slot is taken; VR_EIO when libcurl refuses (why
 * says so).
 */
int http_pool_post(struct http_pool *p, const char *url, struct curl_slist *hdrs,
		   const void *body, size_t len, void *ud, uint64_t tag, char *why,
		   size_t whylen);

/* Drive the requests for up to wait_ms (0: what is ready), calling fn for
 * each one that finished.  The answer is wiped after fn: it may echo what
 * was sent. */
void http_pool_poll(struct http_pool *p, long wait_ms, http_done_fn fn, void *ctx);

/* Does u start with http:// or https:// (the schemes the pool speaks)? */
bool http_is_url(const char *u);

/* Append a header line to l; *ok turns false when memory is short (l is
 * then returned unchanged). */
struct curl_slist *http_header(struct curl_slist *l, const char *line, bool *ok);

/*
 * The first line of a secret text file (a bearer token, a shared secret)
 * into out[max], with no line end: its length, or 0 with err naming the
 * file (never its contents).  Only the printable characters a token can
 * hold are accepted.
 */
size_t http_read_secret_line(const char *path, const char *what, char *out, size_t max,
			     char *err, size_t errlen);

#endif
