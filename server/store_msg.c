/*
 * store_msg.c - chat messages in SQLite, written so that the cost of a
 * message does not grow with the number of open chats.
 *
 * A table keyed by (chat, seq) puts every open chat's next message on a
 * different B-tree page: with thousands of chats, a commit of a thousand
 * messages dirties a thousand 4 KB pages, and the WAL and its checkpoints
 * copy each of them. So messages are appended to `messages` in arrival order
 * (rowid; one page per ~50 messages whatever the number of chats), and the
 * (chat, seq) -> id map in `msg_index` is written per chat in batches: when
 * BATCH messages of a chat are waiting, when the oldest has waited
 * MAX_AGE_MS (a few such chats per loop iteration, so the work is spread
 * out), when the chat ends, and before anything reads the chat.
 *
 * Crash safety: `meta.msg_index_lwm` is written in the same transactions as
 * the messages and is never above the id of an unindexed message, so on open
 * indexing everything from it on (INSERT OR IGNORE) rebuilds what a crash
 * left pending. Nothing acknowledged is lost: the message row itself is in
 * the commit that preceded its OK.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store.h"
#include "store_int.h"

#define BATCH		32	/* index a chat once this many wait */
#define MAX_AGE_MS	10000	/* ... or once the oldest waited this long */
#define PER_ITER	16	/* old batches indexed per iteration, at most */
#define LWM_EVERY_MS	1000	/* how often the low-water mark is stored */

struct pend {			/* one chat's messages not indexed yet */
	int64_t chat;
	int64_t first_id;	/* id of the oldest */
	int n;
	struct { int64_t seq, id; } e[BATCH];
	struct pend *next;	/* hash chain */
};

struct due {			/* FIFO of batches by age (= by first id) */
	int64_t chat, first_id;
	long long since_ms;
};

static struct pend **tab;
static size_t tabsize, npend;
static struct due *fifo;
static size_t fcap, fhead, flen;
static int64_t last_id;		/* newest message id */
static int64_t lwm_stored;
static long long now_ms, lwm_at_ms;
static int opened;		/* recover() succeeded once */
static int need_recover;	/* the last recover() failed: retry, and
				 * store no mark until it succeeds */

enum { M_INS, M_IDX, M_ALL, M_SEARCH, M_CHAT_ACCESS, M_LWM_GET, M_LWM_SET, M_RECOVER,
	M_MAXID, M__COUNT };

static struct store_sql msql[M__COUNT] = {
	[M_INS] = { "INSERT INTO messages (chat, seq, ts, kind, sender, body) VALUES (?,?,?,?,?,?)", NULL },
	[M_IDX] = { "INSERT OR IGNORE INTO msg_index (chat, seq, id) VALUES (?,?,?)", NULL },
	[M_ALL] = { "SELECT i.chat, i.seq, m.ts, m.kind, m.sender, m.body FROM msg_index i "
	    "JOIN messages m ON m.id = i.id WHERE i.chat=? AND i.seq>=? ORDER BY i.seq", NULL },
	[M_SEARCH] = { "SELECT m.chat, m.seq, m.ts, m.kind, m.sender, m.body, c.grp, c.agent "
	    "FROM messages m LEFT JOIN chats c ON c.id = m.chat "
	    "WHERE instr(lower(m.body), lower(?)) > 0 ORDER BY m.id DESC", NULL },
	[M_CHAT_ACCESS] = { "SELECT grp, agent FROM chats WHERE id=?", NULL },
	[M_LWM_GET] = { "SELECT value FROM meta WHERE key='msg_index_lwm'", NULL },
	[M_LWM_SET] = { "UPDATE meta SET value=? WHERE key='msg_index_lwm'", NULL },
	[M_RECOVER] = { "INSERT OR IGNORE INTO msg_index (chat, seq, id) "
	    "SELECT chat, seq, id FROM messages WHERE id >= ?", NULL },
	[M_MAXID] = { "SELECT coalesce(max(id), 0) FROM messages", NULL },
};

/* ---- the pending table ---- */

static size_t
slot_of(int64_t chat)
{
	uint64_t h = (uint64_t)chat * 0x9E3779B97F4A7C15ull;

	return (size_t)(h >> 20) & (tabsize - 1);
}

static struct pend *
pend_find(int64_t chat)
{
	struct pend *p;

	if (tabsize == 0)
		return NULL;
	for (p = tab[slot_of(chat)]; p; p = p->next)
		if (p->chat == chat)
			return p;
	return NULL;
}

static int
tab_grow(void)
{
	size_t oldsize = tabsize, nsize = tabsize ? tabsize * 2 : 1024;
	struct pend **old = tab, **nt = calloc(nsize, sizeof(*nt));

	if (nt == NULL)
		return -1;
	tab = nt;
	tabsize = nsize;
	for (size_t i = 0; i < oldsize; i++)
		while (old[i]) {
			struct pend *p = old[i];
			size_t k = slot_of(p->chat);

			old[i] = p->next;
			p->next = tab[k];
			tab[k] = p;
		}
	free(old);
	return 0;
}

static void
pend_remove(struct pend *p)
{
	struct pend **pp = &tab[slot_of(p->chat)];

	while (*pp != p)
		pp = &(*pp)->next;
	*pp = p->next;
	npend--;
	free(p);
}

static int
fifo_push(int64_t chat, int64_t first_id)
{
	if (flen == fcap) {
		size_t ncap = fcap ? fcap * 2 : 1024;
		struct due *n = malloc(ncap * sizeof(*n));

		if (n == NULL)
			return -1;
		for (size_t i = 0; i < flen; i++)
			n[i] = fifo[(fhead + i) % fcap];
		free(fifo);
		fifo = n;
		fcap = ncap;
		fhead = 0;
	}
	fifo[(fhead + flen) % fcap] = (struct due){ chat, first_id, now_ms };
	flen++;
	return 0;
}

/* The batch at the head of the FIFO, or NULL (stale heads are dropped). */
static struct pend *
fifo_head(void)
{
	while (flen > 0) {
		struct due *d = &fifo[fhead];
		struct pend *p = pend_find(d->chat);

		if (p && p->first_id == d->first_id)
			return p;
		fhead = (fhead + 1) % fcap;
		flen--;
	}
	return NULL;
}

static void
forget_all(void)
{
	for (size_t i = 0; i < tabsize; i++)
		while (tab[i]) {
			struct pend *p = tab[i];

			tab[i] = p->next;
			free(p);
		}
	npend = 0;
	fhead = flen = 0;
}

/* ---- indexing ---- */

static int
index_one(int64_t chat, int64_t seq, int64_t id)
{
	return store_exec(store_stmt(&msql[M_IDX]), "III", chat, seq, id);
}

static int
flush(struct pend *p)
{
	for (int i = 0; i < p->n; i++)
		if (index_one(p->chat, p->e[i].seq, p->e[i].id) < 0)
			return -1;	/* kept: retried later (OR IGNORE) */
	pend_remove(p);
	return 0;
}

int
store_msg_flush_chat(int64_t chat)
{
	struct pend *p = pend_find(chat);

	if (p == NULL)
		return 0;
	return store_tx_begin() < 0 ? -1 : flush(p);
}

static int64_t
lwm_now(void)
{
	struct pend *p = fifo_head();

	return p ? p->first_id : last_id + 1;
}

static int
lwm_store(int64_t v)
{
	if (store_exec(store_wstmt(&msql[M_LWM_SET]), "I", v) < 0)
		return -1;
	lwm_stored = v;
	return 0;
}

static int recover(void);

void
store_msg_housekeep(long long ms)
{
	struct pend *p;
	/* while idle the loop comes by once a second: do more then */
	int budget = store_in_tx() ? PER_ITER : 16 * PER_ITER;

	now_ms = ms;
	if (need_recover && recover() < 0)
		return;
	for (; budget > 0 && (p = fifo_head()); budget--) {
		if (now_ms - fifo[fhead].since_ms < MAX_AGE_MS)
			break;
		if (store_tx_begin() < 0 || flush(p) < 0)
			break;
	}
	if (now_ms - lwm_at_ms >= LWM_EVERY_MS && !need_recover) {
		int64_t v = lwm_now();

		lwm_at_ms = now_ms;
		if (v != lwm_stored && lwm_store(v) < 0)
			log_warn("store: message index mark not saved");
	}
}

int
store_msg_append(int64_t chat, int64_t seq, time_t ts, const char *kind,
    const char *sender, const char *body, size_t len)
{
	sqlite3_stmt *s;
	struct pend *p;

	if (store_tx_begin() < 0 || (s = store_stmt(&msql[M_INS])) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, chat);
	sqlite3_bind_int64(s, 2, seq);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)ts);
	sqlite3_bind_text(s, 4, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, sender, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, body, (int)len, SQLITE_STATIC);
	if (store_step_done(s) < 0)
		return -1;
	last_id = sqlite3_last_insert_rowid(store_db);

	if ((p = pend_find(chat)) != NULL && p->n == BATCH) {
		if (flush(p) < 0)	/* an earlier flush failed */
			goto index_now;
		p = NULL;
	}
	if (p == NULL) {
		if (npend >= tabsize && tab_grow() < 0)
			goto index_now;
		if ((p = malloc(sizeof(*p))) == NULL)
			goto index_now;
		p->chat = chat;
		p->first_id = last_id;
		p->n = 0;
		if (fifo_push(chat, last_id) < 0) {
			free(p);
			goto index_now;
		}
		size_t k = slot_of(chat);
		p->next = tab[k];
		tab[k] = p;
		npend++;
	}
	p->e[p->n].seq = seq;
	p->e[p->n].id = last_id;
	if (++p->n == BATCH && flush(p) < 0)
		log_warn("store: chat %lld: message index deferred", (long long)chat);
	return 0;

index_now:	/* out of memory: index this one message directly */
	return index_one(chat, seq, last_id);
}

/* ---- reading ---- */

static int
msg_row(sqlite3_stmt *s, store_any_fn *cb, void *arg)
{
	struct store_msg m = {
		sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1),
		(time_t)sqlite3_column_int64(s, 2), store_col_text(s, 3),
		store_col_text(s, 4), store_col_text(s, 5), NULL, NULL };

	if (sqlite3_column_count(s) > 7) {
		m.group = (const char *)sqlite3_column_text(s, 6);
		m.owner = (const char *)sqlite3_column_text(s, 7);
	}
	return ((store_msg_cb *)cb)(arg, &m);
}

int
store_msg_foreach(int64_t chat, int64_t from_seq, store_msg_cb *cb, void *arg)
{
	if (need_recover && recover() < 0)
		return -1;	/* the transcript would miss messages */
	if (store_msg_flush_chat(chat) < 0)
		return -1;
	return store_rows(store_bind(store_stmt(&msql[M_ALL]), "II", chat, from_seq),
	    msg_row, (store_any_fn *)cb, arg);
}

int
store_msg_search(const char *q, store_msg_cb *cb, void *arg)
{
	return store_rows(store_bind(store_stmt(&msql[M_SEARCH]), "t", q),
	    msg_row, (store_any_fn *)cb, arg);
}

int
store_chat_access(int64_t chat, char *group, size_t glen, char *owner,
    size_t olen)
{
	sqlite3_stmt *s = store_bind(store_stmt(&msql[M_CHAT_ACCESS]), "I",
	    chat);
	int rc;

	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		snprintf(group, glen, "%s", store_col_text(s, 0));
		snprintf(owner, olen, "%s", store_col_text(s, 1));
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

/* ---- open, close, rollback ---- */

static int
scalar(int stmt, int64_t *v)
{
	sqlite3_stmt *s = store_stmt(&msql[stmt]);

	return s == NULL || store_step_int64(s, v) != 0 ? -1 : 0;
}

/* Index every message from the stored low-water mark on. */
static int
recover(void)
{
	int64_t lwm;

	forget_all();
	need_recover = 1;
	if (scalar(M_LWM_GET, &lwm) < 0 || scalar(M_MAXID, &last_id) < 0)
		return -1;
	lwm_stored = lwm;
	if (lwm <= last_id) {	/* a crash or a failed commit left some */
		if (store_exec(store_wstmt(&msql[M_RECOVER]), "I", lwm) < 0)
			return -1;
		if (sqlite3_changes(store_db) > 0)
			log_info("store: indexed %d message(s) left pending",
			    sqlite3_changes(store_db));
		if (lwm_store(last_id + 1) < 0 || store_commit() < 0)
			return -1;
	}
	need_recover = 0;
	opened = 1;
	return 0;
}

int
store_msg_open(char *err, size_t errlen)
{
	if (recover() < 0) {
		snprintf(err, errlen, "message index: %s", store_errmsg());
		return -1;
	}
	return 0;
}

void
store_msg_rolled_back(void)
{
	static int busy;

	/* The pending ids may be gone with the transaction: start over
	 * from what is committed (once: recover() commits, too). */
	if (busy || !opened)
		return;
	busy = 1;
	if (recover() < 0)
		log_warn("store: message index: recovery retried next iteration");
	busy = 0;
}

void
store_msg_close(void)
{
	struct pend *p;

	if (store_db != NULL && opened) {
		while ((p = fifo_head()) != NULL)
			if (store_tx_begin() < 0 || flush(p) < 0)
				break;
		if (npend == 0 && !need_recover && lwm_now() != lwm_stored)
			(void)lwm_store(lwm_now());
	}
	forget_all();
	free(tab);
	free(fifo);
	tab = NULL;
	fifo = NULL;
	tabsize = fcap = 0;
	opened = 0;
}
