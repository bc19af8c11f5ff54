/* http_pool.c - HTTP POSTs in parallel over libcurl's multi interface
 * (http_pool.h). */
#include "http_pool.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vr.h"

struct slot {
	CURL *h;
	struct curl_slist *hdrs;
	void *ud;
	uint64_t tag;
	bool busy;
	long retry_after;      /* seconds, from the answer's Retry-After; -1 none */
	char *answer;          /* answer_max + 1 bytes */
	size_t answer_len;
	bool truncated;
};

struct http_pool {
	CURLM *multi;
	char *ca_file;
	long connect_ms, total_ms;
	size_t answer_max;
	int n, inflight;
	struct slot *s;
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct slot *x = ud;
	struct http_pool *pool;
	curl_easy_getinfo(x->h, CURLINFO_PRIVATE, (char **)&pool);
	size_t len = size * n, room = pool->answer_max - x->answer_len;
	size_t k = len < room ? len : room;
	memcpy(x->answer + x->answer_len, p, k);
	x->answer_len += k;
	x->truncated |= k < len;
	return len;
}

/* Retry-After in seconds (the HTTP-date form is read as none, and the
 * backoff applies). */
static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct slot *x = ud;
	size_t len = size * n;
	static const char name[] = "retry-after:";
	if (len > sizeof(name) - 1 && strncasecmp(p, name, sizeof(name) - 1) == 0) {
		char v[32];
		size_t k = len - (sizeof(name) - 1);
		snprintf(v, sizeof(v), "%.*s", (int)(k < 31 ? k : 31), p + sizeof(name) - 1);
		char *end;
		long sec = strtol(v, &end, 10);
		while (*end == ' ' || *end == '\r' || *end == '\n')
			end++;
		if (end != v && *end == '\0' && sec >= 0 && sec <= 3600)
			x->retry_after = sec;
	}
	return len;
}

bool http_is_url(const char *u)
{
	return u && (strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0);
}

struct curl_slist *http_header(struct curl_slist *l, const char *line, bool *ok)
{
	struct curl_slist *n = curl_slist_append(l, line);
	if (!n)
		*ok = false;
	return n ? n : l;
}

struct http_pool *http_pool_new(const struct http_pool_conf *c, char *err, size_t errlen)
{
	static bool curl_ready;
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			snprintf(err, errlen, "cannot set up libcurl");
			return NULL;
		}
		curl_ready = true;
	}
	struct http_pool *p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->connect_ms = c->connect_timeout_ms > 0 ? c->connect_timeout_ms : 5000;
	p->total_ms = c->timeout_ms > 0 ? c->timeout_ms : 30000;
	p->answer_max = c->answer_max > 0 ? c->answer_max : 200;
	p->n = c->slots > 0 ? c->slots : 16;
	p->ca_file = c->ca_file ? strdup(c->ca_file) : NULL;
	p->multi = curl_multi_init();
	p->s = calloc((size_t)p->n, sizeof(*p->s));
	bool ok = p->multi && p->s && (!c->ca_file || p->ca_file);
	for (int i = 0; ok && i < p->n; i++)
		ok = (p->s[i].h = curl_easy_init()) && (p->s[i].answer = malloc(p->answer_max + 1));
	if (!ok) {
		http_pool_free(p);
		snprintf(err, errlen, "cannot set up libcurl (out of memory)");
		return NULL;
	}
	return p;
}

void http_pool_free(struct http_pool *p)
{
	if (!p)
		return;
	for (int i = 0; p->s && i < p->n; i++) {
		if (p->s[i].busy)
			curl_multi_remove_handle(p->multi, p->s[i].h);
		curl_slist_free_all(p->s[i].hdrs);
		curl_easy_cleanup(p->s[i].h);
		free(p->s[i].answer);
	}
	if (p->multi)
		curl_multi_cleanup(p->multi);
	free(p->s);
	free(p->ca_file);
	free(p);
}

int http_pool_inflight(const struct http_pool *p)
{
	return p->inflight;
}

int http_pool_post(struct http_pool *p, const char *url, struct curl_slist *hdrs,
		   const void *body, size_t len, void *ud, uint64_t tag, char *why,
		   size_t whylen)
{
	struct slot *x = NULL;
	for (int i = 0; i < p->n && !x; i++)
		if (!p->s[i].busy)
			x = &p->s[i];
	if (!x) {
		curl_slist_free_all(hdrs);
		return VR_EAGAIN;
	}
	CURL *h = x->h;
	curl_easy_reset(h);
	x->hdrs = hdrs;
	x->ud = ud;
	x->tag = tag;
	x->retry_after = -1;
	x->answer_len = 0;
	x->truncated = false;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, x->hdrs);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, p->connect_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, p->total_ms);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (p->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, p->ca_file);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(h, CURLOPT_PRIVATE, p);
	if (curl_multi_add_handle(p->multi, h) != CURLM_OK) {
		curl_slist_free_all(x->hdrs);
		x->hdrs = NULL;
		snprintf(why, whylen, "cannot start the request");
		return VR_EIO;
	}
	x->busy = true;
	p->inflight++;
	return VR_OK;
}

/* The start of the answer, printable, for a reason. */
static void excerpt(const struct slot *x, char *out, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < x->answer_len && i < 200 && k + 1 < n; i++)
		out[k++] = isprint((unsigned char)x->answer[i]) ? x->answer[i] : ' ';
	out[k] = '\0';
}

/* A finished request: classified, to the caller, its slot free again. */
static void finish(struct http_pool *p, struct slot *x, CURLcode rc, http_done_fn fn,
		   void *ctx)
{
	char why[400], body[201];
	struct http_done d = {.ud = x->ud, .tag = x->tag};
	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &d.status);
	curl_multi_remove_handle(p->multi, x->h);
	curl_slist_free_all(x->hdrs);
	x->hdrs = NULL;
	x->busy = false;
	p->inflight--;
	x->answer[x->answer_len] = '\0';
	d.body = x->answer;
	d.len = x->answer_len;
	d.truncated = x->truncated;
	why[0] = '\0';
	if (rc != CURLE_OK) {
		d.outcome = SINK_RETRY;
		d.status = 0;
		snprintf(why, sizeof(why), "%s", curl_easy_strerror(rc));
	} else if (d.status >= 200 && d.status < 300) {
		d.outcome = SINK_DELIVERED;
	} else {
		excerpt(x, body, sizeof(body));
		d.outcome = d.status == 408 || d.status == 429 || d.status >= 500 ? SINK_RETRY
										 : SINK_FAILED;
		snprintf(why, sizeof(why), "HTTP %ld%s%s", d.status, body[0] ? ": " : "", body);
	}
	d.why = why;
	if (d.outcome == SINK_RETRY && x->retry_after > 0)
		d.retry_after = (double)x->retry_after;
	fn(ctx, &d);
	OPENSSL_cleanse(x->answer, x->answer_len);
	x->answer_len = 0;
}

void http_pool_poll(struct http_pool *p, long wait_ms, http_done_fn fn, void *ctx)
{
	int running = 0, left = 0;
	CURLMsg *msg;
	curl_multi_perform(p->multi, &running);
	if (wait_ms > 0 && p->inflight) {
		curl_multi_poll(p->multi, NULL, 0, (int)wait_ms, NULL);
		curl_multi_perform(p->multi, &running);
	}
	while ((msg = curl_multi_info_read(p->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		for (int i = 0; i < p->n; i++)
			if (p->s[i].busy && p->s[i].h == msg->easy_handle) {
				finish(p, &p->s[i], msg->data.result, fn, ctx);
				break;
			}
	}
}

size_t http_read_secret_line(const char *path, const char *what, char *out, size_t max,
			     char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "cannot read the %s file %s", what, path);
		return 0;
	}
	bool got = fgets(out, (int)max, f) != NULL;
	fclose(f);
	size_t len = got ? strcspn(out, "\r\n") : 0;
	out[len] = '\0';
	if (len == 0 || strspn(out, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				    "0123456789-._~+/=!#$%&*?@^") != len) {
		OPENSSL_cleanse(out, max);
		snprintf(err, errlen, "%s: not a %s on its first line", path, what);
		return 0;
	}
	return len;
}
