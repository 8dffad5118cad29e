/*
 * model.h - everything the console knows, kept apart from how it is drawn.
 *
 * The protocol session (session.c) and the key handlers (keymap.c) change
 * this model; the panes (pane_*.c) only read it. Every change sets
 * m->dirty so the main loop redraws once per batch of input, and ncurses
 * then sends only the cells that differ.
 */
#ifndef KEFU_MODEL_H
#define KEFU_MODEL_H

#include <stddef.h>
#include <time.h>

#include "input.h"

enum line_kind { LK_VISITOR, LK_AGENT, LK_NOTE, LK_WHISPER, LK_SYSTEM,
	LK_BOT };	/* LK_BOT: the knowledge-base bot's answers */

struct tline {
	long seq;		/* 0 for local system lines */
	time_t ts;
	int kind;
	char *from, *text;
};

struct kv {
	char *key, *val;
};

struct vinfo {
	struct kv *kv;
	size_t nkv;
	char **pages;
	size_t npages;
	char **hist;		/* one line per past chat */
	size_t nhist;
	char *last_wrap;	/* category + summary of the newest past chat */
	long last_started;
};

struct chat {
	long id, visitor;
	char *name, *group;
	struct tline *lines;
	size_t nlines, cap;
	int unread, left, ended;
	int invited;		/* I was invited: the chat is someone else's */
	int watching;		/* monitored from the board (invited is set
				 * too): what I type is a whisper */
	int rating;		/* the visitor's score once rated, else 0 */
	time_t answer_by;	/* auto-assigned, unanswered: back to the queue
				 * at this time unless answered; else 0 */
	int scroll;		/* rows scrolled back from the bottom */
	char *typing;		/* visitor's draft, or NULL */
	char *watchers;		/* who else looks at it (* WATCHERS), or NULL */
	struct vinfo vi;
	unsigned gen;		/* CHATS refresh generation */
};

struct qitem {
	long chat, visitor, wait;
	char *group, *name, *text;
	time_t seen;		/* local time when wait was reported */
	int fresh;		/* new arrival, not looked at yet */
	int left;		/* the visitor's connection is gone */
};

#define KB_SUGGEST_MAX 2	/* answer suggestions shown (kbsuggest.c) */
#define KB_SUGGEST_MAX_S "2"

struct reply {
	long id;
	char *group, *title, *text;
};

enum dlg_kind {
	DLG_NONE, DLG_HELP, DLG_TRANSFER, DLG_WRAPUP, DLG_STATUS, DLG_SEARCH,
	DLG_CONFIRM, DLG_INVITE, DLG_PAST, DLG_VIEW,
	DLG_CARD,		/* the customer card form, cardform.c */
	DLG_TEAM,		/* the Team tab (internal conversation), team.c */
	DLG_BROWSE,		/* visitors on the site (browsers.c) */
	DLG_CASES, DLG_CASE, DLG_CASETEXT, DLG_BAN,	/* cases.c */
};

/* What "y" does in a DLG_CONFIRM dialog. */
enum confirm_kind { CONFIRM_QUIT = 1, CONFIRM_END, CONFIRM_LEAVE,
    CONFIRM_TAKEOVER, CONFIRM_STOP };

struct dlg_item {
	char *label;		/* what is shown */
	char *kind, *name;	/* for transfer: "agent"/"group" + name */
};

struct dialog {
	int kind;
	long chat;
	struct dlg_item *items;
	size_t nitems, sel;
	struct input field[2];
	const char *label[2];
	int nfields, active;
	int confirm;		/* enum confirm_kind for DLG_CONFIRM */
	int top;		/* first row shown (help scrolls) */
	int searched;		/* search: the items answer the field as it is */
	size_t nfront;		/* transfer: online agents, kept first */
	char *msg;		/* error or hint shown in the dialog */
};

enum focus { FOCUS_CHAT, FOCUS_QUEUE, FOCUS_REPLIES };

/* The supervisor's desk board (board.c, pane_board.c). */
struct bagent {
	char *name, *display, *status;
	int chats, max;
};

struct bchat {
	long id, visitor;
	char *agent, *group, *name;
	time_t since, waiting;	/* waiting: 0 while nobody waits */
	int ended, left;
	unsigned gen;		/* CHATS all refresh generation */
};

struct board {
	int open;
	struct bagent *agents;
	size_t nagents;
	struct bchat *chats;	/* kept sorted: longest waiting first */
	size_t nchats;
	long sel;		/* the selected chat's id (0: none) */
	unsigned gen;
};

struct model {
	char *user, *display, *role;
	char status[16];
	int load, max;		/* server-side chat count and limit */
	struct qitem *queue;
	size_t nqueue, qsel;
	struct chat **chats;
	size_t nchats, focus;
	struct reply *replies;
	size_t nreplies, rsel;
	char *announce;
	char *conn_msg;		/* connection trouble, shown in the status bar */
	char *flash;		/* last result or error of an action */
	int connected;
	int bell, ring;		/* bell enabled; a bell is due */
	int dirty;
	int focus_pane;
	int note_mode;		/* Enter sends an internal note */
	int quit;
	int screen;		/* enum screen_kind (screen.h): 0 the desk */
	int kicked;		/* another login took over: do not reconnect */
	char want_status[16];	/* status to restore after a reconnect */
	struct input in;	/* the chat input line */
	struct input rq;	/* the quick-reply search */
	struct dialog dlg;
	struct board board;
	int case_filter;	/* the cases list's state filter (cases.c) */
	struct wrapcat {	/* wrap-up categories per group (wrapcats.c) */
		char *group, *list;
	} *cats;
	size_t ncats;
	struct {		/* my figures for today (stats.c) */
		int have, chats;
		char frt[16], rating[16];
	} stats;
	struct {		/* answer suggestions for the chat in focus
				 * (kbsuggest.c), shown before the replies */
		struct reply r[KB_SUGGEST_MAX];
		size_t n;
		long chat;	/* the chat they were asked for, 0: none */
	} kb;
};

void model_init(struct model *m);
void model_free(struct model *m);

/* Replace *dst by a copy of src (NULL allowed). */
void model_set_str(char **dst, const char *src);
void model_flash(struct model *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

struct chat *model_chat(struct model *m, long id);
struct chat *model_chat_add(struct model *m, long id);
struct chat *model_focused(struct model *m);
void model_chat_remove(struct model *m, long id);
void model_focus_chat(struct model *m, long id);
void model_chat_clear(struct chat *c);
/* Append a transcript line unless one with the same seq is there. */
int model_chat_line(struct chat *c, long seq, time_t ts, int kind,
    const char *from, const char *text);
int model_line_kind(const char *s);

void model_vinfo_clear(struct vinfo *v);
int model_vinfo_kv(struct vinfo *v, const char *key, const char *val);
int model_vinfo_list(char ***list, size_t *n, const char *s);

struct qitem *model_queue_find(struct model *m, long chat);
/*
 * Add or update a waiting chat. pos > 0 is its place in its group's queue
 * (1 = head), as the server says; 0 appends it after its group's last row.
 * Returns 1 for a new arrival, 0 for an update, -1 on memory shortage.
 */
int model_queue_add(struct model *m, long chat, long visitor, long wait,
    long pos, const char *group, const char *name, const char *text);
/* Index of the row the accept keys act on (the highlighted one). */
size_t model_queue_target(const struct model *m);
/* 1 if a chat shows an answer countdown (the screen changes each second). */
int model_countdown(const struct model *m);
/* Chats the server counts against my limit: mine (not invited), not ended. */
int model_owned_active(const struct model *m);
void model_queue_del(struct model *m, long chat);
void model_queue_clear(struct model *m);
long model_queue_wait(const struct qitem *q, time_t now);

void model_replies_clear(struct model *m);
/* The rows of the quick-reply pane: the answer suggestions, then the
 * replies. model_reply_at: row i (< model_reply_rows), kb set when it is a
 * suggestion. */
size_t model_reply_rows(const struct model *m);
const struct reply *model_reply_at(const struct model *m, size_t i, int *kb);
int model_reply_add(struct model *m, long id, const char *group,
    const char *title, const char *text);

void model_dialog_close(struct model *m);
void model_dialog_open(struct model *m, int kind, long chat);
int model_dialog_item(struct dialog *d, const char *label, const char *kind,
    const char *name);
/* The same, placed at index at (0 .. nitems). */
int model_dialog_item_at(struct dialog *d, size_t at, const char *label,
    const char *kind, const char *name);

#endif
