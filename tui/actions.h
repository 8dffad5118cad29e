/*
 * actions.h - everything an agent can do, one function per action, used
 * by the key map and the dialogs. Actions change the model and queue
 * requests on the client; replies come back through session.c.
 */
#ifndef KEFU_ACTIONS_H
#define KEFU_ACTIONS_H

#include "client.h"
#include "model.h"
#include "session.h"

struct app {
	struct model *m;
	struct client *c;
	struct session *s;
	int repaint;		/* Ctrl-L: repaint the whole terminal */
};

void act_help(struct app *a);
void act_accept_next(struct app *a);
void act_accept_selected(struct app *a);
void act_replies_focus(struct app *a);
void act_transfer(struct app *a);
void act_note_toggle(struct app *a);
void act_end(struct app *a);
void act_leave(struct app *a);
void act_invite(struct app *a);
/* The visitor's past chats; Enter opens one read-only. */
void act_past(struct app *a);
/* A chat's transcript, read-only, in place of the dialog shown (over the
 * screen shown: Esc goes back to it). */
void act_view_chat(struct app *a, long id);
/* "y" in a yes/no dialog. */
void act_confirm_yes(struct app *a);
void act_status(struct app *a);
void act_search(struct app *a);
void act_quit(struct app *a);
void act_bell_toggle(struct app *a);
void act_send(struct app *a);
void act_chat_step(struct app *a, int delta);
void act_chat_goto(struct app *a, int n);
void act_focus_cycle(struct app *a, int delta);
void act_reply_insert(struct app *a);
void act_replies_changed(struct app *a);
/* Enter in a dialog. */
void act_dialog_submit(struct app *a);

#endif
