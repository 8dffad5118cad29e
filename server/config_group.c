/*
 * config_group.c - the entries of groups: in kefu.yml (config.h's struct
 * config_group): their keys (mode, texts, working hours, contact fields,
 * wrap-up categories), finding one by name, and handing a reload's groups
 * over to the running configuration.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "config.h"
#include "config_int.h"
#include "wrapup.h"

void
config_free_group(struct config_group *g)
{
	free(g->name);
	free(g->mode);
	free(g->description);
	free(g->leave_require);
	free(g->closed_message);
	free(g->greeting);
	free(g->wait_reply);
	free(g->wrapup_categories);
}

/* The working-hours keys of a group (see hours.h); 1: not one of them. */
static int
group_hours_item(struct cfg_ctx *x, const char *k, yaml_node_t *v,
    struct config_group *g)
{
	char buf[8192], err[160];
	int r = 0;

	if (!strcmp(k, "wait_reply_after")) {
		long long n;

		if (config_get_int(x, v, "groups.wait_reply_after", 1, 86400, &n) < 0)
			return -1;
		g->wait_reply_after = (int)n;
		return 0;
	}
	if (strcmp(k, "timezone") && strcmp(k, "hours") &&
	    strcmp(k, "holidays") && strcmp(k, "workdays"))
		return 1;
	if (config_get_joined(x, v, k, buf, sizeof(buf)) < 0)
		return -1;
	if (!strcmp(k, "timezone"))
		r = hours_set_tz(&g->hours, buf, err, sizeof(err));
	else if (!strcmp(k, "hours"))
		r = hours_parse_week(&g->hours, buf, err, sizeof(err));
	else if (!strcmp(k, "holidays"))
		r = hours_parse_dates(g->hours.holidays, &g->hours.nholidays, buf,
		    err, sizeof(err));
	else
		r = hours_parse_dates(g->hours.workdays, &g->hours.nworkdays, buf,
		    err, sizeof(err));
	if (r < 0) {
		char what[200];

		snprintf(what, sizeof(what), "groups.%s: %s", k, err);
		return config_fail(x, v, "%s", what);
	}
	return 0;
}

int
config_group_item(struct cfg_ctx *x, const char *k, yaml_node_t *v, void *item)
{
	struct config_group *g = item;

	if (!strcmp(k, "name")) return config_get_str(x, v, "groups.name", &g->name);
	if (!strcmp(k, "mode")) {
		if (config_get_str(x, v, "groups.mode", &g->mode) < 0)
			return -1;
		if (strcmp(g->mode, "manual") && strcmp(g->mode, "auto"))
			return config_fail(x, v, "%s: must be manual or auto", "groups.mode");
		return 0;
	}
	if (!strcmp(k, "description"))
		return config_get_str(x, v, "groups.description", &g->description);
	if (!strcmp(k, "bot")) {
		const char *m = v->type == YAML_SCALAR_NODE ?
		    (const char *)v->data.scalar.value : NULL;

		if (m && (g->bot = config_bot_mode(m)) >= 0)
			return 0;
		return config_fail(x, v, "%s: must be off, front or after-hours",
		    "groups.bot");
	}
	if (!strcmp(k, "closed_message"))
		return config_get_str(x, v, "groups.closed_message", &g->closed_message);
	if (!strcmp(k, "greeting"))
		return config_get_str(x, v, "groups.greeting", &g->greeting);
	if (!strcmp(k, "wait_reply"))
		return config_get_str(x, v, "groups.wait_reply", &g->wait_reply);
	if (!strcmp(k, "wrapup_categories"))
		return config_get_categories(x, v, "groups.wrapup_categories",
		    &g->wrapup_categories);
	if (!strcmp(k, "leave_message_require")) {
		if (config_get_str(x, v, "groups.leave_message_require",
		    &g->leave_require) < 0)
			return -1;
		if (!config_require_valid(g->leave_require))
			return config_fail(x, v, "%s: a comma list of name, phone, email "
			    "or alternatives like phone|email",
			    "groups.leave_message_require");
		return 0;
	}
	int r = group_hours_item(x, k, v, g);

	if (r <= 0)
		return r;
	return config_fail(x, v, "groups: unknown key '%s'", k);
}

const struct config_group *
config_group_find(const struct config *c, const char *name)
{
	for (int i = 0; i < c->ngroups; i++)
		if (c->groups[i].name && strcmp(c->groups[i].name, name) == 0)
			return &c->groups[i];
	return NULL;
}

int
config_require_valid(const char *s)
{
	while (*s) {
		size_t n = strcspn(s, ",|");

		if (!((n == 4 && !strncmp(s, "name", 4)) ||
		    (n == 5 && !strncmp(s, "phone", 5)) ||
		    (n == 5 && !strncmp(s, "email", 5))))
			return 0;
		s += n;
		if (*s && *++s == '\0')
			return 0;	/* a trailing separator */
	}
	return 1;
}

void
config_take_groups(struct config *dst, struct config *src)
{
	for (int i = 0; i < dst->ngroups; i++)
		config_free_group(&dst->groups[i]);
	memcpy(dst->groups, src->groups, sizeof(src->groups[0]) *
	    (size_t)src->ngroups);
	dst->ngroups = src->ngroups;
	src->ngroups = 0;
}

