/*
 * bench_ws.c - kefubench's WebSocket visitors (-H port): each visitor
 * connects to kefud's web door (listen.http), upgrades /ws, and then
 * speaks the same protocol lines as a TCP visitor, one masked text frame
 * per line (the mask key is 0: masked as RFC 6455 requires, at no cost).
 * The server's frames are unmasked; each text frame is one line for
 * proto_line(); pings are answered, a close ends the connection.
 */
#include <stdio.h>
#include <string.h>

#include "bench.h"

int
bws_upgrade(struct bconn *c)
{
	char req[300];
	int n = snprintf(req, sizeof(req), "GET /ws HTTP/1.1\r\n"
	    "Host: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: a2VmdWJlbmNoLWtleS0xMg==\r\n"
	    "Sec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1:%d\r\n\r\n",
	    B.ws_port, B.ws_port);

	c->ws = 1;
	return bench_raw_append(c, req, (size_t)n);
}

/* One frame of opcode op around payload p (client frames are masked). */
static int
frame(struct bconn *c, int op, const char *p, size_t n)
{
	unsigned char h[14];
	size_t hl = 2;

	h[0] = (unsigned char)(0x80 | op);
	if (n < 126) {
		h[1] = (unsigned char)(0x80 | n);
	} else if (n < 65536) {
		h[1] = 0x80 | 126;
		h[2] = (unsigned char)(n >> 8);
		h[3] = (unsigned char)n;
		hl = 4;
	} else
		return -1;	/* lines are far shorter */
	memset(h + hl, 0, 4);	/* the mask key */
	hl += 4;
	if (bench_raw_append(c, (const char *)h, hl) < 0)
		return -1;
	return n ? bench_raw_append(c, p, n) : 0;
}

/* Lines written to a WebSocket visitor wait in c->stage until their '\n',
 * then go out as one frame each. */
int
bws_append(struct bconn *c, const char *s, size_t n)
{
	struct bbuf *st = &c->stage;
	char *nl;

	if (bench_buf_add(st, s, n) < 0)
		return -1;
	while ((nl = memchr(st->data + st->off, '\n', st->len - st->off)) != NULL) {
		size_t ll = (size_t)(nl - (st->data + st->off));

		if (frame(c, 1, st->data + st->off, ll) < 0)
			return -1;
		st->off += ll + 1;
	}
	if (st->off == st->len)
		st->off = st->len = 0;
	return 0;
}

/* The 101 answer, then frames: -1 when the connection must end. */
int
bws_input(struct bconn *c)
{
	struct bbuf *in = &c->in;

	if (c->ws == 1) {
		char *end = memmem(in->data + in->off, in->len - in->off,
		    "\r\n\r\n", 4);

		if (end == NULL)
			return 0;
		if (in->len - in->off < 12 ||
		    memcmp(in->data + in->off + 9, "101", 3) != 0)
			return -1;
		in->off = (size_t)(end + 4 - in->data);
		c->ws = 2;
		if (proto_hello(c) < 0)
			return -1;
	}
	while (c->fd >= 0 && in->len - in->off >= 2) {
		unsigned char *h = (unsigned char *)in->data + in->off;
		size_t avail = in->len - in->off, hl = 2, n = h[1] & 0x7f;
		int op = h[0] & 0x0f;
		char save;

		if (n == 126) {
			if (avail < 4)
				return 0;
			n = (size_t)h[2] << 8 | h[3];
			hl = 4;
		} else if (n == 127) {
			if (avail < 10)
				return 0;
			n = 0;
			for (int i = 2; i < 10; i++)
				n = n << 8 | h[i];
			hl = 10;
		}
		if (avail < hl + n)
			return 0;
		in->off += hl + n;
		if (op == 8)
			return -1;
		if (op == 9 && frame(c, 10, (char *)h + hl, n) < 0)
			return -1;
		if (op != 1)
			continue;
		/* a line for proto_line: NUL after it, then put the byte back */
		save = ((char *)h)[hl + n];
		((char *)h)[hl + n] = '\0';
		proto_line(c, (char *)h + hl, n);
		if (c->fd >= 0)
			((char *)h)[hl + n] = save;
	}
	return 0;
}
