/*
 * pane_queue.c - waiting visitors: wait time (ticking once a second),
 * group, name and the first words of the question. New arrivals stand out
 * until the agent moves the selection onto them or accepts them.
 */
#include <stdio.h>

#include "pane_queue.h"

static void
fmt_wait(char *buf, size_t n, long s)
{
	if (s < 0)
		s = 0;
	if (s >= 3600)
		snprintf(buf, n, "%ldh%02ld", s / 3600, (s / 60) % 60);
	else
		snprintf(buf, n, "%ld:%02ld", s / 60, s % 60);
}

void
pane_queue_draw(const struct rect *r, struct model *m, time_t now)
{
	char title[128], line[1200], wait[32];
	int focused = m->focus_pane == FOCUS_QUEUE && m->dlg.kind == DLG_NONE;
	int rows = r->h - 1;
	size_t top = 0, target;

	if (r->h <= 0)
		return;
	snprintf(title, sizeof(title), " Queue (%zu)%s", m->nqueue,
	    focused ? "  Up/Down, Enter=accept" : "  Tab: select");
	draw_title(r, title, focused);
	if (m->qsel >= m->nqueue)
		m->qsel = m->nqueue ? m->nqueue - 1 : 0;
	target = model_queue_target(m);	/* what F2 / Enter would accept */
	if (rows > 0 && target >= (size_t)rows)
		top = target - (size_t)rows + 1;
	for (int i = 0; i < rows; i++) {
		size_t k = top + (size_t)i;
		int y = r->y + 1 + i, st = ST_NORMAL, x;

		if (k >= m->nqueue) {
			if (i == 0 && m->nqueue == 0)
				draw_line(y, r->x, r->w, " (nobody waiting)", ST_GREY);
			else
				draw_fill(y, r->x, r->w, ST_NORMAL);
			continue;
		}
		struct qitem *q = &m->queue[k];

		if (focused && k == target) {
			st = ST_SEL;
			q->fresh = 0;
		} else if (q->fresh)
			st = ST_FRESH;
		fmt_wait(wait, sizeof(wait), model_queue_wait(q, now));
		snprintf(line, sizeof(line), "%c %5s %s ", k == target ? '>' : ' ',
		    wait, q->group);
		x = draw_text(y, r->x, r->w, line, st);
		snprintf(line, sizeof(line), "%s%s: ", q->name[0] ? q->name : "visitor",
		    q->left ? " (left)" : "");
		x += draw_text(y, r->x + x, r->w - x, line, st == ST_NORMAL ? ST_VISITOR : st);
		x += draw_text(y, r->x + x, r->w - x, q->text, st);
		if (x < r->w)
			draw_fill(y, r->x + x, r->w - x, st);
	}
}
