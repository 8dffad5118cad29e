/*
 * test-input.c - unit tests for the console's line editor and the
 * cell-width wrapping code (tui/input.c, tui/wrap.c): CJK text must be
 * measured in cells, wrapped without splitting a character, and edited
 * by character, never by byte.
 */
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tap.h"
#include "input.h"
#include "wrap.h"

static wchar_t *
dec(const char *s, size_t *n)
{
	return wrap_decode(s, strlen(s), n, 1);
}

/* Padding to cells, so that columns after Chinese names line up. */
static void
test_pad(void)
{
	char out[64];

	is_int(wrap_pad_utf8(out, sizeof(out), "小王 (bob)", 14), 10,
	    "pad: the width of a CJK name in cells");
	ok(strcmp(out, "小王 (bob)    ") == 0, "pad: 4 spaces to 14 cells, not 2 as by bytes");
	(void)wrap_pad_utf8(out, sizeof(out), "Carol (carol)", 14);
	ok(strcmp(out, "Carol (carol) ") == 0, "pad: ASCII as printf would");
	(void)wrap_pad_utf8(out, sizeof(out), "管理员管理员管理员", 4);
	ok(strcmp(out, "管理员管理员管理员") == 0, "pad: wider than asked: no spaces, not cut");
	(void)wrap_pad_utf8(out, 8, "abc", 20);
	ok(strlen(out) == 7, "pad: never past the buffer");
}

static void
test_width(void)
{
	size_t n;
	wchar_t *w = dec("ab中文😀", &n);
	int used;

	is_int(n, 5, "decode: 5 characters from mixed UTF-8");
	is_int(wrap_width(w, n), 8, "width: ascii 1 + CJK 2 + emoji 2");
	is_int(wrap_fit(w, n, 3, &used), 2, "fit: a wide char never straddles the edge");
	is_int(used, 2, "fit: reports the cells used");
	free(w);
	w = dec("a\x01\xff" "b\tc", &n);
	is_int(n, 6, "decode: each bad byte becomes one char");
	ok(w[1] == 0xFFFD && w[2] == 0xFFFD, "decode: control and invalid bytes are replaced");
	ok(w[3] == L'b' && w[4] == L' ', "decode: tab becomes a space");
	is_int(wrap_width(w, n), 6, "decode: replaced text has a sane width");
	free(w);
}

static void
test_wrap(void)
{
	struct wrap_seg seg[16];
	size_t n, k;
	wchar_t *w = dec("hello big world", &n);

	k = wrap_lines(w, n, 10, seg, 16);
	is_int(k, 2, "wrap: breaks at a space");
	is_int(seg[0].len, 9, "wrap: first line is 'hello big'");
	is_int(seg[1].off, 10, "wrap: second line starts at 'world'");
	free(w);

	w = dec("我的订单还没有到", &n);
	k = wrap_lines(w, n, 5, seg, 16);
	is_int(k, 4, "wrap: 8 CJK chars in 5 cells make 4 lines of 2");
	is_int(seg[0].width, 4, "wrap: CJK line width 4 <= 5");
	free(w);

	/* after "name: " a long Chinese message starts on the same line,
	 * as a long English one does */
	w = dec("张三: 我的订单还没有到请帮忙查一下", &n);
	k = wrap_lines(w, n, 20, seg, 16);
	is_int(seg[0].len > 4, 1, "wrap: CJK after a space fills the first line");
	is_int(seg[0].width, 20, "wrap: the first line is full (20 cells)");
	free(w);
	w = dec("Ann: pleasecheckmyorder now", &n);
	k = wrap_lines(w, n, 20, seg, 16);
	is_int(seg[0].len, 4, "wrap: a long narrow word still moves to the next line");
	free(w);

	w = dec("a\nb", &n);
	is_int(wrap_lines(w, n, 20, seg, 16), 2, "wrap: newline breaks");
	free(w);
	w = dec("", &n);
	is_int(wrap_lines(w, n, 20, seg, 16), 1, "wrap: empty text is one line");
	free(w);
	w = dec("abcdefghij", &n);
	is_int(wrap_lines(w, n, 4, seg, 16), 3, "wrap: long word is cut");
	is_int(wrap_lines(w, n, 0, seg, 16), 10, "wrap: zero width does not hang");
	free(w);
}

static void
test_edit(void)
{
	struct input in;
	char *s;

	input_init(&in);
	ok(input_insert_utf8(&in, "你好 world") == 0, "edit: insert UTF-8");
	is_int(in.len, 8, "edit: length in characters");
	input_home(&in);
	input_right(&in);
	input_delete(&in);
	s = input_utf8(&in);
	is_str(s, "你 world", "edit: delete removes one whole CJK char");
	free(s);
	input_end(&in);
	input_kill_word(&in);
	s = input_utf8(&in);
	is_str(s, "你 ", "edit: Ctrl-W deletes the previous word");
	free(s);
	input_backspace(&in);
	input_backspace(&in);
	ok(input_empty(&in), "edit: backspace to empty");
	input_backspace(&in);
	ok(input_empty(&in), "edit: backspace on empty is harmless");

	(void)input_set_utf8(&in, "first");
	input_history_add(&in, "first");
	input_clear(&in);
	(void)input_set_utf8(&in, "second");
	input_history_add(&in, "second");
	(void)input_set_utf8(&in, "draft");
	input_history_prev(&in);
	s = input_utf8(&in);
	is_str(s, "second", "history: Up gives the last line");
	free(s);
	input_history_prev(&in);
	input_history_prev(&in);
	s = input_utf8(&in);
	is_str(s, "first", "history: Up stops at the oldest");
	free(s);
	input_history_next(&in);
	input_history_next(&in);
	s = input_utf8(&in);
	is_str(s, "draft", "history: Down returns to the draft");
	free(s);
	input_free(&in);
}

/* decode s for display and encode it back: what the terminal would get */
static char *
shown(const char *s)
{
	size_t n;
	wchar_t *w = dec(s, &n);
	char *out = w ? wrap_encode(w, n) : NULL;

	free(w);
	return out;
}

/* issue 15 item 10: invisible formatting characters are spelt out */
static void
test_hidden(void)
{
	static const struct { const char *in, *out, *what; } cases[] = {
		{ "Support\u202Enimda", "Support<U+202E>nimda", "RLO (right-to-left override)" },
		{ "a\u202Ab\u202Bc\u202Cd\u202De", "a<U+202A>b<U+202B>c<U+202C>d<U+202D>e",
		  "LRE, RLE, PDF, LRO" },
		{ "\u2066x\u2067y\u2068z\u2069", "<U+2066>x<U+2067>y<U+2068>z<U+2069>",
		  "isolates LRI, RLI, FSI, PDI" },
		{ "ad\u200Bmin\u200C\u200D\u200E\u200F",
		  "ad<U+200B>min<U+200C><U+200D><U+200E><U+200F>", "zero-width, LRM, RLM" },
		{ "\u2060word\uFEFF", "<U+2060>word<U+FEFF>", "word joiner and BOM" },
		{ "\u061C\U000E0041", "<U+061C><U+E0041>", "Arabic letter mark, tag A" },
		{ "中文 é \u00AD ok", "中文 é \u00AD ok", "visible text is untouched" },
	};
	char *s;
	size_t n;
	wchar_t *w;
	struct input in;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = shown(cases[i].in);
		is_str(s, cases[i].out, "hidden: %s", cases[i].what);
		free(s);
	}
	w = dec("Support\u202Enimda", &n);
	is_int(wrap_width(w, n), 20, "hidden: the placeholder has its full width");
	free(w);
	ok(wrap_hidden(0x202E) && wrap_hidden(0xFEFF) && wrap_hidden(0x200B) &&
	    !wrap_hidden(0x2010) && !wrap_hidden(0x4E2D) && !wrap_hidden('a'),
	    "hidden: wrap_hidden() knows which are which");
	/* a long run of them: the decoder's buffer is big enough */
	{
		char big[3 * 500 + 1];
		int bad = 0;

		for (int i = 0; i < 500; i++)
			memcpy(big + 3 * i, "\xEF\xBB\xBF", 3);
		big[sizeof(big) - 1] = '\0';
		w = dec(big, &n);
		is_int(n, 500 * 8, "hidden: 500 BOMs become 500 placeholders");
		for (size_t i = 0; w != NULL && i < n; i++)
			bad += wrap_hidden((unsigned long)w[i]);
		ok(w != NULL && bad == 0, "hidden: none is left raw");
		free(w);
	}

	/* typed into the input line: spelt out there too */
	input_init(&in);
	(void)input_insert(&in, L'x');
	(void)input_insert(&in, (wchar_t)0x202E);
	(void)input_insert(&in, L'y');
	s = input_utf8(&in);
	is_str(s, "x<U+202E>y", "hidden: a typed RLO is spelt out in the input line");
	free(s);
	(void)input_set_utf8(&in, "r\u2067s");
	s = input_utf8(&in);
	is_str(s, "r<U+2067>s", "hidden: and in inserted text (quick replies)");
	free(s);
	input_free(&in);
}

static void
test_view(void)
{
	struct input in;
	size_t start, count;
	int col;

	input_init(&in);
	(void)input_insert_utf8(&in, "中文中文中文中文中文");	/* 20 cells */
	input_view(&in, 9, &start, &count, &col);
	ok(col <= 8, "view: cursor stays inside a narrow box (col %d)", col);
	ok(wrap_width(in.buf + start, count) <= 9, "view: shown text fits the box");
	input_home(&in);
	input_view(&in, 9, &start, &count, &col);
	is_int(start, 0, "view: Home scrolls back to the start");
	is_int(col, 0, "view: cursor at column 0");
	input_kill_to_end(&in);
	ok(input_empty(&in), "edit: Ctrl-K from start empties the line");
	input_free(&in);
}

int
main(void)
{
	if (setlocale(LC_ALL, "C.UTF-8") == NULL &&
	    setlocale(LC_ALL, "en_US.UTF-8") == NULL) {
		printf("1..0 # SKIP no UTF-8 locale\n");
		return 0;
	}
	test_width();
	test_pad();
	test_wrap();
	test_edit();
	test_hidden();
	test_view();
	return tap_done();
}
