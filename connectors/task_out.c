/* task_out.c - the sinks follow-up tasks go to (task_out.h). */
#include "task_out.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_pool.h"
#include "jsonw.h"
#include "sink_file.h"
#include "sink_http.h"
#include "sink_kafka.h"
#include "sink_zgw.h"
#include "vr.h"


const struct conf_key task_out_conf_keys[] = {
	{"sink.*", "type", CONF_STR, NULL, "file, http, kafka or zgw", 0, 0},
	{"sink.*", "topic", CONF_STR, "tasks", "type kafka: the topic (key: the case id)", 0, 0},
	{"sink.*", "path", CONF_STR, NULL, "type file: the JSON lines file tasks are appended to",
	 0, 0},
	{"sink.*", "url", CONF_STR, NULL,
	 "type http: the webhook tasks are POSTed to; type zgw: the Zaken API's root", 0, 0},
	{"sink.*", "secret.file", CONF_STR, NULL,
	 "type http: HMAC key for X-Vroeg-Signature (raw or hex, 16+ bytes); type zgw: the "
	 "JWT secret (first line)", 0, 0},
	{"sink.*", "zaaktype", CONF_STR, NULL, "type zgw: the zaaktype's URL in the catalogue", 0,
	 0},
	{"sink.*", "roltype", CONF_STR, NULL, "type zgw: the resident's roltype URL", 0, 0},
	{"sink.*", "rsin", CONF_STR, NULL, "type zgw: the municipality's RSIN (9 digits)", 0, 0},
	{"sink.*", "client_id", CONF_STR, NULL, "type zgw: the JWT's iss and client_id", 0, 0},
	{"sink.*", "user_id", CONF_STR, NULL, "type zgw: the JWT's user_id (default: client_id)",
	 0, 0},
	{"sink.*", "vertrouwelijkheid", CONF_STR, "vertrouwelijk",
	 "type zgw: the zaak's vertrouwelijkheidaanduiding", 0, 0},
	{"sink.*", "token.file", CONF_STR, NULL, "type http: bearer token (first line)", 0, 0},
	{"sink.*", "ca.file", CONF_STR, NULL, "types http, zgw: extra CA bundle (a private CA)", 0, 0},
	{"sink.*", "timeout.ms", CONF_LONG, "30000", "types http, zgw: a request's whole time", 100,
	 600000},
	{"sink.*", "connect.timeout.ms", CONF_LONG, "5000", "types http, zgw: connecting", 100,
	 600000},
	{NULL, NULL, 0, NULL, NULL, 0, 0},
};

struct task_out {
	struct {
		struct sink *s;
		struct sink_group g;
		bool lines;     /* a file: one line per task */
		char *topic;    /* Kafka: the topic; keyed by case id */
		bool zgw;       /* a ZGW Zaken API */
	} v[TASK_SINKS_MAX];
	size_t n;
	struct jbuf line;
};

struct task_out *task_out_new(void)
{
	struct task_out *o = calloc(1, sizeof(*o));
	if (o)
		jbuf_init(&o->line, 1u << 20);
	return o;
}

void task_out_free(struct task_out *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->n; i++) {
		sink_close(o->v[i].s);
		free(o->v[i].topic);
	}
	jbuf_fini(&o->line);
	free(o);
}

size_t task_out_count(const struct task_out *o)
{
	return o->n;
}

static int add(struct task_out *o, struct sink *s, bool lines, char *err, size_t errlen)
{
	if (!s)
		return VR_EINVAL;
	if (o->n == TASK_SINKS_MAX) {
		sink_close(s);
		snprintf(err, errlen, "at most %d task sinks", TASK_SINKS_MAX);
		return VR_ELIMIT;
	}
	memset(&o->v[o->n], 0, sizeof(o->v[0]));
	o->v[o->n].s = s;
	o->v[o->n++].lines = lines;
	return VR_OK;
}

int task_out_add_url(struct task_out *o, const char *url, char *err, size_t errlen)
{
	if (strncmp(url, "file:", 5) == 0 && url[5])
		return add(o, sink_file_open(url + 5, "a", 0, err, errlen), true, err, errlen);
	if (http_is_url(url)) {
		struct sink_http_conf c = {.url = url};
		return add(o, sink_http_open(&c, "tasks", err, errlen), false, err, errlen);
	}
	snprintf(err, errlen, "sink %s: expected file:PATH or http(s)://...", url);
	return VR_EINVAL;
}

static void zgw_conf(const struct conf *cf, const char *sec, struct sink_zgw_conf *z)
{
	*z = (struct sink_zgw_conf){
		.url = conf_get(cf, sec, "url"),
		.zaaktype = conf_get(cf, sec, "zaaktype"),
		.roltype = conf_get(cf, sec, "roltype"),
		.rsin = conf_get(cf, sec, "rsin"),
		.client_id = conf_get(cf, sec, "client_id"),
		.user_id = conf_get(cf, sec, "user_id"),
		.secret_file = conf_get(cf, sec, "secret.file"),
		.vertrouwelijkheid = conf_get(cf, sec, "vertrouwelijkheid"),
		.ca_file = conf_get(cf, sec, "ca.file"),
	};
}

/* What a section of this type needs, checked before anything opens. */
static int section_ok(const struct conf *cf, const char *sec, char *err, size_t errlen)
{
	const char *type = conf_get(cf, sec, "type");
	const char *url = conf_get(cf, sec, "url");
	char at[300];
	conf_where(cf, sec, "type", at, sizeof(at));
	if (!type) {
		snprintf(err, errlen, "%s: [%s]: type is required (file, http, kafka or zgw)", at, sec);
	} else if (strcmp(type, "file") == 0) {
		if (conf_get(cf, sec, "path"))
			return VR_OK;
		snprintf(err, errlen, "%s: [%s]: type file needs path", at, sec);
	} else if (strcmp(type, "http") == 0) {
		if (http_is_url(url))
			return VR_OK;
		snprintf(err, errlen, "%s: [%s]: type http needs url = http(s)://...", at, sec);
	} else if (strcmp(type, "kafka") == 0) {
		if (conf_get(cf, "kafka", "bootstrap.servers"))
			return VR_OK;
		snprintf(err, errlen, "%s: [%s]: type kafka needs [kafka] bootstrap.servers", at, sec);
	} else if (strcmp(type, "zgw") == 0) {
		struct sink_zgw_conf z;
		char why[300];
		zgw_conf(cf, sec, &z);
		if (sink_zgw_check(&z, why, sizeof(why)) == VR_OK)
			return VR_OK;
		snprintf(err, errlen, "%s: [%s]: type zgw: %s", at, sec, why);
	} else {
		snprintf(err, errlen, "%s: [%s]: type %s is not a task sink (file, http, kafka or "
			 "zgw)", at, sec, type);
	}
	return VR_EINVAL;
}

int task_out_check_conf(const struct conf *cf, char *err, size_t errlen)
{
	for (size_t i = 0; i < conf_count(cf); i++) {
		const struct conf_entry *en = conf_at(cf, i);
		bool first = strncmp(en->section, "sink.", 5) == 0;
		for (size_t j = 0; first && j < i; j++)
			first = strcmp(conf_at(cf, j)->section, en->section) != 0;
		if (first && section_ok(cf, en->section, err, errlen) != VR_OK)
			return VR_EINVAL;
	}
	return VR_OK;
}

/* One [sink.NAME] section (checked: task_out_check_conf). */
static int add_section(struct task_out *o, const struct conf *cf, const char *sec, char *err,
		       size_t errlen)
{
	const char *type = conf_get(cf, sec, "type");
	if (section_ok(cf, sec, err, errlen) != VR_OK)
		return VR_EINVAL;
	if (strcmp(type, "file") == 0)
		return add(o, sink_file_open(conf_get(cf, sec, "path"), "a", 0, err, errlen), true,
			   err, errlen);
	if (strcmp(type, "kafka") == 0) {
		const char *topic = conf_get(cf, sec, "topic");
		int rc = add(o, sink_kafka_open(cf, err, errlen), false, err, errlen);
		if (rc == VR_OK && !(o->v[o->n - 1].topic = strdup(topic ? topic : "tasks")))
			rc = VR_ENOMEM;
		return rc;
	}
	long t, ct;
	if (conf_get_long(cf, sec, "timeout.ms", 100, 600000, 30000, &t, err, errlen) ||
	    conf_get_long(cf, sec, "connect.timeout.ms", 100, 600000, 5000, &ct, err, errlen))
		return VR_EINVAL;
	if (strcmp(type, "zgw") == 0) {
		struct sink_zgw_conf z;
		zgw_conf(cf, sec, &z);
		z.timeout_ms = t;
		z.connect_timeout_ms = ct;
		int rc = add(o, sink_zgw_open(&z, sec, err, errlen), false, err, errlen);
		if (rc == VR_OK)
			o->v[o->n - 1].zgw = true;
		return rc;
	}
	struct sink_http_conf c = {
		.url = conf_get(cf, sec, "url"),
		.secret_file = conf_get(cf, sec, "secret.file"),
		.token_file = conf_get(cf, sec, "token.file"),
		.ca_file = conf_get(cf, sec, "ca.file"),
	};
	c.timeout_ms = t;
	c.connect_timeout_ms = ct;
	return add(o, sink_http_open(&c, sec, err, errlen), false, err, errlen);
}

int task_out_add_conf(struct task_out *o, const struct conf *cf, char *err, size_t errlen)
{
	for (size_t i = 0; i < conf_count(cf); i++) {
		const struct conf_entry *en = conf_at(cf, i);
		if (strncmp(en->section, "sink.", 5) != 0 || strcmp(en->key, "type") != 0)
			continue;
		int rc = add_section(o, cf, en->section, err, errlen);
		if (rc != VR_OK)
			return rc;
	}
	return VR_OK;
}

void task_out_set_ledger(struct task_out *o, const struct zgw_ledger *l)
{
	for (size_t i = 0; i < o->n; i++)
		if (o->v[i].zgw)
			sink_zgw_set_ledger(o->v[i].s, l);
}

const char *task_out_zgw_name(const struct task_out *o, size_t *it)
{
	for (; *it < o->n; (*it)++)
		if (o->v[*it].zgw)
			return sink_name(o->v[(*it)++].s);
	return NULL;
}

int task_out_zgw_known(struct task_out *o, const char *sink_name_, const char *task_id,
		       const char *zaak_url)
{
	for (size_t i = 0; i < o->n; i++)
		if (o->v[i].zgw && strcmp(sink_name(o->v[i].s), sink_name_) == 0)
			return sink_zgw_known(o->v[i].s, task_id, zaak_url);
	return VR_ENOTFOUND;
}

int task_out_send(struct task_out *o, const struct dispatch_task *t)
{
	return task_out_send_tracked(o, t, NULL);
}

bool task_out_track_done(const struct task_out *o, const struct task_track *tr,
			 unsigned long *failed)
{
	bool done = true;
	*failed = 0;
	for (size_t i = 0; i < o->n; i++) {
		done &= sink_group_done(&tr->g[i]);
		*failed += tr->g[i].failed;
	}
	return done;
}

int task_out_send_tracked(struct task_out *o, const struct dispatch_task *t,
			  struct task_track *tr)
{
	for (size_t i = 0; i < o->n; i++) {
		struct sink_msg m = {NULL, t->task_id, strlen(t->task_id), t->json, t->len, NULL, 0};
		/* Kafka: keyed by the case, so a case's versions stay in order on
		 * one partition; the task id travels as a header. */
		const struct sink_header h = {"vroeg.task_id", t->task_id};
		if (o->v[i].topic) {
			size_t kl = strcspn(t->task_id, ".");
			m = (struct sink_msg){o->v[i].topic, t->task_id, kl, t->json, t->len, &h, 1};
		}
		if (o->v[i].lines) {
			jbuf_reset(&o->line);
			jbuf_raw(&o->line, t->json, t->len);
			jbuf_raw(&o->line, "\n", 1);
			if (!jbuf_ok(&o->line))
				return VR_ENOMEM;
			m.body = o->line.p;
			m.len = o->line.len;
		}
		int rc = sink_send(o->v[i].s, &m, tr ? &tr->g[i] : &o->v[i].g);
		if (rc != VR_OK)
			return rc;
		sink_poll(o->v[i].s, 0);
	}
	return VR_OK;
}

void task_out_poll(struct task_out *o)
{
	for (size_t i = 0; i < o->n; i++) {
		sink_poll(o->v[i].s, 0);
		/* A file's lines reach the file now, before their tasks leave
		 * the outbox. */
		if (o->v[i].lines)
			sink_flush(o->v[i].s, 0);
	}
}

int task_out_finish(struct task_out *o, long wait_ms, unsigned long *pending,
		    unsigned long *failed)
{
	double end = vr_mono_now() + (double)wait_ms / 1000;
	bool done;
	do {
		done = true;
		for (size_t i = 0; i < o->n; i++) {
			if (!sink_group_done(&o->v[i].g)) {
				sink_poll(o->v[i].s, 20);
				done = false;
			}
		}
	} while (!done && vr_mono_now() < end);
	*pending = *failed = 0;
	int rc = done ? VR_OK : VR_EAGAIN;
	for (size_t i = 0; i < o->n; i++) {
		*pending += (unsigned long)o->v[i].g.pending;
		*failed += o->v[i].g.failed;
		if (sink_flush(o->v[i].s, 0) == VR_EIO)
			rc = VR_EIO;
	}
	return rc;
}
