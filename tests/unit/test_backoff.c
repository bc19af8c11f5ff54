/*
 * test_backoff.c - pauses between attempts: doubling, capped, jittered
 * within the upper half of each step.
 */
#include "backoff.h"
#include "harness.h"

int main(void)
{
	uint64_t rnd = 12345;
	/* Each pause lies in [step/2, step], step = 0.1 * 2^(n-1) capped at 1.6. */
	for (unsigned n = 1; n <= 10; n++) {
		double step = 0.1;
		for (unsigned i = 1; i < n; i++)
			step *= 2;
		if (step > 1.6)
			step = 1.6;
		for (int k = 0; k < 200; k++) {
			double d = vr_backoff_delay(0.1, 1.6, n, &rnd);
			CHECK(d >= step / 2 && d <= step);
		}
	}
	/* Jitter: 200 pauses of one step are not all the same. */
	double lo = 1, hi = 0;
	for (int k = 0; k < 200; k++) {
		double d = vr_backoff_delay(1, 1, 1, &rnd);
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
	}
	CHECK(hi - lo > 0.25);
	/* The stateful form counts attempts and starts over after a reset. */
	struct vr_backoff b;
	vr_backoff_init(&b, 0.05, 2.0);
	double first = vr_backoff_next(&b);
	CHECK(first >= 0.025 && first <= 0.05);
	for (int i = 0; i < 20; i++)
		CHECK(vr_backoff_next(&b) <= 2.0);
	CHECK(b.attempt == 21);
	vr_backoff_reset(&b);
	first = vr_backoff_next(&b);
	CHECK(first >= 0.025 && first <= 0.05);
	CHECK(vr_backoff_seed(&b) != vr_backoff_seed(&rnd));
	return harness_done();
}
