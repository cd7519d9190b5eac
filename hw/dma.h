/*
 * DMA-capable devices.
 *
 * A device reaches physical memory below 2^addr_bits only (ISA: 24 bits =
 * 16 MiB; 32-bit PCI: 4 GiB; 64). A transfer that does not fit is refused,
 * and nothing happens: whether to bounce is the memory manager's decision.
 *
 * A transfer costs setup + ceil(len / bytes_per_cycle) cycles. It is coherent
 * with the CPU caches, as on x86: a device writing memory (FROM_DEVICE)
 * invalidates those lines in every CPU cache and LLC (dirty data in them is
 * discarded and counted); a device reading memory (TO_DEVICE) makes the
 * caches write back dirty lines (a snoop) and leaves them in place. Neither
 * direction fills any cache.
 */
#ifndef MMSIM_HW_DMA_H
#define MMSIM_HW_DMA_H

#include <stdint.h>

#include "hw/hw.h"

#define HW_DMA_TO_DEVICE   0  /* the device reads memory */
#define HW_DMA_FROM_DEVICE 1  /* the device writes memory */

#define HW_DMA_EMASK  (-1)    /* the buffer is beyond the device's address mask */
#define HW_DMA_EINVAL (-2)    /* bad device id, direction or arguments */

#define HW_DMA_MAX_DEVICES 64

struct hw_dma_stats {
	uint64_t transfers;
	uint64_t bytes;
	uint64_t refusals;           /* transfers refused with HW_DMA_EMASK */
	uint64_t cycles;
	uint64_t lines_invalidated;  /* distinct lines dropped from some cache */
	uint64_t dirty_discarded;    /* of which dirty somewhere */
	uint64_t lines_written_back; /* lines a TO_DEVICE snoop wrote back */
};

/*
 * Attaches a device. name is copied (up to 31 characters). Returns the
 * device id (0, 1, ...), or HW_DMA_EINVAL if addr_bits is not 1..64,
 * bytes_per_cycle is not positive or HW_DMA_MAX_DEVICES are attached.
 */
int hw_dma_attach(struct hw *hw, const char *name, unsigned addr_bits, double bytes_per_cycle,
		  cycle_t setup);

/*
 * Transfers len bytes at paddr. Returns 0 with the cost in *cycles;
 * HW_DMA_EMASK if [paddr, paddr + len) is not below 2^addr_bits (counted as a
 * refusal, caches untouched, *cycles 0); HW_DMA_EINVAL for a bad device or
 * direction. cycles may be NULL.
 */
int hw_dma_transfer(struct hw *hw, int dev, uint64_t paddr, uint64_t len, int dir,
		    cycle_t *cycles);

int hw_dma_count(const struct hw *hw);
const char *hw_dma_name(const struct hw *hw, int dev);
uint64_t hw_dma_limit(const struct hw *hw, int dev); /* first byte out of reach */
const struct hw_dma_stats *hw_dma_stats(const struct hw *hw, int dev);

#endif
