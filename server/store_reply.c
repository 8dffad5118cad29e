/*
 * store_reply.c - quick replies (快捷回复) in the store: shared ones (owner
 * NULL; for one group, or for everyone when grp is NULL) and personal ones
 * (owner = the agent's name), each in a category, with an optional short
 * code and a position for ordering within its category.
 */
#include <sqlite3.h>

#include "store.h"
#include "store_int.h"

enum {
	S_INS, S_GET, S_UPD, S_DEL, S_DEL_OWNER, S_COUNT, S_COUNT_OWNER,
	S_CODE_TAKEN, S_SEARCH, S_ALL,
	S__COUNT
};

#define COLS "id, grp, owner, cat, code, title, body, pos"

static struct store_sql sql[S__COUNT] = {
	[S_INS] = { "INSERT INTO replies (grp, owner, cat, code, title, body, pos) "
	    "VALUES (?1,?2,?3,?4,?5,?6, CASE WHEN ?7 >= 0 THEN ?7 ELSE "
	    "(SELECT coalesce(max(pos), 0) + 1 FROM replies "
	    " WHERE grp IS ?1 AND owner IS ?2 AND cat = ?3) END)", NULL },
	[S_GET] = { "SELECT " COLS " FROM replies WHERE id=?", NULL },
	[S_UPD] = { "UPDATE replies SET title=coalesce(?2, title), "
	    "cat=coalesce(?3, cat), code=coalesce(?4, code), "
	    "body=coalesce(?5, body), pos=CASE WHEN ?6 >= 0 THEN ?6 ELSE pos END "
	    "WHERE id=?1", NULL },
	[S_DEL] = { "DELETE FROM replies WHERE id=?", NULL },
	[S_DEL_OWNER] = { "DELETE FROM replies WHERE owner=?", NULL },
	[S_COUNT] = { "SELECT count(*) FROM replies", NULL },
	[S_COUNT_OWNER] = { "SELECT count(*) FROM replies WHERE owner IS ?", NULL },
	[S_CODE_TAKEN] = { "SELECT count(*) FROM replies WHERE lower(code)=lower(?1) "
	    "AND grp IS ?2 AND owner IS ?3 AND id <> ?4", NULL },
	/* ?1 query ('' all, '/code' that code), ?2 the agent, ?3 the chat's
	 * group, ?4 the agent's groups "a,b", ?5 limit. Others' personal
	 * replies never show; the agent's own come first, then the chat's
	 * group's, the agent's groups', everyone's, other groups'. */
	[S_SEARCH] = { "SELECT " COLS " FROM replies WHERE "
	    "(owner IS NULL OR owner = ?2) AND (?1 = '' OR CASE "
	    " WHEN substr(?1, 1, 1) = '/' THEN lower(code) = lower(substr(?1, 2)) "
	    " ELSE instr(lower(title), lower(?1)) > 0 OR instr(lower(body), lower(?1)) > 0 "
	    "  OR instr(lower(cat), lower(?1)) > 0 OR lower(code) = lower(?1) END) "
	    "ORDER BY CASE WHEN owner IS NOT NULL THEN 0 WHEN grp = ?3 THEN 1 "
	    " WHEN instr(',' || ?4 || ',', ',' || grp || ',') > 0 THEN 2 "
	    " WHEN grp IS NULL THEN 3 ELSE 4 END, "
	    " (instr(lower(title), lower(?1)) > 0) DESC, cat, pos, id LIMIT ?5", NULL },
	[S_ALL] = { "SELECT " COLS " FROM replies ORDER BY owner IS NOT NULL, "
	    "owner, grp IS NOT NULL, grp, cat, pos, id", NULL },
};

int
store_reply_insert(const struct store_reply *r, int64_t *id)
{
	return store_insert(store_wstmt(&sql[S_INS]), id, "tteetti", r->group,
	    r->owner, r->cat, r->code, r->title, r->body, r->pos);
}

int
store_reply_update(const struct store_reply *r)
{
	if (store_exec(store_wstmt(&sql[S_UPD]), "Itttti", r->id, r->title,
	    r->cat, r->code, r->body, r->pos) < 0)
		return -1;
	return sqlite3_changes(store_db) > 0 ? 0 : 1;
}

int
store_reply_delete(int64_t id)
{
	if (store_exec(store_wstmt(&sql[S_DEL]), "I", id) < 0)
		return -1;
	return sqlite3_changes(store_db) > 0 ? 0 : 1;
}

int
store_reply_delete_owner(const char *owner)
{
	return store_exec(store_wstmt(&sql[S_DEL_OWNER]), "t", owner);
}

int
store_reply_count(int64_t *n)
{
	sqlite3_stmt *s = store_stmt(&sql[S_COUNT]);

	return s == NULL || store_step_int64(s, n) != 0 ? -1 : 0;
}

int
store_reply_count_owner(const char *owner, int64_t *n)
{
	sqlite3_stmt *s = store_bind(store_stmt(&sql[S_COUNT_OWNER]), "t", owner);

	return s == NULL || store_step_int64(s, n) != 0 ? -1 : 0;
}

int
store_reply_code_taken(const char *code, const char *group, const char *owner,
    int64_t except, int64_t *n)
{
	sqlite3_stmt *s = store_bind(store_stmt(&sql[S_CODE_TAKEN]), "tttI",
	    code, group, owner, except);

	return s == NULL || store_step_int64(s, n) != 0 ? -1 : 0;
}

static int
reply_row(sqlite3_stmt *s, store_any_fn *cb, void *arg)
{
	struct store_reply r = { sqlite3_column_int64(s, 0),
	    (const char *)sqlite3_column_text(s, 1),
	    (const char *)sqlite3_column_text(s, 2), store_col_text(s, 3),
	    store_col_text(s, 4), store_col_text(s, 5), store_col_text(s, 6),
	    sqlite3_column_int(s, 7) };

	return ((store_reply_cb *)cb)(arg, &r);
}

int
store_reply_get(int64_t id, store_reply_cb *cb, void *arg)
{
	return store_rows(store_bind(store_stmt(&sql[S_GET]), "I", id),
	    reply_row, (store_any_fn *)cb, arg);
}

int
store_reply_search(const char *q, const char *agent, const char *group,
    const char *groups, int limit, store_reply_cb *cb, void *arg)
{
	return store_rows(store_bind(store_stmt(&sql[S_SEARCH]), "eteei", q,
	    agent, group, groups, limit), reply_row, (store_any_fn *)cb, arg);
}

int
store_reply_foreach(store_reply_cb *cb, void *arg)
{
	return store_rows(store_stmt(&sql[S_ALL]), reply_row,
	    (store_any_fn *)cb, arg);
}
