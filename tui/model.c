/*
 * model.c - the console's state and the small operations that change it.
 *
 * All strings are owned copies; everything here is plain memory work, no
 * I/O and no curses, so it is easy to reason about and to test.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "model.h"
#include "wrapcats.h"

void
model_init(struct model *m)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->status, sizeof(m->status), "%s", "offline");
	m->bell = 1;
	m->dirty = 1;
	input_init(&m->in);
	input_init(&m->rq);
	input_init(&m->dlg.field[0]);
	input_init(&m->dlg.field[1]);
}

void
model_set_str(char **dst, const char *src)
{
	char *c = NULL;

	if (src != NULL && (c = strdup(src)) == NULL)
		return;		/* keep the old value on memory shortage */
	free(*dst);
	*dst = c;
}

void
model_flash(struct model *m, const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	model_set_str(&m->flash, buf);
	m->dirty = 1;
}

void
model_vinfo_clear(struct vinfo *v)
{
	for (size_t i = 0; i < v->nkv; i++) {
		free(v->kv[i].key);
		free(v->kv[i].val);
	}
	free(v->kv);
	for (size_t i = 0; i < v->npages; i++)
		free(v->pages[i]);
	free(v->pages);
	for (size_t i = 0; i < v->nhist; i++)
		free(v->hist[i]);
	free(v->hist);
	free(v->last_wrap);
	memset(v, 0, sizeof(*v));
}

int
model_vinfo_kv(struct vinfo *v, const char *key, const char *val)
{
	struct kv *nk;

	for (size_t i = 0; i < v->nkv; i++)
		if (strcmp(v->kv[i].key, key) == 0) {
			model_set_str(&v->kv[i].val, val);
			return 0;
		}
	nk = realloc(v->kv, (v->nkv + 1) * sizeof(*nk));
	if (nk == NULL)
		return -1;
	v->kv = nk;
	nk[v->nkv].key = strdup(key);
	nk[v->nkv].val = strdup(val);
	if (nk[v->nkv].key == NULL || nk[v->nkv].val == NULL) {
		free(nk[v->nkv].key);
		free(nk[v->nkv].val);
		return -1;
	}
	v->nkv++;
	return 0;
}

int
model_vinfo_list(char ***list, size_t *n, const char *s)
{
	char **nl = realloc(*list, (*n + 1) * sizeof(char *));

	if (nl == NULL)
		return -1;
	*list = nl;
	if ((nl[*n] = strdup(s)) == NULL)
		return -1;
	(*n)++;
	return 0;
}

void
model_chat_clear(struct chat *c)
{
	for (size_t i = 0; i < c->nlines; i++) {
		free(c->lines[i].from);
		free(c->lines[i].text);
	}
	free(c->lines);
	c->lines = NULL;
	c->nlines = c->cap = 0;
	c->scroll = 0;
}

static void
chat_free(struct chat *c)
{
	model_chat_clear(c);
	free(c->name);
	free(c->group);
	free(c->typing);
	model_vinfo_clear(&c->vi);
	free(c);
}

struct chat *
model_chat(struct model *m, long id)
{
	for (size_t i = 0; i < m->nchats; i++)
		if (m->chats[i]->id == id)
			return m->chats[i];
	return NULL;
}

struct chat *
model_chat_add(struct model *m, long id)
{
	struct chat *c = model_chat(m, id), **nc;

	if (c != NULL)
		return c;
	nc = realloc(m->chats, (m->nchats + 1) * sizeof(*nc));
	if (nc == NULL)
		return NULL;
	m->chats = nc;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->id = id;
	m->chats[m->nchats++] = c;
	m->dirty = 1;
	return c;
}

struct chat *
model_focused(struct model *m)
{
	if (m->nchats == 0)
		return NULL;
	if (m->focus >= m->nchats)
		m->focus = m->nchats - 1;
	return m->chats[m->focus];
}

void
model_focus_chat(struct model *m, long id)
{
	for (size_t i = 0; i < m->nchats; i++)
		if (m->chats[i]->id == id) {
			m->focus = i;
			m->chats[i]->unread = 0;
		}
	m->dirty = 1;
}

void
model_chat_remove(struct model *m, long id)
{
	for (size_t i = 0; i < m->nchats; i++) {
		if (m->chats[i]->id != id)
			continue;
		chat_free(m->chats[i]);
		memmove(m->chats + i, m->chats + i + 1,
		    (m->nchats - i - 1) * sizeof(*m->chats));
		m->nchats--;
		if (m->focus > i || m->focus >= m->nchats)
			m->focus = m->focus > 0 ? m->focus - 1 : 0;
		if (m->nchats > 0)
			m->chats[m->focus]->unread = 0;
		m->dirty = 1;
		return;
	}
}

int
model_line_kind(const char *s)
{
	if (s == NULL)
		return LK_SYSTEM;
	if (strcmp(s, "visitor") == 0)
		return LK_VISITOR;
	if (strcmp(s, "agent") == 0)
		return LK_AGENT;
	if (strcmp(s, "note") == 0)
		return LK_NOTE;
	if (strcmp(s, "whisper") == 0)
		return LK_WHISPER;
	if (strcmp(s, "bot") == 0)
		return LK_BOT;
	return LK_SYSTEM;
}

int
model_chat_line(struct chat *c, long seq, time_t ts, int kind,
    const char *from, const char *text)
{
	struct tline *l;
	size_t at;

	if (seq > 0)
		for (size_t i = c->nlines; i-- > 0;)
			if (c->lines[i].seq == seq)
				return 0;
	if (c->nlines == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 32;
		struct tline *nl = realloc(c->lines, cap * sizeof(*nl));

		if (nl == NULL)
			return -1;
		c->lines = nl;
		c->cap = cap;
	}
	/* keep seq order: a late reply may arrive after a newer event */
	at = c->nlines;
	while (seq > 0 && at > 0 && c->lines[at - 1].seq > seq)
		at--;
	memmove(c->lines + at + 1, c->lines + at,
	    (c->nlines - at) * sizeof(*l));
	l = &c->lines[at];
	l->seq = seq;
	l->ts = ts ? ts : time(NULL);
	l->kind = kind;
	l->from = strdup(from ? from : "");
	l->text = strdup(text ? text : "");
	if (l->from == NULL || l->text == NULL) {
		free(l->from);
		free(l->text);
		memmove(c->lines + at, c->lines + at + 1,
		    (c->nlines - at) * sizeof(*l));
		return -1;
	}
	c->nlines++;
	if (c->scroll > 0)
		c->scroll++;	/* keep the view still while reading back */
	return 1;
}

struct qitem *
model_queue_find(struct model *m, long chat)
{
	for (size_t i = 0; i < m->nqueue; i++)
		if (m->queue[i].chat == chat)
			return &m->queue[i];
	return NULL;
}

/* Where a chat of group g at place pos (0: last) goes in the list. */
static size_t
queue_slot(const struct model *m, const char *g, long pos)
{
	size_t after = m->nqueue;	/* no row of g yet: at the end */
	long seen = 0;

	for (size_t i = 0; i < m->nqueue; i++) {
		if (strcmp(m->queue[i].group, g) != 0)
			continue;
		if (pos > 0 && ++seen == pos)
			return i;
		after = i + 1;
	}
	return after;
}

static void
queue_item_free(struct qitem *q)
{
	free(q->group);
	free(q->name);
	free(q->text);
}

/* Take row i out; the selection stays on the same chat when it can. */
static void
queue_unlink(struct model *m, size_t i)
{
	memmove(m->queue + i, m->queue + i + 1,
	    (m->nqueue - i - 1) * sizeof(*m->queue));
	m->nqueue--;
	if (i < m->qsel || (m->qsel >= m->nqueue && m->qsel > 0))
		m->qsel--;
	m->dirty = 1;
}

int
model_queue_add(struct model *m, long chat, long visitor, long wait,
    long pos, const char *group, const char *name, const char *text)
{
	struct qitem *q = model_queue_find(m, chat), *nq, item;
	size_t at;

	m->dirty = 1;
	memset(&item, 0, sizeof(item));
	item.fresh = 1;
	if (q != NULL) {
		item = *q;	/* keep its strings and flags; placed again */
		queue_unlink(m, (size_t)(q - m->queue));
	} else {
		nq = realloc(m->queue, (m->nqueue + 1) * sizeof(*nq));
		if (nq == NULL)
			return -1;
		m->queue = nq;
	}
	item.chat = chat;
	item.visitor = visitor;
	item.wait = wait;
	item.seen = time(NULL);
	model_set_str(&item.group, group ? group : "");
	model_set_str(&item.name, name ? name : "");
	model_set_str(&item.text, text ? text : "");
	if (item.group == NULL || item.name == NULL || item.text == NULL) {
		queue_item_free(&item);
		return -1;
	}
	at = queue_slot(m, item.group, pos);
	memmove(m->queue + at + 1, m->queue + at,
	    (m->nqueue - at) * sizeof(*m->queue));
	m->queue[at] = item;
	if (m->nqueue > 0 && at <= m->qsel)
		m->qsel++;	/* the highlighted row keeps its visitor */
	m->nqueue++;
	return item.fresh;
}

size_t
model_queue_target(const struct model *m)
{
	if (m->focus_pane != FOCUS_QUEUE || m->qsel >= m->nqueue)
		return 0;
	return m->qsel;
}

int
model_countdown(const struct model *m)
{
	for (size_t i = 0; i < m->nchats; i++)
		if (m->chats[i]->answer_by != 0)
			return 1;
	return 0;
}

int
model_owned_active(const struct model *m)
{
	int n = 0;

	for (size_t i = 0; i < m->nchats; i++)
		if (!m->chats[i]->invited && !m->chats[i]->ended)
			n++;
	return n;
}

void
model_queue_del(struct model *m, long chat)
{
	struct qitem *q = model_queue_find(m, chat);

	if (q == NULL)
		return;
	queue_item_free(q);
	queue_unlink(m, (size_t)(q - m->queue));
}

void
model_queue_clear(struct model *m)
{
	while (m->nqueue > 0)
		model_queue_del(m, m->queue[0].chat);
}

long
model_queue_wait(const struct qitem *q, time_t now)
{
	return q->wait + (now > q->seen ? (long)(now - q->seen) : 0);
}

void
model_replies_clear(struct model *m)
{
	for (size_t i = 0; i < m->nreplies; i++) {
		free(m->replies[i].group);
		free(m->replies[i].title);
		free(m->replies[i].text);
	}
	free(m->replies);
	m->replies = NULL;
	m->nreplies = m->rsel = 0;
	m->dirty = 1;
}

size_t
model_reply_rows(const struct model *m)
{
	return m->kb.n + m->nreplies;
}

const struct reply *
model_reply_at(const struct model *m, size_t i, int *kb)
{
	*kb = i < m->kb.n;
	return *kb ? &m->kb.r[i] : &m->replies[i - m->kb.n];
}

int
model_reply_add(struct model *m, long id, const char *group,
    const char *title, const char *text)
{
	struct reply *nr = realloc(m->replies, (m->nreplies + 1) * sizeof(*nr));

	if (nr == NULL)
		return -1;
	m->replies = nr;
	nr += m->nreplies;
	memset(nr, 0, sizeof(*nr));
	nr->id = id;
	model_set_str(&nr->group, group ? group : "");
	model_set_str(&nr->title, title ? title : "");
	model_set_str(&nr->text, text ? text : "");
	m->nreplies++;
	m->dirty = 1;
	return 0;
}

void
model_dialog_close(struct model *m)
{
	struct dialog *d = &m->dlg;

	for (size_t i = 0; i < d->nitems; i++) {
		free(d->items[i].label);
		free(d->items[i].kind);
		free(d->items[i].name);
	}
	free(d->items);
	free(d->msg);
	input_free(&d->field[0]);
	input_free(&d->field[1]);
	memset(d, 0, sizeof(*d));
	m->dirty = 1;
}

void
model_dialog_open(struct model *m, int kind, long chat)
{
	model_dialog_close(m);
	m->dlg.kind = kind;
	m->dlg.chat = chat;
}

int
model_dialog_item_at(struct dialog *d, size_t at, const char *label,
    const char *kind, const char *name)
{
	struct dlg_item *ni = realloc(d->items, (d->nitems + 1) * sizeof(*ni));

	if (ni == NULL)
		return -1;
	d->items = ni;
	if (at > d->nitems)
		at = d->nitems;
	memmove(ni + at + 1, ni + at, (d->nitems - at) * sizeof(*ni));
	ni += at;
	ni->label = strdup(label);
	ni->kind = kind ? strdup(kind) : NULL;
	ni->name = name ? strdup(name) : NULL;
	d->nitems++;
	return 0;
}

int
model_dialog_item(struct dialog *d, const char *label, const char *kind,
    const char *name)
{
	return model_dialog_item_at(d, d->nitems, label, kind, name);
}

void
model_free(struct model *m)
{
	model_queue_clear(m);
	free(m->queue);
	while (m->nchats > 0)
		model_chat_remove(m, m->chats[0]->id);
	free(m->chats);
	model_replies_clear(m);
	for (size_t i = 0; i < KB_SUGGEST_MAX; i++) {
		model_set_str(&m->kb.r[i].title, NULL);
		model_set_str(&m->kb.r[i].text, NULL);
	}
	model_dialog_close(m);
	board_free(&m->board);
	wrapcats_free(m);
	input_free(&m->in);
	input_free(&m->rq);
	free(m->user);
	free(m->display);
	free(m->role);
	free(m->announce);
	free(m->conn_msg);
	free(m->flash);
}
