/*
 * The page allocator's entry points (alloc_pages, __free_pages and their
 * kin, mm/mm.h), and what both eras' allocators do alike, out of line.
 *
 * An entry point goes to the era's allocator through its table (mm->ops:
 * mm/2.6.11/page_alloc.c, mm/6.1/page_alloc.c), whose entry checks what it
 * is given (the CPU it runs on, the order, the gfp mask against the era's
 * __GFP_BITS_MASK, a freed page against what was handed out), allocates or
 * frees, traces the result, and runs the invariant checker when the policy
 * says check=on: mm/entry.h's bodies, which each era compiles around its
 * own mechanisms so that one indirect call is all the table costs.
 * The checks are mmsim's: the kernel trusts its callers and BUG()s, we
 * return a clean error (mm.h) and change nothing.
 *
 * Freeing. A page's count drops on every __free_pages (put_page_testzero);
 * only the last reference gives the block back, through the era's
 * free_the_page (2.6.11: the hot or cold per-CPU list for order 0, the
 * buddy lists for the rest; 6.1: the per-CPU lists for the orders they
 * hold).
 */
#include <stdio.h>
#include <string.h>

#include "mm/entry.h"

/* ---- Entering and leaving ----------------------------------------------- */

int mm_enter(struct mm *mm)
{
	return __mm_enter(mm);
}

void mm_leave(struct mm *mm, const char *where)
{
	__mm_leave(mm, where);
}

/* ---- Trace events both eras emit --------------------------------------- */

static const char *cur_task_name(struct mm *mm)
{
	struct sim_task *t = sim_cur_task(mm->sim);
	return t ? t->name : NULL;
}

static const char *const wmark_band_names[] = { "above high", "below high", "below low", "below min" };

void trace_mm_zone_watermark(struct mm *mm, struct zone *zone, unsigned long old)
{
	unsigned long b = zone->watermark_boost;
	trace_begin(mm->trace, mm->ev_zone_wmark, sim_now(mm->sim), mm->cpu, cur_task_name(mm));
	trace_i64(mm->trace, "nid", zone->zone_pgdat->node_id);
	trace_str(mm->trace, "zone", zone->name);
	trace_u64(mm->trace, "free", zone->free_pages);
	trace_str(mm->trace, "from", wmark_band_names[wmark_band(zone, old)]);
	trace_str(mm->trace, "to", wmark_band_names[wmark_band(zone, zone->free_pages)]);
	trace_u64(mm->trace, "min", zone->pages_min + b);
	trace_u64(mm->trace, "low", zone->pages_low + b);
	trace_u64(mm->trace, "high", zone->pages_high + b);
	trace_end(mm->trace);
}

void trace_mm_page_pcpu_drain(struct mm *mm, struct page *page, unsigned order, int mt)
{
	if (!trace_enabled(mm->trace, mm->ev_pcpu_drain))
		return;
	trace_begin(mm->trace, mm->ev_pcpu_drain, sim_now(mm->sim), mm->cpu, cur_task_name(mm));
	trace_u64(mm->trace, "pfn", __page_to_pfn(mm, page));
	trace_u64(mm->trace, "order", order);
	if (mt >= 0)
		trace_i64(mm->trace, "migratetype", mt);
	trace_end(mm->trace);
}

void trace_mm_page_alloc_zone_locked(struct mm *mm, struct page *page, unsigned order)
{
	if (!trace_enabled(mm->trace, mm->ev_alloc_zone_locked))
		return;
	trace_begin(mm->trace, mm->ev_alloc_zone_locked, sim_now(mm->sim), mm->cpu, cur_task_name(mm));
	trace_u64(mm->trace, "pfn", __page_to_pfn(mm, page));
	trace_u64(mm->trace, "order", order);
	trace_bool(mm->trace, "percpu_refill", true);
	trace_end(mm->trace);
}

void trace_mm_simple(struct mm *mm, int ev, int nid, unsigned order)
{
	if (!trace_enabled(mm->trace, ev))
		return;
	trace_begin(mm->trace, ev, sim_now(mm->sim), mm->cpu, cur_task_name(mm));
	if (nid >= 0)
		trace_i64(mm->trace, "nid", nid);
	trace_u64(mm->trace, "order", order);
	trace_end(mm->trace);
}

void trace_mm_page_alloc_fail(struct mm *mm, unsigned order, const char *gfp_text)
{
	trace_begin(mm->trace, mm->ev_alloc_fail, sim_now(mm->sim), mm->cpu, cur_task_name(mm));
	trace_u64(mm->trace, "order", order);
	trace_str(mm->trace, "gfp_flags", gfp_text);
	trace_str(mm->trace, "msg", mm->err);
	trace_end(mm->trace);
}

void trace_mm_direct_reclaim(struct mm *mm, gfp_t gfp, unsigned order, unsigned long nr_reclaimed)
{
	if (trace_enabled(mm->trace, mm->ev_direct_reclaim_begin)) {
		char g[128];
		gfp_format(gfp, g, sizeof g);
		trace_begin(mm->trace, mm->ev_direct_reclaim_begin, sim_now(mm->sim), mm->cpu, cur_task_name(mm));
		trace_u64(mm->trace, "order", order);
		trace_str(mm->trace, "gfp_flags", g);
		trace_end(mm->trace);
	}
	if (trace_enabled(mm->trace, mm->ev_direct_reclaim_end)) {
		trace_begin(mm->trace, mm->ev_direct_reclaim_end, sim_now(mm->sim), mm->cpu, cur_task_name(mm));
		trace_u64(mm->trace, "nr_reclaimed", nr_reclaimed);
		trace_end(mm->trace);
	}
}

/* ---- kswapd's task -------------------------------------------------------- */

bool kswapd_asleep(const pg_data_t *pgdat)
{
	const struct sim_task *k = &pgdat->kswapd;
	return k->state == SIM_TASK_NEW || (k->state == SIM_TASK_WAITING && k->wq == &pgdat->kswapd_wait);
}

void kswapd_wake_up(struct mm *mm, pg_data_t *pgdat, unsigned order)
{
	struct sim_task *k = &pgdat->kswapd;
	bool woke = false;
	if (k->state == SIM_TASK_NEW) {
		sim_task_start(mm->sim, k, sim_now(mm->sim));
		woke = true;
	} else if (k->state == SIM_TASK_WAITING && k->wq == &pgdat->kswapd_wait) {
		woke = sim_wake_up(mm->sim, &pgdat->kswapd_wait, 0) > 0;
	}
	if (woke) {
		pgdat->kswapd_wakeups++;
		mm->vm[KSWAPD_WAKE]++;
		trace_mm_simple(mm, mm->ev_kswapd_wake, pgdat->node_id, order);
	}
}

/* ---- What both allocators do to a page they hand out --------------------- */

void zone_statistics(struct mm *mm, struct zonelist *zonelist, struct zone *z)
{
	pg_data_t *pg = z->zone_pgdat;
	pg_data_t *orig = zonelist->zones[0]->zone_pgdat;
	struct per_cpu_pageset *p = &z->pageset[mm->cpu];
	mm_touch(mm, z->paddr + ZONE_OFF_PAGESET + (uint64_t)mm->cpu * PAGESET_SIZE + PAGESET_OFF_NUMA, 48, 1);
	if (pg == orig) {
		p->numa_hit++;
		mm->vm[NUMA_HIT]++;
	} else {
		p->numa_miss++;
		zonelist->zones[0]->pageset[mm->cpu].numa_foreign++;
		mm->vm[NUMA_MISS]++;
		mm->vm[NUMA_FOREIGN]++;
	}
	if (pg->node_id == mm->cpu_node[mm->cpu]) {
		p->local_node++;
		mm->vm[LOCAL_NODE]++;
	} else {
		p->other_node++;
		mm->vm[OTHER_NODE]++;
	}
}

void prep_zero_page(struct mm *mm, struct page *page, unsigned order)
{
	if (!mm->access)
		return;
	if (PageHighMem(page) && mm->hm) {
		mm->ops->kernel->clear_highpage(mm, page, order);
		return;
	}
	uint64_t pa = __page_to_pfn(mm, page) << HW_PAGE_SHIFT;
	uint64_t end = pa + (HW_PAGE_SIZE << order);
	for (; pa < end; pa += 64)
		mm_touch(mm, pa, 64, 1);
}

/* ---- Allocating --------------------------------------------------------- */

struct page *alloc_pages(struct mm *mm, gfp_t gfp_mask, unsigned order)
{
	return mm->ops->alloc_pages(mm, -1, gfp_mask, order, NULL);
}

struct page *alloc_pages_node(struct mm *mm, int nid, gfp_t gfp_mask, unsigned order)
{
	return mm->ops->alloc_pages(mm, nid, gfp_mask, order, NULL);
}

struct page *__alloc_pages(struct mm *mm, gfp_t gfp_mask, unsigned order, struct zonelist *zonelist)
{
	if (!zonelist) {
		mm_fail(mm, MM_EINVAL, "__alloc_pages: no zonelist");
		return NULL;
	}
	return mm->ops->alloc_pages(mm, -1, gfp_mask, order, zonelist);
}

uint64_t __get_free_pages(struct mm *mm, gfp_t gfp_mask, unsigned order)
{
	if (gfp_mask & __GFP_HIGHMEM) {
		mm_fail(mm, MM_EINVAL, "__get_free_pages: __GFP_HIGHMEM frames have no kernel address");
		return 0;
	}
	struct page *page = alloc_pages(mm, gfp_mask, order);
	return page ? page_address(mm, page) : 0;
}

uint64_t get_zeroed_page(struct mm *mm, gfp_t gfp_mask)
{
	/* 2.6.11 BUG_ON(gfp_mask & __GFP_HIGHMEM): the address would not fit. */
	if (gfp_mask & __GFP_HIGHMEM) {
		mm_fail(mm, MM_EINVAL, "get_zeroed_page: __GFP_HIGHMEM frames have no kernel address");
		return 0;
	}
	return __get_free_pages(mm, gfp_mask | __GFP_ZERO, 0);
}

uint64_t __get_dma_pages(struct mm *mm, gfp_t gfp_mask, unsigned order)
{
	return __get_free_pages(mm, gfp_mask | GFP_DMA, order);
}

/* ---- Freeing ------------------------------------------------------------ */

void trace_mm_page_free(struct mm *mm, uint64_t pfn, unsigned order, cycle_t start)
{
	trace_begin(mm->trace, mm->ev_free, start, mm->cpu, cur_task_name(mm));
	trace_u64(mm->trace, "pfn", pfn);
	trace_u64(mm->trace, "order", order);
	trace_u64(mm->trace, "cycles", sim_now(mm->sim) - start);
	trace_end(mm->trace);
}

/* destroy_compound_page's check: 0, or -1 if the marks are not those of a
 * compound page of this order (the kernel's bad_page). */
static int check_compound_page(pg_data_t *pgdat, struct page *page, unsigned order)
{
	if (!PageCompound(page))
		return 0;
	if (order == 0 || page[1].index != order)
		return -1;
	uint32_t head = page_idx_node(pgdat, page);
	for (unsigned long i = 0; i < (1UL << order); i++)
		if (!PageCompound(&page[i]) || page[i].private != head)
			return -1;
	return 0;
}

/* The checks the kernel makes with BUG_ON and bad_page, as errors (the
 * slow path of mm/entry.h's free_pages_entry). */
int check_free(struct mm *mm, struct page *page, unsigned order)
{
	if (!page || !page_is_ours(mm, page))
		return mm_fail(mm, MM_EINVAL, "__free_pages: not a page of this machine");
	if (free_is_plain(page, order))
		return 0;
	uint64_t pfn = __page_to_pfn(mm, page);
	struct zone *zone = zone_of_page(mm, page);
	if (order >= mm->max_order)
		return mm_fail(mm, MM_EINVAL, "pfn %llu: order %u must be below MAX_ORDER (%u)",
			       (unsigned long long)pfn, order, mm->max_order);
	if (((unsigned long)(page - zone->zone_mem_map)) & ((1UL << order) - 1))
		return mm_fail(mm, MM_EINVAL, "pfn %llu: not aligned to its order %u block",
			       (unsigned long long)pfn, order);
	if ((unsigned long)(page - zone->zone_mem_map) + (1UL << order) > zone->spanned_pages)
		return mm_fail(mm, MM_EINVAL, "pfn %llu: an order %u block would run past its zone",
			       (unsigned long long)pfn, order);
	if (PageReserved(page))
		return mm_fail(mm, MM_EINVAL, "pfn %llu: reserved frame, never handed out "
			       "(the kernel ignores such a free silently)", (unsigned long long)pfn);
	if (page_count(page) == 0)
		return mm_fail(mm, MM_EINVAL, "pfn %llu: page_count is 0: a free page, or not the first "
			       "frame of an allocated block",
			       (unsigned long long)pfn);
	if (!PageAllocHead(page))
		return mm_fail(mm, MM_EINVAL, "pfn %llu: not the first frame of an allocated block",
			       (unsigned long long)pfn);
	unsigned got = page_alloc_order(page);
	if (got != order)
		return mm_fail(mm, MM_EINVAL, "pfn %llu: allocated with order %u, freed with order %u",
			       (unsigned long long)pfn, got, order);
	if (check_compound_page(zone->zone_pgdat, page, order))
		return mm_fail(mm, MM_EINVAL, "pfn %llu: bad compound page marks (bad_page)",
			       (unsigned long long)pfn);
	return 0;
}

int __free_pages(struct mm *mm, struct page *page, unsigned order)
{
	return mm->ops->free_pages(mm, page, order, false);
}

int free_cold_page(struct mm *mm, struct page *page)
{
	return mm->ops->free_pages(mm, page, 0, true);
}

int free_pages(struct mm *mm, uint64_t kaddr, unsigned order)
{
	if (kaddr == 0)
		return 0;
	struct page *page = virt_to_page(mm, kaddr);
	if (!page)
		return mm_fail(mm, MM_EINVAL, "free_pages: 0x%llx is not a direct-map address",
			       (unsigned long long)kaddr);
	return __free_pages(mm, page, order);
}

int free_pages_pfn(struct mm *mm, uint64_t pfn, unsigned order)
{
	struct page *page = __pfn_to_page(mm, pfn);
	if (!page)
		return mm_fail(mm, MM_EINVAL, "pfn %llu: outside every zone", (unsigned long long)pfn);
	return __free_pages(mm, page, order);
}

int get_page(struct mm *mm, struct page *page)
{
	if (!page || !page_is_ours(mm, page))
		return mm_fail(mm, MM_EINVAL, "get_page: not a page of this machine");
	if (page_count(page) == 0)
		return mm_fail(mm, MM_EINVAL, "pfn %llu: get_page on a free page",
			       (unsigned long long)__page_to_pfn(mm, page));
	page->_count++;
	return 0;
}

/* ---- The per-CPU lists, and counting ------------------------------------ */

void drain_local_pages(struct mm *mm)
{
	if (mm_enter(mm))
		return;
	mm->ops->drain_pages(mm, mm->cpu);
	mm_leave(mm, "drain_local_pages");
}

void drain_all_pages(struct mm *mm)
{
	if (mm_enter(mm))
		return;
	for (int cpu = 0; cpu < mm->ncpus; cpu++)
		mm->ops->drain_pages(mm, cpu);
	mm_leave(mm, "drain_all_pages");
}

unsigned long nr_free_pages(const struct mm *mm)
{
	unsigned long sum = 0;
	for (int nid = 0; nid < mm->nr_nodes; nid++)
		for (int j = 0; j < MAX_NR_ZONES; j++)
			sum += mm->node_data[nid]->node_zones[j].free_pages;
	return sum;
}
