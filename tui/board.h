/*
 * board.h - the supervisor's desk board: every agent's status, load and
 * longest-waiting chat, every chat an agent has with its age, kept live
 * by * BOARD and * STATUS events; and the keys that act on a chat from
 * it (monitor and whisper, take over, end).
 */
#ifndef KEFU_BOARD_H
#define KEFU_BOARD_H

#include <wchar.h>

#include "actions.h"

/* F11 / Alt-d: open the board (supervisors and admins), or close it. */
void board_toggle(struct app *a);
void board_close(struct app *a);
/* A key while the board is open (and no dialog over it). */
void board_key(struct app *a, int fk, wint_t wc, int alt);
/* "y" to a take-over or end question asked from the board. */
void board_confirmed(struct app *a, int kind, long chat);
/* The board's part of a line from kefud; 1 if nothing else needs it. */
int board_msg(struct session *s, struct client_msg *msg);
/* After a (re)login: ask again for what an open board shows. */
void board_relogin(struct session *s);
/* Close the tab of a chat watched from the board (UNMONITOR). */
void board_unwatch(struct app *a, long chat);
void board_free(struct board *b);

/* pane_board.c: draw it over the panes (rows 1 .. rows-1). */
struct layout;
void pane_board_draw(const struct layout *l, struct model *m, time_t now);

#endif
