/*
 * The modern era's (Linux 6.1) allocation path: gfp_to_alloc_flags,
 * get_page_from_freelist with zone_watermark_fast and the boost,
 * __alloc_pages_slowpath (__GFP_NORETRY, __GFP_RETRY_MAYFAIL, __GFP_NOFAIL,
 * __GFP_THISNODE), the high-order atomic reserve, ZONE_BOOSTED_WATERMARK
 * and kswapd clearing the boost, and mm_page_alloc's migratetype.
 *
 * Every expectation is worked by hand from 6.1's mm/page_alloc.c in the
 * comments; none was read back from the simulator.
 *
 * Most tests use the machine of test_modern_alloc.c: x86_64, one node,
 * usable RAM [16 MiB, 32 MiB): ZONE_DMA32 is pfns 4096..8191 (8 pageblocks
 * of 512), 3964 frames managed (132 keep the simulator's boot data at the
 * start), min/low/high 125/156/187, lowmem_reserve 0 (no zone above).
 * Boot leaves every pageblock movable and the free frames in blocks of
 * order 8, 6, 5, 4, 3, 2 (the first pageblock, 380 frames), 9 at 4608,
 * and 10 at 5120, 6144 and 7168, the last at the tail of its list. pcp
 * off, so every request reaches the buddy lists.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/6.1/internal.h"
#include "mm/mm.h"
#include "mm_testutil.h"
#include "sim/trace.h"

static void boot_small_check(struct tm *t, struct trace *tr, bool check)
{
	struct mm_policy p;
	mm_policy_default(&p);
	p.era = MM_ERA_MODERN;
	p.pcp = false;
	p.check = check;
	tm_desc_simple(&t->d, HW_ARCH_X86_64, 16 * MiB, 32 * MiB, 1);
	t->p = p;
	char err[256];
	sim_init(&t->s, t->d.nr_cpus, 1);
	t->mm = mm_boot(&t->s, &t->d, &t->p, tr, err, sizeof err);
	ck_assert_msg(t->mm != NULL, "%s", err);
	mm_set_cpu(t->mm, 0);
	struct zone *z = tm_zone(t, 0, ZONE_DMA32);
	ck_assert_uint_eq(z->managed_pages, 3964);
	ck_assert_uint_eq(z->pages_min, 125);
	ck_assert_uint_eq(z->pages_low, 156);
	ck_assert_uint_eq(z->pages_high, 187);
}

/* check on: the invariant checker runs after every operation. */
static void boot_small_tr(struct tm *t, struct trace *tr)
{
	boot_small_check(t, tr, true);
}

/*
 * Movable order-0 pages as a reclaimer (PF_MEMALLOC: no watermark) until
 * `target` frames are free. The smallest blocks go first, so the last
 * order-10 block [7168, 8192) is eaten from its bottom: what is left of it
 * is the binary decomposition of [8192 - target, 8192). Movable requests
 * from movable pageblocks steal nothing, so no boost.
 */
static void fill_to(struct tm *t, unsigned long target)
{
	struct zone *z = tm_zone(t, 0, ZONE_DMA32);
	mm_set_current(t->mm, PF_MEMALLOC, false, false);
	while (z->free_pages > target)
		ck_assert_ptr_nonnull(alloc_pages(t->mm, GFP_HIGHUSER_MOVABLE, 0));
	mm_set_current(t->mm, 0, false, false);
	ck_assert_uint_eq(z->free_pages, target);
	ck_assert_uint_eq(z->watermark_boost, 0);
}

/* How many allocations of (gfp, order) succeed in a row. */
static int alloc_run(struct tm *t, gfp_t gfp, unsigned order)
{
	int n = 0;
	while (alloc_pages(t->mm, gfp | __GFP_NOWARN, order))
		n++;
	return n;
}

/*
 * gfp_to_alloc_flags at 100 free frames, below min (125):
 *   GFP_HIGHUSER_MOVABLE: min 125, 100 > 125 is false: fails; GFP_KERNEL
 *     too (the check fails before any steal could happen).
 *   GFP_NOWAIT: 6.1 gives ALLOC_HARDER for __GFP_ATOMIC only, not for
 *     every caller that cannot reclaim: min 125 again: fails.
 *   a realtime task, GFP_HIGHUSER_MOVABLE: ALLOC_HARDER, 125 - 125/4 = 94:
 *     succeeds while free > 94: 6 pages (100 -> 94); in an interrupt it
 *     is not "in a task": no ALLOC_HARDER, fails.
 *   GFP_ATOMIC|__GFP_NOMEMALLOC: ALLOC_HIGH only, 125 - 62 = 63: 31 pages
 *     (94 -> 63).
 *   GFP_ATOMIC: ALLOC_HIGH and ALLOC_HARDER, 63 - 63/4 = 48: 15 pages
 *     (63 -> 48).
 * Only the requests that may sleep enter direct reclaim (allocstall).
 */
START_TEST(test_atomic_below_min)
{
	struct tm t;
	boot_small_tr(&t, NULL);
	struct zone *z = tm_zone(&t, 0, ZONE_DMA32);
	fill_to(&t, 100);
	uint64_t stalls = mm_vm_event(t.mm, ALLOCSTALL);
	ck_assert_int_eq(alloc_run(&t, GFP_HIGHUSER_MOVABLE, 0), 0);
	ck_assert_int_eq(alloc_run(&t, GFP_KERNEL, 0), 0);
	ck_assert_uint_eq(z->watermark_boost, 0);
	ck_assert_uint_eq(mm_vm_event(t.mm, ALLOCSTALL), stalls + 2);
	ck_assert_int_eq(alloc_run(&t, GFP_NOWAIT | __GFP_MOVABLE, 0), 0);
	ck_assert_uint_eq(mm_vm_event(t.mm, ALLOCSTALL), stalls + 2);
	mm_set_current(t.mm, 0, true, false);
	ck_assert_int_eq(alloc_run(&t, GFP_HIGHUSER_MOVABLE, 0), 6);
	ck_assert_uint_eq(z->free_pages, 94);
	mm_set_current(t.mm, 0, true, true);
	ck_assert_int_eq(alloc_run(&t, GFP_HIGHUSER_MOVABLE, 0), 0);
	mm_set_current(t.mm, 0, false, false);
	ck_assert_int_eq(alloc_run(&t, GFP_ATOMIC | __GFP_MOVABLE | __GFP_NOMEMALLOC, 0), 31);
	ck_assert_uint_eq(z->free_pages, 63);
	uint64_t fails = mm_vm_event(t.mm, PGALLOC_FAIL);
	ck_assert_int_eq(alloc_run(&t, GFP_ATOMIC | __GFP_MOVABLE, 0), 15);
	ck_assert_uint_eq(z->free_pages, 48);
	ck_assert_uint_eq(mm_vm_event(t.mm, PGALLOC_FAIL), fails + 1);
	tm_free(&t);
}
END_TEST

/*
 * The high-order atomic reserve. fill_to(140) leaves [8052, 8192): an
 * order-2 block at 8052, order 3 at 8056, order 7 at 8064, all in the
 * last pageblock [7680, 8192) (number 7), which also holds 372 movable
 * pages in use.
 *
 * GFP_ATOMIC order 2 (unmovable): the fast path's low mark fails (140 <=
 * 156); the slow path has ALLOC_HIGH|ALLOC_HARDER: 140 - 3 > 48, and a
 * movable block of order >= 2 exists. No unmovable block: the fallback
 * takes the largest movable one, order 7, which is below a pageblock:
 * the zone is boosted (max(512, 187 * 1.5) = 512) and, as the request may
 * wake kswapd, ZONE_BOOSTED_WATERMARK set; the pageblock's 140 free
 * frames move to the unmovable lists, but 140 + 0 alike < 256 keeps the
 * block movable. The smallest unmovable block, 8052, is handed out (136
 * free). rmqueue sees the flag: clears it, wakes kswapd. Then
 * reserve_highatomic_pageblock: 0 reserved < 3964 / 100 + 512 = 551, the
 * block is movable (mergeable): it becomes MIGRATE_HIGHATOMIC, 512
 * reserved, its free blocks (8056 order 3, 8064 order 7) on the
 * highatomic lists.
 *
 * Then: a reclaimer's GFP_KERNEL order 0 ignores the watermarks but
 * cannot fall back to highatomic (6.1's fallbacks[] has no such row):
 * fails. A second GFP_ATOMIC order 2 fails: the boost is in every mark,
 * (125 + 512) halved is 319, less a quarter 240, and 133 <= 240. kswapd
 * runs: the boost goes. Now GFP_ATOMIC order 2 passes (133 > 48, a
 * highatomic block counts for ALLOC_HARDER) and rmqueue_buddy takes it
 * from the reserve first: 8056 (the order-3 block split). The block is
 * already highatomic: nothing more reserved. A GFP_ATOMIC order 0 passes
 * the watermark but 6.1 only lets order > 0 into the reserve: fails.
 *
 * Freeing 400 of the fill's pages (pfns 5120..5519, a movable pageblock)
 * makes 532 free, but a caller without ALLOC_HARDER counts the whole
 * reserve as unusable: 532 - 512 = 20 is under low 156 and min 125, so
 * GFP_HIGHUSER_MOVABLE fails; GFP_ATOMIC|__GFP_MOVABLE (ALLOC_HARDER:
 * nothing subtracted) takes one of the freed pages.
 */
START_TEST(test_highatomic_reserve)
{
	struct tm t;
	boot_small_tr(&t, NULL);
	struct zone *z = tm_zone(&t, 0, ZONE_DMA32);
	fill_to(&t, 140);
	ck_assert_uint_eq(z->pageblock_mt[7], MIGRATE_MOVABLE);
	struct page *pg = alloc_pages(t.mm, GFP_ATOMIC, 2);
	ck_assert_ptr_nonnull(pg);
	ck_assert_uint_eq(page_to_pfn(t.mm, pg), 8052);
	ck_assert_uint_eq(z->free_pages, 136);
	ck_assert_uint_eq(z->watermark_boost, 512);
	ck_assert_uint_eq(z->flags, 0);
	ck_assert_uint_eq(z->nr_reserved_highatomic, 512);
	ck_assert_uint_eq(z->pageblock_mt[7], MIGRATE_HIGHATOMIC);
	uint64_t l3[4], l7[4];
	ck_assert_int_eq(tm_list(&t, 0, &z->free_area[3].free_lists[MIGRATE_HIGHATOMIC], l3, 4), 1);
	ck_assert_int_eq(tm_list(&t, 0, &z->free_area[7].free_lists[MIGRATE_HIGHATOMIC], l7, 4), 1);
	ck_assert_uint_eq(l3[0], 8056);
	ck_assert_uint_eq(l7[0], 8064);

	mm_set_current(t.mm, PF_MEMALLOC, false, false);
	ck_assert_ptr_null(alloc_pages(t.mm, GFP_KERNEL | __GFP_NOWARN, 0));
	mm_set_current(t.mm, 0, false, false);
	ck_assert_ptr_null(alloc_pages(t.mm, GFP_ATOMIC | __GFP_NOWARN, 2));

	sim_run(&t.s);
	mm_set_cpu(t.mm, 0);
	ck_assert_uint_eq(z->watermark_boost, 0);
	pg = alloc_pages(t.mm, GFP_ATOMIC, 2);
	ck_assert_ptr_nonnull(pg);
	ck_assert_uint_eq(page_to_pfn(t.mm, pg), 8056);
	ck_assert_uint_eq(z->nr_reserved_highatomic, 512);
	ck_assert_ptr_null(alloc_pages(t.mm, GFP_ATOMIC | __GFP_NOWARN, 0));
	ck_assert_uint_eq(z->free_pages, 132);

	for (uint64_t pfn = 5120; pfn < 5520; pfn++)
		ck_assert_int_eq(free_pages_pfn(t.mm, pfn, 0), 0);
	ck_assert_uint_eq(z->free_pages, 532);
	ck_assert_ptr_null(alloc_pages(t.mm, GFP_HIGHUSER_MOVABLE | __GFP_NOWARN, 0));
	pg = alloc_pages(t.mm, GFP_ATOMIC | __GFP_MOVABLE, 0);
	ck_assert_ptr_nonnull(pg);
	ck_assert_uint_ge(page_to_pfn(t.mm, pg), 5120);
	ck_assert_uint_lt(page_to_pfn(t.mm, pg), 5520);
	tm_free(&t);
}
END_TEST

/*
 * unreserve_highatomic_pageblock, called directly (the slow path reaches it
 * only once reclaim makes progress). The reserve of test_highatomic_reserve:
 * pageblock 7 highatomic, 512 reserved, its free blocks 8056 (order 3) and
 * 8064 (order 7) on the highatomic lists. Unforced, 6.1 keeps a zone's
 * last pageblock (512 <= pageblock_nr_pages): nothing moves. Forced, the
 * lowest order first: the block of 8056 is found, the pageblock turns to
 * the request's type (movable here) with the reserve down by a pageblock,
 * and move_freepages_block carries both free blocks to the movable lists.
 */
START_TEST(test_highatomic_unreserve)
{
	struct tm t;
	boot_small_tr(&t, NULL);
	struct zone *z = tm_zone(&t, 0, ZONE_DMA32);
	fill_to(&t, 140);
	ck_assert_ptr_nonnull(alloc_pages(t.mm, GFP_ATOMIC, 2));
	ck_assert_uint_eq(z->nr_reserved_highatomic, 512);
	ck_assert_uint_eq(z->pageblock_mt[7], MIGRATE_HIGHATOMIC);

	struct zonelist zl = { .zones = { z, NULL } };
	struct alloc_context ac = { .zonelist = &zl, .highest_zoneidx = ZONE_DMA32,
				    .migratetype = MIGRATE_MOVABLE };
	ck_assert(!unreserve_highatomic_pageblock(t.mm, &ac, false));
	ck_assert_uint_eq(z->nr_reserved_highatomic, 512);
	ck_assert_uint_eq(z->pageblock_mt[7], MIGRATE_HIGHATOMIC);

	ck_assert(unreserve_highatomic_pageblock(t.mm, &ac, true));
	ck_assert_uint_eq(z->nr_reserved_highatomic, 0);
	ck_assert_uint_eq(z->pageblock_mt[7], MIGRATE_MOVABLE);
	uint64_t l[4];
	ck_assert_int_eq(tm_list(&t, 0, &z->free_area[3].free_lists[MIGRATE_HIGHATOMIC], l, 4), 0);
	ck_assert_int_eq(tm_list(&t, 0, &z->free_area[7].free_lists[MIGRATE_HIGHATOMIC], l, 4), 0);
	ck_assert_int_eq(tm_list(&t, 0, &z->free_area[3].free_lists[MIGRATE_MOVABLE], l, 4), 1);
	ck_assert_uint_eq(l[0], 8056);
	ck_assert_int_eq(tm_list(&t, 0, &z->free_area[7].free_lists[MIGRATE_MOVABLE], l, 4), 1);
	ck_assert_uint_eq(l[0], 8064);
	/* Nothing reserved is left to give back. */
	ck_assert(!unreserve_highatomic_pageblock(t.mm, &ac, true));
	char err[256];
	ck_assert_msg(mm_check(t.mm, err, sizeof err) == 0, "%s", err);
	tm_free(&t);
}
END_TEST

/*
 * The reserve's cap: 6.1 reserves while nr_reserved_highatomic is below
 * managed / 100 + pageblock_nr_pages = 39 + 512 = 551. The same order-2
 * atomic allocation as above, with the count set just below and at the
 * cap (as if earlier reserves existed): 550 reserves pageblock 7 (1062),
 * 551 does not (the block stays movable). (The invariant checker, which
 * counts the highatomic pageblocks, is off for this made-up count.)
 */
START_TEST(test_highatomic_cap)
{
	static const unsigned long preset[2] = { 550, 551 };
	for (int i = 0; i < 2; i++) {
		struct tm t;
		boot_small_check(&t, NULL, false);
		struct zone *z = tm_zone(&t, 0, ZONE_DMA32);
		fill_to(&t, 140);
		z->nr_reserved_highatomic = preset[i];
		ck_assert_ptr_nonnull(alloc_pages(t.mm, GFP_ATOMIC, 2));
		ck_assert_uint_eq(z->nr_reserved_highatomic, i == 0 ? 1062 : 551);
		ck_assert_uint_eq(z->pageblock_mt[7], i == 0 ? MIGRATE_HIGHATOMIC : MIGRATE_MOVABLE);
		tm_free(&t);
	}
}
END_TEST

/*
 * zone_watermark_fast's exception for atomic order-0 requests: the min
 * mark they are checked against drops the boost. fill_to(200) leaves
 * [7992, 8192): order 3 at 7992, 6 at 8000, 7 at 8064, with 312 movable
 * pages in use in pageblock 7. GFP_KERNEL (200 > low 156) steals the
 * order-7 block: boost 512; 200 free + 0 alike < 256, so the block stays
 * movable while its free blocks move to the unmovable lists; the page is
 * 7992 (199 free). Then, all in the slow path at min + boost = 637:
 *   a realtime GFP_KERNEL: ALLOC_HARDER, 637 - 159 = 478: fails;
 *   GFP_ATOMIC order 1: 637 - 318 = 319, less a quarter 240, and
 *     199 - 1 <= 240: fails (the exception is for order 0 only);
 *   GFP_ATOMIC|__GFP_NOMEMALLOC order 0: ALLOC_HIGH only, 319 fails, but
 *     __GFP_ATOMIC order 0 at the min mark is checked again without the
 *     boost: 125 - 62 = 63 < 199: succeeds (the exception looks at
 *     __GFP_ATOMIC, not at ALLOC_HARDER);
 *   GFP_ATOMIC order 0: 48 without the boost: succeeds.
 */
START_TEST(test_atomic_ignores_boost)
{
	struct tm t;
	boot_small_tr(&t, NULL);
	struct zone *z = tm_zone(&t, 0, ZONE_DMA32);
	fill_to(&t, 200);
	struct page *pg = alloc_pages(t.mm, GFP_KERNEL, 0);
	ck_assert_ptr_nonnull(pg);
	ck_assert_uint_eq(page_to_pfn(t.mm, pg), 7992);
	ck_assert_uint_eq(z->watermark_boost, 512);
	ck_assert_uint_eq(z->pageblock_mt[7], MIGRATE_MOVABLE);
	ck_assert_uint_eq(z->free_pages, 199);
	mm_set_current(t.mm, 0, true, false);
	ck_assert_ptr_null(alloc_pages(t.mm, GFP_KERNEL | __GFP_NOWARN, 0));
	mm_set_current(t.mm, 0, false, false);
	ck_assert_ptr_null(alloc_pages(t.mm, GFP_ATOMIC | __GFP_NOWARN, 1));
	ck_assert_ptr_nonnull(alloc_pages(t.mm, GFP_ATOMIC | __GFP_NOMEMALLOC, 0));
	ck_assert_ptr_nonnull(alloc_pages(t.mm, GFP_ATOMIC, 0));
	ck_assert_uint_eq(z->free_pages, 197);
	ck_assert_uint_eq(z->watermark_boost, 512);
	tm_free(&t);
}
END_TEST

/* The whole trace so far, as text (the caller frees it). */
static char *trace_text(struct trace *tr, FILE *fp)
{
	ck_assert_int_eq(trace_flush(tr), 0);
	long end = ftell(fp);
	ck_assert_int_ge(end, 0);
	char *buf = malloc((size_t)end + 1);
	ck_assert_ptr_nonnull(buf);
	rewind(fp);
	size_t n = fread(buf, 1, (size_t)end, fp);
	buf[n] = '\0';
	fseek(fp, 0, SEEK_END);
	return buf;
}

static int count(const char *text, const char *what)
{
	int n = 0;
	for (const char *p = text; (p = strstr(p, what)) != NULL; p += strlen(what))
		n++;
	return n;
}

/*
 * The boost's life. fill_to(400) leaves [7792, 8192) free: order 4 at
 * 7792, 7 at 7808, 8 at 7936, in pageblock 7 with 112 movable pages in
 * use; 400 > low, so the fill never left the fast path and kswapd was
 * never woken.
 *
 * GFP_KERNEL order 0 (unmovable, fast path: low mark, ALLOC_KSWAPD): the
 * fallback takes the order-8 block: boost 0 -> 512, ZONE_BOOSTED_WATERMARK;
 * 400 free + 0 alike >= 256: pageblock 7 turns unmovable; the page is the
 * smallest unmovable block's, 7792. rmqueue: the flag wakes kswapd
 * (wakeup_kswapd: not balanced, 399 <= high 187 + boost 512) once. The
 * next GFP_KERNEL fails although 399 > low: low + boost is 668, min +
 * boost 637; it goes through reclaim and the OOM path. kswapd runs:
 * balance_pgdat drops the boost it found (512 -> 0). Now GFP_KERNEL
 * succeeds from the unmovable lists, without a steal.
 *
 * The trace: mm_watermark_boost twice (0 -> 512 by the allocating task,
 * 512 -> 0 by kswapd0), and mm_page_alloc's migratetype (6.1's field):
 * 1 for the movable fill, 0 for GFP_KERNEL.
 */
START_TEST(test_boost_kswapd)
{
	struct tm t;
	FILE *fp = tmpfile();
	ck_assert_ptr_nonnull(fp);
	struct trace *tr = trace_open_fp(fp, "test");
	boot_small_tr(&t, tr);
	struct zone *z = tm_zone(&t, 0, ZONE_DMA32);
	fill_to(&t, 400);
	ck_assert_uint_eq(mm_vm_event(t.mm, KSWAPD_WAKE), 0);

	struct page *pg = alloc_pages(t.mm, GFP_KERNEL, 0);
	ck_assert_ptr_nonnull(pg);
	ck_assert_uint_eq(page_to_pfn(t.mm, pg), 7792);
	ck_assert_uint_eq(z->watermark_boost, 512);
	ck_assert_uint_eq(z->pageblock_mt[7], MIGRATE_UNMOVABLE);
	ck_assert_uint_eq(z->flags, 0);
	ck_assert_uint_eq(mm_vm_event(t.mm, KSWAPD_WAKE), 1);

	ck_assert_ptr_null(alloc_pages(t.mm, GFP_KERNEL, 0));
	ck_assert_uint_eq(z->free_pages, 399);
	ck_assert_uint_eq(mm_vm_event(t.mm, ALLOCSTALL), 1);

	sim_run(&t.s);
	mm_set_cpu(t.mm, 0);
	ck_assert_uint_eq(z->watermark_boost, 0);
	ck_assert_uint_eq(mm_vm_event(t.mm, PAGEOUTRUN), 1);
	ck_assert_ptr_nonnull(alloc_pages(t.mm, GFP_KERNEL, 0));
	ck_assert_uint_eq(z->watermark_boost, 0);

	char *text = trace_text(tr, fp);
	ck_assert_int_eq(count(text, "\"ev\":\"mm_watermark_boost\""), 2);
	ck_assert_ptr_nonnull(strstr(text, "\"ev\":\"mm_watermark_boost\",\"t\":0,\"cpu\":0,\"nid\":0,"
					 "\"zone\":\"DMA32\",\"old\":0,\"boost\":512}"));
	ck_assert_ptr_nonnull(strstr(text, "\"task\":\"kswapd0\",\"nid\":0,\"zone\":\"DMA32\",\"old\":512,"
					 "\"boost\":0}"));
	ck_assert_int_eq(count(text, "\"ev\":\"mm_vmscan_kswapd_wake\""), 1);
	ck_assert_int_eq(count(text, "\"ev\":\"mm_oom\""), 1);
	ck_assert_int_eq(count(text, "\"ev\":\"mm_page_alloc\""), 3564 + 2);
	ck_assert_int_eq(count(text, "\"zone\":\"DMA32\",\"migratetype\":1,"), 3564);
	ck_assert_ptr_nonnull(strstr(text, "\"pfn\":7792,\"order\":0,\"gfp_flags\":\"GFP_KERNEL\",\"nid\":0,"
					 "\"zone\":\"DMA32\",\"migratetype\":0,\"cycles\":0}"));
	free(text);
	ck_assert_int_eq(trace_close(tr), 0);
	fclose(fp);
	sim_destroy(&t.s);
	mm_destroy(t.mm);
}
END_TEST

/*
 * The slow path's retry rules at 100 free frames (below min), each
 * request worked through 6.1's __alloc_pages_slowpath:
 *   order 4 GFP_KERNEL|__GFP_NORETRY: costly, may reclaim: compaction
 *     first (skipped: no CONFIG_COMPACTION yet), then costly + NORETRY
 *     gives up at once: no reclaim, no OOM.
 *   order 4 GFP_KERNEL: compaction, then the min mark fails again, direct
 *     reclaim (one stall), compaction again; costly without
 *     __GFP_RETRY_MAYFAIL: no OOM.
 *   order 0 GFP_KERNEL|__GFP_NORETRY: reclaim (a stall), then gives up.
 *   order 0 GFP_KERNEL|__GFP_RETRY_MAYFAIL: reclaim, should_reclaim_retry
 *     says no (no zone reaches min even with its reclaimable pages, 0),
 *     and __alloc_pages_may_oom skips the OOM killer for RETRY_MAYFAIL;
 *     2.6.11's __GFP_REPEAT is read as RETRY_MAYFAIL (4.13's rename).
 *   order 0 GFP_KERNEL: the same, and the OOM killer (traced) kills
 *     nothing: fails.
 *   order 0 GFP_HIGHUSER_MOVABLE|__GFP_NOFAIL: at the OOM killer 6.1
 *     gives a __GFP_NOFAIL request a try without watermarks: it succeeds,
 *     100 times, down to 0 free; then even that fails: mmsim stops the
 *     endless retry and says so, naming the task and the mask.
 *   GFP_NOWAIT|__GFP_NOFAIL: cannot reclaim: 6.1 lets it fail.
 */
START_TEST(test_retry_rules)
{
	struct tm t;
	FILE *fp = tmpfile();
	ck_assert_ptr_nonnull(fp);
	struct trace *tr = trace_open_fp(fp, "test");
	boot_small_tr(&t, tr);
	struct zone *z = tm_zone(&t, 0, ZONE_DMA32);
	fill_to(&t, 100);
	char *text = trace_text(tr, fp);
	const int oom0 = count(text, "\"ev\":\"mm_oom\""), cmp0 = count(text, "mm_compaction_try_to_compact_pages");
	free(text);
	const uint64_t st0 = mm_vm_event(t.mm, ALLOCSTALL);

	ck_assert_ptr_null(alloc_pages(t.mm, GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN, 4));
	ck_assert_uint_eq(mm_vm_event(t.mm, ALLOCSTALL), st0);
	ck_assert_ptr_null(alloc_pages(t.mm, GFP_KERNEL | __GFP_NOWARN, 4));
	ck_assert_uint_eq(mm_vm_event(t.mm, ALLOCSTALL), st0 + 1);
	text = trace_text(tr, fp);
	ck_assert_int_eq(count(text, "mm_compaction_try_to_compact_pages"), cmp0 + 3);
	ck_assert_int_eq(count(text, "\"ev\":\"mm_oom\""), oom0);
	free(text);

	ck_assert_ptr_null(alloc_pages(t.mm, GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN, 0));
	ck_assert_ptr_null(alloc_pages(t.mm, GFP_KERNEL | __GFP_RETRY_MAYFAIL | __GFP_NOWARN, 0));
	ck_assert_ptr_null(alloc_pages(t.mm, GFP_KERNEL | __GFP_REPEAT | __GFP_NOWARN, 0));
	ck_assert_uint_eq(mm_vm_event(t.mm, ALLOCSTALL), st0 + 4);
	text = trace_text(tr, fp);
	ck_assert_int_eq(count(text, "\"ev\":\"mm_oom\""), oom0);
	free(text);
	ck_assert_ptr_null(alloc_pages(t.mm, GFP_KERNEL | __GFP_NOWARN, 0));
	text = trace_text(tr, fp);
	ck_assert_int_eq(count(text, "\"ev\":\"mm_oom\""), oom0 + 1);
	free(text);
	ck_assert_uint_eq(z->free_pages, 100);

	ck_assert_int_eq(alloc_run(&t, GFP_HIGHUSER_MOVABLE | __GFP_NOFAIL, 0), 100);
	ck_assert_uint_eq(z->free_pages, 0);
	ck_assert_ptr_null(alloc_pages(t.mm, GFP_HIGHUSER_MOVABLE | __GFP_NOFAIL, 0));
	ck_assert_msg(strstr(mm_error(t.mm), "mmsim: __GFP_NOFAIL allocation cannot be satisfied: order:0, "
			     "mode:0x10908d2(GFP_HIGHUSER_MOVABLE|__GFP_NOFAIL)") == mm_error(t.mm),
		      "%s", mm_error(t.mm));
	ck_assert_ptr_null(alloc_pages(t.mm, GFP_NOWAIT | __GFP_NOFAIL | __GFP_NOWARN, 0));
	ck_assert_ptr_nonnull(strstr(mm_error(t.mm), "page allocation failure: order:0"));
	ck_assert_int_eq(trace_close(tr), 0);
	fclose(fp);
	sim_destroy(&t.s);
	mm_destroy(t.mm);
}
END_TEST

/*
 * __GFP_THISNODE. x86_64-numa2 at 2 GiB: node 0 [0, 1 GiB) and node 1
 * [1, 2 GiB), both ZONE_DMA32 only, nothing above (lowmem_reserve 0).
 * Movable requests (no steal, so no boost) for node 1 with __GFP_THISNODE
 * use node 1's zones alone (6.1's ZONELIST_NOFALLBACK): they go down to
 * node 1's min mark in the slow path (the last success leaves exactly
 * min) and then fail (no OOM for THISNODE), node 0 untouched. Without it
 * the next request skips node 1 (min <= low) and falls back to node 0.
 */
START_TEST(test_thisnode)
{
	struct tm t;
	struct mm_policy p;
	mm_policy_default(&p);
	p.era = MM_ERA_MODERN;
	p.pcp = false;
	tm_boot_preset(&t, "x86_64-numa2", 2 * GiB, 2, &p);
	struct zone *z0 = tm_zone(&t, 0, ZONE_DMA32), *z1 = tm_zone(&t, 1, ZONE_DMA32);
	ck_assert(populated_zone(z1));
	unsigned long free0 = z0->free_pages;
	struct page *pg;
	while ((pg = alloc_pages_node(t.mm, 1, GFP_HIGHUSER_MOVABLE | __GFP_THISNODE | __GFP_NOWARN, 0)))
		ck_assert_int_eq(page_nid(pg), 1);
	ck_assert_uint_eq(z1->lowmem_reserve[ZONE_HIGHMEM], 0);
	ck_assert_uint_eq(z1->free_pages, z1->pages_min);
	ck_assert_uint_eq(z1->watermark_boost, 0);
	ck_assert_uint_eq(z0->free_pages, free0);
	ck_assert_ptr_nonnull(strstr(mm_error(t.mm), "page allocation failure: order:0"));
	pg = alloc_pages_node(t.mm, 1, GFP_HIGHUSER_MOVABLE, 0);
	ck_assert_ptr_nonnull(pg);
	ck_assert_int_eq(page_nid(pg), 0);
	tm_free(&t);
}
END_TEST

/* 6.1's new flags and combinations are parsed and printed; the classic
 * era refuses them as 2.6.11 has no such bit. Values by hand from
 * gfp.h: GFP_TRANSHUGE_LIGHT is IO 0x40 | FS 0x80 | HIGHMEM 0x2 | NOWARN
 * 0x200 | COMP 0x4000 | MOVABLE 0x10000 | NOMEMALLOC 0x200000 | HARDWALL
 * 0x1000000 = 0x12142c2; GFP_TRANSHUGE adds __GFP_DIRECT_RECLAIM 0x10. */
START_TEST(test_gfp_61_names)
{
	char err[1024], buf[256];
	gfp_t g;
	ck_assert_int_eq(gfp_parse("GFP_TRANSHUGE_LIGHT", &g, err, sizeof err), 0);
	ck_assert_uint_eq(g, 0x12142c2);
	ck_assert_int_eq(gfp_parse("GFP_TRANSHUGE", &g, err, sizeof err), 0);
	ck_assert_uint_eq(g, 0x12142d2);
	gfp_format(g, buf, sizeof buf);
	ck_assert_str_eq(buf, "GFP_TRANSHUGE");
	gfp_format(GFP_TRANSHUGE_LIGHT | __GFP_ZERO, buf, sizeof buf);
	ck_assert_str_eq(buf, "GFP_TRANSHUGE_LIGHT|__GFP_ZERO");
	ck_assert_int_eq(gfp_parse("0x80000", &g, err, sizeof err), 0);   /* numbers reach the 6.1 bits */
	ck_assert_uint_eq(g, __GFP_KSWAPD_RECLAIM);
	ck_assert_int_eq(gfp_parse("0x2000000", &g, err, sizeof err), -1);
	ck_assert_int_eq(gfp_parse("GFP_NOWAIT", &g, err, sizeof err), 0);
	ck_assert_uint_eq(g, 0x80000);
	gfp_format(g, buf, sizeof buf);
	ck_assert_str_eq(buf, "GFP_NOWAIT");
	ck_assert_int_eq(gfp_parse("__GFP_RECLAIM|__GFP_IO|__GFP_FS", &g, err, sizeof err), 0);
	gfp_format(g, buf, sizeof buf);
	ck_assert_str_eq(buf, "GFP_KERNEL|__GFP_KSWAPD_RECLAIM");
	ck_assert_int_eq(gfp_parse("GFP_KERNEL|__GFP_THISNODE|__GFP_RETRY_MAYFAIL|__GFP_MEMALLOC", &g, err,
				   sizeof err), 0);
	gfp_format(g, buf, sizeof buf);
	ck_assert_str_eq(buf, "GFP_KERNEL|__GFP_MEMALLOC|__GFP_THISNODE|__GFP_RETRY_MAYFAIL");
	ck_assert_int_eq(gfp_parse("GFP_ATOMIC|__GFP_ATOMIC|__GFP_KSWAPD_RECLAIM|__GFP_NOMEMALLOC|__GFP_HARDWALL",
				   &g, err, sizeof err), 0);
	gfp_format(g, buf, sizeof buf);
	ck_assert_str_eq(buf, "GFP_ATOMIC|__GFP_ATOMIC|__GFP_KSWAPD_RECLAIM|__GFP_NOMEMALLOC|__GFP_HARDWALL");

	struct tm t;
	tm_boot_preset(&t, "x86_64", 64 * MiB, 1, NULL);   /* classic */
	ck_assert_ptr_null(alloc_pages(t.mm, GFP_KERNEL | __GFP_THISNODE, 0));
	ck_assert_ptr_nonnull(strstr(mm_error(t.mm), "outside __GFP_BITS_MASK"));
	ck_assert_ptr_null(alloc_pages(t.mm, GFP_NOWAIT, 0));
	ck_assert_ptr_nonnull(strstr(mm_error(t.mm), "outside __GFP_BITS_MASK"));
	tm_free(&t);
}
END_TEST

/*
 * __GFP_MEMALLOC ignores the watermarks (ALLOC_NO_WATERMARKS) like
 * PF_MEMALLOC, __GFP_NOMEMALLOC overrides both: at 100 free, a movable
 * order-0 request with __GFP_MEMALLOC succeeds; with __GFP_NOMEMALLOC
 * too, or as a reclaimer with __GFP_NOMEMALLOC, it fails (min 125).
 */
START_TEST(test_memalloc_flags)
{
	struct tm t;
	boot_small_tr(&t, NULL);
	struct zone *z = tm_zone(&t, 0, ZONE_DMA32);
	fill_to(&t, 100);
	ck_assert_ptr_null(alloc_pages(t.mm, GFP_HIGHUSER_MOVABLE | __GFP_MEMALLOC | __GFP_NOMEMALLOC |
				       __GFP_NOWARN, 0));
	mm_set_current(t.mm, PF_MEMALLOC, false, false);
	ck_assert_ptr_null(alloc_pages(t.mm, GFP_HIGHUSER_MOVABLE | __GFP_NOMEMALLOC | __GFP_NOWARN, 0));
	mm_set_current(t.mm, 0, false, false);
	ck_assert_uint_eq(z->free_pages, 100);
	ck_assert_ptr_nonnull(alloc_pages(t.mm, GFP_HIGHUSER_MOVABLE | __GFP_MEMALLOC, 0));
	ck_assert_uint_eq(z->free_pages, 99);
	tm_free(&t);
}
END_TEST

Suite *alloc61_suite(void)
{
	Suite *s = suite_create("alloc61");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_atomic_below_min);
	tcase_add_test(tc, test_highatomic_reserve);
	tcase_add_test(tc, test_highatomic_cap);
	tcase_add_test(tc, test_highatomic_unreserve);
	tcase_add_test(tc, test_atomic_ignores_boost);
	tcase_add_test(tc, test_boost_kswapd);
	tcase_add_test(tc, test_retry_rules);
	tcase_add_test(tc, test_thisnode);
	tcase_add_test(tc, test_gfp_61_names);
	tcase_add_test(tc, test_memalloc_flags);
	suite_add_tcase(s, tc);
	return s;
}
