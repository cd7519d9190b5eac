/*
 * Tests of the slab allocator and kmalloc (mm/slab.c) against numbers
 * worked out by hand from Linux 2.6.11's rules (mm/slab.c:
 * kmem_cache_create's order loop, cache_estimate, enable_cpucache,
 * cache_alloc_refill, cache_flusharray, free_block). On x86_64 struct slab
 * is 40 bytes and a bufctl 4; on i386 struct slab is 24. The machines have
 * more than 32 MiB, so slab_break_gfp_order is 1; offslab_limit is
 * (256 - 40) / 4 = 54 (size-256 is the last on-slab general cache).
 *
 * cache_estimate(order, size, align): the largest i with
 *   i * size + ALIGN(40 + 4 * i, align) <= 4096 << order
 * and left_over the rest; colours = left_over / 64.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "mm/mm.h"
#include "mm/slab.h"
#include "mm_testutil.h"

static void info_of(struct tm *t, const char *name, struct kmem_cache_info *in)
{
	kmem_cache_t *c = kmem_find_cache(t->mm, name);
	ck_assert_msg(c != NULL, "no cache %s", name);
	kmem_cache_get_info(t->mm, c, in);
}

/* Start the allocator (it starts at its first use). */
static void slab_start(struct tm *t)
{
	uint64_t p = kmalloc(t->mm, 8, GFP_KERNEL);
	ck_assert_msg(p != 0, "%s", mm_error(t->mm));
	ck_assert_int_eq(kfree(t->mm, p), 0);
}

#define GEOM(t, name, objsize_, num_, order_, left_, colour_, offslab_)                \
	do {                                                                           \
		struct kmem_cache_info in_;                                            \
		info_of((t), (name), &in_);                                            \
		ck_assert_msg(in_.objsize == (objsize_) && in_.num == (num_) &&        \
			      in_.gfporder == (order_) && in_.left_over == (left_) &&  \
			      in_.colour == (colour_) && in_.off_slab == (offslab_),   \
			      "%s: objsize %u num %u order %u left %u colour %u off %d", \
			      (name), in_.objsize, in_.num, in_.gfporder, in_.left_over, \
			      in_.colour, in_.off_slab);                               \
	} while (0)

/*
 * The general caches on x86_64:
 *   size-32: align 32 (64 halved while 32 <= 64/2); i = 112: 3584 + 512 = 4096.
 *   size-64: i = 59: 3776 + ALIGN(276, 64) = 4096; left 0.
 *   size-128: i = 30: 3840 + 192 = 4032, left 64, 1 colour.
 *   size-192: i = 20: 3840 + 128 = 3968, left 128, 2 colours.
 *   size-256: i = 15: 3840 + 128, left 128, 2 colours.
 *   size-512: >= PAGE_SIZE/8: off-slab, 8 per page, nothing left.
 *   size-8192: none fits in order 0; order 1 holds 1; stop at break order 1.
 *   size-131072: order 5, 1 object.
 */
START_TEST(test_general_geometry_x86_64)
{
	struct tm t;
	tm_boot_preset(&t, "x86_64", 1 * GiB, 2, NULL);
	slab_start(&t);
	GEOM(&t, "size-32", 32, 112, 0, 0, 0, false);
	GEOM(&t, "size-64", 64, 59, 0, 0, 0, false);
	GEOM(&t, "size-128", 128, 30, 0, 64, 1, false);
	GEOM(&t, "size-192", 192, 20, 0, 128, 2, false);
	GEOM(&t, "size-256", 256, 15, 0, 128, 2, false);
	GEOM(&t, "size-512", 512, 8, 0, 0, 0, true);
	GEOM(&t, "size-1024", 1024, 4, 0, 0, 0, true);
	GEOM(&t, "size-4096", 4096, 1, 0, 0, 0, true);
	GEOM(&t, "size-8192", 8192, 1, 1, 0, 0, true);
	GEOM(&t, "size-131072", 131072, 1, 5, 0, 0, true);
	GEOM(&t, "size-256(DMA)", 256, 15, 0, 128, 2, false);
	ck_assert_ptr_null(kmem_find_cache(t.mm, "size-96"));   /* only below 64-byte lines */

	/* enable_cpucache: limit by size, batchcount (limit+1)/2, shared 8
	 * up to a page (2 CPUs: SMP), free_limit (1 + 2) * batch + num. */
	struct kmem_cache_info in;
	info_of(&t, "size-32", &in);
	ck_assert_uint_eq(in.limit, 120);
	ck_assert_uint_eq(in.batchcount, 60);
	ck_assert_uint_eq(in.shared, 8);
	ck_assert_uint_eq(in.free_limit, 3 * 60 + 112);
	info_of(&t, "size-512", &in);
	ck_assert_uint_eq(in.limit, 54);
	ck_assert_uint_eq(in.batchcount, 27);
	info_of(&t, "size-2048", &in);
	ck_assert_uint_eq(in.limit, 24);
	ck_assert_uint_eq(in.batchcount, 12);
	info_of(&t, "size-8192", &in);
	ck_assert_uint_eq(in.limit, 8);
	ck_assert_uint_eq(in.shared, 0);
	info_of(&t, "size-131072", &in);
	ck_assert_uint_eq(in.limit, 8);   /* 131072 is not above 131072 */
	info_of(&t, "size-64(DMA)", &in);
	ck_assert_uint_eq(in.gfpflags, GFP_DMA);
	tm_free(&t);
}
END_TEST

/*
 * Caches of our own (x86_64):
 *   100 bytes, word aligned: 104; i = 37: 3848 + ALIGN(188, 8) = 4040,
 *     left 56 (56 * 8 <= 4096: order 0), 0 colours (56 < 64).
 *   100, SLAB_HWCACHE_ALIGN: 128, as size-128: 30, left 64, 1 colour.
 *   1000: off-slab by size; order 0 holds 4, left 96 (96 * 8 <= 4096);
 *     slab_size ALIGN(4 * 4 + 40, 8) = 56 <= 96: moved on-slab, left 40.
 *   3000: off-slab; order 0 holds 1, left 1096 (too much: 8768 > 4096);
 *     order 1 holds 2, left 2192, stop (break order 1); on-slab again
 *     (48 <= 2192): left 2144, 33 colours.
 *   200, SLAB_RECLAIM_ACCOUNT: order 0 whatever is left (objects up to a page).
 */
START_TEST(test_user_geometry)
{
	struct tm t;
	tm_boot_preset(&t, "x86_64", 1 * GiB, 2, NULL);
	ck_assert_ptr_nonnull(kmem_cache_create(t.mm, "c100", 100, 0, 0, false));
	ck_assert_ptr_nonnull(kmem_cache_create(t.mm, "c100hw", 100, 0, SLAB_HWCACHE_ALIGN, false));
	ck_assert_ptr_nonnull(kmem_cache_create(t.mm, "c1000", 1000, 0, 0, false));
	ck_assert_ptr_nonnull(kmem_cache_create(t.mm, "c3000", 3000, 0, 0, false));
	ck_assert_ptr_nonnull(kmem_cache_create(t.mm, "c600r", 600, 0, SLAB_RECLAIM_ACCOUNT, false));
	GEOM(&t, "c100", 104, 37, 0, 56, 0, false);
	GEOM(&t, "c100hw", 128, 30, 0, 64, 1, false);
	GEOM(&t, "c1000", 1000, 4, 0, 40, 0, false);
	GEOM(&t, "c3000", 3000, 2, 1, 2144, 33, false);
	/* 600 off-slab in one page: 6 objects, 496 left; slab_size ALIGN(6 * 4 + 40, 8)
	 * = 64 fits: on-slab, 432 left, 6 colours */
	GEOM(&t, "c600r", 600, 6, 0, 432, 6, false);
	/* caller alignment wins over the cache line */
	ck_assert_ptr_nonnull(kmem_cache_create(t.mm, "a256", 64, 256, 0, false));
	struct kmem_cache_info in;
	info_of(&t, "a256", &in);
	ck_assert_uint_eq(in.objsize, 256);
	ck_assert_uint_eq(in.colour_off, 256);
	tm_free(&t);
}
END_TEST

/* i386: struct slab is 24 bytes. size-32: i = 113: 3616 + ALIGN(476, 32) =
 * 4096. size-64: i = 59: 3776 + ALIGN(260, 64) = 4096. size-128: 30, left
 * 64. offslab_limit (256 - 24) / 4 = 58. */
START_TEST(test_general_geometry_i386)
{
	struct tm t;
	tm_boot_preset(&t, "pc-i386", 0, 1, NULL);
	slab_start(&t);
	GEOM(&t, "size-32", 32, 113, 0, 0, 0, false);
	GEOM(&t, "size-64", 64, 59, 0, 0, 0, false);
	GEOM(&t, "size-128", 128, 30, 0, 64, 1, false);
	struct kmem_cache_info in;
	info_of(&t, "size-32", &in);
	ck_assert_uint_eq(in.shared, 0);   /* one CPU: no shared array */
	ck_assert_uint_eq(in.free_limit, 2 * 60 + 113);
	tm_free(&t);
}
END_TEST

/*
 * Colouring: 200-byte objects with SLAB_HWCACHE_ALIGN are 256 bytes, 15 per
 * slab, slab_size ALIGN(15 * 4 + 40, 64) = 128, left 128: 2 colours of 64.
 * Slab k starts its objects at colour (k mod 2) * 64 + 128, so object
 * offsets mod 256 are 128 (colour 0) or 192 (colour 1). 45 objects fill
 * three slabs: colours 0, 1, 0. With slab_colour=off all are at 128.
 */
static void colour_count(bool colour, int *at128, int *at192)
{
	struct tm t;
	struct mm_policy p;
	mm_policy_default(&p);
	p.slab_colour = colour;
	tm_boot_preset(&t, "x86_64", 1 * GiB, 1, &p);
	kmem_cache_t *c = kmem_cache_create(t.mm, "obj200", 200, 0, SLAB_HWCACHE_ALIGN, false);
	ck_assert_ptr_nonnull(c);
	*at128 = *at192 = 0;
	for (int i = 0; i < 45; i++) {
		uint64_t o = kmem_cache_alloc(t.mm, c, GFP_KERNEL);
		ck_assert(o != 0);
		if (o % 256 == 128)
			(*at128)++;
		else if (o % 256 == 192)
			(*at192)++;
	}
	struct kmem_cache_info in;
	kmem_cache_get_info(t.mm, c, &in);
	ck_assert_uint_eq(in.colour, 2);
	ck_assert_uint_eq(in.slabs_full, 3);
	ck_assert_uint_eq(in.colour_next, 1);   /* 0, 1, 0 used: wrapped */
	tm_free(&t);
}

START_TEST(test_colouring)
{
	int a, b;
	colour_count(true, &a, &b);
	ck_assert_int_eq(a, 30);
	ck_assert_int_eq(b, 15);
	colour_count(false, &a, &b);
	ck_assert_int_eq(a, 45);
	ck_assert_int_eq(b, 0);
}
END_TEST

/*
 * cache_alloc_refill: a 256-byte cache (limit 120, batchcount 60), one CPU.
 * The first allocation finds the array empty and untouched, so it asks for
 * BATCHREFILL_LIMIT (16); no slab exists: cache_grow makes one (15
 * objects) and the retry moves all 15 (the slab goes to the full list),
 * hands one out: 14 left. The 16th allocation refills again, now touched:
 * a batch of 60 would be taken, but the new slab has 15.
 */
START_TEST(test_refill)
{
	struct tm t;
	struct mm_policy p;
	mm_policy_default(&p);
	p.check = true;   /* the page allocator's and the slab's invariants after every call */
	tm_boot_preset(&t, "x86_64", 1 * GiB, 1, &p);
	kmem_cache_t *c = kmem_cache_create(t.mm, "c256", 256, 0, SLAB_HWCACHE_ALIGN, false);
	struct kmem_cache_info in;
	uint64_t o = kmem_cache_alloc(t.mm, c, GFP_KERNEL);
	ck_assert(o != 0);
	kmem_cache_get_info(t.mm, c, &in);
	ck_assert_int_eq(kmem_cache_cpu_avail(c, 0), 14);
	ck_assert_uint_eq(in.slabs_full, 1);
	ck_assert_uint_eq(in.slabs_partial + in.slabs_free, 0);
	ck_assert_uint_eq(in.free_objects, 0);
	ck_assert_uint_eq(in.grown, 1);
	ck_assert_uint_eq(in.refills, 2);   /* one before the grow, one after */
	ck_assert_uint_eq(in.active_objs, 15);
	for (int i = 0; i < 14; i++)
		ck_assert(kmem_cache_alloc(t.mm, c, GFP_KERNEL) != 0);
	ck_assert_int_eq(kmem_cache_cpu_avail(c, 0), 0);
	ck_assert(kmem_cache_alloc(t.mm, c, GFP_KERNEL) != 0);
	kmem_cache_get_info(t.mm, c, &in);
	ck_assert_int_eq(kmem_cache_cpu_avail(c, 0), 14);
	ck_assert_uint_eq(in.slabs_full, 2);
	ck_assert_uint_eq(in.grown, 2);
	tm_free(&t);
}
END_TEST

/*
 * cache_flusharray and free_block: the same cache, 200 objects allocated
 * (14 slabs grown, 15 each: 210 objects, 10 left in the array). Freeing:
 * the array reaches its limit (120) after 110 frees; the 111th flushes
 * the 60 oldest into their slabs (avail 61), the 171st again (61); 29 more
 * leave 90. free_objects is 120 after both flushes, under free_limit
 * (1 + 1) * 60 + 15 = 135, so every slab that emptied stayed on the free
 * list. kmem_cache_shrink then drains the array: free_block adds its 90
 * first (210 > 135), so each slab that empties is destroyed at once, and
 * the free list's slabs go too: no slabs left, every frame back.
 */
START_TEST(test_flush_and_shrink)
{
	struct tm t;
	struct mm_policy p;
	mm_policy_default(&p);
	p.check = true;   /* the page allocator's and the slab's invariants after every call */
	tm_boot_preset(&t, "x86_64", 1 * GiB, 1, &p);
	kmem_cache_t *c = kmem_cache_create(t.mm, "c256", 256, 0, SLAB_HWCACHE_ALIGN, false);
	drain_local_pages(t.mm);   /* count frames without the per-CPU lists */
	unsigned long free0 = nr_free_pages(t.mm);
	static uint64_t objs[200];
	for (int i = 0; i < 200; i++)
		ck_assert((objs[i] = kmem_cache_alloc(t.mm, c, GFP_KERNEL)) != 0);
	struct kmem_cache_info in;
	kmem_cache_get_info(t.mm, c, &in);
	ck_assert_uint_eq(in.grown, 14);
	ck_assert_int_eq(kmem_cache_cpu_avail(c, 0), 10);
	drain_local_pages(t.mm);
	ck_assert_uint_eq(nr_free_pages(t.mm), free0 - 14);
	for (int i = 0; i < 200; i++)
		ck_assert_int_eq(kmem_cache_free(t.mm, c, objs[i]), 0);
	kmem_cache_get_info(t.mm, c, &in);
	ck_assert_uint_eq(in.flushes, 2);
	ck_assert_int_eq(kmem_cache_cpu_avail(c, 0), 90);
	ck_assert_uint_eq(in.free_objects, 120);
	ck_assert_uint_eq(in.num_objs, 210);
	ck_assert_uint_eq(in.active_objs, 90);
	ck_assert_uint_eq(in.destroyed_slabs, 0);
	ck_assert_uint_eq(in.slabs_full + in.slabs_partial + in.slabs_free, 14);
	ck_assert_int_eq(kmem_cache_shrink(t.mm, c), 0);
	kmem_cache_get_info(t.mm, c, &in);
	ck_assert_uint_eq(in.num_objs, 0);
	ck_assert_uint_eq(in.destroyed_slabs, 14);
	ck_assert_int_eq(kmem_cache_cpu_avail(c, 0), 0);
	drain_local_pages(t.mm);
	ck_assert_uint_eq(nr_free_pages(t.mm), free0);
	ck_assert_int_eq(kmem_cache_destroy(t.mm, c), 0);
	char err[256];
	ck_assert_msg(kmem_cache_check(t.mm, err, sizeof err) == 0, "%s", err);
	tm_free(&t);
}
END_TEST

/*
 * Slabs between the lists (256-byte objects, 15 per slab, one CPU,
 * free_limit 135). A refill hands the array a slab's objects in index
 * order and allocations pop the top, so objs[0..14] are slab A's,
 * objs[15..29] slab B's, and so on.
 *   30 allocations: A and B full.
 *   Free objs[0..4] and shrink (which drains the array into the slabs):
 *     A has 10 in use: partial; B full; free_objects 5; slabs remain.
 *   Free the other 25 and shrink: both empty (30 free <= 135: onto the
 *     free list), then shrink destroys them.
 *   150 allocations (10 slabs), 150 frees: the 121st flushes the 60 oldest
 *     entries, objs[0..59] = slabs A..D, each emptied onto the free list
 *     (free_objects reaches 60 <= 135); the array keeps 90.
 */
START_TEST(test_lists)
{
	struct tm t;
	struct mm_policy pol;
	mm_policy_default(&pol);
	pol.check = true;
	tm_boot_preset(&t, "x86_64", 1 * GiB, 1, &pol);
	kmem_cache_t *c = kmem_cache_create(t.mm, "c256", 256, 0, SLAB_HWCACHE_ALIGN, false);
	static uint64_t objs[150];
	struct kmem_cache_info in;
	for (int i = 0; i < 30; i++)
		objs[i] = kmem_cache_alloc(t.mm, c, GFP_KERNEL);
	kmem_cache_get_info(t.mm, c, &in);
	ck_assert_uint_eq(in.slabs_full, 2);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(kmem_cache_free(t.mm, c, objs[i]), 0);
	ck_assert_int_eq(kmem_cache_shrink(t.mm, c), 1);
	kmem_cache_get_info(t.mm, c, &in);
	ck_assert_uint_eq(in.slabs_full, 1);
	ck_assert_uint_eq(in.slabs_partial, 1);
	ck_assert_uint_eq(in.slabs_free, 0);
	ck_assert_uint_eq(in.free_objects, 5);
	ck_assert_uint_eq(in.active_objs, 25);
	for (int i = 5; i < 30; i++)
		ck_assert_int_eq(kmem_cache_free(t.mm, c, objs[i]), 0);
	ck_assert_int_eq(kmem_cache_shrink(t.mm, c), 0);
	kmem_cache_get_info(t.mm, c, &in);
	ck_assert_uint_eq(in.num_objs, 0);
	ck_assert_uint_eq(in.destroyed_slabs, 2);

	for (int i = 0; i < 150; i++)
		objs[i] = kmem_cache_alloc(t.mm, c, GFP_KERNEL);
	for (int i = 0; i < 150; i++)
		ck_assert_int_eq(kmem_cache_free(t.mm, c, objs[i]), 0);
	kmem_cache_get_info(t.mm, c, &in);
	ck_assert_uint_eq(in.slabs_free, 4);
	ck_assert_uint_eq(in.slabs_full, 6);
	ck_assert_uint_eq(in.slabs_partial, 0);
	ck_assert_uint_eq(in.free_objects, 60);
	ck_assert_int_eq(kmem_cache_cpu_avail(c, 0), 90);
	tm_free(&t);
}
END_TEST

/*
 * Empty slabs go back while freeing once free objects exceed free_limit:
 * 2048-byte objects (off-slab, 2 per page; limit 24, batchcount 12; one
 * CPU: free_limit 2 * 12 + 2 = 26). After 100 allocations and 100 frees,
 * at most free_limit + a slab's worth of free objects stay in slabs.
 */
START_TEST(test_free_limit)
{
	struct tm t;
	struct mm_policy p;
	mm_policy_default(&p);
	p.check = true;   /* the page allocator's and the slab's invariants after every call */
	tm_boot_preset(&t, "x86_64", 1 * GiB, 1, &p);
	kmem_cache_t *c = kmem_cache_create(t.mm, "c2k", 2048, 0, 0, false);
	static uint64_t objs[100];
	for (int i = 0; i < 100; i++)
		ck_assert((objs[i] = kmem_cache_alloc(t.mm, c, GFP_KERNEL)) != 0);
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(kmem_cache_free(t.mm, c, objs[i]), 0);
	struct kmem_cache_info in;
	kmem_cache_get_info(t.mm, c, &in);
	ck_assert_uint_eq(in.free_limit, 26);
	ck_assert(in.destroyed_slabs > 0);
	ck_assert_msg(in.free_objects <= 26 + 2, "free_objects %lu", in.free_objects);
	ck_assert_uint_eq(in.free_objects + (unsigned)kmem_cache_cpu_avail(c, 0), in.num_objs);
	tm_free(&t);
}
END_TEST

START_TEST(test_misuse)
{
	struct tm t;
	struct mm_policy p;
	mm_policy_default(&p);
	p.check = true;   /* the page allocator's and the slab's invariants after every call */
	tm_boot_preset(&t, "x86_64", 1 * GiB, 1, &p);
	kmem_cache_t *a = kmem_cache_create(t.mm, "a", 64, 0, 0, false);
	kmem_cache_t *b = kmem_cache_create(t.mm, "b", 64, 0, 0, false);
	ck_assert_ptr_null(kmem_cache_create(t.mm, "a", 64, 0, 0, false));
	ck_assert_int_eq(mm_errno(t.mm), MM_EINVAL);
	ck_assert_ptr_null(kmem_cache_create(t.mm, "huge", 131073, 0, 0, false));
	ck_assert_ptr_null(kmem_cache_create(t.mm, "tiny", 2, 0, 0, false));
	uint64_t o = kmem_cache_alloc(t.mm, a, GFP_KERNEL);
	ck_assert(o != 0);
	ck_assert_int_eq(kmem_cache_free(t.mm, b, o), -MM_EINVAL);
	ck_assert_msg(strstr(mm_error(t.mm), "belongs to cache a, not b"), "%s", mm_error(t.mm));
	ck_assert_int_eq(kmem_cache_free(t.mm, a, o + 8), -MM_EINVAL);
	ck_assert_msg(strstr(mm_error(t.mm), "not the start of an object"), "%s", mm_error(t.mm));
	ck_assert_int_eq(kmem_cache_destroy(t.mm, a), -MM_EINVAL);
	ck_assert_msg(strstr(mm_error(t.mm), "Can't free all objects of a (1 live)"), "%s",
		      mm_error(t.mm));
	ck_assert_int_eq(kmem_cache_free(t.mm, a, o), 0);
	ck_assert_int_eq(kmem_cache_free(t.mm, a, o), -MM_EINVAL);
	ck_assert_msg(strstr(mm_error(t.mm), "double free"), "%s", mm_error(t.mm));
	ck_assert_int_eq(kfree(t.mm, o), -MM_EINVAL);
	ck_assert_int_eq(kfree(t.mm, t.mm ? 0x1000 : 0), -MM_EINVAL);
	ck_assert_int_eq(kmem_cache_alloc(t.mm, a, GFP_HIGHUSER), 0);
	ck_assert_int_eq(mm_errno(t.mm), MM_EINVAL);
	ck_assert_int_eq(kmem_cache_destroy(t.mm, a), 0);
	ck_assert_ptr_null(kmem_find_cache(t.mm, "a"));
	ck_assert_int_eq(kmem_cache_destroy(t.mm, kmem_find_cache(t.mm, "size-32")), -MM_EINVAL);
	tm_free(&t);
}
END_TEST

START_TEST(test_kmalloc)
{
	struct tm t;
	struct mm_policy pol;
	mm_policy_default(&pol);
	pol.check = true;   /* the page allocator's and the slab's invariants after every call */
	tm_boot_preset(&t, "x86_64", 1 * GiB, 2, &pol);
	uint64_t p = kmalloc(t.mm, 100, GFP_KERNEL);
	ck_assert(p != 0);
	ck_assert_uint_eq(ksize(t.mm, p), 128);
	uint64_t z = kmalloc(t.mm, 0, GFP_KERNEL);   /* 2.6.11: size-32 */
	ck_assert_uint_eq(ksize(t.mm, z), 32);
	uint64_t big = kmalloc(t.mm, 131072, GFP_KERNEL);
	ck_assert(big != 0);
	ck_assert_uint_eq(ksize(t.mm, big), 131072);
	ck_assert_int_eq(kmalloc(t.mm, 131073, GFP_KERNEL), 0);
	ck_assert_int_eq(mm_errno(t.mm), MM_ENOMEM);
	uint64_t d = kmalloc(t.mm, 500, GFP_KERNEL | GFP_DMA);
	ck_assert(d != 0);
	ck_assert_uint_eq(ksize(t.mm, d), 512);
	ck_assert(d - 0xffff810000000000ULL < 16 * MiB);   /* ZONE_DMA */
	ck_assert_int_eq(kfree(t.mm, 0), 0);
	ck_assert_int_eq(kfree(t.mm, p), 0);
	ck_assert_uint_eq(ksize(t.mm, p), 0);
	ck_assert_int_eq(kfree(t.mm, p), -MM_EINVAL);
	ck_assert_int_eq(kfree(t.mm, z), 0);
	ck_assert_int_eq(kfree(t.mm, big), 0);
	ck_assert_int_eq(kfree(t.mm, d), 0);
	tm_free(&t);
}
END_TEST

START_TEST(test_slabinfo)
{
	struct tm t;
	tm_boot_preset(&t, "x86_64", 1 * GiB, 2, NULL);
	kmem_cache_t *c = kmem_cache_create(t.mm, "dentry_cache", 200, 0, SLAB_HWCACHE_ALIGN, false);
	uint64_t o = kmem_cache_alloc(t.mm, c, GFP_KERNEL);
	ck_assert(o != 0);
	char buf[16384];
	size_t n = mm_view(t.mm, "slabinfo", buf, sizeof buf);
	ck_assert_uint_lt(n, sizeof buf);
	const char *head = "slabinfo - version: 2.1\n# name            <active_objs> "
			   "<num_objs> <objsize> <objperslab> <pagesperslab> : tunables "
			   "<batchcount> <limit> <sharedfactor> : slabdata <active_slabs> "
			   "<num_slabs> <sharedavail>\n";
	ck_assert_msg(!strncmp(buf, head, strlen(head)), "%s", buf);
	/* newest first: our cache is the first line after the header; 2.6.11
	 * prints limit before batchcount whatever the header says */
	const char *want = "dentry_cache          15     15    256   15    1 : tunables  120   60"
			   "    8 : slabdata      1      1      0\n";
	const char *line = buf + strlen(head);
	ck_assert_msg(!strncmp(line, want, strlen(want)), "%s", line);
	ck_assert(strstr(buf, "\nsize-32(DMA) "));
	ck_assert(strstr(buf, "\nkmem_cache "));
	tm_free(&t);
}
END_TEST

/* Every metadata access is charged: a first allocation misses on the
 * cache descriptor, the array, the slab and the frames; a second pop from
 * the array costs a few hits. */
START_TEST(test_costs)
{
	struct tm t;
	struct fake_port f;
	tm_boot_preset_port(&t, &f, "x86_64", 1 * GiB, 1, NULL);
	kmem_cache_t *c = kmem_cache_create(t.mm, "c64", 64, 0, SLAB_HWCACHE_ALIGN, false);
	cycle_t t0 = sim_now(&t.s);
	ck_assert(kmem_cache_alloc(t.mm, c, GFP_KERNEL) != 0);
	cycle_t first = sim_now(&t.s) - t0;
	t0 = sim_now(&t.s);
	uint64_t acc = f.accesses;
	ck_assert(kmem_cache_alloc(t.mm, c, GFP_KERNEL) != 0);
	cycle_t second = sim_now(&t.s) - t0;
	ck_assert_msg(first > 1000, "first %llu", (unsigned long long)first);
	/* ac_data, the array head, the entry, its write-back, the object */
	ck_assert_uint_eq(f.accesses - acc, 5);
	ck_assert_msg(second < 300, "second %llu", (unsigned long long)second);
	tm_free(&t);
}
END_TEST

Suite *slab_suite(void)
{
	Suite *s = suite_create("slab");
	TCase *tc = tcase_create("slab");
	tcase_add_test(tc, test_general_geometry_x86_64);
	tcase_add_test(tc, test_user_geometry);
	tcase_add_test(tc, test_general_geometry_i386);
	tcase_add_test(tc, test_colouring);
	tcase_add_test(tc, test_refill);
	tcase_add_test(tc, test_flush_and_shrink);
	tcase_add_test(tc, test_lists);
	tcase_add_test(tc, test_free_limit);
	tcase_add_test(tc, test_misuse);
	tcase_add_test(tc, test_kmalloc);
	tcase_add_test(tc, test_slabinfo);
	tcase_add_test(tc, test_costs);
	suite_add_tcase(s, tc);
	return s;
}
