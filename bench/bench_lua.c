/*
 * Allocator calls per second from Lua scenarios, against the same calls made
 * directly in C on the same machine, in the same run.
 *
 * Every figure is a whole scenario run through scenario_run, as `mmsim run`
 * does it (a Lua state, the x86_64 preset built and booted with the cost
 * model on, tasks as coroutines stepped by the run loop), minus the same
 * scenario doing no operations (boot and teardown), each the median of
 * BENCH_RUNS runs after a warm-up. A call is one alloc_pages or one
 * free_pages, however it is made:
 *   lua loop     t:alloc_pages + t:free_pages pairs from a Lua for loop
 *                (target 1 M calls/s);
 *   bulk         t:alloc_bulk(N) then t:free_bulk of the list, repeated,
 *                for N = 64 (about what the per-CPU lists hold) and
 *                N = 10000 (40 MiB held: 640 KiB of struct pages, past the
 *                simulated L2, so the cost model's own work dominates)
 *                (target 5 M calls/s);
 *   churn        t:churn{ops=N, live=1024}, orders 0..3 (target 5 M calls/s);
 * each with tracing off (no -o), and again with a trace written to a file
 * in a temporary directory (every event of the allocator on).
 *
 * The baselines: the same calls made by C loops (alloc_pages + __free_pages
 * pairs, the same bulk sizes, a churn of t:churn's shape) on the same preset
 * with the hardware model as the memory port and the cost model on, traced
 * to a file for the tracing figures; per call, so the ratio is the fraction
 * of C's speed that the Lua layer keeps. The C bulk of 10000 shows what the
 * simulated work itself costs when the working set leaves the simulated L2.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"
#include "hw/hw.h"
#include "lua/scenario.h"
#include "mm/mm.h"
#include "sim/trace.h"

#define PAIRS_C    (1000 * 1000)
#define CALLS      (2 * 1000 * 1000)
#define CALLS_TR   (400 * 1000)
#define BULK_MAX   10000

static char dir[64];
static int bulk_n;          /* the bulk size being measured */

/* A scenario doing `calls` allocator calls of one kind on the x86_64
 * preset (0: none, the boot-only run subtracted from each). */
static void write_scenario(const char *path, const char *kind, uint64_t calls)
{
	FILE *fp = fopen(path, "w");
	if (!fp) {
		perror(path);
		exit(1);
	}
	fprintf(fp, "local mmsim = require 'mmsim'\n"
		    "local m = mmsim.machine('x86_64')\n"
		    "m:boot{}\n"
		    "local calls = %llu\n"
		    "m:spawn{cpu = 0, fn = function(t)\n", (unsigned long long)calls);
	if (!strcmp(kind, "loop"))
		fputs("  for i = 1, calls // 2 do\n"
		      "    local p = t:alloc_pages('GFP_KERNEL', 0)\n"
		      "    t:free_pages(p, 0)\n"
		      "  end\n", fp);
	else if (!strcmp(kind, "bulk"))
		fprintf(fp, "  for i = 1, calls // (2 * %d) do\n"
			    "    t:free_bulk(t:alloc_bulk(%d, 'GFP_KERNEL', 0), 0)\n"
			    "  end\n", bulk_n, bulk_n);
	else
		/* ops calls, then up to 1024 frees of what is left (< 0.1 %,
		 * not counted). */
		fputs("  if calls > 0 then t:churn{ops = calls, live = 1024, orders = {1, 1, 1, 1}} end\n",
		      fp);
	fputs("end}\n"
	      "m:run()\n", fp);
	fclose(fp);
}

struct lua_case {
	char path[128], empty[128], trace[128];
	bool tracing;
};

static double run_once(const char *path, const char *out)
{
	struct scenario_opts o = { 0 };
	o.path = path;
	o.out = out;
	o.seed = 1;
	o.max_cycles = UINT64_MAX;
	o.max_instructions = SCENARIO_DEFAULT_MAX_INSTRUCTIONS;
	o.quiet = true;
	if (out)
		unlink(out);    /* dropping the last run's trace is not this run's work */
	double t0 = bench_now();
	if (scenario_run(&o) != 0) {
		fprintf(stderr, "bench_lua: %s failed\n", path);
		exit(1);
	}
	return bench_now() - t0;
}

static double median_time(const struct lua_case *c, const char *path)
{
	double t[BENCH_RUNS];
	run_once(path, c->tracing ? c->trace : NULL);
	for (int i = 0; i < BENCH_RUNS; i++)
		t[i] = run_once(path, c->tracing ? c->trace : NULL);
	qsort(t, BENCH_RUNS, sizeof t[0], bench_cmp_double);
	return t[BENCH_RUNS / 2];
}

/* Calls per second: the median of the scenario less the median of the
 * same scenario without operations. */
static double lua_rate(const char *kind, uint64_t calls, bool tracing)
{
	struct lua_case c;
	snprintf(c.path, sizeof c.path, "%s/%s.lua", dir, kind);
	snprintf(c.empty, sizeof c.empty, "%s/%s-empty.lua", dir, kind);
	snprintf(c.trace, sizeof c.trace, "%s/trace.jsonl", dir);
	c.tracing = tracing;
	write_scenario(c.path, kind, calls);
	write_scenario(c.empty, kind, 0);
	double t = median_time(&c, c.path), t0 = median_time(&c, c.empty);
	unlink(c.path);
	unlink(c.empty);
	unlink(c.trace);
	return t > t0 ? (double)calls / (t - t0) : 0;
}

/* ---- The C baseline ------------------------------------------------------ */

struct cctx {
	struct mm *mm;
	struct rng *rng;
	struct page *live[1024];
	uint8_t order[1024];
	unsigned nlive;
};

static void c_pairs(void *arg, uint64_t iters)
{
	struct cctx *c = arg;
	uint64_t sum = 0;
	for (uint64_t i = 0; i < iters; i++) {
		struct page *p = alloc_pages(c->mm, GFP_KERNEL, 0);
		if (!p)
			abort();
		sum += (uintptr_t)p;
		__free_pages(c->mm, p, 0);
	}
	bench_sink(sum);
}

/* alloc_bulk + free_bulk without Lua: bulk_n order-0 blocks, then each
 * freed in allocation order; iters counts calls. */
static void c_bulk(void *arg, uint64_t iters)
{
	struct cctx *c = arg;
	static struct page *list[BULK_MAX];
	for (uint64_t i = 0; i < iters; i += 2 * (uint64_t)bulk_n) {
		for (int k = 0; k < bulk_n; k++)
			if (!(list[k] = alloc_pages(c->mm, GFP_KERNEL, 0)))
				abort();
		for (int k = 0; k < bulk_n; k++)
			__free_pages(c->mm, list[k], 0);
	}
}

/* t:churn's loop without Lua: a coin decides alloc or free while between 0
 * and 1024 blocks are live; iters counts calls. */
static void c_churn(void *arg, uint64_t iters)
{
	struct cctx *c = arg;
	for (uint64_t i = 0; i < iters; i++) {
		if (c->nlive == 0 || (c->nlive < 1024 && rng_below(c->rng, 2) == 0)) {
			unsigned o = (unsigned)rng_below(c->rng, 4);
			struct page *p = alloc_pages(c->mm, GFP_KERNEL, o);
			if (p) {
				c->live[c->nlive] = p;
				c->order[c->nlive++] = (uint8_t)o;
			}
		} else {
			unsigned k = (unsigned)rng_below(c->rng, c->nlive);
			__free_pages(c->mm, c->live[k], c->order[k]);
			c->nlive--;
			c->live[k] = c->live[c->nlive];
			c->order[k] = c->order[c->nlive];
		}
	}
}

/* The C baselines on a freshly booted preset, tracing to trace_path if not
 * NULL: calls per second of pairs, bulk of 64, bulk of BULK_MAX, churn. */
static void c_baselines(const char *trace_path, uint64_t calls, double out[4])
{
	char err[256];
	struct hw_machine_desc d;
	if (hw_preset("x86_64", 0, 0, &d, err, sizeof err)) {
		fprintf(stderr, "bench_lua: %s\n", err);
		exit(1);
	}
	struct hw *hw = hw_create(&d, err, sizeof err);
	struct trace *tr = trace_path ? trace_open(trace_path, err, sizeof err) : NULL;
	if (!hw || (trace_path && !tr)) {
		fprintf(stderr, "bench_lua: %s\n", err);
		exit(1);
	}
	struct sim s;
	sim_init(&s, d.nr_cpus, 1);
	s.mem = hw_memport(hw);
	struct mm_policy p;
	mm_policy_default(&p);
	static struct cctx c;
	memset(&c, 0, sizeof c);
	c.mm = mm_boot(&s, &d, &p, tr, err, sizeof err);
	if (!c.mm) {
		fprintf(stderr, "bench_lua: %s\n", err);
		exit(1);
	}
	c.rng = &s.rng;
	mm_set_cpu(c.mm, 0);
	out[0] = 2 * bench_rate(c_pairs, &c, calls / 2, BENCH_RUNS);
	bulk_n = 64;
	out[1] = bench_rate(c_bulk, &c, calls, BENCH_RUNS);
	bulk_n = BULK_MAX;
	out[2] = bench_rate(c_bulk, &c, calls, BENCH_RUNS);
	out[3] = bench_rate(c_churn, &c, calls, BENCH_RUNS);
	sim_destroy(&s);
	mm_destroy(c.mm);
	hw_destroy(hw);
	if (tr)
		trace_close(tr);
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/mmsim-bench-lua-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("bench_lua: mkdtemp");
		return 1;
	}
	printf("bench_lua: allocator calls (alloc_pages or free_pages) per second from Lua "
	       "scenarios, x86_64 preset, cost model on\n");
	double base[4], base_tr[4];
	char path[128];
	snprintf(path, sizeof path, "%s/c-trace.jsonl", dir);
	c_baselines(NULL, 2 * PAIRS_C, base);
	c_baselines(path, CALLS_TR / 2, base_tr);
	unlink(path);

	bench_report("lua loop: alloc_pages+free_pages", lua_rate("loop", CALLS, false), "calls",
		     "C the same", base[0], 1e6);
	bulk_n = 64;
	bench_report("lua bulk of 64: alloc_bulk+free_bulk", lua_rate("bulk", CALLS, false), "calls",
		     "C the same", base[1], 5e6);
	bulk_n = BULK_MAX;
	bench_report("lua bulk of 10000: alloc_bulk+free_bulk", lua_rate("bulk", CALLS, false),
		     "calls", "C the same", base[2], 5e6);
	bench_report("lua churn (orders 0..3, 1024 live)", lua_rate("churn", CALLS, false), "calls",
		     "C the same", base[3], 5e6);
	bench_report("lua loop, tracing on", lua_rate("loop", CALLS_TR, true), "calls",
		     "C the same, tracing", base_tr[0], 0);
	bulk_n = 64;
	bench_report("lua bulk of 64, tracing on", lua_rate("bulk", CALLS_TR, true), "calls",
		     "C the same, tracing", base_tr[1], 0);
	bench_report("lua churn, tracing on", lua_rate("churn", CALLS_TR, true), "calls",
		     "C the same, tracing", base_tr[3], 0);
	rmdir(dir);
	return 0;
}
