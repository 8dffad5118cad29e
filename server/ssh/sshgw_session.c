/*
 * sshgw_session.c - one SSH connection, in its own process.
 *
 * The listener forks us with the accepted socket. We do the SSH handshake
 * with libssh's callback server API, check each authentication attempt
 * with kefud (sshgw_kefud.c), and accept exactly one session channel. Its
 * requests decide the mode: a pty request plus a shell runs the kefu
 * console; a shell without a pty speaks the raw line protocol; exec and
 * subsystem requests are refused with a message on the channel's stderr.
 * Everything after the shell request is the pump's job (sshgw_pump.c).
 *
 * Hostile input is expected here: user names that are no account names
 * (refused here, never sent to kefud), wrong passwords and unknown users (a
 * delay after each failure, at most --max-auth-tries attempts), extra
 * channels (refused), absurd window sizes (refused), a client that never
 * finishes logging in (killed by an alarm after --login-grace seconds).
 * A successful login is reported to the listener (struct sgw_status), which
 * counts the processes that have not logged in yet.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <libssh/callbacks.h>
#include <libssh/server.h>

#include "sshgw.h"

#define NAME_MAX_BYTES 64
#define TERM_MAX 64

struct sgw_sess;
static void say_goodbye(struct sgw_sess *s, const char *msg);
static void end_now(struct sgw_sess *s, const char *msg);

struct sgw_sess {
	const struct sgw_opts *o;
	const struct sgw_listener_ctx *lc;
	const char *addr;
	ssh_session session;
	ssh_event event;
	struct sgw_kefud gw;

	int tries;		/* failed authentication attempts */
	int authed;
	char user[NAME_MAX_BYTES + 1];
	char role[32];
	const char *end_msg;	/* set: disconnect with this message */

	ssh_channel channel;
	int pty;
	char term[TERM_MAX + 1];
	int cols, rows;
	int refused;		/* exec/subsystem refused: close after */
	int chan_closed;
	char *token;
	struct sgw_pump *pump;

	struct ssh_server_callbacks_struct scb;
	struct ssh_channel_callbacks_struct ccb;
};

static int sig_pipe[2] = { -1, -1 };
static volatile int sess_stop;

static void
on_signal(int sig)
{
	int e = errno;

	if (sig != SIGCHLD)
		sess_stop = 1;
	if (sig_pipe[1] >= 0 && write(sig_pipe[1], "s", 1) < 0) {
		/* the pipe is full: a wakeup is already pending */
	}
	errno = e;
}

static int
setup_signals(void)
{
	struct sigaction sa;
	int i;
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGCHLD };

	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < 4; i++)
		if (sigaction(sigs[i], &sa, NULL) < 0)
			return -1;
	sa.sa_handler = SIG_DFL;	/* the login grace alarm kills us */
	if (sigaction(SIGALRM, &sa, NULL) < 0)
		return -1;
	return 0;
}

static int
drain_sig_pipe(socket_t fd, int revents, void *userdata)
{
	char buf[64];

	(void)revents;
	(void)userdata;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	return 0;
}

/* ---- authentication -------------------------------------------------- */

static void
fail_delay(void)
{
	struct timespec ts = { 1, 0 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !sess_stop)
		;
}

/* Tell the listener we are no longer a pending login. */
static void
report_login(const struct sgw_sess *s)
{
	struct sgw_status st;

	memset(&st, 0, sizeof(st));
	st.pid = (int32_t)getpid();
	st.serial = s->lc->serial;
	if (write(s->lc->status_fd, &st, sizeof(st)) != (ssize_t)sizeof(st))
		sgw_log(SGW_DEBUG, "cannot report the login to the listener: %s",
		    strerror(errno));
}

/* Make sure we hold a gateway connection to kefud. */
static int
gateway_ready(struct sgw_sess *s)
{
	char *secret;
	enum sgw_kres r;

	if (s->gw.fd >= 0)
		return 0;
	secret = sgw_kefud_read_secret(s->o->secret_file);
	if (secret == NULL) {
		sgw_log(SGW_ERROR, "cannot read the gateway secret from %s: %s",
		    s->o->secret_file, strerror(errno));
		return -1;
	}
	r = sgw_kefud_gateway(&s->gw, s->o->socket, secret);
	explicit_bzero(secret, strlen(secret));
	free(secret);
	return r == SGW_K_OK ? 0 : -1;
}

/*
 * Book-keeping common to every attempt's outcome. Returns the libssh
 * answer. probe: a public key offer without signature (no delay, since
 * clients offer every key they have).
 */
static int
auth_outcome(struct sgw_sess *s, const char *user, const char *method,
    enum sgw_kres r, int probe)
{
	char cu[NAME_MAX_BYTES + 1];

	/* an invalid name was logged by precheck(); keep this line parseable */
	sgw_log_clean(proto_name_ok(user) ? user : "(invalid)", cu, sizeof(cu));
	if (r == SGW_K_OK) {
		if (probe)
			return SSH_AUTH_SUCCESS;	/* "this key would do" */
		snprintf(s->user, sizeof(s->user), "%s", user);
		s->authed = 1;
		report_login(s);
		sgw_log(SGW_INFO, "login user=%s role=%s addr=%s method=%s",
		    cu, s->role, s->addr, method);
		return SSH_AUTH_SUCCESS;
	}
	s->tries++;
	if (r == SGW_K_IO) {
		end_now(s, "the chat server is not reachable; try again later");
		return SSH_AUTH_DENIED;
	}
	if (!probe || r == SGW_K_THROTTLE)
		sgw_log(SGW_WARN, "failed login user=%s addr=%s method=%s%s",
		    cu, s->addr, method,
		    r == SGW_K_THROTTLE ? " (throttled by kefud)" : "");
	if (r == SGW_K_THROTTLE) {
		end_now(s, "too many failed logins from your address; "
		    "wait a while and retry");
		return SSH_AUTH_DENIED;
	}
	if (s->tries >= s->o->max_auth_tries) {
		sgw_log(SGW_WARN, "too many authentication attempts addr=%s",
		    s->addr);
		end_now(s, "too many authentication failures");
	} else if (!probe) {
		fail_delay();
	}
	return SSH_AUTH_DENIED;
}

static int
precheck(struct sgw_sess *s, const char *user)
{
	if (s->authed || s->end_msg != NULL)
		return -1;
	if (s->tries >= s->o->max_auth_tries) {
		end_now(s, "too many authentication failures");
		return -1;
	}
	if (!proto_name_ok(user)) {
		/* never sent to kefud: it would read '=' or spaces as more
		 * arguments (addr=...), and no account has such a name */
		char cu[NAME_MAX_BYTES + 1];

		sgw_log(SGW_INFO, "refused an invalid user name \"%s\" addr=%s",
		    sgw_log_clean(user, cu, sizeof(cu)), s->addr);
		return -2;
	}
	if (gateway_ready(s) < 0) {
		end_now(s, "the chat server is not reachable; try again later");
		return -1;
	}
	return 0;
}

static int
on_auth_password(ssh_session session, const char *user, const char *password,
    void *userdata)
{
	struct sgw_sess *s = userdata;
	enum sgw_kres r;
	int pc = precheck(s, user);

	(void)session;
	if (pc == -1)
		return SSH_AUTH_DENIED;
	if (pc == -2)
		r = SGW_K_DENIED;
	else
		r = sgw_kefud_authpass(&s->gw, user, s->addr, password,
		    s->role, sizeof(s->role));
	return auth_outcome(s, user, "password", r, 0);
}

static int
on_auth_pubkey(ssh_session session, const char *user,
    struct ssh_key_struct *pubkey, char state, void *userdata)
{
	struct sgw_sess *s = userdata;
	char *b64 = NULL;
	const char *type;
	enum sgw_kres r = SGW_K_DENIED;
	int probe = state == SSH_PUBLICKEY_STATE_NONE;
	int pc = precheck(s, user);

	(void)session;
	if (pc == -1)
		return SSH_AUTH_DENIED;
	if (state != SSH_PUBLICKEY_STATE_NONE &&
	    state != SSH_PUBLICKEY_STATE_VALID)
		return auth_outcome(s, user, "publickey (bad signature)",
		    SGW_K_DENIED, 0);
	type = ssh_key_type_to_char(ssh_key_type(pubkey));
	if (pc == 0 && type != NULL &&
	    ssh_pki_export_pubkey_base64(pubkey, &b64) == SSH_OK)
		r = sgw_kefud_authkey(&s->gw, user, s->addr, type, b64,
		    s->role, sizeof(s->role));
	ssh_string_free_char(b64);
	return auth_outcome(s, user, "publickey", r, probe);
}

/* ---- channel requests ------------------------------------------------- */

static void
tell(struct sgw_sess *s, const char *msg)
{
	if (s->channel != NULL &&
	    ssh_channel_write_stderr(s->channel, msg, (uint32_t)strlen(msg)) < 0)
		sgw_log(SGW_DEBUG, "cannot write to the channel's stderr");
}

static int
on_pty_request(ssh_session session, ssh_channel channel, const char *term,
    int width, int height, int pxwidth, int pwheight, void *userdata)
{
	struct sgw_sess *s = userdata;
	size_t n = term ? strlen(term) : 0;

	(void)session;
	(void)channel;
	(void)pxwidth;
	(void)pwheight;
	if (s->pty || s->pump != NULL)
		return -1;
	if (width == 0 && height == 0) {	/* client could not tell */
		width = 80;
		height = 24;
	}
	if (!sgw_winsize_ok(width, height)) {
		sgw_log(SGW_WARN, "refused a pty of %dx%d addr=%s", width,
		    height, s->addr);
		return -1;
	}
	if (n == 0 || n > TERM_MAX || strspn(term, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_+") != n)
		term = "xterm";
	snprintf(s->term, sizeof(s->term), "%s", term);
	s->cols = width;
	s->rows = height;
	s->pty = 1;
	return 0;
}

static int
on_window_change(ssh_session session, ssh_channel channel, int width,
    int height, int pxwidth, int pwheight, void *userdata)
{
	struct sgw_sess *s = userdata;

	(void)session;
	(void)channel;
	(void)pxwidth;
	(void)pwheight;
	if (!s->pty)
		return -1;
	if (!sgw_winsize_ok(width, height)) {
		sgw_log(SGW_DEBUG, "ignored a window change to %dx%d", width,
		    height);
		return -1;
	}
	s->cols = width;
	s->rows = height;
	if (s->pump != NULL)
		sgw_pump_resize(s->pump, width, height);
	return 0;
}

static int
on_shell_request(ssh_session session, ssh_channel channel, void *userdata)
{
	struct sgw_sess *s = userdata;
	struct sgw_pump_params p;

	(void)session;
	if (s->pump != NULL || s->refused || !s->authed)
		return 1;
	if (sgw_kefud_mkticket(&s->gw, s->user, &s->token) != SGW_K_OK) {
		tell(s, "kefud-ssh: the chat server gave no ticket; try "
		    "again later\r\n");
		s->refused = 1;
		return 0;	/* so the client shows the message (see below) */
	}
	memset(&p, 0, sizeof(p));
	p.mode = s->pty ? SGW_PUMP_PTY : SGW_PUMP_RAW;
	p.opts = s->o;
	p.session = s->session;
	p.channel = channel;
	p.event = s->event;
	p.gateway = &s->gw;
	p.user = s->user;
	p.token = s->token;
	p.term = s->term;
	p.cols = s->cols;
	p.rows = s->rows;
	p.sigfd = sig_pipe[0];
	s->pump = sgw_pump_start(&p);
	if (s->pump == NULL) {
		s->refused = 1;
		return 0;	/* the pump told why; we close with status 1 */
	}
	alarm(0);	/* logged in and running: no more login grace */
	return 0;
}

static int
refuse_request(struct sgw_sess *s, const char *what, const char *arg)
{
	char msg[256], ca[64];

	sgw_log(SGW_INFO, "refused %s request (%s) user=%s addr=%s", what,
	    sgw_log_clean(arg, ca, sizeof(ca)), s->user, s->addr);
	snprintf(msg, sizeof(msg), "kefud-ssh: %s requests are not offered "
	    "here.\r\nRun ssh without a command for the kefu console, or "
	    "`ssh -T` for the line protocol.\r\n", what);
	if (s->pump != NULL)
		return 1;	/* a second request on a running session */
	/*
	 * OpenSSH drops stderr that arrives before a failure reply, so the
	 * request is "accepted", explained on stderr, and ended with exit
	 * status 1: the user reads why, a script sees the failure.
	 */
	tell(s, msg);
	s->refused = 1;
	return 0;
}

static int
on_exec_request(ssh_session session, ssh_channel channel, const char *command,
    void *userdata)
{
	(void)session;
	(void)channel;
	return refuse_request(userdata, "exec", command);
}

static int
on_subsystem_request(ssh_session session, ssh_channel channel,
    const char *subsystem, void *userdata)
{
	(void)session;
	(void)channel;
	return refuse_request(userdata, "subsystem", subsystem);
}

static int
on_env_request(ssh_session session, ssh_channel channel, const char *name,
    const char *value, void *userdata)
{
	(void)session;
	(void)channel;
	(void)name;
	(void)value;
	(void)userdata;
	return 1;	/* the console's environment is ours to choose */
}

static int
on_data(ssh_session session, ssh_channel channel, void *data, uint32_t len,
    int is_stderr, void *userdata)
{
	struct sgw_sess *s = userdata;

	(void)session;
	(void)channel;
	if (is_stderr)
		return (int)len;	/* clients have no stderr to send */
	if (s->pump == NULL)
		return 0;		/* keep it until the pump runs */
	return (int)sgw_pump_from_client(s->pump, data, len);
}

static void
on_eof(ssh_session session, ssh_channel channel, void *userdata)
{
	struct sgw_sess *s = userdata;

	(void)session;
	(void)channel;
	if (s->pump != NULL)
		sgw_pump_client_eof(s->pump);
}

static void
on_close(ssh_session session, ssh_channel channel, void *userdata)
{
	struct sgw_sess *s = userdata;

	(void)session;
	(void)channel;
	s->chan_closed = 1;
}

static ssh_channel
on_channel_open(ssh_session session, void *userdata)
{
	struct sgw_sess *s = userdata;

	if (!s->authed || s->channel != NULL) {
		sgw_log(SGW_INFO, "refused an extra channel user=%s addr=%s",
		    s->user, s->addr);
		return NULL;
	}
	s->channel = ssh_channel_new(session);
	if (s->channel == NULL)
		return NULL;
	memset(&s->ccb, 0, sizeof(s->ccb));
	s->ccb.userdata = s;
	s->ccb.channel_data_function = on_data;
	s->ccb.channel_eof_function = on_eof;
	s->ccb.channel_close_function = on_close;
	s->ccb.channel_pty_request_function = on_pty_request;
	s->ccb.channel_shell_request_function = on_shell_request;
	s->ccb.channel_pty_window_change_function = on_window_change;
	s->ccb.channel_exec_request_function = on_exec_request;
	s->ccb.channel_subsystem_request_function = on_subsystem_request;
	s->ccb.channel_env_request_function = on_env_request;
	ssh_callbacks_init(&s->ccb);
	if (ssh_set_channel_callbacks(s->channel, &s->ccb) != SSH_OK) {
		ssh_channel_free(s->channel);
		s->channel = NULL;
	}
	return s->channel;
}

/* ---- the connection's life -------------------------------------------- */

static int
accept_session(struct sgw_sess *s, const struct sgw_listener_ctx *lc, int fd)
{
	long timeout = 30;

	s->session = ssh_new();
	if (s->session == NULL)
		return -1;
	if (ssh_bind_accept_fd(lc->bind, s->session, fd) != SSH_OK) {
		sgw_log(SGW_WARN, "cannot take the connection from %s: %s",
		    s->addr, ssh_get_error(lc->bind));
		return -1;
	}
	if (ssh_options_set(s->session, SSH_OPTIONS_TIMEOUT, &timeout) < 0)
		sgw_log(SGW_DEBUG, "cannot set the session timeout");
	return 0;
}

static int
handshake(struct sgw_sess *s)
{
	if (ssh_handle_key_exchange(s->session) != SSH_OK) {
		sgw_log(SGW_INFO, "key exchange with %s failed: %s", s->addr,
		    ssh_get_error(s->session));
		return -1;
	}
	return 0;
}

/*
 * Disconnect with a message the client will actually print. libssh closes
 * the socket right after writing SSH_MSG_DISCONNECT; if the client has
 * sent more (its next login attempt, say) that we never read, the kernel
 * answers with a reset and the client loses our message. So we keep our
 * own copy of the socket, send FIN after libssh is done, and read until
 * the client closes (briefly).
 */
static void
say_goodbye(struct sgw_sess *s, const char *msg)
{
	int fd = ssh_get_fd(s->session);
	int keep = fd >= 0 ? dup(fd) : -1;
	ssh_event ev = s->event;
	int i;

	/*
	 * libssh writes a packet at once only if the socket was seen
	 * writable since its last write; one round of polling makes sure,
	 * else the DISCONNECT would die in its buffer when it closes.
	 */
	if (ev == NULL && (ev = ssh_event_new()) != NULL &&
	    ssh_event_add_session(ev, s->session) != SSH_OK) {
		ssh_event_free(ev);
		ev = NULL;
	}
	for (i = 0; ev != NULL && i < 2; i++)
		(void)ssh_event_dopoll(ev, 20);
	if (ev != NULL && ev != s->event) {
		(void)ssh_event_remove_session(ev, s->session);
		ssh_event_free(ev);
	}
	if (msg != NULL &&
	    ssh_session_set_disconnect_message(s->session, msg) != SSH_OK)
		sgw_log(SGW_DEBUG, "cannot set the disconnect message");
	ssh_disconnect(s->session);
	if (keep < 0)
		return;
	(void)shutdown(keep, SHUT_WR);
	for (i = 0; i < 20; i++) {
		struct pollfd p = { .fd = keep, .events = POLLIN };
		char buf[4096];

		if (poll(&p, 1, 100) < 0 && errno != EINTR)
			break;
		if ((p.revents & (POLLIN | POLLHUP | POLLERR)) &&
		    read(keep, buf, sizeof(buf)) <= 0)
			break;
	}
	close(keep);
}

/*
 * End the connection from inside an authentication callback. The reason
 * goes out at once as an authentication banner (OpenSSH prints it), since
 * the DISCONNECT sent later may lose the race with the client's next
 * attempt; the login loop then hangs up.
 */
static void
end_now(struct sgw_sess *s, const char *msg)
{
	char text[256];
	ssh_string banner;

	if (s->end_msg != NULL)
		return;
	s->end_msg = msg;
	snprintf(text, sizeof(text), "kefud-ssh: %s\r\n", msg);
	banner = ssh_string_from_char(text);
	if (banner == NULL || ssh_send_issue_banner(s->session, banner) != SSH_OK)
		sgw_log(SGW_DEBUG, "cannot send the banner");
	ssh_string_free(banner);
}

/* The channel was refused its purpose: exit status 1 and close it. */
static void
close_refused(struct sgw_sess *s)
{
	time_t deadline;

	if (s->channel == NULL || ssh_channel_is_closed(s->channel))
		return;
	if (ssh_channel_request_send_exit_status(s->channel, 1) == SSH_ERROR ||
	    ssh_channel_send_eof(s->channel) == SSH_ERROR ||
	    ssh_channel_close(s->channel) == SSH_ERROR) {
		sgw_log(SGW_DEBUG, "cannot close the refused channel");
		return;
	}
	/* give the client time to read it all and hang up by itself */
	deadline = time(NULL) + 3;
	while (ssh_is_connected(s->session) && time(NULL) < deadline)
		if (ssh_event_dopoll(s->event, 100) == SSH_ERROR)
			break;
}

/* Wait for the login and the shell request; 0 when the pump may run. */
static int
login_loop(struct sgw_sess *s)
{
	while (!sess_stop) {
		int rc = ssh_event_dopoll(s->event, 1000);

		if (rc == SSH_ERROR && !ssh_is_connected(s->session))
			return -1;
		if (s->end_msg != NULL) {
			if (ssh_is_connected(s->session))
				say_goodbye(s, s->end_msg);
			return -1;
		}
		if (s->pump != NULL)
			return 0;
		if (s->refused) {
			close_refused(s);
			s->refused = 0;
			s->chan_closed = 1;
		}
		if (s->chan_closed || !ssh_is_connected(s->session))
			return -1;
	}
	say_goodbye(s, "the server is shutting down");
	return -1;
}

static void
init_callbacks(struct sgw_sess *s)
{
	memset(&s->scb, 0, sizeof(s->scb));
	s->scb.userdata = s;
	s->scb.auth_password_function = on_auth_password;
	s->scb.auth_pubkey_function = on_auth_pubkey;
	s->scb.channel_open_request_session_function = on_channel_open;
	ssh_callbacks_init(&s->scb);
}

static void
sess_free(struct sgw_sess *s)
{
	if (s->pump != NULL)
		sgw_pump_free(s->pump);
	s->pump = NULL;
	if (s->channel != NULL)
		ssh_channel_free(s->channel);
	s->channel = NULL;
	if (s->session != NULL && ssh_is_connected(s->session))
		say_goodbye(s, NULL);
	if (s->event != NULL) {
		/* ssh_event_free does not free what ssh_event_add_fd made */
		(void)ssh_event_remove_fd(s->event, sig_pipe[0]);
		if (s->session != NULL)
			(void)ssh_event_remove_session(s->event, s->session);
		ssh_event_free(s->event);
	}
	if (s->session != NULL)
		ssh_free(s->session);
	sgw_kefud_close(&s->gw);
	free(s->token);
}

static void
session_prepare(const struct sgw_listener_ctx *lc)
{
	/* the listener's pid from before the fork: had it died before the
	 * prctl, getppid() would already name our new parent */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != lc->listener)
		_exit(1);
	if (setup_signals() < 0)
		_exit(1);
}

int
sgw_session_run(const struct sgw_listener_ctx *lc, int fd, const char *addr)
{
	struct sgw_sess s;
	int code = 1;

	session_prepare(lc);
	alarm((unsigned int)lc->opts->login_grace);
	memset(&s, 0, sizeof(s));
	s.o = lc->opts;
	s.lc = lc;
	s.addr = addr;
	snprintf(s.user, sizeof(s.user), "-");
	sgw_kefud_init(&s.gw);
	init_callbacks(&s);
	if (accept_session(&s, lc, fd) < 0)
		goto out;
	if (ssh_set_server_callbacks(s.session, &s.scb) != SSH_OK)
		goto out;
	ssh_set_auth_methods(s.session,
	    SSH_AUTH_METHOD_PASSWORD | SSH_AUTH_METHOD_PUBLICKEY);
	if (handshake(&s) < 0)
		goto out;
	s.event = ssh_event_new();
	if (s.event == NULL ||
	    ssh_event_add_session(s.event, s.session) != SSH_OK ||
	    ssh_event_add_fd(s.event, sig_pipe[0], POLLIN, drain_sig_pipe,
	    NULL) != SSH_OK)
		goto out;
	if (login_loop(&s) < 0) {
		code = 0;
		goto out;
	}
	code = sgw_pump_run(s.pump, &sess_stop);
	sgw_log(SGW_INFO, "session ended user=%s addr=%s", s.user, addr);
out:
	sess_free(&s);
	return code;
}

int
sgw_session_refuse(const struct sgw_listener_ctx *lc, int fd,
    const char *addr, const char *why)
{
	struct sgw_sess s;

	session_prepare(lc);
	alarm(lc->opts->login_grace < 15 ? (unsigned int)lc->opts->login_grace :
	    15);
	memset(&s, 0, sizeof(s));
	s.lc = lc;
	s.addr = addr;
	sgw_kefud_init(&s.gw);
	if (accept_session(&s, lc, fd) == 0 && handshake(&s) == 0)
		say_goodbye(&s, why);
	sess_free(&s);
	return 0;
}
