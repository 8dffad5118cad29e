/*
 * test_auth.c - password hashing, token comparison and the per-address
 * login throttle (pending checks, per-account success, a full table).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "../tap.h"

static void
fail(const char *addr, const char *name, long long now)
{
	int wait;

	if (auth_begin(addr, now, &wait) == 1)
		auth_end(addr, name, 0, now);
}

int
main(void)
{
	int wait = 0;
	char *h = auth_hash("correct horse"), *h2 = auth_hash("correct horse");
	char hex[65];
	const char *why;

	ok(h != NULL && strncmp(h, "$y$", 3) == 0, "hash is yescrypt ($y$)");
	ok(h2 != NULL && strcmp(h, h2) != 0, "two hashes of one password differ (salt)");
	ok(auth_verify("correct horse", h), "right password verifies");
	ok(!auth_verify("correct horsf", h), "wrong password fails");
	ok(!auth_verify("", h), "empty password fails");
	ok(!auth_verify("correct horse", NULL), "unknown user (no hash) fails");
	ok(!auth_verify("x", "not-a-hash"), "garbage hash fails");
	free(h);
	free(h2);

	ok(!auth_password_ok("12345", &why), "5-char password refused: %s", why);
	ok(auth_password_ok("123456", &why), "6-char password accepted");

	ok(auth_random_hex(hex, 32) == 0 && strlen(hex) == 64 &&
	    strspn(hex, "0123456789abcdef") == 64, "random token is 64 hex chars");

	ok(auth_token_eq("abc", "abc") && !auth_token_eq("abc", "abd") &&
	    !auth_token_eq("abc", "abcd") && !auth_token_eq("", "a"),
	    "token comparison: equal, differing byte, differing length");

	auth_configure(3, 10);
	ok(auth_allowed("10.0.0.1", 1000, &wait), "fresh address may try");
	fail("10.0.0.1", "carol", 1000);
	fail("10.0.0.1", "carol", 1100);
	ok(auth_allowed("10.0.0.1", 1200, &wait), "2 failures of 3: still allowed");
	fail("10.0.0.1", "carol", 1300);
	ok(!auth_allowed("10.0.0.1", 1400, &wait), "3 failures: throttled");
	ok(wait == 10, "... and told to wait 10 s (window from the first failure): %d", wait);
	ok(!auth_begin("10.0.0.1", 6000, &wait) && wait == 5,
	    "auth_begin refuses it too, 5 s left: %d", wait);
	ok(auth_allowed("10.0.0.2", 1400, &wait), "another address is not throttled");
	ok(auth_allowed("10.0.0.1", 1000 + 10001, &wait), "after the window it may try again");

	/* checks still in the worker count (issue 9, defect 2a) */
	int began = 0, busy = 0;
	for (int i = 0; i < 10; i++) {
		int rc = auth_begin("10.0.0.4", 20000, &wait);

		began += rc == 1;
		busy += rc == -1 && wait == 1;
	}
	ok(began == 3 && busy == 7,
	    "10 simultaneous tries: 3 start, 7 must wait for them (%d, %d)", began, busy);
	ok(auth_allowed("10.0.0.4", 20000, &wait),
	    "pending checks alone do not throttle the address");
	auth_end("10.0.0.4", "bob", 0, 20100);
	ok(auth_begin("10.0.0.4", 20100, &wait) == -1,
	    "one failed, two still pending: a fourth try still waits");
	auth_end("10.0.0.4", "alice", 1, 20100);
	ok(auth_begin("10.0.0.4", 20100, &wait) == 1,
	    "alice's succeeded: a waiting try may start");
	auth_end("10.0.0.4", "bob", 0, 20100);
	auth_end("10.0.0.4", "bob", 0, 20100);
	ok(!auth_allowed("10.0.0.4", 20200, &wait) &&
	    auth_begin("10.0.0.4", 20200, &wait) == 0,
	    "three failures: throttled, and auth_begin says so (0, not wait)");

	/* a wrong ticket counts without a pending check */
	auth_failed("10.0.0.7", "bob", 20000);
	auth_failed("10.0.0.7", "bob", 20000);
	ok(auth_allowed("10.0.0.7", 20000, &wait), "two wrong tickets: not yet");
	auth_failed("10.0.0.7", "bob", 20000);
	ok(!auth_allowed("10.0.0.7", 20000, &wait), "three: throttled");

	/* a check that never ran counts nothing */
	ok(auth_begin("10.0.0.5", 20000, &wait), "a try starts");
	auth_end("10.0.0.5", "bob", -1, 20000);
	ok(auth_begin("10.0.0.5", 20000, &wait) && auth_begin("10.0.0.5", 20000, &wait) &&
	    auth_begin("10.0.0.5", 20000, &wait), "an unchecked try left all 3 tries");
	for (int i = 0; i < 3; i++)
		auth_end("10.0.0.5", "bob", 1, 20000);

	/* a success clears only that account's failures (defect 2b) */
	fail("10.0.0.3", "bob", 30000);
	fail("10.0.0.3", "bob", 30000);
	ok(auth_begin("10.0.0.3", 30000, &wait), "alice logs in from the same address");
	auth_end("10.0.0.3", "alice", 1, 30000);
	ok(auth_allowed("10.0.0.3", 30000, &wait), "one more try left");
	fail("10.0.0.3", "bob", 30000);
	ok(!auth_allowed("10.0.0.3", 30000, &wait),
	    "alice's success did not clear bob's failures: throttled");
	fail("10.0.0.6", "alice", 30000);
	fail("10.0.0.6", "bob", 30000);
	auth_succeeded("10.0.0.6", "alice", 30000);
	fail("10.0.0.6", "bob", 30000);
	ok(auth_allowed("10.0.0.6", 30000, &wait),
	    "alice's success cleared her own failure (2 of 3 left: bob's)");
	fail("10.0.0.6", "carol", 30000);
	ok(!auth_allowed("10.0.0.6", 30000, &wait), "... and the third throttles");

	/* a full table never forgets a throttled address (issue 15, item 3) */
	auth_configure(1, 100);
	fail("10.9.9.9", "bob", 40000);
	for (int i = 0; i < 5000; i++) {
		char a[32];

		snprintf(a, sizeof(a), "192.168.%d.%d", i / 256, i % 256);
		fail(a, "x", 41000 + i);
	}
	ok(!auth_allowed("10.9.9.9", 50000, &wait),
	    "after 5000 more throttled addresses the first is still throttled");
	ok(!auth_begin("172.16.0.1", 50000, &wait) && wait >= 1 && wait <= 91,
	    "a table full of throttled addresses refuses a new one (wait %d s)", wait);
	ok(auth_begin("172.16.0.1", 141000, &wait),
	    "once their windows pass, new addresses get in");
	auth_end("172.16.0.1", "x", 1, 141000);

	auth_configure(3, 100);
	for (int i = 0; i < 2000; i++) {
		char a[32];

		snprintf(a, sizeof(a), "10.1.%d.%d", i / 256, i % 256);
		fail(a, "x", 200000 + i);
		if (i == 0) {
			fail(a, "x", 200000);
			fail(a, "x", 200000);
		}
	}
	ok(!auth_allowed("10.1.0.0", 210000, &wait),
	    "un-throttled addresses were evicted to make room, not the throttled one");
	ok(auth_allowed("10.1.7.207", 210000, &wait) &&
	    !auth_allowed("10.1.0.0", 210000, &wait),
	    "the newest address is tracked and a fresh one may try");
	return tap_done();
}
