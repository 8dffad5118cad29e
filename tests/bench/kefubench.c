/*
 * kefubench.c - load generator for `make bench`.
 *
 * Opens A agent and V visitor connections to a server (kefud, or for
 * comparison redis-server or an IRC server), gets every visitor a chat, then
 * has both sides of every chat exchange messages, either at a fixed total
 * rate or as fast as a per-chat window allows. It measures end-to-end
 * delivery (send to receipt on the other side), so latency includes the
 * server's work (for kefud: the SQLite commit before the event goes out).
 *
 * One thread, one epoll loop, non-blocking sockets, like kefud itself.
 * Output: a human summary on stderr and one "RESULT key=value ..." line on
 * stdout for tests/bench/run-bench.sh.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

struct bench B;

static int epfd = -1;
static int *dirty;
static int ndirty;
static int64_t *ready;		/* chat ids that are ready */
static int nready;
static double self_cpu;		/* our own CPU seconds under load */
static double setup_limit = 120;	/* seconds per setup phase */

int64_t
bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
die(const char *what)
{
	fprintf(stderr, "kefubench: %s: %s\n", what, strerror(errno));
	exit(2);
}

static int
buf_reserve(struct bbuf *b, size_t more)
{
	if (b->off > 0 && b->off == b->len) {
		b->off = b->len = 0;
	}
	if (b->len + more <= b->cap)
		return 0;
	if (b->off > 0) {
		memmove(b->data, b->data + b->off, b->len - b->off);
		b->len -= b->off;
		b->off = 0;
		if (b->len + more <= b->cap)
			return 0;
	}
	size_t ncap = b->cap ? b->cap : 512;
	while (ncap < b->len + more)
		ncap *= 2;
	if (ncap > (64u << 20))
		return -1;
	char *d = realloc(b->data, ncap);
	if (d == NULL)
		return -1;
	b->data = d;
	b->cap = ncap;
	return 0;
}

int
bench_buf_add(struct bbuf *b, const char *s, size_t n)
{
	if (buf_reserve(b, n) < 0)
		return -1;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	return 0;
}

int
bench_raw_append(struct bconn *c, const char *s, size_t n)
{
	if (bench_buf_add(&c->out, s, n) < 0)
		return -1;
	bench_mark_dirty(c);
	return 0;
}

/* A WebSocket visitor's lines become frames (bench_ws.c). */
int
bench_out_append(struct bconn *c, const char *s, size_t n)
{
	return c->ws ? bws_append(c, s, n) : bench_raw_append(c, s, n);
}

void
bench_mark_dirty(struct bconn *c)
{
	if (!c->dirty) {
		c->dirty = 1;
		dirty[ndirty++] = (int)(c - B.conns);
	}
}

struct bchat *
bench_chat_get(int64_t id, int create)
{
	if (id < 0 || id > 50000000)
		return NULL;
	if (id >= B.nchats) {
		if (!create)
			return NULL;
		int64_t n = B.nchats ? B.nchats : 1024;
		while (n <= id)
			n *= 2;
		struct bchat *p = realloc(B.chats, (size_t)n * sizeof(*p));
		if (p == NULL)
			return NULL;
		for (int64_t i = B.nchats; i < n; i++) {
			memset(&p[i], 0, sizeof(p[i]));
			p[i].v = p[i].a = -1;
		}
		B.chats = p;
		B.nchats = n;
	}
	return &B.chats[id];
}

/* ---- sending ---- */

static int
send_one(int64_t chat, int side)
{
	struct bchat *ch = bench_chat_get(chat, 0);
	char payload[4200];
	int n;

	if (ch == NULL)
		return -1;
	struct bconn *c = &B.conns[side == SIDE_VISITOR ? ch->v : ch->a];
	if (c->state != BS_READY)
		return -1;
	n = snprintf(payload, sizeof(payload), "~T%lld~%c%lld~",
	    (long long)bench_now_ns(), side == SIDE_VISITOR ? 'v' : 'a',
	    (long long)chat);
	if (n < 0)
		return -1;
	while (n < B.msgsize && n < (int)sizeof(payload) - 1)
		payload[n++] = 'x';
	if (proto_send(c, chat, payload, (size_t)n) < 0)
		return -1;
	ch->inflight[side]++;
	B.sent++;
	return 0;
}

static void
record_latency(int64_t sent_ns, int64_t now)
{
	if (B.nlat == B.latcap) {
		size_t ncap = B.latcap ? B.latcap * 2 : 65536;
		if (ncap > (size_t)32 << 20)
			return;
		uint32_t *p = realloc(B.lat, ncap * sizeof(*p));
		if (p == NULL)
			return;
		B.lat = p;
		B.latcap = ncap;
	}
	int64_t us = (now - sent_ns) / 1000;
	B.lat[B.nlat++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

/* A line carrying a payload arrived on c. */
void
bench_deliver(struct bconn *c, const char *line, size_t len)
{
	const char *p = memmem(line, len, "~T", 2);
	char *end;
	long long ts, chat;
	int side;

	if (p == NULL)
		return;
	ts = strtoll(p + 2, &end, 10);
	if (*end != '~' || (end[1] != 'v' && end[1] != 'a'))
		return;
	side = end[1] == 'v' ? SIDE_VISITOR : SIDE_AGENT;
	if (side == c->side)
		return;		/* our own echo */
	chat = strtoll(end + 2, NULL, 10);
	struct bchat *ch = bench_chat_get(chat, 0);
	if (ch == NULL)
		return;
	ch->inflight[side]--;
	int64_t now = bench_now_ns();
	if (ts >= B.t_measure0 && ts < B.t_measure1) {
		B.delivered++;
		record_latency(ts, now);
	}
	/* window mode: refill from the side that just got through */
	if (B.rate <= 0 && now < B.t_measure1 && ch->inflight[side] < B.window)
		(void)send_one(chat, side);
}

/* ---- connections ---- */

static void
conn_dead(struct bconn *c, const char *why)
{
	if (c->state == BS_DEAD)
		return;
	if (B.closed++ < 5)
		fprintf(stderr, "kefubench: %s%d closed: %s\n",
		    c->side ? "agent " : "visitor ", c->idx, why);
	if (c->fd >= 0) {
		epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
	}
	c->fd = -1;
	c->state = BS_DEAD;
}

static void
arm(struct bconn *c, int out)
{
	struct epoll_event ev = { .events = EPOLLIN | (out ? EPOLLOUT : 0) };

	ev.data.u32 = (uint32_t)(c - B.conns);
	if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0)
		conn_dead(c, "epoll_ctl");
}

static void
conn_flush(struct bconn *c)
{
	while (c->fd >= 0 && c->out.off < c->out.len) {
		ssize_t n = write(c->fd, c->out.data + c->out.off,
		    c->out.len - c->out.off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			arm(c, 1);
			return;
		}
		if (n <= 0) {
			conn_dead(c, "write failed");
			return;
		}
		B.bytes_out += n;
		c->out.off += (size_t)n;
	}
	if (c->fd >= 0 && c->out.off == c->out.len) {
		c->out.off = c->out.len = 0;
	}
}

static void
flush_dirty(void)
{
	for (int i = 0; i < ndirty; i++) {
		struct bconn *c = &B.conns[dirty[i]];
		c->dirty = 0;
		if (c->state == BS_HANDSHAKE || c->state == BS_READY)
			conn_flush(c);
	}
	ndirty = 0;
}

static void
conn_start(struct bconn *c)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT };
	int one = 1;

	sa.sin_port = htons((uint16_t)(c->side == SIDE_VISITOR && B.ws_port ?
	    B.ws_port : B.port));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		die("socket");
	if (setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
		die("setsockopt");
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
	    errno != EINPROGRESS)
		die("connect");
	c->state = BS_CONNECTING;
	ev.data.u32 = (uint32_t)(c - B.conns);
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0)
		die("epoll_ctl");
}

static void
conn_connected(struct bconn *c)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) {
		errno = err;
		conn_dead(c, strerror(err));
		return;
	}
	c->state = BS_HANDSHAKE;
	arm(c, 0);
	if (c->side == SIDE_VISITOR && B.ws_port) {	/* HELLO after the 101 */
		if (bws_upgrade(c) < 0)
			conn_dead(c, "upgrade");
		return;
	}
	if (proto_hello(c) < 0)
		conn_dead(c, "hello");
}

static void
conn_read(struct bconn *c)
{
	for (int rounds = 0; rounds < 4 && c->fd >= 0; rounds++) {
		if (buf_reserve(&c->in, 65536) < 0) {
			conn_dead(c, "input too large");
			return;
		}
		ssize_t n = read(c->fd, c->in.data + c->in.len,
		    c->in.cap - c->in.len - 1);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			conn_dead(c, n == 0 ? "EOF from server" : strerror(errno));
			return;
		}
		B.bytes_in += n;
		c->in.len += (size_t)n;
		if (c->ws) {
			if (bws_input(c) < 0)
				conn_dead(c, "websocket");
			if (c->fd < 0 || (size_t)n < 65536)
				return;
			continue;
		}
		char *nl;
		while ((nl = memchr(c->in.data + c->in.off, '\n',
		    c->in.len - c->in.off)) != NULL) {
			char *line = c->in.data + c->in.off;
			size_t ll = (size_t)(nl - line);
			*nl = '\0';
			c->in.off += ll + 1;
			proto_line(c, line, ll);
			if (c->fd < 0)
				return;
		}
		if ((size_t)n < 65536)
			return;
	}
}

static void
poll_once_us(int64_t timeout_us)
{
	struct epoll_event evs[512];
	int n;

	flush_dirty();
#ifdef HAVE_EPOLL_PWAIT2
	struct timespec ts = { timeout_us / 1000000, (timeout_us % 1000000) * 1000 };
	n = epoll_pwait2(epfd, evs, 512, &ts, NULL);
	if (n < 0 && (errno == ENOSYS || errno == EPERM))
#endif
		n = epoll_wait(epfd, evs, 512, (int)((timeout_us + 999) / 1000));
	if (n < 0 && errno != EINTR)
		die("epoll_wait");
	for (int i = 0; i < n; i++) {
		struct bconn *c = &B.conns[evs[i].data.u32];
		if (c->fd < 0)
			continue;
		if (c->state == BS_CONNECTING) {
			conn_connected(c);
			continue;
		}
		if (evs[i].events & EPOLLOUT) {
			arm(c, 0);
			conn_flush(c);
		}
		if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
			conn_read(c);
	}
	flush_dirty();
}

static void
poll_once(int timeout_ms)
{
	poll_once_us((int64_t)timeout_ms * 1000);
}

/* Open conns [from, to), at most 256 handshakes at a time. */
static int
open_range(int from, int to, double limit_s)
{
	int64_t deadline = bench_now_ns() + (int64_t)(limit_s * 1e9);
	int next = from;

	while (bench_now_ns() < deadline) {
		int pending = 0, done = 0;
		for (int i = from; i < next; i++) {
			if (B.conns[i].state == BS_READY || B.conns[i].state == BS_DEAD)
				done++;
			else
				pending++;
		}
		while (next < to && pending < 256) {
			conn_start(&B.conns[next++]);
			pending++;
		}
		if (done == to - from)
			return 0;
		poll_once(5);
	}
	return -1;
}

/* ---- setup ---- */

static int
count_ready_chats(void)
{
	nready = 0;
	for (int64_t id = 0; id < B.nchats; id++)
		if (proto_chat_ready(&B.chats[id]))
			ready[nready++] = id;
	return nready;
}

static int
setup(double limit_s)
{
	int64_t deadline;

	if (open_range(0, B.nag, limit_s) < 0)
		fprintf(stderr, "kefubench: not all agents are ready\n");
	if (open_range(B.nag, B.nconns, limit_s) < 0)
		fprintf(stderr, "kefubench: not all visitors are ready\n");
	deadline = bench_now_ns() + (int64_t)(limit_s * 1e9);
	while (count_ready_chats() < B.nvis && bench_now_ns() < deadline)
		poll_once(20);
	return nready;
}

/* ---- server process statistics from /proc ---- */

/* user+system CPU seconds of pid; *ppid gets its parent */
static double
one_cpu_s(int pid, int *ppid)
{
	char path[64], buf[2048];
	unsigned long ut = 0, st = 0;
	FILE *f;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	if (p == NULL || sscanf(p + 2, "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
	    ppid, &ut, &st) != 3)
		return 0;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* CPU of the server and of its helper processes (kefud's password worker
 * and checkpointer, say): all of it is the server's cost. */
static double
proc_cpu_s(int pid)
{
	int ppid;
	double sum = one_cpu_s(pid, &ppid);
	DIR *d = opendir("/proc");
	struct dirent *e;

	if (pid <= 0 || d == NULL) {
		if (d)
			closedir(d);
		return sum;
	}
	while ((e = readdir(d)) != NULL) {
		int child = atoi(e->d_name);
		double c;

		if (child <= 0 || child == pid)
			continue;
		c = one_cpu_s(child, &ppid);
		if (ppid == pid)
			sum += c;
	}
	closedir(d);
	return sum;
}

static long
proc_kb(int pid, const char *key)
{
	char path[64], line[256];
	size_t kl = strlen(key);
	long v = 0;
	FILE *f;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, kl) == 0 && line[kl] == ':')
			v = strtol(line + kl + 1, NULL, 10);
	fclose(f);
	return v;
}

/* ---- load ---- */

static void
run_load(void)
{
	int64_t t0 = bench_now_ns();
	int64_t tend = t0 + (int64_t)((B.warmup + B.duration) * 1e9);
	int64_t cursor = 0, scheduled = 0;

	B.t_measure0 = t0 + (int64_t)(B.warmup * 1e9);
	B.bytes_in = B.bytes_out = 0;	/* count the message phase only */
	B.t_measure1 = tend;
	if (B.rate <= 0) {
		for (int i = 0; i < nready; i++)
			for (int w = 0; w < B.window; w++) {
				(void)send_one(ready[i], SIDE_VISITOR);
				(void)send_one(ready[i], SIDE_AGENT);
			}
	}
	for (int64_t now = t0; now < tend; now = bench_now_ns()) {
		if (B.rate > 0) {
			int64_t due = (int64_t)(B.rate * (double)(now - t0) / 1e9);
			int64_t cap = (int64_t)(B.rate / 20) + 1;
			if (due - scheduled > cap)
				scheduled = due - cap;	/* we fell behind: drop */
			while (scheduled < due) {
				int64_t id = ready[cursor % nready];
				struct bchat *ch = &B.chats[id];
				(void)send_one(id, ch->next_side);
				ch->next_side ^= 1;
				scheduled++;
				if (ch->next_side == 0)
					cursor++;
			}
		}
		if (B.rate > 0) {
			/* sleep until the next message is due (to the
			 * microsecond), so the offered load is smooth
			 * rather than a burst every millisecond */
			int64_t next = t0 + (int64_t)((double)(scheduled + 1) *
			    1e9 / B.rate);
			int64_t wait = (next - bench_now_ns()) / 1000;
			poll_once_us(wait < 0 ? 0 : wait);
		} else
			poll_once(10);
	}
}

static void
drain(double limit_s)
{
	int64_t deadline = bench_now_ns() + (int64_t)(limit_s * 1e9);

	while (bench_now_ns() < deadline) {
		long long left = 0;
		for (int i = 0; i < nready; i++) {
			struct bchat *ch = &B.chats[ready[i]];
			left += ch->inflight[0] + ch->inflight[1];
		}
		if (left <= 0)
			return;
		poll_once(10);
	}
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static double
pct_ms(double p)
{
	if (B.nlat == 0)
		return -1;
	size_t i = (size_t)(p * (double)(B.nlat - 1));
	return B.lat[i] / 1000.0;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: kefubench [-m kefu|redis|irc] -p PORT [-V visitors] [-A agents]\n"
	    "       [-r msgs/s, 0 = as fast as the window allows] [-w window]\n"
	    "       [-d seconds] [-W warmup] [-s msgsize] [-P agentpw] [-S server-pid]\n"
	    "       [-T setup-seconds] [-H http-port: visitors over WebSocket]\n");
	exit(2);
}

static void
parse_args(int argc, char **argv)
{
	int o;

	B.mode = BM_KEFU;
	B.nvis = 100;
	B.nag = 10;
	B.duration = 5;
	B.warmup = 1;
	B.window = 1;
	B.msgsize = 40;
	B.password = "benchpw";
	while ((o = getopt(argc, argv, "m:p:V:A:r:w:d:W:s:P:S:T:H:")) != -1) {
		switch (o) {
		case 'm':
			if (!strcmp(optarg, "kefu")) B.mode = BM_KEFU;
			else if (!strcmp(optarg, "redis")) B.mode = BM_REDIS;
			else if (!strcmp(optarg, "irc")) B.mode = BM_IRC;
			else usage();
			break;
		case 'p': B.port = atoi(optarg); break;
		case 'V': B.nvis = atoi(optarg); break;
		case 'A': B.nag = atoi(optarg); break;
		case 'r': B.rate = atof(optarg); break;
		case 'w': B.window = atoi(optarg); break;
		case 'd': B.duration = atof(optarg); break;
		case 'W': B.warmup = atof(optarg); break;
		case 's': B.msgsize = atoi(optarg); break;
		case 'P': B.password = optarg; break;
		case 'S': B.server_pid = atoi(optarg); break;
		case 'T': setup_limit = atof(optarg); break;
		case 'H': B.ws_port = atoi(optarg); break;
		default: usage();
		}
	}
	if (B.port <= 0 || B.port > 65535 || B.ws_port < 0 || B.ws_port > 65535 ||
	    (B.ws_port && B.mode != BM_KEFU) || B.nvis < 1 || B.nag < 1 ||
	    B.nvis > 100000 || B.nag > 10000 || B.window < 1 || B.window > 1000 ||
	    B.duration <= 0 || B.duration > 600 || B.warmup < 0 ||
	    B.msgsize < 1 || B.msgsize > 4000 || B.rate < 0)
		usage();
}

static void
raise_nofile(int need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		die("getrlimit");
	if (rl.rlim_cur < (rlim_t)need) {
		rl.rlim_cur = rl.rlim_max < (rlim_t)need ? rl.rlim_max : (rlim_t)need;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			die("setrlimit");
	}
	if (rl.rlim_cur < (rlim_t)need) {
		fprintf(stderr, "kefubench: need %d open files, limit is %llu\n",
		    need, (unsigned long long)rl.rlim_cur);
		exit(2);
	}
}

static void
report(double setup_s, long rss_setup_kb, double cpu_s)
{
	static const char *names[] = { "kefu", "redis", "irc" };
	double thr = (double)B.delivered / B.duration;
	double bpm = B.delivered ? (double)(B.bytes_in + B.bytes_out) /
	    (double)B.sent : 0;
	int held = 0;

	for (int i = 0; i < B.nconns; i++)
		held += B.conns[i].state == BS_READY;
	qsort(B.lat, B.nlat, sizeof(*B.lat), cmp_u32);
	fprintf(stderr, "%s: %d chats, %d connections held, setup %.1fs\n"
	    "  offered %s msg/s, delivered %.0f msg/s (%lld msgs in %.1fs), "
	    "acks %lld, errors %lld\n"
	    "  latency ms p50 %.3f p99 %.3f p99.9 %.3f max %.3f\n"
	    "  server cpu %.2fs (%.0f%%), rss after setup %ld KB, peak rss %ld KB\n"
	    "  wire bytes per message (all sockets, both directions) %.0f\n"
	    "  load generator cpu %.2fs over warmup+run\n",
	    names[B.mode], nready, held, setup_s,
	    B.rate > 0 ? "fixed" : "max", thr, B.delivered, B.duration,
	    B.acks, B.errors, pct_ms(0.5), pct_ms(0.99), pct_ms(0.999),
	    pct_ms(1.0), cpu_s, 100 * cpu_s / B.duration, rss_setup_kb,
	    proc_kb(B.server_pid, "VmHWM"), bpm, self_cpu);
	printf("RESULT mode=%s visitors=%d agents=%d chats=%d held=%d rate=%.0f "
	    "window=%d thr=%.0f delivered=%lld sent=%lld errors=%lld closed=%lld "
	    "p50=%.3f p99=%.3f p999=%.3f cpu=%.2f rss_setup_kb=%ld hwm_kb=%ld "
	    "bytes_per_msg=%.0f setup_s=%.1f gen_cpu=%.2f\n",
	    names[B.mode], B.nvis, B.nag, nready, held, B.rate, B.window, thr,
	    B.delivered, B.sent, B.errors, B.closed, pct_ms(0.5), pct_ms(0.99),
	    pct_ms(0.999), cpu_s, rss_setup_kb, proc_kb(B.server_pid, "VmHWM"),
	    bpm, setup_s, self_cpu);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	parse_args(argc, argv);
	raise_nofile(B.nvis + B.nag + 64);
	signal(SIGPIPE, SIG_IGN);
	B.nconns = B.nvis + B.nag;
	B.conns = calloc((size_t)B.nconns, sizeof(*B.conns));
	dirty = calloc((size_t)B.nconns, sizeof(*dirty));
	ready = calloc((size_t)B.nvis + 1, sizeof(*ready));
	if (B.conns == NULL || dirty == NULL || ready == NULL)
		die("calloc");
	for (int i = 0; i < B.nconns; i++) {
		B.conns[i].fd = -1;
		B.conns[i].side = i < B.nag ? SIDE_AGENT : SIDE_VISITOR;
		B.conns[i].idx = i < B.nag ? i : i - B.nag;
		B.conns[i].chat = -1;
	}
	if ((epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		die("epoll_create1");

	int64_t t = bench_now_ns();
	if (setup(setup_limit) < B.nvis)
		fprintf(stderr, "kefubench: only %d of %d chats are ready\n",
		    nready, B.nvis);
	if (nready == 0) {
		fprintf(stderr, "kefubench: no chat is ready; giving up\n");
		return 1;
	}
	double setup_s = (double)(bench_now_ns() - t) / 1e9;
	long rss_setup = proc_kb(B.server_pid, "VmRSS");
	const char *readyf = getenv("KEFUBENCH_READY");
	if (readyf != NULL) {	/* tells run-bench.sh to start profiling */
		FILE *f = fopen(readyf, "w");
		if (f != NULL)
			fclose(f);
	}
	B.t_measure0 = B.t_measure1 = INT64_MAX;
	double cpu_at0 = proc_cpu_s(B.server_pid), cpu1;
	double self0 = proc_cpu_s(getpid());
	run_load();
	cpu1 = proc_cpu_s(B.server_pid);
	self_cpu = proc_cpu_s(getpid()) - self0;
	drain(3);
	/* cpu over warmup+duration, scaled to the measured duration */
	double cpu = (cpu1 - cpu_at0) * B.duration / (B.duration + B.warmup);
	report(setup_s, rss_setup, cpu);
	return B.closed > 0 ? 1 : 0;
}
