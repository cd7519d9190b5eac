/*
 * The modern era's (Linux 6.1) allocator, first part of stage 2: migrate
 * types and pageblocks, __rmqueue_smallest, __rmqueue_fallback with 6.1's
 * fallbacks table, can_steal_fallback, steal_suitable_fallback,
 * move_freepages_block, boost_watermark, and the pagetypeinfo view.
 *
 * Every expectation below is worked by hand from 6.1's rules (mm/page_alloc.c
 * of Linux 6.1), step by step in the comments; none was read back from the
 * simulator.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "hw/machine.h"
#include "mm/mm.h"
#include "mm_testutil.h"

/* x86_64, one node, usable RAM [16 MiB, 32 MiB): ZONE_DMA32 spans pfns
 * 4096..8191, 8 pageblocks of 512; ZONE_DMA has no RAM. The simulator's
 * boot data (mem_map and friends) keeps 132 frames, so 3964 are managed:
 * free blocks of order 10 (x3), 9, 8, 6, 5, 4, 3, 2 (3072 + 512 + 256 +
 * 124). pcp off, so every request reaches the buddy lists; check on. */
static void boot_small(struct tm *t)
{
	struct mm_policy p;
	mm_policy_default(&p);
	p.era = MM_ERA_MODERN;
	p.pcp = false;
	p.check = true;
	tm_desc_simple(&t->d, HW_ARCH_X86_64, 16 * MiB, 32 * MiB, 1);
	tm_boot_desc(t, &p);
}

/* Does pagetypeinfo's free-count row of DMA32 for type `name` read
 * counts[0..10]? */
static void assert_row(struct tm *t, const char *name, const unsigned long *counts)
{
	char buf[8192], want[256];
	mm_view(t->mm, "pagetypeinfo", buf, sizeof buf);
	int n = snprintf(want, sizeof want, "Node    0, zone    DMA32, type %12s ", name);
	for (int o = 0; o < 11; o++)
		n += snprintf(want + n, sizeof want - (size_t)n, "%6lu ", counts[o]);
	ck_assert_msg(strstr(buf, want) != NULL, "no line\n%s\nin\n%s", want, buf);
}

static void assert_blocks(struct tm *t, unsigned long unmovable, unsigned long movable)
{
	char buf[8192], want[128];
	mm_view(t->mm, "pagetypeinfo", buf, sizeof buf);
	snprintf(want, sizeof want, "Node 0, zone    DMA32 %12lu %12lu %12lu %12lu %12lu \n", unmovable, movable,
		 0UL, 0UL, 0UL);
	ck_assert_msg(strstr(buf, want) != NULL, "no line\n%s\nin\n%s", want, buf);
}

static struct page *alloc_ok(struct tm *t, gfp_t gfp, unsigned order)
{
	struct page *p = alloc_pages(t->mm, gfp, order);
	ck_assert_msg(p != NULL, "order %u: %s", order, mm_error(t->mm));
	return p;
}

/* 6.1 memmap_init_range: every pageblock MIGRATE_MOVABLE; boot frees every
 * frame onto the movable lists. */
START_TEST(test_boot_all_movable)
{
	struct tm t;
	boot_small(&t);
	struct zone *z = tm_zone(&t, 0, ZONE_DMA32);
	ck_assert_uint_eq(z->managed_pages, 3964);
	ck_assert_uint_eq(z->free_pages, 3964);
	static const unsigned long none[11] = { 0 };
	static const unsigned long movable[11] = { 0, 0, 1, 1, 1, 1, 1, 0, 1, 1, 3 };
	assert_row(&t, "Unmovable", none);
	assert_row(&t, "Movable", movable);
	assert_row(&t, "Reclaimable", none);
	assert_blocks(&t, 0, 8);
	char buf[8192];
	mm_view(t.mm, "pagetypeinfo", buf, sizeof buf);
	ck_assert(strncmp(buf, "Page block order: 9\nPages per block:  512\n\n"
			  "Free pages count per migrate type at order       0      1", 100) == 0);
	tm_free(&t);
}
END_TEST

/*
 * The first unmovable request (GFP_KERNEL, order 0). The unmovable lists
 * are empty, so __rmqueue_fallback scans from order 10 down; at order 10,
 * fallbacks[UNMOVABLE] = {RECLAIMABLE (empty), MOVABLE (3 blocks)}, and
 * can_steal_fallback(10, UNMOVABLE) is true. steal_suitable_fallback: the
 * block is of order 10 >= pageblock_order, so both its pageblocks become
 * UNMOVABLE (change_pageblock_range) and the block moves to the unmovable
 * list; no boost on that path. __rmqueue_smallest again: the order-10
 * block is split, the halves of orders 9..0 on the unmovable lists.
 */
START_TEST(test_unmovable_steals_largest)
{
	struct tm t;
	boot_small(&t);
	struct zone *z = tm_zone(&t, 0, ZONE_DMA32);
	uint64_t head = NODE_DATA(t.mm, 0)->node_start_pfn + z->free_area[10].free_lists[MIGRATE_MOVABLE].first;
	struct page *p = alloc_ok(&t, GFP_KERNEL, 0);
	ck_assert_uint_eq(page_to_pfn(t.mm, p), head);
	static const unsigned long unmov[11] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0 };
	static const unsigned long mov[11] = { 0, 0, 1, 1, 1, 1, 1, 0, 1, 1, 2 };
	assert_row(&t, "Unmovable", unmov);
	assert_row(&t, "Movable", mov);
	assert_blocks(&t, 2, 6);
	ck_assert_uint_eq(z->watermark_boost, 0);

	/* The second one is served from the unmovable order-0 list: head + 1
	 * (expand's last half), no fallback. */
	struct page *q = alloc_ok(&t, GFP_KERNEL, 0);
	ck_assert_uint_eq(page_to_pfn(t.mm, q), head + 1);
	static const unsigned long unmov2[11] = { 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0 };
	assert_row(&t, "Unmovable", unmov2);
	assert_blocks(&t, 2, 6);

	/* A movable request never touches the unmovable lists while its own
	 * have blocks: __rmqueue_smallest(MOVABLE) takes the order-2 block
	 * (the smallest movable order >= 0) and splits it. */
	alloc_ok(&t, GFP_HIGHUSER_MOVABLE, 0);
	static const unsigned long mov2[11] = { 1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 2 };
	assert_row(&t, "Movable", mov2);
	assert_row(&t, "Unmovable", unmov2);

	/* Freed, they go back to their pageblock's lists and merge. */
	ck_assert_int_eq(__free_pages(t.mm, q, 0), 0);
	ck_assert_int_eq(__free_pages(t.mm, p, 0), 0);
	static const unsigned long unmov3[11] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	assert_row(&t, "Unmovable", unmov3);
	assert_blocks(&t, 2, 6);
	tm_free(&t);
}
END_TEST

/*
 * A movable request that must fall back below pageblock_order steals the
 * whole pageblock. Set-up (PF_MEMALLOC, so no watermark gets in the way):
 *   1. GFP_KERNEL order 0: as above, pageblocks P, P+1 become unmovable;
 *      P holds the allocated frame X and free blocks of orders 0..8, P+1
 *      one free order-9 block;
 *   2. GFP_KERNEL order 9: __rmqueue_smallest(UNMOVABLE) takes P+1;
 *   3. every movable block, exactly at its order (10, 10, 9, 8, 6, 5, 4,
 *      3, 2): the movable lists are now empty.
 * Then GFP_HIGHUSER_MOVABLE order 0: __rmqueue_fallback scans from order
 * 10 down; the first order with a block in fallbacks[MOVABLE] =
 * {RECLAIMABLE, UNMOVABLE} is 8 (unmovable, in P); can_steal_fallback(8,
 * MOVABLE): 8 >= pageblock_order / 2 = 4, true. steal_suitable_fallback:
 * the block's pageblock P is unmovable, order 8 < 9, so boost_watermark:
 * managed 3964 >= 4 * 512, max_boost = max(512, high 187 * 15000 / 10000
 * = 280) = 512, boost = min(0 + 512, 512) = 512. Then
 * move_freepages_block(P): the free blocks of orders 0..8 (511 frames)
 * move to the movable lists; X is unmovable, so movable_pages = 0 and
 * alike_pages = 0; 511 + 0 >= 256 (half a pageblock), so P becomes
 * MOVABLE. __rmqueue_smallest(MOVABLE) then takes the order-0 block.
 */
START_TEST(test_movable_steals_pageblock_and_boosts)
{
	struct tm t;
	boot_small(&t);
	mm_set_current(t.mm, PF_MEMALLOC, false, false);
	struct zone *z = tm_zone(&t, 0, ZONE_DMA32);
	alloc_ok(&t, GFP_KERNEL, 0);
	alloc_ok(&t, GFP_KERNEL, 9);
	static const unsigned orders[] = { 10, 10, 9, 8, 6, 5, 4, 3, 2 };
	for (size_t i = 0; i < sizeof orders / sizeof orders[0]; i++)
		alloc_ok(&t, GFP_HIGHUSER_MOVABLE, orders[i]);
	static const unsigned long none[11] = { 0 };
	static const unsigned long unmov[11] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 };
	assert_row(&t, "Movable", none);
	assert_row(&t, "Unmovable", unmov);
	assert_blocks(&t, 2, 6);
	ck_assert_uint_eq(z->free_pages, 511);

	alloc_ok(&t, GFP_HIGHUSER_MOVABLE, 0);
	static const unsigned long mov[11] = { 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 };
	assert_row(&t, "Movable", mov);
	assert_row(&t, "Unmovable", none);
	assert_blocks(&t, 1, 7);
	ck_assert_uint_eq(z->watermark_boost, 512);
	/* zoneinfo shows the boost, and min/low/high with it added (6.1's
	 * min_wmark_pages and friends): 125 + 512. */
	char buf[16384];
	mm_view(t.mm, "zoneinfo", buf, sizeof buf);
	ck_assert_msg(strstr(buf, "        boost    512\n        min      637\n") != NULL, "%s", buf);

	/* The boost is in the checks (zone_watermark_fast with 6.1's
	 * wmark_pages): a GFP_KERNEL request outside PF_MEMALLOC sees 510
	 * free frames against low 156 + 512 and then min 125 + 512, and
	 * fails (reclaim frees nothing yet). Without the boost (kswapd clears
	 * it once balanced: not modelled yet), 510 > 156 and it succeeds. */
	mm_set_current(t.mm, 0, false, false);
	ck_assert_uint_eq(z->free_pages, 510);
	ck_assert_uint_eq(z->pages_low, 156);
	ck_assert_ptr_null(alloc_pages(t.mm, GFP_KERNEL | __GFP_NOWARN, 0));
	z->watermark_boost = 0;
	alloc_ok(&t, GFP_KERNEL, 0);
	tm_free(&t);
}
END_TEST

/* The classic era rejects the modern era's migrate-type bits; the modern
 * era parses and prints them. */
/*
 * The same steps on a 2-level i386, whose pageblocks are order 10 (6.1's
 * HUGETLB_PAGE_ORDER, HPAGE_SHIFT 22 - PAGE_SHIFT): RAM [16 MiB, 40 MiB),
 * ZONE_NORMAL pfns 4096..10239, 6 pageblocks of 1024. The simulator's boot
 * data keeps 170 frames: 5974 managed, free blocks of order 10 (x5), 9, 8,
 * 6, 4, 2, 1 (5120 + 512 + 256 + 64 + 16 + 4 + 2); min 154, low 192, high
 * 230 (as zoneinfo shows them).
 *   1. GFP_KERNEL order 0: the order-10 block is one whole pageblock here
 *      (10 >= pageblock_order), so one pageblock P turns unmovable, not
 *      two: 1 unmovable, 5 movable. P holds X and free blocks 0..9;
 *   2. GFP_KERNEL order 9 takes P's order-9 block;
 *   3. every movable block at its order (10 x4, 9, 8, 6, 4, 2, 1).
 * Then GFP_HIGHUSER_MOVABLE order 0: the first fallback order with an
 * unmovable block is 8, in P; can_steal_fallback(8, MOVABLE): 8 >=
 * pageblock_order / 2 = 5. boost_watermark: managed 5974 >= 4 * 1024,
 * max_boost = max(1024, 230 * 15000 / 10000 = 345) = 1024, boost 1024.
 * move_freepages_block(P) moves 511 free frames; X and the order-9 block
 * are unmovable, so alike_pages = 0; 511 < 512 (half of 1024): P stays
 * UNMOVABLE (x86_64's P, 511 >= 256, changes). The order-0 block goes.
 */
START_TEST(test_i386_pageblock_order_10)
{
	struct tm t;
	struct mm_policy p;
	mm_policy_default(&p);
	p.era = MM_ERA_MODERN;
	p.pcp = false;
	p.check = true;
	tm_desc_simple(&t.d, HW_ARCH_I386, 16 * MiB, 40 * MiB, 1);
	tm_boot_desc(&t, &p);
	mm_set_current(t.mm, PF_MEMALLOC, false, false);
	ck_assert_uint_eq(mm_pageblock_order(t.mm), 10);
	struct zone *z = tm_zone(&t, 0, ZONE_NORMAL);
	ck_assert_uint_eq(z->managed_pages, 5974);
	ck_assert_uint_eq(z->pages_high, 230);
	char buf[16384];
	mm_view(t.mm, "pagetypeinfo", buf, sizeof buf);
	ck_assert(strncmp(buf, "Page block order: 10\nPages per block:  1024\n\n", 44) == 0);
	ck_assert_msg(strstr(buf, "Node 0, zone   Normal            0            6 ") != NULL, "%s", buf);

	alloc_ok(&t, GFP_KERNEL, 0);
	mm_view(t.mm, "pagetypeinfo", buf, sizeof buf);
	ck_assert_msg(strstr(buf, "Node 0, zone   Normal            1            5 ") != NULL, "%s", buf);
	ck_assert_msg(strstr(buf, "zone   Normal, type    Unmovable      1      1      1      1      1      1      1"
				  "      1      1      1      0 ") != NULL, "%s", buf);
	ck_assert_uint_eq(z->watermark_boost, 0);
	alloc_ok(&t, GFP_KERNEL, 9);
	static const unsigned orders[] = { 10, 10, 10, 10, 9, 8, 6, 4, 2, 1 };
	for (size_t i = 0; i < sizeof orders / sizeof orders[0]; i++)
		alloc_ok(&t, GFP_HIGHUSER_MOVABLE, orders[i]);
	ck_assert_uint_eq(z->free_pages, 511);

	alloc_ok(&t, GFP_HIGHUSER_MOVABLE, 0);
	mm_view(t.mm, "pagetypeinfo", buf, sizeof buf);
	ck_assert_msg(strstr(buf, "zone   Normal, type      Movable      0      1      1      1      1      1      1"
				  "      1      1      0      0 ") != NULL, "%s", buf);
	ck_assert_msg(strstr(buf, "zone   Normal, type    Unmovable      0      0      0      0      0      0      0"
				  "      0      0      0      0 ") != NULL, "%s", buf);
	ck_assert_msg(strstr(buf, "Node 0, zone   Normal            1            5 ") != NULL, "%s", buf);
	ck_assert_uint_eq(z->watermark_boost, 1024);
	tm_free(&t);
}
END_TEST

/*
 * 6.1's THP per-CPU list is for pageblock_order (pcp_allowed_order,
 * order_to_pindex: HPAGE_PMD_ORDER only from later kernels), so on a
 * 2-level i386 it holds order-10 blocks and order 9 goes to the buddy
 * lists. The same 40 MiB machine with the lists on: Normal's batch is 1
 * (zone_batchsize: 5974 >> 10 = 5, / 4 = 1, rounddown_pow_of_two(1) - 1
 * = 0, taken as 1). An order-10 request refills max(1 >> 10, 2) = 2
 * blocks onto the THP list (pindex NR_LOWORDER_PCP_LISTS) and hands one
 * out: 1024 pages left there. An order-9 request does not touch the list.
 */
START_TEST(test_i386_thp_pcp_list)
{
	struct tm t;
	struct mm_policy p;
	mm_policy_default(&p);
	p.era = MM_ERA_MODERN;
	p.check = true;
	tm_desc_simple(&t.d, HW_ARCH_I386, 16 * MiB, 40 * MiB, 1);
	tm_boot_desc(&t, &p);
	struct zone *z = tm_zone(&t, 0, ZONE_NORMAL);
	struct per_cpu_pageset *ps = &z->pageset[0];
	ck_assert_int_eq(ps->pcp[0].batch, 1);
	alloc_ok(&t, GFP_HIGHUSER_MOVABLE, 10);
	ck_assert_int_eq(ps->pcp[0].count, 1024);
	ck_assert_uint_ne(ps->lists[NR_LOWORDER_PCP_LISTS].first, PAGE_NIL);
	ck_assert_uint_eq(ps->lists[NR_LOWORDER_PCP_LISTS].first, ps->lists[NR_LOWORDER_PCP_LISTS].last);
	alloc_ok(&t, GFP_HIGHUSER_MOVABLE, 9);
	ck_assert_int_eq(ps->pcp[0].count, 1024);
	for (int i = 0; i < NR_LOWORDER_PCP_LISTS; i++)
		ck_assert_uint_eq(ps->lists[i].first, PAGE_NIL);
	tm_free(&t);
}
END_TEST

START_TEST(test_gfp_movable)
{
	char err[256], buf[128];
	gfp_t g;
	ck_assert_int_eq(gfp_parse("GFP_HIGHUSER_MOVABLE", &g, err, sizeof err), 0);
	/* 6.1: __GFP_RECLAIM (0x10 here, 0x80000) | __GFP_IO | __GFP_FS |
	 * __GFP_HARDWALL | __GFP_HIGHMEM | __GFP_MOVABLE */
	ck_assert_uint_eq(g, 0x010900d2);
	gfp_format(g | __GFP_ZERO, buf, sizeof buf);
	ck_assert_str_eq(buf, "GFP_HIGHUSER_MOVABLE|__GFP_ZERO");
	ck_assert_int_eq(gfp_parse("GFP_KERNEL|__GFP_RECLAIMABLE", &g, err, sizeof err), 0);
	gfp_format(g, buf, sizeof buf);
	ck_assert_str_eq(buf, "GFP_KERNEL|__GFP_RECLAIMABLE");

	struct tm t;
	tm_boot_preset(&t, "x86_64", 64 * MiB, 1, NULL);   /* classic */
	ck_assert_ptr_null(alloc_pages(t.mm, GFP_HIGHUSER_MOVABLE, 0));
	ck_assert_ptr_nonnull(strstr(mm_error(t.mm), "outside __GFP_BITS_MASK"));
	tm_free(&t);
}
END_TEST

/*
 * Gorman's anti-fragmentation result. Both eras, the same 256 MiB machine
 * ([16 MiB, 272 MiB), 128 pageblocks in DMA32), pcp off: order-0
 * allocations, three movable for one unmovable, interleaved until the
 * allocator refuses (the min watermark); then every movable page is freed.
 * The classic era has one list per order, so the unmovable pages end up
 * spread over every pageblock and almost no order-9 block can form again;
 * the modern era keeps them in the few pageblocks it stole for them, so
 * the rest merge back into whole pageblocks. Returns the free frames in
 * blocks of order >= 9, in pageblocks.
 */
static unsigned long fragment(enum mm_era era, unsigned long *unmovable_blocks)
{
	struct tm t;
	struct mm_policy p;
	mm_policy_default(&p);
	p.era = era;
	p.pcp = false;
	tm_desc_simple(&t.d, HW_ARCH_X86_64, 16 * MiB, 272 * MiB, 1);
	tm_boot_desc(&t, &p);
	const gfp_t movable = era == MM_ERA_MODERN ? GFP_HIGHUSER_MOVABLE : GFP_HIGHUSER;
	static struct page *mov[70000];
	size_t nmov = 0;
	for (int i = 0;; i++) {
		struct page *pg = alloc_pages(t.mm, (i & 3) == 3 ? GFP_KERNEL : movable, 0);
		if (!pg)
			break;
		if ((i & 3) != 3)
			mov[nmov++] = pg;
		ck_assert_uint_lt(nmov, 70000);
	}
	for (size_t i = 0; i < nmov; i++)
		ck_assert_int_eq(__free_pages(t.mm, mov[i], 0), 0);
	struct zone *z = tm_zone(&t, 0, ZONE_DMA32);
	unsigned long frames = 0;
	/* The classic era has no pageblocks: measure both in x86_64's 2 MiB. */
	unsigned pbo = mm_pageblock_order(t.mm) ? mm_pageblock_order(t.mm) : 9;
	for (unsigned o = pbo; o < mm_max_order(t.mm); o++)
		frames += z->free_area[o].nr_free << o;
	*unmovable_blocks = 0;
	if (z->pageblock_mt)
		for (unsigned long b = 0; b < z->nr_pageblocks; b++)
			*unmovable_blocks += z->pageblock_mt[b] == MIGRATE_UNMOVABLE;
	tm_free(&t);
	return frames >> pbo;
}

START_TEST(test_fragmentation_gorman)
{
	unsigned long ub_classic, ub_modern;
	unsigned long classic = fragment(MM_ERA_CLASSIC, &ub_classic);
	unsigned long modern = fragment(MM_ERA_MODERN, &ub_modern);
	/* Measured: classic 1, modern 93 of 128 (32 unmovable pageblocks:
	 * the ~16000 unmovable pages need 31). */
	ck_assert_uint_eq(ub_classic, 0);
	ck_assert_uint_ge(ub_modern, 31);
	ck_assert_uint_le(ub_modern, 34);
	ck_assert_uint_le(classic, 4);
	ck_assert_uint_ge(modern, 80);
}
END_TEST

/*
 * The modern era's per-CPU lists (6.1 rmqueue_pcplist, free_unref_page,
 * nr_pcp_free, free_pcppages_bulk) on the x86_64 preset at 256 MiB, 2 CPUs: DMA32's
 * pageset has batch 15 and high 296 (stage 1's zone_batchsize and
 * zone_highsize, checked against 6.1 elsewhere).
 */
START_TEST(test_pcp_lists_modern)
{
	struct tm t;
	struct mm_policy p;
	mm_policy_default(&p);
	p.era = MM_ERA_MODERN;
	p.check = true;
	tm_boot_preset(&t, "x86_64", 256 * MiB, 2, &p);   /* high: low 593 / 2 CPUs */
	struct zone *z = tm_zone(&t, 0, ZONE_DMA32);
	struct per_cpu_pageset *ps = &z->pageset[0];
	ck_assert_int_eq(ps->pcp[0].batch, 15);
	ck_assert_int_eq(ps->pcp[0].high, 296);

	/* Order 0, unmovable: list pindex 0 is empty, rmqueue_bulk brings a
	 * batch of 15, one is handed out: 14 left. */
	struct page *a = alloc_ok(&t, GFP_KERNEL, 0);
	ck_assert_int_eq(ps->pcp[0].count, 14);
	/* Order 2, movable: pindex 3 * 2 + 1 = 7, a refill of max(15 >> 2, 2)
	 * = 3 blocks (12 pages), one handed out: 14 + 8 = 22. */
	struct page *b = alloc_ok(&t, GFP_HIGHUSER_MOVABLE, 2);
	ck_assert_int_eq(ps->pcp[0].count, 22);
	ck_assert_int_eq(__free_pages(t.mm, b, 2), 0);
	ck_assert_int_eq(ps->pcp[0].count, 26);
	ck_assert_uint_eq(ps->lists[7].first, (uint32_t)(page_to_pfn(t.mm, b) - NODE_DATA(t.mm, 0)->node_start_pfn));
	ck_assert_int_eq(__free_pages(t.mm, a, 0), 0);
	drain_local_pages(t.mm);
	ck_assert_int_eq(ps->pcp[0].count, 0);

	/* nr_pcp_free and free_factor. 400 unmovable order-0 allocations take
	 * 27 refills of 15 (405 pages): 5 left on the list. Then 400 frees:
	 * the list reaches high (296) after 291 frees and gives back 15
	 * (free_factor 0 -> 1); after 15 more, 30 (-> 2); after 30 more, 60
	 * (-> 3); after 60 more (396 frees), 120 (-> 4: 240 < 281); the last
	 * 4 frees leave 176 + 4 = 180. */
	static struct page *pg[400];
	for (int i = 0; i < 400; i++)
		pg[i] = alloc_ok(&t, GFP_KERNEL, 0);
	ck_assert_int_eq(ps->pcp[0].count, 5);
	for (int i = 0; i < 400; i++)
		ck_assert_int_eq(__free_pages(t.mm, pg[i], 0), 0);
	ck_assert_int_eq(ps->pcp[0].count, 180);
	ck_assert_int_eq(ps->free_factor, 4);
	/* An allocation halves it (rmqueue_pcplist). */
	alloc_ok(&t, GFP_KERNEL, 0);
	ck_assert_int_eq(ps->free_factor, 2);
	ck_assert_int_eq(ps->pcp[0].count, 179);
	tm_free(&t);
}
END_TEST

/*
 * ALLOC_NOFRAGMENT (6.1 alloc_flags_nofragment, get_page_from_freelist,
 * __rmqueue_fallback's min_order). The x86_64 preset at 6 GiB, pcp off:
 * ZONE_NORMAL above 4 GiB, ZONE_DMA32 below. Set-up: Normal is filled with
 * movable order-8 blocks (a zonelist of Normal alone, PF_MEMALLOC), then
 * every other one is freed (pfn / 256 even): half of Normal is free, in
 * order-8 blocks whose buddies are in use, so no free block of order >= 9.
 * A GFP_KERNEL order-0 request prefers Normal, so it has ALLOC_NOFRAGMENT:
 * in Normal the unmovable and reclaimable lists are empty and the fallback
 * may only take blocks of order >= 9: none; the next zone of the same
 * node, DMA32, steals a whole order-10 movable block: the page is in
 * DMA32. With Normal alone in the zonelist, the retry without the flag
 * steals an order-8 block in Normal (can_steal_fallback(8, UNMOVABLE)).
 */
START_TEST(test_nofragment)
{
	struct tm t;
	struct mm_policy p;
	mm_policy_default(&p);
	p.era = MM_ERA_MODERN;
	p.pcp = false;
	tm_boot_preset(&t, "x86_64", 6 * GiB, 1, &p);
	struct zone *normal = tm_zone(&t, 0, ZONE_NORMAL);
	ck_assert(populated_zone(normal));
	struct zonelist zl;
	memset(&zl, 0, sizeof zl);
	zl.zones[0] = normal;
	mm_set_current(t.mm, PF_MEMALLOC, false, false);
	static uint64_t pfns[8192];
	int n = 0;
	struct page *pg;
	while ((pg = __alloc_pages(t.mm, GFP_HIGHUSER_MOVABLE | __GFP_NOWARN, 8, &zl)) != NULL) {
		ck_assert_int_lt(n, 8192);
		pfns[n++] = page_to_pfn(t.mm, pg);
	}
	ck_assert_int_gt(n, 8);
	for (int i = 0; i < n; i++)
		if (((pfns[i] >> 8) & 1) == 0)
			ck_assert_int_eq(free_pages_pfn(t.mm, pfns[i], 8), 0);
	mm_set_current(t.mm, 0, false, false);
	ck_assert_uint_eq(normal->free_area[9].nr_free + normal->free_area[10].nr_free, 0);
	ck_assert_uint_gt(normal->free_pages, normal->pages_high);

	pg = alloc_ok(&t, GFP_KERNEL, 0);
	ck_assert_uint_eq(page_zonenum(pg), ZONE_DMA32);
	pg = __alloc_pages(t.mm, GFP_KERNEL, 0, &zl);
	ck_assert_ptr_nonnull(pg);
	ck_assert_uint_eq(page_zonenum(pg), ZONE_NORMAL);
	tm_free(&t);
}
END_TEST

/*
 * mm_apply_capture (mm/capture.c) on a capture made up by hand for the
 * 256 MiB x86_64 preset (2 CPUs; DMA32 batch 15, high 296): DMA32 had 1000
 * pages in use and 40 + 100 on the CPUs' lists, DMA 10 in use. The 1000
 * unmovable pages come from the lowest order-10 block, which the first
 * steals whole (2 pageblocks turn unmovable); 67 refills of 15 take 1005
 * pages of its 1024, so no second steal. Nothing of it is counted.
 */
START_TEST(test_capture)
{
	struct tm t;
	struct mm_policy p;
	mm_policy_default(&p);
	p.era = MM_ERA_MODERN;
	p.check = true;
	tm_boot_preset(&t, "x86_64", 256 * MiB, 2, &p);
	struct zone *dma = tm_zone(&t, 0, ZONE_DMA), *dma32 = tm_zone(&t, 0, ZONE_DMA32);
	static struct hw_import imp;
	memset(&imp, 0, sizeof imp);
	imp.nr_nodes = 1;
	imp.nodes[0].nr_zones = 5;
	static const char *const names[] = { "DMA", "DMA32", "Normal", "Movable", "Device" };
	for (int i = 0; i < 5; i++)
		snprintf(imp.nodes[0].zones[i].name, sizeof imp.nodes[0].zones[i].name, "%s", names[i]);
	struct hw_import_zone *idma = &imp.nodes[0].zones[0], *idma32 = &imp.nodes[0].zones[1];
	idma->managed = dma->managed_pages;
	idma->free = dma->managed_pages - 10;
	idma32->managed = dma32->managed_pages;
	idma32->free = dma32->managed_pages - 1140;
	idma32->pcp_count[0] = 40;
	idma32->pcp_count[1] = 100;
	idma32->min = 100, idma32->low = 200, idma32->high = 300;
	idma32->pcp_high = 500, idma32->pcp_batch = 7, idma32->has_pcp = true;
	idma->nr_protection = 5;
	for (int k = 1; k < 5; k++)
		idma->protection[k] = 1234;
	char err[256];

	/* A capture that does not fit changes nothing. */
	idma->free = dma->managed_pages + 1;
	ck_assert_int_eq(mm_apply_capture(t.mm, &imp, MM_CAPTURE_IN_USE, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "node 0 DMA: ") && strstr(err, "more than its"), "%s", err);
	ck_assert_uint_eq(dma->free_pages, dma->managed_pages);
	idma->free = dma->managed_pages - 10;

	ck_assert_msg(mm_apply_capture(t.mm, &imp, MM_CAPTURE_IN_USE, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_eq(dma->free_pages, dma->managed_pages - 10);
	ck_assert_uint_eq(dma32->free_pages, dma32->managed_pages - 1140);
	ck_assert_int_eq(dma32->pageset[0].pcp[0].count, 40);
	ck_assert_int_eq(dma32->pageset[1].pcp[0].count, 100);
	assert_blocks(&t, 2, 120 - 2);   /* DMA32: pfns 4096..65535, 120 pageblocks */
	ck_assert_int_eq(mm_check(t.mm, err, sizeof err), 0);
	ck_assert_uint_eq(mm_vm_event(t.mm, PGALLOC_DMA32), 0);
	ck_assert_uint_eq(mm_vm_event(t.mm, PGFREE), 0);
	ck_assert_uint_eq(dma32->pageset[0].numa_hit, 0);
	ck_assert_uint_eq(dma32->watermark_boost, 0);
	ck_assert_int_eq(mm_errno(t.mm), 0);
	/* Still the current CPU the test set. */
	ck_assert_ptr_nonnull(alloc_ok(&t, GFP_KERNEL, 3));

	/* Marks and protection as the capture shows them. */
	ck_assert_uint_ne(dma32->pages_low, 200);
	ck_assert_msg(mm_apply_capture(t.mm, &imp, MM_CAPTURE_WMARKS | MM_CAPTURE_PROTECTION, err, sizeof err) == 0,
		      "%s", err);
	ck_assert_uint_eq(dma32->pages_min, 100);
	ck_assert_uint_eq(dma32->pages_low, 200);
	ck_assert_uint_eq(dma32->pages_high, 300);
	ck_assert_int_eq(dma32->pageset[1].pcp[0].high, 500);
	ck_assert_int_eq(dma32->pageset[1].pcp[0].batch, 7);
	ck_assert_uint_eq(dma->lowmem_reserve[ZONE_DMA32], 1234);
	ck_assert_uint_eq(dma->lowmem_reserve[ZONE_NORMAL], 1234);

	/* The parts by name. */
	unsigned what = 0;
	ck_assert_int_eq(mm_capture_parse("in_use,protection", &what, err, sizeof err), 0);
	ck_assert_uint_eq(what, MM_CAPTURE_IN_USE | MM_CAPTURE_PROTECTION);
	ck_assert_int_eq(mm_capture_parse("all", &what, err, sizeof err), 0);
	ck_assert_uint_eq(what, MM_CAPTURE_IN_USE | MM_CAPTURE_WMARKS | MM_CAPTURE_PROTECTION);
	ck_assert_int_eq(mm_capture_parse("in_use,free", &what, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "'free' is not part of a capture"), "%s", err);
	tm_free(&t);
}
END_TEST

Suite *modern_alloc_suite(void)
{
	Suite *s = suite_create("modern_alloc");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_boot_all_movable);
	tcase_add_test(tc, test_unmovable_steals_largest);
	tcase_add_test(tc, test_movable_steals_pageblock_and_boosts);
	tcase_add_test(tc, test_i386_pageblock_order_10);
	tcase_add_test(tc, test_i386_thp_pcp_list);
	tcase_add_test(tc, test_gfp_movable);
	tcase_add_test(tc, test_pcp_lists_modern);
	tcase_add_test(tc, test_nofragment);
	tcase_add_test(tc, test_capture);
	suite_add_tcase(s, tc);
	TCase *frag = tcase_create("fragmentation");
	tcase_add_test(frag, test_fragmentation_gorman);
	suite_add_tcase(s, frag);
	return s;
}
