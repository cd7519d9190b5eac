/*
 * TLBs: each one a set-associative array of translations, LRU within a set.
 *
 *   vpn[i]     virtual page number (vaddr >> page_shift) held by way i, or
 *              NO_PAGE when the way is empty (no page number reaches it: the
 *              shift is at least 12);
 *   frame[i]   physical address of the page's first byte;
 *   global[i]  survives a non-global flush;
 *   ro[i]      read-only: a write through it does not hit (it walks, and
 *              the walker faults, as a write to a read-only page does);
 *   clean[i]   filled while the PTE's Dirty bit was clear: a write through
 *              it walks again so the walker can set the bit;
 *   stamp[i]   the TLB's tick at the entry's last use.
 *
 * A CPU's two TLBs (4 KiB and large) are looked up together; an address is
 * in at most one of them in practice, and if the walker changed a mapping's
 * size without a flush, the 4 KiB entry wins, as a stale entry would on real
 * hardware. Costs: a hit is free (it overlaps the L1 access); a miss costs the
 * page-table entry fetches, each through hw_access.
 */
#include <stdlib.h>

#include "hw/internal.h"

#define NO_PAGE UINT64_MAX

struct tlb {
	uint64_t *vpn;
	uint64_t *frame;
	uint64_t *stamp;
	bool *global;
	bool *ro;
	bool *clean;
	unsigned ways;
	uint64_t set_mask;
	unsigned page_shift;
	uint64_t tick;
};

static struct tlb *tlb_create(const struct hw_tlb_params *p, unsigned page_shift)
{
	struct tlb *t = mmsim_xcalloc(1, sizeof *t);
	size_t n = p->entries;
	t->vpn = mmsim_xmalloc(n * sizeof t->vpn[0]);
	t->frame = mmsim_xcalloc(n, sizeof t->frame[0]);
	t->stamp = mmsim_xcalloc(n, sizeof t->stamp[0]);
	t->global = mmsim_xcalloc(n, sizeof t->global[0]);
	t->ro = mmsim_xcalloc(n, sizeof t->ro[0]);
	t->clean = mmsim_xcalloc(n, sizeof t->clean[0]);
	for (size_t i = 0; i < n; i++)
		t->vpn[i] = NO_PAGE;
	t->ways = p->ways;
	t->set_mask = p->entries / p->ways - 1;
	t->page_shift = page_shift;
	return t;
}

static void tlb_destroy(struct tlb *t)
{
	if (!t)
		return;
	free(t->vpn);
	free(t->frame);
	free(t->stamp);
	free(t->global);
	free(t->ro);
	free(t->clean);
	free(t);
}

static long tlb_find(const struct tlb *t, uint64_t vaddr)
{
	uint64_t vpn = vaddr >> t->page_shift;
	size_t base = (size_t)(vpn & t->set_mask) * t->ways;
	for (unsigned w = 0; w < t->ways; w++)
		if (t->vpn[base + w] == vpn)
			return (long)(base + w);
	return -1;
}

/* Returns 1 if a valid entry was evicted. */
static int tlb_fill(struct tlb *t, uint64_t vaddr, uint64_t frame, bool global, bool ro,
		    bool clean)
{
	uint64_t vpn = vaddr >> t->page_shift;
	long i = tlb_find(t, vaddr);
	int evicted = 0;
	if (i < 0) {
		size_t base = (size_t)(vpn & t->set_mask) * t->ways;
		size_t v = base;
		for (unsigned w = 0; w < t->ways; w++) {
			if (t->vpn[base + w] == NO_PAGE) {
				v = base + w;
				break;
			}
			if (t->stamp[base + w] < t->stamp[v])
				v = base + w;
		}
		evicted = t->vpn[v] != NO_PAGE;
		i = (long)v;
	}
	t->vpn[i] = vpn;
	t->frame[i] = frame >> t->page_shift << t->page_shift;
	t->global[i] = global;
	t->ro[i] = ro;
	t->clean[i] = clean;
	t->stamp[i] = ++t->tick;
	return evicted;
}

static void tlb_drop(struct tlb *t, long i)
{
	t->vpn[i] = NO_PAGE;
	t->stamp[i] = 0;
	t->global[i] = false;
	t->ro[i] = false;
	t->clean[i] = false;
}

static void tlb_flush(struct tlb *t, bool include_global)
{
	size_t n = (size_t)(t->set_mask + 1) * t->ways;
	for (size_t i = 0; i < n; i++)
		if (t->vpn[i] != NO_PAGE && (include_global || !t->global[i]))
			tlb_drop(t, (long)i);
}

void hw_tlb_init(struct hw *hw, int cpu)
{
	struct hw_cpu *pc = &hw->cpu[cpu];
	pc->tlb4k = tlb_create(&hw->d.dtlb, HW_PAGE_SHIFT);
	pc->tlb_large = tlb_create(&hw->d.dtlb_large, hw_arch_large_page_shift(hw->d.arch));
}

void hw_tlb_fini(struct hw *hw, int cpu)
{
	tlb_destroy(hw->cpu[cpu].tlb4k);
	tlb_destroy(hw->cpu[cpu].tlb_large);
}

void hw_tlb_invalidate_all(struct hw *hw, int cpu)
{
	tlb_flush(hw->cpu[cpu].tlb4k, true);
	tlb_flush(hw->cpu[cpu].tlb_large, true);
}

void hw_set_mmu(struct hw *hw, int cpu, const struct hw_mmu *mmu)
{
	MMSIM_ASSERT(cpu >= 0 && cpu < hw->ncpus);
	if (mmu)
		hw->cpu[cpu].mmu = *mmu;
	else
		hw->cpu[cpu].mmu = (struct hw_mmu){ 0 };
}

const struct hw_tlb_stats *hw_tlb_stats(const struct hw *hw, int cpu)
{
	MMSIM_ASSERT(cpu >= 0 && cpu < hw->ncpus);
	return &hw->cpu[cpu].tst;
}

static int walk(struct hw *hw, int cpu, uint64_t vaddr, int write, struct hw_walk *w)
{
	struct hw_cpu *pc = &hw->cpu[cpu];
	if (!pc->mmu.walk)
		mmsim_panic("cpu %d: virtual access at 0x%llx with no page-table walker", cpu,
			    (unsigned long long)vaddr);
	*w = (struct hw_walk){ 0 };
	int rc = pc->mmu.walk(pc->mmu.ctx, cpu, vaddr, write, w);
	MMSIM_ASSERT(w->levels <= hw_arch_pt_levels(hw->d.arch));
	return rc;
}

int hw_translate(struct hw *hw, int cpu, uint64_t vaddr, int write, uint64_t *paddr,
		 cycle_t *cycles)
{
	MMSIM_ASSERT(cpu >= 0 && cpu < hw->ncpus);
	struct hw_cpu *pc = &hw->cpu[cpu];
	struct hw_walk w;
	*cycles = 0;
	if (!hw->cost_on) {
		/* No TLB, no cost: still ask the walker, so faults do not depend
		 * on the cost switch. */
		int rc = walk(hw, cpu, vaddr, write, &w);
		if (rc == 0) {
			unsigned sh = w.large ? hw_arch_large_page_shift(hw->d.arch) : HW_PAGE_SHIFT;
			uint64_t mask = (UINT64_C(1) << sh) - 1;
			*paddr = (w.frame & ~mask) | (vaddr & mask);
		}
		return rc;
	}
	struct hw_tlb_stats *ts = &pc->tst;
	long i = tlb_find(pc->tlb4k, vaddr);
	struct tlb *t = pc->tlb4k;
	if (i < 0) {
		i = tlb_find(pc->tlb_large, vaddr);
		t = pc->tlb_large;
		if (i >= 0)
			ts->hits_large++;
	}
	bool assist = false;
	if (i >= 0 && write && (t->ro[i] || t->clean[i])) {
		/* A write to a read-only page walks (and faults); the first write
		 * through a clean entry walks so the walker sets Dirty. */
		assist = !t->ro[i];
		tlb_drop(t, i);
		i = -1;
	}
	if (i >= 0) {
		ts->hits++;
		t->stamp[i] = ++t->tick;
		uint64_t mask = (UINT64_C(1) << t->page_shift) - 1;
		*paddr = t->frame[i] | (vaddr & mask);
		return 0;
	}
	if (assist)
		ts->hits++;
	else
		ts->misses++;
	ts->walks++;
	int rc = walk(hw, cpu, vaddr, write, &w);
	unsigned esize = w.entry_size ? w.entry_size : 8;
	cycle_t wc = 0;
	for (unsigned l = 0; l < w.levels; l++)
		wc += hw_access(hw, cpu, w.entry[l], esize, HW_READ);
	ts->walk_cycles += wc;
	*cycles = wc;
	if (rc) {
		ts->faults++;
		return rc;
	}
	t = w.large ? pc->tlb_large : pc->tlb4k;
	if (tlb_fill(t, vaddr, w.frame, w.global, w.readonly, w.clean))
		ts->evictions++;
	uint64_t mask = (UINT64_C(1) << t->page_shift) - 1;
	*paddr = (w.frame & ~mask) | (vaddr & mask);
	return 0;
}

int hw_vaccess(struct hw *hw, int cpu, uint64_t vaddr, unsigned size, int write,
	       cycle_t *cycles)
{
	*cycles = 0;
	uint64_t end = vaddr + size;
	while (vaddr < end) {
		uint64_t page_end = (vaddr | (HW_PAGE_SIZE - 1)) + 1;
		unsigned n = (unsigned)((page_end < end ? page_end : end) - vaddr);
		uint64_t paddr;
		cycle_t c;
		int rc = hw_translate(hw, cpu, vaddr, write, &paddr, &c);
		*cycles += c;
		if (rc)
			return rc;
		*cycles += hw_access(hw, cpu, paddr, n, write);
		vaddr += n;
	}
	return 0;
}

/* The invalidation itself, done whether or not the cost model is on so that
 * no stale translation outlives a flush. */
static void flush_page(struct hw_cpu *pc, uint64_t vaddr)
{
	long i = tlb_find(pc->tlb4k, vaddr);
	if (i >= 0)
		tlb_drop(pc->tlb4k, i);
	i = tlb_find(pc->tlb_large, vaddr);
	if (i >= 0)
		tlb_drop(pc->tlb_large, i);
}

cycle_t hw_tlb_flush_page(struct hw *hw, int cpu, uint64_t vaddr)
{
	MMSIM_ASSERT(cpu >= 0 && cpu < hw->ncpus);
	struct hw_cpu *pc = &hw->cpu[cpu];
	flush_page(pc, vaddr);
	if (!hw->cost_on)
		return 0;
	pc->tst.flush_page++;
	return hw->d.invlpg_latency;
}

cycle_t hw_tlb_flush_all(struct hw *hw, int cpu, bool include_global)
{
	MMSIM_ASSERT(cpu >= 0 && cpu < hw->ncpus);
	struct hw_cpu *pc = &hw->cpu[cpu];
	tlb_flush(pc->tlb4k, include_global);
	tlb_flush(pc->tlb_large, include_global);
	if (!hw->cost_on)
		return 0;
	pc->tst.flush_all++;
	return hw->d.tlb_flush_latency;
}

cycle_t hw_tlb_shootdown(struct hw *hw, int initiator, const struct hw_cpumask *targets,
			 uint64_t vaddr)
{
	MMSIM_ASSERT(initiator >= 0 && initiator < hw->ncpus);
	cycle_t cost = 0;
	bool on = hw->cost_on;
	if (on)
		hw->cpu[initiator].tst.shootdowns++;
	for (int c = 0; c < hw->ncpus; c++) {
		if (!hw_cpumask_test(targets, c))
			continue;
		cycle_t f = vaddr == HW_TLB_FLUSH_ALL	 ? hw_tlb_flush_all(hw, c, false)
			    : vaddr == HW_TLB_FLUSH_GLOBAL ? hw_tlb_flush_all(hw, c, true)
							   : hw_tlb_flush_page(hw, c, vaddr);
		if (c == initiator) {
			cost += f;
			continue;
		}
		if (!on)
			continue;
		hw->cpu[c].stolen += f;
		hw->cpu[c].tst.ipis_received++;
		hw->cpu[initiator].tst.ipis_sent++;
		cost += hw->d.ipi_latency;
	}
	return cost;
}
