/*
 * hours.h - a group's working calendar: weekly hours in an IANA time zone,
 * holidays and extra working days (调休), parsed from kefu.yml and asked
 * "is it open at this instant, and if not, when does it open?".
 *
 * Pure calendar logic: nothing here knows about chats or connections.
 */
#ifndef KEFU_HOURS_H
#define KEFU_HOURS_H

#include <stddef.h>
#include <time.h>

#define HOURS_MAX_RANGES 32
#define HOURS_MAX_DATES  128
#define HOURS_TZ_MAX     64

struct hours_range {
	unsigned days;		/* bit d: weekday d (0 Sunday .. 6 Saturday) */
	int from, to;		/* minutes after local midnight, from < to <= 1440 */
};

struct hours_dates {
	int from, to;		/* inclusive, as YYYYMMDD */
};

struct hours {
	int set;		/* weekly hours configured (else always open) */
	char tz[HOURS_TZ_MAX];	/* IANA zone; "" = the server's local time */
	struct hours_range ranges[HOURS_MAX_RANGES];
	int nranges;
	struct hours_dates holidays[HOURS_MAX_DATES];
	int nholidays;
	struct hours_dates workdays[HOURS_MAX_DATES];
	int nworkdays;
};

/* Parsers for the config keys; 0, or -1 with a message in err. */
/* "mon-fri 09:00-12:00 13:00-18:00, sat 10:00-16:00" (also "daily") */
int hours_parse_week(struct hours *h, const char *spec, char *err,
    size_t errlen);
/* "2026-10-01..2026-10-07, 2027-01-01" */
int hours_parse_dates(struct hours_dates *d, int *n, const char *spec,
    char *err, size_t errlen);
/* An IANA zone name with a file under the zone directory. */
int hours_set_tz(struct hours *h, const char *name, char *err, size_t errlen);

/* "2026-10-01T09:00[:SS][Z|+08:00|-05:00]" (no zone: UTC) into *t. */
int hours_parse_iso(const char *s, time_t *t);

enum hours_state { HOURS_OPEN = 0, HOURS_CLOSED, HOURS_HOLIDAY };

/*
 * Open at t? If not and opens is not NULL, *opens is the next opening
 * within 31 days (0 if none).
 */
enum hours_state hours_at(const struct hours *h, time_t t, time_t *opens);

/* The UTC offset in seconds of zone tz ("" local) at t. */
long hours_utc_offset(const char *tz, time_t t);

#endif
