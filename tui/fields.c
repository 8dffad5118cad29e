/*
 * fields.c - the console's readers of key=value options and numbered
 * arguments in lines from kefud (see fields.h).
 */
#include <string.h>

#include "fields.h"

const char *
field_str(const struct proto_req *r, const char *key)
{
	const char *v = proto_opt(r, key);

	return v ? v : "";
}

long
field_long(const struct proto_req *r, const char *key)
{
	long long v;
	const char *s = proto_opt(r, key);

	if (s == NULL || proto_parse_int(s, -1000000000000LL, 1000000000000LL, &v) < 0)
		return 0;
	return (long)v;
}

long
field_arg(const struct proto_req *r, int i)
{
	long long v;

	if (i >= r->argc || proto_parse_int(r->argv[i], 0, 1000000000000LL, &v) < 0)
		return -1;
	return (long)v;
}

int
field_flag(const struct proto_req *r, const char *key)
{
	const char *v = proto_opt(r, key);

	return v != NULL && strcmp(v, "0") != 0;
}
