/*
 * typing.c - TYPING <chat> from the console, so the visitor sees that the
 * agent is writing (kefud passes on only "typing" or "stopped", never the
 * draft, so a placeholder goes as the draft).
 *
 * Throttled: "typing" when the chat's input line gets text, again at most
 * every TYPING_EVERY seconds while keys keep coming (the widget drops the
 * indicator after a few silent seconds), and "stopped" once when the line
 * is emptied without sending or the agent turns to another chat. Nothing
 * for an internal note (F6), a chat that has ended, or one the agent only
 * watches (a supervisor's MONITOR).
 */
#include <stdio.h>
#include <time.h>

#include "typing.h"

static long on_chat;		/* the chat told "typing", or 0 */
static time_t sent_at;

static void
tell(struct app *a, long chat, int on)
{
	char id[32];

	snprintf(id, sizeof(id), "%ld", chat);
	(void)client_req(a->c, RQ_TYPING, chat, on ? "..." : NULL, "TYPING", id,
	    (char *)NULL);
}

void
typing_changed(struct app *a)
{
	struct model *m = a->m;
	struct chat *c = model_focused(m);
	long target = 0;
	time_t now = time(NULL);

	if (a->c->state != CL_UP) {
		on_chat = 0;	/* a new connection knows nothing of it */
		return;
	}
	if (c != NULL && !c->ended && !c->watching && !m->note_mode &&
	    m->focus_pane == FOCUS_CHAT && m->dlg.kind == DLG_NONE &&
	    !m->board.open &&
	    !input_empty(&m->in))
		target = c->id;
	if (on_chat != 0 && on_chat != target) {
		if (model_chat(m, on_chat) != NULL)
			tell(a, on_chat, 0);
		on_chat = 0;
	}
	if (target != 0 && (on_chat != target || now - sent_at >= TYPING_EVERY)) {
		tell(a, target, 1);
		on_chat = target;
		sent_at = now;
	}
}

void
typing_sent(void)
{
	on_chat = 0;
}
