/*
 * One level of set-associative, write-back, write-allocate cache.
 *
 * This is a building block with no idea of CPUs, nodes or coherence: hw.c
 * stacks several of them into a hierarchy, and a standalone cache simulator
 * can drive one directly. The cache remembers which line addresses it holds,
 * a few flag bits per line and the state its replacement policy needs; it
 * stores no data.
 *
 * Addresses passed in may be any byte address; the cache works on the line
 * that contains it. A caller that needs the line address uses cache_line_of.
 *
 * Flag bits per line (returned by the lookups; 0 means "not present"):
 */
#ifndef MMSIM_HW_CACHE_H
#define MMSIM_HW_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/machine.h"

#define CACHE_VALID 0x1u  /* the way holds a line; set on every present line */
#define CACHE_DIRTY 0x2u  /* written since filled or cleaned: eviction writes it back */
#define CACHE_USER0 0x4u  /* free for the owner of the cache (hw.c: exclusive) */
#define CACHE_USER1 0x8u  /* free for the owner of the cache */

/* Counters; a zeroed struct is "nothing happened". misses = read_misses +
 * write_misses; every miss is followed by at most one fill. */
struct cache_stats {
	uint64_t read_hits;
	uint64_t write_hits;
	uint64_t read_misses;
	uint64_t write_misses;
	uint64_t fills;
	uint64_t evictions;     /* valid lines pushed out by a fill */
	uint64_t writebacks;    /* dirty lines written back: evicted or cleaned */
	uint64_t invalidations; /* present lines dropped by cache_invalidate */
};

struct cache;

/* A cache with the given geometry, all lines invalid. params must satisfy
 * hw_desc_validate's rules (line a power of two >= 2, size = ways x line x
 * 2^k). seed drives HW_REPL_RANDOM: the same seed gives the same victims.
 * Never fails (panics on host out-of-memory). */
struct cache *cache_create(const struct hw_cache_params *params, uint64_t seed);
void cache_destroy(struct cache *c);

const struct hw_cache_params *cache_params(const struct cache *c);
const struct cache_stats *cache_stats(const struct cache *c);
void cache_reset_stats(struct cache *c);
uint64_t cache_line_of(const struct cache *c, uint64_t addr);

/*
 * A processor-side access. On a hit: counts a read or write hit, updates the
 * replacement state, sets CACHE_DIRTY if write, and returns the line's flags
 * as they were before this access (always including CACHE_VALID). On a miss:
 * counts a miss and returns 0; the caller fetches the line and calls
 * cache_fill.
 */
unsigned cache_access(struct cache *c, uint64_t addr, int write);

/*
 * Installs addr's line with flags (CACHE_VALID is implied). If the line is
 * already present, its flags are or'ed with flags and nothing is evicted.
 * Otherwise an invalid way is used if the set has one, else the policy picks a
 * victim: returns 1 and stores the victim's line address and flags (counting
 * an eviction, and a write-back if it was dirty); returns 0 if nothing valid
 * was evicted. victim and victim_flags may be NULL.
 */
int cache_fill(struct cache *c, uint64_t addr, unsigned flags, uint64_t *victim,
	       unsigned *victim_flags);

/* The line's flags, or 0 if absent. Counts nothing, changes nothing: a snoop. */
unsigned cache_probe(const struct cache *c, uint64_t addr);

/* Sets then clears flag bits of a present line without counting anything
 * (CACHE_VALID cannot be cleared this way). Returns the old flags, or 0. */
unsigned cache_update(struct cache *c, uint64_t addr, unsigned set, unsigned clear);

/* Drops the line if present, counting an invalidation (dirty data is
 * discarded, not written back). Returns its old flags, or 0. */
unsigned cache_invalidate(struct cache *c, uint64_t addr);

/* Writes a dirty line back and keeps it clean (counts a write-back if it was
 * dirty). Returns its old flags, or 0. */
unsigned cache_clean(struct cache *c, uint64_t addr);

/* Ways, for walks over the whole cache (consistency checks, dumps): way i
 * of cache_nways(c) holds a line when the result is non-zero. */
size_t cache_nways(const struct cache *c);
unsigned cache_way(const struct cache *c, size_t i, uint64_t *line);

/* Way i's replacement stamp: 0 when invalid; otherwise larger means more
 * recently used (LRU) or filled (LRU, FIFO), so sorting a set's ways by stamp
 * gives the policy's eviction order. Unused by RANDOM (fill order only).
 * A simulator that must reproduce another tool's walk order over a set
 * (mmsim cache's end-of-trace flush, which follows Dinero IV) needs it. */
uint64_t cache_way_stamp(const struct cache *c, size_t i);

/* How lookups search a set; changes speed only, never results. By default a
 * lookup stops at the matching way, which is fastest when the same ways hit
 * again and again; with scan_all it compares every tag without branching on
 * which one matched, which is faster when hits land in unpredictable ways
 * (trace-driven simulation). Ignored for more than 64 ways. */
void cache_set_scan_all(struct cache *c, bool on);

/* Drops every line without counting (a cold start). */
void cache_invalidate_all(struct cache *c);

#endif
