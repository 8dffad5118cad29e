/*
 * store_case.c - cases (留言/工单) in the store: a message a visitor left
 * when nobody could take them, or a chat an agent turned into a follow-up;
 * its contact details, state and assignee, and its history (created,
 * state and assignee changes, internal notes, replies to the visitor and
 * whether each reply has reached them yet).
 *
 * Nothing of a case is kept in memory: every command reads the store, so
 * the history is the one record of what happened.
 */
#include <sqlite3.h>

#include "store.h"
#include "store_int.h"

enum {
	S_INS, S_FROM_CHAT, S_OF_CHAT, S_GET, S_LIST, S_SET, S_TOUCH,
	S_EV_INS, S_EV_ALL, S_UNDELIVERED, S_DELIVERED, S_OPEN_COUNT,
	S__COUNT
};

#define CASE_COLS "id, grp, coalesce(visitor, 0), coalesce(chat, 0), source, " \
	"name, phone, email, body, state, coalesce(assignee, ''), created, " \
	"updated, (SELECT count(*) FROM case_events e WHERE e.case_id=cases.id " \
	"AND e.kind='reply')"

static struct store_sql sql[S__COUNT] = {
	[S_INS] = { "INSERT INTO cases (grp, visitor, chat, source, name, phone, "
	    "email, body, state, assignee, created, updated) "
	    "VALUES (?1, nullif(?2, 0), nullif(?3, 0), ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)", NULL },
	/* a chat becomes a case with its visitor's card as the contact */
	[S_FROM_CHAT] = { "INSERT INTO cases (grp, visitor, chat, source, name, "
	    "email, body, state, assignee, created, updated) "
	    "SELECT c.grp, c.visitor, c.id, 'chat', coalesce(v.name, ''), "
	    "coalesce(v.email, ''), coalesce(nullif(?2, ''), c.question), "
	    "'open', ?3, ?4, ?4 FROM chats c "
	    "LEFT JOIN visitors v ON v.id = c.visitor WHERE c.id = ?1", NULL },
	[S_OF_CHAT] = { "SELECT id FROM cases WHERE chat=?", NULL },
	[S_GET] = { "SELECT " CASE_COLS " FROM cases WHERE id=?", NULL },
	/*
	 * ?1 state ('' any, 'active' all but closed), ?2 group ('' any),
	 * ?3 assignee (NULL any, '' unassigned), ?4 below this id,
	 * ?5 1: every group, else ?6 the groups seen ("\x1fa\x1fb\x1f")
	 * or ?7 the viewer's own cases, ?8 rows at most.
	 */
	[S_LIST] = { "SELECT " CASE_COLS " FROM cases WHERE "
	    "(?1 = '' OR state = ?1 OR (?1 = 'active' AND state <> 'closed')) "
	    "AND (?2 = '' OR grp = ?2) "
	    "AND (?3 IS NULL OR coalesce(assignee, '') = ?3) AND id < ?4 "
	    "AND (?5 = 1 OR instr(?6, char(31) || grp || char(31)) > 0 OR assignee = ?7) "
	    "ORDER BY id DESC LIMIT ?8", NULL },
	[S_SET] = { "UPDATE cases SET state=?1, assignee=nullif(?2, ''), updated=?3 WHERE id=?4", NULL },
	[S_TOUCH] = { "UPDATE cases SET updated=?1 WHERE id=?2", NULL },
	[S_EV_INS] = { "INSERT INTO case_events (case_id, ts, actor, kind, body, delivered) VALUES (?,?,?,?,?,?)", NULL },
	[S_EV_ALL] = { "SELECT id, case_id, ts, actor, kind, body, delivered FROM case_events WHERE case_id=? ORDER BY id", NULL },
	[S_UNDELIVERED] = { "SELECT e.id, e.case_id, e.ts, e.actor, e.kind, e.body, e.delivered FROM case_events e "
	    "JOIN cases c ON c.id = e.case_id WHERE c.visitor=? AND e.kind='reply' AND e.delivered=0 ORDER BY e.id LIMIT 100", NULL },
	[S_DELIVERED] = { "UPDATE case_events SET delivered=1 WHERE id=?", NULL },
	[S_OPEN_COUNT] = { "SELECT count(*) FROM cases WHERE visitor=? AND state <> 'closed'", NULL },
};

static int
case_row(sqlite3_stmt *s, store_any_fn *cb, void *arg)
{
	struct store_case k = {
		.id = sqlite3_column_int64(s, 0),
		.group = store_col_text(s, 1),
		.visitor = sqlite3_column_int64(s, 2),
		.chat = sqlite3_column_int64(s, 3),
		.source = store_col_text(s, 4),
		.name = store_col_text(s, 5),
		.phone = store_col_text(s, 6),
		.email = store_col_text(s, 7),
		.body = store_col_text(s, 8),
		.state = store_col_text(s, 9),
		.assignee = store_col_text(s, 10),
		.created = (time_t)sqlite3_column_int64(s, 11),
		.updated = (time_t)sqlite3_column_int64(s, 12),
		.replies = sqlite3_column_int(s, 13),
	};

	return ((store_case_cb *)cb)(arg, &k);
}

static int
event_row(sqlite3_stmt *s, store_any_fn *cb, void *arg)
{
	struct store_case_event e = {
		.id = sqlite3_column_int64(s, 0),
		.case_id = sqlite3_column_int64(s, 1),
		.ts = (time_t)sqlite3_column_int64(s, 2),
		.actor = store_col_text(s, 3),
		.kind = store_col_text(s, 4),
		.body = store_col_text(s, 5),
		.delivered = sqlite3_column_int(s, 6),
	};

	return ((store_case_event_cb *)cb)(arg, &e);
}

int
store_case_event_add(int64_t id, const char *actor, const char *kind,
    const char *body, int delivered, int64_t *eid)
{
	int64_t unused;

	if (store_exec(store_wstmt(&sql[S_TOUCH]), "nI", id) < 0)
		return -1;
	return store_insert(store_wstmt(&sql[S_EV_INS]), eid ? eid : &unused,
	    "Inttei", id, actor, kind, body, delivered);
}

int
store_case_insert(const struct store_case *k, const char *actor, int64_t *id)
{
	if (store_insert(store_wstmt(&sql[S_INS]), id, "tIIeeeeettn",
	    k->group, k->visitor, k->chat, k->source, k->name, k->phone,
	    k->email, k->body, k->state, k->assignee && *k->assignee ?
	    k->assignee : NULL) < 0)
		return -1;
	return store_case_event_add(*id, actor, "created", k->body, 0, NULL);
}

int
store_case_from_chat(int64_t chat, const char *actor, const char *note,
    int64_t *id)
{
	if (store_exec(store_wstmt(&sql[S_FROM_CHAT]), "Ietn", chat, note,
	    actor) < 0)
		return -1;
	if (sqlite3_changes(store_db) == 0)
		return 1;
	*id = sqlite3_last_insert_rowid(store_db);
	return store_case_event_add(*id, actor, "created", note ? note : "",
	    0, NULL);
}

int
store_case_of_chat(int64_t chat, int64_t *id)
{
	sqlite3_stmt *s = store_bind(store_stmt(&sql[S_OF_CHAT]), "I", chat);

	return s == NULL ? -1 : store_step_int64(s, id);
}

/* what store_case_get() hands found_row() */
struct case_get {
	store_case_cb *cb;
	void *arg;
	int found;
};

static int
found_row(void *arg, const struct store_case *k)
{
	struct case_get *g = arg;

	g->found = 1;
	return g->cb(g->arg, k);
}

int
store_case_get(int64_t id, store_case_cb *cb, void *arg)
{
	struct case_get g = { cb, arg, 0 };

	if (store_rows(store_bind(store_stmt(&sql[S_GET]), "I", id), case_row,
	    (store_any_fn *)found_row, &g) < 0)
		return -1;
	return g.found ? 0 : 1;
}

int
store_case_list(const struct store_case_filter *f, store_case_cb *cb,
    void *arg)
{
	return store_rows(store_bind(store_stmt(&sql[S_LIST]), "eetIitti",
	    f->state, f->group, f->assignee, f->before, f->all_groups,
	    f->groups, f->viewer, f->limit), case_row, (store_any_fn *)cb, arg);
}

int
store_case_set(int64_t id, const char *state, const char *assignee)
{
	return store_exec(store_wstmt(&sql[S_SET]), "tenI", state, assignee,
	    id);
}

int
store_case_events(int64_t id, store_case_event_cb *cb, void *arg)
{
	return store_rows(store_bind(store_stmt(&sql[S_EV_ALL]), "I", id),
	    event_row, (store_any_fn *)cb, arg);
}

int
store_case_undelivered(int64_t visitor, store_case_event_cb *cb, void *arg)
{
	return store_rows(store_bind(store_stmt(&sql[S_UNDELIVERED]), "I",
	    visitor), event_row, (store_any_fn *)cb, arg);
}

int
store_case_delivered(int64_t event)
{
	return store_exec(store_wstmt(&sql[S_DELIVERED]), "I", event);
}

int
store_case_open_count(int64_t visitor, int64_t *n)
{
	sqlite3_stmt *s = store_bind(store_stmt(&sql[S_OPEN_COUNT]), "I",
	    visitor);

	return s == NULL || store_step_int64(s, n) != 0 ? -1 : 0;
}
