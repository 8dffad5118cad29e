/*
 * cmd_customer.c - customer cards (客户名片): who may see a card, and
 * reading them. A customer is one person across their visits: every
 * visitor row may point to a customer (visitors.customer); how visitors
 * are linked and cards written is cmd_custset.c.
 *
 * Who may see (and edit) a card: the chat rule (access.h) over the chats
 * and cases of the customer's visitors: supervisors and admins every card,
 * an agent the cards of customers with a chat or case they may see.
 *
 * Verbs (rows of proto/cmdtab.def): CUSTOMER CUSTOMERS.
 */
#include <stdio.h>
#include <string.h>

#include "access.h"
#include "cmd.h"
#include "customer.h"
#include "log.h"
#include "store.h"

#define CUST_LIST_DEF	50	/* CUSTOMERS rows a page, by default */
#define CUST_LIST_MAX	200	/* ... and at most */
#define CUST_QUERY_MAX	256
#define CUST_PREVIEW	120	/* bytes of a case's message on the card */

/* ---- who may see a card ---- */

struct reach {
	const struct agent *a;
	int seen;
};

static int
reach_row(void *arg, int64_t id, const char *group, const char *owner)
{
	struct reach *x = arg;

	if (id ? access_chat(x->a, id, group, owner) :
	    access_case(x->a, group, owner)) {
		x->seen = 1;
		return -1;
	}
	return 0;
}

/* May a see customer id (or visitor, not yet a customer)? 1, 0, -1. */
static int
visible(const struct agent *a, int64_t id, int64_t visitor)
{
	struct reach x = { a, 0 };

	if (a->role & (ROLE_SUPERVISOR | ROLE_ADMIN))
		return 1;
	if (store_customer_reach(id, visitor, reach_row, &x) < 0)
		return -1;
	return x.seen;
}

static int
found_row(void *arg, const struct store_customer *k)
{
	(void)k;
	*(int *)arg = 1;
	return -1;
}

int
customer_target(struct conn *c, const char *arg, struct customer_target *t)
{
	long long n;
	int rc, found = 0;

	memset(t, 0, sizeof(*t));
	if (strncmp(arg, "visitor=", 8) == 0) {
		if (cmd_id_arg(c, arg + 8, "visitor number", &n) < 0)
			return -1;
		t->visitor = n;
		if ((rc = store_customer_of_visitor(n, &t->id)) == 1) {
			reply_err(c, "NOTFOUND", "no visitor %lld", n);
			return -1;
		}
	} else {
		if (cmd_id_arg(c, arg, "customer number", &n) < 0)
			return -1;
		t->id = n;
		if ((rc = store_customer_get(n, found_row, &found)) == 0 && !found) {
			reply_err(c, "NOTFOUND", "no customer %lld", n);
			return -1;
		}
	}
	if (rc < 0 || (rc = visible(c->agent, t->id, t->visitor)) < 0) {
		cmd_store_failed(c);
		return -1;
	}
	if (rc == 0) {
		reply_err(c, "DENIED", "that customer has only chats of other groups");
		return -1;
	}
	return 0;
}

int
customer_tags_row(void *arg, const struct store_customer *k)
{
	struct customer_tags *x = arg;

	snprintf(x->tags, sizeof(x->tags), "%s", k->tags);
	return -1;
}

/* ---- reading cards ---- */

struct card {
	struct list_page pg;
	int chats, cases;	/* those the caller may see */
	int counting;		/* 1: count only; 0: send the rows */
};

static int
card_head(void *arg, const struct store_customer *k)
{
	struct card *x = arg;

	list_kvi(&x->pg, "id", k->id);
	list_kv(&x->pg, "name", k->name);
	list_kv(&x->pg, "company", k->company);
	list_kv(&x->pg, "region", k->region);
	list_kv(&x->pg, "address", k->address);
	list_kv(&x->pg, "phones", k->phones);
	list_kv(&x->pg, "emails", k->emails);
	list_kv(&x->pg, "tags", k->tags);
	list_kv(&x->pg, "notes", k->notes);
	list_kvi(&x->pg, "created", (long long)k->created);
	list_kvi(&x->pg, "updated", (long long)k->updated);
	return -1;
}

static int
card_field(void *arg, const char *key, const char *value)
{
	struct card *x = arg;
	char k[48];

	if (!config_list_has(srv.cfg.customer_fields, key, strlen(key)))
		return 0;	/* no longer configured: kept, not shown */
	snprintf(k, sizeof(k), "field.%s", key);
	list_kv(&x->pg, k, value);
	return 0;
}

static int
card_chat(void *arg, const struct store_chat *h)
{
	struct card *x = arg;
	struct pbuf *b;
	int take;

	if (!access_chat(x->pg.c->agent, h->id, h->group, h->agent))
		return 0;
	if (x->counting) {
		x->chats++;
		return 0;
	}
	if ((take = list_take(&x->pg)) <= 0)
		return take;
	b = row_begin(x->pg.c);
	proto_put_word(b, "chat");
	pbuf_printf(b, " %lld", (long long)h->id);
	info_put_chat(b, h);
	return list_row_end(&x->pg);
}

static int
card_case(void *arg, const struct store_case *k)
{
	struct card *x = arg;
	int take;

	if (!access_case(x->pg.c->agent, k->group, k->assignee))
		return 0;
	if (x->counting) {
		x->cases++;
		return 0;
	}
	if ((take = list_take(&x->pg)) <= 0)
		return take;
	{
		struct pbuf *b = row_begin(x->pg.c);

		proto_put_word(b, "case");
		case_put(b, k, CUST_PREVIEW);
	}
	return list_row_end(&x->pg);
}

/* Count the chats and cases of customer id the caller may see. */
static int
card_count(struct card *x, int64_t id)
{
	x->counting = 1;
	if (store_customer_chats(id, card_chat, x) < 0 ||
	    store_customer_cases(id, card_case, x) < 0)
		return -1;
	x->counting = 0;
	return 0;
}

/* CUSTOMER: the card's key=value rows, then its chats and cases. */
void
cmd_customer(struct conn *c, struct proto_req *r)
{
	struct card x;
	struct customer_target t;
	int64_t nvis;

	memset(&x, 0, sizeof(x));
	if (list_init(&x.pg, c, r, 1, LIST_DEF, LIST_MAX) < 0 ||
	    customer_target(c, r->argv[0], &t) < 0)
		return;
	if (t.id == 0) {
		reply_err(c, "NOTFOUND", "visitor %lld has no customer card yet",
		    (long long)t.visitor);
		return;
	}
	if (store_customer_visitors(t.id, &nvis) < 0 || card_count(&x, t.id) < 0 ||
	    store_customer_get(t.id, card_head, &x) < 0 ||
	    store_field_foreach(t.id, card_field, &x) < 0) {
		list_done(&x.pg, -1);
		return;
	}
	list_kvi(&x.pg, "visitors", nvis);
	list_kvi(&x.pg, "chats", x.chats);
	list_kvi(&x.pg, "cases", x.cases);
	if (!x.pg.more && store_customer_chats(t.id, card_chat, &x) < 0) {
		list_done(&x.pg, -1);
		return;
	}
	list_done(&x.pg, x.pg.more ? 0 :
	    store_customer_cases(t.id, card_case, &x));
}

int
customer_card_rows(struct list_page *pg, int64_t visitor)
{
	struct card x;
	struct customer_tags tags = { "" };
	int64_t id;

	memset(&x, 0, sizeof(x));
	x.pg.c = pg->c;
	if (store_customer_of_visitor(visitor, &id) < 0)
		return -1;
	if (id != 0 && (store_customer_get(id, customer_tags_row, &tags) < 0 ||
	    card_count(&x, id) < 0))
		return -1;
	list_kvi(pg, "customer", id);
	list_kv(pg, "tags", tags.tags);
	list_kvi(pg, "customer_chats", x.chats);
	list_kvi(pg, "cases", x.cases);
	return 0;
}

/* ---- CUSTOMERS ---- */

struct custlist {
	struct list_page pg;
	int failed;		/* a visibility check failed */
};

static int
list_row(void *arg, const struct store_customer *k)
{
	struct custlist *x = arg;
	struct list_page *pg = &x->pg;
	struct pbuf *b;
	int take, vis = visible(pg->c->agent, k->id, 0);

	if (vis < 0) {
		x->failed = 1;
		return -1;
	}
	if (vis == 0)
		return 0;
	if ((b = list_row_id(pg, (long long)k->id, &take)) == NULL)
		return take;
	proto_put_kv(b, "name", k->name);
	proto_put_kv(b, "company", k->company);
	proto_put_kv(b, "region", k->region);
	proto_put_kv(b, "phones", k->phones);
	proto_put_kv(b, "emails", k->emails);
	proto_put_kv(b, "tags", k->tags);
	proto_put_kvi(b, "updated", (long long)k->updated);
	return list_row_end(pg);
}

void
cmd_customers(struct conn *c, struct proto_req *r)
{
	struct custlist x = { .failed = 0 };
	const char *tag = NULL, *fkey = NULL, *fval = NULL;
	char key[40];
	int rc;

	if (list_init(&x.pg, c, r, 2, CUST_LIST_DEF, CUST_LIST_MAX) < 0)
		return;
	for (int i = 0; i < r->argc; i++) {
		const char *a = r->argv[i], *v = strchr(a, '=');

		if (strncmp(a, "tag=", 4) == 0 && tag == NULL) {
			tag = a + 4;
		} else if (v && strncmp(a, "field.", 6) == 0 && fkey == NULL &&
		    config_list_has(srv.cfg.customer_fields, a + 6,
		    (size_t)(v - a - 6))) {
			snprintf(key, sizeof(key), "%.*s", (int)(v - a - 6), a + 6);
			fkey = key;
			fval = v + 1;
		} else {
			reply_err(c, "ARGS", "usage: CUSTOMERS [tag=T] [field.NAME=V] [from=N] [limit=N] [:words] (custom fields: %s)",
			    srv.cfg.customer_fields[0] ? srv.cfg.customer_fields : "none");
			return;
		}
	}
	if (r->textlen > CUST_QUERY_MAX || (tag && !contact_tag_ok(tag))) {
		reply_err(c, "ARGS", "words are at most %d bytes; a tag is 1-32 bytes without spaces or commas",
		    CUST_QUERY_MAX);
		return;
	}
	rc = store_customer_search(tag, fkey, fval, r->text ? r->text : "",
	    list_row, &x);
	list_done(&x.pg, x.failed ? -1 : rc);
}
