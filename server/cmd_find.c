/*
 * cmd_find.c - history search with filters: FIND.
 *
 *   FIND [visitor=V] [agent=NAME] [group=G] [since=YYYY-MM-DD]
 *        [until=YYYY-MM-DD] [rating=N|N-M] [category=C] [tag=T] [from=N]
 *        [limit=N] [:words]
 *
 * One row per chat, newest hit first, only the chats the caller may see
 * (access.c, the rule TRANSCRIPT follows); the store does the matching
 * (store_find.c: FTS5 trigram index, substring tests for words under three
 * characters). Paged by row count like the other lists (cmd_list.c).
 *
 * Verbs (rows of proto/cmdtab.def): FIND.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "access.h"
#include "cmd.h"
#include "contact.h"
#include "report.h"
#include "store.h"

#define FIND_DEF 50		/* rows a page, by default */
#define FIND_MAX 200		/* ... and at most */
#define FIND_TEXT_MAX 256	/* bytes of words */
#define FIND_WORD_MAX 64	/* bytes of one word */

static int
find_row(void *arg, const struct store_find_row *h)
{
	struct list_page *pg = arg;
	struct pbuf *b;
	int rc;

	if (!access_chat(pg->c->agent, h->chat, h->group, h->agent))
		return 0;
	if ((b = list_row_id(pg, (long long)h->chat, &rc)) == NULL)
		return rc;
	if (h->seq)
		proto_put_kvi(b, "seq", (long long)h->seq);
	proto_put_kvi(b, "ts", (long long)h->ts);
	proto_put_kv(b, "kind", h->kind);
	proto_put_kv(b, "from", h->sender);
	proto_put_kv(b, "group", h->group);
	proto_put_kv(b, "agent", h->agent ? h->agent : "");
	proto_put_kvi(b, "visitor", (long long)h->visitor);
	proto_put_kv(b, "name", h->name);
	proto_put_kvi(b, "started", (long long)h->created);
	if (h->ended)
		proto_put_kvi(b, "ended", (long long)h->ended);
	if (h->rating)
		proto_put_kvi(b, "rating", h->rating);
	if (h->category)
		proto_put_kv(b, "category", h->category);
	if (h->seq)
		proto_put_kvi(b, "hits", h->hits);
	proto_put_text(b, h->body, strlen(h->body));
	return list_row_end(pg);
}

/* "N" or "N-M", 1-5, N <= M. */
static int
parse_rating(const char *s, int *lo, int *hi)
{
	if (s[0] < '1' || s[0] > '5')
		return -1;
	*lo = *hi = s[0] - '0';
	if (s[1] == '\0')
		return 0;
	if (s[1] != '-' || s[2] < '1' || s[2] > '5' || s[3] != '\0')
		return -1;
	*hi = s[2] - '0';
	return *hi >= *lo ? 0 : -1;
}

/* The options into f; -1 after ERR ARGS. */
static int
find_opts(struct conn *c, struct proto_req *r, struct store_find *f)
{
	static const char *const keys[] = { "visitor", "agent", "group",
	    "since", "until", "rating", "category", "tag", NULL };
	const char *v;
	long long n;

	if (cmd_opts_known(c, r, 0, keys) < 0)
		return -1;
	for (int i = 0; i < r->argc; i++)
		for (int j = 0; j < i; j++)
			if (strcspn(r->argv[i], "=") == strcspn(r->argv[j], "=") &&
			    !strncmp(r->argv[i], r->argv[j], strcspn(r->argv[i], "="))) {
				reply_err(c, "ARGS", "option given twice: %.40s",
				    r->argv[i]);
				return -1;
			}
	if ((v = proto_opt(r, "visitor")) != NULL) {
		if (proto_parse_int(v, 1, INT64_MAX, &n) < 0)
			goto bad;
		f->visitor = n;
	}
	f->agent = proto_opt(r, "agent");
	f->group = proto_opt(r, "group");
	f->category = proto_opt(r, "category");
	if ((f->tag = proto_opt(r, "tag")) != NULL && !contact_tag_ok(f->tag)) {
		reply_err(c, "ARGS", "a tag is 1-%d bytes without spaces or commas",
		    CONTACT_TAG_MAX);
		return -1;
	}
	if ((v = proto_opt(r, "since")) != NULL &&
	    report_parse_day(v, 0, &f->since) < 0)
		goto bad;
	if ((v = proto_opt(r, "until")) != NULL &&
	    report_parse_day(v, 1, &f->until) < 0)
		goto bad;
	if ((v = proto_opt(r, "rating")) != NULL &&
	    parse_rating(v, &f->rating_min, &f->rating_max) < 0)
		goto bad;
	return 0;
bad:
	reply_err(c, "ARGS", "bad option (visitor: a number; since, until: "
	    "YYYY-MM-DD; rating: 1-5 or N-M)");
	return -1;
}

/* The words of the text, split at spaces and tabs, into f (they point
 * into buf). -1 after ERR ARGS. */
static int
find_words(struct conn *c, const char *text, char *buf, size_t len,
    struct store_find *f)
{
	char *p, *save = NULL;

	if (strlen(text) > FIND_TEXT_MAX || strlen(text) >= len) {
		reply_err(c, "ARGS", "words are at most %d bytes", FIND_TEXT_MAX);
		return -1;
	}
	memcpy(buf, text, strlen(text) + 1);
	for (p = strtok_r(buf, " \t", &save); p; p = strtok_r(NULL, " \t", &save)) {
		if (f->nwords == STORE_FIND_WORDS || strlen(p) > FIND_WORD_MAX) {
			reply_err(c, "ARGS", "at most %d words of at most %d "
			    "bytes", STORE_FIND_WORDS, FIND_WORD_MAX);
			return -1;
		}
		f->words[f->nwords++] = p;
	}
	return 0;
}

void
cmd_find(struct conn *c, struct proto_req *r)
{
	char buf[FIND_TEXT_MAX + 1];
	struct store_find f;
	struct list_page pg;

	memset(&f, 0, sizeof(f));
	if (list_init(&pg, c, r, 7, FIND_DEF, FIND_MAX) < 0 ||
	    find_opts(c, r, &f) < 0 ||
	    find_words(c, r->text ? r->text : "", buf, sizeof(buf), &f) < 0)
		return;
	list_done(&pg, store_find(&f, find_row, &pg));
}
