/* pane_visitor.h - facts about the visitor of the chat in focus. */
#ifndef KEFU_PANE_VISITOR_H
#define KEFU_PANE_VISITOR_H

#include "draw.h"
#include "model.h"

void pane_visitor_draw(const struct rect *r, struct model *m);

#endif
