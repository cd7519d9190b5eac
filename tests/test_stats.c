/*
 * Tests of sim/stats: the registry (order, lookup, duplicate names), the
 * histogram (bucket layout, percentiles against exact values and the stated
 * error bound, merge) and snapshots (subtraction, gauges, entries registered
 * between two snapshots).
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "sim/stats.h"

extern Suite *stats_suite(void);

/* ---- Registry ---- */

START_TEST(test_counters_by_index_and_name)
{
	struct stats_registry *reg = stats_create();
	struct { uint64_t hits, misses; } l1 = {0, 0};
	uint64_t free_pages = 100;

	stats_add_counter(reg, "cpu0.l1d.hits", "L1d lookups that hit", &l1.hits);
	stats_add_counter(reg, "cpu0.l1d.misses", "L1d lookups that missed", &l1.misses);
	stats_add_gauge(reg, "node0.free", "free pages", &free_pages);
	ck_assert_uint_eq(stats_count(reg), 3);

	l1.hits += 7;
	l1.misses = 3;
	free_pages = 42;

	ck_assert_str_eq(stats_name(reg, 0), "cpu0.l1d.hits");
	ck_assert_str_eq(stats_desc(reg, 0), "L1d lookups that hit");
	ck_assert_int_eq(stats_kind(reg, 0), STATS_COUNTER);
	ck_assert_uint_eq(stats_value(reg, 0), 7);
	ck_assert_str_eq(stats_name(reg, 1), "cpu0.l1d.misses");
	ck_assert_uint_eq(stats_value(reg, 1), 3);
	ck_assert_int_eq(stats_kind(reg, 2), STATS_GAUGE);
	ck_assert_uint_eq(stats_value(reg, 2), 42);
	ck_assert_ptr_null(stats_hist(reg, 0));

	ck_assert_uint_eq(stats_find(reg, "cpu0.l1d.misses"), 1);
	ck_assert_uint_eq(stats_find(reg, "node0.free"), 2);
	ck_assert_uint_eq(stats_find(reg, "cpu0.l1d"), STATS_NONE);
	ck_assert_uint_eq(stats_find(reg, "cpu0.l1d.hitsx"), STATS_NONE);
	ck_assert_uint_eq(stats_value(reg, stats_find(reg, "cpu0.l1d.hits")), 7);
	stats_destroy(reg);
}
END_TEST

/* The name is copied: the caller's buffer may be reused (names built with
 * snprintf in a loop); a NULL description reads back as "". */
START_TEST(test_name_copied)
{
	struct stats_registry *reg = stats_create();
	uint64_t v[4] = {10, 11, 12, 13};
	char name[32];
	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof name, "cpu%d.tlb.walks", i);
		stats_add_counter(reg, name, NULL, &v[i]);
	}
	strcpy(name, "garbage");
	ck_assert_str_eq(stats_name(reg, 3), "cpu3.tlb.walks");
	ck_assert_str_eq(stats_desc(reg, 3), "");
	ck_assert_uint_eq(stats_value(reg, stats_find(reg, "cpu2.tlb.walks")), 12);
	stats_destroy(reg);
}
END_TEST

/* Thousands of entries: order is registration order, and every name is found
 * at its index (the hash table grows many times on the way). */
START_TEST(test_many_entries_keep_order)
{
	enum { N = 5000 };
	static uint64_t v[N];
	struct stats_registry *reg = stats_create();
	char name[32];
	for (int i = 0; i < N; i++) {
		v[i] = (uint64_t)i * 3;
		snprintf(name, sizeof name, "c%d.x", (i * 7919) % N);
		stats_add_counter(reg, name, "d", &v[i]);
	}
	ck_assert_uint_eq(stats_count(reg), N);
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof name, "c%d.x", (i * 7919) % N);
		ck_assert_str_eq(stats_name(reg, (size_t)i), name);
		ck_assert_uint_eq(stats_find(reg, name), (size_t)i);
		ck_assert_uint_eq(stats_value(reg, (size_t)i), (uint64_t)i * 3);
	}
	stats_destroy(reg);
}
END_TEST

START_TEST(test_counter_array)
{
	enum { L1_HITS, L1_MISSES, L1_WRITEBACKS, L1_NR };
	static const struct stats_def defs[L1_NR] = {
		[L1_HITS] = {"hits", "lookups that hit"},
		[L1_MISSES] = {"misses", "lookups that missed"},
		[L1_WRITEBACKS] = {"writebacks", "dirty lines written back"},
	};
	uint64_t st[L1_NR] = {5, 6, 7};
	struct stats_registry *reg = stats_create();
	stats_add_counters(reg, "cpu1.l1d", defs, L1_NR, st);
	stats_add_counters(reg, NULL, defs, 1, st);
	ck_assert_uint_eq(stats_count(reg), 4);
	ck_assert_str_eq(stats_name(reg, 0), "cpu1.l1d.hits");
	ck_assert_str_eq(stats_name(reg, 2), "cpu1.l1d.writebacks");
	ck_assert_str_eq(stats_desc(reg, 2), "dirty lines written back");
	ck_assert_str_eq(stats_name(reg, 3), "hits");
	st[L1_MISSES]++;
	ck_assert_uint_eq(stats_value(reg, stats_find(reg, "cpu1.l1d.misses")), 7);
	stats_destroy(reg);
}
END_TEST

START_TEST(test_duplicate_name_aborts)
{
	struct stats_registry *reg = stats_create();
	uint64_t a = 0, b = 0;
	stats_add_counter(reg, "zone.dma.alloc", "", &a);
	stats_add_gauge(reg, "zone.dma.alloc", "", &b);
}
END_TEST

START_TEST(test_bad_name_aborts)
{
	struct stats_registry *reg = stats_create();
	uint64_t a = 0;
	stats_add_counter(reg, "has space", "", &a);
}
END_TEST

START_TEST(test_multiline_desc_aborts)
{
	struct stats_registry *reg = stats_create();
	uint64_t a = 0;
	stats_add_counter(reg, "a", "two\nlines", &a);
}
END_TEST

/* ---- Histograms ---- */

/* The buckets tile the whole 64-bit range in order, each bound maps back to
 * its bucket, and widths respect the 1/32 bound. */
START_TEST(test_hist_bucket_layout)
{
	uint64_t prev_hi = 0;
	for (unsigned i = 0; i < STATS_HIST_BUCKETS; i++) {
		uint64_t lo, hi;
		stats_hist_bucket_bounds(i, &lo, &hi);
		if (i == 0)
			ck_assert_uint_eq(lo, 0);
		else
			ck_assert_uint_eq(lo, prev_hi + 1);
		ck_assert_uint_ge(hi, lo);
		ck_assert_uint_eq(stats_hist_index(lo), i);
		ck_assert_uint_eq(stats_hist_index(hi), i);
		if (lo < 64)
			ck_assert_uint_eq(hi, lo);
		else
			ck_assert_uint_le(hi - lo + 1, lo / 32);
		prev_hi = hi;
	}
	ck_assert_uint_eq(prev_hi, UINT64_MAX);
	ck_assert_uint_eq(stats_hist_index(UINT64_MAX), STATS_HIST_BUCKETS - 1);
}
END_TEST

/* The rank-th smallest of 1..n is rank itself; check the definition
 * against that for every whole percentile. */
START_TEST(test_hist_uniform_1_1000)
{
	static struct stats_hist h;
	for (uint64_t v = 1000; v >= 1; v--)
		stats_hist_add(&h, v);
	ck_assert_uint_eq(h.count, 1000);
	ck_assert_uint_eq(h.sum, 500500);
	ck_assert_uint_eq(h.min, 1);
	ck_assert_uint_eq(h.max, 1000);

	/* 500 is in [496, 503], 900 in [896, 911], 990 in [976, 991]. */
	ck_assert_uint_eq(stats_hist_percentile(&h, 50), 503);
	ck_assert_uint_eq(stats_hist_percentile(&h, 90), 911);
	ck_assert_uint_eq(stats_hist_percentile(&h, 99), 991);
	ck_assert_uint_eq(stats_hist_percentile(&h, 100), 1000);
	ck_assert_uint_eq(stats_hist_percentile(&h, 0), 1);
	ck_assert_uint_eq(stats_hist_percentile(&h, 0.1), 1);
	ck_assert_uint_eq(stats_hist_percentile(&h, 5), 50);   /* exact below 64 */
	ck_assert(stats_hist_mean(&h) == 500.5);

	uint64_t prev = 0;
	for (int p = 0; p <= 100; p++) {
		uint64_t exact = (uint64_t)(p * 10);
		if (exact == 0)
			exact = 1;
		uint64_t r = stats_hist_percentile(&h, p);
		ck_assert_uint_ge(r, exact);
		ck_assert_uint_le(r, exact + exact / 32);
		ck_assert_uint_ge(r, prev);
		prev = r;
	}
}
END_TEST

START_TEST(test_hist_single_value)
{
	static struct stats_hist h;
	stats_hist_add(&h, 12345);
	ck_assert_uint_eq(stats_hist_percentile(&h, 0), 12345);
	ck_assert_uint_eq(stats_hist_percentile(&h, 50), 12345);
	ck_assert_uint_eq(stats_hist_percentile(&h, 99), 12345);
	ck_assert_uint_eq(stats_hist_percentile(&h, 100), 12345);
	ck_assert_uint_eq(h.min, 12345);
	ck_assert_uint_eq(h.max, 12345);
}
END_TEST

START_TEST(test_hist_small_values_exact)
{
	static struct stats_hist h;
	for (uint64_t v = 0; v < 64; v++)
		stats_hist_add(&h, v);
	ck_assert_uint_eq(h.min, 0);
	ck_assert_uint_eq(h.max, 63);
	/* rank ceil(p * 64 / 100) holds value rank - 1 */
	ck_assert_uint_eq(stats_hist_percentile(&h, 50), 31);
	ck_assert_uint_eq(stats_hist_percentile(&h, 90), 57);
	ck_assert_uint_eq(stats_hist_percentile(&h, 99), 63);
	ck_assert_uint_eq(stats_hist_percentile(&h, 100), 63);
	ck_assert_uint_eq(stats_hist_percentile(&h, 0), 0);
	for (uint64_t v = 0; v < 64; v++)
		ck_assert_uint_eq(h.buckets[v], 1);
}
END_TEST

START_TEST(test_hist_extremes)
{
	static struct stats_hist h;
	ck_assert_uint_eq(stats_hist_percentile(&h, 50), 0);   /* empty */
	ck_assert(stats_hist_mean(&h) == 0.0);
	stats_hist_add(&h, UINT64_MAX);
	stats_hist_add(&h, 0);
	ck_assert_uint_eq(h.buckets[STATS_HIST_BUCKETS - 1], 1);
	ck_assert_uint_eq(h.buckets[0], 1);
	ck_assert_uint_eq(stats_hist_percentile(&h, 50), 0);
	ck_assert_uint_eq(stats_hist_percentile(&h, 51), UINT64_MAX);
	ck_assert_uint_eq(stats_hist_percentile(&h, 100), UINT64_MAX);
	/* a large value's percentile is its bucket's top, within 1/32 */
	static struct stats_hist g;
	uint64_t x = UINT64_C(1000000007);
	stats_hist_add(&g, 1);
	stats_hist_add(&g, x);
	stats_hist_add(&g, x * 2);
	uint64_t r = stats_hist_percentile(&g, 50);
	ck_assert_uint_ge(r, x);
	ck_assert_uint_le(r, x + x / 32);
	ck_assert_uint_eq(stats_hist_percentile(&g, 100), x * 2);
}
END_TEST

START_TEST(test_hist_percentile_out_of_range_aborts)
{
	static struct stats_hist h;
	stats_hist_add(&h, 1);
	stats_hist_percentile(&h, 100.5);
}
END_TEST

/* Merging the halves gives, bit for bit, the histogram of the whole; merging
 * with an empty histogram changes nothing either way round. */
START_TEST(test_hist_merge)
{
	static struct stats_hist lo, hi, all, empty, copy;
	for (uint64_t v = 1; v <= 1000; v++) {
		stats_hist_add(v <= 500 ? &lo : &hi, v * 37);
		stats_hist_add(&all, v * 37);
	}
	stats_hist_merge(&hi, &lo);
	ck_assert_int_eq(memcmp(&hi, &all, sizeof all), 0);
	ck_assert_uint_eq(hi.min, 37);
	ck_assert_uint_eq(hi.max, 37000);

	stats_hist_merge(&hi, &empty);
	ck_assert_int_eq(memcmp(&hi, &all, sizeof all), 0);
	stats_hist_merge(&copy, &all);
	ck_assert_int_eq(memcmp(&copy, &all, sizeof all), 0);

	stats_hist_reset(&copy);
	ck_assert_int_eq(memcmp(&copy, &empty, sizeof empty), 0);
}
END_TEST

START_TEST(test_hist_registered)
{
	static struct stats_hist h;
	struct stats_registry *reg = stats_create();
	uint64_t c = 1;
	stats_add_counter(reg, "c", "a counter", &c);
	stats_add_hist(reg, "cpu0.alloc.latency", "cycles per page allocation", &h);
	stats_hist_add(&h, 10);
	stats_hist_add(&h, 20);
	size_t i = stats_find(reg, "cpu0.alloc.latency");
	ck_assert_uint_eq(i, 1);
	ck_assert_int_eq(stats_kind(reg, i), STATS_HIST);
	ck_assert_ptr_eq(stats_hist(reg, i), &h);
	ck_assert_uint_eq(stats_value(reg, i), 2);
	ck_assert_uint_eq(stats_hist_percentile(stats_hist(reg, i), 100), 20);
	stats_destroy(reg);
}
END_TEST

/* ---- Snapshots ---- */

START_TEST(test_snapshot_diff)
{
	static struct stats_hist lat;
	struct stats_registry *reg = stats_create();
	uint64_t hits = 0, free_pages = 1000, late = 0;
	stats_add_counter(reg, "hits", "", &hits);
	stats_add_gauge(reg, "free", "", &free_pages);
	stats_add_hist(reg, "lat", "", &lat);

	/* warm-up */
	hits = 50;
	free_pages = 900;
	stats_hist_add(&lat, 100);
	struct stats_snapshot warm = STATS_SNAPSHOT_INIT, end = STATS_SNAPSHOT_INIT,
			      d = STATS_SNAPSHOT_INIT;
	stats_snapshot_take(reg, &warm);
	ck_assert_uint_eq(warm.n, 3);
	ck_assert_uint_eq(warm.value[0], 50);
	ck_assert_uint_eq(warm.value[2], 1);
	ck_assert_uint_eq(warm.sum[2], 100);

	/* measured part; a counter appears in the middle of it */
	hits = 80;
	free_pages = 700;
	stats_hist_add(&lat, 30);
	stats_hist_add(&lat, 40);
	stats_add_counter(reg, "late", "", &late);
	late = 9;
	stats_snapshot_take(reg, &end);
	ck_assert_uint_eq(end.n, 4);

	stats_snapshot_diff(&end, &warm, &d);
	ck_assert_uint_eq(d.n, 4);
	ck_assert_uint_eq(d.value[0], 30);    /* counter: 80 - 50 */
	ck_assert_uint_eq(d.value[1], 700);   /* gauge: the later level */
	ck_assert_uint_eq(d.value[2], 2);     /* two samples after warm-up */
	ck_assert_uint_eq(d.sum[2], 70);
	ck_assert_uint_eq(d.value[3], 9);     /* registered after warm: from zero */

	/* the snapshots themselves are unchanged */
	ck_assert_uint_eq(end.value[0], 80);
	ck_assert_uint_eq(warm.value[0], 50);

	/* refill a snapshot, and diff in place */
	hits = 100;
	stats_snapshot_take(reg, &warm);
	ck_assert_uint_eq(warm.n, 4);
	ck_assert_uint_eq(warm.value[0], 100);
	stats_snapshot_diff(&warm, &end, &warm);
	ck_assert_uint_eq(warm.value[0], 20);
	ck_assert_uint_eq(warm.value[3], 0);

	/* diff against an empty snapshot is the later one */
	struct stats_snapshot none = STATS_SNAPSHOT_INIT;
	stats_snapshot_diff(&end, &none, &d);
	ck_assert_uint_eq(d.value[0], 80);

	stats_snapshot_free(&warm);
	stats_snapshot_free(&end);
	stats_snapshot_free(&d);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_ptr_null(d.value);
	stats_destroy(reg);
}
END_TEST

START_TEST(test_snapshot_swapped_aborts)
{
	struct stats_registry *reg = stats_create();
	uint64_t a = 0, b = 0;
	struct stats_snapshot s1 = STATS_SNAPSHOT_INIT, s2 = STATS_SNAPSHOT_INIT,
			      d = STATS_SNAPSHOT_INIT;
	stats_add_counter(reg, "a", "", &a);
	stats_snapshot_take(reg, &s1);
	stats_add_counter(reg, "b", "", &b);
	stats_snapshot_take(reg, &s2);
	stats_snapshot_diff(&s1, &s2, &d);
}
END_TEST

Suite *stats_suite(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("registry");
	tcase_add_test(tc, test_counters_by_index_and_name);
	tcase_add_test(tc, test_name_copied);
	tcase_add_test(tc, test_many_entries_keep_order);
	tcase_add_test(tc, test_counter_array);
	tcase_add_test_raise_signal(tc, test_duplicate_name_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, test_bad_name_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, test_multiline_desc_aborts, SIGABRT);
	suite_add_tcase(s, tc);

	tc = tcase_create("hist");
	tcase_add_test(tc, test_hist_bucket_layout);
	tcase_add_test(tc, test_hist_uniform_1_1000);
	tcase_add_test(tc, test_hist_single_value);
	tcase_add_test(tc, test_hist_small_values_exact);
	tcase_add_test(tc, test_hist_extremes);
	tcase_add_test_raise_signal(tc, test_hist_percentile_out_of_range_aborts, SIGABRT);
	tcase_add_test(tc, test_hist_merge);
	tcase_add_test(tc, test_hist_registered);
	suite_add_tcase(s, tc);

	tc = tcase_create("snapshot");
	tcase_add_test(tc, test_snapshot_diff);
	tcase_add_test_raise_signal(tc, test_snapshot_swapped_aborts, SIGABRT);
	suite_add_tcase(s, tc);
	return s;
}
