/* emit.c - JSON lines for decisions and cases. */
#include "emit.h"

#include "names.h"

#include <stdio.h>
#include <string.h>

/*
 * Append "name": (with a leading comma unless first) from a string literal,
 * its length known at compile time: the decision line is written once per
 * record, so its keys should cost a memcpy, not a strlen and a scan.
 */
#define KEY(b, name, first)                                                   \
	do {                                                                   \
		if (*(first))                                                  \
			jbuf_raw((b), "\"" name "\":", sizeof(name) + 2);      \
		else                                                           \
			jbuf_raw((b), ",\"" name "\":", sizeof(name) + 3);     \
		*(first) = false;                                              \
	} while (0)

static void emit_position(struct jbuf *b, const struct decision *d, bool *first)
{
	char pos[320], digits[24];
	const char *src = d->source ? d->source : "-";
	size_t n = strnlen(src, 280), k = 0;
	unsigned long v = d->pos < 0 ? 0 : (unsigned long)d->pos;

	memcpy(pos, src, n);
	pos[n++] = ':';
	do {
		digits[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (k)
		pos[n++] = digits[--k];
	pos[n] = '\0';
	jbuf_key(b, "source", first);
	jbuf_str(b, pos);
}

/* "ruleset":"name/version": which policy made a decision. */
static void emit_ruleset(struct jbuf *b, const struct ruleset *rs, bool *first)
{
	char buf[2 * 64 + 2];
	snprintf(buf, sizeof(buf), "%s/%s", ruleset_name(rs), ruleset_version(rs));
	KEY(b, "ruleset", first);
	jbuf_str(b, buf);
}

/* The rule set that scored case c: the one it recorded, or (a case from
 * before state version 7, not scored since) the one loaded now. */
static const char *case_ruleset(const struct case_rec *c, const struct ruleset *rs, char *buf,
				size_t n)
{
	if (c->has_rule_names && c->scored_by != NAME_NONE)
		return name_str(c->scored_by);
	snprintf(buf, n, "%s/%s", ruleset_name(rs), ruleset_version(rs));
	return buf;
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
	KEY(b, "signal_id", &first);
	if (d->signal_id)
		jbuf_str(b, d->signal_id);
	else
		jbuf_lit(b, "null");
	if (d->status == DEC_REJECTED) {
		KEY(b, "status", &first);
		jbuf_str(b, dec_status_name(d->status));
		KEY(b, "code", &first);
		jbuf_str(b, sig_reject_code(d->err->code));
		KEY(b, "reason", &first);
		jbuf_str(b, d->err->msg);
		emit_ruleset(b, engine_get_rules(e), &first);
		emit_position(b, d, &first);
		jbuf_lit(b, "}\n");
		return;
	}
	const struct signal *s = d->sig;
	KEY(b, "partner", &first);
	jbuf_str(b, sig_partner_name(s->partner));
	KEY(b, "partner_org", &first);
	jbuf_str(b, s->partner_org);
	KEY(b, "signal_date", &first);
	jbuf_date(b, s->signal_date);
	KEY(b, "received", &first);
	jbuf_date(b, s->received);
	KEY(b, "status", &first);
	jbuf_str(b, dec_status_name(d->status));
	KEY(b, "case_id", &first);
	if (d->has_case)
		jbuf_str(b, d->kase.id);
	else
		jbuf_lit(b, "null");
	KEY(b, "household", &first);
	jbuf_str(b, hkey_format(&d->household, hk));
	KEY(b, "score", &first);
	if (d->has_case)
		jbuf_int(b, d->kase.score);
	else
		jbuf_lit(b, "null");
	KEY(b, "priority", &first);
	if (d->has_case)
		jbuf_str(b, case_priority_name(d->kase.priority));
	else
		jbuf_lit(b, "null");
	KEY(b, "due", &first);
	jbuf_date(b, d->has_case ? d->kase.due : VR_DATE_NONE);
	KEY(b, "rules", &first);
	if (d->has_case)
		emit_rules_names(b, e, &d->kase);
	else
		jbuf_lit(b, "[]");
	KEY(b, "flags", &first);
	emit_flags(b, d->flags);
	KEY(b, "reason", &first);
	if (d->reason[0])
		jbuf_str(b, d->reason);
	else
		jbuf_lit(b, "null");
	emit_ruleset(b, engine_get_rules(e), &first);
	emit_position(b, d, &first);
	jbuf_lit(b, "}\n");
}

/* "signals":[...]: the signals the case lists. */
static void emit_case_signals(struct jbuf *b, const struct case_rec *c)
{
	unsigned listed = c->n_signals - c->signals_dropped;
	jbuf_raw(b, "[", 1);
	for (unsigned i = 0; i < listed; i++) {
		const struct case_signal *s = &c->signals[i];
		bool f2 = true;
		if (i)
			jbuf_raw(b, ",", 1);
		jbuf_raw(b, "{", 1);
		KEY(b, "id", &f2);
		jbuf_str(b, s->id);
		KEY(b, "partner", &f2);
		jbuf_str(b, sig_partner_name((enum sig_partner)s->partner));
		KEY(b, "date", &f2);
		jbuf_date(b, s->date);
		KEY(b, "received", &f2);
		jbuf_date(b, s->received);
		KEY(b, "bedrag", &f2);
		jbuf_int(b, s->amount);
		KEY(b, "priority", &f2);
		jbuf_str(b, case_priority_name((enum case_priority)s->priority));
		jbuf_raw(b, "}", 1);
	}
	jbuf_raw(b, "]", 1);
}

/* "partners":[...]: each partner type of the case once, in table order. */
static void emit_case_partners(struct jbuf *b, const struct case_rec *c)
{
	bool seen[PARTNER__COUNT] = {false};
	for (unsigned i = 0; i < c->n_orgs; i++)
		seen[c->orgs[i].partner] = true;
	jbuf_raw(b, "[", 1);
	for (int p = 0, n = 0; p < PARTNER__COUNT; p++) {
		if (!seen[p])
			continue;
		if (n++)
			jbuf_raw(b, ",", 1);
		jbuf_str(b, sig_partner_name((enum sig_partner)p));
	}
	jbuf_raw(b, "]", 1);
}

/* "rules":[...]: the fired score rules, named as their rule set names them. */
static void emit_case_rules(struct jbuf *b, const struct engine *e, const struct case_rec *c)
{
	jbuf_raw(b, "[", 1);
	for (unsigned i = 0; i < c->n_rules; i++) {
		bool f2 = true;
		if (i)
			jbuf_raw(b, ",", 1);
		jbuf_raw(b, "{", 1);
		KEY(b, "name", &f2);
		jbuf_str(b, engine_case_rule_name(e, c, i));
		KEY(b, "points", &f2);
		jbuf_int(b, c->rules[i].points);
		jbuf_raw(b, "}", 1);
	}
	jbuf_raw(b, "]", 1);
}

void emit_case(struct jbuf *b, const struct engine *e, const struct hkey *h,
	       const struct case_rec *c)
{
	const struct ruleset *rs = engine_get_rules(e);
	bool first = true;
	char hk[HKEY_STRLEN], by[CASE_RULESET_MAX + 1];

	jbuf_raw(b, "{", 1);
	KEY(b, "case_id", &first);
	jbuf_str(b, c->id);
	KEY(b, "household", &first);
	jbuf_str(b, hkey_format(h, hk));
	KEY(b, "case_no", &first);
	jbuf_int(b, (long long)c->seq);
	KEY(b, "opened", &first);
	jbuf_date(b, c->opened);
	KEY(b, "matching_until", &first);
	jbuf_date(b, c->opened + ruleset_matching_period(rs) - 1);
	KEY(b, "received", &first);
	jbuf_date(b, c->received);
	KEY(b, "last_signal", &first);
	jbuf_date(b, c->last_signal);
	KEY(b, "signals", &first);
	emit_case_signals(b, c);
	KEY(b, "signals_total", &first);
	jbuf_int(b, c->n_signals);
	KEY(b, "partners", &first);
	emit_case_partners(b, c);
	KEY(b, "partner_count", &first);
	jbuf_int(b, case_partner_orgs(c));
	KEY(b, "bedrag", &first);
	jbuf_int(b, c->amount);
	KEY(b, "crisis", &first);
	jbuf_bool(b, c->priority == PRIO_CRISIS); /* only a crisis signal makes one */
	KEY(b, "opeenvolgend", &first);
	jbuf_bool(b, c->opeenvolgend);
	KEY(b, "meervoudig", &first);
	jbuf_bool(b, case_is_meervoudig(c));
	KEY(b, "priority", &first);
	jbuf_str(b, case_priority_name((enum case_priority)c->priority));
	KEY(b, "due", &first);
	jbuf_date(b, c->due);
	KEY(b, "score", &first);
	jbuf_int(b, c->score);
	KEY(b, "rules", &first);
	emit_case_rules(b, e, c);
	KEY(b, "team", &first);
	jbuf_str(b, c->team);
	KEY(b, "ruleset", &first);
	jbuf_str(b, case_ruleset(c, rs, by, sizeof(by)));
	KEY(b, "dispatch", &first);
	jbuf_str(b, "pending");
	KEY(b, "outcome", &first);
	jbuf_lit(b, "null");
	jbuf_lit(b, "}\n");
}

void emit_case_text(FILE *f, const struct engine *e, const struct hkey *h,
		    const struct case_rec *c)
{
	const struct ruleset *rs = engine_get_rules(e);
	unsigned listed = c->n_signals - c->signals_dropped;
	char hk[HKEY_STRLEN], d1[VR_DATE_STRLEN], d2[VR_DATE_STRLEN];

	fprintf(f, "Case %s (household %s, its case no. %llu)\n", c->id, hkey_format(h, hk),
		(unsigned long long)c->seq);
	char by[CASE_RULESET_MAX + 1];
	fprintf(f, "Rule set: %s\n", case_ruleset(c, rs, by, sizeof(by)));
	fprintf(f, "Opened %s; collects signals until %s", date_format(c->opened, d1),
		date_format(c->opened + ruleset_matching_period(rs) - 1, d2));
	fprintf(f, "; last signal %s; received %s\n", date_format(c->last_signal, d1),
		date_format(c->received, d2));
	fprintf(f, "Signals (%u):\n", c->n_signals);
	for (unsigned i = 0; i < listed; i++) {
		const struct case_signal *s = &c->signals[i];
		fprintf(f, "  %s  %-24s %-22s bedrag %7lld  %s%s%s\n", date_format(s->date, d1),
			s->id, sig_partner_name((enum sig_partner)s->partner), (long long)s->amount,
			case_priority_name((enum case_priority)s->priority),
			s->crisis ? ", crisissignaal" : "", s->end_of_supply ? ", eindelevering" : "");
	}
	if (c->signals_dropped)
		fprintf(f, "  ... and %u more, not listed\n", c->signals_dropped);
	fprintf(f, "Partner organisations: %u%s; amount counted: %lld euro "
		   "(each organisation's latest bedrag per person)\n",
		case_partner_orgs(c), case_is_meervoudig(c) ? " (meervoudig)" : "",
		(long long)c->amount);
	if (c->opeenvolgend)
		fprintf(f, "Opeenvolgend: the household's previous case had a signal within %d days\n",
			ruleset_consecutive_lookback(rs));
	fprintf(f, "Priority: %s (the highest of its signals); first contact due %s\n",
		case_priority_name((enum case_priority)c->priority), date_format(c->due, d1));
	fprintf(f, "Team: %s\n", c->team);
	fprintf(f, "Score: %d\n", c->score);
	for (unsigned i = 0; i < c->n_rules; i++)
		fprintf(f, "  %+5d  %s\n", c->rules[i].points, engine_case_rule_name(e, c, i));
}
