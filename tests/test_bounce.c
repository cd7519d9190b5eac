/*
 * DMA from the memory manager (mm/bounce.c): zone modifiers reach the right
 * zones (GFP_DMA below 16 MiB), device masks are enforced, the bounce path
 * charges the device's time plus the copy both ways and the mempool's
 * work, dma_bounce=off
 * refuses, and lowmem_reserve keeps GFP_KERNEL fallbacks out of the DMA
 * zone so that GFP_DMA still succeeds.
 */
#include <check.h>

#include "hw/dma.h"
#include "hw/hw.h"
#include "mm/bounce.h"
#include "mm/highmem.h"
#include "mm/mm.h"
#include "mm_testutil.h"

struct tmh {
	struct tm t;
	struct hw *hw;
};

static void boot_hw(struct tmh *x, const char *preset, const struct mm_policy *p)
{
	char err[256];
	ck_assert_int_eq(hw_preset(preset, 0, 0, &x->t.d, err, sizeof err), 0);
	x->hw = hw_create(&x->t.d, err, sizeof err);
	ck_assert_ptr_nonnull(x->hw);
	if (p)
		x->t.p = *p;
	else
		mm_policy_default(&x->t.p);
	sim_init(&x->t.s, x->t.d.nr_cpus, 1);
	x->t.s.mem = hw_memport(x->hw);
	x->t.mm = mm_boot(&x->t.s, &x->t.d, &x->t.p, NULL, err, sizeof err);
	ck_assert_msg(x->t.mm != NULL, "%s", err);
	mm_set_hw(x->t.mm, x->hw);
}

static void free_hw(struct tmh *x)
{
	sim_destroy(&x->t.s);
	mm_destroy(x->t.mm);
	hw_destroy(x->hw);
}

START_TEST(test_gfp_dma_below_16m)
{
	static const char *const presets[] = { "pc-i386", "x86_64" };
	for (int i = 0; i < 2; i++) {
		struct tm t;
		tm_boot_preset(&t, presets[i], 0, 0, NULL);
		for (int n = 0; n < 100; n++) {
			struct page *p = alloc_pages(t.mm, GFP_KERNEL | __GFP_DMA, 0);
			ck_assert_ptr_nonnull(p);
			ck_assert_uint_lt(page_to_pfn(t.mm, p), 4096);
			ck_assert_uint_eq(page_zonenum(p), ZONE_DMA);
		}
		struct page *q = alloc_pages(t.mm, GFP_KERNEL, 0);
		ck_assert_uint_ge(page_to_pfn(t.mm, q), 4096);
		tm_free(&t);
	}
}
END_TEST

/* The ISA pool comes from ZONE_DMA when the device is set up; a 32-bit
 * device on a 1 GiB PC needs none. */
START_TEST(test_pools)
{
	struct tmh x;
	boot_hw(&x, "pc-i386", NULL);
	mm_set_cpu(x.t.mm, -1);               /* like the main chunk: no CPU */
	unsigned long dma_free = tm_zone(&x.t, 0, ZONE_DMA)->free_pages;
	int isa = hw_dma_attach(x.hw, "isa", 24, 1.0, 2000);
	int pci = hw_dma_attach(x.hw, "pci", 32, 4.0, 1000);
	ck_assert_int_eq(mm_dma_setup(x.t.mm, isa), 0);
	ck_assert_int_eq(mm_dma_setup(x.t.mm, pci), 0);
	ck_assert_uint_eq(mm_dma_stats(x.t.mm)->pool_pages, ISA_POOL_SIZE);
	/* The pages went through the per-CPU list or the buddy lists of DMA. */
	ck_assert_uint_le(tm_zone(&x.t, 0, ZONE_DMA)->free_pages, dma_free - ISA_POOL_SIZE + 1);
	ck_assert_uint_eq(sim_now(&x.t.s), 0);   /* setup costs no simulated time */
	ck_assert_int_eq(x.t.s.cur.cpu, -1);
	int isa2 = hw_dma_attach(x.hw, "isa2", 24, 1.0, 2000);
	ck_assert_int_eq(mm_dma_setup(x.t.mm, isa2), 0);        /* shares the pool */
	ck_assert_uint_eq(mm_dma_stats(x.t.mm)->pool_pages, ISA_POOL_SIZE);
	free_hw(&x);
}
END_TEST

/*
 * Exact costs on the ISA device (setup 2000, 1 byte per cycle): in reach, a
 * transfer costs setup + len. Beyond it, the same plus the copy: after the
 * transfer for FROM_DEVICE, before it for TO_DEVICE, counted in
 * copy_cycles; nothing else is charged.
 */
START_TEST(test_bounce_costs)
{
	struct tmh x;
	boot_hw(&x, "pc-i386", NULL);
	int isa = hw_dma_attach(x.hw, "isa", 24, 1.0, 2000);
	ck_assert_int_eq(mm_dma_setup(x.t.mm, isa), 0);
	mm_set_cpu(x.t.mm, 0);
	const struct mm_dma_stats *st = mm_dma_stats(x.t.mm);
	struct page *low = alloc_pages(x.t.mm, GFP_KERNEL | __GFP_DMA, 0);
	struct page *norm = alloc_pages(x.t.mm, GFP_KERNEL, 0);
	struct page *high = alloc_pages(x.t.mm, GFP_HIGHUSER, 0);
	bool b = true;
	cycle_t t0 = sim_now(&x.t.s);
	ck_assert_int_eq(mm_dma_transfer(x.t.mm, isa, low, 0, 4096, HW_DMA_FROM_DEVICE, &b), 0);
	ck_assert(!b);
	ck_assert_uint_eq(sim_now(&x.t.s) - t0, 2000 + 4096);

	for (int dir = 0; dir < 2; dir++) {
		uint64_t copy0 = st->copy_cycles, pool0 = st->pool_cycles;
		t0 = sim_now(&x.t.s);
		ck_assert_int_eq(mm_dma_transfer(x.t.mm, isa, norm, 0, 4096, dir, &b), 0);
		ck_assert(b);
		ck_assert_uint_gt(st->copy_cycles, copy0 + 64);     /* 64 lines read, 64 written */
		ck_assert_uint_gt(st->pool_cycles, pool0);          /* mempool_alloc and _free */
		ck_assert_uint_eq(sim_now(&x.t.s) - t0, 2000 + 4096 + (st->copy_cycles - copy0) +
				  (st->pool_cycles - pool0));
	}
	ck_assert_uint_eq(st->copy_bytes, 2 * 4096);
	ck_assert_uint_eq(st->bounced, 2);
	/* Two segments for a range across a page boundary of an order-1 block. */
	struct page *two = alloc_pages(x.t.mm, GFP_KERNEL, 1);
	ck_assert_int_eq(mm_dma_transfer(x.t.mm, isa, two, 4000, 200, HW_DMA_TO_DEVICE, &b), 0);
	ck_assert_uint_eq(st->bounce_pages, 4);
	ck_assert_uint_eq(hw_dma_stats(x.hw, isa)->transfers, 5);   /* one per segment */
	/* HighMem goes through kmap_atomic(KM_BOUNCE_READ), which must be free. */
	ck_assert_int_eq(mm_dma_transfer(x.t.mm, isa, high, 0, 512, HW_DMA_TO_DEVICE, &b), 0);
	ck_assert_uint_eq(mm_highmem_stats(x.t.mm)->kmap_atomic_high, 1);
	ck_assert_int_eq(kmap_atomic_depth(x.t.mm, 0), 0);
	ck_assert_uint_ne(kmap_atomic(x.t.mm, high, KM_BOUNCE_READ), 0);
	ck_assert_int_eq(mm_dma_transfer(x.t.mm, isa, high, 0, 512, HW_DMA_TO_DEVICE, &b), -MM_EINVAL);
	free_hw(&x);
}
END_TEST

START_TEST(test_refuse)
{
	struct tmh x;
	struct mm_policy p;
	mm_policy_default(&p);
	p.dma_bounce = false;
	boot_hw(&x, "pc-i386", &p);
	int isa = hw_dma_attach(x.hw, "isa", 24, 1.0, 2000);
	ck_assert_int_eq(mm_dma_setup(x.t.mm, isa), 0);
	mm_set_cpu(x.t.mm, 0);
	struct page *norm = alloc_pages(x.t.mm, GFP_KERNEL, 0);
	cycle_t t0 = sim_now(&x.t.s);
	ck_assert_int_eq(mm_dma_transfer(x.t.mm, isa, norm, 0, 4096, HW_DMA_TO_DEVICE, NULL),
			 -MM_EDMAMASK);
	ck_assert_uint_eq(sim_now(&x.t.s), t0);
	ck_assert_str_eq(mm_error(x.t.mm), "dma: device isa reaches only below 0x1000000; the buffer "
			 "[0x2001000, 0x2002000) is beyond it (dma_bounce=off)");
	ck_assert_uint_eq(mm_dma_stats(x.t.mm)->refused, 1);
	ck_assert_uint_eq(hw_dma_stats(x.hw, isa)->refusals, 1);
	/* The last byte of the device's reach is fine; one more is not. */
	struct page *low = pfn_to_page(x.t.mm, 4095);
	ck_assert_int_eq(mm_dma_transfer(x.t.mm, isa, low, 0, 4096, HW_DMA_TO_DEVICE, NULL), 0);
	ck_assert_int_eq(mm_dma_transfer(x.t.mm, isa, low, 1, 4096, HW_DMA_TO_DEVICE, NULL),
			 -MM_EDMAMASK);
	ck_assert_int_eq(mm_dma_transfer(x.t.mm, 7, low, 0, 64, HW_DMA_TO_DEVICE, NULL), -MM_EINVAL);
	free_hw(&x);
}
END_TEST

/* x86_64: a 32-bit device and a buffer above 4 GiB (the preset's RAM moved
 * to [4, 5) GiB): 64 pool pages from ZONE_DMA32, the buffer bounced; a
 * 64-bit device needs no pool. */
START_TEST(test_x86_64_dma32)
{
	struct tmh x;
	boot_hw(&x, "x86_64", NULL);
	int pci = hw_dma_attach(x.hw, "pci32", 32, 4.0, 1000);
	int pcie = hw_dma_attach(x.hw, "pcie", 64, 8.0, 500);
	ck_assert_int_eq(mm_dma_setup(x.t.mm, pci), 0);
	ck_assert_int_eq(mm_dma_setup(x.t.mm, pcie), 0);
	ck_assert_uint_eq(mm_dma_stats(x.t.mm)->pool_pages, POOL_SIZE);
	mm_set_cpu(x.t.mm, 0);
	struct page *p = alloc_pages(x.t.mm, GFP_KERNEL, 0);
	ck_assert_uint_ge(page_to_pfn(x.t.mm, p), (4 * GiB) >> 12);
	bool b;
	ck_assert_int_eq(mm_dma_transfer(x.t.mm, pci, p, 0, 4096, HW_DMA_TO_DEVICE, &b), 0);
	ck_assert(b);
	ck_assert_int_eq(mm_dma_transfer(x.t.mm, pcie, p, 0, 4096, HW_DMA_TO_DEVICE, &b), 0);
	ck_assert(!b);
	free_hw(&x);
}
END_TEST

/*
 * lowmem_reserve: on an i386 machine of 64 MiB (DMA 16 MiB, Normal 48 MiB),
 * GFP_KERNEL allocations run until they fail, falling back into DMA when
 * Normal is low. With 2.6.11's ratio (256) the DMA zone keeps
 * Normal / 256 pages from them, and GFP_DMA allocations still succeed
 * afterwards; with the protection off (a huge ratio) GFP_KERNEL drains DMA
 * down to its min and GFP_DMA fails at once.
 */
static int dma_left_after_exhaustion(unsigned ratio, unsigned long *dma_free)
{
	struct tm t;
	tm_desc_simple(&t.d, HW_ARCH_I386, 1 * MiB, 64 * MiB, 1);
	struct mm_policy p;
	mm_policy_default(&p);
	p.pcp = false;
	p.lowmem_reserve_ratio[ZONE_DMA] = ratio;
	tm_boot_desc(&t, &p);
	while (alloc_pages(t.mm, GFP_KERNEL, 0))
		;
	*dma_free = tm_zone(&t, 0, ZONE_DMA)->free_pages;
	int n = 0;
	while (alloc_pages(t.mm, GFP_KERNEL | __GFP_DMA, 0))
		n++;
	tm_free(&t);
	return n;
}

START_TEST(test_lowmem_reserve)
{
	unsigned long with, without;
	int dma_with = dma_left_after_exhaustion(256, &with);
	int dma_without = dma_left_after_exhaustion(1000000, &without);
	ck_assert_uint_ge(with, without + 12288 / 256 - 1);
	ck_assert_int_ge(dma_with, 12288 / 256 - 2);
	ck_assert_int_eq(dma_without, 0);
}
END_TEST

Suite *bounce_suite(void)
{
	Suite *s = suite_create("bounce");
	TCase *tc = tcase_create("bounce");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_gfp_dma_below_16m);
	tcase_add_test(tc, test_pools);
	tcase_add_test(tc, test_bounce_costs);
	tcase_add_test(tc, test_refuse);
	tcase_add_test(tc, test_x86_64_dma32);
	tcase_add_test(tc, test_lowmem_reserve);
	suite_add_tcase(s, tc);
	return s;
}
