/*
 * Host-side helpers: the panic used for broken invariants, the end of a
 * process the host cannot give memory to, and allocation wrappers that use
 * it. A simulated failure is never reported through here (see STYLE.md:
 * three kinds of failure).
 *
 * The fault injection (MMSIM_FAIL_ALLOC=N) is a counter read once from the
 * environment: process-wide, like the memory it stands for.
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

static unsigned long long fail_at, calls;
static int fail_read;

/* True when this allocation is the one MMSIM_FAIL_ALLOC names. */
static int injected(void)
{
	if (!fail_read) {
		const char *e = getenv("MMSIM_FAIL_ALLOC");
		fail_at = e ? strtoull(e, NULL, 10) : 0;
		fail_read = 1;
	}
	return fail_at && ++calls == fail_at;
}

void *mmsim_xmalloc(size_t size)
{
	void *p = injected() ? NULL : malloc(size ? size : 1);
	if (!p)
		mmsim_oom(size);
	return p;
}

void *mmsim_xcalloc(size_t n, size_t size)
{
	void *p = injected() ? NULL : calloc(n ? n : 1, size ? size : 1);
	if (!p)
		mmsim_oom(n * size);
	return p;
}

void *mmsim_xrealloc(void *p, size_t size)
{
	void *q = injected() ? NULL : realloc(p, size ? size : 1);
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
