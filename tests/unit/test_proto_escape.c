/*
 * test_proto_escape.c - escaping, options, integers, the output buffer and
 * the line builders (proto/escape.c, proto/parse.c, proto/pbuf.c).
 *
 * The escapes are what keeps a visitor from forging protocol lines, so the
 * central test here is a property: random strings full of spaces, colons,
 * backslashes, newlines and CJK text go through proto_escape() and come back
 * unchanged from proto_parse(), and the escaped form never holds a newline.
 * The builders are checked byte for byte against the lines PROTOCOL.md shows.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "../tap.h"

static void
die(const char *what)
{
	printf("Bail out! %s\n", what);
	exit(1);
}

/* Escape s (word or text mode) into a fresh NUL-terminated string. */
static char *
esc(const char *s, size_t n, int word)
{
	struct pbuf b;
	char *r;

	pbuf_init(&b);
	if (proto_escape(&b, s, n, word) < 0 || pbuf_add(&b, "", 1) < 0)
		die("proto_escape failed");
	r = strdup(b.data);
	if (r == NULL)
		die("out of memory");
	pbuf_free(&b);
	return r;
}

static int
esc_is(const char *s, size_t n, int word, const char *want)
{
	char *got = esc(s, n, word);
	int r = strcmp(got, want) == 0;

	if (!r)
		printf("#   escaped to '%s', want '%s'\n", got, want);
	free(got);
	return r;
}

/* Literal input, so embedded NULs count. */
#define ESC(s, word, want) esc_is(s, sizeof(s) - 1, word, want)

static int
unesc_is(const char *s, const char *want)
{
	size_t n = strlen(s), wn = strlen(want), r;
	char *buf = malloc(n + 1);
	int res;

	if (buf == NULL)
		die("out of memory");
	memcpy(buf, s, n + 1);
	r = proto_unescape(buf, n);
	res = r == wn && memcmp(buf, want, wn) == 0 && buf[r] == '\0';
	free(buf);
	return res;
}

/* "PING <s escaped as a word>" must parse as PING with one argument. */
static int
word_stays_argument(const char *s, size_t n)
{
	struct pbuf b;
	struct proto_req req;
	int r;

	pbuf_init(&b);
	if (pbuf_adds(&b, "PING ") < 0 || proto_escape(&b, s, n, 1) < 0 || pbuf_add(&b, "\n", 1) < 0)
		die("escape");
	r = proto_parse(b.data, b.len - 1, &req) == PROTO_OK && req.argc == 1 && req.text == NULL;
	pbuf_free(&b);
	return r;
}

/* Text escaping skips plain runs 8 bytes at a time: each byte it changes,
 * and some it keeps, at every position of 1-24 bytes of ASCII. */
static void
test_escape_words(void)
{
	static const struct { char b; const char *text, *word; } odd[] = {
		{ '\n', "\\n", "\\n" }, { '\r', "", "" }, { '\\', "\\\\", "\\\\" },
		{ '\0', "\\n", "\\n" }, { '\t', "\t", "\\t" }, { ' ', " ", "\\s" },
		{ 'z', "z", "z" },
	};
	int bad = 0, cases = 0;

	for (size_t k = 0; k < sizeof(odd) / sizeof(odd[0]); k++)
		for (size_t pos = 0; pos < 24; pos++)
			for (size_t len = pos + 1; len <= 24; len += 5)
				for (int word = 0; word <= 1; word++) {
					char in[24], want[64];
					char *got;

					memset(in, 'a', sizeof(in));
					in[pos] = odd[k].b;
					snprintf(want, sizeof(want), "%.*s%s%.*s",
					    (int)pos, in, word ? odd[k].word : odd[k].text,
					    (int)(len - pos - 1), in + pos + 1);
					got = esc(in, len, word);
					cases++;
					bad += strcmp(got, want) != 0;
					free(got);
				}
	ok(bad == 0, "one special byte anywhere in 1-24 bytes: %d of %d wrong",
	    bad, cases);
}

static void
test_escape(void)
{
	ok(ESC("a b", 0, "a b"), "text: space kept");
	ok(ESC("a b", 1, "a\\sb"), "word: space becomes \\s");
	ok(ESC("a\nb", 0, "a\\nb"), "text: newline becomes \\n");
	ok(ESC("a\nb", 1, "a\\nb"), "word: newline becomes \\n");
	ok(ESC("a\\b", 0, "a\\\\b"), "text: backslash doubled");
	ok(ESC("a\\b", 1, "a\\\\b"), "word: backslash doubled");
	ok(ESC(":x", 0, ":x"), "text: leading colon kept");
	ok(ESC(":x", 1, "\\:x"), "word: leading colon becomes \\:");
	ok(ESC("x:y:", 1, "x:y:"), "word: inner colons kept");
	ok(ESC("a\tb", 0, "a\tb"), "text: tab kept");
	ok(ESC("a\tb", 1, "a\\tb"), "word: tab becomes \\t");
	ok(ESC("a\r\nb", 0, "a\\nb"), "CRLF becomes one \\n");
	ok(ESC("a\rb", 0, "ab"), "lone CR is dropped");
	ok(ESC("a\0b", 0, "a\\nb"), "NUL never goes out raw");
	ok(ESC("", 0, ""), "empty string escapes to nothing");
	ok(ESC("\r:x", 1, "\\:x"), "word: a colon first after a dropped CR is still escaped");
	ok(ESC("\r\r:x", 1, "\\:x"), "word: a colon first after two dropped CRs is still escaped");
	ok(ESC("a\r:x", 1, "a:x"), "word: a colon after a CR that follows text is not first");
	ok(word_stays_argument(":x y", 4), "escaped word ':x y' parses back as one argument");
	ok(word_stays_argument("\r:x y", 5), "escaped word '\\r:x y' parses back as one argument, not as text");
	ok(ESC("\xe4\xb8\xad \xf0\x9f\x98\x80", 1, "\xe4\xb8\xad\\s\xf0\x9f\x98\x80"),
	    "word: UTF-8 bytes pass, space escaped");
	ok(ESC("* MSG 1 2 agent x :hi\n* KICKED :bye", 0, "* MSG 1 2 agent x :hi\\n* KICKED :bye"),
	    "a forged event line stays inside one line");

	ok(unesc_is("a\\nb", "a\nb"), "unescape \\n");
	ok(unesc_is("a\\tb", "a\tb"), "unescape \\t");
	ok(unesc_is("a\\sb", "a b"), "unescape \\s");
	ok(unesc_is("\\:a", ":a"), "unescape \\:");
	ok(unesc_is("a\\\\b", "a\\b"), "unescape \\\\");
	ok(unesc_is("\\\\n", "\\n"), "unescape \\\\n is backslash + n");
	ok(unesc_is("a\\", "a\\"), "unescape keeps a lone trailing backslash");
	ok(unesc_is("\\q\\0\\N\\S\\T", "\\q\\0\\N\\S\\T"), "unknown escapes (and upper case) kept");
	ok(unesc_is("\\\\\\", "\\\\"), "escaped backslash then lone backslash");
	ok(unesc_is("", ""), "unescape of the empty string");
	ok(unesc_is("\\n\\n\\n", "\n\n\n"), "consecutive escapes");
}

/* ---- round-trip property ---------------------------------------------- */

static uint64_t rng_state = 0x6b6566750002ULL;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

/* Random printable text: the awkward characters are the common ones. */
static size_t
random_text(char *out, size_t maxlen, int nonempty)
{
	static const char *pieces[] = {
		" ", ":", "\\", "\n", "\t", "n", "s", "t", "a", "Z", "=", "@",
		"*", "+", "\\n", "\\\\", "\xe4\xb8\xad", "\xe6\x96\x87",
		"\xf0\x9f\x98\x80", "\xc3\xa9", "ERR", "OK",
	};
	size_t n = 0, want = rng() % 24;

	if (nonempty && want == 0)
		want = 1;
	for (size_t i = 0; i < want; i++) {
		const char *p = pieces[rng() % (sizeof(pieces) / sizeof(pieces[0]))];
		size_t l = strlen(p);

		if (n + l >= maxlen)
			break;
		memcpy(out + n, p, l);
		n += l;
	}
	if (nonempty && n == 0)
		out[n++] = 'x';
	out[n] = '\0';
	return n;
}

/* Build "VERB <args escaped as words> :<text escaped>", parse, compare. */
static int
roundtrip_once(int nargs, int with_text, int *no_newline)
{
	char args[PROTO_MAX_ARGS][128], text[128];
	size_t argl[PROTO_MAX_ARGS], textl = 0;
	struct pbuf b;
	struct proto_req req;
	int good;

	pbuf_init(&b);
	if (pbuf_adds(&b, "ROUND") < 0)
		die("pbuf");
	for (int i = 0; i < nargs; i++) {
		argl[i] = random_text(args[i], sizeof(args[i]), 1);
		if (pbuf_add(&b, " ", 1) < 0 || proto_escape(&b, args[i], argl[i], 1) < 0)
			die("escape");
	}
	if (with_text) {
		textl = random_text(text, sizeof(text), 0);
		if (pbuf_add(&b, " :", 2) < 0 || proto_escape(&b, text, textl, 0) < 0)
			die("escape");
	}
	if (memchr(b.data, '\n', b.len) != NULL)
		*no_newline = 0;
	if (pbuf_add(&b, "\n", 1) < 0)
		die("pbuf");
	good = proto_parse(b.data, b.len - 1, &req) == PROTO_OK && req.argc == nargs;
	for (int i = 0; good && i < nargs; i++)
		good = strlen(req.argv[i]) == argl[i] && memcmp(req.argv[i], args[i], argl[i]) == 0;
	if (good && with_text)
		good = req.text != NULL && req.textlen == textl && memcmp(req.text, text, textl) == 0;
	if (good && !with_text)
		good = req.text == NULL;
	pbuf_free(&b);
	return good;
}

static void
test_roundtrip(void)
{
	int fail1 = 0, fail0 = 0, failm = 0, nl = 1;

	for (int i = 0; i < 3000; i++)
		fail1 += !roundtrip_once(1, 0, &nl);
	is_int(fail1, 0, "3000 random words round-trip through proto_escape(word=1) + proto_parse");
	for (int i = 0; i < 3000; i++)
		fail0 += !roundtrip_once(0, 1, &nl);
	is_int(fail0, 0, "3000 random texts round-trip through proto_escape(word=0) + proto_parse");
	for (int i = 0; i < 1000; i++)
		failm += !roundtrip_once((int)(rng() % (PROTO_MAX_ARGS + 1)), (int)(rng() % 2), &nl);
	is_int(failm, 0, "1000 random lines of 0-16 words and optional text round-trip");
	ok(nl, "no escaped word or text ever contained a raw newline");
}

/* ---- options and integers -------------------------------------------- */

static void
test_opt(void)
{
	char line[] = "HELLO name=\xe5\xbc\xa0\\s\xe4\xb8\x89 group=sales page=a=b names=x flag empty= name=second";
	struct proto_req req;

	if (proto_parse(line, strlen(line), &req) != PROTO_OK)
		die("parse");
	is_str(proto_opt(&req, "name"), "\xe5\xbc\xa0 \xe4\xb8\x89",
	    "proto_opt: escaped value is unescaped; of two 'name=' the first wins");
	is_str(proto_opt(&req, "group"), "sales", "proto_opt: plain value");
	is_str(proto_opt(&req, "page"), "a=b", "proto_opt: value keeps later '='");
	is_str(proto_opt(&req, "nam"), NULL, "proto_opt: a key prefix does not match");
	is_str(proto_opt(&req, "names"), "x", "proto_opt: longer key is its own key");
	is_str(proto_opt(&req, "flag"), NULL, "proto_opt: word without '=' is not an option");
	is_str(proto_opt(&req, "empty"), "", "proto_opt: 'key=' gives an empty value");
	is_str(proto_opt(&req, "missing"), NULL, "proto_opt: absent key gives NULL");
}

static void
test_int(void)
{
	long long v = 0;
	int r;

	ok(proto_parse_int("0", 0, 10, &v) == 0 && v == 0, "int: 0");
	ok(proto_parse_int("42", 0, 100, &v) == 0 && v == 42, "int: 42");
	ok(proto_parse_int("-7", -10, 10, &v) == 0 && v == -7, "int: -7 within a negative range");
	ok(proto_parse_int("00012", 0, 100, &v) == 0 && v == 12, "int: leading zeros are decimal, not octal");
	ok(proto_parse_int("9223372036854775807", LLONG_MIN, LLONG_MAX, &v) == 0 && v == LLONG_MAX,
	    "int: LLONG_MAX");
	ok(proto_parse_int("-9223372036854775808", LLONG_MIN, LLONG_MAX, &v) == 0 && v == LLONG_MIN,
	    "int: LLONG_MIN");
	v = 12345;
#define BAD(s, lo, hi, what) do { \
	r = proto_parse_int(s, lo, hi, &v); \
	ok(r == -1 && v == 12345, "int: %s rejected, output untouched", what); \
} while (0)
	BAD("9223372036854775808", LLONG_MIN, LLONG_MAX, "LLONG_MAX + 1 (overflow)");
	BAD("-9223372036854775809", LLONG_MIN, LLONG_MAX, "LLONG_MIN - 1 (underflow)");
	BAD("99999999999999999999999", LLONG_MIN, LLONG_MAX, "23 digits");
	BAD("", 0, 10, "empty string");
	BAD(NULL, 0, 10, "NULL");
	BAD(" 5", 0, 10, "leading space");
	BAD("\t5", 0, 10, "leading tab");
	BAD("5 ", 0, 10, "trailing space");
	BAD("5\n", 0, 10, "trailing newline");
	BAD("5x", 0, 10, "trailing letter");
	BAD("0x10", 0, 100, "hex");
	BAD("1e3", 0, 10000, "exponent");
	BAD("1.0", 0, 10, "decimal point");
	BAD("-", -10, 10, "lone minus");
	BAD("+", 0, 10, "lone plus");
	BAD("--5", -10, 10, "double minus");
	BAD("+-5", -10, 10, "plus minus");
	BAD("-5", 0, 10, "negative below min 0");
	BAD("6", 1, 5, "above max");
	BAD("0", 1, 5, "below min");
	BAD("\xef\xbc\x95", 0, 10, "fullwidth digit five");
	BAD("\xd9\xa3", 0, 10, "Arabic-Indic digit three");
#undef BAD
}

/* account names: what the SSH gateway lets through to kefud (issue 15) */
static void
test_name(void)
{
	char longest[PROTO_NAME_MAX + 2];

	ok(proto_name_ok("alice"), "name: alice");
	ok(proto_name_ok("A.b_c-9"), "name: A-Z a-z 0-9 _ . -");
	memset(longest, 'x', sizeof(longest));
	longest[PROTO_NAME_MAX] = '\0';
	ok(proto_name_ok(longest), "name: %d bytes is the longest", PROTO_NAME_MAX);
	longest[PROTO_NAME_MAX] = 'x';
	longest[PROTO_NAME_MAX + 1] = '\0';
	ok(!proto_name_ok(longest), "name: %d bytes is too long", PROTO_NAME_MAX + 1);
	ok(!proto_name_ok(""), "name: empty");
	ok(!proto_name_ok(NULL), "name: NULL");
	ok(!proto_name_ok("addr=local"), "name: '=' (would pose as addr=)");
	ok(!proto_name_ok("a b"), "name: space");
	ok(!proto_name_ok("a:b"), "name: colon");
	ok(!proto_name_ok("a\\sb"), "name: backslash escape");
	ok(!proto_name_ok("a\nb"), "name: newline");
	ok(!proto_name_ok("\xc3\xa9t\xc3\xa9"), "name: non-ASCII letters");
	ok(!proto_name_ok("@tag"), "name: '@'");
}

/* ssh.max_startups / --max-startups (issue 15 item 4) */
static void
test_startups(void)
{
	int v[3] = { -1, -1, -1 };
	static const char *const bad[] = { "", "0", "10:30", "10:30:100:5",
	    "10::100", ":30:100", "10:30:", "30:10:20", "10:101:100",
	    "10:-1:100", "10:30:100001", "a:b:c", " 10", "10:30:100 ", NULL };

	ok(proto_parse_startups("10:30:100", 100000, v) == 0 && v[0] == 10 &&
	    v[1] == 30 && v[2] == 100, "startups: 10:30:100");
	ok(proto_parse_startups("7", 100000, v) == 0 && v[0] == 7 &&
	    v[1] == 100 && v[2] == 7, "startups: N means N:100:N");
	ok(proto_parse_startups("5:0:5", 100000, v) == 0 && v[0] == 5 &&
	    v[1] == 0 && v[2] == 5, "startups: start == full, rate 0");
	v[0] = v[1] = v[2] = 42;
	for (int i = 0; bad[i] != NULL; i++)
		ok(proto_parse_startups(bad[i], 100000, v) < 0 && v[0] == 42 &&
		    v[1] == 42 && v[2] == 42, "startups: '%s' rejected", bad[i]);
	ok(proto_parse_startups(NULL, 100000, v) < 0, "startups: NULL rejected");
}

/* ---- pbuf ------------------------------------------------------------- */

static void
test_pbuf(void)
{
	struct pbuf b;
	int bad = 0;
	char big[10001];

	pbuf_init(&b);
	ok(b.data == NULL && b.len == 0 && b.cap == 0, "pbuf_init: empty, nothing allocated");
	ok(pbuf_add(&b, NULL, 0) == 0 && b.len == 0, "pbuf_add of 0 bytes is a no-op");
	for (int i = 0; i < 100000; i++) {
		char c = (char)('a' + i % 26);

		if (pbuf_add(&b, &c, 1) < 0)
			bad++;
	}
	ok(bad == 0 && b.len == 100000 && b.cap >= b.len, "100000 one-byte adds grow the buffer (cap %zu)", b.cap);
	for (size_t i = 0; i < b.len; i++)
		if (b.data[i] != (char)('a' + i % 26))
			bad++;
	is_int(bad, 0, "content intact after growth");
	pbuf_consume(&b, 26 * 1000 + 3);
	for (size_t i = 0; i < b.len; i++)
		if (b.data[i] != (char)('a' + (i + 3) % 26))
			bad++;
	ok(b.len == 100000 - 26003 && bad == 0, "consume a prefix moves all the rest to the front");
	pbuf_consume(&b, 0);
	is_int(b.len, 73997, "consume 0 changes nothing");
	pbuf_consume(&b, 1000000);
	is_int(b.len, 0, "consume more than len empties the buffer");
	ok(pbuf_adds(&b, "abc") == 0 && b.len == 3 && memcmp(b.data, "abc", 3) == 0, "add after consuming everything");
	pbuf_consume(&b, 3);
	is_int(b.len, 0, "consume exactly len empties the buffer");
	ok(pbuf_reserve(&b, SIZE_MAX) == -1, "reserve SIZE_MAX fails cleanly");
	ok(pbuf_adds(&b, "xy") == 0 && b.len == 2 && memcmp(b.data, "xy", 2) == 0, "buffer usable after a failed reserve");
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ok(pbuf_printf(&b, "%s|%d|%s", "n", -5, big) == 0 && b.len == 2 + 5 + 10000 &&
	    memcmp(b.data, "xyn|-5|qq", 9) == 0 && b.data[b.len - 1] == 'q', "pbuf_printf appends a 10000-byte expansion");
	ok(pbuf_printf(&b, "%s", "") == 0 && b.len == 10007, "pbuf_printf of nothing adds nothing");
	pbuf_free(&b);
	ok(b.data == NULL && b.len == 0 && b.cap == 0, "pbuf_free resets the buffer");

	/* one-pass printf: a text that exactly fills, or just overflows,
	 * the free room after the first 64-byte reserve */
	for (int n = 60; n <= 300; n++) {
		pbuf_init(&b);
		memset(big, 'r', (size_t)n);
		big[n] = '\0';
		if (pbuf_adds(&b, "ab") < 0 || pbuf_printf(&b, "%s%d", big, 7) < 0 ||
		    b.len != (size_t)n + 3 || memcmp(b.data, "ab", 2) != 0 ||
		    b.data[2] != 'r' || b.data[n + 1] != 'r' || b.data[n + 2] != '7')
			bad++;
		pbuf_free(&b);
	}
	is_int(bad, 0, "pbuf_printf of 60-300 bytes after 2: exact content at every size around the room");
	pbuf_init(&b);
	ok(pbuf_put_int(&b, 0) == 0 && pbuf_add(&b, " ", 1) == 0 &&
	    pbuf_put_int(&b, -42) == 0 && pbuf_add(&b, " ", 1) == 0 &&
	    pbuf_put_int(&b, 1234567890123LL) == 0 && pbuf_add(&b, " ", 1) == 0 &&
	    pbuf_put_int(&b, LLONG_MIN) == 0 && pbuf_add(&b, " ", 1) == 0 &&
	    pbuf_put_int(&b, LLONG_MAX) == 0 && pbuf_add(&b, "", 1) == 0,
	    "pbuf_put_int appends");
	is_str(b.data, "0 -42 1234567890123 -9223372036854775808 9223372036854775807",
	    "pbuf_put_int: zero, negative, large, LLONG_MIN, LLONG_MAX as printf would");
	b.len = 0;
	ok(proto_put_tag(&b, "t1") == 0 && pbuf_adds(&b, "OK") == 0 &&
	    proto_put_kvi(&b, "seq", -7) == 0 && pbuf_add(&b, "", 1) == 0,
	    "tag and kvi builders append");
	is_str(b.data, "@t1 OK seq=-7", "proto_put_tag + proto_put_kvi without printf: '@t1 OK seq=-7'");
	pbuf_free(&b);
	pbuf_free(&b);
	ok(b.data == NULL, "pbuf_free twice is safe");
}

/* ---- builders ---------------------------------------------------------- */

static int
pbuf_is(const struct pbuf *b, const char *want)
{
	size_t n = strlen(want);
	int r = b->len == n && (n == 0 || memcmp(b->data, want, n) == 0);

	if (!r)
		printf("#   got '%.*s', want '%s'\n", (int)b->len, b->data ? b->data : "", want);
	return r;
}

static void
test_builders(void)
{
	struct pbuf b;
	const char *zhang = "\xe5\xbc\xa0 \xe4\xb8\x89";

	pbuf_init(&b);
	ok(proto_put_tag(&b, NULL) == 0 && proto_put_word(&b, "OK") == 0 &&
	    proto_put_kvi(&b, "seq", 42) == 0 && proto_put_end(&b) == 0 && pbuf_is(&b, "OK seq=42\n"),
	    "untagged reply: 'OK seq=42\\n'");
	pbuf_free(&b);

	ok(proto_put_tag(&b, "q") == 0 && proto_put_word(&b, "OK") == 0 && proto_put_kv(&b, "name", zhang) == 0 &&
	    proto_put_text(&b, "hi\nthere", 8) == 0 && proto_put_end(&b) == 0 &&
	    pbuf_is(&b, "@q OK name=\xe5\xbc\xa0\\s\xe4\xb8\x89 :hi\\nthere\n"),
	    "tagged reply with escaped value and text");
	pbuf_free(&b);

	ok(proto_put_word(&b, "*") == 0 && proto_put_word(&b, "MSG") == 0 && proto_put_word(&b, "1") == 0 &&
	    proto_put_kvi(&b, "ts", 1700000000) == 0 && proto_put_text(&b, "* KICKED :x\r\n", 13) == 0 &&
	    proto_put_end(&b) == 0 && pbuf_is(&b, "* MSG 1 ts=1700000000 :* KICKED :x\\n\n"),
	    "event line; forged line in text stays escaped");
	ok(proto_put_word(&b, "+") == 0 && proto_put_word(&b, "7") == 0 && proto_put_end(&b) == 0 &&
	    pbuf_is(&b, "* MSG 1 ts=1700000000 :* KICKED :x\\n\n+ 7\n"),
	    "second line in the same buffer starts without a space");
	pbuf_free(&b);

	ok(proto_put_tag(&b, "t") == 0 && proto_put_word(&b, "ERR") == 0 && proto_put_word(&b, "ARGS") == 0 &&
	    pbuf_is(&b, "@t ERR ARGS"), "put_word after a tag adds no double space");
	pbuf_free(&b);

	ok(proto_put_kv(&b, "a", NULL) == 0 && proto_put_kv(&b, "b", "") == 0 && proto_put_kv(&b, "c", ":x y") == 0 &&
	    proto_put_kv(&b, "d", "p\\q") == 0 && pbuf_is(&b, " a= b= c=\\:x\\sy d=p\\\\q"),
	    "put_kv: NULL and empty values, colon, space and backslash escaped");
	pbuf_free(&b);

	ok(proto_put_kvi(&b, "n", LLONG_MIN) == 0 && proto_put_kvi(&b, "z", 0) == 0 &&
	    pbuf_is(&b, " n=-9223372036854775808 z=0"), "put_kvi: LLONG_MIN and 0");
	pbuf_free(&b);

	ok(proto_put_text(&b, NULL, 5) == 0 && pbuf_is(&b, " :"), "put_text(NULL) gives an empty text");
	pbuf_free(&b);
	ok(proto_put_text(&b, "abcdef", 3) == 0 && pbuf_is(&b, " :abc"), "put_text takes exactly n bytes");
	pbuf_free(&b);
	ok(proto_put_text(&b, " :a\\b\t", 6) == 0 && pbuf_is(&b, " : :a\\\\b\t"), "put_text escapes only backslash (and newlines)");
	pbuf_free(&b);
}

/* Build a line with the builders, parse it back: fields must survive. */
static void
test_builder_roundtrip(void)
{
	const char *val = "a b:c\\d\n\xe4\xb8\xad", *txt = " x :y\\n\n";
	struct pbuf b;
	struct proto_req req;

	pbuf_init(&b);
	if (proto_put_tag(&b, "r1") < 0 || proto_put_word(&b, "OK") < 0 || proto_put_kv(&b, "v", val) < 0 ||
	    proto_put_kvi(&b, "n", -3) < 0 || proto_put_text(&b, txt, strlen(txt)) < 0 || proto_put_end(&b) < 0)
		die("builders");
	ok(memchr(b.data, '\n', b.len - 1) == NULL && b.data[b.len - 1] == '\n', "built line has exactly one newline, at the end");
	ok(proto_parse(b.data, b.len - 1, &req) == PROTO_OK && req.tag && strcmp(req.tag, "r1") == 0 &&
	    req.argc == 2, "built line parses: tag and two fields");
	is_str(proto_opt(&req, "v"), val, "kv value survives build + parse");
	is_str(proto_opt(&req, "n"), "-3", "kvi value survives build + parse");
	ok(req.text && req.textlen == strlen(txt) && memcmp(req.text, txt, req.textlen) == 0,
	    "text survives build + parse");
	pbuf_free(&b);
}

int
main(void)
{
	test_escape();
	test_escape_words();
	test_roundtrip();
	test_opt();
	test_int();
	test_name();
	test_startups();
	test_pbuf();
	test_builders();
	test_builder_roundtrip();
	return tap_done();
}
