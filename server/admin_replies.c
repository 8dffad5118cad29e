/*
 * admin_replies.c - `kefud replies import|export FILE`: quick replies
 * (shared and personal, store_reply.c) through admin_io.c.
 *
 *   YAML: title, text, and optionally group, owner, cat, code, pos
 *   CSV:  group,owner,cat,code,pos,title,text (columns in any order)
 */
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "admin_io.h"
#include "cmd.h"
#include "server.h"
#include "store.h"

enum { F_GROUP, F_OWNER, F_CAT, F_CODE, F_POS, F_TITLE, F_TEXT, F__N };
static const char *const field_names[F__N] = {
	"group", "owner", "cat", "code", "pos", "title", "text",
};

static const char *
reply_add(const char *const *v)
{
	struct store_reply r = { 0, v[F_GROUP] && *v[F_GROUP] ? v[F_GROUP] : NULL,
	    v[F_OWNER] && *v[F_OWNER] ? v[F_OWNER] : NULL,
	    v[F_CAT] ? v[F_CAT] : "", v[F_CODE] ? v[F_CODE] : "",
	    v[F_TITLE] ? v[F_TITLE] : "", v[F_TEXT] ? v[F_TEXT] : "", -1 };
	const char *why = NULL;
	long long pos;
	int64_t taken = 0, id;

	if (v[F_POS] && *v[F_POS]) {
		if (proto_parse_int(v[F_POS], 0, 100000, &pos) < 0)
			return "pos is 0-100000";
		r.pos = (int)pos;
	}
	if ((why = cmd_reply_invalid(&r)) != NULL)
		return why;
	if (r.group && r.owner)
		return "a personal reply (owner) has no group";
	if (r.group && group_find(r.group) == NULL)
		return "no such group";
	if (r.owner && agent_find(r.owner) == NULL)
		return "no such account (owner)";
	if (*r.code && store_reply_code_taken(r.code, r.group, r.owner, 0,
	    &taken) < 0)
		return store_errmsg();
	if (taken)
		return "the code is taken there";
	return store_reply_insert(&r, &id) < 0 ? store_errmsg() : NULL;
}

static const struct admin_io replies_io = {
	"quick replies", "quick_replies", field_names, F__N, F_TITLE,
	(1u << F_TITLE) | (1u << F_TEXT),
	"SELECT grp, owner, cat, code, pos, title, body FROM replies "
	"ORDER BY owner IS NOT NULL, owner, grp IS NOT NULL, grp, cat, pos, id",
	"replyimport", reply_add,
};

int
admin_replies_export(const char *file, const char *dbpath)
{
	return admin_io_export(&replies_io, file, dbpath);
}

int
admin_replies_import(const char *file)
{
	return admin_io_import(&replies_io, file);
}
