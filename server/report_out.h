/*
 * report_out.h - `kefud report` (report_out.c): a report of the database,
 * read-only, as a table, CSV or JSON on standard output.
 */
#ifndef KEFU_REPORT_OUT_H
#define KEFU_REPORT_OUT_H

/* argv[0] is "report"; returns the exit status. */
int report_main(int argc, char **argv, const char *dbpath);

#endif
