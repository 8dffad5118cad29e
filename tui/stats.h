/*
 * stats.h - the agent's own figures for today in the status bar (chats,
 * average first response, rating), asked of kefud with STATS when they
 * may have changed: after logging in, a new chat, a wrap-up, a rating.
 */
#ifndef KEFU_STATS_H
#define KEFU_STATS_H

#include "session.h"

/* Look at a line from kefud; asks for fresh figures when it changes them
 * and keeps the answer. 1 if nothing else needs the line. */
int stats_msg(struct session *s, struct client_msg *msg);
void stats_request(struct session *s);
/* "today N  1st reply Xs  rating R", or "" before the first answer. */
void stats_format(const struct model *m, char *buf, size_t n);

#endif
