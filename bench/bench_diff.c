/*
 * How fast `mmsim diff` and `mmsim report` read a trace, in MB of trace per
 * second per input, against the cheapest possible read of the same file:
 * read(2) into a 1 MiB buffer and count the newlines (memchr). The target is
 * 100 MB/s per input for diff (issue 6).
 *
 * The trace is a real one: mmsim runs a churn scenario (four tasks, a
 * million allocator operations, a snapshot every million cycles) into a
 * file under /tmp, about 120 MB, removed at the end. The file is read once
 * before timing, so every figure is from the page cache, baseline included.
 *
 * Figures:
 *   read+count        the baseline;
 *   trace_read        sim/trace_read alone with the per-event work diff does
 *                     (the flat scan, the event table, the cycle histogram);
 *   mmsim diff T T    the whole command, a child process, both inputs the
 *                     same file: bytes of one input / wall time;
 *   mmsim report T    the whole command on one input;
 *   mmsim export      --perfetto to /dev/null (reading and writing JSON).
 *
 * The mmsim binary is the one built beside this benchmark
 * (BUILD/bench/bench_diff -> BUILD/mmsim), or $MMSIM.
 */
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench.h"
#include "sim/stats.h"
#include "sim/trace_read.h"

#define TARGET 100e6

static const char scenario[] =
	"local mmsim = require \"mmsim\"\n"
	"local m = mmsim.machine{ preset = \"x86_64-numa2\" }\n"
	"m:boot{}\n"
	"for cpu = 0, m:ncpus() - 1 do\n"
	"  m:spawn{ cpu = cpu, name = \"churn\" .. cpu, fn = function(t)\n"
	"    t:churn{ ops = 250000, live = 256, orders = {0, 0, 0, 1, 3} }\n"
	"  end }\n"
	"end\n"
	"m:run()\n";

struct ctx {
	char mmsim[PATH_MAX];
	char trace[64];
	char *buf;
};

static void read_count(void *arg, uint64_t iters)
{
	struct ctx *c = arg;
	(void)iters;
	int fd = open(c->trace, O_RDONLY);
	uint64_t lines = 0;
	ssize_t n;
	while ((n = read(fd, c->buf, 1u << 20)) > 0)
		for (char *p = c->buf, *e = c->buf + n; (p = memchr(p, '\n', (size_t)(e - p))); p++)
			lines++;
	close(fd);
	bench_sink(lines);
}

static void reader(void *arg, uint64_t iters)
{
	struct ctx *c = arg;
	(void)iters;
	struct trace_reader r;
	static struct stats_hist h[8];
	uint64_t n = 0;
	if (trd_open(&r, c->trace)) {
		fprintf(stderr, "bench_diff: %s\n", r.err);
		exit(1);
	}
	for (enum trd_kind k; (k = trd_next(&r)) != TRD_EOF;) {
		if (k == TRD_ERROR) {
			fprintf(stderr, "bench_diff: %s\n", r.err);
			exit(1);
		}
		if (k == TRD_EVENT) {
			n++;
			if (r.ev.has_cycles)
				stats_hist_add(&h[r.ev.name.len & 7], r.ev.cycles);
		}
	}
	trd_close(&r);
	bench_sink(n);
}

/* Runs argv with stdout on /dev/null; exits on failure (status > 1). */
static void run(char *const argv[])
{
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	int st;
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) > 1) {
		fprintf(stderr, "bench_diff: %s %s failed (status %d)\n", argv[0], argv[1], st);
		exit(1);
	}
}

static void cmd_diff(void *arg, uint64_t iters)
{
	struct ctx *c = arg;
	(void)iters;
	char *argv[] = {c->mmsim, "diff", c->trace, c->trace, NULL};
	run(argv);
}

static void cmd_export(void *arg, uint64_t iters)
{
	struct ctx *c = arg;
	(void)iters;
	char *argv[] = {c->mmsim, "export", "--perfetto", c->trace, "-o", "/dev/null", NULL};
	run(argv);
}

static void cmd_report(void *arg, uint64_t iters)
{
	struct ctx *c = arg;
	(void)iters;
	char *argv[] = {c->mmsim, "report", c->trace, NULL};
	run(argv);
}

int main(int argc, char **argv)
{
	static struct ctx c;
	(void)argc;
	const char *env = getenv("MMSIM");
	if (env) {
		snprintf(c.mmsim, sizeof c.mmsim, "%s", env);
	} else {
		char self[PATH_MAX];
		snprintf(self, sizeof self, "%s", argv[0]);
		snprintf(c.mmsim, sizeof c.mmsim, "%s/../mmsim", dirname(self));
	}
	if (access(c.mmsim, X_OK)) {
		fprintf(stderr, "bench_diff: no mmsim at %s (set MMSIM)\n", c.mmsim);
		return 1;
	}
	char lua[64];
	snprintf(lua, sizeof lua, "/tmp/mmsim-bench-diff-%d.lua", (int)getpid());
	snprintf(c.trace, sizeof c.trace, "/tmp/mmsim-bench-diff-%d.jsonl", (int)getpid());
	FILE *f = fopen(lua, "w");
	if (!f || fputs(scenario, f) < 0 || fclose(f)) {
		fprintf(stderr, "bench_diff: cannot write %s\n", lua);
		return 1;
	}
	char *gen[] = {c.mmsim, "run", lua, "--quiet", "--snapshot-every", "1000000", "-o",
		       c.trace, NULL};
	run(gen);
	unlink(lua);
	struct stat st;
	stat(c.trace, &st);
	uint64_t bytes = (uint64_t)st.st_size;
	c.buf = malloc(1u << 20);
	printf("bench_diff: a trace of %.1f MB (churn, 4 tasks x 250000 operations)\n",
	       (double)bytes / 1e6);

	double base = bench_rate(read_count, &c, bytes, BENCH_RUNS);
	bench_report("read + count newlines", base, "B", NULL, 0, 0);
	double rd = bench_rate(reader, &c, bytes, BENCH_RUNS);
	bench_report("trace_read (scan, event table, histogram)", rd, "B", "read+count", base, 0);
	double df = bench_rate(cmd_diff, &c, bytes, BENCH_RUNS);
	bench_report("mmsim diff T T, per input", df, "B", "read+count", base, TARGET);
	double rp = bench_rate(cmd_report, &c, bytes, BENCH_RUNS);
	bench_report("mmsim report T", rp, "B", "read+count", base, 0);
	double ex = bench_rate(cmd_export, &c, bytes, BENCH_RUNS);
	bench_report("mmsim export --perfetto T -o /dev/null", ex, "B", "read+count", base, 0);

	unlink(c.trace);
	free(c.buf);
	return 0;
}
