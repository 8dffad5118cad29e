/*
 * cardform.c - the customer card form (客户名片): Alt-c on a chat opens a
 * small form over the screen with the visitor's card: name, phones,
 * e-mails, company, tags and notes. It is loaded with CUSTOMER visitor=V
 * (a visitor without a card yet starts from the name and e-mail the
 * visitor pane shows); Enter sends CUSTSET visitor=V with the fields that
 * changed, so a card edited elsewhere meanwhile keeps what this form did
 * not touch. On OK the form closes and the visitor pane (Tags:) is read
 * again; an ERR stays in the form, which keeps what was typed. The
 * customers screen opens the same form on a card by its number
 * (CUSTOMER N, CUSTSET N) and is told when it saved. When anyone changes
 * the card of a visitor in one of our chats, kefud says * CUSTUPD and the
 * visitor pane is read again the same way.
 *
 * The form is one dialog (DLG_CARD) whose fields live here, since the
 * generic dialog has room for two.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardform.h"
#include "fields.h"
#include "keymap.h"
#include "screen.h"

#define CARD_FIELDS 6
#define CARD_ROWS 40		/* CUSTOMER rows read: the card, not its chats */

static const struct {
	const char *label, *key;
} fields[CARD_FIELDS] = {
	{ "Name:    ", "name" }, { "Phone:   ", "phones" },
	{ "Email:   ", "emails" }, { "Company: ", "company" },
	{ "Tags:    ", "tags" }, { "Notes:   ", "notes" },
};

static struct {
	long chat, visitor;
	long customer;			/* opened on a card by number, else 0 */
	char title[96];
	struct input field[CARD_FIELDS];
	char *orig[CARD_FIELDS];	/* as loaded: only changes are sent */
	char *raw[CARD_FIELDS];		/* the text a field was filled from */
	char *shown[CARD_FIELDS];	/* and what the field made of it */
	int active;
	unsigned long seq;		/* the CUSTOMER or CUSTSET in flight */
	char msg[300];
} form;

static void
form_clear(void)
{
	for (int i = 0; i < CARD_FIELDS; i++) {
		input_free(&form.field[i]);
		free(form.orig[i]);
		free(form.raw[i]);
		free(form.shown[i]);
		form.orig[i] = form.raw[i] = form.shown[i] = NULL;
		input_init(&form.field[i]);
	}
	form.active = 0;
	form.seq = 0;
	form.msg[0] = '\0';
}

/*
 * Field i as loaded from the card (newlines shown as spaces). The field
 * spells out invisible characters (a zero-width joiner inside an emoji, a
 * bidi mark) as "<U+200D>"; what it shows is kept, so that a field left as
 * it was saves the text it came from, not the spelt-out stand-in.
 */
static void
form_set(int i, const char *v)
{
	char *s = strdup(v ? v : ""), *raw;

	if (s == NULL)
		return;
	for (char *p = s; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	(void)input_set_utf8(&form.field[i], s);
	free(form.orig[i]);
	free(form.raw[i]);
	free(form.shown[i]);
	form.orig[i] = s;
	form.raw[i] = raw = strdup(s);
	form.shown[i] = raw ? input_utf8(&form.field[i]) : NULL;
}

/* Field i as it is to be saved (caller frees); NULL on memory error. */
static char *
card_value(int i)
{
	char *v = input_utf8(&form.field[i]);

	if (v == NULL || form.raw[i] == NULL || form.shown[i] == NULL ||
	    strcmp(v, form.shown[i]) != 0)
		return v;
	free(v);
	return strdup(form.raw[i]);
}

static const char *
vinfo_get(const struct chat *ch, const char *key)
{
	for (size_t i = 0; i < ch->vi.nkv; i++)
		if (strcmp(ch->vi.kv[i].key, key) == 0)
			return ch->vi.kv[i].val;
	return "";
}

/* The form's card as CUSTOMER and CUSTSET name it. */
static void
form_target(char *buf, size_t n)
{
	if (form.customer)
		snprintf(buf, n, "%ld", form.customer);
	else
		snprintf(buf, n, "visitor=%ld", form.visitor);
}

/* Open the form (chat, visitor or customer set) and read the card. */
static void
form_load(struct session *s)
{
	char arg[48], lim[24];

	model_dialog_open(s->m, DLG_CARD, form.chat);
	form_target(arg, sizeof(arg));
	snprintf(lim, sizeof(lim), "limit=%d", CARD_ROWS);
	form.seq = client_req(s->c, RQ_CARD, form.chat, NULL, "CUSTOMER", arg, lim,
	    (char *)NULL);
	snprintf(form.msg, sizeof(form.msg), "%s", form.seq ?
	    "Loading the card..." : "Not connected: the card cannot be read");
}

int
cardform_open(struct session *s)
{
	struct chat *ch = model_focused(s->m);

	if (ch == NULL || ch->visitor <= 0) {
		model_flash(s->m, "No visitor in focus: open a chat first");
		return 0;
	}
	form_clear();
	form.chat = ch->id;
	form.visitor = ch->visitor;
	form.customer = 0;
	snprintf(form.title, sizeof(form.title), "%s",
	    ch->name && ch->name[0] ? ch->name : "visitor");
	form_load(s);
	return 1;
}

int
cardform_open_customer(struct session *s, long id, const char *name)
{
	if (id <= 0)
		return 0;
	form_clear();
	form.chat = form.visitor = 0;
	form.customer = id;
	snprintf(form.title, sizeof(form.title), "%s",
	    name && name[0] ? name : "customer");
	form_load(s);
	return 1;
}

/* Read the visitor pane of chat again (its Tags: and customer line). */
static void
visitor_reload(struct session *s, long chat, long visitor)
{
	char vid[32];

	snprintf(vid, sizeof(vid), "%ld", visitor);
	client_req(s->c, RQ_VISITOR, chat, NULL, "VISITOR", vid, (char *)NULL);
}

int
cardform_event(struct session *s, struct client_msg *msg)
{
	struct chat *ch;

	if (msg->type != MSG_EVENT || msg->req.argc < 2 ||
	    strcmp(msg->req.argv[0], "CUSTUPD") != 0)
		return 0;
	ch = model_chat(s->m, field_arg(&msg->req, 1));
	if (ch != NULL && ch->visitor > 0)
		visitor_reload(s, ch->id, ch->visitor);
	return 1;
}

/* A row "key=value" of CUSTOMER: one of the form's fields? */
static void
form_row(const struct proto_req *r)
{
	const char *eq;

	if (r->argc < 1 || (eq = strchr(r->argv[0], '=')) == NULL)
		return;
	for (int i = 0; i < CARD_FIELDS; i++)
		if (strlen(fields[i].key) == (size_t)(eq - r->argv[0]) &&
		    strncmp(fields[i].key, r->argv[0], (size_t)(eq - r->argv[0])) == 0)
			form_set(i, eq + 1);
}

/* No card yet: start from what the visitor told us. */
static void
form_new(struct session *s)
{
	struct chat *ch = model_chat(s->m, form.chat);

	for (int i = 0; i < CARD_FIELDS; i++)
		form_set(i, "");
	if (ch != NULL) {
		form_set(0, vinfo_get(ch, "name"));
		form_set(2, vinfo_get(ch, "email"));
		/* the form starts from these, but they are not on a card yet */
		free(form.orig[0]);
		free(form.orig[2]);
		form.orig[0] = strdup("");
		form.orig[2] = strdup("");
	}
	snprintf(form.msg, sizeof(form.msg),
	    "No card yet: Enter makes one for this visitor");
}

void
cardform_msg(struct session *s, struct client_msg *msg)
{
	struct client_pending *p = msg->p;
	struct model *m = s->m;

	m->dirty = 1;
	if (p->seq != form.seq || m->dlg.kind != DLG_CARD)
		return;		/* a closed form's late answer */
	if (p->kind == RQ_CARD && msg->type == MSG_ROW) {
		form_row(&msg->req);
		return;
	}
	if (msg->type == MSG_ERR && p->kind == RQ_CARD && !form.customer &&
	    strcmp(msg->err_code, "NOTFOUND") == 0) {
		form.seq = 0;
		form_new(s);
		return;
	}
	form.seq = 0;
	if (msg->type == MSG_ERR) {
		snprintf(form.msg, sizeof(form.msg), "%s %s", msg->err_code,
		    msg->err_text);
		return;
	}
	if (msg->type != MSG_OK)
		return;
	if (p->kind == RQ_CARD) {
		snprintf(form.msg, sizeof(form.msg), "Customer card");
		return;
	}
	model_dialog_close(m);
	model_flash(m, "Customer card saved");
	if (form.customer)
		customers_card_saved(s);
	else
		visitor_reload(s, form.chat, form.visitor);
}

/* A list typed into a field as the protocol's "a,b": items split at
 * commas (tags also at spaces), trimmed, empty ones dropped. */
static void
list_norm(char *s, int tags)
{
	char *out = s, *p = s;

	while (*p) {
		size_t w, end;

		p += strspn(p, ", ");
		w = strcspn(p, tags ? ", " : ",");
		for (end = w; end > 0 && p[end - 1] == ' '; end--)
			;
		if (end > 0) {
			if (out != s)
				*out++ = ',';
			memmove(out, p, end);
			out += end;
		}
		p += w;
	}
	*out = '\0';
}

/* Enter: CUSTSET visitor=V with the fields that changed. */
static void
form_save(struct app *a)
{
	char *val[CARD_FIELDS], *words[CARD_FIELDS], target[48];
	const char *notes = NULL;
	int n = 0;

	for (int i = 0; i < CARD_FIELDS; i++)
		val[i] = words[i] = NULL;
	for (int i = 0; i < CARD_FIELDS; i++) {
		val[i] = card_value(i);
		if (val[i] == NULL || strcmp(val[i], form.orig[i] ? form.orig[i] : "") == 0)
			continue;
		if (i == 5) {
			notes = val[i];
			continue;
		}
		if (i >= 1 && i <= 4 && i != 3)
			list_norm(val[i], i == 4);
		if ((words[n] = malloc(strlen(fields[i].key) + strlen(val[i]) + 2)) == NULL)
			break;
		sprintf(words[n++], "%s=%s", fields[i].key, val[i]);
	}
	if (n == 0 && notes == NULL) {
		model_dialog_close(a->m);
		model_flash(a->m, "Customer card unchanged");
	} else {
		form_target(target, sizeof(target));
		form.seq = client_req(a->c, RQ_CARDSET, form.chat, notes, "CUSTSET",
		    target, words[0], words[1], words[2], words[3], words[4],
		    (char *)NULL);
		snprintf(form.msg, sizeof(form.msg), "%s", form.seq ? "Saving..." :
		    "Not connected: the card was not saved");
	}
	for (int i = 0; i < CARD_FIELDS; i++) {
		free(val[i]);
		free(words[i]);
	}
}

void
cardform_key(struct app *a, int fk, wint_t wc, int alt)
{
	if ((fk == 0 && wc == 27 && !alt) || fk == KEY_F(10) ||
	    (alt && fk == 0 && wc == 'q')) {
		model_dialog_close(a->m);
		return;
	}
	if (fk == KEY_DOWN || (fk == 0 && wc == '\t'))
		form.active = (form.active + 1) % CARD_FIELDS;
	else if (fk == KEY_UP || fk == KEY_BTAB)
		form.active = (form.active + CARD_FIELDS - 1) % CARD_FIELDS;
	else if (fk == KEY_ENTER || (fk == 0 && (wc == '\r' || wc == '\n'))) {
		if (form.seq == 0)
			form_save(a);
	} else
		(void)keymap_edit(&form.field[form.active], fk, wc);
}

void
cardform_draw(const struct layout *l, struct model *m, int *cy, int *cx)
{
	struct rect b;
	char title[128];
	int y;

	b.w = l->cols - 4 < 76 ? l->cols - 4 : 76;
	b.h = CARD_FIELDS + 4;
	b.y = (l->rows - b.h) / 2;
	b.x = (l->cols - b.w) / 2;
	for (y = b.y; y < b.y + b.h; y++)
		draw_fill(y, b.x, b.w, ST_NORMAL);
	(void)m;
	snprintf(title, sizeof(title), " Customer card: %s ", form.title);
	draw_line_cut(b.y, b.x, b.w, title, ST_TITLE_FOCUS);
	for (y = b.y + 1; y < b.y + b.h; y++) {
		draw_fill(y, b.x, 1, ST_TITLE_FOCUS);
		draw_fill(y, b.x + b.w - 1, 1, ST_TITLE_FOCUS);
	}
	draw_line(b.y + b.h - 1, b.x, b.w,
	    " Tab/Up/Down field  Enter save  Esc cancel", ST_TITLE_FOCUS);
	draw_line_cut(b.y + 1, b.x + 1, b.w - 2, form.msg, ST_UNREAD);
	*cy = *cx = -1;
	for (int f = 0; f < CARD_FIELDS; f++) {
		size_t start, count;
		int col, x, used;

		y = b.y + 2 + f;
		x = draw_text(y, b.x + 1, b.w - 2, fields[f].label, ST_LABEL);
		input_view(&form.field[f], b.w - 3 - x, &start, &count, &col);
		used = draw_wtext(y, b.x + 1 + x, b.w - 2 - x,
		    form.field[f].buf + start, count,
		    f == form.active ? ST_SEL : ST_NORMAL);
		if (x + used < b.w - 2)
			draw_fill(y, b.x + 1 + x + used, b.w - 2 - x - used,
			    f == form.active ? ST_SEL : ST_NORMAL);
		if (f == form.active) {
			*cy = y;
			*cx = b.x + 1 + x + col;
		}
	}
}
