/*
 * wsframe.h - WebSocket frames for kefud through wslay: one text message in
 * is one protocol line, one line out is one text frame. No sockets and no
 * server state here: the owner supplies the I/O, so the fuzzer can drive it.
 */
#ifndef KEFU_WSFRAME_H
#define KEFU_WSFRAME_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct wsf_io {
	/* > 0 bytes read, 0 would block, -1 end of input or error */
	ssize_t (*rd)(void *arg, uint8_t *buf, size_t len);
	/* >= 0 bytes written (0 would block), -1 error */
	ssize_t (*wr)(void *arg, const uint8_t *buf, size_t len);
	/* one text message, '\n'-terminated in a writable buffer; len counts
	 * the '\n'. The message never holds another '\n'. */
	void (*line)(void *arg, char *line, size_t len);
	void *arg;
};

struct wsf;

/* A server-side context; messages longer than max_msg are closed (1009). */
struct wsf *wsf_new(const struct wsf_io *io, size_t max_msg);
void wsf_free(struct wsf *w);
/* Between frames, give back wslay's context (see wsframe.c): 1 when none
 * is held any more, 0 while a frame, a message, output or a close is under
 * way. The next call that needs one makes a new one. */
int wsf_release(struct wsf *w);
/* Read and handle what is there: 0, or -1 when the peer is gone. */
int wsf_recv(struct wsf *w);
/* Write what is queued: 0, or -1 on a write error. */
int wsf_send(struct wsf *w);
/* Queue one text frame (len bytes, no '\n'). 0, or -1 after a close. */
int wsf_queue_text(struct wsf *w, const char *s, size_t len);
int wsf_ping(struct wsf *w);
/* Queue a close frame (once). */
void wsf_close(struct wsf *w, uint16_t code, const char *reason);
int wsf_want_write(const struct wsf *w);
/* No more input will be handled (a close was seen or sent). */
int wsf_closing(const struct wsf *w);
/* Bytes of frames queued but not yet written. */
size_t wsf_queued(const struct wsf *w);

#endif
