/*
 * Seeding and the derived distributions of the xoshiro256** generator (the
 * generator step itself is inline in rng.h).
 *
 * rng_below uses Lemire's multiply-and-reject method ("Fast Random Integer
 * Generation in an Interval", 2019): the high word of x * n is uniform in
 * [0, n) except for a sliver of low words below 2^64 mod n, which are
 * rejected. The rejection test needs a division only in the rare case the
 * low word is below n, so the common path is one multiplication. The result
 * depends only on the generator's outputs, not on how the 128-bit product
 * is computed, so the two code paths below agree bit for bit and traces stay
 * identical across hosts.
 */
#include "sim/rng.h"
#include "sim/types.h"

uint64_t rng_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

void rng_seed(struct rng *r, uint64_t seed)
{
	uint64_t sm = seed;
	for (int i = 0; i < 4; i++)
		r->s[i] = rng_splitmix64(&sm);
}

/* The full 128-bit product of a and b: returns the low word, *hi the high. */
static inline uint64_t mul_128(uint64_t a, uint64_t b, uint64_t *hi)
{
#ifdef __SIZEOF_INT128__
	unsigned __int128 p = (unsigned __int128)a * b;
	*hi = (uint64_t)(p >> 64);
	return (uint64_t)p;
#else
	/* Schoolbook on 32-bit halves, for hosts without a 128-bit type. */
	uint64_t al = a & 0xffffffffu, ah = a >> 32;
	uint64_t bl = b & 0xffffffffu, bh = b >> 32;
	uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
	uint64_t mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);
	*hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
	return (mid << 32) | (ll & 0xffffffffu);
#endif
}

uint64_t rng_below(struct rng *r, uint64_t n)
{
	MMSIM_ASSERT(n > 0);
	uint64_t hi;
	uint64_t lo = mul_128(rng_next(r), n, &hi);
	if (lo < n) {
		uint64_t threshold = -n % n;    /* 2^64 mod n */
		while (lo < threshold)
			lo = mul_128(rng_next(r), n, &hi);
	}
	return hi;
}

double rng_double(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}
