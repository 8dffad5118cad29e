/*
 * kb.c - matching a visitor's question against the knowledge base.
 *
 * Why not a bm25 threshold: bm25 scores depend on how many entries the
 * base holds (with one entry every term's weight is nearly 0), so a fixed
 * threshold on them would mean something else as the base grows. kefu
 * uses FTS5 (trigram tokenizer, so Chinese needs no word splitting) and
 * bm25 only to find and rank candidates, and scores each candidate by
 * coverage: the share of the distinct units of one of its phrasings (the
 * question, or an item of keys) that occur in the visitor's text, the
 * best phrasing counting. A unit is a pair of adjacent CJK (non-ASCII)
 * characters, else three adjacent characters: Chinese words are mostly
 * two characters, so "我的订单还没有到" holds most of 订单没有到 although
 * it holds few of its trigrams. 1.0: the text holds the phrasing whole; a
 * phrasing too short for a unit (one character, or two ASCII ones) scores
 * 1 when the text contains it, else 0. Text is compared case-folded, with
 * punctuation (ASCII, CJK and full-width) as spaces and runs of spaces as
 * one. A text under three characters has no trigram for FTS5: candidates
 * come from LIKE instead.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kb.h"
#include "store.h"

#define KB_TEXT_CPS 4096	/* code points of a text looked at */
#define KB_FTS_TERMS 256	/* distinct trigrams in one FTS5 query */
#define KB_CANDIDATES 50	/* rows the FTS5 or LIKE query returns */

/* ---- text ---- */

static uint32_t
utf8_next(const unsigned char **p, const unsigned char *end)
{
	const unsigned char *s = *p;
	uint32_t c = *s++;
	int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;

	if (more)
		c &= 0x3F >> more;
	while (more-- > 0 && s < end)
		c = (c << 6) | (*s++ & 0x3F);
	*p = s;
	return c;
}

static int
is_punct(uint32_t c)
{
	if (c < 0x80)
		return !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9'));
	return (c >= 0x2000 && c <= 0x206F) || (c >= 0x3000 && c <= 0x303F) ||
	    (c >= 0xFF01 && c <= 0xFF0F) || (c >= 0xFF1A && c <= 0xFF20) ||
	    (c >= 0xFF3B && c <= 0xFF40) || (c >= 0xFF5B && c <= 0xFF65) ||
	    c == 0x00A0 || c == 0xFEFF;
}

/* s (valid UTF-8) as normalized code points into out (at most max). */
static size_t
norm(const char *s, size_t len, uint32_t *out, size_t max)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	size_t n = 0;

	while (p < end && n < max) {
		uint32_t c = utf8_next(&p, end);

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (is_punct(c))
			c = ' ';
		if (c == ' ' && (n == 0 || out[n - 1] == ' '))
			continue;
		out[n++] = c;
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	return n;
}

static size_t
put_utf8(char *o, uint32_t c)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xC0 | (c >> 6));
		o[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (char)(0xE0 | (c >> 12));
		o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		o[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (c >> 18));
	o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	o[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

/* ---- sets of trigrams ---- */

struct tset {
	uint64_t *v;		/* 0: empty slot (no trigram packs to 0) */
	size_t cap, n;
};

static uint64_t
tri(const uint32_t *c)
{
	return ((uint64_t)c[0] << 42) | ((uint64_t)c[1] << 21) | c[2] | (1ULL << 63);
}

/* The unit at c[i] of c[0..n) (see the top), or 0 if there is none. */
static uint64_t
unit(const uint32_t *c, size_t i, size_t n)
{
	if (i + 2 <= n && c[i] >= 0x80 && c[i + 1] >= 0x80)
		return ((uint64_t)c[i] << 42) | ((uint64_t)c[i + 1] << 21) |
		    (1ULL << 63);	/* third place 0: no character is */
	return i + 3 <= n ? tri(c + i) : 0;
}

static int
tset_add(struct tset *t, uint64_t k)
{
	size_t i = (size_t)((k * 0x9E3779B97F4A7C15ULL) >> 32) & (t->cap - 1);

	while (t->v[i] && t->v[i] != k)
		i = (i + 1) & (t->cap - 1);
	if (t->v[i])
		return 0;
	t->v[i] = k;
	t->n++;
	return 1;
}

static int
tset_has(const struct tset *t, uint64_t k)
{
	size_t i = (size_t)((k * 0x9E3779B97F4A7C15ULL) >> 32) & (t->cap - 1);

	while (t->v[i] && t->v[i] != k)
		i = (i + 1) & (t->cap - 1);
	return t->v[i] == k;
}

/* An empty set with room for n trigrams; -1 out of memory. */
static int
tset_init(struct tset *t, size_t n)
{
	t->cap = 16;
	while (t->cap < 2 * n + 2)
		t->cap *= 2;
	t->n = 0;
	return (t->v = calloc(t->cap, sizeof(*t->v))) == NULL ? -1 : 0;
}

/* The distinct units of c[0..n); -1 out of memory. */
static int
tset_build(struct tset *t, const uint32_t *c, size_t n)
{
	if (tset_init(t, n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		uint64_t k = unit(c, i, n);

		if (k)
			tset_add(t, k);
	}
	return 0;
}

/* ---- scoring ---- */

static int
contains(const uint32_t *h, size_t hn, const uint32_t *nd, size_t nn)
{
	for (size_t i = 0; i + nn <= hn; i++)
		if (memcmp(h + i, nd, nn * sizeof(*nd)) == 0)
			return 1;
	return 0;
}

struct query {
	uint32_t c[KB_TEXT_CPS];
	size_t n;
	struct tset set;	/* its units */
};

/* How much of one phrasing (len bytes at p) q holds, 0..1. */
static double
phrase_score(const struct query *q, const char *p, size_t len)
{
	static uint32_t c[KB_KEYS_MAX];
	size_t n = norm(p, len, c, KB_KEYS_MAX), in = 0, distinct = 0;
	struct tset seen;

	if (n == 0 || tset_build(&seen, c, n) < 0)
		return 0;
	if (seen.n == 0) {	/* too short for a unit */
		free(seen.v);
		return contains(q->c, q->n, c, n) ? 1.0 : 0.0;
	}
	for (size_t i = 0; i < seen.cap; i++)
		if (seen.v[i]) {
			distinct++;
			in += tset_has(&q->set, seen.v[i]);
		}
	free(seen.v);
	return distinct ? (double)in / (double)distinct : 0;
}

/* The best of the entry's phrasings: its question and each item of keys. */
static double
entry_score(const struct query *q, const struct store_kb *k)
{
	double best = phrase_score(q, k->question, strlen(k->question));
	const char *s = k->keys;

	while (*s) {
		size_t l = strcspn(s, "|\n");
		double v = phrase_score(q, s, l);

		if (v > best)
			best = v;
		s += l;
		s += *s != '\0';
	}
	return best;
}

struct collect {
	const struct query *q;
	struct kb_hit *hits;
	int n, max;
	int failed;
};

static char *
dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int
collect_row(void *arg, const struct store_kb *k)
{
	struct collect *x = arg;
	double s = entry_score(x->q, k);
	int at;

	if (s <= 0)
		return 0;
	/* insert keeping best first; equal scores keep the bm25 order */
	for (at = x->n; at > 0 && x->hits[at - 1].score < s; at--)
		;
	if (at >= x->max)
		return 0;
	if (x->n == x->max)
		kb_hits_free(&x->hits[--x->n], 1);
	memmove(&x->hits[at + 1], &x->hits[at],
	    (size_t)(x->n - at) * sizeof(x->hits[0]));
	x->hits[at].id = k->id;
	x->hits[at].score = s;
	x->hits[at].group = dup_or_null(k->group);
	x->hits[at].question = strdup(k->question);
	x->hits[at].answer = strdup(k->answer);
	x->n++;
	if (x->hits[at].question == NULL || x->hits[at].answer == NULL ||
	    (k->group && x->hits[at].group == NULL))
		x->failed = 1;
	return 0;
}

/* The FTS5 query for q's trigrams: {question keys} : ("abc" OR ...). */
static char *
fts_query(const struct query *q)
{
	size_t cap = 32 + KB_FTS_TERMS * (3 * 4 + 6), used;
	char *s = malloc(cap);
	struct tset done;
	int terms = 0;

	if (s == NULL || tset_init(&done, KB_FTS_TERMS) < 0) {
		free(s);
		return NULL;
	}
	used = (size_t)snprintf(s, cap, "{question keys} : (");
	for (size_t i = 0; i + 3 <= q->n && terms < KB_FTS_TERMS; i++) {
		if (!tset_add(&done, tri(q->c + i)))
			continue;
		if (terms++)
			used += (size_t)snprintf(s + used, cap - used, " OR ");
		s[used++] = '"';
		for (int j = 0; j < 3; j++)
			used += put_utf8(s + used, q->c[i + j]);
		s[used++] = '"';
	}
	snprintf(s + used, cap - used, ")");
	free(done.v);
	return s;
}

/* "%q%" with LIKE's wildcards and the escape character escaped. */
static void
like_pattern(const struct query *q, char *out)
{
	size_t o = 0;

	out[o++] = '%';
	for (size_t i = 0; i < q->n; i++) {
		if (q->c[i] == '%' || q->c[i] == '_' || q->c[i] == '\\')
			out[o++] = '\\';
		o += put_utf8(out + o, q->c[i]);
	}
	out[o++] = '%';
	out[o] = '\0';
}

int
kb_search(const char *group, const char *text, size_t len, int max,
    struct kb_hit *hits, int *n)
{
	static struct query q;
	struct collect x = { &q, hits, 0, max > KB_HITS_MAX ? KB_HITS_MAX : max, 0 };
	char like[32], *fts = NULL;
	int rc;

	*n = 0;
	q.n = norm(text, len, q.c, KB_TEXT_CPS);
	if (q.n == 0 || x.max <= 0)
		return 0;
	if (tset_build(&q.set, q.c, q.n) < 0)
		return -1;
	if (q.n >= 3 && (fts = fts_query(&q)) == NULL) {
		free(q.set.v);
		return -1;
	}
	if (q.n < 3)
		like_pattern(&q, like);
	rc = store_kb_candidates(fts, like, group, KB_CANDIDATES, collect_row, &x);
	free(fts);
	free(q.set.v);
	*n = x.n;
	if (rc < 0 || x.failed) {
		kb_hits_free(hits, x.n);
		*n = 0;
		return -1;
	}
	return 0;
}

void
kb_hits_free(struct kb_hit *hits, int n)
{
	for (int i = 0; i < n; i++) {
		free(hits[i].group);
		free(hits[i].question);
		free(hits[i].answer);
		memset(&hits[i], 0, sizeof(hits[i]));
	}
}

const char *
kb_entry_invalid(const struct store_kb *k)
{
	if (k->question && (k->question[0] == '\0' ||
	    strlen(k->question) > KB_QUESTION_MAX))
		return "a question is 1-256 bytes";
	if (k->keys && strlen(k->keys) > KB_KEYS_MAX)
		return "keys are at most 1024 bytes";
	if (k->answer && (k->answer[0] == '\0' ||
	    strlen(k->answer) > KB_ANSWER_MAX))
		return "an answer is 1-4096 bytes";
	return NULL;
}

static int
is_word_char(uint32_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

int
kb_asks_human(const char *words, const char *text, size_t len)
{
	static uint32_t t[KB_TEXT_CPS];
	uint32_t w[64];
	size_t tn = norm(text, len, t, KB_TEXT_CPS);

	while (words && *words) {
		size_t l = strcspn(words, ","), wn = norm(words, l, w, 64);
		int ascii = 1;

		for (size_t i = 0; i < wn; i++)
			ascii &= w[i] < 0x80;
		for (size_t i = 0; wn && i + wn <= tn; i++)
			if (memcmp(t + i, w, wn * sizeof(*w)) == 0 && (!ascii ||
			    ((i == 0 || !is_word_char(t[i - 1])) &&
			    (i + wn == tn || !is_word_char(t[i + wn])))))
				return 1;
		words += l;
		words += *words == ',';
	}
	return 0;
}
