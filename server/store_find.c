/*
 * store_find.c - history search (FIND): the full-text index of message
 * bodies and the filtered query over chats.
 *
 * The index is an FTS5 table with the trigram tokenizer (msg_fts, an
 * external-content table over messages: it holds only the index), so
 * Chinese and any other text is found by substring, three characters or
 * more. It is filled behind the messages, not by a trigger: posting a
 * message costs what it did, and store_find_index() adds the messages
 * past a mark (meta 'fts_lwm') in batches, from kefud's one-second tick
 * and, for the rest, before each search, so a search always sees every
 * stored message. Index and mark change in the same transaction.
 *
 * A search never hands user text to FTS5 as query syntax: each word is
 * one quoted string ("" for a quote inside), so `"`, `*`, `NEAR(`, `AND`
 * or `:` are only characters to look for. Words under three characters
 * cannot be matched by trigrams: a query with one is answered with
 * substring tests (instr) over the bodies instead.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store.h"
#include "store_int.h"

#define COLS "SELECT c.id, c.grp, c.agent, c.visitor, v.name, c.created, " \
	"c.ended_at, coalesce(c.rating, 0), c.category, "
#define FILTERS " LEFT JOIN visitors v ON v.id = c.visitor WHERE " \
	"(?1 IS NULL OR c.visitor = ?1) AND (?2 IS NULL OR c.agent = ?2) AND " \
	"(?3 IS NULL OR c.grp = ?3) AND (?4 IS NULL OR c.created >= ?4) AND " \
	"(?5 IS NULL OR c.created < ?5) AND " \
	"(?6 IS NULL OR c.rating BETWEEN ?6 AND ?7) AND " \
	"(?8 IS NULL OR c.category = ?8) AND " \
	"(?17 IS NULL OR EXISTS (SELECT 1 FROM customer_tags t " \
	"WHERE t.customer = v.customer AND t.tag = ?17)) "
#define HIT(n) "(?" #n " IS NULL OR instr(lower(m.body), lower(?" #n ")) > 0)"
#define PER_CHAT ") h JOIN chats c ON c.id = h.chat " \
	"JOIN messages m2 ON m2.id = h.last"
#define HIT_COLS "h.n, m2.seq, m2.ts, m2.kind, m2.sender, m2.body FROM (" \
	"SELECT m.chat AS chat, count(*) AS n, max(m.id) AS last FROM "

enum { F_WORDS, F_SUBSTR, F_CHATS, F_LWM, F_UPTO, F_ADD, F_SETLWM, F__COUNT };

static struct store_sql fsql[F__COUNT] = {
	[F_WORDS] = { COLS HIT_COLS "msg_fts JOIN messages m ON m.id = msg_fts.rowid "
	    "WHERE msg_fts MATCH ?9 GROUP BY m.chat" PER_CHAT FILTERS
	    "ORDER BY h.last DESC", NULL },
	[F_SUBSTR] = { COLS HIT_COLS "messages m WHERE " HIT(9) " AND " HIT(10)
	    " AND " HIT(11) " AND " HIT(12) " AND " HIT(13) " AND " HIT(14)
	    " AND " HIT(15) " AND " HIT(16) " GROUP BY m.chat" PER_CHAT FILTERS
	    "ORDER BY h.last DESC", NULL },
	[F_CHATS] = { COLS "0, 0, c.created, 'question', coalesce(v.name, ''), "
	    "c.question FROM chats c" FILTERS "ORDER BY c.id DESC", NULL },
	[F_LWM] = { "SELECT value FROM meta WHERE key='fts_lwm'", NULL },
	[F_UPTO] = { "SELECT coalesce(max(id), ?1) FROM (SELECT id FROM messages "
	    "WHERE id > ?1 ORDER BY id LIMIT ?2)", NULL },
	[F_ADD] = { "INSERT INTO msg_fts (rowid, body) SELECT id, body FROM "
	    "messages WHERE id > ?1 AND id <= ?2", NULL },
	[F_SETLWM] = { "UPDATE meta SET value=? WHERE key='fts_lwm'", NULL },
};

/* Characters (not bytes) of a UTF-8 word. */
static int
utf8_chars(const char *w)
{
	int n = 0;

	for (; *w; w++)
		n += ((unsigned char)*w & 0xc0) != 0x80;
	return n;
}

static int
scalar(sqlite3_stmt *s, int64_t *v)
{
	return s == NULL ? -1 : store_step_int64(s, v);
}

int
store_find_index(int max)
{
	int64_t lwm, upto;

	if (scalar(store_stmt(&fsql[F_LWM]), &lwm) < 0 ||
	    scalar(store_bind(store_stmt(&fsql[F_UPTO]), "Ii", lwm, max), &upto) < 0)
		return -1;
	if (upto <= lwm)
		return 0;
	if (store_exec(store_wstmt(&fsql[F_ADD]), "II", lwm, upto) < 0 ||
	    store_exec(store_wstmt(&fsql[F_SETLWM]), "I", upto) < 0)
		return -1;
	return (int)(upto - lwm);
}

/* The words of q as an FTS5 query of quoted strings: "a" "b""c". */
static int
fts_query(const struct store_find *f, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (int i = 0; i < f->nwords; i++) {
		const char *w = f->words[i];

		if (used + 4 >= len)
			return -1;
		if (i)
			out[used++] = ' ';
		out[used++] = '"';
		for (; *w; w++) {
			if (used + 3 >= len)
				return -1;
			if (*w == '"')
				out[used++] = '"';
			out[used++] = *w;
		}
		out[used++] = '"';
		out[used] = '\0';
	}
	return 0;
}

/* Bind the filters (?1-?8, ?17) of f to s. */
static sqlite3_stmt *
bind_filters(sqlite3_stmt *s, const struct store_find *f)
{
	if (s == NULL)
		return NULL;
	if ((f->visitor ? sqlite3_bind_int64(s, 1, f->visitor) :
	    sqlite3_bind_null(s, 1)) != SQLITE_OK ||
	    sqlite3_bind_text(s, 2, f->agent, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(s, 3, f->group, -1, SQLITE_STATIC) != SQLITE_OK ||
	    (f->since ? sqlite3_bind_int64(s, 4, f->since) :
	    sqlite3_bind_null(s, 4)) != SQLITE_OK ||
	    (f->until ? sqlite3_bind_int64(s, 5, f->until) :
	    sqlite3_bind_null(s, 5)) != SQLITE_OK ||
	    (f->rating_min ? sqlite3_bind_int(s, 6, f->rating_min) :
	    sqlite3_bind_null(s, 6)) != SQLITE_OK ||
	    sqlite3_bind_int(s, 7, f->rating_max) != SQLITE_OK ||
	    sqlite3_bind_text(s, 8, f->category, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(s, 17, f->tag, -1, SQLITE_STATIC) != SQLITE_OK) {
		log_error("store: bind: %s", sqlite3_errmsg(store_db));
		sqlite3_reset(s);
		return NULL;
	}
	return s;
}

static int
find_row(sqlite3_stmt *s, store_any_fn *cb, void *arg)
{
	struct store_find_row r = {
		.chat = sqlite3_column_int64(s, 0),
		.group = store_col_text(s, 1),
		.agent = (const char *)sqlite3_column_text(s, 2),
		.visitor = sqlite3_column_int64(s, 3),
		.name = store_col_text(s, 4),
		.created = (time_t)sqlite3_column_int64(s, 5),
		.ended = (time_t)sqlite3_column_int64(s, 6),
		.rating = sqlite3_column_int(s, 7),
		.category = (const char *)sqlite3_column_text(s, 8),
		.hits = sqlite3_column_int(s, 9),
		.seq = sqlite3_column_int64(s, 10),
		.ts = (time_t)sqlite3_column_int64(s, 11),
		.kind = store_col_text(s, 12),
		.sender = store_col_text(s, 13),
		.body = store_col_text(s, 14),
	};

	return ((store_find_cb *)cb)(arg, &r);
}

int
store_find(const struct store_find *f, store_find_cb *cb, void *arg)
{
	char q[STORE_FIND_QMAX];
	sqlite3_stmt *s;
	int fts = f->nwords > 0;

	if (f->nwords > STORE_FIND_WORDS)
		return -1;
	for (int i = 0; i < f->nwords; i++)
		if (utf8_chars(f->words[i]) < 3)
			fts = 0;
	if (fts) {
		if (store_find_index(-1) < 0 || fts_query(f, q, sizeof(q)) < 0)
			return -1;
		s = bind_filters(store_stmt(&fsql[F_WORDS]), f);
		if (s && sqlite3_bind_text(s, 9, q, -1, SQLITE_TRANSIENT) != SQLITE_OK)
			s = NULL;
	} else if (f->nwords > 0) {
		s = bind_filters(store_stmt(&fsql[F_SUBSTR]), f);
		for (int i = 0; s && i < STORE_FIND_WORDS; i++)
			if (sqlite3_bind_text(s, 9 + i, i < f->nwords ?
			    f->words[i] : NULL, -1, SQLITE_STATIC) != SQLITE_OK)
				s = NULL;
	} else
		s = bind_filters(store_stmt(&fsql[F_CHATS]), f);
	if (s == NULL)
		return -1;
	return store_rows(s, find_row, (store_any_fn *)cb, arg);
}
