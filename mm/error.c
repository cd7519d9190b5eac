/*
 * The memory manager's error state (mmsim's own): the last error of a
 * struct mm, its code and its message, as mm.h's essay describes them. A
 * simulated failure or a misuse sets it with mm_fail and returns NULL or
 * -code as the kernel would; every entry point clears it first (mm_enter).
 */
#include <stdarg.h>
#include <stdio.h>

#include "mm/internal.h"

int mm_fail(struct mm *mm, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(mm->err, sizeof mm->err, fmt, ap);
	va_end(ap);
	mm->errcode = code;
	return -code;
}

int mm_errno(const struct mm *mm)
{
	return mm->errcode;
}

const char *mm_error(const struct mm *mm)
{
	return mm->errcode ? mm->err : "";
}
