/*
 * Fibers (see fiber.h for why they exist).
 *
 * The x86_64 switch. mmsim_fiber_swap(&from->sp, to->sp) pushes the
 * registers the System V ABI says a callee must preserve (rbp, rbx, r12-r15,
 * and the SSE and x87 control words), stores the stack pointer in from->sp,
 * loads to->sp and pops the same frame from the other stack; its `ret` then
 * returns into whatever called mmsim_fiber_swap on that side. A fiber that
 * has never run gets a hand-made frame whose registers hold its entry point
 * (r13) and argument (r12) and whose return address is mmsim_fiber_boot,
 * which calls the entry with the 16-byte stack alignment a call needs.
 *
 * Elsewhere the same is done with getcontext/makecontext/swapcontext, which
 * are correct but make two system calls per switch (the signal mask).
 *
 * AddressSanitizer keeps shadow state per stack and must be told before and
 * after each switch which stack is about to run; each fiber records the
 * bounds of its stack, and the thread's own stack (fiber_main) learns its
 * bounds from the first switch out of it.
 */
#define _DEFAULT_SOURCE 1

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim/fiber.h"
#include "sim/types.h"

#if defined(__SANITIZE_ADDRESS__)
#define FIBER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FIBER_ASAN 1
#endif
#endif

#ifdef FIBER_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

#if defined(__x86_64__) && defined(__linux__)
#define FIBER_ASM 1
#else
#include <ucontext.h>
#endif

struct fiber {
#ifdef FIBER_ASM
	void *sp;               /* the saved stack pointer while suspended */
#else
	ucontext_t uc;
#endif
	void *map;              /* the stack mapping (guard page first), NULL
				 * for fiber_main's thread stack */
	size_t map_len;
	const void *stack_lo;   /* the usable stack, for the sanitizer */
	size_t stack_size;
	fiber_fn fn;
	void *arg;
	struct fiber *came_from; /* who switched to it last (the sanitizer's
				  * way to learn the thread stack's bounds) */
	void *fake_stack;       /* the sanitizer's save slot while suspended */
};

#ifdef FIBER_ASM
void mmsim_fiber_swap(void **save_sp, void *load_sp);
void mmsim_fiber_boot(void);

__asm__(
	".text\n"
	".p2align 4\n"
	".globl mmsim_fiber_swap\n"
	".hidden mmsim_fiber_swap\n"
	".type mmsim_fiber_swap,@function\n"
	"mmsim_fiber_swap:\n"
	"	pushq %rbp\n"
	"	pushq %rbx\n"
	"	pushq %r12\n"
	"	pushq %r13\n"
	"	pushq %r14\n"
	"	pushq %r15\n"
	"	subq $8, %rsp\n"
	"	stmxcsr (%rsp)\n"
	"	fnstcw 4(%rsp)\n"
	"	movq %rsp, (%rdi)\n"
	"	movq %rsi, %rsp\n"
	"	ldmxcsr (%rsp)\n"
	"	fldcw 4(%rsp)\n"
	"	addq $8, %rsp\n"
	"	popq %r15\n"
	"	popq %r14\n"
	"	popq %r13\n"
	"	popq %r12\n"
	"	popq %rbx\n"
	"	popq %rbp\n"
	"	ret\n"
	".size mmsim_fiber_swap, .-mmsim_fiber_swap\n"
	".p2align 4\n"
	".globl mmsim_fiber_boot\n"
	".hidden mmsim_fiber_boot\n"
	".type mmsim_fiber_boot,@function\n"
	"mmsim_fiber_boot:\n"
	"	movq %r12, %rdi\n"
	"	callq *%r13\n"
	"	ud2\n"
	".size mmsim_fiber_boot, .-mmsim_fiber_boot\n");
#endif

/* The first thing a fiber runs. */
static void fiber_entry(struct fiber *f)
{
#ifdef FIBER_ASAN
	struct fiber *from = f->came_from;
	const void *lo;
	size_t size;
	__sanitizer_finish_switch_fiber(NULL, &lo, &size);
	if (from->map == NULL) {
		from->stack_lo = lo;
		from->stack_size = size;
	}
#endif
	f->fn(f->arg);
	mmsim_panic("a fiber's function returned");
}

#ifndef FIBER_ASM
/* makecontext passes int arguments: the fiber pointer in two halves. */
static void fiber_entry_uc(unsigned hi, unsigned lo)
{
	fiber_entry((struct fiber *)(((uintptr_t)hi << 16 << 16) | (uintptr_t)lo));
}
#endif

struct fiber *fiber_main(void)
{
	struct fiber *f = mmsim_xcalloc(1, sizeof *f);
	return f;
}

size_t fiber_default_stack(void)
{
#ifdef FIBER_ASAN
	return (size_t)4 << 20;
#else
	return (size_t)1 << 20;
#endif
}

struct fiber *fiber_new(size_t stack_size, fiber_fn fn, void *arg)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t size = (stack_size + pg - 1) / pg * pg;
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
#ifdef MAP_NORESERVE
	flags |= MAP_NORESERVE;
#endif
#ifdef MAP_STACK
	flags |= MAP_STACK;
#endif
	void *map = mmap(NULL, size + pg, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (map == MAP_FAILED)
		mmsim_panic("out of host memory (a %zu-byte fiber stack)", size);
	if (mprotect(map, pg, PROT_NONE))
		mmsim_panic("cannot protect a fiber stack's guard page");

	struct fiber *f = mmsim_xcalloc(1, sizeof *f);
	f->map = map;
	f->map_len = size + pg;
	f->stack_lo = (char *)map + pg;
	f->stack_size = size;
	f->fn = fn;
	f->arg = arg;
#ifdef FIBER_ASM
	uintptr_t top = ((uintptr_t)f->stack_lo + size) & ~(uintptr_t)15;
	uint64_t *frame = (uint64_t *)top - 8;
	frame[0] = 0x1f80u | (uint64_t)0x037fu << 32;    /* MXCSR, x87 control word:
							   * the ABI's initial values */
	frame[1] = 0;                                     /* r15 */
	frame[2] = 0;                                     /* r14 */
	frame[3] = (uint64_t)(uintptr_t)fiber_entry;      /* r13: what boot calls */
	frame[4] = (uint64_t)(uintptr_t)f;                /* r12: its argument */
	frame[5] = 0;                                     /* rbx */
	frame[6] = 0;                                     /* rbp */
	frame[7] = (uint64_t)(uintptr_t)mmsim_fiber_boot; /* the return address */
	f->sp = frame;
#else
	if (getcontext(&f->uc))
		mmsim_panic("getcontext failed");
	f->uc.uc_stack.ss_sp = (void *)f->stack_lo;
	f->uc.uc_stack.ss_size = size;
	f->uc.uc_link = NULL;
	uintptr_t p = (uintptr_t)f;
	makecontext(&f->uc, (void (*)(void))fiber_entry_uc, 2, (unsigned)(p >> 16 >> 16),
		    (unsigned)(p & 0xffffffffu));
#endif
	return f;
}

void fiber_free(struct fiber *f)
{
	if (!f)
		return;
	if (f->map)
		munmap(f->map, f->map_len);
	free(f);
}

void fiber_switch(struct fiber *from, struct fiber *to)
{
	to->came_from = from;
#ifdef FIBER_ASAN
	__sanitizer_start_switch_fiber(&from->fake_stack, to->stack_lo, to->stack_size);
#endif
#ifdef FIBER_ASM
	mmsim_fiber_swap(&from->sp, to->sp);
#else
	if (swapcontext(&from->uc, &to->uc))
		mmsim_panic("swapcontext failed");
#endif
#ifdef FIBER_ASAN
	__sanitizer_finish_switch_fiber(from->fake_stack, NULL, NULL);
#endif
}
