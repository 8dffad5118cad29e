/*
 * wrapcats.h - the wrap-up categories the server offers per group (the
 * wrapup= field of GROUPS rows), fetched at login, for the wrap-up form.
 */
#ifndef KEFU_WRAPCATS_H
#define KEFU_WRAPCATS_H

#include "session.h"

void wrapcats_request(struct session *s);
/* Keep GROUPS rows asked for by wrapcats_request; 1 if the line was one. */
int wrapcats_msg(struct session *s, struct client_msg *msg);
/* The comma list for group ("" when the server has not said). */
const char *wrapcats_for(const struct model *m, const char *group);
void wrapcats_free(struct model *m);

#endif
