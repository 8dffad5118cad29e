/*
 * proto.h - the kefu wire format, shared by kefud, the kefu console, the SSH
 * gateway, the load generator and the tests.
 *
 * The contract itself is written down in proto/PROTOCOL.md; this library is
 * its one implementation: framing lines out of a byte stream, splitting a
 * line into tag / verb / args / text, escaping free text so a message can
 * never span or forge a line, and building reply/event lines.
 *
 * Nothing here allocates behind the caller's back except the growable
 * struct pbuf, and nothing here does I/O.
 */
#ifndef KEFU_PROTO_H
#define KEFU_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

#define PROTO_LINE_MAX   8192	/* default max line incl. newline */
#define PROTO_MAX_ARGS   16
#define PROTO_TAG_MAX    32
#define PROTO_VERB_MAX   16

/* ---- framing ---------------------------------------------------------- */

enum proto_frame {
	PROTO_FRAME_NONE = 0,	/* no complete line yet */
	PROTO_FRAME_LINE,	/* *line / *len hold one line, no terminator */
	PROTO_FRAME_TOOLONG,	/* an overlong line was dropped (reported once) */
};

/*
 * A framer holds the state needed across reads: whether we are currently
 * discarding the tail of an overlong line, and whether the last line ended
 * with a "\r" at the end of a read (a "\n" that follows is its CRLF).
 * A line ends at "\n", "\r\n" or a lone "\r".
 */
struct proto_framer {
	size_t max;		/* max bytes per line including its end */
	int discarding;
	int skip_lf;
};

void proto_framer_init(struct proto_framer *f, size_t max);

/*
 * Look for the next line in buf[0..len). On PROTO_FRAME_LINE, *line and *linelen
 * point into buf (without its "\n", "\r\n" or "\r"). *consumed says how many bytes of buf
 * the caller may drop (also set for NONE/TOOLONG). Call repeatedly until NONE.
 */
enum proto_frame proto_frame_next(struct proto_framer *f, const char *buf,
    size_t len, const char **line, size_t *linelen, size_t *consumed);

/* ---- validation and escapes ------------------------------------------ */

/* 1 if s[0..len) is valid UTF-8 without NUL or C0 controls (TAB allowed). */
int proto_utf8_valid(const char *s, size_t len);

/* Unescape in place (\n \t \s \: \\); returns the new length. */
size_t proto_unescape(char *s, size_t len);

/*
 * Append s[0..len) escaped to out. If word is set, spaces are escaped too
 * (\s) and a leading ':' becomes "\:", so the result is one argument.
 */
struct pbuf;
int proto_escape(struct pbuf *out, const char *s, size_t len, int word);

/* ---- requests --------------------------------------------------------- */

struct proto_req {
	char *tag;		/* without '@', or NULL */
	char *verb;		/* upper-cased */
	int argc;
	char *argv[PROTO_MAX_ARGS];
	char *text;		/* free text (unescaped), or NULL if absent */
	size_t textlen;
};

enum proto_parse {
	PROTO_OK = 0,
	PROTO_EMPTY,		/* blank line: ignore */
	PROTO_EBADTAG,
	PROTO_ENOVERB,
	PROTO_EBADVERB,
	PROTO_ETOOMANY,
	PROTO_EUTF8,
};

/*
 * Parse one line (modified in place: NULs inserted, escapes undone; line[len]
 * must be writable, e.g. the newline the framer found). On an
 * error the tag, if one was parsed, is still set so the error can carry it.
 */
enum proto_parse proto_parse(char *line, size_t len, struct proto_req *req);
const char *proto_parse_strerror(enum proto_parse e);

/* Find "key=value" among argv; returns the value or NULL. */
const char *proto_opt(const struct proto_req *req, const char *key);

/* Parse a decimal integer strictly (whole string, range). 0 ok, -1 bad. */
int proto_parse_int(const char *s, long long min, long long max, long long *out);

/*
 * 1 if s is a valid account (login) name: 1 to PROTO_NAME_MAX bytes of
 * A-Z a-z 0-9 _ . - (so never '=', ':', spaces or escapes). kefud creates
 * accounts by this rule; the SSH gateway refuses other names before they
 * reach kefud.
 */
#define PROTO_NAME_MAX   31
int proto_name_ok(const char *s);

/*
 * OpenSSH's MaxStartups form, the one parser for kefud's ssh.max_startups
 * and kefud-ssh's --max-startups: "START:RATE:FULL" (drop new unauthenticated
 * connections with RATE% probability once START are pending, rising to 100%
 * at FULL) or a single "N" (= N:100:N). Needs 1 <= START <= FULL <= max and
 * 0 <= RATE <= 100. Returns 0 and fills out[0..2], or -1 (out untouched).
 */
int proto_parse_startups(const char *s, long long max, int out[3]);

/* ---- output buffer ---------------------------------------------------- */

struct pbuf {
	char *data;
	size_t len, cap;
};

void pbuf_init(struct pbuf *b);
void pbuf_free(struct pbuf *b);
int pbuf_reserve(struct pbuf *b, size_t extra);
int pbuf_add(struct pbuf *b, const void *p, size_t n);
int pbuf_adds(struct pbuf *b, const char *s);
int pbuf_printf(struct pbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int pbuf_vprintf(struct pbuf *b, const char *fmt, va_list ap);
int pbuf_put_int(struct pbuf *b, long long v);	/* decimal, no printf */
void pbuf_consume(struct pbuf *b, size_t n);

/*
 * Line builder helpers: start a line (optional "@tag "), add words, key=value
 * fields (value escaped), a final ":text" (escaped) and end it with '\n'.
 */
int proto_put_tag(struct pbuf *b, const char *tag);
int proto_put_word(struct pbuf *b, const char *w);       /* " w", raw */
int proto_put_kv(struct pbuf *b, const char *k, const char *v);   /* " k=v" */
int proto_put_kvi(struct pbuf *b, const char *k, long long v);
int proto_put_text(struct pbuf *b, const char *t, size_t n);      /* " :t" */
int proto_put_end(struct pbuf *b);                         /* "\n" */

/* ---- command table ---------------------------------------------------- */

enum proto_role {
	ROLE_NONE = 0,
	ROLE_VISITOR = 1 << 0,
	ROLE_AGENT = 1 << 1,
	ROLE_SUPERVISOR = 1 << 2,
	ROLE_ADMIN = 1 << 3,
	ROLE_GATEWAY = 1 << 4,
	ROLE_ANON = 1 << 5,	/* not yet logged in */
	ROLE_BROWSER = 1 << 6,	/* BROWSE: a web page open, no chat */
};
#define ROLE_STAFF (ROLE_AGENT | ROLE_SUPERVISOR | ROLE_ADMIN)
#define ROLE_ANY   (ROLE_ANON | ROLE_BROWSER | ROLE_VISITOR | ROLE_STAFF | \
    ROLE_GATEWAY)

/* CMD_ID_HELP, CMD_ID_PING, ...: one per row of cmdtab.def, in its order. */
enum proto_cmd_id {
#define CMD(name, roles, min, max, text, usage, handler) CMD_ID_##name,
#include "cmdtab.def"
#undef CMD
	CMD_ID__COUNT
};

/* One row of the command table (proto/cmdtab.def). */
struct proto_cmd {
	const char *name;
	enum proto_cmd_id id;	/* index of this row; the server's handler */
	unsigned roles;		/* bitmask of enum proto_role */
	int min_args, max_args;
	int text;		/* 0 no text, 1 optional, 2 required */
	const char *usage;
};

const struct proto_cmd *proto_cmd_find(const char *verb);
const struct proto_cmd *proto_cmd_table(size_t *n);
const char *proto_role_name(unsigned role);
/* "agent"/"supervisor"/"admin" -> ROLE_x, else 0 */
unsigned proto_role_parse(const char *s);

/* Check argc/text against the table row; on error returns the usage text. */
int proto_cmd_check(const struct proto_cmd *c, const struct proto_req *r);

#endif
