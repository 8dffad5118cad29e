/*
 * fuzz_proto.c - libFuzzer target for the wire-format library: the framer,
 * the parser, the escapes and the line builders, fed arbitrary bytes.
 *
 * One input is one client's byte stream. It is delivered in chunks of
 * pseudo-random size (derived from the input, so a crash reproduces) into a
 * server-like fixed buffer and framed; the framer's output must equal what a
 * naive reference model of PROTOCOL.md's framing rules says. Every line is
 * then parsed and the invariants a server relies on are asserted:
 *   - lines never hold '\n' and are shorter than the limit;
 *   - EUTF8 exactly when proto_utf8_valid() says so;
 *   - a parsed request has a valid tag, an upper-case verb, 0-16 non-empty
 *     arguments and a text whose length matches;
 *   - escaping anything (word or text mode) never yields '\n', and
 *     unescaping undoes it;
 *   - a request rebuilt with the put_* builders is one line and parses
 *     back to the same tag, verb, arguments and text.
 * The whole input is also parsed as one raw line, whatever it holds.
 *
 * The drain loop goes on while proto_frame_next() consumes bytes, even after
 * PROTO_FRAME_NONE (see the TODO test in tests/unit/test_proto_frame.c).
 */
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "fuzz.h"

struct expect {
	size_t off, len;
	int toolong;
};

/* The framing rules of PROTOCOL.md, computed over the whole stream. */
static size_t
model(const char *in, size_t n, size_t max, struct expect *e)
{
	size_t start = 0, k = 0;

	for (size_t i = 0; i < n; i++) {
		size_t l;

		if (in[i] != '\n' && in[i] != '\r')
			continue;
		l = i - start;
		e[k].off = start;
		e[k].toolong = l + 1 > max;
		e[k].len = l;
		k++;
		if (in[i] == '\r' && i + 1 < n && in[i + 1] == '\n')
			i++;	/* CRLF is one terminator */
		start = i + 1;
	}
	if (n - start >= max) {
		e[k].off = start;
		e[k].len = 0;
		e[k].toolong = 1;
		k++;
	}
	return k;
}

static char *
escaped(const char *s, size_t n, int word, size_t *outlen)
{
	struct pbuf b;

	pbuf_init(&b);
	FUZZ_ASSERT(proto_escape(&b, s, n, word) == 0);
	FUZZ_ASSERT(pbuf_add(&b, "", 1) == 0);
	*outlen = b.len - 1;
	return b.data;
}

/* Escape in both modes: no newline ever, and unescape undoes it. */
static void
check_escape(const char *s, size_t n)
{
	char *want = malloc(n + 1);
	size_t wl = 0;

	FUZZ_ASSERT(want != NULL);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r')
			continue;	/* dropped by design */
		want[wl++] = s[i] == '\0' ? '\n' : s[i];
	}
	for (int word = 0; word <= 1; word++) {
		size_t el, ul;
		char *e = escaped(s, n, word, &el);

		FUZZ_ASSERT(memchr(e, '\n', el) == NULL);
		FUZZ_ASSERT(memchr(e, '\r', el) == NULL);
		if (word) {
			FUZZ_ASSERT(memchr(e, ' ', el) == NULL);
			FUZZ_ASSERT(memchr(e, '\t', el) == NULL);
			FUZZ_ASSERT(el == 0 || e[0] != ':');
		}
		ul = proto_unescape(e, el);
		FUZZ_ASSERT(ul == wl && memcmp(e, want, wl) == 0);
		free(e);
	}
	free(want);
}

static int
tag_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

static void
check_request(const struct proto_req *r, const char *buf, size_t len)
{
	size_t vl;

	FUZZ_ASSERT(r->verb != NULL);
	vl = strlen(r->verb);
	FUZZ_ASSERT(vl >= 1 && vl <= PROTO_VERB_MAX);
	for (size_t i = 0; i < vl; i++)
		FUZZ_ASSERT(r->verb[i] >= 'A' && r->verb[i] <= 'Z');
	if (r->tag != NULL) {
		size_t tl = strlen(r->tag);

		FUZZ_ASSERT(tl >= 1 && tl <= PROTO_TAG_MAX);
		for (size_t i = 0; i < tl; i++)
			FUZZ_ASSERT(tag_char(r->tag[i]));
	}
	FUZZ_ASSERT(r->argc >= 0 && r->argc <= PROTO_MAX_ARGS);
	for (int i = 0; i < r->argc; i++) {
		FUZZ_ASSERT(r->argv[i] >= buf && r->argv[i] <= buf + len);
		FUZZ_ASSERT(r->argv[i][0] != '\0');
	}
	if (r->text != NULL) {
		FUZZ_ASSERT(r->text >= buf && r->text <= buf + len);
		FUZZ_ASSERT(strlen(r->text) == r->textlen);
	}
}

/* Rebuild the request as the server would send it; it must parse back. */
static void
check_rebuild(const struct proto_req *r)
{
	struct pbuf b;
	struct proto_req r2;

	pbuf_init(&b);
	FUZZ_ASSERT(proto_put_tag(&b, r->tag) == 0);
	FUZZ_ASSERT(proto_put_word(&b, r->verb) == 0);
	for (int i = 0; i < r->argc; i++) {
		FUZZ_ASSERT(pbuf_add(&b, " ", 1) == 0);
		FUZZ_ASSERT(proto_escape(&b, r->argv[i], strlen(r->argv[i]), 1) == 0);
	}
	if (r->text != NULL)
		FUZZ_ASSERT(proto_put_text(&b, r->text, r->textlen) == 0);
	FUZZ_ASSERT(proto_put_end(&b) == 0);
	FUZZ_ASSERT(memchr(b.data, '\n', b.len) == b.data + b.len - 1);

	FUZZ_ASSERT(proto_parse(b.data, b.len - 1, &r2) == PROTO_OK);
	FUZZ_ASSERT((r->tag == NULL) == (r2.tag == NULL));
	FUZZ_ASSERT(r->tag == NULL || strcmp(r->tag, r2.tag) == 0);
	FUZZ_ASSERT(strcmp(r->verb, r2.verb) == 0);
	FUZZ_ASSERT(r->argc == r2.argc);
	for (int i = 0; i < r->argc; i++)
		FUZZ_ASSERT(strcmp(r->argv[i], r2.argv[i]) == 0);
	FUZZ_ASSERT((r->text == NULL) == (r2.text == NULL));
	FUZZ_ASSERT(r->text == NULL || (r->textlen == r2.textlen &&
	    memcmp(r->text, r2.text, r->textlen) == 0));
	pbuf_free(&b);
}

/* Any string as a key=value field (put_kv) must come back via proto_opt. */
static void
check_kv(const char *v, size_t n)
{
	struct pbuf b;
	struct proto_req r;
	const char *got;

	if (memchr(v, '\0', n) != NULL)
		return;		/* put_kv takes C strings */
	pbuf_init(&b);
	FUZZ_ASSERT(proto_put_word(&b, "OK") == 0);
	FUZZ_ASSERT(proto_put_kv(&b, "v", v) == 0);
	FUZZ_ASSERT(proto_put_kvi(&b, "n", (long long)n) == 0);
	FUZZ_ASSERT(proto_put_end(&b) == 0);
	FUZZ_ASSERT(memchr(b.data, '\n', b.len) == b.data + b.len - 1);
	FUZZ_ASSERT(proto_parse(b.data, b.len - 1, &r) == PROTO_OK);
	FUZZ_ASSERT(r.argc == 2 && r.text == NULL);
	got = proto_opt(&r, "v");
	FUZZ_ASSERT(got != NULL && strlen(got) == n && memcmp(got, v, n) == 0);
	pbuf_free(&b);
}

/* Use what a server does with a request: table lookup, options, numbers. */
static void
use_request(const struct proto_req *r)
{
	const struct proto_cmd *c = proto_cmd_find(r->verb);
	long long v;

	if (c != NULL)
		(void)proto_cmd_check(c, r);
	(void)proto_opt(r, "name");
	for (int i = 0; i < r->argc; i++)
		if (proto_parse_int(r->argv[i], -1000, 1000, &v) == 0)
			FUZZ_ASSERT(v >= -1000 && v <= 1000);
}

static void
check_line(const char *line, size_t len)
{
	char *buf = malloc(len + 1);
	struct proto_req r;
	enum proto_parse rc;
	int valid = proto_utf8_valid(line, len);

	FUZZ_ASSERT(buf != NULL);
	memcpy(buf, line, len);
	buf[len] = '\n';
	rc = proto_parse(buf, len, &r);
	FUZZ_ASSERT(proto_parse_strerror(rc) != NULL);
	FUZZ_ASSERT((rc == PROTO_EUTF8) == !valid);
	if (rc == PROTO_OK) {
		check_request(&r, buf, len);
		check_rebuild(&r);
		use_request(&r);
		for (int i = 0; i < r.argc; i++)
			check_kv(r.argv[i], strlen(r.argv[i]));
		if (r.text != NULL)
			check_kv(r.text, r.textlen);
	} else if (r.tag != NULL) {
		FUZZ_ASSERT(strlen(r.tag) >= 1 && strlen(r.tag) <= PROTO_TAG_MAX);
	}
	free(buf);
	check_escape(line, len);
}

static uint64_t
fnv1a(const uint8_t *d, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ d[i]) * 0x100000001b3ULL;
	return h;
}

struct feed {
	struct proto_framer f;
	char *buf;
	size_t len, cap;
	const char *in;
	struct expect *e;
	size_t ne, got;
};

static void
drain(struct feed *fd)
{
	for (;;) {
		const char *line;
		size_t ll, used;
		enum proto_frame r;

		r = proto_frame_next(&fd->f, fd->buf, fd->len, &line, &ll, &used);
		FUZZ_ASSERT(used <= fd->len);
		if (r != PROTO_FRAME_NONE) {
			const struct expect *x;

			FUZZ_ASSERT(fd->got < fd->ne);
			x = &fd->e[fd->got++];
			FUZZ_ASSERT(x->toolong == (r == PROTO_FRAME_TOOLONG));
		}
		if (r == PROTO_FRAME_LINE) {
			const struct expect *x = &fd->e[fd->got - 1];

			FUZZ_ASSERT(line >= fd->buf && line + ll <= fd->buf + fd->len);
			FUZZ_ASSERT(ll < fd->f.max);
			FUZZ_ASSERT(ll == x->len && memcmp(line, fd->in + x->off, ll) == 0);
			check_line(line, ll);
		}
		memmove(fd->buf, fd->buf + used, fd->len - used);
		fd->len -= used;
		if (r == PROTO_FRAME_NONE && used == 0)
			break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t maxes[] = { PROTO_LINE_MAX, PROTO_LINE_MAX, 16, 64, 3 };
	uint64_t h = fnv1a(data, size);
	struct feed fd;
	size_t chunkmax;

	memset(&fd, 0, sizeof(fd));
	proto_framer_init(&fd.f, maxes[size % 5]);
	fd.cap = fd.f.max + (size_t)(h % (fd.f.max + 1));
	fd.buf = malloc(fd.cap);
	fd.e = malloc((size + 1) * sizeof(*fd.e));
	FUZZ_ASSERT(fd.buf != NULL && fd.e != NULL);
	fd.in = (const char *)data;
	fd.ne = model(fd.in, size, fd.f.max, fd.e);
	chunkmax = (h >> 20) % 2 ? 7 : 2 * fd.f.max;

	for (size_t i = 0; i < size;) {
		size_t k, room;

		h ^= h << 13;
		h ^= h >> 7;
		h ^= h << 17;
		k = 1 + (size_t)(h % chunkmax);
		room = fd.cap - fd.len;
		if (k > size - i)
			k = size - i;
		if (k > room)
			k = room;
		FUZZ_ASSERT(k > 0);	/* a full buffer must have been drained */
		memcpy(fd.buf + fd.len, data + i, k);
		fd.len += k;
		i += k;
		drain(&fd);
	}
	FUZZ_ASSERT(fd.got == fd.ne);
	free(fd.buf);
	free(fd.e);

	check_line((const char *)data, size);
	return 0;
}
