/*
 * wrap.h - measuring and wrapping text by terminal cells, not bytes.
 *
 * Everything the console shows comes from the network as UTF-8. A Chinese
 * character takes two cells, a combining accent none, and a control byte
 * must never reach the terminal. These helpers decode UTF-8 into sanitized
 * wide strings, measure them with wcwidth(), and cut them into lines that
 * fit a pane. They use no curses, so the unit test can check them directly.
 */
#ifndef KEFU_WRAP_H
#define KEFU_WRAP_H

#include <stddef.h>
#include <wchar.h>

/* A line segment of a wrapped text: s[off .. off+len) takes width cells. */
struct wrap_seg {
	size_t off, len;
	int width;
};

/* Cell width of one (sanitized) character: 0, 1 or 2. */
int wrap_cwidth(wchar_t c);

/*
 * 1 for the invisible formatting characters that must never reach the
 * terminal raw: bidi controls (U+061C, U+200E-F, U+202A-E, U+2066-9),
 * zero-width characters (U+200B-D, U+2060-4, U+180E), U+FEFF, the
 * deprecated format controls U+206A-F, U+FFF9-B and tags U+E0000-7F.
 */
int wrap_hidden(unsigned long cp);

/*
 * Write the visible stand-in for cp, "<U+202E>" (8 characters, or 9 above
 * U+FFFF), to out (room for WRAP_PLACEHOLDER_MAX); returns its length.
 */
#define WRAP_PLACEHOLDER_MAX 9
size_t wrap_placeholder(unsigned long cp, wchar_t *out);

/*
 * Decode UTF-8 into a new NUL-terminated wide string (*n characters).
 * Invalid bytes become U+FFFD, tabs become spaces, other control
 * characters (and non-printable ones) become U+FFFD; '\n' is kept only if
 * keep_nl is set, else it becomes a space. Hidden characters (wrap_hidden)
 * are spelt out as "<U+XXXX>". Returns NULL on memory error.
 */
wchar_t *wrap_decode(const char *utf8, size_t len, size_t *n, int keep_nl);

/* Encode wide characters as a new UTF-8 string; NULL on memory error. */
char *wrap_encode(const wchar_t *s, size_t n);

/* Width in cells of s[0..n). */
int wrap_width(const wchar_t *s, size_t n);

/*
 * Copy UTF-8 s to out (room for outsz bytes, cut short if it has none)
 * followed by spaces up to cells terminal cells, as printf's %-*s does
 * for bytes: so a column after a Chinese name lines up. Returns the width
 * of s in cells, or -1 on memory error (out then holds s unpadded).
 */
int wrap_pad_utf8(char *out, size_t outsz, const char *s, int cells);

/* How many characters of s[0..n) fit in width cells; *used gets the width. */
size_t wrap_fit(const wchar_t *s, size_t n, int width, int *used);

/*
 * Cut s[0..n) into lines of at most width cells, breaking after spaces
 * when a word would not fit and anywhere inside long words (and between
 * CJK characters). '\n' always breaks. Up to max segments are stored in
 * out; the return value is the total number of lines (at least 1).
 */
size_t wrap_lines(const wchar_t *s, size_t n, int width,
    struct wrap_seg *out, size_t max);

#endif
