/*
 * DMA devices (see dma.h for the rules).
 *
 * Devices live in a fixed array inside struct hw, so their counters never
 * move and can be registered once. A transfer's cache effects walk the
 * buffer line by line, visiting the CPUs the snoop directory names and every
 * LLC: O(lines x (holders + nodes)) host work.
 */
#include <math.h>
#include <stdio.h>

#include "hw/internal.h"

int hw_dma_attach(struct hw *hw, const char *name, unsigned addr_bits, double bytes_per_cycle,
		  cycle_t setup)
{
	if (addr_bits < 1 || addr_bits > 64 || !(bytes_per_cycle > 0) ||
	    hw->ndma >= HW_DMA_MAX_DEVICES)
		return HW_DMA_EINVAL;
	struct hw_dma_dev *dev = &hw->dma[hw->ndma];
	snprintf(dev->name, sizeof dev->name, "%s", name ? name : "");
	dev->limit = addr_bits == 64 ? 0 : UINT64_C(1) << addr_bits;
	dev->bytes_per_cycle = bytes_per_cycle;
	dev->setup = setup;
	return hw->ndma++;
}

static bool dev_ok(const struct hw *hw, int dev)
{
	return dev >= 0 && dev < hw->ndma;
}

int hw_dma_count(const struct hw *hw)
{
	return hw->ndma;
}

const char *hw_dma_name(const struct hw *hw, int dev)
{
	MMSIM_ASSERT(dev_ok(hw, dev));
	return hw->dma[dev].name;
}

uint64_t hw_dma_limit(const struct hw *hw, int dev)
{
	MMSIM_ASSERT(dev_ok(hw, dev));
	return hw->dma[dev].limit ? hw->dma[dev].limit : UINT64_MAX;
}

const struct hw_dma_stats *hw_dma_stats(const struct hw *hw, int dev)
{
	MMSIM_ASSERT(dev_ok(hw, dev));
	return &hw->dma[dev].st;
}

/* Does [paddr, paddr + len) fit below the device's limit? */
static bool in_reach(const struct hw_dma_dev *dev, uint64_t paddr, uint64_t len)
{
	if (len > UINT64_MAX - paddr)
		return false;
	if (dev->limit == 0)
		return true;
	return paddr < dev->limit && len <= dev->limit - paddr;
}

/* A device write: drop the line from every cache. Returns the union of the
 * flags it had, 0 if no cache held it. The directory names the CPUs to visit. */
static unsigned invalidate_everywhere(struct hw *hw, uint64_t line)
{
	unsigned all = 0;
	uint64_t holders[HW_MAX_CPUS / 64];
	if (hw_holders(hw, line, holders))
		for (int c = 0; c < hw->ncpus; c++)
			if ((holders[c / 64] >> (c % 64)) & 1)
				all |= hw_private_invalidate(hw, c, line);
	for (int n = 0; n < hw->nnodes; n++)
		all |= cache_invalidate(hw->llc[n], line);
	return all;
}

/* A device read: every dirty copy writes itself back and stays, clean.
 * Returns whether any copy was dirty. */
static bool clean_everywhere(struct hw *hw, uint64_t line)
{
	unsigned all = 0;
	uint64_t holders[HW_MAX_CPUS / 64];
	if (hw_holders(hw, line, holders)) {
		for (int c = 0; c < hw->ncpus; c++) {
			if (!((holders[c / 64] >> (c % 64)) & 1))
				continue;
			all |= cache_clean(hw->cpu[c].l1, line);
			all |= cache_clean(hw->cpu[c].l2, line);
		}
	}
	for (int n = 0; n < hw->nnodes; n++)
		all |= cache_clean(hw->llc[n], line);
	return all & CACHE_DIRTY;
}

int hw_dma_transfer(struct hw *hw, int dev_id, uint64_t paddr, uint64_t len, int dir,
		    cycle_t *cycles)
{
	if (cycles)
		*cycles = 0;
	if (!dev_ok(hw, dev_id) || (dir != HW_DMA_TO_DEVICE && dir != HW_DMA_FROM_DEVICE))
		return HW_DMA_EINVAL;
	struct hw_dma_dev *dev = &hw->dma[dev_id];
	if (!in_reach(dev, paddr, len)) {
		dev->st.refusals++;
		return HW_DMA_EMASK;
	}
	if (!hw->cost_on)
		return 0;
	cycle_t cost = dev->setup + (cycle_t)ceil((double)len / dev->bytes_per_cycle);
	dev->st.transfers++;
	dev->st.bytes += len;
	dev->st.cycles += cost;
	if (len) {
		unsigned sh = hw->line_shift;
		uint64_t last = (paddr + len - 1) >> sh << sh;
		for (uint64_t line = paddr >> sh << sh;; line += UINT64_C(1) << sh) {
			if (dir == HW_DMA_FROM_DEVICE) {
				unsigned f = invalidate_everywhere(hw, line);
				if (f) {
					dev->st.lines_invalidated++;
					if (f & CACHE_DIRTY)
						dev->st.dirty_discarded++;
				}
			} else if (clean_everywhere(hw, line)) {
				dev->st.lines_written_back++;
			}
			if (line == last)
				break;
		}
	}
	if (cycles)
		*cycles = cost;
	return 0;
}
