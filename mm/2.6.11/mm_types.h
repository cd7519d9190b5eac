/*
 * The structures of user address spaces, shared by mm/mmap.c and
 * mm/memory.c and nobody else (the kernel's include/linux/mm.h and, today,
 * mm_types.h). The public API is mm/mmap.h.
 */
#ifndef MMSIM_MM_MM_TYPES_H
#define MMSIM_MM_MM_TYPES_H

#include "mm/2.6.11/internal.h"
#include "mm/mmap.h"
#include "mm/slab.h"

#define PT_MAX_LEVELS 4

/* A PTE on the host: pfn + 1 (0: none), and this bit when it is
 * read-only (a mapping of the zero page). */
#define PTE_RDONLY (UINT64_C(1) << 63)
static inline uint64_t pte_pfn(uint64_t pte)
{
	return (pte & ~PTE_RDONLY) - 1;
}

/*
 * One page-table page: the frame holding it and, on the host, its entries.
 * A table above the last level points to tables below (sub); a last-level
 * one holds PTEs (pte: pfn + 1, 0 for none). used counts present entries,
 * so a table nobody needs is seen at once.
 */
struct pt {
	struct page *page;
	uint64_t pa;
	unsigned used;
	struct pt **sub;
	uint64_t *pte;
};

/* The paging geometry of an architecture: level 0 is the pgd. */
struct pt_geo {
	int levels;
	unsigned shift[PT_MAX_LEVELS];
	unsigned bits[PT_MAX_LEVELS];
	unsigned esize;
	uint64_t task_size;
};

/* 2.6.11 vm_area_struct, the parts an anonymous mapping needs. */
struct vm_area_struct {
	struct vm_area_struct *vm_next;     /* by address */
	uint64_t vm_start, vm_end;
	uint64_t addr;                      /* its slab object (vm_area_cachep) */
};

/* 2.6.11 mm_struct, likewise. */
struct mm_struct {
	struct vm_area_struct *mmap;        /* the VMA list, by address */
	struct vm_area_struct *mmap_cache;  /* find_vma's last result */
	unsigned map_count;
	struct pt *pgd;
	unsigned long rss;
	unsigned long nr_ptes;              /* tables below the pgd */
	unsigned long min_flt;
	uint64_t total_vm;                  /* pages */
	uint64_t addr;                      /* its slab object (mm_cachep) */
	struct hw_cpumask cpu_vm_mask;      /* CPUs where it is active */
	int mm_users;                       /* tasks sharing it (CLONE_VM) */
	struct mm_struct *next, *prev;      /* every live one (mmlist) */
};

/* Simulated layout of the mm_struct object (offsets of the fields the
 * code touches; the real one's fields in the same order). */
#define MMS_OFF_MMAP      0     /* mmap, mm_rb, mmap_cache */
#define MMS_OFF_PGD       36
#define MMS_OFF_SEM       64    /* mmap_sem */
#define MMS_OFF_PTL       96    /* page_table_lock */
#define MMS_OFF_COUNTERS  128   /* rss, total_vm, nr_ptes */
#define MMS_OFF_CPUMASK   192   /* cpu_vm_mask */

/* mm->user: the machine-wide state. */
struct user_state {
	struct pt_geo geo;
	struct mm_struct **active;          /* [ncpus]: the CPU's active_mm (CR3) */
	struct mm_struct *mmlist;
	kmem_cache_t *mm_cachep, *vm_area_cachep;
	struct page *zero_page;             /* empty_zero_page (ZERO_PAGE) */
	struct mm_user_stats st;
	int ev_fault, ev_mmap, ev_munmap, ev_exit;
};

/* mmap.c */
struct user_state *user_state(struct mm *mm);
struct vm_area_struct *find_vma(struct mm *mm, struct mm_struct *umm, uint64_t addr);
/* Make umm the current CPU's active address space (a CR3 load if another
 * was active there). */
void switch_mm(struct mm *mm, struct mm_struct *umm);
/* 2.6.11 flush_tlb_mm: the current CPU and every other CPU where umm is
 * active drop their non-global entries. */
void flush_tlb_mm(struct mm *mm, struct mm_struct *umm);
uint64_t kaddr_to_pa(const struct mm *mm, uint64_t kaddr);

/* memory.c */
/* Zap [start, end) of umm's page tables (the caller flushes the TLBs
 * before the pages are freed: they are collected in the gather). */
struct mmu_gather {
	struct page **pages;
	size_t n, cap;
};
void unmap_page_range(struct mm *mm, struct mm_struct *umm, uint64_t start, uint64_t end,
		      struct mmu_gather *tlb);
/* Free the gathered pages (after the flush). */
void tlb_finish_pages(struct mm *mm, struct mmu_gather *tlb);
/* Free every table below the pgd whose span holds no VMA within
 * [floor, ceiling) (2.6.12's free_pgtables rule; all of them for exit). */
void free_pgtables(struct mm *mm, struct mm_struct *umm, uint64_t floor, uint64_t ceiling);
/* The pgd (and PAE's PMDs) and freeing them. */
struct pt *pgd_alloc(struct mm *mm);
void pgd_free(struct mm *mm, struct pt *pgd);
void pt_geometry(enum hw_arch arch, struct pt_geo *g);

#endif
