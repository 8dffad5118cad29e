/*
 * cmd_admin.c - administration over the protocol: accounts, groups,
 * SSH keys, announcements, the audit trail. Every change here is
 * written to the audit table with the acting admin's name (never a password).
 *
 * Verbs (rows of proto/cmdtab.def): USERADD USERDEL USERSET PASSWD
 * KEYADD KEYDEL KEYS ANNOUNCE AUDIT MAINT (groups: cmd_group.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "auth.h"
#include "chat.h"
#include "cmd.h"
#include "log.h"
#include "offhours.h"
#include "store.h"

#define AUDIT_MAX 1000		/* rows of an AUDIT page, at most */

static int
opt_int(struct conn *c, struct proto_req *r, const char *k, int def, int *out)
{
	const char *v = proto_opt(r, k);
	long long n;

	*out = def;
	if (v == NULL)
		return 0;
	if (proto_parse_int(v, 1, 100, &n) < 0) {
		reply_err(c, "ARGS", "%s must be a number from 1 to 100", k);
		return -1;
	}
	*out = (int)n;
	return 0;
}

void
cmd_useradd(struct conn *c, struct proto_req *r)
{
	static const char *const keys[] = { "max", "groups", "display", NULL };
	char err[256];
	int max;

	if (!session_password_length_ok(c, r->text) ||
	    cmd_opts_known(c, r, 2, keys) < 0 ||
	    opt_int(c, r, "max", srv.cfg.agent_default_max, &max) < 0)
		return;
	if (agent_find(r->argv[0])) {
		reply_err(c, "EXISTS", "user '%s' exists", r->argv[0]);
		return;
	}
	if (account_create(r->argv[0], r->argv[1], r->text, NULL,
	    proto_opt(r, "display"), max, proto_opt(r, "groups"), err,
	    sizeof(err)) < 0) {
		reply_err(c, "ARGS", "%s", err);
		return;
	}
	cmd_audit_log(c, "useradd", r->argv[0]);
	reply_ok(c, NULL);
}

static struct agent *
user_arg(struct conn *c, const char *name)
{
	struct agent *a = agent_find(name);

	if (a == NULL)
		reply_err(c, "NOTFOUND", "no such user '%s'", name);
	return a;
}

void
cmd_userdel(struct conn *c, struct proto_req *r)
{
	struct agent *a = user_arg(c, r->argv[0]);

	if (a == NULL)
		return;
	if (a == c->agent) {
		reply_err(c, "STATE", "you cannot delete yourself");
		return;
	}
	if (a->nchats > 0) {
		reply_err(c, "STATE", "%s still has %d chats; transfer them first",
		    a->name, a->nchats);
		return;
	}
	if (account_delete(a) < 0) {
		cmd_store_failed(c);
		return;
	}
	session_end_others(a, NULL, "account deleted");
	cmd_audit_log(c, "userdel", r->argv[0]);
	reply_ok(c, NULL);
}

/* disabled=0|1 of USERSET: 0/1, 2 when absent, -1 (replied) when bad. */
static int
disabled_arg(struct conn *c, struct proto_req *r, struct agent *a)
{
	const char *v = proto_opt(r, "disabled");

	if (v == NULL)
		return 2;
	if (strcmp(v, "0") && strcmp(v, "1")) {
		reply_err(c, "ARGS", "disabled is 0 or 1");
		return -1;
	}
	if (v[0] == '1' && a == c->agent) {
		reply_err(c, "STATE", "you cannot disable yourself");
		return -1;
	}
	return v[0] == '1';
}

void
cmd_userset(struct conn *c, struct proto_req *r)
{
	static const char *const keys[] = { "role", "max", "groups", "display",
	    "disabled", NULL };
	struct agent *a = user_arg(c, r->argv[0]);
	char err[256], detail[96];
	int max, dis, was;

	if (a == NULL || cmd_opts_known(c, r, 1, keys) < 0 ||
	    opt_int(c, r, "max", 0, &max) < 0 ||
	    (dis = disabled_arg(c, r, a)) < 0)
		return;
	if (r->argc == 1) {
		reply_err(c, "ARGS", "usage: USERSET <name> [role=R] [max=N] "
		    "[groups=a,b] [display=D] [disabled=0|1]");
		return;
	}
	was = a->disabled;
	if (account_update(a, proto_opt(r, "role"), proto_opt(r, "display"),
	    max, proto_opt(r, "groups"), err, sizeof(err)) < 0) {
		reply_err(c, "ARGS", "%s", err);
		return;
	}
	if (dis != 2 && dis != was && account_set_disabled(a, dis) < 0) {
		cmd_store_failed(c);
		return;
	}
	for (struct conn *k = a->conn; k; k = k->anext)
		k->role = a->role;
	snprintf(detail, sizeof(detail), "%s%s", r->argv[0],
	    dis == 2 || dis == was ? "" : dis ? " disabled" : " enabled");
	cmd_audit_log(c, "userset", detail);
	reply_ok(c, NULL);
	if (a->disabled && !was)
		account_disable_logout(a);
	agent_notify_status(a);
	route_agent_groups(a);
}

/* Sets a's password to pw and ends what the old one let in. */
static void
passwd_set(struct conn *c, struct agent *a, const char *pw)
{
	char err[256];

	if (account_set_password(a, pw, err, sizeof(err)) < 0) {
		reply_err(c, "ARGS", "%s", err);
		return;
	}
	session_end_others(a, c, "password changed");
	cmd_audit_log(c, "passwd", a->name);
	reply_ok(c, NULL);
}

static void
newpw_forget(struct conn *c)
{
	if (c->newpw) {
		explicit_bzero(c->newpw, strlen(c->newpw));
		free(c->newpw);
		c->newpw = NULL;
	}
}

/*
 * PASSWD <name> [old=<old>] :<new>. Changing one's own password needs the
 * old one (checked in the password worker, throttled like LOGIN); an admin
 * changing someone else's does not. Either way the account's tickets are
 * revoked and its other connections end with * KICKED.
 */
void
cmd_passwd(struct conn *c, struct proto_req *r)
{
	const char *old = NULL, *why;
	struct agent *a;

	if (r->argc == 2 && strncmp(r->argv[1], "old=", 4) == 0)
		old = r->argv[1] + 4;	/* from its own position only */

	if (r->argc == 2 && old == NULL) {
		reply_err(c, "ARGS", "usage: PASSWD <name> [old=<old password>] :<new password>");
		return;
	}
	if (!session_password_length_ok(c, r->text) ||
	    (old && !session_password_length_ok(c, old)))
		return;
	if (strcmp(r->argv[0], c->agent->name) != 0) {
		if (!(c->role & ROLE_ADMIN)) {
			reply_err(c, "DENIED", "you may only change your own password");
			return;
		}
		if ((a = user_arg(c, r->argv[0])) != NULL)
			passwd_set(c, a, r->text);
		return;
	}
	if (old == NULL) {
		reply_err(c, "ARGS", "give your current password: PASSWD %s old=<old password> :<new password>",
		    c->agent->name);
		return;
	}
	if (!auth_password_ok(r->text, &why)) {
		reply_err(c, "ARGS", "%s", why);
		return;
	}
	newpw_forget(c);
	if ((c->newpw = strdup(r->text)) == NULL) {
		reply_err(c, "INTERNAL", "out of memory");
		return;
	}
	session_check_old_password(c, old);
}

void
cmd_passwd_checked(struct conn *c, struct agent *a, int result)
{
	if (result < 0)
		reply_err(c, "INTERNAL", "the password check was interrupted; try again");
	else if (result == 0)
		reply_err(c, "AUTH", "wrong current password");
	else if (c->newpw == NULL || c->agent != a)
		reply_err(c, "STATE", "you are no longer logged in as %s", a->name);
	else
		passwd_set(c, a, c->newpw);
	newpw_forget(c);
}

void
cmd_keyadd(struct conn *c, struct proto_req *r)
{
	struct agent *a = user_arg(c, r->argv[0]);
	const char *type, *blob, *comment;
	char err[128];
	int64_t id;

	if (a == NULL)
		return;
	if (account_parse_pubkey(r->text, &type, &blob, &comment, err,
	    sizeof(err)) < 0) {
		reply_err(c, "ARGS", "%s", err);
		return;
	}
	if (store_key_add(a->name, type, blob, comment, &id) < 0) {
		cmd_store_failed(c);
		return;
	}
	cmd_audit_log(c, "keyadd", a->name);
	reply_ok(c, "id=%lld", (long long)id);
}

void
cmd_keydel(struct conn *c, struct proto_req *r)
{
	long long id;
	int rc;

	if (cmd_id_arg(c, r->argv[1], "key id", &id) < 0)
		return;
	rc = store_key_del(r->argv[0], id);
	if (rc < 0) {
		cmd_store_failed(c);
		return;
	}
	if (rc == 1) {
		reply_err(c, "NOTFOUND", "%s has no key %lld", r->argv[0], id);
		return;
	}
	cmd_audit_log(c, "keydel", r->argv[0]);
	reply_ok(c, NULL);
}

static int
key_row(void *arg, const struct store_key *k)
{
	struct list_page *pg = arg;
	struct pbuf *b;
	int rc;

	if ((b = list_row_id(pg, (long long)k->id, &rc)) == NULL)
		return rc;
	proto_put_kv(b, "type", k->type);
	proto_put_text(b, k->comment, strlen(k->comment));
	return list_row_end(pg);
}

void
cmd_keys(struct conn *c, struct proto_req *r)
{
	struct list_page pg;

	if (list_init(&pg, c, r, 1, LIST_DEF, LIST_MAX) < 0 ||
	    user_arg(c, r->argv[0]) == NULL)
		return;
	list_done(&pg, store_key_foreach(r->argv[0], key_row, &pg));
}

void
cmd_announce(struct conn *c, struct proto_req *r)
{
	struct pbuf *b;

	if (r->textlen == 0 || r->textlen > 1024) {
		reply_err(c, "ARGS", "an announcement is 1-1024 bytes");
		return;
	}
	cmd_audit_log(c, "announce", r->text);
	reply_ok(c, NULL);
	b = ev_begin();
	proto_put_word(b, "ANNOUNCE");
	proto_put_text(b, r->text, r->textlen);
	for (struct agent *a = desk.agents; a; a = a->next)
		ev_send_agent(a);
}

static int
audit_row(void *arg, const struct store_audit *a)
{
	struct list_page *pg = arg;
	struct pbuf *b;
	int rc;

	if ((b = list_row_id(pg, (long long)a->id, &rc)) == NULL)
		return rc;
	proto_put_kvi(b, "ts", (long long)a->ts);
	proto_put_kv(b, "actor", a->actor);
	proto_put_kv(b, "action", a->action);
	proto_put_text(b, a->detail, strlen(a->detail));
	return list_row_end(pg);
}

/* AUDIT [n]: n is the older spelling of limit=. */
void
cmd_audit(struct conn *c, struct proto_req *r)
{
	struct list_page pg;
	long long n;

	if (list_init(&pg, c, r, 1, 50, AUDIT_MAX) < 0)
		return;
	if (r->argc == 1) {
		if (proto_parse_int(r->argv[0], 1, AUDIT_MAX, &n) < 0) {
			reply_err(c, "ARGS", "n is 1-%d", AUDIT_MAX);
			return;
		}
		pg.limit = n;
	}
	list_done(&pg, store_audit_foreach(list_query_limit(&pg), audit_row,
	    &pg));
}

/* MAINT: ask, or turn maintenance on (until=, notice) or off. */
void
cmd_maint(struct conn *c, struct proto_req *r)
{
	static const char *const keys[] = { "until", NULL };
	static const char dflt[] = "the service is under maintenance; please "
	    "leave a message with LEAVEMSG and we will answer you";
	const char *u = proto_opt(r, "until");
	time_t until = 0;
	int on;
	struct pbuf *b;

	if (r->argc == 0 && r->text == NULL)
		goto answer;
	if (r->argc == 0 || (strcmp(r->argv[0], "on") && strcmp(r->argv[0], "off"))) {
		reply_err(c, "ARGS", "usage: MAINT [on|off] [until=ISO] [:notice]");
		return;
	}
	if (cmd_opts_known(c, r, 1, keys) < 0)
		return;
	on = strcmp(r->argv[0], "on") == 0;
	if (!on && (u || r->text)) {
		reply_err(c, "ARGS", "MAINT off takes no until= and no notice");
		return;
	}
	if (u && (hours_parse_iso(u, &until) < 0 || until <= offhours_now())) {
		reply_err(c, "ARGS", "until= is a time to come, as 2026-12-01T08:00+08:00");
		return;
	}
	if (r->textlen > 1024) {
		reply_err(c, "ARGS", "a notice is at most 1024 bytes");
		return;
	}
	if (offhours_maint_set(on, until, r->textlen ? r->text : dflt,
	    cmd_actor(c)) < 0) {
		reply_err(c, "INTERNAL", "out of memory");
		return;
	}
answer:
	b = conn_begin(c, c->tag);
	pbuf_adds(b, "OK");
	offhours_maint_put(b);
	conn_end(c);
}
