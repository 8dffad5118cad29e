/*
 * sshgw_pump.c - moves bytes between the SSH channel and what serves it:
 * the kefu console on a fresh pty (interactive ssh), or a new connection
 * to kefud's unix socket already logged in with the ticket (`ssh -T`).
 *
 * libssh's ssh_channel_write blocks while the client's window is closed,
 * so we never write more than the window allows, and stop reading the pty
 * (or socket) while a bounded buffer waits for the client. In the other
 * direction, channel data the console cannot take yet stays in libssh's
 * buffer (its window then stays closed) and is pulled later with
 * ssh_channel_read_nonblocking. So neither side can make us grow without
 * bound or block, and keepalives and the idle timer keep running.
 *
 * The console runs in its own session and process group on the pty; when
 * the SSH client goes away we hang it up (SIGHUP to the group), then kill
 * it if it lingers, and always reap it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <libssh/callbacks.h>
#include <libssh/server.h>

#include "sshgw.h"

#define PUMP_CAP   (256 * 1024)	/* bytes buffered per direction */
#define CHUNK      16384

struct sgw_pump {
	struct sgw_pump_params p;
	int fd;			/* pty master or kefud socket */
	pid_t child;		/* the console (PTY), or 0 */
	int child_status;
	int child_done;
	struct pbuf to_fd;	/* from the client, for the console/kefud */
	struct pbuf to_ch;	/* for the client */
	short reg;		/* events registered for fd; -1: none */
	int fd_eof, ch_eof, shut_wr, gw_gone;
	int gw_reg;		/* gateway fd is in the event */
	time_t last_io, last_keepalive;
	const char *end_reason;
};

int
sgw_winsize_ok(int cols, int rows)
{
	return cols >= 1 && rows >= 1 && cols <= SGW_WIN_MAX &&
	    rows <= SGW_WIN_MAX;
}

static time_t
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static void
tell(struct sgw_pump *pp, const char *msg)
{
	if (!ssh_channel_is_closed(pp->p.channel) &&
	    ssh_channel_write_stderr(pp->p.channel, msg,
	    (uint32_t)strlen(msg)) < 0)
		sgw_log(SGW_DEBUG, "cannot write to the channel's stderr");
}

static int
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	return 0;
}

/* ---- starting the console on a pty ------------------------------------ */

static void
child_exec(const struct sgw_pump_params *p, const char *slave)
{
	char *envp[8], *argv[6];
	char e_term[96], e_tick[600];
	struct sigaction sa;
	int fd, i;

	setsid();
	fd = open(slave, O_RDWR);
	if (fd < 0)
		_exit(127);
	if (ioctl(fd, TIOCSCTTY, 0) < 0) {
		/* opening it as a session leader already made it ours */
	}
	if (dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(127);
	if (fd > 2)
		close(fd);
	for (i = 3; i < 1024; i++)
		close(i);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (i = 1; i < NSIG; i++)
		(void)sigaction(i, &sa, NULL);
	(void)sigprocmask(SIG_SETMASK, &sa.sa_mask, NULL);
	(void)prctl(PR_SET_PDEATHSIG, SIGHUP);
	snprintf(e_term, sizeof(e_term), "TERM=%s", p->term);
	snprintf(e_tick, sizeof(e_tick), "KEFU_TICKET=%s", p->token);
	envp[0] = e_term;
	envp[1] = e_tick;
	envp[2] = (char *)"LANG=C.UTF-8";
	envp[3] = (char *)"HOME=/";
	envp[4] = (char *)"PATH=/usr/local/bin:/usr/bin:/bin";
	envp[5] = NULL;
	argv[0] = (char *)p->opts->console;
	argv[1] = (char *)"--socket";
	argv[2] = (char *)p->opts->socket;
	argv[3] = (char *)"--user";
	argv[4] = (char *)p->user;
	argv[5] = NULL;
	execve(p->opts->console, argv, envp);
	dprintf(2, "kefud-ssh: cannot run the console %s: %s\r\n",
	    p->opts->console, strerror(errno));
	_exit(127);
}

static int
start_console(struct sgw_pump *pp)
{
	struct winsize ws;
	char slave[128];
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0 ||
	    ptsname_r(m, slave, sizeof(slave)) != 0) {
		sgw_log(SGW_ERROR, "cannot allocate a pty: %s", strerror(errno));
		if (m >= 0)
			close(m);
		return -1;
	}
	memset(&ws, 0, sizeof(ws));
	ws.ws_col = (unsigned short)pp->p.cols;
	ws.ws_row = (unsigned short)pp->p.rows;
	if (ioctl(m, TIOCSWINSZ, &ws) < 0)
		sgw_log(SGW_WARN, "cannot size the pty: %s", strerror(errno));
	pp->child = fork();
	if (pp->child < 0) {
		sgw_log(SGW_ERROR, "cannot fork the console: %s",
		    strerror(errno));
		close(m);
		return -1;
	}
	if (pp->child == 0)
		child_exec(&pp->p, slave);
	if (set_nonblock(m) < 0) {
		close(m);
		return -1;
	}
	pp->fd = m;
	sgw_log(SGW_DEBUG, "console pid %ld on %s (%dx%d %s)",
	    (long)pp->child, slave, pp->p.cols, pp->p.rows, pp->p.term);
	return 0;
}

/* ---- or the raw line protocol ----------------------------------------- */

static int
start_raw(struct sgw_pump *pp)
{
	struct sgw_kefud k;
	char err[512], msg[700];

	sgw_kefud_init(&k);
	if (sgw_kefud_connect(&k, pp->p.opts->socket) < 0) {
		sgw_log(SGW_ERROR, "cannot connect to kefud at %s: %s",
		    pp->p.opts->socket, strerror(errno));
		tell(pp, "kefud-ssh: the chat server is not reachable\r\n");
		return -1;
	}
	if (sgw_kefud_ticket(&k, pp->p.user, pp->p.token, err,
	    sizeof(err)) != SGW_K_OK) {
		sgw_log(SGW_ERROR, "kefud refused the ticket: %.200s", err);
		snprintf(msg, sizeof(msg), "kefud-ssh: the chat server "
		    "refused the login: %.500s\r\n", err);
		tell(pp, msg);
		sgw_kefud_close(&k);
		return -1;
	}
	if (pbuf_add(&pp->to_ch, k.in.data, k.in.len) < 0 ||
	    set_nonblock(k.fd) < 0) {
		sgw_kefud_close(&k);
		return -1;
	}
	pp->fd = k.fd;
	k.fd = -1;
	sgw_kefud_close(&k);
	return 0;
}

/*
 * kefud may send events to the gateway; only "* SHUTDOWN" (kefud is
 * stopping: end the session now, saying so) and its going away matter.
 */
static int
gateway_cb(socket_t fd, int revents, void *userdata)
{
	struct sgw_pump *pp = userdata;
	struct sgw_kefud *gw = pp->p.gateway;
	char buf[4096], line[256];
	ssize_t r;
	int got;

	(void)revents;
	r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
		pp->gw_gone = 1;
	if (r <= 0 || pbuf_add(&gw->in, buf, (size_t)r) < 0)
		return 0;
	while ((got = sgw_kefud_take_line(gw, line, sizeof(line))) != 0) {
		if (got < 0) {		/* a long line we have no use for */
			char *nl = memchr(gw->in.data, '\n', gw->in.len);

			pbuf_consume(&gw->in, nl ? (size_t)(nl - gw->in.data) + 1 :
			    gw->in.len);
			continue;
		}
		if (strncmp(line, "* SHUTDOWN", 10) == 0 &&
		    (line[10] == '\0' || line[10] == ' '))
			pp->end_reason = "the chat server is shutting down";
	}
	return 0;
}

struct sgw_pump *
sgw_pump_start(const struct sgw_pump_params *p)
{
	struct sgw_pump *pp = calloc(1, sizeof(*pp));
	int rc;

	if (pp == NULL)
		return NULL;
	pp->p = *p;
	pp->fd = -1;
	pp->reg = -1;
	pbuf_init(&pp->to_fd);
	pbuf_init(&pp->to_ch);
	rc = p->mode == SGW_PUMP_PTY ? start_console(pp) : start_raw(pp);
	if (rc == 0 && ssh_event_add_fd(p->event, p->gateway->fd, POLLIN,
	    gateway_cb, pp) != SSH_OK)
		rc = -1;
	pp->gw_reg = rc == 0;
	if (rc < 0) {
		if (p->mode == SGW_PUMP_PTY && pp->fd < 0)
			tell(pp, "kefud-ssh: cannot start the console\r\n");
		sgw_pump_free(pp);
		return NULL;
	}
	pp->last_io = pp->last_keepalive = mono_now();
	sgw_log(SGW_INFO, "session started user=%s mode=%s", p->user,
	    p->mode == SGW_PUMP_PTY ? "console" : "raw");
	return pp;
}

/* ---- moving bytes ------------------------------------------------------- */

size_t
sgw_pump_from_client(struct sgw_pump *pp, const void *data, size_t len)
{
	size_t room = pp->to_fd.len < PUMP_CAP ? PUMP_CAP - pp->to_fd.len : 0;

	if (len > room)
		len = room;
	if (len == 0 || pbuf_add(&pp->to_fd, data, len) < 0)
		return 0;
	pp->last_io = mono_now();
	return len;
}

void
sgw_pump_client_eof(struct sgw_pump *pp)
{
	pp->ch_eof = 1;
}

void
sgw_pump_resize(struct sgw_pump *pp, int cols, int rows)
{
	struct winsize ws;

	if (pp->p.mode != SGW_PUMP_PTY || pp->fd < 0)
		return;
	memset(&ws, 0, sizeof(ws));
	ws.ws_col = (unsigned short)cols;
	ws.ws_row = (unsigned short)rows;
	/* the kernel sends SIGWINCH to the console's process group */
	if (ioctl(pp->fd, TIOCSWINSZ, &ws) < 0)
		sgw_log(SGW_WARN, "cannot resize the pty: %s", strerror(errno));
	else
		sgw_log(SGW_DEBUG, "window %dx%d", cols, rows);
}

static void
read_fd(struct sgw_pump *pp)
{
	char buf[CHUNK];
	size_t room = pp->to_ch.len < PUMP_CAP ? PUMP_CAP - pp->to_ch.len : 0;
	ssize_t r;

	if (room == 0 || pp->fd_eof)
		return;
	r = read(pp->fd, buf, room < sizeof(buf) ? room : sizeof(buf));
	if (r > 0) {
		if (pbuf_add(&pp->to_ch, buf, (size_t)r) < 0)
			pp->fd_eof = 1;
		pp->last_io = mono_now();
		return;
	}
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	pp->fd_eof = 1;		/* 0 from a socket, EIO from a hung-up pty */
}

static void
write_fd(struct sgw_pump *pp)
{
	ssize_t w;

	if (pp->to_fd.len == 0)
		return;
	if (pp->p.mode == SGW_PUMP_RAW)
		w = send(pp->fd, pp->to_fd.data, pp->to_fd.len,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
	else
		w = write(pp->fd, pp->to_fd.data, pp->to_fd.len);
	if (w > 0)
		pbuf_consume(&pp->to_fd, (size_t)w);
	else if (w < 0 && errno != EAGAIN && errno != EINTR) {
		pbuf_consume(&pp->to_fd, pp->to_fd.len);
		pp->fd_eof = 1;
	}
}

static int
fd_cb(socket_t fd, int revents, void *userdata)
{
	struct sgw_pump *pp = userdata;

	(void)fd;
	if (revents & POLLOUT)
		write_fd(pp);
	if (revents & (POLLIN | POLLHUP | POLLERR))
		read_fd(pp);
	return 0;
}

/* Send what the client's window allows. -1 if the channel broke. */
static int
flush_to_channel(struct sgw_pump *pp)
{
	while (pp->to_ch.len > 0) {
		uint32_t win = ssh_channel_window_size(pp->p.channel);
		size_t n = pp->to_ch.len;
		int w;

		if (win == 0)
			return 0;
		if (n > win)
			n = win;
		if (n > CHUNK)
			n = CHUNK;
		w = ssh_channel_write(pp->p.channel, pp->to_ch.data,
		    (uint32_t)n);
		if (w == SSH_AGAIN || w == 0)
			return 0;
		if (w < 0)
			return -1;
		pbuf_consume(&pp->to_ch, (size_t)w);
	}
	return 0;
}

/* Pull client data libssh kept while our buffer was full. */
static void
pull_channel(struct sgw_pump *pp)
{
	char buf[CHUNK];

	while (pp->to_fd.len < PUMP_CAP &&
	    ssh_channel_poll(pp->p.channel, 0) > 0) {
		size_t room = PUMP_CAP - pp->to_fd.len;
		int r = ssh_channel_read_nonblocking(pp->p.channel, buf,
		    (uint32_t)(room < sizeof(buf) ? room : sizeof(buf)), 0);

		if (r <= 0 || pbuf_add(&pp->to_fd, buf, (size_t)r) < 0)
			break;
		pp->last_io = mono_now();
	}
}

static void
update_registration(struct sgw_pump *pp)
{
	short want = 0;

	if (!pp->fd_eof && pp->to_ch.len < PUMP_CAP)
		want |= POLLIN;
	if (!pp->fd_eof && pp->to_fd.len > 0)
		want |= POLLOUT;
	if (want == pp->reg)
		return;
	if (pp->reg > 0 && ssh_event_remove_fd(pp->p.event, pp->fd) != SSH_OK)
		sgw_log(SGW_DEBUG, "cannot unregister fd %d", pp->fd);
	pp->reg = 0;
	if (want != 0) {
		if (ssh_event_add_fd(pp->p.event, pp->fd, want, fd_cb, pp) !=
		    SSH_OK) {
			pp->end_reason = "internal error";
			return;
		}
		pp->reg = want;
	}
}

/* Stop watching our fds: only the SSH connection matters from now on. */
static void
unregister(struct sgw_pump *pp)
{
	if (pp->reg > 0 && ssh_event_remove_fd(pp->p.event, pp->fd) != SSH_OK)
		sgw_log(SGW_DEBUG, "cannot unregister fd %d", pp->fd);
	pp->reg = 0;
	if (pp->p.gateway != NULL && pp->p.gateway->fd >= 0 && pp->gw_reg) {
		(void)ssh_event_remove_fd(pp->p.event, pp->p.gateway->fd);
		pp->gw_reg = 0;
	}
}

/* ---- the session's life ----------------------------------------------- */

static void
reap_console(struct sgw_pump *pp)
{
	pid_t r;

	if (pp->child <= 0 || pp->child_done)
		return;
	r = waitpid(pp->child, &pp->child_status, WNOHANG);
	if (r == pp->child)
		pp->child_done = 1;
}

/* Take what the console wrote last (its endwin()) off the pty. */
static void
drain_console(struct sgw_pump *pp)
{
	int i;

	for (i = 0; i < 64 && pp->fd >= 0 && !pp->fd_eof; i++) {
		struct pollfd p = { .fd = pp->fd, .events = POLLIN };
		size_t before = pp->to_ch.len;

		if (poll(&p, 1, 0) <= 0)
			break;
		read_fd(pp);
		if (pp->to_ch.len == before)
			break;
	}
}

/*
 * Hang up the console, give it a moment to tidy the screen (kefu gives the
 * terminal back with endwin() on SIGHUP), then kill it.
 */
static void
stop_console(struct sgw_pump *pp)
{
	int i;

	reap_console(pp);
	if (pp->child <= 0)
		return;
	if (pp->child_done) {
		drain_console(pp);
		return;
	}
	(void)kill(-pp->child, SIGHUP);
	(void)kill(pp->child, SIGHUP);
	for (i = 0; i < 20 && !pp->child_done; i++) {
		struct pollfd p = { .fd = pp->fd, .events = POLLIN };

		if (pp->fd >= 0 && !pp->fd_eof && poll(&p, 1, 50) > 0)
			read_fd(pp);
		else if (pp->fd < 0 || pp->fd_eof)
			(void)poll(NULL, 0, 50);
		reap_console(pp);
	}
	drain_console(pp);
	if (!pp->child_done) {
		sgw_log(SGW_WARN, "console pid %ld ignored SIGHUP; killing it",
		    (long)pp->child);
		(void)kill(-pp->child, SIGKILL);
		(void)kill(pp->child, SIGKILL);
		if (waitpid(pp->child, &pp->child_status, 0) == pp->child)
			pp->child_done = 1;
	}
}

static int
exit_code(const struct sgw_pump *pp)
{
	if (pp->p.mode == SGW_PUMP_RAW)
		return pp->end_reason != NULL ? 1 : 0;
	if (!pp->child_done)
		return 1;
	if (WIFEXITED(pp->child_status))
		return WEXITSTATUS(pp->child_status);
	return 128 + (WIFSIGNALED(pp->child_status) ?
	    WTERMSIG(pp->child_status) : 0);
}

/*
 * A console that was killed could not give the terminal back: leave the
 * alternate screen, show the cursor, plain colours, cursor keys and keypad
 * in normal mode (xterm's sequences, which terminals without them ignore).
 */
#define TERM_RESTORE "\033[?1049l\033[?25h\033[0m\033[?1l\033>"

/*
 * Send what is buffered for the client, as its window allows, until done
 * or deadline; -1 if the channel broke.
 */
static int
drain_to_channel(struct sgw_pump *pp, time_t deadline)
{
	for (;;) {
		if (flush_to_channel(pp) < 0)
			return -1;
		if (pp->to_ch.len == 0 || mono_now() >= deadline ||
		    !ssh_is_connected(pp->p.session))
			return 0;
		if (ssh_event_dopoll(pp->p.event, 100) == SSH_ERROR)
			return -1;
	}
}

/*
 * Say why the session ends. On a terminal the line goes after the
 * console's last output (its endwin()) in the same stream, so it lands
 * on the restored screen, not under the console's debris; ssh -T gets it
 * on stderr.
 */
static void
say_why(struct sgw_pump *pp)
{
	char msg[160];

	if (pp->end_reason == NULL)
		return;
	snprintf(msg, sizeof(msg), "\r\nkefud-ssh: %s\r\n", pp->end_reason);
	if (pp->p.mode != SGW_PUMP_PTY) {
		tell(pp, msg);
		return;
	}
	if (pp->child_done && WIFSIGNALED(pp->child_status) &&
	    pbuf_adds(&pp->to_ch, TERM_RESTORE) < 0)
		return;
	if (pbuf_adds(&pp->to_ch, msg) < 0)
		sgw_log(SGW_DEBUG, "no memory for the closing line");
}

/* Tell the client how it ended and close the channel politely. */
static void
finish_channel(struct sgw_pump *pp, int stopping)
{
	ssh_channel ch = pp->p.channel;
	time_t deadline;

	unregister(pp);

	if (ssh_channel_is_closed(ch) || !ssh_is_connected(pp->p.session)) {
		sgw_log(SGW_DEBUG, "channel already closed by the client");
		return;
	}
	say_why(pp);
	if (drain_to_channel(pp, mono_now() + 1) < 0)
		return;
	/* non-blocking: these may answer SSH_AGAIN while output is queued */
	if (ssh_channel_request_send_exit_status(ch, exit_code(pp)) == SSH_ERROR ||
	    ssh_channel_send_eof(ch) == SSH_ERROR ||
	    ssh_channel_close(ch) == SSH_ERROR)
		return;
	/*
	 * Let libssh flush; the client reads it all, closes its side and
	 * hangs up. Disconnecting first would make it exit with 255.
	 */
	deadline = mono_now() + (stopping ? 1 : 3);
	while (ssh_is_connected(pp->p.session) && mono_now() < deadline)
		if (ssh_event_dopoll(pp->p.event, 100) == SSH_ERROR)
			break;
	sgw_log(SGW_DEBUG, "channel closed, exit status %d", exit_code(pp));
}

static void
keepalive(struct sgw_pump *pp, time_t now)
{
	if (now - pp->last_keepalive < SGW_KEEPALIVE_INTERVAL)
		return;
	pp->last_keepalive = now;
	if (ssh_send_keepalive(pp->p.session) == SSH_ERROR)
		sgw_log(SGW_DEBUG, "keepalive failed: %s",
		    ssh_get_error(pp->p.session));
}

/* One round of housekeeping; returns 1 when the session is over. */
static int
check_end(struct sgw_pump *pp, volatile int *stop)
{
	static char idle_msg[96];
	time_t now = mono_now();

	if (*stop) {
		pp->end_reason = "the server is shutting down";
		return 1;
	}
	if (ssh_channel_is_closed(pp->p.channel) ||
	    !ssh_is_connected(pp->p.session))
		return 1;
	if (pp->end_reason != NULL)
		return 1;
	if (pp->gw_gone) {
		pp->end_reason = "the chat server went away";
		return 1;
	}
	if (pp->fd_eof && pp->to_ch.len == 0)
		return 1;
	if (pp->child_done && !pp->fd_eof) {
		read_fd(pp);	/* drain what the console left, then end */
		if (pp->to_ch.len == 0)
			pp->fd_eof = 1;
	}
	if (pp->p.opts->idle_timeout > 0 &&
	    now - pp->last_io >= pp->p.opts->idle_timeout) {
		snprintf(idle_msg, sizeof(idle_msg), "idle for %d seconds; "
		    "closing the session", pp->p.opts->idle_timeout);
		pp->end_reason = idle_msg;
		sgw_log(SGW_INFO, "idle timeout user=%s", pp->p.user);
		return 1;
	}
	keepalive(pp, now);
	return 0;
}

int
sgw_pump_run(struct sgw_pump *pp, volatile int *stop)
{
	ssh_set_blocking(pp->p.session, 0);
	for (;;) {
		reap_console(pp);
		if (flush_to_channel(pp) < 0)
			break;
		write_fd(pp);
		pull_channel(pp);
		if (pp->ch_eof && pp->to_fd.len == 0 && !pp->shut_wr &&
		    pp->p.mode == SGW_PUMP_RAW) {
			/* the client is done talking: kefud sees EOF, answers
			 * what it got, and closes */
			if (shutdown(pp->fd, SHUT_WR) < 0)
				pp->fd_eof = 1;
			pp->shut_wr = 1;
		}
		if (check_end(pp, stop))
			break;
		update_registration(pp);
		if (ssh_event_dopoll(pp->p.event, 1000) == SSH_ERROR &&
		    !ssh_is_connected(pp->p.session))
			break;
	}
	if (pp->p.mode == SGW_PUMP_PTY)
		stop_console(pp);
	finish_channel(pp, *stop);
	return exit_code(pp);
}

void
sgw_pump_free(struct sgw_pump *pp)
{
	if (pp == NULL)
		return;
	if (pp->p.mode == SGW_PUMP_PTY)
		stop_console(pp);
	unregister(pp);
	if (pp->fd >= 0)
		close(pp->fd);
	pbuf_free(&pp->to_fd);
	pbuf_free(&pp->to_ch);
	free(pp);
}
