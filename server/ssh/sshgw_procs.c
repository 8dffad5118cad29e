/*
 * sshgw_procs.c - the listener's table of session processes, and who may
 * start one.
 *
 * Every accepted connection costs a forked process, so admission is decided
 * here, before the fork, from what the table knows: how many sessions run
 * (--max-sessions; beyond it a few short-lived "refusers" tell clients so),
 * and how many have not logged in yet ("pending", counted like OpenSSH's
 * MaxStartups): from one source address at most --per-source-startups, and
 * in all, from START pending on, new connections are dropped with RATE%
 * probability rising to 100% at FULL. A session process reports its login
 * on the status pipe (struct sgw_status); one that has not logged in after
 * its login grace (plus a margin: its own alarm should have ended it) is
 * killed here. Reaping and stopping all of them live here too.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sshgw.h"

#define GRACE_MARGIN_MS 5000	/* after the child's own alarm */
#define DROP_REPORT_MS  5000	/* at most one "dropped" line per period */

struct proc {
	pid_t pid;
	uint32_t serial;
	int refuser;
	int authed;
	long long started_ms;
	char source[SGW_SOURCE_MAX];
};

static struct proc *procs;
static int nprocs, maxprocs;
static uint32_t next_serial;
static long long drop_report_ms;
static int drops_unreported;

long long
sgw_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
sgw_procs_init(int max_sessions)
{
	unsigned int seed;

	maxprocs = max_sessions + SGW_MAX_REFUSERS;
	procs = calloc((size_t)maxprocs, sizeof(*procs));
	if (procs == NULL)
		return -1;
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
		seed = (unsigned int)getpid() ^ (unsigned int)sgw_now_ms();
	srandom(seed);
	return 0;
}

void
sgw_procs_free(void)
{
	free(procs);
	procs = NULL;
	nprocs = maxprocs = 0;
}

int
sgw_procs_count(void)
{
	return nprocs;
}

void
sgw_source_key(const struct sockaddr_storage *ss, char *out, size_t n)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
	struct in6_addr net;

	if (ss->ss_family == AF_INET6 && !IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		/* one host usually owns a whole /64: count it as one source */
		net = s6->sin6_addr;
		memset(&net.s6_addr[8], 0, 8);
		if (inet_ntop(AF_INET6, &net, out, (socklen_t)n) != NULL &&
		    strlen(out) + 4 < n) {
			strcat(out, "/64");
			return;
		}
	}
	sgw_peer_address(ss, out, n);
}

static int
count_where(int refuser, int pending_only, const char *source)
{
	int i, k = 0;

	for (i = 0; i < nprocs; i++) {
		const struct proc *p = &procs[i];

		if (p->refuser != refuser || (pending_only && p->authed))
			continue;
		if (source != NULL && strcmp(p->source, source) != 0)
			continue;
		k++;
	}
	return k;
}

int
sgw_procs_pending(void)
{
	return count_where(0, 1, NULL);
}

/* OpenSSH's early drop: RATE% at START pending, rising to 100% at FULL. */
static int
early_drop(const int st[3], int pending)
{
	int p;

	if (pending < st[0])
		return 0;
	if (pending >= st[2])
		return 1;
	p = st[1] + (100 - st[1]) * (pending - st[0]) / (st[2] - st[0]);
	return (int)(random() % 100) < p;
}

static void
note_drop(const char *source, const char *why)
{
	long long now = sgw_now_ms();

	drops_unreported++;
	if (now < drop_report_ms)
		return;
	sgw_log(SGW_WARN, "dropped %d connection%s (last from %s): %s",
	    drops_unreported, drops_unreported == 1 ? "" : "s", source, why);
	drops_unreported = 0;
	drop_report_ms = now + DROP_REPORT_MS;
}

enum sgw_admit
sgw_procs_admit(const struct sgw_opts *o, const char *source)
{
	int pending = sgw_procs_pending();

	if (count_where(0, 1, source) >= o->per_source) {
		note_drop(source, "too many connections from this address "
		    "not logged in yet (--per-source-startups)");
		return SGW_ADMIT_DROP;
	}
	if (early_drop(o->startups, pending)) {
		note_drop(source, "too many connections not logged in yet "
		    "(--max-startups)");
		return SGW_ADMIT_DROP;
	}
	if (count_where(0, 0, NULL) < o->max_sessions)
		return SGW_ADMIT_SESSION;
	if (count_where(1, 0, NULL) < SGW_MAX_REFUSERS)
		return SGW_ADMIT_REFUSE;
	note_drop(source, "session limit reached and enough clients are being "
	    "told so");
	return SGW_ADMIT_DROP;
}

uint32_t
sgw_procs_next_serial(void)
{
	return ++next_serial;
}

void
sgw_procs_add(pid_t pid, uint32_t serial, int refuser, const char *source)
{
	struct proc *p;

	if (nprocs >= maxprocs)		/* cannot happen: admit() counts */
		return;
	p = &procs[nprocs++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->serial = serial;
	p->refuser = refuser;
	p->started_ms = sgw_now_ms();
	snprintf(p->source, sizeof(p->source), "%s", source);
}

void
sgw_procs_read_status(int fd)
{
	struct sgw_status rec[64];
	ssize_t r;

	while ((r = read(fd, rec, sizeof(rec))) > 0) {
		size_t k, n = (size_t)r / sizeof(rec[0]);

		for (k = 0; k < n; k++) {
			int i;

			for (i = 0; i < nprocs; i++)
				if (procs[i].pid == rec[k].pid &&
				    procs[i].serial == rec[k].serial)
					procs[i].authed = 1;
		}
	}
}

void
sgw_procs_expire(const struct sgw_opts *o)
{
	long long limit = sgw_now_ms() - (long long)o->login_grace * 1000 -
	    GRACE_MARGIN_MS;
	int i;

	for (i = 0; i < nprocs; i++) {
		if (procs[i].authed || procs[i].started_ms > limit)
			continue;
		sgw_log(SGW_WARN, "session process %ld from %s outlived its "
		    "login grace; killing it", (long)procs[i].pid,
		    procs[i].source);
		(void)kill(procs[i].pid, SIGKILL);
		procs[i].started_ms = sgw_now_ms();	/* once per grace */
	}
}

/* Drop pid from the table (if ours) and log how it ended. */
static void
forget(pid_t pid, int status)
{
	int i;

	for (i = 0; i < nprocs; i++)
		if (procs[i].pid == pid)
			break;
	if (i == nprocs)
		return;
	procs[i] = procs[--nprocs];
	if (WIFSIGNALED(status))
		sgw_log(WTERMSIG(status) == SIGALRM ? SGW_INFO : SGW_WARN,
		    "session process %ld ended by signal %d%s", (long)pid,
		    WTERMSIG(status), WTERMSIG(status) == SIGALRM ?
		    " (login took too long)" : "");
	else
		sgw_log(SGW_DEBUG, "session process %ld exited with %d",
		    (long)pid, WEXITSTATUS(status));
}

void
sgw_procs_reap(void)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		forget(pid, status);
}

void
sgw_procs_stop(void)
{
	int i, tries, status;
	pid_t pid;

	for (i = 0; i < nprocs; i++)
		(void)kill(procs[i].pid, SIGTERM);
	/* kefud gives us 2 s before SIGKILL: sessions get 1.8 s */
	for (tries = 0; tries < 36 && nprocs > 0; tries++) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		(void)nanosleep(&ts, NULL);
		sgw_procs_reap();
	}
	for (i = 0; i < nprocs; i++) {
		sgw_log(SGW_WARN, "session process %ld did not stop; killing it",
		    (long)procs[i].pid);
		(void)kill(procs[i].pid, SIGKILL);
	}
	while (nprocs > 0 && (pid = waitpid(-1, &status, 0)) > 0)
		forget(pid, status);
}
