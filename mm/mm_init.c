/*
 * Boot: nodes, zones, the mem_map, watermarks, reserves, per-CPU list sizes
 * and zonelists (Linux 2.6.11 mm/page_alloc.c free_area_init_core,
 * build_all_zonelists, init_per_zone_pages_min; mm/bootmem.c
 * free_all_bootmem_core).
 *
 * The order of boot, as in the kernel:
 *   0. the direct map's page tables (init.c), low in memory, reserved;
 *   1. per node, the zones' spans from the architecture's zone limits, and
 *      present pages = spanned minus the frames no usable e820 range covers;
 *   2. per node, the node's boot data in simulated memory: pg_data_t with
 *      its zones (each with pageset[NR_CPUS] inside, as 2.6.11 embeds it),
 *      then the mem_map, one 64-byte struct page per spanned frame. It goes
 *      at the lowest usable address of the node at or above 16 MiB where it
 *      fits (alloc_bootmem_node's goal is MAX_DMA_ADDRESS), else the lowest
 *      where it fits, and is reserved;
 *   3. memmap_init: every descriptor gets its node and zone and PG_reserved;
 *   4. the per-CPU list sizes (the 2.6.11 batch rule, zone_pcp_init);
 *   5. the zonelists (build_all_zonelists);
 *   6. free_all_bootmem: every usable frame not holding boot data is freed,
 *      node by node in ascending pfn, in the words of a bootmem bitmap
 *      (BITS_PER_LONG frames: 64 on x86_64, 32 on i386): a whole free word
 *      that starts aligned goes to the buddy lists as one block of order
 *      log2(BITS_PER_LONG), any other free frame alone, as 2.6.11's
 *      free_all_bootmem_core does. The kernel frees those lone frames through
 *      __free_page, i.e. through the boot CPU's hot list, which drains into
 *      the buddy lists in batches; we free them straight into the buddy
 *      lists, so that every per-CPU list starts empty. Since each freed
 *      block goes to the head of its list, the initial lists hold the
 *      highest blocks first: the first allocations come from the top of
 *      each zone, as on a freshly booted 2.6.11;
 *   7. init_per_zone_pages_min: min_free_kbytes, pages_min/low/high and
 *      lowmem_reserve.
 * Boot charges no simulated cycles.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/internal.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"

#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)
#define PFN(addr) ((addr) >> HW_PAGE_SHIFT)

static const char *const zone_names[MAX_NR_ZONES] = { "DMA", "DMA32", "Normal", "HighMem", "Movable" };

int mm_fail(struct mm *mm, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(mm->err, sizeof mm->err, fmt, ap);
	va_end(ap);
	mm->errcode = code;
	return -code;
}

/* The pfn where each zone ends (exclusive), by architecture. */
static void zone_limits(enum hw_arch arch, uint64_t lowmem_limit, uint64_t limit[MAX_NR_ZONES])
{
	limit[ZONE_DMA] = PFN(16 * MiB);
	if (arch == HW_ARCH_X86_64) {
		limit[ZONE_DMA32] = PFN(4 * GiB);
		limit[ZONE_NORMAL] = UINT64_MAX;
		limit[ZONE_HIGHMEM] = UINT64_MAX;
		limit[ZONE_MOVABLE] = UINT64_MAX;
	} else {
		/* i386: no DMA32; Normal is the direct map, up to 896 MiB
		 * (or where the description says lowmem ends). */
		limit[ZONE_DMA32] = PFN(16 * MiB);
		limit[ZONE_NORMAL] = PFN(lowmem_limit);
		limit[ZONE_HIGHMEM] = UINT64_MAX;
		limit[ZONE_MOVABLE] = UINT64_MAX;
	}
}

/* Frames of [lo, hi) that RAM covers: usable e820 ranges, and the RAM
 * the kernel reserves (HW_MEM_KERNEL: present, never freed). */
static uint64_t usable_frames(const struct hw_machine_desc *d, uint64_t lo, uint64_t hi)
{
	uint64_t n = 0;
	for (int i = 0; i < d->nr_ranges; i++) {
		if (d->ranges[i].type == HW_MEM_RESERVED)
			continue;
		uint64_t a = PFN(d->ranges[i].start + HW_PAGE_SIZE - 1), b = PFN(d->ranges[i].end);
		if (a < lo)
			a = lo;
		if (b > hi)
			b = hi;
		if (a < b)
			n += b - a;
	}
	return n;
}

/* The lowest page-aligned address of a usable range (of node nid, or of any
 * node if nid < 0) at or above goal where size bytes fit without overlapping
 * [avoid_lo, avoid_hi); failing that, the lowest such address anywhere. 0
 * with *ok false if none. */
static uint64_t place_low_type(const struct hw_machine_desc *d, enum hw_mem_type type, int nid,
			       uint64_t goal, uint64_t size, uint64_t avoid_lo, uint64_t avoid_hi, bool *ok)
{
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < d->nr_ranges; i++) {
			const struct hw_mem_range *r = &d->ranges[i];
			if (r->type != type || (nid >= 0 && hw_desc_node_of(d, r->start) != nid))
				continue;
			uint64_t a = (r->start + HW_PAGE_SIZE - 1) & ~(HW_PAGE_SIZE - 1);
			if (pass == 0 && a < goal)
				a = goal;
			if (a < avoid_hi && a + size > avoid_lo)
				a = avoid_hi;
			if (a < r->end && r->end - a >= size) {
				*ok = true;
				return a;
			}
		}
	}
	*ok = false;
	return 0;
}

/* Boot data goes first into RAM the description says the kernel reserved
 * (an imported machine's present - managed: its real mem_map is in
 * there), so that managed comes out as described; else into usable RAM. */
static uint64_t place_low(const struct hw_machine_desc *d, int nid, uint64_t goal, uint64_t size,
			  uint64_t avoid_lo, uint64_t avoid_hi, bool *ok)
{
	uint64_t a = place_low_type(d, HW_MEM_KERNEL, nid, goal, size, avoid_lo, avoid_hi, ok);
	if (*ok)
		return a;
	return place_low_type(d, HW_MEM_USABLE, nid, goal, size, avoid_lo, avoid_hi, ok);
}

/* The node's boot data: alloc_bootmem_node's goal is MAX_DMA_ADDRESS. */
static uint64_t place_boot_data(const struct mm *mm, const struct hw_machine_desc *d, int nid,
				uint64_t size, bool *ok)
{
	return place_low(d, nid, 16 * MiB, size, mm->pgt_start, mm->pgt_end, ok);
}

/*
 * 2.6.11 free_area_init_core's per-CPU list sizes: batch is about a
 * thousandth of the zone but at most 256 KiB worth, then divided by 4
 * (at least 1); the hot list keeps between 2 and 6 batches, the cold list
 * between 0 and 2.
 */
static void zone_pcp_init(struct zone *z, int ncpus)
{
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
		for (int i = 0; i < NR_PCP_LISTS; i++)
			plist_init(&z->pageset[cpu].lists[i]);
		z->pageset[cpu].free_factor = 0;
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

static unsigned long int_sqrt(unsigned long x)
{
	unsigned long r = (unsigned long)sqrt((double)x);
	while (r * r > x)
		r--;
	while ((r + 1) * (r + 1) <= x)
		r++;
	return r;
}

/* SWAP_CLUSTER_MAX, 2.6.11 include/linux/swap.h */
#define SWAP_CLUSTER_MAX 32

/*
 * 2.6.11 setup_per_zone_pages_min: pages_min = min_free_kbytes / 4 shared
 * among the lowmem zones in proportion to their present pages; a HighMem
 * zone (even an empty one) gets present/1024 clamped to [32, 128];
 * pages_low = min * 5/4, pages_high = min * 6/4, rounded down.
 */
void setup_per_zone_pages_min(struct mm *mm)
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
void setup_per_zone_lowmem_reserve(struct mm *mm)
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

/* ---- Boot freeing (2.6.11 free_all_bootmem_core) ------------------------ */

/* Free the frames [a, b) of one zone-contiguous free run in bootmem word
 * order. */
static void free_run(struct mm *mm, pg_data_t *pgdat, uint64_t a, uint64_t b, unsigned word_order)
{
	const uint64_t word = UINT64_C(1) << word_order;
	bool gofast = (pgdat->node_start_pfn & (word - 1)) == 0 && word_order < mm->max_order;
	uint64_t pfn = a;
	while (pfn < b) {
		struct page *page = &pgdat->node_mem_map[pfn - pgdat->node_start_pfn];
		struct zone *z = &pgdat->node_zones[page_zonenum(page)];
		uint64_t zend = z->zone_start_pfn + z->spanned_pages;
		if (gofast && (pfn & (word - 1)) == 0 && pfn + word <= b && pfn + word <= zend &&
		    ((pfn - z->zone_start_pfn) & (word - 1)) == 0) {
			for (uint64_t i = 0; i < word; i++)
				ClearPageFlag(page + i, PG_reserved);
			__free_one_page(mm, page, z, word_order);
			z->managed_pages += word;
			pfn += word;
		} else {
			ClearPageFlag(page, PG_reserved);
			__free_one_page(mm, page, z, 0);
			z->managed_pages++;
			pfn++;
		}
	}
}

/* A node's free runs: usable e820 ranges minus its boot data, in ascending
 * order, adjacent ones merged (a bootmem word may span two e820 ranges). */
static void free_all_bootmem_node(struct mm *mm, const struct hw_machine_desc *d, pg_data_t *pgdat,
				  unsigned word_order)
{
	uint64_t node_lo = pgdat->node_start_pfn, node_hi = node_lo + pgdat->node_spanned_pages;
	/* The modern era on x86_64 keeps the first 1 MiB, as 6.1's
	 * setup_arch reserves it (memblock_reserve(0, SZ_1M) since 5.13),
	 * unless the description already says what the kernel reserved. */
	uint64_t low_keep = 0;
	if (mm->policy.era == MM_ERA_MODERN && mm->arch == HW_ARCH_X86_64) {
		low_keep = PFN(1 * MiB);
		for (int i = 0; i < d->nr_ranges; i++)
			if (d->ranges[i].type == HW_MEM_KERNEL)
				low_keep = 0;
	}
	/* What boot keeps, in ascending order: the node's boot data and the
	 * direct map's page tables (mm_boot places them apart). */
	uint64_t keep[2][2] = { { PFN(pgdat->meta_start), PFN(pgdat->meta_end) },
				{ PFN(mm->pgt_start), PFN(mm->pgt_end) } };
	if (keep[1][0] < keep[0][0]) {
		uint64_t t0 = keep[0][0], t1 = keep[0][1];
		keep[0][0] = keep[1][0], keep[0][1] = keep[1][1];
		keep[1][0] = t0, keep[1][1] = t1;
	}
	uint64_t seg[3 * HW_MAX_RANGES][2];
	int n = 0;
	for (int i = 0; i < d->nr_ranges; i++) {
		const struct hw_mem_range *r = &d->ranges[i];
		if (r->type != HW_MEM_USABLE)
			continue;
		uint64_t a = PFN(r->start + HW_PAGE_SIZE - 1), b = PFN(r->end);
		if (a < low_keep)
			a = low_keep;
		if (a < node_lo)
			a = node_lo;
		if (b > node_hi)
			b = node_hi;
		for (int k = 0; k < 2 && a < b; k++) {
			if (keep[k][1] <= a || keep[k][0] >= b)
				continue;
			if (a < keep[k][0])
				seg[n][0] = a, seg[n][1] = keep[k][0], n++;
			a = keep[k][1];
		}
		if (a < b)
			seg[n][0] = a, seg[n][1] = b, n++;
	}
	/* ranges[] is sorted (validated), so seg[] is too. */
	for (int i = 0; i < n;) {
		uint64_t a = seg[i][0], b = seg[i][1];
		for (i++; i < n && seg[i][0] == b; i++)
			b = seg[i][1];
		free_run(mm, pgdat, a, b, word_order);
	}
}

/* ---- Boot --------------------------------------------------------------- */

struct mm *mm_boot(struct sim *s, const struct hw_machine_desc *d, const struct mm_policy *p,
		   struct trace *tr, char *err, size_t errlen)
{
	char verr[256];
	if (hw_desc_validate(d, verr, sizeof verr) != 0) {
		mmsim_errf(err, errlen, "machine: %s", verr);
		return NULL;
	}
	if (mm_policy_check(p, d, err, errlen))
		return NULL;
	if (p->max_order < 2 || p->max_order > 15) {
		mmsim_errf(err, errlen, "max_order: %u, accepted: 2 to 15", p->max_order);
		return NULL;
	}
	if (s->ncpus < d->nr_cpus) {
		mmsim_errf(err, errlen, "machine: %d CPUs but the simulation has %d", d->nr_cpus, s->ncpus);
		return NULL;
	}

	struct mm *mm = mmsim_xcalloc(1, sizeof *mm);
	mm->sim = s;
	mm->policy = *p;
	mm->arch = d->arch;
	mm->nr_nodes = d->nr_nodes;
	mm->ncpus = d->nr_cpus;
	for (int i = 0; i < d->nr_nodes; i++)
		if (d->nodes[i].movable_start)
			mm->has_movable = true;
	mm->max_order = p->max_order;
	mm->no_numa = d->no_numa;
	if (p->era == MM_ERA_MODERN)
		mm->pageblock_order = pageblock_order_61(d->arch);
	mm->cpu = -1;
	mm->trace = tr;
	mm->ev_zone_wmark = -1;   /* boot's own frees cross every mark: not events */
	for (int c = 0; c < d->nr_cpus; c++)
		mm->cpu_node[c] = d->cpus[c].node;
	for (int i = 0; i < d->nr_nodes; i++)
		for (int j = 0; j < d->nr_nodes; j++)
			mm->distance[i][j] = d->distance[i][j];
	if (d->arch == HW_ARCH_X86_64) {
		mm->page_offset = UINT64_C(0xffff810000000000);
		mm->lowmem_limit = UINT64_MAX;
	} else {
		mm->page_offset = UINT64_C(0xc0000000);
		mm->lowmem_limit = d->lowmem_end ? d->lowmem_end : 896 * MiB;
	}

	/* The direct map's page tables (init.c), placed before the boot data as
	 * the kernel builds them before bootmem: low, where the kernel puts
	 * them. 2.6.11 x86_64's find_early_table_space takes the first e820
	 * area from 0x8000 up; on i386 swapper_pg_dir is in the kernel image,
	 * loaded at 1 MiB (the image itself is not modelled). Reserved. */
	uint64_t pgt_bytes;
	if (kernel_pgtable_size(mm, d, &pgt_bytes, err, errlen)) {
		mm_destroy(mm);
		return NULL;
	}
	bool pgt_ok;
	mm->pgt_start = place_low(d, -1, d->arch == HW_ARCH_X86_64 ? 0x8000 : 1 * MiB, pgt_bytes, 0, 0,
				  &pgt_ok);
	mm->pgt_end = mm->pgt_start + pgt_bytes;
	highmem_init(mm, mm->pgt_start + (pgt_bytes - highmem_data_bytes(mm)));
	if (!pgt_ok) {
		mmsim_errf(err, errlen, "machine: no usable range holds the direct map's page tables "
		     "(%llu KiB)", (unsigned long long)(pgt_bytes >> 10));
		mm_destroy(mm);
		return NULL;
	}

	uint64_t limit[MAX_NR_ZONES];
	zone_limits(d->arch, mm->lowmem_limit, limit);
	const unsigned word_order = d->arch == HW_ARCH_X86_64 ? 6 : 5; /* log2(BITS_PER_LONG) */

	for (int nid = 0; nid < d->nr_nodes; nid++) {
		pg_data_t *pgdat = mmsim_xcalloc(1, sizeof *pgdat);
		mm->node_data[nid] = pgdat;
		pgdat->mm = mm;
		pgdat->node_id = nid;
		uint64_t lo = PFN(d->nodes[nid].start), hi = PFN(d->nodes[nid].end);
		pgdat->node_start_pfn = lo;
		pgdat->node_spanned_pages = hi - lo;
		sim_waitq_init(&pgdat->kswapd_wait, "kswapd_wait");

		/* 6.1 adjust_zone_range_for_zone_movable: with a Movable zone
		 * the zones below end where it starts, and it runs to the
		 * node's end. */
		uint64_t mstart = d->nodes[nid].movable_start ? PFN(d->nodes[nid].movable_start) : hi;
		uint64_t zstart = lo;
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			struct zone *z = &pgdat->node_zones[j];
			uint64_t top = j == ZONE_MOVABLE ? hi : mstart;
			uint64_t zend = limit[j] < top ? limit[j] : top;
			if (j == ZONE_MOVABLE && zstart < mstart)
				zstart = mstart;
			if (zend < zstart)
				zend = zstart;
			z->zone_pgdat = pgdat;
			z->name = zone_names[j];
			z->zone_start_pfn = zstart;
			z->spanned_pages = zend - zstart;
			z->present_pages = usable_frames(d, zstart, zend);
			pgdat->node_present_pages += z->present_pages;
			if (z->spanned_pages)
				pgdat->nr_zones = j + 1;
			for (unsigned o = 0; o < MM_MAX_ORDER_LIMIT; o++)
				for (int mt = 0; mt < MIGRATE_TYPES; mt++)
					plist_init(&z->free_area[o].free_lists[mt]);
			z->pageset = mmsim_xcalloc((size_t)mm->ncpus, sizeof *z->pageset);
			zone_pcp_init(z, mm->ncpus);
			zstart = zend;
		}
		if (pgdat->node_spanned_pages == 0)
			continue;

		/* The boot data in simulated memory. */
		uint64_t zsize = zone_sim_size(mm->ncpus, mm->max_order);
		/* The simulated pg_data_t holds the Movable zone only on a
		 * machine that has one: other boot layouts stay as they were. */
		int zone_slots = mm->has_movable ? MAX_NR_ZONES : MM_NR_CLASSIC_ZONES;
		uint64_t pgdat_size = 64 + (uint64_t)zone_slots * zsize;
		uint64_t memmap_off = (pgdat_size + HW_PAGE_SIZE - 1) & ~(HW_PAGE_SIZE - 1);
		uint64_t total = memmap_off + pgdat->node_spanned_pages * SIM_PAGE_SIZE;
		total = (total + HW_PAGE_SIZE - 1) & ~(HW_PAGE_SIZE - 1);
		bool ok;
		uint64_t base = place_boot_data(mm, d, nid, total, &ok);
		if (!ok) {
			mmsim_errf(err, errlen, "nodes[%d]: no usable range holds its boot data "
			     "(%llu KiB: pg_data_t, zones, mem_map)", nid,
			     (unsigned long long)(total >> 10));
			mm_destroy(mm);
			return NULL;
		}
		pgdat->paddr = base;
		pgdat->meta_start = base;
		pgdat->meta_end = base + total;
		pgdat->mem_map_paddr = base + memmap_off;
		for (int j = 0; j < zone_slots; j++) {
			struct zone *z = &pgdat->node_zones[j];
			z->paddr = base + 64 + (uint64_t)j * zsize;
			sim_lock_init(&z->lock, "zone->lock", z->paddr + zone_off_lock(mm->ncpus));
		}

		/* memmap_init: everything reserved until boot frees it. */
		pgdat->node_mem_map = mmsim_xcalloc(pgdat->node_spanned_pages, sizeof(struct page));
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			struct zone *z = &pgdat->node_zones[j];
			z->zone_mem_map = pgdat->node_mem_map + (z->zone_start_pfn - lo);
			uint32_t f = (uint32_t)nid << PAGE_NODE_SHIFT | (uint32_t)j << PAGE_ZONE_SHIFT |
				     1u << PG_reserved | (j == ZONE_HIGHMEM ? 1u << PG_highmem : 0);
			struct page *pg = z->zone_mem_map;
			/* A Movable zone carved from HighMem has no kernel mapping
			 * either. */
			uint64_t lowmem_end = PFN(mm->lowmem_limit);
			for (unsigned long i = 0; i < z->spanned_pages; i++) {
				pg[i].flags = f;
				if (j == ZONE_MOVABLE && z->zone_start_pfn + i >= lowmem_end)
					pg[i].flags |= 1u << PG_highmem;
				pg[i].lru_next = pg[i].lru_prev = PAGE_NIL;
			}
			if (p->era == MM_ERA_MODERN)
				init_pageblocks_modern(mm, z);
		}
	}

	if (p->era == MM_ERA_MODERN)
		build_all_zonelists_modern(mm);
	else
		build_all_zonelists(mm);
	for (int nid = 0; nid < d->nr_nodes; nid++)
		if (mm->node_data[nid]->node_spanned_pages)
			free_all_bootmem_node(mm, d, mm->node_data[nid], word_order);
	if (p->era == MM_ERA_MODERN)
		init_per_zone_wmark_min_modern(mm);
	else
		init_per_zone_pages_min(mm);

	/* kswapd: one task per node with memory, on the node's first CPU (CPU 0
	 * for a node without). Started at its first wakeup, so that an idle
	 * machine has no events queued. */
	for (int nid = 0; nid < d->nr_nodes; nid++) {
		pg_data_t *pgdat = mm->node_data[nid];
		int cpu = 0;
		for (int c = 0; c < mm->ncpus; c++)
			if (mm->cpu_node[c] == nid) {
				cpu = c;
				break;
			}
		char name[32];
		snprintf(name, sizeof name, "kswapd%d", nid);
		sim_task_init(s, &pgdat->kswapd, name, cpu, kswapd_step, pgdat);
		pgdat->kswapd_highest_zoneidx = MAX_NR_ZONES;
	}

	if (p->hw && s->mem.access) {
		mm->access = s->mem.access;
		mm->access_ctx = s->mem.ctx;
	}
	if (tr) {
		mm->ev_alloc = trace_event_id(tr, "mm_page_alloc");
		mm->ev_free = trace_event_id(tr, "mm_page_free");
		mm->ev_pcpu_drain = trace_event_id(tr, "mm_page_pcpu_drain");
		mm->ev_alloc_zone_locked = trace_event_id(tr, "mm_page_alloc_zone_locked");
		mm->ev_alloc_fail = trace_event_id(tr, "mm_page_alloc_fail");
		mm->ev_kswapd_wake = trace_event_id(tr, "mm_vmscan_kswapd_wake");
		mm->ev_kswapd_sleep = trace_event_id(tr, "mm_vmscan_kswapd_sleep");
		mm->ev_direct_reclaim_begin = trace_event_id(tr, "mm_vmscan_direct_reclaim_begin");
		mm->ev_direct_reclaim_end = trace_event_id(tr, "mm_vmscan_direct_reclaim_end");
		mm->ev_oom = trace_event_id(tr, "mm_oom");
		mm->ev_extfrag = p->era == MM_ERA_MODERN ? trace_event_id(tr, "mm_page_alloc_extfrag") : -1;
		mm->ev_boost = p->era == MM_ERA_MODERN ? trace_event_id(tr, "mm_watermark_boost") : -1;
		mm->ev_compact = p->era == MM_ERA_MODERN ?
			trace_event_id(tr, "mm_compaction_try_to_compact_pages") : -1;
		mm->ev_zone_wmark = trace_event_id(tr, "mm_zone_watermark");
	} else {
		mm->ev_alloc = mm->ev_free = mm->ev_pcpu_drain = mm->ev_alloc_zone_locked = -1;
		mm->ev_alloc_fail = mm->ev_kswapd_wake = mm->ev_kswapd_sleep = -1;
		mm->ev_direct_reclaim_begin = mm->ev_direct_reclaim_end = mm->ev_oom = -1;
		mm->ev_extfrag = mm->ev_boost = mm->ev_compact = mm->ev_zone_wmark = -1;
	}
	if (p->check)
		mm_check_or_panic(mm, "boot");
	return mm;
}

void mm_destroy(struct mm *mm)
{
	if (!mm)
		return;
	highmem_destroy(mm);
	bounce_destroy(mm);
	user_destroy(mm);
	for (int nid = 0; nid < mm->nr_nodes; nid++) {
		pg_data_t *pgdat = mm->node_data[nid];
		if (!pgdat)
			continue;
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			free(pgdat->node_zones[j].pageset);
			free(pgdat->node_zones[j].pageblock_mt);
		}
		free(pgdat->node_mem_map);
		free(pgdat);
	}
	vmalloc_teardown(mm);
	kmem_cache_teardown(mm);
	free(mm);
}

/* ---- Lookups ------------------------------------------------------------ */

const struct mm_policy *mm_policy(const struct mm *mm)
{
	return &mm->policy;
}
int mm_nr_nodes(const struct mm *mm)
{
	return mm->nr_nodes;
}
int mm_nr_cpus(const struct mm *mm)
{
	return mm->ncpus;
}
pg_data_t *NODE_DATA(struct mm *mm, int nid)
{
	return nid >= 0 && nid < mm->nr_nodes ? mm->node_data[nid] : NULL;
}
int cpu_to_node(const struct mm *mm, int cpu)
{
	return cpu >= 0 && cpu < mm->ncpus ? mm->cpu_node[cpu] : -1;
}
unsigned mm_max_order(const struct mm *mm)
{
	return mm->max_order;
}
unsigned mm_pageblock_order(const struct mm *mm)
{
	return mm->pageblock_order;
}
unsigned long mm_min_free_kbytes(const struct mm *mm)
{
	return mm->min_free_kbytes;
}
int mm_errno(const struct mm *mm)
{
	return mm->errcode;
}
const char *mm_error(const struct mm *mm)
{
	return mm->errcode ? mm->err : "";
}
void mm_set_cpu(struct mm *mm, int cpu)
{
	mm->sim->cur.cpu = cpu;
}
void mm_set_current(struct mm *mm, unsigned pf_flags, bool rt, bool in_interrupt)
{
	mm->pflags = pf_flags;
	mm->rt = rt;
	mm->in_interrupt = in_interrupt;
}

struct page *pfn_to_page(struct mm *mm, uint64_t pfn)
{
	for (int nid = 0; nid < mm->nr_nodes; nid++) {
		pg_data_t *pgdat = mm->node_data[nid];
		if (pfn >= pgdat->node_start_pfn && pfn - pgdat->node_start_pfn < pgdat->node_spanned_pages)
			return &pgdat->node_mem_map[pfn - pgdat->node_start_pfn];
	}
	return NULL;
}

uint64_t page_to_pfn(const struct mm *mm, const struct page *page)
{
	const pg_data_t *pgdat = mm->node_data[page_nid(page)];
	return pgdat->node_start_pfn + (uint64_t)(page - pgdat->node_mem_map);
}

struct zone *page_zone(struct mm *mm, const struct page *page)
{
	return &mm->node_data[page_nid(page)]->node_zones[page_zonenum(page)];
}

uint64_t page_desc_paddr(const struct mm *mm, const struct page *page)
{
	return page_paddr(mm->node_data[page_nid(page)], page);
}

uint64_t page_address(const struct mm *mm, const struct page *page)
{
	if (PageHighMem(page))   /* its kmap address, if any (highmem.c) */
		return highmem_page_address(mm, page_to_pfn(mm, page));
	return mm->page_offset + (page_to_pfn(mm, page) << HW_PAGE_SHIFT);
}

struct page *virt_to_page(struct mm *mm, uint64_t kaddr)
{
	if (kaddr < mm->page_offset)
		return NULL;
	uint64_t pa = kaddr - mm->page_offset;
	if (pa >= mm->lowmem_limit)
		return NULL;
	struct page *page = pfn_to_page(mm, pa >> HW_PAGE_SHIFT);
	if (page && PageHighMem(page))
		return NULL;
	return page;
}
