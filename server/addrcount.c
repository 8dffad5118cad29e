/*
 * addrcount.c - connections per remote address (see addrcount.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addrcount.h"

struct addrcount {
	struct addrcount *next;
	int n;
	char addr[64];
};

static struct addrcount **
slot(struct addrcount_tab *t, const char *addr)
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	struct addrcount **p;

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
	struct addrcount **p = slot(t, addr);

	if (*p == NULL) {
		if ((*p = calloc(1, sizeof(**p))) == NULL)
			return -1;
		snprintf((*p)->addr, sizeof((*p)->addr), "%s", addr);
	}
	if (max > 0 && (*p)->n >= max)
		return -1;	/* (n >= max > 0: the entry is in use) */
	(*p)->n++;
	return 0;
}

void
addrcount_release(struct addrcount_tab *t, const char *addr)
{
	struct addrcount **p = slot(t, addr), *a;

	if ((a = *p) == NULL || --a->n > 0)
		return;
	*p = a->next;
	free(a);
}
