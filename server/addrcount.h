/*
 * addrcount.h - how many connections each remote address has open: a hash
 * table of the addresses with at least one, for the per-address caps of
 * the protocol listener (conn_limit.c) and the web door (http.c).
 */
#ifndef KEFU_ADDRCOUNT_H
#define KEFU_ADDRCOUNT_H

#define ADDRCOUNT_BUCKETS 1024

struct addrcount;

struct addrcount_tab {
	struct addrcount *b[ADDRCOUNT_BUCKETS];
};

/* Count one more connection from addr unless it has max already (max 0:
 * no cap): 0, or -1 when over the cap or out of memory. */
int addrcount_take(struct addrcount_tab *t, const char *addr, int max);
/* One fewer; the address leaves the table with its last connection. */
void addrcount_release(struct addrcount_tab *t, const char *addr);

#endif
