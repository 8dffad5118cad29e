/*
 * cases.c - the case screens and the ban action (see cases.h).
 *
 * The list is CASES <state> (newest first from kefud), shown with the new
 * cases first; f steps the state filter (active, new, open, pending,
 * closed, all). Enter opens a case: CASE <id>, its fields and history.
 * There n writes a note, r a reply to the visitor (they get it now or
 * when they come back), a assigns it to me, o / p / c set it open,
 * pending or closed. * CASENEW rings the bell and says so, like a new
 * visitor in the queue; * CASEUPD refreshes what is shown.
 *
 * Alt-x in a chat asks for a reason and bans its visitor (BAN visitor V).
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "fields.h"

static const char *const filters[] = { "active", "new", "open", "pending",
    "closed", "all", NULL };

enum text_kind { TEXT_NOTE = 1, TEXT_REPLY };

static const char *
state_filter(const struct model *m)
{
	int i = m->case_filter;

	return i >= 0 && i < (int)(sizeof(filters) / sizeof(*filters)) - 1 ?
	    filters[i] : filters[0];
}

static void
ask_list(struct client *c, struct model *m)
{
	model_dialog_open(m, DLG_CASES, 0);
	model_set_str(&m->dlg.msg, "loading...");
	client_req(c, RQ_CASES, 0, NULL, "CASES", state_filter(m), (char *)NULL);
}

static void
ask_case(struct client *c, struct model *m, long id)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", id);
	model_dialog_open(m, DLG_CASE, id);
	model_set_str(&m->dlg.msg, "loading...");
	client_req(c, RQ_CASE, id, NULL, "CASE", buf, (char *)NULL);
}

void
cases_open(struct app *a)
{
	if (a->c->state != CL_UP) {
		model_flash(a->m, "Not connected to the server - waiting to reconnect.");
		return;
	}
	ask_list(a->c, a->m);
}

void
cases_ban(struct app *a)
{
	struct chat *c = model_focused(a->m);
	char q[300];

	if (c == NULL || c->visitor <= 0) {
		model_flash(a->m, "No visitor in focus to ban.");
		return;
	}
	model_dialog_open(a->m, DLG_BAN, c->visitor);
	a->m->dlg.nfields = 1;
	a->m->dlg.label[0] = "Reason: ";
	snprintf(q, sizeof(q), "Ban %s (visitor %ld)? Their chats end and they "
	    "are turned away politely.", c->name && c->name[0] ? c->name :
	    "the visitor", c->visitor);
	model_set_str(&a->m->dlg.msg, q);
}

static void
caseset(struct app *a, long id, const char *opt)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", id);
	client_req(a->c, RQ_CASESET, id, NULL, "CASESET", buf, opt, (char *)NULL);
}

static void
ask_text(struct app *a, long id, int kind)
{
	model_dialog_open(a->m, DLG_CASETEXT, id);
	a->m->dlg.confirm = kind;
	a->m->dlg.nfields = 1;
	a->m->dlg.label[0] = kind == TEXT_NOTE ? "Note: " : "Reply: ";
	model_set_str(&a->m->dlg.msg, kind == TEXT_NOTE ?
	    "An internal note (the visitor never sees it); Enter saves it." :
	    "A reply to the visitor (now if connected, else when they come back).");
}

int
cases_key(struct app *a, int fk, wint_t wc, int alt)
{
	struct model *m = a->m;
	struct dialog *d = &m->dlg;
	char who[80];

	if (fk != 0 || alt || a->c->state != CL_UP)
		return 0;
	if (d->kind == DLG_CASES && wc == 'f') {
		m->case_filter = filters[m->case_filter + 1] ? m->case_filter + 1 : 0;
		ask_list(a->c, m);
		return 1;
	}
	if (d->kind != DLG_CASE)
		return 0;
	snprintf(who, sizeof(who), "assignee=%s", m->user ? m->user : "");
	switch (wc) {
	case 'n': ask_text(a, d->chat, TEXT_NOTE); return 1;
	case 'r': ask_text(a, d->chat, TEXT_REPLY); return 1;
	case 'a': caseset(a, d->chat, who); return 1;
	case 'o': caseset(a, d->chat, "state=open"); return 1;
	case 'p': caseset(a, d->chat, "state=pending"); return 1;
	case 'c': caseset(a, d->chat, "state=closed"); return 1;
	case 'l': ask_list(a->c, m); return 1;
	default: return 0;
	}
}

void
cases_submit(struct app *a)
{
	struct dialog *d = &a->m->dlg;
	char id[32], *text;

	if (d->kind == DLG_CASES) {
		if (d->nitems > 0)
			ask_case(a->c, a->m, strtol(d->items[d->sel].name, NULL, 10));
		return;
	}
	if (d->kind == DLG_CASE) {
		ask_list(a->c, a->m);
		return;
	}
	if ((text = input_utf8(&d->field[0])) == NULL)
		return;
	if (text[0] == '\0') {
		model_set_str(&d->msg, "Type something first (Esc cancels).");
		free(text);
		return;
	}
	snprintf(id, sizeof(id), "%ld", d->chat);
	if (d->kind == DLG_BAN)
		client_req(a->c, RQ_BAN, d->chat, text, "BAN", "visitor", id,
		    (char *)NULL);
	else
		client_req(a->c, d->confirm == TEXT_NOTE ? RQ_CASENOTE :
		    RQ_CASEREPLY, d->chat, text, d->confirm == TEXT_NOTE ?
		    "CASENOTE" : "CASEREPLY", id, (char *)NULL);
	free(text);
	if (d->kind == DLG_BAN)
		model_dialog_close(a->m);
	else
		ask_case(a->c, a->m, d->chat);	/* shows it with the new entry */
}

/* A CASES row as one line; new cases go first. */
static void
list_row(struct dialog *d, struct proto_req *r)
{
	char buf[900], date[32];
	const char *assignee = field_str(r, "assignee");
	int isnew = strcmp(field_str(r, "state"), "new") == 0;

	if (r->argc < 1)
		return;
	session_fmt_date(date, sizeof(date), field_long(r, "created"), 0);
	snprintf(buf, sizeof(buf), "#%s %-7s %s %s %s%s: %s", r->argv[0],
	    field_str(r, "state"), date, field_str(r, "group"),
	    field_str(r, "name")[0] ? field_str(r, "name") : "visitor",
	    assignee[0] ? "" : " (unassigned)", r->text ? r->text : "");
	if (model_dialog_item_at(d, isnew ? d->nfront : d->nitems, buf, NULL,
	    r->argv[0]) == 0 && isnew)
		d->nfront++;
}

/* A CASE row: the case's fields, then one line per history entry. */
static void
case_row(struct dialog *d, struct proto_req *r)
{
	char buf[1200], date[32];

	if (r->argc >= 2 && strcmp(r->argv[0], "case") == 0) {
		snprintf(buf, sizeof(buf), "Case #%s  %s  group %s  assignee %s",
		    r->argv[1], field_str(r, "state"), field_str(r, "group"),
		    field_str(r, "assignee")[0] ? field_str(r, "assignee") : "none");
		(void)model_dialog_item(d, buf, NULL, NULL);
		snprintf(buf, sizeof(buf), "From %s  %s  %s",
		    field_str(r, "name")[0] ? field_str(r, "name") : "visitor",
		    field_str(r, "phone"), field_str(r, "email"));
		(void)model_dialog_item(d, buf, NULL, NULL);
		snprintf(buf, sizeof(buf), "Message: %s", r->text ? r->text : "");
		(void)model_dialog_item(d, buf, NULL, NULL);
		return;
	}
	session_fmt_date(date, sizeof(date), field_long(r, "ts"), 0);
	snprintf(buf, sizeof(buf), "%s %s %s%s: %s", date, field_str(r, "kind"),
	    field_str(r, "from"), strcmp(field_str(r, "delivered"), "0") == 0 ?
	    " (not yet delivered)" : "", r->text ? r->text : "");
	(void)model_dialog_item(d, buf, NULL, NULL);
}

static void
on_ok(struct session *s, struct client_pending *p, struct proto_req *r)
{
	struct model *m = s->m;
	struct dialog *d = &m->dlg;
	const char *next = proto_opt(r, "next");
	char buf[200], before[48];

	switch (p->kind) {
	case RQ_CASES:
	case RQ_CASES_MORE:
		if (d->kind != DLG_CASES)
			break;
		snprintf(buf, sizeof(buf), "%zu %s case%s (new first); f: filter",
		    d->nitems, state_filter(m), d->nitems == 1 ? "" : "s");
		model_set_str(&d->msg, buf);
		if (next != NULL && *next) {
			snprintf(before, sizeof(before), "before=%s", next);
			client_req(s->c, RQ_CASES_MORE, 0, NULL, "CASES", state_filter(m),
			    before, (char *)NULL);
		}
		break;
	case RQ_CASE:
		if (d->kind == DLG_CASE && d->chat == p->arg)
			model_set_str(&d->msg, "n note  r reply  a assign to me  "
			    "o open  p pending  c close  l list");
		break;
	case RQ_CASESET:
		if (d->kind == DLG_CASE && d->chat == p->arg)
			ask_case(s->c, m, p->arg);
		model_flash(m, "Case #%ld: %s, assignee %s.", p->arg,
		    field_str(r, "state"), field_str(r, "assignee"));
		break;
	case RQ_BAN:
		model_flash(m, "Visitor %ld banned (ban #%s).", p->arg,
		    field_str(r, "id"));
		break;
	default:
		break;
	}
}

static void
on_event(struct session *s, struct proto_req *r)
{
	struct model *m = s->m;

	if (strcmp(r->argv[0], "CASENEW") == 0) {
		model_flash(m, "New case #%ld from %s (%s): %s - Alt-k lists cases",
		    field_arg(r, 1), field_str(r, "name")[0] ?
		    field_str(r, "name") : "a visitor", field_str(r, "group"),
		    r->text ? r->text : "");
		if (m->bell)
			m->ring = 1;
		if (m->dlg.kind == DLG_CASES)
			ask_list(s->c, m);
	} else if (m->dlg.kind == DLG_CASE && m->dlg.chat == field_arg(r, 1) &&
	    strcmp(field_str(r, "by"), m->user ? m->user : "") != 0)
		ask_case(s->c, m, m->dlg.chat);	/* someone else changed it */
}

int
cases_msg(struct session *s, struct client_msg *msg)
{
	struct client_pending *p = msg->p;
	struct dialog *d = &s->m->dlg;

	if (msg->type == MSG_EVENT) {
		if (strcmp(msg->req.argv[0], "CASENEW") != 0 &&
		    strcmp(msg->req.argv[0], "CASEUPD") != 0)
			return 0;
		on_event(s, &msg->req);
		s->m->dirty = 1;
		return 1;
	}
	if (p == NULL || p->kind < RQ_CASES || p->kind > RQ_BAN)
		return 0;
	s->m->dirty = 1;
	if (msg->type == MSG_ROW) {
		if ((p->kind == RQ_CASES || p->kind == RQ_CASES_MORE) &&
		    d->kind == DLG_CASES)
			list_row(d, &msg->req);
		else if (p->kind == RQ_CASE && d->kind == DLG_CASE &&
		    d->chat == p->arg)
			case_row(d, &msg->req);
	} else if (msg->type == MSG_OK)
		on_ok(s, p, &msg->req);
	else if ((d->kind == DLG_CASES || d->kind == DLG_CASE) &&
	    (p->kind == RQ_CASES || p->kind == RQ_CASE))
		model_set_str(&d->msg, msg->err_text);
	else
		model_flash(s->m, "%s failed: %s %s", p->kind == RQ_BAN ? "Ban" :
		    "Case", msg->err_code, msg->err_text);
	return 1;
}
