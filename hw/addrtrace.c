/*
 * Address trace readers (din, lackey). The formats are described in
 * addrtrace.h; this file is about reading them fast and failing clearly.
 *
 * The reader owns one buffer of BUF_SIZE bytes plus slack. Invariants:
 *
 *   buf[0 .. len)       bytes read and not yet discarded;
 *   buf[pos .. limit)   complete lines not yet parsed: limit is just past the
 *                       last '\n' in buf[0 .. len), so a line parser may run
 *                       to its '\n' without checking the length;
 *   buf[limit .. len)   the start of a line whose end has not been read yet.
 *
 * refill() moves the partial line to the front, reads more, and recomputes
 * limit. At end of input a final line without '\n' gets one appended (the
 * slack byte), so every line ends with '\n'. A line longer than the buffer is
 * an error rather than a reason to grow: no trace format here has lines of
 * more than a few dozen bytes.
 *
 * Parsers are per format and write references straight into the caller's
 * batch. `line` counts '\n's consumed, so the line being parsed is line + 1.
 *
 * Each format has two parsers. The fast one takes only the shape that
 * valgrind and most din writers print ("0 7f00001fbd", " L 1ffefff0,8":
 * single separators, no 0x, no comment) and reads the address eight bytes at
 * a time: one word classifies eight characters as hexadecimal digits or not
 * and converts them, with no per-character branch (SWAR, "SIMD within a
 * register"). Any other line it declines, and the careful parser, which
 * accepts every form and explains every error, reads the line again from its
 * start. The fast parser accepts a subset of the careful one's language and
 * gives the same reference for it, so which one read a line never shows (a
 * test feeds both the same references). To let it load words past the end
 * of a line, the buffer has LOOKAHEAD zeroed bytes of slack past its largest
 * content.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hw/addrtrace.h"
#include "sim/types.h"

#define BUF_SIZE (1u << 18)
#define LOOKAHEAD 32u       /* readable bytes past the last line (see above) */
#define MAX_SIZE 65535u     /* Dinero IV's reference size is an unsigned short */

struct atrace {
	char *buf;
	size_t len, pos, limit;
	int fd;                 /* -1 for a memory source */
	const char *mem;        /* memory source: next bytes to hand out */
	size_t mem_left;
	int eof;                /* the source has nothing more */
	int failed;             /* an error was reported; every read fails */
	enum atrace_format fmt;
	uint64_t line;
	const char *name;
	char err[256];
};

/* Value + 1 of a hexadecimal digit, 0 for anything else. */
static const uint8_t hex1[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

int atrace_format_parse(const char *name, enum atrace_format *out)
{
	if (!strcmp(name, "din"))
		*out = ATRACE_DIN;
	else if (!strcmp(name, "lackey"))
		*out = ATRACE_LACKEY;
	else if (!strcmp(name, "auto"))
		*out = ATRACE_AUTO;
	else
		return -1;
	return 0;
}

const char *atrace_format_name(enum atrace_format f)
{
	switch (f) {
	case ATRACE_DIN: return "din";
	case ATRACE_LACKEY: return "lackey";
	default: return "auto";
	}
}

static struct atrace *make(const char *name, enum atrace_format fmt)
{
	struct atrace *t = mmsim_xcalloc(1, sizeof *t);
	t->fd = -1;
	/* Zeroed: the fast parsers' word loads may reach bytes never read
	 * into (no result depends on them, but tools such as valgrind would
	 * see undefined bytes go into a comparison). */
	t->buf = mmsim_xcalloc(1, BUF_SIZE + 1 + LOOKAHEAD);
	t->fmt = fmt;
	t->name = name;
	return t;
}

struct atrace *atrace_open_fd(int fd, const char *name, enum atrace_format fmt)
{
	struct atrace *t = make(name, fmt);
	t->fd = fd;
	return t;
}

struct atrace *atrace_open_mem(const char *buf, size_t len, const char *name,
			       enum atrace_format fmt)
{
	struct atrace *t = make(name, fmt);
	t->mem = buf;
	t->mem_left = len;
	return t;
}

void atrace_close(struct atrace *t)
{
	if (!t)
		return;
	free(t->buf);
	free(t);
}

const char *atrace_error(const struct atrace *t)
{
	return t->err;
}

enum atrace_format atrace_format(const struct atrace *t)
{
	return t->fmt;
}

uint64_t atrace_lines(const struct atrace *t)
{
	return t->line;
}

/* Records "NAME:LINE: message" for the line being parsed; returns -1. */
__attribute__((format(printf, 2, 3)))
static int fail(struct atrace *t, const char *fmt, ...)
{
	int n = snprintf(t->err, sizeof t->err, "%s:%llu: ", t->name,
			 (unsigned long long)t->line + 1);
	va_list ap;
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < sizeof t->err)
		vsnprintf(t->err + n, sizeof t->err - (size_t)n, fmt, ap);
	va_end(ap);
	t->failed = 1;
	return -1;
}

/* The line at p up to (not including) its '\n' or 40 bytes, for messages. */
static const char *excerpt(const char *p, char *out, size_t outlen)
{
	size_t n = 0;
	while (p[n] != '\n' && p[n] != '\r' && n + 1 < outlen && n < 40)
		n++;
	memcpy(out, p, n);
	out[n] = 0;
	return out;
}

/* Reads more input behind the unparsed tail. Returns 0, or -1 on error. */
static int refill(struct atrace *t)
{
	size_t keep = t->len - t->pos;
	memmove(t->buf, t->buf + t->pos, keep);
	t->len = keep;
	t->pos = 0;
	while (!t->eof && t->len < BUF_SIZE) {
		size_t want = BUF_SIZE - t->len;
		if (t->fd < 0) {
			size_t n = want < t->mem_left ? want : t->mem_left;
			memcpy(t->buf + t->len, t->mem, n);
			t->mem += n;
			t->mem_left -= n;
			t->len += n;
			if (!t->mem_left)
				t->eof = 1;
			break;
		}
		ssize_t r = read(t->fd, t->buf + t->len, want);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			snprintf(t->err, sizeof t->err, "%s: %s", t->name, strerror(errno));
			t->failed = 1;
			return -1;
		}
		if (r == 0) {
			t->eof = 1;
			break;
		}
		t->len += (size_t)r;
		/* A short read from a pipe: parse what is complete rather than
		 * wait for a full buffer. */
		if (memchr(t->buf + t->len - (size_t)r, '\n', (size_t)r))
			break;
	}
	size_t lim = t->len;
	while (lim > 0 && t->buf[lim - 1] != '\n')
		lim--;
	if (t->eof && lim < t->len) {
		t->buf[t->len++] = '\n';    /* the slack byte */
		lim = t->len;
	}
	if (lim == 0 && t->len >= BUF_SIZE)
		return fail(t, "line longer than %u bytes", BUF_SIZE);
	t->limit = lim;
	return 0;
}

static inline const char *skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Past the '\n' that ends every line in the buffer. */
static inline const char *next_line(const char *p)
{
	while (*p != '\n')
		p++;
	return p + 1;
}

static inline int is_end(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A hexadecimal number of 1..16 digits at *pp (0x allowed when allow_0x);
 * advances *pp. Returns 0, or -1 if there is none or it overflows. */
static inline int hex_number(const char **pp, uint64_t *out, int allow_0x)
{
	const unsigned char *p = (const unsigned char *)*pp;
	if (allow_0x && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && hex1[p[2]])
		p += 2;
	uint64_t v = 0;
	unsigned n = 0, d;
	while ((d = hex1[*p])) {
		v = v << 4 | (d - 1);
		p++;
		n++;
	}
	if (n == 0 || n > 16)
		return -1;
	*out = v;
	*pp = (const char *)p;
	return 0;
}

/* A decimal size 1..MAX_SIZE at *pp; advances *pp. 0, or -1. */
static inline int dec_size(const char **pp, uint32_t *out)
{
	const char *p = *pp;
	uint32_t v = 0;
	unsigned n = 0;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (uint32_t)(*p - '0');
		if (v > MAX_SIZE)
			return -1;
		p++;
		n++;
	}
	if (n == 0 || v == 0)
		return -1;
	*out = v;
	*pp = p;
	return 0;
}

/* ---- The fast parsers ---------------------------------------------------- */

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* The eight bytes at p as a little-endian word: byte i of the word is p[i]. */
static inline uint64_t load8(const char *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof v);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/* The high bit of each byte of x whose value is >= c, for bytes below 0x80
 * and c <= 0x80: (b | 0x80) - c never borrows from the next byte, and keeps
 * its high bit exactly when b >= c. */
static inline uint64_t bytes_ge(uint64_t x, unsigned c)
{
	return ((x | HIGHS) - ONES * c) & HIGHS;
}

/* The high bit of each byte of x that is not a hexadecimal digit. */
static inline uint64_t not_hex(uint64_t x)
{
	uint64_t lower = x | ONES * 0x20;   /* 'A'-'F' to 'a'-'f'; nothing else lands there */
	uint64_t digit = bytes_ge(x, '0') & ~bytes_ge(x, '9' + 1);
	uint64_t alpha = bytes_ge(lower, 'a') & ~bytes_ge(lower, 'f' + 1);
	return ~((digit | alpha) & ~x) & HIGHS;   /* & ~x: bytes >= 0x80 are not digits */
}

/* The value of the hexadecimal digits in bytes 0 .. n-1 of x (1 <= n <= 8;
 * byte 0 the most significant digit). */
static inline uint64_t hex_value(uint64_t x, unsigned n)
{
	x <<= 8 * (8 - n);                       /* drop bytes n..7, zeros in front */
	x = (x & ONES * 0x0f) + ((x >> 6) & ONES) * 9;   /* each byte its digit's value */
	x = ((x << 4) | (x >> 8)) & UINT64_C(0x00ff00ff00ff00ff);   /* pairs of digits */
	x = ((x << 8) | (x >> 16)) & UINT64_C(0x0000ffff0000ffff);  /* fours */
	return ((x << 16) | (x >> 32)) & UINT64_C(0xffffffff);      /* eights */
}

/* A hexadecimal number of 1..16 digits at p (no 0x). Returns the number of
 * digits and the value in *out, or 0 when p does not start with a digit or
 * the digits may run past 16 (the careful parser then decides). Reads 16
 * bytes from p. */
static inline unsigned hex_fast(const char *p, uint64_t *out)
{
	uint64_t a = load8(p);
	uint64_t na = not_hex(a);
	if (na) {
		unsigned n = (unsigned)__builtin_ctzll(na) / 8;
		if (n == 0)
			return 0;
		*out = hex_value(a, n);
		return n;
	}
	uint64_t b = load8(p + 8);
	uint64_t nb = not_hex(b);
	if (!nb)
		return 0;
	unsigned n = (unsigned)__builtin_ctzll(nb) / 8;
	uint64_t hi = hex_value(a, 8);
	*out = n ? hi << (4 * n) | hex_value(b, n) : hi;
	return 8 + n;
}

/* "L ADDRESS\n" with L in 0..4, one space and no 0x: fills *r and returns
 * the next line, or NULL for any other line. */
static inline const char *din_fast(const char *p, struct atrace_ref *r)
{
	unsigned label = (unsigned char)p[0] - '0';
	uint64_t addr;
	if (label > ATRACE_FLUSH || p[1] != ' ')
		return NULL;
	unsigned n = hex_fast(p + 2, &addr);
	if (!n || p[2 + n] != '\n')
		return NULL;
	r->addr = addr & ~(uint64_t)3;   /* Dinero IV: 4 bytes, word-aligned */
	r->size = 4;
	r->type = label;
	return p + 3 + n;
}

/* valgrind's own lines, "I  ADDR,SIZE\n" and " L|S|M ADDR,SIZE\n" with a
 * size of 1..99 written without a leading zero: fills r[0] (and r[1] for
 * M), sets *nrefs, returns the next line; NULL for any other line. */
static inline const char *lackey_fast(const char *p, struct atrace_ref *r, int *nrefs)
{
	uint32_t type;
	if (p[0] == 'I' && p[1] == ' ' && p[2] == ' ')
		type = ATRACE_INSTR;
	else if (p[0] == ' ' && p[2] == ' ' && (p[1] == 'L' || p[1] == 'M'))
		type = ATRACE_READ;
	else if (p[0] == ' ' && p[2] == ' ' && p[1] == 'S')
		type = ATRACE_WRITE;
	else
		return NULL;
	uint64_t addr;
	unsigned n = hex_fast(p + 3, &addr);
	if (!n || p[3 + n] != ',')
		return NULL;
	const char *q = p + 4 + n;
	unsigned d0 = (unsigned char)q[0] - '0', d1 = (unsigned char)q[1] - '0';
	uint32_t size;
	if (d0 - 1 > 8)                      /* not 1..9 */
		return NULL;
	if (q[1] == '\n') {
		size = d0;
		q += 2;
	} else if (d1 <= 9 && q[2] == '\n') {
		size = d0 * 10 + d1;
		q += 3;
	} else {
		return NULL;
	}
	r[0].addr = addr;
	r[0].size = size;
	r[0].type = type;
	*nrefs = 1;
	if (p[1] == 'M') {
		r[1].addr = addr;
		r[1].size = size;
		r[1].type = ATRACE_WRITE;
		*nrefs = 2;
	}
	return q;
}

/* ---- The careful parsers --------------------------------------------------- */

/* One din line at p (ending in '\n'): 1 and *r filled, 0 for a blank line,
 * -1 on error. *end is set past the '\n'. */
static int din_line(struct atrace *t, const char *p, struct atrace_ref *r, const char **end)
{
	char ex[48];
	const char *line = p;
	p = skip_blanks(p);
	if (*p == '\n' || (*p == '\r' && p[1] == '\n')) {
		*end = p + (*p == '\r' ? 2 : 1);
		return 0;
	}
	uint64_t label;
	if (hex_number(&p, &label, 0) || !(*p == ' ' || *p == '\t'))
		return fail(t, "din: expected LABEL ADDRESS [SIZE], got '%s'",
			    excerpt(line, ex, sizeof ex));
	if (label > ATRACE_FLUSH)
		return fail(t, "din: label %llu is not 0 (read), 1 (write), 2 (instruction), "
			    "3 (misc) or 4 (flush)", (unsigned long long)label);
	p = skip_blanks(p);
	uint64_t addr;
	if (hex_number(&p, &addr, 1) || !is_end(*p))
		return fail(t, "din: bad hexadecimal address in '%s'", excerpt(line, ex, sizeof ex));
	p = skip_blanks(p);
	uint32_t size = 4;
	if (*p >= '0' && *p <= '9') {
		if (dec_size(&p, &size) || !is_end(*p))
			return fail(t, "din: bad size in '%s' (a decimal number of bytes, 1 to %u)",
				    excerpt(line, ex, sizeof ex), MAX_SIZE);
	} else {
		addr &= ~(uint64_t)3;   /* Dinero IV: 4 bytes, word-aligned */
	}
	/* The rest of the line is a comment, as in Dinero IV. */
	*end = next_line(p);
	r->addr = addr;
	r->size = size;
	r->type = (uint32_t)label;
	return 1;
}

/* One lackey line; returns the number of references (0, 1 or 2; M gives
 * two) or -1. */
static int lackey_line(struct atrace *t, const char *p, struct atrace_ref *r, const char **end)
{
	char ex[48];
	const char *line = p;
	uint32_t type;
	int two = 0;
	if (p[0] == 'I' && p[1] == ' ') {
		type = ATRACE_INSTR;
		p += 2;
	} else if (p[0] == ' ' && p[2] == ' ' && (p[1] == 'L' || p[1] == 'S' || p[1] == 'M')) {
		type = p[1] == 'S' ? ATRACE_WRITE : ATRACE_READ;
		two = p[1] == 'M';
		p += 3;
	} else if (p[0] == '=' && p[1] == '=') {
		*end = next_line(p);
		return 0;
	} else {
		const char *q = skip_blanks(p);
		if (*q == '\r')
			q++;
		if (*q == '\n') {
			*end = q + 1;
			return 0;
		}
		return fail(t, "lackey: expected 'I  ADDR,SIZE' or ' L|S|M ADDR,SIZE', got '%s'",
			    excerpt(line, ex, sizeof ex));
	}
	p = skip_blanks(p);
	uint64_t addr;
	uint32_t size;
	if (hex_number(&p, &addr, 1) || *p != ',')
		return fail(t, "lackey: bad address in '%s'", excerpt(line, ex, sizeof ex));
	p++;
	if (dec_size(&p, &size))
		return fail(t, "lackey: bad size in '%s'", excerpt(line, ex, sizeof ex));
	p = skip_blanks(p);
	if (*p == '\r')
		p++;
	if (*p != '\n')
		return fail(t, "lackey: unexpected text after the size in '%s'",
			    excerpt(line, ex, sizeof ex));
	*end = p + 1;
	r[0].addr = addr;
	r[0].size = size;
	r[0].type = type;
	if (!two)
		return 1;
	r[1].addr = addr;
	r[1].size = size;
	r[1].type = ATRACE_WRITE;
	return 2;
}

/* Decides the format from the line at p, or leaves it AUTO for a line that
 * says nothing (blank, "=="). Returns 0, or -1 if the line fits neither. */
static int detect(struct atrace *t, const char *p)
{
	char ex[48];
	if ((p[0] == 'I' && p[1] == ' ') ||
	    (p[0] == ' ' && p[2] == ' ' && (p[1] == 'L' || p[1] == 'S' || p[1] == 'M'))) {
		t->fmt = ATRACE_LACKEY;
		return 0;
	}
	if (p[0] == '=' && p[1] == '=')
		return 0;
	const char *q = skip_blanks(p);
	if (*q == '\n' || (*q == '\r' && q[1] == '\n'))   /* blank, as the parsers read it */
		return 0;
	if (hex1[(unsigned char)*q]) {
		t->fmt = ATRACE_DIN;
		return 0;
	}
	return fail(t, "cannot tell the trace format from '%s' (din: 'LABEL ADDRESS', "
		    "lackey: ' L ADDR,SIZE'); use --format", excerpt(p, ex, sizeof ex));
}

long atrace_read(struct atrace *t, struct atrace_ref *out, size_t n)
{
	MMSIM_ASSERT(n >= 2);
	if (t->failed)
		return -1;
	size_t k = 0;
	while (k + 2 <= n) {
		if (t->pos >= t->limit) {
			if (t->eof)
				break;
			if (refill(t))
				return -1;
			continue;
		}
		const char *p = t->buf + t->pos, *end = p;
		const char *stop = t->buf + t->limit;
		if (t->fmt == ATRACE_AUTO) {
			if (detect(t, p))
				return -1;
			if (t->fmt == ATRACE_AUTO) {   /* nothing to decide on: skip it */
				t->pos = (size_t)(next_line(p) - t->buf);
				t->line++;
				continue;
			}
		}
		/* The hot loops: whole lines until the batch is full or the
		 * complete lines run out; the careful parser for the lines the
		 * fast one declines. The line count lives in a local (a store
		 * to t->line might alias the references written), brought up
		 * to date before the careful parser, which may report it. */
		uint64_t lines = t->line;
		if (t->fmt == ATRACE_DIN) {
			while (k < n && p < stop) {
				const char *next = din_fast(p, out + k);
				if (next) {
					k++;
				} else {
					t->line = lines;
					int r = din_line(t, p, out + k, &end);
					if (r < 0)
						return -1;
					k += (size_t)r;
					next = end;
				}
				lines++;
				p = next;
			}
		} else {
			while (k + 2 <= n && p < stop) {
				int r;
				const char *next = lackey_fast(p, out + k, &r);
				if (!next) {
					t->line = lines;
					r = lackey_line(t, p, out + k, &end);
					if (r < 0)
						return -1;
					next = end;
				}
				k += (size_t)r;
				lines++;
				p = next;
			}
		}
		t->line = lines;
		t->pos = (size_t)(p - t->buf);
	}
	return (long)k;
}
