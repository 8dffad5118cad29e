/*
 * log.c - leveled logging to stderr (systemd's journal picks it up), and
 * escaping client data so that it stays inside its log line.
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

#define LOG_CLEAN_BYTES 64
#define LOG_LINE_MAX 2048

/* Appends byte ch, escaped if it could break or fake a log line. */
static size_t
put_escaped(char *out, size_t room, unsigned char ch)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[5];
	size_t n = 0;

	if (ch == '\\' || ch == '\'' || ch == '"') {
		tmp[n++] = '\\';
		tmp[n++] = (char)ch;
	} else if (ch == '\n') {
		tmp[n++] = '\\';
		tmp[n++] = 'n';
	} else if (ch == '\r') {
		tmp[n++] = '\\';
		tmp[n++] = 'r';
	} else if (ch < 0x20 || ch == 0x7f) {
		tmp[n++] = '\\';
		tmp[n++] = 'x';
		tmp[n++] = hex[ch >> 4];
		tmp[n++] = hex[ch & 15];
	} else
		tmp[n++] = (char)ch;
	if (n >= room)
		return 0;
	memcpy(out, tmp, n);
	return n;
}

const char *
log_clean(const char *s, char *buf, size_t len)
{
	size_t o = 0, i;

	if (len == 0)
		return "";
	for (i = 0; s[i] && i < LOG_CLEAN_BYTES; i++) {
		size_t n = put_escaped(buf + o, len - o, (unsigned char)s[i]);

		if (n == 0)
			break;
		o += n;
	}
	if (s[i] && o + 4 <= len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

/* prefix and the finished line, with any control character left in the
 * line escaped, in one write. */
static void
log_write(const char *prefix, const char *line)
{
	char out[LOG_LINE_MAX * 2 + 1];	/* + the newline */
	size_t o = (size_t)snprintf(out, 128, "%s", prefix);

	for (const unsigned char *p = (const unsigned char *)line; *p; p++) {
		size_t n = *p < 0x20 || *p == 0x7f ?
		    put_escaped(out + o, sizeof(out) - o, *p) :
		    (o + 2 < sizeof(out) ? (out[o] = (char)*p, 1) : 0);

		if (n == 0)
			break;
		o += n;
	}
	out[o++] = '\n';
	(void)fwrite(out, 1, o, stderr);	/* unbuffered: one write */
}

void
log_msg(enum log_level l, const char *fmt, ...)
{
	static const char *tags[] = { "debug", "info", "warn", "error" };
	char ts[32], prefix[64], line[LOG_LINE_MAX];
	struct tm tm;
	time_t now;
	va_list ap;

	if (l < log_level)
		return;
	now = time(NULL);
	if (localtime_r(&now, &tm) == NULL ||
	    strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm) == 0)
		ts[0] = '\0';
	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	snprintf(prefix, sizeof(prefix), "%s kefud[%s] ", ts, tags[l]);
	log_write(prefix, line);
}
