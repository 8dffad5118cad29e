/*
 * backup.c - the database lock, checking a database, and `kefud restore`.
 *
 * A running kefud holds a POSIX write lock on "<database>.lock" (taken
 * before the database is opened, released when the process ends, not
 * inherited by its helpers). `kefud restore` takes the same lock, so it
 * refuses while kefud runs and kefud cannot start while a restore works.
 *
 *   kefud restore BACKUP.db
 *
 * checks the backup (PRAGMA integrity_check, and that it is a kefud
 * database), copies it next to the database (mode 0600) with SQLite's
 * backup API, folds the old database's WAL into it and renames it to
 * "<database>.<YYYYmmdd-HHMMSS>.bak", then renames the copy into place.
 * The scheduled online backups are in backup_sched.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backup.h"

int
backup_lock(const char *db, char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct flock fl;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s.lock", db) >= sizeof(path)) {
		snprintf(err, errlen, "%s: path too long", db);
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%.300s: %s", path, strerror(errno));
		return -1;
	}
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_SETLK, &fl) < 0) {
		int e = errno;

		close(fd);
		if (e == EACCES || e == EAGAIN) {
			snprintf(err, errlen, "%s is in use: kefud (or a restore) "
			    "is running on it", db);
			return 1;
		}
		snprintf(err, errlen, "%.300s: %s", path, strerror(e));
		return -1;
	}
	return 0;	/* fd stays open: closing it would drop the lock */
}

pid_t
backup_lock_holder(const char *db)
{
	char path[PATH_MAX];
	struct flock fl;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s.lock", db) >= sizeof(path) ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_GETLK, &fl) < 0 || fl.l_type == F_UNLCK)
		fl.l_pid = 0;
	close(fd);
	return fl.l_pid > 0 ? fl.l_pid : 0;
}

struct sqlite3 *
backup_open_readonly(const char *path)
{
	char uri[PATH_MAX * 3 + 64], wal[PATH_MAX + 8];
	struct stat st;
	sqlite3 *db = NULL;
	size_t n;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "kefud: no database at %s\n", path);
		return NULL;
	}
	n = (size_t)snprintf(uri, sizeof(uri), "file:");
	for (const char *p = path; *p && n + 4 < sizeof(uri); p++)
		if (strchr("?#%", *p) || (unsigned char)*p < 0x20)
			n += (size_t)snprintf(uri + n, sizeof(uri) - n, "%%%02X",
			    (unsigned char)*p);
		else
			uri[n++] = *p;
	snprintf(uri + n, sizeof(uri) - n, "%s", "?mode=ro");
	snprintf(wal, sizeof(wal), "%s-wal", path);
	if (stat(wal, &st) < 0)
		snprintf(uri + n, sizeof(uri) - n, "%s", "?mode=ro&immutable=1");
	if (sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
	    NULL) != SQLITE_OK) {
		fprintf(stderr, "kefud: %s: %s\n", path, db ? sqlite3_errmsg(db) :
		    "cannot open");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 5000);
	return db;
}

int
backup_integrity(struct sqlite3 *db, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int rc, ok = 0;

	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check(20)", -1, &s,
	    NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		return -1;
	}
	err[0] = '\0';
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0);

		if (t && strcmp(t, "ok") == 0)
			ok = 1;
		else if (err[0] == '\0')
			snprintf(err, errlen, "%s", t ? t : "?");
	}
	if (rc != SQLITE_DONE && err[0] == '\0')
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
	sqlite3_finalize(s);
	return ok && rc == SQLITE_DONE ? 0 : -1;
}

/* A kefud database has these tables. */
static int
is_kefu_db(sqlite3 *db)
{
	sqlite3_stmt *s;
	int n = 0;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master WHERE "
	    "type='table' AND name IN ('users','chats','messages')", -1, &s,
	    NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return n == 3;
}

int
backup_check_main(const char *path)
{
	char err[512];
	sqlite3 *db = backup_open_readonly(path);
	int rc;

	if (db == NULL)
		return 1;
	rc = backup_integrity(db, err, sizeof(err));
	sqlite3_close(db);
	printf("%s\n", rc == 0 ? "ok" : err);
	return rc == 0 ? 0 : 1;
}

/* Copy the database from into the new file to (mode 0600). */
static int
copy_db(sqlite3 *from, const char *to, char *err, size_t errlen)
{
	sqlite3 *out = NULL;
	sqlite3_backup *b;
	int fd, rc;

	(void)unlink(to);	/* a copy an earlier restore left */
	fd = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || close(fd) < 0) {
		snprintf(err, errlen, "%.300s: %s", to, strerror(errno));
		return -1;
	}
	if (sqlite3_open_v2(to, &out, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    (b = sqlite3_backup_init(out, "main", from, "main")) == NULL) {
		snprintf(err, errlen, "%.300s: %s", to, out ? sqlite3_errmsg(out) :
		    "cannot open");
		sqlite3_close(out);
		return -1;
	}
	rc = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "copying: %s", sqlite3_errstr(rc));
		sqlite3_close(out);
		return -1;
	}
	return sqlite3_close(out) == SQLITE_OK ? 0 : -1;
}

/* Fold the old database's WAL into it, so the .bak is whole on its own. */
static int
checkpoint_old(const char *db, char *err, size_t errlen)
{
	sqlite3 *d = NULL;
	char *msg = NULL;
	int rc;

	if (sqlite3_open_v2(db, &d, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%.300s: %s", db, d ? sqlite3_errmsg(d) :
		    "cannot open");
		sqlite3_close(d);
		return -1;
	}
	rc = sqlite3_exec(d, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		snprintf(err, errlen, "%.300s: checkpoint: %s", db, msg ? msg : "failed");
	sqlite3_free(msg);
	sqlite3_close(d);
	return rc == SQLITE_OK ? 0 : -1;
}

static int
sync_dir_of(const char *path)
{
	char copy[PATH_MAX];
	int fd, rc;

	snprintf(copy, sizeof(copy), "%s", path);
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* Put the checked backup in place of db, the old one aside. */
static int
restore_into(sqlite3 *from, const char *db, char *bak, size_t baklen,
    char *err, size_t errlen)
{
	char tmp[PATH_MAX], side[PATH_MAX + 8], stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	struct stat st;

	snprintf(tmp, sizeof(tmp), "%s.restore-tmp", db);
	if (copy_db(from, tmp, err, errlen) < 0)
		return -1;
	bak[0] = '\0';
	if (stat(db, &st) == 0) {
		if (checkpoint_old(db, err, errlen) < 0) {
			(void)unlink(tmp);
			return -1;
		}
		if (localtime_r(&now, &tm) == NULL ||
		    strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm) == 0)
			snprintf(stamp, sizeof(stamp), "%lld", (long long)now);
		snprintf(bak, baklen, "%s.%s.bak", db, stamp);
		if (rename(db, bak) < 0) {
			snprintf(err, errlen, "%.300s: %s", db, strerror(errno));
			(void)unlink(tmp);
			return -1;
		}
		/* the WAL was folded in: what is left is empty */
		snprintf(side, sizeof(side), "%s-wal", db);
		(void)unlink(side);
		snprintf(side, sizeof(side), "%s-shm", db);
		(void)unlink(side);
	}
	if (rename(tmp, db) < 0 || chmod(db, 0600) < 0 || sync_dir_of(db) < 0) {
		snprintf(err, errlen, "%.300s: %s", db, strerror(errno));
		return -1;
	}
	return 0;
}

int
restore_main(int argc, char **argv, const char *dbpath)
{
	char err[512], bak[PATH_MAX + 64];
	sqlite3 *from;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: kefud restore BACKUP.db\n");
		return 2;
	}
	if ((from = backup_open_readonly(argv[1])) == NULL)
		return 1;
	if (backup_integrity(from, err, sizeof(err)) < 0 || !is_kefu_db(from)) {
		fprintf(stderr, "kefud: %s is not a sound kefud database: %s\n",
		    argv[1], err[0] ? err : "no users, chats and messages tables");
		sqlite3_close(from);
		return 1;
	}
	rc = backup_lock(dbpath, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "kefud: %s%s\n", err, rc == 1 ?
		    "; stop it before restoring" : "");
		sqlite3_close(from);
		return 1;
	}
	rc = restore_into(from, dbpath, bak, sizeof(bak), err, sizeof(err));
	sqlite3_close(from);
	if (rc < 0) {
		fprintf(stderr, "kefud: restore: %s\n", err);
		return 1;
	}
	printf("restored %s from %s (integrity ok)%s%s\n", dbpath, argv[1],
	    bak[0] ? "; the old database is " : "", bak);
	return 0;
}
