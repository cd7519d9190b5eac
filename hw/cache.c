/*
 * Set-associative cache. Each set is one contiguous block of 64-bit words,
 * so a lookup and a fill touch a few adjacent host cache lines even when the
 * simulated cache is far bigger than the host's:
 *
 *   tag[w]    (words 0 .. ways-1) the line address held by way w, or NO_LINE
 *             when the way is invalid; no aligned line address can equal
 *             NO_LINE because its low bits are set and lines are at least 2
 *             bytes long;
 *   meta[w]   (words ways .. 2*ways-1) the way's replacement stamp times 256
 *             plus its CACHE_* flags in the low byte. The stamp is the
 *             cache's tick at the last use (LRU) or at the fill (FIFO, and
 *             RANDOM, which ignores it), always >= 1 for a valid way; an
 *             invalid way's meta is 0.
 *
 * Why stamp and flags share a word: a hit reads the flags and (LRU) writes
 * the stamp, and a fill reads the victim's flags and writes both, so one word
 * in one host cache line serves both. Ticks are unique, so ordering metas is
 * ordering stamps, whatever the flags. Why tags stay apart from metas: the
 * scan of a set reads only tags, 8 of them per host cache line, and the
 * block array is 64-byte aligned so an 8-way set's tags are exactly one host
 * line (a 16-way set's, two).
 *
 * A way is named by its global index i = set * ways + w. The tick is 56 bits
 * once shifted and never wraps in practice (2^56 accesses), so "smallest
 * stamp" is always the oldest line. Victims prefer the lowest-numbered
 * invalid way, which keeps fills deterministic.
 *
 * RANDOM uses xorshift64 with per-cache state: the same seed and the same
 * access sequence evict the same lines on every host.
 */
#include <stdlib.h>
#include <string.h>

#include "hw/cache_impl.h"
#include "sim/types.h"

static inline uint64_t *tag_of(const struct cache *c, size_t i)
{
	return set_tags(c, i / c->ways) + i % c->ways;
}

static inline uint64_t *meta_of(const struct cache *c, size_t i)
{
	return set_tags(c, i / c->ways) + c->ways + i % c->ways;
}

static unsigned log2u(uint64_t v)
{
	unsigned s = 0;
	while ((UINT64_C(1) << s) < v)
		s++;
	return s;
}

struct cache *cache_create(const struct hw_cache_params *params, uint64_t seed)
{
	const struct hw_cache_params *p = params;
	MMSIM_ASSERT(p->line >= 2 && !(p->line & (p->line - 1)));
	MMSIM_ASSERT(p->ways >= 1);
	uint64_t set_bytes = (uint64_t)p->ways * p->line;
	MMSIM_ASSERT(p->size >= set_bytes && p->size % set_bytes == 0);
	uint64_t nsets = p->size / set_bytes;
	MMSIM_ASSERT(!(nsets & (nsets - 1)));

	struct cache *c = mmsim_xcalloc(1, sizeof *c);
	c->ways = p->ways;
	c->stride = 2 * (size_t)p->ways;
	/* aligned_alloc wants a size that is a multiple of the alignment. */
	size_t bytes = (size_t)nsets * c->stride * sizeof c->sets[0];
	bytes = (bytes + 63) & ~(size_t)63;
	c->sets = aligned_alloc(64, bytes);
	if (!c->sets)
		mmsim_panic("out of memory (%zu bytes for a cache)", bytes);
	c->set_mask = nsets - 1;
	c->line_shift = log2u(p->line);
	cache_invalidate_all(c);
	c->repl = p->repl;
	c->p = *p;
	/* xorshift64 must not start at 0; splitmix-style mixing spreads small seeds. */
	uint64_t z = seed + UINT64_C(0x9e3779b97f4a7c15);
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	z ^= z >> 31;
	c->rng = z ? z : 1;
	return c;
}

void cache_destroy(struct cache *c)
{
	if (!c)
		return;
	free(c->sets);
	free(c);
}

const struct hw_cache_params *cache_params(const struct cache *c)
{
	return &c->p;
}

const struct cache_stats *cache_stats(const struct cache *c)
{
	return &c->st;
}

void cache_reset_stats(struct cache *c)
{
	memset(&c->st, 0, sizeof c->st);
}

uint64_t cache_line_of(const struct cache *c, uint64_t addr)
{
	return addr >> c->line_shift << c->line_shift;
}

void cache_set_scan_all(struct cache *c, bool on)
{
	c->scan_all = on && c->ways <= 64;
}

/* Global index of the way holding line, or -1. */
static inline long find(const struct cache *c, uint64_t line)
{
	size_t set = set_of(c, line);
	unsigned w = match(c, set_tags(c, set), line);
	return w == c->ways ? -1 : (long)(set * c->ways + w);
}

unsigned cache_access(struct cache *c, uint64_t addr, int write)
{
	return cache_access_inline(c, addr, write);
}

/*
 * The oldest way for LRU and FIFO: the smallest meta, the lowest way among
 * equals (invalid ways all have meta 0). Each way's key is its meta with the
 * flags byte replaced by the way's number: keys are unique, ordered as the
 * metas are and, among equal metas, by way, so the smallest key names the
 * victim and no way number needs carrying along. With `ways` a constant (8 or
 * 16 at the call sites below) the minimum is taken as a tree of pairs, log2
 * comparisons deep instead of a chain of ways - 1: which way is oldest is as
 * good as random to the host's branch predictor, so everything is selects.
 */
static inline unsigned oldest_fixed(const uint64_t *meta, unsigned ways)
{
	uint64_t k[16];
#pragma GCC unroll 16
	for (unsigned w = 0; w < ways; w++)
		k[w] = (meta[w] & ~(uint64_t)META_FLAGS) | w;
#pragma GCC unroll 4
	for (unsigned n = ways; n > 1; n /= 2) {
#pragma GCC unroll 8
		for (unsigned i = 0; i < n / 2; i++)
			k[i] = k[2 * i + 1] < k[2 * i] ? k[2 * i + 1] : k[2 * i];
	}
	return (unsigned)(k[0] & META_FLAGS);
}

/* The way of set (tags t) to fill. */
static unsigned pick_victim(struct cache *c, const uint64_t *t)
{
	if (c->repl == HW_REPL_RANDOM) {
		for (unsigned w = 0; w < c->ways; w++)
			if (t[w] == NO_LINE)
				return w;
		uint64_t x = c->rng;
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		c->rng = x;
		return (unsigned)(x % c->ways);
	}
	/* An invalid way has meta 0 and every valid one a later tick, so the
	 * oldest meta is also the first invalid way when there is one (the
	 * flags in the low byte never decide: ticks are unique).
	 * Written as selects, not branches (see oldest_fixed). */
	const uint64_t *meta = t + c->ways;
	if (c->ways == 8)
		return oldest_fixed(meta, 8);
	if (c->ways == 16)
		return oldest_fixed(meta, 16);
	uint64_t best = meta[0];
	unsigned v = 0;
	for (unsigned w = 1; w < c->ways; w++) {
		uint64_t mw = meta[w];
		int lt = mw < best;
		best = lt ? mw : best;
		v = lt ? w : v;
	}
	return v;
}

int cache_fill(struct cache *c, uint64_t addr, unsigned flags, uint64_t *victim,
	       unsigned *victim_flags)
{
	uint64_t line = addr >> c->line_shift << c->line_shift;
	flags = (flags | CACHE_VALID) & META_FLAGS;
	if (line != c->missed) {
		long i = find(c, line);
		if (i >= 0) {
			*meta_of(c, (size_t)i) |= flags;
			return 0;
		}
	}
	c->missed = NO_LINE;
	uint64_t *t = set_tags(c, set_of(c, line));
	uint64_t *meta = t + c->ways;
	unsigned v = pick_victim(c, t);
	int evicted = 0;
	if (t[v] != NO_LINE) {
		unsigned vf = (unsigned)meta[v] & META_FLAGS;
		evicted = 1;
		c->st.evictions++;
		if (vf & CACHE_DIRTY)
			c->st.writebacks++;
		if (victim)
			*victim = t[v];
		if (victim_flags)
			*victim_flags = vf;
	}
	c->st.fills++;
	t[v] = line;
	meta[v] = ++c->tick << META_SHIFT | flags;
	return evicted;
}

unsigned cache_probe(const struct cache *c, uint64_t addr)
{
	long i = find(c, addr >> c->line_shift << c->line_shift);
	return i < 0 ? 0 : (unsigned)*meta_of(c, (size_t)i) & META_FLAGS;
}

unsigned cache_update(struct cache *c, uint64_t addr, unsigned set, unsigned clear)
{
	long i = find(c, addr >> c->line_shift << c->line_shift);
	if (i < 0)
		return 0;
	uint64_t *m = meta_of(c, (size_t)i);
	unsigned old = (unsigned)*m & META_FLAGS;
	unsigned f = (((old | set) & ~clear) | CACHE_VALID) & META_FLAGS;
	*m = (*m & ~(uint64_t)META_FLAGS) | f;
	return old;
}

static void drop(struct cache *c, size_t i)
{
	*tag_of(c, i) = NO_LINE;
	*meta_of(c, i) = 0;
}

unsigned cache_invalidate(struct cache *c, uint64_t addr)
{
	long i = find(c, addr >> c->line_shift << c->line_shift);
	if (i < 0)
		return 0;
	unsigned old = (unsigned)*meta_of(c, (size_t)i) & META_FLAGS;
	c->st.invalidations++;
	drop(c, (size_t)i);
	return old;
}

unsigned cache_clean(struct cache *c, uint64_t addr)
{
	long i = find(c, addr >> c->line_shift << c->line_shift);
	if (i < 0)
		return 0;
	uint64_t *m = meta_of(c, (size_t)i);
	unsigned old = (unsigned)*m & META_FLAGS;
	if (old & CACHE_DIRTY) {
		c->st.writebacks++;
		*m &= ~(uint64_t)CACHE_DIRTY;
	}
	return old;
}

void cache_invalidate_all(struct cache *c)
{
	size_t n = cache_nways(c);
	for (size_t i = 0; i < n; i++)
		drop(c, i);
	c->missed = NO_LINE;
}

size_t cache_nways(const struct cache *c)
{
	return (size_t)((c->set_mask + 1) * c->ways);
}

unsigned cache_way(const struct cache *c, size_t i, uint64_t *line)
{
	MMSIM_ASSERT(i < cache_nways(c));
	if (line)
		*line = *tag_of(c, i);
	return (unsigned)*meta_of(c, i) & META_FLAGS;
}

uint64_t cache_way_stamp(const struct cache *c, size_t i)
{
	MMSIM_ASSERT(i < cache_nways(c));
	return *meta_of(c, i) >> META_SHIFT;
}
