/*
 * sshgw.h - kefud-ssh, the SSH gateway of kefu.
 *
 * Agents reach their console with a plain `ssh -p 2222 alice@host`. kefud
 * starts this program as a child process; it listens for SSH, and for every
 * TCP connection forks a session process that speaks SSH with libssh, checks
 * the agent's password or public key by asking kefud over its unix socket
 * (as a "gateway" client holding a shared secret), and then either runs the
 * kefu console on a pty (interactive ssh) or pumps the raw line protocol
 * (`ssh -T`). libssh stays out of kefud's event loop, and one hung or
 * crashed session harms no other session.
 *
 * Modules: sshgw_opts.c (flags), sshgw_log.c (stderr log), sshgw_hostkey.c
 * (Ed25519 host key), sshgw_kefud.c (talking to kefud), sshgw_main.c
 * (listener), sshgw_procs.c (session processes: admission, pending logins,
 * reaping), sshgw_session.c (one SSH connection:
 * authentication and channel requests), sshgw_pump.c (bytes between the
 * channel and the console's pty or kefud's socket). All of them are in
 * server/ssh/ and include only this header and proto/proto.h, never kefud's
 * own headers in server/ (server/ssh/Makefile.inc builds them).
 */
#ifndef KEFU_SSHGW_H
#define KEFU_SSHGW_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <libssh/libssh.h>
#include <libssh/server.h>

#include "proto.h"

#define SGW_DEFAULT_MAX_SESSIONS  200
#define SGW_DEFAULT_IDLE_TIMEOUT  3600
#define SGW_DEFAULT_AUTH_TRIES    6
#define SGW_MAX_REFUSERS          8	/* processes telling "too many" */
#define SGW_DEFAULT_LOGIN_GRACE   20	/* seconds from accept to shell */
#define SGW_DEFAULT_STARTUPS      "10:30:100"	/* like OpenSSH's */
#define SGW_DEFAULT_PER_SOURCE    10	/* pending logins per address */
#define SGW_KEEPALIVE_INTERVAL    15	/* seconds between keepalives */
#define SGW_KEFUD_TIMEOUT_MS      15000	/* for one kefud reply */
#define SGW_WIN_MAX               1000	/* largest cols/rows accepted */

/* ---- options (sshgw_opts.c) ------------------------------------------- */

enum sgw_level { SGW_DEBUG = 0, SGW_INFO, SGW_WARN, SGW_ERROR };

struct sgw_opts {
	const char *listen;	/* "host:port" */
	const char *host_key;
	const char *socket;	/* kefud's unix socket */
	const char *secret_file;
	const char *console;	/* path of the kefu binary */
	int max_sessions;
	int idle_timeout;	/* seconds, 0 = never */
	int max_auth_tries;
	int login_grace;	/* seconds from accept to a running shell */
	int startups[3];	/* start:rate:full of pending logins */
	int per_source;		/* pending logins from one address */
	enum sgw_level log_level;
};

/*
 * Parse argv into o. Returns 0 to go on, 1 when --help/--version was
 * printed (exit 0), -1 on a usage error (already reported, exit 2).
 */
int sgw_opts_parse(struct sgw_opts *o, int argc, char **argv);

/* ---- logging (sshgw_log.c) --------------------------------------------- */

void sgw_log_init(enum sgw_level min);
int sgw_log_enabled(enum sgw_level level);
void sgw_log(enum sgw_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Copy s into out (size n) with control bytes replaced, for log lines. */
const char *sgw_log_clean(const char *s, char *out, size_t n);
/* Route libssh's own log lines into ours (debug level only). */
void sgw_log_libssh(void);

/* ---- host key (sshgw_hostkey.c) ---------------------------------------- */

/*
 * Load the private key at path, or create an Ed25519 key there (mode 0600,
 * directory 0700 created as needed) if the file does not exist. Logs the
 * SHA256 fingerprint. Returns the key or NULL (error logged).
 */
ssh_key sgw_hostkey_load(const char *path);

/* ---- talking to kefud (sshgw_kefud.c) ---------------------------------- */

struct sgw_kefud {
	int fd;
	struct pbuf in;		/* bytes read but not yet consumed */
};

enum sgw_kres {
	SGW_K_OK = 0,
	SGW_K_DENIED = -1,	/* ERR AUTH (or another ERR) */
	SGW_K_THROTTLE = -2,	/* ERR THROTTLE */
	SGW_K_IO = -3,		/* kefud unreachable, timeout, garbage */
};

void sgw_kefud_init(struct sgw_kefud *k);
void sgw_kefud_close(struct sgw_kefud *k);
/* Connect to the unix socket at path. 0 or -1 (errno set). */
int sgw_kefud_connect(struct sgw_kefud *k, const char *path);
/*
 * Take the next complete line out of k->in into out (NUL-terminated, no
 * newline). Returns 1 if a line was taken, 0 if none is complete, -1 if
 * an overlong line arrived (it is left in k->in).
 */
int sgw_kefud_take_line(struct sgw_kefud *k, char *out, size_t outlen);
/* Read the secret file, trimmed. Returns malloc'd string or NULL. */
char *sgw_kefud_read_secret(const char *path);
/* Connect and say GATEWAY :secret. */
enum sgw_kres sgw_kefud_gateway(struct sgw_kefud *k, const char *path,
    const char *secret);
/* AUTHPASS / AUTHKEY; role (may be NULL) receives the role on success. */
enum sgw_kres sgw_kefud_authpass(struct sgw_kefud *k, const char *name,
    const char *addr, const char *password, char *role, size_t rolelen);
enum sgw_kres sgw_kefud_authkey(struct sgw_kefud *k, const char *name,
    const char *addr, const char *keytype, const char *b64,
    char *role, size_t rolelen);
/* MKTICKET name -> token (malloc'd) */
enum sgw_kres sgw_kefud_mkticket(struct sgw_kefud *k, const char *name,
    char **token);
/*
 * On a fresh connection: TICKET name token, and consume the OK line. Event
 * lines that came before it are left in k->in for the caller to forward.
 * On failure, errtext (if not NULL) gets kefud's reply line.
 */
enum sgw_kres sgw_kefud_ticket(struct sgw_kefud *k, const char *name,
    const char *token, char *errtext, size_t errlen);

/* ---- session processes and admission (sshgw_procs.c) ------------------- */

#define SGW_SOURCE_MAX 64	/* "192.0.2.1" or "2001:db8:1:2::/64" */

struct sockaddr_storage;

enum sgw_admit {
	SGW_ADMIT_SESSION,	/* fork a session process */
	SGW_ADMIT_REFUSE,	/* fork one that says "too many sessions" */
	SGW_ADMIT_DROP,		/* close the connection at once */
};

long long sgw_now_ms(void);
/* The peer's address as text ("unknown" if it has none we print). */
void sgw_peer_address(const struct sockaddr_storage *ss, char *out, size_t n);
/* What pending logins are counted by: the address, or its /64 for IPv6. */
void sgw_source_key(const struct sockaddr_storage *ss, char *out, size_t n);
int sgw_procs_init(int max_sessions);
void sgw_procs_free(void);
int sgw_procs_count(void);
int sgw_procs_pending(void);
/* Decide about a new connection from source (drops are logged, briefly). */
enum sgw_admit sgw_procs_admit(const struct sgw_opts *o, const char *source);
uint32_t sgw_procs_next_serial(void);
void sgw_procs_add(pid_t pid, uint32_t serial, int refuser,
    const char *source);
/* Read login reports (struct sgw_status) from the status pipe. */
void sgw_procs_read_status(int fd);
/* Kill session processes still not logged in well past their grace. */
void sgw_procs_expire(const struct sgw_opts *o);
void sgw_procs_reap(void);
/* SIGTERM all, wait up to 1.8 s, SIGKILL the rest, reap them. */
void sgw_procs_stop(void);

/* ---- the per-connection session (sshgw_session.c) ---------------------- */

struct sgw_listener_ctx {
	const struct sgw_opts *opts;
	ssh_bind bind;
	int status_fd;		/* write end: "logged in" reports (below) */
	uint32_t serial;	/* this session process's number */
	pid_t listener;		/* the listener's pid, known before a fork */
};

/*
 * A session process tells the listener that its client has logged in by
 * writing one of these to the status pipe (atomic: far below PIPE_BUF).
 * The listener counts the others as pending logins (MaxStartups).
 */
struct sgw_status {
	int32_t pid;
	uint32_t serial;
};

/* Run one SSH connection in this (forked) process; returns the exit code. */
int sgw_session_run(const struct sgw_listener_ctx *lc, int fd,
    const char *addr);
/* Do the key exchange and tell the client there is no room; exit code. */
int sgw_session_refuse(const struct sgw_listener_ctx *lc, int fd,
    const char *addr, const char *why);

/* ---- the byte pump (sshgw_pump.c) -------------------------------------- */

struct sgw_pump;

enum sgw_pump_mode { SGW_PUMP_PTY, SGW_PUMP_RAW };

struct sgw_pump_params {
	enum sgw_pump_mode mode;
	const struct sgw_opts *opts;
	ssh_session session;
	ssh_channel channel;
	ssh_event event;
	struct sgw_kefud *gateway;	/* kept open: the ticket lives with it */
	const char *user;
	const char *token;
	const char *term;		/* PTY only */
	int cols, rows;			/* PTY only */
	int sigfd;			/* read end of the self-pipe */
};

/*
 * Start the console (PTY) or the raw connection (RAW). On failure writes
 * a message to the channel's stderr and returns NULL.
 */
struct sgw_pump *sgw_pump_start(const struct sgw_pump_params *p);
/* Channel data from the client; returns bytes consumed. */
size_t sgw_pump_from_client(struct sgw_pump *pp, const void *data, size_t len);
void sgw_pump_client_eof(struct sgw_pump *pp);
void sgw_pump_resize(struct sgw_pump *pp, int cols, int rows);
/*
 * Run until the session ends; returns the exit code for the process.
 * *stop is polled each round (set by signal handlers via the self-pipe).
 */
int sgw_pump_run(struct sgw_pump *pp, volatile int *stop);
void sgw_pump_free(struct sgw_pump *pp);

/* Clamp check for window sizes: 1 if usable. */
int sgw_winsize_ok(int cols, int rows);

#endif
