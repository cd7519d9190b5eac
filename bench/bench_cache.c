/*
 * Speed of the cache model: hw_access on an L1-resident working set (target
 * 30 M accesses/s) and on one that misses the LLC, each beside a plain host
 * loop over the same addresses, so the ratio shows the model's overhead.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench/bench.h"
#include "hw/hw.h"

#define NADDR (1u << 20)   /* addresses per pass: a power of two */

struct work {
	struct hw *hw;
	uint64_t *addr;      /* NADDR physical addresses */
	uint32_t *host;      /* baseline: a host array indexed like addr */
	uint64_t span;       /* bytes the addresses spread over */
};

static void run_model(void *arg, uint64_t iters)
{
	struct work *w = arg;
	uint64_t sum = 0;
	for (uint64_t i = 0; i < iters; i++)
		sum += hw_access(w->hw, 0, w->addr[i & (NADDR - 1)], 8, (i & 7) == 0);
	bench_sink(sum);
}

static void run_base(void *arg, uint64_t iters)
{
	struct work *w = arg;
	uint64_t sum = 0;
	for (uint64_t i = 0; i < iters; i++) {
		uint64_t a = w->addr[i & (NADDR - 1)] - w->addr[0];
		sum += w->host[(a % w->span) >> 2];
		if ((i & 7) == 0)
			w->host[(a % w->span) >> 2]++;
	}
	bench_sink(sum);
}

static void fill(struct work *w, uint64_t base, uint64_t span, int random)
{
	uint64_t x = 88172645463325252u;
	for (uint32_t i = 0; i < NADDR; i++) {
		if (random) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			w->addr[i] = base + (x % span) / 64 * 64;
		} else {
			w->addr[i] = base + (uint64_t)i * 64 % span;
		}
	}
	w->span = span;
	free(w->host);
	w->host = calloc(span / 4 + 1, 4);
}

int main(void)
{
	struct hw_machine_desc d;
	char err[256];
	if (hw_preset("x86_64", 0, 0, &d, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	struct work w = { .hw = hw_create(&d, err, sizeof err) };
	if (!w.hw) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	w.addr = calloc(NADDR, sizeof w.addr[0]);

	/* 16 KiB of lines at 1 MiB: half of L1d, so every access hits after warm-up. */
	fill(&w, 1u << 20, 16 * 1024, 0);
	double base = bench_rate(run_base, &w, 20000000, BENCH_RUNS);
	double rate = bench_rate(run_model, &w, 20000000, BENCH_RUNS);
	bench_report("hw_access L1-resident (16 KiB, 1/8 writes)", rate, "acc", "host array loop", base,
		     30e6);

	/* 2^20 random lines over 64 MiB: four times the LLC, so most go to DRAM
	 * (and the host baseline misses its own caches too). */
	fill(&w, 64u << 20, 64u << 20, 1);
	base = bench_rate(run_base, &w, 5000000, BENCH_RUNS);
	rate = bench_rate(run_model, &w, 5000000, BENCH_RUNS);
	bench_report("hw_access LLC-missing (64 MiB random)", rate, "acc", "host array loop", base, 0);

	hw_set_cost_model(w.hw, false);
	rate = bench_rate(run_model, &w, 20000000, BENCH_RUNS);
	bench_report("hw_access cost model off", rate, "acc", NULL, 0, 0);

	hw_destroy(w.hw);
	free(w.addr);
	free(w.host);
	return 0;
}
