/*
 * visitor_limit.c - what visitors from one address may cost the desk: how
 * fast they may start chats (visitor.hello_rate), how many open chats they
 * may hold at once (visitor.per_addr_max), and how big each HELLO field
 * may be.
 *
 * Anyone can connect and say HELLO, and every HELLO that starts a chat
 * costs a database row, memory and a place in a queue that agents read.
 * A loop of connect-HELLO-close from one address must therefore hit a
 * limit long before it fills the queue.
 *
 * One entry per address with a token bucket and a count of open chats; a
 * chat keeps a pointer to its entry (the visitor may resume from another
 * address, the chat still counts where it started). Entries with no open
 * chat and a full bucket cost nothing to forget, and vlimit_sweep() does.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addrkey.h"
#include "server.h"
#include "visitor_limit.h"

#define TAB_SIZE 4096		/* buckets; chains stay short */

struct vlimit_addr {
	char addr[64];
	double tokens;		/* HELLOs still allowed now */
	long long at_ms;	/* when tokens was last topped up */
	int open;		/* chats not ended */
	struct vlimit_addr *next;
};

static struct vlimit_addr *tab[TAB_SIZE];

static size_t
slot(const char *addr)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *addr; addr++)
		h = (h ^ (unsigned char)*addr) * 16777619u;
	return h % TAB_SIZE;
}

static double
burst(void)
{
	return srv.cfg.hello_rate > 0 ? srv.cfg.hello_rate : 1;
}

static struct vlimit_addr *
entry(const char *raw, int create)
{
	char addr[ADDRKEY_MAX];
	size_t s = slot(addrkey(raw, addr));
	struct vlimit_addr *e;

	for (e = tab[s]; e; e = e->next)
		if (strcmp(e->addr, addr) == 0)
			return e;
	if (!create || (e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	snprintf(e->addr, sizeof(e->addr), "%s", addr);
	e->tokens = burst();
	e->at_ms = srv.now_ms;
	e->next = tab[s];
	tab[s] = e;
	return e;
}

static void
refill(struct vlimit_addr *e)
{
	double add = (double)(srv.now_ms - e->at_ms) / 60000.0 *
	    srv.cfg.hello_rate;

	e->at_ms = srv.now_ms;
	e->tokens += add;
	if (e->tokens > burst())
		e->tokens = burst();
}

int
vlimit_new_chat(const char *addr, int *wait_s)
{
	struct vlimit_addr *e;

	*wait_s = 0;
	if (srv.cfg.visitor_per_addr_max > 0 && (e = entry(addr, 0)) != NULL &&
	    e->open >= srv.cfg.visitor_per_addr_max)
		return VLIMIT_OPEN;
	if (srv.cfg.hello_rate <= 0)
		return VLIMIT_OK;
	if ((e = entry(addr, 1)) == NULL)
		return VLIMIT_OK;	/* out of memory: do not lock people out */
	refill(e);
	if (e->tokens < 1) {
		*wait_s = (int)((1 - e->tokens) * 60.0 / srv.cfg.hello_rate) + 1;
		return VLIMIT_RATE;
	}
	e->tokens -= 1;
	return VLIMIT_OK;
}

struct vlimit_addr *
vlimit_open(const char *addr)
{
	struct vlimit_addr *e = entry(addr ? addr : "", 1);

	if (e)
		e->open++;
	return e;
}

void
vlimit_close(struct vlimit_addr *e)
{
	if (e && e->open > 0)
		e->open--;
}

void
vlimit_sweep(void)
{
	for (size_t i = 0; i < TAB_SIZE; i++) {
		struct vlimit_addr **pp = &tab[i], *e;

		while ((e = *pp) != NULL) {
			refill(e);
			if (e->open == 0 && e->tokens >= burst()) {
				*pp = e->next;
				free(e);
			} else
				pp = &e->next;
		}
	}
}

void
vlimit_free_all(void)
{
	for (size_t i = 0; i < TAB_SIZE; i++)
		while (tab[i]) {
			struct vlimit_addr *e = tab[i];

			tab[i] = e->next;
			free(e);
		}
}

/* ---- HELLO fields ---- */

static const struct {
	const char *key;
	size_t max;
} fields[] = {
	{ "name", VLIMIT_NAME_MAX }, { "email", 254 }, { "phone", 32 }, { "page", 1024 },
	{ "referrer", 1024 }, { "lang", 35 }, { "group", 63 }, { "token", 64 },
	{ "agent", 63 },
};

int
vlimit_hello_field(const char *arg, char *err, size_t errlen)
{
	size_t kl = strcspn(arg, "=");

	if (arg[kl] != '=') {
		snprintf(err, errlen, "unknown HELLO field '%.40s'", arg);
		return -1;
	}
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (strlen(fields[i].key) != kl || strncmp(fields[i].key, arg, kl))
			continue;
		if (strlen(arg + kl + 1) > fields[i].max) {
			snprintf(err, errlen, "%s is longer than %zu bytes",
			    fields[i].key, fields[i].max);
			return -1;
		}
		return 0;
	}
	snprintf(err, errlen, "unknown HELLO field '%.40s'", arg);
	return -1;
}

char *
vlimit_clean_name(const char *name)
{
	char *out, *p;
	size_t a = 0, b;

	if (name == NULL)
		return NULL;
	b = strlen(name);
	while (a < b && isspace((unsigned char)name[a]))
		a++;
	while (b > a && isspace((unsigned char)name[b - 1]))
		b--;
	if (a == b)
		return NULL;	/* blank: the visitor has no name */
	if ((out = strndup(name + a, b - a)) == NULL)
		return NULL;
	for (p = out; *p; p++)	/* an escaped newline or tab: a space */
		if (*p == '\n' || *p == '\t' || *p == '\r')
			*p = ' ';
	return out;
}

int
vlimit_bucket_take(double *tokens, long long *at)
{
	double add = (double)(srv.now_ms - *at) / 1000.0 * srv.cfg.msg_rate;

	*at = srv.now_ms;
	*tokens += add;
	if (*tokens > srv.cfg.msg_burst)
		*tokens = srv.cfg.msg_burst;
	if (*tokens < 1)
		return 0;
	*tokens -= 1;
	return 1;
}
