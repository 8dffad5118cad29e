/*
 * backup.h - the database's safety: the lock a running kefud holds on it,
 * scheduled online backups (backup.* in kefu.yml), `kefud restore`, and the
 * read-only open that `kefud report` and restore share.
 */
#ifndef KEFU_BACKUP_H
#define KEFU_BACKUP_H

#include <stddef.h>
#include <sys/types.h>

struct sqlite3;

/* Take the lock on db (a POSIX lock on "<db>.lock", held until the process
 * ends; children do not inherit it): 0, 1 if another process holds it,
 * -1 with err. */
int backup_lock(const char *db, char *err, size_t errlen);

/* The process holding db's lock (a running kefud), or 0 for none. */
pid_t backup_lock_holder(const char *db);

/* Open path read-only; NULL (said why on stderr) if it is not there.
 * Without a -wal file (no kefud has it open) it is opened immutable, so
 * no -wal or -shm file is left behind. */
struct sqlite3 *backup_open_readonly(const char *path);

/* PRAGMA integrity_check: 0 if "ok", else -1 with its first complaint. */
int backup_integrity(struct sqlite3 *db, char *err, size_t errlen);

/* The scheduled backups, from kefud's loop: call after each commit (the
 * store has no open transaction); steps a running backup a few pages at
 * a time and asks the loop to wake for the next step. */
void backup_poll(void);
/* At shutdown: drop a backup in progress (its file is removed). */
void backup_stop(void);

/* `kefud --integrity-check PATH`: the helper that checks a new backup
 * outside the loop; prints "ok" or the complaints, exit status 0 if ok. */
int backup_check_main(const char *path);

/* `kefud restore BACKUP.db` (argv[0] is "restore"): exit status. */
int restore_main(int argc, char **argv, const char *dbpath);

#endif
