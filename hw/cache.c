/*
 * Set-associative cache. Each set is one contiguous block of 64-bit words,
 * so a lookup and a fill touch a few adjacent host cache lines even when the
 * simulated cache is far bigger than the host's:
 *
 *   tag[w]    (words 0 .. ways-1) the line address held by way w, or NO_LINE
 *             when the way is invalid; no aligned line address can equal
 *             NO_LINE because its low bits are set and lines are at least 2
 *             bytes long;
 *   stamp[w]  (words ways .. 2*ways-1) replacement state: the cache's tick at
 *             the last use (LRU) or at the fill (FIFO), always >= 1 for a
 *             valid way and 0 for an invalid one; unused by RANDOM;
 *   flags[w]  (bytes after that, padded to a word) CACHE_* bits of the line;
 *             0 exactly when tag[w] == NO_LINE.
 *
 * A way is named by its global index i = set * ways + w. The tick is 64 bits
 * and never wraps, so "smallest stamp" is always the oldest line. Victims
 * prefer the lowest-numbered invalid way, which keeps fills deterministic.
 *
 * RANDOM uses xorshift64 with per-cache state: the same seed and the same
 * access sequence evict the same lines on every host.
 */
#include <stdlib.h>
#include <string.h>

#include "hw/cache.h"
#include "sim/types.h"

#define NO_LINE UINT64_MAX

struct cache {
	uint64_t *sets;        /* nsets blocks of `stride` words */
	size_t stride;
	uint64_t set_mask;     /* nsets - 1 */
	unsigned line_shift;
	unsigned ways;
	enum hw_repl repl;
	bool scan_all;         /* lookups compare every tag (cache_set_scan_all) */
	uint64_t tick;
	uint64_t rng;
	struct cache_stats st;
	struct hw_cache_params p;
};

static inline uint64_t *set_tags(const struct cache *c, size_t set)
{
	return c->sets + set * c->stride;
}

static inline uint64_t *tag_of(const struct cache *c, size_t i)
{
	return set_tags(c, i / c->ways) + i % c->ways;
}

static inline uint64_t *stamp_of(const struct cache *c, size_t i)
{
	return set_tags(c, i / c->ways) + c->ways + i % c->ways;
}

static inline uint8_t *flags_of(const struct cache *c, size_t i)
{
	return (uint8_t *)(set_tags(c, i / c->ways) + 2 * (size_t)c->ways) + i % c->ways;
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
	c->stride = 2 * (size_t)p->ways + (p->ways + 7) / 8;
	c->sets = mmsim_xcalloc((size_t)nsets * c->stride, sizeof c->sets[0]);
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

static inline size_t set_of(const struct cache *c, uint64_t line)
{
	return (size_t)((line >> c->line_shift) & c->set_mask);
}

/* The way of set (tags t) holding line, or ways if none.
 *
 * Two ways to look, chosen per cache: stop at the first match (the loop's
 * exit is predicted well when hits land in the same ways again and again, as
 * in the machine model's workloads), or compare every tag into a bit mask
 * (no data-dependent branch: better when hits land in random ways, as on
 * address traces of real programs; see cache_set_scan_all). */
static inline unsigned match(const struct cache *c, const uint64_t *t, uint64_t line)
{
	unsigned ways = c->ways;
	if (!c->scan_all) {
		unsigned w = 0;
		while (w < ways && t[w] != line)
			w++;
		return w;
	}
	uint64_t m = 0;
	for (unsigned w = 0; w < ways; w++)
		m |= (uint64_t)(t[w] == line) << w;
	return m ? (unsigned)__builtin_ctzll(m) : ways;
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
	uint64_t line = addr >> c->line_shift << c->line_shift;
	uint64_t *t = set_tags(c, set_of(c, line));
	unsigned w = match(c, t, line);
	if (w == c->ways) {
		if (write)
			c->st.write_misses++;
		else
			c->st.read_misses++;
		return 0;
	}
	uint8_t *f = (uint8_t *)(t + 2 * (size_t)c->ways) + w;
	unsigned old = *f;
	if (write) {
		c->st.write_hits++;
		*f = (uint8_t)(old | CACHE_DIRTY);
	} else {
		c->st.read_hits++;
	}
	if (c->repl == HW_REPL_LRU)
		t[c->ways + w] = ++c->tick;
	return old;
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
	/* An invalid way has stamp 0 and every valid one a later tick, so the
	 * oldest stamp is also the first invalid way when there is one.
	 * Written as selects, not branches: which way is oldest is as good as
	 * random to the host's branch predictor. */
	const uint64_t *stamp = t + c->ways;
	uint64_t best = stamp[0];
	unsigned v = 0;
	for (unsigned w = 1; w < c->ways; w++) {
		uint64_t sw = stamp[w];
		int lt = sw < best;
		best = lt ? sw : best;
		v = lt ? w : v;
	}
	return v;
}

int cache_fill(struct cache *c, uint64_t addr, unsigned flags, uint64_t *victim,
	       unsigned *victim_flags)
{
	uint64_t line = addr >> c->line_shift << c->line_shift;
	flags |= CACHE_VALID;
	long i = find(c, line);
	if (i >= 0) {
		uint8_t *f = flags_of(c, (size_t)i);
		*f = (uint8_t)(*f | flags);
		return 0;
	}
	uint64_t *t = set_tags(c, set_of(c, line));
	uint8_t *fl = (uint8_t *)(t + 2 * (size_t)c->ways);
	unsigned v = pick_victim(c, t);
	int evicted = 0;
	if (t[v] != NO_LINE) {
		evicted = 1;
		c->st.evictions++;
		if (fl[v] & CACHE_DIRTY)
			c->st.writebacks++;
		if (victim)
			*victim = t[v];
		if (victim_flags)
			*victim_flags = fl[v];
	}
	c->st.fills++;
	t[v] = line;
	fl[v] = (uint8_t)flags;
	t[c->ways + v] = ++c->tick;
	return evicted;
}

unsigned cache_probe(const struct cache *c, uint64_t addr)
{
	long i = find(c, addr >> c->line_shift << c->line_shift);
	return i < 0 ? 0 : *flags_of(c, (size_t)i);
}

unsigned cache_update(struct cache *c, uint64_t addr, unsigned set, unsigned clear)
{
	long i = find(c, addr >> c->line_shift << c->line_shift);
	if (i < 0)
		return 0;
	uint8_t *f = flags_of(c, (size_t)i);
	unsigned old = *f;
	*f = (uint8_t)(((old | set) & ~clear) | CACHE_VALID);
	return old;
}

static void drop(struct cache *c, size_t i)
{
	*tag_of(c, i) = NO_LINE;
	*stamp_of(c, i) = 0;
	*flags_of(c, i) = 0;
}

unsigned cache_invalidate(struct cache *c, uint64_t addr)
{
	long i = find(c, addr >> c->line_shift << c->line_shift);
	if (i < 0)
		return 0;
	unsigned old = *flags_of(c, (size_t)i);
	c->st.invalidations++;
	drop(c, (size_t)i);
	return old;
}

unsigned cache_clean(struct cache *c, uint64_t addr)
{
	long i = find(c, addr >> c->line_shift << c->line_shift);
	if (i < 0)
		return 0;
	uint8_t *f = flags_of(c, (size_t)i);
	unsigned old = *f;
	if (old & CACHE_DIRTY) {
		c->st.writebacks++;
		*f = (uint8_t)(old & ~CACHE_DIRTY);
	}
	return old;
}

void cache_invalidate_all(struct cache *c)
{
	size_t n = cache_nways(c);
	for (size_t i = 0; i < n; i++)
		drop(c, i);
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
	return *flags_of(c, i);
}

uint64_t cache_way_stamp(const struct cache *c, size_t i)
{
	MMSIM_ASSERT(i < cache_nways(c));
	return *stamp_of(c, i);
}
