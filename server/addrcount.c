/*
 * addrcount.c - connections per remote address (see addrcount.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addrcount.h"
#include "addrkey.h"

struct addrcount {
	struct addrcount *next;
	int n;
	char addr[64];
};

/* The entry of addr's key (addrkey.h), or where a new one goes. */
static struct addrcount **
slot(struct addrcount_tab *t, const char *raw, char *addr)
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	struct addrcount **p;

	addrkey(raw, addr);

	for (const unsigned char *s = (const unsigned char *)addr; *s; s++)
		h = (h ^ *s) * 16777619u;
	for (p = &t->b[h % ADDRCOUNT_BUCKETS]; *p; p = &(*p)->next)
		if (strcmp((*p)->addr, addr) == 0)
			break;
	return p;
}

int
addrcount_take(struct addrcount_tab *t, const char *addr, int max)
{
	char key[ADDRKEY_MAX];
	struct addrcount **p = slot(t, addr, key);

	if (*p == NULL) {
		if ((*p = calloc(1, sizeof(**p))) == NULL)
			return -1;
		snprintf((*p)->addr, sizeof((*p)->addr), "%s", key);
	}
	if (max > 0 && (*p)->n >= max)
		return -1;	/* (n >= max > 0: the entry is in use) */
	(*p)->n++;
	return 0;
}

void
addrcount_release(struct addrcount_tab *t, const char *addr)
{
	char key[ADDRKEY_MAX];
	struct addrcount **p = slot(t, addr, key), *a;

	if ((a = *p) == NULL || --a->n > 0)
		return;
	*p = a->next;
	free(a);
}
