/*
 * store_mem.c - the in-process store.
 *
 * States are kept encoded (state_encode), so a household costs what it uses,
 * not sizeof(struct hh_state).  Entries sit in a vector in first-stored order
 * (which makes store_foreach deterministic whatever the pseudonym key) with an
 * open-addressing index over it.  Redelivery marks are a separate set.
 * apply allocates everything it needs before it changes anything, so a
 * failed apply leaves the store as it was.
 */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "vr.h"

#define MEM_MIN_CAP 1024

struct mem_entry {
	struct hkey key;
	uint32_t len;
	unsigned char *blob;
};

struct mem_store {
	struct mem_entry *entries;
	size_t n_entries, cap_entries;
	uint32_t *index;        /* entry number + 1, 0 = empty */
	size_t index_cap;       /* power of two */
	struct hkey *marks;
	unsigned char *mark_used;
	size_t n_marks, mark_cap;
	size_t bytes;
};

static bool mem_accepts(const char *url)
{
	return strcmp(url, "memory") == 0 || strcmp(url, "memory:") == 0;
}

static int mem_open(struct store *st, const char *url, char *err, size_t errlen)
{
	struct mem_store *m = calloc(1, sizeof(*m));
	if (!m)
		return VR_ENOMEM;
	st->impl = m;
	return VR_OK;
}

static void mem_close(struct store *st)
{
	struct mem_store *m = st->impl;
	for (size_t i = 0; i < m->n_entries; i++)
		free(m->entries[i].blob);
	free(m->entries);
	free(m->index);
	free(m->marks);
	free(m->mark_used);
	free(m);
}

/* Slot of key in the index: its entry, or the empty slot where it belongs. */
static size_t index_slot(const struct mem_store *m, const struct hkey *k)
{
	size_t mask = m->index_cap - 1;
	for (size_t i = hkey_hash(k) & mask;; i = (i + 1) & mask) {
		uint32_t e = m->index[i];
		if (!e || memcmp(m->entries[e - 1].key.b, k->b, HKEY_LEN) == 0)
			return i;
	}
}

static struct mem_entry *mem_find(const struct mem_store *m, const struct hkey *k)
{
	if (!m->index_cap)
		return NULL;
	uint32_t e = m->index[index_slot(m, k)];
	return e ? &m->entries[e - 1] : NULL;
}

static int index_reserve(struct mem_store *m, size_t want)
{
	if (want > UINT32_MAX - 1)
		return VR_ELIMIT;
	if (want > m->cap_entries) {
		size_t cap = m->cap_entries ? m->cap_entries * 2 : MEM_MIN_CAP;
		while (cap < want)
			cap *= 2;
		struct mem_entry *e = realloc(m->entries, cap * sizeof(*e));
		if (!e)
			return VR_ENOMEM;
		m->entries = e;
		m->cap_entries = cap;
	}
	if (want * 10 < m->index_cap * 7)
		return VR_OK;
	size_t cap = m->index_cap ? m->index_cap : MEM_MIN_CAP;
	while (want * 10 >= cap * 7)
		cap *= 2;
	uint32_t *idx = calloc(cap, sizeof(*idx));
	if (!idx)
		return VR_ENOMEM;
	free(m->index);
	m->index = idx;
	m->index_cap = cap;
	for (size_t i = 0; i < m->n_entries; i++)
		m->index[index_slot(m, &m->entries[i].key)] = (uint32_t)(i + 1);
	return VR_OK;
}

static size_t mark_slot(const struct mem_store *m, const struct hkey *k)
{
	size_t mask = m->mark_cap - 1;
	for (size_t i = hkey_hash(k) & mask;; i = (i + 1) & mask)
		if (!m->mark_used[i] || memcmp(m->marks[i].b, k->b, HKEY_LEN) == 0)
			return i;
}

static int marks_reserve(struct mem_store *m, size_t want)
{
	if (want * 10 < m->mark_cap * 7)
		return VR_OK;
	size_t cap = m->mark_cap ? m->mark_cap : MEM_MIN_CAP;
	while (want * 10 >= cap * 7)
		cap *= 2;
	struct hkey *keys = malloc(cap * sizeof(*keys));
	unsigned char *used = calloc(cap, 1);
	if (!keys || !used) {
		free(keys);
		free(used);
		return VR_ENOMEM;
	}
	struct hkey *old = m->marks;
	unsigned char *old_used = m->mark_used;
	size_t old_cap = m->mark_cap;
	m->marks = keys;
	m->mark_used = used;
	m->mark_cap = cap;
	for (size_t i = 0; i < old_cap; i++) {
		if (!old_used[i])
			continue;
		size_t s = mark_slot(m, &old[i]);
		m->marks[s] = old[i];
		m->mark_used[s] = 1;
	}
	free(old);
	free(old_used);
	return VR_OK;
}

static int mem_load(struct store *st, struct store_batch *b)
{
	struct mem_store *m = st->impl;
	for (size_t i = 0; i < b->n_items; i++) {
		struct store_item *it = &b->items[i];
		const struct mem_entry *e = mem_find(m, &it->key);
		if (!e)
			continue;
		if (state_decode(e->blob, e->len, &it->state) != VR_OK)
			return VR_EPARSE;
		it->found = true;
	}
	for (size_t i = 0; m->mark_cap && i < b->n_marks; i++)
		b->marks[i].seen = m->mark_used[mark_slot(m, &b->marks[i].key)];
	return VR_OK;
}

static int mem_apply(struct store *st, const struct store_batch *b)
{
	struct mem_store *m = st->impl;
	unsigned char buf[STATE_ENCODED_MAX];
	size_t n_dirty = 0, n_new = 0, n_add = 0;
	int rc = VR_OK;

	for (size_t i = 0; i < b->n_items; i++)
		n_dirty += b->items[i].dirty;
	for (size_t i = 0; i < b->n_marks; i++)
		n_add += b->marks[i].add;
	unsigned char **blobs = calloc(n_dirty ? n_dirty : 1, sizeof(*blobs));
	uint32_t *lens = calloc(n_dirty ? n_dirty : 1, sizeof(*lens));
	const struct store_item **order = calloc(n_dirty ? n_dirty : 1, sizeof(*order));
	if (!blobs || !lens || !order) {
		rc = VR_ENOMEM;
		goto out_free;
	}
	for (size_t i = 0; i < b->n_items; i++) {
		const struct store_item *it = &b->items[i];
		if (!it->dirty)
			continue;
		if (it->dirty_seq >= n_dirty || order[it->dirty_seq]) {
			rc = VR_EINVAL; /* the engine numbers dirty items 0..n-1 */
			goto out_free;
		}
		order[it->dirty_seq] = it;
	}
	/* Phase 1: everything that can fail. */
	for (size_t k = 0; k < n_dirty; k++) {
		const struct store_item *it = order[k];
		size_t len = state_encode(&it->state, buf);
		blobs[k] = malloc(len);
		if (!blobs[k]) {
			rc = VR_ENOMEM;
			goto out_free;
		}
		memcpy(blobs[k], buf, len);
		lens[k] = (uint32_t)len;
		n_new += mem_find(m, &it->key) == NULL;
	}
	if ((rc = index_reserve(m, m->n_entries + n_new)) ||
	    (rc = marks_reserve(m, m->n_marks + n_add)))
		goto out_free;

	/* Phase 2: commit; nothing below fails. */
	for (size_t k = 0; k < n_dirty; k++) {
		const struct store_item *it = order[k];
		size_t s = index_slot(m, &it->key);
		struct mem_entry *e;
		if (m->index[s]) {
			e = &m->entries[m->index[s] - 1];
			m->bytes -= e->len;
			free(e->blob);
		} else {
			e = &m->entries[m->n_entries++];
			e->key = it->key;
			m->index[s] = (uint32_t)m->n_entries;
		}
		e->blob = blobs[k];
		e->len = lens[k];
		m->bytes += e->len;
		blobs[k] = NULL;
	}
	for (size_t i = 0; i < b->n_marks; i++) {
		if (!b->marks[i].add)
			continue;
		size_t s = mark_slot(m, &b->marks[i].key);
		if (!m->mark_used[s]) {
			m->marks[s] = b->marks[i].key;
			m->mark_used[s] = 1;
			m->n_marks++;
		}
	}
out_free:
	for (size_t k = 0; blobs && k < n_dirty; k++)
		free(blobs[k]);
	free(blobs);
	free(lens);
	free(order);
	return rc;
}

static int mem_foreach(struct store *st, int (*fn)(void *ud, const struct hh_state *s),
		       void *ud)
{
	struct mem_store *m = st->impl;
	struct hh_state *s = malloc(sizeof(*s));
	int rc = VR_OK;
	if (!s)
		return VR_ENOMEM;
	for (size_t i = 0; i < m->n_entries && rc == VR_OK; i++) {
		if (state_decode(m->entries[i].blob, m->entries[i].len, s) != VR_OK)
			rc = VR_EPARSE;
		else
			rc = fn(ud, s);
	}
	free(s);
	return rc;
}

static void mem_stats(const struct store *st, struct store_stats *out)
{
	const struct mem_store *m = st->impl;
	out->households = m->n_entries;
	out->marks = m->n_marks;
	out->bytes = m->bytes;
}

const struct store_ops store_mem_ops = {
	.name = "memory",
	.accepts = mem_accepts,
	.open = mem_open,
	.load = mem_load,
	.apply = mem_apply,
	.foreach = mem_foreach,
	.stats = mem_stats,
	.close = mem_close,
};
