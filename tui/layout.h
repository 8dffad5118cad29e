/*
 * layout.h - where each pane goes for a given terminal size, and the
 * one function that paints the whole screen from the model.
 *
 * Narrow terminals (80x24 and down to 40x12) stack the panes: queue and
 * visitor side by side on top, the chat full width in the middle (so
 * scrolling it can use the terminal's scroll region), quick replies under
 * the input line. Wide terminals (110+ columns) get three columns.
 */
#ifndef KEFU_LAYOUT_H
#define KEFU_LAYOUT_H

#include "draw.h"
#include "model.h"

#define LAYOUT_MIN_ROWS 12
#define LAYOUT_MIN_COLS 40

struct layout {
	int ok;			/* 0: terminal too small */
	int wide;
	int rows, cols;
	struct rect status, help, queue, visitor, tabs, chat, typing, input,
	    replies;
	int sep[2];		/* wide layout: columns of the two separators */
};

void layout_compute(struct layout *l, int rows, int cols);
/* Paint everything into stdscr (ncurses sends only what changed). */
void layout_render(const struct layout *l, struct model *m, time_t now,
    time_t retry_at);

#endif
