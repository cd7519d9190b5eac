/*
 * An imported machine as it was when it was captured (mmsim's own; the
 * kernel has no counterpart: it never starts from someone else's state).
 *
 * hw_import_dir gives the memory manager a real box's zones with their
 * managed counts, and mm_boot frees every managed page. The box itself had
 * already handed some out when its zoneinfo was read (the kernel's slab,
 * page tables, the initramfs in its tmpfs...) and held others on the
 * per-CPU lists. mm_apply_capture rebuilds that, zone by zone, from the
 * same zoneinfo:
 *
 *   in use   managed - "pages free" - the pagesets' "count:" pages are
 *            allocated as unmovable order-0 pages and never freed. They
 *            are taken through the allocator itself, the way 6.1 handed
 *            out its early allocations from a zone boot had just filled:
 *            the first steals the lowest order-10 block (boot frees to
 *            the tail in ascending order, so the lists start with the
 *            lowest blocks) and turns its pageblocks unmovable, the rest
 *            follow inside it. They end up at the zone's low pfns, in a
 *            few unmovable pageblocks, and the buddy lists above keep
 *            their big blocks - what the real boot/ pagetypeinfo shows.
 *   per-CPU  each CPU's "count:" pages are allocated on that CPU as
 *            movable pages and freed again there, so they sit on its
 *            movable list (the real lists' types are not in zoneinfo);
 *            with pcp=off they stay free.
 *   marks    min, low, high (and the pagesets' high and batch) as the
 *            file shows them, instead of recomputed from managed: 6.1
 *            computed its boot values from earlier, smaller counts.
 *   protection  lowmem_reserve as the file shows it.
 *
 * While the pages are taken, the zone's watermarks are set aside (a
 * capture may be below them) and nothing is traced or counted: the
 * vmstat events, NUMA counters and steal count are put back as boot left
 * them, and any watermark boost from the steals is cleared (the capture
 * shows its own).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/machine.h"
#include "mm/internal.h"
#include "sim/sim.h"

/* Our zone of imported zone iz of node nid, NULL for a zone mmsim does not
 * model (Device), which must then be empty. */
static int capture_zone(struct mm *mm, int nid, const struct hw_import_zone *iz, struct zone **out,
			char *err, size_t errlen)
{
	static const char *const names[MAX_NR_ZONES] = { "DMA", "DMA32", "Normal", "HighMem", "Movable" };
	*out = NULL;
	for (int j = 0; j < MAX_NR_ZONES; j++)
		if (!strcmp(iz->name, names[j]))
			*out = &mm->node_data[nid]->node_zones[j];
	if (!*out) {
		if (iz->managed)
			return mmsim_errf(err, errlen, "node %d %s: %llu managed pages in a zone mmsim does not model",
					  nid, iz->name, (unsigned long long)iz->managed);
		return 0;
	}
	if ((*out)->managed_pages != iz->managed)
		return mmsim_errf(err, errlen, "node %d %s: %lu managed pages, the capture says %llu", nid, iz->name,
				  (*out)->managed_pages, (unsigned long long)iz->managed);
	return 0;
}

static uint64_t pcp_total(const struct mm *mm, const struct hw_import_zone *iz)
{
	uint64_t n = 0;
	for (int c = 0; c < mm->ncpus; c++)
		n += iz->pcp_count[c];
	return n;
}

/* Allocate n order-0 pages of gfp's migrate type from zone z alone, on the
 * current CPU; their pfns go to pfns (if not NULL). */
static int take_pages(struct mm *mm, struct zone *z, uint64_t n, gfp_t gfp, uint64_t *pfns, char *err, size_t errlen)
{
	struct zonelist zl;
	zl.zones[0] = z;
	zl.zones[1] = NULL;
	for (uint64_t i = 0; i < n; i++) {
		struct page *page = __alloc_pages(mm, gfp, 0, &zl);
		if (!page)
			return mmsim_errf(err, errlen, "node %d %s: only %llu of %llu pages could be taken (%s)",
					  z->zone_pgdat->node_id, z->name, (unsigned long long)i,
					  (unsigned long long)n, mm_error(mm));
		if (pfns)
			pfns[i] = page_to_pfn(mm, page);
		/* A steal's boost would count against the set-aside marks. */
		z->watermark_boost = 0;
	}
	return 0;
}

struct saved_counters {
	uint64_t vm[NR_VM_EVENT_ITEMS];
	uint64_t nr_extfrag;
};

int mm_apply_capture(struct mm *mm, const struct hw_import *imp, unsigned what, char *err, size_t errlen)
{
	/* A capture is a 6.1 box's state: only an era whose kernel reads it
	 * alike can take it. */
	if (!mm->ops->takes_capture)
		return mmsim_errf(err, errlen, "the capture's state is 6.1's: boot the modern era");
	if (imp->nr_nodes != mm->nr_nodes)
		return mmsim_errf(err, errlen, "the capture has %d nodes, the machine %d", imp->nr_nodes, mm->nr_nodes);
	/* Check everything before changing anything. */
	for (int nid = 0; nid < imp->nr_nodes; nid++)
		for (int i = 0; i < imp->nodes[nid].nr_zones; i++) {
			const struct hw_import_zone *iz = &imp->nodes[nid].zones[i];
			struct zone *z;
			if (capture_zone(mm, nid, iz, &z, err, errlen))
				return -1;
			if (z && (what & MM_CAPTURE_IN_USE) && iz->free + pcp_total(mm, iz) > iz->managed)
				return mmsim_errf(err, errlen, "node %d %s: %llu pages free and %llu on per-CPU lists, "
						  "more than its %llu managed", nid, iz->name,
						  (unsigned long long)iz->free, (unsigned long long)pcp_total(mm, iz),
						  (unsigned long long)iz->managed);
		}

	if (what & MM_CAPTURE_IN_USE) {
		struct saved_counters saved;
		memcpy(saved.vm, mm->vm, sizeof saved.vm);
		saved.nr_extfrag = mm->nr_extfrag;
		struct trace *tr = mm->trace;
		int cur = mm->sim->cur.cpu;
		unsigned pflags = mm->pflags;
		bool rt = mm->rt, intr = mm->in_interrupt;
		mm->trace = NULL;
		mm_set_current(mm, 0, false, false);
		/* The zones' marks aside: a capture may sit below them. */
		unsigned long marks[HW_MAX_NODES][MAX_NR_ZONES][3];
		for (int nid = 0; nid < mm->nr_nodes; nid++)
			for (int j = 0; j < MAX_NR_ZONES; j++) {
				struct zone *z = &mm->node_data[nid]->node_zones[j];
				marks[nid][j][0] = z->pages_min, marks[nid][j][1] = z->pages_low,
				marks[nid][j][2] = z->pages_high;
				z->pages_min = z->pages_low = z->pages_high = 0;
			}
		int rc = 0;
		/* In use: on CPU 0 (its lists are drained below). */
		mm_set_cpu(mm, 0);
		for (int nid = 0; !rc && nid < imp->nr_nodes; nid++)
			for (int i = 0; !rc && i < imp->nodes[nid].nr_zones; i++) {
				const struct hw_import_zone *iz = &imp->nodes[nid].zones[i];
				struct zone *z;
				capture_zone(mm, nid, iz, &z, err, errlen);
				if (z && populated_zone(z))
					rc = take_pages(mm, z, iz->managed - iz->free - pcp_total(mm, iz),
							GFP_KERNEL | __GFP_NOWARN, NULL, err, errlen);
			}
		if (!rc)
			drain_all_pages(mm);
		/* Per-CPU lists: CPU by CPU, every zone's pages taken, the
		 * CPU's lists drained of the refills' leftovers, and the pages
		 * freed back onto them. */
		for (int c = 0; !rc && mm->policy.pcp && c < mm->ncpus; c++) {
			uint64_t n = 0;
			for (int nid = 0; nid < imp->nr_nodes; nid++)
				for (int i = 0; i < imp->nodes[nid].nr_zones; i++)
					n += imp->nodes[nid].zones[i].pcp_count[c];
			if (!n)
				continue;
			uint64_t *pfns = mmsim_xmalloc(n * sizeof *pfns);
			uint64_t k = 0;
			mm_set_cpu(mm, c);
			for (int nid = 0; !rc && nid < imp->nr_nodes; nid++)
				for (int i = 0; !rc && i < imp->nodes[nid].nr_zones; i++) {
					const struct hw_import_zone *iz = &imp->nodes[nid].zones[i];
					struct zone *z;
					capture_zone(mm, nid, iz, &z, err, errlen);
					if (z && iz->pcp_count[c]) {
						rc = take_pages(mm, z, iz->pcp_count[c],
								GFP_KERNEL | __GFP_MOVABLE | __GFP_NOWARN, pfns + k,
								err, errlen);
						k += iz->pcp_count[c];
					}
				}
			if (!rc) {
				drain_local_pages(mm);
				for (uint64_t i = 0; i < k; i++)
					free_pages_pfn(mm, pfns[i], 0);
			}
			free(pfns);
		}
		for (int nid = 0; nid < mm->nr_nodes; nid++)
			for (int j = 0; j < MAX_NR_ZONES; j++) {
				struct zone *z = &mm->node_data[nid]->node_zones[j];
				z->pages_min = marks[nid][j][0], z->pages_low = marks[nid][j][1];
				z->pages_high = marks[nid][j][2];
				z->watermark_boost = 0;
				for (int c = 0; c < mm->ncpus; c++) {
					struct per_cpu_pageset *ps = &z->pageset[c];
					ps->free_factor = 0;
					ps->numa_hit = ps->numa_miss = ps->numa_foreign = 0;
					ps->interleave_hit = ps->local_node = ps->other_node = 0;
				}
			}
		memcpy(mm->vm, saved.vm, sizeof saved.vm);
		mm->nr_extfrag = saved.nr_extfrag;
		mm->trace = tr;
		mm->sim->cur.cpu = cur;
		mm_set_current(mm, pflags, rt, intr);
		if (rc)
			return -1;
		/* What the capture shows, or a page went astray. */
		for (int nid = 0; nid < imp->nr_nodes; nid++)
			for (int i = 0; i < imp->nodes[nid].nr_zones; i++) {
				const struct hw_import_zone *iz = &imp->nodes[nid].zones[i];
				struct zone *z;
				capture_zone(mm, nid, iz, &z, err, errlen);
				if (!z)
					continue;
				/* Without per-CPU lists (pcp=off) their pages stay free. */
				uint64_t want = iz->free + (mm->policy.pcp ? 0 : pcp_total(mm, iz));
				if (z->free_pages != want)
					return mmsim_errf(err, errlen, "node %d %s: %lu pages free after the capture's "
							  "state was rebuilt, not %llu", nid, iz->name, z->free_pages,
							  (unsigned long long)want);
				for (int c = 0; mm->policy.pcp && c < mm->ncpus; c++)
					if ((uint64_t)z->pageset[c].pcp[0].count != iz->pcp_count[c])
						return mmsim_errf(err, errlen, "node %d %s cpu %d: %d pages on the per-CPU "
								  "lists, not %u (above pcp high?)", nid, iz->name, c,
								  z->pageset[c].pcp[0].count, iz->pcp_count[c]);
			}
	}

	for (int nid = 0; nid < imp->nr_nodes; nid++) {
		const struct hw_import_node *in = &imp->nodes[nid];
		for (int i = 0; i < in->nr_zones; i++) {
			const struct hw_import_zone *iz = &in->zones[i];
			struct zone *z;
			capture_zone(mm, nid, iz, &z, err, errlen);
			if (!z)
				continue;
			if (what & MM_CAPTURE_WMARKS) {
				/* zoneinfo's marks include the boost (6.1's *_wmark_pages). */
				unsigned long b = z->watermark_boost;
				z->pages_min = iz->min > b ? iz->min - b : 0;
				z->pages_low = iz->low > b ? iz->low - b : 0;
				z->pages_high = iz->high > b ? iz->high - b : 0;
				for (int c = 0; iz->has_pcp && c < mm->ncpus; c++)
					for (int t = 0; t < 2; t++) {
						z->pageset[c].pcp[t].high = (int)iz->pcp_high;
						z->pageset[c].pcp[t].batch = (int)iz->pcp_batch;
					}
			}
			if (what & MM_CAPTURE_PROTECTION) {
				/* protection[k] is against the node's k-th zone as
				 * zoneinfo lists them (6.1's zone index). */
				for (int k = 0; k < iz->nr_protection && k < in->nr_zones; k++) {
					struct zone *zk;
					capture_zone(mm, nid, &in->zones[k], &zk, err, errlen);
					if (zk)
						z->lowmem_reserve[zone_idx(zk)] = iz->protection[k];
				}
			}
		}
	}
	return 0;
}

int mm_capture_parse(const char *text, unsigned *what, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		unsigned bit;
	} parts[] = { { "in_use", MM_CAPTURE_IN_USE },
		      { "wmarks", MM_CAPTURE_WMARKS },
		      { "protection", MM_CAPTURE_PROTECTION },
		      { "all", MM_CAPTURE_IN_USE | MM_CAPTURE_WMARKS | MM_CAPTURE_PROTECTION } };
	unsigned w = 0;
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, ",");
		bool found = false;
		for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
			if (strlen(parts[i].name) == n && !strncmp(p, parts[i].name, n)) {
				w |= parts[i].bit;
				found = true;
			}
		if (!found)
			return mmsim_errf(err, errlen, "'%.*s' is not part of a capture (accepted: in_use, wmarks, "
					  "protection, all, comma-separated)", (int)n, p);
		p += n;
		if (*p == ',')
			p++;
	}
	if (!w)
		return mmsim_errf(err, errlen, "empty (accepted: in_use, wmarks, protection, all, comma-separated)");
	*what = w;
	return 0;
}
