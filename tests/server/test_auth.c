/*
 * test_auth.c - password hashing and the per-address login throttle.
 */
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "../tap.h"

int
main(void)
{
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

	auth_configure(3, 10);
	ok(auth_allowed("10.0.0.1", 1000), "fresh address may try");
	auth_failed("10.0.0.1", 1000);
	auth_failed("10.0.0.1", 1100);
	ok(auth_allowed("10.0.0.1", 1200), "2 failures of 3: still allowed");
	auth_failed("10.0.0.1", 1300);
	ok(!auth_allowed("10.0.0.1", 1400), "3 failures: throttled");
	ok(auth_allowed("10.0.0.2", 1400), "another address is not throttled");
	ok(auth_allowed("10.0.0.1", 1000 + 10001), "after the window it may try again");
	auth_failed("10.0.0.3", 0);
	auth_succeeded("10.0.0.3");
	ok(auth_allowed("10.0.0.3", 1), "a success clears the count");
	for (int i = 0; i < 5000; i++) {
		char a[32];

		snprintf(a, sizeof(a), "192.168.%d.%d", i / 256, i % 256);
		auth_failed(a, 2000 + i);
	}
	ok(auth_allowed("172.16.0.1", 9000), "a full table still answers (oldest evicted)");
	return tap_done();
}
