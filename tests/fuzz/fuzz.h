/*
 * What the fuzz targets (every target in tests/fuzz/) share.
 *
 * Each target defines LLVMFuzzerTestOneInput, the libFuzzer entry point,
 * and is built twice: by `make fuzz` with clang's -fsanitize=fuzzer (plus
 * ASan and UBSan) as a fuzzer of its own, and by every build of `make
 * test` into build/.../tests/fuzz_replay (tests/fuzz/replay.c), where the
 * entry point is renamed fuzz_one_NAME and replays the committed seeds and
 * regression inputs. A target checks the properties it states with
 * FUZZ_CHECK, which aborts: a broken property is a crash to libFuzzer, so
 * it keeps the input like any other.
 *
 * Targets must be deterministic and keep no state between inputs beyond
 * caches of what never changes (a scratch directory, a file read once).
 */
#ifndef MMSIM_TESTS_FUZZ_H
#define MMSIM_TESTS_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, ...) \
	((cond) ? (void)0 : fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__))

void fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 4, 5)));

/* A private scratch directory for this process, made at the first call and
 * removed (with what is left in it) at exit. */
const char *fuzz_tmpdir(void);

/* Writes len bytes to path (truncating it); aborts if it cannot. */
void fuzz_write_file(const char *path, const void *data, size_t len);

/* The whole file at path, malloc'd and NUL-terminated; aborts if it
 * cannot be read. */
char *fuzz_read_file(const char *path, size_t *len);

/* A NUL-terminated copy of data (malloc'd): bytes after a NUL are kept but
 * C string functions stop there. */
char *fuzz_cstr(const uint8_t *data, size_t size);

/* Sends stdout to the file path (NULL: /dev/null) for the duration of
 * fn(ctx) (tools print their results there) and brings it back; returns
 * fn's result. */
int fuzz_stdout_to(const char *path, int (*fn)(void *ctx), void *ctx);

/*
 * Reads the trace at path to its end (sim/trace_read.h). Returns true when
 * it is a whole trace, false when the reader refused it; checks on the way
 * that an error names the file and sticks, that line numbers grow, and
 * that each event line the reader found flat scans the same on its own.
 */
bool fuzz_read_trace(const char *path);

/*
 * Boots the memory manager on a valid description (no cost model) in the
 * era given (0 classic, 1 modern), when the machine is small enough for a
 * fuzzer (its nodes span at most 1 GiB, at most 16 CPUs), applies the
 * capture `what` of imp (MM_CAPTURE_* bits; imp may be NULL), and checks
 * what holds after any boot: mm_check, every view printed, and the views'
 * identities:
 *   - vmstat's nr_free_pages is the zones' "pages free" in zoneinfo and the
 *     blocks of buddyinfo, and meminfo's MemFree is 4 KiB times it;
 *   - HighFree + LowFree = MemFree, HighTotal + LowTotal = MemTotal (the
 *     classic era's meminfo);
 *   - each node's MemFree + MemUsed = its MemTotal, and the nodes' MemFree
 *     add up to MemFree.
 * Returns 1 when it booted, 0 when it skipped the machine or boot refused
 * it (with a message).
 */
struct hw_machine_desc;
struct hw_import;
int fuzz_boot_check(const struct hw_machine_desc *d, int era, const struct hw_import *imp,
		    unsigned what);

#endif
