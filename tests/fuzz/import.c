/*
 * Fuzz target: importing a real machine from its captured /proc and /sys
 * (hw/machine_import.c, the files tools/capture-machine.sh copies).
 *
 * The input is a capture directory written as text:
 *
 *   base linux-6.1/b_1g_2cpu/boot     optional first line: start from the
 *                                     files of this capture in tests/data/
 *                                     ("base none" or no line: from nothing)
 *   === proc/zoneinfo                 a file (added or replacing the base's):
 *   ...its bytes...                   every byte up to the next "===" or
 *                                     "---" line (or the end)
 *   --- proc/iomem                    the base's file removed
 *
 * Paths are relative, of [A-Za-z0-9_./-] without "..": others are skipped.
 * The directory is built afresh in a scratch directory for each input, and
 * imported. Properties:
 *   - hw_import_dir accepts it with a description hw_desc_validate passes,
 *     or refuses it with one message naming the directory;
 *   - the imported sysctl values go through the policy parser (accepted or
 *     refused, no more);
 *   - a small machine boots (one input in four) in the era the input's
 *     length picks, the capture's state applied (in the modern era), and
 *     fuzz_boot_check's identities hold.
 */
#define _XOPEN_SOURCE 700   /* nftw */
#include <errno.h>
#include <ftw.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hw/machine.h"
#include "mm/mm.h"
#include "tests/fuzz/fuzz.h"

/* The captures an input may start from, under tests/data/. */
static const char *const bases[] = {
	"linux-6.1/b_1g_2cpu/boot",
	"linux-6.1/d_numa2/boot",
	"shapes-6.1/i386_512m",
	"shapes-6.1/i386_highmem",
	"shapes-6.1/i386_movablecore",
	"shapes-6.1/i386pae_4g",
	"shapes-6.1/numa2_movable_node",
	"shapes-6.1/numa2_movablecore",
	"shapes-6.1/numa4_asym",
	"shapes-6.1/numa8_ladder",
	"shapes-6.1/x86_64_movablecore",
};
#define NR_BASES (sizeof bases / sizeof bases[0])

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rm_rf(const char *dir)
{
	if (nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0 && errno != ENOENT) {
		perror(dir);
		abort();
	}
}

/* mkdir -p of path's directory. */
static void make_parents(char *path)
{
	for (char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			perror(path);
			abort();
		}
		*p = '/';
	}
}

static bool safe_path(const char *p, size_t len)
{
	if (len == 0 || len > 200 || p[0] == '/')
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = p[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '/' || c == '-'))
			return false;
		if (c == '.' && i + 1 < len && p[i + 1] == '.')
			return false;
	}
	return true;
}

/* nftw's callback has no context: the copy's two ends. */
static const char *copy_src, *copy_dst;

static int copy_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)ftw;
	if (flag != FTW_F || !S_ISREG(st->st_mode))
		return 0;
	char dst[1024];
	snprintf(dst, sizeof dst, "%s%s", copy_dst, path + strlen(copy_src));
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	char *buf = malloc((size_t)st->st_size + 1);
	size_t n = fread(buf, 1, (size_t)st->st_size, f);
	fclose(f);
	make_parents(dst);
	fuzz_write_file(dst, buf, n);
	free(buf);
	return 0;
}

static void copy_base(const char *name, const char *dst)
{
	char src[512];
	snprintf(src, sizeof src, "tests/data/%s", name);
	copy_src = src;
	copy_dst = dst;
	FUZZ_CHECK(nftw(src, copy_one, 16, FTW_PHYS) == 0, "cannot copy %s (run from the repository)", src);
}

/* The line at p (up to '\n' or end) as [p, *eol); returns the next line. */
static const char *line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	return nl ? nl : end;
}

static void build(const uint8_t *data, size_t size, const char *dir)
{
	const char *p = (const char *)data, *end = p + size;
	rm_rf(dir);
	FUZZ_CHECK(mkdir(dir, 0700) == 0, "mkdir %s", dir);
	if (size > 5 && !memcmp(p, "base ", 5)) {
		const char *eol = line_end(p, end);
		for (size_t i = 0; i < NR_BASES; i++)
			if ((size_t)(eol - p - 5) == strlen(bases[i]) && !memcmp(p + 5, bases[i], strlen(bases[i])))
				copy_base(bases[i], dir);
		p = eol < end ? eol + 1 : end;
	}
	while (p < end) {
		const char *eol = line_end(p, end);
		bool add = eol - p > 4 && !memcmp(p, "=== ", 4), del = eol - p > 4 && !memcmp(p, "--- ", 4);
		if (!add && !del) {       /* text before the first section: ignored */
			p = eol < end ? eol + 1 : end;
			continue;
		}
		const char *name = p + 4;
		size_t nlen = (size_t)(eol - name);
		const char *body = eol < end ? eol + 1 : end, *q = body;
		/* The body runs to the next section line. */
		while (q < end && !(end - q > 4 && (!memcmp(q, "=== ", 4) || !memcmp(q, "--- ", 4)) &&
				    (q == body || q[-1] == '\n')))
			q = line_end(q, end) < end ? line_end(q, end) + 1 : end;
		if (safe_path(name, nlen)) {
			char path[1024];
			snprintf(path, sizeof path, "%s/%.*s", dir, (int)nlen, name);
			if (add) {
				make_parents(path);
				struct stat st;
				if (stat(path, &st) != 0 || S_ISREG(st.st_mode))
					fuzz_write_file(path, body, (size_t)(q - body));
			} else {
				rm_rf(path);
			}
		}
		p = add ? q : body;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char dir[512];
	snprintf(dir, sizeof dir, "%s/capture", fuzz_tmpdir());
	build(data, size, dir);
	static struct hw_import imp;   /* big: not on the stack */
	char err[1024];
	memset(err, 0, sizeof err);
	if (hw_import_dir(dir, &imp, err, sizeof err)) {
		FUZZ_CHECK(!strncmp(err, dir, strlen(dir)), "message '%s' does not name %s", err, dir);
		return 0;
	}
	FUZZ_CHECK(hw_desc_validate(&imp.desc, err, sizeof err) == 0, "imported, then invalid: %s", err);
	struct mm_policy pol;
	mm_policy_default(&pol);
	mm_policy_set(&pol, "watermark_scale_factor", imp.watermark_scale_factor, err, sizeof err);
	mm_policy_set(&pol, "lowmem_reserve_ratio", imp.lowmem_reserve_ratio, err, sizeof err);
	mm_policy_set(&pol, "percpu_pagelist_high_fraction", imp.percpu_pagelist_high_fraction, err,
		      sizeof err);
	/* Booting a real box's gigabyte costs a hundred times the import: one
	 * input in four (by its length) boots, so the parsers get most of the
	 * time. */
	unsigned what = (unsigned)(size >> 3) & (MM_CAPTURE_IN_USE | MM_CAPTURE_WMARKS | MM_CAPTURE_PROTECTION);
	if ((size & 6) == 0)
		fuzz_boot_check(&imp.desc, (int)(size & 1), &imp, what);
	return 0;
}
