/*
 * cmd_group.c - skill groups over the protocol: creating, editing and
 * deleting them (admins). A group is deleted only when it is empty (no
 * member, no open chat, no case that is not closed); its slot in
 * desk.groups[] is reused once no ended chat in memory points to it. Its
 * database row
 * stays, marked deleted, so the config's seed groups do not come back.
 * Every change is audited.
 *
 * Verbs (rows of proto/cmdtab.def): GROUPADD GROUPSET GROUPDEL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "chat.h"
#include "cmd.h"
#include "store.h"

#define GROUP_DESC_MAX 1024	/* bytes of a group's description */

/* mode= as 1 auto / 0 manual; -1 (and ERR ARGS) for anything else. */
static int
mode_arg(struct conn *c, const char *mode)
{
	if (strcmp(mode, "auto") == 0)
		return 1;
	if (strcmp(mode, "manual") == 0)
		return 0;
	reply_err(c, "ARGS", "mode is manual or auto");
	return -1;
}

static int
desc_ok(struct conn *c, struct proto_req *r)
{
	if (r->text == NULL || r->textlen <= GROUP_DESC_MAX)
		return 1;
	reply_err(c, "ARGS", "a description is at most %d bytes", GROUP_DESC_MAX);
	return 0;
}

static struct group *
group_arg(struct conn *c, const char *name)
{
	struct group *g = group_find(name);

	if (g == NULL)
		reply_err(c, "NOTFOUND", "no such group '%s'", name);
	return g;
}

void
cmd_groupadd(struct conn *c, struct proto_req *r)
{
	static const char *const keys[] = { "mode", NULL };
	const char *mode = proto_opt(r, "mode");
	int au = 0;

	if (cmd_opts_known(c, r, 1, keys) < 0 || !desc_ok(c, r) ||
	    (mode && (au = mode_arg(c, mode)) < 0))
		return;
	if (!account_name_ok(r->argv[0])) {
		reply_err(c, "ARGS", "bad group name: 1-31 of A-Z a-z 0-9 _ . -");
		return;
	}
	if (group_find(r->argv[0])) {
		reply_err(c, "EXISTS", "group '%s' exists", r->argv[0]);
		return;
	}
	if (group_count() >= DESK_MAX_GROUPS) {
		reply_err(c, "LIMIT", "at most %d groups", DESK_MAX_GROUPS);
		return;
	}
	if (store_group_insert(r->argv[0], au ? "auto" : "manual", r->text) < 0) {
		cmd_store_failed(c);
		return;
	}
	if (group_add(r->argv[0], au, r->text) == NULL) {
		reply_err(c, "LIMIT", "at most %d groups", DESK_MAX_GROUPS);
		return;
	}
	cmd_audit_log(c, "groupadd", r->argv[0]);
	reply_ok(c, NULL);
}

/* GROUPSET <name> [mode=manual|auto] [:description] */
void
cmd_groupset(struct conn *c, struct proto_req *r)
{
	static const char *const keys[] = { "mode", NULL };
	const char *mode = proto_opt(r, "mode");
	struct group *g = group_arg(c, r->argv[0]);
	char detail[96];
	int au;

	if (g == NULL || cmd_opts_known(c, r, 1, keys) < 0 || !desc_ok(c, r))
		return;
	if (mode == NULL && r->text == NULL) {
		reply_err(c, "ARGS", "give mode= or a :description (or both)");
		return;
	}
	au = g->auto_route;
	if (mode && (au = mode_arg(c, mode)) < 0)
		return;
	if (store_group_update(g->name, au ? "auto" : "manual",
	    r->text ? r->text : g->description) < 0) {
		cmd_store_failed(c);
		return;
	}
	if (r->text) {
		char *d = strdup(r->text);

		if (d == NULL) {
			reply_err(c, "INTERNAL", "out of memory");
			return;
		}
		free(g->description);
		g->description = d;
	}
	g->auto_route = au;
	snprintf(detail, sizeof(detail), "%s mode=%s%s", g->name,
	    au ? "auto" : "manual", r->text ? " description" : "");
	cmd_audit_log(c, "groupset", detail);
	reply_ok(c, NULL);
	if (au)
		route_group(g);	/* manual -> auto: its queue is routed now */
}

/* Why g may not be deleted now (ERR STATE sent), or 0 if it may. */
static int
group_busy(struct conn *c, struct group *g)
{
	int members = 0, open = 0;
	char who[128] = "";
	int64_t cases;

	if (srv.cfg.default_group && strcmp(g->name, srv.cfg.default_group) == 0) {
		reply_err(c, "STATE", "%s is routing.default_group; change the "
		    "configuration first", g->name);
		return 1;
	}
	for (struct agent *a = desk.agents; a; a = a->next) {
		size_t n = strlen(who);

		if (a->deleted || !(a->groups & (1ULL << g->id)))
			continue;
		if (members++ < 3)
			snprintf(who + n, sizeof(who) - n, "%s%s", n ? ", " : "",
			    a->name);
	}
	if (members) {
		reply_err(c, "STATE", "group %s still has %d member%s (%s%s); take "
		    "them out first (USERSET <name> groups=...)", g->name,
		    members, members == 1 ? "" : "s", who, members > 3 ? ", ..." : "");
		return 1;
	}
	for (size_t i = 0; i < desk.chat_tab_size; i++)
		for (struct chat *ch = desk.chat_tab[i]; ch; ch = ch->hnext)
			open += ch->group == g && ch->state != CS_ENDED;
	if (open) {
		reply_err(c, "STATE", "group %s still has %d open chat%s (queued "
		    "or with an agent)", g->name, open, open == 1 ? "" : "s");
		return 1;
	}
	if (store_group_open_cases(g->name, &cases) < 0) {
		cmd_store_failed(c);
		return 1;
	}
	if (cases) {
		reply_err(c, "STATE", "group %s still has %lld case%s not closed",
		    g->name, (long long)cases, cases == 1 ? "" : "s");
		return 1;
	}
	return 0;
}

/* GROUPDEL <name>: only an empty group; its shared quick replies go too. */
void
cmd_groupdel(struct conn *c, struct proto_req *r)
{
	struct group *g = group_arg(c, r->argv[0]);
	char detail[96];
	int replies = 0;

	if (g == NULL || group_busy(c, g))
		return;
	if (store_group_delete(g->name, &replies) < 0) {
		cmd_store_failed(c);
		return;
	}
	/* a visitor told the group was closed keeps no pointer to its slot */
	for (int fd = 0; fd < srv.maxfds; fd++) {
		struct conn *k = srv.conns[fd];

		if (k && k->visitor && k->visitor->asked == g)
			k->visitor->asked = NULL;
	}
	snprintf(detail, sizeof(detail), "%s replies=%d", g->name, replies);
	group_remove(g);
	cmd_audit_log(c, "groupdel", detail);
	reply_ok(c, "replies=%d", replies);
}
