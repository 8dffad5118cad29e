/*
 * bot.h - the knowledge-base bot (智能客服) in a chat (bot.c).
 */
#ifndef KEFU_BOT_H
#define KEFU_BOT_H

#include <stddef.h>

#include "desk.h"

/* Does the bot take a new visitor of g now? groups[].bot front: yes;
 * after-hours: while g is outside its hours or nobody of it is on duty;
 * off, and during maintenance: no. */
int bot_engages(const struct group *g);
/* A chat just opened with the bot: it answers the opening question. */
void bot_opened(struct chat *ch);
/* The visitor said text in a chat with the bot: answer, or hand off. */
void bot_heard(struct chat *ch, const char *text, size_t len);
/* Pass ch to a person: to its group's queue, or, while the group is
 * closed, tell the visitor so (* CLOSED) and keep answering. */
void bot_handoff(struct chat *ch);

#endif
