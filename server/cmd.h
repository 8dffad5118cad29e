/*
 * cmd.h - command handlers. The verbs, their roles, arity, usage and
 * handler are ONE table, proto/cmdtab.def (one CMD() row per verb); cmd.c
 * dispatches through it, so each handler gets a request whose role and
 * arity were already checked. To add a verb: a row in cmdtab.def, its
 * handler in the cmd_*.c file below whose top comment lists it, its entry
 * in proto/PROTOCOL.md, and a test in tests/scenarios/.
 *
 * How handlers and the connection layer (conn.c) talk is described once,
 * at "The conn <-> cmd seam" in server.h.
 */
#ifndef KEFU_CMD_H
#define KEFU_CMD_H

#include "server.h"

typedef void cmd_fn(struct conn *c, struct proto_req *r);

/* cmd_session.c */
cmd_fn cmd_help, cmd_ping, cmd_quit, cmd_login, cmd_whoami, cmd_logout;
/* cmd_gateway.c */
cmd_fn cmd_ticket, cmd_gateway, cmd_authpass, cmd_authkey, cmd_mkticket;
/* cmd_hello.c */
cmd_fn cmd_hello;
/* cmd_browse.c */
cmd_fn cmd_browse, cmd_visitors, cmd_engage, cmd_invitation;
/* cmd_visitor.c */
cmd_fn cmd_say, cmd_typing, cmd_page, cmd_rate, cmd_end, cmd_where,
    cmd_human;
/* cmd_kb.c */
cmd_fn cmd_kb, cmd_kbadd, cmd_kbset, cmd_kbdel, cmd_kbsearch;
/* cmd_chat.c */
cmd_fn cmd_status, cmd_queue, cmd_accept, cmd_chats, cmd_msg, cmd_note,
    cmd_transfer, cmd_invite, cmd_leave, cmd_wrapup, cmd_monitor,
    cmd_unmonitor, cmd_whisper, cmd_takeover;
/* cmd_info.c */
cmd_fn cmd_transcript, cmd_history, cmd_visitor, cmd_agents, cmd_groups,
    cmd_search;
/* " group= state= agent= started= ended= rating= category= :summary"
 * of a past chat, after its id (HISTORY rows, the chats of a customer card). */
struct store_chat;
void info_put_chat(struct pbuf *b, const struct store_chat *h);
/* cmd_customer.c (reading cards), cmd_custset.c (writing them) */
cmd_fn cmd_customer, cmd_customers, cmd_custset, cmd_tag, cmd_untag,
    cmd_custmerge;
/* Link visitor to the customer who has that phone or e-mail (either may
 * be NULL), unless it has one already; 0, or -1 on a store failure. */
int customer_link_visitor(int64_t visitor, const char *phone,
    const char *email);
/* The visitor card's customer rows (VISITOR): customer=, tags=,
 * customer_chats=, cases=; -1 on a store failure. */
struct list_page;
int customer_card_rows(struct list_page *pg, int64_t visitor);
/* cmd_find.c */
cmd_fn cmd_find;
/* cmd_reply.c */
cmd_fn cmd_replies, cmd_replyadd, cmd_replyset, cmd_replydel;
/* Why r's set fields (non-NULL; pos when >= 0) are not acceptable, or NULL. */
struct store_reply;
const char *cmd_reply_invalid(const struct store_reply *r);
/* cmd_case.c */
cmd_fn cmd_leavemsg, cmd_cases, cmd_case, cmd_caseset, cmd_casenote,
    cmd_casereply, cmd_casefrom;
/* Send a returning visitor (c) the case replies they have not seen. */
void case_deliver(struct conn *c);
/* " ID key=value... :text" of a case, the text cut to textmax bytes
 * (CASES rows, CASE's head row, the cases of a customer card). */
struct store_case;
void case_put(struct pbuf *b, const struct store_case *k, size_t textmax);
/* The contact fields a LEAVEMSG to g needs ("name,phone|email"). */
const char *case_requirement(const struct group *g);
/* cmd_internal.c */
cmd_fn cmd_imsg, cmd_imsgs, cmd_iread, cmd_iunread, cmd_watchers;
/* After a login on c: * IUNREAD if a has unread internal messages. */
void internal_login(struct conn *c, struct agent *a);
/* board.c: BOARD, and the rows of CHATS all */
cmd_fn cmd_board;
struct list_page;
void board_list(struct conn *c, struct list_page *pg);
/* cmd_report.c */
cmd_fn cmd_report, cmd_stats;
/* cmd_ban.c */
cmd_fn cmd_ban, cmd_unban, cmd_bans;
/* A banned visitor (or address): ERR DENIED without the reason, 1. */
int ban_refused(struct conn *c, int64_t visitor);
/* cmd_admin.c */
cmd_fn cmd_useradd, cmd_userdel, cmd_userset, cmd_passwd, cmd_keyadd, cmd_keydel, cmd_keys, cmd_announce, cmd_audit, cmd_maint;

/* cmd_group.c */
cmd_fn cmd_groupadd, cmd_groupset, cmd_groupdel;

/* 0 when the way c came in refuses the verb whatever c's role: the web
 * door takes visitor verbs only (unless http.allow_login), GATEWAY works
 * on the unix socket only, TICKET too unless auth.ticket_tcp. The
 * handlers give the refusal; HELP leaves such verbs out. */
int cmd_door_allows(const struct conn *c, const struct proto_cmd *pc);

/* helpers shared by handlers; those returning NULL or -1 have replied */
/* arg as a number 1..INT64_MAX, else ERR ARGS "'arg' is not a <what>". */
int cmd_id_arg(struct conn *c, const char *arg, const char *what,
    long long *id);
/* The active chat numbered arg. */
struct chat *cmd_chat_arg(struct conn *c, const char *arg);
/* The group named arg, which the caller sees (QUEUE, VISITORS). */
struct group *cmd_my_group(struct conn *c, const char *arg);
/* The chat named by arg, which the calling agent takes part in. */
struct chat *cmd_my_chat(struct conn *c, const char *arg);
/* ch if its state is one of states (CMD_STATE(CS_x) | ...), else ERR STATE
 * "chat N <why>"; a NULL ch (its lookup replied already) stays NULL. */
#define CMD_STATE(s) (1u << (s))
struct chat *cmd_chat_in(struct conn *c, struct chat *ch, unsigned states,
    const char *why);
/* A chat message's text: 1..CMD_MSG_MAX bytes, else ERR ARGS and -1. */
#define CMD_MSG_MAX 4096
int cmd_msg_text(struct conn *c, struct proto_req *r);
/* Post r's text to ch as kind from sender; answer "OK seq=N". */
void cmd_post(struct conn *c, struct chat *ch, const char *kind,
    const char *sender, struct proto_req *r);
/* Report a store failure and undo nothing (the transaction rolls back). */
void cmd_store_failed(struct conn *c);
const char *cmd_actor(struct conn *c);
/* An audit row by actor (a failure is only logged). */
void cmd_audit_as(const char *actor, const char *action, const char *detail);
/* The same by c's account (cmd_actor()). */
void cmd_audit_log(struct conn *c, const char *action, const char *detail);
/* Arguments from first on must be key=value with a key of keys (NULL
 * ended), else ERR ARGS and -1. */
int cmd_opts_known(struct conn *c, struct proto_req *r, int first,
    const char *const *keys);

/* A list reply without pages (CASE, CASES page their own way): rows
 * "+ ..." counted, then "OK <count>". A row is row_begin(x->c), put_*,
 * then cmd_row_end(x) (which returns 0, so a store row callback can end
 * with it); cmd_rows_done(x, rc) sends the final OK, or the store failure
 * when rc < 0. */
struct cmd_rows {
	struct conn *c;
	int n;
};
int cmd_row_end(struct cmd_rows *x);
void cmd_rows_done(struct cmd_rows *x, int rc);

/* cmd_list.c: list replies in pages (from=, limit=; see the file). */
#define LIST_DEF 100		/* rows a page holds by default */
#define LIST_MAX 500		/* ... and at most (limit=) */
struct list_page {
	struct conn *c;
	long long from, limit;	/* the request's options */
	long long index;	/* rows seen so far (list_take) */
	long long n;		/* rows sent */
	size_t budget, start;	/* bytes a page may take, where it began */
	int more;		/* stopped early: next is set */
	long long next;		/* from= of the next page */
};
/* Take from=/limit= out of r; between the verb's least and maxargs other
 * arguments may remain. -1 after an ERR ARGS reply. A row is then
 * list_take(), row_begin(p->c), put_*, list_row_end() (which returns 0, so
 * a store row callback can end with it); list_done() ends the reply. */
int list_init(struct list_page *p, struct conn *c, struct proto_req *r,
    int maxargs, int def_limit, int max_limit);
/* Before each row of a list paged by row count: 1 send it, 0 skip it
 * (before from=), -1 stop (the page is full; next= is set). */
int list_take(struct list_page *p);
/* The same for a list paged by key (the query started at from=): -1
 * when full, with next= set to key. */
int list_take_key(struct list_page *p, long long key);
/* list_take() and, for a row it sends, row_begin() and " <id>": NULL when
 * the row is not sent, with *rc what the store row callback returns (0 to
 * skip it, -1 when the page is full). */
struct pbuf *list_row_id(struct list_page *p, long long id, int *rc);
/* How many rows a store query with a LIMIT must return for this page:
 * those skipped, the page, and one to tell whether there is more. */
int list_query_limit(const struct list_page *p);
int list_row_end(struct list_page *p);
/* One "+ key=value" row, if the page takes it (v NULL: empty). */
void list_kv(struct list_page *p, const char *k, const char *v);
void list_kvi(struct list_page *p, const char *k, long long v);
/* "OK <rows> [next=<from>]", or the store failure when rc < 0. */
void list_done(struct list_page *p, int rc);

#endif
