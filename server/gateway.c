/*
 * gateway.c - running the SSH gateway (kefud-ssh) as a child process.
 *
 * libssh's writes can block and its sessions hold per-connection crypto
 * state, so SSH stays out of the chat event loop: kefud starts kefud-ssh,
 * which forks one process per SSH connection. kefud and the gateway share a
 * random secret through a 0600 file; the gateway proves itself with it on
 * the unix socket (GATEWAY command) and then asks kefud to check passwords
 * and keys and to mint login tickets for the consoles it runs.
 * If the gateway dies it is restarted, at most once every 5 seconds.
 * Whenever kefud ends, however it ends, the gateway gets SIGTERM: kefud's
 * child asks for it (PR_SET_PDEATHSIG, kept across execv) before it runs
 * the program, so there is no moment in which kefud could die unnoticed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auth.h"
#include "gateway.h"
#include "log.h"
#include "server.h"

static char gw_path[PATH_MAX], console_path[PATH_MAX];

int
gateway_find_program(const char *name, const char *buildrel, char *out,
    size_t outlen)
{
	char self[PATH_MAX], *slash;
	ssize_t n;

	if (strchr(name, '/')) {
		if (realpath(name, out) == NULL)
			snprintf(out, outlen, "%s", name);
		return access(out, X_OK);
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL)
			*slash = '\0';
		snprintf(out, outlen, "%s/%s", self, name);
		if (access(out, X_OK) == 0)
			return 0;
		if (buildrel) {
			snprintf(out, outlen, "%s/%s", self, buildrel);
			if (access(out, X_OK) == 0)
				return 0;
		}
	}
	/* search PATH */
	{
		const char *path = getenv("PATH");
		char *copy = strdup(path ? path : "/usr/local/bin:/usr/bin:/bin"), *save, *d;

		for (d = copy ? strtok_r(copy, ":", &save) : NULL; d;
		    d = strtok_r(NULL, ":", &save)) {
			snprintf(out, outlen, "%s/%s", d, name);
			if (access(out, X_OK) == 0) {
				free(copy);
				return 0;
			}
		}
		free(copy);
	}
	return -1;
}

static int
write_secret(const char *path)
{
	int fd;
	size_t n;

	if (auth_random_hex(srv.gateway_secret, 32) < 0)
		return -1;
	(void)unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	n = strlen(srv.gateway_secret);
	if (write(fd, srv.gateway_secret, n) != (ssize_t)n || close(fd) < 0) {
		close(fd);
		return -1;
	}
	return 0;
}

int
gateway_prepare(void)
{
	if (srv.cfg.listen_unix == NULL || *srv.cfg.listen_unix == '\0') {
		log_error("ssh.enabled needs listen.unix: the gateway talks to kefud there");
		return -1;
	}
	if (gateway_find_program(srv.cfg.ssh_gateway, "kefud-ssh", gw_path,
	    sizeof(gw_path)) < 0) {
		log_error("ssh: gateway program '%s' not found", srv.cfg.ssh_gateway);
		return -1;
	}
	if (gateway_find_program(srv.cfg.ssh_console, "../tui/kefu",
	    console_path, sizeof(console_path)) < 0) {
		log_error("ssh: console program '%s' not found", srv.cfg.ssh_console);
		return -1;
	}
	{
		char dir[PATH_MAX], *slash;

		snprintf(dir, sizeof(dir), "%s", srv.cfg.ssh_secret_file);
		if ((slash = strrchr(dir, '/')) != NULL) {
			*slash = '\0';
			if (*dir && mkdir(dir, 0700) < 0 && errno != EEXIST) {
				log_error("ssh: cannot create %s: %s", dir, strerror(errno));
				return -1;
			}
		}
	}
	if (write_secret(srv.cfg.ssh_secret_file) < 0) {
		log_error("ssh: cannot write %s: %s", srv.cfg.ssh_secret_file,
		    strerror(errno));
		return -1;
	}
	gateway_spawn();
	return 0;
}

void
gateway_spawn(void)
{
	char sessions[16], idle[16], tries[16], grace[16], startups[48],
	    persrc[16];
	sigset_t none;
	pid_t pid, kefud = getpid();

	snprintf(sessions, sizeof(sessions), "%d", srv.cfg.ssh_max_sessions);
	snprintf(idle, sizeof(idle), "%d", srv.cfg.ssh_idle_timeout);
	snprintf(tries, sizeof(tries), "%d", srv.cfg.ssh_max_auth_failures);
	snprintf(grace, sizeof(grace), "%d", srv.cfg.ssh_login_grace);
	snprintf(startups, sizeof(startups), "%d:%d:%d", srv.cfg.ssh_startups[0],
	    srv.cfg.ssh_startups[1], srv.cfg.ssh_startups[2]);
	snprintf(persrc, sizeof(persrc), "%d", srv.cfg.ssh_per_source_startups);
	srv.ssh_restart_ms = srv.now_ms + 5000;
	pid = fork();
	if (pid < 0) {
		log_error("ssh: fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		char *args[] = { gw_path, "--listen", srv.cfg.ssh_listen,
		    "--host-key", srv.cfg.ssh_host_key, "--socket",
		    srv.cfg.listen_unix, "--secret-file", srv.cfg.ssh_secret_file,
		    "--console", console_path, "--max-sessions", sessions,
		    "--idle-timeout", idle, "--log-level", srv.cfg.log_level,
		    "--max-auth-tries", tries, "--login-grace", grace,
		    "--max-startups", startups, "--per-source-startups", persrc,
		    NULL };

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		/* kefud's pid from before the fork: had kefud died before the
		 * prctl, getppid() would already name our new parent */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != kefud)
			_exit(1);
		execv(gw_path, args);
		fprintf(stderr, "kefud: exec %s: %s\n", gw_path, strerror(errno));
		_exit(127);
	}
	srv.ssh_pid = pid;
	log_info("ssh: gateway %s started (pid %d) on %s", gw_path, (int)pid,
	    srv.cfg.ssh_listen);
}

void
gateway_reap(void)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid != srv.ssh_pid)
			continue;
		srv.ssh_pid = 0;
		if (!srv.shutting_down)
			log_warn("ssh: gateway exited (%s %d); restarting",
			    WIFSIGNALED(status) ? "signal" : "status",
			    WIFSIGNALED(status) ? WTERMSIG(status) :
			    WEXITSTATUS(status));
	}
}

void
gateway_stop(void)
{
	int status;

	if (srv.ssh_pid <= 0)
		return;
	kill(srv.ssh_pid, SIGTERM);
	for (int i = 0; i < 40; i++) {
		if (waitpid(srv.ssh_pid, &status, WNOHANG) == srv.ssh_pid) {
			srv.ssh_pid = 0;
			break;
		}
		usleep(50000);
	}
	if (srv.ssh_pid > 0) {
		kill(srv.ssh_pid, SIGKILL);
		waitpid(srv.ssh_pid, &status, 0);
		srv.ssh_pid = 0;
	}
	if (srv.cfg.ssh_secret_file)
		(void)unlink(srv.cfg.ssh_secret_file);
}
