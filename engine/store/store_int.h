/*
 * store_int.h - for implementers of a store backend only.
 *
 * A backend fills a struct store_ops and registers it with store_register()
 * (the memory backend is built in).  The
 * wrappers in store.c check arguments and count batches, so a backend writes
 * only its own work.  impl is the backend's private state.
 */
#ifndef VR_STORE_INT_H
#define VR_STORE_INT_H

#include "store.h"

struct store_ops {
	const char *name;
	/* Does this backend serve url? */
	bool (*accepts)(const char *url);
	int (*open)(struct store *st, const char *url, char *err, size_t errlen);
	/* Is url well-formed, without connecting? (optional) */
	int (*check)(const char *url, char *err, size_t errlen);
	int (*load)(struct store *st, struct store_batch *b);
	int (*apply)(struct store *st, const struct store_batch *b);
	/* Optional pipelined halves (store.h); when a backend has them,
	 * load and apply may be NULL. */
	int (*apply_send)(struct store *st, const struct store_batch *b);
	int (*apply_wait)(struct store *st);
	int (*load_send)(struct store *st, struct store_batch *b);
	int (*load_wait)(struct store *st, struct store_batch *b);
	int (*foreach)(struct store *st, int (*fn)(void *ud, const struct hh_state *s),
		       void *ud);
	/* store_kv_scan (optional: NULL for a store that keeps none) */
	int (*kv_scan)(struct store *st, const char *prefix,
		       int (*fn)(void *ud, const char *key, const void *val, size_t len),
		       void *ud);
	int (*kv_get)(struct store *st, const char *key,
		      int (*fn)(void *ud, const char *key, const void *val, size_t len), void *ud);
	void (*stats)(const struct store *st, struct store_stats *out);
	/* The last error in words (optional; NULL = none kept). */
	const char *(*error)(const struct store *st);
	void (*close)(struct store *st);
};

struct store {
	const struct store_ops *ops;
	void *impl;
	size_t loads, applies;
	/* Sent halves not yet waited for, and (backends without a pipeline,
	 * or a failed send) their results. */
	bool apply_out, load_out;
	int apply_rc, load_rc;
	bool misused;           /* a send out of turn: everything refused */
};

extern const struct store_ops store_mem_ops;

/* Make a backend available to store_open() (idempotent; not thread-safe:
 * register at start-up). */
int store_register(const struct store_ops *ops);

#endif
