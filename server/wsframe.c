/*
 * wsframe.c - the WebSocket frame layer: wslay's event API behind the small
 * interface of wsframe.h, with kefu's policy on what a frame may carry:
 *   - a text message is one protocol line: a trailing "\n" (or "\r\n") is
 *     dropped, any other newline becomes a control byte that the line
 *     parser refuses (ERR UTF8), so a frame can never smuggle two requests;
 *   - a binary message closes the connection with 1003 (unsupported data);
 *   - a message over the limit is closed by wslay itself with 1009;
 *   - pings are answered and closes echoed by wslay.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <wslay/wslay.h>

#include "wsframe.h"

struct wsf {
	wslay_event_context_ptr ctx;
	struct wsf_io io;
	size_t max_msg;
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

	if (n > 0)
		return n;
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

struct wsf *
wsf_new(const struct wsf_io *io, size_t max_msg)
{
	static const struct wslay_event_callbacks cbs = {
		.recv_callback = recv_cb,
		.send_callback = send_cb,
		.on_msg_recv_callback = msg_cb,
	};
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
	if (wslay_event_context_server_init(&w->ctx, &cbs, w) != 0) {
		free(w);
		return NULL;
	}
	wslay_event_config_set_max_recv_msg_length(w->ctx, max_msg);
	return w;
}

void
wsf_free(struct wsf *w)
{
	if (w == NULL)
		return;
	wslay_event_context_free(w->ctx);
	free(w);
}

int
wsf_recv(struct wsf *w)
{
	if (!wslay_event_want_read(w->ctx))
		return w->gone ? -1 : 0;
	int r = wslay_event_recv(w->ctx);

	if (r != 0 || w->gone)
		return -1;
	return 0;
}

int
wsf_send(struct wsf *w)
{
	if (!wslay_event_want_write(w->ctx))
		return 0;
	return wslay_event_send(w->ctx) == 0 ? 0 : -1;
}

int
wsf_queue_text(struct wsf *w, const char *s, size_t len)
{
	struct wslay_event_msg m = { WSLAY_TEXT_FRAME, (const uint8_t *)s, len };

	return wslay_event_queue_msg(w->ctx, &m) == 0 ? 0 : -1;
}

int
wsf_ping(struct wsf *w)
{
	struct wslay_event_msg m = { WSLAY_PING, (const uint8_t *)"kefu", 4 };

	return wslay_event_queue_msg(w->ctx, &m) == 0 ? 0 : -1;
}

void
wsf_close(struct wsf *w, uint16_t code, const char *reason)
{
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
	return wslay_event_want_write(w->ctx);
}

int
wsf_closing(const struct wsf *w)
{
	return w->gone || !wslay_event_get_read_enabled(w->ctx) ||
	    wslay_event_get_close_received(w->ctx) ||
	    wslay_event_get_close_sent(w->ctx);
}

size_t
wsf_queued(const struct wsf *w)
{
	return wslay_event_get_queued_msg_length(w->ctx);
}
