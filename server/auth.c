/*
 * auth.c - password hashing and login throttling.
 *
 * Passwords are stored as yescrypt hashes ($y$), made and checked with
 * libcrypt's crypt_r. An unknown user name is checked against a fixed dummy
 * hash so that "no such user" and "wrong password" take the same time and
 * give the same answer. Failed attempts are counted per remote address in a
 * small table; past auth.max_failures within auth.window seconds an address
 * gets THROTTLE until the window has passed.
 */
#include <crypt.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "auth.h"
#include "log.h"

#define THROTTLE_SLOTS 1024

struct throttle {
	char addr[64];
	int failures;
	long long first_ms;
};

static struct throttle slots[THROTTLE_SLOTS];
static int max_failures = 5;
static long long window_ms = 300000;
static char dummy_hash[CRYPT_OUTPUT_SIZE];

void
auth_configure(int mf, int window_s)
{
	max_failures = mf;
	window_ms = (long long)window_s * 1000;
}

int
auth_random_hex(char *out, size_t n)
{
	unsigned char buf[64];
	static const char hex[] = "0123456789abcdef";
	size_t got = 0;

	if (n > sizeof(buf))
		return -1;
	while (got < n) {
		ssize_t r = getrandom(buf + got, n - got, 0);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)r;
	}
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[buf[i] >> 4];
		out[2 * i + 1] = hex[buf[i] & 15];
	}
	out[2 * n] = '\0';
	return 0;
}

char *
auth_hash(const char *pw)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd;
	char *r = NULL, *h;

	if (crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt)) == NULL)
		return NULL;
	cd = calloc(1, sizeof(*cd));
	if (cd == NULL)
		return NULL;
	h = crypt_r(pw, salt, cd);
	if (h != NULL && h[0] == '$')
		r = strdup(h);
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return r;
}

static int
const_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char d = (unsigned char)(la != lb);

	for (size_t i = 0; i < la && i < lb; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

int
auth_verify(const char *pw, const char *hash)
{
	struct crypt_data *cd;
	const char *h;
	int ok = 0;

	if (hash == NULL || hash[0] != '$') {
		if (dummy_hash[0] == '\0') {
			char *d = auth_hash("kefu-dummy-password");

			if (d) {
				strncpy(dummy_hash, d, sizeof(dummy_hash) - 1);
				free(d);
			}
		}
		hash = dummy_hash[0] ? dummy_hash : NULL;
		if (hash == NULL)
			return 0;
		pw = "";	/* never matches the dummy */
		cd = calloc(1, sizeof(*cd));
		if (cd == NULL)
			return 0;
		(void)crypt_r(pw, hash, cd);
		free(cd);
		return 0;
	}
	cd = calloc(1, sizeof(*cd));
	if (cd == NULL)
		return 0;
	h = crypt_r(pw, hash, cd);
	if (h != NULL && h[0] == '$')
		ok = const_eq(h, hash);
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return ok;
}

static struct throttle *
slot_find(const char *addr, int create, long long now)
{
	struct throttle *empty = NULL, *oldest = &slots[0], *t;

	for (int i = 0; i < THROTTLE_SLOTS; i++) {
		if (!slots[i].addr[0]) {
			if (empty == NULL)
				empty = &slots[i];
		} else if (strcmp(slots[i].addr, addr) == 0)
			return &slots[i];
		else if (slots[i].first_ms < oldest->first_ms)
			oldest = &slots[i];
	}
	if (!create)
		return NULL;
	t = empty ? empty : oldest;
	memset(t, 0, sizeof(*t));
	strncpy(t->addr, addr, sizeof(t->addr) - 1);
	t->first_ms = now;
	return t;
}

int
auth_allowed(const char *addr, long long now)
{
	struct throttle *t = slot_find(addr, 0, now);

	if (t == NULL)
		return 1;
	if (now - t->first_ms > window_ms) {
		t->addr[0] = '\0';
		t->failures = 0;
		return 1;
	}
	return t->failures < max_failures;
}

void
auth_failed(const char *addr, long long now)
{
	struct throttle *t = slot_find(addr, 1, now);

	if (now - t->first_ms > window_ms) {
		t->failures = 0;
		t->first_ms = now;
	}
	t->failures++;
	if (t->failures == max_failures)
		log_warn("auth: %d failed logins from %s; throttling for %llds",
		    t->failures, addr, window_ms / 1000);
}

void
auth_succeeded(const char *addr)
{
	struct throttle *t = slot_find(addr, 0, 0);

	if (t)
		t->addr[0] = '\0';
}

int
auth_password_ok(const char *pw, const char **why)
{
	size_t n = strlen(pw);

	if (n < 6) {
		*why = "password too short (at least 6 characters)";
		return 0;
	}
	if (n > 256) {
		*why = "password too long (at most 256 bytes)";
		return 0;
	}
	return 1;
}
