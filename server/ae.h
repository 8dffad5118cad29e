/*
 * ae.h - the event loop: epoll file events, one periodic timer, and a hook
 * that runs before the loop sleeps (where kefud commits the iteration's
 * writes and flushes replies).
 */
#ifndef KEFU_AE_H
#define KEFU_AE_H

#define AE_READ  1
#define AE_WRITE 2

struct ae_loop;
typedef void ae_file_proc(struct ae_loop *l, int fd, void *data, int mask);
typedef void ae_proc(struct ae_loop *l, void *data);

struct ae_loop *ae_create(int maxfds);
void ae_free(struct ae_loop *l);
/* Set the events wanted on fd (0 removes it). */
int ae_set(struct ae_loop *l, int fd, int mask, ae_file_proc *proc, void *data);
int ae_get(struct ae_loop *l, int fd);
void ae_set_timer(struct ae_loop *l, int ms, ae_proc *proc, void *data);
void ae_set_before_sleep(struct ae_loop *l, ae_proc *proc, void *data);
/* Wake up no later than this monotonic time (microseconds), once. */
void ae_wake_at_us(struct ae_loop *l, long long us);
void ae_stop(struct ae_loop *l);
void ae_run(struct ae_loop *l);
long long ae_now_ms(void);
long long ae_now_us(void);

#endif
