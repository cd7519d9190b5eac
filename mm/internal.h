/*
 * What the files of mm/ share and nobody else sees (the kernel's
 * mm/internal.h): the struct mm itself, the cost-model hook, the page list
 * primitives and the simulated layout of the zone descriptor.
 */
#ifndef MMSIM_MM_INTERNAL_H
#define MMSIM_MM_INTERNAL_H

#include "mm/mm.h"

struct mm {
	struct sim *sim;
	struct mm_policy policy;
	enum hw_arch arch;
	int nr_nodes;
	int ncpus;
	unsigned max_order;
	unsigned pageblock_order;        /* modern: the arch's (each zone has a
					  * copy); 0 in the classic era */
	unsigned long min_free_kbytes;
	pg_data_t *node_data[HW_MAX_NODES];
	int cpu_node[HW_MAX_CPUS];
	unsigned distance[HW_MAX_NODES][HW_MAX_NODES];
	uint64_t page_offset;            /* PAGE_OFFSET of the direct map */
	uint64_t lowmem_limit;           /* top of the direct map (i386: 896 MiB) */
	bool has_movable;                /* some node has a ZONE_MOVABLE */
	bool no_numa;                    /* a kernel without CONFIG_NUMA (the
					  * description's "numa": false) */
	uint64_t direct_map_end;         /* physical bytes its page tables map (init.c) */
	uint64_t pgt_start, pgt_end;     /* the frames holding those page tables
					  * (and, on i386, highmem.c's tables) */
	struct highmem *hm;              /* highmem.c's state: NULL on x86_64 */
	struct hw *hw;                   /* TLBs for kmap's invalidations, or NULL */
	struct dma_state *dma;           /* bounce.c's pools and counters, or NULL */
	struct user_state *user;         /* mmap.c/memory.c: user address spaces, or NULL */

	/* The cost model: NULL access when hw=off or no port. */
	cycle_t (*access)(void *ctx, int cpu, uint64_t paddr, unsigned size, int write);
	void *access_ctx;

	/* The operation in progress: its CPU and the caller's process state. */
	int cpu;
	unsigned pflags;
	bool rt;
	bool in_interrupt;

	uint64_t vm[NR_VM_EVENT_ITEMS];

	struct slab_state *slab;         /* mm/slab.c, started at its first use */
	struct vmalloc_state *vmalloc;   /* mm/vmalloc.c, made at its first use */

	struct trace *trace;
	int ev_alloc, ev_free, ev_pcpu_drain, ev_alloc_zone_locked, ev_alloc_fail,
	    ev_kswapd_wake, ev_kswapd_sleep, ev_direct_reclaim_begin, ev_direct_reclaim_end,
	    ev_oom, ev_extfrag, ev_boost, ev_compact, ev_zone_wmark;

	/* The modern era's allocator state (page_alloc.c). */
	bool free_to_tail;               /* boot freeing: FPI_TO_TAIL */
	unsigned alloc_flags;            /* the allocation in progress: 6.1's
					  * ALLOC_* flags that __rmqueue reads
					  * (0 in the classic era) */
	uint64_t nr_extfrag;             /* __rmqueue_fallback steals */

	int errcode;
	char err[256];
};

/* page_zone without the call: the node and zone are in the page's flags. */
static inline struct zone *zone_of_page(const struct mm *mm, const struct page *page)
{
	return &mm->node_data[page_nid(page)]->node_zones[page_zonenum(page)];
}

/* ---- The cost model --------------------------------------------------- */

/* Report an access to simulated kernel metadata and charge its cycles to
 * the current operation. */
static inline void mm_touch(struct mm *mm, uint64_t paddr, unsigned size, int write)
{
	if (mm->access)
		sim_charge(mm->sim, mm->access(mm->access_ctx, mm->cpu, paddr, size, write));
}

static inline uint64_t page_paddr(const pg_data_t *pgdat, const struct page *page)
{
	return pgdat->mem_map_paddr + (uint64_t)(page - pgdat->node_mem_map) * SIM_PAGE_SIZE;
}

static inline void touch_page(struct mm *mm, const pg_data_t *pgdat, const struct page *page,
			      unsigned off, unsigned size, int write)
{
	if (mm->access)
		mm_touch(mm, page_paddr(pgdat, page) + off, size, write);
}

/*
 * The simulated struct zone (2.6.11 layout, x86_64, cache-line aligned
 * parts): free_pages, pages_min/low/high and lowmem_reserve[] in the first
 * line; then pageset[NR_CPUS], each 128 bytes (two 32-byte per_cpu_pages:
 * count, low, high, batch and a list_head; then the NUMA counters); then the
 * lock on a line of its own; then free_area[MAX_ORDER], 24 bytes each (a
 * list_head and nr_free).
 */
#define ZONE_OFF_FREE_PAGES   0
#define ZONE_OFF_WMARK        8
#define ZONE_OFF_PAGESET      64
#define PAGESET_SIZE          128
#define PCP_SIZE              32
#define PCP_OFF_COUNT         0
#define PCP_OFF_LIST          16
#define PAGESET_OFF_NUMA      64
#define FREE_AREA_SIZE        24
#define FREE_AREA_OFF_NRFREE  16

static inline uint64_t zone_off_lock(int ncpus)
{
	return ZONE_OFF_PAGESET + (uint64_t)ncpus * PAGESET_SIZE;
}
static inline uint64_t zone_off_free_area(int ncpus)
{
	return zone_off_lock(ncpus) + 64;
}
static inline uint64_t zone_sim_size(int ncpus, unsigned max_order)
{
	uint64_t end = zone_off_free_area(ncpus) + (uint64_t)max_order * FREE_AREA_SIZE;
	return (end + 63) & ~UINT64_C(63);
}
static inline uint64_t free_area_paddr(struct mm *mm, const struct zone *z, unsigned order)
{
	return z->paddr + zone_off_free_area(mm->ncpus) + (uint64_t)order * FREE_AREA_SIZE;
}
static inline uint64_t pcp_paddr(const struct zone *z, int cpu, int cold)
{
	return z->paddr + ZONE_OFF_PAGESET + (uint64_t)cpu * PAGESET_SIZE + (uint64_t)cold * PCP_SIZE;
}

/* ---- Page lists --------------------------------------------------------- */

/*
 * Lists are threaded through the pages' lru links as mem_map indices of one
 * node (base = node_mem_map). Each primitive reports the same accesses the
 * kernel's list_add/list_del make: the head, the page, and the neighbours
 * whose links change. head_paddr is the simulated list_head.
 */
/* head_paddr for a list_head on the kernel stack (LIST_HEAD(list) in
 * __free_pages_ok): its accesses are not charged. */
#define PADDR_STACK UINT64_MAX

static inline void plist_init(struct page_list *l)
{
	l->first = l->last = PAGE_NIL;
}
static inline bool plist_empty(const struct page_list *l)
{
	return l->first == PAGE_NIL;
}

/* ---- Shared between the files of mm/ ---------------------------------- */

/* Set the error state; returns -code for convenience. */
int mm_fail(struct mm *mm, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* 6.1's alloc_context: what one allocation asks for, as the allocation
 * path passes it along (page_alloc.c). */
struct alloc_context {
	struct zonelist *zonelist;
	int highest_zoneidx;
	int migratetype;
};

/* page_alloc.c, 6.1 unreserve_highatomic_pageblock. The slow path calls it
 * after reclaim made progress, or after MAX_RECLAIM_RETRIES passes without:
 * unreachable until reclaim frees pages, so the tests call it directly. */
bool unreserve_highatomic_pageblock(struct mm *mm, const struct alloc_context *ac, bool force);

/* page_alloc.c: every entry point from a task starts here: clears the
 * error state and takes the current CPU (0, or -MM_ENOCPU when there is
 * none). */
int mm_enter(struct mm *mm);

/* page_alloc.c: free a block into the buddy lists with the zone lock held
 * (boot uses it without the lock, before any CPU runs). */
void __free_one_page(struct mm *mm, struct page *page, struct zone *zone, unsigned order);

/* init.c: sets mm->direct_map_end from the memory map and returns in *bytes
 * the size of the page tables that map it (whole frames); -1 with a message
 * if the architecture cannot map that much. */
int kernel_pgtable_size(struct mm *mm, const struct hw_machine_desc *d, uint64_t *bytes,
			char *err, size_t errlen);

/* highmem.c: the bytes of simulated memory its tables need (0 on x86_64),
 * reserved after the direct map's tables; setting up and freeing its state
 * (base: where that block starts); a HighMem frame's kmap address (0 if
 * none); the walker's part: the PTE of a pkmap or fixmap address, appended
 * to w (0, or -MM_EFAULT when not present), or 1 for another address. */
uint64_t highmem_data_bytes(const struct mm *mm);
void highmem_init(struct mm *mm, uint64_t base);
void highmem_destroy(struct mm *mm);
uint64_t highmem_page_address(const struct mm *mm, uint64_t pfn);
int highmem_walk(const struct mm *mm, uint64_t vaddr, struct hw_walk *w);
void highmem_register_stats(struct mm *mm, struct stats_registry *reg);
/* highmem.c: zero the HighMem block at page through the current CPU's
 * KM_USER0 window (clear_highpage), charged. */
void highmem_clear_pages(struct mm *mm, struct page *page, unsigned order);
/* bounce.c: free its state. */
void bounce_destroy(struct mm *mm);
/* mmap.c: free the user address spaces' host memory (the run is over), and
 * the invariant checker's part for them. */
void user_destroy(struct mm *mm);
int user_check(struct mm *mm, char *err, size_t errlen);

/* page_alloc.c: the kswapd step function. */
enum sim_step kswapd_step(struct sim *s, struct sim_task *t);

/* mm_init.c: 2.6.11's per-zone computations, exposed so tests and the
 * policy can rerun them. */
void setup_per_zone_pages_min(struct mm *mm);
void setup_per_zone_lowmem_reserve(struct mm *mm);

/* mm_init_modern.c: what 6.1 computes differently at boot, and its views
 * ("zoneinfo" in 6.1's format, "zonelists" as dmesg's mminit lines). */
void build_all_zonelists_modern(struct mm *mm);
/* mm_init_modern.c: 6.1's pageblock_order for the arch. */
unsigned pageblock_order_61(enum hw_arch arch);
/* mm_init_modern.c: the zone's pageblock order (mm's, empty zones too) and
 * pageblock array (spanned zones only),
 * every block MIGRATE_MOVABLE whose first frame lies in the zone (6.1
 * memmap_init_range), the others (a zone's unaligned first block)
 * MIGRATE_UNMOVABLE. */
void init_pageblocks_modern(const struct mm *mm, struct zone *z);
void init_per_zone_wmark_min_modern(struct mm *mm);
size_t mm_view_modern(struct mm *mm, const char *name, char *buf, size_t len);
/* mm_init_modern.c: 6.1's zones in /proc's order (names, at most 5) and
 * the zone of ours each is (-1: one mmsim does not model, always empty);
 * returns how many. */
int zones_61(const struct mm *mm, const char **names, int *ours);
/* vmstat.c: whether 6.1 prints vmstat item `name` (in /proc/vmstat and
 * zoneinfo) on mm's kernel: the CONFIG_NUMA and CONFIG_NUMA_BALANCING
 * items are missing without CONFIG_NUMA (mm->no_numa). */
bool vmstat_item_shown_61(const struct mm *mm, const char *name);

/* vmstat.c: the invariant checker run by check=on. */
void mm_check_or_panic(struct mm *mm, const char *where);

/* Text written into a caller's buffer snprintf-style (the views): at most
 * len bytes land in buf, n counts what the whole text needs (vmstat.c). */
struct mm_out {
	char *buf;
	size_t len;     /* capacity */
	size_t n;       /* length wanted so far */
};
void mm_outf(struct mm_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
