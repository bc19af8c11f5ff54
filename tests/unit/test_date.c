/* test_date.c - civil dates, working days, ages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "harness.h"
#include "vr.h"

static vr_date d(const char *s)
{
	vr_date v = VR_DATE_NONE;
	date_parse(s, strlen(s), &v);
	return v;
}

int main(void)
{
	char buf[VR_DATE_STRLEN];
	vr_date v;

	CHECK_INT(date_from_ymd(1970, 1, 1), 0);
	CHECK_INT(date_from_ymd(2000, 3, 1) - date_from_ymd(2000, 2, 28), 2);
	CHECK_INT(date_from_ymd(2100 - 1, 3, 1) - date_from_ymd(2099, 2, 28), 1);
	CHECK_STR(date_format(d("2024-02-29"), buf), "2024-02-29");
	CHECK_STR(date_format(d("1900-01-01"), buf), "1900-01-01");
	CHECK_STR(date_format(d("2099-12-31"), buf), "2099-12-31");

	/* Round trip over every day of two centuries. */
	int bad = 0;
	for (v = d("1900-01-01"); v <= d("2099-12-31"); v++) {
		vr_date back;
		date_format(v, buf);
		if (date_parse(buf, 10, &back) != VR_OK || back != v)
			bad++;
	}
	CHECK_INT(bad, 0);

	CHECK_INT(date_parse("2023-02-29", 10, &v), VR_EINVAL);
	CHECK_INT(date_parse("2024-02-30", 10, &v), VR_EINVAL);
	CHECK_INT(date_parse("2024-13-01", 10, &v), VR_EINVAL);
	CHECK_INT(date_parse("2024-00-10", 10, &v), VR_EINVAL);
	CHECK_INT(date_parse("1899-12-31", 10, &v), VR_EINVAL);
	CHECK_INT(date_parse("2100-01-01", 10, &v), VR_EINVAL);
	CHECK_INT(date_parse("15-01-2024", 10, &v), VR_EPARSE);
	CHECK_INT(date_parse("2024-1-15", 9, &v), VR_EPARSE);
	CHECK_INT(date_parse("2024-01-15T00:00", 16, &v), VR_EPARSE);
	CHECK_INT(date_parse("2024-0a-15", 10, &v), VR_EPARSE);
	CHECK_INT(date_parse("+024-01-15", 10, &v), VR_EPARSE);

	/* 2024-02-15 is a Thursday. */
	CHECK_INT(date_weekday(d("2024-02-15")), 3);
	CHECK_INT(date_weekday(d("1970-01-01")), 3);
	CHECK(date_is_weekend(d("2024-02-17")));
	CHECK(!date_is_weekend(d("2024-02-19")));
	CHECK_INT(date_add_working_days(d("2024-02-15"), 3), d("2024-02-20"));
	CHECK_INT(date_add_working_days(d("2024-02-16"), 3), d("2024-02-21"));
	CHECK_INT(date_add_working_days(d("2024-02-17"), 3), d("2024-02-21"));
	CHECK_INT(date_add_working_days(d("2024-02-12"), 3), d("2024-02-15"));
	CHECK_INT(date_add_working_days(d("2024-02-12"), 0), d("2024-02-12"));

	/* Easter Sunday, from published tables, with a late (25 April) and an
	 * early one (23 March). */
	static const char *const easter[] = {"2000-04-23", "2008-03-23", "2019-04-21",
					      "2024-03-31", "2025-04-20", "2026-04-05",
					      "2027-03-28", "2038-04-25", "1943-04-25"};
	for (size_t i = 0; i < sizeof(easter) / sizeof(easter[0]); i++) {
		int y = atoi(easter[i]);
		CHECK_INT(date_easter(y), d(easter[i]));
	}
	/* The Algemene termijnenwet's days in 2024 and 2025, and days next to them. */
	static const char *const holidays[] = {
		"2024-01-01", "2024-04-01", "2024-04-27", "2024-05-05", "2024-05-09",
		"2024-05-20", "2024-12-25", "2024-12-26", "2025-01-01", "2025-04-21",
		"2025-04-26", /* King's Day: the 27th is a Sunday */
		"2025-05-05", "2025-05-29", "2025-06-09", "2025-12-25", "2025-12-26",
	};
	for (size_t i = 0; i < sizeof(holidays) / sizeof(holidays[0]); i++) {
		CHECK(date_is_nl_holiday(d(holidays[i]), false));
		if (!date_is_nl_holiday(d(holidays[i]), false))
			fprintf(stderr, "  %s is a holiday\n", holidays[i]);
	}
	static const char *const workdays[] = {
		"2024-01-02", "2024-03-29", /* Good Friday is not one */
		"2024-03-31", "2024-04-02", "2024-04-26", "2024-05-08", "2024-05-10",
		"2024-05-19", "2024-05-21", "2024-12-24", "2024-12-27", "2025-04-27",
		"2025-04-28", "2025-04-25",
	};
	for (size_t i = 0; i < sizeof(workdays) / sizeof(workdays[0]); i++) {
		CHECK(!date_is_nl_holiday(d(workdays[i]), false));
		if (date_is_nl_holiday(d(workdays[i]), false))
			fprintf(stderr, "  %s is not a holiday\n", workdays[i]);
	}
	/* Liberation Day every five years only, when the municipality says so. */
	CHECK(date_is_nl_holiday(d("2025-05-05"), true));
	CHECK(date_is_nl_holiday(d("2030-05-05"), true));
	CHECK(!date_is_nl_holiday(d("2024-05-05"), true));
	CHECK(!date_is_nl_holiday(d("2026-05-05"), true));
	CHECK(date_is_nl_holiday(d("2026-05-05"), false));

	CHECK_INT(date_age_years(d("2000-02-29"), d("2018-02-28")), 17);
	CHECK_INT(date_age_years(d("2000-02-29"), d("2018-03-01")), 18);
	CHECK_INT(date_age_years(d("1980-05-17"), d("2024-05-17")), 44);
	CHECK_INT(date_age_years(d("1980-05-17"), d("2024-05-16")), 43);
	return harness_done();
}
