/*
 * cmd_kb.c - the bot's knowledge base over the protocol: admins add,
 * change and delete entries (audited); all staff list them and search
 * them for an answer to suggest (the same matching the bot uses, kb.c).
 *
 * Verbs (rows of proto/cmdtab.def): KB KBADD KBSET KBDEL KBSEARCH.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "cmd.h"
#include "kb.h"
#include "log.h"
#include "store.h"

#define KB_LIST_DEF 50		/* KB rows a page, by default */
#define KB_LIST_MAX 200		/* ... and at most */
#define KB_QUERY_MAX 256	/* KB's :query */
#define KB_SEARCH_DEF 3		/* KBSEARCH rows by default */

/* enabled=0|1 of r into *en (-1: absent); ERR ARGS and -1 if bad. */
static int
enabled_opt(struct conn *c, struct proto_req *r, int *en)
{
	const char *v = proto_opt(r, "enabled");

	*en = -1;
	if (v == NULL)
		return 0;
	if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0) {
		reply_err(c, "ARGS", "enabled is 0 or 1");
		return -1;
	}
	*en = v[0] - '0';
	return 0;
}

/* The fields are acceptable and group (if any, not "") exists; else -1. */
static int
entry_ok(struct conn *c, const struct store_kb *k)
{
	const char *why = kb_entry_invalid(k);

	if (why) {
		reply_err(c, "ARGS", "%s", why);
		return -1;
	}
	if (k->group && *k->group && group_find(k->group) == NULL) {
		reply_err(c, "NOTFOUND", "no such group '%s'", k->group);
		return -1;
	}
	return 0;
}

void
cmd_kbadd(struct conn *c, struct proto_req *r)
{
	static const char *const keys[] = { "group", "keys", "enabled", NULL };
	const char *g = proto_opt(r, "group");
	struct store_kb k = { 0, g && *g ? g : NULL, r->argv[0],
	    proto_opt(r, "keys"), r->text ? r->text : "", 1, 0 };
	int64_t n, id;

	if (cmd_opts_known(c, r, 1, keys) < 0 || enabled_opt(c, r, &k.enabled) < 0)
		return;
	if (k.keys == NULL)
		k.keys = "";
	if (k.enabled < 0)
		k.enabled = 1;
	if (entry_ok(c, &k) < 0)
		return;
	if (store_kb_count(&n) < 0) {
		cmd_store_failed(c);
		return;
	}
	if (n >= KB_ENTRIES_MAX) {
		reply_err(c, "LIMIT", "at most %d knowledge-base entries",
		    KB_ENTRIES_MAX);
		return;
	}
	if (store_kb_insert(&k, &id) < 0) {
		cmd_store_failed(c);
		return;
	}
	cmd_audit_log(c, "kbadd", r->argv[0]);
	reply_ok(c, "id=%lld", (long long)id);
}

void
cmd_kbset(struct conn *c, struct proto_req *r)
{
	static const char *const keys[] = { "question", "group", "keys",
	    "enabled", NULL };
	struct store_kb k = { 0, proto_opt(r, "group"), proto_opt(r, "question"),
	    proto_opt(r, "keys"), r->text, -1, 0 };
	long long id;
	int rc;

	if (cmd_id_arg(c, r->argv[0], "entry number", &id) < 0 ||
	    cmd_opts_known(c, r, 1, keys) < 0 ||
	    enabled_opt(c, r, &k.enabled) < 0 || entry_ok(c, &k) < 0)
		return;
	if (r->argc == 1 && r->text == NULL) {
		reply_err(c, "ARGS", "nothing to change: give question=, group=, "
		    "keys=, enabled= or :answer");
		return;
	}
	k.id = id;
	if ((rc = store_kb_update(&k)) < 0) {
		cmd_store_failed(c);
		return;
	}
	if (rc > 0) {
		reply_err(c, "NOTFOUND", "no knowledge-base entry %lld", id);
		return;
	}
	cmd_audit_log(c, "kbset", r->argv[0]);
	reply_ok(c, NULL);
}

void
cmd_kbdel(struct conn *c, struct proto_req *r)
{
	long long id;
	int rc;

	if (cmd_id_arg(c, r->argv[0], "entry number", &id) < 0)
		return;
	if ((rc = store_kb_delete(id)) < 0) {
		cmd_store_failed(c);
		return;
	}
	if (rc > 0) {
		reply_err(c, "NOTFOUND", "no knowledge-base entry %lld", id);
		return;
	}
	cmd_audit_log(c, "kbdel", r->argv[0]);
	reply_ok(c, NULL);
}

static int
list_row(void *arg, const struct store_kb *k)
{
	struct list_page *pg = arg;
	struct pbuf *b;
	int take;

	if ((take = list_take(pg)) <= 0)
		return take;
	b = row_begin(pg->c);
	pbuf_printf(b, " %lld", (long long)k->id);
	proto_put_kv(b, "group", k->group ? k->group : "");
	proto_put_kvi(b, "enabled", k->enabled);
	proto_put_kvi(b, "hits", k->hits);
	proto_put_kv(b, "question", k->question);
	proto_put_kv(b, "keys", k->keys);
	proto_put_text(b, k->answer, strlen(k->answer));
	return list_row_end(pg);
}

void
cmd_kb(struct conn *c, struct proto_req *r)
{
	static const char *const keys[] = { "group", NULL };
	const char *g = proto_opt(r, "group");
	struct list_page pg;

	if (list_init(&pg, c, r, 1, KB_LIST_DEF, KB_LIST_MAX) < 0 ||
	    cmd_opts_known(c, r, 0, keys) < 0)
		return;
	if (r->textlen > KB_QUERY_MAX) {
		reply_err(c, "ARGS", "query longer than %d bytes", KB_QUERY_MAX);
		return;
	}
	list_done(&pg, store_kb_list(g ? g : "", r->text ? r->text : "",
	    list_query_limit(&pg), list_row, &pg));
}

/* The last thing the visitor said in a chat. */
struct last_said {
	char *text;
	int failed;
};

static int
last_visitor_msg(void *arg, const struct store_msg *m)
{
	struct last_said *ls = arg;

	if (strcmp(m->kind, "visitor") != 0)
		return 0;
	free(ls->text);
	if ((ls->text = strdup(m->body)) == NULL)
		ls->failed = 1;
	return 0;
}

void
cmd_kbsearch(struct conn *c, struct proto_req *r)
{
	static const char *const keys[] = { "chat", "limit", NULL };
	const char *cv = proto_opt(r, "chat"), *lv = proto_opt(r, "limit");
	struct last_said ls = { NULL, 0 };
	struct kb_hit hits[KB_HITS_MAX];
	const char *group = NULL, *q = r->text;
	struct chat *ch = NULL;
	long long limit = KB_SEARCH_DEF;
	int n = 0, rc;

	if (cmd_opts_known(c, r, 0, keys) < 0)
		return;
	if (lv && proto_parse_int(lv, 1, KB_HITS_MAX, &limit) < 0) {
		reply_err(c, "ARGS", "limit is 1-%d", KB_HITS_MAX);
		return;
	}
	if (cv) {
		if ((ch = cmd_chat_arg(c, cv)) == NULL)
			return;
		if (!access_chat(c->agent, ch->id, NULL, NULL)) {
			reply_err(c, "DENIED", "chat %lld is not one you may see",
			    (long long)ch->id);
			return;
		}
		group = ch->group->name;
	}
	if ((q == NULL || r->textlen == 0) && ch) {
		if (store_msg_foreach(ch->id, 0, last_visitor_msg, &ls) < 0 ||
		    ls.failed) {
			free(ls.text);
			cmd_store_failed(c);
			return;
		}
		q = ls.text;
	}
	if (q == NULL || *q == '\0') {
		free(ls.text);
		reply_err(c, "ARGS", "give :query, or chat=N where the visitor "
		    "has said something");
		return;
	}
	rc = kb_search(group, q, strlen(q) > CMD_MSG_MAX ? CMD_MSG_MAX :
	    strlen(q), (int)limit, hits, &n);
	free(ls.text);
	if (rc < 0) {
		cmd_store_failed(c);
		return;
	}
	for (int i = 0; i < n; i++) {
		struct pbuf *b = row_begin(c);

		pbuf_printf(b, " %lld score=%.2f", (long long)hits[i].id,
		    hits[i].score);
		proto_put_kv(b, "group", hits[i].group ? hits[i].group : "");
		proto_put_kvi(b, "match", hits[i].score >= srv.cfg.bot_threshold);
		proto_put_kv(b, "question", hits[i].question);
		proto_put_text(b, hits[i].answer, strlen(hits[i].answer));
		conn_end(c);
	}
	reply_ok(c, "%d", n);
	kb_hits_free(hits, n);
}
