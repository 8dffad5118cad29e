/*
 * pane_replies.c - the quick-reply pane: a search field in the title bar
 * (every keystroke sends "REPLIES :query", so the server's CJK-aware
 * search does the matching) and the matching replies, one per row.
 */
#include <stdio.h>

#include "pane_replies.h"

void
pane_replies_draw(const struct rect *r, struct model *m, int *cy, int *cx)
{
	int focused = m->focus_pane == FOCUS_REPLIES && m->dlg.kind == DLG_NONE;
	int st = focused ? ST_TITLE_FOCUS : ST_TITLE, x, rows = r->h - 1;
	size_t start, count, top = 0;
	int col, px;
	char buf[1600];

	if (r->h <= 0)
		return;
	snprintf(buf, sizeof(buf), " Replies (%zu) %s", m->nreplies,
	    focused ? "find: " : "F4 to search: ");
	x = draw_text(r->y, r->x, r->w, buf, st);
	px = x;
	input_view(&m->rq, r->w - x - 1, &start, &count, &col);
	x += draw_wtext(r->y, r->x + x, r->w - x, m->rq.buf + start, count, st);
	if (x < r->w)
		draw_fill(r->y, r->x + x, r->w - x, st);
	if (focused) {
		*cy = r->y;
		*cx = r->x + px + col;
	}
	size_t n = model_reply_rows(m);

	if (m->rsel >= n)
		m->rsel = n ? n - 1 : 0;
	if (rows > 0 && m->rsel >= (size_t)rows)
		top = m->rsel - (size_t)rows + 1;
	for (int i = 0; i < rows; i++) {
		size_t k = top + (size_t)i;
		int y = r->y + 1 + i, s = ST_NORMAL, used, kb;
		const struct reply *rp;

		if (k >= n) {
			draw_line(y, r->x, r->w, i == 0 && n == 0 ?
			    " (no matching replies)" : "", ST_GREY);
			continue;
		}
		rp = model_reply_at(m, k, &kb);
		if (focused && k == m->rsel)
			s = ST_SEL;
		snprintf(buf, sizeof(buf), "%c%s%s: ", k == m->rsel ? '>' : ' ',
		    kb ? "KB " : "", rp->title);
		used = draw_text(y, r->x, r->w, buf, s == ST_SEL ? s : ST_LABEL);
		used += draw_text_cut(y, r->x + used, r->w - used, rp->text, s);
		if (used < r->w)
			draw_fill(y, r->x + used, r->w - used, s);
	}
}
