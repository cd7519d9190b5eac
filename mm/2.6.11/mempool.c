/*
 * Memory pools (Linux 2.6.11 mm/mempool.c; our own code, the kernel's
 * names), for pages: mempool_alloc_pages as bounce.c's pools use them
 * (init_emergency_pool's page_pool, init_emergency_isa_pool's
 * isa_page_pool).
 *
 * The reserve is an array of min_nr elements, curr_nr of them present.
 * mempool_alloc tries, in 2.6.11's order:
 *   1. the page allocator, with __GFP_WAIT and __GFP_IO removed (it may
 *      not sleep or start I/O: it takes a free frame or fails at once);
 *   2. a reserved element, if curr_nr > 0;
 *   3. with __GFP_WAIT: sleep on pool->wait until mempool_free returns an
 *      element, then start again at 1 (here: MM_EAGAIN, the caller waits
 *      and calls again); without it: fail.
 * (2.6.11 also retries the allocator with the caller's full mask when the
 * reserve is below half and __GFP_FS is set; bounce buffers are GFP_NOIO,
 * which never has __GFP_FS, so that step is left out.) mempool_free puts
 * the element back into the reserve while curr_nr < min_nr, waking every
 * waiter, and otherwise frees it. So the reserve is used only when the
 * zone cannot give a frame, and a pool whose reserve is in use refills
 * first: the guarantee that I/O can always make progress.
 *
 * A frame the allocator gives that lies beyond the pool's limit (the
 * device could not reach it) is given straight back and counts as the
 * allocator failing. Not modelled: pool->lock, and the pool descriptor's
 * place in simulated memory (its bookkeeping costs nothing; the pages'
 * allocation and freeing are charged as usual).
 */
#include <stdio.h>
#include <stdlib.h>

#include "mm/2.6.11/internal.h"
#include "mm/mempool.h"

struct mempool_s {
	const char *name;
	int min_nr, curr_nr;
	uint64_t *elements;        /* pfns, [0, curr_nr) present */
	gfp_t zone_gfp;
	uint64_t limit;
	struct sim_waitq wait;
	struct mempool_stats st;
	uint64_t curr_nr_stat;     /* curr_nr as a counter for the registry */
};

/* mempool_alloc_pages with the pool's zone, refusing frames beyond it. */
static struct page *pool_page_alloc(struct mm *mm, mempool_t *pool, gfp_t gfp)
{
	struct page *p = alloc_pages(mm, gfp | pool->zone_gfp, 0);
	if (p && ((page_to_pfn(mm, p) + 1) << HW_PAGE_SHIFT) > pool->limit) {
		__free_pages(mm, p, 0);
		return NULL;
	}
	return p;
}

mempool_t *mempool_create(struct mm *mm, const char *name, int min_nr, gfp_t zone_gfp,
			  uint64_t limit)
{
	mempool_t *pool = mmsim_xcalloc(1, sizeof *pool);
	pool->name = name;
	pool->min_nr = min_nr;
	pool->zone_gfp = zone_gfp;
	pool->limit = limit;
	pool->elements = mmsim_xcalloc((size_t)min_nr, sizeof *pool->elements);
	sim_waitq_init(&pool->wait, name);
	for (int i = 0; i < min_nr; i++) {
		struct page *p = pool_page_alloc(mm, pool, GFP_KERNEL);
		if (!p) {
			while (pool->curr_nr > 0)
				__free_pages(mm, pfn_to_page(mm, pool->elements[--pool->curr_nr]), 0);
			mempool_destroy(pool);
			mm_fail(mm, MM_ENOMEM, "mempool_create %s: cannot reserve %d pages below 0x%llx",
				name, min_nr, (unsigned long long)limit);
			return NULL;
		}
		pool->elements[pool->curr_nr++] = page_to_pfn(mm, p);
	}
	pool->st.min_curr_nr = (uint64_t)min_nr;
	pool->curr_nr_stat = (uint64_t)min_nr;
	return pool;
}

void mempool_destroy(mempool_t *pool)
{
	if (!pool)
		return;
	free(pool->elements);
	free(pool);
}

struct page *mempool_alloc(struct mm *mm, mempool_t *pool, gfp_t gfp_mask)
{
	mm->errcode = 0;
	struct page *p = pool_page_alloc(mm, pool, (gfp_mask & ~(__GFP_WAIT | __GFP_IO)) |
					 __GFP_NOWARN);
	if (p) {
		pool->st.alloc++;
		pool->st.from_allocator++;
		return p;
	}
	if (pool->curr_nr > 0) {
		p = pfn_to_page(mm, pool->elements[--pool->curr_nr]);
		pool->curr_nr_stat = (uint64_t)pool->curr_nr;
		if ((uint64_t)pool->curr_nr < pool->st.min_curr_nr)
			pool->st.min_curr_nr = (uint64_t)pool->curr_nr;
		pool->st.alloc++;
		pool->st.from_reserve++;
		mm->errcode = 0;
		return p;
	}
	if (!(gfp_mask & __GFP_WAIT)) {
		pool->st.failed++;
		mm_fail(mm, MM_ENOMEM, "mempool %s: the zone has no free frame and all %d reserved "
			"pages are in use; the caller may not sleep (no __GFP_WAIT)", pool->name,
			pool->min_nr);
		return NULL;
	}
	pool->st.waits++;
	mm_fail(mm, MM_EAGAIN, "mempool %s: all %d reserved pages are in use: wait", pool->name,
		pool->min_nr);
	return NULL;
}

void mempool_free(struct mm *mm, struct page *page, mempool_t *pool)
{
	if (pool->curr_nr < pool->min_nr) {
		pool->elements[pool->curr_nr++] = page_to_pfn(mm, page);
		pool->curr_nr_stat = (uint64_t)pool->curr_nr;
		pool->st.free_to_reserve++;
		if (pool->wait.nr_waiting)
			pool->st.wakeups += (uint64_t)sim_wake_up(mm->sim, &pool->wait, 0);
		return;
	}
	pool->st.free_to_allocator++;
	int rc = __free_pages(mm, page, 0);
	MMSIM_ASSERT(rc == 0);
}

struct sim_waitq *mempool_wait(mempool_t *pool)
{
	return &pool->wait;
}

int mempool_min_nr(const mempool_t *pool)
{
	return pool->min_nr;
}

int mempool_curr_nr(const mempool_t *pool)
{
	return pool->curr_nr;
}

uint64_t mempool_limit(const mempool_t *pool)
{
	return pool->limit;
}

const char *mempool_name(const mempool_t *pool)
{
	return pool->name;
}

const struct mempool_stats *mempool_stats(const mempool_t *pool)
{
	return &pool->st;
}

void mempool_register_stats(mempool_t *pool, struct stats_registry *reg, const char *prefix)
{
	static const struct { const char *name, *desc; size_t off; } defs[] = {
#define D(f, d) { #f, d, offsetof(struct mempool_stats, f) }
		D(alloc, "mempool_alloc calls that returned a page"),
		D(from_allocator, "of which the page allocator served"),
		D(from_reserve, "of which came from the reserved pages"),
		D(waits, "mempool_alloc calls that found no page and would sleep"),
		D(failed, "mempool_alloc calls that found no page and could not sleep"),
		D(free_to_reserve, "mempool_free calls that refilled the reserve"),
		D(free_to_allocator, "mempool_free calls that freed the page"),
		D(wakeups, "tasks woken by mempool_free"),
		D(min_curr_nr, "the fewest reserved pages left at any time"),
#undef D
	};
	char name[96];
	for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
		snprintf(name, sizeof name, "%s.%s", prefix, defs[i].name);
		stats_add_counter(reg, name, defs[i].desc,
				  (const uint64_t *)((const char *)&pool->st + defs[i].off));
	}
	snprintf(name, sizeof name, "%s.curr_nr", prefix);
	stats_add_counter(reg, name, "reserved pages present now", &pool->curr_nr_stat);
}
