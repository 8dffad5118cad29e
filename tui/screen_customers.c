/*
 * screen_customers.c - the customers screen (客户名片, Alt-w, all staff).
 *
 * The list: a query line where the agent types words and filters
 * (tag:T, field.NAME:V), Enter asks CUSTOMERS for one page of the cards
 * they may see, most recently changed first; PgDn/PgUp page with from=.
 * Enter on a row (once the list answers the query as typed) opens the
 * card: CUSTOMER <id> gives its fields, custom fields, and its past chats
 * and cases. Enter on a chat opens its transcript read-only (the history
 * search's viewer, act_view_chat); e edits the card with the card form
 * (cardform.c), which tells us when it saved so the card is read again.
 *
 * Every cell is drawn clipped to its column by terminal cells, never by
 * bytes, so Chinese names, companies and tags keep the columns straight.
 * Nothing is redrawn unless a key or a reply changed something, and the
 * rows shown stay until the next page's answer replaces them, so only the
 * cells that differ are sent.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardform.h"
#include "dialog.h"
#include "draw.h"
#include "fields.h"
#include "keymap.h"
#include "screen.h"

#define CS_PAGE 20		/* CUSTOMERS rows a page */
#define CS_CARD_ROWS 200	/* CUSTOMER rows read: the card and its list */
#define CS_LINES 24		/* card lines kept (fields, custom fields) */
#define CS_QUERY 256		/* bytes of words sent (the server's limit) */

struct crow {
	long id, updated;
	char *name, *company, *phones, *tags;
};

struct citem {			/* a past chat (chat > 0) or a case */
	long chat;
	char *when, *who, *where, *what;
};

static struct {
	struct input q;		/* what is typed */
	int have_q;
	char *sent_words, *sent_tag, *sent_field;	/* the list's query */
	struct crow rows[CS_PAGE];
	size_t n, sel;
	long from, next;	/* the page starts at from; next: -1 none */
	int stale;		/* the rows shown are the last page's */
	int searched;		/* the list answers the query as typed */
	unsigned long seq_list, seq_card;
	long card;		/* the customer shown; 0: the list */
	char *key[CS_LINES], *val[CS_LINES];
	size_t nkv;
	struct citem items[CS_CARD_ROWS];
	size_t nitems, isel;
	int more;		/* the card has more chats than were read */
} cs;

static void
str_set(char **dst, const char *src)
{
	free(*dst);
	*dst = src ? strdup(src) : NULL;
}

static const char *
str_or(const char *s)
{
	return s ? s : "";
}

static void
list_clear(void)
{
	for (size_t i = 0; i < cs.n; i++) {
		free(cs.rows[i].name);
		free(cs.rows[i].company);
		free(cs.rows[i].phones);
		free(cs.rows[i].tags);
	}
	memset(cs.rows, 0, sizeof(cs.rows));
	cs.n = cs.sel = 0;
}

static void
card_clear(void)
{
	for (size_t i = 0; i < cs.nkv; i++) {
		free(cs.key[i]);
		free(cs.val[i]);
		cs.key[i] = cs.val[i] = NULL;
	}
	for (size_t i = 0; i < cs.nitems; i++) {
		free(cs.items[i].when);
		free(cs.items[i].who);
		free(cs.items[i].where);
		free(cs.items[i].what);
	}
	memset(cs.items, 0, sizeof(cs.items));
	cs.nkv = cs.nitems = cs.isel = 0;
	cs.more = 0;
}

/* Split the typed query into words, tag:T and field.NAME:V (or =V). */
static void
query_parse(const char *q)
{
	char words[CS_QUERY + 1] = "", tok[CS_QUERY + 1], arg[CS_QUERY + 8];
	size_t wl = 0;

	str_set(&cs.sent_tag, NULL);
	str_set(&cs.sent_field, NULL);
	for (const char *p = q; *p; ) {
		size_t w;

		p += strspn(p, " ");
		if ((w = strcspn(p, " ")) == 0)
			break;
		snprintf(tok, sizeof(tok), "%.*s", (int)w, p);
		p += w;
		if (strncmp(tok, "tag:", 4) == 0 && tok[4] != '\0') {
			snprintf(arg, sizeof(arg), "tag=%s", tok + 4);
			str_set(&cs.sent_tag, arg);
		} else if (strncmp(tok, "field.", 6) == 0 && strcspn(tok, ":=") <
		    strlen(tok)) {
			tok[strcspn(tok, ":=")] = '=';
			str_set(&cs.sent_field, tok);
		} else if (wl + w + 1 < sizeof(words)) {
			wl += (size_t)snprintf(words + wl, sizeof(words) - wl, "%s%s",
			    wl ? " " : "", tok);
		}
	}
	str_set(&cs.sent_words, wl ? words : NULL);
}

/* Ask for the page of the list that starts at from. */
static void
list_fetch(struct app *a, long from)
{
	char f[32], lim[32];
	const char *w[4] = { NULL, NULL, NULL, NULL };
	int n = 0;

	snprintf(f, sizeof(f), "from=%ld", from);
	snprintf(lim, sizeof(lim), "limit=%d", CS_PAGE);
	if (cs.sent_tag)
		w[n++] = cs.sent_tag;
	if (cs.sent_field)
		w[n++] = cs.sent_field;
	w[n++] = f;
	w[n++] = lim;
	cs.stale = 1;
	cs.from = from;
	cs.next = -1;
	cs.seq_list = client_req(a->c, RQ_CUSTS, 0, cs.sent_words, "CUSTOMERS",
	    w[0], w[1], w[2], w[3], (char *)NULL);
	screen_note(a->m, "%s", cs.seq_list ? "Loading..." : "Not connected");
}

static void
search(struct app *a)
{
	char *q = input_utf8(&cs.q);

	if (q == NULL)
		return;
	query_parse(q);
	free(q);
	cs.searched = 1;
	list_fetch(a, 0);
}

static void
card_fetch(struct app *a, long id)
{
	char idb[32], lim[32];

	card_clear();
	cs.card = id;
	snprintf(idb, sizeof(idb), "%ld", id);
	snprintf(lim, sizeof(lim), "limit=%d", CS_CARD_ROWS);
	cs.seq_card = client_req(a->c, RQ_CUST, id, NULL, "CUSTOMER", idb, lim,
	    (char *)NULL);
	screen_note(a->m, "%s", cs.seq_card ? "Loading the card..." :
	    "Not connected");
}

void
customers_enter(struct app *a)
{
	if (!cs.have_q) {
		input_init(&cs.q);
		cs.have_q = 1;
	}
	if (cs.card != 0)
		card_fetch(a, cs.card);
	else if (!cs.searched)
		search(a);	/* the most recently changed cards */
	else
		list_fetch(a, cs.from);
}

void
customers_card_saved(struct session *s)
{
	struct app a = { s->m, s->c, s, 0 };

	if (s->m->screen == SCREEN_CUSTOMERS && cs.card != 0)
		card_fetch(&a, cs.card);
}

/* ---- replies ---- */

static void
list_row(const struct proto_req *r)
{
	struct crow *w;

	if (cs.stale) {
		list_clear();
		cs.stale = 0;
	}
	if (cs.n >= CS_PAGE || field_arg(r, 0) <= 0)
		return;
	w = &cs.rows[cs.n++];
	w->id = field_arg(r, 0);
	w->updated = field_long(r, "updated");
	str_set(&w->name, field_str(r, "name"));
	str_set(&w->company, field_str(r, "company"));
	str_set(&w->phones, field_str(r, "phones"));
	str_set(&w->tags, field_str(r, "tags"));
}

static void
card_item(const struct proto_req *r, int chat)
{
	struct citem *it;
	char when[32], who[96];

	if (cs.nitems >= CS_CARD_ROWS || r->argc < 2)
		return;
	it = &cs.items[cs.nitems++];
	it->chat = chat ? field_arg(r, 1) : 0;
	session_fmt_date(when, sizeof(when), field_long(r, chat ? "started" :
	    "created"), 1);
	str_set(&it->when, when);
	if (chat) {
		int rated = strcmp(field_str(r, "rating"), "0") != 0 &&
		    field_str(r, "rating")[0] != '\0';

		snprintf(who, sizeof(who), "#%s %s%s%s", r->argv[1],
		    field_str(r, "agent"), rated ? " *" : "",
		    rated ? field_str(r, "rating") : "");
	} else {
		snprintf(who, sizeof(who), "case #%s %s", r->argv[1],
		    field_str(r, "state"));
	}
	str_set(&it->who, who);
	str_set(&it->where, field_str(r, "group"));
	if (chat && field_str(r, "category")[0]) {
		size_t n = strlen(field_str(r, "category")) + strlen(str_or(r->text)) + 3;
		char *w = malloc(n);

		if (w != NULL)
			snprintf(w, n, "%s: %s", field_str(r, "category"), str_or(r->text));
		it->what = w;
	} else
		str_set(&it->what, str_or(r->text));
}

static void
card_row(const struct proto_req *r)
{
	const char *eq;

	if (r->argc >= 2 && strcmp(r->argv[0], "chat") == 0) {
		card_item(r, 1);
		return;
	}
	if (r->argc >= 2 && strcmp(r->argv[0], "case") == 0) {
		card_item(r, 0);
		return;
	}
	if (r->argc < 1 || (eq = strchr(r->argv[0], '=')) == NULL ||
	    cs.nkv >= CS_LINES)
		return;
	if ((cs.key[cs.nkv] = strndup(r->argv[0], (size_t)(eq - r->argv[0]))) == NULL)
		return;
	if ((cs.val[cs.nkv] = strdup(eq + 1)) == NULL) {
		free(cs.key[cs.nkv]);
		cs.key[cs.nkv] = NULL;
		return;
	}
	cs.nkv++;
}

static const char *
card_get(const char *key)
{
	for (size_t i = 0; i < cs.nkv; i++)
		if (strcmp(cs.key[i], key) == 0)
			return cs.val[i];
	return "";
}

void
customers_msg(struct session *s, struct client_msg *msg)
{
	struct client_pending *p = msg->p;
	int list = p->seq == cs.seq_list, card = p->seq == cs.seq_card;

	if (!list && !card)
		return;		/* an older query */
	if (msg->type == MSG_ROW) {
		list ? list_row(&msg->req) : card_row(&msg->req);
		return;
	}
	if (list && cs.stale) {	/* no rows came: none to show */
		list_clear();
		cs.stale = 0;
	}
	if (msg->type == MSG_ERR) {
		screen_error(s->m, msg->err_code, msg->err_text);
	} else if (list) {
		const char *nx = proto_opt(&msg->req, "next");

		cs.next = nx ? strtol(nx, NULL, 10) : -1;
		if (cs.n == 0)
			screen_note(s->m, "No customer card matches");
		else
			screen_note(s->m, "Cards %ld-%ld: Enter opens one%s", cs.from + 1,
			    cs.from + (long)cs.n, cs.next > 0 ? ", PgDn: more" : "");
	} else {
		cs.more = proto_opt(&msg->req, "next") != NULL;
		screen_note(s->m, "%s", cs.nitems ?
		    "Enter opens a chat read-only; e edits the card" :
		    "No chats or cases you may see; e edits the card");
	}
	if (list)
		cs.seq_list = 0;
	else
		cs.seq_card = 0;
}

/* ---- keys ---- */

static void
open_selected(struct app *a)
{
	if (cs.n == 0)
		return;
	cs.isel = 0;
	card_fetch(a, cs.rows[cs.sel].id);
}

static int
list_key(struct app *a, int fk, wint_t wc)
{
	if (fk == 0 && wc == 27)
		return 0;	/* back to the desk */
	if (fk == KEY_ENTER || (fk == 0 && (wc == '\r' || wc == '\n'))) {
		if (cs.searched && cs.n > 0)
			open_selected(a);
		else
			search(a);
	} else if (fk == KEY_UP) {
		cs.sel = cs.sel > 0 ? cs.sel - 1 : 0;
	} else if (fk == KEY_DOWN) {
		cs.sel = cs.sel + 1 < cs.n ? cs.sel + 1 : cs.sel;
	} else if (fk == KEY_NPAGE) {
		if (cs.next > 0)
			list_fetch(a, cs.next);
	} else if (fk == KEY_PPAGE) {
		if (cs.from > 0)
			list_fetch(a, cs.from > CS_PAGE ? cs.from - CS_PAGE : 0);
	} else if (keymap_edit(&cs.q, fk, wc)) {
		cs.searched = 0;	/* a new query: Enter searches */
	}
	return 1;
}

static int
card_key(struct app *a, int fk, wint_t wc)
{
	if ((fk == 0 && (wc == 27 || wc == 'l')) || fk == KEY_LEFT) {
		card_clear();
		cs.card = 0;
		screen_note(a->m, "%s", "");
	} else if (fk == KEY_UP) {
		cs.isel = cs.isel > 0 ? cs.isel - 1 : 0;
	} else if (fk == KEY_DOWN) {
		cs.isel = cs.isel + 1 < cs.nitems ? cs.isel + 1 : cs.isel;
	} else if (fk == KEY_PPAGE) {
		cs.isel = cs.isel > 8 ? cs.isel - 8 : 0;
	} else if (fk == KEY_NPAGE && cs.nitems > 0) {
		cs.isel = cs.isel + 8 < cs.nitems ? cs.isel + 8 : cs.nitems - 1;
	} else if (fk == KEY_ENTER || (fk == 0 && (wc == '\r' || wc == '\n'))) {
		if (cs.isel < cs.nitems && cs.items[cs.isel].chat > 0)
			act_view_chat(a, cs.items[cs.isel].chat);
		else if (cs.isel < cs.nitems)
			screen_note(a->m, "Cases are worked on in the cases list (Alt-k on the desk)");
	} else if (fk == 0 && wc == 'e') {
		(void)cardform_open_customer(a->s, cs.card, card_get("name"));
	} else if (fk == 0 && wc == 'r') {
		card_fetch(a, cs.card);
	}
	return 1;
}

int
customers_key(struct app *a, int fk, wint_t wc, int alt)
{
	if (alt)
		return 1;	/* no Alt keys here but the screen's own */
	return cs.card ? card_key(a, fk, wc) : list_key(a, fk, wc);
}

/* ---- drawing ---- */

/* Column x and width of the list: name, company, phones, tags, date. */
static void
list_cols(int cols, int x[5], int w[5])
{
	int name = cols >= 100 ? 20 : 14, comp = cols >= 100 ? 22 : 16,
	    phone = 16, date = 10, tags = cols - name - comp - phone - date - 4;

	if (tags < 6) {
		tags = 6;
		phone = cols - name - comp - tags - date - 4;
		if (phone < 0)
			phone = 0;
	}
	w[0] = name; w[1] = comp; w[2] = phone; w[3] = tags; w[4] = date;
	x[0] = 0;
	for (int i = 1; i < 5; i++)
		x[i] = x[i - 1] + w[i - 1] + 1;
}

static void
list_draw(const struct layout *l, int *cy, int *cx)
{
	static const char *const head[5] = { "Name", "Company", "Phone", "Tags",
	    "Changed" };
	int x[5], w[5], y = 3, top = 0, h = l->rows - 6;
	size_t start, count;
	int col, used;

	draw_line(1, 0, l->cols, " Customers  (words, tag:T, field.NAME:V; Enter searches)",
	    ST_TITLE);
	used = draw_text(2, 0, l->cols, "Find: ", ST_LABEL);
	input_view(&cs.q, l->cols - used - 1, &start, &count, &col);
	draw_wtext(2, used, l->cols - used, cs.q.buf + start, count, ST_SEL);
	*cy = 2;
	*cx = used + col;
	list_cols(l->cols, x, w);
	for (int i = 0; i < 5; i++)
		if (w[i] > 0)
			draw_line_cut(y, x[i], w[i], head[i], ST_LABEL);
	if (h > 0 && cs.sel >= (size_t)h)
		top = (int)cs.sel - h + 1;
	for (int k = 0; k < h && (size_t)(top + k) < cs.n; k++) {
		const struct crow *r = &cs.rows[top + k];
		int st = (size_t)(top + k) == cs.sel ? ST_SEL : ST_NORMAL;
		char date[32];
		const char *cell[5];

		session_fmt_date(date, sizeof(date), r->updated, 1);
		cell[0] = str_or(r->name); cell[1] = str_or(r->company);
		cell[2] = str_or(r->phones); cell[3] = str_or(r->tags);
		cell[4] = date;
		if (st == ST_SEL)
			draw_fill(y + 1 + k, 0, l->cols, st);
		for (int i = 0; i < 5; i++)
			if (w[i] > 0)
				draw_line_cut(y + 1 + k, x[i], w[i], cell[i], st);
	}
}

static void
card_draw(const struct layout *l)
{
	static const char *const keys[] = { "name", "phones", "emails",
	    "company", "region", "address", "tags", "notes" };
	static const char *const labels[] = { "Name:", "Phones:", "Emails:",
	    "Company:", "Region:", "Address:", "Tags:", "Notes:" };
	char title[200], lab[48];
	int y = 2, h, top = 0, lw = 11;

	snprintf(title, sizeof(title), " Customer #%ld  %s chats, %s cases%s",
	    cs.card, card_get("chats"), card_get("cases"), cs.more ?
	    " (the newest shown)" : "");
	draw_line_cut(1, 0, l->cols, title, ST_TITLE);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++, y++) {
		draw_text(y, 0, lw, labels[i], ST_LABEL);
		draw_line_cut(y, lw, l->cols - lw, card_get(keys[i]), ST_NORMAL);
	}
	for (size_t i = 0; i < cs.nkv && y < l->rows - 5; i++) {
		if (strncmp(cs.key[i], "field.", 6) != 0)
			continue;
		snprintf(lab, sizeof(lab), "%s:", cs.key[i] + 6);
		draw_text_cut(y, 0, lw - 1, lab, ST_LABEL);
		draw_line_cut(y++, lw, l->cols - lw, cs.val[i], ST_NORMAL);
	}
	draw_line(y++, 0, l->cols, " Past chats and cases", ST_TITLE);
	h = l->rows - 2 - y;
	if (h > 0 && cs.isel >= (size_t)h)
		top = (int)cs.isel - h + 1;
	for (int k = 0; k < h && (size_t)(top + k) < cs.nitems; k++, y++) {
		const struct citem *it = &cs.items[top + k];
		int st = (size_t)(top + k) == cs.isel ? ST_SEL : ST_NORMAL;

		if (st == ST_SEL)
			draw_fill(y, 0, l->cols, st);
		draw_line_cut(y, 0, 10, str_or(it->when), st);
		draw_line_cut(y, 11, 18, str_or(it->who), st);
		draw_line_cut(y, 30, 10, str_or(it->where), st);
		if (l->cols > 41)
			draw_line_cut(y, 41, l->cols - 41, str_or(it->what), st);
	}
}

void
customers_draw(const struct layout *l, struct model *m, int *cy, int *cx)
{
	*cy = *cx = -1;
	if (cs.card) {
		card_draw(l);
		screen_bottom(l, "Up/Down choose  Enter open chat  e edit card  "
		    "r reload  Esc/l list");
	} else {
		list_draw(l, cy, cx);
		screen_bottom(l, "Enter search/open  Up/Down  PgDn/PgUp page  "
		    "Esc/Alt-w desk");
	}
	if (m->dlg.kind != DLG_NONE)	/* a transcript or the card form */
		dialog_draw(l, m, cy, cx);
}
