/*
 * Importing a real machine: a machine description built from a directory
 * laid out like a Linux box's /proc and /sys (tools/capture-machine.sh makes
 * one; ../shared/linux-6.1/ holds two from Linux 6.1).
 *
 * What each file gives:
 *   proc/zoneinfo         (required) nodes and zones: start_pfn, spanned,
 *                         present, managed; the watermarks, protection and
 *                         first pageset as the kernel computed them, kept
 *                         for comparison (and for mm_apply_capture, with
 *                         "pages free" and each CPU's "count:"); the CPUs
 *                         of the pagesets when no cpulist says where they
 *                         are;
 *   proc/iomem            where the holes are ("System RAM" lines); without
 *                         it (or when it does not add up to zoneinfo's
 *                         present, e.g. all zeroes when read unprivileged)
 *                         each zone's holes go at its end;
 *   sys/devices/system/node/nodeN/distance, cpulist
 *                         the SLIT row and the CPUs of each node (default
 *                         10 local, 20 remote; CPUs spread evenly); the
 *                         directory missing where sys/ is there: a kernel
 *                         without CONFIG_NUMA (one node);
 *   proc/sys/vm/{min_free_kbytes, watermark_scale_factor,
 *                lowmem_reserve_ratio, percpu_pagelist_high_fraction,
 *                numa_zonelist_order}, sys/kernel/mm/transparent_hugepage/
 *                enabled
 *                         kept as text for the memory manager's policy
 *                         (numa_zonelist_order not read without CONFIG_NUMA).
 *
 * managed. The kernel's boot reservations (the low 1 MiB, its image, the
 * mem_map, the initrd, ...) cannot be recomputed by a simulator that boots
 * no kernel, so they are imported: each zone's present - managed frames
 * become one HW_MEM_KERNEL range, RAM that boot never frees. It is placed
 * where 6.1 puts most of it: at the bottom of ZONE_DMA (x86 reserves the
 * first 1 MiB since 5.13) and at the top of every other zone (memblock
 * allocates top-down). The memory manager puts its own boot data (mem_map,
 * pg_data_t) inside those ranges, so managed comes out as imported.
 *
 * A missing optional file gets a default and a line in notes; a file that
 * is there but malformed is an error naming the file and line.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/types.h"
#include "hw/machine.h"

struct src {
	const char *path;
	int line;
	char *err;
	size_t errlen;
};

static int serr(const struct src *s, const char *fmt, const char *a)
{
	char msg[256];
	snprintf(msg, sizeof msg, fmt, a);
	if (s->line)
		return mmsim_errf(s->err, s->errlen, "%s:%d: %s", s->path, s->line, msg);
	return mmsim_errf(s->err, s->errlen, "%s: %s", s->path, msg);
}

static bool is_dir(const char *dir, const char *sub)
{
	char path[4096];
	struct stat st;
	snprintf(path, sizeof path, "%s/%s", dir, sub);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void note(struct hw_import *imp, const char *fmt, const char *a, const char *b)
{
	size_t n = strlen(imp->notes);
	if (n + 1 >= sizeof imp->notes)
		return;
	snprintf(imp->notes + n, sizeof imp->notes - n, fmt, a, b);
	n = strlen(imp->notes);
	if (n + 1 < sizeof imp->notes) {
		imp->notes[n] = '\n';
		imp->notes[n + 1] = '\0';
	}
}

/*
 * The files are small (a big box's zoneinfo is some hundreds of KiB, its
 * lines under a hundred bytes), so a file that is not one of them (a
 * device, /dev/zero linked in by mistake) is refused at the first line
 * beyond IMPORT_MAX_LINE or the first byte beyond IMPORT_MAX_FILE, naming
 * the file and line, before it can fill the memory.
 */
#define IMPORT_MAX_LINE 4096
#define IMPORT_MAX_FILE (16u << 20)

/* A whole small file, NUL-terminated, in *out. 1: read; 0: it cannot be
 * opened (errno says why, *out NULL); -1: it is not a /proc or /sys file
 * (a line or the whole too long, a NUL byte, a read error), with the
 * message in err. */
static int slurp(const char *path, char **out, char *err, size_t errlen)
{
	*out = NULL;
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t cap = 4096, n = 0, line_start = 0;
	int line = 1;
	char *buf = mmsim_xmalloc(cap);
	int c;
	const char *why = NULL;
	while ((c = getc(f)) != EOF) {
		if (c == 0) {
			why = "a NUL byte";
			break;
		}
		if (n - line_start >= IMPORT_MAX_LINE) {
			why = "a line longer than 4096 bytes";
			break;
		}
		if (n + 1 >= IMPORT_MAX_FILE) {
			why = "more than 16 MiB";
			break;
		}
		if (n + 1 == cap) {
			cap *= 2;
			buf = mmsim_xrealloc(buf, cap);
		}
		buf[n++] = (char)c;
		if (c == '\n') {
			line++;
			line_start = n;
		}
	}
	if (!why && ferror(f))
		why = "a read error";
	fclose(f);
	if (why) {
		free(buf);
		return mmsim_errf(err, errlen, "%s:%d: %s: not a /proc or /sys file", path, line, why);
	}
	buf[n] = '\0';
	*out = buf;
	return 1;
}

static void trim_into(char *dst, size_t len, const char *src)
{
	while (*src && isspace((unsigned char)*src))
		src++;
	size_t n = strlen(src);
	while (n && isspace((unsigned char)src[n - 1]))
		n--;
	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	/* lowmem_reserve_ratio is tab-separated: one space between words. */
	for (char *p = dst; *p; p++)
		if (*p == '\t')
			*p = ' ';
}

static int parse_u64(const char *s, uint64_t *out, const char **end)
{
	while (*s == ' ' || *s == '\t')
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	char *e;
	unsigned long long v = strtoull(s, &e, 10);
	if (errno)
		return -1;
	*out = v;
	if (end)
		*end = e;
	return 0;
}

/* ---- proc/zoneinfo ------------------------------------------------------ */

static const char *const zinfo_keys[] = { "spanned", "present", "managed", "min", "low", "high",
					  "start_pfn:", NULL };

static int parse_zoneinfo(struct hw_import *imp, char *text, struct src *s, int *ncpus_seen)
{
	struct hw_import_zone *z = NULL;
	int cur_node = -1;
	bool in_pageset = false;
	int pcp_cpu = -1;
	s->line = 0;
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		s->line++;
		if (!strncmp(line, "Node ", 5)) {
			int nid, off = 0;
			char name[16];
			if (sscanf(line, "Node %d, zone %15s%n", &nid, name, &off) != 2 || line[off])
				return serr(s, "expected 'Node N, zone NAME', not '%.60s'", line);
			if (nid < 0 || nid >= HW_MAX_NODES)
				return serr(s, "node %s is beyond mmsim's 64 nodes", line + 5);
			if (nid != cur_node && nid != imp->nr_nodes)
				return serr(s, "nodes out of order at '%.60s'", line);
			cur_node = nid;
			if (nid == imp->nr_nodes)
				imp->nr_nodes++;
			struct hw_import_node *n = &imp->nodes[nid];
			if (n->nr_zones >= HW_IMPORT_MAX_ZONES)
				return serr(s, "more than 8 zones in node at '%.60s'", line);
			z = &n->zones[n->nr_zones++];
			memset(z, 0, sizeof *z);
			snprintf(z->name, sizeof z->name, "%s", name);
			in_pageset = false;
			pcp_cpu = -1;
			continue;
		}
		if (!z)
			continue;
		char key[32];
		const char *p = line;
		while (*p == ' ')
			p++;
		if (!strncmp(p, "pages free", 10)) {
			if (parse_u64(p + 10, &z->free, NULL))
				return serr(s, "expected a number after 'pages free'%s", "");
			continue;
		}
		if (!strncmp(p, "pagesets", 8)) {
			in_pageset = true;
			continue;
		}
		if (!strncmp(p, "protection:", 11)) {
			const char *q = strchr(p, '(');
			if (!q)
				return serr(s, "protection: expected '(a, b, ...)'%s", "");
			q++;
			z->nr_protection = 0;
			for (;;) {
				uint64_t v;
				if (parse_u64(q, &v, &q) || z->nr_protection >= HW_IMPORT_MAX_ZONES)
					return serr(s, "protection: expected '(a, b, ...)'%s", "");
				z->protection[z->nr_protection++] = v;
				if (*q == ',')
					q++;
				else if (*q == ')')
					break;
				else
					return serr(s, "protection: expected '(a, b, ...)'%s", "");
			}
			continue;
		}
		if (in_pageset && !strncmp(p, "cpu:", 4)) {
			uint64_t c;
			if (parse_u64(p + 4, &c, NULL) || c >= HW_MAX_CPUS)
				return serr(s, "cpu: expected a CPU number, not '%.40s'", p + 4);
			pcp_cpu = (int)c;
			if (pcp_cpu + 1 > *ncpus_seen)
				*ncpus_seen = pcp_cpu + 1;
			continue;
		}
		if (in_pageset && pcp_cpu >= 0 && !strncmp(p, "count:", 6)) {
			uint64_t v;
			if (parse_u64(p + 6, &v, NULL) || v > UINT32_MAX)
				return serr(s, "expected a number in '%.60s'", p);
			z->pcp_count[pcp_cpu] = (uint32_t)v;
			continue;
		}
		if (in_pageset && (!strncmp(p, "high:", 5) || !strncmp(p, "batch:", 6))) {
			uint64_t v;
			bool high = p[0] == 'h';
			if (parse_u64(p + (high ? 5 : 6), &v, NULL))
				return serr(s, "expected a number in '%.60s'", p);
			if (pcp_cpu == 0 || !z->has_pcp) {
				if (high)
					z->pcp_high = v;
				else
					z->pcp_batch = v, z->has_pcp = true;
			}
			continue;
		}
		if (sscanf(p, "%31s", key) != 1)
			continue;
		for (int k = 0; zinfo_keys[k]; k++) {
			if (strcmp(key, zinfo_keys[k]))
				continue;
			uint64_t v;
			const char *rest;
			if (parse_u64(p + strlen(key), &v, &rest))
				return serr(s, "expected a number after '%s'", key);
			switch (k) {
			case 0: z->spanned = v; break;
			case 1: z->present = v; break;
			case 2: z->managed = v; break;
			case 3: z->min = v; break;
			case 4: z->low = v; break;
			case 5: z->high = v; break;
			case 6: z->start_pfn = v; break;
			}
			break;
		}
	}
	s->line = 0;
	if (imp->nr_nodes == 0)
		return serr(s, "no 'Node N, zone NAME' line%s", "");
	return 0;
}

/* Our zone index for a 6.1 zone name (mm/mmzone.h's order), -1 for
 * Device. */
static int zone_index(const char *name)
{
	static const char *const names[] = { "DMA", "DMA32", "Normal", "HighMem", "Movable" };
	for (int i = 0; i < 5; i++)
		if (!strcmp(name, names[i]))
			return i;
	return -1;
}

/* ---- "0-3,8" ------------------------------------------------------------ */

static int parse_cpulist(const char *text, int nid, struct hw_machine_desc *d, int *max_cpu,
			 struct src *s)
{
	const char *p = text;
	while (*p == ' ')
		p++;
	s->line = 1;
	while (*p && *p != '\n') {
		uint64_t a, b;
		if (parse_u64(p, &a, &p))
			return serr(s, "expected a CPU list like 0-3,8, not '%.40s'", text);
		b = a;
		if (*p == '-' && parse_u64(p + 1, &b, &p))
			return serr(s, "expected a CPU list like 0-3,8, not '%.40s'", text);
		if (b < a || b >= HW_MAX_CPUS)
			return serr(s, "CPU range out of order or beyond 256 CPUs in '%.40s'", text);
		for (uint64_t c = a; c <= b; c++) {
			d->cpus[c].node = nid;
			d->cpus[c].hz = UINT64_C(2500000000);
			if ((int)c > *max_cpu)
				*max_cpu = (int)c;
		}
		if (*p == ',')
			p++;
		else if (*p && *p != '\n')
			return serr(s, "expected a CPU list like 0-3,8, not '%.40s'", text);
	}
	s->line = 0;
	return 0;
}

/* ---- proc/iomem ---------------------------------------------------------- */

/* The top-level "System RAM" ranges, [start, end) in bytes. */
static int parse_iomem(char *text, uint64_t (*ram)[2], int max, struct src *s)
{
	int n = 0;
	s->line = 0;
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		s->line++;
		if (line[0] == ' ' || !strstr(line, ": System RAM"))
			continue;
		unsigned long long a, b;
		if (sscanf(line, "%llx-%llx", &a, &b) != 2 || b < a)
			return serr(s, "expected 'start-end : System RAM', not '%.60s'", line);
		if (n < max) {
			ram[n][0] = a;
			ram[n][1] = b + 1;
			n++;
		}
	}
	s->line = 0;
	return n;
}

/* ---- Building the description ------------------------------------------- */

static int add_range(struct hw_machine_desc *d, uint64_t a, uint64_t b, enum hw_mem_type t,
		     char *err, size_t errlen)
{
	if (a >= b)
		return 0;
	if (d->nr_ranges > 0) {
		struct hw_mem_range *last = &d->ranges[d->nr_ranges - 1];
		if (last->end == a && last->type == t) {
			last->end = b;
			return 0;
		}
	}
	if (d->nr_ranges >= HW_MAX_RANGES)
		return mmsim_errf(err, errlen, "more than %d memory ranges", HW_MAX_RANGES);
	d->ranges[d->nr_ranges++] = (struct hw_mem_range){ a, b, t };
	return 0;
}

/* One zone's RAM runs [a, b) in pfns, sorted. */
struct runs {
	int n;
	uint64_t r[HW_MAX_RANGES][2];
};

/*
 * Emit the zone's runs with `kres` frames of them as kernel reservations:
 * the lowest frames for ZONE_DMA, the highest for the others.
 */
static int emit_zone(struct hw_machine_desc *d, const struct runs *rs, uint64_t kres, bool low,
		     char *err, size_t errlen)
{
	uint64_t total = 0;
	for (int i = 0; i < rs->n; i++)
		total += rs->r[i][1] - rs->r[i][0];
	/* Frames before `cut` (in RAM order) are of the first kind. */
	uint64_t cut = low ? kres : total - kres;
	enum hw_mem_type first = low ? HW_MEM_KERNEL : HW_MEM_USABLE;
	enum hw_mem_type second = low ? HW_MEM_USABLE : HW_MEM_KERNEL;
	uint64_t seen = 0;
	for (int i = 0; i < rs->n; i++) {
		uint64_t a = rs->r[i][0], b = rs->r[i][1];
		uint64_t len = b - a;
		if (seen + len <= cut) {
			if (add_range(d, a << HW_PAGE_SHIFT, b << HW_PAGE_SHIFT, first, err, errlen))
				return -1;
		} else if (seen >= cut) {
			if (add_range(d, a << HW_PAGE_SHIFT, b << HW_PAGE_SHIFT, second, err, errlen))
				return -1;
		} else {
			uint64_t m = a + (cut - seen);
			if (add_range(d, a << HW_PAGE_SHIFT, m << HW_PAGE_SHIFT, first, err, errlen) ||
			    add_range(d, m << HW_PAGE_SHIFT, b << HW_PAGE_SHIFT, second, err, errlen))
				return -1;
		}
		seen += len;
	}
	return 0;
}

static int read_knob(struct hw_import *imp, const char *dir, const char *name, char *dst,
		     size_t len, const char *dflt, char *err, size_t errlen)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/proc/sys/vm/%s", dir, name);
	char *t;
	if (slurp(path, &t, err, errlen) < 0)
		return -1;
	if (!t) {
		note(imp, "proc/sys/vm/%s: missing, the kernel's default (%s)", name, dflt);
		dst[0] = '\0';
		return 0;
	}
	trim_into(dst, len, t);
	free(t);
	return 0;
}

int hw_import_dir(const char *dir, struct hw_import *imp, char *err, size_t errlen)
{
	memset(imp, 0, sizeof *imp);
	char path[1024];
	struct src s = { path, 0, err, errlen };

	snprintf(path, sizeof path, "%s/proc/zoneinfo", dir);
	char *zi;
	int got = slurp(path, &zi, err, errlen);
	if (got < 0)
		return -1;
	if (!got)
		return mmsim_errf(err, errlen, "%s: cannot read (%s)", path, strerror(errno));
	int ncpus_seen = 0;
	int rc = parse_zoneinfo(imp, zi, &s, &ncpus_seen);
	free(zi);
	if (rc)
		return -1;

	/* The architecture: 32-bit kernels list HighMem (populated or not),
	 * 64-bit ones DMA32. A 32-bit kernel is PAE when it has RAM at or
	 * above 4 GiB or when pagetypeinfo's pageblocks are 2 MiB (order 9,
	 * PAE's HPAGE_SHIFT 21); order 10 (4 MiB, HPAGE_SHIFT 22) is a 2-level
	 * kernel. Without either, PAE (Debian's 686-pae), with a note. */
	enum hw_arch arch = HW_ARCH_X86_64;
	uint64_t highmem_start = 0, top_pfn = 0;
	for (int n = 0; n < imp->nr_nodes; n++)
		for (int k = 0; k < imp->nodes[n].nr_zones; k++) {
			const struct hw_import_zone *z = &imp->nodes[n].zones[k];
			if (!strcmp(z->name, "HighMem")) {
				arch = HW_ARCH_I386_PAE;
				if (z->spanned && (!highmem_start || z->start_pfn < highmem_start))
					highmem_start = z->start_pfn;
			}
			if (z->spanned && z->start_pfn + z->spanned > top_pfn)
				top_pfn = z->start_pfn + z->spanned;
		}
	if (arch != HW_ARCH_X86_64 && top_pfn <= (UINT64_C(1) << (32 - HW_PAGE_SHIFT))) {
		snprintf(path, sizeof path, "%s/proc/pagetypeinfo", dir);
		char *pti;
		if (slurp(path, &pti, err, errlen) < 0)
			return -1;
		unsigned pb = 0;
		if (pti && sscanf(pti, "Page block order: %u", &pb) == 1 && pb == 10)
			arch = HW_ARCH_I386;
		else if (!pti || pb != 9)
			note(imp, "proc/pagetypeinfo: %s, a 32-bit kernel under 4 GiB taken as PAE "
			     "(pageblock order 9)%s", pti ? "no 'Page block order: 9|10'" : "missing", "");
		free(pti);
	}
	struct hw_machine_desc *d = &imp->desc;
	hw_desc_init(d, arch);
	/* Lowmem ends where HighMem starts (6.1's max_low_pfn). */
	if (highmem_start)
		d->lowmem_end = highmem_start << HW_PAGE_SHIFT;
	snprintf(d->name, sizeof d->name, "imported");
	d->nr_nodes = imp->nr_nodes;

	/* Each zone: its name must be one we model if it has pages, its
	 * numbers consistent. */
	for (int n = 0; n < imp->nr_nodes; n++) {
		uint64_t lo = UINT64_MAX, hi = 0;
		for (int k = 0; k < imp->nodes[n].nr_zones; k++) {
			struct hw_import_zone *z = &imp->nodes[n].zones[k];
			if (z->spanned == 0)
				continue;
			s.line = 0;
			if (zone_index(z->name) < 0) {
				char what[64];
				snprintf(what, sizeof what, "node %d zone %s", n, z->name);
				return serr(&s, "%s has pages: mmsim does not model that zone", what);
			}
			if (z->present > z->spanned || z->managed > z->present) {
				char what[64];
				snprintf(what, sizeof what, "node %d zone %s", n, z->name);
				return serr(&s, "%s: expected managed <= present <= spanned", what);
			}
			if (z->start_pfn < lo)
				lo = z->start_pfn;
			if (z->start_pfn + z->spanned > hi)
				hi = z->start_pfn + z->spanned;
		}
		if (hi == 0)
			lo = hi = 0;
		d->nodes[n].start = lo << HW_PAGE_SHIFT;
		d->nodes[n].end = hi << HW_PAGE_SHIFT;
		/* 6.1's zone_movable_pfn: where the node's Movable zone starts
		 * (kernelcore=, movablecore=; with movable_node a hotpluggable
		 * node may be Movable from its start); it must be the node's
		 * top zone, as 6.1 places it without mirrored memory. */
		for (int k = 0; k < imp->nodes[n].nr_zones; k++) {
			struct hw_import_zone *z = &imp->nodes[n].zones[k];
			if (z->spanned == 0 || strcmp(z->name, "Movable"))
				continue;
			if (z->start_pfn + z->spanned != hi || z->start_pfn == 0) {
				char what[64];
				snprintf(what, sizeof what, "node %d zone Movable", n);
				return serr(&s, "%s is not the top of its node: mmsim models only "
					    "that layout", what);
			}
			d->nodes[n].movable_start = z->start_pfn << HW_PAGE_SHIFT;
		}
	}

	/* Where the holes are. */
	uint64_t ram[HW_MAX_RANGES][2];
	int nram = -1;
	snprintf(path, sizeof path, "%s/proc/iomem", dir);
	char *io;
	if (slurp(path, &io, err, errlen) < 0)
		return -1;
	if (io) {
		nram = parse_iomem(io, ram, HW_MAX_RANGES, &s);
		free(io);
		if (nram < 0)
			return -1;
	} else {
		note(imp, "proc/iomem: missing, each zone's holes placed at its end%s%s", "", "");
	}
	bool iomem_ok = nram > 0;
	for (int n = 0; iomem_ok && n < imp->nr_nodes; n++)
		for (int k = 0; k < imp->nodes[n].nr_zones; k++) {
			struct hw_import_zone *z = &imp->nodes[n].zones[k];
			uint64_t cnt = 0;
			for (int i = 0; i < nram; i++) {
				uint64_t a = (ram[i][0] + HW_PAGE_SIZE - 1) >> HW_PAGE_SHIFT;
				uint64_t b = ram[i][1] >> HW_PAGE_SHIFT;
				if (a < z->start_pfn)
					a = z->start_pfn;
				if (b > z->start_pfn + z->spanned)
					b = z->start_pfn + z->spanned;
				if (a < b)
					cnt += b - a;
			}
			if (cnt != z->present)
				iomem_ok = false;
		}
	if (nram >= 0 && !iomem_ok)
		note(imp, "proc/iomem: its System RAM does not add up to zoneinfo's present "
		     "(read without privilege?), each zone's holes placed at its end%s%s", "", "");

	/* The firmware map, zone by zone in pfn order (zones of a node are in
	 * ascending order, nodes too). */
	d->nr_ranges = 0;
	for (int n = 0; n < imp->nr_nodes; n++)
		for (int k = 0; k < imp->nodes[n].nr_zones; k++) {
			struct hw_import_zone *z = &imp->nodes[n].zones[k];
			if (z->spanned == 0)
				continue;
			struct runs rs;
			rs.n = 0;
			uint64_t zs = z->start_pfn, ze = z->start_pfn + z->spanned;
			if (iomem_ok) {
				for (int i = 0; i < nram && rs.n < HW_MAX_RANGES; i++) {
					uint64_t a = (ram[i][0] + HW_PAGE_SIZE - 1) >> HW_PAGE_SHIFT;
					uint64_t b = ram[i][1] >> HW_PAGE_SHIFT;
					if (a < zs)
						a = zs;
					if (b > ze)
						b = ze;
					if (a < b) {
						rs.r[rs.n][0] = a;
						rs.r[rs.n][1] = b;
						rs.n++;
					}
				}
			} else if (z->present) {
				rs.r[0][0] = zs;
				rs.r[0][1] = zs + z->present;
				rs.n = 1;
			}
			if (emit_zone(d, &rs, z->present - z->managed, zone_index(z->name) == 0, err, errlen))
				return -1;
		}
	if (d->nr_ranges > 1)
		for (int i = 1; i < d->nr_ranges; i++)
			if (d->ranges[i].start < d->ranges[i - 1].end)
				return mmsim_errf(err, errlen, "%s/proc/zoneinfo: zones overlap", dir);

	/* CPUs and distances, node by node. */
	int max_cpu = -1;
	bool have_cpulist = true, have_distance = true;
	d->nr_distance_rows = d->nr_nodes;
	for (int n = 0; n < imp->nr_nodes; n++) {
		char nname[32];
		snprintf(nname, sizeof nname, "node%d", n);
		snprintf(path, sizeof path, "%s/sys/devices/system/node/node%d/cpulist", dir, n);
		char *t;
		if (slurp(path, &t, err, errlen) < 0)
			return -1;
		if (t) {
			rc = parse_cpulist(t, n, d, &max_cpu, &s);
			free(t);
			if (rc)
				return -1;
		} else {
			have_cpulist = false;
		}
		snprintf(path, sizeof path, "%s/sys/devices/system/node/node%d/distance", dir, n);
		if (slurp(path, &t, err, errlen) < 0)
			return -1;
		d->distance_len[n] = d->nr_nodes;
		if (t) {
			const char *p = t;
			s.line = 1;
			for (int j = 0; j < d->nr_nodes; j++) {
				uint64_t v;
				if (parse_u64(p, &v, &p) || v > 255) {
					free(t);
					return serr(&s, "expected one distance per node (%s)",
						    "a row of the SLIT");
				}
				d->distance[n][j] = (unsigned)v;
			}
			while (*p == ' ' || *p == '\n')
				p++;
			bool extra = *p != '\0';
			free(t);
			if (extra)
				return serr(&s, "more distances than nodes%s", "");
			s.line = 0;
		} else {
			have_distance = false;
			for (int j = 0; j < d->nr_nodes; j++)
				d->distance[n][j] = n == j ? 10 : 20;
		}
	}
	if (!have_distance)
		note(imp, "sys/devices/system/node/node*/distance: missing, 10 local and 20 remote%s%s", "",
		     "");
	if (!have_cpulist || max_cpu < 0) {
		int nc = ncpus_seen ? ncpus_seen : 1;
		note(imp, "sys/devices/system/node/node*/cpulist: missing, %s CPUs (from the pagesets) "
		     "spread evenly over the nodes%s", nc == 1 ? "1" : "the", "");
		d->nr_cpus = nc;
		for (int c = 0; c < nc; c++) {
			d->cpus[c].node = (int)((int64_t)c * d->nr_nodes / nc);
			d->cpus[c].hz = UINT64_C(2500000000);
		}
	} else {
		d->nr_cpus = max_cpu + 1;
		for (int c = 0; c < d->nr_cpus; c++)
			if (d->cpus[c].hz == 0)
				return mmsim_errf(err, errlen, "%s/sys/devices/system/node: CPU %d is in no "
						  "node's cpulist", dir, c);
	}

	/* A one-node capture with sys/ but no sys/devices/system/node: the
	 * kernel was built without CONFIG_NUMA (the node directories only
	 * exist with it). A capture without sys/ at all says nothing. */
	if (imp->nr_nodes == 1 && is_dir(dir, "sys") && !is_dir(dir, "sys/devices/system/node")) {
		d->no_numa = true;
		note(imp, "sys/devices/system/node: missing, a kernel without CONFIG_NUMA%s%s",
		     " (one zonelist per node: no \"thisnode\" lines)", "");
	}

	if (read_knob(imp, dir, "min_free_kbytes", imp->min_free_kbytes, sizeof imp->min_free_kbytes,
		      "computed at boot", err, errlen) ||
	    read_knob(imp, dir, "watermark_scale_factor", imp->watermark_scale_factor,
		      sizeof imp->watermark_scale_factor, "10", err, errlen) ||
	    read_knob(imp, dir, "lowmem_reserve_ratio", imp->lowmem_reserve_ratio,
		      sizeof imp->lowmem_reserve_ratio, "256 256 32 0 0", err, errlen) ||
	    read_knob(imp, dir, "percpu_pagelist_high_fraction", imp->percpu_pagelist_high_fraction,
		      sizeof imp->percpu_pagelist_high_fraction, "0", err, errlen))
		return -1;
	/* A kernel without CONFIG_NUMA has no such file (6.1's vm_table): not
	 * looked for, nor noted as missing. */
	if (!d->no_numa && read_knob(imp, dir, "numa_zonelist_order", imp->numa_zonelist_order,
				     sizeof imp->numa_zonelist_order, "Node", err, errlen))
		return -1;
	snprintf(path, sizeof path, "%s/sys/kernel/mm/transparent_hugepage/enabled", dir);
	char *t;
	if (slurp(path, &t, err, errlen) < 0)
		return -1;
	if (t) {
		char *a = strchr(t, '['), *b = a ? strchr(a, ']') : NULL;
		if (!a || !b || b - a - 1 >= (long)sizeof imp->thp) {
			free(t);
			s.line = 1;
			return serr(&s, "expected '[always] madvise never' or the like%s", "");
		}
		memcpy(imp->thp, a + 1, (size_t)(b - a - 1));
		imp->thp[b - a - 1] = '\0';
		free(t);
	} else {
		note(imp, "sys/kernel/mm/transparent_hugepage/enabled: missing, THP on (%s)%s",
		     "always, Debian's default", "");
	}

	/* The kernel's version, when the capture has it (capture-machine.sh
	 * takes proc/version): everything here reads 6.1's files and mm/
	 * boots 6.1's rules, so another version is imported all the same but
	 * with a note naming what may differ. */
	snprintf(path, sizeof path, "%s/proc/version", dir);
	if (slurp(path, &t, err, errlen) < 0)
		return -1;
	if (t) {
		unsigned major, minor;
		char rel[32];
		if (sscanf(t, "Linux version %31s", rel) == 1 && sscanf(rel, "%u.%u", &major, &minor) == 2) {
			snprintf(imp->kernel, sizeof imp->kernel, "%s", rel);
			if (major != 6 || minor != 1) {
				imp->kernel_not_61 = true;
				note(imp, "proc/version: Linux %s, not 6.1: imported and booted as 6.1 all the "
				     "same; these may differ from the box: %s", imp->kernel,
				     "zoneinfo's fields (read as 6.1 lays them out), min_free_kbytes and the "
				     "watermarks, lowmem_reserve (protection), per-CPU list high and batch, "
				     "the zonelists, and the /proc/vmstat and /proc/meminfo lines");
			}
		} else {
			note(imp, "proc/version: no 'Linux version X.Y', taken as Linux 6.1%s%s", "", "");
		}
		free(t);
	}

	char verr[256];
	if (hw_desc_validate(d, verr, sizeof verr))
		return mmsim_errf(err, errlen, "%s: the imported machine is not valid: %s", dir, verr);
	return 0;
}
