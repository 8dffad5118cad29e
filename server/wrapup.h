/*
 * wrapup.h - the wrap-up categories a desk offers its agents: a list per
 * group (groups[].wrapup_categories) or the desk's default
 * (wrapup.categories), sent in GROUPS rows for the console's wrap-up form.
 */
#ifndef KEFU_WRAPUP_H
#define KEFU_WRAPUP_H

#define WRAPUP_MAX_CATEGORIES 32
#define WRAPUP_CATEGORY_MAX 64		/* bytes, as WRAPUP accepts */
#define WRAPUP_DEFAULT "general, sales, support, billing, shipping, complaint, spam"
#define WRAPUP_RULE "a comma list of 1-32 categories, each 1-64 bytes"

/* Is s a valid category list (WRAPUP_RULE; spaces around items ignored)? */
int wrapup_categories_valid(const char *s);

#endif
