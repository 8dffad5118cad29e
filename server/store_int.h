/*
 * store_int.h - what the store's source files share (not for other modules):
 * the connection, the lazily opened transaction, and statement helpers.
 */
#ifndef KEFU_STORE_INT_H
#define KEFU_STORE_INT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

extern sqlite3 *store_db;

/* Prepare *slot once (persistent), then hand it out reset and unbound. */
sqlite3_stmt *store_stmt(sqlite3_stmt **slot, const char *sql);
void store_stmts_free(sqlite3_stmt **slots, int n);
/* Open this iteration's write transaction if it is not open yet. */
int store_tx_begin(void);
/* Step a statement that returns no rows, reset it; -1 (logged) on error. */
int store_step_done(sqlite3_stmt *s);
const char *store_col_text(sqlite3_stmt *s, int i);
/* Step a one-column query, reset it: 0 and *v on a row, 1 on none, -1. */
int store_step_int64(sqlite3_stmt *s, int64_t *v);

/* store_msg.c */
int store_msg_open(char *err, size_t errlen);	/* index what a crash left */
void store_msg_close(void);
int store_msg_flush_chat(int64_t chat);
void store_msg_rolled_back(void);	/* after a failed commit */

#endif
