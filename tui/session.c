/*
 * session.c - turning protocol lines into model changes.
 *
 * Events (lines starting with "* ") can arrive at any time; replies come
 * back with the tag of the request that asked for them. Lists (QUEUE,
 * CHATS, TRANSCRIPT, ...) replace what the model had when their first row
 * (or their empty OK) arrives, so a reconnect simply re-fetches.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardform.h"
#include "board.h"
#include "browsers.h"
#include "cases.h"
#include "expand.h"
#include "fields.h"
#include "kbsuggest.h"
#include "stats.h"
#include "wrapcats.h"
#include "screen.h"
#include "session.h"
#include "team.h"
#include "wrap.h"

void
session_init(struct session *s, struct model *m, struct client *c)
{
	memset(s, 0, sizeof(*s));
	s->m = m;
	s->c = c;
}

static void syslinef(struct chat *ch, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
syslinef(struct chat *ch, const char *fmt, ...)
{
	char buf[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	(void)model_chat_line(ch, 0, 0, LK_SYSTEM, "", buf);
}

void
session_fetch_chat(struct session *s, long chat, long visitor)
{
	char id[32], vid[32];

	snprintf(id, sizeof(id), "%ld", chat);
	snprintf(vid, sizeof(vid), "%ld", visitor);
	client_req(s->c, RQ_TRANSCRIPT, chat, NULL, "TRANSCRIPT", id, (char *)NULL);
	if (visitor > 0) {
		client_req(s->c, RQ_VISITOR, chat, NULL, "VISITOR", vid, (char *)NULL);
		client_req(s->c, RQ_HISTORY, chat, NULL, "HISTORY", vid, (char *)NULL);
	}
}

void
session_search_replies(struct session *s)
{
	char *q = input_utf8(&s->m->rq);
	unsigned long seq;

	if (q == NULL)
		return;
	seq = client_req(s->c, RQ_REPLIES, 0, q, "REPLIES", (char *)NULL);
	if (seq != 0)
		s->replies_seq = seq;
	free(q);
}

void
session_lost(struct session *s, const char *reason)
{
	char buf[400];

	snprintf(buf, sizeof(buf), "%s - reconnecting...", reason);
	model_set_str(&s->m->conn_msg, buf);
	s->m->connected = 0;
	s->m->dirty = 1;
}

/* ---- events ------------------------------------------------------------ */

/* A QADD event or a QUEUE row: the same fields, the same place. */
static int
queue_row(struct session *s, long chat, struct proto_req *r)
{
	int rc = model_queue_add(s->m, chat, field_long(r, "visitor"), field_long(r, "wait"),
	    field_long(r, "pos"), field_str(r, "group"), field_str(r, "name"), r->text);
	struct qitem *q = model_queue_find(s->m, chat);

	if (q != NULL)
		q->left = field_flag(r, "left");
	return rc;
}

/* What the tabs, the queue and the search call a visitor. */
static const char *
who(const struct chat *ch)
{
	return ch->name && ch->name[0] ? ch->name : "visitor";
}

static void
ev_qadd(struct session *s, struct proto_req *r)
{
	long chat = field_arg(r, 1);

	if (chat < 0)
		return;
	if (queue_row(s, chat, r) == 1 && s->m->bell)
		s->m->ring = 1;
}

static void
ev_assign(struct session *s, struct proto_req *r)
{
	long id = field_arg(r, 1);
	struct chat *ch;
	const char *by = field_str(r, "by");

	if (id < 0 || (ch = model_chat_add(s->m, id)) == NULL)
		return;
	ch->visitor = field_long(r, "visitor");
	ch->gen = s->gen;
	model_set_str(&ch->name, field_str(r, "name"));
	model_set_str(&ch->group, field_str(r, "group"));
	ch->ended = ch->rating = 0;
	ch->left = field_flag(r, "left");
	ch->invited = strcmp(by, "invite") == 0;
	ch->watching = 0;	/* taken over: no longer just watched */
	ch->answer_by = field_long(r, "timeout") > 0 ?
	    time(NULL) + field_long(r, "timeout") : 0;
	model_queue_del(s->m, id);
	session_fetch_chat(s, id, ch->visitor);
	if (proto_opt(r, "from") != NULL)
		syslinef(ch, "assigned to you (%s from %s)", by, field_str(r, "from"));
	if (r->text != NULL && r->text[0] != '\0')
		syslinef(ch, "note from %s: %s", field_str(r, "from"), r->text);
	if (s->m->nchats == 1 || strcmp(by, "accept") == 0 ||
	    strcmp(by, "proactive") == 0)	/* my invitation was accepted */
		model_focus_chat(s->m, id);
	else if (strcmp(by, "resume") != 0)
		ch->unread++;
	if (strcmp(by, "accept") != 0 && strcmp(by, "resume") != 0) {
		model_flash(s->m, "New chat #%ld with %s (%s)", id, ch->name, by);
		if (s->m->bell)
			s->m->ring = 1;
	}
}

static void
ev_msg(struct session *s, struct proto_req *r)
{
	long id = field_arg(r, 1), seq = field_arg(r, 2);
	struct chat *ch = model_chat(s->m, id);
	int kind;

	if (ch == NULL || r->argc < 5)
		return;
	kind = model_line_kind(r->argv[3]);
	if (model_chat_line(ch, seq, (time_t)field_long(r, "ts"), kind, r->argv[4],
	    r->text) == 1 && model_focused(s->m) != ch && kind == LK_VISITOR)
		ch->unread++;
	if (kind == LK_VISITOR)
		model_set_str(&ch->typing, NULL);
}

static void
ev_unassigned(struct session *s, struct chat *ch, struct proto_req *r)
{
	const char *why = field_str(r, "reason");

	if (strcmp(why, "ended") == 0) {
		ch->ended = 1;
		return;
	}
	if (strcmp(why, "timeout") == 0 && ch->answer_by != 0)
		model_flash(s->m, "Not answered in time: %s (chat #%ld) went "
		    "back to the queue.", who(ch), ch->id);
	else if (strcmp(why, "timeout") == 0)
		model_flash(s->m, "Chat #%ld with %s went back to the queue "
		    "(timeout).", ch->id, who(ch));
	else
		model_flash(s->m, "Chat #%ld with %s left your list (%s).",
		    ch->id, who(ch), why);
	model_chat_remove(s->m, ch->id);
}

/* A page the visitor moved to: the newest comes first in the trail. */
static void
ev_page(struct chat *ch, struct proto_req *r)
{
	char buf[1200];
	struct vinfo *v = &ch->vi;
	char *newest;

	snprintf(buf, sizeof(buf), "%s%s%s", field_str(r, "url"),
	    r->text && r->text[0] ? " - " : "", r->text ? r->text : "");
	if (model_vinfo_list(&v->pages, &v->npages, buf) < 0)
		return;
	newest = v->pages[v->npages - 1];
	memmove(v->pages + 1, v->pages, (v->npages - 1) * sizeof(char *));
	v->pages[0] = newest;
}

static void
ev_chatstate(struct session *s, const char *ev, struct proto_req *r)
{
	struct chat *ch = model_chat(s->m, field_arg(r, 1));

	if (ch == NULL) {
		if (strcmp(ev, "RATED") == 0)	/* wrapped up and dismissed */
			model_flash(s->m, "Chat #%ld was rated %s: %s", field_arg(r, 1),
			    field_str(r, "score"), r->text ? r->text : "");
		return;
	}
	if (strcmp(ev, "TYPING") == 0) {
		model_set_str(&ch->typing, r->text && r->text[0] ? r->text : NULL);
	} else if (strcmp(ev, "LEFT") == 0) {
		ch->left = 1;
		model_set_str(&ch->typing, NULL);
		syslinef(ch, "%s", "visitor left (they may come back)");
	} else if (strcmp(ev, "BACK") == 0) {
		ch->left = 0;
		syslinef(ch, "%s", "visitor is back");
		if (model_focused(s->m) != ch)
			model_flash(s->m, "%s is back (chat #%ld).", who(ch), ch->id);
	} else if (strcmp(ev, "ENDED") == 0) {
		ch->ended = 1;
		ch->answer_by = 0;
		model_set_str(&ch->typing, NULL);
		syslinef(ch, "chat ended by %s - %s", field_str(r, "by"), ch->invited ?
		    "Alt-l closes it" : "F7 to wrap up");
	} else if (strcmp(ev, "RATED") == 0) {
		ch->rating = (int)field_long(r, "score");
		syslinef(ch, "visitor rated %s: %s", field_str(r, "score"),
		    r->text ? r->text : "");
	} else if (strcmp(ev, "PAGE") == 0) {
		ev_page(ch, r);
	} else if (strcmp(ev, "UNASSIGNED") == 0)
		ev_unassigned(s, ch, r);
}

static void
on_event(struct session *s, struct proto_req *r)
{
	const char *ev = r->argv[0];
	struct model *m = s->m;

	m->dirty = 1;
	if (team_event(s, r))
		return;
	if (browsers_event(s, r))
		return;
	if (strcmp(ev, "QADD") == 0)
		ev_qadd(s, r);
	else if (strcmp(ev, "QDEL") == 0)
		model_queue_del(m, field_arg(r, 1));
	else if (strcmp(ev, "ASSIGN") == 0)
		ev_assign(s, r);
	else if (strcmp(ev, "MSG") == 0)
		ev_msg(s, r);
	else if (strcmp(ev, "ANNOUNCE") == 0)
		model_set_str(&m->announce, r->text);
	else if (strcmp(ev, "STATUS") == 0) {
		if (r->argc > 1 && m->user && strcmp(r->argv[1], m->user) == 0) {
			snprintf(m->status, sizeof(m->status), "%s", field_str(r, "status"));
			m->load = (int)field_long(r, "chats");
			m->max = (int)field_long(r, "max");
		}
	} else if (strcmp(ev, "KICKED") == 0) {
		char buf[300];

		snprintf(buf, sizeof(buf), "Signed out: %s (press F10 to quit)",
		    r->text && r->text[0] ? r->text : "another login took over");
		model_set_str(&m->conn_msg, buf);
		m->kicked = 1;
		m->connected = 0;
		model_queue_clear(m);	/* nothing here is live any more */
		client_drop(s->c, "kicked");
	} else if (strcmp(ev, "SHUTDOWN") == 0) {
		model_flash(m, "Server: %s", r->text && r->text[0] ? r->text :
		    "stopping");
	} else
		ev_chatstate(s, ev, r);
}

/* ---- replies ----------------------------------------------------------- */

static void
after_login(struct session *s, struct proto_req *r)
{
	struct model *m = s->m;

	model_set_str(&m->user, field_str(r, "name"));
	model_set_str(&m->role, field_str(r, "role"));
	model_set_str(&m->display, proto_opt(r, "display") ? field_str(r, "display") : field_str(r, "name"));
	snprintf(m->status, sizeof(m->status), "%s", field_str(r, "status"));
	m->max = (int)field_long(r, "max");
	/* a ticket is good for one login: kefud hands over the next one */
	if (s->c->ticket != NULL && proto_opt(r, "ticket") != NULL) {
		char *t = strdup(field_str(r, "ticket"));

		if (t != NULL) {
			explicit_bzero(s->c->ticket, strlen(s->c->ticket));
			free(s->c->ticket);
			s->c->ticket = t;
		}
	}
	m->connected = 1;
	s->c->state = CL_UP;
	s->c->backoff = 1;
	s->login_result = 1;
	if (m->conn_msg != NULL)
		model_flash(m, "Reconnected.");
	model_set_str(&m->conn_msg, NULL);
	if (m->want_status[0] != '\0' && strcmp(m->want_status, m->status) != 0)
		client_req(s->c, RQ_STATUS, 0, NULL, "STATUS", m->want_status, (char *)NULL);
	else
		client_req(s->c, RQ_STATUS, 0, NULL, "STATUS", (char *)NULL);
	client_req(s->c, RQ_QUEUE, 0, NULL, "QUEUE", (char *)NULL);
	s->gen++;	/* chats not listed in this CHATS reply are gone */
	client_req(s->c, RQ_CHATS, 0, NULL, "CHATS", (char *)NULL);
	session_search_replies(s);
	board_relogin(s);
	browsers_relogin(s);
	stats_request(s);
	wrapcats_request(s);
}

static void
row_chats(struct session *s, struct proto_req *r)
{
	long id = field_arg(r, 0);
	struct chat *ch;
	int fresh;

	if (id < 0)
		return;
	fresh = model_chat(s->m, id) == NULL;
	if ((ch = model_chat_add(s->m, id)) == NULL)
		return;
	ch->gen = s->gen;
	ch->visitor = field_long(r, "visitor");
	model_set_str(&ch->name, field_str(r, "name"));
	model_set_str(&ch->group, field_str(r, "group"));
	ch->ended = strcmp(field_str(r, "state"), "ended") == 0;
	ch->invited = strcmp(field_str(r, "state"), "invited") == 0;
	ch->left = field_flag(r, "left");
	if (fresh)
		ch->unread = (int)field_long(r, "unread");
	session_fetch_chat(s, id, ch->visitor);
}

static void
chats_done(struct session *s)
{
	for (size_t i = s->m->nchats; i-- > 0;)
		if (s->m->chats[i]->gen != s->gen && !s->m->chats[i]->watching)
			model_chat_remove(s->m, s->m->chats[i]->id);
}

static void
row_visitor(struct chat *ch, struct client_pending *p, struct proto_req *r)
{
	char buf[1200];

	if (p->rows == 1) {
		struct vinfo keep = ch->vi;

		memset(&ch->vi, 0, sizeof(ch->vi));
		ch->vi.hist = keep.hist;
		ch->vi.nhist = keep.nhist;
		ch->vi.last_wrap = keep.last_wrap;
		ch->vi.last_started = keep.last_started;
		keep.hist = NULL;
		keep.nhist = 0;
		keep.last_wrap = NULL;
		model_vinfo_clear(&keep);
	}
	if (r->argc < 1)
		return;
	if (strcmp(r->argv[0], "page") == 0) {
		snprintf(buf, sizeof(buf), "%s%s%s", field_str(r, "url"),
		    r->text && r->text[0] ? " - " : "", r->text ? r->text : "");
		(void)model_vinfo_list(&ch->vi.pages, &ch->vi.npages, buf);
		return;
	}
	for (int i = 0; i < r->argc; i++) {
		char *eq = strchr(r->argv[i], '=');

		if (eq == NULL)
			continue;
		*eq = '\0';
		(void)model_vinfo_kv(&ch->vi, r->argv[i], eq + 1);
		*eq = '=';
	}
}

/* long_form: "2026-11-23", else "11-23 09:30" */
void
session_fmt_date(char *buf, size_t n, long epoch, int long_form)
{
	time_t t = (time_t)epoch;
	struct tm tm;

	if (epoch <= 0 || localtime_r(&t, &tm) == NULL ||
	    strftime(buf, n, long_form ? "%Y-%m-%d" : "%m-%d %H:%M", &tm) == 0)
		snprintf(buf, n, "-");
}

/* A HISTORY row as one line: date, agent, category and the rating. */
static void
hist_label(char *buf, size_t n, struct proto_req *r)
{
	char date[32];
	int rated = proto_opt(r, "rating") && strcmp(field_str(r, "rating"), "0");

	session_fmt_date(date, sizeof(date), field_long(r, "started"), 1);
	snprintf(buf, n, "%s %s %s%s%s", date, field_str(r, "agent"),
	    field_str(r, "category"), rated ? " *" : "", rated ? field_str(r, "rating") : "");
}

static void
row_history(struct chat *ch, struct client_pending *p, struct proto_req *r)
{
	char buf[800];
	long started = field_long(r, "started");

	if (p->rows == 1) {
		for (size_t i = 0; i < ch->vi.nhist; i++)
			free(ch->vi.hist[i]);
		ch->vi.nhist = 0;
		model_set_str(&ch->vi.last_wrap, NULL);
		ch->vi.last_started = 0;
	}
	if (field_arg(r, 0) == ch->id)
		return;		/* the chat in progress is not history */
	hist_label(buf, sizeof(buf), r);
	(void)model_vinfo_list(&ch->vi.hist, &ch->vi.nhist, buf);
	if (started >= ch->vi.last_started) {
		ch->vi.last_started = started;
		snprintf(buf, sizeof(buf), "%s%s%s", field_str(r, "category"),
		    r->text && r->text[0] ? ": " : "", r->text ? r->text : "");
		model_set_str(&ch->vi.last_wrap, buf);
	}
}

/*
 * An AGENTS row in the transfer or invite list: the display name first.
 * Those online come first (the first of them is preselected); invites list
 * only them, transfers show the others too, after them, to say who is out.
 */
static void
row_agent(struct dialog *d, const char *me, struct proto_req *r)
{
	char buf[600], who[300], col[400];
	const char *disp = field_str(r, "display");
	int on = strcmp(field_str(r, "status"), "online") == 0;

	if ((me && strcmp(r->argv[0], me) == 0) || (!on && d->kind == DLG_INVITE))
		return;
	if (disp[0] != '\0' && strcmp(disp, r->argv[0]) != 0)
		snprintf(who, sizeof(who), "%s (%s)", disp, r->argv[0]);
	else
		snprintf(who, sizeof(who), "%s", r->argv[0]);
	(void)wrap_pad_utf8(col, sizeof(col), who, 22);	/* cells, not bytes */
	snprintf(buf, sizeof(buf), "%s%s %-7s %ld/%ld %s",
	    d->kind == DLG_TRANSFER ? "agent " : "", col, field_str(r, "status"),
	    field_long(r, "chats"), field_long(r, "max"), field_str(r, "groups"));
	if (model_dialog_item_at(d, on ? d->nfront : d->nitems, buf, "agent",
	    r->argv[0]) == 0 && on)
		d->nfront++;
}

static void
row_dialog(struct session *s, struct client_pending *p, struct proto_req *r)
{
	struct model *m = s->m;
	char buf[1200], date[32];

	if (r->argc < 1)
		return;
	if (p->kind == RQ_AGENTS && (m->dlg.kind == DLG_INVITE ||
	    m->dlg.kind == DLG_TRANSFER))
		row_agent(&m->dlg, m->user, r);
	else if (p->kind == RQ_GROUPS && m->dlg.kind == DLG_TRANSFER) {
		snprintf(buf, sizeof(buf), "group %-10s %ld waiting, %ld online",
		    r->argv[0], field_long(r, "waiting"), field_long(r, "online"));
		if (model_dialog_item_at(&m->dlg, m->dlg.nfront, buf, "group",
		    r->argv[0]) == 0)
			m->dlg.nfront++;	/* before the agents who are out */
	} else if (p->kind == RQ_SEARCH && m->dlg.kind == DLG_SEARCH) {
		session_fmt_date(date, sizeof(date), field_long(r, "ts"), 0);
		snprintf(buf, sizeof(buf), "%s #%s %s: %s", date, r->argv[0],
		    field_str(r, "from"), r->text ? r->text : "");
		(void)model_dialog_item(&m->dlg, buf, NULL, r->argv[0]);
	} else if (p->kind == RQ_PAST && m->dlg.kind == DLG_PAST &&
	    m->dlg.chat == p->arg && field_arg(r, 0) != p->arg) {
		size_t len;

		hist_label(buf, sizeof(buf), r);
		len = strlen(buf);
		snprintf(buf + len, sizeof(buf) - len, "%s%s",
		    r->text && r->text[0] ? ": " : "", r->text ? r->text : "");
		(void)model_dialog_item(&m->dlg, buf, NULL, r->argv[0]);
	} else if ((p->kind == RQ_VIEW || p->kind == RQ_VIEW_MORE) &&
	    m->dlg.kind == DLG_VIEW &&
	    m->dlg.chat == p->arg) {
		int kind = model_line_kind(field_str(r, "kind"));

		session_fmt_date(date, sizeof(date), field_long(r, "ts"), 0);
		snprintf(buf, sizeof(buf), "%s %s%s: %s", date,
		    kind == LK_NOTE ? "[note] " : kind == LK_WHISPER ? "[whisper] " :
		    kind == LK_BOT ? "[bot] " : "",
		    field_str(r, "from"), r->text ? r->text : "");
		(void)model_dialog_item(&m->dlg, buf, NULL, NULL);
	}
}

static void
on_row(struct session *s, struct client_pending *p, struct proto_req *r)
{
	struct chat *ch = model_chat(s->m, p->arg);

	s->m->dirty = 1;
	switch (p->kind) {
	case RQ_QUEUE:
	case RQ_QUEUE_MORE:
		if (p->kind == RQ_QUEUE && p->rows == 1)
			model_queue_clear(s->m);
		if (field_arg(r, 0) >= 0 && queue_row(s, field_arg(r, 0), r) >= 0) {
			struct qitem *q = model_queue_find(s->m, field_arg(r, 0));

			if (q != NULL)
				q->fresh = 0;
		}
		break;
	case RQ_CHATS:
		row_chats(s, r);
		break;
	case RQ_TRANSCRIPT:
	case RQ_TRANSCRIPT_MORE:
		if (ch == NULL)
			break;
		if (p->kind == RQ_TRANSCRIPT && p->rows == 1)
			model_chat_clear(ch);
		(void)model_chat_line(ch, field_arg(r, 0), (time_t)field_long(r, "ts"),
		    model_line_kind(field_str(r, "kind")), field_str(r, "from"), r->text);
		break;
	case RQ_VISITOR:
		if (ch != NULL)
			row_visitor(ch, p, r);
		break;
	case RQ_HISTORY:
		if (ch != NULL)
			row_history(ch, p, r);
		break;
	case RQ_REPLIES:
		if (p->seq != s->replies_seq)
			break;
		if (p->rows == 1)
			model_replies_clear(s->m);
		(void)model_reply_add(s->m, field_arg(r, 0), field_str(r, "group"),
		    field_str(r, "title"), r->text);
		break;
	default:
		row_dialog(s, p, r);
		break;
	}
}

/* A list reply that ends "OK <rows> next=<from>" has more: ask for the
 * next page (kind more appends to what the first page started). With
 * chat set (""), the request names the chat p->arg. */
static void
next_page(struct session *s, struct client_pending *p, struct proto_req *r,
    int more, const char *verb, const char *chat)
{
	const char *next = proto_opt(r, "next");
	char from[48], id[32];

	if (next == NULL || *next == '\0')
		return;
	snprintf(from, sizeof(from), "from=%s", next);
	snprintf(id, sizeof(id), "%ld", p->arg);
	if (chat != NULL)
		client_req(s->c, more, p->arg, NULL, verb, id, from, (char *)NULL);
	else
		client_req(s->c, more, p->arg, NULL, verb, from, (char *)NULL);
}

static void
on_ok(struct session *s, struct client_pending *p, struct proto_req *r)
{
	struct model *m = s->m;
	struct chat *ch = model_chat(m, p->arg);

	switch (p->kind) {
	case RQ_LOGIN:
		after_login(s, r);
		break;
	case RQ_STATUS:
		snprintf(m->status, sizeof(m->status), "%s", field_str(r, "status"));
		m->load = (int)field_long(r, "chats");
		m->max = (int)field_long(r, "max");
		break;
	case RQ_QUEUE:
		if (p->rows == 0)
			model_queue_clear(m);
		/* FALLTHROUGH */
	case RQ_QUEUE_MORE:
		next_page(s, p, r, RQ_QUEUE_MORE, "QUEUE", NULL);
		break;
	case RQ_CHATS:
		chats_done(s);
		break;
	case RQ_ACCEPT: {
		long id = field_long(r, "chat");

		if (id > 0 && (ch = model_chat_add(m, id)) != NULL) {
			if (ch->visitor == 0) {
				ch->visitor = field_long(r, "visitor");
				session_fetch_chat(s, id, ch->visitor);
			}
			model_queue_del(m, id);
			model_focus_chat(m, id);
			m->focus_pane = FOCUS_CHAT;
		}
		break;
	}
	case RQ_MSG:
	case RQ_NOTE:
		if (ch != NULL && p->kind == RQ_MSG)
			ch->answer_by = 0;	/* answered: no more countdown */
		if (ch != NULL)
			(void)model_chat_line(ch, field_long(r, "seq"), 0,
			    p->kind == RQ_MSG ? LK_AGENT : LK_NOTE,
			    m->display ? m->display : "", p->text);
		break;
	case RQ_TRANSCRIPT:
		if (p->rows == 0 && ch != NULL)
			model_chat_clear(ch);
		/* FALLTHROUGH */
	case RQ_TRANSCRIPT_MORE:
		if (ch != NULL)
			next_page(s, p, r, RQ_TRANSCRIPT_MORE, "TRANSCRIPT", "");
		break;
	case RQ_REPLIES:
		if (p->rows == 0 && p->seq == s->replies_seq)
			model_replies_clear(m);
		break;
	case RQ_TRANSFER:
		model_flash(m, "Chat #%ld transferred.", p->arg);
		model_chat_remove(m, p->arg);
		break;
	case RQ_END:
		if (ch != NULL)
			ch->ended = 1;
		break;
	case RQ_WRAPUP:
		model_flash(m, "Chat #%ld wrapped up.", p->arg);
		model_chat_remove(m, p->arg);
		break;
	case RQ_LEAVE:
		model_flash(m, "You left chat #%ld.", p->arg);
		model_chat_remove(m, p->arg);
		break;
	case RQ_INVITE:
		model_flash(m, "Invited to chat #%ld.", p->arg);
		break;
	case RQ_SEARCH:
		if (m->dlg.kind == DLG_SEARCH)
			model_set_str(&m->dlg.msg, p->rows ?
			    "Up/Down choose, Enter opens the chat" : "no matches");
		break;
	case RQ_PAST:
		if (m->dlg.kind == DLG_PAST && m->dlg.chat == p->arg)
			model_set_str(&m->dlg.msg, m->dlg.nitems ?
			    "Up/Down choose, Enter opens the chat" : "no past chats");
		break;
	case RQ_VIEW:
	case RQ_VIEW_MORE:	/* a long chat comes in pages: follow next= */
		if (m->dlg.kind == DLG_VIEW && m->dlg.chat == p->arg) {
			char buf[64];

			snprintf(buf, sizeof(buf), "Chat #%ld, %zu messages%s", p->arg,
			    m->dlg.nitems, proto_opt(r, "next") ? "..." : "");
			model_set_str(&m->dlg.msg, buf);
			next_page(s, p, r, RQ_VIEW_MORE, "TRANSCRIPT", "");
		}
		break;
	default:
		break;
	}
	m->dirty = 1;
}

static void
on_err(struct session *s, struct client_pending *p, const char *code,
    const char *text)
{
	struct model *m = s->m;

	m->dirty = 1;
	if (p->kind == RQ_TYPING)
		return;		/* the chat ended meanwhile: nothing to tell */
	if (p->kind == RQ_LOGIN) {
		snprintf(s->login_err, sizeof(s->login_err), "%s", code);
		s->login_result = -1;
		if (strcmp(code, "AUTH") == 0)
			session_lost(s, "Login refused: wrong user name, password or ticket");
		else
			session_lost(s, strcmp(code, "THROTTLE") == 0 ?
			    "Login refused: too many failures, waiting" : "Login refused");
		client_drop(s->c, code);
		return;
	}
	if (p->kind == RQ_LEAVE && strcmp(code, "INTERNAL") != 0) {
		model_chat_remove(m, p->arg);	/* not in it any more anyway */
		return;
	}
	if (p->kind == RQ_REPLIES && p->seq == s->replies_seq) {
		model_replies_clear(m);
		return;
	}
	if ((p->kind == RQ_SEARCH && m->dlg.kind == DLG_SEARCH) ||
	    (p->kind == RQ_PAST && m->dlg.kind == DLG_PAST) ||
	    ((p->kind == RQ_VIEW || p->kind == RQ_VIEW_MORE) &&
	    m->dlg.kind == DLG_VIEW)) {
		model_set_str(&m->dlg.msg, text);
		return;
	}
	if (p->kind == RQ_VISITOR || p->kind == RQ_HISTORY)
		return;		/* the pane just stays empty */
	model_flash(m, "%s failed: %s %s", p->kind == RQ_MSG ? "Message" :
	    p->kind == RQ_ACCEPT ? "Accept" : p->kind == RQ_TRANSFER ?
	    "Transfer" : p->kind == RQ_WRAPUP ? "Wrap-up" : p->kind == RQ_END ?
	    "End" : p->kind == RQ_INVITE ? "Invite" : "Request",
	    code, text);
}

void
session_msg(void *ctx, struct client_msg *msg)
{
	struct session *s = ctx;

	if (board_msg(s, msg) || stats_msg(s, msg) || wrapcats_msg(s, msg) ||
	    cases_msg(s, msg) || kbsuggest_msg(s, msg) || cardform_event(s, msg))
		return;
	if (msg->p != NULL && msg->p->kind == RQ_CODE) {
		expand_msg(s, msg);
		return;
	}
	if (msg->p != NULL && (msg->p->kind == RQ_CARD ||
	    msg->p->kind == RQ_CARDSET)) {
		cardform_msg(s, msg);
		return;
	}
	if (msg->p != NULL && msg->p->kind >= RQ_TEAM_LIST &&
	    msg->p->kind <= RQ_TEAM_READ) {
		team_msg(s, msg);
		return;
	}
	if (msg->p != NULL && (msg->p->kind == RQ_BROWSE ||
	    msg->p->kind == RQ_ENGAGE)) {
		browsers_msg(s, msg);
		return;
	}
	if (msg->p != NULL && (msg->p->kind == RQ_ADMIN ||
	    msg->p->kind == RQ_REPORT || msg->p->kind == RQ_CUSTS ||
	    msg->p->kind == RQ_CUST)) {
		screen_msg(s, msg);
		return;
	}
	switch (msg->type) {
	case MSG_EVENT:
		on_event(s, &msg->req);
		break;
	case MSG_ROW:
		on_row(s, msg->p, &msg->req);
		break;
	case MSG_OK:
		on_ok(s, msg->p, &msg->req);
		break;
	case MSG_ERR:
		on_err(s, msg->p, msg->err_code, msg->err_text);
		break;
	}
}
