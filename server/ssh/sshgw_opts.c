/*
 * sshgw_opts.c - kefud-ssh's command line. kefud builds it from the ssh
 * section of kefu.yml; a person may also run the gateway by hand with the
 * same flags (see kefud-ssh(8)).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sshgw.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "?"
#endif

static void
usage(FILE *f)
{
	fprintf(f,
"usage: kefud-ssh --listen HOST:PORT --host-key PATH --socket KEFUD_SOCKET\n"
"                 --secret-file PATH --console PATH_TO_kefu\n"
"                 [--max-sessions N] [--idle-timeout SECONDS]\n"
"                 [--max-auth-tries N] [--login-grace SECONDS]\n"
"                 [--max-startups START:RATE:FULL] [--per-source-startups N]\n"
"                 [--log-level debug|info|warn|error]\n"
"\n"
"The SSH gateway of kefu: agents log in with ssh and get the kefu console\n"
"(with a pty) or the raw line protocol (ssh -T). Normally started by kefud.\n"
"\n"
"  --listen HOST:PORT      address to listen on ([::1]:2222, :2222 = all)\n"
"  --host-key PATH         Ed25519 host key; created (0600) if missing\n"
"  --socket PATH           kefud's unix socket\n"
"  --secret-file PATH      file holding the gateway secret kefud wrote\n"
"  --console PATH          the kefu console binary run for pty sessions\n"
"  --max-sessions N        concurrent SSH connections (default %d)\n"
"  --idle-timeout SECONDS  close sessions idle this long, 0 = never\n"
"                          (default %d)\n"
"  --max-auth-tries N      authentication attempts per connection\n"
"                          (default %d)\n"
"  --login-grace SECONDS   time to log in and start a session (default %d)\n"
"  --max-startups S:R:F    connections not yet logged in: drop new ones with\n"
"                          R%% probability from S on, all from F on\n"
"                          (default %s)\n"
"  --per-source-startups N connections not yet logged in from one address\n"
"                          (one /64 for IPv6; default %d)\n"
"  --log-level LEVEL       debug, info, warn or error (default info)\n"
"  --help, --version\n",
	    SGW_DEFAULT_MAX_SESSIONS, SGW_DEFAULT_IDLE_TIMEOUT,
	    SGW_DEFAULT_AUTH_TRIES, SGW_DEFAULT_LOGIN_GRACE,
	    SGW_DEFAULT_STARTUPS, SGW_DEFAULT_PER_SOURCE);
}

static int
parse_count(const char *flag, const char *s, long long min, long long max,
    int *out)
{
	long long v;

	if (proto_parse_int(s, min, max, &v) < 0) {
		fprintf(stderr, "kefud-ssh: %s wants a number from %lld to "
		    "%lld, not '%s'\n", flag, min, max, s);
		return -1;
	}
	*out = (int)v;
	return 0;
}

static int
parse_level(const char *s, enum sgw_level *out)
{
	static const char *const names[] = { "debug", "info", "warn", "error" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum sgw_level)i;
			return 0;
		}
	}
	if (strcmp(s, "warning") == 0) {
		*out = SGW_WARN;
		return 0;
	}
	fprintf(stderr, "kefud-ssh: --log-level wants debug, info, warn or "
	    "error, not '%s'\n", s);
	return -1;
}

enum { OPT_LISTEN = 1, OPT_HOSTKEY, OPT_SOCKET, OPT_SECRET, OPT_CONSOLE,
	OPT_MAXSESS, OPT_IDLE, OPT_TRIES, OPT_GRACE, OPT_STARTUPS, OPT_PERSRC,
	OPT_LEVEL, OPT_HELP, OPT_VERSION };

static const struct option long_opts[] = {
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "host-key", required_argument, NULL, OPT_HOSTKEY },
	{ "socket", required_argument, NULL, OPT_SOCKET },
	{ "secret-file", required_argument, NULL, OPT_SECRET },
	{ "console", required_argument, NULL, OPT_CONSOLE },
	{ "max-sessions", required_argument, NULL, OPT_MAXSESS },
	{ "idle-timeout", required_argument, NULL, OPT_IDLE },
	{ "max-auth-tries", required_argument, NULL, OPT_TRIES },
	{ "login-grace", required_argument, NULL, OPT_GRACE },
	{ "max-startups", required_argument, NULL, OPT_STARTUPS },
	{ "per-source-startups", required_argument, NULL, OPT_PERSRC },
	{ "log-level", required_argument, NULL, OPT_LEVEL },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static int
check_required(const struct sgw_opts *o)
{
	const char *missing = NULL;

	if (o->listen == NULL)
		missing = "--listen";
	else if (o->host_key == NULL)
		missing = "--host-key";
	else if (o->socket == NULL)
		missing = "--socket";
	else if (o->secret_file == NULL)
		missing = "--secret-file";
	else if (o->console == NULL)
		missing = "--console";
	if (missing == NULL)
		return 0;
	fprintf(stderr, "kefud-ssh: %s is required (see --help)\n", missing);
	return -1;
}

int
sgw_opts_parse(struct sgw_opts *o, int argc, char **argv)
{
	int c, rc = 0;

	memset(o, 0, sizeof(*o));
	o->max_sessions = SGW_DEFAULT_MAX_SESSIONS;
	o->idle_timeout = SGW_DEFAULT_IDLE_TIMEOUT;
	o->max_auth_tries = SGW_DEFAULT_AUTH_TRIES;
	o->login_grace = SGW_DEFAULT_LOGIN_GRACE;
	o->per_source = SGW_DEFAULT_PER_SOURCE;
	if (proto_parse_startups(SGW_DEFAULT_STARTUPS, 100000, o->startups) < 0)
		return -1;
	o->log_level = SGW_INFO;
	opterr = 0;
	while (rc == 0 &&
	    (c = getopt_long(argc, argv, ":", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_LISTEN: o->listen = optarg; break;
		case OPT_HOSTKEY: o->host_key = optarg; break;
		case OPT_SOCKET: o->socket = optarg; break;
		case OPT_SECRET: o->secret_file = optarg; break;
		case OPT_CONSOLE: o->console = optarg; break;
		case OPT_MAXSESS:
			rc = parse_count("--max-sessions", optarg, 1, 100000,
			    &o->max_sessions);
			break;
		case OPT_IDLE:
			rc = parse_count("--idle-timeout", optarg, 0,
			    10 * 365 * 86400LL, &o->idle_timeout);
			break;
		case OPT_TRIES:
			rc = parse_count("--max-auth-tries", optarg, 1, 100,
			    &o->max_auth_tries);
			break;
		case OPT_GRACE:
			rc = parse_count("--login-grace", optarg, 1, 3600,
			    &o->login_grace);
			break;
		case OPT_STARTUPS:
			rc = proto_parse_startups(optarg, 100000, o->startups);
			if (rc < 0)
				fprintf(stderr, "kefud-ssh: --max-startups wants "
				    "START:RATE:FULL (1 <= START <= FULL, RATE "
				    "0-100) or N, not '%s'\n", optarg);
			break;
		case OPT_PERSRC:
			rc = parse_count("--per-source-startups", optarg, 1,
			    100000, &o->per_source);
			break;
		case OPT_LEVEL: rc = parse_level(optarg, &o->log_level); break;
		case OPT_HELP: usage(stdout); return 1;
		case OPT_VERSION: printf("kefud-ssh %s\n", PACKAGE_VERSION);
			return 1;
		case ':':
			fprintf(stderr, "kefud-ssh: %s needs a value\n",
			    argv[optind - 1]);
			rc = -1;
			break;
		default:
			fprintf(stderr, "kefud-ssh: unknown option '%s' (see "
			    "--help)\n", argv[optind - 1]);
			rc = -1;
			break;
		}
	}
	if (rc == 0 && optind < argc) {
		fprintf(stderr, "kefud-ssh: unexpected argument '%s'\n",
		    argv[optind]);
		rc = -1;
	}
	if (rc == 0)
		rc = check_required(o);
	return rc;
}
