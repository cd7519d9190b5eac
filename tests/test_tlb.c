/*
 * TLBs: reach (entries x page size), large pages, invalidation, shootdowns
 * with their IPI costs, faults, and page walks charged through the caches.
 *
 * The page tables are a fake with a fixed layout, so that every entry's
 * address is known: level l's entry for vaddr sits at
 *   PT_BASE + l * 16 MiB + (vaddr >> shift[l]) * entry_size (mod 16 MiB),
 * so neighbouring pages share the upper entries and their last-level entries
 * share lines, as in a real radix tree. Virtual ranges:
 *   [0, 4 KiB)            not mapped: a fault after reading the top entry
 *   [1 TiB, 16 TiB)       2 MiB pages (x86_64), 3 levels read
 *   [16 TiB, ...)         4 KiB global pages
 *   elsewhere             4 KiB pages
 * Default costs (x86_64 preset, one node): L1 4, DRAM 200, invlpg 120,
 * full flush 300, IPI 1500; dTLB 64 entries 4-way, large dTLB 32 entries
 * 4-way.
 */
#include <check.h>

#include "hw/tlb.h"

#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)
#define TiB (UINT64_C(1) << 40)

#define PT_BASE     (64 * MiB)
#define LARGE_BASE  (1 * TiB)
#define GLOBAL_BASE (16 * TiB)
#define V           (256 * MiB)     /* an ordinary 4 KiB-page region */
#define RO          (128 * MiB)     /* [RO, RO + 64 MiB): read-only pages */
#define CLEAN       (192 * MiB)     /* [CLEAN, CLEAN + 64 MiB): Dirty clear */
#define EFAULT_     (-14)

struct fake_pt {
	unsigned levels;
	unsigned shift[4];
	unsigned entry_size;
};

static const struct fake_pt pt64 = { 4, { 39, 30, 21, 12 }, 8 };
static const struct fake_pt pt32 = { 2, { 22, 12 }, 4 };

static int fake_walk(void *ctx, int cpu, uint64_t vaddr, int write, struct hw_walk *w)
{
	const struct fake_pt *pt = ctx;
	(void)cpu;
	bool large = vaddr >= LARGE_BASE && vaddr < GLOBAL_BASE;
	w->levels = vaddr < 4096 ? 1 : large ? pt->levels - 1 : pt->levels;
	w->entry_size = pt->entry_size;
	for (unsigned l = 0; l < w->levels; l++)
		w->entry[l] = PT_BASE + l * 16 * MiB +
			      ((vaddr >> pt->shift[l]) * pt->entry_size) % (16 * MiB);
	if (vaddr < 4096)
		return EFAULT_;
	w->large = large;
	w->global = vaddr >= GLOBAL_BASE;
	if (large)
		w->frame = 1 * GiB + ((vaddr - LARGE_BASE) >> 21 << 21) % GiB;
	else
		w->frame = 512 * MiB + (vaddr >> 12 << 12) % (256 * MiB);
	w->readonly = vaddr >= RO && vaddr < RO + 64 * MiB;
	/* [CLEAN, CLEAN + 64 MiB): pages whose Dirty bit a read walk finds
	 * clear (the walker sets it on a write walk). */
	w->clean = !write && vaddr >= CLEAN && vaddr < CLEAN + 64 * MiB;
	return write && w->readonly ? EFAULT_ : 0;
}

static struct hw *make(const char *preset, int ncpus, const struct fake_pt *pt)
{
	struct hw_machine_desc d;
	char err[256];
	ck_assert_int_eq(hw_preset(preset, 0, ncpus, &d, err, sizeof err), 0);
	struct hw *hw = hw_create(&d, err, sizeof err);
	ck_assert_ptr_nonnull(hw);
	struct hw_mmu mmu = { fake_walk, (void *)pt };
	for (int c = 0; c < hw_ncpus(hw); c++)
		hw_set_mmu(hw, c, &mmu);
	return hw;
}

static cycle_t vread(struct hw *hw, int cpu, uint64_t vaddr)
{
	cycle_t c;
	ck_assert_int_eq(hw_vaccess(hw, cpu, vaddr, 8, HW_READ, &c), 0);
	return c;
}

START_TEST(reach_4k)
{
	/* Reach = 64 entries x 4 KiB = 256 KiB. One read per page over 64
	 * pages: 64 misses, then a second pass hits all 64. */
	struct hw *hw = make("x86_64", 0, &pt64);
	const struct hw_tlb_stats *ts = hw_tlb_stats(hw, 0);
	for (int pass = 0; pass < 2; pass++)
		for (uint64_t p = 0; p < 64; p++)
			vread(hw, 0, V + p * 4096);
	ck_assert_uint_eq(ts->misses, 64);
	ck_assert_uint_eq(ts->walks, 64);
	ck_assert_uint_eq(ts->hits, 64);
	ck_assert_uint_eq(ts->evictions, 0);
	hw_destroy(hw);

	/* 128 pages (512 KiB, twice the reach): each of the 16 sets sees 8 pages
	 * in cyclic order for 4 ways, so LRU misses every time: 2 x 128. */
	hw = make("x86_64", 0, &pt64);
	ts = hw_tlb_stats(hw, 0);
	for (int pass = 0; pass < 2; pass++)
		for (uint64_t p = 0; p < 128; p++)
			vread(hw, 0, V + p * 4096);
	ck_assert_uint_eq(ts->misses, 256);
	ck_assert_uint_eq(ts->hits, 0);
	ck_assert_uint_eq(ts->evictions, 256 - 64);
	hw_destroy(hw);
}
END_TEST

START_TEST(reach_large)
{
	/* Reach = 32 entries x 2 MiB = 64 MiB: 32 large pages miss once, then
	 * hit; every 4 KiB piece inside a cached large page hits too. */
	struct hw *hw = make("x86_64", 0, &pt64);
	const struct hw_tlb_stats *ts = hw_tlb_stats(hw, 0);
	for (int pass = 0; pass < 2; pass++)
		for (uint64_t p = 0; p < 32; p++)
			vread(hw, 0, LARGE_BASE + p * 2 * MiB);
	ck_assert_uint_eq(ts->misses, 32);
	ck_assert_uint_eq(ts->hits, 32);
	ck_assert_uint_eq(ts->hits_large, 32);
	for (uint64_t off = 4096; off < 2 * MiB; off += 4096)
		vread(hw, 0, LARGE_BASE + off);
	ck_assert_uint_eq(ts->misses, 32);
	ck_assert_uint_eq(ts->hits_large, 32 + 511);
	hw_destroy(hw);

	/* a large-page walk stops a level early: 3 cold entries, 3 x 200 */
	hw = make("x86_64", 0, &pt64);
	ts = hw_tlb_stats(hw, 0);
	vread(hw, 0, LARGE_BASE);
	ck_assert_uint_eq(ts->walk_cycles, 3 * 200);
	hw_destroy(hw);

	/* 64 large pages (twice the reach): 8 per set for 4 ways: all miss */
	hw = make("x86_64", 0, &pt64);
	ts = hw_tlb_stats(hw, 0);
	for (int pass = 0; pass < 2; pass++)
		for (uint64_t p = 0; p < 64; p++)
			vread(hw, 0, LARGE_BASE + p * 2 * MiB);
	ck_assert_uint_eq(ts->misses, 128);
	ck_assert_uint_eq(ts->hits, 0);
	hw_destroy(hw);
}
END_TEST

START_TEST(walk_goes_through_caches)
{
	/* Cold: 4 entries from DRAM (4 x 200) and the data (200). After a full
	 * flush the same walk finds its 4 entries in L1: 4 x 4, and the data
	 * too: 4. The next page shares every entry line: 4 x 4, data cold. */
	struct hw *hw = make("x86_64", 0, &pt64);
	const struct hw_tlb_stats *ts = hw_tlb_stats(hw, 0);
	ck_assert_uint_eq(vread(hw, 0, V), 4 * 200 + 200);
	ck_assert_uint_eq(ts->walk_cycles, 800);
	ck_assert_uint_eq(vread(hw, 0, V), 4);           /* TLB hit: data only */
	ck_assert_uint_eq(hw_tlb_flush_all(hw, 0, true), 300);
	ck_assert_uint_eq(vread(hw, 0, V), 4 * 4 + 4);
	ck_assert_uint_eq(ts->walk_cycles, 800 + 16);
	ck_assert_uint_eq(vread(hw, 0, V + 4096), 4 * 4 + 200);
	/* the walker's reads are ordinary L1 traffic */
	ck_assert_uint_eq(hw_cache_stats(hw, HW_L1D, 0)->read_misses, 4 + 1 + 1);
	/* an access across a page boundary translates both pages */
	uint64_t misses = ts->misses;
	cycle_t c;
	ck_assert_int_eq(hw_vaccess(hw, 0, V + 2 * 4096 - 4, 8, HW_WRITE, &c), 0);
	ck_assert_uint_eq(ts->misses, misses + 1);    /* V + 4096 hits, V + 8192 misses */
	/* first page: TLB hit, a cold data line (200); second: a walk whose
	 * entry lines are all cached (4 x 4) and a cold data line (200) */
	ck_assert_uint_eq(c, 200 + 4 * 4 + 200);
	hw_destroy(hw);
}
END_TEST

START_TEST(i386_two_levels)
{
	/* i386 without PAE walks 2 levels of 4-byte entries: 2 x 200 cold */
	struct hw *hw = make("pc-i386", 0, &pt32);
	ck_assert_uint_eq(vread(hw, 0, V), 2 * 200 + 200);
	ck_assert_uint_eq(hw_tlb_stats(hw, 0)->walk_cycles, 400);
	hw_destroy(hw);
}
END_TEST

START_TEST(invalidation)
{
	struct hw *hw = make("x86_64", 0, &pt64);
	const struct hw_tlb_stats *ts = hw_tlb_stats(hw, 0);
	uint64_t g = GLOBAL_BASE, n = V;
	vread(hw, 0, g);
	vread(hw, 0, n);
	vread(hw, 0, n + 4096);
	ck_assert_uint_eq(ts->misses, 3);
	/* one page: only it misses afterwards */
	ck_assert_uint_eq(hw_tlb_flush_page(hw, 0, n + 100), 120);
	vread(hw, 0, n);
	vread(hw, 0, n + 4096);
	ck_assert_uint_eq(ts->misses, 4);
	ck_assert_uint_eq(ts->flush_page, 1);
	/* a non-global flush keeps the global entry */
	ck_assert_uint_eq(hw_tlb_flush_all(hw, 0, false), 300);
	vread(hw, 0, g);
	ck_assert_uint_eq(ts->misses, 4);
	vread(hw, 0, n);
	ck_assert_uint_eq(ts->misses, 5);
	/* a global flush does not */
	hw_tlb_flush_all(hw, 0, true);
	vread(hw, 0, g);
	ck_assert_uint_eq(ts->misses, 6);
	ck_assert_uint_eq(ts->flush_all, 2);
	/* invlpg drops a global entry too */
	hw_tlb_flush_page(hw, 0, g);
	vread(hw, 0, g);
	ck_assert_uint_eq(ts->misses, 7);
	hw_destroy(hw);
}
END_TEST

START_TEST(shootdown)
{
	struct hw *hw = make("x86_64", 4, &pt64);
	for (int c = 0; c < 4; c++)
		vread(hw, c, V);
	/* CPU 0 shoots V down on CPUs 0, 1, 2: its own invlpg (120) plus one
	 * IPI per other target (2 x 1500) = 3120; each target loses an invlpg
	 * (120) of its own time; CPU 3 is untouched. */
	struct hw_cpumask m = { { 0 } };
	hw_cpumask_set(&m, 0);
	hw_cpumask_set(&m, 1);
	hw_cpumask_set(&m, 2);
	ck_assert_uint_eq(hw_tlb_shootdown(hw, 0, &m, V), 120 + 2 * 1500);
	ck_assert_uint_eq(hw_cpu_take_stolen(hw, 1), 120);
	ck_assert_uint_eq(hw_cpu_take_stolen(hw, 1), 0);   /* taken once */
	ck_assert_uint_eq(hw_cpu_take_stolen(hw, 2), 120);
	ck_assert_uint_eq(hw_cpu_take_stolen(hw, 3), 0);
	ck_assert_uint_eq(hw_cpu_take_stolen(hw, 0), 0);   /* paid in the return value */
	ck_assert_uint_eq(hw_tlb_stats(hw, 0)->shootdowns, 1);
	ck_assert_uint_eq(hw_tlb_stats(hw, 0)->ipis_sent, 2);
	ck_assert_uint_eq(hw_tlb_stats(hw, 1)->ipis_received, 1);
	ck_assert_uint_eq(hw_tlb_stats(hw, 3)->ipis_received, 0);
	ck_assert_uint_eq(hw_tlb_stats(hw, 1)->flush_page, 1);
	vread(hw, 1, V);
	vread(hw, 3, V);
	ck_assert_uint_eq(hw_tlb_stats(hw, 1)->misses, 2);
	ck_assert_uint_eq(hw_tlb_stats(hw, 3)->misses, 1);
	ck_assert_uint_eq(hw_tlb_stats(hw, 3)->hits, 1);

	/* A full shootdown of CPUs 1 and 3, the initiator not among them:
	 * 2 IPIs (3000); each target flushes its TLB (300 stolen). */
	struct hw_cpumask m2 = { { 0 } };
	hw_cpumask_set(&m2, 1);
	hw_cpumask_set(&m2, 3);
	ck_assert_uint_eq(hw_tlb_shootdown(hw, 0, &m2, HW_TLB_FLUSH_ALL), 3000);
	ck_assert_uint_eq(hw_cpu_take_stolen(hw, 3), 300);
	ck_assert_uint_eq(hw_tlb_stats(hw, 3)->flush_all, 1);
	ck_assert_uint_eq(hw_tlb_stats(hw, 0)->ipis_sent, 4);
	hw_destroy(hw);
}
END_TEST

START_TEST(faults_and_cost_off)
{
	struct hw *hw = make("x86_64", 0, &pt64);
	const struct hw_tlb_stats *ts = hw_tlb_stats(hw, 0);
	cycle_t c;
	/* the walker read the top entry (cold: 200) before finding nothing */
	ck_assert_int_eq(hw_vaccess(hw, 0, 0x100, 8, HW_READ, &c), EFAULT_);
	ck_assert_uint_eq(c, 200);
	ck_assert_int_eq(hw_vaccess(hw, 0, 0x100, 8, HW_READ, &c), EFAULT_);
	ck_assert_uint_eq(c, 4);        /* nothing cached in the TLB; the entry is in L1 */
	ck_assert_uint_eq(ts->faults, 2);
	ck_assert_uint_eq(ts->misses, 2);
	/* cost model off: no cycles, no TLB state, but faults still reported */
	hw_set_cost_model(hw, false);
	ck_assert_int_eq(hw_vaccess(hw, 0, V, 8, HW_READ, &c), 0);
	ck_assert_uint_eq(c, 0);
	ck_assert_int_eq(hw_vaccess(hw, 0, 0x100, 8, HW_READ, &c), EFAULT_);
	uint64_t pa;
	ck_assert_int_eq(hw_translate(hw, 0, V + 5, HW_READ, &pa, &c), 0);
	ck_assert_uint_eq(pa, 512 * MiB + V % (256 * MiB) + 5);
	ck_assert_uint_eq(hw_tlb_flush_all(hw, 0, true), 0);
	ck_assert_uint_eq(ts->misses, 2);
	ck_assert_uint_eq(ts->flush_all, 0);
	hw_destroy(hw);
}
END_TEST

/* A read-only page: reads fill the TLB and hit; a write does not hit that
 * entry, walks again and gets the walker's fault, and the entry is gone. */
START_TEST(readonly_entries)
{
	struct hw *hw = make("x86_64", 0, &pt64);
	const struct hw_tlb_stats *ts = hw_tlb_stats(hw, 0);
	cycle_t c;
	vread(hw, 0, RO + 8);
	ck_assert_uint_eq(ts->misses, 1);
	vread(hw, 0, RO + 16);
	ck_assert_uint_eq(ts->misses, 1);
	ck_assert_uint_eq(ts->hits, 1);
	ck_assert_int_eq(hw_vaccess(hw, 0, RO + 16, 8, HW_WRITE, &c), EFAULT_);
	ck_assert_uint_eq(ts->misses, 2);
	ck_assert_uint_eq(ts->faults, 1);
	vread(hw, 0, RO + 24);
	ck_assert_uint_eq(ts->misses, 3);            /* the write dropped the entry */
	/* An ordinary page still serves writes from the TLB. */
	vread(hw, 0, V);
	ck_assert_int_eq(hw_vaccess(hw, 0, V + 8, 8, HW_WRITE, &c), 0);
	ck_assert_uint_eq(ts->misses, 4);
	hw_destroy(hw);
}
END_TEST

/* A read fills a clean entry; the first write through it walks again (a
 * hit and a walk, not a miss) so the walker can set Dirty; later writes
 * hit. */
START_TEST(dirty_bit_assist)
{
	struct hw *hw = make("x86_64", 1, &pt64);
	const struct hw_tlb_stats *ts = hw_tlb_stats(hw, 0);
	cycle_t c;
	ck_assert_int_eq(hw_vaccess(hw, 0, CLEAN, 8, HW_READ, &c), 0);
	ck_assert_uint_eq(ts->misses, 1);
	ck_assert_uint_eq(ts->walks, 1);
	ck_assert_int_eq(hw_vaccess(hw, 0, CLEAN + 8, 8, HW_READ, &c), 0);
	ck_assert_uint_eq(ts->hits, 1);
	ck_assert_uint_eq(ts->walks, 1);
	ck_assert_int_eq(hw_vaccess(hw, 0, CLEAN + 16, 8, HW_WRITE, &c), 0);
	ck_assert_uint_eq(ts->hits, 2);
	ck_assert_uint_eq(ts->misses, 1);
	ck_assert_uint_eq(ts->walks, 2);
	/* The walk's four entries were cached by the first: 4 L1 hits, plus
	 * the data write (an L1 hit too). */
	ck_assert_uint_eq(c, 5 * 4);
	ck_assert_int_eq(hw_vaccess(hw, 0, CLEAN + 24, 8, HW_WRITE, &c), 0);
	ck_assert_uint_eq(ts->hits, 3);
	ck_assert_uint_eq(ts->walks, 2);
	/* An ordinary page fills dirty-capable at once: no assist. */
	ck_assert_int_eq(hw_vaccess(hw, 0, V, 8, HW_READ, &c), 0);
	ck_assert_int_eq(hw_vaccess(hw, 0, V, 8, HW_WRITE, &c), 0);
	ck_assert_uint_eq(ts->walks, 3);
	hw_destroy(hw);
}
END_TEST

Suite *tlb_suite(void)
{
	Suite *s = suite_create("tlb");
	TCase *tc = tcase_create("tlb");
	tcase_add_test(tc, reach_4k);
	tcase_add_test(tc, reach_large);
	tcase_add_test(tc, walk_goes_through_caches);
	tcase_add_test(tc, i386_two_levels);
	tcase_add_test(tc, invalidation);
	tcase_add_test(tc, shootdown);
	tcase_add_test(tc, faults_and_cost_off);
	tcase_add_test(tc, readonly_entries);
	tcase_add_test(tc, dirty_bit_assist);
	suite_add_tcase(s, tc);
	return s;
}
