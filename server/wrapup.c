/*
 * wrapup.c - checking a wrap-up category list (see wrapup.h), for the
 * configuration loader. The lists live in the configuration, so a SIGHUP
 * changes them; WRAPUP itself still accepts any category (a desk may want
 * a one-off): the list is what the console offers to choose from. GROUPS
 * (cmd_info.c) sends each group's.
 */
#include <string.h>

#include "wrapup.h"

int
wrapup_categories_valid(const char *s)
{
	int n = 0;

	if (s == NULL)
		return 0;
	for (;;) {
		size_t len = strcspn(s, ",");
		size_t b = 0, e = len;

		while (b < e && s[b] == ' ')
			b++;
		while (e > b && s[e - 1] == ' ')
			e--;
		if (e == b || e - b > WRAPUP_CATEGORY_MAX ||
		    ++n > WRAPUP_MAX_CATEGORIES)
			return 0;
		for (size_t i = b; i < e; i++)
			if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
				return 0;
		if (s[len] == '\0')
			return 1;
		s += len + 1;
	}
}
