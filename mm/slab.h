/*
 * The slab allocator and kmalloc (Linux 2.6.11 mm/slab.c): the public API.
 * mm/2.6.11/slab.c opens with the essay on its structures; docs/slab.md is the
 * reference with the formulas and figures.
 *
 * Objects are named by their kernel virtual address in the direct map
 * (uint64_t, 0 for "none"), as the kernel's void * would be: the same
 * address reaches the hardware model through hw_vaccess, and its physical
 * address is address - PAGE_OFFSET.
 *
 * The allocator starts itself (kmem_cache_init: the cache of cache
 * descriptors and the general caches size-32 ... size-131072 with their
 * DMA twins) on the first call that needs it, not at boot, so a scenario
 * that never uses it keeps the page allocator's state of boot exactly.
 * That start-up is not charged (the kernel does it during boot).
 *
 * Errors follow mm.h: a simulated failure (no memory, too large a kmalloc)
 * returns 0 with mm_errno() == MM_ENOMEM; a misuse the kernel would BUG()
 * on or corrupt memory with (a double free, a free into the wrong cache, a
 * pointer that is no object, destroying a cache that has live objects)
 * returns 0 or -MM_EINVAL with a message in mm_error() and changes nothing.
 */
#ifndef MMSIM_MM_SLAB_H
#define MMSIM_MM_SLAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/gfp.h"

struct mm;
typedef struct kmem_cache kmem_cache_t;

/* kmem_cache_create flags: 2.6.11's values (include/linux/slab.h). */
#define SLAB_HWCACHE_ALIGN   0x00002000UL /* align objects on a cache line (halved
					    * while the object fits twice) */
#define SLAB_CACHE_DMA       0x00004000UL /* slabs from ZONE_DMA (GFP_DMA) */
#define SLAB_RECLAIM_ACCOUNT 0x00020000UL /* reclaimable (dcache...): order 0 if
					    * the object fits in a page */
/* mm/2.6.11/slab.c internal: the slab descriptor and bufctls live off the slab, in
 * an object of a general cache. */
#define CFLGS_OFF_SLAB       0x80000000UL

/* 2.6.11's limits: objects up to 2^MAX_OBJ_ORDER pages, slabs up to
 * 2^MAX_GFP_ORDER pages, and the general caches' largest class. */
#define MAX_OBJ_ORDER        5
#define MAX_GFP_ORDER        5
#define KMALLOC_MAX_SIZE     131072
/* 2.6.11 BATCHREFILL_LIMIT: an idle array cache refills at most this many. */
#define BATCHREFILL_LIMIT    16

/*
 * Create a cache of objects of `size` bytes (kmem_cache_create, 2.6.11).
 * align 0 means the word; flags are SLAB_* above; ctor says whether the
 * cache has a constructor (it is run, and charged as a write of each
 * object's first line, when a slab is made). Returns the cache, or NULL with
 * MM_EINVAL (no name, size below a word or above 128 KiB, a name already
 * used) or MM_ENOMEM (no memory for its descriptor or arrays).
 */
kmem_cache_t *kmem_cache_create(struct mm *mm, const char *name, size_t size, size_t align,
				unsigned long flags, bool ctor);
/* The cache called name (general caches included), or NULL. */
kmem_cache_t *kmem_find_cache(struct mm *mm, const char *name);
const char *kmem_cache_name(const kmem_cache_t *cachep);

/* An object, or 0 (MM_ENOMEM: the slab could not grow). */
uint64_t kmem_cache_alloc(struct mm *mm, kmem_cache_t *cachep, gfp_t flags);
/* 0, or -MM_EINVAL for an address that is not a live object of cachep. */
int kmem_cache_free(struct mm *mm, kmem_cache_t *cachep, uint64_t objp);

/* Drain every CPU's array and the shared array, free every empty slab.
 * Returns 1 if slabs remain (some objects are live), 0 otherwise, as the
 * kernel's; -MM_ENOCPU with no current CPU. */
int kmem_cache_shrink(struct mm *mm, kmem_cache_t *cachep);
/* Shrink, then free the cache. -MM_EINVAL ("can't free all objects", the
 * cache stays usable) if objects are live, or for a general cache. */
int kmem_cache_destroy(struct mm *mm, kmem_cache_t *cachep);

/* kmalloc (2.6.11 __kmalloc): the smallest general cache that fits, its
 * DMA twin with __GFP_DMA. size above 131072 (or 0) fails with 0 and
 * MM_ENOMEM as the kernel's returns NULL. */
uint64_t kmalloc(struct mm *mm, size_t size, gfp_t flags);
/* kfree(0) does nothing; another address that is no live object is
 * -MM_EINVAL. */
int kfree(struct mm *mm, uint64_t objp);
/* The object size of the cache objp belongs to (2.6.11 ksize), 0 if objp
 * is not a live object. */
size_t ksize(struct mm *mm, uint64_t objp);

/* What the allocator knows of one cache: geometry, tunables and counts. */
struct kmem_cache_info {
	const char *name;
	unsigned objsize;        /* after alignment */
	unsigned align;
	unsigned num;            /* objects per slab */
	unsigned gfporder;       /* pages per slab = 1 << gfporder */
	unsigned left_over;      /* bytes of each slab neither objects nor management */
	unsigned colour;         /* number of colours: left_over / colour_off */
	unsigned colour_off;     /* bytes per colour step */
	unsigned colour_next;    /* the colour the next slab gets */
	unsigned slab_size;      /* struct slab + bufctls (aligned if on-slab) */
	bool off_slab;
	gfp_t gfpflags;          /* added to every page allocation (GFP_DMA) */
	unsigned limit, batchcount, shared; /* tunables (shared: the factor) */
	unsigned free_limit;     /* free objects above which empty slabs go back */
	unsigned long slabs_full, slabs_partial, slabs_free;
	unsigned long free_objects;   /* free objects in slabs (not in arrays) */
	unsigned long active_objs, num_objs; /* as /proc/slabinfo counts them */
	unsigned shared_avail;
	/* mmsim's counters */
	unsigned long allocs, frees, grown, destroyed_slabs, refills, flushes;
};
void kmem_cache_get_info(struct mm *mm, const kmem_cache_t *cachep, struct kmem_cache_info *info);
/* The number of objects in cpu's array cache (avail), or -1. */
int kmem_cache_cpu_avail(const kmem_cache_t *cachep, int cpu);

/* Whether a frame the slab allocator owns (PG_slab) belongs to a cache made
 * with SLAB_RECLAIM_ACCOUNT: the views' SReclaimable against SUnreclaim. */
bool kmem_page_reclaimable(struct mm *mm, const struct page *page);

/* /proc/slabinfo, version 2.1 (2.6.11 s_show), newest cache first.
 * snprintf-style like mm_view. */
size_t mm_slabinfo(struct mm *mm, char *buf, size_t len);

/* The size of the live object that starts at objp, 0 if none: lets a layer
 * check that an access stays inside an object the caller owns. */
size_t kmem_object_size(struct mm *mm, uint64_t objp);

/* Walk every cache and check the invariants of mm/2.6.11/slab.c's essay (lists
 * against inuse, bufctl chains, free_objects, array entries against the
 * objects' states). 0, or -1 with the first violation in err. Run after
 * every outermost slab call when the policy says check=on (a violation
 * then panics: a bug in mmsim). */
int kmem_cache_check(struct mm *mm, char *err, size_t errlen);

/* mm_destroy's part: free the allocator's host memory. */
void kmem_cache_teardown(struct mm *mm);

#endif
