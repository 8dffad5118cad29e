/*
 * cmd_internal.c - the internal conversation (内部对话): staff talk to a
 * colleague (agent:NAME), to a group they belong to (group:NAME) or to
 * everyone (all), apart from the visitor chats. Messages are stored
 * (store_internal.c) before the OK; whoever is connected gets * IMSG at
 * once, and everyone finds what they missed with IUNREAD (an agent who
 * logs in with unread messages gets * IUNREAD after the OK).
 *
 * Privacy: a conversation between two colleagues is theirs alone (no
 * role reads another pair's messages); a group's conversation belongs to
 * the group's members; "all" to every staff member.
 *
 * Also WATCHERS: who else is looking at a chat (monitoring supervisors,
 * invited agents); the chat's agents get * WATCHERS when that changes
 * (chat_watchers_tell() in chat.c).
 *
 * Verbs (rows of proto/cmdtab.def): IMSG IMSGS IREAD IUNREAD WATCHERS.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "access.h"
#include "chat.h"
#include "cmd.h"
#include "log.h"
#include "store.h"

#define IMSG_LIST_DEF	50	/* IMSGS rows a page, by default */
#define IMSG_LIST_MAX	200	/* ... and at most */

/* A conversation as stored (key) and as the caller names it (shown). */
struct conv {
	char key[2 * DESK_NAME_MAX + 8];
	char shown[DESK_NAME_MAX + 8];
	const char *a, *b;		/* the two of a pair, sorted */
	struct agent *peer;		/* agent:NAME */
	struct group *group;		/* group:NAME */
};

static int
in_group(const struct agent *a, const struct group *g)
{
	return (a->groups & (1ULL << g->id)) != 0;
}

/* "agent:NAME", "group:NAME" or "all" for the caller; -1 after answering. */
static int
conv_of(struct conn *c, const char *arg, struct conv *v)
{
	struct agent *me = c->agent;

	memset(v, 0, sizeof(*v));
	if (strcmp(arg, "all") == 0) {
		snprintf(v->key, sizeof(v->key), "all");
		snprintf(v->shown, sizeof(v->shown), "all");
		return 0;
	}
	if (strncmp(arg, "agent:", 6) == 0) {
		v->peer = agent_find(arg + 6);
		if (v->peer == NULL || v->peer->deleted) {
			reply_err(c, "NOTFOUND", "no account '%.64s'", arg + 6);
			return -1;
		}
		if (v->peer == me) {
			reply_err(c, "ARGS", "that is you");
			return -1;
		}
		v->a = strcmp(me->name, v->peer->name) < 0 ? me->name : v->peer->name;
		v->b = v->a == me->name ? v->peer->name : me->name;
		snprintf(v->key, sizeof(v->key), "pair:%s:%s", v->a, v->b);
		snprintf(v->shown, sizeof(v->shown), "agent:%s", v->peer->name);
		return 0;
	}
	if (strncmp(arg, "group:", 6) == 0) {
		if ((v->group = group_find(arg + 6)) == NULL) {
			reply_err(c, "NOTFOUND", "no such group '%.64s'", arg + 6);
			return -1;
		}
		if (!in_group(me, v->group)) {
			reply_err(c, "DENIED", "you are not in group %s", v->group->name);
			return -1;
		}
		snprintf(v->key, sizeof(v->key), "group:%s", v->group->name);
		snprintf(v->shown, sizeof(v->shown), "group:%s", v->group->name);
		return 0;
	}
	reply_err(c, "ARGS", "a conversation is agent:NAME, group:NAME or all");
	return -1;
}

/* "* IMSG ID conv=C from=NAME display=D ts=EPOCH :text" to a. */
static void
ev_imsg(struct agent *a, const char *conv, const struct store_imsg *m,
    const struct agent *from, size_t len)
{
	struct pbuf *b = ev_begin();

	pbuf_printf(b, " IMSG %lld", (long long)m->id);
	proto_put_kv(b, "conv", conv);
	proto_put_kv(b, "from", from->name);
	proto_put_kv(b, "display", from->display);
	proto_put_kvi(b, "ts", (long long)m->ts);
	proto_put_text(b, m->body, len);
	ev_send_agent(a);
}

void
cmd_imsg(struct conn *c, struct proto_req *r)
{
	struct agent *me = c->agent;
	struct store_imsg m = { 0 };
	struct conv v;
	char other[DESK_NAME_MAX + 8];
	int64_t id;

	if (conv_of(c, r->argv[0], &v) < 0 || cmd_msg_text(c, r) < 0)
		return;
	m.ts = time(NULL);
	m.sender = me->name;
	m.conv = v.key;
	m.peer_a = v.a;
	m.peer_b = v.b;
	m.body = r->text;
	if (store_imsg_add(&m, &id) < 0 || store_imsg_read(me->name, v.key, id) < 0) {
		cmd_store_failed(c);
		return;
	}
	m.id = id;
	reply_ok(c, "id=%lld", (long long)id);
	if (v.peer) {
		ev_imsg(me, v.shown, &m, me, r->textlen);
		snprintf(other, sizeof(other), "agent:%s", me->name);
		ev_imsg(v.peer, other, &m, me, r->textlen);
		return;
	}
	for (struct agent *a = desk.agents; a; a = a->next)
		if (!a->deleted && a->conn && (v.group == NULL || in_group(a, v.group)))
			ev_imsg(a, v.shown, &m, me, r->textlen);
}

static int
imsg_row(void *arg, const struct store_imsg *m)
{
	struct list_page *pg = arg;
	struct pbuf *b;
	int rc;

	if ((b = list_row_id(pg, (long long)m->id, &rc)) == NULL)
		return rc;
	proto_put_kvi(b, "ts", (long long)m->ts);
	proto_put_kv(b, "from", m->sender);
	proto_put_text(b, m->body, strlen(m->body));
	return list_row_end(pg);
}

void
cmd_imsgs(struct conn *c, struct proto_req *r)
{
	struct list_page pg;
	struct conv v;

	if (list_init(&pg, c, r, 1, IMSG_LIST_DEF, IMSG_LIST_MAX) < 0 ||
	    conv_of(c, r->argv[0], &v) < 0)
		return;
	list_done(&pg, store_imsg_list(v.key, list_query_limit(&pg), imsg_row,
	    &pg));
}

void
cmd_iread(struct conn *c, struct proto_req *r)
{
	static const char *const keys[] = { "upto", NULL };
	const char *upto = proto_opt(r, "upto");
	struct conv v;
	long long n = 0;

	if (conv_of(c, r->argv[0], &v) < 0 || cmd_opts_known(c, r, 1, keys) < 0)
		return;
	if (upto && cmd_id_arg(c, upto, "message number", &n) < 0)
		return;
	if (store_imsg_read(c->agent->name, v.key, n) < 0) {
		cmd_store_failed(c);
		return;
	}
	reply_ok(c, NULL);
}

/* ",group:a,group:b," of a's groups, for store_imsg_unread(). */
static void
group_convs(const struct agent *a, char *buf, size_t len)
{
	size_t used = (size_t)snprintf(buf, len, ",");

	for (int i = 0; i < desk.ngroups && used < len; i++)
		if (in_group(a, &desk.groups[i]))
			used += (size_t)snprintf(buf + used, len - used, "group:%s,",
			    desk.groups[i].name);
}

struct unread {
	struct list_page *pg;	/* NULL: only add up */
	const struct agent *me;
	int64_t total, convs;
};

static int
unread_row(void *arg, const char *conv, const char *a, const char *b,
    int64_t n, int64_t last)
{
	struct unread *x = arg;
	char shown[DESK_NAME_MAX + 8];
	struct pbuf *pb;
	int take;

	if (a && b)
		snprintf(shown, sizeof(shown), "agent:%s",
		    strcmp(a, x->me->name) == 0 ? b : a);
	else
		snprintf(shown, sizeof(shown), "%s", conv);
	x->total += n;
	x->convs += n > 0;
	if (x->pg == NULL)
		return 0;
	if ((take = list_take(x->pg)) <= 0)
		return take;
	pb = row_begin(x->pg->c);
	proto_put_word(pb, shown);
	proto_put_kvi(pb, "unread", (long long)n);
	proto_put_kvi(pb, "last", (long long)last);
	return list_row_end(x->pg);
}

/* IUNREAD: each conversation the caller takes part in, most recent first. */
void
cmd_iunread(struct conn *c, struct proto_req *r)
{
	struct list_page pg;
	struct unread x = { &pg, c->agent, 0, 0 };
	char groups[DESK_MAX_GROUPS * (DESK_NAME_MAX + 8)];

	if (list_init(&pg, c, r, 0, LIST_DEF, LIST_MAX) < 0)
		return;
	group_convs(c->agent, groups, sizeof(groups));
	list_done(&pg, store_imsg_unread(c->agent->name, groups, unread_row, &x));
}

void
internal_login(struct conn *c, struct agent *a)
{
	struct unread x = { NULL, a, 0, 0 };
	char groups[DESK_MAX_GROUPS * (DESK_NAME_MAX + 8)];
	struct pbuf *b;

	group_convs(a, groups, sizeof(groups));
	if (store_imsg_unread(a->name, groups, unread_row, &x) < 0) {
		log_warn("internal: unread of %s: %s", a->name, store_errmsg());
		return;
	}
	if (x.total == 0)
		return;
	b = ev_begin();
	pbuf_printf(b, " IUNREAD total=%lld convs=%lld", (long long)x.total,
	    (long long)x.convs);
	ev_send(c);
}

/* WATCHERS: who else is looking at a chat the caller may see. */
void
cmd_watchers(struct conn *c, struct proto_req *r)
{
	struct chat *ch = cmd_chat_arg(c, r->argv[0]);

	if (ch == NULL)
		return;
	if (!access_chat(c->agent, ch->id, NULL, NULL)) {
		reply_err(c, "DENIED", "chat %lld belongs to another group",
		    (long long)ch->id);
		return;
	}
	{
		struct pbuf *b = conn_begin(c, c->tag);

		pbuf_adds(b, "OK");
		chat_watchers_put(b, ch);
		conn_end(c);
	}
}
