/*
 * cmd_reply.c - quick replies (快捷回复) over the protocol. Shared replies
 * (for one group or for everyone) are managed by admins; personal ones
 * (mine=1) by the agent who owns them, and nobody else sees them. Each has
 * a category, an optional short code (typed as /code in the console) and
 * a position within its category.
 *
 * Verbs (rows of proto/cmdtab.def): REPLIES REPLYADD REPLYSET REPLYDEL.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "log.h"
#include "store.h"

#define REPLY_TITLE_MAX 128
#define REPLY_TEXT_MAX 4096
#define REPLY_CAT_MAX 32
#define REPLY_CODE_MAX 16
#define REPLY_POS_MAX 100000
#define REPLY_LIST_DEF 50		/* REPLIES rows a page, by default */
#define REPLY_LIST_MAX 200		/* ... and at most */
#define REPLY_QUERY_MAX 256
#define REPLY_OWN_MAX 500		/* personal replies per agent */
#define REPLY_SHARED_MAX 5000

/* A reply as loaded for a change: who it belongs to. */
struct reply_held {
	int found;
	int64_t id;
	char group[DESK_NAME_MAX], owner[DESK_NAME_MAX];
	int shared_all;			/* group NULL */
	int personal;			/* owner not NULL */
};

/* A short code: 1-16 of A-Z a-z 0-9 _ - . ("" allowed when empty_ok). */
static int
code_ok(const char *s, int empty_ok)
{
	size_t n = strlen(s);

	if (n == 0)
		return empty_ok;
	if (n > REPLY_CODE_MAX)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_-.") == n;
}

const char *
cmd_reply_invalid(const struct store_reply *r)
{
	if (r->title && (r->title[0] == '\0' || strlen(r->title) > REPLY_TITLE_MAX))
		return "a title is 1-128 bytes";
	if (r->body && (r->body[0] == '\0' || strlen(r->body) > REPLY_TEXT_MAX))
		return "a reply's text is 1-4096 bytes";
	if (r->cat && strlen(r->cat) > REPLY_CAT_MAX)
		return "a category is at most 32 bytes";
	if (r->code && !code_ok(r->code, 1))
		return "a code is 1-16 of A-Z a-z 0-9 _ - .";
	if (r->pos > REPLY_POS_MAX)
		return "pos is 0-100000";
	return NULL;
}

/* Check the fields a REPLYADD/REPLYSET sets; ERR ARGS and -1 if bad. */
static int
fields_ok(struct conn *c, const struct store_reply *r)
{
	const char *why = cmd_reply_invalid(r);

	if (why) {
		reply_err(c, "ARGS", "%s", why);
		return -1;
	}
	return 0;
}

/* pos=N of r into *pos (-1 when absent); ERR ARGS and -1 if bad. */
static int
pos_opt(struct conn *c, struct proto_req *r, int *pos)
{
	const char *v = proto_opt(r, "pos");
	long long n;

	*pos = -1;
	if (v == NULL)
		return 0;
	if (proto_parse_int(v, 0, REPLY_POS_MAX, &n) < 0) {
		reply_err(c, "ARGS", "pos is 0-%d", REPLY_POS_MAX);
		return -1;
	}
	*pos = (int)n;
	return 0;
}

/* Is code free in the reply's scope (other than except)? ERR EXISTS/-1 if not. */
static int
code_free(struct conn *c, const char *code, const char *group,
    const char *owner, int64_t except)
{
	int64_t n;

	if (code == NULL || code[0] == '\0')
		return 0;
	if (store_reply_code_taken(code, group, owner, except, &n) < 0) {
		cmd_store_failed(c);
		return -1;
	}
	if (n > 0) {
		reply_err(c, "EXISTS", "code '%s' is taken there", code);
		return -1;
	}
	return 0;
}

/* Room for one more reply in the scope of owner (NULL: shared)? */
static int
room_left(struct conn *c, const char *owner)
{
	int64_t n;
	int max = owner ? REPLY_OWN_MAX : REPLY_SHARED_MAX;

	if (store_reply_count_owner(owner, &n) < 0) {
		cmd_store_failed(c);
		return -1;
	}
	if (n >= max) {
		reply_err(c, "LIMIT", "at most %d %s quick replies", max,
		    owner ? "personal" : "shared");
		return -1;
	}
	return 0;
}

void
cmd_replyadd(struct conn *c, struct proto_req *r)
{
	static const char *const keys[] = { "group", "cat", "code", "mine", NULL };
	const char *g = proto_opt(r, "group"), *mine = proto_opt(r, "mine");
	struct store_reply rp = { 0, NULL, NULL, proto_opt(r, "cat"),
	    proto_opt(r, "code"), r->argv[0], r->text ? r->text : "", -1 };
	int personal;
	int64_t id;

	if (cmd_opts_known(c, r, 1, keys) < 0 || fields_ok(c, &rp) < 0)
		return;
	if (mine && strcmp(mine, "0") != 0 && strcmp(mine, "1") != 0) {
		reply_err(c, "ARGS", "mine is 0 or 1");
		return;
	}
	personal = mine && strcmp(mine, "1") == 0;
	if (personal && g && *g) {
		reply_err(c, "ARGS", "a personal reply (mine=1) has no group");
		return;
	}
	if (!personal && c->agent->role != ROLE_ADMIN) {
		reply_err(c, "DENIED", "only admins add shared replies; add mine=1 for a personal one");
		return;
	}
	if (g && *g && group_find(g) == NULL) {
		reply_err(c, "NOTFOUND", "no such group '%s'", g);
		return;
	}
	rp.group = g && *g ? g : NULL;
	rp.owner = personal ? c->agent->name : NULL;
	if (rp.cat == NULL)
		rp.cat = "";
	if (rp.code == NULL)
		rp.code = "";
	if (room_left(c, rp.owner) < 0 ||
	    code_free(c, rp.code, rp.group, rp.owner, 0) < 0)
		return;
	if (store_reply_insert(&rp, &id) < 0) {
		cmd_store_failed(c);
		return;
	}
	if (!personal)
		cmd_audit_log(c, "replyadd", r->argv[0]);
	reply_ok(c, "id=%lld", (long long)id);
}

static int
held_row(void *arg, const struct store_reply *rp)
{
	struct reply_held *h = arg;

	h->found = 1;
	h->id = rp->id;
	h->shared_all = rp->group == NULL;
	h->personal = rp->owner != NULL;
	snprintf(h->group, sizeof(h->group), "%s", rp->group ? rp->group : "");
	snprintf(h->owner, sizeof(h->owner), "%s", rp->owner ? rp->owner : "");
	return 0;
}

/* Load reply arg for a change by the caller: an agent's own personal reply,
 * or (admins) a shared one. -1 after answering. */
static int
reply_mine(struct conn *c, const char *arg, struct reply_held *h)
{
	long long id;

	memset(h, 0, sizeof(*h));
	if (cmd_id_arg(c, arg, "reply number", &id) < 0)
		return -1;
	if (store_reply_get(id, held_row, h) < 0) {
		cmd_store_failed(c);
		return -1;
	}
	/* someone else's personal reply is as good as absent */
	if (!h->found || (h->personal && strcmp(h->owner, c->agent->name) != 0)) {
		reply_err(c, "NOTFOUND", "no quick reply %lld", id);
		return -1;
	}
	if (!h->personal && c->agent->role != ROLE_ADMIN) {
		reply_err(c, "DENIED", "only admins change shared replies");
		return -1;
	}
	return 0;
}

void
cmd_replyset(struct conn *c, struct proto_req *r)
{
	static const char *const keys[] = { "title", "cat", "code", "pos", NULL };
	struct store_reply rp = { 0, NULL, NULL, proto_opt(r, "cat"),
	    proto_opt(r, "code"), proto_opt(r, "title"), r->text, -1 };
	struct reply_held h;

	if (reply_mine(c, r->argv[0], &h) < 0 ||
	    cmd_opts_known(c, r, 1, keys) < 0 || fields_ok(c, &rp) < 0 ||
	    pos_opt(c, r, &rp.pos) < 0)
		return;
	if (r->argc == 1 && r->text == NULL) {
		reply_err(c, "ARGS", "nothing to change: give title=, cat=, code=, pos= or :text");
		return;
	}
	rp.id = h.id;
	if (code_free(c, rp.code, h.shared_all ? NULL : h.group,
	    h.personal ? h.owner : NULL, h.id) < 0)
		return;
	if (store_reply_update(&rp) != 0) {
		cmd_store_failed(c);
		return;
	}
	if (!h.personal)
		cmd_audit_log(c, "replyset", r->argv[0]);
	reply_ok(c, NULL);
}

void
cmd_replydel(struct conn *c, struct proto_req *r)
{
	struct reply_held h;

	if (reply_mine(c, r->argv[0], &h) < 0)
		return;
	if (store_reply_delete(h.id) != 0) {
		cmd_store_failed(c);
		return;
	}
	if (!h.personal)
		cmd_audit_log(c, "replydel", r->argv[0]);
	reply_ok(c, NULL);
}

static int
list_row(void *arg, const struct store_reply *rp)
{
	struct list_page *pg = arg;
	struct pbuf *b;
	int rc;

	if ((b = list_row_id(pg, (long long)rp->id, &rc)) == NULL)
		return rc;
	proto_put_kv(b, "group", rp->group ? rp->group : "");
	proto_put_kv(b, "mine", rp->owner ? "1" : "0");
	proto_put_kv(b, "cat", rp->cat);
	proto_put_kv(b, "code", rp->code);
	proto_put_kvi(b, "pos", rp->pos);
	proto_put_kv(b, "title", rp->title);
	proto_put_text(b, rp->body, strlen(rp->body));
	return list_row_end(pg);
}

void
cmd_replies(struct conn *c, struct proto_req *r)
{
	static const char *const keys[] = { "chat", NULL };
	struct list_page pg;
	const char *cv, *grp = NULL;
	char groups[512];

	if (list_init(&pg, c, r, 1, REPLY_LIST_DEF, REPLY_LIST_MAX) < 0 ||
	    cmd_opts_known(c, r, 0, keys) < 0)
		return;
	if (r->textlen > REPLY_QUERY_MAX) {
		reply_err(c, "ARGS", "query longer than %d bytes", REPLY_QUERY_MAX);
		return;
	}
	if ((cv = proto_opt(r, "chat")) != NULL) {
		struct chat *ch = cmd_chat_arg(c, cv);

		if (ch == NULL)
			return;
		grp = ch->group ? ch->group->name : NULL;
	}
	group_mask_format(c->agent->groups, groups, sizeof(groups));
	list_done(&pg, store_reply_search(r->text ? r->text : "",
	    c->agent->name, grp, groups, list_query_limit(&pg), list_row, &pg));
}
