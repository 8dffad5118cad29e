/*
 * account.h - staff accounts (agents, supervisors, admins): loading them
 * from the store, creating and changing them (from the protocol, from the
 * `kefud user` subcommands and from the config's seed users), SSH keys.
 */
#ifndef KEFU_ACCOUNT_H
#define KEFU_ACCOUNT_H

#include <stddef.h>

#include "desk.h"

int account_load_all(void);
int account_name_ok(const char *name);
/* password or pwhash (one of them). 0 ok; -1 with err set. */
int account_create(const char *name, const char *role, const char *password,
    const char *pwhash, const char *display, int max_chats,
    const char *groups, char *err, size_t errlen);
int account_update(struct agent *a, const char *role, const char *display,
    int max_chats, const char *groups, char *err, size_t errlen);
int account_set_password(struct agent *a, const char *password, char *err,
    size_t errlen);
int account_delete(struct agent *a);
/* Store and set the flag; the caller logs a newly disabled account out. */
int account_set_disabled(struct agent *a, int disabled);
/* A disabled account's connections get * KICKED :account disabled (SSH
 * tickets revoked too) and its chats go back to their queues at once. */
void account_disable_logout(struct agent *a);
/*
 * An account's connections are views of one agent (a->conn, oldest first):
 * each gets every event, any may act. attach adds c (the caller kicks the
 * oldest first when at agent.max_connections); detach removes it and says
 * whether it was the last one.
 */
void account_attach(struct agent *a, struct conn *c);
int account_detach(struct agent *a, struct conn *c);
int account_nconns(const struct agent *a);
/* Send * KICKED to c, end its login and close it after the event. */
void account_kick(struct conn *c, const char *why);
/* Kick every connection of the account (it was deleted). */
void account_logout(struct agent *a, const char *why);
/* Parse "type base64 [comment]"; pointers into line (modified). */
int account_parse_pubkey(char *line, const char **type, const char **blob,
    const char **comment, char *err, size_t errlen);
/* Seed groups, users and quick replies from the config (only if missing). */
int account_seed_from_config(void);
/* routing.default_group name: made (auto mode, no description) if it does
 * not exist, at start and on a reload that names another one. 0 or -1. */
int account_default_group(const char *name);

#endif
