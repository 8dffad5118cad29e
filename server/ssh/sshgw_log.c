/*
 * sshgw_log.c - kefud-ssh's log: one line per event on stderr, which kefud
 * (or systemd) collects. Lines carry the pid so the lines of concurrent
 * session processes can be told apart. Nothing secret is ever logged:
 * callers pass user names and addresses through sgw_log_clean(), and
 * passwords never reach this file.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libssh/callbacks.h>

#include "sshgw.h"

static enum sgw_level log_min = SGW_INFO;

static const char *const level_names[] = {
	"debug", "info", "warn", "error",
};

void
sgw_log_init(enum sgw_level min)
{
	log_min = min;
}

int
sgw_log_enabled(enum sgw_level level)
{
	return level >= log_min;
}

void
sgw_log(enum sgw_level level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int n;

	if (level < log_min)
		return;
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	/* one write per line so lines of different processes do not mix */
	dprintf(STDERR_FILENO, "kefud-ssh[%ld]: %s: %s\n", (long)getpid(),
	    level_names[level], msg);
}

const char *
sgw_log_clean(const char *s, char *out, size_t n)
{
	size_t i;

	if (n == 0)
		return "";
	if (s == NULL)
		s = "(none)";
	for (i = 0; s[i] != '\0' && i + 1 < n; i++) {
		unsigned char c = (unsigned char)s[i];

		out[i] = (c < 0x20 || c == 0x7f || c == ' ') ? '?' : (char)c;
	}
	out[i] = '\0';
	return out;
}

static void
libssh_log_cb(int priority, const char *function, const char *buffer,
    void *userdata)
{
	(void)priority;
	(void)userdata;
	sgw_log(SGW_DEBUG, "libssh: %s: %s", function ? function : "?",
	    buffer ? buffer : "");
}

void
sgw_log_libssh(void)
{
	if (log_min > SGW_DEBUG) {
		if (ssh_set_log_level(SSH_LOG_NOLOG) != SSH_OK)
			sgw_log(SGW_WARN, "cannot quiet libssh's log");
		return;
	}
	if (ssh_set_log_callback(libssh_log_cb) != SSH_OK ||
	    ssh_set_log_level(SSH_LOG_PROTOCOL) != SSH_OK)
		sgw_log(SGW_WARN, "cannot route libssh's log");
}
