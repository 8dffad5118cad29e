/*
 * backup_sched.c - scheduled online backups (backup.interval, backup.dir,
 * backup.keep, backup.step_pages in kefu.yml).
 *
 * Every backup.interval seconds kefud copies its database to
 * backup.dir/kefu-YYYYmmdd-HHMMSS.db with SQLite's online backup API on
 * its own connection, backup.step_pages pages per step and one step every
 * 10 ms, between loop iterations and never inside a write transaction, so
 * the loop never waits long; writes made meanwhile are carried into the
 * copy by SQLite (the source connection is the writer). While the pages
 * left do not go down (the database grows faster than the copy), each
 * step copies twice as many, so a backup ends under any load. The finished copy
 * (still named .tmp) is checked by a helper process (`kefud
 * --integrity-check`, PRAGMA integrity_check) outside the loop; only a
 * sound copy is renamed into place, and then the oldest beyond
 * backup.keep are deleted. Files are mode 0600.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ae.h"
#include "backup.h"
#include "log.h"
#include "server.h"
#include "store.h"

#define STEP_US 10000		/* one step every 10 ms */
#define NAME_LEN 23		/* kefu-YYYYmmdd-HHMMSS.db */

static struct {
	sqlite3 *out;			/* the copy being written */
	sqlite3_backup *b;
	char path[PATH_MAX];		/* its final name */
	char tmp[PATH_MAX + 8];		/* its name until checked */
	long long next_ms;		/* when the next backup starts */
	long long next_step_us;
	int pages;			/* per step now */
	int remaining;			/* pages left after the last step */
	int check_fd;			/* the helper's output, or -1 */
	char check_out[256];
	size_t check_len;
	int started;
} bk = { .check_fd = -1 };

static void
drop_copy(void)
{
	if (bk.b)
		sqlite3_backup_finish(bk.b);
	if (bk.out)
		sqlite3_close(bk.out);
	bk.b = NULL;
	bk.out = NULL;
	if (bk.tmp[0])
		(void)unlink(bk.tmp);
	bk.tmp[0] = '\0';
}

static int
mkdir_p(const char *dir)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s", dir);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			if (mkdir(p, 0700) < 0 && errno != EEXIST)
				return -1;
			*s = '/';
		}
	return mkdir(p, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

static void
start(void)
{
	time_t now = time(NULL);
	struct tm tm;
	char stamp[32];
	int fd;

	if (mkdir_p(srv.cfg.backup_dir) < 0) {
		log_error("backup: cannot create %s: %s", srv.cfg.backup_dir,
		    strerror(errno));
		return;
	}
	if (localtime_r(&now, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm) == 0)
		return;
	snprintf(bk.path, sizeof(bk.path), "%s/kefu-%s.db", srv.cfg.backup_dir,
	    stamp);
	snprintf(bk.tmp, sizeof(bk.tmp), "%s.tmp", bk.path);
	(void)unlink(bk.tmp);
	fd = open(bk.tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || close(fd) < 0 ||
	    sqlite3_open_v2(bk.tmp, &bk.out, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    (bk.b = sqlite3_backup_init(bk.out, "main", store_handle(), "main")) == NULL) {
		log_error("backup: %s: %s", bk.tmp, bk.out ?
		    sqlite3_errmsg(bk.out) : strerror(errno));
		drop_copy();
		return;
	}
	bk.pages = srv.cfg.backup_step_pages;
	bk.remaining = -1;
	log_info("backup: started %s", bk.path);
}

/* Oldest first: the names sort by their time. */
static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
is_backup_name(const char *n)
{
	return strlen(n) == NAME_LEN && strncmp(n, "kefu-", 5) == 0 &&
	    strcmp(n + NAME_LEN - 3, ".db") == 0;
}

/* Delete the oldest backups beyond backup.keep. */
static void
prune(void)
{
	DIR *d = opendir(srv.cfg.backup_dir);
	struct dirent *e;
	char **names = NULL, path[PATH_MAX];
	size_t n = 0, cap = 0;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (!is_backup_name(e->d_name))
			continue;
		if (n == cap) {
			size_t c = cap ? 2 * cap : 16;
			char **p = realloc(names, c * sizeof(*p));

			if (p == NULL)
				break;
			names = p;
			cap = c;
		}
		if ((names[n] = strdup(e->d_name)) == NULL)
			break;
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_name);
	for (size_t i = 0; i < n; i++) {
		if (i + (size_t)srv.cfg.backup_keep < n) {
			snprintf(path, sizeof(path), "%s/%s", srv.cfg.backup_dir,
			    names[i]);
			if (unlink(path) == 0)
				log_info("backup: removed %s (backup.keep %d)",
				    path, srv.cfg.backup_keep);
		}
		free(names[i]);
	}
	free(names);
}

/* The helper's verdict: "ok" and EOF. */
static void
check_done(void)
{
	int ok = bk.check_len == 3 && memcmp(bk.check_out, "ok\n", 3) == 0;

	(void)ae_set(srv.loop, bk.check_fd, 0, NULL, NULL);
	close(bk.check_fd);
	bk.check_fd = -1;
	if (!ok) {
		bk.check_out[bk.check_len] = '\0';
		log_error("backup: %s failed its integrity check: %.200s",
		    bk.tmp, bk.check_out);
		(void)unlink(bk.tmp);
	} else if (rename(bk.tmp, bk.path) < 0) {
		log_error("backup: %s: %s", bk.path, strerror(errno));
		(void)unlink(bk.tmp);
	} else {
		log_info("backup: wrote %s (integrity ok)", bk.path);
		prune();
	}
	bk.tmp[0] = '\0';
}

static void
check_readable(struct ae_loop *l, int fd, void *data, int mask)
{
	ssize_t n;

	(void)l; (void)data; (void)mask;
	for (;;) {
		size_t room = sizeof(bk.check_out) - 1 - bk.check_len;
		char sink[256];

		n = read(fd, room ? bk.check_out + bk.check_len : sink,
		    room ? room : sizeof(sink));
		if (n > 0) {
			if (room)
				bk.check_len += (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		check_done();	/* EOF (or an error): the helper is done */
		return;
	}
}

/* Run `kefud --integrity-check TMP` with its output on a pipe. */
static void
check_start(void)
{
	char exe[PATH_MAX];
	ssize_t n;
	int p[2];
	pid_t pid, kefud;

	bk.check_len = 0;
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) <= 0 ||
	    pipe2(p, O_CLOEXEC) < 0) {
		log_error("backup: cannot check %s: %s", bk.tmp, strerror(errno));
		(void)unlink(bk.tmp);
		bk.tmp[0] = '\0';
		return;
	}
	exe[n] = '\0';
	kefud = getpid();
	pid = fork();
	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGINT, SIG_IGN);
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != kefud)
			_exit(1);	/* kefud is gone already */
		if (dup2(p[1], STDOUT_FILENO) < 0)
			_exit(1);
		execl(exe, "kefud", "--integrity-check", bk.tmp, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	if (pid < 0 || fcntl(p[0], F_SETFL, O_NONBLOCK) < 0 ||
	    ae_set(srv.loop, p[0], AE_READ, check_readable, NULL) < 0) {
		log_error("backup: cannot check %s: %s", bk.tmp, strerror(errno));
		close(p[0]);
		(void)unlink(bk.tmp);
		bk.tmp[0] = '\0';
		return;
	}
	bk.check_fd = p[0];	/* the child is reaped with the others */
}

static void
step(long long now_us)
{
	int rc = sqlite3_backup_step(bk.b, bk.pages);

	if (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
		int left = sqlite3_backup_remaining(bk.b);

		/* the database grows faster than the copy: bigger steps */
		if (bk.remaining >= 0 && left >= bk.remaining &&
		    bk.pages < 65536)
			bk.pages *= 2;
		bk.remaining = left;
		bk.next_step_us = now_us + STEP_US;
		ae_wake_at_us(srv.loop, bk.next_step_us);
		return;
	}
	sqlite3_backup_finish(bk.b);
	bk.b = NULL;
	if (rc != SQLITE_DONE || sqlite3_close(bk.out) != SQLITE_OK) {
		log_error("backup: %s: %s", bk.tmp, sqlite3_errstr(rc));
		if (rc == SQLITE_DONE)
			bk.out = NULL;	/* closed or not, do not retry */
		drop_copy();
		return;
	}
	bk.out = NULL;
	check_start();
}

void
backup_poll(void)
{
	long long now_us;

	if (srv.cfg.backup_interval <= 0 || srv.shutting_down ||
	    store_in_tx())
		return;
	now_us = ae_now_us();
	if (!bk.started) {		/* the first one an interval after start */
		bk.started = 1;
		bk.next_ms = now_us / 1000 + srv.cfg.backup_interval * 1000LL;
	}
	if (bk.b) {
		if (now_us >= bk.next_step_us)
			step(now_us);
		else
			ae_wake_at_us(srv.loop, bk.next_step_us);
		return;
	}
	if (bk.check_fd >= 0 || bk.tmp[0])
		return;			/* the last one is still being checked */
	if (now_us / 1000 >= bk.next_ms) {
		bk.next_ms = now_us / 1000 + srv.cfg.backup_interval * 1000LL;
		start();
		if (bk.b)
			step(now_us);
	} else
		ae_wake_at_us(srv.loop, bk.next_ms * 1000);
}

void
backup_stop(void)
{
	if (bk.check_fd >= 0) {
		(void)ae_set(srv.loop, bk.check_fd, 0, NULL, NULL);
		close(bk.check_fd);
		bk.check_fd = -1;
	}
	drop_copy();
}
