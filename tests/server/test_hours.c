/*
 * test_hours.c - working calendars (server/hours.c) to the second: weekly
 * hours in Asia/Shanghai at their boundaries, a holiday week, a make-up
 * working day (调休), the next opening, a zone with daylight saving time
 * (America/New_York across its spring change), the local zone left as it
 * was, and the parsers' refusals.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hours.h"
#include "../tap.h"

static time_t
at(const char *iso)
{
	time_t t = 0;

	if (hours_parse_iso(iso, &t) < 0) {
		printf("Bail out! bad test time %s\n", iso);
		exit(1);
	}
	return t;
}

static int
open_at(const struct hours *h, const char *iso)
{
	return hours_at(h, at(iso), NULL) == HOURS_OPEN;
}

static void
test_shanghai(void)
{
	struct hours h;
	char err[160] = "";
	time_t opens;

	memset(&h, 0, sizeof(h));
	ok(hours_set_tz(&h, "Asia/Shanghai", err, sizeof(err)) == 0, "zone Asia/Shanghai: %s", err);
	ok(hours_parse_week(&h, "mon-fri 09:00-12:00 13:00-18:00, sat 10:00-14:00", err,
	    sizeof(err)) == 0, "weekly hours parse: %s", err);
	ok(hours_parse_dates(h.holidays, &h.nholidays, "2026-10-01..2026-10-07, 2027-01-01",
	    err, sizeof(err)) == 0 && h.nholidays == 2, "holidays parse: %s", err);
	ok(hours_parse_dates(h.workdays, &h.nworkdays, "2026-10-11", err, sizeof(err)) == 0,
	    "extra working day parses: %s", err);

	/* Friday 2026-09-25 */
	ok(!open_at(&h, "2026-09-25T08:59:59+08:00"), "Fri 08:59:59: closed");
	ok(open_at(&h, "2026-09-25T09:00:00+08:00"), "Fri 09:00:00: open");
	ok(open_at(&h, "2026-09-25T01:00:00Z"), "Fri 01:00 UTC is 09:00 in Shanghai: open");
	ok(open_at(&h, "2026-09-25T11:59:59+08:00"), "Fri 11:59:59: open");
	ok(!open_at(&h, "2026-09-25T12:00:00+08:00"), "Fri 12:00:00 (lunch): closed");
	ok(open_at(&h, "2026-09-25T13:00:00+08:00"), "Fri 13:00:00: open");
	ok(open_at(&h, "2026-09-25T17:59:59+08:00"), "Fri 17:59:59: open");
	ok(!open_at(&h, "2026-09-25T18:00:00+08:00"), "Fri 18:00:00: closed");
	is_int(hours_at(&h, at("2026-09-25T12:30:00+08:00"), &opens), HOURS_CLOSED,
	    "lunch is HOURS_CLOSED");
	is_int(opens, at("2026-09-25T13:00:00+08:00"), "lunch: opens at 13:00 the same day");
	hours_at(&h, at("2026-09-25T18:00:00+08:00"), &opens);
	is_int(opens, at("2026-09-26T10:00:00+08:00"), "Fri evening: opens Sat 10:00");
	ok(!open_at(&h, "2026-09-27T10:00:00+08:00"), "Sunday: closed");
	hours_at(&h, at("2026-09-27T10:00:00+08:00"), &opens);
	is_int(opens, at("2026-09-28T09:00:00+08:00"), "Sunday: opens Mon 09:00");

	/* the National Day week: holidays, then a Sunday make-up day */
	is_int(hours_at(&h, at("2026-10-01T10:00:00+08:00"), &opens), HOURS_HOLIDAY,
	    "Thu 2026-10-01 10:00: holiday");
	is_int(opens, at("2026-10-08T09:00:00+08:00"), "the holiday week: opens Thu 10-08 09:00");
	is_int(hours_at(&h, at("2026-10-07T23:59:59+08:00"), NULL), HOURS_HOLIDAY,
	    "the last second of the holiday range is still a holiday");
	ok(open_at(&h, "2026-10-11T09:00:00+08:00"), "Sun 2026-10-11 (make-up day) 09:00: open");
	ok(!open_at(&h, "2026-10-11T08:59:59+08:00"), "make-up day 08:59:59: closed");
	ok(!open_at(&h, "2026-10-11T18:00:00+08:00"), "make-up day 18:00: closed (Monday's hours)");
	ok(!open_at(&h, "2026-10-18T09:00:00+08:00"), "the Sunday after: closed");
	hours_at(&h, at("2026-10-10T15:00:00+08:00"), &opens);
	is_int(opens, at("2026-10-11T09:00:00+08:00"), "Sat after hours: opens on the make-up Sunday");
}

static void
test_dst(void)
{
	struct hours h;
	char err[160] = "";

	memset(&h, 0, sizeof(h));
	ok(hours_set_tz(&h, "America/New_York", err, sizeof(err)) == 0 &&
	    hours_parse_week(&h, "daily 09:00-17:00", err, sizeof(err)) == 0,
	    "America/New_York daily 09:00-17:00: %s", err);
	/* EST (UTC-5) on Saturday 2027-03-13, EDT (UTC-4) from Sunday 03-14 */
	ok(open_at(&h, "2027-03-13T14:00:00Z"), "Sat 14:00 UTC = 09:00 EST: open");
	ok(!open_at(&h, "2027-03-13T13:59:59Z"), "Sat 13:59:59 UTC = 08:59:59 EST: closed");
	ok(open_at(&h, "2027-03-14T13:00:00Z"), "Sun 13:00 UTC = 09:00 EDT: open");
	ok(!open_at(&h, "2027-03-14T12:59:59Z"), "Sun 12:59:59 UTC = 08:59:59 EDT: closed");
	is_int(hours_utc_offset("America/New_York", at("2027-03-14T06:59:59Z")), -5 * 3600,
	    "a second before the change: UTC-5");
	is_int(hours_utc_offset("America/New_York", at("2027-03-14T07:00:00Z")), -4 * 3600,
	    "at the change: UTC-4");
}

static void
test_tz_untouched(void)
{
	const char *before;

	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	(void)hours_utc_offset("Asia/Tokyo", at("2026-06-01T00:00:00Z"));
	before = getenv("TZ");
	ok(before && strcmp(before, "Europe/Berlin") == 0, "TZ is restored after a zone lookup");
	is_int(hours_utc_offset("", at("2026-06-01T00:00:00Z")), 2 * 3600,
	    "the local zone is Berlin's summer time again");
	unsetenv("TZ");
	tzset();
	ok(getenv("TZ") == NULL, "an unset TZ stays unset");
	(void)hours_utc_offset("Asia/Kolkata", at("2026-06-01T00:15:00Z"));
	ok(getenv("TZ") == NULL, "and is unset again after a lookup");
}

static void
test_refusals(void)
{
	struct hours h;
	struct hours_dates d[HOURS_MAX_DATES];
	char err[160];
	int n;
	time_t t;
	static const char *bad_weeks[] = { "mon-fri", "mon-fri 9-18", "someday 09:00-10:00",
	    "mon 18:00-09:00", "mon 09:00-24:01", "mon 09:60-10:00", "tue 10:00-10:00" };
	static const char *bad_dates[] = { "2026-02-29", "2026-13-01", "2026-1-1",
	    "2026-10-07..2026-10-01", "tomorrow", "2026-10-01..", "1969-12-31" };
	static const char *bad_zones[] = { "Mars/Olympus", "../../etc/passwd", "/etc/localtime",
	    "Asia/Shanghai; rm", "" };
	static const char *bad_iso[] = { "2026-09-25", "2026-09-25T25:00", "2026-09-25T09:00+15:00",
	    "2026-09-25T09:00X", "2026-09-25T09:00:61" };

	for (size_t i = 0; i < sizeof(bad_weeks) / sizeof(bad_weeks[0]); i++) {
		memset(&h, 0, sizeof(h));
		ok(hours_parse_week(&h, bad_weeks[i], err, sizeof(err)) < 0,
		    "hours '%s' refused (%s)", bad_weeks[i], err);
	}
	for (size_t i = 0; i < sizeof(bad_dates) / sizeof(bad_dates[0]); i++)
		ok(hours_parse_dates(d, &n, bad_dates[i], err, sizeof(err)) < 0,
		    "date '%s' refused (%s)", bad_dates[i], err);
	for (size_t i = 0; i < sizeof(bad_zones) / sizeof(bad_zones[0]); i++)
		ok(hours_set_tz(&h, bad_zones[i], err, sizeof(err)) < 0,
		    "zone '%s' refused", bad_zones[i]);
	for (size_t i = 0; i < sizeof(bad_iso) / sizeof(bad_iso[0]); i++)
		ok(hours_parse_iso(bad_iso[i], &t) < 0, "time '%s' refused", bad_iso[i]);
	ok(hours_parse_iso("2024-02-29T12:00:00-05:00", &t) == 0 && t == 1709226000,
	    "2024-02-29T12:00:00-05:00 is 1709226000");
	memset(&h, 0, sizeof(h));
	ok(hours_at(&h, at("2026-10-01T03:00:00Z"), NULL) == HOURS_OPEN,
	    "a group without hours is always open");
}

int
main(void)
{
	test_shanghai();
	test_dst();
	test_tz_untouched();
	test_refusals();
	return tap_done();
}
