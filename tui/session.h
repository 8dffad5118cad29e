/*
 * session.h - what the console does with each line from kefud: events,
 * rows and replies become changes to the model, and (re)logging in
 * fetches the state the screen needs.
 */
#ifndef KEFU_SESSION_H
#define KEFU_SESSION_H

#include "client.h"
#include "model.h"

struct session {
	struct model *m;
	struct client *c;
	unsigned long replies_seq;	/* newest REPLIES search */
	unsigned long code_seq;		/* pending /code expansion (expand.c) */
	char code[20];
	unsigned gen;
	int login_result;	/* first login: 0 waiting, 1 ok, -1 failed */
	char login_err[256];
};

void session_init(struct session *s, struct model *m, struct client *c);
/* The callback given to client_read(). */
void session_msg(void *ctx, struct client_msg *msg);
/* Ask for everything about one chat (transcript, visitor, history). */
void session_fetch_chat(struct session *s, long chat, long visitor);
void session_search_replies(struct session *s);
/* An epoch as "2026-11-23" (long_form) or "11-23 09:30"; "-" for none. */
void session_fmt_date(char *buf, size_t n, long epoch, int long_form);
/* Note that the connection went down (reason shown to the user). */
void session_lost(struct session *s, const char *reason);

#endif
