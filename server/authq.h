/*
 * authq.h - password checks waiting for their address's turn (authq.c):
 * a try that auth_begin() holds back only because other checks of its
 * address are still running waits here instead of being refused.
 */
#ifndef KEFU_AUTHQ_H
#define KEFU_AUTHQ_H

struct conn;

/* Queue a try and pause c: 0, or -1 when the queue is full. */
int authq_add(struct conn *c, int kind, const char *addr, const char *name,
    const char *pw);
/* A check settled: start the waiting tries whose turn has come. */
void authq_kick(void);
/* c is closing: forget its waiting tries. */
void authq_drop(const struct conn *c);

#endif
