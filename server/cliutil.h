/*
 * cliutil.h - helpers of the kefud subcommands run from a shell (cliutil.c).
 */
#ifndef KEFU_CLIUTIL_H
#define KEFU_CLIUTIL_H
#include <stdio.h>

/* s as one RFC 4180 CSV cell (quoted when it holds , " CR or LF). */
void cliutil_csv_cell(FILE *out, const char *s);
#endif
