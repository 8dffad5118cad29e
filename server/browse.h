/*
 * browse.h - browsing visitors (a web page open with the widget, no chat
 * yet) and the proactive invitations agents send them (主动邀请). The
 * state lives in browse.c; the verbs BROWSE, VISITORS, ENGAGE and
 * INVITATION are in cmd_browse.c. PROTOCOL.md "Browsing visitors".
 */
#ifndef KEFU_BROWSE_H
#define KEFU_BROWSE_H

#include <stdint.h>
#include <time.h>

#include "desk.h"

struct conn;
struct pbuf;

#define BROWSE_TITLE_MAX  256	/* bytes of a page title */
#define BROWSE_INVITE_MAX 1024	/* bytes of an invitation's text */

struct browser {
	int64_t id;			/* B: numbered from 1 while kefud runs */
	char token[33];			/* names it again on the next page */
	struct conn *conn;		/* NULL between two pages */
	struct group *group;
	char *page, *title, *referrer, *lang;
	char addr[64];
	time_t since;			/* arrival (wall clock) */
	long long gone_ms;		/* its connection went; 0 while on */
	double tokens;			/* PAGE rate bucket (limits.msg_*) */
	long long tokens_at;
	/* the invitation, if one is pending */
	struct agent *inviter;
	char *invite_text;
	long long invite_ms;
	long long cool_until_ms;	/* no new invitation before this */
	int accepting;			/* INVITATION accept is running HELLO */
	struct browser *prev, *next;	/* in order of arrival */
	struct browser *id_next, *tok_next;	/* hash chains (browse.c) */
	struct browser *lprev, *lnext;	/* lingering, in order of leaving */
};

/* A new browser for c (BROWSE), or (*back set) the one that token names
 * coming back on a new page. Sets *why (for ERR LIMIT) and returns NULL
 * when a cap is reached, or on no memory (*why NULL). */
struct browser *browse_arrive(struct conn *c, struct group *g,
    const char *token, int *back, const char **why);
/* Its page (and title, may be NULL) changed; tells the watchers. */
int browse_set_page(struct browser *b, const char *page, const char *title,
    size_t titlelen, int moved);
int browse_set_field(char **field, const char *value);
/* The connection is gone: the browser lingers for its next page. */
void browse_closed(struct conn *c);
/* The browser on c started a chat (chat, or 0 for none: closed desk). */
void browse_became_visitor(struct conn *c, int64_t chat);
/* Once a second: browsers gone for browse.linger, invitations timed out. */
void browse_tick(void);
void browse_free_all(void);

struct browser *browse_find(int64_t id);
struct browser *browse_first(void);
int browse_count(void);
/* May agent a see b (its group: the rule of QUEUE)? */
int browse_visible(const struct agent *a, const struct browser *b);
/* Put b's fields ("group=.. page=.. ...") after a row or event head. */
void browse_put_fields(struct pbuf *p, const struct browser *b);
/* Send the event line built in ev_begin() to the watchers who see b. */
void browse_ev_watchers(const struct browser *b);

/* Invitations: send one; end a pending one with a result for the
 * inviter (accepted, declined, timeout, left); the accepted chat. */
void browse_invite(struct browser *b, struct agent *a, const char *text,
    size_t len);
void browse_invite_end(struct browser *b, const char *result, int64_t chat);
/* Tell b's connection about its pending invitation (* INVITATION). */
void browse_invite_show(struct browser *b);
/* HELLO opened chat ch for the browser on c: an accepted invitation goes
 * to its agent if they are still free. */
void browse_hello_chat(struct conn *c, struct chat *ch);

#endif
