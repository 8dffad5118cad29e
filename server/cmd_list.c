/*
 * cmd_list.c - list replies in pages: every "+ ..." list a handler sends
 * goes through these, so that no single reply can grow past what a client
 * may have unread (limits.outbuf_max) and get the asker dropped.
 *
 * A list command takes `from=` and `limit=` options. A page ends when it
 * holds `limit` rows or its bytes reach an eighth of limits.outbuf_max,
 * whichever comes first (a page always holds at least one row), and its
 * final line then says where the next one starts: `OK <rows> next=<from>`.
 * Without `next=` the list is complete. For most lists `from` counts rows
 * to skip; TRANSCRIPT pages by message number (see cmd_info.c).
 *
 * The options are taken out of the request, so the handler sees only its
 * own arguments in r->argv.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static int
take_opt(struct proto_req *r, int i, const char *key, const char **val)
{
	size_t kl = strlen(key);

	if (strncmp(r->argv[i], key, kl) != 0 || r->argv[i][kl] != '=')
		return 0;
	*val = r->argv[i] + kl + 1;
	return 1;
}

int
list_init(struct list_page *p, struct conn *c, struct proto_req *r, int maxargs,
    int def_limit, int max_limit)
{
	const struct proto_cmd *pc = proto_cmd_find(r->verb);
	const char *from = NULL, *limit = NULL;
	long long v;
	int n = 0;

	memset(p, 0, sizeof(*p));
	p->c = c;
	p->limit = def_limit;
	for (int i = 0; i < r->argc; i++) {
		if (take_opt(r, i, "from", &from) || take_opt(r, i, "limit", &limit))
			continue;
		r->argv[n++] = r->argv[i];
	}
	r->argc = n;
	if (n > maxargs || (pc && n < pc->min_args)) {
		reply_err(c, "ARGS", "usage: %s", pc ? pc->usage : r->verb);
		return -1;
	}
	if (from) {
		if (proto_parse_int(from, 0, INT64_MAX, &v) < 0) {
			reply_err(c, "ARGS", "from= is a number, 0 or more");
			return -1;
		}
		p->from = v;
	}
	if (limit) {
		if (proto_parse_int(limit, 1, max_limit, &v) < 0) {
			reply_err(c, "ARGS", "limit= is a number from 1 to %d",
			    max_limit);
			return -1;
		}
		p->limit = v;
	}
	p->budget = srv.cfg.outbuf_max / 8;
	p->start = c->out.len;
	return 0;
}

/* The page is full: the next row is for the next page. */
static int
list_full(const struct list_page *p)
{
	return p->more || p->n >= p->limit ||
	    (p->n > 0 && p->c->out.len - p->start >= p->budget);
}

int
list_take(struct list_page *p)
{
	long long i = p->index++;

	if (i < p->from)
		return 0;
	if (list_full(p)) {
		if (!p->more)
			p->next = i;
		p->more = 1;
		return -1;
	}
	p->n++;
	return 1;
}

int
list_take_key(struct list_page *p, long long key)
{
	if (list_full(p)) {
		if (!p->more)
			p->next = key;
		p->more = 1;
		return -1;
	}
	p->n++;
	return 1;
}

struct pbuf *
list_row_id(struct list_page *p, long long id, int *rc)
{
	struct pbuf *b;

	if ((*rc = list_take(p)) <= 0)
		return NULL;
	*rc = 0;
	b = row_begin(p->c);
	pbuf_printf(b, " %lld", id);
	return b;
}

int
list_query_limit(const struct list_page *p)
{
	long long n = p->from + p->limit + 1;

	return n > INT32_MAX ? INT32_MAX : (int)n;
}

int
list_row_end(struct list_page *p)
{
	conn_end(p->c);
	return 0;
}

void
list_kv(struct list_page *p, const char *k, const char *v)
{
	if (list_take(p) <= 0)
		return;
	proto_put_kv(row_begin(p->c), k, v ? v : "");
	list_row_end(p);
}

void
list_kvi(struct list_page *p, const char *k, long long v)
{
	if (list_take(p) <= 0)
		return;
	proto_put_kvi(row_begin(p->c), k, v);
	list_row_end(p);
}

void
list_done(struct list_page *p, int rc)
{
	if (rc < 0)
		cmd_store_failed(p->c);
	else if (p->more)
		reply_ok(p->c, "%lld next=%lld", p->n, p->next);
	else
		reply_ok(p->c, "%lld", p->n);
}
