/*
 * The memory manager's policy: a typed struct with documented defaults and
 * one table of knobs, each with a parser and a printer. Scenarios, the -P
 * command line and trace headers all go through this table, so a knob's
 * name, accepted values and text form are defined once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/internal.h"
#include "sim/trace.h"

void mm_policy_default(struct mm_policy *p)
{
	memset(p, 0, sizeof *p);
	p->era = MM_ERA_CLASSIC;
	p->pcp = true;
	p->min_free_kbytes = -1;
	/* 2.6.11 sysctl_lowmem_reserve_ratio = { 256, 32 } for DMA and Normal;
	 * DMA32 (2.6.16) got 256 like DMA. */
	p->lowmem_reserve_ratio[ZONE_DMA] = 256;
	p->lowmem_reserve_ratio[ZONE_DMA32] = 256;
	p->lowmem_reserve_ratio[ZONE_NORMAL] = 32;
	p->zonelist_order = ZONELIST_ORDER_NODE;
	p->max_order = MM_DEFAULT_MAX_ORDER;
	p->hw = true;
	p->check = false;
	p->slab_colour = true;
	p->watermark_scale_factor = 10;         /* 6.1 mm/page_alloc.c */
	p->percpu_pagelist_high_fraction = 0;   /* 6.1: high from the low watermark */
	p->thp = true;                          /* Debian 6.1: enabled=always */
	p->dma_bounce = true;
	p->highpte = false;
}

static int parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "on") || !strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes"))
		*out = true;
	else if (!strcmp(v, "off") || !strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "no"))
		*out = false;
	else
		return -1;
	return 0;
}

static int parse_ulong(const char *v, unsigned long max, unsigned long *out)
{
	char *end;
	if (!*v || *v == '-' || *v == '+')
		return -1;
	errno = 0;
	unsigned long x = strtoul(v, &end, 10);
	if (errno || *end || x > max)
		return -1;
	*out = x;
	return 0;
}

struct knob {
	const char *name;
	const char *accepted;   /* for error messages */
	int (*set)(struct mm_policy *p, const char *v);
	int (*get)(const struct mm_policy *p, char *buf, size_t len);
};

static int set_era(struct mm_policy *p, const char *v)
{
	if (!strcmp(v, "classic"))
		p->era = MM_ERA_CLASSIC;
	else if (!strcmp(v, "modern"))
		p->era = MM_ERA_MODERN;
	else
		return -1;
	return 0;
}
static int get_era(const struct mm_policy *p, char *b, size_t n)
{
	return snprintf(b, n, "%s", p->era == MM_ERA_CLASSIC ? "classic" : "modern");
}
static int set_pcp(struct mm_policy *p, const char *v)
{
	return parse_bool(v, &p->pcp);
}
static int get_pcp(const struct mm_policy *p, char *b, size_t n)
{
	return snprintf(b, n, "%s", p->pcp ? "on" : "off");
}
static int set_hw(struct mm_policy *p, const char *v)
{
	return parse_bool(v, &p->hw);
}
static int get_hw(const struct mm_policy *p, char *b, size_t n)
{
	return snprintf(b, n, "%s", p->hw ? "on" : "off");
}
static int set_check(struct mm_policy *p, const char *v)
{
	return parse_bool(v, &p->check);
}
static int get_check(const struct mm_policy *p, char *b, size_t n)
{
	return snprintf(b, n, "%s", p->check ? "on" : "off");
}
static int set_slab_colour(struct mm_policy *p, const char *v)
{
	return parse_bool(v, &p->slab_colour);
}
static int get_slab_colour(const struct mm_policy *p, char *b, size_t n)
{
	return snprintf(b, n, "%s", p->slab_colour ? "on" : "off");
}
static int set_min_free(struct mm_policy *p, const char *v)
{
	unsigned long x;
	if (!strcmp(v, "auto")) {
		p->min_free_kbytes = -1;
		return 0;
	}
	if (parse_ulong(v, 1UL << 30, &x))
		return -1;
	p->min_free_kbytes = (long)x;
	return 0;
}
static int get_min_free(const struct mm_policy *p, char *b, size_t n)
{
	if (p->min_free_kbytes < 0)
		return snprintf(b, n, "auto");
	return snprintf(b, n, "%ld", p->min_free_kbytes);
}
/* "256,32" (2.6.11's two ratios: DMA and Normal; DMA32 takes DMA's) or
 * "256,256,32" (DMA, DMA32, Normal), commas or blanks between them; or as
 * 6.1's /proc/sys/vm/lowmem_reserve_ratio prints it on x86_64, five ratios
 * "256 256 32 0 0" (DMA, DMA32, Normal, Movable, Device: the last two
 * zones are not modelled, their ratios are accepted and dropped), or on
 * a 32-bit kernel four, "256 32 0 0" (DMA, Normal, HighMem, Movable: no
 * DMA32, so DMA32 takes DMA's; HighMem's ratio only protects HighMem from
 * Movable allocations, and Movable is not modelled, so the last two are
 * dropped). 0 is 6.1's "no protection" (the classic era reads it as 1). */
static int set_ratio(struct mm_policy *p, const char *v)
{
	unsigned long r[5];
	int n = 0;
	const char *s = v;
	while (*s == ' ' || *s == '\t')
		s++;
	while (n < 5) {
		char word[24];
		size_t len = strcspn(s, ", \t");
		if (len == 0 || len >= sizeof word)
			return -1;
		memcpy(word, s, len);
		word[len] = '\0';
		if (parse_ulong(word, 1UL << 20, &r[n]))
			return -1;
		n++;
		s += len;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == ',')
			s++;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
	}
	if (*s != '\0' || n < 2)
		return -1;
	if (n == 2 || n == 4) {
		p->lowmem_reserve_ratio[ZONE_DMA] = (unsigned)r[0];
		p->lowmem_reserve_ratio[ZONE_DMA32] = (unsigned)r[0];
		p->lowmem_reserve_ratio[ZONE_NORMAL] = (unsigned)r[1];
	} else {
		for (int i = 0; i < 3; i++)
			p->lowmem_reserve_ratio[i] = (unsigned)r[i];
	}
	return 0;
}
static int get_ratio(const struct mm_policy *p, char *b, size_t n)
{
	return snprintf(b, n, "%u,%u,%u", p->lowmem_reserve_ratio[0], p->lowmem_reserve_ratio[1],
			p->lowmem_reserve_ratio[2]);
}
static int set_zlorder(struct mm_policy *p, const char *v)
{
	if (!strcmp(v, "node"))
		p->zonelist_order = ZONELIST_ORDER_NODE;
	else if (!strcmp(v, "zone"))
		p->zonelist_order = ZONELIST_ORDER_ZONE;
	else
		return -1;
	p->zonelist_order_set = true;
	return 0;
}
static int get_zlorder(const struct mm_policy *p, char *b, size_t n)
{
	return snprintf(b, n, "%s", p->zonelist_order == ZONELIST_ORDER_NODE ? "node" : "zone");
}
static int set_max_order(struct mm_policy *p, const char *v)
{
	unsigned long x;
	if (parse_ulong(v, 15, &x) || x < 2)
		return -1;
	p->max_order = (unsigned)x;
	return 0;
}
static int set_dma_bounce(struct mm_policy *p, const char *v)
{
	return parse_bool(v, &p->dma_bounce);
}
static int get_dma_bounce(const struct mm_policy *p, char *b, size_t n)
{
	return snprintf(b, n, "%s", p->dma_bounce ? "on" : "off");
}
static int set_highpte(struct mm_policy *p, const char *v)
{
	return parse_bool(v, &p->highpte);
}
static int get_highpte(const struct mm_policy *p, char *b, size_t n)
{
	return snprintf(b, n, "%s", p->highpte ? "on" : "off");
}
static int get_max_order(const struct mm_policy *p, char *b, size_t n)
{
	return snprintf(b, n, "%u", p->max_order);
}

static int set_wsf(struct mm_policy *p, const char *v)
{
	unsigned long x;
	if (parse_ulong(v, 3000, &x) || x < 1)
		return -1;
	p->watermark_scale_factor = (unsigned)x;
	return 0;
}
static int get_wsf(const struct mm_policy *p, char *b, size_t n)
{
	return snprintf(b, n, "%u", p->watermark_scale_factor);
}
/* 6.1 MIN_PERCPU_PAGELIST_HIGH_FRACTION is 8; 0 means "from the low
 * watermark". */
static int set_pcp_frac(struct mm_policy *p, const char *v)
{
	unsigned long x;
	if (parse_ulong(v, 1UL << 30, &x) || (x != 0 && x < 8))
		return -1;
	p->percpu_pagelist_high_fraction = (unsigned)x;
	return 0;
}
static int get_pcp_frac(const struct mm_policy *p, char *b, size_t n)
{
	return snprintf(b, n, "%u", p->percpu_pagelist_high_fraction);
}
static int set_thp(struct mm_policy *p, const char *v)
{
	return parse_bool(v, &p->thp);
}
static int get_thp(const struct mm_policy *p, char *b, size_t n)
{
	return snprintf(b, n, "%s", p->thp ? "on" : "off");
}

static const struct knob knobs[] = {
	{ "era", "classic or modern", set_era, get_era },
	{ "pcp", "on or off", set_pcp, get_pcp },
	{ "min_free_kbytes", "auto (2.6.11's sqrt(lowmem_kbytes * 16)) or a number of KiB", set_min_free,
	  get_min_free },
	{ "lowmem_reserve_ratio", "two ratios DMA,Normal (e.g. 256,32), three DMA,DMA32,Normal, or 6.1's five (256 256 32 0 0)",
	  set_ratio, get_ratio },
	{ "zonelist_order", "node or zone", set_zlorder, get_zlorder },
	{ "max_order", "2 to 15", set_max_order, get_max_order },
	{ "hw", "on or off", set_hw, get_hw },
	{ "check", "on or off", set_check, get_check },
	{ "slab_colour", "on or off", set_slab_colour, get_slab_colour },
	{ "watermark_scale_factor", "1 to 3000 (modern era)", set_wsf, get_wsf },
	{ "percpu_pagelist_high_fraction", "0, or 8 and more (modern era)", set_pcp_frac, get_pcp_frac },
	{ "thp", "on or off (modern era: transparent huge pages' min_free_kbytes rule)", set_thp,
	  get_thp },
	{ "dma_bounce", "on (bounce through a low pool) or off (refuse)", set_dma_bounce,
	  get_dma_bounce },
	{ "highpte", "on (user PTE pages from HighMem, CONFIG_HIGHPTE) or off", set_highpte,
	  get_highpte },
};
#define NR_KNOBS (sizeof knobs / sizeof knobs[0])

static const char *const knob_names[NR_KNOBS + 1] = {
	"era", "pcp", "min_free_kbytes", "lowmem_reserve_ratio", "zonelist_order", "max_order", "hw",
	"check", "slab_colour", "watermark_scale_factor", "percpu_pagelist_high_fraction", "thp",
	"dma_bounce", "highpte", NULL,
};

const char *const *mm_policy_knobs(void)
{
	return knob_names;
}

/* What each knob does, for `mmsim run --help`; tests/cli_trust.sh checks
 * that every knob of the table has a line here. */
static const struct {
	const char *name, *what;
} knob_help[] = {
	{ "era", "the allocator's era: classic (Linux 2.6.11) or modern (6.1)" },
	{ "pcp", "per-CPU page lists (2.6.11's hot/cold, 6.1's per migrate type)" },
	{ "min_free_kbytes", "vm.min_free_kbytes, from which the zones' watermarks follow" },
	{ "lowmem_reserve_ratio", "vm.lowmem_reserve_ratio: how much of a lower zone is kept from "
	  "allocations that could use a higher one" },
	{ "zonelist_order", "vm.numa_zonelist_order: fall back node by node or zone type first" },
	{ "max_order", "MAX_ORDER: the buddy lists hold orders 0 to max_order-1" },
	{ "hw", "the hardware cost model (caches, coherence, TLBs, DRAM); off: accesses cost 0" },
	{ "check", "the allocator's consistency checks after every operation (slow)" },
	{ "slab_colour", "slab colouring: each slab's objects offset to spread over cache sets" },
	{ "watermark_scale_factor", "vm.watermark_scale_factor: the gap between min, low and high "
	  "in 1/10000 of a zone" },
	{ "percpu_pagelist_high_fraction", "vm.percpu_pagelist_high_fraction: per-CPU list high as "
	  "1/N of the zone (0: from the low watermark)" },
	{ "thp", "transparent huge pages enabled: raises the boot-time min_free_kbytes" },
	{ "dma_bounce", "DMA beyond a device's mask bounced through low pages, or refused" },
	{ "highpte", "user page-table pages from HighMem (CONFIG_HIGHPTE), through kmap_atomic" },
};

const char *mm_policy_knob_help(const char *name, const char **accepted)
{
	for (size_t i = 0; i < NR_KNOBS; i++)
		if (!strcmp(knobs[i].name, name)) {
			*accepted = knobs[i].accepted;
			for (size_t j = 0; j < sizeof knob_help / sizeof knob_help[0]; j++)
				if (!strcmp(knob_help[j].name, name))
					return knob_help[j].what;
			return NULL;
		}
	*accepted = NULL;
	return NULL;
}

int mm_policy_set(struct mm_policy *p, const char *name, const char *value, char *err, size_t errlen)
{
	for (size_t i = 0; i < NR_KNOBS; i++) {
		if (strcmp(knobs[i].name, name) != 0)
			continue;
		struct mm_policy tmp = *p;
		if (!value || knobs[i].set(&tmp, value) != 0)
			return mmsim_errf(err, errlen, "policy %s: bad value '%s' (accepted: %s)", name,
				    value ? value : "", knobs[i].accepted);
		*p = tmp;
		return 0;
	}
	char known[256] = "";
	for (size_t i = 0; i < NR_KNOBS; i++) {
		strncat(known, knobs[i].name, sizeof known - strlen(known) - 1);
		if (i + 1 < NR_KNOBS)
			strncat(known, ", ", sizeof known - strlen(known) - 1);
	}
	return mmsim_errf(err, errlen, "policy: unknown knob '%s' (known: %s)", name, known);
}

int mm_policy_check(const struct mm_policy *p, const struct hw_machine_desc *d, char *err, size_t errlen)
{
	/* 6.1 registers vm.numa_zonelist_order under CONFIG_NUMA only
	 * (kernel/sysctl.c's vm_table). */
	if (d->no_numa && p->zonelist_order_set)
		return mmsim_errf(err, errlen, "zonelist_order: the machine's kernel is built without "
				  "CONFIG_NUMA (\"numa\": false), so it has no "
				  "/proc/sys/vm/numa_zonelist_order");
	return 0;
}

int mm_policy_parse(struct mm_policy *p, const char *assignment, char *err, size_t errlen)
{
	const char *eq = strchr(assignment, '=');
	if (!eq || eq == assignment)
		return mmsim_errf(err, errlen, "policy: '%s' is not name=value", assignment);
	char name[64];
	size_t len = (size_t)(eq - assignment);
	if (len >= sizeof name)
		return mmsim_errf(err, errlen, "policy: unknown knob '%.*s'", (int)len, assignment);
	memcpy(name, assignment, len);
	name[len] = '\0';
	return mm_policy_set(p, name, eq + 1, err, errlen);
}

int mm_policy_get(const struct mm_policy *p, const char *name, char *buf, size_t len)
{
	for (size_t i = 0; i < NR_KNOBS; i++)
		if (!strcmp(knobs[i].name, name))
			return knobs[i].get(p, buf, len);
	return -1;
}

void mm_policy_trace(const struct mm_policy *p, struct trace *tr, const char *key)
{
	char buf[64];
	trace_obj_begin(tr, key);
	for (size_t i = 0; i < NR_KNOBS; i++) {
		knobs[i].get(p, buf, sizeof buf);
		trace_str(tr, knobs[i].name, buf);
	}
	trace_obj_end(tr);
}

/* ---- Run-time sysctls ---------------------------------------------------- */

/* The /proc/sys/vm files mmsim models; an era has those its kernel has
 * (mm->ops->sysctls). */
static const char *const sysctls[] = { "min_free_kbytes", "watermark_scale_factor",
				       "lowmem_reserve_ratio", "percpu_pagelist_high_fraction", NULL };

static bool listed(const char *const *names, const char *name)
{
	for (int i = 0; names[i]; i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

bool mm_is_sysctl(const char *name)
{
	return listed(sysctls, name);
}

/*
 * A write checks the name against the machine's kernel (CONFIG_NUMA) and
 * the era's files, takes the value as the policy's knob of that name
 * takes it, and hands over to the era's handler, which recomputes what its
 * kernel's handler recomputes (mm->ops->sysctl_handler).
 */
int mm_sysctl_write(struct mm *mm, const char *name, const char *value, char *err, size_t errlen)
{
	/* 6.1 has vm.numa_zonelist_order with CONFIG_NUMA only (a write
	 * there takes only "Node" or "default"; mmsim does not model it). */
	if (mm->no_numa && (!strcmp(name, "numa_zonelist_order") || !strcmp(name, "zonelist_order")))
		return mmsim_errf(err, errlen, "sysctl %s: the machine's kernel is built without CONFIG_NUMA "
				  "(\"numa\": false), so it has no /proc/sys/vm/numa_zonelist_order", name);
	if (!mm_is_sysctl(name))
		return mmsim_errf(err, errlen, "sysctl: unknown '%s' (known: min_free_kbytes, "
				  "watermark_scale_factor, lowmem_reserve_ratio, "
				  "percpu_pagelist_high_fraction)", name);
	if (!listed(mm->ops->sysctls, name))
		return mmsim_errf(err, errlen, "sysctl %s: the %s era (%s) has no such file", name, mm->ops->era,
				  mm->ops->version);
	struct mm_policy p = mm->policy;
	if (mm_policy_set(&p, name, value, err, errlen))
		return -1;
	if (!strcmp(name, "min_free_kbytes") && p.min_free_kbytes < 0)
		return mmsim_errf(err, errlen, "sysctl min_free_kbytes: a number of KiB, not 'auto'");
	struct mm_policy old = mm->policy;
	mm->policy = p;
	if (!strcmp(name, "min_free_kbytes"))
		mm->min_free_kbytes = (unsigned long)p.min_free_kbytes;
	mm->ops->sysctl_handler(mm, name, &old);
	return 0;
}
