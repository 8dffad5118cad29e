/*
 * screen_admin.c - the admin screen (F12 / Alt-u, admins only): four tabs
 * over the admin commands of the protocol.
 *
 *   Users    AGENTS; a add (USERADD), d disable/enable (USERSET
 *            disabled=, asks), p reset password (PASSWD), g groups and
 *            m max chats (USERSET), o force logout (LOGOUT <name>, asks)
 *   Groups   GROUPS; a add (GROUPADD), e description and t mode
 *            (GROUPSET), x delete (GROUPDEL, asks)
 *   Replies  the shared quick replies (REPLIES, mine=0); a add, e edit
 *            (REPLYSET), x delete (REPLYDEL, asks)
 *   Announce a message to every agent (ANNOUNCE)
 *
 * Every change is a request of kind RQ_ADMIN; its ERR reply is shown as a
 * sentence in the result line, its OK refreshes the list.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "screen.h"

enum { TAB_USERS, TAB_GROUPS, TAB_REPLIES, TAB_ANNOUNCE, TAB_N };

/* what an RQ_ADMIN request was (its arg) */
enum { ADM_LIST = 1, ADM_CHANGE };

enum {	/* forms and questions */
	F_USERADD = 1, F_PASSWD, F_GROUPS, F_MAX, F_GROUPADD, F_GROUPDESC,
	F_REPLYADD, F_REPLYEDIT, F_ANNOUNCE,
	Q_DISABLE, Q_ENABLE, Q_LOGOUT, Q_GROUPDEL, Q_REPLYDEL,
};

#define ROW_WORDS 8
#define ROWS_MAX 1000

struct row {
	char *w[ROW_WORDS];	/* per tab: see row_fill() */
	char *text;
};

static struct {
	int tab;
	struct row *rows;
	size_t n, sel, top;
	unsigned long list_seq;	/* the list request whose rows count */
	struct form form;
	struct question q;
	char sent[200];		/* the last announcement sent */
	char keep[80];		/* the selected row's first word, to find it
				 * again after a reload */
} st;

static const char *const tab_names[TAB_N] = {
	"1 Users", "2 Groups", "3 Quick replies", "4 Announce",
};

static const char *const tab_keys[TAB_N] = {
	"a:add d:disable/enable p:password g:groups m:max o:logout r:reload Esc:back",
	"a:add e:description t:mode x:delete r:reload Tab:next tab Esc:back",
	"a:add e:edit x:delete r:reload Tab:next tab Esc:back",
	"Enter:write an announcement to every agent  Tab:next tab  Esc:back",
};

static void
rows_clear(void)
{
	for (size_t i = 0; i < st.n; i++) {
		for (int k = 0; k < ROW_WORDS; k++)
			free(st.rows[i].w[k]);
		free(st.rows[i].text);
	}
	free(st.rows);
	st.rows = NULL;
	st.n = 0;
}

static const char *
word(const struct row *r, int k)
{
	return r->w[k] ? r->w[k] : "";
}

static const struct row *
selected(void)
{
	return st.sel < st.n ? &st.rows[st.sel] : NULL;
}

static void
reload(struct app *a)
{
	static const char *const verbs[TAB_N] = { "AGENTS", "GROUPS",
	    "REPLIES", NULL };

	/* the row the keys act on stays selected through the reload */
	snprintf(st.keep, sizeof(st.keep), "%s", selected() ?
	    word(selected(), 0) : "");
	rows_clear();
	st.list_seq = 0;
	if (verbs[st.tab] == NULL)
		return;
	st.list_seq = client_req(a->c, RQ_ADMIN, ADM_LIST, NULL,
	    verbs[st.tab], st.tab == TAB_REPLIES ? "limit=200" : "limit=500",
	    (char *)NULL);
}

void
admin_enter(struct app *a)
{
	form_close(&st.form);
	st.q.kind = 0;
	st.sel = st.top = 0;
	rows_clear();
	reload(a);
}

/* ---- rows ---- */

static char *
dup_opt(struct proto_req *r, const char *k)
{
	const char *v = proto_opt(r, k);

	return v ? strdup(v) : NULL;
}

/* Users: name role status chats max groups display disabled; groups:
 * name mode waiting online; replies: id group code cat title. */
static void
row_fill(struct row *w, struct proto_req *r)
{
	static const char *const keys[TAB_N][ROW_WORDS] = {
		{ NULL, "role", "status", "chats", "max", "groups", "display",
		    "disabled" },
		{ NULL, "mode", "waiting", "online" },
		{ NULL, "group", "code", "cat", "title" },
	};

	w->w[0] = strdup(r->argv[0]);
	for (int k = 1; k < ROW_WORDS; k++)
		if (keys[st.tab][k])
			w->w[k] = dup_opt(r, keys[st.tab][k]);
	w->text = r->text ? strdup(r->text) : NULL;
}

static void
on_row(struct proto_req *r)
{
	struct row *nr;

	if (r->argc < 1 || st.n >= ROWS_MAX)
		return;
	/* the replies tab: shared replies only, never my personal ones */
	if (st.tab == TAB_REPLIES && proto_opt(r, "mine") &&
	    strcmp(proto_opt(r, "mine"), "1") == 0)
		return;
	nr = realloc(st.rows, (st.n + 1) * sizeof(*nr));
	if (nr == NULL)
		return;
	st.rows = nr;
	memset(&st.rows[st.n], 0, sizeof(st.rows[0]));
	if (st.keep[0] && strcmp(r->argv[0], st.keep) == 0)
		st.sel = st.n;
	row_fill(&st.rows[st.n++], r);
}

void
admin_msg(struct session *s, struct client_msg *msg)
{
	struct client_pending *p = msg->p;
	struct app a = { s->m, s->c, s, 0 };

	if (p->arg == ADM_LIST) {
		if (p->seq != st.list_seq || s->m->screen != SCREEN_ADMIN)
			return;
		if (msg->type == MSG_ROW)
			on_row(&msg->req);
		else if (msg->type == MSG_ERR)
			screen_error(s->m, msg->err_code, msg->err_text);
		if (msg->type != MSG_ROW && st.sel >= st.n)
			st.sel = st.n ? st.n - 1 : 0;
		return;
	}
	if (msg->type == MSG_ERR) {
		screen_error(s->m, msg->err_code, msg->err_text);
		return;
	}
	if (msg->type != MSG_OK)
		return;
	screen_note(s->m, "Done: %s", p->text ? p->text : "");
	if (s->m->screen == SCREEN_ADMIN)
		reload(&a);
}

/* ---- changes ---- */

/* Send a change; what = the words shown in "Done: ..." */
static void
change(struct app *a, const char *what, const char *text, const char *verb,
    const char *w1, const char *w2)
{
	unsigned long seq;

	seq = client_req(a->c, RQ_ADMIN, ADM_CHANGE, text, verb, w1, w2,
	    (char *)NULL);
	if (seq == 0) {
		screen_note(a->m, "Not connected: nothing was changed");
		return;
	}
	/* the pending entry keeps what was done for the OK's note */
	for (size_t i = 0; i < a->c->npend; i++)
		if (a->c->pend[i].seq == seq) {
			free(a->c->pend[i].text);
			a->c->pend[i].text = strdup(what);
		}
}

static void
opt_word(char *buf, size_t len, const char *key, const char *val)
{
	snprintf(buf, len, "%s=%s", key, val);
}

static void
submit_form(struct app *a)
{
	struct form *f = &st.form;
	char *v[FORM_FIELDS] = { NULL, NULL, NULL };
	char w1[600], what[200];

	for (int i = 0; i < f->nf; i++)
		if ((v[i] = form_value(f, i)) == NULL)
			goto out;
	snprintf(what, sizeof(what), "%s %s", f->title, f->target);
	switch (f->kind) {
	case F_USERADD:	/* name, role, password */
		snprintf(w1, sizeof(w1), "%s", v[1]);
		snprintf(what, sizeof(what), "added %s", v[0]);
		change(a, what, v[2], "USERADD", v[0], w1);
		break;
	case F_PASSWD:
		snprintf(what, sizeof(what), "new password for %s", f->target);
		change(a, what, v[0], "PASSWD", f->target, NULL);
		break;
	case F_GROUPS:
		opt_word(w1, sizeof(w1), "groups", v[0]);
		snprintf(what, sizeof(what), "%s is in groups %s", f->target,
		    *v[0] ? v[0] : "(none)");
		change(a, what, NULL, "USERSET", f->target, w1);
		break;
	case F_MAX:
		opt_word(w1, sizeof(w1), "max", v[0]);
		snprintf(what, sizeof(what), "%s may hold %s chats", f->target,
		    v[0]);
		change(a, what, NULL, "USERSET", f->target, w1);
		break;
	case F_GROUPADD:	/* name, mode, description */
		opt_word(w1, sizeof(w1), "mode", *v[1] ? v[1] : "manual");
		snprintf(what, sizeof(what), "added group %s", v[0]);
		change(a, what, v[2], "GROUPADD", v[0], w1);
		break;
	case F_GROUPDESC:
		snprintf(what, sizeof(what), "description of %s", f->target);
		change(a, what, v[0], "GROUPSET", f->target, NULL);
		break;
	case F_REPLYADD:	/* title, group, text */
		w1[0] = '\0';
		if (*v[1])
			opt_word(w1, sizeof(w1), "group", v[1]);
		snprintf(what, sizeof(what), "added quick reply %s", v[0]);
		change(a, what, v[2], "REPLYADD", v[0], *w1 ? w1 : NULL);
		break;
	case F_REPLYEDIT:	/* title, text */
		opt_word(w1, sizeof(w1), "title", v[0]);
		snprintf(what, sizeof(what), "quick reply %s changed", f->target);
		change(a, what, v[1], "REPLYSET", f->target, w1);
		break;
	case F_ANNOUNCE:
		snprintf(st.sent, sizeof(st.sent), "%s", v[0]);
		change(a, "announcement sent", v[0], "ANNOUNCE", NULL, NULL);
		break;
	default:
		break;
	}
out:
	for (int i = 0; i < FORM_FIELDS; i++)
		free(v[i]);
	form_close(f);
}

static void
answer_yes(struct app *a)
{
	const char *t = st.q.target;
	char what[200];

	switch (st.q.kind) {
	case Q_DISABLE:
	case Q_ENABLE:
		snprintf(what, sizeof(what), "%s %s", t,
		    st.q.kind == Q_DISABLE ? "disabled" : "enabled");
		change(a, what, NULL, "USERSET", t, st.q.kind == Q_DISABLE ?
		    "disabled=1" : "disabled=0");
		break;
	case Q_LOGOUT:
		snprintf(what, sizeof(what), "%s logged out", t);
		change(a, what, NULL, "LOGOUT", t, NULL);
		break;
	case Q_GROUPDEL:
		snprintf(what, sizeof(what), "group %s deleted", t);
		change(a, what, NULL, "GROUPDEL", t, NULL);
		break;
	case Q_REPLYDEL:
		snprintf(what, sizeof(what), "quick reply %s deleted", t);
		change(a, what, NULL, "REPLYDEL", t, NULL);
		break;
	default:
		break;
	}
	st.q.kind = 0;
}

/* ---- keys ---- */

static void
users_key(struct app *a, wint_t wc, const struct row *r)
{
	const char *name = r ? word(r, 0) : NULL;

	if (wc == 'a') {
		form_open(&st.form, F_USERADD, "New user", NULL);
		form_field(&st.form, "Name", NULL, 0);
		form_field(&st.form, "Role", "agent", 0);
		form_field(&st.form, "Password", NULL, 1);
		return;
	}
	if (r == NULL)
		return;
	if (wc == 'd') {
		int dis = strcmp(word(r, 7), "1") == 0;

		question_open(&st.q, dis ? Q_ENABLE : Q_DISABLE, name, dis ?
		    "Enable %s again (they may log in)?" :
		    "Disable %s? They are logged out at once everywhere.", name);
	} else if (wc == 'o')
		question_open(&st.q, Q_LOGOUT, name,
		    "Log %s out of every connection now?", name);
	else if (wc == 'p') {
		form_open(&st.form, F_PASSWD, "Reset password", name);
		form_field(&st.form, "New password", NULL, 1);
	} else if (wc == 'g') {
		form_open(&st.form, F_GROUPS, "Groups (a,b)", name);
		form_field(&st.form, "Groups", word(r, 5), 0);
	} else if (wc == 'm') {
		form_open(&st.form, F_MAX, "Max chats", name);
		form_field(&st.form, "Max chats", word(r, 4), 0);
	}
}

static void
groups_key(struct app *a, wint_t wc, const struct row *r)
{
	const char *name = r ? word(r, 0) : NULL;
	char w1[40];

	if (wc == 'a') {
		form_open(&st.form, F_GROUPADD, "New group", NULL);
		form_field(&st.form, "Name", NULL, 0);
		form_field(&st.form, "Mode", "manual", 0);
		form_field(&st.form, "Description", NULL, 0);
		return;
	}
	if (r == NULL)
		return;
	if (wc == 'e') {
		form_open(&st.form, F_GROUPDESC, "Group description", name);
		form_field(&st.form, "Description", r->text, 0);
	} else if (wc == 't') {
		int au = strcmp(word(r, 1), "auto") == 0;
		char what[120];

		snprintf(w1, sizeof(w1), "mode=%s", au ? "manual" : "auto");
		snprintf(what, sizeof(what), "%s is now %s", name,
		    au ? "manual" : "auto");
		change(a, what, NULL, "GROUPSET", name, w1);
	} else if (wc == 'x')
		question_open(&st.q, Q_GROUPDEL, name,
		    "Delete group %s? (only an empty group can go)", name);
}

static void
replies_key(wint_t wc, const struct row *r)
{
	if (wc == 'a') {
		form_open(&st.form, F_REPLYADD, "New shared quick reply", NULL);
		form_field(&st.form, "Title", NULL, 0);
		form_field(&st.form, "Group (or none)", NULL, 0);
		form_field(&st.form, "Text", NULL, 0);
		return;
	}
	if (r == NULL)
		return;
	if (wc == 'e') {
		form_open(&st.form, F_REPLYEDIT, "Edit quick reply", word(r, 0));
		form_field(&st.form, "Title", word(r, 4), 0);
		form_field(&st.form, "Text", r->text, 0);
	} else if (wc == 'x')
		question_open(&st.q, Q_REPLYDEL, word(r, 0),
		    "Delete the quick reply \"%s\"?", word(r, 4));
}

static void
move_sel(int fk)
{
	if (fk == KEY_UP && st.sel > 0)
		st.sel--;
	else if (fk == KEY_DOWN && st.sel + 1 < st.n)
		st.sel++;
	else if (fk == KEY_PPAGE)
		st.sel = st.sel > 10 ? st.sel - 10 : 0;
	else if (fk == KEY_NPAGE && st.n)
		st.sel = st.sel + 10 < st.n ? st.sel + 10 : st.n - 1;
	else if (fk == KEY_HOME)
		st.sel = 0;
	else if (fk == KEY_END && st.n)
		st.sel = st.n - 1;
}

static void
switch_tab(struct app *a, int tab)
{
	st.tab = (tab + TAB_N) % TAB_N;
	st.sel = st.top = 0;
	rows_clear();	/* nothing of the old tab to keep selected */
	reload(a);
}

int
admin_key(struct app *a, int fk, wint_t wc)
{
	int rc;

	if (st.q.kind) {
		if (question_key(&st.q, wc, fk) > 0)
			answer_yes(a);
		return 1;
	}
	if (st.form.kind) {
		if ((rc = form_key(&st.form, fk, wc)) > 0)
			submit_form(a);
		else if (rc < 0)
			form_close(&st.form);
		return 1;
	}
	if (fk == KEY_RIGHT || (fk == 0 && wc == '\t'))
		switch_tab(a, st.tab + 1);
	else if (fk == KEY_LEFT || fk == KEY_BTAB)
		switch_tab(a, st.tab - 1);
	else if (fk != 0)
		move_sel(fk);
	else if (wc >= '1' && wc <= '0' + TAB_N)
		switch_tab(a, (int)(wc - '1'));
	else if (wc == 'r')
		reload(a);
	else if (wc == 27)
		return 0;
	else if (st.tab == TAB_USERS)
		users_key(a, wc, selected());
	else if (st.tab == TAB_GROUPS)
		groups_key(a, wc, selected());
	else if (st.tab == TAB_REPLIES)
		replies_key(wc, selected());
	else if (wc == 'a' || wc == '\r' || wc == '\n') {
		form_open(&st.form, F_ANNOUNCE, "Announcement", NULL);
		form_field(&st.form, "Text", NULL, 0);
	}
	return 1;
}

/* ---- drawing ---- */

struct col {
	const char *head;
	int w;			/* cells; 0: the rest of the line */
	int word;		/* row word, or -1 for the text */
};

static const struct col cols_users[] = {
	{ "Name", 14, 0 }, { "Display", 14, 6 }, { "Role", 11, 1 },
	{ "Status", 10, 2 }, { "Chats", 7, 3 }, { "Groups", 0, 5 },
	{ NULL, 0, 0 },
};
static const struct col cols_groups[] = {
	{ "Group", 16, 0 }, { "Mode", 8, 1 }, { "Waiting", 9, 2 },
	{ "Online", 8, 3 }, { "Description", 0, -1 }, { NULL, 0, 0 },
};
static const struct col cols_replies[] = {
	{ "Id", 6, 0 }, { "Group", 10, 1 }, { "Code", 8, 2 },
	{ "Title", 18, 4 }, { "Text", 0, -1 }, { NULL, 0, 0 },
};

/* The cell text of row r for column c (users: status and chats are
 * composed). */
static const char *
cell(const struct row *r, const struct col *c, char *buf, size_t len)
{
	if (c->word < 0)
		return r->text ? r->text : "";
	if (c->head == cols_users[3].head && strcmp(word(r, 7), "1") == 0)
		return "DISABLED";
	if (c->head == cols_users[4].head) {
		snprintf(buf, len, "%s/%s", word(r, 3), word(r, 4));
		return buf;
	}
	return word(r, c->word);
}

static void
draw_table(const struct rect *b, const struct col *cols, int wide)
{
	int y = b->y, rows = b->h - 1;
	char buf[64];

	for (int x = 2, i = 0; cols[i].head; i++) {
		int w = cols[i].w ? cols[i].w : b->w - x;

		if (!wide && cols == cols_users && i == 1)
			continue;	/* no Display column under 100 cells */
		draw_text_cut(y, b->x + x, w - 1, cols[i].head, ST_LABEL);
		x += w;
	}
	if (st.sel < st.top)
		st.top = st.sel;
	if (rows > 0 && st.sel >= st.top + (size_t)rows)
		st.top = st.sel - (size_t)rows + 1;
	for (size_t k = st.top; k < st.n && (int)(k - st.top) < rows; k++) {
		const struct row *r = &st.rows[k];
		int yy = y + 1 + (int)(k - st.top), x = 2;
		int style = k == st.sel ? ST_SEL : ST_NORMAL;

		/* '>' marks the row the keys act on, also without colours */
		draw_fill(yy, b->x, b->w, style);
		draw_text(yy, b->x, 2, k == st.sel ? ">" : " ", style);
		for (int i = 0; cols[i].head; i++) {
			int w = cols[i].w ? cols[i].w : b->w - x;

			if (!wide && cols == cols_users && i == 1)
				continue;
			draw_text_cut(yy, b->x + x, w - 1, cell(r, &cols[i], buf,
			    sizeof(buf)), style);
			x += w;
		}
	}
	if (st.n == 0)
		draw_text(y + 1, b->x + 2, b->w - 2, st.list_seq ?
		    "(loading or empty)" : "", ST_GREY);
}

static void
draw_tabs(const struct layout *l)
{
	int x = 0;

	draw_fill(1, 0, l->cols, ST_NORMAL);
	x += draw_text(1, x, l->cols - x, "Admin ", ST_TITLE);
	for (int i = 0; i < TAB_N && x < l->cols; i++) {
		char t[40];

		snprintf(t, sizeof(t), " %s ", tab_names[i]);
		x += draw_text(1, x, l->cols - x, t, i == st.tab ?
		    ST_TITLE_FOCUS : ST_NORMAL);
	}
}

void
admin_draw(const struct layout *l, struct model *m, int *cy, int *cx)
{
	struct rect body = { 2, 0, l->rows - 4, l->cols };
	static const struct col *const tabcols[TAB_N] = { cols_users,
	    cols_groups, cols_replies, NULL };

	(void)m;
	draw_tabs(l);
	if (st.tab == TAB_ANNOUNCE) {
		draw_line_cut(3, 1, l->cols - 2, "Press Enter to write an "
		    "announcement: every agent on duty gets it at once "
		    "(* ANNOUNCE).", ST_NORMAL);
		if (st.sent[0]) {
			draw_text(5, 1, 15, "Last sent:", ST_LABEL);
			draw_line_cut(5, 12, l->cols - 13, st.sent, ST_NORMAL);
		}
	} else
		draw_table(&body, tabcols[st.tab], l->cols >= 100);
	screen_bottom(l, tab_keys[st.tab]);
	if (st.form.kind)
		form_draw(l, &st.form, cy, cx);
	else if (st.q.kind)
		question_draw(l, &st.q);
}
