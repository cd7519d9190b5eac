/*
 * memhog: the two programs tools/capture-pressure.sh runs inside the guest.
 * It is not part of mmsim (the Makefile builds only the .c files directly in tools/);
 * the capture script links it statically and puts it in the initramfs.
 *
 *   memhog hog MIB PASSES [CMD]
 *       Map MIB MiB of private anonymous memory and write one word in every
 *       4 KiB page, front to back, PASSES times. Between two passes (and
 *       after the last one) run CMD with the argument "after_passN" through
 *       /bin/sh and wait for it, so the caller can take a snapshot while the
 *       memory is still held. Each word is the page's index plus the pass
 *       number, so no page is all zeroes and a second pass really dirties.
 *       Prints each pass's start and end as guest uptime.
 *
 *   memhog sample MS DIR
 *       Until SIGTERM, every MS milliseconds of guest time, append one row
 *       to DIR/vmstat.tsv (every /proc/vmstat counter), DIR/meminfo.tsv
 *       (every /proc/meminfo line, in kB as printed) and DIR/buddyinfo.tsv
 *       (one row per zone: free blocks per order). The first column of each
 *       is /proc/uptime's first field, read just before the files, so a row
 *       says when it was taken in guest time (under QEMU TCG guest time is
 *       not host time). The header row comes from the first sample; the
 *       kernel prints the same names in the same order each time.
 *
 * Why C and not busybox sh: a shell loop forks a cat per file, which is slow
 * and, under heavy reclaim, stalls; one process that reads with read(2) into
 * a fixed buffer allocates nothing after start-up.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define PAGE 4096UL

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/* Read a whole /proc file into buf (NUL-terminated); -1 on failure. */
static long slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	size_t n = 0;

	if (fd < 0)
		return -1;
	for (;;) {
		ssize_t r = read(fd, buf + n, size - 1 - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		if (r == 0 || n + (size_t)r >= size - 1) {
			n += (size_t)r;
			break;
		}
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	return (long)n;
}

static double uptime(void)
{
	char b[128];

	if (slurp("/proc/uptime", b, sizeof b) < 0)
		return -1;
	return strtod(b, NULL);
}

static void die(const char *what)
{
	fprintf(stderr, "memhog: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void put(FILE *f, const char *name)
{
	if (ferror(f)) {
		fprintf(stderr, "memhog: write %s failed\n", name);
		exit(1);
	}
}

/*
 * One vmstat or meminfo sample as a row. Lines are "name value" (vmstat) or
 * "Name:   value kB" (meminfo); the header takes the names, the row the
 * first number after them.
 */
static void row(FILE *f, const char *name, char *text, double up, int header)
{
	char *line, *save = NULL;

	if (header) {
		fputs("uptime", f);
		for (char *t = text; *t; ) {
			char *e = strchr(t, '\n');
			size_t len = strcspn(t, " :\t\n");
			fputc('\t', f);
			fwrite(t, 1, len, f);
			if (!e)
				break;
			t = e + 1;
		}
		fputc('\n', f);
	}
	fprintf(f, "%.2f", up);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *v = line + strcspn(line, " :\t");
		v += strspn(v, " :\t");
		fputc('\t', f);
		fwrite(v, 1, strcspn(v, " \t"), f);
	}
	fputc('\n', f);
	fflush(f);
	put(f, name);
}

/* buddyinfo: "Node 0, zone      DMA      1      1 ..." -> up node zone o0.. */
static void buddy_rows(FILE *f, char *text, double up, int header)
{
	char *line, *save = NULL;

	if (header)
		fputs("uptime\tnode\tzone\to0\to1\to2\to3\to4\to5\to6\to7\to8\to9\to10\n", f);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		int node;
		char zone[32];
		int used;
		if (sscanf(line, "Node %d, zone %31s%n", &node, zone, &used) != 2)
			continue;
		fprintf(f, "%.2f\t%d\t%s", up, node, zone);
		for (char *p = line + used; ; ) {
			char *end;
			long v = strtol(p, &end, 10);
			if (end == p)
				break;
			fprintf(f, "\t%ld", v);
			p = end;
		}
		fputc('\n', f);
	}
	fflush(f);
	put(f, "buddyinfo.tsv");
}

static FILE *open_out(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		die(path);
	return f;
}

static int sample(long ms, const char *dir)
{
	static char buf[1 << 16];
	FILE *vm = open_out(dir, "vmstat.tsv");
	FILE *mi = open_out(dir, "meminfo.tsv");
	FILE *bi = open_out(dir, "buddyinfo.tsv");
	struct sigaction sa;
	struct timespec next;
	int first = 1;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (;;) {
		int last = stop;
		double up = uptime();

		if (slurp("/proc/vmstat", buf, sizeof buf) < 0)
			die("/proc/vmstat");
		row(vm, "vmstat.tsv", buf, up, first);
		if (slurp("/proc/meminfo", buf, sizeof buf) < 0)
			die("/proc/meminfo");
		row(mi, "meminfo.tsv", buf, up, first);
		if (slurp("/proc/buddyinfo", buf, sizeof buf) < 0)
			die("/proc/buddyinfo");
		buddy_rows(bi, buf, up, first);
		first = 0;
		if (last)
			break;
		/* Absolute deadlines, so a slow sample does not shift the rest. */
		next.tv_nsec += (ms % 1000) * 1000000L;
		next.tv_sec += ms / 1000 + next.tv_nsec / 1000000000L;
		next.tv_nsec %= 1000000000L;
		while (!stop && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME,
						&next, NULL) == EINTR)
			;
	}
	if (fclose(vm) || fclose(mi) || fclose(bi))
		die("close");
	return 0;
}

static void run_between(const char *cmd, int pass)
{
	char arg[32];
	char *argv[] = { "sh", "-c", NULL, "sh", arg, NULL };
	pid_t pid;
	int st;

	snprintf(arg, sizeof arg, "after_pass%d", pass);
	argv[2] = (char *)cmd;
	/* posix_spawn (vfork-like) so the big address space is not copied. */
	if (posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ))
		die("posix_spawn");
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
}

static int hog(unsigned long mib, int passes, const char *cmd)
{
	unsigned long pages = mib * (1024 * 1024 / PAGE);
	char *p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	printf("hog: %lu MiB, %lu pages, %d passes\n", mib, pages, passes);
	fflush(stdout);
	for (int pass = 1; pass <= passes; pass++) {
		double t0 = uptime(), t1;
		for (unsigned long i = 0; i < pages; i++)
			*(volatile unsigned long *)(p + i * PAGE) = i + (unsigned long)pass;
		t1 = uptime();
		printf("hog: pass %d start %.2f end %.2f (%.2f s guest time)\n",
		       pass, t0, t1, t1 - t0);
		fflush(stdout);
		if (cmd)
			run_between(cmd, pass);
	}
	if (munmap(p, pages * PAGE))
		die("munmap");
	printf("hog: done at %.2f\n", uptime());
	return fflush(stdout) ? 1 : 0;
}

static void usage(void)
{
	fputs("usage: memhog hog MIB PASSES [CMD] | memhog sample MS DIR\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "hog")) {
		char *e1, *e2;
		unsigned long mib = strtoul(argv[2], &e1, 10);
		long passes = strtol(argv[3], &e2, 10);
		if (*e1 || *e2 || !mib || passes < 1 || passes > 100)
			usage();
		return hog(mib, (int)passes, argc > 4 ? argv[4] : NULL);
	}
	if (argc == 4 && !strcmp(argv[1], "sample")) {
		char *e;
		long ms = strtol(argv[2], &e, 10);
		if (*e || ms < 10)
			usage();
		return sample(ms, argv[3]);
	}
	usage();
	return 2;
}
