/*
 * kbsuggest.h - answer suggestions from the knowledge base for the chat in
 * focus, shown above the quick replies (kbsuggest.c).
 */
#ifndef KEFU_KBSUGGEST_H
#define KEFU_KBSUGGEST_H

#include "session.h"

/* From the main loop: ask again when the chat in focus changed. */
void kbsuggest_tick(struct session *s);
/* Look at a line from kefud: a visitor message in the chat in focus asks
 * again; the answers are kept. 1 if nothing else needs the line. */
int kbsuggest_msg(struct session *s, struct client_msg *msg);

#endif
