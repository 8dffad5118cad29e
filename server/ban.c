/*
 * ban.c - the blacklist in memory (ban.h): what HELLO and LEAVEMSG check.
 * The store has every ban with its reason and history (store_admin.c);
 * here only those in force, with what matching needs. A desk bans a few
 * hundred visitors, not millions: a list walk per HELLO is enough.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "ban.h"
#include "proto.h"
#include "store.h"

struct ban {
	int64_t id;
	int kind;		/* 'v' visitor, 'a' address, 'c' range */
	int64_t visitor;
	int family;		/* AF_INET or AF_INET6 for 'a' and 'c' */
	unsigned char net[16];
	int bits;
	time_t until;		/* 0: no end */
	struct ban *next;
};

static struct ban *bans;

/* "1.2.3.4", "::1", "10.0.0.0/8", "2001:db8::/32" into family, bytes,
 * prefix bits; cidr 0 refuses a "/n". */
static int
parse_net(const char *s, int cidr, int *family, unsigned char *net, int *bits)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	long long b;

	if (n >= sizeof(buf) || (slash && !cidr))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(net, 0, 16);
	if (inet_pton(AF_INET, buf, net) == 1)
		*family = AF_INET;
	else if (inet_pton(AF_INET6, buf, net) == 1)
		*family = AF_INET6;
	else
		return -1;
	*bits = *family == AF_INET ? 32 : 128;
	if (slash) {
		if (proto_parse_int(slash + 1, 0, *bits, &b) < 0)
			return -1;
		*bits = (int)b;
	}
	return 0;
}

int
ban_valid(const char *kind, const char *value)
{
	unsigned char net[16];
	int family, bits;
	long long v;

	if (strcmp(kind, "visitor") == 0)
		return proto_parse_int(value, 1, INT64_MAX, &v);
	if (strcmp(kind, "addr") == 0 || strcmp(kind, "cidr") == 0)
		return parse_net(value, kind[0] == 'c', &family, net, &bits);
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
	else if (b->kind == 'v' || parse_net(value, b->kind == 'c', &b->family,
	    b->net, &b->bits) < 0) {
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

static int
net_has(const struct ban *b, int family, const unsigned char *a)
{
	int full = b->bits / 8, rest = b->bits % 8;

	if (family != b->family || memcmp(a, b->net, (size_t)full) != 0)
		return 0;
	return rest == 0 ||
	    ((a[full] ^ b->net[full]) & (unsigned char)(0xff << (8 - rest))) == 0;
}

int64_t
ban_match(int64_t visitor, const char *addr, time_t now)
{
	unsigned char a[16];
	int family = 0, bits;

	if (addr == NULL || parse_net(addr, 0, &family, a, &bits) < 0)
		family = 0;
	for (struct ban *b = bans; b; b = b->next) {
		if (b->until && b->until <= now)
			continue;
		if ((b->kind == 'v' && visitor && b->visitor == visitor) ||
		    (b->kind != 'v' && family && net_has(b, family, a)))
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
