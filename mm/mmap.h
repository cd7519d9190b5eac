/*
 * User address spaces (Linux 2.6.11 mm/mmap.c, mm/memory.c; ours in
 * mm/2.6.11/): the public API.
 *
 * A struct mm_struct is one process's address space: its page directory
 * (pgd) and the page tables below it, in frames of simulated memory, and
 * its VMAs (anonymous private mappings only). A task gets one with
 * mm_alloc, maps ranges with do_mmap, touches them with mm_uaccess (the
 * CPU's TLB and page-table walk; a missing page is a fault that allocates a
 * GFP_HIGHUSER page, so on a 32-bit PC with HighMem user pages come from
 * ZONE_HIGHMEM first), unmaps them with do_munmap and drops everything with
 * mmput (exit_mmap). The essays at the top of mmap.c and memory.c say how.
 *
 * The current CPU. As the allocator, every call runs on sim_cur_cpu (the
 * running task's CPU); a call that touches the address space first makes
 * it that CPU's active one (switch_mm: a CR3 load when another address
 * space was active there).
 *
 * Errors: MM_ENOMEM (no frame for a page or a page table: the kernel's
 * VM_FAULT_OOM, or mmap's ENOMEM), MM_EFAULT (an access outside every VMA:
 * the kernel's SIGSEGV), MM_EINVAL (munmap of a range that is not wholly
 * mapped, a bad length or alignment), MM_ENOCPU.
 */
#ifndef MMSIM_MM_MMAP_H
#define MMSIM_MM_MMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/mm.h"

struct mm_struct;

/* A new, empty address space: mm_struct and pgd (on i386-pae also the three
 * user PMDs 2.6.11 allocates with the pgd). NULL with MM_ENOMEM. */
struct mm_struct *mm_alloc(struct mm *mm);
/* Drop a user: the last one's mmput runs exit_mmap and frees the
 * mm_struct (every page, page table and VMA goes back, every TLB that may
 * hold its entries is flushed; umm is gone). */
void mmput(struct mm *mm, struct mm_struct *umm);
/* One more user (a thread made with CLONE_VM shares the address space;
 * later kernels call this mmget). */
void mmget(struct mm_struct *umm);
int mm_users(const struct mm_struct *umm);

/*
 * An anonymous private mapping of len bytes (a multiple of 4096), readable
 * and writable, placed as 2.6.11's get_unmapped_area does (i386: top-down
 * below mmap_base 0xb8000000; x86_64: bottom-up from TASK_UNMAPPED_BASE
 * 0x2aaaaaaab000). No page is allocated until touched. Returns the address,
 * or 0 with MM_ENOMEM (no room) or MM_EINVAL.
 */
uint64_t do_mmap(struct mm *mm, struct mm_struct *umm, uint64_t len);
/* Unmap [start, start + len): every page in it must be mapped (mmsim's
 * check; the kernel silently ignores holes). Frees the pages, the page
 * tables no VMA needs any more, flushes the TLBs (flush_tlb_mm). 0 or
 * -MM_EINVAL (nothing changed). */
int do_munmap(struct mm *mm, struct mm_struct *umm, uint64_t start, uint64_t len);

/* What one mm_uaccess did. */
struct mm_uaccess_info {
	unsigned faults;          /* page faults taken (each one page) */
	unsigned pte_allocs;      /* page-table pages allocated by them */
	cycle_t walk_cycles;      /* cycles the TLB misses' walks cost */
	cycle_t fault_cycles;     /* cycles spent in the fault handler */
};

/*
 * The CPU reads or writes len bytes at user address uaddr of umm, as user
 * code does: through the TLB and, on a miss, the hardware walk of umm's
 * page tables through the caches; no kmap. A page not present is a fault,
 * handled (handle_mm_fault) and the access retried. info may be NULL.
 * Returns 0, or -MM_EFAULT (no VMA: a segfault; pages before it were
 * touched), -MM_ENOMEM, -MM_ENOCPU. Needs mm_set_hw for the TLBs; without
 * hw the walk and faults are done in software at no cost.
 */
int mm_uaccess(struct mm *mm, struct mm_struct *umm, uint64_t uaddr, uint64_t len, int write,
	       struct mm_uaccess_info *info);

/* 2.6.11 handle_mm_fault for one address of a VMA (the access retry is the
 * caller's). 0, or -MM_EFAULT (no VMA), -MM_ENOMEM. */
int handle_mm_fault(struct mm *mm, struct mm_struct *umm, uint64_t addr, int write);

/* 2.6.11 get_user_pages, for the kernel's own access to user memory
 * (direct I/O, ptrace): the frames of len pages from start, faulted in if
 * need be, each with a reference taken (drop it with __free_pages, the
 * kernel's put_page). The kernel must then kmap a HighMem one to touch it.
 * Returns len, or -MM_EFAULT (no VMA), -MM_ENOMEM, -MM_EINVAL. */
int get_user_pages(struct mm *mm, struct mm_struct *umm, uint64_t start, int len, int write,
		   struct page **pages);

/* Where a user address lives, read from the tables in software at no
 * cost. present false when no page is mapped there. */
struct mm_upage {
	bool vma;                 /* a VMA covers the address */
	bool present;
	bool writable;            /* false for the zero page (read-only) */
	uint64_t pfn;
	int nid, zone;            /* zone index (ZONE_DMA ...) */
	unsigned levels;          /* entries a hardware walk reads */
	uint64_t entry[4];        /* their physical addresses, top first */
};
void mm_uwalk(struct mm *mm, const struct mm_struct *umm, uint64_t uaddr, struct mm_upage *out);

/* Per address space: pages mapped (rss), page-table pages below the pgd
 * (nr_ptes: PTE pages, and on x86_64 PUD and PMD pages), VMAs, minor
 * faults taken. */
unsigned long mm_rss(const struct mm_struct *umm);
unsigned long mm_nr_pgtables(const struct mm_struct *umm);
unsigned mm_map_count(const struct mm_struct *umm);
unsigned long mm_min_flt(const struct mm_struct *umm);
/* The pgd's physical address (what CR3 holds). */
uint64_t mm_pgd_paddr(const struct mm_struct *umm);

/* TASK_SIZE for the machine's architecture. */
uint64_t mm_task_size(const struct mm *mm);

/* Machine-wide counters, also registered as mm.user.<name>. */
struct mm_user_stats {
	uint64_t mm_alloc;        /* address spaces made */
	uint64_t mmput;           /* and torn down */
	uint64_t mmap;            /* do_mmap calls that mapped */
	uint64_t munmap;          /* do_munmap calls that unmapped */
	uint64_t pgfault;         /* faults handled (also vmstat pgfault) */
	uint64_t segv;            /* accesses outside every VMA */
	uint64_t oom;             /* faults that found no frame */
	uint64_t pages_mapped;    /* anonymous pages faulted in */
	uint64_t zero_maps;       /* read faults that mapped the zero page */
	uint64_t cow;             /* write faults that replaced it (do_wp_page) */
	uint64_t pages_high;      /* of which from ZONE_HIGHMEM */
	uint64_t pages_freed;     /* freed by munmap and exit */
	uint64_t pte_alloc;       /* page-table pages allocated (pgd not counted) */
	uint64_t pte_free;        /* and freed */
	uint64_t pgd_alloc;       /* page directories (and PAE's PMDs with them) */
	uint64_t pgd_free;
	uint64_t switch_mm;       /* CR3 loads: a CPU changed address space */
	uint64_t tlb_flush_mm;    /* flush_tlb_mm calls */
	uint64_t tlb_flush_ipis;  /* other CPUs they interrupted */
	uint64_t uaccess;         /* mm_uaccess calls */
	uint64_t uaccess_bytes;
};
/* NULL before the first mm_alloc. */
const struct mm_user_stats *mm_user_stats(const struct mm *mm);
/* Register them (call once, e.g. when the first address space is made). */
void mm_user_register_stats(struct mm *mm, struct stats_registry *reg);

/*
 * The walker every CPU uses (mm_kernel_mmu returns it): a user address
 * goes through the CPU's active address space's tables; a kernel one
 * through the kernel's, its top-level entry read from the active pgd (whose
 * kernel half 2.6.11's pgd_alloc copies from swapper_pg_dir).
 */
int mm_cpu_walk(void *ctx, int cpu, uint64_t vaddr, int write, struct hw_walk *w);

#endif
