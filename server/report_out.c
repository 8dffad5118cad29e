/*
 * report_out.c - `kefud report`: a report (report.c) of a database, read
 * only, printed as an aligned table, CSV or JSON for people, spreadsheets
 * and scripts:
 *
 *   kefud report --from YYYY-MM-DD --to YYYY-MM-DD [--group G] [--agent A]
 *       [--by day|agent|group|hour] [--format table|csv|json]
 *
 * It opens the database read-only and never creates one; it works beside
 * a running kefud (WAL lets it read while kefud writes).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sqlite3.h>
#include <time.h>

#include "backup.h"
#include "report.h"
#include "report_out.h"
#include "cliutil.h"

enum format { F_TABLE, F_CSV, F_JSON };

/* The first column's heading: what the rows are. */
static const char *
key_heading(const struct report *r)
{
	return r->by == REPORT_BY_NONE ? "row" : report_by_name(r->by);
}

/* ---- table ---- */

static void
table_print(FILE *out, const struct report *r)
{
	struct report_field f[REPORT_FIELDS_MAX];
	size_t w[REPORT_FIELDS_MAX + 1] = { 0 };
	int n = 0, ncat = 0;

	w[0] = strlen(key_heading(r));
	for (size_t i = 0; i < r->n; i++) {
		const struct report_row *row = &r->rows[i];

		if (row->kind == RK_CATEGORY) {
			ncat++;
			continue;
		}
		n = report_fields(r, row, f);
		if (strlen(row->key) > w[0])
			w[0] = strlen(row->key);
		for (int j = 0; j < n; j++) {
			size_t l = f[j].missing ? 1 : strlen(f[j].value);

			if (strlen(f[j].name) > l)
				l = strlen(f[j].name);
			if (l > w[j + 1])
				w[j + 1] = l;
		}
	}
	fprintf(out, "%-*s", (int)w[0], key_heading(r));
	for (int j = 0; j < n; j++)
		fprintf(out, "  %*s", (int)w[j + 1], f[j].name);
	fputc('\n', out);
	for (size_t i = 0; i < r->n; i++) {
		const struct report_row *row = &r->rows[i];

		if (row->kind == RK_CATEGORY)
			continue;
		report_fields(r, row, f);
		fprintf(out, "%-*s", (int)w[0], row->key);
		for (int j = 0; j < n; j++)
			fprintf(out, "  %*s", (int)w[j + 1],
			    f[j].missing ? "-" : f[j].value);
		fputc('\n', out);
	}
	if (ncat == 0)
		return;
	fprintf(out, "\n%-24s  %6s\n", "category", "chats");
	for (size_t i = 0; i < r->n; i++)
		if (r->rows[i].kind == RK_CATEGORY)
			fprintf(out, "%-24s  %6ld\n", r->rows[i].key,
			    r->rows[i].f.offered);
}

/* ---- CSV (RFC 4180) ---- */

/* One table: kind,key,<figures>,chats; a category row fills only chats. */
static void
csv_print(FILE *out, const struct report *r)
{
	struct report_row head = { .kind = RK_TOTAL };
	struct report_field f[REPORT_FIELDS_MAX];
	int n = report_fields(r, &head, f);

	fputs("kind,key", out);
	for (int j = 0; j < n; j++)
		fprintf(out, ",%s", f[j].name);
	fputs(",chats\r\n", out);
	for (size_t i = 0; i < r->n; i++) {
		const struct report_row *row = &r->rows[i];

		fprintf(out, "%s,", report_kind_name(row->kind));
		if (row->kind != RK_TOTAL)
			cliutil_csv_cell(out, row->key);
		if (row->kind == RK_CATEGORY) {
			for (int j = 0; j < n; j++)
				fputc(',', out);
			fprintf(out, ",%ld\r\n", row->f.offered);
			continue;
		}
		report_fields(r, row, f);
		for (int j = 0; j < n; j++)
			fprintf(out, ",%s", f[j].missing ? "" : f[j].value);
		fputs(",\r\n", out);
	}
}

/* ---- JSON ---- */

static void
json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

static void
json_row(FILE *out, const struct report *r, const struct report_row *row)
{
	struct report_field f[REPORT_FIELDS_MAX];
	int n = report_fields(r, row, f);

	fputc('{', out);
	if (row->kind != RK_TOTAL) {
		json_str(out, report_kind_name(row->kind));
		fputc(':', out);
		json_str(out, row->key);
		fputc(',', out);
	}
	for (int j = 0; j < n; j++)
		fprintf(out, "%s\"%s\":%s", j ? "," : "", f[j].name,
		    f[j].missing ? "null" : f[j].value);
	fputc('}', out);
}

/* {"from":..,"to":..,"by":..,"group":..,"agent":..,"rows":[..],
 *  "total":{..},"categories":[..]} */
static void
json_print(FILE *out, const struct report *r, const char *from,
    const char *to, const char *group, const char *agent)
{
	const char *sep = "";

	fputs("{\"from\":", out);
	json_str(out, from);
	fputs(",\"to\":", out);
	json_str(out, to);
	fputs(",\"by\":", out);
	if (r->by == REPORT_BY_NONE)
		fputs("null", out);
	else
		json_str(out, report_by_name(r->by));
	fputs(",\"group\":", out);
	group ? json_str(out, group) : (void)fputs("null", out);
	fputs(",\"agent\":", out);
	agent ? json_str(out, agent) : (void)fputs("null", out);
	fputs(",\"rows\":[", out);
	for (size_t i = 0; i < r->n; i++)
		if (r->rows[i].kind != RK_TOTAL &&
		    r->rows[i].kind != RK_CATEGORY) {
			fputs(sep, out);
			json_row(out, r, &r->rows[i]);
			sep = ",";
		}
	fputs("],\"total\":", out);
	for (size_t i = 0; i < r->n; i++)
		if (r->rows[i].kind == RK_TOTAL)
			json_row(out, r, &r->rows[i]);
	fputs(",\"categories\":[", out);
	sep = "";
	for (size_t i = 0; i < r->n; i++)
		if (r->rows[i].kind == RK_CATEGORY) {
			fputs(sep, out);
			json_row(out, r, &r->rows[i]);
			sep = ",";
		}
	fputs("]}\n", out);
}

/* ---- the subcommand ---- */

static int
usage(void)
{
	fprintf(stderr, "usage: kefud report --from YYYY-MM-DD --to YYYY-MM-DD "
	    "[--group G] [--agent A] [--by day|agent|group|hour] "
	    "[--format table|csv|json]\n");
	return 2;
}

int
report_main(int argc, char **argv, const char *dbpath)
{
	static const struct option lo[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "group", required_argument, NULL, 'g' },
		{ "agent", required_argument, NULL, 'a' },
		{ "by", required_argument, NULL, 'b' },
		{ "format", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	const char *from = NULL, *to = NULL, *by = NULL, *fmt = "table";
	struct report_query q;
	struct report rep;
	enum format format;
	char err[256];
	sqlite3 *db;
	int ch, rc;

	memset(&q, 0, sizeof(q));
	optind = 0;	/* reset getopt, and drop main()'s '+' mode */
	while ((ch = getopt_long(argc, argv, "f:t:g:a:b:F:", lo, NULL)) != -1) {
		switch (ch) {
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		case 'g': q.group = optarg; break;
		case 'a': q.agent = optarg; break;
		case 'b': by = optarg; break;
		case 'F': fmt = optarg; break;
		default: return usage();
		}
	}
	if (optind != argc || from == NULL || to == NULL)
		return usage();
	if (strcmp(fmt, "table") == 0)
		format = F_TABLE;
	else if (strcmp(fmt, "csv") == 0)
		format = F_CSV;
	else if (strcmp(fmt, "json") == 0)
		format = F_JSON;
	else
		return usage();
	if (by && report_parse_by(by, &q.by) < 0)
		return usage();
	if (report_period(from, to, &q, err, sizeof(err)) < 0) {
		fprintf(stderr, "kefud: %s\n", err);
		return 2;
	}
	if ((db = backup_open_readonly(dbpath)) == NULL)
		return 1;
	q.now = time(NULL);
	rc = report_run(db, &q, &rep, err, sizeof(err));
	sqlite3_close(db);
	if (rc != 0) {
		fprintf(stderr, "kefud: report: %s\n", err);
		return 1;
	}
	if (format == F_TABLE)
		table_print(stdout, &rep);
	else if (format == F_CSV)
		csv_print(stdout, &rep);
	else
		json_print(stdout, &rep, from, to, q.group, q.agent);
	report_free(&rep);
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
