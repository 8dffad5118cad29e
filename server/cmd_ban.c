/*
 * cmd_ban.c - the blacklist over the protocol: staff ban a visitor by
 * number, address or address range with a reason and an optional end,
 * list the bans in force and lift them. A banned visitor's open chat ends
 * at once, and their HELLO and LEAVEMSG get a polite refusal that never
 * shows the reason (ban_refused()). Every ban and unban is audited.
 *
 * Verbs (rows of proto/cmdtab.def): BAN UNBAN BANS.
 */
#include <stdio.h>
#include <string.h>

#include "ban.h"
#include "chat.h"
#include "cmd.h"
#include "log.h"
#include "offhours.h"
#include "store.h"

int
ban_refused(struct conn *c, int64_t visitor)
{
	if (ban_match(visitor, c->addr, offhours_now()) == 0)
		return 0;
	reply_err(c, "DENIED", "we are sorry, we cannot take your request now");
	return 1;
}

/* End the open chats of the connected visitors a new ban covers. */
static void
ban_apply(void)
{
	time_t now = offhours_now();

	for (int fd = 0; fd < srv.maxfds; fd++) {
		struct conn *c = srv.conns[fd];
		struct chat *ch;

		if (c == NULL || c->dead || c->visitor == NULL ||
		    ban_match(c->visitor->id, c->addr, now) == 0)
			continue;
		ch = c->visitor->chat;
		if (ch && ch->state != CS_ENDED)
			chat_end(ch, "agent");
	}
}

void
cmd_ban(struct conn *c, struct proto_req *r)
{
	static const char *const keys[] = { "until", NULL };
	const char *kind = r->argv[0], *value = r->argv[1];
	const char *u = proto_opt(r, "until");
	char detail[1200];
	time_t until = 0;
	int64_t id;

	if (cmd_opts_known(c, r, 2, keys) < 0)
		return;
	if (strcmp(kind, "visitor") && strcmp(kind, "addr") && strcmp(kind, "cidr")) {
		reply_err(c, "ARGS", "ban a visitor, an addr or a cidr");
		return;
	}
	if (strlen(value) > 64 || ban_valid(kind, value) < 0) {
		reply_err(c, "ARGS", "'%.64s' is not %s", value, !strcmp(kind, "visitor") ?
		    "a visitor number" : !strcmp(kind, "addr") ? "an IP address" :
		    "a range like 10.0.0.0/8");
		return;
	}
	if (u && (hours_parse_iso(u, &until) < 0 || until <= offhours_now())) {
		reply_err(c, "ARGS", "until= is a time to come, as 2026-12-01T08:00+08:00");
		return;
	}
	if (r->textlen == 0 || r->textlen > 1024) {
		reply_err(c, "ARGS", "a reason is 1-1024 bytes");
		return;
	}
	if (store_ban_insert(kind, value, r->text, cmd_actor(c), until, &id) < 0) {
		cmd_store_failed(c);
		return;
	}
	if (ban_add(id, kind, value, until) < 0) {
		reply_err(c, "INTERNAL", "out of memory");
		return;
	}
	snprintf(detail, sizeof(detail), "%lld %s %s until=%lld: %.1024s",
	    (long long)id, kind, value, (long long)until, r->text);
	cmd_audit_log(c, "ban", detail);
	reply_ok(c, "id=%lld", (long long)id);
	ban_apply();
}

void
cmd_unban(struct conn *c, struct proto_req *r)
{
	long long id;
	char detail[32];
	int rc;

	if (cmd_id_arg(c, r->argv[0], "ban number", &id) < 0)
		return;
	if ((rc = store_ban_lift(id, cmd_actor(c))) < 0) {
		cmd_store_failed(c);
		return;
	}
	if (rc == 1) {
		reply_err(c, "NOTFOUND", "no ban %lld in force", id);
		return;
	}
	ban_lift(id);
	snprintf(detail, sizeof(detail), "%lld", id);
	cmd_audit_log(c, "unban", detail);
	reply_ok(c, NULL);
}

static int
ban_row(void *arg, const struct store_ban *b)
{
	struct cmd_rows *x = arg;
	struct pbuf *p;

	if (b->until && b->until <= offhours_now())
		return 0;	/* over */
	p = row_begin(x->c);
	pbuf_printf(p, " %lld", (long long)b->id);
	proto_put_kv(p, "kind", b->kind);
	proto_put_kv(p, "value", b->value);
	proto_put_kv(p, "by", b->actor);
	proto_put_kvi(p, "created", (long long)b->created);
	if (b->until)
		proto_put_kvi(p, "until", (long long)b->until);
	proto_put_text(p, b->reason, strlen(b->reason));
	return cmd_row_end(x);
}

void
cmd_bans(struct conn *c, struct proto_req *r)
{
	struct cmd_rows x = { c, 0 };

	cmd_rows_done(&x, store_ban_foreach(ban_row, &x));
}
