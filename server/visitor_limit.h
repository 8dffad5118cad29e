/*
 * visitor_limit.h - per-address limits on visitors (HELLO rate, open chats)
 * and the size limits of HELLO's fields. See visitor_limit.c.
 */
#ifndef KEFU_VISITOR_LIMIT_H
#define KEFU_VISITOR_LIMIT_H

#include <stddef.h>

#define VLIMIT_NAME_MAX     64	/* bytes of a visitor's name */
#define VLIMIT_QUESTION_MAX 1024	/* bytes of HELLO's :question */

struct vlimit_addr;

enum { VLIMIT_OK = 0, VLIMIT_RATE, VLIMIT_OPEN };

/* May addr start one more chat now? VLIMIT_RATE sets *wait_s (seconds
 * until it may); a VLIMIT_OK uses up one HELLO of the rate. */
int vlimit_new_chat(const char *addr, int *wait_s);
/* A chat of addr opened / ended; the handle goes with the chat. */
struct vlimit_addr *vlimit_open(const char *addr);
void vlimit_close(struct vlimit_addr *e);
/* Forget idle addresses (once a second). */
void vlimit_sweep(void);
void vlimit_free_all(void);

/* Token bucket: limits.msg_rate a second, bursts of limits.msg_burst;
 * 1 and one token used, or 0 when empty. */
int vlimit_bucket_take(double *tokens, long long *at);

/* Check one "key=value" argument of HELLO: a known key, not too long.
 * 0 ok, -1 with a message for ERR ARGS in err. */
int vlimit_hello_field(const char *arg, char *err, size_t errlen);
/* A visitor name trimmed, newlines and tabs as spaces; NULL when blank. */
char *vlimit_clean_name(const char *name);

#endif
