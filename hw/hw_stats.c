/*
 * Naming the hardware's counters in a stats registry. The counters live in
 * the components (struct cache_stats in each cache, per-CPU and per-device
 * structs in struct hw) and are bumped directly on the hot path; this file
 * only tells the registry where they are and what they are called, once.
 *
 * Names, in registration order (which is the order of every report):
 *   cpuN.l1d.*, cpuN.l2.*        each CPU's private caches
 *   nodeN.llc.*                  each node's shared cache
 *   cpuN.mem.*                   coherence and DRAM traffic of CPU N
 *   cpuN.tlb.*                   its TLBs
 *   dmaN.*                       each DMA device, in attach order
 *   disk.NAME.*                  each disk, in description order
 */
#include <stdio.h>

#include "hw/internal.h"
#include "sim/stats.h"

static const struct stats_def cache_defs[] = {
	{"read_hits", "reads that hit"},
	{"write_hits", "writes that hit"},
	{"read_misses", "reads that missed"},
	{"write_misses", "writes that missed"},
	{"fills", "lines brought in"},
	{"evictions", "valid lines pushed out by a fill"},
	{"writebacks", "dirty lines written back (evicted or cleaned)"},
	{"invalidations", "lines dropped by coherence or DMA"},
};
_Static_assert(sizeof(struct cache_stats) == sizeof cache_defs / sizeof cache_defs[0] * 8,
	       "cache_defs must name every field of struct cache_stats, in order");

static const struct stats_def cpu_defs[] = {
	{"accesses", "hw_access calls"},
	{"lines", "cache lines touched by them"},
	{"c2c_local", "lines got from a dirty copy on this node"},
	{"c2c_remote", "lines got from a dirty copy on another node"},
	{"upgrades", "writes to a shared line that invalidated other copies"},
	{"inval_sent", "other copies invalidated by this CPU"},
	{"inval_received", "copies of this CPU invalidated by others"},
	{"dram_local", "lines read from this node's DRAM"},
	{"dram_remote", "lines read from another node's DRAM"},
	{"dram_cycles", "cycles spent on DRAM reads"},
};
_Static_assert(sizeof(struct hw_cpu_stats) == sizeof cpu_defs / sizeof cpu_defs[0] * 8,
	       "cpu_defs must name every field of struct hw_cpu_stats, in order");

static const struct stats_def tlb_defs[] = {
	{"hits", "lookups that hit either TLB"},
	{"hits_large", "of which in the large-page TLB"},
	{"misses", "lookups that missed"},
	{"walks", "page-table walks"},
	{"walk_cycles", "cycles spent fetching page-table entries"},
	{"faults", "walks that ended in a fault"},
	{"evictions", "valid entries replaced"},
	{"flush_page", "single-page invalidations"},
	{"flush_all", "full flushes"},
	{"shootdowns", "shootdowns initiated"},
	{"ipis_sent", "shootdown IPIs sent"},
	{"ipis_received", "shootdown IPIs received"},
};
_Static_assert(sizeof(struct hw_tlb_stats) == sizeof tlb_defs / sizeof tlb_defs[0] * 8,
	       "tlb_defs must name every field of struct hw_tlb_stats, in order");

static const struct stats_def dma_defs[] = {
	{"transfers", "transfers done"},
	{"bytes", "bytes moved"},
	{"refusals", "transfers refused: buffer beyond the address mask"},
	{"cycles", "cycles the transfers took"},
	{"lines_invalidated", "cache lines a device write dropped"},
	{"dirty_discarded", "of which dirty"},
	{"lines_written_back", "dirty lines a device read wrote back"},
};
_Static_assert(sizeof(struct hw_dma_stats) == sizeof dma_defs / sizeof dma_defs[0] * 8,
	       "dma_defs must name every field of struct hw_dma_stats, in order");

static const struct stats_def disk_defs[] = {
	{"reads", "read requests"},
	{"writes", "write requests"},
	{"read_bytes", "bytes read"},
	{"write_bytes", "bytes written"},
	{"busy_cycles", "cycles spent serving requests"},
	{"queue_cycles", "cycles requests waited for the disk"},
};
_Static_assert(sizeof(struct hw_disk_stats) == sizeof disk_defs / sizeof disk_defs[0] * 8,
	       "disk_defs must name every field of struct hw_disk_stats, in order");

#define NDEFS(a) (sizeof(a) / sizeof((a)[0]))

void hw_register_dma_stats(struct hw *hw, struct stats_registry *reg, int dev)
{
	char prefix[32];
	snprintf(prefix, sizeof prefix, "dma%d", dev);
	stats_add_counters(reg, prefix, dma_defs, NDEFS(dma_defs),
			   (const uint64_t *)(const void *)hw_dma_stats(hw, dev));
}

void hw_register_stats(struct hw *hw, struct stats_registry *reg)
{
	char prefix[48];
	for (int c = 0; c < hw->ncpus; c++) {
		snprintf(prefix, sizeof prefix, "cpu%d.l1d", c);
		stats_add_counters(reg, prefix, cache_defs, NDEFS(cache_defs),
				   (const uint64_t *)(const void *)hw_cache_stats(hw, HW_L1D, c));
		snprintf(prefix, sizeof prefix, "cpu%d.l2", c);
		stats_add_counters(reg, prefix, cache_defs, NDEFS(cache_defs),
				   (const uint64_t *)(const void *)hw_cache_stats(hw, HW_L2, c));
	}
	for (int n = 0; n < hw->nnodes; n++) {
		snprintf(prefix, sizeof prefix, "node%d.llc", n);
		stats_add_counters(reg, prefix, cache_defs, NDEFS(cache_defs),
				   (const uint64_t *)(const void *)hw_cache_stats(hw, HW_LLC, n));
	}
	for (int c = 0; c < hw->ncpus; c++) {
		snprintf(prefix, sizeof prefix, "cpu%d.mem", c);
		stats_add_counters(reg, prefix, cpu_defs, NDEFS(cpu_defs),
				   (const uint64_t *)(const void *)hw_cpu_stats(hw, c));
	}
	for (int c = 0; c < hw->ncpus; c++) {
		snprintf(prefix, sizeof prefix, "cpu%d.tlb", c);
		stats_add_counters(reg, prefix, tlb_defs, NDEFS(tlb_defs),
				   (const uint64_t *)(const void *)hw_tlb_stats(hw, c));
	}
	for (int d = 0; d < hw->ndma; d++)
		hw_register_dma_stats(hw, reg, d);
	for (int d = 0; d < hw->ndisks; d++) {
		snprintf(prefix, sizeof prefix, "disk.%s", hw->d.disks[d].name);
		stats_add_counters(reg, prefix, disk_defs, NDEFS(disk_defs),
				   (const uint64_t *)(const void *)hw_disk_stats(hw, d));
	}
}
