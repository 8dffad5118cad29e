/*
 * report.h - desk reports (数据统计): what happened to the chats offered in a
 * period, overall and per day, hour of day, group or agent, computed from
 * the stored timestamps. One computation for both the REPORT command
 * (cmd_report.c) and `kefud report` (report_out.c).
 *
 * The figures, for the chats whose queued_at (when the visitor first asked)
 * falls in the period:
 *   offered      every such chat
 *   answered     an agent replied at least once (first_response_at is set)
 *   missed       it ended while still in the queue (the visitor left)
 *   transferred  it was transferred at least once (to an agent or a group;
 *                a takeover of an answered chat counts too)
 *   wait         assigned_at - queued_at, chats an agent got
 *   frt          first response: first_response_at - queued_at
 *   dur          duration: ended_at - assigned_at, chats an agent got that
 *                ended
 *   rating       rated chats, their average and the count of each score
 *   bot_answered, bot_unanswered  questions the knowledge-base bot answered
 *                or not (bot.c), handed_off  chats it passed to the queue;
 *                a chat that stayed with the bot counts only in these
 * and, per agent, seconds online, away and busy in the period (the status
 * log, presence.c), and the count of each wrap-up category.
 * Averages have one decimal; p50/p90 are nearest-rank percentiles (the
 * value at rank ceil(p/100 * n) of the sorted values), whole seconds.
 * Days and hours are the server's local time.
 */
#ifndef KEFU_REPORT_H
#define KEFU_REPORT_H

#include <stddef.h>
#include <time.h>

struct sqlite3;

enum report_by { REPORT_BY_NONE, REPORT_BY_DAY, REPORT_BY_HOUR,
	REPORT_BY_GROUP, REPORT_BY_AGENT };

#define REPORT_MAX_DAYS 366	/* the longest period */
#define REPORT_MAX_KEYS 500	/* groups or agents in one report */
#define REPORT_MAX_CATEGORIES 50	/* the most frequent ones are listed */
#define REPORT_KEY_MAX 72

struct report_query {
	time_t from, to;		/* [from, to): local midnights */
	const char *group, *agent;	/* only this group/agent; NULL: all */
	enum report_by by;
	long max_chats;			/* more chats: REPORT_TOOBIG; 0: any */
	time_t now;			/* open status intervals end here */
};

/* Seconds, one value per chat; sorted once the report is complete. */
struct report_dist {
	long *v;
	size_t n, cap;
};

struct report_figs {
	long offered, answered, missed, transferred;
	struct report_dist wait, frt, dur;
	long rated, stars[5];
	long bot_answered, bot_unanswered;	/* questions, by the bot */
	long handed_off;		/* chats the bot passed to the queue */
	long long online, away, busy;	/* by=agent only */
};

enum report_kind { RK_TOTAL, RK_DAY, RK_HOUR, RK_GROUP, RK_AGENT,
	RK_CATEGORY };

struct report_row {
	enum report_kind kind;
	char key[REPORT_KEY_MAX];	/* date, hour, group, agent, category */
	struct report_figs f;		/* a category: f.offered chats */
};

/* The rows: the buckets of `by` in order (every day or hour of the period,
 * even empty; groups and agents by name), then the total, then the
 * wrap-up categories, most frequent first. */
struct report {
	enum report_by by;
	struct report_row *rows;
	size_t n, cap;
};

#define REPORT_TOOBIG 1

/* Local midnight of "YYYY-MM-DD" plus days; -1 if s is not a real date
 * (from 1970). */
int report_parse_day(const char *s, int days, time_t *t);
/* "YYYY-MM-DD" and "YYYY-MM-DD" (inclusive) into q->from/q->to; at most
 * REPORT_MAX_DAYS days, to not before from. 0, or -1 with err. */
int report_period(const char *from, const char *to, struct report_query *q,
    char *err, size_t errlen);
/* "day", "hour", "group", "agent" into *by; -1 for anything else. */
int report_parse_by(const char *s, enum report_by *by);
const char *report_by_name(enum report_by by);

/* Compute; 0, -1 (err filled), or REPORT_TOOBIG (more than q->max_chats
 * chats or REPORT_MAX_KEYS groups/agents; err says which). */
int report_run(struct sqlite3 *db, const struct report_query *q,
    struct report *r, char *err, size_t errlen);
void report_free(struct report *r);

/* A row's figures as named fields, in the one order every format uses.
 * missing: no data (no chat to average over). */
struct report_field {
	const char *name;
	char value[32];
	int missing;
};
#define REPORT_FIELDS_MAX 32
/* The fields of row (a category row: just "chats"); returns how many. */
int report_fields(const struct report *r, const struct report_row *row,
    struct report_field *out);
/* The name of the key a row is listed under: "day", ..., "total". */
const char *report_kind_name(enum report_kind k);

#endif
