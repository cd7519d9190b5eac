/*
 * A trace-driven cache hierarchy in the manner of Dinero IV, built from the
 * same cache level (hw/cache.h) that the machine model uses: `mmsim cache`
 * runs address traces through it so that mmsim's caches can be checked
 * against the simulators people already trust.
 *
 * Up to four levels: an L1 instruction cache, an L1 data cache, a unified
 * L2 and a unified LLC, each optional. Instruction fetches enter at the L1i
 * (or, without one, wherever data enters: an L1d alone acts as a unified
 * L1); data references enter at the L1d, or the first level present. Both
 * L1s feed the L2, the L2 the LLC, the LLC memory.
 *
 * Levels are neither inclusive nor exclusive: a level sees exactly the
 * requests of the level above, as in Dinero IV — its misses (a read of the
 * whole line, as an instruction fetch when the miss was one), its
 * write-backs (a write of the whole line), and in write-through mode its
 * writes. Nothing is ever invalidated from above or below. The rules, with
 * their Dinero IV counterparts, are in docs/cache-model.md.
 */
#ifndef MMSIM_HW_CACHESIM_H
#define MMSIM_HW_CACHESIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/addrtrace.h"
#include "hw/cache.h"
#include "hw/machine.h"

enum csim_level_id {
	CSIM_L1I,
	CSIM_L1D,
	CSIM_L2,
	CSIM_LLC,
	CSIM_NR_LEVELS,
};

struct csim_level_config {
	bool present;
	struct hw_cache_params geom;  /* size, ways, line, repl; latency unused */
	bool write_through;           /* else write-back (dirty lines, written when evicted) */
	bool no_write_allocate;       /* else a write miss allocates the line */
	bool classify;                /* split misses into compulsory, capacity,
	                                 conflict (Dinero's -lN-Tccc); costs a
	                                 fully associative shadow and a set of
	                                 every line ever missed */
};

struct csim_config {
	struct csim_level_config level[CSIM_NR_LEVELS];
	uint64_t seed;                /* for HW_REPL_RANDOM */
};

/*
 * Per-level counters, Dinero IV's and a few more. Indexed by access type
 * (enum atrace_type READ..MISC): the type of the request as this level saw
 * it, so an L2 sees L1 read misses as reads, write-backs as writes, and a
 * write miss's line fetch as a read.
 */
struct csim_stats {
	uint64_t fetch[ATRACE_NR_ACCESS];  /* demand fetches (one per line touched) */
	uint64_t miss[ATRACE_NR_ACCESS];   /* demand misses */
	uint64_t multiblock;     /* references split because they crossed a line */
	uint64_t evictions;      /* valid lines replaced by a fill */
	uint64_t writebacks;     /* dirty lines written to the next level (evicted or flushed) */
	uint64_t bytes_read;     /* requested from the next level (Dinero: "Bytes From Memory") */
	uint64_t bytes_written;  /* sent to the next level (Dinero: "Bytes To Memory") */
	/* With classify, each miss is exactly one of (else all zero): */
	uint64_t compulsory[ATRACE_NR_ACCESS]; /* the line had never missed here before */
	uint64_t capacity[ATRACE_NR_ACCESS];   /* ... and a fully associative cache of the
	                                          same size and policy misses too */
	uint64_t conflict[ATRACE_NR_ACCESS];   /* that fully associative cache hits */
};

struct csim;

/* The simulator's default machine (hw_desc_init): L1d, L2 and LLC with
 * their sizes and policies, write-back, write-allocate; no L1i. */
void csim_config_default(struct csim_config *cfg);

/* Checks a configuration: at least one level, each present level's line a
 * power of two >= 2, ways >= 1, size = ways x line x 2^k. Returns 0, or -1
 * with one message naming the level ("l2: ..."). */
int csim_config_validate(const struct csim_config *cfg, char *err, size_t errlen);

/* A hierarchy of cold caches for a valid configuration. Never fails (panics
 * on host out-of-memory). */
struct csim *csim_create(const struct csim_config *cfg);
void csim_destroy(struct csim *s);

/* Runs n trace references through the hierarchy, in order. */
void csim_run(struct csim *s, const struct atrace_ref *refs, size_t n);

/* Copies every dirty line back, level by level from the L1s down, without
 * invalidating anything (Dinero IV does this at the end of every run;
 * mmsim only when asked). */
void csim_flush(struct csim *s);

/* NULL when the level is absent. */
const struct csim_stats *csim_stats(const struct csim *s, enum csim_level_id id);
const struct cache *csim_cache(const struct csim *s, enum csim_level_id id);
const struct csim_level_config *csim_level_config(const struct csim *s, enum csim_level_id id);

/* Trace references seen, by type (READ..FLUSH), before any splitting. */
const uint64_t *csim_refs(const struct csim *s);

/* "l1i", "l1d", "l2", "llc". */
const char *csim_level_name(enum csim_level_id id);

#endif
