/*
 * expand.h - short codes in the input line (expand.c): "/code" then Tab
 * becomes the text of the quick reply with that code.
 */
#ifndef KEFU_EXPAND_H
#define KEFU_EXPAND_H

#include "session.h"

/* If the word before the cursor is /code, ask kefud for its reply and
 * return 1 (the Tab is used up); else 0. */
int expand_start(struct session *s);
/* kefud's answer to that request (a client_msg of kind RQ_CODE). */
void expand_msg(struct session *s, struct client_msg *msg);

#endif
