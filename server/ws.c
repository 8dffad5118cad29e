/*
 * ws.c - a WebSocket connection as a protocol connection: each text message
 * the visitor sends is fed to conn.c as one line (so the same dispatch,
 * flood limits and pausing apply), and each line conn.c has committed for
 * the client goes out as one text frame. Frames themselves are wsframe.c's.
 *
 * Output: lines become frames only as fast as the socket takes them. Each
 * round frames up to WS_CHUNK bytes of committed lines, lets wslay put
 * them into one batch buffer (shared by all connections, header and
 * payload pieces together), and writes the batch with one write(); the
 * rounds go on until the lines are done or the socket is full. What the
 * socket does not take waits in the connection's wire buffer, and no new
 * frame is made until it is gone. So a visitor that does not read backs up
 * in its line buffer, as a TCP client does, and conn.c counts the wire
 * buffer and wslay's queue as unread output too (ws_backlog): the same
 * limits.outbuf_max and the same pausing apply.
 *
 * wslay's context exists only while a frame is under way (wsframe.c);
 * bytes that came with the upgrade request are freed once read.
 * A client silent for http.ping_interval seconds gets a ping; one silent
 * for twice that long is closed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http.h"
#include "log.h"
#include "server.h"

#define WS_CHUNK 8192		/* lines framed per round */
#define WS_BATCH 65536		/* bytes of frames written at once */

static char batch[WS_BATCH];	/* frames of the connection being written */
static size_t batchlen;

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
		if (w->preoff == w->prelen) {
			free(w->pre);
			w->pre = NULL;
			w->prelen = w->preoff = 0;
		}
		return n;
	}
	if (w->drained)		/* the last read did not fill its buffer */
		return 0;
	n = read(c->fd, buf, len);
	if (n > 0) {
		w->last_rx_ms = srv.now_ms;
		w->pinged = 0;
		w->drained = (size_t)n < len;
		return n;
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return 0;
	return -1;
}

/* wslay's output goes into the batch; 0 ("would block") when it is full
 * or the socket still has some of the last batch to take. */
static ssize_t
ws_wr(void *arg, const uint8_t *buf, size_t len)
{
	struct conn *c = arg;
	size_t room = WS_BATCH - batchlen;

	if (c->web->wireoff < c->web->wirelen || room == 0)
		return 0;
	if (len > room)
		len = room;
	memcpy(batch + batchlen, buf, len);
	batchlen += len;
	return (ssize_t)len;
}

/* Write data (from_wire: the wire buffer's own rest); keep what the socket
 * does not take in the wire buffer. -1 on a dead socket. */
static int
wire_write(struct conn *c, const char *data, size_t len, int from_wire)
{
	struct web *w = c->web;
	size_t off = 0;

	while (off < len) {
		ssize_t n = write(c->fd, data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0)
			return -1;
		off += (size_t)n;
	}
	if (off == len)
		return 0;
	if (from_wire) {		/* the old rest, partly written */
		w->wireoff += off;
		return 0;
	}
	free(w->wire);
	if ((w->wire = malloc(len - off)) == NULL)
		return -1;
	memcpy(w->wire, data + off, len - off);
	w->wirelen = len - off;
	w->wireoff = 0;
	return 0;
}

/* The rest of the last batch first: 1 while some of it is still left. */
static int
wire_flush(struct conn *c, int *dead)
{
	struct web *w = c->web;

	*dead = 0;
	if (w->wireoff >= w->wirelen)
		return 0;
	if (wire_write(c, w->wire + w->wireoff, w->wirelen - w->wireoff, 1) < 0) {
		*dead = 1;
		return 1;
	}
	if (w->wireoff < w->wirelen)
		return 1;
	free(w->wire);
	w->wire = NULL;
	w->wirelen = w->wireoff = 0;
	return 0;
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
 * next flush; a connection whose close is done is closed. With nothing
 * to send and no frame half read, the context goes. */
static void
after_io(struct conn *c)
{
	struct wsf *ws = c->web->ws;

	if (wsf_closing(ws))
		c->closing = 1;
	if (wsf_want_write(ws) || c->closing)
		conn_want_flush(c);
	else	/* even with replies to send: one context for each of a
		 * turn's thousand readers would be the high-water mark */
		(void)wsf_release(ws);	/* 0: still in use, kept */
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
	c->web->drained = 0;
	if (wsf_recv(ws) < 0) {
		conn_close(c, "websocket: peer gone");
		return;
	}
	if (!c->dead)
		after_io(c);
}

static int ws_frames(struct conn *c);

/* More to do after a round: lines or frames left, and the socket took
 * everything so far. */
static int
ws_more(const struct conn *c)
{
	const struct web *w = c->web;

	return w->wireoff >= w->wirelen &&
	    (c->outoff < c->outsafe || wsf_want_write(w->ws));
}

int
ws_write(struct conn *c)
{
	int dead, rc;

	do {
		if (wire_flush(c, &dead))
			return dead ? -1 : 0;
		batchlen = 0;
		rc = ws_frames(c);
		if (batchlen > 0 && wire_write(c, batch, batchlen, 0) < 0)
			rc = -1;
		batchlen = 0;
	} while (rc == 0 && ws_more(c));
	if (rc == 0)
		(void)wsf_release(c->web->ws);	/* 0: still in use, kept */
	return rc;
}

size_t
ws_backlog(const struct conn *c)
{
	const struct web *w = c->web;

	if (w == NULL || w->ws == NULL)
		return 0;
	return w->wirelen - w->wireoff + wsf_queued(w->ws);
}

/* One round: committed lines into frames, WS_CHUNK bytes at a time, and
 * frames into the batch (see ws_wr) until it is nearly full. */
static int
ws_frames(struct conn *c)
{
	struct wsf *ws = c->web->ws;

	while (c->outoff < c->outsafe && batchlen + 2 * WS_CHUNK <= WS_BATCH &&
	    !wsf_want_write(ws)) {
		while (c->outoff < c->outsafe && wsf_queued(ws) < WS_CHUNK) {
			char *s = c->out.data + c->outoff;
			char *nl = memchr(s, '\n', c->outsafe - c->outoff);
			size_t len = nl ? (size_t)(nl - s) :
			    c->outsafe - c->outoff;

			if (wsf_queue_text(ws, s, len) < 0) {
				c->outoff = c->outsafe;	/* closed: nobody to tell */
				break;
			}
			c->outoff += len + (nl != NULL);
		}
		if (wsf_send(ws) < 0)
			return -1;
	}
	if (c->outoff == c->out.len) {
		c->out.len = c->outoff = c->outsafe = 0;
		if (c->out.cap > 65536)
			pbuf_free(&c->out);
	}
	if (wsf_send(ws) < 0)		/* pongs and pings, or the rest */
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
