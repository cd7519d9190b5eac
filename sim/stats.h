/*
 * The statistics registry: names for numbers that live elsewhere.
 *
 * A component keeps its counters as plain uint64_t fields of its own struct
 * and bumps them directly on the hot path (c->st.hits++). The registry never
 * owns a value: it records, once at build time, a name, a one-line
 * description and a pointer to the field, so that printers, snapshots and
 * `mmsim diff` can walk every number of a simulation without the models
 * knowing about them. Nothing here is looked up by string while simulating.
 *
 * Invariants:
 *   - entries are never removed or reordered: an entry's index is fixed when
 *     it is registered, and registration order is the printing order (never
 *     hash order, so every report is deterministic);
 *   - names are unique; registering a name twice is a programming error and
 *     panics. A name is a dotted path ("cpu0.l1d.hits") of printable ASCII
 *     without space, '"' or '\\', so a printer may write it into JSON or a
 *     column without escaping. A description is one line (no '\n');
 *   - every pointer must stay valid, at the same address, until the registry
 *     is destroyed: register fields of objects that are not moved (not
 *     elements of an array that is later realloc'd).
 *
 * Three kinds of entry:
 *   counter  a monotonic count; a snapshot difference is later - earlier;
 *   gauge    a level that goes up and down (free pages); a snapshot
 *            difference is the later level, since a difference of levels
 *            means nothing;
 *   hist     a latency histogram (struct stats_hist below).
 *
 * The registry never prints: tools/ does (STYLE.md, models never printf).
 */
#ifndef MMSIM_SIM_STATS_H
#define MMSIM_SIM_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Latency histogram, log-linear (the HdrHistogram layout with 5 bits of
 * precision). A value v below 64 has a bucket of its own, so small values are
 * exact. Above, each power of two [2^m, 2^(m+1)) is cut into 32 equal
 * sub-buckets of width 2^(m-5). A bucket's width is therefore at most 1/32 of
 * its lower bound: reporting any value of a bucket as the bucket's upper bound
 * overstates it by less than 3.125%, and never understates it.
 *
 * The whole 64-bit range fits in 1920 buckets (15 KiB): adding a sample
 * never allocates, and the histogram has no configuration to get wrong.
 * A zeroed struct is an empty histogram, so histograms embed in calloc'd
 * components with no init call. `sum` wraps modulo 2^64 (it would take
 * 2^32 samples of 2^32 cycles).
 */
#define STATS_HIST_SUB_BITS 5
#define STATS_HIST_SUB      (1u << STATS_HIST_SUB_BITS)
#define STATS_HIST_BUCKETS  ((64 - STATS_HIST_SUB_BITS + 1) * STATS_HIST_SUB)

struct stats_hist {
	uint64_t count;
	uint64_t sum;
	uint64_t min;   /* meaningful only when count > 0 */
	uint64_t max;
	uint64_t buckets[STATS_HIST_BUCKETS];
};

/* The bucket that holds v: the exponent picks a group of 32, the next five
 * bits below the leading one pick the sub-bucket. Values below 64 map to
 * themselves (shift 0). */
static inline unsigned stats_hist_index(uint64_t v)
{
	unsigned msb = 63u - (unsigned)__builtin_clzll(v | 1);
	unsigned shift = msb > STATS_HIST_SUB_BITS ? msb - STATS_HIST_SUB_BITS : 0;
	return (shift << STATS_HIST_SUB_BITS) + (unsigned)(v >> shift);
}

/* Record one sample: a count-leading-zeros, a shift and five stores. */
static inline void stats_hist_add(struct stats_hist *h, uint64_t v)
{
	if (h->count == 0 || v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->count++;
	h->sum += v;
	h->buckets[stats_hist_index(v)]++;
}

/* Empties h (same as zeroing it). */
void stats_hist_reset(struct stats_hist *h);

/* Adds every sample of src to dst (count, sum, min, max and buckets), as if
 * they had been added to dst one by one. src is unchanged. */
void stats_hist_merge(struct stats_hist *dst, const struct stats_hist *src);

/* The smallest and largest value that land in bucket i (< STATS_HIST_BUCKETS).
 * Buckets tile [0, UINT64_MAX] in order, without gaps. */
void stats_hist_bucket_bounds(unsigned i, uint64_t *lo, uint64_t *hi);

/*
 * The p-th percentile, p in [0, 100] (anything else panics).
 * Definition: with n = count, rank = ceil(p * n / 100), at least 1; the
 * result is the upper bound of the bucket holding the rank-th smallest
 * sample, clamped to max; except that rank 1 returns min, which is known
 * exactly. So p0 == min, p100 == max, and for any p the result r and the
 * exact rank-th sample x satisfy x <= r <= x + x/32 (r == x below 64).
 * An empty histogram returns 0. The result depends only on the samples, not
 * on the order they were added in.
 */
uint64_t stats_hist_percentile(const struct stats_hist *h, double p);

/* sum / count as a double, 0 for an empty histogram. */
double stats_hist_mean(const struct stats_hist *h);

/* ---- The registry ---- */

enum stats_kind {
	STATS_COUNTER,
	STATS_GAUGE,
	STATS_HIST,
};

struct stats_registry;

/* An empty registry. stats_destroy frees it (not the values it points to). */
struct stats_registry *stats_create(void);
void stats_destroy(struct stats_registry *reg);

/* Register one number. name and desc are copied. Panics on a duplicate or
 * malformed name (see the invariants above): names come from our code. */
void stats_add_counter(struct stats_registry *reg, const char *name, const char *desc,
		       const uint64_t *p);
void stats_add_gauge(struct stats_registry *reg, const char *name, const char *desc,
		     const uint64_t *p);
void stats_add_hist(struct stats_registry *reg, const char *name, const char *desc,
		    const struct stats_hist *h);

/*
 * Counters kept as an array indexed by an enum (STYLE.md): defs[i] names
 * values[i]. Each is registered as "PREFIX.NAME" (just NAME when prefix is
 * NULL or empty), in index order. A typical component has
 *   enum { L1_HITS, L1_MISSES, L1_NR_STATS };
 *   static const struct stats_def l1_defs[L1_NR_STATS] = { ... };
 *   uint64_t st[L1_NR_STATS];
 */
struct stats_def {
	const char *name;
	const char *desc;
};
void stats_add_counters(struct stats_registry *reg, const char *prefix,
			const struct stats_def *defs, size_t n, const uint64_t *values);

/* ---- Iteration, for printers; index 0 .. stats_count()-1 ---- */

#define STATS_NONE ((size_t)-1)

size_t stats_count(const struct stats_registry *reg);
const char *stats_name(const struct stats_registry *reg, size_t i);
const char *stats_desc(const struct stats_registry *reg, size_t i);
enum stats_kind stats_kind(const struct stats_registry *reg, size_t i);
/* A counter's or gauge's current value; a histogram's count. */
uint64_t stats_value(const struct stats_registry *reg, size_t i);
/* The histogram of entry i, or NULL if it is not a histogram. */
const struct stats_hist *stats_hist(const struct stats_registry *reg, size_t i);
/* Index of the entry called name, or STATS_NONE. A hash lookup: fine for
 * tests and tools, but models keep their own pointers instead. */
size_t stats_find(const struct stats_registry *reg, const char *name);

/*
 * ---- Snapshots ----
 *
 * A snapshot is a copy of every registered number at one moment: a counter's
 * or gauge's value, a histogram's count (in value[]) and sum (in sum[]; 0 for
 * the other kinds). It records n, the number of entries that existed when it
 * was taken, so entries registered later are simply beyond its end.
 *
 * A zeroed struct (or STATS_SNAPSHOT_INIT) is an empty snapshot. take and
 * diff reuse the arrays of the snapshot they fill, so one snapshot can be
 * refilled every period without allocating; stats_snapshot_free releases
 * them and leaves the snapshot empty. A snapshot refers to its registry and
 * must not be used after the registry is destroyed.
 *
 * Bucket counts are not copied (15 KiB per histogram per snapshot): to drop a
 * warm-up from latency percentiles, reset the histograms when it ends
 * (stats_hist_reset) instead.
 */
struct stats_snapshot {
	const struct stats_registry *reg;
	size_t n;
	uint64_t *value;
	uint64_t *sum;
};
#define STATS_SNAPSHOT_INIT {NULL, 0, NULL, NULL}

void stats_snapshot_take(const struct stats_registry *reg, struct stats_snapshot *snap);

/*
 * out = later - earlier, entry by entry, for removing a warm-up (ChampSim):
 * counters and histogram count/sum are subtracted; gauges take the later
 * level. out has later's n; an entry registered after `earlier` was taken
 * counts from zero, i.e. keeps its later value. Both snapshots must come from
 * the same registry, and earlier must not have more entries than later
 * (panics: the arguments are swapped). out may be later itself, not earlier.
 */
void stats_snapshot_diff(const struct stats_snapshot *later,
			 const struct stats_snapshot *earlier, struct stats_snapshot *out);

void stats_snapshot_free(struct stats_snapshot *snap);

/*
 * Every entry of r as the member `key` of the trace line being written
 * (sim/stats_trace.c): counters and gauges as integers, histograms as
 * {count, sum, min, p50, p90, p99, max}, in registration order.
 */
struct trace;
void stats_trace(const struct stats_registry *r, struct trace *t, const char *key);

#endif
