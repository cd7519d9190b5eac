/*
 * Tests of the buddy system (mm/page_alloc.c): hand-worked allocations and
 * frees on small zones, where the expected block of each allocation and the
 * free lists after each free are worked out in the comments; misuse as
 * clean errors; compound and zeroed pages.
 *
 * The machine (tm_desc_dma32): ZONE_DMA32 holds exactly the frames under
 * test, from pfn 4096; indices below are zone-relative (pfn - 4096). The
 * policy has min_free_kbytes=0 so that no watermark gets in the way of
 * taking the zone's last frames, and pcp=off so that order-0 requests reach
 * the buddy lists directly (the per-CPU lists have their own tests).
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "mm/mm.h"
#include "mm_testutil.h"

static void boot_buddy(struct tm *t, unsigned nframes, bool pcp)
{
	struct mm_policy p;
	mm_policy_default(&p);
	p.min_free_kbytes = 0;
	p.pcp = pcp;
	p.check = true;
	tm_desc_dma32(&t->d, nframes, 1);
	tm_boot_desc(t, &p);
}

#define A(order) alloc_pages(t.mm, GFP_DMA32, (order))

/*
 * 32 frames: boot frees them one by one (the bootmem word of 64 frames is
 * not whole), and they merge into one order-5 block at 0.
 *   alloc(0): takes 0 from order 5 and splits: 16 -> o4, 8 -> o3, 4 -> o2,
 *             2 -> o1, 1 -> o0; returns 0.
 *   alloc(0): the head of o0: 1.
 *   alloc(1): the head of o1: 2.
 *   alloc(0): o0, o1 empty; o2's 4 splits: 6 -> o1, 5 -> o0; returns 4.
 *   alloc(2): o2 empty; o3's 8 splits: 12 -> o2; returns 8.
 */
START_TEST(test_split)
{
	struct tm t;
	char buf[256];
	boot_buddy(&t, 32, false);
	struct zone *z = tm_zone(&t, 0, ZONE_DMA32);
	ck_assert_uint_eq(z->zone_start_pfn, 4096);
	ck_assert_str_eq(tm_lists(&t, z, buf, sizeof buf), "5:[0]");
	ck_assert_int_eq(tm_idx(&t, z, A(0)), 0);
	ck_assert_str_eq(tm_lists(&t, z, buf, sizeof buf), "0:[1] 1:[2] 2:[4] 3:[8] 4:[16]");
	ck_assert_int_eq(tm_idx(&t, z, A(0)), 1);
	ck_assert_int_eq(tm_idx(&t, z, A(1)), 2);
	ck_assert_str_eq(tm_lists(&t, z, buf, sizeof buf), "2:[4] 3:[8] 4:[16]");
	ck_assert_int_eq(tm_idx(&t, z, A(0)), 4);
	ck_assert_str_eq(tm_lists(&t, z, buf, sizeof buf), "0:[5] 1:[6] 3:[8] 4:[16]");
	ck_assert_int_eq(tm_idx(&t, z, A(2)), 8);
	ck_assert_str_eq(tm_lists(&t, z, buf, sizeof buf), "0:[5] 1:[6] 2:[12] 4:[16]");
	ck_assert_uint_eq(z->free_pages, 32 - 1 - 1 - 2 - 1 - 4);
	tm_free(&t);
}
END_TEST

/*
 * Continuing from test_split's state (0, 1, 2-3, 4, 8-11 allocated):
 *   free(4, 0): buddy 5 is free at o0 -> 4 o1; buddy 6 free at o1 -> 4 o2;
 *               buddy 0 at o2 is allocated: stop. 4 goes to o2's head,
 *               before 12.
 *   free(1, 0): buddy 0 is allocated: 1 stays at o0.
 *   free(2, 1): buddy 0 (at o1) is allocated: 2 stays at o1.
 *   free(0, 0): 1 free -> 0 o1; 2 free at o1 -> 0 o2; 4 free at o2 -> 0 o3;
 *               buddy 8 at o3 is allocated (an order-2 block): stop.
 *   free(8, 2): 12 free at o2 -> 8 o3; 0 free at o3 -> 0 o4; 16 free at o4
 *               -> 0 o5: the zone is whole again.
 */
START_TEST(test_coalesce)
{
	struct tm t;
	char buf[256];
	boot_buddy(&t, 32, false);
	struct zone *z = tm_zone(&t, 0, ZONE_DMA32);
	struct page *p0 = A(0), *p1 = A(0), *p2 = A(1), *p4 = A(0), *p8 = A(2);
	ck_assert_int_eq(__free_pages(t.mm, p4, 0), 0);
	ck_assert_str_eq(tm_lists(&t, z, buf, sizeof buf), "2:[4,12] 4:[16]");
	ck_assert_int_eq(__free_pages(t.mm, p1, 0), 0);
	ck_assert_str_eq(tm_lists(&t, z, buf, sizeof buf), "0:[1] 2:[4,12] 4:[16]");
	ck_assert_int_eq(__free_pages(t.mm, p2, 1), 0);
	ck_assert_str_eq(tm_lists(&t, z, buf, sizeof buf), "0:[1] 1:[2] 2:[4,12] 4:[16]");
	ck_assert_int_eq(__free_pages(t.mm, p0, 0), 0);
	ck_assert_str_eq(tm_lists(&t, z, buf, sizeof buf), "2:[12] 3:[0] 4:[16]");
	ck_assert_int_eq(__free_pages(t.mm, p8, 2), 0);
	ck_assert_str_eq(tm_lists(&t, z, buf, sizeof buf), "5:[0]");
	ck_assert_uint_eq(z->free_pages, 32);
	ck_assert_uint_eq(mm_vm_event(t.mm, PGFREE), 1 + 1 + 2 + 1 + 4);
	ck_assert_uint_eq(mm_vm_event(t.mm, PGALLOC_DMA32), 9);
	tm_free(&t);
}
END_TEST

/*
 * An allocated buddy blocks merging at every order: allocate all 16
 * order-1 blocks of a 32-frame zone (they come out 0, 2, 4, ... 30: each
 * split leaves the upper halves, lowest first, at the list heads), free the
 * even-numbered ones 0, 4, 8, ... 28: each one's buddy (2, 6, ...) is
 * still allocated, so o1 holds 8 blocks, the last freed at the head.
 */
START_TEST(test_allocated_buddy_blocks_merge)
{
	struct tm t;
	char buf[256];
	boot_buddy(&t, 32, false);
	struct zone *z = tm_zone(&t, 0, ZONE_DMA32);
	struct page *p[16];
	for (int i = 0; i < 16; i++) {
		p[i] = A(1);
		ck_assert_int_eq(tm_idx(&t, z, p[i]), 2 * i);
	}
	/* DMA32 is empty: the zonelist falls back to DMA. */
	struct page *f = A(0);
	ck_assert_uint_eq(page_zonenum(f), ZONE_DMA);
	ck_assert_int_eq(__free_pages(t.mm, f, 0), 0);
	for (int i = 0; i < 16; i += 2)
		ck_assert_int_eq(__free_pages(t.mm, p[i], 1), 0);
	ck_assert_str_eq(tm_lists(&t, z, buf, sizeof buf), "1:[28,24,20,16,12,8,4,0]");
	/* Now free 2: it merges with 0 (o1) into 0 o2, whose buddy 4 is o1
	 * (not o2): stop. */
	ck_assert_int_eq(__free_pages(t.mm, p[1], 1), 0);
	ck_assert_str_eq(tm_lists(&t, z, buf, sizeof buf), "1:[28,24,20,16,12,8,4] 2:[0]");
	tm_free(&t);
}
END_TEST

/*
 * A zone that ends inside a block: 48 frames. Boot frees 0..47 one by one:
 * 0..31 merge into 0 (o5); 32..47 into 32 (o4), whose buddy 48 lies past
 * the zone's end (bad_range): it can never merge. Allocating order 4 takes
 * 32; freeing it puts it back at o4 without looking past the edge.
 */
START_TEST(test_zone_edge)
{
	struct tm t;
	char buf[256];
	boot_buddy(&t, 48, false);
	struct zone *z = tm_zone(&t, 0, ZONE_DMA32);
	ck_assert_uint_eq(z->spanned_pages, 48);
	ck_assert_str_eq(tm_lists(&t, z, buf, sizeof buf), "4:[32] 5:[0]");
	struct page *p = A(4);
	ck_assert_int_eq(tm_idx(&t, z, p), 32);
	ck_assert_str_eq(tm_lists(&t, z, buf, sizeof buf), "5:[0]");
	ck_assert_int_eq(__free_pages(t.mm, p, 4), 0);
	ck_assert_str_eq(tm_lists(&t, z, buf, sizeof buf), "4:[32] 5:[0]");
	/* Order 5: 0 is the only block; then nothing of order 5 is left. */
	p = A(5);
	ck_assert_int_eq(tm_idx(&t, z, p), 0);
	struct page *f = A(5);                  /* from the DMA zone, the fallback */
	ck_assert_uint_eq(page_zonenum(f), ZONE_DMA);
	ck_assert_int_eq(__free_pages(t.mm, p, 5), 0);
	tm_free(&t);
}
END_TEST

/* Misuse is a clean error that changes nothing. */
START_TEST(test_misuse)
{
	struct tm t;
	char buf[256];
	boot_buddy(&t, 32, false);
	struct zone *z = tm_zone(&t, 0, ZONE_DMA32);
	struct page *p = A(2);                          /* 0..3, leaves 4 o2, 8 o3, 16 o4 */
	ck_assert_int_eq(tm_idx(&t, z, p), 0);

	ck_assert_int_eq(__free_pages(t.mm, p, 1), -MM_EINVAL);
	ck_assert_str_eq(mm_error(t.mm), "pfn 4096: allocated with order 2, freed with order 1");
	ck_assert_int_eq(__free_pages(t.mm, p + 1, 0), -MM_EINVAL);
	ck_assert_str_eq(mm_error(t.mm), "pfn 4097: page_count is 0: a free page, or not the first "
					 "frame of an allocated block");
	ck_assert_int_eq(__free_pages(t.mm, p + 2, 2), -MM_EINVAL);
	ck_assert_str_eq(mm_error(t.mm), "pfn 4098: not aligned to its order 2 block");
	ck_assert_int_eq(__free_pages(t.mm, p + 4, 2), -MM_EINVAL);
	ck_assert_str_eq(mm_error(t.mm), "pfn 4100: page_count is 0: a free page, or not the first "
					 "frame of an allocated block");
	ck_assert_int_eq(free_pages_pfn(t.mm, 1 << 30, 0), -MM_EINVAL);
	ck_assert_str_eq(mm_error(t.mm), "pfn 1073741824: outside every zone");
	ck_assert_int_eq(free_pages_pfn(t.mm, 10, 0), -MM_EINVAL);   /* below 1 MiB: a hole */
	ck_assert_str_eq(mm_error(t.mm), "pfn 10: reserved frame, never handed out "
					 "(the kernel ignores such a free silently)");
	ck_assert_int_eq(__free_pages(t.mm, p, 11), -MM_EINVAL);
	ck_assert_str_eq(mm_error(t.mm), "pfn 4096: order 11 must be below MAX_ORDER (11)");
	ck_assert_ptr_null(A(11));
	ck_assert_int_eq(mm_errno(t.mm), MM_EINVAL);
	ck_assert_str_eq(mm_error(t.mm), "order 11: must be below MAX_ORDER (11)");
	ck_assert_ptr_null(alloc_pages(t.mm, 0x10000, 0));
	ck_assert_int_eq(mm_errno(t.mm), MM_EINVAL);
	ck_assert_ptr_null(alloc_pages_node(t.mm, 3, GFP_KERNEL, 0));
	ck_assert_str_eq(mm_error(t.mm), "node 3: the machine has 1 nodes");
	struct page fake;
	ck_assert_int_eq(__free_pages(t.mm, &fake, 0), -MM_EINVAL);
	ck_assert_str_eq(tm_lists(&t, z, buf, sizeof buf), "2:[4] 3:[8] 4:[16]");

	/* Reference counts: a second reference keeps the block. */
	ck_assert_int_eq(get_page(t.mm, p), 0);
	ck_assert_int_eq(page_count(p), 2);
	ck_assert_int_eq(__free_pages(t.mm, p, 2), 0);
	ck_assert_str_eq(tm_lists(&t, z, buf, sizeof buf), "2:[4] 3:[8] 4:[16]");
	ck_assert_int_eq(__free_pages(t.mm, p, 2), 0);
	ck_assert_str_eq(tm_lists(&t, z, buf, sizeof buf), "5:[0]");
	ck_assert_int_eq(__free_pages(t.mm, p, 2), -MM_EINVAL);     /* double free */
	ck_assert_int_eq(get_page(t.mm, p), -MM_EINVAL);

	/* No current CPU. */
	mm_set_cpu(t.mm, -1);
	ck_assert_ptr_null(A(0));
	ck_assert_int_eq(mm_errno(t.mm), MM_ENOCPU);
	tm_free(&t);
}
END_TEST

/* __GFP_COMP marks every frame and the order; freeing checks and clears
 * them. A compound block whose marks were damaged is refused (bad_page). */
START_TEST(test_compound)
{
	struct tm t;
	boot_buddy(&t, 32, false);
	struct page *p = alloc_pages(t.mm, GFP_DMA32 | __GFP_COMP, 2);
	ck_assert_ptr_nonnull(p);
	for (int i = 0; i < 4; i++) {
		ck_assert(PageCompound(&p[i]));
		ck_assert_uint_eq(p[i].private, (uint32_t)(p - NODE_DATA(t.mm, 0)->node_mem_map));
	}
	ck_assert_uint_eq(p[1].index, 2);
	p[1].index = 3;
	ck_assert_int_eq(__free_pages(t.mm, p, 2), -MM_EINVAL);
	ck_assert_str_eq(mm_error(t.mm), "pfn 4096: bad compound page marks (bad_page)");
	p[1].index = 2;
	ck_assert_int_eq(__free_pages(t.mm, p, 2), 0);
	for (int i = 0; i < 4; i++)
		ck_assert(!PageCompound(&p[i]));
	/* Order 0 is never compound (2.6.11: "zero-order pages may not be compound"). */
	p = alloc_pages(t.mm, GFP_DMA32 | __GFP_COMP, 0);
	ck_assert(!PageCompound(p));
	tm_free(&t);
}
END_TEST

/* Kernel addresses: x86_64's direct map starts at 0xffff810000000000. */
START_TEST(test_addresses)
{
	struct tm t;
	boot_buddy(&t, 32, false);
	uint64_t a = __get_free_pages(t.mm, GFP_DMA32, 1);
	ck_assert_uint_eq(a, UINT64_C(0xffff810000000000) + 16 * MiB);
	ck_assert_ptr_eq(virt_to_page(t.mm, a), pfn_to_page(t.mm, 4096));
	ck_assert_int_eq(free_pages(t.mm, a, 1), 0);
	ck_assert_int_eq(free_pages(t.mm, 0, 0), 0);
	ck_assert_int_eq(free_pages(t.mm, 0x1000, 0), -MM_EINVAL);
	ck_assert_uint_eq(get_zeroed_page(t.mm, GFP_HIGHUSER), 0);
	ck_assert_int_eq(mm_errno(t.mm), MM_EINVAL);
	tm_free(&t);
}
END_TEST

/*
 * A random churn of orders 0..4 on a 512-frame zone with the per-CPU lists
 * on and the invariant checker after every operation; then everything is
 * freed and the per-CPU lists drained: the buddy system must have merged
 * back to exactly the boot state. (512 frames are enough for the boot data
 * to go at 16 MiB, in this zone: 73 pages, so the boot lists are
 * 73 (o0), 74 (o1), 76 (o2), 80 (o4), 96 (o5), 128 (o7), 256 (o8).)
 * Requests that DMA32 cannot serve fall back to DMA; they are freed too.
 */
START_TEST(test_random_churn_restores)
{
	struct tm t;
	char buf[256], before[256];
	struct mm_policy p;
	mm_policy_default(&p);
	p.min_free_kbytes = 0;
	p.check = true;
	tm_desc_dma32(&t.d, 512, 2);
	tm_boot_desc(&t, &p);
	struct zone *z = tm_zone(&t, 0, ZONE_DMA32);
	tm_lists(&t, z, before, sizeof before);
	ck_assert_str_eq(before, "0:[73] 1:[74] 2:[76] 4:[80] 5:[96] 7:[128] 8:[256]");
	unsigned long free0 = z->free_pages;
	ck_assert_uint_eq(free0, 512 - 73);
	struct page *slot[64] = { NULL };
	unsigned ord[64];
	uint64_t x = 12345;
	for (int i = 0; i < 3000; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		unsigned s = (unsigned)(x >> 58);
		mm_set_cpu(t.mm, (int)((x >> 20) & 1));
		if (slot[s]) {
			ck_assert_int_eq(__free_pages(t.mm, slot[s], ord[s]), 0);
			slot[s] = NULL;
		} else {
			ord[s] = (unsigned)((x >> 40) % 5);
			slot[s] = alloc_pages(t.mm, GFP_DMA32 | __GFP_NOWARN, ord[s]);
		}
	}
	for (int s = 0; s < 64; s++)
		if (slot[s])
			ck_assert_int_eq(__free_pages(t.mm, slot[s], ord[s]), 0);
	drain_all_pages(t.mm);
	ck_assert_str_eq(tm_lists(&t, z, buf, sizeof buf), before);
	ck_assert_uint_eq(z->free_pages, free0);
	tm_free(&t);
}
END_TEST

Suite *page_alloc_suite(void)
{
	Suite *s = suite_create("page_alloc");
	TCase *tc = tcase_create("buddy");
	tcase_add_test(tc, test_split);
	tcase_add_test(tc, test_coalesce);
	tcase_add_test(tc, test_allocated_buddy_blocks_merge);
	tcase_add_test(tc, test_zone_edge);
	tcase_add_test(tc, test_misuse);
	tcase_add_test(tc, test_compound);
	tcase_add_test(tc, test_addresses);
	tcase_add_test(tc, test_random_churn_restores);
	suite_add_tcase(s, tc);
	return s;
}
