/*
 * store_msg.c - chat messages in SQLite, written so that the cost of a
 * message does not grow with the number of open chats.
 *
 * A table keyed by (chat, seq) puts every open chat's next message on a
 * different B-tree page: with thousands of chats, a commit of a thousand
 * messages dirties a thousand 4 KB pages, and the WAL and its checkpoints
 * copy each of them. So messages are appended to `messages` in arrival order
 * (rowid; one page per ~50 messages whatever the number of chats), and the
 * (chat, seq) -> id map is written per chat in batches, one `msg_batch` row
 * per batch (its first and last seq and the (seq, id) pairs as a blob of
 * varints, see put_var()): when BATCH messages of a chat are waiting, when
 * the oldest has waited MAX_AGE_MS (a few such chats per loop iteration, so
 * the work is spread out), when the chat ends, and before anything reads
 * the chat. One row per batch rather than one per message: the index rows
 * were half of the cost of storing a message (schema migration 17).
 *
 * Crash safety: `meta.msg_index_lwm` is written in the same transactions as
 * the messages and is never above the id of an unindexed message, so on open
 * indexing every message from it on that no batch holds yet rebuilds what a
 * crash left pending. Nothing acknowledged is lost: the message row itself
 * is in the commit that preceded its OK.
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

struct ent {
	int64_t seq, id;
};

struct pend {			/* one chat's messages not indexed yet */
	int64_t chat;
	int64_t first_id;	/* id of the oldest */
	int n;
	struct ent e[BATCH];
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

enum { M_INS, M_BATCH, M_BATCHES, M_GET, M_SEARCH, M_CHAT_ACCESS, M_LWM_GET,
	M_LWM_SET, M_SCAN, M_COVER, M_MAXID, M__COUNT };

static struct store_sql msql[M__COUNT] = {
	[M_INS] = { "INSERT INTO messages (chat, seq, ts, kind, sender, body) VALUES (?,?,?,?,?,?)", NULL },
	[M_BATCH] = { "INSERT INTO msg_batch (chat, first_seq, last_seq, n, ids) VALUES (?,?,?,?,?)", NULL },
	[M_BATCHES] = { "SELECT first_seq, ids FROM msg_batch WHERE chat=? AND last_seq>=? "
	    "ORDER BY first_seq", NULL },
	[M_GET] = { "SELECT ts, kind, sender, body FROM messages WHERE id=?", NULL },
	[M_SEARCH] = { "SELECT m.chat, m.seq, m.ts, m.kind, m.sender, m.body, c.grp, c.agent "
	    "FROM messages m LEFT JOIN chats c ON c.id = m.chat "
	    "WHERE instr(lower(m.body), lower(?)) > 0 ORDER BY m.id DESC", NULL },
	[M_CHAT_ACCESS] = { "SELECT grp, agent FROM chats WHERE id=?", NULL },
	[M_LWM_GET] = { "SELECT value FROM meta WHERE key='msg_index_lwm'", NULL },
	[M_LWM_SET] = { "UPDATE meta SET value=? WHERE key='msg_index_lwm'", NULL },
	[M_SCAN] = { "SELECT id, chat, seq FROM messages WHERE id >= ? ORDER BY chat, seq", NULL },
	[M_COVER] = { "SELECT last_seq FROM msg_batch WHERE chat=?1 AND first_seq<=?2 "
	    "ORDER BY first_seq DESC LIMIT 1", NULL },
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

#define VAR_MAX	10	/* bytes of one varint, at most */

/* d as a zigzag varint (small of either sign in few bytes) at b; its length */
static size_t
put_var(unsigned char *b, int64_t d)
{
	uint64_t v = d >= 0 ? (uint64_t)d << 1 : ((uint64_t)-(d + 1) << 1) | 1;
	size_t n = 0;

	while (v >= 0x80) {
		b[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	b[n++] = (unsigned char)v;
	return n;
}

/* The varint at b[*pos] (of len bytes) into *d, *pos past it; -1 if cut. */
static int
get_var(const unsigned char *b, size_t len, size_t *pos, int64_t *d)
{
	uint64_t v = 0;

	for (int shift = 0; shift < 64 && *pos < len; shift += 7) {
		unsigned char c = b[(*pos)++];

		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*d = v & 1 ? -(int64_t)(v >> 1) - 1 : (int64_t)(v >> 1);
			return 0;
		}
	}
	return -1;
}

/* One msg_batch row for n (seq, id) pairs of a chat, in seq order: each
 * pair as the differences from the one before (the first from first_seq
 * and id 0). */
static int
write_batch(int64_t chat, const struct ent *e, int n)
{
	unsigned char blob[BATCH * 2 * VAR_MAX];
	size_t len = 0;
	sqlite3_stmt *s = store_stmt(&msql[M_BATCH]);

	for (int i = 0; i < n; i++) {
		len += put_var(blob + len, e[i].seq - (i ? e[i - 1].seq : e[0].seq));
		len += put_var(blob + len, e[i].id - (i ? e[i - 1].id : 0));
	}
	if (s == NULL || sqlite3_bind_int64(s, 1, chat) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, e[0].seq) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, e[n - 1].seq) != SQLITE_OK ||
	    sqlite3_bind_int(s, 4, n) != SQLITE_OK ||
	    sqlite3_bind_blob(s, 5, blob, (int)len, SQLITE_STATIC) != SQLITE_OK) {
		if (s != NULL)
			sqlite3_reset(s);
		return -1;
	}
	return store_step_done(s);
}

static int
index_one(int64_t chat, int64_t seq, int64_t id)
{
	struct ent e = { seq, id };

	return write_batch(chat, &e, 1);
}

static int
flush(struct pend *p)
{
	if (write_batch(p->chat, p->e, p->n) < 0)
		return -1;	/* kept: retried later */
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

/* Add a stored message to its chat's batch (written once full); if that
 * cannot be done (out of memory), index it on its own. */
static int
queue(int64_t chat, int64_t seq, int64_t id)
{
	struct pend *p;

	if ((p = pend_find(chat)) != NULL && p->n == BATCH) {
		if (flush(p) < 0)	/* an earlier flush failed */
			return index_one(chat, seq, id);
		p = NULL;
	}
	if (p == NULL) {
		if (npend >= tabsize && tab_grow() < 0)
			return index_one(chat, seq, id);
		if ((p = malloc(sizeof(*p))) == NULL)
			return index_one(chat, seq, id);
		p->chat = chat;
		p->first_id = id;
		p->n = 0;
		if (fifo_push(chat, id) < 0) {
			free(p);
			return index_one(chat, seq, id);
		}
		size_t k = slot_of(chat);
		p->next = tab[k];
		tab[k] = p;
		npend++;
	}
	p->e[p->n].seq = seq;
	p->e[p->n].id = id;
	if (++p->n == BATCH && flush(p) < 0)
		log_warn("store: chat %lld: message index deferred", (long long)chat);
	return 0;
}

int
store_msg_append(int64_t chat, int64_t seq, time_t ts, const char *kind,
    const char *sender, const char *body, size_t len)
{
	sqlite3_stmt *s;

	if (store_tx_begin() < 0 || (s = store_stmt(&msql[M_INS])) == NULL)
		return -1;
	if (sqlite3_bind_int64(s, 1, chat) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, seq) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, (sqlite3_int64)ts) != SQLITE_OK ||
	    sqlite3_bind_text(s, 4, kind, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(s, 5, sender, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(s, 6, body, (int)len, SQLITE_STATIC) != SQLITE_OK) {
		sqlite3_reset(s);
		return -1;
	}
	if (store_step_done(s) < 0)
		return -1;
	last_id = sqlite3_last_insert_rowid(store_db);
	return queue(chat, seq, last_id);
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

/* Message `id` (seq `seq` of `chat`) to cb: 1 if cb said stop, 0, -1. */
static int
one_msg(int64_t chat, int64_t seq, int64_t id, store_msg_cb *cb, void *arg)
{
	sqlite3_stmt *s = store_bind(store_stmt(&msql[M_GET]), "I", id);
	int rc, stop = 0;

	if (s == NULL)
		return -1;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_msg m = { chat, seq,
			(time_t)sqlite3_column_int64(s, 0), store_col_text(s, 1),
			store_col_text(s, 2), store_col_text(s, 3), NULL, NULL };

		stop = cb(arg, &m) < 0;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? stop : rc == SQLITE_DONE ? 0 : -1;
}

/* The messages of the batch row at s from seq `from` on, to cb:
 * 1 if cb said stop, 0, -1 (a damaged row or a failed read). */
static int
batch_msgs(sqlite3_stmt *s, int64_t chat, int64_t from, store_msg_cb *cb,
    void *arg)
{
	const unsigned char *b = sqlite3_column_blob(s, 1);
	size_t len = (size_t)sqlite3_column_bytes(s, 1), pos = 0;
	int64_t seq = sqlite3_column_int64(s, 0), id = 0, d;
	int rc;

	while (pos < len) {
		if (get_var(b, len, &pos, &d) < 0)
			goto damaged;
		seq += d;
		if (get_var(b, len, &pos, &d) < 0)
			goto damaged;
		id += d;
		if (seq >= from && (rc = one_msg(chat, seq, id, cb, arg)) != 0)
			return rc;
	}
	return 0;
damaged:
	log_error("store: chat %lld: damaged message index row", (long long)chat);
	return -1;
}

int
store_msg_foreach(int64_t chat, int64_t from_seq, store_msg_cb *cb, void *arg)
{
	sqlite3_stmt *s;
	int rc = SQLITE_DONE, stop = 0;

	if (need_recover && recover() < 0)
		return -1;	/* the transcript would miss messages */
	if (store_msg_flush_chat(chat) < 0)
		return -1;
	if ((s = store_bind(store_stmt(&msql[M_BATCHES]), "II", chat,
	    from_seq)) == NULL)
		return -1;
	while (stop == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW)
		stop = batch_msgs(s, chat, from_seq, cb, arg);
	sqlite3_reset(s);
	if (stop != 0)
		return stop < 0 ? -1 : 0;
	return rc == SQLITE_DONE ? 0 : -1;
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

/* 1 if a batch row of chat holds seq, 0 if none does, -1. */
static int
covered(int64_t chat, int64_t seq)
{
	int64_t last;
	int rc = store_step_int64(store_bind(store_stmt(&msql[M_COVER]), "II",
	    chat, seq), &last);

	return rc < 0 ? -1 : rc == 0 && last >= seq;
}

/* Queue every message from id lwm on that no batch holds, chat by chat
 * (one chat's batch waits at a time), and write the batches; *n: how many. */
static int
reindex(int64_t lwm, int *n)
{
	sqlite3_stmt *s = store_bind(store_stmt(&msql[M_SCAN]), "I", lwm);
	struct pend *p;
	int64_t prev = 0;
	int rc, bad = 0;

	if (s == NULL)
		return -1;
	while (!bad && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		int64_t chat = sqlite3_column_int64(s, 1);
		int64_t seq = sqlite3_column_int64(s, 2);
		int c;

		if (chat != prev && (p = pend_find(prev)) != NULL && flush(p) < 0)
			bad = 1;
		prev = chat;
		if (bad || (c = covered(chat, seq)) < 0 ||
		    (c == 0 && queue(chat, seq, id) < 0))
			bad = 1;
		else
			*n += !c;
	}
	sqlite3_reset(s);
	if (bad || rc != SQLITE_DONE)
		return -1;
	while ((p = fifo_head()) != NULL)
		if (flush(p) < 0)
			return -1;
	return 0;
}

/* Index every message from the stored low-water mark on. */
static int
recover(void)
{
	int64_t lwm;
	int n = 0;

	forget_all();
	need_recover = 1;
	if (scalar(M_LWM_GET, &lwm) < 0 || scalar(M_MAXID, &last_id) < 0)
		return -1;
	lwm_stored = lwm;
	if (lwm <= last_id) {	/* a crash or a failed commit left some */
		if (store_tx_begin() < 0 || reindex(lwm, &n) < 0)
			return -1;
		if (n > 0)
			log_info("store: indexed %d message(s) left pending", n);
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
