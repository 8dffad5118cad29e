/*
 * access.h - who among the staff may see what: the one visibility rule
 * that every read command (TRANSCRIPT, SEARCH, HISTORY, VISITOR, CHATS,
 * QUEUE, ACCEPT, and the case commands CASES, CASE, CASESET...) and every
 * queue and case event applies. PROTOCOL.md "Who sees what"
 * states the same rule in words.
 */
#ifndef KEFU_ACCESS_H
#define KEFU_ACCESS_H

#include <stdint.h>

#include "desk.h"

/* Supervisors and admins see every group; an agent sees their own groups. */
int access_group(const struct agent *a, const struct group *g);
/*
 * May a see chat `id` (all of it: messages, notes, whispers, its visitor)?
 * group and owner are the chat's group and owner as stored (either may be
 * NULL); a chat still in memory is judged on its live state instead.
 * Yes for supervisors and admins, for the chat's group, and for an agent
 * who owns it or is invited into it (live), or who owned it when it ended
 * (stored owner, for chats no longer in memory).
 */
int access_chat(const struct agent *a, int64_t id, const char *group,
    const char *owner);

/*
 * May a see (and work on) a case of group `group` assigned to `assignee`
 * ("" or NULL: nobody)? Yes for supervisors and admins, for the case's
 * group, and for its assignee: the chat rule with the assignee as owner.
 */
int access_case(const struct agent *a, const char *group,
    const char *assignee);

#endif
