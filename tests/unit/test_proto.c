/*
 * test_proto.c - hostile-input tests for request parsing and UTF-8
 * validation (proto/parse.c, proto/escape.c: proto_parse, proto_utf8_valid).
 *
 * Every line a visitor types reaches proto_parse(), so each rule of
 * "[@tag] VERB [arg ...] [:text]" and each way to break it gets its own TAP
 * line. Lines are parsed from heap copies exactly len+1 bytes long (the
 * framer's contract: line[len] is writable), so under --enable-sanitizers any
 * read or write past that byte is caught.
 *
 * Other files: test_proto_frame.c (framing), test_proto_escape.c (escapes,
 * options, integers, pbuf, builders), test_proto_cmd.c (command table).
 */
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "../tap.h"

/* A parsed line; buf is the caller-owned copy the request points into. */
struct parsed {
	char *buf;
	struct proto_req req;
	enum proto_parse rc;
};

static struct parsed P;

static void
die(const char *what)
{
	printf("Bail out! %s\n", what);
	exit(1);
}

/* Parse s[0..n); line[n] is a sentinel byte, as after the framer. */
static enum proto_parse
parse_n(const char *s, size_t n)
{
	free(P.buf);
	P.buf = malloc(n + 1);
	if (P.buf == NULL)
		die("out of memory");
	memcpy(P.buf, s, n);
	P.buf[n] = '\n';
	P.rc = proto_parse(P.buf, n, &P.req);
	return P.rc;
}

static enum proto_parse
parse(const char *s)
{
	return parse_n(s, strlen(s));
}

static int
argv_is(int i, const char *want)
{
	return i < P.req.argc && P.req.argv[i] != NULL &&
	    strcmp(P.req.argv[i], want) == 0;
}

static int
text_is(const char *want)
{
	size_t n = strlen(want);

	return P.req.text != NULL && P.req.textlen == n &&
	    memcmp(P.req.text, want, n) == 0 && P.req.text[n] == '\0';
}

static int
str_eq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static void
test_basic(void)
{
	ok(parse("PING") == PROTO_OK && str_eq(P.req.verb, "PING") &&
	    P.req.argc == 0 && P.req.tag == NULL && P.req.text == NULL,
	    "bare verb: OK, no tag, args or text");
	is_int(parse(""), PROTO_EMPTY, "empty line is EMPTY");
	is_int(parse("    "), PROTO_EMPTY, "line of spaces is EMPTY");
	is_int(parse(" \t \t"), PROTO_EMPTY, "line of spaces and tabs is EMPTY");
	ok(parse("  PING  ") == PROTO_OK && str_eq(P.req.verb, "PING") && P.req.argc == 0,
	    "leading and trailing spaces around the verb are ignored");
	ok(parse("ping") == PROTO_OK && str_eq(P.req.verb, "PING"), "lower-case verb is upper-cased");
	ok(parse("PiNg") == PROTO_OK && str_eq(P.req.verb, "PING"), "mixed-case verb is upper-cased");
	ok(parse("PING a b") == PROTO_OK && P.req.argc == 2 && argv_is(0, "a") && argv_is(1, "b"),
	    "two arguments");
	ok(parse("MSG   12    :hi") == PROTO_OK && P.req.argc == 1 && argv_is(0, "12") && text_is("hi"),
	    "runs of spaces between words");
	ok(parse("MSG\t12\t:hi") == PROTO_OK && argv_is(0, "12") && text_is("hi"),
	    "tabs separate words too");
	ok(parse("PING a:b") == PROTO_OK && P.req.argc == 1 && argv_is(0, "a:b") && P.req.text == NULL,
	    "colon inside an argument is not text");
	ok(parse("PING a: b") == PROTO_OK && P.req.argc == 2 && argv_is(0, "a:") && argv_is(1, "b"),
	    "colon at the end of an argument is not text");
	ok(parse("PING a  ") == PROTO_OK && P.req.argc == 1 && argv_is(0, "a"),
	    "trailing spaces after the last argument make no empty argument");
}

static void
test_tags(void)
{
	char line[128];

	ok(parse("@q1 PING") == PROTO_OK && str_eq(P.req.tag, "q1") && str_eq(P.req.verb, "PING"),
	    "tag and verb");
	ok(parse("@A-z_.9 PING") == PROTO_OK && str_eq(P.req.tag, "A-z_.9"),
	    "tag may use letters, digits, _ . -");
	ok(parse("@abc") == PROTO_ENOVERB && str_eq(P.req.tag, "abc"), "tag only: ENOVERB, tag kept");
	ok(parse("@abc   ") == PROTO_ENOVERB && str_eq(P.req.tag, "abc"), "tag and spaces only: ENOVERB");
	is_int(parse("@"), PROTO_EBADTAG, "@ alone: EBADTAG");
	is_int(parse("@ PING"), PROTO_EBADTAG, "@ followed by a space: EBADTAG");
	memset(line, 0, sizeof(line));
	line[0] = '@';
	memset(line + 1, 't', PROTO_TAG_MAX);
	strcpy(line + 1 + PROTO_TAG_MAX, " PING");
	ok(parse(line) == PROTO_OK && P.req.tag != NULL && strlen(P.req.tag) == PROTO_TAG_MAX,
	    "tag of %d chars (the maximum) is accepted", PROTO_TAG_MAX);
	memset(line + 1, 't', PROTO_TAG_MAX + 1);
	strcpy(line + 2 + PROTO_TAG_MAX, " PING");
	ok(parse(line) == PROTO_EBADTAG && P.req.tag == NULL, "tag of %d chars: EBADTAG", PROTO_TAG_MAX + 1);
	is_int(parse("@a/b PING"), PROTO_EBADTAG, "tag with '/': EBADTAG");
	is_int(parse("@a:b PING"), PROTO_EBADTAG, "tag with ':': EBADTAG");
	is_int(parse("@a@b PING"), PROTO_EBADTAG, "tag with a second '@': EBADTAG");
	is_int(parse("@a\\sb PING"), PROTO_EBADTAG, "tag with a backslash escape: EBADTAG");
	is_int(parse("@\xe6\xa0\x87 PING"), PROTO_EBADTAG, "tag with a Chinese character: EBADTAG");
	ok(parse("@t :hello") == PROTO_ENOVERB && str_eq(P.req.tag, "t"), "tag then text, no verb: ENOVERB, tag kept");
	ok(parse("@t\tPING") == PROTO_OK && str_eq(P.req.tag, "t") && str_eq(P.req.verb, "PING"),
	    "tab after the tag");
	ok(parse("PING @t") == PROTO_OK && P.req.tag == NULL && argv_is(0, "@t"),
	    "@word after the verb is an argument, not a tag");
	ok(parse("@x1 P1NG") == PROTO_EBADVERB && str_eq(P.req.tag, "x1"), "bad verb after a tag: tag kept for the error");
}

static void
test_verbs(void)
{
	char line[64];

	is_int(parse(":"), PROTO_ENOVERB, "lone ':' is ENOVERB");
	is_int(parse(":hello world"), PROTO_ENOVERB, "text without verb is ENOVERB");
	is_int(parse("  :x"), PROTO_ENOVERB, "spaces then text: ENOVERB");
	is_int(parse("P1NG"), PROTO_EBADVERB, "verb with a digit: EBADVERB");
	is_int(parse("PING2 x"), PROTO_EBADVERB, "verb ending in a digit: EBADVERB");
	is_int(parse("SAY:hello"), PROTO_EBADVERB, "verb glued to ':text': EBADVERB");
	is_int(parse("PING-X"), PROTO_EBADVERB, "verb with '-': EBADVERB");
	is_int(parse("\\PING"), PROTO_EBADVERB, "verb starting with a backslash: EBADVERB");
	is_int(parse("\xe8\xaf\xb4 :hi"), PROTO_EBADVERB, "Chinese verb: EBADVERB");
	memset(line, 0, sizeof(line));
	memset(line, 'v', PROTO_VERB_MAX);
	ok(parse(line) == PROTO_OK && strlen(P.req.verb) == PROTO_VERB_MAX,
	    "verb of %d letters (the maximum) parses", PROTO_VERB_MAX);
	memset(line, 'v', PROTO_VERB_MAX + 1);
	is_int(parse(line), PROTO_EBADVERB, "verb of %d letters: EBADVERB", PROTO_VERB_MAX + 1);
}

static void
test_args(void)
{
	char line[256];
	size_t n;

	n = (size_t)snprintf(line, sizeof(line), "PING");
	for (int i = 0; i < PROTO_MAX_ARGS; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " a%d", i);
	ok(parse(line) == PROTO_OK && P.req.argc == PROTO_MAX_ARGS && argv_is(PROTO_MAX_ARGS - 1, "a15"),
	    "%d arguments (the maximum) parse", PROTO_MAX_ARGS);
	strcpy(line + n, " :some text");
	ok(parse(line) == PROTO_OK && P.req.argc == PROTO_MAX_ARGS && text_is("some text"),
	    "%d arguments plus text parse", PROTO_MAX_ARGS);
	snprintf(line + n, sizeof(line) - n, " extra");
	is_int(parse(line), PROTO_ETOOMANY, "%d arguments: ETOOMANY", PROTO_MAX_ARGS + 1);
	memmove(line + 3, line, strlen(line) + 1);
	memcpy(line, "@z ", 3);
	ok(parse(line) == PROTO_ETOOMANY && str_eq(P.req.tag, "z"), "ETOOMANY keeps the tag");
	ok(parse("PING \\:x") == PROTO_OK && P.req.argc == 1 && argv_is(0, ":x") && P.req.text == NULL,
	    "argument '\\:x' is the word ':x', not text");
	ok(parse("PING a\\sb") == PROTO_OK && P.req.argc == 1 && argv_is(0, "a b"),
	    "'\\s' puts a space inside one argument");
	ok(parse("HELLO name=Bob\\sSmith\\n") == PROTO_OK && argv_is(0, "name=Bob Smith\n"),
	    "escapes undone in key=value arguments");
	ok(parse("PING a\\") == PROTO_OK && argv_is(0, "a\\"), "lone backslash at the end of an argument is kept");
	ok(parse("PING a\\ b") == PROTO_OK && P.req.argc == 2 && argv_is(0, "a\\") && argv_is(1, "b"),
	    "backslash before a real space does not join words");
}

static void
test_text(void)
{
	ok(parse("SAY :hello world") == PROTO_OK && P.req.argc == 0 && text_is("hello world"),
	    "text with spaces");
	ok(parse("SAY :") == PROTO_OK && text_is(""), "empty text is present, length 0");
	ok(parse("SAY") == PROTO_OK && P.req.text == NULL, "no text: text is NULL");
	ok(parse("SAY :  a  ") == PROTO_OK && text_is("  a  "), "spaces inside the text are kept, both ends");
	ok(parse("SAY :a :b c") == PROTO_OK && text_is("a :b c"), "only the first ' :' starts the text");
	ok(parse("SAY ::") == PROTO_OK && text_is(":"), "text may start with a colon");
	ok(parse("SAY :a\\nb\\tc\\sd\\:e\\\\f") == PROTO_OK && text_is("a\nb\tc d:e\\f"),
	    "text escapes \\n \\t \\s \\: \\\\ are undone");
	ok(parse("SAY :\\\\n") == PROTO_OK && text_is("\\n"), "'\\\\n' is backslash + n, not a newline");
	ok(parse("SAY :C:\\data\\x\\q") == PROTO_OK && text_is("C:\\data\\x\\q"), "unknown escapes are kept as written");
	ok(parse("SAY :C:\\") == PROTO_OK && text_is("C:\\"), "lone backslash at the end of the text is kept");
	ok(parse("SAY :\\") == PROTO_OK && text_is("\\"), "text that is one backslash");
	ok(parse("SAY :\\\\\\") == PROTO_OK && text_is("\\\\"), "escaped backslash then a lone one");
	ok(parse("SAY :tab\there") == PROTO_OK && text_is("tab\there"), "raw TAB in text is allowed");
	ok(parse("SAY :\xe4\xbd\xa0\xe5\xa5\xbd\xef\xbc\x8c\xe4\xb8\x96\xe7\x95\x8c") == PROTO_OK &&
	    text_is("\xe4\xbd\xa0\xe5\xa5\xbd\xef\xbc\x8c\xe4\xb8\x96\xe7\x95\x8c"), "Chinese text is valid");
	ok(parse("SAY :\xf0\x9f\x98\x80\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd") == PROTO_OK &&
	    text_is("\xf0\x9f\x98\x80\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd"), "emoji with skin-tone modifier is valid");
	ok(parse("HELLO name=\xe5\xbc\xa0\xe4\xb8\x89 :\xe6\x88\x91\xe7\x9a\x84\xe8\xae\xa2\xe5\x8d\x95") == PROTO_OK &&
	    argv_is(0, "name=\xe5\xbc\xa0\xe4\xb8\x89") && text_is("\xe6\x88\x91\xe7\x9a\x84\xe8\xae\xa2\xe5\x8d\x95"),
	    "Chinese in an argument and the text");
	ok(parse("@t MSG 7 :x") == PROTO_OK && str_eq(P.req.tag, "t") && str_eq(P.req.verb, "MSG") &&
	    argv_is(0, "7") && text_is("x"), "tag, verb, argument and text together");
}

/* One UTF-8 case: both proto_utf8_valid and proto_parse (inside text). */
static void
utf8_case(const char *bytes, size_t n, int valid, const char *what)
{
	char line[64];

	memcpy(line, "SAY :", 5);
	memcpy(line + 5, bytes, n);
	ok(proto_utf8_valid(bytes, n) == valid &&
	    parse_n(line, n + 5) == (valid ? PROTO_OK : PROTO_EUTF8),
	    "%s: %s", valid ? "valid" : "EUTF8", what);
}

#define U(s, v, w) utf8_case(s, sizeof(s) - 1, v, w)

/* proto_utf8_valid() takes plain ASCII 8 bytes at a time: one odd byte at
 * every position of a 24-byte line, so each place in a word and the tail
 * after the last whole word are tried. */
static void
test_utf8_words(void)
{
	static const struct { unsigned char b; int valid; } odd[] = {
		{ 0x00, 0 }, { 0x01, 0 }, { 0x1f, 0 }, { 0x7f, 0 },
		{ 0x80, 0 }, { 0xff, 0 }, { '\t', 1 }, { 0x20, 1 }, { 0x7e, 1 },
	};
	int bad = 0, cases = 0;

	for (size_t k = 0; k < sizeof(odd) / sizeof(odd[0]); k++)
		for (size_t pos = 0; pos < 24; pos++)
			for (size_t len = pos + 1; len <= 24; len += 7) {
				char line[24];

				memset(line, 'a', sizeof(line));
				line[pos] = (char)odd[k].b;
				cases++;
				bad += proto_utf8_valid(line, len) != odd[k].valid;
			}
	ok(bad == 0, "one odd byte anywhere in 1-24 bytes of ASCII: %d of %d wrong",
	    bad, cases);
	/* a 3-byte character across the edge of a word, with ASCII around */
	for (size_t pos = 0; pos + 3 <= 24; pos++) {
		char line[24];

		memset(line, 'a', sizeof(line));
		memcpy(line + pos, "\xe4\xb8\xad", 3);
		bad += proto_utf8_valid(line, 24) != 1;
		line[pos + 1] = 'a';	/* cut: lead byte, then ASCII */
		bad += proto_utf8_valid(line, 24) != 0;
	}
	ok(bad == 0, "a Chinese character at each place among 24 bytes, whole and cut");
}

static void
test_utf8(void)
{
	U("\xc0\x80", 0, "overlong NUL C0 80");
	U("\xc1\xbf", 0, "overlong 2-byte C1 BF");
	U("\xe0\x80\xaf", 0, "overlong 3-byte '/' E0 80 AF");
	U("\xe0\x9f\xbf", 0, "overlong 3-byte E0 9F BF");
	U("\xf0\x80\x80\xaf", 0, "overlong 4-byte F0 80 80 AF");
	U("\xf0\x8f\xbf\xbf", 0, "overlong 4-byte F0 8F BF BF");
	U("\xed\xa0\x80", 0, "high surrogate U+D800");
	U("\xed\xbf\xbf", 0, "low surrogate U+DFFF");
	U("\xed\xa0\xbd\xed\xb8\x80", 0, "CESU-8 surrogate pair");
	U("\xf4\x90\x80\x80", 0, "beyond U+10FFFF");
	U("\xf5\x80\x80\x80", 0, "lead byte F5");
	U("\xf8\x88\x80\x80\x80", 0, "5-byte form");
	U("\xff", 0, "byte FF");
	U("\xfe", 0, "byte FE");
	U("\x80", 0, "lone continuation byte");
	U("a\xbf" "b", 0, "continuation byte between ASCII");
	U("\xe4\xb8", 0, "truncated 3-byte sequence at the end");
	U("\xe4", 0, "lone 3-byte lead at the end");
	U("\xf0\x9f\x98", 0, "truncated 4-byte sequence at the end");
	U("\xe4\xb8" "A", 0, "truncated sequence followed by ASCII");
	U("\xe4" "AB", 0, "lead byte followed by ASCII");
	U("\xc2\x80", 0, "C1 control U+0080");
	U("\xc2\x9b" "31m", 0, "C1 CSI U+009B");
	U("\xc2\x9f", 0, "C1 control U+009F");
	U("\x1b[31mred", 0, "ESC (terminal escape sequence)");
	U("\x01", 0, "C0 control 0x01");
	U("a\rb", 0, "raw CR");
	U("a\nb", 0, "raw LF");
	U("\x7f", 0, "DEL");
	U("a\0b", 0, "NUL in the middle");
	U("\xc2\xa0", 1, "U+00A0 (first after C1)");
	U("\xed\x9f\xbf", 1, "U+D7FF (below surrogates)");
	U("\xee\x80\x80", 1, "U+E000 (above surrogates)");
	U("\xef\xbf\xbf", 1, "U+FFFF");
	U("\xf0\x90\x80\x80", 1, "U+10000");
	U("\xf4\x8f\xbf\xbf", 1, "U+10FFFF (the last code point)");
	U("\xdf\xbf", 1, "U+07FF (last 2-byte)");
	U("\xe0\xa0\x80", 1, "U+0800 (first 3-byte)");
	U("~\t ", 1, "ASCII tilde, TAB and space");
	test_utf8_words();
	ok(proto_utf8_valid("", 0) == 1, "empty string is valid UTF-8");
	ok(proto_utf8_valid("\xe4\xb8\xad", 2) == 0, "length cuts a valid sequence: invalid");
	ok(parse("@t\x01 PING") == PROTO_EUTF8 && P.req.tag == NULL, "control byte in the tag: EUTF8");
	ok(parse("PI\xc0NG") == PROTO_EUTF8, "invalid byte in the verb: EUTF8");
	ok(parse("PING \xff") == PROTO_EUTF8, "invalid byte in an argument: EUTF8");
}

static void
test_in_place(void)
{
	char line[] = "PING a b\nSAY :x";

	ok(proto_parse(line, 8, &P.req) == PROTO_OK && P.req.argc == 2 && argv_is(1, "b"),
	    "parse stops at len even with more bytes behind");
	ok(memcmp(line + 9, "SAY :x", 7) == 0, "bytes after line[len] are untouched");
	ok(parse_n("PING ab", 5) == PROTO_OK && P.req.argc == 0, "a length cutting off an argument parses the prefix only");
	for (int e = PROTO_OK; e <= PROTO_EUTF8; e++) {
		const char *s = proto_parse_strerror((enum proto_parse)e);

		ok(s != NULL && *s != '\0', "strerror(%d) is a message: %s", e, s ? s : "(null)");
	}
	ok(proto_parse_strerror((enum proto_parse)99) != NULL, "strerror of an unknown code is not NULL");
}

int
main(void)
{
	test_basic();
	test_tags();
	test_verbs();
	test_args();
	test_text();
	test_utf8();
	test_in_place();
	free(P.buf);
	return tap_done();
}
