/*
 * Address spaces and their VMAs (Linux 2.6.11 kernel/fork.c mm_alloc and
 * mmput, mm/mmap.c do_mmap_pgoff, get_unmapped_area, find_vma, do_munmap,
 * exit_mmap; arch/i386/mm/tlb and switch_mm). Our own code, the kernel's
 * names.
 *
 * An address space (struct mm_struct) is a pgd (page tables: memory.c) and
 * a list of VMAs sorted by address. Only anonymous private read-write
 * mappings exist: mmap picks a range, makes a VMA and maps nothing; the
 * pages come one by one, when first touched, through page faults
 * (memory.c). munmap takes the range out of the VMAs (trimming or
 * splitting them), zaps its PTEs, flushes the TLBs and only then frees the
 * pages (the mmu_gather order: no CPU may still reach a frame that is being
 * handed out again), then frees the page tables no VMA needs any more.
 *
 * Placement (get_unmapped_area). 2.6.11 i386 uses the top-down layout
 * (arch_pick_mmap_layout): mmap_base = TASK_SIZE minus the stack gap, which
 * with the default 8 MiB stack limit is the minimum gap, 128 MiB: so the
 * first mapping ends at 0xb8000000 and the next ones go below it. x86_64 in
 * 2.6.11 is bottom-up from TASK_UNMAPPED_BASE = PAGE_ALIGN(TASK_SIZE / 3) =
 * 0x2aaaaaaab000. mmsim takes the highest (top-down) or lowest (bottom-up)
 * gap that fits, which is where the kernel's search ends up; its
 * free_area_cache hint, which only makes the search shorter, is not
 * modelled. Adjacent VMAs are not merged (2.6.11's vma_merge would).
 *
 * The objects. The mm_struct and each vm_area_struct are slab objects
 * (caches "mm_struct", hardware-cache aligned, and "vm_area_struct", as
 * 2.6.11's mm_cachep and vm_area_cachep), charged where the code reads and
 * writes them: mmap_sem and page_table_lock as writes of their words (no
 * contention is modelled: one task per address space), the VMA list as
 * reads of each VMA visited (the kernel's rb-tree visits fewer).
 *
 * Threads. Tasks may share one address space (CLONE_VM: mmget); it goes
 * when the last of them exits. Then munmap on one CPU interrupts the
 * others where it is active (flush_tlb_mm's IPIs).
 *
 * CPUs and TLBs. Each CPU has an active address space (active_mm, what CR3
 * points to). A task's operation on its address space makes it active on
 * the task's CPU (switch_mm): when another one was active, CR3 is loaded,
 * which drops every non-global TLB entry (the kernel's entries are global
 * and stay). cpu_vm_mask records where it is active, and flush_tlb_mm
 * (munmap, exit) flushes the current CPU and sends an IPI to each other
 * CPU in it. When an address space goes away, the CPUs where it was active
 * forget it at once (the kernel keeps it as a lazy active_mm until that
 * CPU switches; mmsim frees it now and the next user access loads CR3).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/tlb.h"
#include "mm/2.6.11/mm_types.h"

#define PAGE_SZ HW_PAGE_SIZE
#define MiB (UINT64_C(1) << 20)

/* 2.6.11 sizes of the two objects (i386, x86_64): close to their
 * slabinfo objsize; what matters here is how many share a slab. */
static size_t mm_struct_size(enum hw_arch a)
{
	return a == HW_ARCH_X86_64 ? 832 : 448;
}

static size_t vma_size(enum hw_arch a)
{
	return a == HW_ARCH_X86_64 ? 176 : 88;
}

struct user_state *user_state(struct mm *mm)
{
	if (!mm->user) {
		struct user_state *us = mmsim_xcalloc(1, sizeof *us);
		pt_geometry(mm->arch, &us->geo);
		us->active = mmsim_xcalloc((size_t)mm->ncpus, sizeof *us->active);
		struct trace *tr = mm->trace;
		us->ev_fault = tr ? trace_event_id(tr, "page_fault") : -1;
		us->ev_mmap = tr ? trace_event_id(tr, "mmap") : -1;
		us->ev_munmap = tr ? trace_event_id(tr, "munmap") : -1;
		us->ev_exit = tr ? trace_event_id(tr, "exit_mmap") : -1;
		mm->user = us;
	}
	return mm->user;
}


uint64_t kaddr_to_pa(const struct mm *mm, uint64_t kaddr)
{
	return kaddr - mm->page_offset;
}

static void touch_mm(struct mm *mm, struct mm_struct *umm, unsigned off, unsigned size, int write)
{
	mm_touch(mm, kaddr_to_pa(mm, umm->addr) + off, size, write);
}

static void touch_vma(struct mm *mm, struct vm_area_struct *v, unsigned size, int write)
{
	mm_touch(mm, kaddr_to_pa(mm, v->addr), size, write);
}

uint64_t mm_task_size(const struct mm *mm)
{
	struct pt_geo g;
	pt_geometry(mm->arch, &g);
	return g.task_size;
}

/* ---- Life of an address space ------------------------------------------- */

struct mm_struct *mm_alloc(struct mm *mm)
{
	if (mm_enter(mm))
		return NULL;
	struct user_state *us = user_state(mm);
	if (!us->mm_cachep) {
		us->mm_cachep = kmem_cache_create(mm, "mm_struct", mm_struct_size(mm->arch), 0,
						  SLAB_HWCACHE_ALIGN, false);
		us->vm_area_cachep = kmem_cache_create(mm, "vm_area_struct", vma_size(mm->arch), 0,
						       0, false);
		/* empty_zero_page lives in the kernel image; mmsim takes a
		 * zeroed lowmem frame for it once, never freed. */
		us->zero_page = alloc_pages(mm, GFP_KERNEL | __GFP_ZERO, 0);
		if (!us->mm_cachep || !us->vm_area_cachep || !us->zero_page) {
			mm_fail(mm, MM_ENOMEM, "mm_alloc: cannot create the mm_struct and "
				"vm_area_struct caches");
			return NULL;
		}
	}
	uint64_t obj = kmem_cache_alloc(mm, us->mm_cachep, GFP_KERNEL);
	if (!obj) {
		mm_fail(mm, MM_ENOMEM, "mm_alloc: no memory for an mm_struct");
		return NULL;
	}
	struct pt *pgd = pgd_alloc(mm);
	if (!pgd) {
		kmem_cache_free(mm, us->mm_cachep, obj);
		mm_fail(mm, MM_ENOMEM, "mm_alloc: no memory for a page directory");
		return NULL;
	}
	struct mm_struct *umm = mmsim_xcalloc(1, sizeof *umm);
	umm->addr = obj;
	umm->pgd = pgd;
	umm->mm_users = 1;
	/* memset(mm, 0, sizeof *mm), then mm_init's fields and the pgd */
	for (unsigned o = 0; o < mm_struct_size(mm->arch); o += 64)
		touch_mm(mm, umm, o, 64, 1);
	umm->next = us->mmlist;
	if (us->mmlist)
		us->mmlist->prev = umm;
	us->mmlist = umm;
	us->st.mm_alloc++;
	return umm;
}

/* Where umm is active, make the CPU forget it (leave_mm). */
static void forget_active(struct mm *mm, struct mm_struct *umm)
{
	struct user_state *us = mm->user;
	for (int c = 0; c < mm->ncpus; c++)
		if (us->active[c] == umm)
			us->active[c] = NULL;
}

static void free_vma(struct mm *mm, struct vm_area_struct *v)
{
	kmem_cache_free(mm, mm->user->vm_area_cachep, v->addr);
	free(v);
}

/* 2.6.11 exit_mmap: every VMA unmapped, one flush, the pages freed, every
 * page table freed, then the pgd and the mm_struct (mmdrop). */
void mmget(struct mm_struct *umm)
{
	umm->mm_users++;
}

int mm_users(const struct mm_struct *umm)
{
	return umm->mm_users;
}

void mmput(struct mm *mm, struct mm_struct *umm)
{
	if (!umm || mm_enter(mm))
		return;
	touch_mm(mm, umm, MMS_OFF_COUNTERS, 4, 1);     /* atomic_dec_and_test(&mm_users) */
	if (--umm->mm_users > 0)
		return;
	struct user_state *us = mm->user;
	cycle_t start = sim_now(mm->sim);
	touch_mm(mm, umm, MMS_OFF_PTL, 4, 1);
	struct mmu_gather tlb = { 0 };
	unsigned long rss = umm->rss, vmas = umm->map_count;
	for (struct vm_area_struct *v = umm->mmap; v; v = v->vm_next) {
		touch_vma(mm, v, 32, 0);
		unmap_page_range(mm, umm, v->vm_start, v->vm_end, &tlb);
	}
	flush_tlb_mm(mm, umm);
	tlb_finish_pages(mm, &tlb);
	unsigned long tables = umm->nr_ptes;
	struct vm_area_struct *v = umm->mmap;
	umm->mmap = umm->mmap_cache = NULL;
	umm->map_count = 0;
	free_pgtables(mm, umm, 0, us->geo.task_size);
	while (v) {
		struct vm_area_struct *n = v->vm_next;
		free_vma(mm, v);
		v = n;
	}
	forget_active(mm, umm);
	/* Off the list before the pgd goes: the checker walks the live ones. */
	if (umm->prev)
		umm->prev->next = umm->next;
	else
		us->mmlist = umm->next;
	if (umm->next)
		umm->next->prev = umm->prev;
	pgd_free(mm, umm->pgd);
	kmem_cache_free(mm, us->mm_cachep, umm->addr);
	us->st.mmput++;
	if (trace_enabled(mm->trace, us->ev_exit)) {
		struct sim_task *t = sim_cur_task(mm->sim);
		trace_begin(mm->trace, us->ev_exit, start, mm->cpu, t ? t->name : NULL);
		trace_u64(mm->trace, "vmas", vmas);
		trace_u64(mm->trace, "pages", rss);
		trace_u64(mm->trace, "pgtables", tables);
		trace_u64(mm->trace, "cycles", sim_now(mm->sim) - start);
		trace_end(mm->trace);
	}
	free(umm);
	if (mm->policy.check)
		mm_check_or_panic(mm, "exit_mmap");
}

/* ---- CPUs ---------------------------------------------------------------- */

void switch_mm(struct mm *mm, struct mm_struct *umm)
{
	struct user_state *us = mm->user;
	int cpu = mm->cpu;
	struct mm_struct *prev = us->active[cpu];
	if (prev == umm)
		return;
	if (prev) {
		prev->cpu_vm_mask.bits[cpu / 64] &= ~(UINT64_C(1) << (cpu % 64));
		touch_mm(mm, prev, MMS_OFF_CPUMASK, 8, 1);
	}
	hw_cpumask_set(&umm->cpu_vm_mask, cpu);
	touch_mm(mm, umm, MMS_OFF_CPUMASK, 8, 1);
	touch_mm(mm, umm, MMS_OFF_PGD, 4, 0);
	us->active[cpu] = umm;
	us->st.switch_mm++;
	if (mm->hw)   /* load_cr3: the non-global entries go */
		sim_charge(mm->sim, hw_tlb_flush_all(mm->hw, cpu, false));
}

void flush_tlb_mm(struct mm *mm, struct mm_struct *umm)
{
	struct user_state *us = mm->user;
	us->st.tlb_flush_mm++;
	touch_mm(mm, umm, MMS_OFF_CPUMASK, 8, 0);
	for (int c = 0; c < mm->ncpus; c++)
		if (c != mm->cpu && hw_cpumask_test(&umm->cpu_vm_mask, c))
			us->st.tlb_flush_ipis++;
	if (mm->hw)
		sim_charge(mm->sim, hw_tlb_shootdown(mm->hw, mm->cpu, &umm->cpu_vm_mask,
						     HW_TLB_FLUSH_ALL));
}

/* ---- VMAs ---------------------------------------------------------------- */

/* 2.6.11 find_vma: the first VMA ending above addr, or NULL; mmap_cache
 * first. */
struct vm_area_struct *find_vma(struct mm *mm, struct mm_struct *umm, uint64_t addr)
{
	touch_mm(mm, umm, MMS_OFF_MMAP, 16, 0);
	struct vm_area_struct *c = umm->mmap_cache;
	if (c && c->vm_start <= addr && addr < c->vm_end) {
		touch_vma(mm, c, 24, 0);
		return c;
	}
	for (struct vm_area_struct *v = umm->mmap; v; v = v->vm_next) {
		touch_vma(mm, v, 24, 0);
		if (v->vm_end > addr) {
			umm->mmap_cache = v;
			return v;
		}
	}
	return NULL;
}

/* 2.6.11 mmap_base for i386 (the stack gap clamped to 128 MiB). */
static uint64_t mmap_base(const struct pt_geo *g)
{
	return g->task_size - 128 * MiB;
}

static uint64_t unmapped_base(const struct pt_geo *g)
{
	return (g->task_size / 3 + PAGE_SZ - 1) & ~(uint64_t)(PAGE_SZ - 1);
}

/* The gap chosen for len bytes, 0 if none. Visits (and charges) each VMA. */
static uint64_t get_unmapped_area(struct mm *mm, struct mm_struct *umm, uint64_t len)
{
	const struct pt_geo *g = &mm->user->geo;
	bool topdown = mm->arch != HW_ARCH_X86_64;
	uint64_t lo = topdown ? PAGE_SZ : unmapped_base(g);
	uint64_t hi = topdown ? mmap_base(g) : g->task_size;
	uint64_t best = 0, prev_end = 0;
	for (struct vm_area_struct *v = umm->mmap;; v = v->vm_next) {
		uint64_t gap_lo = prev_end > lo ? prev_end : lo;
		uint64_t gap_hi = v ? v->vm_start : g->task_size;
		if (gap_hi > hi)
			gap_hi = hi;
		if (gap_hi > gap_lo && gap_hi - gap_lo >= len) {
			if (!topdown)
				return gap_lo;
			best = gap_hi - len;
		}
		if (!v)
			break;
		touch_vma(mm, v, 24, 0);
		prev_end = v->vm_end;
	}
	return best;
}

uint64_t do_mmap(struct mm *mm, struct mm_struct *umm, uint64_t len)
{
	if (mm_enter(mm))
		return 0;
	struct user_state *us = mm->user;
	if (!len || len % PAGE_SZ || len > us->geo.task_size) {
		mm_fail(mm, MM_EINVAL, "mmap: length %llu is not a non-zero multiple of 4096 below "
			"TASK_SIZE", (unsigned long long)len);
		return 0;
	}
	cycle_t start = sim_now(mm->sim);
	switch_mm(mm, umm);
	touch_mm(mm, umm, MMS_OFF_SEM, 4, 1);          /* down_write(&mm->mmap_sem) */
	uint64_t addr = get_unmapped_area(mm, umm, len);
	uint64_t obj = addr ? kmem_cache_alloc(mm, us->vm_area_cachep, GFP_KERNEL) : 0;
	if (!obj) {
		touch_mm(mm, umm, MMS_OFF_SEM, 4, 1);
		mm_fail(mm, MM_ENOMEM, addr ? "mmap: no memory for a vm_area_struct"
			: "mmap: no gap of %llu bytes in the address space", (unsigned long long)len);
		return 0;
	}
	struct vm_area_struct *v = mmsim_xcalloc(1, sizeof *v);
	v->vm_start = addr;
	v->vm_end = addr + len;
	v->addr = obj;
	for (unsigned o = 0; o < vma_size(mm->arch); o += 64)
		touch_vma(mm, v, 64, 1);
	/* vma_link: after the last VMA below it */
	struct vm_area_struct **pp = &umm->mmap;
	while (*pp && (*pp)->vm_start < addr)
		pp = &(*pp)->vm_next;
	v->vm_next = *pp;
	*pp = v;
	umm->map_count++;
	umm->total_vm += len / PAGE_SZ;
	touch_mm(mm, umm, MMS_OFF_MMAP, 16, 1);
	touch_mm(mm, umm, MMS_OFF_COUNTERS, 16, 1);
	touch_mm(mm, umm, MMS_OFF_SEM, 4, 1);          /* up_write */
	us->st.mmap++;
	if (trace_enabled(mm->trace, us->ev_mmap)) {
		struct sim_task *t = sim_cur_task(mm->sim);
		trace_begin(mm->trace, us->ev_mmap, start, mm->cpu, t ? t->name : NULL);
		trace_u64(mm->trace, "addr", addr);
		trace_u64(mm->trace, "len", len);
		trace_u64(mm->trace, "cycles", sim_now(mm->sim) - start);
		trace_end(mm->trace);
	}
	return addr;
}

int do_munmap(struct mm *mm, struct mm_struct *umm, uint64_t start, uint64_t len)
{
	int rc = mm_enter(mm);
	if (rc)
		return rc;
	struct user_state *us = mm->user;
	uint64_t end = start + len;
	if (!len || start % PAGE_SZ || len % PAGE_SZ || end > us->geo.task_size || end < start)
		return mm_fail(mm, MM_EINVAL, "munmap: [0x%llx, +%llu) is not a page-aligned, "
			       "non-empty range below TASK_SIZE", (unsigned long long)start,
			       (unsigned long long)len);
	/* Every byte must lie in some VMA (the list is sorted, without overlaps). */
	uint64_t covered = start;
	for (struct vm_area_struct *v = umm->mmap; v && covered < end; v = v->vm_next)
		if (v->vm_start <= covered && v->vm_end > covered)
			covered = v->vm_end;
	if (covered < end)
		return mm_fail(mm, MM_EINVAL, "munmap: [0x%llx, 0x%llx) is not mapped (nothing is "
			       "mapped at 0x%llx)", (unsigned long long)start, (unsigned long long)end,
			       (unsigned long long)covered);
	cycle_t t0 = sim_now(mm->sim);
	switch_mm(mm, umm);
	touch_mm(mm, umm, MMS_OFF_SEM, 4, 1);
	/* Take [start, end) out of the VMAs: drop, trim or split each. */
	struct vm_area_struct **pp = &umm->mmap;
	uint64_t floor = 0, ceiling = us->geo.task_size;
	while (*pp) {
		struct vm_area_struct *v = *pp;
		touch_vma(mm, v, 24, 0);
		if (v->vm_end <= start) {
			floor = v->vm_end;
			pp = &v->vm_next;
			continue;
		}
		if (v->vm_start >= end) {
			ceiling = v->vm_start;
			break;
		}
		if (v->vm_start < start && v->vm_end > end) {
			/* split_vma: a new VMA for the part above */
			uint64_t obj = kmem_cache_alloc(mm, us->vm_area_cachep, GFP_KERNEL);
			if (!obj) {
				touch_mm(mm, umm, MMS_OFF_SEM, 4, 1);
				return mm_fail(mm, MM_ENOMEM, "munmap: no memory to split a VMA");
			}
			struct vm_area_struct *hi = mmsim_xcalloc(1, sizeof *hi);
			hi->vm_start = end;
			hi->vm_end = v->vm_end;
			hi->addr = obj;
			hi->vm_next = v->vm_next;
			for (unsigned o = 0; o < vma_size(mm->arch); o += 64)
				touch_vma(mm, hi, 64, 1);
			v->vm_end = start;
			v->vm_next = hi;
			touch_vma(mm, v, 24, 1);
			umm->map_count++;
			floor = start;
			ceiling = end;
			break;
		}
		if (v->vm_start < start) {               /* trim the top */
			v->vm_end = start;
			touch_vma(mm, v, 24, 1);
			floor = start;
			pp = &v->vm_next;
			continue;
		}
		if (v->vm_end > end) {                   /* trim the bottom */
			v->vm_start = end;
			touch_vma(mm, v, 24, 1);
			ceiling = end;
			break;
		}
		*pp = v->vm_next;                        /* wholly inside: detach */
		if (umm->mmap_cache == v)
			umm->mmap_cache = NULL;
		umm->map_count--;
		free_vma(mm, v);
	}
	touch_mm(mm, umm, MMS_OFF_MMAP, 16, 1);
	umm->total_vm -= len / PAGE_SZ;
	/* unmap_region: zap, flush, free the pages, then the tables */
	unsigned long rss0 = umm->rss, tables0 = umm->nr_ptes;
	struct mmu_gather tlb = { 0 };
	touch_mm(mm, umm, MMS_OFF_PTL, 4, 1);
	unmap_page_range(mm, umm, start, end, &tlb);
	flush_tlb_mm(mm, umm);
	tlb_finish_pages(mm, &tlb);
	free_pgtables(mm, umm, floor, ceiling);
	touch_mm(mm, umm, MMS_OFF_COUNTERS, 16, 1);
	touch_mm(mm, umm, MMS_OFF_PTL, 4, 1);
	touch_mm(mm, umm, MMS_OFF_SEM, 4, 1);
	us->st.munmap++;
	if (trace_enabled(mm->trace, us->ev_munmap)) {
		struct sim_task *t = sim_cur_task(mm->sim);
		trace_begin(mm->trace, us->ev_munmap, t0, mm->cpu, t ? t->name : NULL);
		trace_u64(mm->trace, "addr", start);
		trace_u64(mm->trace, "len", len);
		trace_u64(mm->trace, "freed", rss0 - umm->rss);
		trace_u64(mm->trace, "pgtables_freed", tables0 - umm->nr_ptes);
		trace_u64(mm->trace, "cycles", sim_now(mm->sim) - t0);
		trace_end(mm->trace);
	}
	if (mm->policy.check)
		mm_check_or_panic(mm, "munmap");
	return 0;
}

/* ---- Lookups and counters ----------------------------------------------- */

unsigned long mm_rss(const struct mm_struct *umm)
{
	return umm->rss;
}

unsigned long mm_nr_pgtables(const struct mm_struct *umm)
{
	return umm->nr_ptes;
}

unsigned mm_map_count(const struct mm_struct *umm)
{
	return umm->map_count;
}

unsigned long mm_min_flt(const struct mm_struct *umm)
{
	return umm->min_flt;
}

uint64_t mm_pgd_paddr(const struct mm_struct *umm)
{
	return umm->pgd->pa;
}

const struct mm_user_stats *mm_user_stats(const struct mm *mm)
{
	return mm->user ? &mm->user->st : NULL;
}

void mm_user_register_stats(struct mm *mm, struct stats_registry *reg)
{
	struct user_state *us = user_state(mm);
	static const struct { const char *name, *desc; size_t off; } defs[] = {
#define D(f, d) { #f, d, offsetof(struct mm_user_stats, f) }
		D(mm_alloc, "user address spaces made (mm_alloc)"),
		D(mmput, "user address spaces torn down (exit_mmap)"),
		D(mmap, "anonymous mappings made"),
		D(munmap, "munmap calls"),
		D(pgfault, "page faults handled"),
		D(segv, "user accesses outside every VMA"),
		D(oom, "page faults that found no free frame"),
		D(pages_mapped, "anonymous pages faulted in"),
		D(zero_maps, "read faults that mapped the zero page"),
		D(cow, "write faults on the zero page (do_wp_page)"),
		D(pages_high, "of which from ZONE_HIGHMEM"),
		D(pages_freed, "user pages freed by munmap and exit"),
		D(pte_alloc, "page-table pages allocated below the pgd"),
		D(pte_free, "page-table pages freed"),
		D(pgd_alloc, "page directories allocated"),
		D(pgd_free, "page directories freed"),
		D(switch_mm, "CR3 loads: a CPU switched address space"),
		D(tlb_flush_mm, "flush_tlb_mm calls (munmap, exit)"),
		D(tlb_flush_ipis, "other CPUs flush_tlb_mm interrupted"),
		D(uaccess, "user accesses (t:utouch)"),
		D(uaccess_bytes, "bytes of user accesses"),
#undef D
	};
	for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
		char name[64];
		snprintf(name, sizeof name, "mm.user.%s", defs[i].name);
		stats_add_counter(reg, name, defs[i].desc,
				  (const uint64_t *)((const char *)&us->st + defs[i].off));
	}
}

/* Host memory only: the run is over. */
static void pt_free_host(struct pt *t, int level, const struct pt_geo *g)
{
	if (!t)
		return;
	if (t->sub) {
		for (unsigned i = 0; i < (1u << g->bits[level]); i++)
			pt_free_host(t->sub[i], level + 1, g);
		free(t->sub);
	}
	free(t->pte);
	free(t);
}

void user_destroy(struct mm *mm)
{
	struct user_state *us = mm->user;
	if (!us)
		return;
	while (us->mmlist) {
		struct mm_struct *umm = us->mmlist;
		us->mmlist = umm->next;
		while (umm->mmap) {
			struct vm_area_struct *v = umm->mmap;
			umm->mmap = v->vm_next;
			free(v);
		}
		pt_free_host(umm->pgd, 0, &us->geo);
		free(umm);
	}
	free(us->active);
	free(us);
	mm->user = NULL;
}

/* The invariants: VMAs sorted and disjoint, counted; every table's `used`
 * is its present entries; rss and nr_ptes match the tables; every mapped
 * frame is allocated. */
static int check_pt(struct mm *mm, const struct pt_geo *g, const struct pt *t, int level,
		    unsigned long *pages, unsigned long *tables, char *err, size_t len)
{
	unsigned n = 1u << g->bits[level], used = 0;
	for (unsigned i = 0; i < n; i++) {
		if (level == g->levels - 1) {
			if (!t->pte[i])
				continue;
			used++;
			struct page *p = pfn_to_page(mm, pte_pfn(t->pte[i]));
			bool zero = p == mm->user->zero_page;
			if (zero != !!(t->pte[i] & PTE_RDONLY))
				return mmsim_errf(err, len, "user pte of pfn %llu: read-only %d, zero page %d",
						  (unsigned long long)pte_pfn(t->pte[i]),
						  !!(t->pte[i] & PTE_RDONLY), zero);
			if (!zero)
				(*pages)++;      /* rss leaves the zero page out */
			if (!p || page_count(p) <= 0)
				return mmsim_errf(err, len, "user pte maps pfn %llu, which is not allocated",
						  (unsigned long long)pte_pfn(t->pte[i]));
		} else if (t->sub[i]) {
			used++;
			if (level > 0 || mm->arch != HW_ARCH_I386_PAE)
				(*tables)++;
			if (check_pt(mm, g, t->sub[i], level + 1, pages, tables, err, len))
				return -1;
		}
	}
	if (used != t->used)
		return mmsim_errf(err, len, "a level-%d page table at 0x%llx counts %u entries, holds %u",
				  level, (unsigned long long)t->pa, t->used, used);
	return 0;
}

int user_check(struct mm *mm, char *err, size_t len)
{
	struct user_state *us = mm->user;
	if (!us)
		return 0;
	for (struct mm_struct *umm = us->mmlist; umm; umm = umm->next) {
		unsigned n = 0;
		uint64_t prev_end = 0;
		for (struct vm_area_struct *v = umm->mmap; v; v = v->vm_next, n++)
			if (v->vm_start < prev_end || v->vm_end <= v->vm_start)
				return mmsim_errf(err, len, "VMA [0x%llx, 0x%llx) overlaps or is empty",
						  (unsigned long long)v->vm_start,
						  (unsigned long long)v->vm_end);
			else
				prev_end = v->vm_end;
		if (n != umm->map_count)
			return mmsim_errf(err, len, "map_count %u, %u VMAs", umm->map_count, n);
		unsigned long pages = 0, tables = 0;
		if (check_pt(mm, &us->geo, umm->pgd, 0, &pages, &tables, err, len))
			return -1;
		if (pages != umm->rss || tables != umm->nr_ptes)
			return mmsim_errf(err, len, "rss %lu and nr_ptes %lu, the tables hold %lu pages "
					  "and %lu tables", umm->rss, umm->nr_ptes, pages, tables);
	}
	return 0;
}
