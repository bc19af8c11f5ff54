/*
 * backoff.h - pauses between attempts: exponential, capped, with jitter.
 *
 * Every retry in vroeg (a sink's message, a store outage in the service or
 * a replay) waits base * 2^(attempt-1), capped at max, and then a random
 * point in the upper half of that: many waiters that failed together do not
 * come back together, and no wait is shorter than half its step.  The
 * randomness is for timing only and never reaches output.
 */
#ifndef VR_BACKOFF_H
#define VR_BACKOFF_H

#include <stdint.h>

struct vr_backoff {
	double base, max;        /* seconds */
	unsigned attempt;        /* attempts so far */
	uint64_t rnd;
};

void vr_backoff_init(struct vr_backoff *b, double base, double max);
/* The pause before the next attempt, in seconds; counts an attempt. */
double vr_backoff_next(struct vr_backoff *b);
/* Success: the next failure starts from base again. */
void vr_backoff_reset(struct vr_backoff *b);

/* The same without the state: the pause after attempt n (n >= 1). */
double vr_backoff_delay(double base, double max, unsigned n, uint64_t *rnd);
/* A seed for rnd that differs between processes and objects. */
uint64_t vr_backoff_seed(const void *p);

#endif
