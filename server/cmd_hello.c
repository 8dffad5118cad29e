/*
 * cmd_hello.c - a visitor arrives: HELLO, with a resume token or without,
 * the per-address limits, field checks and the joining of "name=Robert
 * Miller", the transcript replayed on return, and HELLO again after
 * * ENDED on the same connection.
 *
 * Verbs (rows of proto/cmdtab.def): HELLO. What happens when the visitor's
 * connection goes away is session_closed() in cmd_session.c.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "account.h"
#include "auth.h"
#include "authd.h"
#include "boot.h"
#include "bot.h"
#include "browse.h"
#include "chat.h"
#include "cmd.h"
#include "contact.h"
#include "http.h"
#include "log.h"
#include "offhours.h"
#include "region.h"
#include "store.h"
#include "visitor_limit.h"
#include "session.h"

/* ---- visitors ---- */

static struct visitor *
visitor_by_token(const char *token)
{
	for (size_t i = 0; i < desk.chat_tab_size; i++)
		for (struct chat *ch = desk.chat_tab[i]; ch; ch = ch->hnext)
			if (ch->visitor && ch->visitor->chat == ch &&
			    strcmp(ch->visitor->token, token) == 0)
				return ch->visitor;
	return NULL;
}

/* The transcript replayed to a resuming visitor: "* MSG" lines written
 * straight after the OK, as part of the reply (not held as events of the
 * request, whose total is capped), so a long chat comes back whole. */
static int
replay_msg(void *arg, const struct store_msg *m)
{
	struct conn *c = arg;
	struct pbuf *b;

	if (!strcmp(m->kind, "note") || !strcmp(m->kind, "whisper"))
		return 0;
	b = conn_begin(c, NULL);
	pbuf_printf(b, "* MSG %lld %lld %s ", (long long)m->chat,
	    (long long)m->seq, m->kind);
	proto_escape(b, m->sender, strlen(m->sender), 1);
	proto_put_kvi(b, "ts", (long long)m->ts);
	proto_put_text(b, m->body, strlen(m->body));
	conn_end(c);
	return 0;
}

/* Another connection takes the visitor's token: the one that had it gets
 * "* KICKED :resumed elsewhere", lets go of the visitor and is closed. */
static void
visitor_kick(struct visitor *v)
{
	struct pbuf *b = ev_begin();

	proto_put_word(b, "KICKED");
	proto_put_text(b, "resumed elsewhere", 17);
	ev_send(v->conn);
	v->conn->visitor = NULL;
	v->conn->role = ROLE_ANON;
	v->conn->closing = 1;
	v->conn = NULL;
}

static void
visitor_resume(struct conn *c, struct visitor *v)
{
	struct chat *ch = v->chat;
	struct pbuf *b;

	if (v->conn && v->conn != c)
		visitor_kick(v);
	v->conn = c;
	v->gone_since = 0;
	c->visitor = v;
	c->role = ROLE_VISITOR;
	b = conn_begin(c, c->tag);
	pbuf_printf(b, "OK visitor=%lld chat=%lld token=%s resumed=1",
	    (long long)v->id, (long long)ch->id, v->token);
	conn_end(c);
	if (store_msg_foreach(ch->id, 0, replay_msg, c) < 0)
		log_warn("resume: transcript of chat %lld: %s", (long long)ch->id,
		    store_errmsg());
	if (ch->state == CS_QUEUED)
		queue_tell_position(ch, 1);
	else if (ch->state == CS_ASSIGNED && ch->agent) {
		b = ev_begin();
		pbuf_printf(b, " ASSIGNED %lld", (long long)ch->id);
		proto_put_kv(b, "agent", ch->agent->display);
		ev_send(c);
	} else if (ch->state == CS_ENDED) {
		b = ev_begin();
		pbuf_printf(b, " ENDED %lld", (long long)ch->id);
		proto_put_kv(b, "by", ch->ended_by ? ch->ended_by : "agent");
		ev_send(c);
	}
	chat_visitor_back(ch);
}

/* May c's address start one more chat? If not, says why. */
static int
hello_allowed(struct conn *c)
{
	int wait_s;

	switch (vlimit_new_chat(c->addr, &wait_s)) {
	case VLIMIT_OPEN:
		reply_err(c, "LIMIT", "too many open chats from your address "
		    "(at most %d); end one or try again later",
		    srv.cfg.visitor_per_addr_max);
		return 0;
	case VLIMIT_RATE:
		reply_err(c, "FLOOD", "too many new chats from your address; "
		    "try again in %d s", wait_s);
		return 0;
	}
	return 1;
}

static char *
dup_or_null(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

/*
 * "HELLO name=Robert Miller": a word without '=' can only be the rest of
 * the value before it (HELLO has no other bare words), so it is joined to
 * that value with one space. The joined values live in buf. 0 ok, -1 after
 * answering ERR ARGS.
 */
static int
hello_join_words(struct conn *c, struct proto_req *r, char *buf, size_t len)
{
	size_t used = 0;
	int last = -1, argc = 0;

	for (int i = 0; i < r->argc; i++) {
		const char *w = r->argv[i];
		size_t wl = strlen(w), ll;

		if (strchr(w, '=') != NULL) {
			last = argc;
			r->argv[argc++] = r->argv[i];
			continue;
		}
		if (last < 0) {
			reply_err(c, "ARGS", "HELLO fields are key=value, as in "
			    "HELLO name=%.40s group=sales :your question", w);
			return -1;
		}
		ll = strlen(r->argv[last]);
		if (used + ll + 1 + wl + 1 > len) {
			reply_err(c, "ARGS", "HELLO fields too long");
			return -1;
		}
		memmove(buf + used, r->argv[last], ll);	/* may be in buf */
		buf[used + ll] = ' ';
		memcpy(buf + used + ll + 1, w, wl + 1);
		r->argv[last] = buf + used;
		used += ll + 1 + wl + 1;
	}
	r->argc = argc;
	return 0;
}

static void
hello_started(struct conn *c, struct visitor *v, struct chat *ch,
    struct group *g, struct agent *da)
{
	struct pbuf *b;

	b = conn_begin(c, c->tag);
	pbuf_printf(b, "OK visitor=%lld chat=%lld token=%s", (long long)v->id,
	    (long long)ch->id, v->token);
	if (ch->state == CS_BOT)
		pbuf_adds(b, " bot=1");
	conn_end(c);
	/* the agent the visitor named has routing.designated_wait to answer */
	if (da && ch->state == CS_QUEUED && chat_designate(ch, da) < 0)
		log_error("chat %lld: could not give it to %s: %s",
		    (long long)ch->id, da->name, store_errmsg());
	route_group(g);
	if (ch->state == CS_QUEUED) {
		queue_tell_position(ch, 1);
		offhours_tell_nobody(ch);
	} else if (ch->state == CS_BOT)
		bot_opened(ch);
}

static int
replace_field(char **field, const char *value)
{
	char *n;

	if (value == NULL)
		return 0;
	if ((n = dup_or_null(value)) == NULL && *value)
		return -1;
	free(*field);
	*field = n;
	return 0;
}

/* The group= of a HELLO; without one, the group of the first region rule
 * that the address or its region matches (region.c; when that rule names
 * a group that does not exist, the default group), else the default. region
 * gets the address's region. NULL after ERR NOTFOUND. */
static struct group *
hello_group(struct conn *c, const char *gname, char *region)
{
	const char *want = gname && *gname ? gname : NULL;
	struct group *g;

	region_of(c->addr, region, REGION_MAX);
	if (want == NULL) {
		const char *rg = region_route(c->addr, region);

		if (rg && (g = group_find(rg)) != NULL)
			return g;
		want = srv.cfg.default_group;
	}
	g = group_find(want);

	if (g == NULL)
		reply_err(c, "NOTFOUND", "no such group '%s'", want);
	return g;
}

/* The visitor's phone from HELLO (checked already; empty: none given) is
 * kept on the visitor row, and with the e-mail it links the visitor to the
 * customer card that has either. */
static int
hello_store_phone(struct visitor *v, const char *phone)
{
	if (phone && *phone && store_visitor_set_phone(v->id, phone) < 0)
		return -1;
	return customer_link_visitor(v->id, phone, v->email);
}

/* HELLO on a visitor's connection after * ENDED: a new chat, same visitor. */
static void
hello_again(struct conn *c, struct proto_req *r, struct group *g)
{
	struct visitor *v = c->visitor;
	struct chat *old = v->chat, *ch;
	const char *page = proto_opt(r, "page");
	struct agent *da;
	int bot;

	if (old && old->state != CS_ENDED) {
		reply_err(c, "STATE", "your chat %lld is still open; END it first",
		    (long long)old->id);
		return;
	}
	if (proto_opt(r, "token")) {
		reply_err(c, "ARGS", "token= resumes on a new connection; "
		    "this one is yours already");
		return;
	}
	if (!hello_allowed(c) || ban_refused(c, v->id))
		return;
	if (proto_opt(r, "name")) {
		free(v->name);
		v->name = vlimit_clean_name(proto_opt(r, "name"));
	}
	if (replace_field(&v->email, proto_opt(r, "email")) < 0 ||
	    replace_field(&v->lang, proto_opt(r, "lang")) < 0 ||
	    replace_field(&v->referrer, proto_opt(r, "referrer")) < 0) {
		reply_err(c, "INTERNAL", "out of memory");
		return;
	}
	if ((page && *page && store_page_add(v->id, page, NULL) < 0) ||
	    hello_store_phone(v, proto_opt(r, "phone")) < 0) {
		cmd_store_failed(c);
		return;
	}
	if (old) {
		chat_release_visitor(old);	/* the ended chat lets go of us */
		v->chat = NULL;
	}
	da = route_designated(proto_opt(r, "agent"));
	bot = da == NULL && bot_engages(g);
	if (!bot && offhours_hello(c, v, g))
		return;		/* closed: no chat, LEAVEMSG is offered */
	ch = chat_open(v, g, r->text ? r->text : "", bot);
	if (ch == NULL) {
		cmd_store_failed(c);
		return;
	}
	hello_started(c, v, ch, g, da);
}

/* A returning visitor keeps what they told us before unless they say anew. */
static int
known_fields(void *arg, const struct store_visitor *sv)
{
	struct visitor *v = arg;

	if (v->name == NULL)
		v->name = dup_or_null(sv->name);
	if (v->email == NULL)
		v->email = dup_or_null(sv->email);
	if (v->lang == NULL)
		v->lang = dup_or_null(sv->lang);
	return 0;
}

static void
hello_run(struct conn *c, struct proto_req *r)
{
	static char joined[PROTO_LINE_MAX];
	const char *name, *gname, *token, *page;
	struct visitor *v, *over = NULL;
	struct group *g;
	struct chat *ch;
	int64_t known = 0;
	struct agent *da;
	int bot, invited;
	char err[128], region[REGION_MAX];

	if (hello_join_words(c, r, joined, sizeof(joined)) < 0)
		return;
	for (int i = 0; i < r->argc; i++)
		if (vlimit_hello_field(r->argv[i], err, sizeof(err)) < 0) {
			reply_err(c, "ARGS", "%s", err);
			return;
		}
	if (proto_opt(r, "phone") && *proto_opt(r, "phone") &&
	    !contact_phone_ok(proto_opt(r, "phone"))) {
		reply_err(c, "ARGS", "%s", CONTACT_PHONE_RULE);
		return;
	}
	if (r->text && r->textlen > VLIMIT_QUESTION_MAX) {
		reply_err(c, "ARGS", "question longer than %d bytes",
		    VLIMIT_QUESTION_MAX);
		return;
	}
	name = proto_opt(r, "name");
	gname = proto_opt(r, "group");
	token = proto_opt(r, "token");
	page = proto_opt(r, "page");
	if (c->role == ROLE_VISITOR) {
		if ((g = hello_group(c, gname, region)) != NULL)
			hello_again(c, r, g);
		return;
	}
	if (token && *token) {
		v = visitor_by_token(token);
		if (v && v->chat && (v->chat->state != CS_ENDED || v->conn == NULL)) {
			visitor_resume(c, v);
			case_deliver(c);
			return;
		}
		over = v && v->conn ? v : NULL;	/* over, its window open */
		if (store_visitor_find_token(token, &known) < 0) {
			cmd_store_failed(c);
			return;
		}
	}
	if ((g = hello_group(c, gname, region)) == NULL || ban_refused(c, known))
		return;
	if (!hello_allowed(c))
		return;
	if (over) {	/* one connection per visitor: this one from now on */
		visitor_kick(over);
		over->chat->visitor = NULL;
		visitor_free(over);
	}
	v = calloc(1, sizeof(*v));
	if (v == NULL) {
		reply_err(c, "INTERNAL", "out of memory");
		return;
	}
	v->name = vlimit_clean_name(name);
	v->email = dup_or_null(proto_opt(r, "email"));
	v->lang = dup_or_null(proto_opt(r, "lang"));
	v->referrer = dup_or_null(proto_opt(r, "referrer"));
	v->addr = strdup(c->addr);
	v->tokens = srv.cfg.msg_burst;
	v->tokens_at = srv.now_ms;
	if (known) {
		v->id = known;
		snprintf(v->token, sizeof(v->token), "%s", token);
		if (store_visitor_touch(known, c->addr) < 0 ||
		    store_visitor_load(known, known_fields, v) < 0)
			goto fail;
	} else {
		if (auth_random_hex(v->token, 16) < 0 ||
		    store_visitor_insert(v->token, v->name, v->email, v->lang,
		    v->referrer, v->addr, &v->id) < 0)
			goto fail;
	}
	if (http_user_agent(c) && store_visitor_set_ua(v->id, http_user_agent(c)) < 0)
		goto fail;
	if ((known || *region) && store_visitor_set_region(v->id, region) < 0)
		goto fail;
	if (page && *page && store_page_add(v->id, page, NULL) < 0)
		goto fail;
	if (hello_store_phone(v, proto_opt(r, "phone")) < 0)
		goto fail;
	/* an accepted invitation goes to the inviting agent, not the bot;
	 * a visitor who named an agent who can take them goes to that agent */
	invited = c->browser && c->browser->accepting && c->browser->inviter;
	da = invited ? NULL : route_designated(proto_opt(r, "agent"));
	bot = !invited && da == NULL && bot_engages(g);
	if (!bot && offhours_hello(c, v, g)) {	/* closed: no chat, LEAVEMSG */
		if (known)
			case_deliver(c);
		return;
	}
	ch = chat_open(v, g, r->text ? r->text : "", bot);
	if (ch == NULL)
		goto fail;
	v->conn = c;
	c->visitor = v;
	c->role = ROLE_VISITOR;
	browse_hello_chat(c, ch);	/* an accepted invitation */
	hello_started(c, v, ch, g, da);
	if (known)
		case_deliver(c);
	return;
fail:
	visitor_free(v);
	cmd_store_failed(c);
}

/* A browsing visitor (BROWSE) who now has a chat, or the desk's closed
 * answer, leaves the list of browsers; one refused stays browsing. */
void
cmd_hello(struct conn *c, struct proto_req *r)
{
	hello_run(c, r);
	if (c->browser == NULL)
		return;
	if (c->role != ROLE_VISITOR) {
		c->browser->accepting = 0;
		return;
	}
	browse_became_visitor(c, c->visitor && c->visitor->chat ?
	    c->visitor->chat->id : 0);
}
