/*
 * screen.h - full-screen views that take the place of the desk's panes
 * (the status bar stays): the admin screen (screen_admin.c: users,
 * groups, shared quick replies, announcements; admins only) and the
 * report screen (screen_report.c: a period's figures and a bar chart of
 * chats per hour; supervisors and admins) and the customers screen
 * (screen_customers.c: find cards, read one with its past chats, edit it;
 * all staff). screen.c dispatches keys,
 * drawing and replies to the one shown, and holds what both use: the
 * small form, the yes/no question and the result line.
 */
#ifndef KEFU_SCREEN_H
#define KEFU_SCREEN_H

#include <wchar.h>

#include "actions.h"
#include "layout.h"

enum screen_kind { SCREEN_DESK = 0, SCREEN_ADMIN, SCREEN_REPORT,
    SCREEN_CUSTOMERS };

/* Show a screen (its role is checked here: a flash says why not). */
void screen_open(struct app *a, int kind);
/* Keys while a screen is shown; 0 lets the desk handle the key (the
 * screen was closed for it: quit). */
int screen_key(struct app *a, int fk, wint_t wc, int alt);
void screen_draw(const struct layout *l, struct model *m, int *cy, int *cx);
/* Rows and replies of RQ_ADMIN / RQ_REPORT / RQ_CUSTS / RQ_CUST requests. */
void screen_msg(struct session *s, struct client_msg *msg);

/* ---- for screen_admin.c and screen_report.c ---- */

#define FORM_FIELDS 3

/* A form of up to FORM_FIELDS one-line fields over the screen. */
struct form {
	int kind;		/* the caller's; 0: no form open */
	char title[80];
	char target[80];	/* the user, group or reply it acts on */
	int nf, cur;
	const char *label[FORM_FIELDS];
	int masked[FORM_FIELDS];	/* shown as '*' (passwords) */
	struct input f[FORM_FIELDS];
};

/* A yes/no question over the screen. */
struct question {
	int kind;		/* the caller's; 0: none */
	char text[200];
	char target[80];
};

void form_open(struct form *f, int kind, const char *title,
    const char *target);
/* Add a field with its label and first value (NULL: empty). */
void form_field(struct form *f, const char *label, const char *value,
    int masked);
/* The field's text (caller frees); NULL on memory shortage. */
char *form_value(const struct form *f, int i);
void form_close(struct form *f);
/* Keys of an open form: 1 submit (Enter on the last field), -1 cancel
 * (Esc), 0 otherwise. */
int form_key(struct form *f, int fk, wint_t wc);
void form_draw(const struct layout *l, struct form *f, int *cy, int *cx);

void question_open(struct question *q, int kind, const char *target,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Keys of an open question: 1 yes, -1 no, 0 other. */
int question_key(struct question *q, wint_t wc, int fk);
void question_draw(const struct layout *l, const struct question *q);

/* The result line over the key line: an ERR reply's text, or what was
 * done. */
void screen_note(struct model *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
const char *screen_note_text(void);
/* The key line and the result line at the bottom of the screen. */
void screen_bottom(const struct layout *l, const char *keys);
/* An ERR reply as a readable sentence in the result line. */
void screen_error(struct model *m, const char *code, const char *text);

/* screen_admin.c */
void admin_enter(struct app *a);
int admin_key(struct app *a, int fk, wint_t wc);
void admin_draw(const struct layout *l, struct model *m, int *cy, int *cx);
void admin_msg(struct session *s, struct client_msg *msg);

/* screen_report.c */
void report_enter(struct app *a);
int report_key(struct app *a, int fk, wint_t wc);
void report_draw(const struct layout *l, struct model *m);
void report_msg(struct session *s, struct client_msg *msg);

/* screen_customers.c; the screen's dialogs (a transcript, the card form)
 * get the keys while they are open. */
void customers_enter(struct app *a);
int customers_key(struct app *a, int fk, wint_t wc, int alt);
void customers_draw(const struct layout *l, struct model *m, int *cy,
    int *cx);
void customers_msg(struct session *s, struct client_msg *msg);
/* The card form saved the card shown: read it again. */
void customers_card_saved(struct session *s);

#endif
