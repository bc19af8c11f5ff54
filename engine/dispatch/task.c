/*
 * task.c - a follow-up task as JSON (docs/task.schema.json): what the team
 * reads to reach the household and why it comes when it does.
 */
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "dispatch.h"
#include "jsonw.h"
#include "names.h"
#include "rules.h"
#include "vr.h"

static void task_rules(struct jbuf *b, const struct engine *e, const struct case_rec *c)
{
	bool first = true;
	jbuf_raw(b, "{", 1);
	jbuf_key(b, "total", &first);
	jbuf_int(b, c->score);
	jbuf_key(b, "rules", &first);
	jbuf_raw(b, "[", 1);
	for (unsigned i = 0; i < c->n_rules; i++) {
		bool f = true;
		jbuf_raw(b, i ? ",{" : "{", i ? 2 : 1);
		jbuf_key(b, "rule", &f);
		jbuf_str(b, engine_case_rule_name(e, c, i));
		jbuf_key(b, "points", &f);
		jbuf_int(b, c->rules[i].points);
		jbuf_raw(b, "}", 1);
	}
	jbuf_raw(b, "]}", 2);
}

static void task_signal(struct jbuf *b, const struct case_signal *s)
{
	bool f = true;
	jbuf_raw(b, "{", 1);
	jbuf_key(b, "id", &f);
	jbuf_str(b, s->id);
	jbuf_key(b, "partner", &f);
	jbuf_str(b, sig_partner_name((enum sig_partner)s->partner));
	jbuf_key(b, "organisatie", &f);
	if (s->org_name != NAME_NONE)
		jbuf_str(b, name_str(s->org_name));
	else
		jbuf_lit(b, "null");
	jbuf_key(b, "bedrag", &f);
	jbuf_int(b, s->amount);
	jbuf_key(b, "signaaldatum", &f);
	jbuf_date(b, s->date);
	jbuf_key(b, "ontvangstdatum", &f);
	jbuf_date(b, s->received);
	jbuf_key(b, "priority", &f);
	jbuf_str(b, case_priority_name((enum case_priority)s->priority));
	jbuf_key(b, "crisis", &f);
	jbuf_bool(b, s->crisis);
	jbuf_key(b, "eindelevering", &f);
	jbuf_bool(b, s->end_of_supply);
	jbuf_raw(b, "}", 1);
}

/* The contact block, opened: the only place it is in the clear. */
static void task_contact(struct jbuf *b, const struct contact_key *ck, const struct case_rec *c)
{
	char plain[CONTACT_PLAIN_MAX];
	long n = ck && c->contact_len ? contact_open(ck, c->id, c->contact, c->contact_len,
						     plain, sizeof(plain))
				      : -1;
	if (n > 0)
		jbuf_raw(b, plain, (size_t)n);
	else
		jbuf_lit(b, "null");
	OPENSSL_cleanse(plain, sizeof(plain));
}

/* "name/version" of the rule set that scored c, split. */
static void task_ruleset(struct jbuf *b, const struct engine *e, const struct case_rec *c)
{
	char nv[CASE_RULESET_MAX + 1];
	const struct ruleset *rs = engine_get_rules(e);
	bool f = true;
	if (c->has_rule_names && c->scored_by != NAME_NONE)
		snprintf(nv, sizeof(nv), "%s", name_str(c->scored_by));
	else
		snprintf(nv, sizeof(nv), "%s/%s", ruleset_name(rs), ruleset_version(rs));
	char *slash = strrchr(nv, '/');
	if (slash)
		*slash = '\0';
	jbuf_raw(b, "{", 1);
	jbuf_key(b, "name", &f);
	jbuf_str(b, nv);
	jbuf_key(b, "version", &f);
	jbuf_str(b, slash ? slash + 1 : "");
	jbuf_raw(b, "}", 1);
}

static void task_head(struct jbuf *b, const struct case_rec *c, unsigned version, vr_date day)
{
	char task_id[CASE_ID_STRLEN + 16];
	bool f = true;
	snprintf(task_id, sizeof(task_id), "%s.v%u", c->id, version);
	jbuf_raw(b, "{", 1);
	jbuf_key(b, "task_id", &f);
	jbuf_str(b, task_id);
	jbuf_key(b, "case_id", &f);
	jbuf_str(b, c->id);
	jbuf_key(b, "version", &f);
	jbuf_int(b, version);
	jbuf_key(b, "team", &f);
	jbuf_str(b, c->team);
	jbuf_key(b, "priority", &f);
	jbuf_str(b, case_priority_name((enum case_priority)c->priority));
	jbuf_key(b, "due", &f);
	jbuf_date(b, c->due);
	jbuf_key(b, "received", &f);
	jbuf_date(b, c->received);
	jbuf_key(b, "issued", &f);
	jbuf_date(b, day);
	jbuf_key(b, "bedrag", &f);
	jbuf_int(b, c->amount);
	jbuf_key(b, "partners", &f);
	jbuf_int(b, case_partner_orgs(c));
	jbuf_key(b, "meervoudig", &f);
	jbuf_bool(b, case_is_meervoudig(c));
	jbuf_key(b, "opeenvolgend", &f);
	jbuf_bool(b, c->opeenvolgend);
}

int task_json(struct jbuf *b, const struct engine *e, const struct contact_key *ck,
	      const struct case_rec *c, unsigned version, vr_date day)
{
	bool f = false;
	jbuf_reset(b);
	task_head(b, c, version, day);
	jbuf_key(b, "score", &f);
	task_rules(b, e, c);
	jbuf_key(b, "signals", &f);
	jbuf_raw(b, "[", 1);
	for (unsigned i = 0; i < (unsigned)(c->n_signals - c->signals_dropped); i++) {
		if (i)
			jbuf_raw(b, ",", 1);
		task_signal(b, &c->signals[i]);
	}
	jbuf_raw(b, "]", 1);
	jbuf_key(b, "signals_not_listed", &f);
	jbuf_int(b, c->signals_dropped);
	jbuf_key(b, "contact", &f);
	task_contact(b, ck, c);
	jbuf_key(b, "ruleset", &f);
	task_ruleset(b, e, c);
	jbuf_raw(b, "}", 1);
	return jbuf_ok(b) ? VR_OK : VR_ENOMEM;
}
