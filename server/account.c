/*
 * account.c - staff accounts, their groups, SSH keys, and the first-start
 * seeding of groups/users/quick replies from the configuration.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "auth.h"
#include "chat.h"
#include "cmd.h"
#include "log.h"
#include "server.h"
#include "store.h"

static int
load_group(void *arg, const char *name, const char *mode, const char *desc)
{
	if (group_find(name) == NULL &&
	    group_add(name, strcmp(mode, "auto") == 0, desc) == NULL)
		log_warn("group %s: too many groups (max %d)", name, DESK_MAX_GROUPS);
	return 0;
}

static void
agent_fill(struct agent *a, int64_t id, const char *name, const char *display,
    unsigned role, int max_chats, const char *groups)
{
	char bad[80];

	a->id = id;
	snprintf(a->name, sizeof(a->name), "%s", name);
	snprintf(a->display, sizeof(a->display), "%s",
	    display && *display ? display : name);
	a->role = role;
	a->max_chats = max_chats;
	if (group_mask_parse(groups ? groups : "", &a->groups, bad,
	    sizeof(bad)) < 0)
		log_warn("account %s: unknown group '%s' ignored", name, bad);
}

static int
load_user(void *arg, const struct store_user *u)
{
	struct agent *a;

	if (agent_find(u->name))
		return 0;	/* already loaded (SIGHUP reload) */
	if ((a = agent_new()) == NULL)
		return -1;
	agent_fill(a, u->id, u->name, u->display, proto_role_parse(u->role),
	    u->max_chats, "");
	/* group names may include unknown ones; parse leniently */
	{
		char *copy = strdup(u->groups), *save = NULL, *tok;

		for (tok = copy ? strtok_r(copy, ",", &save) : NULL; tok;
		    tok = strtok_r(NULL, ",", &save)) {
			struct group *g = group_find(tok);

			if (g)
				a->groups |= 1ULL << g->id;
		}
		free(copy);
	}
	a->pwhash = strdup(u->pwhash);
	a->disabled = u->disabled;
	a->status = AS_OFFLINE;
	return a->pwhash ? 0 : -1;
}

int
account_load_all(void)
{
	if (store_group_foreach(load_group, NULL) < 0 ||
	    store_user_foreach(load_user, NULL) < 0)
		return -1;
	return 0;
}

int
account_name_ok(const char *name)
{
	return proto_name_ok(name);
}

static int
check_groups(const char *groups, char *err, size_t errlen)
{
	uint64_t m;
	char bad[80];

	if (groups && group_mask_parse(groups, &m, bad, sizeof(bad)) < 0) {
		snprintf(err, errlen, "no such group '%s'", bad);
		return -1;
	}
	return 0;
}

int
account_create(const char *name, const char *role, const char *password,
    const char *pwhash, const char *display, int max_chats,
    const char *groups, char *err, size_t errlen)
{
	unsigned r = proto_role_parse(role);
	char *hash = NULL;
	const char *why;
	struct agent *a;
	int64_t id;

	if (!account_name_ok(name)) {
		snprintf(err, errlen, "bad name: 1-31 of A-Z a-z 0-9 _ . -");
		return -1;
	}
	if (r == 0) {
		snprintf(err, errlen, "role must be agent, supervisor or admin");
		return -1;
	}
	if (agent_find(name)) {
		snprintf(err, errlen, "user '%s' exists", name);
		return -1;
	}
	if (max_chats < 1 || max_chats > 100) {
		snprintf(err, errlen, "max must be 1..100");
		return -1;
	}
	if (display && strlen(display) >= DESK_NAME_MAX) {
		snprintf(err, errlen, "display name too long");
		return -1;
	}
	if (check_groups(groups, err, errlen) < 0)
		return -1;
	if (password) {
		if (!auth_password_ok(password, &why)) {
			snprintf(err, errlen, "%s", why);
			return -1;
		}
		hash = auth_hash(password);
		if (hash == NULL) {
			snprintf(err, errlen, "password hashing failed");
			return -1;
		}
	} else if (pwhash == NULL || pwhash[0] != '$') {
		snprintf(err, errlen, "a password or a crypt(3) hash is needed");
		return -1;
	}
	if (store_user_insert(name, role, display && *display ? display : name,
	    hash ? hash : pwhash, max_chats, groups ? groups : "", &id) < 0) {
		snprintf(err, errlen, "storage failed: %s", store_errmsg());
		free(hash);
		return -1;
	}
	a = agent_new();
	if (a == NULL) {
		free(hash);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	agent_fill(a, id, name, display, r, max_chats, groups);
	a->pwhash = hash ? hash : strdup(pwhash);
	return 0;
}

int
account_update(struct agent *a, const char *role, const char *display,
    int max_chats, const char *groups, char *err, size_t errlen)
{
	unsigned r = role ? proto_role_parse(role) : a->role;
	uint64_t mask = a->groups;
	char bad[80], gl[1024];

	if (r == 0) {
		snprintf(err, errlen, "role must be agent, supervisor or admin");
		return -1;
	}
	if (max_chats != 0 && (max_chats < 1 || max_chats > 100)) {
		snprintf(err, errlen, "max must be 1..100");
		return -1;
	}
	if (display && (strlen(display) >= DESK_NAME_MAX || !*display)) {
		snprintf(err, errlen, "display name must be 1-63 bytes");
		return -1;
	}
	if (groups && group_mask_parse(groups, &mask, bad, sizeof(bad)) < 0) {
		snprintf(err, errlen, "no such group '%s'", bad);
		return -1;
	}
	group_mask_format(mask, gl, sizeof(gl));
	if (store_user_update(a->name, proto_role_name(r),
	    display ? display : a->display, max_chats ? max_chats : a->max_chats,
	    gl) < 0) {
		snprintf(err, errlen, "storage failed: %s", store_errmsg());
		return -1;
	}
	a->role = r;
	if (display)
		snprintf(a->display, sizeof(a->display), "%s", display);
	if (max_chats)
		a->max_chats = max_chats;
	a->groups = mask;
	return 0;
}

int
account_set_password(struct agent *a, const char *password, char *err,
    size_t errlen)
{
	const char *why;
	char *hash;

	if (!auth_password_ok(password, &why)) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	if ((hash = auth_hash(password)) == NULL) {
		snprintf(err, errlen, "password hashing failed");
		return -1;
	}
	if (store_user_set_password(a->name, hash) < 0) {
		free(hash);
		snprintf(err, errlen, "storage failed: %s", store_errmsg());
		return -1;
	}
	free(a->pwhash);
	a->pwhash = hash;
	return 0;
}

int
account_set_disabled(struct agent *a, int disabled)
{
	if (store_user_set_disabled(a->name, disabled) < 0)
		return -1;
	a->disabled = disabled;
	return 0;
}

void
account_disable_logout(struct agent *a)
{
	session_end_others(a, NULL, "account disabled");
	chat_requeue_agent(a);	/* no grace: it cannot come back */
}

void
account_attach(struct agent *a, struct conn *c)
{
	struct conn **pp = &a->conn;

	while (*pp)
		pp = &(*pp)->anext;
	c->anext = NULL;
	*pp = c;
	c->agent = a;
	c->role = a->role;
	c->board = 0;		/* BOARD on is asked for after each login */
}

int
account_detach(struct agent *a, struct conn *c)
{
	for (struct conn **pp = &a->conn; *pp; pp = &(*pp)->anext)
		if (*pp == c) {
			*pp = c->anext;
			break;
		}
	c->anext = NULL;
	c->agent = NULL;
	c->role = ROLE_ANON;
	return a->conn == NULL;
}

int
account_nconns(const struct agent *a)
{
	int n = 0;

	for (const struct conn *c = a->conn; c; c = c->anext)
		n++;
	return n;
}

void
account_kick(struct conn *c, const char *why)
{
	struct pbuf *b = ev_begin();

	proto_put_word(b, "KICKED");
	proto_put_text(b, why, strlen(why));
	ev_send(c);
	c->closing = 1;
	if (c->agent)
		account_detach(c->agent, c);
}

void
account_logout(struct agent *a, const char *why)
{
	while (a->conn)
		account_kick(a->conn, why);
}

int
account_delete(struct agent *a)
{
	if (store_user_delete(a->name) < 0)
		return -1;
	a->deleted = 1;
	a->status = AS_OFFLINE;
	return 0;
}

static int
b64_ok(const char *s)
{
	size_t n = 0;

	for (; *s; s++, n++)
		if (!isalnum((unsigned char)*s) && *s != '+' && *s != '/' &&
		    *s != '=')
			return 0;
	return n >= 16 && n <= 16384;
}

int
account_parse_pubkey(char *line, const char **type, const char **blob,
    const char **comment, char *err, size_t errlen)
{
	static const char *types[] = { "ssh-ed25519", "ssh-rsa",
	    "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
	    "ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com" };
	char *save = NULL, *t, *b, *rest;
	int known = 0;

	t = strtok_r(line, " \t", &save);
	b = strtok_r(NULL, " \t", &save);
	rest = strtok_r(NULL, "", &save);
	if (t == NULL || b == NULL) {
		snprintf(err, errlen, "expected: <type> <base64> [comment]");
		return -1;
	}
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(t, types[i]) == 0)
			known = 1;
	if (!known) {
		snprintf(err, errlen, "unsupported key type '%.40s'", t);
		return -1;
	}
	if (!b64_ok(b)) {
		snprintf(err, errlen, "key data is not base64");
		return -1;
	}
	*type = t;
	*blob = b;
	*comment = rest ? rest : "";
	return 0;
}

int
account_default_group(const char *name)
{
	if (name == NULL || group_find(name) != NULL)
		return 0;
	if (store_group_insert(name, "auto", "") < 0 || group_add(name, 1, "") == NULL)
		return -1;
	log_info("created default group %s", name);
	return 0;
}

/*
 * One quick reply of the config into the empty table, checked like
 * REPLYADD (title, text, category, a short code free in its scope): a bad
 * one stops the start with its title named, rather than a reply nobody can
 * call up by its code.
 */
static int
seed_reply(const struct config_reply *c)
{
	struct store_reply r = { 0, c->group, NULL, c->cat ? c->cat : "",
	    c->code ? c->code : "", c->title, c->text, -1 };
	const char *why = cmd_reply_invalid(&r);
	int64_t taken = 0, id;

	if (why == NULL && r.code[0] != '\0' &&
	    store_reply_code_taken(r.code, r.group, NULL, 0, &taken) < 0)
		return -1;
	if (why == NULL && taken)
		why = "the code is taken there";
	if (why != NULL) {
		log_error("config: quick_replies: '%s': %s", c->title, why);
		return -1;
	}
	return store_reply_insert(&r, &id);
}

int
account_seed_from_config(void)
{
	struct config *cfg = &srv.cfg;
	char err[256];
	int64_t n = 0;

	for (int i = 0; i < cfg->ngroups; i++) {
		struct config_group *g = &cfg->groups[i];
		int au = g->mode && strcmp(g->mode, "auto") == 0, known;

		/* a group an admin deleted (GROUPDEL) stays deleted */
		if (store_group_known(g->name, &known) < 0)
			return -1;
		if (known || group_find(g->name))
			continue;
		if (store_group_insert(g->name, au ? "auto" : "manual",
		    g->description) < 0 ||
		    group_add(g->name, au, g->description) == NULL) {
			log_error("config: cannot create group %s", g->name);
			return -1;
		}
		log_info("created group %s (%s)", g->name, au ? "auto" : "manual");
	}
	if (account_default_group(srv.cfg.default_group) < 0)
		return -1;
	/* Seed accounts only into an empty desk: once accounts exist they are
	 * managed with USERADD/USERDEL or `kefud user`, and an account deleted
	 * there must not come back from the config at the next start. */
	int fresh = desk.agents == NULL;

	for (int i = 0; fresh && i < cfg->nusers; i++) {
		struct config_user *u = &cfg->users[i];

		if (agent_find(u->name))
			continue;
		if (account_create(u->name, u->role, u->password,
		    u->password_hash, u->display,
		    u->max_chats ? u->max_chats : cfg->agent_default_max,
		    u->groups, err, sizeof(err)) < 0) {
			log_error("config: user %s: %s", u->name, err);
			return -1;
		}
		log_info("created %s account %s from the config", u->role, u->name);
	}
	/* Quick replies likewise: only with the first accounts, so deleting
	 * them all does not bring the config's back at the next start (or at
	 * the next `kefud replies import`). */
	if (store_reply_count(&n) < 0)
		return -1;
	if (fresh && n == 0)
		for (int i = 0; i < cfg->nreplies; i++)
			if (seed_reply(&cfg->replies[i]) < 0)
				return -1;
	return store_commit();
}
