/*
 * The bodies of the page allocator's entry points, which every era runs
 * alike: alloc_pages and its kin, __free_pages and free_cold_page reach the
 * era through one indirect call (mm->ops, page_alloc.c), and each era's
 * entry is one of these templates instantiated around its own allocator
 * (__alloc_pages) and free path (free_the_page) and its trace event. They
 * are static inline so that the era's mechanisms compile into its entries
 * as they would in one file: the table costs one call, not one per layer.
 *
 * An entry checks what it is given (the CPU it runs on, the order, the gfp
 * mask against the era's __GFP_BITS_MASK, a freed page against what was
 * handed out: mmsim's checks, where the kernel trusts its callers and
 * BUG()s), does its work, traces it, and runs the invariant checker when
 * the policy says check=on.
 */
#ifndef MMSIM_MM_ENTRY_H
#define MMSIM_MM_ENTRY_H

#include "mm/buddy.h"

#define MM_ALWAYS_INLINE inline __attribute__((always_inline))

/* mm_enter and mm_leave (internal.h), inline. */
static MM_ALWAYS_INLINE int __mm_enter(struct mm *mm)
{
	int cpu = sim_cur_cpu(mm->sim);
	mm->errcode = 0;
	if (cpu < 0 || cpu >= mm->ncpus)
		return mm_fail(mm, MM_ENOCPU, "no current CPU (call from a task, or mm_set_cpu first)");
	mm->cpu = cpu;
	return 0;
}

static MM_ALWAYS_INLINE void __mm_leave(struct mm *mm, const char *where)
{
	if (mm->policy.check)
		mm_check_or_panic(mm, where);
}

/*
 * alloc_pages, alloc_pages_node and __alloc_pages: 2^order frames on zl,
 * or on the zonelist of node nid (-1: the current CPU's node) for the
 * mask's highest zone. `allowed` is the era's __GFP_BITS_MASK; alloc its
 * allocator on a zonelist, trace its mm_page_alloc event.
 */
static MM_ALWAYS_INLINE struct page *
alloc_pages_entry(struct mm *mm, int nid, gfp_t gfp, unsigned order, struct zonelist *zl, gfp_t allowed,
		  struct page *(*alloc)(struct mm *, gfp_t, unsigned, struct zonelist *),
		  void (*trace)(struct mm *, struct page *, unsigned, gfp_t, cycle_t))
{
	cycle_t start = sim_now(mm->sim);
	if (__mm_enter(mm))
		return NULL;
	if (order >= mm->max_order) {
		mm_fail(mm, MM_EINVAL, "order %u: must be below MAX_ORDER (%u)", order, mm->max_order);
		return NULL;
	}
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
	struct page *page = alloc(mm, gfp, order, zl);
	if (page && trace_enabled(mm->trace, mm->ev_alloc))
		trace(mm, page, order, gfp, start);
	__mm_leave(mm, "alloc_pages");
	return page;
}

/* Is page one of ours? (Callers in C may pass anything.) */
static inline bool page_is_ours(struct mm *mm, const struct page *page)
{
	for (int nid = 0; nid < mm->nr_nodes; nid++) {
		const pg_data_t *pgdat = mm->node_data[nid];
		if (pgdat->node_mem_map && page >= pgdat->node_mem_map &&
		    page < pgdat->node_mem_map + pgdat->node_spanned_pages)
			return true;
	}
	return false;
}

/* The common free: the head of a block handed out with this order, still
 * referenced, not compound. */
static inline bool free_is_plain(const struct page *page, unsigned order)
{
	return PageAllocHead(page) && page_alloc_order(page) == order && page_count(page) > 0 &&
	       !PageCompound(page);
}

/* page_alloc.c: the checks of a free that is not plain, as errors: 0, or
 * -MM_EINVAL with a message. */
int check_free(struct mm *mm, struct page *page, unsigned order);

/*
 * __free_pages and free_cold_page: drop a reference to the block of
 * 2^order frames at page (put_page_testzero); the last one gives it back
 * through the era's free_the_page. The common case is checked inline
 * (free_is_plain: the allocator only hands out aligned blocks inside their
 * zone, so nothing else can be wrong); anything else goes to check_free.
 */
static MM_ALWAYS_INLINE int
free_pages_entry(struct mm *mm, struct page *page, unsigned order, bool cold,
		 void (*free_the_page)(struct mm *, struct zone *, struct page *, unsigned, bool))
{
	cycle_t start = sim_now(mm->sim);
	int rc = __mm_enter(mm);
	if (rc)
		return rc;
	if (!page || !page_is_ours(mm, page) || !free_is_plain(page, order)) {
		rc = check_free(mm, page, order);
		if (rc)
			return rc;
	}
	struct zone *zone = zone_of_page(mm, page);
	/* put_page_testzero */
	touch_page(mm, zone->zone_pgdat, page, PAGE_OFF_COUNT, 4, 1);
	if (--page->_count > 0) {
		__mm_leave(mm, "__free_pages");
		return 0;
	}
	clear_page_alloc_order(page);
	bool tracing = trace_enabled(mm->trace, mm->ev_free);
	uint64_t pfn = tracing ? __page_to_pfn(mm, page) : 0;
	free_the_page(mm, zone, page, order, cold);
	if (tracing)
		trace_mm_page_free(mm, pfn, order, start);
	__mm_leave(mm, "__free_pages");
	return 0;
}

#endif
