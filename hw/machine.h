/*
 * The machine description: what the hardware looks like, before any of it is
 * built. A description is a plain value (no pointers, copyable with =), filled
 * by a preset, by a builder (Lua, JSON, an imported /proc) or by hand, then
 * checked by hw_desc_validate() and handed to hw_create().
 *
 * Addresses are physical byte addresses; every range is half-open
 * [start, end). Memory is described twice, as real firmware does:
 *   - nodes[] gives each NUMA node's physical span (what SRAT says), which
 *     may contain holes; a memoryless node has start == end;
 *   - ranges[] is the firmware memory map (what e820 says): usable and
 *     reserved ranges, sorted by start, not overlapping. Addresses in no
 *     range are holes (nothing is there).
 * Every usable range must lie inside exactly one node.
 *
 * distance[][] is the ACPI SLIT: distance[i][j] is the relative cost for a
 * CPU on node i to reach memory on node j; 10 on the diagonal, at least 10
 * elsewhere, not necessarily symmetric. Builders that read rows of varying
 * length record each row's length in distance_len[] and the number of rows in
 * nr_distance_rows, so validation can name a short or missing row.
 *
 * Cost parameters are in CPU cycles. Default values and where they come from
 * are documented at hw_desc_init() in machine.c and in docs/architecture.md.
 */
#ifndef MMSIM_HW_MACHINE_H
#define MMSIM_HW_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HW_MAX_NODES  64
#define HW_MAX_CPUS   256
#define HW_MAX_RANGES 128

#define HW_PAGE_SHIFT 12
#define HW_PAGE_SIZE  (UINT64_C(1) << HW_PAGE_SHIFT)

enum hw_arch {
	HW_ARCH_X86_64,   /* 4-level page tables, 2 MiB large pages, 52-bit physical */
	HW_ARCH_I386,     /* 2-level page tables, 4 MiB large pages, 32-bit physical */
	HW_ARCH_I386_PAE, /* 3-level page tables, 2 MiB large pages, 36-bit physical */
};

enum hw_mem_type {
	HW_MEM_USABLE,    /* e820 type 1: RAM the OS may use */
	HW_MEM_RESERVED,  /* e820 type 2: firmware, ROM, MMIO: never given to the OS */
	HW_MEM_KERNEL,    /* RAM the kernel reserves at boot (memblock: the low
	                     1 MiB, its image, mem_map, initrd): counted in a
	                     zone's present pages, never freed to the buddy
	                     allocator. What an imported machine's present minus
	                     managed becomes (hw/machine_import.c). */
};

struct hw_mem_range {
	uint64_t start, end;
	enum hw_mem_type type;
};

struct hw_node_desc {
	uint64_t start, end;    /* physical span, holes allowed; empty if memoryless */
	uint64_t movable_start; /* where ZONE_MOVABLE starts (6.1's zone_movable_pfn,
				   from kernelcore= or movablecore=), up to end;
				   0: no Movable zone */
};

struct hw_cpu_desc {
	int node;               /* the node this CPU sits on */
	uint64_t hz;            /* clock rate, for turning cycles into seconds */
};

enum hw_repl {
	HW_REPL_LRU,            /* evict the least recently used way */
	HW_REPL_FIFO,           /* evict the way filled longest ago */
	HW_REPL_RANDOM,         /* evict a way chosen by the seeded RNG */
};

struct hw_cache_params {
	uint64_t size;          /* bytes; size / (ways * line) sets, a power of two */
	unsigned ways;          /* associativity, >= 1 */
	unsigned line;          /* line size in bytes, a power of two */
	unsigned latency;       /* cycles for an access that hits at this level */
	enum hw_repl repl;
};

struct hw_tlb_params {
	unsigned entries;       /* entries / ways sets, a power of two */
	unsigned ways;
};

/* A disk (hw/blkdev.h): a swap device or a device holding files. */
#define HW_MAX_DISKS 8
struct hw_disk_desc {
	char name[32];          /* "sda": how scenarios name it */
	uint64_t size;          /* bytes, a multiple of 4096 */
	uint64_t latency_ns;    /* per request (command, seek, flash read) */
	uint64_t bandwidth;     /* bytes per second, once the request started */
	unsigned dma_bits;      /* its DMA reaches below 2^dma_bits (64: all) */
};

struct hw_machine_desc {
	char name[32];          /* preset or user name, for traces and messages */
	enum hw_arch arch;

	int nr_nodes;
	struct hw_node_desc nodes[HW_MAX_NODES];
	int nr_cpus;
	struct hw_cpu_desc cpus[HW_MAX_CPUS];
	int nr_ranges;
	struct hw_mem_range ranges[HW_MAX_RANGES];

	int nr_distance_rows;
	int distance_len[HW_MAX_NODES];
	unsigned distance[HW_MAX_NODES][HW_MAX_NODES];

	/* 32-bit only: where lowmem (the direct map, ZONE_NORMAL) ends, in
	 * bytes; 0 for the classic 896 MiB. A real 6.1 box ends it a little
	 * lower (max_low_pfn, after the vmalloc reserve and the fixmap), so an
	 * imported machine takes it from where zoneinfo's HighMem starts. */
	uint64_t lowmem_end;

	/* A kernel built without CONFIG_NUMA (one node): 6.1 then has one
	 * zonelist per node, so dmesg's mminit lines have no "thisnode"
	 * list. false (the default): a NUMA kernel, as Debian's are. An
	 * import sets it when the capture has sys/ but no
	 * sys/devices/system/node. */
	bool no_numa;

	struct hw_cache_params l1d;   /* per CPU */
	struct hw_cache_params l2;    /* per CPU */
	struct hw_cache_params llc;   /* one per node, shared by its CPUs */
	struct hw_tlb_params dtlb;    /* per CPU, 4 KiB pages */
	struct hw_tlb_params dtlb_large; /* per CPU, large pages (2 or 4 MiB) */

	unsigned dram_latency;  /* local DRAM access; at distance d it costs
	                           dram_latency * d / 10 */
	unsigned c2c_latency;   /* a line fetched from another CPU's cache on the
	                           same node; across nodes add
	                           dram_latency * (d - 10) / 10 */
	unsigned ipi_latency;   /* a TLB shootdown's cost per target CPU */
	unsigned invlpg_latency;    /* invalidating one TLB entry */
	unsigned tlb_flush_latency; /* flushing a whole TLB (a CR3 reload) */

	int nr_disks;
	struct hw_disk_desc disks[HW_MAX_DISKS];
};

/* A disk with the defaults: a SATA SSD's order of magnitude, 100 us per
 * request and 500 MB/s, DMA over all of memory. */
void hw_disk_default(struct hw_disk_desc *disk, const char *name, uint64_t size);

/* Architecture facts. */
const char *hw_arch_name(enum hw_arch arch);           /* "x86_64", "i386", "i386-pae" */
int hw_arch_parse(const char *name, enum hw_arch *out); /* 0, or -1 if unknown */
unsigned hw_arch_pt_levels(enum hw_arch arch);         /* 4, 2, 3 */
unsigned hw_arch_large_page_shift(enum hw_arch arch);  /* 21, 22, 21 */
uint64_t hw_arch_phys_limit(enum hw_arch arch);        /* 2^52, 2^32, 2^36 */

/* An empty description for arch: no nodes, CPUs or memory, default cache,
 * TLB and latency parameters. */
void hw_desc_init(struct hw_machine_desc *d, enum hw_arch arch);

/*
 * A PC-like machine: mem_bytes of RAM split evenly over nr_nodes nodes,
 * nr_cpus CPUs split evenly over the nodes in order, distance 10 local and 20
 * remote, and a firmware map with the legacy hole below 1 MiB
 * (usable [0, 0x9f000), reserved [0x9f000, 0x100000)) and, when RAM reaches
 * past 3 GiB on x86_64, the PCI hole [3 GiB, 4 GiB) reserved with the RAM
 * that would have been there moved above 4 GiB. Returns 0, or -1 with a
 * message in err when the request cannot be met (too little memory for the
 * nodes, more memory than the architecture addresses, ...).
 */
int hw_desc_pc(struct hw_machine_desc *d, enum hw_arch arch, uint64_t mem_bytes,
	       int nr_nodes, int nr_cpus, char *err, size_t errlen);

/*
 * Named presets:
 *   "pc-i386"       the book's 32-bit PC: i386, 1 GiB, 1 node, 1 CPU
 *   "pc-i386-pae"   the same with PAE and 8 GiB
 *   "x86_64"        one node, 4 GiB, 2 CPUs
 *   "x86_64-numa2"  2 nodes, 8 GiB, 2 CPUs per node, distance 10/20
 *   "x86_64-numa4"  4 nodes, 16 GiB, 2 CPUs per node, an asymmetric SLIT
 * mem_bytes and nr_cpus override the preset's when non-zero. Returns 0, or -1
 * with a message (an unknown name lists the known ones).
 */
int hw_preset(const char *name, uint64_t mem_bytes, int nr_cpus,
	      struct hw_machine_desc *d, char *err, size_t errlen);
/* The preset names, NULL-terminated, in the order above. */
const char *const *hw_preset_names(void);

/*
 * Check a description. Returns 0, or -1 with one message in err that names
 * the field at fault the way a JSON description spells it, e.g.
 *   "ranges[2]: overlaps ranges[1] ([0x100000, 0x40000000))"
 *   "cpus[3].node: 5 is not a node (the machine has 2)"
 *   "distance[1]: 1 entries, expected 2"
 *   "nodes[0].end: 0x3ff00800 is not page-aligned"
 * The first fault found is reported; the checks run in a fixed order.
 */
int hw_desc_validate(const struct hw_machine_desc *d, char *err, size_t errlen);

/*
 * Descriptions written as JSON (hw/machine_json.c, docs/machines.md): a
 * preset or a PC as the base, then explicit topology and parameters. Each
 * returns 0 with a validated description, or -1 with one message naming the
 * source and the field ("m.json: cpus[3].node: ...") or, for a syntax error,
 * the source and line ("m.json:7: not valid JSON (near '...')").
 */
struct cJSON;
int hw_desc_from_cjson(const struct cJSON *root, const char *source,
		       struct hw_machine_desc *d, char *err, size_t errlen);
int hw_desc_from_json(const char *text, const char *source, struct hw_machine_desc *d,
		      char *err, size_t errlen);
int hw_desc_load(const char *path, struct hw_machine_desc *d, char *err, size_t errlen);

/* d as the member `key` of the trace line being written, in the JSON format
 * hw_desc_from_json reads (hw/machine_trace.c): a trace header's machine
 * can be run again as it is. */
struct trace;
void hw_desc_trace(const struct hw_machine_desc *d, struct trace *t, const char *key);

/* ---- Importing a real machine (hw/machine_import.c) ------------------- */

/*
 * What a directory captured from a real Linux box (tools/capture-machine.sh;
 * laid out as /proc and /sys are) says: the description, plus what is not
 * hardware but comes with it, kept as text for the memory manager's policy.
 */
#define HW_IMPORT_MAX_ZONES 8
struct hw_import_zone {
	char name[16];                /* "DMA", "DMA32", "Normal", "Movable", ... */
	uint64_t start_pfn, spanned, present, managed;
	uint64_t min, low, high;      /* the watermarks zoneinfo showed */
	uint64_t protection[HW_IMPORT_MAX_ZONES];
	int nr_protection;
	uint64_t pcp_high, pcp_batch; /* the first CPU's pageset */
	bool has_pcp;
	/* The state at capture: "pages free" (the buddy lists only) and each
	 * CPU's pageset "count:" (pages on its per-CPU lists). */
	uint64_t free;
	uint32_t pcp_count[HW_MAX_CPUS];
};
struct hw_import_node {
	int nr_zones;
	struct hw_import_zone zones[HW_IMPORT_MAX_ZONES];
};
struct hw_import {
	struct hw_machine_desc desc;
	int nr_nodes;
	struct hw_import_node nodes[HW_MAX_NODES];
	/* proc/sys/vm files, whitespace-trimmed ("" when the file is missing). */
	char min_free_kbytes[32];
	char watermark_scale_factor[32];
	char lowmem_reserve_ratio[64];
	char percpu_pagelist_high_fraction[32];
	char numa_zonelist_order[32];
	char thp[16];                 /* sys/kernel/mm/transparent_hugepage/enabled:
	                                 the bracketed word, "" if missing */
	char kernel[32];              /* proc/version's release ("6.1.20"), "" if missing */
	bool kernel_not_61;           /* it names another version than 6.1: the
	                                 note says what may differ (the caller
	                                 should warn) */
	char notes[2048];             /* one line per default taken */
};

/*
 * Build imp from the directory dir (proc/zoneinfo is required; node
 * distances, cpulists, proc/iomem and proc/sys/vm files are optional and a
 * missing one gets a default and a line in imp->notes). Returns 0 with a
 * validated imp->desc, or -1 with one message naming the file and, for a
 * malformed file, the line ("DIR/proc/zoneinfo:12: ...").
 */
int hw_import_dir(const char *dir, struct hw_import *imp, char *err, size_t errlen);

/* Lookups over a valid description. */
int hw_desc_node_of(const struct hw_machine_desc *d, uint64_t paddr); /* -1 if none */
bool hw_desc_is_usable(const struct hw_machine_desc *d, uint64_t paddr);
uint64_t hw_desc_usable_bytes(const struct hw_machine_desc *d, int node); /* node -1: all */

#endif
