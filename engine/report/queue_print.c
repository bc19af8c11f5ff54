/* queue_print.c - a team's queue as the team reads it (queue_print.h). */
#include "queue_print.h"

#include <string.h>

#include "vr.h"

struct qp {
	FILE *f;
	const struct engine *e;
	vr_date today;
	size_t max, shown, total;
};

/* The fired rules with their points: "partner:Huur +20, bedrag>=1000 +30". */
static void why_of(const struct engine *e, const struct case_rec *c, char *out, size_t n)
{
	out[0] = '\0';
	for (unsigned i = 0; i < c->n_rules; i++) {
		size_t at = strlen(out);
		snprintf(out + at, n - at, "%s%s %+d", i ? ", " : "", engine_case_rule_name(e, c, i),
			 c->rules[i].points);
	}
}

static int row(void *ud, const struct dispatch_queued *q)
{
	struct qp *p = ud;
	char due[VR_DATE_STRLEN], rec[VR_DATE_STRLEN], partners[128], why[512];
	p->total++;
	if (p->max && p->shown == p->max)
		return VR_OK;
	p->shown++;
	const struct case_rec *c = q->c;
	case_partner_types(c, partners, sizeof(partners));
	why_of(p->e, c, why, sizeof(why));
	fprintf(p->f, "%4zu  %-6s  %-10s %5d  %-10s %4d  %-24.24s %-27s %s\n", q->position,
		case_priority_name((enum case_priority)c->priority), date_format(c->due, due),
		(int)c->score, date_format(c->received, rec), (int)(p->today - c->received),
		partners, c->id, why);
	return VR_OK;
}

int queue_print(FILE *f, struct dispatch *d, const struct engine *e, vr_date today,
		size_t max_rows)
{
	return queue_print_team(f, d, e, today, max_rows, NULL);
}

int queue_print_team(FILE *f, struct dispatch *d, const struct engine *e, vr_date today,
		     size_t max_rows, const char *only)
{
	for (size_t i = 0; i < dispatch_n_teams(d); i++) {
		long cap;
		const char *team = dispatch_team(d, i, &cap);
		if (only && strcmp(team, only) != 0)
			continue;
		struct qp p = {f, e, today, max_rows, 0, 0};
		char capacity[48];
		if (cap < 0)
			snprintf(capacity, sizeof(capacity), "unlimited capacity");
		else
			snprintf(capacity, sizeof(capacity), "capacity %ld per working day", cap);
		fprintf(f, "Team %s (%s), next first:\n", team, capacity);
		fprintf(f, "%4s  %-6s  %-10s %5s  %-10s %4s  %-24s %-27s %s\n", "#", "prio", "due",
			"score", "received", "age", "partners", "case", "why");
		int rc = dispatch_queue_walk(d, team, row, &p);
		if (rc != VR_OK)
			return rc;
		if (p.total == 0)
			fprintf(f, "  (empty)\n");
		else if (p.total > p.shown)
			fprintf(f, "  ... and %zu more\n", p.total - p.shown);
	}
	return VR_OK;
}
