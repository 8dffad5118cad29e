/*
 * parse.c - splitting a request line into tag, verb, arguments and text.
 *
 *   [@tag] VERB [arg ...] [:text]
 *
 * The line is modified in place: separators become NULs and escapes are
 * undone, so the request points into the caller's buffer and costs no
 * allocation. Validation happens before splitting, so handlers only ever see
 * valid UTF-8 without control bytes.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

static int
tag_char(int c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '-';
}

const char *
proto_parse_strerror(enum proto_parse e)
{
	switch (e) {
	case PROTO_OK: return "ok";
	case PROTO_EMPTY: return "empty line";
	case PROTO_EBADTAG: return "bad tag: use @ and 1-32 of A-Z a-z 0-9 _ . -";
	case PROTO_ENOVERB: return "missing command verb";
	case PROTO_EBADVERB: return "bad command verb: letters only";
	case PROTO_ETOOMANY: return "too many arguments";
	case PROTO_EUTF8: return "line is not valid UTF-8 or contains control bytes";
	}
	return "bad request";
}

static char *
skip_spaces(char *p, char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

static char *
word_end(char *p, char *end)
{
	while (p < end && *p != ' ' && *p != '\t')
		p++;
	return p;
}

enum proto_parse
proto_parse(char *line, size_t len, struct proto_req *req)
{
	char *p = line, *end = line + len, *w;
	size_t n;

	memset(req, 0, sizeof(*req));
	if (!proto_utf8_valid(line, len))
		return PROTO_EUTF8;

	p = skip_spaces(p, end);
	if (p == end)
		return PROTO_EMPTY;

	if (*p == '@') {
		w = word_end(p, end);
		n = (size_t)(w - p - 1);
		if (n == 0 || n > PROTO_TAG_MAX)
			return PROTO_EBADTAG;
		for (size_t i = 1; i <= n; i++)
			if (!tag_char((unsigned char)p[i]))
				return PROTO_EBADTAG;
		req->tag = p + 1;
		if (w < end)
			*w++ = '\0';
		else
			*w = '\0';	/* line buffer has room: caller's contract */
		p = skip_spaces(w, end);
	}

	if (p == end || *p == ':')
		return PROTO_ENOVERB;
	w = word_end(p, end);
	n = (size_t)(w - p);
	if (n > PROTO_VERB_MAX)
		return PROTO_EBADVERB;
	for (size_t i = 0; i < n; i++) {
		if (!isalpha((unsigned char)p[i]))
			return PROTO_EBADVERB;
		p[i] = (char)toupper((unsigned char)p[i]);
	}
	req->verb = p;
	if (w < end)
		*w++ = '\0';
	else
		*w = '\0';
	p = w;

	for (;;) {
		p = skip_spaces(p, end);
		if (p == end)
			break;
		if (*p == ':') {
			/* free text: everything to the end of the line */
			req->text = p + 1;
			req->textlen = proto_unescape(p + 1, (size_t)(end - p - 1));
			req->text[req->textlen] = '\0';
			break;
		}
		if (req->argc == PROTO_MAX_ARGS)
			return PROTO_ETOOMANY;
		w = word_end(p, end);
		n = proto_unescape(p, (size_t)(w - p));
		p[n] = '\0';
		req->argv[req->argc++] = p;
		if (w < end)
			w++;
		p = w;
	}
	return PROTO_OK;
}

const char *
proto_opt(const struct proto_req *req, const char *key)
{
	size_t kl = strlen(key);

	for (int i = 0; i < req->argc; i++)
		if (strncmp(req->argv[i], key, kl) == 0 && req->argv[i][kl] == '=')
			return req->argv[i] + kl + 1;
	return NULL;
}

int
proto_parse_int(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
proto_name_ok(const char *s)
{
	size_t n;

	if (s == NULL)
		return 0;
	n = strlen(s);
	if (n == 0 || n > PROTO_NAME_MAX)
		return 0;
	/* ASCII by hand: isalnum() would follow the process locale */
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			return 0;
	}
	return 1;
}

int
proto_parse_startups(const char *s, long long max, int out[3])
{
	char buf[64], *part[3], *save = NULL;
	long long v[3];
	int n = 0;

	if (s == NULL || strlen(s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, strlen(s) + 1);
	if (buf[0] == ':' || strstr(buf, "::") != NULL ||
	    (buf[0] != '\0' && buf[strlen(buf) - 1] == ':'))
		return -1;	/* strtok_r would skip empty fields */
	for (char *p = strtok_r(buf, ":", &save); p != NULL;
	    p = strtok_r(NULL, ":", &save)) {
		if (n == 3)
			return -1;
		part[n++] = p;
	}
	if (n != 1 && n != 3)
		return -1;
	if (proto_parse_int(part[0], 1, max, &v[0]) < 0)
		return -1;
	if (n == 1) {
		v[1] = 100;
		v[2] = v[0];
	} else if (proto_parse_int(part[1], 0, 100, &v[1]) < 0 ||
	    proto_parse_int(part[2], v[0], max, &v[2]) < 0) {
		return -1;
	}
	for (int i = 0; i < 3; i++)
		out[i] = (int)v[i];
	return 0;
}
