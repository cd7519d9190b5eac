/*
 * Fibers: host execution stacks for simulated code that blocks in the middle
 * of a function.
 *
 * Why. The kernel sleeps deep inside its call chains: direct reclaim waits
 * for writeback, a swap-in waits for the disk, the page allocator's slow path
 * throttles and retries, kswapd sleeps at the bottom of its loop. To keep
 * mm/ written as the kernel is (straight-line functions that call a wait and
 * carry on when it returns), a task that may block runs its step on a stack
 * of its own. Blocking switches back to the run loop's stack with the task's
 * frames left intact; waking it switches back in and the wait returns. The
 * alternative, turning every function that can wait into a resumable state
 * machine, would make mm/ unreadable beside the kernel (docs/architecture.md
 * says more).
 *
 * Mechanism. A switch saves the callee-saved registers and the stack pointer
 * of the running side and loads the other's: on x86_64 a dozen instructions
 * of assembly (no system call: ucontext's swapcontext saves the signal mask
 * with two system calls per switch, which would double the cost of a task
 * step); on other hosts swapcontext. AddressSanitizer is told about every
 * switch (__sanitizer_start_switch_fiber / __sanitizer_finish_switch_fiber),
 * so the sanitizer builds track the right stack.
 *
 * Stacks are mmap'd with a guard page below them and MAP_NORESERVE: the host
 * commits only the pages a fiber really touches. sim.c keeps a pool, so a
 * stack is needed only while a step runs or is blocked, not per task.
 *
 * Nothing here knows about tasks or simulated time: sim.c builds on it.
 */
#ifndef MMSIM_SIM_FIBER_H
#define MMSIM_SIM_FIBER_H

#include <stddef.h>

struct fiber;

/* What a new fiber runs, with its argument. It must never return: when done
 * it switches away for good (fiber_switch to another fiber). */
typedef void (*fiber_fn)(void *arg);

/* The fiber standing for the calling thread's own stack, to switch back to.
 * Freed with fiber_free like the others (its stack is not ours to free). */
struct fiber *fiber_main(void);

/* A fiber with a stack of stack_size bytes (rounded up to whole host pages,
 * plus a guard page), that starts running fn(arg) at its first switch in.
 * Aborts on host out-of-memory. */
struct fiber *fiber_new(size_t stack_size, fiber_fn fn, void *arg);

/* Free f and its stack. f must not be running. */
void fiber_free(struct fiber *f);

/* Suspend the running fiber `from` and run `to` (from its start, or from the
 * fiber_switch where it was suspended). Returns when something switches
 * back to `from`. */
void fiber_switch(struct fiber *from, struct fiber *to);

/* The default stack size: generous for Lua (whose C-call limit is reached
 * long before it), larger under AddressSanitizer, whose frames are bigger. */
size_t fiber_default_stack(void);

#endif
