/*
 * Frames and their descriptors: the lookups between a pfn, its struct page,
 * its zone and its addresses (mm/page.h declares them beside struct page).
 * The inline forms are in internal.h for mm/'s own hot paths.
 *
 * Kernel virtual addresses. The direct map puts physical address pa at
 * PAGE_OFFSET + pa for lowmem (0xffff810000000000 on x86_64, 0xc0000000 on
 * i386); a HighMem frame has an address only while kmap maps it, which the
 * era's kmap answers (mm->ops->kernel).
 */
#include <stdlib.h>

#include "mm/internal.h"

struct page *pfn_to_page(struct mm *mm, uint64_t pfn)
{
	return __pfn_to_page(mm, pfn);
}

uint64_t page_to_pfn(const struct mm *mm, const struct page *page)
{
	return __page_to_pfn(mm, page);
}

struct zone *page_zone(struct mm *mm, const struct page *page)
{
	return zone_of_page(mm, page);
}

uint64_t page_desc_paddr(const struct mm *mm, const struct page *page)
{
	return page_paddr(mm->node_data[page_nid(page)], page);
}

uint64_t page_address(const struct mm *mm, const struct page *page)
{
	if (PageHighMem(page))   /* its kmap address, if any */
		return mm->ops->kernel->kmap_address(mm, __page_to_pfn(mm, page));
	return mm->page_offset + (__page_to_pfn(mm, page) << HW_PAGE_SHIFT);
}

struct page *virt_to_page(struct mm *mm, uint64_t kaddr)
{
	if (kaddr < mm->page_offset)
		return NULL;
	uint64_t pa = kaddr - mm->page_offset;
	if (pa >= mm->lowmem_limit)
		return NULL;
	struct page *page = __pfn_to_page(mm, pa >> HW_PAGE_SHIFT);
	if (page && PageHighMem(page))
		return NULL;
	return page;
}

/* ---- Owners ---------------------------------------------------------------- */

uint32_t mm_owner_add(struct mm *mm, void *owner)
{
	MMSIM_ASSERT(owner != NULL);
	uint32_t id;
	if (mm->nr_owners_free) {
		id = mm->owners_free[--mm->nr_owners_free];
	} else {
		if (mm->nr_owners == 0)
			mm->nr_owners = 1;      /* id 0 is "no owner" */
		if (mm->nr_owners == mm->owners_cap) {
			mm->owners_cap = mm->owners_cap ? 2 * mm->owners_cap : 64;
			if (mm->owners_cap > UINT32_MAX / 2)
				mmsim_panic("more than 2^31 page owners");
			mm->owners = mmsim_xrealloc(mm->owners, mm->owners_cap * sizeof mm->owners[0]);
			mm->owners_free = mmsim_xrealloc(mm->owners_free,
							 mm->owners_cap * sizeof mm->owners_free[0]);
		}
		id = mm->nr_owners++;
	}
	mm->owners[id] = owner;
	return id;
}

void mm_owner_remove(struct mm *mm, uint32_t id)
{
	MMSIM_ASSERT(id && id < mm->nr_owners && mm->owners[id]);
	mm->owners[id] = NULL;
	mm->owners_free[mm->nr_owners_free++] = id;
}

void mm_owners_destroy(struct mm *mm)
{
	free(mm->owners);
	free(mm->owners_free);
	mm->owners = NULL;
	mm->owners_free = NULL;
	mm->nr_owners = mm->owners_cap = mm->nr_owners_free = 0;
}
