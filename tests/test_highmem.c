/*
 * Kernel mappings of HighMem (mm/highmem.c): the pkmap pool's counts after
 * kmap/kunmap sequences, the wrap-around flush at the right moment, a full
 * pool ("would sleep") and its release by kunmap, the page_address hash,
 * the walker's view of pkmap and fixmap PTEs; kmap_atomic's windows per
 * CPU and type, their reuse check and the invalidation charged.
 *
 * The pc-i386 preset (1 GiB, 2 CPUs): HighMem is pfn 229376 (896 MiB) up.
 * LAST_PKMAP is 1024; slot 0 is first used after the first wrap, since
 * map_new_virtual advances last_pkmap_nr before looking.
 */
#include <check.h>

#include "hw/hw.h"
#include "hw/tlb.h"
#include "mm/highmem.h"
#include "mm/mm.h"
#include "mm_testutil.h"

#define HIGH0 UINT64_C(229376)

static struct page *hpage(struct tm *t, uint64_t i)
{
	struct page *p = pfn_to_page(t->mm, HIGH0 + i);
	ck_assert_ptr_nonnull(p);
	ck_assert(PageHighMem(p));
	return p;
}

START_TEST(test_counts_and_hash)
{
	struct tm t;
	tm_boot_preset(&t, "pc-i386", 0, 2, NULL);
	ck_assert_int_eq(mm_last_pkmap(t.mm), 1024);
	struct page *low = pfn_to_page(t.mm, 4096);
	ck_assert_uint_eq(page_address(t.mm, low), 0xc0000000u + 4096 * 4096u);
	ck_assert_uint_eq(kmap(t.mm, low), 0xc0000000u + 4096 * 4096u);   /* lowmem: no slot */

	struct page *p = hpage(&t, 5), *q = hpage(&t, 6);
	ck_assert_uint_eq(page_address(t.mm, p), 0);
	uint64_t va = kmap(t.mm, p);
	ck_assert_uint_eq(va, mm_pkmap_addr(t.mm, 1));
	ck_assert_int_eq(mm_pkmap_nr(t.mm, va), 1);
	ck_assert_uint_eq(page_address(t.mm, p), va);   /* the hash finds it */
	ck_assert_int_eq(mm_pkmap_count(t.mm, 1), 2);
	ck_assert_uint_eq(kmap(t.mm, p), va);           /* same slot, one more user */
	ck_assert_int_eq(mm_pkmap_count(t.mm, 1), 3);
	ck_assert_uint_eq(kmap(t.mm, q), mm_pkmap_addr(t.mm, 2));
	ck_assert_uint_eq(page_address(t.mm, q), mm_pkmap_addr(t.mm, 2));
	ck_assert_int_eq(kunmap(t.mm, p), 0);
	ck_assert_int_eq(mm_pkmap_count(t.mm, 1), 2);
	ck_assert_int_eq(kunmap(t.mm, p), 0);
	ck_assert_int_eq(mm_pkmap_count(t.mm, 1), 1);   /* mapped, unused: not free */
	ck_assert_uint_eq(page_address(t.mm, p), va);
	ck_assert_int_eq(kunmap(t.mm, p), -MM_EINVAL);  /* nothing to drop */
	ck_assert_int_eq(mm_pkmap_count(t.mm, 1), 1);
	ck_assert_int_eq(kunmap(t.mm, hpage(&t, 7)), -MM_EINVAL);
	/* Mapped again while at count 1: the same slot, no new mapping. */
	uint64_t before = mm_highmem_stats(t.mm)->kmap_new;
	ck_assert_uint_eq(kmap(t.mm, p), va);
	ck_assert_uint_eq(mm_highmem_stats(t.mm)->kmap_new, before);
	tm_free(&t);
}
END_TEST

/* 1023 map/unmap pairs fill slots 1..1023 and leave them at count 1; the
 * 1024th new mapping wraps to slot 0, flushing exactly then and freeing all
 * 1023. */
START_TEST(test_wrap_flush)
{
	struct tm t;
	tm_boot_preset(&t, "pc-i386", 0, 2, NULL);
	const struct mm_highmem_stats *st = mm_highmem_stats(t.mm);
	for (int i = 0; i < 1023; i++) {
		ck_assert_uint_ne(kmap(t.mm, hpage(&t, (uint64_t)i)), 0);
		ck_assert_int_eq(kunmap(t.mm, hpage(&t, (uint64_t)i)), 0);
	}
	ck_assert_uint_eq(st->flushes, 0);
	ck_assert_int_eq(mm_pkmap_count(t.mm, 1023), 1);
	ck_assert_uint_eq(page_address(t.mm, hpage(&t, 0)), mm_pkmap_addr(t.mm, 1));
	ck_assert_uint_eq(kmap(t.mm, hpage(&t, 2000)), mm_pkmap_addr(t.mm, 0));
	ck_assert_uint_eq(st->flushes, 1);
	ck_assert_uint_eq(st->flushed_slots, 1023);
	ck_assert_uint_eq(st->tlb_flush_all, 1);
	ck_assert_int_eq(mm_pkmap_count(t.mm, 1023), 0);
	ck_assert_uint_eq(page_address(t.mm, hpage(&t, 0)), 0);   /* gone from the hash */
	/* The next one takes slot 1 without another flush. */
	ck_assert_uint_eq(kmap(t.mm, hpage(&t, 2001)), mm_pkmap_addr(t.mm, 1));
	ck_assert_uint_eq(st->flushes, 1);
	tm_free(&t);
}
END_TEST

/* 1024 pages held fill the pool; the 1025th would sleep (a full lap, with a
 * flush at its wrap that frees nothing); a kunmap brings a count to 1, and
 * the retry's wrap flush frees that slot. */
START_TEST(test_pool_full)
{
	struct tm t;
	tm_boot_preset(&t, "pc-i386", 0, 2, NULL);
	const struct mm_highmem_stats *st = mm_highmem_stats(t.mm);
	for (int i = 0; i < 1024; i++)
		ck_assert_uint_ne(kmap(t.mm, hpage(&t, (uint64_t)i)), 0);
	ck_assert_uint_eq(st->flushes, 1);               /* the wrap to slot 0 */
	ck_assert_ptr_nonnull(mm_pkmap_wait(t.mm));
	ck_assert_uint_eq(kmap(t.mm, hpage(&t, 5000)), 0);
	ck_assert_int_eq(mm_errno(t.mm), MM_EAGAIN);
	ck_assert_uint_eq(st->kmap_waits, 1);
	ck_assert_uint_eq(st->flushes, 2);
	/* Still mapped pages are found, not waited for. */
	ck_assert_uint_eq(kmap(t.mm, hpage(&t, 10)), mm_pkmap_addr(t.mm, 11));
	ck_assert_int_eq(kunmap(t.mm, hpage(&t, 10)), 0);
	ck_assert_int_eq(kunmap(t.mm, hpage(&t, 10)), 0);
	ck_assert_int_eq(mm_pkmap_count(t.mm, 11), 1);
	ck_assert_uint_eq(kmap(t.mm, hpage(&t, 5000)), mm_pkmap_addr(t.mm, 11));
	ck_assert_uint_eq(st->flushes, 3);
	ck_assert_uint_eq(page_address(t.mm, hpage(&t, 10)), 0);
	tm_free(&t);
}
END_TEST

/* A task that finds the pool full sleeps on pkmap_map_wait; kunmap wakes it. */
struct waiter {
	struct sim_task task;
	struct tm *t;
	int tries;
	uint64_t va;
};

static enum sim_step waiter_step(struct sim *s, struct sim_task *st)
{
	struct waiter *w = (struct waiter *)st;
	w->tries++;
	w->va = kmap(w->t->mm, hpage(w->t, 5000));
	if (!w->va) {
		ck_assert_int_eq(mm_errno(w->t->mm), MM_EAGAIN);
		sim_task_wait(s, mm_pkmap_wait(w->t->mm));
		return SIM_STEP_WAIT;
	}
	return SIM_STEP_EXIT;
}

static enum sim_step releaser_step(struct sim *s, struct sim_task *st)
{
	struct tm *t = st->owner;
	(void)s;
	ck_assert_int_eq(kunmap(t->mm, hpage(t, 3)), 0);
	return SIM_STEP_EXIT;
}

START_TEST(test_sleep_woken_by_kunmap)
{
	struct tm t;
	tm_boot_preset(&t, "pc-i386", 0, 2, NULL);
	for (int i = 0; i < 1024; i++)
		ck_assert_uint_ne(kmap(t.mm, hpage(&t, (uint64_t)i)), 0);
	struct waiter w = { .t = &t };
	sim_task_init(&t.s, &w.task, "waiter", 0, waiter_step, NULL);
	sim_task_start(&t.s, &w.task, 0);
	struct sim_task rel;
	sim_task_init(&t.s, &rel, "releaser", 1, releaser_step, &t);
	sim_task_start(&t.s, &rel, 100000);
	sim_run(&t.s);
	ck_assert_int_eq(w.tries, 2);
	ck_assert_uint_eq(w.va, mm_pkmap_addr(t.mm, 4));
	ck_assert_uint_eq(mm_highmem_stats(t.mm)->kunmap_wakeups, 1);
	ck_assert_uint_ge(sim_now(&t.s), 100000);
	tm_free(&t);
}
END_TEST

START_TEST(test_kmap_atomic_context)
{
	struct tm t;
	tm_boot_preset(&t, "pc-i386", 0, 2, NULL);
	ck_assert_uint_ne(kmap_atomic(t.mm, hpage(&t, 1), KM_USER0), 0);
	ck_assert_int_eq(kmap_atomic_depth(t.mm, 0), 1);
	ck_assert_uint_eq(kmap(t.mm, hpage(&t, 2)), 0);       /* may not sleep here */
	ck_assert_int_eq(mm_errno(t.mm), MM_EINVAL);
	ck_assert_int_eq(kunmap_atomic(t.mm, KM_USER0), 0);
	ck_assert_uint_ne(kmap(t.mm, hpage(&t, 2)), 0);
	mm_set_current(t.mm, 0, false, true);                 /* in an interrupt */
	ck_assert_uint_eq(kmap(t.mm, hpage(&t, 3)), 0);
	ck_assert_int_eq(mm_errno(t.mm), MM_EINVAL);
	tm_free(&t);
}
END_TEST

/* Windows: FIXADDR_TOP (0xfffff000) minus (4 + type + 13 * cpu) pages. */
START_TEST(test_kmap_atomic_windows)
{
	struct tm t;
	tm_boot_preset(&t, "pc-i386", 0, 2, NULL);
	ck_assert_uint_eq(mm_fixmap_kmap_addr(t.mm, 0, KM_USER0), 0xfffff000u - 7 * 4096u);
	ck_assert_uint_eq(mm_fixmap_kmap_addr(t.mm, 1, KM_USER0), 0xfffff000u - 20 * 4096u);
	uint64_t a = kmap_atomic(t.mm, hpage(&t, 1), KM_USER0);
	ck_assert_uint_eq(a, mm_fixmap_kmap_addr(t.mm, 0, KM_USER0));
	uint64_t b = kmap_atomic(t.mm, hpage(&t, 2), KM_USER1);
	ck_assert_uint_eq(b, mm_fixmap_kmap_addr(t.mm, 0, KM_USER1));
	ck_assert_int_eq(kmap_atomic_pfn(t.mm, 0, KM_USER1), (int64_t)(HIGH0 + 2));
	/* Reuse of a window in use is refused, changing nothing. */
	ck_assert_uint_eq(kmap_atomic(t.mm, hpage(&t, 3), KM_USER0), 0);
	ck_assert_int_eq(mm_errno(t.mm), MM_EINVAL);
	ck_assert_int_eq(kmap_atomic_pfn(t.mm, 0, KM_USER0), (int64_t)(HIGH0 + 1));
	/* The other CPU's window of the same type is its own. */
	mm_set_cpu(t.mm, 1);
	ck_assert_uint_eq(kmap_atomic(t.mm, hpage(&t, 3), KM_USER0), mm_fixmap_kmap_addr(t.mm, 1, KM_USER0));
	ck_assert_int_eq(kunmap_atomic(t.mm, KM_USER0), 0);
	ck_assert_int_eq(kunmap_atomic(t.mm, KM_USER0), -MM_EINVAL);
	mm_set_cpu(t.mm, 0);
	ck_assert_int_eq(kunmap_atomic(t.mm, KM_USER0), 0);
	ck_assert_int_eq(kunmap_atomic(t.mm, KM_USER1), 0);
	ck_assert_int_eq(kmap_atomic_depth(t.mm, 0), 0);
	/* Lowmem: the direct address, the window still held. */
	struct page *low = pfn_to_page(t.mm, 4096);
	ck_assert_uint_eq(kmap_atomic(t.mm, low, KM_USER0), page_address(t.mm, low));
	ck_assert_int_eq(kunmap_atomic(t.mm, KM_USER0), 0);
	ck_assert_uint_eq(mm_highmem_stats(t.mm)->tlb_invlpg, 3);
	ck_assert_uint_eq(kmap_atomic(t.mm, low, KM_TYPE_NR), 0);
	tm_free(&t);
}
END_TEST

/* With the hardware model: the walker reads the pkmap and fixmap PTEs from
 * highmem's reserved tables; kmap_atomic costs exactly invlpg_latency plus
 * its PTE write, and drops a stale TLB entry; the wrap flush costs an IPI
 * per other CPU. */
START_TEST(test_hw_costs)
{
	struct tm t;
	char err[256];
	ck_assert_int_eq(hw_preset("pc-i386", 0, 2, &t.d, err, sizeof err), 0);
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
	mm_set_hw(t.mm, hw);
	mm_set_cpu(t.mm, 0);
	uint64_t pgt, pgt_end;
	mm_kernel_pgtables(t.mm, &pgt, &pgt_end);
	ck_assert_uint_eq(pgt_end - pgt, 4096 + 8 * 4096);   /* swapper_pg_dir + highmem's */

	uint64_t va = kmap(t.mm, hpage(&t, 1));
	struct hw_walk w = { 0 };
	ck_assert_int_eq(mm_kernel_walk(t.mm, 0, va, HW_READ, &w), 0);
	ck_assert_uint_eq(w.levels, 2);
	ck_assert_uint_eq(w.entry[0], pgt + (va >> 22) * 4);
	ck_assert_uint_eq(w.entry[1], pgt + 4096 + 1 * 4);    /* pkmap_page_table[1] */
	ck_assert_uint_eq(w.frame, (HIGH0 + 1) * 4096);
	ck_assert(!w.large);
	memset(&w, 0, sizeof w);
	ck_assert_int_eq(mm_kernel_walk(t.mm, 0, mm_pkmap_addr(t.mm, 2), HW_READ, &w), -MM_EFAULT);

	cycle_t c;
	ck_assert_int_eq(hw_vaccess(hw, 0, va, 64, HW_WRITE, &c), 0);
	const struct hw_tlb_stats *ts = hw_tlb_stats(hw, 0);
	uint64_t misses = ts->misses;

	struct page *p = hpage(&t, 7);
	cycle_t t0 = sim_now(&t.s);
	uint64_t fa = kmap_atomic(t.mm, p, KM_USER0);
	cycle_t cost = sim_now(&t.s) - t0;
	ck_assert_uint_eq(ts->flush_page, 1);
	ck_assert_uint_ge(cost, t.d.invlpg_latency);
	ck_assert_int_eq(hw_vaccess(hw, 0, fa, 8, HW_WRITE, &c), 0);
	ck_assert_uint_eq(ts->misses, misses + 1);
	ck_assert_int_eq(kunmap_atomic(t.mm, KM_USER0), 0);
	/* The next user of the window sees its own frame: the invlpg dropped
	 * the old entry. */
	ck_assert_uint_eq(kmap_atomic(t.mm, hpage(&t, 8), KM_USER0), fa);
	uint64_t pa;
	ck_assert_int_eq(hw_translate(hw, 0, fa, HW_READ, &pa, &c), 0);
	ck_assert_uint_eq(pa, (HIGH0 + 8) * 4096);
	ck_assert_int_eq(kunmap_atomic(t.mm, KM_USER0), 0);

	ck_assert_int_eq(hw_vaccess(hw, 0, 0xc0100000u, 8, HW_READ, &c), 0);   /* cached */
	/* Force a wrap: 1022 more map/unmap pairs reach slot 1023, the next wraps. */
	for (int i = 0; i < 1022; i++) {
		ck_assert_uint_ne(kmap(t.mm, hpage(&t, 100 + (uint64_t)i)), 0);
		kunmap(t.mm, hpage(&t, 100 + (uint64_t)i));
	}
	uint64_t ipis = ts->ipis_sent;
	ck_assert_uint_ne(kmap(t.mm, hpage(&t, 3000)), 0);
	ck_assert_uint_eq(mm_highmem_stats(t.mm)->flushes, 1);
	ck_assert_uint_eq(ts->ipis_sent, ipis + 1);
	ck_assert_uint_eq(hw_tlb_stats(hw, 1)->ipis_received, 1);
	/* flush_tlb_all dropped the global direct-map entry too. */
	misses = ts->misses;
	ck_assert_int_eq(hw_vaccess(hw, 0, 0xc0100000u, 8, HW_READ, &c), 0);
	ck_assert_uint_eq(ts->misses, misses + 1);
	sim_destroy(&t.s);
	mm_destroy(t.mm);
	hw_destroy(hw);
}
END_TEST

/* __GFP_ZERO on HighMem clears each frame through the CPU's KM_USER0 window
 * (clear_highpage): a PTE write and an invalidation per frame; a window the
 * caller holds is put back. */
START_TEST(test_zero_highpage)
{
	struct tm t;
	struct fake_port f;
	tm_boot_preset_port(&t, &f, "pc-i386", 0, 2, NULL);
	const struct mm_highmem_stats *st = mm_highmem_stats(t.mm);
	struct page *p = alloc_pages(t.mm, GFP_HIGHUSER | __GFP_ZERO, 1);
	ck_assert_ptr_nonnull(p);
	ck_assert(PageHighMem(p));
	ck_assert_uint_eq(st->kmap_atomic_high, 2);
	ck_assert_uint_eq(st->tlb_invlpg, 2);
	ck_assert_int_eq(kmap_atomic_pfn(t.mm, 0, KM_USER0), -1);
	ck_assert_int_eq(kmap_atomic_depth(t.mm, 0), 0);
	/* Held by the caller: remapped to its frame afterwards. */
	struct page *q = hpage(&t, 100);
	uint64_t va = kmap_atomic(t.mm, q, KM_USER0);
	ck_assert_ptr_nonnull(alloc_pages(t.mm, GFP_HIGHUSER | __GFP_ZERO, 0));
	struct hw_walk w = { 0 };
	ck_assert_int_eq(mm_kernel_walk(t.mm, 0, va, HW_READ, &w), 0);
	ck_assert_uint_eq(w.frame, (HIGH0 + 100) * 4096);
	/* Lowmem zeroing does not use the window. */
	uint64_t inv = st->tlb_invlpg;
	ck_assert_ptr_nonnull(alloc_pages(t.mm, GFP_KERNEL | __GFP_ZERO, 0));
	ck_assert_uint_eq(st->tlb_invlpg, inv);
	tm_free(&t);
}
END_TEST

/* Exact costs with the fake port (a cold line 100 cycles, a warm one 1, no
 * TLB): kmap_atomic of HighMem is one PTE write; kunmap_atomic is free; a
 * lowmem kmap_atomic touches nothing. */
START_TEST(test_kmap_atomic_exact)
{
	struct tm t;
	struct fake_port f;
	tm_boot_preset_port(&t, &f, "pc-i386", 0, 2, NULL);
	cycle_t t0 = sim_now(&t.s);
	uint64_t a0 = f.accesses;
	ck_assert_uint_ne(kmap_atomic(t.mm, hpage(&t, 1), KM_USER0), 0);
	ck_assert_uint_eq(sim_now(&t.s) - t0, 100);
	ck_assert_uint_eq(f.accesses - a0, 1);
	t0 = sim_now(&t.s);
	ck_assert_int_eq(kunmap_atomic(t.mm, KM_USER0), 0);
	ck_assert_uint_eq(sim_now(&t.s) - t0, 0);
	ck_assert_uint_ne(kmap_atomic(t.mm, hpage(&t, 2), KM_USER0), 0);
	ck_assert_uint_eq(sim_now(&t.s) - t0, 1);              /* the PTE's line is warm */
	ck_assert_int_eq(kunmap_atomic(t.mm, KM_USER0), 0);
	t0 = sim_now(&t.s);
	a0 = f.accesses;
	ck_assert_uint_ne(kmap_atomic(t.mm, pfn_to_page(t.mm, 5000), KM_USER1), 0);
	ck_assert_uint_eq(sim_now(&t.s) - t0, 0);
	ck_assert_uint_eq(f.accesses, a0);
	tm_free(&t);
}
END_TEST

/* x86_64: no HighMem; kmap and kmap_atomic return the direct address. */
START_TEST(test_x86_64)
{
	struct tm t;
	tm_boot_preset(&t, "x86_64", 0, 0, NULL);
	struct page *p = pfn_to_page(t.mm, 4096);
	ck_assert_uint_eq(kmap(t.mm, p), page_address(t.mm, p));
	ck_assert_uint_eq(kmap_atomic(t.mm, p, KM_USER0), page_address(t.mm, p));
	ck_assert_int_eq(kunmap_atomic(t.mm, KM_USER0), 0);
	ck_assert_int_eq(kunmap(t.mm, p), 0);
	ck_assert_int_eq(mm_last_pkmap(t.mm), 0);
	ck_assert_ptr_null(mm_highmem_stats(t.mm));
	tm_free(&t);
}
END_TEST

/* PAE: 512 slots, 8-byte PTEs. */
START_TEST(test_pae)
{
	struct tm t;
	tm_boot_preset(&t, "pc-i386-pae", 0, 0, NULL);
	ck_assert_int_eq(mm_last_pkmap(t.mm), 512);
	uint64_t va = kmap(t.mm, hpage(&t, 1));
	uint64_t pgt, end;
	mm_kernel_pgtables(t.mm, &pgt, &end);
	struct hw_walk w = { 0 };
	ck_assert_int_eq(mm_kernel_walk(t.mm, 0, va, HW_READ, &w), 0);
	ck_assert_uint_eq(w.levels, 3);
	ck_assert_uint_eq(w.entry[2], pgt + 2 * 4096 + 1 * 8);
	for (int i = 1; i < 511; i++)
		ck_assert_uint_ne(kmap(t.mm, hpage(&t, 10 + (uint64_t)i)), 0);
	ck_assert_uint_ne(kmap(t.mm, hpage(&t, 9)), 0);          /* slot 0, after a wrap */
	ck_assert_uint_eq(kmap(t.mm, hpage(&t, 8)), 0);
	ck_assert_int_eq(mm_errno(t.mm), MM_EAGAIN);
	tm_free(&t);
}
END_TEST

Suite *highmem_suite(void)
{
	Suite *s = suite_create("highmem");
	TCase *tc = tcase_create("highmem");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_counts_and_hash);
	tcase_add_test(tc, test_wrap_flush);
	tcase_add_test(tc, test_pool_full);
	tcase_add_test(tc, test_sleep_woken_by_kunmap);
	tcase_add_test(tc, test_kmap_atomic_context);
	tcase_add_test(tc, test_kmap_atomic_windows);
	tcase_add_test(tc, test_hw_costs);
	tcase_add_test(tc, test_zero_highpage);
	tcase_add_test(tc, test_kmap_atomic_exact);
	tcase_add_test(tc, test_x86_64);
	tcase_add_test(tc, test_pae);
	suite_add_tcase(s, tc);
	return s;
}
