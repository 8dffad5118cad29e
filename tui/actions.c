/*
 * actions.c - what each key does, in protocol terms.
 *
 * Each action checks that it makes sense now (a chat in focus, a visitor
 * selected, a connection up) and says so in the key line when it does
 * not, so the agent is never left wondering why nothing happened.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "board.h"
#include "cases.h"
#include "wrapcats.h"
#include "browsers.h"
#include "typing.h"

static int
online(struct app *a)
{
	if (a->c->state == CL_UP)
		return 1;
	model_flash(a->m, "Not connected to the server - waiting to reconnect.");
	return 0;
}

static struct chat *
need_chat(struct app *a)
{
	struct chat *c = model_focused(a->m);

	if (c == NULL)
		model_flash(a->m, "No chat in focus: F2 accepts the next visitor.");
	return c;
}

static void
idstr(char *buf, size_t n, long id)
{
	snprintf(buf, n, "%ld", id);
}

static void
do_leave(struct app *a, long chat)
{
	char id[32];

	if (!online(a))
		return;
	if (model_chat(a->m, chat) && model_chat(a->m, chat)->watching) {
		board_unwatch(a, chat);
		return;
	}
	idstr(id, sizeof(id), chat);
	client_req(a->c, RQ_LEAVE, chat, NULL, "LEAVE", id, (char *)NULL);
}

void
act_help(struct app *a)
{
	model_dialog_open(a->m, DLG_HELP, 0);
}

/* Accept queue row i: the one the agent sees highlighted. */
static void
accept_row(struct app *a, size_t i)
{
	char id[32];

	if (!online(a))
		return;
	idstr(id, sizeof(id), a->m->queue[i].chat);
	client_req(a->c, RQ_ACCEPT, 0, NULL, "ACCEPT", id, (char *)NULL);
}

void
act_accept_next(struct app *a)
{
	if (a->m->nqueue > 0) {
		accept_row(a, model_queue_target(a->m));
		return;
	}
	if (!online(a))
		return;
	model_flash(a->m, "Asking for the next visitor (your queue looks empty)...");
	client_req(a->c, RQ_ACCEPT, 0, NULL, "ACCEPT", (char *)NULL);
}

void
act_accept_selected(struct app *a)
{
	struct model *m = a->m;

	if (m->nqueue == 0) {
		model_flash(m, "Nobody is waiting in the queue.");
		return;
	}
	if (m->focus_pane != FOCUS_QUEUE) {
		/* F3 from elsewhere: first show the selection */
		m->focus_pane = FOCUS_QUEUE;
		model_flash(m, "Pick a visitor with Up/Down, then Enter or F3.");
		return;
	}
	accept_row(a, m->qsel);
}

void
act_replies_focus(struct app *a)
{
	a->m->focus_pane = FOCUS_REPLIES;
}

void
act_transfer(struct app *a)
{
	struct chat *c = need_chat(a);
	struct dialog *d = &a->m->dlg;

	if (c == NULL || !online(a))
		return;
	model_dialog_open(a->m, DLG_TRANSFER, c->id);
	d->nfields = 1;
	d->label[0] = "Note: ";
	client_req(a->c, RQ_AGENTS, 0, NULL, "AGENTS", (char *)NULL);
	client_req(a->c, RQ_GROUPS, 0, NULL, "GROUPS", (char *)NULL);
}

void
act_note_toggle(struct app *a)
{
	if (need_chat(a) == NULL)
		return;
	a->m->note_mode = !a->m->note_mode;
	a->m->focus_pane = FOCUS_CHAT;
}

/* A yes/no question; "y" runs the confirm_kind, anything else cancels. */
static void
confirm(struct app *a, int kind, long chat, const char *question)
{
	model_dialog_open(a->m, DLG_CONFIRM, chat);
	a->m->dlg.confirm = kind;
	model_set_str(&a->m->dlg.msg, question);
}

static void
open_wrapup(struct app *a, struct chat *c)
{
	struct dialog *d = &a->m->dlg;
	const char *cats = wrapcats_for(a->m, c->group);
	char buf[200];

	model_dialog_open(a->m, DLG_WRAPUP, c->id);
	d->nfields = 2;
	d->label[0] = "Category: ";
	d->label[1] = "Summary:  ";
	if (c->rating > 0)
		snprintf(buf, sizeof(buf), "The chat has ended; the visitor rated it %d.",
		    c->rating);
	else
		snprintf(buf, sizeof(buf), "The chat has ended (no rating yet).");
	model_set_str(&d->msg, buf);
	/* the group's categories, as the server lists them: "a, b, c" */
	while (*cats != '\0') {
		size_t len = strcspn(cats, ","), b = 0, e = len;

		while (b < e && cats[b] == ' ')
			b++;
		while (e > b && cats[e - 1] == ' ')
			e--;
		if (e > b && e - b < sizeof(buf)) {
			memcpy(buf, cats + b, e - b);
			buf[e - b] = '\0';
			(void)model_dialog_item(d, buf, NULL, buf);
		}
		cats += len + (cats[len] == ',');
	}
}

void
act_end(struct app *a)
{
	struct chat *c = need_chat(a);
	char q[300];

	if (c == NULL)
		return;
	if (c->invited) {
		act_leave(a);
		return;
	}
	if (c->ended) {
		open_wrapup(a, c);
		return;
	}
	snprintf(q, sizeof(q), "End the chat with %s? y/N (then F7 again "
	    "wraps it up)", c->name && c->name[0] ? c->name : "the visitor");
	confirm(a, CONFIRM_END, c->id, q);
}

void
act_leave(struct app *a)
{
	struct chat *c = need_chat(a);
	char q[300];

	if (c == NULL)
		return;
	if (!c->invited) {
		model_flash(a->m, "This chat is yours: F5 transfers it, F7 ends it.");
		return;
	}
	if (c->ended || c->watching) {	/* nothing to lose: no question */
		do_leave(a, c->id);
		return;
	}
	snprintf(q, sizeof(q), "Leave the chat with %s? y/N",
	    c->name && c->name[0] ? c->name : "the visitor");
	confirm(a, CONFIRM_LEAVE, c->id, q);
}

void
act_past(struct app *a)
{
	struct chat *c = need_chat(a);
	char vid[32];

	if (c == NULL || !online(a))
		return;
	if (c->visitor <= 0) {
		model_flash(a->m, "This visitor has no record to look up.");
		return;
	}
	model_dialog_open(a->m, DLG_PAST, c->id);
	model_set_str(&a->m->dlg.msg, "loading...");
	idstr(vid, sizeof(vid), c->visitor);
	client_req(a->c, RQ_PAST, c->id, NULL, "HISTORY", vid, (char *)NULL);
}

void
act_view_chat(struct app *a, long id)
{
	char idbuf[32];

	if (id <= 0 || !online(a))
		return;
	idstr(idbuf, sizeof(idbuf), id);
	model_dialog_open(a->m, DLG_VIEW, id);
	model_set_str(&a->m->dlg.msg, "loading...");
	client_req(a->c, RQ_VIEW, id, NULL, "TRANSCRIPT", idbuf, (char *)NULL);
}

/* Open a chat (a dialog item's name) read-only, in place of the dialog. */
static void
view_chat(struct app *a, const char *chat)
{
	act_view_chat(a, strtol(chat ? chat : "", NULL, 10));
}

void
act_invite(struct app *a)
{
	struct chat *c = need_chat(a);
	struct dialog *d = &a->m->dlg;

	if (c == NULL || !online(a))
		return;
	if (c->invited || c->ended) {
		model_flash(a->m, "Only the owner of an open chat can invite.");
		return;
	}
	model_dialog_open(a->m, DLG_INVITE, c->id);
	model_set_str(&d->msg, "Agents who are online:");
	client_req(a->c, RQ_AGENTS, 0, NULL, "AGENTS", (char *)NULL);
}

void
act_status(struct app *a)
{
	static const char *const st[] = { "online", "away", "busy", "offline", NULL };

	model_dialog_open(a->m, DLG_STATUS, 0);
	for (int i = 0; st[i] != NULL; i++) {
		(void)model_dialog_item(&a->m->dlg, st[i], NULL, st[i]);
		if (strcmp(st[i], a->m->status) == 0)
			a->m->dlg.sel = (size_t)i;
	}
}

void
act_search(struct app *a)
{
	model_dialog_open(a->m, DLG_SEARCH, 0);
	a->m->dlg.nfields = 1;
	a->m->dlg.label[0] = "Search: ";
}

void
act_quit(struct app *a)
{
	int n = model_owned_active(a->m);
	char q[200];

	if (n == 0 || !a->m->connected) {
		a->m->quit = 1;
		return;
	}
	snprintf(q, sizeof(q), "%d chat%s open: quit? y/N (your status is set "
	    "to away first)", n, n == 1 ? "" : "s");
	confirm(a, CONFIRM_QUIT, 0, q);
}

void
act_bell_toggle(struct app *a)
{
	a->m->bell = !a->m->bell;
	model_flash(a->m, "New-visitor bell %s.", a->m->bell ? "on" : "off");
}

void
act_send(struct app *a)
{
	struct model *m = a->m;
	struct chat *c;
	char *text, id[32];

	if (input_empty(&m->in))
		return;
	if ((c = need_chat(a)) == NULL || !online(a))
		return;
	if (c->watching && !c->ended) {
		if ((text = input_utf8(&m->in)) == NULL)
			return;
		idstr(id, sizeof(id), c->id);
		if (client_req(a->c, RQ_WHISPER, c->id, text, "WHISPER", id,
		    (char *)NULL) != 0)
			input_clear(&m->in);
		free(text);
		return;
	}
	if (c->ended && !m->note_mode) {
		model_flash(m, "This chat has ended: F7 to wrap up, F6 for a note.");
		return;
	}
	if ((text = input_utf8(&m->in)) == NULL)
		return;
	idstr(id, sizeof(id), c->id);
	if (client_req(a->c, m->note_mode ? RQ_NOTE : RQ_MSG, c->id, text,
	    m->note_mode ? "NOTE" : "MSG", id, (char *)NULL) != 0) {
		input_history_add(&m->in, text);
		input_clear(&m->in);
		typing_sent();
		m->note_mode = 0;
		c->scroll = 0;
	}
	free(text);
}

void
act_chat_step(struct app *a, int delta)
{
	struct model *m = a->m;

	if (m->nchats == 0)
		return;
	m->focus = (m->focus + m->nchats + (size_t)(delta + (int)m->nchats)) % m->nchats;
	m->chats[m->focus]->unread = 0;
}

void
act_chat_goto(struct app *a, int n)
{
	if (n >= 0 && (size_t)n < a->m->nchats)
		model_focus_chat(a->m, a->m->chats[n]->id);
}

void
act_focus_cycle(struct app *a, int delta)
{
	a->m->focus_pane = (a->m->focus_pane + 3 + delta) % 3;
}

void
act_reply_insert(struct app *a)
{
	struct model *m = a->m;

	int kb;

	if (m->rsel >= model_reply_rows(m)) {
		model_flash(m, "No reply matches: change the search.");
		return;
	}
	(void)input_insert_utf8(&m->in, model_reply_at(m, m->rsel, &kb)->text);
	m->focus_pane = FOCUS_CHAT;
}

void
act_replies_changed(struct app *a)
{
	a->m->rsel = 0;
	session_search_replies(a->s);
}

static void
submit_transfer(struct app *a, struct dialog *d)
{
	char id[32], *note;
	struct dlg_item *it;

	if (d->nitems == 0) {
		model_set_str(&d->msg, "Nobody to transfer to (yet).");
		return;
	}
	it = &d->items[d->sel];
	note = input_utf8(&d->field[0]);
	idstr(id, sizeof(id), d->chat);
	client_req(a->c, RQ_TRANSFER, d->chat, note && note[0] ? note : NULL,
	    "TRANSFER", id, it->kind, it->name, (char *)NULL);
	free(note);
	model_dialog_close(a->m);
}

static void
submit_wrapup(struct app *a, struct dialog *d)
{
	char id[32], *cat = input_utf8(&d->field[0]), *sum = input_utf8(&d->field[1]);

	if (cat != NULL && cat[0] == '\0' && d->nitems > 0) {
		free(cat);
		cat = strdup(d->items[d->sel].name);	/* the chosen category */
	}
	if (cat == NULL || sum == NULL) {
		free(cat);
		free(sum);
		return;
	}
	idstr(id, sizeof(id), d->chat);
	client_req(a->c, RQ_WRAPUP, d->chat, sum, "WRAPUP", id, cat, (char *)NULL);
	free(cat);
	free(sum);
	model_dialog_close(a->m);
}

static void
do_end(struct app *a, long chat)
{
	char id[32];

	idstr(id, sizeof(id), chat);
	client_req(a->c, RQ_END, chat, NULL, "END", id, (char *)NULL);
}

/* "y" in a confirm dialog. */
void
act_confirm_yes(struct app *a)
{
	struct dialog *d = &a->m->dlg;
	int kind = d->confirm;
	long chat = d->chat;

	model_dialog_close(a->m);
	if (kind == CONFIRM_QUIT) {
		if (a->c->state == CL_UP)
			client_req(a->c, RQ_STATUS, 0, NULL, "STATUS", "away",
			    (char *)NULL);
		a->m->quit = 1;
		return;
	}
	if (!online(a))
		return;
	if (kind == CONFIRM_TAKEOVER || kind == CONFIRM_STOP)
		board_confirmed(a, kind, chat);
	else if (kind == CONFIRM_END)
		do_end(a, chat);
	else if (kind == CONFIRM_LEAVE)
		do_leave(a, chat);
}

static void
submit_invite(struct app *a, struct dialog *d)
{
	char id[32];

	if (d->nitems == 0) {
		model_set_str(&d->msg, "Nobody to invite (yet).");
		return;
	}
	idstr(id, sizeof(id), d->chat);
	client_req(a->c, RQ_INVITE, d->chat, NULL, "INVITE", id,
	    d->items[d->sel].name, (char *)NULL);
	model_dialog_close(a->m);
}

void
act_dialog_submit(struct app *a)
{
	struct dialog *d = &a->m->dlg;
	char *q;

	if (d->kind != DLG_HELP && !online(a))
		return;
	switch (d->kind) {
	case DLG_TRANSFER:
		submit_transfer(a, d);
		break;
	case DLG_WRAPUP:
		submit_wrapup(a, d);
		break;
	case DLG_INVITE:
		submit_invite(a, d);
		break;
	case DLG_PAST:
		if (d->nitems > 0)
			view_chat(a, d->items[d->sel].name);
		break;
	case DLG_BROWSE:
		browsers_submit(a);
		break;
	case DLG_CASES:
	case DLG_CASE:
	case DLG_CASETEXT:
	case DLG_BAN:
		cases_submit(a);
		break;
	case DLG_STATUS:
		if (d->nitems > 0) {
			snprintf(a->m->want_status, sizeof(a->m->want_status), "%s",
			    d->items[d->sel].name);
			client_req(a->c, RQ_STATUS, 0, NULL, "STATUS",
			    d->items[d->sel].name, (char *)NULL);
		}
		model_dialog_close(a->m);
		break;
	case DLG_SEARCH:
		if (d->searched && d->nitems > 0) {	/* Enter on a hit: open it */
			view_chat(a, d->items[d->sel].name);
			break;
		}
		if ((q = input_utf8(&d->field[0])) == NULL || q[0] == '\0') {
			free(q);
			return;
		}
		for (size_t i = 0; i < d->nitems; i++) {
			free(d->items[i].label);
			free(d->items[i].kind);
			free(d->items[i].name);
		}
		d->nitems = d->sel = 0;
		model_set_str(&d->msg, "searching...");
		client_req(a->c, RQ_SEARCH, 0, q, "FIND", (char *)NULL);
		d->searched = 1;
		free(q);
		break;
	default:
		model_dialog_close(a->m);
		break;
	}
}
