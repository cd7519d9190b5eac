/*
 * The kernel's direct mapping (mm/init.c): where its page tables live, the
 * entries a walk reads on each architecture, what it covers (exactly lowmem,
 * rounded up to a large page) and the faults outside it; then the walker
 * installed in the hardware model's TLBs, with walk cycles charged.
 *
 * Layouts (mm/init.c's essay), base = the first table frame:
 *   x86_64    PML4 at base, PDPT at base + 4096, page directory g (the g-th
 *             GiB) at base + (2 + g) * 4096 for up to 512 GiB;
 *   i386      the page directory at base, 4-byte entries, slot vaddr >> 22;
 *   i386-pae  the PDPT at base (slot vaddr >> 30), the PMD at base + 4096.
 */
#include <check.h>

#include "hw/hw.h"
#include "hw/tlb.h"
#include "mm/mm.h"
#include "mm_testutil.h"

static struct hw_walk walk(struct tm *t, uint64_t vaddr, int *rc)
{
	struct hw_walk w = { 0 };
	*rc = mm_kernel_walk(t->mm, 0, vaddr, HW_READ, &w);
	return w;
}

/* The x86_64 preset: 4 GiB with the PCI hole [3, 4) GiB, RAM moved to
 * [4, 5) GiB, so the direct map covers 5 GiB: PML4, one PDPT, five page
 * directories, at 0x8000 (2.6.11 find_early_table_space's start). */
START_TEST(test_x86_64_entries)
{
	struct tm t;
	tm_boot_preset(&t, "x86_64", 0, 0, NULL);
	uint64_t base, end;
	mm_kernel_pgtables(t.mm, &base, &end);
	ck_assert_uint_eq(mm_direct_map_end(t.mm), 5 * GiB);
	ck_assert_uint_eq(end - base, 7 * 4096);
	ck_assert_uint_eq(base, 0x8000);
	for (uint64_t a = base; a < end; a += 4096)
		ck_assert(PageReserved(pfn_to_page(t.mm, a >> 12)));
	ck_assert(!PageReserved(pfn_to_page(t.mm, end >> 12)));
	ck_assert(!PageReserved(pfn_to_page(t.mm, (base >> 12) - 1)));

	const uint64_t po = UINT64_C(0xffff810000000000);
	int rc;
	struct hw_walk w = walk(&t, po + 0x12345678, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(w.levels, 3);
	ck_assert_uint_eq(w.entry_size, 8);
	ck_assert_uint_eq(w.entry[0], base + 258 * 8);
	ck_assert_uint_eq(w.entry[1], base + 4096 + 0 * 8);
	ck_assert_uint_eq(w.entry[2], base + 2 * 4096 + (0x12345678 >> 21) * 8);
	ck_assert_uint_eq(w.frame, 0x12200000);
	ck_assert(w.large);
	ck_assert(w.global);

	/* 4.5 GiB + 3 MiB: PDPT slot 4, the fifth page directory, slot 1. */
	uint64_t pa = 4 * GiB + 512 * MiB + 3 * MiB;
	w = walk(&t, po + pa, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(w.entry[0], base + 258 * 8);
	ck_assert_uint_eq(w.entry[1], base + 4096 + 4 * 8);
	ck_assert_uint_eq(w.entry[2], base + 6 * 4096 + (pa >> 21 & 511) * 8);
	ck_assert_uint_eq(w.frame, 4 * GiB + 514 * MiB);
	/* page_address and the walk agree. */
	struct page *pg = pfn_to_page(t.mm, pa >> 12);
	w = walk(&t, page_address(t.mm, pg), &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(w.frame, pa >> 21 << 21);
	tm_free(&t);
}
END_TEST

START_TEST(test_i386_entries)
{
	struct tm t;
	tm_boot_preset(&t, "pc-i386", 0, 0, NULL);
	uint64_t base, end;
	mm_kernel_pgtables(t.mm, &base, &end);
	ck_assert_uint_eq(end - base, 4096 + 8 * 4096);   /* + highmem.c's tables */
	ck_assert_uint_eq(base, 1 * MiB);      /* where the kernel image, and swapper_pg_dir, would be */
	ck_assert_uint_eq(mm_direct_map_end(t.mm), 896 * MiB);
	int rc;
	struct hw_walk w = walk(&t, 0xc0000000 + 0x12345678, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(w.levels, 1);
	ck_assert_uint_eq(w.entry_size, 4);
	ck_assert_uint_eq(w.entry[0], base + (0xd2345678 >> 22) * 4);
	ck_assert_uint_eq(w.entry[0], base + 840 * 4);
	ck_assert_uint_eq(w.frame, 0x12000000);     /* 4 MiB pages */
	ck_assert(w.large);
	ck_assert(w.global);
	tm_free(&t);
}
END_TEST

START_TEST(test_pae_entries)
{
	struct tm t;
	tm_boot_preset(&t, "pc-i386-pae", 0, 0, NULL);
	uint64_t base, end;
	mm_kernel_pgtables(t.mm, &base, &end);
	ck_assert_uint_eq(end - base, 2 * 4096 + 6 * 4096);   /* + highmem.c's tables */
	ck_assert_uint_eq(mm_direct_map_end(t.mm), 896 * MiB);
	int rc;
	struct hw_walk w = walk(&t, 0xc0000000 + 0x12345678, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(w.levels, 2);
	ck_assert_uint_eq(w.entry_size, 8);
	ck_assert_uint_eq(w.entry[0], base + 3 * 8);
	ck_assert_uint_eq(w.entry[1], base + 4096 + (0xd2345678 >> 21 & 511) * 8);
	ck_assert_uint_eq(w.frame, 0x12200000);     /* 2 MiB pages */
	ck_assert(w.large && w.global);
	tm_free(&t);
}
END_TEST

/* Coverage is exactly lowmem, rounded up to the large page: the last byte
 * maps, the next one faults after reading the entry that says so; below
 * PAGE_OFFSET faults at the top level. */
static void check_cover(enum hw_arch arch, uint64_t mem, uint64_t expect_end, unsigned fault_levels)
{
	struct tm t;
	if (mem) {
		tm_desc_simple(&t.d, arch, 0x1000, mem, 1);
		tm_boot_desc(&t, NULL);
	} else {
		tm_boot_preset(&t, arch == HW_ARCH_I386 ? "pc-i386" : "pc-i386-pae", 0, 0, NULL);
	}
	const uint64_t po = arch == HW_ARCH_X86_64 ? UINT64_C(0xffff810000000000) : 0xc0000000;
	ck_assert_uint_eq(mm_direct_map_end(t.mm), expect_end);
	int rc;
	struct hw_walk w = walk(&t, po + expect_end - 1, &rc);
	ck_assert_int_eq(rc, 0);
	w = walk(&t, po + expect_end, &rc);
	ck_assert_int_eq(rc, -MM_EFAULT);
	ck_assert_uint_eq(w.levels, fault_levels);
	w = walk(&t, po - 4096, &rc);
	ck_assert_int_eq(rc, -MM_EFAULT);
	ck_assert_uint_eq(w.levels, 1);
	w = walk(&t, 0x1000, &rc);
	ck_assert_int_eq(rc, -MM_EFAULT);
	ck_assert_uint_eq(w.levels, 1);
	tm_free(&t);
}

START_TEST(test_cover_exactly_lowmem)
{
	/* 10 MiB: 2 MiB pages map exactly 10 MiB; 4 MiB pages round to 12. The
	 * x86_64 fault past the end is in the one page directory (3 entries
	 * read); a 1 GiB-aligned end faults in the PDPT. */
	check_cover(HW_ARCH_X86_64, 10 * MiB, 10 * MiB, 3);
	check_cover(HW_ARCH_I386, 10 * MiB, 12 * MiB, 1);
	check_cover(HW_ARCH_I386_PAE, 10 * MiB, 10 * MiB, 2);
	check_cover(HW_ARCH_X86_64, 1 * GiB, 1 * GiB, 2);
	/* The 1 GiB and 8 GiB PCs: lowmem is 896 MiB, HighMem has no mapping. */
	check_cover(HW_ARCH_I386, 0, 896 * MiB, 1);
	check_cover(HW_ARCH_I386_PAE, 0, 896 * MiB, 2);
}
END_TEST

/*
 * Through the TLB: the walker installed on CPU 0 of the x86_64 preset
 * (dram 200 cycles, cold caches). Writing all of an order-1 block's first
 * page misses the TLB once: a walk of 3 cold entries (3 x 200) and 64 cold
 * lines (64 x 200). Its second page is in the same 2 MiB page: a hit in the
 * large-page TLB, no walk, only the 64 lines.
 */
START_TEST(test_touch_through_tlb)
{
	struct tm t;
	char err[256];
	ck_assert_int_eq(hw_preset("x86_64", 0, 0, &t.d, err, sizeof err), 0);
	struct hw *hw = hw_create(&t.d, err, sizeof err);
	ck_assert_ptr_nonnull(hw);
	mm_policy_default(&t.p);
	sim_init(&t.s, t.d.nr_cpus, 1);
	t.s.mem = hw_memport(hw);
	t.mm = mm_boot(&t.s, &t.d, &t.p, NULL, err, sizeof err);
	ck_assert_msg(t.mm != NULL, "%s", err);
	struct hw_mmu mmu = mm_kernel_mmu(t.mm);
	for (int c = 0; c < t.d.nr_cpus; c++)
		hw_set_mmu(hw, c, &mmu);
	mm_set_cpu(t.mm, 0);
	struct page *pg = alloc_pages(t.mm, GFP_KERNEL, 1);
	ck_assert_ptr_nonnull(pg);
	uint64_t va = page_address(t.mm, pg);
	const struct hw_tlb_stats *ts = hw_tlb_stats(hw, 0);
	ck_assert_uint_eq(ts->misses, 0);      /* the allocator works on physical addresses */

	cycle_t c;
	ck_assert_int_eq(hw_vaccess(hw, 0, va, 4096, HW_WRITE, &c), 0);
	ck_assert_uint_eq(ts->misses, 1);
	ck_assert_uint_eq(ts->walks, 1);
	ck_assert_uint_eq(ts->hits, 0);
	ck_assert_uint_eq(ts->walk_cycles, 3 * 200);
	ck_assert_uint_eq(c, 3 * 200 + 64 * 200);

	ck_assert_int_eq(hw_vaccess(hw, 0, va + 4096, 4096, HW_WRITE, &c), 0);
	ck_assert_uint_eq(ts->misses, 1);
	ck_assert_uint_eq(ts->hits, 1);
	ck_assert_uint_eq(ts->hits_large, 1);
	ck_assert_uint_eq(ts->walk_cycles, 3 * 200);
	ck_assert_uint_eq(c, 64 * 200);

	/* A global entry survives a non-global flush (a CR3 reload). */
	hw_tlb_flush_all(hw, 0, false);
	ck_assert_int_eq(hw_vaccess(hw, 0, va, 8, HW_READ, &c), 0);
	ck_assert_uint_eq(ts->misses, 1);
	ck_assert_uint_eq(c, 4);               /* an L1 hit */
	/* Outside the direct map: a fault, its walk charged. */
	ck_assert_int_eq(hw_vaccess(hw, 0, UINT64_C(0xffff810000000000) + 6 * GiB, 8, HW_READ, &c),
			 -MM_EFAULT);
	ck_assert_uint_eq(ts->faults, 1);
	sim_destroy(&t.s);
	mm_destroy(t.mm);
	hw_destroy(hw);
}
END_TEST

Suite *direct_map_suite(void)
{
	Suite *s = suite_create("direct_map");
	TCase *tc = tcase_create("direct_map");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_x86_64_entries);
	tcase_add_test(tc, test_i386_entries);
	tcase_add_test(tc, test_pae_entries);
	tcase_add_test(tc, test_cover_exactly_lowmem);
	tcase_add_test(tc, test_touch_through_tlb);
	suite_add_tcase(s, tc);
	return s;
}
