/*
 * drain.h - `kefud drain` (drain.c): the command-line side of a drain; the
 * server side is the SIGTERM drain in main.c.
 */
#ifndef KEFU_DRAIN_H
#define KEFU_DRAIN_H

struct config;

/* argv[0] is "drain"; returns the exit status. */
int drain_main(int argc, char **argv, const struct config *cfg);

#endif
