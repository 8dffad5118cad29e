/*
 * fuzz_config.c - libFuzzer target for the kefu.yml loader (server/config.c).
 *
 * The config file is written by an administrator, not an attacker, but a
 * typo must give an error message and never a crash, a leak or a config
 * struct that breaks later code. So for any bytes: load over the defaults,
 * then check that an error comes with a message naming a line, that a
 * successful load obeys the limits config.h promises, that host:port strings
 * can be split without harm, and that config_free() releases everything
 * (LeakSanitizer checks that part).
 */
#include <string.h>

/* not "config.h": that name is also autoconf's header at the top level */
#include "server/config.h"
#include "fuzz.h"

static void
check_loaded(const struct config *c)
{
	char host[256];
	int port;

	FUZZ_ASSERT(c->ngroups >= 0 && c->ngroups <= CONFIG_MAX_GROUPS);
	FUZZ_ASSERT(c->nusers >= 0 && c->nusers <= CONFIG_MAX_USERS);
	FUZZ_ASSERT(c->nreplies >= 0 && c->nreplies <= CONFIG_MAX_REPLIES);
	for (int i = 0; i < c->ngroups; i++)
		FUZZ_ASSERT(c->groups[i].name != NULL);
	for (int i = 0; i < c->nusers; i++) {
		FUZZ_ASSERT(c->users[i].name != NULL && c->users[i].role != NULL);
		FUZZ_ASSERT(c->users[i].password != NULL || c->users[i].password_hash != NULL);
	}
	for (int i = 0; i < c->nreplies; i++)
		FUZZ_ASSERT(c->replies[i].title != NULL && c->replies[i].text != NULL);
	FUZZ_ASSERT(c->agent_default_status != NULL);
	if (c->listen_tcp != NULL &&
	    config_split_hostport(c->listen_tcp, host, sizeof(host), &port) == 0)
		FUZZ_ASSERT(strlen(host) < sizeof(host));
	if (c->ssh_listen != NULL &&
	    config_split_hostport(c->ssh_listen, host, sizeof(host), &port) == 0)
		FUZZ_ASSERT(strlen(host) < sizeof(host));
}

/* The raw input as a "host:port" string, into a small host buffer. */
static void
check_hostport(const uint8_t *data, size_t size)
{
	char s[300], host[16];
	int port = -1;

	if (size >= sizeof(s) || memchr(data, '\0', size) != NULL)
		return;
	memcpy(s, data, size);
	s[size] = '\0';
	if (config_split_hostport(s, host, sizeof(host), &port) == 0) {
		FUZZ_ASSERT(strlen(host) < sizeof(host) && host[0] != '\0');
		FUZZ_ASSERT(port >= 0 && port <= 65535);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config c;		/* large: keep it off the stack */
	char err[256];
	int r;

	config_defaults(&c);
	err[0] = '\0';
	r = config_load_buffer(&c, (const char *)data, size, err, sizeof(err));
	FUZZ_ASSERT(r == 0 || r == -1);
	FUZZ_ASSERT(memchr(err, '\0', sizeof(err)) != NULL);
	if (r == 0)
		check_loaded(&c);
	else
		FUZZ_ASSERT(err[0] != '\0');
	config_free(&c);
	check_hostport(data, size);
	return 0;
}
