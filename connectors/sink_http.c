/*
 * sink_http.c - POST each message to a webhook (sink_http.h), through the
 * HTTP pool (http_pool.h: libcurl's multi interface).
 *
 * send() starts a request and returns SINK_INFLIGHT; poll() and flush()
 * drive the requests and report each outcome with sink_outcome().  A
 * message's bytes stay valid until its outcome is reported (sink_int.h),
 * so the body is handed to libcurl without a copy.  A full pool answers
 * SINK_BUSY.
 */
#include "sink_http.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_pool.h"
#include "keyfile.h"
#include "vr.h"

#define TOKEN_MAX 4096

struct http_sink {
	struct http_pool *pool;
	char *url;
	unsigned char secret[KEYFILE_MAX];
	size_t secret_len;
	char *auth;            /* "Authorization: Bearer ..." or NULL */
	char err[256];
};

/* "X-Vroeg-Signature: sha256=" + hex HMAC-SHA256(secret, body). */
static int signature(const struct http_sink *hs, const void *body, size_t len, char *out,
		     size_t outlen)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (!HMAC(EVP_sha256(), hs->secret, (int)hs->secret_len, body, len, md, &mdlen))
		return VR_EIO;
	int k = snprintf(out, outlen, "X-Vroeg-Signature: sha256=");
	for (unsigned i = 0; i < mdlen && (size_t)k + 3 < outlen; i++)
		k += snprintf(out + k, outlen - (size_t)k, "%02x", md[i]);
	return VR_OK;
}

static struct curl_slist *headers(struct http_sink *hs, const struct sink_msg *m)
{
	char line[512];
	bool ok = true;
	struct curl_slist *l = http_header(NULL, "Content-Type: application/json", &ok);
	l = http_header(l, "Expect:", &ok); /* no 100-continue round trip */
	if (m->key_len) {
		snprintf(line, sizeof(line), "Idempotency-Key: %.*s",
			 (int)(m->key_len < 256 ? m->key_len : 256), (const char *)m->key);
		l = http_header(l, line, &ok);
	}
	if (hs->secret_len) {
		ok &= signature(hs, m->body, m->len, line, sizeof(line)) == VR_OK;
		l = http_header(l, line, &ok);
	}
	if (hs->auth)
		l = http_header(l, hs->auth, &ok);
	for (size_t i = 0; i < m->n_headers; i++) {
		snprintf(line, sizeof(line), "%s: %s", m->headers[i].name, m->headers[i].value);
		l = http_header(l, line, &ok);
	}
	if (!ok) {
		curl_slist_free_all(l);
		return NULL;
	}
	return l;
}

static enum sink_outcome http_send(struct sink *s, const struct sink_msg *m, uint64_t ticket,
				   char *why, size_t whylen)
{
	struct http_sink *hs = sink_impl(s);
	struct curl_slist *l = headers(hs, m);
	if (!l) {
		snprintf(why, whylen, "out of memory for the request headers");
		return SINK_RETRY;
	}
	int rc = http_pool_post(hs->pool, hs->url, l, m->body, m->len, NULL, ticket, why, whylen);
	return rc == VR_OK ? SINK_INFLIGHT : rc == VR_EAGAIN ? SINK_BUSY : SINK_RETRY;
}

static void on_done(void *ctx, const struct http_done *d)
{
	sink_outcome_after(ctx, d->tag, d->outcome, d->why, d->retry_after);
}

static void http_poll(struct sink *s, long wait_ms)
{
	struct http_sink *hs = sink_impl(s);
	http_pool_poll(hs->pool, wait_ms, on_done, s);
}

static int http_flush(struct sink *s, long wait_ms)
{
	struct http_sink *hs = sink_impl(s);
	double until = vr_mono_now() + (double)wait_ms / 1000;
	while (http_pool_inflight(hs->pool) && vr_mono_now() < until)
		http_poll(s, 50);
	return http_pool_inflight(hs->pool) ? VR_EAGAIN : VR_OK;
}

static const char *http_error(const struct sink *s)
{
	return ((const struct http_sink *)sink_impl(s))->err;
}

static void free_impl(struct http_sink *hs)
{
	if (!hs)
		return;
	http_pool_free(hs->pool);
	free(hs->url);
	if (hs->auth) {
		OPENSSL_cleanse(hs->auth, strlen(hs->auth));
		free(hs->auth);
	}
	OPENSSL_cleanse(hs->secret, sizeof(hs->secret));
	free(hs);
}

static void http_close(struct sink *s)
{
	free_impl(sink_impl(s));
}

static const struct sink_ops http_ops = {
	.name = "http",
	.settles = false,
	.send = http_send,
	.poll = http_poll,
	.flush = http_flush,
	.error = http_error,
	.close = http_close,
};

/* "Authorization: Bearer <the token file's first line>". */
static int read_token(struct http_sink *hs, const char *path, char *err, size_t n)
{
	char tok[TOKEN_MAX];
	size_t len = http_read_secret_line(path, "bearer token", tok, sizeof(tok), err, n);
	if (len && strspn(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			       "0123456789-._~+/=") != len) {
		snprintf(err, n, "%s: not a bearer token on its first line", path);
		len = 0;
	}
	if (!len) {
		OPENSSL_cleanse(tok, sizeof(tok));
		return VR_EINVAL;
	}
	size_t cap = len + 32;
	hs->auth = malloc(cap);
	if (hs->auth)
		snprintf(hs->auth, cap, "Authorization: Bearer %s", tok);
	OPENSSL_cleanse(tok, sizeof(tok));
	return hs->auth ? VR_OK : VR_ENOMEM;
}

static int setup(struct http_sink *hs, const struct sink_http_conf *c, char *err, size_t n)
{
	if (!http_is_url(c->url)) {
		snprintf(err, n, "url must start with http:// or https://");
		return VR_EINVAL;
	}
	if (c->secret_file &&
	    !(hs->secret_len = keyfile_read(c->secret_file, "secret", 16, sizeof(hs->secret),
					    hs->secret, err, n)))
		return VR_EINVAL;
	if (c->token_file && read_token(hs, c->token_file, err, n) != VR_OK)
		return VR_EINVAL;
	struct http_pool_conf pc = {c->connect_timeout_ms, c->timeout_ms, c->max_inflight,
				    c->ca_file, 0};
	if (!(hs->pool = http_pool_new(&pc, err, n)))
		return VR_ENOMEM;
	if (!(hs->url = strdup(c->url))) {
		snprintf(err, n, "out of memory");
		return VR_ENOMEM;
	}
	return VR_OK;
}

struct sink *sink_http_open(const struct sink_http_conf *c, const char *name, char *err,
			    size_t errlen)
{
	struct http_sink *hs = calloc(1, sizeof(*hs));
	if (!hs) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (setup(hs, c, err, errlen) != VR_OK) {
		free_impl(hs);
		return NULL;
	}
	struct sink *s = sink_new(&http_ops, hs, name ? name : "http");
	if (!s) {
		free_impl(hs);
		snprintf(err, errlen, "out of memory");
	}
	return s;
}
