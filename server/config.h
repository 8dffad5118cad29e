/*
 * config.h - kefud's configuration: one YAML file (kefu.yml(5)), loaded with
 * libyaml into this struct, then overridden by command-line flags.
 */
#ifndef KEFU_CONFIG_H
#define KEFU_CONFIG_H

#include <stddef.h>
#include <time.h>

#include "hours.h"

#define CONFIG_MAX_GROUPS  64
#define CONFIG_MAX_USERS   256
#define CONFIG_MAX_REPLIES 512
#define CONFIG_FIELDS_MAX  32	/* customers.fields */
#define CONFIG_MAX_REGIONS 256

struct config_group {
	char *name;
	char *mode;		/* "manual" or "auto" */
	char *description;
	char *leave_require;	/* LEAVEMSG contact fields: "name,phone|email" */
	struct hours hours;	/* timezone, hours, holidays, workdays */
	char *closed_message;	/* told to visitors outside the hours */
	char *greeting;		/* system message when a chat is assigned */
	char *wait_reply;	/* system message after wait_reply_after s */
	int wait_reply_after;
	char *wrapup_categories;	/* comma list; NULL: the default */
	int bot;		/* enum config_bot */
};

/* groups[].bot: when the knowledge-base bot talks to new visitors */
enum config_bot { BOT_OFF = 0, BOT_FRONT, BOT_AFTER_HOURS };

struct config_user {		/* seed accounts, created if missing */
	char *name;
	char *role;
	char *password;		/* plain (demo only) ... */
	char *password_hash;	/* ... or a crypt(3) hash */
	char *display;
	char *groups;		/* comma-separated */
	int max_chats;
};

struct config_reply {
	char *title;
	char *group;		/* NULL: all groups */
	char *text;
	char *cat;		/* category, NULL: none */
	char *code;		/* short code (/code Tab), NULL: none */
};

struct config_region {		/* routing.regions: the first match wins */
	char *cidr;		/* comma list of ranges, or NULL ... */
	char *country;		/* ... or ISO 3166-1 codes (geoip_db) */
	char *region;		/* with country: subdivision codes, or NULL */
	char *group;
};

struct config {
	char *path;		/* file it was loaded from, or NULL */

	char *listen_tcp;	/* "host:port", "" = off */
	char *listen_unix;	/* path, "" = off */
	char *listen_http;	/* "host:port" for HTTP/WebSocket, "" = off */
	char *database;
	char *log_level;	/* debug, info, warn, error */

	size_t line_max;
	size_t outbuf_max;
	int max_clients;
	int anon_timeout;	/* seconds to say who one is; 0 = no limit */
	int per_addr_max;	/* TCP connections per address; 0 = no cap */
	int ipv6_prefix;	/* bits of an IPv6 address the per-address
				 * limits count by (addrkey.h) */
	int unix_reserved;	/* of max_clients, kept for the unix socket */
	double msg_rate;	/* messages per second per connection */
	int msg_burst;
	int chat_messages;	/* messages one chat may hold (0: no limit) */
	size_t chat_bytes;	/* bytes of message text one chat may hold */
	int commit_interval_us;	/* group commit: least time between commits */
	int checkpoint_frames;	/* WAL size that starts a checkpoint */
	int wal_max_frames;	/* WAL size at which the loop finishes one */

	int backup_interval;	/* seconds between online backups, 0 = off */
	char *backup_dir;	/* where they go */
	int backup_keep;	/* how many are kept */
	int backup_step_pages;	/* pages copied per 10 ms step */

	int auth_max_failures;
	int auth_window;
	int auth_ticket_tcp;	/* TICKET accepted over TCP too */

	char *agent_default_status;
	int agent_default_max;
	int agent_max_connections;

	char *default_group;
	char *wrapup_categories;	/* wrapup.categories (wrapup.h) */
	int answer_timeout;
	int agent_grace;
	int resume_timeout;
	int drain_timeout;	/* shutdown.drain_timeout, seconds */
	int hello_rate;		/* chats a minute one address may start */
	int visitor_per_addr_max; /* open chats of one address at once */
	char *geoip_db;		/* routing.geoip_db: a MaxMind DB, "" = none */
	struct config_region regions[CONFIG_MAX_REGIONS];
	int nregions;

	int designated_wait;	/* s a chat waits for its designated agent */
	char *bot_name;		/* the bot's name in its messages */
	double bot_threshold;	/* least score (0..1] of an answer */
	int bot_max_misses;	/* unanswered questions before hand-off */
	char *bot_handoff_words; /* comma list: the visitor wants a person */
	char *bot_miss_reply;	/* said when it has no answer */
	char *bot_handoff_reply; /* said when it passes the chat on */

	char *http_allowed_origins;	/* comma-separated origins, "*" = any */
	char *http_trust_proxy;		/* comma-separated proxy addresses */
	char *http_prechat_required;	/* comma-separated pre-chat fields */
	int http_max_per_addr;		/* connections per visitor address */
	int http_header_timeout;	/* seconds to send a whole request */
	int http_ping_interval;		/* seconds between pings, 0 = off */
	int http_allow_login;		/* LOGIN/TICKET/GATEWAY over WebSocket */

	int browse_max;			/* browsing visitors listed, 0 = off */
	int browse_per_addr_max;	/* ... from one address */
	int browse_linger;		/* seconds kept after their page closed */
	int invite_enabled;		/* ENGAGE allowed */
	int invite_cooldown;		/* seconds between two invitations */
	int invite_timeout;		/* seconds an invitation waits */

	int ssh_enabled;
	char *ssh_listen;	/* "host:port" */
	char *ssh_host_key;
	char *ssh_secret_file;
	char *ssh_console;	/* path of the kefu console binary */
	char *ssh_gateway;	/* path of the kefud-ssh binary */
	int ssh_max_sessions;
	int ssh_idle_timeout;
	int ssh_max_auth_failures;
	int ssh_login_grace;	/* seconds from connect to a running session */
	int ssh_startups[3];	/* max_startups start:rate:full */
	int ssh_per_source_startups;

	struct config_group groups[CONFIG_MAX_GROUPS];
	int ngroups;
	struct config_user users[CONFIG_MAX_USERS];
	int nusers;
	struct config_reply replies[CONFIG_MAX_REPLIES];
	int nreplies;

	char *customer_fields;	/* customers.fields: custom fields of the
				 * customer cards, comma-separated names */

	time_t test_now;	/* testing.now: a fake wall clock (tests only) */
};

/* Fill c with the built-in defaults. */
void config_defaults(struct config *c);

/*
 * Load path over the defaults. On error returns -1 and writes a message
 * naming the file, line and key into err.
 */
int config_load(struct config *c, const char *path, char *err, size_t errlen);

/* Load a YAML document from memory (for tests and the fuzzer). */
int config_load_buffer(struct config *c, const char *data, size_t len,
    char *err, size_t errlen);

void config_free(struct config *c);

/* "off", "front", "after-hours" as enum config_bot; -1 for others. */
int config_bot_mode(const char *s);
/* Is word one of the comma-separated items of list? */
int config_list_has(const char *list, const char *word, size_t wordlen);
/* The configured entry of group `name`, or NULL (a group made by GROUPADD). */
const struct config_group *config_group_find(const struct config *c,
    const char *name);
/* Is s a valid customers.fields (names of a-z 0-9 _, at most 32)? */
int config_fields_valid(const char *s);
/* Is s a valid groups.leave_message_require ("name,phone|email")? */
int config_require_valid(const char *s);
/* Replace dst's groups by src's (src keeps none): a reload's new hours. */
void config_take_groups(struct config *dst, struct config *src);

/* Split "host:port" ("[::1]:7707" too). 0 on success. */
int config_split_hostport(const char *s, char *host, size_t hostlen, int *port);

#endif
