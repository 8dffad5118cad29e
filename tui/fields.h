/*
 * fields.h - reading the words of a line from kefud: key=value options
 * and numbered arguments, with the defaults the console wants ("" and 0)
 * when one is missing or malformed.
 */
#ifndef KEFU_FIELDS_H
#define KEFU_FIELDS_H

#include "proto.h"

/* The value of key=, or "". */
const char *field_str(const struct proto_req *r, const char *key);
/* key= as a number, or 0. */
long field_long(const struct proto_req *r, const char *key);
/* Argument i as a number >= 0, or -1. */
long field_arg(const struct proto_req *r, int i);
/* key= is present and not "0". */
int field_flag(const struct proto_req *r, const char *key);

#endif
