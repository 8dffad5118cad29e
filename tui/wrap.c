/*
 * wrap.c - UTF-8 decoding, cell widths and line wrapping for the console.
 *
 * Why our own decoder: text from the server is untrusted, and the console
 * must show something sane for every byte sequence without depending on
 * the process locale's error handling. Widths come from wcwidth(), which
 * needs a UTF-8 LC_CTYPE (main.c makes sure of that).
 *
 * Invisible formatting characters (bidi overrides and isolates, zero-width
 * spaces and joiners, the BOM, tag characters) have width 0 and would reach
 * the terminal raw: "Support<RLO>nimda" shows as "Supportadmin". The
 * decoder spells each out as a visible "<U+202E>" instead (wrap_hidden()).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wrap.h"

#define REPLACEMENT ((wchar_t)0xFFFD)

int
wrap_cwidth(wchar_t c)
{
	int w;

	if (c == L'\n')
		return 0;
	w = wcwidth(c);
	if (w < 0)
		return 1;	/* shown as U+FFFD by the decoder anyway */
	return w > 2 ? 2 : w;
}

/* Decode one UTF-8 sequence at s (len bytes left); returns bytes used. */
static size_t
decode_one(const unsigned char *s, size_t len, unsigned long *cp)
{
	unsigned long c = s[0], min;
	size_t need, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xE0) == 0xC0) {
		need = 1; c &= 0x1F; min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		need = 2; c &= 0x0F; min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		need = 3; c &= 0x07; min = 0x10000;
	} else {
		*cp = REPLACEMENT;
		return 1;
	}
	if (need >= len) {
		*cp = REPLACEMENT;
		return 1;
	}
	for (i = 1; i <= need; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*cp = REPLACEMENT;
			return 1;
		}
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		c = REPLACEMENT;
	*cp = c;
	return need + 1;
}

int
wrap_hidden(unsigned long cp)
{
	return cp == 0x061C ||			/* Arabic letter mark */
	    cp == 0x180E ||			/* Mongolian vowel separator */
	    (cp >= 0x200B && cp <= 0x200F) ||	/* zero-width, LRM, RLM */
	    (cp >= 0x202A && cp <= 0x202E) ||	/* embeddings, overrides */
	    (cp >= 0x2060 && cp <= 0x2064) ||	/* word joiner, invisibles */
	    (cp >= 0x2066 && cp <= 0x206F) ||	/* isolates, deprecated */
	    cp == 0xFEFF ||			/* BOM, zero-width no-break */
	    (cp >= 0xFFF9 && cp <= 0xFFFB) ||	/* annotation controls */
	    (cp >= 0xE0000 && cp <= 0xE007F);	/* tag characters */
}

size_t
wrap_placeholder(unsigned long cp, wchar_t *out)
{
	static const char hex[] = "0123456789ABCDEF";
	int digits = cp > 0xFFFF ? 5 : 4;
	size_t n = 0;

	out[n++] = L'<';
	out[n++] = L'U';
	out[n++] = L'+';
	for (int i = digits - 1; i >= 0; i--)
		out[n++] = (wchar_t)hex[(cp >> (4 * i)) & 0xF];
	out[n++] = L'>';
	return n;
}

static wchar_t
sanitize(unsigned long cp, int keep_nl)
{
	wchar_t c = (wchar_t)cp;

	if (c == L'\n')
		return keep_nl ? c : L' ';
	if (c == L'\t')
		return L' ';
	if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
		return REPLACEMENT;
	if (wcwidth(c) < 0)
		return REPLACEMENT;
	return c;
}

wchar_t *
wrap_decode(const char *utf8, size_t len, size_t *n, int keep_nl)
{
	const unsigned char *s = (const unsigned char *)utf8;
	wchar_t *out;
	size_t i = 0, o = 0;

	/* a hidden character (3 or 4 bytes) becomes at most 9: < 3 per byte */
	if (len > (SIZE_MAX / sizeof(*out) - 1) / 3)
		return NULL;
	out = malloc((3 * len + 1) * sizeof(*out));
	if (out == NULL)
		return NULL;
	while (i < len) {
		unsigned long cp;

		i += decode_one(s + i, len - i, &cp);
		if (wrap_hidden(cp))
			o += wrap_placeholder(cp, out + o);
		else
			out[o++] = sanitize(cp, keep_nl);
	}
	out[o] = L'\0';
	if (n != NULL)
		*n = o;
	return out;
}

char *
wrap_encode(const wchar_t *s, size_t n)
{
	char *out = malloc(n * 4 + 1), *p;

	if (out == NULL)
		return NULL;
	p = out;
	for (size_t i = 0; i < n; i++) {
		unsigned long c = (unsigned long)s[i];

		if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
			c = 0xFFFD;
		if (c < 0x80) {
			*p++ = (char)c;
		} else if (c < 0x800) {
			*p++ = (char)(0xC0 | (c >> 6));
			*p++ = (char)(0x80 | (c & 0x3F));
		} else if (c < 0x10000) {
			*p++ = (char)(0xE0 | (c >> 12));
			*p++ = (char)(0x80 | ((c >> 6) & 0x3F));
			*p++ = (char)(0x80 | (c & 0x3F));
		} else {
			*p++ = (char)(0xF0 | (c >> 18));
			*p++ = (char)(0x80 | ((c >> 12) & 0x3F));
			*p++ = (char)(0x80 | ((c >> 6) & 0x3F));
			*p++ = (char)(0x80 | (c & 0x3F));
		}
	}
	*p = '\0';
	return out;
}

int
wrap_width(const wchar_t *s, size_t n)
{
	int w = 0;

	for (size_t i = 0; i < n; i++)
		w += wrap_cwidth(s[i]);
	return w;
}

int
wrap_pad_utf8(char *out, size_t outsz, const char *s, int cells)
{
	size_t n;
	wchar_t *w = wrap_decode(s, strlen(s), &n, 0);
	int width;

	if (w == NULL) {
		snprintf(out, outsz, "%s", s);
		return -1;
	}
	width = wrap_width(w, n);
	free(w);
	snprintf(out, outsz, "%s%*s", s, cells > width ? cells - width : 0, "");
	return width;
}

size_t
wrap_fit(const wchar_t *s, size_t n, int width, int *used)
{
	int w = 0;
	size_t i;

	for (i = 0; i < n && s[i] != L'\n'; i++) {
		int cw = wrap_cwidth(s[i]);

		if (w + cw > width)
			break;
		w += cw;
	}
	if (used != NULL)
		*used = w;
	return i;
}

static void
store(struct wrap_seg *out, size_t max, size_t k, size_t off, size_t len,
    const wchar_t *s)
{
	if (k < max) {
		out[k].off = off;
		out[k].len = len;
		out[k].width = wrap_width(s + off, len);
	}
}

size_t
wrap_lines(const wchar_t *s, size_t n, int width, struct wrap_seg *out,
    size_t max)
{
	size_t k = 0, pos = 0;

	if (width < 1)
		width = 1;
	while (pos < n || k == 0) {
		int used;
		size_t fit = wrap_fit(s + pos, n - pos, width, &used), len = fit;
		size_t next;

		if (pos + fit < n && s[pos + fit] == L'\n') {
			next = pos + fit + 1;	/* hard break */
		} else if (pos + fit >= n) {
			next = n;
		} else {
			/* soft break: back up to the last space, if any */
			size_t b = fit;

			while (b > 0 && s[pos + b - 1] != L' ')
				b--;
			/* between CJK characters a line may break anywhere, so
			 * only a break inside a word of narrow letters backs up */
			if (b > 0 && s[pos + fit] != L' ' &&
			    wrap_cwidth(s[pos + fit]) < 2 &&
			    wrap_cwidth(s[pos + fit - 1]) < 2)
				len = b;
			if (len == 0)
				len = 1;	/* a char wider than the pane */
			next = pos + len;
			while (next < n && s[next] == L' ')
				next++;
			while (len > 1 && s[pos + len - 1] == L' ')
				len--;
		}
		store(out, max, k, pos, len, s);
		k++;
		pos = next;
		if (pos >= n)
			break;
	}
	return k;
}
