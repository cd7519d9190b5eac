/*
 * The inside of struct cache, shared by cache.c, hw.c and cachesim.c only:
 * hw.c inlines cache_access_inline into hw_access, because the L1 hit is the
 * machine model's most frequent operation and a call into another
 * translation unit (prologue, argument set-up, the callee's own loads of c's
 * fields) costed as much as the lookup itself; cachesim.c inlines it into
 * its loop over a trace's references for the same reason. Every other user
 * goes through cache.h.
 * The layout is described in cache.c.
 */
#ifndef MMSIM_HW_CACHE_IMPL_H
#define MMSIM_HW_CACHE_IMPL_H

#include "hw/cache.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define NO_LINE UINT64_MAX
#define META_SHIFT 8               /* meta = stamp << META_SHIFT | flags */
#define META_FLAGS 0xffu

struct cache {
	uint64_t *sets;        /* nsets blocks of `stride` words, 64-byte aligned */
	size_t stride;         /* 2 * ways */
	uint64_t set_mask;     /* nsets - 1 */
	unsigned line_shift;
	unsigned ways;
	enum hw_repl repl;
	bool scan_all;         /* lookups compare every tag (cache_set_scan_all) */
	uint64_t tick;
	/* A line cache_access just found absent: only cache_fill makes a line
	 * present, so until the next fill a fill of this line can skip the
	 * lookup (every miss in hw.c and cachesim.c is followed by a fill of
	 * the same line). NO_LINE when unknown. */
	uint64_t missed;
	uint64_t rng;
	struct cache_stats st;
	struct hw_cache_params p;
};

static inline uint64_t *set_tags(const struct cache *c, size_t set)
{
	return c->sets + set * c->stride;
}

static inline size_t set_of(const struct cache *c, uint64_t line)
{
	return (size_t)((line >> c->line_shift) & c->set_mask);
}

#if defined(__SSE2__)
/* Bit 2w of the result set when tag w of the 8 tags at t (64-byte aligned)
 * equals line: SSE2 compares 32-bit halves, so each way gives two bits,
 * packed down to bytes for one movemask. */
static inline unsigned match8_bits(const uint64_t *t, uint64_t line)
{
	__m128i l = _mm_set1_epi64x((long long)line);
	const __m128i *v = (const __m128i *)t;
	__m128i e01 = _mm_packs_epi32(_mm_cmpeq_epi32(v[0], l), _mm_cmpeq_epi32(v[1], l));
	__m128i e23 = _mm_packs_epi32(_mm_cmpeq_epi32(v[2], l), _mm_cmpeq_epi32(v[3], l));
	unsigned m = (unsigned)_mm_movemask_epi8(_mm_packs_epi16(e01, e23));
	return m & (m >> 1) & 0x5555u;
}
#endif

/* match()'s compare-every-tag search for a set of exactly `ways` ways (8 or
 * 16), a constant where it is called: with SSE2 (every x86-64) eight tags
 * per few vector compares, otherwise a loop that unrolls into straight-line
 * compares (the loop's own counting cost as much as the compares). */
static inline unsigned match_all_fixed(const uint64_t *t, uint64_t line, unsigned ways)
{
#if defined(__SSE2__)
	unsigned m = match8_bits(t, line);
	if (ways == 16)
		m |= match8_bits(t + 8, line) << 16;
	return m ? (unsigned)__builtin_ctz(m) / 2 : ways;
#else
	uint64_t m = 0;
#pragma GCC unroll 16
	for (unsigned w = 0; w < ways; w++)
		m |= (uint64_t)(t[w] == line) << w;
	return m ? (unsigned)__builtin_ctzll(m) : ways;
#endif
}

/* The way of set (tags t) holding line, or ways if none.
 *
 * Two ways to look, chosen per cache: stop at the first match (the loop's
 * exit is predicted well when hits land in the same ways again and again, as
 * in the machine model's workloads), or compare every tag into a bit mask
 * (no data-dependent branch: better when hits land in random ways, as on
 * address traces of real programs; see cache_set_scan_all). The common
 * associativities of the second kind have their own unrolled loops. */
static inline unsigned match(const struct cache *c, const uint64_t *t, uint64_t line)
{
	unsigned ways = c->ways;
	if (!c->scan_all) {
		unsigned w = 0;
		while (w < ways && t[w] != line)
			w++;
		return w;
	}
	if (ways == 8)
		return match_all_fixed(t, line, 8);
	if (ways == 16)
		return match_all_fixed(t, line, 16);
	uint64_t m = 0;
	for (unsigned w = 0; w < ways; w++)
		m |= (uint64_t)(t[w] == line) << w;
	return m ? (unsigned)__builtin_ctzll(m) : ways;
}

/* cache_access (cache.h), inline. */
static inline unsigned cache_access_inline(struct cache *c, uint64_t addr, int write)
{
	uint64_t line = addr >> c->line_shift << c->line_shift;
	uint64_t *t = set_tags(c, set_of(c, line));
	unsigned w = match(c, t, line);
	if (w == c->ways) {
		if (write)
			c->st.write_misses++;
		else
			c->st.read_misses++;
		c->missed = line;
		return 0;
	}
	uint64_t *m = t + c->ways + w;
	uint64_t meta = *m;
	unsigned old = (unsigned)meta & META_FLAGS;
	if (write) {
		c->st.write_hits++;
		meta |= CACHE_DIRTY;
	} else {
		c->st.read_hits++;
	}
	if (c->repl == HW_REPL_LRU)
		meta = ++c->tick << META_SHIFT | (meta & META_FLAGS);
	*m = meta;
	return old;
}

#endif
