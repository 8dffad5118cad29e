/* pane_queue.h - the waiting visitors pane (see pane_queue.c). */
#ifndef KEFU_PANE_QUEUE_H
#define KEFU_PANE_QUEUE_H

#include <time.h>

#include "draw.h"
#include "model.h"

void pane_queue_draw(const struct rect *r, struct model *m, time_t now);

#endif
