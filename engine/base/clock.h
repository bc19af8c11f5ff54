/*
 * clock.h - where the engine gets "today" from.
 *
 * The engine never reads the wall clock itself: `run` gives it a wall clock,
 * `replay` a simulated one, so the same input gives the same output.
 *
 *  - wall:  today in Europe/Amsterdam, read when asked.
 *  - fixed: a date set once (`replay --now DATE`), for exact what-if runs.
 *  - event: event time, the latest signaaldatum accepted so far.  A signal
 *           dated more than `skew` days after it is "in the future"; before
 *           the first signal there is nothing to compare with.
 *
 * A clock is a small value owned by its user; it is not thread-safe.
 */
#ifndef VR_CLOCK_H
#define VR_CLOCK_H

#include "date.h"

enum clock_kind { CLOCK_WALL, CLOCK_FIXED, CLOCK_EVENT };

struct vr_clock {
	enum clock_kind kind;
	vr_date now;   /* fixed: the date; event: latest observed */
	int skew;      /* event: days a signal may lie ahead of now */
};

void clock_init_wall(struct vr_clock *c);
void clock_init_fixed(struct vr_clock *c, vr_date today);
void clock_init_event(struct vr_clock *c, int skew_days);

/* Today, or VR_DATE_NONE when an event clock has seen nothing yet. */
vr_date clock_today(const struct vr_clock *c);

/* The latest signaaldatum that is not in the future, or VR_DATE_NONE. */
vr_date clock_horizon(const struct vr_clock *c);

/* Tell an event clock a signal was accepted; a no-op for the others. */
void clock_observe(struct vr_clock *c, vr_date signal_date);

#endif
