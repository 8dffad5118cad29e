/*
 * authd.c - the password-checking worker (see authd.h).
 *
 * kefud forks the worker at start-up, before it opens any client socket,
 * and talks to it over a SOCK_SEQPACKET socketpair: one datagram per
 * request {id, password, hash}, one per answer {id, ok}. The worker holds
 * nothing but the request it is working on and wipes the password after
 * each check. If the worker dies, the checks it had are answered "not
 * checked" (ERR INTERNAL to the client, no failure counted) and a new worker
 * is forked from authd_tick() after a back-off of 1 s, doubling up to 60 s
 * while it keeps dying young; a restarted worker closes every descriptor it
 * inherited but its own. Until then checks run inline (slower for others,
 * still correct). Every request that leaves here gets exactly one answer
 * through the done callback, also when its client has gone meanwhile, so
 * the throttle's pending count always comes back down.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <unistd.h>

#include "auth.h"
#include "authd.h"
#include "log.h"
#include "server.h"

struct authd_req {
	uint64_t id;
	char pw[320];
	char hash[256];
};

struct authd_ans {
	uint64_t id;
	int ok;
};

struct pending {
	uint64_t id;
	struct conn_ref conn;
	int kind;
	char name[DESK_NAME_MAX];
	char addr[64];
	struct pending *next;
};

#define RESTART_MIN_MS 1000
#define RESTART_MAX_MS 60000

static int wfd = -1;
static pid_t wpid;
static long long started_ms, restart_at_ms, backoff_ms = RESTART_MIN_MS;
static uint64_t next_id = 1;
static struct pending *pending;
static authd_done_fn *done_cb;

static void
worker(int fd)
{
	struct authd_req q;
	struct authd_ans a;

	memset(&a, 0, sizeof(a));
	for (;;) {
		ssize_t n = recv(fd, &q, sizeof(q), 0);

		if (n == 0)
			_exit(0);
		if (n != (ssize_t)sizeof(q)) {
			if (n < 0 && errno == EINTR)
				continue;
			_exit(1);
		}
		q.pw[sizeof(q.pw) - 1] = q.hash[sizeof(q.hash) - 1] = '\0';
		a.id = q.id;
		a.ok = auth_verify(q.pw, q.hash[0] ? q.hash : NULL);
		explicit_bzero(&q, sizeof(q));
		if (send(fd, &a, sizeof(a), 0) < 0)
			_exit(1);
	}
}

static void
finish(struct pending *p, int ok)
{
	struct conn *c = conn_ref_get(&p->conn);

	if (c == NULL) {
		done_cb(NULL, ok, p->kind, p->name, p->addr);	/* gone */
		return;
	}
	done_cb(c, ok, p->kind, p->name, p->addr);
	c->tag = NULL;
	conn_resume(c);
}

static void
worker_gone(void)
{
	long long lived = srv.now_ms - started_ms;

	ae_set(srv.loop, wfd, 0, NULL, NULL);
	close(wfd);
	wfd = -1;
	wpid = 0;	/* reaped by the SIGCHLD handler (gateway_reap) */
	if (lived > RESTART_MAX_MS)
		backoff_ms = RESTART_MIN_MS;
	restart_at_ms = srv.now_ms + backoff_ms;
	log_error("authd: password worker gone; checking passwords inline, "
	    "new worker in %lld s", backoff_ms / 1000);
	if (backoff_ms < RESTART_MAX_MS)
		backoff_ms = backoff_ms * 2 > RESTART_MAX_MS ? RESTART_MAX_MS :
		    backoff_ms * 2;
	/* the checks it had are lost: tell their clients to try again */
	while (pending) {
		struct pending *p = pending;

		pending = p->next;
		finish(p, -1);
		free(p);
	}
}

static void
readable(struct ae_loop *l, int fd, void *data, int mask)
{
	struct authd_ans a;
	ssize_t n;

	while ((n = recv(fd, &a, sizeof(a), MSG_DONTWAIT)) == (ssize_t)sizeof(a)) {
		struct pending **pp = &pending, *p;

		while ((p = *pp) != NULL && p->id != a.id)
			pp = &p->next;
		if (p == NULL)
			continue;
		*pp = p->next;
		finish(p, a.ok);
		free(p);
	}
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		worker_gone();
}

/* In the new worker: drop every descriptor but fd (clients, listeners,
 * the database) before doing anything else. */
static void
close_inherited(int fd)
{
	if (fd != 3 && (dup2(fd, 3) < 0 || close(fd) < 0))
		_exit(1);
	if (close_range(4, ~0U, 0) < 0)
		for (int i = 4; i < srv.maxfds + 64; i++)
			(void)close(i);
}

static int
spawn(void)
{
	int sv[2];
	pid_t kefud;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	kefud = getpid();
	wpid = fork();
	if (wpid < 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (wpid == 0) {
		sigset_t none;

		close(sv[0]);
		close_inherited(sv[1]);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGINT, SIG_IGN);	/* the terminal's ^C is for kefud */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != kefud)
			_exit(1);	/* kefud is gone already */
		(void)prctl(PR_SET_NAME, "kefud-authd");
		worker(3);
		_exit(0);
	}
	close(sv[1]);
	wfd = sv[0];
	started_ms = srv.now_ms;
	if (ae_set(srv.loop, wfd, AE_READ, readable, NULL) < 0) {
		close(wfd);
		wfd = -1;
		return -1;
	}
	return 0;
}

int
authd_start(authd_done_fn *done)
{
	done_cb = done;
	return spawn();
}

void
authd_tick(long long now_ms)
{
	if (wfd >= 0 || done_cb == NULL || restart_at_ms == 0 ||
	    now_ms < restart_at_ms)
		return;
	restart_at_ms = 0;
	if (spawn() < 0) {
		restart_at_ms = now_ms + backoff_ms;
		log_error("authd: cannot start a password worker: %s",
		    strerror(errno));
		return;
	}
	log_info("authd: password worker restarted (pid %d)", (int)wpid);
}

void
authd_stop(void)
{
	int st;

	if (wfd >= 0) {
		close(wfd);	/* the worker exits on EOF */
		wfd = -1;
	}
	if (wpid > 0) {
		if (waitpid(wpid, &st, 0) < 0)
			log_debug("authd: waitpid: %s", strerror(errno));
		wpid = 0;
	}
	while (pending) {
		struct pending *p = pending;

		pending = p->next;
		free(p);
	}
}

void
authd_check(struct conn *c, int kind, const char *name, const char *addr,
    const char *pw, const char *hash)
{
	struct pending *p;
	struct authd_req q;

	if (strlen(pw) > AUTH_PASSWORD_MAX) {	/* callers refuse these first */
		done_cb(c, 0, kind, name, addr);
		return;
	}
	if (wfd < 0 ||
	    (hash && strlen(hash) >= sizeof(q.hash)) ||
	    (p = calloc(1, sizeof(*p))) == NULL) {
		done_cb(c, auth_verify(pw, hash), kind, name, addr);
		return;
	}
	memset(&q, 0, sizeof(q));
	p->id = q.id = next_id++;
	conn_ref_set(&p->conn, c);
	p->kind = kind;
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->addr, sizeof(p->addr), "%s", addr);
	snprintf(q.pw, sizeof(q.pw), "%s", pw);
	if (hash)
		snprintf(q.hash, sizeof(q.hash), "%s", hash);
	if (send(wfd, &q, sizeof(q), MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)sizeof(q)) {
		explicit_bzero(&q, sizeof(q));
		free(p);
		done_cb(c, auth_verify(pw, hash), kind, name, addr);
		return;
	}
	explicit_bzero(&q, sizeof(q));
	p->next = pending;
	pending = p;
	conn_pause(c);
}
