/*
 * Linux 6.1's views of the memory manager, in 6.1's formats: mm/vmstat.c's
 * /proc/zoneinfo (zoneinfo_show_print), /proc/pagetypeinfo and /proc/vmstat
 * (vmstat_show), with fs/proc/meminfo.c's /proc/meminfo and
 * drivers/base/node.c's per-node meminfo, kept together here as the
 * modern era's printers. /proc/buddyinfo, the per-node numastat (the same
 * lines in both kernels) and mmsim's own views are the two eras' shared
 * ones (our mm/vmstat.c, not the kernel's).
 *
 * What the simulator models has its value; every other line 6.1 prints is
 * there with 0 (no LRU, page cache, swap, compaction or THP yet), so a
 * real box's file and ours compare line by line. Views are text written
 * into a caller's buffer snprintf-style (struct mm_out); models never
 * print: these functions only format.
 */
#include <stdio.h>
#include <string.h>

#include "mm/6.1/internal.h"
#include "mm/vmalloc.h"

#define MIN(a, b) ((a) < (b) ? (a) : (b))

/* ---- 6.1's zones and the items it prints -------------------------------------- */

/* 6.1's zones as /proc/zoneinfo lists them, mapped to ours (-1: Device,
 * which mmsim does not model, always empty). x86_64: DMA, DMA32, Normal,
 * Movable, Device; 32-bit: DMA, Normal, HighMem, Movable. */
static int zones_61(const struct mm *mm, const char **names, int *ours)
{
	if (mm->arch == HW_ARCH_X86_64) {
		static const char *const n[] = { "DMA", "DMA32", "Normal", "Movable", "Device" };
		static const int o[] = { ZONE_DMA, ZONE_DMA32, ZONE_NORMAL, ZONE_MOVABLE, -1 };
		memcpy(names, n, sizeof n);
		memcpy(ours, o, sizeof o);
		return 5;
	}
	static const char *const n[] = { "DMA", "Normal", "HighMem", "Movable" };
	static const int o[] = { ZONE_DMA, ZONE_NORMAL, ZONE_HIGHMEM, ZONE_MOVABLE };
	memcpy(names, n, sizeof n);
	memcpy(ours, o, sizeof o);
	return 4;
}

/* lowmem_reserve[] of our zone z against 6.1's zone k: the modelled zone
 * below k's (empty unmodelled zones add no pages). */
static unsigned long protection_61(const struct zone *z, const int *ours, int k)
{
	int j = -1;
	for (int i = k; i >= 0; i--)
		if (ours[i] >= 0) {
			j = ours[i];
			break;
		}
	return j > zone_idx(z) ? z->lowmem_reserve[j] : 0;
}

static int fls_ul(unsigned long x)
{
	int r = 0;
	while (x) {
		r++;
		x >>= 1;
	}
	return r;
}

/* 6.1 calculate_normal_threshold (mm/vmstat.c): the per-CPU vmstat drift
 * allowed, 2 * fls(online CPUs) * (1 + fls(managed in 128 MiB units)), at
 * most 125. */
static int stat_threshold(const struct mm *mm, const struct zone *z)
{
	unsigned long mem = z->managed_pages >> (27 - HW_PAGE_SHIFT);
	int t = 2 * fls_ul((unsigned long)mm->ncpus) * (1 + fls_ul(mem));
	return t < 125 ? t : 125;
}

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

static bool vmstat_item_shown_61(const struct mm *mm, const char *name)
{
	if (!mm->no_numa)
		return true;
	for (int i = 0; numa_only_61[i]; i++)
		if (!strcmp(name, numa_only_61[i]))
			return false;
	return true;
}

/* ---- /proc/zoneinfo and /proc/pagetypeinfo --------------------------------- */

/*
 * 6.1 zoneinfo_show_print: what the simulator models is printed, every
 * other counter as 0 (per-node stats, the vmstat items, numa counters...);
 * the pageset count is both of a CPU's lists, the "pages free" the buddy
 * lists only, as 6.1's does. Without CONFIG_NUMA the layout is the same
 * but for the counters that kernel lacks: the numa_* lines of each zone
 * and, among the per-node stats, pgpromote_* (CONFIG_NUMA_BALANCING).
 */
static void view_zoneinfo_61(struct mm *mm, struct mm_out *o)
{
	static const char *const node_stats[] = {
		"nr_inactive_anon", "nr_active_anon", "nr_inactive_file", "nr_active_file",
		"nr_unevictable", "nr_slab_reclaimable", "nr_slab_unreclaimable", "nr_isolated_anon",
		"nr_isolated_file", "workingset_nodes", "workingset_refault_anon",
		"workingset_refault_file", "workingset_activate_anon", "workingset_activate_file",
		"workingset_restore_anon", "workingset_restore_file", "workingset_nodereclaim",
		"nr_anon_pages", "nr_mapped", "nr_file_pages", "nr_dirty", "nr_writeback",
		"nr_writeback_temp", "nr_shmem", "nr_shmem_hugepages", "nr_shmem_pmdmapped",
		"nr_file_hugepages", "nr_file_pmdmapped", "nr_anon_transparent_hugepages",
		"nr_vmscan_write", "nr_vmscan_immediate_reclaim", "nr_dirtied", "nr_written",
		"nr_throttled_written", "nr_kernel_misc_reclaimable", "nr_foll_pin_acquired",
		"nr_foll_pin_released", "nr_kernel_stack", "nr_page_table_pages",
		"nr_sec_page_table_pages", "nr_swapcached", "pgpromote_success", "pgpromote_candidate",
		NULL };
	static const char *const zone_stats[] = {
		"nr_zone_inactive_anon", "nr_zone_active_anon", "nr_zone_inactive_file",
		"nr_zone_active_file", "nr_zone_unevictable", "nr_zone_write_pending", "nr_mlock",
		"nr_bounce", "nr_zspages", "nr_free_cma", NULL };
	const char *names[5];
	int ours[5];
	int nz = zones_61(mm, names, ours);
	for (int nid = 0; nid < mm->nr_nodes; nid++) {
		pg_data_t *pgdat = mm->node_data[nid];
		bool node_stats_done = false;
		for (int k = 0; k < nz; k++) {
			struct zone *z = ours[k] >= 0 ? &pgdat->node_zones[ours[k]] : NULL;
			mm_outf(o, "Node %d, zone %8s", nid, names[k]);
			bool populated = z && populated_zone(z);
			if (populated && !node_stats_done) {
				mm_outf(o, "\n  per-node stats");
				for (int i = 0; node_stats[i]; i++)
					if (vmstat_item_shown_61(mm, node_stats[i]))
						mm_outf(o, "\n      %-12s %lu", node_stats[i], 0UL);
				node_stats_done = true;
			}
			mm_outf(o, "\n  pages free     %lu"
				   "\n        boost    %lu"
				   "\n        min      %lu"
				   "\n        low      %lu"
				   "\n        high     %lu"
				   "\n        spanned  %lu"
				   "\n        present  %lu"
				   "\n        managed  %lu"
				   "\n        cma      %lu",
				/* 6.1's min_wmark_pages and friends add the boost */
				z ? z->free_pages : 0, z ? z->watermark_boost : 0,
				z ? z->pages_min + z->watermark_boost : 0, z ? z->pages_low + z->watermark_boost : 0,
				z ? z->pages_high + z->watermark_boost : 0,
				z ? z->spanned_pages : 0, z ? z->present_pages : 0,
				z ? z->managed_pages : 0, 0UL);
			mm_outf(o, "\n        protection: (");
			for (int j = 0; j < nz; j++)
				mm_outf(o, "%s%lu", j ? ", " : "", z ? protection_61(z, ours, j) : 0);
			mm_outf(o, ")");
			if (!populated) {
				mm_outf(o, "\n");
				continue;
			}
			mm_outf(o, "\n      %-12s %lu", "nr_free_pages", z->free_pages);
			for (int i = 0; zone_stats[i]; i++)
				mm_outf(o, "\n      %-12s %lu", zone_stats[i], 0UL);
			static const char *const numa[] = { "numa_hit", "numa_miss", "numa_foreign",
							    "numa_interleave", "numa_local", "numa_other" };
			uint64_t nv[6] = { 0 };
			for (int c = 0; c < mm->ncpus; c++) {
				const struct per_cpu_pageset *ps = &z->pageset[c];
				nv[0] += ps->numa_hit;
				nv[1] += ps->numa_miss;
				nv[2] += ps->numa_foreign;
				nv[3] += ps->interleave_hit;
				nv[4] += ps->local_node;
				nv[5] += ps->other_node;
			}
			for (int i = 0; i < 6; i++)
				if (vmstat_item_shown_61(mm, numa[i]))
					mm_outf(o, "\n      %-12s %llu", numa[i], (unsigned long long)nv[i]);
			mm_outf(o, "\n  pagesets");
			for (int c = 0; c < mm->ncpus; c++) {
				const struct per_cpu_pages *hot = &z->pageset[c].pcp[0];
				mm_outf(o, "\n    cpu: %i"
					   "\n              count: %i"
					   "\n              high:  %i"
					   "\n              batch: %i",
					c, hot->count + z->pageset[c].pcp[1].count, hot->high, hot->batch);
				mm_outf(o, "\n  vm stats threshold: %d", stat_threshold(mm, z));
			}
			mm_outf(o, "\n  node_unreclaimable:  %u"
				   "\n  start_pfn:           %lu"
				   "\n", z->all_unreclaimable ? 1u : 0u, z->zone_start_pfn);
		}
	}
}

static const char *const migratetype_names[MIGRATE_TYPES] = {
	"Unmovable", "Movable", "Reclaimable", "HighAtomic", "Isolate",
};

/* 6.1 vmstat.c pagetypeinfo_show: the free blocks of each order on each
 * migrate type's list (counted up to 100000, then ">"), then how many
 * pageblocks have each type, stepping from zone_start_pfn by
 * pageblock_nr_pages (pagetypeinfo_showblockcount_print). Populated zones
 * only. */
static void view_pagetypeinfo_61(struct mm *mm, struct mm_out *o)
{
	mm_outf(o, "Page block order: %u\n", mm->pageblock_order);
	mm_outf(o, "Pages per block:  %lu\n\n", 1UL << mm->pageblock_order);
	mm_outf(o, "%-43s ", "Free pages count per migrate type at order");
	for (unsigned order = 0; order < mm->max_order; order++)
		mm_outf(o, "%6u ", order);
	mm_outf(o, "\n");
	for (int nid = 0; nid < mm->nr_nodes; nid++)
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			struct zone *z = &mm->node_data[nid]->node_zones[j];
			if (!populated_zone(z) || !z->pageblock_mt)
				continue;
			pg_data_t *pgdat = z->zone_pgdat;
			for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
				mm_outf(o, "Node %4d, zone %8s, type %12s ", nid, z->name, migratetype_names[mt]);
				for (unsigned order = 0; order < mm->max_order; order++) {
					unsigned long n = 0;
					const struct page_list *l = &z->free_area[order].free_lists[mt];
					for (uint32_t i = l->first; i != PAGE_NIL && n < 100000;
					     i = pgdat->node_mem_map[i].lru_next)
						n++;
					mm_outf(o, "%s%6lu ", n >= 100000 ? ">" : "", n);
				}
				mm_outf(o, "\n");
			}
		}
	mm_outf(o, "\n%-23s", "Number of blocks type ");
	for (int mt = 0; mt < MIGRATE_TYPES; mt++)
		mm_outf(o, "%12s ", migratetype_names[mt]);
	mm_outf(o, "\n");
	for (int nid = 0; nid < mm->nr_nodes; nid++)
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			struct zone *z = &mm->node_data[nid]->node_zones[j];
			if (!populated_zone(z) || !z->pageblock_mt)
				continue;
			unsigned long count[MIGRATE_TYPES] = { 0 };
			unsigned long end = z->zone_start_pfn + z->spanned_pages;
			unsigned long base = z->zone_start_pfn & ~(pageblock_nr_pages(z) - 1);
			for (unsigned long pfn = z->zone_start_pfn; pfn < end; pfn += pageblock_nr_pages(z))
				count[z->pageblock_mt[(pfn - base) >> pageblock_order(z)]]++;
			mm_outf(o, "Node %d, zone %8s ", nid, z->name);
			for (int mt = 0; mt < MIGRATE_TYPES; mt++)
				mm_outf(o, "%12lu ", count[mt]);
			mm_outf(o, "\n");
		}
}

/* ---- /proc/vmstat ------------------------------------------------------------- */

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
 *   - pgfault, pgmajfault: user page faults (mm/2.6.11/memory.c; no major ones).
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

/* ---- /proc/meminfo and a node's meminfo -------------------------------------- */

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

/*
 * A node's meminfo. 6.1 node_read_meminfo (drivers/base/node.c) with
 * Debian's amd64 config, then hugetlb_report_node_meminfo: MemTotal is the
 * node's managed pages (si_meminfo_node), MemFree its buddy lists, the
 * slab lines its slab frames, the rest 0; HighTotal to LowFree only with
 * CONFIG_HIGHMEM (32-bit).
 */
void node_meminfo_61(struct mm *mm, int nid, struct mm_out *o)
{
	struct mem_counts c;
	memset(&c, 0, sizeof c);
	count_node(mm, nid, &c);
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

/* ---- The era's views ------------------------------------------------------ */

const char *const view_names_61[] = { "buddyinfo", "zoneinfo", "vmstat", "meminfo", "freelists",
				      "slabinfo", "vmallocinfo", "zonelists", "pagetypeinfo",
				      "numastat", "node_meminfo", NULL };

bool view_61(struct mm *mm, const char *name, struct mm_out *o)
{
	if (!strcmp(name, "zoneinfo"))
		view_zoneinfo_61(mm, o);
	else if (!strcmp(name, "pagetypeinfo"))
		view_pagetypeinfo_61(mm, o);
	else if (!strcmp(name, "vmstat"))
		view_vmstat_61(mm, o);
	else if (!strcmp(name, "meminfo"))
		view_meminfo_61(mm, o);
	else
		return false;
	return true;
}
