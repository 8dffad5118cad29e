/*
 * keymap.c - the key table and the dispatcher.
 *
 * Keyboard-first: every action has a function key and an Alt-letter
 * (Escape then the letter), because F-keys are missing or remapped on
 * some terminals (vt100, screen inside other programs). Printable keys
 * always go to the field in focus, so typing never triggers an action.
 */
#include <curses.h>

#include "cardform.h"
#include "board.h"
#include "browsers.h"
#include "cases.h"
#include "dialog.h"
#include "expand.h"
#include "keymap.h"
#include "typing.h"
#include "pane_chat.h"
#include "team.h"
#include "screen.h"

#define CTRL(c) ((c) & 0x1f)

const struct keybar keymap_bar[] = {
	{ "F1", "Help " }, { "F2", "Next " }, { "F3", "Take " },
	{ "F4", "Reply " }, { "F5", "Xfer " }, { "F6", "Note " },
	{ "F7", "End " }, { "F8", "Status " }, { "F9", "Find " },
	{ "F10", "Quit" }, { NULL, NULL },
};

const struct keyhelp keymap_help[] = {
	{ "F1  Alt-h", "this help (also ? in the queue)" },
	{ "F2  Alt-n", "accept the highlighted visitor (first in queue)" },
	{ "F3  Alt-a", "pick a visitor in the queue, then accept" },
	{ "F4  Ctrl-R", "quick replies: type to search, Enter inserts" },
	{ "F5  Alt-t", "transfer the chat to an agent or group, with a note" },
	{ "F6  Alt-o", "internal note: next message hidden from visitor" },
	{ "F7  Alt-e", "end the chat (asks); again: wrap up and close it" },
	{ "Alt-i", "invite a colleague into the chat" },
	{ "Alt-l", "leave a chat you were invited to (also F7)" },
	{ "F8  Alt-s", "set your status (online, away, busy, offline)" },
	{ "F9  Alt-f", "search the chat history; Enter on a hit opens it" },
	{ "Alt-p", "the visitor's past chats; Enter opens one" },
	{ "Alt-c", "the visitor's customer card: name, phone, e-mail, company, tags, notes" },
	{ "Alt-w", "customers: find cards by words, tag:T, field.NAME:V; open one, its chats, e edits" },
	{ "Alt-m", "Team: talk to colleagues, your groups, everyone (unread in brackets)" },
	{ "Alt-v", "visitors on the site; type a text, Enter invites one" },
	{ "F10 Alt-q Ctrl-C", "quit (asks while you have open chats)" },
	{ "F11 Alt-d", "desk board: m monitor, w whisper, t take over, e end" },
	{ "Alt-k", "cases: f filter; in one: n note r reply a assign c close" },
	{ "Alt-x", "ban the visitor of this chat (asks for a reason)" },
	{ "Tab Shift-Tab", "move between input, queue and quick replies" },
	{ "/code Tab", "put the quick reply with that code in its place" },
	{ "Ctrl-N Ctrl-P", "next / previous chat (also Alt-1 .. Alt-9)" },
	{ "PgUp PgDn", "scroll the transcript back / forward" },
	{ "Enter", "send / accept (queue) / insert reply (replies)" },
	{ "Ctrl-J  Alt-Enter", "new line inside the message" },
	{ "Left Right Home End", "move in the input line (also Ctrl-A, Ctrl-E)" },
	{ "Ctrl-W Ctrl-U Ctrl-K", "delete word / to start / to end of line" },
	{ "Up Down", "input history; selection in queue and replies" },
	{ "Esc", "back to the input line; close a form" },
	{ "Alt-b", "turn the new-visitor bell off / on" },
	{ "F12 Alt-u  Alt-g", "admin screen (admins); report screen" },
	{ "Ctrl-L", "repaint the screen" },
	{ NULL, NULL },
};

/* Line editing keys shared by every text field; 1 if handled. */
int
keymap_edit(struct input *in, int fk, wint_t wc)
{
	switch (fk) {
	case KEY_LEFT: input_left(in); return 1;
	case KEY_RIGHT: input_right(in); return 1;
	case KEY_HOME: input_home(in); return 1;
	case KEY_END: input_end(in); return 1;
	case KEY_BACKSPACE: input_backspace(in); return 1;
	case KEY_DC: input_delete(in); return 1;
	case 0: break;
	default: return 0;
	}
	switch (wc) {
	case CTRL('a'): input_home(in); return 1;
	case CTRL('e'): input_end(in); return 1;
	case CTRL('b'): input_left(in); return 1;
	case CTRL('f'): input_right(in); return 1;
	case CTRL('h'): case 0x7f: input_backspace(in); return 1;
	case CTRL('d'): input_delete(in); return 1;
	case CTRL('w'): input_kill_word(in); return 1;
	case CTRL('u'): input_kill_line(in); return 1;
	case CTRL('k'): input_kill_to_end(in); return 1;
	default: break;
	}
	if (wc >= 0x20 && wc != 0x7f && (wc < 0x80 || wc >= 0xa0)) {
		(void)input_insert(in, (wchar_t)wc);
		return 1;
	}
	return 0;
}

static int
function_key(struct app *a, int fk)
{
	switch (fk) {
	case KEY_F(1): act_help(a); return 1;
	case KEY_F(2): act_accept_next(a); return 1;
	case KEY_F(3): act_accept_selected(a); return 1;
	case KEY_F(4): act_replies_focus(a); return 1;
	case KEY_F(5): act_transfer(a); return 1;
	case KEY_F(6): act_note_toggle(a); return 1;
	case KEY_F(7): act_end(a); return 1;
	case KEY_F(8): act_status(a); return 1;
	case KEY_F(9): act_search(a); return 1;
	case KEY_F(10): act_quit(a); return 1;
	case KEY_F(11): board_toggle(a); return 1;
	case KEY_F(12): screen_open(a, SCREEN_ADMIN); return 1;
	case KEY_NPAGE: pane_chat_scroll(a->m, -5); return 1;
	case KEY_PPAGE: pane_chat_scroll(a->m, 5); return 1;
	case KEY_BTAB: act_focus_cycle(a, -1); return 1;
	default: return 0;
	}
}

static int
alt_key(struct app *a, wint_t wc)
{
	switch (wc) {
	case 'h': case '?': act_help(a); return 1;
	case 'n': act_accept_next(a); return 1;
	case 'a': act_accept_selected(a); return 1;
	case 'r': act_replies_focus(a); return 1;
	case 't': act_transfer(a); return 1;
	case 'o': act_note_toggle(a); return 1;
	case 'e': act_end(a); return 1;
	case 'i': act_invite(a); return 1;
	case 'l': act_leave(a); return 1;
	case 'p': act_past(a); return 1;
	case 'c': (void)cardform_open(a->s); return 1;
	case 'm': team_open(a->s); return 1;
	case 'v': act_browsers(a); return 1;
	case 's': act_status(a); return 1;
	case 'f': act_search(a); return 1;
	case 'q': act_quit(a); return 1;
	case 'b': act_bell_toggle(a); return 1;
	case 'd': board_toggle(a); return 1;
	case 'u': screen_open(a, SCREEN_ADMIN); return 1;
	case 'g': screen_open(a, SCREEN_REPORT); return 1;
	case 'w': screen_open(a, SCREEN_CUSTOMERS); return 1;
	case 'k': cases_open(a); return 1;
	case 'x': cases_ban(a); return 1;
	default: break;
	}
	if (wc >= '1' && wc <= '9') {
		act_chat_goto(a, (int)(wc - '1'));
		return 1;
	}
	return 0;
}

static int
control_key(struct app *a, wint_t wc)
{
	switch (wc) {
	case '\t':
		/* in the input line, /code then Tab expands a quick reply */
		if (a->m->focus_pane != FOCUS_CHAT || !expand_start(a->s))
			act_focus_cycle(a, 1);
		return 1;
	case CTRL('n'): act_chat_step(a, 1); return 1;
	case CTRL('p'): act_chat_step(a, -1); return 1;
	case CTRL('r'): act_replies_focus(a); return 1;
	case CTRL('l'): a->repaint = 1; return 1;
	case CTRL('c'): act_quit(a); return 1;
	case 27: a->m->focus_pane = FOCUS_CHAT; return 1;
	default: return 0;
	}
}

static void
queue_key(struct app *a, int fk, wint_t wc)
{
	struct model *m = a->m;

	if (fk == KEY_UP && m->qsel > 0)
		m->qsel--;
	else if (fk == KEY_DOWN && m->qsel + 1 < m->nqueue)
		m->qsel++;
	else if (fk == KEY_ENTER || (fk == 0 && (wc == '\r' || wc == '\n')))
		act_accept_selected(a);
	else if (fk == 0 && wc == '?')
		act_help(a);
	else if (fk == 0 && wc >= 0x20) {
		m->focus_pane = FOCUS_CHAT;	/* typing: back to the input */
		(void)keymap_edit(&m->in, fk, wc);
	}
}

static void
replies_key(struct app *a, int fk, wint_t wc)
{
	struct model *m = a->m;

	if (fk == KEY_UP && m->rsel > 0)
		m->rsel--;
	else if (fk == KEY_DOWN && m->rsel + 1 < model_reply_rows(m))
		m->rsel++;
	else if (fk == KEY_ENTER || (fk == 0 && (wc == '\r' || wc == '\n')))
		act_reply_insert(a);
	else if (keymap_edit(&m->rq, fk, wc))
		act_replies_changed(a);
}

static void
chat_key(struct app *a, int fk, wint_t wc, int alt)
{
	struct model *m = a->m;

	if (fk == KEY_UP)
		input_history_prev(&m->in);
	else if (fk == KEY_DOWN)
		input_history_next(&m->in);
	else if (fk == 0 && (wc == '\n' || (alt && wc == '\r')))
		(void)input_insert(&m->in, L'\n');	/* Ctrl-J, Alt-Enter */
	else if (fk == KEY_ENTER || (fk == 0 && wc == '\r'))
		act_send(a);
	else
		(void)keymap_edit(&m->in, fk, wc);
}

static void
key_dispatch(struct app *a, int fk, wint_t wc, int alt)
{
	struct model *m = a->m;

	m->dirty = 1;
	if (m->screen != SCREEN_DESK && screen_key(a, fk, wc, alt))
		return;
	if (m->dlg.kind != DLG_NONE) {
		dialog_key(a, fk, wc, alt);
		return;
	}
	if (m->board.open) {
		board_key(a, fk, wc, alt);
		return;
	}
	if (alt && fk == 0 && alt_key(a, wc))
		return;
	if (fk != 0 && function_key(a, fk))
		return;
	if (fk == 0 && control_key(a, wc))
		return;
	switch (m->focus_pane) {
	case FOCUS_QUEUE: queue_key(a, fk, wc); break;
	case FOCUS_REPLIES: replies_key(a, fk, wc); break;
	default: chat_key(a, fk, wc, alt); break;
	}
}

void
keymap_key(struct app *a, int fk, wint_t wc, int alt)
{
	key_dispatch(a, fk, wc, alt);
	typing_changed(a);	/* the visitor sees the agent typing */
}

/*
 * One character of a bracketed paste (the terminal marks pasted text, so
 * it is never taken for keys): text for the field in focus. In the chat's
 * input line a line break is a new line inside the message, as Ctrl-J,
 * so a pasted paragraph goes out as one message on Enter, not one per
 * line; elsewhere line breaks and tabs are spaces, since Enter or Tab
 * there would act. Other control characters are dropped.
 */
void
keymap_paste(struct app *a, wint_t wc)
{
	struct model *m = a->m;
	int line = m->screen == SCREEN_DESK && m->dlg.kind == DLG_NONE &&
	    !m->board.open && m->focus_pane == FOCUS_CHAT;

	if (wc == '\r' || wc == '\n')
		wc = line ? '\n' : ' ';
	else if (wc == '\t')
		wc = ' ';
	else if (wc < 0x20 || wc == 0x7f)
		return;
	keymap_key(a, 0, wc, 0);
}
