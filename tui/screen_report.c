/*
 * screen_report.c - the report screen (Alt-g, supervisors and admins): a
 * period's figures from REPORT as a table (by day, agent or group, and the
 * total), and a bar chart of the chats offered per hour of the day
 * (REPORT by=hour). Keys move the period (d today, w 7 days, m 30 days,
 * [ ] or Left Right: the period before / after) and change the rows (b).
 *
 * Every cell is drawn clipped to its column by cells, never bytes, so
 * agent and group names in Chinese keep the columns straight; the bars are
 * '#' (one cell wide everywhere, unlike the block characters, whose width
 * is ambiguous in CJK locales).
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "draw.h"
#include "screen.h"

#define REPORT_ROWS 500

enum { BY_DAY, BY_AGENT, BY_GROUP, BY_N };
enum { RP_TABLE = 1, RP_HOURS };	/* request arg */

struct rrow {
	char key[64];
	char f[8][16];		/* the figures of fig_keys, as sent */
};

static const char *const by_names[BY_N] = { "day", "agent", "group" };
static const char *const fig_keys[8] = { "offered", "answered", "missed",
    "transferred", "wait_p50", "frt_p50", "dur_p50", "rating_avg" };
static const char *const fig_heads[8] = { "Offered", "Answered", "Missed",
    "Xfer", "Wait50", "Resp50", "Dur50", "Rating" };
static const int fig_w[8] = { 8, 9, 7, 5, 7, 7, 7, 7 };

static struct {
	time_t from, to;	/* local noon of the first and the last day */
	int by;
	struct rrow *rows;
	size_t n, top;
	struct rrow total;
	int have_total;
	long hours[24];
	int have_hours;
	unsigned long seq_table, seq_hours;
	int loading;
} rp;

static void
day_str(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%d",
	    &tm) == 0)
		snprintf(buf, len, "?");
}

static time_t
noon_today(void)
{
	time_t now = time(NULL);
	struct tm tm;

	if (localtime_r(&now, &tm) == NULL)
		return now;
	tm.tm_hour = 12;
	tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

static void
reload(struct app *a)
{
	char from[40], to[40], f[48], t[48], by[16];

	free(rp.rows);
	rp.rows = NULL;
	rp.n = rp.top = 0;
	rp.have_total = rp.have_hours = 0;
	memset(rp.hours, 0, sizeof(rp.hours));
	day_str(rp.from, from, sizeof(from));
	day_str(rp.to, to, sizeof(to));
	snprintf(f, sizeof(f), "from=%s", from);
	snprintf(t, sizeof(t), "to=%s", to);
	snprintf(by, sizeof(by), "by=%s", by_names[rp.by]);
	rp.seq_table = client_req(a->c, RQ_REPORT, RP_TABLE, NULL, "REPORT",
	    f, t, by, (char *)NULL);
	rp.seq_hours = client_req(a->c, RQ_REPORT, RP_HOURS, NULL, "REPORT",
	    f, t, "by=hour", (char *)NULL);
	rp.loading = rp.seq_table != 0;
	if (!rp.loading)
		screen_note(a->m, "Not connected");
}

/* days days up to today */
static void
period_last(struct app *a, int days)
{
	rp.to = noon_today();
	rp.from = rp.to - (time_t)(days - 1) * 86400;
	reload(a);
}

void
report_enter(struct app *a)
{
	if (rp.from == 0)
		period_last(a, 7);
	else
		reload(a);
}

/* ---- replies ---- */

/*
 * The value of key=... in a row as sent (words split by spaces; the
 * values a report has need no unescaping: numbers, dates, account and
 * group names), copied to buf; NULL if absent.
 */
static const char *
raw_opt(const char *raw, const char *key, char *buf, size_t len)
{
	size_t kl = strlen(key);

	for (const char *p = raw; p && *p; p = strchr(p, ' ')) {
		size_t n;

		while (*p == ' ')
			p++;
		if (strncmp(p, key, kl) != 0 || p[kl] != '=')
			continue;
		p += kl + 1;
		n = strcspn(p, " ");
		snprintf(buf, len, "%.*s", (int)n, p);
		return buf;
	}
	return NULL;
}

static void
fill(struct rrow *w, const char *raw, const char *key)
{
	snprintf(w->key, sizeof(w->key), "%s", key);
	for (int i = 0; i < 8; i++)
		if (raw_opt(raw, fig_keys[i], w->f[i], sizeof(w->f[i])) == NULL)
			snprintf(w->f[i], sizeof(w->f[i]), "-");
}

static void
table_row(const char *raw)
{
	char key[64];
	struct rrow *nr;

	while (*raw == ' ')
		raw++;
	if (strncmp(raw, "total ", 6) == 0) {
		fill(&rp.total, raw, "Total");
		rp.have_total = 1;
		return;
	}
	if (raw_opt(raw, by_names[rp.by], key, sizeof(key)) == NULL ||
	    rp.n >= REPORT_ROWS)
		return;		/* wrap-up categories: not shown here */
	if ((nr = realloc(rp.rows, (rp.n + 1) * sizeof(*nr))) == NULL)
		return;
	rp.rows = nr;
	fill(&rp.rows[rp.n++], raw, key);
}

static void
hour_row(const char *raw)
{
	char h[8], v[24];
	long hour;

	if (raw_opt(raw, "hour", h, sizeof(h)) == NULL ||
	    raw_opt(raw, "offered", v, sizeof(v)) == NULL)
		return;
	hour = strtol(h, NULL, 10);
	if (hour >= 0 && hour < 24) {
		rp.hours[hour] = strtol(v, NULL, 10);
		rp.have_hours = 1;
	}
}

void
report_msg(struct session *s, struct client_msg *msg)
{
	struct client_pending *p = msg->p;
	int table = p->seq == rp.seq_table, hours = p->seq == rp.seq_hours;

	if (!table && !hours)
		return;		/* an older period */
	if (msg->type == MSG_ROW && msg->raw != NULL)
		table ? table_row(msg->raw) : hour_row(msg->raw);
	else if (msg->type == MSG_ERR)
		screen_error(s->m, msg->err_code, msg->err_text);
	if (msg->type != MSG_ROW && table)
		rp.loading = 0;
}

/* ---- keys ---- */

int
report_key(struct app *a, int fk, wint_t wc)
{
	time_t len = rp.to - rp.from + 86400;

	if (fk == KEY_LEFT || (fk == 0 && wc == '[')) {
		rp.from -= len;
		rp.to -= len;
		reload(a);
	} else if (fk == KEY_RIGHT || (fk == 0 && wc == ']')) {
		rp.from += len;
		rp.to += len;
		reload(a);
	} else if (fk == KEY_UP && rp.top > 0)
		rp.top--;
	else if (fk == KEY_DOWN && rp.top + 1 < rp.n)
		rp.top++;
	else if (fk != 0)
		return 1;
	else if (wc == 'd')
		period_last(a, 1);
	else if (wc == 'w')
		period_last(a, 7);
	else if (wc == 'm')
		period_last(a, 30);
	else if (wc == 'b') {
		rp.by = (rp.by + 1) % BY_N;
		reload(a);
	} else if (wc == 'r')
		reload(a);
	else if (wc == 27)
		return 0;
	return 1;
}

/* ---- drawing ---- */

static int
key_width(int cols)
{
	int w = 0;

	for (int i = 0; i < 8; i++)
		w += fig_w[i];
	w = cols - w - 1;
	return w > 24 ? 24 : w < 8 ? 8 : w;
}

static void
draw_rrow(int y, int cols, const struct rrow *r, int style)
{
	int kw = key_width(cols), x = kw;

	draw_fill(y, 0, cols, style);
	draw_text_cut(y, 0, kw - 1, r->key, style);
	for (int i = 0; i < 8 && x < cols; i++) {
		char cell[20];
		int w = fig_w[i];

		/* right-aligned numbers */
		snprintf(cell, sizeof(cell), "%*.*s", w - 1, w - 1, r->f[i]);
		draw_text(y, x, cols - x, cell, style);
		x += w;
	}
}

static void
draw_table(int y, int h, int cols)
{
	int kw = key_width(cols), x = kw, rows;
	static const char *const heads[BY_N] = { "Day", "Agent", "Group" };

	draw_fill(y, 0, cols, ST_LABEL);
	draw_text(y, 0, kw - 1, heads[rp.by], ST_LABEL);
	for (int i = 0; i < 8 && x < cols; i++) {
		char cell[20];

		snprintf(cell, sizeof(cell), "%*s", fig_w[i] - 1, fig_heads[i]);
		draw_text(y, x, cols - x, cell, ST_LABEL);
		x += fig_w[i];
	}
	rows = h - 1 - (rp.have_total ? 1 : 0);
	if (rp.top + (size_t)rows > rp.n && rp.n >= (size_t)rows)
		rp.top = rp.n - (size_t)rows;
	for (int i = 0; i < rows && rp.top + (size_t)i < rp.n; i++)
		draw_rrow(y + 1 + i, cols, &rp.rows[rp.top + (size_t)i],
		    ST_NORMAL);
	if (rp.n == 0 && !rp.loading)
		draw_text(y + 1, 0, cols, "No chats in this period.", ST_GREY);
	if (rp.have_total)
		draw_rrow(y + h - 1, cols, &rp.total, ST_TITLE);
}

static void
draw_chart(int y, int h, int cols)
{
	int cw = (cols - 6) / 24, bw = cw > 1 ? cw - 1 : 1, x0 = 5;
	long max = 0;
	char buf[32], bar[16];

	for (int i = 0; i < 24; i++)
		if (rp.hours[i] > max)
			max = rp.hours[i];
	draw_line_cut(y, 0, cols, "Chats offered per hour of the day "
	    "(all days of the period)", ST_LABEL);
	if (cw < 1 || h < 3)
		return;
	memset(bar, '#', sizeof(bar) - 1);
	bar[bw < 15 ? bw : 15] = '\0';
	snprintf(buf, sizeof(buf), "%4ld", max);
	draw_text(y + 1, 0, 5, buf, ST_GREY);
	draw_text(y + h - 1, 0, 5, "   0", ST_GREY);
	for (int i = 0; i < 24; i++) {
		int bh = max ? (int)((rp.hours[i] * (h - 1) + max - 1) / max) : 0;

		for (int k = 0; k < bh; k++)
			draw_text(y + h - 1 - k, x0 + i * cw, bw, bar, ST_AGENT);
		snprintf(buf, sizeof(buf), "%02d", i);
		if (cw >= 3 || i % 3 == 0)
			draw_text(y + h, x0 + i * cw, cw >= 3 ? cw : 3, buf,
			    ST_GREY);
	}
}

void
report_draw(const struct layout *l, struct model *m)
{
	char from[40], to[40], title[160];
	int avail = l->rows - 4, chart = avail / 2 - 1, table;

	(void)m;
	if (chart > 10)
		chart = 10;
	if (chart < 3)
		chart = 3;
	table = avail - chart - 2;
	day_str(rp.from, from, sizeof(from));
	day_str(rp.to, to, sizeof(to));
	snprintf(title, sizeof(title), "Report %s .. %s  rows by %s%s", from,
	    to, by_names[rp.by], rp.loading ? "  (loading)" : "");
	draw_line_cut(1, 0, l->cols, title, ST_TITLE);
	if (table >= 2)
		draw_table(2, table, l->cols);
	draw_chart(2 + table, chart, l->cols);
	screen_bottom(l, "d:today w:7 days m:30 days [ ]:earlier/later "
	    "b:rows by r:reload Esc:back");
}
