/*
 * test_wsframe.c - wsframe.c's context on demand: wslay's context (9.4 KB)
 * is given back between frames and only then. Frames are fed in pieces as
 * small as one byte, with wsf_release() tried after every piece: a message
 * must come out whole and once, whatever was released in between.
 */
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "../../server/wsframe.h"

struct io {
	const uint8_t *in;
	size_t inlen, inoff, step;	/* rd() gives at most step bytes */
	int gave;			/* once per wsf_recv(), then blocks */
	uint8_t out[4096];
	size_t outlen;
	int blocked;			/* wr() would block */
	char lines[1024];
	size_t lineslen;
	int nlines;
};

static ssize_t
rd(void *arg, uint8_t *buf, size_t len)
{
	struct io *t = arg;
	size_t n = t->inlen - t->inoff;

	if (n == 0 || t->gave)
		return 0;
	t->gave = 1;
	if (n > t->step)
		n = t->step;
	if (n > len)
		n = len;
	memcpy(buf, t->in + t->inoff, n);
	t->inoff += n;
	return (ssize_t)n;
}

static ssize_t
wr(void *arg, const uint8_t *buf, size_t len)
{
	struct io *t = arg;

	if (t->blocked)
		return 0;
	if (len > sizeof(t->out) - t->outlen)
		len = sizeof(t->out) - t->outlen;
	memcpy(t->out + t->outlen, buf, len);
	t->outlen += len;
	return (ssize_t)len;
}

static void
line(void *arg, char *s, size_t len)
{
	struct io *t = arg;

	if (len <= sizeof(t->lines) - t->lineslen) {
		memcpy(t->lines + t->lineslen, s, len);
		t->lineslen += len;
	}
	t->nlines++;
}

/* A client frame (mask key 0, so the payload is as written). */
static size_t
frame(uint8_t *out, int fin, int op, const char *p, size_t n)
{
	size_t h = 2;

	out[0] = (uint8_t)((fin ? 0x80 : 0) | op);
	if (n < 126)
		out[1] = (uint8_t)(0x80 | n);
	else {
		out[1] = 0x80 | 126;
		out[2] = (uint8_t)(n >> 8);
		out[3] = (uint8_t)n;
		h = 4;
	}
	memset(out + h, 0, 4);
	memcpy(out + h + 4, p, n);
	return h + 4 + n;
}

/* Feed all of t->in, step bytes a read, trying a release after each;
 * returns how many releases succeeded while input was still unread. */
static int
feed(struct wsf *w, struct io *t, int *early)
{
	int released = 0;

	*early = 0;
	while (t->inoff < t->inlen) {
		size_t before = t->inoff;

		t->gave = 0;
		if (wsf_recv(w) < 0)
			return -1;
		if (t->inoff == before)
			return -1;	/* nothing taken: stuck */
		if (wsf_release(w)) {
			released++;
			if (t->lineslen == 0 || t->nlines == 0)
				(*early)++;
		}
	}
	return released;
}

int
main(void)
{
	struct io t;
	struct wsf_io io = { rd, wr, line, &t };
	uint8_t in[1024];
	char big[300];
	size_t n;
	int early, r;
	struct wsf *w;

	/* one small message, a byte at a time */
	memset(&t, 0, sizeof(t));
	n = frame(in, 1, 1, "PING a", 6);
	t.in = in; t.inlen = n; t.step = 1;
	w = wsf_new(&io, 1000);
	ok(w != NULL, "a context-less wsf");
	ok(wsf_release(w) == 1, "a new wsf holds no wslay context");
	r = feed(w, &t, &early);
	is_int(early, 0, "never released while a frame was half read");
	is_int(r, 1, "released once the frame was done");
	is_int(t.nlines, 1, "one line");
	ok(t.lineslen == 7 && memcmp(t.lines, "PING a\n", 7) == 0,
	    "the line is whole");

	/* a fragmented message with a ping between its fragments */
	memset(&t, 0, sizeof(t));
	n = frame(in, 0, 1, "SAY ", 4);
	n += frame(in + n, 1, 9, "p", 1);
	n += frame(in + n, 1, 0, "hi", 2);
	t.in = in; t.inlen = n; t.step = 3;
	r = feed(w, &t, &early);
	is_int(early, 0, "never released inside a fragmented message");
	is_int(t.nlines, 1, "a fragmented message is one line");
	ok(t.lineslen == 7 && memcmp(t.lines, "SAY hi\n", 7) == 0,
	    "its fragments joined across reads");
	ok(wsf_want_write(w), "the ping's pong waits to be sent");
	ok(wsf_release(w) == 0, "not released while the pong is queued");
	ok(wsf_send(w) == 0 && t.outlen == 3 && t.out[0] == 0x8a,
	    "the pong goes out");
	ok(wsf_release(w) == 1, "then released");

	/* a frame with a 16-bit length, in uneven pieces */
	memset(&t, 0, sizeof(t));
	memset(big, 'x', sizeof(big));
	n = frame(in, 1, 1, big, sizeof(big));
	t.in = in; t.inlen = n; t.step = 7;
	r = feed(w, &t, &early);
	is_int(early, 0, "a 300-byte frame: no release before its end");
	ok(t.nlines == 1 && t.lineslen == sizeof(big) + 1,
	    "and its line is whole (%zu bytes)", t.lineslen);

	/* output: kept while the socket would block */
	memset(&t, 0, sizeof(t));
	t.blocked = 1;
	ok(wsf_queue_text(w, "OK", 2) == 0, "a frame queued on a released wsf");
	ok(wsf_send(w) == 0 && wsf_want_write(w), "the socket blocks");
	ok(wsf_release(w) == 0, "not released with a frame unsent");
	t.blocked = 0;
	ok(wsf_send(w) == 0 && t.outlen == 4 && t.out[0] == 0x81 &&
	    t.out[1] == 2 && memcmp(t.out + 2, "OK", 2) == 0,
	    "the frame goes out whole");
	ok(wsf_release(w) == 1, "then released");

	/* a close from the client: the context stays to the end */
	memset(&t, 0, sizeof(t));
	n = frame(in, 1, 8, "\x03\xe8", 2);
	t.in = in; t.inlen = n; t.step = 64;
	t.gave = 0;
	ok(wsf_recv(w) == 0 && wsf_closing(w), "a close frame closes");
	ok(wsf_release(w) == 0, "a closing wsf keeps its context");
	wsf_free(w);
	return tap_done();
}
