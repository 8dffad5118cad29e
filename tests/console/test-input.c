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
	test_wrap();
	test_edit();
	test_view();
	return tap_done();
}
