/*
 * Shared by the benchmarks in bench/: a monotonic clock, a median of several
 * timed runs, and one report format. Each figure is printed beside a baseline
 * measured in the same process and run, because this machine is shared and
 * noisy: the ratio means more than the absolute rate.
 *
 * A benchmark body is a function that does `iters` operations; the harness
 * runs it `runs` times (after one untimed warm-up) and keeps the median rate.
 */
#ifndef MMSIM_BENCH_H
#define MMSIM_BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define BENCH_RUNS 7

typedef void (*bench_fn)(void *arg, uint64_t iters);

static inline double bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median operations per second over `runs` timed runs of fn(arg, iters). */
static inline double bench_rate(bench_fn fn, void *arg, uint64_t iters, int runs)
{
	double rates[64];
	if (runs > 64)
		runs = 64;
	fn(arg, iters);                         /* warm-up: caches, page faults */
	for (int i = 0; i < runs; i++) {
		double t0 = bench_now();
		fn(arg, iters);
		double dt = bench_now() - t0;
		rates[i] = dt > 0 ? (double)iters / dt : 0;
	}
	qsort(rates, (size_t)runs, sizeof rates[0], bench_cmp_double);
	return rates[runs / 2];
}

/* One line: name, rate in millions of `unit` per second, the baseline and the
 * ratio, and the target if there is one (0: none). */
static inline void bench_report(const char *name, double rate, const char *unit,
				const char *baseline, double base_rate, double target)
{
	printf("%-44s %8.2f M %s/s", name, rate / 1e6, unit);
	if (baseline)
		printf("   baseline %-26s %8.2f M/s  ratio %.3f", baseline, base_rate / 1e6,
		       base_rate > 0 ? rate / base_rate : 0.0);
	if (target > 0)
		printf("   target %.0f M/s %s", target / 1e6, rate >= target ? "ok" : "MISSED");
	printf("   (median of %d)\n", BENCH_RUNS);
	fflush(stdout);
}

/* Keeps the compiler from deleting a benchmark's work. */
static inline void bench_sink(uint64_t v)
{
	static volatile uint64_t sink;
	sink = sink + v;
}

#endif
