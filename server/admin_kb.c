/*
 * admin_kb.c - `kefud kb import|export FILE`: the bot's knowledge base
 * (store_kb.c) through admin_io.c, checked as KBADD checks an entry.
 *
 *   YAML: question, answer, and optionally keys ("a|b"), group, enabled
 *   CSV:  group,question,keys,answer,enabled (columns in any order)
 */
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "admin_io.h"
#include "kb.h"
#include "server.h"
#include "store.h"

enum { F_GROUP, F_QUESTION, F_KEYS, F_ANSWER, F_ENABLED, F__N };
static const char *const field_names[F__N] = {
	"group", "question", "keys", "answer", "enabled",
};

static const char *
kb_add(const char *const *v)
{
	struct store_kb k = { 0, v[F_GROUP] && *v[F_GROUP] ? v[F_GROUP] : NULL,
	    v[F_QUESTION] ? v[F_QUESTION] : "", v[F_KEYS] ? v[F_KEYS] : "",
	    v[F_ANSWER] ? v[F_ANSWER] : "", 1, 0 };
	const char *why, *en = v[F_ENABLED];
	int64_t n, id;

	if (en && *en) {
		if (strcmp(en, "0") && strcmp(en, "1") && strcmp(en, "true") &&
		    strcmp(en, "false"))
			return "enabled is 0, 1, true or false";
		k.enabled = !strcmp(en, "1") || !strcmp(en, "true");
	}
	if ((why = kb_entry_invalid(&k)) != NULL)
		return why;
	if (k.group && group_find(k.group) == NULL)
		return "no such group";
	if (store_kb_count(&n) < 0)
		return store_errmsg();
	if (n >= KB_ENTRIES_MAX)
		return "the knowledge base is full (at most 10000 entries)";
	return store_kb_insert(&k, &id) < 0 ? store_errmsg() : NULL;
}

static const struct admin_io kb_io = {
	"knowledge-base entries", "knowledge_base", field_names, F__N,
	F_QUESTION, (1u << F_QUESTION) | (1u << F_ANSWER) | (1u << F_ENABLED),
	"SELECT grp, question, keys, answer, enabled FROM kb ORDER BY id",
	"kbimport", kb_add,
};

int
admin_kb_export(const char *file, const char *dbpath)
{
	return admin_io_export(&kb_io, file, dbpath);
}

int
admin_kb_import(const char *file)
{
	return admin_io_import(&kb_io, file);
}
