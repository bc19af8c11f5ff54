/*
 * names.c - interned names (names.h): open addressing over an array of ids.
 *
 * Every household state read back interns its case's rule names, so the
 * look-up is the hot path: the hash takes eight bytes at a time
 * (vr_hash_bytes) and a probe compares lengths before bytes.
 */
#include "names.h"

#include <stdlib.h>
#include <string.h>

#include "vr.h"

struct name {
	char *s;
	uint32_t len, hash;
};

static struct name *names;     /* by id; names[0] unused */
static uint32_t n_names, cap_names;
static uint16_t *slots;        /* hash slots holding ids; 0 empty */
static uint32_t n_slots;       /* a power of two, at least twice n_names */

static uint32_t hash(const char *s, size_t n)
{
	return (uint32_t)vr_hash_bytes(s, n);
}

static int rehash(uint32_t n)
{
	uint16_t *t = calloc(n, sizeof(*t));
	if (!t)
		return -1;
	for (uint32_t id = 1; id < n_names; id++) {
		uint32_t i = names[id].hash & (n - 1);
		while (t[i])
			i = (i + 1) & (n - 1);
		t[i] = (uint16_t)id;
	}
	free(slots);
	slots = t;
	n_slots = n;
	return 0;
}

static uint16_t add(const char *s, size_t n, uint32_t h)
{
	if (n_names == 0)
		n_names = 1; /* id 0 is NAME_NONE */
	if (n_names > UINT16_MAX)
		return NAME_NONE;
	if (n_names >= cap_names) {
		uint32_t cap = cap_names ? cap_names * 2 : 64;
		struct name *v = realloc(names, cap * sizeof(*v));
		if (!v)
			return NAME_NONE;
		names = v;
		cap_names = cap;
	}
	char *copy = malloc(n + 1);
	if (!copy)
		return NAME_NONE;
	memcpy(copy, s, n);
	copy[n] = '\0';
	names[n_names++] = (struct name){copy, (uint32_t)n, h};
	if (n_names * 2 > n_slots && rehash(n_slots ? n_slots * 2 : 128) != 0) {
		free(names[--n_names].s);
		return NAME_NONE;
	}
	uint16_t id = (uint16_t)(n_names - 1);
	uint32_t i = h & (n_slots - 1);
	while (slots[i] && slots[i] != id)
		i = (i + 1) & (n_slots - 1);
	slots[i] = id;
	return id;
}

uint16_t name_intern_n(const char *s, size_t n)
{
	if (n == 0 || n > NAME_MAX_BYTES)
		return NAME_NONE;
	uint32_t h = hash(s, n);
	for (uint32_t i = n_slots ? h & (n_slots - 1) : 0; n_slots && slots[i];
	     i = (i + 1) & (n_slots - 1)) {
		const struct name *x = &names[slots[i]];
		if (x->hash == h && x->len == n && memcmp(x->s, s, n) == 0)
			return slots[i];
	}
	return add(s, n, h);
}

uint16_t name_intern(const char *s)
{
	size_t n = strnlen(s, NAME_MAX_BYTES + 1);
	return name_intern_n(s, n);
}

size_t name_len(uint16_t id)
{
	return id && id < n_names ? names[id].len : 0;
}

const char *name_str(uint16_t id)
{
	return id && id < n_names ? names[id].s : "";
}
