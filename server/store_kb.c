/*
 * store_kb.c - the knowledge base of the bot (智能客服) in the store:
 * entries (a question, alternative phrasings and keywords separated by
 * '|', an answer, a group or NULL for every group, enabled or not, how
 * often the bot gave it), the FTS5 trigram index over question and keys
 * that finds candidates (migration 9 keeps it in step with triggers), and
 * what the bot did in a chat, which reports count. Scoring the candidates
 * is kb.c's.
 */
#include <sqlite3.h>

#include "store.h"
#include "store_int.h"

enum {
	S_INS, S_GET, S_UPD, S_DEL, S_COUNT, S_LIST, S_FTS, S_LIKE, S_HIT,
	S_BOT_OPEN, S_BOT_FIGS, S_HANDOFF, S_ALL,
	S__COUNT
};

#define COLS "kb.id, kb.grp, kb.question, kb.keys, kb.answer, kb.enabled, kb.hits"

static struct store_sql sql[S__COUNT] = {
	[S_INS] = { "INSERT INTO kb (grp, question, keys, answer, enabled, "
	    "created, updated) VALUES (?1,?2,?3,?4,?5,?6,?6)", NULL },
	[S_GET] = { "SELECT " COLS " FROM kb WHERE id=?", NULL },
	/* ?2 group: NULL unchanged, '' every group; ?6 enabled: -1 unchanged */
	[S_UPD] = { "UPDATE kb SET grp=CASE WHEN ?2 IS NULL THEN grp "
	    "WHEN ?2 = '' THEN NULL ELSE ?2 END, question=coalesce(?3, question), "
	    "keys=coalesce(?4, keys), answer=coalesce(?5, answer), "
	    "enabled=CASE WHEN ?6 >= 0 THEN ?6 ELSE enabled END, updated=?7 "
	    "WHERE id=?1", NULL },
	[S_DEL] = { "DELETE FROM kb WHERE id=?", NULL },
	[S_COUNT] = { "SELECT count(*) FROM kb", NULL },
	/* ?1 group ('' any, '-' the entries for every group), ?2 query
	 * ('' all: a substring of question, keys or answer), ?3 limit */
	[S_LIST] = { "SELECT " COLS " FROM kb WHERE (?1 = '' OR "
	    "(?1 = '-' AND grp IS NULL) OR grp = ?1) AND (?2 = '' OR "
	    "instr(lower(question), lower(?2)) > 0 OR "
	    "instr(lower(keys), lower(?2)) > 0 OR "
	    "instr(lower(answer), lower(?2)) > 0) ORDER BY id LIMIT ?3", NULL },
	/* candidates: ?1 an FTS5 query, ?2 the group (NULL: any), ?3 limit;
	 * the best bm25 first (question weighs more than keys) */
	[S_FTS] = { "SELECT " COLS " FROM kb_fts JOIN kb ON kb.id = kb_fts.rowid "
	    "WHERE kb_fts MATCH ?1 AND kb.enabled = 1 AND "
	    "(?2 IS NULL OR kb.grp IS NULL OR kb.grp = ?2) "
	    "ORDER BY bm25(kb_fts, 2.0, 1.0), kb.id LIMIT ?3", NULL },
	/* the same for a query too short for trigrams: ?1 a LIKE pattern */
	[S_LIKE] = { "SELECT " COLS " FROM kb WHERE enabled = 1 AND "
	    "(?2 IS NULL OR grp IS NULL OR grp = ?2) AND "
	    "(question LIKE ?1 ESCAPE '\\' OR keys LIKE ?1 ESCAPE '\\') "
	    "ORDER BY id LIMIT ?3", NULL },
	[S_HIT] = { "UPDATE kb SET hits = hits + 1 WHERE id=?", NULL },
	[S_BOT_OPEN] = { "UPDATE chats SET state='bot', bot=1 WHERE id=?", NULL },
	[S_BOT_FIGS] = { "UPDATE chats SET bot_answered = bot_answered + ?2, "
	    "bot_unanswered = bot_unanswered + ?3 WHERE id=?1", NULL },
	/* handed to the queue: its wait counts from now */
	[S_HANDOFF] = { "UPDATE chats SET state='queued', handed_off=1, "
	    "queued_at=?2 WHERE id=?1", NULL },
	[S_ALL] = { "SELECT " COLS " FROM kb ORDER BY id", NULL },
};

int
store_kb_insert(const struct store_kb *k, int64_t *id)
{
	return store_insert(store_wstmt(&sql[S_INS]), id, "ttttin", k->group,
	    k->question, k->keys, k->answer, k->enabled);
}

int
store_kb_update(const struct store_kb *k)
{
	if (store_exec(store_wstmt(&sql[S_UPD]), "Ittttin", k->id, k->group,
	    k->question, k->keys, k->answer, k->enabled) < 0)
		return -1;
	return sqlite3_changes(store_db) > 0 ? 0 : 1;
}

int
store_kb_delete(int64_t id)
{
	if (store_exec(store_wstmt(&sql[S_DEL]), "I", id) < 0)
		return -1;
	return sqlite3_changes(store_db) > 0 ? 0 : 1;
}

int
store_kb_count(int64_t *n)
{
	sqlite3_stmt *s = store_stmt(&sql[S_COUNT]);

	return s == NULL || store_step_int64(s, n) != 0 ? -1 : 0;
}

int
store_kb_hit(int64_t id)
{
	return store_exec(store_wstmt(&sql[S_HIT]), "I", id);
}

static int
kb_row(sqlite3_stmt *s, store_any_fn *cb, void *arg)
{
	struct store_kb k = { sqlite3_column_int64(s, 0),
	    (const char *)sqlite3_column_text(s, 1), store_col_text(s, 2),
	    store_col_text(s, 3), store_col_text(s, 4),
	    sqlite3_column_int(s, 5), sqlite3_column_int64(s, 6) };

	return ((store_kb_cb *)cb)(arg, &k);
}

int
store_kb_get(int64_t id, store_kb_cb *cb, void *arg)
{
	return store_rows(store_bind(store_stmt(&sql[S_GET]), "I", id),
	    kb_row, (store_any_fn *)cb, arg);
}

int
store_kb_list(const char *group, const char *q, int limit, store_kb_cb *cb,
    void *arg)
{
	return store_rows(store_bind(store_stmt(&sql[S_LIST]), "eei", group, q,
	    limit), kb_row, (store_any_fn *)cb, arg);
}

int
store_kb_candidates(const char *fts, const char *like, const char *group,
    int limit, store_kb_cb *cb, void *arg)
{
	struct store_sql *q = fts ? &sql[S_FTS] : &sql[S_LIKE];

	return store_rows(store_bind(store_stmt(q), "tti", fts ? fts : like,
	    group, limit), kb_row, (store_any_fn *)cb, arg);
}

int
store_kb_foreach(store_kb_cb *cb, void *arg)
{
	return store_rows(store_stmt(&sql[S_ALL]), kb_row, (store_any_fn *)cb,
	    arg);
}

int
store_chat_bot_open(int64_t chat)
{
	return store_exec(store_wstmt(&sql[S_BOT_OPEN]), "I", chat);
}

int
store_chat_bot_count(int64_t chat, int answered, int unanswered)
{
	return store_exec(store_wstmt(&sql[S_BOT_FIGS]), "Iii", chat, answered,
	    unanswered);
}

int
store_chat_handoff(int64_t chat)
{
	return store_exec(store_wstmt(&sql[S_HANDOFF]), "In", chat);
}
