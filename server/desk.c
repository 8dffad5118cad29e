/*
 * desk.c - the in-memory model: groups, agent accounts, the chat index.
 *
 * Lookups that happen per message (chat by id) use a hash table; lookups that
 * happen per login or per routing decision (agent by name, agents of a group)
 * walk short lists: a desk has hundreds of agents, not millions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desk.h"

struct desk desk;

int
desk_init(void)
{
	memset(&desk, 0, sizeof(desk));
	desk.chat_tab_size = 1024;
	desk.chat_tab = calloc(desk.chat_tab_size, sizeof(*desk.chat_tab));
	return desk.chat_tab ? 0 : -1;
}

void
chat_free(struct chat *c)
{
	free(c->question);
	free(c->xfer_note);
	free(c->left_name);
	free(c);
}

void
chat_release_visitor(struct chat *c)
{
	if (c->visitor == NULL)
		return;
	c->left_visitor = c->visitor->id;
	free(c->left_name);
	c->left_name = c->visitor->name ? strdup(c->visitor->name) : NULL;
	c->visitor = NULL;
}

int64_t
chat_visitor_id(const struct chat *c)
{
	return c->visitor ? c->visitor->id : c->left_visitor;
}

const char *
chat_visitor_name(const struct chat *c)
{
	if (c->visitor)
		return c->visitor->name ? c->visitor->name : "";
	return c->left_name ? c->left_name : "";
}

void
visitor_free(struct visitor *v)
{
	free(v->name);
	free(v->email);
	free(v->lang);
	free(v->referrer);
	free(v->addr);
	free(v);
}

void
desk_free(void)
{
	struct agent *a, *an;

	for (size_t i = 0; i < desk.chat_tab_size; i++) {
		struct chat *c = desk.chat_tab[i], *cn;

		for (; c; c = cn) {
			cn = c->hnext;
			if (c->visitor && c->visitor->chat == c) {
				c->visitor->chat = NULL;
				if (c->visitor->conn == NULL)
					visitor_free(c->visitor);
			}
			chat_free(c);
		}
	}
	free(desk.chat_tab);
	for (a = desk.agents; a; a = an) {
		an = a->next;
		free(a->pwhash);
		free(a);
	}
	for (int i = 0; i < desk.ngroups; i++)
		free(desk.groups[i].description);
	memset(&desk, 0, sizeof(desk));
}

struct group *
group_find(const char *name)
{
	for (int i = 0; i < desk.ngroups; i++)
		if (!desk.groups[i].deleted &&
		    strcmp(desk.groups[i].name, name) == 0)
			return &desk.groups[i];
	return NULL;
}

struct group *
group_by_id(int id)
{
	return id >= 0 && id < desk.ngroups ? &desk.groups[id] : NULL;
}

/* 1 if a chat still in memory (ended ones too) belongs to g. */
static int
group_referenced(const struct group *g)
{
	for (size_t i = 0; i < desk.chat_tab_size; i++)
		for (struct chat *c = desk.chat_tab[i]; c; c = c->hnext)
			if (c->group == g)
				return 1;
	return 0;
}

struct group *
group_add(const char *name, int auto_route, const char *desc)
{
	struct group *g = NULL;
	int id;

	if (strlen(name) >= DESK_NAME_MAX)
		return NULL;
	for (int i = 0; i < desk.ngroups && g == NULL; i++)
		if (desk.groups[i].deleted && !group_referenced(&desk.groups[i]))
			g = &desk.groups[i];	/* its bit is in no mask */
	if (g == NULL) {
		if (desk.ngroups >= DESK_MAX_GROUPS)
			return NULL;
		g = &desk.groups[desk.ngroups++];
	}
	id = (int)(g - desk.groups);
	memset(g, 0, sizeof(*g));
	g->id = id;
	strcpy(g->name, name);
	g->auto_route = auto_route;
	g->description = strdup(desc ? desc : "");
	return g;
}

void
group_remove(struct group *g)
{
	g->auto_route = 0;
	g->deleted = 1;		/* name kept for the ended chats still shown */
}

int
group_count(void)
{
	int n = 0;

	for (int i = 0; i < desk.ngroups; i++)
		n += !desk.groups[i].deleted;
	return n;
}

int
group_mask_parse(const char *list, uint64_t *mask, char *bad, size_t badlen)
{
	char name[DESK_NAME_MAX];
	const char *p = list;

	*mask = 0;
	while (*p) {
		size_t n = strcspn(p, ",");
		struct group *g;

		if (n == 0 || n >= sizeof(name)) {
			snprintf(bad, badlen, "%.*s", (int)(n < 60 ? n : 60), p);
			return -1;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		if ((g = group_find(name)) == NULL) {
			snprintf(bad, badlen, "%s", name);
			return -1;
		}
		*mask |= 1ULL << g->id;
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

void
group_mask_format(uint64_t mask, char *out, size_t outlen)
{
	size_t used = 0;

	out[0] = '\0';
	for (int i = 0; i < desk.ngroups; i++) {
		int n;

		if (!(mask & (1ULL << i)) || desk.groups[i].deleted)
			continue;
		n = snprintf(out + used, outlen - used, "%s%s", used ? "," : "",
		    desk.groups[i].name);
		if (n < 0 || (size_t)n >= outlen - used)
			break;
		used += (size_t)n;
	}
}

struct agent *
agent_find(const char *name)
{
	for (struct agent *a = desk.agents; a; a = a->next)
		if (!a->deleted && strcmp(a->name, name) == 0)
			return a;
	return NULL;
}

struct agent *
agent_new(void)
{
	struct agent *a = calloc(1, sizeof(*a)), **tail;

	if (a == NULL)
		return NULL;
	for (tail = &desk.agents; *tail; tail = &(*tail)->next)
		;
	*tail = a;
	return a;
}

const char *
agent_status_name(enum agent_status s)
{
	switch (s) {
	case AS_ONLINE: return "online";
	case AS_AWAY: return "away";
	case AS_BUSY: return "busy";
	case AS_OFFLINE: break;
	}
	return "offline";
}

int
agent_status_parse(const char *s, enum agent_status *out)
{
	if (!strcmp(s, "online")) *out = AS_ONLINE;
	else if (!strcmp(s, "away")) *out = AS_AWAY;
	else if (!strcmp(s, "busy")) *out = AS_BUSY;
	else if (!strcmp(s, "offline")) *out = AS_OFFLINE;
	else return -1;
	return 0;
}

int
agent_in_chat(const struct agent *a, const struct chat *c)
{
	if (c->agent == a)
		return 1;
	for (int i = 0; i < CHAT_MAX_WATCH; i++)
		if (c->invited[i] == a)
			return 1;
	return 0;
}

static size_t
chat_slot(int64_t id)
{
	uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ULL;

	return (size_t)(h >> 20) & (desk.chat_tab_size - 1);
}

struct chat *
chat_find(int64_t id)
{
	for (struct chat *c = desk.chat_tab[chat_slot(id)]; c; c = c->hnext)
		if (c->id == id)
			return c;
	return NULL;
}

static void
chat_rehash(void)
{
	size_t oldsize = desk.chat_tab_size, nsize = oldsize * 2;
	struct chat **old = desk.chat_tab, **nt = calloc(nsize, sizeof(*nt));

	if (nt == NULL)
		return;		/* keep the smaller table: slower, still correct */
	desk.chat_tab = nt;
	desk.chat_tab_size = nsize;
	for (size_t i = 0; i < oldsize; i++) {
		struct chat *c = old[i], *n;

		for (; c; c = n) {
			size_t s = chat_slot(c->id);

			n = c->hnext;
			c->hnext = nt[s];
			nt[s] = c;
		}
	}
	free(old);
}

void
chat_index(struct chat *c)
{
	size_t s;

	if (desk.nchats >= desk.chat_tab_size)
		chat_rehash();
	s = chat_slot(c->id);
	c->hnext = desk.chat_tab[s];
	desk.chat_tab[s] = c;
	desk.nchats++;
}

void
chat_unindex(struct chat *c)
{
	struct chat **pp = &desk.chat_tab[chat_slot(c->id)];

	for (; *pp; pp = &(*pp)->hnext)
		if (*pp == c) {
			*pp = c->hnext;
			desk.nchats--;
			return;
		}
}
