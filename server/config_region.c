/*
 * config_region.c - the entries of routing.regions in kefu.yml (region
 * routing, region.c): each item of a rule's cidr, country and region
 * lists is checked here, so a bad range or code is a config error with
 * its line, not a rule that silently matches nothing.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "config.h"
#include "config_int.h"
#include "netaddr.h"

/* Each item of a routing.regions value ("a, b" or a list) must pass ok. */
static int
region_list(struct cfg_ctx *x, yaml_node_t *v, const char *k, char **dst,
    int (*ok)(const char *, size_t))
{
	char buf[4096], item[64];
	const char *p;

	if (config_get_joined(x, v, k, buf, sizeof(buf)) < 0)
		return -1;
	for (p = buf + strspn(buf, " ,"); *p; p += strspn(p, " ,")) {
		size_t n = strcspn(p, " ,");

		if (n >= sizeof(item))
			return config_fail(x, v, "routing.regions.%s: an item is too long", k);
		memcpy(item, p, n);
		item[n] = '\0';
		if (!ok(item, n))
			return config_fail(x, v, "routing.regions.%s: bad item", k);
		p += n;
	}
	if (buf[strspn(buf, " ,")] == '\0')
		return config_fail(x, v, "routing.regions.%s: empty", k);
	for (char *q = buf; *q; q++)	/* codes compare in upper case */
		*q = (char)toupper((unsigned char)*q);
	free(*dst);
	*dst = strdup(buf);
	return *dst ? 0 : config_fail(x, v, "%s: out of memory", k);
}

static int
region_cidr_ok(const char *s, size_t n)
{
	struct netaddr a;

	return netaddr_parse(s, 1, &a) == 0;
}

/* A subdivision code (ISO 3166-2 after the dash): 1-3 letters or digits. */
static int
region_code_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]))
			return 0;
	return n >= 1 && n <= 3;
}

/* A country: ISO 3166-1 alpha-2, two letters. */
static int
region_country_ok(const char *s, size_t n)
{
	return n == 2 && isalpha((unsigned char)s[0]) &&
	    isalpha((unsigned char)s[1]);
}

int
config_region_item(struct cfg_ctx *x, const char *k, yaml_node_t *v, void *item)
{
	struct config_region *r = item;

	if (!strcmp(k, "cidr"))
		return region_list(x, v, k, &r->cidr, region_cidr_ok);
	if (!strcmp(k, "country"))
		return region_list(x, v, k, &r->country, region_country_ok);
	if (!strcmp(k, "region"))
		return region_list(x, v, k, &r->region, region_code_ok);
	if (!strcmp(k, "group"))
		return config_get_str(x, v, "routing.regions.group", &r->group);
	return config_fail(x, v, "routing.regions: unknown key '%s'", k);
}

