/*
 * receiver.c - a webhook receiver for the HTTP sink's tests: a real HTTP
 * server (libmicrohttpd) on 127.0.0.1 that answers as told and records
 * every request.
 *
 * usage: receiver --log FILE [--port P] [--secret-file F] [--mode MODE]
 *                 [--seed S] [--hang-ms N] [--bodies FILE]
 * MODE:  ok             200 to everything (the default)
 *        status=N       N to everything
 *        flaky          30% 500, 10% hang (--hang-ms, default 3000), the rest 200
 *        retry-after=S  the first request of each Idempotency-Key gets 429 with
 *                       Retry-After: S, the next ones 200
 *        zgw            a ZGW Zaken API: POST .../zaken 20% 503 (nothing made), the
 *                       rest 201 with {"url":"<this server>/zaken/<pid>-<n>"}; POST
 *                       .../rollen 30% 500, 10% hang, the rest 201
 *        zgw-rol=N      the same, but zaken always 201 and rollen always N
 * Prints its URL (http://127.0.0.1:PORT/hook) on the first line of stdout
 * and serves until SIGTERM or SIGINT.  Each request is one line of FILE:
 *   {"t":<seconds since start>,"key":"<Idempotency-Key>","sig":<true|false|null>,
 *    "status":<answer, 0 when it hung>,"len":<body bytes>,"body":"<sha256 hex>",
 *    "at_ms":<wall clock, ms since the epoch>,"path":"<the request's path>",
 *    "made":"<zgw: the zaak URL answered, or empty>","claims":"<zgw: the JWT's
 *    claims, base64url>"}
 * In zgw mode "sig" says whether the bearer token is an HS256 JWT signed
 * with the secret.
 * "sig" says whether X-Vroeg-Signature is the HMAC-SHA256 of the body under
 * the secret (null without --secret-file).  With --bodies, the body of
 * every request answered 2xx is one more line of that file (a task sink's
 * JSON, for the schema check).
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BODY_MAX (1 << 20)

static FILE *reqlog, *bodies;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char secret[4096];
static size_t secret_len;
static int mode_status = 200, retry_after = -1, hang_ms = 3000;
static bool flaky, zgw;
static int rol_status = -1;
static unsigned port_now;
static unsigned long zaken_made;
static unsigned long long rnd = 42;
static double t0;
static char seen[4096][64]; /* keys that had their 429 (retry-after mode) */
static int n_seen;

struct req {
	char *body;
	size_t len;
	bool too_big;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void hex(const unsigned char *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

/* Does the signature header match the body? -1 when there is no secret. */
static int sig_ok(const char *sig, const struct req *r)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char want[7 + 2 * EVP_MAX_MD_SIZE + 1] = "sha256=";
	if (!secret_len)
		return -1;
	HMAC(EVP_sha256(), secret, (int)secret_len, (const unsigned char *)r->body, r->len, md,
	     &n);
	hex(md, n, want + 7);
	return sig && strcmp(sig, want) == 0;
}

static unsigned roll(void)
{
	rnd = rnd * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(rnd >> 33) % 100;
}

/* The answer for this request; 0: hang.  A zaak made: its URL in made. */
static int decide(const char *key, const char *path, char *made, size_t n)
{
	int status = mode_status;
	size_t k = strlen(path);
	pthread_mutex_lock(&lock);
	if (zgw && k >= 6 && strcmp(path + k - 6, "/zaken") == 0) {
		status = rol_status >= 0 ? 201 : roll() < 20 ? 503 : 201;
		if (status == 201)
			snprintf(made, n, "http://127.0.0.1:%u/zaken/%d-%lu", port_now, (int)getpid(),
				 ++zaken_made);
	} else if (zgw && rol_status >= 0) {
		status = rol_status;
	} else if (zgw) {
		unsigned r = roll();
		status = r < 30 ? 500 : r < 40 ? 0 : 201;
	} else if (flaky) {
		rnd = rnd * 6364136223846793005ULL + 1442695040888963407ULL;
		unsigned r = (unsigned)(rnd >> 33) % 100;
		status = r < 30 ? 500 : r < 40 ? 0 : 200;
	} else if (retry_after >= 0) {
		bool had = false;
		for (int i = 0; i < n_seen && !had; i++)
			had = key && strcmp(seen[i], key) == 0;
		status = had ? 200 : 429;
		if (!had && key && n_seen < 4096)
			snprintf(seen[n_seen++], sizeof(seen[0]), "%s", key);
	}
	pthread_mutex_unlock(&lock);
	return status;
}

/* zgw: is the bearer token an HS256 JWT signed with the secret?  Its
 * claims segment (base64url) goes to claims. */
static int jwt_ok(const char *auth, char *claims, size_t n)
{
	unsigned char md[EVP_MAX_MD_SIZE], b64[2 * EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	claims[0] = '\0';
	if (!auth || strncmp(auth, "Bearer ", 7) != 0)
		return 0;
	const char *tok = auth + 7, *d1 = strchr(tok, '.'), *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
	if (!d2 || (size_t)(d2 - d1 - 1) >= n)
		return 0;
	snprintf(claims, n, "%.*s", (int)(d2 - d1 - 1), d1 + 1);
	if (!secret_len)
		return -1;
	HMAC(EVP_sha256(), secret, (int)secret_len, (const unsigned char *)tok,
	     (size_t)(d2 - tok), md, &mdlen);
	int k = EVP_EncodeBlock(b64, md, (int)mdlen);
	while (k > 0 && b64[k - 1] == '=')
		k--;
	for (int i = 0; i < k; i++)
		b64[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : b64[i];
	return strlen(d2 + 1) == (size_t)k && memcmp(d2 + 1, b64, (size_t)k) == 0;
}

static void record(const char *key, int sig, int status, const struct req *r,
		   const char *path, const char *made, const char *claims)
{
	unsigned char md[32];
	char h[65];
	unsigned int n = 0;
	EVP_Digest(r->body ? r->body : "", r->len, md, &n, EVP_sha256(), NULL);
	hex(md, 32, h);
	pthread_mutex_lock(&lock);
	struct timespec wall;
	clock_gettime(CLOCK_REALTIME, &wall);
	fprintf(reqlog, "{\"t\":%.3f,\"key\":\"%s\",\"sig\":%s,\"status\":%d,\"len\":%zu,"
		      "\"body\":\"%s\",\"at_ms\":%lld,\"path\":\"%s\",\"made\":\"%s\","
		      "\"claims\":\"%s\"}\n",
		now() - t0, key ? key : "", sig < 0 ? "null" : sig ? "true" : "false", status,
		r->len, h, (long long)wall.tv_sec * 1000 + wall.tv_nsec / 1000000, path, made, claims);
	fflush(reqlog);
	if (bodies && status >= 200 && status < 300) {
		fwrite(r->body ? r->body : "", 1, r->len, bodies);
		fputc('\n', bodies);
		fflush(bodies);
	}
	pthread_mutex_unlock(&lock);
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *data,
			      size_t *size, void **state)
{
	struct req *r = *state;
	(void)cls, (void)url, (void)version;
	if (!r) {
		if (!(r = calloc(1, sizeof(*r))))
			return MHD_NO;
		*state = r;
		return MHD_YES;
	}
	if (*size) {
		if (r->len + *size > BODY_MAX) {
			r->too_big = true;
		} else {
			char *b = realloc(r->body, r->len + *size);
			if (!b)
				return MHD_NO;
			memcpy(b + r->len, data, *size);
			r->body = b;
			r->len += *size;
		}
		*size = 0;
		return MHD_YES;
	}
	const char *key = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Idempotency-Key");
	const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Vroeg-Signature");
	char made[128] = "", zaak[200], claims[1024] = "";
	int signed_ok = sig_ok(sig, r);
	if (zgw)
		signed_ok = jwt_ok(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization"), claims,
			    sizeof(claims));
	int status = strcmp(method, "POST") ? 405 : r->too_big ? 413 : decide(key, url, made,
										     sizeof(made));
	record(key, signed_ok, status, r, url, made, claims);
	if (status == 0) {
		struct timespec ts = {hang_ms / 1000, (long)(hang_ms % 1000) * 1000000L};
		nanosleep(&ts, NULL);
		status = 200; /* too late: the sender gave up */
	}
	static const char ok[] = "{\"ok\":true}", err[] = "{\"error\":\"try again\"}";
	const char *text = status < 300 ? ok : err;
	if (made[0]) {
		snprintf(zaak, sizeof(zaak), "{\"url\":\"%s\"}", made);
		text = zaak;
	}
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	if (status == 429) {
		char v[16];
		snprintf(v, sizeof(v), "%d", retry_after);
		MHD_add_response_header(resp, "Retry-After", v);
	}
	enum MHD_Result rc = MHD_queue_response(c, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return rc;
}

static void done(void *cls, struct MHD_Connection *c, void **state,
		 enum MHD_RequestTerminationCode code)
{
	struct req *r = *state;
	(void)cls, (void)c, (void)code;
	if (r) {
		free(r->body);
		free(r);
	}
	*state = NULL;
}

static int read_secret(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	secret_len = fread(secret, 1, sizeof(secret), f);
	fclose(f);
	return secret_len ? 0 : -1;
}

static int parse_args(int argc, char **argv, int *port, const char **log)
{
	for (int i = 1; i + 1 < argc; i += 2) {
		const char *a = argv[i], *v = argv[i + 1];
		if (strcmp(a, "--port") == 0)
			*port = atoi(v);
		else if (strcmp(a, "--log") == 0)
			*log = v;
		else if (strcmp(a, "--bodies") == 0) {
			if (!(bodies = fopen(v, "a")))
				return -1;
		} else if (strcmp(a, "--secret-file") == 0 && read_secret(v) != 0)
			return -1;
		else if (strcmp(a, "--seed") == 0)
			rnd = strtoull(v, NULL, 10);
		else if (strcmp(a, "--hang-ms") == 0)
			hang_ms = atoi(v);
		else if (strcmp(a, "--mode") == 0) {
			if (strncmp(v, "status=", 7) == 0)
				mode_status = atoi(v + 7);
			else if (strncmp(v, "retry-after=", 12) == 0)
				retry_after = atoi(v + 12);
			else if (strcmp(v, "flaky") == 0)
				flaky = true;
			else if (strcmp(v, "zgw") == 0)
				zgw = true;
			else if (strncmp(v, "zgw-rol=", 8) == 0)
				zgw = true, rol_status = atoi(v + 8);
			else if (strcmp(v, "ok") != 0)
				return -1;
		} else if (strcmp(a, "--secret-file") != 0)
			return -1;
	}
	return *log ? 0 : -1;
}

int main(int argc, char **argv)
{
	int port = 0;
	const char *log = NULL;
	if (parse_args(argc, argv, &port, &log) != 0 || !(reqlog = fopen(log, "a"))) {
		fprintf(stderr, "usage: receiver --log FILE [--port P] [--secret-file F] "
				"[--mode ok|status=N|flaky|retry-after=S|zgw|zgw-rol=N] [--seed S] [--hang-ms N]\n");
		return 2;
	}
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL); /* the server's threads inherit it */
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	t0 = now();
	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
		answer, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		MHD_OPTION_NOTIFY_COMPLETED, done, NULL, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
		MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "receiver: cannot listen on 127.0.0.1:%d\n", port);
		return 1;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	pthread_mutex_lock(&lock);
	port_now = info ? (unsigned)info->port : (unsigned)port;
	pthread_mutex_unlock(&lock);
	printf("http://127.0.0.1:%u/hook\n", port_now);
	fflush(stdout);
	int sig = 0;
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	fclose(reqlog);
	return 0;
}
