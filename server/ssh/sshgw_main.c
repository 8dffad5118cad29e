/*
 * sshgw_main.c - kefud-ssh's listener process.
 *
 * The parent does as little as possible: it accepts TCP connections and
 * forks one session process per connection (sshgw_session.c), so a hung
 * or crashed SSH session harms nobody else, and libssh's blocking calls
 * never meet a shared event loop. Whether a connection gets a process at
 * all (session cap, pending logins per address and in all) is decided by
 * sshgw_procs.c, which also learns from the status pipe which sessions
 * have logged in. The parent reaps children, and on SIGTERM, or when kefud
 * (our parent) dies, stops every session and exits.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libssh/server.h>

#include "sshgw.h"

#define MAX_LISTEN 8

static volatile sig_atomic_t got_term, got_chld;

static void
on_signal(int sig)
{
	if (sig == SIGCHLD)
		got_chld = 1;
	else
		got_term = 1;
}

static int
setup_signals(sigset_t *oldmask)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0 ||
	    sigaction(SIGCHLD, &sa, NULL) < 0)
		return -1;
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) < 0 || sigaction(SIGHUP, &sa, NULL) < 0)
		return -1;
	/* signals arrive only inside ppoll, so no wakeup is ever lost */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGCHLD);
	return sigprocmask(SIG_BLOCK, &block, oldmask);
}

/* ---- listening ----------------------------------------------------------- */

static int
split_listen(const char *s, char *host, size_t hostlen, char *port,
    size_t portlen)
{
	const char *colon;
	size_t hl;

	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (end == NULL || end[1] != ':')
			return -1;
		hl = (size_t)(end - s - 1);
		s++;
		colon = end + 1;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL)
			return -1;
		hl = (size_t)(colon - s);
	}
	if (hl >= hostlen || strlen(colon + 1) >= portlen ||
	    colon[1] == '\0')
		return -1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	snprintf(port, portlen, "%s", colon + 1);
	return 0;
}

static int
listen_one(const struct addrinfo *ai, int v6only)
{
	int one = 1;
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, ai->ai_protocol);

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    (ai->ai_family == AF_INET6 && v6only &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 128) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static void
log_bound(int fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[NI_MAXHOST], port[NI_MAXSERV];

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0 ||
	    getnameinfo((struct sockaddr *)&ss, sl, host, sizeof(host), port,
	    sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		return;
	sgw_log(SGW_INFO, "listening on %s%s%s:%s",
	    ss.ss_family == AF_INET6 ? "[" : "", host,
	    ss.ss_family == AF_INET6 ? "]" : "", port);
}

static int
open_listeners(const char *spec, int *fds)
{
	char host[256], port[32];
	struct addrinfo hints, *res = NULL, *ai;
	int n = 0, rc, has4 = 0;

	if (split_listen(spec, host, sizeof(host), port, sizeof(port)) < 0) {
		sgw_log(SGW_ERROR, "--listen wants HOST:PORT, not '%s'", spec);
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
	if (rc != 0) {
		sgw_log(SGW_ERROR, "cannot resolve %s: %s", spec,
		    gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next)
		has4 |= ai->ai_family == AF_INET;
	for (ai = res; ai != NULL && n < MAX_LISTEN; ai = ai->ai_next) {
		int fd = listen_one(ai, has4);

		if (fd < 0) {
			sgw_log(SGW_WARN, "cannot listen on %s (family %d): %s",
			    spec, ai->ai_family, strerror(errno));
			continue;
		}
		log_bound(fd);
		fds[n++] = fd;
	}
	freeaddrinfo(res);
	if (n == 0)
		sgw_log(SGW_ERROR, "cannot listen on %s", spec);
	return n > 0 ? n : -1;
}

/* ---- accepting ------------------------------------------------------------ */

void
sgw_peer_address(const struct sockaddr_storage *ss, char *out, size_t n)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		if (inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], out,
		    (socklen_t)n) != NULL)
			return;
	} else if (ss->ss_family == AF_INET6) {
		if (inet_ntop(AF_INET6, &s6->sin6_addr, out, (socklen_t)n) != NULL)
			return;
	} else if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		if (inet_ntop(AF_INET, &s4->sin_addr, out, (socklen_t)n) != NULL)
			return;
	}
	snprintf(out, n, "unknown");
}

/* Dead peers: TCP gives up when our keepalives go unacknowledged. */
static void
tune_socket(int fd)
{
	int one = 1;
	unsigned int utimeout = SGW_KEEPALIVE_INTERVAL * 4 * 1000;

	if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &utimeout,
	    sizeof(utimeout)) < 0)
		sgw_log(SGW_DEBUG, "cannot tune socket: %s", strerror(errno));
}

static void
spawn(const struct sgw_listener_ctx *lc, int *lfds, int nl, int status_rd,
    int fd, const char *addr, const char *source)
{
	enum sgw_admit a = sgw_procs_admit(lc->opts, source);
	int refuser = a == SGW_ADMIT_REFUSE;
	uint32_t serial;
	pid_t pid;
	int i;

	if (a == SGW_ADMIT_DROP) {
		close(fd);
		return;
	}
	serial = sgw_procs_next_serial();
	pid = fork();
	if (pid < 0) {
		sgw_log(SGW_ERROR, "fork: %s", strerror(errno));
		close(fd);
		return;
	}
	if (pid == 0) {
		struct sgw_listener_ctx mine = *lc;
		char why[128];
		sigset_t none;

		for (i = 0; i < nl; i++)
			close(lfds[i]);
		close(status_rd);
		mine.serial = serial;
		sigemptyset(&none);
		(void)sigprocmask(SIG_SETMASK, &none, NULL);
		if (!refuser)
			_exit(sgw_session_run(&mine, fd, addr));
		snprintf(why, sizeof(why), "too many sessions (the limit is %d); "
		    "try again later", lc->opts->max_sessions);
		_exit(sgw_session_refuse(&mine, fd, addr, why));
	}
	close(fd);
	sgw_procs_add(pid, serial, refuser, source);
	if (refuser)
		sgw_log(SGW_WARN, "refused a connection from %s: session limit "
		    "(%d) reached", addr, lc->opts->max_sessions);
	else
		sgw_log(SGW_DEBUG, "connection from %s: process %ld", addr,
		    (long)pid);
}

static void
accept_one(const struct sgw_listener_ctx *lc, int *lfds, int nl,
    int status_rd, int lfd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char addr[INET6_ADDRSTRLEN + 8], source[SGW_SOURCE_MAX];
	int fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC);

	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			sgw_log(SGW_WARN, "accept: %s", strerror(errno));
		return;
	}
	sgw_peer_address(&ss, addr, sizeof(addr));
	sgw_source_key(&ss, source, sizeof(source));
	tune_socket(fd);
	spawn(lc, lfds, nl, status_rd, fd, addr, source);
}

static void
serve(const struct sgw_listener_ctx *lc, int *lfds, int nl, int status_rd,
    const sigset_t *waitmask, pid_t parent)
{
	struct pollfd pfd[MAX_LISTEN + 1];
	int i;

	for (i = 0; i < nl; i++) {
		pfd[i].fd = lfds[i];
		pfd[i].events = POLLIN;
	}
	pfd[nl].fd = status_rd;
	pfd[nl].events = POLLIN;
	while (!got_term) {
		struct timespec ts = { 1, 0 };
		int n = ppoll(pfd, (nfds_t)nl + 1, &ts, waitmask);

		/* login reports first: a reaped pid's report is then stale */
		sgw_procs_read_status(status_rd);
		if (got_chld) {
			got_chld = 0;
			sgw_procs_reap();
		}
		sgw_procs_expire(lc->opts);
		if (getppid() != parent) {
			sgw_log(SGW_INFO, "kefud is gone; stopping");
			break;
		}
		if (n <= 0)
			continue;
		for (i = 0; i < nl; i++)
			if (pfd[i].revents & POLLIN)
				accept_one(lc, lfds, nl, status_rd, lfds[i]);
	}
}

static ssh_bind
make_bind(ssh_key key)
{
	ssh_bind b = ssh_bind_new();

	if (b == NULL)
		return NULL;
	if (ssh_bind_options_set(b, SSH_BIND_OPTIONS_IMPORT_KEY, key) != SSH_OK ||
	    ssh_bind_options_set(b, SSH_BIND_OPTIONS_BANNER, "kefud-ssh") !=
	    SSH_OK) {
		sgw_log(SGW_ERROR, "cannot configure libssh: %s",
		    ssh_get_error(b));
		ssh_bind_free(b);
		return NULL;
	}
	return b;
}

static void
check_paths(const struct sgw_opts *o)
{
	char *secret = sgw_kefud_read_secret(o->secret_file);

	if (secret == NULL)
		sgw_log(SGW_WARN, "cannot read the gateway secret %s yet: %s",
		    o->secret_file, strerror(errno));
	else {
		explicit_bzero(secret, strlen(secret));
		free(secret);
	}
	if (access(o->console, X_OK) < 0)
		sgw_log(SGW_WARN, "console %s is not executable: %s",
		    o->console, strerror(errno));
}

int
main(int argc, char **argv)
{
	struct sgw_opts o;
	struct sgw_listener_ctx lc;
	sigset_t waitmask;
	int lfds[MAX_LISTEN], nl, i, rc, status[2];
	pid_t parent = getppid();
	ssh_key key;

	rc = sgw_opts_parse(&o, argc, argv);
	if (rc != 0)
		return rc > 0 ? 0 : 2;
	sgw_log_init(o.log_level);
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent) {
		sgw_log(SGW_ERROR, "parent already gone");
		return 1;
	}
	if (setup_signals(&waitmask) < 0 || ssh_init() != SSH_OK) {
		sgw_log(SGW_ERROR, "cannot initialise: %s", strerror(errno));
		return 1;
	}
	sgw_log_libssh();
	key = sgw_hostkey_load(o.host_key);
	if (key == NULL)
		return 1;
	lc.opts = &o;
	lc.listener = getpid();
	lc.bind = make_bind(key);	/* the bind owns the key now */
	if (lc.bind == NULL)
		return 1;
	check_paths(&o);
	if (pipe2(status, O_CLOEXEC | O_NONBLOCK) < 0 ||
	    sgw_procs_init(o.max_sessions) < 0) {
		sgw_log(SGW_ERROR, "cannot initialise: %s", strerror(errno));
		return 1;
	}
	lc.status_fd = status[1];
	lc.serial = 0;
	nl = open_listeners(o.listen, lfds);
	if (nl < 0)
		return 1;
	sgw_log(SGW_INFO, "ready: kefud at %s, at most %d sessions, idle "
	    "timeout %ds, login grace %ds, pending logins %d:%d:%d, %d per "
	    "address", o.socket, o.max_sessions, o.idle_timeout, o.login_grace,
	    o.startups[0], o.startups[1], o.startups[2], o.per_source);
	serve(&lc, lfds, nl, status[0], &waitmask, parent);
	for (i = 0; i < nl; i++)
		close(lfds[i]);
	sgw_procs_stop();
	ssh_bind_free(lc.bind);
	sgw_procs_free();
	ssh_finalize();
	sgw_log(SGW_INFO, "stopped");
	return 0;
}
