/*
 * store.c - SQLite storage: schema migrations, prepared statements, group
 * commit, online backup.
 *
 * Every SQL text lives in the stmt table below and is prepared once, on first
 * use; all values are bound as parameters, never pasted into SQL. Writes open
 * a transaction lazily (tx_begin) which store_commit() closes once per event
 * loop iteration. WAL with synchronous=NORMAL keeps a committed transaction
 * across a process crash (kill -9), which is what "OK means stored" needs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <time.h>

#include "log.h"
#include "store.h"
#include "store_int.h"

sqlite3 *store_db;
static int in_tx;
static int tx_lost;		/* SQLite rolled the open transaction back */

/* Numbered migrations: migration i brings user_version from i to i+1. */
static const char *migrations[] = {
	/* 1: the initial schema */
	"CREATE TABLE users ("
	"  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
	"  display TEXT NOT NULL, role TEXT NOT NULL, pwhash TEXT NOT NULL,"
	"  max_chats INTEGER NOT NULL DEFAULT 5, groups TEXT NOT NULL DEFAULT '',"
	"  created INTEGER NOT NULL);"
	"CREATE TABLE user_keys ("
	"  id INTEGER PRIMARY KEY, user TEXT NOT NULL, type TEXT NOT NULL,"
	"  blob TEXT NOT NULL, comment TEXT NOT NULL DEFAULT '',"
	"  created INTEGER NOT NULL);"
	"CREATE INDEX user_keys_user ON user_keys(user);"
	"CREATE TABLE groups ("
	"  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
	"  mode TEXT NOT NULL DEFAULT 'manual', description TEXT NOT NULL DEFAULT '');"
	"CREATE TABLE visitors ("
	"  id INTEGER PRIMARY KEY, token TEXT NOT NULL UNIQUE, name TEXT,"
	"  email TEXT, lang TEXT, referrer TEXT, addr TEXT,"
	"  first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
	"  visits INTEGER NOT NULL DEFAULT 1);"
	"CREATE TABLE pages ("
	"  id INTEGER PRIMARY KEY, visitor INTEGER NOT NULL, ts INTEGER NOT NULL,"
	"  url TEXT NOT NULL, title TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX pages_visitor ON pages(visitor);"
	"CREATE TABLE chats ("
	"  id INTEGER PRIMARY KEY, visitor INTEGER NOT NULL,"
	"  grp TEXT NOT NULL, state TEXT NOT NULL, agent TEXT,"
	"  question TEXT NOT NULL DEFAULT '', created INTEGER NOT NULL,"
	"  queued_at INTEGER NOT NULL, assigned_at INTEGER,"
	"  first_response_at INTEGER, ended_at INTEGER, ended_by TEXT,"
	"  rating INTEGER, rating_comment TEXT, category TEXT, summary TEXT,"
	"  last_seq INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX chats_visitor ON chats(visitor);"
	"CREATE INDEX chats_state ON chats(state);"
	"CREATE TABLE messages ("
	"  chat INTEGER NOT NULL, seq INTEGER NOT NULL, ts INTEGER NOT NULL,"
	"  kind TEXT NOT NULL, sender TEXT NOT NULL, body TEXT NOT NULL,"
	"  PRIMARY KEY (chat, seq)) WITHOUT ROWID;"
	"CREATE TABLE replies ("
	"  id INTEGER PRIMARY KEY, grp TEXT, title TEXT NOT NULL,"
	"  body TEXT NOT NULL);"
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, actor TEXT NOT NULL,"
	"  action TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '');",
	/* 2: messages become an append-only log in arrival order, indexed by
	 * (chat, seq) in batches per chat (see store_msg.c) */
	"CREATE TABLE messages2 ("
	"  id INTEGER PRIMARY KEY, chat INTEGER NOT NULL, seq INTEGER NOT NULL,"
	"  ts INTEGER NOT NULL, kind TEXT NOT NULL, sender TEXT NOT NULL,"
	"  body TEXT NOT NULL);"
	"INSERT INTO messages2 (chat, seq, ts, kind, sender, body)"
	"  SELECT chat, seq, ts, kind, sender, body FROM messages ORDER BY ts, chat, seq;"
	"DROP TABLE messages;"
	"ALTER TABLE messages2 RENAME TO messages;"
	"CREATE TABLE msg_index ("
	"  chat INTEGER NOT NULL, seq INTEGER NOT NULL, id INTEGER NOT NULL,"
	"  PRIMARY KEY (chat, seq)) WITHOUT ROWID;"
	"INSERT INTO msg_index (chat, seq, id) SELECT chat, seq, id FROM messages;"
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
	"INSERT INTO meta (key, value) VALUES ('msg_index_lwm',"
	"  (SELECT coalesce(max(id), 0) + 1 FROM messages));",
};

enum {
	S_BEGIN, S_COMMIT, S_ROLLBACK,
	S_USER_ALL, S_USER_INS, S_USER_UPD, S_USER_PW, S_USER_DEL,
	S_KEY_INS, S_KEY_DEL, S_KEY_ALL,
	S_GROUP_ALL, S_GROUP_INS,
	S_REPLY_INS, S_REPLY_COUNT, S_REPLY_SEARCH,
	S_VIS_INS, S_VIS_TOUCH, S_VIS_TOKEN, S_VIS_GET, S_PAGE_INS, S_PAGE_ALL,
	S_CHAT_INS, S_CHAT_STATE, S_CHAT_FIRST, S_CHAT_ASSIGNED, S_CHAT_END,
	S_CHAT_RATE, S_CHAT_WRAP, S_CHAT_ACTIVE, S_CHAT_VISITOR,
	S_AUDIT_INS, S_AUDIT_ALL,
	S__COUNT
};

static const char *sql[S__COUNT] = {
	[S_BEGIN] = "BEGIN",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_USER_ALL] = "SELECT id, name, display, role, pwhash, max_chats, groups FROM users ORDER BY id",
	[S_USER_INS] = "INSERT INTO users (name, role, display, pwhash, max_chats, groups, created) VALUES (?,?,?,?,?,?,?)",
	[S_USER_UPD] = "UPDATE users SET role=?, display=?, max_chats=?, groups=? WHERE name=?",
	[S_USER_PW] = "UPDATE users SET pwhash=? WHERE name=?",
	[S_USER_DEL] = "DELETE FROM users WHERE name=?",
	[S_KEY_INS] = "INSERT INTO user_keys (user, type, blob, comment, created) VALUES (?,?,?,?,?)",
	[S_KEY_DEL] = "DELETE FROM user_keys WHERE user=? AND id=?",
	[S_KEY_ALL] = "SELECT id, type, blob, comment FROM user_keys WHERE user=? ORDER BY id",
	[S_GROUP_ALL] = "SELECT name, mode, description FROM groups ORDER BY id",
	[S_GROUP_INS] = "INSERT INTO groups (name, mode, description) VALUES (?,?,?)",
	[S_REPLY_INS] = "INSERT INTO replies (grp, title, body) VALUES (?,?,?)",
	[S_REPLY_COUNT] = "SELECT count(*) FROM replies",
	[S_REPLY_SEARCH] = "SELECT id, grp, title, body FROM replies WHERE "
	    "?1 = '' OR instr(lower(title), lower(?1)) > 0 OR instr(lower(body), lower(?1)) > 0 "
	    "ORDER BY (instr(lower(title), lower(?1)) > 0) DESC, id LIMIT ?2",
	[S_VIS_INS] = "INSERT INTO visitors (token, name, email, lang, referrer, addr, first_seen, last_seen) VALUES (?,?,?,?,?,?,?,?)",
	[S_VIS_TOUCH] = "UPDATE visitors SET last_seen=?, visits=visits+1, addr=? WHERE id=?",
	[S_VIS_TOKEN] = "SELECT id FROM visitors WHERE token=?",
	[S_VIS_GET] = "SELECT id, token, name, email, lang, referrer, addr, first_seen, last_seen, visits FROM visitors WHERE id=?",
	[S_PAGE_INS] = "INSERT INTO pages (visitor, ts, url, title) VALUES (?,?,?,?)",
	[S_PAGE_ALL] = "SELECT ts, url, title FROM pages WHERE visitor=? ORDER BY id DESC LIMIT 50",
	[S_CHAT_INS] = "INSERT INTO chats (visitor, grp, state, question, created, queued_at) VALUES (?,?,'queued',?,?,?)",
	/* queued_at stays when the visitor first asked: a bounced chat keeps
	 * its place and its wait across a restart */
	[S_CHAT_STATE] = "UPDATE chats SET state=?, agent=?, grp=coalesce(?, grp) WHERE id=?",
	[S_CHAT_FIRST] = "UPDATE chats SET first_response_at=? WHERE id=? AND first_response_at IS NULL",
	[S_CHAT_ASSIGNED] = "UPDATE chats SET assigned_at=coalesce(assigned_at, ?) WHERE id=?",
	[S_CHAT_END] = "UPDATE chats SET state='ended', ended_at=?, ended_by=?, last_seq=? WHERE id=?",
	[S_CHAT_RATE] = "UPDATE chats SET rating=?, rating_comment=? WHERE id=?",
	[S_CHAT_WRAP] = "UPDATE chats SET category=?, summary=? WHERE id=?",
	[S_CHAT_ACTIVE] = "SELECT c.id, c.visitor, c.grp, c.state, c.agent, c.question, c.category, c.summary, c.rating_comment, c.created, c.queued_at, c.ended_at, coalesce(c.rating, 0), "
	    "coalesce((SELECT max(seq) FROM msg_index m WHERE m.chat=c.id), 0) "
	    "FROM chats c WHERE c.state != 'ended' ORDER BY c.queued_at, c.id",
	[S_CHAT_VISITOR] = "SELECT c.id, c.visitor, c.grp, c.state, c.agent, c.question, c.category, c.summary, c.rating_comment, c.created, c.queued_at, c.ended_at, coalesce(c.rating, 0), c.last_seq "
	    "FROM chats c WHERE c.visitor=? ORDER BY c.id DESC LIMIT 100",
	[S_AUDIT_INS] = "INSERT INTO audit (ts, actor, action, detail) VALUES (?,?,?,?)",
	[S_AUDIT_ALL] = "SELECT id, ts, actor, action, detail FROM audit ORDER BY id DESC LIMIT ?",
};

static sqlite3_stmt *stmts[S__COUNT];

const char *
store_errmsg(void)
{
	return store_db ? sqlite3_errmsg(store_db) : "database not open";
}

sqlite3_stmt *
store_stmt(sqlite3_stmt **slot, const char *text)
{
	if (*slot == NULL &&
	    sqlite3_prepare_v3(store_db, text, -1, SQLITE_PREPARE_PERSISTENT,
	    slot, NULL) != SQLITE_OK) {
		log_error("store: prepare \"%.40s\": %s", text,
		    sqlite3_errmsg(store_db));
		return NULL;
	}
	sqlite3_reset(*slot);
	sqlite3_clear_bindings(*slot);
	return *slot;
}

void
store_stmts_free(sqlite3_stmt **slots, int n)
{
	for (int i = 0; i < n; i++) {
		sqlite3_finalize(slots[i]);
		slots[i] = NULL;
	}
}

static sqlite3_stmt *
st(int i)
{
	return store_stmt(&stmts[i], sql[i]);
}

/* Run a statement that returns no rows. */
int
store_step_done(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		log_error("store: %s", sqlite3_errmsg(store_db));
		/* Some errors (disk full, I/O, memory) roll the whole
		 * transaction back: this iteration's earlier writes are gone,
		 * so its commit must fail, and what later writes would do in
		 * autocommit mode must not happen either. */
		if (in_tx && sqlite3_get_autocommit(store_db)) {
			in_tx = 0;
			tx_lost = 1;
			store_msg_rolled_back();
		}
		return -1;
	}
	return 0;
}

int
store_step_int64(sqlite3_stmt *s, int64_t *v)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? 1 : -1;
}

int
store_tx_begin(void)
{
	sqlite3_stmt *s;

	if (in_tx)
		return 0;
	if (tx_lost)
		return -1;	/* until the failed iteration is committed */
	if ((s = st(S_BEGIN)) == NULL || store_step_done(s) < 0)
		return -1;
	in_tx = 1;
	return 0;
}

int
store_in_tx(void)
{
	return in_tx;
}

int
store_commit(void)
{
	sqlite3_stmt *s;

	if (tx_lost) {		/* see store_step_done() */
		tx_lost = 0;
		return -1;
	}
	if (!in_tx)
		return 0;
	in_tx = 0;
	if ((s = st(S_COMMIT)) == NULL || store_step_done(s) < 0) {
		if ((s = st(S_ROLLBACK)) != NULL)
			(void)store_step_done(s);
		store_msg_rolled_back();
		return -1;
	}
	return 0;
}

static void
bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

const char *
store_col_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? (const char *)t : "";
}

/* Prepare a write: begin the transaction, fetch the statement. */
static sqlite3_stmt *
wst(int i)
{
	if (store_tx_begin() < 0)
		return NULL;
	return st(i);
}

static int
migrate(char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int version, n = (int)(sizeof(migrations) / sizeof(migrations[0]));

	if (sqlite3_prepare_v2(store_db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		goto fail;
	}
	version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (version > n) {
		snprintf(err, errlen, "database schema %d is newer than this kefud (%d)",
		    version, n);
		return -1;
	}
	for (int v = version; v < n; v++) {
		char pragma[64];
		char *msg = NULL;

		snprintf(pragma, sizeof(pragma), "PRAGMA user_version=%d;", v + 1);
		if (sqlite3_exec(store_db, "BEGIN", NULL, NULL, &msg) != SQLITE_OK ||
		    sqlite3_exec(store_db, migrations[v], NULL, NULL, &msg) != SQLITE_OK ||
		    sqlite3_exec(store_db, pragma, NULL, NULL, &msg) != SQLITE_OK ||
		    sqlite3_exec(store_db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
			snprintf(err, errlen, "migration %d: %s", v + 1,
			    msg ? msg : "failed");
			sqlite3_free(msg);
			sqlite3_exec(store_db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
		log_info("store: applied schema migration %d", v + 1);
	}
	return 0;
fail:
	snprintf(err, errlen, "%s", sqlite3_errmsg(store_db));
	return -1;
}

int
store_open(const char *path, char *err, size_t errlen)
{
	char *msg = NULL;

	/* NOMUTEX: kefud has one thread, so SQLite need not lock around
	 * every call on this connection. */
	if (sqlite3_open_v2(path, &store_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX,
	    NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, store_db ? sqlite3_errmsg(store_db) :
		    "cannot open");
		sqlite3_close(store_db);
		store_db = NULL;
		return -1;
	}
	/* the busy timeout first: switching to WAL needs a lock that another
	 * process (the checkpoint helper of a kefud that was just killed,
	 * an admin command) may hold for a moment */
	sqlite3_busy_timeout(store_db, 2000);
	if (sqlite3_exec(store_db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	    "PRAGMA foreign_keys=ON;"
	    "PRAGMA cache_size=-65536;", NULL, NULL,
	    &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, msg ? msg : "pragma failed");
		sqlite3_free(msg);
		store_close();
		return -1;
	}
	if (migrate(err, errlen) < 0 || store_msg_open(err, errlen) < 0) {
		store_close();
		return -1;
	}
	return 0;
}

void
store_close(void)
{
	if (store_db == NULL)
		return;
	store_msg_close();	/* index what is pending, then commit */
	if (in_tx)
		(void)store_commit();
	store_stmts_free(stmts, S__COUNT);
	sqlite3_close(store_db);
	store_db = NULL;
}

int
store_backup(const char *dest, char *err, size_t errlen)
{
	sqlite3 *out;
	sqlite3_backup *b;
	int rc;

	if (sqlite3_open(dest, &out) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", dest, sqlite3_errmsg(out));
		sqlite3_close(out);
		return -1;
	}
	b = sqlite3_backup_init(out, "main", store_db, "main");
	if (b == NULL) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(out));
		sqlite3_close(out);
		return -1;
	}
	do {
		rc = sqlite3_backup_step(b, 256);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "backup: %s", sqlite3_errstr(rc));
		sqlite3_close(out);
		return -1;
	}
	return sqlite3_close(out) == SQLITE_OK ? 0 : -1;
}

/* ---- accounts ---- */

int
store_user_foreach(store_user_cb *cb, void *arg)
{
	sqlite3_stmt *s = st(S_USER_ALL);
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_user u = {
			.id = sqlite3_column_int64(s, 0),
			.name = store_col_text(s, 1), .display = store_col_text(s, 2),
			.role = store_col_text(s, 3), .pwhash = store_col_text(s, 4),
			.max_chats = sqlite3_column_int(s, 5),
			.groups = store_col_text(s, 6),
		};
		if (cb(arg, &u) < 0)
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

int
store_user_insert(const char *name, const char *role, const char *display,
    const char *pwhash, int max_chats, const char *groups, int64_t *id)
{
	sqlite3_stmt *s = wst(S_USER_INS);

	if (s == NULL)
		return -1;
	bind_text(s, 1, name);
	bind_text(s, 2, role);
	bind_text(s, 3, display);
	bind_text(s, 4, pwhash);
	sqlite3_bind_int(s, 5, max_chats);
	bind_text(s, 6, groups ? groups : "");
	sqlite3_bind_int64(s, 7, (sqlite3_int64)time(NULL));
	if (store_step_done(s) < 0)
		return -1;
	*id = sqlite3_last_insert_rowid(store_db);
	return 0;
}

int
store_user_update(const char *name, const char *role, const char *display,
    int max_chats, const char *groups)
{
	sqlite3_stmt *s = wst(S_USER_UPD);

	if (s == NULL)
		return -1;
	bind_text(s, 1, role);
	bind_text(s, 2, display);
	sqlite3_bind_int(s, 3, max_chats);
	bind_text(s, 4, groups);
	bind_text(s, 5, name);
	return store_step_done(s);
}

int
store_user_set_password(const char *name, const char *pwhash)
{
	sqlite3_stmt *s = wst(S_USER_PW);

	if (s == NULL)
		return -1;
	bind_text(s, 1, pwhash);
	bind_text(s, 2, name);
	return store_step_done(s);
}

int
store_user_delete(const char *name)
{
	sqlite3_stmt *s = wst(S_USER_DEL);

	if (s == NULL)
		return -1;
	bind_text(s, 1, name);
	return store_step_done(s);
}

int
store_key_add(const char *user, const char *type, const char *blob,
    const char *comment, int64_t *id)
{
	sqlite3_stmt *s = wst(S_KEY_INS);

	if (s == NULL)
		return -1;
	bind_text(s, 1, user);
	bind_text(s, 2, type);
	bind_text(s, 3, blob);
	bind_text(s, 4, comment ? comment : "");
	sqlite3_bind_int64(s, 5, (sqlite3_int64)time(NULL));
	if (store_step_done(s) < 0)
		return -1;
	*id = sqlite3_last_insert_rowid(store_db);
	return 0;
}

int
store_key_del(const char *user, int64_t id)
{
	sqlite3_stmt *s = wst(S_KEY_DEL);

	if (s == NULL)
		return -1;
	bind_text(s, 1, user);
	sqlite3_bind_int64(s, 2, id);
	if (store_step_done(s) < 0)
		return -1;
	return sqlite3_changes(store_db) > 0 ? 0 : 1;
}

int
store_key_foreach(const char *user, store_key_cb *cb, void *arg)
{
	sqlite3_stmt *s = st(S_KEY_ALL);
	int rc;

	if (s == NULL)
		return -1;
	bind_text(s, 1, user);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_key k = { sqlite3_column_int64(s, 0),
		    store_col_text(s, 1), store_col_text(s, 2), store_col_text(s, 3) };
		if (cb(arg, &k) < 0)
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

/* ---- groups and replies ---- */

int
store_group_foreach(store_group_cb *cb, void *arg)
{
	sqlite3_stmt *s = st(S_GROUP_ALL);
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (cb(arg, store_col_text(s, 0), store_col_text(s, 1), store_col_text(s, 2)) < 0)
			break;
	sqlite3_reset(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

int
store_group_insert(const char *name, const char *mode, const char *desc)
{
	sqlite3_stmt *s = wst(S_GROUP_INS);

	if (s == NULL)
		return -1;
	bind_text(s, 1, name);
	bind_text(s, 2, mode);
	bind_text(s, 3, desc ? desc : "");
	return store_step_done(s);
}

int
store_reply_insert(const char *group, const char *title, const char *body,
    int64_t *id)
{
	sqlite3_stmt *s = wst(S_REPLY_INS);

	if (s == NULL)
		return -1;
	bind_text(s, 1, group);
	bind_text(s, 2, title);
	bind_text(s, 3, body);
	if (store_step_done(s) < 0)
		return -1;
	*id = sqlite3_last_insert_rowid(store_db);
	return 0;
}

int
store_reply_count(int64_t *n)
{
	sqlite3_stmt *s = st(S_REPLY_COUNT);

	return s == NULL || store_step_int64(s, n) != 0 ? -1 : 0;
}

int
store_reply_search(const char *q, int limit, store_reply_cb *cb, void *arg)
{
	sqlite3_stmt *s = st(S_REPLY_SEARCH);
	int rc;

	if (s == NULL)
		return -1;
	bind_text(s, 1, q ? q : "");
	sqlite3_bind_int(s, 2, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_reply r = { sqlite3_column_int64(s, 0),
		    (const char *)sqlite3_column_text(s, 1), store_col_text(s, 2),
		    store_col_text(s, 3) };
		if (cb(arg, &r) < 0)
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

/* ---- visitors ---- */

int
store_visitor_insert(const char *token, const char *name, const char *email,
    const char *lang, const char *referrer, const char *addr, int64_t *id)
{
	sqlite3_stmt *s = wst(S_VIS_INS);
	sqlite3_int64 now = (sqlite3_int64)time(NULL);

	if (s == NULL)
		return -1;
	bind_text(s, 1, token);
	bind_text(s, 2, name);
	bind_text(s, 3, email);
	bind_text(s, 4, lang);
	bind_text(s, 5, referrer);
	bind_text(s, 6, addr);
	sqlite3_bind_int64(s, 7, now);
	sqlite3_bind_int64(s, 8, now);
	if (store_step_done(s) < 0)
		return -1;
	*id = sqlite3_last_insert_rowid(store_db);
	return 0;
}

int
store_visitor_touch(int64_t id, const char *addr)
{
	sqlite3_stmt *s = wst(S_VIS_TOUCH);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)time(NULL));
	bind_text(s, 2, addr);
	sqlite3_bind_int64(s, 3, id);
	return store_step_done(s);
}

int
store_visitor_find_token(const char *token, int64_t *id)
{
	sqlite3_stmt *s = st(S_VIS_TOKEN);

	if (s == NULL)
		return -1;
	bind_text(s, 1, token);
	return store_step_int64(s, id);
}

int
store_visitor_load(int64_t id, int (*cb)(void *, const struct store_visitor *),
    void *arg)
{
	sqlite3_stmt *s = st(S_VIS_GET);
	int rc, found = 0;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_visitor v = {
			.id = sqlite3_column_int64(s, 0),
			.token = store_col_text(s, 1),
			.name = (const char *)sqlite3_column_text(s, 2),
			.email = (const char *)sqlite3_column_text(s, 3),
			.lang = (const char *)sqlite3_column_text(s, 4),
			.referrer = (const char *)sqlite3_column_text(s, 5),
			.addr = (const char *)sqlite3_column_text(s, 6),
			.first_seen = (time_t)sqlite3_column_int64(s, 7),
			.last_seen = (time_t)sqlite3_column_int64(s, 8),
			.visits = sqlite3_column_int(s, 9),
		};
		found = 1;
		cb(arg, &v);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return -1;
	return found ? 0 : 1;
}

int
store_page_add(int64_t visitor, const char *url, const char *title)
{
	sqlite3_stmt *s = wst(S_PAGE_INS);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, visitor);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)time(NULL));
	bind_text(s, 3, url);
	bind_text(s, 4, title ? title : "");
	return store_step_done(s);
}

int
store_page_foreach(int64_t visitor, store_page_cb *cb, void *arg)
{
	sqlite3_stmt *s = st(S_PAGE_ALL);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, visitor);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_page p = { (time_t)sqlite3_column_int64(s, 0),
		    store_col_text(s, 1), store_col_text(s, 2) };
		if (cb(arg, &p) < 0)
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

/* ---- chats and messages ---- */

int
store_chat_insert(int64_t visitor, const char *group, const char *question,
    int64_t *id)
{
	sqlite3_stmt *s = wst(S_CHAT_INS);
	sqlite3_int64 now = (sqlite3_int64)time(NULL);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, visitor);
	bind_text(s, 2, group);
	bind_text(s, 3, question ? question : "");
	sqlite3_bind_int64(s, 4, now);
	sqlite3_bind_int64(s, 5, now);
	if (store_step_done(s) < 0)
		return -1;
	*id = sqlite3_last_insert_rowid(store_db);
	return 0;
}

int
store_chat_set_state(int64_t id, const char *state, const char *agent,
    const char *group)
{
	sqlite3_stmt *s = wst(S_CHAT_STATE);

	if (s == NULL)
		return -1;
	bind_text(s, 1, state);
	bind_text(s, 2, agent);
	bind_text(s, 3, group);
	sqlite3_bind_int64(s, 4, id);
	return store_step_done(s);
}

static int
chat_set_time(int stmt, int64_t id, time_t ts)
{
	sqlite3_stmt *s = wst(stmt);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)ts);
	sqlite3_bind_int64(s, 2, id);
	return store_step_done(s);
}

int
store_chat_first_response(int64_t id, time_t ts)
{
	return chat_set_time(S_CHAT_FIRST, id, ts);
}

int
store_chat_assigned(int64_t id, time_t ts)
{
	return chat_set_time(S_CHAT_ASSIGNED, id, ts);
}

int
store_chat_end(int64_t id, const char *by, int64_t last_seq)
{
	sqlite3_stmt *s;

	if (store_msg_flush_chat(id) < 0 || (s = wst(S_CHAT_END)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)time(NULL));
	bind_text(s, 2, by);
	sqlite3_bind_int64(s, 3, last_seq);
	sqlite3_bind_int64(s, 4, id);
	return store_step_done(s);
}

int
store_chat_rate(int64_t id, int score, const char *comment)
{
	sqlite3_stmt *s = wst(S_CHAT_RATE);

	if (s == NULL)
		return -1;
	sqlite3_bind_int(s, 1, score);
	bind_text(s, 2, comment ? comment : "");
	sqlite3_bind_int64(s, 3, id);
	return store_step_done(s);
}

int
store_chat_wrapup(int64_t id, const char *category, const char *summary)
{
	sqlite3_stmt *s = wst(S_CHAT_WRAP);

	if (s == NULL)
		return -1;
	bind_text(s, 1, category);
	bind_text(s, 2, summary ? summary : "");
	sqlite3_bind_int64(s, 3, id);
	return store_step_done(s);
}

static int
chat_rows(sqlite3_stmt *s, store_chat_cb *cb, void *arg)
{
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_chat c = {
			.id = sqlite3_column_int64(s, 0),
			.visitor = sqlite3_column_int64(s, 1),
			.group = store_col_text(s, 2), .state = store_col_text(s, 3),
			.agent = (const char *)sqlite3_column_text(s, 4),
			.question = store_col_text(s, 5),
			.category = (const char *)sqlite3_column_text(s, 6),
			.summary = (const char *)sqlite3_column_text(s, 7),
			.rating_comment = (const char *)sqlite3_column_text(s, 8),
			.created = (time_t)sqlite3_column_int64(s, 9),
			.queued_at = (time_t)sqlite3_column_int64(s, 10),
			.ended_at = (time_t)sqlite3_column_int64(s, 11),
			.rating = sqlite3_column_int(s, 12),
			.last_seq = sqlite3_column_int64(s, 13),
		};
		if (cb(arg, &c) < 0)
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

int
store_chat_foreach_active(store_chat_cb *cb, void *arg)
{
	sqlite3_stmt *s = st(S_CHAT_ACTIVE);

	return s ? chat_rows(s, cb, arg) : -1;
}

int
store_chat_foreach_visitor(int64_t visitor, store_chat_cb *cb, void *arg)
{
	sqlite3_stmt *s = st(S_CHAT_VISITOR);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, visitor);
	return chat_rows(s, cb, arg);
}

/* ---- audit ---- */

int
store_audit(const char *actor, const char *action, const char *detail)
{
	sqlite3_stmt *s = wst(S_AUDIT_INS);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)time(NULL));
	bind_text(s, 2, actor);
	bind_text(s, 3, action);
	bind_text(s, 4, detail ? detail : "");
	return store_step_done(s);
}

int
store_audit_foreach(int limit, store_audit_cb *cb, void *arg)
{
	sqlite3_stmt *s = st(S_AUDIT_ALL);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int(s, 1, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_audit a = { sqlite3_column_int64(s, 0),
		    (time_t)sqlite3_column_int64(s, 1), store_col_text(s, 2),
		    store_col_text(s, 3), store_col_text(s, 4) };
		if (cb(arg, &a) < 0)
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}
