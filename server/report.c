/*
 * report.c - computing a desk report (see report.h for every figure's
 * definition) from the chats table and the status log: one pass over the
 * chats offered in the period into the rows of `by` and the total, one
 * over the status log for the agents' online/away/busy seconds, then the
 * sorting percentiles need. Read-only: it runs on kefud's connection for
 * REPORT and on a read-only one for `kefud report`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "report.h"

#define CATEGORIES_SEEN_MAX 10000	/* distinct wrap-up categories kept */

static const char *const by_names[] = {
	[REPORT_BY_NONE] = "none", [REPORT_BY_DAY] = "day",
	[REPORT_BY_HOUR] = "hour", [REPORT_BY_GROUP] = "group",
	[REPORT_BY_AGENT] = "agent",
};

static const char *const kind_names[] = {
	[RK_TOTAL] = "total", [RK_DAY] = "day", [RK_HOUR] = "hour",
	[RK_GROUP] = "group", [RK_AGENT] = "agent", [RK_CATEGORY] = "category",
};

const char *
report_by_name(enum report_by by)
{
	return by_names[by];
}

const char *
report_kind_name(enum report_kind k)
{
	return kind_names[k];
}

int
report_parse_by(const char *s, enum report_by *by)
{
	for (int i = REPORT_BY_DAY; i <= REPORT_BY_AGENT; i++)
		if (strcmp(s, by_names[i]) == 0) {
			*by = (enum report_by)i;
			return 0;
		}
	return -1;
}

int
report_parse_day(const char *s, int days, time_t *t)
{
	struct tm tm;
	int y, m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_isdst = -1;
	if (y < 1970 || (*t = mktime(&tm)) == (time_t)-1 ||
	    tm.tm_year != y - 1900 || tm.tm_mon != m - 1 || tm.tm_mday != d)
		return -1;	/* normalized: 2026-02-30 is not a day */
	if (days == 0)
		return 0;
	tm.tm_mday += days;
	tm.tm_hour = 0;
	tm.tm_isdst = -1;
	return (*t = mktime(&tm)) == (time_t)-1 ? -1 : 0;
}

/* The local midnight after t's day. */
static time_t
next_midnight(time_t t)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		return t + 86400;
	tm.tm_mday++;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

int
report_period(const char *from, const char *to, struct report_query *q,
    char *err, size_t errlen)
{
	time_t last;
	int days = 0;

	if (report_parse_day(from, 0, &q->from) < 0 ||
	    report_parse_day(to, 0, &last) < 0 ||
	    report_parse_day(to, 1, &q->to) < 0) {
		snprintf(err, errlen, "dates are YYYY-MM-DD (from 1970)");
		return -1;
	}
	if (last < q->from) {
		snprintf(err, errlen, "the period ends before it starts");
		return -1;
	}
	for (time_t t = q->from; t < q->to && days <= REPORT_MAX_DAYS; days++)
		t = next_midnight(t);
	if (days > REPORT_MAX_DAYS) {
		snprintf(err, errlen, "a period is at most %d days",
		    REPORT_MAX_DAYS);
		return -1;
	}
	return 0;
}

/* ---- building the rows ---- */

static int
dist_add(struct report_dist *d, long v)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 16;
		long *p = realloc(d->v, cap * sizeof(*p));

		if (p == NULL)
			return -1;
		d->v = p;
		d->cap = cap;
	}
	d->v[d->n++] = v < 0 ? 0 : v;	/* a clock step back is no wait */
	return 0;
}

static int
cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

static void
figs_free(struct report_figs *f)
{
	free(f->wait.v);
	free(f->frt.v);
	free(f->dur.v);
}

void
report_free(struct report *r)
{
	for (size_t i = 0; i < r->n; i++)
		figs_free(&r->rows[i].f);
	free(r->rows);
	r->rows = NULL;
	r->n = r->cap = 0;
}

/* A new row at index at (the rows after it move up); NULL: no memory. */
static struct report_row *
row_insert(struct report *r, size_t at, enum report_kind kind,
    const char *key)
{
	struct report_row *row;

	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 32;
		struct report_row *p = realloc(r->rows, cap * sizeof(*p));

		if (p == NULL)
			return NULL;
		r->rows = p;
		r->cap = cap;
	}
	memmove(&r->rows[at + 1], &r->rows[at], (r->n - at) * sizeof(*row));
	r->n++;
	row = &r->rows[at];
	memset(row, 0, sizeof(*row));
	row->kind = kind;
	snprintf(row->key, sizeof(row->key), "%s", key);
	return row;
}

/* Binary search of rows[lo, hi) sorted by key: the index of key, or of
 * where it would go (*found 0). */
static size_t
row_search(const struct report *r, size_t lo, size_t hi, const char *key,
    int *found)
{
	*found = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(r->rows[mid].key, key);

		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* What a report is built in: the rows (the buckets first, sorted), the
 * day starts (by=day), and the categories seen. */
struct build {
	const struct report_query *q;
	struct report *r;
	time_t *days;		/* start of each day row */
	size_t ndays;
	struct report_figs total;
	struct report cats;	/* f.offered counts, sorted by name */
	char *err;
	size_t errlen;
};

static int
too_many(struct build *b, const char *what)
{
	snprintf(b->err, b->errlen, "more than %d %s in the report; narrow it "
	    "with group= or agent=", REPORT_MAX_KEYS, what);
	return REPORT_TOOBIG;
}

/* The fixed buckets: every day of the period, or every hour of the day. */
static int
fixed_rows(struct build *b)
{
	char key[REPORT_KEY_MAX];
	struct tm tm;

	if (b->q->by == REPORT_BY_HOUR) {
		for (int h = 0; h < 24; h++) {
			snprintf(key, sizeof(key), "%02d", h);
			if (row_insert(b->r, b->r->n, RK_HOUR, key) == NULL)
				return -1;
		}
		return 0;
	}
	if (b->q->by != REPORT_BY_DAY)
		return 0;
	b->days = calloc(REPORT_MAX_DAYS + 1, sizeof(*b->days));
	if (b->days == NULL)
		return -1;
	for (time_t t = b->q->from; t < b->q->to &&
	    b->ndays <= REPORT_MAX_DAYS; t = next_midnight(t)) {
		if (localtime_r(&t, &tm) == NULL ||
		    strftime(key, sizeof(key), "%Y-%m-%d", &tm) == 0 ||
		    row_insert(b->r, b->r->n, RK_DAY, key) == NULL)
			return -1;
		b->days[b->ndays++] = t;
	}
	return 0;
}

/* The bucket row of a chat offered at t in group grp owned by agent (NULL
 * if never assigned); *row NULL: in the total only. */
static int
bucket(struct build *b, time_t t, const char *grp, const char *agent,
    struct report_row **row)
{
	struct tm tm;
	size_t lo = 0, hi = b->ndays, at;
	int found;

	*row = NULL;
	switch (b->q->by) {
	case REPORT_BY_NONE:
		return 0;
	case REPORT_BY_HOUR:
		if (localtime_r(&t, &tm) == NULL)
			return -1;
		*row = &b->r->rows[tm.tm_hour];
		return 0;
	case REPORT_BY_DAY:
		while (hi - lo > 1) {	/* the last day starting at or before t */
			size_t mid = lo + (hi - lo) / 2;

			if (b->days[mid] <= t)
				lo = mid;
			else
				hi = mid;
		}
		*row = &b->r->rows[lo];
		return 0;
	case REPORT_BY_GROUP:
	case REPORT_BY_AGENT:
		if (b->q->by == REPORT_BY_AGENT)
			grp = agent;
		if (grp == NULL)
			return 0;
		at = row_search(b->r, 0, b->r->n, grp, &found);
		if (!found) {
			if (b->r->n >= REPORT_MAX_KEYS)
				return too_many(b, b->q->by == REPORT_BY_AGENT ?
				    "agents" : "groups");
			if (row_insert(b->r, at, b->q->by == REPORT_BY_AGENT ?
			    RK_AGENT : RK_GROUP, grp) == NULL)
				return -1;
		}
		*row = &b->r->rows[at];
		return 0;
	}
	return 0;
}

/* One chat row of the query below. */
struct chat_facts {
	time_t queued, assigned, first, ended;	/* 0: not (yet) */
	int rating, transfers, missed;
	int bot, bot_answered, bot_unanswered, handed_off;
};

static int
figs_add(struct report_figs *f, const struct chat_facts *c)
{
	f->bot_answered += c->bot_answered;
	f->bot_unanswered += c->bot_unanswered;
	f->handed_off += c->handed_off != 0;
	if (c->bot && !c->handed_off)
		return 0;	/* stayed with the bot: never offered to staff */
	f->offered++;
	f->answered += c->first != 0;
	f->missed += c->missed != 0;
	f->transferred += c->transfers > 0;
	if (c->rating >= 1 && c->rating <= 5) {
		f->rated++;
		f->stars[c->rating - 1]++;
	}
	if ((c->assigned && dist_add(&f->wait, (long)(c->assigned - c->queued)) < 0) ||
	    (c->first && dist_add(&f->frt, (long)(c->first - c->queued)) < 0) ||
	    (c->assigned && c->ended &&
	    dist_add(&f->dur, (long)(c->ended - c->assigned)) < 0))
		return -1;
	return 0;
}

static int
category_add(struct build *b, const char *cat)
{
	int found;
	size_t at = row_search(&b->cats, 0, b->cats.n, cat, &found);

	if (!found) {
		if (b->cats.n >= CATEGORIES_SEEN_MAX)
			return 0;
		if (row_insert(&b->cats, at, RK_CATEGORY, cat) == NULL)
			return -1;
	}
	b->cats.rows[at].f.offered++;
	return 0;
}

static time_t
col_time(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? 0 :
	    (time_t)sqlite3_column_int64(s, i);
}

static const char *
col_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

static const char chats_sql[] =
    "SELECT grp, agent, queued_at, assigned_at, first_response_at, ended_at,"
    " rating, category, transfers, missed, bot, bot_answered,"
    " bot_unanswered, handed_off FROM chats"
    " WHERE queued_at >= ?1 AND queued_at < ?2"
    " AND (?3 IS NULL OR grp = ?3) AND (?4 IS NULL OR agent = ?4)";

static int
prepare(struct sqlite3 *db, const char *sql, sqlite3_stmt **s,
    const struct report_query *q, struct build *b)
{
	if (sqlite3_prepare_v2(db, sql, -1, s, NULL) != SQLITE_OK) {
		snprintf(b->err, b->errlen, "%s (a database older than this "
		    "kefud? start kefud once to upgrade it)", sqlite3_errmsg(db));
		return -1;
	}
	if (sqlite3_bind_int64(*s, 1, (sqlite3_int64)q->from) != SQLITE_OK ||
	    sqlite3_bind_int64(*s, 2, (sqlite3_int64)q->to) != SQLITE_OK ||
	    (q->group && sqlite3_bind_text(*s, 3, q->group, -1,
	    SQLITE_STATIC) != SQLITE_OK) ||
	    (q->agent && sqlite3_bind_text(*s, 4, q->agent, -1,
	    SQLITE_STATIC) != SQLITE_OK)) {
		snprintf(b->err, b->errlen, "%s", sqlite3_errmsg(db));
		sqlite3_finalize(*s);
		return -1;
	}
	return 0;
}

static int
chats_pass(struct sqlite3 *db, struct build *b)
{
	sqlite3_stmt *s;
	long n = 0;
	int rc = SQLITE_DONE, ret = 0;

	if (prepare(db, chats_sql, &s, b->q, b) < 0)
		return -1;
	while (ret == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct chat_facts c = {
			col_time(s, 2), col_time(s, 3), col_time(s, 4),
			col_time(s, 5), sqlite3_column_int(s, 6),
			sqlite3_column_int(s, 8), sqlite3_column_int(s, 9),
			sqlite3_column_int(s, 10), sqlite3_column_int(s, 11),
			sqlite3_column_int(s, 12), sqlite3_column_int(s, 13),
		};
		const char *cat = col_text(s, 7);
		struct report_row *row;

		if (b->q->max_chats > 0 && ++n > b->q->max_chats) {
			snprintf(b->err, b->errlen, "more than %ld chats in the "
			    "period; use a shorter one or kefud report",
			    b->q->max_chats);
			ret = REPORT_TOOBIG;
			break;
		}
		ret = bucket(b, c.queued, col_text(s, 0), col_text(s, 1), &row);
		if (ret == 0 && ((row && figs_add(&row->f, &c) < 0) ||
		    figs_add(&b->total, &c) < 0 ||
		    (cat && *cat && category_add(b, cat) < 0)))
			ret = -1;
	}
	if (ret == 0 && rc != SQLITE_DONE) {
		snprintf(b->err, b->errlen, "%s", sqlite3_errmsg(db));
		ret = -1;
	} else if (ret < 0 && b->err[0] == '\0')
		snprintf(b->err, b->errlen, "out of memory");
	sqlite3_finalize(s);
	return ret;
}

/* ---- the status log: each agent's seconds per status ---- */

/* the row each agent was in when the period began, then the period's;
 * ?3 (the group) is not used: statuses are not per group */
static const char status_sql[] =
    "SELECT agent, ts, status, id FROM agent_status_log WHERE id IN"
    " (SELECT max(id) FROM agent_status_log WHERE ts < ?1"
    "  AND (?4 IS NULL OR agent = ?4) GROUP BY agent)"
    " UNION ALL SELECT agent, ts, status, id FROM agent_status_log"
    " WHERE ts >= ?1 AND ts < ?2 AND (?4 IS NULL OR agent = ?4)"
    " ORDER BY 1, 2, 4";

/* One agent's intervals as they are read. */
struct span {
	char agent[REPORT_KEY_MAX];
	char status[16];
	time_t since;
	long long on[3];	/* online, away, busy */
};

static void
span_close(struct span *sp, time_t until)
{
	static const char *const names[] = { "online", "away", "busy" };

	if (sp->status[0] == '\0' || until <= sp->since)
		return;
	for (int i = 0; i < 3; i++)
		if (strcmp(sp->status, names[i]) == 0)
			sp->on[i] += until - sp->since;
}

/* An agent's spans are complete: into its row (made for it when no
 * group filter is on and it was on at all). */
static int
span_done(struct build *b, struct span *sp)
{
	int found;
	size_t at;
	struct report_row *row;

	if (sp->agent[0] == '\0')
		return 0;
	at = row_search(b->r, 0, b->r->n, sp->agent, &found);
	if (!found) {
		if (b->q->group || sp->on[0] + sp->on[1] + sp->on[2] == 0)
			return 0;
		if (b->r->n >= REPORT_MAX_KEYS)
			return too_many(b, "agents");
		if ((row = row_insert(b->r, at, RK_AGENT, sp->agent)) == NULL)
			return -1;
	}
	row = &b->r->rows[at];
	row->f.online += sp->on[0];
	row->f.away += sp->on[1];
	row->f.busy += sp->on[2];
	b->total.online += sp->on[0];
	b->total.away += sp->on[1];
	b->total.busy += sp->on[2];
	return 0;
}

static int
status_pass(struct sqlite3 *db, struct build *b)
{
	sqlite3_stmt *s;
	struct span sp;
	time_t end = b->q->now < b->q->to ? b->q->now : b->q->to;
	int rc = SQLITE_DONE, ret = 0;

	if (prepare(db, status_sql, &s, b->q, b) < 0)
		return -1;
	memset(&sp, 0, sizeof(sp));
	while (ret == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *agent = col_text(s, 0), *st = col_text(s, 2);
		time_t ts = (time_t)sqlite3_column_int64(s, 1);

		if (agent == NULL || st == NULL)
			continue;
		if (ts < b->q->from)
			ts = b->q->from;	/* the status the period began in */
		if (ts > end)
			ts = end;
		if (strcmp(agent, sp.agent) != 0) {
			span_close(&sp, end);
			if ((ret = span_done(b, &sp)) != 0)
				break;
			memset(&sp, 0, sizeof(sp));
			snprintf(sp.agent, sizeof(sp.agent), "%s", agent);
		} else
			span_close(&sp, ts);
		snprintf(sp.status, sizeof(sp.status), "%s", st);
		sp.since = ts;
	}
	if (ret == 0 && rc == SQLITE_DONE) {
		span_close(&sp, end);
		ret = span_done(b, &sp);
	} else if (ret == 0) {
		snprintf(b->err, b->errlen, "%s", sqlite3_errmsg(db));
		ret = -1;
	}
	sqlite3_finalize(s);
	return ret;
}

/* ---- finishing ---- */

/* qsort(NULL, 0, ...) is undefined (UBSan stops on it): an empty list
 * has nothing to sort */
static void
sort_longs(long *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(long), cmp_long);
}

static void
figs_sort(struct report_figs *f)
{
	sort_longs(f->wait.v, f->wait.n);
	sort_longs(f->frt.v, f->frt.n);
	sort_longs(f->dur.v, f->dur.n);
}

static int
cmp_category(const void *a, const void *b)
{
	const struct report_row *x = a, *y = b;

	if (x->f.offered != y->f.offered)
		return x->f.offered > y->f.offered ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* The total and the most frequent categories after the buckets. */
static int
finish(struct build *b)
{
	struct report_row *t;

	for (size_t i = 0; i < b->r->n; i++)
		figs_sort(&b->r->rows[i].f);
	if ((t = row_insert(b->r, b->r->n, RK_TOTAL, "total")) == NULL)
		return -1;
	t->f = b->total;
	memset(&b->total, 0, sizeof(b->total));
	figs_sort(&t->f);
	if (b->cats.n > 1)	/* (rows is NULL when there are none) */
		qsort(b->cats.rows, b->cats.n, sizeof(*b->cats.rows), cmp_category);
	for (size_t i = 0; i < b->cats.n && i < REPORT_MAX_CATEGORIES; i++)
		if ((t = row_insert(b->r, b->r->n, RK_CATEGORY,
		    b->cats.rows[i].key)) == NULL)
			return -1;
		else
			t->f.offered = b->cats.rows[i].f.offered;
	return 0;
}

int
report_run(struct sqlite3 *db, const struct report_query *q,
    struct report *r, char *err, size_t errlen)
{
	struct build b;
	int ret;

	memset(r, 0, sizeof(*r));
	memset(&b, 0, sizeof(b));
	r->by = q->by;
	b.q = q;
	b.r = r;
	b.err = err;
	b.errlen = errlen;
	err[0] = '\0';
	ret = fixed_rows(&b);
	if (ret == 0)
		ret = chats_pass(db, &b);
	if (ret == 0 && q->by == REPORT_BY_AGENT)
		ret = status_pass(db, &b);
	if (ret == 0)
		ret = finish(&b);
	if (ret < 0 && err[0] == '\0')
		snprintf(err, errlen, "out of memory");
	figs_free(&b.total);
	report_free(&b.cats);
	free(b.days);
	if (ret != 0)
		report_free(r);
	return ret;
}

/* ---- the figures as fields ---- */

static struct report_field *
field(struct report_field *f, const char *name)
{
	f->name = name;
	f->value[0] = '\0';
	f->missing = 0;
	return f;
}

static struct report_field *
field_long(struct report_field *f, const char *name, long long v)
{
	snprintf(field(f, name)->value, sizeof(f->value), "%lld", v);
	return f + 1;
}

/* name_avg, name_p50, name_p90 of a sorted distribution */
static struct report_field *
field_dist(struct report_field *f, const char *names[3],
    const struct report_dist *d)
{
	static const int pct[] = { 50, 90 };
	long long sum = 0;

	for (size_t i = 0; i < d->n; i++)
		sum += d->v[i];
	field(f, names[0])->missing = d->n == 0;
	if (d->n)
		snprintf(f->value, sizeof(f->value), "%.1f",
		    (double)sum / (double)d->n);
	f++;
	for (int i = 0; i < 2; i++, f++) {
		size_t rank = (size_t)(pct[i] * d->n + 99) / 100;

		field(f, names[i + 1])->missing = d->n == 0;
		if (d->n)
			snprintf(f->value, sizeof(f->value), "%ld",
			    d->v[rank - 1]);
	}
	return f;
}

int
report_fields(const struct report *r, const struct report_row *row,
    struct report_field *out)
{
	static const char *wait[] = { "wait_avg", "wait_p50", "wait_p90" };
	static const char *frt[] = { "frt_avg", "frt_p50", "frt_p90" };
	static const char *dur[] = { "dur_avg", "dur_p50", "dur_p90" };
	static const char *stars[] = { "r1", "r2", "r3", "r4", "r5" };
	const struct report_figs *f = &row->f;
	struct report_field *p = out;
	long sum = 0;

	if (row->kind == RK_CATEGORY)
		return (int)(field_long(p, "chats", f->offered) - out);
	p = field_long(p, "offered", f->offered);
	p = field_long(p, "answered", f->answered);
	p = field_long(p, "missed", f->missed);
	p = field_long(p, "transferred", f->transferred);
	p = field_dist(p, wait, &f->wait);
	p = field_dist(p, frt, &f->frt);
	p = field_dist(p, dur, &f->dur);
	p = field_long(p, "rated", f->rated);
	for (int i = 0; i < 5; i++)
		sum += (long)(i + 1) * f->stars[i];
	field(p, "rating_avg")->missing = f->rated == 0;
	if (f->rated)
		snprintf(p->value, sizeof(p->value), "%.2f",
		    (double)sum / (double)f->rated);
	p++;
	for (int i = 0; i < 5; i++)
		p = field_long(p, stars[i], f->stars[i]);
	p = field_long(p, "bot_answered", f->bot_answered);
	p = field_long(p, "bot_unanswered", f->bot_unanswered);
	p = field_long(p, "handed_off", f->handed_off);
	if (r->by == REPORT_BY_AGENT) {
		p = field_long(p, "online", f->online);
		p = field_long(p, "away", f->away);
		p = field_long(p, "busy", f->busy);
	}
	return (int)(p - out);
}
