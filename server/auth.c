/*
 * auth.c - password hashing and login throttling.
 *
 * Passwords are stored as yescrypt hashes ($y$), made and checked with
 * libcrypt's crypt_r. An unknown user name is checked against a fixed dummy
 * hash so that "no such user" and "wrong password" take the same time and
 * give the same answer. Failed attempts are counted per remote address in a
 * bounded table (see struct throttle); past auth.max_failures within
 * auth.window seconds an address gets THROTTLE until the window has passed.
 */
#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "addrkey.h"
#include "auth.h"
#include "log.h"

#define THROTTLE_SLOTS 1024
#define THROTTLE_NAMES 8	/* accounts tracked one by one per address */

/*
 * One entry per remote address. Failures are kept per account name so that
 * a success clears only that account's failures on that address; names past
 * THROTTLE_NAMES go into `other`, which only the window clears. `pending`
 * counts checks still in the password worker. An entry is throttled while
 * its failures reach max_failures within window_ms of its first failure;
 * it is busy while failures + pending do: a new try then waits (authq.c)
 * until a check settles, so simultaneous guesses cannot slip past the limit
 * and simultaneous right passwords are not refused. Throttled entries and
 * entries with pending checks are never evicted to make room; when the
 * table holds nothing else, new addresses are refused (treated as
 * throttled).
 */
struct throttle {
	char addr[64];
	struct {
		char name[32];
		int failures;
	} names[THROTTLE_NAMES];
	int other;
	int pending;
	long long first_ms;
};

static struct throttle slots[THROTTLE_SLOTS];
static int max_failures = 5;
static long long window_ms = 300000;
static int full_logged;
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

int
auth_token_eq(const char *a, const char *b)
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
		ok = auth_token_eq(h, hash);
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return ok;
}

/* Failures, and with the pending checks counted when busy is set. */
static int
slot_count(const struct throttle *t)
{
	int n = t->other + t->pending;

	for (int i = 0; i < THROTTLE_NAMES; i++)
		n += t->names[i].failures;
	return n;
}

static int
slot_expired(const struct throttle *t, long long now)
{
	return t->pending == 0 && now - t->first_ms >= window_ms;
}

static int
slot_failures(const struct throttle *t)
{
	return slot_count(t) - t->pending;
}

static int
slot_throttled(const struct throttle *t, long long now)
{
	return t->addr[0] && !slot_expired(t, now) &&
	    slot_failures(t) >= max_failures;
}

/* Seconds until t lets a try through again, at least 1. */
static int
slot_wait(const struct throttle *t, long long now)
{
	long long ms = t->first_ms + window_ms - now;

	if (ms < 1000)
		ms = 1000;	/* only pending checks hold it: a moment */
	return (int)((ms + 999) / 1000);
}

static void
slot_reset(struct throttle *t, long long now)
{
	int pending = t->pending;

	memset(t->names, 0, sizeof(t->names));
	t->other = 0;
	t->pending = pending;
	t->first_ms = now;
}

/*
 * The entry of addr. With create, a missing one takes a free entry or
 * evicts the un-throttled idle entry whose window began longest ago; NULL
 * if every entry is throttled or busy (*wait_s: when one frees up).
 */
static struct throttle *
slot_find(const char *raw, int create, long long now, int *wait_s)
{
	struct throttle *victim = NULL, *t;
	int soonest = 0;
	char addr[ADDRKEY_MAX];

	addrkey(raw, addr);

	for (int i = 0; i < THROTTLE_SLOTS; i++) {
		t = &slots[i];
		if (t->addr[0] && strcmp(t->addr, addr) == 0) {
			if (slot_expired(t, now))
				slot_reset(t, now);
			return t;
		}
		if (!create)
			continue;
		if (t->addr[0] == '\0') {
			if (victim == NULL || victim->addr[0] != '\0')
				victim = t;
		} else if (t->pending == 0 && !slot_throttled(t, now)) {
			if (victim == NULL || (victim->addr[0] != '\0' &&
			    t->first_ms < victim->first_ms))
				victim = t;
		} else {
			int w = slot_wait(t, now);

			if (soonest == 0 || w < soonest)
				soonest = w;
		}
	}
	if (!create)
		return NULL;
	if (victim == NULL) {
		if (!full_logged++)
			log_warn("auth: throttle table full of throttled addresses; "
			    "refusing logins from new addresses");
		if (wait_s)
			*wait_s = soonest ? soonest : 1;
		return NULL;
	}
	full_logged = 0;
	memset(victim, 0, sizeof(*victim));
	snprintf(victim->addr, sizeof(victim->addr), "%s", addr);
	victim->first_ms = now;
	return victim;
}

int
auth_allowed(const char *addr, long long now, int *wait_s)
{
	struct throttle *t = slot_find(addr, 0, now, NULL);

	if (t == NULL || !slot_throttled(t, now))
		return 1;
	*wait_s = slot_wait(t, now);
	return 0;
}

int
auth_begin(const char *addr, long long now, int *wait_s)
{
	struct throttle *t = slot_find(addr, 1, now, wait_s);

	if (t == NULL)
		return 0;
	if (slot_throttled(t, now)) {
		*wait_s = slot_wait(t, now);
		return 0;
	}
	if (slot_count(t) >= max_failures) {
		*wait_s = 1;
		return -1;	/* busy: wait for a pending check */
	}
	if (slot_count(t) == 0)
		t->first_ms = now;	/* the window starts with this try */
	t->pending++;
	return 1;
}

static void
count_failure(struct throttle *t, const char *name)
{
	int free_i = -1;

	for (int i = 0; i < THROTTLE_NAMES; i++) {
		if (t->names[i].failures > 0 &&
		    strcmp(t->names[i].name, name) == 0) {
			t->names[i].failures++;
			return;
		}
		if (t->names[i].failures == 0 && free_i < 0)
			free_i = i;
	}
	if (free_i < 0 || strlen(name) >= sizeof(t->names[0].name)) {
		t->other++;
		return;
	}
	snprintf(t->names[free_i].name, sizeof(t->names[free_i].name), "%s",
	    name);
	t->names[free_i].failures = 1;
}

/* The answer to one try on t: result 1 right, 0 wrong, -1 not checked. */
static void
settle(struct throttle *t, const char *name, int result)
{
	if (result > 0) {
		for (int i = 0; i < THROTTLE_NAMES; i++)
			if (t->names[i].failures > 0 &&
			    strcmp(t->names[i].name, name) == 0)
				t->names[i].failures = 0;
	} else if (result == 0) {
		count_failure(t, name);
		if (slot_failures(t) == max_failures)
			log_warn("auth: %d failed logins from %s; throttling for %llds",
			    max_failures, t->addr, window_ms / 1000);
	}
	if (slot_count(t) == 0)
		t->addr[0] = '\0';	/* nothing left to remember */
}

void
auth_end(const char *addr, const char *name, int result, long long now)
{
	struct throttle *t = slot_find(addr, 0, now, NULL);

	if (t == NULL)
		return;		/* cannot happen: pending entries stay */
	if (t->pending > 0)
		t->pending--;
	settle(t, name, result);
}

void
auth_succeeded(const char *addr, const char *name, long long now)
{
	struct throttle *t = slot_find(addr, 0, now, NULL);

	if (t != NULL)
		settle(t, name, 1);
}

void
auth_failed(const char *addr, const char *name, long long now)
{
	struct throttle *t = slot_find(addr, 1, now, NULL);

	if (t == NULL)
		return;		/* the table is full of throttled ones */
	if (slot_count(t) == 0)
		t->first_ms = now;
	settle(t, name, 0);
}

int
auth_password_ok(const char *pw, const char **why)
{
	size_t n = strlen(pw);

	if (n < 6) {
		*why = "password too short (at least 6 characters)";
		return 0;
	}
	if (n > AUTH_PASSWORD_MAX) {
		*why = "password too long (at most 256 bytes)";
		return 0;
	}
	return 1;
}
