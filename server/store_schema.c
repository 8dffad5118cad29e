/*
 * store_schema.c - the database schema and its migrations. The schema's
 * version is SQLite's user_version; store_open() calls store_migrate(),
 * which applies each missing migration in a transaction of its own.
 * A new table or column is a new migration at the end of the list, never an
 * edit of an old one.
 */
#include <stdio.h>
#include <sqlite3.h>

#include "log.h"
#include "store_int.h"

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
	/* 3: the browser a web visitor came with */
	"ALTER TABLE visitors ADD COLUMN ua TEXT;",
	/* 4: cases (leave-a-message and follow-ups, see store_case.c): the
	 * case itself and its history (created, state, assign, note, reply) */
	"CREATE TABLE cases ("
	"  id INTEGER PRIMARY KEY, grp TEXT NOT NULL, visitor INTEGER,"
	"  chat INTEGER, source TEXT NOT NULL,"
	"  name TEXT NOT NULL DEFAULT '', phone TEXT NOT NULL DEFAULT '',"
	"  email TEXT NOT NULL DEFAULT '', body TEXT NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'new', assignee TEXT,"
	"  created INTEGER NOT NULL, updated INTEGER NOT NULL);"
	"CREATE INDEX cases_state ON cases(state, id);"
	"CREATE INDEX cases_visitor ON cases(visitor);"
	"CREATE UNIQUE INDEX cases_chat ON cases(chat) WHERE chat IS NOT NULL;"
	"CREATE TABLE case_events ("
	"  id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL, ts INTEGER NOT NULL,"
	"  actor TEXT NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL DEFAULT '',"
	"  delivered INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX case_events_case ON case_events(case_id, id);",
	/* 5: keys of deleted accounts go with them only from here on; drop
	 * the ones left behind, which a re-created account would inherit */
	"DELETE FROM user_keys WHERE user NOT IN (SELECT name FROM users);",
	/* 6: what reports need (report.c): transfers and chats that ended in
	 * the queue (old rows: never assigned), the status-change log, and
	 * chats found by when they were offered */
	"ALTER TABLE chats ADD COLUMN transfers INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE chats ADD COLUMN missed INTEGER NOT NULL DEFAULT 0;"
	"UPDATE chats SET missed=1 WHERE state='ended' AND assigned_at IS NULL;"
	"CREATE INDEX chats_queued_at ON chats(queued_at);"
	"CREATE TABLE agent_status_log ("
	"  id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, agent TEXT NOT NULL,"
	"  status TEXT NOT NULL);"
	"CREATE INDEX agent_status_log_agent ON agent_status_log(agent, ts);"
	"CREATE INDEX agent_status_log_ts ON agent_status_log(ts);",
	/* 7: quick replies get an owner (personal ones; NULL: shared), a
	 * category, a short code and a position (store_reply.c) */
	"ALTER TABLE replies ADD COLUMN owner TEXT;"
	"ALTER TABLE replies ADD COLUMN cat TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE replies ADD COLUMN code TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE replies ADD COLUMN pos INTEGER NOT NULL DEFAULT 0;"
	"UPDATE replies SET pos = id;"
	"CREATE INDEX replies_owner ON replies(owner);",
	/* 8: the blacklist (ban.c): who banned what, why, until when, and
	 * who lifted it */
	"CREATE TABLE bans ("
	"  id INTEGER PRIMARY KEY, kind TEXT NOT NULL, value TEXT NOT NULL,"
	"  reason TEXT NOT NULL DEFAULT '', actor TEXT NOT NULL,"
	"  created INTEGER NOT NULL, until INTEGER, lifted INTEGER,"
	"  lifted_by TEXT);",
	/* 9: customer cards (store_customer.c): one customer for the visits
	 * of one person, linked from visitors.customer; its phones and
	 * e-mails (each belongs to one customer, matched by key: a phone's
	 * digits, an e-mail in lower case), tags and custom fields */
	"CREATE TABLE customers ("
	"  id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '',"
	"  company TEXT NOT NULL DEFAULT '', region TEXT NOT NULL DEFAULT '',"
	"  address TEXT NOT NULL DEFAULT '', notes TEXT NOT NULL DEFAULT '',"
	"  created INTEGER NOT NULL, updated INTEGER NOT NULL);"
	"CREATE INDEX customers_updated ON customers(updated, id);"
	"CREATE TABLE customer_contacts ("
	"  id INTEGER PRIMARY KEY, customer INTEGER NOT NULL,"
	"  kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
	"  UNIQUE (kind, key));"
	"CREATE INDEX customer_contacts_customer ON customer_contacts(customer);"
	"CREATE TABLE customer_tags ("
	"  customer INTEGER NOT NULL, tag TEXT NOT NULL,"
	"  PRIMARY KEY (customer, tag)) WITHOUT ROWID;"
	"CREATE INDEX customer_tags_tag ON customer_tags(tag);"
	"CREATE TABLE customer_fields ("
	"  customer INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
	"  PRIMARY KEY (customer, key)) WITHOUT ROWID;"
	"ALTER TABLE visitors ADD COLUMN customer INTEGER;"
	"CREATE INDEX visitors_customer ON visitors(customer);"
	"CREATE INDEX visitors_email ON visitors(lower(email));",
	/* 10: internal conversation (store_internal.c): staff messages to a
	 * colleague (conv 'pair:A:B', A < B, both in peer_a/peer_b), a group
	 * ('group:G') or everyone ('all'), and how far each agent has read
	 * each conversation */
	"CREATE TABLE imsgs ("
	"  id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, sender TEXT NOT NULL,"
	"  conv TEXT NOT NULL, peer_a TEXT, peer_b TEXT, body TEXT NOT NULL);"
	"CREATE INDEX imsgs_conv ON imsgs(conv, id);"
	"CREATE INDEX imsgs_peer_a ON imsgs(peer_a, id) WHERE peer_a IS NOT NULL;"
	"CREATE INDEX imsgs_peer_b ON imsgs(peer_b, id) WHERE peer_b IS NOT NULL;"
	"CREATE TABLE iread ("
	"  agent TEXT NOT NULL, conv TEXT NOT NULL, last INTEGER NOT NULL,"
	"  PRIMARY KEY (agent, conv)) WITHOUT ROWID;",
	/* 11: the region of a visitor's address (region.c), for the card */
	"ALTER TABLE visitors ADD COLUMN region TEXT;",
	/* 12: maintenance mode (MAINT on) outlives a restart: one row while
	 * it is on (offhours.c) */
	"CREATE TABLE maint ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1), until INTEGER NOT NULL,"
	"  notice TEXT NOT NULL, actor TEXT NOT NULL, since INTEGER NOT NULL);",
	/* 13: accounts can be disabled (they keep their data but cannot log
	 * in), groups deleted (kept as a row so the config's seed groups do
	 * not come back; GROUPADD of the name revives it) */
	"ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE groups ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;",
	/* 14: an agent's pair conversations found from the index alone
	 * (store_internal.c counts unread per conversation; one query over
	 * every message took 185 ms at 200,000 messages) */
	"DROP INDEX imsgs_peer_a;"
	"DROP INDEX imsgs_peer_b;"
	"CREATE INDEX imsgs_peer_a ON imsgs(peer_a, conv, peer_b) WHERE peer_a IS NOT NULL;"
	"CREATE INDEX imsgs_peer_b ON imsgs(peer_b, conv, peer_a) WHERE peer_b IS NOT NULL;",
	/* 15: the knowledge base of the bot (kb.c, store_kb.c): entries and
	 * their full-text index (FTS5, trigram: Chinese matches too), kept
	 * in step by triggers; what the bot did in each chat, for reports */
	"CREATE TABLE kb ("
	"  id INTEGER PRIMARY KEY, grp TEXT, question TEXT NOT NULL,"
	"  keys TEXT NOT NULL DEFAULT '', answer TEXT NOT NULL,"
	"  enabled INTEGER NOT NULL DEFAULT 1, hits INTEGER NOT NULL DEFAULT 0,"
	"  created INTEGER NOT NULL, updated INTEGER NOT NULL);"
	"CREATE VIRTUAL TABLE kb_fts USING fts5(question, keys,"
	"  content='kb', content_rowid='id', tokenize='trigram');"
	"CREATE TRIGGER kb_ai AFTER INSERT ON kb BEGIN"
	"  INSERT INTO kb_fts (rowid, question, keys)"
	"  VALUES (new.id, new.question, new.keys); END;"
	"CREATE TRIGGER kb_ad AFTER DELETE ON kb BEGIN"
	"  INSERT INTO kb_fts (kb_fts, rowid, question, keys)"
	"  VALUES ('delete', old.id, old.question, old.keys); END;"
	"CREATE TRIGGER kb_au AFTER UPDATE OF question, keys ON kb BEGIN"
	"  INSERT INTO kb_fts (kb_fts, rowid, question, keys)"
	"  VALUES ('delete', old.id, old.question, old.keys);"
	"  INSERT INTO kb_fts (rowid, question, keys)"
	"  VALUES (new.id, new.question, new.keys); END;"
	"ALTER TABLE chats ADD COLUMN bot INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE chats ADD COLUMN bot_answered INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE chats ADD COLUMN bot_unanswered INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE chats ADD COLUMN handed_off INTEGER NOT NULL DEFAULT 0;",
	/* 16: history search (store_find.c): a trigram full-text index of
	 * message bodies, filled behind the messages up to meta 'fts_lwm' */
	"CREATE VIRTUAL TABLE msg_fts USING fts5(body, content='messages',"
	"  content_rowid='id', tokenize='trigram');"
	"INSERT INTO meta (key, value) VALUES ('fts_lwm', 0);",
	/* 17: the (chat, seq) -> id index as one row per batch of a chat's
	 * messages instead of one per message (store_msg.c); the batches are
	 * built on open from the low-water mark, here the first message */
	"CREATE TABLE msg_batch ("
	"  chat INTEGER NOT NULL, first_seq INTEGER NOT NULL,"
	"  last_seq INTEGER NOT NULL, n INTEGER NOT NULL, ids BLOB NOT NULL,"
	"  PRIMARY KEY (chat, first_seq)) WITHOUT ROWID;"
	"DROP TABLE msg_index;"
	"UPDATE meta SET value=1 WHERE key='msg_index_lwm';",
	/* 18: the phone a web visitor gave in the pre-chat form (HELLO) */
	"ALTER TABLE visitors ADD COLUMN phone TEXT;",
};

int
store_schema_latest(void)
{
	return (int)(sizeof(migrations) / sizeof(migrations[0]));
}

int
store_migrate(char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int version, n = store_schema_latest();

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
