/*
 * cmdtab.c - the command table as data: the rows of proto/cmdtab.def (who
 * may use a verb, how many arguments it takes, whether it takes free text,
 * its usage line) with lookup by name, the arity check and role names.
 *
 * The server dispatches from this table (after checking role and arity here,
 * handlers never see a request with the wrong shape) and finds the handler
 * by the row's id, HELP prints it, and the console uses it for its own help
 * screen. PROTOCOL.md documents the same rows; tests/unit/test_proto_cmd.c
 * checks that every verb here appears there.
 */
#include <string.h>
#include <strings.h>

#include "proto.h"

static const struct proto_cmd cmds[] = {
#define CMD(name, roles, min, max, text, usage, handler) \
	{ #name, CMD_ID_##name, roles, min, max, text, usage },
#include "cmdtab.def"
#undef CMD
};

/* The rows are in id order, so cmds[CMD_ID_x] is verb x. */
_Static_assert(sizeof(cmds) / sizeof(cmds[0]) == CMD_ID__COUNT,
    "one row per command id");

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
		/* first letters differ (case aside): skip the full compare */
		if (((cmds[i].name[0] ^ verb[0]) & ~0x20) == 0 &&
		    strcasecmp(cmds[i].name, verb) == 0)
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
	if (role & ROLE_BROWSER) return "browser";
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
