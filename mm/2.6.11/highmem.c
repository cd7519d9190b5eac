/*
 * Kernel mappings of HighMem frames (Linux 2.6.11 mm/highmem.c and
 * arch/i386/mm/highmem.c; include/asm-i386/highmem.h and fixmap.h).
 *
 * The pkmap area. LAST_PKMAP page-table entries (1024; 512 with PAE, whose
 * entries are twice as wide) map one aligned block of kernel virtual space,
 * PKMAP_BASE up, just below the fixmap area; the one page table that holds
 * them is pkmap_page_table. pkmap_count[nr] tells each slot's state:
 *   0     free: no mapping, the TLBs hold nothing for it;
 *   1     mapped but unused: the last kunmap left it; its PTE still maps
 *         the page and some TLB may still cache it, so it cannot be reused
 *         until flush_all_zero_pkmaps clears it and flushes every TLB;
 *   n > 1 mapped, with n - 1 users (kmap calls not yet kunmapped).
 * map_new_virtual scans round-robin from last_pkmap_nr for a 0; every time
 * the scan wraps to slot 0 it calls flush_all_zero_pkmaps, which turns
 * every 1 into a 0 and flushes the TLB of every CPU (flush_tlb_all: an IPI
 * to each other CPU, the global entries go too). So the cost of the global
 * flush is paid once per LAST_PKMAP new mappings, not on every kunmap.
 * When a whole lap finds no 0, the caller sleeps on pkmap_map_wait until a
 * kunmap brings some count to 1 (then the next lap's wrap frees it).
 * kmap_lock is held across the scan and the flush; it is a timed lock
 * (struct sim_lock), so a CPU that kmaps or kunmaps meanwhile spins.
 *
 * page_address. A lowmem page's address is computed (PAGE_OFFSET + its
 * physical address). A HighMem page's is found in page_address_htable:
 * PA_HASH_ORDER (7) bits of hash pick a bucket, a list of page_address_map
 * entries {page, virtual}, taken from a pool of LAST_PKMAP of them
 * (set_page_address). A page is in the table exactly while it holds a pkmap
 * slot (count >= 1).
 *
 * Temporary mappings. Each CPU has KM_TYPE_NR fixmap windows, one per
 * km_type, at __fix_to_virt(FIX_KMAP_BEGIN + type + KM_TYPE_NR * cpu), that
 * is FIXADDR_TOP minus that many pages. kmap_atomic writes the window's PTE
 * and invalidates that one TLB entry on the local CPU (invlpg) and nothing
 * else: no lock, no count, no IPI. 2.6.11's kunmap_atomic, without
 * CONFIG_DEBUG_HIGHMEM, only re-enables preemption; the stale PTE stays
 * until the next kmap_atomic of that window invalidates it. mmsim keeps the
 * debug build's check that a window is not taken again before it is
 * released (a nested or preempted user of the same type would corrupt the
 * first one's mapping).
 *
 * Simulated memory. The tables and variables live in a block of frames
 * mm_boot reserves right after the direct map's page tables (where the
 * kernel image's .bss and its bootmem page tables would be):
 *   +0          pkmap_page_table (one page)
 *   +4 KiB      the fixmap page tables, lowest address first (one page per
 *               page-directory entry the fixmap spans)
 *   then        pkmap_count[LAST_PKMAP] (4-byte ints, one page)
 *   then        one line: kmap_lock, last_pkmap_nr, pkmap_map_wait's lock,
 *               the pool lock and the page_address_pool list head;
 *               page_address_htable[128] follows (16 bytes each: list head,
 *               lock), then page_address_maps[LAST_PKMAP] (16 bytes each:
 *               page, virtual, list links) from the next page.
 * Every read and write of them is charged through the cost model, and the
 * walker in init.c reads the pkmap and fixmap PTEs from there on a TLB miss.
 *
 * The pkmap and fixmap PTEs are marked global, as 2.6.11 does on a CPU with
 * PGE (PAGE_KERNEL carries _PAGE_GLOBAL), so a context switch's flush keeps
 * them and only flush_tlb_all (which also drops global entries) and invlpg
 * remove them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/tlb.h"
#include "mm/highmem.h"
#include "mm/2.6.11/internal.h"

#define PT_PAGE        HW_PAGE_SIZE
#define FIXADDR_TOP    UINT64_C(0xfffff000)
/* Fixmap slots below the kmap windows (FIX_HOLE, FIX_VSYSCALL,
 * FIX_APIC_BASE, FIX_IO_APIC_BASE_0 in 2.6.11's enum fixed_addresses on an
 * SMP PC): not modelled, only their room is kept. */
#define FIX_KMAP_BEGIN 4
#define PA_HASH_ORDER  7
#define PA_HASH_SIZE   (1 << PA_HASH_ORDER)
#define PAM_SIZE       16
#define PAS_SIZE       16
#define NIL            (-1)

/* Offsets in the control line. */
#define OFF_KMAP_LOCK     0
#define OFF_LAST_PKMAP_NR 4
#define OFF_WAIT_LOCK     8
#define OFF_POOL_LOCK     16
#define OFF_POOL_HEAD     20

struct highmem {
	int last_pkmap;              /* LAST_PKMAP */
	unsigned pte_size;           /* 4, or 8 with PAE */
	unsigned pmd_shift;          /* 22, or 21 with PAE */
	unsigned nr_fix;             /* fixmap slots: FIX_KMAP_BEGIN + windows */
	uint64_t pkmap_base;         /* PKMAP_BASE */
	uint64_t fix_start;          /* FIXADDR_START: the lowest fixmap page */

	uint64_t pkmap_pt;           /* simulated addresses (the essay's layout) */
	uint64_t fix_pt;
	uint64_t count_pa;
	uint64_t ctl_pa;
	uint64_t htable_pa;
	uint64_t maps_pa;
	uint64_t end_pa;

	int last_pkmap_nr;
	int *pkmap_count;            /* [LAST_PKMAP] */
	uint64_t *pkmap_pte;         /* [LAST_PKMAP]: pfn + 1 of the frame mapped, or 0 */

	/* page_address_htable: buckets of page_address_map indices. */
	int32_t bucket[PA_HASH_SIZE];   /* first entry, or NIL */
	int32_t *map_next;              /* [LAST_PKMAP]: next in its bucket */
	uint64_t *map_pfn;              /* [LAST_PKMAP] */
	uint64_t *map_virtual;          /* [LAST_PKMAP] */
	int32_t *pool;                  /* page_address_pool as a FIFO ring */
	int pool_head, pool_n;

	uint64_t *fix_pte;           /* [nr_fix]: pfn + 1, or 0 */
	int64_t *window;             /* [ncpus * KM_TYPE_NR]: pfn held, or -1 */
	int *depth;                  /* [ncpus]: windows held */

	struct sim_lock kmap_lock;   /* a timed lock: CPUs that kmap at once spin */
	struct sim_waitq wait;       /* pkmap_map_wait */
	struct mm_highmem_stats st;
	int ev_kmap, ev_kunmap, ev_wait, ev_flush, ev_katomic, ev_kunatomic;
};

static const char *const km_names[KM_TYPE_NR] = {
	"KM_BOUNCE_READ", "KM_SKB_SUNRPC_DATA", "KM_SKB_DATA_SOFTIRQ", "KM_USER0", "KM_USER1",
	"KM_BIO_SRC_IRQ", "KM_BIO_DST_IRQ", "KM_PTE0", "KM_PTE1", "KM_IRQ0", "KM_IRQ1",
	"KM_SOFTIRQ0", "KM_SOFTIRQ1",
};

int km_type_parse(const char *name)
{
	for (int i = 0; i < KM_TYPE_NR; i++)
		if (!strcmp(name, km_names[i]))
			return i;
	return -1;
}

const char *km_type_name(int type)
{
	return type >= 0 && type < KM_TYPE_NR ? km_names[type] : "?";
}

/* ---- Layout ------------------------------------------------------------- */

static bool has_highmem(enum hw_arch arch)
{
	return arch == HW_ARCH_I386 || arch == HW_ARCH_I386_PAE;
}

/* The geometry, from the architecture and the CPU count alone (init.c
 * sizes the reserved block with it before the struct exists). */
static void geometry(enum hw_arch arch, int ncpus, int *last_pkmap, unsigned *pte_size,
		     unsigned *pmd_shift, unsigned *nr_fix, uint64_t *fix_start, uint64_t *pkmap_base,
		     unsigned *nr_fix_pt)
{
	bool pae = arch == HW_ARCH_I386_PAE;
	*last_pkmap = pae ? 512 : 1024;
	*pte_size = pae ? 8 : 4;
	*pmd_shift = pae ? 21 : 22;
	*nr_fix = FIX_KMAP_BEGIN + KM_TYPE_NR * (unsigned)ncpus;
	*fix_start = FIXADDR_TOP - (uint64_t)(*nr_fix - 1) * PT_PAGE;
	/* 2.6.11: (FIXADDR_BOOT_START - PAGE_SIZE * (LAST_PKMAP + 1)) & PMD_MASK */
	uint64_t pmd_mask = ~((UINT64_C(1) << *pmd_shift) - 1);
	*pkmap_base = (*fix_start - PT_PAGE * (uint64_t)(*last_pkmap + 1)) & pmd_mask;
	*nr_fix_pt = (unsigned)((FIXADDR_TOP >> *pmd_shift) - (*fix_start >> *pmd_shift) + 1);
}

uint64_t highmem_pkmap_base(enum hw_arch arch, int ncpus)
{
	int lp;
	unsigned pte, pmd, nfix, nfixpt;
	uint64_t fix, base;
	if (!has_highmem(arch))
		return 0;
	geometry(arch, ncpus, &lp, &pte, &pmd, &nfix, &fix, &base, &nfixpt);
	return base;
}

uint64_t highmem_data_bytes(const struct mm *mm)
{
	if (!has_highmem(mm->arch))
		return 0;
	int lp;
	unsigned ps, sh, nf, nfpt;
	uint64_t fs, pb;
	geometry(mm->arch, mm->ncpus, &lp, &ps, &sh, &nf, &fs, &pb, &nfpt);
	uint64_t maps = ((uint64_t)lp * PAM_SIZE + PT_PAGE - 1) / PT_PAGE;
	/* pkmap PT, fixmap PTs, pkmap_count, control line + htable, maps */
	return (1 + nfpt + 1 + 1 + maps) * PT_PAGE;
}

void highmem_init(struct mm *mm, uint64_t base)
{
	if (!has_highmem(mm->arch))
		return;
	struct highmem *hm = mmsim_xcalloc(1, sizeof *hm);
	unsigned nfpt;
	geometry(mm->arch, mm->ncpus, &hm->last_pkmap, &hm->pte_size, &hm->pmd_shift, &hm->nr_fix,
		 &hm->fix_start, &hm->pkmap_base, &nfpt);
	hm->pkmap_pt = base;
	hm->fix_pt = base + PT_PAGE;
	hm->count_pa = hm->fix_pt + (uint64_t)nfpt * PT_PAGE;
	hm->ctl_pa = hm->count_pa + PT_PAGE;
	hm->htable_pa = hm->ctl_pa + 64;
	hm->maps_pa = hm->ctl_pa + PT_PAGE;
	hm->end_pa = base + highmem_data_bytes(mm);
	int n = hm->last_pkmap;
	hm->pkmap_count = mmsim_xcalloc((size_t)n, sizeof *hm->pkmap_count);
	hm->pkmap_pte = mmsim_xcalloc((size_t)n, sizeof *hm->pkmap_pte);
	hm->map_next = mmsim_xcalloc((size_t)n, sizeof *hm->map_next);
	hm->map_pfn = mmsim_xcalloc((size_t)n, sizeof *hm->map_pfn);
	hm->map_virtual = mmsim_xcalloc((size_t)n, sizeof *hm->map_virtual);
	hm->pool = mmsim_xcalloc((size_t)n, sizeof *hm->pool);
	for (int i = 0; i < n; i++)
		hm->pool[i] = i;
	hm->pool_n = n;
	for (int i = 0; i < PA_HASH_SIZE; i++)
		hm->bucket[i] = NIL;
	hm->fix_pte = mmsim_xcalloc(hm->nr_fix, sizeof *hm->fix_pte);
	hm->window = mmsim_xcalloc((size_t)mm->ncpus * KM_TYPE_NR, sizeof *hm->window);
	for (int i = 0; i < mm->ncpus * KM_TYPE_NR; i++)
		hm->window[i] = -1;
	hm->depth = mmsim_xcalloc((size_t)mm->ncpus, sizeof *hm->depth);
	sim_waitq_init(&hm->wait, "pkmap_map_wait");
	sim_lock_init(&hm->kmap_lock, "kmap_lock", hm->ctl_pa + OFF_KMAP_LOCK);
	struct trace *tr = mm->trace;
	hm->ev_kmap = tr ? trace_event_id(tr, "kmap") : -1;
	hm->ev_kunmap = tr ? trace_event_id(tr, "kunmap") : -1;
	hm->ev_wait = tr ? trace_event_id(tr, "kmap_wait") : -1;
	hm->ev_flush = tr ? trace_event_id(tr, "kmap_flush") : -1;
	hm->ev_katomic = tr ? trace_event_id(tr, "kmap_atomic") : -1;
	hm->ev_kunatomic = tr ? trace_event_id(tr, "kunmap_atomic") : -1;
	mm->hm = hm;
}

void highmem_destroy(struct mm *mm)
{
	struct highmem *hm = mm->hm;
	if (!hm)
		return;
	free(hm->pkmap_count);
	free(hm->pkmap_pte);
	free(hm->map_next);
	free(hm->map_pfn);
	free(hm->map_virtual);
	free(hm->pool);
	free(hm->fix_pte);
	free(hm->window);
	free(hm->depth);
	free(hm);
	mm->hm = NULL;
}

void mm_set_hw(struct mm *mm, struct hw *hw)
{
	mm->hw = hw;
}

/* ---- The walker's part: pkmap and fixmap PTEs ------------------------- */

int highmem_walk(const struct mm *mm, uint64_t vaddr, struct hw_walk *w)
{
	const struct highmem *hm = mm->hm;
	if (!hm)
		return 1;
	uint64_t pte = 0, entry;
	if (vaddr >= hm->pkmap_base && vaddr < hm->pkmap_base + (uint64_t)hm->last_pkmap * PT_PAGE) {
		uint64_t nr = (vaddr - hm->pkmap_base) >> HW_PAGE_SHIFT;
		entry = hm->pkmap_pt + nr * hm->pte_size;
		pte = hm->pkmap_pte[nr];
	} else if (vaddr >= hm->fix_start && vaddr < FIXADDR_TOP + PT_PAGE) {
		uint64_t idx = (FIXADDR_TOP - (vaddr & ~(uint64_t)(PT_PAGE - 1))) >> HW_PAGE_SHIFT;
		uint64_t per_pt = PT_PAGE / hm->pte_size;
		entry = hm->fix_pt + ((vaddr >> hm->pmd_shift) - (hm->fix_start >> hm->pmd_shift)) * PT_PAGE +
			((vaddr >> HW_PAGE_SHIFT) & (per_pt - 1)) * hm->pte_size;
		pte = hm->fix_pte[idx];
	} else {
		return 1;
	}
	w->entry[w->levels++] = entry;
	if (!pte)
		return -MM_EFAULT;
	w->frame = (pte - 1) << HW_PAGE_SHIFT;
	w->large = false;
	w->global = true;
	return 0;
}

/* ---- Helpers ------------------------------------------------------------ */


static const char *task_name(struct mm *mm)
{
	struct sim_task *t = sim_cur_task(mm->sim);
	return t ? t->name : NULL;
}

static uint64_t lowmem_address(const struct mm *mm, uint64_t pfn)
{
	return mm->page_offset + (pfn << HW_PAGE_SHIFT);
}

static unsigned pa_hash(uint64_t pfn)
{
	/* hash_ptr: a multiplicative hash keeping the top PA_HASH_ORDER bits */
	return (unsigned)(((uint32_t)pfn * UINT32_C(0x9e370001)) >> (32 - PA_HASH_ORDER));
}

/* The map entry of pfn in its bucket, or NIL; charges the walk when
 * charge is set (the bucket's lock and head, each entry looked at). */
static int32_t pa_lookup(struct mm *mm, struct highmem *hm, uint64_t pfn, bool charge)
{
	unsigned b = pa_hash(pfn);
	if (charge) {
		hm->st.hash_lookups++;
		mm_touch(mm, hm->htable_pa + b * PAS_SIZE + 8, 4, 1);   /* spin_lock */
		mm_touch(mm, hm->htable_pa + b * PAS_SIZE, 8, 0);       /* list head */
	}
	int32_t i;
	for (i = hm->bucket[b]; i != NIL; i = hm->map_next[i]) {
		if (charge)
			mm_touch(mm, hm->maps_pa + (uint64_t)i * PAM_SIZE, PAM_SIZE, 0);
		if (hm->map_pfn[i] == pfn)
			break;
	}
	if (charge)
		mm_touch(mm, hm->htable_pa + b * PAS_SIZE + 8, 4, 1);   /* spin_unlock */
	return i;
}

uint64_t highmem_page_address(const struct mm *mm, uint64_t pfn)
{
	struct highmem *hm = mm->hm;
	if (!hm)
		return 0;
	int32_t i = pa_lookup((struct mm *)mm, hm, pfn, false);
	return i == NIL ? 0 : hm->map_virtual[i];
}

/* 2.6.11 set_page_address: enter pfn -> vaddr in the hash (vaddr != 0) or
 * remove pfn's entry (vaddr == 0). */
static void set_page_address(struct mm *mm, struct highmem *hm, uint64_t pfn, uint64_t vaddr)
{
	unsigned b = pa_hash(pfn);
	uint64_t slot = hm->htable_pa + b * PAS_SIZE;
	mm_touch(mm, hm->ctl_pa + OFF_POOL_LOCK, 4, 1);
	mm_touch(mm, slot + 8, 4, 1);
	if (vaddr) {
		MMSIM_ASSERT(hm->pool_n > 0);
		int32_t i = hm->pool[hm->pool_head];
		hm->pool_head = (hm->pool_head + 1) % hm->last_pkmap;
		hm->pool_n--;
		mm_touch(mm, hm->ctl_pa + OFF_POOL_HEAD, 8, 1);
		hm->map_pfn[i] = pfn;
		hm->map_virtual[i] = vaddr;
		hm->map_next[i] = NIL;
		mm_touch(mm, hm->maps_pa + (uint64_t)i * PAM_SIZE, PAM_SIZE, 1);
		/* list_add_tail onto the bucket */
		mm_touch(mm, slot, 8, 1);
		int32_t *pp = &hm->bucket[b];
		while (*pp != NIL) {
			if (hm->map_next[*pp] == NIL)
				mm_touch(mm, hm->maps_pa + (uint64_t)*pp * PAM_SIZE + 8, 8, 1);
			pp = &hm->map_next[*pp];
		}
		*pp = i;
	} else {
		mm_touch(mm, slot, 8, 0);
		int32_t *pp = &hm->bucket[b];
		while (*pp != NIL && hm->map_pfn[*pp] != pfn) {
			mm_touch(mm, hm->maps_pa + (uint64_t)*pp * PAM_SIZE, PAM_SIZE, 0);
			pp = &hm->map_next[*pp];
		}
		MMSIM_ASSERT(*pp != NIL);
		int32_t i = *pp;
		mm_touch(mm, hm->maps_pa + (uint64_t)i * PAM_SIZE, PAM_SIZE, 1);
		*pp = hm->map_next[i];
		hm->map_next[i] = NIL;
		hm->pool[(hm->pool_head + hm->pool_n) % hm->last_pkmap] = i;
		hm->pool_n++;
		mm_touch(mm, hm->ctl_pa + OFF_POOL_HEAD, 8, 1);
	}
	mm_touch(mm, slot + 8, 4, 1);
	mm_touch(mm, hm->ctl_pa + OFF_POOL_LOCK, 4, 1);
}

/* kmap_lock, timed as the zone locks are (held across a flush, it makes the
 * other CPUs' kmaps wait for the IPIs); only counted with hw=off. */
static void lock_kmap(struct mm *mm, struct highmem *hm)
{
	if (mm->access)
		sim_lock_acquire(mm->sim, &hm->kmap_lock);
	else
		hm->kmap_lock.acquisitions++;
}

static void unlock_kmap(struct mm *mm, struct highmem *hm)
{
	if (mm->access)
		sim_lock_release(mm->sim, &hm->kmap_lock);
}

static void count_touch(struct mm *mm, struct highmem *hm, int nr, int write)
{
	mm_touch(mm, hm->count_pa + (uint64_t)nr * 4, 4, write);
}

/* ---- Permanent mappings ------------------------------------------------ */

/* 2.6.11 flush_all_zero_pkmaps: every slot at count 1 becomes free, then
 * flush_tlb_kernel_range(PKMAP_ADDR(0), PKMAP_ADDR(LAST_PKMAP)), which on
 * i386 is flush_tlb_all: every CPU, global entries included. */
static void flush_all_zero_pkmaps(struct mm *mm, struct highmem *hm)
{
	cycle_t start = sim_now(mm->sim);
	uint64_t freed = 0;
	hm->st.flushes++;
	for (int i = 0; i < hm->last_pkmap; i++) {
		count_touch(mm, hm, i, 0);
		if (hm->pkmap_count[i] != 1)
			continue;
		hm->pkmap_count[i] = 0;
		count_touch(mm, hm, i, 1);
		uint64_t pte_pa = hm->pkmap_pt + (uint64_t)i * hm->pte_size;
		mm_touch(mm, pte_pa, hm->pte_size, 0);           /* pte_page */
		uint64_t pfn = hm->pkmap_pte[i] - 1;
		hm->pkmap_pte[i] = 0;
		mm_touch(mm, pte_pa, hm->pte_size, 1);           /* pte_clear */
		hm->st.pte_writes++;
		set_page_address(mm, hm, pfn, 0);
		freed++;
	}
	hm->st.flushed_slots += freed;
	hm->st.tlb_flush_all++;
	if (mm->hw) {
		struct hw_cpumask all;
		memset(&all, 0, sizeof all);
		for (int c = 0; c < mm->ncpus; c++)
			hw_cpumask_set(&all, c);
		sim_charge(mm->sim, hw_tlb_shootdown(mm->hw, mm->cpu, &all, HW_TLB_FLUSH_GLOBAL));
	}
	if (trace_enabled(mm->trace, hm->ev_flush)) {
		trace_begin(mm->trace, hm->ev_flush, start, mm->cpu, task_name(mm));
		trace_u64(mm->trace, "freed", freed);
		trace_u64(mm->trace, "cycles", sim_now(mm->sim) - start);
		trace_end(mm->trace);
	}
}

/* 2.6.11 map_new_virtual, without the sleep: a lap of LAST_PKMAP slots from
 * last_pkmap_nr, flushing at each wrap; the new address, or 0 if the lap
 * found no free slot (the caller would sleep). */
static uint64_t map_new_virtual(struct mm *mm, struct highmem *hm, uint64_t pfn)
{
	int count = hm->last_pkmap;
	mm_touch(mm, hm->ctl_pa + OFF_LAST_PKMAP_NR, 4, 0);
	for (;;) {
		hm->last_pkmap_nr = (hm->last_pkmap_nr + 1) & (hm->last_pkmap - 1);
		if (!hm->last_pkmap_nr) {
			flush_all_zero_pkmaps(mm, hm);
			count = hm->last_pkmap;
		}
		count_touch(mm, hm, hm->last_pkmap_nr, 0);
		if (!hm->pkmap_count[hm->last_pkmap_nr])
			break;
		if (--count)
			continue;
		mm_touch(mm, hm->ctl_pa + OFF_LAST_PKMAP_NR, 4, 1);
		return 0;
	}
	int nr = hm->last_pkmap_nr;
	mm_touch(mm, hm->ctl_pa + OFF_LAST_PKMAP_NR, 4, 1);
	uint64_t vaddr = hm->pkmap_base + (uint64_t)nr * PT_PAGE;
	hm->pkmap_pte[nr] = pfn + 1;
	mm_touch(mm, hm->pkmap_pt + (uint64_t)nr * hm->pte_size, hm->pte_size, 1);  /* set_pte */
	hm->st.pte_writes++;
	hm->pkmap_count[nr] = 1;
	count_touch(mm, hm, nr, 1);
	set_page_address(mm, hm, pfn, vaddr);
	hm->st.kmap_new++;
	return vaddr;
}

static bool may_sleep(struct mm *mm)
{
	return !mm->in_interrupt && !(mm->hm && mm->hm->depth[mm->cpu] > 0);
}

/* 2.6.11 kmap (might_sleep, then kmap_high for a HighMem page). */
uint64_t kmap(struct mm *mm, struct page *page)
{
	if (mm_enter(mm))
		return 0;
	uint64_t pfn = page_to_pfn(mm, page);
	if (!may_sleep(mm)) {
		mm_fail(mm, MM_EINVAL, "kmap: pfn %llu: kmap may sleep, and cpu %d is in atomic "
			"context (%s); use kmap_atomic", (unsigned long long)pfn, mm->cpu,
			mm->in_interrupt ? "an interrupt" : "it holds a kmap_atomic window");
		return 0;
	}
	struct highmem *hm = mm->hm;
	hm = PageHighMem(page) ? hm : NULL;
	if (mm->hm)
		mm->hm->st.kmap++;
	if (!hm)
		return lowmem_address(mm, pfn);
	/* kmap_high */
	cycle_t start = sim_now(mm->sim);
	hm->st.kmap_high++;
	lock_kmap(mm, hm);
	int32_t i = pa_lookup(mm, hm, pfn, true);
	uint64_t vaddr = i == NIL ? 0 : hm->map_virtual[i];
	bool fresh = false;
	if (!vaddr) {
		vaddr = map_new_virtual(mm, hm, pfn);
		fresh = true;
	}
	if (!vaddr) {
		/* The pool is full: the caller sleeps on pkmap_map_wait. */
		mm_touch(mm, hm->ctl_pa + OFF_WAIT_LOCK, 4, 1);     /* add_wait_queue */
		unlock_kmap(mm, hm);
		hm->st.kmap_waits++;
		if (trace_enabled(mm->trace, hm->ev_wait)) {
			trace_begin(mm->trace, hm->ev_wait, start, mm->cpu, task_name(mm));
			trace_u64(mm->trace, "pfn", pfn);
			trace_u64(mm->trace, "cycles", sim_now(mm->sim) - start);
			trace_end(mm->trace);
		}
		mm_fail(mm, MM_EAGAIN, "kmap: pfn %llu: all %d pkmap slots are in use",
			(unsigned long long)pfn, hm->last_pkmap);
		return 0;
	}
	int nr = (int)((vaddr - hm->pkmap_base) >> HW_PAGE_SHIFT);
	hm->pkmap_count[nr]++;
	count_touch(mm, hm, nr, 1);
	MMSIM_ASSERT(hm->pkmap_count[nr] >= 2);
	unlock_kmap(mm, hm);
	if (trace_enabled(mm->trace, hm->ev_kmap)) {
		trace_begin(mm->trace, hm->ev_kmap, start, mm->cpu, task_name(mm));
		trace_u64(mm->trace, "pfn", pfn);
		trace_u64(mm->trace, "vaddr", vaddr);
		trace_i64(mm->trace, "nr", nr);
		trace_i64(mm->trace, "count", hm->pkmap_count[nr]);
		trace_bool(mm->trace, "new", fresh);
		trace_u64(mm->trace, "cycles", sim_now(mm->sim) - start);
		trace_end(mm->trace);
	}
	return vaddr;
}

/* 2.6.11 kunmap / kunmap_high. */
int kunmap(struct mm *mm, struct page *page)
{
	int rc = mm_enter(mm);
	if (rc)
		return rc;
	struct highmem *hm = mm->hm;
	if (!hm || !PageHighMem(page)) {
		if (hm)
			hm->st.kunmap++;
		return 0;
	}
	uint64_t pfn = page_to_pfn(mm, page);
	cycle_t start = sim_now(mm->sim);
	lock_kmap(mm, hm);
	int32_t i = pa_lookup(mm, hm, pfn, true);
	int nr = i == NIL ? -1 : (int)((hm->map_virtual[i] - hm->pkmap_base) >> HW_PAGE_SHIFT);
	if (nr < 0 || hm->pkmap_count[nr] < 2) {
		unlock_kmap(mm, hm);
		return mm_fail(mm, MM_EINVAL, "kunmap: pfn %llu is not kmapped", (unsigned long long)pfn);
	}
	hm->st.kunmap++;
	bool wake = false;
	if (--hm->pkmap_count[nr] == 1) {
		/* waitqueue_active(&pkmap_map_wait) */
		mm_touch(mm, hm->ctl_pa + OFF_WAIT_LOCK, 8, 0);
		wake = hm->wait.nr_waiting > 0;
	}
	count_touch(mm, hm, nr, 1);
	unlock_kmap(mm, hm);
	int woken = 0;
	if (wake) {
		mm_touch(mm, hm->ctl_pa + OFF_WAIT_LOCK, 4, 1);
		woken = sim_wake_up(mm->sim, &hm->wait, 0);
		hm->st.kunmap_wakeups++;
	}
	if (trace_enabled(mm->trace, hm->ev_kunmap)) {
		trace_begin(mm->trace, hm->ev_kunmap, start, mm->cpu, task_name(mm));
		trace_u64(mm->trace, "pfn", pfn);
		trace_i64(mm->trace, "nr", nr);
		trace_i64(mm->trace, "count", hm->pkmap_count[nr]);
		trace_i64(mm->trace, "woken", woken);
		trace_u64(mm->trace, "cycles", sim_now(mm->sim) - start);
		trace_end(mm->trace);
	}
	return 0;
}

struct sim_waitq *mm_pkmap_wait(struct mm *mm)
{
	return mm->hm ? &mm->hm->wait : NULL;
}

/* ---- Temporary mappings ------------------------------------------------- */

static uint64_t fix_to_virt(unsigned idx)
{
	return FIXADDR_TOP - (uint64_t)idx * PT_PAGE;
}

uint64_t mm_fixmap_kmap_addr(const struct mm *mm, int cpu, int type)
{
	if (!mm->hm || cpu < 0 || cpu >= mm->ncpus || type < 0 || type >= KM_TYPE_NR)
		return 0;
	return fix_to_virt(FIX_KMAP_BEGIN + (unsigned)(type + KM_TYPE_NR * cpu));
}

/* 2.6.11 arch/i386/mm/highmem.c kmap_atomic. */
uint64_t kmap_atomic(struct mm *mm, struct page *page, int type)
{
	if (mm_enter(mm))
		return 0;
	uint64_t pfn = page_to_pfn(mm, page);
	struct highmem *hm = mm->hm;
	if (type < 0 || type >= KM_TYPE_NR) {
		mm_fail(mm, MM_EINVAL, "kmap_atomic: km_type %d is outside 0..%d", type, KM_TYPE_NR - 1);
		return 0;
	}
	if (!hm)
		return lowmem_address(mm, pfn);
	int w = mm->cpu * KM_TYPE_NR + type;
	if (hm->window[w] >= 0) {
		mm_fail(mm, MM_EINVAL, "kmap_atomic: cpu %d's %s window is in use (it maps pfn %lld); "
			"kunmap_atomic it first", mm->cpu, km_names[type], (long long)hm->window[w]);
		return 0;
	}
	cycle_t start = sim_now(mm->sim);
	hm->window[w] = (int64_t)pfn;
	hm->depth[mm->cpu]++;                           /* inc_preempt_count */
	hm->st.kmap_atomic++;
	uint64_t vaddr;
	if (!PageHighMem(page)) {
		vaddr = lowmem_address(mm, pfn);
	} else {
		hm->st.kmap_atomic_high++;
		unsigned idx = FIX_KMAP_BEGIN + (unsigned)w;
		vaddr = fix_to_virt(idx);
		struct hw_walk wk = { 0 };
		highmem_walk(mm, vaddr, &wk);                   /* the PTE's address */
		hm->fix_pte[idx] = pfn + 1;
		mm_touch(mm, wk.entry[0], hm->pte_size, 1);      /* set_pte */
		hm->st.pte_writes++;
		hm->st.tlb_invlpg++;
		if (mm->hw)
			sim_charge(mm->sim, hw_tlb_flush_page(mm->hw, mm->cpu, vaddr)); /* __flush_tlb_one */
	}
	if (trace_enabled(mm->trace, hm->ev_katomic)) {
		trace_begin(mm->trace, hm->ev_katomic, start, mm->cpu, task_name(mm));
		trace_u64(mm->trace, "pfn", pfn);
		trace_str(mm->trace, "type", km_names[type]);
		trace_u64(mm->trace, "vaddr", vaddr);
		trace_u64(mm->trace, "cycles", sim_now(mm->sim) - start);
		trace_end(mm->trace);
	}
	return vaddr;
}

/*
 * 2.6.11 clear_highpage, as prep_zero_page calls it for a HighMem frame of a
 * __GFP_ZERO allocation: kmap_atomic(page, KM_USER0), clear_page,
 * kunmap_atomic, for each frame of the block. The window is used without
 * being marked held (the allocator runs with it for a moment only). If the
 * caller holds its KM_USER0 window, the kernel would have clobbered that
 * mapping; mmsim puts it back (one more PTE write and invalidation) so the
 * caller's touches stay correct.
 */
void highmem_clear_pages(struct mm *mm, struct page *page, unsigned order)
{
	struct highmem *hm = mm->hm;
	uint64_t pfn = page_to_pfn(mm, page);
	unsigned idx = FIX_KMAP_BEGIN + (unsigned)(mm->cpu * KM_TYPE_NR + KM_USER0);
	uint64_t vaddr = fix_to_virt(idx);
	struct hw_walk wk = { 0 };
	highmem_walk(mm, vaddr, &wk);
	uint64_t pte_pa = wk.entry[0];
	for (uint64_t i = 0; i < (UINT64_C(1) << order); i++) {
		hm->fix_pte[idx] = pfn + i + 1;
		mm_touch(mm, pte_pa, hm->pte_size, 1);
		hm->st.pte_writes++;
		hm->st.kmap_atomic++;
		hm->st.kmap_atomic_high++;
		hm->st.kunmap_atomic++;
		hm->st.tlb_invlpg++;
		if (mm->hw)
			sim_charge(mm->sim, hw_tlb_flush_page(mm->hw, mm->cpu, vaddr));
		uint64_t pa = (pfn + i) << HW_PAGE_SHIFT;
		for (uint64_t o = 0; o < HW_PAGE_SIZE; o += 64)
			mm_touch(mm, pa + o, 64, 1);
	}
	int64_t held = hm->window[mm->cpu * KM_TYPE_NR + KM_USER0];
	if (held >= 0 && PageHighMem(pfn_to_page(mm, (uint64_t)held))) {
		hm->fix_pte[idx] = (uint64_t)held + 1;
		mm_touch(mm, pte_pa, hm->pte_size, 1);
		hm->st.pte_writes++;
		hm->st.tlb_invlpg++;
		if (mm->hw)
			sim_charge(mm->sim, hw_tlb_flush_page(mm->hw, mm->cpu, vaddr));
	}
}

/* 2.6.11 kunmap_atomic (the non-debug build: the PTE stays). */
int kunmap_atomic(struct mm *mm, int type)
{
	int rc = mm_enter(mm);
	if (rc)
		return rc;
	if (type < 0 || type >= KM_TYPE_NR)
		return mm_fail(mm, MM_EINVAL, "kunmap_atomic: km_type %d is outside 0..%d", type,
			       KM_TYPE_NR - 1);
	struct highmem *hm = mm->hm;
	if (!hm)
		return 0;
	int w = mm->cpu * KM_TYPE_NR + type;
	if (hm->window[w] < 0)
		return mm_fail(mm, MM_EINVAL, "kunmap_atomic: cpu %d's %s window is not in use",
			       mm->cpu, km_names[type]);
	uint64_t pfn = (uint64_t)hm->window[w];
	hm->window[w] = -1;
	hm->depth[mm->cpu]--;
	hm->st.kunmap_atomic++;
	if (trace_enabled(mm->trace, hm->ev_kunatomic)) {
		trace_begin(mm->trace, hm->ev_kunatomic, sim_now(mm->sim), mm->cpu, task_name(mm));
		trace_u64(mm->trace, "pfn", pfn);
		trace_str(mm->trace, "type", km_names[type]);
		trace_end(mm->trace);
	}
	return 0;
}

int64_t kmap_atomic_pfn(const struct mm *mm, int cpu, int type)
{
	if (!mm->hm || cpu < 0 || cpu >= mm->ncpus || type < 0 || type >= KM_TYPE_NR)
		return -1;
	return mm->hm->window[cpu * KM_TYPE_NR + type];
}

int kmap_atomic_depth(const struct mm *mm, int cpu)
{
	if (!mm->hm || cpu < 0 || cpu >= mm->ncpus)
		return 0;
	return mm->hm->depth[cpu];
}

/* ---- Lookups ------------------------------------------------------------ */

uint64_t mm_pkmap_addr(const struct mm *mm, int nr)
{
	if (!mm->hm || nr < 0 || nr >= mm->hm->last_pkmap)
		return 0;
	return mm->hm->pkmap_base + (uint64_t)nr * PT_PAGE;
}

int mm_pkmap_nr(const struct mm *mm, uint64_t vaddr)
{
	const struct highmem *hm = mm->hm;
	if (!hm || vaddr < hm->pkmap_base || vaddr >= hm->pkmap_base + (uint64_t)hm->last_pkmap * PT_PAGE)
		return -1;
	return (int)((vaddr - hm->pkmap_base) >> HW_PAGE_SHIFT);
}

int mm_last_pkmap(const struct mm *mm)
{
	return mm->hm ? mm->hm->last_pkmap : 0;
}

int mm_pkmap_count(const struct mm *mm, int nr)
{
	if (!mm->hm || nr < 0 || nr >= mm->hm->last_pkmap)
		return 0;
	return mm->hm->pkmap_count[nr];
}

const struct mm_highmem_stats *mm_highmem_stats(const struct mm *mm)
{
	return mm->hm ? &mm->hm->st : NULL;
}

void highmem_register_stats(struct mm *mm, struct stats_registry *reg)
{
	struct highmem *hm = mm->hm;
	if (!hm)
		return;
	static const struct { const char *name, *desc; size_t off; } defs[] = {
#define D(f, d) { #f, d, offsetof(struct mm_highmem_stats, f) }
		D(kmap, "kmap calls"),
		D(kmap_high, "kmap calls on HighMem pages"),
		D(kmap_new, "pkmap slots filled by map_new_virtual"),
		D(kmap_waits, "kmap calls that found every pkmap slot in use"),
		D(kunmap, "kunmap calls"),
		D(kunmap_wakeups, "kunmaps that woke tasks waiting for a pkmap slot"),
		D(flushes, "flush_all_zero_pkmaps calls"),
		D(flushed_slots, "pkmap slots freed by flush_all_zero_pkmaps"),
		D(kmap_atomic, "kmap_atomic calls"),
		D(kmap_atomic_high, "kmap_atomic calls on HighMem pages"),
		D(kunmap_atomic, "kunmap_atomic calls"),
		D(tlb_invlpg, "single-entry TLB invalidations of fixmap windows"),
		D(tlb_flush_all, "global TLB flushes of the pkmap area (every CPU)"),
		D(pte_writes, "pkmap and fixmap page-table entries written"),
		D(hash_lookups, "page_address_htable lookups"),
#undef D
	};
	for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
		char name[64];
		snprintf(name, sizeof name, "mm.highmem.%s", defs[i].name);
		stats_add_counter(reg, name, defs[i].desc,
				  (const uint64_t *)((const char *)&hm->st + defs[i].off));
	}
	stats_add_counter(reg, "mm.highmem.kmap_lock_acquisitions", "kmap_lock acquisitions",
			  &hm->kmap_lock.acquisitions);
	stats_add_counter(reg, "mm.highmem.kmap_lock_spin_cycles", "cycles spent spinning on kmap_lock",
			  &hm->kmap_lock.spin_cycles);
}
