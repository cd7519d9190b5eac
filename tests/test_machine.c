/*
 * Machine descriptions: the PC builder and presets produce the layouts they
 * promise, and every kind of bad description is rejected with a message that
 * names the field at fault.
 */
#include <check.h>
#include <string.h>

#include "hw/machine.h"

#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)

static struct hw_machine_desc d;
static char err[256];

static void good_two_node(void)
{
	ck_assert_int_eq(hw_desc_pc(&d, HW_ARCH_X86_64, 256 * MiB, 2, 2, err, sizeof err), 0);
}

#define ck_assert_rejects(expect)                                              \
	do {                                                                   \
		ck_assert_int_eq(hw_desc_validate(&d, err, sizeof err), -1);   \
		ck_assert_str_eq(err, expect);                                 \
	} while (0)

START_TEST(pc_small_uma)
{
	ck_assert_int_eq(hw_desc_pc(&d, HW_ARCH_I386, 64 * MiB, 1, 1, err, sizeof err), 0);
	ck_assert_int_eq(d.nr_nodes, 1);
	ck_assert_uint_eq(d.nodes[0].start, 0);
	ck_assert_uint_eq(d.nodes[0].end, 64 * MiB);
	/* legacy hole: 636 KiB usable, 388 KiB reserved, then RAM from 1 MiB */
	ck_assert_int_eq(d.nr_ranges, 3);
	ck_assert_uint_eq(d.ranges[0].end, 0x9f000);
	ck_assert_int_eq(d.ranges[1].type, HW_MEM_RESERVED);
	ck_assert_uint_eq(d.ranges[2].start, 0x100000);
	ck_assert_uint_eq(hw_desc_usable_bytes(&d, -1), 64 * MiB - (0x100000 - 0x9f000));
	ck_assert(!hw_desc_is_usable(&d, 0xa0000));
	ck_assert(hw_desc_is_usable(&d, 0x100000));
	ck_assert_int_eq(hw_desc_node_of(&d, 64 * MiB), -1);
}
END_TEST

START_TEST(pc_pci_hole_remaps_above_4g)
{
	ck_assert_int_eq(hw_desc_pc(&d, HW_ARCH_X86_64, 8 * GiB, 2, 4, err, sizeof err), 0);
	/* 4 GiB per node: node 0 spans [0, 5 GiB) across the hole */
	ck_assert_uint_eq(d.nodes[0].end, 5 * GiB);
	ck_assert_uint_eq(d.nodes[1].start, 5 * GiB);
	ck_assert_uint_eq(d.nodes[1].end, 9 * GiB);
	ck_assert(!hw_desc_is_usable(&d, 3 * GiB + 4096));
	ck_assert(hw_desc_is_usable(&d, 4 * GiB));
	ck_assert_uint_eq(hw_desc_usable_bytes(&d, 1), 4 * GiB);
	ck_assert_uint_eq(hw_desc_usable_bytes(&d, -1), 8 * GiB - (0x100000 - 0x9f000));
	ck_assert_int_eq(d.cpus[0].node, 0);
	ck_assert_int_eq(d.cpus[1].node, 0);
	ck_assert_int_eq(d.cpus[2].node, 1);
	ck_assert_int_eq(d.cpus[3].node, 1);
	ck_assert_uint_eq(d.distance[0][1], 20);
}
END_TEST

START_TEST(pc_node_boundary_at_3g)
{
	/* 6 GiB over 2 nodes: node 0 ends exactly where the PCI hole starts */
	ck_assert_int_eq(hw_desc_pc(&d, HW_ARCH_X86_64, 6 * GiB, 2, 2, err, sizeof err), 0);
	ck_assert_uint_eq(d.nodes[0].end, 3 * GiB);
	ck_assert_uint_eq(d.nodes[1].start, 4 * GiB);
	ck_assert_uint_eq(d.nodes[1].end, 7 * GiB);
}
END_TEST

START_TEST(pc_rejects_impossible)
{
	ck_assert_int_eq(hw_desc_pc(&d, HW_ARCH_I386, 5 * GiB, 1, 1, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "i386's physical limit"));
	ck_assert_int_eq(hw_desc_pc(&d, HW_ARCH_I386_PAE, 5 * GiB, 1, 1, err, sizeof err), 0);
	ck_assert_int_eq(hw_desc_pc(&d, HW_ARCH_X86_64, 4 * MiB, 2, 1, err, sizeof err), -1);
	ck_assert_str_eq(err, "mem: 4 MiB is too little for 2 nodes (at least 4 MiB each)");
	ck_assert_int_eq(hw_desc_pc(&d, HW_ARCH_X86_64, 64 * MiB + 100, 1, 1, err, sizeof err), -1);
	ck_assert_int_eq(hw_desc_pc(&d, HW_ARCH_X86_64, 64 * MiB, 1, 0, err, sizeof err), -1);
	ck_assert_str_eq(err, "cpus: 0, must be 1 to 256");
}
END_TEST

START_TEST(presets_are_valid)
{
	for (const char *const *p = hw_preset_names(); *p; p++) {
		ck_assert_msg(hw_preset(*p, 0, 0, &d, err, sizeof err) == 0, "%s: %s", *p, err);
		ck_assert_str_eq(d.name, *p);
	}
	ck_assert_int_eq(hw_preset("pc-i386", 0, 0, &d, err, sizeof err), 0);
	ck_assert_int_eq(d.arch, HW_ARCH_I386);
	ck_assert_uint_eq(hw_desc_usable_bytes(&d, -1) + (0x100000 - 0x9f000), 1 * GiB);
	ck_assert_int_eq(hw_preset("pc-i386", 512 * MiB, 2, &d, err, sizeof err), 0);
	ck_assert_int_eq(d.nr_cpus, 2);
	ck_assert_uint_eq(d.nodes[0].end, 512 * MiB);
	/* the four-node SLIT is asymmetric */
	ck_assert_int_eq(hw_preset("x86_64-numa4", 0, 0, &d, err, sizeof err), 0);
	ck_assert_uint_eq(d.distance[0][2], 21);
	ck_assert_uint_eq(d.distance[2][0], 22);
	ck_assert_int_eq(hw_preset("vax", 0, 0, &d, err, sizeof err), -1);
	ck_assert_str_eq(err, "preset: unknown machine preset 'vax' (known: pc-i386, pc-i386-pae, "
			      "x86_64, x86_64-numa2, x86_64-numa4)");
}
END_TEST

START_TEST(arch_facts)
{
	enum hw_arch a;
	ck_assert_int_eq(hw_arch_parse("i386-pae", &a), 0);
	ck_assert_int_eq(a, HW_ARCH_I386_PAE);
	ck_assert_int_eq(hw_arch_parse("arm", &a), -1);
	ck_assert_uint_eq(hw_arch_pt_levels(HW_ARCH_X86_64), 4);
	ck_assert_uint_eq(hw_arch_pt_levels(HW_ARCH_I386), 2);
	ck_assert_uint_eq(hw_arch_pt_levels(HW_ARCH_I386_PAE), 3);
	ck_assert_uint_eq(hw_arch_large_page_shift(HW_ARCH_I386), 22);
	ck_assert_uint_eq(hw_arch_phys_limit(HW_ARCH_I386_PAE), UINT64_C(1) << 36);
}
END_TEST

START_TEST(bad_nodes)
{
	good_two_node();
	d.nr_nodes = 0;
	ck_assert_rejects("nodes: 0 nodes, must be 1 to 64");
	good_two_node();
	d.nodes[0].end += 0x800;
	ck_assert_rejects("nodes[0].end: 0x8000800 is not page-aligned");
	good_two_node();
	d.nodes[1].start -= 4096;
	ck_assert_rejects("nodes[1]: overlaps nodes[0] ([0x0, 0x8000000))");
	good_two_node();
	d.nodes[1].end = d.nodes[1].start - 4096;
	ck_assert_rejects("nodes[1]: end 0x7fff000 is below start 0x8000000");
}
END_TEST

START_TEST(bad_cpus)
{
	good_two_node();
	d.cpus[1].node = 5;
	ck_assert_rejects("cpus[1].node: 5 is not a node (the machine has 2)");
	good_two_node();
	d.cpus[0].node = -1;
	ck_assert_rejects("cpus[0].node: -1 is not a node (the machine has 2)");
	good_two_node();
	d.cpus[0].hz = 0;
	ck_assert_rejects("cpus[0].hz: the clock rate must be positive");
}
END_TEST

START_TEST(bad_ranges)
{
	good_two_node();
	d.ranges[2].start -= 8192; /* into the reserved legacy range */
	ck_assert_rejects("ranges[2]: overlaps ranges[1] ([0x9f000, 0x100000))");
	good_two_node();
	d.ranges[2].start += 100;
	ck_assert_rejects("ranges[2].start: 0x100064 is not page-aligned");
	good_two_node();
	d.ranges[3].end += 4096; /* node 1's RAM reaches past the node */
	ck_assert_rejects("ranges[3]: usable [0x8000000, 0x10001000) crosses the end of nodes[1] (0x10000000)");
	good_two_node();
	d.ranges[d.nr_ranges++] = (struct hw_mem_range){ 1 * GiB, 1 * GiB + 4096, HW_MEM_USABLE };
	ck_assert_rejects("ranges[4]: usable [0x40000000, 0x40001000) starts in no node");
	good_two_node();
	d.ranges[3].end = d.ranges[3].start;
	ck_assert_rejects("ranges[3]: empty or inverted ([0x8000000, 0x8000000))");
	good_two_node();
	for (int i = 0; i < d.nr_ranges; i++)
		d.ranges[i].type = HW_MEM_RESERVED;
	ck_assert_rejects("ranges: no usable memory");
	ck_assert_int_eq(hw_desc_pc(&d, HW_ARCH_I386, 64 * MiB, 1, 1, err, sizeof err), 0);
	d.nodes[0].end = 5 * GiB;
	ck_assert_rejects("nodes[0].end: 0x140000000 is beyond i386's physical limit 0x100000000");
}
END_TEST

START_TEST(bad_distance)
{
	good_two_node();
	d.nr_distance_rows = 1;
	ck_assert_rejects("distance: 1 rows, expected 2 (one per node)");
	good_two_node();
	d.distance_len[1] = 1;
	ck_assert_rejects("distance[1]: 1 entries, expected 2");
	good_two_node();
	d.distance[1][1] = 12;
	ck_assert_rejects("distance[1][1]: 12, the diagonal must be 10");
	good_two_node();
	d.distance[0][1] = 9;
	ck_assert_rejects("distance[0][1]: 9, must be 10 to 254");
	good_two_node();
	d.distance[0][1] = 30; /* asymmetric is allowed */
	ck_assert_int_eq(hw_desc_validate(&d, err, sizeof err), 0);
}
END_TEST

START_TEST(bad_caches_and_tlbs)
{
	good_two_node();
	d.l1d.line = 48;
	ck_assert_rejects("l1d.line: 48 is not a power of two of at least 8");
	good_two_node();
	d.l2.size = 1000000;
	ck_assert_rejects("l2.size: 1000000 is not ways x line x a power-of-two number of sets (16 x 64 x 2^k)");
	good_two_node();
	d.llc.line = 128;
	ck_assert_rejects("llc.line: 128, must equal l1d.line (64): the levels share one line size");
	good_two_node();
	d.l1d.ways = 0;
	ck_assert_rejects("l1d.ways: must be at least 1");
	good_two_node();
	d.dtlb.entries = 48;
	ck_assert_rejects("dtlb.entries: 48 is not ways (4) x a power-of-two number of sets");
	good_two_node();
	d.arch = (enum hw_arch)7;
	ck_assert_rejects("arch: unknown architecture (known: x86_64, i386, i386-pae)");
}
END_TEST

Suite *machine_suite(void)
{
	Suite *s = suite_create("machine");
	TCase *tc = tcase_create("build");
	tcase_add_test(tc, pc_small_uma);
	tcase_add_test(tc, pc_pci_hole_remaps_above_4g);
	tcase_add_test(tc, pc_node_boundary_at_3g);
	tcase_add_test(tc, pc_rejects_impossible);
	tcase_add_test(tc, presets_are_valid);
	tcase_add_test(tc, arch_facts);
	suite_add_tcase(s, tc);
	tc = tcase_create("validate");
	tcase_add_test(tc, bad_nodes);
	tcase_add_test(tc, bad_cpus);
	tcase_add_test(tc, bad_ranges);
	tcase_add_test(tc, bad_distance);
	tcase_add_test(tc, bad_caches_and_tlbs);
	suite_add_tcase(s, tc);
	return s;
}
