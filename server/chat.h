/*
 * chat.h - the chat lifecycle and routing: queueing, assignment, messages,
 * transfer, end; and the once-a-second housekeeping that enforces timeouts.
 *
 * Invariant kept by every function here: a chat that is not ended is either
 * in exactly one group's queue (state QUEUED, agent NULL) or owned by exactly
 * one agent (state ASSIGNED, counted in that agent's nchats).
 */
#ifndef KEFU_CHAT_H
#define KEFU_CHAT_H

#include "desk.h"

/* A new chat, queued, or with the bot (CS_BOT) when bot is set. */
struct chat *chat_open(struct visitor *v, struct group *g, const char *question,
    int bot);
/* The bot hands c to its group's queue (from now its wait counts). */
int chat_handoff(struct chat *c);
void chat_restore(struct chat *c, const char *state, const char *agent);
int chat_assign(struct chat *c, struct agent *a, const char *by,
    const char *from, const char *note);
void chat_requeue(struct chat *c, const char *reason, int at_head);
/* Every chat a owns back to the head of its queue, at once (the account
 * was deleted or disabled: no grace). */
void chat_requeue_agent(struct agent *a);
/* Remember a transfer's note (NULL/0: none) for QADD and the next ASSIGN. */
int chat_set_transfer_note(struct chat *c, const struct agent *from,
    const char *note, size_t len);
int64_t chat_post(struct chat *c, const char *kind, const char *from,
    const char *text, size_t len);
void chat_end(struct chat *c, const char *by);
/* May one more message of len bytes go into c (limits.chat_*)? */
int chat_room(const struct chat *c, size_t len);
void chat_typing(struct chat *c, const char *draft, size_t len);
void chat_agent_typing(struct chat *c, const struct agent *a, int on);
void chat_visitor_left(struct chat *c);
void chat_visitor_back(struct chat *c);

int queue_pos(const struct chat *c);
long long queue_eta(const struct chat *c);	/* -1: none (see PROTOCOL.md) */
void queue_tell_position(struct chat *c, int force);

struct agent *route_pick(struct group *g, struct agent *exclude);
/* The agent a visitor named (HELLO agent=NAME) if the chat may wait for
 * them: online, connected, under their limit, routing.designated_wait set;
 * else NULL (the group routes the chat as usual). */
struct agent *route_designated(const char *name);
/* Seconds the owner of an auto-assigned chat has to answer it: the
 * designated agent's routing.designated_wait, else routing.answer_timeout
 * (0: no limit). */
int chat_answer_window(const struct chat *c);
/* Give c to its designated agent a (by=designated): routing.designated_wait
 * seconds to answer, then back to the head of its group's queue. */
int chat_designate(struct chat *c, struct agent *a);
void route_group(struct group *g);
void route_agent_groups(struct agent *a);
int group_online(const struct group *g);

/* events to the people of a chat (ev_begin() must have built the line) */
void ev_to_chat_agents(struct chat *c);
/* " monitors=a,b invited=c,d" (account names) of chat c into b. */
void chat_watchers_put(struct pbuf *b, const struct chat *c);
/* * WATCHERS <chat> monitors= invited= to its owner and invited agents:
 * who else is looking at it (after MONITOR, INVITE, ... or a new owner). */
void chat_watchers_tell(struct chat *c);
/* Build "* ASSIGN <chat> ..." in the event buffer. */
void ev_assign(struct chat *c, const char *by, const char *from,
    const char *note);
void ev_to_group_agents(struct group *g);
void ev_to_supervisors(void);
void agent_notify_status(struct agent *a);

void desk_tick(void);
/* chat_timer.c: a chat whose timeout may now run (idempotent); the
 * once-a-second check of watched chats and of agents' grace. */
void chat_watch(struct chat *c);
void chat_unwatch(struct chat *c);
void chat_timers_tick(void);

#endif
