/*
 * dialog.h - the modal forms: help, transfer (pick an agent or group, add
 * a note), wrap-up (category and summary), status and history search.
 */
#ifndef KEFU_DIALOG_H
#define KEFU_DIALOG_H

#include <wchar.h>

#include "actions.h"
#include "layout.h"

void dialog_draw(const struct layout *l, struct model *m, int *cy, int *cx);
void dialog_key(struct app *a, int fk, wint_t wc, int alt);

#endif
