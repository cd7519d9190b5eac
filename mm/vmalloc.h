/*
 * Non-contiguous memory areas (Linux 2.6.11 mm/vmalloc.c): the public API.
 * mm/2.6.11/vmalloc.c opens with the essay; docs/slab.md has a section on it.
 *
 * Areas are named by their kernel virtual address in the vmalloc range
 * [VMALLOC_START, VMALLOC_END) (vmalloc_start/vmalloc_end below), 0 for
 * none. Errors follow mm.h: no memory or no room in the range returns 0
 * with MM_ENOMEM; a misuse (vfree of an address that starts no area, vunmap
 * of a vmalloc area) returns -MM_EINVAL with a message and changes nothing.
 */
#ifndef MMSIM_MM_VMALLOC_H
#define MMSIM_MM_VMALLOC_H

#include <stddef.h>
#include <stdint.h>

#include "hw/tlb.h"
#include "mm/gfp.h"

struct mm;
struct page;
struct hw;

/* vm_struct flags, 2.6.11's values. */
#define VM_IOREMAP 0x00000001u  /* ioremap() */
#define VM_ALLOC   0x00000002u  /* vmalloc() */
#define VM_MAP     0x00000004u  /* vmap() */

/* The range: x86_64 0xffffc20000000000 .. 0xffffe1ffffffffff; i386 from
 * high_memory + 8 MiB (rounded to 8 MiB) to PKMAP_BASE - 2 pages. */
uint64_t vmalloc_start(const struct mm *mm);
uint64_t vmalloc_end(const struct mm *mm);

/* 2.6.11 get_vm_area: the lowest free range of size (page aligned) plus a
 * guard page, its vm_struct kmalloc'd. Returns the address or 0. */
uint64_t get_vm_area(struct mm *mm, size_t size, unsigned flags);

/* 2.6.11 __vmalloc: an area, one page frame at a time (gfp; vmalloc uses
 * GFP_KERNEL | __GFP_HIGHMEM), each mapped with a 4 KiB PTE in the kernel's
 * page tables (page-table pages allocated as needed, every entry written
 * charged). 0 on failure (what was taken is given back). */
uint64_t __vmalloc(struct mm *mm, size_t size, gfp_t gfp);
uint64_t vmalloc(struct mm *mm, size_t size);

/* 2.6.11 vfree: unmap (PTEs cleared, then the kernel TLB range flushed on
 * every CPU), free the frames, the pages array and the vm_struct. */
int vfree(struct mm *mm, uint64_t addr);

/* vmap: map count pages the caller owns into an area (VM_MAP); vunmap
 * unmaps it, leaving the pages to the caller. */
uint64_t vmap(struct mm *mm, struct page **pages, unsigned count);
int vunmap(struct mm *mm, uint64_t addr);

/* The frame mapped at addr, or NULL. */
struct page *vmalloc_to_page(struct mm *mm, uint64_t addr);

/* The area containing addr: its start, size (without the guard page) and
 * number of pages; 0 if none. */
uint64_t vmalloc_area_of(struct mm *mm, uint64_t addr, uint64_t *size, unsigned *nr_pages);

/* /proc/vmallocinfo (2.6.28's format, without callers), snprintf-style. */
size_t mm_vmallocinfo(struct mm *mm, char *buf, size_t len);

/* Counters: areas made, pages mapped and unmapped, page-table pages
 * allocated, TLB flushes (one per vfree/vunmap) and the IPIs they sent. */
struct vmalloc_stats {
	uint64_t areas, pages_mapped, pages_unmapped, pgtable_pages, tlb_flushes, ipis;
};
const struct vmalloc_stats *vmalloc_stats(const struct mm *mm);

/* The hardware whose TLBs vfree flushes (the layer that owns both sets
 * it, as it installs the walker); without it the flush is only counted. */
void vmalloc_set_hw(struct mm *mm, struct hw *hw);

/* mm/2.6.11/init.c's walker for addresses in the vmalloc range: 4 KiB pages. */
int vmalloc_walk(const struct mm *mm, uint64_t vaddr, struct hw_walk *w);

void vmalloc_teardown(struct mm *mm);

#endif
