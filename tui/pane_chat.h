/*
 * pane_chat.h - the active chat: chat tabs with unread counts, the
 * transcript with scrollback, the visitor's typing preview and the input
 * line.
 */
#ifndef KEFU_PANE_CHAT_H
#define KEFU_PANE_CHAT_H

#include "layout.h"
#include "model.h"

/* Draws tabs, transcript, typing row and input; sets the cursor spot. */
void pane_chat_draw(const struct layout *l, struct model *m, time_t now,
    int *cy, int *cx);
/* Scroll the focused transcript by delta rows (positive: back in time). */
void pane_chat_scroll(struct model *m, int delta);

#endif
