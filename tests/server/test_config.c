/*
 * test_config.c - the YAML config loader: defaults, every kind of value,
 * and hostile files (wrong types, unknown keys, huge numbers, deep nesting,
 * broken YAML, too many list entries) that must give an error with a line
 * number and never crash or leak.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../server/config.h"
#include "../tap.h"

static int
load(struct config *c, const char *yml, char *err, size_t errlen)
{
	config_defaults(c);
	return config_load_buffer(c, yml, strlen(yml), err, errlen);
}

static void
expect_error(const char *yml, const char *want, const char *what)
{
	struct config c;
	char err[512] = "";
	int r = load(&c, yml, err, sizeof(err));

	ok(r == -1 && strstr(err, want) != NULL, "%s -> error mentioning '%s' (%s)",
	    what, want, err);
	config_free(&c);
}

int
main(void)
{
	struct config c;
	char err[512], host[64];
	int port;

	ok(load(&c, "", err, sizeof(err)) == 0, "empty file gives the defaults");
	is_str(c.listen_tcp, "127.0.0.1:7707", "default tcp address");
	is_int(c.line_max, 8192, "default line_max");
	is_int(c.ssh_enabled, 0, "ssh is off by default");
	is_int(c.commit_interval_us, 250, "default group commit interval 250 us");
	is_int(c.checkpoint_frames, 4000, "default checkpoint at 4000 WAL frames");
	is_int(c.wal_max_frames, 50000, "default WAL bound 50000 frames");
	is_int(c.anon_timeout, 30, "default limits.anon_timeout 30 s");
	is_int(c.per_addr_max, 32, "default limits.per_addr_max 32");
	is_int(c.unix_reserved, 16, "default limits.unix_reserved 16");
	is_int(c.ssh_login_grace, 20, "default ssh.login_grace 20 s");
	ok(c.ssh_startups[0] == 10 && c.ssh_startups[1] == 30 &&
	    c.ssh_startups[2] == 100, "default ssh.max_startups 10:30:100");
	is_int(c.ssh_per_source_startups, 10, "default ssh.per_source_max_startups 10");
	config_free(&c);

	ok(load(&c, "ssh:\n  login_grace: 5\n  max_startups: 3:50:9\n"
	    "  per_source_max_startups: 2\n", err, sizeof(err)) == 0,
	    "ssh pre-auth limits load (%s)", err);
	ok(c.ssh_login_grace == 5 && c.ssh_startups[0] == 3 &&
	    c.ssh_startups[1] == 50 && c.ssh_startups[2] == 9 &&
	    c.ssh_per_source_startups == 2, "ssh pre-auth limits read");
	config_free(&c);
	ok(load(&c, "ssh:\n  max_startups: 40\n", err, sizeof(err)) == 0 &&
	    c.ssh_startups[0] == 40 && c.ssh_startups[1] == 100 &&
	    c.ssh_startups[2] == 40, "ssh.max_startups: N is a hard cap N:100:N");
	config_free(&c);

	ok(load(&c,
	    "listen:\n  tcp: 0.0.0.0:9000\n  unix: \"\"\n"
	    "database: /tmp/x.db\nlimits:\n  line_max: 4096\n  msg_rate: 2.5\n"
	    "store:\n  commit_interval_us: 0\n  checkpoint_frames: 500\n"
	    "  wal_max_frames: 800\n"
	    "routing:\n  answer_timeout: 30\n  default_group: tech\n"
	    "ssh:\n  enabled: yes\n  listen: 127.0.0.1:2022\n"
	    "groups:\n  - name: tech\n    mode: auto\n    description: 技术支持\n"
	    "users:\n  - name: a\n    role: agent\n    password: secret1\n    max_chats: 7\n"
	    "quick_replies:\n  - title: 你好\n    text: 您好!\n",
	    err, sizeof(err)) == 0, "a full config loads (%s)", err);
	is_str(c.listen_tcp, "0.0.0.0:9000", "listen.tcp read");
	is_str(c.listen_unix, "", "listen.unix can be empty (off)");
	is_int(c.line_max, 4096, "limits.line_max read");
	ok(c.msg_rate > 2.4 && c.msg_rate < 2.6, "limits.msg_rate is a decimal");
	is_int(c.answer_timeout, 30, "routing.answer_timeout read");
	is_int(c.commit_interval_us, 0, "store.commit_interval_us: 0 is allowed");
	is_int(c.checkpoint_frames, 500, "store.checkpoint_frames read");
	is_int(c.wal_max_frames, 800, "store.wal_max_frames read");
	is_int(c.ssh_enabled, 1, "ssh.enabled: yes");
	is_int(c.ngroups, 1, "one group");
	is_str(c.groups[0].description, "技术支持", "UTF-8 description kept");
	is_int(c.users[0].max_chats, 7, "user max_chats");
	is_str(c.replies[0].title, "你好", "quick reply title");
	config_free(&c);

	expect_error("bogus: 1\n", "unknown key 'bogus'", "unknown top-level key");
	expect_error("limits:\n  line_max: 10\n", "limits.line_max", "line_max below its range");
	expect_error("limits:\n  line_max: 99999999999999999999\n", "limits.line_max", "number overflow");
	expect_error("limits:\n  line_max: 12abc\n", "limits.line_max", "trailing garbage in a number");
	expect_error("limits:\n  line_max: [1, 2]\n", "unexpected list", "a list where a number belongs");
	ok(load(&c, "limits:\n  anon_timeout: 0\n  per_addr_max: 0\n  unix_reserved: 3\n",
	    err, sizeof(err)) == 0 && c.anon_timeout == 0 && c.per_addr_max == 0 &&
	    c.unix_reserved == 3, "connection limits read, 0 allowed (%s)", err);
	config_free(&c);
	expect_error("limits:\n  anon_timeout: -1\n", "limits.anon_timeout",
	    "negative pre-login timeout");
	ok(load(&c, "", err, sizeof(err)) == 0 && c.backup_interval == 0 &&
	    strcmp(c.backup_dir, "var/backups") == 0 && c.backup_keep == 7 &&
	    c.backup_step_pages == 64, "backup.* defaults: off, var/backups, 7, 64");
	config_free(&c);
	ok(load(&c, "backup:\n  interval: 3600\n  dir: /srv/kefu/bk\n  keep: 30\n"
	    "  step_pages: 8\n", err, sizeof(err)) == 0 &&
	    c.backup_interval == 3600 && strcmp(c.backup_dir, "/srv/kefu/bk") == 0 &&
	    c.backup_keep == 30 && c.backup_step_pages == 8,
	    "backup.* read (%s)", err);
	config_free(&c);
	expect_error("backup:\n  keep: 0\n", "backup.keep", "keeping no backup");
	expect_error("backup:\n  interval: -5\n", "backup.interval",
	    "a negative backup interval");
	expect_error("backup:\n  step_pages: 0\n", "backup.step_pages",
	    "a step of no pages");
	expect_error("backup:\n  every: 5\n", "unknown key 'backup.every'",
	    "an unknown backup key");
	ok(load(&c, "", err, sizeof(err)) == 0 && strcmp(c.customer_fields, "") == 0,
	    "customers.fields: none by default");
	config_free(&c);
	ok(load(&c, "customers:\n  fields: \"vip_level, order_no\"\n", err,
	    sizeof(err)) == 0 && strcmp(c.customer_fields, "vip_level, order_no") == 0,
	    "customers.fields as a string (%s)", err);
	config_free(&c);
	ok(load(&c, "customers:\n  fields: [vip_level, order_no]\n", err,
	    sizeof(err)) == 0 && strcmp(c.customer_fields, "vip_level,order_no") == 0,
	    "customers.fields as a list (%s)", err);
	config_free(&c);
	expect_error("customers:\n  fields: \"VIP level\"\n", "customers.fields",
	    "a custom field name with capitals");
	expect_error("customers:\n  fields: \"a.b\"\n", "customers.fields",
	    "a custom field name with a dot");
	expect_error("customers:\n  fields: f0,f1,f2,f3,f4,f5,f6,f7,f8,f9,f10,f11,f12,"
	    "f13,f14,f15,f16,f17,f18,f19,f20,f21,f22,f23,f24,f25,f26,f27,f28,f29,f30,"
	    "f31,f32\n", "customers.fields", "33 custom fields");
	expect_error("store:\n  commit_interval_us: 1000001\n", "store.commit_interval_us",
	    "commit interval above 1 s");
	expect_error("store:\n  checkpoint_frames: 60000\n", "store.wal_max_frames",
	    "a WAL bound below the checkpoint size");
	expect_error("store:\n  checkpoint_frames: 99\n", "store.checkpoint_frames",
	    "checkpoint size below its range");
	expect_error("store:\n  commit_interval_us: -1\n", "store.commit_interval_us",
	    "negative commit interval");
	expect_error("ssh:\n  enabled: maybe\n", "ssh.enabled", "bad boolean");
	expect_error("ssh:\n  max_startups: 30:10:20\n", "ssh.max_startups",
	    "max_startups with FULL below START");
	expect_error("ssh:\n  max_startups: 10:30\n", "ssh.max_startups",
	    "max_startups with two fields");
	expect_error("ssh:\n  login_grace: 0\n", "ssh.login_grace", "login_grace 0");
	expect_error("ssh:\n  per_source_max_startups: 0\n",
	    "ssh.per_source_max_startups", "per_source_max_startups 0");
	expect_error("a: [\n", "line", "broken YAML reports a line");
	expect_error("- 1\n- 2\n", "mapping", "top level that is a list");
	expect_error("groups:\n  - name: x\n    mode: sometimes\n", "groups.mode", "bad routing mode");
	expect_error("groups:\n  - mode: auto\n", "no name", "group without a name");
	expect_error("users:\n  - name: a\n    role: king\n    password: x\n", "bad role", "bad role");
	expect_error("users:\n  - name: a\n    role: agent\n", "needs password", "user without a password");
	expect_error("a:\n b:\n  c:\n   d:\n    e:\n     f: 1\n", "nested too deeply", "deep nesting");
	expect_error("agent:\n  default_status: sleeping\n", "default_status", "bad default status");
	expect_error("routing:\n  answer_timeout: -1\n", "answer_timeout", "negative timeout");
	expect_error("http:\n  prechat_required: name,mobile\n", "prechat_required",
	    "an unknown pre-chat field");
	expect_error("http:\n  max_per_addr: 0\n", "max_per_addr", "no web connections at all");
	ok(load(&c, "listen:\n  http: \"\"\nhttp:\n  allowed_origins: https://a.example, https://b.example\n"
	    "  trust_proxy: 10.0.0.1\n  prechat_required: email,phone\n  allow_login: yes\n",
	    err, sizeof(err)) == 0 && *c.listen_http == '\0' && c.http_allow_login == 1 &&
	    config_list_has(c.http_allowed_origins, "https://b.example", 17) &&
	    !config_list_has(c.http_allowed_origins, "https://b.exampl", 16),
	    "the http keys load (%s)", err);
	config_free(&c);
	{
		/* more list entries than the table holds */
		size_t n = 0, cap = 200000;
		char *big = malloc(cap);

		n += (size_t)snprintf(big + n, cap - n, "groups:\n");
		for (int i = 0; i < CONFIG_MAX_GROUPS + 5; i++)
			n += (size_t)snprintf(big + n, cap - n, "  - name: g%d\n", i);
		expect_error(big, "too many entries", "too many groups");
		free(big);
	}
	{
		/* a NUL byte inside the document */
		struct config cc;
		static const char nul[] = "database: a\0b\n";

		config_defaults(&cc);
		ok(config_load_buffer(&cc, nul, sizeof(nul) - 1, err, sizeof(err)) == -1,
		    "a NUL byte in the file is an error (%s)", err);
		config_free(&cc);
	}
	config_defaults(&c);
	ok(config_load(&c, "/nonexistent/kefu.yml", err, sizeof(err)) == -1 &&
	    strstr(err, "/nonexistent/kefu.yml") != NULL, "missing file names the path");
	config_free(&c);

	ok(config_split_hostport("127.0.0.1:7707", host, sizeof(host), &port) == 0 &&
	    !strcmp(host, "127.0.0.1") && port == 7707, "host:port split");
	ok(config_split_hostport("[::1]:22", host, sizeof(host), &port) == 0 &&
	    !strcmp(host, "::1") && port == 22, "[v6]:port split");
	ok(config_split_hostport("host", host, sizeof(host), &port) == -1, "no port is an error");
	ok(config_split_hostport("h:99999", host, sizeof(host), &port) == -1, "port out of range");
	ok(config_split_hostport(":80", host, sizeof(host), &port) == -1, "empty host");
	ok(config_split_hostport("h:", host, sizeof(host), &port) == -1, "empty port");
	return tap_done();
}
