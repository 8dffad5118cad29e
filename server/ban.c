/*
 * ban.c - the blacklist in memory (ban.h): what HELLO and LEAVEMSG check.
 * The store has every ban with its reason and history (store_admin.c);
 * here only those in force, with what matching needs. A desk bans a few
 * hundred visitors, not millions: a list walk per HELLO is enough.
 */
#include <stdlib.h>
#include <string.h>

#include "ban.h"
#include "netaddr.h"
#include "proto.h"
#include "store.h"

struct ban {
	int64_t id;
	int kind;		/* 'v' visitor, 'a' address, 'c' range */
	int64_t visitor;
	struct netaddr net;	/* for 'a' and 'c' */
	time_t until;		/* 0: no end */
	struct ban *next;
};

static struct ban *bans;

int
ban_valid(const char *kind, const char *value)
{
	struct netaddr net;
	long long v;

	if (strcmp(kind, "visitor") == 0)
		return proto_parse_int(value, 1, INT64_MAX, &v);
	if (strcmp(kind, "addr") == 0 || strcmp(kind, "cidr") == 0)
		return netaddr_parse(value, kind[0] == 'c', &net);
	return -1;
}

int
ban_add(int64_t id, const char *kind, const char *value, time_t until)
{
	struct ban *b = calloc(1, sizeof(*b));
	long long v;

	if (b == NULL)
		return -1;
	b->id = id;
	b->kind = kind[0];
	b->until = until;
	if (b->kind == 'v' && proto_parse_int(value, 1, INT64_MAX, &v) == 0)
		b->visitor = v;
	else if (b->kind == 'v' || netaddr_parse(value, b->kind == 'c', &b->net) < 0) {
		free(b);
		return 0;	/* not well-formed: matches nothing */
	}
	b->next = bans;
	bans = b;
	return 0;
}

void
ban_lift(int64_t id)
{
	for (struct ban **pp = &bans; *pp; pp = &(*pp)->next)
		if ((*pp)->id == id) {
			struct ban *b = *pp;

			*pp = b->next;
			free(b);
			return;
		}
}

int64_t
ban_match(int64_t visitor, const char *addr, time_t now)
{
	struct netaddr a;
	int have = addr != NULL && netaddr_parse(addr, 0, &a) == 0;

	for (struct ban *b = bans; b; b = b->next) {
		if (b->until && b->until <= now)
			continue;
		if ((b->kind == 'v' && visitor && b->visitor == visitor) ||
		    (b->kind != 'v' && have && netaddr_in(&b->net, &a)))
			return b->id;
	}
	return 0;
}

static int
load_row(void *arg, const struct store_ban *b)
{
	return ban_add(b->id, b->kind, b->value, b->until);
}

int
ban_load(void)
{
	return store_ban_foreach(load_row, NULL);
}
