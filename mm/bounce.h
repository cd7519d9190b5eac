/*
 * DMA for devices with an address mask, and bounce buffers (mm/bounce.c):
 * the public API.
 *
 * A device (hw/dma.h) reaches physical memory below its limit only (ISA:
 * 16 MiB). When a driver hands it a buffer beyond that, Linux 2.6.11's block
 * layer (blk_queue_bounce, in mm/highmem.c; mm/bounce.c since 2.6.15)
 * copies the data through a bounce page the device can reach, taken from a
 * pool reserved for that purpose: 16 ZONE_DMA pages for ISA devices
 * (isa_page_pool, ISA_POOL_SIZE), 64 lowmem pages otherwise (page_pool,
 * POOL_SIZE). The policy knob dma_bounce picks that behaviour (on) or a
 * refusal (off: the driver gets an error, as with a DMA API mapping that
 * fails).
 */
#ifndef MMSIM_MM_BOUNCE_H
#define MMSIM_MM_BOUNCE_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/mm.h"

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
 * writes), on the current CPU, charging the device's time and, when it
 * bounces, the copy (through kmap_atomic(KM_BOUNCE_READ) for a HighMem
 * page) before a TO_DEVICE transfer or after a FROM_DEVICE one, page by
 * page. *bounced (may be NULL) says whether it bounced. Returns 0, or
 * -MM_EDMAMASK (dma_bounce=off), -MM_EINVAL (bad device, range, a pool
 * missing), -MM_ENOCPU.
 */
int mm_dma_transfer(struct mm *mm, int dev, struct page *page, uint64_t off, uint64_t len,
		    int dir, bool *bounced);

struct mm_dma_stats {
	uint64_t transfers;       /* mm_dma_transfer calls that moved data */
	uint64_t bytes;
	uint64_t bounced;         /* of which through bounce pages */
	uint64_t bounce_pages;    /* bounce pages used (one per page segment) */
	uint64_t copy_bytes;      /* bytes copied to or from bounce pages */
	uint64_t copy_cycles;     /* cycles those copies cost */
	uint64_t refused;         /* beyond the mask with dma_bounce=off */
	uint64_t pool_pages;      /* pages reserved in bounce pools */
};
const struct mm_dma_stats *mm_dma_stats(const struct mm *mm);
/* Register them in reg as mm.dma.<name> (once, when the first device is
 * set up: runs without devices do not list them). */
void mm_dma_register_stats(struct mm *mm, struct stats_registry *reg);

#endif
