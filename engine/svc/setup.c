/*
 * setup.c - the service assembled from its config: the config's key
 * tables, the engine (rules, keys, store, clock), the partner mappings,
 * the output sinks, and rule reloads.
 */
#include "svc_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "sink_file.h"
#include "sink_kafka.h"
#include "vr.h"

#define ERRS_MAX (16u << 10)
#define LINE_MAX_BYTES (64u << 20)

const struct conf_key svc_conf_keys[] = {
	{"outcomes", "topic", CONF_STR, NULL,
	 "the teams' outcomes, one JSON object per message as vroeg outcome reads "
	 "(docs/dispatch.md); none: not read from Kafka", 0, 0},
	{"outcomes", "group.id", CONF_STR, "[kafka consumer] group.id + \".outcomes\"",
	 "the consumer group of the outcomes topic", 0, 0},
	{"engine", "rules", CONF_STR, "the built-in rule set", "rule file (docs/rules.md)", 0, 0},
	{"engine", "municipalities", CONF_STR, NULL,
	 "CBS codes served, comma-separated (signals for others: geen inwoner)", 0, 0},
	{"engine", "key.file", CONF_STR, NULL, "pseudonym key file (required)", 0, 0},
	{"engine", "contact.key.file", CONF_STR, NULL,
	 "key sealing contact details (required with a persistent store)", 0, 0},
	{"engine", "batch", CONF_LONG, "1024", "records per batch", 1, ENGINE_BATCH_MAX},
	{"engine", "linger.ms", CONF_LONG, "100", "wait for a fuller batch at most this long",
	 0, 60000},
	{"engine", "clock", CONF_STR, "wall", "wall, event or a fixed YYYY-MM-DD", 0, 0},
	{"engine", "log.level", CONF_STR, "info", "debug, info, warn or error", 0, 0},
	{"connector", "dlq.topic", CONF_STR, "signals.dlq", "dead-letter topic", 0, 0},
	{"connector", "feedback", CONF_BOOL, "true", "send partners their signals' status",
	 0, 0},
	{"connector", "repartition.topic", CONF_STR, NULL,
	 "internal topic keyed by household: several instances in one group decide each "
	 "household in one of them (docs/connectors.md); none: one instance per group", 0, 0},
	{"connector", "dispatch.topic", CONF_STR, NULL,
	 "internal topic of one partition for case changes: with a repartition topic and "
	 "dispatch, the instance that owns it runs the team queues (docs/connectors.md)", 0, 0},
	{"connector", "dispatch.group.id", CONF_STR, "[kafka consumer] group.id + \".dispatch\"",
	 "the consumer group of the dispatch topic", 0, 0},
	{"connector", "feedback.topic", CONF_STR, "feedback.{partner}",
	 "feedback topic; {partner} is the partner type in lower case", 0, 0},
	{NULL, NULL, 0, NULL, NULL, 0, 0},
};

static int parse_municipalities(struct svc *r, const char *s, char *err, size_t n)
{
	char code[8];
	while (*s) {
		size_t k = strcspn(s, ", \t");
		if (k) {
			snprintf(code, sizeof(code), "%.*s", (int)(k > 7 ? 7 : k), s);
			if (k > 4 || engine_conf_add_municipality(&r->econf, code)) {
				char at[300];
				conf_where(r->cf, "engine", "municipalities", at, sizeof(at));
				snprintf(err, n, "%s: [engine] municipalities: \"%.*s\" is not a "
					 "4-digit CBS code", at, (int)(k > 20 ? 20 : k), s);
				return VR_EINVAL;
			}
		}
		s += k;
		s += strspn(s, ", \t");
	}
	return VR_OK;
}

static int setup_clock(struct svc *r, char *err, size_t n)
{
	const char *s = conf_get(r->cf, "engine", "clock");
	if (!s || strcmp(s, "wall") == 0) {
		clock_init_wall(&r->clk);
	} else if (strcmp(s, "event") == 0) {
		clock_init_event(&r->clk, VR_DATE_NONE);
	} else {
		vr_date d;
		if (date_parse(s, strlen(s), &d) != VR_OK) {
			char at[300];
			conf_where(r->cf, "engine", "clock", at, sizeof(at));
			snprintf(err, n, "%s: [engine] clock must be wall, event or YYYY-MM-DD", at);
			return VR_EINVAL;
		}
		clock_init_fixed(&r->clk, d);
	}
	return VR_OK;
}

static int load_rules(struct svc *r, char *err, size_t n)
{
	char *errs = malloc(ERRS_MAX);
	if (!errs)
		return VR_ENOMEM;
	r->rules_file = conf_get(r->cf, "engine", "rules");
	r->rs = r->rules_file ? ruleset_load_file(r->rules_file, errs, ERRS_MAX)
			      : ruleset_load_default(errs, ERRS_MAX);
	if (!r->rs)
		snprintf(err, n, "rule file has errors:\n%s", errs);
	free(errs);
	return r->rs ? VR_OK : VR_EINVAL;
}

/* The pseudonym key, and the contact key a persistent store needs. */
static int load_keys(struct svc *r, const char *url, char *err, size_t n)
{
	const char *s = conf_get(r->cf, "engine", "key.file");
	if (r->o->ps) {
		r->ps = r->o->ps;
	} else if (!s) {
		snprintf(err, n, "%s: [engine] key.file is required: the pseudonym key must be the "
			 "same across restarts", conf_name(r->cf));
		return VR_EINVAL;
	} else if (!(r->ps = pseudo_new_file(s, err, n))) {
		return VR_EINVAL;
	}
	s = conf_get(r->cf, "engine", "contact.key.file");
	/* The memory store keeps no contact details, but the records on a
	 * repartition topic are sealed under the key all the same. */
	if (store_url_is_memory(url) && (!s || !conf_get(r->cf, "connector", "repartition.topic")))
		return VR_OK;
	if (!s) {
		snprintf(err, n, "%s: [engine] contact.key.file is required with a persistent "
			 "store (contact details are sealed under it)", conf_name(r->cf));
		return VR_EINVAL;
	}
	return (r->ck = contact_key_file(s, err, n)) ? VR_OK : VR_EINVAL;
}

int svc_setup_engine(struct svc *r, const struct engine_observer *obs, char *err, size_t n)
{
	const struct conf *c = r->cf;
	const char *s;
	long v;

	engine_conf_init(&r->econf);
	if (conf_get_long(c, "engine", "batch", 1, ENGINE_BATCH_MAX, 1024, &v, err, n) ||
	    conf_get_long(c, "engine", "linger.ms", 0, 60000, 100, &r->linger_ms, err, n))
		return VR_EINVAL;
	r->econf.batch_size = (size_t)v;
	r->batch_max = (size_t)v;
	if ((s = conf_get(c, "engine", "municipalities")) && parse_municipalities(r, s, err, n))
		return VR_EINVAL;
	if (setup_clock(r, err, n) || load_rules(r, err, n))
		return VR_EINVAL;
	const char *url = conf_get(c, "store", "url");
	if (!url)
		url = "memory";
	if (svc_check_keys(r, err, n) || load_keys(r, url, err, n))
		return VR_EINVAL;
	if (r->checking)
		return VR_OK;
	if (!(r->st = store_open(url, err, n)))
		return VR_EINVAL;
	r->e = engine_new(&r->econf, r->rs, r->st, r->ps, &r->clk, obs, err, n);
	if (!r->e)
		return VR_EINVAL;
	if (r->ck)
		engine_set_contact_key(r->e, r->ck);
	return VR_OK;
}

struct mapping *svc_mapping_of(const struct svc *r, const char *topic)
{
	for (size_t i = 0; i < r->n_maps; i++)
		if (strcmp(mapping_topic(r->maps[i]), topic) == 0)
			return r->maps[i];
	return NULL;
}

/* The mapping of every [topic NAME] section. */
int svc_load_mappings(struct svc *r, char *err, size_t n)
{
	const struct conf *c = r->cf;
	for (size_t i = 0; i < conf_count(c); i++) {
		const struct conf_entry *ce = conf_at(c, i);
		if (strncmp(ce->section, "topic ", 6) != 0 || svc_mapping_of(r, ce->section + 6))
			continue;
		if (r->n_maps == SVC_TOPICS_MAX) {
			snprintf(err, n, "at most %d topics", SVC_TOPICS_MAX);
			return VR_ELIMIT;
		}
		if (!(r->maps[r->n_maps] = mapping_from_conf(c, ce->section + 6, err, n)))
			return VR_EINVAL;
		r->n_maps++;
	}
	if (r->n_maps == 0) {
		snprintf(err, n, "%s: no [topic NAME] sections: nothing to consume", conf_name(c));
		return VR_EINVAL;
	}
	return VR_OK;
}

/* feedback.{partner}: the partner type in lower case, spaces as '-'. */
static void feedback_topic(const char *tpl, enum sig_partner p, char *out, size_t n)
{
	char slug[64];
	sig_partner_slug(p, slug, sizeof(slug));
	const char *at = strstr(tpl, "{partner}");
	if (!at) {
		snprintf(out, n, "%s", tpl);
		return;
	}
	snprintf(out, n, "%.*s%s%s", (int)(at - tpl), tpl, slug, at + strlen("{partner}"));
}

/* [output] key as a file sink, or NULL (none); err set on failure. */
static struct sink *open_file(const struct conf *c, const char *key, char *err, size_t n)
{
	const char *v = conf_get(c, "output", key);
	char why[512], at[300];
	if (!v || strcmp(v, "none") == 0)
		return NULL;
	struct sink *s = sink_file_open(v, "a+", 0, why, sizeof(why));
	if (!s) {
		conf_where(c, "output", key, at, sizeof(at));
		snprintf(err, n, "%s: [output] %s: %s", at, key, why);
	}
	return s;
}

/* The dead-letter and feedback topics' names. */
int svc_output_topics(struct svc *r, char *err, size_t n)
{
	const struct conf *c = r->cf;
	const char *s;
	bool fb;

	s = conf_get(c, "connector", "dlq.topic");
	snprintf(r->dlq_topic, sizeof(r->dlq_topic), "%s", s ? s : "signals.dlq");
	s = conf_get(c, "connector", "feedback.topic");
	for (int p = 0; p < PARTNER__COUNT; p++)
		feedback_topic(s ? s : "feedback.{partner}", (enum sig_partner)p,
			       r->feedback_topics[p], sizeof(r->feedback_topics[p]));
	if (conf_get_bool(c, "connector", "feedback", true, &fb, err, n))
		return VR_EINVAL;
	r->feedback = fb;
	return VR_OK;
}

/*
 * No topic vroeg writes may be one it consumes: a dead letter read back is
 * rejected again and written again, forever (a config that did this turned
 * two bad messages into 26 dead letters in 10 s).
 */
bool svc_topic_used(const struct svc *r, const char *t)
{
	bool used = strcmp(t, r->dlq_topic) == 0;
	for (size_t i = 0; i < r->n_maps && !used; i++)
		used = strcmp(mapping_topic(r->maps[i]), t) == 0;
	for (int p = 0; p < PARTNER__COUNT && !used; p++)
		used = strcmp(t, r->feedback_topics[p]) == 0;
	return used;
}

int svc_check_topics(const struct svc *r, char *err, size_t n)
{
	for (size_t i = 0; i < r->n_maps; i++) {
		const char *t = mapping_topic(r->maps[i]);
		const char *key = NULL;
		if (strcmp(t, r->dlq_topic) == 0)
			key = "dlq.topic";
		for (int p = 0; p < PARTNER__COUNT && !key; p++)
			if (r->feedback && strcmp(t, r->feedback_topics[p]) == 0)
				key = "feedback.topic";
		if (key) {
			char at[300];
			conf_where(r->cf, "connector", key, at, sizeof(at));
			snprintf(err, n, "%s: [connector] %s writes to %s, which [topic %s] also "
				 "consumes: what vroeg writes would be read back forever", at, key,
				 t, t);
			return VR_EINVAL;
		}
	}
	return VR_OK;
}

/* Could path be opened for appending?  (--check creates nothing.) */
static int check_writable(const struct conf *c, const char *key, char *err, size_t n)
{
	const char *v = conf_get(c, "output", key);
	if (!v || strcmp(v, "none") == 0 || strcmp(v, "-") == 0)
		return VR_OK;
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", v);
	char *slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	int rc = access(v, F_OK) == 0 ? access(v, W_OK) : access(dir, W_OK | X_OK);
	if (rc != 0) {
		char at[300];
		conf_where(c, "output", key, at, sizeof(at));
		snprintf(err, n, "%s: [output] %s: cannot open %s: %s", at, key, v,
			 strerror(errno));
		return VR_EINVAL;
	}
	return VR_OK;
}

int svc_check_output(const struct conf *c, char *err, size_t n)
{
	return check_writable(c, "decisions", err, n) || check_writable(c, "cases", err, n)
		       ? VR_EINVAL : VR_OK;
}

/* The output: decision and case files, the dead-letter and feedback topics. */
int svc_setup_output(struct svc *r, char *err, size_t n)
{
	const struct conf *c = r->cf;

	err[0] = '\0';
	if (svc_output_topics(r, err, n))
		return VR_EINVAL;
	r->fdec = open_file(c, "decisions", err, n);
	if (err[0])
		return VR_EINVAL;
	r->fcases = open_file(c, "cases", err, n);
	if (err[0])
		return VR_EINVAL;
	jbuf_init(&r->line, LINE_MAX_BYTES);
	return (r->kafka = sink_kafka_open(c, err, n)) ? VR_OK : VR_EINVAL;
}

void svc_reload_rules(struct svc *r)
{
	char *errs = malloc(ERRS_MAX);
	svc_reload_flag = 0;
	if (!errs)
		return;
	if (!r->rules_file) {
		vlog(LOG_WARN, "SIGHUP: the built-in rule set is in use; nothing to reload");
	} else {
		struct ruleset *rs = ruleset_load_file(r->rules_file, errs, ERRS_MAX);
		if (!rs) {
			/* The first line names the file, line and column. */
			char *nl = strchr(errs, '\n');
			if (nl)
				*nl = '\0';
			vlog(LOG_ERROR, "SIGHUP: %s; the rules in use are kept", errs);
		} else {
			/* Reloads happen between batches, and every line of a decided
			 * batch is already written: nothing refers to the old set any
			 * more (a stored case keeps its rules' names, not the set). */
			engine_set_rules(r->e, rs);
			ruleset_free(r->rs);
			r->rs = rs;
			vlog(LOG_INFO, "SIGHUP: rule set %s loaded from %s", ruleset_name(rs),
			     r->rules_file);
		}
	}
	free(errs);
}

void svc_teardown_engine(struct svc *r)
{
	engine_free(r->e);
	store_close(r->st);
	if (r->ps != r->o->ps)
		pseudo_free(r->ps);
	contact_key_free(r->ck);
	ruleset_free(r->rs);
	for (size_t i = 0; i < r->n_maps; i++)
		mapping_free(r->maps[i]);
	sink_close(r->fdec);
	sink_close(r->fcases);
	jbuf_fini(&r->line);
}
