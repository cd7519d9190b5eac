/*
 * The trace writer (see trace.h for the line format and the contract).
 *
 * Output buffer. buf[0..len) holds bytes not yet handed to the stream.
 * Every writer first reserves the most bytes it can produce (reserve()):
 * if they do not fit, the buffer is flushed, so the formatting code itself
 * writes through a plain char pointer with no bounds checks. Fixed-size
 * pieces (numbers, keys, names, each at most a few hundred bytes) are
 * reserved whole; a string of any length is copied in runs through
 * put_bytes(), which flushes as often as it needs. A line may straddle two
 * flushes: the file is a stream, not a list of buffers. When the trace opened
 * the file it makes the stream unbuffered, so each flush is one write(2) of
 * up to 64 KiB and no byte is copied twice.
 *
 * Errors. The first failed write records a message and sets `failed`; from
 * then on flushes discard the buffer, so a failing disk costs nothing and
 * the simulation can finish and report the error once, at close.
 *
 * Nesting. depth is 0 between lines, 1 inside a line's top object, and one
 * more per open object or array. Bit d of `nonempty` says the container at
 * depth d already has a member (so the next one needs a comma); bit d of
 * `is_array` says it is an array (members have no key). Both words are reset
 * for a level when it is opened, so nothing needs clearing when it closes.
 *
 * Event types. ev[id] holds the name and the ready-made line opening
 * {"ev":"NAME","t": that trace_begin copies with one memcpy; enabled[id] is
 * the filter's verdict, recomputed for every type when the filter changes
 * and computed for a new type when it is registered, so the filter never
 * depends on registration order.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/ofile.h"
#include "sim/trace.h"

#define BUF_SIZE   (64 * 1024)
#define MAX_DEPTH  31            /* bits of a uint32_t, bit 0 unused */
#define MAX_KEY    128           /* keys are literals; this bounds reserve() */
#define ERR_SIZE   512

struct event_type {
	char *name;
	char *prefix;        /* {"ev":"NAME","t": */
	size_t prefix_len;
};

struct pattern {
	char *glob;
	bool exclude;
};

struct filter {
	struct pattern *v;
	size_t n;
	bool has_include;
};

struct trace {
	struct trace_head head;   /* first: trace_enabled() reads it */
	unsigned char *enabled;   /* == head.enabled, writable */

	char *buf;
	size_t len;
	uint64_t flushed;         /* bytes handed to the stream before buf */
	FILE *fp;
	bool own_fp;              /* opened by trace_open: of is ours */
	struct ofile *of;
	const char *fatal_prefix; /* trace_exit_on_error: message prefix ... */
	int fatal_status;         /* ... and exit status; NULL prefix: off */
	char *name;               /* the file, for messages */
	bool failed;
	char errmsg[ERR_SIZE];
	struct trace_counters ctr;

	unsigned depth;
	uint32_t nonempty;
	uint32_t is_array;

	struct event_type *ev;
	size_t ev_cap;
	struct filter filter;
};

/* trace_exit_on_error's end: nothing after a failed write can reach the
 * file, so stop here rather than at the end of a run whose output is lost. */
static void die(struct trace *t)
{
	fprintf(stderr, "%s%s\n", t->fatal_prefix, t->errmsg);
	if (t->own_fp)
		ofile_discard(t->of);
	if (t->fp == stdout) {
		/* exit() would flush the failed stream again and report it
		 * twice; nothing else can reach it now anyway. */
		ofile_cleanup();
		_exit(t->fatal_status);
	}
	exit(t->fatal_status);
}

static void set_error(struct trace *t, const char *what, int errnum)
{
	if (t->failed)
		return;
	t->failed = true;
	snprintf(t->errmsg, sizeof t->errmsg, "%s: %s: %s", t->name, what,
		 errnum ? strerror(errnum) : "unknown error");
	if (t->fatal_prefix)
		die(t);
}

static void flush(struct trace *t)
{
	if (t->len && !t->failed) {
		/* Fault injection (sim/types.h): the disk fills up half-way
		 * through this write. */
		bool full = mmsim_fault_write();
		size_t n = full ? t->len / 2 : t->len;
		errno = 0;
		if (fwrite(t->buf, 1, n, t->fp) != n || full)
			set_error(t, "write failed", full ? ENOSPC : errno);
	}
	t->flushed += t->len;
	t->len = 0;
}

/* Room for n more bytes at the returned pointer. */
static inline char *reserve(struct trace *t, size_t n)
{
	if (BUF_SIZE - t->len < n)
		flush(t);
	return t->buf + t->len;
}

static inline void commit(struct trace *t, char *end)
{
	t->len = (size_t)(end - t->buf);
}

static void put_bytes(struct trace *t, const char *s, size_t n)
{
	while (n > BUF_SIZE - t->len) {
		size_t room = BUF_SIZE - t->len;
		memcpy(t->buf + t->len, s, room);
		t->len += room;
		s += room;
		n -= room;
		flush(t);
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
}

/* ---- Number formatting ---- */

static const char digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

static inline unsigned count_digits(uint64_t v)
{
	unsigned n = 1;
	for (;;) {
		if (v < 10)
			return n;
		if (v < 100)
			return n + 1;
		if (v < 1000)
			return n + 2;
		if (v < 10000)
			return n + 3;
		v /= 10000;
		n += 4;
	}
}

/* Decimal digits of v at p (at most 20); returns the end. Two digits per
 * division, written from the right once the length is known. */
static inline char *put_u64(char *p, uint64_t v)
{
	char *end = p + count_digits(v);
	char *q = end;
	while (v >= 100) {
		unsigned r = (unsigned)(v % 100);
		v /= 100;
		q -= 2;
		memcpy(q, digit_pairs + 2 * r, 2);
	}
	if (v >= 10) {
		q -= 2;
		memcpy(q, digit_pairs + 2 * v, 2);
	} else {
		*--q = (char)('0' + v);
	}
	return end;
}

static inline char *put_i64(char *p, int64_t v)
{
	if (v < 0) {
		*p++ = '-';
		return put_u64(p, -(uint64_t)v);   /* unsigned negation: INT64_MIN is fine */
	}
	return put_u64(p, (uint64_t)v);
}

/* "0x" and lower-case hex digits, at most 18 bytes. */
static char *put_hex(char *p, uint64_t v)
{
	static const char hex[] = "0123456789abcdef";
	unsigned n = (unsigned)(64 - __builtin_clzll(v | 1) + 3) / 4;
	*p++ = '0';
	*p++ = 'x';
	for (unsigned i = n; i-- > 0; v >>= 4)
		p[i] = hex[v & 15];
	return p + n;
}

/*
 * Shortest round-trip form among %.15g..%.17g. printf and strtod follow the
 * same LC_NUMERIC, so the round-trip test is consistent; then whatever that
 * locale uses as decimal point (the only run of bytes %g writes that is not
 * a digit, sign or exponent mark) becomes '.'. At most 24 bytes out.
 */
static size_t format_double(char *out, double v)
{
	char tmp[64];
	for (int prec = 15;; prec++) {
		snprintf(tmp, sizeof tmp, "%.*g", prec, v);
		if (prec == 17 || strtod(tmp, NULL) == v)
			break;
	}
	size_t n = 0;
	for (const char *c = tmp; *c;) {
		if ((*c >= '0' && *c <= '9') || *c == '-' || *c == '+' || *c == 'e') {
			out[n++] = *c++;
		} else {
			out[n++] = '.';
			while (*c && !((*c >= '0' && *c <= '9') || *c == 'e'))
				c++;
		}
	}
	return n;
}

/* ---- Strings ---- */

/* 1 for the bytes JSON requires escaped: controls, '"' and '\\'. */
static const unsigned char needs_escape[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	['"'] = 1, ['\\'] = 1,
};

static void put_escaped(struct trace *t, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	while (n) {
		size_t run = 0;
		while (run < n && !needs_escape[(unsigned char)s[run]])
			run++;
		put_bytes(t, s, run);
		s += run;
		n -= run;
		if (!n)
			break;
		unsigned char c = (unsigned char)*s++;
		n--;
		char *p = reserve(t, 6);
		*p++ = '\\';
		if (c == '"' || c == '\\') {
			*p++ = (char)c;
		} else {
			memcpy(p, "u00", 3);
			p[3] = hex[c >> 4];
			p[4] = hex[c & 15];
			p += 5;
		}
		commit(t, p);
	}
}

/* ---- Structure ---- */

/*
 * Starts a member at the current level: checks the key matches the container,
 * reserves room for the comma, the key and `extra` bytes of value, writes the
 * comma and the key, and returns where the value goes.
 */
static inline char *member(struct trace *t, const char *key, size_t extra)
{
	unsigned d = t->depth;
	MMSIM_ASSERT(d > 0);                                   /* inside a line */
	MMSIM_ASSERT((key == NULL) == ((t->is_array >> d) & 1)); /* key iff in an object */
	size_t klen = 0;
	if (key) {
		klen = strlen(key);
		MMSIM_ASSERT(klen <= MAX_KEY);
	}
	char *p = reserve(t, klen + 4 + extra);
	if (t->nonempty & (UINT32_C(1) << d))
		*p++ = ',';
	else
		t->nonempty |= UINT32_C(1) << d;
	if (key) {
		*p++ = '"';
		memcpy(p, key, klen);
		p += klen;
		*p++ = '"';
		*p++ = ':';
	}
	return p;
}

static void open_level(struct trace *t, bool array)
{
	MMSIM_ASSERT(t->depth < MAX_DEPTH);
	unsigned d = ++t->depth;
	t->nonempty &= ~(UINT32_C(1) << d);
	if (array)
		t->is_array |= UINT32_C(1) << d;
	else
		t->is_array &= ~(UINT32_C(1) << d);
}

static void close_level(struct trace *t, bool array, char close)
{
	MMSIM_ASSERT(t->depth > 1);                              /* not the line itself */
	MMSIM_ASSERT(((t->is_array >> t->depth) & 1) == array);  /* } closes {, ] closes [ */
	char *p = reserve(t, 1);
	*p++ = close;
	commit(t, p);
	t->depth--;
}

void trace_line_begin(struct trace *t)
{
	MMSIM_ASSERT(t != NULL);
	MMSIM_ASSERT(t->depth == 0);
	char *p = reserve(t, 1);
	*p++ = '{';
	commit(t, p);
	open_level(t, false);
}

void trace_line_end(struct trace *t)
{
	MMSIM_ASSERT(t != NULL);
	MMSIM_ASSERT(t->depth == 1);
	char *p = reserve(t, 2);
	*p++ = '}';
	*p++ = '\n';
	commit(t, p);
	t->depth = 0;
	t->ctr.lines++;
	t->ctr.bytes = t->flushed + t->len;
}

void trace_begin(struct trace *t, int id, cycle_t time, int cpu, const char *task)
{
	MMSIM_ASSERT(trace_enabled(t, id));
	MMSIM_ASSERT(t->depth == 0);
	const struct event_type *e = &t->ev[id];
	char *p = reserve(t, e->prefix_len + 20 + 7 + 10);
	memcpy(p, e->prefix, e->prefix_len);
	p = put_u64(p + e->prefix_len, time);
	if (cpu >= 0) {
		memcpy(p, ",\"cpu\":", 7);
		p = put_u64(p + 7, (uint64_t)cpu);
	}
	commit(t, p);
	t->depth = 1;
	t->nonempty |= UINT32_C(1) << 1;
	t->is_array &= ~(UINT32_C(1) << 1);
	if (task)
		trace_str(t, "task", task);
}

void trace_end(struct trace *t)
{
	trace_line_end(t);
}

void trace_obj_begin(struct trace *t, const char *key)
{
	char *p = member(t, key, 1);
	*p++ = '{';
	commit(t, p);
	open_level(t, false);
}

void trace_obj_end(struct trace *t)
{
	close_level(t, false, '}');
}

void trace_arr_begin(struct trace *t, const char *key)
{
	char *p = member(t, key, 1);
	*p++ = '[';
	commit(t, p);
	open_level(t, true);
}

void trace_arr_end(struct trace *t)
{
	close_level(t, true, ']');
}

/* ---- Values ---- */

void trace_u64(struct trace *t, const char *key, uint64_t v)
{
	commit(t, put_u64(member(t, key, 20), v));
}

void trace_i64(struct trace *t, const char *key, int64_t v)
{
	commit(t, put_i64(member(t, key, 20), v));
}

void trace_hex(struct trace *t, const char *key, uint64_t v)
{
	char *p = member(t, key, 20);
	*p++ = '"';
	p = put_hex(p, v);
	*p++ = '"';
	commit(t, p);
}

void trace_bool(struct trace *t, const char *key, bool v)
{
	char *p = member(t, key, 5);
	if (v) {
		memcpy(p, "true", 4);
		p += 4;
	} else {
		memcpy(p, "false", 5);
		p += 5;
	}
	commit(t, p);
}

void trace_null(struct trace *t, const char *key)
{
	char *p = member(t, key, 4);
	memcpy(p, "null", 4);
	commit(t, p + 4);
}

void trace_double(struct trace *t, const char *key, double v)
{
	char *p = member(t, key, 32);
	if (isfinite(v)) {
		p += format_double(p, v);
	} else {
		memcpy(p, "null", 4);
		p += 4;
	}
	commit(t, p);
}

void trace_strn(struct trace *t, const char *key, const char *s, size_t len)
{
	if (!s) {
		trace_null(t, key);
		return;
	}
	char *p = member(t, key, 1);
	*p++ = '"';
	commit(t, p);
	put_escaped(t, s, len);
	p = reserve(t, 1);
	*p++ = '"';
	commit(t, p);
}

void trace_str(struct trace *t, const char *key, const char *s)
{
	trace_strn(t, key, s, s ? strlen(s) : 0);
}

/* ---- Filter ---- */

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == ':';
}

bool trace_valid_name(const char *name)
{
	size_t n = 0;
	if (!name)
		return false;
	for (; name[n]; n++)
		if (!name_char(name[n]))
			return false;
	return n > 0 && n <= TRACE_MAX_NAME;
}

/* '*' matches any run, including an empty one. On a mismatch after a star,
 * the star absorbs one more character and matching resumes: linear in
 * practice, quadratic at worst, and names are short. */
static bool glob_match(const char *pat, const char *s)
{
	const char *star = NULL, *resume = NULL;
	while (*s) {
		if (*pat == '*') {
			star = ++pat;
			resume = s;
		} else if (*pat == *s) {
			pat++;
			s++;
		} else if (star) {
			pat = star;
			s = ++resume;
		} else {
			return false;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

static bool filter_accepts(const struct filter *f, const char *name)
{
	bool included = !f->has_include;
	for (size_t i = 0; i < f->n; i++) {
		if (!glob_match(f->v[i].glob, name))
			continue;
		if (f->v[i].exclude)
			return false;
		included = true;
	}
	return included;
}

static void filter_free(struct filter *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->v[i].glob);
	free(f->v);
	f->v = NULL;
	f->n = 0;
	f->has_include = false;
}

static int filter_error(char *err, size_t errlen, const char *patterns, const char *what)
{
	if (err && errlen)
		snprintf(err, errlen, "trace filter \"%s\": %s", patterns, what);
	return -1;
}

/* Parses patterns into f (empty on entry). Returns 0 or -1 with err set. */
static int filter_parse(struct filter *f, const char *patterns, char *err, size_t errlen)
{
	const char *s = patterns;
	for (;;) {
		const char *end = strchr(s, ',');
		if (!end)
			end = s + strlen(s);
		const char *a = s, *b = end;
		while (a < b && (*a == ' ' || *a == '\t'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		bool exclude = a < b && *a == '-';
		const char *g = a + exclude;
		char what[200];
		if (g == b) {
			snprintf(what, sizeof what, "empty item \"%.*s\"", (int)(b - a), a);
			return filter_error(err, errlen, patterns, what);
		}
		for (const char *c = g; c < b; c++) {
			if (!name_char(*c) && *c != '*') {
				/* Patterns come from users: a control or non-ASCII
				 * byte is shown as hex, not written raw. */
				unsigned char u = (unsigned char)*c;
				char shown[8];
				if (u >= 0x20 && u < 0x7f)
					snprintf(shown, sizeof shown, "'%c'", u);
				else
					snprintf(shown, sizeof shown, "0x%02x", u);
				snprintf(what, sizeof what,
					 "bad character %s in \"%.*s\" (an item is a name of "
					 "[A-Za-z0-9_.:] with '*' wildcards, excluded by a leading '-')",
					 shown, (int)(b - a), a);
				return filter_error(err, errlen, patterns, what);
			}
		}
		f->v = mmsim_xrealloc(f->v, (f->n + 1) * sizeof *f->v);
		struct pattern *pt = &f->v[f->n++];
		pt->glob = mmsim_xmalloc((size_t)(b - g) + 1);
		memcpy(pt->glob, g, (size_t)(b - g));
		pt->glob[b - g] = '\0';
		pt->exclude = exclude;
		if (!exclude)
			f->has_include = true;
		if (!*end)
			return 0;
		s = end + 1;
	}
}

int trace_set_filter(struct trace *t, const char *patterns, char *err, size_t errlen)
{
	MMSIM_ASSERT(t != NULL);
	struct filter f = {NULL, 0, false};
	if (patterns && *patterns && filter_parse(&f, patterns, err, errlen) < 0) {
		filter_free(&f);
		return -1;
	}
	filter_free(&t->filter);
	t->filter = f;
	for (size_t i = 0; i < t->head.nr_events; i++)
		t->enabled[i] = filter_accepts(&t->filter, t->ev[i].name);
	return 0;
}

/* ---- Event types ---- */

int trace_event_id(struct trace *t, const char *name)
{
	if (!t)
		return -1;
	/* Checked before the search, which would crash on NULL. */
	if (!trace_valid_name(name))
		mmsim_panic("trace: invalid event name \"%s\"", name ? name : "(null)");
	for (size_t i = 0; i < t->head.nr_events; i++)
		if (strcmp(t->ev[i].name, name) == 0)
			return (int)i;
	size_t id = t->head.nr_events;
	if (id == t->ev_cap) {
		t->ev_cap = t->ev_cap ? 2 * t->ev_cap : 32;
		t->ev = mmsim_xrealloc(t->ev, t->ev_cap * sizeof *t->ev);
		t->enabled = mmsim_xrealloc(t->enabled, t->ev_cap);
		t->head.enabled = t->enabled;
	}
	struct event_type *e = &t->ev[id];
	size_t n = strlen(name);
	e->name = mmsim_xstrdup(name);
	e->prefix = mmsim_xmalloc(n + 16);
	memcpy(e->prefix, "{\"ev\":\"", 7);
	memcpy(e->prefix + 7, name, n);
	memcpy(e->prefix + 7 + n, "\",\"t\":", 6);
	e->prefix_len = n + 13;
	t->enabled[id] = filter_accepts(&t->filter, name);
	t->head.nr_events = id + 1;
	return (int)id;
}

const char *trace_event_name(const struct trace *t, int id)
{
	MMSIM_ASSERT(t != NULL && (size_t)id < t->head.nr_events);
	return t->ev[id].name;
}

/* ---- Life cycle ---- */

struct trace *trace_open_fp(FILE *fp, const char *name)
{
	MMSIM_ASSERT(fp != NULL);
	struct trace *t = mmsim_xcalloc(1, sizeof *t);
	t->buf = mmsim_xmalloc(BUF_SIZE);
	t->fp = fp;
	t->name = mmsim_xstrdup(name ? name : "trace");
	return t;
}

struct trace *trace_open(const char *path, char *err, size_t errlen)
{
	if (strcmp(path, "-") == 0)
		return trace_open_fp(stdout, "standard output");
	/* Heap-allocated: the list of live temporary files points to it. */
	struct ofile *of = mmsim_xmalloc(sizeof *of);
	if (ofile_open(of, path, err, errlen)) {
		free(of);
		return NULL;
	}
	/* Our buffer is the only one: each flush becomes one write(2). */
	setvbuf(of->fp, NULL, _IONBF, 0);
	struct trace *t = trace_open_fp(of->fp, path);
	t->of = of;
	t->own_fp = true;
	return t;
}

void trace_exit_on_error(struct trace *t, const char *prefix, int status)
{
	t->fatal_prefix = prefix;
	t->fatal_status = status;
	if (t->failed && prefix)
		die(t);   /* failed already: stop now */
}

int trace_flush(struct trace *t)
{
	flush(t);
	if (!t->failed) {
		errno = 0;
		if (fflush(t->fp) != 0)
			set_error(t, "write failed", errno);
	}
	return t->failed ? -1 : 0;
}

const char *trace_error(const struct trace *t)
{
	return t->failed ? t->errmsg : NULL;
}

const struct trace_counters *trace_counters(const struct trace *t)
{
	return &t->ctr;
}

int trace_close_err(struct trace *t, char *err, size_t errlen)
{
	if (!t)
		return 0;
	if (t->depth != 0)
		mmsim_panic("trace %s closed with a line still open", t->name);
	trace_flush(t);
	if (t->own_fp) {
		/* A trace whose writes failed, or that never got a byte (a
		 * usage error after trace_open), is not put in place: what
		 * was at the path stays (sim/ofile.h). */
		char why[ERR_SIZE];
		if (t->failed || t->flushed == 0)
			ofile_discard(t->of);   /* a failed or empty trace replaces nothing */
		else if (ofile_commit(t->of, why, sizeof why)) {
			t->failed = true;
			snprintf(t->errmsg, sizeof t->errmsg, "%s", why);
		}
		free(t->of);
	}
	int rc = t->failed ? -1 : 0;
	if (rc && err && errlen)
		snprintf(err, errlen, "%s", t->errmsg);
	for (size_t i = 0; i < t->head.nr_events; i++) {
		free(t->ev[i].name);
		free(t->ev[i].prefix);
	}
	free(t->ev);
	free(t->enabled);
	filter_free(&t->filter);
	free(t->name);
	free(t->buf);
	free(t);
	return rc;
}

int trace_close(struct trace *t)
{
	return trace_close_err(t, NULL, 0);
}
