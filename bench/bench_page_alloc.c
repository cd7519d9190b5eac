/*
 * The page allocator's throughput, against a bare baseline in the same run.
 *
 * The baseline is the same algorithm (2.6.11's buddy lists with expand and
 * merge-by-XOR, and a hot list with low/high/batch refill and drain) as a
 * plain C loop over an array of frames: no simulator, no zones or
 * watermarks, no cost model, no checks. It is the physical limit of the
 * algorithm on this host; mmsim's rates are reported as a ratio to it.
 *
 * Figures:
 *   order-0 alloc+free pairs through the per-CPU lists, cost model off
 *     (hw=off; target 20 M pairs/s) and on (hw/'s caches and coherence
 *     charging every metadata access; target 2 M pairs/s);
 *   order-3 pairs through the buddy lists (cost model off);
 *   a mixed-order churn: 1024 slots, each step frees a slot's block and
 *     allocates a new one of order 0..3 chosen by an LCG;
 *   boot of a 64 GiB, 4-node x86_64 machine (target < 1 s) and the host
 *     memory it takes per simulated frame (target < 48 bytes).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "hw/hw.h"
#include "mm/mm.h"

#define PAIRS (2 * 1000 * 1000)

/* ---- The bare baseline ------------------------------------------------- */

#define B_MAX_ORDER 11
#define B_NIL UINT32_MAX

struct bframe {
	uint32_t next, prev;
	uint8_t order;          /* order while free in the buddy lists */
	uint8_t free;           /* 1: heads a free buddy block */
};

struct blist {
	uint32_t first, last;
};

struct bare {
	struct bframe *f;
	uint32_t n;
	struct blist area[B_MAX_ORDER];
	struct blist hot;
	int count, low, high, batch;
};

static void bl_add(struct bare *b, struct blist *l, uint32_t i)
{
	b->f[i].prev = B_NIL;
	b->f[i].next = l->first;
	if (l->first != B_NIL)
		b->f[l->first].prev = i;
	else
		l->last = i;
	l->first = i;
}

static void bl_add_tail(struct bare *b, struct blist *l, uint32_t i)
{
	b->f[i].next = B_NIL;
	b->f[i].prev = l->last;
	if (l->last != B_NIL)
		b->f[l->last].next = i;
	else
		l->first = i;
	l->last = i;
}

static void bl_del(struct bare *b, struct blist *l, uint32_t i)
{
	struct bframe *p = &b->f[i];
	if (p->prev != B_NIL)
		b->f[p->prev].next = p->next;
	else
		l->first = p->next;
	if (p->next != B_NIL)
		b->f[p->next].prev = p->prev;
	else
		l->last = p->prev;
}

static uint32_t b_rmqueue(struct bare *b, unsigned order)
{
	for (unsigned o = order; o < B_MAX_ORDER; o++) {
		uint32_t i = b->area[o].first;
		if (i == B_NIL)
			continue;
		bl_del(b, &b->area[o], i);
		b->f[i].free = 0;
		while (o > order) {
			o--;
			uint32_t h = i + (1u << o);
			bl_add(b, &b->area[o], h);
			b->f[h].free = 1;
			b->f[h].order = (uint8_t)o;
		}
		return i;
	}
	return B_NIL;
}

static void b_free_one(struct bare *b, uint32_t i, unsigned order)
{
	while (order < B_MAX_ORDER - 1) {
		uint32_t bi = i ^ (1u << order);
		if (bi >= b->n || !b->f[bi].free || b->f[bi].order != order)
			break;
		bl_del(b, &b->area[order], bi);
		b->f[bi].free = 0;
		i &= bi;
		order++;
	}
	b->f[i].free = 1;
	b->f[i].order = (uint8_t)order;
	bl_add(b, &b->area[order], i);
}

static uint32_t b_alloc(struct bare *b, unsigned order)
{
	if (order == 0) {
		if (b->count <= b->low)
			for (int k = 0; k < b->batch; k++) {
				uint32_t i = b_rmqueue(b, 0);
				if (i == B_NIL)
					break;
				bl_add_tail(b, &b->hot, i);
				b->count++;
			}
		if (b->count) {
			uint32_t i = b->hot.first;
			bl_del(b, &b->hot, i);
			b->count--;
			return i;
		}
	}
	return b_rmqueue(b, order);
}

static void b_free(struct bare *b, uint32_t i, unsigned order)
{
	if (order == 0) {
		if (b->count >= b->high)
			for (int k = 0; k < b->batch && b->hot.last != B_NIL; k++) {
				uint32_t t = b->hot.last;
				bl_del(b, &b->hot, t);
				b->count--;
				b_free_one(b, t, 0);
			}
		bl_add(b, &b->hot, i);
		b->count++;
		return;
	}
	b_free_one(b, i, order);
}

static void bare_init(struct bare *b, uint32_t n)
{
	memset(b, 0, sizeof *b);
	b->f = calloc(n, sizeof *b->f);
	b->n = n;
	for (int o = 0; o < B_MAX_ORDER; o++)
		b->area[o].first = b->area[o].last = B_NIL;
	b->hot.first = b->hot.last = B_NIL;
	b->batch = 16, b->low = 32, b->high = 96;
	for (uint32_t i = 0; i < n; i += 1u << (B_MAX_ORDER - 1))
		b_free_one(b, i, B_MAX_ORDER - 1);
}

/* ---- Bodies ------------------------------------------------------------ */

struct ctx {
	struct bare bare;
	struct mm *mm;
	unsigned order;
	uint64_t lcg;
	uint32_t bslot[1024];
	uint8_t bslot_order[1024];
	struct page *slot[1024];
	uint8_t slot_order[1024];
};

static void bare_pairs(void *arg, uint64_t iters)
{
	struct ctx *c = arg;
	uint64_t sum = 0;
	for (uint64_t i = 0; i < iters; i++) {
		uint32_t p = b_alloc(&c->bare, c->order);
		sum += p;
		b_free(&c->bare, p, c->order);
	}
	bench_sink(sum);
}

static void mm_pairs(void *arg, uint64_t iters)
{
	struct ctx *c = arg;
	uint64_t sum = 0;
	for (uint64_t i = 0; i < iters; i++) {
		struct page *p = alloc_pages(c->mm, GFP_KERNEL, c->order);
		if (!p)
			abort();
		sum += (uintptr_t)p;
		__free_pages(c->mm, p, c->order);
	}
	bench_sink(sum);
}

static unsigned next_order(struct ctx *c)
{
	c->lcg = c->lcg * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(c->lcg >> 62);        /* 0..3 */
}

static void bare_churn(void *arg, uint64_t iters)
{
	struct ctx *c = arg;
	for (uint64_t i = 0; i < iters; i++) {
		unsigned s = (unsigned)(i & 1023);
		if (c->bslot[s] != B_NIL)
			b_free(&c->bare, c->bslot[s], c->bslot_order[s]);
		unsigned o = next_order(c);
		c->bslot[s] = b_alloc(&c->bare, o);
		c->bslot_order[s] = (uint8_t)o;
	}
}

static void mm_churn(void *arg, uint64_t iters)
{
	struct ctx *c = arg;
	for (uint64_t i = 0; i < iters; i++) {
		unsigned s = (unsigned)(i & 1023);
		if (c->slot[s])
			__free_pages(c->mm, c->slot[s], c->slot_order[s]);
		unsigned o = next_order(c);
		c->slot[s] = alloc_pages(c->mm, GFP_KERNEL, o);
		c->slot_order[s] = (uint8_t)o;
	}
}

/* ---- Setup ------------------------------------------------------------- */

static struct mm *boot_era(struct sim *s, const char *preset, uint64_t mem, bool hw, struct hw **hwp,
			   const char *era)
{
	struct hw_machine_desc d;
	struct mm_policy p;
	char err[256];
	if (hw_preset(preset, mem, 0, &d, err, sizeof err)) {
		fprintf(stderr, "bench_page_alloc: %s\n", err);
		exit(1);
	}
	sim_init(s, d.nr_cpus, 1);
	if (hwp) {
		*hwp = hw_create(&d, err, sizeof err);
		if (!*hwp) {
			fprintf(stderr, "bench_page_alloc: %s\n", err);
			exit(1);
		}
		s->mem = hw_memport(*hwp);
	}
	mm_policy_default(&p);
	p.hw = hw;
	if (mm_policy_set(&p, "era", era, err, sizeof err)) {
		fprintf(stderr, "bench_page_alloc: %s\n", err);
		exit(1);
	}
	struct mm *mm = mm_boot(s, &d, &p, NULL, err, sizeof err);
	if (!mm) {
		fprintf(stderr, "bench_page_alloc: %s\n", err);
		exit(1);
	}
	mm_set_cpu(mm, 0);
	return mm;
}

static struct mm *boot(struct sim *s, const char *preset, uint64_t mem, bool hw, struct hw **hwp)
{
	return boot_era(s, preset, mem, hw, hwp, "classic");
}

/*
 * The modern (6.1) era's order-0 pairs against the classic era's, both
 * through the per-CPU lists of the same 1 GiB PC, cost model on or off.
 * The two eras alternate run by run (one classic run, one modern run, ...)
 * so that a noisy neighbour slows both alike, and the ratio is the median of
 * the per-round ratios. The target: modern >= classic / 1.5.
 */
static void era_ratio(struct ctx *c, bool hw_on)
{
	const char *eras[2] = {"classic", "modern"};
	struct sim s[2];
	struct hw *hw[2] = {NULL, NULL};
	struct mm *mm[2];
	double rate[2][BENCH_RUNS], ratio[BENCH_RUNS];

	for (int e = 0; e < 2; e++)
		mm[e] = boot_era(&s[e], "x86_64", 0, hw_on, hw_on ? &hw[e] : NULL, eras[e]);
	c->order = 0;
	for (int e = 0; e < 2; e++) {           /* warm-up */
		c->mm = mm[e];
		mm_pairs(c, PAIRS);
	}
	for (int i = 0; i < BENCH_RUNS; i++) {
		for (int e = 0; e < 2; e++) {
			c->mm = mm[e];
			double t0 = bench_now();
			mm_pairs(c, PAIRS);
			double dt = bench_now() - t0;
			rate[e][i] = dt > 0 ? PAIRS / dt : 0;
		}
		ratio[i] = rate[0][i] > 0 ? rate[1][i] / rate[0][i] : 0;
	}
	for (int e = 0; e < 2; e++)
		qsort(rate[e], BENCH_RUNS, sizeof rate[e][0], bench_cmp_double);
	qsort(ratio, BENCH_RUNS, sizeof ratio[0], bench_cmp_double);
	double med = ratio[BENCH_RUNS / 2];
	char name[64];
	snprintf(name, sizeof name, "6.1 vs 2.6.11 order-0 pcp, cost model %s", hw_on ? "on" : "off");
	printf("%-44s %8.2f M pairs/s   classic %8.2f M/s  ratio %.3f   target >= 0.667 %s\n", name,
	       rate[1][BENCH_RUNS / 2] / 1e6, rate[0][BENCH_RUNS / 2] / 1e6, med,
	       med >= 1.0 / 1.5 ? "ok" : "MISSED");
	bench_target(name, med >= 1.0 / 1.5, "ratio >= 0.667", "ratio %.3f", med);
	for (int e = 0; e < 2; e++) {
		sim_destroy(&s[e]);
		mm_destroy(mm[e]);
		if (hw[e])
			hw_destroy(hw[e]);
	}
}

static void boot_64g(void *arg, uint64_t iters)
{
	(void)arg;
	for (uint64_t i = 0; i < iters; i++) {
		struct sim s;
		struct mm *mm = boot(&s, "x86_64-numa4", UINT64_C(64) << 30, false, NULL);
		bench_sink(nr_free_pages(mm));
		sim_destroy(&s);
		mm_destroy(mm);
	}
}

int main(void)
{
	static struct ctx c;
	struct hw *hw;
	struct sim s;

	printf("bench_page_alloc: the 2.6.11 page allocator, in pairs (one alloc + one free) per second\n");

	/* Baseline: as many frames as the 1 GiB PC's Normal zone, round. */
	bare_init(&c.bare, 1u << 18);
	c.order = 0;
	double base0 = bench_rate(bare_pairs, &c, PAIRS, BENCH_RUNS);

	c.mm = boot(&s, "x86_64", 0, false, NULL);
	c.order = 0;
	double r = bench_rate(mm_pairs, &c, PAIRS, BENCH_RUNS);
	bench_report("order-0 pairs, pcp, cost model off", r, "pairs", "bare buddy+hot list", base0, 20e6);
	sim_destroy(&s);
	mm_destroy(c.mm);

	c.mm = boot(&s, "x86_64", 0, true, &hw);
	r = bench_rate(mm_pairs, &c, PAIRS, BENCH_RUNS);
	bench_report("order-0 pairs, pcp, cost model on", r, "pairs", "bare buddy+hot list", base0,
		     2e6);
	printf("%-44s %8.1f cycles per pair (simulated)\n", "", (double)sim_now(&s) / (double)(PAIRS * (BENCH_RUNS + 1)));
	sim_destroy(&s);
	mm_destroy(c.mm);
	hw_destroy(hw);

	era_ratio(&c, false);
	era_ratio(&c, true);

	c.order = 3;
	double base3 = bench_rate(bare_pairs, &c, PAIRS, BENCH_RUNS);
	c.mm = boot(&s, "x86_64", 0, false, NULL);
	r = bench_rate(mm_pairs, &c, PAIRS, BENCH_RUNS);
	bench_report("order-3 pairs, buddy lists, cost model off", r, "pairs", "bare buddy", base3, 0);
	sim_destroy(&s);
	mm_destroy(c.mm);

	for (int i = 0; i < 1024; i++)
		c.bslot[i] = B_NIL;
	c.lcg = 1;
	double basem = bench_rate(bare_churn, &c, PAIRS, BENCH_RUNS);
	c.mm = boot(&s, "x86_64", 0, false, NULL);
	memset(c.slot, 0, sizeof c.slot);
	c.lcg = 1;
	r = bench_rate(mm_churn, &c, PAIRS, BENCH_RUNS);
	bench_report("mixed-order churn (0..3), cost model off", r, "steps", "bare buddy+hot list", basem, 0);
	sim_destroy(&s);
	mm_destroy(c.mm);
	free(c.bare.f);

	/* Boot of 64 GiB on 4 nodes: the median of 3 boots. */
	double boots = bench_rate(boot_64g, NULL, 1, 3);
	uint64_t frames = (UINT64_C(64) << 30) >> 12;
	/* Host memory per frame: the host struct page of every spanned frame
	 * (the PCI hole adds 1 GiB of span) plus the per-zone, per-CPU and
	 * per-node structures, which are a few KiB in all. */
	struct mm *mm = boot(&s, "x86_64-numa4", UINT64_C(64) << 30, false, NULL);
	uint64_t spanned = 0;
	for (int nid = 0; nid < mm_nr_nodes(mm); nid++)
		spanned += NODE_DATA(mm, nid)->node_spanned_pages;
	uint64_t host = spanned * sizeof(struct page) + (uint64_t)mm_nr_nodes(mm) * sizeof(pg_data_t) +
			(uint64_t)mm_nr_nodes(mm) * MAX_NR_ZONES * (uint64_t)mm_nr_cpus(mm) *
				sizeof(struct per_cpu_pageset);
	printf("%-44s %8.3f s   target < 1 s %s\n", "boot, x86_64 64 GiB 4 nodes", 1.0 / boots,
	       1.0 / boots < 1.0 ? "ok" : "MISSED");
	printf("%-44s %8.1f bytes per frame   target < 48 %s\n", "host memory", (double)host / (double)frames,
	       (double)host / (double)frames < 48 ? "ok" : "MISSED");
	bench_target("boot, x86_64 64 GiB 4 nodes", 1.0 / boots < 1.0, "< 1 s", "%.3f s", 1.0 / boots);
	bench_target("host memory per frame", (double)host / (double)frames < 48, "< 48 B", "%.1f B",
		     (double)host / (double)frames);
	sim_destroy(&s);
	mm_destroy(mm);
	return 0;
}
