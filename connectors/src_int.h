/*
 * src_int.h - for implementers of a source backend only (src.h).
 */
#ifndef VR_SRC_INT_H
#define VR_SRC_INT_H

#include "src.h"

struct src_ops {
	const char *name;
	int (*poll)(struct src *s, long wait_ms, struct src_msg *m);
	void (*release)(struct src *s, struct src_msg *m);
	void (*store)(struct src *s, const struct src_msg *m, size_t n);
	void (*commit_sync)(struct src *s);
	bool (*at_end)(const struct src *s);
	int (*header)(struct src *s, const struct src_msg *m, const char *name,
		      const void **val, size_t *len);
	bool (*caught_up)(struct src *s, const char *topic);
	void (*close)(struct src *s);
};

struct src {
	const struct src_ops *ops;
	void *impl;
};

#endif
