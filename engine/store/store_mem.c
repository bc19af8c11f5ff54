/*
 * store_mem.c - the in-process store.
 *
 * States are kept encoded (state_encode), so a household costs what it uses,
 * not sizeof(struct hh_state).  Entries sit in a vector with an
 * open-addressing index over it.  Completed cases and TTLs are not kept:
 * this store lives as long as the process, and replay writes completed
 * cases out.  Redelivery marks and the current case's contact block (when
 * the engine has a contact key) are part of a household's state.
 * apply allocates everything it needs before it changes anything, so a
 * failed apply leaves the store as it was.
 */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "vr.h"

#define MEM_MIN_CAP 1024
/* Tables grow past 70% full.  (Half full was measured too: no faster on
 * the 1M-signal replay bench, 5% more memory.) */
#define MEM_LOAD_NUM 7
#define MEM_LOAD_DEN 10

struct mem_entry {
	struct hkey key;
	uint32_t len, cap;
	unsigned char *blob;
};

struct mem_store {
	struct mem_entry *entries;
	size_t n_entries, cap_entries;
	uint64_t *index;        /* tag << 32 | entry number + 1; 0 = empty */
	size_t index_cap;       /* power of two */
	size_t bytes;
	/* Per-apply scratch, kept between batches to avoid reallocating. */
	size_t scratch_items;
	unsigned char *scratch;        /* encoded states */
	uint32_t *lens;
	uint32_t *found;               /* entry number, or UINT32_MAX if new */
	unsigned char **fresh;         /* new blobs for entries that must grow */
	const struct store_item **order;
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
	free(m->scratch);
	free(m->lens);
	free(m->found);
	free(m->fresh);
	free(m->order);
	free(m);
}

/* 32 bits of the key that the slot number does not use: a probe compares
 * them before it touches the entry, which is usually a cache miss. */
static uint64_t key_tag(const struct hkey *k)
{
	return (uint64_t)k->b[8] << 24 | (uint64_t)k->b[9] << 16 | (uint64_t)k->b[10] << 8 |
	       k->b[11];
}

static uint32_t slot_entry(uint64_t v)
{
	return (uint32_t)v;
}

/* Slot of key in the index: its entry, or the empty slot where it belongs. */
static size_t index_slot(const struct mem_store *m, const struct hkey *k)
{
	size_t mask = m->index_cap - 1;
	uint64_t tag = key_tag(k);
	for (size_t i = hkey_hash(k) & mask;; i = (i + 1) & mask) {
		uint64_t v = m->index[i];
		if (!v)
			return i;
		if (v >> 32 == tag &&
		    memcmp(m->entries[slot_entry(v) - 1].key.b, k->b, HKEY_LEN) == 0)
			return i;
	}
}

static struct mem_entry *mem_find(const struct mem_store *m, const struct hkey *k)
{
	if (!m->index_cap)
		return NULL;
	uint32_t e = slot_entry(m->index[index_slot(m, k)]);
	return e ? &m->entries[e - 1] : NULL;
}

static void index_set(struct mem_store *m, size_t slot, const struct hkey *k, size_t entry)
{
	m->index[slot] = key_tag(k) << 32 | (uint64_t)(entry + 1);
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
	if (want * MEM_LOAD_DEN < m->index_cap * MEM_LOAD_NUM)
		return VR_OK;
	size_t cap = m->index_cap ? m->index_cap : MEM_MIN_CAP;
	while (want * MEM_LOAD_DEN >= cap * MEM_LOAD_NUM)
		cap *= 2;
	uint64_t *idx = calloc(cap, sizeof(*idx));
	if (!idx)
		return VR_ENOMEM;
	free(m->index);
	m->index = idx;
	m->index_cap = cap;
	for (size_t i = 0; i < m->n_entries; i++)
		index_set(m, index_slot(m, &m->entries[i].key), &m->entries[i].key, i);
	return VR_OK;
}

/*
 * A batch's households are scattered over a table far larger than the CPU
 * cache, so each lookup waits for memory.  Knowing the whole batch up front,
 * the load first asks for every slot, then for every entry, then reads:
 * the waits overlap instead of adding up.
 */
static void prefetch_batch(const struct mem_store *m, const struct store_batch *b)
{
	if (m->index_cap) {
		size_t mask = m->index_cap - 1;
		for (size_t i = 0; i < b->n_items; i++)
			__builtin_prefetch(&m->index[hkey_hash(&b->items[i].key) & mask]);
		for (size_t i = 0; i < b->n_items; i++) {
			uint32_t e = slot_entry(m->index[hkey_hash(&b->items[i].key) & mask]);
			if (e)
				__builtin_prefetch(&m->entries[e - 1]);
		}
		for (size_t i = 0; i < b->n_items; i++) {
			uint32_t e = slot_entry(m->index[hkey_hash(&b->items[i].key) & mask]);
			if (e)
				__builtin_prefetch(m->entries[e - 1].blob);
		}
	}
}

static int mem_load(struct store *st, struct store_batch *b)
{
	struct mem_store *m = st->impl;
	prefetch_batch(m, b);
	for (size_t i = 0; i < b->n_items; i++) {
		struct store_item *it = &b->items[i];
		const struct mem_entry *e = mem_find(m, &it->key);
		if (!e)
			continue;
		if (state_decode(e->blob, e->len, &it->state) != VR_OK)
			return VR_EPARSE;
		it->found = true;
	}
	return VR_OK;
}

static int scratch_reserve(struct mem_store *m, size_t n)
{
	if (n <= m->scratch_items)
		return VR_OK;
	unsigned char *sc = realloc(m->scratch, n * STATE_ENCODED_MAX);
	if (sc)
		m->scratch = sc;
	uint32_t *lens = realloc(m->lens, n * sizeof(*lens));
	if (lens)
		m->lens = lens;
	uint32_t *found = realloc(m->found, n * sizeof(*found));
	if (found)
		m->found = found;
	unsigned char **fresh = realloc(m->fresh, n * sizeof(*fresh));
	if (fresh)
		m->fresh = fresh;
	const struct store_item **order = realloc(m->order, n * sizeof(*order));
	if (order)
		m->order = order;
	if (!sc || !lens || !found || !fresh || !order)
		return VR_ENOMEM;
	m->scratch_items = n;
	return VR_OK;
}

/* Room for a state of len bytes, rounded so small growth reuses the block. */
static uint32_t blob_cap(size_t len)
{
	return (uint32_t)((len + 63) & ~(size_t)63);
}

static int mem_apply(struct store *st, const struct store_batch *b)
{
	struct mem_store *m = st->impl;
	size_t n_dirty = 0, n_new = 0;
	int rc;

	for (size_t i = 0; i < b->n_items; i++)
		n_dirty += b->items[i].dirty;
	if ((rc = scratch_reserve(m, n_dirty ? n_dirty : 1)) != VR_OK)
		return rc;
	memset(m->fresh, 0, n_dirty * sizeof(*m->fresh));
	for (size_t i = 0, k = 0; i < b->n_items; i++)
		if (b->items[i].dirty)
			m->order[k++] = &b->items[i];

	/* Phase 1: everything that can fail. */
	for (size_t k = 0; k < n_dirty; k++) {
		const struct store_item *it = m->order[k];
		size_t len = state_encode(&it->state, m->scratch + k * STATE_ENCODED_MAX);
		const struct mem_entry *e = mem_find(m, &it->key);
		m->lens[k] = (uint32_t)len;
		m->found[k] = e ? (uint32_t)(e - m->entries) : UINT32_MAX;
		n_new += e == NULL;
		if (e && e->cap >= len)
			continue;
		if (!(m->fresh[k] = malloc(blob_cap(len)))) {
			rc = VR_ENOMEM;
			goto out_free;
		}
	}
	if ((rc = index_reserve(m, m->n_entries + n_new)))
		goto out_free;

	/* Phase 2: commit; nothing below fails. */
	for (size_t k = 0; k < n_dirty; k++) {
		const struct store_item *it = m->order[k];
		struct mem_entry *e;
		if (m->found[k] != UINT32_MAX) {
			e = &m->entries[m->found[k]];
			m->bytes -= e->len;
		} else {
			size_t s = index_slot(m, &it->key);
			e = &m->entries[m->n_entries++];
			e->key = it->key;
			e->blob = NULL;
			e->cap = 0;
			index_set(m, s, &it->key, m->n_entries - 1);
		}
		if (m->fresh[k]) {
			free(e->blob);
			e->blob = m->fresh[k];
			e->cap = blob_cap(m->lens[k]);
			m->fresh[k] = NULL;
		}
		e->len = m->lens[k];
		memcpy(e->blob, m->scratch + k * STATE_ENCODED_MAX, e->len);
		m->bytes += e->len;
	}
	return VR_OK;

out_free:
	for (size_t k = 0; k < n_dirty; k++) {
		free(m->fresh[k]);
		m->fresh[k] = NULL;
	}
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
