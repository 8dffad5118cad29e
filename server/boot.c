/*
 * boot.c - bringing the desk back after a start: accounts and groups from
 * the store, seed data from the config, and every chat that had not ended,
 * put back in its queue or with its agent, with its visitor waiting to
 * resume. After a crash this is what makes "nothing acknowledged is lost"
 * visible to people: their chats are where they were.
 *
 * Accounts changed by another process (`kefud user add|del|passwd` beside
 * a running server) are picked up without a signal: SQLite's data_version
 * moves when another connection commits, and boot_accounts_refresh() reads
 * the accounts again when it has, before every login check and once a
 * second from the timer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "boot.h"
#include "chat.h"
#include "log.h"
#include "server.h"
#include "store.h"

static char *
dup_or_null(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

static int
fill_visitor(void *arg, const struct store_visitor *sv)
{
	struct visitor *v = arg;

	v->id = sv->id;
	snprintf(v->token, sizeof(v->token), "%s", sv->token);
	v->name = dup_or_null(sv->name);
	v->email = dup_or_null(sv->email);
	v->lang = dup_or_null(sv->lang);
	v->referrer = dup_or_null(sv->referrer);
	v->addr = dup_or_null(sv->addr);
	return 0;
}

/* Sum the text of a chat's messages (limits.chat_bytes counts it). */
static int
add_bytes(void *arg, const struct store_msg *m)
{
	*(size_t *)arg += strlen(m->body);
	return 0;
}

/* One wall-clock reading for the whole restore: chats loaded a second
 * apart must not trade places in the queue (a slow restore crossed a
 * second boundary and made a later chat look older). */
static time_t restore_wall;

static int
restore_chat(void *arg, const struct store_chat *sc)
{
	int *count = arg;
	struct group *g = group_find(sc->group);
	struct visitor *v = calloc(1, sizeof(*v));
	struct chat *c = calloc(1, sizeof(*c));

	if (v == NULL || c == NULL) {
		free(v);
		free(c);
		return -1;
	}
	if (g == NULL)
		g = group_find(srv.cfg.default_group);
	if (g == NULL || store_visitor_load(sc->visitor, fill_visitor, v) != 0) {
		log_warn("chat %lld: its group or visitor is gone; left as it is",
		    (long long)sc->id);
		free(v);
		free(c);
		return 0;
	}
	v->gone_since = srv.now_ms;	/* the resume window starts now */
	v->tokens = srv.cfg.msg_burst;
	v->tokens_at = srv.now_ms;
	v->chat = c;
	c->id = sc->id;
	c->visitor = v;
	c->group = g;
	c->created = sc->created;
	c->queued_at = sc->queued_at;
	c->queued_ms = srv.now_ms - (long long)(restore_wall - sc->queued_at) * 1000;
	c->question = strdup(sc->question);
	c->seq = sc->last_seq;
	/* a bot chat goes on counting its misses toward bot.max_misses */
	c->bot_answered = sc->bot_answered;
	c->bot_missed = sc->bot_missed;
	if (store_msg_foreach(c->id, 0, add_bytes, &c->bytes) < 0)
		log_warn("chat %lld: could not measure its transcript: %s",
		    (long long)c->id, store_errmsg());
	chat_restore(c, sc->state, sc->agent);
	(*count)++;
	return 0;
}

int
boot_restore(void)
{
	int n = 0;

	restore_wall = time(NULL);
	if (store_chat_foreach_active(restore_chat, &n) < 0)
		return -1;
	if (n)
		log_info("restored %d open chats", n);
	return 0;
}

static int
reload_user(void *arg, const struct store_user *u)
{
	struct agent *a = agent_find(u->name);
	char *h;

	if (a == NULL)
		return 0;	/* new accounts: handled by a second pass */
	a->seen = 1;
	h = strdup(u->pwhash);
	if (h) {
		int changed = a->pwhash && strcmp(a->pwhash, h) != 0;

		free(a->pwhash);
		a->pwhash = h;
		if (changed) {
			log_info("account %s: password changed outside; "
			    "ending its sessions", a->name);
			session_end_others(a, NULL, "password changed");
		}
	}
	if (u->disabled && !a->disabled) {
		log_info("account %s was disabled outside; logging it out",
		    a->name);
		a->disabled = 1;
		account_disable_logout(a);
	}
	a->disabled = u->disabled;
	a->role = proto_role_parse(u->role);
	a->max_chats = u->max_chats;
	snprintf(a->display, sizeof(a->display), "%s", u->display);
	return 0;
}

static int64_t seen_version = -1;

int
boot_accounts_refresh(void)
{
	int64_t v;

	if (store_data_version(&v) < 0)
		return -1;
	if (v == seen_version)
		return 0;
	if (seen_version >= 0)
		log_debug("accounts: the database changed outside; reloading");
	seen_version = v;
	return boot_reload_accounts();
}

int
boot_reload_accounts(void)
{
	for (struct agent *a = desk.agents; a; a = a->next)
		a->seen = 0;
	if (store_user_foreach(reload_user, NULL) < 0)
		return -1;
	/* accounts deleted with `kefud user del` while we ran */
	for (struct agent *a = desk.agents; a; a = a->next) {
		if (a->seen || a->deleted)
			continue;
		log_info("account %s was deleted; logging it out", a->name);
		a->deleted = 1;
		a->status = AS_OFFLINE;
		chat_requeue_agent(a);
		session_end_others(a, NULL, "account deleted");
	}
	/* and accounts created by `kefud user add` while we ran */
	return account_load_all();
}
