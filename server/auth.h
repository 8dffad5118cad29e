/*
 * auth.h - passwords (yescrypt through libcrypt), login throttling per
 * remote address, random tokens.
 */
#ifndef KEFU_AUTH_H
#define KEFU_AUTH_H

#include <stddef.h>

/* A new yescrypt hash of pw, malloc'd; NULL on failure. */
char *auth_hash(const char *pw);
/* 1 if pw matches hash. Takes the same time for a NULL hash (unknown user). */
int auth_verify(const char *pw, const char *hash);
/*
 * Throttle, per remote address (see auth.c). auth_begin: 1 if addr may try
 * now, and the try is then pending until auth_end; 0 if not (throttled),
 * with *wait_s the seconds to wait; -1 if it must wait for one of addr's
 * pending tries to settle (authq.c queues it). auth_end's result: 1 right
 * (clears that account's failures on addr), 0 wrong (counts), -1 not
 * checked (counts nothing).
 */
int auth_begin(const char *addr, long long now_ms, int *wait_s);
void auth_end(const char *addr, const char *name, int result, long long now_ms);
/* Check only, nothing pending: 1 if addr's failures allow a try, else 0
 * and *wait_s. */
int auth_allowed(const char *addr, long long now_ms, int *wait_s);
/* A wrong try that took no auth_begin (a ticket) counts on addr. */
void auth_failed(const char *addr, const char *name, long long now_ms);
/* A login that took no auth_begin (a key) clears name's failures on addr. */
void auth_succeeded(const char *addr, const char *name, long long now_ms);
void auth_configure(int max_failures, int window_s);
/* n random bytes as 2n hex chars + NUL into out (size >= 2n+1). */
int auth_random_hex(char *out, size_t n);
/* Longest password accepted anywhere; longer ones are refused before
 * they reach the hasher. */
#define AUTH_PASSWORD_MAX 256
int auth_password_ok(const char *pw, const char **why);
/* 1 if a and b are equal, in time that depends only on their lengths. */
int auth_token_eq(const char *a, const char *b);

#endif
