/*
 * Tests of mm/vmstat.c: the /proc views in the kernel's formats, the dump
 * of the free lists, the invariant checker (that it catches corruption),
 * the stats registry entries, and the trace events of the allocator.
 *
 * The machine is tm_desc_dma32 with 2 CPUs and min_free_kbytes=0: ZONE_DMA
 * has 256 present frames: at pfn 256..258 the direct map's page tables
 * (PML4, PDPT, page directory: the first usable pages from 0x8000 up), then
 * 66 of boot data (pg_data_t in one page, then (4096 + 32) * 64 bytes of
 * mem_map: 65.5 pages, rounded up) at pfn 259..324; ZONE_DMA32 has 32 frames at pfn 4096.
 * After alloc(GFP_DMA32, 0) (through the hot list: refilled with a batch
 * of 1, which splits 4096's order-5 block) and alloc(GFP_DMA32, 2):
 * DMA32 holds 4097 (o0), 4098 (o1), 4104 (o3), 4112 (o4): 27 free.
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/mm.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"
#include "mm_testutil.h"
#include "sim/stats.h"
#include "sim/trace.h"

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void boot_small(struct tm *t, struct trace *tr)
{
	struct mm_policy p;
	char err[256];
	mm_policy_default(&p);
	p.min_free_kbytes = 0;
	tm_desc_dma32(&t->d, 32, 2);
	t->p = p;
	sim_init(&t->s, 2, 1);
	t->mm = mm_boot(&t->s, &t->d, &p, tr, err, sizeof err);
	ck_assert_msg(t->mm != NULL, "%s", err);
	mm_set_cpu(t->mm, 0);
	ck_assert_ptr_nonnull(alloc_pages(t->mm, GFP_DMA32, 0));
	ck_assert_ptr_nonnull(alloc_pages(t->mm, GFP_DMA32, 2));
}

START_TEST(test_buddyinfo_meminfo)
{
	struct tm t;
	char buf[4096];
	boot_small(&t, NULL);
	size_t n = mm_view(t.mm, "buddyinfo", buf, sizeof buf);
	ck_assert_str_eq(buf,
		"Node 0, zone      DMA      1      1      0      1      1      1      0      1      0      0      0 \n"
		"Node 0, zone    DMA32      1      1      0      1      1      0      0      0      0      0      0 \n");
	ck_assert_uint_eq(n, strlen(buf));
	/* snprintf semantics: a short buffer gets a truncated, terminated text
	 * and the full length back. */
	char small[10];
	ck_assert_uint_eq(mm_view(t.mm, "buddyinfo", small, sizeof small), n);
	ck_assert_str_eq(small, "Node 0, z");
	ck_assert_uint_eq(mm_view(t.mm, "buddyinfo", NULL, 0), n);
	/* MemTotal: 187 + 32 frames = 876 kB; MemFree: 187 + 27 = 856 kB. */
	mm_view(t.mm, "meminfo", buf, sizeof buf);
	ck_assert_str_eq(buf,
		"MemTotal:          876 kB\n"
		"MemFree:           856 kB\n"
		"HighTotal:           0 kB\n"
		"HighFree:            0 kB\n"
		"LowTotal:          876 kB\n"
		"LowFree:           856 kB\n");
	ck_assert_uint_eq(mm_view(t.mm, "nonesuch", buf, sizeof buf), 0);
	ck_assert_int_eq(mm_errno(t.mm), MM_EINVAL);
	tm_free(&t);
}
END_TEST

START_TEST(test_zoneinfo_vmstat)
{
	struct tm t;
	static char buf[16384];
	boot_small(&t, NULL);
	mm_view(t.mm, "zoneinfo", buf, sizeof buf);
	const char *z = strstr(buf, "Node 0, zone    DMA32\n");
	ck_assert_ptr_nonnull(z);
	ck_assert(starts_with(z,
		"Node 0, zone    DMA32\n"
		"  pages free     27\n"
		"        min      0\n"
		"        low      0\n"
		"        high     0\n"
		"        active   0\n"
		"        inactive 0\n"
		"        scanned  0 (a: 0 i: 0)\n"
		"        spanned  32\n"
		"        present  32\n"
		"        managed  32\n"
		"        protection: (0, 0, 0, 0)\n"
		"  pagesets\n"
		"    cpu: 0 pcp: 0\n"
		"              count: 0\n"
		"              low:   2\n"
		"              high:  6\n"
		"              batch: 1\n"
		"    cpu: 0 pcp: 1\n"
		"              count: 0\n"
		"              low:   0\n"
		"              high:  2\n"
		"              batch: 1\n"
		"            numa_hit:       2\n"
		"            numa_miss:      0\n"
		"            numa_foreign:   0\n"
		"            interleave_hit: 0\n"
		"            local_node:     2\n"
		"            other_node:     0\n"
		"    cpu: 1 pcp: 0\n"));
	ck_assert(strstr(z, "  start_pfn:         4096\n") != NULL);
	ck_assert(strstr(buf, "        present  256\n        managed  187\n") != NULL);

	mm_view(t.mm, "vmstat", buf, sizeof buf);
	ck_assert(starts_with(buf,
		"nr_free_pages 214\n"
		"pgalloc_high 0\n"
		"pgalloc_normal 0\n"
		"pgalloc_dma32 5\n"
		"pgalloc_dma 0\n"
		"pgfree 0\n"));
	ck_assert(strstr(buf, "\nnuma_hit 2\n") != NULL);
	ck_assert(strstr(buf, "\nzone_lock 2\n") != NULL);
	tm_free(&t);
}
END_TEST

START_TEST(test_freelists_dump)
{
	struct tm t;
	static char buf[8192];
	boot_small(&t, NULL);
	/* Put one frame on CPU 0's hot list: free an order-0 page. */
	struct page *p = alloc_pages(t.mm, GFP_DMA32, 0);   /* refill takes 4097 */
	ck_assert_uint_eq(page_to_pfn(t.mm, p), 4097);
	ck_assert_int_eq(__free_pages(t.mm, p, 0), 0);
	mm_view(t.mm, "freelists", buf, sizeof buf);
	const char *z = strstr(buf, "Node 0, zone DMA32: free 26\n");
	ck_assert_ptr_nonnull(z);
	ck_assert_str_eq(z,
		"Node 0, zone DMA32: free 26\n"
		"  order 0 (0):\n"
		"  order 1 (1): 4098\n"
		"  order 2 (0):\n"
		"  order 3 (1): 4104\n"
		"  order 4 (1): 4112\n"
		"  order 5 (0):\n"
		"  order 6 (0):\n"
		"  order 7 (0):\n"
		"  order 8 (0):\n"
		"  order 9 (0):\n"
		"  order 10 (0):\n"
		"  cpu 0 hot (1): 4097\n"
		"  cpu 0 cold (0):\n"
		"  cpu 1 hot (0):\n"
		"  cpu 1 cold (0):\n");
	ck_assert(strstr(buf, "Node 0, zone DMA: free 187\n  order 0 (1): 325\n  order 1 (1): 326\n") == buf);
	tm_free(&t);
}
END_TEST

/* The checker passes on a healthy machine and names each kind of damage. */
START_TEST(test_checker_catches_corruption)
{
	struct tm t;
	char err[256];
	boot_small(&t, NULL);
	struct zone *z = tm_zone(&t, 0, ZONE_DMA32);
	ck_assert_int_eq(mm_check(t.mm, err, sizeof err), 0);

	z->free_pages++;
	ck_assert_int_eq(mm_check(t.mm, err, sizeof err), -1);
	ck_assert_str_eq(err, "node 0 DMA32: free_pages 28 but the lists hold 27");
	z->free_pages--;

	z->free_area[3].nr_free = 2;
	ck_assert_int_eq(mm_check(t.mm, err, sizeof err), -1);
	ck_assert_str_eq(err, "node 0 DMA32 order 3: nr_free 2 but 1 blocks on the list");
	z->free_area[3].nr_free = 1;

	struct page *p = pfn_to_page(t.mm, 4104);
	p->private = 2;
	ck_assert_int_eq(mm_check(t.mm, err, sizeof err), -1);
	ck_assert_str_eq(err, "node 0 DMA32 order 3: pfn 4104: flags/order/count do not say free of order 3");
	p->private = 3;

	z->pageset[1].pcp[0].count = 1;
	ck_assert_int_eq(mm_check(t.mm, err, sizeof err), -1);
	ck_assert_str_eq(err, "node 0 DMA32 cpu 1 hot list: count 1 but 0 pages on it");
	z->pageset[1].pcp[0].count = 0;

	z->managed_pages++;
	ck_assert_int_eq(mm_check(t.mm, err, sizeof err), -1);
	ck_assert_str_eq(err, "node 0 DMA32: 27 free + 0 on per-CPU lists + 5 handed out != 33 managed");
	z->managed_pages--;
	ck_assert_int_eq(mm_check(t.mm, err, sizeof err), 0);
	tm_free(&t);
}
END_TEST

START_TEST(test_stats_registry)
{
	struct tm t;
	boot_small(&t, NULL);
	struct stats_registry *reg = stats_create();
	mm_register_stats(t.mm, reg);
	size_t i = stats_find(reg, "mm.vmstat.pgalloc_dma32");
	ck_assert_uint_ne(i, STATS_NONE);
	ck_assert_uint_eq(stats_value(reg, i), 5);
	i = stats_find(reg, "mm.node0.DMA32.free_pages");
	ck_assert_uint_ne(i, STATS_NONE);
	ck_assert_uint_eq(stats_value(reg, i), 27);
	ck_assert_int_eq(stats_kind(reg, i), STATS_GAUGE);
	ck_assert_uint_eq(stats_value(reg, stats_find(reg, "mm.node0.DMA32.lock_acquisitions")), 2);
	stats_destroy(reg);
	tm_free(&t);
}
END_TEST

/* The allocator's trace events: the refill's mm_page_alloc_zone_locked,
 * then mm_page_alloc with the fields a replay needs. */
START_TEST(test_trace_events)
{
	struct tm t;
	FILE *fp = tmpfile();
	ck_assert_ptr_nonnull(fp);
	struct trace *tr = trace_open_fp(fp, "test");
	boot_small(&t, tr);
	struct page *p = alloc_pages(t.mm, GFP_DMA32 | __GFP_COLD, 0);
	ck_assert_int_eq(free_cold_page(t.mm, p), 0);
	ck_assert_int_eq(trace_close(tr), 0);
	rewind(fp);
	static char buf[8192];
	size_t n = fread(buf, 1, sizeof buf - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	ck_assert_str_eq(buf,
		"{\"ev\":\"mm_page_alloc_zone_locked\",\"t\":0,\"cpu\":0,\"pfn\":4096,\"order\":0,\"percpu_refill\":true}\n"
		"{\"ev\":\"mm_page_alloc\",\"t\":0,\"cpu\":0,\"pfn\":4096,\"order\":0,\"gfp_flags\":\"GFP_DMA32\","
		"\"nid\":0,\"zone\":\"DMA32\",\"cycles\":0}\n"
		"{\"ev\":\"mm_page_alloc\",\"t\":0,\"cpu\":0,\"pfn\":4100,\"order\":2,\"gfp_flags\":\"GFP_DMA32\","
		"\"nid\":0,\"zone\":\"DMA32\",\"cycles\":0}\n"
		"{\"ev\":\"mm_page_alloc_zone_locked\",\"t\":0,\"cpu\":0,\"pfn\":4097,\"order\":0,\"percpu_refill\":true}\n"
		"{\"ev\":\"mm_page_alloc\",\"t\":0,\"cpu\":0,\"pfn\":4097,\"order\":0,"
		"\"gfp_flags\":\"GFP_DMA32|__GFP_COLD\",\"nid\":0,\"zone\":\"DMA32\",\"cycles\":0}\n"
		"{\"ev\":\"mm_page_free\",\"t\":0,\"cpu\":0,\"pfn\":4097,\"order\":0,\"cycles\":0}\n");
	sim_destroy(&t.s);
	mm_destroy(t.mm);
}
END_TEST

/* A failed allocation is reported (mm_page_alloc_fail, with the kernel's
 * message), unless __GFP_NOWARN; an atomic one takes no reclaim path, a
 * GFP_KERNEL one enters direct reclaim (traced) and the OOM path. */
START_TEST(test_trace_failure)
{
	struct tm t;
	FILE *fp = tmpfile();
	struct trace *tr = trace_open_fp(fp, "test");
	trace_set_filter(tr, "mm_page_alloc_fail,mm_vmscan_*,mm_oom", NULL, 0);
	boot_small(&t, tr);
	ck_assert_ptr_null(alloc_pages(t.mm, GFP_DMA32 | __GFP_NOWARN, 10));
	ck_assert_ptr_null(alloc_pages(t.mm, GFP_ATOMIC | GFP_DMA32, 10));
	ck_assert_ptr_null(alloc_pages(t.mm, GFP_KERNEL | GFP_DMA32, 10));
	ck_assert_int_eq(trace_close(tr), 0);
	rewind(fp);
	static char buf[4096];
	size_t n = fread(buf, 1, sizeof buf - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	ck_assert_str_eq(buf,
		"{\"ev\":\"mm_page_alloc_fail\",\"t\":0,\"cpu\":0,\"order\":10,"
		"\"gfp_flags\":\"GFP_ATOMIC|__GFP_DMA32\","
		"\"msg\":\"mmsim: page allocation failure. order:10, mode:0x24\"}\n"
		"{\"ev\":\"mm_vmscan_direct_reclaim_begin\",\"t\":0,\"cpu\":0,\"order\":10,"
		"\"gfp_flags\":\"GFP_KERNEL|__GFP_DMA32\"}\n"
		"{\"ev\":\"mm_vmscan_direct_reclaim_end\",\"t\":0,\"cpu\":0,\"nr_reclaimed\":0}\n"
		"{\"ev\":\"mm_oom\",\"t\":0,\"cpu\":0,\"order\":10}\n"
		"{\"ev\":\"mm_page_alloc_fail\",\"t\":0,\"cpu\":0,\"order\":10,"
		"\"gfp_flags\":\"GFP_KERNEL|__GFP_DMA32\","
		"\"msg\":\"mmsim: page allocation failure. order:10, mode:0xd4\"}\n");
	ck_assert_uint_eq(mm_vm_event(t.mm, PGALLOC_FAIL), 3);
	ck_assert_uint_eq(mm_vm_event(t.mm, ALLOCSTALL), 1);
	sim_destroy(&t.s);
	mm_destroy(t.mm);
}
END_TEST

/* The free lists and a snapshot as trace lines (replay needs the first). */
START_TEST(test_trace_lines)
{
	struct tm t;
	FILE *fp = tmpfile();
	struct trace *tr = trace_open_fp(fp, "test");
	trace_set_filter(tr, "-*", NULL, 0);     /* no events, just these lines */
	boot_small(&t, tr);
	trace_line_begin(tr);
	mm_trace_freelists(t.mm, tr);
	trace_line_end(tr);
	trace_line_begin(tr);
	trace_u64(tr, "t", 0);
	mm_trace_snapshot(t.mm, tr);
	trace_line_end(tr);
	ck_assert_int_eq(trace_close(tr), 0);
	rewind(fp);
	static char buf[8192];
	size_t n = fread(buf, 1, sizeof buf - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	const char *l2 = strchr(buf, '\n') + 1;
	ck_assert(starts_with(buf, "{\"freelists\":[{\"node\":0,\"zone\":\"DMA\",\"free\":187,"
				   "\"orders\":[[325],[326],[],[328],[336],[352],[],[384],[],[],[]],"
				   "\"pcp\":[{\"cpu\":0,\"hot\":[],\"cold\":[]},{\"cpu\":1,\"hot\":[],\"cold\":[]}]},"
				   "{\"node\":0,\"zone\":\"DMA32\",\"free\":27,"
				   "\"orders\":[[4097],[4098],[],[4104],[4112],[],[],[],[],[],[]],"));
	ck_assert(starts_with(l2, "{\"t\":0,\"zones\":[{\"node\":0,\"zone\":\"DMA\",\"free\":187,"
				  "\"min\":0,\"low\":0,\"high\":0,\"nr_free\":[1,1,0,1,1,1,0,1,0,0,0],"
				  "\"pcp\":[[0,0],[0,0]]},"));
	ck_assert(strstr(l2, "\"vmstat\":{\"pgalloc_dma\":0,\"pgalloc_dma32\":5,") != NULL);
	sim_destroy(&t.s);
	mm_destroy(t.mm);
}
END_TEST

/* The number on the line of a view starting with key ("Slab:", "Node 0
 * Slab:", "nr_slab_reclaimable"), or -1. */
static long view_number(const char *text, const char *key)
{
	size_t kl = strlen(key);
	for (const char *l = text; *l;) {
		if (!strncmp(l, key, kl) && l[kl] == ' ')
			return strtol(l + kl, NULL, 10);
		const char *nl = strchr(l, '\n');
		if (!nl)
			break;
		l = nl + 1;
	}
	return -1;
}

/*
 * The modern era's meminfo, vmstat and node meminfo read the slab
 * allocator's frames (PG_slab) and vmalloc's pages: a cache made with
 * SLAB_RECLAIM_ACCOUNT gets order-0 slabs, so one object is one
 * reclaimable page (SReclaimable 4 kB, nr_slab_reclaimable 1); the general
 * caches the allocator made at its start are unreclaimable; a three-page
 * vmalloc is VmallocUsed 12 kB. MemAvailable adds the reclaimable page
 * less the smaller of its half (0) and the low watermarks: 6.1
 * si_mem_available.
 */
START_TEST(test_modern_slab_vmalloc_lines)
{
	struct tm t;
	struct mm_policy p;
	mm_policy_default(&p);
	p.era = MM_ERA_MODERN;
	tm_boot_preset(&t, "x86_64", 256 * MiB, 2, &p);
	kmem_cache_t *c = kmem_cache_create(t.mm, "recl", 256, 0, SLAB_RECLAIM_ACCOUNT, false);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_ne(kmem_cache_alloc(t.mm, c, GFP_KERNEL), 0);
	ck_assert_uint_ne(kmalloc(t.mm, 100, GFP_KERNEL), 0);
	ck_assert_uint_ne(vmalloc(t.mm, 3 * 4096), 0);

	/* Count the slab frames ourselves. */
	long slab = 0;
	for (uint64_t pfn = 0; pfn < (256 * MiB) >> 12; pfn++) {
		struct page *pg = pfn_to_page(t.mm, pfn);
		if (pg && (pg->flags & (1u << PG_slab)))
			slab++;
	}
	ck_assert_int_gt(slab, 1);
	char *buf = malloc(65536);
	mm_view(t.mm, "meminfo", buf, 65536);
	ck_assert_int_eq(view_number(buf, "SReclaimable:"), 4);
	ck_assert_int_eq(view_number(buf, "KReclaimable:"), 4);
	ck_assert_int_eq(view_number(buf, "SUnreclaim:"), 4 * (slab - 1));
	ck_assert_int_eq(view_number(buf, "Slab:"), 4 * slab);
	ck_assert_int_eq(view_number(buf, "VmallocUsed:"), 12);
	ck_assert_int_eq(view_number(buf, "MemFree:"), 4 * (long)nr_free_pages(t.mm));
	unsigned long reserve = 0;
	for (int j = 0; j < MAX_NR_ZONES; j++) {
		struct zone *z = tm_zone(&t, 0, j);
		unsigned long max = 0;
		for (int k = 0; k < MAX_NR_ZONES; k++)
			if (z->lowmem_reserve[k] > max)
				max = z->lowmem_reserve[k];
		max += z->pages_high;
		reserve += max < z->managed_pages ? max : z->managed_pages;
	}
	ck_assert_int_eq(view_number(buf, "MemAvailable:"), 4 * ((long)nr_free_pages(t.mm) - (long)reserve + 1));
	long meminfo_slab = view_number(buf, "Slab:");
	mm_view(t.mm, "vmstat", buf, 65536);
	ck_assert_int_eq(view_number(buf, "nr_slab_reclaimable"), 1);
	ck_assert_int_eq(view_number(buf, "nr_slab_unreclaimable"), slab - 1);
	ck_assert_int_eq(view_number(buf, "nr_free_pages"), (long)nr_free_pages(t.mm));
	mm_node_view(t.mm, "node_meminfo", 0, buf, 65536);
	ck_assert_int_eq(view_number(buf, "Node 0 Slab:"), meminfo_slab);
	ck_assert_int_eq(view_number(buf, "Node 0 SReclaimable:"), 4);
	/* A node the machine does not have. */
	ck_assert_uint_eq(mm_node_view(t.mm, "numastat", 1, buf, 65536), 0);
	ck_assert_int_eq(mm_errno(t.mm), MM_EINVAL);
	ck_assert_ptr_nonnull(strstr(mm_error(t.mm), "no node 1"));
	free(buf);
	tm_free(&t);
}
END_TEST

/*
 * The classic era's node meminfo on an i386 machine with HighMem (2.6.11
 * si_meminfo_node): an empty first line, then totals from present pages,
 * HighTotal the HighMem zone's present pages, HighFree its free pages, Low
 * the rest; numastat counts one GFP_HIGHUSER allocation from CPU 0 as a
 * local hit.
 */
START_TEST(test_classic_node_views_highmem)
{
	struct tm t;
	tm_boot_preset(&t, "pc-i386", 0, 1, NULL);
	ck_assert_ptr_nonnull(alloc_pages(t.mm, GFP_HIGHUSER, 0));
	char buf[4096];
	mm_view(t.mm, "node_meminfo", buf, sizeof buf);
	ck_assert(buf[0] == '\n');
	unsigned long present = 0, free = 0;
	for (int j = 0; j < MAX_NR_ZONES; j++) {
		present += tm_zone(&t, 0, j)->present_pages;
		free += tm_zone(&t, 0, j)->free_pages;
	}
	struct zone *hz = tm_zone(&t, 0, ZONE_HIGHMEM);
	ck_assert_uint_gt(hz->present_pages, 0);
	ck_assert_int_eq(view_number(buf + 1, "Node 0 MemTotal:"), 4 * (long)present);
	ck_assert_int_eq(view_number(buf + 1, "Node 0 MemFree:"), 4 * (long)free);
	ck_assert_int_eq(view_number(buf + 1, "Node 0 HighTotal:"), 4 * (long)hz->present_pages);
	ck_assert_int_eq(view_number(buf + 1, "Node 0 HighFree:"), 4 * (long)hz->free_pages);
	ck_assert_int_eq(view_number(buf + 1, "Node 0 LowTotal:"), 4 * (long)(present - hz->present_pages));
	/* One node: the file alone, no header. */
	mm_view(t.mm, "numastat", buf, sizeof buf);
	ck_assert_str_eq(buf, "numa_hit 1\nnuma_miss 0\nnuma_foreign 0\ninterleave_hit 0\nlocal_node 1\nother_node 0\n");
	tm_free(&t);
}
END_TEST

Suite *vmstat_suite(void)
{
	Suite *s = suite_create("vmstat");
	TCase *tc = tcase_create("views");
	tcase_add_test(tc, test_buddyinfo_meminfo);
	tcase_add_test(tc, test_zoneinfo_vmstat);
	tcase_add_test(tc, test_freelists_dump);
	tcase_add_test(tc, test_checker_catches_corruption);
	tcase_add_test(tc, test_stats_registry);
	tcase_add_test(tc, test_trace_events);
	tcase_add_test(tc, test_trace_lines);
	tcase_add_test(tc, test_trace_failure);
	tcase_add_test(tc, test_modern_slab_vmalloc_lines);
	tcase_add_test(tc, test_classic_node_views_highmem);
	suite_add_tcase(s, tc);
	return s;
}
