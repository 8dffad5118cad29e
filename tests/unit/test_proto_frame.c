/*
 * test_proto_frame.c - hostile-input tests for the line framer
 * (proto/frame.c).
 *
 * The framer is the first code that touches bytes from the network, so it is
 * driven here the way a server drives it: a fixed-size input buffer that is
 * filled by "reads" of arbitrary size, drained with proto_frame_next() after
 * every read. Everything a client can do to a stream is tried: empty lines,
 * CR/LF variants (a lone CR ends a line too), lines exactly at the limit, byte-by-byte delivery, lines
 * that never end, NULs. A randomised stream is also checked against a tiny
 * reference model of the framing rules written down in PROTOCOL.md.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto.h"
#include "../tap.h"

/* How the stream is drained after each read. */
enum drain {
	DRAIN_CONTRACT,		/* as proto.h says: call until NONE */
	DRAIN_EAGER,		/* also go on while NONE still consumed bytes */
};

struct out_line {
	char *s;
	size_t len;
	int toolong;		/* 1: a TOOLONG report, s is NULL */
};

struct stream {
	struct proto_framer f;
	enum drain drain;
	char *buf;
	size_t len, cap;
	struct out_line *out;
	size_t nout, outcap;
	int bad;		/* a framer invariant was broken */
};

static void
die(const char *what)
{
	printf("Bail out! %s\n", what);
	exit(1);
}

static void
stream_init(struct stream *st, size_t max, size_t cap, enum drain d)
{
	memset(st, 0, sizeof(*st));
	proto_framer_init(&st->f, max);
	st->drain = d;
	st->cap = cap;
	st->buf = malloc(cap);
	if (st->buf == NULL)
		die("out of memory");
}

static void
stream_free(struct stream *st)
{
	for (size_t i = 0; i < st->nout; i++)
		free(st->out[i].s);
	free(st->out);
	free(st->buf);
	memset(st, 0, sizeof(*st));
}

static void
record(struct stream *st, const char *s, size_t len, int toolong)
{
	struct out_line *o;

	if (st->nout == st->outcap) {
		size_t nc = st->outcap ? st->outcap * 2 : 16;

		o = realloc(st->out, nc * sizeof(*o));
		if (o == NULL)
			die("out of memory");
		st->out = o;
		st->outcap = nc;
	}
	o = &st->out[st->nout++];
	o->len = len;
	o->toolong = toolong;
	o->s = NULL;
	if (!toolong) {
		o->s = malloc(len + 1);
		if (o->s == NULL)
			die("out of memory");
		memcpy(o->s, s, len);
		o->s[len] = '\0';
	}
}

/* Run the framer over what is buffered, the way a server's read loop does. */
static void
stream_drain(struct stream *st)
{
	for (;;) {
		const char *line;
		size_t linelen, used;
		enum proto_frame r;

		r = proto_frame_next(&st->f, st->buf, st->len, &line, &linelen,
		    &used);
		if (used > st->len)
			st->bad = 1;
		if (r == PROTO_FRAME_LINE) {
			if (line < st->buf || linelen >= st->f.max ||
			    memchr(line, '\n', linelen) != NULL)
				st->bad = 1;
			record(st, line, linelen, 0);
		} else if (r == PROTO_FRAME_TOOLONG)
			record(st, NULL, 0, 1);
		if (used > st->len)
			used = st->len;
		memmove(st->buf, st->buf + used, st->len - used);
		st->len -= used;
		if (r != PROTO_FRAME_NONE)
			continue;
		if (st->drain == DRAIN_EAGER && used > 0)
			continue;
		break;
	}
}

/* One "read" of n bytes: copied in as far as the buffer has room. */
static void
stream_feed(struct stream *st, const char *p, size_t n)
{
	while (n > 0) {
		size_t room = st->cap - st->len, k = n < room ? n : room;

		memcpy(st->buf + st->len, p, k);
		st->len += k;
		p += k;
		n -= k;
		stream_drain(st);
		if (k == 0 && st->len == st->cap) {
			st->bad = 1;	/* full buffer, no progress */
			return;
		}
	}
}

static void
stream_feeds(struct stream *st, const char *s)
{
	stream_feed(st, s, strlen(s));
}

static int
line_is(const struct stream *st, size_t i, const char *want, size_t wlen)
{
	return i < st->nout && !st->out[i].toolong && st->out[i].len == wlen &&
	    memcmp(st->out[i].s, want, wlen) == 0;
}

static size_t
count_toolong(const struct stream *st)
{
	size_t n = 0;

	for (size_t i = 0; i < st->nout; i++)
		n += (size_t)st->out[i].toolong;
	return n;
}

static char *
filled(size_t n, char c)
{
	char *p = malloc(n + 1);

	if (p == NULL)
		die("out of memory");
	memset(p, c, n);
	p[n] = '\0';
	return p;
}

static void
test_basic_lines(void)
{
	struct stream st;

	stream_init(&st, 0, PROTO_LINE_MAX, DRAIN_CONTRACT);
	is_int(st.f.max, PROTO_LINE_MAX, "framer max 0 means the default %d", PROTO_LINE_MAX);
	stream_feeds(&st, "PING\n");
	ok(st.nout == 1 && line_is(&st, 0, "PING", 4), "LF-terminated line");
	stream_feeds(&st, "PING x\r\n");
	ok(st.nout == 2 && line_is(&st, 1, "PING x", 6), "CRLF-terminated line loses its CR");
	stream_feeds(&st, "\n");
	ok(st.nout == 3 && line_is(&st, 2, "", 0), "empty LF line comes out with length 0");
	stream_feeds(&st, "\r\n");
	ok(st.nout == 4 && line_is(&st, 3, "", 0), "empty CRLF line comes out with length 0");
	stream_feeds(&st, "A\r\r\n");
	ok(st.nout == 6 && line_is(&st, 4, "A", 1) && line_is(&st, 5, "", 0),
	    "A CR CR LF: line A (lone CR), then an empty CRLF line");
	stream_feeds(&st, "PI\rNG\n");
	ok(st.nout == 8 && line_is(&st, 6, "PI", 2) && line_is(&st, 7, "NG", 2),
	    "a lone CR inside a line ends it");
	stream_feeds(&st, "PING\r");
	ok(st.nout == 9 && line_is(&st, 8, "PING", 4) && st.len == 0,
	    "CR at the end of a read ends the line at once (CR-only clients get answers)");
	stream_feeds(&st, "\n");
	ok(st.nout == 9 && st.len == 0,
	    "LF right after it, in the next read, completes the CRLF: no extra line");
	stream_feed(&st, "PI\0NG\n", 6);
	ok(st.nout == 10 && line_is(&st, 9, "PI\0NG", 5), "NUL inside a line does not cut it");
	stream_feeds(&st, "A\nB\n\nC\r\nD");
	ok(st.nout == 14 && line_is(&st, 10, "A", 1) && line_is(&st, 11, "B", 1) &&
	    line_is(&st, 12, "", 0) && line_is(&st, 13, "C", 1),
	    "several lines in one read come out in order");
	is_int(st.len, 1, "an unterminated tail stays buffered");
	stream_feeds(&st, "\rHELP\rQUIT\r");
	ok(st.nout == 17 && line_is(&st, 14, "D", 1) && line_is(&st, 15, "HELP", 4) &&
	    line_is(&st, 16, "QUIT", 4), "CR-only stream: every CR ends a line");
	stream_feeds(&st, "\r");
	stream_feeds(&st, "X\n");
	ok(st.nout == 19 && line_is(&st, 17, "", 0) && line_is(&st, 18, "X", 1),
	    "a CR then a non-LF: the CR was a whole (empty) line, X is the next");
	ok(!st.bad, "framer invariants held (consumed <= len, no LF in lines)");
	stream_free(&st);
}

static void
test_limit(size_t max)
{
	struct stream st;
	char *a = filled(max + 8, 'a');

	stream_init(&st, max, max, DRAIN_CONTRACT);
	a[max - 1] = '\n';
	stream_feed(&st, a, max);
	ok(st.nout == 1 && !st.out[0].toolong && st.out[0].len == max - 1,
	    "max %zu: line of max-1 bytes + LF (exactly at the limit) passes", max);
	memset(a, 'a', max + 8);
	a[max] = '\n';
	stream_feed(&st, a, max + 1);
	ok(st.nout == 2 && st.out[1].toolong,
	    "max %zu: one byte over the limit is TOOLONG", max);
	memset(a, 'a', max + 8);
	a[max - 2] = '\r';
	a[max - 1] = '\n';
	stream_feed(&st, a, max);
	ok(st.nout == 3 && !st.out[2].toolong && st.out[2].len == max - 2,
	    "max %zu: CRLF line exactly at the limit passes", max);
	memset(a, 'a', max + 8);
	a[max - 1] = '\r';
	a[max] = '\n';
	stream_feed(&st, a, max + 1);
	ok(st.nout == 4 && !st.out[3].toolong && st.out[3].len == max - 1,
	    "max %zu: CRLF line of max-1 bytes passes (a terminator counts one byte)", max);
	memset(a, 'a', max + 8);
	a[max] = '\r';
	stream_feed(&st, a, max + 1);
	ok(st.nout == 5 && st.out[4].toolong,
	    "max %zu: CR-terminated line one byte over the limit is TOOLONG", max);
	stream_feeds(&st, "K\n");
	ok(st.nout == 6 && line_is(&st, 5, "K", 1),
	    "max %zu: good line after the TOOLONGs", max);
	ok(!st.bad && st.len == 0, "max %zu: invariants held, buffer empty", max);
	stream_free(&st);
	free(a);
}

static void
test_byte_by_byte(void)
{
	const char *text = "@t1 SAY :hello world\r\nPING\n\nQUIT\r\n";
	struct stream st;
	size_t early = 0;

	stream_init(&st, 0, PROTO_LINE_MAX, DRAIN_CONTRACT);
	for (size_t i = 0; i < strlen(text); i++) {
		stream_feed(&st, text + i, 1);
		if (i < 20 && st.nout != 0)
			early++;
	}
	is_int(early, 0, "byte by byte: no line before its CR or LF arrives");
	ok(st.nout == 4 && line_is(&st, 0, "@t1 SAY :hello world", 20) &&
	    line_is(&st, 1, "PING", 4) && line_is(&st, 2, "", 0) &&
	    line_is(&st, 3, "QUIT", 4), "byte by byte: all four lines intact");
	stream_free(&st);

	/* a line just under the limit, one byte per read */
	char *a = filled(PROTO_LINE_MAX, 'z');

	a[PROTO_LINE_MAX - 1] = '\n';
	stream_init(&st, 0, PROTO_LINE_MAX, DRAIN_CONTRACT);
	for (size_t i = 0; i < PROTO_LINE_MAX; i++)
		stream_feed(&st, a + i, 1);
	ok(st.nout == 1 && !st.out[0].toolong && st.out[0].len == PROTO_LINE_MAX - 1,
	    "byte by byte: %d-byte line at the limit comes out whole", PROTO_LINE_MAX);
	stream_free(&st);
	free(a);
}

static void
test_overlong(void)
{
	struct stream st;
	char *a = filled(20000, 'x');
	size_t n;

	/* overlong line and a good one in one read, big buffer */
	stream_init(&st, 0, 65536, DRAIN_CONTRACT);
	a[9000] = '\n';
	memcpy(a + 9001, "GOOD\n", 5);
	stream_feed(&st, a, 9006);
	ok(st.nout == 2 && st.out[0].toolong && line_is(&st, 1, "GOOD", 4),
	    "overlong then good line in one read (64 KiB buffer): TOOLONG, GOOD");
	stream_free(&st);

	/* overlong line arriving in small reads: reported exactly once */
	stream_init(&st, 0, PROTO_LINE_MAX, DRAIN_CONTRACT);
	memset(a, 'x', 20000);
	for (size_t i = 0; i < 20000; i += 100)
		stream_feed(&st, a + i, 100);
	stream_feeds(&st, "\n");
	stream_feeds(&st, "GOOD\n");
	is_int(count_toolong(&st), 1, "20000-byte line in 100-byte reads: one TOOLONG");
	ok(st.nout == 2 && line_is(&st, 1, "GOOD", 4),
	    "good line in a later read after the overlong one comes out");
	stream_free(&st);

	/* two overlong lines back to back */
	stream_init(&st, 0, PROTO_LINE_MAX, DRAIN_CONTRACT);
	memset(a, 'x', 20000);
	a[9000] = '\n';
	a[19999] = '\n';
	stream_feed(&st, a, 20000);
	stream_feeds(&st, "GOOD\n");
	is_int(count_toolong(&st), 2, "two overlong lines back to back: two TOOLONGs");
	ok(st.nout == 3 && line_is(&st, 2, "GOOD", 4), "then the good line");
	stream_free(&st);

	/*
	 * The overlong line's tail and a good line in the same read, with the
	 * buffer no bigger than the limit (so the framer is discarding when the
	 * tail arrives), and nothing more ever sent: the client now waits for
	 * the reply to GOOD. Drained as proto.h documents ("call until NONE").
	 */
	stream_init(&st, 0, PROTO_LINE_MAX, DRAIN_CONTRACT);
	memset(a, 'x', 20000);
	memcpy(a + 9000, "\nGOOD\n", 6);
	stream_feed(&st, a, 9006);
	n = st.nout;
	ok(n == 2 && line_is(&st, 1, "GOOD", 4),
	    "contract drain: good line in the read that ends a discarded line comes out without further input");
	if (!(n == 2 && line_is(&st, 1, "GOOD", 4)))
		printf("#   got %zu outputs, %zu bytes left in the buffer\n", n, st.len);
	stream_free(&st);

	stream_init(&st, 0, PROTO_LINE_MAX, DRAIN_EAGER);
	stream_feed(&st, a, 9006);
	ok(st.nout == 2 && st.out[0].toolong && line_is(&st, 1, "GOOD", 4),
	    "eager drain (go on while bytes are consumed): TOOLONG then GOOD");
	stream_free(&st);
	free(a);
}

static void
test_garbage(void)
{
	const size_t total = 10u * 1024 * 1024;
	char chunk[4096];
	struct stream st;
	clock_t t0 = clock();

	memset(chunk, 'g', sizeof(chunk));
	chunk[100] = '\0';
	chunk[200] = '\001';
	chunk[300] = (char)0xff;
	stream_init(&st, 0, PROTO_LINE_MAX, DRAIN_CONTRACT);
	for (size_t sent = 0; sent < total; sent += sizeof(chunk))
		stream_feed(&st, chunk, sizeof(chunk));
	is_int(count_toolong(&st), 1, "10 MB without a newline: exactly one TOOLONG");
	is_int(st.nout, 1, "10 MB without a newline: no line comes out");
	ok(st.len < PROTO_LINE_MAX, "10 MB without a newline: buffered bytes stay below the limit (%zu)", st.len);
	stream_feeds(&st, "tail of the garbage\n");
	stream_feeds(&st, "PING\n");
	ok(st.nout == 2 && line_is(&st, 1, "PING", 4), "after the garbage's newline the state recovers: PING comes out");
	ok((double)(clock() - t0) / CLOCKS_PER_SEC < 10.0, "10 MB of garbage framed in bounded time");
	ok(!st.bad, "invariants held over the garbage");
	stream_free(&st);
}

/* ---- randomised stream against a reference model --------------------- */

static uint64_t rng_state = 0x6b6566750001ULL;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

/* What PROTOCOL.md says the stream must turn into, computed naively. */
static void
model(const char *in, size_t n, size_t max, struct stream *want)
{
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		size_t l;

		if (in[i] != '\n' && in[i] != '\r')
			continue;
		l = i - start;
		if (l + 1 > max)
			record(want, NULL, 0, 1);
		else
			record(want, in + start, l, 0);
		if (in[i] == '\r' && i + 1 < n && in[i + 1] == '\n')
			i++;	/* CRLF is one terminator */
		start = i + 1;
	}
	if (n - start >= max)
		record(want, NULL, 0, 1);
}

static int
same_output(const struct stream *a, const struct stream *b)
{
	if (a->nout != b->nout)
		return 0;
	for (size_t i = 0; i < a->nout; i++) {
		if (a->out[i].toolong != b->out[i].toolong)
			return 0;
		if (!a->out[i].toolong && (a->out[i].len != b->out[i].len ||
		    memcmp(a->out[i].s, b->out[i].s, a->out[i].len) != 0))
			return 0;
	}
	return 1;
}

static size_t
random_stream(char *in, size_t cap, size_t max)
{
	static const char alpha[] = "ab :\\\r\t\0\xe4\xb8\xad";
	size_t n = 0;

	while (n < cap) {
		size_t l;

		switch (rng() % 4) {
		case 0: l = rng() % 8; break;
		case 1: l = max - 3 + rng() % 6; break;	/* around the limit */
		case 2: l = rng() % (3 * max); break;
		default: l = rng() % max; break;
		}
		for (size_t i = 0; i < l && n < cap; i++)
			in[n++] = alpha[rng() % (sizeof(alpha) - 1)];
		if (n < cap && rng() % 5 != 0)
			in[n++] = '\n';
	}
	return n;
}

static void
test_random(void)
{
	static const size_t maxes[] = { 4, 16, 100, PROTO_LINE_MAX };
	char *in = malloc(200000);
	int mismatch = 0, bad = 0, runs = 0;

	if (in == NULL)
		die("out of memory");
	for (size_t m = 0; m < sizeof(maxes) / sizeof(maxes[0]); m++) {
		size_t max = maxes[m];
		int iters = max < 1000 ? 300 : 20;

		for (int it = 0; it < iters; it++) {
			size_t n = random_stream(in, max < 1000 ? 2000 : 200000, max);
			size_t cap = max + (it % 3 == 0 ? 0 : rng() % (2 * max));
			struct stream got, want;

			stream_init(&got, max, cap, DRAIN_EAGER);
			stream_init(&want, max, 1, DRAIN_EAGER);
			for (size_t i = 0; i < n;) {
				size_t k = 1 + rng() % (it % 2 ? 7 : 3 * max);

				if (k > n - i)
					k = n - i;
				stream_feed(&got, in + i, k);
				i += k;
			}
			model(in, n, max, &want);
			if (!same_output(&got, &want)) {
				if (mismatch++ == 0)
					printf("# first mismatch: max=%zu cap=%zu got %zu outputs, want %zu\n",
					    max, cap, got.nout, want.nout);
			}
			bad += got.bad;
			runs++;
			stream_free(&got);
			stream_free(&want);
		}
	}
	is_int(mismatch, 0, "%d random streams in random reads match the reference framing model", runs);
	is_int(bad, 0, "framer invariants held on all random streams");
	free(in);
}

int
main(void)
{
	test_basic_lines();
	test_limit(PROTO_LINE_MAX);
	test_limit(16);
	test_limit(2);
	test_byte_by_byte();
	test_overlong();
	test_garbage();
	test_random();
	return tap_done();
}
