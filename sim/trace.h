/*
 * The trace writer: JSON Lines, streamed, byte-identical across runs.
 *
 * A trace is a sequence of lines, each one JSON object ending in '\n'. Most
 * lines are events:
 *
 *   {"ev":"mm_page_alloc","t":1234,"cpu":0,"task":"worker0","pfn":4096,...}
 *
 * with the event name, the cycle `t`, then "cpu" (left out when negative:
 * no CPU, e.g. boot) and "task" (left out when NULL), then the fields in the
 * order the caller wrote them. The header, snapshots and the summary are
 * lines that are not events (trace_line_begin), and may nest objects and
 * arrays. There is no wall-clock time anywhere and no hash order: the same
 * calls produce the same bytes.
 *
 * The writer formats into a 64 KiB buffer with hand-written routines (no
 * printf except for doubles) and hands the buffer to stdio when full, so the
 * whole trace is never in memory. A failed write (disk full) sets a sticky
 * error: later output is discarded, trace_error() says what happened and
 * trace_close() returns -1 (or, with trace_exit_on_error, the process ends
 * at the first failed write). A failed write is never silent.
 *
 * Event types are registered once by name and then named by a small integer
 * id. Each has an enabled flag, decided by the filter, which trace_enabled()
 * reads with one array lookup; a NULL trace is accepted there (and by
 * trace_event_id and trace_close) so a simulation can run without a trace at
 * the cost of that test. The intended shape of a tracepoint is
 *
 *   if (trace_enabled(tr, zone->ev_alloc)) {
 *       trace_begin(tr, zone->ev_alloc, now, cpu, task);
 *       trace_u64(tr, "pfn", pfn);
 *       trace_end(tr);
 *   }
 *
 * Misuse is a programming error and panics: trace_begin on a disabled event,
 * a field outside a line, a key inside an array or no key inside an object,
 * unbalanced begin/end, a line left open at close.
 *
 * Keys are trusted: they are C string literals from our own code and are
 * written as they are, without escaping. Event names are checked when
 * registered (trace_valid_name). String values are escaped.
 */
#ifndef MMSIM_SIM_TRACE_H
#define MMSIM_SIM_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/types.h"

struct trace;

/* The part of struct trace that trace_enabled() reads inline; struct trace
 * starts with it and keeps the rest private. */
struct trace_head {
	const unsigned char *enabled;  /* enabled[id] != 0: the event is written */
	size_t nr_events;              /* ids are 0 .. nr_events-1 */
};

/* Lines and bytes produced so far (bytes up to the end of the last complete
 * line). Plain fields, so they can be registered as stats counters. */
struct trace_counters {
	uint64_t lines;
	uint64_t bytes;
};

/* ---- Opening and closing ---- */

/*
 * A trace writing to path; "-" means standard output (not closed at the
 * end, only flushed). The file is written under sim/ofile.h's rule: a
 * regular file (or a new path) is written to a temporary file beside it,
 * renamed over path by trace_close only if every write succeeded; until
 * then, and after a failure, what was at path is untouched (as it is when
 * the trace is closed without a byte written). On failure
 * returns NULL and writes "cannot open PATH for writing: REASON" into err.
 */
struct trace *trace_open(const char *path, char *err, size_t errlen);

/* A trace on a stream the caller owns and closes; name is used in error
 * messages (NULL: "trace"). The stream's own buffering is left as it is. */
struct trace *trace_open_fp(FILE *fp, const char *name);

/*
 * Writes what is buffered, closes the file (if the trace opened it) and frees
 * the trace. Returns 0, or -1 if any write failed at any point in the trace's
 * life, including this final one. trace_close_err also copies the error
 * message into err (when err is not NULL), since after the call the trace is
 * gone. A NULL trace returns 0. A line still open is a programming error.
 */
int trace_close(struct trace *t);
int trace_close_err(struct trace *t, char *err, size_t errlen);

/*
 * Makes the first failed write end the process: "PREFIX" + the message on
 * stderr, the temporary file removed, exit(status). For a command whose
 * only output is the trace (mmsim run -o), which has nothing to gain from
 * simulating on once the trace is lost. prefix must outlive the trace. If
 * a write has failed already, it ends the process at once. The check costs
 * nothing on the hot path: it runs when a flush fails.
 */
void trace_exit_on_error(struct trace *t, const char *prefix, int status);

/* Hands everything buffered to the file now (and fflushes the stream).
 * Returns 0, or -1 if the trace has failed (now or before). */
int trace_flush(struct trace *t);

/* NULL while every write has succeeded; otherwise a message naming the file
 * and the reason, e.g. "/dev/full: write failed: No space left on device". */
const char *trace_error(const struct trace *t);

/* Counters of what has been written. */
const struct trace_counters *trace_counters(const struct trace *t);

/* ---- Event types and the filter ---- */

/* An event name is 1-128 characters from [A-Za-z0-9_.:]. */
#define TRACE_MAX_NAME 128
bool trace_valid_name(const char *name);

/*
 * The id of event type name, registering it on first use (ids count from 0
 * in registration order). Its enabled flag comes from the current filter.
 * Look ids up once at setup and keep them: this is a linear search. An
 * invalid name panics (names come from our code; a layer that takes names
 * from users checks them with trace_valid_name first). A NULL trace
 * returns -1, which trace_enabled treats as disabled.
 */
int trace_event_id(struct trace *t, const char *name);

/* The name of a registered id. */
const char *trace_event_name(const struct trace *t, int id);

/*
 * Chooses which event types are written. patterns is a comma-separated list;
 * each item (spaces around it ignored) is an event name or a glob where '*'
 * matches any run of characters, e.g. "mm_page_*,kmalloc". An item that
 * starts with '-' excludes. An event is written when it matches at least one
 * include item (or the list has none) and no exclude item, whatever the order
 * of the items: "-mm_page_pcpu_drain" alone means everything but that one.
 * NULL or "" means every event.
 *
 * The filter applies to event types already registered and to those
 * registered later. An item that matches no registered name is therefore not
 * an error (its events may be registered later); only a malformed item is:
 * then -1 is returned with a message in err, and the previous filter stays in
 * effect. Returns 0 on success.
 */
int trace_set_filter(struct trace *t, const char *patterns, char *err, size_t errlen);

static inline bool trace_enabled(const struct trace *t, int id)
{
	const struct trace_head *h = (const struct trace_head *)t;
	return h && (size_t)id < h->nr_events && h->enabled[id];
}

/* ---- Lines ---- */

/* Opens an event line: {"ev":NAME,"t":TIME[,"cpu":CPU][,"task":TASK].
 * The event must be enabled. Close with trace_end. */
void trace_begin(struct trace *t, int id, cycle_t time, int cpu, const char *task);
void trace_end(struct trace *t);

/* Opens and closes a line that is not an event (header, snapshot, summary):
 * "{" ... "}\n". */
void trace_line_begin(struct trace *t);
void trace_line_end(struct trace *t);

/*
 * Members. Inside an object (the line itself, or trace_obj_begin) key is the
 * member's name; inside an array (trace_arr_begin) key must be NULL and the
 * value is an element. Commas are placed automatically.
 */
void trace_u64(struct trace *t, const char *key, uint64_t v);
void trace_i64(struct trace *t, const char *key, int64_t v);
/* A string "0x1f000": lower case, no leading zeros, "0x0" for zero. JSON has
 * no hex numbers; addresses read better this way. */
void trace_hex(struct trace *t, const char *key, uint64_t v);
void trace_bool(struct trace *t, const char *key, bool v);
void trace_null(struct trace *t, const char *key);
/* The shortest of %.15g, %.16g, %.17g that reads back as the same double,
 * always with '.' as the decimal point whatever the C locale; NaN and the
 * infinities are not JSON and are written as null. */
void trace_double(struct trace *t, const char *key, double v);
/* A JSON string: '"', '\\' and bytes below 0x20 escaped (control characters
 * as \u00XX), every other byte passed through as it is (UTF-8 is the
 * caller's business). A NULL s writes null. */
void trace_str(struct trace *t, const char *key, const char *s);
void trace_strn(struct trace *t, const char *key, const char *s, size_t len);

/* Nested containers (at most 30 levels below the line). */
void trace_obj_begin(struct trace *t, const char *key);
void trace_obj_end(struct trace *t);
void trace_arr_begin(struct trace *t, const char *key);
void trace_arr_end(struct trace *t);

#endif
