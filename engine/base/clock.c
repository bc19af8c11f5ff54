/* clock.c - wall, fixed and event-time clocks. */
#include "clock.h"

#include <stdlib.h>
#include <time.h>

void clock_init_wall(struct vr_clock *c)
{
	c->kind = CLOCK_WALL;
	c->now = VR_DATE_NONE;
	c->until = VR_DATE_NONE;
}

void clock_init_fixed(struct vr_clock *c, vr_date today)
{
	c->kind = CLOCK_FIXED;
	c->now = today;
	c->until = VR_DATE_NONE;
}

void clock_init_event(struct vr_clock *c, vr_date until)
{
	c->kind = CLOCK_EVENT;
	c->now = VR_DATE_NONE;
	c->until = until;
}

/* The municipalities' day of t, whatever the host's TZ says. */
static vr_date amsterdam_day(time_t t)
{
	static int tz_set;
	if (!tz_set) {
		setenv("TZ", "Europe/Amsterdam", 0);
		tzset();
		tz_set = 1;
	}
	struct tm tm;
	localtime_r(&t, &tm);
	return date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static vr_date wall_today(void)
{
	return amsterdam_day(time(NULL));
}

vr_date clock_date_of_ms(long long ms)
{
	return amsterdam_day((time_t)(ms / 1000));
}

vr_date clock_today(const struct vr_clock *c)
{
	return c->kind == CLOCK_WALL ? wall_today() : c->now;
}

vr_date clock_horizon(const struct vr_clock *c)
{
	return c->kind == CLOCK_EVENT ? c->until : clock_today(c);
}

vr_date clock_receipt(const struct vr_clock *c)
{
	return clock_today(c);
}

void clock_observe(struct vr_clock *c, vr_date signal_date)
{
	if (c->kind == CLOCK_EVENT && (c->now == VR_DATE_NONE || signal_date > c->now))
		c->now = signal_date;
}
