/*
 * Tests of sim/rng: reproducibility from a seed, known answers for
 * splitmix64 seeding and xoshiro256**, and the derived distributions
 * (rng_below in range, unbiased by a chi-square test, its rejection path;
 * rng_double in [0, 1)).
 *
 * The known answers were computed independently with a short Python script
 * that reimplements the reference C code of Blackman and Vigna,
 * https://prng.di.unimi.it/splitmix64.c and
 * https://prng.di.unimi.it/xoshiro256starstar.c, seeding the four state
 * words with four successive splitmix64 outputs, and Lemire's rng_below
 * ("Fast Random Integer Generation in an Interval", 2019, algorithm 5) on
 * Python integers. splitmix64(0)'s first output 0xe220a8397b1dcdaf is also
 * the value published with the algorithm.
 */
#include <check.h>
#include <math.h>
#include <signal.h>
#include <string.h>

#include "sim/rng.h"

extern Suite *rng_suite(void);

/* Check records a checkpoint through a pipe at every passing assertion, which
 * dominates loops of many draws: test first, assert (printing) on failure. */
#define FAST_TRUE(c) do { if (!(c)) ck_assert(c); } while (0)
#define FAST_UINT_EQ(a, b) do { if ((a) != (b)) ck_assert_uint_eq(a, b); } while (0)
#define FAST_UINT_LT(a, b) do { if (!((a) < (b))) ck_assert_uint_lt(a, b); } while (0)

START_TEST(test_same_seed_same_stream)
{
	struct rng a, b;
	rng_seed(&a, 42);
	rng_seed(&b, 42);
	for (int i = 0; i < 10000; i++)
		FAST_UINT_EQ(rng_next(&a), rng_next(&b));
	/* Reseeding restarts the stream. */
	rng_seed(&a, 42);
	struct rng c;
	rng_seed(&c, 42);
	ck_assert_uint_eq(rng_next(&a), rng_next(&c));
}
END_TEST

START_TEST(test_different_seeds_differ)
{
	/* Neighbouring seeds give unrelated streams: no output in common in the
	 * first few positions, and about half the bits differ. */
	struct rng a, b;
	rng_seed(&a, 1);
	rng_seed(&b, 2);
	int diffbits = 0;
	for (int i = 0; i < 64; i++) {
		uint64_t x = rng_next(&a), y = rng_next(&b);
		ck_assert_uint_ne(x, y);
		diffbits += __builtin_popcountll(x ^ y);
	}
	/* 4096 bits, expectation 2048, sd 32: allow 8 sd. */
	ck_assert_int_gt(diffbits, 2048 - 256);
	ck_assert_int_lt(diffbits, 2048 + 256);
}
END_TEST

START_TEST(test_seed_zero_works)
{
	struct rng r;
	rng_seed(&r, 0);
	ck_assert(r.s[0] | r.s[1] | r.s[2] | r.s[3]);
	uint64_t prev = rng_next(&r);
	int same = 0;
	for (int i = 0; i < 1000; i++) {
		uint64_t x = rng_next(&r);
		same += x == prev;
		prev = x;
	}
	ck_assert_int_eq(same, 0);
}
END_TEST

START_TEST(test_splitmix64_known_answer)
{
	uint64_t st = 0;
	ck_assert_uint_eq(rng_splitmix64(&st), UINT64_C(0xe220a8397b1dcdaf));
	ck_assert_uint_eq(st, UINT64_C(0x9e3779b97f4a7c15));
	ck_assert_uint_eq(rng_splitmix64(&st), UINT64_C(0x6e789e6aa1b965f4));
	ck_assert_uint_eq(rng_splitmix64(&st), UINT64_C(0x06c45d188009454f));
	ck_assert_uint_eq(rng_splitmix64(&st), UINT64_C(0xf88bb8a8724c81ec));
}
END_TEST

START_TEST(test_xoshiro_known_answer)
{
	static const struct {
		uint64_t seed;
		uint64_t state[4];
		uint64_t out[6];
	} kat[] = {
		{ 0,
		  { UINT64_C(0xe220a8397b1dcdaf), UINT64_C(0x6e789e6aa1b965f4),
		    UINT64_C(0x06c45d188009454f), UINT64_C(0xf88bb8a8724c81ec) },
		  { UINT64_C(0x99ec5f36cb75f2b4), UINT64_C(0xbf6e1f784956452a),
		    UINT64_C(0x1a5f849d4933e6e0), UINT64_C(0x6aa594f1262d2d2c),
		    UINT64_C(0xbba5ad4a1f842e59), UINT64_C(0xffef8375d9ebcaca) } },
		{ 12345,
		  { UINT64_C(0x22118258a9d111a0), UINT64_C(0x346edce5f713f8ed),
		    UINT64_C(0x1e9a57bc80e6721d), UINT64_C(0x2d160e7e5c3f42ca) },
		  { UINT64_C(0xbe6a36374160d49b), UINT64_C(0x214aaa0637a688c6),
		    UINT64_C(0xf69d16de9954d388), UINT64_C(0x0c60048c4e96e033),
		    UINT64_C(0x8e2076aeed51c648), UINT64_C(0x02bbcc1c1fc50f84) } },
		{ UINT64_C(0xdeadbeefcafebabe),
		  { UINT64_C(0x0d7d93560d1929d2), UINT64_C(0x491dfb740e50d43f),
		    UINT64_C(0x42722bf4473e5e7d), UINT64_C(0xd6ca8a0790fffc45) },
		  { UINT64_C(0x2299b3421aa78b66), UINT64_C(0x9af6550483e02887),
		    UINT64_C(0xda059cb5eec5c979), UINT64_C(0xcf86bd29360fff98),
		    UINT64_C(0x5cc883c940089820), UINT64_C(0xb00610aced04900f) } },
	};
	for (size_t k = 0; k < sizeof kat / sizeof kat[0]; k++) {
		struct rng r;
		rng_seed(&r, kat[k].seed);
		for (int i = 0; i < 4; i++)
			ck_assert_uint_eq(r.s[i], kat[k].state[i]);
		for (int i = 0; i < 6; i++)
			ck_assert_uint_eq(rng_next(&r), kat[k].out[i]);
	}
}
END_TEST

START_TEST(test_below_known_answer)
{
	static const uint64_t small[8] = { 743, 130, 963, 48, 555, 10, 159, 295 };
	/* n = 3 * 2^62 rejects a quarter of all draws (those with x % 4 == 0):
	 * three of the draws behind these eight outputs were rejected. */
	static const uint64_t big[8] = {
		UINT64_C(0x8ecfa8a971089f74), UINT64_C(0x18f7ff84a9bce694),
		UINT64_C(0x094803693af12826), UINT64_C(0x1ead5fbbf163b8f2),
		UINT64_C(0x38cb61d8caa6670e), UINT64_C(0x4a1afcf9a1b48de8),
		UINT64_C(0xaed6743219a6f005), UINT64_C(0x961d34cc0cb77add),
	};
	struct rng r;
	rng_seed(&r, 12345);
	for (int i = 0; i < 8; i++)
		ck_assert_uint_eq(rng_below(&r, 1000), small[i]);
	rng_seed(&r, 12345);
	for (int i = 0; i < 8; i++)
		ck_assert_uint_eq(rng_below(&r, UINT64_C(3) << 62), big[i]);
	/* 8 outputs + 3 rejected draws: the stream moved exactly 11 steps. */
	struct rng ref;
	rng_seed(&ref, 12345);
	for (int i = 0; i < 11; i++)
		rng_next(&ref);
	ck_assert_uint_eq(rng_next(&r), rng_next(&ref));
}
END_TEST

START_TEST(test_double_known_answer)
{
	struct rng r;
	rng_seed(&r, 12345);
	/* 0xbe6a36374160d49b >> 11 times 2^-53, and so on. */
	ck_assert_double_eq(rng_double(&r), 0.7438081631565894);
	ck_assert_double_eq(rng_double(&r), 0.13004553462783452);
	ck_assert_double_eq(rng_double(&r), 0.9633344930128545);
}
END_TEST

START_TEST(test_below_in_range)
{
	struct rng r;
	rng_seed(&r, 7);
	static const uint64_t ns[] = { 1, 2, 3, 7, 10, 1000, 1u << 31,
				       (UINT64_C(1) << 63) + 1, UINT64_MAX };
	for (size_t k = 0; k < sizeof ns / sizeof ns[0]; k++)
		for (int i = 0; i < 20000; i++)
			FAST_UINT_LT(rng_below(&r, ns[k]), ns[k]);
	for (int i = 0; i < 1000; i++)
		FAST_UINT_EQ(rng_below(&r, 1), 0);
	/* n = 2^63 + 1 (the worst case for rejection): the upper half of the
	 * range is hit about half the time. */
	int high = 0;
	for (int i = 0; i < 10000; i++)
		high += rng_below(&r, (UINT64_C(1) << 63) + 1) >= (UINT64_C(1) << 62);
	ck_assert_int_gt(high, 4500);
	ck_assert_int_lt(high, 5500);
}
END_TEST

START_TEST(test_below_zero_aborts)
{
	struct rng r;
	rng_seed(&r, 1);
	rng_below(&r, 0);
}
END_TEST

/* Chi-square over k buckets: n draws of rng_below(k). With k - 1 degrees of
 * freedom, mean k - 1 and sd sqrt(2(k - 1)); the bound is 6 sd above the
 * mean, loose enough never to flake with a fixed seed yet far below what a
 * biased generator (say x % k with k not a power of two and a skewed source,
 * or an off-by-one that never returns k - 1) produces. */
static double chi_square(struct rng *r, uint64_t k, int n, int *counts)
{
	memset(counts, 0, sizeof(int) * k);
	for (int i = 0; i < n; i++)
		counts[rng_below(r, k)]++;
	double e = (double)n / (double)k, x2 = 0;
	for (uint64_t i = 0; i < k; i++)
		x2 += (counts[i] - e) * (counts[i] - e) / e;
	return x2;
}

START_TEST(test_below_chi_square)
{
	static int counts[1000];
	static const uint64_t ks[] = { 2, 3, 10, 37, 1000 };
	struct rng r;
	rng_seed(&r, 2024);
	for (size_t j = 0; j < sizeof ks / sizeof ks[0]; j++) {
		uint64_t k = ks[j];
		double x2 = chi_square(&r, k, 200000, counts);
		double bound = (double)(k - 1) + 6 * sqrt(2.0 * (double)(k - 1)) + 10;
		ck_assert_msg(x2 < bound, "k=%llu chi2=%f bound=%f",
			      (unsigned long long)k, x2, bound);
		for (uint64_t i = 0; i < k; i++)
			ck_assert_int_gt(counts[i], 0);
	}
}
END_TEST

START_TEST(test_double_range)
{
	struct rng r;
	rng_seed(&r, 99);
	double sum = 0, lo = 1, hi = 0;
	int below_half = 0;
	enum { N = 200000 };
	for (int i = 0; i < N; i++) {
		double d = rng_double(&r);
		FAST_TRUE(d >= 0.0 && d < 1.0);
		/* On the 2^-53 grid. */
		FAST_TRUE(d * 0x1.0p53 == floor(d * 0x1.0p53));
		sum += d;
		below_half += d < 0.5;
		if (d < lo)
			lo = d;
		if (d > hi)
			hi = d;
	}
	ck_assert(fabs(sum / N - 0.5) < 0.005);
	ck_assert_int_gt(below_half, N / 2 - 2000);
	ck_assert_int_lt(below_half, N / 2 + 2000);
	ck_assert(lo < 0.0001);
	ck_assert(hi > 0.9999);
}
END_TEST

/* The top of the range: a generator state that outputs all ones gives the
 * largest double below 1, never 1. Found by searching state s[1] such that
 * rotl(s1 * 5, 7) * 9 == ~0: s1 = rotr(~0 * 9^-1, 7) * 5^-1 (mod 2^64). */
START_TEST(test_double_never_one)
{
	/* Inverses mod 2^64 by Newton iteration. */
	uint64_t inv5 = 5, inv9 = 9;
	for (int i = 0; i < 6; i++) {
		inv5 *= 2 - 5 * inv5;
		inv9 *= 2 - 9 * inv9;
	}
	ck_assert_uint_eq(inv5 * 5, 1);
	ck_assert_uint_eq(inv9 * 9, 1);
	uint64_t y = UINT64_MAX * inv9;
	uint64_t s1 = ((y >> 7) | (y << 57)) * inv5;
	struct rng r = { { 1, s1, 0, 0 } };
	ck_assert_double_eq(rng_double(&r), 1.0 - 0x1.0p-53);
	struct rng r2 = { { 1, s1, 0, 0 } };
	ck_assert_uint_eq(rng_next(&r2), UINT64_MAX);
}
END_TEST

Suite *rng_suite(void)
{
	Suite *s = suite_create("rng");
	TCase *tc = tcase_create("stream");
	tcase_add_test(tc, test_same_seed_same_stream);
	tcase_add_test(tc, test_different_seeds_differ);
	tcase_add_test(tc, test_seed_zero_works);
	tcase_add_test(tc, test_splitmix64_known_answer);
	tcase_add_test(tc, test_xoshiro_known_answer);
	suite_add_tcase(s, tc);
	tc = tcase_create("distributions");
	tcase_add_test(tc, test_below_known_answer);
	tcase_add_test(tc, test_double_known_answer);
	tcase_add_test(tc, test_below_in_range);
	tcase_add_test_raise_signal(tc, test_below_zero_aborts, SIGABRT);
	tcase_add_test(tc, test_below_chi_square);
	tcase_add_test(tc, test_double_range);
	tcase_add_test(tc, test_double_never_one);
	suite_add_tcase(s, tc);
	return s;
}
