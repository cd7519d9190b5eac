/*
 * Host-side helpers: the panic used for broken invariants, the clean end
 * of a host out-of-memory, allocation wrappers that use it, and the host
 * fault injection tests use to reach those paths. A simulated failure is
 * never reported through here (see STYLE.md: three kinds of failure).
 *
 * Process-wide state. The fault counters, the exit status and the cleanup
 * list are the process's, not a simulation's: they describe the host
 * (its memory, its disk) and the tool running, which every simulation in
 * the process shares.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/types.h"

void mmsim_panic_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	fprintf(stderr, "mmsim: internal error at %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* ---- Fault injection ---- */

/*
 * alloc_left and write_left count down to the call that fails; 0 is off.
 * Both start at 1 so that the first call of either takes the slow path,
 * which reads the environment once (env_read) and replaces them: after
 * that an unarmed process tests one word that is always 0. A count armed
 * "from N on" (alloc_from) stays at 1 once it has fired, so every later
 * call fails too.
 */
static uint64_t alloc_left = 1, write_left = 1;
static bool alloc_from, env_read;

/* "N", or "N+" when plus is not NULL (then *plus says which). */
static uint64_t env_count(const char *name, bool *plus)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return 0;
	char *end;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	if (plus)
		*plus = *end == '+';
	if (plus && *plus)
		end++;
	if (errno || *end || end == v || v[0] == '-' || v[0] == '+') {
		fprintf(stderr, "mmsim: %s=%s: expected a call number (1, 2, ...)%s\n", name, v,
			plus ? ", optionally followed by '+' (that call and every later one)" : "");
		exit(2);
	}
	return n;
}

static void read_env(void)
{
	env_read = true;
	alloc_left = env_count("MMSIM_FAIL_ALLOC_AT", &alloc_from);
	write_left = env_count("MMSIM_FAIL_WRITE_AT", NULL);
}

void mmsim_fault_arm(uint64_t alloc_at, bool from, uint64_t write_at)
{
	env_read = true;
	alloc_left = alloc_at;
	alloc_from = from;
	write_left = write_at;
}

static bool countdown(uint64_t *left, bool from)
{
	if (!env_read) {
		read_env();
		from = left == &alloc_left && alloc_from;
	}
	if (!*left || --*left)
		return false;
	if (from)
		*left = 1;
	return true;
}

bool mmsim_fault_alloc(void)
{
	return __builtin_expect(alloc_left != 0, 0) && countdown(&alloc_left, alloc_from);
}

bool mmsim_fault_write(void)
{
	return __builtin_expect(write_left != 0, 0) && countdown(&write_left, false);
}

/* ---- Out of host memory: a clean end ---- */

static int fatal_status = 1;
static struct {
	void (*fn)(void *);
	void *ctx;
} cleanups[MMSIM_MAX_CLEANUPS];

void mmsim_fatal_status(int status)
{
	fatal_status = status;
}

int mmsim_cleanup_push(void (*fn)(void *ctx), void *ctx)
{
	for (int i = 0; i < MMSIM_MAX_CLEANUPS; i++)
		if (!cleanups[i].fn) {
			cleanups[i].fn = fn;
			cleanups[i].ctx = ctx;
			return i;
		}
	mmsim_panic("more than %d cleanups pushed", MMSIM_MAX_CLEANUPS);
}

void mmsim_cleanup_pop(int handle)
{
	MMSIM_ASSERT(handle >= 0 && handle < MMSIM_MAX_CLEANUPS && cleanups[handle].fn);
	cleanups[handle].fn = NULL;
}

void mmsim_out_of_memory(const char *what)
{
	/* Nothing here allocates: stderr is unbuffered. */
	fprintf(stderr, "mmsim: out of host memory (%s could not be allocated)\n", what);
	for (int i = MMSIM_MAX_CLEANUPS - 1; i >= 0; i--)
		if (cleanups[i].fn) {
			void (*fn)(void *) = cleanups[i].fn;
			cleanups[i].fn = NULL;
			fn(cleanups[i].ctx);
		}
	exit(fatal_status);
}

static void __attribute__((noreturn)) oom(size_t n, size_t size)
{
	char what[64];
	if (n == 1)
		snprintf(what, sizeof what, "%zu bytes", size);
	else
		snprintf(what, sizeof what, "%zu x %zu bytes", n, size);
	mmsim_out_of_memory(what);
}

void *mmsim_xmalloc(size_t size)
{
	void *p = mmsim_fault_alloc() ? NULL : malloc(size ? size : 1);
	if (!p)
		oom(1, size);
	return p;
}

void *mmsim_xcalloc(size_t n, size_t size)
{
	void *p = mmsim_fault_alloc() ? NULL : calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom(n, size);
	return p;
}

void *mmsim_xrealloc(void *p, size_t size)
{
	void *q = mmsim_fault_alloc() ? NULL : realloc(p, size ? size : 1);
	if (!q)
		oom(1, size);
	return q;
}

char *mmsim_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = mmsim_xmalloc(n);
	memcpy(d, s, n);
	return d;
}

int mmsim_errf(char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}
