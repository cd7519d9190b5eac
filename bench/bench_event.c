/*
 * The event queue in steady state: 1,000 pending events; each operation pops
 * the earliest and pushes it again at its time plus a delta taken from a
 * precomputed table (so the RNG is not timed). Reported as push+pop pairs per
 * second; target 20 M/s.
 *
 * Baseline, measured in the same run on the same delta table: a textbook
 * binary min-heap of bare uint64_t times (inline, pop = move the last key to
 * the root and sift down, push = sift up). It has no event pointers, no
 * back-pointers, no priority or FIFO tie-break, so it is close to the least
 * any heap can do for this access pattern: the ratio is what ev_queue's
 * extras (and its 4-ary layout) cost or save against that floor.
 *
 * A second line times ev_reschedule of the head in place (one sift instead
 * of a pop and a push), the pattern a self-rescheduling event can use.
 */
#include "bench/bench.h"
#include "sim/event.h"
#include "sim/rng.h"

#define PENDING 1000
#define TABLE 4096              /* power of two */
#define ITERS 4000000
#define TARGET 20e6

static uint32_t deltas[TABLE];

/* ---- ev_queue ---- */

struct evq_bench {
	struct ev_queue q;
	struct sim_event ev[PENDING];
	uint32_t t;             /* position in the delta table */
};

static void nop(struct sim *s, struct sim_event *ev)
{
}

static void evq_setup(struct evq_bench *b)
{
	ev_queue_init(&b->q);
	for (int i = 0; i < PENDING; i++) {
		sim_event_init(&b->ev[i], nop, SIM_PRIO_DEFAULT, -1);
		ev_push(&b->q, &b->ev[i], deltas[i % TABLE]);
	}
	b->t = 0;
}

static void evq_pop_push(void *arg, uint64_t iters)
{
	struct evq_bench *b = arg;
	uint64_t sum = 0;
	uint32_t t = b->t;
	for (uint64_t i = 0; i < iters; i++) {
		struct sim_event *ev = ev_pop(&b->q);
		cycle_t now = ev->when;
		sum += now;
		ev_push(&b->q, ev, now + deltas[t++ & (TABLE - 1)]);
	}
	b->t = t;
	bench_sink(sum);
}

static void evq_reschedule_head(void *arg, uint64_t iters)
{
	struct evq_bench *b = arg;
	uint64_t sum = 0;
	uint32_t t = b->t;
	for (uint64_t i = 0; i < iters; i++) {
		struct sim_event *ev = ev_peek(&b->q);
		cycle_t now = ev->when;
		sum += now;
		ev_reschedule(&b->q, ev, now + deltas[t++ & (TABLE - 1)]);
	}
	b->t = t;
	bench_sink(sum);
}

/* ---- Baseline: binary heap of bare keys ---- */

struct bin_bench {
	uint64_t h[PENDING];
	uint32_t n;
	uint32_t t;
};

static inline void bin_push(struct bin_bench *b, uint64_t k)
{
	uint32_t i = b->n++;
	while (i > 0) {
		uint32_t p = (i - 1) / 2;
		if (b->h[p] <= k)
			break;
		b->h[i] = b->h[p];
		i = p;
	}
	b->h[i] = k;
}

static inline uint64_t bin_pop(struct bin_bench *b)
{
	uint64_t top = b->h[0];
	uint64_t x = b->h[--b->n];
	uint32_t n = b->n, i = 0;
	for (;;) {
		uint32_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && b->h[c + 1] < b->h[c])
			c++;
		if (x <= b->h[c])
			break;
		b->h[i] = b->h[c];
		i = c;
	}
	b->h[i] = x;
	return top;
}

static void bin_pop_push(void *arg, uint64_t iters)
{
	struct bin_bench *b = arg;
	uint64_t sum = 0;
	uint32_t t = b->t;
	for (uint64_t i = 0; i < iters; i++) {
		uint64_t now = bin_pop(b);
		sum += now;
		bin_push(b, now + deltas[t++ & (TABLE - 1)]);
	}
	b->t = t;
	bench_sink(sum);
}

int main(void)
{
	/* Deltas 1 .. 2000, with a third of them from a set of 8 values so
	 * that many events share a cycle (ties go through the tie-break). */
	struct rng r;
	rng_seed(&r, 1);
	for (int i = 0; i < TABLE; i++)
		deltas[i] = rng_below(&r, 3) == 0 ? 250 * (1 + (uint32_t)rng_below(&r, 8))
						  : 1 + (uint32_t)rng_below(&r, 2000);

	static struct evq_bench eb;
	static struct bin_bench bb;
	evq_setup(&eb);
	bb.n = 0;
	bb.t = 0;
	for (int i = 0; i < PENDING; i++)
		bin_push(&bb, deltas[i % TABLE]);

	double base = bench_rate(bin_pop_push, &bb, ITERS, BENCH_RUNS);
	double rate = bench_rate(evq_pop_push, &eb, ITERS, BENCH_RUNS);
	if (!ev_queue_check(&eb.q) || ev_count(&eb.q) != PENDING) {
		fprintf(stderr, "bench_event: queue broken after the run\n");
		return 1;
	}
	bench_report("ev_queue pop+push, 1000 pending", rate, "pairs", "binary heap of u64", base,
		     TARGET);
	double resched = bench_rate(evq_reschedule_head, &eb, ITERS, BENCH_RUNS);
	bench_report("ev_queue reschedule head, 1000 pending", resched, "ops", "binary heap of u64",
		     base, 0);
	ev_queue_free(&eb.q);
	return 0;
}
