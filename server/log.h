/*
 * log.h - leveled logging to stderr: one line per event, with a timestamp
 * and level. Never log a password, token or secret. Anything a client
 * chose (names, words, text) goes through log_clean() before it is logged,
 * and log_msg() escapes any control character left in the finished line,
 * so no client can start a line of its own in the log.
 */
#ifndef KEFU_LOG_H
#define KEFU_LOG_H

#include <stddef.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level l);
int log_parse_level(const char *s, enum log_level *out);
void log_msg(enum log_level l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Room for a cleaned client field: 64 bytes of it, escaped, plus "...". */
#define LOG_FIELD_MAX 272

/* s with backslashes, quotes and control characters escaped (\n, \xNN),
 * cut after 64 bytes with "..."; written into buf, which is returned. */
const char *log_clean(const char *s, char *buf, size_t len);

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
