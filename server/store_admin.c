/*
 * store_admin.c - what admins keep in the store besides accounts: chat
 * groups and the audit trail of admin actions (quick replies are in
 * store_reply.c).
 */
#include <sqlite3.h>

#include "store.h"
#include "store_int.h"

enum {
	S_GROUP_ALL, S_GROUP_INS,
	S_AUDIT_INS, S_AUDIT_ALL,
	S__COUNT
};

static struct store_sql sql[S__COUNT] = {
	[S_GROUP_ALL] = { "SELECT name, mode, description FROM groups ORDER BY id", NULL },
	[S_GROUP_INS] = { "INSERT INTO groups (name, mode, description) VALUES (?,?,?)", NULL },
	[S_AUDIT_INS] = { "INSERT INTO audit (ts, actor, action, detail) VALUES (?,?,?,?)", NULL },
	[S_AUDIT_ALL] = { "SELECT id, ts, actor, action, detail FROM audit ORDER BY id DESC LIMIT ?", NULL },
};

/* ---- groups ---- */

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
