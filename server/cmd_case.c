/*
 * cmd_case.c - cases (留言/工单): a visitor nobody could take leaves a
 * message with how to reach them (LEAVEMSG), an agent turns a chat into a
 * follow-up (CASEFROM); staff list, read, assign, note, reply and close
 * them. A reply reaches the visitor at once if they are connected, else
 * when they come back with their token (case_deliver(), called by HELLO).
 *
 * Cases live in the store only (store_case.c). Who may see a case is the
 * chat rule with the assignee as owner (access_case()).
 *
 * Verbs (rows of proto/cmdtab.def): LEAVEMSG CASES CASE CASESET CASENOTE
 * CASEREPLY CASEFROM.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "chat.h"
#include "cmd.h"
#include "contact.h"
#include "log.h"
#include "store.h"

#define CASE_FIELD_MAX	256	/* name, phone, email */
#define CASE_OPEN_MAX	5	/* cases not closed, per visitor */
#define CASE_LIST_DEF	50
#define CASE_LIST_MAX	200
#define CASE_PREVIEW	120	/* bytes of the message in a CASES row */

static const char *const case_states[] = { "new", "open", "pending",
    "closed", NULL };

/* What a command needs of a case after the store's row is gone. */
struct case_ref {
	int64_t id, visitor;
	char group[DESK_NAME_MAX];
	char state[16];
	char assignee[DESK_NAME_MAX];
};

static int
is_state(const char *s)
{
	for (const char *const *k = case_states; *k; k++)
		if (strcmp(*k, s) == 0)
			return 1;
	return 0;
}

const char *
case_requirement(const struct group *g)
{
	const struct config_group *cg = config_group_find(&srv.cfg, g->name);

	return cg && cg->leave_require ? cg->leave_require : "phone|email";
}

/* Bytes of s to show in at most max bytes, not cutting a UTF-8 sequence. */
static size_t
utf8_cut(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

/* ---- events ---- */

/* The event in ev_begin()'s buffer to everyone who may see the case. */
static void
ev_to_case_staff(const char *group, const char *assignee)
{
	struct group *g = group_find(group);
	struct agent *a = *assignee ? agent_find(assignee) : NULL;

	ev_to_group_agents(g);
	if (a && !access_group(a, g))
		ev_send_agent(a);
}

static int
ev_case_new(void *arg, const struct store_case *k)
{
	struct pbuf *b = ev_begin();

	pbuf_printf(b, " CASENEW %lld", (long long)k->id);
	proto_put_kv(b, "group", k->group);
	proto_put_kvi(b, "visitor", k->visitor);
	proto_put_kv(b, "name", k->name);
	if (k->chat)
		proto_put_kvi(b, "chat", k->chat);
	if (*k->assignee)
		proto_put_kv(b, "assignee", k->assignee);
	proto_put_text(b, k->body, utf8_cut(k->body, CASE_PREVIEW));
	ev_to_case_staff(k->group, k->assignee);
	return 0;
}

/* * CASENEW to the staff who may see the new case id. */
static void
case_announce(int64_t id)
{
	if (store_case_get(id, ev_case_new, NULL) != 0)
		log_warn("case %lld: not announced: %s", (long long)id,
		    store_errmsg());
}

static void
ev_case_upd(const struct case_ref *k, const char *what, const char *by)
{
	struct pbuf *b = ev_begin();

	pbuf_printf(b, " CASEUPD %lld", (long long)k->id);
	proto_put_kv(b, "state", k->state);
	proto_put_kv(b, "assignee", k->assignee);
	proto_put_kv(b, "what", what);
	proto_put_kv(b, "by", by);
	ev_to_case_staff(k->group, k->assignee);
}

/* ---- delivering replies to the visitor ---- */

struct deliver {
	struct conn *c;
	int64_t ids[100];
	int n;
};

static void
ev_case_reply(struct conn *c, int64_t id, int64_t event, time_t ts,
    const char *actor, const char *body)
{
	struct agent *a = agent_find(actor);
	struct pbuf *b = ev_begin();

	pbuf_printf(b, " CASEREPLY %lld %lld", (long long)id, (long long)event);
	proto_put_kvi(b, "ts", (long long)ts);
	proto_put_kv(b, "from", a ? a->display : actor);
	proto_put_text(b, body, strlen(body));
	ev_send(c);
}

static int
deliver_row(void *arg, const struct store_case_event *e)
{
	struct deliver *d = arg;

	if (d->n >= (int)(sizeof(d->ids) / sizeof(d->ids[0])))
		return -1;
	ev_case_reply(d->c, e->case_id, e->id, e->ts, e->actor, e->body);
	d->ids[d->n++] = e->id;
	return 0;
}

void
case_deliver(struct conn *c)
{
	struct deliver d = { c, { 0 }, 0 };

	if (c->visitor == NULL)
		return;
	if (store_case_undelivered(c->visitor->id, deliver_row, &d) < 0)
		log_warn("case replies for visitor %lld: %s",
		    (long long)c->visitor->id, store_errmsg());
	for (int i = 0; i < d.n; i++)
		if (store_case_delivered(d.ids[i]) < 0)
			log_warn("case reply %lld: %s", (long long)d.ids[i],
			    store_errmsg());
}

/* The connection of visitor id, if they are here now. */
static struct conn *
visitor_conn(int64_t id)
{
	for (int fd = 0; id && fd < srv.maxfds; fd++) {
		struct conn *c = srv.conns[fd];

		if (c && !c->dead && c->role == ROLE_VISITOR && c->visitor &&
		    c->visitor->id == id && c->visitor->conn == c)
			return c;
	}
	return NULL;
}

/* ---- LEAVEMSG ---- */

/* Does the contact meet the requirement "name,phone|email"? If not, the
 * first unmet item, alternatives joined by " or ", goes into missing. */
static int
contact_ok(const char *req, const char *name, const char *phone,
    const char *email, char *missing, size_t len)
{
	while (*req) {
		size_t n = strcspn(req, ",");
		int met = 0;
		size_t used = 0;

		missing[0] = '\0';
		for (size_t i = 0; i < n;) {
			size_t w = strcspn(req + i, ",|");
			const char *v = !strncmp(req + i, "name", w) ? name :
			    !strncmp(req + i, "phone", w) ? phone : email;

			if (v && *v)
				met = 1;
			if (used < len)
				used += (size_t)snprintf(missing + used, len - used,
				    "%s%.*s", used ? " or " : "", (int)w, req + i);
			i += w + (req[i + w] == '|');
		}
		if (!met)
			return 0;
		req += n + (req[n] == ',');
	}
	return 1;
}

/* LEAVEMSG's contact fields: known, short enough, well-formed. */
static int
leave_fields_ok(struct conn *c, struct proto_req *r, const char *phone,
    const char *email)
{
	static const char *const keys[] = { "name", "phone", "email", "group",
	    NULL };

	if (cmd_opts_known(c, r, 0, keys) < 0)
		return 0;
	for (int i = 0; i < r->argc; i++)
		if (strlen(r->argv[i]) > CASE_FIELD_MAX + 6) {
			reply_err(c, "ARGS", "contact fields are at most %d bytes",
			    CASE_FIELD_MAX);
			return 0;
		}
	if (phone && *phone && !contact_phone_ok(phone)) {
		reply_err(c, "ARGS", "%s", CONTACT_PHONE_RULE);
		return 0;
	}
	if (email && *email && !contact_email_ok(email)) {
		reply_err(c, "ARGS", "email: that is not an e-mail address");
		return 0;
	}
	if (r->textlen == 0 || r->textlen > CMD_MSG_MAX) {
		reply_err(c, "ARGS", "a message must be 1-%d bytes", CMD_MSG_MAX);
		return 0;
	}
	return 1;
}

/* The group of a LEAVEMSG: group=, else the chat's, else the one asked
 * for at a HELLO while it was closed, else the default; NULL after ERR
 * NOTFOUND. */
static struct group *
leave_group(struct conn *c, struct proto_req *r)
{
	const char *want = proto_opt(r, "group");
	struct visitor *v = c->visitor;
	struct group *g;

	if (want == NULL || *want == '\0') {
		if (v->chat)
			return v->chat->group;
		if (v->asked)
			return v->asked;
		want = srv.cfg.default_group;
	}
	if ((g = group_find(want)) == NULL)
		reply_err(c, "NOTFOUND", "no such group '%s'", want);
	return g;
}

void
cmd_leavemsg(struct conn *c, struct proto_req *r)
{
	struct visitor *v = c->visitor;
	struct chat *ch = v ? v->chat : NULL;
	const char *name = proto_opt(r, "name"), *phone = proto_opt(r, "phone");
	const char *email = proto_opt(r, "email");
	struct store_case k = { 0 };
	char missing[64];
	struct group *g;
	int64_t id, open;

	if (v == NULL || ban_refused(c, v->id) ||
	    !leave_fields_ok(c, r, phone, email) || (g = leave_group(c, r)) == NULL)
		return;
	if (ch && ch->state == CS_ASSIGNED) {
		reply_err(c, "STATE", "an agent is with you in chat %lld; tell them here",
		    (long long)ch->id);
		return;
	}
	if (name == NULL || *name == '\0')
		name = v->name;
	if (email == NULL || *email == '\0')
		email = v->email;
	if (!contact_ok(case_requirement(g), name, phone, email, missing,
	    sizeof(missing))) {
		reply_err(c, "ARGS", "please give your %s so that we can answer you", missing);
		return;
	}
	if (store_case_open_count(v->id, &open) < 0) {
		cmd_store_failed(c);
		return;
	}
	if (open >= CASE_OPEN_MAX) {
		reply_err(c, "LIMIT", "you have %lld messages waiting for an answer already",
		    (long long)open);
		return;
	}
	k.group = g->name;
	k.visitor = v->id;
	k.chat = ch && (ch->state == CS_QUEUED || ch->state == CS_BOT) ?
	    ch->id : 0;
	k.source = "message";
	k.name = name;
	k.phone = phone;
	k.email = email;
	k.body = r->text;
	k.state = "new";
	k.assignee = "";
	if (store_case_insert(&k, v->name ? v->name : "visitor", &id) < 0 ||
	    customer_link_visitor(v->id, phone, email) < 0) {
		cmd_store_failed(c);
		return;
	}
	reply_ok(c, "case=%lld", (long long)id);
	if (k.chat)		/* they gave up waiting: the chat ends */
		chat_end(ch, "visitor");
	case_announce(id);
}

/* ---- reading cases ---- */

static int
case_copy(void *arg, const struct store_case *s)
{
	struct case_ref *k = arg;

	k->id = s->id;
	k->visitor = s->visitor;
	snprintf(k->group, sizeof(k->group), "%s", s->group);
	snprintf(k->state, sizeof(k->state), "%s", s->state);
	snprintf(k->assignee, sizeof(k->assignee), "%s", s->assignee);
	return 0;
}

/* The case numbered arg, if c may see it; -1 after the error reply. */
static int
case_load(struct conn *c, const char *arg, struct case_ref *k)
{
	long long id;
	int rc;

	if (cmd_id_arg(c, arg, "case number", &id) < 0)
		return -1;
	if ((rc = store_case_get(id, case_copy, k)) < 0) {
		cmd_store_failed(c);
		return -1;
	}
	if (rc == 1) {
		reply_err(c, "NOTFOUND", "no case %lld", id);
		return -1;
	}
	if (!access_case(c->agent, k->group, k->assignee)) {
		reply_err(c, "DENIED", "case %lld is not in your groups", id);
		return -1;
	}
	return 0;
}

void
case_put(struct pbuf *b, const struct store_case *k, size_t textmax)
{
	pbuf_printf(b, " %lld", (long long)k->id);
	proto_put_kv(b, "group", k->group);
	proto_put_kv(b, "state", k->state);
	proto_put_kv(b, "assignee", k->assignee);
	proto_put_kvi(b, "visitor", k->visitor);
	proto_put_kvi(b, "chat", k->chat);
	proto_put_kv(b, "source", k->source);
	proto_put_kv(b, "name", k->name);
	proto_put_kv(b, "phone", k->phone);
	proto_put_kv(b, "email", k->email);
	proto_put_kvi(b, "created", (long long)k->created);
	proto_put_kvi(b, "updated", (long long)k->updated);
	proto_put_kvi(b, "replies", k->replies);
	proto_put_text(b, k->body, utf8_cut(k->body, textmax));
}

struct case_rows {
	struct cmd_rows rows;
	int limit;
	int more;		/* a row past the page came */
	int64_t next;		/* the last row's id: the next page's before= */
};

static int
list_row(void *arg, const struct store_case *k)
{
	struct case_rows *x = arg;

	if (x->rows.n >= x->limit) {
		x->more = 1;
		return -1;
	}
	case_put(row_begin(x->rows.c), k, CASE_PREVIEW);
	x->next = k->id;
	return cmd_row_end(&x->rows);
}

/* CASES' words: a state or a group, and options; -1 after ERR. */
static int
cases_args(struct conn *c, struct proto_req *r, struct store_case_filter *f,
    int *limit)
{
	static const char *const keys[] = { "assignee", "before", "limit", NULL };
	const char *as = proto_opt(r, "assignee"), *v;
	long long n;
	int i;

	for (i = 0; i < r->argc && !strchr(r->argv[i], '='); i++) {
		const char *w = r->argv[i];

		if (is_state(w) || !strcmp(w, "active") || !strcmp(w, "all"))
			f->state = strcmp(w, "all") ? w : "";
		else if (group_find(w) == NULL) {
			reply_err(c, "NOTFOUND", "'%s' is no state and no group", w);
			return -1;
		} else if (!access_group(c->agent, group_find(w))) {
			reply_err(c, "DENIED", "group %s is not yours", w);
			return -1;
		} else
			f->group = w;
	}
	if (cmd_opts_known(c, r, i, keys) < 0)
		return -1;
	if (as)
		f->assignee = !strcmp(as, "none") ? "" : !strcmp(as, "me") ?
		    c->agent->name : as;
	if ((v = proto_opt(r, "before")) && cmd_id_arg(c, v, "case number",
	    &n) < 0)
		return -1;
	f->before = v ? n : INT64_MAX;
	if ((v = proto_opt(r, "limit")) &&
	    proto_parse_int(v, 1, CASE_LIST_MAX, &n) < 0) {
		reply_err(c, "ARGS", "limit is 1-%d", CASE_LIST_MAX);
		return -1;
	}
	*limit = v ? (int)n : CASE_LIST_DEF;
	return 0;
}

void
cmd_cases(struct conn *c, struct proto_req *r)
{
	struct store_case_filter f = { "active", "", NULL, INT64_MAX, 0, "",
	    c->agent->name, 0 };
	struct case_rows x = { { c, 0 }, 0, 0, 0 };
	char groups[DESK_MAX_GROUPS * (DESK_NAME_MAX + 1) + 2];
	size_t used = 1;
	int rc;

	if (cases_args(c, r, &f, &x.limit) < 0)
		return;
	f.all_groups = (c->agent->role & (ROLE_SUPERVISOR | ROLE_ADMIN)) != 0;
	groups[0] = '\x1f';
	for (int i = 0; i < desk.ngroups; i++)
		if (access_group(c->agent, &desk.groups[i]))
			used += (size_t)snprintf(groups + used, sizeof(groups) - used,
			    "%s\x1f", desk.groups[i].name);
	groups[used] = '\0';
	f.groups = groups;
	f.limit = x.limit + 1;
	rc = store_case_list(&f, list_row, &x);
	if (rc < 0) {
		cmd_store_failed(c);
		return;
	}
	if (x.more)
		reply_ok(c, "%d next=%lld", x.rows.n, (long long)x.next);
	else
		reply_ok(c, "%d", x.rows.n);
}

struct case_show {
	struct cmd_rows rows;
	int allowed;
};

static int
show_head(void *arg, const struct store_case *k)
{
	struct case_show *x = arg;
	struct pbuf *b;

	if (!access_case(x->rows.c->agent, k->group, k->assignee))
		return -1;
	x->allowed = 1;
	b = row_begin(x->rows.c);
	pbuf_adds(b, " case");
	case_put(b, k, CMD_MSG_MAX);
	return cmd_row_end(&x->rows);
}

static int
show_event(void *arg, const struct store_case_event *e)
{
	struct cmd_rows *x = arg;
	struct pbuf *b = row_begin(x->c);

	pbuf_printf(b, " event %lld", (long long)e->id);
	proto_put_kvi(b, "ts", (long long)e->ts);
	proto_put_kv(b, "kind", e->kind);
	proto_put_kv(b, "from", e->actor);
	if (!strcmp(e->kind, "reply"))
		proto_put_kvi(b, "delivered", e->delivered);
	proto_put_text(b, e->body, strlen(e->body));
	return cmd_row_end(x);
}

void
cmd_case(struct conn *c, struct proto_req *r)
{
	struct case_show x = { { c, 0 }, 0 };
	long long id;
	int rc;

	if (cmd_id_arg(c, r->argv[0], "case number", &id) < 0)
		return;
	if ((rc = store_case_get(id, show_head, &x)) < 0) {
		cmd_store_failed(c);
		return;
	}
	if (rc == 1) {
		reply_err(c, "NOTFOUND", "no case %lld", id);
		return;
	}
	if (!x.allowed) {
		reply_err(c, "DENIED", "case %lld is not in your groups", id);
		return;
	}
	cmd_rows_done(&x.rows, store_case_events(id, show_event, &x.rows));
}

/* ---- working on a case ---- */

/* Record a change of k's state or assignee (already in k) and tell. */
static int
case_change(struct conn *c, struct case_ref *k, const char *state,
    const char *assignee)
{
	const char *actor = c->agent->name;
	int st = strcmp(state, k->state) != 0;
	int as = strcmp(assignee, k->assignee) != 0;
	char detail[64];

	if (!st && !as)
		return 0;
	if (store_case_set(k->id, state, assignee) < 0)
		return -1;
	if (st) {
		snprintf(detail, sizeof(detail), "%s>%s", k->state, state);
		if (store_case_event_add(k->id, actor, "state", detail, 0, NULL) < 0)
			return -1;
		snprintf(k->state, sizeof(k->state), "%s", state);
	}
	if (as) {
		if (store_case_event_add(k->id, actor, "assign", assignee, 0,
		    NULL) < 0)
			return -1;
		snprintf(k->assignee, sizeof(k->assignee), "%s", assignee);
	}
	return 1;
}

void
cmd_caseset(struct conn *c, struct proto_req *r)
{
	static const char *const keys[] = { "state", "assignee", NULL };
	const char *state = proto_opt(r, "state"), *as = proto_opt(r, "assignee");
	struct case_ref k;
	struct agent *a = NULL;
	char assignee[DESK_NAME_MAX];
	int rc;

	if (cmd_opts_known(c, r, 1, keys) < 0)
		return;
	if (state == NULL && as == NULL) {
		reply_err(c, "ARGS", "usage: CASESET <case> [state=new|open|pending|closed] [assignee=NAME|none]");
		return;
	}
	if (state && !is_state(state)) {
		reply_err(c, "ARGS", "state is new, open, pending or closed");
		return;
	}
	if (as && strcmp(as, "none") && (a = agent_find(as)) == NULL) {
		reply_err(c, "NOTFOUND", "no such user '%.64s'", as);
		return;
	}
	if (case_load(c, r->argv[0], &k) < 0)
		return;
	snprintf(assignee, sizeof(assignee), "%s", as ? (a ? a->name : "") :
	    k.assignee);
	if (state == NULL)	/* someone takes a new case: it is open */
		state = a && !strcmp(k.state, "new") ? "open" : k.state;
	if ((rc = case_change(c, &k, state, assignee)) < 0) {
		cmd_store_failed(c);
		return;
	}
	reply_ok(c, "state=%s assignee=%s", k.state, *k.assignee ? k.assignee : "none");
	if (rc > 0)
		ev_case_upd(&k, "set", c->agent->name);
}

void
cmd_casenote(struct conn *c, struct proto_req *r)
{
	struct case_ref k;
	int64_t eid;

	if (cmd_msg_text(c, r) < 0 || case_load(c, r->argv[0], &k) < 0)
		return;
	if (store_case_event_add(k.id, c->agent->name, "note", r->text, 0,
	    &eid) < 0) {
		cmd_store_failed(c);
		return;
	}
	reply_ok(c, "id=%lld", (long long)eid);
	ev_case_upd(&k, "note", c->agent->name);
}

void
cmd_casereply(struct conn *c, struct proto_req *r)
{
	struct case_ref k;
	struct conn *vc;
	int64_t eid;

	if (cmd_msg_text(c, r) < 0 || case_load(c, r->argv[0], &k) < 0)
		return;
	if (!strcmp(k.state, "closed")) {
		reply_err(c, "STATE", "case %lld is closed; CASESET %lld state=open first",
		    (long long)k.id, (long long)k.id);
		return;
	}
	if (k.visitor == 0) {
		reply_err(c, "STATE", "case %lld has no visitor to answer", (long long)k.id);
		return;
	}
	vc = visitor_conn(k.visitor);
	if (store_case_event_add(k.id, c->agent->name, "reply", r->text,
	    vc != NULL, &eid) < 0 ||
	    case_change(c, &k, !strcmp(k.state, "new") ? "open" : k.state,
	    k.assignee) < 0) {
		cmd_store_failed(c);
		return;
	}
	reply_ok(c, "id=%lld delivered=%d", (long long)eid, vc != NULL);
	if (vc)
		ev_case_reply(vc, k.id, eid, time(NULL), c->agent->name, r->text);
	ev_case_upd(&k, "reply", c->agent->name);
}

void
cmd_casefrom(struct conn *c, struct proto_req *r)
{
	char grp[DESK_NAME_MAX], owner[DESK_NAME_MAX];
	long long chat;
	int64_t id;
	int rc;

	if (cmd_id_arg(c, r->argv[0], "chat number", &chat) < 0)
		return;
	if (r->textlen > CMD_MSG_MAX) {
		reply_err(c, "ARGS", "a note is at most %d bytes", CMD_MSG_MAX);
		return;
	}
	rc = store_chat_access(chat, grp, sizeof(grp), owner, sizeof(owner));
	if (rc < 0) {
		cmd_store_failed(c);
		return;
	}
	if (rc == 1 || !access_chat(c->agent, chat, grp, owner)) {
		reply_err(c, rc == 1 ? "NOTFOUND" : "DENIED", rc == 1 ?
		    "no chat %lld" : "chat %lld is not in your groups", chat);
		return;
	}
	if ((rc = store_case_of_chat(chat, &id)) <= 0) {
		if (rc < 0)
			cmd_store_failed(c);
		else
			reply_err(c, "EXISTS", "chat %lld is case %lld already",
			    chat, (long long)id);
		return;
	}
	if (store_case_from_chat(chat, c->agent->name, r->text, &id) != 0) {
		cmd_store_failed(c);
		return;
	}
	reply_ok(c, "case=%lld", (long long)id);
	case_announce(id);
}
