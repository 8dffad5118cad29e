/*
 * options.c - parsing "kefu [-c FILE] [--server HOST:PORT | --socket PATH]
 * [--user NAME]", the small "key: value" config file, and reading the
 * password without echo.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "options.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: kefu [-c FILE] [--server HOST:PORT | --socket PATH] [--user NAME]\n"
	    "            [--no-bell] [--help] [--version]\n"
	    "The kefu agent console. Keys: press F1 inside. See kefu(1).\n");
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	if ((s[0] == '"' || s[0] == '\'') && e - s >= 2 && e[-1] == s[0]) {
		e[-1] = '\0';
		s++;
	}
	return s;
}

static void
set_once(char **dst, const char *val)
{
	if (*dst == NULL)
		*dst = strdup(val);
}

static int
read_config(struct options *o)
{
	FILE *f = fopen(o->config, "r");
	char line[1024];
	int n = 0, cli_addr = o->server != NULL || o->socket != NULL;

	if (f == NULL) {
		fprintf(stderr, "kefu: cannot open config %s: %s\n", o->config,
		    strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *colon, *key, *val;

		n++;
		if ((colon = strchr(line, '#')) != NULL && (colon == line ||
		    isspace((unsigned char)colon[-1])))
			*colon = '\0';
		key = trim(line);
		if (*key == '\0')
			continue;
		if ((colon = strchr(key, ':')) == NULL) {
			fprintf(stderr, "kefu: %s:%d: expected 'key: value'\n",
			    o->config, n);
			fclose(f);
			return -1;
		}
		*colon = '\0';
		key = trim(key);
		val = trim(colon + 1);
		if (strcmp(key, "server") == 0) {
			if (!cli_addr)
				set_once(&o->server, val);
		} else if (strcmp(key, "socket") == 0) {
			if (!cli_addr)
				set_once(&o->socket, val);
		}
		else if (strcmp(key, "user") == 0)
			set_once(&o->user, val);
		else if (strcmp(key, "password_file") == 0)
			set_once(&o->password_file, val);
		else if (strcmp(key, "password_env") == 0)
			set_once(&o->password_env, val);
		else if (strcmp(key, "bell") == 0)
			o->bell = o->bell && !(strcmp(val, "off") == 0 ||
			    strcmp(val, "no") == 0 || strcmp(val, "false") == 0 ||
			    strcmp(val, "0") == 0);
		else
			fprintf(stderr, "kefu: %s:%d: unknown key '%s' ignored\n",
			    o->config, n, key);
	}
	fclose(f);
	return 0;
}

int
options_parse(struct options *o, int argc, char **argv)
{
	static const struct option longs[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "server", required_argument, NULL, 's' },
		{ "socket", required_argument, NULL, 'S' },
		{ "user", required_argument, NULL, 'u' },
		{ "no-bell", no_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(o, 0, sizeof(*o));
	o->bell = 1;
	while ((ch = getopt_long(argc, argv, "c:s:S:u:hV", longs, NULL)) != -1) {
		switch (ch) {
		case 'c': free(o->config); o->config = strdup(optarg); break;
		case 's': free(o->server); o->server = strdup(optarg); break;
		case 'S': free(o->socket); o->socket = strdup(optarg); break;
		case 'u': free(o->user); o->user = strdup(optarg); break;
		case 'B': o->bell = 0; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("kefu 0.1.0\n"); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind != argc) {
		usage(stderr);
		exit(2);
	}
	if (o->server != NULL && o->socket != NULL) {
		fprintf(stderr, "kefu: give either --server or --socket, not both\n");
		exit(2);
	}
	if (o->config != NULL && read_config(o) < 0)
		exit(2);
	if (o->server != NULL && o->socket != NULL) {
		/* both came from different places: the command line wins */
		fprintf(stderr, "kefu: config has both server and socket; using socket\n");
		free(o->server);
		o->server = NULL;
	}
	if (o->server == NULL && o->socket == NULL)
		o->server = strdup("127.0.0.1:7707");
	return 0;
}

static char *
read_line_tty(const char *prompt, int echo)
{
	FILE *tty = fopen("/dev/tty", "r+");
	struct termios old, noecho;
	char buf[512], *nl, *res = NULL;
	int restore = 0;

	if (tty == NULL)
		return NULL;
	fputs(prompt, tty);
	fflush(tty);
	if (!echo && tcgetattr(fileno(tty), &old) == 0) {
		noecho = old;
		noecho.c_lflag &= ~(tcflag_t)ECHO;
		restore = tcsetattr(fileno(tty), TCSAFLUSH, &noecho) == 0;
	}
	if (fgets(buf, sizeof(buf), tty) != NULL) {
		if ((nl = strchr(buf, '\n')) != NULL)
			*nl = '\0';
		res = strdup(buf);
	}
	if (restore) {
		(void)tcsetattr(fileno(tty), TCSAFLUSH, &old);
		fputs("\n", tty);
	}
	fclose(tty);
	return res;
}

int
options_prompt_password(const char *user, char **password)
{
	char prompt[300];

	snprintf(prompt, sizeof(prompt), "Password for %s: ", user);
	free(*password);
	*password = read_line_tty(prompt, 0);
	return *password ? 0 : -1;
}

static char *
read_password_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[512], *nl;

	if (f == NULL) {
		fprintf(stderr, "kefu: cannot read password_file %s: %s\n", path,
		    strerror(errno));
		return NULL;
	}
	if (fgets(buf, sizeof(buf), f) == NULL)
		buf[0] = '\0';
	fclose(f);
	if ((nl = strchr(buf, '\n')) != NULL)
		*nl = '\0';
	return strdup(buf);
}

int
options_credentials(struct options *o, char **password, char **ticket)
{
	const char *env;

	*password = *ticket = NULL;
	if (o->user == NULL) {
		o->user = read_line_tty("User: ", 1);
		if (o->user == NULL || o->user[0] == '\0') {
			fprintf(stderr, "kefu: no user name (use --user NAME)\n");
			return -1;
		}
	}
	if ((env = getenv("KEFU_TICKET")) != NULL && env[0] != '\0') {
		*ticket = strdup(env);
		return *ticket ? 0 : -1;
	}
	if ((env = getenv("KEFU_PASSWORD")) != NULL)
		*password = strdup(env);
	else if (o->password_file != NULL)
		*password = read_password_file(o->password_file);
	else if (o->password_env != NULL && (env = getenv(o->password_env)) != NULL)
		*password = strdup(env);
	else if (options_prompt_password(o->user, password) == 0)
		o->prompted = 1;
	if (*password == NULL) {
		fprintf(stderr, "kefu: no password: type it on a terminal, or set "
		    "KEFU_PASSWORD or password_file in the config\n");
		return -1;
	}
	return 0;
}

void
options_free(struct options *o)
{
	free(o->config);
	free(o->server);
	free(o->socket);
	free(o->user);
	free(o->password_file);
	free(o->password_env);
}
