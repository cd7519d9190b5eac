/*
 * Boot (ours, for both eras): nodes, zones and the mem_map as data, placed
 * in simulated memory, and the order in which the machine's frames reach
 * the buddy lists; the era's table (mm->ops) does what its kernel computes
 * differently, at the steps marked "era" below. The layout follows 2.6.11
 * (free_area_init_core, alloc_bootmem_node, free_all_bootmem_core), which
 * the modern era keeps until it has 6.1's memblock (issue 20).
 *
 * The order of boot, as in the kernel:
 *   0. era: setup_arch (what the kernel reserves low, the pageblock order);
 *      the kernel's own page tables (the era's pgtable_size and
 *      paging_init), low in memory, reserved;
 *   1. per node, the zones' spans from the architecture's zone limits, and
 *      present pages = spanned minus the frames no usable e820 range covers;
 *      era: the per-CPU list sizes (zone_pcp_init);
 *   2. per node, the node's boot data in simulated memory: pg_data_t with
 *      its zones (each with pageset[NR_CPUS] inside, as 2.6.11 embeds it),
 *      then the mem_map, one 64-byte struct page per spanned frame. It goes
 *      at the lowest usable address of the node at or above 16 MiB where it
 *      fits (alloc_bootmem_node's goal is MAX_DMA_ADDRESS), else the lowest
 *      where it fits, and is reserved;
 *   3. memmap_init: every descriptor gets its node and zone and PG_reserved;
 *      era: memmap_init_zone (6.1 marks the pageblocks);
 *   4. era: the zonelists (build_all_zonelists);
 *   5. free_all_bootmem: every usable frame not holding boot data is freed,
 *      node by node in ascending pfn, in the words of a bootmem bitmap
 *      (BITS_PER_LONG frames: 64 on x86_64, 32 on i386): a whole free word
 *      that starts aligned goes to the buddy lists as one block of order
 *      log2(BITS_PER_LONG), any other free frame alone, as 2.6.11's
 *      free_all_bootmem_core does; era: free_boot_block puts each block on
 *      the buddy lists (2.6.11 at the head of its list, so the first
 *      allocations come from the top of each zone; 6.1 at the tail). The
 *      kernel frees lone frames through __free_page, i.e. through the boot
 *      CPU's per-CPU list, which drains into the buddy lists in batches; we
 *      free them straight into the buddy lists, so that every per-CPU list
 *      starts empty;
 *   6. era: init_per_zone_wmark_min: min_free_kbytes, the watermarks and
 *      lowmem_reserve (and 6.1's per-CPU high and batch);
 *   7. one kswapd task per node (the era's kswapd step), the cost model's
 *      port, the trace events (the era's own among them).
 * Boot charges no simulated cycles.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/internal.h"

#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)
#define PFN(addr) ((addr) >> HW_PAGE_SHIFT)

static const char *const zone_names[MAX_NR_ZONES] = { "DMA", "DMA32", "Normal", "HighMem", "Movable" };

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
			mm->ops->free_boot_block(mm, page, z, word_order);
			z->managed_pages += word;
			pfn += word;
		} else {
			ClearPageFlag(page, PG_reserved);
			mm->ops->free_boot_block(mm, page, z, 0);
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
	/* What the era's setup_arch keeps at the bottom of memory. */
	uint64_t low_keep = PFN(mm->boot_keep_low);
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
	/* The era, chosen once: its table of operations (mm/2.6.11,
	 * mm/6.1). Nothing after this asks which era runs. */
	mm->ops = p->era == MM_ERA_MODERN ? &mm_ops_61 : &mm_ops_2611;
	mm->arch = d->arch;
	mm->nr_nodes = d->nr_nodes;
	mm->ncpus = d->nr_cpus;
	for (int i = 0; i < d->nr_nodes; i++)
		if (d->nodes[i].movable_start)
			mm->has_movable = true;
	mm->max_order = p->max_order;
	mm->no_numa = d->no_numa;
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

	/* The direct map's page tables (the era's: mm/2.6.11/init.c), placed before the boot data as
	 * the kernel builds them before bootmem: low, where the kernel puts
	 * them. 2.6.11 x86_64's find_early_table_space takes the first e820
	 * area from 0x8000 up; on i386 swapper_pg_dir is in the kernel image,
	 * loaded at 1 MiB (the image itself is not modelled). Reserved. */
	mm->ops->setup_arch(mm, d);
	uint64_t pgt_bytes;
	if (mm->ops->kernel->pgtable_size(mm, d, &pgt_bytes, err, errlen)) {
		mm_destroy(mm);
		return NULL;
	}
	bool pgt_ok;
	mm->pgt_start = place_low(d, -1, d->arch == HW_ARCH_X86_64 ? 0x8000 : 1 * MiB, pgt_bytes, 0, 0,
				  &pgt_ok);
	mm->pgt_end = mm->pgt_start + pgt_bytes;
	mm->ops->kernel->paging_init(mm);
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
			for (int cpu = 0; cpu < mm->ncpus; cpu++) {
				struct per_cpu_pageset *ps = &z->pageset[cpu];
				plist_init(&ps->pcp[0].list);
				plist_init(&ps->pcp[1].list);
				for (int i = 0; i < NR_PCP_LISTS; i++)
					plist_init(&ps->lists[i]);
			}
			mm->ops->zone_pcp_init(mm, z);
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
			mm->ops->memmap_init_zone(mm, z);
		}
	}

	mm->ops->build_all_zonelists(mm);
	for (int nid = 0; nid < d->nr_nodes; nid++)
		if (mm->node_data[nid]->node_spanned_pages)
			free_all_bootmem_node(mm, d, mm->node_data[nid], word_order);
	mm->ops->init_per_zone_wmark_min(mm);

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
		sim_task_init(s, &pgdat->kswapd, name, cpu, mm->ops->kswapd, pgdat);
		pgdat->kswapd_highest_zoneidx = MAX_NR_ZONES;
	}

	if (p->hw && s->mem.access) {
		mm->access = s->mem.access;
		mm->access_ctx = s->mem.ctx;
	}
	mm->ev_alloc = mm->ev_free = mm->ev_pcpu_drain = mm->ev_alloc_zone_locked = -1;
	mm->ev_alloc_fail = mm->ev_kswapd_wake = mm->ev_kswapd_sleep = -1;
	mm->ev_direct_reclaim_begin = mm->ev_direct_reclaim_end = mm->ev_oom = -1;
	mm->ev_extfrag = mm->ev_boost = mm->ev_compact = mm->ev_zone_wmark = -1;
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
		mm->ops->trace_events(mm, tr);
		mm->ev_zone_wmark = trace_event_id(tr, "mm_zone_watermark");
	}
	if (p->check)
		mm_check_or_panic(mm, "boot");
	return mm;
}

void mm_destroy(struct mm *mm)
{
	if (!mm)
		return;
	mm->ops->kernel->destroy(mm);
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
	mm_owners_destroy(mm);
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
