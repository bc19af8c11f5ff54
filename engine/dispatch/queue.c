/*
 * queue.c - a team's queue: a binary heap in release order whose entries
 * know their position, so a case that changes (a new partner, an
 * escalation) moves in place, and release takes the head.  Listing walks
 * a sorted copy.
 */
#include <stdlib.h>
#include <string.h>

#include "dispatch_int.h"
#include "vr.h"

bool queue_before(const struct dcase *a, const struct dcase *b)
{
	if (a->priority != b->priority)
		return a->priority > b->priority;
	if (a->due != b->due)
		return a->due < b->due;
	if (a->score != b->score)
		return a->score > b->score;
	return strcmp(a->id, b->id) < 0;
}

static void place(struct team *t, size_t i, struct dcase *x)
{
	t->heap[i] = x;
	x->heap_pos = i;
}

static void sift_up(struct team *t, size_t i)
{
	struct dcase *x = t->heap[i];
	while (i > 0) {
		size_t up = (i - 1) / 2;
		if (!queue_before(x, t->heap[up]))
			break;
		place(t, i, t->heap[up]);
		i = up;
	}
	place(t, i, x);
}

static void sift_down(struct team *t, size_t i)
{
	struct dcase *x = t->heap[i];
	for (;;) {
		size_t l = 2 * i + 1, best = i;
		const struct dcase *bc = x;
		if (l < t->n_heap && queue_before(t->heap[l], bc))
			best = l, bc = t->heap[l];
		if (l + 1 < t->n_heap && queue_before(t->heap[l + 1], bc))
			best = l + 1;
		if (best == i)
			break;
		place(t, i, t->heap[best]);
		i = best;
	}
	place(t, i, x);
}

int queue_put(struct team *t, struct dcase *x)
{
	if (x->heap_pos != SIZE_MAX) {
		sift_up(t, x->heap_pos);
		sift_down(t, x->heap_pos);
		return VR_OK;
	}
	if (t->n_heap == t->cap_heap) {
		size_t cap = t->cap_heap ? 2 * t->cap_heap : 64;
		struct dcase **v = realloc(t->heap, cap * sizeof(*v));
		if (!v)
			return VR_ENOMEM;
		t->heap = v;
		t->cap_heap = cap;
	}
	place(t, t->n_heap++, x);
	sift_up(t, x->heap_pos);
	return VR_OK;
}

void queue_remove(struct team *t, struct dcase *x)
{
	size_t i = x->heap_pos;
	if (i == SIZE_MAX || i >= t->n_heap || t->heap[i] != x)
		return;
	x->heap_pos = SIZE_MAX;
	struct dcase *last = t->heap[--t->n_heap];
	if (last == x)
		return;
	place(t, i, last);
	sift_up(t, i);
	sift_down(t, last->heap_pos);
}

static int order_cmp(const void *a, const void *b)
{
	const struct dcase *x = *(struct dcase *const *)a, *y = *(struct dcase *const *)b;
	return queue_before(x, y) ? -1 : queue_before(y, x) ? 1 : 0;
}

int dispatch_queue_walk(struct dispatch *d, const char *team,
			int (*fn)(void *ud, const struct dispatch_queued *q), void *ud)
{
	struct team *t = NULL;
	for (size_t i = 0; i < d->n_teams && !t; i++)
		if (strcmp(d->teams[i].name, team) == 0)
			t = &d->teams[i];
	if (!t || !t->n_heap)
		return VR_OK;
	struct dcase **v = malloc(t->n_heap * sizeof(*v));
	if (!v)
		return VR_ENOMEM;
	memcpy(v, t->heap, t->n_heap * sizeof(*v));
	qsort(v, t->n_heap, sizeof(*v), order_cmp);
	int rc = VR_OK;
	for (size_t i = 0; i < t->n_heap && rc == VR_OK; i++) {
		struct dispatch_queued q = {i + 1, &v[i]->household, dispatch_snap_open(d, v[i]),
					    v[i]->queued};
		rc = fn(ud, &q);
	}
	free(v);
	return rc;
}
