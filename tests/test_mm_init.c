/*
 * Tests of mm/mm_init.c and mm/policy.c: zones from the memory map, the
 * placement of the boot data, the boot free lists, and the 2.6.11 formulas
 * (min_free_kbytes, pages_min/low/high, lowmem_reserve, per-CPU batch) for
 * several memory sizes. Every expected number is worked out in a comment
 * from the formula it tests; the formulas are those of Linux 2.6.11
 * mm/page_alloc.c (init_per_zone_pages_min, setup_per_zone_pages_min,
 * setup_per_zone_lowmem_reserve, free_area_init_core).
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "mm/mm.h"
#include "mm_testutil.h"

/* ---- The book's PC: i386, 1 GiB ---------------------------------------- */

/*
 * pc-i386, 1 GiB: usable [0, 0x9f000) and [1 MiB, 1 GiB).
 *   DMA     pfn [0, 4096): present 0x9f (159) + (4096 - 256) = 3999
 *   Normal  pfn [4096, 229376) (896 MiB): present 225280
 *   HighMem pfn [229376, 262144): present 32768
 */
START_TEST(test_i386_zones)
{
	struct tm t;
	tm_boot_preset(&t, "pc-i386", 0, 0, NULL);
	struct zone *dma = tm_zone(&t, 0, ZONE_DMA), *dma32 = tm_zone(&t, 0, ZONE_DMA32);
	struct zone *normal = tm_zone(&t, 0, ZONE_NORMAL), *high = tm_zone(&t, 0, ZONE_HIGHMEM);
	ck_assert_uint_eq(dma->zone_start_pfn, 0);
	ck_assert_uint_eq(dma->spanned_pages, 4096);
	ck_assert_uint_eq(dma->present_pages, 3999);
	ck_assert_uint_eq(dma32->spanned_pages, 0);
	ck_assert_uint_eq(dma32->present_pages, 0);
	ck_assert_uint_eq(normal->zone_start_pfn, 4096);
	ck_assert_uint_eq(normal->spanned_pages, 225280);
	ck_assert_uint_eq(normal->present_pages, 225280);
	ck_assert_uint_eq(high->zone_start_pfn, 229376);
	ck_assert_uint_eq(high->spanned_pages, 32768);
	ck_assert_uint_eq(high->present_pages, 32768);

	/* Boot data at 16 MiB (alloc_bootmem's goal): a pg_data_t of 64 bytes
	 * + 4 zones of 64 + 1*128 (pageset) + 64 (lock) + 11*24 = 520 -> 576
	 * bytes each = 2368, rounded to a page: mem_map at 16 MiB + 4096, for
	 * 262144 frames * 64 = 16 MiB. Reserved: 4097 pages of Normal. */
	pg_data_t *pgdat = NODE_DATA(t.mm, 0);
	ck_assert_uint_eq(pgdat->meta_start, 16 * MiB);
	ck_assert_uint_eq(pgdat->mem_map_paddr, 16 * MiB + 4096);
	ck_assert_uint_eq(pgdat->meta_end, 32 * MiB + 4096);
	ck_assert_uint_eq(normal->managed_pages, 225280 - 4097);
	/* less the page directory at 1 MiB and highmem.c's 8 pages after it */
	ck_assert_uint_eq(dma->managed_pages, 3990);
	ck_assert_uint_eq(high->managed_pages, 32768);
	ck_assert_uint_eq(normal->paddr, 16 * MiB + 64 + 2 * 576);
	/* The struct page of pfn 1000 is at mem_map + 1000 * 64. */
	ck_assert_uint_eq(page_desc_paddr(t.mm, pfn_to_page(t.mm, 1000)), 16 * MiB + 4096 + 64000);
	ck_assert(PageReserved(pfn_to_page(t.mm, 0x9f)));          /* firmware hole */
	ck_assert(PageReserved(pfn_to_page(t.mm, 4096)));          /* mem_map itself */
	ck_assert(!PageReserved(pfn_to_page(t.mm, 0x9e)));
	ck_assert(PageHighMem(pfn_to_page(t.mm, 229376)));
	ck_assert_ptr_null(pfn_to_page(t.mm, 262144));
	tm_free(&t);
}
END_TEST

/*
 * 2.6.11 watermarks on the 1 GiB PC.
 *   lowmem = DMA + Normal present = 3999 + 225280 = 229279 pages
 *   lowmem_kbytes = 917116; min_free_kbytes = int_sqrt(917116 * 16) = 3830
 *   pages_min (lowmem share) = 3830 >> 2 = 957
 *     DMA    = 957 * 3999 / 229279   = 16   low 20   high 24
 *     Normal = 957 * 225280 / 229279 = 940  low 1175 high 1410
 *     HighMem = 32768 / 1024 = 32 (in [32, 128])  low 40  high 48
 *   lowmem_reserve (ratios 256, 32):
 *     DMA[Normal]  = 225280 / 256           = 880
 *     DMA[HighMem] = (32768 + 225280) / 256 = 1008
 *     Normal[HighMem] = 32768 / 32          = 1024
 *   per-CPU batch: present/1024, capped at 64 (256 KiB), /4, at least 1:
 *     DMA 3999/1024 = 3 -> 0 -> 1; Normal 220 -> 64 -> 16; HighMem 32 -> 8
 */
START_TEST(test_i386_watermarks)
{
	struct tm t;
	tm_boot_preset(&t, "pc-i386", 0, 0, NULL);
	struct zone *dma = tm_zone(&t, 0, ZONE_DMA);
	struct zone *normal = tm_zone(&t, 0, ZONE_NORMAL), *high = tm_zone(&t, 0, ZONE_HIGHMEM);
	ck_assert_uint_eq(mm_min_free_kbytes(t.mm), 3830);
	ck_assert_uint_eq(dma->pages_min, 16);
	ck_assert_uint_eq(dma->pages_low, 20);
	ck_assert_uint_eq(dma->pages_high, 24);
	ck_assert_uint_eq(normal->pages_min, 940);
	ck_assert_uint_eq(normal->pages_low, 1175);
	ck_assert_uint_eq(normal->pages_high, 1410);
	ck_assert_uint_eq(high->pages_min, 32);
	ck_assert_uint_eq(high->pages_low, 40);
	ck_assert_uint_eq(high->pages_high, 48);

	ck_assert_uint_eq(dma->lowmem_reserve[ZONE_DMA], 0);
	ck_assert_uint_eq(dma->lowmem_reserve[ZONE_NORMAL], 880);
	ck_assert_uint_eq(dma->lowmem_reserve[ZONE_HIGHMEM], 1008);
	ck_assert_uint_eq(normal->lowmem_reserve[ZONE_HIGHMEM], 1024);
	ck_assert_uint_eq(normal->lowmem_reserve[ZONE_NORMAL], 0);
	ck_assert_uint_eq(high->lowmem_reserve[ZONE_HIGHMEM], 0);

	const struct per_cpu_pages *hot = &dma->pageset[0].pcp[0], *cold = &dma->pageset[0].pcp[1];
	ck_assert_int_eq(hot->batch, 1);
	ck_assert_int_eq(hot->low, 2);
	ck_assert_int_eq(hot->high, 6);
	ck_assert_int_eq(cold->batch, 1);
	ck_assert_int_eq(cold->low, 0);
	ck_assert_int_eq(cold->high, 2);
	hot = &normal->pageset[0].pcp[0];
	cold = &normal->pageset[0].pcp[1];
	ck_assert_int_eq(hot->batch, 16);
	ck_assert_int_eq(hot->low, 32);
	ck_assert_int_eq(hot->high, 96);
	ck_assert_int_eq(cold->low, 0);
	ck_assert_int_eq(cold->high, 32);
	ck_assert_int_eq(high->pageset[0].pcp[0].batch, 8);
	ck_assert_int_eq(high->pageset[0].pcp[0].high, 48);
	tm_free(&t);
}
END_TEST

/*
 * 2.6.11 min_free_kbytes table (the comment above init_per_zone_pages_min
 * gives 16MB: 512k ... 1024MB: 4096k, from sqrt(lowmem_kbytes * 16)). Our
 * lowmem is what the memory map leaves, so we check the formula against the
 * exact present pages: i386 with 64 MiB of RAM: DMA 3999, Normal pfn
 * [4096, 16384) = 12288, lowmem 16287 pages = 65148 KiB;
 * int_sqrt(65148 * 16) = 1020 (the table's 1024k for a round 64 MB).
 * With 4 GiB on i386 (HighMem above 896 MiB, lowmem as for 1 GiB):
 * 3830 again, and HighMem present 3 GiB + ... capped: min 128.
 */
START_TEST(test_min_free_kbytes_sizes)
{
	struct tm t;
	tm_boot_preset(&t, "pc-i386", 64 * MiB, 0, NULL);
	ck_assert_uint_eq(tm_zone(&t, 0, ZONE_NORMAL)->present_pages, 12288);
	ck_assert_uint_eq(mm_min_free_kbytes(t.mm), 1020);
	/* pages_min = 255: DMA 255*3999/16287 = 62, Normal 255*12288/16287 = 192 */
	ck_assert_uint_eq(tm_zone(&t, 0, ZONE_DMA)->pages_min, 62);
	ck_assert_uint_eq(tm_zone(&t, 0, ZONE_NORMAL)->pages_min, 192);
	/* No HighMem: it is empty, yet 2.6.11 gives it the SWAP_CLUSTER_MAX floor. */
	ck_assert_uint_eq(tm_zone(&t, 0, ZONE_HIGHMEM)->pages_min, 32);
	/* batch: Normal 12288/1024 = 12 -> 3 */
	ck_assert_int_eq(tm_zone(&t, 0, ZONE_NORMAL)->pageset[0].pcp[0].batch, 3);
	tm_free(&t);

	/* i386, 3 GiB: HighMem pfn [229376, 786432) = 557056 present;
	 * 557056 / 1024 = 544, capped to 128. */
	tm_boot_preset(&t, "pc-i386", 3 * GiB, 0, NULL);
	ck_assert_uint_eq(mm_min_free_kbytes(t.mm), 3830);
	ck_assert_uint_eq(tm_zone(&t, 0, ZONE_HIGHMEM)->present_pages, 557056);
	ck_assert_uint_eq(tm_zone(&t, 0, ZONE_HIGHMEM)->pages_min, 128);
	ck_assert_uint_eq(tm_zone(&t, 0, ZONE_HIGHMEM)->pages_high, 192);
	/* Normal[HighMem] = 557056 / 32 = 17408 */
	ck_assert_uint_eq(tm_zone(&t, 0, ZONE_NORMAL)->lowmem_reserve[ZONE_HIGHMEM], 17408);
	tm_free(&t);
}
END_TEST

/*
 * x86_64, 4 GiB, one node: RAM above 3 GiB moves above 4 GiB.
 *   DMA 3999; DMA32 pfn [4096, 1048576) spanned 1044480, present
 *   [4096, 786432) = 782336; Normal [1048576, 1310720) present 262144.
 *   lowmem (all of it) = 1048479 pages = 4193916 KiB;
 *   min_free_kbytes = int_sqrt(4193916 * 16) = 8191; pages_min 2047:
 *     DMA 2047*3999/1048479 = 7 (8, 10); DMA32 = 1527 (1908, 2290);
 *     Normal = 511 (638, 766); HighMem (empty) 32.
 *   lowmem_reserve (256, 256, 32): DMA[DMA32] = 782336/256 = 3056,
 *     DMA[Normal] = (262144 + 782336)/256 = 4080, DMA32[Normal] = 1024.
 *   batch: DMA32 and Normal 16, DMA 1.
 */
START_TEST(test_x86_64_zones_and_watermarks)
{
	struct tm t;
	tm_boot_preset(&t, "x86_64", 0, 0, NULL);
	struct zone *dma = tm_zone(&t, 0, ZONE_DMA), *dma32 = tm_zone(&t, 0, ZONE_DMA32);
	struct zone *normal = tm_zone(&t, 0, ZONE_NORMAL), *high = tm_zone(&t, 0, ZONE_HIGHMEM);
	ck_assert_uint_eq(dma->present_pages, 3999);
	ck_assert_uint_eq(dma32->zone_start_pfn, 4096);
	ck_assert_uint_eq(dma32->spanned_pages, 1044480);
	ck_assert_uint_eq(dma32->present_pages, 782336);
	ck_assert_uint_eq(normal->zone_start_pfn, 1048576);
	ck_assert_uint_eq(normal->present_pages, 262144);
	ck_assert_uint_eq(high->present_pages, 0);
	ck_assert_uint_eq(mm_min_free_kbytes(t.mm), 8191);
	ck_assert_uint_eq(dma->pages_min, 7);
	ck_assert_uint_eq(dma->pages_low, 8);
	ck_assert_uint_eq(dma->pages_high, 10);
	ck_assert_uint_eq(dma32->pages_min, 1527);
	ck_assert_uint_eq(dma32->pages_low, 1908);
	ck_assert_uint_eq(dma32->pages_high, 2290);
	ck_assert_uint_eq(normal->pages_min, 511);
	ck_assert_uint_eq(normal->pages_low, 638);
	ck_assert_uint_eq(normal->pages_high, 766);
	ck_assert_uint_eq(high->pages_min, 32);
	ck_assert_uint_eq(dma->lowmem_reserve[ZONE_DMA32], 3056);
	ck_assert_uint_eq(dma->lowmem_reserve[ZONE_NORMAL], 4080);
	ck_assert_uint_eq(dma32->lowmem_reserve[ZONE_NORMAL], 1024);
	ck_assert_int_eq(dma32->pageset[1].pcp[0].batch, 16);
	ck_assert_int_eq(dma->pageset[1].pcp[0].batch, 1);
	tm_free(&t);
}
END_TEST

/*
 * 2.6.11's NUMA quirk: nr_free_buffer_pages walks the GFP_USER zonelist of
 * every node, and each holds all nodes' zones, so with 4 nodes every
 * lowmem page counts 4 times: min_free_kbytes = int_sqrt(4 * present * 4
 * KiB * 16), present summed over all zones (all lowmem on x86_64). On
 * x86_64-numa4 (16 GiB, a little less present) that is 32767, twice the
 * 16383 that counting each page once would give.
 */
START_TEST(test_numa_min_free_kbytes_quirk)
{
	struct tm t;
	tm_boot_preset(&t, "x86_64-numa4", 0, 0, NULL);
	unsigned long present = 0;
	for (int nid = 0; nid < 4; nid++)
		for (int j = 0; j < MAX_NR_ZONES; j++)
			present += tm_zone(&t, nid, j)->present_pages;
	unsigned long kb = 4 * present * 4 * 16, r = 0;
	while ((r + 1) * (r + 1) <= kb)
		r++;
	ck_assert_uint_eq(mm_min_free_kbytes(t.mm), r);
	ck_assert_uint_eq(r, 32767);
	tm_free(&t);
}
END_TEST

/* The policy overrides min_free_kbytes and the ratios: min_free_kbytes=1024
 * on the 1 GiB PC gives pages_min 256: DMA 256*3999/229279 = 4,
 * Normal 256*225280/229279 = 251; ratios 128,16: DMA[Normal] = 1760,
 * Normal[HighMem] = 2048. */
START_TEST(test_policy_overrides)
{
	struct mm_policy p;
	char err[256];
	mm_policy_default(&p);
	ck_assert_int_eq(mm_policy_parse(&p, "min_free_kbytes=1024", err, sizeof err), 0);
	ck_assert_int_eq(mm_policy_parse(&p, "lowmem_reserve_ratio=128,16", err, sizeof err), 0);
	struct tm t;
	tm_boot_preset(&t, "pc-i386", 0, 0, &p);
	ck_assert_uint_eq(mm_min_free_kbytes(t.mm), 1024);
	ck_assert_uint_eq(tm_zone(&t, 0, ZONE_DMA)->pages_min, 4);
	ck_assert_uint_eq(tm_zone(&t, 0, ZONE_NORMAL)->pages_min, 251);
	ck_assert_uint_eq(tm_zone(&t, 0, ZONE_DMA)->lowmem_reserve[ZONE_NORMAL], 1760);
	ck_assert_uint_eq(tm_zone(&t, 0, ZONE_NORMAL)->lowmem_reserve[ZONE_HIGHMEM], 2048);
	tm_free(&t);
}
END_TEST

START_TEST(test_policy_knobs)
{
	struct mm_policy p, q;
	char err[256], buf[64];
	mm_policy_default(&p);
	q = p;
	ck_assert_int_eq(mm_policy_parse(&p, "pcp=off", err, sizeof err), 0);
	ck_assert(!p.pcp);
	ck_assert_int_eq(mm_policy_parse(&p, "zonelist_order=zone", err, sizeof err), 0);
	ck_assert_int_eq(p.zonelist_order, ZONELIST_ORDER_ZONE);
	ck_assert_int_eq(mm_policy_parse(&p, "max_order=9", err, sizeof err), 0);
	ck_assert_uint_eq(p.max_order, 9);
	ck_assert_int_eq(mm_policy_parse(&p, "lowmem_reserve_ratio=1,2,3", err, sizeof err), 0);
	mm_policy_get(&p, "lowmem_reserve_ratio", buf, sizeof buf);
	ck_assert_str_eq(buf, "1,2,3");
	mm_policy_get(&q, "lowmem_reserve_ratio", buf, sizeof buf);
	ck_assert_str_eq(buf, "256,256,32");
	mm_policy_get(&q, "min_free_kbytes", buf, sizeof buf);
	ck_assert_str_eq(buf, "auto");

	/* Errors name the knob and the accepted values; p is unchanged. */
	q = p;
	ck_assert_int_eq(mm_policy_parse(&p, "pcp=maybe", err, sizeof err), -1);
	ck_assert_str_eq(err, "policy pcp: bad value 'maybe' (accepted: on or off)");
	ck_assert_int_eq(mm_policy_parse(&p, "max_order=1", err, sizeof err), -1);
	ck_assert_str_eq(err, "policy max_order: bad value '1' (accepted: 2 to 15)");
	ck_assert_int_eq(mm_policy_parse(&p, "lowmem_reserve_ratio=256", err, sizeof err), -1);
	ck_assert(strstr(err, "policy lowmem_reserve_ratio: bad value '256'") == err);
	ck_assert_int_eq(mm_policy_parse(&p, "lowmem_reserve_ratio=x,32", err, sizeof err), -1);
	ck_assert_int_eq(mm_policy_parse(&p, "zonelist_order=random", err, sizeof err), -1);
	ck_assert_str_eq(err, "policy zonelist_order: bad value 'random' (accepted: node or zone)");
	ck_assert_int_eq(mm_policy_parse(&p, "colour=on", err, sizeof err), -1);
	ck_assert_str_eq(err, "policy: unknown knob 'colour' (known: era, pcp, min_free_kbytes, "
			      "lowmem_reserve_ratio, zonelist_order, max_order, hw, check, slab_colour, "
			      "watermark_scale_factor, percpu_pagelist_high_fraction, thp, dma_bounce, highpte)");
	ck_assert_int_eq(mm_policy_parse(&p, "pcp", err, sizeof err), -1);
	ck_assert_str_eq(err, "policy: 'pcp' is not name=value");
	ck_assert_int_eq(mm_policy_parse(&p, "min_free_kbytes=-5", err, sizeof err), -1);
	ck_assert(memcmp(&p, &q, sizeof p) == 0);

	/* Every knob reads back as something it accepts. */
	for (const char *const *k = mm_policy_knobs(); *k; k++) {
		ck_assert_int_gt(mm_policy_get(&q, *k, buf, sizeof buf), 0);
		struct mm_policy r = q;
		ck_assert_msg(mm_policy_set(&r, *k, buf, err, sizeof err) == 0, "%s=%s: %s", *k, buf, err);
		ck_assert(memcmp(&r, &q, sizeof r) == 0);
	}
}
END_TEST

/* The trace header records the whole policy. */
START_TEST(test_policy_trace)
{
	struct mm_policy p;
	char err[256];
	mm_policy_default(&p);
	ck_assert_int_eq(mm_policy_parse(&p, "pcp=off", err, sizeof err), 0);
	FILE *fp = tmpfile();
	struct trace *tr = trace_open_fp(fp, "t");
	trace_line_begin(tr);
	mm_policy_trace(&p, tr, "policy");
	trace_line_end(tr);
	ck_assert_int_eq(trace_close(tr), 0);
	rewind(fp);
	char buf[512];
	size_t n = fread(buf, 1, sizeof buf - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	ck_assert_str_eq(buf, "{\"policy\":{\"era\":\"classic\",\"pcp\":\"off\",\"min_free_kbytes\":\"auto\","
			      "\"lowmem_reserve_ratio\":\"256,256,32\",\"zonelist_order\":\"node\","
			      "\"max_order\":\"11\",\"hw\":\"on\",\"check\":\"off\",\"slab_colour\":\"on\","
			      "\"watermark_scale_factor\":\"10\",\"percpu_pagelist_high_fraction\":\"0\","
			      "\"thp\":\"on\",\"dma_bounce\":\"on\",\"highpte\":\"off\"}}\n");
}
END_TEST

START_TEST(test_boot_errors)
{
	struct hw_machine_desc d;
	struct mm_policy p;
	struct sim s;
	char err[256];
	mm_policy_default(&p);
	ck_assert_int_eq(hw_preset("pc-i386", 0, 0, &d, err, sizeof err), 0);
	sim_init(&s, 1, 1);
	/* The modern era boots a 32-bit machine too: 6.1's HighMem minimum,
	 * managed / 1024 clamped to [SWAP_CLUSTER_MAX = 32, 128]. */
	p.era = MM_ERA_MODERN;
	struct mm *mm = mm_boot(&s, &d, &p, NULL, err, sizeof err);
	ck_assert_ptr_nonnull(mm);
	struct zone *hz = &NODE_DATA(mm, 0)->node_zones[ZONE_HIGHMEM];
	ck_assert_uint_gt(hz->managed_pages, 0);
	unsigned long want = hz->managed_pages / 1024;
	want = want < 32 ? 32 : want > 128 ? 128 : want;
	ck_assert_uint_eq(hz->pages_min, want);
	mm_destroy(mm);
	sim_destroy(&s);
	sim_init(&s, 1, 1);
	mm_policy_default(&p);
	d.nr_cpus = 2;
	d.cpus[1] = d.cpus[0];
	ck_assert_ptr_null(mm_boot(&s, &d, &p, NULL, err, sizeof err));
	ck_assert_str_eq(err, "machine: 2 CPUs but the simulation has 1");
	d.nr_cpus = 1;
	d.nodes[0].end = 0x3ff00800;
	ck_assert_ptr_null(mm_boot(&s, &d, &p, NULL, err, sizeof err));
	ck_assert(strncmp(err, "machine: ", 9) == 0);
	sim_destroy(&s);
}
END_TEST

/*
 * The boot free lists of the i386 DMA zone, by hand. Bootmem words are 32
 * frames (BITS_PER_LONG on i386), freed in ascending pfn:
 *   [0, 128): four whole words, order-5 blocks, merging into one order-7
 *     block at 0;
 *   [128, 159): 31 lone frames (159 = 0x9f is the firmware hole) merging
 *     into 128 (order 4), 144 (3), 152 (2), 156 (1), 158 (0);
 *   [256, 288): 256 holds the direct map's page directory (swapper_pg_dir,
 *     where the kernel image would be) and 257..264 highmem.c's tables
 *     (pkmap and fixmap page tables, pkmap_count, the page_address hash),
 *     so 265..287 are lone frames, merging into 265 (0), 266 (1), 268 (2),
 *     272 (4);
 *   [288, 4096): whole words, merging into 288 (order 5), 320 (6), 384 (7),
 *     512 (9), and order-10 blocks 1024, 2048, 3072.
 * Each merged block goes to the head of its list, so the order-10 list is
 * 3072, 2048, 1024: the highest first, and the lists of orders 0 to 2 and 4 hold
 * the block above 256 first.
 */
START_TEST(test_boot_free_lists_dma)
{
	struct tm t;
	char buf[128];
	uint64_t pfns[8];
	tm_boot_preset(&t, "pc-i386", 0, 0, NULL);
	struct zone *dma = tm_zone(&t, 0, ZONE_DMA);
	ck_assert_str_eq(tm_nr_free(&t, 0, ZONE_DMA, buf, sizeof buf), "2 2 2 1 2 1 1 2 0 1 3");
	static const uint64_t head[11] = { 265, 266, 268, 144, 272, 288, 320, 384, 0, 512, 3072 };
	for (int o = 0; o < 11; o++) {
		int n = tm_list(&t, 0, &dma->free_area[o].free_list, pfns, 8);
		if (n)
			ck_assert_uint_eq(pfns[0], head[o]);
	}
	ck_assert_int_eq(tm_list(&t, 0, &dma->free_area[10].free_list, pfns, 8), 3);
	ck_assert_uint_eq(pfns[1], 2048);
	ck_assert_uint_eq(pfns[2], 1024);
	ck_assert_uint_eq(dma->free_pages, 3990);
	/* The buddyinfo view says the same. */
	char view[1024];
	mm_view(t.mm, "buddyinfo", view, sizeof view);
	ck_assert(strstr(view, "Node 0, zone      DMA      2      2      2      1      2      1      1      2"
			       "      0      1      3 \n") == view);
	tm_free(&t);
}
END_TEST

/*
 * Boot freeing round the boot data, inside one bootmem word. x86_64 node
 * spanning pfns [0, 64) with one usable range, pfns [5, 64). The boot data
 * (a pg_data_t page, then 64 frames * 64 B = one page of mem_map) has no
 * range at or above 16 MiB, so it goes at the lowest fit: pfns 5 and 6. The
 * direct map's PML4, PDPT and page directory went first, at 0x8000 (2.6.11
 * find_early_table_space's start): pfns 8 to 10. The free frames 7 and
 * 11..63 do not fill the 64-frame word, so they are freed one by one,
 * ascending, and merge into 7 (order 0), 11 (0), 12 (2), 16 (4), 32 (5).
 */
START_TEST(test_boot_small_machine)
{
	struct tm t;
	char buf[128];
	tm_desc_simple(&t.d, HW_ARCH_X86_64, 0x5000, 0x40000, 1);
	tm_boot_desc(&t, NULL);
	pg_data_t *pgdat = NODE_DATA(t.mm, 0);
	ck_assert_uint_eq(pgdat->meta_start, 0x5000);
	ck_assert_uint_eq(pgdat->meta_end, 0x7000);
	ck_assert_str_eq(tm_nr_free(&t, 0, ZONE_DMA, buf, sizeof buf), "2 0 1 0 1 1 0 0 0 0 0");
	ck_assert_uint_eq(tm_zone(&t, 0, ZONE_DMA)->free_pages, 54);
	ck_assert_uint_eq(tm_zone(&t, 0, ZONE_DMA)->managed_pages, 54);
	ck_assert_int_eq(mm_check(t.mm, buf, sizeof buf), 0);
	tm_free(&t);
}
END_TEST

/* Host memory: the host struct page is 32 bytes (under the 48-byte budget). */
START_TEST(test_host_page_size)
{
	ck_assert_uint_eq(sizeof(struct page), 32);
}
END_TEST

Suite *mm_init_suite(void)
{
	Suite *s = suite_create("mm_init");
	TCase *tc = tcase_create("boot");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_i386_zones);
	tcase_add_test(tc, test_i386_watermarks);
	tcase_add_test(tc, test_min_free_kbytes_sizes);
	tcase_add_test(tc, test_x86_64_zones_and_watermarks);
	tcase_add_test(tc, test_numa_min_free_kbytes_quirk);
	tcase_add_test(tc, test_policy_overrides);
	tcase_add_test(tc, test_policy_knobs);
	tcase_add_test(tc, test_policy_trace);
	tcase_add_test(tc, test_boot_errors);
	tcase_add_test(tc, test_boot_free_lists_dma);
	tcase_add_test(tc, test_boot_small_machine);
	tcase_add_test(tc, test_host_page_size);
	suite_add_tcase(s, tc);
	return s;
}
