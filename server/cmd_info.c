/*
 * cmd_info.c - read-only lookups for staff: transcripts, a visitor's card
 * and history, quick replies, agents, groups, and chat history search.
 * All of them answer with rows ("+ ...") and a final "OK <count>".
 *
 * Verbs (rows of proto/cmdtab.def): TRANSCRIPT HISTORY VISITOR REPLIES
 * AGENTS GROUPS SEARCH.
 */
#include <stdio.h>
#include <string.h>

#include "access.h"
#include "chat.h"
#include "cmd.h"
#include "log.h"
#include "store.h"

#define SEARCH_MAX 50

/* May the caller read chat id? 1 yes; 0 after answering NOTFOUND/DENIED. */
static int
chat_readable(struct conn *c, long long id)
{
	char grp[DESK_NAME_MAX] = "", owner[DESK_NAME_MAX] = "";
	int rc;

	if (chat_find(id) == NULL &&
	    (rc = store_chat_access(id, grp, sizeof(grp), owner,
	    sizeof(owner))) != 0) {
		if (rc < 0)
			cmd_store_failed(c);
		else
			reply_err(c, "NOTFOUND", "no chat %lld", id);
		return 0;
	}
	if (!access_chat(c->agent, id, grp, owner)) {
		reply_err(c, "DENIED", "chat %lld belongs to another group", id);
		return 0;
	}
	return 1;
}

/* The end of a message row, after what identifies the message. */
static int
msg_row_end(struct cmd_rows *x, struct pbuf *b, const struct store_msg *m)
{
	proto_put_kvi(b, "ts", (long long)m->ts);
	proto_put_kv(b, "kind", m->kind);
	proto_put_kv(b, "from", m->sender);
	proto_put_text(b, m->body, strlen(m->body));
	return cmd_row_end(x);
}

/* TRANSCRIPT: "+ <seq> ts= kind= from= :body" */
static int
msg_row(void *arg, const struct store_msg *m)
{
	struct cmd_rows *x = arg;
	struct pbuf *b = row_begin(x->c);

	pbuf_printf(b, " %lld", (long long)m->seq);
	return msg_row_end(x, b, m);
}

void
cmd_transcript(struct conn *c, struct proto_req *r)
{
	struct cmd_rows x = { c, 0 };
	long long id;

	if (cmd_id_arg(c, r->argv[0], "chat number", &id) < 0 ||
	    !chat_readable(c, id))
		return;
	cmd_rows_done(&x, store_msg_foreach(id, msg_row, &x));
}

static int
chat_row(void *arg, const struct store_chat *h)
{
	struct cmd_rows *x = arg;
	struct pbuf *b;

	if (!access_chat(x->c->agent, h->id, h->group, h->agent))
		return 0;	/* HISTORY lists only what the caller may read */
	b = row_begin(x->c);
	pbuf_printf(b, " %lld", (long long)h->id);
	proto_put_kv(b, "group", h->group);
	proto_put_kv(b, "state", h->state);
	proto_put_kv(b, "agent", h->agent ? h->agent : "");
	proto_put_kvi(b, "started", (long long)h->created);
	proto_put_kvi(b, "ended", (long long)h->ended_at);
	proto_put_kvi(b, "rating", h->rating);
	proto_put_kv(b, "category", h->category ? h->category : "");
	proto_put_text(b, h->summary ? h->summary : "",
	    h->summary ? strlen(h->summary) : 0);
	return cmd_row_end(x);
}

void
cmd_history(struct conn *c, struct proto_req *r)
{
	struct cmd_rows x = { c, 0 };
	long long id;

	if (cmd_id_arg(c, r->argv[0], "visitor number", &id) < 0)
		return;
	cmd_rows_done(&x, store_chat_foreach_visitor(id, chat_row, &x));
}

struct cardctx {
	struct cmd_rows rows;
	int chats;
	int hidden;		/* chats the caller may not see */
	time_t last;
	char cat[80], sum[256];
};

static int
count_chat(void *arg, const struct store_chat *h)
{
	struct cardctx *x = arg;

	if (!access_chat(x->rows.c->agent, h->id, h->group, h->agent)) {
		x->hidden++;
		return 0;
	}
	x->chats++;
	if (h->created > x->last)
		x->last = h->created;
	if (h->category && x->cat[0] == '\0') {
		snprintf(x->cat, sizeof(x->cat), "%s", h->category);
		snprintf(x->sum, sizeof(x->sum), "%s", h->summary ? h->summary : "");
	}
	return 0;
}

static void
card_kv(struct cardctx *x, const char *k, const char *v)
{
	proto_put_kv(row_begin(x->rows.c), k, v ? v : "");
	cmd_row_end(&x->rows);
}

static void
card_kvi(struct cardctx *x, const char *k, long long v)
{
	proto_put_kvi(row_begin(x->rows.c), k, v);
	cmd_row_end(&x->rows);
}

static int
card_visitor(void *arg, const struct store_visitor *v)
{
	struct cardctx *x = arg;

	card_kv(x, "name", v->name);
	card_kv(x, "email", v->email);
	card_kv(x, "addr", v->addr);
	card_kv(x, "lang", v->lang);
	card_kv(x, "referrer", v->referrer);
	card_kv(x, "ua", v->ua);
	card_kvi(x, "first", (long long)v->first_seen);
	card_kvi(x, "last", (long long)v->last_seen);
	card_kvi(x, "visits", v->visits);
	return 0;
}

static int
card_page(void *arg, const struct store_page *p)
{
	struct cardctx *x = arg;
	struct pbuf *b = row_begin(x->rows.c);

	proto_put_word(b, "page");
	proto_put_kvi(b, "ts", (long long)p->ts);
	proto_put_kv(b, "url", p->url);
	proto_put_text(b, p->title, strlen(p->title));
	return cmd_row_end(&x->rows);
}

void
cmd_visitor(struct conn *c, struct proto_req *r)
{
	struct cardctx x;
	long long id;
	int rc;

	memset(&x, 0, sizeof(x));
	x.rows.c = c;
	if (cmd_id_arg(c, r->argv[0], "visitor number", &id) < 0)
		return;
	if (store_chat_foreach_visitor(id, count_chat, &x) < 0) {
		cmd_store_failed(c);
		return;
	}
	if (x.chats == 0 && x.hidden > 0) {
		reply_err(c, "DENIED", "visitor %lld has only chats of other groups",
		    id);
		return;
	}
	rc = store_visitor_load(id, card_visitor, &x);
	if (rc < 0) {
		cmd_store_failed(c);
		return;
	}
	if (rc == 1) {
		reply_err(c, "NOTFOUND", "no visitor %lld", id);
		return;
	}
	card_kvi(&x, "chats", x.chats);
	card_kvi(&x, "last_chat", (long long)x.last);
	card_kv(&x, "last_category", x.cat);
	card_kv(&x, "last_summary", x.sum);
	cmd_rows_done(&x.rows, store_page_foreach(id, card_page, &x));
}

static int
reply_row(void *arg, const struct store_reply *rp)
{
	struct cmd_rows *x = arg;
	struct pbuf *b = row_begin(x->c);

	pbuf_printf(b, " %lld", (long long)rp->id);
	proto_put_kv(b, "group", rp->group ? rp->group : "");
	proto_put_kv(b, "title", rp->title);
	proto_put_text(b, rp->body, strlen(rp->body));
	return cmd_row_end(x);
}

void
cmd_replies(struct conn *c, struct proto_req *r)
{
	struct cmd_rows x = { c, 0 };

	if (r->textlen > 256) {
		reply_err(c, "ARGS", "query longer than 256 bytes");
		return;
	}
	cmd_rows_done(&x, store_reply_search(r->text ? r->text : "", 50,
	    reply_row, &x));
}

void
cmd_agents(struct conn *c, struct proto_req *r)
{
	int n = 0;

	for (struct agent *a = desk.agents; a; a = a->next) {
		struct pbuf *b;
		char groups[512];

		if (a->deleted)
			continue;
		group_mask_format(a->groups, groups, sizeof(groups));
		b = row_begin(c);
		proto_put_word(b, a->name);
		proto_put_kv(b, "role", proto_role_name(a->role));
		proto_put_kv(b, "status", a->conn ? agent_status_name(a->status) :
		    "offline");
		proto_put_kvi(b, "chats", a->nchats);
		proto_put_kvi(b, "max", a->max_chats);
		proto_put_kv(b, "groups", groups);
		proto_put_kv(b, "display", a->display);
		conn_end(c);
		n++;
	}
	reply_ok(c, "%d", n);
}

void
cmd_groups(struct conn *c, struct proto_req *r)
{
	for (int i = 0; i < desk.ngroups; i++) {
		struct group *g = &desk.groups[i];
		struct pbuf *b = row_begin(c);

		proto_put_word(b, g->name);
		proto_put_kv(b, "mode", g->auto_route ? "auto" : "manual");
		proto_put_kvi(b, "waiting", g->qlen);
		proto_put_kvi(b, "online", group_online(g));
		proto_put_text(b, g->description, strlen(g->description));
		conn_end(c);
	}
	reply_ok(c, "%d", desk.ngroups);
}

/* SEARCH: "+ <chat> seq= ts= kind= from= :body", SEARCH_MAX at most */
static int
search_row(void *arg, const struct store_msg *m)
{
	struct cmd_rows *x = arg;
	struct pbuf *b;

	if (!access_chat(x->c->agent, m->chat, m->group, m->owner))
		return 0;
	b = row_begin(x->c);
	pbuf_printf(b, " %lld", (long long)m->chat);
	proto_put_kvi(b, "seq", m->seq);
	msg_row_end(x, b, m);
	return x->n < SEARCH_MAX ? 0 : -1;
}

void
cmd_search(struct conn *c, struct proto_req *r)
{
	struct cmd_rows x = { c, 0 };

	if (r->textlen == 0 || r->textlen > 256) {
		reply_err(c, "ARGS", "a query is 1-256 bytes");
		return;
	}
	cmd_rows_done(&x, store_msg_search(r->text, search_row, &x));
}
