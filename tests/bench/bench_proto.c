/*
 * bench_proto.c - the three wire protocols kefubench can drive with the same
 * message pattern: kefu (HELLO/SAY, LOGIN/MSG), Redis pub/sub over RESP3
 * (each chat a channel both sides subscribe to, so the sender also gets its
 * own copy, as in kefu) and IRC (each chat a private message pair).
 *
 * Every message carries a payload "~T<ns>~<side><chat>~xxx..." so that the
 * receiving side can compute latency and credit the right chat no matter
 * how the protocol wraps it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static int
outf(struct bconn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
outf(struct bconn *c, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -1;
	return bench_out_append(c, tmp, (size_t)n);
}

/* Redis: one RESP array of bulk strings. */
static int
resp_cmd(struct bconn *c, int argc, const char **argv, const size_t *lens)
{
	if (outf(c, "*%d\r\n", argc) < 0)
		return -1;
	for (int i = 0; i < argc; i++) {
		if (outf(c, "$%zu\r\n", lens[i]) < 0 ||
		    bench_out_append(c, argv[i], lens[i]) < 0 ||
		    bench_out_append(c, "\r\n", 2) < 0)
			return -1;
	}
	return 0;
}

static int
redis_subscribe(struct bconn *c)
{
	char name[32];
	int n = 0;

	if (c->side == SIDE_VISITOR) {
		snprintf(name, sizeof(name), "c%d", c->idx);
		c->nwant = 1;
		return outf(c, "SUBSCRIBE %s\r\n", name);
	}
	/* an agent takes chats idx, idx+nag, idx+2*nag, ... */
	for (int k = c->idx; k < B.nvis; k += B.nag)
		n++;
	c->nwant = n;
	if (n == 0)
		return 0;
	if (bench_out_append(c, "SUBSCRIBE", 9) < 0)
		return -1;
	for (int k = c->idx; k < B.nvis; k += B.nag)
		if (outf(c, " c%d", k) < 0)
			return -1;
	return bench_out_append(c, "\r\n", 2);
}

int
proto_hello(struct bconn *c)
{
	switch (B.mode) {
	case BM_KEFU:
		if (c->side == SIDE_AGENT)
			return outf(c, "LOGIN bench%d :%s\n", c->idx, B.password);
		return outf(c, "HELLO name=v%d group=sales :bench\n", c->idx);
	case BM_REDIS:
		if (outf(c, "HELLO 3\r\n") < 0)
			return -1;
		return redis_subscribe(c);
	default:
		return outf(c, "NICK %c%d\r\nUSER b%d 0 * :bench\r\n",
		    c->side == SIDE_AGENT ? 'a' : 'v', c->idx, c->idx);
	}
}

/* Static mapping for redis and irc: chat k = visitor k, agent k % nag. */
static void
static_ready(struct bconn *c)
{
	c->state = BS_READY;
	if (c->side == SIDE_VISITOR) {
		struct bchat *ch = bench_chat_get(c->idx, 1);

		if (ch == NULL)
			return;
		c->chat = c->idx;
		ch->v = (int)(c - B.conns);
		ch->vready = 1;
		return;
	}
	for (int k = c->idx; k < B.nvis; k += B.nag) {
		struct bchat *ch = bench_chat_get(k, 1);

		if (ch == NULL)
			return;
		ch->a = (int)(c - B.conns);
		ch->aready = 1;
	}
}

static int64_t
num_after(const char *line, const char *key)
{
	const char *p = strstr(line, key);

	return p ? strtoll(p + strlen(key), NULL, 10) : -1;
}

static void
kefu_line(struct bconn *c, char *line, size_t len)
{
	struct bchat *ch;
	int64_t id;

	if (strncmp(line, "* MSG ", 6) == 0) {
		bench_deliver(c, line, len);
		return;
	}
	if (strncmp(line, "OK seq=", 7) == 0) {
		B.acks++;
		return;
	}
	if (strncmp(line, "ERR ", 4) == 0) {
		if (B.errors++ < 5)
			fprintf(stderr, "kefubench: %s%d: %s\n", c->side ? "a" : "v",
			    c->idx, line);
		return;
	}
	if (c->side == SIDE_AGENT && strncmp(line, "OK name=", 8) == 0) {
		c->state = BS_READY;
		return;
	}
	if (c->side == SIDE_AGENT && strncmp(line, "* ASSIGN ", 9) == 0) {
		id = strtoll(line + 9, NULL, 10);
		if ((ch = bench_chat_get(id, 1)) != NULL) {
			ch->a = (int)(c - B.conns);
			ch->aready = 1;
		}
		return;
	}
	if (c->side == SIDE_VISITOR && strncmp(line, "OK visitor=", 11) == 0) {
		id = num_after(line, "chat=");
		if ((ch = bench_chat_get(id, 1)) != NULL) {
			c->chat = id;
			ch->v = (int)(c - B.conns);
			c->state = BS_READY;
		}
		return;
	}
	if (c->side == SIDE_VISITOR && strncmp(line, "* ASSIGNED ", 11) == 0) {
		id = strtoll(line + 11, NULL, 10);
		if ((ch = bench_chat_get(id, 1)) != NULL)
			ch->vready = 1;
	}
}

static void
redis_line(struct bconn *c, char *line, size_t len)
{
	if (line[0] == '~' && line[1] == 'T') {
		bench_deliver(c, line, len);
		return;
	}
	if (line[0] == ':' && c->state == BS_READY) {
		B.acks++;	/* PUBLISH reply: number of receivers */
		return;
	}
	if (line[0] == '-') {
		if (B.errors++ < 5)
			fprintf(stderr, "kefubench: redis: %s\n", line);
		return;
	}
	if (strcmp(line, "subscribe") == 0 && ++c->nsubs == c->nwant)
		static_ready(c);
}

static void
irc_line(struct bconn *c, char *line, size_t len)
{
	const char *sp;

	if (strncmp(line, "PING ", 5) == 0) {
		line[1] = 'O';
		(void)bench_out_append(c, line, len);
		(void)bench_out_append(c, "\r\n", 2);
		bench_mark_dirty(c);
		return;
	}
	if (strstr(line, " PRIVMSG ") != NULL) {
		bench_deliver(c, line, len);
		return;
	}
	sp = strchr(line, ' ');
	if (sp && strncmp(sp, " 001 ", 5) == 0 && c->state != BS_READY) {
		static_ready(c);
		return;
	}
	if (line[0] == 'E' && strncmp(line, "ERROR", 5) == 0 && B.errors++ < 5)
		fprintf(stderr, "kefubench: irc: %s\n", line);
}

void
proto_line(struct bconn *c, char *line, size_t len)
{
	if (len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';
	if (B.mode == BM_KEFU)
		kefu_line(c, line, len);
	else if (B.mode == BM_REDIS)
		redis_line(c, line, len);
	else
		irc_line(c, line, len);
}

int
proto_send(struct bconn *c, int64_t chat, const char *payload, size_t plen)
{
	char name[32];
	const char *argv[3];
	size_t lens[3];
	struct bchat *ch;
	int n;

	switch (B.mode) {
	case BM_KEFU:
		if (c->side == SIDE_VISITOR) {
			if (bench_out_append(c, "SAY :", 5) < 0)
				return -1;
		} else if (outf(c, "MSG %lld :", (long long)chat) < 0)
			return -1;
		if (bench_out_append(c, payload, plen) < 0)
			return -1;
		return bench_out_append(c, "\n", 1);
	case BM_REDIS:
		n = snprintf(name, sizeof(name), "c%lld", (long long)chat);
		argv[0] = "PUBLISH";
		lens[0] = 7;
		argv[1] = name;
		lens[1] = (size_t)n;
		argv[2] = payload;
		lens[2] = plen;
		return resp_cmd(c, 3, argv, lens);
	default:
		ch = bench_chat_get(chat, 0);
		if (ch == NULL)
			return -1;
		if (c->side == SIDE_VISITOR)
			n = outf(c, "PRIVMSG a%d :", B.conns[ch->a].idx);
		else
			n = outf(c, "PRIVMSG v%d :", B.conns[ch->v].idx);
		if (n < 0 || bench_out_append(c, payload, plen) < 0)
			return -1;
		return bench_out_append(c, "\r\n", 2);
	}
}

int
proto_chat_ready(const struct bchat *ch)
{
	return ch->v >= 0 && ch->a >= 0 && ch->vready && ch->aready &&
	    B.conns[ch->v].state == BS_READY && B.conns[ch->a].state == BS_READY;
}
