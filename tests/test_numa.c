/*
 * DRAM at NUMA distance: the same cold access from a local and a remote CPU
 * differs by the SLIT ratio (cost = dram_latency * distance / 10), and the
 * cost switch turns everything off.
 */
#include <check.h>

#include "hw/hw.h"

#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)

static struct hw *make(const char *preset)
{
	struct hw_machine_desc d;
	char err[256];
	ck_assert_int_eq(hw_preset(preset, 0, 0, &d, err, sizeof err), 0);
	struct hw *hw = hw_create(&d, err, sizeof err);
	ck_assert_ptr_nonnull(hw);
	return hw;
}

START_TEST(numa2_local_versus_remote)
{
	/* 8 GiB over 2 nodes: node 1 starts at 5 GiB (the PCI hole moved 1 GiB
	 * of node 0 above 4 GiB). CPU 2 is on node 1, CPU 0 on node 0. */
	struct hw *hw = make("x86_64-numa2");
	uint64_t a = 6 * GiB;
	ck_assert_int_eq(hw_desc_node_of(hw_desc(hw), a), 1);
	cycle_t local = hw_access(hw, 2, a, 8, HW_READ);
	cycle_t remote = hw_access(hw, 0, a + 64, 8, HW_READ);
	ck_assert_uint_eq(local, 200);          /* 200 * 10 / 10 */
	ck_assert_uint_eq(remote, 400);         /* 200 * 20 / 10 */
	ck_assert_uint_eq(remote * 10, local * 20);
	ck_assert_uint_eq(hw_cpu_stats(hw, 2)->dram_local, 1);
	ck_assert_uint_eq(hw_cpu_stats(hw, 0)->dram_remote, 1);
	ck_assert_uint_eq(hw_cpu_stats(hw, 0)->dram_cycles, 400);
	hw_destroy(hw);
}
END_TEST

START_TEST(numa4_follows_the_matrix)
{
	/*
	 * 16 GiB over 4 nodes, 4 GiB each: node 0 [0, 5 GiB) across the PCI
	 * hole, node n [(4n + 1) GiB, (4n + 5) GiB) after it; CPUs 2n and 2n+1
	 * on node n. The SLIT is asymmetric: row 0 is 10 16 21 31, row 2 is
	 * 22 31 10 16. Every cold read from node i to node j must cost
	 * 200 * distance[i][j] / 10, each on a fresh line.
	 */
	struct hw *hw = make("x86_64-numa4");
	const struct hw_machine_desc *d = hw_desc(hw);
	uint64_t base[4] = { 1 * GiB, 5 * GiB, 9 * GiB, 13 * GiB };
	uint64_t fresh = 0;
	for (int i = 0; i < 4; i++) {
		for (int j = 0; j < 4; j++) {
			uint64_t a = base[j] + 64 * MiB + fresh;
			fresh += 4096;
			ck_assert_int_eq(hw_desc_node_of(d, a), j);
			cycle_t c = hw_access(hw, 2 * i, a, 8, HW_READ);
			ck_assert_uint_eq(c, 200 * d->distance[i][j] / 10);
			ck_assert_uint_eq(hw_dram_cost(hw, 2 * i, a), c);
		}
	}
	/* the asymmetric pair, spelled out: 0 -> 2 is 21 (420), 2 -> 0 is 22 (440) */
	ck_assert_uint_eq(hw_dram_cost(hw, 0, base[2]), 420);
	ck_assert_uint_eq(hw_dram_cost(hw, 4, base[0]), 440);
	/* a transfer across the farthest pair (31): 60 + 200 * 21 / 10 = 480 */
	uint64_t x = base[3] + 128 * MiB;
	hw_access(hw, 6, x, 8, HW_WRITE);
	ck_assert_uint_eq(hw_access(hw, 0, x, 8, HW_WRITE), 480);
	/* and the nearest (16): 60 + 200 * 6 / 10 = 180 */
	ck_assert_uint_eq(hw_access(hw, 2, x, 8, HW_WRITE), 60 + 120);
	hw_destroy(hw);
}
END_TEST

START_TEST(cost_model_off)
{
	struct hw *hw = make("x86_64-numa2");
	hw_set_cost_model(hw, false);
	ck_assert(!hw_cost_model(hw));
	ck_assert_uint_eq(hw_access(hw, 0, 6 * GiB, 4096, HW_WRITE), 0);
	ck_assert_uint_eq(hw_access(hw, 1, 6 * GiB, 8, HW_READ), 0);
	ck_assert_uint_eq(hw_cpu_stats(hw, 0)->accesses, 0);
	ck_assert_uint_eq(hw_cache_stats(hw, HW_L1D, 0)->write_misses, 0);
	hw_set_cost_model(hw, true);
	/* nothing was cached while off */
	ck_assert_uint_eq(hw_access(hw, 0, 6 * GiB, 8, HW_READ), 400);
	hw_destroy(hw);
}
END_TEST

Suite *numa_suite(void)
{
	Suite *s = suite_create("numa");
	TCase *tc = tcase_create("numa");
	tcase_add_test(tc, numa2_local_versus_remote);
	tcase_add_test(tc, numa4_follows_the_matrix);
	tcase_add_test(tc, cost_model_off);
	suite_add_tcase(s, tc);
	return s;
}
