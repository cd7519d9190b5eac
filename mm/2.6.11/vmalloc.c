/*
 * Non-contiguous memory areas (Linux 2.6.11 mm/vmalloc.c, "Understanding
 * the Linux Kernel" 3rd ed. 8.3). Our own code; the kernel's names.
 *
 * The vmalloc range is a window of kernel virtual addresses, above the
 * direct map, where the kernel builds contiguous virtual areas out of page
 * frames that need not be contiguous (or in lowmem: vmalloc takes HighMem
 * frames when it can). Each area is a vm_struct on `vmlist`, sorted by
 * address; between two areas lies at least one unmapped guard page (each
 * area's size includes it), so running off the end of an area faults.
 * get_vm_area takes the lowest gap that fits (first fit).
 *
 * Mapping. vmalloc allocates the frames one by one (alloc_page) and
 * writes a 4 KiB PTE for each into the kernel's page tables (init_mm's:
 * the same top level as the direct map), allocating the page-table pages
 * on the way down as the kernel's pud_alloc/pmd_alloc/pte_alloc_kernel do
 * (zeroed frames, never freed again). The hardware then reaches a vmalloc
 * address through the TLB with 4 KiB entries and a walk of every level
 * (x86_64: PML4E, PDPTE, PDE, PTE), where the direct map needs one
 * large-page entry per 2 or 4 MiB: that is the cost a lab compares.
 *
 * Unmapping (vfree, vunmap) clears the PTEs, then flushes the TLBs of
 * every CPU: 2.6.11's flush_tlb_kernel_range is flush_tlb_all, an IPI to
 * every other CPU and a full flush. mmsim marks vmalloc PTEs not global
 * (2.6.11's are global, and flush_tlb_all drops global entries too) so that
 * the hardware model's shootdown of every non-global entry has the same
 * effect with one IPI per CPU.
 *
 * Simulated memory: the vm_struct (kmalloc'd), the pages array (kmalloc'd,
 * or vmalloc'd itself when above a page, as __vmalloc does), page-table
 * pages and their entries, all charged at their addresses. Not modelled:
 * vmlist_lock (a rwlock) and the lazy sync of the kernel's top-level
 * entries into processes' page tables (there are no processes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/hw.h"
#include "mm/highmem.h"
#include "mm/2.6.11/internal.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"

#define PT_PAGE 4096u
#define VM_PAGE 4096u

struct vm_area {
	struct vm_area *next;         /* vmlist, by address */
	uint64_t addr, size;          /* size includes the guard page */
	unsigned flags;
	struct page **pages;
	unsigned nr_pages;            /* frames in pages[] */
	unsigned mapped;              /* PTEs written: pages[0 .. mapped-1] */
	uint64_t desc;                /* the vm_struct's address (kmalloc) */
	uint64_t pages_addr;          /* the pages array's address (0: none) */
};

struct vmalloc_state {
	struct vm_area *vmlist;
	uint64_t start, end;
	unsigned word;
	/* page-table pages: key (level << 56 | index) + 1, value paddr */
	uint64_t *tkey, *tval;
	size_t tcap, tn;
	struct hw *hw;
	struct vmalloc_stats st;
};

/* ---- Range ------------------------------------------------------------- */

#define VMALLOC_OFFSET (8u << 20)

static void range_of(const struct mm *mm, uint64_t *start, uint64_t *end)
{
	if (mm->arch == HW_ARCH_X86_64) {
		*start = UINT64_C(0xffffc20000000000);
		*end = UINT64_C(0xffffe20000000000);   /* VMALLOC_END 0xffffe1ffffffffff, inclusive */
		return;
	}
	/* i386: high_memory (the direct map's end, rounded to its large page
	 * here) plus VMALLOC_OFFSET rounded up to it, up to PKMAP_BASE - 2
	 * pages, PKMAP_BASE as highmem.c places the pkmap area below the
	 * fixmap (2.6.11's layout). */
	uint64_t high = mm->page_offset + mm->direct_map_end;
	*start = (high + 2 * (uint64_t)VMALLOC_OFFSET - 1) & ~(uint64_t)(VMALLOC_OFFSET - 1);
	*end = highmem_pkmap_base(mm->arch, mm->ncpus) - 2 * VM_PAGE;
}

uint64_t vmalloc_start(const struct mm *mm)
{
	uint64_t s, e;
	range_of(mm, &s, &e);
	return s;
}

uint64_t vmalloc_end(const struct mm *mm)
{
	uint64_t s, e;
	range_of(mm, &s, &e);
	return e;
}

static struct vmalloc_state *V(struct mm *mm)
{
	if (!mm->vmalloc) {
		struct vmalloc_state *v = mmsim_xcalloc(1, sizeof *v);
		range_of(mm, &v->start, &v->end);
		v->word = mm->arch == HW_ARCH_X86_64 ? 8 : 4;
		mm->vmalloc = v;
	}
	return mm->vmalloc;
}

/* ---- Page-table pages --------------------------------------------------- */

static size_t tslot(const struct vmalloc_state *v, uint64_t k)
{
	return (size_t)((k * UINT64_C(0x9e3779b97f4a7c15)) >> 20) & (v->tcap - 1);
}

static uint64_t table_get(const struct vmalloc_state *v, int level, uint64_t index)
{
	if (!v->tcap)
		return 0;
	uint64_t k = ((uint64_t)level << 56 | index) + 1;
	for (size_t i = tslot(v, k);; i = (i + 1) & (v->tcap - 1)) {
		if (v->tkey[i] == k)
			return v->tval[i];
		if (!v->tkey[i])
			return 0;
	}
}

static void table_put(struct vmalloc_state *v, int level, uint64_t index, uint64_t paddr)
{
	if (2 * (v->tn + 1) > v->tcap) {
		size_t ocap = v->tcap;
		uint64_t *ok = v->tkey, *ov = v->tval;
		v->tcap = ocap ? 2 * ocap : 64;
		v->tkey = mmsim_xcalloc(v->tcap, sizeof *v->tkey);
		v->tval = mmsim_xcalloc(v->tcap, sizeof *v->tval);
		v->tn = 0;
		for (size_t i = 0; i < ocap; i++)
			if (ok[i]) {
				size_t j = tslot(v, ok[i]);
				while (v->tkey[j])
					j = (j + 1) & (v->tcap - 1);
				v->tkey[j] = ok[i];
				v->tval[j] = ov[i];
				v->tn++;
			}
		free(ok);
		free(ov);
	}
	uint64_t k = ((uint64_t)level << 56 | index) + 1;
	size_t i = tslot(v, k);
	while (v->tkey[i])
		i = (i + 1) & (v->tcap - 1);
	v->tkey[i] = k;
	v->tval[i] = paddr;
	v->tn++;
}

/*
 * The levels of the kernel page tables a vmalloc address goes through, as
 * (entry's table, shift of the index, entries per table): level 0 is the
 * top, whose table always exists (init_level4_pgt, swapper_pg_dir, or the
 * PAE PMD behind PDPT slot 3); deeper tables are keyed by vaddr >> (shift
 * + bits) in the hash.
 */
struct level {
	unsigned shift, bits;
};
static int levels_of(const struct mm *mm, struct level *lv, unsigned *esize)
{
	*esize = 8;
	switch (mm->arch) {
	case HW_ARCH_X86_64:
		lv[0] = (struct level){39, 9};
		lv[1] = (struct level){30, 9};
		lv[2] = (struct level){21, 9};
		lv[3] = (struct level){12, 9};
		*esize = 8;
		return 4;
	case HW_ARCH_I386:
		lv[0] = (struct level){22, 10};
		lv[1] = (struct level){12, 10};
		*esize = 4;
		return 2;
	case HW_ARCH_I386_PAE:
		/* the PDPTE (slot 3) is read first by the walker; the PMD is the
		 * boot one, at pgt_start + one page */
		lv[0] = (struct level){21, 9};
		lv[1] = (struct level){12, 9};
		*esize = 8;
		return 2;
	}
	return 0;
}

/* The physical address of the table of level l (> 0) for vaddr, 0 if none. */
static uint64_t table_paddr(const struct mm *mm, const struct vmalloc_state *v, int l,
			    const struct level *lv, uint64_t vaddr)
{
	if (l == 0)
		return mm->arch == HW_ARCH_I386_PAE ? mm->pgt_start + PT_PAGE : mm->pgt_start;
	return table_get(v, l, vaddr >> (lv[l].shift + lv[l].bits));
}

static uint64_t entry_paddr(uint64_t table, const struct level *lv, int l, uint64_t vaddr,
			    unsigned esize)
{
	return table + ((vaddr >> lv[l].shift) & ((UINT64_C(1) << lv[l].bits) - 1)) * esize;
}

static struct vm_area *find_area(const struct vmalloc_state *v, uint64_t vaddr)
{
	for (struct vm_area *a = v->vmlist; a; a = a->next)
		if (vaddr >= a->addr && vaddr < a->addr + a->size)
			return a;
	return NULL;
}

int vmalloc_walk(const struct mm *mm, uint64_t vaddr, struct hw_walk *w)
{
	const struct vmalloc_state *v = mm->vmalloc;
	struct level lv[4];
	unsigned esize;
	int n = levels_of(mm, lv, &esize);
	w->levels = 0;
	w->entry_size = esize;
	if (mm->arch == HW_ARCH_I386_PAE)
		w->entry[w->levels++] = mm->pgt_start + 3 * 8;
	for (int l = 0; l < n; l++) {
		uint64_t t = l == 0 || v ? table_paddr(mm, v, l, lv, vaddr) : 0;
		if (!t)
			return -MM_EFAULT;   /* the entry above was read and not present */
		w->entry[w->levels++] = entry_paddr(t, lv, l, vaddr, esize);
	}
	struct vm_area *a = v ? find_area(v, vaddr) : NULL;
	uint64_t i = a ? (vaddr - a->addr) / VM_PAGE : 0;
	if (!a || i >= a->mapped)
		return -MM_EFAULT;   /* a guard page, or nothing mapped */
	w->frame = page_to_pfn(mm, a->pages[i]) * VM_PAGE;
	w->large = false;
	w->global = false;   /* see the essay: so a non-global flush drops it */
	return 0;
}

/* ---- Charging ------------------------------------------------------------- */

/* A kernel virtual address's physical address: direct map or vmalloc. */
static uint64_t kpaddr(struct mm *mm, uint64_t vaddr)
{
	struct vmalloc_state *v = mm->vmalloc;
	if (v && vaddr >= v->start && vaddr < v->end) {
		struct vm_area *a = find_area(v, vaddr);
		MMSIM_ASSERT(a && a->pages);
		uint64_t i = (vaddr - a->addr) / VM_PAGE;
		return page_to_pfn(mm, a->pages[i]) * VM_PAGE + vaddr % VM_PAGE;
	}
	return vaddr - mm->page_offset;
}

static void touch_k(struct mm *mm, uint64_t vaddr, unsigned size, int write)
{
	if (mm->access)
		mm_touch(mm, kpaddr(mm, vaddr), size, write);
}


/* ---- Areas --------------------------------------------------------------- */

static unsigned vm_struct_size(const struct vmalloc_state *v)
{
	return 7 * v->word;   /* next, addr, size, flags, pages, nr_pages, phys_addr */
}

/* 2.6.11 __get_vm_area: first fit in [start, end), a guard page added. */
static struct vm_area *__get_vm_area(struct mm *mm, size_t size, unsigned flags)
{
	struct vmalloc_state *v = V(mm);
	size = (size + VM_PAGE - 1) & ~(size_t)(VM_PAGE - 1);
	if (!size) {
		mm_fail(mm, MM_EINVAL, "get_vm_area: size 0");
		return NULL;
	}
	uint64_t desc = kmalloc(mm, vm_struct_size(v), GFP_KERNEL);
	if (!desc)
		return NULL;
	uint64_t want = size + VM_PAGE;   /* the guard page */
	uint64_t addr = v->start;
	struct vm_area **p = &v->vmlist;
	for (struct vm_area *a; (a = *p); p = &a->next) {
		touch_k(mm, a->desc + v->word, 2 * v->word, 0);   /* tmp->addr, tmp->size */
		if (addr + want <= a->addr)
			break;
		addr = a->addr + a->size;
		if (addr > v->end - want)
			break;
	}
	if (addr > v->end || v->end - addr < want) {
		kfree(mm, desc);
		mm_fail(mm, MM_ENOMEM, "get_vm_area: no room for %llu bytes in the vmalloc range",
			(unsigned long long)size);
		return NULL;
	}
	struct vm_area *a = mmsim_xcalloc(1, sizeof *a);
	a->addr = addr;
	a->size = want;
	a->flags = flags;
	a->desc = desc;
	a->next = *p;
	touch_k(mm, desc, vm_struct_size(v), 1);
	*p = a;
	v->st.areas++;
	return a;
}

uint64_t get_vm_area(struct mm *mm, size_t size, unsigned flags)
{
	if (mm_enter(mm))
		return 0;
	struct vm_area *a = __get_vm_area(mm, size, flags);
	return a ? a->addr : 0;
}

/* Unlink and free the host area (its vm_struct freed by the caller). */
static struct vm_area *remove_vm_area(struct mm *mm, uint64_t addr)
{
	struct vmalloc_state *v = V(mm);
	for (struct vm_area **p = &v->vmlist; *p; p = &(*p)->next) {
		struct vm_area *a = *p;
		touch_k(mm, a->desc + v->word, v->word, 0);
		if (a->addr == addr) {
			*p = a->next;
			return a;
		}
	}
	return NULL;
}

/* ---- Mapping -------------------------------------------------------------- */

/* The PTE of vaddr, allocating the tables above it; 0 if no memory. */
static uint64_t pte_alloc(struct mm *mm, struct vmalloc_state *v, uint64_t vaddr)
{
	struct level lv[4];
	unsigned esize;
	int n = levels_of(mm, lv, &esize);
	uint64_t table = table_paddr(mm, v, 0, lv, vaddr);
	for (int l = 0; l < n - 1; l++) {
		uint64_t e = entry_paddr(table, lv, l, vaddr, esize);
		mm_touch(mm, e, esize, 0);
		uint64_t next = table_paddr(mm, v, l + 1, lv, vaddr);
		if (!next) {
			/* pud_alloc / pmd_alloc / pte_alloc_kernel: a zeroed frame */
			struct page *pg = alloc_pages(mm, GFP_KERNEL | __GFP_REPEAT | __GFP_ZERO, 0);
			if (!pg)
				return 0;
			next = page_to_pfn(mm, pg) * VM_PAGE;
			table_put(v, l + 1, vaddr >> (lv[l + 1].shift + lv[l + 1].bits), next);
			mm_touch(mm, e, esize, 1);
			v->st.pgtable_pages++;
		}
		table = next;
	}
	return entry_paddr(table, lv, n - 1, vaddr, esize);
}

/* 2.6.11 map_vm_area: a PTE for each page. 0, or -MM_ENOMEM. */
static int map_vm_area(struct mm *mm, struct vm_area *a)
{
	struct vmalloc_state *v = V(mm);
	for (unsigned i = 0; i < a->nr_pages; i++) {
		uint64_t vaddr = a->addr + (uint64_t)i * VM_PAGE;
		uint64_t pte = pte_alloc(mm, v, vaddr);
		if (!pte)
			return mm_fail(mm, MM_ENOMEM, "vmalloc: no memory for page tables");
		if (a->pages_addr)
			touch_k(mm, a->pages_addr + (uint64_t)i * v->word, v->word, 0);
		mm_touch(mm, pte, mm->arch == HW_ARCH_I386 ? 4 : 8, 1);
		a->mapped = i + 1;
		v->st.pages_mapped++;
	}
	return 0;
}

/* 2.6.11 unmap_vm_area + flush_tlb_kernel_range. */
static void unmap_vm_area(struct mm *mm, struct vm_area *a)
{
	struct vmalloc_state *v = V(mm);
	struct level lv[4];
	unsigned esize;
	int n = levels_of(mm, lv, &esize);
	for (unsigned i = 0; i < a->mapped; i++) {
		uint64_t vaddr = a->addr + (uint64_t)i * VM_PAGE;
		uint64_t t = table_paddr(mm, v, n - 1, lv, vaddr);
		MMSIM_ASSERT(t);
		uint64_t pte = entry_paddr(t, lv, n - 1, vaddr, esize);
		mm_touch(mm, pte, esize, 1);   /* ptep_get_and_clear */
		v->st.pages_unmapped++;
	}
	a->mapped = 0;
	/* flush_tlb_all: every CPU */
	v->st.tlb_flushes++;
	v->st.ipis += (uint64_t)(mm->ncpus - 1);
	if (v->hw && mm->access) {
		struct hw_cpumask all;
		memset(&all, 0, sizeof all);
		for (int c = 0; c < mm->ncpus; c++)
			hw_cpumask_set(&all, c);
		sim_charge(mm->sim, hw_tlb_shootdown(v->hw, mm->cpu, &all, HW_TLB_FLUSH_ALL));
	}
}

static void free_area(struct mm *mm, struct vm_area *a, bool free_frames);

/* 2.6.11 __vmalloc. */
static uint64_t do_vmalloc(struct mm *mm, size_t size, gfp_t gfp)
{
	struct vmalloc_state *v = V(mm);
	unsigned long physpages = 0;
	for (int nid = 0; nid < mm->nr_nodes; nid++)
		for (int j = 0; j < MAX_NR_ZONES; j++)
			physpages += mm->node_data[nid]->node_zones[j].present_pages;
	size = (size + VM_PAGE - 1) & ~(size_t)(VM_PAGE - 1);
	if (!size || (size / VM_PAGE) > physpages) {
		mm_fail(mm, MM_ENOMEM, "vmalloc: %zu bytes: none, or more than the machine's %lu pages",
			size, physpages);
		return 0;
	}
	struct vm_area *a = __get_vm_area(mm, size, VM_ALLOC);
	if (!a)
		return 0;
	unsigned nr = (unsigned)(size / VM_PAGE);
	size_t array_size = (size_t)nr * v->word;
	a->pages = mmsim_xcalloc(nr, sizeof *a->pages);
	if (array_size > VM_PAGE)
		a->pages_addr = do_vmalloc(mm, array_size, gfp);
	else
		a->pages_addr = kmalloc(mm, array_size, gfp & ~__GFP_HIGHMEM);
	if (!a->pages_addr)
		goto fail;
	for (unsigned i = 0; i < nr; i++) {
		struct page *pg = alloc_pages(mm, gfp, 0);
		if (!pg)
			goto fail;
		a->pages[i] = pg;
		a->nr_pages = i + 1;
		touch_k(mm, a->pages_addr + (uint64_t)i * v->word, v->word, 1);
	}
	if (map_vm_area(mm, a))
		goto fail;
	return a->addr;
fail:
	remove_vm_area(mm, a->addr);
	free_area(mm, a, true);
	mm_fail(mm, MM_ENOMEM, "vmalloc: allocation failure, %zu bytes", size);
	return 0;
}

/* Give back what an area holds (it is off vmlist): PTEs written are
 * cleared and the TLBs flushed, then the frames (if ours), the pages
 * array, the vm_struct. */
static void free_area(struct mm *mm, struct vm_area *a, bool free_frames)
{
	struct vmalloc_state *v = V(mm);
	if (a->mapped)
		unmap_vm_area(mm, a);
	if (free_frames)
		for (unsigned i = 0; i < a->nr_pages; i++) {
			touch_k(mm, a->pages_addr + (uint64_t)i * v->word, v->word, 0);
			__free_pages(mm, a->pages[i], 0);
		}
	if (a->pages_addr) {
		if (a->pages_addr >= v->start && a->pages_addr < v->end)
			vfree(mm, a->pages_addr);
		else
			kfree(mm, a->pages_addr);
	}
	kfree(mm, a->desc);
	free(a->pages);
	free(a);
}

uint64_t __vmalloc(struct mm *mm, size_t size, gfp_t gfp)
{
	if (mm_enter(mm))
		return 0;
	return do_vmalloc(mm, size, gfp);
}

uint64_t vmalloc(struct mm *mm, size_t size)
{
	return __vmalloc(mm, size, GFP_KERNEL | __GFP_HIGHMEM);
}

static int do_vunmap(struct mm *mm, uint64_t addr, bool want_alloc, const char *fn)
{
	int rc = mm_enter(mm);
	if (rc)
		return rc;
	if (!addr)
		return 0;
	struct vmalloc_state *v = V(mm);
	if (addr % VM_PAGE)
		return mm_fail(mm, MM_EINVAL, "%s: 0x%llx: bad address (not page aligned)", fn,
			       (unsigned long long)addr);
	struct vm_area *a = NULL;
	for (a = v->vmlist; a && a->addr != addr; a = a->next)
		;
	if (!a)
		return mm_fail(mm, MM_EINVAL, "%s: 0x%llx: trying to free a nonexistent vm area", fn,
			       (unsigned long long)addr);
	if (want_alloc != ((a->flags & VM_ALLOC) != 0))
		return mm_fail(mm, MM_EINVAL, "%s: 0x%llx was made by %s", fn, (unsigned long long)addr,
			       a->flags & VM_ALLOC ? "vmalloc (use vfree)" : "vmap (use vunmap)");
	remove_vm_area(mm, addr);
	free_area(mm, a, want_alloc);   /* vunmap: the pages stay the caller's */
	return 0;
}

int vfree(struct mm *mm, uint64_t addr)
{
	return do_vunmap(mm, addr, true, "vfree");
}

uint64_t vmap(struct mm *mm, struct page **pages, unsigned count)
{
	if (mm_enter(mm))
		return 0;
	struct vmalloc_state *v = V(mm);
	if (!count) {
		mm_fail(mm, MM_EINVAL, "vmap: no pages");
		return 0;
	}
	struct vm_area *a = __get_vm_area(mm, (size_t)count * VM_PAGE, VM_MAP);
	if (!a)
		return 0;
	a->pages = mmsim_xcalloc(count, sizeof *a->pages);
	memcpy(a->pages, pages, count * sizeof *pages);
	a->nr_pages = count;
	if (map_vm_area(mm, a)) {
		remove_vm_area(mm, a->addr);
		free_area(mm, a, false);
		return 0;
	}
	(void)v;
	return a->addr;
}

int vunmap(struct mm *mm, uint64_t addr)
{
	return do_vunmap(mm, addr, false, "vunmap");
}

struct page *vmalloc_to_page(struct mm *mm, uint64_t addr)
{
	struct vmalloc_state *v = mm->vmalloc;
	struct vm_area *a = v ? find_area(v, addr) : NULL;
	uint64_t i = a ? (addr - a->addr) / VM_PAGE : 0;
	return a && i < a->mapped ? a->pages[i] : NULL;
}

uint64_t vmalloc_area_of(struct mm *mm, uint64_t addr, uint64_t *size, unsigned *nr_pages)
{
	struct vmalloc_state *v = mm->vmalloc;
	struct vm_area *a = v ? find_area(v, addr) : NULL;
	if (!a)
		return 0;
	if (size)
		*size = a->size - VM_PAGE;
	if (nr_pages)
		*nr_pages = a->nr_pages;
	return a->addr;
}

static const struct vmalloc_stats zero_stats;

const struct vmalloc_stats *vmalloc_stats(const struct mm *mm)
{
	return mm->vmalloc ? &((const struct vmalloc_state *)mm->vmalloc)->st : &zero_stats;
}

void vmalloc_set_hw(struct mm *mm, struct hw *hw)
{
	V(mm)->hw = hw;
}

size_t mm_vmallocinfo(struct mm *mm, char *buf, size_t len)
{
	size_t n = 0;
	if (len)
		buf[0] = '\0';
	struct vmalloc_state *v = mm->vmalloc;
	int w = mm->arch == HW_ARCH_X86_64 ? 16 : 8;
	for (struct vm_area *a = v ? v->vmlist : NULL; a; a = a->next) {
		char line[160];
		int k = snprintf(line, sizeof line, "0x%0*llx-0x%0*llx %7llu", w,
				 (unsigned long long)a->addr, w, (unsigned long long)(a->addr + a->size),
				 (unsigned long long)a->size);
		if (a->nr_pages)
			k += snprintf(line + k, sizeof line - (size_t)k, " pages=%u", a->nr_pages);
		k += snprintf(line + k, sizeof line - (size_t)k, "%s\n",
			      a->flags & VM_ALLOC ? " vmalloc" : a->flags & VM_MAP ? " vmap" : " ioremap");
		if (n + (size_t)k < len)
			memcpy(buf + n, line, (size_t)k + 1);
		n += (size_t)k;
	}
	return n;
}

void vmalloc_teardown(struct mm *mm)
{
	struct vmalloc_state *v = mm->vmalloc;
	if (!v)
		return;
	for (struct vm_area *a = v->vmlist, *next; a; a = next) {
		next = a->next;
		free(a->pages);
		free(a);
	}
	free(v->tkey);
	free(v->tval);
	free(v);
	mm->vmalloc = NULL;
}
