/*
 * Host-side helpers: the panic used for broken invariants and host
 * out-of-memory, and allocation wrappers that use it. A simulated failure is
 * never reported through here (see STYLE.md: three kinds of failure).
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

void *mmsim_xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		mmsim_panic("out of host memory (%zu bytes)", size);
	return p;
}

void *mmsim_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		mmsim_panic("out of host memory (%zu x %zu bytes)", n, size);
	return p;
}

void *mmsim_xrealloc(void *p, size_t size)
{
	void *q = realloc(p, size ? size : 1);
	if (!q)
		mmsim_panic("out of host memory (%zu bytes)", size);
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
