/*
 * The cache hierarchy and its coherence (see hw.h for the cost rules).
 *
 * Coherence state lives in the caches themselves (the snoop directory only
 * says where to look). A line in a CPU's L1 or L2 carries:
 *   CACHE_DIRTY  the CPU has written it (MESI M, with EXCL);
 *   EXCL         no other CPU's private cache and no other node's LLC holds
 *                the line (MESI E or M), so a write needs no snoop.
 * An LLC line carries only CACHE_DIRTY (written back from an L2 of its node).
 *
 * Invariants kept by the snoops below:
 *   - at most one CPU holds a line dirty in its private caches, and then no
 *     other CPU holds it at all and no other node's LLC holds it;
 *   - a line dirty in one node's LLC is in no other node's LLC;
 *   - a line with EXCL in some CPU's cache is in no other CPU's private cache
 *     and in no other node's LLC (the own node's LLC may keep a stale copy:
 *     the dirty owner is always found by the private snoop first).
 * A CPU's L1 and L2 may disagree on DIRTY (L1 written, L2 not yet); they
 * agree on EXCL, which is set and cleared in both together.
 *
 * Snoops happen only on a private-cache miss or on a write to a line that is
 * not EXCL, so the common case (an L1 hit, or a write to an owned line) is
 * one set scan. A snoop visits the CPUs the snoop directory (dir.c) names as
 * holders, in CPU order, and probes the other nodes' LLCs: O(holders +
 * nodes), not O(CPUs). The directory is updated on every private fill,
 * eviction and invalidation. Keeping it costs more than it saves on small
 * machines (measured: the crossover is near 4 to 8 CPUs), so below
 * HW_DIR_MIN_CPUS a snoop probes every other CPU: broadcast.
 *
 * Broadcast would probe 2 * (CPUs - 1) sets on every private miss and
 * upgrade, although a line is rarely in more than one other CPU's caches and
 * often in none. The snoop filter narrows it down: a table indexed by a hash
 * of the line, whose slots hold one 4-bit counter per CPU, counting that
 * CPU's private copies (a line in its L1 counts one, in its L2 one more) of
 * every line hashing to the slot. A private fill adds one, an eviction or
 * invalidation takes one away, so a counter is never below the CPU's copies
 * of any of the slot's lines, and a CPU whose counter is 0 holds none: a
 * snoop probes only the CPUs whose counters are not, in CPU order, and
 * nobody at all in the common case. A counter that reaches 15 stays there
 * (it can no longer be trusted to count down), which only means probing that
 * CPU. With about four slots per line of one CPU's L1 and L2 the table is a
 * few hundred KiB, and a CPU that does not hold a line is probed anyway
 * about one time in nine. The directory, the filter and plain broadcast give
 * the same results, in the same order (tests run all three).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/cache_impl.h"
#include "hw/internal.h"

#define EXCL CACHE_USER0
#define HW_DIR_MIN_CPUS 6
#define HELD_STUCK 15u         /* a filter counter that no longer counts */
#define HELD_PER_LINE 4        /* filter slots per line of one CPU's L1 + L2, up to 2^k */
#define HELD_MAX_CPUS 16       /* 4-bit counters in one 64-bit word */

static unsigned log2u(uint64_t v)
{
	unsigned s = 0;
	while ((UINT64_C(1) << s) < v)
		s++;
	return s;
}

struct hw *hw_create(const struct hw_machine_desc *d, char *err, size_t errlen)
{
	if (hw_desc_validate(d, err, errlen))
		return NULL;
	struct hw *hw = mmsim_xcalloc(1, sizeof *hw);
	hw->d = *d;
	hw->cost_on = true;
	hw->ncpus = d->nr_cpus;
	hw->nnodes = d->nr_nodes;
	hw->line_shift = log2u(d->l1d.line);
	hw->l1_lat = d->l1d.latency;
	hw->l2_lat = d->l2.latency;
	hw->llc_lat = d->llc.latency;
	hw->phys_limit = hw_arch_phys_limit(d->arch);

	/* Distinct fixed seeds per cache, so RANDOM replacement is reproducible
	 * and two caches do not evict in lockstep. */
	hw->cpu = mmsim_xcalloc((size_t)hw->ncpus, sizeof hw->cpu[0]);
	for (int c = 0; c < hw->ncpus; c++) {
		struct hw_cpu *pc = &hw->cpu[c];
		pc->id = c;
		pc->node = d->cpus[c].node;
		pc->l1 = cache_create(&d->l1d, 0x11000u + (uint64_t)c);
		pc->l2 = cache_create(&d->l2, 0x12000u + (uint64_t)c);
		hw_tlb_init(hw, c);
	}
	int n = hw->nnodes;
	hw->llc = mmsim_xcalloc((size_t)n, sizeof hw->llc[0]);
	hw->dram_cost = mmsim_xcalloc((size_t)(n * n), sizeof hw->dram_cost[0]);
	hw->c2c_cost = mmsim_xcalloc((size_t)(n * n), sizeof hw->c2c_cost[0]);
	for (int i = 0; i < n; i++) {
		hw->llc[i] = cache_create(&d->llc, 0x13000u + (uint64_t)i);
		for (int j = 0; j < n; j++) {
			cycle_t dist = d->distance[i][j];
			hw->dram_cost[i * n + j] = (cycle_t)d->dram_latency * dist / 10;
			hw->c2c_cost[i * n + j] =
				d->c2c_latency + (cycle_t)d->dram_latency * (dist - 10) / 10;
		}
	}
	hw->filter_wanted = true;
	hw_set_snoop_directory(hw, hw->ncpus >= HW_DIR_MIN_CPUS);
	hw_disks_init(hw);
	return hw;
}

void hw_destroy(struct hw *hw)
{
	if (!hw)
		return;
	for (int c = 0; c < hw->ncpus; c++) {
		cache_destroy(hw->cpu[c].l1);
		cache_destroy(hw->cpu[c].l2);
		hw_tlb_fini(hw, c);
	}
	for (int i = 0; i < hw->nnodes; i++)
		cache_destroy(hw->llc[i]);
	hwdir_destroy(hw->dir);
	free(hw->held);
	free(hw->cpu);
	free(hw->llc);
	free(hw->dram_cost);
	free(hw->c2c_cost);
	free(hw);
}

const struct hw_machine_desc *hw_desc(const struct hw *hw)
{
	return &hw->d;
}

int hw_ncpus(const struct hw *hw)
{
	return hw->ncpus;
}

int hw_nnodes(const struct hw *hw)
{
	return hw->nnodes;
}

int hw_cpu_node(const struct hw *hw, int cpu)
{
	MMSIM_ASSERT(cpu >= 0 && cpu < hw->ncpus);
	return hw->cpu[cpu].node;
}

void hw_set_cost_model(struct hw *hw, bool on)
{
	hw->cost_on = on;
}

bool hw_cost_model(const struct hw *hw)
{
	return hw->cost_on;
}

struct cache *hw_cache(struct hw *hw, enum hw_level level, int index)
{
	switch (level) {
	case HW_L1D:
		MMSIM_ASSERT(index >= 0 && index < hw->ncpus);
		return hw->cpu[index].l1;
	case HW_L2:
		MMSIM_ASSERT(index >= 0 && index < hw->ncpus);
		return hw->cpu[index].l2;
	case HW_LLC:
		MMSIM_ASSERT(index >= 0 && index < hw->nnodes);
		return hw->llc[index];
	}
	mmsim_panic("unknown cache level %d", (int)level);
}

const struct cache_stats *hw_cache_stats(const struct hw *hw, enum hw_level level, int index)
{
	return cache_stats(hw_cache((struct hw *)hw, level, index));
}

const struct hw_cpu_stats *hw_cpu_stats(const struct hw *hw, int cpu)
{
	MMSIM_ASSERT(cpu >= 0 && cpu < hw->ncpus);
	return &hw->cpu[cpu].st;
}

cycle_t hw_cpu_take_stolen(struct hw *hw, int cpu)
{
	MMSIM_ASSERT(cpu >= 0 && cpu < hw->ncpus);
	cycle_t s = hw->cpu[cpu].stolen;
	hw->cpu[cpu].stolen = 0;
	return s;
}

static int home_node(const struct hw *hw, int cpu_node, uint64_t paddr)
{
	int home = hw_desc_node_of(&hw->d, paddr);
	return home < 0 ? cpu_node : home;
}

cycle_t hw_dram_cost(const struct hw *hw, int cpu, uint64_t paddr)
{
	int n = hw_cpu_node(hw, cpu);
	return hw->dram_cost[n * hw->nnodes + home_node(hw, n, paddr)];
}

cycle_t hw_c2c_cost(const struct hw *hw, int to, int from)
{
	MMSIM_ASSERT(to >= 0 && to < hw->nnodes && from >= 0 && from < hw->nnodes);
	return hw->c2c_cost[to * hw->nnodes + from];
}

void hw_invalidate_all(struct hw *hw)
{
	for (int c = 0; c < hw->ncpus; c++) {
		cache_invalidate_all(hw->cpu[c].l1);
		cache_invalidate_all(hw->cpu[c].l2);
		hw_tlb_invalidate_all(hw, c);
	}
	for (int i = 0; i < hw->nnodes; i++)
		cache_invalidate_all(hw->llc[i]);
	if (hw->dir)
		hwdir_clear(hw->dir);
	if (hw->held)
		memset(hw->held, 0, ((size_t)1 << (64 - hw->held_shift)) * hw->held_stride);
}

/* Lines the private caches of all CPUs can hold together. */
static uint64_t private_lines(const struct hw *hw)
{
	const struct hw_machine_desc *d = &hw->d;
	return (d->l1d.size / d->l1d.line + d->l2.size / d->l2.line) * (uint64_t)hw->ncpus;
}

/* The filter exists exactly when it is wanted, there is no directory and
 * there are other CPUs to snoop (at most HELD_MAX_CPUS). Called with every
 * cache empty. */
static void update_filter(struct hw *hw)
{
	bool want = hw->filter_wanted && !hw->dir && hw->ncpus > 1 && hw->ncpus <= HELD_MAX_CPUS;
	if (want && !hw->held) {
		unsigned bits = 6;
		while ((UINT64_C(1) << bits) < HELD_PER_LINE * private_lines(hw) / (uint64_t)hw->ncpus &&
		       bits < 30)
			bits++;
		hw->held_stride = (unsigned)(hw->ncpus + 1) / 2;
		/* 8 bytes of slack: a slot is read as one 64-bit word */
		hw->held = mmsim_xcalloc(((size_t)1 << bits) * hw->held_stride + 8, 1);
		hw->held_shift = 64 - bits;
	} else if (!want && hw->held) {
		free(hw->held);
		hw->held = NULL;
	}
}

void hw_set_snoop_directory(struct hw *hw, bool on)
{
	hw_invalidate_all(hw);
	if (on && !hw->dir) {
		hw->dir = hwdir_create(hw->ncpus, private_lines(hw));
	} else if (!on && hw->dir) {
		hwdir_destroy(hw->dir);
		hw->dir = NULL;
	}
	update_filter(hw);
}

void hw_set_snoop_filter(struct hw *hw, bool on)
{
	hw_invalidate_all(hw);
	hw->filter_wanted = on;
	update_filter(hw);
}

/* ---- the snoop filter (see the comment at the top) ---- */

/* The first byte of line's slot. CPU c's counter is the low (c even) or high
 * (c odd) half of byte c / 2. */
static inline uint8_t *held_slot(const struct hw *hw, uint64_t line)
{
	size_t i = ((line >> hw->line_shift) * UINT64_C(0x9e3779b97f4a7c15)) >> hw->held_shift;
	return hw->held + i * hw->held_stride;
}

/* A private copy of line appeared in cpu's L1 or L2. */
static inline void held_add(struct hw *hw, int cpu, uint64_t line)
{
	if (!hw->held)
		return;
	uint8_t *b = held_slot(hw, line) + cpu / 2;
	unsigned sh = (unsigned)(cpu & 1) * 4;
	if (((*b >> sh) & 15) != HELD_STUCK)
		*b = (uint8_t)(*b + (1u << sh));
}

/* A private copy of line left cpu's L1 or L2. */
static inline void held_remove(struct hw *hw, int cpu, uint64_t line)
{
	if (!hw->held)
		return;
	uint8_t *b = held_slot(hw, line) + cpu / 2;
	unsigned sh = (unsigned)(cpu & 1) * 4;
	unsigned n = (*b >> sh) & 15;
	MMSIM_ASSERT(n > 0);
	if (n != HELD_STUCK)
		*b = (uint8_t)(*b - (1u << sh));
}

/* Bit 4 * c set for each CPU c whose counter in line's slot is not 0: the
 * CPUs that may hold line. */
static inline uint64_t held_cpus(const struct hw *hw, uint64_t line)
{
	uint64_t w;
	memcpy(&w, held_slot(hw, line), sizeof w);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	unsigned bits = 4 * (unsigned)hw->ncpus;
	if (bits < 64)
		w &= (UINT64_C(1) << bits) - 1;    /* the next slot's counters */
	return (w | w >> 1 | w >> 2 | w >> 3) & UINT64_C(0x1111111111111111);
}

bool hw_holders(const struct hw *hw, uint64_t line, uint64_t *mask)
{
	memset(mask, 0, HW_MAX_CPUS / 8);
	if (!hw->dir && hw->held) {
		uint64_t m = held_cpus(hw, line);
		for (; m; m &= m - 1) {
			int c = __builtin_ctzll(m) / 4;
			mask[c / 64] |= UINT64_C(1) << (c % 64);
		}
		return mask[0] != 0;
	}
	if (!hw->dir) {
		/* No directory: every CPU may hold it. */
		for (int c = 0; c < hw->ncpus; c++)
			mask[c / 64] |= UINT64_C(1) << (c % 64);
		return true;
	}
	const uint64_t *m = hwdir_lookup(hw->dir, line);
	if (!m)
		return false;
	memcpy(mask, m, hwdir_words(hw->dir) * sizeof m[0]);
	return true;
}

unsigned hw_private_invalidate(struct hw *hw, int cpu, uint64_t line)
{
	struct hw_cpu *pc = &hw->cpu[cpu];
	unsigned f1 = cache_invalidate(pc->l1, line), f2 = cache_invalidate(pc->l2, line);
	if (f1)
		held_remove(hw, cpu, line);
	if (f2)
		held_remove(hw, cpu, line);
	if (hw->dir)
		hwdir_remove(hw->dir, line, cpu);
	return f1 | f2;
}

/* Iterates the CPUs whose bit is set in mask (HW_MAX_CPUS / 64 words), in
 * increasing order. */
#define for_each_cpu_in(cpu, mask)                                                   \
	for (int w_ = 0; w_ < HW_MAX_CPUS / 64; w_++)                                 \
		for (uint64_t b_ = (mask)[w_]; b_ && ((cpu) = w_ * 64 + __builtin_ctzll(b_), 1); \
		     b_ &= b_ - 1)

/* ---- write-backs and fills: moving lines down the hierarchy ---- */

/* A dirty L2 victim goes to its node's LLC (write-allocate); a dirty LLC
 * victim goes to DRAM, which only the LLC's write-back counter records. */
static void writeback_to_llc(struct hw *hw, int node, uint64_t line)
{
	struct cache *llc = hw->llc[node];
	if (!cache_access(llc, line, HW_WRITE))
		cache_fill(llc, line, CACHE_DIRTY, NULL, NULL);
}

/* A line left one of pc's private levels: if the other does not hold it
 * either, the CPU no longer holds it. */
static void private_gone(struct hw *hw, struct hw_cpu *pc, uint64_t line)
{
	if (hw->dir && !cache_probe(pc->l1, line) && !cache_probe(pc->l2, line))
		hwdir_remove(hw->dir, line, pc->id);
}

/* Puts line, which pc's L2 does not hold, into pc's L2; an L2 victim goes on
 * to the LLC if dirty. The caller has put pc in line's directory entry
 * (fills come from a private miss, which adds it, or from pc's own L1 or L2,
 * which already hold it). */
static void fill_l2(struct hw *hw, struct hw_cpu *pc, uint64_t line, unsigned flags)
{
	uint64_t v;
	unsigned vf;
	held_add(hw, pc->id, line);
	if (!cache_fill(pc->l2, line, flags, &v, &vf))
		return;
	held_remove(hw, pc->id, v);
	if (vf & CACHE_DIRTY)
		writeback_to_llc(hw, pc->node, v);
	private_gone(hw, pc, v);
}

static void writeback_to_l2(struct hw *hw, struct hw_cpu *pc, uint64_t line, unsigned flags)
{
	if (!cache_access(pc->l2, line, HW_WRITE))
		fill_l2(hw, pc, line, CACHE_DIRTY | (flags & EXCL));
}

/* The same for L1 (same rules). */
static void fill_l1(struct hw *hw, struct hw_cpu *pc, uint64_t line, unsigned flags)
{
	uint64_t v;
	unsigned vf;
	held_add(hw, pc->id, line);
	if (!cache_fill(pc->l1, line, flags, &v, &vf))
		return;
	held_remove(hw, pc->id, v);
	if (vf & CACHE_DIRTY)
		writeback_to_l2(hw, pc, v, vf);
	private_gone(hw, pc, v);
}

/* ---- snoops ---- */

struct snoop {
	cycle_t xfer;       /* cost of the transfer from a dirty copy, 0 if none */
	cycle_t inval;      /* cost of the farthest clean copy invalidated */
	bool shared;        /* a copy remains elsewhere (reads only) */
	bool found;         /* some other copy existed */
};

static cycle_t max_cycle(cycle_t a, cycle_t b)
{
	return a > b ? a : b;
}

/*
 * CPU o's private copies of line, seen by cpu c. A write invalidates them; a
 * read downgrades them to shared, an M copy writing itself back. A dirty copy
 * supplies the line (a cache-to-cache transfer).
 */
static void snoop_cpu(struct hw *hw, int c, int o, uint64_t line, int write, struct snoop *s)
{
	struct hw_cpu *me = &hw->cpu[c];
	struct hw_cpu *po = &hw->cpu[o];
	unsigned f1 = cache_probe(po->l1, line);
	unsigned f2 = cache_probe(po->l2, line);
	if (!(f1 | f2))
		return;
	s->found = true;
	cycle_t cost = hw_c2c_cost(hw, me->node, po->node);
	bool dirty = (f1 | f2) & CACHE_DIRTY;
	if (write) {
		hw_private_invalidate(hw, o, line);
		me->st.inval_sent++;
		po->st.inval_received++;
		if (!dirty)
			s->inval = max_cycle(s->inval, cost);
	} else {
		/* One write-back for the M copy, counted at the level holding
		 * the newest data. */
		if (f1 & CACHE_DIRTY)
			cache_clean(po->l1, line);
		else if (f2 & CACHE_DIRTY)
			cache_clean(po->l2, line);
		if (f1)
			cache_update(po->l1, line, 0, EXCL | CACHE_DIRTY);
		if (f2)
			cache_update(po->l2, line, 0, EXCL | CACHE_DIRTY);
		s->shared = true;
	}
	if (dirty) {
		s->xfer = cost;
		if (po->node == me->node)
			me->st.c2c_local++;
		else
			me->st.c2c_remote++;
	}
}

/* Every other CPU's private copies of line, in CPU order. */
static void snoop_cpus(struct hw *hw, int c, uint64_t line, int write, struct snoop *s)
{
	if (hw->dir) {
		uint64_t holders[HW_MAX_CPUS / 64];
		int o;
		if (!hw_holders(hw, line, holders))
			return;
		for_each_cpu_in(o, holders)
			if (o != c)
				snoop_cpu(hw, c, o, line, write, s);
		return;
	}
	if (hw->held) {
		/* the filter: only the CPUs that may hold line */
		uint64_t m = held_cpus(hw, line) & ~(UINT64_C(1) << (4 * c));
		for (; m; m &= m - 1)
			snoop_cpu(hw, c, __builtin_ctzll(m) / 4, line, write, s);
		return;
	}
	for (int o = 0; o < hw->ncpus; o++)
		if (o != c)
			snoop_cpu(hw, c, o, line, write, s);
}

/* The other nodes' LLCs, the same way. */
static void snoop_llcs(struct hw *hw, int c, uint64_t line, int write, struct snoop *s)
{
	struct hw_cpu *me = &hw->cpu[c];
	for (int m = 0; m < hw->nnodes; m++) {
		if (m == me->node)
			continue;
		unsigned f = cache_probe(hw->llc[m], line);
		if (!f)
			continue;
		s->found = true;
		cycle_t cost = hw_c2c_cost(hw, me->node, m);
		bool dirty = f & CACHE_DIRTY;
		if (write) {
			cache_invalidate(hw->llc[m], line);
			me->st.inval_sent++;
			if (!dirty)
				s->inval = max_cycle(s->inval, cost);
		} else {
			if (dirty)
				cache_clean(hw->llc[m], line);
			s->shared = true;
		}
		if (dirty && !s->xfer) {
			s->xfer = cost;
			me->st.c2c_remote++;
		}
	}
}

/* A write to a line cpu c holds but not exclusively: invalidate every other
 * copy; the writer waits for the farthest acknowledgement. */
static __attribute__((noinline)) cycle_t upgrade(struct hw *hw, int c, uint64_t line)
{
	struct hw_cpu *me = &hw->cpu[c];
	struct snoop s = { 0 };
	snoop_cpus(hw, c, line, HW_WRITE, &s);
	snoop_llcs(hw, c, line, HW_WRITE, &s);
	cache_update(me->l1, line, EXCL, 0);
	cache_update(me->l2, line, EXCL, 0);
	if (s.found)
		me->st.upgrades++;
	return max_cycle(s.xfer, s.inval);
}

/* Misses in both private caches: find the line in another cache, the own
 * LLC or DRAM, and fill L2 and L1. */
static cycle_t private_miss(struct hw *hw, int c, uint64_t line, int write)
{
	struct hw_cpu *me = &hw->cpu[c];
	struct snoop s = { 0 };
	snoop_cpus(hw, c, line, write, &s);
	snoop_llcs(hw, c, line, write, &s);
	cycle_t cost;
	if (s.xfer) {
		cost = s.xfer;
	} else if (cache_access(hw->llc[me->node], line, HW_READ)) {
		cost = hw->llc_lat;
	} else {
		int home = home_node(hw, me->node, line);
		cost = hw->dram_cost[me->node * hw->nnodes + home];
		if (home == me->node)
			me->st.dram_local++;
		else
			me->st.dram_remote++;
		me->st.dram_cycles += cost;
		cache_fill(hw->llc[me->node], line, 0, NULL, NULL);
	}
	cost = max_cycle(cost, s.inval);
	unsigned excl = s.shared ? 0 : EXCL;
	if (hw->dir)
		hwdir_add(hw->dir, line, c);
	fill_l2(hw, me, line, excl);
	fill_l1(hw, me, line, write ? (EXCL | CACHE_DIRTY) : excl);
	return cost;
}

/* Out of line, like upgrade, so that hw_access's L1-hit path stays a leaf
 * with few registers to save. */
static __attribute__((noinline)) cycle_t l1_miss(struct hw *hw, int c, uint64_t line, int write)
{
	struct hw_cpu *me = &hw->cpu[c];
	unsigned f = cache_access(me->l2, line, HW_READ);
	if (!f)
		return private_miss(hw, c, line, write);
	cycle_t cost = hw->l2_lat;
	if (write && !(f & EXCL))
		cost += upgrade(hw, c, line);
	fill_l1(hw, me, line, write ? (EXCL | CACHE_DIRTY) : (f & EXCL));
	return cost;
}

static inline cycle_t access_line(struct hw *hw, int c, uint64_t line, int write)
{
	struct hw_cpu *me = &hw->cpu[c];
	unsigned f = cache_access_inline(me->l1, line, write);
	if (!f)
		return l1_miss(hw, c, line, write);
	if (write && !(f & EXCL))
		return hw->l1_lat + upgrade(hw, c, line);
	return hw->l1_lat;
}

cycle_t hw_access(struct hw *hw, int cpu, uint64_t paddr, unsigned size, int write)
{
	if (!hw->cost_on || size == 0)
		return 0;
	MMSIM_ASSERT(cpu >= 0 && cpu < hw->ncpus);
	MMSIM_ASSERT(paddr < hw->phys_limit && size <= hw->phys_limit - paddr);
	struct hw_cpu_stats *st = &hw->cpu[cpu].st;
	unsigned sh = hw->line_shift;
	uint64_t line = paddr >> sh << sh;
	uint64_t last = (paddr + size - 1) >> sh << sh;
	cycle_t cost = 0;
	st->accesses++;
	for (;;) {
		st->lines++;
		cost += access_line(hw, cpu, line, write);
		if (line == last)
			break;
		line += UINT64_C(1) << sh;
	}
	return cost;
}

cycle_t hw_memport_access(void *ctx, int cpu, uint64_t paddr, unsigned size, int write)
{
	return hw_access(ctx, cpu, paddr, size, write);
}

static cycle_t hw_memport_take_stolen(void *ctx, int cpu)
{
	return hw_cpu_take_stolen(ctx, cpu);
}

struct sim_memport hw_memport(struct hw *hw)
{
	return (struct sim_memport){ hw_memport_access, hw, hw_memport_take_stolen };
}

/* ---- consistency ---- */

#define LX(v) ((unsigned long long)(v))

/* A private line of cpu c with flags f: the invariants of the file comment. */
static int check_private(const struct hw *hw, int c, const char *lvl, uint64_t line, unsigned f,
			 char *err, size_t errlen)
{
	const struct hw_cpu *pc = &hw->cpu[c];
	if ((f & CACHE_DIRTY) && !(f & EXCL))
		return mmsim_errf(err, errlen, "cpu%d.%s: line 0x%llx dirty but not exclusive", c,
				  lvl, LX(line));
	unsigned other = cache_probe(lvl[1] == '1' ? pc->l2 : pc->l1, line);
	if (other && (other & EXCL) != (f & EXCL))
		return mmsim_errf(err, errlen, "cpu%d: line 0x%llx exclusive in one private level only",
				  c, LX(line));
	if (!(f & EXCL))
		return 0;
	for (int o = 0; o < hw->ncpus; o++)
		if (o != c && (cache_probe(hw->cpu[o].l1, line) || cache_probe(hw->cpu[o].l2, line)))
			return mmsim_errf(err, errlen, "cpu%d.%s: line 0x%llx exclusive but cpu%d has it",
					  c, lvl, LX(line), o);
	for (int m = 0; m < hw->nnodes; m++)
		if (m != pc->node && cache_probe(hw->llc[m], line))
			return mmsim_errf(err, errlen,
					  "cpu%d.%s: line 0x%llx exclusive but node %d's LLC has it", c,
					  lvl, LX(line), m);
	return 0;
}

/* Every filter counter that still counts equals its CPU's private copies of
 * the lines hashing to its slot. */
static int check_filter(const struct hw *hw, char *err, size_t errlen)
{
	if (!hw->held)
		return 0;
	size_t slots = (size_t)1 << (64 - hw->held_shift);
	int rc = 0;
	uint32_t *count = mmsim_xcalloc(slots, sizeof count[0]);
	for (int c = 0; c < hw->ncpus && !rc; c++) {
		memset(count, 0, slots * sizeof count[0]);
		const struct cache *lv[2] = { hw->cpu[c].l1, hw->cpu[c].l2 };
		for (int k = 0; k < 2; k++) {
			for (size_t i = 0; i < cache_nways(lv[k]); i++) {
				uint64_t line;
				if (cache_way(lv[k], i, &line))
					count[(size_t)(held_slot(hw, line) - hw->held) / hw->held_stride]++;
			}
		}
		for (size_t i = 0; i < slots && !rc; i++) {
			unsigned n = (hw->held[i * hw->held_stride + (size_t)c / 2] >> (c & 1) * 4) & 15;
			if (n != HELD_STUCK && n != count[i])
				rc = mmsim_errf(err, errlen, "snoop filter: slot %zu counts %u copies in "
						"cpu%d's caches, which hold %u", i, n, c, count[i]);
		}
	}
	free(count);
	return rc;
}

int hw_check(const struct hw *hw, char *err, size_t errlen)
{
	/* Every private line has its CPU's bit in the directory, and the
	 * directory has no other bits: count (line, CPU) pairs both ways. */
	uint64_t pairs = 0, bits = 0;
	for (int c = 0; c < hw->ncpus; c++) {
		const struct cache *lv[2] = { hw->cpu[c].l1, hw->cpu[c].l2 };
		for (int k = 0; k < 2; k++) {
			for (size_t i = 0; i < cache_nways(lv[k]); i++) {
				uint64_t line;
				unsigned f = cache_way(lv[k], i, &line);
				if (!f)
					continue;
				if (check_private(hw, c, k ? "l2" : "l1d", line, f, err, errlen))
					return -1;
				uint64_t holders[HW_MAX_CPUS / 64];
				if (!hw_holders(hw, line, holders) || !((holders[c / 64] >> (c % 64)) & 1))
					return mmsim_errf(err, errlen,
							  "cpu%d: line 0x%llx cached but not in the directory",
							  c, LX(line));
				if (k == 0 || !cache_probe(hw->cpu[c].l1, line))
					pairs++;
			}
		}
	}
	bits = hw->dir ? hwdir_count_bits(hw->dir) : pairs;
	if (bits != pairs)
		return mmsim_errf(err, errlen, "directory: %llu holder bits for %llu cached (line, cpu) pairs",
				  LX(bits), LX(pairs));
	if (check_filter(hw, err, errlen))
		return -1;
	for (int n = 0; n < hw->nnodes; n++) {
		for (size_t i = 0; i < cache_nways(hw->llc[n]); i++) {
			uint64_t line;
			unsigned f = cache_way(hw->llc[n], i, &line);
			if (!(f & CACHE_DIRTY))
				continue;
			for (int m = 0; m < hw->nnodes; m++)
				if (m != n && cache_probe(hw->llc[m], line))
					return mmsim_errf(err, errlen,
							  "llc%d: line 0x%llx dirty but node %d's LLC has it",
							  n, LX(line), m);
			for (int o = 0; o < hw->ncpus; o++)
				if (hw->cpu[o].node != n &&
				    (cache_probe(hw->cpu[o].l1, line) || cache_probe(hw->cpu[o].l2, line)))
					return mmsim_errf(err, errlen,
							  "llc%d: line 0x%llx dirty but cpu%d on node %d has it",
							  n, LX(line), o, hw->cpu[o].node);
		}
	}
	return 0;
}
