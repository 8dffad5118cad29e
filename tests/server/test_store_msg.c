/*
 * test_store_msg.c - the message log and its batched (chat, seq) index:
 * transcripts complete and in order across batch boundaries, old batches
 * indexed by housekeeping, a crash's pending messages indexed on open, and
 * the migration of a schema-1 database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "store_int.h"
#include "../tap.h"
#include "sqlcount.h"

struct got {
	int n, ordered;
	int64_t last_seq;
	char first[64], last[64];
};

static int
collect(void *arg, const struct store_msg *m)
{
	struct got *g = arg;

	if (g->n > 0 && m->seq != g->last_seq + 1)
		g->ordered = 0;
	g->last_seq = m->seq;
	snprintf(g->n == 0 ? g->first : g->last, 64, "%s", m->body);
	if (g->n == 0)
		snprintf(g->last, 64, "%s", m->body);
	g->n++;
	return 0;
}

static struct got
transcript(int64_t chat)
{
	struct got g = { 0, 1, 0, "", "" };

	if (store_msg_foreach(chat, 0, collect, &g) < 0)
		g.n = -1;
	return g;
}

static int
append(int64_t chat, int64_t seq)
{
	char body[64];
	int n = snprintf(body, sizeof(body), "chat %lld message %lld",
	    (long long)chat, (long long)seq);

	return store_msg_append(chat, seq, 1700000000, "visitor", "v1", body,
	    (size_t)n);
}

static int
copy_file(const char *from, const char *to)
{
	char buf[65536];
	size_t n;
	FILE *in = fopen(from, "rb"), *out;

	if (in == NULL)
		return -1;
	if ((out = fopen(to, "wb")) == NULL) {
		fclose(in);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			break;
	fclose(in);
	return fclose(out);
}

int
main(void)
{
	char dir[] = "/tmp/kefu-store-XXXXXX", path[256], crash[256], w1[300],
	    w2[300], v1[256], err[256] = "";
	int fails = 0;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/a.db", dir);
	snprintf(crash, sizeof(crash), "%s/crash.db", dir);
	snprintf(v1, sizeof(v1), "%s/v1.db", dir);

	ok(store_open(path, err, sizeof(err)) == 0, "open a new database");
	is_int(count("PRAGMA user_version"), store_schema_latest(),
	    "schema is at the latest version");

	/* three chats interleaved, 100 messages each, a commit every 7 */
	for (int i = 0; i < 300; i++) {
		if (append(1 + i % 3, 1 + i / 3) < 0)
			fails++;
		if (i % 7 == 6 && store_commit() < 0)
			fails++;
	}
	ok(fails == 0 && store_commit() == 0, "300 appends and commits");
	is_int(count("SELECT count(*) FROM messages"), 300, "300 rows in the log");
	ok(count("SELECT sum(n) FROM msg_batch") < 300,
	    "some are still waiting for their chat's batch");

	struct got g = transcript(2);
	is_int(g.n, 100, "chat 2: 100 messages read back");
	ok(g.ordered, "chat 2: seq 1..100 in order");
	is_str(g.first, "chat 2 message 1", "chat 2: first body");
	is_str(g.last, "chat 2 message 100", "chat 2: last body");
	is_int(count("SELECT coalesce(sum(n), 0) FROM msg_batch WHERE chat=2"), 100,
	    "reading chat 2 indexed all of it");
	ok(store_commit() == 0, "the read's index writes commit");

	/* housekeeping indexes a batch once it is old enough */
	ok(append(9, 1) == 0 && store_commit() == 0, "a message in chat 9");
	store_msg_housekeep(0);
	is_int(count("SELECT coalesce(sum(n), 0) FROM msg_batch WHERE chat=9"), 0,
	    "a fresh batch waits");
	store_msg_housekeep(60 * 1000);
	ok(store_commit() == 0, "housekeeping commits");
	is_int(count("SELECT coalesce(sum(n), 0) FROM msg_batch WHERE chat=9"), 1,
	    "an old batch is indexed by housekeeping");

	/* ending a chat indexes it */
	ok(append(3, 101) == 0 && store_chat_end(3, "test", 101) == 0 &&
	    store_commit() == 0, "chat 3 gets one more message and ends");
	is_int(count("SELECT coalesce(sum(n), 0) FROM msg_batch WHERE chat=3"), 101,
	    "an ended chat is fully indexed");

	/* a read sees appends of the open transaction */
	ok(append(7, 1) == 0 && append(7, 2) == 0, "two appends, not committed");
	is_int(transcript(7).n, 2, "a read of the chat sees both");
	ok(store_commit() == 0, "then they commit");

	/* ending a chat with no transaction open */
	ok(append(8, 1) == 0 && store_commit() == 0, "chat 8: one message, committed");
	ok(store_chat_end(8, "test", 1) == 0 && store_commit() == 0,
	    "chat 8 ends in a transaction of its own");
	is_int(count("SELECT coalesce(sum(n), 0) FROM msg_batch WHERE chat=8"), 1, "chat 8 indexed");

	/* thousands of chats: the table grows, the FIFO wraps */
	for (int i = 0; i < 3000; i++)
		if (append(1000 + i, 1) < 0 || (i % 100 == 99 && store_commit() < 0))
			fails++;
	ok(fails == 0 && store_commit() == 0, "3000 chats with one message each");
	for (int round = 0; round < 50; round++) {
		store_msg_housekeep(200 * 1000);
		if (store_commit() < 0)
			fails++;
	}
	is_int(count("SELECT coalesce(sum(n), 0) FROM msg_batch WHERE chat >= 1000"), 3000,
	    "housekeeping indexed all 3000 (a few hundred per idle pass)");
	for (int i = 0; i < 3000; i++)
		if (append(1000 + i, 2) < 0)
			fails++;
	ok(fails == 0 && store_commit() == 0, "a second message in each");
	ok(transcript(1000).n == 2 && transcript(3999).n == 2,
	    "first and last chat read back whole");

	/* disk full: whatever SQLite rolls back, every message whose append
	 * and commit both said yes is in its transcript */
	{
		long long pages = count("PRAGMA page_count");
		char pragma[64];
		int okd = 0, last_ok = 0;

		snprintf(pragma, sizeof(pragma), "PRAGMA max_page_count=%lld",
		    pages + 2);
		ok(sqlite3_exec(store_db, pragma, NULL, NULL, NULL) == SQLITE_OK,
		    "database limited to %lld pages", pages + 2);
		for (int i = 1; i <= 2000; i++) {
			int a = append(5000, i);
			int c = store_commit();	/* every iteration, as kefud */
			if (a == 0 && c == 0 && last_ok == i - 1) {
				okd++;
				last_ok = i;
			}
		}
		ok(okd < 2000, "the database filled up after %d messages", okd);
		ok(sqlite3_exec(store_db, "PRAGMA max_page_count=1000000000", NULL,
		    NULL, NULL) == SQLITE_OK, "limit lifted");
		store_msg_housekeep(400 * 1000);
		ok(store_commit() == 0, "commits work again");
		g = transcript(5000);
		ok(g.n >= okd && g.last_seq >= last_ok,
		    "all %d acknowledged messages are there (%d rows)", okd, g.n);
		ok(append(5001, 1) == 0 && store_commit() == 0 &&
		    transcript(5001).n == 1, "a new message after the failure");
	}

	/* a crash: copy the files while messages are pending */
	for (int i = 0; i < 20; i++)
		if (append(1, 101 + i) < 0)
			fails++;
	ok(fails == 0 && store_commit() == 0, "20 more in chat 1, committed");
	ok(count("SELECT coalesce(sum(n), 0) FROM msg_batch WHERE chat=1") < 120,
	    "chat 1 has unindexed messages");
	snprintf(w1, sizeof(w1), "%s-wal", path);
	snprintf(w2, sizeof(w2), "%s-wal", crash);
	ok(copy_file(path, crash) == 0 && copy_file(w1, w2) == 0,
	    "snapshot the database files as a crash would leave them");
	store_close();

	ok(store_open(crash, err, sizeof(err)) == 0, "open the crashed copy");
	is_int(count("SELECT coalesce(sum(n), 0) FROM msg_batch WHERE chat=1"), 120,
	    "the pending messages were indexed on open");
	g = transcript(1);
	ok(g.n == 120 && g.ordered, "chat 1: 120 messages in order after the crash");
	is_str(g.last, "chat 1 message 120", "chat 1: the last one is there");
	store_close();

	/* a clean close indexes everything */
	ok(store_open(path, err, sizeof(err)) == 0, "reopen the original");
	is_int(count("SELECT sum(n) FROM msg_batch"),
	    count("SELECT count(*) FROM messages"), "after a clean close all is indexed");
	is_int(count("SELECT value FROM meta WHERE key='msg_index_lwm'"),
	    count("SELECT max(id) + 1 FROM messages"), "low-water mark is past the end");

	/* a mark left behind batches already written: nothing twice */
	ok(sqlite3_exec(store_db, "UPDATE meta SET value=1 WHERE "
	    "key='msg_index_lwm'", NULL, NULL, NULL) == SQLITE_OK,
	    "move the low-water mark back to the first message");
	store_close();
	ok(store_open(path, err, sizeof(err)) == 0, "reopen: %s", err);
	is_int(count("SELECT sum(n) FROM msg_batch"),
	    count("SELECT count(*) FROM messages"), "every message indexed once");
	g = transcript(2);
	ok(g.n == 100 && g.ordered, "chat 2: still 100 in order");
	ok(transcript(5000).n >= 1 && transcript(5000).ordered,
	    "chat 5000: in order, no message twice");

	/* a damaged index row is an error, not a crash or a wrong transcript */
	ok(sqlite3_exec(store_db, "UPDATE msg_batch SET ids=x'ff' WHERE chat=2 "
	    "AND first_seq=1", NULL, NULL, NULL) == SQLITE_OK &&
	    sqlite3_changes(store_db) == 1, "cut the first index row of chat 2");
	is_int(transcript(2).n, -1, "reading chat 2 fails");
	store_close();

	/* a schema-1 database is migrated */
	sqlite3 *d;
	ok(sqlite3_open(v1, &d) == SQLITE_OK && sqlite3_exec(d,
	    "CREATE TABLE messages (chat INTEGER NOT NULL, seq INTEGER NOT NULL,"
	    " ts INTEGER NOT NULL, kind TEXT NOT NULL, sender TEXT NOT NULL,"
	    " body TEXT NOT NULL, PRIMARY KEY (chat, seq)) WITHOUT ROWID;"
	    "INSERT INTO messages VALUES (5, 2, 10, 'agent', 'alice', '你好，请稍等');"
	    "INSERT INTO messages VALUES (5, 1, 9, 'visitor', 'v', 'hello');"
	    "INSERT INTO messages VALUES (4, 1, 8, 'visitor', 'v', 'other');"
	    "CREATE TABLE visitors (id INTEGER PRIMARY KEY, email TEXT);"
	    "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);"
	    "CREATE TABLE user_keys (id INTEGER PRIMARY KEY, user TEXT);"
	    "INSERT INTO users (name) VALUES ('alice');"
	    "INSERT INTO user_keys (user) VALUES ('alice');"
	    "INSERT INTO user_keys (user) VALUES ('bob');"
	    "CREATE TABLE chats (id INTEGER PRIMARY KEY, state TEXT NOT NULL,"
	    " queued_at INTEGER NOT NULL, assigned_at INTEGER);"
	    "INSERT INTO chats VALUES (4, 'ended', 7, NULL);"
	    "INSERT INTO chats VALUES (5, 'ended', 8, 9);"
	    "INSERT INTO chats VALUES (6, 'queued', 9, NULL);"
	    "CREATE TABLE groups (id INTEGER PRIMARY KEY, name TEXT);"
	    "INSERT INTO groups (name) VALUES ('sales');"
	    "CREATE TABLE replies (id INTEGER PRIMARY KEY, grp TEXT,"
	    " title TEXT NOT NULL, body TEXT NOT NULL);"
	    "INSERT INTO replies (grp, title, body) VALUES (NULL, '问候', '您好');"
	    "INSERT INTO replies (grp, title, body) VALUES ('sales', 'b', 'x');"
	    "PRAGMA user_version=1;", NULL, NULL, NULL) == SQLITE_OK &&
	    sqlite3_close(d) == SQLITE_OK, "make a schema-1 message table");
	/* the rest of schema 1 is not needed by the later migrations */
	ok(store_open(v1, err, sizeof(err)) == 0, "open migrates it: %s", err);
	is_int(count("PRAGMA user_version"), store_schema_latest(),
	    "now at the latest version");
	is_int(count("SELECT count(*) FROM user_keys WHERE user='bob'"), 0,
	    "migration 5 dropped the key of the deleted account bob");
	is_int(count("SELECT count(*) FROM user_keys WHERE user='alice'"), 1,
	    "and kept alice's");
	is_int(count("SELECT group_concat(id) FROM chats WHERE missed=1"), 4,
	    "migration 6: the ended chat never assigned counts as missed");
	is_int(count("SELECT count(*) FROM replies WHERE owner IS NULL AND "
	    "cat='' AND code='' AND pos=id"), 2,
	    "migration 7: the old quick replies are shared, in their old order");
	ok(count("SELECT count(*) FROM users WHERE name='alice' AND disabled=0") == 1 &&
	    count("SELECT count(*) FROM groups WHERE name='sales' AND deleted=0") == 1,
	    "migration 13: accounts enabled, groups not deleted");
	g = transcript(5);
	ok(g.n == 2 && g.ordered, "chat 5: both messages, in seq order");
	is_str(g.first, "hello", "chat 5: seq 1 first");
	is_str(g.last, "你好，请稍等", "chat 5: CJK body kept");
	is_int(count("SELECT count(*) FROM sqlite_master WHERE name='msg_index'"), 0,
	    "migration 17: the per-message index is gone");
	is_int(count("SELECT sum(n) FROM msg_batch"), 3,
	    "migration 17: its 3 messages are in batch rows");
	ok(append(5, 3) == 0 && store_commit() == 0, "appending after the migration");
	is_int(transcript(5).n, 3, "chat 5 now has 3");
	store_close();

	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done();
}
