/*
 * drain.c - `kefud drain`: ask the kefud running on this configuration's
 * database to drain and stop, and follow it until it has.
 *
 *   kefud [-c FILE] drain [--timeout SECONDS]
 *
 * The running kefud is the process holding the database's lock
 * (backup_lock_holder). It is sent SIGTERM with sigqueue(3), the value
 * being the drain timeout: kefud starts the same drain as on a plain
 * SIGTERM with shutdown.drain_timeout (maintenance for new visitors,
 * chats in progress go on, * SHUTDOWN when the last ends or the time is
 * up), with this timeout instead. While it drains, this command reads the
 * database read-only once a second and prints the number of chats in
 * progress whenever it changes; it returns 0 when the process has let go
 * of the database's lock (it has ended), 1 if there was none or it still
 * holds it well after the timeout.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backup.h"
#include "config.h"
#include "drain.h"

#define DRAIN_DEFAULT 300	/* seconds, when shutdown.drain_timeout is 0 */
#define DRAIN_GRACE 30		/* seconds past the timeout we wait for exit */

/* Chats an agent has (not ended, not queued); -1 if unreadable now. */
static int
chats_in_progress(sqlite3 *db)
{
	sqlite3_stmt *s;
	int n = -1;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM chats WHERE "
	    "state='assigned'", -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return n;
}

static int
parse_args(int argc, char **argv, int *timeout)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	long v;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "t:", opts, NULL)) != -1) {
		if (ch != 't')
			return -1;
		errno = 0;
		v = strtol(optarg, &end, 10);
		if (errno || *optarg == '\0' || *end || v < 1 || v > 86400) {
			fprintf(stderr, "kefud drain: --timeout wants 1-86400 "
			    "seconds\n");
			return -1;
		}
		*timeout = (int)v;
	}
	if (optind != argc) {
		fprintf(stderr, "usage: kefud [-c FILE] drain [--timeout SECONDS]\n");
		return -1;
	}
	return 0;
}

int
drain_main(int argc, char **argv, const struct config *cfg)
{
	int timeout = cfg->drain_timeout > 0 ? cfg->drain_timeout : DRAIN_DEFAULT;
	union sigval val;
	pid_t pid;
	sqlite3 *db;
	time_t start, last_print = 0;
	int last = -2;

	if (parse_args(argc, argv, &timeout) < 0)
		return 2;
	pid = backup_lock_holder(cfg->database);
	if (pid == 0) {
		fprintf(stderr, "kefud drain: no kefud is running on %s\n",
		    cfg->database);
		return 1;
	}
	val.sival_int = timeout;
	if (sigqueue(pid, SIGTERM, val) < 0) {
		fprintf(stderr, "kefud drain: cannot signal kefud (pid %ld): %s\n",
		    (long)pid, strerror(errno));
		return 1;
	}
	printf("kefud drain: kefud (pid %ld) is draining: no new visitors, "
	    "stopping when its chats end or in %d s\n", (long)pid, timeout);
	fflush(stdout);
	db = backup_open_readonly(cfg->database);
	start = time(NULL);
	/* gone once it lets go of the lock (a zombie has, as well) */
	while (backup_lock_holder(cfg->database) == pid) {
		int n = db ? chats_in_progress(db) : -1;
		time_t now = time(NULL);

		if (now - start > timeout + DRAIN_GRACE) {
			fprintf(stderr, "kefud drain: kefud (pid %ld) is still "
			    "running %ld s after the request\n", (long)pid,
			    (long)(now - start));
			sqlite3_close(db);
			return 1;
		}
		if (n >= 0 && (n != last || now - last_print >= 10)) {
			long left = (long)(start + timeout - now);

			printf("kefud drain: %d chat%s in progress, %ld s left\n",
			    n, n == 1 ? "" : "s", left > 0 ? left : 0L);
			fflush(stdout);
			last = n;
			last_print = now;
		}
		usleep(200000);
	}
	sqlite3_close(db);
	printf("kefud drain: kefud (pid %ld) has stopped\n", (long)pid);
	return 0;
}
