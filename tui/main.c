/*
 * main.c - kefu, the agent console: start-up, the first login, and the
 * event loop that multiplexes the terminal, the server socket and a
 * one-second tick (queue wait timers, reconnect countdown).
 *
 * The first login happens before the screen is taken over, so a wrong
 * password or an unreachable server gives a plain message on stderr.
 * After that the console never exits on its own: it shows connection
 * trouble in the status bar and reconnects with back-off.
 */
#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "actions.h"
#include "client.h"
#include "draw.h"
#include "kbsuggest.h"
#include "keymap.h"
#include "layout.h"
#include "options.h"
#include "session.h"

#define ESC_WAIT_MS 60
#define FLASH_SECONDS 6

static volatile sig_atomic_t got_stop;	/* SIGHUP or SIGTERM arrived */

static void
on_stop(int sig)
{
	got_stop = sig;
}

/*
 * SIGHUP (the SSH gateway hangs the console up when the session ends or
 * kefud stops) and SIGTERM end the event loop, so that the terminal is
 * given back with endwin() (normal screen, cursor shown) instead of being
 * left on the alternate screen. They stay blocked except while the loop
 * waits in ppoll(), so none is lost between a check and the wait.
 */
static int
stop_signals(sigset_t *waitmask)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGHUP, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0)
		return -1;
	sigemptyset(&block);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGTERM);
	return sigprocmask(SIG_BLOCK, &block, waitmask);
}

static void
utf8_locale(void)
{
	static const char *const fallbacks[] = { "C.UTF-8", "C.utf8",
	    "en_US.UTF-8", NULL };
	const char *cs;

	if (setlocale(LC_ALL, "") == NULL)
		(void)setlocale(LC_ALL, "C");
	cs = nl_langinfo(CODESET);
	if (cs != NULL && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0))
		return;
	for (int i = 0; fallbacks[i] != NULL; i++)
		if (setlocale(LC_ALL, fallbacks[i]) != NULL)
			return;
	fprintf(stderr, "kefu: warning: no UTF-8 locale; wide text may look wrong\n");
}

/* Pump the connection until the login is answered or the time is up. */
static int
wait_login(struct client *c, struct session *s, int seconds)
{
	time_t end = time(NULL) + seconds;

	s->login_result = 0;
	while (s->login_result == 0 && time(NULL) < end && c->fd >= 0) {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };

		if (client_want_write(c))
			p.events |= POLLOUT;
		if (poll(&p, 1, 250) < 0 && errno != EINTR)
			return -1;
		if ((p.revents & POLLOUT) && client_flush(c) < 0)
			break;
		if ((p.revents & (POLLIN | POLLHUP | POLLERR)) &&
		    client_read(c, session_msg, s) < 0)
			break;
	}
	return s->login_result;
}

static int
first_login(struct options *o, struct client *c, struct session *s)
{
	for (int attempt = 0; attempt < 3; attempt++) {
		if (client_open(c, 5000) < 0) {
			fprintf(stderr, "kefu: %s\nkefu: is kefud running? "
			    "Check --server/--socket.\n", c->err);
			return -1;
		}
		if (wait_login(c, s, 15) == 1)
			return 0;
		if (s->login_result == 0) {
			fprintf(stderr, "kefu: the server did not answer the login "
			    "(connection lost or timed out)\n");
			return -1;
		}
		client_drop(c, NULL);
		if (strcmp(s->login_err, "THROTTLE") == 0) {
			fprintf(stderr, "kefu: too many failed logins from here; "
			    "wait a while and try again\n");
			return -1;
		}
		if (strcmp(s->login_err, "AUTH") != 0) {
			fprintf(stderr, "kefu: login refused: %s\n", s->login_err);
			return -1;
		}
		if (c->ticket != NULL || !o->prompted) {
			fprintf(stderr, "kefu: login failed: wrong user name, "
			    "password or ticket\n");
			return -1;
		}
		fprintf(stderr, "kefu: wrong user name or password, try again\n");
		if (options_prompt_password(c->user, &c->password) < 0)
			return -1;
	}
	fprintf(stderr, "kefu: login failed\n");
	return -1;
}

/*
 * Bracketed paste (xterm's mode 2004, also in tmux, screen, PuTTY, most
 * terminals): pasted text comes between ESC [200~ and ESC [201~, so that
 * its line breaks are not Enter. Terminals without it ignore the request.
 */
static void
paste_marks(int on)
{
	if (fputs(on ? "\033[?2004h" : "\033[?2004l", stdout) == EOF ||
	    fflush(stdout) == EOF)
		clearerr(stdout);	/* nothing to do: pastes act as typed */
}

static int
screen_start(void)
{
	if (newterm(NULL, stdout, stdin) == NULL) {
		fprintf(stderr, "kefu: cannot use this terminal (TERM=%s)\n",
		    getenv("TERM") ? getenv("TERM") : "");
		return -1;
	}
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	idlok(stdscr, TRUE);
	scrollok(stdscr, FALSE);
	set_escdelay(25);
	draw_init();
	if (define_key("\033[200~", KEYMAP_PASTE_BEGIN) == ERR ||
	    define_key("\033[201~", KEYMAP_PASTE_END) == ERR)
		return 0;	/* no paste marks: pasted lines act as typed */
	paste_marks(1);
	return 0;
}

struct loop {
	struct app app;
	struct layout lay;
	sigset_t waitmask;	/* signals let in while waiting */
	int esc;		/* an Escape is waiting for a following key */
	int paste;		/* inside a bracketed paste */
	time_t last_tick, flash_at;
	char *flash_seen;
};

static void
handle_keys(struct loop *L)
{
	wint_t wc;
	int rc;

	while ((rc = get_wch(&wc)) != ERR) {
		if (rc == KEY_CODE_YES && wc == KEY_RESIZE) {
			layout_compute(&L->lay, LINES, COLS);
			L->app.m->dirty = 1;
			continue;
		}
		if (rc == KEY_CODE_YES && (wc == KEYMAP_PASTE_BEGIN ||
		    wc == KEYMAP_PASTE_END)) {
			L->paste = wc == KEYMAP_PASTE_BEGIN;
			L->esc = 0;
			continue;
		}
		if (L->paste) {
			if (rc == OK)
				keymap_paste(&L->app, wc);
			continue;
		}
		if (rc == OK && wc == 27 && !L->esc) {
			L->esc = 1;
			continue;
		}
		if (rc == KEY_CODE_YES)
			keymap_key(&L->app, (int)wc, 0, L->esc);
		else
			keymap_key(&L->app, 0, wc, L->esc);
		L->esc = 0;
	}
}

static void
connection_events(struct loop *L, short revents)
{
	struct client *c = L->app.c;
	char reason[300];

	if ((revents & POLLOUT) && client_flush(c) < 0)
		revents |= POLLERR;
	if ((revents & (POLLIN | POLLHUP | POLLERR)) &&
	    client_read(c, session_msg, L->app.s) < 0 && c->fd >= 0) {
		snprintf(reason, sizeof(reason), "Connection to the server lost");
		client_drop(c, reason);
		session_lost(L->app.s, reason);
	}
}

static void
tick(struct loop *L, time_t now)
{
	struct model *m = L->app.m;
	struct client *c = L->app.c;

	if (now != L->last_tick) {
		L->last_tick = now;
		if (m->nqueue > 0 || (!m->connected && !m->kicked) ||
		    model_countdown(m) || (m->board.open && m->board.nchats > 0))
			m->dirty = 1;	/* wait timers / retry / answer countdown */
	}
	kbsuggest_tick(L->app.s);	/* the chat in focus changed? */
	if (m->flash != L->flash_seen) {
		L->flash_seen = m->flash;
		L->flash_at = now;
	} else if (m->flash != NULL && now - L->flash_at >= FLASH_SECONDS) {
		model_set_str(&m->flash, NULL);
		L->flash_seen = NULL;
		m->dirty = 1;
	}
	if (!m->kicked && client_tick(c, now)) {
		if (c->state == CL_DOWN) {
			char buf[400];

			snprintf(buf, sizeof(buf), "Server unreachable (%s), attempt %d",
			    c->err, c->attempts);
			model_set_str(&m->conn_msg, buf);
		} else
			model_set_str(&m->conn_msg, "Connected, logging in...");
		m->dirty = 1;
	}
	if (m->ring) {
		m->ring = 0;
		beep();
	}
}

static void
run(struct loop *L)
{
	struct model *m = L->app.m;
	struct client *c = L->app.c;

	layout_compute(&L->lay, LINES, COLS);
	while (!m->quit && !got_stop) {
		struct pollfd p[2] = { { .fd = 0, .events = POLLIN },
		    { .fd = c->fd, .events = POLLIN } };
		time_t now = time(NULL);
		struct timespec ts;
		int timeout;

		tick(L, now);
		if (L->app.repaint) {
			L->app.repaint = 0;
			clearok(curscr, TRUE);
			m->dirty = 1;
		}
		if (m->dirty) {
			m->dirty = 0;
			layout_render(&L->lay, m, now, c->retry_at);
			refresh();
		}
		if (client_want_write(c))
			p[1].events |= POLLOUT;
		timeout = L->esc ? ESC_WAIT_MS : 1000;
		ts.tv_sec = timeout / 1000;
		ts.tv_nsec = (long)(timeout % 1000) * 1000000L;
		if (ppoll(p, c->fd >= 0 ? 2 : 1, &ts, &L->waitmask) < 0) {
			if (errno != EINTR)
				break;
			continue;	/* a stop signal: the loop ends */
		}
		if (p[0].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			/* the terminal is gone (SSH channel closed, pane
			 * killed) and no SIGHUP came: nobody can see or type
			 * here any more, so leave rather than spin on it */
			m->quit = 1;
			break;
		}
		if (c->fd >= 0 && p[1].revents)
			connection_events(L, p[1].revents);
		if (L->esc && !(p[0].revents & POLLIN)) {
			L->esc = 0;	/* a lone Escape */
			keymap_key(&L->app, 0, 27, 0);
		}
		handle_keys(L);
		if (client_flush(c) < 0 && c->fd >= 0) {
			client_drop(c, "write failed");
			session_lost(L->app.s, "Connection to the server lost");
		}
	}
}

int
main(int argc, char **argv)
{
	struct options o;
	struct client c;
	struct model m;
	struct session s;
	struct loop L;

	utf8_locale();
	signal(SIGPIPE, SIG_IGN);
	options_parse(&o, argc, argv);
	client_init(&c);
	if (options_credentials(&o, &c.password, &c.ticket) < 0)
		return 1;
	c.user = strdup(o.user);
	if (o.socket != NULL)
		c.path = strdup(o.socket);
	else if (client_set_server(&c, o.server) < 0) {
		fprintf(stderr, "kefu: bad --server '%s': use HOST:PORT\n", o.server);
		return 2;
	}
	model_init(&m);
	m.bell = o.bell;
	session_init(&s, &m, &c);
	if (first_login(&o, &c, &s) < 0)
		return 1;
	model_set_str(&m.conn_msg, NULL);	/* earlier failed tries are history */
	model_set_str(&m.flash, NULL);
	memset(&L, 0, sizeof(L));
	if (stop_signals(&L.waitmask) < 0) {
		perror("kefu: sigaction");
		return 1;
	}
	if (screen_start() < 0)
		return 1;
	L.app.m = &m;
	L.app.c = &c;
	L.app.s = &s;
	run(&L);
	paste_marks(0);
	endwin();
	if (got_stop == SIGTERM)
		fprintf(stderr, "kefu: stopped by SIGTERM\n");
	model_free(&m);
	client_free(&c);
	options_free(&o);
	return got_stop ? 128 + got_stop : 0;
}
