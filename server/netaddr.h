/*
 * netaddr.h - IP addresses and CIDR ranges (IPv4 and IPv6) as bytes: the
 * parsing and the range test that the blacklist (ban.c) and region
 * routing (region.c) share. No allocation, no library beyond inet_pton.
 */
#ifndef KEFU_NETADDR_H
#define KEFU_NETADDR_H

struct netaddr {
	int family;		/* AF_INET or AF_INET6 */
	unsigned char net[16];	/* the address (IPv4: first 4 bytes) */
	int bits;		/* prefix length: 32/128 for one address */
};

/* "1.2.3.4", "::1", or with cidr set also "10.0.0.0/8", "2001:db8::/32",
 * into n. An IPv4-mapped IPv6 address (::ffff:1.2.3.4) becomes IPv4.
 * 0, or -1 for anything else (cidr 0 refuses a "/n"). */
int netaddr_parse(const char *s, int cidr, struct netaddr *n);

/* Is the single address a inside range r (same family, prefix equal)? */
int netaddr_in(const struct netaddr *r, const struct netaddr *a);

#endif
