/*
 * sshgw_hostkey.c - the gateway's SSH host key. On first start there is
 * none: we make an Ed25519 key (small, fast, what OpenSSH prefers) and save
 * it with mode 0600, so the fingerprint stays the same across restarts and
 * agents are asked to trust it only once. Its SHA256 fingerprint goes to
 * the log, for an admin to hand out.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sshgw.h"

/* mkdir -p for the directory part of path (mode 0700 for new ones). */
static int
make_parent_dirs(const char *path)
{
	char *dir = strdup(path);
	char *p;
	int rc = 0;

	if (dir == NULL)
		return -1;
	p = strrchr(dir, '/');
	if (p == NULL || p == dir) {
		free(dir);
		return 0;
	}
	*p = '\0';
	for (p = dir + 1; rc == 0; p++) {
		char saved = *p;

		if (saved != '/' && saved != '\0')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			sgw_log(SGW_ERROR, "cannot create directory %s: %s",
			    dir, strerror(errno));
			rc = -1;
		}
		*p = saved;
		if (saved == '\0')
			break;
	}
	free(dir);
	return rc;
}

static int
write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Write the key in OpenSSH format to path, atomically, mode 0600. */
static int
save_key(ssh_key key, const char *path)
{
	char *b64 = NULL, *tmp = NULL;
	int fd = -1, rc = -1;

	if (ssh_pki_export_privkey_base64(key, NULL, NULL, NULL, &b64) != SSH_OK) {
		sgw_log(SGW_ERROR, "cannot encode the new host key");
		return -1;
	}
	if (asprintf(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0) {
		tmp = NULL;
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		sgw_log(SGW_ERROR, "cannot create %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (write_all(fd, b64, strlen(b64)) < 0 ||
	    (b64[0] != '\0' && b64[strlen(b64) - 1] != '\n' &&
	    write_all(fd, "\n", 1) < 0) || fsync(fd) < 0) {
		sgw_log(SGW_ERROR, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		sgw_log(SGW_ERROR, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		sgw_log(SGW_ERROR, "cannot rename %s to %s: %s", tmp, path,
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0 && tmp != NULL)
		unlink(tmp);
	free(tmp);
	ssh_string_free_char(b64);
	return rc;
}

static ssh_key
create_key(const char *path)
{
	ssh_key key = NULL;

	if (make_parent_dirs(path) < 0)
		return NULL;
	if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &key) != SSH_OK) {
		sgw_log(SGW_ERROR, "cannot generate an Ed25519 host key");
		return NULL;
	}
	if (save_key(key, path) < 0) {
		ssh_key_free(key);
		return NULL;
	}
	sgw_log(SGW_INFO, "created a new Ed25519 host key in %s", path);
	return key;
}

static void
log_fingerprint(ssh_key key, const char *path)
{
	unsigned char *hash = NULL;
	size_t hlen = 0;
	char *fp;

	if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash,
	    &hlen) != SSH_OK) {
		sgw_log(SGW_WARN, "cannot compute the host key fingerprint");
		return;
	}
	fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
	ssh_clean_pubkey_hash(&hash);
	if (fp == NULL) {
		sgw_log(SGW_WARN, "cannot format the host key fingerprint");
		return;
	}
	sgw_log(SGW_INFO, "host key %s (%s) fingerprint %s", path,
	    ssh_key_type_to_char(ssh_key_type(key)), fp);
	ssh_string_free_char(fp);
}

ssh_key
sgw_hostkey_load(const char *path)
{
	struct stat st;
	ssh_key key = NULL;

	if (stat(path, &st) < 0) {
		if (errno != ENOENT) {
			sgw_log(SGW_ERROR, "host key %s: %s", path,
			    strerror(errno));
			return NULL;
		}
		key = create_key(path);
	} else {
		if ((st.st_mode & 077) != 0)
			sgw_log(SGW_WARN, "host key %s is readable by others "
			    "(mode %03o); chmod 600 it", path,
			    (unsigned)(st.st_mode & 0777));
		if (ssh_pki_import_privkey_file(path, NULL, NULL, NULL,
		    &key) != SSH_OK) {
			sgw_log(SGW_ERROR, "cannot load the host key %s (not "
			    "an unencrypted private key?)", path);
			return NULL;
		}
	}
	if (key != NULL)
		log_fingerprint(key, path);
	return key;
}
