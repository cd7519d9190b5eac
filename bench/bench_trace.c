/*
 * The trace writer's throughput: event lines per second written to a file,
 * for a typical page-allocator event
 *
 *   {"ev":"mm_page_alloc","t":...,"cpu":3,"task":"task-3","pfn":...,
 *    "order":...,"gfp":"GFP_KERNEL","addr":"0x...","cycles":...}
 *
 * against the same line written with fprintf into the same kind of file (a
 * fresh file under /tmp, on the same file system), in the same run. Each
 * timed run opens the file (truncating it), writes the lines and closes it,
 * so the final flush and close are paid for. Before timing, both writers
 * produce a file and the two must be byte-identical: the comparison is of
 * equal work. The files are removed at the end.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"
#include "sim/trace.h"

#define LINES  (500 * 1000)
#define TARGET 3e6

static const char *const gfps[4] = {"GFP_KERNEL", "GFP_ATOMIC", "GFP_USER", "GFP_NOWAIT"};

struct ctx {
	char path[64];
};

/* The values of line i: varied so the digit counts vary as in a real run. */
static inline void line_values(uint64_t i, uint64_t *t, int *cpu, uint64_t *pfn,
			       uint64_t *order, const char **gfp, uint64_t *cycles)
{
	*t = 1000000 + i * 37;
	*cpu = (int)(i & 7);
	*pfn = (i * 2654435761u) & 0xffffff;
	*order = i % 11;
	*gfp = gfps[i & 3];
	*cycles = 40 + (i * 7919) % 5000;
}

static void run_trace(void *arg, uint64_t iters)
{
	struct ctx *c = arg;
	char err[256];
	struct trace *tr = trace_open(c->path, err, sizeof err);
	if (!tr) {
		fprintf(stderr, "bench_trace: %s\n", err);
		exit(1);
	}
	int id = trace_event_id(tr, "mm_page_alloc");
	for (uint64_t i = 0; i < iters; i++) {
		uint64_t t, pfn, order, cycles;
		int cpu;
		const char *gfp;
		line_values(i, &t, &cpu, &pfn, &order, &gfp, &cycles);
		if (trace_enabled(tr, id)) {
			trace_begin(tr, id, t, cpu, "task-3");
			trace_u64(tr, "pfn", pfn);
			trace_u64(tr, "order", order);
			trace_str(tr, "gfp", gfp);
			trace_hex(tr, "addr", pfn << 12);
			trace_u64(tr, "cycles", cycles);
			trace_end(tr);
		}
	}
	if (trace_close_err(tr, err, sizeof err) != 0) {
		fprintf(stderr, "bench_trace: %s\n", err);
		exit(1);
	}
}

static void run_fprintf(void *arg, uint64_t iters)
{
	struct ctx *c = arg;
	FILE *fp = fopen(c->path, "w");
	if (!fp) {
		perror(c->path);
		exit(1);
	}
	for (uint64_t i = 0; i < iters; i++) {
		uint64_t t, pfn, order, cycles;
		int cpu;
		const char *gfp;
		line_values(i, &t, &cpu, &pfn, &order, &gfp, &cycles);
		fprintf(fp,
			"{\"ev\":\"%s\",\"t\":%" PRIu64 ",\"cpu\":%d,\"task\":\"%s\",\"pfn\":%" PRIu64
			",\"order\":%" PRIu64 ",\"gfp\":\"%s\",\"addr\":\"0x%" PRIx64
			"\",\"cycles\":%" PRIu64 "}\n",
			"mm_page_alloc", t, cpu, "task-3", pfn, order, gfp, pfn << 12, cycles);
	}
	if (fclose(fp) != 0) {
		perror(c->path);
		exit(1);
	}
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		perror(path);
		exit(1);
	}
	fseek(fp, 0, SEEK_END);
	long n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		fprintf(stderr, "bench_trace: cannot read %s\n", path);
		exit(1);
	}
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

static void make_path(struct ctx *c)
{
	snprintf(c->path, sizeof c->path, "/tmp/mmsim-bench-trace-XXXXXX");
	int fd = mkstemp(c->path);
	if (fd < 0) {
		perror("mkstemp");
		exit(1);
	}
	close(fd);
}

int main(void)
{
	struct ctx ct, cf;
	make_path(&ct);
	make_path(&cf);

	/* Equal work: the two files must be the same bytes. */
	run_trace(&ct, 20000);
	run_fprintf(&cf, 20000);
	size_t lt, lf;
	char *a = slurp(ct.path, &lt), *b = slurp(cf.path, &lf);
	if (lt != lf || memcmp(a, b, lt) != 0) {
		fprintf(stderr, "bench_trace: trace and fprintf outputs differ\n");
		unlink(ct.path);
		unlink(cf.path);
		return 1;
	}
	free(a);
	free(b);

	double base = bench_rate(run_fprintf, &cf, LINES, BENCH_RUNS);
	double rate = bench_rate(run_trace, &ct, LINES, BENCH_RUNS);
	bench_report("trace: event lines to a file", rate, "lines", "fprintf", base, TARGET);

	unlink(ct.path);
	unlink(cf.path);
	return 0;
}
