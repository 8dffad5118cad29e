/*
 * store.c - SQLite storage: the connection, the statement helpers the other
 * store_*.c files share (store_int.h), group commit, online backup.
 *
 * Every SQL text lives in a statement table in the file that uses it and is
 * prepared once, on first use; all values are bound as parameters (by
 * store_bind() here), never pasted into SQL. Writes open a transaction
 * lazily (store_tx_begin) which store_commit() closes once per event loop
 * iteration. It begins IMMEDIATE, taking the write lock at once (waiting
 * for it under the busy timeout): a deferred one that read first (an
 * import looking up groups) could not be upgraded once another process
 * had written, and failed at once with "database is locked". WAL with synchronous=NORMAL keeps a committed transaction
 * across a process crash (kill -9), which is what "OK means stored" needs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "store.h"
#include "store_int.h"

sqlite3 *store_db;
static int in_tx;
static int tx_lost;		/* SQLite rolled the open transaction back */

static struct store_sql tx_sql[] = {
	{ "BEGIN IMMEDIATE", NULL }, { "COMMIT", NULL }, { "ROLLBACK", NULL },
	{ "SAVEPOINT kefu_op", NULL }, { "RELEASE kefu_op", NULL },
	{ "ROLLBACK TO kefu_op", NULL },
};
enum { T_BEGIN, T_COMMIT, T_ROLLBACK, T_OP, T_OP_RELEASE, T_OP_UNDO };

/* every statement prepared so far, for store_close() to finalize */
static sqlite3_stmt ***prepared;
static size_t nprepared, capprepared;

const char *
store_errmsg(void)
{
	return store_db ? sqlite3_errmsg(store_db) : "database not open";
}

/* Remember a statement to finalize; -1 if out of memory. */
static int
prepared_add(sqlite3_stmt **slot)
{
	if (nprepared == capprepared) {
		size_t cap = capprepared ? 2 * capprepared : 64;
		sqlite3_stmt ***p = realloc(prepared, cap * sizeof(*p));

		if (p == NULL)
			return -1;
		prepared = p;
		capprepared = cap;
	}
	prepared[nprepared++] = slot;
	return 0;
}

sqlite3_stmt *
store_stmt(struct store_sql *q)
{
	if (q->stmt == NULL) {
		if (sqlite3_prepare_v3(store_db, q->text, -1,
		    SQLITE_PREPARE_PERSISTENT, &q->stmt, NULL) != SQLITE_OK) {
			log_error("store: prepare \"%.40s\": %s", q->text,
			    sqlite3_errmsg(store_db));
			return NULL;
		}
		if (prepared_add(&q->stmt) < 0) {
			log_error("store: out of memory");
			sqlite3_finalize(q->stmt);
			q->stmt = NULL;
			return NULL;
		}
	}
	sqlite3_reset(q->stmt);
	sqlite3_clear_bindings(q->stmt);
	return q->stmt;
}

sqlite3_stmt *
store_wstmt(struct store_sql *q)
{
	if (store_tx_begin() < 0)
		return NULL;
	return store_stmt(q);
}

static void
stmts_free(void)
{
	for (size_t i = 0; i < nprepared; i++) {
		sqlite3_finalize(*prepared[i]);
		*prepared[i] = NULL;
	}
	free(prepared);
	prepared = NULL;
	nprepared = capprepared = 0;
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
	if (in_tx)
		return 0;
	if (tx_lost)
		return -1;	/* until the failed iteration is committed */
	if (store_exec(store_stmt(&tx_sql[T_BEGIN]), "") < 0)
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
	if (tx_lost) {		/* see store_step_done() */
		tx_lost = 0;
		return -1;
	}
	if (!in_tx)
		return 0;
	in_tx = 0;
	if (store_exec(store_stmt(&tx_sql[T_COMMIT]), "") < 0) {
		(void)store_exec(store_stmt(&tx_sql[T_ROLLBACK]), "");
		store_msg_rolled_back();
		return -1;
	}
	return 0;
}

/* One request's several writes, all or none, inside the iteration's
 * transaction: a savepoint, released when they all went in, rolled back
 * to when one failed (the other requests' writes of this iteration stay).
 * When SQLite rolled the whole transaction back (tx_lost) the savepoint
 * went with it and nothing is left to undo. */
int
store_op_begin(void)
{
	if (store_tx_begin() < 0)
		return -1;
	return store_exec(store_stmt(&tx_sql[T_OP]), "");
}

int
store_op_end(int ok)
{
	if (!in_tx)
		return ok ? 0 : -1;
	if (!ok && store_exec(store_stmt(&tx_sql[T_OP_UNDO]), "") < 0)
		return -1;
	if (store_exec(store_stmt(&tx_sql[T_OP_RELEASE]), "") < 0)
		return -1;
	return ok ? 0 : -1;
}

void
store_rollback(void)
{
	if (!in_tx)
		return;
	in_tx = 0;
	(void)store_exec(store_stmt(&tx_sql[T_ROLLBACK]), "");
	store_msg_rolled_back();
}

static sqlite3_stmt *
bind_va(sqlite3_stmt *s, const char *spec, va_list ap)
{
	sqlite3_int64 now = -1;
	const char *t;
	int rc = SQLITE_OK;

	if (s == NULL)
		return NULL;
	for (int i = 1; *spec && rc == SQLITE_OK; spec++, i++) {
		switch (*spec) {
		case 't':
		case 'e':
			t = va_arg(ap, const char *);
			if (t == NULL && *spec == 'e')
				t = "";
			rc = t ? sqlite3_bind_text(s, i, t, -1, SQLITE_STATIC) :
			    sqlite3_bind_null(s, i);
			break;
		case 'i':
			rc = sqlite3_bind_int(s, i, va_arg(ap, int));
			break;
		case 'I':
			rc = sqlite3_bind_int64(s, i, va_arg(ap, int64_t));
			break;
		case 'n':
			if (now < 0)
				now = (sqlite3_int64)time(NULL);
			rc = sqlite3_bind_int64(s, i, now);
			break;
		default:
			rc = SQLITE_MISUSE;
		}
	}
	if (rc != SQLITE_OK) {
		log_error("store: bind: %s", sqlite3_errstr(rc));
		return NULL;
	}
	return s;
}

sqlite3_stmt *
store_bind(sqlite3_stmt *s, const char *spec, ...)
{
	va_list ap;

	va_start(ap, spec);
	s = bind_va(s, spec, ap);
	va_end(ap);
	return s;
}

int
store_exec(sqlite3_stmt *s, const char *spec, ...)
{
	va_list ap;

	va_start(ap, spec);
	s = bind_va(s, spec, ap);
	va_end(ap);
	return s == NULL ? -1 : store_step_done(s);
}

int
store_insert(sqlite3_stmt *s, int64_t *id, const char *spec, ...)
{
	va_list ap;

	va_start(ap, spec);
	s = bind_va(s, spec, ap);
	va_end(ap);
	if (s == NULL || store_step_done(s) < 0)
		return -1;
	*id = sqlite3_last_insert_rowid(store_db);
	return 0;
}

int
store_rows(sqlite3_stmt *s, store_row_fn *row, store_any_fn *cb, void *arg)
{
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (row(s, cb, arg) < 0)
			break;
	sqlite3_reset(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

const char *
store_col_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? (const char *)t : "";
}

/*
 * The database, its -wal and -shm, and a backup hold password hashes and
 * every conversation: only kefud's user may read them, whatever the umask.
 * SQLite gives the -wal, -shm and -journal files it creates the mode of the
 * database file, so the database is created 0600 (or tightened, if an
 * older kefud made it 0644), and companions left from before are tightened
 * too. With create 0, a missing file is fine.
 */
static int
private_file(const char *path, int create, char *err, size_t errlen)
{
	int fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
	struct stat st;

	if (fd < 0) {
		if (!create && errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == 0 && (st.st_mode & 077) != 0) {
		if (fchmod(fd, 0600) < 0)
			log_warn("%s is readable by others and cannot be made "
			    "0600: %s", path, strerror(errno));
		else
			log_info("%s: mode tightened to 0600", path);
	}
	close(fd);
	return 0;
}

static int
private_db_files(const char *path, char *err, size_t errlen)
{
	static const char *const sfx[] = { "-wal", "-shm", "-journal" };
	char p[4096];

	if (private_file(path, 1, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		if ((size_t)snprintf(p, sizeof(p), "%s%s", path, sfx[i]) >= sizeof(p)) {
			snprintf(err, errlen, "%s: path too long", path);
			return -1;
		}
		if (private_file(p, 0, err, errlen) < 0)
			return -1;
	}
	return 0;
}

int
store_open(const char *path, char *err, size_t errlen)
{
	char *msg = NULL;

	if (private_db_files(path, err, errlen) < 0)
		return -1;

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
	if (store_migrate(err, errlen) < 0 || store_msg_open(err, errlen) < 0) {
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
	stmts_free();
	sqlite3_close(store_db);
	store_db = NULL;
}

int
store_backup(const char *dest, char *err, size_t errlen)
{
	sqlite3 *out;
	sqlite3_backup *b;
	int rc;

	if (private_db_files(dest, err, errlen) < 0)
		return -1;
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
