/*
 * http.h - kefud's web door: the HTTP listener's connections, from the
 * request to the static files or the WebSocket (http.c, ws.c).
 */
#ifndef KEFU_HTTP_H
#define KEFU_HTTP_H

#include "http_req.h"
#include "wsframe.h"

struct conn;

struct web {
	struct conn *c;
	struct web *prev, *next;	/* every web connection (timeouts) */
	struct http_req *req;		/* while the request is read */
	struct wsf *ws;			/* after the upgrade */
	char *pre;			/* bytes that came after the request */
	size_t prelen, preoff;
	char *ua;			/* User-Agent, for the visit */
	char *wire;			/* frames the socket did not take */
	size_t wirelen, wireoff;
	char capaddr[64];		/* the address counted against the cap */
	long long last_rx_ms;		/* the peer's last sign of life */
	int pinged;
	int drained;			/* a short read: the socket is empty
					 * until epoll says otherwise */
	int lingering;			/* answered; waiting for the client's EOF */
};

/* conn.c calls these for connections of the HTTP listener. */
int http_accepted(struct conn *c);
void http_readable(struct conn *c);
int http_want_write(const struct conn *c);
void http_closed(struct conn *c);
/* After an HTTP answer: 1 if the connection waits for the client's EOF. */
int http_linger(struct conn *c);
/* main.c: build the static answers once; every second: reap and ping. */
int http_init(void);
struct config;
/* SIGHUP: take the http.* settings of nc (not listen.http). */
void http_reload(struct config *nc);
void http_tick(void);
void http_free(void);
/* The visitor's User-Agent on a WebSocket, else NULL. */
const char *http_user_agent(const struct conn *c);
/* 1 while c is an HTTP request (not, or not yet, a WebSocket). */
int http_is_request(const struct conn *c);

/* ws.c */
int ws_start(struct conn *c);
void ws_readable(struct conn *c);
int ws_write(struct conn *c);
/* Output of c past its line buffer: frames not yet written (0 for TCP). */
size_t ws_backlog(const struct conn *c);
void ws_tick(struct conn *c);

#endif
