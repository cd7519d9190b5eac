/*
 * Tests of the zoned allocator above the buddy system: GFP flags as text,
 * zone modifiers and fallback, zone_watermark_ok, the passes of
 * __alloc_pages (pages_low, kswapd, pages_min with __GFP_HIGH and
 * can_try_harder, PF_MEMALLOC, failure), and zonelists on NUMA machines
 * (2.6.11 find_next_best_node and build_zonelists).
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "mm/mm.h"
#include "mm_testutil.h"

/* ---- GFP flags ---------------------------------------------------------- */

START_TEST(test_gfp_parse)
{
	gfp_t g;
	char err[1024], buf[128];
	ck_assert_int_eq(gfp_parse("GFP_KERNEL|__GFP_ZERO", &g, err, sizeof err), 0);
	ck_assert_uint_eq(g, 0xd0 | 0x8000);              /* 2.6.11: WAIT 0x10 IO 0x40 FS 0x80 */
	ck_assert_int_eq(gfp_parse(" GFP_ATOMIC | __GFP_COLD ", &g, err, sizeof err), 0);
	ck_assert_uint_eq(g, 0x120);
	ck_assert_int_eq(gfp_parse("GFP_HIGHUSER", &g, err, sizeof err), 0);
	ck_assert_uint_eq(g, 0xd2);
	ck_assert_int_eq(gfp_parse("GFP_DMA|0x200", &g, err, sizeof err), 0);
	ck_assert_uint_eq(g, 0x201);
	ck_assert_int_eq(gfp_parse("GFP_KERNEL|__GFP_ZEROED", &g, err, sizeof err), -1);
	ck_assert(strncmp(err, "gfp: unknown flag '__GFP_ZEROED' (known: GFP_HIGHUSER, GFP_KERNEL,", 66) == 0);
	ck_assert_int_eq(gfp_parse("GFP_KERNEL||__GFP_ZERO", &g, err, sizeof err), -1);
	ck_assert_str_eq(err, "gfp: empty flag in 'GFP_KERNEL||__GFP_ZERO'");
	ck_assert_int_eq(gfp_parse("GFP_KERNEL __GFP_ZERO", &g, err, sizeof err), -1);
	ck_assert_str_eq(err, "gfp: expected '|' after 'GFP_KERNEL' in 'GFP_KERNEL __GFP_ZERO'");
	ck_assert_int_eq(gfp_parse("", &g, err, sizeof err), -1);

	gfp_format(GFP_KERNEL | __GFP_ZERO, buf, sizeof buf);
	ck_assert_str_eq(buf, "GFP_KERNEL|__GFP_ZERO");
	gfp_format(GFP_HIGHUSER | __GFP_COLD, buf, sizeof buf);
	ck_assert_str_eq(buf, "GFP_HIGHUSER|__GFP_COLD");
	gfp_format(GFP_ATOMIC | GFP_DMA, buf, sizeof buf);
	ck_assert_str_eq(buf, "GFP_ATOMIC|__GFP_DMA");
	gfp_format(0, buf, sizeof buf);
	ck_assert_str_eq(buf, "0");
	gfp_format(0x2000000, buf, sizeof buf);   /* the modern era's bits end at 0x1000000 */
	ck_assert_str_eq(buf, "0x2000000");

	ck_assert_int_eq(gfp_zone(GFP_KERNEL), ZONE_NORMAL);
	ck_assert_int_eq(gfp_zone(GFP_HIGHUSER), ZONE_HIGHMEM);
	/* 6.1's GFP_ZONE_TABLE: movable highmem-capable allocations may use
	 * ZONE_MOVABLE; __GFP_MOVABLE alone stays in Normal. */
	ck_assert_int_eq(gfp_zone(GFP_HIGHUSER_MOVABLE), ZONE_MOVABLE);
	ck_assert_int_eq(gfp_zone(GFP_KERNEL | __GFP_MOVABLE), ZONE_NORMAL);
	ck_assert_int_eq(gfp_zone(GFP_DMA32), ZONE_DMA32);
	ck_assert_int_eq(gfp_zone(GFP_DMA | __GFP_HIGHMEM), ZONE_DMA);   /* DMA wins, as in 2.6.11 */
}
END_TEST

/* ---- Zone modifiers and fallback ---------------------------------------- */

static struct zone *zone_of(struct tm *t, struct page *p)
{
	return page_zone(t->mm, p);
}

/*
 * i386, 1 GiB: GFP_HIGHUSER goes to HighMem, then Normal, then DMA;
 * GFP_KERNEL to Normal then DMA; GFP_DMA to DMA only. We drain each zone in
 * turn and watch where the next page comes from. GFP_DMA pages are all
 * below 16 MiB, and once DMA is down to its reserve GFP_DMA fails while
 * GFP_KERNEL still finds (nothing in Normal, and) nothing in DMA either:
 * the lowmem_reserve keeps it for DMA callers.
 */
START_TEST(test_zone_fallback_i386)
{
	struct tm t;
	struct mm_policy p;
	mm_policy_default(&p);
	p.pcp = false;
	tm_boot_preset(&t, "pc-i386", 0, 0, &p);
	struct zone *dma = tm_zone(&t, 0, ZONE_DMA), *normal = tm_zone(&t, 0, ZONE_NORMAL);
	struct zone *high = tm_zone(&t, 0, ZONE_HIGHMEM);
	ck_assert_ptr_eq(zone_of(&t, alloc_pages(t.mm, GFP_HIGHUSER, 0)), high);
	ck_assert_ptr_eq(zone_of(&t, alloc_pages(t.mm, GFP_KERNEL, 0)), normal);
	ck_assert_ptr_eq(zone_of(&t, alloc_pages(t.mm, GFP_DMA, 0)), dma);

	/* Drain HighMem with order-10 GFP_HIGHUSER requests: once HighMem
	 * fails its watermark, they come from Normal. */
	struct page *pg;
	int from_high = 0;
	while ((pg = alloc_pages(t.mm, GFP_HIGHUSER, 10)) && zone_of(&t, pg) == high)
		from_high++;
	ck_assert_ptr_eq(zone_of(&t, pg), normal);
	ck_assert_int_eq(from_high, 31);  /* 32 blocks; one was split for the first page */
	/* Drain Normal (order 0 now, to get to the bottom); HighMem is below
	 * its marks, so GFP_HIGHUSER takes Normal then DMA. */
	while ((pg = alloc_pages(t.mm, GFP_HIGHUSER, 0)) && zone_of(&t, pg) != dma)
		;
	ck_assert_ptr_nonnull(pg);
	ck_assert_ptr_eq(zone_of(&t, pg), dma);
	/* GFP_DMA: never a frame at or above 16 MiB, until it fails. */
	int n = 0;
	while ((pg = alloc_pages(t.mm, GFP_DMA | __GFP_NOWARN, 0))) {
		ck_assert_uint_lt(page_to_pfn(t.mm, pg), 4096);
		n++;
	}
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(mm_errno(t.mm), MM_ENOMEM);
	ck_assert_str_eq(mm_error(t.mm), "mmsim: page allocation failure. order:0, mode:0x201");
	ck_assert_uint_gt(mm_vm_event(t.mm, PGALLOC_HIGH), 0);
	ck_assert_uint_gt(mm_vm_event(t.mm, PGALLOC_NORMAL), 0);
	ck_assert_uint_gt(mm_vm_event(t.mm, PGALLOC_DMA), 0);
	char err[256];
	ck_assert_msg(mm_check(t.mm, err, sizeof err) == 0, "%s", err);
	tm_free(&t);
}
END_TEST

/* x86_64, 4 GiB: GFP_KERNEL's list is Normal, DMA32, DMA; GFP_DMA32's
 * DMA32, DMA; GFP_HIGHUSER's the same as GFP_KERNEL's (no HighMem). */
START_TEST(test_zonelists_x86_64)
{
	struct tm t;
	tm_boot_preset(&t, "x86_64", 0, 0, NULL);
	pg_data_t *pgdat = NODE_DATA(t.mm, 0);
	struct zone **zl = pgdat->node_zonelists[gfp_zone(GFP_KERNEL)].zones;
	ck_assert_ptr_eq(zl[0], tm_zone(&t, 0, ZONE_NORMAL));
	ck_assert_ptr_eq(zl[1], tm_zone(&t, 0, ZONE_DMA32));
	ck_assert_ptr_eq(zl[2], tm_zone(&t, 0, ZONE_DMA));
	ck_assert_ptr_null(zl[3]);
	zl = pgdat->node_zonelists[gfp_zone(GFP_DMA32)].zones;
	ck_assert_ptr_eq(zl[0], tm_zone(&t, 0, ZONE_DMA32));
	ck_assert_ptr_eq(zl[1], tm_zone(&t, 0, ZONE_DMA));
	ck_assert_ptr_null(zl[2]);
	zl = pgdat->node_zonelists[gfp_zone(GFP_HIGHUSER)].zones;
	ck_assert_ptr_eq(zl[0], tm_zone(&t, 0, ZONE_NORMAL));
	zl = pgdat->node_zonelists[gfp_zone(GFP_DMA)].zones;
	ck_assert_ptr_eq(zl[0], tm_zone(&t, 0, ZONE_DMA));
	ck_assert_ptr_null(zl[1]);
	struct page *pg = alloc_pages(t.mm, GFP_DMA32, 0);
	ck_assert_ptr_eq(page_zone(t.mm, pg), tm_zone(&t, 0, ZONE_DMA32));
	ck_assert_uint_lt(page_to_pfn(t.mm, pg), 1048576);
	tm_free(&t);
}
END_TEST

/* ---- Zonelists on NUMA machines ---------------------------------------- */

static void node_order(struct tm *t, int nid, int *out)
{
	struct zone **zl = NODE_DATA(t->mm, nid)->node_zonelists[ZONE_NORMAL].zones;
	int n = 0;
	for (int i = 0; zl[i]; i++) {
		int node = zl[i]->zone_pgdat->node_id;
		if (n == 0 || out[n - 1] != node)
			out[n++] = node;
	}
	for (; n < 4; n++)
		out[n] = -1;
}

/*
 * x86_64-numa4, the asymmetric SLIT {10,16,21,31} {16,10,31,21}
 * {22,31,10,16} {31,22,16,10}; every node has CPUs (+1 each). Scores are
 * (distance + 1) * 4 * 64 + node_load, lowest wins:
 *   node 0: itself; then 1 (17*256) over 2 (22*256) and 3 (32*256); then
 *           2, then 3.                                      -> 0 1 2 3
 *   node 1: itself; 0 (17*256 + load) over 3 (22*256) and 2 (32*256);
 *           then 3, then 2.                                 -> 1 0 3 2
 *   node 2: distances to 3, 0, 1 are 16, 22, 31             -> 2 3 0 1
 *   node 3: distances to 2, 1, 0 are 16, 22, 31             -> 3 2 1 0
 * (distances differ, so node_load never decides here).
 */
START_TEST(test_zonelists_numa4_asymmetric)
{
	struct tm t;
	int o[4];
	tm_boot_preset(&t, "x86_64-numa4", 0, 0, NULL);
	static const int want[4][4] = { { 0, 1, 2, 3 }, { 1, 0, 3, 2 }, { 2, 3, 0, 1 }, { 3, 2, 1, 0 } };
	for (int nid = 0; nid < 4; nid++) {
		node_order(&t, nid, o);
		for (int i = 0; i < 4; i++)
			ck_assert_msg(o[i] == want[nid][i], "node %d: position %d is node %d, want %d", nid, i,
				      o[i], want[nid][i]);
	}
	/* Node 0's GFP_KERNEL list in node order: its Normal, DMA32, DMA, then
	 * node 1's Normal, node 2's, node 3's. */
	struct zone **zl = NODE_DATA(t.mm, 0)->node_zonelists[ZONE_NORMAL].zones;
	ck_assert_ptr_eq(zl[0], tm_zone(&t, 0, ZONE_NORMAL));
	ck_assert_ptr_eq(zl[1], tm_zone(&t, 0, ZONE_DMA32));
	ck_assert_ptr_eq(zl[2], tm_zone(&t, 0, ZONE_DMA));
	ck_assert_ptr_eq(zl[3], tm_zone(&t, 1, ZONE_NORMAL));
	ck_assert_ptr_eq(zl[4], tm_zone(&t, 2, ZONE_NORMAL));
	ck_assert_ptr_eq(zl[5], tm_zone(&t, 3, ZONE_NORMAL));
	ck_assert_ptr_null(zl[6]);
	tm_free(&t);
}
END_TEST

/*
 * Four nodes at equal distance (10 local, 20 remote): node_load spreads the
 * fallbacks. Scores (21 * 256 + load); ties go to the first candidate after
 * the node itself; the first node of a new distance group gets `load`
 * (counting down from 4 as nodes are placed) added to node_load, which
 * persists from one node's list to the next:
 *   node 0: 0, then 1 (load[1] += 3), 2, 3               -> 0 1 2 3
 *   node 1: 1, then 2 (load[2] += 3), then 3 and 0 tie: 3 -> 1 2 3 0
 *   node 2: 2, then 3 (load 0; 0 has 0 too but comes later; load[3] += 3),
 *           then 0 (load 0) before 1 (load 3)            -> 2 3 0 1
 *   node 3: 3, then 0 (load 0 < 3), then 1 and 2 tie: 1  -> 3 0 1 2
 * Each node falls back first to a different node: round-robin.
 */
START_TEST(test_zonelists_round_robin)
{
	struct tm t;
	char err[256];
	int o[4];
	ck_assert_int_eq(hw_desc_pc(&t.d, HW_ARCH_X86_64, 8 * GiB, 4, 4, err, sizeof err), 0);
	tm_boot_desc(&t, NULL);
	static const int want[4][4] = { { 0, 1, 2, 3 }, { 1, 2, 3, 0 }, { 2, 3, 0, 1 }, { 3, 0, 1, 2 } };
	for (int nid = 0; nid < 4; nid++) {
		node_order(&t, nid, o);
		for (int i = 0; i < 4; i++)
			ck_assert_msg(o[i] == want[nid][i], "node %d: position %d is node %d, want %d", nid, i,
				      o[i], want[nid][i]);
	}
	tm_free(&t);
}
END_TEST

/*
 * Node order and zone order on x86_64-numa2 (node 0: DMA, DMA32, 1 GiB of
 * Normal above 4 GiB; node 1: Normal). Node 0's GFP_KERNEL list:
 *   node order: N0 Normal, N0 DMA32, N0 DMA, N1 Normal
 *   zone order: N0 Normal, N1 Normal, N0 DMA32, N0 DMA
 * Zone order keeps node 0's DMA32 for the callers that need it, at the cost
 * of going to node 1 as soon as node 0's Normal is short.
 */
START_TEST(test_zonelist_order_policy)
{
	struct mm_policy p;
	mm_policy_default(&p);
	for (int zo = 0; zo < 2; zo++) {
		struct tm t;
		p.zonelist_order = zo ? ZONELIST_ORDER_ZONE : ZONELIST_ORDER_NODE;
		tm_boot_preset(&t, "x86_64-numa2", 0, 0, &p);
		struct zone **zl = NODE_DATA(t.mm, 0)->node_zonelists[ZONE_NORMAL].zones;
		ck_assert_ptr_eq(zl[0], tm_zone(&t, 0, ZONE_NORMAL));
		ck_assert_ptr_eq(zl[1], zo ? tm_zone(&t, 1, ZONE_NORMAL) : tm_zone(&t, 0, ZONE_DMA32));
		ck_assert_ptr_eq(zl[2], zo ? tm_zone(&t, 0, ZONE_DMA32) : tm_zone(&t, 0, ZONE_DMA));
		ck_assert_ptr_eq(zl[3], zo ? tm_zone(&t, 0, ZONE_DMA) : tm_zone(&t, 1, ZONE_NORMAL));
		ck_assert_ptr_null(zl[4]);
		tm_free(&t);
	}
}
END_TEST

/* NUMA counters: a request for node 1 served by node 1 from a CPU on node 0
 * is a numa_hit and other_node; node 0's own are numa_hit and local_node. */
START_TEST(test_numa_counters)
{
	struct tm t;
	tm_boot_preset(&t, "x86_64-numa2", 0, 0, NULL);
	ck_assert_ptr_nonnull(alloc_pages(t.mm, GFP_KERNEL, 0));
	ck_assert_ptr_nonnull(alloc_pages_node(t.mm, 1, GFP_KERNEL, 0));
	ck_assert_uint_eq(mm_vm_event(t.mm, NUMA_HIT), 2);
	ck_assert_uint_eq(mm_vm_event(t.mm, LOCAL_NODE), 1);
	ck_assert_uint_eq(mm_vm_event(t.mm, OTHER_NODE), 1);
	ck_assert_uint_eq(mm_vm_event(t.mm, NUMA_MISS), 0);
	tm_free(&t);
}
END_TEST

/* ---- Watermarks --------------------------------------------------------- */

/*
 * zone_watermark_ok by hand on a zone of 32 frames (tm_desc_dma32,
 * pcp off, no watermarks while the layout is built, then pages_min/low/high
 * set to 4/5/6):
 *   take 0-7 (order 3), 8-15 (order 3), then 16 single frames 16..31;
 *   free 0-7 (order 3: its buddy 8 is taken) and the even singles 16, 18,
 *   ..., 30 (their odd buddies are taken): free_pages 16, nr_free[0] = 8,
 *   nr_free[3] = 1.
 *   order 0, mark 5: 16 - 1 + 1 = 16 > 5                     -> ok
 *   order 3, mark 5: 16 - 8 + 1 = 9 > 5; less order 0's 8 pages: 1, and
 *     the mark halves to 2: 1 <= 2                            -> fails,
 *   although an order-3 block is there. An order-3 GFP_KERNEL request
 *   fails (after the pages_min pass and an empty direct reclaim) while
 *   order-0 requests go on succeeding.
 */
START_TEST(test_watermark_order3)
{
	struct tm t;
	struct mm_policy p;
	mm_policy_default(&p);
	p.pcp = false;
	p.min_free_kbytes = 0;
	p.check = true;
	tm_desc_dma32(&t.d, 32, 1);
	tm_boot_desc(&t, &p);
	struct zone *z = tm_zone(&t, 0, ZONE_DMA32);
	struct zonelist only = { { z, NULL } };
	struct page *a = __alloc_pages(t.mm, GFP_KERNEL, 3, &only);
	struct page *b = __alloc_pages(t.mm, GFP_KERNEL, 3, &only);
	struct page *s[16];
	for (int i = 0; i < 16; i++) {
		s[i] = __alloc_pages(t.mm, GFP_KERNEL, 0, &only);
		ck_assert_int_eq(tm_idx(&t, z, s[i]), 16 + i);
	}
	(void)b;
	ck_assert_int_eq(__free_pages(t.mm, a, 3), 0);
	for (int i = 0; i < 16; i += 2)
		ck_assert_int_eq(__free_pages(t.mm, s[i], 0), 0);
	ck_assert_uint_eq(z->free_pages, 16);
	z->pages_min = 4, z->pages_low = 5, z->pages_high = 6;
	ck_assert_int_eq(zone_watermark_ok(z, 0, z->pages_low, ZONE_DMA32, 0, 0), 1);
	ck_assert_int_eq(zone_watermark_ok(z, 3, z->pages_low, ZONE_DMA32, 0, 0), 0);
	ck_assert_int_eq(zone_watermark_ok(z, 3, z->pages_min, ZONE_DMA32, 1, 1), 0);

	ck_assert_ptr_null(__alloc_pages(t.mm, GFP_KERNEL, 3, &only));
	ck_assert_int_eq(mm_errno(t.mm), MM_ENOMEM);
	ck_assert_str_eq(mm_error(t.mm), "mmsim: page allocation failure. order:3, mode:0xd0");
	ck_assert_uint_eq(mm_vm_event(t.mm, ALLOCSTALL), 1);
	ck_assert_uint_eq(mm_vm_event(t.mm, PGALLOC_FAIL), 1);
	struct page *c = __alloc_pages(t.mm, GFP_KERNEL, 0, &only);
	ck_assert_ptr_nonnull(c);
	/* With PF_MEMALLOC (a reclaimer) the watermarks are ignored: the
	 * order-3 block is handed out. */
	mm_set_current(t.mm, PF_MEMALLOC, false, false);
	c = __alloc_pages(t.mm, GFP_KERNEL, 3, &only);
	ck_assert_int_eq(tm_idx(&t, z, c), 0);
	tm_free(&t);
}
END_TEST

/*
 * GFP_ATOMIC goes below pages_min's mark. Zone of 32 frames, min/low/high
 * 8/10/12, order-0 requests on that zone alone:
 *   GFP_KERNEL passes at pages_min while free - 1 + 1 > 8: it gets 24
 *   frames, then fails at 8 free.
 *   GFP_ATOMIC (__GFP_HIGH: min 8 - 4 = 4; not __GFP_WAIT, so
 *   can_try_harder: 4 - 1 = 3) goes on while free > 3: 5 more frames.
 * kswapd: the pages_low pass first fails at 10 free (10 > 10 is false), so
 * kswapd is woken then (wakeup_kswapd wakes it at free <= pages_low).
 */
START_TEST(test_atomic_dips_below_min)
{
	struct tm t;
	struct mm_policy p;
	mm_policy_default(&p);
	p.pcp = false;
	p.min_free_kbytes = 0;
	tm_desc_dma32(&t.d, 32, 1);
	tm_boot_desc(&t, &p);
	struct zone *z = tm_zone(&t, 0, ZONE_DMA32);
	z->pages_min = 8, z->pages_low = 10, z->pages_high = 12;
	struct zonelist only = { { z, NULL } };
	int n = 0;
	while (__alloc_pages(t.mm, GFP_KERNEL, 0, &only)) {
		n++;
		if (z->free_pages > 10)
			ck_assert_uint_eq(mm_vm_event(t.mm, KSWAPD_WAKE), 0);
	}
	ck_assert_int_eq(n, 24);
	ck_assert_uint_eq(z->free_pages, 8);
	ck_assert_uint_eq(mm_vm_event(t.mm, KSWAPD_WAKE), 1);
	ck_assert_int_eq(NODE_DATA(t.mm, 0)->kswapd.state, SIM_TASK_RUNNABLE);
	n = 0;
	while (__alloc_pages(t.mm, GFP_ATOMIC, 0, &only))
		n++;
	ck_assert_int_eq(n, 5);
	ck_assert_uint_eq(z->free_pages, 3);
	/* GFP_ATOMIC does not reclaim: no allocstall beyond GFP_KERNEL's one. */
	ck_assert_uint_eq(mm_vm_event(t.mm, ALLOCSTALL), 1);

	/* kswapd runs when the simulation runs: one balance pass, then it
	 * sleeps on kswapd_wait until woken again. */
	sim_run(&t.s);
	ck_assert_int_eq(NODE_DATA(t.mm, 0)->kswapd.state, SIM_TASK_WAITING);
	ck_assert_uint_eq(mm_vm_event(t.mm, PAGEOUTRUN), 1);
	mm_set_cpu(t.mm, 0);
	ck_assert_ptr_null(__alloc_pages(t.mm, GFP_ATOMIC | __GFP_NOWARN, 0, &only));
	ck_assert_uint_eq(mm_vm_event(t.mm, KSWAPD_WAKE), 2);
	sim_run(&t.s);
	ck_assert_uint_eq(mm_vm_event(t.mm, PAGEOUTRUN), 2);
	tm_free(&t);
}
END_TEST

Suite *alloc_suite(void)
{
	Suite *s = suite_create("alloc");
	TCase *tc = tcase_create("alloc");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_gfp_parse);
	tcase_add_test(tc, test_zone_fallback_i386);
	tcase_add_test(tc, test_zonelists_x86_64);
	tcase_add_test(tc, test_zonelists_numa4_asymmetric);
	tcase_add_test(tc, test_zonelists_round_robin);
	tcase_add_test(tc, test_zonelist_order_policy);
	tcase_add_test(tc, test_numa_counters);
	tcase_add_test(tc, test_watermark_order3);
	tcase_add_test(tc, test_atomic_dips_below_min);
	suite_add_tcase(s, tc);
	return s;
}
