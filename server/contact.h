/*
 * contact.h - the shape of what people write about a customer: phone
 * numbers, e-mail addresses, tags, one-line fields. Shared by the customer
 * cards (cmd_customer.c) and the cases (LEAVEMSG), so a phone a visitor
 * leaves is the same phone an agent types into the card.
 */
#ifndef KEFU_CONTACT_H
#define KEFU_CONTACT_H

#include <stddef.h>

#define CONTACT_PHONE_MAX 32
#define CONTACT_EMAIL_MAX 254
#define CONTACT_TAG_MAX 32

/* the text of the ERR ARGS that refuses a phone */
#define CONTACT_PHONE_RULE "phone: 3-32 characters, digits and + - ( ) . space"

/* 3-32 characters of digits and "+-(). ", at least 3 digits. */
int contact_phone_ok(const char *s);
/* x@y.z, at most 254 bytes, no space, comma or control character. */
int contact_email_ok(const char *s);
/* A tag: 1-32 bytes, no white space, comma or control character. */
int contact_tag_ok(const char *s);
/* No control character (newline, tab, DEL, ...) in s. */
int contact_line_ok(const char *s);
/* The key a contact is matched by: a phone's digits, an e-mail in lower
 * case (ASCII). key has room for len bytes; -1 if it does not fit. */
int contact_key(const char *kind, const char *value, char *key, size_t len);

#endif
