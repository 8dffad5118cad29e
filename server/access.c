/*
 * access.c - the staff visibility rule (see access.h), in one place so that
 * no read command can drift from the others.
 */
#include <string.h>

#include "access.h"

int
access_group(const struct agent *a, const struct group *g)
{
	if (a->role & (ROLE_SUPERVISOR | ROLE_ADMIN))
		return 1;
	return g != NULL && (a->groups & (1ULL << g->id)) != 0;
}

int
access_chat(const struct agent *a, int64_t id, const char *group,
    const char *owner)
{
	const struct chat *c = chat_find(id);

	if (a->role & (ROLE_SUPERVISOR | ROLE_ADMIN))
		return 1;
	if (c != NULL)
		return agent_in_chat(a, c) || access_group(a, c->group);
	if (owner && strcmp(owner, a->name) == 0)
		return 1;
	return group != NULL && access_group(a, group_find(group));
}

int
access_case(const struct agent *a, const char *group, const char *assignee)
{
	if (assignee && *assignee && strcmp(assignee, a->name) == 0)
		return 1;
	return access_group(a, group_find(group));
}
