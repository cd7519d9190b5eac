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

static inline void zone_free_pages(struct mm *mm, struct zone *zone, long delta)
{
	zone->free_pages += (unsigned long)delta;
	mm_touch(mm, zone->paddr + ZONE_OFF_FREE_PAGES, 8, 1);
}

/* ---- The buddy system --------------------------------------------------- */

/*
 * 2.6.11 expand: a block of order `high` was taken for a request of order
 * `low`; give the upper half back at each order on the way down, at the head
 * of that order's list, and return the lowest part.
 */
static struct page *expand(struct mm *mm, struct zone *zone, struct page *page, unsigned low,
			   unsigned high)
{
	pg_data_t *pgdat = zone->zone_pgdat;
	unsigned long size = 1UL << high;
	while (high > low) {
		high--;
		size >>= 1;
		struct page *half = page + size;
		MMSIM_ASSERT(!bad_range(mm, zone, half));
		plist_add(mm, pgdat, &zone->free_area[high].free_list, free_area_paddr(mm, zone, high), half);
		free_area_nr(mm, zone, high, 1);
		set_page_order(mm, pgdat, half, high);
	}
	return page;
}

/* 2.6.11 __rmqueue: the head block of the smallest non-empty order >= order,
 * split down to order. Caller holds zone->lock. NULL if the zone has none. */
static struct page *__rmqueue(struct mm *mm, struct zone *zone, unsigned order)
{
	pg_data_t *pgdat = zone->zone_pgdat;
	for (unsigned cur = order; cur < mm->max_order; cur++) {
		struct free_area *area = &zone->free_area[cur];
		mm_touch(mm, free_area_paddr(mm, zone, cur), 8, 0);
		if (plist_empty(&area->free_list))
			continue;
		struct page *page = idx_page(pgdat, area->free_list.first);
		plist_del(mm, pgdat, &area->free_list, free_area_paddr(mm, zone, cur), page);
		rmv_page_order(mm, pgdat, page);
		free_area_nr(mm, zone, cur, -1);
		zone_free_pages(mm, zone, -(1L << order));
		return expand(mm, zone, page, order, cur);
	}
	return NULL;
}

/*
 * 2.6.11 __free_pages_bulk's body for one block: merge with free buddies as
 * far as they go, then put the result at the head of its order's list. The
 * index is zone-relative (base = zone->zone_mem_map), as the kernel's is.
 * Caller holds zone->lock (boot calls it before any CPU runs).
 */
static inline void free_one_page_inl(struct mm *mm, struct page *page, struct zone *zone, unsigned order)
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
		plist_del(mm, pgdat, &zone->free_area[order].free_list, free_area_paddr(mm, zone, order),
			  buddy);
		free_area_nr(mm, zone, order, -1);
		rmv_page_order(mm, pgdat, buddy);
		page_idx &= buddy_idx;
		order++;
	}
	struct page *coalesced = base + page_idx;
	set_page_order(mm, pgdat, coalesced, order);
	plist_add(mm, pgdat, &zone->free_area[order].free_list, free_area_paddr(mm, zone, order), coalesced);
	free_area_nr(mm, zone, order, 1);
}

void __free_one_page(struct mm *mm, struct page *page, struct zone *zone, unsigned order)
{
	free_one_page_inl(mm, page, zone, order);
}

/* Trace one frame leaving a per-CPU list for the buddy lists. */
static void trace_pcpu_drain(struct mm *mm, struct page *page, unsigned order)
{
	if (trace_enabled(mm->trace, mm->ev_pcpu_drain)) {
		struct sim_task *t = sim_cur_task(mm->sim);
		trace_begin(mm->trace, mm->ev_pcpu_drain, sim_now(mm->sim), mm->cpu, t ? t->name : NULL);
		trace_u64(mm->trace, "pfn", page_to_pfn(mm, page));
		trace_u64(mm->trace, "order", order);
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
			trace_pcpu_drain(mm, page, order);
		free_one_page_inl(mm, page, zone, order);
		ret++;
	}
	spin_unlock(mm, zone);
	return ret;
}

/* 2.6.11 rmqueue_bulk: up to `count` blocks of `order` onto the tail of
 * list, under one lock round trip. Returns how many. */
static int rmqueue_bulk(struct mm *mm, struct zone *zone, unsigned order, int count,
			struct page_list *list, uint64_t list_paddr)
{
	pg_data_t *pgdat = zone->zone_pgdat;
	int allocated = 0;
	mm->vm[PCP_REFILL]++;
	spin_lock(mm, zone);
	for (int i = 0; i < count; i++) {
		struct page *page = __rmqueue(mm, zone, order);
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

	if (order == 0 && mm->policy.pcp) {
		struct per_cpu_pages *pcp = &zone->pageset[mm->cpu].pcp[cold];
		uint64_t pa = pcp_paddr(zone, mm->cpu, cold);
		mm_touch(mm, pa + PCP_OFF_COUNT, 16, 0);
		if (pcp->count <= pcp->low)
			pcp->count += rmqueue_bulk(mm, zone, 0, pcp->batch, &pcp->list, pa + PCP_OFF_LIST);
		if (pcp->count) {
			page = idx_page(pgdat, pcp->list.first);
			plist_del(mm, pgdat, &pcp->list, pa + PCP_OFF_LIST, page);
			pcp->count--;
			mm_touch(mm, pa + PCP_OFF_COUNT, 4, 1);
		}
	}
	if (!page) {
		spin_lock(mm, zone);
		page = __rmqueue(mm, zone, order);
		spin_unlock(mm, zone);
	}
	if (page) {
		MMSIM_ASSERT(!bad_range(mm, zone, page));
		mm->vm[PGALLOC_DMA + zone_idx(zone)] += 1UL << order;
		prep_new_page(mm, pgdat, page, order);
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

/* 2.6.11 wakeup_kswapd: only when the zone is at or below pages_low, and
 * only if kswapd is asleep. kswapd is started at its first wakeup (it is
 * asleep from boot in the kernel; starting it lazily keeps idle machines
 * without queued events). */
static void wakeup_kswapd(struct mm *mm, struct zone *zone, unsigned order)
{
	if (!zone->present_pages)
		return;
	pg_data_t *pgdat = zone->zone_pgdat;
	mm_touch(mm, zone->paddr, 8, 0);
	if (zone->free_pages > zone->pages_low)
		return;
	if (pgdat->kswapd_max_order < (int)order)
		pgdat->kswapd_max_order = (int)order;
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
		trace_simple(mm, mm->ev_kswapd_wake, pgdat->node_id, order);
	}
}

/* kswapd's step: one balance_pgdat pass (which reclaims nothing yet), then
 * sleep on kswapd_wait until the next wakeup_kswapd. */
enum sim_step kswapd_step(struct sim *s, struct sim_task *t)
{
	pg_data_t *pgdat = t->owner;
	struct mm *mm = pgdat->mm;
	int saved = mm->cpu;
	mm->cpu = t->cpu;
	pgdat->kswapd_runs++;
	mm->vm[PAGEOUTRUN]++;
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

/* One scan of the zonelist (mark: 0 pages_low, 1 pages_min, 2 pages_high,
 * -1 no watermark check). */
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
		wakeup_kswapd(mm, zones[i], order);

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

/* ---- Entry points ------------------------------------------------------ */

static int enter(struct mm *mm)
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
		trace_u64(mm->trace, "cycles", sim_now(mm->sim) - start);
		trace_end(mm->trace);
	}
}

static struct page *do_alloc(struct mm *mm, int nid, gfp_t gfp, unsigned order, struct zonelist *zl)
{
	cycle_t start = sim_now(mm->sim);
	if (enter(mm))
		return NULL;
	if (order >= mm->max_order) {
		mm_fail(mm, MM_EINVAL, "order %u: must be below MAX_ORDER (%u)", order, mm->max_order);
		return NULL;
	}
	if (gfp & ~__GFP_BITS_MASK) {
		mm_fail(mm, MM_EINVAL, "gfp 0x%x has bits outside __GFP_BITS_MASK (0x%x)", gfp, __GFP_BITS_MASK);
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
	struct page *page = alloc_pages_core(mm, gfp, order, zl);
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
	int rc = enter(mm);
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
	if (order == 0)
		free_hot_cold_page(mm, zone, page, cold);
	else
		__free_pages_ok(mm, zone, page, order);
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
	if (enter(mm))
		return;
	__drain_pages(mm, mm->cpu);
	leave(mm, "drain_local_pages");
}

void drain_all_pages(struct mm *mm)
{
	if (enter(mm))
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
