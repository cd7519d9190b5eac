/*
 * Per-CPU TLBs and virtual accesses.
 *
 * Each CPU has two set-associative data TLBs: one for 4 KiB pages
 * (desc.dtlb) and one for large pages (desc.dtlb_large: 2 MiB, or 4 MiB on
 * i386 without PAE). Both are looked up together, as hardware does; a hit
 * costs nothing beyond the data access. A miss asks the CPU's page-table
 * walker (struct hw_mmu, provided by the memory manager) where each level's
 * entry lives, fetches every entry through hw_access (so a walk over
 * recently used tables hits in the caches), then fills the TLB the walker's
 * page size says.
 *
 * Replacement is LRU within a set. Entries marked global survive a
 * non-global full flush (as with CR4.PGE and a CR3 reload). An entry the
 * walker marked read-only does not serve a write: the write walks again
 * and the walker reports the protection fault. An entry the walker marked
 * clean serves reads; a write walks again, so that the walker sets the
 * page's Dirty bit, as an x86 CPU does the first time it writes through a
 * translation whose Dirty bit is clear. Accessed bits likewise change only
 * on a walk: a page used through a cached translation is not marked again
 * until that translation leaves the TLB, which is what the kernel's aging
 * (page_referenced) sees on real hardware.
 */
#ifndef MMSIM_HW_TLB_H
#define MMSIM_HW_TLB_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/hw.h"

#define HW_PT_MAX_LEVELS 4

/* What a page-table walk found. The walker fills it. */
struct hw_walk {
	unsigned levels;      /* entries fetched, 1..hw_arch_pt_levels (fewer for a
	                         large page: its walk stops above the last level) */
	uint64_t entry[HW_PT_MAX_LEVELS]; /* physical address of each entry read,
	                         top level first */
	unsigned entry_size;  /* bytes per entry: 8, or 4 for 2-level i386 (0: 8) */
	uint64_t frame;       /* physical address of the page's first byte */
	bool large;           /* a large page (hw_arch_large_page_shift) */
	bool global;          /* survives a non-global flush */
	bool readonly;        /* a write must fault: the TLB entry does not serve
	                         writes (the walker faults a write itself) */
	bool clean;           /* the PTE's Dirty bit was clear (a read walk of a
	                         page the walker tracks): the entry serves reads,
	                         and the first write through it walks again so the
	                         walker can set Dirty, as an x86 CPU does (an
	                         assist, counted in walks but not misses) */
};

/*
 * The walker: returns 0 and fills *w, or a negative fault code (not present,
 * protection) after filling w->levels and w->entry[] with the entries it read
 * before finding the fault, so that they are charged.
 */
struct hw_mmu {
	int (*walk)(void *ctx, int cpu, uint64_t vaddr, int write, struct hw_walk *w);
	void *ctx;
};

struct hw_tlb_stats {
	uint64_t hits;            /* lookups that hit either TLB */
	uint64_t hits_large;      /* of which in the large-page TLB */
	uint64_t misses;
	uint64_t walks;           /* page-table walks (= misses) */
	uint64_t walk_cycles;     /* cycles spent fetching page-table entries */
	uint64_t faults;          /* walks that ended in a fault */
	uint64_t evictions;       /* valid entries replaced by a fill */
	uint64_t flush_page;      /* single-page invalidations done here */
	uint64_t flush_all;       /* full flushes done here */
	uint64_t shootdowns;      /* shootdowns this CPU initiated */
	uint64_t ipis_sent;
	uint64_t ipis_received;
};

/* Sets cpu's page-table walker (copied; NULL: none, virtual accesses then
 * panic). */
void hw_set_mmu(struct hw *hw, int cpu, const struct hw_mmu *mmu);

/*
 * cpu reads or writes size bytes at vaddr: for each 4 KiB page the range
 * touches, a TLB lookup (and on a miss a walk through the caches), then the
 * data access through hw_access. Returns 0 with the total cost in *cycles,
 * or the walker's negative fault code with *cycles holding what was charged
 * up to and including the faulting walk (the rest of the range untouched).
 */
int hw_vaccess(struct hw *hw, int cpu, uint64_t vaddr, unsigned size, int write,
	       cycle_t *cycles);

/* Translates vaddr as a load would (TLB, walk on a miss), without the data
 * access. Returns 0 and *paddr, or a fault; *cycles as hw_vaccess. */
int hw_translate(struct hw *hw, int cpu, uint64_t vaddr, int write, uint64_t *paddr,
		 cycle_t *cycles);

/* Drops the entry that maps vaddr (either page size) from cpu's TLBs, global
 * or not. Costs invlpg_latency. */
cycle_t hw_tlb_flush_page(struct hw *hw, int cpu, uint64_t vaddr);

/* Drops every entry of cpu's TLBs, or every non-global one. Costs
 * tlb_flush_latency. */
cycle_t hw_tlb_flush_all(struct hw *hw, int cpu, bool include_global);

/* A set of CPUs for shootdowns. */
struct hw_cpumask {
	uint64_t bits[HW_MAX_CPUS / 64];
};

static inline void hw_cpumask_set(struct hw_cpumask *m, int cpu)
{
	m->bits[cpu / 64] |= UINT64_C(1) << (cpu % 64);
}

static inline bool hw_cpumask_test(const struct hw_cpumask *m, int cpu)
{
	return (m->bits[cpu / 64] >> (cpu % 64)) & 1;
}

#define HW_TLB_FLUSH_ALL UINT64_MAX  /* shootdown of every non-global entry */
#define HW_TLB_FLUSH_GLOBAL (UINT64_MAX - 1) /* of every entry, global ones too
                                              * (the kernel's flush_tlb_all) */

/*
 * initiator invalidates vaddr (or, with HW_TLB_FLUSH_ALL, every non-global
 * entry; with HW_TLB_FLUSH_GLOBAL, every entry) on every CPU in targets. The initiator flushes its own TLB if it is
 * in targets, and sends an IPI to each other target. Returns the initiator's
 * cost: its own flush plus ipi_latency per other target. Each other target's
 * flush cost is added to its stolen cycles (hw_cpu_take_stolen).
 */
cycle_t hw_tlb_shootdown(struct hw *hw, int initiator, const struct hw_cpumask *targets,
			 uint64_t vaddr);

const struct hw_tlb_stats *hw_tlb_stats(const struct hw *hw, int cpu);

#endif
