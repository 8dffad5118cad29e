/*
 * cmdtab.c - the command table: one row per verb with who may use it, how
 * many arguments it takes, whether it takes free text, and its usage line.
 *
 * The server dispatches from this table (after checking role and arity here,
 * handlers never see a request with the wrong shape), HELP prints it, and the
 * console uses it for its own help screen. PROTOCOL.md documents the same
 * rows; tests/unit/test_proto.c checks that every verb here appears there.
 */
#include <string.h>
#include <strings.h>

#include "proto.h"

#define A ROLE_ANON
#define V ROLE_VISITOR
#define S ROLE_STAFF
#define SUP (ROLE_SUPERVISOR | ROLE_ADMIN)
#define ADM ROLE_ADMIN
#define GW ROLE_GATEWAY

static const struct proto_cmd cmds[] = {
	/* name        roles      min max text usage */
	{ "HELP",      ROLE_ANY,   0, 1, 0, "HELP [VERB]" },
	{ "PING",      ROLE_ANY,   0, 1, 0, "PING [word]" },
	{ "QUIT",      ROLE_ANY,   0, 0, 0, "QUIT" },
	{ "LOGIN",     A,          1, 1, 2, "LOGIN <name> :<password>" },
	{ "TICKET",    A,          2, 2, 0, "TICKET <name> <token>" },
	{ "HELLO",     A,          0, 7, 1, "HELLO [name=..] [email=..] [page=..] [referrer=..] [lang=..] [group=..] [token=..] [:question]" },
	{ "GATEWAY",   A,          0, 0, 2, "GATEWAY :<secret>" },

	{ "SAY",       V,          0, 0, 2, "SAY :<text>" },
	{ "TYPING",    V,          0, 0, 1, "TYPING [:draft]" },
	{ "PAGE",      V,          1, 1, 1, "PAGE <url> [:title]" },
	{ "RATE",      V,          1, 1, 1, "RATE <1-5> [:comment]" },
	{ "END",       V | S,      0, 1, 0, "END (visitor) | END <chat> (agent)" },

	{ "STATUS",    S,          0, 1, 0, "STATUS [online|away|busy|offline]" },
	{ "QUEUE",     S,          0, 1, 0, "QUEUE [group]" },
	{ "ACCEPT",    S,          0, 1, 0, "ACCEPT [chat]" },
	{ "CHATS",     S,          0, 0, 0, "CHATS" },
	{ "MSG",       S,          1, 1, 2, "MSG <chat> :<text>" },
	{ "NOTE",      S,          1, 1, 2, "NOTE <chat> :<text>" },
	{ "TRANSFER",  S,          3, 3, 1, "TRANSFER <chat> agent|group <name> [:note]" },
	{ "INVITE",    S,          2, 2, 0, "INVITE <chat> <name>" },
	{ "LEAVE",     S,          1, 1, 0, "LEAVE <chat>" },
	{ "WRAPUP",    S,          2, 2, 1, "WRAPUP <chat> <category> [:summary]" },
	{ "TRANSCRIPT", S,         1, 1, 0, "TRANSCRIPT <chat>" },
	{ "HISTORY",   S,          1, 1, 0, "HISTORY <visitor>" },
	{ "VISITOR",   S,          1, 1, 0, "VISITOR <visitor>" },
	{ "REPLIES",   S,          0, 0, 1, "REPLIES [:query]" },
	{ "AGENTS",    S,          0, 0, 0, "AGENTS" },
	{ "GROUPS",    S,          0, 0, 0, "GROUPS" },
	{ "SEARCH",    S,          0, 0, 2, "SEARCH :<query>" },
	{ "PASSWD",    S,          1, 1, 2, "PASSWD <name> :<password>" },

	{ "MONITOR",   SUP,        1, 1, 0, "MONITOR <chat>" },
	{ "UNMONITOR", SUP,        1, 1, 0, "UNMONITOR <chat>" },
	{ "WHISPER",   SUP,        1, 1, 2, "WHISPER <chat> :<text>" },
	{ "TAKEOVER",  SUP,        1, 1, 0, "TAKEOVER <chat>" },

	{ "USERADD",   ADM,        2, 5, 2, "USERADD <name> <agent|supervisor|admin> [max=N] [groups=a,b] [display=D] :<password>" },
	{ "USERDEL",   ADM,        1, 1, 0, "USERDEL <name>" },
	{ "USERSET",   ADM,        1, 5, 0, "USERSET <name> [role=R] [max=N] [groups=a,b] [display=D]" },
	{ "GROUPADD",  ADM,        1, 2, 1, "GROUPADD <name> [mode=manual|auto] [:description]" },
	{ "REPLYADD",  ADM,        1, 2, 2, "REPLYADD <title> [group=G] :<text>" },
	{ "KEYADD",    ADM,        1, 1, 2, "KEYADD <name> :<openssh public key line>" },
	{ "KEYDEL",    ADM,        2, 2, 0, "KEYDEL <name> <id>" },
	{ "KEYS",      ADM,        1, 1, 0, "KEYS <name>" },
	{ "ANNOUNCE",  ADM,        0, 0, 2, "ANNOUNCE :<text>" },
	{ "AUDIT",     ADM,        0, 1, 0, "AUDIT [n]" },

	{ "AUTHPASS",  GW,         1, 2, 2, "AUTHPASS <name> [addr=IP] :<password>" },
	{ "AUTHKEY",   GW,         1, 2, 2, "AUTHKEY <name> [addr=IP] :<type> <base64>" },
	{ "MKTICKET",  GW,         1, 1, 0, "MKTICKET <name>" },
};

const struct proto_cmd *
proto_cmd_table(size_t *n)
{
	*n = sizeof(cmds) / sizeof(cmds[0]);
	return cmds;
}

const struct proto_cmd *
proto_cmd_find(const char *verb)
{
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcasecmp(cmds[i].name, verb) == 0)
			return &cmds[i];
	return NULL;
}

int
proto_cmd_check(const struct proto_cmd *c, const struct proto_req *r)
{
	if (r->argc < c->min_args || r->argc > c->max_args)
		return -1;
	if (c->text == 0 && r->text != NULL)
		return -1;
	if (c->text == 2 && r->text == NULL)
		return -1;
	return 0;
}

const char *
proto_role_name(unsigned role)
{
	if (role & ROLE_ADMIN) return "admin";
	if (role & ROLE_SUPERVISOR) return "supervisor";
	if (role & ROLE_AGENT) return "agent";
	if (role & ROLE_VISITOR) return "visitor";
	if (role & ROLE_GATEWAY) return "gateway";
	return "none";
}

unsigned
proto_role_parse(const char *s)
{
	if (strcmp(s, "agent") == 0) return ROLE_AGENT;
	if (strcmp(s, "supervisor") == 0) return ROLE_SUPERVISOR;
	if (strcmp(s, "admin") == 0) return ROLE_ADMIN;
	return 0;
}
