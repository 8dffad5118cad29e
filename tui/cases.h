/*
 * cases.h - the staff's case screens (留言/工单): the list (new first,
 * filtered by state), one case with its history, notes, replies, assign
 * and close; a new case alerts like a new visitor. And the ban action:
 * ban the visitor of the chat in focus, with a reason.
 */
#ifndef KEFU_CASES_H
#define KEFU_CASES_H

#include <wchar.h>

#include "actions.h"

/* Alt-k: the cases list. */
void cases_open(struct app *a);
/* Alt-x: ban the visitor of the chat in focus (asks for a reason). */
void cases_ban(struct app *a);
/* Letter keys in the cases list and case view; 1 if used. */
int cases_key(struct app *a, int fk, wint_t wc, int alt);
/* Enter in a case dialog (list, view, note/reply, ban). */
void cases_submit(struct app *a);
/* The cases' part of a line from kefud; 1 if nothing else needs it. */
int cases_msg(struct session *s, struct client_msg *msg);

#endif
