/*
 * Host-side helpers: the panic used for broken invariants, the end of a
 * process the host cannot give memory to, and allocation wrappers that use
 * it. A simulated failure is never reported through here (see STYLE.md:
 * three kinds of failure).
 *
 * The fault injection (MMSIM_FAIL_ALLOC=N, MMSIM_FAIL_WRITE=N) is counters
 * read once from the environment: process-wide, like the memory and the
 * disk they stand for.
 */
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

void mmsim_oom(size_t size)
{
	fflush(stdout);
	fprintf(stderr, "mmsim: out of host memory (%zu bytes wanted): a memory limit (ulimit -v, "
		"a container's), or an input or machine too big for this host\n", size);
	exit(MMSIM_EXIT_NOMEM);
}

/*
 * The counters of the fault injection (sim/types.h). `armed` is the one
 * word an unarmed process tests per call: 1 until the environment is read
 * (so the first call reads it), then whether any count was given.
 */
static unsigned long long fail_at, calls, write_at, writes;
static int fail_from, armed = 1, fail_read;

static unsigned long long env_count(const char *name, int *plus)
{
	const char *e = getenv(name);
	if (!e || !*e)
		return 0;
	char *end;
	unsigned long long n = strtoull(e, &end, 10);
	if (plus && *end == '+' && end != e) {
		*plus = 1;
		end++;
	}
	if (*end || end == e || *e == '-' || *e == '+') {
		/* A test that means to inject a fault must not run without. */
		fprintf(stderr, "mmsim: %s=%s: expected a call number N%s\n", name, e,
			plus ? " or N+ (that call and every later one)" : "");
		exit(2);
	}
	return n;
}

static void read_env(void)
{
	fail_at = env_count("MMSIM_FAIL_ALLOC", &fail_from);
	write_at = env_count("MMSIM_FAIL_WRITE", NULL);
	fail_read = 1;
	armed = fail_at || write_at;
}

/* True when this allocation is the one MMSIM_FAIL_ALLOC names (or, for
 * "N+", one of them). */
int mmsim_fault_alloc(void)
{
	if (__builtin_expect(!armed, 1))
		return 0;
	if (!fail_read)
		read_env();
	if (!fail_at)
		return 0;
	calls++;
	return calls == fail_at || (fail_from && calls > fail_at);
}

int mmsim_fault_write(void)
{
	if (__builtin_expect(!armed, 1))
		return 0;
	if (!fail_read)
		read_env();
	return write_at && ++writes == write_at;
}

void *mmsim_xmalloc(size_t size)
{
	void *p = mmsim_fault_alloc() ? NULL : malloc(size ? size : 1);
	if (!p)
		mmsim_oom(size);
	return p;
}

void *mmsim_xcalloc(size_t n, size_t size)
{
	void *p = mmsim_fault_alloc() ? NULL : calloc(n ? n : 1, size ? size : 1);
	if (!p)
		mmsim_oom(n * size);
	return p;
}

void *mmsim_xrealloc(void *p, size_t size)
{
	void *q = mmsim_fault_alloc() ? NULL : realloc(p, size ? size : 1);
	if (!q)
		mmsim_oom(size);
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
