/*
 * admin.c - the kefud subcommands an operator runs from a shell:
 *
 *   kefud user add NAME ROLE [--groups a,b] [--max N] [--display D]
 *   kefud user passwd NAME | user del NAME | user disable|enable NAME |
 *   user list
 *   kefud key add NAME 'ssh-ed25519 AAAA... comment' | key del NAME ID | key list NAME
 *   kefud backup DEST
 *   kefud replies import FILE, kefud kb import FILE (export FILE is
 *   read-only: main.c calls admin_*_export() without opening the store)
 *
 * They work on the database directly (SQLite lets them run beside a live
 * server); a running kefud notices the commit (boot_accounts_refresh) and
 * applies it before its next login check, and within a second otherwise.
 * Passwords are read from standard input, never from the command line,
 * where `ps` would show them.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "account.h"
#include "admin.h"
#include "server.h"
#include "store.h"

static int
read_password(char *buf, size_t len)
{
	struct termios old, quiet;
	int tty = isatty(STDIN_FILENO);
	size_t n;

	if (tty) {
		fprintf(stderr, "password: ");
		if (tcgetattr(STDIN_FILENO, &old) == 0) {
			quiet = old;
			quiet.c_lflag &= ~(tcflag_t)ECHO;
			(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
		} else
			tty = 0;
	}
	if (fgets(buf, (int)len, stdin) == NULL)
		buf[0] = '\0';
	if (tty) {
		(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	return n > 0 ? 0 : -1;
}

static int
user_add(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "groups", required_argument, NULL, 'g' },
		{ "max", required_argument, NULL, 'm' },
		{ "display", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	const char *groups = NULL, *display = NULL;
	char pw[300], err[256];
	int max = srv.cfg.agent_default_max, ch;

	optind = 0;	/* reset getopt, and drop main()'s '+' mode */
	while ((ch = getopt_long(argc, argv, "g:m:D:", lo, NULL)) != -1) {
		switch (ch) {
		case 'g': groups = optarg; break;
		case 'm': max = atoi(optarg); break;
		case 'D': display = optarg; break;
		default: return 2;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: kefud user add NAME agent|supervisor|admin [--groups a,b] [--max N] [--display D]\n");
		return 2;
	}
	if (read_password(pw, sizeof(pw)) < 0) {
		fprintf(stderr, "kefud: no password given on standard input\n");
		return 1;
	}
	if (account_create(argv[optind], argv[optind + 1], pw, NULL, display,
	    max, groups, err, sizeof(err)) < 0) {
		explicit_bzero(pw, sizeof(pw));
		fprintf(stderr, "kefud: %s\n", err);
		return 1;
	}
	explicit_bzero(pw, sizeof(pw));
	(void)store_audit("kefud", "useradd", argv[optind]);
	printf("created %s %s\n", argv[optind + 1], argv[optind]);
	return 0;
}

static int
user_cmd(int argc, char **argv)
{
	struct agent *a;
	char pw[300], err[256];

	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return user_add(argc - 1, argv + 1);
	if (argc == 2 && strcmp(argv[1], "list") == 0) {
		if (desk.agents == NULL)
			fprintf(stderr, "kefud: no accounts in %s\n",
			    srv.cfg.database);
		for (a = desk.agents; a; a = a->next) {
			char g[512];

			group_mask_format(a->groups, g, sizeof(g));
			printf("%-16s %-10s max=%-3d groups=%s display=%s%s\n",
			    a->name, proto_role_name(a->role), a->max_chats, g,
			    a->display, a->disabled ? " disabled" : "");
		}
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "passwd") == 0) {
		if ((a = agent_find(argv[2])) == NULL) {
			fprintf(stderr, "kefud: no such user '%s'\n", argv[2]);
			return 1;
		}
		if (read_password(pw, sizeof(pw)) < 0 ||
		    account_set_password(a, pw, err, sizeof(err)) < 0) {
			explicit_bzero(pw, sizeof(pw));
			fprintf(stderr, "kefud: %s\n", pw[0] ? err : "no password given");
			return 1;
		}
		explicit_bzero(pw, sizeof(pw));
		(void)store_audit("kefud", "passwd", a->name);
		printf("password changed for %s\n", a->name);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "del") == 0) {
		if ((a = agent_find(argv[2])) == NULL) {
			fprintf(stderr, "kefud: no such user '%s'\n", argv[2]);
			return 1;
		}
		if (account_delete(a) < 0) {
			fprintf(stderr, "kefud: %s\n", store_errmsg());
			return 1;
		}
		(void)store_audit("kefud", "userdel", argv[2]);
		printf("deleted %s\n", argv[2]);
		return 0;
	}
	if (argc == 3 && (strcmp(argv[1], "disable") == 0 ||
	    strcmp(argv[1], "enable") == 0)) {
		int off = argv[1][0] == 'd';
		char detail[96];

		if ((a = agent_find(argv[2])) == NULL) {
			fprintf(stderr, "kefud: no such user '%s'\n", argv[2]);
			return 1;
		}
		if (account_set_disabled(a, off) < 0) {
			fprintf(stderr, "kefud: %s\n", store_errmsg());
			return 1;
		}
		snprintf(detail, sizeof(detail), "%s %sd", a->name, argv[1]);
		(void)store_audit("kefud", "userset", detail);
		printf("%s %sd\n", argv[2], argv[1]);
		return 0;
	}
	fprintf(stderr, "usage: kefud user add|passwd|del|disable|enable|list ...\n");
	return 2;
}

static int
print_key(void *arg, const struct store_key *k)
{
	printf("%lld %s %.16s... %s\n", (long long)k->id, k->type, k->blob,
	    k->comment);
	return 0;
}

static int
key_cmd(int argc, char **argv)
{
	const char *type, *blob, *comment;
	char err[256], *line;
	int64_t id;
	long long kid;

	if (argc >= 3 && agent_find(argv[2]) == NULL) {
		fprintf(stderr, "kefud: no such user '%s'\n", argv[2]);
		return 1;
	}
	if (argc == 4 && strcmp(argv[1], "add") == 0) {
		line = strdup(argv[3]);
		if (line == NULL || account_parse_pubkey(line, &type, &blob,
		    &comment, err, sizeof(err)) < 0) {
			fprintf(stderr, "kefud: %s\n", line ? err : "out of memory");
			free(line);
			return 1;
		}
		if (store_key_add(argv[2], type, blob, comment, &id) < 0) {
			free(line);
			fprintf(stderr, "kefud: %s\n", store_errmsg());
			return 1;
		}
		free(line);
		(void)store_audit("kefud", "keyadd", argv[2]);
		printf("added key %lld for %s\n", (long long)id, argv[2]);
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "del") == 0) {
		if (proto_parse_int(argv[3], 1, INT64_MAX, &kid) < 0 ||
		    store_key_del(argv[2], kid) != 0) {
			fprintf(stderr, "kefud: %s has no key %s\n", argv[2], argv[3]);
			return 1;
		}
		(void)store_audit("kefud", "keydel", argv[2]);
		printf("deleted key %lld of %s\n", kid, argv[2]);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "list") == 0)
		return store_key_foreach(argv[2], print_key, NULL) < 0 ? 1 : 0;
	fprintf(stderr, "usage: kefud key add NAME 'KEY' | key del NAME ID | key list NAME\n");
	return 2;
}

int
admin_main(int argc, char **argv)
{
	char err[512];

	if (strcmp(argv[0], "user") == 0)
		return user_cmd(argc, argv);
	if (strcmp(argv[0], "key") == 0)
		return key_cmd(argc, argv);
	if (strcmp(argv[0], "replies") == 0 && argc == 3 &&
	    strcmp(argv[1], "import") == 0)
		return admin_replies_import(argv[2]);
	if (strcmp(argv[0], "kb") == 0 && argc == 3 &&
	    strcmp(argv[1], "import") == 0)
		return admin_kb_import(argv[2]);
	if (strcmp(argv[0], "replies") == 0 || strcmp(argv[0], "kb") == 0) {
		fprintf(stderr, "usage: kefud %s import FILE | %s export FILE\n",
		    argv[0], argv[0]);
		return 2;
	}
	if (strcmp(argv[0], "backup") == 0 && argc == 2) {
		if (store_commit() < 0 || store_backup(argv[1], err, sizeof(err)) < 0) {
			fprintf(stderr, "kefud: %s\n", err);
			return 1;
		}
		printf("backed up to %s\n", argv[1]);
		return 0;
	}
	if (strcmp(argv[0], "backup") == 0) {
		fprintf(stderr, "usage: kefud backup DEST.db\n");
		return 2;
	}
	fprintf(stderr, "kefud: unknown subcommand '%s' (see kefud --help)\n", argv[0]);
	return 2;
}
