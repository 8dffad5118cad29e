/*
 * draw.c - styles and cell-exact text output on top of ncursesw.
 *
 * Colour is a bonus: every style has an attribute that reads well without
 * it (vt100, monochrome), and colour pairs only add to that.
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "wrap.h"

static attr_t st_attr[ST_N];
static short st_pair[ST_N];
static int colors;

static void
set(int st, attr_t mono, short fg, short bg, attr_t extra)
{
	st_attr[st] = mono;
	st_pair[st] = 0;
	if (colors && (fg >= 0 || bg >= 0)) {
		short pair = (short)(st + 1);

		if (init_pair(pair, fg, bg) == OK) {
			st_pair[st] = pair;
			st_attr[st] = extra;
		}
	}
}

void
draw_init(void)
{
	colors = has_colors() && start_color() == OK;
	if (colors && use_default_colors() != OK)
		assume_default_colors(COLOR_WHITE, COLOR_BLACK);
	set(ST_NORMAL, A_NORMAL, -1, -1, A_NORMAL);
	set(ST_TITLE, A_REVERSE, COLOR_BLACK, COLOR_WHITE, A_NORMAL);
	set(ST_TITLE_FOCUS, A_REVERSE | A_BOLD, COLOR_WHITE, COLOR_BLUE, A_BOLD);
	set(ST_STATUS, A_REVERSE, COLOR_WHITE, COLOR_BLUE, A_NORMAL);
	set(ST_KEY, A_REVERSE, COLOR_BLACK, COLOR_CYAN, A_NORMAL);
	set(ST_VISITOR, A_BOLD, COLOR_CYAN, -1, A_BOLD);
	set(ST_AGENT, A_NORMAL, COLOR_GREEN, -1, A_NORMAL);
	set(ST_NOTE, A_UNDERLINE, COLOR_YELLOW, -1, A_NORMAL);
	set(ST_SYSTEM, A_DIM, COLOR_MAGENTA, -1, A_NORMAL);
	set(ST_TIME, A_DIM, COLOR_BLUE, -1, A_BOLD);
	set(ST_FRESH, A_BOLD | A_STANDOUT, COLOR_YELLOW, -1, A_BOLD);
	set(ST_SEL, A_REVERSE, COLOR_BLACK, COLOR_CYAN, A_NORMAL);
	set(ST_GREY, A_DIM, COLOR_BLACK, -1, A_BOLD);
	set(ST_ERROR, A_BOLD | A_REVERSE, COLOR_WHITE, COLOR_RED, A_BOLD);
	set(ST_UNREAD, A_BOLD, COLOR_RED, -1, A_BOLD);
	set(ST_LABEL, A_BOLD, -1, -1, A_BOLD);
	if (colors && COLORS < 8)
		colors = 0;
}

int
draw_has_colors(void)
{
	return colors;
}

void
draw_style(int st)
{
	if (st < 0 || st >= ST_N)
		st = ST_NORMAL;
	attr_set(st_attr[st], st_pair[st], NULL);
}

void
draw_fill(int y, int x, int w, int st)
{
	draw_style(st);
	if (w > 0)
		mvhline(y, x, ' ', w);
}

void
draw_clear(const struct rect *r)
{
	for (int i = 0; i < r->h; i++)
		draw_fill(r->y + i, r->x, r->w, ST_NORMAL);
}

int
draw_wtext(int y, int x, int w, const wchar_t *s, size_t n, int st)
{
	int used;
	size_t k;

	if (w <= 0)
		return 0;
	k = wrap_fit(s, n, w, &used);
	draw_style(st);
	if (k > 0)
		mvaddnwstr(y, x, s, (int)k);
	return used;
}

int
draw_text(int y, int x, int w, const char *s, int st)
{
	size_t n;
	wchar_t *ws;
	int used;

	if (s == NULL || w <= 0)
		return 0;
	ws = wrap_decode(s, strlen(s), &n, 0);
	if (ws == NULL)
		return 0;
	used = draw_wtext(y, x, w, ws, n, st);
	free(ws);
	return used;
}

void
draw_line(int y, int x, int w, const char *s, int st)
{
	int used = draw_text(y, x, w, s, st);

	if (used < w)
		draw_fill(y, x + used, w - used, st);
}

int
draw_text_cut(int y, int x, int w, const char *s, int st)
{
	size_t n;
	wchar_t *ws;
	int used;

	if (s == NULL || w <= 0)
		return 0;
	if ((ws = wrap_decode(s, strlen(s), &n, 0)) == NULL)
		return 0;
	if (wrap_width(ws, n) <= w || w < 2) {
		used = draw_wtext(y, x, w, ws, n, st);
	} else {
		used = draw_wtext(y, x, w - 1, ws, n, st);
		used += draw_wtext(y, x + used, 1, L"\x2026", 1, st);	/* … */
	}
	free(ws);
	return used;
}

void
draw_line_cut(int y, int x, int w, const char *s, int st)
{
	int used = draw_text_cut(y, x, w, s, st);

	if (used < w)
		draw_fill(y, x + used, w - used, st);
}

void
draw_vline(int y, int x, int h)
{
	draw_style(ST_GREY);
	if (h > 0)
		mvvline(y, x, ACS_VLINE, h);
}

void
draw_title(const struct rect *r, const char *title, int focused)
{
	draw_line(r->y, r->x, r->w, title, focused ? ST_TITLE_FOCUS : ST_TITLE);
}
