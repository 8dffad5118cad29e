/*
 * layout.c - pane geometry and the screen-wide parts (status bar, key
 * line, "too small" notice, cursor placement).
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "dialog.h"
#include "keymap.h"
#include "board.h"
#include "stats.h"
#include "layout.h"
#include "pane_chat.h"
#include "pane_queue.h"
#include "pane_replies.h"
#include "pane_visitor.h"
#include "screen.h"

static struct rect
mk(int y, int x, int h, int w)
{
	struct rect r = { y, x, h > 0 ? h : 0, w > 0 ? w : 0 };

	return r;
}

static int
clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static void
narrow(struct layout *l, int rows, int cols)
{
	int avail = rows - 2, top = clamp((avail + 2) / 4, 3, 8);
	int rh = avail >= 20 ? 3 : 2, ch = avail - top - rh - 3;
	int qw = cols / 2, y = 1;

	l->queue = mk(y, 0, top, qw);
	l->visitor = mk(y, qw + 1, top, cols - qw - 1);
	y += top;
	l->tabs = mk(y++, 0, 1, cols);
	l->chat = mk(y, 0, ch, cols);
	y += ch;
	l->typing = mk(y++, 0, 1, cols);
	l->input = mk(y++, 0, 1, cols);
	l->replies = mk(y, 0, rh, cols);
}

static void
wide(struct layout *l, int rows, int cols)
{
	int avail = rows - 2, qw = clamp(cols / 4, 28, 44);
	int vw = clamp(cols / 4, 30, 50), cw = cols - qw - vw - 2;
	int vh = avail * 3 / 5, cx = qw + 1, vx = cols - vw;

	l->wide = 1;
	l->queue = mk(1, 0, avail, qw);
	l->visitor = mk(1, vx, vh, vw);
	l->replies = mk(1 + vh, vx, avail - vh, vw);
	l->sep[0] = qw;
	l->sep[1] = vx - 1;
	l->tabs = mk(1, cx, 1, cw);
	l->chat = mk(2, cx, avail - 3, cw);
	l->typing = mk(rows - 3, cx, 1, cw);
	l->input = mk(rows - 2, cx, 1, cw);
}

void
layout_compute(struct layout *l, int rows, int cols)
{
	memset(l, 0, sizeof(*l));
	l->rows = rows;
	l->cols = cols;
	l->ok = rows >= LAYOUT_MIN_ROWS && cols >= LAYOUT_MIN_COLS;
	if (!l->ok)
		return;
	l->status = mk(0, 0, 1, cols);
	l->help = mk(rows - 1, 0, 1, cols);
	if (cols >= 110 && rows >= 20)
		wide(l, rows, cols);
	else
		narrow(l, rows, cols);
}

static void
render_status(const struct layout *l, struct model *m, time_t now,
    time_t retry_at)
{
	char buf[512];
	int x;

	if (m->kicked)	/* nothing below is live any more */
		snprintf(buf, sizeof(buf), " kefu  %s [signed out] ",
		    m->display ? m->display : (m->user ? m->user : "-"));
	else
		snprintf(buf, sizeof(buf), " kefu  %s [%s]  chats %d/%d  queue %zu ",
		    m->display ? m->display : (m->user ? m->user : "-"),
		    m->connected ? m->status : "disconnected",
		    model_owned_active(m), m->max, m->nqueue);
	x = draw_text(0, 0, l->cols, buf, ST_STATUS);
	if (m->connected && !m->kicked) {
		stats_format(m, buf, sizeof(buf));
		x += draw_text(0, x, l->cols - x, buf, ST_STATUS);
	}
	if (!m->connected && m->conn_msg != NULL) {
		if (retry_at > now && !m->kicked)
			snprintf(buf, sizeof(buf), " %s (next try in %lds) ",
			    m->conn_msg, (long)(retry_at - now));
		else
			snprintf(buf, sizeof(buf), " %s ", m->conn_msg);
		x += draw_text(0, x, l->cols - x, buf, ST_ERROR);
	} else if (m->announce != NULL) {
		snprintf(buf, sizeof(buf), "| %s", m->announce);
		x += draw_text(0, x, l->cols - x, buf, ST_STATUS);
	}
	if (x < l->cols)
		draw_fill(0, x, l->cols - x, ST_STATUS);
}

/* Cells the key bar needs from entry i on. */
static int
bar_width(size_t i)
{
	int w = 0;

	for (; keymap_bar[i].key != NULL; i++)
		w += (int)strlen(keymap_bar[i].key) + (int)strlen(keymap_bar[i].what);
	return w;
}

static void
render_help(const struct layout *l, struct model *m)
{
	static const char more[] = "F1:more";
	int x = 0, room = l->cols;

	if (m->flash != NULL) {
		draw_line(l->help.y, 0, l->cols, m->flash, ST_LABEL);
		return;
	}
	if (bar_width(0) > l->cols)	/* keys that do not fit: say where they are */
		room = l->cols - (int)sizeof(more);
	for (size_t i = 0; keymap_bar[i].key != NULL; i++) {
		int w = (int)strlen(keymap_bar[i].key) + (int)strlen(keymap_bar[i].what);

		if (x + w > room)
			break;
		x += draw_text(l->help.y, x, l->cols - x, keymap_bar[i].key, ST_KEY);
		x += draw_text(l->help.y, x, l->cols - x, keymap_bar[i].what, ST_NORMAL);
	}
	if (room < l->cols) {
		draw_fill(l->help.y, x, l->cols - (int)sizeof(more) + 1 - x, ST_NORMAL);
		x = l->cols - (int)sizeof(more) + 1;
		x += draw_text(l->help.y, x, l->cols - x, more, ST_KEY);
	}
	if (x < l->cols)
		draw_fill(l->help.y, x, l->cols - x, ST_NORMAL);
}

void
layout_render(const struct layout *l, struct model *m, time_t now,
    time_t retry_at)
{
	int cy = -1, cx = -1;

	if (!l->ok) {
		erase();
		draw_text(0, 0, l->cols, "Terminal too small for kefu:", ST_NORMAL);
		draw_text(1, 0, l->cols, "please make it at least 40x12.", ST_NORMAL);
		curs_set(0);
		return;
	}
	/*
	 * Start from a blank canvas: no stale cell from another layout, and
	 * no half of an old wide character for new text to land on.
	 * ncurses still sends only the cells that differ from the terminal.
	 */
	erase();
	render_status(l, m, now, retry_at);
	if (m->screen != SCREEN_DESK) {	/* a full-screen view (screen.h) */
		screen_draw(l, m, &cy, &cx);
		goto cursor;
	}
	pane_queue_draw(&l->queue, m, now);
	pane_visitor_draw(&l->visitor, m);
	pane_chat_draw(l, m, now, &cy, &cx);
	pane_replies_draw(&l->replies, m, &cy, &cx);
	render_help(l, m);
	if (l->wide) {
		draw_vline(1, l->sep[0], l->rows - 2);
		draw_vline(1, l->sep[1], l->rows - 2);
	}
	if (m->board.open) {
		pane_board_draw(l, m, now);
		cy = -1;
	}
	if (m->dlg.kind != DLG_NONE)
		dialog_draw(l, m, &cy, &cx);
cursor:
	if (cy >= 0) {
		curs_set(1);
		move(cy, cx);
	} else {
		curs_set(0);
		move(l->help.y, l->cols - 1);
	}
}
