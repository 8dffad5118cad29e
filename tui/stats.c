/*
 * stats.c - the status bar's figures for today (see stats.h). kefud
 * computes them (STATS, the same computation as its reports), so the
 * console never counts on its own and a reconnect shows the same numbers.
 */
#include <stdio.h>
#include <string.h>

#include "fields.h"
#include "stats.h"

void
stats_request(struct session *s)
{
	client_req(s->c, RQ_STATS, 0, NULL, "STATS", (char *)NULL);
}

static void
keep(struct model *m, struct proto_req *r)
{
	m->stats.have = 1;
	m->stats.chats = (int)field_long(r, "offered");
	snprintf(m->stats.frt, sizeof(m->stats.frt), "%s", field_str(r, "frt_avg"));
	snprintf(m->stats.rating, sizeof(m->stats.rating), "%s",
	    field_str(r, "rating_avg"));
	m->dirty = 1;
}

int
stats_msg(struct session *s, struct client_msg *msg)
{
	struct client_pending *p = msg->p;
	const char *ev = msg->req.argc > 0 ? msg->req.argv[0] : "";

	if (msg->type == MSG_EVENT) {
		if (strcmp(ev, "ASSIGN") == 0 || strcmp(ev, "RATED") == 0)
			stats_request(s);
		return 0;
	}
	if (p == NULL)
		return 0;
	if (p->kind == RQ_WRAPUP && msg->type == MSG_OK) {
		stats_request(s);
		return 0;
	}
	if (p->kind != RQ_STATS)
		return 0;
	if (msg->type == MSG_OK)
		keep(s->m, &msg->req);
	return 1;		/* an error just leaves the last figures */
}

void
stats_format(const struct model *m, char *buf, size_t n)
{
	double frt = 0;

	if (!m->stats.have) {
		snprintf(buf, n, "%s", "");
		return;
	}
	if (sscanf(m->stats.frt, "%lf", &frt) == 1)
		snprintf(buf, n, "today %d  1st reply %.0fs  rating %s ",
		    m->stats.chats, frt, m->stats.rating);
	else
		snprintf(buf, n, "today %d  1st reply -  rating %s ",
		    m->stats.chats, m->stats.rating);
}
