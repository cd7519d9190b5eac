/* The fuzz targets' common helpers (fuzz.h). */
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hw/machine.h"
#include "mm/mm.h"
#include "sim/sim.h"
#include "sim/trace_read.h"
#include "tests/fuzz/fuzz.h"

void fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	fprintf(stderr, "fuzz: %s:%d: property broken: %s: ", file, line, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

static char tmpdir[256];

static void remove_tmpdir(void)
{
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz: could not remove %s\n", tmpdir);
}

const char *fuzz_tmpdir(void)
{
	if (!tmpdir[0]) {
		const char *base = getenv("TMPDIR");
		snprintf(tmpdir, sizeof tmpdir, "%s/mmsim-fuzz.XXXXXX", base && *base ? base : "/tmp");
		if (!mkdtemp(tmpdir)) {
			perror("fuzz: mkdtemp");
			abort();
		}
		atexit(remove_tmpdir);
	}
	return tmpdir;
}

void fuzz_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0) {
		perror(path);
		abort();
	}
}

char *fuzz_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	FUZZ_CHECK(f != NULL, "cannot read %s", path);
	size_t cap = 4096, n = 0, got;
	char *buf = malloc(cap);
	while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (n + 1 == cap)
			buf = realloc(buf, cap *= 2);
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

int fuzz_stdout_to(const char *path, int (*fn)(void *ctx), void *ctx)
{
	fflush(stdout);
	int saved = dup(1);
	int null = open(path ? path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (saved < 0 || null < 0 || dup2(null, 1) < 0) {
		perror("fuzz: redirecting stdout");
		abort();
	}
	close(null);
	int rc = fn(ctx);
	fflush(stdout);
	clearerr(stdout);
	if (dup2(saved, 1) < 0) {
		perror("fuzz: restoring stdout");
		abort();
	}
	close(saved);
	return rc;
}

/* ---- Booting a described machine ---- */

/* The number after `key` at the start of a line of text (key includes its
 * ':' where the file has one); -1 when there is no such line. */
static long long view_value(const char *text, const char *key)
{
	size_t n = strlen(key);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, n) && (p[n] == ' ' || p[n] == '\t'))
			return strtoll(p + n, NULL, 10);
	return -1;
}

/* A view (nid < -1) or a node view (nid >= -1) as text, or NULL when the
 * machine has no such view. Only mm_node_view clears mm_errno first, so the
 * node views go through it. */
static char *view(struct mm *mm, const char *name, int nid)
{
	if (nid < -1 && (!strcmp(name, "numastat") || !strcmp(name, "node_meminfo")))
		nid = -1;
	size_t need = nid < -1 ? mm_view(mm, name, NULL, 0) : mm_node_view(mm, name, nid, NULL, 0);
	if (nid >= -1 && mm_errno(mm))
		return NULL;
	char *buf = malloc(need + 1);
	size_t got = nid < -1 ? mm_view(mm, name, buf, need + 1) : mm_node_view(mm, name, nid, buf, need + 1);
	FUZZ_CHECK(got == need && strlen(buf) == need, "view %s: %zu bytes, then %zu", name, need, got);
	return buf;
}

/* Sum of the numbers after every "pages free" in zoneinfo. */
static long long zoneinfo_free(const char *zi)
{
	long long sum = 0;
	for (const char *p = strstr(zi, "pages free"); p; p = strstr(p + 1, "pages free"))
		sum += strtoll(p + strlen("pages free"), NULL, 10);
	return sum;
}

/* Pages in buddyinfo's blocks: per line, the counts of orders 0, 1, ... */
static long long buddyinfo_pages(const char *bi)
{
	long long sum = 0;
	for (const char *p = bi; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		const char *z = strstr(p, "zone");
		const char *eol = strchr(p, '\n');
		if (!z || (eol && z > eol))
			continue;
		z += 4;
		while (*z == ' ')
			z++;
		while (*z && *z != ' ' && *z != '\n')
			z++;                 /* the zone's name */
		char *end;
		for (int order = 0;; order++) {
			long long c = strtoll(z, &end, 10);
			if (end == z || (eol && end > eol))
				break;
			sum += c << order;
			z = end;
		}
	}
	return sum;
}

int fuzz_boot_check(const struct hw_machine_desc *d, int era, const struct hw_import *imp,
		    unsigned what)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	for (int n = 0; n < d->nr_nodes; n++)
		if (d->nodes[n].end > d->nodes[n].start) {
			lo = d->nodes[n].start < lo ? d->nodes[n].start : lo;
			hi = d->nodes[n].end > hi ? d->nodes[n].end : hi;
		}
	bool verbose = getenv("MMSIM_FUZZ_VERBOSE") != NULL;
	if (hi <= lo || hi - lo > (UINT64_C(1) << 30) || d->nr_cpus > 16) {
		if (verbose)
			fprintf(stderr, "fuzz: not booted: spans [0x%llx, 0x%llx), %d CPUs\n",
				(unsigned long long)lo, (unsigned long long)hi, d->nr_cpus);
		return 0;
	}
	struct mm_policy pol;
	mm_policy_default(&pol);
	pol.era = era ? MM_ERA_MODERN : MM_ERA_CLASSIC;
	pol.hw = false;
	char err[512];
	if (mm_policy_check(&pol, d, err, sizeof err)) {
		if (verbose)
			fprintf(stderr, "fuzz: not booted: %s\n", err);
		return 0;
	}
	struct sim s;
	sim_init(&s, d->nr_cpus, 1);
	struct mm *mm = mm_boot(&s, d, &pol, NULL, err, sizeof err);
	if (!mm) {
		FUZZ_CHECK(err[0] != '\0', "boot refused the machine without a message%s", "");
		if (verbose)
			fprintf(stderr, "fuzz: boot refused: %s\n", err);
		sim_destroy(&s);
		return 0;
	}
	if (imp && what && era && mm_apply_capture(mm, imp, what, err, sizeof err))
		FUZZ_CHECK(err[0] != '\0', "a capture refused without a message%s", "");
	FUZZ_CHECK(mm_check(mm, err, sizeof err) == 0, "after boot: %s", err);
	for (const char *const *v = mm_view_names(mm); *v; v++)
		free(view(mm, *v, -2));

	char *vm = view(mm, "vmstat", -2), *mi = view(mm, "meminfo", -2);
	char *zi = view(mm, "zoneinfo", -2), *bi = view(mm, "buddyinfo", -2);
	long long nr_free = view_value(vm, "nr_free_pages");
	long long mem_free = view_value(mi, "MemFree:");
	FUZZ_CHECK(nr_free == zoneinfo_free(zi), "nr_free_pages %lld, zoneinfo's pages free add up to %lld",
		   nr_free, zoneinfo_free(zi));
	FUZZ_CHECK(nr_free == buddyinfo_pages(bi), "nr_free_pages %lld, buddyinfo's blocks hold %lld",
		   nr_free, buddyinfo_pages(bi));
	FUZZ_CHECK(mem_free == 4 * nr_free, "MemFree %lld kB, nr_free_pages %lld", mem_free, nr_free);
	long long ht = view_value(mi, "HighTotal:"), lt = view_value(mi, "LowTotal:");
	if (ht >= 0 && lt >= 0) {
		FUZZ_CHECK(ht + lt == view_value(mi, "MemTotal:"), "HighTotal + LowTotal != MemTotal%s", "");
		FUZZ_CHECK(view_value(mi, "HighFree:") + view_value(mi, "LowFree:") == mem_free,
			   "HighFree + LowFree != MemFree%s", "");
	}
	long long nodes_free = 0;
	bool numa = true;
	for (int n = 0; n < d->nr_nodes && numa; n++) {
		char *nm = view(mm, "node_meminfo", n);
		if (!nm) {
			numa = false;    /* a kernel without CONFIG_NUMA has no node files */
			break;
		}
		char key[64];
		snprintf(key, sizeof key, "Node %d MemTotal:", n);
		long long total = view_value(nm, key);
		snprintf(key, sizeof key, "Node %d MemFree:", n);
		long long nfree = view_value(nm, key);
		snprintf(key, sizeof key, "Node %d MemUsed:", n);
		long long used = view_value(nm, key);
		FUZZ_CHECK(total >= 0 && nfree >= 0 && used >= 0 && nfree + used == total,
			   "node %d: MemFree %lld + MemUsed %lld != MemTotal %lld", n, nfree, used, total);
		nodes_free += nfree;
		free(nm);
	}
	if (numa)
		FUZZ_CHECK(nodes_free == mem_free, "the nodes' MemFree add up to %lld, MemFree %lld",
			   nodes_free, mem_free);
	free(vm);
	free(mi);
	free(zi);
	free(bi);
	if (verbose)
		fprintf(stderr, "fuzz: booted the %s era: %lld pages free, %s\n", era ? "modern" : "classic",
			nr_free, numa ? "NUMA" : "no NUMA");
	sim_destroy(&s);
	mm_destroy(mm);
	return 1;
}

/* ---- Reading a trace back ---- */

bool fuzz_read_trace(const char *path)
{
	struct trace_reader r;
	bool ok = false;
	if (trd_open(&r, path) == 0) {
		uint64_t last = 0;
		for (;;) {
			enum trd_kind k = trd_next(&r);
			if (k == TRD_EOF) {
				ok = true;
				break;
			}
			if (k == TRD_ERROR) {
				FUZZ_CHECK(strncmp(r.err, path, strlen(path)) == 0,
					   "the message names the file: %s", r.err);
				FUZZ_CHECK(trd_next(&r) == TRD_ERROR, "an error is sticky%s", "");
				break;
			}
			FUZZ_CHECK(r.lineno > last, "line %llu after %llu",
				   (unsigned long long)r.lineno, (unsigned long long)last);
			last = r.lineno;
			if (k == TRD_EVENT && r.ev.flat) {
				struct trd_event ev;
				FUZZ_CHECK(trd_scan_flat(r.line, r.len, &ev) == 0,
					   "line %llu scanned flat, then not", (unsigned long long)r.lineno);
				FUZZ_CHECK(ev.t == r.ev.t && ev.has_t == r.ev.has_t &&
					   ev.nfields == r.ev.nfields, "line %llu: two scans differ",
					   (unsigned long long)r.lineno);
			}
		}
	}
	trd_close(&r);
	return ok;
}

