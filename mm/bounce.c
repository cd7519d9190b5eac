/*
 * DMA transfers and bounce buffers (Linux 2.6.11 mm/highmem.c: the bounce
 * half, blk_queue_bounce with init_emergency_isa_pool, bounce_copy_vec,
 * bounce_end_io; mm/bounce.c since 2.6.15).
 *
 * A transfer goes straight to the device (hw_dma_transfer) when the whole
 * buffer lies below the device's limit. Otherwise, with dma_bounce=on, each
 * page-sized segment of it is moved through a page of the device's bounce
 * pool, as the block layer bounces each bio_vec: for TO_DEVICE the data is
 * copied into the bounce page first; for FROM_DEVICE it is copied out after
 * the device wrote it. The copy is a memcpy through the CPU's caches: a
 * read of every source line and a write of every destination line, charged
 * through the cost model; a HighMem source or destination is mapped with
 * kmap_atomic(KM_BOUNCE_READ) around the copy, as bounce_copy_vec does.
 * With dma_bounce=off the transfer is refused and counted.
 *
 * The pools are reserved when a device that needs one is set up
 * (mm_dma_setup), never at the time of a transfer: ISA_POOL_SIZE pages of
 * ZONE_DMA for devices limited to 16 MiB, POOL_SIZE below the limit for the
 * others. A transfer takes a pool page per segment and gives it back at
 * once (the operation is synchronous in simulated time), so one page of a
 * pool is enough for any transfer; the pool's size matters for the memory it
 * takes from its zone, which is what a DMA-zone lab sees.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/dma.h"
#include "mm/bounce.h"
#include "mm/highmem.h"
#include "mm/internal.h"

#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)

enum { POOL_NONE, POOL_ISA, POOL_NORMAL, NR_POOLS };

struct bounce_pool {
	uint64_t limit;             /* every page is below it */
	int n;
	uint64_t pfn[POOL_SIZE];
};

struct dma_state {
	struct bounce_pool pool[NR_POOLS];
	uint8_t dev_pool[HW_DMA_MAX_DEVICES];
	struct mm_dma_stats st;
	int ev_dma;
};

static struct dma_state *dma_state(struct mm *mm)
{
	if (!mm->dma) {
		mm->dma = mmsim_xcalloc(1, sizeof *mm->dma);
		mm->dma->ev_dma = mm->trace ? trace_event_id(mm->trace, "dma") : -1;
	}
	return mm->dma;
}

void bounce_destroy(struct mm *mm)
{
	free(mm->dma);
	mm->dma = NULL;
}

static uint64_t mem_end(const struct mm *mm)
{
	uint64_t end = 0;
	for (int nid = 0; nid < mm->nr_nodes; nid++) {
		const pg_data_t *p = mm->node_data[nid];
		uint64_t e = (p->node_start_pfn + p->node_spanned_pages) << HW_PAGE_SHIFT;
		if (e > end)
			end = e;
	}
	return end;
}

/* Fill pool kind with n pages of gfp, all below limit. */
static int fill_pool(struct mm *mm, struct bounce_pool *bp, gfp_t gfp, int n, uint64_t limit)
{
	bp->limit = limit;
	for (int i = 0; i < n; i++) {
		struct page *p = alloc_pages(mm, gfp, 0);
		uint64_t pfn = p ? page_to_pfn(mm, p) : 0;
		if (!p || ((pfn + 1) << HW_PAGE_SHIFT) > limit) {
			if (p)
				__free_pages(mm, p, 0);
			while (bp->n > 0)
				__free_pages(mm, pfn_to_page(mm, bp->pfn[--bp->n]), 0);
			return mm_fail(mm, MM_ENOMEM, "dma: cannot reserve a bounce pool of %d pages "
				       "below 0x%llx", n, (unsigned long long)limit);
		}
		bp->pfn[bp->n++] = pfn;
	}
	mm->dma->st.pool_pages += (uint64_t)n;
	return 0;
}

int mm_dma_setup(struct mm *mm, int dev)
{
	if (!mm->hw || dev < 0 || dev >= hw_dma_count(mm->hw))
		return mm_fail(mm, MM_EINVAL, "dma: no device %d", dev);
	struct dma_state *ds = dma_state(mm);
	uint64_t limit = hw_dma_limit(mm->hw, dev);
	if (limit >= mem_end(mm))
		return 0;                 /* it reaches everything: no pool */
	int kind = limit <= 16 * MiB ? POOL_ISA : POOL_NORMAL;
	ds->dev_pool[dev] = (uint8_t)kind;
	struct bounce_pool *bp = &ds->pool[kind];
	if (bp->n) {
		if (bp->limit <= limit)
			return 0;         /* shared with an earlier device */
		ds->dev_pool[dev] = POOL_NONE;
		return mm_fail(mm, MM_EINVAL, "dma: device %s reaches below 0x%llx only, lower than "
			       "the bounce pool already reserved", hw_dma_name(mm->hw, dev),
			       (unsigned long long)limit);
	}
	/* Outside a task: CPU 0, no simulated time (as boot). */
	struct sim *s = mm->sim;
	int saved_cpu = s->cur.cpu;
	cycle_t saved_charged = s->cur.charged;
	bool outside = saved_cpu < 0;
	if (outside)
		s->cur.cpu = 0;
	mm->cpu = s->cur.cpu;
	int rc;
	if (kind == POOL_ISA)
		rc = fill_pool(mm, bp, GFP_KERNEL | __GFP_DMA, ISA_POOL_SIZE, 16 * MiB);
	else
		rc = fill_pool(mm, bp, mm->arch == HW_ARCH_X86_64 && limit <= 4 * GiB ?
				  GFP_KERNEL | __GFP_DMA32 : GFP_KERNEL, POOL_SIZE, limit);
	if (outside) {
		s->cur.cpu = saved_cpu;
		s->cur.charged = saved_charged;
	}
	if (rc)
		ds->dev_pool[dev] = POOL_NONE;
	return rc;
}

/* memcpy of len bytes between two physical addresses, line by line. */
static void copy_lines(struct mm *mm, uint64_t dst, uint64_t src, uint64_t len)
{
	for (uint64_t o = 0; o < len; o += 64) {
		unsigned n = (unsigned)(len - o < 64 ? len - o : 64);
		mm_touch(mm, src + o, n, 0);
		mm_touch(mm, dst + o, n, 1);
	}
}

static const char *dir_name(int dir)
{
	return dir == HW_DMA_TO_DEVICE ? "to_device" : "from_device";
}

/* One bounced segment: [pa, pa + len) of the buffer through pool page bpfn. */
static int bounce_segment(struct mm *mm, int dev, struct page *page, uint64_t pa, uint64_t len,
			  int dir, uint64_t bpfn)
{
	struct dma_state *ds = mm->dma;
	uint64_t bpa = (bpfn << HW_PAGE_SHIFT) + (pa & (HW_PAGE_SIZE - 1));
	bool high = PageHighMem(page);
	cycle_t c = 0;
	if (dir == HW_DMA_TO_DEVICE) {
		cycle_t t0 = sim_now(mm->sim);
		if (high && !kmap_atomic(mm, page, KM_BOUNCE_READ))
			return -mm->errcode;
		copy_lines(mm, bpa, pa, len);
		if (high)
			kunmap_atomic(mm, KM_BOUNCE_READ);
		ds->st.copy_cycles += sim_now(mm->sim) - t0;
	}
	int rc = hw_dma_transfer(mm->hw, dev, bpa, len, dir, &c);
	MMSIM_ASSERT(rc == 0);
	sim_charge(mm->sim, c);
	if (dir == HW_DMA_FROM_DEVICE) {
		cycle_t t0 = sim_now(mm->sim);
		if (high && !kmap_atomic(mm, page, KM_BOUNCE_READ))
			return -mm->errcode;
		copy_lines(mm, pa, bpa, len);
		if (high)
			kunmap_atomic(mm, KM_BOUNCE_READ);
		ds->st.copy_cycles += sim_now(mm->sim) - t0;
	}
	ds->st.copy_bytes += len;
	ds->st.bounce_pages++;
	return 0;
}

int mm_dma_transfer(struct mm *mm, int dev, struct page *page, uint64_t off, uint64_t len,
		    int dir, bool *bounced)
{
	if (bounced)
		*bounced = false;
	int cpu = sim_cur_cpu(mm->sim);
	mm->errcode = 0;
	if (cpu < 0 || cpu >= mm->ncpus)
		return mm_fail(mm, MM_ENOCPU, "no current CPU (call from a task, or mm_set_cpu first)");
	mm->cpu = cpu;
	if (!mm->hw || dev < 0 || dev >= hw_dma_count(mm->hw))
		return mm_fail(mm, MM_EINVAL, "dma: no device %d", dev);
	if (dir != HW_DMA_TO_DEVICE && dir != HW_DMA_FROM_DEVICE)
		return mm_fail(mm, MM_EINVAL, "dma: bad direction %d", dir);
	struct dma_state *ds = dma_state(mm);
	cycle_t start = sim_now(mm->sim);
	uint64_t pfn = page_to_pfn(mm, page);
	uint64_t pa = (pfn << HW_PAGE_SHIFT) + off;
	uint64_t limit = hw_dma_limit(mm->hw, dev);
	bool bounce = pa + len > limit;
	if (bounce && !mm->policy.dma_bounce) {
		ds->st.refused++;
		hw_dma_transfer(mm->hw, dev, pa, len, dir, NULL);   /* counted as a refusal */
		return mm_fail(mm, MM_EDMAMASK, "dma: device %s reaches only below 0x%llx; the buffer "
			       "[0x%llx, 0x%llx) is beyond it (dma_bounce=off)",
			       hw_dma_name(mm->hw, dev), (unsigned long long)limit,
			       (unsigned long long)pa, (unsigned long long)(pa + len));
	}
	if (!bounce) {
		cycle_t c = 0;
		int rc = hw_dma_transfer(mm->hw, dev, pa, len, dir, &c);
		MMSIM_ASSERT(rc == 0);
		sim_charge(mm->sim, c);
	} else {
		struct bounce_pool *bp = &ds->pool[ds->dev_pool[dev]];
		if (ds->dev_pool[dev] == POOL_NONE || !bp->n)
			return mm_fail(mm, MM_EINVAL, "dma: device %s has no bounce pool (set it up "
				       "with mm_dma_setup)", hw_dma_name(mm->hw, dev));
		/* Page by page, as bio_vecs are bounced; the pool page is taken
		 * and given back within the operation. */
		for (uint64_t done = 0; done < len;) {
			uint64_t in = (pa + done) & (HW_PAGE_SIZE - 1);
			uint64_t seg = HW_PAGE_SIZE - in < len - done ? HW_PAGE_SIZE - in : len - done;
			struct page *sp = pfn_to_page(mm, (pa + done) >> HW_PAGE_SHIFT);
			int rc = bounce_segment(mm, dev, sp, pa + done, seg, dir, bp->pfn[bp->n - 1]);
			if (rc)
				return rc;
			done += seg;
		}
		ds->st.bounced++;
		if (bounced)
			*bounced = true;
	}
	ds->st.transfers++;
	ds->st.bytes += len;
	if (trace_enabled(mm->trace, ds->ev_dma)) {
		struct sim_task *t = sim_cur_task(mm->sim);
		trace_begin(mm->trace, ds->ev_dma, start, mm->cpu, t ? t->name : NULL);
		trace_str(mm->trace, "dev", hw_dma_name(mm->hw, dev));
		trace_u64(mm->trace, "pfn", pfn);
		trace_u64(mm->trace, "offset", off);
		trace_u64(mm->trace, "len", len);
		trace_str(mm->trace, "dir", dir_name(dir));
		trace_bool(mm->trace, "bounced", bounce);
		trace_u64(mm->trace, "cycles", sim_now(mm->sim) - start);
		trace_end(mm->trace);
	}
	return 0;
}

const struct mm_dma_stats *mm_dma_stats(const struct mm *mm)
{
	static const struct mm_dma_stats none;
	return mm->dma ? &mm->dma->st : &none;
}

void mm_dma_register_stats(struct mm *mm, struct stats_registry *reg)
{
	struct dma_state *ds = dma_state(mm);
	static const struct { const char *name, *desc; size_t off; } defs[] = {
#define D(f, d) { #f, d, offsetof(struct mm_dma_stats, f) }
		D(transfers, "DMA transfers from tasks"),
		D(bytes, "bytes transferred"),
		D(bounced, "transfers bounced: the buffer was beyond the device's mask"),
		D(bounce_pages, "bounce pages used (one per page segment)"),
		D(copy_bytes, "bytes copied to or from bounce pages"),
		D(copy_cycles, "cycles spent copying to or from bounce pages"),
		D(refused, "transfers refused: beyond the mask with dma_bounce=off"),
		D(pool_pages, "pages reserved in bounce pools"),
#undef D
	};
	for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
		char name[64];
		snprintf(name, sizeof name, "mm.dma.%s", defs[i].name);
		stats_add_counter(reg, name, defs[i].desc,
				  (const uint64_t *)((const char *)&ds->st + defs[i].off));
	}
}
