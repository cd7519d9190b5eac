/*
 * Machine descriptions written as JSON (docs/machines.md is the reference).
 *
 * The document is read with cJSON and applied in three layers, each
 * overriding the one before:
 *   1. a base: "preset" (with optional "mem" and "nr_cpus"), or, without a
 *      preset, a PC built by hw_desc_pc from "arch", "mem", "nr_nodes" and
 *      "nr_cpus";
 *   2. explicit topology arrays that replace the base's: "nodes", "ranges",
 *      "cpus", "distance";
 *   3. scalar parameters: caches, TLBs, latencies, "name".
 * The result is then validated by hw_desc_validate, whose messages already
 * name fields the way this format spells them ("cpus[3].node: ..."), so an
 * error reads "FILE: cpus[3].node: 5 is not a node (the machine has 2)".
 *
 * Numbers may be JSON numbers (integers only) or strings: "0x1f000" for
 * addresses, "32K", "16M", "4G" for sizes (powers of 1024). Unknown keys are
 * errors that list the known ones, so a typo never silently leaves a default
 * in place.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/machine.h"
#include "sim/types.h"

/* Where an error happened, for its message: the source and a field path. */
struct jctx {
	const char *source;
	char *err;
	size_t errlen;
};

/* field NULL: the top level, which needs no name. */
static int jfail(const struct jctx *j, const char *field, const char *msg, const char *arg)
{
	if (!field)
		return mmsim_errf(j->err, j->errlen, "%s: %s%s", j->source, msg, arg ? arg : "");
	return mmsim_errf(j->err, j->errlen, "%s: %s: %s%s", j->source, field, msg, arg ? arg : "");
}

/* A size or address: an integral JSON number, or a string in decimal or hex
 * with an optional K/M/G suffix. */
static int get_u64(const struct jctx *j, const char *field, const cJSON *v, uint64_t *out)
{
	if (cJSON_IsNumber(v)) {
		double x = v->valuedouble;
		/* The range first: converting a double beyond uint64_t is
		 * undefined (found by tests/fuzz/machine_json.c). */
		if (!(x >= 0 && x < 18446744073709551616.0) || x != (double)(uint64_t)x)
			return jfail(j, field, "expected a non-negative integer", NULL);
		*out = (uint64_t)x;
		return 0;
	}
	if (!cJSON_IsString(v))
		return jfail(j, field, "expected a number or a string like \"0x100000\" or \"4G\"",
			     NULL);
	const char *s = v->valuestring;
	char *end;
	errno = 0;
	if (*s == '-' || *s == '+' || *s == ' ' || !*s)
		return jfail(j, field, "not a non-negative integer: ", s);
	unsigned long long x = strtoull(s, &end, 0);
	if (errno || end == s)
		return jfail(j, field, "not a non-negative integer: ", s);
	unsigned shift = 0;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	case 'T': case 't': shift = 40; end++; break;
	default: break;
	}
	if (*end)
		return jfail(j, field, "not a number with an optional K, M, G or T suffix: ", s);
	if (shift && x > (UINT64_MAX >> shift))
		return jfail(j, field, "too large: ", s);
	*out = (uint64_t)x << shift;
	return 0;
}

static int get_uint(const struct jctx *j, const char *field, const cJSON *v, unsigned *out)
{
	uint64_t x;
	if (get_u64(j, field, v, &x))
		return -1;
	if (x > 0xffffffffu)
		return jfail(j, field, "too large (at most 4294967295)", NULL);
	*out = (unsigned)x;
	return 0;
}

static int get_int(const struct jctx *j, const char *field, const cJSON *v, int max, int *out)
{
	uint64_t x;
	if (get_u64(j, field, v, &x))
		return -1;
	if (x > (uint64_t)max) {
		char m[64];
		snprintf(m, sizeof m, "%llu is more than %d", (unsigned long long)x, max);
		return jfail(j, field, m, NULL);
	}
	*out = (int)x;
	return 0;
}

/* Every member of obj must be one of `known` (NULL-terminated). */
static int check_keys(const struct jctx *j, const char *field, const cJSON *obj,
		      const char *const *known)
{
	for (const cJSON *m = obj->child; m; m = m->next) {
		const char *const *k = known;
		while (*k && strcmp(*k, m->string))
			k++;
		if (*k)
			continue;
		char list[512] = "";
		for (k = known; *k; k++) {
			strncat(list, *k, sizeof list - strlen(list) - 1);
			if (k[1])
				strncat(list, ", ", sizeof list - strlen(list) - 1);
		}
		char msg[700];
		snprintf(msg, sizeof msg, "unknown key \"%s\" (known: %s)", m->string, list);
		return jfail(j, field, msg, NULL);
	}
	return 0;
}

static int get_obj(const struct jctx *j, const char *field, const cJSON *v)
{
	return cJSON_IsObject(v) ? 0 : jfail(j, field, "expected an object", NULL);
}

static int get_arr(const struct jctx *j, const char *field, const cJSON *v, int max)
{
	if (!cJSON_IsArray(v))
		return jfail(j, field, "expected an array", NULL);
	int n = cJSON_GetArraySize(v);
	if (n > max) {
		char m[64];
		snprintf(m, sizeof m, "%d entries, at most %d", n, max);
		return jfail(j, field, m, NULL);
	}
	return 0;
}

static int parse_repl(const struct jctx *j, const char *field, const cJSON *v, enum hw_repl *out)
{
	if (!cJSON_IsString(v))
		return jfail(j, field, "expected \"lru\", \"fifo\" or \"random\"", NULL);
	if (!strcmp(v->valuestring, "lru"))
		*out = HW_REPL_LRU;
	else if (!strcmp(v->valuestring, "fifo"))
		*out = HW_REPL_FIFO;
	else if (!strcmp(v->valuestring, "random"))
		*out = HW_REPL_RANDOM;
	else
		return jfail(j, field, "expected \"lru\", \"fifo\" or \"random\", not ",
			     v->valuestring);
	return 0;
}

static int parse_cache(const struct jctx *j, const char *name, const cJSON *v,
		       struct hw_cache_params *c)
{
	static const char *const keys[] = {"size", "ways", "line", "latency", "repl", NULL};
	char f[64];
	if (get_obj(j, name, v) || check_keys(j, name, v, keys))
		return -1;
	const cJSON *m;
	if ((m = cJSON_GetObjectItemCaseSensitive(v, "size"))) {
		snprintf(f, sizeof f, "%s.size", name);
		if (get_u64(j, f, m, &c->size))
			return -1;
	}
	static const char *const ukeys[] = {"ways", "line", "latency"};
	unsigned *dst[] = {&c->ways, &c->line, &c->latency};
	for (int i = 0; i < 3; i++) {
		if ((m = cJSON_GetObjectItemCaseSensitive(v, ukeys[i]))) {
			snprintf(f, sizeof f, "%s.%s", name, ukeys[i]);
			if (get_uint(j, f, m, dst[i]))
				return -1;
		}
	}
	if ((m = cJSON_GetObjectItemCaseSensitive(v, "repl"))) {
		snprintf(f, sizeof f, "%s.repl", name);
		if (parse_repl(j, f, m, &c->repl))
			return -1;
	}
	return 0;
}

static int parse_tlb(const struct jctx *j, const char *name, const cJSON *v,
		     struct hw_tlb_params *t)
{
	static const char *const keys[] = {"entries", "ways", NULL};
	char f[64];
	if (get_obj(j, name, v) || check_keys(j, name, v, keys))
		return -1;
	const cJSON *m;
	if ((m = cJSON_GetObjectItemCaseSensitive(v, "entries"))) {
		snprintf(f, sizeof f, "%s.entries", name);
		if (get_uint(j, f, m, &t->entries))
			return -1;
	}
	if ((m = cJSON_GetObjectItemCaseSensitive(v, "ways"))) {
		snprintf(f, sizeof f, "%s.ways", name);
		if (get_uint(j, f, m, &t->ways))
			return -1;
	}
	return 0;
}

/* The "start" and "end" members of array element i of `what`: both required. */
static int parse_span(const struct jctx *j, const char *what, int i, const cJSON *e,
		      uint64_t *start, uint64_t *end)
{
	const char *names[] = {"start", "end"};
	uint64_t *dst[] = {start, end};
	for (int k = 0; k < 2; k++) {
		char f[64];
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, names[k]);
		snprintf(f, sizeof f, "%s[%d].%s", what, i, names[k]);
		if (!m)
			return jfail(j, f, "missing", NULL);
		if (get_u64(j, f, m, dst[k]))
			return -1;
	}
	return 0;
}

/* "nodes": [{"start": ..., "end": ...}, ...] */
static int parse_nodes(const struct jctx *j, const cJSON *v, struct hw_machine_desc *d)
{
	static const char *const keys[] = {"start", "end", "movable_start", NULL};
	if (get_arr(j, "nodes", v, HW_MAX_NODES))
		return -1;
	d->nr_nodes = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, v) {
		char f[64];
		int i = d->nr_nodes;
		snprintf(f, sizeof f, "nodes[%d]", i);
		if (get_obj(j, f, e) || check_keys(j, f, e, keys))
			return -1;
		if (parse_span(j, "nodes", i, e, &d->nodes[i].start, &d->nodes[i].end))
			return -1;
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "movable_start");
		snprintf(f, sizeof f, "nodes[%d].movable_start", i);
		d->nodes[i].movable_start = 0;
		if (m && get_u64(j, f, m, &d->nodes[i].movable_start))
			return -1;
		d->nr_nodes++;
	}
	return 0;
}

/* "ranges": [{"start": ..., "end": ..., "type": "usable"|"reserved"|"kernel"}, ...] */
static int parse_ranges(const struct jctx *j, const cJSON *v, struct hw_machine_desc *d)
{
	static const char *const keys[] = {"start", "end", "type", NULL};
	if (get_arr(j, "ranges", v, HW_MAX_RANGES))
		return -1;
	d->nr_ranges = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, v) {
		char f[64];
		int i = d->nr_ranges;
		snprintf(f, sizeof f, "ranges[%d]", i);
		if (get_obj(j, f, e) || check_keys(j, f, e, keys))
			return -1;
		struct hw_mem_range *r = &d->ranges[i];
		if (parse_span(j, "ranges", i, e, &r->start, &r->end))
			return -1;
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "type");
		snprintf(f, sizeof f, "ranges[%d].type", i);
		r->type = HW_MEM_USABLE;
		if (t) {
			if (cJSON_IsString(t) && !strcmp(t->valuestring, "usable"))
				r->type = HW_MEM_USABLE;
			else if (cJSON_IsString(t) && !strcmp(t->valuestring, "reserved"))
				r->type = HW_MEM_RESERVED;
			else if (cJSON_IsString(t) && !strcmp(t->valuestring, "kernel"))
				r->type = HW_MEM_KERNEL;
			else
				return jfail(j, f, "expected \"usable\", \"reserved\" or \"kernel\"", NULL);
		}
		d->nr_ranges++;
	}
	return 0;
}

/* "cpus": [{"node": N, "hz": ...}, ...] */
static int parse_cpus(const struct jctx *j, const cJSON *v, struct hw_machine_desc *d)
{
	static const char *const keys[] = {"node", "hz", NULL};
	if (get_arr(j, "cpus", v, HW_MAX_CPUS))
		return -1;
	uint64_t hz = d->nr_cpus ? d->cpus[0].hz : UINT64_C(2500000000);
	d->nr_cpus = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, v) {
		char f[64];
		int i = d->nr_cpus;
		snprintf(f, sizeof f, "cpus[%d]", i);
		if (get_obj(j, f, e) || check_keys(j, f, e, keys))
			return -1;
		struct hw_cpu_desc *c = &d->cpus[i];
		c->hz = hz;
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "node");
		snprintf(f, sizeof f, "cpus[%d].node", i);
		if (!m)
			return jfail(j, f, "missing", NULL);
		if (get_int(j, f, m, HW_MAX_NODES, &c->node))
			return -1;
		if ((m = cJSON_GetObjectItemCaseSensitive(e, "hz"))) {
			snprintf(f, sizeof f, "cpus[%d].hz", i);
			if (get_u64(j, f, m, &c->hz))
				return -1;
		}
		d->nr_cpus++;
	}
	return 0;
}

/* "distance": [[10, 20], [20, 10]]; rows of any length, validated later. */
static int parse_distance(const struct jctx *j, const cJSON *v, struct hw_machine_desc *d)
{
	if (get_arr(j, "distance", v, HW_MAX_NODES))
		return -1;
	d->nr_distance_rows = 0;
	const cJSON *row;
	cJSON_ArrayForEach(row, v) {
		char f[64];
		int i = d->nr_distance_rows;
		snprintf(f, sizeof f, "distance[%d]", i);
		if (get_arr(j, f, row, HW_MAX_NODES))
			return -1;
		d->distance_len[i] = 0;
		const cJSON *x;
		cJSON_ArrayForEach(x, row) {
			int k = d->distance_len[i];
			snprintf(f, sizeof f, "distance[%d][%d]", i, k);
			if (get_uint(j, f, x, &d->distance[i][k]))
				return -1;
			d->distance_len[i]++;
		}
		d->nr_distance_rows++;
	}
	return 0;
}

/* "disks": [{"name": "sda", "size": "8G", "latency_ns": N, "bandwidth": "500M",
 * "dma_bits": N}, ...]: name and size required, the rest hw_disk_default's. */
static int parse_disks(const struct jctx *j, const cJSON *v, struct hw_machine_desc *d)
{
	static const char *const keys[] = {"name", "size", "latency_ns", "bandwidth", "dma_bits", NULL};
	if (get_arr(j, "disks", v, HW_MAX_DISKS))
		return -1;
	d->nr_disks = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, v) {
		int i = d->nr_disks;
		char f[64];
		snprintf(f, sizeof f, "disks[%d]", i);
		if (get_obj(j, f, e) || check_keys(j, f, e, keys))
			return -1;
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(e, "name");
		snprintf(f, sizeof f, "disks[%d].name", i);
		if (!name)
			return jfail(j, f, "missing", NULL);
		if (!cJSON_IsString(name) || !*name->valuestring ||
		    strlen(name->valuestring) >= sizeof d->disks[i].name)
			return jfail(j, f, "expected a string of 1 to 31 characters", NULL);
		struct hw_disk_desc *k = &d->disks[i];
		hw_disk_default(k, name->valuestring, 0);
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "size");
		snprintf(f, sizeof f, "disks[%d].size", i);
		if (!m)
			return jfail(j, f, "missing", NULL);
		if (get_u64(j, f, m, &k->size))
			return -1;
		if ((m = cJSON_GetObjectItemCaseSensitive(e, "latency_ns"))) {
			snprintf(f, sizeof f, "disks[%d].latency_ns", i);
			if (get_u64(j, f, m, &k->latency_ns))
				return -1;
		}
		if ((m = cJSON_GetObjectItemCaseSensitive(e, "bandwidth"))) {
			snprintf(f, sizeof f, "disks[%d].bandwidth", i);
			if (get_u64(j, f, m, &k->bandwidth))
				return -1;
		}
		if ((m = cJSON_GetObjectItemCaseSensitive(e, "dma_bits"))) {
			snprintf(f, sizeof f, "disks[%d].dma_bits", i);
			if (get_uint(j, f, m, &k->dma_bits))
				return -1;
		}
		d->nr_disks++;
	}
	return 0;
}

static const char *const top_keys[] = {
	"name", "preset", "arch", "mem", "nr_nodes", "nr_cpus",
	"nodes", "ranges", "cpus", "distance", "lowmem_end", "numa",
	"l1d", "l2", "llc", "dtlb", "dtlb_large",
	"dram_latency", "c2c_latency", "ipi_latency", "invlpg_latency", "tlb_flush_latency",
	"disks", NULL,
};

/* The base layer: a preset or a PC. */
static int parse_base(const struct jctx *j, const cJSON *root, struct hw_machine_desc *d)
{
	const cJSON *preset = cJSON_GetObjectItemCaseSensitive(root, "preset");
	const cJSON *arch = cJSON_GetObjectItemCaseSensitive(root, "arch");
	const cJSON *m;
	uint64_t mem = 0;
	int nodes = 1, cpus = 0;
	char err[256];

	if ((m = cJSON_GetObjectItemCaseSensitive(root, "mem")) && get_u64(j, "mem", m, &mem))
		return -1;
	if ((m = cJSON_GetObjectItemCaseSensitive(root, "nr_cpus")) &&
	    get_int(j, "nr_cpus", m, HW_MAX_CPUS, &cpus))
		return -1;
	if ((m = cJSON_GetObjectItemCaseSensitive(root, "nr_nodes")) &&
	    get_int(j, "nr_nodes", m, HW_MAX_NODES, &nodes))
		return -1;

	if (preset) {
		if (!cJSON_IsString(preset))
			return jfail(j, "preset", "expected a preset name", NULL);
		if (arch)
			return jfail(j, "arch", "a preset fixes the architecture; give one or the other",
				     NULL);
		if (cJSON_GetObjectItemCaseSensitive(root, "nr_nodes"))
			return jfail(j, "nr_nodes", "a preset fixes the number of nodes", NULL);
		if (hw_preset(preset->valuestring, mem, cpus, d, err, sizeof err))
			return mmsim_errf(j->err, j->errlen, "%s: %s", j->source, err);
		return 0;
	}

	enum hw_arch a = HW_ARCH_X86_64;
	if (!arch)
		return jfail(j, "arch", "missing (or give a \"preset\")", NULL);
	if (!cJSON_IsString(arch) || hw_arch_parse(arch->valuestring, &a))
		return jfail(j, "arch", "expected \"x86_64\", \"i386\" or \"i386-pae\"", NULL);
	if (cJSON_GetObjectItemCaseSensitive(root, "nodes")) {
		/* Explicit topology follows; start from an empty machine. */
		static const char *const pc_only[] = {"mem", "nr_nodes", "nr_cpus"};
		for (int i = 0; i < 3; i++)
			if (cJSON_GetObjectItemCaseSensitive(root, pc_only[i]))
				return jfail(j, pc_only[i], "not used with explicit \"nodes\" "
					     "(describe \"ranges\" and \"cpus\" instead)", NULL);
		hw_desc_init(d, a);
		return 0;
	}
	if (!mem)
		return jfail(j, "mem", "missing: without \"nodes\", give the memory size", NULL);
	if (hw_desc_pc(d, a, mem, nodes, cpus ? cpus : 1, err, sizeof err))
		return mmsim_errf(j->err, j->errlen, "%s: %s", j->source, err);
	return 0;
}

/* Defaults for what an explicit topology left out: every node's span usable,
 * one CPU per node with memory, distance 10 local and 20 remote. */
static void fill_defaults(const cJSON *root, struct hw_machine_desc *d)
{
	if (!cJSON_GetObjectItemCaseSensitive(root, "nodes"))
		return;
	if (!cJSON_GetObjectItemCaseSensitive(root, "ranges")) {
		d->nr_ranges = 0;
		for (int n = 0; n < d->nr_nodes; n++)
			if (d->nodes[n].start < d->nodes[n].end)
				d->ranges[d->nr_ranges++] = (struct hw_mem_range){
					d->nodes[n].start, d->nodes[n].end, HW_MEM_USABLE };
	}
	if (!cJSON_GetObjectItemCaseSensitive(root, "cpus")) {
		d->nr_cpus = 0;
		for (int n = 0; n < d->nr_nodes; n++)
			d->cpus[d->nr_cpus++] = (struct hw_cpu_desc){ n, UINT64_C(2500000000) };
	}
	if (!cJSON_GetObjectItemCaseSensitive(root, "distance")) {
		d->nr_distance_rows = d->nr_nodes;
		for (int a = 0; a < d->nr_nodes; a++) {
			d->distance_len[a] = d->nr_nodes;
			for (int b = 0; b < d->nr_nodes; b++)
				d->distance[a][b] = a == b ? 10 : 20;
		}
	}
}

int hw_desc_from_cjson(const cJSON *root, const char *source, struct hw_machine_desc *d,
		       char *err, size_t errlen)
{
	struct jctx j = { source ? source : "machine", err, errlen };
	if (!cJSON_IsObject(root))
		return mmsim_errf(err, errlen, "%s: a machine description is a JSON object",
				  j.source);
	if (check_keys(&j, NULL, root, top_keys))
		return -1;
	if (parse_base(&j, root, d))
		return -1;

	const cJSON *m;
	if ((m = cJSON_GetObjectItemCaseSensitive(root, "nodes")) && parse_nodes(&j, m, d))
		return -1;
	if ((m = cJSON_GetObjectItemCaseSensitive(root, "ranges")) && parse_ranges(&j, m, d))
		return -1;
	if ((m = cJSON_GetObjectItemCaseSensitive(root, "cpus")) && parse_cpus(&j, m, d))
		return -1;
	if ((m = cJSON_GetObjectItemCaseSensitive(root, "distance")) && parse_distance(&j, m, d))
		return -1;
	fill_defaults(root, d);

	if ((m = cJSON_GetObjectItemCaseSensitive(root, "name"))) {
		if (!cJSON_IsString(m) || !*m->valuestring ||
		    strlen(m->valuestring) >= sizeof d->name)
			return jfail(&j, "name", "expected a string of 1 to 31 characters", NULL);
		snprintf(d->name, sizeof d->name, "%s", m->valuestring);
	} else if (!cJSON_GetObjectItemCaseSensitive(root, "preset")) {
		snprintf(d->name, sizeof d->name, "custom");
	}

	static const char *const cache_names[] = {"l1d", "l2", "llc"};
	struct hw_cache_params *caches[] = {&d->l1d, &d->l2, &d->llc};
	for (int i = 0; i < 3; i++)
		if ((m = cJSON_GetObjectItemCaseSensitive(root, cache_names[i])) &&
		    parse_cache(&j, cache_names[i], m, caches[i]))
			return -1;
	if ((m = cJSON_GetObjectItemCaseSensitive(root, "dtlb")) &&
	    parse_tlb(&j, "dtlb", m, &d->dtlb))
		return -1;
	if ((m = cJSON_GetObjectItemCaseSensitive(root, "dtlb_large")) &&
	    parse_tlb(&j, "dtlb_large", m, &d->dtlb_large))
		return -1;

	if ((m = cJSON_GetObjectItemCaseSensitive(root, "lowmem_end")) &&
	    get_u64(&j, "lowmem_end", m, &d->lowmem_end))
		return -1;
	if ((m = cJSON_GetObjectItemCaseSensitive(root, "numa"))) {
		if (!cJSON_IsBool(m))
			return jfail(&j, "numa", "expected true or false", NULL);
		d->no_numa = cJSON_IsFalse(m);
	}

	static const char *const lat_names[] = {"dram_latency", "c2c_latency", "ipi_latency",
						"invlpg_latency", "tlb_flush_latency"};
	unsigned *lats[] = {&d->dram_latency, &d->c2c_latency, &d->ipi_latency,
			    &d->invlpg_latency, &d->tlb_flush_latency};
	for (int i = 0; i < 5; i++)
		if ((m = cJSON_GetObjectItemCaseSensitive(root, lat_names[i])) &&
		    get_uint(&j, lat_names[i], m, lats[i]))
			return -1;

	if ((m = cJSON_GetObjectItemCaseSensitive(root, "disks")) && parse_disks(&j, m, d))
		return -1;

	char verr[256];
	if (hw_desc_validate(d, verr, sizeof verr))
		return mmsim_errf(err, errlen, "%s: %s", j.source, verr);
	return 0;
}

/* The 1-based line of position pos in text. */
static int line_of(const char *text, const char *pos)
{
	int line = 1;
	for (const char *p = text; p < pos && *p; p++)
		line += *p == '\n';
	return line;
}

int hw_desc_from_json(const char *text, const char *source, struct hw_machine_desc *d,
		      char *err, size_t errlen)
{
	const char *src = source ? source : "machine";
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithOpts(text, &end, 1);
	if (!root) {
		const char *at = end ? end : text;
		char near[24];
		size_t k = 0;
		for (; k < sizeof near - 1 && at[k] && at[k] != '\n'; k++)
			near[k] = at[k];
		near[k] = 0;
		if (!near[0])
			return mmsim_errf(err, errlen, "%s:%d: not valid JSON (at the end of the text)",
					  src, line_of(text, at));
		return mmsim_errf(err, errlen, "%s:%d: not valid JSON (near '%s')", src,
				  line_of(text, at), near);
	}
	int rc = hw_desc_from_cjson(root, src, d, err, errlen);
	cJSON_Delete(root);
	return rc;
}

int hw_desc_load(const char *path, struct hw_machine_desc *d, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return mmsim_errf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
	size_t cap = 4096, len = 0;
	char *buf = mmsim_xmalloc(cap);
	for (;;) {
		if (len + 1 == cap) {
			if (cap >= (64u << 20)) {
				fclose(f);
				free(buf);
				return mmsim_errf(err, errlen, "%s: larger than 64 MiB: not a machine "
						  "description", path);
			}
			cap *= 2;
			buf = mmsim_xrealloc(buf, cap);
		}
		size_t n = fread(buf + len, 1, cap - 1 - len, f);
		/* A NUL cannot be in a JSON text: stop at the first (a device
		 * such as /dev/zero given by mistake fails at once). */
		const char *nul = memchr(buf + len, 0, n);
		if (nul) {
			fclose(f);
			int line = 1;
			for (const char *p = buf; p < nul; p++)
				line += *p == '\n';
			free(buf);
			return mmsim_errf(err, errlen, "%s:%d: a NUL byte: not a JSON text", path, line);
		}
		len += n;
		if (n == 0)
			break;
	}
	int rd_err = ferror(f);
	fclose(f);
	buf[len] = 0;
	if (rd_err) {
		free(buf);
		return mmsim_errf(err, errlen, "%s: read error", path);
	}
	int rc = hw_desc_from_json(buf, path, d, err, errlen);
	free(buf);
	return rc;
}
