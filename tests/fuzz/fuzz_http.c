/*
 * fuzz_http.c - libFuzzer target for the web door's input path: the HTTP
 * request (server/http_req.c over http-parser) and then, as after an
 * upgrade, WebSocket frames (server/wsframe.c over wslay).
 *
 * One input is one client's byte stream, delivered in chunks whose sizes
 * come from the input itself. The request part is fed until the parser is
 * done or refuses; the rest goes to a server-side frame context as if it
 * came after a 101. Invariants:
 *   - the route is one of the fixed answers; an upgrade only with a valid
 *     key, version 13 and an allowed Origin, and its accept value is 28
 *     base64 characters;
 *   - every kept header and the URL stay within their buffers;
 *   - every message handed on as a line ends in its only '\n' and fits the
 *     limit; binary data never becomes a line;
 *   - writes from the frame layer are bounded by what was queued.
 */
#include <string.h>

#include "http_req.h"
#include "wsframe.h"
#include "fuzz.h"

#define MAX_MSG 200

struct feed {
	const uint8_t *data;
	size_t len, off;
	unsigned seed;
	size_t lines, written;
};

static size_t
chunk(struct feed *f, size_t want)
{
	size_t n;

	f->seed = f->seed * 1103515245u + 12345u;
	n = 1 + (f->seed >> 16) % 97;
	if (n > want)
		n = want;
	if (n > f->len - f->off)
		n = f->len - f->off;
	return n;
}

static ssize_t
rd(void *arg, uint8_t *buf, size_t len)
{
	struct feed *f = arg;
	size_t n;

	if (f->off >= f->len)
		return -1;		/* end of input: the peer is gone */
	n = chunk(f, len);
	memcpy(buf, f->data + f->off, n);
	f->off += n;
	return (ssize_t)n;
}

static ssize_t
wr(void *arg, const uint8_t *buf, size_t len)
{
	struct feed *f = arg;

	FUZZ_ASSERT(len > 0 && buf != NULL);
	f->written += len;
	return (f->written % 3) ? (ssize_t)len : 0;	/* sometimes "full" */
}

static void
line(void *arg, char *s, size_t len)
{
	struct feed *f = arg;

	FUZZ_ASSERT(len >= 1 && len <= MAX_MSG + 1);
	FUZZ_ASSERT(s[len - 1] == '\n');
	FUZZ_ASSERT(memchr(s, '\n', len - 1) == NULL);
	f->lines++;
}

static void
check_request(const struct http_req *r, enum http_route rt)
{
	char acc[29];

	FUZZ_ASSERT(rt >= HTTP_MORE && rt <= HTTP_431);
	FUZZ_ASSERT(r->urllen < sizeof(r->url) && r->url[r->urllen] == '\0');
	for (int i = 0; i < HH__COUNT; i++)
		FUZZ_ASSERT(r->hdrlen[i] < sizeof(r->hdr[i]) &&
		    strlen(r->hdr[i]) <= r->hdrlen[i]);
	if (rt != HTTP_UPGRADE)
		return;
	FUZZ_ASSERT(http_ws_key_ok(http_req_header(r, HH_KEY)));
	FUZZ_ASSERT(strcmp(http_req_header(r, HH_VERSION), "13") == 0);
	FUZZ_ASSERT(http_origin_ok(http_req_header(r, HH_ORIGIN),
	    http_req_header(r, HH_HOST), "https://shop.example"));
	FUZZ_ASSERT(http_ws_accept(http_req_header(r, HH_KEY), acc) == 0);
	FUZZ_ASSERT(strlen(acc) == 28);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_req r;
	struct feed f = { data, size, 0, (unsigned)size, 0, 0 };
	struct wsf_io io = { rd, wr, line, &f };
	enum http_route rt = HTTP_MORE;
	char addr[64];
	struct wsf *w;

	http_req_init(&r);
	while (f.off < f.len && rt == HTTP_MORE) {
		size_t n = chunk(&f, f.len), used;

		used = http_req_feed(&r, (const char *)data + f.off, n);
		FUZZ_ASSERT(used <= n);
		rt = http_req_route(&r, "https://shop.example");
		f.off += (rt == HTTP_UPGRADE || rt == HTTP_MORE) ? used : n;
	}
	check_request(&r, rt);
	http_client_addr("127.0.0.1", http_req_header(&r, HH_XFF), "127.0.0.1",
	    addr, sizeof(addr));
	FUZZ_ASSERT(strlen(addr) < sizeof(addr));

	/* whatever is left is frames, as after a 101 */
	w = wsf_new(&io, MAX_MSG);
	FUZZ_ASSERT(w != NULL);
	for (int round = 0; round < 64 && f.off < f.len; round++) {
		if (wsf_recv(w) < 0)
			break;
		(void)wsf_queue_text(w, "OK", 2);
		if (round % 7 == 3)
			(void)wsf_ping(w);
		if (wsf_send(w) < 0)
			break;
		if (round % 2)	/* between frames the context goes */
			(void)wsf_release(w);
	}
	wsf_close(w, 1000, "bye");
	(void)wsf_send(w);
	FUZZ_ASSERT(wsf_closing(w));
	wsf_free(w);
	return 0;
}
