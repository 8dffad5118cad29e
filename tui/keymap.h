/*
 * keymap.h - which key does what. One table feeds the key handler, the
 * key line at the bottom of the screen and the F1 help screen, so they
 * cannot disagree.
 */
#ifndef KEFU_KEYMAP_H
#define KEFU_KEYMAP_H

#include <wchar.h>

#include "actions.h"

struct keybar {
	const char *key, *what;
};

struct keyhelp {
	const char *keys, *what;
};

extern const struct keybar keymap_bar[];
extern const struct keyhelp keymap_help[];

/*
 * Handle one key: fk is a KEY_* code (or 0), wc a character (when fk is
 * 0); alt is set when the key came right after Escape.
 */
/* Editing keys shared by every text field; 1 if the key was used. */
int keymap_edit(struct input *in, int fk, wint_t wc);

void keymap_key(struct app *a, int fk, wint_t wc, int alt);

/* Key codes the console gives the terminal's bracketed-paste marks. */
#define KEYMAP_PASTE_BEGIN (KEY_MAX + 1)
#define KEYMAP_PASTE_END (KEY_MAX + 2)

/* One character of pasted text (between those marks): never an action. */
void keymap_paste(struct app *a, wint_t wc);

#endif
