/*
 * bench.h - shared state of kefubench, the load generator behind
 * `make bench`. It exists so that the protocol adapters (bench_proto.c:
 * kefu, Redis pub/sub, IRC) and the driver (kefubench.c: event loop,
 * pacing, statistics) can live in separate small files.
 */
#ifndef KEFU_BENCH_H
#define KEFU_BENCH_H

#include <stddef.h>
#include <stdint.h>

enum bench_mode { BM_KEFU, BM_REDIS, BM_IRC };
enum bench_side { SIDE_VISITOR = 0, SIDE_AGENT = 1 };
enum bench_state { BS_FREE, BS_CONNECTING, BS_HANDSHAKE, BS_READY, BS_DEAD };

struct bbuf {
	char *data;
	size_t len, off, cap;
};

struct bconn {
	int fd;
	int side;
	int idx;		/* visitor or agent number */
	int state;
	int dirty;		/* on the flush list */
	int nsubs;		/* redis: subscribe confirmations seen */
	int nwant;		/* redis: channels to subscribe */
	int64_t chat;		/* visitor: its chat (kefu id or index) */
	int ws;			/* WebSocket visitor: 1 upgrading, 2 open */
	struct bbuf in, out;
	struct bbuf stage;	/* WebSocket: a line until its '\n' */
};

struct bchat {
	int v, a;		/* connection indexes, -1 until known */
	int vready, aready;
	int inflight[2];	/* messages sent by a side, not yet received */
	int next_side;
};

struct bench {
	int mode;
	int port;
	int ws_port;		/* -H: visitors over kefud's WebSocket door */
	int nvis, nag;
	double rate;		/* messages per second offered, 0 = max */
	double duration;	/* seconds of measured load */
	double warmup;
	int window;		/* max mode: in-flight messages per chat side */
	int msgsize;
	const char *password;
	int server_pid;

	struct bconn *conns;	/* agents first, then visitors */
	int nconns;
	struct bchat *chats;	/* kefu: by chat id; others: by visitor */
	int64_t nchats;

	/* counters */
	long long sent, delivered, acks, errors, closed;
	long long bytes_in, bytes_out;
	int64_t t_measure0, t_measure1;	/* ns, CLOCK_MONOTONIC */
	uint32_t *lat;			/* latencies in microseconds */
	size_t nlat, latcap;
};

extern struct bench B;

int64_t bench_now_ns(void);
int bench_out_append(struct bconn *c, const char *s, size_t n);
int bench_raw_append(struct bconn *c, const char *s, size_t n);
int bench_buf_add(struct bbuf *b, const char *s, size_t n);
void bench_mark_dirty(struct bconn *c);
struct bchat *bench_chat_get(int64_t id, int create);
void bench_deliver(struct bconn *c, const char *line, size_t len);

/* bench_proto.c: protocol adapters */
int proto_hello(struct bconn *c);
void proto_line(struct bconn *c, char *line, size_t len);
int proto_send(struct bconn *c, int64_t chat, const char *payload, size_t plen);
int proto_chat_ready(const struct bchat *ch);

/* bench_ws.c: WebSocket visitors */
int bws_upgrade(struct bconn *c);
int bws_append(struct bconn *c, const char *s, size_t n);
int bws_input(struct bconn *c);

#endif
