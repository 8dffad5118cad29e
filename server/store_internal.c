/*
 * store_internal.c - the internal conversation (内部对话) in the store:
 * messages between staff, apart from visitor chats, each in one
 * conversation ('pair:A:B' for two colleagues, names sorted; 'group:G';
 * 'all'), and how far each agent has read each conversation (iread), from
 * which the unread counts come.
 */
#include <sqlite3.h>

#include "store.h"
#include "store_int.h"

enum { S_ADD, S_LIST, S_READ, S_LAST, S_UNREAD, S__COUNT };

static struct store_sql sql[S__COUNT] = {
	[S_ADD] = { "INSERT INTO imsgs (ts, sender, conv, peer_a, peer_b, body) "
	    "VALUES (?6, ?1, ?2, ?3, ?4, ?5)", NULL },
	[S_LIST] = { "SELECT id, ts, sender, conv, peer_a, peer_b, body FROM imsgs "
	    "WHERE conv=? ORDER BY id DESC LIMIT ?", NULL },
	/* never back: a read mark only moves forward */
	[S_READ] = { "INSERT INTO iread (agent, conv, last) VALUES (?1, ?2, ?3) "
	    "ON CONFLICT (agent, conv) DO UPDATE SET last=max(last, ?3)", NULL },
	[S_LAST] = { "SELECT coalesce(max(id), 0) FROM imsgs WHERE conv=?", NULL },
	/* ?1 the agent, ?2 its groups as ",group:a,group:b,": per
	 * conversation the agent takes part in, the messages of others after
	 * its read mark, and the newest message */
	[S_UNREAD] = { "SELECT m.conv, max(m.peer_a), max(m.peer_b), "
	    "sum(m.sender <> ?1 AND m.id > coalesce(r.last, 0)), max(m.id) "
	    "FROM imsgs m LEFT JOIN iread r ON r.agent=?1 AND r.conv=m.conv "
	    "WHERE m.conv='all' OR m.peer_a=?1 OR m.peer_b=?1 "
	    "OR instr(?2, ',' || m.conv || ',') > 0 "
	    "GROUP BY m.conv ORDER BY max(m.id) DESC", NULL },
};

int
store_imsg_add(const struct store_imsg *m, int64_t *id)
{
	return store_insert(store_wstmt(&sql[S_ADD]), id, "tttttI", m->sender,
	    m->conv, m->peer_a, m->peer_b, m->body, (int64_t)m->ts);
}

static int
imsg_row(sqlite3_stmt *s, store_any_fn *cb, void *arg)
{
	struct store_imsg m = {
		.id = sqlite3_column_int64(s, 0),
		.ts = (time_t)sqlite3_column_int64(s, 1),
		.sender = store_col_text(s, 2), .conv = store_col_text(s, 3),
		.peer_a = (const char *)sqlite3_column_text(s, 4),
		.peer_b = (const char *)sqlite3_column_text(s, 5),
		.body = store_col_text(s, 6),
	};

	return ((store_imsg_cb *)cb)(arg, &m);
}

int
store_imsg_list(const char *conv, int limit, store_imsg_cb *cb, void *arg)
{
	return store_rows(store_bind(store_stmt(&sql[S_LIST]), "ti", conv, limit),
	    imsg_row, (store_any_fn *)cb, arg);
}

int
store_imsg_read(const char *agent, const char *conv, int64_t upto)
{
	int64_t last = upto;

	if (last <= 0) {
		sqlite3_stmt *s = store_bind(store_stmt(&sql[S_LAST]), "t", conv);

		if (s == NULL || store_step_int64(s, &last) < 0)
			return -1;
	}
	return store_exec(store_wstmt(&sql[S_READ]), "ttI", agent, conv, last);
}

static int
unread_row(sqlite3_stmt *s, store_any_fn *cb, void *arg)
{
	return ((store_unread_cb *)cb)(arg, store_col_text(s, 0),
	    (const char *)sqlite3_column_text(s, 1),
	    (const char *)sqlite3_column_text(s, 2),
	    sqlite3_column_int64(s, 3), sqlite3_column_int64(s, 4));
}

int
store_imsg_unread(const char *agent, const char *groups, store_unread_cb *cb,
    void *arg)
{
	return store_rows(store_bind(store_stmt(&sql[S_UNREAD]), "te", agent,
	    groups), unread_row, (store_any_fn *)cb, arg);
}
