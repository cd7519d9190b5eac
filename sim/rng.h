/*
 * The simulation's random number generator: xoshiro256** (Blackman and
 * Vigna), with its 256-bit state expanded from a 64-bit seed by splitmix64,
 * as the authors recommend.
 *
 * Everything random in a run (replacement choices, scenario randomness,
 * jitter) draws from a struct rng owned by that run's struct sim, never from
 * rand() or a process-wide state, so a seed reproduces a run on any host and
 * two simulations in one process do not disturb each other.
 *
 * The only invariant: the state is never all zero (xoshiro's one fixed
 * point). splitmix64 cannot produce four zero words in a row from any seed,
 * so rng_seed always leaves a valid state; whoever sets s[] by hand (tests)
 * must keep it.
 */
#ifndef MMSIM_SIM_RNG_H
#define MMSIM_SIM_RNG_H

#include <stdint.h>

struct rng {
	uint64_t s[4];
};

/* Start the stream for `seed`; any value, 0 included, is a good seed. */
void rng_seed(struct rng *r, uint64_t seed);

/* One step of splitmix64: advances *state and returns the next output. */
uint64_t rng_splitmix64(uint64_t *state);

static inline uint64_t rng_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* The next 64 uniformly distributed bits. Inline: it sits in hot loops. */
static inline uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rng_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rng_rotl(s[3], 45);
	return out;
}

/* Uniform in [0, n), without modulo bias; n must be > 0. */
uint64_t rng_below(struct rng *r, uint64_t n);

/* Uniform in [0, 1), in steps of 2^-53 (every double there is equally likely
 * to be hit on that grid). */
double rng_double(struct rng *r);

#endif
