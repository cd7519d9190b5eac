/*
 * Machine descriptions: defaults, the PC-like builder, presets, validation.
 *
 * A description is data, not a model: nothing here allocates or simulates.
 * Validation runs its checks in a fixed order (shape of the node list, then
 * CPUs, then the firmware map, then the distance matrix, then caches and
 * TLBs) and reports the first fault, naming the field as a JSON description
 * would spell it, so a user can find the line in their file.
 *
 * Default parameters resemble a recent server core (Intel Skylake-SP class):
 *   L1d 32 KiB 8-way, 4 cycles; L2 1 MiB 16-way, 14 cycles: Intel 64 and
 *     IA-32 Architectures Optimization Reference Manual, Skylake Server
 *     microarchitecture cache parameters table.
 *   LLC 16 MiB 16-way per node, 50 cycles: the same manual gives an L3 hit
 *     latency of about 50 to 70 cycles on the mesh; we take the low end.
 *   DRAM 200 cycles local: about 80 ns of idle local latency at 2.5 GHz, the
 *     figure Intel's Memory Latency Checker reports on such machines; remote
 *     memory costs dram_latency * distance / 10, so a SLIT of 21 gives about
 *     170 ns, in line with measured two-socket remote latencies.
 *   Cache-to-cache 60 cycles within a node: a snoop hit on a modified line
 *     in another core's L2 costs a little more than an L3 hit.
 *   dTLB 64 entries 4-way for 4 KiB pages, 32 entries 4-way for large pages:
 *     the Skylake first-level data TLB.
 *   INVLPG about 120 cycles and a full flush (CR3 reload) about 300 cycles,
 *     an IPI for a TLB shootdown about 1,500 cycles per target CPU: orders of
 *     magnitude from published shootdown measurements (a few microseconds
 *     for a multi-CPU shootdown), to be refined.
 */
#include <stdio.h>
#include <string.h>

#include "hw/machine.h"
#include "sim/types.h"

#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)

const char *hw_arch_name(enum hw_arch arch)
{
	switch (arch) {
	case HW_ARCH_X86_64:
		return "x86_64";
	case HW_ARCH_I386:
		return "i386";
	case HW_ARCH_I386_PAE:
		return "i386-pae";
	}
	return "unknown";
}

int hw_arch_parse(const char *name, enum hw_arch *out)
{
	static const enum hw_arch all[] = { HW_ARCH_X86_64, HW_ARCH_I386, HW_ARCH_I386_PAE };
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		if (strcmp(name, hw_arch_name(all[i])) == 0) {
			*out = all[i];
			return 0;
		}
	}
	return -1;
}

unsigned hw_arch_pt_levels(enum hw_arch arch)
{
	return arch == HW_ARCH_X86_64 ? 4 : arch == HW_ARCH_I386 ? 2 : 3;
}

unsigned hw_arch_large_page_shift(enum hw_arch arch)
{
	return arch == HW_ARCH_I386 ? 22 : 21;
}

uint64_t hw_arch_phys_limit(enum hw_arch arch)
{
	return UINT64_C(1) << (arch == HW_ARCH_X86_64 ? 52 : arch == HW_ARCH_I386 ? 32 : 36);
}

static bool arch_is_valid(enum hw_arch arch)
{
	return arch == HW_ARCH_X86_64 || arch == HW_ARCH_I386 || arch == HW_ARCH_I386_PAE;
}

void hw_desc_init(struct hw_machine_desc *d, enum hw_arch arch)
{
	memset(d, 0, sizeof *d);
	d->arch = arch;
	d->l1d = (struct hw_cache_params){ 32 * 1024, 8, 64, 4, HW_REPL_LRU };
	d->l2 = (struct hw_cache_params){ 1 * MiB, 16, 64, 14, HW_REPL_LRU };
	d->llc = (struct hw_cache_params){ 16 * MiB, 16, 64, 50, HW_REPL_LRU };
	d->dtlb = (struct hw_tlb_params){ 64, 4 };
	d->dtlb_large = (struct hw_tlb_params){ 32, 4 };
	d->dram_latency = 200;
	d->c2c_latency = 60;
	d->ipi_latency = 1500;
	d->invlpg_latency = 120;
	d->tlb_flush_latency = 300;
}

static void add_range(struct hw_machine_desc *d, uint64_t start, uint64_t end, enum hw_mem_type type)
{
	if (start < end && d->nr_ranges < HW_MAX_RANGES)
		d->ranges[d->nr_ranges++] = (struct hw_mem_range){ start, end, type };
}

/*
 * RAM byte offset -> physical address, for a PC whose RAM above 3 GiB (when
 * there is a PCI hole) is remapped to start at 4 GiB.
 */
static uint64_t ram_to_phys(uint64_t off, bool pci_hole)
{
	return pci_hole && off >= 3 * GiB ? off + GiB : off;
}

int hw_desc_pc(struct hw_machine_desc *d, enum hw_arch arch, uint64_t mem_bytes,
	       int nr_nodes, int nr_cpus, char *err, size_t errlen)
{
	hw_desc_init(d, arch);
	if (nr_nodes < 1 || nr_nodes > HW_MAX_NODES)
		return mmsim_errf(err, errlen, "nodes: %d, must be 1 to %d", nr_nodes, HW_MAX_NODES);
	if (nr_cpus < 1 || nr_cpus > HW_MAX_CPUS)
		return mmsim_errf(err, errlen, "cpus: %d, must be 1 to %d", nr_cpus, HW_MAX_CPUS);
	if (mem_bytes % HW_PAGE_SIZE)
		return mmsim_errf(err, errlen, "mem: %llu bytes is not a whole number of 4 KiB pages",
			    (unsigned long long)mem_bytes);
	/* Each node gets a whole number of MiB; at least 4 of them, so that node 0
	 * still has usable memory above the legacy hole below 1 MiB. */
	uint64_t per_node = mem_bytes / (uint64_t)nr_nodes / MiB * MiB;
	if (per_node < 4 * MiB)
		return mmsim_errf(err, errlen, "mem: %llu MiB is too little for %d nodes (at least 4 MiB each)",
			    (unsigned long long)(mem_bytes / MiB), nr_nodes);

	bool pci_hole = mem_bytes > 3 * GiB;
	uint64_t top = ram_to_phys(mem_bytes, pci_hole);
	if (top > hw_arch_phys_limit(arch))
		return mmsim_errf(err, errlen,
			    "mem: %llu MiB does not fit below %s's physical limit of %llu MiB "
			    "(RAM above 3 GiB is moved above 4 GiB, past the PCI hole)",
			    (unsigned long long)(mem_bytes / MiB), hw_arch_name(arch),
			    (unsigned long long)(hw_arch_phys_limit(arch) / MiB));

	d->nr_nodes = nr_nodes;
	for (int n = 0; n < nr_nodes; n++) {
		uint64_t lo = per_node * (uint64_t)n;
		uint64_t hi = n == nr_nodes - 1 ? mem_bytes : lo + per_node;
		/* A boundary exactly at 3 GiB belongs below the hole. */
		d->nodes[n].start = n == 0 ? 0 : ram_to_phys(lo, pci_hole);
		d->nodes[n].end = hi == 3 * GiB ? hi : ram_to_phys(hi, pci_hole);
	}

	d->nr_cpus = nr_cpus;
	for (int c = 0; c < nr_cpus; c++) {
		d->cpus[c].node = (int)((int64_t)c * nr_nodes / nr_cpus);
		d->cpus[c].hz = UINT64_C(2500000000);
	}

	d->nr_distance_rows = nr_nodes;
	for (int i = 0; i < nr_nodes; i++) {
		d->distance_len[i] = nr_nodes;
		for (int j = 0; j < nr_nodes; j++)
			d->distance[i][j] = i == j ? 10 : 20;
	}

	/* The firmware map: legacy hole below 1 MiB, the PCI hole, and usable RAM
	 * cut at node boundaries (each usable range inside one node). */
	add_range(d, 0, 0x9f000, HW_MEM_USABLE);
	add_range(d, 0x9f000, 0x100000, HW_MEM_RESERVED);
	for (int n = 0; n < nr_nodes; n++) {
		uint64_t s = d->nodes[n].start < 0x100000 ? 0x100000 : d->nodes[n].start;
		uint64_t e = d->nodes[n].end;
		if (pci_hole && s < 3 * GiB && e > 3 * GiB) {
			add_range(d, s, 3 * GiB, HW_MEM_USABLE);
			add_range(d, 3 * GiB, 4 * GiB, HW_MEM_RESERVED);
			add_range(d, 4 * GiB, e, HW_MEM_USABLE);
		} else {
			add_range(d, s, e, HW_MEM_USABLE);
			if (pci_hole && e == 3 * GiB)
				add_range(d, 3 * GiB, 4 * GiB, HW_MEM_RESERVED);
		}
	}
	return hw_desc_validate(d, err, errlen);
}

static const char *const preset_names[] = {
	"pc-i386", "pc-i386-pae", "x86_64", "x86_64-numa2", "x86_64-numa4", NULL,
};

const char *const *hw_preset_names(void)
{
	return preset_names;
}

/*
 * The four-node preset's SLIT is deliberately asymmetric (distance[0][2] is
 * 21 but distance[2][0] is 22) and non-uniform (two pairs of near nodes), so
 * zonelist ordering and remote costs can be seen to follow the matrix rather
 * than a 10/20 rule.
 */
static const unsigned numa4_slit[4][4] = {
	{ 10, 16, 21, 31 },
	{ 16, 10, 31, 21 },
	{ 22, 31, 10, 16 },
	{ 31, 22, 16, 10 },
};

int hw_preset(const char *name, uint64_t mem_bytes, int nr_cpus,
	      struct hw_machine_desc *d, char *err, size_t errlen)
{
	struct { const char *name; enum hw_arch arch; uint64_t mem; int nodes, cpus; } table[] = {
		{ "pc-i386", HW_ARCH_I386, 1 * GiB, 1, 1 },
		{ "pc-i386-pae", HW_ARCH_I386_PAE, 8 * GiB, 1, 1 },
		{ "x86_64", HW_ARCH_X86_64, 4 * GiB, 1, 2 },
		{ "x86_64-numa2", HW_ARCH_X86_64, 8 * GiB, 2, 4 },
		{ "x86_64-numa4", HW_ARCH_X86_64, 16 * GiB, 4, 8 },
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		if (strcmp(name, table[i].name) != 0)
			continue;
		int rc = hw_desc_pc(d, table[i].arch, mem_bytes ? mem_bytes : table[i].mem,
				    table[i].nodes, nr_cpus ? nr_cpus : table[i].cpus, err, errlen);
		if (rc)
			return rc;
		snprintf(d->name, sizeof d->name, "%s", name);
		if (table[i].nodes == 4)
			for (int a = 0; a < 4; a++)
				for (int b = 0; b < 4; b++)
					d->distance[a][b] = numa4_slit[a][b];
		return 0;
	}
	char known[256] = "";
	for (const char *const *p = preset_names; *p; p++) {
		strncat(known, *p, sizeof known - strlen(known) - 1);
		if (p[1])
			strncat(known, ", ", sizeof known - strlen(known) - 1);
	}
	return mmsim_errf(err, errlen, "preset: unknown machine preset '%s' (known: %s)", name, known);
}

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static int check_cache(const char *field, const struct hw_cache_params *c, unsigned line0,
		       char *err, size_t errlen)
{
	if (!is_pow2(c->line) || c->line < 8)
		return mmsim_errf(err, errlen, "%s.line: %u is not a power of two of at least 8", field, c->line);
	if (line0 && c->line != line0)
		return mmsim_errf(err, errlen, "%s.line: %u, must equal l1d.line (%u): the levels share one line size",
			    field, c->line, line0);
	if (c->ways < 1)
		return mmsim_errf(err, errlen, "%s.ways: must be at least 1", field);
	uint64_t set_bytes = (uint64_t)c->ways * c->line;
	if (c->size == 0 || c->size % set_bytes || !is_pow2(c->size / set_bytes))
		return mmsim_errf(err, errlen,
			    "%s.size: %llu is not ways x line x a power-of-two number of sets (%u x %u x 2^k)",
			    field, (unsigned long long)c->size, c->ways, c->line);
	if (c->repl != HW_REPL_LRU && c->repl != HW_REPL_FIFO && c->repl != HW_REPL_RANDOM)
		return mmsim_errf(err, errlen, "%s.repl: unknown replacement policy", field);
	return 0;
}

static int check_tlb(const char *field, const struct hw_tlb_params *t, char *err, size_t errlen)
{
	if (t->ways < 1)
		return mmsim_errf(err, errlen, "%s.ways: must be at least 1", field);
	if (t->entries < 1 || t->entries % t->ways || !is_pow2(t->entries / t->ways))
		return mmsim_errf(err, errlen, "%s.entries: %u is not ways (%u) x a power-of-two number of sets",
			    field, t->entries, t->ways);
	return 0;
}

static bool overlaps(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
	return a0 < b1 && b0 < a1;
}

#define HX(v) ((unsigned long long)(v))

int hw_desc_validate(const struct hw_machine_desc *d, char *err, size_t errlen)
{
	if (!arch_is_valid(d->arch))
		return mmsim_errf(err, errlen, "arch: unknown architecture (known: x86_64, i386, i386-pae)");
	uint64_t limit = hw_arch_phys_limit(d->arch);
	const char *arch = hw_arch_name(d->arch);

	if (d->nr_nodes < 1 || d->nr_nodes > HW_MAX_NODES)
		return mmsim_errf(err, errlen, "nodes: %d nodes, must be 1 to %d", d->nr_nodes, HW_MAX_NODES);
	for (int i = 0; i < d->nr_nodes; i++) {
		const struct hw_node_desc *n = &d->nodes[i];
		if (n->start % HW_PAGE_SIZE)
			return mmsim_errf(err, errlen, "nodes[%d].start: 0x%llx is not page-aligned", i, HX(n->start));
		if (n->end % HW_PAGE_SIZE)
			return mmsim_errf(err, errlen, "nodes[%d].end: 0x%llx is not page-aligned", i, HX(n->end));
		if (n->end < n->start)
			return mmsim_errf(err, errlen, "nodes[%d]: end 0x%llx is below start 0x%llx", i,
				    HX(n->end), HX(n->start));
		if (n->end > limit)
			return mmsim_errf(err, errlen, "nodes[%d].end: 0x%llx is beyond %s's physical limit 0x%llx",
				    i, HX(n->end), arch, HX(limit));
		if (n->movable_start && (n->movable_start % HW_PAGE_SIZE || n->movable_start < n->start ||
					 n->movable_start >= n->end))
			return mmsim_errf(err, errlen, "nodes[%d].movable_start: 0x%llx must be page-aligned "
					  "and inside the node", i, HX(n->movable_start));
		for (int j = 0; j < i; j++)
			if (overlaps(n->start, n->end, d->nodes[j].start, d->nodes[j].end))
				return mmsim_errf(err, errlen, "nodes[%d]: overlaps nodes[%d] ([0x%llx, 0x%llx))", i, j,
					    HX(d->nodes[j].start), HX(d->nodes[j].end));
	}

	if (d->lowmem_end) {
		if (d->arch == HW_ARCH_X86_64)
			return mmsim_errf(err, errlen, "lowmem_end: only a 32-bit machine has lowmem "
					  "and HighMem (this one is x86_64)");
		if (d->lowmem_end % HW_PAGE_SIZE || d->lowmem_end <= (UINT64_C(16) << 20) ||
		    d->lowmem_end > (UINT64_C(896) << 20))
			return mmsim_errf(err, errlen, "lowmem_end: 0x%llx must be page-aligned, above "
					  "16 MiB (ZONE_DMA) and at most 896 MiB", HX(d->lowmem_end));
	}

	if (d->no_numa && d->nr_nodes != 1)
		return mmsim_errf(err, errlen, "numa: false (a kernel without CONFIG_NUMA) needs one node, "
				  "not %d", d->nr_nodes);

	if (d->nr_cpus < 1 || d->nr_cpus > HW_MAX_CPUS)
		return mmsim_errf(err, errlen, "cpus: %d CPUs, must be 1 to %d", d->nr_cpus, HW_MAX_CPUS);
	for (int i = 0; i < d->nr_cpus; i++) {
		if (d->cpus[i].node < 0 || d->cpus[i].node >= d->nr_nodes)
			return mmsim_errf(err, errlen, "cpus[%d].node: %d is not a node (the machine has %d)", i,
				    d->cpus[i].node, d->nr_nodes);
		if (d->cpus[i].hz == 0)
			return mmsim_errf(err, errlen, "cpus[%d].hz: the clock rate must be positive", i);
	}

	if (d->nr_ranges < 1 || d->nr_ranges > HW_MAX_RANGES)
		return mmsim_errf(err, errlen, "ranges: %d ranges, must be 1 to %d", d->nr_ranges, HW_MAX_RANGES);
	uint64_t usable = 0;
	for (int i = 0; i < d->nr_ranges; i++) {
		const struct hw_mem_range *r = &d->ranges[i];
		if (r->type != HW_MEM_USABLE && r->type != HW_MEM_RESERVED && r->type != HW_MEM_KERNEL)
			return mmsim_errf(err, errlen, "ranges[%d].type: unknown memory type", i);
		if (r->start % HW_PAGE_SIZE)
			return mmsim_errf(err, errlen, "ranges[%d].start: 0x%llx is not page-aligned", i, HX(r->start));
		if (r->end % HW_PAGE_SIZE)
			return mmsim_errf(err, errlen, "ranges[%d].end: 0x%llx is not page-aligned", i, HX(r->end));
		if (r->end <= r->start)
			return mmsim_errf(err, errlen, "ranges[%d]: empty or inverted ([0x%llx, 0x%llx))", i,
				    HX(r->start), HX(r->end));
		if (r->end > limit)
			return mmsim_errf(err, errlen, "ranges[%d].end: 0x%llx is beyond %s's physical limit 0x%llx",
				    i, HX(r->end), arch, HX(limit));
		for (int j = 0; j < i; j++)
			if (overlaps(r->start, r->end, d->ranges[j].start, d->ranges[j].end))
				return mmsim_errf(err, errlen, "ranges[%d]: overlaps ranges[%d] ([0x%llx, 0x%llx))", i,
					    j, HX(d->ranges[j].start), HX(d->ranges[j].end));
		if (r->type == HW_MEM_RESERVED)
			continue;
		const char *what = r->type == HW_MEM_USABLE ? "usable" : "kernel";
		int node = hw_desc_node_of(d, r->start);
		if (node < 0)
			return mmsim_errf(err, errlen, "ranges[%d]: %s [0x%llx, 0x%llx) starts in no node", i,
				    what, HX(r->start), HX(r->end));
		if (r->end > d->nodes[node].end)
			return mmsim_errf(err, errlen,
				    "ranges[%d]: %s [0x%llx, 0x%llx) crosses the end of nodes[%d] (0x%llx)",
				    i, what, HX(r->start), HX(r->end), node, HX(d->nodes[node].end));
		if (r->type == HW_MEM_USABLE)
			usable += r->end - r->start;
	}
	if (usable == 0)
		return mmsim_errf(err, errlen, "ranges: no usable memory");

	if (d->nr_distance_rows != d->nr_nodes)
		return mmsim_errf(err, errlen, "distance: %d rows, expected %d (one per node)", d->nr_distance_rows,
			    d->nr_nodes);
	for (int i = 0; i < d->nr_nodes; i++) {
		if (d->distance_len[i] != d->nr_nodes)
			return mmsim_errf(err, errlen, "distance[%d]: %d entries, expected %d", i, d->distance_len[i],
				    d->nr_nodes);
		for (int j = 0; j < d->nr_nodes; j++) {
			unsigned v = d->distance[i][j];
			if (i == j && v != 10)
				return mmsim_errf(err, errlen, "distance[%d][%d]: %u, the diagonal must be 10", i, j, v);
			if (i != j && (v < 10 || v > 254))
				return mmsim_errf(err, errlen, "distance[%d][%d]: %u, must be 10 to 254", i, j, v);
		}
	}

	if (check_cache("l1d", &d->l1d, 0, err, errlen) ||
	    check_cache("l2", &d->l2, d->l1d.line, err, errlen) ||
	    check_cache("llc", &d->llc, d->l1d.line, err, errlen) ||
	    check_tlb("dtlb", &d->dtlb, err, errlen) ||
	    check_tlb("dtlb_large", &d->dtlb_large, err, errlen))
		return -1;

	if (d->nr_disks < 0 || d->nr_disks > HW_MAX_DISKS)
		return mmsim_errf(err, errlen, "disks: %d disks, at most %d", d->nr_disks, HW_MAX_DISKS);
	for (int i = 0; i < d->nr_disks; i++) {
		const struct hw_disk_desc *k = &d->disks[i];
		if (!k->name[0])
			return mmsim_errf(err, errlen, "disks[%d].name: missing", i);
		for (int j = 0; j < i; j++)
			if (!strcmp(k->name, d->disks[j].name))
				return mmsim_errf(err, errlen, "disks[%d].name: \"%s\" is disks[%d]'s name too",
						  i, k->name, j);
		if (k->size == 0 || k->size % HW_PAGE_SIZE)
			return mmsim_errf(err, errlen, "disks[%d].size: %llu must be a positive multiple of 4096",
					  i, HX(k->size));
		if (k->bandwidth == 0)
			return mmsim_errf(err, errlen, "disks[%d].bandwidth: must be positive (bytes per second)",
					  i);
		if (k->dma_bits < 1 || k->dma_bits > 64)
			return mmsim_errf(err, errlen, "disks[%d].dma_bits: %u, must be 1 to 64", i, k->dma_bits);
	}
	return 0;
}

void hw_disk_default(struct hw_disk_desc *disk, const char *name, uint64_t size)
{
	memset(disk, 0, sizeof *disk);
	snprintf(disk->name, sizeof disk->name, "%s", name);
	disk->size = size;
	disk->latency_ns = 100000;
	disk->bandwidth = UINT64_C(500000000);
	disk->dma_bits = 64;
}

int hw_desc_node_of(const struct hw_machine_desc *d, uint64_t paddr)
{
	for (int i = 0; i < d->nr_nodes; i++)
		if (paddr >= d->nodes[i].start && paddr < d->nodes[i].end)
			return i;
	return -1;
}

bool hw_desc_is_usable(const struct hw_machine_desc *d, uint64_t paddr)
{
	for (int i = 0; i < d->nr_ranges; i++)
		if (d->ranges[i].type != HW_MEM_RESERVED && paddr >= d->ranges[i].start &&
		    paddr < d->ranges[i].end)
			return true;
	return false;
}

uint64_t hw_desc_usable_bytes(const struct hw_machine_desc *d, int node)
{
	uint64_t sum = 0;
	for (int i = 0; i < d->nr_ranges; i++) {
		const struct hw_mem_range *r = &d->ranges[i];
		if (r->type != HW_MEM_RESERVED && (node < 0 || hw_desc_node_of(d, r->start) == node))
			sum += r->end - r->start;
	}
	return sum;
}
