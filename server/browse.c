/*
 * browse.c - browsing visitors and proactive invitations (browse.h).
 *
 * The widget says BROWSE when a page opens, before the visitor asks
 * anything. Each browser is kept in memory only (no database row: most
 * never chat), in one list in order of arrival, until its connection has
 * been gone for browse.linger seconds: a page change closes one WebSocket
 * and opens the next, which names the browser again with its token, so an
 * agent sees one visitor moving through the site (* MOVED), not a
 * departure and an arrival per page.
 *
 * Caps, so that browsing cannot exhaust the server: at most browse.max
 * browsers in all and browse.per_addr_max from one address, counting the
 * lingering ones; to make room, the lingering browser that left longest
 * ago (of that address, for the address cap) is dropped first; only when
 * every one counted is still connected is a new one refused. Connections
 * themselves count against http.max_per_addr / limits.per_addr_max as
 * before.
 *
 * Lookups are O(1): two hash tables (by number for ENGAGE, by token for
 * the next page's BROWSE) that double as the list grows. Browsers whose
 * connection went are also on a second list in the order they left, so
 * the one to evict or reap is at its head without a scan.
 *
 * Staff see the browsers of their groups (a browser's group is the
 * widget's data-group), supervisors and admins all: the rule of QUEUE.
 * Only connections that asked (VISITORS watch=1) get the live events.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "access.h"
#include "addrcount.h"
#include "auth.h"
#include "browse.h"
#include "chat.h"
#include "log.h"
#include "server.h"

static struct browser *head, *tail;
static struct browser *lhead, *ltail;	/* lingering, oldest first */
static int nbrowsers;
static int ninvites;			/* browsers with an invitation pending */
static int64_t last_id;
static struct addrcount_tab per_addr;

/* ---- the index: number and token to browser ---- */

static struct browser **by_id, **by_tok;
static size_t nslots;			/* a power of two, or 0 */

static size_t
hash_id(int64_t id)
{
	return (size_t)(((uint64_t)id * 0x9e3779b97f4a7c15ULL) >> 32);
}

static size_t
hash_tok(const char *t)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	for (; *t; t++)
		h = (h ^ (unsigned char)*t) * 0x100000001b3ULL;
	return (size_t)h;
}

static void
index_put(struct browser **ids, struct browser **toks, size_t n,
    struct browser *b)
{
	size_t i = hash_id(b->id) & (n - 1), k = hash_tok(b->token) & (n - 1);

	b->id_next = ids[i];
	ids[i] = b;
	b->tok_next = toks[k];
	toks[k] = b;
}

/* Room for one more at a load of at most 1: the tables double. Without
 * memory the old ones stay (longer chains, still right); -1 only when
 * there are none at all. */
static int
index_grow(void)
{
	size_t n = nslots ? nslots * 2 : 64;
	struct browser **ids, **toks;

	if ((size_t)nbrowsers < nslots)
		return 0;
	ids = calloc(n, sizeof(*ids));
	toks = calloc(n, sizeof(*toks));
	if (ids == NULL || toks == NULL) {
		free(ids);
		free(toks);
		return nslots ? 0 : -1;
	}
	for (struct browser *b = head; b; b = b->next)
		index_put(ids, toks, n, b);
	free(by_id);
	free(by_tok);
	by_id = ids;
	by_tok = toks;
	nslots = n;
	return 0;
}

static void
index_del(struct browser *b)
{
	struct browser **pp;

	for (pp = &by_id[hash_id(b->id) & (nslots - 1)]; *pp; pp = &(*pp)->id_next)
		if (*pp == b) {
			*pp = b->id_next;
			break;
		}
	for (pp = &by_tok[hash_tok(b->token) & (nslots - 1)]; *pp;
	    pp = &(*pp)->tok_next)
		if (*pp == b) {
			*pp = b->tok_next;
			break;
		}
}

struct browser *
browse_first(void)
{
	return head;
}

int
browse_count(void)
{
	return nbrowsers;
}

struct browser *
browse_find(int64_t id)
{
	if (nslots == 0)
		return NULL;
	for (struct browser *b = by_id[hash_id(id) & (nslots - 1)]; b;
	    b = b->id_next)
		if (b->id == id)
			return b;
	return NULL;
}

static struct browser *
find_token(const char *token)
{
	if (nslots == 0)
		return NULL;
	for (struct browser *b = by_tok[hash_tok(token) & (nslots - 1)]; b;
	    b = b->tok_next)
		if (strcmp(b->token, token) == 0)
			return b;
	return NULL;
}

/* ---- lingering: connection gone, waiting for the next page ---- */

static void
linger_add(struct browser *b)
{
	b->lnext = NULL;
	b->lprev = ltail;
	if (ltail)
		ltail->lnext = b;
	else
		lhead = b;
	ltail = b;
}

static void
linger_del(struct browser *b)
{
	if (b->conn != NULL)
		return;		/* not on the list */
	if (b->lprev)
		b->lprev->lnext = b->lnext;
	else
		lhead = b->lnext;
	if (b->lnext)
		b->lnext->lprev = b->lprev;
	else
		ltail = b->lprev;
	b->lprev = b->lnext = NULL;
}

int
browse_visible(const struct agent *a, const struct browser *b)
{
	return a != NULL && !a->deleted && access_group(a, b->group);
}

void
browse_put_fields(struct pbuf *p, const struct browser *b)
{
	proto_put_kv(p, "group", b->group->name);
	proto_put_kv(p, "page", b->page ? b->page : "");
	proto_put_kv(p, "referrer", b->referrer ? b->referrer : "");
	proto_put_kv(p, "addr", b->addr);
	proto_put_kv(p, "lang", b->lang ? b->lang : "");
	proto_put_kvi(p, "since", (long long)b->since);
	if (b->conn == NULL)
		proto_put_kvi(p, "left", 1);
	if (b->inviter)
		proto_put_kv(p, "invited", b->inviter->name);
}

void
browse_ev_watchers(const struct browser *b)
{
	for (struct agent *a = desk.agents; a; a = a->next) {
		if (!browse_visible(a, b))
			continue;
		for (struct conn *c = a->conn; c; c = c->anext)
			if (c->browse_watch)
				ev_send(c);
	}
}

static void
unlink_browser(struct browser *b)
{
	linger_del(b);
	index_del(b);
	if (b->prev)
		b->prev->next = b->next;
	else
		head = b->next;
	if (b->next)
		b->next->prev = b->prev;
	else
		tail = b->prev;
	nbrowsers--;
	addrcount_release(&per_addr, b->addr);
}

static void
free_browser(struct browser *b)
{
	free(b->page);
	free(b->title);
	free(b->referrer);
	free(b->lang);
	free(b->invite_text);
	free(b);
}

/* "* EVENT B key=val [chat=C]" in the event buffer. */
static void
ev_outcome(const char *event, const struct browser *b, const char *key,
    const char *val, int64_t chat)
{
	struct pbuf *p = ev_begin();

	pbuf_printf(p, " %s %lld", event, (long long)b->id);
	proto_put_kv(p, key, val);
	if (chat > 0)
		proto_put_kvi(p, "chat", chat);
}

/* b goes from the list: * DEPARTED to the watchers, its invitation ends. */
static void
depart(struct browser *b, const char *reason, int64_t chat)
{
	if (b->inviter)
		browse_invite_end(b, reason, chat);
	ev_outcome("DEPARTED", b, "reason", reason, chat);
	browse_ev_watchers(b);
	if (b->conn)
		b->conn->browser = NULL;
	unlink_browser(b);
	free_browser(b);
}

/* Drop the lingering browser that left longest ago (of addr, if given) to
 * make room: 0, or -1 if every one is still connected. */
static int
evict_lingering(const char *addr)
{
	struct browser *old = lhead;

	while (old && addr && strcmp(old->addr, addr) != 0)
		old = old->lnext;
	if (old == NULL)
		return -1;
	depart(old, "left", 0);
	return 0;
}

/* Count one more browser of addr: -1 with *why when no room is left. */
static int
make_room(const char *addr, const char **why)
{
	if (nbrowsers >= srv.cfg.browse_max && evict_lingering(NULL) < 0) {
		*why = "too many visitors on the site right now";
		return -1;
	}
	while (addrcount_take(&per_addr, addr, srv.cfg.browse_per_addr_max) < 0)
		if (evict_lingering(addr) < 0) {
			*why = "too many visitors from your address";
			return -1;
		}
	return 0;
}

/* The browser that token names takes c as its connection. */
static struct browser *
come_back(struct conn *c, struct browser *b)
{
	if (b->conn && b->conn != c)
		b->conn->browser = NULL;	/* another tab: it goes quiet */
	linger_del(b);
	b->conn = c;
	b->gone_ms = 0;
	c->browser = b;
	return b;
}

struct browser *
browse_arrive(struct conn *c, struct group *g, const char *token,
    int *back, const char **why)
{
	struct browser *b = NULL;

	*why = NULL;
	*back = 0;
	if (token && *token && (b = find_token(token)) != NULL &&
	    b->group == g && strcmp(b->addr, c->addr) == 0) {
		*back = 1;
		return come_back(c, b);
	}
	if (make_room(c->addr, why) < 0)
		return NULL;
	b = NULL;		/* (a token of another group or address) */
	if (index_grow() < 0 || (b = calloc(1, sizeof(*b))) == NULL ||
	    auth_random_hex(b->token, 16) < 0) {
		free(b);
		addrcount_release(&per_addr, c->addr);
		return NULL;
	}
	b->id = ++last_id;
	b->group = g;
	snprintf(b->addr, sizeof(b->addr), "%s", c->addr);
	b->since = time(NULL);
	b->tokens = srv.cfg.msg_burst;
	b->tokens_at = srv.now_ms;
	b->prev = tail;
	if (tail)
		tail->next = b;
	else
		head = b;
	tail = b;
	nbrowsers++;
	index_put(by_id, by_tok, nslots, b);
	b->conn = c;		/* (not lingering) */
	return come_back(c, b);
}

int
browse_set_field(char **field, const char *value)
{
	char *n = NULL;

	if (value == NULL)
		return 0;
	if (*value && (n = strdup(value)) == NULL)
		return -1;
	free(*field);
	*field = n;
	return 0;
}

int
browse_set_page(struct browser *b, const char *page, const char *title,
    size_t titlelen, int moved)
{
	char *t = NULL;
	struct pbuf *p;

	if (title && (t = strndup(title, titlelen)) == NULL)
		return -1;
	if (browse_set_field(&b->page, page ? page : "") < 0) {
		free(t);
		return -1;
	}
	free(b->title);
	b->title = t;
	p = ev_begin();
	if (moved) {
		pbuf_printf(p, " MOVED %lld", (long long)b->id);
		proto_put_kv(p, "page", b->page ? b->page : "");
	} else {
		pbuf_printf(p, " ARRIVED %lld", (long long)b->id);
		browse_put_fields(p, b);
	}
	if (b->title)
		proto_put_text(p, b->title, strlen(b->title));
	browse_ev_watchers(b);
	return 0;
}

void
browse_closed(struct conn *c)
{
	struct browser *b = c->browser;

	c->browse_watch = 0;
	if (b == NULL)
		return;
	b->conn = NULL;
	b->gone_ms = srv.now_ms ? srv.now_ms : 1;
	linger_add(b);
	c->browser = NULL;
}

void
browse_became_visitor(struct conn *c, int64_t chat)
{
	struct browser *b = c->browser;

	if (b == NULL)
		return;
	b->accepting = 0;
	depart(b, "chat", chat);
}

/* ---- invitations ---- */

void
browse_invite_show(struct browser *b)
{
	struct pbuf *p;

	if (b->inviter == NULL || b->conn == NULL)
		return;
	p = ev_begin();
	pbuf_printf(p, " INVITATION %lld", (long long)b->id);
	proto_put_kv(p, "agent", b->inviter->display);
	proto_put_text(p, b->invite_text, strlen(b->invite_text));
	ev_send(b->conn);
}

void
browse_invite(struct browser *b, struct agent *a, const char *text,
    size_t len)
{
	char *t = strndup(text, len);

	if (t == NULL)
		return;
	free(b->invite_text);
	b->invite_text = t;
	if (b->inviter == NULL)
		ninvites++;
	b->inviter = a;
	b->invite_ms = srv.now_ms;
	browse_invite_show(b);
}

void
browse_invite_end(struct browser *b, const char *result, int64_t chat)
{
	struct agent *a = b->inviter;

	if (a == NULL)
		return;
	b->inviter = NULL;
	ninvites--;
	b->accepting = 0;
	free(b->invite_text);
	b->invite_text = NULL;
	if (strcmp(result, "accepted") != 0)
		b->cool_until_ms = srv.now_ms +
		    (long long)srv.cfg.invite_cooldown * 1000;
	ev_outcome("ENGAGE", b, "result", result, chat);
	ev_send_agent(a);
}

/* Free: connected, online and under their chat limit. */
static int
agent_free(const struct agent *a)
{
	return !a->deleted && a->conn != NULL && a->status == AS_ONLINE &&
	    a->nchats < a->max_chats;
}

void
browse_hello_chat(struct conn *c, struct chat *ch)
{
	struct browser *b = c->browser;
	struct agent *a;
	const char *text;

	if (b == NULL || !b->accepting || (a = b->inviter) == NULL)
		return;
	text = b->invite_text;
	if (ch->state == CS_QUEUED && agent_free(a) &&
	    chat_assign(ch, a, "proactive", NULL, NULL) < 0)
		log_warn("chat %lld: could not give it to %s", (long long)ch->id,
		    a->name);
	/* what the agent wrote opens the transcript, said by them */
	if (chat_post(ch, "agent", a->display, text, strlen(text)) < 0)
		log_warn("chat %lld: invitation text not stored",
		    (long long)ch->id);
	browse_invite_end(b, "accepted", ch->id);
}

/* ---- time ---- */

void
browse_tick(void)
{
	long long linger = (long long)srv.cfg.browse_linger * 1000;
	long long tmo = (long long)srv.cfg.invite_timeout * 1000;
	struct browser *b, *next;

	while (lhead && srv.now_ms - lhead->gone_ms >= linger)
		depart(lhead, "left", 0);
	if (ninvites == 0)
		return;
	for (b = head; b; b = next) {
		next = b->next;
		if (b->inviter && !b->accepting && tmo > 0 &&
		    srv.now_ms - b->invite_ms >= tmo) {
			browse_invite_end(b, "timeout", 0);
			if (b->conn) {
				ev_outcome("INVITATION", b, "withdrawn", "timeout", 0);
				ev_send(b->conn);
			}
		}
	}
}

void
browse_free_all(void)
{
	struct browser *b, *next;

	for (b = head; b; b = next) {
		next = b->next;
		if (b->conn)
			b->conn->browser = NULL;
		unlink_browser(b);
		free_browser(b);
	}
	free(by_id);
	free(by_tok);
	by_id = by_tok = NULL;
	nslots = 0;
}
