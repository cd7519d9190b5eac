/*
 * A machine description written into a trace line, in exactly the JSON
 * format hw/machine_json.c reads (explicit topology, every parameter), so a
 * trace header's "machine" can be saved to a file and run again as it is.
 */
#include "hw/machine.h"
#include "sim/trace.h"

static const char *repl_name(enum hw_repl r)
{
	switch (r) {
	case HW_REPL_LRU: return "lru";
	case HW_REPL_FIFO: return "fifo";
	case HW_REPL_RANDOM: return "random";
	}
	return "lru";
}

static void cache_trace(struct trace *t, const char *key, const struct hw_cache_params *c)
{
	trace_obj_begin(t, key);
	trace_u64(t, "size", c->size);
	trace_u64(t, "ways", c->ways);
	trace_u64(t, "line", c->line);
	trace_u64(t, "latency", c->latency);
	trace_str(t, "repl", repl_name(c->repl));
	trace_obj_end(t);
}

static void tlb_trace(struct trace *t, const char *key, const struct hw_tlb_params *p)
{
	trace_obj_begin(t, key);
	trace_u64(t, "entries", p->entries);
	trace_u64(t, "ways", p->ways);
	trace_obj_end(t);
}

static void span_trace(struct trace *t, uint64_t start, uint64_t end)
{
	trace_hex(t, "start", start);
	trace_hex(t, "end", end);
}

void hw_desc_trace(const struct hw_machine_desc *d, struct trace *t, const char *key)
{
	trace_obj_begin(t, key);
	trace_str(t, "name", d->name);
	trace_str(t, "arch", hw_arch_name(d->arch));
	trace_arr_begin(t, "nodes");
	for (int n = 0; n < d->nr_nodes; n++) {
		trace_obj_begin(t, NULL);
		span_trace(t, d->nodes[n].start, d->nodes[n].end);
		if (d->nodes[n].movable_start)
			trace_hex(t, "movable_start", d->nodes[n].movable_start);
		trace_obj_end(t);
	}
	trace_arr_end(t);
	trace_arr_begin(t, "ranges");
	for (int r = 0; r < d->nr_ranges; r++) {
		trace_obj_begin(t, NULL);
		span_trace(t, d->ranges[r].start, d->ranges[r].end);
		trace_str(t, "type", d->ranges[r].type == HW_MEM_USABLE ? "usable" :
			  d->ranges[r].type == HW_MEM_KERNEL ? "kernel" : "reserved");
		trace_obj_end(t);
	}
	trace_arr_end(t);
	trace_arr_begin(t, "cpus");
	for (int c = 0; c < d->nr_cpus; c++) {
		trace_obj_begin(t, NULL);
		trace_u64(t, "node", (uint64_t)d->cpus[c].node);
		trace_u64(t, "hz", d->cpus[c].hz);
		trace_obj_end(t);
	}
	trace_arr_end(t);
	trace_arr_begin(t, "distance");
	for (int i = 0; i < d->nr_nodes; i++) {
		trace_arr_begin(t, NULL);
		for (int j = 0; j < d->nr_nodes; j++)
			trace_u64(t, NULL, d->distance[i][j]);
		trace_arr_end(t);
	}
	trace_arr_end(t);
	if (d->lowmem_end)
		trace_hex(t, "lowmem_end", d->lowmem_end);
	if (d->no_numa)
		trace_bool(t, "numa", false);
	cache_trace(t, "l1d", &d->l1d);
	cache_trace(t, "l2", &d->l2);
	cache_trace(t, "llc", &d->llc);
	tlb_trace(t, "dtlb", &d->dtlb);
	tlb_trace(t, "dtlb_large", &d->dtlb_large);
	trace_u64(t, "dram_latency", d->dram_latency);
	trace_u64(t, "c2c_latency", d->c2c_latency);
	trace_u64(t, "ipi_latency", d->ipi_latency);
	trace_u64(t, "invlpg_latency", d->invlpg_latency);
	trace_u64(t, "tlb_flush_latency", d->tlb_flush_latency);
	if (d->nr_disks) {
		trace_arr_begin(t, "disks");
		for (int i = 0; i < d->nr_disks; i++) {
			const struct hw_disk_desc *k = &d->disks[i];
			trace_obj_begin(t, NULL);
			trace_str(t, "name", k->name);
			trace_u64(t, "size", k->size);
			trace_u64(t, "latency_ns", k->latency_ns);
			trace_u64(t, "bandwidth", k->bandwidth);
			trace_u64(t, "dma_bits", k->dma_bits);
			trace_obj_end(t);
		}
		trace_arr_end(t);
	}
	trace_obj_end(t);
}
