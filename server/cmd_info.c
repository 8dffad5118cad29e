/*
 * cmd_info.c - read-only lookups for staff: transcripts, a visitor's card
 * and history, agents, groups, and chat history search.
 * All of them answer with rows ("+ ...") and a final "OK <count>", one
 * page at a time (from=, limit=; see cmd_list.c).
 *
 * Verbs (rows of proto/cmdtab.def): TRANSCRIPT HISTORY VISITOR AGENTS
 * GROUPS SEARCH.
 */
#include <stdio.h>
#include <string.h>

#include "access.h"
#include "chat.h"
#include "cmd.h"
#include "log.h"
#include "store.h"

#define TRANSCRIPT_DEF 200	/* messages a page holds by default */
#define TRANSCRIPT_MAX 1000	/* ... and at most */
#define SEARCH_DEF 50		/* SEARCH rows, by default */
#define SEARCH_MAX 200		/* ... and at most */

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
msg_row_end(struct list_page *pg, struct pbuf *b, const struct store_msg *m)
{
	proto_put_kvi(b, "ts", (long long)m->ts);
	proto_put_kv(b, "kind", m->kind);
	proto_put_kv(b, "from", m->sender);
	proto_put_text(b, m->body, strlen(m->body));
	return list_row_end(pg);
}

/* TRANSCRIPT: "+ <seq> ts= kind= from= :body" */
static int
msg_row(void *arg, const struct store_msg *m)
{
	struct list_page *pg = arg;
	struct pbuf *b;

	if (list_take_key(pg, m->seq) < 0)
		return -1;
	b = row_begin(pg->c);
	pbuf_printf(b, " %lld", (long long)m->seq);
	return msg_row_end(pg, b, m);
}

/* TRANSCRIPT pages by message number: from=SEQ is the first one sent. */
void
cmd_transcript(struct conn *c, struct proto_req *r)
{
	struct list_page pg;
	long long id;

	if (list_init(&pg, c, r, 1, TRANSCRIPT_DEF, TRANSCRIPT_MAX) < 0 ||
	    cmd_id_arg(c, r->argv[0], "chat number", &id) < 0 ||
	    !chat_readable(c, id))
		return;
	list_done(&pg, store_msg_foreach(id, pg.from, msg_row, &pg));
}

void
info_put_chat(struct pbuf *b, const struct store_chat *h)
{
	proto_put_kv(b, "group", h->group);
	proto_put_kv(b, "state", h->state);
	proto_put_kv(b, "agent", h->agent ? h->agent : "");
	proto_put_kvi(b, "started", (long long)h->created);
	proto_put_kvi(b, "ended", (long long)h->ended_at);
	proto_put_kvi(b, "rating", h->rating);
	proto_put_kv(b, "category", h->category ? h->category : "");
	proto_put_text(b, h->summary ? h->summary : "",
	    h->summary ? strlen(h->summary) : 0);
}

static int
chat_row(void *arg, const struct store_chat *h)
{
	struct list_page *pg = arg;
	struct pbuf *b;
	int rc;

	if (!access_chat(pg->c->agent, h->id, h->group, h->agent))
		return 0;	/* HISTORY lists only what the caller may read */
	if ((b = list_row_id(pg, (long long)h->id, &rc)) == NULL)
		return rc;
	info_put_chat(b, h);
	return list_row_end(pg);
}

void
cmd_history(struct conn *c, struct proto_req *r)
{
	struct list_page pg;
	long long id;

	if (list_init(&pg, c, r, 1, LIST_DEF, LIST_MAX) < 0 ||
	    cmd_id_arg(c, r->argv[0], "visitor number", &id) < 0)
		return;
	list_done(&pg, store_chat_foreach_visitor(id, chat_row, &pg));
}

struct cardctx {
	struct list_page rows;
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

static int
card_visitor(void *arg, const struct store_visitor *v)
{
	struct cardctx *x = arg;

	list_kv(&x->rows, "name", v->name);
	list_kv(&x->rows, "email", v->email);
	list_kv(&x->rows, "phone", v->phone);
	list_kv(&x->rows, "addr", v->addr);
	list_kv(&x->rows, "region", v->region);
	list_kv(&x->rows, "lang", v->lang);
	list_kv(&x->rows, "referrer", v->referrer);
	list_kv(&x->rows, "ua", v->ua);
	list_kvi(&x->rows, "first", (long long)v->first_seen);
	list_kvi(&x->rows, "last", (long long)v->last_seen);
	list_kvi(&x->rows, "visits", v->visits);
	return 0;
}

static int
card_page(void *arg, const struct store_page *p)
{
	struct cardctx *x = arg;
	struct pbuf *b;
	int take;

	if ((take = list_take(&x->rows)) <= 0)
		return take;
	b = row_begin(x->rows.c);
	proto_put_word(b, "page");
	proto_put_kvi(b, "ts", (long long)p->ts);
	proto_put_kv(b, "url", p->url);
	proto_put_text(b, p->title, strlen(p->title));
	return list_row_end(&x->rows);
}

/* VISITOR pages by row: the card's key=value rows, then the page trail. */
void
cmd_visitor(struct conn *c, struct proto_req *r)
{
	struct cardctx x;
	long long id;
	int rc;

	memset(&x, 0, sizeof(x));
	if (list_init(&x.rows, c, r, 1, LIST_DEF, LIST_MAX) < 0 ||
	    cmd_id_arg(c, r->argv[0], "visitor number", &id) < 0)
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
	list_kvi(&x.rows, "chats", x.chats);
	list_kvi(&x.rows, "last_chat", (long long)x.last);
	list_kv(&x.rows, "last_category", x.cat);
	list_kv(&x.rows, "last_summary", x.sum);
	if (customer_card_rows(&x.rows, id) < 0) {
		list_done(&x.rows, -1);
		return;
	}
	list_done(&x.rows, x.rows.more ? 0 :
	    store_page_foreach(id, card_page, &x));
}

void
cmd_agents(struct conn *c, struct proto_req *r)
{
	struct list_page pg;

	if (list_init(&pg, c, r, 0, LIST_DEF, LIST_MAX) < 0)
		return;
	for (struct agent *a = desk.agents; a; a = a->next) {
		struct pbuf *b;
		char groups[512];
		int take;

		if (a->deleted || (take = list_take(&pg)) == 0)
			continue;
		if (take < 0)
			break;
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
		if (a->disabled)
			proto_put_kvi(b, "disabled", 1);
		list_row_end(&pg);
	}
	list_done(&pg, 0);
}

/* g's wrap-up categories: its own list, else the desk's default. */
static const char *
group_categories(const struct group *g)
{
	const struct config_group *cg = config_group_find(&srv.cfg, g->name);

	return cg && cg->wrapup_categories ? cg->wrapup_categories :
	    srv.cfg.wrapup_categories;
}

void
cmd_groups(struct conn *c, struct proto_req *r)
{
	struct list_page pg;

	if (list_init(&pg, c, r, 0, LIST_DEF, LIST_MAX) < 0)
		return;
	for (int i = 0; i < desk.ngroups; i++) {
		struct group *g = &desk.groups[i];
		struct pbuf *b;
		int take;

		if (g->deleted || (take = list_take(&pg)) == 0)
			continue;
		if (take < 0)
			break;
		b = row_begin(c);
		proto_put_word(b, g->name);
		proto_put_kv(b, "mode", g->auto_route ? "auto" : "manual");
		proto_put_kvi(b, "waiting", g->qlen);
		proto_put_kvi(b, "online", group_online(g));
		proto_put_kv(b, "wrapup", group_categories(g));
		proto_put_text(b, g->description, strlen(g->description));
		list_row_end(&pg);
	}
	list_done(&pg, 0);
}

/* SEARCH: "+ <chat> seq= ts= kind= from= :body", newest first */
static int
search_row(void *arg, const struct store_msg *m)
{
	struct list_page *pg = arg;
	struct pbuf *b;
	int rc;

	if (!access_chat(pg->c->agent, m->chat, m->group, m->owner))
		return 0;
	if ((b = list_row_id(pg, (long long)m->chat, &rc)) == NULL)
		return rc;
	proto_put_kvi(b, "seq", m->seq);
	return msg_row_end(pg, b, m);
}

void
cmd_search(struct conn *c, struct proto_req *r)
{
	struct list_page pg;

	if (list_init(&pg, c, r, 0, SEARCH_DEF, SEARCH_MAX) < 0)
		return;
	if (r->textlen == 0 || r->textlen > 256) {
		reply_err(c, "ARGS", "a query is 1-256 bytes");
		return;
	}
	list_done(&pg, store_msg_search(r->text, search_row, &pg));
}
