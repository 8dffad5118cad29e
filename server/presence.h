/*
 * presence.h - the agents' status-change log, written as it happens, for
 * the online/away/busy times of reports (report.c).
 */
#ifndef KEFU_PRESENCE_H
#define KEFU_PRESENCE_H

struct agent;

/* Log a's effective status (its status while logged in, else offline) if
 * it changed since the last row; agent_notify_status() calls it. */
void presence_note(struct agent *a);
/* At start-up: agents a crash left on get an offline row at the time of
 * the last stored activity. 0, or -1 on a store error. */
int presence_boot(void);
/* At shutdown: every agent still on goes offline now. */
void presence_shutdown(void);

#endif
