/*
 * What the files of mm/6.1 share and nobody else sees: the modern era's
 * internal types and functions (the kernel's mm/internal.h, for this era's
 * folder: alloc_flags, alloc_context, the pageblocks' migrate types). It
 * includes mm/'s shared internal.h; nothing outside this folder includes
 * it, but for the tests that call unreserve_highatomic_pageblock directly.
 *
 * Names. Functions keep the kernel's names. Both eras are linked into one
 * program, so a function that this era's files share and that the other
 * era has too (the kernel has it in both versions: try_to_free_pages,
 * wakeup_kswapd, kswapd, __zone_watermark_ok) carries this era's suffix,
 * _61; the other's carries _2611.
 */
#ifndef MMSIM_MM_61_INTERNAL_H
#define MMSIM_MM_61_INTERNAL_H

#include "mm/internal.h"

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

/* 6.1's alloc_context: what one allocation asks for, as the allocation
 * path passes it along: the zones to try (the zonelist, or the node's own
 * zones for __GFP_THISNODE), the highest zone the mask allows (gfp_zone:
 * the lowmem_reserve index), the request's migrate type. */
struct alloc_context {
	struct zonelist *zonelist;
	int highest_zoneidx;
	int migratetype;
};

/* ---- Pageblocks and migrate types ---------------------------------------- */

/* 6.1 get_pageblock_migratetype and set_pageblock_migratetype: the type of
 * the pageblock page is in (zone->pageblock_mt, from the zone's start
 * rounded down to a pageblock). */
static inline int get_pageblock_migratetype(const struct zone *zone, const struct page *page)
{
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
 * neither means unmovable. */
static inline int gfp_migratetype(gfp_t gfp)
{
	if (gfp & __GFP_MOVABLE)
		return MIGRATE_MOVABLE;
	if (gfp & __GFP_RECLAIMABLE)
		return MIGRATE_RECLAIMABLE;
	return MIGRATE_UNMOVABLE;
}

/* The free list a free block's head is on: 6.1 finds it from the list
 * itself; our lists need their head to unlink, so the head frame keeps its
 * list's type in ->index while it is free. */
static inline struct page_list *free_list_of(struct zone *zone, struct page *page, unsigned order)
{
	return &zone->free_area[order].free_lists[page->index];
}

/* ---- page_alloc.c ---------------------------------------------------------- */

/* 6.1 __zone_watermark_ok: may an allocation of 2^order pages leave mark
 * (less what alloc_flags allow) plus lowmem_reserve[highest_zoneidx] of
 * free_pages, with a block of the order on an allocatable list? */
bool __zone_watermark_ok_61(const struct zone *z, unsigned order, unsigned long mark, int highest_zoneidx,
			    unsigned alloc_flags, long free_pages, unsigned max_order);
/* 6.1 wmark_pages: the watermark alloc_flags pick, plus the boost. */
unsigned long wmark_pages(const struct zone *z, unsigned wmark);
/* mmsim's mm_watermark_boost event: a zone's boost changed from old. */
void trace_mm_watermark_boost(struct mm *mm, struct zone *zone, unsigned long old);
/* 6.1 unreserve_highatomic_pageblock. The slow path calls it after reclaim
 * made progress, or after MAX_RECLAIM_RETRIES passes without: unreachable
 * until reclaim frees pages, so the tests call it directly. */
bool unreserve_highatomic_pageblock(struct mm *mm, const struct alloc_context *ac, bool force);
/* 6.1 setup_per_zone_wmarks (the watermarks, then every pageset's high and
 * batch) and nr_free_buffer_pages, for khugepaged.c. */
void setup_per_zone_wmarks_61(struct mm *mm);
unsigned long nr_free_buffer_pages_61(struct mm *mm);

/* ---- khugepaged.c ----------------------------------------------------------- */

/* 6.1 set_recommended_min_free_kbytes: THP's floor for min_free_kbytes. */
void set_recommended_min_free_kbytes(struct mm *mm);

/* ---- vmscan.c --------------------------------------------------------------- */

/* 6.1 wakeup_kswapd: record the order and highest zone to balance, wake
 * kswapd unless the node is balanced and not boosted. */
void wakeup_kswapd_61(struct mm *mm, struct zone *zone, gfp_t gfp, unsigned order, int highest_zoneidx);
enum sim_step kswapd_61(struct sim *s, struct sim_task *t);
/* 6.1 try_to_free_pages: direct reclaim, which frees nothing yet; returns
 * the pages reclaimed. */
unsigned long try_to_free_pages_61(struct mm *mm, gfp_t gfp, unsigned order);

/* ---- vmstat.c --------------------------------------------------------------- */

/* The views in 6.1's formats: the table's view and node_meminfo. */
bool view_61(struct mm *mm, const char *name, struct mm_out *o);
void node_meminfo_61(struct mm *mm, int nid, struct mm_out *o);
extern const char *const view_names_61[];

#endif
