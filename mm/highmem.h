/*
 * Kernel mappings of HighMem frames (Linux 2.6.11 mm/highmem.c, ours in
 * mm/2.6.11/highmem.c): the public API, which both eras run until the
 * modern era has 6.1's kmap_local.
 *
 * On i386 the kernel maps only lowmem (the first 896 MiB) at PAGE_OFFSET.
 * A HighMem frame has no kernel address until someone maps it, either
 *   - permanently, with kmap: one of LAST_PKMAP (1024, or 512 with PAE)
 *     slots of the pkmap area, shared by every CPU, counted by pkmap_count;
 *     the caller may sleep while the pool is full; or
 *   - temporarily, with kmap_atomic: one fixmap window per CPU and km_type,
 *     which never sleeps and costs one local TLB invalidation.
 * On x86_64 every frame is lowmem: kmap and kmap_atomic return the direct
 * map address and cost nothing.
 *
 * Sleeping. The kernel's kmap_high sleeps inside map_new_virtual when every
 * slot is in use. mmsim's mm code never waits: kmap returns 0 with
 * mm_errno() == MM_EAGAIN ("would sleep"); the caller (a task in the Lua
 * layer) waits on mm_pkmap_wait() and calls kmap again when woken, exactly
 * the kernel's loop. kunmap wakes that queue when a slot becomes reusable.
 */
#ifndef MMSIM_MM_HIGHMEM_H
#define MMSIM_MM_HIGHMEM_H

#include <stdint.h>

#include "hw/hw.h"
#include "mm/mm.h"
#include "sim/sim.h"

/* Returned (negated) or in mm_errno when kmap would sleep. */
#define MM_EAGAIN 5

/* 2.6.11 include/asm-i386/kmap_types.h: the fixmap windows of each CPU. */
enum km_type {
	KM_BOUNCE_READ,
	KM_SKB_SUNRPC_DATA,
	KM_SKB_DATA_SOFTIRQ,
	KM_USER0,
	KM_USER1,
	KM_BIO_SRC_IRQ,
	KM_BIO_DST_IRQ,
	KM_PTE0,
	KM_PTE1,
	KM_IRQ0,
	KM_IRQ1,
	KM_SOFTIRQ0,
	KM_SOFTIRQ1,
	KM_TYPE_NR
};
/* "KM_USER0" -> KM_USER0, or -1. */
int km_type_parse(const char *name);
const char *km_type_name(int type);

/* The hardware whose TLBs the mappings' invalidations reach (NULL: none,
 * invalidations are counted but cost nothing). The Lua layer sets it. */
void mm_set_hw(struct mm *mm, struct hw *hw);

/*
 * 2.6.11 kmap: the kernel virtual address of page, mapping it in the pkmap
 * area if it is HighMem (kmap_high) and taking a reference on the slot.
 * Returns the address, or 0 with mm_errno():
 *   MM_EAGAIN  every slot is in use: wait on mm_pkmap_wait, then call again;
 *   MM_EINVAL  called where sleeping is not allowed (interrupt context, or
 *              the current CPU holds a kmap_atomic window);
 *   MM_ENOCPU  no current CPU.
 */
uint64_t kmap(struct mm *mm, struct page *page);
/* 2.6.11 kunmap / kunmap_high: drop the reference kmap took. 0, or
 * -MM_EINVAL (nothing changed) for a HighMem page that is not kmapped. */
int kunmap(struct mm *mm, struct page *page);
/* PKMAP_BASE for an i386 machine of ncpus CPUs (the fixmap below
 * FIXADDR_TOP grows with them); 0 on x86_64, which has no pkmap area. */
uint64_t highmem_pkmap_base(enum hw_arch arch, int ncpus);

/* The pkmap wait queue (pkmap_map_wait), or NULL without HighMem. */
struct sim_waitq *mm_pkmap_wait(struct mm *mm);

/*
 * 2.6.11 kmap_atomic: map page in the current CPU's window `type` (HighMem)
 * or return its direct address (lowmem); either way the window is held
 * until kunmap_atomic and the CPU may not sleep meanwhile. Returns the
 * address, or 0 with MM_EINVAL (bad type, the window already in use: the
 * CONFIG_DEBUG_HIGHMEM check) or MM_ENOCPU.
 */
uint64_t kmap_atomic(struct mm *mm, struct page *page, int type);
/* Release the current CPU's window `type`. 0, or -MM_EINVAL if it is not
 * in use. */
int kunmap_atomic(struct mm *mm, int type);
/* The frame cpu's window `type` holds, or -1. */
int64_t kmap_atomic_pfn(const struct mm *mm, int cpu, int type);
/* Windows cpu holds (its preempt count from kmap_atomic). */
int kmap_atomic_depth(const struct mm *mm, int cpu);

/* The virtual address of slot nr and of cpu's window type, and the slot of
 * a pkmap address (-1 if not one). 0 / -1 without HighMem. */
uint64_t mm_pkmap_addr(const struct mm *mm, int nr);
int mm_pkmap_nr(const struct mm *mm, uint64_t vaddr);
uint64_t mm_fixmap_kmap_addr(const struct mm *mm, int cpu, int type);
/* LAST_PKMAP (0 without HighMem) and pkmap_count[nr]. */
int mm_last_pkmap(const struct mm *mm);
int mm_pkmap_count(const struct mm *mm, int nr);

/* Counters, also registered in the stats as mm.highmem.<name>. */
struct mm_highmem_stats {
	uint64_t kmap;            /* kmap calls */
	uint64_t kmap_high;       /* of which on HighMem pages */
	uint64_t kmap_new;        /* map_new_virtual: a slot filled */
	uint64_t kmap_waits;      /* kmap found the pool full (would sleep) */
	uint64_t kunmap;          /* kunmap calls */
	uint64_t kunmap_wakeups;  /* kunmaps that woke waiters */
	uint64_t flushes;         /* flush_all_zero_pkmaps calls */
	uint64_t flushed_slots;   /* slots freed by them */
	uint64_t kmap_atomic;     /* kmap_atomic calls */
	uint64_t kmap_atomic_high;/* of which on HighMem pages */
	uint64_t kunmap_atomic;
	uint64_t tlb_invlpg;      /* single-entry invalidations (kmap_atomic) */
	uint64_t tlb_flush_all;   /* global flushes (one per flush, every CPU) */
	uint64_t pte_writes;      /* pkmap and fixmap PTEs written */
	uint64_t hash_lookups;    /* page_address_htable lookups */
};
/* NULL without HighMem. */
const struct mm_highmem_stats *mm_highmem_stats(const struct mm *mm);

#endif
