/*
 * team.h - the internal conversation in the console (team.c): the Team
 * tab (Alt-m), unread counts, and the watchers of each chat.
 */
#ifndef KEFU_TEAM_H
#define KEFU_TEAM_H

#include <wchar.h>

#include "actions.h"
#include "layout.h"
#include "session.h"

/* Open the Team tab: conversations, the first one shown. */
void team_open(struct session *s);
/* * IMSG, * IUNREAD and * WATCHERS; 1 if r was one of them. */
int team_event(struct session *s, struct proto_req *r);
/* kefud's answers to the tab's requests (RQ_TEAM_*). */
void team_msg(struct session *s, struct client_msg *msg);
void team_key(struct app *a, int fk, wint_t wc, int alt);
void team_draw(const struct layout *l, int *cy, int *cx);
/* Internal messages not read yet (as far as the console knows). */
int team_unread(void);

#endif
