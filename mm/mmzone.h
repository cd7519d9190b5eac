/*
 * Nodes, zones, free areas and per-CPU page lists (Linux 2.6.11
 * include/linux/mmzone.h).
 *
 * A machine has one pg_data_t per NUMA node. A node's memory is cut into
 * zones by physical address (what a device or a 32-bit kernel can reach):
 *
 *   ZONE_DMA      below 16 MiB (ISA DMA)              i386 and x86_64
 *   ZONE_DMA32    16 MiB to 4 GiB (32-bit devices)    x86_64 only
 *   ZONE_NORMAL   i386: 16 to 896 MiB (direct map); x86_64: above 4 GiB
 *   ZONE_HIGHMEM  i386: above 896 MiB (no permanent kernel mapping)
 *   ZONE_MOVABLE  the top of a node's memory given to movable allocations
 *                 only (6.1's kernelcore=, movablecore=; the modern era)
 *
 * 2.6.11 had three zones (DMA, Normal, HighMem); ZONE_DMA32 came in 2.6.16.
 * The issue asks for x86_64 to have it, so we number the zones as 2.6.16
 * does and keep every 2.6.11 rule otherwise. Zones a node does not have are
 * present with no pages.
 *
 * Each zone's free memory is a buddy system: free_area[order] lists the free
 * blocks of 2^order frames, each block linked through its first frame's
 * lru links, its order in ->private with PG_private set. Invariants (checked
 * by the invariant checker, mm/vmstat.c):
 *   - zone->free_pages == sum over orders of nr_free << order (frames on
 *     per-CPU lists are not free: __rmqueue already took them out);
 *   - a block on free_area[o] is aligned to 2^o in zone-relative index,
 *     lies inside the zone, and its buddy is not also a free block of
 *     order o (it would have been merged);
 *   - per_cpu_pages.count equals the length of its list.
 */
#ifndef MMSIM_MM_MMZONE_H
#define MMSIM_MM_MMZONE_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/machine.h"
#include "mm/page.h"
#include "sim/sim.h"

enum zone_type {
	ZONE_DMA = 0,
	ZONE_DMA32 = 1,
	ZONE_NORMAL = 2,
	ZONE_HIGHMEM = 3,
	ZONE_MOVABLE = 4,       /* modern era: kernelcore=, movablecore= (6.1) */
	MAX_NR_ZONES = 5,
};

/* The zones before ZONE_MOVABLE (2.6.11's and 2.6.16's): what the views
 * and traces list when no node has a Movable zone, so that they read as
 * they always did. */
#define MM_NR_CLASSIC_ZONES 4

/* MAX_ORDER is a policy (max_order=N); this bounds it. 2.6.11's default
 * is 11 (blocks of up to 2^10 frames, 4 MiB). */
#define MM_MAX_ORDER_LIMIT 16
#define MM_DEFAULT_MAX_ORDER 11

/* A doubly linked list threaded through struct page's lru links: the first
 * and last mem_map index (within one node), PAGE_NIL when empty. */
struct page_list {
	uint32_t first, last;
};

/*
 * Migrate types (the modern era, Linux 6.1 include/linux/mmzone.h, x86_64
 * with CONFIG_MEMORY_ISOLATION, without CMA). The classic era has one free
 * list per order: it is free_list[MIGRATE_UNMOVABLE], and it never uses the
 * others.
 */
enum migratetype {
	MIGRATE_UNMOVABLE = 0,          /* kernel allocations that never move */
	MIGRATE_MOVABLE = 1,            /* user pages, page cache: can be migrated */
	MIGRATE_RECLAIMABLE = 2,        /* slab caches that shrink under pressure */
	MIGRATE_PCPTYPES = 3,           /* the types with per-CPU lists */
	MIGRATE_HIGHATOMIC = MIGRATE_PCPTYPES, /* reserve for high-order atomics */
	MIGRATE_ISOLATE = 4,            /* never allocated from (not used yet) */
	MIGRATE_TYPES = 5,
};

/*
 * 6.1 pageblock_order is a constant of the kernel build, HUGETLB_PAGE_ORDER
 * (HPAGE_SHIFT - PAGE_SHIFT, include/linux/pageblock-flags.h): 9 on x86_64
 * and i386 with PAE (2 MiB huge pages), 10 on a 2-level i386 (4 MiB). One
 * simulator serves all three, so the order belongs to the booted machine:
 * each zone keeps it (set at boot, mm/6.1/page_alloc.c's
 * memmap_init_zone), and the kernel's names take the zone. 0 in the
 * classic era, which has no pageblocks.
 */
#define pageblock_order(zone)    ((zone)->pageblock_order)
#define pageblock_nr_pages(zone) (1UL << pageblock_order(zone))

struct free_area {
	union {
		struct page_list free_list;                 /* classic: the one list */
		struct page_list free_lists[MIGRATE_TYPES]; /* modern: one per type */
	};
	unsigned long nr_free;          /* blocks on all the lists of this order */
};

/* One per-CPU page list (2.6.11 struct per_cpu_pages). */
struct per_cpu_pages {
	int count;                      /* pages on the list */
	int low;                        /* refill when count <= low */
	int high;                       /* drain a batch when count >= high */
	int batch;                      /* pages moved by one refill or drain */
	struct page_list list;
};

/* The modern era's (6.1) per-CPU lists: one per migrate type below
 * MIGRATE_PCPTYPES for each order up to PAGE_ALLOC_COSTLY_ORDER, then one
 * for THP (pageblock_order) blocks (order_to_pindex, mm/6.1/page_alloc.c). A
 * 2-level i386 has it too: x86's Kconfig offers THP to 32-bit kernels, and
 * 6.1's list is for pageblock_order, 10 there (under MAX_ORDER 11). */
#define PAGE_ALLOC_COSTLY_ORDER 3
#define NR_LOWORDER_PCP_LISTS   (MIGRATE_PCPTYPES * (PAGE_ALLOC_COSTLY_ORDER + 1))
#define NR_PCP_LISTS            (NR_LOWORDER_PCP_LISTS + 1)

/* 2.6.11 struct per_cpu_pageset: the hot and cold lists and the NUMA
 * allocation counters of one CPU for one zone. The modern era uses
 * pcp[0]'s count (in pages), high and batch, with 6.1's lists[] and
 * free_factor instead of the hot and cold lists. */
struct per_cpu_pageset {
	struct per_cpu_pages pcp[2];    /* 0: hot, 1: cold */
	struct page_list lists[NR_PCP_LISTS]; /* modern: by order_to_pindex */
	int free_factor;                /* modern: 6.1 nr_pcp_free's batch scaling */
	uint64_t numa_hit;              /* allocated on the node the zonelist preferred */
	uint64_t numa_miss;             /* allocated here, another node was preferred */
	uint64_t numa_foreign;          /* preferred here, allocated elsewhere */
	uint64_t interleave_hit;        /* an interleave policy preferred this zone */
	uint64_t local_node;            /* allocated on the allocating CPU's node */
	uint64_t other_node;            /* allocated on another node */
};

struct pglist_data;

/* 6.1 enum zone_flags, the one bit mmsim has: a fallback boosted the
 * watermarks of an allocation that may wake kswapd; rmqueue wakes it. */
enum zone_flags {
	ZONE_BOOSTED_WATERMARK = 0,
};

struct zone {
	/* The watermarks and reserves, in pages (setup_per_zone_pages_min,
	 * setup_per_zone_lowmem_reserve). */
	unsigned long free_pages;
	unsigned long pages_min, pages_low, pages_high;
	unsigned long lowmem_reserve[MAX_NR_ZONES];

	struct per_cpu_pageset *pageset;  /* [ncpus] */

	struct sim_lock lock;             /* protects free_area and free_pages */
	struct free_area free_area[MM_MAX_ORDER_LIMIT];

	/* The modern era: one migrate type per pageblock (6.1's
	 * pageblock_flags, the migratetype bits only), for the pageblocks
	 * from the zone's start rounded down to pageblock_nr_pages; NULL in
	 * the classic era. watermark_boost: 6.1's boost_watermark, raised by
	 * a fallback steal, added to every watermark (wmark_pages), cleared by
	 * kswapd. flags: 6.1's zone_flags (ZONE_BOOSTED_WATERMARK only).
	 * nr_reserved_highatomic: the frames of the pageblocks turned
	 * MIGRATE_HIGHATOMIC (reserve_highatomic_pageblock). */
	uint8_t *pageblock_mt;
	unsigned long nr_pageblocks;
	unsigned pageblock_order;         /* the machine's; read it with pageblock_order(zone) */
	unsigned long watermark_boost;
	unsigned long flags;
	unsigned long nr_reserved_highatomic;

	/* Reclaim state (reclaim itself comes in a later issue). */
	unsigned long pages_scanned;
	int all_unreclaimable;

	struct pglist_data *zone_pgdat;
	struct page *zone_mem_map;        /* the host descriptor of zone_start_pfn */
	unsigned long zone_start_pfn;
	unsigned long spanned_pages;      /* pfn range, holes included */
	unsigned long present_pages;      /* spanned minus holes (firmware gaps) */
	unsigned long managed_pages;      /* present minus what boot reserved: the
					   * frames given to the buddy system */
	const char *name;

	/* Simulated physical address of the zone descriptor (see internal.h
	 * for the layout of its fields). */
	uint64_t paddr;
};

/* A NULL-terminated list of zones to try, best first. */
struct zonelist {
	struct zone *zones[HW_MAX_NODES * MAX_NR_ZONES + 1];
};

typedef struct pglist_data {
	struct zone node_zones[MAX_NR_ZONES];
	/* One zonelist per highest allowed zone (the gfp zone modifier's
	 * target, gfp_zone()): node_zonelists[ZONE_NORMAL] serves GFP_KERNEL. */
	struct zonelist node_zonelists[MAX_NR_ZONES];
	int nr_zones;
	struct page *node_mem_map;        /* host descriptors, [node_spanned_pages] */
	unsigned long node_start_pfn;
	unsigned long node_present_pages;
	unsigned long node_spanned_pages;
	int node_id;

	/* kswapd: a task per node with memory, woken by wakeup_kswapd. */
	struct sim_waitq kswapd_wait;
	struct sim_task kswapd;
	int kswapd_max_order;
	int kswapd_highest_zoneidx;       /* modern: the highest zone a wakeup asked
					   * to balance, MAX_NR_ZONES for none */
	uint64_t kswapd_wakeups;          /* wakeup_kswapd calls that woke it */
	uint64_t kswapd_runs;             /* balance_pgdat passes */

	uint64_t paddr;                   /* simulated pg_data_t */
	uint64_t mem_map_paddr;           /* simulated mem_map[0] */
	uint64_t meta_start, meta_end;    /* simulated boot data: pgdat, zones,
					   * pagesets, mem_map; reserved */
	struct mm *mm;
} pg_data_t;

static inline int zone_idx(const struct zone *z)
{
	return (int)(z - z->zone_pgdat->node_zones);
}

static inline bool is_highmem(const struct zone *z)
{
	return zone_idx(z) == ZONE_HIGHMEM;
}

static inline bool populated_zone(const struct zone *z)
{
	return z->present_pages != 0;
}

#endif
