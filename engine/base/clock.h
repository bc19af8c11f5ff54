/*
 * clock.h - where the engine gets "today" from.
 *
 * The engine never reads the wall clock itself: `run` gives it a wall clock,
 * `replay` a simulated one, so the same input gives the same output.
 *
 *  - wall:  today in Europe/Amsterdam, read when asked.
 *  - fixed: a date set once (`[engine] clock = DATE` of the service).
 *  - event: event time, the latest signaaldatum accepted so far.  Nothing
 *           is "in the future" relative to other signals (a history may
 *           have quiet months); only after `until`, the end of the input's
 *           period when it is known (`replay --now DATE`).
 *
 * Besides "today", the clock says when a record was received, if the
 * record does not (docs/engine.md, "Order and time"): today (wall), the
 * fixed date, or event time including the record itself.
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
	vr_date until; /* event: the latest acceptable date, or VR_DATE_NONE */
};

void clock_init_wall(struct vr_clock *c);
void clock_init_fixed(struct vr_clock *c, vr_date today);
void clock_init_event(struct vr_clock *c, vr_date until);

/* Today, or VR_DATE_NONE when an event clock has seen nothing yet. */
vr_date clock_today(const struct vr_clock *c);

/* The latest signaaldatum that is not in the future, or VR_DATE_NONE. */
vr_date clock_horizon(const struct vr_clock *c);

/* Tell an event clock a signal was accepted; a no-op for the others. */
void clock_observe(struct vr_clock *c, vr_date signal_date);

/* The receipt date of a record that says none, after clock_observe(). */
vr_date clock_receipt(const struct vr_clock *c);

/* The day in Europe/Amsterdam of a moment (ms since the epoch). */
vr_date clock_date_of_ms(long long ms);

#endif
