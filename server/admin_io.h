/*
 * admin_io.h - a table's import and export as YAML or CSV (admin_io.c),
 * described by one struct per table: admin_replies.c, admin_kb.c.
 */
#ifndef KEFU_ADMIN_IO_H
#define KEFU_ADMIN_IO_H

#define ADMIN_IO_FIELDS 16	/* most fields a table has */

struct admin_io {
	const char *what;		/* "quick replies" */
	const char *list_key;		/* YAML: "quick_replies: [...]" */
	const char *const *fields;	/* names, in the CSV header's order */
	int nfields;
	int label;			/* the field that names an entry in errors */
	unsigned always;		/* bit i: export field i even if empty */
	const char *export_sql;		/* rows of the fields, in order */
	const char *audit_action;	/* written once after an import */
	/* Check and add one entry (v[i]: field i, NULL when absent) in the
	 * open transaction; NULL, or why it was refused. */
	const char *(*add)(const char *const *v);
};

/* Export to file (read-only, from the database at dbpath); 0 or 1. */
int admin_io_export(const struct admin_io *io, const char *file,
    const char *dbpath);
/* Import file into the open store, all or nothing; 0 or 1. */
int admin_io_import(const struct admin_io *io, const char *file);

#endif
