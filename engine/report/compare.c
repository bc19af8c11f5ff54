/* compare.c - status changes and reach of several rule sets over one input. */
#include "compare.h"

#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "vr.h"

struct compare {
	const char *const *names;
	size_t n;
	FILE *changes;
	struct jbuf line;
	size_t records, changed;
	size_t (*trans)[DEC__COUNT][DEC__COUNT]; /* set k against set 0 */
	struct hkey **hh;                        /* sorted households per set */
	size_t *n_hh;
	bool write_failed;
};

struct compare *compare_new(const char *const *names, size_t n, FILE *changes)
{
	struct compare *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->names = names;
	c->n = n;
	c->changes = changes;
	jbuf_init(&c->line, 1 << 16);
	c->trans = calloc(n, sizeof(*c->trans));
	c->hh = calloc(n, sizeof(*c->hh));
	c->n_hh = calloc(n, sizeof(*c->n_hh));
	if (!c->trans || !c->hh || !c->n_hh) {
		compare_free(c);
		return NULL;
	}
	return c;
}

void compare_free(struct compare *c)
{
	if (!c)
		return;
	for (size_t k = 0; c->hh && k < c->n; k++)
		free(c->hh[k]);
	free(c->hh);
	free(c->n_hh);
	free(c->trans);
	jbuf_fini(&c->line);
	free(c);
}

int compare_record(struct compare *c, const char *signal_id, const char *source, long pos,
		   const enum dec_status *status)
{
	bool differs = false;
	c->records++;
	for (size_t k = 0; k < c->n; k++) {
		c->trans[k][status[0]][status[k]]++;
		differs |= status[k] != status[0];
	}
	if (!differs)
		return VR_OK;
	c->changed++;
	if (!c->changes)
		return VR_OK;

	char where[320];
	bool first = true, f2 = true;
	snprintf(where, sizeof(where), "%.280s:%ld", source ? source : "-", pos);
	jbuf_reset(&c->line);
	jbuf_raw(&c->line, "{", 1);
	jbuf_key(&c->line, "signal_id", &first);
	if (signal_id)
		jbuf_str(&c->line, signal_id);
	else
		jbuf_lit(&c->line, "null");
	jbuf_key(&c->line, "source", &first);
	jbuf_str(&c->line, where);
	jbuf_key(&c->line, "status", &first);
	jbuf_raw(&c->line, "{", 1);
	for (size_t k = 0; k < c->n; k++) {
		jbuf_skey(&c->line, c->names[k], &f2);
		jbuf_str(&c->line, dec_status_name(status[k]));
	}
	jbuf_lit(&c->line, "}}\n");
	if (!jbuf_ok(&c->line) || jbuf_write(&c->line, c->changes) != 0) {
		c->write_failed = true;
		return VR_EIO;
	}
	return VR_OK;
}

static int key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, HKEY_LEN);
}

int compare_households(struct compare *c, size_t k, const struct hkey *keys, size_t n)
{
	free(c->hh[k]);
	c->hh[k] = malloc((n ? n : 1) * sizeof(*keys));
	if (!c->hh[k])
		return VR_ENOMEM;
	memcpy(c->hh[k], keys, n * sizeof(*keys));
	qsort(c->hh[k], n, sizeof(*keys), key_cmp);
	c->n_hh[k] = n;
	return VR_OK;
}

/* Households in a but not in b (both sorted). */
static size_t only_in(const struct hkey *a, size_t na, const struct hkey *b, size_t nb)
{
	size_t i = 0, j = 0, only = 0;
	while (i < na) {
		int d = j < nb ? memcmp(&a[i], &b[j], HKEY_LEN) : -1;
		if (d < 0)
			only++, i++;
		else if (d > 0)
			j++;
		else
			i++, j++;
	}
	return only;
}

void compare_json(const struct compare *c, const struct summary *const *sums, struct jbuf *b)
{
	bool first = true;
	jbuf_raw(b, "{", 1);
	jbuf_key(b, "records", &first);
	jbuf_int(b, (long long)c->records);
	jbuf_key(b, "baseline", &first);
	jbuf_str(b, c->names[0]);
	jbuf_key(b, "sets", &first);
	jbuf_raw(b, "[", 1);
	for (size_t k = 0; k < c->n; k++) {
		const struct summary *s = sums[k];
		bool f2 = true;
		if (k)
			jbuf_raw(b, ",", 1);
		jbuf_raw(b, "{", 1);
		jbuf_key(b, "name", &f2);
		jbuf_str(b, c->names[k]);
		jbuf_key(b, "households", &f2);
		jbuf_int(b, (long long)c->n_hh[k]);
		jbuf_key(b, "cases", &f2);
		jbuf_int(b, (long long)s->cases);
		for (int p = PRIO__COUNT - 1; p >= 0; p--) {
			char key[32];
			snprintf(key, sizeof(key), "cases_%s", case_priority_name((enum case_priority)p));
			jbuf_key(b, key, &f2);
			jbuf_int(b, (long long)s->case_priority[p]);
		}
		jbuf_key(b, "status", &f2);
		jbuf_raw(b, "{", 1);
		bool f3 = true;
		for (int i = 0; i < DEC__COUNT; i++) {
			if (!s->status[i])
				continue;
			jbuf_key(b, dec_status_name((enum dec_status)i), &f3);
			jbuf_int(b, (long long)s->status[i]);
		}
		jbuf_raw(b, "}", 1);
		if (k > 0) {
			jbuf_key(b, "households_only_here", &f2);
			jbuf_int(b, (long long)only_in(c->hh[k], c->n_hh[k], c->hh[0], c->n_hh[0]));
			jbuf_key(b, "households_only_in_baseline", &f2);
			jbuf_int(b, (long long)only_in(c->hh[0], c->n_hh[0], c->hh[k], c->n_hh[k]));
			jbuf_key(b, "transitions_from_baseline", &f2);
			jbuf_raw(b, "{", 1);
			bool f4 = true;
			for (int from = 0; from < DEC__COUNT; from++) {
				for (int to = 0; to < DEC__COUNT; to++) {
					size_t v = c->trans[k][from][to];
					char key[160];
					if (!v || from == to)
						continue;
					snprintf(key, sizeof(key), "%s -> %s",
						 dec_status_name((enum dec_status)from),
						 dec_status_name((enum dec_status)to));
					jbuf_key(b, key, &f4);
					jbuf_int(b, (long long)v);
				}
			}
			jbuf_raw(b, "}", 1);
		}
		jbuf_raw(b, "}", 1);
	}
	jbuf_raw(b, "]", 1);
	jbuf_key(b, "signals_changed", &first);
	jbuf_int(b, (long long)c->changed);
	jbuf_lit(b, "}\n");
}

void compare_print(const struct compare *c, const struct summary *const *sums, FILE *f)
{
	fprintf(f, "%-24s %10s %8s %8s %8s %8s\n", "rule set", "households", "cases", "crisis",
		"urgent", "normal");
	for (size_t k = 0; k < c->n; k++)
		fprintf(f, "%-24s %10zu %8zu %8zu %8zu %8zu\n", c->names[k], c->n_hh[k],
			sums[k]->cases, sums[k]->case_priority[PRIO_CRISIS],
			sums[k]->case_priority[PRIO_URGENT], sums[k]->case_priority[PRIO_NORMAL]);
	for (size_t k = 1; k < c->n; k++)
		fprintf(f, "%s vs %s: %zu households only in %s, %zu only in %s\n", c->names[k],
			c->names[0], only_in(c->hh[k], c->n_hh[k], c->hh[0], c->n_hh[0]),
			c->names[k], only_in(c->hh[0], c->n_hh[0], c->hh[k], c->n_hh[k]),
			c->names[0]);
	fprintf(f, "signals whose status differs between rule sets: %zu of %zu\n", c->changed,
		c->records);
}
