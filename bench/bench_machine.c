/*
 * Importing and booting a real machine (issue 9's target: a 64 GiB, 4-node
 * machine imported and booted in the modern era in under 1 second).
 *
 * The capture is written by this program into a temporary directory, laid
 * out as tools/capture-machine.sh lays one out: a zoneinfo in Linux 6.1's
 * format (node 0 with DMA, DMA32 up to 3 GiB, Normal from 4 GiB; nodes 1-3
 * Normal only; 16 GiB each, a few tens of thousands of pages reserved by
 * the kernel per node), four CPUs per node, an asymmetric SLIT. Baseline:
 * booting the x86_64-numa4 preset at 64 GiB in the classic era.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/bench.h"
#include "hw/machine.h"
#include "mm/mm.h"
#include "sim/sim.h"

#define GIB_PAGES (UINT64_C(1) << 18)

static char dir[256];

static void zone(FILE *f, int node, const char *name, uint64_t start, uint64_t spanned,
		 uint64_t present, uint64_t managed)
{
	fprintf(f, "Node %d, zone %8s\n  pages free     0\n        boost    0\n"
		   "        min      0\n        low      0\n        high     0\n"
		   "        spanned  %llu\n        present  %llu\n        managed  %llu\n"
		   "        cma      0\n        protection: (0, 0, 0, 0, 0)\n",
		node, name, (unsigned long long)spanned, (unsigned long long)present,
		(unsigned long long)managed);
	if (spanned)
		fprintf(f, "  node_unreclaimable:  0\n  start_pfn:           %llu\n",
			(unsigned long long)start);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static void make_capture(void)
{
	snprintf(dir, sizeof dir, "/tmp/mmsim-bench-machine-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
	char path[512];
	snprintf(path, sizeof path, "%s/proc", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/proc/zoneinfo", dir);
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(1);
	}
	zone(f, 0, "DMA", 1, 4095, 3998, 3840);
	zone(f, 0, "DMA32", 4096, 4 * GIB_PAGES - 4096, 3 * GIB_PAGES - 4096, 3 * GIB_PAGES - 20000);
	zone(f, 0, "Normal", 4 * GIB_PAGES, 13 * GIB_PAGES, 13 * GIB_PAGES, 13 * GIB_PAGES - 60000);
	zone(f, 0, "Movable", 0, 0, 0, 0);
	zone(f, 0, "Device", 0, 0, 0, 0);
	for (int n = 1; n < 4; n++) {
		uint64_t start = (17 + 16 * (uint64_t)(n - 1)) * GIB_PAGES;
		zone(f, n, "DMA", 0, 0, 0, 0);
		zone(f, n, "DMA32", 0, 0, 0, 0);
		zone(f, n, "Normal", start, 16 * GIB_PAGES, 16 * GIB_PAGES, 16 * GIB_PAGES - 66000);
		zone(f, n, "Movable", 0, 0, 0, 0);
		zone(f, n, "Device", 0, 0, 0, 0);
	}
	fclose(f);
	static const char *const rows[4] = { "10 16 21 31\n", "16 10 31 21\n", "22 31 10 16\n",
					     "31 22 16 10\n" };
	for (int n = 0; n < 4; n++) {
		char text[32];
		snprintf(path, sizeof path, "%s/sys", dir);
		mkdir(path, 0755);
		snprintf(path, sizeof path, "%s/sys/devices", dir);
		mkdir(path, 0755);
		snprintf(path, sizeof path, "%s/sys/devices/system", dir);
		mkdir(path, 0755);
		snprintf(path, sizeof path, "%s/sys/devices/system/node", dir);
		mkdir(path, 0755);
		snprintf(path, sizeof path, "%s/sys/devices/system/node/node%d", dir, n);
		mkdir(path, 0755);
		snprintf(path, sizeof path, "%s/sys/devices/system/node/node%d/cpulist", dir, n);
		snprintf(text, sizeof text, "%d-%d\n", 4 * n, 4 * n + 3);
		write_file(path, text);
		snprintf(path, sizeof path, "%s/sys/devices/system/node/node%d/distance", dir, n);
		write_file(path, rows[n]);
	}
}

static void import_boot(void *arg, uint64_t iters)
{
	static struct hw_import imp;
	char err[512];
	for (uint64_t i = 0; i < iters; i++) {
		if (hw_import_dir(dir, &imp, err, sizeof err)) {
			fprintf(stderr, "bench_machine: %s\n", err);
			exit(1);
		}
		struct mm_policy p;
		mm_policy_default(&p);
		p.era = MM_ERA_MODERN;
		p.hw = false;
		struct sim s;
		sim_init(&s, imp.desc.nr_cpus, 1);
		struct mm *mm = mm_boot(&s, &imp.desc, &p, NULL, err, sizeof err);
		if (!mm) {
			fprintf(stderr, "bench_machine: boot: %s\n", err);
			exit(1);
		}
		sim_destroy(&s);
		mm_destroy(mm);
	}
}

static void classic_boot(void *arg, uint64_t iters)
{
	char err[512];
	for (uint64_t i = 0; i < iters; i++) {
		struct hw_machine_desc d;
		if (hw_preset("x86_64-numa4", UINT64_C(64) << 30, 0, &d, err, sizeof err))
			exit(1);
		struct mm_policy p;
		mm_policy_default(&p);
		p.hw = false;
		struct sim s;
		sim_init(&s, d.nr_cpus, 1);
		struct mm *mm = mm_boot(&s, &d, &p, NULL, err, sizeof err);
		if (!mm)
			exit(1);
		sim_destroy(&s);
		mm_destroy(mm);
	}
}

int main(void)
{
	make_capture();
	double base = bench_rate(classic_boot, NULL, 1, 3);
	double rate = bench_rate(import_boot, NULL, 1, 3);
	const char *name = "import + modern boot, 64 GiB 4 nodes";
	printf("%-44s %8.3f s   baseline classic boot %8.3f s  target < 1 s %s\n", name, 1.0 / rate,
	       1.0 / base, 1.0 / rate < 1.0 ? "ok" : "MISSED");
	bench_target(name, 1.0 / rate < 1.0, "< 1 s", "%.3f s", 1.0 / rate);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_machine: could not remove %s\n", dir);
	return 0;
}
