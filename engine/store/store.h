/*
 * store.h - where household state lives between batches.
 *
 * The engine works in batches: it asks the store for the state of every
 * household a batch touches (store_load), decides
 * the batch in memory, and hands back all changes at once (store_apply).  A
 * store applies a batch completely or not at all, and applying the same batch
 * twice changes nothing the second time (every write is a whole value), so a crash between apply and the source's offset commit is
 * harmless, and an apply whose outcome is unknown can simply be repeated.
 *
 * Errors: VR_EAGAIN means "not now" (the server is unreachable, loading,
 * out of memory, read-only): nothing or everything was applied, and the
 * same call may be repeated later.  Any other error is not retryable.
 *
 * Backends: "memory" (replay, demo, tests), built in, and "redis"
 * (store_redis.h), registered by the program.  Callers only use these
 * wrappers; the table of backend functions lives in store_int.h.  A store
 * is used by one thread at a time.
 */
#ifndef VR_STORE_H
#define VR_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "pseudo.h"
#include "state.h"

struct store;

/* [store] url of the service's config. */
extern const struct conf_key store_conf_keys[];

/* One household a batch touches. */
struct store_item {
	struct hkey key;
	bool found;             /* set by load: the store had state for key */
	bool dirty;             /* set by the engine: write state on apply */
	struct hh_state state;  /* load fills it when found */
};

/* A case that left the working state (its household opened a new one). */
struct store_case {
	struct hkey household;
	struct case_rec c;
};

/*
 * A value of the store's own beside the households: dispatch's queue
 * entries and outbox (docs/dispatch.md), written in the same atomic batch
 * as the households whose change made them.  key is the caller's (the
 * backend adds its prefix); val NULL deletes it.  A persistent backend
 * keeps them; the memory store, whose state ends with the process, has
 * no use for them and drops them.
 */
struct store_kv {
	const char *key;
	const void *val;
	size_t len;
	int64_t ttl;            /* seconds; 0 = keep */
};

/* A copy of a value to write, key and value in one allocation (the
 * engine's batch, the service's journal); store_kv_free() frees it. */
int store_kv_copy(struct store_kv *out, const char *key, const void *val, size_t len,
		  int64_t ttl);
void store_kv_free(struct store_kv *kv);

struct store_batch {
	struct store_item *items;
	size_t n_items;
	const struct store_case *cases;  /* completed cases to keep */
	size_t n_cases;
	const struct store_kv *kv;       /* the store's own values to write */
	size_t n_kv;
	/* Retention in seconds (0 = keep): every key written gets its TTL. */
	int64_t ttl_household, ttl_case;
};

/* Counters every backend keeps; read with store_stats(). */
struct store_stats {
	size_t households;      /* states held */
	size_t loads, applies;  /* batches */
	size_t bytes;           /* encoded state bytes held (memory backend) */
};

/*
 * Open a store by URL: "memory" (or "memory:"), "redis://[[user]:password@]
 * host[:port][/db][?prefix=P&timeout=S]" or "unix:///path[?db=N&...]".
 * Returns NULL and fills err for an unknown scheme, a bad URL or a server
 * that refuses the credentials; an unreachable server is not an error here
 * (loads and applies report VR_EAGAIN until it answers).
 */
struct store *store_open(const char *url, char *err, size_t errlen);
/* Is url a store URL a backend accepts, well-formed (store_open() without
 * connecting)?  VR_OK, or VR_EINVAL with err (never echoing a password). */
int store_check_url(const char *url, char *err, size_t errlen);

/* Does url name the in-process store (state lives as long as the process)? */
bool store_url_is_memory(const char *url);
void store_close(struct store *st);
const char *store_name(const struct store *st);

/* Fill found/state of every item. */
int store_load(struct store *st, struct store_batch *b);
/* Write the dirty items and completed cases, atomically. */
int store_apply(struct store *st, const struct store_batch *b);

/*
 * The same two operations in halves, so a caller can work while the server
 * does (a pipeline): send an apply, send the next batch's load, do other
 * work, then wait for the apply's outcome and then for the load.
 *
 *   store_apply_send(st, b1);  store_load_send(st, b2);
 *   ...                        (b1 must stay unchanged until its wait)
 *   rc1 = store_apply_wait(st);  rc2 = store_load_wait(st, b2);
 *
 * A load sent after an apply sees that apply's writes if it succeeds; if it
 * fails, the load's states may be stale and must be thrown away.  At most
 * one apply and one load are outstanding, waited for in the order sent,
 * and every send is waited for before any other call.  A send that fails
 * is still waited for (the wait returns the error).  A send out of turn is
 * a programming error: the store then refuses every call (VR_EINVAL).
 * Backends without a pipeline do the whole work in the send.
 */
void store_apply_send(struct store *st, const struct store_batch *b);
int store_apply_wait(struct store *st);
void store_load_send(struct store *st, struct store_batch *b);
int store_load_wait(struct store *st, struct store_batch *b);

/*
 * Call fn for every household state, in no particular order (callers that
 * need one sort: engine_flush_cases).  A state may expire during the walk
 * and then not be seen.  Stops early and returns fn's value when non-zero.
 */
int store_foreach(struct store *st, int (*fn)(void *ud, const struct hh_state *s), void *ud);

/*
 * Call fn for every value of the store's own whose key starts with prefix
 * (store_kv), in no particular order; stops at fn's non-zero result.  The
 * memory store has none.  Not while a send is outstanding.
 */
int store_kv_scan(struct store *st, const char *prefix,
		  int (*fn)(void *ud, const char *key, const void *val, size_t len), void *ud);
/* One value of the store's own: fn sees it when there is one (VR_OK
 * either way).  The memory store has none. */
int store_kv_get(struct store *st, const char *key,
		 int (*fn)(void *ud, const char *key, const void *val, size_t len), void *ud);
/* Does the store keep its state beyond the process (store_kv)? */
bool store_is_persistent(const struct store *st);

void store_stats(const struct store *st, struct store_stats *out);
/* The backend's last error in words ("" if none), for logs: never holds
 * personal data or a password. */
const char *store_error(const struct store *st);

#endif
