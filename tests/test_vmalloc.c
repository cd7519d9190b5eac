/*
 * Tests of vmalloc (mm/vmalloc.c) against 2.6.11's rules: the range
 * (x86_64 VMALLOC_START 0xffffc20000000000; i386 high_memory + 8 MiB
 * rounded to 8 MiB, to PKMAP_BASE - 2 pages), first-fit placement with a
 * guard page after each area, one frame at a time (HighMem allowed), 4 KiB
 * PTEs in the kernel page tables with the tables allocated on the way,
 * unmapping with a TLB flush on every CPU.
 */
#include <check.h>
#include <string.h>

#include "mm/mm.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"
#include "mm_testutil.h"

#define X86_64_VMALLOC UINT64_C(0xffffc20000000000)

START_TEST(test_range_and_placement)
{
	struct tm t;
	tm_boot_preset(&t, "x86_64", 1 * GiB, 2, NULL);
	ck_assert_uint_eq(vmalloc_start(t.mm), X86_64_VMALLOC);
	ck_assert_uint_eq(vmalloc_end(t.mm), UINT64_C(0xffffe20000000000));
	/* 8 KiB + guard, then 100000 bytes -> 25 pages + guard, first fit */
	uint64_t a = vmalloc(t.mm, 8192);
	uint64_t b = vmalloc(t.mm, 100000);
	ck_assert_uint_eq(a, X86_64_VMALLOC);
	ck_assert_uint_eq(b, X86_64_VMALLOC + 3 * 4096);
	uint64_t size;
	unsigned nr;
	ck_assert_uint_eq(vmalloc_area_of(t.mm, b + 5000, &size, &nr), b);
	ck_assert_uint_eq(size, 25 * 4096);
	ck_assert_uint_eq(nr, 25);
	/* the guard page after a belongs to no mapping */
	ck_assert_ptr_null(vmalloc_to_page(t.mm, a + 2 * 4096));
	ck_assert_ptr_nonnull(vmalloc_to_page(t.mm, a + 4096));
	/* freeing a leaves a 3-page hole: a 2-page area fits it, a 3-page one not */
	ck_assert_int_eq(vfree(t.mm, a), 0);
	ck_assert_uint_eq(vmalloc(t.mm, 8192), X86_64_VMALLOC);
	ck_assert_uint_eq(vmalloc(t.mm, 3 * 4096), b + 26 * 4096);
	char buf[512];
	mm_view(t.mm, "vmallocinfo", buf, sizeof buf);
	ck_assert_str_eq(buf, "0xffffc20000000000-0xffffc20000003000   12288 pages=2 vmalloc\n"
			      "0xffffc20000003000-0xffffc2000001d000  106496 pages=25 vmalloc\n"
			      "0xffffc2000001d000-0xffffc20000021000   16384 pages=3 vmalloc\n");
	/* misuse */
	ck_assert_int_eq(vfree(t.mm, b + 4096), -MM_EINVAL);
	ck_assert_int_eq(vfree(t.mm, 0), 0);
	ck_assert_int_eq(vmalloc(t.mm, 0), 0);
	tm_free(&t);
}
END_TEST

/* pc-i386, 1 GiB: high_memory 0xf8000000 (896 MiB of lowmem), so
 * VMALLOC_START 0xf8800000; VMALLOC_END 0xff800000 - 8 KiB. Frames come
 * from HighMem (vmalloc's __GFP_HIGHMEM). */
START_TEST(test_i386_highmem)
{
	struct tm t;
	tm_boot_preset(&t, "pc-i386", 0, 1, NULL);
	ck_assert_uint_eq(vmalloc_start(t.mm), 0xf8800000u);
	ck_assert_uint_eq(vmalloc_end(t.mm), 0xff7fe000u);
	uint64_t a = vmalloc(t.mm, 16384);
	ck_assert_uint_eq(a, 0xf8800000u);
	for (int i = 0; i < 4; i++) {
		struct page *pg = vmalloc_to_page(t.mm, a + (uint64_t)i * 4096);
		ck_assert_ptr_nonnull(pg);
		ck_assert(PageHighMem(pg));
	}
	/* one page table for the 4 MiB at 0xf8800000, in swapper_pg_dir's slot 994 */
	ck_assert_uint_eq(vmalloc_stats(t.mm)->pgtable_pages, 1);
	struct hw_walk w;
	ck_assert_int_eq(mm_kernel_walk(t.mm, 0, a + 4096, 0, &w), 0);
	ck_assert_uint_eq(w.levels, 2);
	ck_assert_uint_eq(w.entry_size, 4);
	uint64_t pgt_start, pgt_end;
	mm_kernel_pgtables(t.mm, &pgt_start, &pgt_end);
	ck_assert_uint_eq(w.entry[0], pgt_start + (0xf8801000u >> 22) * 4);
	ck_assert_uint_eq(w.frame, page_to_pfn(t.mm, vmalloc_to_page(t.mm, a + 4096)) * 4096);
	ck_assert(!w.large);
	tm_free(&t);
}
END_TEST

/* x86_64: the first vmalloc allocates a PDPT, a PD and a PT (3 zeroed
 * frames); a walk reads PML4E (slot 388), PDPTE, PDE, PTE. vfree clears
 * the PTEs (a walk then faults), flushes every CPU's TLB once (one IPI per
 * other CPU) and gives every frame back; the tables stay. */
START_TEST(test_map_unmap_flush)
{
	struct tm t;
	tm_boot_preset(&t, "x86_64", 1 * GiB, 4, NULL);
	uint64_t a = vmalloc(t.mm, 5 * 4096);
	ck_assert(a != 0);
	const struct vmalloc_stats *st = vmalloc_stats(t.mm);
	ck_assert_uint_eq(st->pgtable_pages, 3);
	ck_assert_uint_eq(st->pages_mapped, 5);
	struct hw_walk w;
	ck_assert_int_eq(mm_kernel_walk(t.mm, 0, a + 3 * 4096 + 17, 0, &w), 0);
	ck_assert_uint_eq(w.levels, 4);
	uint64_t pgt_start, pgt_end;
	mm_kernel_pgtables(t.mm, &pgt_start, &pgt_end);
	ck_assert_uint_eq(w.entry[0], pgt_start + 388 * 8);
	ck_assert_uint_eq(w.entry[3] % 4096, 3 * 8);   /* PTE index 3 */
	ck_assert_uint_eq(w.frame, page_to_pfn(t.mm, vmalloc_to_page(t.mm, a + 3 * 4096)) * 4096);
	drain_all_pages(t.mm);
	unsigned long free_before = nr_free_pages(t.mm);
	ck_assert_int_eq(vfree(t.mm, a), 0);
	ck_assert_uint_eq(st->tlb_flushes, 1);
	ck_assert_uint_eq(st->ipis, 3);
	ck_assert_uint_eq(st->pages_unmapped, 5);
	ck_assert_int_eq(mm_kernel_walk(t.mm, 0, a + 3 * 4096, 0, &w), -MM_EFAULT);
	ck_assert_uint_eq(w.levels, 4);   /* the tables are still there: the PTE says no */
	drain_all_pages(t.mm);
	ck_assert_uint_ge(nr_free_pages(t.mm), free_before + 5);
	/* a second area in the same 2 MiB needs no new table */
	ck_assert(vmalloc(t.mm, 4096) != 0);
	ck_assert_uint_eq(st->pgtable_pages, 3);
	tm_free(&t);
}
END_TEST

/* vmap maps pages the caller owns; vunmap leaves them allocated. A pages
 * array above a page (more than 512 pages on x86_64) is vmalloc'd itself. */
START_TEST(test_vmap_and_big)
{
	struct tm t;
	tm_boot_preset(&t, "x86_64", 1 * GiB, 1, NULL);
	struct page *pages[3];
	for (int i = 0; i < 3; i++)
		pages[i] = alloc_pages(t.mm, GFP_KERNEL, 0);
	uint64_t a = vmap(t.mm, pages, 3);
	ck_assert_uint_eq(a, X86_64_VMALLOC);
	ck_assert_ptr_eq(vmalloc_to_page(t.mm, a + 2 * 4096), pages[2]);
	ck_assert_int_eq(vfree(t.mm, a), -MM_EINVAL);   /* made by vmap */
	ck_assert_int_eq(vunmap(t.mm, a), 0);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(page_count(pages[i]), 1);
	/* 600 pages: 4800 bytes of struct page pointers, vmalloc'd (2 pages +
	 * guard) before the area itself */
	uint64_t big = vmalloc(t.mm, 600 * 4096);
	ck_assert(big != 0);
	ck_assert_uint_eq(big, X86_64_VMALLOC);
	uint64_t arr = vmalloc_area_of(t.mm, X86_64_VMALLOC + 601 * 4096, NULL, NULL);
	ck_assert_uint_eq(arr, X86_64_VMALLOC + 601 * 4096);
	ck_assert_int_eq(vfree(t.mm, big), 0);
	ck_assert_uint_eq(vmalloc_area_of(t.mm, arr, NULL, NULL), 0);
	tm_free(&t);
}
END_TEST

Suite *vmalloc_suite(void)
{
	Suite *s = suite_create("vmalloc");
	TCase *tc = tcase_create("vmalloc");
	tcase_add_test(tc, test_range_and_placement);
	tcase_add_test(tc, test_i386_highmem);
	tcase_add_test(tc, test_map_unmap_flush);
	tcase_add_test(tc, test_vmap_and_big);
	suite_add_tcase(s, tc);
	return s;
}
