/*
 * cmd_custset.c - customer cards (客户名片): making, linking and writing
 * them. A returning visitor is linked to their customer by the resume
 * token (the same visitor row), or by an e-mail or phone the card already
 * holds (customer_link_visitor(), called by HELLO and LEAVEMSG). A card is
 * made the first time staff write to a visitor's card (CUSTSET or TAG with
 * visitor=V); it starts with the visitor's name and e-mail and takes in
 * the other visitors who came with that e-mail. Everything a request
 * writes is checked before the first write, so a refusal changes nothing.
 * After a change, the staff in a chat of one of the card's visitors (its
 * owner, invited agents, monitoring supervisors) get * CUSTUPD, so a
 * visitor pane follows a card a colleague edits.
 *
 * Two cards that turn out to be one person are merged (CUSTMERGE,
 * supervisors and admins, audited): the kept card gets the other's
 * visitors, so their chats and cases, and what it lacks.
 *
 * Verbs (rows of proto/cmdtab.def): CUSTSET TAG UNTAG CUSTMERGE.
 */
#include <stdio.h>
#include <string.h>

#include "chat.h"
#include "cmd.h"
#include "customer.h"
#include "log.h"
#include "store.h"

#define CUST_NOTES_MAX	4096
#define CUST_FIELD_MAX	256	/* a custom field's value */
#define CUST_CONTACTS	8	/* phones, and e-mails, a customer may have */

/* The one-line fields of a card and their sizes in bytes. */
static const struct {
	const char *key;
	size_t max;
} line_fields[] = {
	{ "name", 64 }, { "company", 128 }, { "region", 64 },
	{ "address", 256 },
};
#define NLINE (sizeof(line_fields) / sizeof(line_fields[0]))

/* ---- making and linking cards ---- */

/* Give c (contact kind, value) to customer id unless another has it;
 * with adopt, link the visitors who came with that e-mail. 0, 1 taken. */
static int
contact_give(int64_t id, const char *kind, const char *value, int64_t *owner)
{
	char key[CONTACT_EMAIL_MAX + 1];
	int rc;

	if (contact_key(kind, value, key, sizeof(key)) < 0)
		return 1;
	rc = store_contact_find(kind, key, owner);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return *owner == id ? 0 : 1;
	return store_contact_add(id, kind, key, value);
}

struct vcopy {
	char name[80], email[CONTACT_EMAIL_MAX + 1];
};

static int
vcopy_row(void *arg, const struct store_visitor *v)
{
	struct vcopy *x = arg;

	snprintf(x->name, sizeof(x->name), "%s", v->name ? v->name : "");
	snprintf(x->email, sizeof(x->email), "%s", v->email ? v->email : "");
	return 0;
}

/* The card of t->visitor, made now if it has none: it starts with the
 * visitor's name and e-mail. 0 (*made set), -1 on a store failure. */
static int
ensure(struct customer_target *t, int *made)
{
	struct vcopy v = { "", "" };
	struct store_customer k = { .name = v.name };
	int64_t owner;

	*made = 0;
	if (t->id != 0)
		return 0;
	if (store_visitor_load(t->visitor, vcopy_row, &v) < 0 ||
	    store_customer_insert(&k, &t->id) < 0 ||
	    store_visitor_link(t->visitor, t->id) < 0)
		return -1;
	*made = 1;
	if (v.email[0] && contact_email_ok(v.email)) {
		int rc = contact_give(t->id, "email", v.email, &owner);

		if (rc < 0 || (rc == 0 && store_customer_adopt(t->id, v.email) < 0))
			return -1;
	}
	return 0;
}

int
customer_link_visitor(int64_t visitor, const char *phone, const char *email)
{
	const char *kinds[2] = { "phone", "email" }, *vals[2] = { phone, email };
	int64_t cur, id;
	char key[CONTACT_EMAIL_MAX + 1];

	if (store_customer_of_visitor(visitor, &cur) < 0)
		return -1;
	if (cur != 0)
		return 0;
	for (int i = 0; i < 2; i++) {
		int rc;

		if (vals[i] == NULL || vals[i][0] == '\0' ||
		    contact_key(kinds[i], vals[i], key, sizeof(key)) < 0 ||
		    key[0] == '\0')
			continue;
		if ((rc = store_contact_find(kinds[i], key, &id)) < 0)
			return -1;
		if (rc == 0)
			return store_visitor_link(visitor, id);
	}
	return 0;
}

/* ---- telling the chats ---- */

struct tell {
	int64_t id;
	const char *by;
	struct customer_tags tags;
};

static int
tell_chat(void *arg, const struct store_chat *h)
{
	struct tell *x = arg;
	struct chat *c = chat_find(h->id);
	struct pbuf *b;

	if (c == NULL)
		return 0;	/* forgotten: nobody is in it */
	b = ev_begin();
	pbuf_printf(b, " CUSTUPD %lld", (long long)c->id);
	proto_put_kvi(b, "customer", (long long)x->id);
	proto_put_kvi(b, "visitor", (long long)h->visitor);
	proto_put_kv(b, "by", x->by);
	proto_put_kv(b, "tags", x->tags.tags);
	ev_to_chat_agents(c);
	return 0;
}

/* * CUSTUPD to the staff in the chats of customer id's visitors, after
 * the answer to c (who changed it). A failure is logged: the change is
 * made and answered already. */
static void
customer_tell(struct conn *c, int64_t id)
{
	struct tell x = { id, c->agent ? c->agent->name : "", { "" } };

	if (store_customer_get(id, customer_tags_row, &x.tags) < 0 ||
	    store_customer_chats(id, tell_chat, &x) < 0)
		log_warn("customer %lld: * CUSTUPD not sent", (long long)id);
}

/* ---- checking what is written ---- */

/* Call fn(arg, item) for each item of the ","-list (NULL: none) until it
 * returns nonzero: that value, else 0. An item is cut to one byte more
 * than the longest valid one, so a longer one still fails its check. */
typedef int item_fn(void *arg, const char *item);

static int
each_item(const char *list, item_fn *fn, void *arg)
{
	char item[CONTACT_EMAIL_MAX + 2];

	for (const char *p = list; p && *p; ) {
		size_t w = strcspn(p, ",");
		int rc;

		snprintf(item, sizeof(item), "%.*s", (int)w, p);
		p += w + (p[w] == ',');
		if ((rc = fn(arg, item)) != 0)
			return rc;
	}
	return 0;
}

/* The check of one list option of CUSTSET (phones=, emails=, tags=). */
struct listcheck {
	struct conn *c;
	const char *what, *rule;
	int (*check)(const char *);
	int max, n;
};

static int
listcheck_item(void *arg, const char *item)
{
	struct listcheck *x = arg;

	if (!x->check(item)) {
		reply_err(x->c, "ARGS", "%s: '%.40s' is not valid (%s)", x->what,
		    item, x->rule);
		return -1;
	}
	if (++x->n > x->max) {
		reply_err(x->c, "LIMIT", "%s: at most %d", x->what, x->max);
		return -1;
	}
	return 0;
}

/* The lists of a CUSTSET, each item checked; -1 after answering. */
static int
lists_ok(struct conn *c, struct proto_req *r)
{
	struct listcheck checks[] = {
		{ c, "phones", "3-32 characters, digits and + - ( ) . space",
		    contact_phone_ok, CUST_CONTACTS, 0 },
		{ c, "emails", "an e-mail address", contact_email_ok,
		    CUST_CONTACTS, 0 },
		{ c, "tags", "a tag is 1-32 bytes without spaces, commas or control characters",
		    contact_tag_ok, CUST_TAGS, 0 },
	};

	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		if (each_item(proto_opt(r, checks[i].what), listcheck_item,
		    &checks[i]) != 0)
			return -1;
	return 0;
}

/* Is key=... one of CUSTSET's options? The custom fields are field.NAME
 * with NAME in customers.fields. */
static int
custset_key(const char *arg)
{
	static const char *const keys[] = { "name", "company", "region",
	    "address", "phones", "emails", "tags", NULL };
	size_t kl = strcspn(arg, "=");

	if (arg[kl] != '=')
		return 0;
	if (kl > 6 && strncmp(arg, "field.", 6) == 0)
		return config_list_has(srv.cfg.customer_fields, arg + 6, kl - 6);
	for (const char *const *k = keys; *k; k++)
		if (strlen(*k) == kl && strncmp(*k, arg, kl) == 0)
			return 1;
	return 0;
}

/* Every option of CUSTSET, checked before anything is written. */
static int
custset_ok(struct conn *c, struct proto_req *r)
{
	for (int i = 1; i < r->argc; i++) {
		const char *a = r->argv[i], *v = strchr(a, '=');

		if (!custset_key(a)) {
			reply_err(c, "ARGS", "unknown option '%.40s' (custom fields: %s)",
			    a, srv.cfg.customer_fields[0] ? srv.cfg.customer_fields : "none");
			return -1;
		}
		if (!contact_line_ok(++v)) {
			reply_err(c, "ARGS", "%.*s has control characters",
			    (int)(v - 1 - a), a);
			return -1;
		}
		if (strncmp(a, "field.", 6) == 0 && strlen(v) > CUST_FIELD_MAX) {
			reply_err(c, "ARGS", "%.*s is longer than %d bytes",
			    (int)(v - 1 - a), a, CUST_FIELD_MAX);
			return -1;
		}
	}
	for (size_t i = 0; i < NLINE; i++) {
		const char *v = proto_opt(r, line_fields[i].key);

		if (v && strlen(v) > line_fields[i].max) {
			reply_err(c, "ARGS", "%s is longer than %zu bytes",
			    line_fields[i].key, line_fields[i].max);
			return -1;
		}
	}
	if (r->text && (r->textlen > CUST_NOTES_MAX)) {
		reply_err(c, "ARGS", "notes are at most %d bytes", CUST_NOTES_MAX);
		return -1;
	}
	if (r->text && strpbrk(r->text, "\r\v\f\x7f")) {
		reply_err(c, "ARGS", "notes have control characters");
		return -1;
	}
	if (lists_ok(c, r) < 0)
		return -1;
	if (r->argc == 1 && r->text == NULL) {
		reply_err(c, "ARGS", "nothing to change: give name=, company=, region=, address=, phones=, emails=, tags=, field.NAME= or :notes");
		return -1;
	}
	return 0;
}

/* One contact list of a CUSTSET (phones=, emails=) for customer id. */
struct contacts {
	struct conn *c;
	int64_t id;
	const char *kind;
};

/* Is the contact free, or id's already? 1 after ERR EXISTS, -1 failed. */
static int
contact_free(void *arg, const char *item)
{
	struct contacts *x = arg;
	char key[CONTACT_EMAIL_MAX + 1];
	int64_t owner;
	int rc;

	if (contact_key(x->kind, item, key, sizeof(key)) < 0)
		return 0;
	if ((rc = store_contact_find(x->kind, key, &owner)) < 0)
		return -1;
	if (rc == 0 && owner != x->id) {
		reply_err(x->c, "EXISTS", "%s %s belongs to customer %lld", x->kind,
		    item, (long long)owner);
		return 1;
	}
	return 0;
}

/* Are the phones= and emails= of a CUSTSET free? -1 after answering. */
static int
contacts_free(struct conn *c, struct proto_req *r, int64_t id)
{
	struct contacts ph = { c, id, "phone" }, em = { c, id, "email" };
	int rc = each_item(proto_opt(r, "phones"), contact_free, &ph);

	if (rc == 0)
		rc = each_item(proto_opt(r, "emails"), contact_free, &em);
	if (rc < 0)
		cmd_store_failed(c);
	return rc == 0 ? 0 : -1;
}

static int
contact_put(void *arg, const char *item)
{
	struct contacts *x = arg;
	int64_t owner;

	if (contact_give(x->id, x->kind, item, &owner) < 0 ||
	    (!strcmp(x->kind, "email") && store_customer_adopt(x->id, item) < 0))
		return -1;
	return 0;
}

/* Replace id's contacts of kind by list; e-mails take in their visitors. */
static int
contacts_set(int64_t id, const char *kind, const char *list)
{
	struct contacts x = { NULL, id, kind };

	if (list == NULL)
		return 0;
	if (store_contact_clear(id, kind) < 0)
		return -1;
	return each_item(list, contact_put, &x);
}

static int
tag_put(void *arg, const char *tag)
{
	return store_tag_add(*(int64_t *)arg, tag);
}

/* Replace id's tags by the ","-list (NULL: leave them). */
static int
tags_set(int64_t id, const char *list)
{
	if (list == NULL)
		return 0;
	if (store_tag_clear(id) < 0)
		return -1;
	return each_item(list, tag_put, &id);
}

static int
custset_write(struct proto_req *r, struct customer_target *t, int *made)
{
	struct store_customer k = {
		.name = proto_opt(r, "name"), .company = proto_opt(r, "company"),
		.region = proto_opt(r, "region"), .address = proto_opt(r, "address"),
		.notes = r->text,
	};

	if (ensure(t, made) < 0)
		return -1;
	k.id = t->id;
	if (store_customer_update(&k) < 0 ||
	    contacts_set(t->id, "phone", proto_opt(r, "phones")) < 0 ||
	    contacts_set(t->id, "email", proto_opt(r, "emails")) < 0 ||
	    tags_set(t->id, proto_opt(r, "tags")) < 0)
		return -1;
	for (int i = 1; i < r->argc; i++)
		if (strncmp(r->argv[i], "field.", 6) == 0) {
			char key[40];
			const char *v = strchr(r->argv[i], '=');

			snprintf(key, sizeof(key), "%.*s", (int)(v - r->argv[i] - 6),
			    r->argv[i] + 6);
			if (store_field_set(t->id, key, v + 1) < 0)
				return -1;
		}
	return 0;
}

void
cmd_custset(struct conn *c, struct proto_req *r)
{
	struct customer_target t;
	int made;

	if (custset_ok(c, r) < 0 || customer_target(c, r->argv[0], &t) < 0 ||
	    contacts_free(c, r, t.id) < 0)
		return;
	if (store_op_begin() < 0 ||
	    store_op_end(custset_write(r, &t, &made) == 0) < 0) {
		cmd_store_failed(c);
		return;
	}
	reply_ok(c, "customer=%lld%s", (long long)t.id, made ? " created=1" : "");
	customer_tell(c, t.id);
}

/* ---- tags ---- */

/* Is tag one of the ","-list? */
static int
has_tag(const char *list, const char *tag)
{
	return config_list_has(list, tag, strlen(tag));
}

/* TAG's or UNTAG's writes (the card made first for TAG): 0, or -1 after
 * one failed. */
static int
tag_write(struct proto_req *r, struct customer_target *t, int add, int *made)
{
	struct store_customer k = { .id = 0 };

	if (add && ensure(t, made) < 0)
		return -1;
	for (int i = 1; i < r->argc; i++)
		if ((add ? store_tag_add(t->id, r->argv[i]) :
		    store_tag_del(t->id, r->argv[i])) < 0)
			return -1;
	k.id = t->id;
	return store_customer_update(&k);
}

/* TAG and UNTAG: add or remove the tags argv[1..]. */
static void
tag_change(struct conn *c, struct proto_req *r, int add)
{
	struct customer_tags now = { "" };
	struct customer_target t;
	int made = 0, n = 0;

	for (int i = 1; i < r->argc; i++)
		if (!contact_tag_ok(r->argv[i])) {
			reply_err(c, "ARGS", "'%.40s' is not a tag: 1-32 bytes without spaces, commas or control characters",
			    r->argv[i]);
			return;
		}
	if (customer_target(c, r->argv[0], &t) < 0)
		return;
	if (t.id && store_customer_get(t.id, customer_tags_row, &now) < 0) {
		cmd_store_failed(c);
		return;
	}
	for (const char *p = now.tags; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ','))
		n++;
	for (int i = 1; add && i < r->argc; i++) {
		int dup = has_tag(now.tags, r->argv[i]);

		for (int j = 1; j < i && !dup; j++)
			dup = strcmp(r->argv[j], r->argv[i]) == 0;
		n += !dup;
	}
	if (n > CUST_TAGS) {
		reply_err(c, "LIMIT", "a customer has at most %d tags", CUST_TAGS);
		return;
	}
	if (!add && t.id == 0) {
		reply_ok(c, "customer=0 tags=");
		return;
	}
	if (store_op_begin() < 0 ||
	    store_op_end(tag_write(r, &t, add, &made) == 0) < 0 ||
	    store_customer_get(t.id, customer_tags_row, &now) < 0)
		goto fail;
	{
		struct pbuf *b = conn_begin(c, c->tag);

		pbuf_printf(b, "OK customer=%lld", (long long)t.id);
		proto_put_kv(b, "tags", now.tags);
		if (made)
			proto_put_word(b, "created=1");
		conn_end(c);
	}
	customer_tell(c, t.id);
	return;
fail:
	cmd_store_failed(c);
}

void
cmd_tag(struct conn *c, struct proto_req *r)
{
	tag_change(c, r, 1);
}

void
cmd_untag(struct conn *c, struct proto_req *r)
{
	tag_change(c, r, 0);
}


/* ---- merging ---- */

/* May keep take gone's tags and contacts? -1 after answering. */
static int
merge_fits(struct conn *c, int64_t keep, int64_t gone)
{
	int64_t tags, phones, emails;

	if (store_customer_merge_counts(keep, gone, &tags, &phones, &emails) < 0) {
		cmd_store_failed(c);
		return -1;
	}
	if (tags > CUST_TAGS || phones > CUST_CONTACTS || emails > CUST_CONTACTS) {
		reply_err(c, "LIMIT", "together they would have %lld tags, %lld phones, %lld e-mails (at most %d, %d, %d): remove some first",
		    (long long)tags, (long long)phones, (long long)emails, CUST_TAGS,
		    CUST_CONTACTS, CUST_CONTACTS);
		return -1;
	}
	return 0;
}

/* CUSTMERGE <keep> <gone>: gone is the same person as keep. */
void
cmd_custmerge(struct conn *c, struct proto_req *r)
{
	struct customer_target keep, gone;
	char detail[64];
	int64_t nvis;

	if (customer_target(c, r->argv[0], &keep) < 0 ||
	    customer_target(c, r->argv[1], &gone) < 0)
		return;
	if (keep.id == 0 || gone.id == 0) {
		reply_err(c, "NOTFOUND", "visitor %lld has no customer card yet",
		    (long long)(keep.id == 0 ? keep.visitor : gone.visitor));
		return;
	}
	if (keep.id == gone.id) {
		reply_err(c, "ARGS", "that is one customer: give two different cards");
		return;
	}
	if (merge_fits(c, keep.id, gone.id) < 0)
		return;
	if (store_op_begin() < 0 ||
	    store_op_end(store_customer_merge(keep.id, gone.id) == 0) < 0 ||
	    store_customer_visitors(keep.id, &nvis) < 0) {
		cmd_store_failed(c);
		return;
	}
	snprintf(detail, sizeof(detail), "customer %lld <- %lld",
	    (long long)keep.id, (long long)gone.id);
	cmd_audit_log(c, "custmerge", detail);
	reply_ok(c, "customer=%lld merged=%lld visitors=%lld", (long long)keep.id,
	    (long long)gone.id, (long long)nvis);
	customer_tell(c, keep.id);
}
