/*
 * cmd_gateway.c - the SSH gateway's side of logging in: GATEWAY (the
 * gateway proves itself with its secret), AUTHPASS/AUTHKEY (it asks
 * whether an SSH user may in), MKTICKET and TICKET (the single-use token
 * the console spawned for that user logs in with over the unix socket).
 *
 * Verbs (rows of proto/cmdtab.def): TICKET GATEWAY AUTHPASS AUTHKEY
 * MKTICKET. Staff LOGIN and the password worker's answers stay in
 * cmd_session.c; the shared steps are declared in session.h.
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
#include "session.h"

struct ticket {
	char token[65];
	char name[DESK_NAME_MAX];
	struct conn *owner;
	struct ticket *next;
};

static struct ticket *tickets;


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
	if (!auth_allowed(c->addr, srv.now_ms, &wait_s)) {
		session_reply_throttle(c, wait_s);
		return;
	}
	t = ticket_take(r->argv[0], r->argv[1]);
	a = t ? agent_find(t->name) : NULL;
	if (a == NULL) {
		if (t)
			ticket_free(t);
		auth_failed(c->addr, r->argv[0], srv.now_ms);
		session_log_failed("ticket login", r->argv[0], c->addr);
		reply_err(c, "AUTH", "bad ticket");
		return;
	}
	if (session_refuse_disabled(c, a)) {
		ticket_free(t);
		return;
	}
	/* single use: the next reconnect of this console needs the new one */
	next = ticket_new(t->owner, a->name);
	ticket_free(t);
	auth_succeeded(c->addr, a->name, srv.now_ms);
	session_login_agent(c, a, "ssh", next ? next->token : NULL);
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
		session_check_password(c, CHECK_GATEWAY, addr, r->argv[0], r->text);
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
		session_reply_throttle(c, wait_s);
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
	if (session_refuse_disabled(c, a))
		return;
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
	if (session_refuse_disabled(c, a))
		return;
	if ((t = ticket_new(c, a->name)) == NULL) {
		reply_err(c, "INTERNAL", "cannot make a ticket");
		return;
	}
	reply_ok(c, "token=%s", t->token);
}

void
session_tickets_drop(struct conn *c)
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
