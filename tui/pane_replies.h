/* pane_replies.h - quick replies with incremental server-side search. */
#ifndef KEFU_PANE_REPLIES_H
#define KEFU_PANE_REPLIES_H

#include "draw.h"
#include "model.h"

void pane_replies_draw(const struct rect *r, struct model *m, int *cy, int *cx);

#endif
