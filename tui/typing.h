/*
 * typing.h - the visitor sees "Alice is typing" while the agent writes in
 * a chat's input line (typing.c).
 */
#ifndef KEFU_TYPING_H
#define KEFU_TYPING_H

#include "actions.h"

#define TYPING_EVERY 3	/* seconds between two "still typing" */

/* After every key: tell kefud when the agent starts, goes on or stops. */
void typing_changed(struct app *a);
/* The line was sent: the message itself ends the indicator. */
void typing_sent(void);

#endif
