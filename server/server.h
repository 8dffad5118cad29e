/*
 * server.h - the process-wide state of kefud and the connection type.
 *
 * One event-loop thread owns everything declared here.
 */
#ifndef KEFU_SERVER_H
#define KEFU_SERVER_H

#include <stdint.h>

#include "ae.h"
#include "config.h"
#include "desk.h"
#include "proto.h"

struct conn {
	int fd;
	int is_unix;
	char addr[64];			/* remote address, for logs/throttle */
	struct proto_framer fr;
	char *in;			/* partial input (see conn.c) */
	size_t inlen, incap;
	uint64_t serial;		/* unique per connection */
	int paused;			/* input held while a check runs */
	int backlogged;			/* input held until output drains */
	int replying;			/* its own request is being answered */
	int yielded;			/* input held until the others had a turn */
	int ylisted;			/* on the yield list */
	struct conn *ynext;		/* yield list */
	struct pbuf out;		/* pending output */
	size_t outoff;			/* bytes of out already written */
	size_t outsafe;			/* bytes of out that are committed */
	unsigned role;			/* one ROLE_ bit, ROLE_ANON at first */
	struct agent *agent;
	struct conn *anext;		/* the agent's next connection */
	struct visitor *visitor;
	struct browser *browser;	/* BROWSE: a page open, no chat */
	int browse_watch;		/* VISITORS watch=1: live events */
	struct web *web;		/* HTTP listener's connections (http.h) */
	const char *tag;		/* tag of the request being handled */
	int closing;			/* close once out is flushed */
	int dead;			/* closed; free after the iteration */
	int pending;			/* on the flush list */
	struct conn *pnext;		/* flush list */
	struct conn *dnext;		/* dead list */
	long long created_ms;
	struct conn *nprev, *nnext;	/* anonymous list (conn_limit.c) */
	int anon_listed;		/* on it */
	long long anon_since_ms;	/* accepted, or logged out */
	int addr_counted;		/* counted in its address's total */
	char *newpw;			/* PASSWD: the new password while
					 * the old one is being checked */
	uint64_t monitoring;		/* unused bit space for later */
	int board;			/* BOARD on: gets * BOARD (board.c) */
};

struct server {
	struct config cfg;
	struct ae_loop *loop;
	int tcp_fd, unix_fd, http_fd, sig_fd;
	struct conn **conns;		/* by fd */
	int maxfds;
	int nconns;
	struct conn *pending;		/* conns with output to flush */
	struct conn *dead;		/* closed conns to free */
	struct conn *yielded;		/* conns with input left for next turn */
	char gateway_secret[65];
	int ssh_pid;
	long long ssh_restart_ms;
	int shutting_down;
	long long drain_until_ms;	/* SIGTERM with shutdown.drain_timeout:
					 * stop when no chat is in progress or
					 * at this time (0: not draining) */
	long long now_ms;		/* monotonic, updated each iteration */
	long long last_commit_us;	/* when the last commit ended */
	uint64_t msgs_in, msgs_out;	/* counters for reports/bench */
};

extern struct server srv;

/*
 * The conn <-> cmd seam. conn.c owns sockets, framing and output buffers and
 * knows nothing about verbs; the cmd_*.c handlers know verbs and nothing
 * about sockets. They meet only through the functions declared in this
 * header, so neither conn.c nor cmd.h includes the other:
 *   conn.c -> cmd:  cmd_dispatch() for each complete input line, and
 *                   session_closed() (cmd_session.c) when a connection ends;
 *   cmd -> conn.c:  conn_begin/reply_ok/reply_err/row_begin/conn_end for
 *                   replies, ev_begin/ev_send for events, and
 *                   c->closing = 1 to hang up once the output is sent;
 *   authd.c:        pauses the connection (conn_pause) during a password
 *                   check and calls session_auth_done() (handed to it by
 *                   main.c) with the answer before conn_resume.
 */

/* listen.c */
int conn_listen_all(void);
/* conn.c */
struct conn *conn_new(int fd, int is_unix, const char *addr);
int conn_start(struct conn *c);
void conn_close(struct conn *c, const char *why);
void conn_flush_all(void);
int conn_flush_every(void);
void conn_reap(void);
void conn_pause(struct conn *c);
void conn_resume(struct conn *c);
/* A connection remembered across a wait (a password check, a try waiting
 * its turn): its fd and serial, since fds are reused, and the tag of the
 * request that waits. conn_ref_get: the connection if it is still the same
 * and open, with its tag set back (pointing into r: clear c->tag before r
 * goes), else NULL. */
struct conn_ref {
	uint64_t serial;
	int fd;
	int has_tag;
	char tag[PROTO_TAG_MAX + 1];
};
void conn_ref_set(struct conn_ref *r, const struct conn *c);
struct conn *conn_ref_get(struct conn_ref *r);
void conn_want_flush(struct conn *c);
void conn_feed(struct conn *c, char *data, size_t len);
/* Give the connections that used their turn another one; nonzero if some
 * still have input left (the loop must not sleep). */
int conn_run_yielded(void);
/* Output: everything written goes through these. */
struct pbuf *conn_begin(struct conn *c, const char *tag);  /* starts a line */
void conn_end(struct conn *c);                           /* ends it */
void conn_raw(struct conn *c, const char *data, size_t len);
void reply_ok(struct conn *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void reply_err(struct conn *c, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Rows of a list reply: row_begin() then put_* then conn_end(). */
struct pbuf *row_begin(struct conn *c);
/* Events: ev_begin() gives a scratch line "* "; ev_send() copies it. */
struct pbuf *ev_begin(void);
void ev_send(struct conn *c);
void ev_send_agent(struct agent *a);
/* While c's request is handled, its own events wait behind the reply. */
void conn_hold_events(struct conn *c);
void conn_release_events(void);

/* conn_limit.c: the unix reserve, per-address caps, the pre-login timeout */
const char *connlim_refuse(int is_unix);	/* NULL: admit */
/* A new connection; with counted (the TCP listener's), -1 if its address
 * is over limits.per_addr_max. */
int connlim_opened(struct conn *c, int counted);
void connlim_closed(struct conn *c);
void connlim_anonymous(struct conn *c);	/* anonymous again (LOGOUT) */
void connlim_tick(void);

/* cmd.c: parse one line, check it against proto/cmdtab.def, run it */
void cmd_dispatch(struct conn *c, char *line, size_t len);

/* cmd_session.c: hooks called by conn.c and authd.c */
void session_closed(struct conn *c);
void session_auth_done(struct conn *c, int result, int kind,
    const char *name, const char *addr);
/* 1 if pw is short enough for the hasher; else ERR ARGS sent, 0. */
int session_password_length_ok(struct conn *c, const char *pw);
/* Forget the SSH tickets of name (of everyone: NULL). */
void session_tickets_revoke(const char *name);
/* After a password change or deletion: revoke a's tickets and log out its
 * connections except keep, telling them why (* KICKED). */
void session_end_others(struct agent *a, struct conn *keep, const char *why);
/* Check c's own old password in the worker; cmd_passwd_checked gets the
 * answer for account a (result as authd's: 1 right, 0 wrong, -1 not
 * checked) and sends the one reply. */
void session_check_old_password(struct conn *c, const char *old);
void cmd_passwd_checked(struct conn *c, struct agent *a, int result);

#endif
