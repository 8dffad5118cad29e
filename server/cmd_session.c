/*
 * cmd_session.c - who is on the other end: HELP/PING/QUIT, staff LOGIN,
 * visitor HELLO (and resume), the SSH gateway's commands and tickets, and
 * what happens when a connection goes away.
 *
 * Verbs (rows of proto/cmdtab.def): HELP PING QUIT LOGIN TICKET HELLO
 * GATEWAY WHOAMI LOGOUT AUTHPASS AUTHKEY MKTICKET.
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
#include "boot.h"
#include "chat.h"
#include "cmd.h"
#include "http.h"
#include "log.h"
#include "offhours.h"
#include "store.h"
#include "visitor_limit.h"

struct ticket {
	char token[65];
	char name[DESK_NAME_MAX];
	struct conn *owner;
	struct ticket *next;
};

static struct ticket *tickets;

/* May c use the verb right now? Its role, and for a visitor the state of
 * their chat: HELLO and RATE after it ended, SAY/TYPING/END while open. */
static int
usable_now(const struct conn *c, const struct proto_cmd *pc)
{
	const struct chat *ch = c->visitor ? c->visitor->chat : NULL;
	int open = ch != NULL && ch->state != CS_ENDED;

	if (!(pc->roles & c->role))
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
		static const unsigned bits[] = { ROLE_ANON, ROLE_VISITOR,
		    ROLE_AGENT, ROLE_SUPERVISOR, ROLE_ADMIN, ROLE_GATEWAY };
		static const char *names[] = { "any", "visitor", "agent",
		    "supervisor", "admin", "gateway" };

		/* HELP VERB explains any verb; HELP lists what you may use */
		if (r->argc == 1 ? strcasecmp(r->argv[0], t[i].name) != 0 :
		    !usable_now(c, &t[i]))
			continue;
		for (size_t k = 0; k < 6; k++)
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

static void
login_agent(struct conn *c, struct agent *a, const char *how,
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
	if (store_audit(a->name, "login", how) < 0)
		log_warn("audit: %s", store_errmsg());
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
	agent_notify_status(a);
	route_agent_groups(a);
}

enum { CHECK_LOGIN, CHECK_GATEWAY, CHECK_PASSWD };

static void agent_gone(struct agent *a);

static void
reply_throttle(struct conn *c, int wait_s)
{
	reply_err(c, "THROTTLE", "too many failed logins; retry in %d s", wait_s);
}

static void
log_failed(const char *what, const char *name, const char *addr)
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
	if (c == NULL)
		return;
	if (result == 0)
		log_failed(kind == CHECK_PASSWD ? "password change" : "login", name,
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
	if (kind == CHECK_GATEWAY) {
		reply_ok(c, "role=%s", proto_role_name(a->role));
		return;
	}
	if (c->role != ROLE_ANON) {
		reply_err(c, "STATE", "already logged in");
		return;
	}
	login_agent(c, a, "password", NULL);
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

static void
check_password(struct conn *c, int kind, const char *addr, const char *name,
    const char *pw)
{
	struct agent *a;
	int wait_s;

	if (!session_password_length_ok(c, pw))
		return;
	if (!auth_begin(addr, srv.now_ms, &wait_s)) {
		reply_throttle(c, wait_s);
		return;
	}
	if (boot_accounts_refresh() < 0)
		log_error("accounts: %s", store_errmsg());
	a = agent_find(name);
	authd_check(c, kind, name, addr, pw, a ? a->pwhash : NULL);
}

/* PASSWD on one's own account: check old (see cmd_passwd). */
void
session_check_old_password(struct conn *c, const char *old)
{
	check_password(c, CHECK_PASSWD, c->addr, c->agent->name, old);
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
	check_password(c, CHECK_LOGIN, c->addr, r->argv[0], r->text);
}

static void
ticket_free(struct ticket *t)
{
	explicit_bzero(t->token, sizeof(t->token));
	free(t);
}

/* A new ticket for name, valid while owner (a gateway connection) lives. */
static struct ticket *
ticket_new(struct conn *owner, const char *name)
{
	struct ticket *t = calloc(1, sizeof(*t));

	if (t == NULL || auth_random_hex(t->token, 24) < 0) {
		free(t);
		return NULL;
	}
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->owner = owner;
	t->next = tickets;
	tickets = t;
	return t;
}

/* Unlinks and returns the ticket of name matching token, compared in
 * constant time with every ticket of that name. */
static struct ticket *
ticket_take(const char *name, const char *token)
{
	struct ticket **pp, **hit = NULL;

	for (pp = &tickets; *pp; pp = &(*pp)->next)
		if (strcmp((*pp)->name, name) == 0 &&
		    auth_token_eq((*pp)->token, token) && hit == NULL)
			hit = pp;
	if (hit == NULL)
		return NULL;
	{
		struct ticket *t = *hit;

		*hit = t->next;
		return t;
	}
}

void
cmd_ticket(struct conn *c, struct proto_req *r)
{
	struct ticket *t, *next = NULL;
	struct agent *a;
	int wait_s;

	if (!c->is_unix && !srv.cfg.auth_ticket_tcp) {
		reply_err(c, "DENIED", "tickets are accepted on the unix socket only");
		return;
	}
	if (!auth_begin(c->addr, srv.now_ms, &wait_s)) {
		reply_throttle(c, wait_s);
		return;
	}
	t = ticket_take(r->argv[0], r->argv[1]);
	a = t ? agent_find(t->name) : NULL;
	if (a == NULL) {
		if (t)
			ticket_free(t);
		auth_end(c->addr, r->argv[0], 0, srv.now_ms);
		log_failed("ticket login", r->argv[0], c->addr);
		reply_err(c, "AUTH", "bad ticket");
		return;
	}
	/* single use: the next reconnect of this console needs the new one */
	next = ticket_new(t->owner, a->name);
	ticket_free(t);
	auth_end(c->addr, a->name, 1, srv.now_ms);
	login_agent(c, a, "ssh", next ? next->token : NULL);
}

void
session_tickets_revoke(const char *name)
{
	struct ticket **pp = &tickets, *t;

	while ((t = *pp) != NULL) {
		if (name == NULL || strcmp(t->name, name) == 0) {
			*pp = t->next;
			ticket_free(t);
		} else
			pp = &t->next;
	}
}

/* ---- gateway ---- */

void
cmd_gateway(struct conn *c, struct proto_req *r)
{
	size_t n = strlen(srv.gateway_secret);
	unsigned char d = 0;

	if (!c->is_unix || n == 0) {
		reply_err(c, "DENIED", "no gateway here");
		return;
	}
	if (strlen(r->text) != n)
		d = 1;
	for (size_t i = 0; i < n && r->text[i]; i++)
		d |= (unsigned char)(r->text[i] ^ srv.gateway_secret[i]);
	if (d) {
		log_warn("gateway: bad secret on fd %d", c->fd);
		reply_err(c, "AUTH", "bad gateway secret");
		c->closing = 1;
		return;
	}
	c->role = ROLE_GATEWAY;
	reply_ok(c, NULL);
}

/*
 * AUTHPASS/AUTHKEY: "<name> [addr=A]". The name must be an account name
 * and the SSH client's address comes only from the second word: an IP
 * address, or the gateway's "unknown". Without it, the gateway's own
 * connection address counts. NULL (and ERR ARGS sent) if malformed.
 */
static const char *
gw_args(struct conn *c, struct proto_req *r)
{
	unsigned char bin[sizeof(struct in6_addr)];
	const char *a;

	if (!account_name_ok(r->argv[0])) {
		reply_err(c, "ARGS", "bad user name: 1-31 of A-Z a-z 0-9 _ . -");
		return NULL;
	}
	if (r->argc < 2)
		return c->addr;
	if (strncmp(r->argv[1], "addr=", 5) != 0) {
		reply_err(c, "ARGS", "usage: %s <name> [addr=IP] :...", r->verb);
		return NULL;
	}
	a = r->argv[1] + 5;
	if (strcmp(a, "unknown") != 0 && inet_pton(AF_INET, a, bin) != 1 &&
	    inet_pton(AF_INET6, a, bin) != 1) {
		reply_err(c, "ARGS", "addr must be an IP address or 'unknown'");
		return NULL;
	}
	return a;
}

void
cmd_authpass(struct conn *c, struct proto_req *r)
{
	const char *addr = gw_args(c, r);

	if (addr)
		check_password(c, CHECK_GATEWAY, addr, r->argv[0], r->text);
}

struct keymatch {
	const char *type, *blob;
	int found;
};

static int
key_cmp(void *arg, const struct store_key *k)
{
	struct keymatch *m = arg;

	if (strcmp(k->type, m->type) == 0 && strcmp(k->blob, m->blob) == 0) {
		m->found = 1;
		return -1;
	}
	return 0;
}

void
cmd_authkey(struct conn *c, struct proto_req *r)
{
	const char *addr = gw_args(c, r), *type, *blob, *comment;
	struct keymatch m = { 0 };
	struct agent *a;
	char err[128];
	int wait_s;

	if (addr == NULL)
		return;
	if (!auth_allowed(addr, srv.now_ms, &wait_s)) {
		reply_throttle(c, wait_s);
		return;
	}
	if (boot_accounts_refresh() < 0)
		log_error("accounts: %s", store_errmsg());
	if (account_parse_pubkey(r->text, &type, &blob, &comment, err,
	    sizeof(err)) < 0) {
		reply_err(c, "ARGS", "%s", err);
		return;
	}
	a = agent_find(r->argv[0]);
	m.type = type;
	m.blob = blob;
	if (a && store_key_foreach(a->name, key_cmp, &m) < 0) {
		cmd_store_failed(c);
		return;
	}
	if (a == NULL || !m.found) {
		reply_err(c, "AUTH", "key not accepted");
		return;
	}
	auth_succeeded(addr, a->name, srv.now_ms);
	reply_ok(c, "role=%s", proto_role_name(a->role));
}

void
cmd_mkticket(struct conn *c, struct proto_req *r)
{
	struct agent *a = agent_find(r->argv[0]);
	struct ticket *t;

	if (a == NULL) {
		reply_err(c, "NOTFOUND", "no such user");
		return;
	}
	if ((t = ticket_new(c, a->name)) == NULL) {
		reply_err(c, "INTERNAL", "cannot make a ticket");
		return;
	}
	reply_ok(c, "token=%s", t->token);
}

static void
tickets_drop(struct conn *c)
{
	struct ticket **pp = &tickets, *t;

	while ((t = *pp) != NULL) {
		if (t->owner == c) {
			*pp = t->next;
			ticket_free(t);
		} else
			pp = &t->next;
	}
}

/* ---- visitors ---- */

static struct visitor *
visitor_by_token(const char *token)
{
	for (size_t i = 0; i < desk.chat_tab_size; i++)
		for (struct chat *ch = desk.chat_tab[i]; ch; ch = ch->hnext)
			if (ch->visitor && ch->visitor->chat == ch &&
			    strcmp(ch->visitor->token, token) == 0)
				return ch->visitor;
	return NULL;
}

/* The transcript replayed to a resuming visitor: "* MSG" lines written
 * straight after the OK, as part of the reply (not held as events of the
 * request, whose total is capped), so a long chat comes back whole. */
static int
replay_msg(void *arg, const struct store_msg *m)
{
	struct conn *c = arg;
	struct pbuf *b;

	if (!strcmp(m->kind, "note") || !strcmp(m->kind, "whisper"))
		return 0;
	b = conn_begin(c, NULL);
	pbuf_printf(b, "* MSG %lld %lld %s ", (long long)m->chat,
	    (long long)m->seq, m->kind);
	proto_escape(b, m->sender, strlen(m->sender), 1);
	proto_put_kvi(b, "ts", (long long)m->ts);
	proto_put_text(b, m->body, strlen(m->body));
	conn_end(c);
	return 0;
}

static void
visitor_resume(struct conn *c, struct visitor *v)
{
	struct chat *ch = v->chat;
	struct pbuf *b;

	if (v->conn && v->conn != c) {
		b = ev_begin();
		proto_put_word(b, "KICKED");
		proto_put_text(b, "resumed elsewhere", 17);
		ev_send(v->conn);
		v->conn->visitor = NULL;
		v->conn->role = ROLE_ANON;
		v->conn->closing = 1;
	}
	v->conn = c;
	v->gone_since = 0;
	c->visitor = v;
	c->role = ROLE_VISITOR;
	b = conn_begin(c, c->tag);
	pbuf_printf(b, "OK visitor=%lld chat=%lld token=%s resumed=1",
	    (long long)v->id, (long long)ch->id, v->token);
	conn_end(c);
	if (store_msg_foreach(ch->id, 0, replay_msg, c) < 0)
		log_warn("resume: transcript of chat %lld: %s", (long long)ch->id,
		    store_errmsg());
	if (ch->state == CS_QUEUED)
		queue_tell_position(ch, 1);
	else if (ch->state == CS_ASSIGNED && ch->agent) {
		b = ev_begin();
		pbuf_printf(b, " ASSIGNED %lld", (long long)ch->id);
		proto_put_kv(b, "agent", ch->agent->display);
		ev_send(c);
	} else if (ch->state == CS_ENDED) {
		b = ev_begin();
		pbuf_printf(b, " ENDED %lld", (long long)ch->id);
		proto_put_kv(b, "by", ch->ended_by ? ch->ended_by : "agent");
		ev_send(c);
	}
	chat_visitor_back(ch);
}

/* May c's address start one more chat? If not, says why. */
static int
hello_allowed(struct conn *c)
{
	int wait_s;

	switch (vlimit_new_chat(c->addr, &wait_s)) {
	case VLIMIT_OPEN:
		reply_err(c, "LIMIT", "too many open chats from your address "
		    "(at most %d); end one or try again later",
		    srv.cfg.visitor_per_addr_max);
		return 0;
	case VLIMIT_RATE:
		reply_err(c, "FLOOD", "too many new chats from your address; "
		    "try again in %d s", wait_s);
		return 0;
	}
	return 1;
}

static char *
dup_or_null(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

/*
 * "HELLO name=Robert Miller": a word without '=' can only be the rest of
 * the value before it (HELLO has no other bare words), so it is joined to
 * that value with one space. The joined values live in buf. 0 ok, -1 after
 * answering ERR ARGS.
 */
static int
hello_join_words(struct conn *c, struct proto_req *r, char *buf, size_t len)
{
	size_t used = 0;
	int last = -1, argc = 0;

	for (int i = 0; i < r->argc; i++) {
		const char *w = r->argv[i];
		size_t wl = strlen(w), ll;

		if (strchr(w, '=') != NULL) {
			last = argc;
			r->argv[argc++] = r->argv[i];
			continue;
		}
		if (last < 0) {
			reply_err(c, "ARGS", "HELLO fields are key=value, as in "
			    "HELLO name=%.40s group=sales :your question", w);
			return -1;
		}
		ll = strlen(r->argv[last]);
		if (used + ll + 1 + wl + 1 > len) {
			reply_err(c, "ARGS", "HELLO fields too long");
			return -1;
		}
		memmove(buf + used, r->argv[last], ll);	/* may be in buf */
		buf[used + ll] = ' ';
		memcpy(buf + used + ll + 1, w, wl + 1);
		r->argv[last] = buf + used;
		used += ll + 1 + wl + 1;
	}
	r->argc = argc;
	return 0;
}

static void
hello_started(struct conn *c, struct visitor *v, struct chat *ch,
    struct group *g)
{
	struct pbuf *b;

	b = conn_begin(c, c->tag);
	pbuf_printf(b, "OK visitor=%lld chat=%lld token=%s", (long long)v->id,
	    (long long)ch->id, v->token);
	conn_end(c);
	route_group(g);
	if (ch->state == CS_QUEUED) {
		queue_tell_position(ch, 1);
		if (group_online(g) == 0) {
			static const char msg[] =
			    "no agent is on duty right now; please wait here, or leave a message with LEAVEMSG and how to reach you";
			b = ev_begin();
			pbuf_printf(b, " CLOSED %lld", (long long)ch->id);
			proto_put_kv(b, "group", g->name);
			proto_put_kv(b, "reason", "nobody");
			proto_put_kv(b, "need", case_requirement(g));
			proto_put_text(b, msg, sizeof(msg) - 1);
			ev_send(c);
		}
	}
}

static int
replace_field(char **field, const char *value)
{
	char *n;

	if (value == NULL)
		return 0;
	if ((n = dup_or_null(value)) == NULL && *value)
		return -1;
	free(*field);
	*field = n;
	return 0;
}

/* The group= of a HELLO, or the default one; NULL after ERR NOTFOUND. */
static struct group *
hello_group(struct conn *c, const char *gname)
{
	const char *want = gname && *gname ? gname : srv.cfg.default_group;
	struct group *g = group_find(want);

	if (g == NULL)
		reply_err(c, "NOTFOUND", "no such group '%s'", want);
	return g;
}

/* HELLO on a visitor's connection after * ENDED: a new chat, same visitor. */
static void
hello_again(struct conn *c, struct proto_req *r, struct group *g)
{
	struct visitor *v = c->visitor;
	struct chat *old = v->chat, *ch;
	const char *page = proto_opt(r, "page");

	if (old && old->state != CS_ENDED) {
		reply_err(c, "STATE", "your chat %lld is still open; END it first",
		    (long long)old->id);
		return;
	}
	if (proto_opt(r, "token")) {
		reply_err(c, "ARGS", "token= resumes on a new connection; "
		    "this one is yours already");
		return;
	}
	if (!hello_allowed(c) || ban_refused(c, v->id))
		return;
	if (proto_opt(r, "name")) {
		free(v->name);
		v->name = vlimit_clean_name(proto_opt(r, "name"));
	}
	if (replace_field(&v->email, proto_opt(r, "email")) < 0 ||
	    replace_field(&v->lang, proto_opt(r, "lang")) < 0 ||
	    replace_field(&v->referrer, proto_opt(r, "referrer")) < 0) {
		reply_err(c, "INTERNAL", "out of memory");
		return;
	}
	if (page && *page && store_page_add(v->id, page, NULL) < 0) {
		cmd_store_failed(c);
		return;
	}
	if (old) {
		old->visitor = NULL;	/* the ended chat lets go of us */
		v->chat = NULL;
	}
	if (offhours_hello(c, v, g))
		return;		/* closed: no chat, LEAVEMSG is offered */
	ch = chat_open(v, g, r->text ? r->text : "");
	if (ch == NULL) {
		cmd_store_failed(c);
		return;
	}
	hello_started(c, v, ch, g);
}

/* A returning visitor keeps what they told us before unless they say anew. */
static int
known_fields(void *arg, const struct store_visitor *sv)
{
	struct visitor *v = arg;

	if (v->name == NULL)
		v->name = dup_or_null(sv->name);
	if (v->email == NULL)
		v->email = dup_or_null(sv->email);
	if (v->lang == NULL)
		v->lang = dup_or_null(sv->lang);
	return 0;
}

void
cmd_hello(struct conn *c, struct proto_req *r)
{
	static char joined[PROTO_LINE_MAX];
	const char *name, *gname, *token, *page;
	struct visitor *v;
	struct group *g;
	struct chat *ch;
	int64_t known = 0;
	char err[128];

	if (hello_join_words(c, r, joined, sizeof(joined)) < 0)
		return;
	for (int i = 0; i < r->argc; i++)
		if (vlimit_hello_field(r->argv[i], err, sizeof(err)) < 0) {
			reply_err(c, "ARGS", "%s", err);
			return;
		}
	if (r->text && r->textlen > VLIMIT_QUESTION_MAX) {
		reply_err(c, "ARGS", "question longer than %d bytes",
		    VLIMIT_QUESTION_MAX);
		return;
	}
	name = proto_opt(r, "name");
	gname = proto_opt(r, "group");
	token = proto_opt(r, "token");
	page = proto_opt(r, "page");
	if (c->role == ROLE_VISITOR) {
		if ((g = hello_group(c, gname)) != NULL)
			hello_again(c, r, g);
		return;
	}
	if (token && *token) {
		v = visitor_by_token(token);
		if (v && v->chat && (v->chat->state != CS_ENDED || v->conn == NULL)) {
			visitor_resume(c, v);
			case_deliver(c);
			return;
		}
		if (store_visitor_find_token(token, &known) < 0) {
			cmd_store_failed(c);
			return;
		}
	}
	if ((g = hello_group(c, gname)) == NULL || ban_refused(c, known))
		return;
	if (!hello_allowed(c))
		return;
	v = calloc(1, sizeof(*v));
	if (v == NULL) {
		reply_err(c, "INTERNAL", "out of memory");
		return;
	}
	v->name = vlimit_clean_name(name);
	v->email = dup_or_null(proto_opt(r, "email"));
	v->lang = dup_or_null(proto_opt(r, "lang"));
	v->referrer = dup_or_null(proto_opt(r, "referrer"));
	v->addr = strdup(c->addr);
	v->tokens = srv.cfg.msg_burst;
	v->tokens_at = srv.now_ms;
	if (known) {
		v->id = known;
		snprintf(v->token, sizeof(v->token), "%s", token);
		if (store_visitor_touch(known, c->addr) < 0 ||
		    store_visitor_load(known, known_fields, v) < 0)
			goto fail;
	} else {
		if (auth_random_hex(v->token, 16) < 0 ||
		    store_visitor_insert(v->token, v->name, v->email, v->lang,
		    v->referrer, v->addr, &v->id) < 0)
			goto fail;
	}
	if (http_user_agent(c) && store_visitor_set_ua(v->id, http_user_agent(c)) < 0)
		goto fail;
	if (page && *page && store_page_add(v->id, page, NULL) < 0)
		goto fail;
	if (offhours_hello(c, v, g)) {	/* closed: no chat, LEAVEMSG */
		if (known)
			case_deliver(c);
		return;
	}
	ch = chat_open(v, g, r->text ? r->text : "");
	if (ch == NULL)
		goto fail;
	v->conn = c;
	c->visitor = v;
	c->role = ROLE_VISITOR;
	hello_started(c, v, ch, g);
	if (known)
		case_deliver(c);
	return;
fail:
	visitor_free(v);
	cmd_store_failed(c);
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
	}
	conn_end(c);
}

void
cmd_logout(struct conn *c, struct proto_req *r)
{
	struct agent *a = c->agent;
	int last = account_detach(a, c);

	if (store_audit(a->name, "logout", last ? "last connection" :
	    "other connections remain") < 0)
		log_warn("audit: %s", store_errmsg());
	reply_ok(c, "connections=%d", account_nconns(a));
	connlim_anonymous(c);	/* limits.anon_timeout starts again */
	if (last)
		agent_gone(a);
}

void
session_closed(struct conn *c)
{
	if (c->role == ROLE_GATEWAY)
		tickets_drop(c);
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
}
