/*
 * listen.c - the listening sockets (TCP, unix, the web door's HTTP) and
 * accepting on them: the address of the peer, the server-wide and
 * per-address limits (conn_limit.c) checked before a connection costs
 * anything, a one-line refusal the client understands (or an HTTP 503),
 * then conn_new()/conn_start() in conn.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <netdb.h>

#include "http.h"
#include "log.h"
#include "server.h"

static int
listen_tcp(const char *kind, const char *spec)
{
	char host[256], port[16];
	int p, fd = -1, one = 1;
	struct addrinfo hints, *res, *ai;

	if (config_split_hostport(spec, host, sizeof(host), &p) < 0) {
		log_error("listen.%s: bad address '%s' (want host:port)", kind, spec);
		return -1;
	}
	snprintf(port, sizeof(port), "%d", p);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if (getaddrinfo(host, port, &hints, &res) != 0) {
		log_error("listen.%s: cannot resolve '%s'", kind, host);
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0 &&
		    bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, 1024) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		log_error("listen.%s: cannot listen on %s: %s", kind, spec,
		    strerror(errno));
	else
		log_info("listening on %s %s", kind, spec);
	return fd;
}

static int
listen_unix(const char *path)
{
	struct sockaddr_un sa;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		log_error("listen.unix: path too long: %s", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (unlink(path) < 0 && errno != ENOENT)
		log_warn("listen.unix: cannot remove stale %s: %s", path,
		    strerror(errno));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(path, 0660) < 0 || listen(fd, 1024) < 0) {
		log_error("listen.unix: %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	log_info("listening on unix %s", path);
	return fd;
}

static void
refuse_line(int fd, const char *why)
{
	char line[128];
	int n = snprintf(line, sizeof(line), "ERR LIMIT %s\n", why);

	if (write(fd, line, (size_t)n) < 0)
		{ /* nothing to do: we are dropping it anyway */ }
}

/* Server full: a line the protocol's clients understand, or for the web
 * door an HTTP answer; then close. */
static void
refuse(int fd, int is_http, const char *addr, const char *why)
{
	static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\n"
	    "Content-Length: 0\r\nConnection: close\r\n\r\n";

	if (!is_http)
		refuse_line(fd, why);
	else if (write(fd, busy, sizeof(busy) - 1) < 0)
		{ /* nothing to do: we are dropping it anyway */ }
	close(fd);
	log_warn("refused a connection from %s: %s (%d clients, limit %d)",
	    addr, why, srv.nconns, srv.cfg.max_clients);
}

static void
accept_one(int lfd, int is_unix, int is_http)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char addr[64] = "local";
	const char *why;
	struct conn *c;
	int fd, one = 1;

	fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			log_warn("accept: %s", strerror(errno));
		return;
	}
	if (!is_unix && ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr,
		    addr, sizeof(addr));
	else if (!is_unix && ss.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr,
		    addr, sizeof(addr));
	why = fd >= srv.maxfds ? "server full, try again later" :
	    connlim_refuse(is_unix);
	if (why != NULL) {
		refuse(fd, is_http, addr, why);
		return;
	}
	if (!is_unix &&
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
		log_debug("TCP_NODELAY: %s", strerror(errno));
	srv.now_ms = ae_now_ms();	/* the loop may have slept: its age
					 * (limits.anon_timeout) counts from now */
	c = conn_new(fd, is_unix, addr);
	if (c && connlim_opened(c, !is_unix && !is_http) < 0) {
		refuse_line(fd, "too many connections from your address");
		conn_close(c, "per-address limit");
		return;
	}
	if (c && is_http && http_accepted(c) < 0) {
		conn_close(c, "refused");
		return;
	}
	if (c == NULL || conn_start(c) < 0) {
		log_error("accept: out of memory or epoll failure");
		if (c)
			conn_close(c, "setup failed");
		else
			close(fd);
		return;
	}
	log_debug("connection %d from %s", fd, addr);
}

static void
accept_handler(struct ae_loop *l, int fd, void *data, int mask)
{
	int is_unix = (fd == srv.unix_fd), is_http = (fd == srv.http_fd);

	for (int i = 0; i < 64; i++) {
		int before = srv.nconns;

		accept_one(fd, is_unix, is_http);
		if (srv.nconns == before)
			break;
	}
}

int
conn_listen_all(void)
{
	srv.tcp_fd = srv.unix_fd = srv.http_fd = -1;
	if (srv.cfg.listen_tcp && *srv.cfg.listen_tcp) {
		if ((srv.tcp_fd = listen_tcp("tcp", srv.cfg.listen_tcp)) < 0)
			return -1;
		if (ae_set(srv.loop, srv.tcp_fd, AE_READ, accept_handler, NULL) < 0)
			return -1;
	}
	if (srv.cfg.listen_unix && *srv.cfg.listen_unix) {
		if ((srv.unix_fd = listen_unix(srv.cfg.listen_unix)) < 0)
			return -1;
		if (ae_set(srv.loop, srv.unix_fd, AE_READ, accept_handler, NULL) < 0)
			return -1;
	}
	if (srv.cfg.listen_http && *srv.cfg.listen_http) {
		if ((srv.http_fd = listen_tcp("http", srv.cfg.listen_http)) < 0)
			return -1;
		if (ae_set(srv.loop, srv.http_fd, AE_READ, accept_handler, NULL) < 0)
			return -1;
	}
	if (srv.tcp_fd < 0 && srv.unix_fd < 0) {
		log_error("no listener configured (listen.tcp and listen.unix are empty)");
		return -1;
	}
	return 0;
}
