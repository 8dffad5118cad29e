/*
 * cmd_session.c - who is on the other end: HELP/PING/QUIT, staff LOGIN
 * and the password worker's answers, an agent's several connections
 * (WHOAMI, LOGOUT), and what happens when a connection goes away.
 * Visitors arrive in cmd_hello.c; the SSH gateway's verbs and tickets are
 * in cmd_gateway.c; what the three share is in session.h.
 *
 * Verbs (rows of proto/cmdtab.def): HELP PING QUIT LOGIN WHOAMI LOGOUT.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "account.h"
#include "auth.h"
#include "authd.h"
#include "authq.h"
#include "boot.h"
#include "browse.h"
#include "chat.h"
#include "cmd.h"
#include "http.h"
#include "log.h"
#include "offhours.h"
#include "store.h"
#include "visitor_limit.h"
#include "session.h"

/* May c use the verb right now? Its role, the way it came in, and for a
 * visitor the state of their chat: HELLO and RATE after it ended,
 * SAY/TYPING/END while open, HUMAN while the bot has it. */
static int
usable_now(const struct conn *c, const struct proto_cmd *pc)
{
	const struct chat *ch = c->visitor ? c->visitor->chat : NULL;
	int open = ch != NULL && ch->state != CS_ENDED;

	if (!(pc->roles & c->role) || !cmd_door_allows(c, pc))
		return 0;
	if (c->role != ROLE_VISITOR)
		return 1;
	switch (pc->id) {
	case CMD_ID_HELLO:
		return !open;
	case CMD_ID_RATE:
		return ch != NULL && !open && !ch->rated;
	case CMD_ID_SAY:
	case CMD_ID_TYPING:
	case CMD_ID_END:
		return open;
	case CMD_ID_HUMAN:
		return ch != NULL && ch->state == CS_BOT;
	default:
		return 1;
	}
}

void
cmd_help(struct conn *c, struct proto_req *r)
{
	size_t n, rows = 0;
	const struct proto_cmd *t = proto_cmd_table(&n);

	for (size_t i = 0; i < n; i++) {
		struct pbuf *b;
		char roles[80] = "";
		static const unsigned bits[] = { ROLE_ANON, ROLE_BROWSER,
		    ROLE_VISITOR, ROLE_AGENT, ROLE_SUPERVISOR, ROLE_ADMIN,
		    ROLE_GATEWAY };
		static const char *names[] = { "any", "browser", "visitor",
		    "agent", "supervisor", "admin", "gateway" };

		/* HELP VERB explains any verb; HELP lists what you may use */
		if (r->argc == 1 ? strcasecmp(r->argv[0], t[i].name) != 0 :
		    !usable_now(c, &t[i]))
			continue;
		for (size_t k = 0; k < sizeof(bits) / sizeof(bits[0]); k++)
			if (t[i].roles & bits[k]) {
				if (*roles)
					strcat(roles, ",");
				strcat(roles, names[k]);
			}
		b = row_begin(c);
		proto_put_word(b, t[i].name);
		proto_put_kv(b, "role", roles);
		proto_put_text(b, t[i].usage, strlen(t[i].usage));
		conn_end(c);
		rows++;
	}
	if (r->argc == 1 && rows == 0) {
		reply_err(c, "NOTFOUND", "no such command '%s'", r->argv[0]);
		return;
	}
	reply_ok(c, "%zu", rows);
}

void
cmd_ping(struct conn *c, struct proto_req *r)
{
	struct pbuf *b = conn_begin(c, c->tag);

	pbuf_adds(b, "OK PONG");
	if (r->argc == 1) {
		pbuf_add(b, " ", 1);
		proto_escape(b, r->argv[0], strlen(r->argv[0]), 1);
	}
	conn_end(c);
}

void
cmd_quit(struct conn *c, struct proto_req *r)
{
	reply_ok(c, "bye");
	c->closing = 1;
}

/* ---- staff ---- */

void
session_login_agent(struct conn *c, struct agent *a, const char *how,
    const char *ticket)
{
	struct pbuf *b;

	if (account_nconns(a) >= srv.cfg.agent_max_connections)
		account_kick(a->conn, "too many connections of this account; "
		    "this, the oldest, was closed");
	account_attach(a, c);
	a->gone_since = 0;
	if (a->status == AS_OFFLINE &&
	    agent_status_parse(srv.cfg.agent_default_status, &a->status) < 0)
		a->status = AS_ONLINE;
	cmd_audit_as(a->name, "login", how);
	log_info("%s %s logged in from %s (%s)", proto_role_name(a->role),
	    a->name, c->addr, how);

	b = conn_begin(c, c->tag);
	pbuf_adds(b, "OK");
	proto_put_kv(b, "name", a->name);
	proto_put_kv(b, "role", proto_role_name(a->role));
	proto_put_kv(b, "status", agent_status_name(a->status));
	proto_put_kvi(b, "max", a->max_chats);
	proto_put_kv(b, "display", a->display);
	if (ticket)
		proto_put_kv(b, "ticket", ticket);
	conn_end(c);

	/* chats kept through a reconnect */
	for (size_t i = 0; i < desk.chat_tab_size; i++)
		for (struct chat *ch = desk.chat_tab[i]; ch; ch = ch->hnext) {
			if (ch->state == CS_ENDED || !agent_in_chat(a, ch))
				continue;
			ev_assign(ch, "resume", NULL, NULL);
			ev_send(c);
		}
	if (offhours_maint_event())	/* the maintenance banner */
		ev_send(c);
	internal_login(c, a);	/* * IUNREAD: internal messages missed */
	agent_notify_status(a);
	route_agent_groups(a);
}


static void agent_gone(struct agent *a);

void
session_reply_throttle(struct conn *c, int wait_s)
{
	reply_err(c, "THROTTLE", "too many failed logins; retry in %d s", wait_s);
}

void
session_log_failed(const char *what, const char *name, const char *addr)
{
	char clean[LOG_FIELD_MAX];

	log_warn("failed %s for '%s' from %s", what,
	    log_clean(name, clean, sizeof(clean)), addr);
}

/* The answer of the password worker (authd.c) for LOGIN and AUTHPASS;
 * c is NULL if the client went away while its check ran. */
void
session_auth_done(struct conn *c, int result, int kind, const char *name,
    const char *addr)
{
	struct agent *a = agent_find(name);

	if (result > 0 && a == NULL)
		result = 0;	/* deleted while its password was checked */
	auth_end(addr, name, result, srv.now_ms);
	authq_kick();	/* a waiting try of addr may start now */
	if (c == NULL)
		return;
	if (result == 0)
		session_log_failed(kind == CHECK_PASSWD ? "password change" : "login", name,
		    addr);
	if (kind == CHECK_PASSWD) {
		cmd_passwd_checked(c, a, result);
		return;
	}
	if (result < 0) {
		reply_err(c, "INTERNAL", "the password check was interrupted; try again");
		return;
	}
	if (result == 0) {
		reply_err(c, "AUTH", "wrong user name or password");
		return;
	}
	if (session_refuse_disabled(c, a))
		return;
	if (kind == CHECK_GATEWAY) {
		reply_ok(c, "role=%s", proto_role_name(a->role));
		return;
	}
	if (c->role != ROLE_ANON) {
		reply_err(c, "STATE", "already logged in");
		return;
	}
	session_login_agent(c, a, "password", NULL);
}

/* A disabled account is told so only after its credentials were right:
 * 1 (and ERR DENIED sent) if a may not log in. */
int
session_refuse_disabled(struct conn *c, const struct agent *a)
{
	if (!a->disabled)
		return 0;
	log_info("refused login of disabled account %s from %s", a->name,
	    c->addr);
	reply_err(c, "DENIED", "account %s is disabled", a->name);
	return 1;
}

/* 1 if pw may go to the hasher; else the client has its ERR ARGS. */
int
session_password_length_ok(struct conn *c, const char *pw)
{
	if (strlen(pw) <= AUTH_PASSWORD_MAX)
		return 1;
	reply_err(c, "ARGS", "password too long (at most %d bytes)",
	    AUTH_PASSWORD_MAX);
	return 0;
}

void
session_check_password(struct conn *c, int kind, const char *addr, const char *name,
    const char *pw)
{
	int wait_s, rc;

	if (!session_password_length_ok(c, pw))
		return;
	rc = auth_begin(addr, srv.now_ms, &wait_s);
	if (rc < 0 && authq_add(c, kind, addr, name, pw) == 0)
		return;		/* it starts when one of addr's checks settles */
	if (rc <= 0) {
		session_reply_throttle(c, wait_s);
		return;
	}
	session_start_check(c, kind, addr, name, pw);
}

void
session_start_check(struct conn *c, int kind, const char *addr,
    const char *name, const char *pw)
{
	struct agent *a;

	if (boot_accounts_refresh() < 0)
		log_error("accounts: %s", store_errmsg());
	a = agent_find(name);
	authd_check(c, kind, name, addr, pw, a ? a->pwhash : NULL);
}

/* PASSWD on one's own account: check old (see cmd_passwd). */
void
session_check_old_password(struct conn *c, const char *old)
{
	session_check_password(c, CHECK_PASSWD, c->addr, c->agent->name, old);
}

void
session_end_others(struct agent *a, struct conn *keep, const char *why)
{
	struct conn *k, *next;
	int had = a->conn != NULL;

	session_tickets_revoke(a->name);
	for (k = a->conn; k; k = next) {
		next = k->anext;
		if (k != keep)
			account_kick(k, why);
	}
	if (had && a->conn == NULL && !a->deleted)
		agent_gone(a);	/* its chats get the usual grace */
}

void
cmd_login(struct conn *c, struct proto_req *r)
{
	session_check_password(c, CHECK_LOGIN, c->addr, r->argv[0], r->text);
}
/* The agent's last connection went away: the grace period starts. */
static void
agent_gone(struct agent *a)
{
	a->gone_since = srv.now_ms ? srv.now_ms : 1;
	log_info("%s %s disconnected", proto_role_name(a->role), a->name);
	agent_notify_status(a);
}

void
cmd_whoami(struct conn *c, struct proto_req *r)
{
	struct agent *a = c->agent;
	struct pbuf *b = conn_begin(c, c->tag);

	pbuf_adds(b, "OK");
	if (a != NULL) {
		proto_put_kv(b, "name", a->name);
		proto_put_kv(b, "role", proto_role_name(a->role));
		proto_put_kv(b, "status", agent_status_name(a->status));
		proto_put_kvi(b, "chats", a->nchats);
		proto_put_kvi(b, "max", a->max_chats);
		proto_put_kvi(b, "connections", account_nconns(a));
		proto_put_kv(b, "display", a->display);
	} else {
		proto_put_kv(b, "role", proto_role_name(c->role));
		if (c->visitor) {
			proto_put_kvi(b, "visitor", c->visitor->id);
			proto_put_kv(b, "name", c->visitor->name ?
			    c->visitor->name : "");
		}
		if (c->browser)
			proto_put_kvi(b, "browse", c->browser->id);
	}
	conn_end(c);
}

/* LOGOUT <name> by an admin: every connection of name is closed. */
static void
logout_other(struct conn *c, const char *name)
{
	struct agent *a;
	int n;

	if (!(c->role & ROLE_ADMIN)) {
		reply_err(c, "DENIED", "only admins may log others out");
		return;
	}
	if ((a = agent_find(name)) == NULL) {
		reply_err(c, "NOTFOUND", "no such user '%s'", name);
		return;
	}
	n = account_nconns(a);
	cmd_audit_log(c, "logout", name);
	reply_ok(c, "connections=%d", n);
	session_end_others(a, NULL, "logged out by an admin");
}

void
cmd_logout(struct conn *c, struct proto_req *r)
{
	struct agent *a = c->agent;
	int last;

	if (r->argc == 1 && strcmp(r->argv[0], a->name) != 0) {
		logout_other(c, r->argv[0]);
		return;
	}
	last = account_detach(a, c);

	cmd_audit_as(a->name, "logout", last ? "last connection" :
	    "other connections remain");
	reply_ok(c, "connections=%d", account_nconns(a));
	connlim_anonymous(c);	/* limits.anon_timeout starts again */
	if (last)
		agent_gone(a);
}

void
session_closed(struct conn *c)
{
	authq_drop(c);
	if (c->role == ROLE_GATEWAY)
		session_tickets_drop(c);
	if (c->agent) {
		struct agent *a = c->agent;

		if (account_detach(a, c))
			agent_gone(a);
	}
	if (c->visitor && c->visitor->conn == c) {
		struct visitor *v = c->visitor;
		struct chat *ch = v->chat;

		v->conn = NULL;
		if (ch && ch->state != CS_ENDED) {
			v->gone_since = srv.now_ms ? srv.now_ms : 1;
			chat_visitor_left(ch);
		} else {
			if (ch)
				ch->visitor = NULL;
			visitor_free(v);
		}
	}
	c->visitor = NULL;
	browse_closed(c);
}
