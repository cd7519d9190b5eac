/*
 * Speed of `mmsim cache`'s path: a din file read and parsed (hw/addrtrace.c)
 * and run through one cache level (target 50 M references/s, parsing
 * included) and through the default three levels, each beside a baseline
 * that reads and parses the same file and does nothing else, so the ratio is
 * the cost of the cache model over the reader.
 *
 * The trace is written to a temporary file first: 1/8 writes, 1/8
 * instruction fetches, 3 in 4 references to a hot 16 KiB region and the
 * rest spread over 64 MiB, so every level has work.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"
#include "hw/addrtrace.h"
#include "hw/cachesim.h"

#define NREFS (4u << 20)
#define BATCH 4096

struct work {
	const char *path;
	struct csim_config cfg;
	int simulate;
	struct atrace_ref batch[BATCH];
};

static void run(void *arg, uint64_t iters)
{
	struct work *w = arg;
	int fd = open(w->path, O_RDONLY);
	if (fd < 0) {
		perror(w->path);
		exit(1);
	}
	struct atrace *t = atrace_open_fd(fd, w->path, ATRACE_DIN);
	struct csim *s = w->simulate ? csim_create(&w->cfg) : NULL;
	uint64_t sum = 0, count = 0;
	long n;
	while ((n = atrace_read(t, w->batch, BATCH)) > 0) {
		if (s) {
			csim_run(s, w->batch, (size_t)n);
		} else {
			for (long i = 0; i < n; i++)
				sum += w->batch[i].addr + w->batch[i].type;
		}
		count += (uint64_t)n;
	}
	if (n < 0 || count != iters) {
		fprintf(stderr, "bench_cachesim: %s (%llu refs)\n", n < 0 ? atrace_error(t) : "short",
			(unsigned long long)count);
		exit(1);
	}
	if (s)
		sum += csim_stats(s, CSIM_L1D)->miss[ATRACE_READ];
	bench_sink(sum);
	csim_destroy(s);
	atrace_close(t);
	close(fd);
}

static int write_trace(char *path)
{
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	FILE *f = fdopen(fd, "w");
	uint64_t x = 88172645463325252u;
	for (uint32_t i = 0; i < NREFS; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		unsigned label = (x & 7) == 0 ? 1 : (x & 7) == 1 ? 2 : 0;
		uint64_t a = (x >> 8) & 3 ? 0x7f0000000000u + (x >> 20) % 16384
					  : 0x7f1000000000u + (x >> 20) % (64u << 20);
		fprintf(f, "%u %llx\n", label, (unsigned long long)a);
	}
	return fclose(f);
}

int main(void)
{
	char path[] = "/tmp/mmsim-bench-XXXXXX";
	if (write_trace(path)) {
		perror("bench_cachesim: trace file");
		return 1;
	}
	static struct work w;
	w.path = path;

	double base = bench_rate(run, &w, NREFS, BENCH_RUNS);
	csim_config_default(&w.cfg);
	w.cfg.level[CSIM_L2].present = false;
	w.cfg.level[CSIM_LLC].present = false;
	w.simulate = 1;
	double one = bench_rate(run, &w, NREFS, BENCH_RUNS);
	bench_report("din file -> L1d 32K:8:64", one, "refs", "read+parse only", base, 50e6);

	w.simulate = 0;
	base = bench_rate(run, &w, NREFS, BENCH_RUNS);
	csim_config_default(&w.cfg);
	w.simulate = 1;
	double three = bench_rate(run, &w, NREFS, BENCH_RUNS);
	bench_report("din file -> L1d + L2 + LLC (defaults)", three, "refs", "read+parse only", base,
		     0);
	unlink(path);
	return 0;
}
