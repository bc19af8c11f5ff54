/*
 * date.h - civil dates as day numbers.
 *
 * The engine reasons in whole days: signals carry dates, windows are counted
 * in days, due dates in days or working days.  A date is the number of days
 * since 1970-01-01 (proleptic Gregorian), so differences are plain
 * subtraction.  Only dates between 1900-01-01 and 2099-12-31 are accepted;
 * anything else in partner data is a typo, not history.
 */
#ifndef VR_DATE_H
#define VR_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int32_t vr_date;

#define VR_DATE_NONE INT32_MIN
#define VR_DATE_STRLEN 11 /* "YYYY-MM-DD" plus NUL */

/* Days since 1970-01-01 for a valid y-m-d; no range check. */
vr_date date_from_ymd(int y, int m, int d);
void date_to_ymd(vr_date dt, int *y, int *m, int *d);

/*
 * Parse exactly "YYYY-MM-DD" (len bytes, no NUL needed).  Returns VR_OK, or
 * VR_EPARSE when the text is not in that shape, or VR_EINVAL when the shape
 * is right but the day does not exist (2023-02-29) or is out of range.
 */
int date_parse(const char *s, size_t len, vr_date *out);

/* Write "YYYY-MM-DD" into buf (at least VR_DATE_STRLEN bytes); returns buf. */
char *date_format(vr_date dt, char *buf);

/* 0 = Monday ... 6 = Sunday. */
int date_weekday(vr_date dt);
bool date_is_weekend(vr_date dt);

/*
 * The date n working days after dt: weekends are skipped (public holidays
 * become configuration in the rules).  n = 0 returns dt itself.
 */
vr_date date_add_working_days(vr_date dt, int n);

/*
 * Easter Sunday of year (Gregorian, the anonymous algorithm in Meeus'
 * Astronomical Algorithms), for the holidays that follow it.
 */
vr_date date_easter(int year);

/*
 * The national holidays of the Algemene termijnenwet (DOMAIN.md, "Time
 * limits"): New Year's Day, Easter Monday, King's Day (27 April, 26 April
 * when the 27th is a Sunday), Liberation Day (5 May: every year, or only
 * in years divisible by 5 when liberation_lustrum), Ascension Day, Whit
 * Monday, Christmas Day and Boxing Day.  Good Friday is not one.
 */
bool date_is_nl_holiday(vr_date dt, bool liberation_lustrum);

/* Whole years between birth and on (age on date `on`); negative if unborn. */
int date_age_years(vr_date birth, vr_date on);

#endif
