/*
 * Memory pools (mm/mempool.c) and the bounce layer's use of them
 * (mm/bounce.c): 2.6.11's order in mempool_alloc (the allocator without
 * sleeping, then the reserve, then "would sleep" or a failure without
 * __GFP_WAIT), mempool_free refilling the reserve before freeing, and
 * asynchronous ISA transfers holding their bounce pages until the
 * completion interrupt: the 17th finds the 16-page isa_page_pool empty.
 *
 * pc-i386 (1 GiB): ZONE_DMA is pfn 0 .. 4095; the ISA pool's 16 pages
 * come from it (ISA_POOL_SIZE, 2.6.11 mm/highmem.c).
 */
#include <check.h>

#include "hw/dma.h"
#include "hw/hw.h"
#include "mm/bounce.h"
#include "mm/mempool.h"
#include "mm/mm.h"
#include "mm_testutil.h"

/* Take ZONE_DMA down as far as an atomic allocation may go. */
static int exhaust_dma(struct mm *mm)
{
	int n = 0;
	while (alloc_pages(mm, GFP_ATOMIC | __GFP_DMA, 0))
		n++;
	return n;
}

START_TEST(test_mempool_order)
{
	struct tm t;
	tm_boot_preset(&t, "pc-i386", 0, 2, NULL);
	struct mm *mm = t.mm;
	mempool_t *pool = mempool_create(mm, "test_pool", 4, __GFP_DMA, 16 * MiB);
	ck_assert_ptr_nonnull(pool);
	ck_assert_int_eq(mempool_curr_nr(pool), 4);
	const struct mempool_stats *st = mempool_stats(pool);
	/* The zone has frames: the allocator serves, the reserve stays full. */
	struct page *a = mempool_alloc(mm, pool, GFP_NOIO);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_lt(page_to_pfn(mm, a), 4096);
	ck_assert_uint_eq(st->from_allocator, 1);
	ck_assert_int_eq(mempool_curr_nr(pool), 4);
	/* The reserve is full: the page goes back to the allocator. */
	mempool_free(mm, a, pool);
	ck_assert_uint_eq(st->free_to_allocator, 1);
	/* Zone exhausted: the reserve, then "would sleep" / failure. */
	ck_assert_int_gt(exhaust_dma(mm), 3000);
	struct page *r[4];
	for (int i = 0; i < 4; i++) {
		r[i] = mempool_alloc(mm, pool, GFP_NOIO);
		ck_assert_ptr_nonnull(r[i]);
	}
	ck_assert_uint_eq(st->from_reserve, 4);
	ck_assert_int_eq(mempool_curr_nr(pool), 0);
	ck_assert_ptr_null(mempool_alloc(mm, pool, GFP_NOIO));
	ck_assert_int_eq(mm_errno(mm), MM_EAGAIN);
	ck_assert_uint_eq(st->waits, 1);
	ck_assert_ptr_null(mempool_alloc(mm, pool, GFP_ATOMIC));
	ck_assert_int_eq(mm_errno(mm), MM_ENOMEM);
	ck_assert_ptr_nonnull(strstr(mm_error(mm), "may not sleep"));
	ck_assert_uint_eq(st->failed, 1);
	/* Freed pages refill the reserve first. */
	mempool_free(mm, r[0], pool);
	ck_assert_int_eq(mempool_curr_nr(pool), 1);
	ck_assert_uint_eq(st->free_to_reserve, 1);
	ck_assert_ptr_eq(mempool_alloc(mm, pool, GFP_NOIO), r[0]);
	ck_assert_uint_eq(st->min_curr_nr, 0);
	mempool_destroy(pool);
	tm_free(&t);
}
END_TEST

/* Async transfers hold their bounce pages: 16 in flight empty the ISA
 * pool, the 17th would sleep; the completions (run by sim_run) give every
 * page back, and the 17th goes through. */
START_TEST(test_async_exhausts_isa_pool)
{
	struct tm t;
	char err[256];
	ck_assert_int_eq(hw_preset("pc-i386", 0, 2, &t.d, err, sizeof err), 0);
	struct hw *hw = hw_create(&t.d, err, sizeof err);
	mm_policy_default(&t.p);
	t.p.check = true;
	sim_init(&t.s, t.d.nr_cpus, 1);
	t.s.mem = hw_memport(hw);
	t.mm = mm_boot(&t.s, &t.d, &t.p, NULL, err, sizeof err);
	ck_assert_ptr_nonnull(t.mm);
	struct mm *mm = t.mm;
	mm_set_hw(mm, hw);
	int isa = hw_dma_attach(hw, "isa", 24, 0.001, 2000);
	ck_assert_int_eq(mm_dma_setup(mm, isa), 0);
	mm_set_cpu(mm, 0);
	ck_assert_int_eq(mm_dma_pool_curr_nr(mm, isa), ISA_POOL_SIZE);
	exhaust_dma(mm);
	struct page *buf = alloc_pages(mm, GFP_KERNEL, 0);         /* above 16 MiB */
	ck_assert_uint_ge(page_to_pfn(mm, buf), 4096);
	static struct mm_dma_req req[ISA_POOL_SIZE + 1];
	for (int i = 0; i <= ISA_POOL_SIZE; i++)
		mm_dma_req_init(&req[i]);
	for (int i = 0; i < ISA_POOL_SIZE; i++) {
		ck_assert_int_eq(mm_dma_submit(mm, &req[i], isa, buf, 0, 4096, HW_DMA_FROM_DEVICE,
					       GFP_NOIO, true), 0);
		ck_assert_int_eq(req[i].state, MM_DMA_REQ_IN_FLIGHT);
		ck_assert(req[i].bounced);
	}
	ck_assert_int_eq(mm_dma_pool_curr_nr(mm, isa), 0);
	ck_assert_uint_eq(mm_dma_stats(mm)->in_flight, ISA_POOL_SIZE);
	struct mm_dma_req *last = &req[ISA_POOL_SIZE];
	ck_assert_int_eq(mm_dma_submit(mm, last, isa, buf, 0, 4096, HW_DMA_FROM_DEVICE, GFP_NOIO,
				       true), -MM_EAGAIN);
	ck_assert_int_eq(last->state, MM_DMA_REQ_BOUNCING);
	ck_assert_uint_eq(mm_dma_stats(mm)->pool_waits, 1);
	/* A synchronous transfer cannot wait here: nothing done, EAGAIN. */
	ck_assert_int_eq(mm_dma_transfer(mm, isa, buf, 0, 64, HW_DMA_TO_DEVICE, NULL), -MM_EAGAIN);
	/* The completions: each frees its page back into the reserve. */
	ck_assert_int_eq(sim_run(&t.s), SIM_STOP_EMPTY);
	for (int i = 0; i < ISA_POOL_SIZE; i++) {
		ck_assert_int_eq(req[i].state, MM_DMA_REQ_DONE);
		ck_assert_uint_ge(req[i].done_at - req[i].start, 2000 + 4096 * 1000);
	}
	ck_assert_int_eq(mm_dma_pool_curr_nr(mm, isa), ISA_POOL_SIZE);
	ck_assert_uint_eq(mm_dma_stats(mm)->async, ISA_POOL_SIZE);
	ck_assert_uint_eq(mm_dma_stats(mm)->in_flight, 0);
	mm_set_cpu(mm, 1);
	ck_assert_int_eq(mm_dma_submit(mm, last, isa, buf, 0, 4096, HW_DMA_FROM_DEVICE, GFP_NOIO,
				       true), 0);
	ck_assert_int_eq(sim_run(&t.s), SIM_STOP_EMPTY);
	ck_assert_int_eq(last->state, MM_DMA_REQ_DONE);
	ck_assert_int_eq(mm_dma_pool_curr_nr(mm, isa), ISA_POOL_SIZE);
	for (int i = 0; i <= ISA_POOL_SIZE; i++)
		mm_dma_req_release(&req[i]);
	sim_destroy(&t.s);
	mm_destroy(mm);
	hw_destroy(hw);
}
END_TEST

Suite *mempool_suite(void)
{
	Suite *s = suite_create("mempool");
	TCase *tc = tcase_create("mempool");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_mempool_order);
	tcase_add_test(tc, test_async_exhausts_isa_pool);
	suite_add_tcase(s, tc);
	return s;
}
