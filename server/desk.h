/*
 * desk.h - the in-memory state of the service desk, owned by the event-loop
 * thread: agents, visitors, chats, groups and their queues.
 *
 * The database is the durable copy; this is the working copy that routing
 * decisions are made on. Every state change goes through the functions in
 * chat.c/queue.c, which update memory, write the change to the store in the
 * current transaction, and queue the events for the people concerned.
 */
#ifndef KEFU_DESK_H
#define KEFU_DESK_H

#include <stdint.h>
#include <time.h>

#include "proto.h"

struct conn;
struct chat;

enum agent_status { AS_OFFLINE = 0, AS_ONLINE, AS_AWAY, AS_BUSY };

#define DESK_MAX_GROUPS 64
#define DESK_NAME_MAX   64

struct group {
	int id;
	char name[DESK_NAME_MAX];
	int auto_route;			/* 1: auto, 0: manual */
	char *description;
	struct chat *qhead, *qtail;	/* waiting chats, oldest first */
	int qlen;
	int qdirty;			/* positions changed since last notify */
	double wait_avg;		/* moving average of recent waits (s) */
	int waited;			/* wait_avg has data: a basis for an eta */
	int deleted;			/* GROUPDEL: a free slot, reused by a
					 * group_add once no chat in memory
					 * (ended ones) still points to it */
};

struct agent {
	int64_t id;
	char name[DESK_NAME_MAX];
	char display[DESK_NAME_MAX];
	unsigned role;			/* ROLE_AGENT / SUPERVISOR / ADMIN */
	char *pwhash;
	int max_chats;
	uint64_t groups;		/* bit i: member of group id i */
	enum agent_status status;
	enum agent_status logged;	/* as last written to the status log
					 * (presence.c): status, or offline
					 * while not connected */
	struct conn *conn;		/* its connections, oldest first, linked
					 * by anext (account.c); NULL: none */
	int nchats;			/* chats owned (not ended) */
	long long idle_since;		/* ms: last time load dropped/assigned */
	long long gone_since;		/* ms: when the connection dropped */
	long long grace_walked;		/* gone_since whose grace ran out and
					 * was acted on (chat_timer.c) */
	int deleted;
	int disabled;			/* may not log in (USERSET disabled=1) */
	int seen;			/* mark for the SIGHUP reload */
	struct agent *next;
};

struct visitor {
	int64_t id;
	char token[33];
	char *name, *email, *lang, *referrer, *addr;
	struct conn *conn;		/* NULL while away */
	struct chat *chat;		/* current chat, if any */
	struct group *asked;		/* group of a HELLO while it was closed */
	long long gone_since;		/* ms */
	double tokens;			/* rate limit bucket */
	long long tokens_at;
};

/* CS_BOT: the knowledge-base bot talks to the visitor (bot.c); in no
 * queue and owned by nobody until it is handed off to the queue. */
enum chat_state { CS_QUEUED = 0, CS_ASSIGNED, CS_ENDED, CS_BOT };

#define CHAT_MAX_WATCH 4

struct chat {
	int64_t id;
	struct visitor *visitor;
	struct group *group;
	enum chat_state state;
	struct agent *agent;		/* owner while assigned */
	struct agent *invited[CHAT_MAX_WATCH];	/* extra agents in the chat */
	struct agent *monitors[CHAT_MAX_WATCH];	/* supervisors watching */
	int64_t seq;			/* last message seq */
	size_t bytes;			/* message text stored, all kinds */
	time_t created;
	long long queued_ms;		/* monotonic ms when the visitor first asked */
	time_t queued_at;		/* wall clock of the same, for QUEUE wait */
	long long assigned_ms;
	int auto_assigned;		/* routed by the server, not yet answered */
	int designated;			/* given to the agent the visitor named
					 * (HELLO agent=): their answer window
					 * is routing.designated_wait */
	int answered;			/* an agent has sent a message */
	int rated;
	int wrapped;
	char *question;			/* first words, for the queue */
	int64_t left_visitor;		/* the visitor's id and name, kept */
	char *left_name;		/* once the chat let go of them */
	int last_pos;			/* last position told to the visitor */
	struct chat *qprev, *qnext;	/* queue links */
	struct chat *hnext;		/* hash chain */
	long long ended_ms;
	const char *ended_by;		/* "visitor", "agent" or "timeout" */
	struct agent *declined;		/* passed it on last time (timeout or
					 * transfer): routing prefers others */
	char *xfer_note;		/* note of the last transfer, if any */
	char xfer_from[DESK_NAME_MAX];	/* who wrote it */
	time_t waiting_since;		/* oldest unanswered visitor message
					 * (board.c); 0: none */
	int wait_told;			/* the group's wait_reply was posted */
	int bot_answered, bot_missed;	/* questions the bot answered, not */
	struct vlimit_addr *lim;	/* counts against its address until ended */
	int watched;			/* on chat_timer.c's watch list */
	struct chat *wprev, *wnext;
};

/* -- the desk -- */
struct desk {
	struct group groups[DESK_MAX_GROUPS];
	int ngroups;
	struct agent *agents;		/* list of all accounts */
	struct chat **chat_tab;		/* hash by id */
	size_t chat_tab_size, nchats;
};

extern struct desk desk;

int desk_init(void);
void desk_free(void);

struct group *group_find(const char *name);
struct group *group_by_id(int id);
struct group *group_add(const char *name, int auto_route, const char *desc);
/* Free g's slot: the caller made sure no member and no open chat refers
 * to it; ended chats may (they keep its name). */
void group_remove(struct group *g);
/* groups that exist (deleted slots not counted) */
int group_count(void);
/* "a,b" -> bitmask of existing groups; unknown names are an error (-1). */
int group_mask_parse(const char *list, uint64_t *mask, char *bad, size_t badlen);
void group_mask_format(uint64_t mask, char *out, size_t outlen);

struct agent *agent_find(const char *name);
struct agent *agent_new(void);
const char *agent_status_name(enum agent_status s);
int agent_status_parse(const char *s, enum agent_status *out);
int agent_in_chat(const struct agent *a, const struct chat *c);

struct chat *chat_find(int64_t id);
void chat_index(struct chat *c);
void chat_unindex(struct chat *c);
void chat_free(struct chat *c);

void visitor_free(struct visitor *v);
/* An ended chat lets go of its visitor (gone for good, or back with a new
 * chat) but still names them in CHATS and on the board. */
void chat_release_visitor(struct chat *c);
int64_t chat_visitor_id(const struct chat *c);
const char *chat_visitor_name(const struct chat *c);

#endif
