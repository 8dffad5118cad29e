/*
 * addrkey.h - the key a remote address is counted under by the
 * per-address limits (connection caps, HELLO rate and open chats, login
 * throttle). An IPv4 address is its own key; an IPv6 address counts with
 * its whole prefix (limits.ipv6_prefix bits, 64 by default), since one
 * client is usually given a whole /64 and could otherwise step around
 * every per-address limit by changing its low bits.
 */
#ifndef KEFU_ADDRKEY_H
#define KEFU_ADDRKEY_H

#include <stddef.h>

#define ADDRKEY_MAX 64

/* Bits of an IPv6 address that make its key (1..128). Set once at start:
 * tables keyed under one setting cannot be read under another. */
void addrkey_configure(int v6_bits);
/* addr's key into out (ADDRKEY_MAX bytes), returned. An IPv6 address
 * becomes "<prefix>/<bits>" (or itself at 128 bits), an IPv4-mapped one
 * its IPv4 form; anything else (an IPv4 address, "local") is copied,
 * cut to fit. */
const char *addrkey(const char *addr, char *out);

#endif
