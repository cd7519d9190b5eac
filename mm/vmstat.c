/*
 * Counters and views (Linux 2.6.11 mm/page_alloc.c's /proc printers, which
 * later kernels moved to mm/vmstat.c): /proc/buddyinfo, /proc/zoneinfo,
 * /proc/vmstat, /proc/meminfo, a full dump of the free lists, the stats
 * registry entries, and the invariant checker. Also the modern era's
 * /proc/vmstat and /proc/meminfo in 6.1's formats (6.1 mm/vmstat.c and
 * fs/proc/meminfo.c), and both eras' per-node numastat and meminfo
 * (drivers/base/node.c). 6.1's zoneinfo, pagetypeinfo and zonelists are
 * in mm_init_modern.c.
 *
 * Views are text in the kernel's formats, written into a caller's buffer
 * snprintf-style. Models never print: these functions only format.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/internal.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"

static const char *const vm_event_names[NR_VM_EVENT_ITEMS] = {
	[PGALLOC_DMA] = "pgalloc_dma",
	[PGALLOC_DMA32] = "pgalloc_dma32",
	[PGALLOC_NORMAL] = "pgalloc_normal",
	[PGALLOC_HIGH] = "pgalloc_high",
	[PGALLOC_MOVABLE] = "pgalloc_movable",
	[PGFREE] = "pgfree",
	[NUMA_HIT] = "numa_hit",
	[NUMA_MISS] = "numa_miss",
	[NUMA_FOREIGN] = "numa_foreign",
	[INTERLEAVE_HIT] = "interleave_hit",
	[LOCAL_NODE] = "local_node",
	[OTHER_NODE] = "other_node",
	[ALLOCSTALL] = "allocstall",
	[PAGEOUTRUN] = "pageoutrun",
	[KSWAPD_WAKE] = "kswapd_wake",
	[PGALLOC_FAIL] = "pgalloc_fail",
	[PCP_REFILL] = "pcp_refill",
	[PCP_DRAIN] = "pcp_drain",
	[ZONE_LOCK] = "zone_lock",
	[PGFAULT] = "pgfault",
	[PGMAJFAULT] = "pgmajfault",
};

static const char *const vm_event_descs[NR_VM_EVENT_ITEMS] = {
	[PGALLOC_DMA] = "pages allocated from ZONE_DMA",
	[PGALLOC_DMA32] = "pages allocated from ZONE_DMA32",
	[PGALLOC_NORMAL] = "pages allocated from ZONE_NORMAL",
	[PGALLOC_HIGH] = "pages allocated from ZONE_HIGHMEM",
	[PGALLOC_MOVABLE] = "pages allocated from ZONE_MOVABLE",
	[PGFREE] = "pages freed",
	[NUMA_HIT] = "allocations served by the node the zonelist preferred",
	[NUMA_MISS] = "allocations served by another node than the preferred one",
	[NUMA_FOREIGN] = "allocations that preferred a node but were served elsewhere",
	[INTERLEAVE_HIT] = "interleave-policy allocations served where intended",
	[LOCAL_NODE] = "allocations served by the allocating CPU's node",
	[OTHER_NODE] = "allocations served by another node than the CPU's",
	[ALLOCSTALL] = "direct reclaim entries",
	[PAGEOUTRUN] = "kswapd balance_pgdat passes",
	[KSWAPD_WAKE] = "kswapd wakeups",
	[PGALLOC_FAIL] = "allocations that failed",
	[PCP_REFILL] = "per-CPU list refills (rmqueue_bulk)",
	[PCP_DRAIN] = "per-CPU list drains (free_pages_bulk)",
	[ZONE_LOCK] = "zone->lock acquisitions",
	[PGFAULT] = "page faults (2.6.11 handle_mm_fault counts each)",
	[PGMAJFAULT] = "page faults that read from disk (none here)",
};

uint64_t mm_vm_event(const struct mm *mm, enum vm_event_item item)
{
	return (unsigned)item < NR_VM_EVENT_ITEMS ? mm->vm[item] : 0;
}

const char *mm_vm_event_name(enum vm_event_item item)
{
	return (unsigned)item < NR_VM_EVENT_ITEMS ? vm_event_names[item] : "unknown";
}

void mm_register_stats(struct mm *mm, struct stats_registry *reg)
{
	struct stats_def defs[NR_VM_EVENT_ITEMS];
	for (int i = 0; i < NR_VM_EVENT_ITEMS; i++) {
		defs[i].name = vm_event_names[i];
		defs[i].desc = vm_event_descs[i];
	}
	stats_add_counters(reg, "mm.vmstat", defs, NR_VM_EVENT_ITEMS, mm->vm);
	for (int nid = 0; nid < mm->nr_nodes; nid++) {
		pg_data_t *pgdat = mm->node_data[nid];
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			struct zone *z = &pgdat->node_zones[j];
			if (!populated_zone(z))
				continue;
			char name[96];
			snprintf(name, sizeof name, "mm.node%d.%s.free_pages", nid, z->name);
			stats_add_gauge(reg, name, "free pages in the buddy lists",
					(const uint64_t *)&z->free_pages);
			snprintf(name, sizeof name, "mm.node%d.%s.lock_acquisitions", nid, z->name);
			stats_add_counter(reg, name, "zone->lock acquisitions", &z->lock.acquisitions);
			snprintf(name, sizeof name, "mm.node%d.%s.lock_spin_cycles", nid, z->name);
			stats_add_counter(reg, name, "cycles spent spinning on zone->lock", &z->lock.spin_cycles);
		}
		char name[64];
		snprintf(name, sizeof name, "mm.node%d.kswapd_wakeups", nid);
		stats_add_counter(reg, name, "kswapd wakeups", &pgdat->kswapd_wakeups);
	}
	highmem_register_stats(mm, reg);
}

/* ---- A growing text buffer with snprintf semantics ---------------------- */

void mm_outf(struct mm_out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t room = o->n < o->len ? o->len - o->n : 0;
	int w = vsnprintf(room ? o->buf + o->n : NULL, room, fmt, ap);
	va_end(ap);
	if (w > 0)
		o->n += (size_t)w;
}

#define K(x) ((unsigned long)(x) << (HW_PAGE_SHIFT - 10))

/* 2.6.11 frag_show: "Node N, zone NAME" then nr_free per order. */
static void view_buddyinfo(struct mm *mm, struct mm_out *o)
{
	for (int nid = 0; nid < mm->nr_nodes; nid++)
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			struct zone *z = &mm->node_data[nid]->node_zones[j];
			if (!populated_zone(z))
				continue;
			mm_outf(o, "Node %d, zone %8s ", nid, z->name);
			for (unsigned order = 0; order < mm->max_order; order++)
				mm_outf(o, "%6lu ", z->free_area[order].nr_free);
			mm_outf(o, "\n");
		}
}

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
		mm_outf(o, "%s %llu\n", vm_event_names[order[i]], (unsigned long long)mm->vm[order[i]]);
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

static void dump_list(struct mm *mm, struct mm_out *o, pg_data_t *pgdat, const struct page_list *l)
{
	for (uint32_t i = l->first; i != PAGE_NIL; i = pgdat->node_mem_map[i].lru_next)
		mm_outf(o, " %llu", (unsigned long long)(pgdat->node_start_pfn + i));
	(void)mm;
}

/* Every free list and per-CPU list, pfns in list order, head first. */
static void view_freelists(struct mm *mm, struct mm_out *o)
{
	for (int nid = 0; nid < mm->nr_nodes; nid++) {
		pg_data_t *pgdat = mm->node_data[nid];
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			struct zone *z = &pgdat->node_zones[j];
			if (!populated_zone(z))
				continue;
			mm_outf(o, "Node %d, zone %s: free %lu\n", nid, z->name, z->free_pages);
			for (unsigned order = 0; order < mm->max_order; order++) {
				mm_outf(o, "  order %u (%lu):", order, z->free_area[order].nr_free);
				dump_list(mm, o, pgdat, &z->free_area[order].free_list);
				mm_outf(o, "\n");
			}
			for (int cpu = 0; cpu < mm->ncpus; cpu++)
				for (int t = 0; t < 2; t++) {
					const struct per_cpu_pages *pcp = &z->pageset[cpu].pcp[t];
					mm_outf(o, "  cpu %d %s (%d):", cpu, t ? "cold" : "hot", pcp->count);
					dump_list(mm, o, pgdat, &pcp->list);
					mm_outf(o, "\n");
				}
		}
	}
}

/* ---- 6.1's /proc/vmstat and /proc/meminfo, and the per-node files ------- */

/*
 * What these views read, in pages, for one node or (summed) the machine:
 * managed and free pages (the buddy lists only: pages on per-CPU lists are
 * neither free nor allocated, as 6.1's NR_FREE_PAGES counts them), the
 * HighMem part of both, the frames the slab allocator holds (PG_slab, split
 * by its caches' SLAB_RECLAIM_ACCOUNT), and the NUMA events of the node's
 * zones, each summed over the CPUs' pagesets.
 */
struct mem_counts {
	unsigned long present, managed, free, high_present, high_managed, high_free;
	unsigned long slab_reclaimable, slab_unreclaimable;
	uint64_t numa_hit, numa_miss, numa_foreign, interleave_hit, local_node, other_node;
};

static void count_node(struct mm *mm, int nid, struct mem_counts *c)
{
	pg_data_t *pgdat = mm->node_data[nid];
	for (int j = 0; j < MAX_NR_ZONES; j++) {
		struct zone *z = &pgdat->node_zones[j];
		c->present += z->present_pages;
		c->managed += z->managed_pages;
		c->free += z->free_pages;
		if (is_highmem(z)) {
			c->high_present += z->present_pages;
			c->high_managed += z->managed_pages;
			c->high_free += z->free_pages;
		}
		for (int cpu = 0; z->pageset && cpu < mm->ncpus; cpu++) {
			const struct per_cpu_pageset *ps = &z->pageset[cpu];
			c->numa_hit += ps->numa_hit;
			c->numa_miss += ps->numa_miss;
			c->numa_foreign += ps->numa_foreign;
			c->interleave_hit += ps->interleave_hit;
			c->local_node += ps->local_node;
			c->other_node += ps->other_node;
		}
	}
	/* Nothing is on a slab before the first slab call starts the allocator. */
	if (!mm->slab)
		return;
	for (unsigned long i = 0; i < pgdat->node_spanned_pages; i++) {
		struct page *p = &pgdat->node_mem_map[i];
		if (!PageFlag(p, PG_slab))
			continue;
		if (kmem_page_reclaimable(mm, p))
			c->slab_reclaimable++;
		else
			c->slab_unreclaimable++;
	}
}

static void count_all(struct mm *mm, struct mem_counts *c)
{
	memset(c, 0, sizeof *c);
	for (int nid = 0; nid < mm->nr_nodes; nid++)
		count_node(mm, nid, c);
}

#define MIN(a, b) ((a) < (b) ? (a) : (b))

/* 6.1 high_wmark_pages and low_wmark_pages: the watermark plus the boost. */
static unsigned long high_wmark_pages(const struct zone *z)
{
	return z->pages_high + z->watermark_boost;
}

/*
 * 6.1 calculate_totalreserve_pages: each zone keeps back its high
 * watermark plus its largest protection against an allocation that could
 * have used a zone above it, at most what it manages. 6.1 recomputes it
 * when the watermarks or the protection change, while nothing is boosted,
 * so the unboosted watermark is used.
 */
static unsigned long totalreserve_pages(const struct mm *mm)
{
	unsigned long sum = 0;
	for (int nid = 0; nid < mm->nr_nodes; nid++)
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			const struct zone *z = &mm->node_data[nid]->node_zones[j];
			unsigned long max = 0;
			for (int k = j; k < MAX_NR_ZONES; k++)
				if (z->lowmem_reserve[k] > max)
					max = z->lowmem_reserve[k];
			max += z->pages_high;
			sum += MIN(max, z->managed_pages);
		}
	return sum;
}

/*
 * 6.1 si_mem_available (MemAvailable): free pages above the reserves, plus
 * the page cache and the reclaimable slab that could be dropped, each less
 * whichever is smaller of its half and the sum of the low watermarks. The
 * simulator has no page cache, so only the slab part can add.
 */
static unsigned long si_mem_available(const struct mm *mm, const struct mem_counts *c)
{
	unsigned long wmark_low = 0;
	for (int nid = 0; nid < mm->nr_nodes; nid++)
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			const struct zone *z = &mm->node_data[nid]->node_zones[j];
			wmark_low += z->pages_low + z->watermark_boost;
		}
	long available = (long)c->free - (long)totalreserve_pages(mm);
	unsigned long pagecache = 0;
	pagecache -= MIN(pagecache / 2, wmark_low);
	available += (long)pagecache;
	unsigned long reclaimable = c->slab_reclaimable;
	available += (long)(reclaimable - MIN(reclaimable / 2, wmark_low));
	return available < 0 ? 0 : (unsigned long)available;
}

/*
 * 6.1 global_dirty_limits for a task that is not real-time, with the
 * default sysctls (dirty_ratio 20, dirty_background_ratio 10, no byte
 * limits): the dirtyable memory is the free pages above totalreserve_pages
 * plus the file LRU (none here), less the free HighMem above each HighMem
 * zone's high watermark (vm_highmem_is_dirtyable 0), plus one; the ratios
 * are first turned into 4096ths (domain_dirty_limits).
 */
static void global_dirty_limits(const struct mm *mm, const struct mem_counts *c, unsigned long *bg,
				unsigned long *thresh)
{
	unsigned long x = c->free;
	x -= MIN(x, totalreserve_pages(mm));
	unsigned long high = 0;
	for (int nid = 0; nid < mm->nr_nodes; nid++) {
		const struct zone *z = &mm->node_data[nid]->node_zones[ZONE_HIGHMEM];
		if (populated_zone(z))
			high += z->free_pages - MIN(z->free_pages, high_wmark_pages(z));
	}
	x -= MIN(high, x);
	unsigned long avail = x + 1;
	const unsigned long page = 1UL << HW_PAGE_SHIFT;
	unsigned long ratio = 20 * page / 100, bg_ratio = 10 * page / 100;
	*thresh = ratio * avail / page;
	*bg = bg_ratio * avail / page;
	if (*bg >= *thresh)
		*bg = *thresh / 2;
}

/* Our zone's pgalloc counter (PGALLOC_DMA .. PGALLOC_HIGH follow the zone
 * numbers); 0 for a zone without one. */
static uint64_t pgalloc_of(const struct mm *mm, int zone)
{
	return zone >= 0 && zone <= ZONE_MOVABLE ? mm->vm[PGALLOC_DMA + zone] : 0;
}

/* 6.1 TEXTS_FOR_ZONES: the suffix of a zone's per-zone-type event names. */
static const char *zone_event_suffix(const char *zone_name)
{
	static const char *const names[][2] = { { "DMA", "dma" }, { "DMA32", "dma32" }, { "Normal", "normal" },
						{ "HighMem", "high" }, { "Movable", "movable" }, { "Device", "device" } };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (!strcmp(zone_name, names[i][0]))
			return names[i][1];
	return zone_name;
}

/*
 * 6.1's vmstat_text, as Debian's amd64 6.1 kernel (6.1.192) prints it:
 * the zone items, the NUMA events, the node items, the two dirty limits,
 * then the events. An item ending in '*' is one line per 6.1 zone
 * (pgalloc_dma, pgalloc_dma32, ...). A kernel without CONFIG_NUMA skips
 * the numa_only_61 items.
 */
static const char *const vmstat_text_61[] = {
	"nr_free_pages", "nr_zone_inactive_anon", "nr_zone_active_anon", "nr_zone_inactive_file",
	"nr_zone_active_file", "nr_zone_unevictable", "nr_zone_write_pending", "nr_mlock", "nr_bounce",
	"nr_zspages", "nr_free_cma",
	"numa_hit", "numa_miss", "numa_foreign", "numa_interleave", "numa_local", "numa_other",
	"nr_inactive_anon", "nr_active_anon", "nr_inactive_file", "nr_active_file", "nr_unevictable",
	"nr_slab_reclaimable", "nr_slab_unreclaimable", "nr_isolated_anon", "nr_isolated_file",
	"workingset_nodes", "workingset_refault_anon", "workingset_refault_file",
	"workingset_activate_anon", "workingset_activate_file", "workingset_restore_anon",
	"workingset_restore_file", "workingset_nodereclaim", "nr_anon_pages", "nr_mapped", "nr_file_pages",
	"nr_dirty", "nr_writeback", "nr_writeback_temp", "nr_shmem", "nr_shmem_hugepages",
	"nr_shmem_pmdmapped", "nr_file_hugepages", "nr_file_pmdmapped", "nr_anon_transparent_hugepages",
	"nr_vmscan_write", "nr_vmscan_immediate_reclaim", "nr_dirtied", "nr_written", "nr_throttled_written",
	"nr_kernel_misc_reclaimable", "nr_foll_pin_acquired", "nr_foll_pin_released", "nr_kernel_stack",
	"nr_page_table_pages", "nr_sec_page_table_pages", "nr_swapcached", "pgpromote_success",
	"pgpromote_candidate",
	"nr_dirty_threshold", "nr_dirty_background_threshold",
	"pgpgin", "pgpgout", "pswpin", "pswpout", "pgalloc_*", "allocstall_*", "pgskip_*", "pgfree",
	"pgactivate", "pgdeactivate", "pglazyfree", "pgfault", "pgmajfault", "pglazyfreed", "pgrefill",
	"pgreuse", "pgsteal_kswapd", "pgsteal_direct", "pgdemote_kswapd", "pgdemote_direct",
	"pgscan_kswapd", "pgscan_direct", "pgscan_direct_throttle", "pgscan_anon", "pgscan_file",
	"pgsteal_anon", "pgsteal_file", "zone_reclaim_failed", "pginodesteal", "slabs_scanned",
	"kswapd_inodesteal", "kswapd_low_wmark_hit_quickly", "kswapd_high_wmark_hit_quickly", "pageoutrun",
	"pgrotated", "drop_pagecache", "drop_slab", "oom_kill", "numa_pte_updates", "numa_huge_pte_updates",
	"numa_hint_faults", "numa_hint_faults_local", "numa_pages_migrated", "pgmigrate_success",
	"pgmigrate_fail", "thp_migration_success", "thp_migration_fail", "thp_migration_split",
	"compact_migrate_scanned", "compact_free_scanned", "compact_isolated", "compact_stall",
	"compact_fail", "compact_success", "compact_daemon_wake", "compact_daemon_migrate_scanned",
	"compact_daemon_free_scanned", "htlb_buddy_alloc_success", "htlb_buddy_alloc_fail",
	"unevictable_pgs_culled", "unevictable_pgs_scanned", "unevictable_pgs_rescued",
	"unevictable_pgs_mlocked", "unevictable_pgs_munlocked", "unevictable_pgs_cleared",
	"unevictable_pgs_stranded", "thp_fault_alloc", "thp_fault_fallback", "thp_fault_fallback_charge",
	"thp_collapse_alloc", "thp_collapse_alloc_failed", "thp_file_alloc", "thp_file_fallback",
	"thp_file_fallback_charge", "thp_file_mapped", "thp_split_page", "thp_split_page_failed",
	"thp_deferred_split_page", "thp_split_pmd", "thp_scan_exceed_none_pte", "thp_scan_exceed_swap_pte",
	"thp_scan_exceed_share_pte", "thp_split_pud", "thp_zero_page_alloc", "thp_zero_page_alloc_failed",
	"thp_swpout", "thp_swpout_fallback", "balloon_inflate", "balloon_deflate", "balloon_migrate",
	"swap_ra", "swap_ra_hit", "ksm_swpin_copy", "cow_ksm", "zswpin", "zswpout",
	"direct_map_level2_splits", "direct_map_level3_splits", "nr_unstable", NULL
};

/*
 * The items of vmstat_text_61 a kernel built without CONFIG_NUMA does not
 * have (6.1 mm/vmstat.c, include/linux/mmzone.h and vm_event_item.h): the
 * zones' NUMA events (enum numa_stat_item), the zone_reclaim_failed event
 * (node_reclaim), and the CONFIG_NUMA_BALANCING ones, promotion counters
 * and NUMA hinting faults (init/Kconfig: NUMA_BALANCING depends on NUMA).
 */
static const char *const numa_only_61[] = {
	"numa_hit", "numa_miss", "numa_foreign", "numa_interleave", "numa_local", "numa_other",
	"pgpromote_success", "pgpromote_candidate", "zone_reclaim_failed", "numa_pte_updates",
	"numa_huge_pte_updates", "numa_hint_faults", "numa_hint_faults_local", "numa_pages_migrated",
	NULL
};

bool vmstat_item_shown_61(const struct mm *mm, const char *name)
{
	if (!mm->no_numa)
		return true;
	for (int i = 0; numa_only_61[i]; i++)
		if (!strcmp(name, numa_only_61[i]))
			return false;
	return true;
}

struct vm_item {
	const char *name;
	uint64_t value;
};

static uint64_t item_value(const struct vm_item *items, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(items[i].name, name))
			return items[i].value;
	return 0;
}

/*
 * 6.1 vmstat_show. What the simulator models has its value, every other
 * item is 0 (no LRU, page cache, swap, compaction or THP yet):
 *   - nr_free_pages: the buddy lists (per-CPU list pages excluded);
 *   - numa_*: the zones' NUMA events summed (6.1 keeps them per zone,
 *     zone_statistics); numa_interleave is interleave_hit;
 *   - nr_slab_*: the frames the slab allocator holds;
 *   - the dirty limits from the free pages and totalreserve_pages;
 *   - pgalloc_ZONE: pages (2^order per allocation) per zone type;
 *   - allocstall: 6.1 counts direct reclaim per the allocation's highest
 *     zone; the simulator keeps one machine-wide count, shown as
 *     allocstall_normal (GFP_KERNEL's);
 *   - pgfree: 6.1 counts the boot-time hand-over of every managed frame to
 *     the buddy allocator (__free_pages_core) as frees; the simulator's
 *     boot does not run through the counted path, so the managed total is
 *     added to the run's frees;
 *   - pageoutrun: kswapd's balance_pgdat passes;
 *   - pgfault, pgmajfault: user page faults (mm/memory.c; no major ones).
 */
static void view_vmstat_61(struct mm *mm, struct mm_out *o)
{
	struct mem_counts c;
	count_all(mm, &c);
	unsigned long bg, thresh;
	global_dirty_limits(mm, &c, &bg, &thresh);
	const struct vm_item items[] = {
		{ "nr_free_pages", c.free },
		{ "numa_hit", c.numa_hit },
		{ "numa_miss", c.numa_miss },
		{ "numa_foreign", c.numa_foreign },
		{ "numa_interleave", c.interleave_hit },
		{ "numa_local", c.local_node },
		{ "numa_other", c.other_node },
		{ "nr_slab_reclaimable", c.slab_reclaimable },
		{ "nr_slab_unreclaimable", c.slab_unreclaimable },
		{ "nr_dirty_threshold", thresh },
		{ "nr_dirty_background_threshold", bg },
		{ "pgfault", mm->vm[PGFAULT] },
		{ "pgmajfault", mm->vm[PGMAJFAULT] },
		{ "allocstall_normal", mm->vm[ALLOCSTALL] },
		{ "pgfree", mm->vm[PGFREE] + c.managed },
		{ "pageoutrun", mm->vm[PAGEOUTRUN] },
	};
	const size_t n = sizeof items / sizeof items[0];
	const char *names[5];
	int ours[5];
	int nz = zones_61(mm, names, ours);
	for (int i = 0; vmstat_text_61[i]; i++) {
		const char *key = vmstat_text_61[i];
		size_t len = strlen(key);
		if (!vmstat_item_shown_61(mm, key))
			continue;
		if (key[len - 1] != '*') {
			mm_outf(o, "%s %llu\n", key, (unsigned long long)item_value(items, n, key));
			continue;
		}
		for (int k = 0; k < nz; k++) {
			char name[64];
			snprintf(name, sizeof name, "%.*s%s", (int)(len - 1), key, zone_event_suffix(names[k]));
			uint64_t v = !strcmp(key, "pgalloc_*") ? pgalloc_of(mm, ours[k]) : item_value(items, n, name);
			mm_outf(o, "%s %llu\n", name, (unsigned long long)v);
		}
	}
}

/* A meminfo line: the label padded as 6.1 pads it, the value in kB. */
struct meminfo_line {
	const char *label;      /* with its padding */
	unsigned long kb;
	int width;              /* 0: 8 and " kB"; else that width, no unit */
};

/* 6.1's x86_64 VMALLOC_END - VMALLOC_START with 4-level paging (32 TiB
 * less one byte), in kB; a 32-bit kernel's is the vmalloc area's size. */
static unsigned long vmalloc_total_kb(const struct mm *mm)
{
	if (mm->arch == HW_ARCH_X86_64)
		return (unsigned long)(((UINT64_C(32) << 40) - 1) >> 10);
	return (unsigned long)((vmalloc_end(mm) - vmalloc_start(mm)) >> 10);
}

static unsigned long vmalloc_used_pages(struct mm *mm)
{
	if (!mm->vmalloc)
		return 0;
	const struct vmalloc_stats *st = vmalloc_stats(mm);
	return (unsigned long)(st->pages_mapped - st->pages_unmapped);
}

/*
 * 6.1 meminfo_proc_show (fs/proc/meminfo.c) with Debian's amd64 config,
 * then hugetlb_report_meminfo and x86's arch_report_meminfo. MemTotal is
 * the managed pages (totalram_pages), MemFree the buddy lists,
 * MemAvailable si_mem_available, the slab lines the slab allocator's
 * frames, CommitLimit overcommit_ratio (50) % of MemTotal (no swap, no
 * hugetlb pages), VmallocUsed the pages vmalloc mapped. HighTotal to
 * LowFree only on a 32-bit machine (CONFIG_HIGHMEM). The DirectMap lines
 * (what the direct map's page tables map with each page size) are not
 * modelled: 0. The rest is 0.
 */
static void view_meminfo_61(struct mm *mm, struct mm_out *o)
{
	struct mem_counts c;
	count_all(mm, &c);
	unsigned long slab = c.slab_reclaimable + c.slab_unreclaimable;
	const struct meminfo_line head[] = {
		{ "MemTotal:       ", K(c.managed), 0 },
		{ "MemFree:        ", K(c.free), 0 },
		{ "MemAvailable:   ", K(si_mem_available(mm, &c)), 0 },
		{ "Buffers:        ", 0, 0 },
		{ "Cached:         ", 0, 0 },
		{ "SwapCached:     ", 0, 0 },
		{ "Active:         ", 0, 0 },
		{ "Inactive:       ", 0, 0 },
		{ "Active(anon):   ", 0, 0 },
		{ "Inactive(anon): ", 0, 0 },
		{ "Active(file):   ", 0, 0 },
		{ "Inactive(file): ", 0, 0 },
		{ "Unevictable:    ", 0, 0 },
		{ "Mlocked:        ", 0, 0 },
	};
	const struct meminfo_line high[] = {
		{ "HighTotal:      ", K(c.high_managed), 0 },
		{ "HighFree:       ", K(c.high_free), 0 },
		{ "LowTotal:       ", K(c.managed - c.high_managed), 0 },
		{ "LowFree:        ", K(c.free - c.high_free), 0 },
	};
	const struct meminfo_line tail[] = {
		{ "SwapTotal:      ", 0, 0 },
		{ "SwapFree:       ", 0, 0 },
		{ "Zswap:          ", 0, 0 },
		{ "Zswapped:       ", 0, 0 },
		{ "Dirty:          ", 0, 0 },
		{ "Writeback:      ", 0, 0 },
		{ "AnonPages:      ", 0, 0 },
		{ "Mapped:         ", 0, 0 },
		{ "Shmem:          ", 0, 0 },
		{ "KReclaimable:   ", K(c.slab_reclaimable), 0 },
		{ "Slab:           ", K(slab), 0 },
		{ "SReclaimable:   ", K(c.slab_reclaimable), 0 },
		{ "SUnreclaim:     ", K(c.slab_unreclaimable), 0 },
		{ "KernelStack:    ", 0, 0 },
		{ "PageTables:     ", 0, 0 },
		{ "SecPageTables:  ", 0, 0 },
		{ "NFS_Unstable:   ", 0, 0 },
		{ "Bounce:         ", 0, 0 },
		{ "WritebackTmp:   ", 0, 0 },
		{ "CommitLimit:    ", K(c.managed * 50 / 100), 0 },
		{ "Committed_AS:   ", 0, 0 },
		{ "VmallocTotal:   ", vmalloc_total_kb(mm), 0 },
		{ "VmallocUsed:    ", K(vmalloc_used_pages(mm)), 0 },
		{ "VmallocChunk:   ", 0, 0 },
		{ "Percpu:         ", 0, 0 },
		{ "HardwareCorrupted: ", 0, 5 },
		{ "AnonHugePages:  ", 0, 0 },
		{ "ShmemHugePages: ", 0, 0 },
		{ "ShmemPmdMapped: ", 0, 0 },
		{ "FileHugePages:  ", 0, 0 },
		{ "FilePmdMapped:  ", 0, 0 },
	};
	const struct meminfo_line *parts[] = { head, high, tail };
	const size_t counts[] = { sizeof head / sizeof head[0], mm->arch == HW_ARCH_X86_64 ? 0 : 4,
				  sizeof tail / sizeof tail[0] };
	for (int p = 0; p < 3; p++)
		for (size_t i = 0; i < counts[p]; i++) {
			const struct meminfo_line *l = &parts[p][i];
			if (l->width)
				mm_outf(o, "%s%*lu kB\n", l->label, l->width, l->kb);
			else
				mm_outf(o, "%s%8lu kB\n", l->label, l->kb);
		}
	/* hugetlb_report_meminfo: no huge pages reserved; the PMD size is
	 * 2 MiB (x86_64, i386 with PAE) or 4 MiB (i386 without). */
	bool pmd_4m = mm->arch == HW_ARCH_I386;
	mm_outf(o, "HugePages_Total:   %5lu\nHugePages_Free:    %5lu\nHugePages_Rsvd:    %5lu\n"
		   "HugePages_Surp:    %5lu\nHugepagesize:   %8lu kB\nHugetlb:        %8lu kB\n",
		0UL, 0UL, 0UL, 0UL, pmd_4m ? 4096UL : 2048UL, 0UL);
	/* x86 arch_report_meminfo, without 1 GiB pages (QEMU's default CPU
	 * has none, nor the reference machines' lines). */
	mm_outf(o, "DirectMap4k:    %8lu kB\nDirectMap%s:    %8lu kB\n", 0UL, pmd_4m ? "4M" : "2M", 0UL);
}

/* 6.1 node_read_numastat and 2.6.11's (the same six lines): the node's
 * zones' NUMA events, summed over the CPUs. */
static void view_numastat_node(struct mm *mm, int nid, struct mm_out *o)
{
	struct mem_counts c;
	memset(&c, 0, sizeof c);
	count_node(mm, nid, &c);
	mm_outf(o, "numa_hit %llu\nnuma_miss %llu\nnuma_foreign %llu\ninterleave_hit %llu\n"
		   "local_node %llu\nother_node %llu\n",
		(unsigned long long)c.numa_hit, (unsigned long long)c.numa_miss,
		(unsigned long long)c.numa_foreign, (unsigned long long)c.interleave_hit,
		(unsigned long long)c.local_node, (unsigned long long)c.other_node);
}

/*
 * A node's meminfo. 6.1 node_read_meminfo (drivers/base/node.c) with
 * Debian's amd64 config, then hugetlb_report_node_meminfo: MemTotal is the
 * node's managed pages (si_meminfo_node), MemFree its buddy lists, the
 * slab lines its slab frames, the rest 0; HighTotal to LowFree only with
 * CONFIG_HIGHMEM (32-bit). 2.6.11's (the classic era) opens with an empty
 * line and has nine lines: MemTotal is the node's present pages, Active and
 * Inactive 0 (no LRU), HighTotal the HighMem zone's present pages; no
 * hugetlb lines (no CONFIG_HUGETLB_PAGE modelled).
 */
static void view_node_meminfo_node(struct mm *mm, int nid, struct mm_out *o)
{
	struct mem_counts c;
	memset(&c, 0, sizeof c);
	count_node(mm, nid, &c);
	if (mm->policy.era != MM_ERA_MODERN) {
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
		return;
	}
	unsigned long slab = c.slab_reclaimable + c.slab_unreclaimable;
	const struct meminfo_line head[] = {
		{ "MemTotal:       ", K(c.managed), 0 },
		{ "MemFree:        ", K(c.free), 0 },
		{ "MemUsed:        ", K(c.managed - c.free), 0 },
		{ "SwapCached:     ", 0, 0 },
		{ "Active:         ", 0, 0 },
		{ "Inactive:       ", 0, 0 },
		{ "Active(anon):   ", 0, 0 },
		{ "Inactive(anon): ", 0, 0 },
		{ "Active(file):   ", 0, 0 },
		{ "Inactive(file): ", 0, 0 },
		{ "Unevictable:    ", 0, 0 },
		{ "Mlocked:        ", 0, 0 },
	};
	const struct meminfo_line high[] = {
		{ "HighTotal:      ", K(c.high_managed), 0 },
		{ "HighFree:       ", K(c.high_free), 0 },
		{ "LowTotal:       ", K(c.managed - c.high_managed), 0 },
		{ "LowFree:        ", K(c.free - c.high_free), 0 },
	};
	const struct meminfo_line tail[] = {
		{ "Dirty:          ", 0, 0 },
		{ "Writeback:      ", 0, 0 },
		{ "FilePages:      ", 0, 0 },
		{ "Mapped:         ", 0, 0 },
		{ "AnonPages:      ", 0, 0 },
		{ "Shmem:          ", 0, 0 },
		{ "KernelStack:    ", 0, 0 },
		{ "PageTables:     ", 0, 0 },
		{ "SecPageTables:  ", 0, 0 },
		{ "NFS_Unstable:   ", 0, 0 },
		{ "Bounce:         ", 0, 0 },
		{ "WritebackTmp:   ", 0, 0 },
		{ "KReclaimable:   ", K(c.slab_reclaimable), 0 },
		{ "Slab:           ", K(slab), 0 },
		{ "SReclaimable:   ", K(c.slab_reclaimable), 0 },
		{ "SUnreclaim:     ", K(c.slab_unreclaimable), 0 },
		{ "AnonHugePages:  ", 0, 0 },
		{ "ShmemHugePages: ", 0, 0 },
		{ "ShmemPmdMapped: ", 0, 0 },
		/* 6.1 pads these two one space less */
		{ "FileHugePages: ", 0, 0 },
		{ "FilePmdMapped: ", 0, 0 },
	};
	const struct meminfo_line *parts[] = { head, high, tail };
	const size_t counts[] = { sizeof head / sizeof head[0], mm->arch == HW_ARCH_X86_64 ? 0 : 4,
				  sizeof tail / sizeof tail[0] };
	for (int p = 0; p < 3; p++)
		for (size_t i = 0; i < counts[p]; i++)
			mm_outf(o, "Node %d %s%8lu kB\n", nid, parts[p][i].label, parts[p][i].kb);
	mm_outf(o, "Node %d HugePages_Total: %5u\nNode %d HugePages_Free:  %5u\nNode %d HugePages_Surp:  %5u\n",
		nid, 0u, nid, 0u, nid, 0u);
}

static const char *node_file_name(const char *view)
{
	return !strcmp(view, "numastat") ? "numastat" : "meminfo";
}

size_t mm_node_view(struct mm *mm, const char *name, int nid, char *buf, size_t len)
{
	struct mm_out o = { buf, len, 0 };
	if (len)
		buf[0] = '\0';
	mm->errcode = 0;
	bool numastat = !strcmp(name, "numastat");
	if (!numastat && strcmp(name, "node_meminfo")) {
		mm_fail(mm, MM_EINVAL, "view '%s': not a per-node view (those are numastat, node_meminfo)", name);
		return 0;
	}
	/* drivers/base/node.c, which makes /sys/devices/system/node, is built
	 * only with CONFIG_NUMA (6.1 drivers/base/Makefile). */
	if (mm->no_numa) {
		mm_fail(mm, MM_EINVAL, "view '%s': the machine's kernel is built without CONFIG_NUMA "
			"(\"numa\": false), so it has no /sys/devices/system/node/nodeN/%s", name,
			node_file_name(name));
		return 0;
	}
	if (nid >= mm->nr_nodes) {
		mm_fail(mm, MM_EINVAL, "view '%s': no node %d (the machine's nodes are 0 to %d)", name, nid,
			mm->nr_nodes - 1);
		return 0;
	}
	int first = nid < 0 ? 0 : nid, last = nid < 0 ? mm->nr_nodes - 1 : nid;
	for (int n = first; n <= last; n++) {
		/* Several nodes: each file under the header head(1) gives it,
		 * as `head -n 99 node*\/FILE` prints them in
		 * /sys/devices/system/node. */
		if (nid < 0 && mm->nr_nodes > 1)
			mm_outf(&o, "%s==> node%d/%s <==\n", n ? "\n" : "", n, node_file_name(name));
		if (numastat)
			view_numastat_node(mm, n, &o);
		else
			view_node_meminfo_node(mm, n, &o);
	}
	return o.n;
}

static const char *const view_names[] = { "buddyinfo", "zoneinfo", "vmstat", "meminfo", "freelists",
					  "slabinfo", "vmallocinfo", "zonelists", "numastat", "node_meminfo",
					  NULL };
static const char *const view_names_modern[] = { "buddyinfo", "zoneinfo", "vmstat", "meminfo", "freelists",
						 "slabinfo", "vmallocinfo", "zonelists", "pagetypeinfo",
						 "numastat", "node_meminfo", NULL };

const char *const *mm_view_names(const struct mm *mm)
{
	return mm && mm->policy.era == MM_ERA_MODERN ? view_names_modern : view_names;
}

size_t mm_view(struct mm *mm, const char *name, char *buf, size_t len)
{
	/* 6.1's formats: mm_init_modern.c. */
	if (!strcmp(name, "zonelists") ||
	    ((!strcmp(name, "zoneinfo") || !strcmp(name, "pagetypeinfo")) && mm->policy.era == MM_ERA_MODERN))
		return mm_view_modern(mm, name, buf, len);
	if (!strcmp(name, "numastat") || !strcmp(name, "node_meminfo"))
		return mm_node_view(mm, name, -1, buf, len);
	bool modern = mm->policy.era == MM_ERA_MODERN;
	struct mm_out o = { buf, len, 0 };
	if (len)
		buf[0] = '\0';
	if (!strcmp(name, "buddyinfo"))
		view_buddyinfo(mm, &o);
	else if (!strcmp(name, "zoneinfo"))
		view_zoneinfo(mm, &o);
	else if (!strcmp(name, "vmstat"))
		modern ? view_vmstat_61(mm, &o) : view_vmstat(mm, &o);
	else if (!strcmp(name, "meminfo"))
		modern ? view_meminfo_61(mm, &o) : view_meminfo(mm, &o);
	else if (!strcmp(name, "freelists"))
		view_freelists(mm, &o);
	else if (!strcmp(name, "slabinfo"))
		o.n = mm_slabinfo(mm, buf, len);
	else if (!strcmp(name, "vmallocinfo"))
		o.n = mm_vmallocinfo(mm, buf, len);
	else
		mm_fail(mm, MM_EINVAL, "view '%s': unknown (known: buddyinfo, zoneinfo, vmstat, meminfo, freelists, slabinfo, vmallocinfo, zonelists, numastat, node_meminfo%s)",
			name, modern ? ", pagetypeinfo" : "");
	return o.n;
}

/* ---- Lists as data ------------------------------------------------------ */

static size_t list_pfns(const pg_data_t *pgdat, const struct page_list *l, uint64_t *pfns,
			size_t max)
{
	size_t n = 0;
	for (uint32_t i = l->first; i != PAGE_NIL; i = pgdat->node_mem_map[i].lru_next) {
		if (n < max)
			pfns[n] = pgdat->node_start_pfn + i;
		n++;
	}
	return n;
}

size_t mm_list_pfns(struct mm *mm, int nid, int zone, int list, uint64_t *pfns, size_t max)
{
	MMSIM_ASSERT(nid >= 0 && nid < mm->nr_nodes && zone >= 0 && zone < MAX_NR_ZONES);
	pg_data_t *pgdat = mm->node_data[nid];
	struct zone *z = &pgdat->node_zones[zone];
	if (list >= 0) {
		MMSIM_ASSERT((unsigned)list < mm->max_order);
		return list_pfns(pgdat, &z->free_area[list].free_list, pfns, max);
	}
	int cpu = (-list - 1) / 2, cold = (-list - 1) % 2;
	MMSIM_ASSERT(cpu < mm->ncpus);
	return list_pfns(pgdat, &z->pageset[cpu].pcp[cold].list, pfns, max);
}

/* ---- Trace lines -------------------------------------------------------- */

static void trace_list(struct trace *tr, const char *key, pg_data_t *pgdat, const struct page_list *l)
{
	trace_arr_begin(tr, key);
	for (uint32_t i = l->first; i != PAGE_NIL; i = pgdat->node_mem_map[i].lru_next)
		trace_u64(tr, NULL, pgdat->node_start_pfn + i);
	trace_arr_end(tr);
}

/* Opens one zone's object in a trace array: {"node":N,"zone":"NAME", ... */
static void trace_zone_begin(struct trace *tr, int nid, const struct zone *z)
{
	trace_obj_begin(tr, NULL);
	trace_i64(tr, "node", nid);
	trace_str(tr, "zone", z->name);
}

void mm_trace_freelists(struct mm *mm, struct trace *tr)
{
	trace_arr_begin(tr, "freelists");
	for (int nid = 0; nid < mm->nr_nodes; nid++) {
		pg_data_t *pgdat = mm->node_data[nid];
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			struct zone *z = &pgdat->node_zones[j];
			if (!populated_zone(z))
				continue;
			trace_zone_begin(tr, nid, z);
			trace_u64(tr, "free", z->free_pages);
			trace_arr_begin(tr, "orders");
			for (unsigned o = 0; o < mm->max_order; o++)
				trace_list(tr, NULL, pgdat, &z->free_area[o].free_list);
			trace_arr_end(tr);
			trace_arr_begin(tr, "pcp");
			for (int cpu = 0; cpu < mm->ncpus; cpu++) {
				trace_obj_begin(tr, NULL);
				trace_i64(tr, "cpu", cpu);
				trace_list(tr, "hot", pgdat, &z->pageset[cpu].pcp[0].list);
				trace_list(tr, "cold", pgdat, &z->pageset[cpu].pcp[1].list);
				trace_obj_end(tr);
			}
			trace_arr_end(tr);
			trace_obj_end(tr);
		}
	}
	trace_arr_end(tr);
}

void mm_trace_snapshot(struct mm *mm, struct trace *tr)
{
	trace_arr_begin(tr, "zones");
	for (int nid = 0; nid < mm->nr_nodes; nid++)
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			struct zone *z = &mm->node_data[nid]->node_zones[j];
			if (!populated_zone(z))
				continue;
			trace_zone_begin(tr, nid, z);
			trace_u64(tr, "free", z->free_pages);
			trace_u64(tr, "min", z->pages_min);
			trace_u64(tr, "low", z->pages_low);
			trace_u64(tr, "high", z->pages_high);
			trace_arr_begin(tr, "nr_free");
			for (unsigned o = 0; o < mm->max_order; o++)
				trace_u64(tr, NULL, z->free_area[o].nr_free);
			trace_arr_end(tr);
			trace_arr_begin(tr, "pcp");
			for (int cpu = 0; cpu < mm->ncpus; cpu++) {
				trace_arr_begin(tr, NULL);
				trace_u64(tr, NULL, (uint64_t)z->pageset[cpu].pcp[0].count);
				trace_u64(tr, NULL, (uint64_t)z->pageset[cpu].pcp[1].count);
				trace_arr_end(tr);
			}
			trace_arr_end(tr);
			trace_obj_end(tr);
		}
	trace_arr_end(tr);
	trace_obj_begin(tr, "vmstat");
	for (int i = 0; i < NR_VM_EVENT_ITEMS; i++)
		trace_u64(tr, vm_event_names[i], mm->vm[i]);
	trace_obj_end(tr);
}

void mm_trace_zones(struct mm *mm, struct trace *tr)
{
	trace_arr_begin(tr, "zones");
	for (int nid = 0; nid < mm->nr_nodes; nid++)
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			struct zone *z = &mm->node_data[nid]->node_zones[j];
			if (!populated_zone(z))
				continue;
			trace_zone_begin(tr, nid, z);
			trace_u64(tr, "start_pfn", z->zone_start_pfn);
			trace_u64(tr, "spanned", z->spanned_pages);
			trace_u64(tr, "present", z->present_pages);
			trace_u64(tr, "managed", z->managed_pages);
			trace_u64(tr, "min", z->pages_min);
			trace_u64(tr, "low", z->pages_low);
			trace_u64(tr, "high", z->pages_high);
			trace_arr_begin(tr, "protection");
			for (int k = 0; k < (mm->has_movable ? MAX_NR_ZONES : MM_NR_CLASSIC_ZONES); k++)
				trace_u64(tr, NULL, z->lowmem_reserve[k]);
			trace_arr_end(tr);
			trace_arr_begin(tr, "pcp");
			for (int l = 0; l < 2; l++) {
				const struct per_cpu_pages *pcp = &z->pageset[0].pcp[l];
				trace_obj_begin(tr, NULL);
				trace_str(tr, "list", l ? "cold" : "hot");
				trace_i64(tr, "low", pcp->low);
				trace_i64(tr, "high", pcp->high);
				trace_i64(tr, "batch", pcp->batch);
				trace_obj_end(tr);
			}
			trace_arr_end(tr);
			trace_obj_end(tr);
		}
	trace_arr_end(tr);
}

/* ---- The invariant checker -------------------------------------------- */

/* Walk a list checking its links; returns its length or -1. */
static long walk_list(pg_data_t *pgdat, const struct page_list *l, char *err, size_t errlen, const char *what)
{
	long n = 0;
	uint32_t prev = PAGE_NIL;
	for (uint32_t i = l->first; i != PAGE_NIL; i = pgdat->node_mem_map[i].lru_next) {
		if (i >= pgdat->node_spanned_pages)
			return mmsim_errf(err, errlen, "%s: link %u outside node %d", what, i, pgdat->node_id);
		if (pgdat->node_mem_map[i].lru_prev != prev)
			return mmsim_errf(err, errlen, "%s: pfn %llu: prev link broken", what,
				   (unsigned long long)(pgdat->node_start_pfn + i));
		prev = i;
		if (++n > (long)pgdat->node_spanned_pages)
			return mmsim_errf(err, errlen, "%s: list loops", what);
	}
	if (l->last != prev)
		return mmsim_errf(err, errlen, "%s: tail link broken", what);
	return n;
}

static int check_zone(struct mm *mm, struct zone *z, char *err, size_t errlen)
{
	pg_data_t *pgdat = z->zone_pgdat;
	char what[96];
	unsigned long free = 0, on_pcp = 0, allocated = 0;
	for (unsigned order = 0; order < mm->max_order; order++) {
		snprintf(what, sizeof what, "node %d %s order %u", pgdat->node_id, z->name, order);
		const struct free_area *area = &z->free_area[order];
		/* The classic era has one list per order; the modern era one per
		 * migrate type, each head keeping its list's type in ->index. */
		int nlists = z->pageblock_mt ? MIGRATE_TYPES : 1;
		long n = 0;
		for (int mt = 0; mt < nlists; mt++) {
			const struct page_list *l = &area->free_lists[mt];
			long m = walk_list(pgdat, l, err, errlen, what);
			if (m < 0)
				return -1;
			n += m;
			for (uint32_t i = l->first; i != PAGE_NIL; i = pgdat->node_mem_map[i].lru_next) {
				struct page *p = &pgdat->node_mem_map[i];
				if (z->pageblock_mt && p->index != (uint32_t)mt)
					return mmsim_errf(err, errlen, "%s: pfn %llu on the type %d list says type %u", what,
							  (unsigned long long)(pgdat->node_start_pfn + i), mt, p->index);
				unsigned long idx = (unsigned long)(p - z->zone_mem_map);
				unsigned long long pfn = pgdat->node_start_pfn + i;
				if (p < z->zone_mem_map || idx >= z->spanned_pages || page_zone(mm, p) != z)
					return mmsim_errf(err, errlen, "%s: pfn %llu is not in the zone", what, pfn);
				if (!PagePrivate(p) || page_order(p) != order || page_count(p) != 0 || PageReserved(p))
					return mmsim_errf(err, errlen, "%s: pfn %llu: flags/order/count do not say free of order %u",
						   what, pfn, order);
				if (idx & ((1UL << order) - 1))
					return mmsim_errf(err, errlen, "%s: pfn %llu not aligned to its order", what, pfn);
				if (idx + (1UL << order) > z->spanned_pages)
					return mmsim_errf(err, errlen, "%s: pfn %llu: block runs past the zone", what, pfn);
				unsigned long bidx = idx ^ (1UL << order);
				if (order + 1 < mm->max_order && bidx < z->spanned_pages) {
					struct page *b = z->zone_mem_map + bidx;
					if (PagePrivate(b) && page_order(b) == order && page_count(b) == 0 && !PageReserved(b))
						return mmsim_errf(err, errlen, "%s: pfn %llu and its buddy are both free: not merged",
							   what, pfn);
				}
				for (unsigned long k = 1; k < (1UL << order); k++)
					if (PagePrivate(p + k) || page_count(p + k) || PageReserved(p + k) ||
					    PageAllocHead(p + k))
						return mmsim_errf(err, errlen, "%s: pfn %llu: frame %lu of the block is not free",
							   what, pfn, k);
			}
		}
		if ((unsigned long)n != area->nr_free)
			return mmsim_errf(err, errlen, "%s: nr_free %lu but %ld blocks on the list", what, area->nr_free, n);
		free += (unsigned long)n << order;
	}
	if (free != z->free_pages)
		return mmsim_errf(err, errlen, "node %d %s: free_pages %lu but the lists hold %lu", pgdat->node_id, z->name,
			   z->free_pages, free);
	/* The modern era: 6.1's lists per (type, order), count in pages. */
	for (int cpu = 0; z->pageblock_mt && cpu < mm->ncpus; cpu++) {
		const struct per_cpu_pageset *ps = &z->pageset[cpu];
		long pages = 0;
		for (int i = 0; i < NR_PCP_LISTS; i++) {
			unsigned order = i == NR_LOWORDER_PCP_LISTS ? pageblock_order(z) : (unsigned)i / MIGRATE_PCPTYPES;
			snprintf(what, sizeof what, "node %d %s cpu %d pcp list %d", pgdat->node_id, z->name, cpu, i);
			long n = walk_list(pgdat, &ps->lists[i], err, errlen, what);
			if (n < 0)
				return -1;
			for (uint32_t k = ps->lists[i].first; k != PAGE_NIL; k = pgdat->node_mem_map[k].lru_next) {
				struct page *p = &pgdat->node_mem_map[k];
				if (page_zone(mm, p) != z || PagePrivate(p) || page_count(p) || PageReserved(p) ||
				    ((unsigned long)(p - z->zone_mem_map) & ((1UL << order) - 1)))
					return mmsim_errf(err, errlen, "%s: pfn %llu is not a free block of the zone", what,
							  (unsigned long long)(pgdat->node_start_pfn + k));
			}
			pages += n << order;
		}
		if (pages != ps->pcp[0].count)
			return mmsim_errf(err, errlen, "node %d %s cpu %d: pcp count %d but %ld pages on its lists",
					  pgdat->node_id, z->name, cpu, ps->pcp[0].count, pages);
		on_pcp += (unsigned long)pages;
	}
	for (int cpu = 0; !z->pageblock_mt && cpu < mm->ncpus; cpu++)
		for (int t = 0; t < 2; t++) {
			const struct per_cpu_pages *pcp = &z->pageset[cpu].pcp[t];
			snprintf(what, sizeof what, "node %d %s cpu %d %s list", pgdat->node_id, z->name, cpu,
				 t ? "cold" : "hot");
			long n = walk_list(pgdat, &pcp->list, err, errlen, what);
			if (n < 0)
				return -1;
			if (n != pcp->count)
				return mmsim_errf(err, errlen, "%s: count %d but %ld pages on it", what, pcp->count, n);
			for (uint32_t i = pcp->list.first; i != PAGE_NIL; i = pgdat->node_mem_map[i].lru_next) {
				struct page *p = &pgdat->node_mem_map[i];
				if (page_zone(mm, p) != z || PagePrivate(p) || page_count(p) || PageReserved(p))
					return mmsim_errf(err, errlen, "%s: pfn %llu is not a free frame of the zone", what,
						   (unsigned long long)(pgdat->node_start_pfn + i));
			}
			on_pcp += (unsigned long)n;
		}
	for (unsigned long i = 0; i < z->spanned_pages; i++) {
		struct page *p = z->zone_mem_map + i;
		if (PageAllocHead(p)) {
			if (page_count(p) <= 0)
				return mmsim_errf(err, errlen, "node %d %s: pfn %lu handed out with count %d", pgdat->node_id,
					   z->name, z->zone_start_pfn + i, page_count(p));
			allocated += 1UL << page_alloc_order(p);
		}
	}
	if (free + on_pcp + allocated != z->managed_pages)
		return mmsim_errf(err, errlen, "node %d %s: %lu free + %lu on per-CPU lists + %lu handed out != %lu managed",
			   pgdat->node_id, z->name, free, on_pcp, allocated, z->managed_pages);
	/* The modern era: the highatomic reserve counts its pageblocks (6.1
	 * reserve_highatomic_pageblock and unreserve_highatomic_pageblock). */
	unsigned long highatomic = 0;
	for (unsigned long b = 0; z->pageblock_mt && b < z->nr_pageblocks; b++)
		highatomic += z->pageblock_mt[b] == MIGRATE_HIGHATOMIC;
	if (highatomic * pageblock_nr_pages(z) != z->nr_reserved_highatomic)
		return mmsim_errf(err, errlen, "node %d %s: nr_reserved_highatomic %lu but %lu highatomic pageblocks",
				  pgdat->node_id, z->name, z->nr_reserved_highatomic, highatomic);
	return 0;
}

int mm_check(struct mm *mm, char *err, size_t errlen)
{
	for (int nid = 0; nid < mm->nr_nodes; nid++)
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			struct zone *z = &mm->node_data[nid]->node_zones[j];
			if (z->spanned_pages && check_zone(mm, z, err, errlen))
				return -1;
		}
	return user_check(mm, err, errlen);
}

void mm_check_or_panic(struct mm *mm, const char *where)
{
	char err[256];
	if (mm_check(mm, err, sizeof err))
		mmsim_panic("invariant broken after %s: %s", where, err);
}
