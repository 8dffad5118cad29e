/*
 * test_store_op.c - store_op_begin()/store_op_end(): one request's several
 * writes are kept together or undone together, inside the event loop
 * iteration's transaction, without touching the other writes of that
 * iteration.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "store_int.h"
#include "../tap.h"
#include "sqlcount.h"

static int
visitor(const char *token)
{
	int64_t id;

	return store_visitor_insert(token, "n", NULL, NULL, NULL, "127.0.0.1", &id);
}

int
main(void)
{
	char dir[] = "/tmp/kefu-storeop-XXXXXX", path[256], err[256] = "";

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/a.db", dir);
	ok(store_open(path, err, sizeof(err)) == 0, "open a new database");

	/* another request's write in the same iteration, before the op */
	ok(visitor("aaaa") == 0, "a write outside any op");
	ok(store_op_begin() == 0, "an op begins");
	ok(visitor("bbbb") == 0, "its first write goes in");
	ok(visitor("aaaa") < 0, "its second write fails (the token is taken)");
	is_int(store_op_end(0), -1, "ending it failed: -1");
	ok(store_in_tx(), "the iteration's transaction is still open");
	ok(store_commit() == 0, "and commits");
	is_int(count("SELECT count(*) FROM visitors WHERE token='bbbb'"), 0,
	    "the failed op's first write was undone");
	is_int(count("SELECT count(*) FROM visitors WHERE token='aaaa'"), 1,
	    "the write before it was kept");

	/* an op that works, then a write after it in the same iteration */
	ok(store_op_begin() == 0 && visitor("cccc") == 0 && visitor("dddd") == 0,
	    "an op with two writes");
	is_int(store_op_end(1), 0, "ending it kept: 0");
	ok(visitor("eeee") == 0 && store_commit() == 0, "a write after it, then commit");
	is_int(count("SELECT count(*) FROM visitors"), 4, "both of the op's writes and the later one are kept");

	/* two ops in one iteration: the undone one does not take the other */
	ok(store_op_begin() == 0 && visitor("ffff") == 0 && store_op_end(1) == 0,
	    "a first op kept");
	ok(store_op_begin() == 0 && visitor("gggg") == 0, "a second op writes");
	is_int(store_op_end(0), -1, "and is undone");
	ok(store_commit() == 0, "commit");
	is_int(count("SELECT count(*) FROM visitors WHERE token IN ('ffff','gggg')"), 1,
	    "the first op's write stays, the second's is gone");

	/* an op with nothing written undoes nothing else */
	ok(visitor("hhhh") == 0 && store_op_begin() == 0 && store_op_end(0) == -1 &&
	    store_commit() == 0, "an empty op undone");
	is_int(count("SELECT count(*) FROM visitors WHERE token='hhhh'"), 1,
	    "the write before it stays");

	store_close();
	snprintf(err, sizeof(err), "rm -rf %s", dir);
	if (system(err) != 0)
		fprintf(stderr, "# could not remove %s\n", dir);
	return tap_done();
}
