/*
 * The zoned page frame allocator of Linux 6.1 (mm/page_alloc.c), the modern
 * era: migrate types and pageblocks with their fallbacks and the watermark
 * boost, the per-CPU lists per migrate type and order, and 6.1's
 * __alloc_pages (get_page_from_freelist, the slow path, the highatomic
 * reserve), on the buddy core both eras share (mm/buddy.h); and the
 * boot-time sizing and sysctl handlers 6.1 keeps in the same file (6.4
 * moved the boot part to mm/mm_init.c). kswapd and direct reclaim are in
 * vmscan.c, the views in vmstat.c, THP's min_free_kbytes rule in
 * khugepaged.c; the era's table of operations, which mm_boot installs for
 * era=modern, ends this file.
 *
 * Migrate types. Each pageblock (pageblock_order, the machine's) has a
 * type, and each order of each zone one free list per type. A request
 * takes from its type's lists (__rmqueue_smallest); when they are empty it
 * steals from another type (__rmqueue_fallback), the largest block first,
 * taking over the whole pageblock when it may, and boosting the zone's
 * watermarks so that kswapd restores free pages before the types mix
 * further. A freed block goes back on its pageblock's type's list, to the
 * tail when its merged block is likely to merge further (buddy_merge_likely).
 *
 * The per-CPU lists. One list per migrate type for each order up to
 * PAGE_ALLOC_COSTLY_ORDER, and one for pageblock-order blocks, counted
 * together in pages; refilled by a batch when empty, drained by
 * nr_pcp_free's batches when the count reaches high.
 *
 * Where we differ from 6.1: reclaim, compaction and the OOM killer are
 * later issues (vmscan.c's stubs free nothing, compaction is 6.1 built
 * without CONFIG_COMPACTION, the OOM killer is traced and kills nothing);
 * the loops 6.1 repeats until another task frees memory are bounded
 * (MMSIM_WAIT_RETRIES), since nothing else runs during a simulated
 * allocation. pcp=off (a policy) sends every request and free straight to
 * the buddy lists.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/6.1/internal.h"
#include "mm/entry.h"

/* ---- Fallbacks between migrate types ------------------------------------- */

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
void trace_mm_watermark_boost(struct mm *mm, struct zone *zone, unsigned long old)
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
static void steal_suitable_fallback(struct mm *mm, struct zone *zone, struct page *page, unsigned alloc_flags,
				    int start_type, bool whole_block)
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
		trace_mm_watermark_boost(mm, zone, old_boost);
		if (alloc_flags & ALLOC_KSWAPD)
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
	trace_u64(mm->trace, "pfn", __page_to_pfn(mm, page));
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
static bool __rmqueue_fallback(struct mm *mm, struct zone *zone, unsigned order, int start_mt,
			       unsigned alloc_flags)
{
	pg_data_t *pgdat = zone->zone_pgdat;
	unsigned min_order = (alloc_flags & ALLOC_NOFRAGMENT) ? pageblock_order(zone) : order;
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
	steal_suitable_fallback(mm, zone, page, alloc_flags, start_mt, can_steal);
	mm->nr_extfrag++;
	trace_extfrag(mm, zone, page, order, (unsigned)cur, start_mt, fmt);
	return true;
}

/* 6.1 __rmqueue (no CMA): the smallest block of the request's type, else
 * a fallback steal and again. */
static struct page *__rmqueue(struct mm *mm, struct zone *zone, unsigned order, int mt, unsigned alloc_flags)
{
	struct page *page;
	for (;;) {
		page = __rmqueue_smallest(mm, zone, order, mt);
		if (page || !__rmqueue_fallback(mm, zone, order, mt, alloc_flags))
			return page;
	}
}

/* ---- Freeing into the buddy lists ---------------------------------------- */

/* 6.1's fpi_t: how __free_one_page places the block. */
typedef unsigned fpi_t;
#define FPI_NONE    0u
#define FPI_TO_TAIL (1u << 1)   /* the tail of its list (boot's freeing) */

/*
 * 6.1 __free_one_page's choice of list end: the tail for FPI_TO_TAIL (boot
 * freeing, __free_pages_core), else buddy_merge_likely: the tail when the
 * merged block's own buddy one order up is free, so the block is likely to
 * merge further soon and should not be handed out first. (6.1's shuffle is
 * off by default.)
 */
static inline bool to_tail(struct mm *mm, struct zone *zone, unsigned long page_idx, unsigned order, fpi_t fpi)
{
	if (fpi & FPI_TO_TAIL)
		return true;
	if (order + 2 >= mm->max_order)
		return false;
	unsigned long higher_buddy = (page_idx & ~(1UL << order)) ^ (1UL << (order + 1));
	if (higher_buddy >= zone->spanned_pages)
		return false;
	return page_is_buddy(mm, zone->zone_pgdat, zone->zone_mem_map + higher_buddy, order + 1);
}

/*
 * 6.1 __free_one_page: merge with free buddies as far as they go (above
 * pageblock_order, a highatomic or isolated block does not merge with a
 * block of another type), then put the result on its type's list, at the
 * end to_tail says. The index is zone-relative (base = zone->zone_mem_map),
 * as the kernel's is. Caller holds zone->lock (boot calls it before any
 * CPU runs).
 */
static inline void __free_one_page(struct mm *mm, struct page *page, struct zone *zone, unsigned order, int mt,
				   fpi_t fpi)
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
		if (order >= pageblock_order(zone)) {
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
	if (to_tail(mm, zone, page_idx, order, fpi))
		plist_add_tail(mm, pgdat, l, free_area_paddr(mm, zone, order), coalesced);
	else
		plist_add(mm, pgdat, l, free_area_paddr(mm, zone, order), coalesced);
	free_area_nr(mm, zone, order, 1);
}

/* 6.1 __free_pages_core: boot hands every frame to the buddy lists at the
 * tail (FPI_TO_TAIL), so the lowest blocks are handed out first. */
static void __free_pages_core(struct mm *mm, struct page *page, struct zone *zone, unsigned order)
{
	__free_one_page(mm, page, zone, order, get_pageblock_migratetype(zone, page), FPI_TO_TAIL);
}

/*
 * 6.1 free_one_page: one block to the buddy lists under the zone lock.
 * What is charged besides is mmsim's from its first 6.1 path, which went
 * through 2.6.11's free_pages_bulk with a one-block list on the stack: the
 * block's lru links written and read back, and the zone's free count's
 * line written before the merge. Kept, so that the eras' costs compare as
 * they always have.
 */
static void free_one_page(struct mm *mm, struct zone *zone, struct page *page, unsigned order, int mt)
{
	pg_data_t *pgdat = zone->zone_pgdat;
	page->lru_next = page->lru_prev = PAGE_NIL;
	touch_page(mm, pgdat, page, PAGE_OFF_LRU, 16, 1);
	spin_lock(mm, zone);
	mm_touch(mm, zone->paddr + ZONE_OFF_FREE_PAGES, 8, 1);
	touch_page(mm, pgdat, page, PAGE_OFF_LRU, 16, 0);
	__free_one_page(mm, page, zone, order, mt, FPI_NONE);
	spin_unlock(mm, zone);
}

/* 6.1 __free_pages_ok: a block the per-CPU lists do not take. */
static void __free_pages_ok(struct mm *mm, struct zone *zone, struct page *page, unsigned order)
{
	mm->vm[PGFREE] += 1UL << order;
	destroy_compound_page(mm, zone->zone_pgdat, page, order);
	free_one_page(mm, zone, page, order, get_pageblock_migratetype(zone, page));
}

/* ---- The per-CPU lists ---------------------------------------------------- */

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
			__free_one_page(mm, page, zone, order, mt, FPI_NONE);
			trace_mm_page_pcpu_drain(mm, page, order, mt);
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
		free_one_page(mm, zone, page, order, mt);
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

/* 6.1 rmqueue_bulk: up to `count` blocks of `order` and type mt onto the
 * tail of list, under one lock round trip. Returns how many. */
static int rmqueue_bulk(struct mm *mm, struct zone *zone, unsigned order, int count,
			struct page_list *list, uint64_t list_paddr, int mt, unsigned alloc_flags)
{
	pg_data_t *pgdat = zone->zone_pgdat;
	int allocated = 0;
	mm->vm[PCP_REFILL]++;
	spin_lock(mm, zone);
	for (int i = 0; i < count; i++) {
		struct page *page = __rmqueue(mm, zone, order, mt, alloc_flags);
		if (!page)
			break;
		allocated++;
		plist_add_tail(mm, pgdat, list, list_paddr, page);
		trace_mm_page_alloc_zone_locked(mm, page, order);
	}
	spin_unlock(mm, zone);
	return allocated;
}

/*
 * 6.1 rmqueue_pcplist and __rmqueue_pcplist: the head of the list for
 * (type, order), refilled first if empty with a batch (batch >> order
 * blocks, at least 2, for order > 0) by rmqueue_bulk. Each allocation
 * halves free_factor.
 */
static struct page *rmqueue_pcplist(struct mm *mm, struct zone *zone, unsigned order, int mt,
				    unsigned alloc_flags)
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
		int got = rmqueue_bulk(mm, zone, order, batch, list, pa + PCP_OFF_LIST, mt, alloc_flags);
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
static void drain_pages_zone(struct mm *mm, struct zone *zone, int cpu)
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

/* 6.1 drain_pages: every zone's lists of cpu (the lock is taken by the
 * current CPU). */
static void drain_pages(struct mm *mm, int cpu)
{
	for (int nid = 0; nid < mm->nr_nodes; nid++)
		for (int j = 0; j < MAX_NR_ZONES; j++)
			drain_pages_zone(mm, &mm->node_data[nid]->node_zones[j], cpu);
}

/* 6.1 free_the_page: the pcp orders through free_unref_page, the others
 * straight to the buddy lists (there is no cold list: a cold free is an
 * ordinary one). */
static void free_the_page(struct mm *mm, struct zone *zone, struct page *page, unsigned order, bool cold)
{
	(void)cold;
	if (pcp_allowed_order(zone, order)) {
		destroy_compound_page(mm, zone->zone_pgdat, page, order);
		free_unref_page(mm, zone, page, order);
	} else {
		__free_pages_ok(mm, zone, page, order);
	}
}

/*
 * 6.1 rmqueue: a pcp order from the CPU's list of its type; anything else
 * (or an empty list that could not be refilled) from the buddy lists under
 * the lock (rmqueue_buddy: a high-order atomic request tries the highatomic
 * reserve first). A boost raised for an allocation that may wake kswapd
 * wakes it now, whether or not this one got a page. The page keeps the
 * type it was allocated as in ->index.
 */
static struct page *rmqueue(struct mm *mm, struct zone *zone, unsigned order, gfp_t gfp, unsigned alloc_flags)
{
	pg_data_t *pgdat = zone->zone_pgdat;
	struct page *page = NULL;
	int mt = gfp_migratetype(gfp);

	if (mm->policy.pcp && pcp_allowed_order(zone, order))
		page = rmqueue_pcplist(mm, zone, order, mt, alloc_flags);
	if (!page) {
		spin_lock(mm, zone);
		if (order > 0 && (alloc_flags & ALLOC_HARDER))
			page = __rmqueue_smallest(mm, zone, order, MIGRATE_HIGHATOMIC);
		if (!page)
			page = __rmqueue(mm, zone, order, mt, alloc_flags);
		spin_unlock(mm, zone);
	}
	if (zone->flags & (1UL << ZONE_BOOSTED_WATERMARK)) {
		zone->flags &= ~(1UL << ZONE_BOOSTED_WATERMARK);
		wakeup_kswapd_61(mm, zone, 0, 0, zone_idx(zone));
	}
	if (page) {
		MMSIM_ASSERT(!bad_range(mm, zone, page));
		_Static_assert(PGALLOC_MOVABLE - PGALLOC_DMA == ZONE_MOVABLE, "a pgalloc counter per zone type");
		mm->vm[PGALLOC_DMA + zone_idx(zone)] += 1UL << order;
		prep_new_page(mm, pgdat, page, order);
		page->index = (uint32_t)mt;   /* the type it was allocated as */
		if (gfp & __GFP_ZERO)
			prep_zero_page(mm, page, order);
		if (order && (gfp & __GFP_COMP))
			prep_compound_page(mm, pgdat, page, order);
	}
	return page;
}

/* ---- Watermarks --------------------------------------------------------- */

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
bool __zone_watermark_ok_61(const struct zone *z, unsigned order, unsigned long mark, int highest_zoneidx,
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
unsigned long wmark_pages(const struct zone *z, unsigned wmark)
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

/* ---- __alloc_pages ------------------------------------------------------ */

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
		page = rmqueue(mm, z, order, gfp, alloc_flags);
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
		wakeup_kswapd_61(mm, *zp, gfp, order, ac->highest_zoneidx);
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
	*did_some_progress = try_to_free_pages_61(mm, gfp, order);
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
			drain_pages(mm, cpu);
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
		trace_mm_simple(mm, mm->ev_oom, -1, order);
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
	if ((nofail_exhausted || !(gfp & __GFP_NOWARN)) && trace_enabled(mm->trace, mm->ev_alloc_fail))
		trace_mm_page_alloc_fail(mm, order, g);
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
	ac.migratetype = gfp_migratetype(gfp);

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

/* The mm_page_alloc event with 6.1's fields: the migrate type asked for
 * (ac.migratetype) after the zone. */
static void trace_mm_page_alloc(struct mm *mm, struct page *page, unsigned order, gfp_t gfp, cycle_t start)
{
	struct sim_task *t = sim_cur_task(mm->sim);
	char g[128];
	gfp_format(gfp, g, sizeof g);
	trace_begin(mm->trace, mm->ev_alloc, start, mm->cpu, t ? t->name : NULL);
	trace_u64(mm->trace, "pfn", __page_to_pfn(mm, page));
	trace_u64(mm->trace, "order", order);
	trace_str(mm->trace, "gfp_flags", g);
	trace_i64(mm->trace, "nid", (int64_t)page_nid(page));
	trace_str(mm->trace, "zone", zone_of_page(mm, page)->name);
	trace_i64(mm->trace, "migratetype", gfp_migratetype(gfp));
	trace_u64(mm->trace, "cycles", sim_now(mm->sim) - start);
	trace_end(mm->trace);
}

/* ---- Boot: zonelists, per-CPU list sizes, watermarks, protection ---------- */

/*
 * What 6.1 computes at boot on the nodes, zones and mem_map that mm_boot
 * builds alike for both eras (mm/mm_init.c):
 *   - the zonelists (build_zonelists with 6.1's find_next_best_node: the
 *     penalty for lower node ids, node_load accumulating by one per
 *     distance group);
 *   - min_free_kbytes (calculate_min_free_kbytes, then khugepaged's
 *     set_recommended_min_free_kbytes when transparent huge pages are on
 *     and the machine has 512 MiB or more);
 *   - the watermarks (__setup_per_zone_wmarks: min shared in proportion to
 *     managed pages, low and high a watermark_scale_factor step apart);
 *   - protection (setup_per_zone_lowmem_reserve, from managed pages);
 *   - the per-CPU pagesets' high and batch (zone_batchsize, zone_highsize,
 *     percpu_pagelist_high_fraction), recomputed whenever the watermarks
 *     are (setup_per_zone_wmarks ends with zone_pcp_update).
 * Every count comes from zone->managed_pages, as 6.1's do; an imported
 * machine gets 6.1's own managed counts (hw/machine_import.c).
 *
 * Boot-time and run-time phases. 6.1 computes the boot values once, early,
 * from the managed counts of that moment (before the initrd and init memory
 * are freed); the simulator has only the final counts, so its boot values
 * are what 6.1 computes when a sysctl is written after boot (the reference
 * directories' sysctl_* phases), not the few pages' difference the boot
 * phase shows. The policy's sysctl values (watermark_scale_factor,
 * percpu_pagelist_high_fraction, lowmem_reserve_ratio, a fixed
 * min_free_kbytes) are applied after boot as writes, the way sysctl.conf
 * applies them, so the THP rule sees 6.1's defaults, as on a real box.
 */

/* 6.1 include/linux/topology.h */
#define PENALTY_FOR_NODE_WITH_CPUS 1
/* Debian 6.1's CONFIG_NODES_SHIFT=10: the factor that keeps node_load a
 * tie-breaker in find_next_best_node. */
#define MAX_NUMNODES_61 1024

/* 6.1's pageblock_order on x86 is HUGETLB_PAGE_ORDER, HPAGE_SHIFT -
 * PAGE_SHIFT: 9 on x86_64 and i386 PAE (2 MiB pages), 10 on a 2-level
 * i386 (4 MiB pages). 6.1 caps it at MAX_ORDER - 1, which the default
 * MAX_ORDER 11 never reaches; mmsim does not apply the cap to a smaller
 * max_order policy (a pageblock then spans more than the largest buddy
 * block, and ALLOC_NOFRAGMENT finds nothing to steal whole). */
static unsigned pageblock_order_61(enum hw_arch arch)
{
	return hw_arch_large_page_shift(arch) - HW_PAGE_SHIFT;
}

static bool has_highmem(const struct mm *mm)
{
	return mm->arch != HW_ARCH_X86_64;
}

/* 6.1 find_usable_zone_for_movable: the zone ZONE_MOVABLE is carved from,
 * the highest below it with memory on some node. */
static int movable_zone(const struct mm *mm)
{
	for (int j = ZONE_MOVABLE - 1; j > 0; j--)
		for (int nid = 0; nid < mm->nr_nodes; nid++)
			if (mm->node_data[nid]->node_zones[j].spanned_pages)
				return j;
	return 0;
}

/* 6.1 is_highmem_idx: HighMem, and Movable when it is carved from HighMem
 * (only a 32-bit kernel has HighMem). */
static bool is_highmem_61(const struct mm *mm, int j)
{
	if (!has_highmem(mm))
		return false;
	return j == ZONE_HIGHMEM || (j == ZONE_MOVABLE && movable_zone(mm) == ZONE_HIGHMEM);
}

static bool node_has_cpus(const struct mm *mm, int nid)
{
	for (int c = 0; c < mm->ncpus; c++)
		if (mm->cpu_node[c] == nid)
			return true;
	return false;
}

static int node_nr_cpus(const struct mm *mm, int nid)
{
	int n = 0;
	for (int c = 0; c < mm->ncpus; c++)
		n += mm->cpu_node[c] == nid;
	return n;
}

static bool node_has_memory(const struct mm *mm, int nid)
{
	return mm->node_data[nid]->node_present_pages != 0;
}

/* ---- Zonelists (6.1 build_all_zonelists, build_zonelists) ---------------- */

/*
 * 6.1 find_next_best_node: the local node first; then, over the nodes with
 * memory not used yet, the lowest of (distance + 1 if the node's id is below
 * the local one + PENALTY_FOR_NODE_WITH_CPUS if it has CPUs) * MAX_NUMNODES
 * + node_load, the first (lowest id) winning ties.
 */
static int find_next_best_node_61(const struct mm *mm, int node, bool *used, const int *node_load)
{
	if (!used[node]) {
		used[node] = true;
		return node;
	}
	long min_val = 0x7fffffffL;
	int best = -1;
	for (int n = 0; n < mm->nr_nodes; n++) {
		if (!node_has_memory(mm, n) || used[n])
			continue;
		long val = (long)mm->distance[node][n];
		val += n < node;
		if (node_has_cpus(mm, n))
			val += PENALTY_FOR_NODE_WITH_CPUS;
		val *= MAX_NUMNODES_61;
		val += node_load[n];
		if (val < min_val) {
			min_val = val;
			best = n;
		}
	}
	if (best >= 0)
		used[best] = true;
	return best;
}

/*
 * 6.1 build_all_zonelists: node_load is cleared once, then each node's
 * fallback order adds 1 to the load of the first node of every new distance
 * group (the round-robin among equals). The zonelist holds, node after node
 * in that order, each node's populated zones highest first
 * (build_zonerefs_node); node_zonelists[k] is its part at or below zone k,
 * the list for_each_zone_zonelist walks for a highest zone k.
 */
static void build_all_zonelists(struct mm *mm)
{
	int node_load[HW_MAX_NODES] = { 0 };
	for (int nid = 0; nid < mm->nr_nodes; nid++) {
		bool used[HW_MAX_NODES] = { false };
		int order[HW_MAX_NODES], nr = 0, node, prev = nid;
		while ((node = find_next_best_node_61(mm, nid, used, node_load)) >= 0) {
			if (mm->distance[nid][node] != mm->distance[nid][prev])
				node_load[node] += 1;
			order[nr++] = node;
			prev = node;
		}
		for (int k = 0; k < MAX_NR_ZONES; k++) {
			struct zonelist *zl = &mm->node_data[nid]->node_zonelists[k];
			int j = 0;
			for (int i = 0; i < nr; i++)
				for (int z = k; z >= 0; z--) {
					struct zone *zone = &mm->node_data[order[i]]->node_zones[z];
					if (populated_zone(zone))
						zl->zones[j++] = zone;
				}
			zl->zones[j] = NULL;
		}
	}
}

/* ---- Per-CPU pagesets (6.1 zone_batchsize, zone_highsize) ---------------- */

static unsigned long rounddown_pow_of_two(unsigned long x)
{
	unsigned long r = 1;
	while (r <= x / 2)
		r <<= 1;
	return r;
}

/* 6.1 zone_batchsize: a quarter of min(managed / 1024, 1 MiB of pages),
 * at least 1, then clamped to 2^n - 1 (it may come out 0: the caller
 * takes at least 1). */
static long zone_batchsize(const struct zone *z)
{
	unsigned long batch = z->managed_pages >> 10;
	if (batch > (1UL << 20) / HW_PAGE_SIZE)
		batch = (1UL << 20) / HW_PAGE_SIZE;
	batch /= 4;
	if (batch < 1)
		batch = 1;
	return (long)rounddown_pow_of_two(batch + batch / 2) - 1;
}

/* 6.1 zone_highsize: the low watermark (or managed /
 * percpu_pagelist_high_fraction) split over the CPUs of the zone's node
 * (all CPUs if it has none), at least 4 batches. */
static long zone_highsize(const struct mm *mm, const struct zone *z, long batch)
{
	unsigned long total = mm->policy.percpu_pagelist_high_fraction ?
		z->managed_pages / mm->policy.percpu_pagelist_high_fraction : z->pages_low;
	int split = node_nr_cpus(mm, z->zone_pgdat->node_id);
	if (!split)
		split = mm->ncpus;
	long high = (long)(total / (unsigned long)split);
	if (high < batch * 4)
		high = batch * 4;
	return high;
}

/* 6.1 zone_set_pageset_high_and_batch: every CPU's pageset of z. */
static void zone_set_pageset_high_and_batch(struct mm *mm, struct zone *z)
{
	long batch = zone_batchsize(z);
	if (batch < 1)
		batch = 1;
	long high = zone_highsize(mm, z, batch);
	for (int cpu = 0; cpu < mm->ncpus; cpu++)
		for (int cold = 0; cold < 2; cold++) {
			struct per_cpu_pages *pcp = &z->pageset[cpu].pcp[cold];
			pcp->low = 0;
			pcp->high = (int)high;
			pcp->batch = (int)batch;
		}
}

/* ---- Watermarks (6.1 __setup_per_zone_wmarks) ---------------------------- */

static unsigned long mult_frac(unsigned long x, unsigned long n, unsigned long d)
{
	return (x / d) * n + (x % d) * n / d;
}

/*
 * 6.1 setup_per_zone_wmarks: min = min_free_kbytes in pages shared among
 * the non-HighMem zones in proportion to managed pages (a HighMem zone:
 * managed / 1024 clamped to [SWAP_CLUSTER_MAX, 128]); the step to low and
 * from low to high is the larger of min / 4 and managed *
 * watermark_scale_factor / 10000; boost cleared. Then every zone's pcp
 * high and batch (zone_pcp_update).
 */
void setup_per_zone_wmarks_61(struct mm *mm)
{
	unsigned long pages_min = mm->min_free_kbytes >> (HW_PAGE_SHIFT - 10);
	unsigned long lowmem_pages = 0;
	bool highmem[MAX_NR_ZONES];
	for (int j = 0; j < MAX_NR_ZONES; j++)
		highmem[j] = is_highmem_61(mm, j);
	for (int nid = 0; nid < mm->nr_nodes; nid++)
		for (int j = 0; j < MAX_NR_ZONES; j++)
			if (!highmem[j])
				lowmem_pages += mm->node_data[nid]->node_zones[j].managed_pages;
	for (int nid = 0; nid < mm->nr_nodes; nid++)
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			struct zone *z = &mm->node_data[nid]->node_zones[j];
			uint64_t tmp = lowmem_pages ? (uint64_t)pages_min * z->managed_pages / lowmem_pages : 0;
			if (highmem[j]) {
				unsigned long m = z->managed_pages / 1024;
				if (m < SWAP_CLUSTER_MAX)
					m = SWAP_CLUSTER_MAX;
				if (m > 128)
					m = 128;
				z->pages_min = m;
			} else {
				z->pages_min = (unsigned long)tmp;
			}
			unsigned long step = (unsigned long)(tmp >> 2);
			unsigned long scaled = mult_frac(z->managed_pages, mm->policy.watermark_scale_factor, 10000);
			if (scaled > step)
				step = scaled;
			z->pages_low = z->pages_min + step;
			z->pages_high = z->pages_low + step;
		}
	for (int nid = 0; nid < mm->nr_nodes; nid++)
		for (int j = 0; j < MAX_NR_ZONES; j++)
			zone_set_pageset_high_and_batch(mm, &mm->node_data[nid]->node_zones[j]);
}

/*
 * 6.1 setup_per_zone_lowmem_reserve: for each zone i below the top,
 * lowmem_reserve[j] (j > i) is the managed pages of zones i+1..j divided
 * by lowmem_reserve_ratio[i]; 0 when that ratio is 0 or zone i has no
 * managed pages. The policy's ratios stop at Normal: HighMem's and
 * Movable's are 6.1's default 0 (so HighMem keeps nothing back from
 * Movable allocations).
 */
static void setup_per_zone_lowmem_reserve_61(struct mm *mm)
{
	for (int nid = 0; nid < mm->nr_nodes; nid++) {
		pg_data_t *pgdat = mm->node_data[nid];
		for (int i = 0; i < MAX_NR_ZONES; i++) {
			struct zone *z = &pgdat->node_zones[i];
			unsigned ratio = i < ZONE_HIGHMEM ? mm->policy.lowmem_reserve_ratio[i] : 0;
			bool clear = !ratio || !z->managed_pages;
			unsigned long managed = 0;
			z->lowmem_reserve[i] = 0;
			for (int j = i + 1; j < MAX_NR_ZONES; j++) {
				managed += pgdat->node_zones[j].managed_pages;
				z->lowmem_reserve[j] = clear ? 0 : managed / ratio;
			}
		}
	}
}

/* ---- min_free_kbytes (6.1 calculate_min_free_kbytes) ----------------------- */

/* 6.1 nr_free_buffer_pages: over the zonelist of the boot CPU's node, the
 * zones at or below Normal, managed minus the high watermark where
 * positive. */
unsigned long nr_free_buffer_pages_61(struct mm *mm)
{
	int nid = mm->ncpus ? mm->cpu_node[0] : 0;
	unsigned long sum = 0;
	for (struct zone **z = mm->node_data[nid]->node_zonelists[ZONE_NORMAL].zones; *z; z++)
		if ((*z)->managed_pages > (*z)->pages_high)
			sum += (*z)->managed_pages - (*z)->pages_high;
	return sum;
}

/* 6.1 calculate_min_free_kbytes (with no user value): sqrt(lowmem_kbytes *
 * 16) clamped to [128, 262144]. */
static void calculate_min_free_kbytes(struct mm *mm)
{
	unsigned long lowmem_kbytes = nr_free_buffer_pages_61(mm) * (HW_PAGE_SIZE >> 10);
	unsigned long m = int_sqrt(lowmem_kbytes * 16);
	if (m < 128)
		m = 128;
	if (m > 262144)
		m = 262144;
	mm->min_free_kbytes = m;
}

static unsigned long totalram_pages(const struct mm *mm)
{
	unsigned long sum = 0;
	for (int nid = 0; nid < mm->nr_nodes; nid++)
		for (int j = 0; j < MAX_NR_ZONES; j++)
			sum += mm->node_data[nid]->node_zones[j].managed_pages;
	return sum;
}

/*
 * Boot, in 6.1's order and with 6.1's defaults for the sysctls:
 * init_per_zone_wmark_min (a postcore initcall: calculate_min_free_kbytes,
 * setup_per_zone_wmarks, setup_per_zone_lowmem_reserve), then hugepage_init
 * (a subsys initcall: THP off below 512 MiB, else khugepaged starts and
 * set_recommended_min_free_kbytes runs). Then the policy's sysctl values,
 * written as sysctl.conf would.
 */
static void init_per_zone_wmark_min(struct mm *mm)
{
	struct mm_policy want = mm->policy;
	mm->policy.watermark_scale_factor = 10;
	mm->policy.percpu_pagelist_high_fraction = 0;
	mm->policy.lowmem_reserve_ratio[ZONE_DMA] = 256;
	mm->policy.lowmem_reserve_ratio[ZONE_DMA32] = 256;
	mm->policy.lowmem_reserve_ratio[ZONE_NORMAL] = 32;
	mm->policy.min_free_kbytes = -1;

	calculate_min_free_kbytes(mm);
	setup_per_zone_wmarks_61(mm);
	setup_per_zone_lowmem_reserve_61(mm);
	if (want.thp && totalram_pages(mm) >= (512UL << (20 - HW_PAGE_SHIFT)))
		set_recommended_min_free_kbytes(mm);

	char v[64], err[256];
	if (want.min_free_kbytes >= 0) {
		snprintf(v, sizeof v, "%ld", want.min_free_kbytes);
		mm_sysctl_write(mm, "min_free_kbytes", v, err, sizeof err);
	}
	if (want.watermark_scale_factor != 10) {
		snprintf(v, sizeof v, "%u", want.watermark_scale_factor);
		mm_sysctl_write(mm, "watermark_scale_factor", v, err, sizeof err);
	}
	if (memcmp(want.lowmem_reserve_ratio, mm->policy.lowmem_reserve_ratio,
		   sizeof want.lowmem_reserve_ratio)) {
		snprintf(v, sizeof v, "%u,%u,%u", want.lowmem_reserve_ratio[0], want.lowmem_reserve_ratio[1],
			 want.lowmem_reserve_ratio[2]);
		mm_sysctl_write(mm, "lowmem_reserve_ratio", v, err, sizeof err);
	}
	if (want.percpu_pagelist_high_fraction) {
		snprintf(v, sizeof v, "%u", want.percpu_pagelist_high_fraction);
		mm_sysctl_write(mm, "percpu_pagelist_high_fraction", v, err, sizeof err);
	}
}

/*
 * 6.1 memmap_init_range sets MIGRATE_MOVABLE on every pageblock whose first
 * (aligned) frame it initialises, that is whose first frame lies in the
 * zone; a zone's unaligned first block keeps 0, MIGRATE_UNMOVABLE (so a
 * DMA zone starting at pfn 1 shows one Unmovable block, as the reference
 * machines do). The frames are all freed later as movable (boot freeing,
 * page_alloc.c's __free_one_page reads the block's type).
 */
static void memmap_init_zone(struct mm *mm, struct zone *z)
{
	z->pageblock_order = mm->pageblock_order;
	if (!z->spanned_pages)
		return;
	unsigned long base = z->zone_start_pfn & ~(pageblock_nr_pages(z) - 1);
	unsigned long end = z->zone_start_pfn + z->spanned_pages;
	z->nr_pageblocks = (end - base + pageblock_nr_pages(z) - 1) >> pageblock_order(z);
	z->pageblock_mt = mmsim_xcalloc(z->nr_pageblocks, 1);
	for (unsigned long b = 0; b < z->nr_pageblocks; b++)
		if (base + (b << pageblock_order(z)) >= z->zone_start_pfn)
			z->pageblock_mt[b] = MIGRATE_MOVABLE;
}
/* 6.1's x86 setup_arch reserves the first 1 MiB (memblock_reserve(0,
 * SZ_1M), since 5.13) on x86_64, unless the description already says what
 * the kernel reserved (an imported machine's kernel ranges); and
 * pageblock_order is the machine's (set_pageblock_order). */
static void setup_arch(struct mm *mm, const struct hw_machine_desc *d)
{
	mm->pageblock_order = pageblock_order_61(d->arch);
	if (mm->arch != HW_ARCH_X86_64)
		return;
	mm->boot_keep_low = 1u << 20;
	for (int i = 0; i < d->nr_ranges; i++)
		if (d->ranges[i].type == HW_MEM_KERNEL)
			mm->boot_keep_low = 0;
}

/* 6.1 sizes the per-CPU lists with the watermarks
 * (zone_set_pageset_high_and_batch, from setup_per_zone_wmarks): until
 * then they are empty and have no high or batch. */
static void zone_pcp_init(struct mm *mm, struct zone *z)
{
	(void)mm;
	(void)z;
}

/* The events 6.1 has that 2.6.11 had no counterpart for: a fallback steal
 * (mm_page_alloc_extfrag, 6.1's fields), mmsim's watermark boost changes,
 * and compaction attempts (6.1's mm_compaction_try_to_compact_pages). */
static void trace_events(struct mm *mm, struct trace *tr)
{
	mm->ev_extfrag = trace_event_id(tr, "mm_page_alloc_extfrag");
	mm->ev_boost = trace_event_id(tr, "mm_watermark_boost");
	mm->ev_compact = trace_event_id(tr, "mm_compaction_try_to_compact_pages");
}

/* ---- Run-time sysctls ---------------------------------------------------- */

static const char *const sysctls[] = { "min_free_kbytes", "watermark_scale_factor",
				       "lowmem_reserve_ratio", "percpu_pagelist_high_fraction", NULL };

/*
 * The handlers: 6.1 min_free_kbytes_sysctl_handler (user_min_free_kbytes,
 * setup_per_zone_wmarks), watermark_scale_factor_sysctl_handler
 * (setup_per_zone_wmarks), lowmem_reserve_ratio_sysctl_handler
 * (setup_per_zone_lowmem_reserve; 6.1 also runs it on every read),
 * percpu_pagelist_high_fraction_sysctl_handler (zone_set_pageset_high_and_batch
 * for every populated zone, when the value changes).
 */
static void sysctl_handler(struct mm *mm, const char *name, const struct mm_policy *old)
{
	if (!strcmp(name, "min_free_kbytes") || !strcmp(name, "watermark_scale_factor")) {
		setup_per_zone_wmarks_61(mm);
	} else if (!strcmp(name, "lowmem_reserve_ratio")) {
		setup_per_zone_lowmem_reserve_61(mm);
	} else if (mm->policy.percpu_pagelist_high_fraction != old->percpu_pagelist_high_fraction) {
		for (int nid = 0; nid < mm->nr_nodes; nid++)
			for (int j = 0; j < MAX_NR_ZONES; j++)
				if (populated_zone(&mm->node_data[nid]->node_zones[j]))
					zone_set_pageset_high_and_batch(mm, &mm->node_data[nid]->node_zones[j]);
	}
}

/* ---- The invariant checker's part ---------------------------------------- */

/* Each CPU's lists per (type, order): free blocks of the zone, aligned to
 * their order, counted in pages; and the highatomic reserve counts its
 * pageblocks (reserve_highatomic_pageblock, unreserve_highatomic_pageblock). */
static int check_zone(struct mm *mm, struct zone *z, unsigned long *on_pcp, char *err, size_t errlen)
{
	pg_data_t *pgdat = z->zone_pgdat;
	char what[96];
	for (int cpu = 0; cpu < mm->ncpus; cpu++) {
		const struct per_cpu_pageset *ps = &z->pageset[cpu];
		long pages = 0;
		for (int i = 0; i < NR_PCP_LISTS; i++) {
			unsigned order = pindex_to_order(z, i);
			snprintf(what, sizeof what, "node %d %s cpu %d pcp list %d", pgdat->node_id, z->name, cpu, i);
			long n = mm_check_list(pgdat, &ps->lists[i], err, errlen, what);
			if (n < 0)
				return -1;
			for (uint32_t k = ps->lists[i].first; k != PAGE_NIL; k = pgdat->node_mem_map[k].lru_next) {
				struct page *p = &pgdat->node_mem_map[k];
				if (zone_of_page(mm, p) != z || PagePrivate(p) || page_count(p) || PageReserved(p) ||
				    ((unsigned long)(p - z->zone_mem_map) & ((1UL << order) - 1)))
					return mmsim_errf(err, errlen, "%s: pfn %llu is not a free block of the zone", what,
							  (unsigned long long)(pgdat->node_start_pfn + k));
			}
			pages += n << order;
		}
		if (pages != ps->pcp[0].count)
			return mmsim_errf(err, errlen, "node %d %s cpu %d: pcp count %d but %ld pages on its lists",
					  pgdat->node_id, z->name, cpu, ps->pcp[0].count, pages);
		*on_pcp += (unsigned long)pages;
	}
	unsigned long highatomic = 0;
	for (unsigned long b = 0; b < z->nr_pageblocks; b++)
		highatomic += z->pageblock_mt[b] == MIGRATE_HIGHATOMIC;
	if (highatomic * pageblock_nr_pages(z) != z->nr_reserved_highatomic)
		return mmsim_errf(err, errlen, "node %d %s: nr_reserved_highatomic %lu but %lu highatomic pageblocks",
				  pgdat->node_id, z->name, z->nr_reserved_highatomic, highatomic);
	return 0;
}

/* ---- The entry points ------------------------------------------------------ */

/* alloc_pages and __free_pages in this era: mm/entry.h's bodies around
 * this file's __alloc_pages and free_the_page. */
static struct page *alloc_pages_61(struct mm *mm, int nid, gfp_t gfp, unsigned order, struct zonelist *zl)
{
	return alloc_pages_entry(mm, nid, gfp, order, zl, __GFP_BITS_MASK_MODERN, __alloc_pages_61, trace_mm_page_alloc);
}

static int free_pages_61(struct mm *mm, struct page *page, unsigned order, bool cold)
{
	return free_pages_entry(mm, page, order, cold, free_the_page);
}

/* ---- The era's table ---------------------------------------------------- */

const struct mm_ops mm_ops_61 = {
	.era = "modern",
	.version = "6.1",
	/* 6.1's alloc_zeroed_user_highpage_movable: anonymous pages are
	 * movable, kept in MIGRATE_MOVABLE pageblocks */
	.gfp_anon = GFP_HIGHUSER_MOVABLE,
	.nr_free_lists = MIGRATE_TYPES,
	.takes_capture = true,

	.setup_arch = setup_arch,
	.zone_pcp_init = zone_pcp_init,
	.memmap_init_zone = memmap_init_zone,
	.build_all_zonelists = build_all_zonelists,
	.free_boot_block = __free_pages_core,
	.init_per_zone_wmark_min = init_per_zone_wmark_min,
	.trace_events = trace_events,
	.kswapd = kswapd_61,

	.alloc_pages = alloc_pages_61,
	.free_pages = free_pages_61,
	.drain_pages = drain_pages,
	.sysctls = sysctls,
	.sysctl_handler = sysctl_handler,

	.view_names = view_names_61,
	.views_known = "buddyinfo, zoneinfo, vmstat, meminfo, freelists, slabinfo, vmallocinfo, zonelists, "
		       "numastat, node_meminfo, pagetypeinfo",
	.view = view_61,
	.node_meminfo = node_meminfo_61,
	.check_zone = check_zone,

	/* The modern era runs 2.6.11's kmap, slab, vmalloc, DMA bouncing and
	 * user address spaces until it has its own (issue 20). */
	.kernel = &mm_kernel_2611,
};
