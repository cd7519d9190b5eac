/*
 * What the files of the mmsim command share. Each subcommand is one
 * function taking the arguments after its name; it returns the process exit
 * status: 0 success, 1 the simulation (or comparison) failed, 2 bad usage.
 * Messages go to stderr, one line each, prefixed "mmsim: ".
 */
#ifndef MMSIM_TOOLS_H
#define MMSIM_TOOLS_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/types.h"   /* MMSIM_VERSION */

/* Exit statuses, the same for every subcommand. */
enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,
};

int cmd_run(int argc, char **argv);
int cmd_cache(int argc, char **argv);

/* "mmsim: " + message + newline on stderr. */
void tool_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Parse a non-negative integer with an optional suffix: K, M, G (powers of
 * 1024) for sizes when `size` is set, none otherwise. Decimal, or hex with
 * 0x. Returns 0, or -1 when s is not such a number or overflows.
 */
int tool_parse_u64(const char *s, int size, uint64_t *out);

#endif
