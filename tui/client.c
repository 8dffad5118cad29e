/*
 * client.c - transport, request tags and reconnection for the console.
 *
 * The socket is non-blocking; main.c polls it together with the terminal.
 * Connecting is the one bounded wait (a few seconds at most), done with a
 * non-blocking connect() and poll() so a dead host cannot hang the console.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "client.h"

#define BACKOFF_MAX 8

void
client_init(struct client *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->state = CL_DOWN;
	c->backoff = 1;
	proto_framer_init(&c->fr, 65536);
	pbuf_init(&c->rbuf);
	pbuf_init(&c->wbuf);
}

static void
pending_clear(struct client *c)
{
	for (size_t i = 0; i < c->npend; i++)
		free(c->pend[i].text);
	c->npend = 0;
}

void
client_free(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	pending_clear(c);
	pbuf_free(&c->rbuf);
	pbuf_free(&c->wbuf);
	free(c->host);
	free(c->port);
	free(c->path);
	free(c->user);
	free(c->password);
	free(c->ticket);
}

int
client_set_server(struct client *c, const char *hp)
{
	const char *colon;
	char *host;

	if (hp[0] == '[') {
		const char *close_br = strchr(hp, ']');

		if (close_br == NULL || close_br[1] != ':')
			return -1;
		host = strndup(hp + 1, (size_t)(close_br - hp - 1));
		colon = close_br + 1;
	} else {
		colon = strrchr(hp, ':');
		if (colon == NULL)
			return -1;
		host = strndup(hp, (size_t)(colon - hp));
	}
	if (host == NULL || colon[1] == '\0' || host[0] == '\0') {
		free(host);
		return -1;
	}
	free(c->host);
	free(c->port);
	c->host = host;
	c->port = strdup(colon + 1);
	return c->port ? 0 : -1;
}

static int
wait_connected(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int err = 0, rc;
	socklen_t len = sizeof(err);

	do
		rc = poll(&p, 1, timeout_ms);
	while (rc < 0 && errno == EINTR);
	if (rc == 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	if (rc < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return -1;
	if (err != 0) {
		errno = err;
		return -1;
	}
	return 0;
}

static int
try_connect(int fd, const struct sockaddr *sa, socklen_t len, int timeout_ms)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	if (connect(fd, sa, len) == 0)
		return 0;
	if (errno != EINPROGRESS && errno != EAGAIN)
		return -1;
	return wait_connected(fd, timeout_ms);
}

static int
connect_unix(struct client *c, int timeout_ms)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(c->path) >= sizeof(sun.sun_path)) {
		snprintf(c->err, sizeof(c->err), "socket path too long: %s",
		    c->path);
		return -1;
	}
	memcpy(sun.sun_path, c->path, strlen(c->path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    try_connect(fd, (struct sockaddr *)&sun, sizeof(sun), timeout_ms) < 0) {
		snprintf(c->err, sizeof(c->err), "cannot connect to %s: %s",
		    c->path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int
connect_tcp(struct client *c, int timeout_ms)
{
	struct addrinfo hints, *res, *ai;
	int fd = -1, rc, saved = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(c->host, c->port, &hints, &res);
	if (rc != 0) {
		snprintf(c->err, sizeof(c->err), "cannot resolve %s: %s",
		    c->host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd < 0)
			continue;
		if (try_connect(fd, ai->ai_addr, ai->ai_addrlen, timeout_ms) == 0)
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		snprintf(c->err, sizeof(c->err), "cannot connect to %s:%s: %s",
		    c->host, c->port, strerror(saved ? saved : ECONNREFUSED));
	return fd;
}

int
client_open(struct client *c, int timeout_ms)
{
	int fd = c->path ? connect_unix(c, timeout_ms) : connect_tcp(c, timeout_ms);

	c->attempts++;
	if (fd < 0)
		return -1;
	c->fd = fd;
	c->state = CL_LOGIN;
	proto_framer_init(&c->fr, 65536);
	c->rbuf.len = 0;
	c->wbuf.len = 0;
	pending_clear(c);
	if (c->ticket != NULL)
		client_req(c, RQ_LOGIN, 0, NULL, "TICKET", c->user, c->ticket,
		    (char *)NULL);
	else
		client_req(c, RQ_LOGIN, 0, c->password ? c->password : "",
		    "LOGIN", c->user, (char *)NULL);
	return 0;
}

void
client_drop(struct client *c, const char *reason)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->state = CL_DOWN;
	pending_clear(c);
	c->rbuf.len = c->wbuf.len = 0;
	if (reason != NULL)
		snprintf(c->err, sizeof(c->err), "%s", reason);
	c->retry_at = time(NULL) + c->backoff;
	if (c->backoff < BACKOFF_MAX)
		c->backoff *= 2;
}

int
client_tick(struct client *c, time_t now)
{
	if (c->state != CL_DOWN || now < c->retry_at)
		return 0;
	if (client_open(c, 2000) < 0) {
		c->retry_at = time(NULL) + c->backoff;
		if (c->backoff < BACKOFF_MAX)
			c->backoff *= 2;
	}
	return 1;
}

static int
add_word(struct pbuf *b, const char *w)
{
	if (pbuf_add(b, " ", 1) < 0)
		return -1;
	if (w[0] == '\0')
		return pbuf_add(b, "\\s", 2) < 0 ? -1 : 0;	/* never empty */
	return proto_escape(b, w, strlen(w), 1);
}

unsigned long
client_req(struct client *c, int kind, long arg, const char *text,
    const char *verb, ...)
{
	struct client_pending *p;
	size_t mark = c->wbuf.len;
	const char *w;
	va_list ap;
	int bad = 0;

	if (c->fd < 0 || c->npend == CLIENT_PENDING)
		return 0;
	p = &c->pend[c->npend];
	memset(p, 0, sizeof(*p));
	p->seq = ++c->next_seq;
	p->kind = kind;
	p->arg = arg;
	if (pbuf_printf(&c->wbuf, "@t%lu %s", p->seq, verb) < 0)
		bad = 1;
	va_start(ap, verb);
	while (!bad && (w = va_arg(ap, const char *)) != NULL)
		bad = add_word(&c->wbuf, w) < 0;
	va_end(ap);
	if (!bad && text != NULL)
		bad = pbuf_add(&c->wbuf, " :", 2) < 0 ||
		    proto_escape(&c->wbuf, text, strlen(text), 0) < 0;
	if (!bad)
		bad = pbuf_add(&c->wbuf, "\n", 1) < 0;
	if (!bad && (kind == RQ_MSG || kind == RQ_NOTE || kind == RQ_WHISPER) &&
	    text != NULL &&
	    (p->text = strdup(text)) == NULL)
		bad = 1;
	if (bad) {
		c->wbuf.len = mark;
		return 0;
	}
	c->npend++;
	return p->seq;
}

int
client_want_write(const struct client *c)
{
	return c->fd >= 0 && c->wbuf.len > 0;
}

int
client_flush(struct client *c)
{
	while (c->fd >= 0 && c->wbuf.len > 0) {
		ssize_t n = write(c->fd, c->wbuf.data, c->wbuf.len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0)
			return -1;
		pbuf_consume(&c->wbuf, (size_t)n);
	}
	return 0;
}

static struct client_pending *
pending_find(struct client *c, const char *tag)
{
	char *end;
	unsigned long seq;

	if (tag == NULL || tag[0] != 't')
		return NULL;
	seq = strtoul(tag + 1, &end, 10);
	if (*end != '\0')
		return NULL;
	for (size_t i = 0; i < c->npend; i++)
		if (c->pend[i].seq == seq)
			return &c->pend[i];
	return NULL;
}

static void
pending_done(struct client *c, struct client_pending *p)
{
	size_t i = (size_t)(p - c->pend);

	free(p->text);
	memmove(c->pend + i, c->pend + i + 1,
	    (c->npend - i - 1) * sizeof(*p));
	c->npend--;
}

/* "ERR CODE free words": the text may hold more words than proto_parse allows. */
static void
split_err(char *p, struct client_msg *m)
{
	char *sp;

	p += 3;
	while (*p == ' ')
		p++;
	m->err_code = p;
	sp = strchr(p, ' ');
	if (sp != NULL) {
		*sp++ = '\0';
		while (*sp == ' ')
			sp++;
		if (*sp == ':')
			sp++;
		m->err_text = sp;
	} else {
		m->err_text = "";
	}
}

static void
handle_line(struct client *c, char *line, size_t len, client_msg_fn fn,
    void *ctx)
{
	struct client_msg m;
	char *p = line, *tag = NULL;

	memset(&m, 0, sizeof(m));
	line[len] = '\0';
	if (*p == '@') {
		tag = p + 1;
		p = strchr(p, ' ');
		if (p == NULL)
			return;
		*p++ = '\0';
		while (*p == ' ')
			p++;
	}
	if (strncmp(p, "ERR", 3) == 0 && (p[3] == ' ' || p[3] == '\0')) {
		m.type = MSG_ERR;
		split_err(p, &m);
	} else if (*p == '+' && (m.p = pending_find(c, tag)) != NULL &&
	    m.p->kind == RQ_REPORT) {
		m.type = MSG_ROW;	/* more fields than a proto_req holds */
		m.raw = p + 1;
		m.p->rows++;
		fn(ctx, &m);
		return;
	} else {
		if (*p == '*')
			*p = 'E';	/* event: verb E, argv[0] is its name */
		else if (*p == '+')
			*p = 'R';	/* row */
		if (proto_parse(p, strlen(p), &m.req) != PROTO_OK)
			return;
		if (strcmp(m.req.verb, "E") == 0) {
			if (m.req.argc < 1)
				return;
			m.type = MSG_EVENT;
		} else if (strcmp(m.req.verb, "R") == 0)
			m.type = MSG_ROW;
		else if (strcmp(m.req.verb, "OK") == 0)
			m.type = MSG_OK;
		else
			return;	/* not something a server sends */
	}
	if (m.type != MSG_EVENT) {
		m.p = pending_find(c, tag);
		if (m.p == NULL)
			return;	/* a reply to nothing we asked */
		if (m.type == MSG_ROW)
			m.p->rows++;
	}
	fn(ctx, &m);
	if (m.p != NULL && m.type != MSG_ROW && c->fd >= 0)
		pending_done(c, m.p);
}

int
client_read(struct client *c, client_msg_fn fn, void *ctx)
{
	char buf[16384];
	ssize_t n;

	if (c->fd < 0)
		return -1;
	n = read(c->fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0)
		return -1;
	if (pbuf_add(&c->rbuf, buf, (size_t)n) < 0 || pbuf_reserve(&c->rbuf, 1) < 0)
		return -1;
	for (;;) {
		const char *line;
		size_t len, used;
		enum proto_frame f = proto_frame_next(&c->fr, c->rbuf.data,
		    c->rbuf.len, &line, &len, &used);
		size_t off = (size_t)(line ? line - c->rbuf.data : 0);
		int fd = c->fd;

		if (f == PROTO_FRAME_LINE)
			handle_line(c, c->rbuf.data + off, len, fn, ctx);
		if (c->fd != fd || c->fd < 0)
			return c->fd < 0 ? -1 : 0;	/* dropped meanwhile */
		if (used == 0)
			break;
		pbuf_consume(&c->rbuf, used);
	}
	return 0;
}
