/*
 * The snoop directory: for every line held in some CPU's private caches (L1
 * or L2), the set of CPUs holding it. It lets a snoop visit only the CPUs
 * that hold a line instead of probing every CPU's caches, so the cost of a
 * private-cache miss does not grow with the number of CPUs.
 *
 * It is exact, not a filter: a CPU's bit is set exactly when the line is in
 * that CPU's L1 or L2 (hw.c keeps it so on every fill, eviction and
 * invalidation; hw_check verifies it). A line no CPU holds has no entry.
 *
 * Layout: a chained hash table. Buckets hold the index of the first entry
 * (0: empty); entries live in a pool indexed from 1, each entry `stride`
 * 64-bit words in a row (line, next index, then the mask words) so a lookup
 * touches one host cache line per entry; freed entries go on a free list. The bucket count is
 * fixed at creation from the number of lines the private caches can hold,
 * which bounds the number of entries, so chains stay short without
 * rehashing. The pool grows by doubling (indices stay valid).
 */
#include <stdlib.h>
#include <string.h>

#include "hw/internal.h"

struct hwdir {
	unsigned words;        /* 64-bit mask words per entry */
	unsigned bits;         /* log2 of the bucket count */
	uint32_t *head;        /* [1 << bits] */
	uint64_t *pool;        /* [(cap + 1) * stride]; entry 0 unused */
	size_t stride;         /* 2 + words */
	uint32_t cap, used, free_list;
	uint64_t entries;
};

struct hwdir *hwdir_create(int ncpus, uint64_t max_lines)
{
	struct hwdir *d = mmsim_xcalloc(1, sizeof *d);
	d->words = (unsigned)(ncpus + 63) / 64;
	d->bits = 10;
	while ((UINT64_C(1) << d->bits) < max_lines && d->bits < 30)
		d->bits++;
	d->head = mmsim_xcalloc((size_t)1 << d->bits, sizeof d->head[0]);
	d->stride = 2 + d->words;
	d->cap = 1024;
	d->pool = mmsim_xcalloc((size_t)(d->cap + 1) * d->stride, sizeof d->pool[0]);
	return d;
}

void hwdir_destroy(struct hwdir *d)
{
	if (!d)
		return;
	free(d->head);
	free(d->pool);
	free(d);
}

void hwdir_clear(struct hwdir *d)
{
	memset(d->head, 0, ((size_t)1 << d->bits) * sizeof d->head[0]);
	d->used = 0;
	d->free_list = 0;
	d->entries = 0;
}

static inline uint64_t *entry(const struct hwdir *d, uint32_t i)
{
	return d->pool + (size_t)i * d->stride;
}

#define E_LINE(e) ((e)[0])
#define E_NEXT(e) ((e)[1])
#define E_MASK(e) ((e) + 2)

static inline uint32_t *bucket(const struct hwdir *d, uint64_t line)
{
	return &d->head[(line * UINT64_C(0x9e3779b97f4a7c15)) >> (64 - d->bits)];
}

static uint32_t find(const struct hwdir *d, uint64_t line)
{
	uint32_t i = *bucket(d, line);
	while (i && E_LINE(entry(d, i)) != line)
		i = (uint32_t)E_NEXT(entry(d, i));
	return i;
}

const uint64_t *hwdir_lookup(const struct hwdir *d, uint64_t line)
{
	uint32_t i = find(d, line);
	return i ? E_MASK(entry(d, i)) : NULL;
}

unsigned hwdir_words(const struct hwdir *d)
{
	return d->words;
}

uint64_t hwdir_entries(const struct hwdir *d)
{
	return d->entries;
}

static uint32_t new_entry(struct hwdir *d)
{
	uint32_t i = d->free_list;
	if (i) {
		d->free_list = (uint32_t)E_NEXT(entry(d, i));
		return i;
	}
	if (d->used == d->cap) {
		MMSIM_ASSERT(d->cap < UINT32_MAX / 2);
		d->cap *= 2;
		d->pool = mmsim_xrealloc(d->pool, (size_t)(d->cap + 1) * d->stride * sizeof d->pool[0]);
	}
	return ++d->used;
}

void hwdir_add(struct hwdir *d, uint64_t line, int cpu)
{
	uint32_t i = find(d, line);
	if (!i) {
		i = new_entry(d);
		uint32_t *b = bucket(d, line);
		uint64_t *e = entry(d, i);
		E_LINE(e) = line;
		E_NEXT(e) = *b;
		memset(E_MASK(e), 0, d->words * sizeof e[0]);
		*b = i;
		d->entries++;
	}
	E_MASK(entry(d, i))[(unsigned)cpu / 64] |= UINT64_C(1) << (cpu % 64);
}

void hwdir_remove(struct hwdir *d, uint64_t line, int cpu)
{
	uint32_t *b = bucket(d, line);
	uint32_t prev = 0, i = *b;
	while (i && E_LINE(entry(d, i)) != line) {
		prev = i;
		i = (uint32_t)E_NEXT(entry(d, i));
	}
	if (!i)
		return;
	uint64_t *e = entry(d, i);
	uint64_t *m = E_MASK(e);
	m[(unsigned)cpu / 64] &= ~(UINT64_C(1) << (cpu % 64));
	for (unsigned w = 0; w < d->words; w++)
		if (m[w])
			return;
	if (prev)
		E_NEXT(entry(d, prev)) = E_NEXT(e);
	else
		*b = (uint32_t)E_NEXT(e);
	E_NEXT(e) = d->free_list;
	d->free_list = i;
	d->entries--;
}

uint64_t hwdir_count_bits(const struct hwdir *d)
{
	uint64_t n = 0;
	for (size_t b = 0; b < (size_t)1 << d->bits; b++)
		for (uint32_t i = d->head[b]; i; i = (uint32_t)E_NEXT(entry(d, i)))
			for (unsigned w = 0; w < d->words; w++)
				n += (uint64_t)__builtin_popcountll(E_MASK(entry(d, i))[w]);
	return n;
}
