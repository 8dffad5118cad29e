/*
 * pane_board.c - drawing the supervisor's desk board over the panes:
 * the agents (status, load, their longest-waiting chat) above, the chats
 * (agent, visitor, group, age, how long the visitor has waited for an
 * answer) below, the selected chat marked, and the board's keys at the
 * bottom. Names are measured in cells, so Chinese names keep the columns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "layout.h"

/* "m:ss", or "hhh:mm" from an hour on; "-" for nothing. */
static void
fmt_age(char *buf, size_t n, time_t from, time_t now)
{
	long s = from > 0 && now >= from ? (long)(now - from) : -1;

	if (s < 0)
		snprintf(buf, n, "-");
	else if (s < 3600)
		snprintf(buf, n, "%ld:%02ld", s / 60, s % 60);
	else
		snprintf(buf, n, "%ldh%02ld", s / 3600, s / 60 % 60);
}

static int
status_rank(const char *s)
{
	static const char *const order[] = { "online", "busy", "away", NULL };

	for (int i = 0; s && order[i]; i++)
		if (strcmp(s, order[i]) == 0)
			return i;
	return 3;
}

/* Online first, then busy, away, offline; by name within each. */
static int
agent_order(const void *x, const void *y)
{
	const struct bagent *a = x, *b = y;
	int ra = status_rank(a->status), rb = status_rank(b->status);

	return ra != rb ? ra - rb : strcmp(a->name, b->name);
}

static const char *
agent_label(const struct board *b, const char *name)
{
	for (size_t i = 0; i < b->nagents; i++)
		if (strcmp(b->agents[i].name, name) == 0)
			return b->agents[i].display && b->agents[i].display[0] ?
			    b->agents[i].display : name;
	return name;
}

/* One row of cells: each (width, text) pair from x on, clipped. */
static void
row_cells(int y, int x, int w, const int *widths, const char *const *cells,
    int n, int style)
{
	for (int i = 0; i < n && w > 0; i++) {
		int cw = i == n - 1 || widths[i] > w ? w : widths[i];

		draw_line_cut(y, x, cw, cells[i] ? cells[i] : "", style);
		x += cw;
		w -= cw;
	}
}

static const int agent_w[] = { 2, 18, 9, 7, 200 };
static const int chat_w[] = { 2, 7, 14, 14, 9, 8, 200 };

static void
draw_agent(int y, const struct layout *l, const struct board *b,
    const struct bagent *a, time_t now)
{
	const struct bchat *longest = NULL;
	char load[32], wait[300], age[32];
	const char *cells[5];

	for (size_t i = 0; i < b->nchats; i++)
		if (b->chats[i].waiting > 0 && !b->chats[i].ended &&
		    strcmp(b->chats[i].agent, a->name) == 0 &&
		    (longest == NULL || b->chats[i].waiting < longest->waiting))
			longest = &b->chats[i];
	snprintf(load, sizeof(load), "%d/%d", a->chats, a->max);
	if (longest != NULL) {
		fmt_age(age, sizeof(age), longest->waiting, now);
		snprintf(wait, sizeof(wait), "%s #%ld %s", age, longest->id,
		    longest->name && longest->name[0] ? longest->name : "visitor");
	} else
		snprintf(wait, sizeof(wait), "-");
	cells[0] = "";
	cells[1] = a->display && a->display[0] ? a->display : a->name;
	cells[2] = a->status;
	cells[3] = load;
	cells[4] = wait;
	row_cells(y, 0, l->cols, agent_w, cells, 5,
	    status_rank(a->status) == 3 ? ST_GREY : ST_NORMAL);
}

static void
draw_chat(int y, const struct layout *l, const struct board *b,
    const struct bchat *c, time_t now)
{
	char id[32], age[32], wait[32], name[200];
	const char *cells[7];

	snprintf(id, sizeof(id), "#%ld", c->id);
	fmt_age(age, sizeof(age), c->since, now);
	fmt_age(wait, sizeof(wait), c->ended ? 0 : c->waiting, now);
	snprintf(name, sizeof(name), "%s%s%s", c->name && c->name[0] ? c->name :
	    "visitor", c->left ? " (left)" : "", c->ended ? " (ended)" : "");
	cells[0] = c->id == b->sel ? ">" : "";
	cells[1] = id;
	cells[2] = agent_label(b, c->agent);
	cells[3] = name;
	cells[4] = c->group;
	cells[5] = age;
	cells[6] = wait;
	row_cells(y, 0, l->cols, chat_w, cells, 7,
	    c->id == b->sel ? ST_SEL : c->waiting > 0 && now - c->waiting >= 60 ?
	    ST_UNREAD : ST_NORMAL);
}

void
pane_board_draw(const struct layout *l, struct model *m, time_t now)
{
	struct board *b = &m->board;
	static const char *const ahead[] = { "", "Agent", "Status", "Load",
	    "Longest wait" };
	static const char *const chead[] = { "", "Chat", "Agent", "Visitor",
	    "Group", "Age", "Waits" };
	char title[160];
	int y = 1, last = l->rows - 1, na, nc, top = 0, sel = 0;

	snprintf(title, sizeof(title), " Desk board: %zu account%s, %zu chat%s ",
	    b->nagents, b->nagents == 1 ? "" : "s", b->nchats,
	    b->nchats == 1 ? "" : "s");
	draw_line(y++, 0, l->cols, title, ST_TITLE_FOCUS);
	if (b->nagents > 1)	/* qsort's array may not be NULL, even empty */
		qsort(b->agents, b->nagents, sizeof(*b->agents), agent_order);
	/* the agents get up to half of the rows left, the chats the rest */
	na = (int)b->nagents;
	if (na > (last - y - 3) / 2)
		na = (last - y - 3) / 2;
	row_cells(y++, 0, l->cols, agent_w, ahead, 5, ST_LABEL);
	for (int i = 0; i < na; i++)
		draw_agent(y++, l, b, &b->agents[i], now);
	row_cells(y++, 0, l->cols, chat_w, chead, 7, ST_LABEL);
	nc = last - y;
	for (size_t i = 0; i < b->nchats; i++)
		if (b->chats[i].id == b->sel)
			sel = (int)i;
	if (nc > 0 && sel >= nc)
		top = sel - nc + 1;
	for (int i = 0; i < nc; i++, y++) {
		if (top + i < (int)b->nchats)
			draw_chat(y, l, b, &b->chats[top + i], now);
		else
			draw_fill(y, 0, l->cols, ST_NORMAL);
	}
	if (b->nchats == 0 && nc > 0)
		draw_line(y - nc, 2, l->cols - 2, "(no chat in progress)", ST_GREY);
	if (m->flash != NULL)
		draw_line_cut(last, 0, l->cols, m->flash, ST_LABEL);
	else
		draw_line_cut(last, 0, l->cols, "Up/Down choose  m/Enter monitor  "
		    "w whisper  t take over  e end  Esc close", ST_KEY);
}
