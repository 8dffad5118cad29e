/*
 * session.h - what the three files of the login/arrival commands share:
 * cmd_session.c (HELP, PING, QUIT, LOGIN, WHOAMI, LOGOUT, closing),
 * cmd_gateway.c (GATEWAY, AUTHPASS, AUTHKEY, MKTICKET, TICKET) and
 * cmd_hello.c (HELLO). Not for the rest of kefud: what it may call is in
 * server.h.
 */
#ifndef KEFU_SESSION_H
#define KEFU_SESSION_H

struct agent;
struct conn;

/* What a password check is for; the worker's answer goes by it. */
enum { CHECK_LOGIN, CHECK_GATEWAY, CHECK_PASSWD };

/* cmd_session.c */
void session_login_agent(struct conn *c, struct agent *a, const char *how,
    const char *ticket);
int session_refuse_disabled(struct conn *c, const struct agent *a);
void session_reply_throttle(struct conn *c, int wait_s);
void session_log_failed(const char *what, const char *name, const char *addr);
/* Check pw for name: at once, after addr's pending checks (authq.c), or
 * refused with THROTTLE. */
void session_check_password(struct conn *c, int kind, const char *addr,
    const char *name, const char *pw);
/* Send the check to the password worker; the throttle has let it start. */
void session_start_check(struct conn *c, int kind, const char *addr,
    const char *name, const char *pw);

/* cmd_gateway.c: a gateway connection closed takes its tickets along */
void session_tickets_drop(struct conn *c);

#endif
