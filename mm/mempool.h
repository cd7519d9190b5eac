/*
 * Memory pools (mm/2.6.11/mempool.c): the public API.
 *
 * A mempool guarantees that min_nr elements can always be had eventually:
 * it keeps that many in reserve, taken at creation. mempool_alloc first
 * asks the page allocator (without sleeping or I/O), then takes a reserved
 * element; when both fail, a caller that may sleep (__GFP_WAIT) waits on
 * the pool's queue until mempool_free puts an element back. Here the
 * elements are pages (the kernel's mempool_alloc_pages; bounce.c's pools),
 * each below a physical limit.
 *
 * Sleeping. As everywhere in mm/, nothing here waits: mempool_alloc returns
 * NULL with mm_errno() == MM_EAGAIN ("would sleep"); the caller waits on
 * mempool_wait(pool) and calls again when woken, the kernel's loop.
 */
#ifndef MMSIM_MM_MEMPOOL_H
#define MMSIM_MM_MEMPOOL_H

#include <stdint.h>

#include "mm/highmem.h"   /* MM_EAGAIN */
#include "mm/mm.h"

struct mempool_stats {
	uint64_t alloc;            /* mempool_alloc calls that returned a page */
	uint64_t from_allocator;   /* of which the page allocator gave */
	uint64_t from_reserve;     /* of which came from the reserved elements */
	uint64_t waits;            /* calls that found both empty and would sleep */
	uint64_t failed;           /* ... and could not sleep (no __GFP_WAIT) */
	uint64_t free_to_reserve;  /* mempool_free refilling the reserve */
	uint64_t free_to_allocator;/* ... or giving the page back */
	uint64_t wakeups;          /* tasks woken by mempool_free */
	uint64_t min_curr_nr;      /* the lowest the reserve went */
};

typedef struct mempool_s mempool_t;

/*
 * 2.6.11 mempool_create with mempool_alloc_pages: min_nr pages of
 * GFP_KERNEL | zone_gfp, each below limit (bytes), reserved now. name is
 * not copied. NULL with MM_ENOMEM (what was taken is given back).
 */
mempool_t *mempool_create(struct mm *mm, const char *name, int min_nr, gfp_t zone_gfp,
			  uint64_t limit);
/* A page, or NULL with MM_EAGAIN (wait on mempool_wait, then call again)
 * or MM_ENOMEM (gfp_mask has no __GFP_WAIT). */
struct page *mempool_alloc(struct mm *mm, mempool_t *pool, gfp_t gfp_mask);
/* Back to the reserve if it is short (waking its waiters), else to the
 * page allocator. Callable from interrupt context. */
void mempool_free(struct mm *mm, struct page *page, mempool_t *pool);
/* Host memory only (the reserved pages are not given back). */
void mempool_destroy(mempool_t *pool);

struct sim_waitq *mempool_wait(mempool_t *pool);
int mempool_min_nr(const mempool_t *pool);
int mempool_curr_nr(const mempool_t *pool);
uint64_t mempool_limit(const mempool_t *pool);
const char *mempool_name(const mempool_t *pool);
const struct mempool_stats *mempool_stats(const mempool_t *pool);
/* Register its counters as <prefix>.<name> (curr_nr included). */
void mempool_register_stats(mempool_t *pool, struct stats_registry *reg, const char *prefix);

#endif
