/*
 * The trace reader (see trace_read.h for the contract).
 *
 * The buffer holds buf[pos, end) unread. A line is returned in place when
 * its '\n' is in the buffer; otherwise the unread tail is moved to the front
 * and more is read, doubling the buffer only when one line is longer than
 * all of it. So the memory is max(READ_CHUNK, longest line) and each byte is
 * copied at most once by the kernel and (for the tail of a chunk) once more
 * by memmove.
 *
 * The flat scanner is a direct transcription of the JSON grammar (RFC 8259)
 * for one object whose values are strings, numbers or literals; it checks
 * escapes, control characters and the number syntax, so that a line it
 * accepts is one cJSON would accept. It does not check UTF-8 (neither does
 * cJSON).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "sim/trace_read.h"
#include "sim/types.h"

#define READ_CHUNK (1u << 20)

int trd_open(struct trace_reader *r, const char *path)
{
	memset(r, 0, sizeof *r);
	r->fd = -1;
	r->path = path;
	if (!strcmp(path, "-")) {
		r->fd = 0;
	} else {
		r->fd = open(path, O_RDONLY);
		if (r->fd < 0) {
			mmsim_errf(r->err, sizeof r->err, "%s: cannot open: %s", path, strerror(errno));
			return -1;
		}
	}
	r->cap = READ_CHUNK;
	r->buf = mmsim_xmalloc(r->cap);
	return 0;
}

void trd_close(struct trace_reader *r)
{
	if (r->fd > 0)
		close(r->fd);
	r->fd = -1;
	free(r->buf);
	r->buf = NULL;
	cJSON_Delete(r->json);
	r->json = NULL;
}

static enum trd_kind fail(struct trace_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static enum trd_kind fail(struct trace_reader *r, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(r->err, sizeof r->err, "%s:%llu: %s", r->path, (unsigned long long)r->lineno, msg);
	r->state = 3;
	return TRD_ERROR;
}

/* The next line into r->line/r->len. 1: a line; 0: end of file; -1: error. */
static int next_line(struct trace_reader *r)
{
	size_t scanned = 0;   /* bytes of buf[pos, end) known to hold no '\n' */
	for (;;) {
		char *nl = memchr(r->buf + r->pos + scanned, '\n', r->end - r->pos - scanned);
		if (nl) {
			r->line = r->buf + r->pos;
			r->len = (size_t)(nl - r->line);
			r->pos += r->len + 1;
			r->lineno++;
			r->bytes += r->len + 1;
			return 1;
		}
		scanned = r->end - r->pos;
		if (r->eof) {
			if (scanned == 0)
				return 0;
			r->lineno++;
			r->line = r->buf + r->pos;
			r->len = scanned;
			fail(r, "truncated: the last line has no end (a run killed while writing?)");
			return -1;
		}
		if (r->pos > 0) {
			memmove(r->buf, r->buf + r->pos, scanned);
			r->end = scanned;
			r->pos = 0;
		}
		if (r->end == r->cap) {
			if (r->cap >= TRD_MAX_LINE) {
				r->lineno++;
				fail(r, "a line longer than %u MiB: not an mmsim trace", TRD_MAX_LINE >> 20);
				return -1;
			}
			r->cap *= 2;
			r->buf = mmsim_xrealloc(r->buf, r->cap);
		}
		ssize_t n;
		do
			n = read(r->fd, r->buf + r->end, r->cap - r->end);
		while (n < 0 && errno == EINTR);
		if (n < 0) {
			r->lineno++;
			fail(r, "cannot read: %s", strerror(errno));
			return -1;
		}
		if (n == 0)
			r->eof = true;
		r->end += (size_t)n;
	}
}

/* ---- The flat scanner ---- */

/* A JSON string starting at *pp (at its opening quote); *pp moves past the
 * closing quote. */
static int scan_string(const char **pp, const char *e)
{
	const char *p = *pp + 1;
	for (;;) {
		/* The common case: a run of plain characters. */
		while (p < e && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
			p++;
		if (p >= e || (unsigned char)*p < 0x20)
			return -1;
		if (*p == '"') {
			*pp = p + 1;
			return 0;
		}
		p++;   /* backslash */
		if (p >= e)
			return -1;
		switch (*p) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
			p++;
			break;
		case 'u':
			for (int i = 1; i <= 4; i++) {
				char c = p + i < e ? p[i] : 0;
				if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
					return -1;
			}
			p += 5;
			break;
		default:
			return -1;
		}
	}
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A JSON number; when it is a plain non-negative integer that fits, *u
 * gets it and *is_u is set. */
static int scan_number(const char **pp, const char *e, uint64_t *u, bool *is_u)
{
	const char *p = *pp;
	bool neg = false, plain = true;
	uint64_t v = 0;
	if (p < e && *p == '-') {
		neg = true;
		p++;
	}
	if (p >= e || !is_digit(*p))
		return -1;
	if (*p == '0') {
		p++;
	} else {
		while (p < e && is_digit(*p)) {
			unsigned d = (unsigned)(*p - '0');
			if (v > (UINT64_MAX - d) / 10)
				plain = false;
			v = v * 10 + d;
			p++;
		}
	}
	if (p < e && *p == '.') {
		plain = false;
		p++;
		if (p >= e || !is_digit(*p))
			return -1;
		while (p < e && is_digit(*p))
			p++;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		plain = false;
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			p++;
		if (p >= e || !is_digit(*p))
			return -1;
		while (p < e && is_digit(*p))
			p++;
	}
	*is_u = plain && !neg;
	*u = v;
	*pp = p;
	return 0;
}

static int scan_literal(const char **pp, const char *e, const char *lit, size_t n)
{
	if ((size_t)(e - *pp) < n || memcmp(*pp, lit, n))
		return -1;
	*pp += n;
	return 0;
}

static const char *skip_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	return p;
}

int trd_scan_flat(const char *line, size_t len, struct trd_event *ev)
{
	const char *p = line, *e = line + len;
	ev->name = (struct trd_span){"", 0};
	ev->has_t = ev->has_cycles = false;
	ev->t_seen = false;
	ev->bad_key = NULL;
	ev->nfields = 0;
	ev->more_fields = false;
	ev->flat = true;
	p = skip_ws(p, e);
	if (p >= e || *p != '{')
		return -1;
	p = skip_ws(p + 1, e);
	if (p < e && *p == '}') {
		p = skip_ws(p + 1, e);
		return p == e ? 0 : -1;
	}
	for (;;) {
		if (p >= e || *p != '"')
			return -1;
		const char *k = p;
		if (scan_string(&p, e))
			return -1;
		struct trd_span key = {k + 1, (size_t)(p - k - 2)};
		p = skip_ws(p, e);
		if (p >= e || *p != ':')
			return -1;
		p = skip_ws(p + 1, e);
		if (p >= e)
			return -1;
		const char *v = p;
		uint64_t u = 0;
		bool is_u = false;
		switch (*p) {
		case '"':
			if (scan_string(&p, e))
				return -1;
			break;
		case 't':
			if (scan_literal(&p, e, "true", 4))
				return -1;
			break;
		case 'f':
			if (scan_literal(&p, e, "false", 5))
				return -1;
			break;
		case 'n':
			if (scan_literal(&p, e, "null", 4))
				return -1;
			break;
		default:
			if (scan_number(&p, e, &u, &is_u))
				return -1;
		}
		struct trd_span val = {v, (size_t)(p - v)};
		/* The three fields every reader wants, by length first. */
		if (key.len == 2 && key.p[0] == 'e' && key.p[1] == 'v' && !ev->name.len && *v == '"') {
			ev->name = (struct trd_span){v + 1, val.len - 2};
		} else if (key.len == 1 && key.p[0] == 't') {
			ev->t = u;
			ev->has_t = is_u;
			ev->t_seen = true;
			if (!is_u && !ev->bad_key) {
				ev->bad_key = "t";
				ev->bad_val = val;
			}
		} else if (key.len == 6 && !memcmp(key.p, "cycles", 6)) {
			ev->cycles = u;
			ev->has_cycles = is_u;
			if (!is_u && !ev->bad_key) {
				ev->bad_key = "cycles";
				ev->bad_val = val;
			}
		} else if (key.len == 3 && !memcmp(key.p, "cpu", 3)) {
			if (!is_u && !ev->bad_key) {
				ev->bad_key = "cpu";
				ev->bad_val = val;
			}
		} else if (key.len == 4 && !memcmp(key.p, "task", 4)) {
			if (*v != '"' && !ev->bad_key) {
				ev->bad_key = "task";
				ev->bad_val = val;
			}
		}
		if (ev->nfields < TRD_MAX_FIELDS) {
			ev->keys[ev->nfields] = key;
			ev->vals[ev->nfields] = val;
			ev->nfields++;
		} else {
			ev->more_fields = true;
		}
		p = skip_ws(p, e);
		if (p < e && *p == ',') {
			p = skip_ws(p + 1, e);
			continue;
		}
		if (p < e && *p == '}') {
			p = skip_ws(p + 1, e);
			return p == e ? 0 : -1;
		}
		return -1;
	}
}

bool trd_span_eq(struct trd_span s, const char *str)
{
	size_t n = strlen(str);
	return s.len == n && !memcmp(s.p, str, n);
}

const struct trd_span *trd_field(const struct trd_event *ev, const char *key)
{
	if (!ev->flat)
		return NULL;
	for (int i = 0; i < ev->nfields; i++)
		if (trd_span_eq(ev->keys[i], key))
			return &ev->vals[i];
	return NULL;
}

/* ---- Lines ---- */

static bool get_u64(const cJSON *o, const char *key, uint64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble >= 18446744073709551616.0 ||
	    v->valuedouble != (double)(uint64_t)v->valuedouble)
		return false;
	*out = (uint64_t)v->valuedouble;
	return true;
}

/* ---- Types of the fields readers use ---- */

/*
 * Every field a reader uses is checked here, once, so that a wrongly typed
 * one ("t":"soon") is an error naming the line and the field rather than a
 * silent 0 in a report. Fields no reader uses are left alone (later
 * versions may add some). What is checked, by line:
 *   event     t (required), cycles, cpu: non-negative integers; task: a string
 *   header    version (required), seed: non-negative integers; format,
 *             tool, scenario, era: strings (era may be null); machine,
 *             policy: objects (or null); zones: an array of zone objects
 *   snapshot  t (required): a non-negative integer; zones: as the header's
 *   summary   cycles, events: non-negative integers; status, stop, error:
 *             strings; stats: an object of numbers and histogram objects
 * A zone object: node and the page counts (start_pfn, spanned, present,
 * managed, free, min, low, high) non-negative integers, zone a string,
 * protection and nr_free arrays of non-negative integers.
 */
enum ftype { F_UINT, F_STR, F_OBJ, F_ARR };
static const char *const ftype_names[] = {
	[F_UINT] = "a non-negative integer", [F_STR] = "a string",
	[F_OBJ] = "an object", [F_ARR] = "an array",
};

static bool is_uint(const cJSON *v)
{
	return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 18446744073709551616.0 &&
	       v->valuedouble == (double)(uint64_t)v->valuedouble;
}

static bool has_type(const cJSON *v, enum ftype t)
{
	switch (t) {
	case F_UINT: return is_uint(v);
	case F_STR: return cJSON_IsString(v);
	case F_OBJ: return cJSON_IsObject(v);
	case F_ARR: return cJSON_IsArray(v);
	}
	return false;
}

/* How a value reads in a message: a string quoted and cut short, a
 * number as written, or its kind. */
static void describe(const cJSON *v, char *buf, size_t n)
{
	if (cJSON_IsString(v))
		snprintf(buf, n, "\"%.40s%s\"", v->valuestring, strlen(v->valuestring) > 40 ? "..." : "");
	else if (cJSON_IsNumber(v))
		snprintf(buf, n, "%.17g", v->valuedouble);
	else if (cJSON_IsObject(v))
		snprintf(buf, n, "an object");
	else if (cJSON_IsArray(v))
		snprintf(buf, n, "an array");
	else if (cJSON_IsBool(v))
		snprintf(buf, n, "%s", cJSON_IsTrue(v) ? "true" : "false");
	else
		snprintf(buf, n, "null");
}

static enum trd_kind bad_type(struct trace_reader *r, const char *what, const char *path,
			      const cJSON *v, enum ftype want)
{
	char d[64];
	describe(v, d, sizeof d);
	return fail(r, "%s: field \"%s\" is %s, not %s", what, path, d, ftype_names[want]);
}

/* key of o, if there, must be of type t (or null when null_ok). */
static int check_field(struct trace_reader *r, const char *what, const cJSON *o, const char *prefix,
		       const char *key, enum ftype t, bool null_ok)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!v || has_type(v, t) || (null_ok && cJSON_IsNull(v)))
		return 0;
	char path[128];
	snprintf(path, sizeof path, "%s%s", prefix, key);
	bad_type(r, what, path, v, t);
	return -1;
}

static int check_uint_array(struct trace_reader *r, const char *what, const cJSON *o,
			    const char *prefix, const char *key)
{
	if (check_field(r, what, o, prefix, key, F_ARR, false))
		return -1;
	int i = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(o, key)) {
		if (!is_uint(e)) {
			char path[128];
			snprintf(path, sizeof path, "%s%s[%d]", prefix, key, i);
			bad_type(r, what, path, e, F_UINT);
			return -1;
		}
		i++;
	}
	return 0;
}

static int check_zones(struct trace_reader *r, const char *what, const cJSON *line)
{
	if (check_field(r, what, line, "", "zones", F_ARR, false))
		return -1;
	static const char *const counts[] = {"node", "start_pfn", "spanned", "present", "managed",
					     "free", "min", "low", "high"};
	int i = 0;
	const cJSON *z;
	cJSON_ArrayForEach(z, cJSON_GetObjectItemCaseSensitive(line, "zones")) {
		char prefix[48];
		snprintf(prefix, sizeof prefix, "zones[%d]", i);
		if (!cJSON_IsObject(z)) {
			bad_type(r, what, prefix, z, F_OBJ);
			return -1;
		}
		strcat(prefix, ".");
		for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++)
			if (check_field(r, what, z, prefix, counts[k], F_UINT, false))
				return -1;
		if (check_field(r, what, z, prefix, "zone", F_STR, false) ||
		    check_uint_array(r, what, z, prefix, "protection") ||
		    check_uint_array(r, what, z, prefix, "nr_free"))
			return -1;
		i++;
	}
	return 0;
}

static int check_header_types(struct trace_reader *r)
{
	const cJSON *h = r->json;
	static const char *const strs[] = {"tool", "scenario"};
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		if (check_field(r, "header", h, "", strs[i], F_STR, false))
			return -1;
	if (check_field(r, "header", h, "", "seed", F_UINT, false) ||
	    check_field(r, "header", h, "", "era", F_STR, true) ||
	    check_field(r, "header", h, "", "machine", F_OBJ, true) ||
	    check_field(r, "header", h, "", "policy", F_OBJ, true))
		return -1;
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(h, "machine");
	if (cJSON_IsObject(m)) {
		if (check_field(r, "header", m, "machine.", "cpus", F_ARR, false))
			return -1;
		int i = 0;
		const cJSON *c;
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(m, "cpus")) {
			char prefix[48];
			snprintf(prefix, sizeof prefix, "machine.cpus[%d].", i++);
			if (check_field(r, "header", c, prefix, "hz", F_UINT, false) ||
			    check_field(r, "header", c, prefix, "node", F_UINT, false))
				return -1;
		}
	}
	return check_zones(r, "header", h);
}

static int check_snapshot_types(struct trace_reader *r)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(r->json, "t");
	if (!t) {
		fail(r, "snapshot: no \"t\" (the cycle it was taken at)");
		return -1;
	}
	if (check_field(r, "snapshot", r->json, "", "t", F_UINT, false))
		return -1;
	return check_zones(r, "snapshot", r->json);
}

static int check_summary_types(struct trace_reader *r)
{
	const cJSON *s = r->json;
	static const char *const uints[] = {"cycles", "events"};
	static const char *const strs[] = {"status", "stop", "error"};
	for (size_t i = 0; i < sizeof uints / sizeof uints[0]; i++)
		if (check_field(r, "summary", s, "", uints[i], F_UINT, false))
			return -1;
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		if (check_field(r, "summary", s, "", strs[i], F_STR, false))
			return -1;
	if (check_field(r, "summary", s, "", "stats", F_OBJ, false))
		return -1;
	const cJSON *v;
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(s, "stats")) {
		char prefix[300];
		snprintf(prefix, sizeof prefix, "stats.%.200s", v->string);
		if (cJSON_IsObject(v)) {
			strcat(prefix, ".");
			const cJSON *f;
			cJSON_ArrayForEach(f, v)
				if (check_field(r, "summary", v, prefix, f->string, F_UINT, false))
					return -1;
		} else if (!cJSON_IsNumber(v)) {
			bad_type(r, "summary", prefix, v, F_UINT);
			return -1;
		}
	}
	return 0;
}

/* The flat scanner's verdict on t, cycles, cpu and task (event lines). */
static enum trd_kind check_event(struct trace_reader *r)
{
	const struct trd_event *ev = &r->ev;
	if (ev->bad_key) {
		const char *want = !strcmp(ev->bad_key, "task") ? "a string" : "a non-negative integer";
		size_t n = ev->bad_val.len > 42 ? 40 : ev->bad_val.len;
		return fail(r, "event %.*s: field \"%s\" is %.*s%s, not %s", (int)(ev->name.len < 64 ? ev->name.len : 64),
			    ev->name.p, ev->bad_key, (int)n, ev->bad_val.p, n < ev->bad_val.len ? "..." : "", want);
	}
	if (!ev->t_seen)
		return fail(r, "event %.*s: no \"t\" (the cycle it happened at)",
			    (int)(ev->name.len < 64 ? ev->name.len : 64), ev->name.p);
	return TRD_EVENT;
}

/* An event line that the flat scanner refused but that is JSON (a nested
 * value): its name and numbers from the tree. */
static enum trd_kind event_from_json(struct trace_reader *r)
{
	struct trd_event *ev = &r->ev;
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(r->json, "ev");
	ev->name = (struct trd_span){name->valuestring, strlen(name->valuestring)};
	ev->has_t = get_u64(r->json, "t", &ev->t);
	ev->has_cycles = get_u64(r->json, "cycles", &ev->cycles);
	ev->t_seen = cJSON_GetObjectItemCaseSensitive(r->json, "t") != NULL;
	ev->bad_key = NULL;
	ev->flat = false;
	ev->nfields = 0;
	ev->more_fields = false;
	char what[96];
	snprintf(what, sizeof what, "event %.64s", name->valuestring);
	if (check_field(r, what, r->json, "", "t", F_UINT, false) ||
	    check_field(r, what, r->json, "", "cycles", F_UINT, false) ||
	    check_field(r, what, r->json, "", "cpu", F_UINT, false) ||
	    check_field(r, what, r->json, "", "task", F_STR, false))
		return TRD_ERROR;
	return check_event(r);
}

static enum trd_kind check_header(struct trace_reader *r)
{
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(r->json, "type");
	const cJSON *format = cJSON_GetObjectItemCaseSensitive(r->json, "format");
	if (!cJSON_IsString(type) || strcmp(type->valuestring, "header"))
		return fail(r, "not an mmsim trace: the first line is not a header "
			    "({\"type\":\"header\",\"format\":\"mmsim-trace\",...})");
	if (!cJSON_IsString(format) || strcmp(format->valuestring, "mmsim-trace"))
		return fail(r, "not an mmsim trace: the header's format is not \"mmsim-trace\"");
	uint64_t v;
	const cJSON *version = cJSON_GetObjectItemCaseSensitive(r->json, "version");
	if (!version)
		return fail(r, "the header has no version");
	if (!get_u64(r->json, "version", &v))
		return bad_type(r, "header", "version", version, F_UINT);
	if (v < TRD_VERSION_MIN || v > TRD_VERSION_MAX)
		return fail(r, "unknown trace format version %llu (this mmsim reads version %d)",
			    (unsigned long long)v, TRD_VERSION_MAX);
	r->version = (unsigned)v;
	if (check_header_types(r))
		return TRD_ERROR;
	r->state = 1;
	return TRD_HEADER;
}

enum trd_kind trd_next(struct trace_reader *r)
{
	if (r->state == 3)
		return TRD_ERROR;
	cJSON_Delete(r->json);
	r->json = NULL;
	int got = next_line(r);
	if (got < 0)
		return TRD_ERROR;
	if (got == 0) {
		if (r->state == 0) {
			snprintf(r->err, sizeof r->err, "%s: empty file, not a trace", r->path);
			r->state = 3;
			return TRD_ERROR;
		}
		if (r->state == 1)
			return fail(r, "truncated: no summary line after the last line (the run "
				    "crashed or was killed, or the disk filled)");
		return TRD_EOF;
	}
	if (r->state == 2)
		return fail(r, "a line after the summary (the summary must be the last line)");

	/* The fast path: a flat event line, the writer's own layout. */
	if (r->state == 1 && r->len > 7 && !memcmp(r->line, "{\"ev\":\"", 7)) {
		if (trd_scan_flat(r->line, r->len, &r->ev) == 0)
			return r->ev.bad_key || !r->ev.t_seen ? check_event(r) : TRD_EVENT;
	}
	/* cJSON stops after the first value; the rest of the line must be
	 * blank. */
	const char *end = NULL;
	r->json = cJSON_ParseWithLengthOpts(r->line, r->len, &end, false);
	const char *rest = r->json ? skip_ws(end, r->line + r->len) : NULL;
	if (rest && rest != r->line + r->len) {
		cJSON_Delete(r->json);
		r->json = NULL;
		return fail(r, "not JSON (column %ld: text after the object)", (long)(rest - r->line) + 1);
	}
	if (!r->json) {
		const char *at = cJSON_GetErrorPtr();
		long col = at && at >= r->line && at <= r->line + r->len ? (long)(at - r->line) + 1 : 0;
		if (col > 0)
			return fail(r, "not JSON (column %ld)", col);
		return fail(r, "not JSON");
	}
	if (!cJSON_IsObject(r->json))
		return fail(r, "not a JSON object");
	if (r->state == 0)
		return check_header(r);
	const cJSON *ev = cJSON_GetObjectItemCaseSensitive(r->json, "ev");
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(r->json, "type");
	if (cJSON_IsString(ev)) {
		if (trd_scan_flat(r->line, r->len, &r->ev) != 0)
			return event_from_json(r);
		return check_event(r);
	}
	if (!cJSON_IsString(type))
		return fail(r, "neither an event (\"ev\") nor a typed line (\"type\")");
	if (!strcmp(type->valuestring, "header"))
		return fail(r, "a second header");
	if (!strcmp(type->valuestring, "snapshot"))
		return check_snapshot_types(r) ? TRD_ERROR : TRD_SNAPSHOT;
	if (!strcmp(type->valuestring, "summary")) {
		if (check_summary_types(r))
			return TRD_ERROR;
		r->state = 2;
		return TRD_SUMMARY;
	}
	return TRD_OTHER;
}
