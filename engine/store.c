/* store.c - backend registry and the wrappers every caller goes through. */
#include "store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vr.h"

static const struct store_ops *const backends[] = {
	&store_mem_ops,
	&store_redis_ops,
};

struct store *store_open(const char *url, char *err, size_t errlen)
{
	for (size_t i = 0; i < VR_ARRAY_LEN(backends); i++) {
		if (!backends[i]->accepts(url))
			continue;
		struct store *st = calloc(1, sizeof(*st));
		if (!st) {
			snprintf(err, errlen, "out of memory");
			return NULL;
		}
		st->ops = backends[i];
		if (st->ops->open(st, url, err, errlen) != VR_OK) {
			free(st);
			return NULL;
		}
		return st;
	}
	snprintf(err, errlen, "unknown store \"%.20s...\" (expected memory, redis://host:port "
			      "or unix:///path)", url);
	return NULL;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	st->ops->close(st);
	free(st);
}

const char *store_name(const struct store *st)
{
	return st->ops->name;
}

int store_load(struct store *st, struct store_batch *b)
{
	for (size_t i = 0; i < b->n_items; i++)
		b->items[i].found = false;
	st->loads++;
	return st->ops->load(st, b);
}

int store_apply(struct store *st, const struct store_batch *b)
{
	st->applies++;
	return st->ops->apply(st, b);
}

int store_foreach(struct store *st, int (*fn)(void *ud, const struct hh_state *s), void *ud)
{
	return st->ops->foreach(st, fn, ud);
}

void store_stats(const struct store *st, struct store_stats *out)
{
	memset(out, 0, sizeof(*out));
	st->ops->stats(st, out);
	out->loads = st->loads;
	out->applies = st->applies;
}

const char *store_error(const struct store *st)
{
	const char *e = st->ops->error ? st->ops->error(st) : NULL;
	return e ? e : "";
}
