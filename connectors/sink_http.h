/*
 * sink_http.h - the sink family's HTTP backend (sink.h): each message's
 * body is POSTed to one URL, a webhook of a team's case system.
 *
 * Deliveries run in parallel (libcurl's multi interface, up to
 * max_inflight), with TLS verification on, a connect and a total timeout.
 * Every request carries:
 *   Content-Type: application/json
 *   Idempotency-Key: <the message's key>  (a task's task_id: a receiver
 *                    that sees it twice has the same task twice)
 *   X-Vroeg-Signature: sha256=<hex HMAC-SHA256 of the body>  (with a
 *                    secret: the receiver checks the sender and the body)
 *   Authorization: Bearer <token>  (with a token file)
 * and the message's own headers.
 *
 * The outcome is the receiver's: 2xx delivered; 408, 429, 5xx, a timeout
 * or a connection that fails or breaks: try again (sink.c's backoff, but
 * never before the receiver's Retry-After, in seconds); any other status:
 * failed for good, with the status and the start of the receiver's answer
 * in the reason (sink.c logs and counts it; the caller dead-letters it).
 */
#ifndef VR_SINK_HTTP_H
#define VR_SINK_HTTP_H

#include <stddef.h>

#include "sink.h"

struct sink_http_conf {
	const char *url;            /* http:// or https:// */
	const char *secret_file;    /* HMAC key for X-Vroeg-Signature, or NULL */
	const char *token_file;     /* bearer token, or NULL */
	long connect_timeout_ms;    /* 0: 5,000 */
	long timeout_ms;            /* the whole request; 0: 30,000 */
	int max_inflight;           /* 0: 16 */
	const char *ca_file;        /* extra CA bundle for a private CA, or NULL */
};

/* NULL and err (naming the file or option, never a secret) on failure. */
struct sink *sink_http_open(const struct sink_http_conf *c, const char *name, char *err,
			    size_t errlen);

#endif
