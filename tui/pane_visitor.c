/*
 * pane_visitor.c - who the agent is talking to: name, email, address,
 * language, referrer, tags and customer card (Alt-c edits it, cardform.c),
 * past chats with dates, the last wrap-up, and
 * the page trail. The most useful facts come first, so a small pane still
 * shows them; a tall pane shows everything.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "pane_visitor.h"

struct out {
	const struct rect *r;
	int row;
};

static const char *
kv(const struct vinfo *v, const char *key)
{
	for (size_t i = 0; i < v->nkv; i++)
		if (strcmp(v->kv[i].key, key) == 0)
			return v->kv[i].val;
	return NULL;
}

static void
put(struct out *o, const char *label, const char *val)
{
	int y, x;

	if (val == NULL || val[0] == '\0' || o->row >= o->r->h - 1)
		return;
	y = o->r->y + 1 + o->row++;
	x = draw_text(y, o->r->x, o->r->w, label, ST_LABEL);
	draw_line_cut(y, o->r->x + x, o->r->w - x, val, ST_NORMAL);
}

static int
known(const char *k)
{
	/* last_*: the newest chat, shown from HISTORY as "Last wrap-up" */
	static const char *const keys[] = { "name", "email", "phone", "addr", "region", "lang",
	    "referrer", "first", "last", "visits", "chats", "tags", "ua",
	    "last_chat", "last_category", "last_summary", "customer",
	    "customer_chats", "cases", NULL };

	for (int i = 0; keys[i] != NULL; i++)
		if (strcmp(keys[i], k) == 0)
			return 1;
	return 0;
}

/* An epoch value as a local date, or the value itself. */
static const char *
date(char *buf, size_t n, const char *epoch)
{
	char *end;
	long long v;
	time_t t;
	struct tm tm;

	if (epoch == NULL || epoch[0] == '\0')
		return NULL;
	v = strtoll(epoch, &end, 10);
	t = (time_t)v;
	if (*end != '\0' || v <= 0 || localtime_r(&t, &tm) == NULL ||
	    strftime(buf, n, "%Y-%m-%d %H:%M", &tm) == 0)
		return epoch;
	return buf;
}

static void
trail(struct out *o, const struct vinfo *v)
{
	char buf[1024];
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < v->npages && len + 4 < sizeof(buf); i++) {
		int n = snprintf(buf + len, sizeof(buf) - len, "%s%s",
		    len ? " < " : "", v->pages[i]);

		if (n < 0)
			break;
		len += (size_t)n;
		if (len >= sizeof(buf))
			len = sizeof(buf) - 1;
	}
	put(o, "Pages: ", buf);
}

static void
body(struct out *o, const struct chat *c)
{
	const struct vinfo *v = &c->vi;
	char buf[1024], who[1100];
	size_t len = 0;

	const char *lang = kv(v, "lang");
	int has_lang = lang != NULL && lang[0] != '\0';

	snprintf(who, sizeof(who), "%s%s%s%s",
	    kv(v, "name") && kv(v, "name")[0] ? kv(v, "name") : c->name,
	    has_lang ? " (" : "", has_lang ? lang : "", has_lang ? ")" : "");
	put(o, "Name: ", who);
	put(o, "Email: ", kv(v, "email"));
	put(o, "Phone: ", kv(v, "phone"));
	buf[0] = '\0';
	for (size_t i = 0; i < v->nhist && len + 12 < sizeof(buf); i++) {
		int n = snprintf(buf + len, sizeof(buf) - len, "%s%.10s",
		    i ? ", " : "", v->hist[i]);

		if (n > 0)
			len += (size_t)n;
	}
	snprintf(who, sizeof(who), "%zu%s%s", v->nhist, v->nhist ? ": " : "", buf);
	put(o, "Past chats: ", who);
	put(o, "Last wrap-up: ", v->last_wrap);
	put(o, "Watching: ", c->watchers);
	put(o, "Tags: ", kv(v, "tags"));
	if (kv(v, "customer") && strcmp(kv(v, "customer"), "0") != 0) {
		snprintf(who, sizeof(who), "#%s, %s chats, %s cases",
		    kv(v, "customer"), kv(v, "customer_chats") ?
		    kv(v, "customer_chats") : "0", kv(v, "cases") ? kv(v, "cases") : "0");
		put(o, "Customer: ", who);
	} else if (kv(v, "cases") && strcmp(kv(v, "cases"), "0") != 0)
		put(o, "Cases: ", kv(v, "cases"));
	put(o, "Address: ", kv(v, "addr"));
	put(o, "Region: ", kv(v, "region"));
	put(o, "Referrer: ", kv(v, "referrer"));
	put(o, "Browser: ", kv(v, "ua"));
	trail(o, v);
	put(o, "Visits: ", kv(v, "visits"));
	put(o, "First seen: ", date(who, sizeof(who), kv(v, "first")));
	put(o, "Last seen: ", date(who, sizeof(who), kv(v, "last")));
	for (size_t i = 0; i < v->nkv; i++)
		if (!known(v->kv[i].key)) {
			const char *val = v->kv[i].val;

			snprintf(who, sizeof(who), "%s: ", v->kv[i].key);
			for (char *p = who; *p; p++)
				if (*p == '_')
					*p = ' ';
			if (strlen(val) >= 9 && strspn(val, "0123456789") == strlen(val))
				val = date(buf, sizeof(buf), val);	/* an epoch */
			put(o, who, val);
		}
	for (size_t i = 0; i < v->nhist; i++)
		put(o, "  ", v->hist[i]);
	for (size_t i = 0; i < v->npages; i++)
		put(o, "  page ", v->pages[i]);
}

void
pane_visitor_draw(const struct rect *r, struct model *m)
{
	struct chat *c = model_focused(m);
	struct out o = { r, 0 };
	char title[256];

	if (r->h <= 0)
		return;
	snprintf(title, sizeof(title), " Visitor%s%s%s", c ? ": " : "",
	    c ? (c->name && c->name[0] ? c->name : "visitor") : "",
	    c == NULL ? "" : c->ended ? "  * ENDED" : c->left ? "  * LEFT" : "");
	draw_title(r, title, 0);
	if (c == NULL)
		put(&o, "", "(no chat in focus)");
	else
		body(&o, c);
	for (; o.row < r->h - 1; o.row++)
		draw_fill(r->y + 1 + o.row, r->x, r->w, ST_NORMAL);
}
