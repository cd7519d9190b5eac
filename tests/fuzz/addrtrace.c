/*
 * Fuzz target: address traces for `mmsim cache` (hw/addrtrace.h: Dinero
 * IV's din, valgrind lackey), and the cache hierarchy they drive
 * (hw/cachesim.h). The input is the trace. Properties, for each format
 * (auto, din, lackey):
 *   - the reader ends the trace or stops with "fuzz:LINE: ..."; every
 *     reference has a size of at least 1 (at most 65535 in din) and a type
 *     READ..FLUSH;
 *   - reading the same bytes from memory in batches of 1024, or from a file
 *     in batches of 2 to 9 (the input picks), gives the same references and
 *     the same error: batch and buffer edges change nothing (but the batch
 *     that meets an error is not delivered, so fewer may come before it);
 *   - auto-detection reads as the format it detected, named explicitly;
 *   - the references run through a small four-level hierarchy (a 1 KiB L1i
 *     and L1d, the L1d classifying its misses, a write-through L2, an LLC
 *     with random replacement) keep each level's counts consistent: misses
 *     <= fetches, and compulsory + capacity + conflict = misses.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "hw/addrtrace.h"
#include "hw/cachesim.h"
#include "tests/fuzz/fuzz.h"

#define MAX_REFS (1u << 20)

struct result {
	struct atrace_ref *refs;
	size_t n;
	char err[300];          /* "" when the trace was read to its end */
	enum atrace_format fmt;
};

static void read_trace(struct atrace *t, size_t batch, struct result *res)
{
	size_t cap = 64;
	res->refs = malloc(cap * sizeof *res->refs);
	res->n = 0;
	res->err[0] = '\0';
	for (;;) {
		size_t want = batch;
		if (res->n + want > MAX_REFS)
			break;
		if (res->n + want > cap) {
			while (res->n + want > cap)
				cap *= 2;
			res->refs = realloc(res->refs, cap * sizeof *res->refs);
		}
		long got = atrace_read(t, res->refs + res->n, want);
		if (got < 0) {
			snprintf(res->err, sizeof res->err, "%s", atrace_error(t));
			FUZZ_CHECK(!strncmp(res->err, "fuzz:", 5), "message '%s'", res->err);
			FUZZ_CHECK(atrace_read(t, res->refs, want) == -1, "an error is sticky%s", "");
			break;
		}
		FUZZ_CHECK((size_t)got <= want, "%ld references for a batch of %zu", got, want);
		if (got == 0)
			break;
		res->n += (size_t)got;
	}
	res->fmt = atrace_format(t);
	for (size_t i = 0; i < res->n; i++) {
		const struct atrace_ref *r = &res->refs[i];
		FUZZ_CHECK(r->size >= 1 && r->type <= ATRACE_FLUSH, "reference %zu: size %u type %u", i,
			   r->size, r->type);
		FUZZ_CHECK(res->fmt != ATRACE_DIN || r->size <= 65535, "din size %u", r->size);
	}
}

/* The same references and the same error. A batch that meets an error is
 * not delivered (atrace_read returns -1), so after an error one side may
 * hold fewer: then they must be a prefix of the other's. */
static void same(const struct result *a, const struct result *b, const char *what)
{
	FUZZ_CHECK(!strcmp(a->err, b->err), "%s: '%s' against '%s'", what, a->err, b->err);
	size_t n = a->n < b->n ? a->n : b->n;
	FUZZ_CHECK(a->err[0] || a->n == b->n, "%s: %zu references against %zu", what, a->n, b->n);
	FUZZ_CHECK(!memcmp(a->refs, b->refs, n * sizeof *a->refs), "%s: the references differ", what);
}

static void run_caches(const struct result *res)
{
	struct csim_config cfg;
	memset(&cfg, 0, sizeof cfg);
	struct hw_cache_params small = { .size = 1024, .ways = 2, .line = 32, .repl = HW_REPL_LRU };
	cfg.level[CSIM_L1I] = (struct csim_level_config){ .present = true, .geom = small };
	cfg.level[CSIM_L1D] = (struct csim_level_config){ .present = true, .geom = small, .classify = true };
	cfg.level[CSIM_L2] = (struct csim_level_config){
		.present = true, .write_through = true, .no_write_allocate = true,
		.geom = { .size = 4096, .ways = 4, .line = 64, .repl = HW_REPL_FIFO } };
	cfg.level[CSIM_LLC] = (struct csim_level_config){
		.present = true, .geom = { .size = 16384, .ways = 8, .line = 128, .repl = HW_REPL_RANDOM } };
	cfg.seed = 7;
	char err[256];
	FUZZ_CHECK(csim_config_validate(&cfg, err, sizeof err) == 0, "config: %s", err);
	struct csim *s = csim_create(&cfg);
	csim_run(s, res->refs, res->n);
	csim_flush(s);
	for (int l = 0; l < CSIM_NR_LEVELS; l++) {
		const struct csim_stats *st = csim_stats(s, l);
		for (int k = 0; k < ATRACE_NR_ACCESS; k++) {
			FUZZ_CHECK(st->miss[k] <= st->fetch[k], "%s: %llu misses of %llu fetches",
				   csim_level_name(l), (unsigned long long)st->miss[k],
				   (unsigned long long)st->fetch[k]);
			if (l == CSIM_L1D)
				FUZZ_CHECK(st->compulsory[k] + st->capacity[k] + st->conflict[k] == st->miss[k],
					   "l1d: the misses' classes do not add up (type %d)", k);
		}
	}
	csim_destroy(s);
}

/* Detection skips blank lines and valgrind's "==" lines before the first
 * that tells the format; din itself has no "==" lines and refuses them.
 * Does the input start with such a line (after blank ones)? */
static bool leading_valgrind_line(const uint8_t *data, size_t size)
{
	size_t i = 0;
	while (i < size) {
		size_t j = i;
		while (j < size && (data[j] == ' ' || data[j] == '\t'))
			j++;
		if (j < size && data[j] == '\n') {
			i = j + 1;
			continue;
		}
		if (j + 1 < size && data[j] == '\r' && data[j + 1] == '\n') {
			i = j + 2;
			continue;
		}
		return i + 1 < size && data[i] == '=' && data[i + 1] == '=';
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[512];
	snprintf(path, sizeof path, "%s/trace", fuzz_tmpdir());
	fuzz_write_file(path, data, size);
	size_t batch = 2 + (size % 8);
	static const enum atrace_format fmts[] = { ATRACE_AUTO, ATRACE_DIN, ATRACE_LACKEY };
	struct result auto_res = { 0 };
	for (int f = 0; f < 3; f++) {
		struct result mem, file;
		struct atrace *t = atrace_open_mem((const char *)data, size, "fuzz", fmts[f]);
		read_trace(t, 1024, &mem);
		atrace_close(t);
		int fd = open(path, O_RDONLY);
		FUZZ_CHECK(fd >= 0, "cannot open %s", path);
		t = atrace_open_fd(fd, "fuzz", fmts[f]);
		read_trace(t, batch, &file);
		atrace_close(t);
		close(fd);
		same(&mem, &file, "memory against file");
		if (f == 0) {
			auto_res = mem;
			free(file.refs);
			continue;
		}
		if (auto_res.fmt == fmts[f] && !(fmts[f] == ATRACE_DIN && leading_valgrind_line(data, size)))
			same(&auto_res, &mem, "auto-detected against named");
		run_caches(&mem);
		free(mem.refs);
		free(file.refs);
	}
	free(auto_res.refs);
	return 0;
}
