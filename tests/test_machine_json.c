/*
 * Machine descriptions in JSON (hw/machine_json.c): presets and PCs as a
 * base, explicit topology, parameters, defaults, and one message per kind
 * of mistake that names the source and the field (or the line, for a syntax
 * error).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hw/machine.h"
#include "sim/trace.h"

#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)

static struct hw_machine_desc d;
static char err[512];

static int parse(const char *text)
{
	memset(&d, 0xa5, sizeof d);   /* nothing may survive from before */
	err[0] = 0;
	return hw_desc_from_json(text, "m.json", &d, err, sizeof err);
}

#define ck_rejects(text, expect)                         \
	do {                                             \
		ck_assert_int_eq(parse(text), -1);       \
		ck_assert_str_eq(err, expect);           \
	} while (0)

START_TEST(preset_base_with_overrides)
{
	ck_assert_int_eq(parse("{\"preset\": \"x86_64-numa2\", \"mem\": \"16G\", \"nr_cpus\": 8,"
			       " \"l2\": {\"size\": \"2M\", \"latency\": 16, \"repl\": \"fifo\"},"
			       " \"dram_latency\": 250}"), 0);
	ck_assert_str_eq(d.name, "x86_64-numa2");
	ck_assert_int_eq(d.arch, HW_ARCH_X86_64);
	ck_assert_int_eq(d.nr_nodes, 2);
	ck_assert_int_eq(d.nr_cpus, 8);
	ck_assert_uint_eq(hw_desc_usable_bytes(&d, -1),
			  16 * GiB - (0x100000 - 0x9f000));   /* minus the legacy hole */
	ck_assert_uint_eq(d.l2.size, 2 * MiB);
	ck_assert_uint_eq(d.l2.ways, 16);                  /* untouched: the default */
	ck_assert_uint_eq(d.l2.latency, 16);
	ck_assert_int_eq(d.l2.repl, HW_REPL_FIFO);
	ck_assert_uint_eq(d.dram_latency, 250);
	ck_assert_uint_eq(d.c2c_latency, 60);
}
END_TEST

START_TEST(pc_base)
{
	ck_assert_int_eq(parse("{\"arch\": \"i386\", \"mem\": 268435456, \"nr_cpus\": 2,"
			       " \"name\": \"lab-pc\"}"), 0);
	ck_assert_str_eq(d.name, "lab-pc");
	ck_assert_int_eq(d.arch, HW_ARCH_I386);
	ck_assert_int_eq(d.nr_nodes, 1);
	ck_assert_int_eq(d.nr_cpus, 2);
	ck_assert_uint_eq(d.nodes[0].end, 256 * MiB);
}
END_TEST

START_TEST(explicit_topology)
{
	ck_assert_int_eq(parse(
		"{\"arch\": \"x86_64\",\n"
		" \"nodes\": [{\"start\": \"0x0\", \"end\": \"2G\"}, {\"start\": \"2G\", \"end\": \"4G\"}],\n"
		" \"ranges\": [{\"start\": 0, \"end\": \"0x9f000\"},\n"
		"            {\"start\": \"0x9f000\", \"end\": \"0x100000\", \"type\": \"reserved\"},\n"
		"            {\"start\": \"0x100000\", \"end\": \"2G\"},\n"
		"            {\"start\": \"2G\", \"end\": \"4G\", \"type\": \"usable\"}],\n"
		" \"cpus\": [{\"node\": 0}, {\"node\": 1, \"hz\": \"3000000000\"}],\n"
		" \"distance\": [[10, 21], [31, 10]]}"), 0);
	ck_assert_str_eq(d.name, "custom");
	ck_assert_int_eq(d.nr_nodes, 2);
	ck_assert_uint_eq(d.nodes[1].start, 2 * GiB);
	ck_assert_int_eq(d.nr_ranges, 4);
	ck_assert_int_eq(d.ranges[1].type, HW_MEM_RESERVED);
	ck_assert_int_eq(d.nr_cpus, 2);
	ck_assert_uint_eq(d.cpus[0].hz, 2500000000u);   /* the default clock */
	ck_assert_uint_eq(d.cpus[1].hz, 3000000000u);
	ck_assert_uint_eq(d.distance[0][1], 21);
	ck_assert_uint_eq(d.distance[1][0], 31);        /* asymmetric is allowed */
	ck_assert_uint_eq(d.l1d.size, 32 * 1024);       /* default caches */
}
END_TEST

START_TEST(explicit_topology_defaults)
{
	/* Without ranges, cpus and distance: every node span usable, one CPU per
	 * node, SLIT 10/20. */
	ck_assert_int_eq(parse("{\"arch\": \"x86_64\", \"nodes\": [{\"start\": 0, \"end\": \"1G\"},"
			       " {\"start\": \"1G\", \"end\": \"2G\"}, {\"start\": \"2G\", \"end\": \"3G\"}]}"), 0);
	ck_assert_int_eq(d.nr_ranges, 3);
	ck_assert_int_eq(d.ranges[2].type, HW_MEM_USABLE);
	ck_assert_int_eq(d.nr_cpus, 3);
	ck_assert_int_eq(d.cpus[2].node, 2);
	ck_assert_uint_eq(d.distance[0][0], 10);
	ck_assert_uint_eq(d.distance[2][0], 20);
}
END_TEST

START_TEST(errors_name_the_field)
{
	ck_rejects("{\"arch\": \"x86_64\", \"mem\": 4G}", "m.json:1: not valid JSON (near 'G}')");
	ck_rejects("{\n\"arch\": \"x86_64\",\n\"mem\": \"4G\",\n}",
		   "m.json:4: not valid JSON (at the end of the text)");
	ck_rejects("", "m.json:1: not valid JSON (at the end of the text)");
	ck_rejects("[1, 2]", "m.json: a machine description is a JSON object");
	ck_rejects("{\"preset\": \"x86_64\", \"l1\": {}}",
		   "m.json: unknown key \"l1\" (known: name, preset, arch, mem, "
		   "nr_nodes, nr_cpus, nodes, ranges, cpus, distance, lowmem_end, numa, l1d, l2, llc, dtlb, "
		   "dtlb_large, dram_latency, c2c_latency, ipi_latency, invlpg_latency, "
		   "tlb_flush_latency, disks)");
	/* lowmem_end: 32-bit only, and between ZONE_DMA and 896 MiB. */
	ck_rejects("{\"preset\": \"x86_64\", \"lowmem_end\": \"800M\"}",
		   "m.json: lowmem_end: only a 32-bit machine has lowmem and HighMem (this one is x86_64)");
	ck_rejects("{\"preset\": \"pc-i386\", \"lowmem_end\": \"900M\"}",
		   "m.json: lowmem_end: 0x38400000 must be page-aligned, above 16 MiB (ZONE_DMA) and at "
		   "most 896 MiB");
	ck_assert_int_eq(parse("{\"preset\": \"pc-i386\", \"lowmem_end\": \"0x377fe000\"}"), 0);
	ck_assert_uint_eq(d.lowmem_end, 0x377fe000);
	/* movable_start: inside the node, above its start. */
	ck_rejects("{\"arch\": \"x86_64\", \"nodes\": [{\"start\": 0, \"end\": \"1G\", "
		   "\"movable_start\": \"2G\"}]}",
		   "m.json: nodes[0].movable_start: 0x80000000 must be page-aligned and inside the node");
	ck_assert_int_eq(parse("{\"arch\": \"x86_64\", \"nodes\": [{\"start\": 0, \"end\": \"1G\", "
			       "\"movable_start\": \"768M\"}]}"), 0);
	ck_assert_uint_eq(d.nodes[0].movable_start, UINT64_C(768) << 20);
	ck_rejects("{\"preset\": \"vax\"}",
		   "m.json: preset: unknown machine preset 'vax' (known: pc-i386, pc-i386-pae, "
		   "x86_64, x86_64-numa2, x86_64-numa4)");
	ck_rejects("{\"mem\": \"1G\"}", "m.json: arch: missing (or give a \"preset\")");
	ck_rejects("{\"arch\": \"sparc\", \"mem\": \"1G\"}",
		   "m.json: arch: expected \"x86_64\", \"i386\" or \"i386-pae\"");
	ck_rejects("{\"arch\": \"x86_64\"}",
		   "m.json: mem: missing: without \"nodes\", give the memory size");
	ck_rejects("{\"preset\": \"x86_64\", \"arch\": \"i386\"}",
		   "m.json: arch: a preset fixes the architecture; give one or the other");
	ck_rejects("{\"preset\": \"x86_64\", \"mem\": \"4Q\"}",
		   "m.json: mem: not a number with an optional K, M, G or T suffix: 4Q");
	ck_rejects("{\"preset\": \"x86_64\", \"mem\": -1}",
		   "m.json: mem: expected a non-negative integer");
	ck_rejects("{\"preset\": \"x86_64\", \"mem\": 1.5}",
		   "m.json: mem: expected a non-negative integer");
	/* Beyond uint64_t: refused without converting it (UBSan, found by
	 * tests/fuzz/machine_json.c). */
	ck_rejects("{\"preset\": \"x86_64\", \"nr_cpus\": 1e40}",
		   "m.json: nr_cpus: expected a non-negative integer");
	ck_rejects("{\"preset\": \"x86_64\", \"mem\": 18446744073709551616}",
		   "m.json: mem: expected a non-negative integer");
	ck_rejects("{\"preset\": \"x86_64\", \"l1d\": {\"ways\": \"eight\"}}",
		   "m.json: l1d.ways: not a non-negative integer: eight");
	ck_rejects("{\"preset\": \"x86_64\", \"l1d\": {\"repl\": \"plru\"}}",
		   "m.json: l1d.repl: expected \"lru\", \"fifo\" or \"random\", not plru");
	ck_rejects("{\"preset\": \"x86_64\", \"dtlb\": {\"entries\": 64, \"size\": 1}}",
		   "m.json: dtlb: unknown key \"size\" (known: entries, ways)");
	ck_rejects("{\"arch\": \"x86_64\", \"nodes\": [{\"start\": 0}]}",
		   "m.json: nodes[0].end: missing");
	ck_rejects("{\"arch\": \"x86_64\", \"mem\": \"1G\", \"nodes\": [{\"start\": 0, \"end\": \"1G\"}]}",
		   "m.json: mem: not used with explicit \"nodes\" (describe \"ranges\" and "
		   "\"cpus\" instead)");
	ck_rejects("{\"arch\": \"x86_64\", \"nodes\": [{\"start\": 0, \"end\": \"1G\"}],"
		   " \"ranges\": [{\"start\": 0, \"end\": \"1G\", \"type\": \"ram\"}]}",
		   "m.json: ranges[0].type: expected \"usable\", \"reserved\" or \"kernel\"");
	ck_rejects("{\"arch\": \"x86_64\", \"nodes\": [{\"start\": 0, \"end\": \"1G\"}],"
		   " \"cpus\": [{\"hz\": 1}]}", "m.json: cpus[0].node: missing");
	/* What only validation can see comes through with the source in front. */
	ck_rejects("{\"arch\": \"x86_64\", \"nodes\": [{\"start\": 0, \"end\": \"1G\"}],"
		   " \"cpus\": [{\"node\": 0}, {\"node\": 3}]}",
		   "m.json: cpus[1].node: 3 is not a node (the machine has 1)");
	ck_rejects("{\"arch\": \"x86_64\", \"nodes\": [{\"start\": 0, \"end\": \"1G\"},"
		   " {\"start\": \"1G\", \"end\": \"2G\"}], \"distance\": [[10, 20], [20]]}",
		   "m.json: distance[1]: 1 entries, expected 2");
}
END_TEST

/* A trace header's machine reads back as the same description. */
START_TEST(trace_round_trip)
{
	static const char *const presets[] = {"pc-i386", "pc-i386-pae", "x86_64-numa4"};
	for (int i = 0; i < 3; i++) {
		struct hw_machine_desc a;
		ck_assert_int_eq(hw_preset(presets[i], 0, 0, &a, err, sizeof err), 0);
		a.l2.repl = HW_REPL_RANDOM;
		a.dram_latency = 321;
		if (i == 2) {   /* with disks */
			a.nr_disks = 2;
			hw_disk_default(&a.disks[0], "sda", 8 * GiB);
			hw_disk_default(&a.disks[1], "swap0", 2 * GiB);
			a.disks[1].latency_ns = 8000000;
			a.disks[1].bandwidth = 150 * 1000 * 1000;
			a.disks[1].dma_bits = 32;
		}
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);
		struct trace *t = trace_open_fp(f, "mem");
		trace_line_begin(t);
		hw_desc_trace(&a, t, "machine");
		trace_line_end(t);
		ck_assert_int_eq(trace_close(t), 0);
		fclose(f);
		/* The line is {"machine":{...}}\n: parse the inner object. */
		ck_assert(strncmp(text, "{\"machine\":", 11) == 0);
		text[len - 2] = 0;
		ck_assert_int_eq(hw_desc_from_json(text + 11, "header", &d, err, sizeof err), 0);
		ck_assert_int_eq(memcmp(&a, &d, sizeof a), 0);
		free(text);
	}
}
END_TEST

START_TEST(disks)
{
	ck_assert_int_eq(parse("{\"preset\": \"x86_64\", \"disks\": [{\"name\": \"sda\", "
			       "\"size\": \"8G\"}, {\"name\": \"hdd\", \"size\": \"1G\", "
			       "\"latency_ns\": 8000000, \"bandwidth\": \"100M\", \"dma_bits\": 32}]}"), 0);
	ck_assert_int_eq(d.nr_disks, 2);
	ck_assert_str_eq(d.disks[0].name, "sda");
	ck_assert_uint_eq(d.disks[0].size, 8 * GiB);
	ck_assert_uint_eq(d.disks[0].latency_ns, 100000);           /* the defaults */
	ck_assert_uint_eq(d.disks[0].bandwidth, 500000000);
	ck_assert_uint_eq(d.disks[0].dma_bits, 64);
	ck_assert_uint_eq(d.disks[1].latency_ns, 8000000);
	ck_assert_uint_eq(d.disks[1].bandwidth, 100 * MiB);
	ck_assert_uint_eq(d.disks[1].dma_bits, 32);
	ck_rejects("{\"preset\": \"x86_64\", \"disks\": [{\"size\": \"8G\"}]}",
		   "m.json: disks[0].name: missing");
	ck_rejects("{\"preset\": \"x86_64\", \"disks\": [{\"name\": \"a\"}]}",
		   "m.json: disks[0].size: missing");
	ck_rejects("{\"preset\": \"x86_64\", \"disks\": [{\"name\": \"a\", \"size\": 100}]}",
		   "m.json: disks[0].size: 100 must be a positive multiple of 4096");
	ck_rejects("{\"preset\": \"x86_64\", \"disks\": [{\"name\": \"a\", \"size\": \"1G\"}, "
		   "{\"name\": \"a\", \"size\": \"1G\"}]}",
		   "m.json: disks[1].name: \"a\" is disks[0]'s name too");
	ck_rejects("{\"preset\": \"x86_64\", \"disks\": [{\"name\": \"a\", \"size\": \"1G\", "
		   "\"bandwidth\": 0}]}",
		   "m.json: disks[0].bandwidth: must be positive (bytes per second)");
	ck_rejects("{\"preset\": \"x86_64\", \"disks\": [{\"name\": \"a\", \"size\": \"1G\", "
		   "\"rpm\": 7200}]}",
		   "m.json: disks[0]: unknown key \"rpm\" (known: name, size, latency_ns, bandwidth, "
		   "dma_bits)");
}
END_TEST

START_TEST(load_from_file)
{
	char path[] = "/tmp/mmsim-machine-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	const char *text = "{\"preset\": \"pc-i386\", \"name\": \"from-file\"}\n";
	ck_assert_int_eq(write(fd, text, strlen(text)), (int)strlen(text));
	close(fd);
	ck_assert_int_eq(hw_desc_load(path, &d, err, sizeof err), 0);
	ck_assert_str_eq(d.name, "from-file");
	ck_assert_int_eq(d.arch, HW_ARCH_I386);
	unlink(path);
	ck_assert_int_eq(hw_desc_load(path, &d, err, sizeof err), -1);
	char expect[600];
	snprintf(expect, sizeof expect, "%s: cannot open: No such file or directory", path);
	ck_assert_str_eq(err, expect);
}
END_TEST

Suite *machine_json_suite(void)
{
	Suite *s = suite_create("machine_json");
	TCase *tc = tcase_create("json");
	tcase_add_test(tc, preset_base_with_overrides);
	tcase_add_test(tc, pc_base);
	tcase_add_test(tc, explicit_topology);
	tcase_add_test(tc, explicit_topology_defaults);
	tcase_add_test(tc, errors_name_the_field);
	tcase_add_test(tc, load_from_file);
	tcase_add_test(tc, trace_round_trip);
	tcase_add_test(tc, disks);
	suite_add_tcase(s, tc);
	return s;
}
