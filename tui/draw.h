/*
 * draw.h - the few curses primitives the panes use: styles that degrade
 * to plain attributes on monochrome terminals, and clipped text output
 * that measures by cells so wide characters never spill over a pane edge.
 */
#ifndef KEFU_DRAW_H
#define KEFU_DRAW_H

#include <stddef.h>
#include <wchar.h>

struct rect {
	int y, x, h, w;
};

enum style {
	ST_NORMAL, ST_TITLE, ST_TITLE_FOCUS, ST_STATUS, ST_KEY, ST_VISITOR,
	ST_AGENT, ST_NOTE, ST_SYSTEM, ST_TIME, ST_FRESH, ST_SEL, ST_GREY,
	ST_ERROR, ST_UNREAD, ST_LABEL, ST_N
};

void draw_init(void);
int draw_has_colors(void);
/* Set the current attribute to a style. */
void draw_style(int style);
/* Fill w cells at (y, x) with spaces in a style. */
void draw_fill(int y, int x, int w, int style);
void draw_clear(const struct rect *r);
/* Wide text clipped to w cells; returns the cells used. */
int draw_wtext(int y, int x, int w, const wchar_t *s, size_t n, int style);
/* UTF-8 text (control characters neutralised), clipped to w cells. */
int draw_text(int y, int x, int w, const char *s, int style);
/* Like draw_text, then pads with spaces up to w cells. */
void draw_line(int y, int x, int w, const char *s, int style);
/* Like draw_text / draw_line, but text that does not fit ends in "…". */
int draw_text_cut(int y, int x, int w, const char *s, int style);
void draw_line_cut(int y, int x, int w, const char *s, int style);
/* A vertical separator line of h rows. */
void draw_vline(int y, int x, int h);
/* A pane's title bar: " Title " filling the width, focus-highlighted. */
void draw_title(const struct rect *r, const char *title, int focused);

#endif
