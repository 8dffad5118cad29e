/*
 * wrapcats.c - wrap-up categories from the server (see wrapcats.h). The
 * desk configures them per group (kefu.yml(5)); the console keeps the
 * list of each group as kefud sent it and offers it in the wrap-up form.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "wrapcats.h"

void
wrapcats_request(struct session *s)
{
	client_req(s->c, RQ_CATS, 0, NULL, "GROUPS", (char *)NULL);
}

void
wrapcats_free(struct model *m)
{
	for (size_t i = 0; i < m->ncats; i++) {
		free(m->cats[i].group);
		free(m->cats[i].list);
	}
	free(m->cats);
	m->cats = NULL;
	m->ncats = 0;
}

static void
keep(struct model *m, const char *group, const char *list)
{
	struct wrapcat *grown;

	for (size_t i = 0; i < m->ncats; i++)
		if (strcmp(m->cats[i].group, group) == 0) {
			model_set_str(&m->cats[i].list, list);
			return;
		}
	grown = realloc(m->cats, (m->ncats + 1) * sizeof(*grown));
	if (grown == NULL)
		return;
	m->cats = grown;
	m->cats[m->ncats].group = strdup(group);
	m->cats[m->ncats].list = strdup(list);
	if (m->cats[m->ncats].group == NULL || m->cats[m->ncats].list == NULL) {
		free(m->cats[m->ncats].group);
		free(m->cats[m->ncats].list);
		return;
	}
	m->ncats++;
}

int
wrapcats_msg(struct session *s, struct client_msg *msg)
{
	struct client_pending *p = msg->p;
	const char *next;
	char from[48];

	if (p == NULL || (p->kind != RQ_CATS && p->kind != RQ_CATS_MORE))
		return 0;
	if (msg->type == MSG_ROW && msg->req.argc > 0)
		keep(s->m, msg->req.argv[0], field_str(&msg->req, "wrapup"));
	else if (msg->type == MSG_OK &&
	    (next = proto_opt(&msg->req, "next")) != NULL && *next) {
		snprintf(from, sizeof(from), "from=%s", next);
		client_req(s->c, RQ_CATS_MORE, 0, NULL, "GROUPS", from,
		    (char *)NULL);
	}
	return 1;
}

const char *
wrapcats_for(const struct model *m, const char *group)
{
	for (size_t i = 0; group && i < m->ncats; i++)
		if (strcmp(m->cats[i].group, group) == 0)
			return m->cats[i].list;
	return "";
}
