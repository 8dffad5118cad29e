/*
 * log.c - leveled logging to stderr (systemd's journal picks it up).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"

static enum log_level log_level = LOG_INFO;

void
log_set_level(enum log_level l)
{
	log_level = l;
}

int
log_parse_level(const char *s, enum log_level *out)
{
	static const char *names[] = { "debug", "info", "warn", "error" };

	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	return -1;
}

void
log_msg(enum log_level l, const char *fmt, ...)
{
	static const char *tags[] = { "debug", "info", "warn", "error" };
	char ts[32];
	struct tm tm;
	time_t now;
	va_list ap;

	if (l < log_level)
		return;
	now = time(NULL);
	if (localtime_r(&now, &tm) == NULL ||
	    strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm) == 0)
		ts[0] = '\0';
	fprintf(stderr, "%s kefud[%s] ", ts, tags[l]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
