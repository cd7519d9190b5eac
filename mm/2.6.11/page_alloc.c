/*
 * The zoned page frame allocator of Linux 2.6.11 (mm/page_alloc.c), the
 * classic era: the per-CPU hot and cold lists, the watermark checks and
 * __alloc_pages, on the buddy core both eras share (mm/buddy.h); the
 * boot-time sizing 2.6.11 keeps in the same file (free_area_init_core's
 * per-CPU list sizes, build_all_zonelists, init_per_zone_pages_min) and its
 * two sysctl handlers; and the era's /proc printers. 2.6.11's page_alloc.c
 * prints /proc/buddyinfo (frag_show: the same in both eras, mm/vmstat.c)
 * and /proc/vmstat (vmstat_show); /proc/zoneinfo came in 2.6.13, in the
 * same file; /proc/meminfo is fs/proc/proc_misc.c's meminfo_read_proc and
 * a node's meminfo drivers/base/node.c's, kept here with the era's other
 * printers. kswapd and direct reclaim are in vmscan.c; the era's table of
 * operations, which mm_boot installs for era=classic, ends this file.
 *
 * The per-CPU lists. Order-0 requests go through two lists per CPU and
 * zone, hot and cold (__GFP_COLD picks cold). A list is refilled with
 * `batch` frames from the buddy system (rmqueue_bulk, one lock round trip)
 * when its count is <= low, and a freed frame goes to the head of the hot
 * list, a batch of frames from the list's tail going back to the buddy
 * system (free_pages_bulk) when count >= high. Frames on a per-CPU list are
 * not counted in zone->free_pages.
 *
 * The buddy lists. 2.6.11 has one free list per order: free_area's
 * free_list, list 0 of the shared layout. A freed block merges with its
 * buddies as far as they go and goes to the head of its list.
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
 *     the caller, not a BUG() (mm/page_alloc.c's checks);
 *   - pcp=off (a policy) sends order-0 requests and frees straight to the
 *     buddy lists under the zone lock.
 */
#include <stdio.h>
#include <string.h>

#include "mm/2.6.11/internal.h"
#include "mm/entry.h"

/* ---- The buddy lists ----------------------------------------------------- */

/*
 * 2.6.11 __free_pages_bulk's body for one block (__free_one_page in later
 * kernels): merge with free buddies as far as they go, then put the result
 * at the head of its order's list. The index is zone-relative (base =
 * zone->zone_mem_map), as the kernel's is. Caller holds zone->lock (boot
 * calls it before any CPU runs).
 */
static inline void __free_one_page(struct mm *mm, struct page *page, struct zone *zone, unsigned order)
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
		plist_del(mm, pgdat, &zone->free_area[order].free_list, free_area_paddr(mm, zone, order), buddy);
		free_area_nr(mm, zone, order, -1);
		rmv_page_order(mm, pgdat, buddy);
		page_idx &= buddy_idx;
		order++;
	}
	struct page *coalesced = base + page_idx;
	set_page_order(mm, pgdat, coalesced, order);
	coalesced->index = 0;
	plist_add(mm, pgdat, &zone->free_area[order].free_list, free_area_paddr(mm, zone, order), coalesced);
	free_area_nr(mm, zone, order, 1);
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
			trace_mm_page_pcpu_drain(mm, page, order, -1);
		__free_one_page(mm, page, zone, order);
		ret++;
	}
	spin_unlock(mm, zone);
	return ret;
}

/* 2.6.11 __rmqueue: the smallest block that fits, from the one list. */
static inline struct page *__rmqueue(struct mm *mm, struct zone *zone, unsigned order)
{
	return __rmqueue_smallest(mm, zone, order, 0);
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
		trace_mm_page_alloc_zone_locked(mm, page, order);
	}
	spin_unlock(mm, zone);
	return allocated;
}

/* ---- The per-CPU lists --------------------------------------------------- */

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

/* 2.6.11 __free_pages after put_page_testzero (free_the_page, as 6.1
 * names that part): order 0 to the CPU's hot or cold list, the rest to the
 * buddy lists. */
static void free_the_page(struct mm *mm, struct zone *zone, struct page *page, unsigned order, bool cold)
{
	if (order == 0)
		free_hot_cold_page(mm, zone, page, cold);
	else
		__free_pages_ok(mm, zone, page, order);
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

/* ---- __alloc_pages ------------------------------------------------------ */

/* One scan of the zonelist (mark: 0 pages_low, 1
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

/* 2.6.11 __alloc_pages: the passes over the zonelist at lower and lower
 * watermarks, kswapd woken between the first two, then direct reclaim and
 * the OOM killer (which free nothing yet: see the essay). */
static struct page *__alloc_pages_2611(struct mm *mm, gfp_t gfp, unsigned order, struct zonelist *zonelist)
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
		wakeup_kswapd_2611(mm, zones[i], order);

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
	int did_some_progress = try_to_free_pages_2611(mm, gfp, order);
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
		trace_mm_simple(mm, mm->ev_oom, -1, order);
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
			trace_mm_page_alloc_fail(mm, order, g);
		}
	}
	return NULL;
got_pg:
	zone_statistics(mm, zonelist, z);
	return page;
}

/* mmsim's mm_page_alloc event (6.1's tracepoint, without the migrate type:
 * 2.6.11 has one list). */
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
	trace_u64(mm->trace, "cycles", sim_now(mm->sim) - start);
	trace_end(mm->trace);
}

/* ---- Boot: per-CPU list sizes, zonelists, watermarks --------------------- */


/*
 * 2.6.11 free_area_init_core's per-CPU list sizes: batch is about a
 * thousandth of the zone but at most 256 KiB worth, then divided by 4
 * (at least 1); the hot list keeps between 2 and 6 batches, the cold list
 * between 0 and 2.
 */
static void zone_pcp_init(struct mm *mm, struct zone *z)
{
	int ncpus = mm->ncpus;
	unsigned long batch = z->present_pages / 1024;
	if (batch * HW_PAGE_SIZE > 256 * 1024)
		batch = (256 * 1024) / HW_PAGE_SIZE;
	batch /= 4;
	if (batch < 1)
		batch = 1;
	for (int cpu = 0; cpu < ncpus; cpu++) {
		struct per_cpu_pages *hot = &z->pageset[cpu].pcp[0];
		struct per_cpu_pages *cold = &z->pageset[cpu].pcp[1];
		hot->count = 0;
		hot->low = (int)(2 * batch);
		hot->high = (int)(6 * batch);
		hot->batch = (int)batch;
		plist_init(&hot->list);
		cold->count = 0;
		cold->low = 0;
		cold->high = (int)(2 * batch);
		cold->batch = (int)batch;
		plist_init(&cold->list);
	}
}

/* ---- Zonelists (2.6.11 build_zonelists, NUMA variant) -------------------- */

/* 2.6.11 include/linux/topology.h */
#define PENALTY_FOR_NODE_WITH_CPUS 1
/* MAX_NUMNODES of 2.6.11 x86_64 (NODES_SHIFT 6): a factor in
 * find_next_best_node's score, which keeps the load a tie-breaker only. */
#define MAX_NUMNODES HW_MAX_NODES

/* Add the zones of pgdat from zone k downwards that have pages
 * (build_zonelists_node). */
static int build_zonelists_node(pg_data_t *pgdat, struct zonelist *zl, int j, int k)
{
	for (int z = k; z >= 0; z--)
		if (populated_zone(&pgdat->node_zones[z]))
			zl->zones[j++] = &pgdat->node_zones[z];
	return j;
}

static bool node_has_cpus(const struct mm *mm, int nid)
{
	for (int c = 0; c < mm->ncpus; c++)
		if (mm->cpu_node[c] == nid)
			return true;
	return false;
}

/*
 * The next node for node's fallback list (2.6.11 find_next_best_node): the
 * node itself first; then the lowest score, where score = (distance + 1 if
 * the node has CPUs) * (nr_nodes * MAX_NUMNODES) + node_load. Candidates are
 * visited from node+1 round the ring, and only a strictly lower score
 * replaces the best, so among equals the first after `node` wins.
 */
static int find_next_best_node(struct mm *mm, int node, bool *used, int *node_load)
{
	int n_online = mm->nr_nodes;
	long min_val = 0x7fffffffL;
	int best = -1;
	for (int i = 0; i < n_online; i++) {
		int n = (node + i) % n_online;
		if (used[n])
			continue;
		if (!used[node]) {
			best = node;
			break;
		}
		long val = (long)mm->distance[node][n];
		if (node_has_cpus(mm, n))
			val += PENALTY_FOR_NODE_WITH_CPUS;
		val *= (long)n_online * MAX_NUMNODES;
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
 * Every node's zonelists. node_load persists across nodes, as the kernel's
 * static node_load[] does: the first node of each new distance group gets
 * `load` added (load counts down from nr_nodes), which spreads equal-distance
 * fallbacks round-robin over the nodes' lists.
 *
 * zonelist_order=node (2.6.11): node after node, each contributing its
 * allowed zones highest first. zonelist_order=zone (2.6.23's alternative):
 * the same node order, but zone-major: the highest allowed zone of every
 * node, then the next zone down of every node; it protects the low zones
 * (DMA32) of the local node at the cost of going remote sooner.
 */
static void build_all_zonelists(struct mm *mm)
{
	int node_load[HW_MAX_NODES] = { 0 };
	for (int nid = 0; nid < mm->nr_nodes; nid++) {
		pg_data_t *pgdat = mm->node_data[nid];
		bool used[HW_MAX_NODES] = { false };
		int order[HW_MAX_NODES];
		int nr = 0;
		int load = mm->nr_nodes;
		int prev = nid;
		int node;
		while ((node = find_next_best_node(mm, nid, used, node_load)) >= 0) {
			if (mm->distance[nid][node] != mm->distance[nid][prev])
				node_load[node] += load;
			prev = node;
			load--;
			order[nr++] = node;
		}
		for (int k = 0; k < MAX_NR_ZONES; k++) {
			struct zonelist *zl = &pgdat->node_zonelists[k];
			int j = 0;
			if (mm->policy.zonelist_order == ZONELIST_ORDER_NODE) {
				for (int i = 0; i < nr; i++)
					j = build_zonelists_node(mm->node_data[order[i]], zl, j, k);
			} else {
				for (int z = k; z >= 0; z--)
					for (int i = 0; i < nr; i++) {
						struct zone *zone = &mm->node_data[order[i]]->node_zones[z];
						if (populated_zone(zone))
							zl->zones[j++] = zone;
					}
			}
			zl->zones[j] = NULL;
		}
	}
}

/* ---- Watermarks (2.6.11 init_per_zone_pages_min and friends) ------------ */

/* 2.6.11 nr_free_zone_pages(GFP_USER & GFP_ZONEMASK), reproduced with its
 * NUMA quirk: it walks the GFP_USER zonelist of *every* node, and each
 * zonelist holds every node's zones, so on N nodes each zone is counted N
 * times (fixed in 2.6.13 by walking one node's list). At boot pages_high is
 * still 0, so this is N * the present lowmem pages. */
static unsigned long nr_free_buffer_pages_boot(struct mm *mm)
{
	unsigned long sum = 0;
	for (int nid = 0; nid < mm->nr_nodes; nid++) {
		struct zonelist *zl = &mm->node_data[nid]->node_zonelists[gfp_zone(GFP_USER)];
		for (struct zone **z = zl->zones; *z; z++)
			if ((*z)->present_pages > (*z)->pages_high)
				sum += (*z)->present_pages - (*z)->pages_high;
	}
	return sum;
}


/*
 * 2.6.11 setup_per_zone_pages_min: pages_min = min_free_kbytes / 4 shared
 * among the lowmem zones in proportion to their present pages; a HighMem
 * zone (even an empty one) gets present/1024 clamped to [32, 128];
 * pages_low = min * 5/4, pages_high = min * 6/4, rounded down.
 */
static void setup_per_zone_pages_min(struct mm *mm)
{
	unsigned long pages_min = mm->min_free_kbytes >> (HW_PAGE_SHIFT - 10);
	unsigned long lowmem_pages = 0;
	for (int nid = 0; nid < mm->nr_nodes; nid++)
		for (int j = 0; j < MAX_NR_ZONES; j++)
			if (j != ZONE_HIGHMEM)
				lowmem_pages += mm->node_data[nid]->node_zones[j].present_pages;
	for (int nid = 0; nid < mm->nr_nodes; nid++)
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			struct zone *z = &mm->node_data[nid]->node_zones[j];
			if (j == ZONE_HIGHMEM) {
				unsigned long m = z->present_pages / 1024;
				if (m < SWAP_CLUSTER_MAX)
					m = SWAP_CLUSTER_MAX;
				if (m > 128)
					m = 128;
				z->pages_min = m;
			} else {
				z->pages_min = lowmem_pages ?
					(unsigned long)((uint64_t)pages_min * z->present_pages / lowmem_pages) : 0;
			}
			z->pages_low = z->pages_min * 5 / 4;
			z->pages_high = z->pages_min * 6 / 4;
		}
}

/*
 * 2.6.11 setup_per_zone_lowmem_reserve: zone j's allocations must leave
 * lower_zone->lowmem_reserve[j] pages of each lower zone alone; that is the
 * present pages of zones j down to lower_zone+1, divided by the lower
 * zone's ratio.
 */
static void setup_per_zone_lowmem_reserve(struct mm *mm)
{
	for (int nid = 0; nid < mm->nr_nodes; nid++) {
		pg_data_t *pgdat = mm->node_data[nid];
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			struct zone *z = &pgdat->node_zones[j];
			unsigned long present = z->present_pages;
			z->lowmem_reserve[j] = 0;
			for (int idx = j - 1; idx >= 0; idx--) {
				struct zone *lower = &pgdat->node_zones[idx];
				unsigned ratio = idx < ZONE_HIGHMEM ? mm->policy.lowmem_reserve_ratio[idx] : 1;
				lower->lowmem_reserve[j] = present / (ratio ? ratio : 1);
				present += lower->present_pages;
			}
		}
	}
}

/* 2.6.11 init_per_zone_pages_min: min_free_kbytes = sqrt(lowmem_kbytes * 16)
 * clamped to [128, 65536], unless the policy sets it. */
static void init_per_zone_pages_min(struct mm *mm)
{
	if (mm->policy.min_free_kbytes >= 0) {
		mm->min_free_kbytes = (unsigned long)mm->policy.min_free_kbytes;
	} else {
		unsigned long lowmem_kbytes = nr_free_buffer_pages_boot(mm) * (HW_PAGE_SIZE >> 10);
		unsigned long m = int_sqrt(lowmem_kbytes * 16);
		if (m < 128)
			m = 128;
		if (m > 65536)
			m = 65536;
		mm->min_free_kbytes = m;
	}
	setup_per_zone_pages_min(mm);
	setup_per_zone_lowmem_reserve(mm);
}

/* Boot frees straight into the buddy lists (mm_boot's free_all_bootmem:
 * 2.6.11 frees through __free_pages, whose order-0 frees go through the
 * boot CPU's hot list and drain to the same lists). */
static void free_boot_block(struct mm *mm, struct page *page, struct zone *z, unsigned order)
{
	__free_one_page(mm, page, z, order);
}

/* 2.6.11 reserves nothing low beyond what the description says (its
 * x86_64 setup_arch keeps the BIOS areas the e820 map already marks). */
static void setup_arch(struct mm *mm, const struct hw_machine_desc *d)
{
	(void)mm;
	(void)d;
}

/* 2.6.11 has no pageblocks: memmap_init's reserved frames are all. */
static void memmap_init_zone(struct mm *mm, struct zone *z)
{
	(void)mm;
	(void)z;
}

/* 2.6.11 has no tracepoints; mmsim's events (mm/mm_init.c) are all there
 * is for this era. */
static void trace_events(struct mm *mm, struct trace *tr)
{
	(void)mm;
	(void)tr;
}

/* ---- Run-time sysctls ----------------------------------------------------- */

static const char *const sysctls[] = { "min_free_kbytes", "lowmem_reserve_ratio", NULL };

/* 2.6.11 min_free_kbytes_sysctl_handler (setup_per_zone_pages_min) and
 * lowmem_reserve_ratio_sysctl_handler (setup_per_zone_lowmem_reserve). */
static void sysctl_handler(struct mm *mm, const char *name, const struct mm_policy *old)
{
	(void)old;
	if (!strcmp(name, "min_free_kbytes"))
		setup_per_zone_pages_min(mm);
	else
		setup_per_zone_lowmem_reserve(mm);
}

/* ---- /proc printers ---------------------------------------------------- */


/* 2.6.13 zoneinfo_show (the first kernel with /proc/zoneinfo), with
 * `managed` added after `present` as later kernels print it. The kernel
 * lists only CPUs with pages on their lists; we list every CPU so the
 * lists' sizes are always visible. */
static void view_zoneinfo(struct mm *mm, struct mm_out *o)
{
	for (int nid = 0; nid < mm->nr_nodes; nid++)
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			struct zone *z = &mm->node_data[nid]->node_zones[j];
			if (!populated_zone(z))
				continue;
			mm_outf(o, "Node %d, zone %8s", nid, z->name);
			mm_outf(o, "\n  pages free     %lu"
				"\n        min      %lu"
				"\n        low      %lu"
				"\n        high     %lu"
				"\n        active   %lu"
				"\n        inactive %lu"
				"\n        scanned  %lu (a: %lu i: %lu)"
				"\n        spanned  %lu"
				"\n        present  %lu"
				"\n        managed  %lu",
			     z->free_pages, z->pages_min, z->pages_low, z->pages_high, 0UL, 0UL,
			     z->pages_scanned, 0UL, 0UL, z->spanned_pages, z->present_pages, z->managed_pages);
			mm_outf(o, "\n        protection: (%lu", z->lowmem_reserve[0]);
			for (int i = 1; i < (mm->has_movable ? MAX_NR_ZONES : MM_NR_CLASSIC_ZONES); i++)
				mm_outf(o, ", %lu", z->lowmem_reserve[i]);
			mm_outf(o, ")\n  pagesets");
			for (int cpu = 0; cpu < mm->ncpus; cpu++) {
				struct per_cpu_pageset *ps = &z->pageset[cpu];
				for (int t = 0; t < 2; t++)
					mm_outf(o, "\n    cpu: %i pcp: %i"
						"\n              count: %i"
						"\n              low:   %i"
						"\n              high:  %i"
						"\n              batch: %i",
					     cpu, t, ps->pcp[t].count, ps->pcp[t].low, ps->pcp[t].high,
					     ps->pcp[t].batch);
				/* 2.6.13 prints them under CONFIG_NUMA only */
				if (mm->no_numa)
					continue;
				mm_outf(o, "\n            numa_hit:       %llu"
					"\n            numa_miss:      %llu"
					"\n            numa_foreign:   %llu"
					"\n            interleave_hit: %llu"
					"\n            local_node:     %llu"
					"\n            other_node:     %llu",
				     (unsigned long long)ps->numa_hit, (unsigned long long)ps->numa_miss,
				     (unsigned long long)ps->numa_foreign, (unsigned long long)ps->interleave_hit,
				     (unsigned long long)ps->local_node, (unsigned long long)ps->other_node);
			}
			mm_outf(o, "\n  all_unreclaimable: %u"
				"\n  prev_priority:     %i"
				"\n  temp_priority:     %i"
				"\n  start_pfn:         %lu\n",
			     (unsigned)z->all_unreclaimable, 12, 12, z->zone_start_pfn);
		}
}

static void view_vmstat(struct mm *mm, struct mm_out *o)
{
	mm_outf(o, "nr_free_pages %lu\n", nr_free_pages(mm));
	static const enum vm_event_item order[] = {
		PGALLOC_HIGH, PGALLOC_NORMAL, PGALLOC_DMA32, PGALLOC_DMA, PGFREE, PGFAULT, PGMAJFAULT,
		ALLOCSTALL, PAGEOUTRUN,
		NUMA_HIT, NUMA_MISS, NUMA_FOREIGN, INTERLEAVE_HIT, LOCAL_NODE, OTHER_NODE,
		KSWAPD_WAKE, PGALLOC_FAIL, PCP_REFILL, PCP_DRAIN, ZONE_LOCK,
	};
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
		mm_outf(o, "%s %llu\n", mm_vm_event_name(order[i]), (unsigned long long)mm->vm[order[i]]);
}

/* 2.6.11 meminfo_read_proc, the lines that apply: totals are the frames
 * given to the buddy system (totalram_pages), free is zone->free_pages. */
static void view_meminfo(struct mm *mm, struct mm_out *o)
{
	unsigned long total = 0, free = 0, htotal = 0, hfree = 0;
	for (int nid = 0; nid < mm->nr_nodes; nid++)
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			struct zone *z = &mm->node_data[nid]->node_zones[j];
			total += z->managed_pages;
			free += z->free_pages;
			if (j == ZONE_HIGHMEM) {
				htotal += z->managed_pages;
				hfree += z->free_pages;
			}
		}
	mm_outf(o, "MemTotal:     %8lu kB\n", K(total));
	mm_outf(o, "MemFree:      %8lu kB\n", K(free));
	mm_outf(o, "HighTotal:    %8lu kB\n", K(htotal));
	mm_outf(o, "HighFree:     %8lu kB\n", K(hfree));
	mm_outf(o, "LowTotal:     %8lu kB\n", K(total - htotal));
	mm_outf(o, "LowFree:      %8lu kB\n", K(free - hfree));
}

/* 2.6.11 node_read_meminfo (drivers/base/node.c): an empty line, then nine
 * lines: MemTotal is the node's present pages, Active and Inactive 0 (no
 * LRU), HighTotal the HighMem zone's present pages. */
static void node_meminfo(struct mm *mm, int nid, struct mm_out *o)
{
	struct mem_counts c;
	memset(&c, 0, sizeof c);
	count_node(mm, nid, &c);
	const struct meminfo_line l[] = {
		{ "MemTotal:     ", K(c.present), 0 },
		{ "MemFree:      ", K(c.free), 0 },
		{ "MemUsed:      ", K(c.present - c.free), 0 },
		{ "Active:       ", 0, 0 },
		{ "Inactive:     ", 0, 0 },
		{ "HighTotal:    ", K(c.high_present), 0 },
		{ "HighFree:     ", K(c.high_free), 0 },
		{ "LowTotal:     ", K(c.present - c.high_present), 0 },
		{ "LowFree:      ", K(c.free - c.high_free), 0 },
	};
	mm_outf(o, "\n");
	for (size_t i = 0; i < sizeof l / sizeof l[0]; i++)
		mm_outf(o, "Node %d %s%8lu kB\n", nid, l[i].label, l[i].kb);
}

static bool view(struct mm *mm, const char *name, struct mm_out *o)
{
	if (!strcmp(name, "zoneinfo"))
		view_zoneinfo(mm, o);
	else if (!strcmp(name, "vmstat"))
		view_vmstat(mm, o);
	else if (!strcmp(name, "meminfo"))
		view_meminfo(mm, o);
	else
		return false;
	return true;
}

static const char *const view_names[] = { "buddyinfo", "zoneinfo", "vmstat", "meminfo", "freelists",
					  "slabinfo", "vmallocinfo", "zonelists", "numastat", "node_meminfo",
					  NULL };

/* ---- The invariant checker's part ---------------------------------------- */

/* Each CPU's hot and cold list: its count is its length, and it holds free
 * frames of the zone. */
static int check_zone(struct mm *mm, struct zone *z, unsigned long *on_pcp, char *err, size_t errlen)
{
	pg_data_t *pgdat = z->zone_pgdat;
	char what[96];
	for (int cpu = 0; cpu < mm->ncpus; cpu++)
		for (int t = 0; t < 2; t++) {
			const struct per_cpu_pages *pcp = &z->pageset[cpu].pcp[t];
			snprintf(what, sizeof what, "node %d %s cpu %d %s list", pgdat->node_id, z->name, cpu,
				 t ? "cold" : "hot");
			long n = mm_check_list(pgdat, &pcp->list, err, errlen, what);
			if (n < 0)
				return -1;
			if (n != pcp->count)
				return mmsim_errf(err, errlen, "%s: count %d but %ld pages on it", what, pcp->count, n);
			for (uint32_t i = pcp->list.first; i != PAGE_NIL; i = pgdat->node_mem_map[i].lru_next) {
				struct page *p = &pgdat->node_mem_map[i];
				if (zone_of_page(mm, p) != z || PagePrivate(p) || page_count(p) || PageReserved(p))
					return mmsim_errf(err, errlen, "%s: pfn %llu is not a free frame of the zone", what,
						   (unsigned long long)(pgdat->node_start_pfn + i));
			}
			*on_pcp += (unsigned long)n;
		}
	return 0;
}

/* ---- The entry points ------------------------------------------------------ */

/* alloc_pages and __free_pages in this era: mm/entry.h's bodies around
 * this file's __alloc_pages and free_the_page. */
static struct page *alloc_pages_2611(struct mm *mm, int nid, gfp_t gfp, unsigned order, struct zonelist *zl)
{
	return alloc_pages_entry(mm, nid, gfp, order, zl, __GFP_BITS_MASK, __alloc_pages_2611, trace_mm_page_alloc);
}

static int free_pages_2611(struct mm *mm, struct page *page, unsigned order, bool cold)
{
	return free_pages_entry(mm, page, order, cold, free_the_page);
}

/* ---- The era's table ---------------------------------------------------- */

const struct mm_ops mm_ops_2611 = {
	.era = "classic",
	.version = "2.6.11",
	.gfp_anon = GFP_HIGHUSER,
	.nr_free_lists = 1,
	.takes_capture = false,

	.setup_arch = setup_arch,
	.zone_pcp_init = zone_pcp_init,
	.memmap_init_zone = memmap_init_zone,
	.build_all_zonelists = build_all_zonelists,
	.free_boot_block = free_boot_block,
	.init_per_zone_wmark_min = init_per_zone_pages_min,
	.trace_events = trace_events,
	.kswapd = kswapd_2611,

	.alloc_pages = alloc_pages_2611,
	.free_pages = free_pages_2611,
	.drain_pages = __drain_pages,
	.sysctls = sysctls,
	.sysctl_handler = sysctl_handler,

	.view_names = view_names,
	.views_known = "buddyinfo, zoneinfo, vmstat, meminfo, freelists, slabinfo, vmallocinfo, zonelists, "
		       "numastat, node_meminfo",
	.view = view,
	.node_meminfo = node_meminfo,
	.check_zone = check_zone,

	.kernel = &mm_kernel_2611,
};
