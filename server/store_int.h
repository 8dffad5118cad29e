/*
 * store_int.h - what the store's source files share (not for other modules):
 * the connection, the lazily opened transaction, and the statement helpers
 * every store_*.c file runs its SQL through.
 *
 * The store's files: store.c (connection, transaction, these helpers,
 * backup), store_schema.c (migrations), store_account.c (users, SSH keys),
 * store_chat.c (visitors, pages, chats), store_admin.c (groups, quick
 * replies, audit), store_case.c (cases), store_msg.c (messages and their
 * index), store_ckpt.c (WAL checkpoints in a helper process),
 * store_report.c (transfers, missed chats and the status log that reports
 * read), store_customer.c (customer cards, their contacts, tags and custom
 * fields), store_kb.c (the bot's knowledge base and what it did in chats).
 */
#ifndef KEFU_STORE_INT_H
#define KEFU_STORE_INT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

extern sqlite3 *store_db;

/* One SQL statement: its text and, once prepared, its handle. Each store
 * file keeps a table of these; store_close() finalizes every one prepared. */
struct store_sql {
	const char *text;
	sqlite3_stmt *stmt;
};

/* The statement, prepared on first use, handed out reset and unbound;
 * NULL (logged) on error. */
sqlite3_stmt *store_stmt(struct store_sql *q);
/* The same for a write: opens this iteration's transaction first. */
sqlite3_stmt *store_wstmt(struct store_sql *q);
/* Open this iteration's write transaction if it is not open yet. */
int store_tx_begin(void);

/*
 * Bind the parameters ?1, ?2, ... of s in order, one letter of spec each:
 *   t  const char *, NULL binds NULL     e  const char *, NULL binds ''
 *   i  int                               I  int64_t
 *   n  (no argument) the time now, in seconds, the same for all 'n's
 * Text is bound SQLITE_STATIC: it must live until the statement is reset.
 * Returns s, or NULL (logged) if s is NULL or a bind fails.
 */
sqlite3_stmt *store_bind(sqlite3_stmt *s, const char *spec, ...);
/* store_bind(), then step a statement that returns no rows and reset it:
 * 0, or -1 (logged) on error. */
int store_exec(sqlite3_stmt *s, const char *spec, ...);
/* store_exec() of an INSERT, then *id = the new row's id. */
int store_insert(sqlite3_stmt *s, int64_t *id, const char *spec, ...);
/* Step a statement that returns no rows, reset it; -1 (logged) on error. */
int store_step_done(sqlite3_stmt *s);

/*
 * Rows: store_rows() steps s through its rows and hands each to row(s, cb,
 * arg), which builds the row's struct and calls cb (the caller's callback,
 * cast back to its own type) until that returns < 0; then resets s.
 * 0 or -1 (s NULL or a step failed).
 */
typedef void store_any_fn(void);
typedef int store_row_fn(sqlite3_stmt *s, store_any_fn *cb, void *arg);
int store_rows(sqlite3_stmt *s, store_row_fn *row, store_any_fn *cb,
    void *arg);
/* Column i as text, "" for NULL. */
const char *store_col_text(sqlite3_stmt *s, int i);
/* Step a one-column query, reset it: 0 and *v on a row, 1 on none, -1. */
int store_step_int64(sqlite3_stmt *s, int64_t *v);

/* store_schema.c: bring the schema up to date; -1 with err filled. */
int store_migrate(char *err, size_t errlen);
/* The schema version store_migrate() brings a database to. */
int store_schema_latest(void);

/* store_msg.c */
int store_msg_open(char *err, size_t errlen);	/* index what a crash left */
void store_msg_close(void);
int store_msg_flush_chat(int64_t chat);
void store_msg_rolled_back(void);	/* after a failed commit */

#endif
