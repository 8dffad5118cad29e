/*
 * pane_chat.c - drawing the chat in focus.
 *
 * The transcript is laid out from the newest line upwards, each message
 * wrapped to the pane width with a hanging indent under its timestamp,
 * so only what is visible is ever measured. Rows are drawn top to bottom
 * with full-width padding, which lets ncurses recognise a transcript that
 * moved up by a few rows and scroll the terminal instead of repainting.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pane_chat.h"
#include "wrap.h"

#define TS_W 6			/* "HH:MM " */
#define MAX_SEGS 512

struct row {
	size_t line;		/* index into chat->lines */
	int seg;		/* segment number within the line */
};

static int
kind_style(int kind)
{
	switch (kind) {
	case LK_VISITOR: return ST_VISITOR;
	case LK_AGENT: case LK_BOT: return ST_AGENT;
	case LK_NOTE: case LK_WHISPER: return ST_NOTE;
	default: return ST_SYSTEM;
	}
}

/* The displayed text of a transcript line as a wide string. */
static wchar_t *
line_text(const struct tline *t, size_t *n)
{
	char *buf;
	size_t len = strlen(t->from) + strlen(t->text) + 32;
	wchar_t *w;

	if ((buf = malloc(len)) == NULL)
		return NULL;
	switch (t->kind) {
	case LK_NOTE: snprintf(buf, len, "[note] %s: %s", t->from, t->text); break;
	case LK_WHISPER: snprintf(buf, len, "[whisper] %s: %s", t->from, t->text); break;
	case LK_BOT: snprintf(buf, len, "[bot] %s: %s", t->from, t->text); break;
	case LK_SYSTEM: snprintf(buf, len, "-- %s", t->text); break;
	default: snprintf(buf, len, "%s: %s", t->from, t->text); break;
	}
	w = wrap_decode(buf, strlen(buf), n, 1);
	free(buf);
	return w;
}

/* "(ended)", "(left)", "+" (invited) and the answer countdown of a tab. */
static void
tab_flags(char *buf, size_t n, const struct chat *c, time_t now)
{
	long left = c->answer_by > now ? (long)(c->answer_by - now) : 0;

	if (c->ended)
		snprintf(buf, n, "%s(ended%s)", c->invited ? "+" : "",
		    c->rating > 0 ? ", rated" : "");
	else if (c->answer_by != 0)
		snprintf(buf, n, "%s(answer %ld:%02ld)", c->left ? "(left)" : "",
		    left / 60, left % 60);
	else
		snprintf(buf, n, "%s%s", c->watching ? "(watch)" : c->invited ?
		    "+" : "", c->left ? "(left)" : "");
}

static void
draw_tabs(const struct rect *r, struct model *m, time_t now)
{
	int x = 0;
	char buf[256], flags[64];

	if (m->nchats == 0) {
		draw_line_cut(r->y, r->x, r->w,
		    " No chats yet - F2 accepts the next visitor, Tab selects one in the queue",
		    ST_TITLE);
		return;
	}
	x = draw_text(r->y, r->x, r->w, " Chats:", ST_TITLE);
	for (size_t i = 0; i < m->nchats && x < r->w; i++) {
		struct chat *c = m->chats[i];
		int st = i == m->focus ? ST_TITLE_FOCUS :
		    (c->left || c->ended) ? ST_GREY : ST_TITLE;

		tab_flags(flags, sizeof(flags), c, now);
		snprintf(buf, sizeof(buf), "%zu:%s%s", i + 1,
		    c->name && c->name[0] ? c->name : "visitor", flags);
		x += draw_text(r->y, r->x + x, r->w - x, " ", ST_TITLE);
		x += draw_text(r->y, r->x + x, r->w - x, buf,
		    c->answer_by != 0 && i != m->focus ? ST_UNREAD : st);
		if (c->unread > 0) {
			snprintf(buf, sizeof(buf), "(%d)", c->unread);
			x += draw_text(r->y, r->x + x, r->w - x, buf, ST_UNREAD);
		}
	}
	if (x < r->w)
		draw_fill(r->y, r->x + x, r->w - x, ST_TITLE);
}

/* Collect the last want rows (bottom-up); returns how many were found. */
static int
collect(const struct chat *c, int width, struct row *rows, int want)
{
	struct wrap_seg segs[MAX_SEGS];
	int got = 0;

	for (size_t i = c->nlines; i-- > 0 && got < want;) {
		size_t n, k;
		wchar_t *w = line_text(&c->lines[i], &n);

		if (w == NULL)
			continue;
		k = wrap_lines(w, n, width, segs, MAX_SEGS);
		if (k > MAX_SEGS)
			k = MAX_SEGS;
		for (size_t s = k; s-- > 0 && got < want;) {
			rows[got].line = i;
			rows[got].seg = (int)s;
			got++;
		}
		free(w);
	}
	return got;
}

static void
draw_row(int y, const struct rect *r, const struct chat *c, const struct row *rw)
{
	const struct tline *t = &c->lines[rw->line];
	struct wrap_seg segs[MAX_SEGS];
	int width = r->w - TS_W, used;
	size_t n;
	wchar_t *w = line_text(t, &n);
	char ts[16];
	struct tm tm;

	if (w == NULL) {
		draw_fill(y, r->x, r->w, ST_NORMAL);
		return;
	}
	(void)wrap_lines(w, n, width, segs, MAX_SEGS);
	if (rw->seg == 0 && localtime_r(&t->ts, &tm) != NULL &&
	    strftime(ts, sizeof(ts), "%H:%M ", &tm) > 0)
		draw_text(y, r->x, TS_W, ts, ST_TIME);
	else
		draw_fill(y, r->x, TS_W, ST_NORMAL);
	used = draw_wtext(y, r->x + TS_W, width, w + segs[rw->seg].off,
	    segs[rw->seg].len, kind_style(t->kind));
	if (used < width)
		draw_fill(y, r->x + TS_W + used, width - used, ST_NORMAL);
	free(w);
}

static void
draw_transcript(const struct rect *r, struct model *m)
{
	struct chat *c = model_focused(m);
	struct row *rows;
	int want, got, first;

	if (r->h <= 0)
		return;
	if (c == NULL || r->w <= TS_W + 1) {
		draw_clear(r);
		return;
	}
	want = r->h + c->scroll;
	rows = calloc((size_t)want, sizeof(*rows));
	if (rows == NULL)
		return;
	got = collect(c, r->w - TS_W, rows, want);
	if (c->scroll > 0 && got < want) {
		c->scroll = got > r->h ? got - r->h : 0;	/* hit the top */
		want = r->h + c->scroll;
	}
	/* rows[] is newest first; row index for screen line i from the top */
	first = (got < want ? got : want) - 1;
	for (int i = 0; i < r->h; i++) {
		int k = first - i;
		int y = r->y + i;

		if (got < r->h) {	/* short transcript: top-aligned */
			k = got - 1 - i;
		}
		if (k < c->scroll || k < 0 || k >= got)
			draw_fill(y, r->x, r->w, ST_NORMAL);
		else
			draw_row(y, r, c, &rows[k]);
	}
	free(rows);
}

static void
draw_typing(const struct rect *r, struct model *m, time_t now)
{
	struct chat *c = model_focused(m);
	char buf[1024];
	long left = c && c->answer_by > now ? (long)(c->answer_by - now) : 0;

	if (c == NULL) {
		draw_fill(r->y, r->x, r->w, ST_NORMAL);
		return;
	}
	if (c->scroll > 0)
		snprintf(buf, sizeof(buf), "-- scrolled back %d rows: PgDn returns --", c->scroll);
	else if (c->ended && c->invited)
		snprintf(buf, sizeof(buf), "-- chat ended: Alt-l (or F7) closes it --");
	else if (c->ended)
		snprintf(buf, sizeof(buf), "-- chat ended%s: F7 wraps it up and closes it --",
		    c->rating > 0 ? " and rated" : "");
	else if (c->answer_by != 0)
		snprintf(buf, sizeof(buf), "-- answer within %lds, or the chat goes "
		    "back to the queue --", left);
	else if (c->typing != NULL)
		snprintf(buf, sizeof(buf), "%s is typing: %s",
		    c->name && c->name[0] ? c->name : "visitor", c->typing);
	else if (c->left)
		snprintf(buf, sizeof(buf), "-- the visitor left (they may come back) --");
	else
		buf[0] = '\0';
	draw_line(r->y, r->x, r->w, buf, c->typing && !c->scroll ? ST_GREY : ST_SYSTEM);
}

/* The visible part of the input; a newline shows as one NEWLINE_MARK. */
#define NEWLINE_MARK L'\x21b5'

static int
draw_input_text(const struct rect *r, int px, const wchar_t *s, size_t n)
{
	wchar_t *copy = malloc((n + 1) * sizeof(wchar_t));
	int used;

	if (copy == NULL)
		return 0;
	for (size_t i = 0; i < n; i++)
		copy[i] = s[i] == L'\n' ? NEWLINE_MARK : s[i];
	copy[n] = L'\0';
	used = draw_wtext(r->y, r->x + px, r->w - px, copy, n, ST_NORMAL);
	free(copy);
	return used;
}

static void
draw_input(const struct rect *r, struct model *m, int *cy, int *cx)
{
	struct chat *c = model_focused(m);
	int whisper = c != NULL && c->watching && !c->ended;
	const char *prompt = whisper ? "whisper> " : m->note_mode ? "note> " : "> ";
	int px = draw_text(r->y, r->x, r->w, prompt, m->note_mode || whisper ?
	    ST_NOTE : ST_LABEL);
	size_t start, count;
	int col, used;

	input_view(&m->in, r->w - px, &start, &count, &col);
	used = draw_input_text(r, px, m->in.buf + start, count);
	if (px + used < r->w)
		draw_fill(r->y, r->x + px + used, r->w - px - used, ST_NORMAL);
	if (m->focus_pane == FOCUS_CHAT) {
		*cy = r->y;
		*cx = r->x + px + col;
	}
}

void
pane_chat_draw(const struct layout *l, struct model *m, time_t now, int *cy,
    int *cx)
{
	draw_tabs(&l->tabs, m, now);
	draw_transcript(&l->chat, m);
	draw_typing(&l->typing, m, now);
	draw_input(&l->input, m, cy, cx);
}

void
pane_chat_scroll(struct model *m, int delta)
{
	struct chat *c = model_focused(m);

	if (c == NULL)
		return;
	c->scroll += delta;
	if (c->scroll < 0)
		c->scroll = 0;
	m->dirty = 1;
}
