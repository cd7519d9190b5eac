/*
 * Helpers shared by the mm tests: boot a machine from a preset or a
 * hand-made memory map, and read the free lists back as arrays of pfns.
 */
#ifndef MMSIM_TESTS_MM_TESTUTIL_H
#define MMSIM_TESTS_MM_TESTUTIL_H

#include <check.h>
#include <string.h>

#include "mm/mm.h"

#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)

struct tm {
	struct sim s;
	struct hw_machine_desc d;
	struct mm_policy p;
	struct mm *mm;
};

/* Boot preset `name` (mem 0: the preset's) under policy p (NULL: default).
 * The current CPU is set to 0. */
static inline void tm_boot_preset(struct tm *t, const char *name, uint64_t mem, int cpus,
				  const struct mm_policy *p)
{
	char err[256];
	ck_assert_msg(hw_preset(name, mem, cpus, &t->d, err, sizeof err) == 0, "%s", err);
	if (p)
		t->p = *p;
	else
		mm_policy_default(&t->p);
	sim_init(&t->s, t->d.nr_cpus, 1);
	t->mm = mm_boot(&t->s, &t->d, &t->p, NULL, err, sizeof err);
	ck_assert_msg(t->mm != NULL, "%s", err);
	mm_set_cpu(t->mm, 0);
}

/* A one-node machine with one usable range [start, end) (bytes) and
 * nothing else. The node spans [0, end). */
static inline void tm_desc_simple(struct hw_machine_desc *d, enum hw_arch arch, uint64_t start,
				  uint64_t end, int cpus)
{
	hw_desc_init(d, arch);
	snprintf(d->name, sizeof d->name, "test");
	d->nr_nodes = 1;
	d->nodes[0].start = 0;
	d->nodes[0].end = end;
	d->nr_cpus = cpus;
	for (int c = 0; c < cpus; c++) {
		d->cpus[c].node = 0;
		d->cpus[c].hz = 1000000000;
	}
	d->nr_ranges = 0;
	if (start > 0) {
		d->ranges[d->nr_ranges].start = 0;
		d->ranges[d->nr_ranges].end = start;
		d->ranges[d->nr_ranges].type = HW_MEM_RESERVED;
		d->nr_ranges++;
	}
	d->ranges[d->nr_ranges].start = start;
	d->ranges[d->nr_ranges].end = end;
	d->ranges[d->nr_ranges].type = HW_MEM_USABLE;
	d->nr_ranges++;
	d->nr_distance_rows = 1;
	d->distance_len[0] = 1;
	d->distance[0][0] = 10;
}

static inline void tm_boot_desc(struct tm *t, const struct mm_policy *p)
{
	char err[256];
	if (p)
		t->p = *p;
	else
		mm_policy_default(&t->p);
	sim_init(&t->s, t->d.nr_cpus, 1);
	t->mm = mm_boot(&t->s, &t->d, &t->p, NULL, err, sizeof err);
	ck_assert_msg(t->mm != NULL, "%s", err);
	mm_set_cpu(t->mm, 0);
}

static inline void tm_free(struct tm *t)
{
	sim_destroy(&t->s);
	mm_destroy(t->mm);
}

/* The pfns of a free list (or per-CPU list), head first, into out[max];
 * returns the length. */
static inline int tm_list(struct tm *t, int nid, const struct page_list *l, uint64_t *out, int max)
{
	pg_data_t *pgdat = NODE_DATA(t->mm, nid);
	int n = 0;
	for (uint32_t i = l->first; i != PAGE_NIL; i = pgdat->node_mem_map[i].lru_next) {
		if (n < max)
			out[n] = pgdat->node_start_pfn + i;
		n++;
	}
	return n;
}

static inline struct zone *tm_zone(struct tm *t, int nid, int zid)
{
	return &NODE_DATA(t->mm, nid)->node_zones[zid];
}

/* Free-list lengths of a zone as a string "n0 n1 n2 ...", for compact asserts. */
static inline const char *tm_nr_free(struct tm *t, int nid, int zid, char *buf, size_t len)
{
	struct zone *z = tm_zone(t, nid, zid);
	size_t n = 0;
	buf[0] = '\0';
	for (unsigned o = 0; o < mm_max_order(t->mm); o++)
		n += (size_t)snprintf(buf + n, len - n, "%s%lu", o ? " " : "", z->free_area[o].nr_free);
	return buf;
}

#endif

/*
 * A fake memory port for the cost-model tests: a direct-mapped "cache" of
 * 4096 lines per CPU; a hit costs 1 cycle, a miss 100 on the CPU's own
 * node and 300 on another node (node of an address from the description).
 * It also counts accesses and remembers whether a given address was seen.
 */
#define FAKE_LINES 4096
struct fake_port {
	const struct hw_machine_desc *d;
	uint64_t tag[8][FAKE_LINES];
	uint64_t accesses, writes, misses;
	uint64_t watch;         /* an address to look for */
	uint64_t watch_hits;
};

static inline cycle_t fake_access(void *ctx, int cpu, uint64_t paddr, unsigned size, int write)
{
	struct fake_port *f = ctx;
	(void)size;
	f->accesses++;
	if (write)
		f->writes++;
	if (f->watch && paddr == f->watch)
		f->watch_hits++;
	uint64_t line = paddr >> 6;
	uint64_t *slot = &f->tag[cpu & 7][line % FAKE_LINES];
	if (*slot == line + 1)
		return 1;
	*slot = line + 1;
	f->misses++;
	int node = hw_desc_node_of(f->d, paddr);
	return node == f->d->cpus[cpu].node ? 100 : 300;
}

/* Boot like tm_boot_preset but with the fake port connected. */
static inline void tm_boot_preset_port(struct tm *t, struct fake_port *f, const char *name, uint64_t mem,
				       int cpus, const struct mm_policy *p)
{
	char err[256];
	ck_assert_msg(hw_preset(name, mem, cpus, &t->d, err, sizeof err) == 0, "%s", err);
	if (p)
		t->p = *p;
	else
		mm_policy_default(&t->p);
	memset(f, 0, sizeof *f);
	f->d = &t->d;
	sim_init(&t->s, t->d.nr_cpus, 1);
	t->s.mem.access = fake_access;
	t->s.mem.ctx = f;
	t->mm = mm_boot(&t->s, &t->d, &t->p, NULL, err, sizeof err);
	ck_assert_msg(t->mm != NULL, "%s", err);
	mm_set_cpu(t->mm, 0);
}

/*
 * x86_64 machine for hand-worked buddy tests: usable [1 MiB, 2 MiB) in
 * ZONE_DMA holds the boot data (no range at or above 16 MiB is big enough
 * for it), and usable [16 MiB, 16 MiB + nframes * 4 KiB) is the whole of
 * ZONE_DMA32: its frames start at pfn 4096 (zone index 0) and are all free.
 */
static inline void tm_desc_dma32(struct hw_machine_desc *d, unsigned nframes, int cpus)
{
	hw_desc_init(d, HW_ARCH_X86_64);
	snprintf(d->name, sizeof d->name, "buddy-test");
	d->nr_nodes = 1;
	d->nodes[0].start = 0;
	d->nodes[0].end = 16 * MiB + (uint64_t)nframes * 4096;
	d->nr_cpus = cpus;
	for (int c = 0; c < cpus; c++) {
		d->cpus[c].node = 0;
		d->cpus[c].hz = 1000000000;
	}
	d->nr_ranges = 2;
	d->ranges[0].start = 1 * MiB;
	d->ranges[0].end = 2 * MiB;
	d->ranges[0].type = HW_MEM_USABLE;
	d->ranges[1].start = 16 * MiB;
	d->ranges[1].end = d->nodes[0].end;
	d->ranges[1].type = HW_MEM_USABLE;
	d->nr_distance_rows = 1;
	d->distance_len[0] = 1;
	d->distance[0][0] = 10;
}

/* A zone's free lists as text, zone-relative indices, head first, empty
 * orders left out: "0:[5] 1:[6] 3:[8] 4:[16]". */
static inline const char *tm_lists(struct tm *t, struct zone *z, char *buf, size_t len)
{
	pg_data_t *pgdat = z->zone_pgdat;
	size_t n = 0;
	buf[0] = '\0';
	for (unsigned o = 0; o < mm_max_order(t->mm); o++) {
		const struct page_list *l = &z->free_area[o].free_list;
		if (l->first == PAGE_NIL)
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s%u:[", n ? " " : "", o);
		for (uint32_t i = l->first; i != PAGE_NIL; i = pgdat->node_mem_map[i].lru_next)
			n += (size_t)snprintf(buf + n, len - n, "%s%lu", i == l->first ? "" : ",",
					      (unsigned long)(pgdat->node_start_pfn + i - z->zone_start_pfn));
		n += (size_t)snprintf(buf + n, len - n, "]");
	}
	return buf;
}

/* Zone-relative index of an allocated page (or -1 for NULL). */
static inline long tm_idx(struct tm *t, struct zone *z, struct page *p)
{
	return p ? (long)(page_to_pfn(t->mm, p) - z->zone_start_pfn) : -1;
}
