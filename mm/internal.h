/*
 * What the files of mm/ share and nobody else sees (the kernel's
 * mm/internal.h): the struct mm itself, the era's table of operations,
 * the cost-model hook, the frames' lookups, the simulated layout of the
 * zone descriptor and the page list basics.
 *
 * The layering. mm/ holds what both kernel eras share and what is ours
 * rather than the kernel's: the struct page array and its simulated
 * addresses, the buddy lists and their costs (mm/buddy.h), zones and nodes
 * as data, GFP parsing, the policy, the views' plumbing, the invariant
 * checker, an imported machine's capture. Each era's mechanisms live in its
 * own folder, in files named after the kernel files that hold them in that
 * version: mm/2.6.11/ (the classic era) and mm/6.1/ (the modern era), each
 * with its own internal.h. The files here include no era's header; an
 * era's files include these and their own folder's, never the other
 * era's. mm/ reaches an era only through the table below (mm->ops),
 * chosen once, at boot, from the policy's era; and through the public API
 * of the subsystems both eras still run from mm/2.6.11 (mm/slab.h,
 * mm/highmem.h, mm/vmalloc.h, mm/mmap.h, mm/bounce.h, mm/mempool.h).
 */
#ifndef MMSIM_MM_INTERNAL_H
#define MMSIM_MM_INTERNAL_H

#include <math.h>

#include "mm/mm.h"

struct mm_ops;

struct mm {
	struct sim *sim;
	struct mm_policy policy;
	const struct mm_ops *ops;        /* the era's mechanisms, from the policy at boot */
	enum hw_arch arch;
	int nr_nodes;
	int ncpus;
	unsigned max_order;
	unsigned pageblock_order;        /* the machine's pageblock order (each zone
					  * has a copy); 0 for an era without
					  * pageblocks */
	unsigned long min_free_kbytes;
	pg_data_t *node_data[HW_MAX_NODES];
	int cpu_node[HW_MAX_CPUS];
	unsigned distance[HW_MAX_NODES][HW_MAX_NODES];
	uint64_t page_offset;            /* PAGE_OFFSET of the direct map */
	uint64_t lowmem_limit;           /* top of the direct map (i386: 896 MiB) */
	uint64_t boot_keep_low;          /* boot frees no frame below this address
					  * (the era's setup_arch reservation) */
	bool has_movable;                /* some node has a ZONE_MOVABLE */
	bool no_numa;                    /* a kernel without CONFIG_NUMA (the
					  * description's "numa": false) */
	uint64_t direct_map_end;         /* physical bytes its page tables map */
	uint64_t pgt_start, pgt_end;     /* the frames holding those page tables
					  * (and, on i386, kmap's tables) */
	struct highmem *hm;              /* kmap's state: NULL on x86_64 */
	struct hw *hw;                   /* TLBs for kmap's invalidations, or NULL */
	struct dma_state *dma;           /* DMA bouncing's pools and counters, or NULL */
	struct user_state *user;         /* user address spaces, or NULL */

	/* The cost model: NULL access when hw=off or no port. */
	cycle_t (*access)(void *ctx, int cpu, uint64_t paddr, unsigned size, int write);
	void *access_ctx;

	/* The operation in progress: its CPU and the caller's process state. */
	int cpu;
	unsigned pflags;
	bool rt;
	bool in_interrupt;

	uint64_t vm[NR_VM_EVENT_ITEMS];
	uint64_t nr_extfrag;             /* fallback steals (mm_page_alloc_extfrag) */

	struct slab_state *slab;         /* the slab allocator, started at its first use */

	/* The owners page->mapping names (mm_owner_add): address_spaces and
	 * anon_vmas, by id; id 0 is no owner. Freed ids are reused, newest
	 * first, so the handles a run hands out are the same every time. */
	void **owners;
	uint32_t nr_owners;              /* ids in use or free, plus one */
	uint32_t owners_cap;
	uint32_t *owners_free;           /* ids to reuse (a stack) */
	uint32_t nr_owners_free;
	struct vmalloc_state *vmalloc;   /* vmalloc's areas, made at its first use */

	struct trace *trace;
	int ev_alloc, ev_free, ev_pcpu_drain, ev_alloc_zone_locked, ev_alloc_fail,
	    ev_kswapd_wake, ev_kswapd_sleep, ev_direct_reclaim_begin, ev_direct_reclaim_end,
	    ev_oom, ev_extfrag, ev_boost, ev_compact, ev_zone_wmark;

	int errcode;
	char err[256];
};

/* ---- The era's table of operations --------------------------------------- */

/* Text written into a caller's buffer snprintf-style (the views): at most
 * len bytes land in buf, n counts what the whole text needs (vmstat.c). */
struct mm_out {
	char *buf;
	size_t len;     /* capacity */
	size_t n;       /* length wanted so far */
};

/*
 * The kernel around the page allocator, as an era implements it: its page
 * tables and kmap (mm_kernel_walk, highmem), the slab allocator, vmalloc,
 * DMA bouncing, user address spaces. mm/ calls these at boot and teardown,
 * when zeroing a HighMem page, for a HighMem page's address, in the stats
 * and in the checker. Both eras' tables point at 2.6.11's
 * (mm/2.6.11/init.c): the modern era has no kmap, slab or vmalloc of its
 * own yet (issue 20), and runs 2.6.11's.
 */
struct mm_kernel_ops {
	/* The bytes of the kernel's own page tables (the direct map's, then
	 * kmap's), placed and reserved by mm_boot at mm->pgt_start; sets
	 * mm->direct_map_end. -1 with a message if the machine cannot be
	 * mapped. */
	int (*pgtable_size)(struct mm *mm, const struct hw_machine_desc *d, uint64_t *bytes,
			    char *err, size_t errlen);
	/* Set up what lives in those tables, once they are placed. */
	void (*paging_init)(struct mm *mm);
	/* A HighMem frame's kernel address (its kmap), 0 if none. */
	uint64_t (*kmap_address)(const struct mm *mm, uint64_t pfn);
	/* Zero a HighMem block through a temporary mapping, charged. */
	void (*clear_highpage)(struct mm *mm, struct page *page, unsigned order);
	void (*register_stats)(struct mm *mm, struct stats_registry *reg);
	/* The checker's part: 0, or -1 with the first violation. */
	int (*check)(struct mm *mm, char *err, size_t errlen);
	/* Free their host memory (mm_destroy). */
	void (*destroy)(struct mm *mm);
};
extern const struct mm_kernel_ops mm_kernel_2611;

/*
 * An era: its page allocator, the boot-time sizing and run-time sysctls
 * that go with it, kswapd, the views in its kernel's formats. mm_boot picks
 * the table once from the policy (mm_ops_2611: era=classic, Linux 2.6.11,
 * mm/2.6.11/page_alloc.c; mm_ops_61: era=modern, Linux 6.1,
 * mm/6.1/page_alloc.c); nothing else in mm/ asks which era runs.
 */
struct mm_ops {
	const char *era;                /* the policy's name: "classic", "modern" */
	const char *version;            /* the kernel it follows: "2.6.11", "6.1" */
	gfp_t gfp_anon;                 /* an anonymous user page's mask (do_anonymous_page) */
	int nr_free_lists;              /* buddy lists per order (free_area's free_lists[]) */
	bool takes_capture;             /* a real box's capture is this kernel's state */

	/* Boot, in mm_boot's order. */
	void (*setup_arch)(struct mm *mm, const struct hw_machine_desc *d);
	void (*zone_pcp_init)(struct mm *mm, struct zone *z);    /* per-CPU list sizes */
	void (*memmap_init_zone)(struct mm *mm, struct zone *z); /* after every frame is reserved */
	void (*build_all_zonelists)(struct mm *mm);
	/* One block handed to the buddy lists at boot (the zone lock not taken). */
	void (*free_boot_block)(struct mm *mm, struct page *page, struct zone *z, unsigned order);
	void (*init_per_zone_wmark_min)(struct mm *mm); /* min_free_kbytes, watermarks, protection */
	void (*trace_events)(struct mm *mm, struct trace *tr);   /* the era's own events */
	enum sim_step (*kswapd)(struct sim *s, struct sim_task *t);

	/* Run time: what alloc_pages and its kin, __free_pages and
	 * free_cold_page reach (each era's instance of mm/entry.h's
	 * alloc_pages_entry and free_pages_entry: nid -1 is the current CPU's
	 * node; zl NULL, the node's zonelist for the mask). */
	struct page *(*alloc_pages)(struct mm *mm, int nid, gfp_t gfp, unsigned order, struct zonelist *zl);
	int (*free_pages)(struct mm *mm, struct page *page, unsigned order, bool cold);
	/* Every per-CPU list of cpu back to the buddy lists. */
	void (*drain_pages)(struct mm *mm, int cpu);
	const char *const *sysctls;     /* the /proc/sys/vm files the kernel has */
	/* The kernel's handler of sysctl name, after mm_sysctl_write set the
	 * new value in mm->policy (old: the policy before). */
	void (*sysctl_handler)(struct mm *mm, const char *name, const struct mm_policy *old);

	/* Views and the checker. */
	const char *const *view_names;  /* every view mm_view knows in this era */
	const char *views_known;        /* the same, as an error message lists them */
	/* The era's printer of view name into o; false if it has none. */
	bool (*view)(struct mm *mm, const char *name, struct mm_out *o);
	void (*node_meminfo)(struct mm *mm, int nid, struct mm_out *o);
	/* The checker's part for zone z's per-CPU lists (and the era's own
	 * state): adds the pages they hold to *on_pcp. 0, or -1 with err. */
	int (*check_zone)(struct mm *mm, struct zone *z, unsigned long *on_pcp, char *err, size_t errlen);

	const struct mm_kernel_ops *kernel;
};
extern const struct mm_ops mm_ops_2611, mm_ops_61;

/* ---- Frames: their descriptors and simulated addresses ------------------- */

/*
 * The flat memory model, per node (2.6.11's DISCONTIGMEM and 6.1's
 * FLATMEM/DISCONTIG both come down to this here): node nid's frames are
 * node_data[nid]->node_mem_map[pfn - node_start_pfn]. The inline forms
 * (the kernel's asm-generic/memory_model.h names) are for hot paths; the
 * public page_to_pfn and pfn_to_page (mm/page.h, mm/page.c) call them.
 */
static inline uint64_t __page_to_pfn(const struct mm *mm, const struct page *page)
{
	const pg_data_t *pgdat = mm->node_data[page_nid(page)];
	return pgdat->node_start_pfn + (uint64_t)(page - pgdat->node_mem_map);
}

static inline struct page *__pfn_to_page(const struct mm *mm, uint64_t pfn)
{
	for (int nid = 0; nid < mm->nr_nodes; nid++) {
		pg_data_t *pgdat = mm->node_data[nid];
		if (pfn >= pgdat->node_start_pfn && pfn - pgdat->node_start_pfn < pgdat->node_spanned_pages)
			return &pgdat->node_mem_map[pfn - pgdat->node_start_pfn];
	}
	return NULL;
}

/* page_zone without the call: the node and zone are in the page's flags. */
static inline struct zone *zone_of_page(const struct mm *mm, const struct page *page)
{
	return &mm->node_data[page_nid(page)]->node_zones[page_zonenum(page)];
}

/* The simulated address of a frame's 64-byte struct page. */
static inline uint64_t page_paddr(const pg_data_t *pgdat, const struct page *page)
{
	return pgdat->mem_map_paddr + (uint64_t)(page - pgdat->node_mem_map) * SIM_PAGE_SIZE;
}

/* ---- Owners (page.c): what page->mapping's handle names ---------------- */

/* A handle for owner (never NULL), 1 or more: page->mapping is handle << 1,
 * with PAGE_MAPPING_ANON for an anon_vma. */
uint32_t mm_owner_add(struct mm *mm, void *owner);
/* The handle is free again; no page may still name it. */
void mm_owner_remove(struct mm *mm, uint32_t id);
void mm_owners_destroy(struct mm *mm);
static inline void *mm_owner(const struct mm *mm, uint32_t id)
{
	return id && id < mm->nr_owners ? mm->owners[id] : NULL;
}
/* The owner of page, or NULL (the kernel's page->mapping, anon bit aside). */
static inline void *page_owner(const struct mm *mm, const struct page *page)
{
	return mm_owner(mm, page_owner_id(page));
}

/* ---- The cost model --------------------------------------------------- */

/* Report an access to simulated kernel metadata and charge its cycles to
 * the current operation. */
static inline void mm_touch(struct mm *mm, uint64_t paddr, unsigned size, int write)
{
	if (mm->access)
		sim_charge(mm->sim, mm->access(mm->access_ctx, mm->cpu, paddr, size, write));
}

static inline void touch_page(struct mm *mm, const pg_data_t *pgdat, const struct page *page,
			      unsigned off, unsigned size, int write)
{
	if (mm->access)
		mm_touch(mm, page_paddr(pgdat, page) + off, size, write);
}

/*
 * The simulated struct zone (2.6.11 layout, x86_64, cache-line aligned
 * parts), which both eras charge: free_pages, pages_min/low/high and
 * lowmem_reserve[] in the first line; then pageset[NR_CPUS], each 128 bytes
 * (two 32-byte per_cpu_pages: count, low, high, batch and a list_head; then
 * the NUMA counters); then the lock on a line of its own; then
 * free_area[MAX_ORDER], 24 bytes each (a list_head and nr_free).
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
 * node (base = node_mem_map); mm/buddy.h has the primitives that change
 * them, each charging the accesses the kernel's list_add/list_del make.
 * head_paddr is the simulated list_head.
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

/* ---- Small arithmetic both eras' formulas use --------------------------- */

/* lib/int_sqrt.c: the integer square root, rounded down. */
static inline unsigned long int_sqrt(unsigned long x)
{
	unsigned long r = (unsigned long)sqrt((double)x);
	while (r * r > x)
		r--;
	while ((r + 1) * (r + 1) <= x)
		r++;
	return r;
}

/* SWAP_CLUSTER_MAX (include/linux/swap.h, 32 in both kernels). */
#define SWAP_CLUSTER_MAX 32UL

/* ---- Shared between the files of mm/ and the eras ------------------------- */

/* error.c: set the error state; returns -code for convenience. */
int mm_fail(struct mm *mm, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* page_alloc.c: every entry point from a task starts here: clears the
 * error state and takes the current CPU (0, or -MM_ENOCPU when there is
 * none). */
int mm_enter(struct mm *mm);
/* page_alloc.c: the end of an entry point: the checker, if check=on. */
void mm_leave(struct mm *mm, const char *where);

/* page_alloc.c: what both eras' allocators do alike, out of line. */
/* 2.6.11 and 6.1 zone_statistics: the NUMA counters of the zone that served. */
void zone_statistics(struct mm *mm, struct zonelist *zonelist, struct zone *z);
/* prep_zero_page (both kernels): clear_page on each frame, charged as a
 * write of each line; a HighMem frame through a temporary mapping. */
void prep_zero_page(struct mm *mm, struct page *page, unsigned order);
/* The trace events both eras emit, each only if enabled (the caller may
 * test first): a frame leaving a per-CPU list (mt < 0: no migratetype
 * field); one taken under the lock for a per-CPU refill; kswapd's and the
 * OOM killer's (nid < 0: no nid field); a failed allocation (gfp_text:
 * the caller's mask as text; msg is mm->err); direct reclaim that
 * reclaimed nr_reclaimed pages; a watermark band crossed (buddy.h); a
 * block freed (mm_page_free, from start to now). */
void trace_mm_page_pcpu_drain(struct mm *mm, struct page *page, unsigned order, int mt);
void trace_mm_page_alloc_zone_locked(struct mm *mm, struct page *page, unsigned order);
void trace_mm_simple(struct mm *mm, int ev, int nid, unsigned order);
void trace_mm_page_alloc_fail(struct mm *mm, unsigned order, const char *gfp_text);
void trace_mm_direct_reclaim(struct mm *mm, gfp_t gfp, unsigned order, unsigned long nr_reclaimed);
void trace_mm_page_free(struct mm *mm, uint64_t pfn, unsigned order, cycle_t start);
void trace_mm_zone_watermark(struct mm *mm, struct zone *zone, unsigned long old);

/* page_alloc.c: kswapd's task. Whether it sleeps (not started yet, or
 * waiting on kswapd_wait); wake it (start it at its first wakeup: the
 * kernel's sleeps from boot, and starting it lazily keeps an idle machine
 * without queued events), counting and tracing a wakeup that woke it. */
bool kswapd_asleep(const pg_data_t *pgdat);
void kswapd_wake_up(struct mm *mm, pg_data_t *pgdat, unsigned order);

/* vmstat.c: the invariant checker run by check=on; and its walk of one
 * list, checking the links: the list's length, or -1 with err (what names
 * the list). */
void mm_check_or_panic(struct mm *mm, const char *where);
long mm_check_list(pg_data_t *pgdat, const struct page_list *l, char *err, size_t errlen, const char *what);
void mm_outf(struct mm_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * vmstat.c: what the views read, in pages, for one node (count_node adds
 * to c) or (count_all, from zero) the machine: managed and free pages (the
 * buddy lists only: pages on per-CPU lists are neither free nor allocated,
 * as 6.1's NR_FREE_PAGES counts them), the HighMem part of both, the frames
 * the slab allocator holds (PG_slab, split by its caches'
 * SLAB_RECLAIM_ACCOUNT), and the NUMA events of the node's zones, each
 * summed over the CPUs' pagesets.
 */
struct mem_counts {
	unsigned long present, managed, free, high_present, high_managed, high_free;
	unsigned long slab_reclaimable, slab_unreclaimable;
	uint64_t numa_hit, numa_miss, numa_foreign, interleave_hit, local_node, other_node;
};
void count_node(struct mm *mm, int nid, struct mem_counts *c);
void count_all(struct mm *mm, struct mem_counts *c);

/* A meminfo line: the label padded as the kernel pads it, the value in kB. */
struct meminfo_line {
	const char *label;      /* with its padding */
	unsigned long kb;
	int width;              /* 0: 8 and " kB"; else that width, no unit */
};
#define K(x) ((unsigned long)(x) << (HW_PAGE_SHIFT - 10))

#endif
