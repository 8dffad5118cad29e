/*
 * ban.h - the blacklist: visitors refused by visitor number, address or
 * address range (CIDR), with a reason, who banned them, and an optional
 * expiry. Kept in the store (bans table) and in memory for HELLO's check.
 */
#ifndef KEFU_BAN_H
#define KEFU_BAN_H

#include <stdint.h>
#include <time.h>

/* Load the bans in force (at start). -1 on a store error. */
int ban_load(void);
/* Is "visitor"|"addr"|"cidr" value well-formed? 0, or -1. */
int ban_valid(const char *kind, const char *value);
/* Remember a ban stored with id. -1: out of memory. */
int ban_add(int64_t id, const char *kind, const char *value, time_t until);
/* Forget ban id (lifted). */
void ban_lift(int64_t id);
/* The id of a ban in force at now on this visitor or address, or 0. */
int64_t ban_match(int64_t visitor, const char *addr, time_t now);

#endif
