/*
 * browsers.h - the "Visitors on the site" screen (browsers.c): who is
 * browsing without a chat (VISITORS, kept live with watch=1 while the
 * screen is open) and the proactive invitation (ENGAGE) of one of them.
 */
#ifndef KEFU_BROWSERS_H
#define KEFU_BROWSERS_H

#include "actions.h"

/* Alt-v: open the screen and ask for the list. */
void act_browsers(struct app *a);
/* Enter in it: invite the highlighted visitor with the text typed. */
void browsers_submit(struct app *a);
/* Replies to its requests (RQ_BROWSE, RQ_ENGAGE). */
void browsers_msg(struct session *s, struct client_msg *msg);
/* After a (re)login: an open screen lists and watches again. */
void browsers_relogin(struct session *s);
/* The events: * ARRIVED, * MOVED, * DEPARTED, * ENGAGE; 1 if it was one. */
int browsers_event(struct session *s, struct proto_req *r);

#endif
