/*
 * store_ckpt.c - WAL checkpoints in a helper process.
 *
 * SQLite's automatic checkpoint runs inside the COMMIT that takes the WAL
 * past 1,000 pages: it copies those pages into the database file and
 * fsyncs both files, ~10 ms during which the event loop serves nobody (the
 * p99 latency tail under load). Here the loop's connection only notes that
 * the WAL has grown (wal_hook, called after a commit) and writes a byte to
 * a helper process with a connection of its own, which runs a PASSIVE
 * checkpoint: that never takes the write lock, so the loop keeps appending
 * to the WAL while the pages are copied, and answers with a byte when done.
 *
 * The WAL only starts over from its beginning when a write transaction
 * begins with every frame copied, which never happens by itself while
 * commits keep coming (they append while the helper copies). So the helper
 * says how far it got; while many frames were appended meanwhile it goes
 * again, and once only a few are left the loop copies those inline (a
 * catch-up of at most CATCHUP_MAX frames instead of the whole checkpoint).
 *
 * However slow the helper is (a busy machine, a sanitizer build), the WAL
 * has a hard bound: at wal_max frames the loop waits for the helper's
 * running checkpoint to end (a bounded wait; a helper that does not answer
 * is killed) and copies the rest itself, so every frame is in the database
 * and the next commit starts the WAL over. Both thresholds are config keys
 * (store.checkpoint_frames, store.wal_max_frames), so a test can make the
 * bound small and check it exactly.
 *
 * The helper is kefud itself, re-executed (`kefud --checkpointer FD DB`),
 * so it starts with no SQLite state inherited from the parent (a forked
 * copy of an open connection must not be used). If it is missing or dies,
 * the loop checkpoints inline as SQLite would.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "store.h"
#include "store_int.h"

#define CATCHUP_MAX	64	/* frames the loop copies itself at the end */
#define HELPER_WAIT_MS	30000	/* longest wait for a running checkpoint */

static int ckpt_frames = 4000;	/* ask for a checkpoint at this WAL size */
static int wal_max = 50000;	/* backstop: copy inline, whatever it takes */
static int wfd = -1;		/* socket to the helper */
static int asked;		/* a checkpoint is under way */
static pid_t cpid;

static void
helper_gone(const char *why)
{
	log_warn("store: checkpoint helper gone (%s); checkpoints run inline",
	    why);
	close(wfd);
	wfd = -1;
	asked = 0;
}

/* The WAL is at wal_max: let the helper's running checkpoint end (it holds
 * the checkpoint lock, so ours would do nothing meanwhile). */
static void
wait_for_helper(int frames)
{
	struct pollfd pfd = { .fd = wfd, .events = POLLIN };
	int done = 0, r;

	log_debug("store: WAL at %d frames; waiting for the checkpoint helper",
	    frames);
	while ((r = poll(&pfd, 1, HELPER_WAIT_MS)) < 0 && errno == EINTR)
		;
	if (r > 0 && recv(wfd, &done, sizeof(done), MSG_DONTWAIT) ==
	    (ssize_t)sizeof(done)) {
		asked = 0;
		log_debug("store: checkpoint helper copied %d of %d frames",
		    done, frames);
		return;
	}
	/* silent for HELPER_WAIT_MS, or closed: make sure it holds no lock */
	if (cpid > 0 && kill(cpid, SIGKILL) == 0 && waitpid(cpid, NULL, 0) < 0)
		log_debug("store: checkpoint helper: waitpid: %s", strerror(errno));
	cpid = 0;
	helper_gone(r == 0 ? "no answer" : "closed");
}

static int
wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
	int done = 0;
	ssize_t n = -1;

	(void)arg;
	if (frames < ckpt_frames)
		return SQLITE_OK;
	if (wfd >= 0 && frames >= wal_max) {
		if (asked)
			wait_for_helper(frames);
		goto inline_ckpt;
	}
	if (wfd >= 0) {
		if (asked) {
			n = recv(wfd, &done, sizeof(done), MSG_DONTWAIT);
			if (n < 0 && errno == EAGAIN)
				return SQLITE_OK;	/* still copying */
			if (n == (ssize_t)sizeof(done)) {
				asked = 0;
				log_debug("store: checkpoint helper copied %d of %d frames",
				    done, frames);
				if (frames - done <= CATCHUP_MAX)
					goto inline_ckpt;
			}
		}
		if (!asked && ((n = send(wfd, "c", 1, MSG_DONTWAIT |
		    MSG_NOSIGNAL)) == 1 || (n < 0 && errno == EAGAIN))) {
			asked = n == 1;
			return SQLITE_OK;
		}
		helper_gone(n == 0 ? "closed" : strerror(errno));
	}
inline_ckpt:
	(void)sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE,
	    NULL, NULL);
	return SQLITE_OK;
}

int
store_ckpt_start(const char *path, int frames, int max)
{
	int p[2];
	char fdarg[16], exe[4096];
	ssize_t n = -1;
	pid_t kefud;

	if (store_db == NULL || wfd >= 0)
		return -1;
	ckpt_frames = frames;
	wal_max = max > frames ? max : frames;
	/* the path, not /proc/self/exe itself: under valgrind the latter
	 * is valgrind (whose readlink answers with the client's path) */
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) <= 0)
		return -1;
	exe[n] = '\0';
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, p) < 0)
		return -1;
	kefud = getpid();
	cpid = fork();
	if (cpid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (cpid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGINT, SIG_IGN);	/* the terminal's ^C is for kefud */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != kefud)
			_exit(1);	/* kefud is gone already */
		if (fcntl(p[0], F_SETFD, 0) < 0)
			_exit(1);
		snprintf(fdarg, sizeof(fdarg), "%d", p[0]);
		execl(exe, "kefud", "--checkpointer", fdarg, path, (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	wfd = p[1];
	asked = 0;
	if (fcntl(wfd, F_SETFL, O_NONBLOCK) < 0) {
		store_ckpt_stop();
		return -1;
	}
	sqlite3_wal_hook(store_db, wal_hook, NULL);
	return 0;
}

void
store_ckpt_stop(void)
{
	int st;

	if (wfd >= 0) {
		close(wfd);	/* the helper exits on EOF */
		wfd = -1;
	}
	if (cpid > 0) {
		if (waitpid(cpid, &st, 0) < 0)
			log_debug("store: checkpoint helper: waitpid: %s",
			    strerror(errno));
		cpid = 0;
	}
	if (store_db != NULL)	/* back to SQLite's own */
		sqlite3_wal_autocheckpoint(store_db, ckpt_frames);
}

/* The helper: a PASSIVE checkpoint per request, answered with the number of
 * WAL frames now copied, until the socket closes. */
int
store_ckpt_main(const char *fdarg, const char *path)
{
	char buf[64];
	char *end;
	long fd = strtol(fdarg, &end, 10);
	sqlite3 *db = NULL;

	if (*end || fd < 0 || fd > 65535) {
		fprintf(stderr, "kefud --checkpointer: bad descriptor '%s'\n", fdarg);
		return 2;
	}
	/* it creates no files; should SQLite ever make one, it is private */
	umask(077);
	/* background work: where it shares a core with the loop, the loop
	 * goes first (CFS weight 110 against 1024) */
	if (setpriority(PRIO_PROCESS, 0, 10) < 0)
		log_debug("checkpointer: setpriority: %s", strerror(errno));
	/* A connection learns that the database is in WAL mode when it
	 * first reads it; until then a checkpoint does nothing (and says
	 * OK). Reading the journal mode opens the WAL. */
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    sqlite3_busy_timeout(db, 2000) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK) {
		log_error("checkpointer: %s: %s", path, db ? sqlite3_errmsg(db) :
		    "cannot open");
		sqlite3_close(db);
		return 1;
	}
	for (;;) {
		ssize_t n = read((int)fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		/* SQLITE_BUSY (an admin command's own checkpoint, say): the
		 * next wake-up tries again */
		int nlog = 0, done = 0;

		if (sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE,
		    &nlog, &done) != SQLITE_OK)
			done = 0;
		if (send((int)fd, &done, sizeof(done), MSG_NOSIGNAL) < 0)
			break;
	}
	/* Not the last connection's checkpoint-and-delete-the-WAL on close:
	 * if kefud died, the next kefud must not wait for it. */
	(void)sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	sqlite3_close(db);
	return 0;
}
