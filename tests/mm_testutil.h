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
