/*
 * store.h - the durable copy of everything, in SQLite (WAL mode).
 *
 * All writes of one event-loop iteration go into one transaction, opened
 * lazily by the first write and committed by store_commit() just before the
 * loop flushes its replies: an acknowledged message is a stored message, and
 * a busy server pays for one fsync per iteration, not per message.
 * Statements are prepared once and reused.
 */
#ifndef KEFU_STORE_H
#define KEFU_STORE_H

#include <stdint.h>
#include <time.h>

struct store_user {
	int64_t id;
	const char *name, *display, *role, *pwhash, *groups;
	int max_chats;
	int disabled;		/* 1: may not log in */
};

struct store_msg {
	int64_t chat, seq;
	time_t ts;
	const char *kind, *sender, *body;
	const char *group, *owner;	/* the chat's, in search results only */
};

struct store_chat {
	int64_t id, visitor;
	const char *group, *state, *agent, *question, *category, *summary;
	const char *rating_comment;
	time_t created, queued_at, ended_at;
	int rating;
	int64_t last_seq;
	int bot_answered, bot_missed;	/* the bot's figures so far */
};

struct store_visitor {
	int64_t id;
	const char *token, *name, *email, *lang, *referrer, *addr;
	const char *ua;			/* User-Agent of a web visitor, or NULL */
	const char *phone;		/* the phone given in HELLO, or NULL */
	const char *region;		/* "CN-GD" from the geoip_db, or NULL */
	time_t first_seen, last_seen;
	int visits;
};

struct store_page {
	time_t ts;
	const char *url, *title;
};

struct store_reply {
	int64_t id;
	const char *group;		/* shared: a group or NULL (everyone) */
	const char *owner;		/* personal: the agent, else NULL */
	const char *cat, *code, *title, *body;
	int pos;			/* order in its category; -1: next / unchanged */
};

/* A knowledge-base entry (store_kb.c); in an update NULL fields and
 * enabled -1 stay as they are, and group "" means every group. */
struct store_kb {
	int64_t id;
	const char *group;		/* NULL: every group */
	const char *question, *keys, *answer;	/* keys: "a|b|c" */
	int enabled;
	int64_t hits;			/* times the bot gave it */
};

struct store_key {
	int64_t id;
	const char *type, *blob, *comment;
};

struct store_audit {
	int64_t id;
	time_t ts;
	const char *actor, *action, *detail;
};

struct store_case {
	int64_t id, visitor, chat;	/* visitor, chat: 0 if none */
	const char *group, *source;	/* source: "message" or "chat" */
	const char *name, *phone, *email, *body;
	const char *state, *assignee;	/* assignee: "" if none */
	time_t created, updated;
	int replies;
};

struct store_case_event {
	int64_t id, case_id;
	time_t ts;
	const char *actor, *kind, *body;
	int delivered;
};

/* What CASES lists; see store_case.c for the meaning of each field. */
struct store_case_filter {
	const char *state;	/* "" any, "active" all but closed, or one */
	const char *group;	/* "" any */
	const char *assignee;	/* NULL any, "" unassigned, or a name */
	int64_t before;		/* ids below this */
	int all_groups;		/* else only groups (char 31 separated, and
				 * around) or assigned to viewer */
	const char *groups, *viewer;
	int limit;
};

struct store_ban {
	int64_t id;
	const char *kind, *value, *reason, *actor;
	time_t created, until;		/* until 0: no end */
};

/* A customer card (store_customer.c); phones, emails and tags are joined
 * by ',' in what the store hands out. NULL fields of an update stay. */
struct store_customer {
	int64_t id;
	const char *name, *company, *region, *address, *notes;
	time_t created, updated;
	const char *phones, *emails, *tags;
};

typedef int store_customer_cb(void *arg, const struct store_customer *k);
typedef int store_field_cb(void *arg, const char *key, const char *value);
/* a chat (id) or, with id 0, a case: its group and owner or assignee */
typedef int store_reach_cb(void *arg, int64_t id, const char *group,
    const char *owner);
/* An internal message (store_internal.c); peer_a/peer_b: the two of a
 * 'pair:A:B' conversation, else NULL. */
struct store_imsg {
	int64_t id;
	time_t ts;
	const char *sender, *conv, *peer_a, *peer_b, *body;
};

typedef int store_imsg_cb(void *arg, const struct store_imsg *m);
/* A conversation: its key, peers, the caller's unread and newest id. */
typedef int store_unread_cb(void *arg, const char *conv, const char *peer_a,
    const char *peer_b, int64_t unread, int64_t last);
typedef int store_ban_cb(void *arg, const struct store_ban *b);
typedef int store_case_cb(void *arg, const struct store_case *k);
typedef int store_case_event_cb(void *arg, const struct store_case_event *e);
typedef int store_user_cb(void *arg, const struct store_user *u);
typedef int store_msg_cb(void *arg, const struct store_msg *m);
typedef int store_chat_cb(void *arg, const struct store_chat *c);
typedef int store_page_cb(void *arg, const struct store_page *p);
typedef int store_reply_cb(void *arg, const struct store_reply *r);
typedef int store_kb_cb(void *arg, const struct store_kb *k);
typedef int store_key_cb(void *arg, const struct store_key *k);
typedef int store_audit_cb(void *arg, const struct store_audit *a);
typedef int store_group_cb(void *arg, const char *name, const char *mode,
    const char *desc);

int store_open(const char *path, char *err, size_t errlen);
void store_close(void);
const char *store_errmsg(void);
int store_commit(void);		/* commit the open transaction, if any */
void store_rollback(void);	/* undo the open transaction, if any */
int store_in_tx(void);
/* Several writes of one request as one: store_op_begin(), the writes, then
 * store_op_end(all went in): 0 when they are kept, -1 when they were undone
 * (or could not be). */
int store_op_begin(void);
int store_op_end(int ok);
int store_backup(const char *dest, char *err, size_t errlen);

/* accounts */
int store_user_foreach(store_user_cb *cb, void *arg);
int store_user_insert(const char *name, const char *role, const char *display,
    const char *pwhash, int max_chats, const char *groups, int64_t *id);
int store_user_update(const char *name, const char *role, const char *display,
    int max_chats, const char *groups);
int store_user_set_password(const char *name, const char *pwhash);
/* 0, 1 no such user, -1 */
int store_user_set_disabled(const char *name, int disabled);
int store_user_delete(const char *name);	/* and its SSH keys */
/* Changes when another process (kefud user/key ...) commits a change. */
int store_data_version(int64_t *v);
int store_key_add(const char *user, const char *type, const char *blob,
    const char *comment, int64_t *id);
int store_key_del(const char *user, int64_t id);	/* 0 ok, 1 none, -1 err */
int store_key_foreach(const char *user, store_key_cb *cb, void *arg);

/* groups and quick replies */
int store_group_foreach(store_group_cb *cb, void *arg);
/* insert, or bring a deleted group's row back with these values */
int store_group_insert(const char *name, const char *mode, const char *desc);
int store_group_update(const char *name, const char *mode, const char *desc);
/* mark deleted (the row stays), and delete its shared quick replies
 * (*replies: how many) */
int store_group_delete(const char *name, int *replies);
/* *known = 1 if the group has a row, deleted or not */
int store_group_known(const char *name, int *known);
/* cases of the group not closed */
int store_group_open_cases(const char *name, int64_t *n);

/* the bot's knowledge base (store_kb.c); update and delete: 0 ok, 1 no
 * such entry, -1 error */
int store_kb_insert(const struct store_kb *k, int64_t *id);
int store_kb_update(const struct store_kb *k);
int store_kb_delete(int64_t id);
int store_kb_count(int64_t *n);
int store_kb_hit(int64_t id);
int store_kb_get(int64_t id, store_kb_cb *cb, void *arg);
/* group: "" any, "-" those for every group, else that group's; q: "" or
 * a substring of question, keys or answer; by id */
int store_kb_list(const char *group, const char *q, int limit,
    store_kb_cb *cb, void *arg);
/* Enabled entries for group (NULL: any) matching the FTS5 query fts (best
 * bm25 first) or, when fts is NULL, the LIKE pattern like. */
int store_kb_candidates(const char *fts, const char *like, const char *group,
    int limit, store_kb_cb *cb, void *arg);
int store_kb_foreach(store_kb_cb *cb, void *arg);	/* all, for export */
/* chats the bot talks to: opened with it, one more question answered or
 * not, handed to the queue */
int store_chat_bot_open(int64_t chat);
int store_chat_bot_count(int64_t chat, int answered, int unanswered);
int store_chat_handoff(int64_t chat);

/* quick replies (store_reply.c) */
int store_reply_insert(const struct store_reply *r, int64_t *id);
/* Fields left NULL (pos -1) stay; group and owner never change.
 * 0 ok, 1 no such reply, -1 error (as store_reply_delete). */
int store_reply_update(const struct store_reply *r);
int store_reply_delete(int64_t id);
int store_reply_delete_owner(const char *owner);
int store_reply_count(int64_t *n);
int store_reply_count_owner(const char *owner, int64_t *n);	/* NULL: shared */
/* *n = replies of that scope (group, owner) other than except with code. */
int store_reply_code_taken(const char *code, const char *group,
    const char *owner, int64_t except, int64_t *n);
int store_reply_get(int64_t id, store_reply_cb *cb, void *arg);
/* q: '' all, "/code" the replies with that code, else a substring of title,
 * text or category, or the code. agent's own first, then group's, then
 * those of groups ("a,b"), everyone's, other groups'. */
int store_reply_search(const char *q, const char *agent, const char *group,
    const char *groups, int limit, store_reply_cb *cb, void *arg);
int store_reply_foreach(store_reply_cb *cb, void *arg);	/* all, for export */

/* visitors */
int store_visitor_insert(const char *token, const char *name,
    const char *email, const char *lang, const char *referrer,
    const char *addr, int64_t *id);
int store_visitor_touch(int64_t id, const char *addr);
int store_visitor_set_ua(int64_t id, const char *ua);
int store_visitor_set_phone(int64_t id, const char *phone);
/* The region of the visitor's last address ("" or NULL: none). */
int store_visitor_set_region(int64_t id, const char *region);
/* 0 found, 1 not found, -1 error */
int store_visitor_find_token(const char *token, int64_t *id);
int store_visitor_load(int64_t id, int (*cb)(void *, const struct store_visitor *),
    void *arg);
int store_page_add(int64_t visitor, const char *url, const char *title);
int store_page_foreach(int64_t visitor, store_page_cb *cb, void *arg);

/* chats and messages */
int store_chat_insert(int64_t visitor, const char *group, const char *question,
    int64_t *id);
int store_chat_set_state(int64_t id, const char *state, const char *agent,
    const char *group);
int store_chat_first_response(int64_t id, time_t ts);
int store_chat_assigned(int64_t id, time_t ts);
int store_chat_end(int64_t id, const char *by, int64_t last_seq);
int store_chat_rate(int64_t id, int score, const char *comment);
int store_chat_wrapup(int64_t id, const char *category, const char *summary);
int store_chat_foreach_active(store_chat_cb *cb, void *arg);
int store_chat_foreach_visitor(int64_t visitor, store_chat_cb *cb, void *arg);
/*
 * Messages: appended in arrival order (one page written per ~50 messages
 * however many chats are open) and indexed by (chat, seq) in batches per
 * chat; reads of a chat index its pending messages first. Housekeeping
 * indexes chats whose batch is full or old, a few per iteration, and
 * keeps the low-water mark that lets a restart index what a crash left.
 */
void store_msg_housekeep(long long now_ms);

/* WAL checkpoints in a helper process with its own connection (kefud
 * only; without it SQLite checkpoints inside a commit), asked at frames
 * WAL frames; at max frames the loop waits for it and finishes inline.
 * store_ckpt_main is that process: `kefud --checkpointer FD DATABASE`. */
int store_ckpt_start(const char *path, int frames, int max);
void store_ckpt_stop(void);
int store_ckpt_main(const char *fdarg, const char *path);
int store_msg_append(int64_t chat, int64_t seq, time_t ts, const char *kind,
    const char *sender, const char *body, size_t len);
/* Messages of a chat from seq from_seq on, in order; cb < 0 stops. */
int store_msg_foreach(int64_t chat, int64_t from_seq, store_msg_cb *cb,
    void *arg);
/* Newest first, every match: the callback filters and returns -1 to stop. */
int store_msg_search(const char *q, store_msg_cb *cb, void *arg);
/* The chat's stored group and owner ("" if none): 0, 1 no such chat, -1. */
int store_chat_access(int64_t chat, char *group, size_t glen, char *owner,
    size_t olen);

/* cases (store_case.c); "found" functions: 0 found, 1 none, -1 error */
int store_case_insert(const struct store_case *k, const char *actor,
    int64_t *id);
int store_case_from_chat(int64_t chat, const char *actor, const char *note,
    int64_t *id);
int store_case_of_chat(int64_t chat, int64_t *id);
int store_case_get(int64_t id, store_case_cb *cb, void *arg);
int store_case_list(const struct store_case_filter *f, store_case_cb *cb,
    void *arg);
int store_case_set(int64_t id, const char *state, const char *assignee);
int store_case_event_add(int64_t id, const char *actor, const char *kind,
    const char *body, int delivered, int64_t *eid);
int store_case_events(int64_t id, store_case_event_cb *cb, void *arg);
/* A visitor's replies not yet delivered, oldest first, at most 100. */
int store_case_undelivered(int64_t visitor, store_case_event_cb *cb,
    void *arg);
int store_case_delivered(int64_t event);
int store_case_open_count(int64_t visitor, int64_t *n);

/* what reports read besides the chat timestamps (store_report.c) */
struct sqlite3 *store_handle(void);	/* the connection, for report.c */
int store_chat_transferred(int64_t id);	/* one more transfer */
int store_chat_missed(int64_t id);	/* it ended while queued */
/* a change of an agent's effective status (online/away/busy/offline) */
int store_status_log(const char *agent, const char *status, time_t ts);
/* an offline row at ts for each agent whose latest row is not offline */
int store_status_close_open(time_t ts);
/* the time of the newest message or status row, 0 if none */
int store_last_activity(time_t *ts);

/* the blacklist (store_admin.c): bans not lifted, newest first, at most
 * 1000; lift: 0, 1 no such ban in force, -1 */
int store_ban_insert(const char *kind, const char *value, const char *reason,
    const char *actor, time_t until, int64_t *id);
int store_ban_lift(int64_t id, const char *actor);
int store_ban_foreach(store_ban_cb *cb, void *arg);
/* history search (store_find.c): chats matching every filter given (0 or
 * NULL: any) and, with words, whose messages hold every word; rows newest
 * hit first, one per chat, with the newest matching message (without
 * words: the chat's question, kind "question"). Words are plain text,
 * never query syntax. */
#define STORE_FIND_WORDS 8
#define STORE_FIND_QMAX 1024
struct store_find {
	const char *words[STORE_FIND_WORDS];
	int nwords;
	int64_t visitor;
	const char *agent, *group, *category;
	const char *tag;		/* its visitor's customer has this tag */
	time_t since, until;		/* the chat's start in [since, until) */
	int rating_min, rating_max;	/* 0: any */
};
struct store_find_row {
	int64_t chat, visitor, seq;
	const char *group, *agent, *name, *category, *kind, *sender, *body;
	time_t created, ended, ts;
	int rating, hits;
};
typedef int store_find_cb(void *arg, const struct store_find_row *r);
int store_find(const struct store_find *f, store_find_cb *cb, void *arg);
/* Index up to max (-1: all) messages not yet in the full-text index: the
 * number indexed, or -1. */
int store_find_index(int max);
/* maintenance mode kept across restarts (store_admin.c): one row while it
 * is on (until 0: no end); load calls cb for it, if any */
typedef int store_maint_cb(void *arg, time_t until, const char *notice,
    const char *actor, time_t since);
int store_maint_save(time_t until, const char *notice, const char *actor,
    time_t since);
int store_maint_clear(void);
int store_maint_load(store_maint_cb *cb, void *arg);

/* customer cards (store_customer.c); "find" functions: 0 found, 1 none */
int store_customer_insert(const struct store_customer *k, int64_t *id);
int store_customer_update(const struct store_customer *k);	/* and touch */
int store_customer_get(int64_t id, store_customer_cb *cb, void *arg);
/* Newest change first, every match ('' filters match all); cb filters
 * and returns -1 to stop. */
int store_customer_search(const char *tag, const char *fkey,
    const char *fval, const char *words, store_customer_cb *cb, void *arg);
/* The visitor's customer (0: none); 1: no such visitor. */
int store_customer_of_visitor(int64_t visitor, int64_t *customer);
int store_visitor_link(int64_t visitor, int64_t customer);
/* Link the visitors with that e-mail who have no customer yet. */
int store_customer_adopt(int64_t customer, const char *email);
int store_customer_visitors(int64_t customer, int64_t *n);
int store_contact_find(const char *kind, const char *key, int64_t *customer);
int store_contact_clear(int64_t customer, const char *kind);
int store_contact_add(int64_t customer, const char *kind, const char *key,
    const char *value);
int store_tag_add(int64_t customer, const char *tag);
int store_tag_del(int64_t customer, const char *tag);
int store_tag_clear(int64_t customer);
int store_tag_count(int64_t customer, int64_t *n);
int store_field_set(int64_t customer, const char *key, const char *value);
int store_field_foreach(int64_t customer, store_field_cb *cb, void *arg);
/* The chats and cases of the customer's visitors, or of visitor. */
int store_customer_reach(int64_t customer, int64_t visitor,
    store_reach_cb *cb, void *arg);
/* Its visitors' chats, cases (id, visitor, group, state, assignee,
 * created, body), newest first, at most 500 each. */
int store_customer_chats(int64_t customer, store_chat_cb *cb, void *arg);
int store_customer_cases(int64_t customer, store_case_cb *cb, void *arg);
/* What card keep would hold merged with gone: distinct tags, phones and
 * e-mails. */
int store_customer_merge_counts(int64_t keep, int64_t gone, int64_t *tags,
    int64_t *phones, int64_t *emails);
/* Merge card gone into keep: keep's blank fields from gone, gone's
 * visitors (their chats and cases), contacts, tags and the custom fields
 * keep has not set go to keep; gone is deleted. */
int store_customer_merge(int64_t keep, int64_t gone);

/* internal conversation (store_internal.c) */
int store_imsg_add(const struct store_imsg *m, int64_t *id);
/* Newest first, at most limit. */
int store_imsg_list(const char *conv, int limit, store_imsg_cb *cb, void *arg);
/* agent has read conv up to upto (<= 0: its newest message). */
int store_imsg_read(const char *agent, const char *conv, int64_t upto);
/* The conversations agent takes part in (groups: ",group:a,group:b,"),
 * most recent first; unread counts stop at STORE_UNREAD_MAX. */
#define STORE_UNREAD_MAX 1000
int store_imsg_unread(const char *agent, const char *groups,
    store_unread_cb *cb, void *arg);

/* audit trail */
int store_audit(const char *actor, const char *action, const char *detail);
int store_audit_foreach(int limit, store_audit_cb *cb, void *arg);

#endif
