/*
 * Basic types shared by every layer of mmsim.
 *
 * Simulated time is counted in CPU cycles from the start of the run, in an
 * unsigned 64-bit integer: at 4 GHz that lasts 146 years, so overflow is not
 * a concern and arithmetic on cycles never needs a check for wrap-around.
 */
#ifndef MMSIM_SIM_TYPES_H
#define MMSIM_SIM_TYPES_H

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

/* Abort with file and line: for broken invariants, never for a simulated
 * failure or a user's mistake. */
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
 * Host allocation that cannot fail. When the host has no memory left (a
 * memory limit, or an input or machine too big for it) the process ends
 * with one message, "mmsim: out of host memory (N bytes wanted): ...", and
 * exit status MMSIM_EXIT_NOMEM; exit() removes any temporary output file
 * (sim/ofile.h). It is not an internal error: no source file is named.
 * For tests, MMSIM_FAIL_ALLOC=N in the environment makes the Nth call to
 * these fail: the host fault injection (below).
 */
#define MMSIM_EXIT_NOMEM 2
void mmsim_oom(size_t size) __attribute__((noreturn));
void *mmsim_xmalloc(size_t size);
void *mmsim_xcalloc(size_t n, size_t size);
void *mmsim_xrealloc(void *p, size_t size);
char *mmsim_xstrdup(const char *s);

/*
 * Host fault injection, for tests; compiled in always, costing one
 * predictable branch per call when off. The environment arms it, read at
 * the first call:
 *   MMSIM_FAIL_ALLOC=N    the Nth host allocation fails, counted from 1 over
 *                         the wrappers above and the Lua state's allocator;
 *                         "N+": the Nth and every later one (the host stays
 *                         out of memory, which Lua's emergency collection
 *                         cannot absorb);
 *   MMSIM_FAIL_WRITE=N    the Nth write of the trace writer's buffer writes
 *                         half of it, then fails with ENOSPC: the disk
 *                         filling up in the middle of a write.
 * Each returns non-zero when this call is to fail.
 */
int mmsim_fault_alloc(void);
int mmsim_fault_write(void);

#endif
