/* worklist.c - the team's worklist (worklist.h). */
#include "worklist.h"

#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "vr.h"

struct case_copy {
	struct hkey h;
	struct case_rec c;
};

struct worklist {
	struct case_copy *v;
	size_t n, cap;
};

struct worklist *worklist_new(void)
{
	return calloc(1, sizeof(struct worklist));
}

void worklist_free(struct worklist *w)
{
	if (w)
		free(w->v);
	free(w);
}

int worklist_add(struct worklist *w, const struct hkey *h, const struct case_rec *c)
{
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		struct case_copy *v = realloc(w->v, cap * sizeof(*v));
		if (!v)
			return VR_ENOMEM;
		w->v = v;
		w->cap = cap;
	}
	w->v[w->n].h = *h;
	w->v[w->n++].c = *c;
	return VR_OK;
}

/* Most urgent first: priority class, due date (now that it counts from
 * receipt, the team's real deadline), score, then case id (total). */
static int case_cmp(const void *a, const void *b)
{
	const struct case_rec *x = &((const struct case_copy *)a)->c;
	const struct case_rec *y = &((const struct case_copy *)b)->c;
	if (x->priority != y->priority)
		return x->priority > y->priority ? -1 : 1;
	if (x->due != y->due)
		return x->due < y->due ? -1 : 1;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return strcmp(x->id, y->id);
}

void worklist_print(struct worklist *w, FILE *f, const struct engine *e, size_t explain)
{
	static const char *const prio[] = {"normal", "urgent", "crisis"};
	char due[VR_DATE_STRLEN], partners[128];

	qsort(w->v, w->n, sizeof(*w->v), case_cmp);
	fprintf(f, "%4s  %-7s %-10s %5s  %-16s %7s  %-36s %s\n", "#", "prio", "due", "score",
		"team", "bedrag", "partners", "case");
	for (size_t i = 0; i < w->n; i++) {
		const struct case_rec *c = &w->v[i].c;
		case_partner_types(c, partners, sizeof(partners));
		fprintf(f, "%4zu  %-7s %-10s %5d  %-16.16s %7lld  %-36.36s %s\n", i + 1,
			prio[c->priority < 3 ? c->priority : 0], date_format(c->due, due),
			(int)c->score, c->team, (long long)c->amount, partners, c->id);
	}
	size_t top = w->n < explain ? w->n : explain;
	if (top)
		fprintf(f, "\nWhy the first %zu come first:\n\n", top);
	for (size_t i = 0; i < top; i++) {
		if (i)
			fputc('\n', f);
		emit_case_text(f, e, &w->v[i].h, &w->v[i].c);
	}
}
