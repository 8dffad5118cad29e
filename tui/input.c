/*
 * input.c - a small line editor over a wide-character buffer.
 *
 * Why not ncurses forms or readline: the input line shares the screen and
 * the event loop with network traffic, so it must never block, and it must
 * measure CJK text by cells. This is ~200 lines we fully control.
 */
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "wrap.h"

void
input_init(struct input *in)
{
	memset(in, 0, sizeof(*in));
}

void
input_free(struct input *in)
{
	free(in->buf);
	for (size_t i = 0; i < in->nhist; i++)
		free(in->hist[i]);
	free(in->draft);
	memset(in, 0, sizeof(*in));
}

static int
reserve(struct input *in, size_t need)
{
	wchar_t *nb;
	size_t cap = in->cap ? in->cap : 64;

	if (need + 1 <= in->cap)
		return 0;
	while (cap < need + 1)
		cap *= 2;
	nb = realloc(in->buf, cap * sizeof(*nb));
	if (nb == NULL)
		return -1;
	in->buf = nb;
	in->cap = cap;
	return 0;
}

static int
insert_one(struct input *in, wchar_t c)
{
	if (in->len >= INPUT_MAX || reserve(in, in->len + 1) < 0)
		return -1;
	memmove(in->buf + in->cur + 1, in->buf + in->cur,
	    (in->len - in->cur) * sizeof(wchar_t));
	in->buf[in->cur++] = c;
	in->len++;
	in->buf[in->len] = L'\0';
	return 0;
}

/*
 * A hidden character (a bidi override, say) goes in spelt out, as the
 * console shows it everywhere: what the agent sees is what is sent.
 */
int
input_insert(struct input *in, wchar_t c)
{
	wchar_t ph[WRAP_PLACEHOLDER_MAX];
	size_t n;
	int rc = 0;

	if (c < 0 || !wrap_hidden((unsigned long)c))
		return insert_one(in, c);
	n = wrap_placeholder((unsigned long)c, ph);
	if (in->len + n > INPUT_MAX)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = insert_one(in, ph[i]);
	return rc;
}

int
input_insert_utf8(struct input *in, const char *s)
{
	size_t n;
	wchar_t *w = wrap_decode(s, strlen(s), &n, 0);
	int rc = 0;

	if (w == NULL)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = input_insert(in, w[i]);
	free(w);
	return rc;
}

void input_left(struct input *in) { if (in->cur > 0) in->cur--; }
void input_right(struct input *in) { if (in->cur < in->len) in->cur++; }
void input_home(struct input *in) { in->cur = 0; }
void input_end(struct input *in) { in->cur = in->len; }

static void
cut(struct input *in, size_t from, size_t to)
{
	if (to <= from)
		return;
	memmove(in->buf + from, in->buf + to, (in->len - to) * sizeof(wchar_t));
	in->len -= to - from;
	if (in->cur > to)
		in->cur -= to - from;
	else if (in->cur > from)
		in->cur = from;
	if (in->buf != NULL)
		in->buf[in->len] = L'\0';
}

void
input_backspace(struct input *in)
{
	if (in->cur > 0)
		cut(in, in->cur - 1, in->cur);
}

void
input_delete(struct input *in)
{
	if (in->cur < in->len)
		cut(in, in->cur, in->cur + 1);
}

void
input_kill_word(struct input *in)
{
	size_t p = in->cur;

	while (p > 0 && in->buf[p - 1] == L' ')
		p--;
	while (p > 0 && in->buf[p - 1] != L' ')
		p--;
	cut(in, p, in->cur);
}

void input_kill_line(struct input *in) { cut(in, 0, in->cur); }
void input_kill_to_end(struct input *in) { cut(in, in->cur, in->len); }

void
input_clear(struct input *in)
{
	in->len = in->cur = in->scroll = 0;
	if (in->buf != NULL)
		in->buf[0] = L'\0';
}

int
input_set_utf8(struct input *in, const char *s)
{
	input_clear(in);
	return input_insert_utf8(in, s);
}

char *
input_utf8(const struct input *in)
{
	return wrap_encode(in->buf ? in->buf : L"", in->len);
}

int
input_empty(const struct input *in)
{
	return in->len == 0;
}

void
input_history_add(struct input *in, const char *line)
{
	char *copy;

	if (line[0] == '\0')
		return;
	if (in->nhist > 0 && strcmp(in->hist[in->nhist - 1], line) == 0) {
		in->hpos = in->nhist;
		return;
	}
	copy = strdup(line);
	if (copy == NULL)
		return;
	if (in->nhist == INPUT_HIST) {
		free(in->hist[0]);
		memmove(in->hist, in->hist + 1, (INPUT_HIST - 1) * sizeof(char *));
		in->nhist--;
	}
	in->hist[in->nhist++] = copy;
	in->hpos = in->nhist;
	free(in->draft);
	in->draft = NULL;
}

void
input_history_prev(struct input *in)
{
	if (in->hpos == 0)
		return;
	if (in->hpos == in->nhist) {
		free(in->draft);
		in->draft = input_utf8(in);
	}
	in->hpos--;
	(void)input_set_utf8(in, in->hist[in->hpos]);
}

void
input_history_next(struct input *in)
{
	if (in->hpos >= in->nhist)
		return;
	in->hpos++;
	if (in->hpos == in->nhist)
		(void)input_set_utf8(in, in->draft ? in->draft : "");
	else
		(void)input_set_utf8(in, in->hist[in->hpos]);
}

/* Cells of s[0..n) as the input box shows them: a newline is one cell. */
static int
box_width(const wchar_t *s, size_t n)
{
	int w = 0;

	for (size_t i = 0; i < n; i++)
		w += s[i] == L'\n' ? 1 : wrap_cwidth(s[i]);
	return w;
}

void
input_view(struct input *in, int width, size_t *start, size_t *count,
    int *curcol)
{
	const wchar_t *b = in->buf ? in->buf : L"";
	size_t k;
	int w = 0;

	if (width < 2)
		width = 2;
	if (in->scroll > in->cur)
		in->scroll = in->cur;
	/* keep the cursor (plus one cell for it) inside the box */
	while (box_width(b + in->scroll, in->cur - in->scroll) > width - 1)
		in->scroll++;
	*start = in->scroll;
	for (k = in->scroll; k < in->len; k++) {
		int cw = b[k] == L'\n' ? 1 : wrap_cwidth(b[k]);

		if (w + cw > width)
			break;
		w += cw;
	}
	*count = k - in->scroll;
	*curcol = box_width(b + in->scroll, in->cur - in->scroll);
}

int
input_lines(const struct input *in)
{
	int n = 1;

	for (size_t i = 0; i < in->len; i++)
		n += in->buf[i] == L'\n';
	return n;
}
