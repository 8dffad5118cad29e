/*
 * test_addrkey.c - the keys of the per-address limits: IPv6 by prefix,
 * IPv4-mapped as IPv4, everything else as it is, hostile strings cut.
 */
#include <stdio.h>
#include <string.h>

#include "addrkey.h"
#include "../tap.h"

static int
key_is(const char *addr, const char *want)
{
	char out[ADDRKEY_MAX];

	addrkey(addr, out);
	if (strcmp(out, want) != 0)
		fprintf(stderr, "# %s -> %s, want %s\n", addr, out, want);
	return strcmp(out, want) == 0;
}

int
main(void)
{
	char big[300], out[ADDRKEY_MAX];

	ok(key_is("10.1.2.3", "10.1.2.3"), "IPv4: itself");
	ok(key_is("local", "local") && key_is("unknown", "unknown") && key_is("", ""),
	    "names (the unix socket, the gateway's unknown): themselves");
	ok(key_is("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
	    "IPv6: its /64 by default");
	ok(key_is("2001:db8:1:2::1", "2001:db8:1:2::/64") &&
	    key_is("2001:DB8:1:2:0:0:0:ffff", "2001:db8:1:2::/64"),
	    "two addresses of one /64, any spelling: one key");
	ok(key_is("2001:db8:1:3::1", "2001:db8:1:3::/64"), "the next /64: another key");
	ok(key_is("::1", "::/64"), "loopback ::1 is in ::/64");
	ok(key_is("::ffff:192.0.2.7", "192.0.2.7"), "IPv4-mapped: its IPv4 address");
	ok(key_is("2001:db8::zz", "2001:db8::zz") && key_is("1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8:9"),
	    "not an address though it has colons: itself");

	addrkey_configure(48);
	ok(key_is("2001:db8:1:2::1", "2001:db8:1::/48"), "limits.ipv6_prefix 48");
	addrkey_configure(57);
	ok(key_is("2001:db8:1:ff80::1", "2001:db8:1:ff80::/57") &&
	    key_is("2001:db8:1:ffff::1", "2001:db8:1:ff80::/57") &&
	    key_is("2001:db8:1:ff7f::1", "2001:db8:1:ff00::/57"),
	    "a prefix that is not a whole byte (57) masks within the byte");
	addrkey_configure(128);
	ok(key_is("2001:db8::1", "2001:db8::1"), "at 128 bits each address is its own key");
	addrkey_configure(0);
	addrkey_configure(129);
	ok(key_is("2001:db8::1", "2001:db8::1"), "out-of-range prefixes are ignored");

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	addrkey(big, out);
	ok(strlen(out) == ADDRKEY_MAX - 1, "a 299-byte string is cut to fit the key");
	return tap_done();
}
