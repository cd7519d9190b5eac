/*
 * The fuzz targets without libFuzzer: the normal test run (`make test`)
 * replays every committed input through the same entry points, so a
 * crasher found once stays a test for good.
 *
 *   fuzz_replay                  every target over tests/fuzz/NAME/ (the
 *                                seeds) and tests/fuzz/regress/NAME/ (inputs
 *                                that once broke something), each input in a
 *                                child process of its own; ends with the
 *                                suite's "N passed, N failed"
 *   fuzz_replay NAME FILE...     the given inputs through target NAME, in
 *                                this process (to debug one under gdb)
 *
 * Paths are relative to the repository's root, where make runs it. An
 * input passes when its child exits 0; a crash, an abort (a broken
 * property: FUZZ_CHECK) or a sanitizer report fails it, and its stderr is
 * shown.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/fuzz/fuzz.h"

#define FUZZ_TARGET(name) int fuzz_one_##name(const uint8_t *data, size_t size);
#include "fuzz_targets.inc"
#undef FUZZ_TARGET

static const struct target {
	const char *name;
	int (*one)(const uint8_t *data, size_t size);
} targets[] = {
#define FUZZ_TARGET(name) { #name, fuzz_one_##name },
#include "fuzz_targets.inc"
#undef FUZZ_TARGET
};
#define NR_TARGETS (sizeof targets / sizeof targets[0])

/* Seconds one input may take before it counts as hung: a safety net far
 * above what any input needs, never a measurement. */
#define HANG_SECONDS 300

static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	uint8_t *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap)
			buf = realloc(buf, cap *= 2);
	}
	fclose(f);
	*size = n;
	return buf;
}

static int run_one(const struct target *t, const char *path)
{
	size_t size;
	uint8_t *data = read_file(path, &size);
	if (!data) {
		fprintf(stderr, "fuzz_replay: %s: cannot read: %s\n", path, strerror(errno));
		return 1;
	}
	t->one(data, size);
	free(data);
	return 0;
}

/* Runs path in a child; returns 1 when it passed. */
static int replay(const struct target *t, const char *path)
{
	char errpath[] = "/tmp/mmsim-replay.XXXXXX";
	int errfd = mkstemp(errpath);
	if (errfd < 0) {
		perror("fuzz_replay: mkstemp");
		return 0;
	}
	unlink(errpath);
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fuzz_replay: fork");
		return 0;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(errfd, 2);
		alarm(HANG_SECONDS);
		exit(run_one(t, path));
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	int ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
	if (!ok) {
		if (WIFSIGNALED(st))
			printf("FAIL: fuzz %s: %s: killed by signal %d\n", t->name, path, WTERMSIG(st));
		else
			printf("FAIL: fuzz %s: %s: exit %d\n", t->name, path, WEXITSTATUS(st));
		fflush(stdout);
		lseek(errfd, 0, SEEK_SET);
		char buf[4096];
		ssize_t n;
		size_t shown = 0;
		while ((n = read(errfd, buf, sizeof buf)) > 0 && shown < 65536) {
			fwrite(buf, 1, (size_t)n, stdout);
			shown += (size_t)n;
		}
	}
	close(errfd);
	return ok;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Every regular file of dir, in name order. Returns how many; counts them
 * into *passed and *failed. */
static int replay_dir(const struct target *t, const char *dir, int *passed, int *failed)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, by_name);
	if (n < 0)
		return 0;
	int files = 0;
	for (int i = 0; i < n; i++) {
		char path[4096];
		struct stat st;
		snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
		if (names[i]->d_name[0] != '.' && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			files++;
			if (replay(t, path))
				++*passed;
			else
				++*failed;
		}
		free(names[i]);
	}
	free(names);
	return files;
}

int main(int argc, char **argv)
{
	if (argc >= 2) {
		for (size_t i = 0; i < NR_TARGETS; i++)
			if (!strcmp(argv[1], targets[i].name)) {
				for (int k = 2; k < argc; k++) {
					fprintf(stderr, "fuzz_replay: %s %s\n", argv[1], argv[k]);
					if (run_one(&targets[i], argv[k]))
						return 1;
				}
				return 0;
			}
		fprintf(stderr, "fuzz_replay: no target '%s' (known:", argv[1]);
		for (size_t i = 0; i < NR_TARGETS; i++)
			fprintf(stderr, " %s", targets[i].name);
		fprintf(stderr, ")\n");
		return 2;
	}
	int passed = 0, failed = 0;
	for (size_t i = 0; i < NR_TARGETS; i++) {
		char dir[256];
		snprintf(dir, sizeof dir, "tests/fuzz/%s", targets[i].name);
		int seeds = replay_dir(&targets[i], dir, &passed, &failed);
		snprintf(dir, sizeof dir, "tests/fuzz/regress/%s", targets[i].name);
		int regress = replay_dir(&targets[i], dir, &passed, &failed);
		printf("fuzz %s: %d seeds, %d regression inputs\n", targets[i].name, seeds, regress);
		if (seeds == 0) {
			printf("FAIL: fuzz %s: no seeds in tests/fuzz/%s\n", targets[i].name, targets[i].name);
			failed++;
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
