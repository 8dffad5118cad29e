/*
 * expand.c - short codes (快捷回复 codes) in the input line. Tab after
 * "/code" (at the start of the line or after a space) sends
 * REPLIES chat=N :/code; kefud lists the agent's own reply with that code
 * first, then the chat's group's, so the first row is the one meant. Its
 * text takes the place of "/code" if the line still ends the same way at
 * the cursor when the answer comes; no row: a flash says so.
 */
#include <stdio.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "expand.h"

#define CODE_MAX 16

/* The code before the cursor ("/code" typed), into code; its length or 0. */
static size_t
code_before_cursor(const struct input *in, char *code, size_t codelen)
{
	size_t end = in->cur, start = end;

	while (start > 0 && end - start < CODE_MAX + 1) {
		wchar_t c = in->buf[start - 1];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
			break;
		start--;
	}
	if (start == end || end - start > CODE_MAX || end - start >= codelen ||
	    start == 0 || in->buf[start - 1] != '/' ||
	    (start >= 2 && !iswspace((wint_t)in->buf[start - 2])))
		return 0;
	for (size_t i = start; i < end; i++)
		code[i - start] = (char)in->buf[i];
	code[end - start] = '\0';
	return end - start;
}

int
expand_start(struct session *s)
{
	struct chat *ch = model_focused(s->m);
	char code[CODE_MAX + 2], q[CODE_MAX + 3], arg[48];
	unsigned long seq;

	if (code_before_cursor(&s->m->in, code, sizeof(code)) == 0)
		return 0;
	snprintf(q, sizeof(q), "/%s", code);
	if (ch != NULL && !ch->ended && !ch->left) {	/* still active */
		snprintf(arg, sizeof(arg), "chat=%ld", ch->id);
		seq = client_req(s->c, RQ_CODE, 0, q, "REPLIES", arg, (char *)NULL);
	} else
		seq = client_req(s->c, RQ_CODE, 0, q, "REPLIES", (char *)NULL);
	if (seq != 0) {
		s->code_seq = seq;
		snprintf(s->code, sizeof(s->code), "%s", code);
	}
	return 1;
}

/* The first row: put its text in the place of "/code". */
static void
expand_apply(struct session *s, const char *text)
{
	struct input *in = &s->m->in;
	char now[CODE_MAX + 2];
	size_t n = code_before_cursor(in, now, sizeof(now));

	if (n == 0 || strcmp(now, s->code) != 0)
		return;		/* the line changed meanwhile */
	for (size_t i = 0; i <= n; i++)
		input_backspace(in);
	(void)input_insert_utf8(in, text ? text : "");
}

void
expand_msg(struct session *s, struct client_msg *msg)
{
	struct client_pending *p = msg->p;

	s->m->dirty = 1;
	if (p->seq != s->code_seq)
		return;		/* an older Tab's answer */
	if (msg->type == MSG_ROW && p->rows == 1) {
		expand_apply(s, msg->req.text);
		s->code_seq = 0;
	} else if (msg->type == MSG_OK) {
		model_flash(s->m, "No quick reply has the code /%s", s->code);
		s->code_seq = 0;
	} else if (msg->type == MSG_ERR) {
		model_flash(s->m, "/%s: %s %s", s->code, msg->err_code,
		    msg->err_text);
		s->code_seq = 0;
	}
}
