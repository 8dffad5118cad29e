/*
 * authq.c - password checks waiting for their address's turn.
 *
 * auth_begin() lets at most auth.max_failures tries of one address be
 * unsettled at once (its failures so far plus its checks still in the
 * worker), so a burst of guesses cannot slip past the limit. A try past
 * that is not refused: it waits here, its connection paused, until a check
 * of the same address settles. Then it starts, or it gets THROTTLE if the
 * failures reached the limit meanwhile. Ten agents behind one NAT address
 * logging in at once all get in; ten simultaneous guesses still get only
 * as many checks as the limit allows.
 *
 * The queue is bounded (AUTHQ_MAX in all, AUTHQ_PER_ADDR per address; past
 * that a try gets THROTTLE as before). A waiting password is wiped when its
 * try starts or is dropped, and when its connection closes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "authq.h"
#include "desk.h"
#include "server.h"
#include "session.h"

#define AUTHQ_MAX 256
#define AUTHQ_PER_ADDR 32

struct authq_entry {
	struct conn_ref conn;
	int kind;
	char name[DESK_NAME_MAX];
	char addr[64];
	char pw[AUTH_PASSWORD_MAX + 1];
	struct authq_entry *next;
};

static struct authq_entry *head;
static int total;
static int kicking, kick_again;

static void
entry_free(struct authq_entry *e)
{
	explicit_bzero(e, sizeof(*e));
	free(e);
	total--;
}

int
authq_add(struct conn *c, int kind, const char *addr, const char *name,
    const char *pw)
{
	struct authq_entry *e, **tail = &head;
	int same = 0;

	for (e = head; e; e = e->next) {
		if (strcmp(e->addr, addr) == 0)
			same++;
		tail = &e->next;
	}
	if (total >= AUTHQ_MAX || same >= AUTHQ_PER_ADDR ||
	    strlen(pw) > AUTH_PASSWORD_MAX || (e = calloc(1, sizeof(*e))) == NULL)
		return -1;
	conn_ref_set(&e->conn, c);
	e->kind = kind;
	snprintf(e->name, sizeof(e->name), "%s", name);
	snprintf(e->addr, sizeof(e->addr), "%s", addr);
	memcpy(e->pw, pw, strlen(pw) + 1);
	*tail = e;
	total++;
	conn_pause(c);
	return 0;
}

/* Was a try of addr, before stop, left waiting in this pass? Tries of one
 * address start in the order they came. */
static int
held_before(const char *addr, const struct authq_entry *held[], int nheld)
{
	for (int i = 0; i < nheld; i++)
		if (strcmp(held[i]->addr, addr) == 0)
			return 1;
	return 0;
}

/* One pass over the waiting tries, oldest first. 1 if one started or was
 * dropped (the list changed: pass again), else 0. */
static int
kick_once(void)
{
	const struct authq_entry *held[AUTHQ_MAX];
	struct authq_entry **pp = &head, *e;
	int nheld = 0;

	while ((e = *pp) != NULL) {
		struct conn *c;
		int wait_s = 1, rc;

		if (held_before(e->addr, held, nheld)) {
			pp = &e->next;
			continue;
		}
		if ((c = conn_ref_get(&e->conn)) == NULL) {
			*pp = e->next;
			entry_free(e);
			continue;
		}
		if ((rc = auth_begin(e->addr, srv.now_ms, &wait_s)) < 0) {
			c->tag = NULL;
			if (nheld < AUTHQ_MAX)
				held[nheld++] = e;
			pp = &e->next;
			continue;	/* its turn has not come yet */
		}
		*pp = e->next;
		if (rc == 0)
			session_reply_throttle(c, wait_s);
		else
			session_start_check(c, e->kind, e->addr, e->name, e->pw);
		c->tag = NULL;
		entry_free(e);
		if (rc == 0)
			conn_resume(c);
		return 1;
	}
	return 0;
}

void
authq_kick(void)
{
	if (head == NULL)
		return;
	if (kicking) {		/* a check answered inline, from inside a kick */
		kick_again = 1;
		return;
	}
	kicking = 1;
	do {
		kick_again = 0;
		while (kick_once())
			;
	} while (kick_again);
	kicking = 0;
}

void
authq_drop(const struct conn *c)
{
	struct authq_entry **pp = &head, *e;

	while ((e = *pp) != NULL) {
		if (e->conn.serial == c->serial) {
			*pp = e->next;
			entry_free(e);
		} else {
			pp = &e->next;
		}
	}
}
