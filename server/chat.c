/*
 * chat.c - the chat lifecycle and routing rules.
 *
 * These are the rules other systems get wrong, so they live in one place:
 *  - never assign to an agent who is not online, or who is at their limit;
 *  - auto routing picks the least-loaded online agent of the group, ties
 *    broken by who has been idle longest;
 *  - a chat auto-assigned and not answered within routing.answer_timeout goes
 *    back to the head of the queue and is offered to someone else;
 *  - an agent who drops and does not return within routing.agent_grace loses
 *    their chats to the head of the queue;
 *  - every state change is written to the store in the current transaction
 *    before anyone is told about it (the tell happens after commit anyway,
 *    because output is flushed only after store_commit()).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "access.h"
#include "board.h"
#include "chat.h"
#include "log.h"
#include "offhours.h"
#include "presence.h"
#include "server.h"
#include "store.h"
#include "visitor_limit.h"

/* ---- event fan-out ---- */

void
ev_to_chat_agents(struct chat *c)
{
	ev_send_agent(c->agent);
	for (int i = 0; i < CHAT_MAX_WATCH; i++) {
		ev_send_agent(c->invited[i]);
		ev_send_agent(c->monitors[i]);
	}
}

/* "name,name" of the agents in set into b as key=... */
static void
put_names(struct pbuf *b, const char *key, struct agent *const *set)
{
	char names[CHAT_MAX_WATCH * (DESK_NAME_MAX + 1) + 1];
	size_t used = 0;

	names[0] = '\0';
	for (int i = 0; i < CHAT_MAX_WATCH; i++)
		if (set[i] != NULL)
			used += (size_t)snprintf(names + used, sizeof(names) - used,
			    "%s%s", used ? "," : "", set[i]->name);
	proto_put_kv(b, key, names);
}

void
chat_watchers_put(struct pbuf *b, const struct chat *c)
{
	put_names(b, "monitors", c->monitors);
	put_names(b, "invited", c->invited);
}

void
chat_watchers_tell(struct chat *c)
{
	struct pbuf *b = ev_begin();

	pbuf_printf(b, " WATCHERS %lld", (long long)c->id);
	chat_watchers_put(b, c);
	ev_send_agent(c->agent);
	for (int i = 0; i < CHAT_MAX_WATCH; i++)
		ev_send_agent(c->invited[i]);
}

void
ev_to_group_agents(struct group *g)
{
	for (struct agent *a = desk.agents; a; a = a->next)
		if (!a->deleted && access_group(a, g))
			ev_send_agent(a);
}

void
ev_to_supervisors(void)
{
	for (struct agent *a = desk.agents; a; a = a->next)
		if (a->role & (ROLE_SUPERVISOR | ROLE_ADMIN))
			ev_send_agent(a);
}

static void
ev_to_visitor(struct chat *c)
{
	if (c->visitor && c->visitor->chat == c && c->visitor->conn)
		ev_send(c->visitor->conn);
}

void
agent_notify_status(struct agent *a)
{
	struct pbuf *b;

	presence_note(a);
	b = ev_begin();
	proto_put_word(b, "STATUS");
	proto_put_word(b, a->name);
	proto_put_kv(b, "status", agent_status_name(a->status));
	proto_put_kvi(b, "chats", a->nchats);
	proto_put_kvi(b, "max", a->max_chats);
	ev_to_supervisors();
}

/* ---- queue ---- */

int
group_online(const struct group *g)
{
	int n = 0;

	for (struct agent *a = desk.agents; a; a = a->next)
		if (a->conn && !a->deleted && a->status == AS_ONLINE &&
		    (a->groups & (1ULL << g->id)))
			n++;
	return n;
}

int
queue_pos(const struct chat *c)
{
	int pos = 1;

	if (c->state != CS_QUEUED)
		return 0;
	for (struct chat *q = c->group->qhead; q && q != c; q = q->qnext)
		pos++;
	return pos;
}

/* Seconds to wait at pos, or -1: no wait seen yet, or nobody on duty. */
static long long
eta_at(const struct group *g, int pos, int online)
{
	if (!g->waited || online <= 0 || pos <= 0)
		return -1;
	return (long long)(g->wait_avg * pos / online);
}

long long
queue_eta(const struct chat *c)
{
	return eta_at(c->group, queue_pos(c), group_online(c->group));
}

static void
tell_position(struct chat *c, int pos, int online)
{
	struct pbuf *b;
	long long eta = eta_at(c->group, pos, online);

	if (c->visitor == NULL || c->visitor->conn == NULL)
		return;
	b = ev_begin();
	pbuf_printf(b, " QUEUED %lld", (long long)c->id);
	proto_put_kvi(b, "pos", pos);
	if (eta >= 0)
		proto_put_kvi(b, "eta", eta);
	proto_put_kv(b, "group", c->group->name);
	ev_to_visitor(c);
	c->last_pos = pos;
}

void
queue_tell_position(struct chat *c, int force)
{
	int pos = queue_pos(c);

	if (pos > 0 && (force || pos != c->last_pos))
		tell_position(c, pos, group_online(c->group));
}

static void
queue_link(struct chat *c, int at_head)
{
	struct group *g = c->group;

	c->qprev = c->qnext = NULL;
	if (at_head) {
		c->qnext = g->qhead;
		if (g->qhead)
			g->qhead->qprev = c;
		g->qhead = c;
		if (g->qtail == NULL)
			g->qtail = c;
	} else {
		c->qprev = g->qtail;
		if (g->qtail)
			g->qtail->qnext = c;
		g->qtail = c;
		if (g->qhead == NULL)
			g->qhead = c;
	}
	g->qlen++;
	g->qdirty = 1;
}

static void
ev_qadd(struct chat *c, int pos)
{
	struct pbuf *b = ev_begin();
	const char *q = c->question ? c->question : "";

	pbuf_printf(b, " QADD %lld", (long long)c->id);
	proto_put_kv(b, "group", c->group->name);
	proto_put_kvi(b, "visitor", chat_visitor_id(c));
	proto_put_kv(b, "name", chat_visitor_name(c));
	proto_put_kvi(b, "wait", (long long)(time(NULL) - c->queued_at));
	if (c->xfer_note) {
		proto_put_kv(b, "from", c->xfer_from);
		proto_put_kv(b, "note", c->xfer_note);
	}
	proto_put_kvi(b, "pos", pos);
	proto_put_text(b, q, strlen(q));
	ev_to_group_agents(c->group);
}

static void
queue_push(struct chat *c, int at_head)
{
	c->state = CS_QUEUED;
	c->agent = NULL;
	memset(c->invited, 0, sizeof(c->invited));
	if (c->queued_at == 0) {	/* a place counts from the first ask */
		c->queued_at = time(NULL);
		c->queued_ms = srv.now_ms;
	}
	c->last_pos = 0;
	queue_link(c, at_head);
	ev_qadd(c, at_head ? 1 : c->group->qlen);
}

static void
queue_remove(struct chat *c)
{
	struct group *g = c->group;
	struct pbuf *b;

	if (c->qprev)
		c->qprev->qnext = c->qnext;
	else
		g->qhead = c->qnext;
	if (c->qnext)
		c->qnext->qprev = c->qprev;
	else
		g->qtail = c->qprev;
	c->qprev = c->qnext = NULL;
	g->qlen--;
	g->qdirty = 1;
	b = ev_begin();
	pbuf_printf(b, " QDEL %lld", (long long)c->id);
	proto_put_kv(b, "group", g->name);
	ev_to_group_agents(g);
}

/* ---- routing ---- */

struct agent *
route_pick(struct group *g, struct agent *exclude)
{
	struct agent *best = NULL;

	for (struct agent *a = desk.agents; a; a = a->next) {
		if (a->deleted || a->conn == NULL || a->status != AS_ONLINE ||
		    !(a->groups & (1ULL << g->id)) || a->nchats >= a->max_chats ||
		    a == exclude)
			continue;
		if (best == NULL || a->nchats < best->nchats ||
		    (a->nchats == best->nchats && a->idle_since < best->idle_since))
			best = a;
	}
	return best;
}

/*
 * Passing over the agent a chat came back from is a preference, not a ban:
 * the first pass gives each chat to someone else if anyone else is free;
 * what is left after it (only its decliner is free) goes to whoever is.
 */
void
route_group(struct group *g)
{
	int passed_over = 0;

	if (!g->auto_route || srv.shutting_down)
		return;
	for (struct chat *c = g->qhead, *next; c; c = next) {
		struct agent *a;

		next = c->qnext;
		a = route_pick(g, c->declined);
		if (a == NULL) {
			if (route_pick(g, NULL) == NULL)
				return;	/* nobody at all: stop scanning */
			passed_over = 1;	/* only the decliner is free */
			continue;
		}
		if (chat_assign(c, a, "auto", NULL, NULL) < 0)
			return;
	}
	for (struct chat *c = g->qhead, *next; c && passed_over; c = next) {
		struct agent *a = route_pick(g, NULL);

		next = c->qnext;
		if (a == NULL || chat_assign(c, a, "auto", NULL, NULL) < 0)
			return;
	}
}

void
route_agent_groups(struct agent *a)
{
	for (int i = 0; i < desk.ngroups; i++)
		if (a->groups & (1ULL << i))
			route_group(&desk.groups[i]);
}

/* ---- lifecycle ---- */

int
chat_set_transfer_note(struct chat *c, const struct agent *from,
    const char *note, size_t len)
{
	char *n = NULL;

	if (note && len && (n = strndup(note, len)) == NULL)
		return -1;
	free(c->xfer_note);
	c->xfer_note = n;
	snprintf(c->xfer_from, sizeof(c->xfer_from), "%s", from->name);
	return 0;
}

struct chat *
chat_open(struct visitor *v, struct group *g, const char *question, int bot)
{
	struct chat *c;
	int64_t id;

	if (store_chat_insert(v->id, g->name, question, &id) < 0 ||
	    (bot && store_chat_bot_open(id) < 0))
		return NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->id = id;
	c->visitor = v;
	c->group = g;
	c->created = time(NULL);
	c->waiting_since = c->created;	/* the question waits */
	c->question = strdup(question ? question : "");
	c->lim = vlimit_open(v->addr);
	v->chat = c;
	chat_index(c);
	if (question && *question &&
	    chat_post(c, "visitor", v->name ? v->name : "visitor", question,
	    strlen(question)) < 0)
		log_warn("chat %lld: could not store the opening question",
		    (long long)id);
	if (bot)
		c->state = CS_BOT;
	else
		queue_push(c, 0);
	return c;
}

int
chat_handoff(struct chat *c)
{
	if (c->state != CS_BOT)
		return 0;
	if (store_chat_handoff(c->id) < 0)
		return -1;
	c->queued_at = 0;	/* the wait counts from here */
	queue_push(c, 0);
	queue_tell_position(c, 1);
	route_group(c->group);
	offhours_tell_nobody(c);
	return 0;
}

/* Put a chat loaded from the store back where it was. */
void
chat_restore(struct chat *c, const char *state, const char *agent)
{
	struct agent *a = agent ? agent_find(agent) : NULL;

	chat_index(c);
	chat_watch(c);			/* its visitor's resume window runs */
	c->lim = vlimit_open(c->visitor ? c->visitor->addr : NULL);
	if (strcmp(state, "bot") == 0) {
		c->state = CS_BOT;	/* still with the bot: in no queue */
		c->queued_at = 0;
		return;
	}
	if (strcmp(state, "assigned") == 0 && a != NULL) {
		c->state = CS_ASSIGNED;
		c->agent = a;
		c->assigned_ms = srv.now_ms;
		c->answered = 1;	/* don't time it out as unanswered */
		a->nchats++;
		if (a->gone_since == 0)
			a->gone_since = srv.now_ms;	/* grace starts now */
		return;
	}
	c->state = CS_QUEUED;
	queue_link(c, 0);
}

static void
record_wait(struct chat *c)
{
	double w = (double)(time(NULL) - c->queued_at);
	struct group *g = c->group;

	if (c->assigned_ms != 0)
		return;	/* served before: its wait is not a first wait */
	g->wait_avg = g->waited ? g->wait_avg * 0.8 + w * 0.2 : w;
	g->waited = 1;
}

int
chat_answer_window(const struct chat *c)
{
	return c->designated ? srv.cfg.designated_wait : srv.cfg.answer_timeout;
}

struct agent *
route_designated(const char *name)
{
	struct agent *a = name && *name ? agent_find(name) : NULL;

	if (a == NULL || a->deleted || a->conn == NULL ||
	    a->status != AS_ONLINE || a->nchats >= a->max_chats ||
	    srv.cfg.designated_wait <= 0 || srv.shutting_down)
		return NULL;
	return a;
}

int
chat_designate(struct chat *c, struct agent *a)
{
	c->designated = 1;
	if (chat_assign(c, a, "designated", NULL, NULL) < 0) {
		c->designated = 0;
		return -1;
	}
	return 0;
}

void
ev_assign(struct chat *c, const char *by, const char *from, const char *note)
{
	struct pbuf *b = ev_begin();

	pbuf_printf(b, " ASSIGN %lld", (long long)c->id);
	proto_put_kvi(b, "visitor", chat_visitor_id(c));
	proto_put_kv(b, "name", chat_visitor_name(c));
	proto_put_kv(b, "group", c->group->name);
	proto_put_kv(b, "by", by);
	if (from)
		proto_put_kv(b, "from", from);
	if (c->visitor == NULL || c->visitor->conn == NULL)
		proto_put_kvi(b, "left", 1);
	if (c->auto_assigned && !c->answered && chat_answer_window(c) > 0 &&
	    strcmp(by, "invite") != 0) {
		long long left = chat_answer_window(c) -
		    (srv.now_ms - c->assigned_ms) / 1000;

		proto_put_kvi(b, "timeout", left > 0 ? left : 0);
	}
	if (note)
		proto_put_text(b, note, strlen(note));
}

int
chat_assign(struct chat *c, struct agent *a, const char *by, const char *from,
    const char *note)
{
	struct pbuf *b;
	int transfer = strcmp(by, "transfer") == 0 ||
	    (strcmp(by, "takeover") == 0 && c->state == CS_ASSIGNED);
	int first = c->assigned_ms == 0;

	if (from == NULL && note == NULL && c->xfer_note) {
		from = c->xfer_from;	/* the transfer note travels on */
		note = c->xfer_note;
	}

	if (store_chat_set_state(c->id, "assigned", a->name, NULL) < 0 ||
	    store_chat_assigned(c->id, time(NULL)) < 0 ||
	    (transfer && store_chat_transferred(c->id) < 0))
		return -1;
	if (c->state == CS_QUEUED) {
		queue_remove(c);
		record_wait(c);
	}
	c->state = CS_ASSIGNED;
	c->agent = a;
	c->assigned_ms = srv.now_ms;
	c->auto_assigned = (strcmp(by, "auto") == 0 ||
	    strcmp(by, "designated") == 0) && !c->answered;
	if (c->auto_assigned)
		chat_watch(c);		/* the answer timeout runs */
	a->nchats++;
	a->idle_since = srv.now_ms;

	ev_assign(c, by, from, note);
	ev_send_agent(a);

	b = ev_begin();
	pbuf_printf(b, " %s %lld", transfer ? "TRANSFERRED" : "ASSIGNED",
	    (long long)c->id);
	proto_put_kv(b, "agent", a->display);
	ev_to_visitor(c);
	agent_notify_status(a);
	for (int i = 0; i < CHAT_MAX_WATCH; i++)
		if (c->monitors[i] || c->invited[i]) {	/* the new owner learns */
			chat_watchers_tell(c);
			break;
		}
	board_note(c);
	if (first)
		offhours_greet(c);	/* the group's greeting, once */
	return 0;
}

static void
ev_unassigned(struct chat *c, struct agent *a, const char *reason)
{
	struct pbuf *b = ev_begin();

	pbuf_printf(b, " UNASSIGNED %lld", (long long)c->id);
	proto_put_kv(b, "reason", reason);
	ev_send_agent(a);
}

/* The owner gives the chat up (transfer, takeover, timeout). */
static void
chat_release(struct chat *c, const char *reason)
{
	struct agent *a = c->agent;

	if (a == NULL)
		return;
	a->nchats--;
	a->idle_since = srv.now_ms;
	c->agent = NULL;
	ev_unassigned(c, a, reason);
	for (int i = 0; i < CHAT_MAX_WATCH; i++)
		if (c->invited[i]) {
			ev_unassigned(c, c->invited[i], reason);
			c->invited[i] = NULL;
		}
	agent_notify_status(a);
}

void
chat_requeue(struct chat *c, const char *reason, int at_head)
{
	struct agent *old = c->agent;
	struct pbuf *b;

	if (c->state != CS_ASSIGNED)
		return;
	if (store_chat_set_state(c->id, "queued", NULL, c->group->name) < 0 ||
	    (strcmp(reason, "transfer") == 0 &&
	    store_chat_transferred(c->id) < 0))
		log_error("chat %lld: could not store the requeue: %s",
		    (long long)c->id, store_errmsg());
	chat_release(c, reason);
	queue_push(c, at_head);
	board_note(c);
	if (strcmp(reason, "transfer") == 0) {
		b = ev_begin();
		pbuf_printf(b, " TRANSFERRED %lld", (long long)c->id);
		proto_put_kv(b, "group", c->group->name);
		ev_to_visitor(c);
	}
	queue_tell_position(c, 1);
	route_group(c->group);
	if (old)
		route_agent_groups(old);
}

void
chat_requeue_agent(struct agent *a)
{
	for (size_t i = 0; i < desk.chat_tab_size; i++)
		for (struct chat *c = desk.chat_tab[i]; c; c = c->hnext)
			if (c->agent == a && c->state == CS_ASSIGNED)
				chat_requeue(c, "timeout", 1);
}

int64_t
chat_post(struct chat *c, const char *kind, const char *from, const char *text,
    size_t len)
{
	time_t now = time(NULL);
	int64_t seq = c->seq + 1;
	int to_visitor = !strcmp(kind, "visitor") || !strcmp(kind, "agent") ||
	    !strcmp(kind, "system") || !strcmp(kind, "bot");
	struct pbuf *b;

	if (store_msg_append(c->id, seq, now, kind, from, text, len) < 0)
		return -1;
	c->seq = seq;
	c->bytes += len;
	srv.msgs_in++;
	if (!strcmp(kind, "agent") && !c->answered) {
		c->answered = 1;
		c->auto_assigned = 0;
		if (store_chat_first_response(c->id, now) < 0)
			log_warn("chat %lld: first response time not stored",
			    (long long)c->id);
	}
	b = ev_begin();
	pbuf_adds(b, " MSG ");		/* every message: no printf here */
	pbuf_put_int(b, c->id);
	pbuf_add(b, " ", 1);
	pbuf_put_int(b, seq);
	pbuf_add(b, " ", 1);
	pbuf_adds(b, kind);
	pbuf_add(b, " ", 1);
	proto_escape(b, from, strlen(from), 1);
	proto_put_kvi(b, "ts", (long long)now);
	proto_put_text(b, text, len);
	ev_to_chat_agents(c);
	if (to_visitor)
		ev_to_visitor(c);
	board_posted(c, kind, now);
	return seq;
}

int
chat_room(const struct chat *c, size_t len)
{
	if (srv.cfg.chat_messages > 0 && c->seq >= srv.cfg.chat_messages)
		return 0;
	if (srv.cfg.chat_bytes > 0 && c->bytes + len > srv.cfg.chat_bytes)
		return 0;
	return 1;
}

void
chat_typing(struct chat *c, const char *draft, size_t len)
{
	struct pbuf *b = ev_begin();

	pbuf_printf(b, " TYPING %lld", (long long)c->id);
	proto_put_text(b, draft, len);
	ev_to_chat_agents(c);
}

/* An agent of the chat is typing (on) or stopped: the visitor is told who,
 * never what (an agent's draft stays with the agent). */
void
chat_agent_typing(struct chat *c, const struct agent *a, int on)
{
	struct pbuf *b = ev_begin();

	pbuf_printf(b, " TYPING %lld", (long long)c->id);
	proto_put_kv(b, "agent", a->display);
	proto_put_kvi(b, "on", on);
	ev_to_visitor(c);
}

void
chat_end(struct chat *c, const char *by)
{
	struct agent *a = c->agent;
	struct pbuf *b;

	if (c->state == CS_ENDED)
		return;
	if (store_chat_end(c->id, by, c->seq) < 0 ||
	    (c->state == CS_QUEUED && store_chat_missed(c->id) < 0))
		log_error("chat %lld: could not store its end: %s",
		    (long long)c->id, store_errmsg());
	if (c->state == CS_QUEUED)
		queue_remove(c);
	vlimit_close(c->lim);
	c->lim = NULL;
	b = ev_begin();
	pbuf_printf(b, " ENDED %lld", (long long)c->id);
	proto_put_kv(b, "by", by);
	ev_to_chat_agents(c);
	ev_to_visitor(c);
	if (c->state == CS_ASSIGNED && a) {
		a->nchats--;
		a->idle_since = srv.now_ms;
	}
	c->state = CS_ENDED;
	c->ended_by = by;
	c->ended_ms = srv.now_ms;
	chat_watch(c);			/* to be forgotten later */
	memset(c->monitors, 0, sizeof(c->monitors));
	board_note(c);
	if (a) {
		agent_notify_status(a);
		route_agent_groups(a);
	}
}

void
chat_visitor_left(struct chat *c)
{
	struct pbuf *b = ev_begin();

	chat_watch(c);			/* the resume window runs */
	pbuf_printf(b, " LEFT %lld", (long long)c->id);
	ev_to_chat_agents(c);
	if (c->state != CS_QUEUED)
		board_note(c);
}

void
chat_visitor_back(struct chat *c)
{
	struct pbuf *b = ev_begin();

	pbuf_printf(b, " BACK %lld", (long long)c->id);
	ev_to_chat_agents(c);
	if (c->state != CS_QUEUED)
		board_note(c);
}

/* ---- housekeeping, once a second ---- */

void
desk_tick(void)
{
	chat_timers_tick();	/* chat_timer.c */
	vlimit_sweep();
	for (int i = 0; i < desk.ngroups; i++) {
		struct group *g = &desk.groups[i];
		int pos = 0, online;

		if (!g->qdirty)
			continue;
		g->qdirty = 0;
		online = group_online(g);
		for (struct chat *c = g->qhead; c; c = c->qnext)
			if (++pos != c->last_pos)
				tell_position(c, pos, online);
		route_group(g);
	}
}
