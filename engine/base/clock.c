/* clock.c - wall, fixed and event-time clocks. */
#include "clock.h"

#include <stdlib.h>
#include <time.h>

void clock_init_wall(struct vr_clock *c)
{
	c->kind = CLOCK_WALL;
	c->now = VR_DATE_NONE;
	c->skew = 0;
}

void clock_init_fixed(struct vr_clock *c, vr_date today)
{
	c->kind = CLOCK_FIXED;
	c->now = today;
	c->skew = 0;
}

void clock_init_event(struct vr_clock *c, int skew_days)
{
	c->kind = CLOCK_EVENT;
	c->now = VR_DATE_NONE;
	c->skew = skew_days;
}

static vr_date wall_today(void)
{
	/* The municipalities' day, whatever the host's TZ says. */
	static int tz_set;
	if (!tz_set) {
		setenv("TZ", "Europe/Amsterdam", 0);
		tzset();
		tz_set = 1;
	}
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	return date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

vr_date clock_today(const struct vr_clock *c)
{
	return c->kind == CLOCK_WALL ? wall_today() : c->now;
}

vr_date clock_horizon(const struct vr_clock *c)
{
	vr_date t = clock_today(c);
	return t == VR_DATE_NONE ? t : t + c->skew;
}

void clock_observe(struct vr_clock *c, vr_date signal_date)
{
	if (c->kind == CLOCK_EVENT && (c->now == VR_DATE_NONE || signal_date > c->now))
		c->now = signal_date;
}
