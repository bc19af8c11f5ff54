/* emit.c - JSON lines for decisions and cases. */
#include "emit.h"

#include <stdio.h>

static void emit_position(struct jbuf *b, const struct decision *d, bool *first)
{
	char pos[320];
	snprintf(pos, sizeof(pos), "%.280s:%ld", d->source ? d->source : "-", d->pos);
	jbuf_key(b, "source", first);
	jbuf_str(b, pos);
}

static void emit_rules_names(struct jbuf *b, const struct engine *e, const struct dec_case *k)
{
	jbuf_raw(b, "[", 1);
	for (unsigned i = 0; i < k->n_rules; i++) {
		if (i)
			jbuf_raw(b, ",", 1);
		jbuf_str(b, engine_rule_name(e, k->rules[i].rule));
	}
	jbuf_raw(b, "]", 1);
}

static void emit_flags(struct jbuf *b, unsigned flags)
{
	bool any = false;
	jbuf_raw(b, "[", 1);
	for (int i = 0; i < DEC_FLAG_COUNT; i++) {
		if (!(flags & (1u << i)))
			continue;
		if (any)
			jbuf_raw(b, ",", 1);
		any = true;
		jbuf_str(b, dec_flag_name((enum dec_flag)(1u << i)));
	}
	jbuf_raw(b, "]", 1);
}

void emit_decision(struct jbuf *b, const struct engine *e, const struct decision *d)
{
	bool first = true;
	char hk[HKEY_STRLEN];

	jbuf_raw(b, "{", 1);
	jbuf_key(b, "signal_id", &first);
	if (d->signal_id)
		jbuf_str(b, d->signal_id);
	else
		jbuf_lit(b, "null");
	if (d->status == DEC_REJECTED) {
		jbuf_key(b, "status", &first);
		jbuf_str(b, dec_status_name(d->status));
		jbuf_key(b, "code", &first);
		jbuf_str(b, sig_reject_code(d->err->code));
		jbuf_key(b, "reason", &first);
		jbuf_str(b, d->err->msg);
		emit_position(b, d, &first);
		jbuf_lit(b, "}\n");
		return;
	}
	const struct signal *s = d->sig;
	jbuf_key(b, "partner", &first);
	jbuf_str(b, sig_partner_name(s->partner));
	jbuf_key(b, "partner_org", &first);
	jbuf_str(b, s->partner_org);
	jbuf_key(b, "signal_date", &first);
	jbuf_date(b, s->signal_date);
	jbuf_key(b, "status", &first);
	jbuf_str(b, dec_status_name(d->status));
	jbuf_key(b, "case_id", &first);
	if (d->has_case)
		jbuf_str(b, d->kase.id);
	else
		jbuf_lit(b, "null");
	jbuf_key(b, "household", &first);
	jbuf_str(b, hkey_format(&d->household, hk));
	jbuf_key(b, "score", &first);
	if (d->has_case)
		jbuf_int(b, d->kase.score);
	else
		jbuf_lit(b, "null");
	jbuf_key(b, "priority", &first);
	if (d->has_case)
		jbuf_str(b, case_priority_name(d->kase.priority));
	else
		jbuf_lit(b, "null");
	jbuf_key(b, "due", &first);
	jbuf_date(b, d->has_case ? d->kase.due : VR_DATE_NONE);
	jbuf_key(b, "rules", &first);
	if (d->has_case)
		emit_rules_names(b, e, &d->kase);
	else
		jbuf_lit(b, "[]");
	jbuf_key(b, "flags", &first);
	emit_flags(b, d->flags);
	jbuf_key(b, "reason", &first);
	if (d->reason[0])
		jbuf_str(b, d->reason);
	else
		jbuf_lit(b, "null");
	emit_position(b, d, &first);
	jbuf_lit(b, "}\n");
}

void emit_case(struct jbuf *b, const struct engine *e, const struct hkey *h,
	       const struct case_rec *c)
{
	const struct engine_conf *cf = engine_get_conf(e);
	unsigned listed = c->n_signals - c->signals_dropped;
	bool first = true, crisis = false, seen[PARTNER__COUNT] = {false};
	char hk[HKEY_STRLEN];

	jbuf_raw(b, "{", 1);
	jbuf_key(b, "case_id", &first);
	jbuf_str(b, c->id);
	jbuf_key(b, "household", &first);
	jbuf_str(b, hkey_format(h, hk));
	jbuf_key(b, "case_no", &first);
	jbuf_int(b, (long long)c->seq);
	jbuf_key(b, "opened", &first);
	jbuf_date(b, c->opened);
	jbuf_key(b, "matching_until", &first);
	jbuf_date(b, c->opened + cf->matching_period - 1);
	jbuf_key(b, "last_signal", &first);
	jbuf_date(b, c->last_signal);
	jbuf_key(b, "signals", &first);
	jbuf_raw(b, "[", 1);
	for (unsigned i = 0; i < listed; i++) {
		const struct case_signal *s = &c->signals[i];
		bool f2 = true;
		crisis |= s->crisis;
		seen[s->partner] = true;
		if (i)
			jbuf_raw(b, ",", 1);
		jbuf_raw(b, "{", 1);
		jbuf_key(b, "id", &f2);
		jbuf_str(b, s->id);
		jbuf_key(b, "partner", &f2);
		jbuf_str(b, sig_partner_name((enum sig_partner)s->partner));
		jbuf_key(b, "date", &f2);
		jbuf_date(b, s->date);
		jbuf_key(b, "bedrag", &f2);
		jbuf_int(b, s->amount);
		jbuf_key(b, "priority", &f2);
		jbuf_str(b, case_priority_name((enum case_priority)s->priority));
		jbuf_raw(b, "}", 1);
	}
	jbuf_raw(b, "]", 1);
	jbuf_key(b, "signals_total", &first);
	jbuf_int(b, c->n_signals);
	jbuf_key(b, "partners", &first);
	jbuf_raw(b, "[", 1);
	for (int p = 0, n = 0; p < PARTNER__COUNT; p++) {
		if (!seen[p])
			continue;
		if (n++)
			jbuf_raw(b, ",", 1);
		jbuf_str(b, sig_partner_name((enum sig_partner)p));
	}
	jbuf_raw(b, "]", 1);
	jbuf_key(b, "partner_count", &first);
	jbuf_int(b, c->n_partners);
	jbuf_key(b, "bedrag", &first);
	jbuf_int(b, c->amount);
	jbuf_key(b, "crisis", &first);
	jbuf_bool(b, crisis);
	jbuf_key(b, "opeenvolgend", &first);
	jbuf_bool(b, c->opeenvolgend);
	jbuf_key(b, "meervoudig", &first);
	jbuf_bool(b, case_is_meervoudig(c));
	jbuf_key(b, "priority", &first);
	jbuf_str(b, case_priority_name((enum case_priority)c->priority));
	jbuf_key(b, "due", &first);
	jbuf_date(b, c->due);
	jbuf_key(b, "score", &first);
	jbuf_int(b, c->score);
	jbuf_key(b, "rules", &first);
	jbuf_raw(b, "[", 1);
	for (unsigned i = 0; i < c->n_rules; i++) {
		bool f2 = true;
		if (i)
			jbuf_raw(b, ",", 1);
		jbuf_raw(b, "{", 1);
		jbuf_key(b, "name", &f2);
		jbuf_str(b, engine_rule_name(e, c->rules[i].rule));
		jbuf_key(b, "points", &f2);
		jbuf_int(b, c->rules[i].points);
		jbuf_raw(b, "}", 1);
	}
	jbuf_raw(b, "]", 1);
	jbuf_key(b, "team", &first);
	jbuf_str(b, "default");
	jbuf_key(b, "dispatch", &first);
	jbuf_str(b, "pending");
	jbuf_key(b, "outcome", &first);
	jbuf_lit(b, "null");
	jbuf_lit(b, "}\n");
}
