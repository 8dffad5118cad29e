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
/* Throttle: 1 if addr may try now. */
int auth_allowed(const char *addr, long long now_ms);
void auth_failed(const char *addr, long long now_ms);
void auth_succeeded(const char *addr);
void auth_configure(int max_failures, int window_s);
/* n random bytes as 2n hex chars + NUL into out (size >= 2n+1). */
int auth_random_hex(char *out, size_t n);
int auth_password_ok(const char *pw, const char **why);

#endif
