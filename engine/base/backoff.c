/* backoff.c - exponential backoff with jitter (backoff.h). */
#include "backoff.h"

#include <unistd.h>

#include "vr.h"

uint64_t vr_backoff_seed(const void *p)
{
	uint64_t s = (uint64_t)(vr_mono_now() * 1e9) ^ (uint64_t)(uintptr_t)p ^
		     ((uint64_t)getpid() << 32) ^ 0x9e3779b97f4a7c15u;
	return s ? s : 1;
}

/* xorshift64*, uniform in [0, 1). */
static double uniform(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return (double)((*x * 2685821657736338717u) >> 11) / 9007199254740992.0;
}

double vr_backoff_delay(double base, double max, unsigned n, uint64_t *rnd)
{
	double d = base;
	for (unsigned i = 1; i < n && d < max; i++)
		d *= 2;
	if (d > max)
		d = max;
	return d / 2 + uniform(rnd) * d / 2;
}

void vr_backoff_init(struct vr_backoff *b, double base, double max)
{
	b->base = base;
	b->max = max;
	b->attempt = 0;
	b->rnd = vr_backoff_seed(b);
}

double vr_backoff_next(struct vr_backoff *b)
{
	return vr_backoff_delay(b->base, b->max, ++b->attempt, &b->rnd);
}

void vr_backoff_reset(struct vr_backoff *b)
{
	b->attempt = 0;
}
