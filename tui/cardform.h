/*
 * cardform.h - the customer card form (cardform.c): Alt-c edits the card
 * of the visitor in focus (name, phones, e-mails, company, tags, notes);
 * the customers screen opens it on a card by number.
 */
#ifndef KEFU_CARDFORM_H
#define KEFU_CARDFORM_H

#include <wchar.h>

#include "actions.h"
#include "layout.h"
#include "session.h"

/* Open the form for the chat in focus and ask kefud for the card; 0 (and
 * a flash) when no chat with a visitor is in focus. */
int cardform_open(struct session *s);
/* The same form on customer card id (the customers screen); name titles
 * it. Saving tells the screen (customers_card_saved). */
int cardform_open_customer(struct session *s, long id, const char *name);
/* * CUSTUPD (a card changed): the visitor pane of that chat is read
 * again. 1 if msg was that event. */
int cardform_event(struct session *s, struct client_msg *msg);
/* kefud's answers to the form's requests (RQ_CARD, RQ_CARDSET). */
void cardform_msg(struct session *s, struct client_msg *msg);
void cardform_key(struct app *a, int fk, wint_t wc, int alt);
void cardform_draw(const struct layout *l, struct model *m, int *cy, int *cx);

#endif
