/*
 * access.h - who among the staff may see what: the one visibility rule
 * that every read command (TRANSCRIPT, SEARCH, HISTORY, VISITOR, CHATS,
 * QUEUE, ACCEPT) and every queue event applies. PROTOCOL.md "Who sees what"
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

#endif
