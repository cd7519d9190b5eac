/*
 * The kernel's direct mapping: the page tables that map lowmem at
 * PAGE_OFFSET, and the walker the TLBs ask on a miss (Linux 2.6.11
 * arch/x86_64/mm/init.c init_memory_mapping with phys_pud_init and
 * phys_pmd_init; arch/i386/mm/init.c kernel_physical_mapping_init. Today's
 * kernels have them in arch/x86/mm/init_64.c and init_32.c,
 * kernel_physical_mapping_init in both).
 *
 * What is mapped. Physical [0, direct_map_end) at PAGE_OFFSET, with large
 * pages only (the kernel uses them whenever the CPU has PSE, which every CPU
 * we model has), every entry global (PAGE_KERNEL_LARGE carries
 * _PAGE_GLOBAL), read-write. direct_map_end is the top of lowmem rounded up
 * to a large page, as the kernel's loops map whole large pages until they
 * pass it:
 *   x86_64    end_pfn_map: the end of the highest e820 range, reserved ones
 *             included (2.6.11 maps holes too); 2 MiB pages;
 *   i386      max_low_pfn: the highest usable frame, at most 896 MiB; 4 MiB
 *             pages straight in the page directory;
 *   i386-pae  the same limit; 2 MiB pages.
 * Nothing else is mapped: an address below PAGE_OFFSET (user space, which
 * has no page tables here) or past direct_map_end faults.
 *
 * The tables, in simulated memory, one block of whole frames that boot
 * reserves before anything else, low, where the kernel has them (mm/mm_init.c:
 * from 0x8000 up on x86_64, 2.6.11 find_early_table_space's first e820
 * area; at 1 MiB on i386, where swapper_pg_dir lies in the kernel image,
 * which is not modelled otherwise), in this order:
 *   x86_64    init_level4_pgt (one PML4 page), then one PDPT page per
 *             512 GiB mapped, then one page directory per GiB mapped;
 *             PAGE_OFFSET 0xffff810000000000 is PML4 slot 258, PDPT slot 0,
 *             so physical address pa is PDPT page pa >> 39 and PD page
 *             pa >> 30;
 *   i386      swapper_pg_dir: one page of 1024 four-byte entries; slot
 *             vaddr >> 22 (768 for PAGE_OFFSET 0xc0000000);
 *   i386-pae  swapper_pg_dir, the 4-entry PDPT (a page reserved for it),
 *             then the one PMD page behind PDPT slot 3 (0xc0000000 up to
 *             4 GiB: lowmem's 896 MiB fit in it).
 * The entries' contents are never stored: which entries are present follows
 * from the layout, so the walker computes each entry's address and whether
 * it is present. Presence at each level is what the kernel's loops leave:
 * an upper entry is present when the range it covers starts below
 * direct_map_end (phys_pud_init clears the rest), a large-page entry when
 * its page does.
 *
 * A walk reads one entry per level, top first: three on x86_64 (PML4E,
 * PDPTE, PDE with PSE), one on i386 (PDE with PSE), two on PAE (PDPTE, PDE).
 * Real PAE CPUs load the four PDPTEs into registers when CR3 is written and
 * do not fetch them on a walk; we fetch it anyway, which costs one cache hit
 * on a warm walk.
 */
#include <stdio.h>

#include "mm/2.6.11/internal.h"
#include "mm/mmap.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"

#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)
#define PT_PAGE HW_PAGE_SIZE

/* x86_64: PML4 slot of PAGE_OFFSET, and the last slot the direct map may
 * use before the kernel's other mappings (2.6.11 reserves 64 TiB for it:
 * slots 258 to 385). */
#define X86_64_PML4_FIRST 258
#define X86_64_PML4_SLOTS 128

static uint64_t round_up(uint64_t x, unsigned shift)
{
	uint64_t m = (UINT64_C(1) << shift) - 1;
	return (x + m) & ~m;
}

static uint64_t div_up(uint64_t x, unsigned shift)
{
	return round_up(x, shift) >> shift;
}

int kernel_pgtable_size(struct mm *mm, const struct hw_machine_desc *d, uint64_t *bytes,
			char *err, size_t errlen)
{
	uint64_t top = 0;
	for (int i = 0; i < d->nr_ranges; i++) {
		const struct hw_mem_range *r = &d->ranges[i];
		if (mm->arch == HW_ARCH_X86_64 || r->type == HW_MEM_USABLE)
			if (r->end > top)
				top = r->end;
	}
	if (mm->arch != HW_ARCH_X86_64 && top > mm->lowmem_limit)
		top = mm->lowmem_limit;
	unsigned large = hw_arch_large_page_shift(mm->arch);
	mm->direct_map_end = round_up(top, large);
	switch (mm->arch) {
	case HW_ARCH_X86_64: {
		uint64_t npdpt = div_up(mm->direct_map_end, 39);
		if (npdpt > X86_64_PML4_SLOTS) {
			snprintf(err, errlen, "machine: the direct map covers at most 64 TiB "
				 "(this machine's memory ends at 0x%llx)", (unsigned long long)top);
			return -1;
		}
		*bytes = (1 + npdpt + div_up(mm->direct_map_end, 30)) * PT_PAGE;
		break;
	}
	case HW_ARCH_I386:
		*bytes = PT_PAGE + highmem_data_bytes(mm);
		break;
	case HW_ARCH_I386_PAE:
		*bytes = 2 * PT_PAGE + highmem_data_bytes(mm);
		break;
	}
	return 0;
}

/*
 * The walker (struct hw_mmu): entries top first, each only if the one above
 * it is present. Returns 0, or -MM_EFAULT after the entries read up to and
 * including the first one not present (none for an i386 address beyond
 * 32 bits, which the CPU could not issue).
 */
int mm_kernel_walk(void *ctx, int cpu, uint64_t vaddr, int write, struct hw_walk *w)
{
	const struct mm *mm = ctx;
	(void)cpu;
	(void)write;       /* the direct map is read-write everywhere */
	if (vaddr >= vmalloc_start(mm) && vaddr < vmalloc_end(mm))
		return vmalloc_walk(mm, vaddr, w);   /* 4 KiB PTEs (mm/vmalloc.c) */
	uint64_t base = mm->pgt_start;
	bool mapped = vaddr >= mm->page_offset && vaddr - mm->page_offset < mm->direct_map_end;
	uint64_t pa = vaddr - mm->page_offset;
	w->levels = 0;
	switch (mm->arch) {
	case HW_ARCH_X86_64: {
		uint64_t npdpt = div_up(mm->direct_map_end, 39);
		w->entry_size = 8;
		w->entry[w->levels++] = base + ((vaddr >> 39) & 511) * 8;
		if (vaddr < mm->page_offset || (pa >> 39) >= npdpt)
			return -MM_EFAULT;
		w->entry[w->levels++] = base + (1 + (pa >> 39)) * PT_PAGE + ((pa >> 30) & 511) * 8;
		if ((pa >> 30) >= div_up(mm->direct_map_end, 30))
			return -MM_EFAULT;
		w->entry[w->levels++] = base + (1 + npdpt + (pa >> 30)) * PT_PAGE +
					((pa >> 21) & 511) * 8;
		break;
	}
	case HW_ARCH_I386:
		if (vaddr >> 32)
			return -MM_EFAULT;
		w->entry_size = 4;
		w->entry[w->levels++] = base + (vaddr >> 22) * 4;
		break;
	case HW_ARCH_I386_PAE:
		if (vaddr >> 32)
			return -MM_EFAULT;
		w->entry_size = 8;
		w->entry[w->levels++] = base + (vaddr >> 30) * 8;
		if (vaddr < mm->page_offset)
			return -MM_EFAULT;
		w->entry[w->levels++] = base + PT_PAGE + ((vaddr >> 21) & 511) * 8;
		break;
	}
	if (!mapped) {
		/* The pkmap and fixmap areas have 4 KiB page tables (highmem.c). */
		int rc = mm->arch != HW_ARCH_X86_64 ? highmem_walk(mm, vaddr, w) : 1;
		return rc == 1 ? -MM_EFAULT : rc;
	}
	unsigned shift = hw_arch_large_page_shift(mm->arch);
	w->frame = pa >> shift << shift;
	w->large = true;
	w->global = true;
	return 0;
}

struct hw_mmu mm_kernel_mmu(struct mm *mm)
{
	/* mm_cpu_walk (memory.c) is mm_kernel_walk until some CPU has a user
	 * address space active. */
	return (struct hw_mmu){ mm_cpu_walk, mm };
}

uint64_t mm_direct_map_end(const struct mm *mm)
{
	return mm->direct_map_end;
}

void mm_kernel_pgtables(const struct mm *mm, uint64_t *start, uint64_t *end)
{
	*start = mm->pgt_start;
	*end = mm->pgt_end;
}

/* ---- The kernel around the page allocator, as mm/ reaches it ------------- */

/* i386 paging_init's kmap_init: kmap's tables follow the direct map's at
 * the end of the block mm_boot reserved. */
static void paging_init(struct mm *mm)
{
	highmem_init(mm, mm->pgt_end - highmem_data_bytes(mm));
}

/* mm_destroy's part: every subsystem's host memory, kmap's first. */
static void kernel_destroy(struct mm *mm)
{
	highmem_destroy(mm);
	bounce_destroy(mm);
	user_destroy(mm);
	vmalloc_teardown(mm);
	kmem_cache_teardown(mm);
}

/* 2.6.11's page tables, kmap, slab, vmalloc, DMA bouncing and user address
 * spaces: what both eras' tables point at (the modern era has none of its
 * own yet). */
const struct mm_kernel_ops mm_kernel_2611 = {
	.pgtable_size = kernel_pgtable_size,
	.paging_init = paging_init,
	.kmap_address = highmem_page_address,
	.clear_highpage = highmem_clear_pages,
	.register_stats = highmem_register_stats,
	.check = user_check,
	.destroy = kernel_destroy,
};
