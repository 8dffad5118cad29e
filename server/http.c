/*
 * http.c - the web door's connections: per-address caps, reading the one
 * HTTP request a connection may make, answering it with a static file or an
 * error, or handing it to ws.c as a WebSocket; every second, reaping
 * connections that never finished their request.
 *
 * The static files (web/kefu.js, web/demo.html) are compiled in and their
 * whole responses built once at start; a request picks one of them by exact
 * path, so nothing a client sends ever names a file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addrcount.h"
#include "http.h"
#include "log.h"
#include "server.h"

extern const unsigned char web_kefu_js[], web_demo_html[];
extern const size_t web_kefu_js_len, web_demo_html_len;

struct canned {
	struct pbuf b;
	size_t hdrlen;		/* what HEAD sends */
};

static struct canned js, demo;
static struct web *webs;	/* every web connection */
/* The request being read by a connection that has none of its own: most
 * requests come whole in one read and never need one (3 KB each). */
static struct http_req shared_req;

/* ---- connections per address ---- */

static struct addrcount_tab caps;

/* Count one more connection from addr; -1 when it is over the cap. */
static int
cap_take(struct web *w, const char *addr)
{
	if (addrcount_take(&caps, addr, srv.cfg.http_max_per_addr) < 0)
		return -1;
	snprintf(w->capaddr, sizeof(w->capaddr), "%s", addr);
	return 0;
}

static void
cap_release(struct web *w)
{
	if (w->capaddr[0] == '\0')
		return;
	addrcount_release(&caps, w->capaddr);
	w->capaddr[0] = '\0';
}

/* ---- static answers ---- */

static int
canned_build(struct canned *k, const char *ctype, const char *prelude,
    const void *body, size_t len)
{
	size_t pl = prelude ? strlen(prelude) : 0;

	pbuf_init(&k->b);
	if (http_response(&k->b, 200, ctype, NULL, NULL, pl + len, 1) < 0)
		return -1;
	k->hdrlen = k->b.len;
	if ((pl && pbuf_add(&k->b, prelude, pl) < 0) ||
	    pbuf_add(&k->b, body, len) < 0)
		return -1;
	return 0;
}

/* The widget's answer: it learns the required pre-chat fields from a
 * first line; only letters and commas from the config reach it. */
static int
js_build(struct canned *k)
{
	char prelude[300];
	size_t n = 0;
	const char *req = srv.cfg.http_prechat_required;

	n = (size_t)snprintf(prelude, sizeof(prelude), "var KEFU_REQUIRED = \"");
	for (; *req && n < sizeof(prelude) - 8; req++)
		if ((*req >= 'a' && *req <= 'z') || *req == ',')
			prelude[n++] = *req;
	snprintf(prelude + n, sizeof(prelude) - n, "\";\n");
	return canned_build(k, "application/javascript; charset=utf-8", prelude,
	    web_kefu_js, web_kefu_js_len);
}

int
http_init(void)
{
	if (js_build(&js) < 0 ||
	    canned_build(&demo, "text/html; charset=utf-8", NULL, web_demo_html,
	    web_demo_html_len) < 0) {
		log_error("http: out of memory");
		return -1;
	}
	return 0;
}

/*
 * SIGHUP: the web door's policies from the new configuration nc (whose
 * strings it takes; nc gets the old ones to free). They apply to what
 * happens next: new connections and upgrades (origins, proxies, the cap),
 * the next second's timeouts and pings, the next command (allow_login),
 * the next GET /kefu.js (prechat_required). Connections already counted
 * keep their count. listen.http itself needs a restart.
 */
void
http_reload(struct config *nc)
{
	struct config *c = &srv.cfg;
	struct canned nj;
	char *t;

#define HTTP_SWAP(f) (t = c->f, c->f = nc->f, nc->f = t)
	HTTP_SWAP(http_allowed_origins);
	HTTP_SWAP(http_trust_proxy);
	HTTP_SWAP(http_prechat_required);
#undef HTTP_SWAP
	c->http_max_per_addr = nc->http_max_per_addr;
	c->http_header_timeout = nc->http_header_timeout;
	c->http_ping_interval = nc->http_ping_interval;
	c->http_allow_login = nc->http_allow_login;
	if (js_build(&nj) < 0) {	/* the old widget stays */
		pbuf_free(&nj.b);
		log_error("http: out of memory; /kefu.js keeps its old fields");
		return;
	}
	pbuf_free(&js.b);
	js = nj;
}

void
http_free(void)
{
	pbuf_free(&js.b);
	pbuf_free(&demo.b);
}

/* ---- connections ---- */

int
http_accepted(struct conn *c)
{
	static const char busy[] = "HTTP/1.1 429 Too Many Requests\r\n"
	    "Content-Length: 0\r\nConnection: close\r\n\r\n";
	struct web *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return -1;
	w->c = c;
	w->last_rx_ms = srv.now_ms;
	c->web = w;
	w->next = webs;
	if (webs)
		webs->prev = w;
	webs = w;
	/* behind a trusted proxy the visitor's address is known later */
	if (!config_list_has(srv.cfg.http_trust_proxy, c->addr, strlen(c->addr)) &&
	    cap_take(w, c->addr) < 0) {
		log_warn("http: %s is over http.max_per_addr (%d)", c->addr,
		    srv.cfg.http_max_per_addr);
		if (write(c->fd, busy, sizeof(busy) - 1) < 0)
			{ /* dropping it anyway */ }
		return -1;
	}
	return 0;
}

void
http_closed(struct conn *c)
{
	struct web *w = c->web;

	if (w == NULL)
		return;
	cap_release(w);
	if (w->prev)
		w->prev->next = w->next;
	else
		webs = w->next;
	if (w->next)
		w->next->prev = w->prev;
	wsf_free(w->ws);
	free(w->req);
	free(w->pre);
	free(w->ua);
	free(w->wire);
	free(w);
	c->web = NULL;
}

static void
answer(struct conn *c, const struct http_req *r, int status, const char *extra)
{
	struct pbuf b;
	char body[64];
	int n = snprintf(body, sizeof(body), "%d %s\n", status,
	    http_status_str((enum http_status)status));

	pbuf_init(&b);
	if (http_response(&b, status, "text/plain; charset=utf-8", extra, body,
	    (size_t)n, http_req_is_head(r)) == 0)
		conn_raw(c, b.data, b.len);
	pbuf_free(&b);
	c->closing = 1;
}

static void
send_canned(struct conn *c, const struct http_req *r, const struct canned *k)
{
	conn_raw(c, k->b.data, http_req_is_head(r) ? k->hdrlen :
	    k->b.len);
	c->closing = 1;
}

/* The handshake's answer goes out at once: it is the first thing written
 * on a fresh socket, so the kernel takes all of it. */
static int
upgrade(struct conn *c, const struct http_req *r, const char *rest,
    size_t restlen)
{
	struct web *w = c->web;
	char addr[64], acc[29], resp[256];
	int n;

	http_client_addr(c->addr, http_req_header(r, HH_XFF),
	    srv.cfg.http_trust_proxy, addr, sizeof(addr));
	if (w->capaddr[0] == '\0' && cap_take(w, addr) < 0) {
		log_warn("http: %s is over http.max_per_addr (%d)", addr,
		    srv.cfg.http_max_per_addr);
		answer(c, r, 429, NULL);
		return 0;
	}
	snprintf(c->addr, sizeof(c->addr), "%s", addr);
	if (http_ws_accept(http_req_header(r, HH_KEY), acc) < 0)
		return -1;
	n = snprintf(resp, sizeof(resp), "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: %s\r\n\r\n", acc);
	if (write(c->fd, resp, (size_t)n) != n)
		return -1;
	if ((w->ua = strdup(http_req_header(r, HH_UA))) == NULL)
		return -1;
	if (restlen) {
		if ((w->pre = malloc(restlen)) == NULL)
			return -1;
		memcpy(w->pre, rest, restlen);
		w->prelen = restlen;
	}
	free(w->req);
	w->req = NULL;
	return ws_start(c);
}

/* A request that did not come whole: the connection keeps its own copy
 * of the parser state until the rest arrives. */
static int
keep_request(struct web *w, const struct http_req *r)
{
	if ((w->req = malloc(sizeof(*w->req))) == NULL)
		return -1;
	*w->req = *r;
	w->req->p.data = w->req;
	return 0;
}

void
http_readable(struct conn *c)
{
	struct web *w = c->web;
	struct http_req *r;
	char buf[4096];
	ssize_t n;
	size_t used;
	enum http_route rt;

	if (w->ws) {
		ws_readable(c);
		return;
	}
	n = read(c->fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(c, n == 0 ? "eof" : strerror(errno));
		return;
	}
	if (c->closing)
		return;		/* answered: the rest is ignored */
	w->last_rx_ms = srv.now_ms;
	if ((r = w->req) == NULL) {
		r = &shared_req;
		http_req_init(r);
	}
	used = http_req_feed(r, buf, (size_t)n);
	rt = http_req_route(r, srv.cfg.http_allowed_origins);
	switch (rt) {
	case HTTP_MORE:
		if (w->req == NULL && keep_request(w, r) < 0)
			conn_close(c, "out of memory");
		return;
	case HTTP_JS: send_canned(c, r, &js); return;
	case HTTP_DEMO: send_canned(c, r, &demo); return;
	case HTTP_400: answer(c, r, 400, NULL); return;
	case HTTP_403: answer(c, r, 403, NULL); return;
	case HTTP_404: answer(c, r, 404, NULL); return;
	case HTTP_405: answer(c, r, 405, "Allow: GET, HEAD\r\n"); return;
	case HTTP_431: answer(c, r, 431, NULL); return;
	case HTTP_UPGRADE:
		if (upgrade(c, r, buf + used, (size_t)n - used) < 0)
			conn_close(c, "websocket setup failed");
		return;
	}
}

int
http_want_write(const struct conn *c)
{
	return c->web && c->web->ws && (wsf_want_write(c->web->ws) ||
	    c->web->wireoff < c->web->wirelen);
}

int
http_linger(struct conn *c)
{
	struct web *w = c->web;

	if (w == NULL || w->ws || srv.shutting_down)
		return 0;
	if (!w->lingering) {
		w->lingering = 1;
		if (shutdown(c->fd, SHUT_WR) < 0 ||
		    ae_set(srv.loop, c->fd, AE_READ, NULL, c) < 0)
			return 0;
	}
	return 1;
}

const char *
http_user_agent(const struct conn *c)
{
	return c->web ? c->web->ua : NULL;
}

int
http_is_request(const struct conn *c)
{
	return c->web != NULL && c->web->ws == NULL;
}

void
http_tick(void)
{
	struct web *w, *next;
	long long limit = (long long)srv.cfg.http_header_timeout * 1000;

	/* a lingering answer (see http_linger) is dropped by the same clock */

	for (w = webs; w; w = next) {
		next = w->next;
		if (w->ws)
			ws_tick(w->c);
		else if (srv.now_ms - w->c->created_ms > limit)
			conn_close(w->c, "http: request not finished in time");
	}
}
