/*
 * ae.c - a small epoll event loop in the style of Redis's ae.
 *
 * kefud owns all chat state in one thread, so the loop is the only place that
 * decides what runs when: file events for sockets, one periodic timer for the
 * housekeeping clock (timeouts, queue positions), and a before-sleep hook.
 * The hook is where group commit happens: every write of one iteration is
 * committed in one SQLite transaction and only then are replies flushed, so
 * "OK" always means "on disk". Under load the hook may put a commit off for
 * a fraction of a millisecond (group commit); it then asks for a wake-up with
 * ae_wake_at_us(), which epoll_pwait2() honours to the microsecond.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "ae.h"
#include "log.h"

struct ae_file {
	int mask;
	ae_file_proc *proc;
	void *data;
};

struct ae_loop {
	int epfd;
	int maxfds;
	struct ae_file *files;
	struct epoll_event *evs;	/* room for every fd: see ae_create */
	int nevs;
	int stop;
	int timer_ms;
	long long timer_next;
	ae_proc *timer_proc;
	void *timer_data;
	ae_proc *before_sleep;
	void *before_sleep_data;
	long long wake_us;		/* one-shot deadline, 0 = none */
};

long long
ae_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
ae_wake_at_us(struct ae_loop *l, long long us)
{
	if (l->wake_us == 0 || us < l->wake_us)
		l->wake_us = us;
}

long long
ae_now_ms(void)
{
	return ae_now_us() / 1000;
}

struct ae_loop *
ae_create(int maxfds)
{
	struct ae_loop *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	l->maxfds = maxfds;
	l->files = calloc((size_t)maxfds, sizeof(*l->files));
	/* One wait takes every ready socket, as Redis does. With a smaller
	 * batch (it was 1024) a visitor's own message and the agent's
	 * message to it were served in different iterations, so its reply
	 * and the event went out in two writes instead of one: 0.98 writes
	 * per message against Redis's 0.50 with 10,200 connections. */
	l->nevs = maxfds < 1024 ? 1024 : maxfds;
	l->evs = calloc((size_t)l->nevs, sizeof(*l->evs));
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->files == NULL || l->evs == NULL || l->epfd < 0) {
		ae_free(l);
		return NULL;
	}
	return l;
}

void
ae_free(struct ae_loop *l)
{
	if (l == NULL)
		return;
	if (l->epfd >= 0)
		close(l->epfd);
	free(l->files);
	free(l->evs);
	free(l);
}

int
ae_set(struct ae_loop *l, int fd, int mask, ae_file_proc *proc, void *data)
{
	struct epoll_event ev;
	int op;

	if (fd < 0 || fd >= l->maxfds) {
		errno = EMFILE;
		return -1;
	}
	memset(&ev, 0, sizeof(ev));
	ev.data.fd = fd;
	if (mask & AE_READ)
		ev.events |= EPOLLIN;
	if (mask & AE_WRITE)
		ev.events |= EPOLLOUT;
	if (l->files[fd].mask == 0 && mask == 0)
		return 0;
	if (mask == 0)
		op = EPOLL_CTL_DEL;
	else if (l->files[fd].mask == 0)
		op = EPOLL_CTL_ADD;
	else
		op = EPOLL_CTL_MOD;
	if (l->files[fd].mask != mask && epoll_ctl(l->epfd, op, fd, &ev) < 0)
		return -1;
	l->files[fd].mask = mask;
	if (proc != NULL)
		l->files[fd].proc = proc;
	l->files[fd].data = data;
	return 0;
}

int
ae_get(struct ae_loop *l, int fd)
{
	if (fd < 0 || fd >= l->maxfds)
		return 0;
	return l->files[fd].mask;
}

void
ae_set_timer(struct ae_loop *l, int ms, ae_proc *proc, void *data)
{
	l->timer_ms = ms;
	l->timer_proc = proc;
	l->timer_data = data;
	l->timer_next = ae_now_ms() + ms;
}

void
ae_set_before_sleep(struct ae_loop *l, ae_proc *proc, void *data)
{
	l->before_sleep = proc;
	l->before_sleep_data = data;
}

void
ae_stop(struct ae_loop *l)
{
	l->stop = 1;
}

/* epoll_pwait2 (Linux 5.11) sleeps to the microsecond; without it (or
 * where a seccomp filter refuses it) round up to whole milliseconds. */
static int
wait_events(struct ae_loop *l, long long us)
{
#ifdef HAVE_EPOLL_PWAIT2
	static int have_pwait2 = 1;

	if (have_pwait2) {
		struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
		int n = epoll_pwait2(l->epfd, l->evs, l->nevs, us < 0 ? NULL : &ts,
		    NULL);

		if (n >= 0 || (errno != ENOSYS && errno != EPERM))
			return n;
		have_pwait2 = 0;
		log_info("epoll_pwait2: %s; timers have millisecond steps",
		    strerror(errno));
	}
#endif
	return epoll_wait(l->epfd, l->evs, l->nevs,
	    us < 0 ? -1 : (int)((us + 999) / 1000));
}

void
ae_run(struct ae_loop *l)
{
	while (!l->stop) {
		long long deadline = -1, wait_us = -1;
		int n;

		l->wake_us = 0;
		if (l->before_sleep)
			l->before_sleep(l, l->before_sleep_data);
		if (l->stop)
			break;
		if (l->timer_proc)
			deadline = l->timer_next * 1000;
		if (l->wake_us && (deadline < 0 || l->wake_us < deadline))
			deadline = l->wake_us;
		if (deadline >= 0) {
			wait_us = deadline - ae_now_us();
			if (wait_us < 0)
				wait_us = 0;
		}
		n = wait_events(l, wait_us);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_error("epoll_wait: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			int fd = l->evs[i].data.fd, mask = 0;
			struct ae_file *f = &l->files[fd];

			if (l->evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
				mask |= AE_READ;
			if (l->evs[i].events & (EPOLLOUT | EPOLLHUP | EPOLLERR))
				mask |= AE_WRITE;
			mask &= f->mask ? f->mask : 0;
			if (mask && f->proc)
				f->proc(l, fd, f->data, mask);
		}
		if (l->timer_proc && ae_now_ms() >= l->timer_next) {
			l->timer_next = ae_now_ms() + l->timer_ms;
			l->timer_proc(l, l->timer_data);
		}
	}
}
