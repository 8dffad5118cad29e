/*
 * browsers.c - the "Visitors on the site" screen (Alt-v): the browsing
 * visitors kefud lists for the agent's groups (VISITORS), each with the
 * page they are on, their address and how long they have been on the
 * site, and an invitation line: Enter sends ENGAGE with the text typed
 * to the visitor highlighted (主动邀请).
 *
 * While the screen is open the connection watches (VISITORS watch=1):
 * an arrival, a page change or a departure asks for the list again (one
 * request at a time, so a busy site costs one list per round trip). The
 * first such event after the screen closed turns the watch off. After a
 * reconnect an open screen watches again on the new connection. The
 * outcome of an invitation (* ENGAGE) is a flash line, whatever is open;
 * an accepted one brings its chat as any * ASSIGN does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "browsers.h"

static int listing;		/* a VISITORS request is out */
static int stale;		/* an event came meanwhile: list again */

static const char *
opt(const struct proto_req *r, const char *key)
{
	const char *v = proto_opt(r, key);

	return v ? v : "";
}

static void
ask_list(struct session *s, int watch)
{
	if (listing) {
		stale = 1;
		return;
	}
	if (client_req(s->c, RQ_BROWSE, watch, NULL, "VISITORS",
	    watch ? "watch=1" : "watch=0", watch ? "limit=200" : "limit=1",
	    (char *)NULL) != 0)
		listing = watch;
	stale = 0;
}

void
act_browsers(struct app *a)
{
	struct dialog *d = &a->m->dlg;

	if (a->c->state != CL_UP) {
		model_flash(a->m, "Not connected to the server - waiting to reconnect.");
		return;
	}
	model_dialog_open(a->m, DLG_BROWSE, 0);
	d->nfields = 1;
	d->label[0] = "Invitation: ";
	model_set_str(&d->msg, "loading...");
	listing = 0;
	ask_list(a->s, 1);
}

/* Logged in again after a reconnect: the new connection watches nothing
 * and the old one's VISITORS will never be answered, so an open screen
 * asks afresh (watch=1) for the new server's list. */
void
browsers_relogin(struct session *s)
{
	listing = stale = 0;
	if (s->m->dlg.kind == DLG_BROWSE) {
		model_set_str(&s->m->dlg.msg, "loading...");
		ask_list(s, 1);
	}
}

/* "/shop/tea?id=3" of "https://host/shop/tea?id=3": the host says little */
static const char *
short_page(const char *url)
{
	const char *p = strstr(url, "://");

	if (p == NULL)
		return url;
	p = strchr(p + 3, '/');
	return p ? p : "/";
}

static void
row(struct model *m, struct proto_req *r)
{
	char buf[1400], onsite[32];
	long secs = (long)(time(NULL) - atol(opt(r, "since")));

	if (secs < 0)
		secs = 0;
	if (secs < 3600)
		snprintf(onsite, sizeof(onsite), "%ldm%02lds", secs / 60, secs % 60);
	else
		snprintf(onsite, sizeof(onsite), "%ldh%02ldm", secs / 3600,
		    secs / 60 % 60);
	snprintf(buf, sizeof(buf), "#%-5s %8s %-15s %s%s%s%s%s",
	    r->argv[0], onsite, opt(r, "addr"), short_page(opt(r, "page")),
	    r->text && r->text[0] ? "  " : "", r->text ? r->text : "",
	    proto_opt(r, "left") ? "  (between pages)" : "",
	    *opt(r, "invited") ? "  [invited]" : "");
	(void)model_dialog_item(&m->dlg, buf, NULL, r->argv[0]);
}

/* The list came back: keep the highlighted visitor highlighted. */
static void
list_begin(struct model *m, char *keep, size_t keeplen)
{
	struct dialog *d = &m->dlg;

	keep[0] = '\0';
	if (d->sel < d->nitems && d->items[d->sel].name)
		snprintf(keep, keeplen, "%s", d->items[d->sel].name);
	for (size_t i = 0; i < d->nitems; i++) {
		free(d->items[i].label);
		free(d->items[i].kind);
		free(d->items[i].name);
	}
	d->nitems = 0;
}

static void
list_end(struct session *s, struct proto_req *r, const char *keep)
{
	struct dialog *d = &s->m->dlg;
	char msg[120];

	for (size_t i = 0; i < d->nitems; i++)
		if (keep[0] && d->items[i].name && !strcmp(d->items[i].name, keep))
			d->sel = i;
	snprintf(msg, sizeof(msg), "%zu browsing%s; type an invitation, Enter "
	    "sends it to the one highlighted", d->nitems,
	    proto_opt(r, "next") ? " (the first 200)" : "");
	model_set_str(&d->msg, msg);
}

void
browsers_msg(struct session *s, struct client_msg *msg)
{
	static char keep[32];
	struct model *m = s->m;
	struct client_pending *p = msg->p;
	int open = m->dlg.kind == DLG_BROWSE;

	m->dirty = 1;
	if (p->kind == RQ_BROWSE && p->arg == 0)
		return;		/* the watch=0 after closing */
	if (p->kind == RQ_ENGAGE) {
		if (msg->type == MSG_OK)
			model_flash(m, "Invitation sent to visitor #%ld.", p->arg);
		else if (msg->type == MSG_ERR)
			model_flash(m, "Invitation failed: %s %s", msg->err_code,
			    msg->err_text);
		return;
	}
	if (msg->type == MSG_ROW) {
		if (!open)
			return;
		if (p->rows == 1)
			list_begin(m, keep, sizeof(keep));
		if (msg->req.argc >= 1)
			row(m, &msg->req);
		return;
	}
	listing = 0;
	if (msg->type == MSG_ERR) {
		if (open)
			model_set_str(&m->dlg.msg, msg->err_text);
		return;
	}
	if (!open)
		return;
	if (p->rows == 0)
		list_begin(m, keep, sizeof(keep));
	list_end(s, &msg->req, keep);
	if (stale)
		ask_list(s, 1);
}

void
browsers_submit(struct app *a)
{
	struct dialog *d = &a->m->dlg;
	char *text;

	if (d->nitems == 0 || d->sel >= d->nitems) {
		model_set_str(&d->msg, "nobody to invite");
		return;
	}
	if ((text = input_utf8(&d->field[0])) == NULL || text[0] == '\0') {
		free(text);
		model_set_str(&d->msg, "type the invitation first (what the visitor reads)");
		return;
	}
	client_req(a->c, RQ_ENGAGE, atol(d->items[d->sel].name), text, "ENGAGE",
	    d->items[d->sel].name, (char *)NULL);
	free(text);
	model_dialog_close(a->m);
}

static void
engaged(struct model *m, struct proto_req *r)
{
	const char *res = opt(r, "result"), *chat = opt(r, "chat");

	if (!strcmp(res, "accepted"))
		model_flash(m, "Visitor #%s accepted your invitation: chat #%s.",
		    r->argv[1], chat);
	else if (!strcmp(res, "declined"))
		model_flash(m, "Visitor #%s declined your invitation.", r->argv[1]);
	else if (!strcmp(res, "timeout"))
		model_flash(m, "Visitor #%s did not answer your invitation.",
		    r->argv[1]);
	else
		model_flash(m, "Visitor #%s left before answering your invitation.",
		    r->argv[1]);
}

int
browsers_event(struct session *s, struct proto_req *r)
{
	const char *ev = r->argv[0];

	if (r->argc < 2)
		return 0;
	if (!strcmp(ev, "ENGAGE")) {
		engaged(s->m, r);
		return 1;
	}
	if (strcmp(ev, "ARRIVED") && strcmp(ev, "MOVED") && strcmp(ev, "DEPARTED"))
		return 0;
	if (s->m->dlg.kind == DLG_BROWSE)
		ask_list(s, 1);
	else if (!listing)
		ask_list(s, 0);		/* closed: stop watching */
	return 1;
}
