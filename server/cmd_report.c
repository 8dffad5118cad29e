/*
 * cmd_report.c - reports over the protocol: the REPORT verb (supervisors
 * and admins). The figures are computed by report.c on kefud's own
 * connection, so they include this iteration's writes; the reply is rows
 * "+ <by>=<key> figure=value ..." (the buckets, then "+ total ...", then
 * "+ category=C chats=N") and "OK <count>".
 *
 * STATS is the same computation for one agent and one day, the caller and
 * today, answered in one line for the console's status bar.
 *
 * Verbs (rows of proto/cmdtab.def): REPORT STATS.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "log.h"
#include "report.h"
#include "store.h"

/* A REPORT reads at most this many chats: the loop waits while it runs
 * (measured: 0.35-0.45 s of CPU for 200000 chats, so up to ~0.2 s here);
 * `kefud report` has no limit. */
#define REPORT_PROTO_MAX_CHATS 100000
/* The most one row takes on the wire, for the reply's size check. */
#define REPORT_ROW_BYTES 400

/* Every argument is a known key=value, none twice. */
static int
report_args(struct conn *c, struct proto_req *r)
{
	static const char *const keys[] = { "from", "to", "group", "agent",
	    "by", NULL };

	for (int i = 0; i < r->argc; i++) {
		size_t kl = strcspn(r->argv[i], "=");
		int known = 0;

		for (const char *const *k = keys; *k; k++)
			if (strlen(*k) == kl && !strncmp(*k, r->argv[i], kl))
				known = 1;
		for (int j = 0; j < i && known; j++)
			if (!strncmp(r->argv[j], r->argv[i], kl + 1))
				known = 0;
		if (!known || r->argv[i][kl] != '=') {
			reply_err(c, "ARGS", "unknown or repeated option '%.40s'",
			    r->argv[i]);
			return -1;
		}
	}
	return 0;
}

static void
put_row(struct conn *c, const struct report *rep,
    const struct report_row *row)
{
	struct report_field f[REPORT_FIELDS_MAX];
	int n = report_fields(rep, row, f);
	struct pbuf *b = row_begin(c);

	if (row->kind == RK_TOTAL)
		proto_put_word(b, "total");
	else
		proto_put_kv(b, report_kind_name(row->kind), row->key);
	for (int i = 0; i < n; i++)
		proto_put_kv(b, f[i].name, f[i].missing ? "-" : f[i].value);
	conn_end(c);
}

void
cmd_report(struct conn *c, struct proto_req *r)
{
	struct report_query q;
	struct report rep;
	const char *from, *to, *by;
	char err[256];
	int rc;

	if (report_args(c, r) < 0)
		return;
	memset(&q, 0, sizeof(q));
	from = proto_opt(r, "from");
	to = proto_opt(r, "to");
	by = proto_opt(r, "by");
	if (from == NULL || to == NULL) {
		reply_err(c, "ARGS", "usage: REPORT from=YYYY-MM-DD to=YYYY-MM-DD [group=G] [agent=A] [by=day|agent|group|hour]");
		return;
	}
	if (report_period(from, to, &q, err, sizeof(err)) < 0) {
		reply_err(c, "ARGS", "%s", err);
		return;
	}
	if (by && report_parse_by(by, &q.by) < 0) {
		reply_err(c, "ARGS", "by is day, agent, group or hour");
		return;
	}
	q.group = proto_opt(r, "group");
	q.agent = proto_opt(r, "agent");
	q.max_chats = REPORT_PROTO_MAX_CHATS;
	q.now = time(NULL);
	rc = report_run(store_handle(), &q, &rep, err, sizeof(err));
	if (rc == REPORT_TOOBIG) {
		reply_err(c, "LIMIT", "%s", err);
		return;
	}
	if (rc < 0) {
		log_error("report: %s", err);
		reply_err(c, "INTERNAL", "the report failed");
		return;
	}
	if (rep.n * REPORT_ROW_BYTES > srv.cfg.outbuf_max / 2) {
		reply_err(c, "LIMIT", "%zu rows are more than limits.outbuf_max "
		    "allows; narrow the report", rep.n);
		report_free(&rep);
		return;
	}
	for (size_t i = 0; i < rep.n; i++)
		put_row(c, &rep, &rep.rows[i]);
	reply_ok(c, "%zu", rep.n);
	report_free(&rep);
}

/* The figures STATS answers with, in this order (report_fields' names). */
static const char *const stats_fields[] = { "offered", "answered", "frt_avg",
    "rated", "rating_avg", NULL };

void
cmd_stats(struct conn *c, struct proto_req *r)
{
	struct report_field f[REPORT_FIELDS_MAX];
	struct report_query q;
	struct report rep;
	char day[16], err[256], line[400];
	time_t now = time(NULL);
	struct tm tm;
	size_t len, t = 0;
	int n;

	(void)r;
	memset(&q, 0, sizeof(q));
	if (localtime_r(&now, &tm) == NULL ||
	    strftime(day, sizeof(day), "%Y-%m-%d", &tm) == 0 ||
	    report_period(day, day, &q, err, sizeof(err)) < 0) {
		reply_err(c, "INTERNAL", "no local date");
		return;
	}
	q.agent = c->agent->name;
	q.max_chats = REPORT_PROTO_MAX_CHATS;
	q.now = now;
	if (report_run(store_handle(), &q, &rep, err, sizeof(err)) != 0) {
		log_error("stats: %s", err);
		reply_err(c, "INTERNAL", "the figures failed");
		return;
	}
	while (t < rep.n && rep.rows[t].kind != RK_TOTAL)
		t++;
	if (t == rep.n) {
		report_free(&rep);
		reply_err(c, "INTERNAL", "the figures failed");
		return;
	}
	n = report_fields(&rep, &rep.rows[t], f);
	len = (size_t)snprintf(line, sizeof(line), "day=%s", day);
	for (const char *const *k = stats_fields; *k; k++)
		for (int i = 0; i < n && len < sizeof(line); i++)
			if (strcmp(f[i].name, *k) == 0)
				len += (size_t)snprintf(line + len, sizeof(line) - len,
				    " %s=%s", *k, f[i].missing ? "-" : f[i].value);
	report_free(&rep);
	reply_ok(c, "%s", line);
}
