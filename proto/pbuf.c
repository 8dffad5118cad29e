/*
 * pbuf.c - a growable byte buffer and the builders for reply/event lines.
 *
 * Every line the server sends is built with these helpers, so escaping is
 * never forgotten: free text goes through proto_put_text, values through
 * proto_put_kv, and both escape newlines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

void
pbuf_init(struct pbuf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
}

void
pbuf_free(struct pbuf *b)
{
	free(b->data);
	pbuf_init(b);
}

int
pbuf_reserve(struct pbuf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (extra > SIZE_MAX / 2 - b->len)
		return -1;
	need = b->len + extra;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	p = realloc(b->data, cap);
	if (p == NULL)
		return -1;
	b->data = p;
	b->cap = cap;
	return 0;
}

int
pbuf_add(struct pbuf *b, const void *p, size_t n)
{
	if (n == 0)
		return 0;
	if (pbuf_reserve(b, n) < 0)
		return -1;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

int
pbuf_adds(struct pbuf *b, const char *s)
{
	return pbuf_add(b, s, strlen(s));
}

int
pbuf_vprintf(struct pbuf *b, const char *fmt, va_list ap)
{
	va_list aq;
	size_t room;
	int n;

	/* one pass when the text fits the free room (nearly always), a
	 * second only after growing the buffer */
	if (pbuf_reserve(b, 64) < 0)
		return -1;
	room = b->cap - b->len;
	va_copy(aq, ap);
	n = vsnprintf(b->data + b->len, room, fmt, aq);
	va_end(aq);
	if (n < 0)
		return -1;
	if ((size_t)n >= room) {
		if (pbuf_reserve(b, (size_t)n + 1) < 0)
			return -1;
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	}
	b->len += (size_t)n;
	return 0;
}

/* A decimal integer without printf (the hot event and reply lines). */
int
pbuf_put_int(struct pbuf *b, long long v)
{
	char tmp[24], *p = tmp + sizeof(tmp);
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v :
	    (unsigned long long)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	return pbuf_add(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

int
pbuf_printf(struct pbuf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = pbuf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

void
pbuf_consume(struct pbuf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
}

int
proto_put_tag(struct pbuf *b, const char *tag)
{
	if (tag == NULL)
		return 0;
	if (pbuf_add(b, "@", 1) < 0 || pbuf_adds(b, tag) < 0)
		return -1;
	return pbuf_add(b, " ", 1);
}

int
proto_put_word(struct pbuf *b, const char *w)
{
	if (b->len > 0 && b->data[b->len - 1] != '\n' &&
	    b->data[b->len - 1] != ' ' && pbuf_add(b, " ", 1) < 0)
		return -1;
	return pbuf_adds(b, w);
}

int
proto_put_kv(struct pbuf *b, const char *k, const char *v)
{
	if (pbuf_printf(b, " %s=", k) < 0)
		return -1;
	if (v == NULL)
		return 0;
	return proto_escape(b, v, strlen(v), 1);
}

int
proto_put_kvi(struct pbuf *b, const char *k, long long v)
{
	if (pbuf_add(b, " ", 1) < 0 || pbuf_adds(b, k) < 0 ||
	    pbuf_add(b, "=", 1) < 0)
		return -1;
	return pbuf_put_int(b, v);
}

int
proto_put_text(struct pbuf *b, const char *t, size_t n)
{
	if (pbuf_add(b, " :", 2) < 0)
		return -1;
	return proto_escape(b, t ? t : "", t ? n : 0, 0);
}

int
proto_put_end(struct pbuf *b)
{
	return pbuf_add(b, "\n", 1);
}
