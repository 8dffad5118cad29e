/*
 * config_int.h - what the parts of the config loader share (config.c, the
 * walker and the scalar keys; config_group.c, groups; config_region.c,
 * routing.regions): the
 * loading context and the helpers that report an error with its line.
 */
#ifndef KEFU_CONFIG_INT_H
#define KEFU_CONFIG_INT_H

#include <stddef.h>
#include <yaml.h>

struct config;

struct cfg_ctx {
	struct config *c;
	yaml_document_t *doc;
	char *err;
	size_t errlen;
};

/* Write "file:line: " and the message (fmt with one %s) into x->err; -1. */
int config_fail(struct cfg_ctx *x, yaml_node_t *n, const char *fmt,
    const char *what);
/* A scalar into *dst (replacing it); -1 after config_fail otherwise. */
int config_get_str(struct cfg_ctx *x, yaml_node_t *n, const char *key,
    char **dst);
/* A scalar, or a list of scalars joined with ',', into buf. */
int config_get_joined(struct cfg_ctx *x, yaml_node_t *n, const char *key,
    char *buf, size_t len);
/* A number in [min, max] into *out; -1 after config_fail. */
int config_get_int(struct cfg_ctx *x, yaml_node_t *n, const char *key,
    long long min, long long max, long long *out);
/* A wrap-up category list (wrapup.h) into *dst; -1 after config_fail. */
int config_get_categories(struct cfg_ctx *x, yaml_node_t *n, const char *key,
    char **dst);
/* One key of a groups entry, and freeing one (config_group.c). */
int config_group_item(struct cfg_ctx *x, const char *k, yaml_node_t *v,
    void *item);
struct config_group;
void config_free_group(struct config_group *g);
/* One key of a routing.regions entry (config_region.c). */
int config_region_item(struct cfg_ctx *x, const char *k, yaml_node_t *v,
    void *item);

#endif
