/*
 * store_chat.c - visitors and their chats in the store: the visitor's card
 * (found again by its token), the pages they visited, and each chat's
 * lifecycle (queued, assigned, first response, transfer, end, rating,
 * wrap-up). The messages of a chat are in store_msg.c.
 */
#include <sqlite3.h>

#include "store.h"
#include "store_int.h"

enum {
	S_VIS_INS, S_VIS_TOUCH, S_VIS_UA, S_VIS_PHONE, S_VIS_REGION, S_VIS_TOKEN, S_VIS_GET, S_PAGE_INS, S_PAGE_ALL,
	S_CHAT_INS, S_CHAT_STATE, S_CHAT_FIRST, S_CHAT_ASSIGNED, S_CHAT_END,
	S_CHAT_RATE, S_CHAT_WRAP, S_CHAT_ACTIVE, S_CHAT_VISITOR,
	S__COUNT
};

static struct store_sql sql[S__COUNT] = {
	[S_VIS_INS] = { "INSERT INTO visitors (token, name, email, lang, referrer, addr, first_seen, last_seen) VALUES (?,?,?,?,?,?,?,?)", NULL },
	[S_VIS_TOUCH] = { "UPDATE visitors SET last_seen=?, visits=visits+1, addr=? WHERE id=?", NULL },
	[S_VIS_TOKEN] = { "SELECT id FROM visitors WHERE token=?", NULL },
	[S_VIS_UA] = { "UPDATE visitors SET ua=? WHERE id=?", NULL },
	[S_VIS_PHONE] = { "UPDATE visitors SET phone=? WHERE id=?", NULL },
	[S_VIS_REGION] = { "UPDATE visitors SET region=? WHERE id=?", NULL },
	[S_VIS_GET] = { "SELECT id, token, name, email, lang, referrer, addr, first_seen, last_seen, visits, ua, region, phone FROM visitors WHERE id=?", NULL },
	[S_PAGE_INS] = { "INSERT INTO pages (visitor, ts, url, title) VALUES (?,?,?,?)", NULL },
	[S_PAGE_ALL] = { "SELECT ts, url, title FROM pages WHERE visitor=? ORDER BY id DESC LIMIT 50", NULL },
	[S_CHAT_INS] = { "INSERT INTO chats (visitor, grp, state, question, created, queued_at) VALUES (?,?,'queued',?,?,?)", NULL },
	/* queued_at stays when the visitor first asked: a bounced chat keeps
	 * its place and its wait across a restart */
	[S_CHAT_STATE] = { "UPDATE chats SET state=?, agent=?, grp=coalesce(?, grp) WHERE id=?", NULL },
	[S_CHAT_FIRST] = { "UPDATE chats SET first_response_at=? WHERE id=? AND first_response_at IS NULL", NULL },
	[S_CHAT_ASSIGNED] = { "UPDATE chats SET assigned_at=coalesce(assigned_at, ?) WHERE id=?", NULL },
	[S_CHAT_END] = { "UPDATE chats SET state='ended', ended_at=?, ended_by=?, last_seq=? WHERE id=?", NULL },
	[S_CHAT_RATE] = { "UPDATE chats SET rating=?, rating_comment=? WHERE id=?", NULL },
	[S_CHAT_WRAP] = { "UPDATE chats SET category=?, summary=? WHERE id=?", NULL },
	[S_CHAT_ACTIVE] = { "SELECT c.id, c.visitor, c.grp, c.state, c.agent, c.question, c.category, c.summary, c.rating_comment, c.created, c.queued_at, c.ended_at, coalesce(c.rating, 0), "
	    "coalesce((SELECT b.last_seq FROM msg_batch b WHERE b.chat=c.id ORDER BY b.first_seq DESC LIMIT 1), 0), "
	    "c.bot_answered, c.bot_unanswered "
	    "FROM chats c WHERE c.state != 'ended' ORDER BY c.queued_at, c.id", NULL },
	[S_CHAT_VISITOR] = { "SELECT c.id, c.visitor, c.grp, c.state, c.agent, c.question, c.category, c.summary, c.rating_comment, c.created, c.queued_at, c.ended_at, coalesce(c.rating, 0), c.last_seq, c.bot_answered, c.bot_unanswered "
	    "FROM chats c WHERE c.visitor=? ORDER BY c.id DESC LIMIT 100", NULL },
};

/* ---- visitors ---- */

int
store_visitor_insert(const char *token, const char *name, const char *email,
    const char *lang, const char *referrer, const char *addr, int64_t *id)
{
	return store_insert(store_wstmt(&sql[S_VIS_INS]), id, "ttttttnn",
	    token, name, email, lang, referrer, addr);
}

int
store_visitor_touch(int64_t id, const char *addr)
{
	return store_exec(store_wstmt(&sql[S_VIS_TOUCH]), "ntI", addr, id);
}

int
store_visitor_set_ua(int64_t id, const char *ua)
{
	return store_exec(store_wstmt(&sql[S_VIS_UA]), "tI", ua, id);
}

int
store_visitor_set_phone(int64_t id, const char *phone)
{
	return store_exec(store_wstmt(&sql[S_VIS_PHONE]), "tI", phone, id);
}

int
store_visitor_set_region(int64_t id, const char *region)
{
	return store_exec(store_wstmt(&sql[S_VIS_REGION]), "tI",
	    region && *region ? region : NULL, id);
}

int
store_visitor_find_token(const char *token, int64_t *id)
{
	sqlite3_stmt *s = store_bind(store_stmt(&sql[S_VIS_TOKEN]), "t", token);

	return s == NULL ? -1 : store_step_int64(s, id);
}

/* what store_visitor_load() hands visitor_row() */
struct visitor_load {
	int (*cb)(void *, const struct store_visitor *);
	void *arg;
	int found;
};

static int
visitor_row(sqlite3_stmt *s, store_any_fn *unused, void *arg)
{
	struct visitor_load *l = arg;
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
		.ua = (const char *)sqlite3_column_text(s, 10),
		.region = (const char *)sqlite3_column_text(s, 11),
		.phone = (const char *)sqlite3_column_text(s, 12),
	};

	(void)unused;
	l->found = 1;
	l->cb(l->arg, &v);
	return -1;		/* the id is unique: one row at most */
}

int
store_visitor_load(int64_t id, int (*cb)(void *, const struct store_visitor *),
    void *arg)
{
	struct visitor_load l = { cb, arg, 0 };

	if (store_rows(store_bind(store_stmt(&sql[S_VIS_GET]), "I", id),
	    visitor_row, NULL, &l) < 0)
		return -1;
	return l.found ? 0 : 1;
}

int
store_page_add(int64_t visitor, const char *url, const char *title)
{
	return store_exec(store_wstmt(&sql[S_PAGE_INS]), "Inte", visitor, url,
	    title);
}

static int
page_row(sqlite3_stmt *s, store_any_fn *cb, void *arg)
{
	struct store_page p = { (time_t)sqlite3_column_int64(s, 0),
	    store_col_text(s, 1), store_col_text(s, 2) };

	return ((store_page_cb *)cb)(arg, &p);
}

int
store_page_foreach(int64_t visitor, store_page_cb *cb, void *arg)
{
	return store_rows(store_bind(store_stmt(&sql[S_PAGE_ALL]), "I",
	    visitor), page_row, (store_any_fn *)cb, arg);
}

/* ---- chats ---- */

int
store_chat_insert(int64_t visitor, const char *group, const char *question,
    int64_t *id)
{
	return store_insert(store_wstmt(&sql[S_CHAT_INS]), id, "Itenn",
	    visitor, group, question);
}

int
store_chat_set_state(int64_t id, const char *state, const char *agent,
    const char *group)
{
	return store_exec(store_wstmt(&sql[S_CHAT_STATE]), "tttI", state,
	    agent, group, id);
}

int
store_chat_first_response(int64_t id, time_t ts)
{
	return store_exec(store_wstmt(&sql[S_CHAT_FIRST]), "II", (int64_t)ts,
	    id);
}

int
store_chat_assigned(int64_t id, time_t ts)
{
	return store_exec(store_wstmt(&sql[S_CHAT_ASSIGNED]), "II",
	    (int64_t)ts, id);
}

int
store_chat_end(int64_t id, const char *by, int64_t last_seq)
{
	if (store_msg_flush_chat(id) < 0)
		return -1;
	return store_exec(store_wstmt(&sql[S_CHAT_END]), "ntII", by, last_seq,
	    id);
}

int
store_chat_rate(int64_t id, int score, const char *comment)
{
	return store_exec(store_wstmt(&sql[S_CHAT_RATE]), "ieI", score,
	    comment, id);
}

int
store_chat_wrapup(int64_t id, const char *category, const char *summary)
{
	return store_exec(store_wstmt(&sql[S_CHAT_WRAP]), "teI", category,
	    summary, id);
}

static int
chat_row(sqlite3_stmt *s, store_any_fn *cb, void *arg)
{
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
		.bot_answered = sqlite3_column_int(s, 14),
		.bot_missed = sqlite3_column_int(s, 15),
	};

	return ((store_chat_cb *)cb)(arg, &c);
}

int
store_chat_foreach_active(store_chat_cb *cb, void *arg)
{
	return store_rows(store_stmt(&sql[S_CHAT_ACTIVE]), chat_row,
	    (store_any_fn *)cb, arg);
}

int
store_chat_foreach_visitor(int64_t visitor, store_chat_cb *cb, void *arg)
{
	return store_rows(store_bind(store_stmt(&sql[S_CHAT_VISITOR]), "I",
	    visitor), chat_row, (store_any_fn *)cb, arg);
}
