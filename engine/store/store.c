/* store.c - backend registry and the wrappers every caller goes through. */
#include "store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vr.h"

const struct conf_key store_conf_keys[] = {
	{"store", "url", CONF_STR, "memory",
	 "memory, redis://host:port/db?prefix=P or unix:///path (docs/state.md)", 0, 0},
	{NULL, NULL, 0, NULL, NULL, 0, 0},
};

/* The memory backend is always there; server backends are registered by
 * the program (store_redis_register()), so code that needs only the memory
 * store does not link their client libraries. */
#define BACKENDS_MAX 8
static const struct store_ops *backends[BACKENDS_MAX] = {&store_mem_ops};
static size_t n_backends = 1;

int store_register(const struct store_ops *ops)
{
	for (size_t i = 0; i < n_backends; i++)
		if (backends[i] == ops)
			return VR_OK;
	if (n_backends == BACKENDS_MAX)
		return VR_ELIMIT;
	backends[n_backends++] = ops;
	return VR_OK;
}

/* The backend serving url, or NULL with err saying what is accepted. */
static const struct store_ops *backend_of(const char *url, char *err, size_t errlen)
{
	for (size_t i = 0; i < n_backends; i++)
		if (backends[i]->accepts(url))
			return backends[i];
	snprintf(err, errlen, "unknown store \"%.20s...\" (expected memory, redis://host:port "
			      "or unix:///path)", url);
	return NULL;
}

struct store *store_open(const char *url, char *err, size_t errlen)
{
	const struct store_ops *ops = backend_of(url, err, errlen);
	if (!ops)
		return NULL;
	struct store *st = calloc(1, sizeof(*st));
	if (!st) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	st->ops = ops;
	if (st->ops->open(st, url, err, errlen) != VR_OK) {
		free(st);
		return NULL;
	}
	return st;
}

int store_check_url(const char *url, char *err, size_t errlen)
{
	const struct store_ops *ops = backend_of(url, err, errlen);
	if (!ops)
		return VR_EINVAL;
	return ops->check ? ops->check(url, err, errlen) : VR_OK;
}

bool store_url_is_memory(const char *url)
{
	return store_mem_ops.accepts(url);
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

/* A send out of turn (store.h) would mix up the answers on a pipelined
 * connection: it is refused, and so is everything after it. */
static bool out_of_turn(struct store *st)
{
	if (st->apply_out || st->load_out)
		st->misused = true;
	return st->misused;
}

void store_apply_send(struct store *st, const struct store_batch *b)
{
	if (out_of_turn(st))
		return;
	st->applies++;
	st->apply_out = true;
	st->apply_rc = st->ops->apply_send ? st->ops->apply_send(st, b) : st->ops->apply(st, b);
}

int store_apply_wait(struct store *st)
{
	if (!st->apply_out || st->misused)
		return VR_EINVAL;
	st->apply_out = false;
	if (st->apply_rc != VR_OK || !st->ops->apply_wait)
		return st->apply_rc;
	return st->ops->apply_wait(st);
}

void store_load_send(struct store *st, struct store_batch *b)
{
	if (st->load_out || st->misused) {
		st->misused = true;
		return;
	}
	for (size_t i = 0; i < b->n_items; i++)
		b->items[i].found = false;
	st->loads++;
	st->load_out = true;
	st->load_rc = st->ops->load_send ? st->ops->load_send(st, b) : st->ops->load(st, b);
}

int store_load_wait(struct store *st, struct store_batch *b)
{
	if (!st->load_out || st->apply_out || st->misused)
		return VR_EINVAL;
	st->load_out = false;
	if (st->load_rc != VR_OK || !st->ops->load_wait)
		return st->load_rc;
	return st->ops->load_wait(st, b);
}

int store_load(struct store *st, struct store_batch *b)
{
	if (st->apply_out || st->load_out || st->misused)
		return VR_EINVAL;
	store_load_send(st, b);
	return store_load_wait(st, b);
}

int store_apply(struct store *st, const struct store_batch *b)
{
	if (st->apply_out || st->load_out || st->misused)
		return VR_EINVAL;
	store_apply_send(st, b);
	return store_apply_wait(st);
}

int store_foreach(struct store *st, int (*fn)(void *ud, const struct hh_state *s), void *ud)
{
	if (st->apply_out || st->load_out || st->misused)
		return VR_EINVAL;
	return st->ops->foreach(st, fn, ud);
}

int store_kv_copy(struct store_kv *out, const char *key, const void *val, size_t len,
		  int64_t ttl)
{
	size_t kl = strlen(key) + 1;
	char *m = malloc(kl + (val ? len : 0));
	if (!m)
		return VR_ENOMEM;
	memcpy(m, key, kl);
	if (val)
		memcpy(m + kl, val, len);
	*out = (struct store_kv){m, val ? m + kl : NULL, val ? len : 0, ttl};
	return VR_OK;
}

void store_kv_free(struct store_kv *kv)
{
	free((void *)kv->key);
	kv->key = NULL;
}

int store_kv_scan(struct store *st, const char *prefix,
		  int (*fn)(void *ud, const char *key, const void *val, size_t len), void *ud)
{
	if (st->apply_out || st->load_out || st->misused)
		return VR_EINVAL;
	return st->ops->kv_scan ? st->ops->kv_scan(st, prefix, fn, ud) : VR_OK;
}

int store_kv_get(struct store *st, const char *key,
		 int (*fn)(void *ud, const char *key, const void *val, size_t len), void *ud)
{
	if (st->apply_out || st->load_out || st->misused)
		return VR_EINVAL;
	return st->ops->kv_get ? st->ops->kv_get(st, key, fn, ud) : VR_OK;
}

bool store_is_persistent(const struct store *st)
{
	return st->ops->kv_scan != NULL;
}

void store_stats(const struct store *st, struct store_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!st->apply_out && !st->load_out)
		st->ops->stats(st, out);
	out->loads = st->loads;
	out->applies = st->applies;
}

const char *store_error(const struct store *st)
{
	const char *e = st->ops->error ? st->ops->error(st) : NULL;
	return e ? e : "";
}
