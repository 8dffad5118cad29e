/*
 * store_admin.c - what admins keep in the store besides accounts: chat
 * groups, quick replies (canned answers, searched by REPLIES) and the
 * audit trail of admin actions.
 */
#include <sqlite3.h>

#include "store.h"
#include "store_int.h"

enum {
	S_GROUP_ALL, S_GROUP_INS,
	S_REPLY_INS, S_REPLY_COUNT, S_REPLY_SEARCH,
	S_AUDIT_INS, S_AUDIT_ALL,
	S__COUNT
};

static struct store_sql sql[S__COUNT] = {
	[S_GROUP_ALL] = { "SELECT name, mode, description FROM groups ORDER BY id", NULL },
	[S_GROUP_INS] = { "INSERT INTO groups (name, mode, description) VALUES (?,?,?)", NULL },
	[S_REPLY_INS] = { "INSERT INTO replies (grp, title, body) VALUES (?,?,?)", NULL },
	[S_REPLY_COUNT] = { "SELECT count(*) FROM replies", NULL },
	[S_REPLY_SEARCH] = { "SELECT id, grp, title, body FROM replies WHERE "
	    "?1 = '' OR instr(lower(title), lower(?1)) > 0 OR instr(lower(body), lower(?1)) > 0 "
	    "ORDER BY (instr(lower(title), lower(?1)) > 0) DESC, id LIMIT ?2", NULL },
	[S_AUDIT_INS] = { "INSERT INTO audit (ts, actor, action, detail) VALUES (?,?,?,?)", NULL },
	[S_AUDIT_ALL] = { "SELECT id, ts, actor, action, detail FROM audit ORDER BY id DESC LIMIT ?", NULL },
};

/* ---- groups and replies ---- */

static int
group_row(sqlite3_stmt *s, store_any_fn *cb, void *arg)
{
	return ((store_group_cb *)cb)(arg, store_col_text(s, 0),
	    store_col_text(s, 1), store_col_text(s, 2));
}

int
store_group_foreach(store_group_cb *cb, void *arg)
{
	return store_rows(store_stmt(&sql[S_GROUP_ALL]), group_row,
	    (store_any_fn *)cb, arg);
}

int
store_group_insert(const char *name, const char *mode, const char *desc)
{
	return store_exec(store_wstmt(&sql[S_GROUP_INS]), "tte", name, mode,
	    desc);
}

int
store_reply_insert(const char *group, const char *title, const char *body,
    int64_t *id)
{
	return store_insert(store_wstmt(&sql[S_REPLY_INS]), id, "ttt", group,
	    title, body);
}

int
store_reply_count(int64_t *n)
{
	sqlite3_stmt *s = store_stmt(&sql[S_REPLY_COUNT]);

	return s == NULL || store_step_int64(s, n) != 0 ? -1 : 0;
}

static int
reply_row(sqlite3_stmt *s, store_any_fn *cb, void *arg)
{
	struct store_reply r = { sqlite3_column_int64(s, 0),
	    (const char *)sqlite3_column_text(s, 1), store_col_text(s, 2),
	    store_col_text(s, 3) };

	return ((store_reply_cb *)cb)(arg, &r);
}

int
store_reply_search(const char *q, int limit, store_reply_cb *cb, void *arg)
{
	return store_rows(store_bind(store_stmt(&sql[S_REPLY_SEARCH]), "ei",
	    q, limit), reply_row, (store_any_fn *)cb, arg);
}

/* ---- audit ---- */

int
store_audit(const char *actor, const char *action, const char *detail)
{
	return store_exec(store_wstmt(&sql[S_AUDIT_INS]), "ntte", actor,
	    action, detail);
}

static int
audit_row(sqlite3_stmt *s, store_any_fn *cb, void *arg)
{
	struct store_audit a = { sqlite3_column_int64(s, 0),
	    (time_t)sqlite3_column_int64(s, 1), store_col_text(s, 2),
	    store_col_text(s, 3), store_col_text(s, 4) };

	return ((store_audit_cb *)cb)(arg, &a);
}

int
store_audit_foreach(int limit, store_audit_cb *cb, void *arg)
{
	return store_rows(store_bind(store_stmt(&sql[S_AUDIT_ALL]), "i",
	    limit), audit_row, (store_any_fn *)cb, arg);
}
