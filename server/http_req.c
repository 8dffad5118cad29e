/*
 * http_req.c - the HTTP side of the web door, without sockets: a request is
 * parsed with http-parser (only the few headers kefud reads are kept, each
 * bounded), routed to one of a few fixed answers (no path from the request
 * ever reaches the filesystem), and a WebSocket handshake is checked and
 * answered with libcrypto's SHA-1 and base64.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <openssl/evp.h>

#include "config.h"
#include "http_req.h"

static const char *hdr_names[HH__COUNT] = {
	"host", "origin", "sec-websocket-key", "sec-websocket-version",
	"upgrade", "connection", "x-forwarded-for", "user-agent",
};

static int
on_url(http_parser *p, const char *at, size_t len)
{
	struct http_req *r = p->data;

	if (r->done)		/* a pipelined next request: not ours */
		return 0;
	if (len > sizeof(r->url) - 1 - r->urllen) {
		r->bad = 1;
		return 1;
	}
	memcpy(r->url + r->urllen, at, len);
	r->urllen += len;
	r->url[r->urllen] = '\0';
	return 0;
}

static int
on_field(http_parser *p, const char *at, size_t len)
{
	struct http_req *r = p->data;

	if (r->done)
		return 0;
	if (r->in_value) {	/* a new header starts */
		r->in_value = 0;
		r->fieldlen = 0;
	}
	for (size_t i = 0; i < len; i++) {
		if (r->fieldlen < sizeof(r->field) - 1)
			r->field[r->fieldlen] = (char)tolower((unsigned char)at[i]);
		r->fieldlen++;	/* an overlong name matches nothing */
	}
	return 0;
}

static int
on_value(http_parser *p, const char *at, size_t len)
{
	struct http_req *r = p->data;
	size_t *n;

	if (r->done)
		return 0;
	if (!r->in_value) {
		r->in_value = 1;
		r->cur = -1;
		for (int i = 0; i < HH__COUNT && r->fieldlen < sizeof(r->field); i++)
			if (strlen(hdr_names[i]) == r->fieldlen &&
			    memcmp(hdr_names[i], r->field, r->fieldlen) == 0)
				r->cur = i;
		if (r->cur >= 0 && r->hdrlen[r->cur] > 0) {
			/* a repeated header: joined as a list, as RFC 9110 says */
			n = &r->hdrlen[r->cur];
			if (*n + 2 < sizeof(r->hdr[0])) {
				memcpy(r->hdr[r->cur] + *n, ", ", 2);
				*n += 2;
			}
		}
	}
	if (r->cur < 0)
		return 0;
	n = &r->hdrlen[r->cur];
	if (len > sizeof(r->hdr[0]) - 1 - *n) {
		if (r->cur == HH_UA || r->cur == HH_XFF) {	/* keep the head */
			len = sizeof(r->hdr[0]) - 1 - *n;
		} else {
			r->bad = 1;
			return 1;
		}
	}
	memcpy(r->hdr[r->cur] + *n, at, len);
	*n += len;
	r->hdr[r->cur][*n] = '\0';
	return 0;
}

static int
on_headers_complete(http_parser *p)
{
	struct http_req *r = p->data;

	/* the request is answered from its headers; a body is ignored and
	 * after an upgrade the parser stops here by itself */
	r->done = 1;
	return 0;
}

void
http_req_init(struct http_req *r)
{
	memset(r, 0, sizeof(*r));
	http_parser_init(&r->p, HTTP_REQUEST);
	r->p.data = r;
	r->cur = -1;
}

size_t
http_req_feed(struct http_req *r, const char *data, size_t len)
{
	static http_parser_settings s;
	size_t used;

	if (r->done || r->bad)
		return 0;
	if (s.on_url == NULL) {
		http_parser_settings_init(&s);
		s.on_url = on_url;
		s.on_header_field = on_field;
		s.on_header_value = on_value;
		s.on_headers_complete = on_headers_complete;
	}
	if (len > HTTP_REQ_MAX - r->total) {
		len = HTTP_REQ_MAX - r->total;
		if (len == 0) {
			r->too_big = r->bad = 1;
			return 0;
		}
	}
	used = http_parser_execute(&r->p, &s, data, len);
	r->total += used;
	if (r->done)		/* what follows an upgrade is not HTTP */
		return r->p.upgrade ? used : len;
	if (HTTP_PARSER_ERRNO(&r->p) != HPE_OK)
		r->bad = 1;
	else if (r->total >= HTTP_REQ_MAX)
		r->too_big = r->bad = 1;
	return used;
}

const char *
http_req_header(const struct http_req *r, enum http_hdr h)
{
	return r->hdr[h];
}

int
http_req_is_head(const struct http_req *r)
{
	return r->p.method == HTTP_HEAD;
}

/* Does the comma-separated header value hold token (any case)? */
static int
has_token(const char *v, const char *token)
{
	size_t tl = strlen(token);

	while (*v) {
		size_t n;

		v += strspn(v, " \t,");
		n = strcspn(v, " \t,");
		if (n == tl && strncasecmp(v, token, n) == 0)
			return 1;
		v += n;
	}
	return 0;
}

int
http_origin_ok(const char *origin, const char *host, const char *allowed)
{
	const char *h;

	if (origin == NULL || *origin == '\0')
		return 0;
	if (config_list_has(allowed, "*", 1) ||
	    config_list_has(allowed, origin, strlen(origin)))
		return 1;
	h = strstr(origin, "://");	/* same origin: its host is our Host */
	return h && host && *host && strcasecmp(h + 3, host) == 0;
}

int
http_ws_key_ok(const char *key)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	if (strlen(key) != 24 || key[22] != '=' || key[23] != '=')
		return 0;
	for (int i = 0; i < 22; i++)
		if (key[i] == '\0' || strchr(b64, key[i]) == NULL)
			return 0;
	/* 16 bytes leave the last character's low four bits zero */
	return strchr("AQgw", key[21]) != NULL;
}

int
http_ws_accept(const char *key, char out[29])
{
	static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	char buf[64];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int n = snprintf(buf, sizeof(buf), "%s%s", key, guid);

	if (n < 0 || (size_t)n >= sizeof(buf) ||
	    EVP_Digest(buf, (size_t)n, md, &mdlen, EVP_sha1(), NULL) != 1 ||
	    mdlen != 20)
		return -1;
	return EVP_EncodeBlock((unsigned char *)out, md, 20) == 28 ? 0 : -1;
}

void
http_client_addr(const char *peer, const char *xff, const char *trusted,
    char *out, size_t outlen)
{
	unsigned char bin[16];
	char last[64];
	const char *p;
	size_t n;

	snprintf(out, outlen, "%s", peer);
	if (xff == NULL || *xff == '\0' ||
	    !config_list_has(trusted, peer, strlen(peer)))
		return;
	/* the proxy appended the address it saw: the last entry */
	p = strrchr(xff, ',');
	p = p ? p + 1 : xff;
	p += strspn(p, " \t");
	n = strcspn(p, " \t");
	if (n == 0 || n >= sizeof(last))
		return;
	memcpy(last, p, n);
	last[n] = '\0';
	if (inet_pton(AF_INET, last, bin) == 1 || inet_pton(AF_INET6, last, bin) == 1)
		snprintf(out, outlen, "%s", last);
}

enum http_route
http_req_route(const struct http_req *r, const char *allowed)
{
	struct http_parser_url u;
	const char *path;
	size_t plen;

	if (!r->done)
		return r->too_big ? HTTP_431 : r->bad ? HTTP_400 : HTTP_MORE;
	http_parser_url_init(&u);
	if (r->urllen == 0 || r->url[0] != '/' ||
	    http_parser_parse_url(r->url, r->urllen, 0, &u) != 0 ||
	    !(u.field_set & (1 << UF_PATH)))
		return HTTP_400;
	path = r->url + u.field_data[UF_PATH].off;
	plen = u.field_data[UF_PATH].len;
#define IS(s) (plen == sizeof(s) - 1 && memcmp(path, s, plen) == 0)
	if (!IS("/kefu.js") && !IS("/demo.html") && !IS("/ws"))
		return HTTP_404;
	if (r->p.method != HTTP_GET && (r->p.method != HTTP_HEAD || IS("/ws")))
		return HTTP_405;
	if (IS("/kefu.js"))
		return HTTP_JS;
	if (IS("/demo.html"))
		return HTTP_DEMO;
#undef IS
	if (r->p.http_major != 1 || r->p.http_minor < 1 ||
	    !has_token(r->hdr[HH_UPGRADE], "websocket") ||
	    !has_token(r->hdr[HH_CONNECTION], "upgrade") ||
	    strcmp(r->hdr[HH_VERSION], "13") != 0 ||
	    !http_ws_key_ok(r->hdr[HH_KEY]))
		return HTTP_400;
	if (!http_origin_ok(r->hdr[HH_ORIGIN], r->hdr[HH_HOST], allowed))
		return HTTP_403;
	return HTTP_UPGRADE;
}

int
http_response(struct pbuf *b, int status, const char *ctype, const char *extra,
    const void *body, size_t len, int head)
{
	if (pbuf_printf(b, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n"
	    "X-Content-Type-Options: nosniff\r\nCache-Control: no-cache\r\n"
	    "%s\r\n", status, http_status_str((enum http_status)status), ctype,
	    len, extra ? extra : "") < 0)
		return -1;
	return head ? 0 : pbuf_add(b, body, len);
}
