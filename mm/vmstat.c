/*
 * Counters and views both eras share (mmsim's own plumbing, and the
 * kernel's /proc printers whose output is the same in 2.6.11 and 6.1):
 * the vmstat event counters and the stats registry entries,
 * /proc/buddyinfo (frag_show), a full dump of the free lists, the
 * zonelists in 6.1's mminit_verify_zonelist format (either era's lists),
 * the per-node numastat (node_read_numastat), the lists as data and the
 * trace lines; the dispatch of mm_view and mm_node_view to the era's
 * printers (mm->ops: mm/2.6.11/page_alloc.c, mm/6.1/vmstat.c); and the
 * invariant checker's part that holds in both eras.
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
	mm->ops->kernel->register_stats(mm, reg);
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

/* 6.1 mminit_verify_zonelist, as dmesg prints it with mminit_loglevel=4
 * (2.6.11 prints no such lines; both eras' lists are shown in it):
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

/* ---- What the views read, and the per-node files ------------------------- */

void count_node(struct mm *mm, int nid, struct mem_counts *c)
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

void count_all(struct mm *mm, struct mem_counts *c)
{
	memset(c, 0, sizeof *c);
	for (int nid = 0; nid < mm->nr_nodes; nid++)
		count_node(mm, nid, c);
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
			mm->ops->node_meminfo(mm, n, &o);
	}
	return o.n;
}

/* ---- The views, by name ------------------------------------------------ */

const char *const *mm_view_names(const struct mm *mm)
{
	/* Without a machine: the classic era's, the policy's default. */
	return (mm ? mm->ops : &mm_ops_2611)->view_names;
}

size_t mm_view(struct mm *mm, const char *name, char *buf, size_t len)
{
	if (!strcmp(name, "numastat") || !strcmp(name, "node_meminfo"))
		return mm_node_view(mm, name, -1, buf, len);
	struct mm_out o = { buf, len, 0 };
	if (len)
		buf[0] = '\0';
	if (!strcmp(name, "buddyinfo"))
		view_buddyinfo(mm, &o);
	else if (!strcmp(name, "freelists"))
		view_freelists(mm, &o);
	else if (!strcmp(name, "zonelists"))
		view_zonelists(mm, &o);
	else if (!strcmp(name, "slabinfo"))
		o.n = mm_slabinfo(mm, buf, len);
	else if (!strcmp(name, "vmallocinfo"))
		o.n = mm_vmallocinfo(mm, buf, len);
	else if (!mm->ops->view(mm, name, &o))
		mm_fail(mm, MM_EINVAL, "view '%s': unknown (known: %s)", name, mm->ops->views_known);
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

long mm_check_list(pg_data_t *pgdat, const struct page_list *l, char *err, size_t errlen, const char *what)
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
		/* The era's lists per order (one, or one per migrate type,
		 * each head keeping its list's type in ->index). */
		int nlists = mm->ops->nr_free_lists;
		long n = 0;
		for (int mt = 0; mt < nlists; mt++) {
			const struct page_list *l = &area->free_lists[mt];
			long m = mm_check_list(pgdat, l, err, errlen, what);
			if (m < 0)
				return -1;
			n += m;
			for (uint32_t i = l->first; i != PAGE_NIL; i = pgdat->node_mem_map[i].lru_next) {
				struct page *p = &pgdat->node_mem_map[i];
				if (nlists > 1 && p->index != (uint32_t)mt)
					return mmsim_errf(err, errlen, "%s: pfn %llu on the type %d list says type %u", what,
							  (unsigned long long)(pgdat->node_start_pfn + i), mt, p->index);
				unsigned long idx = (unsigned long)(p - z->zone_mem_map);
				unsigned long long pfn = pgdat->node_start_pfn + i;
				if (p < z->zone_mem_map || idx >= z->spanned_pages || zone_of_page(mm, p) != z)
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
	if (mm->ops->check_zone(mm, z, &on_pcp, err, errlen))
		return -1;
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
	return mm->ops->kernel->check(mm, err, errlen);
}

void mm_check_or_panic(struct mm *mm, const char *where)
{
	char err[256];
	if (mm_check(mm, err, sizeof err))
		mmsim_panic("invariant broken after %s: %s", where, err);
}
