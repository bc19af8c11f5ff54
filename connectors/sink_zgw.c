/*
 * sink_zgw.c - follow-up tasks as zaken in a ZGW Zaken API (sink_zgw.h).
 *
 * Each accepted task holds one of the backend's message slots from send()
 * until its outcome, and walks two steps: the zaak, then the rol.  One
 * request of a task is in flight at a time, on the HTTP pool's slot of the
 * same number.  The zaak URLs made for tasks not yet done are kept in
 * `made` (and, through the ledger, in the store) so that a later attempt
 * starts at the rol.
 */
#include "sink_zgw.h"

#include <cjson/cJSON.h>
#include <jwt.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_pool.h"
#include "jsonw.h"
#include "vr.h"

#define SECRET_MAX 1024
#define ANSWER_MAX (64 * 1024)   /* a zaak as the API returns it */
#define BODY_MAX (64 * 1024)
#define TASK_ID_MAX 64
#define URL_MAX 1000              /* the API's maxLength for URLs */

/* A zaak made for a task that is not done yet. */
struct made {
	char task_id[TASK_ID_MAX];
	char *url;
	bool recorded;             /* in the ledger */
};

/* A task on its way. */
struct zmsg {
	bool busy;
	bool at_rol;               /* the zaak exists: the rol's request */
	uint64_t ticket;
	char task_id[TASK_ID_MAX];
	const char *task;          /* the task's JSON (valid until the outcome) */
	size_t task_len;
	struct jbuf body;          /* the request on its way */
};

struct zgw {
	struct http_pool *pool;
	char *zaken_url, *rollen_url;
	char *zaaktype, *roltype, *rsin, *client_id, *user_id, *vertrouwelijkheid;
	unsigned char secret[SECRET_MAX];
	size_t secret_len;
	struct zmsg *m;
	int n;
	struct made *made;
	size_t n_made, cap_made;
	struct zgw_ledger ledger;
	const char *name;          /* the sink's (for the ledger) */
	char err[256];
};

/* ---- zaak URLs made ---- */

static struct made *made_find(struct zgw *z, const char *task_id)
{
	for (size_t i = 0; i < z->n_made; i++)
		if (strcmp(z->made[i].task_id, task_id) == 0)
			return &z->made[i];
	return NULL;
}

static struct made *made_add(struct zgw *z, const char *task_id, const char *url, size_t len)
{
	struct made *e = made_find(z, task_id);
	if (!e) {
		if (z->n_made == z->cap_made) {
			size_t cap = z->cap_made ? 2 * z->cap_made : 16;
			struct made *v = realloc(z->made, cap * sizeof(*v));
			if (!v)
				return NULL;
			z->made = v;
			z->cap_made = cap;
		}
		e = &z->made[z->n_made];
		memset(e, 0, sizeof(*e));
		snprintf(e->task_id, sizeof(e->task_id), "%s", task_id);
	}
	char *u = malloc(len + 1);
	if (!u)
		return NULL;
	memcpy(u, url, len);
	u[len] = '\0';
	if (e == &z->made[z->n_made])
		z->n_made++;
	free(e->url);
	e->url = u;
	e->recorded = false;
	return e;
}

static void made_forget(struct zgw *z, const char *task_id)
{
	struct made *e = made_find(z, task_id);
	if (!e)
		return;
	free(e->url);
	*e = z->made[--z->n_made];
}

int sink_zgw_known(struct sink *s, const char *task_id, const char *zaak_url)
{
	struct made *e = made_add(sink_impl(s), task_id, zaak_url, strlen(zaak_url));
	if (!e)
		return VR_ENOMEM;
	e->recorded = true;
	return VR_OK;
}

void sink_zgw_set_ledger(struct sink *s, const struct zgw_ledger *l)
{
	((struct zgw *)sink_impl(s))->ledger = *l;
}

/* The ledger holds e (or there is none): the rol may go. */
static bool record(struct zgw *z, struct made *e)
{
	if (!e->recorded && z->ledger.put)
		e->recorded = z->ledger.put(z->ledger.ud, z->name, e->task_id, e->url) == VR_OK;
	else
		e->recorded = true;
	return e->recorded;
}

/* ---- the requests ---- */

/* "Authorization: Bearer <HS256 JWT>", made now (iat), or NULL. */
static char *authorization(const struct zgw *z)
{
	jwt_t *j = NULL;
	char *tok = NULL, *line = NULL;
	if (jwt_new(&j) != 0)
		return NULL;
	if (jwt_add_grant(j, "iss", z->client_id) == 0 &&
	    jwt_add_grant(j, "client_id", z->client_id) == 0 &&
	    jwt_add_grant(j, "user_id", z->user_id) == 0 &&
	    jwt_add_grant_int(j, "iat", (long)time(NULL)) == 0 &&
	    jwt_set_alg(j, JWT_ALG_HS256, z->secret, (int)z->secret_len) == 0)
		tok = jwt_encode_str(j);
	jwt_free(j);
	if (tok) {
		size_t n = strlen(tok) + 32;
		if ((line = malloc(n)))
			snprintf(line, n, "Authorization: Bearer %s", tok);
		OPENSSL_cleanse(tok, strlen(tok));
		free(tok);
	}
	return line;
}

static struct curl_slist *headers(const struct zgw *z, const struct zmsg *m)
{
	bool ok = true;
	char audit[128];
	char *auth = authorization(z);
	struct curl_slist *l = http_header(NULL, "Content-Type: application/json", &ok);
	l = http_header(l, "Expect:", &ok);
	if (!m->at_rol) {
		l = http_header(l, "Accept-Crs: EPSG:4326", &ok);
		l = http_header(l, "Content-Crs: EPSG:4326", &ok);
	}
	snprintf(audit, sizeof(audit), "X-Audit-Toelichting: vroegsignalering, taak %s", m->task_id);
	l = http_header(l, audit, &ok);
	if (auth) {
		l = http_header(l, auth, &ok);
		OPENSSL_cleanse(auth, strlen(auth));
	}
	free(auth);
	if (!ok || !auth) {
		curl_slist_free_all(l);
		return NULL;
	}
	return l;
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static long jint(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? (long)v->valuedouble : 0;
}

/* A text of at most max - 1 bytes, built by appends; once an append did
 * not fit, it ends there (on a whole UTF-8 character). */
struct text {
	char *s;
	size_t max, len;
	bool full;
};

static void addf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void addf(struct text *t, const char *fmt, ...)
{
	if (t->full)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(t->s + t->len, t->max - t->len, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < t->max - t->len) {
		t->len += (size_t)n;
		return;
	}
	/* Cut: the last character whole or not at all. */
	size_t k = n < 0 ? t->len : t->max - 1, j = k;
	while (j > t->len && ((unsigned char)t->s[j - 1] & 0xC0) == 0x80)
		j--;
	if (j > t->len) {
		unsigned char lead = (unsigned char)t->s[j - 1];
		size_t need = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
		if (k - (j - 1) < need)
			k = j - 1;
	}
	t->s[k] = '\0';
	t->len = k;
	t->full = true;
}

/* The text's last separator (':', ',' or ';') becomes a full stop. */
static void end_sentence(struct text *t)
{
	if (!t->full && t->len && strchr(":,;", t->s[t->len - 1]))
		t->s[t->len - 1] = '.';
}

/* What the team reads in the zaak: priority, date, score, signals. */
static void toelichting(const cJSON *task, char *s, size_t max)
{
	const cJSON *score = cJSON_GetObjectItemCaseSensitive(task, "score"), *r;
	const cJSON *sigs = cJSON_GetObjectItemCaseSensitive(task, "signals"), *g;
	struct text t = {s, max, 0, false};
	s[0] = '\0';
	addf(&t, "Vroegsignalering, taak %s. Prioriteit %s; eerste contact uiterlijk %s.",
	     jstr(task, "task_id"), jstr(task, "priority"), jstr(task, "due"));
	addf(&t, " Score %ld:", jint(score, "total"));
	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(score, "rules"))
		addf(&t, " %s %+ld,", jstr(r, "rule"), jint(r, "points"));
	end_sentence(&t);
	addf(&t, " Signalen:");
	cJSON_ArrayForEach(g, sigs) {
		const char *org = jstr(g, "organisatie");
		addf(&t, " %s%s%s%s, %ld euro, signaal %s%s%s;", jstr(g, "partner"),
		     org ? " (" : "", org ? org : "", org ? ")" : "", jint(g, "bedrag"),
		     jstr(g, "signaaldatum"), cJSON_IsTrue(cJSON_GetObjectItem(g, "crisis"))
						       ? ", crisis" : "",
		     cJSON_IsTrue(cJSON_GetObjectItem(g, "eindelevering")) ? ", eindelevering"
									  : "");
	}
	if (jint(task, "signals_not_listed"))
		addf(&t, " en %ld niet genoemd;", jint(task, "signals_not_listed"));
	end_sentence(&t);
}

/* Does the task hold what a zaak needs?  (The task schema says so; this is
 * the sink's own guard against a body it cannot read.) */
static bool task_ok(const cJSON *t)
{
	return cJSON_IsObject(t) && jstr(t, "task_id") && jstr(t, "case_id") &&
	       jstr(t, "priority") && jstr(t, "due") && jstr(t, "issued") &&
	       cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(t, "signals"));
}

static void zaak_body(const struct zgw *z, const cJSON *t, struct jbuf *b)
{
	char omschrijving[81], tl[1001];
	bool first = true;
	const cJSON *sigs = cJSON_GetObjectItemCaseSensitive(t, "signals");
	int n = cJSON_GetArraySize(sigs) + (int)jint(t, "signals_not_listed");
	snprintf(omschrijving, sizeof(omschrijving), "Vroegsignalering %s: %d signa%s, %ld partner%s",
		 jstr(t, "priority"), n, n == 1 ? "al" : "len", jint(t, "partners"),
		 jint(t, "partners") == 1 ? "" : "s");
	toelichting(t, tl, sizeof(tl));
	jbuf_reset(b);
	jbuf_lit(b, "{");
	jbuf_key(b, "identificatie", &first);
	jbuf_str(b, jstr(t, "task_id"));
	jbuf_key(b, "bronorganisatie", &first);
	jbuf_str(b, z->rsin);
	jbuf_key(b, "verantwoordelijkeOrganisatie", &first);
	jbuf_str(b, z->rsin);
	jbuf_key(b, "zaaktype", &first);
	jbuf_str(b, z->zaaktype);
	jbuf_key(b, "startdatum", &first);
	jbuf_str(b, jstr(t, "issued"));
	jbuf_key(b, "omschrijving", &first);
	jbuf_str(b, omschrijving);
	jbuf_key(b, "toelichting", &first);
	jbuf_str(b, tl);
	jbuf_key(b, "vertrouwelijkheidaanduiding", &first);
	jbuf_str(b, z->vertrouwelijkheid);
	jbuf_key(b, "kenmerken", &first);
	jbuf_lit(b, "[{\"kenmerk\":");
	jbuf_str(b, jstr(t, "case_id"));
	jbuf_lit(b, ",\"bron\":\"vroeg\"}]}");
}

/* A string member copied when it fits the API's maxLength, else left out. */
static void opt_str(struct jbuf *b, const char *key, const char *v, size_t max, bool *first)
{
	if (v && *v && strlen(v) <= max) {
		jbuf_key(b, key, first);
		jbuf_str(b, v);
	}
}

/* A phone number as the API takes it (at most 20 characters): without
 * spaces, dashes, dots and brackets; "" when it is longer still. */
static void phone(const char *in, char *out, size_t n)
{
	size_t k = 0;
	for (; in && *in && k + 1 < n; in++)
		if (!strchr(" -.()", *in))
			out[k++] = *in;
	out[k] = '\0';
	while (in && *in && strchr(" -.()", *in))
		in++;
	if (in && *in)
		out[0] = '\0';
}

/* The rol: the resident, linked to the zaak, and how to reach them.
 * false: the task has no contact details at all (no one to link). */
static bool rol_body(const struct zgw *z, const cJSON *t, const char *zaak, struct jbuf *b)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(t, "contact");
	if (!cJSON_IsObject(c) || !c->child)
		return false;
	char tel[21], naam[201], toel[300];
	struct text nt = {naam, sizeof(naam), 0, false}, tt = {toel, sizeof(toel), 0, false};
	const char *pc = jstr(c, "postcode"), *hn = jstr(c, "huisnummer"), *tv = jstr(c, "toevoeging");
	bool first = true, f2 = true, f3 = true;
	phone(jstr(c, "telefoon"), tel, sizeof(tel));
	naam[0] = '\0';
	addf(&nt, "%s", jstr(c, "naam") ? jstr(c, "naam") : "Bewoner");
	addf(&tt, "Bewoner met betalingsachterstand (vroegsignalering)");
	if (pc && hn)
		addf(&tt, "; adres %s %s%s%s", pc, hn, tv ? " " : "", tv ? tv : "");
	jbuf_reset(b);
	jbuf_lit(b, "{");
	jbuf_key(b, "zaak", &first);
	jbuf_str(b, zaak);
	jbuf_key(b, "betrokkeneType", &first);
	jbuf_str(b, "natuurlijk_persoon");
	jbuf_key(b, "roltype", &first);
	jbuf_str(b, z->roltype);
	jbuf_key(b, "roltoelichting", &first);
	jbuf_str(b, toel);
	jbuf_key(b, "betrokkeneIdentificatie", &first);
	jbuf_lit(b, "{");
	opt_str(b, "inpBsn", jstr(c, "bsn"), 9, &f2);
	opt_str(b, "geboortedatum", jstr(c, "geboortedatum"), 18, &f2);
	jbuf_lit(b, "}");
	if (jstr(c, "naam") || tel[0] || jstr(c, "email")) {
		jbuf_key(b, "contactpersoonRol", &first);
		jbuf_lit(b, "{");
		opt_str(b, "naam", naam, 200, &f3);
		opt_str(b, "telefoonnummer", tel, 20, &f3);
		opt_str(b, "emailadres", jstr(c, "email"), 254, &f3);
		jbuf_lit(b, "}");
	}
	jbuf_lit(b, "}");
	OPENSSL_cleanse(naam, sizeof(naam));
	OPENSSL_cleanse(tel, sizeof(tel));
	OPENSSL_cleanse(toel, sizeof(toel));
	return true;
}

static void wipe(struct jbuf *b)
{
	if (b->p)
		OPENSSL_cleanse(b->p, b->cap);
	jbuf_reset(b);
}

/* Post m's current step; SINK_INFLIGHT, or the outcome now. */
static enum sink_outcome post(struct zgw *z, struct zmsg *m, char *why, size_t n)
{
	if (!jbuf_ok(&m->body)) {
		snprintf(why, n, "%s: the request would exceed %d bytes", m->at_rol ? "rol" : "zaak",
			 BODY_MAX);
		return SINK_FAILED;
	}
	struct curl_slist *h = headers(z, m);
	if (!h) {
		snprintf(why, n, "cannot make the request headers (JWT)");
		return SINK_RETRY;
	}
	int rc = http_pool_post(z->pool, m->at_rol ? z->rollen_url : z->zaken_url, h, m->body.p,
				m->body.len, m, 0, why, n);
	return rc == VR_OK ? SINK_INFLIGHT : SINK_RETRY;
}

/* Step 2 for m, whose zaak is e: recorded first, then the rol (or, with
 * no one to link, done). */
static enum sink_outcome to_rol(struct zgw *z, struct zmsg *m, struct made *e, char *why,
				size_t n)
{
	if (!record(z, e)) {
		snprintf(why, n, "zaak %s made; cannot record its URL yet", e->url);
		return SINK_RETRY;
	}
	cJSON *t = cJSON_ParseWithLength(m->task, m->task_len);
	bool rol = t && rol_body(z, t, e->url, &m->body);
	cJSON_Delete(t);
	if (!rol) {
		made_forget(z, m->task_id);
		return SINK_DELIVERED;
	}
	m->at_rol = true;
	return post(z, m, why, n);
}

static void release(struct zmsg *m)
{
	wipe(&m->body);
	m->busy = false;
}

static enum sink_outcome zgw_send(struct sink *s, const struct sink_msg *msg, uint64_t ticket,
				  char *why, size_t whylen)
{
	struct zgw *z = sink_impl(s);
	struct zmsg *m = NULL;
	for (int i = 0; i < z->n && !m; i++)
		if (!z->m[i].busy)
			m = &z->m[i];
	if (!m)
		return SINK_BUSY;
	if (msg->key_len == 0 || msg->key_len >= TASK_ID_MAX) {
		snprintf(why, whylen, "not a task (no task_id key)");
		return SINK_FAILED;
	}
	/* One attempt of a task at a time: a second one could make a second
	 * zaak before the first's URL is known. */
	for (int i = 0; i < z->n; i++)
		if (z->m[i].busy && strlen(z->m[i].task_id) == msg->key_len &&
		    memcmp(z->m[i].task_id, msg->key, msg->key_len) == 0)
			return SINK_BUSY;
	m->ticket = ticket;
	m->task = msg->body;
	m->task_len = msg->len;
	m->at_rol = false;
	snprintf(m->task_id, sizeof(m->task_id), "%.*s", (int)msg->key_len,
		 (const char *)msg->key);
	struct made *e = made_find(z, m->task_id);
	enum sink_outcome o;
	if (e) {
		o = to_rol(z, m, e, why, whylen);
	} else {
		cJSON *t = cJSON_ParseWithLength(msg->body, msg->len);
		if (task_ok(t)) {
			zaak_body(z, t, &m->body);
			o = post(z, m, why, whylen);
		} else {
			snprintf(why, whylen, "not a task the zaak can be made of");
			o = SINK_FAILED;
		}
		cJSON_Delete(t);
	}
	if (o == SINK_INFLIGHT)
		m->busy = true;
	else
		wipe(&m->body);
	return o;
}

/* The zaak's URL from POST /zaken's answer. */
static const char *zaak_url(const struct http_done *d, cJSON **doc)
{
	*doc = cJSON_ParseWithLength(d->body, d->len);
	const char *u = jstr(*doc, "url");
	if (http_is_url(u) && strlen(u) <= URL_MAX)
		return u;
	return NULL;
}

static void on_done(void *ctx, const struct http_done *d)
{
	struct sink *s = ctx;
	struct zgw *z = sink_impl(s);
	struct zmsg *m = d->ud;
	char why[600];
	enum sink_outcome o = d->outcome;
	const char *step = m->at_rol ? "rol" : "zaak";
	snprintf(why, sizeof(why), "%s: %s", step, d->why);
	/* A rol's answer is not logged: it may echo the resident's data. */
	if (m->at_rol && d->status)
		snprintf(why, sizeof(why), "rol: HTTP %ld", d->status);
	if (o == SINK_FAILED && (d->status == 401 || d->status == 403)) {
		/* The sink's credentials, not the task: every task waits for
		 * the operator (client_id, secret.file, the API's rights). */
		o = SINK_RETRY;
		snprintf(why, sizeof(why), "%s: HTTP %ld: not authorised; check client_id and "
			 "secret.file (the task waits)", step, d->status);
	} else if (o == SINK_FAILED && d->status == 400 &&
		   (strstr(d->body, "\"name\":\"zaaktype\"") ||
		    strstr(d->body, "\"name\":\"roltype\""))) {
		/* The catalogue's types, not the task: unreachable or wrong
		 * (ZRC checks them on every request); the task waits. */
		o = SINK_RETRY;
		snprintf(why, sizeof(why), "%s: HTTP 400: the API cannot use the configured %s "
			 "(the task waits)", step, strstr(d->body, "\"name\":\"zaaktype\"")
						     ? "zaaktype" : "roltype");
	}
	if (o == SINK_DELIVERED && !m->at_rol) {
		cJSON *doc;
		const char *u = zaak_url(d, &doc);
		struct made *e = u ? made_add(z, m->task_id, u, strlen(u)) : NULL;
		if (!u)
			snprintf(why, sizeof(why), "zaak: HTTP %ld without the zaak's url (a second "
				 "attempt would make another zaak)", d->status);
		else if (!e)
			snprintf(why, sizeof(why), "zaak %s made; out of memory to keep it", u);
		o = !u ? SINK_FAILED : !e ? SINK_FAILED : to_rol(z, m, e, why, sizeof(why));
		cJSON_Delete(doc);
		if (o == SINK_INFLIGHT)
			return;
	} else if (m->at_rol && o != SINK_RETRY) {
		struct made *e = made_find(z, m->task_id);
		if (o == SINK_FAILED && e)
			snprintf(why, sizeof(why), "rol: zaak %s made, its rol refused (HTTP %ld): "
				 "link the resident by hand", e->url, d->status);
	}
	if (o == SINK_FAILED || (o == SINK_DELIVERED && m->at_rol))
		made_forget(z, m->task_id); /* it leaves the outbox */
	uint64_t ticket = m->ticket;
	release(m);
	sink_outcome_after(s, ticket, o, o == SINK_DELIVERED ? NULL : why, d->retry_after);
}

static void zgw_poll(struct sink *s, long wait_ms)
{
	http_pool_poll(((struct zgw *)sink_impl(s))->pool, wait_ms, on_done, s);
}

static int zgw_flush(struct sink *s, long wait_ms)
{
	struct zgw *z = sink_impl(s);
	double until = vr_mono_now() + (double)wait_ms / 1000;
	while (http_pool_inflight(z->pool) && vr_mono_now() < until)
		zgw_poll(s, 50);
	return http_pool_inflight(z->pool) ? VR_EAGAIN : VR_OK;
}

static const char *zgw_error(const struct sink *s)
{
	return ((const struct zgw *)sink_impl(s))->err;
}

static void free_impl(struct zgw *z)
{
	if (!z)
		return;
	http_pool_free(z->pool);
	for (int i = 0; z->m && i < z->n; i++) {
		wipe(&z->m[i].body);
		jbuf_fini(&z->m[i].body);
	}
	free(z->m);
	for (size_t i = 0; i < z->n_made; i++)
		free(z->made[i].url);
	free(z->made);
	free(z->zaken_url);
	free(z->rollen_url);
	free(z->zaaktype);
	free(z->roltype);
	free(z->rsin);
	free(z->client_id);
	free(z->user_id);
	free(z->vertrouwelijkheid);
	OPENSSL_cleanse(z->secret, sizeof(z->secret));
	free(z);
}

static void zgw_close(struct sink *s)
{
	free_impl(sink_impl(s));
}

static const struct sink_ops zgw_ops = {
	.name = "zgw",
	.settles = false,
	.send = zgw_send,
	.poll = zgw_poll,
	.flush = zgw_flush,
	.error = zgw_error,
	.close = zgw_close,
};

static bool is_url(const char *u)
{
	return http_is_url(u) && strlen(u) <= URL_MAX && !strpbrk(u, " \"\\\r\n");
}

static const char *const vertrouwelijk[] = {"openbaar", "beperkt_openbaar", "intern",
	"zaakvertrouwelijk", "vertrouwelijk", "confidentieel", "geheim", "zeer_geheim"};

int sink_zgw_check(const struct sink_zgw_conf *c, char *err, size_t n)
{
	bool v = !c->vertrouwelijkheid;
	for (size_t i = 0; !v && i < sizeof(vertrouwelijk) / sizeof(*vertrouwelijk); i++)
		v = strcmp(c->vertrouwelijkheid, vertrouwelijk[i]) == 0;
	if (!is_url(c->url))
		snprintf(err, n, "url: the Zaken API's root, http(s)://.../zaken/api/v1");
	else if (!is_url(c->zaaktype))
		snprintf(err, n, "zaaktype: the zaaktype's URL in the catalogue is required");
	else if (!is_url(c->roltype))
		snprintf(err, n, "roltype: the roltype's URL in the catalogue is required");
	else if (!c->rsin || strlen(c->rsin) != 9 || strspn(c->rsin, "0123456789") != 9)
		snprintf(err, n, "rsin: the municipality's RSIN, 9 digits, is required");
	else if (!c->client_id || !*c->client_id || strlen(c->client_id) > 200)
		snprintf(err, n, "client_id: the JWT's client id is required");
	else if (!c->secret_file)
		snprintf(err, n, "secret.file: the file with the JWT secret is required");
	else if (!v)
		snprintf(err, n, "vertrouwelijkheid %s: one of openbaar, beperkt_openbaar, intern, "
			 "zaakvertrouwelijk, vertrouwelijk, confidentieel, geheim, zeer_geheim",
			 c->vertrouwelijkheid);
	else
		return VR_OK;
	return VR_EINVAL;
}

static char *join(const char *root, const char *path)
{
	size_t k = strlen(root), n = k + strlen(path) + 2;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%.*s/%s", (int)(k && root[k - 1] == '/' ? k - 1 : k), root, path);
	return s;
}

static int setup(struct zgw *z, const struct sink_zgw_conf *c, char *err, size_t n)
{
	char line[SECRET_MAX];
	if (sink_zgw_check(c, err, n) != VR_OK)
		return VR_EINVAL;
	size_t len = http_read_secret_line(c->secret_file, "JWT secret", line, sizeof(line), err, n);
	if (!len)
		return VR_EINVAL;
	memcpy(z->secret, line, len);
	z->secret_len = len;
	OPENSSL_cleanse(line, sizeof(line));
	struct http_pool_conf pc = {c->connect_timeout_ms, c->timeout_ms, c->max_inflight,
				    c->ca_file, ANSWER_MAX};
	if (!(z->pool = http_pool_new(&pc, err, n)))
		return VR_ENOMEM;
	z->n = c->max_inflight > 0 ? c->max_inflight : 16;
	z->zaken_url = join(c->url, "zaken");
	z->rollen_url = join(c->url, "rollen");
	z->zaaktype = strdup(c->zaaktype);
	z->roltype = strdup(c->roltype);
	z->rsin = strdup(c->rsin);
	z->client_id = strdup(c->client_id);
	z->user_id = strdup(c->user_id ? c->user_id : c->client_id);
	z->vertrouwelijkheid = strdup(c->vertrouwelijkheid ? c->vertrouwelijkheid
							   : "vertrouwelijk");
	z->m = calloc((size_t)z->n, sizeof(*z->m));
	if (!z->zaken_url || !z->rollen_url || !z->zaaktype || !z->roltype || !z->rsin ||
	    !z->client_id || !z->user_id || !z->vertrouwelijkheid || !z->m) {
		snprintf(err, n, "out of memory");
		return VR_ENOMEM;
	}
	for (int i = 0; i < z->n; i++)
		jbuf_init(&z->m[i].body, BODY_MAX);
	return VR_OK;
}

struct sink *sink_zgw_open(const struct sink_zgw_conf *c, const char *name, char *err,
			   size_t errlen)
{
	struct zgw *z = calloc(1, sizeof(*z));
	if (!z) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (setup(z, c, err, errlen) != VR_OK) {
		free_impl(z);
		return NULL;
	}
	struct sink *s = sink_new(&zgw_ops, z, name ? name : "zgw");
	if (!s) {
		free_impl(z);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	z->name = sink_name(s);
	return s;
}
