/*
 * User address spaces (mm/mmap.c, mm/memory.c): placement of mmaps as
 * 2.6.11 places them, page faults that take GFP_HIGHUSER frames (HighMem
 * first on the 32-bit PC) and zero them through KM_USER0, the hardware
 * walk of the user tables (entry addresses, the TLB's cost), no kmap for
 * user accesses, switch_mm's CR3 flush, munmap's splitting and freeing of
 * pages and tables, exit, and the x86_64 and PAE geometries.
 *
 * The pc-i386 preset (1 GiB, 2 CPUs): HighMem is pfn 229376 up; mmap_base
 * is 0xc0000000 - 128 MiB = 0xb8000000 (2.6.11's top-down layout with the
 * minimum stack gap).
 */
#include <check.h>

#include "hw/hw.h"
#include "hw/tlb.h"
#include "mm/highmem.h"
#include "mm/mm.h"
#include "mm/mmap.h"
#include "mm/slab.h"
#include "mm_testutil.h"

struct th {
	struct tm t;
	struct hw *hw;
};

/* Boot preset with the hardware model and the checker on. */
static void th_boot(struct th *h, const char *preset, int cpus)
{
	char err[256];
	ck_assert_int_eq(hw_preset(preset, 0, cpus, &h->t.d, err, sizeof err), 0);
	h->hw = hw_create(&h->t.d, err, sizeof err);
	ck_assert_ptr_nonnull(h->hw);
	mm_policy_default(&h->t.p);
	h->t.p.check = true;
	sim_init(&h->t.s, h->t.d.nr_cpus, 1);
	h->t.s.mem = hw_memport(h->hw);
	h->t.mm = mm_boot(&h->t.s, &h->t.d, &h->t.p, NULL, err, sizeof err);
	ck_assert_msg(h->t.mm != NULL, "%s", err);
	struct hw_mmu mmu = mm_kernel_mmu(h->t.mm);
	for (int c = 0; c < h->t.d.nr_cpus; c++)
		hw_set_mmu(h->hw, c, &mmu);
	mm_set_hw(h->t.mm, h->hw);
	mm_set_cpu(h->t.mm, 0);
}

static void th_free(struct th *h)
{
	sim_destroy(&h->t.s);
	mm_destroy(h->t.mm);
	hw_destroy(h->hw);
}

/* Free frames with every per-CPU list drained and the two caches' empty
 * slabs given back, so that two counts can be compared exactly. The first
 * call makes the caches (their descriptors and arrays stay). */
static unsigned long settled_free(struct mm *mm)
{
	if (!kmem_find_cache(mm, "mm_struct"))
		mmput(mm, mm_alloc(mm));
	kmem_cache_t *c = kmem_find_cache(mm, "mm_struct");
	if (c)
		kmem_cache_shrink(mm, c);
	c = kmem_find_cache(mm, "vm_area_struct");
	if (c)
		kmem_cache_shrink(mm, c);
	drain_all_pages(mm);
	return nr_free_pages(mm);
}

START_TEST(test_i386_faults_highmem)
{
	struct th h;
	th_boot(&h, "pc-i386", 2);
	struct mm *mm = h.t.mm;
	unsigned long free0 = settled_free(mm);
	struct mm_struct *umm = mm_alloc(mm);
	ck_assert_ptr_nonnull(umm);
	uint64_t a = do_mmap(mm, umm, 16 * 4096);
	ck_assert_uint_eq(a, 0xb8000000u - 16 * 4096);
	ck_assert_uint_eq(do_mmap(mm, umm, 4096), a - 4096);          /* top-down */
	ck_assert_uint_eq(mm_map_count(umm), 2);
	ck_assert_uint_eq(mm_rss(umm), 0);                            /* nothing yet */

	const struct mm_highmem_stats *hs = mm_highmem_stats(mm);
	uint64_t katomic = hs->kmap_atomic_high, kmaps = hs->kmap;
	struct mm_uaccess_info info;
	ck_assert_int_eq(mm_uaccess(mm, umm, a, 16 * 4096, HW_WRITE, &info), 0);
	ck_assert_uint_eq(info.faults, 16);
	ck_assert_uint_eq(info.pte_allocs, 1);                         /* one 4 MiB PTE page */
	ck_assert_uint_eq(mm_rss(umm), 16);
	ck_assert_uint_eq(mm_nr_pgtables(umm), 1);
	ck_assert_uint_eq(mm_vm_event(mm, PGFAULT), 16);
	ck_assert_uint_eq(mm_min_flt(umm), 16);
	/* clear_user_highpage: one KM_USER0 mapping per page; no pkmap. */
	ck_assert_uint_eq(hs->kmap_atomic_high - katomic, 16);
	ck_assert_uint_eq(hs->kmap, kmaps);
	for (int i = 0; i < 16; i++) {
		struct mm_upage u;
		mm_uwalk(mm, umm, a + (uint64_t)i * 4096, &u);
		ck_assert(u.present && u.vma);
		ck_assert_int_eq(u.zone, ZONE_HIGHMEM);
		ck_assert_uint_ge(u.pfn, 229376);
	}
	/* The walk: pgd entry (a >> 22), then the PTE page's entry. */
	struct mm_upage u;
	mm_uwalk(mm, umm, a + 5 * 4096, &u);
	ck_assert_uint_eq(u.levels, 2);
	ck_assert_uint_eq(u.entry[0], mm_pgd_paddr(umm) + (a >> 22) * 4);
	ck_assert_uint_eq(u.entry[1] & 4095, ((a >> 12) + 5) % 1024 * 4);
	/* The pte page is lowmem (no CONFIG_HIGHPTE). */
	ck_assert_uint_lt(u.entry[1], 896 * MiB);

	/* User accesses again: no fault, no kmap of any kind, and after a CR3
	 * reload a TLB miss whose walk reads both entries through the caches. */
	katomic = hs->kmap_atomic;
	const struct hw_tlb_stats *ts = hw_tlb_stats(h.hw, 0);
	sim_charge(&h.t.s, hw_tlb_flush_all(h.hw, 0, false));
	uint64_t misses = ts->misses, walk = ts->walk_cycles;
	ck_assert_int_eq(mm_uaccess(mm, umm, a + 5 * 4096, 8, HW_READ, &info), 0);
	ck_assert_uint_eq(info.faults, 0);
	ck_assert_uint_eq(ts->misses, misses + 1);
	ck_assert_uint_gt(ts->walk_cycles, walk);
	ck_assert_uint_eq(info.walk_cycles, ts->walk_cycles - walk);
	ck_assert_uint_eq(hs->kmap_atomic, katomic);
	ck_assert_uint_eq(hs->kmap, kmaps);
	/* A second access hits the TLB: no walk. */
	walk = ts->walk_cycles;
	ck_assert_int_eq(mm_uaccess(mm, umm, a + 5 * 4096 + 64, 8, HW_READ, &info), 0);
	ck_assert_uint_eq(ts->walk_cycles, walk);

	/* Outside every VMA: a segfault, not counted as a page fault. */
	ck_assert_int_eq(mm_uaccess(mm, umm, 0xb8000000u, 4, HW_READ, NULL), -MM_EFAULT);
	ck_assert_ptr_nonnull(strstr(mm_error(mm), "no mapping at 0xb8000000"));
	ck_assert_uint_eq(mm_vm_event(mm, PGFAULT), 16);
	ck_assert_uint_eq(mm_user_stats(mm)->segv, 1);

	/* munmap everything: pages, the PTE page, one flush_tlb_mm. */
	uint64_t flushes = mm_user_stats(mm)->tlb_flush_mm;
	ck_assert_int_eq(do_munmap(mm, umm, a - 4096, 17 * 4096), 0);
	ck_assert_uint_eq(mm_rss(umm), 0);
	ck_assert_uint_eq(mm_nr_pgtables(umm), 0);
	ck_assert_uint_eq(mm_map_count(umm), 0);
	ck_assert_uint_eq(mm_user_stats(mm)->tlb_flush_mm, flushes + 1);
	ck_assert_uint_eq(mm_user_stats(mm)->pages_freed, 16);
	ck_assert_uint_eq(mm_user_stats(mm)->pte_free, 1);
	/* The TLB forgot them: the address now faults into a segfault. */
	ck_assert_int_eq(mm_uaccess(mm, umm, a, 4, HW_READ, NULL), -MM_EFAULT);
	char err[256];
	ck_assert_int_eq(mm_check(mm, err, sizeof err), 0);
	mmput(mm, umm);
	ck_assert_uint_eq(settled_free(mm), free0);
	ck_assert_uint_eq(mm_user_stats(mm)->pgd_free, 2);   /* with settled_free's */
	th_free(&h);
}
END_TEST

/* With an address space active, a kernel address's walk reads its top
 * entry from that pgd's kernel half (the copy of swapper_pg_dir). */
START_TEST(test_kernel_half)
{
	struct th h;
	th_boot(&h, "pc-i386", 2);
	struct mm *mm = h.t.mm;
	uint64_t pgt, pgt_end;
	mm_kernel_pgtables(mm, &pgt, &pgt_end);
	struct hw_walk w = { 0 };
	ck_assert_int_eq(mm_cpu_walk(mm, 0, 0xc0100000u, HW_READ, &w), 0);
	ck_assert_uint_eq(w.entry[0], pgt + 768 * 4);                   /* swapper_pg_dir */
	struct mm_struct *umm = mm_alloc(mm);
	uint64_t a = do_mmap(mm, umm, 4096);
	ck_assert_int_eq(mm_uaccess(mm, umm, a, 4, HW_WRITE, NULL), 0);
	memset(&w, 0, sizeof w);
	ck_assert_int_eq(mm_cpu_walk(mm, 0, 0xc0100000u, HW_READ, &w), 0);
	ck_assert_uint_eq(w.entry[0], mm_pgd_paddr(umm) + 768 * 4);
	ck_assert(w.large && w.global);
	memset(&w, 0, sizeof w);                                        /* cpu 1: none active */
	ck_assert_int_eq(mm_cpu_walk(mm, 1, 0xc0100000u, HW_READ, &w), 0);
	ck_assert_uint_eq(w.entry[0], pgt + 768 * 4);
	memset(&w, 0, sizeof w);
	ck_assert_int_eq(mm_cpu_walk(mm, 1, a, HW_READ, &w), -MM_EFAULT);
	mmput(mm, umm);
	memset(&w, 0, sizeof w);                                        /* forgotten at exit */
	ck_assert_int_eq(mm_cpu_walk(mm, 0, 0xc0100000u, HW_READ, &w), 0);
	ck_assert_uint_eq(w.entry[0], pgt + 768 * 4);
	th_free(&h);
}
END_TEST

/* Two address spaces on one CPU: each switch loads CR3 and drops the other
 * one's TLB entries but keeps the kernel's global ones; flush_tlb_mm sends
 * an IPI to another CPU where the address space is active. */
START_TEST(test_switch_and_flush)
{
	struct th h;
	th_boot(&h, "pc-i386", 2);
	struct mm *mm = h.t.mm;
	struct mm_struct *x = mm_alloc(mm), *y = mm_alloc(mm);
	uint64_t ax = do_mmap(mm, x, 4096), ay = do_mmap(mm, y, 4096);
	ck_assert_uint_eq(ax, ay);                 /* the same layout in each */
	ck_assert_uint_ne(mm_pgd_paddr(x), mm_pgd_paddr(y));
	ck_assert_int_eq(mm_uaccess(mm, x, ax, 4, HW_WRITE, NULL), 0);
	ck_assert_int_eq(mm_uaccess(mm, y, ay, 4, HW_WRITE, NULL), 0);
	struct mm_upage ux, uy;
	mm_uwalk(mm, x, ax, &ux);
	mm_uwalk(mm, y, ay, &uy);
	ck_assert_uint_ne(ux.pfn, uy.pfn);         /* same address, two frames */
	const struct hw_tlb_stats *ts = hw_tlb_stats(h.hw, 0);
	uint64_t sw = mm_user_stats(mm)->switch_mm, flushes = ts->flush_all;
	uint64_t kmisses;
	cycle_t c;
	ck_assert_int_eq(hw_vaccess(h.hw, 0, 0xc0100000u, 8, HW_READ, &c), 0);
	uint64_t misses = ts->misses;
	ck_assert_int_eq(mm_uaccess(mm, x, ax, 4, HW_READ, NULL), 0);
	ck_assert_uint_eq(mm_user_stats(mm)->switch_mm, sw + 1);
	ck_assert_uint_eq(ts->flush_all, flushes + 1);
	ck_assert_uint_eq(ts->misses, misses + 1);   /* x's entry went with y's switch */
	kmisses = ts->misses;
	ck_assert_int_eq(hw_vaccess(h.hw, 0, 0xc0100000u, 8, HW_READ, &c), 0);
	ck_assert_uint_eq(ts->misses, kmisses);      /* the direct map's is global */
	/* x active on cpu 1 too: munmap on cpu 0 interrupts cpu 1. */
	mm_set_cpu(mm, 1);
	ck_assert_int_eq(mm_uaccess(mm, x, ax, 4, HW_READ, NULL), 0);
	mm_set_cpu(mm, 0);
	uint64_t ipis = ts->ipis_sent;
	ck_assert_int_eq(do_munmap(mm, x, ax, 4096), 0);
	ck_assert_uint_eq(ts->ipis_sent, ipis + 1);
	ck_assert_uint_eq(mm_user_stats(mm)->tlb_flush_ipis, 1);
	mmput(mm, x);
	mmput(mm, y);
	th_free(&h);
}
END_TEST

/* munmap of the middle splits the VMA; page tables go only when no VMA is
 * left in their span; a range not wholly mapped is refused untouched. */
START_TEST(test_munmap_split)
{
	struct th h;
	th_boot(&h, "pc-i386", 2);
	struct mm *mm = h.t.mm;
	struct mm_struct *umm = mm_alloc(mm);
	uint64_t a = do_mmap(mm, umm, 8 * 4096);
	ck_assert_int_eq(mm_uaccess(mm, umm, a, 8 * 4096, HW_WRITE, NULL), 0);
	ck_assert_int_eq(do_munmap(mm, umm, a + 2 * 4096, 2 * 4096), 0);
	ck_assert_uint_eq(mm_map_count(umm), 2);
	ck_assert_uint_eq(mm_rss(umm), 6);
	ck_assert_uint_eq(mm_nr_pgtables(umm), 1);
	struct mm_upage u;
	mm_uwalk(mm, umm, a + 2 * 4096, &u);
	ck_assert(!u.vma && !u.present);
	mm_uwalk(mm, umm, a + 4 * 4096, &u);
	ck_assert(u.vma && u.present);
	/* A hole inside: refused, nothing changed. */
	ck_assert_int_eq(do_munmap(mm, umm, a, 8 * 4096), -MM_EINVAL);
	ck_assert_ptr_nonnull(strstr(mm_error(mm), "is not mapped"));
	ck_assert_uint_eq(mm_rss(umm), 6);
	ck_assert_int_eq(do_munmap(mm, umm, a + 1, 4096), -MM_EINVAL);
	/* The new mapping goes into the highest gap that fits: the hole. */
	ck_assert_uint_eq(do_mmap(mm, umm, 2 * 4096), a + 2 * 4096);
	ck_assert_uint_eq(mm_map_count(umm), 3);
	/* Trim both ends. */
	ck_assert_int_eq(do_munmap(mm, umm, a, 4096), 0);
	ck_assert_int_eq(do_munmap(mm, umm, a + 7 * 4096, 4096), 0);
	ck_assert_uint_eq(mm_rss(umm), 4);
	ck_assert_uint_eq(mm_nr_pgtables(umm), 1);
	ck_assert_int_eq(do_munmap(mm, umm, a + 4096, 6 * 4096), 0);
	ck_assert_uint_eq(mm_rss(umm), 0);
	ck_assert_uint_eq(mm_nr_pgtables(umm), 0);
	ck_assert_uint_eq(mm_map_count(umm), 0);
	mmput(mm, umm);
	th_free(&h);
}
END_TEST

/* x86_64: bottom-up from 0x2aaaaaaab000, four levels (three tables
 * allocated by the first fault), no HighMem and no kmap at all. */
START_TEST(test_x86_64)
{
	struct th h;
	th_boot(&h, "x86_64", 2);
	struct mm *mm = h.t.mm;
	unsigned long free0 = settled_free(mm);
	struct mm_struct *umm = mm_alloc(mm);
	uint64_t a = do_mmap(mm, umm, 4 * 4096);
	ck_assert_uint_eq(a, UINT64_C(0x2aaaaaaab000));
	ck_assert_uint_eq(do_mmap(mm, umm, 4096), a + 4 * 4096);       /* bottom-up */
	struct mm_uaccess_info info;
	ck_assert_int_eq(mm_uaccess(mm, umm, a, 4 * 4096, HW_WRITE, &info), 0);
	ck_assert_uint_eq(info.faults, 4);
	ck_assert_uint_eq(info.pte_allocs, 3);                         /* PUD, PMD, PTE */
	struct mm_upage u;
	mm_uwalk(mm, umm, a, &u);
	ck_assert_uint_eq(u.levels, 4);
	ck_assert_uint_eq(u.entry[0], mm_pgd_paddr(umm) + (a >> 39) * 8);
	ck_assert_int_ne(u.zone, ZONE_HIGHMEM);
	ck_assert_ptr_null(mm_highmem_stats(mm));
	ck_assert_uint_eq(mm_task_size(mm), UINT64_C(0x7ffffffff000));
	mmput(mm, umm);
	ck_assert_uint_eq(settled_free(mm), free0);
	th_free(&h);
}
END_TEST

/* PAE: three levels, the three user PMDs made with the pgd. */
START_TEST(test_pae)
{
	struct th h;
	th_boot(&h, "pc-i386-pae", 2);
	struct mm *mm = h.t.mm;
	unsigned long free0 = settled_free(mm);
	struct mm_struct *umm = mm_alloc(mm);
	uint64_t a = do_mmap(mm, umm, 4096);
	struct mm_uaccess_info info;
	ck_assert_int_eq(mm_uaccess(mm, umm, a, 4096, HW_WRITE, &info), 0);
	ck_assert_uint_eq(info.pte_allocs, 1);
	struct mm_upage u;
	mm_uwalk(mm, umm, a, &u);
	ck_assert_uint_eq(u.levels, 3);
	ck_assert_uint_eq(u.entry[0], mm_pgd_paddr(umm) + 2 * 8);      /* 0xb7fff000 >> 30 */
	ck_assert_int_eq(u.zone, ZONE_HIGHMEM);
	mmput(mm, umm);
	ck_assert_uint_eq(settled_free(mm), free0);
	th_free(&h);
}
END_TEST

/* Without hardware: the same faults in software; HighMem exhausted, the
 * faults come from lowmem (GFP_HIGHUSER falls back), then fail. */
START_TEST(test_no_hw_fallback)
{
	/* The checker after every one of ~32,000 allocations would walk every
	 * frame each time (tens of seconds, minutes under ASan): it runs once
	 * after the filling and once at the end instead. */
	struct tm t;
	char err[256];
	tm_boot_preset(&t, "pc-i386", 0, 1, NULL);
	struct mm *mm = t.mm;
	/* Take every HighMem frame. */
	int taken = 0;
	for (;;) {
		struct page *pg = alloc_pages(mm, GFP_HIGHUSER, 0);
		if (!pg)
			break;
		if (!PageHighMem(pg)) {
			__free_pages(mm, pg, 0);
			break;
		}
		taken++;
	}
	ck_assert_int_gt(taken, 30000);
	ck_assert_msg(mm_check(mm, err, sizeof err) == 0, "%s", err);
	struct mm_struct *umm = mm_alloc(mm);
	uint64_t a = do_mmap(mm, umm, 2 * 4096);
	struct mm_uaccess_info info;
	ck_assert_int_eq(mm_uaccess(mm, umm, a, 2 * 4096, HW_WRITE, &info), 0);
	ck_assert_uint_eq(info.faults, 2);
	struct mm_upage u;
	mm_uwalk(mm, umm, a, &u);
	ck_assert_int_eq(u.zone, ZONE_NORMAL);
	ck_assert_msg(mm_check(mm, err, sizeof err) == 0, "%s", err);
	mmput(mm, umm);
	ck_assert_msg(mm_check(mm, err, sizeof err) == 0, "%s", err);
	tm_free(&t);
}
END_TEST

/* get_user_pages faults a page in, pins it through munmap, and the frame
 * is freed only by the last reference. */
START_TEST(test_get_user_pages)
{
	struct th h;
	th_boot(&h, "pc-i386", 2);
	struct mm *mm = h.t.mm;
	struct mm_struct *umm = mm_alloc(mm);
	uint64_t a = do_mmap(mm, umm, 2 * 4096);
	struct page *pg[2];
	ck_assert_int_eq(get_user_pages(mm, umm, a, 2, 1, pg), 2);
	ck_assert_uint_eq(mm_rss(umm), 2);
	ck_assert_uint_eq(mm_vm_event(mm, PGFAULT), 2);
	ck_assert(PageHighMem(pg[0]) && PageHighMem(pg[1]));
	ck_assert_int_eq(page_count(pg[0]), 2);
	ck_assert_int_eq(get_user_pages(mm, umm, a + 2 * 4096, 1, 1, pg), -MM_EFAULT);
	ck_assert_int_eq(do_munmap(mm, umm, a, 2 * 4096), 0);
	ck_assert_int_eq(page_count(pg[0]), 1);       /* still pinned */
	ck_assert_int_eq(__free_pages(mm, pg[0], 0), 0);
	ck_assert_int_eq(__free_pages(mm, pg[1], 0), 0);
	ck_assert_int_eq(page_count(pg[0]), 0);
	mmput(mm, umm);
	th_free(&h);
}
END_TEST

/* highpte=on (CONFIG_HIGHPTE): the PTE page is a HighMem frame; the
 * hardware walk reads it by physical address, the kernel through
 * kmap_atomic(KM_PTE0): two windows per fault (read, set_pte), one per
 * table zapped. */
START_TEST(test_highpte)
{
	struct th h;
	char err[256];
	ck_assert_int_eq(hw_preset("pc-i386", 0, 2, &h.t.d, err, sizeof err), 0);
	h.hw = hw_create(&h.t.d, err, sizeof err);
	mm_policy_default(&h.t.p);
	h.t.p.check = true;
	h.t.p.highpte = true;
	sim_init(&h.t.s, h.t.d.nr_cpus, 1);
	h.t.s.mem = hw_memport(h.hw);
	h.t.mm = mm_boot(&h.t.s, &h.t.d, &h.t.p, NULL, err, sizeof err);
	ck_assert_ptr_nonnull(h.t.mm);
	struct hw_mmu mmu = mm_kernel_mmu(h.t.mm);
	for (int c = 0; c < 2; c++)
		hw_set_mmu(h.hw, c, &mmu);
	mm_set_hw(h.t.mm, h.hw);
	mm_set_cpu(h.t.mm, 0);
	struct mm *mm = h.t.mm;
	struct mm_struct *umm = mm_alloc(mm);
	uint64_t a = do_mmap(mm, umm, 4 * 4096);
	const struct mm_highmem_stats *hs = mm_highmem_stats(mm);
	uint64_t k0 = hs->kmap_atomic_high;
	ck_assert_int_eq(mm_uaccess(mm, umm, a, 4 * 4096, HW_WRITE, NULL), 0);
	/* 4 faults x (KM_USER0 + 2 KM_PTE0) + clear_highpage of the PTE page */
	ck_assert_uint_eq(hs->kmap_atomic_high - k0, 4 * 3 + 1);
	struct mm_upage u;
	mm_uwalk(mm, umm, a, &u);
	ck_assert_uint_ge(u.entry[1], 896 * MiB);            /* the PTE page is HighMem */
	ck_assert_int_eq(u.zone, ZONE_HIGHMEM);
	/* A user access after a CR3 load walks it like any other table. */
	sim_charge(&h.t.s, hw_tlb_flush_all(h.hw, 0, false));
	k0 = hs->kmap_atomic_high;
	ck_assert_int_eq(mm_uaccess(mm, umm, a, 8, HW_READ, NULL), 0);
	ck_assert_uint_eq(hs->kmap_atomic_high, k0);
	ck_assert_int_eq(do_munmap(mm, umm, a, 4 * 4096), 0);
	ck_assert_uint_eq(hs->kmap_atomic_high - k0, 1);      /* zap_pte_range's one map */
	ck_assert_uint_eq(mm_nr_pgtables(umm), 0);
	mmput(mm, umm);
	th_free(&h);
}
END_TEST

/* 2.6.11's read fault on anonymous memory maps the zero page read-only:
 * no frame, no rss, no kmap; the first write faults again (the TLB entry is
 * read-only) and do_wp_page puts a fresh GFP_HIGHUSER frame there, cleared
 * through KM_USER0, with the old entry invalidated (flush_tlb_page). */
START_TEST(test_zero_page_cow)
{
	struct th h;
	th_boot(&h, "pc-i386", 2);
	struct mm *mm = h.t.mm;
	struct mm_struct *umm = mm_alloc(mm);
	uint64_t a = do_mmap(mm, umm, 3 * 4096);
	const struct mm_highmem_stats *hs = mm_highmem_stats(mm);
	const struct mm_user_stats *us = mm_user_stats(mm);
	uint64_t k0 = hs->kmap_atomic_high;
	struct mm_uaccess_info info;
	ck_assert_int_eq(mm_uaccess(mm, umm, a, 2 * 4096, HW_READ, &info), 0);
	ck_assert_uint_eq(info.faults, 2);
	ck_assert_uint_eq(us->zero_maps, 2);
	ck_assert_uint_eq(us->pages_mapped, 0);
	ck_assert_uint_eq(mm_rss(umm), 0);
	ck_assert_uint_eq(hs->kmap_atomic_high, k0);
	struct mm_upage u0, u1;
	mm_uwalk(mm, umm, a, &u0);
	mm_uwalk(mm, umm, a + 4096, &u1);
	ck_assert(u0.present && !u0.writable);
	ck_assert_uint_eq(u0.pfn, u1.pfn);                     /* one zero page */
	ck_assert_int_ne(u0.zone, ZONE_HIGHMEM);
	uint64_t zero = u0.pfn;
	/* Reads again: the TLB serves them, no fault. */
	ck_assert_int_eq(mm_uaccess(mm, umm, a + 64, 8, HW_READ, &info), 0);
	ck_assert_uint_eq(info.faults, 0);
	/* The write: the read-only TLB entry does not serve it. */
	const struct hw_tlb_stats *ts = hw_tlb_stats(h.hw, 0);
	uint64_t inv = ts->flush_page;
	ck_assert_int_eq(mm_uaccess(mm, umm, a + 64, 8, HW_WRITE, &info), 0);
	ck_assert_uint_eq(info.faults, 1);
	ck_assert_uint_eq(us->cow, 1);
	ck_assert_uint_eq(mm_rss(umm), 1);
	ck_assert_uint_eq(hs->kmap_atomic_high, k0 + 1);       /* clear_user_highpage */
	ck_assert_uint_eq(ts->flush_page, inv + 2);            /* KM_USER0 and flush_tlb_page */
	mm_uwalk(mm, umm, a, &u0);
	ck_assert(u0.present && u0.writable);
	ck_assert_int_eq(u0.zone, ZONE_HIGHMEM);
	ck_assert_uint_eq(mm_vm_event(mm, PGFAULT), 3);
	ck_assert_int_eq(mm_uaccess(mm, umm, a, 4096, HW_WRITE, &info), 0);
	ck_assert_uint_eq(info.faults, 0);
	/* get_user_pages for a write breaks the other page's sharing too. */
	struct page *pg;
	ck_assert_int_eq(get_user_pages(mm, umm, a + 4096, 1, 1, &pg), 1);
	ck_assert_uint_eq(us->cow, 2);
	ck_assert(PageHighMem(pg));
	__free_pages(mm, pg, 0);
	/* munmap frees the two frames, never the zero page. */
	ck_assert_int_eq(do_munmap(mm, umm, a, 3 * 4096), 0);
	ck_assert_uint_eq(us->pages_freed, 2);
	ck_assert_int_gt(page_count(pfn_to_page(mm, zero)), 0);
	mmput(mm, umm);
	th_free(&h);
}
END_TEST

Suite *usermap_suite(void)
{
	Suite *s = suite_create("usermap");
	TCase *tc = tcase_create("usermap");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_i386_faults_highmem);
	tcase_add_test(tc, test_kernel_half);
	tcase_add_test(tc, test_switch_and_flush);
	tcase_add_test(tc, test_munmap_split);
	tcase_add_test(tc, test_x86_64);
	tcase_add_test(tc, test_pae);
	tcase_add_test(tc, test_no_hw_fallback);
	tcase_add_test(tc, test_get_user_pages);
	tcase_add_test(tc, test_highpte);
	tcase_add_test(tc, test_zero_page_cow);
	suite_add_tcase(s, tc);
	return s;
}
