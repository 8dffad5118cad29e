/*
 * authd.h - password checks off the event loop. A yescrypt check costs
 * ~60 ms of CPU; done inline, every login would stall every chat for that
 * long. A small worker process does the hashing; the connection that asked
 * is paused (its input is not read) until the answer comes back.
 */
#ifndef KEFU_AUTHD_H
#define KEFU_AUTHD_H

struct conn;

/* Called once per check when it is done: with the connection (tag
 * restored), or NULL if the client went away meanwhile. result: 1 right
 * password, 0 wrong, -1 not checked (the worker died). */
typedef void authd_done_fn(struct conn *c, int result, int kind,
    const char *name, const char *addr);

int authd_start(authd_done_fn *done);
void authd_stop(void);
/* From the loop's timer: start a new worker when one is due. */
void authd_tick(long long now_ms);
/* Check pw against hash (NULL: unknown user, always fails). */
void authd_check(struct conn *c, int kind, const char *name, const char *addr,
    const char *pw, const char *hash);

#endif
