/*
 * conn_limit.c - limits on connections as such, before anyone has said who
 * they are (limits.* in kefu.yml(5)):
 *
 *   - the unix socket's reserve: TCP connections are refused once
 *     max_clients - unix_reserved are open, so that the SSH gateway and
 *     local consoles still get in while the TCP side is flooded;
 *   - per_addr_max connections at once from one address on the protocol's
 *     TCP listener (the web door has http.max_per_addr, see http.c);
 *   - anon_timeout: a connection (TCP, unix or WebSocket) that has not said
 *     LOGIN, HELLO, GATEWAY or TICKET within that many seconds gets
 *     ERR TIMEOUT and is closed (an HTTP request that has not become a
 *     WebSocket by then is just closed).
 *
 * Connections join the anonymous list when they are accepted (and again
 * after LOGOUT), so the list is in the order of their joining and the once-a-second check only looks
 * at its head: the ones that have logged in meanwhile are dropped from it
 * as they come up, the first one still young ends the walk.
 *
 * The address counts are an addrcount table (addrcount.c).
 */
#include <stdio.h>

#include "addrcount.h"
#include "http.h"
#include "log.h"
#include "server.h"

#define UNREAD_MAX 65536	/* a timed-out client with more unread output
				 * is closed at once, not after the flush */

static struct addrcount_tab per_addr;
static struct conn *anon_head, *anon_tail;

/* The unix socket's reserve, at most half of all slots. */
static int
tcp_max(void)
{
	int reserved = srv.cfg.unix_reserved;

	if (reserved > srv.cfg.max_clients / 2)
		reserved = srv.cfg.max_clients / 2;
	return srv.cfg.max_clients - reserved;
}

const char *
connlim_refuse(int is_unix)
{
	if (srv.nconns >= (is_unix ? srv.cfg.max_clients : tcp_max()))
		return "server full, try again later";
	return NULL;
}

static void
anon_unlink(struct conn *c)
{
	if (!c->anon_listed)
		return;
	if (c->nprev)
		c->nprev->nnext = c->nnext;
	else
		anon_head = c->nnext;
	if (c->nnext)
		c->nnext->nprev = c->nprev;
	else
		anon_tail = c->nprev;
	c->nprev = c->nnext = NULL;
	c->anon_listed = 0;
}

void
connlim_anonymous(struct conn *c)
{
	anon_unlink(c);
	c->anon_since_ms = srv.now_ms;
	c->nnext = NULL;
	c->nprev = anon_tail;
	if (anon_tail)
		anon_tail->nnext = c;
	else
		anon_head = c;
	anon_tail = c;
	c->anon_listed = 1;
}

int
connlim_opened(struct conn *c, int counted)
{
	connlim_anonymous(c);
	if (!counted)
		return 0;
	if (addrcount_take(&per_addr, c->addr, srv.cfg.per_addr_max) < 0)
		return -1;
	c->addr_counted = 1;
	return 0;
}

void
connlim_closed(struct conn *c)
{
	anon_unlink(c);
	if (c->addr_counted)
		addrcount_release(&per_addr, c->addr);
	c->addr_counted = 0;
}

void
connlim_tick(void)
{
	long long limit_ms = (long long)srv.cfg.anon_timeout * 1000;
	struct conn *c, *next;

	for (c = anon_head; c != NULL; c = next) {
		next = c->nnext;
		if (c->role != ROLE_ANON || c->closing || c->dead) {
			anon_unlink(c);		/* logged in, or leaving */
			continue;
		}
		/* (both in whole ms: strictly more is at least the limit) */
		if (limit_ms == 0 || srv.now_ms - c->anon_since_ms <= limit_ms)
			break;
		/* its LOGIN (TICKET, GATEWAY) is being checked: it has said
		 * who it is; the answer decides */
		if (c->paused && !c->backlogged && !c->yielded)
			continue;
		anon_unlink(c);
		log_info("connection %d from %s: no login within %d s; closing",
		    c->fd, c->addr, srv.cfg.anon_timeout);
		/* an HTTP request gets no protocol line; nor does a client
		 * that does not read */
		if (http_is_request(c) || c->out.len - c->outoff > UNREAD_MAX) {
			conn_close(c, "timeout");
			continue;
		}
		c->tag = NULL;
		reply_err(c, "TIMEOUT", "no LOGIN, HELLO, GATEWAY or TICKET "
		    "within %d seconds; closing", srv.cfg.anon_timeout);
		c->closing = 1;
	}
}
