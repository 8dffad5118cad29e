/*
 * http_req.h - one HTTP/1.1 request as kefud's web door sees it: parsed with
 * http-parser, routed to one of a few fixed answers, and the WebSocket
 * handshake checked. Pure (no sockets, no server state) for the fuzzer.
 */
#ifndef KEFU_HTTP_REQ_H
#define KEFU_HTTP_REQ_H

#include <stddef.h>
#include <http_parser.h>

#include "proto.h"

#define HTTP_REQ_MAX 8192	/* a request's line and headers, in bytes */

enum http_hdr { HH_HOST, HH_ORIGIN, HH_KEY, HH_VERSION, HH_UPGRADE,
	HH_CONNECTION, HH_XFF, HH_UA, HH__COUNT };

struct http_req {
	http_parser p;
	int done;		/* the headers are complete */
	int bad;		/* parse error or over a limit */
	int too_big;		/* over HTTP_REQ_MAX */
	size_t total;
	char url[1024];
	size_t urllen;
	char field[32];		/* the header name being read, lower case */
	size_t fieldlen;
	int in_value;
	int cur;		/* enum http_hdr of the value being read, or -1 */
	char hdr[HH__COUNT][256];
	size_t hdrlen[HH__COUNT];
};

enum http_route {
	HTTP_MORE,		/* incomplete: read on */
	HTTP_JS, HTTP_DEMO,	/* the static files */
	HTTP_UPGRADE,		/* a valid WebSocket handshake on /ws */
	HTTP_400, HTTP_403, HTTP_404, HTTP_405, HTTP_431,
};

void http_req_init(struct http_req *r);
/* Feed bytes; returns how many were used (the rest follows the request). */
size_t http_req_feed(struct http_req *r, const char *data, size_t len);
/* The answer to the request so far; allowed is http.allowed_origins. */
enum http_route http_req_route(const struct http_req *r, const char *allowed);
const char *http_req_header(const struct http_req *r, enum http_hdr h);
int http_req_is_head(const struct http_req *r);

/* Is the Origin allowed: listed, "*" listed, or the request's own Host. */
int http_origin_ok(const char *origin, const char *host, const char *allowed);
/* Sec-WebSocket-Key: base64 of exactly 16 bytes. */
int http_ws_key_ok(const char *key);
/* The Sec-WebSocket-Accept value (28 characters + NUL) for key. */
int http_ws_accept(const char *key, char out[29]);
/* The visitor's address: the peer's, or (when the peer is a trusted proxy)
 * the last valid address of X-Forwarded-For. */
void http_client_addr(const char *peer, const char *xff, const char *trusted,
    char *out, size_t outlen);

/* A complete response with a body (or only its headers for HEAD). */
int http_response(struct pbuf *b, int status, const char *ctype,
    const char *extra, const void *body, size_t len, int head);

#endif
