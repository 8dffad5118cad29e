/*
 * store_internal.c - the internal conversation (内部对话) in the store:
 * messages between staff, apart from visitor chats, each in one
 * conversation ('pair:A:B' for two colleagues, names sorted; 'group:G';
 * 'all'), and how far each agent has read each conversation (iread), from
 * which the unread counts come.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_int.h"

#define STORE_UNREAD_MAX_S "1000"	/* STORE_UNREAD_MAX in store.h */

enum { S_ADD, S_LIST, S_READ, S_LAST, S_PAIRS, S_MARK, S_COUNT, S__COUNT };

static struct store_sql sql[S__COUNT] = {
	[S_ADD] = { "INSERT INTO imsgs (ts, sender, conv, peer_a, peer_b, body) "
	    "VALUES (?6, ?1, ?2, ?3, ?4, ?5)", NULL },
	[S_LIST] = { "SELECT id, ts, sender, conv, peer_a, peer_b, body FROM imsgs "
	    "WHERE conv=? ORDER BY id DESC LIMIT ?", NULL },
	/* never back: a read mark only moves forward */
	[S_READ] = { "INSERT INTO iread (agent, conv, last) VALUES (?1, ?2, ?3) "
	    "ON CONFLICT (agent, conv) DO UPDATE SET last=max(last, ?3)", NULL },
	[S_LAST] = { "SELECT coalesce(max(id), 0) FROM imsgs WHERE conv=?", NULL },
	/* the agent's pair conversations, from the peer indexes alone */
	[S_PAIRS] = { "SELECT DISTINCT conv, peer_a, peer_b FROM imsgs "
	    "WHERE peer_a=?1 UNION SELECT DISTINCT conv, peer_a, peer_b "
	    "FROM imsgs WHERE peer_b=?1", NULL },
	[S_MARK] = { "SELECT last FROM iread WHERE agent=? AND conv=?", NULL },
	/* counting stops at STORE_UNREAD_MAX: a long backlog costs no more */
	[S_COUNT] = { "SELECT count(*) FROM (SELECT 1 FROM imsgs WHERE conv=?1 "
	    "AND id > ?2 AND sender <> ?3 LIMIT " STORE_UNREAD_MAX_S ")", NULL },
};

/* One conversation of an agent, while IUNREAD's list is made. */
struct iconv {
	char conv[160], a[72], b[72];
	int pair;
	int64_t unread, last;
};

struct iconvs {
	struct iconv *v;
	size_t n, cap;
};

static int
iconv_add(struct iconvs *l, const char *conv, const char *a, const char *b)
{
	struct iconv *c;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 32;
		struct iconv *nv = realloc(l->v, cap * sizeof(*nv));

		if (nv == NULL)
			return -1;
		l->v = nv;
		l->cap = cap;
	}
	c = &l->v[l->n++];
	memset(c, 0, sizeof(*c));
	snprintf(c->conv, sizeof(c->conv), "%s", conv);
	c->pair = a != NULL && b != NULL;
	snprintf(c->a, sizeof(c->a), "%s", a ? a : "");
	snprintf(c->b, sizeof(c->b), "%s", b ? b : "");
	return 0;
}

static int
pair_row(sqlite3_stmt *s, store_any_fn *unused, void *arg)
{
	(void)unused;
	return iconv_add(arg, store_col_text(s, 0),
	    (const char *)sqlite3_column_text(s, 1),
	    (const char *)sqlite3_column_text(s, 2));
}

/* The unread of c for agent, and its newest message (0: none). */
static int
iconv_count(struct iconv *c, const char *agent)
{
	int64_t mark = 0;
	sqlite3_stmt *s;
	int rc;

	if ((s = store_bind(store_stmt(&sql[S_LAST]), "t", c->conv)) == NULL ||
	    store_step_int64(s, &c->last) < 0)
		return -1;
	if (c->last == 0)
		return 0;
	if ((s = store_bind(store_stmt(&sql[S_MARK]), "tt", agent, c->conv)) == NULL ||
	    (rc = store_step_int64(s, &mark)) < 0)
		return -1;
	if (rc == 1)
		mark = 0;
	if ((s = store_bind(store_stmt(&sql[S_COUNT]), "tIt", c->conv, mark,
	    agent)) == NULL || store_step_int64(s, &c->unread) < 0)
		return -1;
	return 0;
}

static int
by_last(const void *x, const void *y)
{
	const struct iconv *a = x, *b = y;

	return a->last < b->last ? 1 : a->last > b->last ? -1 : 0;
}

int
store_imsg_unread(const char *agent, const char *groups, store_unread_cb *cb,
    void *arg)
{
	struct iconvs l = { NULL, 0, 0 };
	int rc = -1;

	if (store_rows(store_bind(store_stmt(&sql[S_PAIRS]), "t", agent),
	    pair_row, NULL, &l) < 0 || iconv_add(&l, "all", NULL, NULL) < 0)
		goto out;
	for (const char *p = groups; *p; ) {	/* ",group:a,group:b," */
		size_t n;

		p += strspn(p, ",");
		n = strcspn(p, ",");
		if (n > 0 && n < sizeof(l.v[0].conv)) {
			char conv[sizeof(l.v[0].conv)];

			snprintf(conv, sizeof(conv), "%.*s", (int)n, p);
			if (iconv_add(&l, conv, NULL, NULL) < 0)
				goto out;
		}
		p += n;
	}
	for (size_t i = 0; i < l.n; i++)
		if (iconv_count(&l.v[i], agent) < 0)
			goto out;
	if (l.n > 0)
		qsort(l.v, l.n, sizeof(l.v[0]), by_last);
	rc = 0;
	for (size_t i = 0; i < l.n; i++)
		if (l.v[i].last > 0 && cb(arg, l.v[i].conv, l.v[i].pair ? l.v[i].a :
		    NULL, l.v[i].pair ? l.v[i].b : NULL, l.v[i].unread,
		    l.v[i].last) < 0)
			break;
out:
	free(l.v);
	return rc;
}

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

