/*
 * client.h - the console's connection to kefud: connect (TCP or unix
 * socket), log in, send tagged requests, split what comes back into
 * events, rows and final replies, and reconnect when the line drops.
 *
 * Every request carries a tag "@tN"; the pending table maps the tag back to
 * what the request was for (its kind and argument), so replies never get
 * confused with events or with each other.
 */
#ifndef KEFU_CLIENT_H
#define KEFU_CLIENT_H

#include <time.h>

#include "proto.h"

enum rq_kind {
	RQ_LOGIN = 1, RQ_STATUS, RQ_QUEUE, RQ_CHATS, RQ_ACCEPT, RQ_MSG,
	RQ_NOTE, RQ_TRANSCRIPT, RQ_VISITOR, RQ_HISTORY, RQ_REPLIES,
	RQ_TRANSFER, RQ_END, RQ_WRAPUP, RQ_AGENTS, RQ_GROUPS, RQ_SEARCH,
	RQ_INVITE, RQ_LEAVE, RQ_PAST, RQ_VIEW, RQ_PING, RQ_CODE, RQ_OTHER,
	RQ_QUEUE_MORE, RQ_TRANSCRIPT_MORE,	/* the pages after the first */
	RQ_CARD, RQ_CARDSET,		/* the customer card form (cardform.c) */
	RQ_VIEW_MORE,
	RQ_BOARD, RQ_BOARD_MORE, RQ_BAGENTS, RQ_BAGENTS_MORE, RQ_BOARDSW,
	RQ_MONITOR, RQ_UNMONITOR, RQ_WHISPER, RQ_TAKEOVER, RQ_REMONITOR, /* board.c */
	RQ_STATS,						/* stats.c */
	RQ_CATS, RQ_CATS_MORE,					/* wrapcats.c */
	RQ_TEAM_LIST, RQ_TEAM_AGENTS, RQ_TEAM_MSGS, RQ_TEAM_SEND, RQ_TEAM_READ,
					/* the Team tab (team.c) */
	RQ_BROWSE, RQ_ENGAGE,			/* browsers.c */
	RQ_ADMIN, RQ_REPORT,	/* the admin and report screens (screen.h) */
	RQ_CASES, RQ_CASES_MORE, RQ_CASE, RQ_CASESET, RQ_CASENOTE,
	RQ_CASEREPLY, RQ_BAN,					/* cases.c */
	RQ_TYPING,				/* typing.c */
	RQ_KBSUGGEST,				/* kbsuggest.c */
	RQ_CUSTS, RQ_CUST,	/* the customers screen (screen_customers.c) */
};

enum cl_state { CL_DOWN, CL_LOGIN, CL_UP };

struct client_pending {
	unsigned long seq;
	int kind;
	long arg;
	char *text;		/* request text kept for the reply (MSG echo) */
	int rows;		/* rows seen so far */
};

enum msg_type { MSG_EVENT, MSG_ROW, MSG_OK, MSG_ERR };

struct client_msg {
	int type;
	struct client_pending *p;	/* NULL for events and stray lines */
	struct proto_req req;		/* for events: argv[0] is the name */
	const char *err_code, *err_text;
	const char *raw;	/* RQ_REPORT rows: the words after '+' as
				 * sent (more than a proto_req holds) */
};

#define CLIENT_PENDING 128

struct client {
	int fd, state;
	char *host, *port, *path;	/* TCP host/port or unix path */
	char *user, *password, *ticket;
	struct proto_framer fr;
	struct pbuf rbuf, wbuf;
	struct client_pending pend[CLIENT_PENDING];
	size_t npend;
	unsigned long next_seq;
	time_t retry_at;
	int backoff, attempts;
	char err[256];		/* last connection error, for the user */
};

typedef void (*client_msg_fn)(void *ctx, struct client_msg *msg);

void client_init(struct client *c);
void client_free(struct client *c);
/* "HOST:PORT" or "[v6]:PORT"; -1 if malformed. */
int client_set_server(struct client *c, const char *hostport);

/* Connect (bounded by timeout_ms) and queue the LOGIN/TICKET request. */
int client_open(struct client *c, int timeout_ms);
/* Close and schedule a reconnect; reason goes to c->err. */
void client_drop(struct client *c, const char *reason);
/* Try to reconnect when it is time; returns 1 if a connect was tried. */
int client_tick(struct client *c, time_t now);

/*
 * Queue a request: VERB, then NULL-terminated words (each escaped as one
 * argument), then " :text" if text is not NULL. Returns the tag's seq or 0
 * when not connected / out of memory.
 */
unsigned long client_req(struct client *c, int kind, long arg,
    const char *text, const char *verb, ...) __attribute__((sentinel));

/* Non-blocking write of what is queued; -1 if the connection broke. */
int client_flush(struct client *c);
/* Read what is available and hand each line to fn; -1 on EOF/error. */
int client_read(struct client *c, client_msg_fn fn, void *ctx);
int client_want_write(const struct client *c);

#endif
