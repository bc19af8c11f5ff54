/*
 * sink_http.c - POST each message to a webhook (sink_http.h), with
 * libcurl's multi interface.
 *
 * send() starts a transfer and returns SINK_INFLIGHT; poll() and flush()
 * drive the transfers and report each outcome with sink_outcome().  A
 * message's bytes stay valid until its outcome is reported (sink_int.h),
 * so the body is handed to libcurl without a copy.  Every transfer has a
 * slot of its own (handle, header list, the start of the answer); a full
 * pool answers SINK_BUSY.
 */
#include "sink_http.h"

#include <ctype.h>
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "keyfile.h"
#include "sink_int.h"
#include "vr.h"

#define ANSWER_MAX 200     /* bytes of the receiver's answer kept for a reason */
#define TOKEN_MAX 4096

struct xfer {
	CURL *h;
	struct curl_slist *hdrs;
	uint64_t ticket;
	bool busy;
	long retry_after;      /* seconds, from the answer's Retry-After; -1 none */
	char answer[ANSWER_MAX + 1];
	size_t answer_len;
};

struct http_sink {
	CURLM *multi;
	char *url;
	char *ca_file;
	unsigned char secret[KEYFILE_MAX];
	size_t secret_len;
	char *auth;            /* "Authorization: Bearer ..." or NULL */
	long connect_ms, total_ms;
	int n, inflight;
	struct xfer *x;
	char err[256];
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * n, room = ANSWER_MAX - x->answer_len;
	memcpy(x->answer + x->answer_len, p, len < room ? len : room);
	x->answer_len += len < room ? len : room;
	return len;
}

/* Retry-After in seconds (the HTTP-date form is not used by webhooks we
 * know; it is read as none, and the backoff applies). */
static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * n;
	static const char name[] = "retry-after:";
	if (len > sizeof(name) - 1 && strncasecmp(p, name, sizeof(name) - 1) == 0) {
		char v[32];
		size_t k = len - (sizeof(name) - 1);
		snprintf(v, sizeof(v), "%.*s", (int)(k < 31 ? k : 31), p + sizeof(name) - 1);
		char *end;
		long s = strtol(v, &end, 10);
		while (*end == ' ' || *end == '\r' || *end == '\n')
			end++;
		if (end != v && *end == '\0' && s >= 0 && s <= 3600)
			x->retry_after = s;
	}
	return len;
}

/* "sha256=" + hex HMAC-SHA256(secret, body). */
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

static struct curl_slist *add(struct curl_slist *l, const char *h, bool *ok)
{
	struct curl_slist *n = curl_slist_append(l, h);
	if (!n)
		*ok = false;
	return n ? n : l;
}

static bool set_headers(struct http_sink *hs, struct xfer *x, const struct sink_msg *m)
{
	char line[512];
	bool ok = true;
	x->hdrs = add(NULL, "Content-Type: application/json", &ok);
	x->hdrs = add(x->hdrs, "Expect:", &ok); /* no 100-continue round trip */
	if (m->key_len) {
		snprintf(line, sizeof(line), "Idempotency-Key: %.*s",
			 (int)(m->key_len < 256 ? m->key_len : 256), (const char *)m->key);
		x->hdrs = add(x->hdrs, line, &ok);
	}
	if (hs->secret_len) {
		if (signature(hs, m->body, m->len, line, sizeof(line)) != VR_OK)
			return false;
		x->hdrs = add(x->hdrs, line, &ok);
	}
	if (hs->auth)
		x->hdrs = add(x->hdrs, hs->auth, &ok);
	for (size_t i = 0; i < m->n_headers; i++) {
		snprintf(line, sizeof(line), "%s: %s", m->headers[i].name, m->headers[i].value);
		x->hdrs = add(x->hdrs, line, &ok);
	}
	return ok;
}

static enum sink_outcome http_send(struct sink *s, const struct sink_msg *m, uint64_t ticket,
				   char *why, size_t whylen)
{
	struct http_sink *hs = sink_impl(s);
	struct xfer *x = NULL;
	for (int i = 0; i < hs->n && !x; i++)
		if (!hs->x[i].busy)
			x = &hs->x[i];
	if (!x)
		return SINK_BUSY;
	curl_easy_reset(x->h);
	x->retry_after = -1;
	x->answer_len = 0;
	x->ticket = ticket;
	if (!set_headers(hs, x, m)) {
		curl_slist_free_all(x->hdrs);
		x->hdrs = NULL;
		snprintf(why, whylen, "out of memory for the request headers");
		return SINK_RETRY;
	}
	CURL *h = x->h;
	curl_easy_setopt(h, CURLOPT_URL, hs->url);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, m->body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)m->len);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, x->hdrs);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, hs->connect_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, hs->total_ms);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (hs->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, hs->ca_file);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(h, CURLOPT_PRIVATE, x);
	if (curl_multi_add_handle(hs->multi, h) != CURLM_OK) {
		curl_slist_free_all(x->hdrs);
		x->hdrs = NULL;
		snprintf(why, whylen, "cannot start the request");
		return SINK_RETRY;
	}
	x->busy = true;
	hs->inflight++;
	return SINK_INFLIGHT;
}

/* The start of the receiver's answer, printable, for a reason. */
static void excerpt(const struct xfer *x, char *out, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < x->answer_len && k + 1 < n; i++)
		out[k++] = isprint((unsigned char)x->answer[i]) ? x->answer[i] : ' ';
	out[k] = '\0';
}

/* A finished transfer: its outcome to sink.c, its slot free again. */
static void finish(struct sink *s, struct http_sink *hs, struct xfer *x, CURLcode rc)
{
	char why[400], body[ANSWER_MAX + 1];
	long status = 0;
	enum sink_outcome o;
	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
	curl_multi_remove_handle(hs->multi, x->h);
	curl_slist_free_all(x->hdrs);
	x->hdrs = NULL;
	x->busy = false;
	hs->inflight--;
	if (rc != CURLE_OK) {
		o = SINK_RETRY;
		snprintf(why, sizeof(why), "%s", curl_easy_strerror(rc));
	} else if (status >= 200 && status < 300) {
		o = SINK_DELIVERED;
		why[0] = '\0';
	} else {
		excerpt(x, body, sizeof(body));
		o = status == 408 || status == 429 || status >= 500 ? SINK_RETRY : SINK_FAILED;
		snprintf(why, sizeof(why), "HTTP %ld%s%s", status, body[0] ? ": " : "", body);
	}
	double after = o == SINK_RETRY && x->retry_after >= 0 ? (double)x->retry_after : 0;
	sink_outcome_after(s, x->ticket, o, why, after);
}

static void http_poll(struct sink *s, long wait_ms)
{
	struct http_sink *hs = sink_impl(s);
	int running = 0, left = 0;
	CURLMsg *msg;
	curl_multi_perform(hs->multi, &running);
	if (wait_ms > 0 && hs->inflight) {
		curl_multi_poll(hs->multi, NULL, 0, (int)wait_ms, NULL);
		curl_multi_perform(hs->multi, &running);
	}
	while ((msg = curl_multi_info_read(hs->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		struct xfer *x = NULL;
		CURLcode rc = msg->data.result;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		if (x)
			finish(s, hs, x, rc);
	}
}

static int http_flush(struct sink *s, long wait_ms)
{
	struct http_sink *hs = sink_impl(s);
	double until = vr_mono_now() + (double)wait_ms / 1000;
	while (hs->inflight && vr_mono_now() < until)
		http_poll(s, 50);
	return hs->inflight ? VR_EAGAIN : VR_OK;
}

static const char *http_error(const struct sink *s)
{
	return ((const struct http_sink *)sink_impl(s))->err;
}

static void free_impl(struct http_sink *hs)
{
	if (!hs)
		return;
	for (int i = 0; hs->x && i < hs->n; i++) {
		if (hs->x[i].busy)
			curl_multi_remove_handle(hs->multi, hs->x[i].h);
		curl_slist_free_all(hs->x[i].hdrs);
		curl_easy_cleanup(hs->x[i].h);
	}
	if (hs->multi)
		curl_multi_cleanup(hs->multi);
	free(hs->x);
	free(hs->url);
	free(hs->ca_file);
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
	FILE *f = fopen(path, "r");
	char tok[TOKEN_MAX];
	if (!f) {
		snprintf(err, n, "cannot read the token file %s", path);
		return VR_EIO;
	}
	bool got = fgets(tok, sizeof(tok), f) != NULL;
	fclose(f);
	size_t len = got ? strcspn(tok, "\r\n") : 0;
	tok[len] = '\0';
	if (len == 0 || strspn(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				    "0123456789-._~+/=") != len) {
		OPENSSL_cleanse(tok, sizeof(tok));
		snprintf(err, n, "%s: not a bearer token on its first line", path);
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
	if (!c->url || (strncmp(c->url, "http://", 7) != 0 && strncmp(c->url, "https://", 8) != 0)) {
		snprintf(err, n, "url must start with http:// or https://");
		return VR_EINVAL;
	}
	if (c->secret_file &&
	    !(hs->secret_len = keyfile_read(c->secret_file, "secret", 16, sizeof(hs->secret),
					    hs->secret, err, n)))
		return VR_EINVAL;
	if (c->token_file && read_token(hs, c->token_file, err, n) != VR_OK)
		return VR_EINVAL;
	hs->connect_ms = c->connect_timeout_ms > 0 ? c->connect_timeout_ms : 5000;
	hs->total_ms = c->timeout_ms > 0 ? c->timeout_ms : 30000;
	hs->n = c->max_inflight > 0 ? c->max_inflight : 16;
	hs->url = strdup(c->url);
	hs->ca_file = c->ca_file ? strdup(c->ca_file) : NULL;
	hs->multi = curl_multi_init();
	hs->x = calloc((size_t)hs->n, sizeof(*hs->x));
	if (!hs->url || (c->ca_file && !hs->ca_file) || !hs->multi || !hs->x) {
		snprintf(err, n, "out of memory");
		return VR_ENOMEM;
	}
	for (int i = 0; i < hs->n; i++)
		if (!(hs->x[i].h = curl_easy_init())) {
			snprintf(err, n, "cannot set up libcurl");
			return VR_ENOMEM;
		}
	return VR_OK;
}

struct sink *sink_http_open(const struct sink_http_conf *c, const char *name, char *err,
			    size_t errlen)
{
	static bool curl_ready;
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			snprintf(err, errlen, "cannot set up libcurl");
			return NULL;
		}
		curl_ready = true;
	}
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
