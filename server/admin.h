/* admin.h - `kefud user|key|backup|replies|kb ...` subcommands (see
 * admin.c, admin_replies.c, admin_kb.c). */
#ifndef KEFU_ADMIN_H
#define KEFU_ADMIN_H

int admin_main(int argc, char **argv);
/* kefud replies export FILE: read-only, from the database at dbpath. */
int admin_replies_export(const char *file, const char *dbpath);
/* kefud replies import FILE: into the open store, all or nothing. */
int admin_replies_import(const char *file);
/* kefud kb export|import FILE: the same for the knowledge base. */
int admin_kb_export(const char *file, const char *dbpath);
int admin_kb_import(const char *file);

#endif
