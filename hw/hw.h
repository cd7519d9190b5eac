/*
 * The hardware model: a machine built from a description, answering "what
 * does this memory access cost?" in cycles.
 *
 * Per CPU: a private L1d and L2. Per node: one last-level cache shared by the
 * node's CPUs. Behind them, DRAM on the node that owns the address. Levels
 * are non-inclusive: a level sees the misses and the dirty write-backs of the
 * level above it, and fills on its own misses.
 *
 * Cost of one line (all parameters from struct hw_machine_desc):
 *   L1 hit                       l1d.latency
 *   L2 hit                       l2.latency
 *   another CPU holds it dirty   c2c_latency + dram_latency * (d - 10) / 10,
 *                                d = distance(this CPU's node, owner's node)
 *                                (so exactly c2c_latency within a node)
 *   own node's LLC hit           llc.latency
 *   another node's LLC dirty     as a cache-to-cache transfer from that node
 *   DRAM                         dram_latency * d / 10, d = distance(this
 *                                CPU's node, the address's home node)
 *   write to a line other CPUs share: the level's latency plus the transfer
 *                                cost to the farthest copy invalidated (the
 *                                acknowledgement round trip)
 * The cost of an access is the sum over the lines it touches. Write-backs
 * cost nothing on the access that causes them (write buffers hide them); they
 * are counted.
 *
 * Coherence is MESI-like, by snooping the other CPUs' private caches (found
 * through a directory of holders on bigger machines, and skipped on smaller
 * ones when a filter says no other CPU can hold the line) and the other
 * nodes' LLCs when a private-cache miss or an upgrade needs it. A line
 * in a private cache carries an "exclusive" bit (E or M): a write to an
 * exclusive line needs no snoop, which keeps the hit path as cheap as an
 * uncached model. Everything is deterministic: snoops visit CPUs and nodes in
 * index order.
 */
#ifndef MMSIM_HW_HW_H
#define MMSIM_HW_HW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/cache.h"
#include "hw/machine.h"
#include "sim/types.h"

#define HW_READ  0
#define HW_WRITE 1

struct hw;

enum hw_level {
	HW_L1D,   /* index: CPU */
	HW_L2,    /* index: CPU */
	HW_LLC,   /* index: node */
};

/* Per-CPU coherence and memory counters. */
struct hw_cpu_stats {
	uint64_t accesses;        /* hw_access calls */
	uint64_t lines;           /* lines touched by them */
	uint64_t c2c_local;       /* lines got from a dirty copy on this node */
	uint64_t c2c_remote;      /* ... on another node (another CPU's or LLC) */
	uint64_t upgrades;        /* writes to a shared line that invalidated others */
	uint64_t inval_sent;      /* other CPUs' (or nodes' LLC) copies invalidated */
	uint64_t inval_received;  /* this CPU's copies invalidated by others */
	uint64_t dram_local;      /* lines read from DRAM on this CPU's node */
	uint64_t dram_remote;     /* lines read from another node's DRAM */
	uint64_t dram_cycles;     /* cycles spent on DRAM reads */
};

/*
 * Builds the machine: validates d (hw_desc_validate) and copies it. Returns
 * NULL with the validation message in err when d is not valid; nothing is
 * left allocated then. Caches start cold, the cost model on.
 */
struct hw *hw_create(const struct hw_machine_desc *d, char *err, size_t errlen);
void hw_destroy(struct hw *hw);

const struct hw_machine_desc *hw_desc(const struct hw *hw);
int hw_ncpus(const struct hw *hw);
int hw_nnodes(const struct hw *hw);
int hw_cpu_node(const struct hw *hw, int cpu);

/*
 * cpu reads or writes size bytes at paddr. Returns the cycles it costs and
 * updates caches and counters. The range may cross lines (each line costs
 * separately); size 0 costs nothing. paddr + size must lie below the
 * architecture's physical limit (asserted). An address in no node (a hole) is
 * served at local distance.
 */
cycle_t hw_access(struct hw *hw, int cpu, uint64_t paddr, unsigned size, int write);

/* The same with struct sim_memport's signature (ctx is the struct hw). */
cycle_t hw_memport_access(void *ctx, int cpu, uint64_t paddr, unsigned size, int write);
struct sim_memport hw_memport(struct hw *hw);

/*
 * Turns the cost model on or off. Off, hw_access, hw_vaccess, TLB flushes and
 * DMA cost 0 cycles and leave caches and counters untouched (the fastest
 * possible path, for speed comparisons). What is behaviour rather than cost
 * still happens: the walker is still asked (faults are reported), TLB
 * flushes still drop entries (no stale translation survives), DMA masks
 * still refuse (and count refusals). Caches may be stale with respect to
 * what happened while it was off; they are not cleared.
 */
void hw_set_cost_model(struct hw *hw, bool on);
bool hw_cost_model(const struct hw *hw);

/* Counters, at fixed addresses for the life of hw (safe to register). */
const struct cache_stats *hw_cache_stats(const struct hw *hw, enum hw_level level, int index);
const struct hw_cpu_stats *hw_cpu_stats(const struct hw *hw, int cpu);

/*
 * Names every hardware counter in reg (hw_stats.c lists the names): caches,
 * coherence and DRAM traffic, TLBs, and the DMA devices attached so far. A
 * device attached later is registered with hw_register_dma_stats.
 */
struct stats_registry;
void hw_register_stats(struct hw *hw, struct stats_registry *reg);
void hw_register_dma_stats(struct hw *hw, struct stats_registry *reg, int dev);

/* The cache object itself, for probes in tests and tools. */
struct cache *hw_cache(struct hw *hw, enum hw_level level, int index);

/* Cycles a DRAM line read from cpu to paddr costs (no side effects). */
cycle_t hw_dram_cost(const struct hw *hw, int cpu, uint64_t paddr);
/* Cycles of a transfer from a dirty copy on node `from` to a CPU on node `to`. */
cycle_t hw_c2c_cost(const struct hw *hw, int to, int from);

/*
 * Cycles that other CPUs' actions charged to cpu (a TLB shootdown's flush)
 * since the last call; returns them and resets the count, so the run loop can
 * add them to the CPU's clock.
 */
cycle_t hw_cpu_take_stolen(struct hw *hw, int cpu);

/*
 * The expensive consistency walk (tests turn it on; O(lines x CPUs)):
 * checks the coherence invariants listed at the top of hw.c. Returns 0, or
 * -1 with the first violation found in err.
 */
int hw_check(const struct hw *hw, char *err, size_t errlen);

/*
 * Chooses how snoops find the CPUs holding a line: a directory (on by
 * default from 6 CPUs up; scales with the number of holders) or probing
 * every other CPU (cheaper on small machines). Results are identical; only
 * host speed differs. Starts cold: drops every cached line and TLB entry.
 */
void hw_set_snoop_directory(struct hw *hw, bool on);

/*
 * Without the directory, a snoop first asks a counting filter whether any
 * other CPU may hold the line, and probes none when the answer is no (the
 * common case). On by default; off, every snoop probes every other CPU.
 * Results are identical either way (tests compare them). Starts cold, like
 * hw_set_snoop_directory.
 */
void hw_set_snoop_filter(struct hw *hw, bool on);

/* Drops every cached line and TLB entry without counting (a cold start). */
void hw_invalidate_all(struct hw *hw);

#endif
