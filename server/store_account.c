/*
 * store_account.c - staff accounts in the store: users (name, role, password
 * hash, chat limit, groups) and their SSH public keys. account.c keeps the
 * in-memory copy kefud works from; this file only reads and writes rows.
 */
#include <sqlite3.h>

#include "store.h"
#include "store_int.h"

enum {
	S_USER_ALL, S_USER_INS, S_USER_UPD, S_USER_PW, S_USER_DEL, S_USER_DIS,
	S_KEY_INS, S_KEY_DEL, S_KEY_DEL_USER, S_KEY_ALL, S_DATA_VERSION,
	S__COUNT
};

static struct store_sql sql[S__COUNT] = {
	[S_USER_ALL] = { "SELECT id, name, display, role, pwhash, max_chats, groups, disabled FROM users ORDER BY id", NULL },
	[S_USER_INS] = { "INSERT INTO users (name, role, display, pwhash, max_chats, groups, created) VALUES (?,?,?,?,?,?,?)", NULL },
	[S_USER_UPD] = { "UPDATE users SET role=?, display=?, max_chats=?, groups=? WHERE name=?", NULL },
	[S_USER_PW] = { "UPDATE users SET pwhash=? WHERE name=?", NULL },
	[S_USER_DEL] = { "DELETE FROM users WHERE name=?", NULL },
	[S_USER_DIS] = { "UPDATE users SET disabled=? WHERE name=?", NULL },
	[S_KEY_INS] = { "INSERT INTO user_keys (user, type, blob, comment, created) VALUES (?,?,?,?,?)", NULL },
	[S_KEY_DEL] = { "DELETE FROM user_keys WHERE user=? AND id=?", NULL },
	[S_KEY_DEL_USER] = { "DELETE FROM user_keys WHERE user=?", NULL },
	[S_DATA_VERSION] = { "PRAGMA data_version", NULL },
	[S_KEY_ALL] = { "SELECT id, type, blob, comment FROM user_keys WHERE user=? ORDER BY id", NULL },
};

static int
user_row(sqlite3_stmt *s, store_any_fn *cb, void *arg)
{
	struct store_user u = {
		.id = sqlite3_column_int64(s, 0),
		.name = store_col_text(s, 1), .display = store_col_text(s, 2),
		.role = store_col_text(s, 3), .pwhash = store_col_text(s, 4),
		.max_chats = sqlite3_column_int(s, 5),
		.groups = store_col_text(s, 6),
		.disabled = sqlite3_column_int(s, 7),
	};

	return ((store_user_cb *)cb)(arg, &u);
}

int
store_user_foreach(store_user_cb *cb, void *arg)
{
	return store_rows(store_stmt(&sql[S_USER_ALL]), user_row,
	    (store_any_fn *)cb, arg);
}

int
store_user_insert(const char *name, const char *role, const char *display,
    const char *pwhash, int max_chats, const char *groups, int64_t *id)
{
	return store_insert(store_wstmt(&sql[S_USER_INS]), id, "ttttien",
	    name, role, display, pwhash, max_chats, groups);
}

int
store_user_update(const char *name, const char *role, const char *display,
    int max_chats, const char *groups)
{
	return store_exec(store_wstmt(&sql[S_USER_UPD]), "ttitt",
	    role, display, max_chats, groups, name);
}

int
store_user_set_password(const char *name, const char *pwhash)
{
	return store_exec(store_wstmt(&sql[S_USER_PW]), "tt", pwhash, name);
}

int
store_user_set_disabled(const char *name, int disabled)
{
	if (store_exec(store_wstmt(&sql[S_USER_DIS]), "it", disabled, name) < 0)
		return -1;
	return sqlite3_changes(store_db) > 0 ? 0 : 1;
}

int
store_user_delete(const char *name)
{
	/* the account's SSH keys and personal quick replies go in the same
	 * transaction */
	if (store_exec(store_wstmt(&sql[S_KEY_DEL_USER]), "t", name) < 0 ||
	    store_reply_delete_owner(name) < 0)
		return -1;
	return store_exec(store_wstmt(&sql[S_USER_DEL]), "t", name);
}

int
store_data_version(int64_t *v)
{
	sqlite3_stmt *s = store_stmt(&sql[S_DATA_VERSION]);

	return s == NULL || store_step_int64(s, v) != 0 ? -1 : 0;
}

int
store_key_add(const char *user, const char *type, const char *blob,
    const char *comment, int64_t *id)
{
	return store_insert(store_wstmt(&sql[S_KEY_INS]), id, "ttten",
	    user, type, blob, comment);
}

int
store_key_del(const char *user, int64_t id)
{
	if (store_exec(store_wstmt(&sql[S_KEY_DEL]), "tI", user, id) < 0)
		return -1;
	return sqlite3_changes(store_db) > 0 ? 0 : 1;
}

static int
key_row(sqlite3_stmt *s, store_any_fn *cb, void *arg)
{
	struct store_key k = { sqlite3_column_int64(s, 0),
	    store_col_text(s, 1), store_col_text(s, 2), store_col_text(s, 3) };

	return ((store_key_cb *)cb)(arg, &k);
}

int
store_key_foreach(const char *user, store_key_cb *cb, void *arg)
{
	return store_rows(store_bind(store_stmt(&sql[S_KEY_ALL]), "t", user),
	    key_row, (store_any_fn *)cb, arg);
}
