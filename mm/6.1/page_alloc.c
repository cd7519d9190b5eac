/*
 * The modern era's boot-time sizing (Linux 6.1 mm/page_alloc.c and
 * mm/khugepaged.c), its run-time sysctls, and its views of the result.
 *
 * The modern era is a policy, not a fork: mm_boot (mm_init.c) builds nodes,
 * zones, the mem_map and the buddy lists the same way for both eras, and
 * calls in here for what 6.1 computes differently:
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
 *
 * The allocator itself is still the classic one in this era: each CPU's hot
 * list gets 6.1's high and batch (the cold list the same), with no low mark.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/internal.h"

/* 6.1 include/linux/topology.h */
#define PENALTY_FOR_NODE_WITH_CPUS 1
/* Debian 6.1's CONFIG_NODES_SHIFT=10: the factor that keeps node_load a
 * tie-breaker in find_next_best_node. */
#define MAX_NUMNODES_61 1024
#define SWAP_CLUSTER_MAX 32UL

/* 6.1's pageblock_order on x86 is HUGETLB_PAGE_ORDER, HPAGE_SHIFT -
 * PAGE_SHIFT: 9 on x86_64 and i386 PAE (2 MiB pages), 10 on a 2-level
 * i386 (4 MiB pages). 6.1 caps it at MAX_ORDER - 1, which the default
 * MAX_ORDER 11 never reaches; mmsim does not apply the cap to a smaller
 * max_order policy (a pageblock then spans more than the largest buddy
 * block, and ALLOC_NOFRAGMENT finds nothing to steal whole). */
unsigned pageblock_order_61(enum hw_arch arch)
{
	return hw_arch_large_page_shift(arch) - HW_PAGE_SHIFT;
}

static unsigned long pageblock_nr_pages_61(const struct mm *mm)
{
	return 1UL << pageblock_order_61(mm->arch);
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
void build_all_zonelists_modern(struct mm *mm)
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
static void setup_per_zone_wmarks_61(struct mm *mm)
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

/* ---- min_free_kbytes (6.1 calculate_min_free_kbytes, khugepaged) ---------- */

static unsigned long int_sqrt(unsigned long x)
{
	unsigned long r = (unsigned long)sqrt((double)x);
	while (r * r > x)
		r--;
	while ((r + 1) * (r + 1) <= x)
		r++;
	return r;
}

/* 6.1 nr_free_buffer_pages: over the zonelist of the boot CPU's node, the
 * zones at or below Normal, managed minus the high watermark where
 * positive. */
static unsigned long nr_free_buffer_pages_61(struct mm *mm)
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

/*
 * 6.1 khugepaged set_recommended_min_free_kbytes: per populated zone at or
 * below Normal, 2 pageblocks free plus MIGRATE_PCPTYPES^2 pageblocks for
 * fallbacks, at most 5 % of nr_free_buffer_pages; it only ever raises
 * min_free_kbytes. Then the watermarks again.
 */
static void set_recommended_min_free_kbytes(struct mm *mm)
{
	unsigned long nr_zones = 0;
	for (int nid = 0; nid < mm->nr_nodes; nid++)
		for (int j = 0; j <= ZONE_NORMAL; j++)
			if (populated_zone(&mm->node_data[nid]->node_zones[j]))
				nr_zones++;
	unsigned long pb = pageblock_nr_pages_61(mm);
	unsigned long rec = pb * nr_zones * 2;
	rec += pb * nr_zones * MIGRATE_PCPTYPES * MIGRATE_PCPTYPES;
	unsigned long cap = nr_free_buffer_pages_61(mm) / 20;
	if (rec > cap)
		rec = cap;
	rec <<= HW_PAGE_SHIFT - 10;
	if (rec > mm->min_free_kbytes)
		mm->min_free_kbytes = rec;
	setup_per_zone_wmarks_61(mm);
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
void init_per_zone_wmark_min_modern(struct mm *mm)
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

/* ---- Run-time sysctls ---------------------------------------------------- */

static const char *const sysctls[] = { "min_free_kbytes", "watermark_scale_factor",
				       "lowmem_reserve_ratio", "percpu_pagelist_high_fraction", NULL };

bool mm_is_sysctl(const char *name)
{
	for (int i = 0; sysctls[i]; i++)
		if (!strcmp(name, sysctls[i]))
			return true;
	return false;
}

/*
 * The handlers: 6.1 min_free_kbytes_sysctl_handler (user_min_free_kbytes,
 * setup_per_zone_wmarks), watermark_scale_factor_sysctl_handler
 * (setup_per_zone_wmarks), lowmem_reserve_ratio_sysctl_handler
 * (setup_per_zone_lowmem_reserve; 6.1 also runs it on every read),
 * percpu_pagelist_high_fraction_sysctl_handler (zone_set_pageset_high_and_batch
 * for every populated zone, when the value changes). The classic era has
 * 2.6.11's first and third.
 */
int mm_sysctl_write(struct mm *mm, const char *name, const char *value, char *err, size_t errlen)
{
	/* 6.1 has vm.numa_zonelist_order with CONFIG_NUMA only (a write
	 * there takes only "Node" or "default"; mmsim does not model it). */
	if (mm->no_numa && (!strcmp(name, "numa_zonelist_order") || !strcmp(name, "zonelist_order")))
		return mmsim_errf(err, errlen, "sysctl %s: the machine's kernel is built without CONFIG_NUMA "
				  "(\"numa\": false), so it has no /proc/sys/vm/numa_zonelist_order", name);
	if (!mm_is_sysctl(name))
		return mmsim_errf(err, errlen, "sysctl: unknown '%s' (known: min_free_kbytes, "
				  "watermark_scale_factor, lowmem_reserve_ratio, "
				  "percpu_pagelist_high_fraction)", name);
	bool modern = mm->policy.era == MM_ERA_MODERN;
	if (!modern && (!strcmp(name, "watermark_scale_factor") ||
			!strcmp(name, "percpu_pagelist_high_fraction")))
		return mmsim_errf(err, errlen, "sysctl %s: the classic era (2.6.11) has no such file", name);
	struct mm_policy p = mm->policy;
	if (mm_policy_set(&p, name, value, err, errlen))
		return -1;
	if (!strcmp(name, "min_free_kbytes") && p.min_free_kbytes < 0)
		return mmsim_errf(err, errlen, "sysctl min_free_kbytes: a number of KiB, not 'auto'");
	unsigned old_frac = mm->policy.percpu_pagelist_high_fraction;
	mm->policy = p;
	if (!strcmp(name, "min_free_kbytes")) {
		mm->min_free_kbytes = (unsigned long)p.min_free_kbytes;
		if (modern)
			setup_per_zone_wmarks_61(mm);
		else
			setup_per_zone_pages_min(mm);
	} else if (!strcmp(name, "watermark_scale_factor")) {
		setup_per_zone_wmarks_61(mm);
	} else if (!strcmp(name, "lowmem_reserve_ratio")) {
		if (modern)
			setup_per_zone_lowmem_reserve_61(mm);
		else
			setup_per_zone_lowmem_reserve(mm);
	} else if (p.percpu_pagelist_high_fraction != old_frac) {
		for (int nid = 0; nid < mm->nr_nodes; nid++)
			for (int j = 0; j < MAX_NR_ZONES; j++)
				if (populated_zone(&mm->node_data[nid]->node_zones[j]))
					zone_set_pageset_high_and_batch(mm, &mm->node_data[nid]->node_zones[j]);
	}
	return 0;
}

/* ---- Views in 6.1's formats ---------------------------------------------- */

/* 6.1's zones as /proc/zoneinfo lists them, mapped to ours (-1: Device,
 * which mmsim does not model, always empty). x86_64: DMA, DMA32, Normal,
 * Movable, Device; 32-bit: DMA, Normal, HighMem, Movable. */
int zones_61(const struct mm *mm, const char **names, int *ours)
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

/* 6.1 mminit_verify_zonelist, as dmesg prints it with mminit_loglevel=4:
 * per node, the fallback ("general") list of each populated zone, then its
 * own-node ("thisnode", __GFP_THISNODE) list (NUMA kernels only), each
 * zone as NODE:NAME. */
static void view_zonelists(struct mm *mm, struct mm_out *o)
{
	for (int nid = 0; nid < mm->nr_nodes; nid++) {
		pg_data_t *pgdat = mm->node_data[nid];
		/* 6.1 MAX_ZONELISTS: the "thisnode" list (ZONELIST_NOFALLBACK)
		 * exists only with CONFIG_NUMA. */
		for (int listid = 0; listid < (mm->no_numa ? 1 : 2); listid++)
			for (int k = 0; k < MAX_NR_ZONES; k++) {
				struct zone *zone = &pgdat->node_zones[k];
				if (!populated_zone(zone))
					continue;
				mm_outf(o, "mminit::zonelist %s %d:%s = ", listid ? "thisnode" : "general", nid,
					zone->name);
				if (listid == 0) {
					for (struct zone **z = pgdat->node_zonelists[k].zones; *z; z++)
						mm_outf(o, "%d:%s ", (*z)->zone_pgdat->node_id, (*z)->name);
				} else {
					for (int j = k; j >= 0; j--)
						if (populated_zone(&pgdat->node_zones[j]))
							mm_outf(o, "%d:%s ", nid, pgdat->node_zones[j].name);
				}
				mm_outf(o, "\n");
			}
	}
}

/* ---- Pageblocks and /proc/pagetypeinfo ---------------------------------- */

/*
 * 6.1 memmap_init_range sets MIGRATE_MOVABLE on every pageblock whose first
 * (aligned) frame it initialises, that is whose first frame lies in the
 * zone; a zone's unaligned first block keeps 0, MIGRATE_UNMOVABLE (so a
 * DMA zone starting at pfn 1 shows one Unmovable block, as the reference
 * machines do). The frames are all freed later as movable (boot freeing,
 * page_alloc.c's __free_one_page reads the block's type).
 */
void init_pageblocks_modern(const struct mm *mm, struct zone *z)
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

size_t mm_view_modern(struct mm *mm, const char *name, char *buf, size_t len)
{
	struct mm_out o = { buf, len, 0 };
	if (len)
		buf[0] = '\0';
	if (!strcmp(name, "zonelists"))
		view_zonelists(mm, &o);
	else if (!strcmp(name, "pagetypeinfo"))
		view_pagetypeinfo_61(mm, &o);
	else
		view_zoneinfo_61(mm, &o);
	return o.n;
}
