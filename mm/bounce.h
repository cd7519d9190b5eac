/*
 * DMA for devices with an address mask, and bounce buffers (mm/2.6.11/bounce.c):
 * the public API.
 *
 * A device (hw/dma.h) reaches physical memory below its limit only (ISA:
 * 16 MiB). When a driver hands it a buffer beyond that, Linux 2.6.11's block
 * layer (blk_queue_bounce, in mm/highmem.c; mm/bounce.c since 2.6.15)
 * copies the data through a bounce page the device can reach, taken from a
 * pool reserved for that purpose: 16 ZONE_DMA pages for ISA devices
 * (isa_page_pool, ISA_POOL_SIZE), 64 lowmem pages otherwise (page_pool,
 * POOL_SIZE), both mempools (mm/mempool.h). The policy knob dma_bounce picks that behaviour (on) or a
 * refusal (off: the driver gets an error, as with a DMA API mapping that
 * fails).
 */
#ifndef MMSIM_MM_BOUNCE_H
#define MMSIM_MM_BOUNCE_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/mm.h"
#include "mm/mempool.h"

/* Returned (negated) when the buffer is beyond the device's mask and
 * dma_bounce is off. */
#define MM_EDMAMASK 6

#define ISA_POOL_SIZE 16
#define POOL_SIZE     64

/*
 * Prepare device dev (already attached with hw_dma_attach to the hw given
 * to mm_set_hw) for transfers: if it cannot reach all of memory, reserve
 * its bounce pool now (as blk_queue_bounce_limit does when a driver sets
 * the queue's limit): ISA_POOL_SIZE pages of GFP_DMA for a limit at or
 * below 16 MiB, else POOL_SIZE of GFP_KERNEL (or GFP_DMA32 on x86_64) below
 * the limit. Devices with the same kind of pool share it. Outside a task
 * it runs on CPU 0 at no simulated cost. Returns 0, or -MM_ENOMEM (the
 * pool could not be filled; what was taken is given back), -MM_EINVAL.
 */
int mm_dma_setup(struct mm *mm, int dev);

/*
 * Transfer len bytes at byte offset off of the block at page, in direction
 * dir (HW_DMA_TO_DEVICE: the device reads memory; HW_DMA_FROM_DEVICE: it
 * writes), on the current CPU, synchronously: the CPU is charged the
 * device's time and, when it bounces, the copy (through
 * kmap_atomic(KM_BOUNCE_READ) for a HighMem page) before a TO_DEVICE
 * transfer or after a FROM_DEVICE one, page by page, each bounce page from
 * the device's mempool (GFP_NOIO). *bounced (may be NULL) says whether it
 * bounced. Returns 0, or -MM_EAGAIN (the pool is empty: other transfers in
 * flight hold its pages; nothing was done, wait on mm_dma_pool_wait and
 * call again), -MM_EDMAMASK (dma_bounce=off), -MM_EINVAL (bad device,
 * range, a pool missing), -MM_ENOCPU.
 */
int mm_dma_transfer(struct mm *mm, int dev, struct page *page, uint64_t off, uint64_t len,
		    int dir, bool *bounced);

/*
 * A transfer as the block layer submits it (2.6.11 __blk_queue_bounce,
 * submit_bio, bounce_end_io): the caller owns the request, which lives
 * until it is done.
 */
enum { MM_DMA_REQ_NEW, MM_DMA_REQ_BOUNCING, MM_DMA_REQ_IN_FLIGHT, MM_DMA_REQ_DONE };
struct mm_dma_req {
	int state;
	bool bounced;             /* set once it is submitted */
	cycle_t start;            /* cycle of the first mm_dma_submit */
	cycle_t done_at;          /* cycle it completed */
	struct sim_waitq done;    /* woken at completion (async) */
	/* Private to bounce.c. */
	struct mm *mm;
	int dev, dir, cpu, nseg, got;
	uint64_t pfn, off, pa, len;
	gfp_t gfp;
	bool async;
	uint64_t *bpfn;           /* [nseg] bounce page of each segment */
	cycle_t device_cycles;
	struct sim_event ev;      /* the completion interrupt */
	char task[32];
};

/* A fresh request (state NEW; its `done` queue initialised). Do not move
 * it afterwards. */
void mm_dma_req_init(struct mm_dma_req *r);
/* Free its host memory (one in flight must complete first, or the
 * simulation be over). */
void mm_dma_req_release(struct mm_dma_req *r);

/*
 * Submit r: the first call sets it up from the arguments; a call after
 * -MM_EAGAIN goes on where it stopped (the arguments are ignored). A
 * buffer beyond the device's mask gets a bounce page per page segment from
 * the device's mempool with gfp (GFP_NOIO in the kernel), each filled at
 * once for TO_DEVICE (copied on this CPU, charged); the pages taken are
 * kept across waits, as __blk_queue_bounce keeps them. Then:
 *   async false: the device time is charged to this CPU, the FROM_DEVICE
 *                copy made and the bounce pages freed now (r DONE);
 *   async true:  the device works on its own; its completion interrupt on
 *                this CPU, device-time later, copies FROM_DEVICE data back
 *                (stolen from the CPU), frees the bounce pages with
 *                mempool_free (waking the pool's waiters), marks r DONE and
 *                wakes r->done (r IN_FLIGHT until then).
 * Returns 0; -MM_EAGAIN: the pool is empty and gfp may sleep: wait on
 * mm_dma_pool_wait(mm, dev), then call again; -MM_ENOMEM: it is empty and
 * gfp may not sleep (the pages taken are given back, r is NEW again);
 * -MM_EDMAMASK, -MM_EINVAL, -MM_ENOCPU as mm_dma_transfer.
 */
int mm_dma_submit(struct mm *mm, struct mm_dma_req *r, int dev, struct page *page, uint64_t off,
		  uint64_t len, int dir, gfp_t gfp, bool async);

/* The wait queue of dev's bounce pool, or NULL if it has none. */
struct sim_waitq *mm_dma_pool_wait(struct mm *mm, int dev);
/* Its reserved pages present now and its min_nr (-1 without a pool). */
int mm_dma_pool_curr_nr(const struct mm *mm, int dev);
int mm_dma_pool_min_nr(const struct mm *mm, int dev);

struct mm_dma_stats {
	uint64_t transfers;       /* mm_dma_transfer calls that moved data */
	uint64_t bytes;
	uint64_t bounced;         /* of which through bounce pages */
	uint64_t bounce_pages;    /* bounce pages used (one per page segment) */
	uint64_t copy_bytes;      /* bytes copied to or from bounce pages */
	uint64_t copy_cycles;     /* cycles those copies cost */
	uint64_t refused;         /* beyond the mask with dma_bounce=off */
	uint64_t pool_pages;      /* pages reserved in bounce pools */
	uint64_t pool_waits;      /* submissions that found the pool empty and waited */
	uint64_t pool_failed;     /* ... and could not wait (no __GFP_WAIT) */
	uint64_t pool_cycles;     /* cycles in mempool_alloc and mempool_free */
	uint64_t async;           /* transfers completed by an interrupt */
	uint64_t in_flight;       /* async transfers submitted, not yet completed */
};
const struct mm_dma_stats *mm_dma_stats(const struct mm *mm);
/* Register them in reg as mm.dma.<name> (once, when the first device is
 * set up: runs without devices do not list them). */
void mm_dma_register_stats(struct mm *mm, struct stats_registry *reg);

#endif
