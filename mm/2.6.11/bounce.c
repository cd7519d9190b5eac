/*
 * DMA transfers and bounce buffers (Linux 2.6.11 mm/highmem.c: the bounce
 * half, blk_queue_bounce with init_emergency_isa_pool, bounce_copy_vec,
 * bounce_end_io; mm/bounce.c since 2.6.15, the name this file keeps so
 * that DMA reads apart from kmap).
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
 * The pools are mempools (mm/mempool.c), created when a device that needs
 * one is set up (mm_dma_setup), never at the time of a transfer:
 * isa_page_pool, ISA_POOL_SIZE pages of ZONE_DMA for devices limited to
 * 16 MiB, and page_pool, POOL_SIZE pages below the limit for the others.
 * A segment's bounce page comes from mempool_alloc(GFP_NOIO): the zone
 * first, the reserve when the zone has no frame to give, and when both are
 * empty the submitter sleeps on the pool's queue until a completion's
 * mempool_free returns a page. A synchronous transfer (mm_dma_transfer,
 * t:dma) takes and returns its pages within the operation; an asynchronous
 * one (mm_dma_submit with async, t:dma{async = true}) holds them until its
 * completion interrupt, device-time later: many of those at once on an ISA
 * device exhaust the 16 pages, and the next submitter waits in simulated
 * time for an I/O to complete. A submitter that may not sleep (no
 * __GFP_WAIT) fails instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/dma.h"
#include "mm/bounce.h"
#include "mm/highmem.h"
#include "mm/2.6.11/internal.h"

#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)

enum { POOL_NONE, POOL_ISA, POOL_NORMAL, NR_POOLS };

static const char *const pool_names[NR_POOLS] = { "", "isa_page_pool", "page_pool" };

struct dma_state {
	mempool_t *pool[NR_POOLS];
	uint8_t dev_pool[HW_DMA_MAX_DEVICES];
	struct mm_dma_stats st;
	struct stats_registry *reg;   /* where the pools' counters go (once registered) */
	int ev_dma, ev_wait;
};

static struct dma_state *dma_state(struct mm *mm)
{
	if (!mm->dma) {
		mm->dma = mmsim_xcalloc(1, sizeof *mm->dma);
		mm->dma->ev_dma = mm->trace ? trace_event_id(mm->trace, "dma") : -1;
		mm->dma->ev_wait = mm->trace ? trace_event_id(mm->trace, "dma_pool_wait") : -1;
	}
	return mm->dma;
}

void bounce_destroy(struct mm *mm)
{
	if (mm->dma)
		for (int k = 0; k < NR_POOLS; k++)
			mempool_destroy(mm->dma->pool[k]);
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

static void register_pool(struct dma_state *ds, int kind)
{
	char prefix[64];
	snprintf(prefix, sizeof prefix, "mm.dma.%s", pool_names[kind]);
	mempool_register_stats(ds->pool[kind], ds->reg, prefix);
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
	mempool_t *bp = ds->pool[kind];
	if (bp) {
		if (mempool_limit(bp) <= limit)
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
	if (kind == POOL_ISA)          /* init_emergency_isa_pool */
		bp = mempool_create(mm, pool_names[kind], ISA_POOL_SIZE, __GFP_DMA, 16 * MiB);
	else                           /* init_emergency_pool */
		bp = mempool_create(mm, pool_names[kind], POOL_SIZE,
				    mm->arch == HW_ARCH_X86_64 && limit <= 4 * GiB ? __GFP_DMA32 : 0,
				    limit);
	if (outside) {
		s->cur.cpu = saved_cpu;
		s->cur.charged = saved_charged;
	}
	if (!bp) {
		ds->dev_pool[dev] = POOL_NONE;
		return mm_fail(mm, MM_ENOMEM, "dma: cannot reserve a bounce pool of %d pages below "
			       "0x%llx", kind == POOL_ISA ? ISA_POOL_SIZE : POOL_SIZE,
			       (unsigned long long)limit);
	}
	ds->pool[kind] = bp;
	ds->st.pool_pages += (uint64_t)mempool_min_nr(bp);
	if (ds->reg)
		register_pool(ds, kind);
	return 0;
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

/* Copy [pa, pa + len) of the buffer (page is the frame holding it) to or
 * from bounce address bpa: bounce_copy_vec, with a HighMem frame mapped in
 * KM_BOUNCE_READ around the copy. If that window is taken (a task holds it
 * across operations) the copy goes on unmapped: the cost is the same. */
static void bounce_copy(struct mm *mm, struct page *page, uint64_t pa, uint64_t bpa,
			uint64_t len, bool to_bounce)
{
	cycle_t t0 = sim_now(mm->sim);
	bool high = PageHighMem(page);
	bool mapped = high && kmap_atomic(mm, page, KM_BOUNCE_READ) != 0;
	if (to_bounce)
		copy_lines(mm, bpa, pa, len);
	else
		copy_lines(mm, pa, bpa, len);
	if (mapped)
		kunmap_atomic(mm, KM_BOUNCE_READ);
	mm->dma->st.copy_cycles += sim_now(mm->sim) - t0;
	mm->dma->st.copy_bytes += len;
}

/* Segment i of r: its buffer address and length. */
static void segment(const struct mm_dma_req *r, int i, uint64_t *pa, uint64_t *len)
{
	uint64_t first = r->pa, end = r->pa + r->len;
	uint64_t lo = i == 0 ? first : ((first >> HW_PAGE_SHIFT) + (uint64_t)i) << HW_PAGE_SHIFT;
	uint64_t hi = ((lo >> HW_PAGE_SHIFT) + 1) << HW_PAGE_SHIFT;
	*pa = lo;
	*len = (hi < end ? hi : end) - lo;
}

static uint64_t bounce_addr(const struct mm_dma_req *r, int i, uint64_t pa)
{
	return (r->bpfn[i] << HW_PAGE_SHIFT) + (pa & (HW_PAGE_SIZE - 1));
}

static mempool_t *req_pool(struct mm *mm, const struct mm_dma_req *r)
{
	return mm->dma->pool[mm->dma->dev_pool[r->dev]];
}

static void pool_free(struct mm *mm, mempool_t *pool, uint64_t pfn)
{
	cycle_t t0 = sim_now(mm->sim);
	mempool_free(mm, pfn_to_page(mm, pfn), pool);
	mm->dma->st.pool_cycles += sim_now(mm->sim) - t0;
}

void mm_dma_req_init(struct mm_dma_req *r)
{
	memset(r, 0, sizeof *r);
	sim_waitq_init(&r->done, "dma_done");
}

void mm_dma_req_release(struct mm_dma_req *r)
{
	free(r->bpfn);
	r->bpfn = NULL;
}

static void trace_dma(struct mm *mm, struct mm_dma_req *r)
{
	struct dma_state *ds = mm->dma;
	if (!trace_enabled(mm->trace, ds->ev_dma))
		return;
	trace_begin(mm->trace, ds->ev_dma, r->start, r->cpu, r->task[0] ? r->task : NULL);
	trace_str(mm->trace, "dev", hw_dma_name(mm->hw, r->dev));
	trace_u64(mm->trace, "pfn", r->pfn);
	trace_u64(mm->trace, "offset", r->off);
	trace_u64(mm->trace, "len", r->len);
	trace_str(mm->trace, "dir", dir_name(r->dir));
	trace_bool(mm->trace, "bounced", r->bounced);
	if (r->async)
		trace_bool(mm->trace, "async", true);
	trace_u64(mm->trace, "cycles", r->done_at - r->start);
	trace_end(mm->trace);
}

/* bounce_end_io: the FROM_DEVICE copies, the bounce pages back to the pool. */
static void end_io(struct mm *mm, struct mm_dma_req *r)
{
	if (r->bounced) {
		mempool_t *pool = req_pool(mm, r);
		for (int i = 0; i < r->nseg; i++) {
			uint64_t pa, len;
			segment(r, i, &pa, &len);
			if (r->dir == HW_DMA_FROM_DEVICE)
				bounce_copy(mm, pfn_to_page(mm, pa >> HW_PAGE_SHIFT), pa,
					    bounce_addr(r, i, pa), len, false);
			pool_free(mm, pool, r->bpfn[i]);
		}
		r->got = 0;
		mm->dma->st.bounced++;
	}
	mm->dma->st.transfers++;
	mm->dma->st.bytes += r->len;
	r->state = MM_DMA_REQ_DONE;
	r->done_at = sim_now(mm->sim);
	trace_dma(mm, r);
}

/* The completion interrupt of an async transfer, on the submitter's CPU. */
static void dma_complete(struct sim *s, struct sim_event *ev)
{
	struct mm_dma_req *r = ev_container_of(ev, struct mm_dma_req, ev);
	struct mm *mm = r->mm;
	bool saved_irq = mm->in_interrupt;
	mm->cpu = r->cpu;
	mm->in_interrupt = true;
	end_io(mm, r);
	mm->in_interrupt = saved_irq;
	mm->dma->st.async++;
	mm->dma->st.in_flight--;
	sim_wake_up(s, &r->done, 0);
}

/* The device's part: every segment (or the whole buffer) through
 * hw_dma_transfer; its cycles summed. */
static cycle_t device_time(struct mm *mm, struct mm_dma_req *r)
{
	cycle_t total = 0, c;
	if (!r->bounced) {
		int rc = hw_dma_transfer(mm->hw, r->dev, r->pa, r->len, r->dir, &c);
		MMSIM_ASSERT(rc == 0);
		return c;
	}
	for (int i = 0; i < r->nseg; i++) {
		uint64_t pa, len;
		segment(r, i, &pa, &len);
		int rc = hw_dma_transfer(mm->hw, r->dev, bounce_addr(r, i, pa), len, r->dir, &c);
		MMSIM_ASSERT(rc == 0);
		total += c;
		mm->dma->st.bounce_pages++;
	}
	return total;
}

int mm_dma_submit(struct mm *mm, struct mm_dma_req *r, int dev, struct page *page, uint64_t off,
		  uint64_t len, int dir, gfp_t gfp, bool async)
{
	int rc = mm_enter(mm);
	if (rc)
		return rc;
	int cpu = mm->cpu;
	if (r->state == MM_DMA_REQ_IN_FLIGHT)
		return mm_fail(mm, MM_EINVAL, "dma: the request is in flight already");
	struct dma_state *ds = dma_state(mm);
	if (r->state == MM_DMA_REQ_NEW || r->state == MM_DMA_REQ_DONE) {
		if (!mm->hw || dev < 0 || dev >= hw_dma_count(mm->hw))
			return mm_fail(mm, MM_EINVAL, "dma: no device %d", dev);
		if (dir != HW_DMA_TO_DEVICE && dir != HW_DMA_FROM_DEVICE)
			return mm_fail(mm, MM_EINVAL, "dma: bad direction %d", dir);
		free(r->bpfn);
		r->bpfn = NULL;
		r->mm = mm;
		r->dev = dev;
		r->dir = dir;
		r->cpu = cpu;
		r->gfp = gfp;
		r->async = async;
		r->pfn = page_to_pfn(mm, page);
		r->off = off;
		r->pa = (r->pfn << HW_PAGE_SHIFT) + off;
		r->len = len;
		r->got = 0;
		r->start = sim_now(mm->sim);
		struct sim_task *t = sim_cur_task(mm->sim);
		snprintf(r->task, sizeof r->task, "%s", t ? t->name : "");
		uint64_t limit = hw_dma_limit(mm->hw, dev);
		r->bounced = r->pa + len > limit;
		if (r->bounced && !mm->policy.dma_bounce) {
			ds->st.refused++;
			hw_dma_transfer(mm->hw, dev, r->pa, len, dir, NULL);   /* counted as a refusal */
			return mm_fail(mm, MM_EDMAMASK, "dma: device %s reaches only below 0x%llx; the "
				       "buffer [0x%llx, 0x%llx) is beyond it (dma_bounce=off)",
				       hw_dma_name(mm->hw, dev), (unsigned long long)limit,
				       (unsigned long long)r->pa, (unsigned long long)(r->pa + len));
		}
		if (r->bounced && ds->dev_pool[dev] == POOL_NONE)
			return mm_fail(mm, MM_EINVAL, "dma: device %s has no bounce pool (set it up "
				       "with mm_dma_setup)", hw_dma_name(mm->hw, dev));
		if (r->bounced && PageHighMem(page) && kmap_atomic_pfn(mm, cpu, KM_BOUNCE_READ) >= 0)
			/* bounce_copy_vec would take the window the caller holds */
			return mm_fail(mm, MM_EINVAL, "dma: cpu %d's KM_BOUNCE_READ window is in use (it "
				       "maps pfn %lld); the bounce copy needs it",
				       cpu, (long long)kmap_atomic_pfn(mm, cpu, KM_BOUNCE_READ));
		r->nseg = (int)(((r->pa + len - 1) >> HW_PAGE_SHIFT) - (r->pa >> HW_PAGE_SHIFT) + 1);
		if (r->bounced)
			r->bpfn = mmsim_xcalloc((size_t)r->nseg, sizeof *r->bpfn);
		r->state = MM_DMA_REQ_BOUNCING;
	}
	/* __blk_queue_bounce: a page per segment, filled at once for a write. */
	if (r->bounced) {
		mempool_t *pool = req_pool(mm, r);
		while (r->got < r->nseg) {
			cycle_t t0 = sim_now(mm->sim);
			struct page *bp = mempool_alloc(mm, pool, r->gfp);
			ds->st.pool_cycles += sim_now(mm->sim) - t0;
			if (!bp) {
				int code = mm->errcode;
				char msg[sizeof mm->err];
				snprintf(msg, sizeof msg, "%s", mm->err);
				if (code == MM_EAGAIN) {
					ds->st.pool_waits++;
					if (trace_enabled(mm->trace, ds->ev_wait)) {
						trace_begin(mm->trace, ds->ev_wait, sim_now(mm->sim), cpu,
							    r->task[0] ? r->task : NULL);
						trace_str(mm->trace, "pool", mempool_name(pool));
						trace_str(mm->trace, "dev", hw_dma_name(mm->hw, r->dev));
						trace_u64(mm->trace, "pfn", r->pfn);
						trace_i64(mm->trace, "segment", r->got);
						trace_end(mm->trace);
					}
				} else {
					ds->st.pool_failed++;
					while (r->got > 0)
						pool_free(mm, pool, r->bpfn[--r->got]);
					r->state = MM_DMA_REQ_NEW;
				}
				return mm_fail(mm, code, "%s", msg);
			}
			r->bpfn[r->got] = page_to_pfn(mm, bp);
			if (r->dir == HW_DMA_TO_DEVICE) {
				uint64_t pa, len2;
				segment(r, r->got, &pa, &len2);
				bounce_copy(mm, pfn_to_page(mm, pa >> HW_PAGE_SHIFT), pa,
					    bounce_addr(r, r->got, pa), len2, true);
			}
			r->got++;
		}
	}
	r->device_cycles = device_time(mm, r);
	if (!async) {
		sim_charge(mm->sim, r->device_cycles);
		end_io(mm, r);
		return 0;
	}
	r->state = MM_DMA_REQ_IN_FLIGHT;
	ds->st.in_flight++;
	sim_event_init(&r->ev, dma_complete, SIM_PRIO_HW, cpu);
	sim_schedule(mm->sim, &r->ev, sim_now(mm->sim) + r->device_cycles);
	return 0;
}

int mm_dma_transfer(struct mm *mm, int dev, struct page *page, uint64_t off, uint64_t len,
		    int dir, bool *bounced)
{
	if (bounced)
		*bounced = false;
	struct mm_dma_req r;
	mm_dma_req_init(&r);
	int rc = mm_dma_submit(mm, &r, dev, page, off, len, dir, GFP_NOIO, false);
	if (rc == -MM_EAGAIN) {
		/* Nothing may stay half done here: give the pages back. */
		char msg[sizeof mm->err];
		snprintf(msg, sizeof msg, "%s", mm->err);
		mempool_t *pool = req_pool(mm, &r);
		while (r.got > 0)
			pool_free(mm, pool, r.bpfn[--r.got]);
		mm_fail(mm, MM_EAGAIN, "%s", msg);
	}
	if (!rc && bounced)
		*bounced = r.bounced;
	mm_dma_req_release(&r);
	return rc;
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
		D(pool_waits, "submissions that found the bounce pool empty and waited"),
		D(pool_failed, "submissions that found it empty and could not wait"),
		D(pool_cycles, "cycles spent in mempool_alloc and mempool_free"),
		D(async, "transfers completed by an interrupt (async)"),
		D(in_flight, "async transfers submitted and not yet completed"),
#undef D
	};
	for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
		char name[64];
		snprintf(name, sizeof name, "mm.dma.%s", defs[i].name);
		stats_add_counter(reg, name, defs[i].desc,
				  (const uint64_t *)((const char *)&ds->st + defs[i].off));
	}
	ds->reg = reg;
	for (int k = POOL_ISA; k < NR_POOLS; k++)
		if (ds->pool[k])
			register_pool(ds, k);
}

struct sim_waitq *mm_dma_pool_wait(struct mm *mm, int dev)
{
	struct dma_state *ds = mm->dma;
	if (!ds || dev < 0 || dev >= HW_DMA_MAX_DEVICES || !ds->pool[ds->dev_pool[dev]])
		return NULL;
	return mempool_wait(ds->pool[ds->dev_pool[dev]]);
}

int mm_dma_pool_curr_nr(const struct mm *mm, int dev)
{
	const struct dma_state *ds = mm->dma;
	if (!ds || dev < 0 || dev >= HW_DMA_MAX_DEVICES || !ds->pool[ds->dev_pool[dev]])
		return -1;
	return mempool_curr_nr(ds->pool[ds->dev_pool[dev]]);
}

int mm_dma_pool_min_nr(const struct mm *mm, int dev)
{
	const struct dma_state *ds = mm->dma;
	if (!ds || dev < 0 || dev >= HW_DMA_MAX_DEVICES || !ds->pool[ds->dev_pool[dev]])
		return -1;
	return mempool_min_nr(ds->pool[ds->dev_pool[dev]]);
}
