/*
 * region.h - region routing (区域分流): the configured rules
 * (routing.regions) that send a visitor who names no group to a group by
 * their address, either by CIDR range or by the country/region a MaxMind
 * DB (routing.geoip_db, read with libmaxminddb) gives for it.
 */
#ifndef KEFU_REGION_H
#define KEFU_REGION_H

#include <stddef.h>

struct config;

#define REGION_MAX 16		/* "CN-GD" and a NUL, with room to spare */

/* Compile cfg's rules and open its geoip_db (if any). 0, or -1 with a
 * message naming what failed in err (a file that is not a MaxMind DB).
 * Calling it again replaces what the last call set up, only if all of it
 * opened (a failure keeps the old). The rules point into cfg's strings:
 * they must live until the next call or region_close(). */
int region_open(const struct config *cfg, char *err, size_t errlen);
void region_close(void);

/* The region of addr from the geoip_db: "CN-GD" (country and the first
 * subdivision), "CN", or "" when there is no database or no answer. */
void region_of(const char *addr, char *region, size_t len);

/* The group of the first rule (in config order) that addr or its region
 * matches, or NULL. */
const char *region_route(const char *addr, const char *region);

#endif
