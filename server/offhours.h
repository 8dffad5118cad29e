/*
 * offhours.h - when a group takes no new chats (outside its working hours,
 * on a holiday, during maintenance) and what visitors and agents are told:
 * the closed answer to HELLO, the greeting on assignment, the auto-reply
 * to a visitor waiting long, and the clock all of it reads.
 */
#ifndef KEFU_OFFHOURS_H
#define KEFU_OFFHOURS_H

#include <time.h>

#include "server.h"

/* The wall clock for working hours: time(NULL), or with testing.now
 * (tests only) that instant plus the time since it was set. */
time_t offhours_now(void);
/* Start the clock again from srv.cfg.test_now (at start and on SIGHUP). */
void offhours_clock_reset(void);

/* Why g takes no new chats now ("maint", "hours", "holiday"), or NULL if
 * it does; *opens: when it opens again (0: unknown). */
const char *offhours_closed(const struct group *g, time_t *opens);

/*
 * HELLO for group g while it is closed: v becomes c's visitor without a
 * chat, answered "OK visitor=V token=T closed=REASON" and told
 * "* CLOSED 0 ..."; returns 1. Returns 0 (nothing done) while g is open.
 */
int offhours_hello(struct conn *c, struct visitor *v, struct group *g);

/* "* CLOSED <chat> group=G reason=... :text" to c (NULL: nobody) while g
 * is closed; 1 if it is, 0 (nothing sent) while it is open. */
int offhours_tell_closed(struct conn *c, int64_t chat, struct group *g);
/* "* CLOSED <chat> ... reason=nobody" to ch's visitor if ch is queued and
 * nobody of its group is on duty. */
void offhours_tell_nobody(struct chat *ch);

/* The group's greeting as a system message (first assignment of ch). */
void offhours_greet(struct chat *ch);

/* Once a second: the wait auto-reply to visitors waiting long enough,
 * and the end of a maintenance whose until= has come. */
void offhours_tick(void);

/*
 * Maintenance: while on, every group is closed to new visitors (reason
 * maint, the notice as text); chats already open go on. until: 0 or when
 * it ends by itself. Each change is audited under actor and sent to every
 * agent as "* MAINT on|off ...". -1: out of memory.
 */
int offhours_maint_set(int on, time_t until, const char *notice,
    const char *actor);
/* Build "* MAINT ..." (the current state) in the event buffer; 0 if off. */
int offhours_maint_event(void);
/* At start: the maintenance that was on when kefud stopped, from the
 * store (not a drain's); no event, no audit line. 0 or -1. */
int offhours_maint_restore(void);
/* " on [until=EPOCH] by=NAME :notice" or " off by=NAME" into b. */
void offhours_maint_put(struct pbuf *b);

#endif
