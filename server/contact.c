/*
 * contact.c - checks and match keys for phones, e-mail addresses, tags and
 * one-line text (see contact.h).
 */
#include <string.h>

#include "contact.h"

int
contact_line_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			return 0;
	return 1;
}

int
contact_phone_ok(const char *s)
{
	size_t n = strlen(s), digits = 0;

	if (n < 3 || n > CONTACT_PHONE_MAX)
		return 0;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			digits++;
		else if (!strchr("+-() .", *s))
			return 0;
	}
	return digits >= 3;
}

int
contact_email_ok(const char *s)
{
	const char *at = strchr(s, '@');
	size_t n = strlen(s);

	if (n < 3 || n > CONTACT_EMAIL_MAX || at == NULL || at == s ||
	    strchr(at + 1, '@') || strpbrk(s, " ,") || !strchr(at + 1, '.') ||
	    at[1] == '.' || s[n - 1] == '.' || !contact_line_ok(s))
		return 0;
	return 1;
}

int
contact_tag_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= CONTACT_TAG_MAX && strpbrk(s, " ,") == NULL &&
	    contact_line_ok(s);
}

int
contact_key(const char *kind, const char *value, char *key, size_t len)
{
	size_t n = 0;
	int phone = strcmp(kind, "phone") == 0;

	for (; *value; value++) {
		char ch = *value;

		if (phone && (ch < '0' || ch > '9'))
			continue;
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if (n + 1 >= len)
			return -1;
		key[n++] = ch;
	}
	key[n] = '\0';
	return 0;
}
