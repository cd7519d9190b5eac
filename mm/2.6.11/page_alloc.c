/*
 * The zoned page frame allocator of Linux 2.6.11 (mm/page_alloc.c): the
 * buddy system, the per-CPU hot and cold lists, the watermark checks and
 * __alloc_pages, in our own code under the kernel's names.
 *
 * The buddy system. Each zone's free frames are blocks of 2^order frames,
 * order < MAX_ORDER, aligned to their size in zone-relative index (the
 * index of a frame within the zone's mem_map). A block of order o at index
 * i has a buddy at i ^ (1 << o): the other half of the block of order o+1
 * that contains both. A free block's first frame has PG_private set and its
 * order in ->private, and is linked on free_area[o].free_list. Allocation
 * (__rmqueue) takes the head of the smallest non-empty list of order >= the
 * request and splits it (expand), putting the upper halves at the heads of
 * the lower lists. Freeing (__free_one_page) merges the block with its buddy
 * while the buddy is a free block of the same order (page_is_buddy), then
 * puts the result at the head of its list. Both run under zone->lock.
 *
 * The per-CPU lists. Order-0 requests go through two lists per CPU and
 * zone, hot and cold (__GFP_COLD picks cold). A list is refilled with
 * `batch` frames from the buddy system (rmqueue_bulk, one lock round trip)
 * when its count is <= low, and a freed frame goes to the head of the hot
 * list, a batch of frames from the list's tail going back to the buddy
 * system (free_pages_bulk) when count >= high. Frames on a per-CPU list are
 * not counted in zone->free_pages.
 *
 * The cost model. Every access to a struct page, a free-list head, the
 * zone's counters and lock, or a per-CPU list is reported to the hardware
 * model at its simulated address (mm_touch and friends, internal.h), and the
 * cycles it answers are charged to the running operation.
 *
 * Where we differ from 2.6.11, and why:
 *   - reclaim is a later issue: kswapd is a real task that wakes, runs an
 *     empty balance_pgdat pass and sleeps; direct reclaim frees nothing;
 *     the OOM killer kills nothing. Since an allocation runs atomically in
 *     host terms, the kernel's "goto restart" after the OOM killer and its
 *     retry loop (blk_congestion_wait, goto rebalance) could never see
 *     memory appear, so we take each of them once, trace the decision, and
 *     fail instead of looping forever;
 *   - misuse (freeing a free page, a wrong order...) is a clean error for
 *     the caller, not a BUG();
 *   - pcp=off (a policy) sends order-0 requests and frees straight to the
 *     buddy lists under the zone lock.
 *
 * The modern era (policy era=modern) shares the buddy core and replaces
 * the rest with 6.1's: migrate types and fallbacks, per-CPU lists per type
 * and order, and 6.1's __alloc_pages (get_page_from_freelist, the slow
 * path, the highatomic reserve). Its loops that wait for other tasks are
 * bounded the same way as the classic ones (MMSIM_WAIT_RETRIES).
 */
#include <stdio.h>
#include <string.h>

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

/* ---- Small helpers ------------------------------------------------------ */

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

/* 2.6.11 bad_range: is page outside zone? (No CONFIG_HOLES_IN_ZONE on x86:
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

/* 2.6.11 page_is_buddy: a free block's head of exactly this order. */
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

static const char *const wmark_band_names[] = { "above high", "below high", "below low", "below min" };

static void trace_zone_watermark(struct mm *mm, struct zone *zone, unsigned long old)
{
	struct sim_task *t = sim_cur_task(mm->sim);
	unsigned long b = zone->watermark_boost;
	trace_begin(mm->trace, mm->ev_zone_wmark, sim_now(mm->sim), mm->cpu, t ? t->name : NULL);
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

static inline void zone_free_pages(struct mm *mm, struct zone *zone, long delta)
{
	unsigned long old = zone->free_pages;
	zone->free_pages += (unsigned long)delta;
	mm_touch(mm, zone->paddr + ZONE_OFF_FREE_PAGES, 8, 1);
	if (trace_enabled(mm->trace, mm->ev_zone_wmark) && wmark_band(zone, old) != wmark_band(zone, zone->free_pages))
		trace_zone_watermark(mm, zone, old);
}

/* ---- Migrate types and pageblocks (the modern era, 6.1) ---------------- */

static inline bool modern(const struct mm *mm)
{
	return mm->policy.era == MM_ERA_MODERN;
}

/* 6.1's alloc_flags (mm/internal.h), the values 6.1 has. The low two bits
 * pick the watermark (WMARK_MIN, LOW, HIGH: zone->pages_min/low/high). */
#define ALLOC_WMARK_MIN      0x00
#define ALLOC_WMARK_LOW      0x01
#define ALLOC_WMARK_HIGH     0x02
#define ALLOC_NO_WATERMARKS  0x04   /* ignore the watermarks altogether */
#define ALLOC_WMARK_MASK     (ALLOC_NO_WATERMARKS - 1)
#define ALLOC_OOM            0x08   /* an OOM victim: half of ALLOC_HARDER's mark again */
#define ALLOC_HARDER         0x10   /* atomic or realtime: a quarter off the mark */
#define ALLOC_HIGH           0x20   /* __GFP_HIGH: half off the mark */
#define ALLOC_CPUSET         0x40   /* check the cpuset (mmsim has none) */
#define ALLOC_NOFRAGMENT     0x100  /* fall back by whole pageblocks only */
#define ALLOC_KSWAPD         0x800  /* may wake kswapd (__GFP_KSWAPD_RECLAIM) */

static void wakeup_kswapd(struct mm *mm, struct zone *zone, gfp_t gfp, unsigned order, int highest_zoneidx);

/* 6.1 get_pageblock_migratetype; MIGRATE_UNMOVABLE (list 0) in the classic
 * era, whose one list per order is free_lists[0]. */
static inline int get_pageblock_migratetype(const struct zone *zone, const struct page *page)
{
	if (!zone->pageblock_mt)
		return MIGRATE_UNMOVABLE;
	unsigned long base = zone->zone_start_pfn & ~(pageblock_nr_pages(zone) - 1);
	unsigned long pfn = zone->zone_start_pfn + (unsigned long)(page - zone->zone_mem_map);
	return zone->pageblock_mt[(pfn - base) >> pageblock_order(zone)];
}

static inline void set_pageblock_migratetype(struct zone *zone, const struct page *page, int mt)
{
	unsigned long base = zone->zone_start_pfn & ~(pageblock_nr_pages(zone) - 1);
	unsigned long pfn = zone->zone_start_pfn + (unsigned long)(page - zone->zone_mem_map);
	zone->pageblock_mt[(pfn - base) >> pageblock_order(zone)] = (uint8_t)mt;
}

/* 6.1 gfp_migratetype: __GFP_MOVABLE and __GFP_RECLAIMABLE pick the list;
 * neither means unmovable. The classic era has only list 0. */
static inline int gfp_migratetype(const struct mm *mm, gfp_t gfp)
{
	if (!modern(mm))
		return MIGRATE_UNMOVABLE;
	if (gfp & __GFP_MOVABLE)
		return MIGRATE_MOVABLE;
	if (gfp & __GFP_RECLAIMABLE)
		return MIGRATE_RECLAIMABLE;
	return MIGRATE_UNMOVABLE;
}

/* The free list a free block's head is on: 6.1 finds it from the list
 * itself; our lists need their head to unlink, so the head frame keeps its
 * list's type in ->index while it is free (0 in the classic era). */
static inline struct page_list *free_list_of(struct zone *zone, struct page *page, unsigned order)
{
	return &zone->free_area[order].free_lists[page->index];
}

/* ---- The buddy system --------------------------------------------------- */

/*
 * 2.6.11 expand: a block of order `high` was taken for a request of order
 * `low`; give the upper half back at each order on the way down, at the head
 * of that order's list, and return the lowest part.
 */
static struct page *expand(struct mm *mm, struct zone *zone, struct page *page, unsigned low,
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

/* 2.6.11 __rmqueue, 6.1 __rmqueue_smallest: the head block of the smallest
 * order >= order whose list of migrate type mt is not empty, split down to
 * order with the halves on mt's lists. Caller holds zone->lock. NULL if
 * the zone has none. (The classic era has mt 0 only: 2.6.11 exactly.) The
 * cost model charges each type's list head at its order's free_area (the
 * simulated layout is 2.6.11's in both eras). */
static struct page *__rmqueue_smallest(struct mm *mm, struct zone *zone, unsigned order, int mt)
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

/* 6.1's fallbacks[]: where each type looks when its own lists are empty,
 * in order (MIGRATE_TYPES ends a row). */
static const int fallbacks[MIGRATE_PCPTYPES][3] = {
	[MIGRATE_UNMOVABLE] = { MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE, MIGRATE_TYPES },
	[MIGRATE_MOVABLE] = { MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE, MIGRATE_TYPES },
	[MIGRATE_RECLAIMABLE] = { MIGRATE_UNMOVABLE, MIGRATE_MOVABLE, MIGRATE_TYPES },
};

/* 6.1 watermark_boost_factor's default. */
#define WATERMARK_BOOST_FACTOR 15000UL

/* 6.1 boost_watermark: after a fallback takes from another type's block,
 * raise the zone's watermarks by a pageblock, up to high * 15000 / 10000
 * (but at least a pageblock); not for zones under four pageblocks. The
 * boost is in every watermark (wmark_pages) until kswapd's pass clears
 * it. */
static bool boost_watermark(struct zone *zone)
{
	if (pageblock_nr_pages(zone) * 4 > zone->managed_pages)
		return false;
	unsigned long max_boost = zone->pages_high * WATERMARK_BOOST_FACTOR / 10000;
	if (!max_boost)
		return false;
	if (max_boost < pageblock_nr_pages(zone))
		max_boost = pageblock_nr_pages(zone);
	zone->watermark_boost += pageblock_nr_pages(zone);
	if (zone->watermark_boost > max_boost)
		zone->watermark_boost = max_boost;
	return true;
}

/* A zone's watermark_boost changed (mmsim's event: 6.1 has no tracepoint
 * for it): raised by a fallback steal, cleared by kswapd. */
static void trace_boost(struct mm *mm, struct zone *zone, unsigned long old)
{
	if (!trace_enabled(mm->trace, mm->ev_boost))
		return;
	struct sim_task *t = sim_cur_task(mm->sim);
	trace_begin(mm->trace, mm->ev_boost, sim_now(mm->sim), mm->cpu, t ? t->name : NULL);
	trace_i64(mm->trace, "nid", zone->zone_pgdat->node_id);
	trace_str(mm->trace, "zone", zone->name);
	trace_u64(mm->trace, "old", old);
	trace_u64(mm->trace, "boost", zone->watermark_boost);
	trace_end(mm->trace);
}

/* 6.1 can_steal_fallback: may a request of this order and type take over
 * the whole pageblock it falls back to? Always for pageblock-sized
 * requests; for half a pageblock or more; and always for unmovable and
 * reclaimable requests (they would pollute the block anyway). */
static bool can_steal_fallback(const struct zone *zone, unsigned order, int start_mt)
{
	if (order >= pageblock_order(zone))
		return true;
	return order >= pageblock_order(zone) / 2 || start_mt == MIGRATE_RECLAIMABLE ||
	       start_mt == MIGRATE_UNMOVABLE;
}

/* 6.1 find_suitable_fallback (only_stealable false): the first type in
 * start_mt's row with a block of this order, or -1; *can_steal from
 * can_steal_fallback(order). */
static int find_suitable_fallback(const struct zone *zone, const struct free_area *area, unsigned order,
				  int start_mt, bool *can_steal)
{
	*can_steal = false;
	if (area->nr_free == 0)
		return -1;
	for (int i = 0; fallbacks[start_mt][i] != MIGRATE_TYPES; i++) {
		int fmt = fallbacks[start_mt][i];
		if (plist_empty(&area->free_lists[fmt]))
			continue;
		if (can_steal_fallback(zone, order, start_mt))
			*can_steal = true;
		return fmt;
	}
	return -1;
}

/* 6.1 move_to_free_list: a free block to the tail of another type's list
 * of its order. */
static void move_to_free_list(struct mm *mm, struct zone *zone, struct page *page, unsigned order, int mt)
{
	pg_data_t *pgdat = zone->zone_pgdat;
	plist_del(mm, pgdat, free_list_of(zone, page, order), free_area_paddr(mm, zone, order), page);
	plist_add_tail(mm, pgdat, &zone->free_area[order].free_lists[mt], free_area_paddr(mm, zone, order),
		       page);
	page->index = (uint32_t)mt;
}

/*
 * 6.1 move_freepages_block: every free block in page's pageblock onto mt's
 * lists; *num_movable counts the frames in use that 6.1 would see as
 * movable (PageLRU or __PageMovable: here, the first frame of a block
 * allocated with __GFP_MOVABLE, recorded in its ->index). Returns the free
 * frames moved, 0 if the pageblock is not wholly inside the zone (a block
 * starting before the zone starts at page instead, as 6.1 does).
 */
static unsigned long move_freepages_block(struct mm *mm, struct zone *zone, struct page *page, int mt,
					  unsigned long *num_movable)
{
	unsigned long zstart = zone->zone_start_pfn, zend = zstart + zone->spanned_pages;
	unsigned long pfn = zstart + (unsigned long)(page - zone->zone_mem_map);
	unsigned long start = pfn & ~(pageblock_nr_pages(zone) - 1);
	unsigned long end = start + pageblock_nr_pages(zone) - 1;
	*num_movable = 0;
	if (start < zstart)
		start = pfn;
	if (end >= zend)
		return 0;
	unsigned long moved = 0;
	for (unsigned long p = start; p <= end;) {
		struct page *pg = zone->zone_mem_map + (p - zstart);
		touch_page(mm, zone->zone_pgdat, pg, PAGE_OFF_FLAGS, 24, 0);
		if (!(PagePrivate(pg) && page_count(pg) == 0 && !PageReserved(pg))) {
			if (PageAllocHead(pg) && pg->index == MIGRATE_MOVABLE)
				(*num_movable)++;
			p++;
			continue;
		}
		unsigned order = page_order(pg);
		move_to_free_list(mm, zone, pg, order, mt);
		p += 1UL << order;
		moved += 1UL << order;
	}
	return moved;
}

/*
 * 6.1 steal_suitable_fallback: page heads a free block of another type's
 * list. A block of pageblock size or more changes type outright (all its
 * pageblocks); a highatomic block never does; otherwise the watermarks are
 * boosted, and when whole_block the pageblock's free blocks all move to
 * start_type's lists, the pageblock itself changing type when at least half
 * of it is free or in use by compatible ("alike") pages. The block at page
 * ends on start_type's list either way.
 */
static void steal_suitable_fallback(struct mm *mm, struct zone *zone, struct page *page, int start_type,
				    bool whole_block)
{
	unsigned order = page_order(page);
	int old_block_type = get_pageblock_migratetype(zone, page);
	if (old_block_type == MIGRATE_HIGHATOMIC)
		goto single_page;
	if (order >= pageblock_order(zone)) {
		/* change_pageblock_range */
		for (unsigned long i = 0; i < (1UL << (order - pageblock_order(zone))); i++)
			set_pageblock_migratetype(zone, page + (i << pageblock_order(zone)), start_type);
		goto single_page;
	}
	/* 6.1: a boost for an allocation that may wake kswapd marks the zone
	 * so that rmqueue wakes it even if the node looks balanced. */
	unsigned long old_boost = zone->watermark_boost;
	if (boost_watermark(zone)) {
		trace_boost(mm, zone, old_boost);
		if (mm->alloc_flags & ALLOC_KSWAPD)
			zone->flags |= 1UL << ZONE_BOOSTED_WATERMARK;
	}
	if (!whole_block)
		goto single_page;
	unsigned long movable_pages;
	unsigned long free_pages = move_freepages_block(mm, zone, page, start_type, &movable_pages);
	if (!free_pages)
		goto single_page;
	unsigned long alike_pages;
	if (start_type == MIGRATE_MOVABLE)
		alike_pages = movable_pages;
	else if (old_block_type == MIGRATE_MOVABLE)
		alike_pages = pageblock_nr_pages(zone) - (free_pages + movable_pages);
	else
		alike_pages = 0;
	if (free_pages + alike_pages >= (1UL << (pageblock_order(zone) - 1)))
		set_pageblock_migratetype(zone, page, start_type);
	return;
single_page:
	move_to_free_list(mm, zone, page, order, start_type);
}

/* The trace event mm_page_alloc_extfrag with 6.1's fields. */
static void trace_extfrag(struct mm *mm, struct zone *zone, struct page *page, unsigned alloc_order,
			  unsigned fallback_order, int alloc_mt, int fallback_mt)
{
	if (!trace_enabled(mm->trace, mm->ev_extfrag))
		return;
	struct sim_task *t = sim_cur_task(mm->sim);
	trace_begin(mm->trace, mm->ev_extfrag, sim_now(mm->sim), mm->cpu, t ? t->name : NULL);
	trace_u64(mm->trace, "pfn", page_to_pfn(mm, page));
	trace_u64(mm->trace, "alloc_order", alloc_order);
	trace_u64(mm->trace, "fallback_order", fallback_order);
	trace_u64(mm->trace, "pageblock_order", pageblock_order(zone));
	trace_i64(mm->trace, "alloc_migratetype", alloc_mt);
	trace_i64(mm->trace, "fallback_migratetype", fallback_mt);
	trace_bool(mm->trace, "fragmenting", fallback_order < pageblock_order(zone));
	trace_bool(mm->trace, "change_ownership", get_pageblock_migratetype(zone, page) == alloc_mt);
	trace_end(mm->trace);
}

/*
 * 6.1 __rmqueue_fallback: no block of start_mt's type is free; take one
 * from another type, the largest first (to steal whole pageblocks, so
 * types mix in as few blocks as possible). A movable request that may not
 * steal the block takes the smallest suitable block instead (it would only
 * split a large block it cannot claim). ALLOC_NOFRAGMENT stops at
 * pageblock_order. Returns whether a block moved to start_mt's
 * lists; the caller retries __rmqueue_smallest.
 */
static bool __rmqueue_fallback(struct mm *mm, struct zone *zone, unsigned order, int start_mt)
{
	pg_data_t *pgdat = zone->zone_pgdat;
	unsigned min_order = (mm->alloc_flags & ALLOC_NOFRAGMENT) ? pageblock_order(zone) : order;
	int cur, fmt = -1;
	bool can_steal;
	for (cur = (int)mm->max_order - 1; cur >= (int)min_order; cur--) {
		fmt = find_suitable_fallback(zone, &zone->free_area[cur], (unsigned)cur, start_mt, &can_steal);
		if (fmt == -1)
			continue;
		if (!can_steal && start_mt == MIGRATE_MOVABLE && (unsigned)cur > order)
			goto find_smallest;
		goto do_steal;
	}
	return false;
find_smallest:
	for (cur = (int)order; cur < (int)mm->max_order; cur++) {
		fmt = find_suitable_fallback(zone, &zone->free_area[cur], (unsigned)cur, start_mt, &can_steal);
		if (fmt != -1)
			break;
	}
	MMSIM_ASSERT(cur < (int)mm->max_order);
do_steal:;
	struct page *page = idx_page(pgdat, zone->free_area[cur].free_lists[fmt].first);
	steal_suitable_fallback(mm, zone, page, start_mt, can_steal);
	mm->nr_extfrag++;
	trace_extfrag(mm, zone, page, order, (unsigned)cur, start_mt, fmt);
	return true;
}

/* 2.6.11 __rmqueue; 6.1 __rmqueue (no CMA): the smallest block of the
 * request's type, else a fallback steal and again. */
static struct page *__rmqueue(struct mm *mm, struct zone *zone, unsigned order, int mt)
{
	struct page *page;
	for (;;) {
		page = __rmqueue_smallest(mm, zone, order, mt);
		if (page || !modern(mm) || !__rmqueue_fallback(mm, zone, order, mt))
			return page;
	}
}

/*
 * 6.1 __free_one_page's choice of list end, modern era only: the tail for
 * boot freeing (FPI_TO_TAIL), else buddy_merge_likely: the tail when the
 * merged block's own buddy one order up is free, so the block is likely
 * to merge further soon and should not be handed out first. (6.1's shuffle
 * is off by default.) 2.6.11 always uses the head.
 */
static inline bool to_tail(struct mm *mm, struct zone *zone, unsigned long page_idx, unsigned order)
{
	if (!modern(mm))
		return false;
	if (mm->free_to_tail)
		return true;
	if (order + 2 >= mm->max_order)
		return false;
	unsigned long higher_buddy = (page_idx & ~(1UL << order)) ^ (1UL << (order + 1));
	if (higher_buddy >= zone->spanned_pages)
		return false;
	return page_is_buddy(mm, zone->zone_pgdat, zone->zone_mem_map + higher_buddy, order + 1);
}

/*
 * 2.6.11 __free_pages_bulk's body for one block: merge with free buddies as
 * far as they go, then put the result at the head of its order's list. The
 * index is zone-relative (base = zone->zone_mem_map), as the kernel's is.
 * Caller holds zone->lock (boot calls it before any CPU runs).
 */
static inline void free_one_page_inl(struct mm *mm, struct page *page, struct zone *zone, unsigned order,
				     int mt)
{
	pg_data_t *pgdat = zone->zone_pgdat;
	struct page *base = zone->zone_mem_map;
	unsigned long page_idx = (unsigned long)(page - base);
	MMSIM_ASSERT((page_idx & ((1UL << order) - 1)) == 0);
	MMSIM_ASSERT(!bad_range(mm, zone, page));

	zone_free_pages(mm, zone, 1L << order);
	while (order < mm->max_order - 1) {
		unsigned long buddy_idx = page_idx ^ (1UL << order);
		struct page *buddy = base + buddy_idx;
		if (buddy_idx >= zone->spanned_pages)   /* bad_range, cheaply */
			break;
		if (!page_is_buddy(mm, pgdat, buddy, order))
			break;
		/* 6.1: above pageblock_order, a highatomic or isolated block
		 * does not merge with a block of another type. */
		if (zone->pageblock_mt && order >= pageblock_order(zone)) {
			int bmt = get_pageblock_migratetype(zone, buddy);
			if (bmt != mt && (mt >= MIGRATE_PCPTYPES || bmt >= MIGRATE_PCPTYPES))
				break;
		}
		plist_del(mm, pgdat, free_list_of(zone, buddy, order), free_area_paddr(mm, zone, order), buddy);
		free_area_nr(mm, zone, order, -1);
		rmv_page_order(mm, pgdat, buddy);
		page_idx &= buddy_idx;
		order++;
	}
	struct page *coalesced = base + page_idx;
	set_page_order(mm, pgdat, coalesced, order);
	coalesced->index = (uint32_t)mt;
	struct page_list *l = &zone->free_area[order].free_lists[mt];
	if (to_tail(mm, zone, page_idx, order))
		plist_add_tail(mm, pgdat, l, free_area_paddr(mm, zone, order), coalesced);
	else
		plist_add(mm, pgdat, l, free_area_paddr(mm, zone, order), coalesced);
	free_area_nr(mm, zone, order, 1);
}

/* Boot (6.1 __free_pages_core: FPI_TO_TAIL) in the modern era. */
void __free_one_page(struct mm *mm, struct page *page, struct zone *zone, unsigned order)
{
	bool saved = mm->free_to_tail;
	mm->free_to_tail = modern(mm);
	free_one_page_inl(mm, page, zone, order, get_pageblock_migratetype(zone, page));
	mm->free_to_tail = saved;
}

/* Trace one frame leaving a per-CPU list for the buddy lists. */
static void trace_pcpu_drain(struct mm *mm, struct page *page, unsigned order, int mt)
{
	if (trace_enabled(mm->trace, mm->ev_pcpu_drain)) {
		struct sim_task *t = sim_cur_task(mm->sim);
		trace_begin(mm->trace, mm->ev_pcpu_drain, sim_now(mm->sim), mm->cpu, t ? t->name : NULL);
		trace_u64(mm->trace, "pfn", page_to_pfn(mm, page));
		trace_u64(mm->trace, "order", order);
		if (mt >= 0)
			trace_i64(mm->trace, "migratetype", mt);
		trace_end(mm->trace);
	}
}

/*
 * 2.6.11 free_pages_bulk: give up to `count` blocks of `order` from the
 * tail of `list` back to the buddy system, under one lock round trip.
 * Returns how many went.
 */
static int free_pages_bulk(struct mm *mm, struct zone *zone, int count, struct page_list *list,
			   uint64_t list_paddr, unsigned order, bool from_pcp)
{
	pg_data_t *pgdat = zone->zone_pgdat;
	int ret = 0;
	spin_lock(mm, zone);
	zone->all_unreclaimable = 0;
	zone->pages_scanned = 0;
	mm_touch(mm, zone->paddr + ZONE_OFF_FREE_PAGES, 8, 1);
	while (!plist_empty(list) && count--) {
		struct page *page = idx_page(pgdat, list->last);
		plist_del(mm, pgdat, list, list_paddr, page);
		if (from_pcp)
			trace_pcpu_drain(mm, page, order, -1);
		free_one_page_inl(mm, page, zone, order, get_pageblock_migratetype(zone, page));
		ret++;
	}
	spin_unlock(mm, zone);
	return ret;
}

/* 2.6.11 rmqueue_bulk: up to `count` blocks of `order` onto the tail of
 * list, under one lock round trip. Returns how many. */
static int rmqueue_bulk(struct mm *mm, struct zone *zone, unsigned order, int count,
			struct page_list *list, uint64_t list_paddr, int mt)
{
	pg_data_t *pgdat = zone->zone_pgdat;
	int allocated = 0;
	mm->vm[PCP_REFILL]++;
	spin_lock(mm, zone);
	for (int i = 0; i < count; i++) {
		struct page *page = __rmqueue(mm, zone, order, mt);
		if (!page)
			break;
		allocated++;
		plist_add_tail(mm, pgdat, list, list_paddr, page);
		if (trace_enabled(mm->trace, mm->ev_alloc_zone_locked)) {
			struct sim_task *t = sim_cur_task(mm->sim);
			trace_begin(mm->trace, mm->ev_alloc_zone_locked, sim_now(mm->sim), mm->cpu,
				    t ? t->name : NULL);
			trace_u64(mm->trace, "pfn", page_to_pfn(mm, page));
			trace_u64(mm->trace, "order", order);
			trace_bool(mm->trace, "percpu_refill", true);
			trace_end(mm->trace);
		}
	}
	spin_unlock(mm, zone);
	return allocated;
}

/* ---- Preparing and checking pages -------------------------------------- */

/* 2.6.11 prep_new_page, plus our record of the order handed out. */
static void prep_new_page(struct mm *mm, pg_data_t *pgdat, struct page *page, unsigned order)
{
	touch_page(mm, pgdat, page, PAGE_OFF_FLAGS, 16, 1);
	page->flags &= ~((1u << PG_uptodate) | (1u << PG_error) | (1u << PG_referenced) |
			 (1u << PG_arch_1) | (1u << PG_checked) | (1u << PG_mappedtodisk) |
			 PAGE_ALLOC_ORDER_MASK);
	set_page_alloc_order(page, order);
	page->private = 0;
	page->_count = 1;
}

/* 2.6.11 prep_zero_page: clear_page on each frame, charged as a write to
 * every 64-byte line of it; a HighMem frame through kmap_atomic(KM_USER0)
 * (clear_highpage, highmem.c). */
static void prep_zero_page(struct mm *mm, struct page *page, unsigned order)
{
	if (!mm->access)
		return;
	if (PageHighMem(page) && mm->hm) {
		highmem_clear_pages(mm, page, order);
		return;
	}
	uint64_t pa = page_to_pfn(mm, page) << HW_PAGE_SHIFT;
	uint64_t end = pa + (HW_PAGE_SIZE << order);
	for (; pa < end; pa += 64)
		mm_touch(mm, pa, 64, 1);
}

/* 2.6.11 prep_compound_page: every frame gets PG_compound and ->private
 * pointing at the head; the first tail records the order in ->index. */
static void prep_compound_page(struct mm *mm, pg_data_t *pgdat, struct page *page, unsigned order)
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

/* 2.6.11 destroy_compound_page: undo prep_compound_page, checking it.
 * Returns 0, or -1 if the marks are not those of a compound page of this
 * order (the kernel's bad_page). */
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

static void destroy_compound_page(struct mm *mm, pg_data_t *pgdat, struct page *page, unsigned order)
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

/* ---- The modern era's per-CPU lists (6.1) ------------------------------ */

/* 6.1 pcp_allowed_order: orders up to PAGE_ALLOC_COSTLY_ORDER, and THP
 * (6.1 means pageblock_order here; HPAGE_PMD_ORDER came later). */
static inline bool pcp_allowed_order(const struct zone *zone, unsigned order)
{
	return order <= PAGE_ALLOC_COSTLY_ORDER || order == pageblock_order(zone);
}

/* 6.1 order_to_pindex and pindex_to_order. */
static inline int order_to_pindex(int mt, unsigned order)
{
	if (order > PAGE_ALLOC_COSTLY_ORDER)
		return NR_LOWORDER_PCP_LISTS;   /* the THP list */
	return MIGRATE_PCPTYPES * (int)order + mt;
}

static inline unsigned pindex_to_order(const struct zone *zone, int pindex)
{
	return pindex == NR_LOWORDER_PCP_LISTS ? pageblock_order(zone) : (unsigned)pindex / MIGRATE_PCPTYPES;
}

/*
 * 6.1 free_pcppages_bulk: give `count` pages (not blocks) back to the buddy
 * lists, taking the lists round-robin from `pindex` (the list just freed
 * to goes first), each from its tail, every block on the type it was
 * freed as (kept in ->index). One lock round trip. Returns the pages freed.
 */
static int free_pcppages_bulk(struct mm *mm, struct zone *zone, int count, struct per_cpu_pageset *ps,
			      uint64_t pa, int pindex)
{
	pg_data_t *pgdat = zone->zone_pgdat;
	struct per_cpu_pages *pcp = &ps->pcp[0];
	int min_pindex = 0, max_pindex = NR_PCP_LISTS - 1, freed = 0;
	if (count > pcp->count)
		count = pcp->count;
	pindex--;
	spin_lock(mm, zone);
	while (count > 0) {
		struct page_list *list;
		for (;;) {
			if (++pindex > max_pindex)
				pindex = min_pindex;
			list = &ps->lists[pindex];
			if (!plist_empty(list))
				break;
			if (pindex == max_pindex)
				max_pindex--;
			if (pindex == min_pindex)
				min_pindex++;
		}
		unsigned order = pindex_to_order(zone, pindex);
		int nr_pages = 1 << order;
		do {
			struct page *page = idx_page(pgdat, list->last);
			int mt = (int)page->index;
			plist_del(mm, pgdat, list, pa + PCP_OFF_LIST, page);
			count -= nr_pages;
			pcp->count -= nr_pages;
			freed += nr_pages;
			free_one_page_inl(mm, page, zone, order, mt);
			trace_pcpu_drain(mm, page, order, mt);
		} while (count > 0 && !plist_empty(list));
	}
	mm_touch(mm, pa + PCP_OFF_COUNT, 4, 1);
	spin_unlock(mm, zone);
	return freed;
}

/*
 * 6.1 nr_pcp_free: how many pages to free when the list reached high: a
 * batch, doubled by each consecutive free that reached high (free_factor,
 * halved again by each allocation), at most high - batch; everything when
 * high-order pages are being freed without allocations (free_high).
 */
static int nr_pcp_free(struct per_cpu_pageset *ps, int high, int batch, bool free_high)
{
	if (free_high)
		return ps->pcp[0].count;
	if (high < batch)
		return 1;
	int min_nr_free = batch, max_nr_free = high - batch;
	batch <<= ps->free_factor;
	if (batch < max_nr_free)
		ps->free_factor++;
	if (batch < min_nr_free)
		batch = min_nr_free;
	if (batch > max_nr_free)
		batch = max_nr_free;
	return batch;
}

/*
 * 6.1 free_unref_page and free_unref_page_commit: a block of a pcp order
 * to the head of its list (the type its pageblock has now; a highatomic
 * block goes on the movable list but keeps its type for the buddy lists),
 * then, if the list holds high pages or more, nr_pcp_free pages back.
 * (ZONE_RECLAIM_ACTIVE, which lowers high, is not modelled.)
 */
static void free_unref_page(struct mm *mm, struct zone *zone, struct page *page, unsigned order)
{
	pg_data_t *pgdat = zone->zone_pgdat;
	int mt = get_pageblock_migratetype(zone, page);
	mm->vm[PGFREE] += 1UL << order;
	if (!mm->policy.pcp || mt == MIGRATE_ISOLATE) {
		struct page_list l;
		plist_init(&l);
		plist_add(mm, pgdat, &l, PADDR_STACK, page);
		free_pages_bulk(mm, zone, 1, &l, PADDR_STACK, order, false);
		return;
	}
	page->index = (uint32_t)mt;   /* set_pcppage_migratetype */
	int list_mt = mt >= MIGRATE_PCPTYPES ? MIGRATE_MOVABLE : mt;
	struct per_cpu_pageset *ps = &zone->pageset[mm->cpu];
	struct per_cpu_pages *pcp = &ps->pcp[0];
	uint64_t pa = pcp_paddr(zone, mm->cpu, 0);
	int pindex = order_to_pindex(list_mt, order);
	mm_touch(mm, pa + PCP_OFF_COUNT, 16, 0);
	plist_add(mm, pgdat, &ps->lists[pindex], pa + PCP_OFF_LIST, page);
	pcp->count += 1 << order;
	mm_touch(mm, pa + PCP_OFF_COUNT, 4, 1);
	bool free_high = ps->free_factor && order && order <= PAGE_ALLOC_COSTLY_ORDER;
	int high = free_high ? 0 : pcp->high;   /* nr_pcp_high */
	if (pcp->count >= high) {
		mm->vm[PCP_DRAIN]++;
		free_pcppages_bulk(mm, zone, nr_pcp_free(ps, high, pcp->batch, free_high), ps, pa, pindex);
	}
}

/*
 * 6.1 rmqueue_pcplist and __rmqueue_pcplist: the head of the list for
 * (type, order), refilled first if empty with a batch (batch >> order
 * blocks, at least 2, for order > 0) by rmqueue_bulk. Each allocation
 * halves free_factor.
 */
static struct page *rmqueue_pcplist(struct mm *mm, struct zone *zone, unsigned order, int mt)
{
	pg_data_t *pgdat = zone->zone_pgdat;
	struct per_cpu_pageset *ps = &zone->pageset[mm->cpu];
	struct per_cpu_pages *pcp = &ps->pcp[0];
	uint64_t pa = pcp_paddr(zone, mm->cpu, 0);
	struct page_list *list = &ps->lists[order_to_pindex(mt, order)];
	ps->free_factor >>= 1;
	mm_touch(mm, pa + PCP_OFF_COUNT, 16, 0);
	if (plist_empty(list)) {
		int batch = pcp->batch;
		if (order) {
			batch >>= order;
			if (batch < 2)
				batch = 2;
		}
		int got = rmqueue_bulk(mm, zone, order, batch, list, pa + PCP_OFF_LIST, mt);
		pcp->count += got << order;
		if (!got)
			return NULL;
	}
	struct page *page = idx_page(pgdat, list->first);
	plist_del(mm, pgdat, list, pa + PCP_OFF_LIST, page);
	pcp->count -= 1 << order;
	mm_touch(mm, pa + PCP_OFF_COUNT, 4, 1);
	return page;
}

/* 6.1 drain_pages_zone: every list of the CPU's pageset, round-robin. */
static void drain_pages_zone_modern(struct mm *mm, struct zone *zone, int cpu)
{
	struct per_cpu_pageset *ps = &zone->pageset[cpu];
	if (!ps->pcp[0].count)
		return;
	mm->vm[PCP_DRAIN]++;
	int saved = mm->cpu;
	mm->cpu = cpu;
	free_pcppages_bulk(mm, zone, ps->pcp[0].count, ps, pcp_paddr(zone, cpu, 0), 0);
	mm->cpu = saved;
}

/* ---- Per-CPU lists ------------------------------------------------------ */

/*
 * 2.6.11 buffered_rmqueue: order 0 from the CPU's hot or cold list,
 * refilled by a batch when count <= low; anything else (or an empty list)
 * from the buddy system under the lock.
 */
static struct page *buffered_rmqueue(struct mm *mm, struct zone *zone, unsigned order, gfp_t gfp)
{
	pg_data_t *pgdat = zone->zone_pgdat;
	struct page *page = NULL;
	int cold = (gfp & __GFP_COLD) != 0;
	int mt = gfp_migratetype(mm, gfp);

	if (modern(mm)) {
		if (mm->policy.pcp && pcp_allowed_order(zone, order))
			page = rmqueue_pcplist(mm, zone, order, mt);
	} else if (order == 0 && mm->policy.pcp) {
		struct per_cpu_pages *pcp = &zone->pageset[mm->cpu].pcp[cold];
		uint64_t pa = pcp_paddr(zone, mm->cpu, cold);
		mm_touch(mm, pa + PCP_OFF_COUNT, 16, 0);
		if (pcp->count <= pcp->low)
			pcp->count += rmqueue_bulk(mm, zone, 0, pcp->batch, &pcp->list, pa + PCP_OFF_LIST, mt);
		if (pcp->count) {
			page = idx_page(pgdat, pcp->list.first);
			plist_del(mm, pgdat, &pcp->list, pa + PCP_OFF_LIST, page);
			pcp->count--;
			mm_touch(mm, pa + PCP_OFF_COUNT, 4, 1);
		}
	}
	if (!page) {
		spin_lock(mm, zone);
		/* 6.1 rmqueue_buddy: a high-order atomic request tries the
		 * highatomic reserve first. */
		if (order > 0 && (mm->alloc_flags & ALLOC_HARDER))
			page = __rmqueue_smallest(mm, zone, order, MIGRATE_HIGHATOMIC);
		if (!page)
			page = __rmqueue(mm, zone, order, mt);
		spin_unlock(mm, zone);
	}
	/* 6.1 rmqueue: a boost raised for an allocation that may wake kswapd
	 * wakes it now, whether or not this one got a page. */
	if (zone->flags & (1UL << ZONE_BOOSTED_WATERMARK)) {
		zone->flags &= ~(1UL << ZONE_BOOSTED_WATERMARK);
		wakeup_kswapd(mm, zone, 0, 0, zone_idx(zone));
	}
	if (page) {
		MMSIM_ASSERT(!bad_range(mm, zone, page));
		_Static_assert(PGALLOC_MOVABLE - PGALLOC_DMA == ZONE_MOVABLE, "a pgalloc counter per zone type");
		mm->vm[PGALLOC_DMA + zone_idx(zone)] += 1UL << order;
		prep_new_page(mm, pgdat, page, order);
		if (modern(mm))
			page->index = (uint32_t)mt;   /* the type it was allocated as */
		if (gfp & __GFP_ZERO)
			prep_zero_page(mm, page, order);
		if (order && (gfp & __GFP_COMP))
			prep_compound_page(mm, pgdat, page, order);
	}
	return page;
}

/* 2.6.11 free_hot_cold_page: onto the head of the CPU's list, after giving a
 * batch back from its tail if the list is at `high`. */
static void free_hot_cold_page(struct mm *mm, struct zone *zone, struct page *page, int cold)
{
	pg_data_t *pgdat = zone->zone_pgdat;
	mm->vm[PGFREE]++;
	if (!mm->policy.pcp) {
		struct page_list l;
		plist_init(&l);
		plist_add(mm, pgdat, &l, PADDR_STACK, page);
		free_pages_bulk(mm, zone, 1, &l, PADDR_STACK, 0, false);
		return;
	}
	struct per_cpu_pages *pcp = &zone->pageset[mm->cpu].pcp[cold];
	uint64_t pa = pcp_paddr(zone, mm->cpu, cold);
	mm_touch(mm, pa + PCP_OFF_COUNT, 16, 0);
	if (pcp->count >= pcp->high) {
		mm->vm[PCP_DRAIN]++;
		pcp->count -= free_pages_bulk(mm, zone, pcp->batch, &pcp->list, pa + PCP_OFF_LIST, 0, true);
	}
	plist_add(mm, pgdat, &pcp->list, pa + PCP_OFF_LIST, page);
	pcp->count++;
	mm_touch(mm, pa + PCP_OFF_COUNT, 4, 1);
}

/* 2.6.11 __free_pages_ok: a block of order > 0 straight to the buddy lists. */
static void __free_pages_ok(struct mm *mm, struct zone *zone, struct page *page, unsigned order)
{
	pg_data_t *pgdat = zone->zone_pgdat;
	mm->vm[PGFREE] += 1UL << order;
	destroy_compound_page(mm, pgdat, page, order);
	struct page_list l;
	plist_init(&l);
	plist_add(mm, pgdat, &l, PADDR_STACK, page);
	free_pages_bulk(mm, zone, 1, &l, PADDR_STACK, order, false);
}

/* 2.6.11 __drain_pages: every list of `cpu` back to the buddy lists (the
 * lock is taken by the current CPU). */
static void __drain_pages(struct mm *mm, int cpu)
{
	for (int nid = 0; nid < mm->nr_nodes; nid++)
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			struct zone *zone = &mm->node_data[nid]->node_zones[j];
			if (modern(mm)) {
				drain_pages_zone_modern(mm, zone, cpu);
				continue;
			}
			for (int t = 0; t < 2; t++) {
				struct per_cpu_pages *pcp = &zone->pageset[cpu].pcp[t];
				if (!pcp->count)
					continue;
				mm->vm[PCP_DRAIN]++;
				pcp->count -= free_pages_bulk(mm, zone, pcp->count, &pcp->list,
							      pcp_paddr(zone, cpu, t) + PCP_OFF_LIST, 0, true);
			}
		}
}

/* ---- Watermarks --------------------------------------------------------- */

static inline int __zone_watermark_ok(const struct zone *z, int order, unsigned long mark,
				      int classzone_idx, int can_try_harder, int gfp_high)
{
	/* free_pages may go negative: that is fine, as in 2.6.11. */
	long min = (long)mark;
	long free_pages = (long)z->free_pages - (1L << order) + 1;
	if (gfp_high)
		min -= min / 2;
	if (can_try_harder)
		min -= min / 4;
	if (free_pages <= min + (long)z->lowmem_reserve[classzone_idx])
		return 0;
	for (int o = 0; o < order; o++) {
		/* At the next order, this order's pages become unavailable. */
		free_pages -= (long)(z->free_area[o].nr_free << o);
		/* Require fewer higher order pages to be free. */
		min >>= 1;
		if (free_pages <= min)
			return 0;
	}
	return 1;
}

int zone_watermark_ok(struct zone *z, int order, unsigned long mark, int classzone_idx,
		      int can_try_harder, int gfp_high)
{
	return __zone_watermark_ok(z, order, mark, classzone_idx, can_try_harder, gfp_high);
}

/* 6.1 __zone_watermark_unusable_free: the request's own pages but one,
 * and the highatomic reserve for a caller that may not use it (the whole
 * reserve, free or not: 6.1 over-estimates rather than search). No CMA. */
static long __zone_watermark_unusable_free(const struct zone *z, unsigned order, unsigned alloc_flags)
{
	long unusable = (1L << order) - 1;
	if (!(alloc_flags & (ALLOC_HARDER | ALLOC_OOM)))
		unusable += (long)z->nr_reserved_highatomic;
	return unusable;
}

/*
 * 6.1 __zone_watermark_ok. What is left after the unusable pages must
 * stay above the mark (halved for ALLOC_HIGH, less a quarter for
 * ALLOC_HARDER or a half for ALLOC_OOM) plus lowmem_reserve; for order >
 * 0, a free block of the order or above must be on an allocatable type's
 * list (highatomic only for ALLOC_HARDER) - unlike 2.6.11, which requires
 * free pages at each order.
 */
static bool __zone_watermark_ok_61(const struct zone *z, unsigned order, unsigned long mark, int highest_zoneidx,
				   unsigned alloc_flags, long free_pages, unsigned max_order)
{
	long min = (long)mark;
	bool alloc_harder = (alloc_flags & (ALLOC_HARDER | ALLOC_OOM)) != 0;
	free_pages -= __zone_watermark_unusable_free(z, order, alloc_flags);
	if (alloc_flags & ALLOC_HIGH)
		min -= min / 2;
	if (alloc_harder)
		min -= (alloc_flags & ALLOC_OOM) ? min / 2 : min / 4;
	if (free_pages <= min + (long)z->lowmem_reserve[highest_zoneidx])
		return false;
	if (!order)
		return true;
	for (unsigned o = order; o < max_order; o++) {
		const struct free_area *area = &z->free_area[o];
		if (!area->nr_free)
			continue;
		for (int mt = 0; mt < MIGRATE_PCPTYPES; mt++)
			if (!plist_empty(&area->free_lists[mt]))
				return true;
		if (alloc_harder && !plist_empty(&area->free_lists[MIGRATE_HIGHATOMIC]))
			return true;
	}
	return false;
}

/* 6.1 wmark_pages: the watermark alloc_flags pick, plus the boost. */
static unsigned long wmark_pages(const struct zone *z, unsigned wmark)
{
	unsigned long m = wmark == ALLOC_WMARK_LOW ? z->pages_low : wmark == ALLOC_WMARK_HIGH ? z->pages_high
											     : z->pages_min;
	return m + z->watermark_boost;
}

/*
 * 6.1 zone_watermark_fast: order 0 compares the usable free pages (less
 * the highatomic reserve for most callers) with the mark directly; the
 * rest goes to __zone_watermark_ok. A __GFP_ATOMIC order-0 request that
 * fails against the boosted min mark is checked again against the min
 * mark alone: the boost must not push atomic callers below min.
 */
static bool zone_watermark_fast(struct mm *mm, struct zone *z, unsigned order, unsigned long mark,
				int highest_zoneidx, unsigned alloc_flags, gfp_t gfp)
{
	long free_pages = (long)z->free_pages;
	mm_touch(mm, z->paddr, 64, 0);
	if (!order) {
		long reserved = __zone_watermark_unusable_free(z, 0, alloc_flags);
		long usable = free_pages - (reserved < free_pages ? reserved : free_pages);
		if (usable > (long)(mark + z->lowmem_reserve[highest_zoneidx]))
			return true;
	}
	for (unsigned o = order; order && o < mm->max_order; o++)
		mm_touch(mm, free_area_paddr(mm, z, o) + FREE_AREA_OFF_NRFREE, 8, 0);
	if (__zone_watermark_ok_61(z, order, mark, highest_zoneidx, alloc_flags, free_pages, mm->max_order))
		return true;
	if (!order && (gfp & __GFP_ATOMIC) && z->watermark_boost &&
	    (alloc_flags & ALLOC_WMARK_MASK) == ALLOC_WMARK_MIN)
		return __zone_watermark_ok_61(z, 0, z->pages_min, highest_zoneidx, alloc_flags, free_pages,
					      mm->max_order);
	return false;
}

/* zone_watermark_ok with the reads it makes reported to the cost model. */
static int watermark_ok(struct mm *mm, struct zone *z, int order, unsigned long mark, int classzone_idx,
			int can_try_harder, int gfp_high)
{
	mm_touch(mm, z->paddr, 64, 0);
	for (int o = 0; o < order; o++)
		mm_touch(mm, free_area_paddr(mm, z, (unsigned)o) + FREE_AREA_OFF_NRFREE, 8, 0);
	return __zone_watermark_ok(z, order, mark, classzone_idx, can_try_harder, gfp_high);
}

/* ---- kswapd and reclaim (stubs until the reclaim issue) ---------------- */

static void trace_simple(struct mm *mm, int ev, int nid, unsigned order)
{
	if (trace_enabled(mm->trace, ev)) {
		struct sim_task *t = sim_cur_task(mm->sim);
		trace_begin(mm->trace, ev, sim_now(mm->sim), mm->cpu, t ? t->name : NULL);
		if (nid >= 0)
			trace_i64(mm->trace, "nid", nid);
		trace_u64(mm->trace, "order", order);
		trace_end(mm->trace);
	}
}

/* 6.1 pgdat_balanced: some zone up to highest_zoneidx meets its high
 * watermark (boost included) for this order; a node with no such zone
 * needs no balancing. */
static bool pgdat_balanced(pg_data_t *pgdat, unsigned order, int highest_zoneidx)
{
	bool any = false;
	for (int i = 0; i <= highest_zoneidx && i < MAX_NR_ZONES; i++) {
		struct zone *z = &pgdat->node_zones[i];
		if (!z->managed_pages)
			continue;
		any = true;
		if (__zone_watermark_ok_61(z, order, wmark_pages(z, ALLOC_WMARK_HIGH), highest_zoneidx, 0,
					   (long)z->free_pages, pgdat->mm->max_order))
			return true;
	}
	return !any;
}

/* 6.1 pgdat_watermark_boosted */
static bool pgdat_watermark_boosted(const pg_data_t *pgdat, int highest_zoneidx)
{
	for (int i = 0; i <= highest_zoneidx && i < MAX_NR_ZONES; i++)
		if (pgdat->node_zones[i].managed_pages && pgdat->node_zones[i].watermark_boost)
			return true;
	return false;
}

/*
 * 2.6.11 wakeup_kswapd: only when the zone is at or below pages_low, and
 * only if kswapd is asleep. 6.1 wakeup_kswapd: record the order and the
 * highest zone to balance, then wake kswapd unless the node is balanced
 * and not boosted (kcompactd, which 6.1 would wake then, is not
 * modelled; nor is kswapd_failures, since kswapd reclaims nothing yet).
 * kswapd is started at its first wakeup (it is asleep from boot in the
 * kernel; starting it lazily keeps idle machines without queued events).
 */
static void wakeup_kswapd(struct mm *mm, struct zone *zone, gfp_t gfp, unsigned order, int highest_zoneidx)
{
	(void)gfp;
	if (!zone->present_pages)
		return;
	pg_data_t *pgdat = zone->zone_pgdat;
	mm_touch(mm, zone->paddr, 8, 0);
	if (modern(mm)) {
		if (pgdat->kswapd_highest_zoneidx == MAX_NR_ZONES ||
		    pgdat->kswapd_highest_zoneidx < highest_zoneidx)
			pgdat->kswapd_highest_zoneidx = highest_zoneidx;
	} else if (zone->free_pages > zone->pages_low) {
		return;
	}
	if (pgdat->kswapd_max_order < (int)order)
		pgdat->kswapd_max_order = (int)order;
	struct sim_task *k = &pgdat->kswapd;
	bool asleep = k->state == SIM_TASK_NEW ||
		      (k->state == SIM_TASK_WAITING && k->wq == &pgdat->kswapd_wait);
	if (modern(mm) && asleep && pgdat_balanced(pgdat, order, highest_zoneidx) &&
	    !pgdat_watermark_boosted(pgdat, highest_zoneidx))
		return;
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
		trace_simple(mm, mm->ev_kswapd_wake, pgdat->node_id, order);
	}
}

/*
 * kswapd's step: one balance_pgdat pass (which reclaims nothing yet), then
 * sleep on kswapd_wait until the next wakeup_kswapd. In the modern era the
 * pass ends as 6.1's does for a boosted node: every zone up to the highest
 * one asked for loses the boost it had when the pass began, reclaim or
 * not (6.1 balance_pgdat's zone_boosts).
 */
enum sim_step kswapd_step(struct sim *s, struct sim_task *t)
{
	pg_data_t *pgdat = t->owner;
	struct mm *mm = pgdat->mm;
	int saved = mm->cpu;
	mm->cpu = t->cpu;
	pgdat->kswapd_runs++;
	mm->vm[PAGEOUTRUN]++;
	if (modern(mm)) {
		int highest = pgdat->kswapd_highest_zoneidx;
		if (highest == MAX_NR_ZONES)
			highest = MAX_NR_ZONES - 1;
		pgdat->kswapd_highest_zoneidx = MAX_NR_ZONES;
		for (int i = 0; i <= highest; i++) {
			struct zone *z = &pgdat->node_zones[i];
			if (!z->managed_pages || !z->watermark_boost)
				continue;
			unsigned long old = z->watermark_boost;
			spin_lock(mm, z);
			z->watermark_boost = 0;
			spin_unlock(mm, z);
			trace_boost(mm, z, old);
		}
	}
	trace_simple(mm, mm->ev_kswapd_sleep, pgdat->node_id, (unsigned)pgdat->kswapd_max_order);
	pgdat->kswapd_max_order = 0;
	mm->cpu = saved;
	sim_task_wait(s, &pgdat->kswapd_wait);
	return SIM_STEP_WAIT;
}

/* try_to_free_pages: direct reclaim, traced; frees nothing yet. */
static int try_to_free_pages(struct mm *mm, gfp_t gfp, unsigned order)
{
	mm->vm[ALLOCSTALL]++;
	if (trace_enabled(mm->trace, mm->ev_direct_reclaim_begin)) {
		struct sim_task *t = sim_cur_task(mm->sim);
		char g[128];
		gfp_format(gfp, g, sizeof g);
		trace_begin(mm->trace, mm->ev_direct_reclaim_begin, sim_now(mm->sim), mm->cpu,
			    t ? t->name : NULL);
		trace_u64(mm->trace, "order", order);
		trace_str(mm->trace, "gfp_flags", g);
		trace_end(mm->trace);
	}
	if (trace_enabled(mm->trace, mm->ev_direct_reclaim_end)) {
		struct sim_task *t = sim_cur_task(mm->sim);
		trace_begin(mm->trace, mm->ev_direct_reclaim_end, sim_now(mm->sim), mm->cpu,
			    t ? t->name : NULL);
		trace_u64(mm->trace, "nr_reclaimed", 0);
		trace_end(mm->trace);
	}
	return 0;
}

/* ---- __alloc_pages ------------------------------------------------------ */

/* 2.6.11 zone_statistics: the NUMA counters of the zone that served. */
static void zone_statistics(struct mm *mm, struct zonelist *zonelist, struct zone *z)
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

/* The classic era: one scan of the zonelist (mark: 0 pages_low, 1
 * pages_min, 2 pages_high, -1 no watermark check). */
static struct page *scan_zonelist(struct mm *mm, struct zone **zones, int order, gfp_t gfp, int mark,
				       int classzone_idx, int can_try_harder, int gfp_high, struct zone **served)
{
	for (int i = 0; zones[i]; i++) {
		struct zone *z = zones[i];
		if (mark >= 0) {
			unsigned long m = mark == 0 ? z->pages_low : mark == 1 ? z->pages_min : z->pages_high;
			if (!watermark_ok(mm, z, order, m, classzone_idx, can_try_harder, gfp_high))
				continue;
		}
		struct page *page = buffered_rmqueue(mm, z, (unsigned)order, gfp);
		if (page) {
			*served = z;
			return page;
		}
	}
	return NULL;
}

static struct page *alloc_pages_core(struct mm *mm, gfp_t gfp, unsigned order, struct zonelist *zonelist)
{
	const int wait = (gfp & __GFP_WAIT) != 0;
	struct zone **zones = zonelist->zones;
	struct zone *z = NULL;
	struct page *page;
	/* The caller may dip into reserves a bit more if it cannot run direct
	 * reclaim, or is a realtime task not in an interrupt. */
	int can_try_harder = (mm->rt && !mm->in_interrupt) || !wait;
	int gfp_high = (gfp & __GFP_HIGH) != 0;

	if (!zones[0]) {
		mm_fail(mm, MM_ENOMEM, "no zone can satisfy gfp 0x%x", gfp);
		return NULL;
	}
	int classzone_idx = zone_idx(zones[0]);

	/* First pass: above pages_low. */
	page = scan_zonelist(mm, zones, (int)order, gfp, 0, classzone_idx, 0, 0, &z);
	if (page)
		goto got_pg;

	for (int i = 0; zones[i]; i++)
		wakeup_kswapd(mm, zones[i], gfp, order, classzone_idx);

	/* Second pass: above pages_min, less for __GFP_HIGH and for callers that
	 * may try harder. */
	page = scan_zonelist(mm, zones, (int)order, gfp, 1, classzone_idx, can_try_harder, gfp_high, &z);
	if (page)
		goto got_pg;

	/* A reclaimer (PF_MEMALLOC) must be able to allocate to free memory:
	 * ignore the watermarks altogether. */
	if ((mm->pflags & PF_MEMALLOC) && !mm->in_interrupt) {
		page = scan_zonelist(mm, zones, (int)order, gfp, -1, classzone_idx, 0, 0, &z);
		if (page)
			goto got_pg;
		goto nopage;
	}

	/* Atomic allocations cannot balance anything. */
	if (!wait)
		goto nopage;

	/* Synchronous reclaim, as a reclaimer (PF_MEMALLOC). */
	unsigned saved = mm->pflags;
	mm->pflags |= PF_MEMALLOC;
	int did_some_progress = try_to_free_pages(mm, gfp, order);
	mm->pflags = saved;

	if (did_some_progress) {
		page = scan_zonelist(mm, zones, (int)order, gfp, 1, classzone_idx, can_try_harder, gfp_high, &z);
		if (page)
			goto got_pg;
	} else if ((gfp & __GFP_FS) && !(gfp & __GFP_NORETRY)) {
		/* Only a parallel OOM kill could make this succeed. */
		page = scan_zonelist(mm, zones, (int)order, gfp, 2, classzone_idx, 0, 0, &z);
		if (page)
			goto got_pg;
		/* out_of_memory(): the OOM killer is a later issue. The kernel
		 * would kill a task and `goto restart`; nothing can have changed
		 * here, so we stop. */
		trace_simple(mm, mm->ev_oom, -1, order);
		goto nopage;
	}

	/* The retry rules: __GFP_NORETRY never; order <= 3 or __GFP_REPEAT or
	 * __GFP_NOFAIL would wait (blk_congestion_wait) and go back to
	 * reclaim, which cannot make progress yet; so we fail here too. */
	goto nopage;

nopage:
	mm->vm[PGALLOC_FAIL]++;
	{
		struct sim_task *t = sim_cur_task(mm->sim);
		mm_fail(mm, MM_ENOMEM, "%s: page allocation failure. order:%u, mode:0x%x",
			t ? t->name : "mmsim", order, gfp);
		if (!(gfp & __GFP_NOWARN) && trace_enabled(mm->trace, mm->ev_alloc_fail)) {
			char g[128];
			gfp_format(gfp, g, sizeof g);
			trace_begin(mm->trace, mm->ev_alloc_fail, sim_now(mm->sim), mm->cpu, t ? t->name : NULL);
			trace_u64(mm->trace, "order", order);
			trace_str(mm->trace, "gfp_flags", g);
			trace_str(mm->trace, "msg", mm->err);
			trace_end(mm->trace);
		}
	}
	return NULL;
got_pg:
	zone_statistics(mm, zonelist, z);
	return page;
}

/* ---- The modern era's allocation path (6.1 __alloc_pages) ------------- */

/*
 * 6.1's struct alloc_context: the zones to try (the zonelist, or the
 * node's own zones for __GFP_THISNODE), the highest zone the mask allows
 * (gfp_zone: the lowmem_reserve index), the request's migrate type.
 */

/*
 * A mask written with 2.6.11's vocabulary (the names both eras share, and
 * every C caller) read as 6.1 reads its callers since 4.4 split __GFP_WAIT:
 * one that may sleep also wakes kswapd (__GFP_RECLAIM); GFP_ATOMIC
 * (__GFP_HIGH without __GFP_WAIT) is 6.1's GFP_ATOMIC; any other one that
 * may not sleep is GFP_NOWAIT. A mask that says anything about kswapd or
 * atomicity itself (__GFP_KSWAPD_RECLAIM, __GFP_ATOMIC, or __GFP_HARDWALL,
 * which only 6.1's user masks carry, GFP_TRANSHUGE's among them) is 6.1's
 * already and taken as written.
 */
static gfp_t gfp_legacy_to_61(gfp_t gfp)
{
	/* 4.13 renamed 2.6.11's "retry, but may fail" to __GFP_RETRY_MAYFAIL. */
	if (gfp & __GFP_REPEAT)
		gfp = (gfp & ~__GFP_REPEAT) | __GFP_RETRY_MAYFAIL;
	if (gfp & (__GFP_KSWAPD_RECLAIM | __GFP_ATOMIC | __GFP_HARDWALL))
		return gfp;
	if (gfp & __GFP_DIRECT_RECLAIM)
		return gfp | __GFP_KSWAPD_RECLAIM;
	if (gfp & __GFP_HIGH)
		return gfp | __GFP_ATOMIC | __GFP_KSWAPD_RECLAIM;
	return gfp | __GFP_KSWAPD_RECLAIM;
}

/*
 * 6.1 gfp_to_alloc_flags: the slow path's flags. The min watermark;
 * ALLOC_HIGH for __GFP_HIGH; ALLOC_KSWAPD for __GFP_KSWAPD_RECLAIM;
 * ALLOC_HARDER for __GFP_ATOMIC (unless __GFP_NOMEMALLOC) and for a
 * realtime task outside an interrupt. (6.1 keys ALLOC_HARDER on
 * __GFP_ATOMIC, not on the absence of __GFP_DIRECT_RECLAIM: GFP_NOWAIT
 * does not get it; 6.3 changed that.) No cpusets, no CMA.
 */
static unsigned gfp_to_alloc_flags(const struct mm *mm, gfp_t gfp)
{
	unsigned alloc_flags = ALLOC_WMARK_MIN;
	if (gfp & __GFP_HIGH)
		alloc_flags |= ALLOC_HIGH;
	if (gfp & __GFP_KSWAPD_RECLAIM)
		alloc_flags |= ALLOC_KSWAPD;
	if (gfp & __GFP_ATOMIC) {
		if (!(gfp & __GFP_NOMEMALLOC))
			alloc_flags |= ALLOC_HARDER;
	} else if (mm->rt && !mm->in_interrupt) {
		alloc_flags |= ALLOC_HARDER;
	}
	return alloc_flags;
}

/*
 * 6.1 __gfp_pfmemalloc_flags: may this caller ignore the watermarks?
 * Never with __GFP_NOMEMALLOC; always with __GFP_MEMALLOC; a reclaimer
 * (PF_MEMALLOC) outside an interrupt. (ALLOC_OOM, for an OOM victim, never:
 * the OOM killer kills nothing yet.)
 */
static unsigned __gfp_pfmemalloc_flags(const struct mm *mm, gfp_t gfp)
{
	if (gfp & __GFP_NOMEMALLOC)
		return 0;
	if (gfp & __GFP_MEMALLOC)
		return ALLOC_NO_WATERMARKS;
	if (!mm->in_interrupt && (mm->pflags & PF_MEMALLOC))
		return ALLOC_NO_WATERMARKS;
	return 0;
}

/*
 * 6.1 alloc_flags_nofragment: ALLOC_KSWAPD from the mask, and
 * ALLOC_NOFRAGMENT when the preferred zone is ZONE_NORMAL and, on a NUMA
 * machine, its node's ZONE_DMA32 is populated: a fallback may then only
 * take whole pageblocks (__rmqueue_fallback's min_order), and the zones
 * below are tried first.
 */
static unsigned alloc_flags_nofragment(struct mm *mm, struct zone *zone, gfp_t gfp)
{
	unsigned alloc_flags = (gfp & __GFP_KSWAPD_RECLAIM) ? ALLOC_KSWAPD : 0;
	if (!zone || zone_idx(zone) != ZONE_NORMAL)
		return alloc_flags;
	if (mm->nr_nodes > 1 && !populated_zone(&zone->zone_pgdat->node_zones[ZONE_DMA32]))
		return alloc_flags;
	return alloc_flags | ALLOC_NOFRAGMENT;
}

/*
 * 6.1 reserve_highatomic_pageblock: a high-order atomic allocation just
 * succeeded; keep the rest of its pageblock for the next ones, by making
 * it MIGRATE_HIGHATOMIC, while the zone's reserve is under 1% of its
 * managed pages plus a pageblock. Only a pageblock of a mergeable type
 * (below MIGRATE_PCPTYPES) changes.
 */
static void reserve_highatomic_pageblock(struct mm *mm, struct page *page, struct zone *zone)
{
	unsigned long max_managed = zone->managed_pages / 100 + pageblock_nr_pages(zone);
	if (zone->nr_reserved_highatomic >= max_managed)
		return;
	spin_lock(mm, zone);
	int mt = get_pageblock_migratetype(zone, page);
	if (mt < MIGRATE_PCPTYPES) {
		unsigned long movable;
		zone->nr_reserved_highatomic += pageblock_nr_pages(zone);
		set_pageblock_migratetype(zone, page, MIGRATE_HIGHATOMIC);
		move_freepages_block(mm, zone, page, MIGRATE_HIGHATOMIC, &movable);
	}
	spin_unlock(mm, zone);
}

/*
 * 6.1 unreserve_highatomic_pageblock: give one highatomic pageblock of
 * the zonelist back to the request's type, the first found (lowest order
 * first, zones in zonelist order), keeping each zone's last pageblock
 * unless force. The block changes type outright (no stealing
 * heuristics). Returns whether free pages moved.
 */
bool unreserve_highatomic_pageblock(struct mm *mm, const struct alloc_context *ac, bool force)
{
	pg_data_t *pgdat;
	for (struct zone **zp = ac->zonelist->zones; *zp; zp++) {
		struct zone *zone = *zp;
		if (!force && zone->nr_reserved_highatomic <= pageblock_nr_pages(zone))
			continue;
		pgdat = zone->zone_pgdat;
		spin_lock(mm, zone);
		for (unsigned order = 0; order < mm->max_order; order++) {
			struct page_list *l = &zone->free_area[order].free_lists[MIGRATE_HIGHATOMIC];
			if (plist_empty(l))
				continue;
			struct page *page = idx_page(pgdat, l->first);
			if (get_pageblock_migratetype(zone, page) == MIGRATE_HIGHATOMIC)
				zone->nr_reserved_highatomic -= zone->nr_reserved_highatomic < pageblock_nr_pages(zone) ?
					zone->nr_reserved_highatomic : pageblock_nr_pages(zone);
			set_pageblock_migratetype(zone, page, ac->migratetype);
			unsigned long movable;
			if (move_freepages_block(mm, zone, page, ac->migratetype, &movable)) {
				spin_unlock(mm, zone);
				return true;
			}
		}
		spin_unlock(mm, zone);
	}
	return false;
}

/*
 * 6.1 get_page_from_freelist: the first zone of the list whose watermark
 * (alloc_flags' mark plus the boost) holds, or any zone with
 * ALLOC_NO_WATERMARKS. ALLOC_NOFRAGMENT holds on the preferred node only;
 * without a page it is dropped and the scan starts again. node_reclaim is
 * skipped (6.1's default zone_reclaim_mode 0). A high-order ALLOC_HARDER
 * success may reserve its pageblock.
 */
static struct page *get_page_from_freelist(struct mm *mm, gfp_t gfp, unsigned order, unsigned alloc_flags,
					   const struct alloc_context *ac, struct zone **served)
{
	struct zone **zones = ac->zonelist->zones;
	struct page *page = NULL;
retry:;
	bool no_fallback = (alloc_flags & ALLOC_NOFRAGMENT) != 0;
	for (int i = 0; zones[i]; i++) {
		struct zone *z = zones[i];
		if (no_fallback && mm->nr_nodes > 1 && z->zone_pgdat != zones[0]->zone_pgdat) {
			alloc_flags &= ~ALLOC_NOFRAGMENT;
			goto retry;
		}
		unsigned long mark = wmark_pages(z, alloc_flags & ALLOC_WMARK_MASK);
		if (!zone_watermark_fast(mm, z, order, mark, ac->highest_zoneidx, alloc_flags, gfp) &&
		    !(alloc_flags & ALLOC_NO_WATERMARKS))
			continue;
		mm->alloc_flags = alloc_flags;
		page = buffered_rmqueue(mm, z, order, gfp);
		mm->alloc_flags = 0;
		if (page) {
			if (order && (alloc_flags & ALLOC_HARDER))
				reserve_highatomic_pageblock(mm, page, z);
			*served = z;
			return page;
		}
	}
	if (no_fallback) {
		alloc_flags &= ~ALLOC_NOFRAGMENT;
		goto retry;
	}
	return NULL;
}

/* 6.1 wake_all_kswapds: each node of the zonelist once. */
static void wake_all_kswapds(struct mm *mm, unsigned order, gfp_t gfp, const struct alloc_context *ac)
{
	pg_data_t *last = NULL;
	for (struct zone **zp = ac->zonelist->zones; *zp; zp++) {
		if (!(*zp)->managed_pages || (*zp)->zone_pgdat == last)
			continue;
		wakeup_kswapd(mm, *zp, gfp, order, ac->highest_zoneidx);
		last = (*zp)->zone_pgdat;
	}
}

/*
 * 6.1 __alloc_pages_direct_compact. Compaction is a later issue: this is
 * 6.1 built without CONFIG_COMPACTION, which returns no page and
 * COMPACT_SKIPPED; the attempt is traced (6.1's
 * mm_compaction_try_to_compact_pages) so a run shows where 6.1 would
 * compact.
 */
enum compact_result { COMPACT_SKIPPED = 1 };
enum compact_priority { COMPACT_PRIO_SYNC_LIGHT = 1, COMPACT_PRIO_ASYNC = 2 };
#define INIT_COMPACT_PRIORITY COMPACT_PRIO_ASYNC
#define DEF_COMPACT_PRIORITY COMPACT_PRIO_ASYNC

static struct page *__alloc_pages_direct_compact(struct mm *mm, gfp_t gfp, unsigned order, int prio,
						 enum compact_result *result)
{
	*result = COMPACT_SKIPPED;
	if (!order)
		return NULL;
	if (trace_enabled(mm->trace, mm->ev_compact)) {
		struct sim_task *t = sim_cur_task(mm->sim);
		char g[160];
		gfp_format(gfp, g, sizeof g);
		trace_begin(mm->trace, mm->ev_compact, sim_now(mm->sim), mm->cpu, t ? t->name : NULL);
		trace_u64(mm->trace, "order", order);
		trace_str(mm->trace, "gfp_mask", g);
		trace_i64(mm->trace, "prio", prio);
		trace_end(mm->trace);
	}
	return NULL;
}

/*
 * 6.1 __alloc_pages_direct_reclaim: reclaim as a reclaimer (PF_MEMALLOC,
 * 6.1 __perform_reclaim), then, if that freed anything, try again; if
 * that fails, give back a highatomic pageblock (keeping the last one),
 * drain the per-CPU lists and try once more. The reclaim stub frees
 * nothing yet, so today this only traces and counts the stall.
 */
static struct page *__alloc_pages_direct_reclaim(struct mm *mm, gfp_t gfp, unsigned order, unsigned alloc_flags,
						 const struct alloc_context *ac, unsigned long *did_some_progress,
						 struct zone **served)
{
	unsigned saved = mm->pflags;
	mm->pflags |= PF_MEMALLOC;
	*did_some_progress = (unsigned long)try_to_free_pages(mm, gfp, order);
	mm->pflags = saved;
	if (!*did_some_progress)
		return NULL;
	bool drained = false;
	for (;;) {
		struct page *page = get_page_from_freelist(mm, gfp, order, alloc_flags, ac, served);
		if (page || drained)
			return page;
		unreserve_highatomic_pageblock(mm, ac, false);
		for (int cpu = 0; cpu < mm->ncpus; cpu++)
			__drain_pages(mm, cpu);
		drained = true;
	}
}

/* 6.1's MAX_RECLAIM_RETRIES and MAX_COMPACT_RETRIES. */
#define MAX_RECLAIM_RETRIES 16
#define MAX_COMPACT_RETRIES 16

/*
 * 6.1 should_reclaim_retry: retry reclaim while some zone would meet its
 * min watermark if every reclaimable page were reclaimed (free pages
 * plus zone_reclaimable_pages: 0 in mmsim, which has no LRU lists yet);
 * after more than MAX_RECLAIM_RETRIES passes without progress, only if a
 * highatomic pageblock could still be given back (all of it: force).
 * Every pass counts as no progress (reclaim frees nothing), so the loop
 * ends after at most 17 passes.
 */
static bool should_reclaim_retry(struct mm *mm, unsigned order, const struct alloc_context *ac,
				 unsigned alloc_flags, bool did_some_progress, int *no_progress_loops)
{
	if (did_some_progress && order <= PAGE_ALLOC_COSTLY_ORDER)
		*no_progress_loops = 0;
	else
		(*no_progress_loops)++;
	if (*no_progress_loops > MAX_RECLAIM_RETRIES)
		return unreserve_highatomic_pageblock(mm, ac, true);
	for (struct zone **zp = ac->zonelist->zones; *zp; zp++) {
		struct zone *z = *zp;
		long available = (long)z->free_pages;   /* + zone_reclaimable_pages: 0 */
		if (__zone_watermark_ok_61(z, order, wmark_pages(z, ALLOC_WMARK_MIN), ac->highest_zoneidx,
					   alloc_flags, available, mm->max_order))
			return true;
	}
	return false;
}

/*
 * 6.1 should_compact_retry without CONFIG_COMPACTION: an order 1 to 3
 * request keeps retrying while some zone meets its order-0 min watermark.
 * 6.1 bounds nothing there; mmsim stops after MAX_COMPACT_RETRIES, since
 * nothing can change between two passes of a simulated allocation. Only
 * reached after reclaim made progress, which it cannot yet.
 */
static bool should_compact_retry(struct mm *mm, const struct alloc_context *ac, unsigned order,
				 unsigned alloc_flags, int *compaction_retries)
{
	if (!order || order > PAGE_ALLOC_COSTLY_ORDER || ++*compaction_retries > MAX_COMPACT_RETRIES)
		return false;
	for (struct zone **zp = ac->zonelist->zones; *zp; zp++)
		if (__zone_watermark_ok_61(*zp, 0, wmark_pages(*zp, ALLOC_WMARK_MIN), ac->highest_zoneidx,
					   alloc_flags, (long)(*zp)->free_pages, mm->max_order))
			return true;
	return false;
}

/*
 * 6.1 __alloc_pages_may_oom: one more try at the high watermark (only a
 * parallel OOM kill could make it succeed), then the OOM killer, except
 * for costly orders, __GFP_RETRY_MAYFAIL or __GFP_THISNODE requests and
 * requests that cannot use ZONE_NORMAL. The OOM killer is a later issue:
 * out_of_memory is traced (mm_oom) and kills nothing. As in 6.1 it
 * reports progress without killing for a request without __GFP_FS, and a
 * __GFP_NOFAIL request gets a try without watermarks.
 */
static struct page *__alloc_pages_may_oom(struct mm *mm, gfp_t gfp, unsigned order,
					  const struct alloc_context *ac, unsigned long *did_some_progress,
					  struct zone **served)
{
	*did_some_progress = 0;
	struct page *page = get_page_from_freelist(mm, (gfp | __GFP_HARDWALL) & ~__GFP_DIRECT_RECLAIM, order,
						   ALLOC_WMARK_HIGH, ac, served);
	if (page)
		return page;
	if (order > PAGE_ALLOC_COSTLY_ORDER)
		return NULL;
	if (gfp & (__GFP_RETRY_MAYFAIL | __GFP_THISNODE))
		return NULL;
	if (ac->highest_zoneidx < ZONE_NORMAL)
		return NULL;
	/* out_of_memory: 6.1 does not kill for a request without __GFP_FS
	 * but says it made progress; otherwise it would pick a victim. */
	bool oom_progress = !(gfp & __GFP_FS);
	if (!oom_progress)
		trace_simple(mm, mm->ev_oom, -1, order);
	if (oom_progress || (gfp & __GFP_NOFAIL)) {
		*did_some_progress = 1;
		if (gfp & __GFP_NOFAIL)
			page = get_page_from_freelist(mm, gfp, order, ALLOC_NO_WATERMARKS, ac, served);
	}
	return page;
}

/* How many times mmsim takes a loop that 6.1 repeats until another task
 * frees memory (the OOM killer's progress, __GFP_NOFAIL): a simulated
 * allocation runs without anything else running, so a second pass sees
 * what the first saw; one more pass shows the loop in the trace. */
#define MMSIM_WAIT_RETRIES 1

/*
 * 6.1 __alloc_pages_slowpath, in 6.1's order. Returns the page, or NULL
 * with *nofail_exhausted set when a __GFP_NOFAIL request ran out of the
 * retries mmsim allows.
 */
static struct page *__alloc_pages_slowpath(struct mm *mm, gfp_t gfp, unsigned order, struct alloc_context *ac,
					   struct zone **served, bool *nofail_exhausted)
{
	bool can_direct_reclaim = (gfp & __GFP_DIRECT_RECLAIM) != 0;
	const bool costly_order = order > PAGE_ALLOC_COSTLY_ORDER;
	struct page *page;
	unsigned long did_some_progress = 0;
	enum compact_result compact_result = COMPACT_SKIPPED;
	int compact_priority = DEF_COMPACT_PRIORITY, compaction_retries = 0, no_progress_loops = 0;
	int waits = 0;

	/* 6.1 warns and drops __GFP_ATOMIC from a caller that may sleep. */
	if ((gfp & (__GFP_ATOMIC | __GFP_DIRECT_RECLAIM)) == (__GFP_ATOMIC | __GFP_DIRECT_RECLAIM))
		gfp &= ~__GFP_ATOMIC;

	unsigned alloc_flags = gfp_to_alloc_flags(mm, gfp);
	if (alloc_flags & ALLOC_KSWAPD)
		wake_all_kswapds(mm, order, gfp, ac);
	page = get_page_from_freelist(mm, gfp, order, alloc_flags, ac, served);
	if (page)
		return page;

	/* Costly orders, and high-order unmovable ones, compact first. */
	if (can_direct_reclaim && (costly_order || (order > 0 && ac->migratetype != MIGRATE_MOVABLE)) &&
	    !__gfp_pfmemalloc_flags(mm, gfp)) {
		page = __alloc_pages_direct_compact(mm, gfp, order, INIT_COMPACT_PRIORITY, &compact_result);
		if (page)
			return page;
		if (costly_order && (gfp & __GFP_NORETRY)) {
			if (compact_result == COMPACT_SKIPPED)
				goto nopage;
			compact_priority = INIT_COMPACT_PRIORITY;
		}
	}

retry:
	if (alloc_flags & ALLOC_KSWAPD)
		wake_all_kswapds(mm, order, gfp, ac);
	unsigned reserve_flags = __gfp_pfmemalloc_flags(mm, gfp);
	if (reserve_flags)
		alloc_flags = reserve_flags | (alloc_flags & ALLOC_KSWAPD);
	page = get_page_from_freelist(mm, gfp, order, alloc_flags, ac, served);
	if (page)
		return page;

	if (!can_direct_reclaim)
		goto nopage;
	/* No recursion into direct reclaim. */
	if (mm->pflags & PF_MEMALLOC)
		goto nopage;

	page = __alloc_pages_direct_reclaim(mm, gfp, order, alloc_flags, ac, &did_some_progress, served);
	if (page)
		return page;
	page = __alloc_pages_direct_compact(mm, gfp, order, compact_priority, &compact_result);
	if (page)
		return page;

	if (gfp & __GFP_NORETRY)
		goto nopage;
	if (costly_order && !(gfp & __GFP_RETRY_MAYFAIL))
		goto nopage;
	if (should_reclaim_retry(mm, order, ac, alloc_flags, did_some_progress > 0, &no_progress_loops))
		goto retry;
	if (did_some_progress > 0 && should_compact_retry(mm, ac, order, alloc_flags, &compaction_retries))
		goto retry;

	page = __alloc_pages_may_oom(mm, gfp, order, ac, &did_some_progress, served);
	if (page)
		return page;
	/* 6.1 retries as long as the OOM killer makes progress. */
	if (did_some_progress && waits++ < MMSIM_WAIT_RETRIES) {
		no_progress_loops = 0;
		goto retry;
	}

nopage:
	if (gfp & __GFP_NOFAIL) {
		/* 6.1 lets a __GFP_NOFAIL request that cannot sleep fail. */
		if (!can_direct_reclaim)
			return NULL;
		/* Some of the reserves, not all (ALLOC_HARDER), and again. */
		page = get_page_from_freelist(mm, gfp, order, ALLOC_HARDER, ac, served);
		if (page)
			return page;
		if (waits++ < MMSIM_WAIT_RETRIES)
			goto retry;
		*nofail_exhausted = true;
	}
	return NULL;
}

/* The failure report (6.1 warn_alloc's message, with the caller's mask):
 * counted, and traced unless __GFP_NOWARN; a __GFP_NOFAIL request that
 * mmsim gave up on is always reported. */
static void warn_alloc(struct mm *mm, gfp_t gfp, unsigned order, bool nofail_exhausted)
{
	struct sim_task *t = sim_cur_task(mm->sim);
	char g[160];
	gfp_format(gfp, g, sizeof g);
	mm->vm[PGALLOC_FAIL]++;
	if (nofail_exhausted)
		mm_fail(mm, MM_ENOMEM, "%s: __GFP_NOFAIL allocation cannot be satisfied: order:%u, mode:0x%x(%s) "
			"(6.1 would retry forever; nothing else runs during a simulated allocation, so mmsim "
			"stops)", t ? t->name : "mmsim", order, gfp, g);
	else
		mm_fail(mm, MM_ENOMEM, "%s: page allocation failure: order:%u, mode:0x%x(%s)", t ? t->name : "mmsim",
			order, gfp, g);
	if ((nofail_exhausted || !(gfp & __GFP_NOWARN)) && trace_enabled(mm->trace, mm->ev_alloc_fail)) {
		trace_begin(mm->trace, mm->ev_alloc_fail, sim_now(mm->sim), mm->cpu, t ? t->name : NULL);
		trace_u64(mm->trace, "order", order);
		trace_str(mm->trace, "gfp_flags", g);
		trace_str(mm->trace, "msg", mm->err);
		trace_end(mm->trace);
	}
}

/*
 * 6.1 __alloc_pages: the fast path at the low watermark (with
 * ALLOC_NOFRAGMENT and ALLOC_KSWAPD as alloc_flags_nofragment gives),
 * then the slow path. __GFP_THISNODE restricts the zonelist to the
 * preferred node's zones (6.1's ZONELIST_NOFALLBACK).
 */
static struct page *__alloc_pages_61(struct mm *mm, gfp_t gfp, unsigned order, struct zonelist *zonelist)
{
	struct zonelist thisnode;
	struct alloc_context ac = { .zonelist = zonelist };
	struct zone *z = NULL;
	bool nofail_exhausted = false;
	const gfp_t caller_gfp = gfp;
	gfp = gfp_legacy_to_61(gfp);
	if (!zonelist->zones[0]) {
		mm_fail(mm, MM_ENOMEM, "no zone can satisfy gfp 0x%x", gfp);
		return NULL;
	}
	if (gfp & __GFP_THISNODE) {
		int n = 0;
		for (struct zone **zp = zonelist->zones; *zp; zp++)
			if ((*zp)->zone_pgdat == zonelist->zones[0]->zone_pgdat)
				thisnode.zones[n++] = *zp;
		thisnode.zones[n] = NULL;
		ac.zonelist = &thisnode;
	}
	ac.highest_zoneidx = gfp_zone(gfp);
	ac.migratetype = gfp_migratetype(mm, gfp);

	unsigned alloc_flags = ALLOC_WMARK_LOW | alloc_flags_nofragment(mm, ac.zonelist->zones[0], gfp);
	struct page *page = get_page_from_freelist(mm, gfp, order, alloc_flags, &ac, &z);
	if (!page)
		page = __alloc_pages_slowpath(mm, gfp, order, &ac, &z, &nofail_exhausted);
	if (!page) {
		warn_alloc(mm, caller_gfp, order, nofail_exhausted);
		return NULL;
	}
	zone_statistics(mm, ac.zonelist, z);
	return page;
}

/* ---- Entry points ------------------------------------------------------ */

int mm_enter(struct mm *mm)
{
	int cpu = sim_cur_cpu(mm->sim);
	mm->errcode = 0;
	if (cpu < 0 || cpu >= mm->ncpus)
		return mm_fail(mm, MM_ENOCPU, "no current CPU (call from a task, or mm_set_cpu first)");
	mm->cpu = cpu;
	return 0;
}

static void leave(struct mm *mm, const char *where)
{
	if (mm->policy.check)
		mm_check_or_panic(mm, where);
}

static void trace_alloc(struct mm *mm, struct page *page, unsigned order, gfp_t gfp, cycle_t start)
{
	if (trace_enabled(mm->trace, mm->ev_alloc)) {
		struct sim_task *t = sim_cur_task(mm->sim);
		char g[128];
		gfp_format(gfp, g, sizeof g);
		trace_begin(mm->trace, mm->ev_alloc, start, mm->cpu, t ? t->name : NULL);
		trace_u64(mm->trace, "pfn", page_to_pfn(mm, page));
		trace_u64(mm->trace, "order", order);
		trace_str(mm->trace, "gfp_flags", g);
		trace_i64(mm->trace, "nid", (int64_t)page_nid(page));
		trace_str(mm->trace, "zone", zone_of_page(mm, page)->name);
		/* 6.1's field: the migrate type asked for (ac.migratetype).
		 * The classic era has one list and leaves it out. */
		if (modern(mm))
			trace_i64(mm->trace, "migratetype", gfp_migratetype(mm, gfp));
		trace_u64(mm->trace, "cycles", sim_now(mm->sim) - start);
		trace_end(mm->trace);
	}
}

static struct page *do_alloc(struct mm *mm, int nid, gfp_t gfp, unsigned order, struct zonelist *zl)
{
	cycle_t start = sim_now(mm->sim);
	if (mm_enter(mm))
		return NULL;
	if (order >= mm->max_order) {
		mm_fail(mm, MM_EINVAL, "order %u: must be below MAX_ORDER (%u)", order, mm->max_order);
		return NULL;
	}
	gfp_t allowed = modern(mm) ? __GFP_BITS_MASK_MODERN : __GFP_BITS_MASK;
	if (gfp & ~allowed) {
		mm_fail(mm, MM_EINVAL, "gfp 0x%x has bits outside __GFP_BITS_MASK (0x%x)", gfp, allowed);
		return NULL;
	}
	if (!zl) {
		if (nid < 0)
			nid = mm->cpu_node[mm->cpu];
		if (nid >= mm->nr_nodes) {
			mm_fail(mm, MM_EINVAL, "node %d: the machine has %d nodes", nid, mm->nr_nodes);
			return NULL;
		}
		zl = &mm->node_data[nid]->node_zonelists[gfp_zone(gfp)];
	}
	struct page *page = modern(mm) ? __alloc_pages_61(mm, gfp, order, zl) : alloc_pages_core(mm, gfp, order, zl);
	if (page)
		trace_alloc(mm, page, order, gfp, start);
	leave(mm, "alloc_pages");
	return page;
}

struct page *alloc_pages(struct mm *mm, gfp_t gfp_mask, unsigned order)
{
	return do_alloc(mm, -1, gfp_mask, order, NULL);
}

struct page *alloc_pages_node(struct mm *mm, int nid, gfp_t gfp_mask, unsigned order)
{
	return do_alloc(mm, nid, gfp_mask, order, NULL);
}

struct page *__alloc_pages(struct mm *mm, gfp_t gfp_mask, unsigned order, struct zonelist *zonelist)
{
	if (!zonelist) {
		mm_fail(mm, MM_EINVAL, "__alloc_pages: no zonelist");
		return NULL;
	}
	return do_alloc(mm, -1, gfp_mask, order, zonelist);
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

/* Is page one of ours? (Callers in C may pass anything.) */
static bool page_is_ours(struct mm *mm, const struct page *page)
{
	for (int nid = 0; nid < mm->nr_nodes; nid++) {
		const pg_data_t *pgdat = mm->node_data[nid];
		if (pgdat->node_mem_map && page >= pgdat->node_mem_map &&
		    page < pgdat->node_mem_map + pgdat->node_spanned_pages)
			return true;
	}
	return false;
}

/* The checks the kernel makes with BUG_ON and bad_page, as errors. */
static int check_free(struct mm *mm, struct page *page, unsigned order)
{
	if (!page || !page_is_ours(mm, page))
		return mm_fail(mm, MM_EINVAL, "__free_pages: not a page of this machine");
	/* The common case, first: the head of a block handed out with this
	 * order, still referenced, not compound (the allocator only hands out
	 * aligned blocks inside their zone, so nothing else can be wrong). */
	if (PageAllocHead(page) && page_alloc_order(page) == order && page_count(page) > 0 &&
	    !PageCompound(page))
		return 0;
	uint64_t pfn = page_to_pfn(mm, page);
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

static int do_free(struct mm *mm, struct page *page, unsigned order, int cold)
{
	cycle_t start = sim_now(mm->sim);
	int rc = mm_enter(mm);
	if (rc)
		return rc;
	rc = check_free(mm, page, order);
	if (rc)
		return rc;
	struct zone *zone = zone_of_page(mm, page);
	/* put_page_testzero */
	touch_page(mm, zone->zone_pgdat, page, PAGE_OFF_COUNT, 4, 1);
	if (--page->_count > 0) {
		leave(mm, "__free_pages");
		return 0;
	}
	clear_page_alloc_order(page);
	bool tracing = trace_enabled(mm->trace, mm->ev_free);
	uint64_t pfn = tracing ? page_to_pfn(mm, page) : 0;
	if (modern(mm) && pcp_allowed_order(zone, order)) {
		/* 6.1 free_the_page: the pcp orders through free_unref_page */
		destroy_compound_page(mm, zone->zone_pgdat, page, order);
		free_unref_page(mm, zone, page, order);
	} else if (order == 0) {
		free_hot_cold_page(mm, zone, page, cold);
	} else {
		__free_pages_ok(mm, zone, page, order);
	}
	if (tracing) {
		struct sim_task *t = sim_cur_task(mm->sim);
		trace_begin(mm->trace, mm->ev_free, start, mm->cpu, t ? t->name : NULL);
		trace_u64(mm->trace, "pfn", pfn);
		trace_u64(mm->trace, "order", order);
		trace_u64(mm->trace, "cycles", sim_now(mm->sim) - start);
		trace_end(mm->trace);
	}
	leave(mm, "__free_pages");
	return 0;
}

int __free_pages(struct mm *mm, struct page *page, unsigned order)
{
	return do_free(mm, page, order, 0);
}

int free_cold_page(struct mm *mm, struct page *page)
{
	return do_free(mm, page, 0, 1);
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
	struct page *page = pfn_to_page(mm, pfn);
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
			       (unsigned long long)page_to_pfn(mm, page));
	page->_count++;
	return 0;
}

void drain_local_pages(struct mm *mm)
{
	if (mm_enter(mm))
		return;
	__drain_pages(mm, mm->cpu);
	leave(mm, "drain_local_pages");
}

void drain_all_pages(struct mm *mm)
{
	if (mm_enter(mm))
		return;
	for (int cpu = 0; cpu < mm->ncpus; cpu++)
		__drain_pages(mm, cpu);
	leave(mm, "drain_all_pages");
}

unsigned long nr_free_pages(const struct mm *mm)
{
	unsigned long sum = 0;
	for (int nid = 0; nid < mm->nr_nodes; nid++)
		for (int j = 0; j < MAX_NR_ZONES; j++)
			sum += mm->node_data[nid]->node_zones[j].free_pages;
	return sum;
}
