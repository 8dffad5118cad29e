/*
 * options.h - command line, the console config file and credentials.
 *
 * Precedence: command line over config file over defaults. Credentials:
 * KEFU_TICKET (with a user name, set by the SSH gateway), then
 * KEFU_PASSWORD, then the config's password_file or password_env, then an
 * echo-free prompt on the terminal.
 */
#ifndef KEFU_OPTIONS_H
#define KEFU_OPTIONS_H

struct options {
	char *config;
	char *server;		/* HOST:PORT */
	char *socket;		/* unix socket path */
	char *user;
	char *password_file, *password_env;
	int bell;
	int prompted;		/* the password came from a prompt */
};

/* Parse argv (and the config file); exits with a message on bad usage. */
int options_parse(struct options *o, int argc, char **argv);
/* Fill in user and password/ticket; 0 ok, -1 with a message on stderr. */
int options_credentials(struct options *o, char **password, char **ticket);
/* Ask again after a failed login (interactive only). */
int options_prompt_password(const char *user, char **password);
void options_free(struct options *o);

#endif
