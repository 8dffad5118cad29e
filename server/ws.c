/*
 * ws.c - a WebSocket connection as a protocol connection: each text message
 * the visitor sends is fed to conn.c as one line (so the same dispatch,
 * flood limits and pausing apply), and each line conn.c has committed for
 * the client goes out as one text frame. Frames themselves are wsframe.c's.
 *
 * Output is moved from the connection's line buffer into frames only while
 * wslay holds less than WS_QUEUE_MAX bytes, so a client that does not read
 * backs up in the line buffer, where limits.outbuf_max applies as for TCP.
 * A client silent for http.ping_interval seconds gets a ping; one silent
 * for twice that long is closed.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "http.h"
#include "log.h"
#include "server.h"

#define WS_QUEUE_MAX 65536

static ssize_t
ws_rd(void *arg, uint8_t *buf, size_t len)
{
	struct conn *c = arg;
	struct web *w = c->web;
	ssize_t n;

	/* a paused or closing connection reads nothing more for now */
	if (c->paused || c->closing || c->dead)
		return 0;
	if (w->preoff < w->prelen) {	/* bytes that came with the request */
		n = (ssize_t)(len < w->prelen - w->preoff ? len :
		    w->prelen - w->preoff);
		memcpy(buf, w->pre + w->preoff, (size_t)n);
		w->preoff += (size_t)n;
		return n;
	}
	n = read(c->fd, buf, len);
	if (n > 0) {
		w->last_rx_ms = srv.now_ms;
		w->pinged = 0;
		return n;
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return 0;
	return -1;
}

static ssize_t
ws_wr(void *arg, const uint8_t *buf, size_t len)
{
	struct conn *c = arg;
	ssize_t n = write(c->fd, buf, len);

	if (n >= 0)
		return n;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return 0;
	return -1;
}

static void
ws_line(void *arg, char *line, size_t len)
{
	struct conn *c = arg;

	if (!c->dead)
		conn_feed(c, line, len);
}

int
ws_start(struct conn *c)
{
	struct wsf_io io = { ws_rd, ws_wr, ws_line, c };

	/* a message and its '\n' must fit limits.line_max */
	c->web->ws = wsf_new(&io, srv.cfg.line_max - 1);
	if (c->web->ws == NULL)
		return -1;
	log_debug("websocket %d from %s", c->fd, c->addr);
	if (c->web->prelen)
		ws_readable(c);
	return 0;
}

/* After input: what wslay wants to send (pongs, closes) goes out with the
 * next flush; a connection whose close is done is closed. */
static void
after_io(struct conn *c)
{
	struct wsf *ws = c->web->ws;

	if (wsf_closing(ws))
		c->closing = 1;
	if (wsf_want_write(ws) || c->closing)
		conn_want_flush(c);
}

void
ws_readable(struct conn *c)
{
	struct wsf *ws = c->web->ws;

	if (c->closing && !wsf_closing(ws)) {
		/* QUIT or shutdown: the close frame is on its way; drop input */
		char buf[4096];
		ssize_t n = read(c->fd, buf, sizeof(buf));

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			conn_close(c, "eof");
		return;
	}
	if (wsf_recv(ws) < 0) {
		conn_close(c, "websocket: peer gone");
		return;
	}
	if (!c->dead)
		after_io(c);
}

int
ws_write(struct conn *c)
{
	struct wsf *ws = c->web->ws;

	while (c->outoff < c->outsafe && wsf_queued(ws) < WS_QUEUE_MAX) {
		char *s = c->out.data + c->outoff;
		char *nl = memchr(s, '\n', c->outsafe - c->outoff);
		size_t len = nl ? (size_t)(nl - s) : c->outsafe - c->outoff;

		if (wsf_queue_text(ws, s, len) < 0) {
			c->outoff = c->outsafe;	/* closed: nobody to tell */
			break;
		}
		c->outoff += len + (nl != NULL);
	}
	if (c->outoff == c->out.len) {
		c->out.len = c->outoff = c->outsafe = 0;
		if (c->out.cap > 65536)
			pbuf_free(&c->out);
	}
	if (wsf_send(ws) < 0)
		return -1;
	/* wslay sends control frames first: the close waits for the data */
	if (c->closing && c->out.len == 0 && wsf_queued(ws) == 0) {
		wsf_close(ws, 1000, "bye");
		return wsf_send(ws);
	}
	return 0;
}

void
ws_tick(struct conn *c)
{
	struct web *w = c->web;
	long long quiet = srv.now_ms - w->last_rx_ms;
	long long iv = (long long)srv.cfg.http_ping_interval * 1000;

	if (iv == 0 || c->closing)
		return;
	if (quiet >= 2 * iv) {
		conn_close(c, "websocket: no answer to ping");
		return;
	}
	if (quiet >= iv && !w->pinged) {
		w->pinged = 1;
		if (wsf_ping(w->ws) == 0)
			conn_want_flush(c);
	}
}
