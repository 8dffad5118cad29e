/*
 * escape.c - UTF-8 validation and the backslash escapes of the wire format.
 *
 * Everything a person typed travels as one line: newlines become "\n", so a
 * visitor cannot end a message early and write "* MSG ..." lines that an
 * agent's console would believe came from the server.
 */
#include <stdint.h>
#include <string.h>

#include "proto.h"

#define ONES	0x0101010101010101ull
#define HIGHS	0x8080808080808080ull

/* Whether the 8 bytes in w are all printable ASCII or TAB, the common case,
 * tested at once: no high bit, no byte under 0x20, no 0x7f. A word with a
 * TAB (or anything else) fails and goes through the byte loop. */
static int
word_plain(uint64_t w)
{
	uint64_t del = w ^ (0x7f * ONES);

	return ((w | ((w - 0x20 * ONES) & ~w) | ((del - ONES) & ~del)) &
	    HIGHS) == 0;
}

/* Whether the 8 bytes in w hold one that text escaping changes: NUL, LF,
 * CR or a backslash (each test: a byte equal to c becomes zero). */
static int
word_special(uint64_t w)
{
	uint64_t nl = w ^ ('\n' * ONES), cr = w ^ ('\r' * ONES);
	uint64_t bs = w ^ ('\\' * ONES);

	return ((((w - ONES) & ~w) | ((nl - ONES) & ~nl) | ((cr - ONES) & ~cr) |
	    ((bs - ONES) & ~bs)) & HIGHS) != 0;
}

int
proto_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		unsigned c;
		unsigned cp;
		size_t n, k;
		uint64_t w;

		if (len - i >= 8) {
			memcpy(&w, s + i, 8);
			if (word_plain(w)) {
				i += 8;
				continue;
			}
		}
		c = s[i];
		if (c < 0x80) {
			if ((c < 0x20 && c != '\t') || c == 0x7f)
				return 0;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else
			return 0;
		if (len - i <= n)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		/* overlongs, surrogates, beyond U+10FFFF */
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		/* C1 controls */
		if (cp >= 0x80 && cp <= 0x9f)
			return 0;
		i += n + 1;
	}
	return 1;
}

size_t
proto_unescape(char *s, size_t len)
{
	size_t r = 0, w = 0;

	while (r < len) {
		if (s[r] == '\\' && r + 1 < len) {
			char e = s[r + 1], out;

			switch (e) {
			case 'n': out = '\n'; break;
			case 't': out = '\t'; break;
			case 's': out = ' '; break;
			case ':': out = ':'; break;
			case '\\': out = '\\'; break;
			default: out = 0; break;
			}
			if (out) {
				s[w++] = out;
				r += 2;
				continue;
			}
		}
		s[w++] = s[r++];
	}
	if (w < len)
		s[w] = '\0';
	return w;
}

int
proto_escape(struct pbuf *out, const char *s, size_t len, int word)
{
	size_t i, start = 0, base = out->len;

	if (pbuf_reserve(out, len + 8) < 0)
		return -1;
	for (i = 0; i < len; i++) {
		const char *rep = NULL;
		uint64_t w;

		/* text: runs of 8 bytes with nothing to change, at once */
		if (!word && len - i >= 8) {
			memcpy(&w, s + i, 8);
			if (!word_special(w)) {
				i += 7;
				continue;
			}
		}
		switch (s[i]) {
		case '\n': rep = "\\n"; break;
		case '\r':	/* dropped: "\r\n" pasted by a client is one newline */
			if (pbuf_add(out, s + start, i - start) < 0)
				return -1;
			start = i + 1;
			continue;
		case '\t': rep = word ? "\\t" : NULL; break;
		case '\\': rep = "\\\\"; break;
		case ' ': rep = word ? "\\s" : NULL; break;
		case ':':	/* first in the output, even after dropped CRs */
			rep = (word && start == i && out->len == base) ?
			    "\\:" : NULL;
			break;
		case '\0': rep = "\\n"; break;
		default: break;
		}
		if (rep == NULL)
			continue;
		if (pbuf_add(out, s + start, i - start) < 0 ||
		    pbuf_add(out, rep, 2) < 0)
			return -1;
		start = i + 1;
	}
	return pbuf_add(out, s + start, len - start);
}
