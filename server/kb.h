/*
 * kb.h - matching a question against the knowledge base (kb.c): FTS5
 * trigram candidates ranked by bm25, each scored by how much of one of its
 * phrasings the question holds (or the question of it), 0..1.
 */
#ifndef KEFU_KB_H
#define KEFU_KB_H

#include <stddef.h>
#include <stdint.h>

#define KB_QUESTION_MAX 256	/* bytes of an entry's question */
#define KB_KEYS_MAX 1024	/* ... of its phrasings and keywords */
#define KB_ANSWER_MAX 4096	/* ... of its answer */
#define KB_HITS_MAX 20		/* most matches one search returns */
#define KB_ENTRIES_MAX 10000	/* entries in the knowledge base */

struct kb_hit {
	int64_t id;
	double score;		/* 0..1 */
	char *group;		/* NULL: every group */
	char *question, *answer;
};

/*
 * The entries of group (NULL: any) that match q (len bytes), best first,
 * at most max (<= KB_HITS_MAX) with a score above 0; *n of them in hits
 * (free with kb_hits_free). Queries of fewer than 3 characters use LIKE.
 * 0, or -1 on a store error.
 */
int kb_search(const char *group, const char *q, size_t len, int max,
    struct kb_hit *hits, int *n);
void kb_hits_free(struct kb_hit *hits, int n);

/* Why entry k's set fields (non-NULL) are not acceptable, or NULL:
 * question 1-256 bytes, keys at most 1024, answer 1-4096. */
struct store_kb;
const char *kb_entry_invalid(const struct store_kb *k);

/* Does the visitor's text ask for a person (one of the comma-separated
 * words: CJK ones anywhere in it, others as a whole word, case ignored)? */
int kb_asks_human(const char *words, const char *text, size_t len);

#endif
