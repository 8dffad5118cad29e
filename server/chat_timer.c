/*
 * chat_timer.c - the per-chat timeouts, checked once a second without
 * walking every chat.
 *
 * A chat can only have a timer running after one of a few events, and each
 * of them puts the chat on the watch list (chat_watch):
 *  - it was routed to an agent and not yet answered (routing.answer_timeout,
 *    or routing.designated_wait for the agent a visitor named);
 *  - its visitor went away (visitor.resume_timeout);
 *  - it ended (it is forgotten an hour later, or once wrapped up and its
 *    visitor gone).
 * The tick looks only at watched chats and drops those with nothing left to
 * wait for, so 10,000 chats in steady conversation cost nothing per second.
 * routing.agent_grace belongs to the agent, not to each chat: the tick walks
 * the accounts (a few hundred), and only for an agent whose grace has just
 * run out does it look for that agent's chats.
 */
#include "chat.h"
#include "log.h"
#include "server.h"

static struct chat *watch;	/* chats that may have a timer due */

void
chat_watch(struct chat *c)
{
	if (c->watched)
		return;
	c->watched = 1;
	c->wprev = NULL;
	c->wnext = watch;
	if (watch)
		watch->wprev = c;
	watch = c;
}

void
chat_unwatch(struct chat *c)
{
	if (!c->watched)
		return;
	if (c->wprev)
		c->wprev->wnext = c->wnext;
	else
		watch = c->wnext;
	if (c->wnext)
		c->wnext->wprev = c->wprev;
	c->watched = 0;
	c->wprev = c->wnext = NULL;
}

/* Could a timer of c still come due without another chat_watch()? The
 * configured timeouts are left out on purpose: a SIGHUP may change them. */
static int
needs_watch(const struct chat *c)
{
	const struct visitor *v = c->visitor;

	return c->state == CS_ENDED ||
	    (c->state == CS_ASSIGNED && c->auto_assigned && !c->answered) ||
	    (v && v->conn == NULL && v->gone_since);
}

static void
tick_chat(struct chat *c)
{
	long long now = srv.now_ms;
	struct visitor *v = c->visitor;
	struct agent *a = c->agent;

	if (c->state == CS_ASSIGNED && a && c->auto_assigned && !c->answered &&
	    chat_answer_window(c) > 0 &&
	    now - c->assigned_ms > (long long)chat_answer_window(c) * 1000) {
		log_info("chat %lld: %s did not answer in %ds; re-routing",
		    (long long)c->id, a->name, chat_answer_window(c));
		c->declined = a;
		c->designated = 0;	/* from now on the group's */
		chat_requeue(c, "timeout", 1);
	}

	/* A visitor gone past the resume window ends the chat, queued or
	 * not: a chat nobody can answer to must not hold a place in the
	 * queue. What they wrote stays in the chat's transcript. */
	if (v && v->conn == NULL && v->gone_since &&
	    now - v->gone_since > (long long)srv.cfg.resume_timeout * 1000) {
		chat_end(c, "timeout");
		v->chat = NULL;
		chat_release_visitor(c);
		visitor_free(v);
	}
}

/* The agent's grace ran out: their chats go back to the head of the queue.
 * Once per absence, and again while any chat is still counted as theirs. */
static void
tick_agent(struct agent *a)
{
	long long now = srv.now_ms;

	if (a->conn != NULL || a->gone_since == 0 ||
	    now - a->gone_since <= (long long)srv.cfg.agent_grace * 1000 ||
	    (a->grace_walked == a->gone_since && a->nchats <= 0))
		return;
	a->grace_walked = a->gone_since;
	for (size_t i = 0; i < desk.chat_tab_size; i++)
		for (struct chat *c = desk.chat_tab[i], *next; c; c = next) {
			next = c->hnext;	/* requeue does not unlink */
			if (c->state != CS_ASSIGNED || c->agent != a)
				continue;
			log_info("chat %lld: %s did not come back in %ds; back to the queue",
			    (long long)c->id, a->name, srv.cfg.agent_grace);
			chat_requeue(c, "timeout", 1);
		}
}

void
chat_timers_tick(void)
{
	struct chat *c, *next;

	/* Chats put on the list while this runs (a requeue routes others)
	 * go to its head, behind us: they are looked at next second. */
	for (c = watch; c; c = next) {
		next = c->wnext;
		tick_chat(c);
		/* forget ended chats nobody can act on any more */
		if (c->state == CS_ENDED && c->visitor == NULL &&
		    (c->wrapped || srv.now_ms - c->ended_ms > 3600 * 1000LL)) {
			chat_unwatch(c);
			chat_unindex(c);
			chat_free(c);
		} else if (!needs_watch(c))
			chat_unwatch(c);
	}
	for (struct agent *a = desk.agents; a; a = a->next)
		tick_agent(a);
}
