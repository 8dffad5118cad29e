/*
 * kbsuggest.c - answer suggestions: the knowledge-base entries that match
 * the last message of the visitor in the chat in focus, found by kefud
 * (KBSEARCH chat=N: the bot's own matching, the chat's group's entries
 * and those for every group), shown as the first rows of the quick-reply
 * pane and inserted like a quick reply (Enter).
 *
 * Asked when the focus moves to another chat and when the visitor of the
 * chat in focus writes, never on a timer. When nothing matches nothing is
 * drawn, so a desk without a knowledge base pays one short request per
 * visitor message in the chat in focus and no terminal bytes.
 */
#include <stdio.h>
#include <string.h>

#include "fields.h"
#include "kbsuggest.h"

static void
forget(struct model *m)
{
	for (size_t i = 0; i < m->kb.n; i++) {
		model_set_str(&m->kb.r[i].title, NULL);
		model_set_str(&m->kb.r[i].text, NULL);
	}
	if (m->kb.n > 0) {
		m->kb.n = 0;
		m->rsel = 0;
		m->dirty = 1;
	}
}

static void
ask(struct session *s, long chat)
{
	char arg[32];

	forget(s->m);
	s->m->kb.chat = 0;
	if (chat <= 0 || s->c->state != CL_UP)
		return;		/* asked again once connected */
	snprintf(arg, sizeof(arg), "chat=%ld", chat);
	if (client_req(s->c, RQ_KBSUGGEST, chat, NULL, "KBSEARCH", arg,
	    "limit=" KB_SUGGEST_MAX_S, (char *)NULL) != 0)
		s->m->kb.chat = chat;
}

void
kbsuggest_tick(struct session *s)
{
	struct chat *ch = model_focused(s->m);
	long id = ch != NULL && !ch->ended ? ch->id : 0;

	if (id != s->m->kb.chat)
		ask(s, id);
}

int
kbsuggest_msg(struct session *s, struct client_msg *msg)
{
	struct client_pending *p = msg->p;
	struct proto_req *r = &msg->req;
	struct model *m = s->m;
	struct reply *k;

	if (msg->type == MSG_EVENT) {
		if (r->argc >= 5 && strcmp(r->argv[0], "MSG") == 0 &&
		    model_line_kind(r->argv[3]) == LK_VISITOR &&
		    field_arg(r, 1) == m->kb.chat && m->kb.chat > 0)
			ask(s, m->kb.chat);
		return 0;
	}
	if (p == NULL || p->kind != RQ_KBSUGGEST)
		return 0;
	if (msg->type != MSG_ROW || p->arg != m->kb.chat ||
	    m->kb.n >= KB_SUGGEST_MAX || r->text == NULL)
		return 1;	/* an error or a stale answer: nothing shown */
	k = &m->kb.r[m->kb.n++];
	k->id = field_arg(r, 0);
	model_set_str(&k->title, field_str(r, "question"));
	model_set_str(&k->text, r->text);
	m->dirty = 1;
	return 1;
}
