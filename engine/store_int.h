/*
 * store_int.h - for implementers of a store backend only.
 *
 * A backend fills a struct store_ops and registers it in store.c.  The
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
	int (*load)(struct store *st, struct store_batch *b);
	int (*apply)(struct store *st, const struct store_batch *b);
	int (*foreach)(struct store *st, int (*fn)(void *ud, const struct hh_state *s),
		       void *ud);
	void (*stats)(const struct store *st, struct store_stats *out);
	/* The last error in words (optional; NULL = none kept). */
	const char *(*error)(const struct store *st);
	void (*close)(struct store *st);
};

struct store {
	const struct store_ops *ops;
	void *impl;
	size_t loads, applies;
};

extern const struct store_ops store_mem_ops;
extern const struct store_ops store_redis_ops;

#endif
