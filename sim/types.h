/*
 * Basic types shared by every layer of mmsim.
 *
 * Simulated time is counted in CPU cycles from the start of the run, in an
 * unsigned 64-bit integer: at 4 GHz that lasts 146 years, so overflow is not
 * a concern and arithmetic on cycles never needs a check for wrap-around.
 */
#ifndef MMSIM_SIM_TYPES_H
#define MMSIM_SIM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t cycle_t;
#define CYCLE_MAX UINT64_MAX

/* The version every trace header and `mmsim version` print. */
#define MMSIM_VERSION "0.1"

/*
 * The memory port: how sim/ (which may not include hw/) reaches the hardware
 * model when one of its own objects lives in simulated memory, as a lock word
 * does. hw/ provides the function (hw_memport_access); whoever builds the
 * simulation connects the two. A port with a NULL access costs nothing.
 *
 * take_stolen (may be NULL) returns, and resets, the cycles other CPUs'
 * actions made this CPU spend (the flush a TLB shootdown's IPI forces on
 * it). The run loop collects them before each task step on that CPU and
 * adds them to the CPU's clock: the interrupted work finishes that much
 * later. The shootdown happened at some earlier cycle; charging it at the
 * next step is the approximation.
 */
struct sim_memport {
	cycle_t (*access)(void *ctx, int cpu, uint64_t paddr, unsigned size, int write);
	void *ctx;
	cycle_t (*take_stolen)(void *ctx, int cpu);
};

/* Abort with file and line: for host out-of-memory and broken invariants,
 * never for a simulated failure or a user's mistake. */
void mmsim_panic_at(const char *file, int line, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));
#define mmsim_panic(...) mmsim_panic_at(__FILE__, __LINE__, __VA_ARGS__)

/* Cheap invariant checks stay on in every build (STYLE.md). */
#define MMSIM_ASSERT(cond) \
	((cond) ? (void)0 : mmsim_panic_at(__FILE__, __LINE__, "assertion failed: %s", #cond))

/* Formats a message into err (when err and errlen are non-zero) and returns
 * -1, so that a check that fails reads "return mmsim_errf(err, len, ...)". */
int mmsim_errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Host allocation that returns only with the memory. When the host has none
 * left, the process ends cleanly instead: "mmsim: out of host memory (...)"
 * on stderr, the cleanups below run, and exit with the status the tool set
 * (mmsim_fatal_status, 1 unless told otherwise). Not an abort: running out
 * of host memory is the machine's limit, not a bug of ours.
 */
void *mmsim_xmalloc(size_t size);
void *mmsim_xcalloc(size_t n, size_t size);
void *mmsim_xrealloc(void *p, size_t size);
char *mmsim_xstrdup(const char *s);

/* Ends the process as a host out-of-memory does (message, cleanups, exit
 * status); `what` says what could not be had, e.g. "12345 bytes". For
 * allocators of our own that are not the wrappers above. */
void mmsim_out_of_memory(const char *what) __attribute__((noreturn));

/* The exit status of a host out-of-memory: 1 (the simulation failed) by
 * default; `mmsim diff`, whose 1 means "different", sets 2. */
void mmsim_fatal_status(int status);

/*
 * Cleanups run (newest first) before a host out-of-memory ends the process:
 * what a tool must not leave behind, such as a half-written output file.
 * Push returns a handle for pop, which removes the cleanup (it does not run
 * it) once the output is complete; at most MMSIM_MAX_CLEANUPS at a time
 * (beyond that, push panics: a programming error).
 */
#define MMSIM_MAX_CLEANUPS 8
int mmsim_cleanup_push(void (*fn)(void *ctx), void *ctx);
void mmsim_cleanup_pop(int handle);

/*
 * Host fault injection, for tests; compiled in always, costing one
 * predictable branch per allocation or write. The environment arms it,
 * read once at the first check:
 *   MMSIM_FAIL_ALLOC_AT=N   the Nth host allocation (counted from 1 over the
 *                           wrappers above and the Lua state's allocator)
 *                           fails, once; "N+": the Nth and every later one
 *                           (the host stays out of memory);
 *   MMSIM_FAIL_WRITE_AT=N   the Nth output write checked through
 *                           mmsim_fault_write (the trace writer's flushes)
 *                           writes half its bytes, then fails with ENOSPC:
 *                           the disk filled up in the middle of a write.
 * mmsim_fault_alloc() and mmsim_fault_write() are the checks: true when
 * this one is to fail. mmsim_fault_arm() sets the counts from a program
 * (0: off), overriding the environment.
 */
bool mmsim_fault_alloc(void);
bool mmsim_fault_write(void);
void mmsim_fault_arm(uint64_t alloc_at, bool alloc_from, uint64_t write_at);

#endif
