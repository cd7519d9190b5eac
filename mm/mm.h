/*
 * The memory manager's public API: what the Lua layer, tools and tests use.
 *
 * A struct mm is the physical memory manager of one simulated machine: its
 * nodes (pg_data_t), zones, buddy free lists, per-CPU page lists, counters
 * and kswapd tasks. It is built by mm_boot from a machine description and a
 * policy, runs inside a struct sim (whose memory port charges the cycles of
 * every metadata access), and is freed by mm_destroy.
 *
 * The era. Two kernels are modelled: the `classic` era, Linux 2.6.11 as
 * "Understanding the Linux Kernel" (3rd ed.) describes it, and the `modern`
 * era, Linux 6.1 (migrate types, per-CPU lists per type, 6.1's
 * __alloc_pages and slow path, 6.1's boot-time sizing: docs/mm.md). The
 * policy names the era, and mm_boot picks that era's table of operations
 * once: mm/ keeps what both share, mm/2.6.11/ and mm/6.1/ each era's
 * mechanisms in files named after the kernel files that hold them
 * (docs/architecture.md has the file map). This API is the same in both.
 *
 * The current CPU. Allocation and free run on the CPU of the simulation's
 * current context (sim_cur_cpu: the running task's CPU). Outside sim_run
 * there is none and the entry points fail with MM_ENOCPU; a test or tool
 * that drives the allocator directly sets s->cur.cpu first (mm_set_cpu).
 *
 * Errors (STYLE.md's three kinds): a simulated failure (no memory) returns
 * NULL as the kernel does, with mm_errno() == MM_ENOMEM; a misuse the kernel
 * would BUG() on (freeing a free page, a wrong order, a pfn outside every
 * zone, an unaligned block) returns NULL or a negative MM_E* code with a
 * message in mm_error(), and changes nothing; host out-of-memory aborts.
 */
#ifndef MMSIM_MM_MM_H
#define MMSIM_MM_MM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/machine.h"
#include "hw/tlb.h"
#include "mm/gfp.h"
#include "mm/mmzone.h"
#include "mm/page.h"
#include "sim/sim.h"
#include "sim/stats.h"
#include "sim/trace.h"

/* ---- Policy ------------------------------------------------------------ */

enum mm_era {
	MM_ERA_CLASSIC,         /* Linux 2.6.11 */
	MM_ERA_MODERN,          /* Linux 6.1: boot-time sizing (zones, watermarks,
				 * protection, pcp high/batch, zonelists) and the
				 * allocator as 6.1's (mm/6.1/page_alloc.c) */
};

enum zonelist_order {
	ZONELIST_ORDER_NODE,    /* all zones of the best node, then the next node
				 * (2.6.11's only order) */
	ZONELIST_ORDER_ZONE,    /* the highest zone of every node in node order,
				 * then the next zone down (2.6.23's option) */
};

struct mm_policy {
	enum mm_era era;
	bool pcp;               /* per-CPU hot/cold lists (pcp=on|off) */
	long min_free_kbytes;   /* -1: 2.6.11's sqrt rule (min_free_kbytes=N|auto) */
	unsigned lowmem_reserve_ratio[ZONE_HIGHMEM]; /* DMA, DMA32, Normal (HighMem's,
						      * 6.1's only, is 0) */
	enum zonelist_order zonelist_order;
	bool zonelist_order_set; /* zonelist_order was given (a knob a kernel
				  * without CONFIG_NUMA lacks: mm_policy_check) */
	unsigned max_order;     /* MAX_ORDER: 2 .. 15, default 11 */
	bool hw;                /* charge metadata accesses to the cost model */
	bool check;             /* run the invariant checker after every operation */
	bool slab_colour;       /* slab colouring (mm/slab.c): off puts every slab at
				 * colour 0 (slab_colour=on|off) */
	/* The modern era's sysctls (the classic era ignores them). */
	unsigned watermark_scale_factor;        /* 1 .. 3000, 6.1's default 10 */
	unsigned percpu_pagelist_high_fraction; /* 0 (pcp high from the low
						 * watermark) or 8 .. */
	bool thp;               /* transparent huge pages enabled (6.1
				 * khugepaged's min_free_kbytes rule) */
	bool dma_bounce;        /* a DMA buffer beyond a device's mask is bounced
				 * through a low pool (on) or refused (off): bounce.c */
	bool highpte;           /* CONFIG_HIGHPTE: user PTE pages from HighMem,
				 * reached with kmap_atomic(KM_PTE0) (memory.c) */
};

/* The classic era with 2.6.11's defaults: pcp on, min_free_kbytes auto,
 * lowmem_reserve_ratio 256,256,32, node order, max_order 11, hw on, check off,
 * dma_bounce on, highpte off. */
void mm_policy_default(struct mm_policy *p);

/*
 * Set one knob from text: name is one of era, pcp, min_free_kbytes,
 * lowmem_reserve_ratio, zonelist_order, max_order, hw, check, slab_colour,
 * watermark_scale_factor, percpu_pagelist_high_fraction, thp, dma_bounce, highpte.
 * Returns 0, or -1 with a message naming the knob and its accepted values
 * (an unknown name lists the knobs). p is unchanged on error.
 */
int mm_policy_set(struct mm_policy *p, const char *name, const char *value,
		  char *err, size_t errlen);
/* The same from "name=value" (the -P command-line form). */
int mm_policy_parse(struct mm_policy *p, const char *assignment, char *err, size_t errlen);

/* Whether policy p can be given to machine d's kernel: 0, or -1 with a
 * message. zonelist_order is /proc/sys/vm/numa_zonelist_order, which a
 * kernel built without CONFIG_NUMA (d->no_numa) does not have. mm_boot
 * checks it. */
int mm_policy_check(const struct mm_policy *p, const struct hw_machine_desc *d, char *err, size_t errlen);

/* The knob names, NULL-terminated, in the order traces record them. */
const char *const *mm_policy_knobs(void);
/* A knob's one-line description (NULL when it has none) and, in *accepted,
 * its accepted values (NULL for an unknown knob): for --help. */
const char *mm_policy_knob_help(const char *name, const char **accepted);
/* One knob's value as text, as mm_policy_set accepts it ("on", "256,256,32").
 * Returns the length wanted (snprintf-style), or -1 for an unknown knob. */
int mm_policy_get(const struct mm_policy *p, const char *name, char *buf, size_t len);

/* Write the whole policy as a JSON object member `key` of the line being
 * written (the trace header's "policy"), knob by knob in mm_policy_knobs()
 * order, each value as mm_policy_get gives it. */
void mm_policy_trace(const struct mm_policy *p, struct trace *tr, const char *key);

/* ---- Run-time sysctls (mm/policy.c; the era's handlers) ------------------ */

/*
 * Write /proc/sys/vm/NAME at run time, recomputing what the era's handler
 * recomputes and nothing more: min_free_kbytes (watermarks; in the modern
 * era also pcp high), watermark_scale_factor (the same, modern only),
 * lowmem_reserve_ratio (protection), percpu_pagelist_high_fraction (pcp
 * high and batch, modern only). value is as -P takes it. Returns 0, or -1
 * with a message (unknown name, bad value; nothing changed).
 */
struct mm;
int mm_sysctl_write(struct mm *mm, const char *name, const char *value, char *err, size_t errlen);
/* Whether name is one of those sysctls. */
bool mm_is_sysctl(const char *name);

/* ---- An imported machine's state at capture (mm/capture.c) -------------- */

/*
 * After mm_boot on an imported machine (hw_import_dir), rebuild what its
 * zoneinfo showed, zone by zone (what: an OR of):
 *   MM_CAPTURE_IN_USE      managed - "pages free" - the pagesets' "count:"
 *                          pages taken as unmovable pages never freed (the
 *                          kernel's own use at capture), and each CPU's
 *                          "count:" pages put on its per-CPU lists (movable);
 *                          "pages free" then equals the file's;
 *   MM_CAPTURE_WMARKS      min, low, high and the pagesets' high and batch
 *                          as the file shows them (6.1 computed its boot
 *                          values from earlier managed counts);
 *   MM_CAPTURE_PROTECTION  protection (lowmem_reserve) as the file shows it.
 * Modern era only. Nothing taken is traced or counted. Returns 0, or -1
 * with a message naming the node and zone (a capture that does not fit the
 * booted machine).
 */
struct hw_import;
#define MM_CAPTURE_IN_USE     1u
#define MM_CAPTURE_WMARKS     2u
#define MM_CAPTURE_PROTECTION 4u
int mm_apply_capture(struct mm *mm, const struct hw_import *imp, unsigned what, char *err, size_t errlen);
/* "in_use,wmarks,protection" (any of them, comma-separated, or "all") as
 * MM_CAPTURE_* bits. Returns 0, or -1 with a message listing the parts. */
int mm_capture_parse(const char *text, unsigned *what, char *err, size_t errlen);

/* ---- Boot and teardown ------------------------------------------------- */

struct mm;

/* Error codes (negative when returned). */
enum {
	MM_OK = 0,
	MM_ENOMEM = 1,          /* the allocation failed: not enough free memory */
	MM_EINVAL = 2,          /* misuse: see mm_error() */
	MM_ENOCPU = 3,          /* called with no current CPU */
	MM_EFAULT = 4,          /* a kernel virtual address nothing maps (the
				 * page-table walker's fault) */
};

/*
 * Build the memory manager of the machine d (which must pass
 * hw_desc_validate) under policy p: nodes and zones from the memory map,
 * mem_map and the zone and per-CPU structures placed in simulated memory and
 * reserved, all usable memory freed into the buddy lists, watermarks,
 * lowmem_reserve, per-CPU list sizes and zonelists computed, one kswapd task
 * per node created (started on the node's first CPU). Boot itself costs no
 * simulated cycles. tr may be NULL (no trace). Returns the mm, or NULL with a
 * message in err (an invalid description or policy, too little memory).
 */
struct mm *mm_boot(struct sim *s, const struct hw_machine_desc *d, const struct mm_policy *p,
		   struct trace *tr, char *err, size_t errlen);

/* Free everything mm_boot allocated. The kswapd tasks must not be queued in
 * a simulation that keeps running: destroy the sim first, or stop running it. */
void mm_destroy(struct mm *mm);

/* Register every counter (vmstat, per zone and per node) in reg under
 * "mm."; the mm must outlive reg's use. */
void mm_register_stats(struct mm *mm, struct stats_registry *reg);

/* The last error: its code (0 after a success) and message. */
int mm_errno(const struct mm *mm);
const char *mm_error(const struct mm *mm);

/* For tests and tools driving the allocator outside sim_run: make cpu the
 * current CPU of s (sets s->cur.cpu). */
void mm_set_cpu(struct mm *mm, int cpu);

/*
 * The current task's process flags as the allocator reads them
 * (current->flags & PF_MEMALLOC, rt_task(current), in_interrupt()). The layer
 * that runs tasks sets them before calling in; they default to 0/false.
 */
#define PF_MEMALLOC 0x00000800u /* 2.6.11's value: reclaiming, may use all memory */
void mm_set_current(struct mm *mm, unsigned pf_flags, bool rt, bool in_interrupt);

/* ---- Lookups ----------------------------------------------------------- */

const struct mm_policy *mm_policy(const struct mm *mm);
int mm_nr_nodes(const struct mm *mm);
int mm_nr_cpus(const struct mm *mm);
pg_data_t *NODE_DATA(struct mm *mm, int nid);
int cpu_to_node(const struct mm *mm, int cpu);
unsigned mm_max_order(const struct mm *mm);
/* The modern era's pageblock_order (9 on x86_64 and i386 PAE, 10 on a
 * 2-level i386); 0 in the classic era, which has no pageblocks. */
unsigned mm_pageblock_order(const struct mm *mm);
/* min_free_kbytes in effect (computed or from the policy). */
unsigned long mm_min_free_kbytes(const struct mm *mm);

/* pfn_to_page, page_to_pfn, page_zone, page_desc_paddr: mm/page.h. */

/* ---- The kernel's direct mapping (mm/2.6.11/init.c) --------------------- */

/*
 * Boot builds the page tables that map lowmem at PAGE_OFFSET with large
 * pages (x86_64: PML4, PDPT, PD with 2 MiB pages; i386: the page directory
 * with 4 MiB pages; i386-pae: PDPT, PMD with 2 MiB pages), in frames reserved
 * low in memory (from 0x8000 up on x86_64, at 1 MiB on i386, as the kernel
 * places them). mm_kernel_walk is the struct hw_mmu
 * walker for them: ctx is the mm; it fills w with the physical address of
 * each entry read, top level first, and the large page's frame, marked
 * global. It returns 0, or -MM_EFAULT for an address the direct map does not
 * map, after the entries read up to the missing one. It needs no hw: the
 * layer that owns both installs it on each CPU with hw_set_mmu.
 */
int mm_kernel_walk(void *ctx, int cpu, uint64_t vaddr, int write, struct hw_walk *w);
/* { mm_kernel_walk, mm }, ready for hw_set_mmu. */
struct hw_mmu mm_kernel_mmu(struct mm *mm);
/* The physical bytes mapped, [0, end): the top of lowmem rounded up to a
 * large page. */
uint64_t mm_direct_map_end(const struct mm *mm);
/* The reserved frames holding the tables, [start, end) in bytes; the top
 * level (init_level4_pgt, swapper_pg_dir) is at start. */
void mm_kernel_pgtables(const struct mm *mm, uint64_t *start, uint64_t *end);

/* ---- The zoned page frame allocator (mm/page_alloc.c, the era's) --------- */

/*
 * 2^order contiguous frames as the gfp mask allows, preferring the current
 * CPU's node. NULL when it fails (mm_errno says why); order >= MAX_ORDER is
 * MM_EINVAL as well as NULL.
 */
struct page *alloc_pages(struct mm *mm, gfp_t gfp_mask, unsigned order);
#define alloc_page(mm, gfp_mask) alloc_pages((mm), (gfp_mask), 0)
/* The same, preferring node nid (-1: the current CPU's node). */
struct page *alloc_pages_node(struct mm *mm, int nid, gfp_t gfp_mask, unsigned order);
/* The zoned allocator itself, on an explicit zonelist. */
struct page *__alloc_pages(struct mm *mm, gfp_t gfp_mask, unsigned order,
			   struct zonelist *zonelist);

/* Kernel virtual addresses (the direct map: PAGE_OFFSET + physical address;
 * 0xffff810000000000 on x86_64, 0xc0000000 on i386). HighMem frames have
 * none: these calls refuse __GFP_HIGHMEM with MM_EINVAL. 0 on failure. */
uint64_t __get_free_pages(struct mm *mm, gfp_t gfp_mask, unsigned order);
#define __get_free_page(mm, gfp_mask) __get_free_pages((mm), (gfp_mask), 0)
uint64_t get_zeroed_page(struct mm *mm, gfp_t gfp_mask);
uint64_t __get_dma_pages(struct mm *mm, gfp_t gfp_mask, unsigned order);
uint64_t page_address(const struct mm *mm, const struct page *page);
/* The page of a direct-map address, or NULL. */
struct page *virt_to_page(struct mm *mm, uint64_t kaddr);

/*
 * Drop a reference to the block of 2^order frames at page, freeing it when
 * the count reaches zero (order 0 to the current CPU's hot list). Returns 0,
 * or -MM_EINVAL (nothing changed) for a free page, a reserved page, a page
 * that does not head a block handed out with this order, an unaligned block.
 */
int __free_pages(struct mm *mm, struct page *page, unsigned order);
#define __free_page(mm, page) __free_pages((mm), (page), 0)
int free_pages(struct mm *mm, uint64_t kaddr, unsigned order);
/* 2.6.11 free_cold_page: like __free_page, but onto the head of the cold
 * per-CPU list (a frame whose contents the caller knows are not cached). */
int free_cold_page(struct mm *mm, struct page *page);
/* The same by frame number: pfn outside every zone is -MM_EINVAL. */
int free_pages_pfn(struct mm *mm, uint64_t pfn, unsigned order);

/* Take a reference (get_page). -MM_EINVAL on a free page. */
int get_page(struct mm *mm, struct page *page);

/* Empty every per-CPU list of the current CPU (drain_local_pages) or of
 * every CPU (drain_all_pages) back into the buddy lists. */
void drain_local_pages(struct mm *mm);
void drain_all_pages(struct mm *mm);

/*
 * 2.6.11 zone_watermark_ok: may an allocation of 2^order frames go ahead in
 * z, leaving `mark` pages (halved for gfp_high, less a quarter for
 * can_try_harder) plus lowmem_reserve[classzone_idx] free, with enough
 * blocks at each order above?
 */
int zone_watermark_ok(struct zone *z, int order, unsigned long mark,
		      int classzone_idx, int can_try_harder, int gfp_high);

/* Sum of free pages over every zone (nr_free_pages). */
unsigned long nr_free_pages(const struct mm *mm);

/* ---- Views (mm/vmstat.c, the era's): text in the kernel's formats ------- */

/*
 * Each writes into buf (at most len bytes, NUL-terminated) and returns the
 * length the whole text needs (snprintf-style), so a caller can size a
 * buffer by calling with len 0.
 *   buddyinfo  /proc/buddyinfo
 *   zoneinfo   /proc/zoneinfo (2.6.13's format with 'managed' and the
 *              per-CPU lists' low/high/batch)
 *   vmstat     /proc/vmstat: classic, the counters that apply; modern,
 *              6.1's every line (unmodelled items 0)
 *   meminfo    /proc/meminfo: classic, MemTotal, MemFree, HighTotal,
 *              HighFree, LowTotal, LowFree; modern, 6.1's every line
 *   numastat, node_meminfo  every node's numastat / meminfo file
 *              (mm_node_view)
 *   freelists  every free list, per node, zone and order: the pfns in list
 *              order, head first; then every per-CPU list the same way
 */
size_t mm_view(struct mm *mm, const char *name, char *buf, size_t len);
/* A per-node view, "numastat" or "node_meminfo" (the era's
 * /sys/devices/system/node/nodeN/numastat and .../meminfo), of node nid;
 * nid -1: every node, each under a "==> nodeN/FILE <==" header (as
 * head(1) shows several files) when there are several. snprintf-style like
 * mm_view; an unknown name or node, or a machine without CONFIG_NUMA
 * (no such files), sets mm_errno (MM_EINVAL). */
size_t mm_node_view(struct mm *mm, const char *name, int nid, char *buf, size_t len);
/* The view names of mm's era (the classic era's if mm is NULL; the modern
 * era adds pagetypeinfo), NULL-terminated. */
const char *const *mm_view_names(const struct mm *mm);

/*
 * The pfns on one list of zone `zone` (ZONE_DMA...) of node nid, in list
 * order (head first): list >= 0 is the buddy free list of that order;
 * list = -(2 * cpu + 1) is cpu's hot per-CPU list, -(2 * cpu + 2) its cold
 * one (MM_PCP_LIST below). Writes at most max pfns and returns how many the
 * list holds, so a caller can size its buffer by calling with max 0.
 */
#define MM_PCP_LIST(cpu, cold) (-(2 * (cpu) + 1 + ((cold) ? 1 : 0)))
size_t mm_list_pfns(struct mm *mm, int nid, int zone, int list, uint64_t *pfns, size_t max);

/*
 * Members of a trace line that is not an event (the caller opens and closes
 * the line and writes its "type"; docs/trace-format.md):
 *   mm_trace_freelists  "freelists":[{"node":N,"zone":"DMA","free":F,
 *                        "orders":[[pfn,...],...],"pcp":[{"cpu":C,"hot":[...],
 *                        "cold":[...]},...]},...]: every list, head first,
 *                        so a reader can replay the events that follow
 *                        through its own model of 2.6.11;
 *   mm_trace_snapshot   "zones":[{"node":N,"zone":"DMA","free":F,"min":..,
 *                        "low":..,"high":..,"nr_free":[...],"pcp":[[hot,cold]
 *                        per CPU]},...],"vmstat":{name:value,...};
 *   mm_trace_zones      "zones":[{"node","zone","start_pfn","spanned",
 *                        "present","managed","min","low","high","protection":
 *                        [...],"pcp":[{"list":"hot","low","high","batch"},
 *                        {"list":"cold",...}]},...] (the header's layout).
 * Zones without present pages are left out.
 */
void mm_trace_freelists(struct mm *mm, struct trace *tr);
void mm_trace_snapshot(struct mm *mm, struct trace *tr);
void mm_trace_zones(struct mm *mm, struct trace *tr);

/*
 * Walk every structure and check the invariants listed in mmzone.h and
 * page_alloc.c. Returns 0, or -1 with the first violation described in err.
 * Runs after every operation when the policy says check=on (then a
 * violation panics: it is a bug in mmsim, not a user's mistake).
 */
int mm_check(struct mm *mm, char *err, size_t errlen);

/* vmstat counters (mm/vmstat.c), machine-wide, with the kernel's names. */
enum vm_event_item {
	PGALLOC_DMA, PGALLOC_DMA32, PGALLOC_NORMAL, PGALLOC_HIGH,
	PGALLOC_MOVABLE,        /* modern era: ZONE_MOVABLE (indexed PGALLOC_DMA + zone_idx) */
	PGFREE,
	NUMA_HIT, NUMA_MISS, NUMA_FOREIGN, INTERLEAVE_HIT, LOCAL_NODE, OTHER_NODE,
	ALLOCSTALL,             /* direct reclaim entered */
	PAGEOUTRUN,             /* kswapd balance_pgdat passes */
	KSWAPD_WAKE,            /* kswapd woken (mmsim's count of wakeup_kswapd that woke it) */
	PGALLOC_FAIL,           /* allocations that returned NULL (mmsim) */
	PCP_REFILL,             /* rmqueue_bulk calls (mmsim) */
	PCP_DRAIN,              /* free_pages_bulk calls from a per-CPU list (mmsim) */
	ZONE_LOCK,              /* zone->lock acquisitions (mmsim) */
	PGFAULT,                /* page faults handled (handle_mm_fault) */
	PGMAJFAULT,             /* of which needed I/O (none: no swap, no files) */
	NR_VM_EVENT_ITEMS
};
uint64_t mm_vm_event(const struct mm *mm, enum vm_event_item item);
const char *mm_vm_event_name(enum vm_event_item item);

#endif
