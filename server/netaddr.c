/*
 * netaddr.c - IP addresses and CIDR ranges as bytes (netaddr.h). The
 * prefix is read by hand (digits only, no sign, no spaces), so "/08",
 * "/+8" or "/ 8" are refused rather than guessed at.
 */
#include <arpa/inet.h>
#include <string.h>

#include "netaddr.h"

static const unsigned char v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/* "0".."max", digits only, no leading zero: the prefix length. */
static int
parse_bits(const char *s, int max, int *bits)
{
	int v = 0;

	if (*s == '\0' || strlen(s) > 3 || (s[0] == '0' && s[1] != '\0'))
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (v > max)
		return -1;
	*bits = v;
	return 0;
}

int
netaddr_parse(const char *s, int cidr, struct netaddr *n)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);

	if (len >= sizeof(buf) || (slash && !cidr))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	memset(n, 0, sizeof(*n));
	if (inet_pton(AF_INET, buf, n->net) == 1)
		n->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, n->net) == 1)
		n->family = AF_INET6;
	else
		return -1;
	n->bits = n->family == AF_INET ? 32 : 128;
	if (slash && parse_bits(slash + 1, n->bits, &n->bits) < 0)
		return -1;
	if (!slash && n->family == AF_INET6 &&
	    memcmp(n->net, v4mapped, sizeof(v4mapped)) == 0) {
		memmove(n->net, n->net + 12, 4);
		memset(n->net + 4, 0, 12);
		n->family = AF_INET;
		n->bits = 32;
	}
	return 0;
}

int
netaddr_in(const struct netaddr *r, const struct netaddr *a)
{
	int full = r->bits / 8, rest = r->bits % 8;

	if (a->family != r->family || memcmp(a->net, r->net, (size_t)full) != 0)
		return 0;
	return rest == 0 ||
	    ((a->net[full] ^ r->net[full]) & (unsigned char)(0xff << (8 - rest))) == 0;
}
