/*
 * cmd.c - from a line to a handler: parse, look the verb up in the command
 * table (proto/cmdtab.def), check role and arguments, call the handler the
 * row's id names, plus the helpers handlers share.
 *
 * The checks here are the only gate: a handler is never reached by a role
 * the table does not list, nor with the wrong number of arguments.
 */
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "chat.h"
#include "cmd.h"
#include "log.h"
#include "store.h"

/* The handler of each verb, by the row's id; see proto/cmdtab.def. */
static cmd_fn *const handlers[CMD_ID__COUNT] = {
#define CMD(name, roles, min, max, text, usage, handler) \
	[CMD_ID_##name] = handler,
#include "cmdtab.def"
#undef CMD
};

int
cmd_door_allows(const struct conn *c, const struct proto_cmd *pc)
{
	/* the web door is for visitors (http.allow_login opens it) */
	if (c->web && !srv.cfg.http_allow_login &&
	    !(pc->roles & (ROLE_VISITOR | ROLE_BROWSER)) &&
	    pc->id != CMD_ID_HELLO && pc->id != CMD_ID_BROWSE)
		return 0;
	if (pc->id == CMD_ID_GATEWAY)
		return c->is_unix && srv.gateway_secret[0] != '\0';
	if (pc->id == CMD_ID_TICKET)
		return c->is_unix || srv.cfg.auth_ticket_tcp;
	return 1;
}

void
cmd_dispatch(struct conn *c, char *line, size_t len)
{
	struct proto_req r;
	const struct proto_cmd *pc;
	enum proto_parse pe;

	pe = proto_parse(line, len, &r);
	c->tag = r.tag;
	if (pe == PROTO_EMPTY)
		return;
	if (pe == PROTO_EUTF8) {
		c->tag = NULL;	/* the tag itself may be the bad part */
		reply_err(c, "UTF8", "%s", proto_parse_strerror(pe));
		return;
	}
	if (pe != PROTO_OK) {
		if (pe == PROTO_EBADTAG)
			c->tag = NULL;
		reply_err(c, "PROTO", "%s", proto_parse_strerror(pe));
		return;
	}
	pc = proto_cmd_find(r.verb);
	if (pc == NULL) {
		reply_err(c, "UNKNOWN", "no such command '%s'; try HELP", r.verb);
		return;
	}
	if (c->web && !cmd_door_allows(c, pc)) {
		reply_err(c, "DENIED", "%s is not available over WebSocket",
		    pc->name);
		return;
	}
	if (!(pc->roles & c->role)) {
		if (c->role == ROLE_ANON)
			reply_err(c, "NOAUTH", "log in with LOGIN (agents) or say HELLO (visitors) first");
		else
			reply_err(c, "DENIED", "%s may not use %s",
			    proto_role_name(c->role), pc->name);
		return;
	}
	if (proto_cmd_check(pc, &r) < 0) {
		reply_err(c, "ARGS", "usage: %s", pc->usage);
		return;
	}
	/* A client is never dropped for the size of its own reply: each is
	 * bounded (list pages), and conn.c holds its next request back until
	 * the output has drained. */
	c->replying = 1;
	conn_hold_events(c);
	handlers[pc->id](c, &r);
	conn_release_events();
	c->replying = 0;
	c->tag = NULL;
}

int
cmd_id_arg(struct conn *c, const char *arg, const char *what, long long *id)
{
	if (proto_parse_int(arg, 1, INT64_MAX, id) < 0) {
		reply_err(c, "ARGS", "'%s' is not a %s", arg, what);
		return -1;
	}
	return 0;
}

struct chat *
cmd_chat_arg(struct conn *c, const char *arg)
{
	long long id;
	struct chat *ch;

	if (cmd_id_arg(c, arg, "chat number", &id) < 0)
		return NULL;
	ch = chat_find(id);
	if (ch == NULL)
		reply_err(c, "NOTFOUND", "no active chat %lld", id);
	return ch;
}

struct group *
cmd_my_group(struct conn *c, const char *arg)
{
	struct group *g = group_find(arg);

	if (g == NULL) {
		reply_err(c, "NOTFOUND", "no such group '%s'", arg);
		return NULL;
	}
	if (!access_group(c->agent, g)) {
		reply_err(c, "DENIED", "you are not in group %s", g->name);
		return NULL;
	}
	return g;
}

struct chat *
cmd_my_chat(struct conn *c, const char *arg)
{
	struct chat *ch = cmd_chat_arg(c, arg);

	if (ch == NULL)
		return NULL;
	if (!agent_in_chat(c->agent, ch)) {
		reply_err(c, "STATE", "chat %lld is not yours", (long long)ch->id);
		return NULL;
	}
	return ch;
}

struct chat *
cmd_chat_in(struct conn *c, struct chat *ch, unsigned states, const char *why)
{
	if (ch == NULL || (CMD_STATE(ch->state) & states))
		return ch;
	reply_err(c, "STATE", "chat %lld %s", (long long)ch->id, why);
	return NULL;
}

int
cmd_msg_text(struct conn *c, struct proto_req *r)
{
	if (r->textlen == 0 || r->textlen > CMD_MSG_MAX) {
		reply_err(c, "ARGS", "a message must be 1-%d bytes", CMD_MSG_MAX);
		return -1;
	}
	return 0;
}

void
cmd_post(struct conn *c, struct chat *ch, const char *kind,
    const char *sender, struct proto_req *r)
{
	struct pbuf *b;
	int64_t seq;

	if (!chat_room(ch, r->textlen)) {
		reply_err(c, "LIMIT", "chat is too long (at most %d messages, "
		    "%zu bytes of text); end it and start a new one",
		    srv.cfg.chat_messages, srv.cfg.chat_bytes);
		return;
	}
	if ((seq = chat_post(ch, kind, sender, r->text, r->textlen)) < 0) {
		cmd_store_failed(c);
		return;
	}
	b = conn_begin(c, c->tag);	/* every message: no printf here */
	pbuf_adds(b, "OK");
	proto_put_kvi(b, "seq", seq);
	conn_end(c);
}

int
cmd_row_end(struct cmd_rows *x)
{
	conn_end(x->c);
	x->n++;
	return 0;
}

void
cmd_rows_done(struct cmd_rows *x, int rc)
{
	if (rc < 0)
		cmd_store_failed(x->c);
	else
		reply_ok(x->c, "%d", x->n);
}

void
cmd_store_failed(struct conn *c)
{
	log_error("store: %s", store_errmsg());
	reply_err(c, "INTERNAL", "storage failed; nothing was changed");
}

void
cmd_audit_as(const char *actor, const char *action, const char *detail)
{
	if (store_audit(actor, action, detail) < 0)
		log_warn("audit: %s", store_errmsg());
}

void
cmd_audit_log(struct conn *c, const char *action, const char *detail)
{
	cmd_audit_as(cmd_actor(c), action, detail);
}

const char *
cmd_actor(struct conn *c)
{
	if (c->agent)
		return c->agent->name;
	return proto_role_name(c->role);
}

/* Options must be known keys of the form k=v. */
int
cmd_opts_known(struct conn *c, struct proto_req *r, int first,
    const char *const *keys)
{
	for (int i = first; i < r->argc; i++) {
		size_t kl = strcspn(r->argv[i], "=");
		int ok = 0;

		for (const char *const *k = keys; *k; k++)
			if (strlen(*k) == kl && !strncmp(*k, r->argv[i], kl) &&
			    r->argv[i][kl] == '=')
				ok = 1;
		if (!ok) {
			reply_err(c, "ARGS", "unknown option '%.40s'", r->argv[i]);
			return -1;
		}
	}
	return 0;
}
