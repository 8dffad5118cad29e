/*
 * region.c - region routing (region.h). The rules are config entries
 * (struct config_region); here they are compiled once into ranges and
 * upper-cased codes, and the MaxMind DB is opened once (memory-mapped
 * by libmaxminddb, so a lookup is a tree walk of at most 128 steps and
 * costs the event loop microseconds). A SIGHUP opens the new ones beside
 * the old and swaps them only when all of it opened: a reload that fails
 * leaves the running rules and database in place.
 *
 * Precedence: the first rule in the order of the configuration that
 * matches wins, whatever its kind, as in a firewall's rule list: put the
 * narrow rules first. A rule matches by CIDR ranges (any of them) or by
 * country (any of the listed codes) and, when it lists regions, also by
 * the first subdivision of the address.
 *
 * The database is input we do not trust: every value read from it is
 * checked for its type and its shape (letters and digits, short) before
 * it is used, and any lookup error just means "no region".
 */
#include <ctype.h>
#include <maxminddb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "netaddr.h"
#include "region.h"

#define RULE_MAX_NETS 64

struct rule {
	struct netaddr nets[RULE_MAX_NETS];
	int nnets;
	const char *country, *region;	/* comma lists, or NULL */
	const char *group;
};

static struct rule *rules;
static int nrules;
static MMDB_s *mmdb;		/* NULL: no routing.geoip_db */

static void
free_db(MMDB_s *db)
{
	if (db == NULL)
		return;
	MMDB_close(db);
	free(db);
}

void
region_close(void)
{
	free(rules);
	rules = NULL;
	nrules = 0;
	free_db(mmdb);
	mmdb = NULL;
}

/* The ranges of "10.0.0.0/8, 2001:db8::/32" into r; -1 on a bad one. */
static int
compile_nets(struct rule *r, const char *list)
{
	char item[64];

	for (const char *p = list; *p; ) {
		size_t n;

		p += strspn(p, " ,");
		n = strcspn(p, " ,");
		if (n == 0)
			break;
		if (n >= sizeof(item) || r->nnets >= RULE_MAX_NETS)
			return -1;
		memcpy(item, p, n);
		item[n] = '\0';
		if (netaddr_parse(item, 1, &r->nets[r->nnets++]) < 0)
			return -1;
		p += n;
	}
	return 0;
}

/* cfg's rules compiled into a new array (*out, NULL when none); -1 with
 * err set if one is bad or memory runs out. */
static int
compile_rules(const struct config *cfg, struct rule **out, char *err,
    size_t errlen)
{
	struct rule *nr = NULL;

	*out = NULL;
	if (cfg->nregions > 0 &&
	    (nr = calloc((size_t)cfg->nregions, sizeof(*nr))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int i = 0; i < cfg->nregions; i++) {
		const struct config_region *cr = &cfg->regions[i];
		struct rule *r = &nr[i];

		r->country = cr->country;
		r->region = cr->region;
		r->group = cr->group;
		if (cr->cidr && compile_nets(r, cr->cidr) < 0) {
			snprintf(err, errlen, "routing.regions: more than 64 ranges in '%s'",
			    cr->cidr);
			free(nr);
			return -1;
		}
	}
	*out = nr;
	return 0;
}

/* cfg's geoip_db opened (*out, NULL when there is none); -1 with err. */
static int
open_db(const struct config *cfg, MMDB_s **out, char *err, size_t errlen)
{
	MMDB_s *db;
	int rc;

	*out = NULL;
	if (cfg->geoip_db == NULL || *cfg->geoip_db == '\0')
		return 0;
	if ((db = calloc(1, sizeof(*db))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = MMDB_open(cfg->geoip_db, MMDB_MODE_MMAP, db);
	if (rc != MMDB_SUCCESS) {
		snprintf(err, errlen, "routing.geoip_db: %s: %s", cfg->geoip_db,
		    MMDB_strerror(rc));
		free(db);
		return -1;
	}
	*out = db;
	return 0;
}

int
region_open(const struct config *cfg, char *err, size_t errlen)
{
	struct rule *nr;
	MMDB_s *db;

	if (compile_rules(cfg, &nr, err, errlen) < 0)
		return -1;
	if (open_db(cfg, &db, err, errlen) < 0) {
		free(nr);
		return -1;
	}
	region_close();
	rules = nr;
	nrules = cfg->nregions;
	mmdb = db;
	return 0;
}

/* A string from the database that looks like an ISO code (1-3 letters or
 * digits), upper-cased into out; else -1. */
static int
code_of(MMDB_entry_s *entry, char *out, size_t len, ...)
{
	MMDB_entry_data_s d;
	va_list ap;
	int rc;

	va_start(ap, len);
	rc = MMDB_vget_value(entry, &d, ap);
	va_end(ap);
	if (rc != MMDB_SUCCESS || !d.has_data || d.type != MMDB_DATA_TYPE_UTF8_STRING ||
	    d.data_size < 1 || d.data_size > 3 || d.data_size >= len)
		return -1;
	for (uint32_t i = 0; i < d.data_size; i++) {
		unsigned char ch = (unsigned char)d.utf8_string[i];

		if (!isalnum(ch) || ch > 127)
			return -1;
		out[i] = (char)toupper(ch);
	}
	out[d.data_size] = '\0';
	return 0;
}

void
region_of(const char *addr, char *region, size_t len)
{
	MMDB_lookup_result_s res;
	char country[4], sub[4];
	int gai = 0, rc = 0;

	region[0] = '\0';
	if (mmdb == NULL || addr == NULL || len < REGION_MAX)
		return;
	res = MMDB_lookup_string(mmdb, addr, &gai, &rc);
	if (gai != 0 || rc != MMDB_SUCCESS || !res.found_entry) {
		if (rc != MMDB_SUCCESS)
			log_debug("geoip: %s: %s", addr, MMDB_strerror(rc));
		return;
	}
	if (code_of(&res.entry, country, sizeof(country), "country",
	    "iso_code", NULL) < 0)
		return;
	if (code_of(&res.entry, sub, sizeof(sub), "subdivisions", "0",
	    "iso_code", NULL) == 0)
		snprintf(region, len, "%s-%s", country, sub);
	else
		snprintf(region, len, "%s", country);
}

static int
rule_matches(const struct rule *r, const struct netaddr *a, int have_addr,
    const char *region)
{
	const char *dash;
	size_t clen;

	if (r->nnets > 0) {
		for (int i = 0; have_addr && i < r->nnets; i++)
			if (netaddr_in(&r->nets[i], a))
				return 1;
		return 0;
	}
	if (r->country == NULL || *region == '\0')
		return 0;
	dash = strchr(region, '-');
	clen = dash ? (size_t)(dash - region) : strlen(region);
	if (!config_list_has(r->country, region, clen))
		return 0;
	if (r->region == NULL)
		return 1;
	return dash != NULL && config_list_has(r->region, dash + 1, strlen(dash + 1));
}

const char *
region_route(const char *addr, const char *region)
{
	struct netaddr a;
	int have_addr = addr != NULL && netaddr_parse(addr, 0, &a) == 0;

	for (int i = 0; i < nrules; i++)
		if (rule_matches(&rules[i], &a, have_addr, region ? region : ""))
			return rules[i].group;
	return NULL;
}
