/*
 * input.h - the one-line editor used for chat input, the quick-reply
 * search and the fields of dialogs.
 *
 * It edits wide characters (so the cursor moves by character, not byte),
 * knows the cell width of what it holds, scrolls horizontally when the text
 * is wider than its box, and keeps a history (Up/Down). Pure data: drawing
 * lives in draw.c, so the unit test drives it without a terminal.
 */
#ifndef KEFU_INPUT_H
#define KEFU_INPUT_H

#include <stddef.h>
#include <wchar.h>

#define INPUT_MAX 4000		/* characters; a message stays under line_max */
#define INPUT_HIST 50

struct input {
	wchar_t *buf;
	size_t len, cap, cur;
	size_t scroll;		/* first character shown */
	char *hist[INPUT_HIST];
	size_t nhist, hpos;	/* hpos == nhist: editing a new line */
	char *draft;		/* the line being typed before browsing history */
};

void input_init(struct input *in);
void input_free(struct input *in);
int input_insert(struct input *in, wchar_t c);
int input_insert_utf8(struct input *in, const char *s);
void input_left(struct input *in);
void input_right(struct input *in);
void input_home(struct input *in);
void input_end(struct input *in);
void input_backspace(struct input *in);
void input_delete(struct input *in);
void input_kill_word(struct input *in);		/* Ctrl-W */
void input_kill_line(struct input *in);		/* Ctrl-U */
void input_kill_to_end(struct input *in);	/* Ctrl-K */
void input_clear(struct input *in);
int input_set_utf8(struct input *in, const char *s);
/* The text as a new UTF-8 string (caller frees); NULL on memory error. */
char *input_utf8(const struct input *in);
int input_empty(const struct input *in);

void input_history_add(struct input *in, const char *line);
void input_history_prev(struct input *in);
void input_history_next(struct input *in);

/*
 * Which part to show in a box of width cells: characters
 * [*start, *start + *count) and the cursor at cell *curcol of the box.
 */
void input_view(struct input *in, int width, size_t *start, size_t *count,
    int *curcol);
/* How many lines the text has (newlines + 1); a newline takes one cell. */
int input_lines(const struct input *in);

#endif
