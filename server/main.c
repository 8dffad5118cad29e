/*
 * main.c - kefud: flags, subcommands, start-up, signals, the loop's hooks,
 * the SSH gateway child, and a clean shutdown.
 *
 *   kefud [-c FILE] [--listen HOST:PORT] [--socket PATH] [--database PATH]
 *   kefud [-c FILE] user add|passwd|del|list ...
 *   kefud [-c FILE] key add|del|list ...
 *   kefud [-c FILE] backup DEST
 *   kefud [-c FILE] check-config
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "account.h"
#include "addrkey.h"
#include "auth.h"
#include "authd.h"
#include "backup.h"
#include "boot.h"
#include "browse.h"
#include "presence.h"
#include "report_out.h"
#include "chat.h"
#include "ban.h"
#include "log.h"
#include "offhours.h"
#include "region.h"
#include "drain.h"
#include "server.h"
#include "store.h"
#include "admin.h"
#include "gateway.h"
#include "http.h"
#include "visitor_limit.h"

struct server srv;

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: kefud [-c FILE] [options]            run the server\n"
	    "       kefud [-c FILE] user add NAME ROLE [--groups a,b] [--max N] [--display D]\n"
	    "       kefud [-c FILE] user passwd NAME | user del NAME | user list\n"
	    "       kefud [-c FILE] user disable NAME | user enable NAME\n"
	    "       kefud [-c FILE] key add NAME 'ssh-ed25519 AAAA... comment'\n"
	    "       kefud [-c FILE] key del NAME ID | key list NAME\n"
	    "       kefud [-c FILE] backup DEST.db\n"
	    "       kefud [-c FILE] replies import|export FILE (.csv: CSV, else YAML)\n"
	    "       kefud [-c FILE] kb import|export FILE (.csv: CSV, else YAML)\n"
	    "       kefud [-c FILE] report --from YYYY-MM-DD --to YYYY-MM-DD [--group G]\n"
	    "                [--agent A] [--by day|agent|group|hour] [--format table|csv|json]\n"
	    "       kefud [-c FILE] restore BACKUP.db    (the server must be stopped)\n"
	    "       kefud [-c FILE] check-config\n"
	    "       kefud [-c FILE] drain [--timeout SECONDS]   (drain the running kefud, wait for it)\n"
	    "options:\n"
	    "  -c, --config FILE     configuration file (kefu.yml(5))\n"
	    "  -l, --listen H:P      TCP address (\"\" to disable)\n"
	    "  -s, --socket PATH     unix socket (\"\" to disable)\n"
	    "  -d, --database PATH   SQLite database file\n"
	    "  -L, --log-level LVL   debug, info, warn or error\n"
	    "  -h, --help            this text\n"
	    "  -V, --version         print the version\n"
	    "Passwords for 'user add' and 'user passwd' are read from standard input.\n");
}

static void
set_opt(char **dst, const char *v)
{
	free(*dst);
	*dst = strdup(v);
}

static int
mkparents(const char *path)
{
	char buf[PATH_MAX], *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -1;
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0750) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

/* ---- loop hooks ---- */

static void
commit_and_flush(void)
{
	if (store_commit() < 0) {
		/* Nothing of this iteration is on disk: take back the OKs by
		 * dropping the connections that were about to get them. */
		struct conn *c, *next;

		log_error("store: commit failed: %s; dropping %s", store_errmsg(),
		    "this iteration's clients");
		for (c = srv.pending; c; c = next) {
			next = c->pnext;
			conn_close(c, "commit failed");
		}
	}
	conn_flush_all();
}

static void
before_sleep(struct ae_loop *l, void *data)
{
	long long now_us = ae_now_us();

	srv.now_ms = now_us / 1000;
	/* clients that pipelined more than a turn's worth: their next turn,
	 * and no sleeping while some have input left */
	if (conn_run_yielded())
		ae_wake_at_us(l, now_us);
	store_msg_housekeep(srv.now_ms);
	/* Group commit: under load (the last commit was less than
	 * commit_interval_us ago) let this iteration's writes wait for the
	 * next ones; their replies and events wait with them (conn_write
	 * sends only committed output). A write after a quiet spell commits
	 * at once, so a lone message pays no delay. */
	if (store_in_tx() && srv.cfg.commit_interval_us > 0 &&
	    now_us - srv.last_commit_us < srv.cfg.commit_interval_us &&
	    !srv.shutting_down) {
		ae_wake_at_us(l, srv.last_commit_us + srv.cfg.commit_interval_us);
		return;
	}
	/* Flushing can let a paused client's queued requests run, which
	 * makes new replies: commit and flush again, a few rounds at most
	 * (the rest waits for the next iteration, not for a timeout). */
	for (int round = 0; round < 8; round++) {
		int wrote = store_in_tx();

		commit_and_flush();
		if (wrote)
			srv.last_commit_us = ae_now_us();
		if (srv.pending == NULL)
			break;
	}
	conn_reap();
	backup_poll();
	srv.now_ms = ae_now_ms();
}

/* messages added to the search index each second (about 5 ms); a search
 * indexes the rest itself (store_find.c) */
#define FIND_INDEX_BATCH 1000

static void shutdown_all(const char *why);
static int chats_in_progress(void);

static void
tick(struct ae_loop *l, void *data)
{
	srv.now_ms = ae_now_ms();
	desk_tick();
	offhours_tick();
	if (store_find_index(FIND_INDEX_BATCH) < 0)
		log_warn("search index: %s", store_errmsg());
	if (srv.drain_until_ms && !srv.shutting_down &&
	    (chats_in_progress() == 0 || srv.now_ms >= srv.drain_until_ms))
		shutdown_all("server is stopping");
	http_tick();
	browse_tick();
	connlim_tick();
	authd_tick(srv.now_ms);
	if (boot_accounts_refresh() < 0)
		log_error("accounts: %s", store_errmsg());
	if (srv.cfg.ssh_enabled && srv.ssh_pid == 0 && !srv.shutting_down &&
	    srv.now_ms >= srv.ssh_restart_ms)
		gateway_spawn();
}

static void
shutdown_all(const char *why)
{
	struct pbuf *b = ev_begin();

	log_info("shutting down: %s", why);
	srv.shutting_down = 1;
	proto_put_word(b, "SHUTDOWN");
	proto_put_text(b, why, strlen(why));
	for (int fd = 0; fd < srv.maxfds; fd++)
		if (srv.conns[fd]) {
			/* never a protocol line into an HTTP answer: a browser
			 * that kept the socket for its next request would read
			 * it as the response (ERR_INVALID_HTTP_RESPONSE) */
			if (!http_is_request(srv.conns[fd]))
				ev_send(srv.conns[fd]);
			srv.conns[fd]->closing = 1;
		}
	ae_stop(srv.loop);
}

/* Chats an agent is serving (queued ones wait in the store for the
 * next start). */
static int
chats_in_progress(void)
{
	int n = 0;

	for (size_t i = 0; i < desk.chat_tab_size; i++)
		for (struct chat *c = desk.chat_tab[i]; c; c = c->hnext)
			n += c->state == CS_ASSIGNED;
	return n;
}

/*
 * SIGTERM: with a drain timeout (shutdown.drain_timeout, or the one
 * `kefud drain` sends with the signal), first a drain: maintenance for new
 * visitors (they may leave a message), chats in progress go on, and kefud
 * stops when the last one ends or the timeout comes. A second SIGTERM, or
 * nothing to wait for, stops at once.
 */
static void
stop_or_drain(int timeout)
{
	int n = chats_in_progress();

	if (srv.drain_until_ms || timeout <= 0 || n == 0) {
		shutdown_all("server is stopping");
		return;
	}
	srv.drain_until_ms = srv.now_ms + timeout * 1000LL;
	log_info("draining: %d chats in progress, at most %ds", n, timeout);
	if (offhours_maint_set(1, 0, "the service is about to restart; please "
	    "leave a message with LEAVEMSG and we will answer you", "drain") < 0)
		shutdown_all("server is stopping");
}

/* SIGHUP: routing.default_group, routing.regions and routing.geoip_db of
 * nc, all of them or (an error logged) none. Only visitors routed from now
 * on see them: a chat in flight keeps its group and its place. */
static void
reload_routing(struct config *nc)
{
	char err[512], *t;
	int n;

	if (account_default_group(nc->default_group) < 0) {
		log_error("SIGHUP: routing.default_group %s: %s; keeping the old "
		    "routing", nc->default_group, store_errmsg());
		return;
	}
	if (region_open(nc, err, sizeof(err)) < 0) {
		log_error("SIGHUP: %s; keeping the old routing", err);
		return;
	}
	/* the rules point into nc's strings now: srv.cfg takes them, nc the
	 * old ones (config_free() frees them) */
	n = nc->nregions > srv.cfg.nregions ? nc->nregions : srv.cfg.nregions;
	for (int i = 0; i < n; i++) {
		struct config_region r = srv.cfg.regions[i];

		srv.cfg.regions[i] = nc->regions[i];
		nc->regions[i] = r;
	}
	n = srv.cfg.nregions;
	srv.cfg.nregions = nc->nregions;
	nc->nregions = n;
	t = srv.cfg.geoip_db;
	srv.cfg.geoip_db = nc->geoip_db;
	nc->geoip_db = t;
	t = srv.cfg.default_group;
	srv.cfg.default_group = nc->default_group;
	nc->default_group = t;
}

static void
reload(void)
{
	struct config nc;
	char err[512];
	enum log_level lvl;

	if (srv.cfg.path == NULL) {
		log_info("SIGHUP: no config file; reloading accounts only");
	} else {
		config_defaults(&nc);
		if (config_load(&nc, srv.cfg.path, err, sizeof(err)) < 0) {
			log_error("SIGHUP: %s; keeping the old configuration", err);
			config_free(&nc);
			return;
		}
		/* Limits and timeouts take effect now; listeners, database
		 * and ssh settings need a restart. */
		srv.cfg.line_max = nc.line_max;
		srv.cfg.outbuf_max = nc.outbuf_max;
		srv.cfg.max_clients = nc.max_clients;
		srv.cfg.anon_timeout = nc.anon_timeout;
		srv.cfg.per_addr_max = nc.per_addr_max;
		srv.cfg.unix_reserved = nc.unix_reserved;
		srv.cfg.msg_rate = nc.msg_rate;
		srv.cfg.msg_burst = nc.msg_burst;
		srv.cfg.chat_messages = nc.chat_messages;
		srv.cfg.chat_bytes = nc.chat_bytes;
		srv.cfg.commit_interval_us = nc.commit_interval_us;
		srv.cfg.answer_timeout = nc.answer_timeout;
		srv.cfg.designated_wait = nc.designated_wait;
		srv.cfg.agent_grace = nc.agent_grace;
		srv.cfg.resume_timeout = nc.resume_timeout;
		srv.cfg.drain_timeout = nc.drain_timeout;
		srv.cfg.hello_rate = nc.hello_rate;
		srv.cfg.visitor_per_addr_max = nc.visitor_per_addr_max;
		srv.cfg.auth_max_failures = nc.auth_max_failures;
		srv.cfg.auth_window = nc.auth_window;
		srv.cfg.auth_ticket_tcp = nc.auth_ticket_tcp;
		srv.cfg.browse_max = nc.browse_max;
		srv.cfg.browse_per_addr_max = nc.browse_per_addr_max;
		srv.cfg.browse_linger = nc.browse_linger;
		srv.cfg.invite_enabled = nc.invite_enabled;
		srv.cfg.invite_cooldown = nc.invite_cooldown;
		srv.cfg.invite_timeout = nc.invite_timeout;
		/* a group's hours, texts and contact fields; the groups
		 * themselves (names, modes) are made at start or by GROUPADD */
		config_take_groups(&srv.cfg, &nc);
		http_reload(&nc);	/* the web door's policies */
		reload_routing(&nc);
		srv.cfg.test_now = nc.test_now;
		free(srv.cfg.customer_fields);
		srv.cfg.customer_fields = nc.customer_fields;
		nc.customer_fields = NULL;
		offhours_clock_reset();
		auth_configure(nc.auth_max_failures, nc.auth_window);
		if (log_parse_level(nc.log_level, &lvl) == 0)
			log_set_level(lvl);
		config_free(&nc);
	}
	if (boot_reload_accounts() < 0)
		log_error("SIGHUP: reloading accounts: %s", store_errmsg());
	log_info("configuration reloaded");
}

static void
signal_handler(struct ae_loop *l, int fd, void *data, int mask)
{
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:	/* kefud drain: sigqueue() with its timeout */
			if (si.ssi_code == SI_QUEUE && si.ssi_int > 0) {
				log_info("drain asked for by pid %u", si.ssi_pid);
				stop_or_drain(si.ssi_int);
			} else
				stop_or_drain(srv.cfg.drain_timeout);
			break;
		case SIGHUP:
			reload();
			break;
		case SIGCHLD:
			gateway_reap();
			break;
		}
	}
}

static int
setup_signals(void)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	srv.sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (srv.sig_fd < 0)
		return -1;
	return ae_set(srv.loop, srv.sig_fd, AE_READ, signal_handler, NULL);
}

/* server: this is the server (not a subcommand), which holds the
 * database's lock (backup.c) for as long as it runs */
static int
open_everything(int server)
{
	char err[512];
	enum log_level lvl;

	if (log_parse_level(srv.cfg.log_level, &lvl) < 0) {
		fprintf(stderr, "kefud: log_level must be debug, info, warn or error\n");
		return -1;
	}
	log_set_level(lvl);
	auth_configure(srv.cfg.auth_max_failures, srv.cfg.auth_window);
	addrkey_configure(srv.cfg.ipv6_prefix);	/* at start only: the tables
						 * are keyed by it */
	if (mkparents(srv.cfg.database) < 0) {
		fprintf(stderr, "kefud: cannot create the directory of %s: %s\n",
		    srv.cfg.database, strerror(errno));
		return -1;
	}
	if (server && backup_lock(srv.cfg.database, err, sizeof(err)) != 0) {
		fprintf(stderr, "kefud: %s\n", err);
		return -1;
	}
	if (store_open(srv.cfg.database, err, sizeof(err)) < 0) {
		fprintf(stderr, "kefud: database: %s\n", err);
		return -1;
	}
	if (desk_init() < 0 || account_load_all() < 0 ||
	    account_seed_from_config() < 0) {
		fprintf(stderr, "kefud: loading accounts: %s\n", store_errmsg());
		return -1;
	}
	return 0;
}

static int
run_server(void)
{
	struct rlimit rl;
	char err[512];

	srv.now_ms = ae_now_ms();
	if (open_everything(1) < 0)
		return 1;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	srv.maxfds = srv.cfg.max_clients + 64;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    (rlim_t)srv.maxfds > rl.rlim_cur) {
		if ((rlim_t)srv.cfg.max_clients > rl.rlim_cur)
			log_warn("open file limit %llu is below limits.max_clients "
			    "(%d): raise it (ulimit -n, LimitNOFILE=)",
			    (unsigned long long)rl.rlim_cur, srv.cfg.max_clients);
		else
			log_debug("open file limit %llu: serving at most that many descriptors",
			    (unsigned long long)rl.rlim_cur);
		srv.maxfds = (int)rl.rlim_cur;
	}
	srv.conns = calloc((size_t)srv.maxfds, sizeof(*srv.conns));
	srv.loop = ae_create(srv.maxfds);
	if (srv.conns == NULL || srv.loop == NULL) {
		log_error("out of memory");
		return 1;
	}
	offhours_clock_reset();
	if (region_open(&srv.cfg, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return 1;
	}
	if (boot_accounts_refresh() < 0 || boot_restore() < 0 ||
	    presence_boot() < 0 || ban_load() < 0 ||
	    offhours_maint_restore() < 0) {
		log_error("restoring open chats: %s", store_errmsg());
		return 1;
	}
	if (srv.cfg.listen_unix && *srv.cfg.listen_unix &&
	    mkparents(srv.cfg.listen_unix) < 0) {
		log_error("cannot create the directory of %s", srv.cfg.listen_unix);
		return 1;
	}
	/* the password worker forks before any client socket exists */
	if (authd_start(session_auth_done) < 0)
		log_warn("authd: no worker (%s); checking passwords inline",
		    strerror(errno));
	if (setup_signals() < 0 || http_init() < 0 || conn_listen_all() < 0)
		return 1;
	if (store_ckpt_start(srv.cfg.database, srv.cfg.checkpoint_frames,
	    srv.cfg.wal_max_frames) < 0)
		log_warn("no checkpoint helper (%s); checkpoints run inline",
		    strerror(errno));
	if (srv.cfg.ssh_enabled && gateway_prepare() < 0)
		return 1;
	ae_set_before_sleep(srv.loop, before_sleep, NULL);
	ae_set_timer(srv.loop, 1000, tick, NULL);
	log_info("kefud %s ready (database %s)", PACKAGE_VERSION, srv.cfg.database);
	ae_run(srv.loop);

	/* shutting down: flush what we told people, then close */
	backup_stop();
	presence_shutdown();
	before_sleep(srv.loop, NULL);
	for (int i = 0; i < 20 && srv.nconns > 0; i++) {
		if (store_commit() < 0 || conn_flush_every() == 0)
			break;
		usleep(50000);
	}
	for (int fd = 0; fd < srv.maxfds; fd++)
		if (srv.conns[fd])
			conn_close(srv.conns[fd], "shutdown");
	conn_reap();
	gateway_stop();
	authd_stop();
	if (srv.unix_fd >= 0 && srv.cfg.listen_unix)
		unlink(srv.cfg.listen_unix);
	store_ckpt_stop();
	store_close();
	desk_free();
	http_free();
	browse_free_all();
	vlimit_free_all();
	region_close();
	ae_free(srv.loop);
	free(srv.conns);
	config_free(&srv.cfg);
	log_info("stopped");
	return 0;
}

/* Everything start-up would refuse, found without starting. */
static int
check_config(const char *cfgpath)
{
	const char *what = cfgpath ? cfgpath : "(defaults)";
	enum log_level lvl;
	char host[256], err[512];
	int port, bad = 0;

	if (log_parse_level(srv.cfg.log_level, &lvl) < 0) {
		fprintf(stderr, "%s: log_level must be debug, info, warn or error\n", what);
		bad = 1;
	}
	if (*srv.cfg.listen_tcp && config_split_hostport(srv.cfg.listen_tcp, host,
	    sizeof(host), &port) < 0) {
		fprintf(stderr, "%s: listen.tcp: want host:port\n", what);
		bad = 1;
	}
	if (*srv.cfg.listen_http && config_split_hostport(srv.cfg.listen_http, host,
	    sizeof(host), &port) < 0) {
		fprintf(stderr, "%s: listen.http: want host:port\n", what);
		bad = 1;
	}
	if (srv.cfg.ssh_enabled && config_split_hostport(srv.cfg.ssh_listen, host,
	    sizeof(host), &port) < 0) {
		fprintf(stderr, "%s: ssh.listen: want host:port\n", what);
		bad = 1;
	}
	if (!*srv.cfg.listen_tcp && !*srv.cfg.listen_unix) {
		fprintf(stderr, "%s: listen.tcp and listen.unix are both empty\n", what);
		bad = 1;
	}
	if (srv.cfg.ssh_enabled && !*srv.cfg.listen_unix) {
		fprintf(stderr, "%s: ssh.enabled needs listen.unix\n", what);
		bad = 1;
	}
	if (region_open(&srv.cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", what, err);
		bad = 1;
	}
	region_close();
	if (!bad)
		printf("%s: ok\n", what);
	config_free(&srv.cfg);
	return bad;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "socket", required_argument, NULL, 's' },
		{ "database", required_argument, NULL, 'd' },
		{ "log-level", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cfgpath = NULL, *listen = NULL, *sock = NULL, *dbpath = NULL;
	const char *level = NULL;
	char err[512];
	int ch;

	/* internal: the WAL checkpoint helper that kefud starts itself */
	if (argc == 4 && strcmp(argv[1], "--checkpointer") == 0)
		return store_ckpt_main(argv[2], argv[3]);
	/* internal: the check of a new scheduled backup (backup_sched.c) */
	if (argc == 3 && strcmp(argv[1], "--integrity-check") == 0)
		return backup_check_main(argv[2]);
	config_defaults(&srv.cfg);
	/* '+': stop at the first non-option, so subcommands keep their flags */
	while ((ch = getopt_long(argc, argv, "+c:l:s:d:L:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': cfgpath = optarg; break;
		case 'l': listen = optarg; break;
		case 's': sock = optarg; break;
		case 'd': dbpath = optarg; break;
		case 'L': level = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("kefud %s\n", PACKAGE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (cfgpath && config_load(&srv.cfg, cfgpath, err, sizeof(err)) < 0) {
		fprintf(stderr, "kefud: %s\n", err);
		return 1;
	}
	if (listen) set_opt(&srv.cfg.listen_tcp, listen);
	if (sock) set_opt(&srv.cfg.listen_unix, sock);
	if (dbpath) set_opt(&srv.cfg.database, dbpath);
	if (level) set_opt(&srv.cfg.log_level, level);

	if (optind < argc) {
		int r;

		static const char *subs[] = { "user", "key", "backup", "replies",
		    "kb", NULL };
		int known = 0;

		if (strcmp(argv[optind], "check-config") == 0)
			return check_config(cfgpath);
		/* signals the running kefud; reads its database read-only */
		if (strcmp(argv[optind], "drain") == 0) {
			r = drain_main(argc - optind, argv + optind, &srv.cfg);
			config_free(&srv.cfg);
			return r;
		}
		/* read-only: opens no database for writing, creates none */
		if (strcmp(argv[optind], "report") == 0) {
			r = report_main(argc - optind, argv + optind,
			    srv.cfg.database);
			config_free(&srv.cfg);
			return r;
		}
		/* into a stopped server's database, under its lock */
		if (strcmp(argv[optind], "restore") == 0) {
			r = restore_main(argc - optind, argv + optind,
			    srv.cfg.database);
			config_free(&srv.cfg);
			return r;
		}
		if ((strcmp(argv[optind], "replies") == 0 ||
		    strcmp(argv[optind], "kb") == 0) && argc - optind == 3 &&
		    strcmp(argv[optind + 1], "export") == 0) {
			r = (argv[optind][0] == 'k' ? admin_kb_export :
			    admin_replies_export)(argv[optind + 2],
			    srv.cfg.database);
			config_free(&srv.cfg);
			return r;
		}
		for (int i = 0; subs[i]; i++)
			if (strcmp(argv[optind], subs[i]) == 0)
				known = 1;
		if (!known) {
			fprintf(stderr, "kefud: unknown subcommand '%s' (see kefud --help)\n",
			    argv[optind]);
			config_free(&srv.cfg);
			return 2;
		}
		/* Without -c or -d the database is only the built-in default
		 * path: use it if it is there, never create it (an empty one
		 * would silently hide the real accounts). */
		if (cfgpath == NULL && dbpath == NULL &&
		    access(srv.cfg.database, F_OK) < 0) {
			fprintf(stderr, "kefud: no database at %s (the default "
			    "without -c); give the server's configuration with "
			    "-c FILE or its database with -d PATH\n",
			    srv.cfg.database);
			config_free(&srv.cfg);
			return 1;
		}
		srv.now_ms = ae_now_ms();
		if (open_everything(0) < 0)
			return 1;
		r = admin_main(argc - optind, argv + optind);
		if (store_commit() < 0) {
			fprintf(stderr, "kefud: commit failed: %s\n", store_errmsg());
			r = 1;
		}
		store_close();
		desk_free();
		config_free(&srv.cfg);
		return r;
	}
	return run_server();
}
