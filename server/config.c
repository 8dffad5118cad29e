/*
 * config.c - loading kefu.yml with libyaml.
 *
 * The whole file is loaded as a libyaml document tree and then walked with a
 * table of known keys, so that an unknown or misspelt key is an error with
 * its line number rather than a silently ignored setting. Strings are copied
 * out, so the document can be freed right after loading.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "config.h"
#include "config_int.h"
#include "proto.h"
#include "wrapup.h"

static char *
xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void
set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	set_str(&c->listen_tcp, "127.0.0.1:7707");
	set_str(&c->listen_unix, "run/kefud.sock");
	set_str(&c->listen_http, "127.0.0.1:7780");
	set_str(&c->http_allowed_origins, "");
	set_str(&c->http_trust_proxy, "");
	set_str(&c->http_prechat_required, "name,question");
	c->http_max_per_addr = 32;
	c->http_header_timeout = 10;
	c->http_ping_interval = 30;
	c->http_allow_login = 0;
	c->browse_max = 20000;
	c->browse_per_addr_max = 32;
	c->browse_linger = 30;
	c->invite_enabled = 1;
	c->invite_cooldown = 300;
	c->invite_timeout = 120;
	set_str(&c->database, "var/kefu.db");
	set_str(&c->log_level, "info");
	c->line_max = 8192;
	c->outbuf_max = 4 * 1024 * 1024;
	c->max_clients = 20000;
	c->anon_timeout = 30;
	c->per_addr_max = 32;
	c->ipv6_prefix = 64;
	c->unix_reserved = 16;
	c->msg_rate = 10;
	c->msg_burst = 30;
	c->chat_messages = 10000;
	c->chat_bytes = 1024 * 1024;
	c->commit_interval_us = 250;
	c->checkpoint_frames = 4000;
	c->wal_max_frames = 50000;
	c->backup_interval = 0;
	set_str(&c->backup_dir, "var/backups");
	set_str(&c->customer_fields, "");
	c->backup_keep = 7;
	c->backup_step_pages = 64;
	c->auth_max_failures = 5;
	c->auth_window = 300;
	set_str(&c->agent_default_status, "online");
	c->agent_default_max = 5;
	c->agent_max_connections = 4;
	set_str(&c->default_group, "general");
	set_str(&c->wrapup_categories, WRAPUP_DEFAULT);
	c->answer_timeout = 120;
	c->agent_grace = 60;
	c->resume_timeout = 300;
	c->hello_rate = 30;
	c->visitor_per_addr_max = 20;
	c->ssh_enabled = 0;
	set_str(&c->ssh_listen, "127.0.0.1:2222");
	set_str(&c->ssh_host_key, "var/ssh_host_ed25519_key");
	set_str(&c->ssh_secret_file, "run/gateway.secret");
	set_str(&c->ssh_console, "kefu");
	set_str(&c->ssh_gateway, "kefud-ssh");
	c->ssh_max_sessions = 200;
	c->ssh_idle_timeout = 3600;
	c->ssh_max_auth_failures = 6;
	c->ssh_login_grace = 20;
	c->ssh_startups[0] = 10;	/* OpenSSH's MaxStartups 10:30:100 */
	c->ssh_startups[1] = 30;
	c->ssh_startups[2] = 100;
	c->ssh_per_source_startups = 10;
	c->designated_wait = 60;
	set_str(&c->bot_name, "bot");
	c->bot_threshold = 0.6;
	c->bot_max_misses = 2;
	set_str(&c->bot_handoff_words, "人工,转人工,agent,human");
	set_str(&c->bot_miss_reply, "Sorry, I have no answer to that. Ask in "
	    "other words, or say \"agent\" to talk to a person.");
	set_str(&c->bot_handoff_reply, "I am passing you to a person; "
	    "please wait a moment.");
}

static void
free_user(struct config_user *u)
{
	free(u->name);
	free(u->role);
	free(u->password);
	free(u->password_hash);
	free(u->display);
	free(u->groups);
}

void
config_free(struct config *c)
{
	char **strs[] = { &c->path, &c->listen_tcp, &c->listen_unix,
	    &c->database, &c->log_level, &c->agent_default_status,
	    &c->default_group, &c->ssh_listen, &c->ssh_host_key,
	    &c->ssh_secret_file, &c->ssh_console, &c->ssh_gateway,
	    &c->listen_http, &c->http_allowed_origins, &c->http_trust_proxy,
	    &c->http_prechat_required, &c->backup_dir, &c->customer_fields,
	    &c->wrapup_categories, &c->geoip_db, &c->bot_name,
	    &c->bot_handoff_words, &c->bot_miss_reply, &c->bot_handoff_reply };

	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		free(*strs[i]);
		*strs[i] = NULL;
	}
	for (int i = 0; i < c->ngroups; i++)
		config_free_group(&c->groups[i]);
	for (int i = 0; i < c->nusers; i++)
		free_user(&c->users[i]);
	for (int i = 0; i < c->nreplies; i++) {
		free(c->replies[i].title);
		free(c->replies[i].group);
		free(c->replies[i].text);
		free(c->replies[i].cat);
		free(c->replies[i].code);
	}
	for (int i = 0; i < c->nregions; i++) {
		free(c->regions[i].cidr);
		free(c->regions[i].country);
		free(c->regions[i].region);
		free(c->regions[i].group);
	}
	c->ngroups = c->nusers = c->nreplies = c->nregions = 0;
}

int
config_fail(struct cfg_ctx *x, yaml_node_t *n, const char *fmt, const char *what)
{
	snprintf(x->err, x->errlen, "line %lu: ", n ?
	    (unsigned long)n->start_mark.line + 1 : 0UL);
	size_t l = strlen(x->err);
	snprintf(x->err + l, x->errlen - l, fmt, what);
	return -1;
}

static const char *
scalar(yaml_node_t *n)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)n->data.scalar.value;
}

int
config_get_str(struct cfg_ctx *x, yaml_node_t *n, const char *key, char **dst)
{
	const char *v = scalar(n);

	if (v == NULL)
		return config_fail(x, n, "%s: expected a string", key);
	set_str(dst, v);
	return *dst ? 0 : config_fail(x, n, "%s: out of memory", key);
}

int
config_get_categories(struct cfg_ctx *x, yaml_node_t *n, const char *key, char **dst)
{
	if (config_get_str(x, n, key, dst) < 0)
		return -1;
	return wrapup_categories_valid(*dst) ? 0 :
	    config_fail(x, n, "%s: " WRAPUP_RULE, key);
}

int
config_get_int(struct cfg_ctx *x, yaml_node_t *n, const char *key, long long min,
    long long max, long long *out)
{
	const char *v = scalar(n);
	char *end;
	long long r;

	if (v == NULL || *v == '\0')
		return config_fail(x, n, "%s: expected a number", key);
	errno = 0;
	r = strtoll(v, &end, 10);
	if (errno || *end != '\0' || r < min || r > max)
		return config_fail(x, n, "%s: not a number in the allowed range", key);
	*out = r;
	return 0;
}

static int
get_bool(struct cfg_ctx *x, yaml_node_t *n, const char *key, int *out)
{
	const char *v = scalar(n);

	if (v && (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on")))
		*out = 1;
	else if (v && (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "off")))
		*out = 0;
	else
		return config_fail(x, n, "%s: expected true or false", key);
	return 0;
}

/* A number above lo, at most hi. */
static int
get_double(struct cfg_ctx *x, yaml_node_t *n, const char *key, double lo,
    double hi, double *out)
{
	const char *s = scalar(n);
	char *end;
	double d;

	if (s == NULL)
		return config_fail(x, n, "%s: expected a number", key);
	errno = 0;
	d = strtod(s, &end);
	if (errno || *end || !(d > lo && d <= hi))
		return config_fail(x, n, "%s: not a number in the allowed range",
		    key);
	*out = d;
	return 0;
}

#define INT_KEY(k, field, lo, hi) \
	if (strcmp(path, k) == 0) { \
		long long v_; \
		if (config_get_int(x, val, k, lo, hi, &v_) < 0) return -1; \
		c->field = v_; \
		return 0; \
	}
#define STR_KEY(k, field) \
	if (strcmp(path, k) == 0) \
		return config_get_str(x, val, k, &c->field);

static int
set_scalar(struct cfg_ctx *x, const char *path, yaml_node_t *val)
{
	struct config *c = x->c;

	STR_KEY("listen.tcp", listen_tcp)
	STR_KEY("listen.unix", listen_unix)
	STR_KEY("listen.http", listen_http)
	STR_KEY("http.allowed_origins", http_allowed_origins)
	STR_KEY("http.trust_proxy", http_trust_proxy)
	STR_KEY("http.prechat_required", http_prechat_required)
	INT_KEY("http.max_per_addr", http_max_per_addr, 1, 1000000)
	INT_KEY("http.header_timeout", http_header_timeout, 1, 3600)
	INT_KEY("http.ping_interval", http_ping_interval, 0, 86400)
	if (strcmp(path, "http.allow_login") == 0)
		return get_bool(x, val, path, &c->http_allow_login);
	INT_KEY("browse.max", browse_max, 0, 1000000)
	INT_KEY("browse.per_addr_max", browse_per_addr_max, 1, 1000000)
	INT_KEY("browse.linger", browse_linger, 0, 3600)
	if (strcmp(path, "invite.enabled") == 0)
		return get_bool(x, val, path, &c->invite_enabled);
	INT_KEY("invite.cooldown", invite_cooldown, 0, 86400)
	INT_KEY("invite.timeout", invite_timeout, 0, 86400)
	STR_KEY("database", database)
	STR_KEY("customers.fields", customer_fields)
	STR_KEY("log_level", log_level)
	INT_KEY("limits.line_max", line_max, 256, 1 << 20)
	INT_KEY("limits.outbuf_max", outbuf_max, 65536, 1LL << 30)
	INT_KEY("limits.max_clients", max_clients, 16, 1000000)
	INT_KEY("limits.anon_timeout", anon_timeout, 0, 86400)
	INT_KEY("limits.per_addr_max", per_addr_max, 0, 1000000)
	INT_KEY("limits.ipv6_prefix", ipv6_prefix, 16, 128)
	INT_KEY("limits.unix_reserved", unix_reserved, 0, 1000000)
	INT_KEY("limits.msg_burst", msg_burst, 1, 100000)
	INT_KEY("limits.chat_messages", chat_messages, 0, 100000000)
	INT_KEY("limits.chat_bytes", chat_bytes, 0, 1LL << 40)
	if (strcmp(path, "limits.msg_rate") == 0)
		return get_double(x, val, path, 0, 1e6, &c->msg_rate);
	INT_KEY("store.commit_interval_us", commit_interval_us, 0, 1000000)
	INT_KEY("store.checkpoint_frames", checkpoint_frames, 100, 10000000)
	INT_KEY("store.wal_max_frames", wal_max_frames, 100, 100000000)
	INT_KEY("backup.interval", backup_interval, 0, 30 * 86400)
	STR_KEY("backup.dir", backup_dir)
	INT_KEY("backup.keep", backup_keep, 1, 10000)
	INT_KEY("backup.step_pages", backup_step_pages, 1, 1000000)
	INT_KEY("auth.max_failures", auth_max_failures, 1, 1000)
	INT_KEY("auth.window", auth_window, 1, 86400)
	if (strcmp(path, "auth.ticket_tcp") == 0)
		return get_bool(x, val, path, &c->auth_ticket_tcp);
	STR_KEY("agent.default_status", agent_default_status)
	INT_KEY("agent.default_max_chats", agent_default_max, 1, 100)
	INT_KEY("agent.max_connections", agent_max_connections, 1, 64)
	STR_KEY("routing.default_group", default_group)
	if (strcmp(path, "wrapup.categories") == 0)
		return config_get_categories(x, val, path, &c->wrapup_categories);
	STR_KEY("routing.geoip_db", geoip_db)
	INT_KEY("routing.answer_timeout", answer_timeout, 0, 86400)
	INT_KEY("routing.agent_grace", agent_grace, 0, 86400)
	INT_KEY("visitor.resume_timeout", resume_timeout, 0, 7 * 86400)
	INT_KEY("shutdown.drain_timeout", drain_timeout, 0, 86400)
	INT_KEY("routing.designated_wait", designated_wait, 0, 86400)
	STR_KEY("bot.name", bot_name)
	STR_KEY("bot.handoff_words", bot_handoff_words)
	STR_KEY("bot.miss_reply", bot_miss_reply)
	STR_KEY("bot.handoff_reply", bot_handoff_reply)
	INT_KEY("bot.max_misses", bot_max_misses, 1, 100)
	if (strcmp(path, "bot.threshold") == 0)
		return get_double(x, val, path, 0, 1, &c->bot_threshold);
	if (strcmp(path, "testing.now") == 0) {
		const char *v = scalar(val);

		if (v == NULL || hours_parse_iso(v, &c->test_now) < 0)
			return config_fail(x, val, "%s: expected YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM]",
			    path);
		return 0;
	}
	INT_KEY("visitor.hello_rate", hello_rate, 0, 1000000)
	INT_KEY("visitor.per_addr_max", visitor_per_addr_max, 0, 1000000)
	if (strcmp(path, "ssh.enabled") == 0)
		return get_bool(x, val, path, &c->ssh_enabled);
	STR_KEY("ssh.listen", ssh_listen)
	STR_KEY("ssh.host_key", ssh_host_key)
	STR_KEY("ssh.secret_file", ssh_secret_file)
	STR_KEY("ssh.console", ssh_console)
	STR_KEY("ssh.gateway", ssh_gateway)
	INT_KEY("ssh.max_sessions", ssh_max_sessions, 1, 100000)
	INT_KEY("ssh.idle_timeout", ssh_idle_timeout, 0, 7 * 86400)
	INT_KEY("ssh.max_auth_failures", ssh_max_auth_failures, 1, 100)
	INT_KEY("ssh.login_grace", ssh_login_grace, 1, 3600)
	INT_KEY("ssh.per_source_max_startups", ssh_per_source_startups, 1, 100000)
	if (strcmp(path, "ssh.max_startups") == 0) {
		const char *v = scalar(val);

		if (v == NULL || proto_parse_startups(v, 100000, c->ssh_startups) < 0)
			return config_fail(x, val, "%s: expected START:RATE:FULL (1 <= "
			    "START <= FULL, RATE 0-100) or a number", path);
		return 0;
	}
	return config_fail(x, val, "unknown key '%s'", path);
}

typedef int item_proc(struct cfg_ctx *x, const char *key, yaml_node_t *val,
    void *item);

/* Walk a sequence of mappings, calling proc for each key of each item. */
static int
walk_list(struct cfg_ctx *x, yaml_node_t *seq, const char *what, int *count,
    int max, void *items, size_t itemsize, item_proc *proc)
{
	yaml_node_item_t *it;

	if (seq->type != YAML_SEQUENCE_NODE)
		return config_fail(x, seq, "%s: expected a list", what);
	for (it = seq->data.sequence.items.start;
	    it < seq->data.sequence.items.top; it++) {
		yaml_node_t *m = yaml_document_get_node(x->doc, *it);
		yaml_node_pair_t *p;
		void *item;

		if (m == NULL || m->type != YAML_MAPPING_NODE)
			return config_fail(x, m, "%s: each entry must be a mapping", what);
		if (*count >= max)
			return config_fail(x, m, "%s: too many entries", what);
		item = (char *)items + (size_t)(*count) * itemsize;
		memset(item, 0, itemsize);
		(*count)++;
		for (p = m->data.mapping.pairs.start;
		    p < m->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(x->doc, p->key);
			yaml_node_t *v = yaml_document_get_node(x->doc, p->value);
			const char *ks = scalar(k);

			if (ks == NULL || v == NULL)
				return config_fail(x, k, "%s: bad key", what);
			if (proc(x, ks, v, item) < 0)
				return -1;
		}
	}
	return 0;
}

/* A scalar, or a list of scalars joined with ',', into buf. */
int
config_get_joined(struct cfg_ctx *x, yaml_node_t *n, const char *key, char *buf,
    size_t len)
{
	yaml_node_item_t *it;
	size_t used = 0;

	if (scalar(n)) {
		if (strlen(scalar(n)) >= len)
			return config_fail(x, n, "%s: too long", key);
		memcpy(buf, scalar(n), strlen(scalar(n)) + 1);
		return 0;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return config_fail(x, n, "%s: expected a string or a list", key);
	buf[0] = '\0';
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	    it++) {
		const char *v = scalar(yaml_document_get_node(x->doc, *it));
		int k;

		if (v == NULL)
			return config_fail(x, n, "%s: list items must be strings", key);
		k = snprintf(buf + used, len - used, "%s%s", used ? "," : "", v);
		if (k < 0 || (size_t)k >= len - used)
			return config_fail(x, n, "%s: too long", key);
		used += (size_t)k;
	}
	return 0;
}

static int
user_item(struct cfg_ctx *x, const char *k, yaml_node_t *v, void *item)
{
	struct config_user *u = item;

	if (!strcmp(k, "name")) return config_get_str(x, v, "users.name", &u->name);
	if (!strcmp(k, "role")) return config_get_str(x, v, "users.role", &u->role);
	if (!strcmp(k, "password")) return config_get_str(x, v, "users.password", &u->password);
	if (!strcmp(k, "password_hash"))
		return config_get_str(x, v, "users.password_hash", &u->password_hash);
	if (!strcmp(k, "display")) return config_get_str(x, v, "users.display", &u->display);
	if (!strcmp(k, "groups")) return config_get_str(x, v, "users.groups", &u->groups);
	if (!strcmp(k, "max_chats")) {
		long long n;

		if (config_get_int(x, v, "users.max_chats", 1, 100, &n) < 0)
			return -1;
		u->max_chats = (int)n;
		return 0;
	}
	return config_fail(x, v, "users: unknown key '%s'", k);
}

static int
reply_item(struct cfg_ctx *x, const char *k, yaml_node_t *v, void *item)
{
	struct config_reply *r = item;

	if (!strcmp(k, "title")) return config_get_str(x, v, "quick_replies.title", &r->title);
	if (!strcmp(k, "group")) return config_get_str(x, v, "quick_replies.group", &r->group);
	if (!strcmp(k, "text")) return config_get_str(x, v, "quick_replies.text", &r->text);
	if (!strcmp(k, "cat")) return config_get_str(x, v, "quick_replies.cat", &r->cat);
	if (!strcmp(k, "code")) return config_get_str(x, v, "quick_replies.code", &r->code);
	return config_fail(x, v, "quick_replies: unknown key '%s'", k);
}

static int
walk_map(struct cfg_ctx *x, yaml_node_t *map, const char *prefix, int depth)
{
	yaml_node_pair_t *p;

	if (depth > 4)
		return config_fail(x, map, "%s: nested too deeply", prefix);
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	    p++) {
		yaml_node_t *k = yaml_document_get_node(x->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(x->doc, p->value);
		const char *ks = scalar(k);
		char path[128];
		int r;

		if (ks == NULL || v == NULL)
			return config_fail(x, k, "%s", "keys must be plain strings");
		if ((size_t)snprintf(path, sizeof(path), "%s%s%s", prefix,
		    *prefix ? "." : "", ks) >= sizeof(path))
			return config_fail(x, k, "%s", "key too long");
		if (depth == 0 && !strcmp(ks, "groups")) {
			r = walk_list(x, v, "groups", &x->c->ngroups,
			    CONFIG_MAX_GROUPS, x->c->groups,
			    sizeof(x->c->groups[0]), config_group_item);
		} else if (depth == 0 && !strcmp(ks, "users")) {
			r = walk_list(x, v, "users", &x->c->nusers,
			    CONFIG_MAX_USERS, x->c->users,
			    sizeof(x->c->users[0]), user_item);
		} else if (depth == 0 && !strcmp(ks, "quick_replies")) {
			r = walk_list(x, v, "quick_replies", &x->c->nreplies,
			    CONFIG_MAX_REPLIES, x->c->replies,
			    sizeof(x->c->replies[0]), reply_item);
		} else if (!strcmp(path, "customers.fields") &&
		    v->type == YAML_SEQUENCE_NODE) {
			char buf[CONFIG_FIELDS_MAX * 34];

			r = config_get_joined(x, v, path, buf, sizeof(buf));
			if (r == 0) {
				set_str(&x->c->customer_fields, buf);
				if (x->c->customer_fields == NULL)
					r = config_fail(x, v, "%s: out of memory", path);
			}
		} else if (!strcmp(path, "routing.regions")) {
			r = walk_list(x, v, path, &x->c->nregions,
			    CONFIG_MAX_REGIONS, x->c->regions,
			    sizeof(x->c->regions[0]), config_region_item);
		} else if (v->type == YAML_MAPPING_NODE)
			r = walk_map(x, v, path, depth + 1);
		else if (v->type == YAML_SCALAR_NODE)
			r = set_scalar(x, path, v);
		else
			r = config_fail(x, v, "%s: unexpected list", path);
		if (r < 0)
			return -1;
	}
	return 0;
}

static int
check(struct cfg_ctx *x)
{
	struct config *c = x->c;

	for (int i = 0; i < c->ngroups; i++)
		if (c->groups[i].name == NULL)
			return config_fail(x, NULL, "%s: an entry has no name", "groups");
	for (int i = 0; i < c->nusers; i++) {
		struct config_user *u = &c->users[i];

		if (u->name == NULL || u->role == NULL)
			return config_fail(x, NULL, "%s: an entry has no name or role", "users");
		if (strcmp(u->role, "agent") && strcmp(u->role, "supervisor") &&
		    strcmp(u->role, "admin"))
			return config_fail(x, NULL, "users: bad role for '%s'", u->name);
		if (u->password == NULL && u->password_hash == NULL)
			return config_fail(x, NULL, "users: '%s' needs password or password_hash", u->name);
	}
	for (int i = 0; i < c->nreplies; i++)
		if (c->replies[i].title == NULL || c->replies[i].text == NULL)
			return config_fail(x, NULL, "%s: an entry needs title and text", "quick_replies");
	for (int i = 0; i < c->nregions; i++) {
		struct config_region *r = &c->regions[i];

		if (r->group == NULL || !r->cidr == !r->country ||
		    (r->region && !r->country))
			return config_fail(x, NULL, "%s: each rule needs group and one of "
			    "cidr or country (region only with country)",
			    "routing.regions");
	}
	if (c->wal_max_frames < c->checkpoint_frames)
		return config_fail(x, NULL, "%s: must be at least store.checkpoint_frames",
		    "store.wal_max_frames");
	if (strcmp(c->agent_default_status, "online") &&
	    strcmp(c->agent_default_status, "away") &&
	    strcmp(c->agent_default_status, "busy") &&
	    strcmp(c->agent_default_status, "offline"))
		return config_fail(x, NULL, "%s: must be online, away, busy or offline",
		    "agent.default_status");
	if (!config_fields_valid(c->customer_fields))
		return config_fail(x, NULL, "%s: at most 32 names, each 1-32 of a-z 0-9 _",
		    "customers.fields");
	for (const char *p = c->http_prechat_required; *p; ) {
		size_t n;

		p += strspn(p, " ,");
		n = strcspn(p, " ,");
		if (n > 0 && !config_list_has("name,email,phone,question", p, n))
			return config_fail(x, NULL, "%s: only name, email, phone and question",
			    "http.prechat_required");
		p += n;
	}
	return 0;
}

int
config_load_buffer(struct config *c, const char *data, size_t len, char *err,
    size_t errlen)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	struct cfg_ctx x = { c, &doc, err, errlen };
	int r = 0;

	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, errlen, "line %lu: %s",
		    (unsigned long)parser.problem_mark.line + 1,
		    parser.problem ? parser.problem : "YAML syntax error");
		yaml_parser_delete(&parser);
		return -1;
	}
	root = yaml_document_get_root_node(&doc);
	if (root != NULL) {	/* empty file: defaults */
		if (root->type != YAML_MAPPING_NODE)
			r = config_fail(&x, root, "%s", "the top level must be a mapping");
		else
			r = walk_map(&x, root, "", 0);
	}
	if (r == 0)
		r = check(&x);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return r;
}

int
config_load(struct config *c, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	int r;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (cap - len < 4096) {
			char *nb;

			if (cap > (4u << 20)) {
				fclose(f);
				free(buf);
				snprintf(err, errlen, "%s: file too large", path);
				return -1;
			}
			nb = realloc(buf, cap + 65536);
			if (nb == NULL) {
				fclose(f);
				free(buf);
				snprintf(err, errlen, "%s: out of memory", path);
				return -1;
			}
			buf = nb;
			cap += 65536;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		fclose(f);
		free(buf);
		snprintf(err, errlen, "%s: read error", path);
		return -1;
	}
	fclose(f);
	r = config_load_buffer(c, buf, len, err, errlen);
	free(buf);
	if (r < 0) {
		char tmp[512];

		snprintf(tmp, sizeof(tmp), "%s: %s", path, err);
		snprintf(err, errlen, "%s", tmp);
		return -1;
	}
	set_str(&c->path, path);
	return 0;
}

int
config_fields_valid(const char *s)
{
	int n = 0;

	while (*s) {
		size_t w;

		s += strspn(s, " ,");
		if (*s == '\0')
			break;
		w = strcspn(s, " ,");
		if (w > 32 || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") < w ||
		    ++n > CONFIG_FIELDS_MAX)
			return 0;
		s += w;
	}
	return 1;
}

int
config_bot_mode(const char *s)
{
	static const char *const modes[] = { "off", "front", "after-hours" };

	for (int i = 0; i < 3; i++)
		if (strcmp(s, modes[i]) == 0)
			return i;
	return -1;
}

int
config_list_has(const char *list, const char *word, size_t wordlen)
{
	const char *p = list;

	while (p && *p) {
		size_t n;

		p += strspn(p, " ,");
		n = strcspn(p, " ,");
		if (n > 0 && n == wordlen && strncmp(p, word, n) == 0)
			return 1;
		p += n;
	}
	return 0;
}

int
config_split_hostport(const char *s, char *host, size_t hostlen, int *port)
{
	const char *colon;
	size_t hl;
	long p;
	char *end;

	if (s == NULL || *s == '\0')
		return -1;
	if (*s == '[') {
		const char *rb = strchr(s, ']');

		if (rb == NULL || rb[1] != ':')
			return -1;
		hl = (size_t)(rb - s - 1);
		s++;
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL)
			return -1;
		hl = (size_t)(colon - s);
	}
	if (hl == 0 || hl >= hostlen)
		return -1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	errno = 0;
	p = strtol(colon + 1, &end, 10);
	if (errno || *end || p < 0 || p > 65535 || end == colon + 1)
		return -1;
	*port = (int)p;
	return 0;
}
