/*
 * store_report.c - the stored facts reports are computed from, beyond the
 * chat timestamps store_chat.c keeps: how often a chat was transferred,
 * whether it ended while still queued, and the agents' status-change log
 * (agent_status_log: one row per change of an agent's effective status,
 * "offline" while no connection is logged in). report.c reads them.
 */
#include <sqlite3.h>

#include "store.h"
#include "store_int.h"

enum {
	S_TRANSFERRED, S_MISSED, S_STATUS_INS, S_STATUS_OPEN, S_LAST_TS,
	S__COUNT
};

static struct store_sql sql[S__COUNT] = {
	[S_TRANSFERRED] = { "UPDATE chats SET transfers=transfers+1 WHERE id=?", NULL },
	[S_MISSED] = { "UPDATE chats SET missed=1 WHERE id=?", NULL },
	[S_STATUS_INS] = { "INSERT INTO agent_status_log (ts, agent, status) VALUES (?,?,?)", NULL },
	/* agents whose latest row says they are on (a crash left it so) */
	[S_STATUS_OPEN] = { "INSERT INTO agent_status_log (ts, agent, status) "
	    "SELECT ?, l.agent, 'offline' FROM agent_status_log l "
	    "WHERE l.id IN (SELECT max(id) FROM agent_status_log GROUP BY agent) "
	    "AND l.status != 'offline'", NULL },
	/* the last thing stored before a crash: newest message or status */
	[S_LAST_TS] = { "SELECT max(coalesce((SELECT ts FROM messages ORDER BY id DESC LIMIT 1), 0),"
	    " coalesce((SELECT ts FROM agent_status_log ORDER BY id DESC LIMIT 1), 0))", NULL },
};

struct sqlite3 *
store_handle(void)
{
	return store_db;
}

int
store_chat_transferred(int64_t id)
{
	return store_exec(store_wstmt(&sql[S_TRANSFERRED]), "I", id);
}

int
store_chat_missed(int64_t id)
{
	return store_exec(store_wstmt(&sql[S_MISSED]), "I", id);
}

int
store_status_log(const char *agent, const char *status, time_t ts)
{
	return store_exec(store_wstmt(&sql[S_STATUS_INS]), "Itt", (int64_t)ts,
	    agent, status);
}

int
store_status_close_open(time_t ts)
{
	return store_exec(store_wstmt(&sql[S_STATUS_OPEN]), "I", (int64_t)ts);
}

int
store_last_activity(time_t *ts)
{
	int64_t v = 0;

	if (store_step_int64(store_stmt(&sql[S_LAST_TS]), &v) < 0)
		return -1;
	*ts = (time_t)v;
	return 0;
}
