/*
 * The buddy system's core, which both eras run: the lists threaded through
 * struct page, the zone lock, a free block's marks, splitting a block
 * (expand), taking the smallest block that fits (__rmqueue_smallest), and
 * preparing a page handed out. Everything is static inline, so each era's
 * allocator compiles these into its own hot paths.
 *
 * The buddy system. Each zone's free frames are blocks of 2^order frames,
 * order < MAX_ORDER, aligned to their size in zone-relative index (the
 * index of a frame within the zone's mem_map). A block of order o at index
 * i has a buddy at i ^ (1 << o): the other half of the block of order o+1
 * that contains both. A free block's first frame has PG_private set and its
 * order in ->private, and is linked on one of free_area[o]'s lists (an era
 * has one list per order, or one per migrate type: the head's ->index says
 * which). Allocation takes the head of the smallest non-empty list of order
 * >= the request and splits it (expand), putting the upper halves at the
 * heads of the lower lists. Freeing merges the block with its buddy while
 * the buddy is a free block of the same order (page_is_buddy), then puts
 * the result on its list: each era's __free_one_page, since the two
 * kernels merge and place the result differently. Both run under
 * zone->lock.
 *
 * The cost model. Every access to a struct page, a free-list head, the
 * zone's counters and lock is reported to the hardware model at its
 * simulated address (mm_touch and friends, internal.h), and the cycles it
 * answers are charged to the running operation.
 */
#ifndef MMSIM_MM_BUDDY_H
#define MMSIM_MM_BUDDY_H

#include "mm/internal.h"

/* ---- Page lists --------------------------------------------------------- */

static inline struct page *idx_page(pg_data_t *pgdat, uint32_t i)
{
	return &pgdat->node_mem_map[i];
}
static inline uint32_t page_idx_node(const pg_data_t *pgdat, const struct page *page)
{
	return (uint32_t)(page - pgdat->node_mem_map);
}

static inline void plist_add(struct mm *mm, pg_data_t *pgdat, struct page_list *l, uint64_t head_paddr,
			     struct page *page)
{
	uint32_t i = page_idx_node(pgdat, page);
	page->lru_prev = PAGE_NIL;
	page->lru_next = l->first;
	if (l->first != PAGE_NIL) {
		struct page *next = idx_page(pgdat, l->first);
		next->lru_prev = i;
		touch_page(mm, pgdat, next, PAGE_OFF_LRU + 8, 8, 1);
	} else {
		l->last = i;
	}
	l->first = i;
	touch_page(mm, pgdat, page, PAGE_OFF_LRU, 16, 1);
	if (head_paddr != PADDR_STACK)
		mm_touch(mm, head_paddr, 8, 1);
}

static inline void plist_add_tail(struct mm *mm, pg_data_t *pgdat, struct page_list *l, uint64_t head_paddr,
				  struct page *page)
{
	uint32_t i = page_idx_node(pgdat, page);
	page->lru_next = PAGE_NIL;
	page->lru_prev = l->last;
	if (l->last != PAGE_NIL) {
		struct page *prev = idx_page(pgdat, l->last);
		prev->lru_next = i;
		touch_page(mm, pgdat, prev, PAGE_OFF_LRU, 8, 1);
	} else {
		l->first = i;
	}
	l->last = i;
	touch_page(mm, pgdat, page, PAGE_OFF_LRU, 16, 1);
	if (head_paddr != PADDR_STACK)
		mm_touch(mm, head_paddr + 8, 8, 1);
}

static inline void plist_del(struct mm *mm, pg_data_t *pgdat, struct page_list *l, uint64_t head_paddr,
			     struct page *page)
{
	touch_page(mm, pgdat, page, PAGE_OFF_LRU, 16, 0);
	if (page->lru_prev != PAGE_NIL) {
		struct page *prev = idx_page(pgdat, page->lru_prev);
		prev->lru_next = page->lru_next;
		touch_page(mm, pgdat, prev, PAGE_OFF_LRU, 8, 1);
	} else {
		l->first = page->lru_next;
		if (head_paddr != PADDR_STACK)
			mm_touch(mm, head_paddr, 8, 1);
	}
	if (page->lru_next != PAGE_NIL) {
		struct page *next = idx_page(pgdat, page->lru_next);
		next->lru_prev = page->lru_prev;
		touch_page(mm, pgdat, next, PAGE_OFF_LRU + 8, 8, 1);
	} else {
		l->last = page->lru_prev;
		if (head_paddr != PADDR_STACK)
			mm_touch(mm, head_paddr + 8, 8, 1);
	}
	page->lru_next = page->lru_prev = PAGE_NIL;
}

/* ---- The zone lock and a free block's marks ------------------------------ */

/* zone->lock: counted, and taken through the timed lock when the cost
 * model is on (its line moves between CPUs at the coherence price). */
static inline void spin_lock(struct mm *mm, struct zone *z)
{
	mm->vm[ZONE_LOCK]++;
	if (mm->access)
		sim_lock_acquire(mm->sim, &z->lock);
	else
		z->lock.acquisitions++;
}

static inline void spin_unlock(struct mm *mm, struct zone *z)
{
	if (mm->access)
		sim_lock_release(mm->sim, &z->lock);
}

/* set_page_order and rmv_page_order (both kernels): PG_private and the
 * order in ->private mark a free block's head. */
static inline void set_page_order(struct mm *mm, pg_data_t *pgdat, struct page *page, unsigned order)
{
	page->private = order;
	SetPageFlag(page, PG_private);
	touch_page(mm, pgdat, page, PAGE_OFF_FLAGS, 8, 1);
	touch_page(mm, pgdat, page, PAGE_OFF_PRIVATE, 8, 1);
}

static inline void rmv_page_order(struct mm *mm, pg_data_t *pgdat, struct page *page)
{
	ClearPageFlag(page, PG_private);
	page->private = 0;
	touch_page(mm, pgdat, page, PAGE_OFF_FLAGS, 8, 1);
	touch_page(mm, pgdat, page, PAGE_OFF_PRIVATE, 8, 1);
}

/* bad_range: is page outside zone? (No CONFIG_HOLES_IN_ZONE on x86:
 * frames in holes are inside the zone but PG_reserved, which keeps them out
 * of page_is_buddy.) */
static inline int bad_range(struct mm *mm, struct zone *zone, const struct page *page)
{
	long idx = page - zone->zone_mem_map;
	if (idx < 0 || (unsigned long)idx >= zone->spanned_pages)
		return 1;
	if (zone_of_page(mm, page) != zone)
		return 1;
	return 0;
}

/* page_is_buddy: a free block's head of exactly this order. */
static inline int page_is_buddy(struct mm *mm, pg_data_t *pgdat, struct page *page, unsigned order)
{
	touch_page(mm, pgdat, page, PAGE_OFF_FLAGS, 24, 0);
	return PagePrivate(page) && page_order(page) == order && !PageReserved(page) &&
	       page_count(page) == 0;
}

static inline void free_area_nr(struct mm *mm, struct zone *zone, unsigned order, int delta)
{
	zone->free_area[order].nr_free += (unsigned long)(long)delta;
	mm_touch(mm, free_area_paddr(mm, zone, order) + FREE_AREA_OFF_NRFREE, 8, 1);
}

/*
 * Which watermark band a free count is in: 0 above high, 1 at or below
 * high, 2 at or below low, 3 at or below min ("below" as wakeup_kswapd
 * tests it: free_pages <= pages_low), the boost included as the allocator
 * sees it. mmsim's mm_zone_watermark event marks each change of band, so
 * a run's crossings are exact rather than sampled at snapshots; the kernel
 * has no such tracepoint.
 */
static inline int wmark_band(const struct zone *z, unsigned long free)
{
	unsigned long b = z->watermark_boost;
	return free <= z->pages_min + b ? 3 : free <= z->pages_low + b ? 2 : free <= z->pages_high + b ? 1 : 0;
}

static inline void zone_free_pages(struct mm *mm, struct zone *zone, long delta)
{
	unsigned long old = zone->free_pages;
	zone->free_pages += (unsigned long)delta;
	mm_touch(mm, zone->paddr + ZONE_OFF_FREE_PAGES, 8, 1);
	if (trace_enabled(mm->trace, mm->ev_zone_wmark) && wmark_band(zone, old) != wmark_band(zone, zone->free_pages))
		trace_mm_zone_watermark(mm, zone, old);
}

/* ---- Taking a block ----------------------------------------------------- */

/*
 * expand (both kernels): a block of order `high` was taken for a request
 * of order `low`; give the upper half back at each order on the way down,
 * at the head of that order's list mt, and return the lowest part.
 */
static inline struct page *expand(struct mm *mm, struct zone *zone, struct page *page, unsigned low,
				  unsigned high, int mt)
{
	pg_data_t *pgdat = zone->zone_pgdat;
	unsigned long size = 1UL << high;
	while (high > low) {
		high--;
		size >>= 1;
		struct page *half = page + size;
		MMSIM_ASSERT(!bad_range(mm, zone, half));
		plist_add(mm, pgdat, &zone->free_area[high].free_lists[mt], free_area_paddr(mm, zone, high), half);
		free_area_nr(mm, zone, high, 1);
		set_page_order(mm, pgdat, half, high);
		half->index = (uint32_t)mt;
	}
	return page;
}

/*
 * The head block of the smallest order >= order whose list mt is not
 * empty, split down to order with the halves on list mt (2.6.11 __rmqueue
 * on its one list, 6.1 __rmqueue_smallest). Caller holds zone->lock. NULL
 * if the zone has none. The cost model charges each list's head at its
 * order's free_area (the simulated layout is 2.6.11's in both eras).
 */
static inline struct page *__rmqueue_smallest(struct mm *mm, struct zone *zone, unsigned order, int mt)
{
	pg_data_t *pgdat = zone->zone_pgdat;
	for (unsigned cur = order; cur < mm->max_order; cur++) {
		struct free_area *area = &zone->free_area[cur];
		mm_touch(mm, free_area_paddr(mm, zone, cur), 8, 0);
		if (plist_empty(&area->free_lists[mt]))
			continue;
		struct page *page = idx_page(pgdat, area->free_lists[mt].first);
		plist_del(mm, pgdat, &area->free_lists[mt], free_area_paddr(mm, zone, cur), page);
		rmv_page_order(mm, pgdat, page);
		free_area_nr(mm, zone, cur, -1);
		zone_free_pages(mm, zone, -(1L << order));
		return expand(mm, zone, page, order, cur, mt);
	}
	return NULL;
}

/* ---- Preparing and undoing a page handed out ----------------------------- */

/* prep_new_page (2.6.11's flags; 6.1's post_alloc_hook clears the same
 * state), plus our record of the order handed out. */
static inline void prep_new_page(struct mm *mm, pg_data_t *pgdat, struct page *page, unsigned order)
{
	touch_page(mm, pgdat, page, PAGE_OFF_FLAGS, 16, 1);
	page->flags &= ~((1u << PG_uptodate) | (1u << PG_error) | (1u << PG_referenced) |
			 (1u << PG_swapbacked) | (1u << PG_unevictable) | (1u << PG_workingset) |
			 PAGE_ALLOC_ORDER_MASK);
	set_page_alloc_order(page, order);
	page->private = 0;
	page->_count = 1;
}

/* prep_compound_page (2.6.11's marks): every frame gets PG_compound and
 * ->private pointing at the head; the first tail records the order in
 * ->index. */
static inline void prep_compound_page(struct mm *mm, pg_data_t *pgdat, struct page *page, unsigned order)
{
	uint32_t head = page_idx_node(pgdat, page);
	unsigned long nr = 1UL << order;
	page[1].index = order;
	for (unsigned long i = 0; i < nr; i++) {
		SetPageFlag(&page[i], PG_compound);
		page[i].private = head;
		touch_page(mm, pgdat, &page[i], PAGE_OFF_FLAGS, 24, 1);
	}
}

/* destroy_compound_page: undo prep_compound_page (page_alloc.c's
 * check_free has checked the marks). */
static inline void destroy_compound_page(struct mm *mm, pg_data_t *pgdat, struct page *page, unsigned order)
{
	if (!PageCompound(page))
		return;
	for (unsigned long i = 0; i < (1UL << order); i++) {
		ClearPageFlag(&page[i], PG_compound);
		page[i].private = 0;
		touch_page(mm, pgdat, &page[i], PAGE_OFF_FLAGS, 24, 1);
	}
	page[1].index = 0;
}

#endif
