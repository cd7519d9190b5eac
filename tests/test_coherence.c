/*
 * The hierarchy and its coherence: which level serves an access and what it
 * costs, ping-pong of a written line, private lines, read sharing.
 *
 * Machine: the x86_64-numa2 preset (CPUs 0 and 1 on node 0, 2 and 3 on node
 * 1, distance 20 across) with the default costs: L1 4, L2 14, LLC 50,
 * DRAM 200 local, c2c 60 within a node.
 */
#include <check.h>

#include "hw/dma.h"
#include "hw/hw.h"

#define MiB (UINT64_C(1) << 20)

static struct hw *hw;

static void setup(void)
{
	struct hw_machine_desc d;
	char err[256];
	ck_assert_int_eq(hw_preset("x86_64-numa2", 0, 0, &d, err, sizeof err), 0);
	hw = hw_create(&d, err, sizeof err);
	ck_assert_ptr_nonnull(hw);
}

static void teardown(void)
{
	hw_destroy(hw);
}

static const uint64_t X = 16 * MiB;   /* a line on node 0 */

START_TEST(levels_and_lines)
{
	/* cold: DRAM at local distance, 200 */
	ck_assert_uint_eq(hw_access(hw, 0, X, 8, HW_READ), 200);
	ck_assert_uint_eq(hw_access(hw, 0, X, 8, HW_READ), 4);
	/* 128 aligned bytes are two lines; 8 bytes across a boundary too */
	ck_assert_uint_eq(hw_access(hw, 0, X + 4096, 128, HW_READ), 400);
	ck_assert_uint_eq(hw_access(hw, 0, X + 4096 + 60, 8, HW_READ), 8);
	/* A 64 KiB scan pushes X out of the 32 KiB L1 (each of the 64 sets sees
	 * 16 new lines for 8 ways) but not out of the 1 MiB L2: 14. */
	for (uint64_t a = 0; a < 64 * 1024; a += 64)
		hw_access(hw, 0, X + MiB + a, 8, HW_READ);
	ck_assert_uint_eq(hw_access(hw, 0, X, 8, HW_READ), 14);
	/* A 2 MiB scan pushes it out of L2 (32 lines per 16-way set), not out
	 * of the 16 MiB LLC: 50. */
	for (uint64_t a = 0; a < 2 * MiB; a += 64)
		hw_access(hw, 0, X + 2 * MiB + a, 8, HW_READ);
	ck_assert_uint_eq(hw_access(hw, 0, X, 8, HW_READ), 50);
	/* the other CPU of the node finds it in the shared LLC: 50 */
	ck_assert_uint_eq(hw_access(hw, 1, X, 8, HW_READ), 50);
	ck_assert_uint_eq(hw_access(hw, 0, X, 0, HW_READ), 0);
	const struct hw_cpu_stats *st = hw_cpu_stats(hw, 0);
	ck_assert_uint_eq(st->c2c_local + st->c2c_remote, 0);
	ck_assert_uint_eq(hw_cache_stats(hw, HW_L1D, 0)->read_hits, 3); /* X, and the two lines at X+4096+60 */
}
END_TEST

START_TEST(ping_pong_same_node)
{
	/* CPUs 0 and 1 write the same line in turn: after the cold miss, every
	 * write finds it Modified in the other CPU: one transfer of c2c = 60. */
	ck_assert_uint_eq(hw_access(hw, 0, X, 8, HW_WRITE), 200);
	for (int i = 0; i < 10; i++) {
		ck_assert_uint_eq(hw_access(hw, 1, X, 8, HW_WRITE), 60);
		ck_assert_uint_eq(hw_access(hw, 0, X, 8, HW_WRITE), 60);
	}
	ck_assert_uint_eq(hw_cpu_stats(hw, 0)->c2c_local, 10);
	ck_assert_uint_eq(hw_cpu_stats(hw, 1)->c2c_local, 10);
	ck_assert_uint_eq(hw_cpu_stats(hw, 0)->inval_received, 10);
	ck_assert_uint_eq(hw_cpu_stats(hw, 1)->inval_sent, 10);
	/* a read of the line the other holds Modified is a transfer too */
	ck_assert_uint_eq(hw_access(hw, 1, X, 8, HW_READ), 60);
}
END_TEST

START_TEST(ping_pong_across_nodes)
{
	/* CPUs 0 (node 0) and 2 (node 1): c2c + dram * (20 - 10) / 10 =
	 * 60 + 200 = 260 every time, dearer than the 60 within a node. */
	hw_access(hw, 0, X, 8, HW_WRITE);
	for (int i = 0; i < 10; i++) {
		ck_assert_uint_eq(hw_access(hw, 2, X, 8, HW_WRITE), 260);
		ck_assert_uint_eq(hw_access(hw, 0, X, 8, HW_WRITE), 260);
	}
	ck_assert_uint_eq(hw_cpu_stats(hw, 0)->c2c_remote, 10);
	ck_assert_uint_eq(hw_cpu_stats(hw, 2)->c2c_remote, 10);
	ck_assert_uint_eq(hw_c2c_cost(hw, 0, 1), 260);
	ck_assert_uint_eq(hw_c2c_cost(hw, 0, 0), 60);
}
END_TEST

START_TEST(private_lines_stay_cheap)
{
	/* Per-CPU data: each CPU writes its own line (even of one page): after
	 * the cold miss, L1 hits at 4 cycles and no transfer ever happens. */
	uint64_t mine[4] = { X, X + 64, X + 128, X + 192 };
	for (int c = 0; c < 4; c++)
		hw_access(hw, c, mine[c], 8, HW_WRITE);
	for (int i = 0; i < 100; i++)
		for (int c = 0; c < 4; c++)
			ck_assert_uint_eq(hw_access(hw, c, mine[c], 8, HW_WRITE), 4);
	for (int c = 0; c < 4; c++) {
		const struct hw_cpu_stats *st = hw_cpu_stats(hw, c);
		ck_assert_uint_eq(st->c2c_local + st->c2c_remote, 0);
		ck_assert_uint_eq(st->inval_sent + st->inval_received, 0);
		ck_assert_uint_eq(hw_cache_stats(hw, HW_L1D, c)->write_hits, 100);
	}
}
END_TEST

START_TEST(read_sharing_does_not_invalidate)
{
	/* CPU 0 reads (DRAM 200), CPU 1 reads: CPU 0's copy is clean, so the
	 * line comes from the node's LLC (50). Then both hit forever. */
	ck_assert_uint_eq(hw_access(hw, 0, X, 8, HW_READ), 200);
	ck_assert_uint_eq(hw_access(hw, 1, X, 8, HW_READ), 50);
	for (int i = 0; i < 10; i++) {
		ck_assert_uint_eq(hw_access(hw, 0, X, 8, HW_READ), 4);
		ck_assert_uint_eq(hw_access(hw, 1, X, 8, HW_READ), 4);
	}
	/* across nodes: CPU 2 reads from DRAM at distance 20 (400); CPU 0 keeps
	 * its copy */
	ck_assert_uint_eq(hw_access(hw, 2, X, 8, HW_READ), 400);
	ck_assert_uint_eq(hw_access(hw, 0, X, 8, HW_READ), 4);
	for (int c = 0; c < 3; c++)
		ck_assert_uint_eq(hw_cpu_stats(hw, c)->inval_received, 0);

	/* Now CPU 0 writes the shared line: an upgrade. It hits in L1 (4) and
	 * waits for the farthest invalidation: CPU 2 on node 1 and node 1's LLC,
	 * c2c 260. Three copies invalidated: CPU 1, CPU 2, node 1's LLC. */
	ck_assert_uint_eq(hw_access(hw, 0, X, 8, HW_WRITE), 4 + 260);
	ck_assert_uint_eq(hw_cpu_stats(hw, 0)->inval_sent, 3);
	ck_assert_uint_eq(hw_cpu_stats(hw, 0)->upgrades, 1);
	ck_assert_uint_eq(hw_cpu_stats(hw, 1)->inval_received, 1);
	/* the writer owns it now: further writes are plain hits */
	ck_assert_uint_eq(hw_access(hw, 0, X, 8, HW_WRITE), 4);
	/* CPU 1 reads the Modified line: transfer; CPU 0 writes it back and
	 * both share it clean */
	uint64_t wb = hw_cache_stats(hw, HW_L1D, 0)->writebacks;
	ck_assert_uint_eq(hw_access(hw, 1, X, 8, HW_READ), 60);
	ck_assert_uint_eq(hw_cache_stats(hw, HW_L1D, 0)->writebacks, wb + 1);
	ck_assert_uint_eq(hw_access(hw, 0, X, 8, HW_READ), 4);
	ck_assert_uint_eq(hw_access(hw, 1, X, 8, HW_READ), 4);
}
END_TEST

START_TEST(dirty_lines_flow_down)
{
	/* Dirty lines pushed out of L1 are written back into L2 and, pushed out
	 * of L2, into the LLC; the data is then found there. */
	for (uint64_t a = 0; a < 2 * MiB; a += 64)
		hw_access(hw, 0, X + a, 8, HW_WRITE);
	/* 2 MiB of dirty lines: 32768 lines, L1 holds 512, so 32256 dirty L1
	 * evictions, all written back */
	ck_assert_uint_eq(hw_cache_stats(hw, HW_L1D, 0)->writebacks, 32768 - 512);
	/* L2 holds 16384 lines: the other 16384 were written back to the LLC */
	ck_assert_uint_eq(hw_cache_stats(hw, HW_L2, 0)->writebacks, 32768 - 16384);
	/* X left L1 and L2 long ago; the LLC has it dirty: 50 */
	ck_assert_uint_eq(hw_access(hw, 0, X, 8, HW_READ), 50);
	/* CPU 2 on the other node reading it finds node 0's dirty LLC copy: a
	 * cross-node transfer, 260 */
	ck_assert_uint_eq(hw_access(hw, 2, X + 64, 8, HW_READ), 260);
}
END_TEST

START_TEST(memport_and_accessors)
{
	struct sim_memport mp = hw_memport(hw);
	ck_assert_uint_eq(mp.access(mp.ctx, 3, X, 4, HW_READ), 400);
	ck_assert_int_eq(hw_ncpus(hw), 4);
	ck_assert_int_eq(hw_nnodes(hw), 2);
	ck_assert_int_eq(hw_cpu_node(hw, 3), 1);
	ck_assert_str_eq(hw_desc(hw)->name, "x86_64-numa2");
	ck_assert_uint_eq(hw_cpu_stats(hw, 3)->dram_remote, 1);
	ck_assert_uint_eq(hw_cpu_stats(hw, 3)->accesses, 1);
	/* a bad description is refused with the validator's message */
	struct hw_machine_desc d = *hw_desc(hw);
	char err[256];
	d.cpus[1].node = 7;
	ck_assert_ptr_null(hw_create(&d, err, sizeof err));
	ck_assert_str_eq(err, "cpus[1].node: 7 is not a node (the machine has 2)");
}
END_TEST

/* How snoops find the other copies (hw_set_snoop_directory and
 * hw_set_snoop_filter). */
enum snoop_mode { DIRECTORY, FILTER, BROADCAST };

/* Random reads, writes and DMA from every CPU of a preset over 512 lines on
 * the first two nodes, with caches small enough (L1 1 KiB, L2 4 KiB, LLC 16
 * KiB) that lines are evicted all the time; snoops in the given mode.
 * Returns the total cycles, and the sum of every CPU's counters in *sum. */
static cycle_t stress(const char *preset, enum snoop_mode mode, int check_every, uint64_t *sum)
{
	struct hw_machine_desc d;
	char err[256];
	ck_assert_int_eq(hw_preset(preset, 0, 0, &d, err, sizeof err), 0);
	d.l1d = (struct hw_cache_params){ 1024, 2, 64, 4, HW_REPL_LRU };
	d.l2 = (struct hw_cache_params){ 4096, 4, 64, 14, HW_REPL_FIFO };
	d.llc = (struct hw_cache_params){ 16384, 4, 64, 50, HW_REPL_RANDOM };
	struct hw *h = hw_create(&d, err, sizeof err);
	ck_assert_ptr_nonnull(h);
	hw_set_snoop_directory(h, mode == DIRECTORY);
	hw_set_snoop_filter(h, mode == FILTER);
	int dev = hw_dma_attach(h, "dev", 64, 8, 10);
	uint64_t x = 42;
	cycle_t total = 0;
	for (int i = 0; i < 20000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* half the lines on node 0, half on node 1 (both presets have
		 * node 1 at 5 GiB or above) */
		uint64_t line = (x >> 8) % 512;
		uint64_t a = (line < 256 ? 16 * MiB : 6 * (MiB << 10)) + line * 64;
		int cpu = (int)(x % (uint64_t)hw_ncpus(h));
		if (x % 97 == 0) {
			cycle_t c;
			ck_assert_int_eq(hw_dma_transfer(h, dev, a, 256, (int)(x >> 3) & 1, &c), 0);
			total += c;
		} else {
			total += hw_access(h, cpu, a, 8, (x >> 5) % 3 == 0);
		}
		if (check_every && i % check_every == 0 && hw_check(h, err, sizeof err))
			ck_abort_msg("%s after %d operations: %s", preset, i + 1, err);
	}
	ck_assert_int_eq(hw_check(h, err, sizeof err), 0);
	/* Every counter of every CPU and cache, hashed (FNV-1a over their
	 * bytes) so that two runs agree only if each counter does. */
	*sum = 0xcbf29ce484222325u;
	for (int c = 0; c < hw_ncpus(h); c++) {
		const void *v[3] = { hw_cpu_stats(h, c), hw_cache_stats(h, HW_L1D, c),
				     hw_cache_stats(h, HW_L2, c) };
		size_t n[3] = { sizeof(struct hw_cpu_stats), sizeof(struct cache_stats),
				sizeof(struct cache_stats) };
		for (int k = 0; k < 3; k++)
			for (size_t i = 0; i < n[k]; i++)
				*sum = (*sum ^ ((const unsigned char *)v[k])[i]) * 0x100000001b3u;
	}
	for (int m = 0; m < hw_nnodes(h); m++) {
		const unsigned char *w = (const unsigned char *)hw_cache_stats(h, HW_LLC, m);
		for (size_t i = 0; i < sizeof(struct cache_stats); i++)
			*sum = (*sum ^ w[i]) * 0x100000001b3u;
	}
	hw_destroy(h);
	return total;
}

START_TEST(stress_keeps_invariants)
{
	/* every invariant holds after every operation, whichever way snoops
	 * find the other copies, and all three ways give the same costs and
	 * counters; and a run is deterministic */
	uint64_t sa, sb, sc;
	cycle_t a = stress("x86_64-numa2", BROADCAST, 1, &sa);
	ck_assert_uint_eq(stress("x86_64-numa2", DIRECTORY, 1, &sb), a);
	ck_assert_uint_eq(sb, sa);
	ck_assert_uint_eq(stress("x86_64-numa2", FILTER, 1, &sc), a);
	ck_assert_uint_eq(sc, sa);
	ck_assert_uint_eq(stress("x86_64-numa2", FILTER, 0, &sc), a);
	ck_assert_uint_eq(sc, sa);
	cycle_t b = stress("x86_64-numa4", DIRECTORY, 7, &sa);
	ck_assert_uint_eq(stress("x86_64-numa4", FILTER, 7, &sb), b);
	ck_assert_uint_eq(sb, sa);
	ck_assert_uint_eq(stress("x86_64-numa4", BROADCAST, 7, &sc), b);
	ck_assert_uint_eq(sc, sa);
	/* two CPUs: the x86_64 preset */
	b = stress("x86_64", BROADCAST, 3, &sa);
	ck_assert_uint_eq(stress("x86_64", FILTER, 3, &sb), b);
	ck_assert_uint_eq(sb, sa);
}
END_TEST

Suite *coherence_suite(void)
{
	Suite *s = suite_create("coherence");
	TCase *tc = tcase_create("coherence");
	/* The stress test checks every invariant after every access: seconds
	 * under ASan on a busy machine, beyond Check's default 4 s. */
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, levels_and_lines);
	tcase_add_test(tc, ping_pong_same_node);
	tcase_add_test(tc, ping_pong_across_nodes);
	tcase_add_test(tc, private_lines_stay_cheap);
	tcase_add_test(tc, read_sharing_does_not_invalidate);
	tcase_add_test(tc, dirty_lines_flow_down);
	tcase_add_test(tc, memport_and_accessors);
	tcase_add_test(tc, stress_keeps_invariants);
	suite_add_tcase(s, tc);
	return s;
}
