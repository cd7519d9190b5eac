/*
 * Readers for address traces written by other tools, for `mmsim cache`:
 *
 *   din     Dinero IV's input format: one reference per line,
 *           "LABEL ADDRESS [SIZE]" with a hexadecimal label and address
 *           (an optional 0x on the address). Labels: 0 read, 1 write,
 *           2 instruction fetch, 3 misc (Dinero's "unknown access type":
 *           a read-like data access counted in its own column), 4 flush
 *           (Dinero's copy-back of the line holding ADDRESS at every level).
 *           Without SIZE a reference is Dinero's: 4 bytes at ADDRESS & ~3.
 *           SIZE (decimal, 1..65535) is an mmsim extension: SIZE bytes at
 *           exactly ADDRESS. Anything after the fields that does not start
 *           with a digit is a comment, as Dinero ignores the rest of a line.
 *           Blank lines are skipped.
 *   lackey  valgrind --tool=lackey --trace-mem=yes output: "I  ADDR,SIZE"
 *           (instruction), " L ADDR,SIZE" (load), " S ADDR,SIZE" (store),
 *           " M ADDR,SIZE" (modify: a load then a store of the same bytes, so
 *           two references). Lines starting "==" are valgrind's own messages
 *           and are skipped.
 *
 * The reader works on big blocks read with read(2) and hands out references
 * in batches, so parsing costs a few nanoseconds per line. A line it cannot
 * read stops it with a message naming the line number.
 *
 * Auto-detection looks at the first line that is neither blank nor a "=="
 * line: lackey lines start with "I " or " L ", " S ", " M "; din lines with
 * a hexadecimal digit.
 */
#ifndef MMSIM_HW_ADDRTRACE_H
#define MMSIM_HW_ADDRTRACE_H

#include <stddef.h>
#include <stdint.h>

/* Access types, numbered as Dinero IV's D4XREAD... so din labels map 1:1. */
enum atrace_type {
	ATRACE_READ = 0,
	ATRACE_WRITE = 1,
	ATRACE_INSTR = 2,
	ATRACE_MISC = 3,
	ATRACE_FLUSH = 4,   /* copy back the line holding addr (din label 4) */
};
#define ATRACE_NR_ACCESS 4  /* READ..MISC: the kinds that are counted */

enum atrace_format {
	ATRACE_AUTO,
	ATRACE_DIN,
	ATRACE_LACKEY,
};

struct atrace_ref {
	uint64_t addr;
	uint32_t size;      /* bytes, >= 1 */
	uint32_t type;      /* enum atrace_type */
};

struct atrace;

/* "din", "lackey", "auto"; 0 or -1 if unknown. */
int atrace_format_parse(const char *name, enum atrace_format *out);
const char *atrace_format_name(enum atrace_format f);

/*
 * A reader of fd (not closed by the reader) whose errors name the trace
 * `name` (a file name, "standard input"). Never fails (panics on host
 * out-of-memory).
 */
struct atrace *atrace_open_fd(int fd, const char *name, enum atrace_format fmt);
/* A reader of len bytes at buf (kept, not copied, until atrace_close). */
struct atrace *atrace_open_mem(const char *buf, size_t len, const char *name,
			       enum atrace_format fmt);
void atrace_close(struct atrace *t);

/*
 * Up to n (>= 2) references into out. Returns how many, 0 at the end of the
 * trace, or -1 when a line cannot be read or read(2) fails: atrace_error()
 * then says why as "NAME:LINE: message" and later calls return -1 again.
 */
long atrace_read(struct atrace *t, struct atrace_ref *out, size_t n);
const char *atrace_error(const struct atrace *t);

/* The format in use: the one asked for, or the one detected once the first
 * references have been read (ATRACE_AUTO before that or for an empty trace). */
enum atrace_format atrace_format(const struct atrace *t);
/* Lines read so far (the number of the last line parsed). */
uint64_t atrace_lines(const struct atrace *t);

#endif
