/*
 * replay.c - runs a fuzz target's seed corpus as an ordinary TAP test, so
 * every `make check` (gcc, no libFuzzer) exercises the harness code and the
 * inputs that once mattered.
 *
 * Linked with one fuzz_*.c file; REPLAY_CORPUS names its corpus directory
 * relative to $top_srcdir. Directories given on the command line are used
 * instead. Each input runs in a forked child, so an input that trips an
 * invariant (abort) or a sanitizer shows up as one "not ok" line naming the
 * file instead of ending the test. A few synthetic inputs (empty, every byte
 * value, a long run without newline) are run too.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"
#include "../tap.h"

#ifndef REPLAY_CORPUS
#error "define REPLAY_CORPUS, e.g. -DREPLAY_CORPUS='\"tests/fuzz/corpus/proto\"'"
#endif

/* Run one input in a child; 1 if it returned normally. */
static int
run_input(const uint8_t *data, size_t size)
{
	pid_t pid;
	int st;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return 0;
	if (pid == 0) {
		LLVMFuzzerTestOneInput(data, size);
		exit(0);	/* exit, not _exit: let LeakSanitizer run */
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 0;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static uint8_t *
read_all(const char *path, size_t *size)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (fp == NULL)
		return NULL;
	do {
		if (cap - len < 4096) {
			uint8_t *p = realloc(buf, cap + 65536);

			if (p == NULL) {
				free(buf);
				fclose(fp);
				return NULL;
			}
			buf = p;
			cap += 65536;
		}
		n = fread(buf + len, 1, cap - len, fp);
		len += n;
	} while (n > 0);
	if (ferror(fp)) {
		free(buf);
		fclose(fp);
		return NULL;
	}
	fclose(fp);
	*size = len;
	return buf;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
replay_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;

	ok(d != NULL, "corpus directory %s opens", dir);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **p = realloc(names, (cap + 64) * sizeof(*names));

			if (p == NULL)
				break;
			names = p;
			cap += 64;
		}
		names[n] = strdup(de->d_name);
		if (names[n] != NULL)
			n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), by_name);
	ok(n > 0, "corpus %s holds %zu inputs", dir, n);
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		uint8_t *data;
		size_t size = 0;
		struct stat sb;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
			free(names[i]);
			continue;
		}
		data = read_all(path, &size);
		ok(data != NULL && run_input(data, size), "input %s (%zu bytes)", names[i], size);
		free(data);
		free(names[i]);
	}
	free(names);
}

static void
replay_synthetic(void)
{
	static uint8_t buf[70000];

	ok(run_input(buf, 0), "synthetic: empty input");
	for (size_t i = 0; i < 256; i++)
		buf[i] = (uint8_t)i;
	ok(run_input(buf, 256), "synthetic: every byte value once");
	memset(buf, 'x', sizeof(buf));
	ok(run_input(buf, sizeof(buf)), "synthetic: %zu bytes without a newline", sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = "a \\:\n\r\t@"[i % 8];
	ok(run_input(buf, sizeof(buf)), "synthetic: %zu bytes of separators and escapes", sizeof(buf));
}

int
main(int argc, char **argv)
{
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			replay_dir(argv[i]);
	} else {
		const char *top = getenv("top_srcdir");
		char dir[4096];

		snprintf(dir, sizeof(dir), "%s/%s", top && *top ? top : ".", REPLAY_CORPUS);
		replay_dir(dir);
	}
	replay_synthetic();
	return tap_done();
}
