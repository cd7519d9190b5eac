/*
 * The slab allocator and kmalloc (Linux 2.6.11 mm/slab.c, "Understanding
 * the Linux Kernel" 3rd ed. chapter 8.2). Our own code; the kernel's names.
 *
 * A cache (kmem_cache_t) hands out objects of one size. It takes memory
 * from the page allocator a slab at a time: 2^gfporder contiguous frames
 * holding `num` objects, a struct slab (the slab descriptor) and one
 * kmem_bufctl_t per object, either at the start of the slab ("on-slab") or
 * in an object of a general cache ("off-slab", chosen for objects of at
 * least PAGE_SIZE/8). The bufctls chain the slab's free objects by index:
 * slab->free is the first, bufctl[i] the one after i, BUFCTL_END ends it.
 *
 *   slab, on-slab:  [colour * colour_off][struct slab][bufctl x num][pad]
 *                   [obj 0][obj 1] ... [obj num-1][left-over - colour]
 *
 * Colouring: the bytes a slab leaves over (left_over) allow `colour` =
 * left_over / colour_off different starting offsets (colour_off is the
 * cache line, or the alignment if larger). Each new slab takes the next
 * colour, wrapping at `colour`, so that objects at the same index of
 * different slabs fall into different cache sets. Policy slab_colour=off
 * puts every slab at colour 0: the lab in scenarios/labs/slab shows the
 * conflicts that follow.
 *
 * Each cache keeps three lists of slabs, full, partial and free (2.6.11
 * has one kmem_list3 per cache; the per-node lists came in 2.6.14),
 * free_objects (free objects in slabs of those lists), and in front of them
 * a per-CPU array cache: a stack of `avail` free object pointers, at most
 * `limit`. kmem_cache_alloc pops from it; when it is empty,
 * cache_alloc_refill moves up to `batchcount` objects into it, from the
 * shared array cache if that has any, else from partial then free slabs,
 * growing the cache by one slab (cache_grow) if none has a free object.
 * kmem_cache_free pushes onto it; when it is full, cache_flusharray moves
 * its `batchcount` oldest objects to the shared array (as many as fit) or
 * back into their slabs (free_block). A slab that becomes empty goes back
 * to the page allocator at once if the cache's free_objects exceeds
 * free_limit = (1 + nr_cpus) * batchcount + num, else onto the free list.
 * Sizes (enable_cpucache): limit 1, 8, 24, 54, 120 for objects above 128
 * KiB, above a page, above 1 KiB, above 256 bytes, smaller; batchcount
 * (limit + 1) / 2; the shared array holds 8 * batchcount for objects up to a
 * page, none above.
 *
 * Invariants: every object is in exactly one state, free in its slab (on
 * the bufctl chain), in an array cache (free for users, counted in use by
 * the slab), or live (handed out); slab->inuse = objects not on its chain;
 * a slab is on the list its inuse says (0 free, num full, else partial);
 * free_objects = sum over slabs of num - inuse. The host keeps each
 * object's state, which is how a double free or a free into the wrong
 * cache is caught before it corrupts anything (the kernel only checks with
 * CONFIG_DEBUG_SLAB).
 *
 * Simulated memory. Every structure the kernel keeps in memory has a
 * simulated address and every access to it is charged with mm_touch:
 * the cache descriptor (an object of the "kmem_cache" cache), the array
 * caches (kmalloc'd, as enable_cpucache does), slab descriptors and
 * bufctls (in the slab, or an object of a general cache), the struct page
 * fields that link a frame to its cache and slab (page->lru, as 2.6.11's
 * SET_PAGE_CACHE/SET_PAGE_SLAB), and the object's first line (a read on
 * alloc, the caller's first use; a write on free). The cache's spinlock is
 * a timed lock. Sizes are the 2.6.11 structures' on the machine's
 * architecture (pointer 8 bytes on x86_64, 4 on i386): struct slab 40 or
 * 24 bytes, kmem_bufctl_t 4, struct array_cache 16 + a pointer per entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/2.6.11/internal.h"
#include "mm/slab.h"

#define BYTES_PER_WORD(st)   ((st)->word)
#define BUFCTL_END           UINT32_MAX
#define CACHE_LINE           64u    /* cache_line_size(): L1_CACHE_BYTES */
#define BOOT_CPUCACHE_ENTRIES 1
#define BREAK_GFP_ORDER_HI   1
#define BREAK_GFP_ORDER_LO   0
#define AC_HEAD              16u    /* avail, limit, batchcount, touched */
#define NAME_LEN             32
#define SIM_PAGE_BYTES       4096u  /* PAGE_SIZE */

/* What state an object is in (host bookkeeping, see the invariants). */
enum { OBJ_FREE = 0, OBJ_CACHED = 1, OBJ_LIVE = 2 };

struct slab {
	struct slab *next, *prev;     /* on one of the cache's three lists */
	kmem_cache_t *cache;
	uint64_t desc;                /* vaddr of the struct slab (list at 0); for a
				       * list head, the head's vaddr */
	uint64_t s_mem;               /* vaddr of object 0 */
	unsigned colouroff;
	unsigned inuse;
	uint32_t free;
	uint32_t id;                  /* index in slab_state.slabs (page->lru_prev) */
	struct page *page;
	uint32_t *bufctl;
	uint8_t *state;
};

struct array_cache {
	unsigned avail, limit, batchcount, touched;
	uint64_t vaddr;               /* its simulated address */
	bool boot;                    /* in the boot area, not kmalloc'd */
	uint64_t *entry;
};

struct kmem_list3 {
	struct slab slabs_partial, slabs_full, slabs_free;  /* list heads */
	unsigned long free_objects;
	int free_touched;
	struct array_cache *shared;
};

struct kmem_cache {
	char name[NAME_LEN];
	uint32_t id;                  /* index in slab_state.caches (page->lru_next) */
	uint64_t vaddr;               /* the descriptor's simulated address */
	bool boot_desc;               /* cache_cache: the descriptor is in the boot area */
	struct array_cache **array;   /* [ncpus] */
	unsigned batchcount, limit, shared;
	struct kmem_list3 lists;
	unsigned objsize, align, flags, num, free_limit;
	struct sim_lock spinlock;
	unsigned gfporder;
	gfp_t gfpflags;
	size_t left_over;
	unsigned colour, colour_off, colour_next;
	kmem_cache_t *slabp_cache;
	unsigned slab_size;
	bool ctor;
	bool general;
	kmem_cache_t *next, *prev;    /* cache_chain, newest first */
	unsigned long allocs, frees, grown, reaped, refills, flushes;
};

struct cache_sizes {
	size_t cs_size;
	kmem_cache_t *cs_cachep, *cs_dmacachep;
};

struct slab_state {
	unsigned word;                /* BYTES_PER_WORD */
	unsigned slab_struct;         /* sizeof(struct slab) */
	uint64_t page_offset;
	unsigned offslab_limit;
	unsigned slab_break_gfp_order;
	bool booting;                 /* g_cpucache_up < FULL: boot arrays */
	kmem_cache_t *cache_cache;
	kmem_cache_t chain;           /* sentinel of cache_chain */
	struct cache_sizes sizes[16];
	int nr_sizes;
	uint64_t boot_area, boot_next, boot_end;
	kmem_cache_t **caches;        /* by id; NULL when destroyed */
	uint32_t nr_caches, cap_caches;
	struct slab **slabs;          /* by id; NULL when free */
	uint32_t nr_slabs, cap_slabs, *free_ids, nr_free_ids;
	int ev_cache_alloc, ev_cache_free, ev_kmalloc, ev_kfree;
	int depth;                    /* public calls in progress (nested: kmalloc
				       * from inside the allocator) */
};

/* The general caches' sizes with a 64-byte L1_CACHE_BYTES and 4 KiB pages
 * (2.6.11 kmalloc_sizes.h: 96 only below 64-byte lines, 192 below 128). */
static const size_t general_sizes[] = {
	32, 64, 128, 192, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072,
};

/* ---- Simulated layout ------------------------------------------------- */

/*
 * The simulated kmem_cache_t (2.6.11 order of fields): array[NR_CPUS] at 0,
 * then batchcount and limit, then the kmem_list3 (slabs_partial,
 * slabs_full, slabs_free, free_objects, next_reap, free_touched, shared),
 * then objsize, flags, num, free_limit, the spinlock, then the colouring
 * and creation fields; the whole rounded to a cache line.
 */
static uint64_t off_batch(const struct mm *mm, const struct slab_state *st)
{
	return (uint64_t)st->word * (unsigned)mm->ncpus;
}
static uint64_t off_lists(const struct mm *mm, const struct slab_state *st)
{
	return off_batch(mm, st) + 8;
}
#define L3_PARTIAL(w) 0
#define L3_FULL(w)    (2 * (w))
#define L3_FREE(w)    (4 * (w))
#define L3_FREEOBJ(w) (6 * (w))
#define L3_TOUCHED(w) (8 * (w))
#define L3_SHARED(w)  (9 * (w))
#define L3_SIZE(w)    (10 * (w))
static uint64_t off_objsize(const struct mm *mm, const struct slab_state *st)
{
	return off_lists(mm, st) + L3_SIZE(st->word);
}
static uint64_t off_lock(const struct mm *mm, const struct slab_state *st)
{
	return off_objsize(mm, st) + 16;
}
static uint64_t off_colour(const struct mm *mm, const struct slab_state *st)
{
	return off_lock(mm, st) + 4;
}
static unsigned cache_desc_size(const struct mm *mm, const struct slab_state *st)
{
	uint64_t end = off_colour(mm, st) + 24 + 6 * st->word;
	return (unsigned)((end + CACHE_LINE - 1) & ~(uint64_t)(CACHE_LINE - 1));
}

/* struct slab: list (2 words), colouroff, s_mem, inuse, free; bufctls follow. */
#define SLAB_OFF_INUSE(w) (4 * (w))
#define SLAB_OFF_FREE(w)  (4 * (w) + 4)

static inline void touch_v(struct mm *mm, uint64_t vaddr, unsigned size, int write)
{
	if (mm->access)
		mm_touch(mm, vaddr - mm->page_offset, size, write);
}

static inline struct slab_state *S(struct mm *mm)
{
	return mm->slab;
}

/* ---- Host lists ------------------------------------------------------- */

static void list_head_init(struct slab *h, uint64_t vaddr)
{
	h->next = h->prev = h;
	h->desc = vaddr;
}

static bool list_is_empty(const struct slab *h)
{
	return h->next == h;
}

/* list_del: the entry's links are read, its neighbours' written. */
static void slab_list_del(struct mm *mm, struct slab *s)
{
	unsigned w = S(mm)->word;
	touch_v(mm, s->desc, 2 * w, 0);
	touch_v(mm, s->prev->desc, w, 1);
	touch_v(mm, s->next->desc + w, w, 1);
	s->prev->next = s->next;
	s->next->prev = s->prev;
	s->next = s->prev = s;
}

static void slab_list_insert(struct mm *mm, struct slab *s, struct slab *prev, struct slab *next)
{
	unsigned w = S(mm)->word;
	touch_v(mm, prev->desc, w, 1);
	touch_v(mm, next->desc + w, w, 1);
	touch_v(mm, s->desc, 2 * w, 1);
	s->next = next;
	s->prev = prev;
	prev->next = s;
	next->prev = s;
}

static void slab_list_add(struct mm *mm, struct slab *s, struct slab *head)
{
	slab_list_insert(mm, s, head, head->next);
}

static void slab_list_add_tail(struct mm *mm, struct slab *s, struct slab *head)
{
	slab_list_insert(mm, s, head->prev, head);
}

/* ---- Locks and entry ------------------------------------------------- */

static void cache_lock(struct mm *mm, kmem_cache_t *c)
{
	if (mm->access)
		sim_lock_acquire(mm->sim, &c->spinlock);
	else
		c->spinlock.acquisitions++;
}

static void cache_unlock(struct mm *mm, kmem_cache_t *c)
{
	if (mm->access)
		sim_lock_release(mm->sim, &c->spinlock);
}

static int kmem_cache_init(struct mm *mm);

/* The current CPU, and the allocator started. 0 or -MM_E*. */
static int enter(struct mm *mm)
{
	int rc = mm_enter(mm);
	if (rc)
		return rc;
	if (!mm->slab && (rc = kmem_cache_init(mm)) != 0)
		return rc;
	mm->slab->depth++;   /* every success is paired with leave() */
	return 0;
}

static const char *task_name(struct mm *mm)
{
	struct sim_task *t = sim_cur_task(mm->sim);
	return t ? t->name : NULL;
}

/* ---- Geometry (2.6.11 cache_estimate and kmem_cache_create) ------------ */

static size_t align_up(size_t x, size_t a)
{
	return (x + a - 1) / a * a;
}

/*
 * 2.6.11 cache_estimate: how many objects of `size` fit in a slab of order
 * gfporder, with the descriptor (base) and one bufctl per object (extra)
 * inside it unless off-slab, the management area aligned to align; and the
 * bytes left over.
 */
static void cache_estimate(const struct slab_state *st, unsigned gfporder, size_t size,
			   size_t align, unsigned long flags, size_t *left_over, unsigned *num)
{
	size_t wastage = (size_t)SIM_PAGE_BYTES << gfporder;
	size_t base = 0, extra = 0;
	if (!(flags & CFLGS_OFF_SLAB)) {
		base = st->slab_struct;
		extra = 4;
	}
	size_t i = 0;
	while (i * size + align_up(base + i * extra, align) <= wastage)
		i++;
	if (i > 0)
		i--;
	*num = (unsigned)i;
	wastage -= i * size;
	wastage -= align_up(base + i * extra, align);
	*left_over = wastage;
}

static kmem_cache_t *kmem_find_general_cachep(struct slab_state *st, size_t size, bool dma)
{
	for (int i = 0; i < st->nr_sizes; i++)
		if (size <= st->sizes[i].cs_size)
			return dma ? st->sizes[i].cs_dmacachep : st->sizes[i].cs_cachep;
	return NULL;
}

/* The geometry of kmem_cache_create, filled into c. 0, or -1 if no
 * object fits (the kernel's "couldn't create cache"). */
static int compute_geometry(struct slab_state *st, kmem_cache_t *c, size_t size, size_t align,
			    unsigned long flags)
{
	size_t w = st->word;
	if (size & (w - 1))
		size = align_up(size, w);
	size_t ralign;
	if (flags & SLAB_HWCACHE_ALIGN) {
		ralign = CACHE_LINE;
		while (size <= ralign / 2)
			ralign /= 2;
	} else {
		ralign = w;
	}
	if (ralign < align)
		ralign = align;
	align = ralign;

	if (size >= (SIM_PAGE_BYTES >> 3))
		flags |= CFLGS_OFF_SLAB;
	size = align_up(size, align);

	size_t left_over;
	unsigned num;
	unsigned order = 0;
	if ((flags & SLAB_RECLAIM_ACCOUNT) && size <= SIM_PAGE_BYTES) {
		cache_estimate(st, 0, size, align, flags, &left_over, &num);
	} else {
		for (;;) {
			cache_estimate(st, order, size, align, flags, &left_over, &num);
			if (order >= MAX_GFP_ORDER)
				break;
			if (num) {
				if ((flags & CFLGS_OFF_SLAB) && num > st->offslab_limit && order > 0) {
					/* Too many bufctls for an off-slab descriptor:
					 * one order down, and stop there. */
					order--;
					cache_estimate(st, order, size, align, flags, &left_over, &num);
					break;
				}
				if (order >= st->slab_break_gfp_order)
					break;
				if (left_over * 8 <= ((size_t)SIM_PAGE_BYTES << order))
					break;   /* acceptable internal fragmentation */
			}
			order++;
		}
	}
	if (!num)
		return -1;
	size_t slab_size = align_up(num * 4 + st->slab_struct, align);
	/* Off-slab but room enough: move it on-slab, at the expense of colours. */
	if ((flags & CFLGS_OFF_SLAB) && left_over >= slab_size) {
		flags &= ~CFLGS_OFF_SLAB;
		left_over -= slab_size;
	}
	if (flags & CFLGS_OFF_SLAB)
		slab_size = num * 4 + st->slab_struct;

	c->colour_off = CACHE_LINE;
	if (c->colour_off < align)
		c->colour_off = (unsigned)align;
	c->colour = (unsigned)(left_over / c->colour_off);
	c->left_over = left_over;
	c->slab_size = (unsigned)slab_size;
	c->flags = (unsigned)flags;
	c->gfpflags = (flags & SLAB_CACHE_DMA) ? GFP_DMA : 0;
	c->objsize = (unsigned)size;
	c->align = (unsigned)align;
	c->num = num;
	c->gfporder = order;
	return 0;
}

/* ---- Array caches ------------------------------------------------------ */

static struct array_cache *ac_new(unsigned limit, unsigned batch)
{
	struct array_cache *ac = mmsim_xcalloc(1, sizeof *ac);
	ac->limit = limit;
	ac->batchcount = batch;
	ac->entry = mmsim_xcalloc(limit ? limit : 1, sizeof *ac->entry);
	return ac;
}

static void ac_free_host(struct array_cache *ac)
{
	if (ac) {
		free(ac->entry);
		free(ac);
	}
}

static uint64_t ac_entry_addr(const struct slab_state *st, const struct array_cache *ac, unsigned i)
{
	return ac->vaddr + AC_HEAD + (uint64_t)i * st->word;
}

/* A place for a structure the kernel keeps in static data during boot. */
static uint64_t boot_alloc(struct slab_state *st, unsigned size)
{
	uint64_t v = (st->boot_next + 15) & ~(uint64_t)15;
	MMSIM_ASSERT(v + size <= st->boot_end);
	st->boot_next = v + size;
	return v;
}

/* ---- Slabs ------------------------------------------------------------- */

static struct slab *obj_slab(struct mm *mm, uint64_t objp, struct page **pagep)
{
	if (objp < mm->page_offset)
		return NULL;
	struct page *page = virt_to_page(mm, objp);
	if (pagep)
		*pagep = page;
	if (!page || !PageFlag(page, PG_slab))
		return NULL;
	struct slab_state *st = S(mm);
	uint32_t id = page->lru_prev;
	return id < st->nr_slabs ? st->slabs[id] : NULL;
}

static uint32_t slab_id_get(struct slab_state *st)
{
	if (st->nr_free_ids)
		return st->free_ids[--st->nr_free_ids];
	if (st->nr_slabs == st->cap_slabs) {
		st->cap_slabs = st->cap_slabs ? 2 * st->cap_slabs : 64;
		st->slabs = mmsim_xrealloc(st->slabs, st->cap_slabs * sizeof *st->slabs);
		st->free_ids = mmsim_xrealloc(st->free_ids, st->cap_slabs * sizeof *st->free_ids);
	}
	return st->nr_slabs++;
}

static uint64_t cache_alloc(struct mm *mm, kmem_cache_t *c, gfp_t flags);
static void cache_free(struct mm *mm, kmem_cache_t *c, uint64_t objp);

/* The frames of a slab marked as the kernel's SET_PAGE_CACHE/SET_PAGE_SLAB
 * do (page->lru.next = cache, page->lru.prev = slab), or cleared. */
static void set_slab_attr(struct mm *mm, kmem_cache_t *c, struct slab *s, bool set)
{
	struct page *page = s->page;
	struct zone *z = zone_of_page(mm, page);
	for (unsigned i = 0; i < (1u << c->gfporder); i++, page++) {
		touch_page(mm, z->zone_pgdat, page, PAGE_OFF_FLAGS, 8, 1);
		touch_page(mm, z->zone_pgdat, page, PAGE_OFF_LRU, 16, 1);
		if (set) {
			SetPageFlag(page, PG_slab);
			page->lru_next = c->id;
			page->lru_prev = s->id;
		} else {
			ClearPageFlag(page, PG_slab);
			page->lru_next = page->lru_prev = PAGE_NIL;
		}
	}
}

/*
 * 2.6.11 cache_grow: one more slab, at the next colour, its frames from
 * the page allocator with the cache's gfp flags (kmem_getpages), its
 * descriptor on the slab or from slabp_cache (alloc_slabmgmt), objects
 * chained (cache_init_objs), added to the free list. Called without the
 * cache lock. Returns 1, or 0 if no memory (nothing changed).
 */
static int cache_grow(struct mm *mm, kmem_cache_t *c, gfp_t flags)
{
	struct slab_state *st = S(mm);
	unsigned w = st->word;

	cache_lock(mm, c);
	touch_v(mm, c->vaddr + off_colour(mm, st), 12, 1);
	unsigned offset = c->colour_next;
	c->colour_next++;
	if (c->colour_next >= c->colour)
		c->colour_next = 0;
	if (!mm->policy.slab_colour)
		offset = 0;
	offset *= c->colour_off;
	cache_unlock(mm, c);

	struct page *page = alloc_pages(mm, (flags & ~__GFP_NO_GROW) | c->gfpflags, c->gfporder);
	if (!page)
		return 0;
	uint64_t objp = page_address(mm, page);
	uint64_t desc;
	if (c->flags & CFLGS_OFF_SLAB) {
		desc = cache_alloc(mm, c->slabp_cache, flags & ~__GFP_NO_GROW);
		if (!desc) {
			__free_pages(mm, page, c->gfporder);
			mm_fail(mm, MM_ENOMEM, "%s: no memory for an off-slab descriptor", c->name);
			return 0;
		}
	} else {
		desc = objp + offset;
		offset += c->slab_size;
	}
	struct slab *s = mmsim_xcalloc(1, sizeof *s);
	s->next = s->prev = s;
	s->cache = c;
	s->desc = desc;
	s->colouroff = offset;
	s->s_mem = objp + offset;
	s->page = page;
	s->id = slab_id_get(st);
	st->slabs[s->id] = s;
	s->bufctl = mmsim_xcalloc(c->num, sizeof *s->bufctl);
	s->state = mmsim_xcalloc(c->num, 1);
	touch_v(mm, desc, 4 * w + 8, 1);
	set_slab_attr(mm, c, s, true);

	/* cache_init_objs: the constructor on each object, bufctl[i] = i + 1. */
	uint64_t bufctl = desc + st->slab_struct;
	for (unsigned i = 0; i < c->num; i++) {
		if (c->ctor)
			touch_v(mm, s->s_mem + (uint64_t)i * c->objsize, 1, 1);
		s->bufctl[i] = i + 1 < c->num ? i + 1 : BUFCTL_END;
		touch_v(mm, bufctl + 4 * i, 4, 1);
	}
	s->free = 0;

	cache_lock(mm, c);
	slab_list_add_tail(mm, s, &c->lists.slabs_free);
	touch_v(mm, c->vaddr + off_lists(mm, st) + L3_FREEOBJ(w), w, 1);
	c->lists.free_objects += c->num;
	c->grown++;
	cache_unlock(mm, c);
	return 1;
}

/* 2.6.11 slab_destroy: the frames back to the page allocator (kmem_freepages),
 * an off-slab descriptor back to its cache. The slab is off every list. */
static void slab_destroy(struct mm *mm, kmem_cache_t *c, struct slab *s)
{
	struct slab_state *st = S(mm);
	if (c->ctor) {
		/* no destructor: nothing touches the objects */
	}
	set_slab_attr(mm, c, s, false);
	int rc = __free_pages(mm, s->page, c->gfporder);
	MMSIM_ASSERT(rc == 0);
	if (c->flags & CFLGS_OFF_SLAB)
		cache_free(mm, c->slabp_cache, s->desc);
	st->slabs[s->id] = NULL;
	st->free_ids[st->nr_free_ids++] = s->id;
	c->reaped++;
	free(s->bufctl);
	free(s->state);
	free(s);
}

/*
 * 2.6.11 free_block: nr objects back into their slabs, with the cache lock
 * held. A slab whose last object returns is destroyed if the cache already
 * has more than free_limit free objects, else goes to the free list; a
 * slab still in use goes to the tail of the partial list.
 */
static void free_block(struct mm *mm, kmem_cache_t *c, const uint64_t *objpp, unsigned nr)
{
	struct slab_state *st = S(mm);
	unsigned w = st->word;
	uint64_t fo = c->vaddr + off_lists(mm, st) + L3_FREEOBJ(w);
	touch_v(mm, fo, w, 1);
	c->lists.free_objects += nr;
	for (unsigned i = 0; i < nr; i++) {
		uint64_t objp = objpp[i];
		struct page *page;
		struct slab *s = obj_slab(mm, objp, &page);
		MMSIM_ASSERT(s && s->cache == c);
		/* GET_PAGE_SLAB(virt_to_page(objp)) */
		touch_page(mm, zone_of_page(mm, page)->zone_pgdat, page, PAGE_OFF_LRU + w, w, 0);
		slab_list_del(mm, s);
		unsigned objnr = (unsigned)((objp - s->s_mem) / c->objsize);
		touch_v(mm, s->desc + st->slab_struct + 4 * objnr, 4, 1);
		touch_v(mm, s->desc + SLAB_OFF_INUSE(w), 8, 1);
		s->bufctl[objnr] = s->free;
		s->free = objnr;
		s->state[objnr] = OBJ_FREE;
		s->inuse--;
		if (s->inuse == 0) {
			touch_v(mm, fo, w, 0);
			if (c->lists.free_objects > c->free_limit) {
				c->lists.free_objects -= c->num;
				slab_destroy(mm, c, s);
			} else {
				slab_list_add(mm, s, &c->lists.slabs_free);
			}
		} else {
			slab_list_add_tail(mm, s, &c->lists.slabs_partial);
		}
	}
}

/* ---- Allocation -------------------------------------------------------- */

/*
 * 2.6.11 cache_alloc_refill: the CPU's array is empty. Take up to
 * batchcount objects (BATCHREFILL_LIMIT if the array was not touched since
 * the last reap) from the shared array, else from partial slabs, then free
 * ones; grow by a slab and retry if none. Returns an object, or 0.
 */
static uint64_t cache_alloc_refill(struct mm *mm, kmem_cache_t *c, gfp_t flags)
{
	struct slab_state *st = S(mm);
	unsigned w = st->word;
	uint64_t l3 = c->vaddr + off_lists(mm, st);
	struct array_cache *ac;
retry:
	ac = c->array[mm->cpu];
	touch_v(mm, ac->vaddr, AC_HEAD, 0);
	int batchcount = (int)ac->batchcount;   /* signed: the loop below ends at -1 */
	if (!ac->touched && batchcount > BATCHREFILL_LIMIT)
		batchcount = BATCHREFILL_LIMIT;
	c->refills++;
	cache_lock(mm, c);
	struct array_cache *shared = c->lists.shared;
	touch_v(mm, l3 + L3_SHARED(w), w, 0);
	if (shared) {
		touch_v(mm, shared->vaddr, AC_HEAD, 0);
		if (shared->avail) {
			if (batchcount > (int)shared->avail)
				batchcount = (int)shared->avail;
			shared->avail -= (unsigned)batchcount;
			ac->avail = (unsigned)batchcount;
			memcpy(ac->entry, &shared->entry[shared->avail], (size_t)batchcount * sizeof *ac->entry);
			touch_v(mm, ac_entry_addr(st, shared, shared->avail), (unsigned)batchcount * w, 0);
			touch_v(mm, ac_entry_addr(st, ac, 0), (unsigned)batchcount * w, 1);
			touch_v(mm, shared->vaddr, AC_HEAD, 1);
			shared->touched = 1;
			goto alloc_done;
		}
	}
	while (batchcount > 0) {
		struct slab *s;
		touch_v(mm, l3 + L3_PARTIAL(w), w, 0);
		if (!list_is_empty(&c->lists.slabs_partial)) {
			s = c->lists.slabs_partial.next;
		} else {
			c->lists.free_touched = 1;
			touch_v(mm, l3 + L3_TOUCHED(w), 4, 1);
			touch_v(mm, l3 + L3_FREE(w), w, 0);
			if (list_is_empty(&c->lists.slabs_free))
				break;   /* must_grow */
			s = c->lists.slabs_free.next;
		}
		touch_v(mm, s->desc, 4 * w + 8, 0);
		while (s->inuse < c->num && batchcount--) {
			uint32_t objnr = s->free;
			uint64_t objp = s->s_mem + (uint64_t)objnr * c->objsize;
			touch_v(mm, ac_entry_addr(st, ac, ac->avail), w, 1);
			ac->entry[ac->avail++] = objp;
			s->inuse++;
			touch_v(mm, s->desc + st->slab_struct + 4 * objnr, 4, 0);
			s->free = s->bufctl[objnr];
			s->state[objnr] = OBJ_CACHED;
		}
		touch_v(mm, s->desc + SLAB_OFF_INUSE(w), 8, 1);
		slab_list_del(mm, s);
		if (s->free == BUFCTL_END)
			slab_list_add(mm, s, &c->lists.slabs_full);
		else
			slab_list_add(mm, s, &c->lists.slabs_partial);
	}
	/* must_grow: */
	touch_v(mm, l3 + L3_FREEOBJ(w), w, 1);
	c->lists.free_objects -= ac->avail;
alloc_done:
	cache_unlock(mm, c);
	touch_v(mm, ac->vaddr, AC_HEAD, 1);
	if (!ac->avail) {
		if (flags & __GFP_NO_GROW)
			return 0;
		if (!cache_grow(mm, c, flags))
			return 0;
		goto retry;
	}
	ac->touched = 1;
	return ac->entry[--ac->avail];
}

/* 2.6.11 __cache_alloc: the top of the CPU's array, or a refill. */
static uint64_t cache_alloc(struct mm *mm, kmem_cache_t *c, gfp_t flags)
{
	struct slab_state *st = S(mm);
	touch_v(mm, c->vaddr + (uint64_t)mm->cpu * st->word, st->word, 0);   /* ac_data */
	struct array_cache *ac = c->array[mm->cpu];
	touch_v(mm, ac->vaddr, AC_HEAD, 0);
	uint64_t objp;
	if (ac->avail) {
		ac->touched = 1;
		objp = ac->entry[--ac->avail];
		touch_v(mm, ac_entry_addr(st, ac, ac->avail), st->word, 0);
		touch_v(mm, ac->vaddr, AC_HEAD, 1);
	} else {
		objp = cache_alloc_refill(mm, c, flags);
		if (!objp)
			return 0;
	}
	struct slab *s = obj_slab(mm, objp, NULL);
	s->state[(objp - s->s_mem) / c->objsize] = OBJ_LIVE;
	c->allocs++;
	return objp;
}

/* ---- Free --------------------------------------------------------------- */

/*
 * 2.6.11 cache_flusharray: the CPU's array is full. Move its batchcount
 * oldest objects (the bottom of the stack) to the shared array, as many as
 * it has room for, or else back into their slabs; slide the rest down.
 */
static void cache_flusharray(struct mm *mm, kmem_cache_t *c, struct array_cache *ac)
{
	struct slab_state *st = S(mm);
	unsigned w = st->word;
	unsigned batchcount = ac->batchcount;
	c->flushes++;
	cache_lock(mm, c);
	struct array_cache *shared = c->lists.shared;
	touch_v(mm, c->vaddr + off_lists(mm, st) + L3_SHARED(w), w, 0);
	if (shared) {
		touch_v(mm, shared->vaddr, AC_HEAD, 0);
		unsigned max = shared->limit - shared->avail;
		if (max) {
			if (batchcount > max)
				batchcount = max;
			memcpy(&shared->entry[shared->avail], ac->entry, batchcount * sizeof *ac->entry);
			touch_v(mm, ac_entry_addr(st, ac, 0), batchcount * w, 0);
			touch_v(mm, ac_entry_addr(st, shared, shared->avail), batchcount * w, 1);
			shared->avail += batchcount;
			touch_v(mm, shared->vaddr, AC_HEAD, 1);
			goto free_done;
		}
	}
	touch_v(mm, ac_entry_addr(st, ac, 0), batchcount * w, 0);
	free_block(mm, c, ac->entry, batchcount);
free_done:
	cache_unlock(mm, c);
	ac->avail -= batchcount;
	memmove(ac->entry, &ac->entry[batchcount], ac->avail * sizeof *ac->entry);
	touch_v(mm, ac_entry_addr(st, ac, 0), ac->avail * w, 1);
	touch_v(mm, ac->vaddr, AC_HEAD, 1);
}

/* 2.6.11 __cache_free: onto the CPU's array, flushing it first if full. */
static void cache_free(struct mm *mm, kmem_cache_t *c, uint64_t objp)
{
	struct slab_state *st = S(mm);
	struct slab *s = obj_slab(mm, objp, NULL);
	s->state[(objp - s->s_mem) / c->objsize] = OBJ_CACHED;
	touch_v(mm, c->vaddr + (uint64_t)mm->cpu * st->word, st->word, 0);
	struct array_cache *ac = c->array[mm->cpu];
	touch_v(mm, ac->vaddr, AC_HEAD, 0);
	if (ac->avail >= ac->limit)
		cache_flusharray(mm, c, ac);
	touch_v(mm, ac_entry_addr(st, ac, ac->avail), st->word, 1);
	ac->entry[ac->avail++] = objp;
	touch_v(mm, ac->vaddr, AC_HEAD, 1);
	c->frees++;
}

/* Is objp a live object? Its slab (of any cache), or NULL with an error. */
static struct slab *check_live(struct mm *mm, uint64_t objp, const char *fn)
{
	struct slab *s = obj_slab(mm, objp, NULL);
	if (!s) {
		mm_fail(mm, MM_EINVAL, "%s: 0x%llx is not an address in a slab", fn,
			(unsigned long long)objp);
		return NULL;
	}
	kmem_cache_t *c = s->cache;
	if (objp < s->s_mem || (objp - s->s_mem) % c->objsize ||
	    (objp - s->s_mem) / c->objsize >= c->num) {
		mm_fail(mm, MM_EINVAL, "%s: 0x%llx is not the start of an object of cache %s", fn,
			(unsigned long long)objp, c->name);
		return NULL;
	}
	if (s->state[(objp - s->s_mem) / c->objsize] != OBJ_LIVE) {
		mm_fail(mm, MM_EINVAL, "%s: 0x%llx: double free (the object of cache %s is free)", fn,
			(unsigned long long)objp, c->name);
		return NULL;
	}
	return s;
}

/* ---- Tuning (2.6.11 enable_cpucache, do_tune_cpucache) ----------------- */

static void sizes_for(const kmem_cache_t *c, unsigned *limit, unsigned *shared)
{
	if (c->objsize > 131072)
		*limit = 1;
	else if (c->objsize > SIM_PAGE_BYTES)
		*limit = 8;
	else if (c->objsize > 1024)
		*limit = 24;
	else if (c->objsize > 256)
		*limit = 54;
	else
		*limit = 120;
	*shared = c->objsize <= SIM_PAGE_BYTES ? 8 : 0;
}

static struct array_cache *alloc_arraycache(struct mm *mm, unsigned entries, unsigned batch)
{
	struct slab_state *st = S(mm);
	unsigned bytes = AC_HEAD + entries * st->word;
	uint64_t v;
	bool boot = st->booting;
	if (boot) {
		v = boot_alloc(st, bytes);
	} else {
		v = kmalloc(mm, bytes, GFP_KERNEL);
		if (!v)
			return NULL;
	}
	struct array_cache *ac = ac_new(entries, batch);
	ac->vaddr = v;
	ac->boot = boot;
	touch_v(mm, v, AC_HEAD, 1);
	return ac;
}

static void free_arraycache(struct mm *mm, struct array_cache *ac)
{
	if (!ac)
		return;
	if (!ac->boot)
		kfree(mm, ac->vaddr);
	ac_free_host(ac);
}

/* Give every array's objects back to their slabs (drain_array_locked). */
static void drain_ac(struct mm *mm, kmem_cache_t *c, struct array_cache *ac)
{
	if (ac && ac->avail) {
		touch_v(mm, ac_entry_addr(S(mm), ac, 0), ac->avail * S(mm)->word, 0);
		free_block(mm, c, ac->entry, ac->avail);
		ac->avail = 0;
		touch_v(mm, ac->vaddr, AC_HEAD, 1);
	}
}

/* New arrays of limit/batchcount on every CPU and a shared one of
 * batchcount * shared entries; the old ones drained and freed. 0 or -1. */
static int do_tune_cpucache(struct mm *mm, kmem_cache_t *c, unsigned limit, unsigned batch,
			    unsigned shared)
{
	struct slab_state *st = S(mm);
	struct array_cache **fresh = mmsim_xcalloc((size_t)mm->ncpus, sizeof *fresh);
	for (int cpu = 0; cpu < mm->ncpus; cpu++) {
		fresh[cpu] = alloc_arraycache(mm, limit, batch);
		if (!fresh[cpu]) {
			for (int j = 0; j < cpu; j++)
				free_arraycache(mm, fresh[j]);
			free(fresh);
			return -1;
		}
	}
	struct array_cache *new_shared = NULL;
	if (shared) {
		new_shared = alloc_arraycache(mm, batch * shared, 0xbaadf00d);
		if (!new_shared) {
			for (int j = 0; j < mm->ncpus; j++)
				free_arraycache(mm, fresh[j]);
			free(fresh);
			return -1;
		}
	}
	cache_lock(mm, c);
	struct array_cache **old = c->array;
	struct array_cache *old_shared = c->lists.shared;
	c->array = fresh;
	c->batchcount = batch;
	c->limit = limit;
	c->shared = shared;
	c->free_limit = (1 + (unsigned)mm->ncpus) * batch + c->num;
	touch_v(mm, c->vaddr, (unsigned)off_lists(mm, st), 1);
	for (int cpu = 0; old && cpu < mm->ncpus; cpu++)
		drain_ac(mm, c, old[cpu]);
	c->lists.shared = new_shared;
	drain_ac(mm, c, old_shared);
	cache_unlock(mm, c);
	for (int cpu = 0; old && cpu < mm->ncpus; cpu++)
		free_arraycache(mm, old[cpu]);
	free(old);
	free_arraycache(mm, old_shared);
	return 0;
}

static int enable_cpucache(struct mm *mm, kmem_cache_t *c)
{
	unsigned limit, shared;
	sizes_for(c, &limit, &shared);
	if (mm->ncpus == 1)
		shared = 0;   /* the shared array is CONFIG_SMP's */
	return do_tune_cpucache(mm, c, limit, (limit + 1) / 2, shared);
}

/* ---- Creation ------------------------------------------------------------ */

static void chain_add(struct slab_state *st, kmem_cache_t *c)
{
	c->next = st->chain.next;
	c->prev = &st->chain;
	st->chain.next->prev = c;
	st->chain.next = c;
}

static void chain_del(kmem_cache_t *c)
{
	c->prev->next = c->next;
	c->next->prev = c->prev;
	c->next = c->prev = c;
}

static void cache_host_init(struct mm *mm, kmem_cache_t *c, const char *name, uint64_t vaddr)
{
	struct slab_state *st = S(mm);
	unsigned w = st->word;
	snprintf(c->name, sizeof c->name, "%s", name);
	c->vaddr = vaddr;
	uint64_t l3 = vaddr + off_lists(mm, st);
	list_head_init(&c->lists.slabs_partial, l3 + L3_PARTIAL(w));
	list_head_init(&c->lists.slabs_full, l3 + L3_FULL(w));
	list_head_init(&c->lists.slabs_free, l3 + L3_FREE(w));
	sim_lock_init(&c->spinlock, c->name, vaddr + off_lock(mm, st) - mm->page_offset);
	if (st->nr_caches == st->cap_caches) {
		st->cap_caches = st->cap_caches ? 2 * st->cap_caches : 64;
		st->caches = mmsim_xrealloc(st->caches, st->cap_caches * sizeof *st->caches);
	}
	c->id = st->nr_caches;
	st->caches[st->nr_caches++] = c;
}

/* The caches' boot arrays (BOOT_CPUCACHE_ENTRIES) until enable_cpucache. */
static int boot_arrays(struct mm *mm, kmem_cache_t *c)
{
	c->array = mmsim_xcalloc((size_t)mm->ncpus, sizeof *c->array);
	for (int cpu = 0; cpu < mm->ncpus; cpu++)
		c->array[cpu] = alloc_arraycache(mm, BOOT_CPUCACHE_ENTRIES, 1);
	c->limit = c->batchcount = BOOT_CPUCACHE_ENTRIES;
	c->free_limit = (1 + (unsigned)mm->ncpus) * c->batchcount + c->num;
	return 0;
}

static void cache_host_free(kmem_cache_t *c, int ncpus)
{
	for (int cpu = 0; c->array && cpu < ncpus; cpu++)
		ac_free_host(c->array[cpu]);
	free(c->array);
	ac_free_host(c->lists.shared);
	free(c);
}

static kmem_cache_t *do_create(struct mm *mm, const char *name, size_t size, size_t align,
			       unsigned long flags, bool ctor, bool general)
{
	struct slab_state *st = S(mm);
	if (!name || !*name) {
		mm_fail(mm, MM_EINVAL, "kmem_cache_create: no name");
		return NULL;
	}
	if (strlen(name) >= NAME_LEN) {
		mm_fail(mm, MM_EINVAL, "kmem_cache_create: name '%s' is longer than %d characters", name,
			NAME_LEN - 1);
		return NULL;
	}
	if (size < st->word || size > ((size_t)SIM_PAGE_BYTES << MAX_OBJ_ORDER)) {
		mm_fail(mm, MM_EINVAL, "kmem_cache_create %s: size %zu is outside %u .. %u bytes", name,
			size, st->word, SIM_PAGE_BYTES << MAX_OBJ_ORDER);
		return NULL;
	}
	if (align & (align - 1)) {
		mm_fail(mm, MM_EINVAL, "kmem_cache_create %s: align %zu is not a power of two", name, align);
		return NULL;
	}
	if (flags & ~(SLAB_HWCACHE_ALIGN | SLAB_CACHE_DMA | SLAB_RECLAIM_ACCOUNT)) {
		mm_fail(mm, MM_EINVAL, "kmem_cache_create %s: unknown flags 0x%lx", name, flags);
		return NULL;
	}
	if (kmem_find_cache(mm, name)) {
		mm_fail(mm, MM_EINVAL, "kmem_cache_create: a cache called '%s' exists", name);
		return NULL;
	}
	kmem_cache_t *c = mmsim_xcalloc(1, sizeof *c);
	c->ctor = ctor;
	c->general = general;
	if (compute_geometry(st, c, size, align, flags)) {
		free(c);
		mm_fail(mm, MM_EINVAL, "kmem_cache_create: couldn't create cache %s", name);
		return NULL;
	}
	uint64_t desc = cache_alloc(mm, st->cache_cache, GFP_KERNEL);
	if (!desc) {
		free(c);
		mm_fail(mm, MM_ENOMEM, "kmem_cache_create %s: no memory for the descriptor", name);
		return NULL;
	}
	cache_host_init(mm, c, name, desc);
	touch_v(mm, desc, cache_desc_size(mm, st), 1);
	if (c->flags & CFLGS_OFF_SLAB)
		c->slabp_cache = kmem_find_general_cachep(st, c->slab_size, false);
	if (st->booting) {
		boot_arrays(mm, c);
	} else if (enable_cpucache(mm, c)) {
		st->caches[c->id] = NULL;
		cache_free(mm, st->cache_cache, desc);
		cache_host_free(c, mm->ncpus);
		mm_fail(mm, MM_ENOMEM, "kmem_cache_create %s: no memory for the array caches", name);
		return NULL;
	}
	chain_add(st, c);
	return c;
}

/*
 * 2.6.11 kmem_cache_init and cpucache_init, at the first use: cache_cache
 * (its descriptor and every boot array in a boot area, the kernel's static
 * data), the general caches in size order each followed by its DMA twin
 * (offslab_limit from the last on-slab one), then enable_cpucache on every
 * cache. Not charged. 0 or -MM_ENOMEM.
 */
static int kmem_cache_init(struct mm *mm)
{
	struct slab_state *st = mmsim_xcalloc(1, sizeof *st);
	mm->slab = st;
	st->word = mm->arch == HW_ARCH_X86_64 ? 8 : 4;
	st->slab_struct = 4 * st->word + 8;
	st->page_offset = mm->page_offset;
	st->chain.next = st->chain.prev = &st->chain;
	st->booting = true;
	st->depth = 1;       /* no invariant checks until the caches are built */
	/* Start-up is not traced: the ids are set at its end. */
	st->ev_cache_alloc = st->ev_cache_free = st->ev_kmalloc = st->ev_kfree = -1;
	unsigned long pages = 0;
	for (int nid = 0; nid < mm->nr_nodes; nid++)
		for (int j = 0; j < MAX_NR_ZONES; j++)
			pages += mm->node_data[nid]->node_zones[j].present_pages;
	st->slab_break_gfp_order = pages > ((32u << 20) >> 12) ? BREAK_GFP_ORDER_HI : BREAK_GFP_ORDER_LO;

	cycle_t (*access)(void *, int, uint64_t, unsigned, int) = mm->access;
	mm->access = NULL;
	int rc = 0;

	/* The boot area: cache_cache's descriptor, and 1-entry arrays for
	 * every CPU of cache_cache and the general caches. */
	unsigned nboot = 1 + 2 * (unsigned)(sizeof general_sizes / sizeof general_sizes[0]);
	uint64_t bytes = cache_desc_size(mm, st) + (uint64_t)nboot * (unsigned)mm->ncpus * 32 + 64;
	unsigned order = 0;
	while (((uint64_t)SIM_PAGE_BYTES << order) < bytes)
		order++;
	uint64_t area = __get_free_pages(mm, GFP_KERNEL, order);
	if (!area) {
		rc = mm_fail(mm, MM_ENOMEM, "kmem_cache_init: no memory for the boot area");
		goto out;
	}
	st->boot_area = st->boot_next = area;
	st->boot_end = area + ((uint64_t)SIM_PAGE_BYTES << order);

	/* cache_cache: order 0, on-slab, as kmem_cache_init sets it up by hand. */
	kmem_cache_t *cc = mmsim_xcalloc(1, sizeof *cc);
	cc->objsize = cache_desc_size(mm, st);
	cc->align = CACHE_LINE;
	cache_estimate(st, 0, cc->objsize, CACHE_LINE, 0, &cc->left_over, &cc->num);
	MMSIM_ASSERT(cc->num > 0);
	cc->colour_off = CACHE_LINE;
	cc->colour = (unsigned)(cc->left_over / CACHE_LINE);
	cc->slab_size = (unsigned)align_up(cc->num * 4 + st->slab_struct, CACHE_LINE);
	cache_host_init(mm, cc, "kmem_cache", boot_alloc(st, cache_desc_size(mm, st)));
	cc->boot_desc = true;
	cc->general = true;
	boot_arrays(mm, cc);
	chain_add(st, cc);
	st->cache_cache = cc;

	for (size_t i = 0; i < sizeof general_sizes / sizeof general_sizes[0]; i++) {
		char name[NAME_LEN];
		struct cache_sizes *cs = &st->sizes[st->nr_sizes];
		cs->cs_size = general_sizes[i];
		snprintf(name, sizeof name, "size-%zu", general_sizes[i]);
		cs->cs_cachep = do_create(mm, name, general_sizes[i], 0, SLAB_HWCACHE_ALIGN, false, true);
		if (!cs->cs_cachep) {
			rc = -mm->errcode;
			goto out;
		}
		st->nr_sizes++;
		if (!(cs->cs_cachep->flags & CFLGS_OFF_SLAB))
			st->offslab_limit = (unsigned)((general_sizes[i] - st->slab_struct) / 4);
		snprintf(name, sizeof name, "size-%zu(DMA)", general_sizes[i]);
		cs->cs_dmacachep = do_create(mm, name, general_sizes[i], 0,
					     SLAB_HWCACHE_ALIGN | SLAB_CACHE_DMA, false, true);
		if (!cs->cs_dmacachep) {
			rc = -mm->errcode;
			goto out;
		}
	}
	st->booting = false;
	for (kmem_cache_t *c = st->chain.next; c != &st->chain; c = c->next)
		if (enable_cpucache(mm, c)) {
			rc = mm_fail(mm, MM_ENOMEM, "kmem_cache_init: no memory for %s's arrays", c->name);
			goto out;
		}
	if (mm->trace) {
		st->ev_cache_alloc = trace_event_id(mm->trace, "kmem_cache_alloc");
		st->ev_cache_free = trace_event_id(mm->trace, "kmem_cache_free");
		st->ev_kmalloc = trace_event_id(mm->trace, "kmalloc");
		st->ev_kfree = trace_event_id(mm->trace, "kfree");
	}
out:
	mm->access = access;
	st->depth = 0;
	if (rc) {
		/* The machine cannot even hold the general caches: give up on the
		 * slab allocator (what it took stays allocated). */
		kmem_cache_teardown(mm);
		return rc;
	}
	return 0;
}

bool kmem_page_reclaimable(struct mm *mm, const struct page *page)
{
	struct slab_state *st = S(mm);
	if (!st || !PageFlag(page, PG_slab) || page->lru_next >= st->nr_caches || !st->caches[page->lru_next])
		return false;
	return (st->caches[page->lru_next]->flags & SLAB_RECLAIM_ACCOUNT) != 0;
}

void kmem_cache_teardown(struct mm *mm)
{
	struct slab_state *st = mm->slab;
	if (!st)
		return;
	for (uint32_t i = 0; i < st->nr_slabs; i++)
		if (st->slabs[i]) {
			free(st->slabs[i]->bufctl);
			free(st->slabs[i]->state);
			free(st->slabs[i]);
		}
	for (uint32_t i = 0; i < st->nr_caches; i++)
		if (st->caches[i])
			cache_host_free(st->caches[i], mm->ncpus);
	free(st->slabs);
	free(st->free_ids);
	free(st->caches);
	free(st);
	mm->slab = NULL;
}


/* ---- Consistency (policy check=on) ---------------------------------------- */

static int check_ac(struct mm *mm, kmem_cache_t *c, const struct array_cache *ac, const char *what,
		    unsigned long *cached, char *err, size_t errlen)
{
	if (!ac)
		return 0;
	if (ac->avail > ac->limit)
		return mmsim_errf(err, errlen, "%s: %s holds %u objects, limit %u", c->name, what,
				  ac->avail, ac->limit);
	for (unsigned i = 0; i < ac->avail; i++) {
		struct slab *s = obj_slab(mm, ac->entry[i], NULL);
		if (!s || s->cache != c)
			return mmsim_errf(err, errlen, "%s: %s entry %u is not an object of the cache",
					  c->name, what, i);
		if (s->state[(ac->entry[i] - s->s_mem) / c->objsize] != OBJ_CACHED)
			return mmsim_errf(err, errlen, "%s: %s entry %u is not marked cached", c->name,
					  what, i);
	}
	*cached += ac->avail;
	return 0;
}

static int check_cache(struct mm *mm, kmem_cache_t *c, char *err, size_t errlen)
{
	const struct slab *heads[3] = { &c->lists.slabs_full, &c->lists.slabs_partial,
					&c->lists.slabs_free };
	unsigned long free_objects = 0, cached = 0, cached_in_slabs = 0;
	for (int l = 0; l < 3; l++)
		for (const struct slab *s = heads[l]->next; s != heads[l]; s = s->next) {
			if (s->next->prev != s)
				return mmsim_errf(err, errlen, "%s: broken slab list links", c->name);
			if ((l == 0 && s->inuse != c->num) || (l == 1 && (s->inuse == 0 || s->inuse >= c->num)) ||
			    (l == 2 && s->inuse != 0))
				return mmsim_errf(err, errlen, "%s: a slab with %u of %u in use is on the %s list",
						  c->name, s->inuse, c->num, l == 0 ? "full" : l == 1 ? "partial" : "free");
			unsigned n = 0;
			for (uint32_t i = s->free; i != BUFCTL_END; i = s->bufctl[i]) {
				if (i >= c->num || ++n > c->num || s->state[i] != OBJ_FREE)
					return mmsim_errf(err, errlen, "%s: bad bufctl chain", c->name);
			}
			if (n != c->num - s->inuse)
				return mmsim_errf(err, errlen, "%s: %u free on the chain, inuse %u of %u", c->name,
						  n, s->inuse, c->num);
			for (unsigned i = 0; i < c->num; i++)
				if (s->state[i] == OBJ_CACHED)
					cached_in_slabs++;
			free_objects += c->num - s->inuse;
		}
	if (free_objects != c->lists.free_objects)
		return mmsim_errf(err, errlen, "%s: free_objects %lu, the slabs have %lu free", c->name,
				  c->lists.free_objects, free_objects);
	for (int cpu = 0; c->array && cpu < mm->ncpus; cpu++)
		if (check_ac(mm, c, c->array[cpu], "a CPU's array", &cached, err, errlen))
			return -1;
	if (check_ac(mm, c, c->lists.shared, "the shared array", &cached, err, errlen))
		return -1;
	if (cached != cached_in_slabs)
		return mmsim_errf(err, errlen, "%s: %lu objects in arrays, %lu marked cached", c->name,
				  cached, cached_in_slabs);
	return 0;
}

int kmem_cache_check(struct mm *mm, char *err, size_t errlen)
{
	struct slab_state *st = mm->slab;
	if (!st)
		return 0;
	for (kmem_cache_t *c = st->chain.next; c != &st->chain; c = c->next)
		if (check_cache(mm, c, err, errlen))
			return -1;
	return 0;
}

/* At the end of an outermost public call, with check=on. */
static void leave(struct mm *mm, const char *where)
{
	struct slab_state *st = mm->slab;
	if (st && --st->depth == 0 && mm->policy.check) {
		char err[256];
		if (kmem_cache_check(mm, err, sizeof err))
			mmsim_panic("slab invariant broken after %s: %s", where, err);
	}
}

/* ---- Tracing ------------------------------------------------------------ */

static void trace_obj(struct mm *mm, int ev, uint64_t call_site, uint64_t ptr, size_t req,
		      size_t alloc, gfp_t gfp, bool with_sizes, cycle_t start)
{
	struct trace *tr = mm->trace;
	trace_begin(tr, ev, start, mm->cpu, task_name(mm));
	trace_hex(tr, "call_site", call_site);
	trace_hex(tr, "ptr", ptr);
	if (with_sizes) {
		char g[128];
		gfp_format(gfp, g, sizeof g);
		trace_u64(tr, "bytes_req", req);
		trace_u64(tr, "bytes_alloc", alloc);
		trace_str(tr, "gfp_flags", g);
	}
	trace_u64(tr, "cycles", sim_now(mm->sim) - start);
	trace_end(tr);
}

/* ---- Public entry points ------------------------------------------------ */

static bool cache_is_live(struct slab_state *st, const kmem_cache_t *c)
{
	return c && c->id < st->nr_caches && st->caches[c->id] == c;
}

#define SLAB_GFP_ALLOWED (__GFP_DMA | __GFP_WAIT | __GFP_HIGH | __GFP_IO | __GFP_FS | __GFP_COLD | \
			  __GFP_NOWARN | __GFP_REPEAT | __GFP_NOFAIL | __GFP_NORETRY | __GFP_NO_GROW | \
			  __GFP_DMA32)

static int check_gfp(struct mm *mm, gfp_t flags, const char *fn)
{
	if (flags & ~SLAB_GFP_ALLOWED)
		return mm_fail(mm, MM_EINVAL, "%s: gfp 0x%x has bits slab allocations may not use "
			       "(__GFP_HIGHMEM, __GFP_COMP, __GFP_ZERO...: cache_grow's BUG)", fn, flags);
	return 0;
}

static kmem_cache_t *do_kmem_cache_create(struct mm *mm, const char *name, size_t size, size_t align,
				unsigned long flags, bool ctor)
{
	if (enter(mm))
		return NULL;
	return do_create(mm, name, size, align, flags, ctor, false);
}

kmem_cache_t *kmem_find_cache(struct mm *mm, const char *name)
{
	struct slab_state *st = S(mm);
	if (!st || !name)
		return NULL;
	for (kmem_cache_t *c = st->chain.next; c != &st->chain; c = c->next)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

const char *kmem_cache_name(const kmem_cache_t *cachep)
{
	return cachep->name;
}

static uint64_t do_kmem_cache_alloc(struct mm *mm, kmem_cache_t *cachep, gfp_t flags)
{
	cycle_t start = sim_now(mm->sim);
	if (enter(mm))
		return 0;
	if (!cache_is_live(S(mm), cachep)) {
		mm_fail(mm, MM_EINVAL, "kmem_cache_alloc: not a cache (destroyed?)");
		return 0;
	}
	if (check_gfp(mm, flags, "kmem_cache_alloc"))
		return 0;
	uint64_t objp = cache_alloc(mm, cachep, flags);
	if (objp) {
		touch_v(mm, objp, 1, 0);
		if (trace_enabled(mm->trace, S(mm)->ev_cache_alloc))
			trace_obj(mm, S(mm)->ev_cache_alloc, cachep->vaddr, objp, cachep->objsize,
				  cachep->objsize, flags, true, start);
	} else if (!mm->errcode) {
		mm_fail(mm, MM_ENOMEM, "kmem_cache_alloc %s: no memory to grow the cache", cachep->name);
	}
	return objp;
}

static int do_kmem_cache_free(struct mm *mm, kmem_cache_t *cachep, uint64_t objp)
{
	cycle_t start = sim_now(mm->sim);
	int rc = enter(mm);
	if (rc)
		return rc;
	if (!cache_is_live(S(mm), cachep))
		return mm_fail(mm, MM_EINVAL, "kmem_cache_free: not a cache (destroyed?)");
	struct slab *s = check_live(mm, objp, "kmem_cache_free");
	if (!s)
		return -MM_EINVAL;
	if (s->cache != cachep)
		return mm_fail(mm, MM_EINVAL, "kmem_cache_free: 0x%llx belongs to cache %s, not %s",
			       (unsigned long long)objp, s->cache->name, cachep->name);
	touch_v(mm, objp, 1, 1);
	cache_free(mm, cachep, objp);
	if (trace_enabled(mm->trace, S(mm)->ev_cache_free))
		trace_obj(mm, S(mm)->ev_cache_free, cachep->vaddr, objp, 0, 0, 0, false, start);
	return 0;
}

/* 2.6.11 __cache_shrink: drain every array (drain_cpu_caches), then free
 * the free list's slabs from its tail. */
static int cache_shrink(struct mm *mm, kmem_cache_t *c)
{
	cache_lock(mm, c);
	for (int cpu = 0; cpu < mm->ncpus; cpu++)
		drain_ac(mm, c, c->array[cpu]);
	drain_ac(mm, c, c->lists.shared);
	while (!list_is_empty(&c->lists.slabs_free)) {
		struct slab *s = c->lists.slabs_free.prev;
		slab_list_del(mm, s);
		c->lists.free_objects -= c->num;
		cache_unlock(mm, c);
		slab_destroy(mm, c, s);
		cache_lock(mm, c);
	}
	int ret = !list_is_empty(&c->lists.slabs_full) || !list_is_empty(&c->lists.slabs_partial);
	cache_unlock(mm, c);
	return ret;
}

static int do_kmem_cache_shrink(struct mm *mm, kmem_cache_t *cachep)
{
	int rc = enter(mm);
	if (rc)
		return rc;
	if (!cache_is_live(S(mm), cachep))
		return mm_fail(mm, MM_EINVAL, "kmem_cache_shrink: not a cache (destroyed?)");
	return cache_shrink(mm, cachep);
}

static int do_kmem_cache_destroy(struct mm *mm, kmem_cache_t *cachep)
{
	int rc = enter(mm);
	if (rc)
		return rc;
	struct slab_state *st = S(mm);
	if (!cache_is_live(st, cachep))
		return mm_fail(mm, MM_EINVAL, "kmem_cache_destroy: not a cache (destroyed already?)");
	if (cachep->general)
		return mm_fail(mm, MM_EINVAL, "kmem_cache_destroy: %s is a general cache", cachep->name);
	if (cache_shrink(mm, cachep)) {
		struct kmem_cache_info info;
		kmem_cache_get_info(mm, cachep, &info);
		return mm_fail(mm, MM_EINVAL, "kmem_cache_destroy: Can't free all objects of %s "
			       "(%lu live)", cachep->name, info.active_objs);
	}
	chain_del(cachep);
	for (int cpu = 0; cpu < mm->ncpus; cpu++)
		free_arraycache(mm, cachep->array[cpu]);
	free_arraycache(mm, cachep->lists.shared);
	free(cachep->array);
	cachep->array = NULL;
	cachep->lists.shared = NULL;
	st->caches[cachep->id] = NULL;
	cache_free(mm, st->cache_cache, cachep->vaddr);
	free(cachep);
	return 0;
}

static uint64_t do_kmalloc(struct mm *mm, size_t size, gfp_t flags)
{
	cycle_t start = sim_now(mm->sim);
	if (enter(mm))
		return 0;
	struct slab_state *st = S(mm);
	if (check_gfp(mm, flags, "kmalloc"))
		return 0;
	kmem_cache_t *c = kmem_find_general_cachep(st, size, flags & GFP_DMA);
	if (!c) {
		/* 2.6.11 __kmalloc returns NULL past the largest class (and
		 * kmalloc(0) gets a size-32 object). */
		mm_fail(mm, MM_ENOMEM, "kmalloc: %zu bytes: larger than the largest general cache "
			"(131072)", size);
		return 0;
	}
	touch_v(mm, c->vaddr, st->word, 0);   /* malloc_sizes[] lookup, roughly */
	uint64_t objp = cache_alloc(mm, c, flags);
	if (!objp) {
		if (!mm->errcode)
			mm_fail(mm, MM_ENOMEM, "kmalloc %zu: no memory to grow %s", size, c->name);
		return 0;
	}
	touch_v(mm, objp, 1, 0);
	if (trace_enabled(mm->trace, st->ev_kmalloc))
		trace_obj(mm, st->ev_kmalloc, 0, objp, size, c->objsize, flags, true, start);
	return objp;
}

static int do_kfree(struct mm *mm, uint64_t objp)
{
	cycle_t start = sim_now(mm->sim);
	if (!objp)
		return 0;
	int rc = enter(mm);
	if (rc)
		return rc;
	struct slab *s = check_live(mm, objp, "kfree");
	if (!s)
		return -MM_EINVAL;
	struct page *page = virt_to_page(mm, objp);
	/* GET_PAGE_CACHE(virt_to_page(objp)) */
	touch_page(mm, zone_of_page(mm, page)->zone_pgdat, page, PAGE_OFF_LRU, S(mm)->word, 0);
	touch_v(mm, objp, 1, 1);
	cache_free(mm, s->cache, objp);
	if (trace_enabled(mm->trace, S(mm)->ev_kfree))
		trace_obj(mm, S(mm)->ev_kfree, 0, objp, 0, 0, 0, false, start);
	return 0;
}

size_t ksize(struct mm *mm, uint64_t objp)
{
	if (!mm->slab || !objp)
		return 0;
	int saved = mm->errcode;
	struct slab *s = check_live(mm, objp, "ksize");
	mm->errcode = saved;
	return s ? s->cache->objsize : 0;
}

size_t kmem_object_size(struct mm *mm, uint64_t objp)
{
	return ksize(mm, objp);
}

void kmem_cache_get_info(struct mm *mm, const kmem_cache_t *c, struct kmem_cache_info *in)
{
	memset(in, 0, sizeof *in);
	in->name = c->name;
	in->objsize = c->objsize;
	in->align = c->align;
	in->num = c->num;
	in->gfporder = c->gfporder;
	in->left_over = (unsigned)c->left_over;
	in->colour = c->colour;
	in->colour_off = c->colour_off;
	in->colour_next = c->colour_next;
	in->slab_size = c->slab_size;
	in->off_slab = (c->flags & CFLGS_OFF_SLAB) != 0;
	in->gfpflags = c->gfpflags;
	in->limit = c->limit;
	in->batchcount = c->batchcount;
	in->shared = c->shared;
	in->free_limit = c->free_limit;
	in->free_objects = c->lists.free_objects;
	unsigned long active = 0;
	for (const struct slab *s = c->lists.slabs_full.next; s != &c->lists.slabs_full; s = s->next) {
		in->slabs_full++;
		active += c->num;
	}
	for (const struct slab *s = c->lists.slabs_partial.next; s != &c->lists.slabs_partial;
	     s = s->next) {
		in->slabs_partial++;
		active += s->inuse;
	}
	for (const struct slab *s = c->lists.slabs_free.next; s != &c->lists.slabs_free; s = s->next)
		in->slabs_free++;
	in->active_objs = active;
	in->num_objs = (in->slabs_full + in->slabs_partial + in->slabs_free) * c->num;
	in->shared_avail = c->lists.shared ? c->lists.shared->avail : 0;
	in->allocs = c->allocs;
	in->frees = c->frees;
	in->grown = c->grown;
	in->destroyed_slabs = c->reaped;
	in->refills = c->refills;
	in->flushes = c->flushes;
	(void)mm;
}

int kmem_cache_cpu_avail(const kmem_cache_t *c, int cpu)
{
	if (!c->array || cpu < 0)
		return -1;
	return (int)c->array[cpu]->avail;
}

/* The entry points: the bodies above, then the invariant check. */
kmem_cache_t *kmem_cache_create(struct mm *mm, const char *name, size_t size, size_t align,
				unsigned long flags, bool ctor)
{
	int depth = mm->slab ? mm->slab->depth : 0;
	kmem_cache_t *r = do_kmem_cache_create(mm, name, size, align, flags, ctor);
	if (mm->slab && mm->slab->depth > depth)
		leave(mm, "kmem_cache_create");
	return r;
}

uint64_t kmem_cache_alloc(struct mm *mm, kmem_cache_t *cachep, gfp_t flags)
{
	int depth = mm->slab ? mm->slab->depth : 0;
	uint64_t r = do_kmem_cache_alloc(mm, cachep, flags);
	if (mm->slab && mm->slab->depth > depth)
		leave(mm, "kmem_cache_alloc");
	return r;
}

int kmem_cache_free(struct mm *mm, kmem_cache_t *cachep, uint64_t objp)
{
	int depth = mm->slab ? mm->slab->depth : 0;
	int r = do_kmem_cache_free(mm, cachep, objp);
	if (mm->slab && mm->slab->depth > depth)
		leave(mm, "kmem_cache_free");
	return r;
}

int kmem_cache_shrink(struct mm *mm, kmem_cache_t *cachep)
{
	int depth = mm->slab ? mm->slab->depth : 0;
	int r = do_kmem_cache_shrink(mm, cachep);
	if (mm->slab && mm->slab->depth > depth)
		leave(mm, "kmem_cache_shrink");
	return r;
}

int kmem_cache_destroy(struct mm *mm, kmem_cache_t *cachep)
{
	int depth = mm->slab ? mm->slab->depth : 0;
	int r = do_kmem_cache_destroy(mm, cachep);
	if (mm->slab && mm->slab->depth > depth)
		leave(mm, "kmem_cache_destroy");
	return r;
}

uint64_t kmalloc(struct mm *mm, size_t size, gfp_t flags)
{
	int depth = mm->slab ? mm->slab->depth : 0;
	uint64_t r = do_kmalloc(mm, size, flags);
	if (mm->slab && mm->slab->depth > depth)
		leave(mm, "kmalloc");
	return r;
}

int kfree(struct mm *mm, uint64_t objp)
{
	int depth = mm->slab ? mm->slab->depth : 0;
	int r = do_kfree(mm, objp);
	if (mm->slab && mm->slab->depth > depth)
		leave(mm, "kfree");
	return r;
}

/* ---- /proc/slabinfo ------------------------------------------------------ */

struct sbuf {
	char *buf;
	size_t len, n;
};

static void sb_printf(struct sbuf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#include <stdarg.h>
static void sb_printf(struct sbuf *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t room = o->n < o->len ? o->len - o->n : 0;
	int k = vsnprintf(room ? o->buf + o->n : NULL, room, fmt, ap);
	va_end(ap);
	if (k > 0)
		o->n += (size_t)k;
}

/*
 * 2.6.11 s_start/s_show: the header, then one line per cache in
 * cache_chain order (newest first). tunables prints limit, batchcount and
 * the shared factor (the header names the first two the other way round,
 * as 2.6.11's does); slabdata active slabs, all slabs, the shared array's
 * avail.
 */
size_t mm_slabinfo(struct mm *mm, char *buf, size_t len)
{
	struct sbuf o = { buf, len, 0 };
	if (len)
		buf[0] = '\0';
	sb_printf(&o, "slabinfo - version: 2.1\n");
	sb_printf(&o, "# name            <active_objs> <num_objs> <objsize> <objperslab> "
		  "<pagesperslab> : tunables <batchcount> <limit> <sharedfactor> : slabdata "
		  "<active_slabs> <num_slabs> <sharedavail>\n");
	struct slab_state *st = S(mm);
	if (!st)
		return o.n;
	for (kmem_cache_t *c = st->chain.next; c != &st->chain; c = c->next) {
		struct kmem_cache_info in;
		kmem_cache_get_info(mm, c, &in);
		sb_printf(&o, "%-17s %6lu %6lu %6u %4u %4d", c->name, in.active_objs, in.num_objs,
			  c->objsize, c->num, 1 << c->gfporder);
		sb_printf(&o, " : tunables %4u %4u %4u", c->limit, c->batchcount, c->shared);
		sb_printf(&o, " : slabdata %6lu %6lu %6u\n", in.slabs_full + in.slabs_partial,
			  in.slabs_full + in.slabs_partial + in.slabs_free, in.shared_avail);
	}
	return o.n;
}
