/*
 * test_report.c - every figure of a report against a fixture computed by
 * hand: eight chats with known timestamps (two outside the period), the
 * status log of four agents, and each `by` (none, day, hour, group, agent),
 * the group/agent filters, the clipping of open intervals at "now", the
 * chat limit, the period parser, and the closing of intervals a crash left
 * open. Times are UTC (TZ=UTC); the period is 2026-03-01..2026-03-02.
 *
 * Each expected row is written out in the REPORT wire form ("+ " left
 * off); the arithmetic behind it is in the comments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "report.h"
#include "store.h"
#include "store_int.h"
#include "../tap.h"
#include "sqlcount.h"

#define D1 1772323200LL		/* 2026-03-01 00:00:00 UTC */
#define D2 (D1 + 86400)
#define D3 (D2 + 86400)		/* the end of the period */
#define H 3600

/* The row as REPORT sends it, without "+ ". */
static const char *
row_str(const struct report *r, size_t i)
{
	static char buf[1024];
	struct report_field f[REPORT_FIELDS_MAX];
	const struct report_row *row;
	size_t len;
	int n;

	if (i >= r->n)
		return "(no such row)";
	row = &r->rows[i];
	n = report_fields(r, row, f);
	if (row->kind == RK_TOTAL)
		snprintf(buf, sizeof(buf), "total");
	else
		snprintf(buf, sizeof(buf), "%s=%s", report_kind_name(row->kind),
		    row->key);
	for (int j = 0; j < n; j++) {
		len = strlen(buf);
		snprintf(buf + len, sizeof(buf) - len, " %s=%s", f[j].name,
		    f[j].missing ? "-" : f[j].value);
	}
	return buf;
}

static int64_t
chat(const char *grp, const char *agent, long long q, long long a,
    long long f, long long e, int rating, const char *category)
{
	sqlite3_stmt *s;
	int64_t id = -1;

	if (sqlite3_prepare_v2(store_db, "INSERT INTO chats (visitor, grp, "
	    "state, agent, created, queued_at, assigned_at, first_response_at,"
	    " ended_at, rating, category) VALUES (1, ?1, ?2, ?3, ?4, ?4, ?5, ?6,"
	    " ?7, ?8, ?9)", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, grp, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, e ? "ended" : a ? "assigned" : "queued", -1,
	    SQLITE_STATIC);
	if (agent)
		sqlite3_bind_text(s, 3, agent, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, q);
	if (a)
		sqlite3_bind_int64(s, 5, a);
	if (f)
		sqlite3_bind_int64(s, 6, f);
	if (e)
		sqlite3_bind_int64(s, 7, e);
	if (rating)
		sqlite3_bind_int(s, 8, rating);
	if (category)
		sqlite3_bind_text(s, 9, category, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_DONE)
		id = sqlite3_last_insert_rowid(store_db);
	sqlite3_finalize(s);
	return id;
}

static int
run(struct report *r, enum report_by by, const char *group,
    const char *agent, long long now, long max)
{
	struct report_query q;
	char err[256];

	memset(&q, 0, sizeof(q));
	if (report_period("2026-03-01", "2026-03-02", &q, err, sizeof(err)) < 0)
		return -1;
	q.by = by;
	q.group = group;
	q.agent = agent;
	q.now = (time_t)now;
	q.max_chats = max;
	return report_run(store_handle(), &q, r, err, sizeof(err));
}

static int
fixture(void)
{
	int64_t c2, c3, c4, c8;
	int bad = 0;

	/* c1 sales/alice 09:00: wait 10, frt 30, dur 600, 5 stars, billing */
	bad |= chat("sales", "alice", D1 + 9 * H, D1 + 9 * H + 10,
	    D1 + 9 * H + 30, D1 + 9 * H + 610, 5, "billing") < 0;
	/* c2 sales/bob 09:30: wait 40, frt 100, dur 300, 3 stars, billing,
	 * transferred once */
	c2 = chat("sales", "bob", D1 + 9 * H + 1800, D1 + 9 * H + 1840,
	    D1 + 9 * H + 1900, D1 + 9 * H + 2140, 3, "billing");
	/* c3 tech/alice 10:00: wait 20, never answered, dur 60, refund,
	 * transferred twice */
	c3 = chat("tech", "alice", D1 + 10 * H, D1 + 10 * H + 20, 0,
	    D1 + 10 * H + 80, 0, "refund");
	/* c4 sales 10:01: the visitor left the queue after 45 s */
	c4 = chat("sales", NULL, D1 + 10 * H + 60, 0, 0, D1 + 10 * H + 105, 0,
	    NULL);
	/* c5 tech/bob day 2 14:00: wait 5, frt 15, dur 1200, 4 stars */
	bad |= chat("tech", "bob", D2 + 14 * H, D2 + 14 * H + 5,
	    D2 + 14 * H + 15, D2 + 14 * H + 1205, 4, "billing") < 0;
	/* c6 sales/alice day 2 14:02: wait 200, frt 261, still open */
	bad |= chat("sales", "alice", D2 + 14 * H + 120, D2 + 14 * H + 320,
	    D2 + 14 * H + 381, 0, 0, NULL) < 0;
	/* c8 tech day 2 23:59: left the queue */
	c8 = chat("tech", NULL, D2 + 23 * H + 3540, 0, 0, D2 + 23 * H + 3570,
	    0, NULL);
	/* outside the period: a second before it, the day after it */
	bad |= chat("sales", "alice", D1 - 1, D1 + 5, D1 + 6, D1 + 9, 1,
	    "billing") < 0;
	bad |= chat("sales", "bob", D3, D3 + 5, D3 + 6, D3 + 9, 1,
	    "billing") < 0;
	if (bad || c2 < 0 || c3 < 0 || c4 < 0 || c8 < 0)
		return -1;
	if (store_chat_transferred(c2) < 0 || store_chat_transferred(c3) < 0 ||
	    store_chat_transferred(c3) < 0 || store_chat_missed(c4) < 0 ||
	    store_chat_missed(c8) < 0)
		return -1;

	/* alice: online from before the period; away 01:00-01:30; online
	 * to 02:00; day 2 online 13:00-13:30, then busy to the end (and
	 * offline after it): online 3600+1800+1800, away 1800, busy 37800 */
	bad |= store_status_log("alice", "online", (time_t)(D1 - H)) < 0;
	bad |= store_status_log("alice", "away", (time_t)(D1 + H)) < 0;
	bad |= store_status_log("alice", "online", (time_t)(D1 + H + 1800)) < 0;
	bad |= store_status_log("alice", "offline", (time_t)(D1 + 2 * H)) < 0;
	bad |= store_status_log("alice", "online", (time_t)(D2 + 13 * H)) < 0;
	bad |= store_status_log("alice", "busy", (time_t)(D2 + 13 * H + 1800)) < 0;
	bad |= store_status_log("alice", "offline", (time_t)(D3 + 100)) < 0;
	/* bob: online and away in the same second (the later row wins),
	 * offline 900 s later: online 0, away 900 */
	bad |= store_status_log("bob", "online", (time_t)(D1 + 100)) < 0;
	bad |= store_status_log("bob", "away", (time_t)(D1 + 100)) < 0;
	bad |= store_status_log("bob", "offline", (time_t)(D1 + 1000)) < 0;
	/* carol: on and off before the period: no row */
	bad |= store_status_log("carol", "online", (time_t)(D1 - 2 * H)) < 0;
	bad |= store_status_log("carol", "offline", (time_t)(D1 - H)) < 0;
	/* dave: no chats, online 600 s on day 2 */
	bad |= store_status_log("dave", "online", (time_t)D2) < 0;
	bad |= store_status_log("dave", "offline", (time_t)(D2 + 600)) < 0;
	return bad || store_commit() < 0 ? -1 : 0;
}

#define NODATA "rated=0 rating_avg=- r1=0 r2=0 r3=0 r4=0 r5=0 bot_answered=0 bot_unanswered=0 handed_off=0"
#define EMPTY "offered=0 answered=0 missed=0 transferred=0 wait_avg=- " \
	"wait_p50=- wait_p90=- frt_avg=- frt_p50=- frt_p90=- dur_avg=- " \
	"dur_p50=- dur_p90=- " NODATA
/* all seven chats: waits 5 10 20 40 200 (sum 275), first responses
 * 15 30 100 261 (406), durations 60 300 600 1200 (2160), stars 5 3 4;
 * p50 is rank ceil(n/2), p90 rank ceil(0.9n) */
#define TOTAL "total offered=7 answered=4 missed=2 transferred=2 " \
	"wait_avg=55.0 wait_p50=20 wait_p90=200 frt_avg=101.5 frt_p50=30 " \
	"frt_p90=261 dur_avg=540.0 dur_p50=300 dur_p90=1200 rated=3 " \
	"rating_avg=4.00 r1=0 r2=0 r3=1 r4=1 r5=1 bot_answered=0 bot_unanswered=0 handed_off=0"
#define ALICE "agent=alice offered=3 answered=2 missed=0 transferred=1 " \
	"wait_avg=76.7 wait_p50=20 wait_p90=200 frt_avg=145.5 frt_p50=30 " \
	"frt_p90=261 dur_avg=330.0 dur_p50=60 dur_p90=600 rated=1 " \
	"rating_avg=5.00 r1=0 r2=0 r3=0 r4=0 r5=1 bot_answered=0 bot_unanswered=0 handed_off=0"

static void
check_total(void)
{
	struct report r;

	is_int(run(&r, REPORT_BY_NONE, NULL, NULL, D3 + 1000, 0), 0,
	    "report without by");
	is_int(r.n, 3, "the total and two categories");
	is_str(row_str(&r, 0), TOTAL, "total: every figure");
	is_str(row_str(&r, 1), "category=billing chats=3",
	    "billing: 3 chats in the period (not the two outside it)");
	is_str(row_str(&r, 2), "category=refund chats=1", "refund: 1 chat");
	report_free(&r);
}

static void
check_day(void)
{
	struct report r;

	is_int(run(&r, REPORT_BY_DAY, NULL, NULL, D3 + 1000, 0), 0,
	    "report by=day");
	is_int(r.n, 5, "two days, the total, two categories");
	/* day 1: c1-c4; waits 10 20 40, frt 30 100, durations 60 300 600 */
	is_str(row_str(&r, 0), "day=2026-03-01 offered=4 answered=2 missed=1 "
	    "transferred=2 wait_avg=23.3 wait_p50=20 wait_p90=40 frt_avg=65.0 "
	    "frt_p50=30 frt_p90=100 dur_avg=320.0 dur_p50=300 dur_p90=600 "
	    "rated=2 rating_avg=4.00 r1=0 r2=0 r3=1 r4=0 r5=1 bot_answered=0 bot_unanswered=0 handed_off=0", "day 1");
	/* day 2: c5 c6 c8; waits 5 200, frt 15 261, duration 1200 */
	is_str(row_str(&r, 1), "day=2026-03-02 offered=3 answered=2 missed=1 "
	    "transferred=0 wait_avg=102.5 wait_p50=5 wait_p90=200 "
	    "frt_avg=138.0 frt_p50=15 frt_p90=261 dur_avg=1200.0 "
	    "dur_p50=1200 dur_p90=1200 rated=1 rating_avg=4.00 r1=0 r2=0 r3=0 "
	    "r4=1 r5=0 bot_answered=0 bot_unanswered=0 handed_off=0", "day 2");
	is_str(row_str(&r, 2), TOTAL, "the total after the days");
	report_free(&r);
}

static void
check_hour(void)
{
	struct report r;

	is_int(run(&r, REPORT_BY_HOUR, NULL, NULL, D3 + 1000, 0), 0,
	    "report by=hour");
	is_int(r.n, 27, "24 hours, the total, two categories");
	is_str(row_str(&r, 0), "hour=00 " EMPTY, "00: nothing");
	is_str(row_str(&r, 9), "hour=09 offered=2 answered=2 missed=0 "
	    "transferred=1 wait_avg=25.0 wait_p50=10 wait_p90=40 frt_avg=65.0 "
	    "frt_p50=30 frt_p90=100 dur_avg=450.0 dur_p50=300 dur_p90=600 "
	    "rated=2 rating_avg=4.00 r1=0 r2=0 r3=1 r4=0 r5=1 bot_answered=0 bot_unanswered=0 handed_off=0",
	    "09: c1 and c2");
	is_str(row_str(&r, 10), "hour=10 offered=2 answered=0 missed=1 "
	    "transferred=1 wait_avg=20.0 wait_p50=20 wait_p90=20 frt_avg=- "
	    "frt_p50=- frt_p90=- dur_avg=60.0 dur_p50=60 dur_p90=60 " NODATA,
	    "10: c3 and c4, no first response to average");
	is_str(row_str(&r, 14), "hour=14 offered=2 answered=2 missed=0 "
	    "transferred=0 wait_avg=102.5 wait_p50=5 wait_p90=200 "
	    "frt_avg=138.0 frt_p50=15 frt_p90=261 dur_avg=1200.0 "
	    "dur_p50=1200 dur_p90=1200 rated=1 rating_avg=4.00 r1=0 r2=0 r3=0 "
	    "r4=1 r5=0 bot_answered=0 bot_unanswered=0 handed_off=0", "14: c5 and c6 of day 2");
	is_str(row_str(&r, 23), "hour=23 offered=1 answered=0 missed=1 "
	    "transferred=0 wait_avg=- wait_p50=- wait_p90=- frt_avg=- "
	    "frt_p50=- frt_p90=- dur_avg=- dur_p50=- dur_p90=- " NODATA,
	    "23: c8");
	is_str(row_str(&r, 24), TOTAL, "the total after the hours");
	report_free(&r);
}

static void
check_group(void)
{
	struct report r;

	is_int(run(&r, REPORT_BY_GROUP, NULL, NULL, D3 + 1000, 0), 0,
	    "report by=group");
	is_int(r.n, 5, "two groups, the total, two categories");
	/* sales: c1 c2 c4 c6; waits 10 40 200, frt 30 100 261 (391) */
	is_str(row_str(&r, 0), "group=sales offered=4 answered=3 missed=1 "
	    "transferred=1 wait_avg=83.3 wait_p50=40 wait_p90=200 "
	    "frt_avg=130.3 frt_p50=100 frt_p90=261 dur_avg=450.0 dur_p50=300 "
	    "dur_p90=600 rated=2 rating_avg=4.00 r1=0 r2=0 r3=1 r4=0 r5=1 bot_answered=0 bot_unanswered=0 handed_off=0",
	    "sales");
	/* tech: c3 c5 c8; waits 5 20, frt 15, durations 60 1200 */
	is_str(row_str(&r, 1), "group=tech offered=3 answered=1 missed=1 "
	    "transferred=1 wait_avg=12.5 wait_p50=5 wait_p90=20 frt_avg=15.0 "
	    "frt_p50=15 frt_p90=15 dur_avg=630.0 dur_p50=60 dur_p90=1200 "
	    "rated=1 rating_avg=4.00 r1=0 r2=0 r3=0 r4=1 r5=0 bot_answered=0 bot_unanswered=0 handed_off=0", "tech");
	report_free(&r);
}

static void
check_agent(void)
{
	struct report r;

	is_int(run(&r, REPORT_BY_AGENT, NULL, NULL, D3 + 1000, 0), 0,
	    "report by=agent");
	is_int(r.n, 6, "alice, bob, dave, the total, two categories");
	is_str(row_str(&r, 0), ALICE " online=7200 away=1800 busy=37800",
	    "alice: c1 c3 c6 and her status times");
	/* bob: c2 c5; waits 5 40, frt 15 100, durations 300 1200 */
	is_str(row_str(&r, 1), "agent=bob offered=2 answered=2 missed=0 "
	    "transferred=1 wait_avg=22.5 wait_p50=5 wait_p90=40 frt_avg=57.5 "
	    "frt_p50=15 frt_p90=100 dur_avg=750.0 dur_p50=300 dur_p90=1200 "
	    "rated=2 rating_avg=3.50 r1=0 r2=0 r3=1 r4=1 r5=0 bot_answered=0 bot_unanswered=0 handed_off=0 online=0 "
	    "away=900 busy=0", "bob: the same-second online counts 0");
	is_str(row_str(&r, 2), "agent=dave " EMPTY " online=600 away=0 busy=0",
	    "dave: no chats, online 600 s");
	is_str(row_str(&r, 3), TOTAL " online=7800 away=2700 busy=37800",
	    "the total adds up the agents; carol (off all period) is absent");
	report_free(&r);

	is_int(run(&r, REPORT_BY_AGENT, NULL, NULL, D2 + 14 * H, 0), 0,
	    "by=agent with now in the middle of day 2");
	is_str(row_str(&r, 0), ALICE " online=7200 away=1800 busy=1800",
	    "alice's open busy interval ends now, not at the period's end");
	report_free(&r);

	is_int(run(&r, REPORT_BY_AGENT, NULL, "alice", D3 + 1000, 0), 0,
	    "by=agent agent=alice");
	is_int(r.n, 4, "alice, the total, her two categories");
	is_str(row_str(&r, 0), ALICE " online=7200 away=1800 busy=37800",
	    "alice alone");
	is_str(row_str(&r, 1), "total offered=3 answered=2 missed=0 "
	    "transferred=1 wait_avg=76.7 wait_p50=20 wait_p90=200 "
	    "frt_avg=145.5 frt_p50=30 frt_p90=261 dur_avg=330.0 dur_p50=60 "
	    "dur_p90=600 rated=1 rating_avg=5.00 r1=0 r2=0 r3=0 r4=0 r5=1 bot_answered=0 bot_unanswered=0 handed_off=0 "
	    "online=7200 away=1800 busy=37800", "the total is alice's");
	is_str(row_str(&r, 2), "category=billing chats=1", "her billing chat");
	report_free(&r);

	is_int(run(&r, REPORT_BY_AGENT, "tech", NULL, D3 + 1000, 0), 0,
	    "by=agent group=tech");
	is_int(r.n, 5, "alice, bob (not dave), the total, two categories");
	is_str(row_str(&r, 0), "agent=alice offered=1 answered=0 missed=0 "
	    "transferred=1 wait_avg=20.0 wait_p50=20 wait_p90=20 frt_avg=- "
	    "frt_p50=- frt_p90=- dur_avg=60.0 dur_p50=60 dur_p90=60 " NODATA
	    " online=7200 away=1800 busy=37800",
	    "alice in tech: c3 only; status times are not per group");
	is_str(row_str(&r, 2), "total offered=3 answered=1 missed=1 "
	    "transferred=1 wait_avg=12.5 wait_p50=5 wait_p90=20 frt_avg=15.0 "
	    "frt_p50=15 frt_p90=15 dur_avg=630.0 dur_p50=60 dur_p90=1200 "
	    "rated=1 rating_avg=4.00 r1=0 r2=0 r3=0 r4=1 r5=0 bot_answered=0 bot_unanswered=0 handed_off=0 online=7200 "
	    "away=2700 busy=37800", "the tech total");
	report_free(&r);
}

static void
check_period(void)
{
	struct report_query q;
	char err[128];

	ok(report_period("2026-03-01", "2026-03-02", &q, err, sizeof(err)) == 0 &&
	    q.from == D1 && q.to == D3, "2026-03-01..02 is [D1, D3)");
	ok(report_period("2026-02-29", "2026-03-01", &q, err, sizeof(err)) < 0,
	    "2026-02-29 is not a day");
	ok(report_period("2028-02-29", "2028-02-29", &q, err, sizeof(err)) == 0,
	    "2028-02-29 is");
	ok(report_period("2026-3-01", "2026-03-01", &q, err, sizeof(err)) < 0 &&
	    report_period("2026-03-01x", "2026-03-01", &q, err, sizeof(err)) < 0 &&
	    report_period("", "2026-03-01", &q, err, sizeof(err)) < 0,
	    "only YYYY-MM-DD");
	ok(report_period("2026-03-02", "2026-03-01", &q, err, sizeof(err)) < 0,
	    "an end before the start");
	ok(report_period("2026-01-01", "2027-01-01", &q, err, sizeof(err)) == 0,
	    "366 days");
	ok(report_period("2026-01-01", "2027-01-02", &q, err, sizeof(err)) < 0,
	    "367 days are too many: %s", err);
}

int
main(void)
{
	char dir[] = "/tmp/kefu-report-XXXXXX", path[256], err[256] = "";
	struct report r;
	time_t last;

	setenv("TZ", "UTC", 1);
	tzset();
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/r.db", dir);
	ok(store_open(path, err, sizeof(err)) == 0, "open a new database %s", err);
	ok(fixture() == 0, "the fixture: 9 chats, 14 status rows");

	check_total();
	check_day();
	check_hour();
	check_group();
	check_agent();
	check_period();

	is_int(run(&r, REPORT_BY_DAY, NULL, NULL, D3, 6), REPORT_TOOBIG,
	    "7 chats are more than a limit of 6");
	is_int(run(&r, REPORT_BY_DAY, NULL, NULL, D3, 7), 0, "and fit 7");
	report_free(&r);

	/* a crash left erin online: start-up closes her interval */
	ok(store_status_log("erin", "online", (time_t)(D3 + 200)) == 0 &&
	    store_commit() == 0, "erin goes online, then the server dies");
	ok(store_last_activity(&last) == 0 && last == D3 + 200,
	    "the last activity is erin's row");
	ok(store_status_close_open(last) == 0 && store_commit() == 0,
	    "start-up closes open intervals");
	is_int(count("SELECT count(*) FROM agent_status_log WHERE "
	    "status='offline' AND ts=1772496200"), 1,
	    "erin alone got an offline row (the others were offline)");

	store_close();
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return tap_done();
}
