/*
 * hours.c - working calendars (hours.h): parsing the hours, holidays and
 * extra working days of a group, and deciding at an instant whether the
 * group is open, and when it opens next.
 *
 * Time zones. The C library knows IANA zones only through the TZ variable,
 * which is process-wide: localtime_r() follows whatever TZ says. kefud is
 * one thread (the password and checkpoint helpers are separate processes
 * with their own environment), so hours_utc_offset() may set TZ to the
 * group's zone, take one localtime_r(), and put TZ back as it was before
 * anything else runs; nothing can observe the switch. To keep tzset()'s
 * file reads off the hot path, the offset is cached per zone for the
 * quarter hour of UTC it was computed in: every real zone changes its
 * offset on a quarter hour of UTC (offsets are multiples of 15 minutes and
 * changes happen on the local hour), so a cached value is never stale.
 * With the offset, local wall time is plain arithmetic (t + offset through
 * gmtime_r, which no TZ affects).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "hours.h"

static const char *const day_names[7] = { "sun", "mon", "tue", "wed", "thu",
    "fri", "sat" };

/* ---- parsing ---- */

/* The next item of a list separated by ',' or ';', trimmed, into buf;
 * NULL at the end. */
static const char *
next_item(const char *p, char *buf, size_t len)
{
	size_t n;

	while (*p == ',' || *p == ';' || *p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return NULL;
	n = strcspn(p, ",;");
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n >= len)
		n = len - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	p += n;
	while (*p && *p != ',' && *p != ';')
		p++;
	return p;
}

static int
day_index(const char *s, size_t n)
{
	for (int i = 0; i < 7; i++)
		if (n == 3 && strncasecmp(s, day_names[i], 3) == 0)
			return i;
	return -1;
}

/* "mon", "mon-fri", "fri-mon" (wraps) or "daily" into a day mask. */
static int
parse_days(const char *w, unsigned *mask)
{
	const char *dash = strchr(w, '-');
	int a, b;

	if (strcasecmp(w, "daily") == 0) {
		*mask = 0x7f;
		return 0;
	}
	a = day_index(w, dash ? (size_t)(dash - w) : strlen(w));
	b = dash ? day_index(dash + 1, strlen(dash + 1)) : a;
	if (a < 0 || b < 0)
		return -1;
	*mask = 0;
	for (int d = a;; d = (d + 1) % 7) {
		*mask |= 1u << d;
		if (d == b)
			break;
	}
	return 0;
}

/* "HH:MM" (00:00-24:00) into minutes. */
static int
parse_hhmm(const char *s, size_t n, int *min)
{
	int h, m;

	if (n != 5 || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
	    s[2] != ':' || !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && m != 0))
		return -1;
	*min = h * 60 + m;
	return 0;
}

int
hours_parse_week(struct hours *h, const char *spec, char *err, size_t errlen)
{
	char item[256];
	const char *p = spec;

	h->nranges = 0;
	while ((p = next_item(p, item, sizeof(item))) != NULL) {
		char *save = NULL, *w = strtok_r(item, " \t", &save);
		unsigned days;
		int n = 0;

		if (w == NULL || parse_days(w, &days) < 0) {
			snprintf(err, errlen, "'%.40s' is not mon, mon-fri or daily", w ? w : "");
			return -1;
		}
		while ((w = strtok_r(NULL, " \t", &save)) != NULL) {
			struct hours_range *r = &h->ranges[h->nranges];
			const char *dash = strchr(w, '-');

			if (h->nranges >= HOURS_MAX_RANGES) {
				snprintf(err, errlen, "more than %d time ranges", HOURS_MAX_RANGES);
				return -1;
			}
			if (dash == NULL || parse_hhmm(w, (size_t)(dash - w), &r->from) < 0 ||
			    parse_hhmm(dash + 1, strlen(dash + 1), &r->to) < 0 ||
			    r->from >= r->to) {
				snprintf(err, errlen, "'%.40s' is not HH:MM-HH:MM within one day", w);
				return -1;
			}
			r->days = days;
			h->nranges++;
			n++;
		}
		if (n == 0) {
			snprintf(err, errlen, "no time range after the days in '%.40s'", spec);
			return -1;
		}
	}
	h->set = 1;
	return 0;
}

static int
days_in_month(int y, int m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dim[m - 1];
}

/* "YYYY-MM-DD" into YYYYMMDD. */
static int
parse_date(const char *s, size_t n, int *ymd)
{
	int y, m, d;

	if (n != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (size_t i = 0; i < n; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return -1;
	y = atoi(s);
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 ||
	    d > days_in_month(y, m))
		return -1;
	*ymd = y * 10000 + m * 100 + d;
	return 0;
}

int
hours_parse_dates(struct hours_dates *dates, int *n, const char *spec,
    char *err, size_t errlen)
{
	char item[64];
	const char *p = spec;

	*n = 0;
	while ((p = next_item(p, item, sizeof(item))) != NULL) {
		const char *dots = strstr(item, "..");
		struct hours_dates *d = &dates[*n];

		if (*n >= HOURS_MAX_DATES) {
			snprintf(err, errlen, "more than %d dates or ranges", HOURS_MAX_DATES);
			return -1;
		}
		if (parse_date(item, dots ? (size_t)(dots - item) : strlen(item),
		    &d->from) < 0 || (dots && parse_date(dots + 2,
		    strlen(dots + 2), &d->to) < 0)) {
			snprintf(err, errlen, "'%.40s' is not YYYY-MM-DD or "
			    "YYYY-MM-DD..YYYY-MM-DD", item);
			return -1;
		}
		if (!dots)
			d->to = d->from;
		if (d->to < d->from) {
			snprintf(err, errlen, "'%.40s' ends before it starts", item);
			return -1;
		}
		(*n)++;
	}
	return 0;
}

int
hours_set_tz(struct hours *h, const char *name, char *err, size_t errlen)
{
	const char *dir = getenv("TZDIR");
	char path[512];
	struct stat st;
	size_t n = strlen(name);

	if (n == 0 || n >= sizeof(h->tz) || name[0] == '/' || strstr(name, "..") ||
	    strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789/_+-") != n) {
		snprintf(err, errlen, "'%.64s' is not a time zone name like Asia/Shanghai", name);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo",
	    name);
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "unknown time zone '%s' (no %s; is tzdata installed?)",
		    name, path);
		return -1;
	}
	memcpy(h->tz, name, n + 1);
	return 0;
}

int
hours_parse_iso(const char *s, time_t *t)
{
	struct tm tm = { 0 };
	size_t n = strlen(s);
	int ymd, hh, mm, ss = 0, zh = 0, zm = 0, sign = 0;
	const char *z;

	if (n < 16 || parse_date(s, 10, &ymd) < 0 || (s[10] != 'T' && s[10] != ' ') ||
	    parse_hhmm(s + 11, 5, &hh) < 0 || hh >= 1440)
		return -1;
	mm = hh % 60;
	hh /= 60;
	z = s + 16;
	if (*z == ':') {
		if (!isdigit((unsigned char)z[1]) || !isdigit((unsigned char)z[2]) ||
		    (ss = (z[1] - '0') * 10 + (z[2] - '0')) > 59)
			return -1;
		z += 3;
	}
	if (*z == '+' || *z == '-') {
		int off;

		sign = *z == '-' ? -1 : 1;
		if (parse_hhmm(z + 1, strlen(z + 1), &off) < 0 || off > 14 * 60)
			return -1;
		zh = off / 60;
		zm = off % 60;
	} else if (*z == 'Z' && z[1] == '\0')
		sign = 0;
	else if (*z != '\0')
		return -1;
	tm.tm_year = ymd / 10000 - 1900;
	tm.tm_mon = ymd / 100 % 100 - 1;
	tm.tm_mday = ymd % 100;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	tm.tm_sec = ss;
	*t = timegm(&tm) - (time_t)sign * (zh * 3600 + zm * 60);
	return 0;
}

/* ---- the offset of a zone ---- */

#define ZONE_CACHE 16
#define ZONE_SLICE 900		/* seconds: a quarter hour of UTC */

static struct {
	char tz[HOURS_TZ_MAX];
	time_t from;
	long off;
} zone_cache[ZONE_CACHE];
static int zone_next;

/* localtime_r() under TZ=:tz, TZ restored before returning. */
static long
offset_now(const char *tz, time_t t)
{
	const char *cur = getenv("TZ");
	char *saved = cur ? strdup(cur) : NULL;
	char want[HOURS_TZ_MAX + 1];
	struct tm tm;
	long off = 0;

	if (cur && saved == NULL)
		return 0;	/* out of memory: UTC rather than a wrong TZ */
	snprintf(want, sizeof(want), ":%s", tz);
	if (setenv("TZ", want, 1) == 0) {
		tzset();
		if (localtime_r(&t, &tm) != NULL)
			off = tm.tm_gmtoff;
	}
	if (saved)
		(void)setenv("TZ", saved, 1);
	else
		(void)unsetenv("TZ");
	tzset();
	free(saved);
	return off;
}

long
hours_utc_offset(const char *tz, time_t t)
{
	time_t from = t - ((t % ZONE_SLICE) + ZONE_SLICE) % ZONE_SLICE;
	struct tm tm;
	long off;

	if (*tz == '\0')
		return localtime_r(&t, &tm) ? tm.tm_gmtoff : 0;
	for (int i = 0; i < ZONE_CACHE; i++)
		if (zone_cache[i].from == from && strcmp(zone_cache[i].tz, tz) == 0)
			return zone_cache[i].off;
	off = offset_now(tz, t);
	snprintf(zone_cache[zone_next].tz, sizeof(zone_cache[0].tz), "%s", tz);
	zone_cache[zone_next].from = from;
	zone_cache[zone_next].off = off;
	zone_next = (zone_next + 1) % ZONE_CACHE;
	return off;
}

/* ---- open or not ---- */

static int
in_dates(const struct hours_dates *d, int n, int ymd)
{
	for (int i = 0; i < n; i++)
		if (ymd >= d[i].from && ymd <= d[i].to)
			return 1;
	return 0;
}

/* The weekday whose hours an extra working day keeps: the first from
 * Monday on that has any. */
static int
workday_as(const struct hours *h)
{
	for (int k = 0; k < 7; k++) {
		int d = (k + 1) % 7;

		for (int i = 0; i < h->nranges; i++)
			if (h->ranges[i].days & (1u << d))
				return d;
	}
	return 1;
}

/* The day at local time lt (seconds, as if UTC): its date and which
 * weekday's hours apply; -1 for a holiday. */
static int
day_rule(const struct hours *h, time_t lt, int *ymd)
{
	struct tm tm;

	if (gmtime_r(&lt, &tm) == NULL)
		return -1;
	*ymd = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
	if (in_dates(h->workdays, h->nworkdays, *ymd))
		return workday_as(h);
	if (in_dates(h->holidays, h->nholidays, *ymd))
		return -1;
	return tm.tm_wday;
}

/* The first minute >= after at which weekday wday's hours start, or -1. */
static int
first_start(const struct hours *h, int wday, int after)
{
	int best = -1;

	for (int i = 0; i < h->nranges; i++)
		if ((h->ranges[i].days & (1u << wday)) && h->ranges[i].from >= after &&
		    (best < 0 || h->ranges[i].from < best))
			best = h->ranges[i].from;
	return best;
}

static time_t
next_opening(const struct hours *h, time_t midnight, int minute, long off)
{
	for (int k = 0; k < 32; k++) {
		time_t day = midnight + (time_t)k * 86400;
		int ymd, wday = day_rule(h, day, &ymd), start;
		time_t lt;

		if (wday < 0 || (start = first_start(h, wday, k ? 0 : minute + 1)) < 0)
			continue;
		lt = day + (time_t)start * 60;
		return lt - hours_utc_offset(h->tz, lt - off);
	}
	return 0;
}

enum hours_state
hours_at(const struct hours *h, time_t t, time_t *opens)
{
	long off;
	time_t lt, midnight;
	int ymd, wday, minute;

	if (opens)
		*opens = 0;
	if (!h->set)
		return HOURS_OPEN;
	off = hours_utc_offset(h->tz, t);
	lt = t + off;
	midnight = lt - ((lt % 86400) + 86400) % 86400;
	minute = (int)((lt - midnight) / 60);
	wday = day_rule(h, lt, &ymd);
	if (wday >= 0)
		for (int i = 0; i < h->nranges; i++)
			if ((h->ranges[i].days & (1u << wday)) &&
			    minute >= h->ranges[i].from && minute < h->ranges[i].to)
				return HOURS_OPEN;
	if (opens)
		*opens = next_opening(h, midnight, minute, off);
	return wday < 0 ? HOURS_HOLIDAY : HOURS_CLOSED;
}
