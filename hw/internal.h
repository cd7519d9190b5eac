/*
 * Shared by hw.c, tlb.c and dma.c only: the layout of struct hw and the
 * helpers the TLB and DMA code need from the cache hierarchy.
 */
#ifndef MMSIM_HW_INTERNAL_H
#define MMSIM_HW_INTERNAL_H

#include "hw/blkdev.h"
#include "hw/cache.h"
#include "hw/dma.h"
#include "hw/hw.h"
#include "hw/tlb.h"

struct tlb;  /* one set-associative TLB (tlb.c) */

struct hw_cpu {
	struct cache *l1, *l2;
	int id;
	int node;
	cycle_t stolen;
	struct hw_cpu_stats st;
	struct tlb *tlb4k, *tlb_large;
	struct hw_mmu mmu;
	struct hw_tlb_stats tst;
};

struct hw_dma_dev {
	char name[32];
	uint64_t limit;          /* first address out of reach; 0 means 2^64 */
	double bytes_per_cycle;
	cycle_t setup;
	struct hw_dma_stats st;
};

struct hw_disk {
	cycle_t latency;         /* per request, in cycles */
	double bytes_per_cycle;
	int dma;                 /* its DMA channel */
	cycle_t busy_until;
	struct hw_disk_stats st;
};

struct hw {
	struct hw_machine_desc d;
	bool cost_on;
	int ncpus, nnodes;
	unsigned line_shift;
	unsigned l1_lat, l2_lat, llc_lat;
	uint64_t phys_limit;
	struct hw_cpu *cpu;          /* [ncpus] */
	struct cache **llc;          /* [nnodes] */
	struct hwdir *dir;           /* which CPUs hold each privately cached line */
	uint8_t *held;               /* the snoop filter (hw.c), or NULL */
	unsigned held_shift;         /* 64 - log2 of its slot count */
	unsigned held_stride;        /* bytes per slot: 4 bits per CPU */
	bool filter_wanted;          /* hw_set_snoop_filter */
	cycle_t *dram_cost;          /* [nnodes * nnodes]: from CPU node i to home j */
	cycle_t *c2c_cost;           /* [nnodes * nnodes]: to node i from node j */
	int ndma;
	struct hw_dma_dev dma[HW_DMA_MAX_DEVICES];
	int ndisks;
	struct hw_disk disk[HW_MAX_DISKS];
};

/* dir.c: the snoop directory (see there). A CPU's bit is set exactly when
 * the line is in its L1 or L2. max_lines sizes the hash table. */
struct hwdir;
struct hwdir *hwdir_create(int ncpus, uint64_t max_lines);
void hwdir_destroy(struct hwdir *d);
void hwdir_clear(struct hwdir *d);
void hwdir_add(struct hwdir *d, uint64_t line, int cpu);
void hwdir_remove(struct hwdir *d, uint64_t line, int cpu);
/* The holders' mask (hwdir_words words), or NULL if no CPU holds line. The
 * pointer is valid until the next add or remove. */
const uint64_t *hwdir_lookup(const struct hwdir *d, uint64_t line);
unsigned hwdir_words(const struct hwdir *d);
uint64_t hwdir_entries(const struct hwdir *d);
/* Total holder bits over all entries (for hw_check; O(entries)). */
uint64_t hwdir_count_bits(const struct hwdir *d);

/* hw.c: copies the holders of line into mask (HW_MAX_CPUS / 64 words,
 * zero-filled); returns false if there are none. */
bool hw_holders(const struct hw *hw, uint64_t line, uint64_t *mask);
/* hw.c: drops line from cpu's private caches and the directory; returns the
 * union of the flags it had there. Counts invalidations in the caches. */
unsigned hw_private_invalidate(struct hw *hw, int cpu, uint64_t line);

/* blkdev.c: the disks' state and DMA channels, from hw->d (hw_create). */
void hw_disks_init(struct hw *hw);

/* tlb.c: per-CPU TLB construction. */
void hw_tlb_init(struct hw *hw, int cpu);
void hw_tlb_fini(struct hw *hw, int cpu);
void hw_tlb_invalidate_all(struct hw *hw, int cpu);

#endif
