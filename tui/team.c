/*
 * team.c - the internal conversation (内部对话) in the console: the Team
 * tab (Alt-m) lists the conversations (colleagues, your groups, "all")
 * with their unread counts, shows the one chosen and sends what is typed
 * (IMSG); reading a conversation marks it read (IREAD). While the tab is
 * closed a * IMSG from someone else flashes and counts as unread, and the
 * * IUNREAD that follows a login says how many wait.
 *
 * Also "who else is looking at this chat": * WATCHERS keeps each chat's
 * monitors and invited agents, which the visitor pane shows as Watching:.
 *
 * The tab is one dialog (DLG_TEAM) drawn over the panes; its state lives
 * here.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "keymap.h"
#include "team.h"

#define TEAM_CONVS 128
#define TEAM_MSGS 200
#define TEAM_LIST_W 24		/* cells of the conversation list */

struct tconv {
	char key[80];		/* agent:NAME, group:NAME, all */
	char label[96];
	int unread;
};

struct tmsg {
	long id;
	time_t ts;
	char *from, *text;
};

static struct {
	struct tconv conv[TEAM_CONVS];
	int nconv, sel;
	struct tmsg msg[TEAM_MSGS];
	int nmsg;
	unsigned long msgs_seq;	/* the IMSGS of the conversation shown */
	struct input in;
	char note[200];		/* last error or hint */
} team;

static struct tconv *
conv_find(const char *key, const char *label)
{
	for (int i = 0; i < team.nconv; i++)
		if (strcmp(team.conv[i].key, key) == 0) {
			if (label && label[0])
				snprintf(team.conv[i].label, sizeof(team.conv[i].label),
				    "%s", label);
			return &team.conv[i];
		}
	if (team.nconv >= TEAM_CONVS)
		return NULL;
	snprintf(team.conv[team.nconv].key, sizeof(team.conv[0].key), "%s", key);
	snprintf(team.conv[team.nconv].label, sizeof(team.conv[0].label), "%s",
	    label && label[0] ? label : key);
	team.conv[team.nconv].unread = 0;
	return &team.conv[team.nconv++];
}

int
team_unread(void)
{
	int n = 0;

	for (int i = 0; i < team.nconv; i++)
		n += team.conv[i].unread;
	return n;
}

static void
msgs_clear(void)
{
	for (int i = 0; i < team.nmsg; i++) {
		free(team.msg[i].from);
		free(team.msg[i].text);
	}
	team.nmsg = 0;
}

/* Keep a message of the conversation shown (oldest first, no repeats). */
static void
msg_add(long id, time_t ts, const char *from, const char *text)
{
	int at = team.nmsg;

	for (int i = 0; i < team.nmsg; i++)
		if (team.msg[i].id == id)
			return;
	while (at > 0 && team.msg[at - 1].id > id)
		at--;
	if (team.nmsg == TEAM_MSGS) {	/* drop the oldest */
		if (at == 0)
			return;
		free(team.msg[0].from);
		free(team.msg[0].text);
		memmove(team.msg, team.msg + 1, (TEAM_MSGS - 1) * sizeof(team.msg[0]));
		team.nmsg--;
		at--;
	}
	memmove(team.msg + at + 1, team.msg + at,
	    (size_t)(team.nmsg - at) * sizeof(team.msg[0]));
	team.msg[at].id = id;
	team.msg[at].ts = ts;
	team.msg[at].from = strdup(from ? from : "");
	team.msg[at].text = strdup(text ? text : "");
	team.nmsg++;
}

/* Show conversation i: its messages, and mark it read. */
static void
conv_show(struct session *s, int i)
{
	if (i < 0 || i >= team.nconv)
		return;
	team.sel = i;
	msgs_clear();
	team.conv[i].unread = 0;
	team.msgs_seq = client_req(s->c, RQ_TEAM_MSGS, 0, NULL, "IMSGS",
	    team.conv[i].key, "limit=100", (char *)NULL);
	client_req(s->c, RQ_TEAM_READ, 0, NULL, "IREAD", team.conv[i].key,
	    (char *)NULL);
}

void
team_open(struct session *s)
{
	model_dialog_open(s->m, DLG_TEAM, 0);
	input_free(&team.in);
	input_init(&team.in);
	team.note[0] = '\0';
	(void)conv_find("all", "all (everyone)");
	client_req(s->c, RQ_TEAM_LIST, 0, NULL, "IUNREAD", (char *)NULL);
	client_req(s->c, RQ_TEAM_AGENTS, 0, NULL, "AGENTS", (char *)NULL);
	for (int i = 0; i < team.nconv; i++)	/* the first with news */
		if (team.conv[i].unread > 0) {
			team.sel = i;
			break;
		}
	conv_show(s, team.sel);
}

static const char *
opt(const struct proto_req *r, const char *key)
{
	const char *v = proto_opt(r, key);

	return v ? v : "";
}

/* An AGENTS row: a colleague to talk to, or (mine) my groups. */
static void
agents_row(struct session *s, const struct proto_req *r)
{
	char key[80], label[96];

	if (r->argc < 1)
		return;
	if (s->m->user && strcmp(r->argv[0], s->m->user) == 0) {
		const char *g = opt(r, "groups");

		while (*g) {
			size_t n = strcspn(g, ",");

			snprintf(key, sizeof(key), "group:%.*s", (int)n, g);
			(void)conv_find(key, NULL);
			g += n + (g[n] == ',');
		}
		return;
	}
	snprintf(key, sizeof(key), "agent:%s", r->argv[0]);
	snprintf(label, sizeof(label), "%s (%s)", opt(r, "display")[0] ?
	    opt(r, "display") : r->argv[0], opt(r, "status"));
	(void)conv_find(key, label);
}

void
team_msg(struct session *s, struct client_msg *msg)
{
	struct client_pending *p = msg->p;
	struct proto_req *r = &msg->req;
	struct tconv *cv;

	s->m->dirty = 1;
	if (msg->type == MSG_ERR) {
		snprintf(team.note, sizeof(team.note), "%s %s", msg->err_code,
		    msg->err_text);
		return;
	}
	if (msg->type == MSG_OK && p->kind == RQ_TEAM_SEND)
		input_clear(&team.in);
	if (msg->type != MSG_ROW)
		return;
	switch (p->kind) {
	case RQ_TEAM_LIST:
		/* the one shown was marked read after this count was made */
		if (r->argc >= 1 && (cv = conv_find(r->argv[0], NULL)) != NULL &&
		    cv != &team.conv[team.sel])
			cv->unread = (int)strtol(opt(r, "unread"), NULL, 10);
		break;
	case RQ_TEAM_AGENTS:
		agents_row(s, r);
		break;
	case RQ_TEAM_MSGS:
		if (p->seq == team.msgs_seq && r->argc >= 1)
			msg_add(strtol(r->argv[0], NULL, 10),
			    (time_t)strtoll(opt(r, "ts"), NULL, 10), opt(r, "from"),
			    r->text);
		break;
	default:
		break;
	}
}

/* * WATCHERS <chat> monitors=a,b invited=c,d: kept on the chat. */
static void
ev_watchers(struct session *s, const struct proto_req *r)
{
	struct chat *ch = r->argc > 1 ? model_chat(s->m, strtol(r->argv[1], NULL, 10)) : NULL;
	char buf[400];
	const char *mon = opt(r, "monitors"), *inv = opt(r, "invited");

	if (ch == NULL)
		return;
	snprintf(buf, sizeof(buf), "%s%s%s%s%s", mon, mon[0] ? " (monitoring)" : "",
	    mon[0] && inv[0] ? ", " : "", inv, inv[0] ? " (invited)" : "");
	model_set_str(&ch->watchers, buf[0] ? buf : NULL);
}

/* * IMSG ID conv=C from=NAME display=D ts=EPOCH :text */
static void
ev_imsg(struct session *s, const struct proto_req *r)
{
	struct model *m = s->m;
	const char *conv = opt(r, "conv"), *from = opt(r, "from");
	long id = r->argc > 1 ? strtol(r->argv[1], NULL, 10) : 0;
	int mine = m->user && strcmp(from, m->user) == 0;
	struct tconv *cv = conv_find(conv, NULL);

	if (cv == NULL)
		return;
	if (m->dlg.kind == DLG_TEAM && cv == &team.conv[team.sel]) {
		char upto[40];

		msg_add(id, (time_t)strtoll(opt(r, "ts"), NULL, 10), from, r->text);
		snprintf(upto, sizeof(upto), "upto=%ld", id);
		client_req(s->c, RQ_TEAM_READ, 0, NULL, "IREAD", conv, upto,
		    (char *)NULL);
		return;
	}
	if (mine)
		return;
	cv->unread++;
	model_flash(m, "Team %s, %s: %.60s (Alt-m)", conv,
	    opt(r, "display")[0] ? opt(r, "display") : from, r->text ? r->text : "");
	m->ring = m->bell;
}

int
team_event(struct session *s, struct proto_req *r)
{
	const char *ev = r->argv[0];

	if (strcmp(ev, "IMSG") == 0)
		ev_imsg(s, r);
	else if (strcmp(ev, "WATCHERS") == 0)
		ev_watchers(s, r);
	else if (strcmp(ev, "IUNREAD") == 0)
		model_flash(s->m, "%s unread team messages in %s conversations (Alt-m)",
		    opt(r, "total"), opt(r, "convs"));
	else
		return 0;
	s->m->dirty = 1;
	return 1;
}

void
team_key(struct app *a, int fk, wint_t wc, int alt)
{
	char *text;

	if ((fk == 0 && wc == 27 && !alt) || fk == KEY_F(10) ||
	    (alt && fk == 0 && (wc == 'q' || wc == 'm'))) {
		model_dialog_close(a->m);
		return;
	}
	if (fk == KEY_UP && team.sel > 0)
		conv_show(a->s, team.sel - 1);
	else if (fk == KEY_DOWN && team.sel + 1 < team.nconv)
		conv_show(a->s, team.sel + 1);
	else if (fk == KEY_ENTER || (fk == 0 && wc == '\r')) {
		if ((text = input_utf8(&team.in)) == NULL || text[0] == '\0' ||
		    team.nconv == 0) {
			free(text);
			return;
		}
		if (client_req(a->c, RQ_TEAM_SEND, 0, text, "IMSG",
		    team.conv[team.sel].key, (char *)NULL) == 0)
			snprintf(team.note, sizeof(team.note), "Not connected");
		free(text);
	} else
		(void)keymap_edit(&team.in, fk, wc);
}

static void
draw_list(const struct rect *b)
{
	for (int i = 0; i < b->h; i++) {
		int k = i + (team.sel >= b->h ? team.sel - b->h + 1 : 0);
		char row[160];

		if (k >= team.nconv) {
			draw_fill(b->y + i, b->x, b->w, ST_NORMAL);
			continue;
		}
		if (team.conv[k].unread > 0)
			snprintf(row, sizeof(row), "%s (%d)", team.conv[k].label,
			    team.conv[k].unread);
		else
			snprintf(row, sizeof(row), "%s", team.conv[k].label);
		draw_line_cut(b->y + i, b->x, b->w, row, k == team.sel ? ST_SEL :
		    team.conv[k].unread ? ST_UNREAD : ST_NORMAL);
	}
}

static void
draw_msgs(const struct rect *b)
{
	int first = team.nmsg > b->h ? team.nmsg - b->h : 0;

	for (int i = 0; i < b->h; i++) {
		int k = first + i;
		char row[600], hm[8] = "";
		struct tm tm;

		if (k >= team.nmsg) {
			draw_fill(b->y + i, b->x, b->w, ST_NORMAL);
			continue;
		}
		if (localtime_r(&team.msg[k].ts, &tm) != NULL)
			strftime(hm, sizeof(hm), "%H:%M", &tm);
		snprintf(row, sizeof(row), "%s %s: %s", hm, team.msg[k].from,
		    team.msg[k].text);
		for (char *p = row; *p; p++)
			if (*p == '\n' || *p == '\t')
				*p = ' ';
		draw_line_cut(b->y + i, b->x, b->w, row, ST_NORMAL);
	}
}

void
team_draw(const struct layout *l, int *cy, int *cx)
{
	struct rect box = { 1, 0, l->rows - 2, l->cols }, list, msgs;
	size_t start, count;
	int col, x, used, y;
	char title[160];

	if (box.h < 6 || box.w < 40)
		return;
	snprintf(title, sizeof(title), " Team (内部对话): %s ", team.nconv ?
	    team.conv[team.sel].label : "");
	draw_line_cut(box.y, box.x, box.w, title, ST_TITLE_FOCUS);
	list = (struct rect){ box.y + 1, box.x, box.h - 4, TEAM_LIST_W };
	msgs = (struct rect){ box.y + 1, box.x + TEAM_LIST_W + 1, box.h - 4,
	    box.w - TEAM_LIST_W - 1 };
	draw_list(&list);
	for (y = list.y; y < list.y + list.h; y++)
		draw_fill(y, box.x + TEAM_LIST_W, 1, ST_TITLE);
	draw_msgs(&msgs);
	y = box.y + box.h - 3;
	draw_line_cut(y, box.x, box.w, team.note, ST_UNREAD);
	y++;
	x = draw_text(y, box.x, box.w, "> ", ST_LABEL);
	input_view(&team.in, box.w - x - 1, &start, &count, &col);
	used = draw_wtext(y, box.x + x, box.w - x, team.in.buf + start, count,
	    ST_NORMAL);
	draw_fill(y, box.x + x + used, box.w - x - used, ST_NORMAL);
	*cy = y;
	*cx = box.x + x + col;
	draw_line(box.y + box.h - 1, box.x, box.w,
	    " Up/Down conversation  type, Enter send  Esc close", ST_TITLE_FOCUS);
}
