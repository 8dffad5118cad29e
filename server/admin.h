/* admin.h - `kefud user|key|backup ...` subcommands (see admin.c). */
#ifndef KEFU_ADMIN_H
#define KEFU_ADMIN_H

int admin_main(int argc, char **argv);

#endif
