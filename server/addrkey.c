/*
 * addrkey.c - per-address limits' keys: IPv6 addresses by prefix (see
 * addrkey.h).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "addrkey.h"

static int v6_bits = 64;

void
addrkey_configure(int bits)
{
	if (bits >= 1 && bits <= 128)
		v6_bits = bits;
}

const char *
addrkey(const char *addr, char *out)
{
	struct in6_addr a6;
	char txt[INET6_ADDRSTRLEN];

	if (strchr(addr, ':') == NULL || inet_pton(AF_INET6, addr, &a6) != 1) {
		snprintf(out, ADDRKEY_MAX, "%s", addr);
		return out;
	}
	if (IN6_IS_ADDR_V4MAPPED(&a6)) {
		if (inet_ntop(AF_INET, &a6.s6_addr[12], txt, sizeof(txt)) == NULL)
			snprintf(txt, sizeof(txt), "%s", addr);
		snprintf(out, ADDRKEY_MAX, "%s", txt);
		return out;
	}
	for (int i = 0; i < 16; i++) {
		int keep = v6_bits - 8 * i;

		if (keep <= 0)
			a6.s6_addr[i] = 0;
		else if (keep < 8)
			a6.s6_addr[i] &= (unsigned char)(0xff << (8 - keep));
	}
	if (inet_ntop(AF_INET6, &a6, txt, sizeof(txt)) == NULL) {
		snprintf(out, ADDRKEY_MAX, "%s", addr);
		return out;
	}
	if (v6_bits < 128)
		snprintf(out, ADDRKEY_MAX, "%s/%d", txt, v6_bits);
	else
		snprintf(out, ADDRKEY_MAX, "%s", txt);
	return out;
}
