/*
 * cliutil.c - what the kefud subcommands that write CSV (report, replies
 * export) share: a CSV cell.
 */
#include <stdio.h>
#include <string.h>

#include "cliutil.h"

void
cliutil_csv_cell(FILE *out, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}
