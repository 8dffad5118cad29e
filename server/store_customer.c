/*
 * store_customer.c - customer cards (客户名片) in the store: the customer
 * (name, company, region, address, notes), its contacts (phones and
 * e-mails, each owned by one customer and matched by a key: the digits of
 * a phone, an e-mail in lower case), its tags and custom fields, and the
 * link from each visitor (visitors.customer) that makes a person's visits
 * one customer; and merging two cards of one person into one.
 */
#include <sqlite3.h>

#include "store.h"
#include "store_int.h"

enum {
	S_INS, S_UPD, S_GET, S_SEARCH, S_OF_VISITOR, S_LINK, S_ADOPT,
	S_CONTACT_FIND, S_CONTACT_CLEAR, S_CONTACT_ADD, S_TAG_ADD, S_TAG_DEL,
	S_TAG_CLEAR, S_TAG_COUNT, S_FIELD_SET, S_FIELD_DEL, S_FIELDS, S_REACH,
	S_CHATS, S_CASES, S_VISITORS,
	S_MERGE_TAGS_N, S_MERGE_CONTACTS_N, S_MERGE_CARD, S_MERGE_VISITORS,
	S_MERGE_CONTACTS, S_MERGE_TAGS, S_MERGE_FIELDS, S_DROP_FIELDS, S_DROP,
	S__COUNT
};

/* a customer's columns, with its phones, e-mails and tags joined by ',' */
#define COLS "c.id, c.name, c.company, c.region, c.address, c.notes, " \
	"c.created, c.updated, " \
	"(SELECT group_concat(value, ',') FROM (SELECT value FROM " \
	" customer_contacts WHERE customer=c.id AND kind='phone' ORDER BY id)), " \
	"(SELECT group_concat(value, ',') FROM (SELECT value FROM " \
	" customer_contacts WHERE customer=c.id AND kind='email' ORDER BY id)), " \
	"(SELECT group_concat(tag, ',') FROM (SELECT tag FROM customer_tags " \
	" WHERE customer=c.id ORDER BY tag))"

static struct store_sql sql[S__COUNT] = {
	[S_INS] = { "INSERT INTO customers (name, company, region, address, "
	    "notes, created, updated) VALUES (?1,?2,?3,?4,?5,?6,?6)", NULL },
	[S_UPD] = { "UPDATE customers SET name=coalesce(?2, name), "
	    "company=coalesce(?3, company), region=coalesce(?4, region), "
	    "address=coalesce(?5, address), notes=coalesce(?6, notes), "
	    "updated=?7 WHERE id=?1", NULL },
	[S_GET] = { "SELECT " COLS " FROM customers c WHERE c.id=?", NULL },
	/* ?1 tag, ?2 field key, ?3 its value, ?4 words ('' each: any) */
	[S_SEARCH] = { "SELECT " COLS " FROM customers c WHERE "
	    "(?1 = '' OR EXISTS (SELECT 1 FROM customer_tags t "
	    "  WHERE t.customer=c.id AND t.tag=?1)) AND "
	    "(?2 = '' OR EXISTS (SELECT 1 FROM customer_fields f "
	    "  WHERE f.customer=c.id AND f.key=?2 AND f.value=?3)) AND "
	    "(?4 = '' OR instr(lower(c.name), lower(?4)) > 0 "
	    "  OR instr(lower(c.company), lower(?4)) > 0 "
	    "  OR instr(lower(c.region), lower(?4)) > 0 "
	    "  OR instr(lower(c.notes), lower(?4)) > 0 "
	    "  OR EXISTS (SELECT 1 FROM customer_contacts k WHERE "
	    "   k.customer=c.id AND instr(lower(k.value), lower(?4)) > 0)) "
	    "ORDER BY c.updated DESC, c.id DESC", NULL },
	[S_OF_VISITOR] = { "SELECT coalesce(customer, 0) FROM visitors WHERE id=?",
	    NULL },
	[S_LINK] = { "UPDATE visitors SET customer=?2 WHERE id=?1", NULL },
	[S_ADOPT] = { "UPDATE visitors SET customer=?1 WHERE customer IS NULL "
	    "AND lower(email)=lower(?2)", NULL },
	[S_CONTACT_FIND] = { "SELECT customer FROM customer_contacts "
	    "WHERE kind=?1 AND key=?2", NULL },
	[S_CONTACT_CLEAR] = { "DELETE FROM customer_contacts "
	    "WHERE customer=?1 AND kind=?2", NULL },
	[S_CONTACT_ADD] = { "INSERT INTO customer_contacts (customer, kind, key, "
	    "value) VALUES (?,?,?,?)", NULL },
	[S_TAG_ADD] = { "INSERT OR IGNORE INTO customer_tags (customer, tag) "
	    "VALUES (?,?)", NULL },
	[S_TAG_DEL] = { "DELETE FROM customer_tags WHERE customer=? AND tag=?",
	    NULL },
	[S_TAG_CLEAR] = { "DELETE FROM customer_tags WHERE customer=?", NULL },
	[S_TAG_COUNT] = { "SELECT count(*) FROM customer_tags WHERE customer=?",
	    NULL },
	[S_FIELD_SET] = { "INSERT OR REPLACE INTO customer_fields (customer, key, "
	    "value) VALUES (?,?,?)", NULL },
	[S_FIELD_DEL] = { "DELETE FROM customer_fields WHERE customer=? AND key=?",
	    NULL },
	[S_FIELDS] = { "SELECT key, value FROM customer_fields WHERE customer=? "
	    "ORDER BY key", NULL },
	/* what decides who may see a customer (or a visitor not yet one):
	 * the chats and cases of its visitors; chats have their id, cases 0 */
	[S_REACH] = { "SELECT c.id, c.grp, coalesce(c.agent, '') FROM chats c "
	    "JOIN visitors v ON c.visitor=v.id WHERE v.customer=?1 OR v.id=?2 "
	    "UNION ALL SELECT 0, k.grp, coalesce(k.assignee, '') FROM cases k "
	    "JOIN visitors v ON k.visitor=v.id WHERE v.customer=?1 OR v.id=?2",
	    NULL },
	[S_CHATS] = { "SELECT c.id, c.visitor, c.grp, c.state, c.agent, "
	    "c.question, c.category, c.summary, c.created, c.ended_at, "
	    "coalesce(c.rating, 0) FROM chats c JOIN visitors v ON c.visitor=v.id "
	    "WHERE v.customer=? ORDER BY c.id DESC LIMIT 500", NULL },
	[S_CASES] = { "SELECT k.id, k.visitor, k.grp, k.state, "
	    "coalesce(k.assignee, ''), k.created, k.body FROM cases k "
	    "JOIN visitors v ON k.visitor=v.id WHERE v.customer=? "
	    "ORDER BY k.id DESC LIMIT 500", NULL },
	[S_VISITORS] = { "SELECT count(*) FROM visitors WHERE customer=?", NULL },
	/* merging customer ?2 into ?1: what the kept card would hold, */
	[S_MERGE_TAGS_N] = { "SELECT count(DISTINCT tag) FROM customer_tags "
	    "WHERE customer IN (?1, ?2)", NULL },
	[S_MERGE_CONTACTS_N] = { "SELECT count(*) FROM customer_contacts "
	    "WHERE customer IN (?1, ?2) AND kind=?3", NULL },
	/* then its blank fields from the other, its visitors (so their chats
	 * and cases), contacts, tags and custom fields it has not set */
	[S_MERGE_CARD] = { "UPDATE customers AS k SET "
	    "name=iif(k.name='', g.name, k.name), "
	    "company=iif(k.company='', g.company, k.company), "
	    "region=iif(k.region='', g.region, k.region), "
	    "address=iif(k.address='', g.address, k.address), "
	    "notes=iif(k.notes='', g.notes, k.notes), updated=?3 "
	    "FROM customers AS g WHERE k.id=?1 AND g.id=?2", NULL },
	[S_MERGE_VISITORS] = { "UPDATE visitors SET customer=?1 WHERE customer=?2",
	    NULL },
	[S_MERGE_CONTACTS] = { "UPDATE customer_contacts SET customer=?1 "
	    "WHERE customer=?2", NULL },
	[S_MERGE_TAGS] = { "INSERT OR IGNORE INTO customer_tags (customer, tag) "
	    "SELECT ?1, tag FROM customer_tags WHERE customer=?2", NULL },
	[S_MERGE_FIELDS] = { "INSERT OR IGNORE INTO customer_fields (customer, "
	    "key, value) SELECT ?1, key, value FROM customer_fields "
	    "WHERE customer=?2", NULL },
	[S_DROP_FIELDS] = { "DELETE FROM customer_fields WHERE customer=?", NULL },
	[S_DROP] = { "DELETE FROM customers WHERE id=?", NULL },
};

int
store_customer_insert(const struct store_customer *k, int64_t *id)
{
	return store_insert(store_wstmt(&sql[S_INS]), id, "eeeeen", k->name,
	    k->company, k->region, k->address, k->notes);
}

int
store_customer_update(const struct store_customer *k)
{
	return store_exec(store_wstmt(&sql[S_UPD]), "Itttttn", k->id, k->name,
	    k->company, k->region, k->address, k->notes);
}

static int
customer_row(sqlite3_stmt *s, store_any_fn *cb, void *arg)
{
	struct store_customer k = {
		.id = sqlite3_column_int64(s, 0),
		.name = store_col_text(s, 1), .company = store_col_text(s, 2),
		.region = store_col_text(s, 3), .address = store_col_text(s, 4),
		.notes = store_col_text(s, 5),
		.created = (time_t)sqlite3_column_int64(s, 6),
		.updated = (time_t)sqlite3_column_int64(s, 7),
		.phones = store_col_text(s, 8), .emails = store_col_text(s, 9),
		.tags = store_col_text(s, 10),
	};

	return ((store_customer_cb *)cb)(arg, &k);
}

int
store_customer_get(int64_t id, store_customer_cb *cb, void *arg)
{
	return store_rows(store_bind(store_stmt(&sql[S_GET]), "I", id),
	    customer_row, (store_any_fn *)cb, arg);
}

int
store_customer_search(const char *tag, const char *fkey, const char *fval,
    const char *words, store_customer_cb *cb, void *arg)
{
	return store_rows(store_bind(store_stmt(&sql[S_SEARCH]), "eeee", tag,
	    fkey, fval, words), customer_row, (store_any_fn *)cb, arg);
}

int
store_customer_of_visitor(int64_t visitor, int64_t *customer)
{
	sqlite3_stmt *s = store_bind(store_stmt(&sql[S_OF_VISITOR]), "I",
	    visitor);

	return s == NULL ? -1 : store_step_int64(s, customer);
}

int
store_visitor_link(int64_t visitor, int64_t customer)
{
	return store_exec(store_wstmt(&sql[S_LINK]), "II", visitor, customer);
}

int
store_customer_adopt(int64_t customer, const char *email)
{
	return store_exec(store_wstmt(&sql[S_ADOPT]), "It", customer, email);
}

int
store_contact_find(const char *kind, const char *key, int64_t *customer)
{
	sqlite3_stmt *s = store_bind(store_stmt(&sql[S_CONTACT_FIND]), "tt",
	    kind, key);

	return s == NULL ? -1 : store_step_int64(s, customer);
}

int
store_contact_clear(int64_t customer, const char *kind)
{
	return store_exec(store_wstmt(&sql[S_CONTACT_CLEAR]), "It", customer,
	    kind);
}

int
store_contact_add(int64_t customer, const char *kind, const char *key,
    const char *value)
{
	return store_exec(store_wstmt(&sql[S_CONTACT_ADD]), "Ittt", customer,
	    kind, key, value);
}

int
store_tag_add(int64_t customer, const char *tag)
{
	return store_exec(store_wstmt(&sql[S_TAG_ADD]), "It", customer, tag);
}

int
store_tag_del(int64_t customer, const char *tag)
{
	return store_exec(store_wstmt(&sql[S_TAG_DEL]), "It", customer, tag);
}

int
store_tag_clear(int64_t customer)
{
	return store_exec(store_wstmt(&sql[S_TAG_CLEAR]), "I", customer);
}

static int
count_of(int which, int64_t customer, int64_t *n)
{
	sqlite3_stmt *s = store_bind(store_stmt(&sql[which]), "I", customer);

	return s == NULL || store_step_int64(s, n) != 0 ? -1 : 0;
}

int
store_tag_count(int64_t customer, int64_t *n)
{
	return count_of(S_TAG_COUNT, customer, n);
}

int
store_customer_visitors(int64_t customer, int64_t *n)
{
	return count_of(S_VISITORS, customer, n);
}

int
store_field_set(int64_t customer, const char *key, const char *value)
{
	if (value[0] == '\0')
		return store_exec(store_wstmt(&sql[S_FIELD_DEL]), "It", customer,
		    key);
	return store_exec(store_wstmt(&sql[S_FIELD_SET]), "Itt", customer, key,
	    value);
}

static int
field_row(sqlite3_stmt *s, store_any_fn *cb, void *arg)
{
	return ((store_field_cb *)cb)(arg, store_col_text(s, 0),
	    store_col_text(s, 1));
}

int
store_field_foreach(int64_t customer, store_field_cb *cb, void *arg)
{
	return store_rows(store_bind(store_stmt(&sql[S_FIELDS]), "I", customer),
	    field_row, (store_any_fn *)cb, arg);
}

static int
reach_row(sqlite3_stmt *s, store_any_fn *cb, void *arg)
{
	return ((store_reach_cb *)cb)(arg, sqlite3_column_int64(s, 0),
	    store_col_text(s, 1), store_col_text(s, 2));
}

int
store_customer_reach(int64_t customer, int64_t visitor, store_reach_cb *cb,
    void *arg)
{
	return store_rows(store_bind(store_stmt(&sql[S_REACH]), "II", customer,
	    visitor), reach_row, (store_any_fn *)cb, arg);
}

static int
chat_row(sqlite3_stmt *s, store_any_fn *cb, void *arg)
{
	struct store_chat h = {
		.id = sqlite3_column_int64(s, 0),
		.visitor = sqlite3_column_int64(s, 1),
		.group = store_col_text(s, 2), .state = store_col_text(s, 3),
		.agent = (const char *)sqlite3_column_text(s, 4),
		.question = store_col_text(s, 5),
		.category = (const char *)sqlite3_column_text(s, 6),
		.summary = (const char *)sqlite3_column_text(s, 7),
		.created = (time_t)sqlite3_column_int64(s, 8),
		.ended_at = (time_t)sqlite3_column_int64(s, 9),
		.rating = sqlite3_column_int(s, 10),
	};

	return ((store_chat_cb *)cb)(arg, &h);
}

int
store_customer_chats(int64_t customer, store_chat_cb *cb, void *arg)
{
	return store_rows(store_bind(store_stmt(&sql[S_CHATS]), "I", customer),
	    chat_row, (store_any_fn *)cb, arg);
}

static int
case_row(sqlite3_stmt *s, store_any_fn *cb, void *arg)
{
	struct store_case k = {
		.id = sqlite3_column_int64(s, 0),
		.visitor = sqlite3_column_int64(s, 1),
		.group = store_col_text(s, 2), .state = store_col_text(s, 3),
		.assignee = store_col_text(s, 4),
		.created = (time_t)sqlite3_column_int64(s, 5),
		.body = store_col_text(s, 6),
		.source = "", .name = "", .phone = "", .email = "",
	};

	return ((store_case_cb *)cb)(arg, &k);
}

int
store_customer_cases(int64_t customer, store_case_cb *cb, void *arg)
{
	return store_rows(store_bind(store_stmt(&sql[S_CASES]), "I", customer),
	    case_row, (store_any_fn *)cb, arg);
}

int
store_customer_merge_counts(int64_t keep, int64_t gone, int64_t *tags,
    int64_t *phones, int64_t *emails)
{
	sqlite3_stmt *s = store_bind(store_stmt(&sql[S_MERGE_TAGS_N]), "II",
	    keep, gone);

	if (s == NULL || store_step_int64(s, tags) != 0)
		return -1;
	s = store_bind(store_stmt(&sql[S_MERGE_CONTACTS_N]), "IIt", keep, gone,
	    "phone");
	if (s == NULL || store_step_int64(s, phones) != 0)
		return -1;
	s = store_bind(store_stmt(&sql[S_MERGE_CONTACTS_N]), "IIt", keep, gone,
	    "email");
	return s == NULL || store_step_int64(s, emails) != 0 ? -1 : 0;
}

int
store_customer_merge(int64_t keep, int64_t gone)
{
	static const int moves[] = { S_MERGE_VISITORS, S_MERGE_CONTACTS,
	    S_MERGE_TAGS, S_MERGE_FIELDS };

	if (store_exec(store_wstmt(&sql[S_MERGE_CARD]), "IIn", keep, gone) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++)
		if (store_exec(store_wstmt(&sql[moves[i]]), "II", keep, gone) < 0)
			return -1;
	if (store_tag_clear(gone) < 0 ||
	    store_exec(store_wstmt(&sql[S_DROP_FIELDS]), "I", gone) < 0)
		return -1;
	return store_exec(store_wstmt(&sql[S_DROP]), "I", gone);
}
