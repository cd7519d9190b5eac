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

#include <stdarg.h>
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

/*
 * Records the verdict on one target for the table `make bench` prints at the
 * end (bench/run.sh): appends "name<TAB>figure<TAB>target<TAB>ok|MISSED" to
 * the file named by $BENCH_SUMMARY, when it is set. A missed target does not
 * stop a benchmark: every figure is measured and printed, and the exit status
 * of `make bench` says whether any was missed. Returns ok.
 */
__attribute__((format(printf, 4, 5)))
static inline int bench_target(const char *name, int ok, const char *target, const char *fmt, ...)
{
	const char *path = getenv("BENCH_SUMMARY");
	if (!path || !*path)
		return ok;
	char figure[128];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(figure, sizeof figure, fmt, ap);
	va_end(ap);
	FILE *f = fopen(path, "a");
	if (!f || fprintf(f, "%s\t%s\t%s\t%s\n", name, figure, target, ok ? "ok" : "MISSED") < 0 ||
	    fclose(f)) {
		perror(path);
		exit(1);
	}
	return ok;
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
	if (target > 0) {
		char t[32];
		snprintf(t, sizeof t, ">= %.0f M/s", target / 1e6);
		bench_target(name, rate >= target, t, "%.2f M %s/s", rate / 1e6, unit);
	}
}

/* Keeps the compiler from deleting a benchmark's work. */
static inline void bench_sink(uint64_t v)
{
	static volatile uint64_t sink;
	sink = sink + v;
}

#endif
