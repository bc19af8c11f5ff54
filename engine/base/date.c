/* date.c - civil date arithmetic (days from civil, after H. Hinnant). */
#include "date.h"

#include "vr.h"

#define DATE_MIN_YEAR 1900
#define DATE_MAX_YEAR 2099

vr_date date_from_ymd(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (vr_date)(era * 146097 + doe - 719468);
}

void date_to_ymd(vr_date dt, int *y, int *m, int *d)
{
	int z = dt + 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp + (mp < 10 ? 3 : -9);
	*y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int date_parse(const char *s, size_t len, vr_date *out)
{
	if (len != 10 || s[4] != '-' || s[7] != '-')
		return VR_EPARSE;
	int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
	if (y < 0 || m < 0 || d < 0)
		return VR_EPARSE;
	if (y < DATE_MIN_YEAR || y > DATE_MAX_YEAR || m < 1 || m > 12 || d < 1 ||
	    d > days_in_month(y, m))
		return VR_EINVAL;
	*out = date_from_ymd(y, m, d);
	return VR_OK;
}

char *date_format(vr_date dt, char *buf)
{
	int y, m, d;
	date_to_ymd(dt, &y, &m, &d);
	if (y < 0 || y > 9999)
		y = 0;
	buf[0] = (char)('0' + y / 1000);
	buf[1] = (char)('0' + y / 100 % 10);
	buf[2] = (char)('0' + y / 10 % 10);
	buf[3] = (char)('0' + y % 10);
	buf[4] = '-';
	buf[5] = (char)('0' + m / 10);
	buf[6] = (char)('0' + m % 10);
	buf[7] = '-';
	buf[8] = (char)('0' + d / 10);
	buf[9] = (char)('0' + d % 10);
	buf[10] = '\0';
	return buf;
}

int date_weekday(vr_date dt)
{
	/* 1970-01-01 was a Thursday (3 when Monday = 0). */
	int w = (dt + 3) % 7;
	return w < 0 ? w + 7 : w;
}

bool date_is_weekend(vr_date dt)
{
	return date_weekday(dt) >= 5;
}

vr_date date_add_working_days(vr_date dt, int n)
{
	while (n > 0) {
		dt++;
		if (!date_is_weekend(dt))
			n--;
	}
	return dt;
}

vr_date date_easter(int year)
{
	int a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4;
	int f = (b + 8) / 25, g = (b - f + 1) / 3;
	int h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4, k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
	return date_from_ymd(year, month, day);
}

bool date_is_nl_holiday(vr_date dt, bool liberation_lustrum)
{
	int y, m, d;
	date_to_ymd(dt, &y, &m, &d);
	if ((m == 1 && d == 1) || (m == 12 && (d == 25 || d == 26)))
		return true;
	if (m == 4 && (d == 26 || d == 27)) /* King's Day; the 26th when the 27th is a Sunday */
		return date_weekday(date_from_ymd(y, 4, 27)) == 6 ? d == 26 : d == 27;
	if (m == 5 && d == 5 && (!liberation_lustrum || y % 5 == 0))
		return true;
	if (m < 3 || m > 6)
		return false;
	vr_date easter = date_easter(y);
	/* Easter Monday, Ascension Day, Whit Monday. */
	return dt == easter + 1 || dt == easter + 39 || dt == easter + 50;
}

int date_age_years(vr_date birth, vr_date on)
{
	int by, bm, bd, oy, om, od;
	date_to_ymd(birth, &by, &bm, &bd);
	date_to_ymd(on, &oy, &om, &od);
	int age = oy - by;
	if (om < bm || (om == bm && od < bd))
		age--;
	return age;
}
