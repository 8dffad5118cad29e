/*
 * sqlcount.h - for the store's unit tests: the first column of the first
 * row of a query on the store's connection, or -1.
 */
#ifndef KEFU_TEST_SQLCOUNT_H
#define KEFU_TEST_SQLCOUNT_H

#include "store_int.h"

static inline long long
count(const char *sql)
{
	sqlite3_stmt *s;
	long long v = -1;

	if (sqlite3_prepare_v2(store_db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

#endif
