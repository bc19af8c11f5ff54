/*
 * vr.h - project-wide result codes and small helpers.
 *
 * Every fallible function in vroeg returns one of these codes (0 on success,
 * negative on failure), in the manner of libuv.  Constructors return a pointer
 * or NULL and fill a caller-supplied error buffer with a human message.
 */
#ifndef VR_H
#define VR_H

#include <stddef.h>
#include <stdint.h>

enum vr_result {
	VR_OK = 0,
	VR_EINVAL = -1,    /* invalid argument or input */
	VR_EAGAIN = -2,    /* retryable: try again later */
	VR_EIO = -3,       /* I/O error */
	VR_ETIMEDOUT = -4, /* operation timed out */
	VR_EPARSE = -5,    /* input does not parse */
	VR_ENOMEM = -6,    /* allocation failed */
	VR_ELIMIT = -7,    /* a configured bound was reached */
	VR_ENOTFOUND = -8, /* no such item */
};

/* Static English description of a result code; never NULL. */
const char *vr_strerror(int rc);

#define VR_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Read at most max + 1 bytes of a file into a malloc'ed buffer with a NUL
 * after them (*len == max + 1 means the file is larger than max: the
 * caller says so in its own words).  NULL with err "path: cannot open: why"
 * or "path: cannot read".
 */
char *vr_read_file(const char *path, size_t max, size_t *len, char *err, size_t errlen);

/* A fast 64-bit hash of n bytes, eight at a step (for tables and for
 * recognising lines; not keyed, never for anything secret). */
uint64_t vr_hash_bytes(const void *p, size_t n);

/* Seconds on the monotonic clock (for waits and rates, never for decisions). */
double vr_mono_now(void);
/* Sleep s seconds (a signal may cut it short). */
void vr_sleep(double s);

#endif
