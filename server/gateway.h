/*
 * gateway.h - kefud's side of the SSH gateway: the shared secret and the
 * kefud-ssh child process (started, restarted if it dies, stopped).
 */
#ifndef KEFU_GATEWAY_H
#define KEFU_GATEWAY_H

int gateway_prepare(void);
void gateway_spawn(void);
void gateway_reap(void);
void gateway_stop(void);
/* Resolve a helper program: absolute, next to kefud, build tree, or PATH. */
int gateway_find_program(const char *name, const char *buildrel, char *out,
    size_t outlen);

#endif
