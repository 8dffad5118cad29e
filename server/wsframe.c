/*
 * wsframe.c - the WebSocket frame layer: wslay's event API behind the small
 * interface of wsframe.h, with kefu's policy on what a frame may carry:
 *   - a text message is one protocol line: a trailing "\n" (or "\r\n") is
 *     dropped, any other newline becomes a control byte that the line
 *     parser refuses (ERR UTF8), so a frame can never smuggle two requests;
 *   - a binary message closes the connection with 1003 (unsupported data);
 *   - a message over the limit is closed by wslay itself with 1009;
 *   - pings are answered and closes echoed by wslay.
 *
 * A wslay context costs 9.4 KB (its input and output buffers), more than
 * everything else a connection holds, so one exists only while a frame is
 * under way: it is made when bytes arrive or a frame is to be sent, and
 * freed (wsf_release) once every byte it was given belongs to a complete
 * frame, no fragmented message is open, nothing waits to be sent and no
 * close has begun. Between frames a context holds nothing that a new one
 * would not: an idle visitor costs the few bytes of struct wsf.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <wslay/wslay.h>

#include "wsframe.h"

struct wsf {
	wslay_event_context_ptr ctx;	/* NULL between frames */
	struct wsf_io io;
	size_t max_msg;
	uint64_t fed;		/* bytes rd() gave the context */
	uint64_t framed;	/* of them, in frames wslay has finished */
	uint64_t frame;		/* size of the frame being read, header too */
	int frag;		/* a fragmented message is open */
	int gone;		/* rd() reported the end or an error */
};


/* One line at a time for every context: io.line() consumes it before the
 * next message is read (a buffer each would cost line_max per visitor). */
static char *scratch;
static size_t scratch_cap;

static ssize_t
recv_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags,
    void *user)
{
	struct wsf *w = user;
	ssize_t n = w->io.rd(w->io.arg, buf, len);

	if (n > 0) {
		w->fed += (uint64_t)n;
		return n;
	}
	if (n == 0) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	w->gone = 1;
	wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
	return -1;
}

static ssize_t
send_cb(wslay_event_context_ptr ctx, const uint8_t *data, size_t len,
    int flags, void *user)
{
	struct wsf *w = user;
	ssize_t n = w->io.wr(w->io.arg, data, len);

	if (n > 0)
		return n;
	wslay_event_set_error(ctx, n == 0 ? WSLAY_ERR_WOULDBLOCK :
	    WSLAY_ERR_CALLBACK_FAILURE);
	return -1;
}

/* A client frame's header: 2 bytes, the extended length (wslay takes only
 * the shortest form), the 4-byte mask key (wslay refuses unmasked frames
 * before this is called). */
static void
frame_start_cb(wslay_event_context_ptr ctx,
    const struct wslay_event_on_frame_recv_start_arg *a, void *user)
{
	struct wsf *w = user;
	uint64_t n = a->payload_length;

	(void)ctx;
	w->frame = 2 + 4 + (n >= 65536 ? 8 : n >= 126 ? 2 : 0) + n;
	if (a->opcode == WSLAY_TEXT_FRAME || a->opcode == WSLAY_BINARY_FRAME ||
	    a->opcode == WSLAY_CONTINUATION_FRAME)
		w->frag = !a->fin;
}

static void
frame_end_cb(wslay_event_context_ptr ctx, void *user)
{
	struct wsf *w = user;

	(void)ctx;
	w->framed += w->frame;
	w->frame = 0;
}

static void
msg_cb(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *m,
    void *user)
{
	struct wsf *w = user;
	size_t len = m->msg_length;

	if (m->opcode == WSLAY_BINARY_FRAME) {
		wsf_close(w, WSLAY_CODE_UNSUPPORTED_DATA, "text frames only");
		return;
	}
	if (m->opcode != WSLAY_TEXT_FRAME || wslay_event_get_close_sent(ctx))
		return;		/* control frames: wslay answers them */
	if (len > w->max_msg)	/* wslay enforces it; never trust twice */
		return;
	if (len > 0)		/* an empty message has no buffer */
		memcpy(scratch, m->msg, len);
	if (len > 0 && scratch[len - 1] == '\n')
		len--;
	for (size_t i = 0; i < len; i++)
		if (scratch[i] == '\n')
			scratch[i] = '\001';
	scratch[len++] = '\n';
	w->io.line(w->io.arg, scratch, len);
}

static const struct wslay_event_callbacks cbs = {
	.recv_callback = recv_cb,
	.send_callback = send_cb,
	.on_frame_recv_start_callback = frame_start_cb,
	.on_frame_recv_end_callback = frame_end_cb,
	.on_msg_recv_callback = msg_cb,
};

/* The context, made when first needed: NULL when out of memory. */
static wslay_event_context_ptr
ctx_get(struct wsf *w)
{
	if (w->ctx)
		return w->ctx;
	if (wslay_event_context_server_init(&w->ctx, &cbs, w) != 0) {
		w->ctx = NULL;
		return NULL;
	}
	wslay_event_config_set_max_recv_msg_length(w->ctx, w->max_msg);
	w->fed = w->framed = w->frame = 0;
	w->frag = 0;
	return w->ctx;
}

struct wsf *
wsf_new(const struct wsf_io *io, size_t max_msg)
{
	struct wsf *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return NULL;
	if (scratch_cap < max_msg + 2) {
		char *n = realloc(scratch, max_msg + 2);

		if (n == NULL) {
			free(w);
			return NULL;
		}
		scratch = n;
		scratch_cap = max_msg + 2;
	}
	w->io = *io;
	w->max_msg = max_msg;
	return w;
}

int
wsf_release(struct wsf *w)
{
	wslay_event_context_ptr x = w->ctx;

	if (x == NULL)
		return 1;
	if (w->gone || w->fed != w->framed || w->frag ||
	    wslay_event_want_write(x) || !wslay_event_get_read_enabled(x) ||
	    wslay_event_get_close_received(x) || wslay_event_get_close_sent(x))
		return 0;
	wslay_event_context_free(x);
	w->ctx = NULL;
	return 1;
}

void
wsf_free(struct wsf *w)
{
	if (w == NULL)
		return;
	if (w->ctx)
		wslay_event_context_free(w->ctx);
	free(w);
}

int
wsf_recv(struct wsf *w)
{
	if (w->gone || ctx_get(w) == NULL)
		return -1;
	if (!wslay_event_want_read(w->ctx))
		return 0;
	int r = wslay_event_recv(w->ctx);

	if (r != 0 || w->gone)
		return -1;
	return 0;
}

int
wsf_send(struct wsf *w)
{
	if (w->ctx == NULL || !wslay_event_want_write(w->ctx))
		return 0;
	return wslay_event_send(w->ctx) == 0 ? 0 : -1;
}

int
wsf_queue_text(struct wsf *w, const char *s, size_t len)
{
	struct wslay_event_msg m = { WSLAY_TEXT_FRAME, (const uint8_t *)s, len };

	if (ctx_get(w) == NULL)
		return -1;
	return wslay_event_queue_msg(w->ctx, &m) == 0 ? 0 : -1;
}

int
wsf_ping(struct wsf *w)
{
	struct wslay_event_msg m = { WSLAY_PING, (const uint8_t *)"kefu", 4 };

	if (ctx_get(w) == NULL)
		return -1;
	return wslay_event_queue_msg(w->ctx, &m) == 0 ? 0 : -1;
}

void
wsf_close(struct wsf *w, uint16_t code, const char *reason)
{
	if (ctx_get(w) == NULL) {
		w->gone = 1;	/* no memory for a close frame: just end */
		return;
	}
	if (wslay_event_get_close_sent(w->ctx))
		return;
	/* fails only when a close is already queued: fine either way */
	(void)wslay_event_queue_close(w->ctx, code, (const uint8_t *)reason,
	    reason ? strlen(reason) : 0);
	wslay_event_shutdown_read(w->ctx);
}

int
wsf_want_write(const struct wsf *w)
{
	return w->ctx != NULL && wslay_event_want_write(w->ctx);
}

int
wsf_closing(const struct wsf *w)
{
	if (w->ctx == NULL)
		return w->gone;
	return w->gone || !wslay_event_get_read_enabled(w->ctx) ||
	    wslay_event_get_close_received(w->ctx) ||
	    wslay_event_get_close_sent(w->ctx);
}

size_t
wsf_queued(const struct wsf *w)
{
	return w->ctx ? wslay_event_get_queued_msg_length(w->ctx) : 0;
}
