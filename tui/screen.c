/*
 * screen.c - the full-screen views (screen.h): which one is shown, the
 * role each needs (the customers screen: any staff), Esc back to the desk, and the pieces both views use:
 * a small form, a yes/no question for what cannot be undone, and the
 * result line that shows an ERR reply as a sentence.
 */
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "keymap.h"
#include "screen.h"

#define CTRL(c) ((c) & 0x1f)

static char note[400];		/* the result line */

static int
role_is(const struct model *m, const char *r)
{
	return m->role != NULL && strcmp(m->role, r) == 0;
}

void
screen_open(struct app *a, int kind)
{
	struct model *m = a->m;

	if (kind == SCREEN_ADMIN && !role_is(m, "admin")) {
		model_flash(m, "The admin screen is for admins");
		return;
	}
	if (kind == SCREEN_REPORT && !role_is(m, "admin") &&
	    !role_is(m, "supervisor")) {
		model_flash(m, "Reports are for supervisors and admins");
		return;
	}
	if (m->dlg.kind != DLG_NONE)
		model_dialog_close(m);
	note[0] = '\0';
	m->screen = kind;
	m->dirty = 1;
	if (kind == SCREEN_ADMIN)
		admin_enter(a);
	else if (kind == SCREEN_REPORT)
		report_enter(a);
	else
		customers_enter(a);
}

int
screen_key(struct app *a, int fk, wint_t wc, int alt)
{
	struct model *m = a->m;
	int kind = m->screen;

	if (kind == SCREEN_CUSTOMERS && m->dlg.kind != DLG_NONE)
		return 0;	/* a transcript or the card form over it */
	if (fk == 0 && wc == CTRL('l')) {
		a->repaint = 1;
		return 1;
	}
	if (fk == KEY_F(10) || (fk == 0 && wc == CTRL('c')) ||
	    (alt && fk == 0 && wc == 'q')) {
		m->screen = SCREEN_DESK;	/* the desk asks about quitting */
		return 0;
	}
	if (alt && fk == 0 && ((kind == SCREEN_ADMIN && wc == 'u') ||
	    (kind == SCREEN_REPORT && wc == 'g') ||
	    (kind == SCREEN_CUSTOMERS && wc == 'w'))) {
		m->screen = SCREEN_DESK;
		return 1;
	}
	if (fk == KEY_F(12) && kind == SCREEN_ADMIN) {
		m->screen = SCREEN_DESK;
		return 1;
	}
	if (kind == SCREEN_CUSTOMERS ? customers_key(a, fk, wc, alt) :
	    kind == SCREEN_ADMIN ? admin_key(a, fk, wc) : report_key(a, fk, wc))
		return 1;
	if (fk == 0 && wc == 27)	/* Esc with nothing open: the desk */
		m->screen = SCREEN_DESK;
	return 1;
}

void
screen_draw(const struct layout *l, struct model *m, int *cy, int *cx)
{
	if (m->screen == SCREEN_ADMIN)
		admin_draw(l, m, cy, cx);
	else if (m->screen == SCREEN_CUSTOMERS)
		customers_draw(l, m, cy, cx);
	else
		report_draw(l, m);
}

void
screen_msg(struct session *s, struct client_msg *msg)
{
	s->m->dirty = 1;
	if (msg->p->kind == RQ_ADMIN)
		admin_msg(s, msg);
	else if (msg->p->kind == RQ_REPORT)
		report_msg(s, msg);
	else
		customers_msg(s, msg);
}

/* ---- the result line ---- */

void
screen_note(struct model *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(note, sizeof(note), fmt, ap);
	va_end(ap);
	m->dirty = 1;
}

const char *
screen_note_text(void)
{
	return note;
}

void
screen_error(struct model *m, const char *code, const char *text)
{
	const char *what = "Refused";

	if (strcmp(code, "DENIED") == 0)
		what = "Not allowed";
	else if (strcmp(code, "NOTFOUND") == 0)
		what = "Not found";
	else if (strcmp(code, "EXISTS") == 0)
		what = "Already exists";
	else if (strcmp(code, "ARGS") == 0)
		what = "Not accepted";
	else if (strcmp(code, "STATE") == 0)
		what = "Not now";
	else if (strcmp(code, "INTERNAL") == 0)
		what = "Server error";
	screen_note(m, "%s: %s", what, text && *text ? text : code);
}

void
screen_bottom(const struct layout *l, const char *keys)
{
	int y = l->rows - 1;

	draw_line_cut(y - 1, 0, l->cols, note, note[0] ? ST_LABEL : ST_NORMAL);
	draw_line_cut(y, 0, l->cols, keys, ST_KEY);
}

/* ---- the form ---- */

void
form_open(struct form *f, int kind, const char *title, const char *target)
{
	form_close(f);
	f->kind = kind;
	snprintf(f->title, sizeof(f->title), "%s", title);
	snprintf(f->target, sizeof(f->target), "%s", target ? target : "");
}

void
form_field(struct form *f, const char *label, const char *value, int masked)
{
	int i = f->nf;

	if (i >= FORM_FIELDS)
		return;
	input_init(&f->f[i]);
	if (value != NULL)
		(void)input_set_utf8(&f->f[i], value);
	f->label[i] = label;
	f->masked[i] = masked;
	f->nf++;
}

char *
form_value(const struct form *f, int i)
{
	return input_utf8(&f->f[i]);
}

void
form_close(struct form *f)
{
	for (int i = 0; i < f->nf; i++)
		input_free(&f->f[i]);
	memset(f, 0, sizeof(*f));
}

int
form_key(struct form *f, int fk, wint_t wc)
{
	struct input *in = &f->f[f->cur];

	if (fk == 0 && wc == 27)
		return -1;
	if (fk == KEY_ENTER || (fk == 0 && (wc == '\r' || wc == '\n'))) {
		if (f->cur + 1 < f->nf) {
			f->cur++;
			return 0;
		}
		return 1;
	}
	if ((fk == 0 && wc == '\t') || fk == KEY_DOWN) {
		f->cur = (f->cur + 1) % f->nf;
		return 0;
	}
	if (fk == KEY_BTAB || fk == KEY_UP) {
		f->cur = (f->cur + f->nf - 1) % f->nf;
		return 0;
	}
	(void)keymap_edit(in, fk, wc);
	return 0;
}

/* A box of h rows centered in the screen, cleared, with a title. */
static struct rect
over_box(const struct layout *l, int h, const char *title)
{
	int w = l->cols - 4 < 72 ? l->cols - 4 : 72;
	struct rect r = { (l->rows - h) / 2, (l->cols - w) / 2, h, w };

	for (int y = 0; y < h; y++)
		draw_fill(r.y + y, r.x, r.w, ST_NORMAL);
	draw_title(&r, title, 1);
	return r;
}

void
form_draw(const struct layout *l, struct form *f, int *cy, int *cx)
{
	struct rect r = over_box(l, f->nf + 4, f->title);

	for (int i = 0; i < f->nf; i++) {
		size_t start, count;
		int col, x, used, y = r.y + 2 + i;
		struct input *in = &f->f[i];

		(void)draw_text(y, r.x + 1, 15, f->label[i], ST_LABEL);
		x = 17;
		input_view(in, r.w - 2 - x, &start, &count, &col);
		if (f->masked[i]) {
			wchar_t stars[256];
			size_t n = count < 255 ? count : 255;

			for (size_t k = 0; k < n; k++)
				stars[k] = L'*';
			used = draw_wtext(y, r.x + x, r.w - 1 - x, stars, n, ST_SEL);
		} else
			used = draw_wtext(y, r.x + x, r.w - 1 - x,
			    in->buf + start, count, ST_SEL);
		if (x + used < r.w - 1)
			draw_fill(y, r.x + x + used, r.w - 1 - x - used,
			    i == f->cur ? ST_SEL : ST_NORMAL);
		if (i == f->cur) {
			*cy = y;
			*cx = r.x + x + col;
		}
	}
	draw_line_cut(r.y + r.h - 1, r.x + 1, r.w - 2,
	    "Enter: next/save  Tab: next field  Esc: cancel", ST_GREY);
}

/* ---- the yes/no question ---- */

void
question_open(struct question *q, int kind, const char *target,
    const char *fmt, ...)
{
	va_list ap;

	q->kind = kind;
	snprintf(q->target, sizeof(q->target), "%s", target ? target : "");
	va_start(ap, fmt);
	vsnprintf(q->text, sizeof(q->text), fmt, ap);
	va_end(ap);
}

int
question_key(struct question *q, wint_t wc, int fk)
{
	if (fk != 0)
		return 0;
	if (wc == 'y' || wc == 'Y')
		return 1;
	if (wc == 'n' || wc == 'N' || wc == 27) {
		q->kind = 0;
		return -1;
	}
	return 0;
}

void
question_draw(const struct layout *l, const struct question *q)
{
	struct rect r = over_box(l, 5, "Confirm");

	draw_line_cut(r.y + 2, r.x + 1, r.w - 2, q->text, ST_NORMAL);
	draw_line_cut(r.y + 4, r.x + 1, r.w - 2, "y: yes   n, Esc: no",
	    ST_KEY);
}
