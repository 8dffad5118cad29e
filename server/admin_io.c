/*
 * admin_io.c - import and export of a table for `kefud replies|kb
 * import|export FILE` (admin_replies.c, admin_kb.c say which table, its
 * fields, the export query and how one entry is checked and added): YAML,
 * or (when FILE ends in .csv) CSV with a header row naming the columns in
 * any order; "-" is standard input/output (YAML). Export opens the
 * database read-only and never creates one; import adds every entry or,
 * at the first bad one, none (the file is at most 16 MiB of UTF-8 text).
 *
 *   YAML: a sequence of mappings, or a mapping with that sequence under
 *         the table's key (quick_replies:, knowledge_base:)
 *   CSV:  the fields as columns
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <yaml.h>

#include "admin.h"
#include "admin_io.h"
#include "backup.h"
#include "cliutil.h"
#include "cmd.h"
#include "server.h"
#include "store.h"

#define IMPORT_FILE_MAX (16 << 20)
#define IMPORT_ENTRIES_MAX 10000

static int
is_csv(const char *path)
{
	size_t n = strlen(path);

	return n > 4 && strcmp(path + n - 4, ".csv") == 0;
}

static int
field_index(const struct admin_io *io, const char *name)
{
	for (int i = 0; i < io->nfields; i++)
		if (strcmp(name, io->fields[i]) == 0)
			return i;
	return -1;
}

/* ---- export ---- */

static void
yaml_scalar(yaml_document_t *d, int map, const char *k, const char *v)
{
	int kn = yaml_document_add_scalar(d, NULL, (yaml_char_t *)k, -1,
	    YAML_PLAIN_SCALAR_STYLE);
	int vn = yaml_document_add_scalar(d, NULL, (yaml_char_t *)v, -1,
	    strchr(v, '\n') ? YAML_LITERAL_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE);

	if (kn && vn)
		(void)yaml_document_append_mapping_pair(d, map, kn, vn);
}

static int
yaml_write(void *data, unsigned char *buf, size_t len)
{
	return fwrite(buf, 1, len, data) == len;
}

/* Step s (rows of io's fields, in order) into out. */
static int
export_rows(const struct admin_io *io, sqlite3_stmt *s, FILE *out, int csv)
{
	yaml_document_t d;
	yaml_emitter_t em;
	int seq = 0, rc, ok = 1;

	if (csv) {
		for (int i = 0; i < io->nfields; i++)
			fprintf(out, "%s%s", i ? "," : "", io->fields[i]);
		fputs("\r\n", out);
	} else if (!yaml_document_initialize(&d, NULL, NULL, NULL, 1, 1) ||
	    (seq = yaml_document_add_sequence(&d, NULL,
	    YAML_BLOCK_SEQUENCE_STYLE)) == 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int map = 0;

		if (!csv && ((map = yaml_document_add_mapping(&d, NULL,
		    YAML_BLOCK_MAPPING_STYLE)) == 0 ||
		    !yaml_document_append_sequence_item(&d, seq, map)))
			ok = 0;
		for (int i = 0; i < io->nfields && ok; i++) {
			const char *v = (const char *)sqlite3_column_text(s, i);

			if (csv) {
				fputs(i ? "," : "", out);
				cliutil_csv_cell(out, v ? v : "");
			} else if (v && (*v || (io->always & (1u << i))))
				yaml_scalar(&d, map, io->fields[i], v);
		}
		if (csv)
			fputs("\r\n", out);
	}
	if (csv)
		return rc == SQLITE_DONE && ok ? 0 : -1;
	if (!yaml_emitter_initialize(&em)) {
		yaml_document_delete(&d);
		return -1;
	}
	yaml_emitter_set_output(&em, yaml_write, out);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_width(&em, -1);
	/* yaml_emitter_dump deletes the document */
	if (!yaml_emitter_open(&em) || !yaml_emitter_dump(&em, &d) ||
	    !yaml_emitter_close(&em))
		ok = 0;
	else
		ok = ok && rc == SQLITE_DONE;
	yaml_emitter_delete(&em);
	return ok ? 0 : -1;
}

int
admin_io_export(const struct admin_io *io, const char *file,
    const char *dbpath)
{
	sqlite3 *db = backup_open_readonly(dbpath);
	sqlite3_stmt *s = NULL;
	FILE *out;
	int rc = 1;

	if (db == NULL)
		return 1;
	if (sqlite3_prepare_v2(db, io->export_sql, -1, &s, NULL) != SQLITE_OK) {
		/* an old schema: kefud has not started on it since the upgrade */
		fprintf(stderr, "kefud: %s: %s (start kefud once to upgrade it)\n",
		    dbpath, sqlite3_errmsg(db));
		sqlite3_close(db);
		return 1;
	}
	out = strcmp(file, "-") == 0 ? stdout : fopen(file, "w");
	if (out == NULL)
		perror(file);
	else if (export_rows(io, s, out, is_csv(file)) < 0)
		fprintf(stderr, "kefud: export failed: %s\n", sqlite3_errmsg(db));
	else
		rc = 0;
	if (out && out != stdout && fclose(out) != 0) {
		perror(file);
		rc = 1;
	}
	if (out == stdout && fflush(stdout) != 0)
		rc = 1;
	sqlite3_finalize(s);
	sqlite3_close(db);
	if (rc == 0 && out != stdout)
		fprintf(stderr, "exported %s to %s\n", io->what, file);
	return rc;
}

/* ---- import ---- */

struct import {
	const struct admin_io *io;
	const char *file;
	int n;			/* entries added */
};

/* Check and add one entry (v[i], NULL when absent); -1 said why. */
static int
import_one(struct import *im, const char *const *v)
{
	const char *label = v[im->io->label];
	const char *why = im->n >= IMPORT_ENTRIES_MAX ?
	    "too many entries (at most 10000)" : im->io->add(v);

	if (why) {
		fprintf(stderr, "kefud: %s: entry %d (%s): %s\n", im->file,
		    im->n + 1, label ? label : "", why);
		return -1;
	}
	im->n++;
	return 0;
}

/* A CSV field from *p (RFC 4180) into out (unquoted, NUL-ended, in place);
 * *end = the character after it (',' '\n' or '\0'). -1 if malformed. */
static int
csv_field(char **p, char **out, char *end)
{
	char *s = *p, *w = s;

	*out = s;
	if (*s == '"') {
		for (s++;; s++) {
			if (*s == '\0')
				return -1;
			if (*s == '"' && s[1] == '"')
				*w++ = *s++;
			else if (*s == '"')
				break;
			else
				*w++ = *s;
		}
		s++;
	} else
		while (*s && *s != ',' && *s != '\n' && *s != '\r')
			*w++ = *s++;
	if (*s == '\r')
		s++;
	if (*s != ',' && *s != '\n' && *s != '\0')
		return -1;
	*end = *s;
	*p = *s ? s + 1 : s;
	*w = '\0';	/* may be where *s was: after reading it */
	return 0;
}

/* One CSV record into f[] (at most max); *nf = its fields. */
static int
csv_record(char **p, char **f, int max, int *nf)
{
	char end = ',';

	*nf = 0;
	while (end == ',') {
		char *v;

		if (csv_field(p, &v, &end) < 0 || *nf >= max)
			return -1;
		f[(*nf)++] = v;
	}
	return 0;
}

static int
import_csv(struct import *im, char *buf)
{
	const struct admin_io *io = im->io;
	char *p = buf, *f[ADMIN_IO_FIELDS];
	int col[ADMIN_IO_FIELDS], n, nh;

	if (csv_record(&p, f, io->nfields, &nh) < 0)
		goto bad_header;
	for (int i = 0; i < nh; i++)
		if ((col[i] = field_index(io, f[i])) < 0)
			goto bad_header;
	while (*p) {
		const char *v[ADMIN_IO_FIELDS] = { NULL };

		if (*p == '\n' || (*p == '\r' && p[1] == '\n')) {
			p += *p == '\r' ? 2 : 1;	/* an empty line */
			continue;
		}
		if (csv_record(&p, f, io->nfields, &n) < 0 || n != nh) {
			fprintf(stderr, "kefud: %s: entry %d: not %d CSV fields\n",
			    im->file, im->n + 1, nh);
			return -1;
		}
		for (int i = 0; i < n; i++)
			v[col[i]] = f[i];
		if (import_one(im, v) < 0)
			return -1;
	}
	return 0;
bad_header:
	fprintf(stderr, "kefud: %s: the first line names the columns, of: ",
	    im->file);
	for (int i = 0; i < io->nfields; i++)
		fprintf(stderr, "%s%s", i ? "," : "", io->fields[i]);
	fputc('\n', stderr);
	return -1;
}

/* One YAML mapping node into an entry. */
static int
import_yaml_entry(struct import *im, yaml_document_t *d, yaml_node_t *m)
{
	const char *v[ADMIN_IO_FIELDS] = { NULL };

	if (m == NULL || m->type != YAML_MAPPING_NODE) {
		fprintf(stderr, "kefud: %s: entry %d is not a mapping\n",
		    im->file, im->n + 1);
		return -1;
	}
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
	    p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(d, p->key);
		yaml_node_t *val = yaml_document_get_node(d, p->value);
		int i = k && k->type == YAML_SCALAR_NODE ?
		    field_index(im->io, (const char *)k->data.scalar.value) : -1;

		if (i < 0 || val == NULL || val->type != YAML_SCALAR_NODE) {
			fprintf(stderr, "kefud: %s: entry %d: unknown key or not "
			    "a scalar (keys:", im->file, im->n + 1);
			for (int j = 0; j < im->io->nfields; j++)
				fprintf(stderr, " %s", im->io->fields[j]);
			fputs(")\n", stderr);
			return -1;
		}
		v[i] = (const char *)val->data.scalar.value;
	}
	return import_one(im, v);
}

static int
import_yaml(struct import *im, const char *buf, size_t len)
{
	yaml_parser_t p;
	yaml_document_t d;
	yaml_node_t *root, *seq = NULL;
	int rc = -1;

	if (!yaml_parser_initialize(&p))
		return -1;
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&p, &d)) {
		fprintf(stderr, "kefud: %s: line %zu: %s\n", im->file,
		    p.problem_mark.line + 1, p.problem ? p.problem : "bad YAML");
		yaml_parser_delete(&p);
		return -1;
	}
	root = yaml_document_get_root_node(&d);
	if (root && root->type == YAML_SEQUENCE_NODE)
		seq = root;
	else if (root && root->type == YAML_MAPPING_NODE &&
	    root->data.mapping.pairs.top - root->data.mapping.pairs.start == 1) {
		yaml_node_pair_t *pr = root->data.mapping.pairs.start;
		yaml_node_t *k = yaml_document_get_node(&d, pr->key);

		if (k && k->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)k->data.scalar.value, im->io->list_key) == 0)
			seq = yaml_document_get_node(&d, pr->value);
	}
	if (root == NULL)
		rc = 0;		/* an empty file */
	else if (seq == NULL || seq->type != YAML_SEQUENCE_NODE)
		fprintf(stderr, "kefud: %s: want a list of entries (or "
		    "%s: with one)\n", im->file, im->io->list_key);
	else {
		rc = 0;
		for (yaml_node_item_t *it = seq->data.sequence.items.start;
		    it < seq->data.sequence.items.top && rc == 0; it++)
			rc = import_yaml_entry(im, &d,
			    yaml_document_get_node(&d, *it));
	}
	yaml_document_delete(&d);
	yaml_parser_delete(&p);
	return rc;
}

/* UTF-8 text: valid UTF-8, no NUL, no control characters but line breaks
 * and tabs. */
static int
text_ok(const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t n = strcspn(buf + i, "\r\n");

		if (i + n > len || !proto_utf8_valid(buf + i, n))
			return 0;
		i += n + 1;
	}
	return 1;
}

/* The whole of file (at most IMPORT_FILE_MAX), NUL-ended; NULL said why. */
static char *
slurp(const char *file, size_t *len)
{
	FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
	char *buf;

	if (f == NULL) {
		perror(file);
		return NULL;
	}
	buf = malloc(IMPORT_FILE_MAX + 1);
	if (buf == NULL) {
		fprintf(stderr, "kefud: out of memory\n");
	} else {
		*len = fread(buf, 1, IMPORT_FILE_MAX + 1, f);
		if (ferror(f) || *len > IMPORT_FILE_MAX) {
			fprintf(stderr, "kefud: %s: %s\n", file, ferror(f) ?
			    "read error" : "larger than 16 MiB");
			free(buf);
			buf = NULL;
		} else
			buf[*len] = '\0';
	}
	if (f != stdin)
		fclose(f);
	return buf;
}

int
admin_io_import(const struct admin_io *io, const char *file)
{
	struct import im = { io, file, 0 };
	size_t len = 0;
	char *buf = slurp(file, &len);
	int rc;

	if (buf == NULL)
		return 1;
	if (memchr(buf, '\0', len) != NULL || !text_ok(buf, len)) {
		fprintf(stderr, "kefud: %s: not UTF-8 text\n", file);
		free(buf);
		return 1;
	}
	rc = is_csv(file) ? import_csv(&im, buf) : import_yaml(&im, buf, len);
	free(buf);
	if (rc < 0) {
		store_rollback();
		fprintf(stderr, "kefud: nothing was imported\n");
		return 1;
	}
	if (im.n > 0)
		(void)store_audit("kefud", io->audit_action, file);
	printf("imported %d %s from %s\n", im.n, io->what, file);
	return 0;
}
