/*
 * mmsim machine: build a machine description (imported from a real box's
 * captured /proc and /sys, a preset, or a JSON file), boot the memory
 * manager on it in either era, and print one view in the kernel's format,
 * so that it can be held beside the real file with diff(1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>

#include "hw/machine.h"
#include "mm/mm.h"
#include "sim/sim.h"
#include "sim/trace.h"
#include "tools/tools.h"

static const char usage[] =
	"usage: mmsim machine (--from DIR | --machine PRESET|FILE.json) [options]\n"
	"\n"
	"Build a machine description and boot the memory manager on it.\n"
	"\n"
	"  --from DIR        import a directory laid out like a Linux box's /proc and\n"
	"                    /sys (tools/capture-machine.sh makes one): proc/zoneinfo,\n"
	"                    proc/iomem, sys/devices/system/node/node*/{distance,cpulist},\n"
	"                    proc/sys/vm/*; its sysctl values become the policy's\n"
	"  --machine M       a preset or a JSON description instead\n"
	"  --era E           modern (Linux 6.1, the default) or classic (2.6.11)\n"
	"  -P KNOB=VALUE     a policy knob; the sysctls (min_free_kbytes,\n"
	"                    watermark_scale_factor, lowmem_reserve_ratio,\n"
	"                    percpu_pagelist_high_fraction) are written after boot,\n"
	"                    as a write to /proc/sys/vm would, in the order given\n"
	"  --show VIEW       json (the description, as --machine reads it; the\n"
	"                    default), zoneinfo, zonelists (dmesg's mminit lines),\n"
	"                    buddyinfo, pagetypeinfo, vmstat, meminfo (the era's\n"
	"                    /proc files), numastat, node_meminfo (the nodes'\n"
	"                    /sys/devices/system/node/nodeN/{numastat,meminfo};\n"
	"                    a kernel without CONFIG_NUMA has none),\n"
	"                    freelists, slabinfo, vmallocinfo, min_free_kbytes, notes\n"
	"  --node N          with numastat or node_meminfo: node N's file alone\n"
	"                    (without it, every node's, each under a head(1)-style\n"
	"                    '==> nodeN/FILE <==' header when there are several)\n"
	"  --capture WHAT    with --from: start from the box's state at capture\n"
	"                    (comma-separated): in_use (managed - free - per-CPU\n"
	"                    pages taken as the kernel's, each CPU's count: pages\n"
	"                    on its lists), wmarks (min/low/high and pcp high/batch\n"
	"                    as zoneinfo shows them), protection (likewise); all\n"
	"  --time            print the import and boot time on stderr\n";

static int print_json(const struct hw_machine_desc *d)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	if (!mem)
		return -1;
	struct trace *t = trace_open_fp(mem, "memory");
	trace_line_begin(t);
	hw_desc_trace(d, t, "machine");
	trace_line_end(t);
	trace_close(t);
	fclose(mem);
	cJSON *root = cJSON_Parse(text);
	free(text);
	if (!root)
		return -1;
	char *out = cJSON_Print(cJSON_GetObjectItemCaseSensitive(root, "machine"));
	puts(out);
	free(out);
	cJSON_Delete(root);
	return 0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The imported sysctl values as policy knobs (as boot sees them). */
static int import_policy(const struct hw_import *imp, struct mm_policy *p, char *err, size_t errlen)
{
	static const char *const names[] = { "watermark_scale_factor", "lowmem_reserve_ratio",
					     "percpu_pagelist_high_fraction" };
	const char *vals[] = { imp->watermark_scale_factor, imp->lowmem_reserve_ratio,
			       imp->percpu_pagelist_high_fraction };
	for (int i = 0; i < 3; i++)
		if (vals[i][0] && mm_policy_set(p, names[i], vals[i], err, errlen))
			return -1;
	if (imp->thp[0])
		p->thp = strcmp(imp->thp, "never") != 0;
	return 0;
}

/*
 * The import gives each zone's present - managed frames to the kernel, and
 * the simulator puts its own node data (pg_data_t with every CPU's
 * pagesets, a 64-byte mem_map entry per frame) inside them. When they do
 * not fit (a reservation smaller than that, e.g. a 32-bit kernel's smaller
 * struct page), boot takes the rest from free RAM and managed comes out
 * below the real one: say so, zone by zone, rather than print numbers
 * that silently differ.
 */
static void warn_managed(const struct hw_import *imp, struct mm *mm)
{
	for (int n = 0; n < imp->nr_nodes && n < mm_nr_nodes(mm); n++)
		for (int k = 0; k < imp->nodes[n].nr_zones; k++) {
			const struct hw_import_zone *iz = &imp->nodes[n].zones[k];
			for (int j = 0; j < MAX_NR_ZONES; j++) {
				const struct zone *z = &NODE_DATA(mm, n)->node_zones[j];
				if (!z->present_pages || strcmp(z->name, iz->name) || z->managed_pages == iz->managed)
					continue;
				fprintf(stderr, "mmsim: machine: note: node %d zone %s: managed %lu, not the "
					"imported %llu (the simulator's node data, pg_data_t and a 64-byte "
					"mem_map entry per frame, did not fit in the imported reservation)\n",
					n, iz->name, z->managed_pages, (unsigned long long)iz->managed);
			}
		}
}

int cmd_machine(int argc, char **argv)
{
	const char *from = NULL, *machine = NULL, *show = "json", *era = "modern", *capture = NULL, *node = NULL;
	const char *sets[64];
	int nsets = 0;
	bool timing = false;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			return EXIT_OK;
		}
		if (!strcmp(a, "--time")) {
			timing = true;
			continue;
		}
		if (i + 1 >= argc) {
			tool_error("machine: %s: missing value (try: mmsim machine --help)", a);
			return EXIT_USAGE;
		}
		const char *v = argv[++i];
		if (!strcmp(a, "--from"))
			from = v;
		else if (!strcmp(a, "--machine"))
			machine = v;
		else if (!strcmp(a, "--show"))
			show = v;
		else if (!strcmp(a, "--era"))
			era = v;
		else if (!strcmp(a, "--capture"))
			capture = v;
		else if (!strcmp(a, "--node"))
			node = v;
		else if (!strcmp(a, "-P")) {
			if (nsets == 64) {
				tool_error("machine: too many -P");
				return EXIT_USAGE;
			}
			sets[nsets++] = v;
		} else {
			tool_error("machine: unknown option '%s' (try: mmsim machine --help)", a);
			return EXIT_USAGE;
		}
	}
	if (!from == !machine) {
		tool_error("machine: give one of --from DIR or --machine M (try: mmsim machine --help)");
		return EXIT_USAGE;
	}

	bool node_view = !strcmp(show, "numastat") || !strcmp(show, "node_meminfo");
	int nid = -1;
	if (node) {
		char *end;
		long n = strtol(node, &end, 10);
		if (!*node || *end || n < 0 || n >= HW_MAX_NODES) {
			tool_error("machine: --node: '%s' is not a node number", node);
			return EXIT_USAGE;
		}
		if (!node_view) {
			tool_error("machine: --node: only with --show numastat or --show node_meminfo");
			return EXIT_USAGE;
		}
		nid = (int)n;
	}

	char err[512];
	unsigned capture_what = 0;
	if (capture && !from) {
		tool_error("machine: --capture needs --from DIR (a captured box)");
		return EXIT_USAGE;
	}
	if (capture && mm_capture_parse(capture, &capture_what, err, sizeof err)) {
		tool_error("machine: --capture: %s", err);
		return EXIT_USAGE;
	}
	double t0 = now();
	static struct hw_import imp;
	struct mm_policy pol;
	mm_policy_default(&pol);
	if (mm_policy_set(&pol, "era", era, err, sizeof err)) {
		tool_error("machine: --era: %s", err);
		return EXIT_USAGE;
	}
	if (from) {
		if (hw_import_dir(from, &imp, err, sizeof err)) {
			tool_error("machine: %s", err);
			return EXIT_USAGE;
		}
		if (import_policy(&imp, &pol, err, sizeof err)) {
			tool_error("machine: %s: proc/sys/vm: %s", from, err);
			return EXIT_USAGE;
		}
	} else {
		memset(&imp, 0, sizeof imp);
		size_t n = strlen(machine);
		int rc = n > 5 && !strcmp(machine + n - 5, ".json")
				 ? hw_desc_load(machine, &imp.desc, err, sizeof err)
				 : hw_preset(machine, 0, 0, &imp.desc, err, sizeof err);
		if (rc) {
			tool_error("machine: --machine: %s", err);
			return EXIT_USAGE;
		}
	}
	/* -P: boot knobs now, sysctls after boot. */
	for (int i = 0; i < nsets; i++) {
		const char *eq = strchr(sets[i], '=');
		char name[64];
		size_t len = eq ? (size_t)(eq - sets[i]) : 0;
		if (eq && len < sizeof name) {
			memcpy(name, sets[i], len);
			name[len] = '\0';
			if (mm_is_sysctl(name)) {
				struct mm_policy tmp = pol;
				if (mm_policy_set(&tmp, name, eq + 1, err, sizeof err)) {
					tool_error("machine: -P %s: %s", sets[i], err);
					return EXIT_USAGE;
				}
				continue;
			}
		}
		if (mm_policy_parse(&pol, sets[i], err, sizeof err)) {
			tool_error("machine: -P %s: %s", sets[i], err);
			return EXIT_USAGE;
		}
	}
	if (mm_policy_check(&pol, &imp.desc, err, sizeof err)) {
		tool_error("machine: -P: %s", err);
		return EXIT_USAGE;
	}
	if (!strcmp(show, "notes")) {
		fputs(imp.notes, stdout);
		return EXIT_OK;
	}
	if (imp.kernel_not_61 && strcmp(show, "json")) {
		/* Worth saying whatever is shown: every figure may be off. (json
		 * prints all the notes below.) */
		const char *l = strstr(imp.notes, "proc/version: Linux ");
		const char *e = l ? strchr(l, '\n') : NULL;
		if (l)
			fprintf(stderr, "mmsim: machine: warning: %s/%.*s\n", from, (int)(e ? e - l : (long)strlen(l)), l);
	}
	if (!strcmp(show, "json")) {
		if (imp.notes[0])
			fprintf(stderr, "%s", imp.notes);
		return print_json(&imp.desc) ? EXIT_FAILED : EXIT_OK;
	}

	double t1 = now();
	struct sim sim;
	sim_init(&sim, imp.desc.nr_cpus, 1);
	pol.hw = false;
	struct mm *mm = mm_boot(&sim, &imp.desc, &pol, NULL, err, sizeof err);
	if (!mm) {
		sim_destroy(&sim);
		tool_error("machine: boot: %s", err);
		return EXIT_FAILED;
	}
	double t2 = now();
	int status = EXIT_OK;
	if (from)
		warn_managed(&imp, mm);
	if (capture_what && mm_apply_capture(mm, &imp, capture_what, err, sizeof err)) {
		/* in_use takes the pages the box had in use through the
		 * allocator, which keeps each zone's watermarks and
		 * lowmem_reserve; the box's kernel took many of them early in
		 * boot, where neither applies. Say so rather than leave a bare
		 * count (issue 20 tracks taking them as the kernel did). */
		const char *why = strstr(err, "could be taken") ?
			" (in_use takes the box's used pages through the allocator, which keeps the "
			"zone's min watermark and lowmem_reserve for itself; the box's kernel made "
			"many of its allocations early in boot, before those applied, so a zone whose "
			"protection exceeds its free pages cannot be reproduced this way yet: try "
			"--capture wmarks,protection)" : "";
		tool_error("machine: --capture: %s: %s%s", from, err, why);
		status = EXIT_USAGE;
		goto out;
	}
	for (int i = 0; i < nsets; i++) {
		const char *eq = strchr(sets[i], '=');
		char name[64];
		size_t len = eq ? (size_t)(eq - sets[i]) : 0;
		if (!eq || len >= sizeof name)
			continue;
		memcpy(name, sets[i], len);
		name[len] = '\0';
		if (mm_is_sysctl(name) && mm_sysctl_write(mm, name, eq + 1, err, sizeof err)) {
			tool_error("machine: -P %s: %s", sets[i], err);
			status = EXIT_USAGE;
			goto out;
		}
	}
	if (!strcmp(show, "min_free_kbytes")) {
		printf("%lu\n", mm_min_free_kbytes(mm));
	} else {
		size_t need = node_view ? mm_node_view(mm, show, nid, NULL, 0) : mm_view(mm, show, NULL, 0);
		if (mm_errno(mm)) {
			tool_error("machine: --%s: %s%s", node_view && nid >= 0 ? "node" : "show", mm_error(mm),
				   node_view ? "" : " (or json, min_free_kbytes, notes)");
			status = EXIT_USAGE;
			goto out;
		}
		char *buf = mmsim_xmalloc(need + 1);
		if (node_view)
			mm_node_view(mm, show, nid, buf, need + 1);
		else
			mm_view(mm, show, buf, need + 1);
		fputs(buf, stdout);
		free(buf);
	}
	if (timing)
		fprintf(stderr, "mmsim: machine: import %.3f s, boot %.3f s\n", t1 - t0, t2 - t1);
out:
	sim_destroy(&sim);
	mm_destroy(mm);
	return status;
}
