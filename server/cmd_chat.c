/*
 * cmd_chat.c - what staff do with chats: status, queue, accept, talk, notes,
 * transfer, invite, end/wrap-up, and the supervisor's monitor, whisper and
 * takeover.
 *
 * Verbs (rows of proto/cmdtab.def): STATUS QUEUE ACCEPT CHATS MSG NOTE
 * TRANSFER INVITE LEAVE WRAPUP MONITOR UNMONITOR WHISPER TAKEOVER
 * (CHATS all: board.c).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "access.h"
#include "board.h"
#include "chat.h"
#include "cmd.h"
#include "log.h"
#include "store.h"

void
cmd_status(struct conn *c, struct proto_req *r)
{
	struct agent *a = c->agent;
	enum agent_status s;

	if (r->argc == 1) {
		if (agent_status_parse(r->argv[0], &s) < 0) {
			reply_err(c, "ARGS", "status is online, away, busy or offline");
			return;
		}
		if (s != a->status) {
			a->status = s;
			cmd_audit_as(a->name, "status", r->argv[0]);
			agent_notify_status(a);
		}
	}
	reply_ok(c, "status=%s chats=%d max=%d", agent_status_name(a->status),
	    a->nchats, a->max_chats);
	if (r->argc == 1 && a->status == AS_ONLINE)
		route_agent_groups(a);
}

void
cmd_queue(struct conn *c, struct proto_req *r)
{
	struct group *only = NULL;
	time_t now = time(NULL);
	struct list_page pg;
	int take = 1;

	if (list_init(&pg, c, r, 1, LIST_DEF, LIST_MAX) < 0)
		return;
	if (r->argc == 1 && (only = cmd_my_group(c, r->argv[0])) == NULL)
		return;
	for (int i = 0; i < desk.ngroups && take >= 0; i++) {
		struct group *g = &desk.groups[i];
		int pos = 0;

		if ((only && g != only) || !access_group(c->agent, g))
			continue;
		for (struct chat *ch = g->qhead; ch; ch = ch->qnext) {
			struct pbuf *b;
			const char *q = ch->question ? ch->question : "";

			pos++;
			if ((take = list_take(&pg)) == 0)
				continue;
			if (take < 0)
				break;
			b = row_begin(c);
			pbuf_printf(b, " %lld", (long long)ch->id);
			proto_put_kv(b, "group", g->name);
			proto_put_kvi(b, "wait", (long long)(now - ch->queued_at));
			proto_put_kvi(b, "pos", pos);
			proto_put_kvi(b, "visitor", chat_visitor_id(ch));
			proto_put_kv(b, "name", chat_visitor_name(ch));
			if (ch->visitor == NULL || ch->visitor->conn == NULL)
				proto_put_kvi(b, "left", 1);
			proto_put_text(b, q, strlen(q));
			conn_end(c);
		}
	}
	list_done(&pg, 0);
}

void
cmd_accept(struct conn *c, struct proto_req *r)
{
	struct agent *a = c->agent;
	struct chat *ch = NULL;

	if (a->nchats >= a->max_chats) {
		reply_err(c, "LIMIT", "you have %d chats (your limit is %d)",
		    a->nchats, a->max_chats);
		return;
	}
	if (r->argc == 1) {
		if ((ch = cmd_chat_in(c, cmd_chat_arg(c, r->argv[0]),
		    CMD_STATE(CS_QUEUED), "is not waiting")) == NULL)
			return;
		if (!access_group(a, ch->group)) {
			reply_err(c, "DENIED", "chat %lld is for group %s",
			    (long long)ch->id, ch->group->name);
			return;
		}
	} else {
		/* the longest-waiting chat of any of my groups */
		for (int i = 0; i < desk.ngroups; i++) {
			struct chat *h = desk.groups[i].qhead;

			if (h && (a->groups & (1ULL << i)) &&
			    (ch == NULL || h->queued_ms < ch->queued_ms ||
			    (h->queued_ms == ch->queued_ms && h->id < ch->id)))
				ch = h;
		}
		if (ch == NULL) {
			reply_err(c, "NOTFOUND", "nobody is waiting in your groups");
			return;
		}
	}
	if (chat_assign(ch, a, "accept", NULL, NULL) < 0) {
		cmd_store_failed(c);
		return;
	}
	reply_ok(c, "chat=%lld visitor=%lld", (long long)ch->id,
	    (long long)(ch->visitor ? ch->visitor->id : 0));
}

void
cmd_chats(struct conn *c, struct proto_req *r)
{
	struct list_page pg;
	int take = 1;

	if (list_init(&pg, c, r, 1, LIST_DEF, LIST_MAX) < 0)
		return;
	if (r->argc == 1 && strcmp(r->argv[0], "all") != 0) {
		reply_err(c, "ARGS", "usage: CHATS [all] [from=N] [limit=N]");
		return;
	}
	if (r->argc == 1 && !(c->role & (ROLE_SUPERVISOR | ROLE_ADMIN))) {
		reply_err(c, "DENIED", "CHATS all is for supervisors and admins");
		return;
	}
	if (r->argc == 1) {
		board_list(c, &pg);
		return;
	}
	for (size_t i = 0; i < desk.chat_tab_size && take >= 0; i++)
		for (struct chat *ch = desk.chat_tab[i]; ch; ch = ch->hnext) {
			struct pbuf *b;
			const char *q = ch->question ? ch->question : "";

			if (!agent_in_chat(c->agent, ch) ||
			    (ch->state == CS_ENDED && ch->wrapped) ||
			    (take = list_take(&pg)) == 0)
				continue;
			if (take < 0)
				break;
			b = row_begin(c);
			pbuf_printf(b, " %lld", (long long)ch->id);
			proto_put_kvi(b, "visitor", chat_visitor_id(ch));
			proto_put_kv(b, "name", chat_visitor_name(ch));
			proto_put_kv(b, "group", ch->group->name);
			proto_put_kv(b, "state", ch->state == CS_ENDED ? "ended" :
			    ch->agent == c->agent ? "active" : "invited");
			proto_put_kvi(b, "seq", ch->seq);
			proto_put_kvi(b, "since", (long long)ch->created);
			if (ch->visitor == NULL || ch->visitor->conn == NULL)
				proto_put_kvi(b, "left", 1);
			proto_put_text(b, q, strlen(q));
			conn_end(c);
		}
	list_done(&pg, 0);
}

/* Post r's text as kind to ch (NULL: its lookup has replied) and answer
 * with its seq. */
static void
post_and_reply(struct conn *c, struct chat *ch, const char *kind,
    struct proto_req *r)
{
	if (ch != NULL && cmd_msg_text(c, r) == 0)
		cmd_post(c, ch, kind, c->agent->display, r);
}

void
cmd_msg(struct conn *c, struct proto_req *r)
{
	post_and_reply(c, cmd_chat_in(c, cmd_my_chat(c, r->argv[0]),
	    CMD_STATE(CS_ASSIGNED), "has ended"), "agent", r);
}

void
cmd_note(struct conn *c, struct proto_req *r)
{
	post_and_reply(c, cmd_my_chat(c, r->argv[0]), "note", r);
}

static int
watch_add(struct agent **set, struct agent *a)
{
	for (int i = 0; i < CHAT_MAX_WATCH; i++)
		if (set[i] == a)
			return 0;
	for (int i = 0; i < CHAT_MAX_WATCH; i++)
		if (set[i] == NULL) {
			set[i] = a;
			return 0;
		}
	return -1;
}

static int
watch_del(struct agent **set, struct agent *a)
{
	for (int i = 0; i < CHAT_MAX_WATCH; i++)
		if (set[i] == a) {
			set[i] = NULL;
			return 0;
		}
	return -1;
}

static struct agent *
available_agent(struct conn *c, const char *name)
{
	struct agent *t = agent_find(name);

	if (t == NULL) {
		reply_err(c, "NOTFOUND", "no such agent '%s'", name);
		return NULL;
	}
	if (t == c->agent) {
		reply_err(c, "STATE", "that is you");
		return NULL;
	}
	if (t->conn == NULL || t->status != AS_ONLINE) {
		reply_err(c, "STATE", "%s is %s", t->name, t->conn ?
		    agent_status_name(t->status) : "not connected");
		return NULL;
	}
	if (t->nchats >= t->max_chats) {
		reply_err(c, "LIMIT", "%s is at their limit (%d chats)", t->name,
		    t->max_chats);
		return NULL;
	}
	return t;
}

void
cmd_transfer(struct conn *c, struct proto_req *r)
{
	struct chat *ch = cmd_my_chat(c, r->argv[0]);
	const char *note = r->text && r->textlen ? r->text : NULL;
	struct agent *me = c->agent, *t;
	struct group *g;

	if (ch == NULL)
		return;
	if (ch->state != CS_ASSIGNED || ch->agent != me) {
		reply_err(c, "STATE", "only the owner of an active chat can transfer it");
		return;
	}
	if (r->textlen > 1024) {
		reply_err(c, "ARGS", "note longer than 1024 bytes");
		return;
	}
	if (strcmp(r->argv[1], "agent") == 0) {
		if ((t = available_agent(c, r->argv[2])) == NULL)
			return;
		if ((note && chat_post(ch, "note", me->display, note,
		    r->textlen) < 0) ||
		    chat_set_transfer_note(ch, me, note, r->textlen) < 0) {
			cmd_store_failed(c);
			return;
		}
		me->nchats--;
		me->idle_since = srv.now_ms;
		ch->agent = NULL;
		for (int i = 0; i < CHAT_MAX_WATCH; i++)
			if (ch->invited[i] == t)
				ch->invited[i] = NULL;
		if (chat_assign(ch, t, "transfer", me->name, note) < 0) {
			ch->agent = me;
			me->nchats++;
			cmd_store_failed(c);
			return;
		}
		{
			struct pbuf *b = ev_begin();

			pbuf_printf(b, " UNASSIGNED %lld reason=transfer",
			    (long long)ch->id);
			ev_send_agent(me);
		}
		cmd_audit_as(me->name, "transfer", t->name);
		reply_ok(c, NULL);
		agent_notify_status(me);
		route_agent_groups(me);
		return;
	}
	if (strcmp(r->argv[1], "group") == 0) {
		if ((g = group_find(r->argv[2])) == NULL) {
			reply_err(c, "NOTFOUND", "no such group '%s'", r->argv[2]);
			return;
		}
		if ((note && chat_post(ch, "note", me->display, note,
		    r->textlen) < 0) ||
		    chat_set_transfer_note(ch, me, note, r->textlen) < 0) {
			cmd_store_failed(c);
			return;
		}
		ch->group = g;
		ch->answered = 1;	/* the visitor was already served */
		ch->declined = me;	/* someone else, if anyone else can */
		reply_ok(c, NULL);
		chat_requeue(ch, "transfer", 1);
		return;
	}
	reply_err(c, "ARGS", "usage: TRANSFER <chat> agent|group <name> [:note]");
}

void
cmd_invite(struct conn *c, struct proto_req *r)
{
	struct chat *ch = cmd_chat_in(c, cmd_my_chat(c, r->argv[0]),
	    CMD_STATE(CS_ASSIGNED), "is not active");
	struct agent *t;

	if (ch == NULL)
		return;
	if ((t = available_agent(c, r->argv[1])) == NULL)
		return;
	if (agent_in_chat(t, ch)) {
		reply_err(c, "STATE", "%s is already in the chat", t->name);
		return;
	}
	if (watch_add(ch->invited, t) < 0) {
		reply_err(c, "LIMIT", "too many agents in this chat");
		return;
	}
	reply_ok(c, NULL);
	ev_assign(ch, "invite", c->agent->name, NULL);
	ev_send_agent(t);
	chat_watchers_tell(ch);
}

void
cmd_leave(struct conn *c, struct proto_req *r)
{
	struct chat *ch = cmd_my_chat(c, r->argv[0]);

	if (ch == NULL)
		return;
	if (ch->agent == c->agent) {
		reply_err(c, "STATE", "the owner cannot leave; TRANSFER or END it");
		return;
	}
	watch_del(ch->invited, c->agent);
	reply_ok(c, NULL);
	chat_watchers_tell(ch);
}

void
cmd_wrapup(struct conn *c, struct proto_req *r)
{
	struct chat *ch = cmd_my_chat(c, r->argv[0]);

	if (ch == NULL)
		return;
	if (ch->agent != c->agent) {
		reply_err(c, "STATE", "only the chat's owner writes the wrap-up");
		return;
	}
	if (strlen(r->argv[1]) > 64 || r->textlen > 2048) {
		reply_err(c, "ARGS", "category at most 64 bytes, summary at most 2048");
		return;
	}
	if (ch->state != CS_ENDED)
		chat_end(ch, "agent");
	if (store_chat_wrapup(ch->id, r->argv[1], r->text) < 0) {
		cmd_store_failed(c);
		return;
	}
	ch->wrapped = 1;
	board_note(ch);
	reply_ok(c, NULL);
}

/* ---- supervisors ---- */

void
cmd_monitor(struct conn *c, struct proto_req *r)
{
	struct chat *ch = cmd_chat_in(c, cmd_chat_arg(c, r->argv[0]),
	    CMD_STATE(CS_QUEUED) | CMD_STATE(CS_ASSIGNED), "has ended");

	if (ch == NULL)
		return;
	if (watch_add(ch->monitors, c->agent) < 0) {
		reply_err(c, "LIMIT", "too many monitors on this chat");
		return;
	}
	reply_ok(c, NULL);
	chat_watchers_tell(ch);
}

void
cmd_unmonitor(struct conn *c, struct proto_req *r)
{
	struct chat *ch = cmd_chat_arg(c, r->argv[0]);

	if (ch == NULL)
		return;
	if (watch_del(ch->monitors, c->agent) < 0) {
		reply_err(c, "STATE", "you are not monitoring chat %lld",
		    (long long)ch->id);
		return;
	}
	reply_ok(c, NULL);
	chat_watchers_tell(ch);
}

void
cmd_whisper(struct conn *c, struct proto_req *r)
{
	post_and_reply(c, cmd_chat_in(c, cmd_chat_arg(c, r->argv[0]),
	    CMD_STATE(CS_ASSIGNED), "has no agent"), "whisper", r);
}

void
cmd_takeover(struct conn *c, struct proto_req *r)
{
	struct chat *ch = cmd_chat_in(c, cmd_chat_arg(c, r->argv[0]),
	    CMD_STATE(CS_QUEUED) | CMD_STATE(CS_ASSIGNED), "has ended");
	struct agent *me = c->agent, *old;

	if (ch == NULL)
		return;
	if (ch->agent == me) {
		reply_err(c, "STATE", "chat %lld is already yours", (long long)ch->id);
		return;
	}
	old = ch->agent;
	if (old) {
		struct pbuf *b = ev_begin();

		pbuf_printf(b, " UNASSIGNED %lld reason=takeover", (long long)ch->id);
		ev_send_agent(old);
		old->nchats--;
		old->idle_since = srv.now_ms;
		ch->agent = NULL;
	}
	watch_del(ch->monitors, me);
	watch_del(ch->invited, me);
	if (chat_assign(ch, me, "takeover", old ? old->name : NULL, NULL) < 0) {
		cmd_store_failed(c);
		return;
	}
	cmd_audit_as(me->name, "takeover", old ? old->name : "queue");
	reply_ok(c, NULL);
	if (old) {
		agent_notify_status(old);
		route_agent_groups(old);
	}
}
