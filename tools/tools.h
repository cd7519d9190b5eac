/*
 * What the files of the mmsim command share. Each subcommand is one
 * function taking the arguments after its name; it returns the process exit
 * status: 0 success, 1 the simulation failed (diff: the runs differ), 2
 * trouble: bad usage, a bad input, an output that could not be written
 * (files: sim/ofile.h; standard output: checked at exit by tools/mmsim.c),
 * the host out of memory. Messages go to stderr, one line each, prefixed
 * "mmsim: ".
 */
#ifndef MMSIM_TOOLS_H
#define MMSIM_TOOLS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/types.h"   /* MMSIM_VERSION */

/* Exit statuses, the same for every subcommand. */
enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,     /* and every other kind of trouble (above) */
};

int cmd_run(int argc, char **argv);
int cmd_cache(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_machine(int argc, char **argv);

/*
 * Per event type counts and cycle histograms of one trace, filled while
 * streaming it (tools/evtable.c). Event names are few (tens), so the table
 * is small and fixed: a name beyond EVTABLE_MAX types is counted under
 * "(other)". Memory: about 15 KiB per type, whatever the trace's length.
 */
#include "sim/stats.h"
#define EVTABLE_MAX 128
struct evtype {
	char *name;
	size_t len;
	uint64_t count;
	uint64_t with_cycles;      /* events that carried "cycles" */
	struct stats_hist cycles;  /* their cycles */
};
struct evtable {
	int n;
	struct evtype *types[EVTABLE_MAX];   /* in order of first appearance */
	int slot[2 * EVTABLE_MAX];           /* open addressing: index + 1, 0 empty */
};
struct evtype *evtable_get(struct evtable *t, const char *name, size_t len);
void evtable_free(struct evtable *t);

/* "mmsim: " + message + newline on stderr. */
void tool_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One CSV field (RFC 4180) on stdout: quoted when it holds a comma, quote
 * or line break, quotes doubled; then ',' or, for the last, '\n'. */
void tool_csv_field(const char *s, bool last);

/* The shortest of %.15g, %.16g, %.17g that reads back as v. */
void tool_fmt_double(char *buf, size_t n, double v);

/*
 * Parse a non-negative integer with an optional suffix: K, M, G (powers of
 * 1024) for sizes when `size` is set, none otherwise. Decimal, or hex with
 * 0x. Returns 0, or -1 when s is not such a number or overflows.
 */
int tool_parse_u64(const char *s, int size, uint64_t *out);

#endif
