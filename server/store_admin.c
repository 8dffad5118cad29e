/*
 * store_admin.c - what admins keep in the store besides accounts: chat
 * groups, the audit trail of admin actions, the blacklist and the
 * maintenance mode in force (quick replies are in store_reply.c).
 */
#include <sqlite3.h>

#include "store.h"
#include "store_int.h"

enum {
	S_GROUP_ALL, S_GROUP_INS, S_GROUP_UPD, S_GROUP_DEL, S_GROUP_KNOWN,
	S_GROUP_CASES, S_GROUP_REPLIES_DEL,
	S_AUDIT_INS, S_AUDIT_ALL,
	S_BAN_INS, S_BAN_LIFT, S_BAN_ALL,
	S_MAINT_SET, S_MAINT_DEL, S_MAINT_GET,
	S__COUNT
};

static struct store_sql sql[S__COUNT] = {
	[S_GROUP_ALL] = { "SELECT name, mode, description FROM groups WHERE deleted=0 ORDER BY id", NULL },
	/* a deleted group's row comes back to life with the new values */
	[S_GROUP_INS] = { "INSERT INTO groups (name, mode, description) VALUES (?1,?2,?3) "
	    "ON CONFLICT(name) DO UPDATE SET mode=?2, description=?3, deleted=0", NULL },
	[S_GROUP_UPD] = { "UPDATE groups SET mode=?, description=? WHERE name=? AND deleted=0", NULL },
	[S_GROUP_DEL] = { "UPDATE groups SET deleted=1 WHERE name=?", NULL },
	[S_GROUP_KNOWN] = { "SELECT count(*) FROM groups WHERE name=?", NULL },
	[S_GROUP_CASES] = { "SELECT count(*) FROM cases WHERE grp=? AND state<>'closed'", NULL },
	[S_GROUP_REPLIES_DEL] = { "DELETE FROM replies WHERE grp=? AND owner IS NULL", NULL },
	[S_AUDIT_INS] = { "INSERT INTO audit (ts, actor, action, detail) VALUES (?,?,?,?)", NULL },
	[S_BAN_INS] = { "INSERT INTO bans (kind, value, reason, actor, created, until) VALUES (?,?,?,?,?,nullif(?, 0))", NULL },
	[S_BAN_LIFT] = { "UPDATE bans SET lifted=?, lifted_by=? WHERE id=? AND lifted IS NULL", NULL },
	[S_BAN_ALL] = { "SELECT id, kind, value, reason, actor, created, coalesce(until, 0) FROM bans WHERE lifted IS NULL ORDER BY id DESC LIMIT 1000", NULL },
	[S_MAINT_SET] = { "INSERT OR REPLACE INTO maint (id, until, notice, actor, since) VALUES (1,?,?,?,?)", NULL },
	[S_MAINT_DEL] = { "DELETE FROM maint", NULL },
	[S_MAINT_GET] = { "SELECT until, notice, actor, since FROM maint WHERE id=1", NULL },
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

int
store_group_update(const char *name, const char *mode, const char *desc)
{
	return store_exec(store_wstmt(&sql[S_GROUP_UPD]), "tet", mode, desc,
	    name);
}

int
store_group_delete(const char *name, int *replies)
{
	if (store_exec(store_wstmt(&sql[S_GROUP_REPLIES_DEL]), "t", name) < 0)
		return -1;
	*replies = sqlite3_changes(store_db);
	return store_exec(store_wstmt(&sql[S_GROUP_DEL]), "t", name);
}

int
store_group_known(const char *name, int *known)
{
	int64_t n = 0;

	if (store_step_int64(store_bind(store_stmt(&sql[S_GROUP_KNOWN]), "t",
	    name), &n) < 0)
		return -1;
	*known = n > 0;
	return 0;
}

int
store_group_open_cases(const char *name, int64_t *n)
{
	*n = 0;
	return store_step_int64(store_bind(store_stmt(&sql[S_GROUP_CASES]),
	    "t", name), n) < 0 ? -1 : 0;
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

/* ---- blacklist ---- */

int
store_ban_insert(const char *kind, const char *value, const char *reason,
    const char *actor, time_t until, int64_t *id)
{
	return store_insert(store_wstmt(&sql[S_BAN_INS]), id, "ttetnI", kind,
	    value, reason, actor, (int64_t)until);
}

int
store_ban_lift(int64_t id, const char *actor)
{
	if (store_exec(store_wstmt(&sql[S_BAN_LIFT]), "ntI", actor, id) < 0)
		return -1;
	return sqlite3_changes(store_db) ? 0 : 1;
}

static int
ban_row(sqlite3_stmt *s, store_any_fn *cb, void *arg)
{
	struct store_ban b = { sqlite3_column_int64(s, 0), store_col_text(s, 1),
	    store_col_text(s, 2), store_col_text(s, 3), store_col_text(s, 4),
	    (time_t)sqlite3_column_int64(s, 5), (time_t)sqlite3_column_int64(s, 6) };

	return ((store_ban_cb *)cb)(arg, &b);
}

int
store_ban_foreach(store_ban_cb *cb, void *arg)
{
	return store_rows(store_stmt(&sql[S_BAN_ALL]), ban_row,
	    (store_any_fn *)cb, arg);
}

/* ---- maintenance ---- */

int
store_maint_save(time_t until, const char *notice, const char *actor,
    time_t since)
{
	return store_exec(store_wstmt(&sql[S_MAINT_SET]), "IttI",
	    (int64_t)until, notice, actor, (int64_t)since);
}

int
store_maint_clear(void)
{
	return store_exec(store_wstmt(&sql[S_MAINT_DEL]), "");
}

static int
maint_row(sqlite3_stmt *s, store_any_fn *cb, void *arg)
{
	return ((store_maint_cb *)cb)(arg, (time_t)sqlite3_column_int64(s, 0),
	    store_col_text(s, 1), store_col_text(s, 2),
	    (time_t)sqlite3_column_int64(s, 3));
}

int
store_maint_load(store_maint_cb *cb, void *arg)
{
	return store_rows(store_stmt(&sql[S_MAINT_GET]), maint_row,
	    (store_any_fn *)cb, arg);
}
