/*
 * board.c - the supervisors' desk board (issue 13): every chat an agent
 * has, with its agent, age and how long its visitor has waited for an
 * answer, as rows (CHATS all) and as live events (BOARD on).
 *
 * Verbs (rows of proto/cmdtab.def): BOARD; and CHATS's `all` form, which
 * cmd_chats hands to board_list().
 *
 * A board line is "<chat> state=active|ended agent=NAME group=G visitor=V
 * name=N since=EPOCH [waiting=EPOCH] [left=1]", the same in a row and in
 * "* BOARD"; a chat that leaves the board (wrapped up, back in a queue) is
 * "* BOARD <chat> state=gone". Events go only to the connections that said
 * BOARD on, so a supervisor whose board is closed pays nothing for them.
 * The waiting mark moves only on the first unanswered visitor message and
 * on the answer, so a busy chat costs at most two events per exchange.
 */
#include <string.h>

#include "board.h"
#include "chat.h"
#include "cmd.h"

/* Is ch a board chat: owned by an agent, or ended and not wrapped up? */
static int
on_board(const struct chat *ch)
{
	return (ch->state == CS_ASSIGNED && ch->agent != NULL) ||
	    (ch->state == CS_ENDED && !ch->wrapped);
}

static void
put_line(struct pbuf *b, const struct chat *ch)
{
	pbuf_printf(b, " %lld", (long long)ch->id);
	if (!on_board(ch)) {
		proto_put_kv(b, "state", "gone");
		return;
	}
	proto_put_kv(b, "state", ch->state == CS_ENDED ? "ended" : "active");
	proto_put_kv(b, "agent", ch->agent ? ch->agent->name : "");
	proto_put_kv(b, "group", ch->group->name);
	proto_put_kvi(b, "visitor", chat_visitor_id(ch));
	proto_put_kv(b, "name", chat_visitor_name(ch));
	proto_put_kvi(b, "since", (long long)ch->created);
	if (ch->waiting_since > 0 && ch->state == CS_ASSIGNED)
		proto_put_kvi(b, "waiting", (long long)ch->waiting_since);
	if (ch->visitor == NULL || ch->visitor->conn == NULL)
		proto_put_kvi(b, "left", 1);
}

void
board_note(const struct chat *ch)
{
	struct pbuf *b = NULL;

	for (struct agent *a = desk.agents; a; a = a->next) {
		if (!(a->role & (ROLE_SUPERVISOR | ROLE_ADMIN)))
			continue;
		for (struct conn *c = a->conn; c; c = c->anext) {
			if (!c->board)
				continue;
			if (b == NULL) {
				b = ev_begin();
				proto_put_word(b, "BOARD");
				put_line(b, ch);
			}
			ev_send(c);
		}
	}
}

void
board_posted(struct chat *ch, const char *kind, time_t now)
{
	if (strcmp(kind, "visitor") == 0 && ch->waiting_since == 0)
		ch->waiting_since = now;
	else if (strcmp(kind, "agent") == 0 && ch->waiting_since != 0)
		ch->waiting_since = 0;
	else
		return;
	if (ch->state == CS_ASSIGNED)
		board_note(ch);
}

/* CHATS all: supervisors and admins only (checked by cmd_chats). */
void
board_list(struct conn *c, struct list_page *pg)
{
	int take = 1;

	for (size_t i = 0; i < desk.chat_tab_size && take >= 0; i++)
		for (struct chat *ch = desk.chat_tab[i]; ch; ch = ch->hnext) {
			struct pbuf *b;

			if (!on_board(ch) || (take = list_take(pg)) == 0)
				continue;
			if (take < 0)
				break;
			b = row_begin(c);
			put_line(b, ch);
			conn_end(c);
		}
	list_done(pg, 0);
}

void
cmd_board(struct conn *c, struct proto_req *r)
{
	if (strcmp(r->argv[0], "on") == 0)
		c->board = 1;
	else if (strcmp(r->argv[0], "off") == 0)
		c->board = 0;
	else {
		reply_err(c, "ARGS", "usage: BOARD on|off");
		return;
	}
	reply_ok(c, "board=%s", c->board ? "on" : "off");
}
