/*
 * offhours.c - a group's service hours as the desk sees them (offhours.h):
 * whether a new visitor may queue now, the closed answer to their HELLO
 * (a visitor without a chat, who may leave a message: cmd_case.c), the
 * group's greeting when a chat is assigned, and the auto-reply with the
 * queue position to a visitor who waits longer than the group's
 * wait_reply_after.
 *
 * Maintenance (MAINT, cmd_admin.c) closes every group the same way while
 * it lasts; it is kept in memory (a restart ends it).
 *
 * The calendar itself (hours, holidays, extra working days, time zones)
 * is hours.c; this file reads it with offhours_now(), which tests move
 * with the testing.now key instead of sleeping.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat.h"
#include "cmd.h"
#include "log.h"
#include "offhours.h"
#include "store.h"

#define OFFHOURS_TEXT_MAX 2048

static long long clock_set_ms;

static struct {
	int on;
	time_t until, since;
	char *notice;
	char by[DESK_NAME_MAX];
} maint;

time_t
offhours_now(void)
{
	if (srv.cfg.test_now == 0)
		return time(NULL);
	return srv.cfg.test_now + (time_t)((srv.now_ms - clock_set_ms) / 1000);
}

void
offhours_clock_reset(void)
{
	clock_set_ms = srv.now_ms;
	if (srv.cfg.test_now)
		log_warn("testing.now is set: working hours follow a fake clock "
		    "(for tests only)");
}

const char *
offhours_closed(const struct group *g, time_t *opens)
{
	const struct config_group *cg = config_group_find(&srv.cfg, g->name);

	*opens = 0;
	if (maint.on) {
		*opens = maint.until;
		return "maint";
	}
	if (cg == NULL)
		return NULL;
	switch (hours_at(&cg->hours, offhours_now(), opens)) {
	case HOURS_OPEN:
		return NULL;
	case HOURS_HOLIDAY:
		return "holiday";
	case HOURS_CLOSED:
		break;
	}
	return "hours";
}

/*
 * tmpl with each "{key}" of keys replaced by its value (vals, same order,
 * n of them); other braces are kept. Returns the length written to out;
 * what does not fit in len - 1 bytes is cut, never inside a UTF-8
 * sequence.
 */
static size_t
expand(char *out, size_t len, const char *tmpl, const char *const *keys,
    const char *const *vals, int n)
{
	size_t used = 0, k;
	const char *p = tmpl;

	while (*p) {
		const char *v = p;
		size_t vl = 1, skip = 1;

		for (int i = 0; *p == '{' && i < n; i++) {
			size_t kl = strlen(keys[i]);

			if (!strncmp(p + 1, keys[i], kl) && p[1 + kl] == '}') {
				v = vals[i];
				vl = strlen(v);
				skip = kl + 2;
				break;
			}
		}
		if (used + vl >= len)
			break;
		memcpy(out + used, v, vl);
		used += vl;
		p += skip;
	}
	if (*p) {		/* cut: drop a sequence the cut split */
		for (k = used; k > 0 && ((unsigned char)out[k - 1] & 0xC0) == 0x80; k--)
			;
		if (k > 0 && ((unsigned char)out[k - 1] & 0x80)) {
			unsigned char lead = (unsigned char)out[k - 1];
			size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;

			if (used - (k - 1) < need)
				used = k - 1;
		}
	}
	out[used] = '\0';
	return used;
}

/* "YYYY-MM-DD HH:MM" in the group's zone, or "" for t 0. */
static void
local_time(const struct config_group *cg, time_t t, char *buf, size_t len)
{
	time_t lt = t + hours_utc_offset(cg ? cg->hours.tz : "", t);
	struct tm tm;

	buf[0] = '\0';
	if (t != 0 && gmtime_r(&lt, &tm) != NULL)
		strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
}

int
offhours_tell_closed(struct conn *c, int64_t chat, struct group *g)
{
	static const char dflt[] = "we are closed now; you may leave a message "
	    "with LEAVEMSG and how to reach you, and we will answer";
	static const char *const keys[] = { "group", "opens" };
	const struct config_group *cg;
	const char *why, *vals[2];
	char text[OFFHOURS_TEXT_MAX], opens_s[32];
	time_t opens;
	size_t n;
	struct pbuf *b;

	if ((why = offhours_closed(g, &opens)) == NULL)
		return 0;
	cg = config_group_find(&srv.cfg, g->name);
	local_time(cg, opens, opens_s, sizeof(opens_s));
	vals[0] = g->name;
	vals[1] = opens_s;
	n = expand(text, sizeof(text), maint.on ? maint.notice :
	    cg && cg->closed_message ? cg->closed_message : dflt, keys, vals, 2);
	b = ev_begin();
	pbuf_printf(b, " CLOSED %lld", (long long)chat);
	proto_put_kv(b, "group", g->name);
	proto_put_kv(b, "reason", why);
	proto_put_kv(b, "need", case_requirement(g));
	if (opens)
		proto_put_kvi(b, "opens", (long long)opens);
	proto_put_text(b, text, n);
	if (c)
		ev_send(c);
	return 1;
}

void
offhours_tell_nobody(struct chat *ch)
{
	static const char msg[] =
	    "no agent is on duty right now; please wait here, or leave a message with LEAVEMSG and how to reach you";
	struct pbuf *b;

	if (ch->state != CS_QUEUED || group_online(ch->group) != 0 ||
	    ch->visitor == NULL || ch->visitor->conn == NULL)
		return;
	b = ev_begin();
	pbuf_printf(b, " CLOSED %lld", (long long)ch->id);
	proto_put_kv(b, "group", ch->group->name);
	proto_put_kv(b, "reason", "nobody");
	proto_put_kv(b, "need", case_requirement(ch->group));
	proto_put_text(b, msg, sizeof(msg) - 1);
	ev_send(ch->visitor->conn);
}

int
offhours_hello(struct conn *c, struct visitor *v, struct group *g)
{
	time_t opens;
	const char *why = offhours_closed(g, &opens);
	struct pbuf *b;

	if (why == NULL)
		return 0;
	v->conn = c;
	v->asked = g;
	c->visitor = v;
	c->role = ROLE_VISITOR;
	b = conn_begin(c, c->tag);
	pbuf_printf(b, "OK visitor=%lld token=%s", (long long)v->id, v->token);
	proto_put_kv(b, "closed", why);
	conn_end(c);
	offhours_tell_closed(c, 0, g);
	log_debug("visitor %lld: group %s closed (%s)", (long long)v->id,
	    g->name, why);
	return 1;
}

/* Post text to ch as a system message; failures are logged. */
static void
post_system(struct chat *ch, const char *text, size_t n)
{
	if (n > 0 && chat_post(ch, "system", "system", text, n) < 0)
		log_warn("chat %lld: system message not stored",
		    (long long)ch->id);
}

void
offhours_greet(struct chat *ch)
{
	static const char *const keys[] = { "agent", "group" };
	const struct config_group *cg = config_group_find(&srv.cfg,
	    ch->group->name);
	const char *vals[2];
	char text[OFFHOURS_TEXT_MAX];

	if (cg == NULL || cg->greeting == NULL || ch->agent == NULL)
		return;
	vals[0] = ch->agent->display;
	vals[1] = ch->group->name;
	post_system(ch, text, expand(text, sizeof(text), cg->greeting, keys,
	    vals, 2));
}

/* ---- maintenance ---- */

void
offhours_maint_put(struct pbuf *b)
{
	proto_put_word(b, maint.on ? "on" : "off");
	if (maint.on && maint.until)
		proto_put_kvi(b, "until", (long long)maint.until);
	if (*maint.by)
		proto_put_kv(b, "by", maint.by);
	if (maint.on)
		proto_put_text(b, maint.notice, strlen(maint.notice));
}

int
offhours_maint_event(void)
{
	struct pbuf *b = ev_begin();

	proto_put_word(b, "MAINT");
	offhours_maint_put(b);
	return maint.on;
}

int
offhours_maint_set(int on, time_t until, const char *notice, const char *actor)
{
	char *n = NULL, detail[1200];

	if (on && (n = strdup(notice)) == NULL)
		return -1;
	free(maint.notice);
	maint.notice = n;
	maint.on = on;
	maint.until = on ? until : 0;
	maint.since = on ? offhours_now() : 0;
	snprintf(maint.by, sizeof(maint.by), "%s", actor);
	/* a drain's maintenance ends with the process: not kept */
	if (strcmp(actor, "drain") != 0 && (on ? store_maint_save(until,
	    notice, actor, maint.since) : store_maint_clear()) < 0)
		log_warn("maintenance: not kept for a restart: %s", store_errmsg());
	if (on)
		snprintf(detail, sizeof(detail), "on until=%lld: %.1024s",
		    (long long)until, notice);
	else
		snprintf(detail, sizeof(detail), "off");
	cmd_audit_as(actor, "maint", detail);
	log_info("maintenance %s by %s", on ? "on" : "off", actor);
	offhours_maint_event();
	for (struct agent *a = desk.agents; a; a = a->next)
		ev_send_agent(a);
	return 0;
}

static int
maint_loaded(void *arg, time_t until, const char *notice, const char *actor,
    time_t since)
{
	char *n = strdup(notice);

	if (n == NULL)
		return -1;
	free(maint.notice);
	maint.notice = n;
	maint.on = 1;
	maint.until = until;
	maint.since = since;
	snprintf(maint.by, sizeof(maint.by), "%s", actor);
	log_info("maintenance is on (by %s, kept from before the restart)",
	    actor);
	return 0;
}

int
offhours_maint_restore(void)
{
	return store_maint_load(maint_loaded, NULL);
}

void
offhours_tick(void)
{
	static const char *const keys[] = { "pos", "wait", "group" };

	if (maint.on && maint.until && offhours_now() >= maint.until &&
	    offhours_maint_set(0, 0, "", "timer") < 0)
		log_error("maintenance: out of memory");

	for (int i = 0; i < desk.ngroups; i++) {
		struct group *g = &desk.groups[i];
		const struct config_group *cg = config_group_find(&srv.cfg, g->name);
		long long after;
		int pos = 0;

		if (cg == NULL || cg->wait_reply == NULL)
			continue;
		after = (cg->wait_reply_after > 0 ? cg->wait_reply_after : 60) * 1000LL;
		for (struct chat *ch = g->qhead; ch; ch = ch->qnext) {
			char text[OFFHOURS_TEXT_MAX], p[16], w[24];
			const char *vals[3] = { p, w, g->name };

			pos++;
			if (ch->wait_told || ch->visitor == NULL ||
			    ch->visitor->conn == NULL || srv.now_ms - ch->queued_ms < after)
				continue;
			snprintf(p, sizeof(p), "%d", pos);
			snprintf(w, sizeof(w), "%lld", (srv.now_ms - ch->queued_ms) / 1000);
			ch->wait_told = 1;
			post_system(ch, text, expand(text, sizeof(text),
			    cg->wait_reply, keys, vals, 3));
		}
	}
}
