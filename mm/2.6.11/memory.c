/*
 * User page tables and page faults (Linux 2.6.11 mm/memory.c:
 * handle_mm_fault, do_anonymous_page, zap_pte_range, clear_page_range;
 * arch/i386/mm/pgtable.c pgd_alloc and pte_alloc_one; arch/i386/mm/fault.c
 * do_page_fault). Our own code, the kernel's names.
 *
 * The tables. A user address is translated by the same hardware walk as a
 * kernel one, from the pgd CR3 points to:
 *   i386      pgd (1024 four-byte entries, 4 MiB each) -> PTE page;
 *   i386-pae  PDPT (4 entries, 1 GiB each) -> PMD (512, 2 MiB) -> PTE page;
 *   x86_64    PML4 (pgd) -> PUD -> PMD -> PTE page, 512 entries each.
 * Each table is a frame of simulated memory; the walker (mm_cpu_walk, the
 * CPUs' hw_mmu) gives the physical address of each entry it reads, and the
 * TLB code fetches them through the caches, so a walk costs what the
 * entries' lines cost where they are. The user half of a new pgd is empty;
 * its kernel half is a copy of swapper_pg_dir's (2.6.11 pgd_ctor), so a
 * kernel address walked from a process's pgd reads its top entry there.
 * PAE's pgd_alloc also allocates the three user PMDs, kept until the pgd
 * goes. Every table below the pgd is a zeroed GFP_KERNEL frame
 * (pte_alloc_one without CONFIG_HIGHPTE: the tables stay in lowmem, where
 * the kernel reaches them through the direct map); the pgd is a GFP_KERNEL
 * frame the constructor fills. With the policy knob highpte=on
 * (CONFIG_HIGHPTE) a PTE page is a HighMem frame when one is free, and the
 * kernel reaches it through kmap_atomic(KM_PTE0) (pte_offset_map below);
 * the hardware walk reads it by physical address like any other. 2.6.11
 * takes the i386 pgd (and PAE's PDPT,
 * 32 bytes) from the pgd slab cache; mmsim takes a whole frame for each.
 *
 * A fault (handle_mm_fault, for an address in a VMA): the page_table_lock,
 * then each level's entry, allocating a missing table on the way down
 * (pud_alloc, pmd_alloc, pte_alloc_map: a zeroed frame, its entry written
 * in the level above), then do_anonymous_page: alloc_page(GFP_HIGHUSER),
 * so on a machine with HighMem the frame comes from ZONE_HIGHMEM first;
 * clear_user_highpage, which maps it with kmap_atomic(KM_USER0) and writes
 * every line through that window (a HighMem frame has no other kernel
 * address; the window's invlpg makes the first write miss the TLB and walk
 * the fixmap's page table); then set_pte and rss++. The CPU then retries
 * the access, misses the TLB again and walks to the new PTE. A user access
 * never kmaps: the CPU reaches the frame through the user's page tables,
 * which map HighMem and lowmem alike.
 *
 * A read fault maps the shared zero page instead, read-only, as 2.6.11's
 * do_anonymous_page does: no frame, no rss. The TLB does not serve a write
 * through a read-only entry and the walk reports it, so the first write
 * faults again and do_wp_page replaces the zero page with a frame of its
 * own (cleared, not copied: 2.6.11's copy_cow_page), then flush_tlb_page.
 *
 * What 2.6.11 does that mmsim does not: the exception's own entry and exit
 * cost nothing here (the handler's memory accesses are charged); no LRU
 * lists, no rmap, no swap: the pages cannot be reclaimed.
 *
 * Unmapping (zap_pte_range) clears each present PTE and gathers its page;
 * the caller flushes the TLBs (flush_tlb_mm) and only then frees the
 * gathered pages (tlb_finish_mmu). free_pgtables then frees every table
 * below the pgd whose span no VMA touches any more, clearing its entry
 * above: the rule of 2.6.12's free_pgtables (floor and ceiling from the
 * neighbouring VMAs); 2.6.11's clear_page_range freed the tables whose span
 * the cleared range covered, which for a munmap of everything and for exit
 * is the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/tlb.h"
#include "mm/highmem.h"
#include "mm/2.6.11/mm_types.h"

#define PAGE_SZ HW_PAGE_SIZE

void pt_geometry(enum hw_arch arch, struct pt_geo *g)
{
	memset(g, 0, sizeof *g);
	switch (arch) {
	case HW_ARCH_I386:
		*g = (struct pt_geo){ 2, { 22, 12 }, { 10, 10 }, 4, UINT64_C(0xc0000000) };
		break;
	case HW_ARCH_I386_PAE:
		*g = (struct pt_geo){ 3, { 30, 21, 12 }, { 2, 9, 9 }, 8, UINT64_C(0xc0000000) };
		break;
	case HW_ARCH_X86_64:
		/* 2.6.11 TASK_SIZE: 0x800000000000 less one guard page */
		*g = (struct pt_geo){ 4, { 39, 30, 21, 12 }, { 9, 9, 9, 9 }, 8,
				      UINT64_C(0x800000000000) - PAGE_SZ };
		break;
	}
}

static unsigned pt_index(const struct pt_geo *g, int level, uint64_t va)
{
	return (unsigned)((va >> g->shift[level]) & ((UINT64_C(1) << g->bits[level]) - 1));
}

static uint64_t entry_pa(const struct pt_geo *g, const struct pt *t, int level, uint64_t va)
{
	return t->pa + (uint64_t)pt_index(g, level, va) * g->esize;
}

/* The span one entry of `level` covers (level -1: the whole space). */
static uint64_t span_of(const struct pt_geo *g, int level)
{
	return UINT64_C(1) << g->shift[level];
}

/* A host table of `level` on frame page. */
static struct pt *pt_host(struct mm *mm, const struct pt_geo *g, int level, struct page *page)
{
	struct pt *t = mmsim_xcalloc(1, sizeof *t);
	size_t n = (size_t)1 << g->bits[level];
	t->page = page;
	t->pa = page_to_pfn(mm, page) << HW_PAGE_SHIFT;
	if (level == g->levels - 1)
		t->pte = mmsim_xcalloc(n, sizeof *t->pte);
	else
		t->sub = mmsim_xcalloc(n, sizeof *t->sub);
	return t;
}

static void pt_host_free(struct pt *t)
{
	free(t->sub);
	free(t->pte);
	free(t);
}

/* pte_alloc_one / pmd_alloc_one / pud_alloc_one: a zeroed frame, lowmem
 * except a PTE page with CONFIG_HIGHPTE (highpte=on), which 2.6.11 takes
 * with __GFP_HIGHMEM and clears with clear_highpage. */
static struct pt *pt_alloc(struct mm *mm, const struct pt_geo *g, int level)
{
	gfp_t gfp = GFP_KERNEL | __GFP_REPEAT | __GFP_ZERO;
	if (level == g->levels - 1 && mm->policy.highpte && mm->hm)
		gfp |= __GFP_HIGHMEM;
	struct page *p = alloc_pages(mm, gfp, 0);
	return p ? pt_host(mm, g, level, p) : NULL;
}

/*
 * The kernel's access to a PTE page (pte_offset_map / pte_unmap). A lowmem
 * one is read and written through the direct map (charged at its physical
 * address, as every kernel access to metadata). A HighMem one (highpte=on)
 * has no kernel address: pte_offset_map maps it with kmap_atomic(KM_PTE0)
 * (a PTE write and an invlpg) and the entries are reached through that
 * window, so through the TLB: the cost CONFIG_HIGHPTE pays for the lowmem
 * it saves. If the window is taken (a task holds KM_PTE0 across its
 * operations) the access goes on unmapped; the entries' cost is the same.
 */
struct pte_map {
	struct pt *t;
	uint64_t va;              /* the window's address, 0: direct */
};

static struct pte_map pte_offset_map(struct mm *mm, struct pt *t)
{
	struct pte_map m = { t, 0 };
	if (PageHighMem(t->page))
		m.va = kmap_atomic(mm, t->page, KM_PTE0);
	return m;
}

static void pte_unmap(struct mm *mm, struct pte_map *m)
{
	if (m->va)
		kunmap_atomic(mm, KM_PTE0);
	m->va = 0;
}

static void pte_touch(struct mm *mm, const struct pte_map *m, uint64_t pa, unsigned size,
		      int write)
{
	if (m->va && mm->hw) {
		cycle_t c;
		int rc = hw_vaccess(mm->hw, mm->cpu, m->va + (pa - m->t->pa), size, write, &c);
		MMSIM_ASSERT(rc == 0);
		sim_charge(mm->sim, c);
		return;
	}
	mm_touch(mm, pa, size, write);
}

struct pt *pgd_alloc(struct mm *mm)
{
	const struct pt_geo *g = &mm->user->geo;
	struct page *p = alloc_pages(mm, GFP_KERNEL, 0);
	if (!p)
		return NULL;
	struct pt *pgd = pt_host(mm, g, 0, p);
	uint64_t kslot = g->task_size >> g->shift[0];     /* first kernel entry */
	if (mm->arch == HW_ARCH_I386_PAE) {
		/* the PDPT: three user PMDs now, the kernel's PMD in slot 3 */
		for (int i = 0; i < 3; i++) {
			struct pt *pmd = pt_alloc(mm, g, 1);
			if (!pmd) {
				for (int j = 0; j < i; j++) {
					__free_pages(mm, pgd->sub[j]->page, 0);
					pt_host_free(pgd->sub[j]);
				}
				__free_pages(mm, p, 0);
				pt_host_free(pgd);
				return NULL;
			}
			pgd->sub[i] = pmd;
			pgd->used++;
		}
		mm_touch(mm, mm->pgt_start + 3 * 8, 8, 0);
		mm_touch(mm, pgd->pa, 32, 1);
	} else {
		/* pgd_ctor: copy the kernel entries, clear the user ones */
		uint64_t koff = kslot * g->esize;
		for (uint64_t o = koff; o < PAGE_SZ; o += 64)
			mm_touch(mm, mm->pgt_start + o, 64, 0);
		for (uint64_t o = 0; o < PAGE_SZ; o += 64)
			mm_touch(mm, pgd->pa + o, 64, 1);
	}
	mm->user->st.pgd_alloc++;
	return pgd;
}

void pgd_free(struct mm *mm, struct pt *pgd)
{
	if (mm->arch == HW_ARCH_I386_PAE)
		for (int i = 0; i < 3; i++) {
			if (!pgd->sub[i])
				continue;
			__free_pages(mm, pgd->sub[i]->page, 0);
			pt_host_free(pgd->sub[i]);
		}
	__free_pages(mm, pgd->page, 0);
	pt_host_free(pgd);
	mm->user->st.pgd_free++;
}

/* ---- The walk ------------------------------------------------------------- */

static int user_walk(const struct pt_geo *g, const struct mm_struct *umm, uint64_t va,
		     int write, struct hw_walk *w)
{
	w->levels = 0;
	w->entry_size = g->esize;
	const struct pt *t = umm->pgd;
	for (int l = 0; l < g->levels; l++) {
		w->entry[w->levels++] = entry_pa(g, t, l, va);
		unsigned i = pt_index(g, l, va);
		if (l == g->levels - 1) {
			if (!t->pte[i])
				return -MM_EFAULT;
			w->frame = pte_pfn(t->pte[i]) << HW_PAGE_SHIFT;
			w->large = false;
			w->global = false;
			w->readonly = t->pte[i] & PTE_RDONLY;
			return write && w->readonly ? -MM_EFAULT : 0;   /* a protection fault */
		}
		t = t->sub[i];
		if (!t)
			return -MM_EFAULT;
	}
	return -MM_EFAULT;
}

int mm_cpu_walk(void *ctx, int cpu, uint64_t vaddr, int write, struct hw_walk *w)
{
	struct mm *mm = ctx;
	const struct user_state *us = mm->user;
	const struct mm_struct *umm = us && cpu >= 0 && cpu < mm->ncpus ? us->active[cpu] : NULL;
	if (!umm)
		return mm_kernel_walk(ctx, cpu, vaddr, write, w);
	if (vaddr < us->geo.task_size)
		return user_walk(&us->geo, umm, vaddr, write, w);
	int rc = mm_kernel_walk(ctx, cpu, vaddr, write, w);
	if (w->levels)
		w->entry[0] = entry_pa(&us->geo, umm->pgd, 0, vaddr);   /* the pgd's copy */
	return rc;
}

void mm_uwalk(struct mm *mm, const struct mm_struct *umm, uint64_t uaddr, struct mm_upage *out)
{
	memset(out, 0, sizeof *out);
	out->zone = -1;
	out->nid = -1;
	struct user_state *us = user_state(mm);
	for (const struct vm_area_struct *v = umm->mmap; v; v = v->vm_next)
		if (v->vm_start <= uaddr && uaddr < v->vm_end)
			out->vma = true;
	if (uaddr >= us->geo.task_size)
		return;
	struct hw_walk w = { 0 };
	int rc = user_walk(&us->geo, umm, uaddr, 0, &w);
	out->levels = w.levels;
	for (unsigned i = 0; i < w.levels; i++)
		out->entry[i] = w.entry[i];
	if (rc)
		return;
	out->present = true;
	out->writable = !w.readonly;
	out->pfn = w.frame >> HW_PAGE_SHIFT;
	struct page *p = pfn_to_page(mm, out->pfn);
	out->nid = page_nid(p);
	out->zone = page_zonenum(p);
}

/* ---- Faults ------------------------------------------------------------- */

/* 2.6.11 clear_user_highpage: kmap_atomic(KM_USER0), clear_page through the
 * window (through the TLB when there is hardware), kunmap_atomic. */
static int clear_user_highpage(struct mm *mm, struct page *page)
{
	uint64_t va = kmap_atomic(mm, page, KM_USER0);
	if (!va)
		return -mm->errcode;
	if (mm->hw) {
		cycle_t c;
		int rc = hw_vaccess(mm->hw, mm->cpu, va, PAGE_SZ, 1, &c);
		MMSIM_ASSERT(rc == 0);
		sim_charge(mm->sim, c);
	} else {
		uint64_t pa = page_to_pfn(mm, page) << HW_PAGE_SHIFT;
		for (uint64_t o = 0; o < PAGE_SZ; o += 64)
			mm_touch(mm, pa + o, 64, 1);
	}
	kunmap_atomic(mm, KM_USER0);
	return 0;
}

static void trace_fault(struct mm *mm, uint64_t addr, int write, int64_t pfn, unsigned tables,
			cycle_t start)
{
	struct user_state *us = mm->user;
	if (!trace_enabled(mm->trace, us->ev_fault))
		return;
	struct sim_task *t = sim_cur_task(mm->sim);
	trace_begin(mm->trace, us->ev_fault, start, mm->cpu, t ? t->name : NULL);
	trace_u64(mm->trace, "addr", addr);
	trace_bool(mm->trace, "write", write);
	trace_i64(mm->trace, "pfn", pfn);
	if (pfn >= 0) {
		struct page *p = pfn_to_page(mm, (uint64_t)pfn);
		trace_str(mm->trace, "zone", zone_of_page(mm, p)->name);
	}
	trace_u64(mm->trace, "pgtables", tables);
	trace_u64(mm->trace, "cycles", sim_now(mm->sim) - start);
	trace_end(mm->trace);
}

int handle_mm_fault(struct mm *mm, struct mm_struct *umm, uint64_t addr, int write)
{
	int rc = mm_enter(mm);
	if (rc)
		return rc;
	struct user_state *us = mm->user;
	const struct pt_geo *g = &us->geo;
	cycle_t start = sim_now(mm->sim);
	if (kmap_atomic_depth(mm, mm->cpu) > 0)
		/* do_page_fault: in_atomic() goes straight to bad_area */
		return mm_fail(mm, MM_EFAULT, "page fault at 0x%llx on cpu %d while it holds a "
			       "kmap_atomic window (atomic context: the kernel does not handle it)",
			       (unsigned long long)addr, mm->cpu);
	mm_touch(mm, kaddr_to_pa(mm, umm->addr) + MMS_OFF_SEM, 4, 1);   /* down_read */
	struct vm_area_struct *v = addr < g->task_size ? find_vma(mm, umm, addr) : NULL;
	if (!v || v->vm_start > addr) {
		mm_touch(mm, kaddr_to_pa(mm, umm->addr) + MMS_OFF_SEM, 4, 1);
		us->st.segv++;
		return mm_fail(mm, MM_EFAULT, "segmentation fault: no mapping at 0x%llx",
			       (unsigned long long)addr);
	}
	mm->vm[PGFAULT]++;            /* handle_mm_fault's inc_page_state(pgfault) */
	us->st.pgfault++;
	umm->min_flt++;
	uint64_t ptl = kaddr_to_pa(mm, umm->addr) + MMS_OFF_PTL;
	mm_touch(mm, ptl, 4, 1);      /* spin_lock(&mm->page_table_lock) */
	struct pt *t = umm->pgd;
	unsigned tables = 0;
	for (int l = 0; l < g->levels - 1; l++) {
		unsigned i = pt_index(g, l, addr);
		mm_touch(mm, entry_pa(g, t, l, addr), g->esize, 0);
		if (!t->sub[i]) {
			struct pt *n = pt_alloc(mm, g, l + 1);
			if (!n) {
				mm_touch(mm, ptl, 4, 1);
				us->st.oom++;
				trace_fault(mm, addr, write, -1, tables, start);
				return mm_fail(mm, MM_ENOMEM, "page fault at 0x%llx: no frame for a page "
					       "table (VM_FAULT_OOM)", (unsigned long long)addr);
			}
			t->sub[i] = n;
			t->used++;
			mm_touch(mm, entry_pa(g, t, l, addr), g->esize, 1);  /* pmd_populate */
			umm->nr_ptes++;
			us->st.pte_alloc++;
			tables++;
		}
		t = t->sub[i];
	}
	unsigned i = pt_index(g, g->levels - 1, addr);
	uint64_t pte_pa = entry_pa(g, t, g->levels - 1, addr);
	struct pte_map pm = pte_offset_map(mm, t);
	pte_touch(mm, &pm, pte_pa, g->esize, 0);
	pte_unmap(mm, &pm);          /* do_anonymous_page unmaps before allocating */
	bool wp = t->pte[i] && write && (t->pte[i] & PTE_RDONLY);
	if (t->pte[i] && !wp) {
		/* Present already: the TLB was stale (nothing to do but retry). */
		mm_touch(mm, ptl, 4, 1);
		trace_fault(mm, addr, write, (int64_t)pte_pfn(t->pte[i]), tables, start);
		return 0;
	}
	if (!write) {
		/* do_anonymous_page, read: the zero page, read-only; no frame
		 * taken, no rss. */
		t->pte[i] = (page_to_pfn(mm, us->zero_page) + 1) | PTE_RDONLY;
		t->used++;
		pm = pte_offset_map(mm, t);
		pte_touch(mm, &pm, pte_pa, g->esize, 1);
		pte_unmap(mm, &pm);
		mm_touch(mm, ptl, 4, 1);
		mm_touch(mm, kaddr_to_pa(mm, umm->addr) + MMS_OFF_SEM, 4, 1);
		us->st.zero_maps++;
		trace_fault(mm, addr, write, (int64_t)page_to_pfn(mm, us->zero_page), tables, start);
		return 0;
	}
	/* do_anonymous_page for a write; or do_wp_page on the zero page, whose
	 * copy is a clear (2.6.11 copy_cow_page) */
	/* The era's mask for an anonymous page (2.6.11: GFP_HIGHUSER; an era
	 * whose allocator sorts pages by mobility asks for a movable one) */
	struct page *page = alloc_pages(mm, mm->ops->gfp_anon, 0);
	if (!page) {
		mm_touch(mm, ptl, 4, 1);
		us->st.oom++;
		trace_fault(mm, addr, write, -1, tables, start);
		return mm_fail(mm, MM_ENOMEM, "page fault at 0x%llx: no free frame (VM_FAULT_OOM)",
			       (unsigned long long)addr);
	}
	rc = clear_user_highpage(mm, page);
	MMSIM_ASSERT(rc == 0);
	uint64_t pfn = page_to_pfn(mm, page);
	if (!wp)
		t->used++;
	t->pte[i] = pfn + 1;
	pm = pte_offset_map(mm, t);
	pte_touch(mm, &pm, pte_pa, g->esize, 1);           /* set_pte / ptep_establish */
	pte_unmap(mm, &pm);
	if (wp) {
		/* flush_tlb_page: the read-only entry goes from every CPU where
		 * the address space is active */
		us->st.cow++;
		if (mm->hw)
			sim_charge(mm->sim, hw_tlb_shootdown(mm->hw, mm->cpu, &umm->cpu_vm_mask,
							     addr & ~(uint64_t)(PAGE_SZ - 1)));
	}
	umm->rss++;
	mm_touch(mm, kaddr_to_pa(mm, umm->addr) + MMS_OFF_COUNTERS, 8, 1);
	mm_touch(mm, ptl, 4, 1);
	mm_touch(mm, kaddr_to_pa(mm, umm->addr) + MMS_OFF_SEM, 4, 1);   /* up_read */
	us->st.pages_mapped++;
	if (PageHighMem(page))
		us->st.pages_high++;
	trace_fault(mm, addr, write, (int64_t)pfn, tables, start);
	return 0;
}

/* Is the page at va present (software walk, no cost)? */
static bool present(const struct pt_geo *g, const struct mm_struct *umm, uint64_t va, int write)
{
	struct hw_walk w = { 0 };
	return user_walk(g, umm, va, write, &w) == 0;
}

int mm_uaccess(struct mm *mm, struct mm_struct *umm, uint64_t uaddr, uint64_t len, int write,
	       struct mm_uaccess_info *info)
{
	struct mm_uaccess_info dummy;
	if (!info)
		info = &dummy;
	memset(info, 0, sizeof *info);
	int rc = mm_enter(mm);
	if (rc)
		return rc;
	struct user_state *us = mm->user;
	const struct pt_geo *g = &us->geo;
	if (!len || uaddr >= g->task_size || len > g->task_size - uaddr) {
		us->st.segv++;
		return mm_fail(mm, MM_EFAULT, "segmentation fault: [0x%llx, +%llu) is not a user "
			       "range (TASK_SIZE is 0x%llx)", (unsigned long long)uaddr,
			       (unsigned long long)len, (unsigned long long)g->task_size);
	}
	switch_mm(mm, umm);
	us->st.uaccess++;
	us->st.uaccess_bytes += len;
	uint64_t va = uaddr, end = uaddr + len;
	int tries = 0;
	while (va < end) {
		uint64_t page_end = (va | (PAGE_SZ - 1)) + 1;
		unsigned n = (unsigned)((page_end < end ? page_end : end) - va);
		int fault;
		if (mm->hw) {
			const struct hw_tlb_stats *ts = hw_tlb_stats(mm->hw, mm->cpu);
			cycle_t w0 = ts->walk_cycles, c;
			fault = hw_vaccess(mm->hw, mm->cpu, va, n, write, &c);
			sim_charge(mm->sim, c);
			info->walk_cycles += ts->walk_cycles - w0;
		} else {
			fault = present(g, umm, va, write) ? 0 : -MM_EFAULT;
		}
		if (!fault) {
			va += n;
			tries = 0;
			continue;
		}
		MMSIM_ASSERT(fault == -MM_EFAULT && tries++ == 0);
		cycle_t f0 = sim_now(mm->sim);
		unsigned long tables = umm->nr_ptes;
		rc = handle_mm_fault(mm, umm, va, write);
		info->fault_cycles += sim_now(mm->sim) - f0;
		if (rc)
			return rc;
		info->faults++;
		info->pte_allocs += (unsigned)(umm->nr_ptes - tables);
		mm->cpu = sim_cur_cpu(mm->sim);
	}
	if (mm->policy.check)
		mm_check_or_panic(mm, "uaccess");
	return 0;
}

/* ---- Unmapping ------------------------------------------------------------ */

static void gather(struct mmu_gather *tlb, struct page *p)
{
	if (tlb->n == tlb->cap) {
		tlb->cap = tlb->cap ? 2 * tlb->cap : 64;
		tlb->pages = mmsim_xrealloc(tlb->pages, tlb->cap * sizeof *tlb->pages);
	}
	tlb->pages[tlb->n++] = p;
}

/* zap_pud_range .. zap_pte_range over [start, end), below table t of level. */
static void zap_range(struct mm *mm, struct mm_struct *umm, struct pt *t, int level,
		      uint64_t start, uint64_t end, struct mmu_gather *tlb)
{
	const struct pt_geo *g = &mm->user->geo;
	uint64_t span = span_of(g, level);
	bool leaf = level == g->levels - 1;
	struct pte_map pm = { t, 0 };
	if (leaf)
		pm = pte_offset_map(mm, t);   /* zap_pte_range maps the table once */
	for (uint64_t va = start; va < end;) {
		uint64_t next = (va & ~(span - 1)) + span;
		if (next > end || next < va)
			next = end;
		unsigned i = pt_index(g, level, va);
		if (leaf) {
			pte_touch(mm, &pm, entry_pa(g, t, level, va), g->esize, 0);
			if (t->pte[i]) {
				if (!(t->pte[i] & PTE_RDONLY)) {   /* the zero page is not freed */
					gather(tlb, pfn_to_page(mm, pte_pfn(t->pte[i])));
					umm->rss--;
				}
				t->pte[i] = 0;
				t->used--;
				pte_touch(mm, &pm, entry_pa(g, t, level, va), g->esize, 1);  /* ptep_get_and_clear */
			}
		} else {
			mm_touch(mm, entry_pa(g, t, level, va), g->esize, 0);
			if (t->sub[i])
				zap_range(mm, umm, t->sub[i], level + 1, va, next, tlb);
		}
		va = next;
	}
	if (leaf)
		pte_unmap(mm, &pm);
}

void unmap_page_range(struct mm *mm, struct mm_struct *umm, uint64_t start, uint64_t end,
		      struct mmu_gather *tlb)
{
	zap_range(mm, umm, umm->pgd, 0, start, end, tlb);
}

void tlb_finish_pages(struct mm *mm, struct mmu_gather *tlb)
{
	for (size_t i = 0; i < tlb->n; i++) {
		int rc = __free_pages(mm, tlb->pages[i], 0);
		MMSIM_ASSERT(rc == 0);
		mm->user->st.pages_freed++;
	}
	free(tlb->pages);
	*tlb = (struct mmu_gather){ 0 };
}

static bool vma_in(const struct mm_struct *umm, uint64_t lo, uint64_t hi)
{
	for (const struct vm_area_struct *v = umm->mmap; v; v = v->vm_next)
		if (v->vm_start < hi && v->vm_end > lo)
			return true;
	return false;
}

/* Free the tables below t (of level) whose span lies in [floor, ceiling)
 * and holds no VMA. */
static void free_below(struct mm *mm, struct mm_struct *umm, struct pt *t, int level,
		       uint64_t base, uint64_t floor, uint64_t ceiling)
{
	const struct pt_geo *g = &mm->user->geo;
	if (level == g->levels - 1)
		return;
	uint64_t span = span_of(g, level);
	unsigned n = 1u << g->bits[level];
	for (unsigned i = 0; i < n && t->used; i++) {
		struct pt *c = t->sub[i];
		uint64_t lo = base + (uint64_t)i * span, hi = lo + span;
		if (!c || hi <= floor || lo >= ceiling)
			continue;
		free_below(mm, umm, c, level + 1, lo, floor, ceiling);
		bool pae_pmd = mm->arch == HW_ARCH_I386_PAE && level == 0;
		if (pae_pmd || vma_in(umm, lo, hi))
			continue;
		MMSIM_ASSERT(c->used == 0);
		t->sub[i] = NULL;
		t->used--;
		mm_touch(mm, t->pa + (uint64_t)i * g->esize, g->esize, 1);   /* pmd_clear */
		umm->nr_ptes--;
		mm->user->st.pte_free++;
		__free_pages(mm, c->page, 0);                                  /* pte_free_tlb */
		pt_host_free(c);
	}
}

void free_pgtables(struct mm *mm, struct mm_struct *umm, uint64_t floor, uint64_t ceiling)
{
	free_below(mm, umm, umm->pgd, 0, 0, floor, ceiling);
}

/* ---- get_user_pages ----------------------------------------------------- */

/* 2.6.11 follow_page: the kernel reads the tables itself, through the
 * direct map (they are lowmem), one entry per level, charged. */
static struct page *follow_page(struct mm *mm, struct mm_struct *umm, uint64_t va, int write)
{
	const struct pt_geo *g = &mm->user->geo;
	struct pt *t = umm->pgd;
	for (int l = 0; l < g->levels; l++) {
		unsigned i = pt_index(g, l, va);
		if (l == g->levels - 1) {
			struct pte_map pm = pte_offset_map(mm, t);
			pte_touch(mm, &pm, entry_pa(g, t, l, va), g->esize, 0);
			pte_unmap(mm, &pm);
			if (!t->pte[i] || (write && (t->pte[i] & PTE_RDONLY)))
				return NULL;   /* absent, or the zero page for a write: fault */
			return pfn_to_page(mm, pte_pfn(t->pte[i]));
		}
		mm_touch(mm, entry_pa(g, t, l, va), g->esize, 0);
		t = t->sub[i];
		if (!t)
			return NULL;
	}
	return NULL;
}

int get_user_pages(struct mm *mm, struct mm_struct *umm, uint64_t start, int len, int write,
		   struct page **pages)
{
	int rc = mm_enter(mm);
	if (rc)
		return rc;
	const struct pt_geo *g = &mm->user->geo;
	if (len < 1 || start % PAGE_SZ || start >= g->task_size ||
	    (uint64_t)len > (g->task_size - start) / PAGE_SZ)
		return mm_fail(mm, MM_EINVAL, "get_user_pages: [0x%llx, +%d pages) is not a "
			       "page-aligned user range", (unsigned long long)start, len);
	for (int i = 0; i < len; i++) {
		uint64_t va = start + (uint64_t)i * PAGE_SZ;
		struct vm_area_struct *v = find_vma(mm, umm, va);
		if (!v || v->vm_start > va) {
			for (int j = 0; j < i; j++)
				__free_pages(mm, pages[j], 0);
			return mm_fail(mm, MM_EFAULT, "get_user_pages: no mapping at 0x%llx",
				       (unsigned long long)va);
		}
		mm_touch(mm, kaddr_to_pa(mm, umm->addr) + MMS_OFF_PTL, 4, 1);
		struct page *p = follow_page(mm, umm, va, write);
		mm_touch(mm, kaddr_to_pa(mm, umm->addr) + MMS_OFF_PTL, 4, 1);
		if (!p) {
			rc = handle_mm_fault(mm, umm, va, write);
			if (rc) {
				for (int j = 0; j < i; j++)
					__free_pages(mm, pages[j], 0);
				return rc;
			}
			p = follow_page(mm, umm, va, write);
			MMSIM_ASSERT(p);
		}
		rc = get_page(mm, p);
		MMSIM_ASSERT(rc == 0);
		pages[i] = p;
	}
	return len;
}
