/*
 * The trace reader: JSON Lines traces (docs/trace-format.md) read back in
 * constant memory, for `mmsim diff` and `mmsim report`.
 *
 * The reader hands out one line at a time from a buffer it refills with
 * read(2): memory is the longest line (a summary line of a big machine, some
 * tens of KiB), not the file. Event lines are nearly all of a trace, so they
 * are never given to a JSON parser: a small scanner (trd_scan_flat) checks
 * that the line is a flat JSON object (string, number, true/false/null
 * values, no nesting), and notes where each key and value lie in the line,
 * plus the event name, `t` and `cycles` as integers. Only the rare lines
 * that are not flat (the header, snapshots, the summary, an event with a
 * nested value) go to cJSON.
 *
 * The reader also checks the shape of the whole file, so that every caller
 * refuses the same bad inputs with the same messages ("PATH:LINE: what"):
 * the first line must be a header of format "mmsim-trace" and a version this
 * reader knows; every line must be JSON, an event ("ev") or a typed line
 * ("type"); the last line must be the summary, and nothing may follow it.
 * A file that ends without its summary (the run crashed or was killed) or in
 * the middle of a line is truncated, and says so. The fields readers use
 * are type-checked as they are read (trace_read.c lists them): "t":"soon"
 * is an error naming the line and the field, never a silent 0. A line
 * longer than TRD_MAX_LINE is refused, so a file that is not a trace
 * (/dev/zero) fails in a moment instead of filling the memory.
 */
#ifndef MMSIM_SIM_TRACE_READ_H
#define MMSIM_SIM_TRACE_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cJSON;

/* The trace format versions this reader knows. */
#define TRD_VERSION_MIN 1
#define TRD_VERSION_MAX 1

/* The longest line read: far above any real trace's (a summary of a
 * 256-CPU machine, the most there can be, is under 1 MiB). */
#define TRD_MAX_LINE (16u << 20)

/* Fields of one flat line remembered beyond the three decoded ones; an
 * event with more is still read, its extra fields only compared as bytes. */
#define TRD_MAX_FIELDS 48

enum trd_kind {
	TRD_ERROR = -1,   /* r->err says what and where; stop reading */
	TRD_EOF = 0,      /* after the summary line */
	TRD_HEADER,
	TRD_EVENT,
	TRD_SNAPSHOT,
	TRD_SUMMARY,
	TRD_OTHER,        /* a typed line of a kind this reader does not know */
};

/* A span of the current line: a key without its quotes, or a value as it is
 * written (a string value with its quotes). */
struct trd_span {
	const char *p;
	size_t len;
};

/* One event line. The spans point into the reader's buffer (or into
 * r->json for a line that was not flat) and are valid until the next
 * trd_next. */
struct trd_event {
	struct trd_span name;      /* "ev", without quotes, escapes left as written */
	uint64_t t;
	uint64_t cycles;
	bool has_t;                /* "t" was a non-negative integer */
	bool has_cycles;           /* likewise "cycles" */
	bool t_seen;               /* the line has a "t" at all */
	const char *bad_key;       /* "t", "cycles", "cpu" or "task" when that
				      field has the wrong type (the reader then
				      refuses the line), else NULL */
	struct trd_span bad_val;   /* its value as written */
	bool flat;                 /* keys/vals below are filled */
	int nfields;               /* <= TRD_MAX_FIELDS, in line order, "ev" included */
	bool more_fields;          /* the line had more than TRD_MAX_FIELDS */
	struct trd_span keys[TRD_MAX_FIELDS];
	struct trd_span vals[TRD_MAX_FIELDS];
};

struct trace_reader {
	const char *path;          /* for messages; not owned */
	int fd;
	char *buf;
	size_t cap, pos, end;      /* unread bytes are buf[pos, end) */
	bool eof;                  /* read(2) returned 0 */
	int state;                 /* 0 before the header, 1 events, 2 after the summary */
	uint64_t lineno;           /* 1-based number of the current line */
	uint64_t bytes;            /* bytes of the lines returned so far */
	unsigned version;          /* the header's version */
	const char *line;          /* the current line, without its '\n' */
	size_t len;
	struct cJSON *json;        /* header, snapshot, summary, other, or a
				      non-flat event; freed by the next trd_next
				      unless the caller takes it (sets it NULL) */
	struct trd_event ev;       /* the current event (TRD_EVENT) */
	char err[512];
};

/*
 * Opens path ("-": standard input) for reading. Returns 0, or -1 with
 * "PATH: cannot open: REASON" in r->err; either way r can be given to
 * trd_close.
 */
int trd_open(struct trace_reader *r, const char *path);

/* The next line and its kind; see the enum. After TRD_EOF or TRD_ERROR it
 * keeps returning the same. */
enum trd_kind trd_next(struct trace_reader *r);

/* Releases everything r holds (not r itself). */
void trd_close(struct trace_reader *r);

/*
 * The scanner behind event lines, for any line: fills ev from line[0, len)
 * when it is one flat JSON object (the "ev" member need not be there: then
 * ev->name is empty). Returns 0, or -1 when the line is not a flat JSON
 * object (it may still be JSON, with nested values). Exposed for tests and
 * the bench.
 */
int trd_scan_flat(const char *line, size_t len, struct trd_event *ev);

/* The value of key in a flat event, or NULL; a key occurring twice gives
 * its first occurrence. */
const struct trd_span *trd_field(const struct trd_event *ev, const char *key);

/* A span equal to the C string s? */
bool trd_span_eq(struct trd_span s, const char *str);

#endif
