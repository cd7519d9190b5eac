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
		} else if (key.len == 6 && !memcmp(key.p, "cycles", 6)) {
			ev->cycles = u;
			ev->has_cycles = is_u;
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

/* An event line that the flat scanner refused but that is JSON (a nested
 * value): its name and numbers from the tree. */
static void event_from_json(struct trace_reader *r)
{
	struct trd_event *ev = &r->ev;
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(r->json, "ev");
	ev->name = (struct trd_span){name->valuestring, strlen(name->valuestring)};
	ev->has_t = get_u64(r->json, "t", &ev->t);
	ev->has_cycles = get_u64(r->json, "cycles", &ev->cycles);
	ev->flat = false;
	ev->nfields = 0;
	ev->more_fields = false;
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
	if (!get_u64(r->json, "version", &v))
		return fail(r, "the header has no version");
	if (v < TRD_VERSION_MIN || v > TRD_VERSION_MAX)
		return fail(r, "unknown trace format version %llu (this mmsim reads version %d)",
			    (unsigned long long)v, TRD_VERSION_MAX);
	r->version = (unsigned)v;
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
			return TRD_EVENT;
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
			event_from_json(r);
		return TRD_EVENT;
	}
	if (!cJSON_IsString(type))
		return fail(r, "neither an event (\"ev\") nor a typed line (\"type\")");
	if (!strcmp(type->valuestring, "header"))
		return fail(r, "a second header");
	if (!strcmp(type->valuestring, "snapshot"))
		return TRD_SNAPSHOT;
	if (!strcmp(type->valuestring, "summary")) {
		r->state = 2;
		return TRD_SUMMARY;
	}
	return TRD_OTHER;
}
