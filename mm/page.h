/*
 * struct page: the page descriptor, one per page frame (Linux 2.6.11
 * include/linux/mm.h and page-flags.h).
 *
 * Two descriptors exist for every frame, on purpose:
 *
 *   - the simulated one, 64 bytes at a simulated physical address inside the
 *     node it describes (the node's mem_map, reserved at boot). Every time
 *     the allocator reads or writes a descriptor it reports an access at
 *     that address to the hardware model, at the offset of the field it
 *     touched (the 2.6.11 x86_64 layout: PAGE_OFF_* below). Its contents are
 *     never stored: only its address matters;
 *   - the host one, struct page below, which holds the state. It is kept to
 *     32 bytes so that a 64 GiB machine (16 Mi frames) costs 512 MiB of host
 *     memory: list links are 32-bit indices into the node's mem_map (not
 *     pointers), the owner is a 32-bit handle (not a pointer), and the node
 *     and zone live in the top bits of `flags`, as the kernel keeps them
 *     (NODEZONE_SHIFT).
 *
 * Owners. A page in use by user memory or a cache has an owner, as the
 * kernel's page->mapping says: an address_space (a file's page cache, a
 * tmpfs file, the swap cache) or, with the low bit set (PAGE_MAPPING_ANON),
 * an anon_vma. `mapping` holds a handle to it, an index into the memory
 * manager's table of owners (mm_owner), shifted left by one with the anon
 * bit below; 0 is no owner. `index` is the page's offset in its file, or
 * for an anonymous page its linear index (vm_pgoff plus the page number in
 * the VMA); `private` holds the swap entry of a page in the swap cache;
 * `_mapcount` holds page_mapcount() itself, the number of page table
 * entries that map the page (the kernel stores it minus one so that an
 * unmapped page reads -1; as with _count, we store the count, so a freshly
 * zeroed mem_map needs no initialisation).
 *
 * Reference counts. `_count` holds page_count() itself (the kernel stores
 * page_count - 1 so that a free page reads -1; we store the count, so a free
 * page reads 0). A page handed out by the allocator has count 1; get_page
 * raises it and __free_pages frees only when put_page_testzero brings it to 0.
 */
#ifndef MMSIM_MM_PAGE_H
#define MMSIM_MM_PAGE_H

#include <stdbool.h>
#include <stdint.h>

/* A list link meaning "no page": the end of a list. */
#define PAGE_NIL UINT32_MAX

struct page {
	uint32_t flags;         /* PG_* bits below, alloc order, node and zone */
	int32_t _count;         /* page_count(): users of the page; 0 when free */
	int32_t _mapcount;      /* page_mapcount(): PTEs mapping it; 0: none */
	uint32_t mapping;       /* the owner's handle (see above), 0: none */
	uint32_t private;       /* buddy: the block's order while PG_private is set
				 * on a free head; compound: the head's mem_map
				 * index; swap cache: the swap entry */
	uint32_t index;         /* compound: the order, in the first tail page;
				 * an owned page: its offset (file) or linear
				 * index (anonymous) */
	uint32_t lru_next;      /* free list, per-CPU list or LRU links: mem_map */
	uint32_t lru_prev;      /* indices within the node, PAGE_NIL at the ends */
};

/* The owner handle's low bit: an anon_vma, not an address_space (the
 * kernel's PAGE_MAPPING_ANON). */
#define PAGE_MAPPING_ANON 1u

static inline bool PageAnon(const struct page *p)
{
	return (p->mapping & PAGE_MAPPING_ANON) != 0;
}
/* The owner's index in the table (mm_owner), 0 for none. */
static inline uint32_t page_owner_id(const struct page *p)
{
	return p->mapping >> 1;
}
static inline bool page_mapped(const struct page *p)
{
	return p->_mapcount > 0;
}
static inline int page_mapcount(const struct page *p)
{
	return p->_mapcount;
}

/*
 * Page flag bits. The numbers are 2.6.11's (include/linux/page-flags.h) for
 * the flags the page allocator reads or writes; the others are listed so a
 * later issue (LRU, slab, writeback) adds behaviour, not numbering.
 */
enum pageflags {
	PG_locked = 0,          /* page is locked for I/O: must not be freed */
	PG_error = 1,           /* an I/O error occurred on this page */
	PG_referenced = 2,      /* recently referenced (LRU aging) */
	PG_uptodate = 3,        /* contents are valid */
	PG_dirty = 4,           /* contents must be written back */
	PG_lru = 5,             /* on an LRU list: must not be freed */
	PG_active = 6,          /* on the active LRU list */
	PG_slab = 7,            /* owned by the slab allocator */
	PG_highmem = 8,         /* in ZONE_HIGHMEM: has no permanent kernel mapping */
	/* 2.6.11's PG_checked (9, filesystem private) and PG_arch_1 (10) are
	 * not modelled: their bits are 6.1's swap-backed and unevictable. */
	PG_swapbacked = 9,      /* 6.1: backed by swap (anonymous or shmem): on
				 * the anon LRU lists */
	PG_unevictable = 10,    /* on the unevictable list (mlocked, ramfs) */
	PG_reserved = 11,       /* never handed to the buddy allocator: holes,
				 * firmware ranges, the kernel's own boot data */
	PG_private = 12,        /* ->private is meaningful; for a free page, it
				 * holds the buddy order (set_page_order) */
	PG_writeback = 13,      /* being written back */
	PG_mlocked = 14,        /* mapped by an mlocked VMA (2.6.11's PG_nosave,
				 * swsusp, is not modelled: its bit) */
	PG_compound = 15,       /* part of a __GFP_COMP block */
	PG_swapcache = 16,      /* in the swap cache */
	PG_workingset = 17,     /* 6.1: refaulted soon after eviction, or was
				 * active (2.6.11's PG_mappedtodisk is not
				 * modelled: its bit) */
	PG_reclaim = 18,        /* to be reclaimed as soon as writeback ends */
	/* 2.6.11's bit 19, PG_nosave_free (swsusp), is not kept: the zone
	 * number needs its bit since ZONE_MOVABLE made five zones. */

};

/*
 * mmsim's own field, bits 19..22: 0, or 1 + the order of the block this
 * frame heads, if the allocator handed it out as the first frame of a
 * block. It lets __free_pages tell a wrong order, or a free of a frame that
 * was never handed out, from a correct free, which the kernel cannot (it
 * trusts its callers). Four bits hold orders up to 14 (max_order <= 15).
 */
#define PAGE_ALLOC_ORDER_SHIFT 19
#define PAGE_ALLOC_ORDER_MASK  (0xfu << PAGE_ALLOC_ORDER_SHIFT)

static inline bool PageAllocHead(const struct page *p)
{
	return (p->flags & PAGE_ALLOC_ORDER_MASK) != 0;
}
static inline unsigned page_alloc_order(const struct page *p)
{
	return ((p->flags & PAGE_ALLOC_ORDER_MASK) >> PAGE_ALLOC_ORDER_SHIFT) - 1;
}
static inline void set_page_alloc_order(struct page *p, unsigned order)
{
	p->flags = (p->flags & ~PAGE_ALLOC_ORDER_MASK) | (order + 1) << PAGE_ALLOC_ORDER_SHIFT;
}
static inline void clear_page_alloc_order(struct page *p)
{
	p->flags &= ~PAGE_ALLOC_ORDER_MASK;
}

/* The node and zone of the frame, in the top bits as the kernel keeps them
 * above NODEZONE_SHIFT: 6 bits of node (HW_MAX_NODES 64), 3 of zone. */
#define PAGE_ZONE_SHIFT 23
#define PAGE_ZONE_MASK  (0x7u << PAGE_ZONE_SHIFT)
#define PAGE_NODE_SHIFT 26
#define PAGE_NODE_MASK  (0x3fu << PAGE_NODE_SHIFT)

/* Flags that must be clear on a page being freed or handed out
 * (2.6.11 free_pages_check / prep_new_page). */
#define PAGE_FLAGS_BAD_ON_FREE ((1u << PG_lru) | (1u << PG_private) | (1u << PG_locked) | \
				(1u << PG_active) | (1u << PG_reclaim) | (1u << PG_slab) | \
				(1u << PG_swapcache) | (1u << PG_writeback) | \
				(1u << PG_reserved))

static inline bool PageFlag(const struct page *p, enum pageflags f)
{
	return (p->flags >> f) & 1u;
}
static inline void SetPageFlag(struct page *p, enum pageflags f)
{
	p->flags |= 1u << f;
}
static inline void ClearPageFlag(struct page *p, enum pageflags f)
{
	p->flags &= ~(1u << f);
}

#define PageReserved(p)  PageFlag((p), PG_reserved)
#define PagePrivate(p)   PageFlag((p), PG_private)
#define PageCompound(p)  PageFlag((p), PG_compound)
#define PageHighMem(p)   PageFlag((p), PG_highmem)

static inline int page_count(const struct page *p)
{
	return p->_count;
}
static inline unsigned page_zonenum(const struct page *p)
{
	return (p->flags & PAGE_ZONE_MASK) >> PAGE_ZONE_SHIFT;
}
static inline unsigned page_nid(const struct page *p)
{
	return (p->flags & PAGE_NODE_MASK) >> PAGE_NODE_SHIFT;
}
/* The order stored by set_page_order while the page heads a free block. */
static inline unsigned page_order(const struct page *p)
{
	return p->private;
}

/*
 * Offsets of the fields of the simulated 64-byte struct page (2.6.11,
 * x86_64: unsigned long flags; atomic_t _count; atomic_t _mapcount;
 * unsigned long private; mapping; pgoff_t index; struct list_head lru),
 * so each access is reported at the address of the field it touches.
 */
#define SIM_PAGE_SIZE     64
#define PAGE_OFF_FLAGS     0
#define PAGE_OFF_COUNT     8
#define PAGE_OFF_MAPCOUNT 12
#define PAGE_OFF_PRIVATE  16
#define PAGE_OFF_MAPPING  24
#define PAGE_OFF_INDEX    32
#define PAGE_OFF_LRU      40

/*
 * Lookups between a frame number, its descriptor and its zone (mm/page.c;
 * mm/internal.h has inline forms for mm/'s hot paths).
 */
struct mm;
struct zone;
/* The descriptor of frame pfn, or NULL if no node has it. */
struct page *pfn_to_page(struct mm *mm, uint64_t pfn);
uint64_t page_to_pfn(const struct mm *mm, const struct page *page);
struct zone *page_zone(struct mm *mm, const struct page *page);
/* The simulated physical address of a frame's 64-byte struct page. */
uint64_t page_desc_paddr(const struct mm *mm, const struct page *page);

#endif
