/*
 * conn.c - connections: reading lines, taking turns, buffering replies.
 * Listening and accepting are listen.c's.
 *
 * Input: a connection owns no input memory while it has no partial line.
 * Reads land in one shared buffer and are framed in place; only the tail of
 * an incomplete line is copied into a per-connection buffer of at most
 * line_max bytes. Ten thousand idle visitors thus cost a few hundred bytes
 * each, and a client sending a 10 MB line costs at most line_max.
 *
 * Turns: one read is framed and served up to LINES_PER_TURN lines or until
 * the replies reach OUT_PER_TURN bytes; a client that pipelined more is
 * paused with the rest kept, and served again at the
 * end of the iteration (conn_run_yielded), after everyone else had a turn.
 * So twenty clients each pipelining thousands of requests delay another
 * client by one turn each, not by all their requests.
 *
 * Output: replies and events are appended to the connection's buffer and the
 * connection goes on the flush list. Just before the loop sleeps, after the
 * iteration's transaction has committed, every buffer on the list is written
 * with one write(2); only what the kernel did not take arms EPOLLOUT. A
 * client whose backlog passes limits.outbuf_max is dropped, so a reader that
 * never reads cannot make the server hold unbounded memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <netdb.h>

#include "http.h"
#include "log.h"
#include "server.h"

#define LINES_PER_TURN 64
#define OUT_PER_TURN	16384

static char rbuf[65536];
static struct pbuf evbuf;
static uint64_t serial;

static void conn_readable(struct ae_loop *l, int fd, void *data, int mask);

struct conn *
conn_new(int fd, int is_unix, const char *addr)
{
	struct conn *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->fd = fd;
	c->is_unix = is_unix;
	snprintf(c->addr, sizeof(c->addr), "%s", addr);
	proto_framer_init(&c->fr, srv.cfg.line_max);
	pbuf_init(&c->out);
	c->role = ROLE_ANON;
	c->created_ms = srv.now_ms;
	c->serial = ++serial;
	srv.conns[fd] = c;
	srv.nconns++;
	return c;
}

/* Reading starts: the connection's input is served from now on. */
int
conn_start(struct conn *c)
{
	return ae_set(srv.loop, c->fd, AE_READ, conn_readable, c);
}

/* ---- output ---- */

void
conn_want_flush(struct conn *c)
{
	if (!c->pending && !c->dead) {
		c->pending = 1;
		c->pnext = srv.pending;
		srv.pending = c;
	}
}

struct pbuf *
conn_begin(struct conn *c, const char *tag)
{
	if (proto_put_tag(&c->out, tag) < 0)
		c->closing = 1;
	return &c->out;
}

/* Output the client has not read yet: its lines, and for a WebSocket the
 * frames made of them that the socket has not taken. */
static size_t
unread(const struct conn *c)
{
	return c->out.len - c->outoff + ws_backlog(c);
}

/* Drop a client that leaves more than outbuf_max unread, unless the
 * output is the answer to its own request (c->replying): that one is
 * bounded, and the client's input waits until it drains. */
static void
check_cap(struct conn *c)
{
	if (unread(c) > srv.cfg.outbuf_max && !c->dead && !c->replying) {
		log_warn("dropping %s client fd %d: %zu bytes unread (limit %zu)",
		    proto_role_name(c->role), c->fd, unread(c),
		    srv.cfg.outbuf_max);
		conn_close(c, "output buffer limit");
	}
}

void
conn_end(struct conn *c)
{
	if (proto_put_end(&c->out) < 0)
		c->closing = 1;
	conn_want_flush(c);
	check_cap(c);
}

void
conn_raw(struct conn *c, const char *data, size_t len)
{
	if (c == NULL || c->dead)
		return;
	if (pbuf_add(&c->out, data, len) < 0)
		c->closing = 1;
	conn_want_flush(c);
	check_cap(c);
}

void
reply_ok(struct conn *c, const char *fmt, ...)
{
	struct pbuf *b = conn_begin(c, c->tag);
	va_list ap;

	pbuf_adds(b, "OK");
	if (fmt && *fmt) {
		pbuf_add(b, " ", 1);
		va_start(ap, fmt);
		pbuf_vprintf(b, fmt, ap);
		va_end(ap);
	}
	conn_end(c);
}

void
reply_err(struct conn *c, const char *code, const char *fmt, ...)
{
	struct pbuf *b = conn_begin(c, c->tag);
	struct pbuf tmp;
	va_list ap;

	pbuf_printf(b, "ERR %s ", code);
	/* the human text may echo client input: escape it */
	pbuf_init(&tmp);
	va_start(ap, fmt);
	if (pbuf_vprintf(&tmp, fmt, ap) == 0)
		proto_escape(b, tmp.data, tmp.len, 0);
	va_end(ap);
	pbuf_free(&tmp);
	conn_end(c);
}

struct pbuf *
row_begin(struct conn *c)
{
	struct pbuf *b = conn_begin(c, c->tag);

	pbuf_add(b, "+", 1);
	return b;
}

struct pbuf *
ev_begin(void)
{
	evbuf.len = 0;
	pbuf_add(&evbuf, "*", 1);
	return &evbuf;
}

/*
 * The reply to a request comes before the events the request caused
 * (PROTOCOL.md "Events"): while a request is handled, events for its own
 * connection wait in `held` and follow the reply.
 */
static struct conn *held_for;
static struct pbuf held;

void
conn_hold_events(struct conn *c)
{
	held_for = c;
	held.len = 0;
}

void
conn_release_events(void)
{
	struct conn *c = held_for;

	held_for = NULL;
	if (c && held.len)
		conn_raw(c, held.data, held.len);
	held.len = 0;
}

void
ev_send(struct conn *c)
{
	if (c == NULL || c->dead)
		return;
	if (evbuf.len == 0 || evbuf.data[evbuf.len - 1] != '\n')
		pbuf_add(&evbuf, "\n", 1);
	if (c != held_for) {
		conn_raw(c, evbuf.data, evbuf.len);
		return;
	}
	/* more than the output cap from one request: what is held goes
	 * out, the rest is dropped and the connection closed after it */
	if (held.len + evbuf.len > srv.cfg.outbuf_max ||
	    pbuf_add(&held, evbuf.data, evbuf.len) < 0)
		c->closing = 1;
}

/* To every connection of the agent (see account.c). */
void
ev_send_agent(struct agent *a)
{
	if (a == NULL)
		return;
	for (struct conn *c = a->conn; c; c = c->anext)
		ev_send(c);
}

/* AE_READ unless input is held (paused) or over (closing). */
static int
read_mask(const struct conn *c)
{
	return c->paused || c->closing ? 0 : AE_READ;
}

/* Committed output not yet written (lines, or a WebSocket's frames). */
static int
unsent(const struct conn *c)
{
	return c->outoff < c->outsafe || http_want_write(c);
}

/* Everything written: a closing connection may go. */
static int
all_sent(const struct conn *c)
{
	return c->outoff == c->out.len && !http_want_write(c);
}

/* All said: close (an HTTP answer first waits for the client's end, so
 * that unread input does not turn the close into a reset). */
static void
closed_by_server(struct conn *c)
{
	if (http_linger(c))
		return;
	conn_close(c, "closed by server");
}

/* Write what we can; 0 when done or would block, -1 on a dead socket. */
static int
conn_write(struct conn *c)
{
	if (c->web && c->web->ws)
		return ws_write(c);
	/* Only what was committed: a reply or event made after the last
	 * commit waits for the next one (conn_flush_all moves outsafe). */
	while (c->outoff < c->outsafe) {
		ssize_t n = write(c->fd, c->out.data + c->outoff,
		    c->outsafe - c->outoff);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}
		c->outoff += (size_t)n;
	}
	if (c->outoff < c->out.len)
		return 0;
	c->out.len = c->outoff = c->outsafe = 0;
	if (c->out.cap > 65536) {	/* give back a burst's memory */
		pbuf_free(&c->out);
	}
	return 0;
}

/* After a write: let a backlogged client's requests in again. */
static void
drained(struct conn *c)
{
	if (c->backlogged && !c->dead && unread(c) <= srv.cfg.outbuf_max / 4) {
		c->backlogged = 0;
		conn_resume(c);
	}
}

static void
conn_writable(struct ae_loop *l, int fd, void *data, int mask)
{
	struct conn *c = data;

	if (mask & AE_READ) {
		conn_readable(l, fd, data, mask);
		if (c->dead)
			return;
	}
	if (!(mask & AE_WRITE))
		return;
	if (conn_write(c) < 0) {
		conn_close(c, "write error");
		return;
	}
	drained(c);
	if (c->dead)
		return;
	if (!unsent(c)) {	/* the rest waits for the commit */
		if (c->closing && all_sent(c)) {
			closed_by_server(c);
			return;
		}
		if (ae_set(srv.loop, c->fd, read_mask(c), conn_readable, c) < 0)
			conn_close(c, "epoll failure");
	}
}

void
conn_flush_all(void)
{
	struct conn *c, *next, *list = srv.pending;

	/* Everything queued so far is committed. What the writes below
	 * make (a drained client's requests resume) is not: it waits for
	 * the next commit, and its conn goes back on the list. */
	srv.pending = NULL;
	for (c = list; c; c = c->pnext)
		c->outsafe = c->out.len;
	for (c = list; c; c = next) {
		next = c->pnext;
		c->pending = 0;
		c->pnext = NULL;
		if (c->dead)
			continue;
		if (conn_write(c) < 0) {
			conn_close(c, "write error");
			continue;
		}
		drained(c);
		if (c->dead)
			continue;
		if (c->out.len > c->outsafe)
			conn_want_flush(c);
		if (unsent(c)) {
			if (ae_set(srv.loop, c->fd, read_mask(c) | AE_WRITE,
			    conn_writable, c) < 0)
				conn_close(c, "epoll failure");
		} else if (c->closing && all_sent(c))
			closed_by_server(c);
	}
}

/* At shutdown: try again on every connection that still has output;
 * returns how many still have some. */
int
conn_flush_every(void)
{
	int left = 0;

	for (int fd = 0; fd < srv.maxfds; fd++) {
		struct conn *c = srv.conns[fd];

		if (c && !c->dead && !all_sent(c))
			conn_want_flush(c);
	}
	conn_flush_all();
	for (int fd = 0; fd < srv.maxfds; fd++)
		if (srv.conns[fd] && !all_sent(srv.conns[fd]))
			left++;
	return left;
}

/* ---- input ---- */

/* Hold the rest of c's input until the others had their turn. */
static void
conn_yield(struct conn *c)
{
	conn_pause(c);
	c->yielded = 1;
	if (!c->ylisted) {
		c->ylisted = 1;
		c->ynext = srv.yielded;
		srv.yielded = c;
	}
}

int
conn_run_yielded(void)
{
	struct conn *c, *next, *list = srv.yielded;

	srv.yielded = NULL;
	for (c = list; c; c = next) {
		next = c->ynext;
		c->ynext = NULL;
		c->ylisted = 0;
		if (c->dead || !c->yielded)
			continue;	/* closed or resumed meanwhile */
		conn_resume(c);	/* may yield again, onto the new list */
	}
	return srv.yielded != NULL;
}

static void
process_input(struct conn *c, char *buf, size_t len, size_t *left)
{
	size_t off = 0, out0 = c->out.len;
	int lines = 0;

	while (off < len && !c->dead && !c->closing && !c->paused) {
		const char *line;

		/* A client that pipelines requests faster than it reads the
		 * replies is paused, not dropped: its input waits until the
		 * backlog is down to a quarter of the cap (see drained()). */
		if (unread(c) > srv.cfg.outbuf_max / 2) {
			c->backlogged = 1;
			conn_pause(c);
			break;
		}
		if (lines++ == LINES_PER_TURN || c->out.len - out0 >= OUT_PER_TURN) {
			conn_yield(c);
			break;
		}
		size_t linelen, used;
		enum proto_frame f;

		f = proto_frame_next(&c->fr, buf + off, len - off, &line,
		    &linelen, &used);
		off += used;
		if (f == PROTO_FRAME_TOOLONG) {
			c->tag = NULL;
			reply_err(c, "TOOLONG", "line longer than %zu bytes; discarded",
			    srv.cfg.line_max);
		} else if (f == PROTO_FRAME_LINE)
			cmd_dispatch(c, (char *)line, linelen);
		else if (used == 0)
			break;
	}
	*left = len - off;
}

/* Keep the unprocessed tail of buf in c->in (it may hold several lines
 * when the connection was paused in the middle of a read). */
static int
keep_input(struct conn *c, const char *tail, size_t left)
{
	size_t need = left > srv.cfg.line_max + 1 ? left : srv.cfg.line_max + 1;

	if (left == 0) {
		free(c->in);
		c->in = NULL;
		c->inlen = c->incap = 0;
		return 0;
	}
	if (c->incap < need) {
		char *n = malloc(need);

		if (n == NULL)
			return -1;
		memcpy(n, tail, left);
		free(c->in);
		c->in = n;
		c->incap = need;
	} else
		memmove(c->in, tail, left);
	c->inlen = left;
	return 0;
}

/* Input that arrived some other way (a WebSocket message): processed like
 * read bytes, after whatever is still held. data must be writable. */
void
conn_feed(struct conn *c, char *data, size_t len)
{
	size_t left;

	if (c->inlen == 0) {
		process_input(c, data, len, &left);
		if (!c->dead && keep_input(c, data + len - left, left) < 0)
			conn_close(c, "out of memory");
		return;
	}
	if (c->incap - c->inlen < len) {
		char *n = realloc(c->in, c->inlen + len);

		if (n == NULL) {
			conn_close(c, "out of memory");
			return;
		}
		c->in = n;
		c->incap = c->inlen + len;
	}
	memcpy(c->in + c->inlen, data, len);
	c->inlen += len;
	if (c->paused)
		return;
	process_input(c, c->in, c->inlen, &left);
	if (!c->dead && keep_input(c, c->in + c->inlen - left, left) < 0)
		conn_close(c, "out of memory");
}

void
conn_pause(struct conn *c)
{
	c->paused = 1;
	if (ae_set(srv.loop, c->fd, ae_get(srv.loop, c->fd) & ~AE_READ,
	    NULL, c) < 0)
		conn_close(c, "epoll failure");
}

void
conn_ref_set(struct conn_ref *r, const struct conn *c)
{
	r->serial = c->serial;
	r->fd = c->fd;
	r->has_tag = c->tag != NULL;
	snprintf(r->tag, sizeof(r->tag), "%s", c->tag ? c->tag : "");
}

struct conn *
conn_ref_get(struct conn_ref *r)
{
	struct conn *c = r->fd >= 0 && r->fd < srv.maxfds ? srv.conns[r->fd] : NULL;

	if (c == NULL || c->serial != r->serial || c->dead)
		return NULL;
	c->tag = r->has_tag ? r->tag : NULL;
	return c;
}

void
conn_resume(struct conn *c)
{
	size_t left;
	int mask;

	if (c->dead || !c->paused)
		return;
	c->paused = 0;
	c->yielded = 0;
	if (c->inlen) {
		process_input(c, c->in, c->inlen, &left);
		if (c->dead)
			return;
		if (keep_input(c, c->in + c->inlen - left, left) < 0) {
			conn_close(c, "out of memory");
			return;
		}
	}
	if (c->paused)
		return;		/* the next line started another check */
	mask = ae_get(srv.loop, c->fd) | AE_READ;
	if (ae_set(srv.loop, c->fd, mask, (mask & AE_WRITE) ? conn_writable :
	    conn_readable, c) < 0)
		conn_close(c, "epoll failure");
}

/* End of input: replies to what came before it (they may be waiting for
 * their commit) still go out, then the connection closes. */
static void
input_ended(struct conn *c)
{
	if (c->outoff == c->out.len) {
		conn_close(c, "eof");
		return;
	}
	c->closing = 1;		/* no more reading: EOF would wake us again */
	if (ae_set(srv.loop, c->fd, c->outoff < c->outsafe ? AE_WRITE : 0,
	    conn_writable, c) < 0)
		conn_close(c, "epoll failure");
}

static void
conn_readable(struct ae_loop *l, int fd, void *data, int mask)
{
	struct conn *c = data;
	size_t left;
	ssize_t n;

	/* the loop may have slept since before_sleep() set the clock; rate
	 * limits and timestamps of this input need the time it arrived */
	srv.now_ms = ae_now_ms();
	if (c->web) {
		if (!c->dead)
			http_readable(c);
		return;
	}
	if (c->closing || c->dead) {
		/* we are only flushing; drain and ignore input */
		if (!c->dead && read(fd, rbuf, sizeof(rbuf)) == 0)
			input_ended(c);
		return;
	}
	if (c->inlen == 0) {
		n = read(fd, rbuf, sizeof(rbuf) - 1);
		if (n <= 0)
			goto eof;
		process_input(c, rbuf, (size_t)n, &left);
		if (left && !c->dead && keep_input(c, rbuf + n - left, left) < 0)
			conn_close(c, "out of memory");
		return;
	}
	if (c->paused || c->inlen >= c->incap)
		return;		/* not reading while a check runs */
	n = read(fd, c->in + c->inlen, c->incap - c->inlen);
	if (n <= 0)
		goto eof;
	process_input(c, c->in, c->inlen + (size_t)n, &left);
	if (c->dead)
		return;
	if (keep_input(c, c->in + c->inlen + (size_t)n - left, left) < 0)
		conn_close(c, "out of memory");
	return;
eof:
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n == 0)
		input_ended(c);
	else
		conn_close(c, strerror(errno));
}

void
conn_close(struct conn *c, const char *why)
{
	if (c->dead)
		return;
	log_debug("closing fd %d (%s): %s", c->fd, proto_role_name(c->role), why);
	session_closed(c);
	http_closed(c);
	connlim_closed(c);
	ae_set(srv.loop, c->fd, 0, NULL, NULL);
	close(c->fd);
	srv.conns[c->fd] = NULL;
	srv.nconns--;
	c->dead = 1;
	c->dnext = srv.dead;
	srv.dead = c;
}

void
conn_reap(void)
{
	struct conn *c, *next;

	for (c = srv.dead, srv.dead = NULL; c; c = next) {
		next = c->dnext;
		if (c->pending || c->ylisted) {
			/* still on the flush or yield list: next time */
			c->dnext = srv.dead;
			srv.dead = c;
			continue;
		}
		free(c->in);
		if (c->newpw) {
			explicit_bzero(c->newpw, strlen(c->newpw));
			free(c->newpw);
		}
		pbuf_free(&c->out);
		free(c);
	}
}
