/*
 * board.h - the supervisors' desk board: every chat an agent has, with its
 * agent and age, as CHATS all rows and as live * BOARD events to the
 * connections that asked for them (BOARD on).
 */
#ifndef KEFU_BOARD_H
#define KEFU_BOARD_H

#include "desk.h"

/* A chat's board line changed (owner, state, waiting mark, left/back):
 * tell the connections watching the board. */
void board_note(const struct chat *ch);
/* A message of kind was posted to ch: moves its waiting mark (the oldest
 * visitor message not yet answered) and tells the board when it moved. */
void board_posted(struct chat *ch, const char *kind, time_t now);

#endif
