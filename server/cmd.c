/*
 * cmd.c - from a line to a handler: parse, look the verb up in the command
 * table, check role and arguments, call the handler.
 *
 * The checks here are the only gate: a handler is never reached by a role
 * the table does not list, nor with the wrong number of arguments.
 */
#include <stdlib.h>
#include <string.h>

#include "chat.h"
#include "cmd.h"
#include "log.h"
#include "store.h"

static const struct {
	const char *name;
	cmd_fn *fn;
} handlers[] = {
	{ "HELP", cmd_help }, { "PING", cmd_ping }, { "QUIT", cmd_quit },
	{ "LOGIN", cmd_login }, { "TICKET", cmd_ticket },
	{ "HELLO", cmd_hello }, { "GATEWAY", cmd_gateway },
	{ "SAY", cmd_say }, { "TYPING", cmd_typing }, { "PAGE", cmd_page },
	{ "RATE", cmd_rate }, { "END", cmd_end },
	{ "STATUS", cmd_status }, { "QUEUE", cmd_queue },
	{ "ACCEPT", cmd_accept }, { "CHATS", cmd_chats }, { "MSG", cmd_msg },
	{ "NOTE", cmd_note }, { "TRANSFER", cmd_transfer },
	{ "INVITE", cmd_invite }, { "LEAVE", cmd_leave },
	{ "WRAPUP", cmd_wrapup }, { "TRANSCRIPT", cmd_transcript },
	{ "HISTORY", cmd_history }, { "VISITOR", cmd_visitor },
	{ "REPLIES", cmd_replies }, { "AGENTS", cmd_agents },
	{ "GROUPS", cmd_groups }, { "SEARCH", cmd_search },
	{ "PASSWD", cmd_passwd }, { "MONITOR", cmd_monitor },
	{ "UNMONITOR", cmd_unmonitor }, { "WHISPER", cmd_whisper },
	{ "TAKEOVER", cmd_takeover }, { "USERADD", cmd_useradd },
	{ "USERDEL", cmd_userdel }, { "USERSET", cmd_userset },
	{ "GROUPADD", cmd_groupadd }, { "REPLYADD", cmd_replyadd },
	{ "KEYADD", cmd_keyadd }, { "KEYDEL", cmd_keydel },
	{ "KEYS", cmd_keys }, { "ANNOUNCE", cmd_announce },
	{ "AUDIT", cmd_audit }, { "AUTHPASS", cmd_authpass },
	{ "AUTHKEY", cmd_authkey }, { "MKTICKET", cmd_mkticket },
};

static cmd_fn *
handler_find(const char *name)
{
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (strcmp(handlers[i].name, name) == 0)
			return handlers[i].fn;
	return NULL;
}

void
cmd_dispatch(struct conn *c, char *line, size_t len)
{
	struct proto_req r;
	const struct proto_cmd *pc;
	enum proto_parse pe;
	cmd_fn *fn;

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
	if (pc == NULL || (fn = handler_find(pc->name)) == NULL) {
		reply_err(c, "UNKNOWN", "no such command '%s'; try HELP", r.verb);
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
	fn(c, &r);
	c->tag = NULL;
}

struct chat *
cmd_chat_arg(struct conn *c, const char *arg)
{
	long long id;
	struct chat *ch;

	if (proto_parse_int(arg, 1, INT64_MAX, &id) < 0) {
		reply_err(c, "ARGS", "'%s' is not a chat number", arg);
		return NULL;
	}
	ch = chat_find(id);
	if (ch == NULL)
		reply_err(c, "NOTFOUND", "no active chat %lld", id);
	return ch;
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

void
cmd_store_failed(struct conn *c)
{
	log_error("store: %s", store_errmsg());
	reply_err(c, "INTERNAL", "storage failed; nothing was changed");
}

const char *
cmd_actor(struct conn *c)
{
	if (c->agent)
		return c->agent->name;
	return proto_role_name(c->role);
}
