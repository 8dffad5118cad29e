/*
 * dialog.c - drawing the modal forms and routing keys inside them.
 *
 * A dialog is a centred box over the other panes: a title, an optional
 * list (Up/Down to choose), up to two text fields (Tab switches) and a
 * hint line. What Enter does is decided in actions.c.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "cardform.h"
#include "cases.h"
#include "dialog.h"
#include "keymap.h"
#include "team.h"

static const char *
title_of(int kind)
{
	switch (kind) {
	case DLG_HELP: return " Keys - Up/Down PgUp/PgDn scroll, other keys close ";
	case DLG_CONFIRM: return " Please confirm ";
	case DLG_INVITE: return " Invite a colleague into this chat ";
	case DLG_PAST: return " The visitor's past chats ";
	case DLG_VIEW: return " Transcript (read-only) ";
	case DLG_BROWSE: return " Visitors on the site (browsing, no chat yet) ";
	case DLG_CASES: return " Cases (left messages) ";
	case DLG_CASE: return " Case ";
	case DLG_CASETEXT: return " Case: note or reply ";
	case DLG_BAN: return " Ban the visitor ";
	case DLG_TRANSFER: return " Transfer chat: pick agent or group, add a note ";
	case DLG_WRAPUP: return " Wrap up the chat ";
	case DLG_STATUS: return " Set your status ";
	case DLG_SEARCH: return " Search chat history ";
	default: return "";
	}
}

static const char *
hint_of(int kind)
{
	switch (kind) {
	case DLG_TRANSFER: return " Up/Down choose  Enter transfer  Esc cancel";
	case DLG_WRAPUP: return " Tab next field  Up/Down category  Enter wrap up + close  Esc cancel";
	case DLG_STATUS: return " Up/Down choose  Enter set  Esc cancel";
	case DLG_SEARCH: return " Enter search, then Enter opens a hit  Up/Down  Esc close";
	case DLG_CONFIRM: return " y yes  any other key: no";
	case DLG_INVITE: return " Up/Down choose  Enter invite  Esc cancel";
	case DLG_PAST: return " Up/Down choose  Enter open  Esc close";
	case DLG_VIEW: return " Up/Down PgUp/PgDn scroll  Enter/Esc close";
	case DLG_BROWSE: return " Up/Down choose  type the text  Enter invite  Esc close";
	case DLG_CASES: return " Up/Down choose  Enter open  f filter  Esc close";
	case DLG_CASE: return " n note r reply a assign o/p/c state  Enter/l list  Esc close";
	case DLG_CASETEXT: return " Enter save  Esc cancel";
	case DLG_BAN: return " Enter ban  Esc cancel";
	default: return "";
	}
}

static int
help_rows(void)
{
	int n = 0;

	while (keymap_help[n].keys != NULL)
		n++;
	return n;
}

/* The key list; it scrolls when the box is shorter than the list. */
static void
draw_help(struct dialog *d, struct rect *b)
{
	int y = b->y + 1, rows = b->h - 2, n = help_rows(), kw = 0;

	for (int i = 0; i < n; i++)	/* the widest keys, then one space */
		if ((int)strlen(keymap_help[i].keys) + 1 > kw)
			kw = (int)strlen(keymap_help[i].keys) + 1;
	if (kw > (b->w - 2) / 2)
		kw = (b->w - 2) / 2;

	if (d->top > n - rows)
		d->top = n - rows > 0 ? n - rows : 0;
	for (int i = d->top; i < n && y < b->y + b->h - 1; i++, y++) {
		int x = draw_text_cut(y, b->x + 1, kw - 1, keymap_help[i].keys, ST_LABEL);

		draw_fill(y, b->x + 1 + x, kw - x, ST_NORMAL);
		draw_line_cut(y, b->x + 1 + kw, b->w - 2 - kw, keymap_help[i].what, ST_NORMAL);
	}
	for (; y < b->y + b->h - 1; y++)
		draw_fill(y, b->x + 1, b->w - 2, ST_NORMAL);
	if (n > rows) {
		char more[64];

		snprintf(more, sizeof(more), " %s%d-%d of %d%s ",
		    d->top > 0 ? "^ " : "", d->top + 1, d->top + rows, n,
		    d->top + rows < n ? " v" : "");
		draw_text(b->y + b->h - 1, b->x + b->w - 1 - (int)strlen(more),
		    (int)strlen(more), more, ST_TITLE_FOCUS);
	}
}

static void
draw_fields(struct dialog *d, struct rect *b, int y, int *cy, int *cx)
{
	for (int f = 0; f < d->nfields; f++, y++) {
		size_t start, count;
		int col, x, used;

		x = draw_text(y, b->x + 1, b->w - 2, d->label[f], ST_LABEL);
		input_view(&d->field[f], b->w - 3 - x, &start, &count, &col);
		used = draw_wtext(y, b->x + 1 + x, b->w - 2 - x,
		    d->field[f].buf + start, count, ST_SEL);
		if (x + used < b->w - 2)
			draw_fill(y, b->x + 1 + x + used, b->w - 2 - x - used,
			    f == d->active ? ST_SEL : ST_NORMAL);
		if (f == d->active) {
			*cy = y;
			*cx = b->x + 1 + x + col;
		}
	}
}

static void
draw_items(struct dialog *d, struct rect *b, int y, int h)
{
	size_t top = 0;

	if (d->sel >= d->nitems)
		d->sel = d->nitems ? d->nitems - 1 : 0;
	if (h > 0 && d->sel >= (size_t)h)
		top = d->sel - (size_t)h + 1;
	for (int i = 0; i < h; i++, y++) {
		size_t k = top + (size_t)i;

		if (k < d->nitems)
			draw_line_cut(y, b->x + 1, b->w - 2, d->items[k].label,
			    k == d->sel ? ST_SEL : ST_NORMAL);
		else
			draw_fill(y, b->x + 1, b->w - 2, ST_NORMAL);
	}
}

void
dialog_draw(const struct layout *l, struct model *m, int *cy, int *cx)
{
	struct dialog *d = &m->dlg;
	struct rect b;
	int y, listh;

	if (d->kind == DLG_CARD) {
		cardform_draw(l, m, cy, cx);
		return;
	}
	if (d->kind == DLG_TEAM) {
		team_draw(l, cy, cx);
		return;
	}
	b.w = l->cols - 4 < 76 ? l->cols - 4 : 76;
	b.h = l->rows - 4 < 22 ? l->rows - 4 : 22;
	if (d->kind == DLG_HELP)
		b.h = l->rows - 2;
	if (d->kind == DLG_CONFIRM)
		b.h = 4;
	b.y = (l->rows - b.h) / 2;
	b.x = (l->cols - b.w) / 2;
	*cy = *cx = -1;
	/* blank the box first: text drawn below never lands on half a wide char */
	for (y = b.y; y < b.y + b.h; y++)
		draw_fill(y, b.x, b.w, ST_NORMAL);
	draw_line(b.y, b.x, b.w, title_of(d->kind), ST_TITLE_FOCUS);
	for (y = b.y + 1; y < b.y + b.h; y++) {
		draw_fill(y, b.x, 1, ST_TITLE_FOCUS);
		draw_fill(y, b.x + b.w - 1, 1, ST_TITLE_FOCUS);
	}
	draw_line(b.y + b.h - 1, b.x, b.w, hint_of(d->kind), ST_TITLE_FOCUS);
	if (d->kind == DLG_HELP) {
		draw_help(d, &b);
		return;
	}
	y = b.y + 1;
	draw_line(y++, b.x + 1, b.w - 2, d->msg ? d->msg : "", ST_UNREAD);
	listh = b.h - 3 - d->nfields;
	if (d->kind == DLG_SEARCH || d->kind == DLG_WRAPUP) {
		draw_fields(d, &b, y, cy, cx);
		draw_items(d, &b, y + d->nfields, listh);
	} else {
		draw_items(d, &b, y, listh);
		draw_fields(d, &b, y + listh, cy, cx);
	}
}

/* Scrolling keys in the help box; 1 if used. */
static int
help_key(struct dialog *d, int fk)
{
	int n = help_rows();

	switch (fk) {
	case KEY_UP: d->top = d->top > 0 ? d->top - 1 : 0; return 1;
	case KEY_DOWN: d->top = d->top + 1 < n ? d->top + 1 : d->top; return 1;
	case KEY_PPAGE: d->top = d->top > 8 ? d->top - 8 : 0; return 1;
	case KEY_NPAGE: d->top = d->top + 8 < n ? d->top + 8 : d->top; return 1;
	case KEY_HOME: d->top = 0; return 1;
	case KEY_END: d->top = n; return 1;
	default: return 0;
	}
}

void
dialog_key(struct app *a, int fk, wint_t wc, int alt)
{
	struct dialog *d = &a->m->dlg;

	if (d->kind == DLG_CARD) {
		cardform_key(a, fk, wc, alt);
		return;
	}
	if (d->kind == DLG_TEAM) {
		team_key(a, fk, wc, alt);
		return;
	}
	if (d->kind == DLG_HELP && help_key(d, fk))
		return;
	if ((d->kind == DLG_CASES || d->kind == DLG_CASE) &&
	    cases_key(a, fk, wc, alt))
		return;
	if (d->kind == DLG_CONFIRM) {
		if (fk == 0 && (wc == 'y' || wc == 'Y') && !alt)
			act_confirm_yes(a);
		else
			model_dialog_close(a->m);
		return;
	}
	if (d->kind == DLG_HELP || (fk == 0 && wc == 27 && !alt)) {
		model_dialog_close(a->m);
		return;
	}
	if (fk == KEY_F(10) || (alt && wc == 'q')) {
		model_dialog_close(a->m);
		return;
	}
	if (fk == KEY_UP && d->sel > 0)
		d->sel--;
	else if (fk == KEY_DOWN && d->sel + 1 < d->nitems)
		d->sel++;
	else if (fk == KEY_PPAGE)
		d->sel = d->sel > 8 ? d->sel - 8 : 0;
	else if (fk == KEY_NPAGE && d->nitems > 0)
		d->sel = d->sel + 8 < d->nitems ? d->sel + 8 : d->nitems - 1;
	else if (fk == 0 && wc == '\t' && d->nfields > 1)
		d->active = (d->active + 1) % d->nfields;
	else if (fk == KEY_BTAB && d->nfields > 1)
		d->active = (d->active + d->nfields - 1) % d->nfields;
	else if (fk == KEY_ENTER || (fk == 0 && (wc == '\r' || wc == '\n')))
		act_dialog_submit(a);
	else if (d->nfields > 0 && keymap_edit(&d->field[d->active], fk, wc))
		d->searched = 0;	/* a new query: Enter searches again */
}
