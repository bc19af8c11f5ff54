/* summary.c - run counters and their JSON and text forms. */
#include "summary.h"

#include <string.h>

void summary_init(struct summary *s)
{
	memset(s, 0, sizeof(*s));
}

void summary_add_decision(struct summary *s, const struct decision *d)
{
	s->records++;
	s->status[d->status]++;
	if (d->status == DEC_REJECTED) {
		s->rejected[d->err->code]++;
		return;
	}
	s->partner_signals[d->sig->partner]++;
	if (d->status == DEC_OPGEPAKT)
		s->partner_picked[d->sig->partner]++;
	for (int i = 0; i < DEC_FLAG_COUNT; i++)
		if (d->flags & (1u << i))
			s->flags[i]++;
}

void summary_add_case(struct summary *s, const struct case_rec *c)
{
	s->cases++;
	s->case_priority[c->priority]++;
	s->meervoudig += case_is_meervoudig(c);
	s->opeenvolgend += c->opeenvolgend;
	s->households += c->seq == 1;
}

static void tasks_json(const struct summary *s, struct jbuf *b, bool *first);

void summary_json(const struct summary *s, struct jbuf *b)
{
	bool first = true, f2;

	jbuf_raw(b, "{", 1);
	jbuf_key(b, "records", &first);
	jbuf_int(b, (long long)s->records);
	jbuf_key(b, "status", &first);
	jbuf_raw(b, "{", 1);
	f2 = true;
	for (int i = 0; i < DEC__COUNT; i++) {
		jbuf_key(b, dec_status_name((enum dec_status)i), &f2);
		jbuf_int(b, (long long)s->status[i]);
	}
	jbuf_raw(b, "}", 1);
	jbuf_key(b, "rejected", &first);
	jbuf_raw(b, "{", 1);
	f2 = true;
	for (int i = 1; i < REJ__COUNT; i++) {
		if (!s->rejected[i])
			continue;
		jbuf_key(b, sig_reject_code((enum sig_reject)i), &f2);
		jbuf_int(b, (long long)s->rejected[i]);
	}
	jbuf_raw(b, "}", 1);
	jbuf_key(b, "partners", &first);
	jbuf_raw(b, "{", 1);
	f2 = true;
	for (int p = 0; p < PARTNER__COUNT; p++) {
		bool f3 = true;
		if (!s->partner_signals[p])
			continue;
		jbuf_key(b, sig_partner_name((enum sig_partner)p), &f2);
		jbuf_raw(b, "{", 1);
		jbuf_key(b, "signals", &f3);
		jbuf_int(b, (long long)s->partner_signals[p]);
		jbuf_key(b, "opgepakt", &f3);
		jbuf_int(b, (long long)s->partner_picked[p]);
		jbuf_raw(b, "}", 1);
	}
	jbuf_raw(b, "}", 1);
	jbuf_key(b, "flags", &first);
	jbuf_raw(b, "{", 1);
	f2 = true;
	for (int i = 0; i < DEC_FLAG_COUNT; i++) {
		jbuf_key(b, dec_flag_name((enum dec_flag)(1u << i)), &f2);
		jbuf_int(b, (long long)s->flags[i]);
	}
	jbuf_raw(b, "}", 1);
	jbuf_key(b, "cases", &first);
	jbuf_raw(b, "{", 1);
	f2 = true;
	jbuf_key(b, "total", &f2);
	jbuf_int(b, (long long)s->cases);
	for (int p = PRIO__COUNT - 1; p >= 0; p--) {
		jbuf_key(b, case_priority_name((enum case_priority)p), &f2);
		jbuf_int(b, (long long)s->case_priority[p]);
	}
	jbuf_key(b, "meervoudig", &f2);
	jbuf_int(b, (long long)s->meervoudig);
	jbuf_key(b, "opeenvolgend", &f2);
	jbuf_int(b, (long long)s->opeenvolgend);
	jbuf_raw(b, "}", 1);
	jbuf_key(b, "households", &first);
	jbuf_int(b, (long long)s->households);
	if (s->has_tasks)
		tasks_json(s, b, &first);
	jbuf_lit(b, "}\n");
}

void summary_set_tasks(struct summary *s, const struct dispatch_stats *t)
{
	s->has_tasks = true;
	s->tasks = *t;
}

static void tasks_json(const struct summary *s, struct jbuf *b, bool *first)
{
	bool f = true;
	jbuf_key(b, "tasks", first);
	jbuf_raw(b, "{", 1);
	jbuf_key(b, "queued", &f);
	jbuf_int(b, (long long)s->tasks.queued);
	jbuf_key(b, "released", &f);
	jbuf_int(b, (long long)s->tasks.tasks);
	jbuf_key(b, "released_late", &f);
	jbuf_int(b, (long long)s->tasks.late);
	jbuf_key(b, "versions", &f);
	jbuf_int(b, (long long)s->tasks.versions);
	jbuf_key(b, "still_queued", &f);
	jbuf_int(b, (long long)s->tasks.in_queue);
	jbuf_raw(b, "}", 1);
}

static double pct(size_t part, size_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

void summary_print(const struct summary *s, FILE *f)
{
	fprintf(f, "records: %zu\n", s->records);
	for (int i = 0; i < DEC__COUNT; i++)
		if (s->status[i])
			fprintf(f, "  %-48s %8zu  %5.1f%%\n", dec_status_name((enum dec_status)i),
				s->status[i], pct(s->status[i], s->records));
	for (int i = 1; i < REJ__COUNT; i++)
		if (s->rejected[i])
			fprintf(f, "    rejected %-37s %8zu\n", sig_reject_code((enum sig_reject)i),
				s->rejected[i]);
	fprintf(f, "cases: %zu (crisis %zu, urgent %zu, normal %zu; meervoudig %zu, "
		   "opeenvolgend %zu) in %zu households\n",
		s->cases, s->case_priority[PRIO_CRISIS], s->case_priority[PRIO_URGENT],
		s->case_priority[PRIO_NORMAL], s->meervoudig, s->opeenvolgend, s->households);
	if (s->has_tasks)
		fprintf(f, "tasks: %zu cases released to their teams (%zu after their due date), "
			   "%zu task versions; %zu still queued\n",
			s->tasks.tasks, s->tasks.late, s->tasks.versions, s->tasks.in_queue);
}
