/*
 * sshgw_kefud.c - the gateway's side of the conversation with kefud.
 *
 * The gateway holds no passwords and no keys. It connects to kefud's unix
 * socket, proves it is the gateway with the shared secret kefud wrote to
 * ssh.secret_file (GATEWAY :secret), and asks AUTHPASS / AUTHKEY for every
 * attempt an SSH client makes; kefud counts failures per client address.
 * After a login it asks MKTICKET for a token the console (or the raw
 * connection of `ssh -T`) logs in with (TICKET name token). A ticket lives
 * as long as the gateway connection that made it, so this connection stays
 * open for the whole SSH session.
 *
 * All reads have a deadline: a kefud that does not answer makes the SSH
 * login fail with a message, it does not hang the session process.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sshgw.h"

#define SECRET_MAX 4096

void
sgw_kefud_init(struct sgw_kefud *k)
{
	k->fd = -1;
	pbuf_init(&k->in);
}

void
sgw_kefud_close(struct sgw_kefud *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
	pbuf_free(&k->in);
}

int
sgw_kefud_connect(struct sgw_kefud *k, const char *path)
{
	struct sockaddr_un sa;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	sgw_kefud_close(k);
	k->fd = fd;
	return 0;
}

char *
sgw_kefud_read_secret(const char *path)
{
	char buf[SECRET_MAX + 1];
	size_t n = 0, start = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	while (n < SECRET_MAX) {
		ssize_t r = read(fd, buf + n, SECRET_MAX - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			close(fd);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' ||
	    buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		buf[--n] = '\0';
	while (buf[start] == ' ' || buf[start] == '\t')
		start++;
	if (buf[start] == '\0') {
		errno = EINVAL;
		return NULL;
	}
	return strdup(buf + start);
}

static int
send_all(int fd, const char *s, size_t n)
{
	long long deadline = sgw_now_ms() + SGW_KEFUD_TIMEOUT_MS;

	while (n > 0) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w > 0) {
			s += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };
			long long left = deadline - sgw_now_ms();

			if (left <= 0 || poll(&p, 1, (int)left) < 0) {
				if (errno != EINTR)
					return -1;
			}
			continue;
		}
		return -1;
	}
	return 0;
}

static int
send_line(struct sgw_kefud *k, struct pbuf *b)
{
	if (proto_put_end(b) < 0)
		return -1;
	return send_all(k->fd, b->data, b->len);
}

int
sgw_kefud_take_line(struct sgw_kefud *k, char *out, size_t outlen)
{
	char *nl;
	size_t n;

	if (k->in.len == 0)
		return 0;
	nl = memchr(k->in.data, '\n', k->in.len);
	if (nl == NULL)
		return k->in.len >= PROTO_LINE_MAX ? -1 : 0;
	n = (size_t)(nl - k->in.data);
	if (n > 0 && k->in.data[n - 1] == '\r')
		n--;
	if (n >= outlen)
		return -1;
	memcpy(out, k->in.data, n);
	out[n] = '\0';
	pbuf_consume(&k->in, (size_t)(nl - k->in.data) + 1);
	return 1;
}

static int
fill(struct sgw_kefud *k, long long deadline)
{
	char buf[4096];
	struct pollfd p = { .fd = k->fd, .events = POLLIN };
	long long left = deadline - sgw_now_ms();
	ssize_t r;

	if (left <= 0)
		return -1;
	if (poll(&p, 1, (int)left) <= 0)
		return errno == EINTR ? 0 : -1;
	r = recv(k->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (r <= 0)
		return -1;
	return pbuf_add(&k->in, buf, (size_t)r);
}

/*
 * Read lines until a final reply (OK/ERR, after an optional @tag). Event
 * and row lines before it are appended to skipped (if not NULL). On
 * return, line holds the reply without its tag.
 */
static int
read_reply(struct sgw_kefud *k, char *line, size_t linelen,
    struct pbuf *skipped)
{
	long long deadline = sgw_now_ms() + SGW_KEFUD_TIMEOUT_MS;

	for (;;) {
		int got = sgw_kefud_take_line(k, line, linelen);
		char *p = line;

		if (got < 0)
			return -1;
		if (got == 0) {
			if (fill(k, deadline) < 0)
				return -1;
			continue;
		}
		if (*p == '@') {
			p += strcspn(p, " ");
			p += strspn(p, " ");
		}
		if ((strncmp(p, "OK", 2) == 0 && (p[2] == '\0' || p[2] == ' ')) ||
		    (strncmp(p, "ERR", 3) == 0 && (p[3] == '\0' || p[3] == ' '))) {
			memmove(line, p, strlen(p) + 1);
			return 0;
		}
		if (skipped != NULL && (pbuf_adds(skipped, line) < 0 ||
		    pbuf_add(skipped, "\n", 1) < 0))
			return -1;
	}
}

/* Value of key=... in an OK line (before any " :text"), unescaped. */
static int
reply_value(const char *line, const char *key, char *out, size_t outlen)
{
	size_t klen = strlen(key);
	const char *p = line;

	while ((p = strchr(p, ' ')) != NULL) {
		size_t n;

		p++;
		if (*p == ':')
			break;
		if (strncmp(p, key, klen) != 0 || p[klen] != '=')
			continue;
		p += klen + 1;
		n = strcspn(p, " ");
		if (n >= outlen)
			return -1;
		memcpy(out, p, n);
		out[proto_unescape(out, n)] = '\0';
		return 0;
	}
	return -1;
}

static enum sgw_kres
classify(const char *line)
{
	if (strncmp(line, "OK", 2) == 0)
		return SGW_K_OK;
	if (strncmp(line, "ERR THROTTLE", 12) == 0)
		return SGW_K_THROTTLE;
	return SGW_K_DENIED;
}

static enum sgw_kres
request(struct sgw_kefud *k, struct pbuf *req, char *line, size_t linelen)
{
	if (k->fd < 0 || send_line(k, req) < 0 ||
	    read_reply(k, line, linelen, NULL) < 0)
		return SGW_K_IO;
	return classify(line);
}

enum sgw_kres
sgw_kefud_gateway(struct sgw_kefud *k, const char *path, const char *secret)
{
	char line[PROTO_LINE_MAX];
	struct pbuf b;
	enum sgw_kres r;

	if (sgw_kefud_connect(k, path) < 0) {
		sgw_log(SGW_ERROR, "cannot connect to kefud at %s: %s", path,
		    strerror(errno));
		return SGW_K_IO;
	}
	pbuf_init(&b);
	if (pbuf_adds(&b, "GATEWAY") < 0 ||
	    proto_put_text(&b, secret, strlen(secret)) < 0)
		r = SGW_K_IO;
	else
		r = request(k, &b, line, sizeof(line));
	pbuf_free(&b);
	if (r != SGW_K_OK) {
		sgw_log(SGW_ERROR, "kefud refused the gateway secret: %s",
		    r == SGW_K_IO ? "no answer" : line);
		sgw_kefud_close(k);
		return SGW_K_IO;
	}
	return SGW_K_OK;
}

/*
 * "VERB <name> addr=<addr>" into b: the name is always the first argument
 * and our peer's address always the second. Callers check the name with
 * proto_name_ok() first, so it can never look like an option (addr=...);
 * the address comes from inet_ntop() (or "unknown").
 */
static int
start_auth(struct pbuf *b, const char *verb, const char *name,
    const char *addr)
{
	if (pbuf_adds(b, verb) < 0 || proto_put_word(b, name) < 0)
		return -1;
	return proto_put_kv(b, "addr", addr);
}

static enum sgw_kres
auth_finish(struct sgw_kefud *k, struct pbuf *b, char *role, size_t rolelen)
{
	char line[PROTO_LINE_MAX];
	enum sgw_kres r = request(k, b, line, sizeof(line));

	if (r == SGW_K_OK && role != NULL && rolelen > 0 &&
	    reply_value(line, "role", role, rolelen) < 0)
		snprintf(role, rolelen, "?");
	if (r == SGW_K_DENIED)
		sgw_log(SGW_DEBUG, "kefud says: %.200s", line);
	return r;
}

enum sgw_kres
sgw_kefud_authpass(struct sgw_kefud *k, const char *name, const char *addr,
    const char *password, char *role, size_t rolelen)
{
	struct pbuf b;
	enum sgw_kres r = SGW_K_IO;

	if (!proto_name_ok(name))
		return SGW_K_DENIED;
	pbuf_init(&b);
	if (start_auth(&b, "AUTHPASS", name, addr) == 0 &&
	    proto_put_text(&b, password, strlen(password)) == 0)
		r = auth_finish(k, &b, role, rolelen);
	pbuf_free(&b);
	return r;
}

enum sgw_kres
sgw_kefud_authkey(struct sgw_kefud *k, const char *name, const char *addr,
    const char *keytype, const char *b64, char *role, size_t rolelen)
{
	struct pbuf b;
	enum sgw_kres r = SGW_K_IO;

	if (!proto_name_ok(name))
		return SGW_K_DENIED;
	pbuf_init(&b);
	if (start_auth(&b, "AUTHKEY", name, addr) == 0 &&
	    pbuf_printf(&b, " :%s %s", keytype, b64) == 0)
		r = auth_finish(k, &b, role, rolelen);
	pbuf_free(&b);
	return r;
}

enum sgw_kres
sgw_kefud_mkticket(struct sgw_kefud *k, const char *name, char **token)
{
	char line[PROTO_LINE_MAX], tok[512];
	struct pbuf b;
	enum sgw_kres r = SGW_K_IO;

	*token = NULL;
	pbuf_init(&b);
	if (pbuf_adds(&b, "MKTICKET ") == 0 &&
	    proto_escape(&b, name, strlen(name), 1) == 0)
		r = request(k, &b, line, sizeof(line));
	pbuf_free(&b);
	if (r != SGW_K_OK)
		sgw_log(SGW_ERROR, "kefud gave no ticket: %.200s",
		    r == SGW_K_IO ? "no answer" : line);
	else if (reply_value(line, "token", tok, sizeof(tok)) < 0 ||
	    (*token = strdup(tok)) == NULL) {
		sgw_log(SGW_ERROR, "kefud's ticket reply has no token: %.200s",
		    line);
		r = SGW_K_IO;
	}
	return r;
}

enum sgw_kres
sgw_kefud_ticket(struct sgw_kefud *k, const char *name, const char *token,
    char *errtext, size_t errlen)
{
	char line[PROTO_LINE_MAX];
	struct pbuf b, skipped;
	enum sgw_kres r = SGW_K_IO;

	pbuf_init(&b);
	pbuf_init(&skipped);
	if (pbuf_adds(&b, "TICKET ") == 0 &&
	    proto_escape(&b, name, strlen(name), 1) == 0 &&
	    pbuf_add(&b, " ", 1) == 0 &&
	    proto_escape(&b, token, strlen(token), 1) == 0 &&
	    send_line(k, &b) == 0 &&
	    read_reply(k, line, sizeof(line), &skipped) == 0)
		r = classify(line);
	if (r != SGW_K_OK && errtext != NULL && errlen > 0)
		snprintf(errtext, errlen, "%s",
		    r == SGW_K_IO ? "kefud did not answer" : line);
	/* put lines that came before the reply back in front of the rest */
	if (r == SGW_K_OK && skipped.len > 0 &&
	    (pbuf_add(&skipped, k->in.data, k->in.len) < 0 ||
	    (pbuf_consume(&k->in, k->in.len), 0) ||
	    pbuf_add(&k->in, skipped.data, skipped.len) < 0))
		r = SGW_K_IO;
	pbuf_free(&b);
	pbuf_free(&skipped);
	return r;
}
