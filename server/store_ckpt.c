/*
 * store_ckpt.c - WAL checkpoints on a thread of their own.
 *
 * SQLite's automatic checkpoint runs inside the COMMIT that takes the WAL
 * past 1,000 pages: it copies those pages into the database file and
 * fsyncs both files, ~10 ms during which the event loop serves nobody (the
 * p99 latency tail under load). Here the loop's connection only notes that
 * the WAL has grown (wal_hook, called at commit) and a helper thread with
 * its own connection runs a PASSIVE checkpoint, which never takes the write
 * lock: the loop keeps appending to the WAL while pages are copied. The
 * next write transaction after a complete checkpoint restarts the WAL from
 * its beginning, so it stays small.
 *
 * The thread touches nothing but its own connection and the few variables
 * below (under `mu`). Connections and chats stay on the loop's thread.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store.h"
#include "store_int.h"

#define CKPT_FRAMES	1000	/* wake the thread at this WAL size */
#define INLINE_FRAMES	50000	/* backstop: the thread cannot keep up */

static pthread_t thread;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int running, want, stopping;
static int alive;		/* the thread has its connection */
static long done, busy;		/* checkpoints run / not completed */
static char *dbpath;

static void *
run(void *arg)
{
	sqlite3 *db = NULL;

	(void)arg;
	if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		sqlite3_close(db);	/* alive stays 0: checkpoints run inline */
		return NULL;
	}
	pthread_mutex_lock(&mu);
	alive = 1;
	for (;;) {
		while (!want && !stopping)
			pthread_cond_wait(&cv, &mu);
		if (stopping)
			break;
		want = 0;
		pthread_mutex_unlock(&mu);
		int rc = sqlite3_wal_checkpoint_v2(db, NULL,
		    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&mu);
		if (rc == SQLITE_OK)
			done++;
		else
			busy++;		/* e.g. an admin command: next time */
	}
	alive = 0;
	pthread_mutex_unlock(&mu);
	sqlite3_close(db);
	return NULL;
}

static int
wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
	int inline_ckpt = frames >= INLINE_FRAMES;

	(void)arg;
	if (frames < CKPT_FRAMES)
		return SQLITE_OK;
	pthread_mutex_lock(&mu);
	if (!alive)
		inline_ckpt = 1;
	else if (!want) {
		want = 1;
		pthread_cond_signal(&cv);
	}
	pthread_mutex_unlock(&mu);
	/* no thread, or it cannot keep up: copy what we can right here */
	if (inline_ckpt)
		(void)sqlite3_wal_checkpoint_v2(db, name,
		    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return SQLITE_OK;
}

int
store_ckpt_start(const char *path)
{
	if (running || store_db == NULL)
		return -1;
	if ((dbpath = strdup(path)) == NULL)
		return -1;
	stopping = want = 0;
	if (pthread_create(&thread, NULL, run, NULL) != 0) {
		log_warn("store: no checkpoint thread; checkpoints run inline");
		free(dbpath);
		dbpath = NULL;
		return -1;
	}
	running = 1;
	sqlite3_wal_hook(store_db, wal_hook, NULL);
	return 0;
}

void
store_ckpt_stop(void)
{
	if (!running)
		return;
	pthread_mutex_lock(&mu);
	stopping = 1;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	pthread_join(thread, NULL);
	running = 0;
	log_debug("store: %ld background checkpoint(s), %ld incomplete", done,
	    busy);
	free(dbpath);
	dbpath = NULL;
	if (store_db != NULL)	/* back to SQLite's own */
		sqlite3_wal_autocheckpoint(store_db, CKPT_FRAMES);
}
