/*
 * customer.h - what the two files of the customer cards share:
 * cmd_customer.c (who may see a card, reading: CUSTOMER, CUSTOMERS and
 * the rows VISITOR shows) and cmd_custset.c (making, linking and writing:
 * CUSTSET, TAG, UNTAG). Not for other modules (they use cmd.h).
 */
#ifndef KEFU_CUSTOMER_H
#define KEFU_CUSTOMER_H

#include <stdint.h>

#include "contact.h"
#include "server.h"

#define CUST_TAGS	32	/* tags a customer may have */

/* The customer a command names: "<id>" or "visitor=V". */
struct customer_target {
	int64_t id;		/* 0: the visitor has no card yet */
	int64_t visitor;	/* visitor=V, else 0 */
};

/* arg as a target the caller may see; -1 after answering. */
int customer_target(struct conn *c, const char *arg,
    struct customer_target *t);

/* A customer's tags joined by ',' (customer_tags_row fills it). */
struct customer_tags {
	char tags[CUST_TAGS * (CONTACT_TAG_MAX + 1) + 1];
};
struct store_customer;
int customer_tags_row(void *arg, const struct store_customer *k);

#endif
