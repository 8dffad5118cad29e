/*
 * board.c - the supervisor's desk board: its data, the protocol lines that
 * keep it live, and its keys.
 *
 * Opening it says BOARD on and asks for CHATS all and AGENTS; from then on
 * kefud sends a * BOARD line only when a chat's line changes (assigned,
 * answered, waiting again, left, ended, gone) and * STATUS when an agent's
 * status or load does, so the board costs nothing while the desk is quiet
 * and no polling is needed. Closing it says BOARD off. The ages tick
 * locally from the since= and waiting= times.
 *
 * From the board, on the selected chat: m or Enter monitors it (a tab
 * marked "watch" opens; what is typed there goes as a WHISPER to its
 * agents), w the same with a hint to whisper, t takes it over and e ends
 * it (both ask first). A watched tab outlives a reconnect: after the new
 * login the chat is monitored again and its transcript fetched again; if
 * it can no longer be watched (it ended meanwhile) the tab says so.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "fields.h"

static int
is_supervisor(const struct model *m)
{
	return m->role && (strcmp(m->role, "supervisor") == 0 ||
	    strcmp(m->role, "admin") == 0);
}

static void
bchat_free(struct bchat *c)
{
	free(c->agent);
	free(c->group);
	free(c->name);
}

static void
agents_clear(struct board *b)
{
	for (size_t i = 0; i < b->nagents; i++) {
		free(b->agents[i].name);
		free(b->agents[i].display);
		free(b->agents[i].status);
	}
	free(b->agents);
	b->agents = NULL;
	b->nagents = 0;
}

void
board_free(struct board *b)
{
	for (size_t i = 0; i < b->nchats; i++)
		bchat_free(&b->chats[i]);
	free(b->chats);
	b->chats = NULL;
	b->nchats = 0;
	agents_clear(b);
}

static struct bchat *
chat_find(struct board *b, long id)
{
	for (size_t i = 0; i < b->nchats; i++)
		if (b->chats[i].id == id)
			return &b->chats[i];
	return NULL;
}

static void
chat_drop(struct board *b, long id)
{
	struct bchat *c = chat_find(b, id);
	size_t i;

	if (c == NULL)
		return;
	i = (size_t)(c - b->chats);
	bchat_free(c);
	memmove(c, c + 1, (b->nchats - i - 1) * sizeof(*c));
	b->nchats--;
}

/* Longest waiting first, then the chats nobody waits in, oldest first. */
static int
chat_order(const void *x, const void *y)
{
	const struct bchat *a = x, *b = y;

	if ((a->waiting > 0) != (b->waiting > 0))
		return a->waiting > 0 ? -1 : 1;
	if (a->waiting != b->waiting)
		return a->waiting < b->waiting ? -1 : 1;
	if (a->since != b->since)
		return a->since < b->since ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* A CHATS all row or a * BOARD event: words from first on. */
static void
chat_line(struct board *b, struct proto_req *r, int first)
{
	long id = field_arg(r, first);
	struct bchat *c, *grown;

	if (id <= 0)
		return;
	if (strcmp(field_str(r, "state"), "gone") == 0) {
		chat_drop(b, id);
		return;
	}
	if ((c = chat_find(b, id)) == NULL) {
		grown = realloc(b->chats, (b->nchats + 1) * sizeof(*grown));
		if (grown == NULL)
			return;
		b->chats = grown;
		c = &b->chats[b->nchats++];
		memset(c, 0, sizeof(*c));
		c->id = id;
	}
	c->visitor = field_long(r, "visitor");
	model_set_str(&c->agent, field_str(r, "agent"));
	model_set_str(&c->group, field_str(r, "group"));
	model_set_str(&c->name, field_str(r, "name"));
	c->since = (time_t)field_long(r, "since");
	c->waiting = (time_t)field_long(r, "waiting");
	c->ended = strcmp(field_str(r, "state"), "ended") == 0;
	c->left = field_flag(r, "left");
	c->gen = b->gen;
	if (b->nchats > 1)
		qsort(b->chats, b->nchats, sizeof(*b->chats), chat_order);
	if (b->sel == 0)
		b->sel = b->chats[0].id;
}

static struct bagent *
agent_find(struct board *b, const char *name)
{
	for (size_t i = 0; i < b->nagents; i++)
		if (strcmp(b->agents[i].name, name) == 0)
			return &b->agents[i];
	return NULL;
}

static void
agent_row(struct board *b, struct proto_req *r)
{
	struct bagent *a, *grown;

	if (r->argc < 1)
		return;
	if ((a = agent_find(b, r->argv[0])) == NULL) {
		grown = realloc(b->agents, (b->nagents + 1) * sizeof(*grown));
		if (grown == NULL)
			return;
		b->agents = grown;
		a = &b->agents[b->nagents++];
		memset(a, 0, sizeof(*a));
		model_set_str(&a->name, r->argv[0]);
		if (a->name == NULL) {
			b->nagents--;
			return;
		}
	}
	if (proto_opt(r, "display") != NULL)
		model_set_str(&a->display, field_str(r, "display"));
	model_set_str(&a->status, field_str(r, "status"));
	a->chats = (int)field_long(r, "chats");
	a->max = (int)field_long(r, "max");
}

/* Ask for what the board shows: the switch, the chats, the agents. */
static void
board_fetch(struct client *c, struct board *b)
{
	b->gen++;
	client_req(c, RQ_BOARDSW, 0, NULL, "BOARD", "on", (char *)NULL);
	client_req(c, RQ_BOARD, 0, NULL, "CHATS", "all", (char *)NULL);
	client_req(c, RQ_BAGENTS, 0, NULL, "AGENTS", (char *)NULL);
}

void
board_toggle(struct app *a)
{
	struct board *b = &a->m->board;

	if (b->open) {
		board_close(a);
		return;
	}
	if (!is_supervisor(a->m)) {
		model_flash(a->m, "The desk board is for supervisors and admins.");
		return;
	}
	if (a->c->state != CL_UP) {
		model_flash(a->m, "Not connected to the server - waiting to reconnect.");
		return;
	}
	board_free(b);
	b->open = 1;
	b->sel = 0;
	board_fetch(a->c, b);
}

/* Close the board and tell kefud to stop sending its lines. */
static void
shut(struct client *c, struct board *b)
{
	if (!b->open)
		return;
	b->open = 0;
	board_free(b);
	client_req(c, RQ_BOARDSW, 0, NULL, "BOARD", "off", (char *)NULL);
}

void
board_close(struct app *a)
{
	shut(a->c, &a->m->board);
}

void
board_relogin(struct session *s)
{
	struct model *m = s->m;
	char id[32];

	if (m->board.open)
		board_fetch(s->c, &m->board);
	/* the new connection watches nothing yet: watch the tabs again */
	for (size_t i = 0; i < m->nchats; i++) {
		if (!m->chats[i]->watching || m->chats[i]->ended)
			continue;
		snprintf(id, sizeof(id), "%ld", m->chats[i]->id);
		client_req(s->c, RQ_REMONITOR, m->chats[i]->id, NULL, "MONITOR", id,
		    (char *)NULL);
	}
}

static long
selected(struct board *b)
{
	if (chat_find(b, b->sel) == NULL)
		b->sel = b->nchats ? b->chats[0].id : 0;
	return b->sel;
}

static void
move_sel(struct board *b, int delta)
{
	struct bchat *c = chat_find(b, selected(b));
	long i;

	if (c == NULL)
		return;
	i = (long)(c - b->chats) + delta;
	if (i < 0)
		i = 0;
	if (i >= (long)b->nchats)
		i = (long)b->nchats - 1;
	b->sel = b->chats[i].id;
}

static void
ask(struct app *a, int kind, struct bchat *c)
{
	char q[400];

	snprintf(q, sizeof(q), kind == CONFIRM_TAKEOVER ?
	    "Take over chat #%ld (%s with %s)? y/N" :
	    "End chat #%ld (%s with %s) for both sides? y/N", c->id,
	    c->agent, c->name && c->name[0] ? c->name : "visitor");
	model_dialog_open(a->m, DLG_CONFIRM, c->id);
	a->m->dlg.confirm = kind;
	model_set_str(&a->m->dlg.msg, q);
}

static void
monitor(struct app *a, long id, int whisper)
{
	char buf[32];

	if (model_chat(a->m, id) != NULL) {	/* already in a tab */
		model_focus_chat(a->m, id);
		board_close(a);
		return;
	}
	snprintf(buf, sizeof(buf), "%ld", id);
	client_req(a->c, RQ_MONITOR, id, NULL, "MONITOR", buf, (char *)NULL);
	model_flash(a->m, whisper ? "Watching chat #%ld: type a whisper to "
	    "its agent, Enter sends it." : "Watching chat #%ld.", id);
}

void
board_key(struct app *a, int fk, wint_t wc, int alt)
{
	struct board *b = &a->m->board;
	struct bchat *c = chat_find(b, selected(b));

	if (fk == KEY_UP)
		move_sel(b, -1);
	else if (fk == KEY_DOWN)
		move_sel(b, 1);
	else if (fk == KEY_PPAGE)
		move_sel(b, -8);
	else if (fk == KEY_NPAGE)
		move_sel(b, 8);
	else if (fk == KEY_F(11) || fk == KEY_F(10) || (fk == 0 && (wc == 27 ||
	    wc == 'q' || (alt && wc == 'd'))))
		board_close(a);
	else if (fk == KEY_F(1) || (alt && wc == 'h'))
		model_dialog_open(a->m, DLG_HELP, 0);
	else if (fk != 0 || alt)
		return;
	else if (c == NULL && wc >= 0x20)
		model_flash(a->m, "No chat on the board to act on.");
	else if (c == NULL)
		return;
	else if (wc == 'm' || wc == '\r' || wc == '\n')
		monitor(a, c->id, 0);
	else if (wc == 'w')
		monitor(a, c->id, 1);
	else if (wc == 't')
		ask(a, CONFIRM_TAKEOVER, c);
	else if (wc == 'e' && c->ended)
		model_flash(a->m, "Chat #%ld has ended already; its agent wraps it up.",
		    c->id);
	else if (wc == 'e')
		ask(a, CONFIRM_STOP, c);
}

void
board_confirmed(struct app *a, int kind, long chat)
{
	char id[32];

	snprintf(id, sizeof(id), "%ld", chat);
	if (kind == CONFIRM_TAKEOVER) {
		client_req(a->c, RQ_TAKEOVER, chat, NULL, "TAKEOVER", id, (char *)NULL);
		board_close(a);
	} else
		client_req(a->c, RQ_END, chat, NULL, "END", id, (char *)NULL);
}

void
board_unwatch(struct app *a, long chat)
{
	char id[32];

	snprintf(id, sizeof(id), "%ld", chat);
	client_req(a->c, RQ_UNMONITOR, chat, NULL, "UNMONITOR", id, (char *)NULL);
}

/* MONITOR answered: a tab for the chat, filled like any other. */
static void
watch_tab(struct session *s, long id)
{
	struct bchat *bc = chat_find(&s->m->board, id);
	struct chat *ch = model_chat_add(s->m, id);

	if (ch == NULL)
		return;
	ch->invited = ch->watching = 1;
	ch->gen = s->gen;
	if (bc != NULL) {
		ch->visitor = bc->visitor;
		ch->left = bc->left;
		model_set_str(&ch->name, bc->name);
		model_set_str(&ch->group, bc->group);
	}
	session_fetch_chat(s, id, ch->visitor);
	model_focus_chat(s->m, id);
	s->m->focus_pane = FOCUS_CHAT;
}

/* Ask for the next page of CHATS all or AGENTS when there is one. */
static void
next_page(struct session *s, struct proto_req *r, int kind)
{
	const char *next = proto_opt(r, "next");
	char from[48];

	if (next == NULL || *next == '\0')
		return;
	snprintf(from, sizeof(from), "from=%s", next);
	if (kind == RQ_BOARD_MORE)
		client_req(s->c, kind, 0, NULL, "CHATS", "all", from, (char *)NULL);
	else
		client_req(s->c, kind, 0, NULL, "AGENTS", from, (char *)NULL);
}

/* The chats the last full CHATS all did not list are gone. */
static void
chats_sweep(struct board *b)
{
	for (size_t i = b->nchats; i-- > 0;)
		if (b->chats[i].gen != b->gen)
			chat_drop(b, b->chats[i].id);
}

static void
on_ok(struct session *s, struct client_pending *p, struct proto_req *r)
{
	struct model *m = s->m;
	struct chat *ch = model_chat(m, p->arg);

	switch (p->kind) {
	case RQ_BOARD:
	case RQ_BOARD_MORE:
		if (proto_opt(r, "next") == NULL)
			chats_sweep(&m->board);
		next_page(s, r, RQ_BOARD_MORE);
		break;
	case RQ_BAGENTS:
	case RQ_BAGENTS_MORE:
		next_page(s, r, RQ_BAGENTS_MORE);
		break;
	case RQ_MONITOR:
		watch_tab(s, p->arg);
		shut(s->c, &m->board);
		break;
	case RQ_UNMONITOR:
		model_chat_remove(m, p->arg);
		break;
	case RQ_REMONITOR:	/* lines said while away: fetch it again */
		if (ch != NULL && ch->watching)
			session_fetch_chat(s, ch->id, ch->visitor);
		break;
	case RQ_WHISPER:
		if (ch != NULL)
			(void)model_chat_line(ch, field_long(r, "seq"), 0, LK_WHISPER,
			    m->display ? m->display : "", p->text);
		break;
	case RQ_TAKEOVER:
		model_flash(m, "Chat #%ld is yours now.", p->arg);
		break;
	default:
		break;
	}
}

static void
on_err(struct session *s, struct client_pending *p, const char *code,
    const char *text)
{
	struct model *m = s->m;

	if (p->kind == RQ_UNMONITOR) {	/* not watching it any more anyway */
		model_chat_remove(m, p->arg);
		return;
	}
	if (p->kind == RQ_REMONITOR) {	/* ended or gone while away */
		struct chat *ch = model_chat(m, p->arg);

		if (ch != NULL && ch->watching) {
			ch->ended = 1;
			(void)model_chat_line(ch, 0, 0, LK_SYSTEM, "",
			    "-- no longer watched after the reconnect");
		}
		model_flash(m, "Chat #%ld cannot be watched again: %s %s", p->arg,
		    code, text);
		return;
	}
	if (p->kind == RQ_BOARDSW && m->board.open) {
		m->board.open = 0;
		board_free(&m->board);
	}
	model_flash(m, "%s failed: %s %s", p->kind == RQ_MONITOR ? "Monitor" :
	    p->kind == RQ_WHISPER ? "Whisper" : p->kind == RQ_TAKEOVER ?
	    "Take over" : "Board", code, text);
}

static void
on_event(struct session *s, struct proto_req *r)
{
	struct board *b = &s->m->board;
	struct bagent *a;

	if (!b->open)
		return;
	if (strcmp(r->argv[0], "BOARD") == 0)
		chat_line(b, r, 1);
	else if (r->argc > 1 && (a = agent_find(b, r->argv[1])) != NULL) {
		model_set_str(&a->status, field_str(r, "status"));
		a->chats = (int)field_long(r, "chats");
		a->max = (int)field_long(r, "max");
	}
	s->m->dirty = 1;
}

int
board_msg(struct session *s, struct client_msg *msg)
{
	struct client_pending *p = msg->p;
	struct board *b = &s->m->board;

	if (msg->type == MSG_EVENT) {
		if (strcmp(msg->req.argv[0], "BOARD") == 0 ||
		    strcmp(msg->req.argv[0], "STATUS") == 0)
			on_event(s, &msg->req);
		return strcmp(msg->req.argv[0], "BOARD") == 0;
	}
	if (p == NULL || p->kind < RQ_BOARD || p->kind > RQ_REMONITOR)
		return 0;
	s->m->dirty = 1;
	if (msg->type == MSG_ROW) {
		if (!b->open)
			return 1;
		if (p->kind == RQ_BOARD || p->kind == RQ_BOARD_MORE)
			chat_line(b, &msg->req, 0);
		else if (p->kind == RQ_BAGENTS || p->kind == RQ_BAGENTS_MORE)
			agent_row(b, &msg->req);
	} else if (msg->type == MSG_OK)
		on_ok(s, p, &msg->req);
	else
		on_err(s, p, msg->err_code, msg->err_text);
	return 1;
}
