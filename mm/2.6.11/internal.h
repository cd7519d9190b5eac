/*
 * What the files of mm/2.6.11 share and nobody else sees: the classic era's
 * internal functions (the kernel's mm/internal.h, for this era's folder).
 * It includes mm/'s shared internal.h; nothing outside this folder
 * includes it.
 *
 * Names. Functions keep the kernel's names. Both eras are linked into one
 * program, so a function that this era's files share and that the other
 * era has too (the kernel has it in both versions: try_to_free_pages,
 * wakeup_kswapd, kswapd) carries this era's suffix, _2611; the other's
 * carries _61.
 */
#ifndef MMSIM_MM_2611_INTERNAL_H
#define MMSIM_MM_2611_INTERNAL_H

#include "mm/internal.h"

/* vmscan.c: wakeup_kswapd (only when the zone is at or below pages_low),
 * kswapd's step, and direct reclaim, which frees nothing yet. */
void wakeup_kswapd_2611(struct mm *mm, struct zone *zone, unsigned order);
enum sim_step kswapd_2611(struct sim *s, struct sim_task *t);
int try_to_free_pages_2611(struct mm *mm, gfp_t gfp, unsigned order);

/* init.c: sets mm->direct_map_end from the memory map and returns in *bytes
 * the size of the page tables that map it, kmap's after them (whole
 * frames); -1 with a message if the architecture cannot map that much. */
int kernel_pgtable_size(struct mm *mm, const struct hw_machine_desc *d, uint64_t *bytes,
			char *err, size_t errlen);

/* highmem.c: the bytes of simulated memory its tables need (0 on x86_64),
 * reserved after the direct map's tables; setting up and freeing its state
 * (base: where that block starts); a HighMem frame's kmap address (0 if
 * none); the walker's part: the PTE of a pkmap or fixmap address, appended
 * to w (0, or -MM_EFAULT when not present), or 1 for another address. */
uint64_t highmem_data_bytes(const struct mm *mm);
void highmem_init(struct mm *mm, uint64_t base);
void highmem_destroy(struct mm *mm);
uint64_t highmem_page_address(const struct mm *mm, uint64_t pfn);
int highmem_walk(const struct mm *mm, uint64_t vaddr, struct hw_walk *w);
void highmem_register_stats(struct mm *mm, struct stats_registry *reg);
/* highmem.c: zero the HighMem block at page through the current CPU's
 * KM_USER0 window (clear_highpage), charged. */
void highmem_clear_pages(struct mm *mm, struct page *page, unsigned order);
/* bounce.c: free its state. */
void bounce_destroy(struct mm *mm);
/* mmap.c: free the user address spaces' host memory (the run is over), and
 * the invariant checker's part for them. */
void user_destroy(struct mm *mm);
int user_check(struct mm *mm, char *err, size_t errlen);

#endif
