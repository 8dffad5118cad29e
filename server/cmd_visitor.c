/*
 * cmd_visitor.c - what a visitor can do: talk, show they are typing, report
 * the page they are on, end the chat, rate it. A visitor only ever acts on
 * their own chat, so no command takes a chat number.
 *
 * Verbs (rows of proto/cmdtab.def): SAY TYPING PAGE RATE END WHERE HUMAN
 * (PAGE of a browsing visitor too: see cmd_browse.c). While the
 * knowledge-base bot has the chat (bot.c), what the visitor says goes to
 * it as well, and HUMAN asks it for a person.
 */
#include <string.h>

#include "bot.h"
#include "browse.h"
#include "chat.h"
#include "cmd.h"
#include "log.h"
#include "store.h"
#include "visitor_limit.h"

static int
visitor_rate_ok(struct visitor *v)
{
	return vlimit_bucket_take(&v->tokens, &v->tokens_at);
}

/* PAGE of a browsing visitor (BROWSE): no chat, nothing stored. */
static void
browser_page(struct conn *c, struct proto_req *r)
{
	struct browser *b = c->browser;

	if (b == NULL) {
		reply_err(c, "STATE", "this page is open in another window");
		return;
	}
	if (!vlimit_bucket_take(&b->tokens, &b->tokens_at)) {
		reply_err(c, "FLOOD", "too many updates; slow down");
		return;
	}
	if (browse_set_page(b, r->argv[0], r->text, r->textlen, 1) < 0) {
		reply_err(c, "INTERNAL", "out of memory");
		return;
	}
	reply_ok(c, NULL);
}

static struct chat *
visitor_chat(struct conn *c, int allow_ended)
{
	struct chat *ch = c->visitor ? c->visitor->chat : NULL;

	if (ch == NULL && c->visitor && c->visitor->asked) {
		reply_err(c, "CLOSED", "we are closed; leave a message with LEAVEMSG");
		return NULL;
	}
	if (ch == NULL || (!allow_ended && ch->state == CS_ENDED)) {
		reply_err(c, "STATE", "your chat has ended");
		return NULL;
	}
	return ch;
}

void
cmd_say(struct conn *c, struct proto_req *r)
{
	struct chat *ch = visitor_chat(c, 0);
	struct visitor *v = c->visitor;
	int64_t seq;

	if (ch == NULL || cmd_msg_text(c, r) < 0)
		return;
	if (!visitor_rate_ok(v)) {
		reply_err(c, "FLOOD", "too many messages; slow down");
		return;
	}
	seq = ch->seq;
	cmd_post(c, ch, "visitor", v->name ? v->name : "visitor", r);
	if (ch->state == CS_BOT && ch->seq > seq)	/* stored: the bot hears it */
		bot_heard(ch, r->text, r->textlen);
}

void
cmd_human(struct conn *c, struct proto_req *r)
{
	struct chat *ch = visitor_chat(c, 0);

	if (ch == NULL)
		return;
	if (ch->state != CS_BOT) {
		reply_err(c, "STATE", "your chat is with our staff already");
		return;
	}
	reply_ok(c, NULL);
	bot_handoff(ch);
}

void
cmd_typing(struct conn *c, struct proto_req *r)
{
	struct chat *ch;

	if (c->role != ROLE_VISITOR) {	/* an agent: TYPING <chat> [:draft] */
		if (r->argc != 1) {
			reply_err(c, "ARGS", "usage: TYPING <chat> [:draft]");
			return;
		}
		ch = cmd_chat_in(c, cmd_my_chat(c, r->argv[0]),
		    CMD_STATE(CS_ASSIGNED), "has ended");
		if (ch == NULL)
			return;
		chat_agent_typing(ch, c->agent, r->textlen > 0);
		reply_ok(c, NULL);
		return;
	}
	if (r->argc != 0) {
		reply_err(c, "ARGS", "usage: TYPING [:draft]");
		return;
	}
	if ((ch = visitor_chat(c, 0)) == NULL)
		return;
	if (r->textlen > CMD_MSG_MAX) {
		reply_err(c, "ARGS", "draft longer than %d bytes", CMD_MSG_MAX);
		return;
	}
	if (!visitor_rate_ok(c->visitor)) {
		reply_err(c, "FLOOD", "too many updates; slow down");
		return;
	}
	chat_typing(ch, r->text ? r->text : "", r->textlen);
	reply_ok(c, NULL);
}

void
cmd_page(struct conn *c, struct proto_req *r)
{
	if (strlen(r->argv[0]) > 1024 || r->textlen > BROWSE_TITLE_MAX) {
		reply_err(c, "ARGS", "url at most 1024 bytes, title at most 256");
		return;
	}
	if (c->role == ROLE_BROWSER) {
		browser_page(c, r);
		return;
	}
	if (!visitor_rate_ok(c->visitor)) {
		reply_err(c, "FLOOD", "too many updates; slow down");
		return;
	}
	if (store_page_add(c->visitor->id, r->argv[0], r->text) < 0) {
		cmd_store_failed(c);
		return;
	}
	reply_ok(c, NULL);
	if (c->visitor->chat && c->visitor->chat->state != CS_ENDED) {
		struct pbuf *b = ev_begin();

		pbuf_printf(b, " PAGE %lld", (long long)c->visitor->chat->id);
		proto_put_kv(b, "url", r->argv[0]);
		if (r->text)
			proto_put_text(b, r->text, r->textlen);
		ev_to_chat_agents(c->visitor->chat);
	}
}

void
cmd_rate(struct conn *c, struct proto_req *r)
{
	struct chat *ch = visitor_chat(c, 1);
	long long score;
	struct pbuf *b;

	if (ch == NULL)
		return;
	if (ch->state != CS_ENDED) {
		reply_err(c, "STATE", "rate the chat after it has ended");
		return;
	}
	if (ch->rated) {
		reply_err(c, "STATE", "already rated");
		return;
	}
	if (proto_parse_int(r->argv[0], 1, 5, &score) < 0) {
		reply_err(c, "ARGS", "a rating is a number from 1 to 5");
		return;
	}
	if (r->textlen > 1024) {
		reply_err(c, "ARGS", "comment longer than 1024 bytes");
		return;
	}
	if (store_chat_rate(ch->id, (int)score, r->text) < 0) {
		cmd_store_failed(c);
		return;
	}
	ch->rated = 1;
	reply_ok(c, NULL);
	b = ev_begin();
	pbuf_printf(b, " RATED %lld score=%lld", (long long)ch->id, score);
	proto_put_text(b, r->text ? r->text : "", r->textlen);
	ev_send_agent(ch->agent);
}

void
cmd_end(struct conn *c, struct proto_req *r)
{
	struct chat *ch;

	if (c->role == ROLE_VISITOR) {
		if (r->argc != 0) {
			reply_err(c, "ARGS", "usage: END");
			return;
		}
		if ((ch = visitor_chat(c, 0)) == NULL)
			return;
		chat_end(ch, "visitor");
		reply_ok(c, NULL);
		return;
	}
	if (r->argc != 1) {
		reply_err(c, "ARGS", "usage: END <chat>");
		return;
	}
	/* a supervisor may end any chat (a stuck one, from the board) */
	if ((ch = cmd_chat_in(c, (c->role & (ROLE_SUPERVISOR | ROLE_ADMIN)) ?
	    cmd_chat_arg(c, r->argv[0]) : cmd_my_chat(c, r->argv[0]),
	    CMD_STATE(CS_QUEUED) | CMD_STATE(CS_ASSIGNED),
	    "has already ended")) == NULL)
		return;
	if (ch->agent != c->agent &&
	    !(c->role & (ROLE_SUPERVISOR | ROLE_ADMIN))) {
		reply_err(c, "STATE", "only the chat's owner can end it; use LEAVE");
		return;
	}
	chat_end(ch, "agent");
	reply_ok(c, NULL);
}

/* Where the visitor stands: the reply repeats what the events said. */
void
cmd_where(struct conn *c, struct proto_req *r)
{
	struct chat *ch = c->visitor ? c->visitor->chat : NULL;
	struct pbuf *b;
	long long eta;

	if (ch == NULL) {
		reply_err(c, "STATE", "you have no chat; say HELLO to start one");
		return;
	}
	b = conn_begin(c, c->tag);
	pbuf_adds(b, "OK");
	proto_put_kvi(b, "chat", ch->id);
	proto_put_kv(b, "state", ch->state == CS_QUEUED ? "queued" :
	    ch->state == CS_ASSIGNED ? "assigned" :
	    ch->state == CS_BOT ? "bot" : "ended");
	proto_put_kv(b, "group", ch->group->name);
	if (ch->state == CS_QUEUED) {
		proto_put_kvi(b, "pos", queue_pos(ch));
		if ((eta = queue_eta(ch)) >= 0)
			proto_put_kvi(b, "eta", eta);
	} else if (ch->state == CS_ASSIGNED && ch->agent)
		proto_put_kv(b, "agent", ch->agent->display);
	conn_end(c);
}
