/*
 * cmd_browse.c - browsing visitors and proactive invitation (主动邀请):
 * the widget's BROWSE when a page opens, the staff's VISITORS list (and
 * its live events) and ENGAGE (invite one with a text), the visitor's
 * INVITATION accept|decline. The state is browse.c's.
 *
 * Verbs (rows of proto/cmdtab.def): BROWSE VISITORS ENGAGE INVITATION.
 * PAGE of a browser is cmd_page's (cmd_visitor.c), HELLO cmd_hello's.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "browse.h"
#include "cmd.h"
#include "log.h"
#include "visitor_limit.h"

static const char *const browse_keys[] = { "page", "referrer", "lang",
    "group", "token", NULL };

void
cmd_browse(struct conn *c, struct proto_req *r)
{
	const char *gname = proto_opt(r, "group"), *why;
	struct group *g;
	struct browser *b;
	struct pbuf *p;
	char err[128];
	int back;

	if (srv.cfg.browse_max == 0) {
		reply_err(c, "DENIED", "browsing visitors are not listed here "
		    "(browse.max is 0); say HELLO to chat");
		return;
	}
	if (cmd_opts_known(c, r, 0, browse_keys) < 0)
		return;
	for (int i = 0; i < r->argc; i++)
		if (vlimit_hello_field(r->argv[i], err, sizeof(err)) < 0) {
			reply_err(c, "ARGS", "%s", err);
			return;
		}
	if (r->textlen > BROWSE_TITLE_MAX) {
		reply_err(c, "ARGS", "title longer than %d bytes", BROWSE_TITLE_MAX);
		return;
	}
	if (ban_refused(c, 0))
		return;
	if (gname == NULL || *gname == '\0')
		gname = srv.cfg.default_group;
	if ((g = group_find(gname)) == NULL) {
		reply_err(c, "NOTFOUND", "no such group '%s'", gname);
		return;
	}
	b = browse_arrive(c, g, proto_opt(r, "token"), &back, &why);
	if (b == NULL) {
		if (why)
			reply_err(c, "LIMIT", "%s; say HELLO to chat", why);
		else
			reply_err(c, "INTERNAL", "out of memory");
		return;
	}
	if (!back && (browse_set_field(&b->referrer, proto_opt(r, "referrer")) < 0 ||
	    browse_set_field(&b->lang, proto_opt(r, "lang")) < 0))
		log_warn("browser %lld: out of memory", (long long)b->id);
	c->role = ROLE_BROWSER;
	p = conn_begin(c, c->tag);
	pbuf_printf(p, "OK browse=%lld token=%s since=%lld", (long long)b->id,
	    b->token, (long long)b->since);
	conn_end(c);
	if (browse_set_page(b, proto_opt(r, "page"), r->text, r->textlen,
	    back) < 0)
		log_warn("browser %lld: out of memory", (long long)b->id);
	browse_invite_show(b);	/* one still pending from the last page */
}

/* watch=0|1 out of r's arguments: -1 after ERR ARGS. */
static int
take_watch(struct conn *c, struct proto_req *r)
{
	int n = 0, watch = -1;

	for (int i = 0; i < r->argc; i++) {
		const char *a = r->argv[i];

		if (strncmp(a, "watch=", 6) != 0) {
			r->argv[n++] = r->argv[i];
			continue;
		}
		if (strcmp(a + 6, "0") && strcmp(a + 6, "1")) {
			reply_err(c, "ARGS", "watch= is 0 or 1");
			return -1;
		}
		watch = a[6] == '1';
	}
	r->argc = n;
	if (watch >= 0)
		c->browse_watch = watch;
	return 0;
}

void
cmd_visitors(struct conn *c, struct proto_req *r)
{
	struct group *only = NULL;
	struct list_page pg;
	int take = 1;

	if (take_watch(c, r) < 0 ||
	    list_init(&pg, c, r, 1, LIST_DEF, LIST_MAX) < 0)
		return;
	if (r->argc == 1 && (only = cmd_my_group(c, r->argv[0])) == NULL)
		return;
	for (struct browser *b = browse_first(); b && take >= 0; b = b->next) {
		struct pbuf *p;

		if ((only && b->group != only) || !browse_visible(c->agent, b))
			continue;
		if ((take = list_take(&pg)) <= 0)
			continue;
		p = row_begin(c);
		pbuf_printf(p, " %lld", (long long)b->id);
		browse_put_fields(p, b);
		if (b->title)
			proto_put_text(p, b->title, strlen(b->title));
		conn_end(c);
	}
	list_done(&pg, 0);
}

void
cmd_engage(struct conn *c, struct proto_req *r)
{
	struct agent *a = c->agent;
	struct browser *b;
	long long id;

	if (!srv.cfg.invite_enabled) {
		reply_err(c, "DENIED", "invitations are off (invite.enabled)");
		return;
	}
	if (cmd_id_arg(c, r->argv[0], "visitor number", &id) < 0)
		return;
	if ((b = browse_find(id)) == NULL) {
		reply_err(c, "NOTFOUND", "no browsing visitor %lld", id);
		return;
	}
	if (!browse_visible(a, b)) {
		reply_err(c, "DENIED", "visitor %lld is in group %s, not yours",
		    id, b->group->name);
		return;
	}
	if (r->textlen == 0 || r->textlen > BROWSE_INVITE_MAX) {
		reply_err(c, "ARGS", "an invitation has 1 to %d bytes of text",
		    BROWSE_INVITE_MAX);
		return;
	}
	if (b->inviter) {
		reply_err(c, "STATE", "visitor %lld has an invitation pending "
		    "(from %s)", id, b->inviter->name);
		return;
	}
	if (b->cool_until_ms > srv.now_ms) {
		reply_err(c, "STATE", "visitor %lld was invited a moment ago; "
		    "try again in %lld s (invite.cooldown)", id,
		    (b->cool_until_ms - srv.now_ms + 999) / 1000);
		return;
	}
	if (a->nchats >= a->max_chats) {
		reply_err(c, "LIMIT", "you have %d chats (your limit is %d)",
		    a->nchats, a->max_chats);
		return;
	}
	reply_ok(c, NULL);
	browse_invite(b, a, r->text, r->textlen);
}

/* INVITATION accept: the HELLO the widget would send, with what the page
 * said when it opened, run on this connection. */
static void
accept_invitation(struct conn *c, struct proto_req *r, struct browser *b)
{
	static const char *const keys[] = { "name", "email", NULL };
	char page[1100], ref[1100], lang[64], group[80];
	struct proto_req h;

	if (cmd_opts_known(c, r, 1, keys) < 0)
		return;
	memset(&h, 0, sizeof(h));
	h.tag = r->tag;
	h.verb = "HELLO";
	for (int i = 1; i < r->argc; i++)
		h.argv[h.argc++] = r->argv[i];
	snprintf(page, sizeof(page), "page=%s", b->page ? b->page : "");
	snprintf(ref, sizeof(ref), "referrer=%s", b->referrer ? b->referrer : "");
	snprintf(lang, sizeof(lang), "lang=%s", b->lang ? b->lang : "");
	snprintf(group, sizeof(group), "group=%s", b->group->name);
	h.argv[h.argc++] = page;
	h.argv[h.argc++] = ref;
	h.argv[h.argc++] = lang;
	h.argv[h.argc++] = group;
	b->accepting = 1;
	cmd_hello(c, &h);	/* browse_hello_chat() gives it to the agent */
}

void
cmd_invitation(struct conn *c, struct proto_req *r)
{
	struct browser *b = c->browser;

	if (b == NULL || b->inviter == NULL) {
		reply_err(c, "STATE", "no invitation is waiting for you");
		return;
	}
	if (strcmp(r->argv[0], "accept") == 0) {
		accept_invitation(c, r, b);
		return;
	}
	if (strcmp(r->argv[0], "decline") != 0 || r->argc != 1) {
		reply_err(c, "ARGS", "usage: INVITATION accept [name=..] "
		    "[email=..] | INVITATION decline");
		return;
	}
	reply_ok(c, NULL);
	browse_invite_end(b, "declined", 0);
}
