/*
 * presence.c - the status-change log (agent_status_log): one row each time
 * an agent's effective status changes, so a report can add up how long
 * each agent was online, away or busy. The effective status is what the
 * desk routes by: the agent's status while at least one connection is
 * logged in, offline otherwise (disconnected, logged out, deleted).
 *
 * The rows go into the iteration's transaction like every other write.
 * A clean shutdown closes every open interval; after a crash, start-up
 * closes them at the last stored activity (the newest message or status
 * row), the best guess of when the server died.
 */
#include <time.h>

#include "desk.h"
#include "log.h"
#include "presence.h"
#include "store.h"

static enum agent_status
effective(const struct agent *a)
{
	return a->conn && !a->deleted ? a->status : AS_OFFLINE;
}

static void
log_status(struct agent *a, enum agent_status s, time_t ts)
{
	if (store_status_log(a->name, agent_status_name(s), ts) < 0) {
		log_warn("status log of %s: %s", a->name, store_errmsg());
		return;		/* tried again at the next change */
	}
	a->logged = s;
}

void
presence_note(struct agent *a)
{
	enum agent_status s = effective(a);

	if (s != a->logged)
		log_status(a, s, time(NULL));
}

int
presence_boot(void)
{
	time_t at = 0, now = time(NULL);

	if (store_last_activity(&at) < 0)
		return -1;
	if (at == 0 || at > now)
		at = now;
	if (store_status_close_open(at) < 0)
		return -1;
	return store_commit();
}

void
presence_shutdown(void)
{
	time_t now = time(NULL);

	for (struct agent *a = desk.agents; a; a = a->next)
		if (a->logged != AS_OFFLINE)
			log_status(a, AS_OFFLINE, now);
}
