/*
 * Tests of sim/trace: the exact bytes of event and plain lines, every value
 * kind (integers at their limits, hex, doubles that must read back as the
 * same bits, strings with every byte that needs escaping), nesting and its
 * limit, the filter (names, globs, exclusions, order, errors, events
 * registered later), the counters, output far larger than the buffer, write
 * errors (/dev/full, a missing directory) and a caller's own stream.
 *
 * Output goes to memory (open_memstream through trace_open_fp) or to a file
 * under /tmp, and is read back and parsed with cJSON where the structure
 * matters; where the bytes matter they are compared whole.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <float.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/trace.h"

extern Suite *trace_suite(void);

/* ---- Helpers ---- */

/* A trace into memory: open_memstream, so trace_open_fp is exercised too. */
struct mem {
	char *buf;
	size_t len;
	FILE *fp;
};

static struct trace *mem_open(struct mem *m)
{
	m->buf = NULL;
	m->len = 0;
	m->fp = open_memstream(&m->buf, &m->len);
	ck_assert_ptr_nonnull(m->fp);
	return trace_open_fp(m->fp, "mem");
}

/* Closes the trace (which must succeed) and the stream; returns the bytes
 * written, NUL-terminated, for the caller to free. */
static char *mem_close(struct trace *t, struct mem *m)
{
	ck_assert_int_eq(trace_close(t), 0);
	ck_assert_int_eq(fclose(m->fp), 0);
	return m->buf;
}

/* A fresh path under /tmp; the file exists (empty) and is removed by the
 * caller with unlink. */
static void tmp_path(char *path, size_t n)
{
	snprintf(path, n, "/tmp/mmsim-trace-test-XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
}

/* The whole file, NUL-terminated; *len gets its size. */
static char *read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	ck_assert_ptr_nonnull(fp);
	fseek(fp, 0, SEEK_END);
	long n = ftell(fp);
	ck_assert_int_ge(n, 0);
	fseek(fp, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	if (len)
		*len = (size_t)n;
	return buf;
}

/* Counts '\n' in s. */
static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Parses one line (up to its '\n') as JSON; it must be an object. */
static cJSON *parse_line(const char *line)
{
	const char *end = strchr(line, '\n');
	ck_assert_ptr_nonnull(end);
	const char *parse_end = NULL;
	cJSON *j = cJSON_ParseWithLengthOpts(line, (size_t)(end - line), &parse_end, false);
	ck_assert_msg(j != NULL, "not JSON: %.*s", (int)(end - line), line);
	ck_assert_msg(parse_end == end, "trailing bytes in: %.*s", (int)(end - line), line);
	ck_assert(cJSON_IsObject(j));
	return j;
}

/* The keys of object j, comma-separated, in their order in the text. */
static void keys_of(const cJSON *j, char *out, size_t n)
{
	out[0] = '\0';
	for (const cJSON *c = j->child; c; c = c->next) {
		if (out[0])
			strncat(out, ",", n - strlen(out) - 1);
		strncat(out, c->string, n - strlen(out) - 1);
	}
}

/*
 * One plain line {"v":VALUE}\n written by emit(t); returns VALUE's text
 * (static buffer) after checking the line's frame and that it parses.
 */
typedef void (*emit_fn)(struct trace *t, const void *arg);

static const char *value_text_opt(emit_fn emit, const void *arg, bool parse)
{
	static char out[1 << 17];
	struct mem m;
	struct trace *t = mem_open(&m);
	trace_line_begin(t);
	emit(t, arg);
	trace_line_end(t);
	char *s = mem_close(t, &m);
	size_t n = strlen(s);
	ck_assert_msg(n >= 7 && memcmp(s, "{\"v\":", 5) == 0 && memcmp(s + n - 2, "}\n", 2) == 0,
		      "bad frame: %s", s);
	if (parse)
		cJSON_Delete(parse_line(s));
	ck_assert_uint_lt(n - 7, sizeof out);
	memcpy(out, s + 5, n - 7);
	out[n - 7] = '\0';
	free(s);
	return out;
}

static const char *value_text(emit_fn emit, const void *arg)
{
	return value_text_opt(emit, arg, true);
}

static void emit_u64(struct trace *t, const void *arg) { trace_u64(t, "v", *(const uint64_t *)arg); }
static void emit_i64(struct trace *t, const void *arg) { trace_i64(t, "v", *(const int64_t *)arg); }
static void emit_hex(struct trace *t, const void *arg) { trace_hex(t, "v", *(const uint64_t *)arg); }
static void emit_double(struct trace *t, const void *arg) { trace_double(t, "v", *(const double *)arg); }
static void emit_str(struct trace *t, const void *arg) { trace_str(t, "v", (const char *)arg); }

/* ---- Event lines ---- */

/* The documented shape, byte for byte: ev, t, cpu, task, then the fields in
 * the order written. */
START_TEST(test_event_line_exact)
{
	struct mem m;
	struct trace *t = mem_open(&m);
	int id = trace_event_id(t, "mm_page_alloc");
	ck_assert_int_eq(id, 0);
	ck_assert(trace_enabled(t, id));
	trace_begin(t, id, 1234, 0, "worker0");
	trace_u64(t, "pfn", 4096);
	trace_u64(t, "order", 3);
	trace_str(t, "gfp", "GFP_KERNEL");
	trace_hex(t, "addr", 0x1f000);
	trace_end(t);
	char *s = mem_close(t, &m);
	ck_assert_str_eq(s, "{\"ev\":\"mm_page_alloc\",\"t\":1234,\"cpu\":0,\"task\":\"worker0\","
			    "\"pfn\":4096,\"order\":3,\"gfp\":\"GFP_KERNEL\",\"addr\":\"0x1f000\"}\n");

	cJSON *j = parse_line(s);
	char keys[256];
	keys_of(j, keys, sizeof keys);
	ck_assert_str_eq(keys, "ev,t,cpu,task,pfn,order,gfp,addr");
	ck_assert_str_eq(cJSON_GetObjectItem(j, "ev")->valuestring, "mm_page_alloc");
	ck_assert_double_eq(cJSON_GetObjectItem(j, "t")->valuedouble, 1234);
	ck_assert_double_eq(cJSON_GetObjectItem(j, "pfn")->valuedouble, 4096);
	cJSON_Delete(j);
	free(s);
}
END_TEST

/* cpu < 0 leaves "cpu" out, a NULL task leaves "task" out; an event with no
 * fields is still a complete object; cpu and t at their limits. */
START_TEST(test_event_optional_members)
{
	struct mem m;
	struct trace *t = mem_open(&m);
	int a = trace_event_id(t, "boot");
	int b = trace_event_id(t, "sched:switch");
	ck_assert_int_eq(b, 1);
	trace_begin(t, a, 0, -1, NULL);
	trace_end(t);
	trace_begin(t, a, 5, -7, "init");
	trace_end(t);
	trace_begin(t, b, UINT64_MAX, 2147483647, NULL);
	trace_i64(t, "x", -1);
	trace_end(t);
	trace_begin(t, b, 10, 3, "");
	trace_end(t);
	char *s = mem_close(t, &m);
	ck_assert_str_eq(s,
			 "{\"ev\":\"boot\",\"t\":0}\n"
			 "{\"ev\":\"boot\",\"t\":5,\"task\":\"init\"}\n"
			 "{\"ev\":\"sched:switch\",\"t\":18446744073709551615,\"cpu\":2147483647,\"x\":-1}\n"
			 "{\"ev\":\"sched:switch\",\"t\":10,\"cpu\":3,\"task\":\"\"}\n");
	for (const char *l = s; *l; l = strchr(l, '\n') + 1)
		cJSON_Delete(parse_line(l));
	free(s);
}
END_TEST

/* The task name is a string value like any other: escaped. */
START_TEST(test_event_task_escaped)
{
	struct mem m;
	struct trace *t = mem_open(&m);
	int id = trace_event_id(t, "e");
	trace_begin(t, id, 1, 1, "a\"b\\c\n");
	trace_end(t);
	char *s = mem_close(t, &m);
	ck_assert_str_eq(s, "{\"ev\":\"e\",\"t\":1,\"cpu\":1,\"task\":\"a\\\"b\\\\c\\u000a\"}\n");
	cJSON *j = parse_line(s);
	ck_assert_str_eq(cJSON_GetObjectItem(j, "task")->valuestring, "a\"b\\c\n");
	cJSON_Delete(j);
	free(s);
}
END_TEST

/* Header and summary lines: plain objects with no event members. */
START_TEST(test_plain_lines)
{
	struct mem m;
	struct trace *t = mem_open(&m);
	trace_line_begin(t);
	trace_str(t, "mmsim", "trace");
	trace_u64(t, "version", 1);
	trace_line_end(t);
	trace_line_begin(t);
	trace_line_end(t);
	int id = trace_event_id(t, "e");
	trace_begin(t, id, 7, 0, NULL);
	trace_end(t);
	trace_line_begin(t);
	trace_obj_begin(t, "summary");
	trace_u64(t, "events", 1);
	trace_obj_end(t);
	trace_line_end(t);
	char *s = mem_close(t, &m);
	ck_assert_str_eq(s,
			 "{\"mmsim\":\"trace\",\"version\":1}\n"
			 "{}\n"
			 "{\"ev\":\"e\",\"t\":7,\"cpu\":0}\n"
			 "{\"summary\":{\"events\":1}}\n");
	free(s);
}
END_TEST

/* The same calls give the same bytes. */
static char *deterministic_run(void)
{
	struct mem m;
	struct trace *t = mem_open(&m);
	int a = trace_event_id(t, "a"), b = trace_event_id(t, "b");
	for (int i = 0; i < 1000; i++) {
		trace_begin(t, i % 3 ? a : b, (cycle_t)i * 17, i % 4, "t");
		trace_double(t, "d", i / 7.0);
		trace_hex(t, "h", (uint64_t)i << 12);
		trace_end(t);
	}
	return mem_close(t, &m);
}

START_TEST(test_deterministic)
{
	char *x = deterministic_run(), *y = deterministic_run();
	ck_assert_uint_eq(strlen(x), strlen(y));
	ck_assert(strcmp(x, y) == 0);
	ck_assert_uint_eq(count_lines(x), 1000);
	free(x);
	free(y);
}
END_TEST

/* ---- Values ---- */

/* Every power of ten and its neighbours, the limits, and a spread of values,
 * against printf. */
START_TEST(test_u64_values)
{
	char want[32];
	uint64_t p = 1;
	for (int k = 0; k < 20; k++, p *= 10) {
		uint64_t vs[3] = {p - 1, p, p + 1};
		for (int i = 0; i < 3; i++) {
			snprintf(want, sizeof want, "%" PRIu64, vs[i]);
			ck_assert_str_eq(value_text(emit_u64, &vs[i]), want);
		}
	}
	uint64_t lim[] = {0, 9, 10, 99, 100, UINT32_MAX, UINT64_MAX, UINT64_MAX - 1,
			  (uint64_t)INT64_MAX, 12345678901234567890u};
	for (size_t i = 0; i < sizeof lim / sizeof lim[0]; i++) {
		snprintf(want, sizeof want, "%" PRIu64, lim[i]);
		ck_assert_str_eq(value_text(emit_u64, &lim[i]), want);
	}
	ck_assert_str_eq(value_text(emit_u64, &lim[6]), "18446744073709551615");

	/* Many values in one trace, against printf. */
	struct mem m;
	struct trace *t = mem_open(&m);
	char *expect = malloc(1 << 20);
	size_t n = 0;
	uint64_t x = 0x9e3779b97f4a7c15u;
	for (int i = 0; i < 5000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		uint64_t v = x >> (i % 64);
		trace_line_begin(t);
		trace_u64(t, "v", v);
		trace_line_end(t);
		n += (size_t)sprintf(expect + n, "{\"v\":%" PRIu64 "}\n", v);
	}
	char *s = mem_close(t, &m);
	ck_assert_str_eq(s, expect);
	free(s);
	free(expect);
}
END_TEST

START_TEST(test_i64_values)
{
	char want[32];
	int64_t vs[] = {0, 1, -1, 9, -9, 10, -10, 99, -100, INT32_MIN, INT32_MAX,
			INT64_MAX, INT64_MIN, INT64_MIN + 1, -1000000000000000000};
	for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++) {
		snprintf(want, sizeof want, "%" PRId64, vs[i]);
		ck_assert_str_eq(value_text(emit_i64, &vs[i]), want);
	}
	ck_assert_str_eq(value_text(emit_i64, &vs[12]), "-9223372036854775808");
	ck_assert_str_eq(value_text(emit_i64, &vs[11]), "9223372036854775807");
}
END_TEST

START_TEST(test_hex_values)
{
	uint64_t v = 0;
	ck_assert_str_eq(value_text(emit_hex, &v), "\"0x0\"");
	v = 0x1f000;
	ck_assert_str_eq(value_text(emit_hex, &v), "\"0x1f000\"");
	v = UINT64_MAX;
	ck_assert_str_eq(value_text(emit_hex, &v), "\"0xffffffffffffffff\"");
	char want[32];
	for (int b = 0; b < 64; b++) {
		uint64_t vs[3] = {UINT64_C(1) << b, (UINT64_C(1) << b) - 1,
				  (UINT64_C(0xabcdef0123456789) >> b)};
		for (int i = 0; i < 3; i++) {
			snprintf(want, sizeof want, "\"0x%" PRIx64 "\"", vs[i]);
			ck_assert_str_eq(value_text(emit_hex, &vs[i]), want);
		}
	}
}
END_TEST

START_TEST(test_bool_null)
{
	struct mem m;
	struct trace *t = mem_open(&m);
	trace_line_begin(t);
	trace_bool(t, "a", true);
	trace_bool(t, "b", false);
	trace_null(t, "c");
	trace_str(t, "d", NULL);
	trace_strn(t, "e", NULL, 5);
	trace_line_end(t);
	char *s = mem_close(t, &m);
	ck_assert_str_eq(s, "{\"a\":true,\"b\":false,\"c\":null,\"d\":null,\"e\":null}\n");
	cJSON *j = parse_line(s);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(j, "a")));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(j, "b")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "c")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "e")));
	cJSON_Delete(j);
	free(s);
}
END_TEST

/* The text of v must read back (strtod and cJSON) as exactly the same bits,
 * and be no longer than needed among %.15g, %.16g, %.17g. */
static void check_double(double v)
{
	const char *s = value_text(emit_double, &v);
	char buf[64];
	snprintf(buf, sizeof buf, "%s", s);
	char *end;
	double back = strtod(buf, &end);
	ck_assert_msg(*end == '\0', "trailing bytes in %s", buf);
	ck_assert_msg(memcmp(&back, &v, sizeof v) == 0, "%.17g written as %s reads back as %.17g",
		      v, buf, back);
	char json[96];
	snprintf(json, sizeof json, "[%s]", buf);
	cJSON *j = cJSON_Parse(json);
	ck_assert_ptr_nonnull(j);
	double cj = cJSON_GetArrayItem(j, 0)->valuedouble;
	ck_assert_msg(cj == v, "cJSON reads %s as %.17g", buf, cj);
	cJSON_Delete(j);
	/* Shortest of the three precisions. */
	char want[64];
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(want, sizeof want, "%.*g", prec, v);
		if (strtod(want, NULL) == v)
			break;
	}
	ck_assert_str_eq(buf, want);
	ck_assert_ptr_null(strchr(buf, ','));
}

START_TEST(test_double_roundtrip)
{
	double vs[] = {0.0, 1.0, -1.0, 0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, 1.5, 100.0, 1e15, 1e16,
		       1e17, 1e21, 1e22, 1e23, 123456789012345678.0, 9007199254740993.0,
		       3.141592653589793, 2.718281828459045, 1e-5, 1e-7, 1.7976931348623157e308,
		       -1.7976931348623157e308, 2.2250738585072014e-308, 5e-324, -5e-324,
		       4.9406564584124654e-324, 2.225073858507201e-308, 1e-300, 1e300,
		       0.1 + 0.2, 5.551115123125783e-17, 12345.678, -0.000123};
	for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++)
		check_double(vs[i]);
	/* A spread of bit patterns. */
	uint64_t x = 88172645463325252u;
	for (int i = 0; i < 3000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		double d;
		memcpy(&d, &x, sizeof d);
		if (isfinite(d))
			check_double(d);
	}
	double v = 0.1;
	ck_assert_str_eq(value_text(emit_double, &v), "0.1");
	v = 1.5;
	ck_assert_str_eq(value_text(emit_double, &v), "1.5");
	v = 1e300;
	ck_assert_str_eq(value_text(emit_double, &v), "1e+300");
	v = 0.1 + 0.2;
	ck_assert_str_eq(value_text(emit_double, &v), "0.30000000000000004");
	v = 5e-324;
	ck_assert_str_eq(value_text(emit_double, &v), "4.94065645841247e-324");
}
END_TEST

/* -0.0 keeps its sign; NaN and the infinities are null (header). */
START_TEST(test_double_special)
{
	double v = -0.0;
	ck_assert_str_eq(value_text(emit_double, &v), "-0");
	v = NAN;
	ck_assert_str_eq(value_text(emit_double, &v), "null");
	v = -NAN;
	ck_assert_str_eq(value_text(emit_double, &v), "null");
	v = INFINITY;
	ck_assert_str_eq(value_text(emit_double, &v), "null");
	v = -INFINITY;
	ck_assert_str_eq(value_text(emit_double, &v), "null");
}
END_TEST

/*
 * The decimal point is '.' whatever LC_NUMERIC says: checked under a locale
 * with ',' (de_DE) and one with a two-byte point U+066B (ps_AF). Machines
 * without those locales get them built with localedef into a temporary
 * directory (LOCPATH); if even that is impossible the locale is skipped with
 * a note on stderr.
 */
static const char *const test_locales[] = {"de_DE.UTF-8", "ps_AF.UTF-8"};
enum { N_LOCALES = 2 };

/* Makes test_locales[] loadable, building them when the system lacks one.
 * glibc remembers a locale it failed to find under a path, so each is built
 * before it is first asked for under LOCPATH; and it keeps a locale it has
 * loaded, so the directory is removed once both are loaded. (cJSON reads
 * numbers with the locale's decimal point, so under these locales the
 * output is compared as text, not parsed.) */
static void provide_locales(void)
{
	char dir[64];
	bool have_all = true;
	for (int i = 0; i < N_LOCALES; i++)
		have_all = have_all && setlocale(LC_NUMERIC, test_locales[i]) != NULL;
	setlocale(LC_NUMERIC, "C");
	if (have_all)
		return;
	snprintf(dir, sizeof dir, "/tmp/mmsim-trace-loc-XXXXXX");
	if (!mkdtemp(dir))
		return;
	for (int i = 0; i < N_LOCALES; i++) {
		char cmd[256];
		snprintf(cmd, sizeof cmd, "localedef -i %.*s -f UTF-8 %s/%s >/dev/null 2>&1",
			 (int)strcspn(test_locales[i], "."), test_locales[i], dir, test_locales[i]);
		if (system(cmd) != 0)
			fprintf(stderr, "test_double_locale: localedef failed for %s\n", test_locales[i]);
	}
	setenv("LOCPATH", dir, 1);
	for (int i = 0; i < N_LOCALES; i++)
		setlocale(LC_NUMERIC, test_locales[i]);
	setlocale(LC_NUMERIC, "C");
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "test_double_locale: cannot remove %s\n", dir);
}

START_TEST(test_double_locale)
{
	provide_locales();
	for (int i = 0; i < N_LOCALES; i++) {
		if (!setlocale(LC_NUMERIC, test_locales[i])) {
			fprintf(stderr, "test_double_locale: locale %s unavailable, skipped\n",
				test_locales[i]);
			continue;
		}
		char probe[32];
		snprintf(probe, sizeof probe, "%.1f", 1.5);
		ck_assert_str_ne(probe, "1.5");      /* the locale really changes printf */
		double vs[] = {1.5, -0.25, 0.1 + 0.2, 1e300, 2.5e-10, 123456.789, 5e-324};
		const char *want[] = {"1.5", "-0.25", "0.30000000000000004", "1e+300", "2.5e-10",
				      "123456.789", "4.94065645841247e-324"};
		for (int k = 0; k < 7; k++)
			ck_assert_str_eq(value_text_opt(emit_double, &vs[k], false), want[k]);
		setlocale(LC_NUMERIC, "C");
	}
}
END_TEST

START_TEST(test_string_escapes)
{
	ck_assert_str_eq(value_text(emit_str, "plain"), "\"plain\"");
	ck_assert_str_eq(value_text(emit_str, ""), "\"\"");
	ck_assert_str_eq(value_text(emit_str, "say \"hi\""), "\"say \\\"hi\\\"\"");
	ck_assert_str_eq(value_text(emit_str, "C:\\dir\\"), "\"C:\\\\dir\\\\\"");
	ck_assert_str_eq(value_text(emit_str, "a\tb\nc\r"), "\"a\\u0009b\\u000ac\\u000d\"");
	ck_assert_str_eq(value_text(emit_str, "\x01\x1f\x7f/"), "\"\\u0001\\u001f\x7f/\"");
	/* UTF-8 passes through as bytes. */
	const char *utf8 = "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80";
	char want[64];
	snprintf(want, sizeof want, "\"%s\"", utf8);
	ck_assert_str_eq(value_text(emit_str, utf8), want);

	/* Every byte 1..255 in one string, parsed back equal. */
	char all[256];
	for (int i = 1; i < 256; i++)
		all[i - 1] = (char)i;
	all[255] = '\0';
	struct mem m;
	struct trace *t = mem_open(&m);
	trace_line_begin(t);
	trace_str(t, "s", all);
	trace_line_end(t);
	char *s = mem_close(t, &m);
	for (const char *c = s; *c; c++)
		ck_assert_msg((unsigned char)*c >= 0x20 || *c == '\n', "raw control byte in output");
	cJSON *j = parse_line(s);
	/* cJSON copies the bytes >= 0x80 as they are. */
	ck_assert_str_eq(cJSON_GetObjectItem(j, "s")->valuestring, all);
	cJSON_Delete(j);
	free(s);
}
END_TEST

/* trace_strn: a length, so embedded NULs are escaped and the string need not
 * be terminated. */
START_TEST(test_strn)
{
	struct mem m;
	struct trace *t = mem_open(&m);
	trace_line_begin(t);
	trace_strn(t, "a", "x\0y", 3);
	trace_strn(t, "b", "abcdef", 3);
	trace_strn(t, "c", "abc", 0);
	trace_line_end(t);
	char *s = mem_close(t, &m);
	ck_assert_str_eq(s, "{\"a\":\"x\\u0000y\",\"b\":\"abc\",\"c\":\"\"}\n");
	free(s);
}
END_TEST

/* Strings longer than the 64 KiB buffer, full of escapes, cut by flushes at
 * every possible phase: each must read back whole. */
START_TEST(test_long_strings)
{
	enum { N = 200000 };
	char *big = malloc(N + 1);
	for (int i = 0; i < N; i++)
		big[i] = "ab\"\\\ncd\x01"[i % 8];
	big[N] = '\0';
	char path[64];
	tmp_path(path, sizeof path);
	char err[256];
	struct trace *t = trace_open(path, err, sizeof err);
	ck_assert_ptr_nonnull(t);
	for (int k = 0; k < 9; k++) {
		trace_line_begin(t);
		trace_strn(t, "s", big, (size_t)(N - k * 997));
		trace_u64(t, "k", (uint64_t)k);
		trace_line_end(t);
	}
	ck_assert_int_eq(trace_close(t), 0);
	size_t len;
	char *s = read_file(path, &len);
	ck_assert_uint_eq(count_lines(s), 9);
	const char *l = s;
	for (int k = 0; k < 9; k++) {
		cJSON *j = parse_line(l);
		const char *v = cJSON_GetObjectItem(j, "s")->valuestring;
		ck_assert_uint_eq(strlen(v), (size_t)(N - k * 997));
		ck_assert(memcmp(v, big, strlen(v)) == 0);
		ck_assert_double_eq(cJSON_GetObjectItem(j, "k")->valuedouble, k);
		cJSON_Delete(j);
		l = strchr(l, '\n') + 1;
	}
	free(s);
	free(big);
	unlink(path);
}
END_TEST

/* The longest key and the longest event name (128 bytes each). */
START_TEST(test_long_key_and_name)
{
	char key[TRACE_MAX_NAME + 1], name[TRACE_MAX_NAME + 1];
	memset(key, 'k', TRACE_MAX_NAME);
	key[TRACE_MAX_NAME] = '\0';
	memset(name, 'n', TRACE_MAX_NAME);
	name[TRACE_MAX_NAME] = '\0';
	struct mem m;
	struct trace *t = mem_open(&m);
	int id = trace_event_id(t, name);
	trace_begin(t, id, UINT64_MAX, 2147483647, "task");
	trace_u64(t, key, UINT64_MAX);
	trace_end(t);
	char *s = mem_close(t, &m);
	char want[512];
	snprintf(want, sizeof want,
		 "{\"ev\":\"%s\",\"t\":18446744073709551615,\"cpu\":2147483647,\"task\":\"task\","
		 "\"%s\":18446744073709551615}\n", name, key);
	ck_assert_str_eq(s, want);
	free(s);
}
END_TEST

/* ---- Nesting ---- */

START_TEST(test_nested)
{
	struct mem m;
	struct trace *t = mem_open(&m);
	trace_line_begin(t);
	trace_obj_begin(t, "a");
	trace_arr_begin(t, "b");
	trace_u64(t, NULL, 1);
	trace_i64(t, NULL, -2);
	trace_obj_begin(t, NULL);
	trace_null(t, "c");
	trace_obj_end(t);
	trace_arr_begin(t, NULL);
	trace_arr_end(t);
	trace_str(t, NULL, "s");
	trace_hex(t, NULL, 255);
	trace_bool(t, NULL, false);
	trace_double(t, NULL, 0.5);
	trace_null(t, NULL);
	trace_arr_end(t);
	trace_arr_begin(t, "d");
	trace_arr_end(t);
	trace_obj_end(t);
	trace_obj_begin(t, "e");
	trace_obj_end(t);
	trace_u64(t, "f", 9);
	trace_line_end(t);

	int id = trace_event_id(t, "ev");
	trace_begin(t, id, 1, 0, "k");
	trace_arr_begin(t, "pfns");
	for (int i = 0; i < 3; i++)
		trace_u64(t, NULL, (uint64_t)i * 512);
	trace_arr_end(t);
	trace_obj_begin(t, "zone");
	trace_str(t, "name", "Normal");
	trace_obj_end(t);
	trace_end(t);
	char *s = mem_close(t, &m);
	ck_assert_str_eq(s,
			 "{\"a\":{\"b\":[1,-2,{\"c\":null},[],\"s\",\"0xff\",false,0.5,null],"
			 "\"d\":[]},\"e\":{},\"f\":9}\n"
			 "{\"ev\":\"ev\",\"t\":1,\"cpu\":0,\"task\":\"k\",\"pfns\":[0,512,1024],"
			 "\"zone\":{\"name\":\"Normal\"}}\n");
	cJSON *j = parse_line(s);
	cJSON *b = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "a"), "b");
	ck_assert_int_eq(cJSON_GetArraySize(b), 9);
	cJSON_Delete(j);
	j = parse_line(strchr(s, '\n') + 1);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "pfns")), 3);
	cJSON_Delete(j);
	free(s);
}
END_TEST

/* A level's comma state is its own: a nested container opened after members
 * starts empty, and the parent resumes with a comma after it closes, even
 * when a sibling at the same depth had members before. */
START_TEST(test_nested_comma_state)
{
	struct mem m;
	struct trace *t = mem_open(&m);
	trace_line_begin(t);
	trace_arr_begin(t, "x");
	trace_u64(t, NULL, 1);
	trace_u64(t, NULL, 2);
	trace_arr_end(t);
	trace_obj_begin(t, "y");
	trace_u64(t, "z", 3);
	trace_obj_end(t);
	trace_arr_begin(t, "w");
	trace_arr_begin(t, NULL);
	trace_arr_end(t);
	trace_arr_begin(t, NULL);
	trace_u64(t, NULL, 4);
	trace_arr_end(t);
	trace_arr_end(t);
	trace_line_end(t);
	trace_line_begin(t);
	trace_u64(t, "n", 5);
	trace_line_end(t);
	char *s = mem_close(t, &m);
	ck_assert_str_eq(s, "{\"x\":[1,2],\"y\":{\"z\":3},\"w\":[[],[4]]}\n{\"n\":5}\n");
	free(s);
}
END_TEST

/* 30 levels below the line are allowed (header), alternating kinds. */
START_TEST(test_nesting_limit_ok)
{
	struct mem m;
	struct trace *t = mem_open(&m);
	trace_line_begin(t);
	for (int i = 0; i < 30; i++) {
		if (i % 2)
			trace_arr_begin(t, "o");                  /* in an object */
		else
			trace_obj_begin(t, i == 0 ? "deep" : NULL);  /* in an array */
	}
	trace_u64(t, NULL, 42);  /* level 30 is an array (i = 29) */
	for (int i = 29; i >= 0; i--) {
		if (i % 2)
			trace_arr_end(t);
		else
			trace_obj_end(t);
	}
	trace_line_end(t);
	char *s = mem_close(t, &m);
	cJSON *j = parse_line(s);
	const cJSON *c = cJSON_GetObjectItem(j, "deep");
	int depth = 0;
	while (cJSON_IsObject(c) || cJSON_IsArray(c)) {
		depth++;
		c = cJSON_IsObject(c) ? cJSON_GetObjectItem(c, "o") : cJSON_GetArrayItem(c, 0);
	}
	ck_assert_int_eq(depth, 30);
	ck_assert(cJSON_IsNumber(c));
	ck_assert_double_eq(c->valuedouble, 42);
	cJSON_Delete(j);
	free(s);
}
END_TEST

START_TEST(test_nesting_limit_aborts)
{
	struct mem m;
	struct trace *t = mem_open(&m);
	trace_line_begin(t);
	for (int i = 0; i < 31; i++)
		trace_arr_begin(t, i == 0 ? "a" : NULL);
}
END_TEST

/* ---- Misuse panics ---- */

START_TEST(test_field_outside_line_aborts)
{
	struct mem m;
	struct trace *t = mem_open(&m);
	trace_u64(t, "x", 1);
}
END_TEST

START_TEST(test_key_in_array_aborts)
{
	struct mem m;
	struct trace *t = mem_open(&m);
	trace_line_begin(t);
	trace_arr_begin(t, "a");
	trace_u64(t, "x", 1);
}
END_TEST

START_TEST(test_no_key_in_object_aborts)
{
	struct mem m;
	struct trace *t = mem_open(&m);
	trace_line_begin(t);
	trace_u64(t, NULL, 1);
}
END_TEST

START_TEST(test_mismatched_close_aborts)
{
	struct mem m;
	struct trace *t = mem_open(&m);
	trace_line_begin(t);
	trace_obj_begin(t, "a");
	trace_arr_end(t);
}
END_TEST

START_TEST(test_close_line_level_aborts)
{
	struct mem m;
	struct trace *t = mem_open(&m);
	trace_line_begin(t);
	trace_obj_end(t);
}
END_TEST

START_TEST(test_line_end_with_open_container_aborts)
{
	struct mem m;
	struct trace *t = mem_open(&m);
	trace_line_begin(t);
	trace_arr_begin(t, "a");
	trace_line_end(t);
}
END_TEST

START_TEST(test_line_end_outside_line_aborts)
{
	struct mem m;
	struct trace *t = mem_open(&m);
	trace_line_end(t);
}
END_TEST

START_TEST(test_begin_inside_line_aborts)
{
	struct mem m;
	struct trace *t = mem_open(&m);
	int id = trace_event_id(t, "e");
	trace_begin(t, id, 1, 0, NULL);
	trace_begin(t, id, 2, 0, NULL);
}
END_TEST

START_TEST(test_begin_disabled_aborts)
{
	struct mem m;
	struct trace *t = mem_open(&m);
	int id = trace_event_id(t, "e");
	ck_assert_int_eq(trace_set_filter(t, "other", NULL, 0), 0);
	ck_assert(!trace_enabled(t, id));
	trace_begin(t, id, 1, 0, NULL);
}
END_TEST

START_TEST(test_begin_unknown_id_aborts)
{
	struct mem m;
	struct trace *t = mem_open(&m);
	trace_begin(t, 0, 1, 0, NULL);
}
END_TEST

START_TEST(test_close_with_open_line_aborts)
{
	struct mem m;
	struct trace *t = mem_open(&m);
	trace_line_begin(t);
	trace_close(t);
}
END_TEST

START_TEST(test_invalid_event_name_aborts)
{
	struct mem m;
	struct trace *t = mem_open(&m);
	trace_event_id(t, "bad name");
}
END_TEST

START_TEST(test_null_event_name_aborts)
{
	struct mem m;
	struct trace *t = mem_open(&m);
	trace_event_id(t, "a");
	trace_event_id(t, NULL);
}
END_TEST

/* ---- Event types and the filter ---- */

START_TEST(test_valid_name)
{
	ck_assert(trace_valid_name("mm_page_alloc"));
	ck_assert(trace_valid_name("sched:sched_switch"));
	ck_assert(trace_valid_name("a.b.C9"));
	ck_assert(!trace_valid_name(""));
	ck_assert(!trace_valid_name(NULL));
	ck_assert(!trace_valid_name("a b"));
	ck_assert(!trace_valid_name("a-b"));
	ck_assert(!trace_valid_name("a*"));
	ck_assert(!trace_valid_name("\"x\""));
	ck_assert(!trace_valid_name("caf\xc3\xa9"));
	char name[TRACE_MAX_NAME + 2];
	memset(name, 'a', sizeof name);
	name[TRACE_MAX_NAME] = '\0';
	ck_assert(trace_valid_name(name));
	name[TRACE_MAX_NAME] = 'a';
	name[TRACE_MAX_NAME + 1] = '\0';
	ck_assert(!trace_valid_name(name));
}
END_TEST

/* ids in registration order, found again by name; trace_enabled is false for
 * NULL, negative and unregistered ids. */
START_TEST(test_event_ids)
{
	ck_assert(!trace_enabled(NULL, 0));
	ck_assert(!trace_enabled(NULL, -1));
	ck_assert_int_eq(trace_event_id(NULL, "x"), -1);
	ck_assert_int_eq(trace_close(NULL), 0);
	char err[8] = "unset";
	ck_assert_int_eq(trace_close_err(NULL, err, sizeof err), 0);
	ck_assert_str_eq(err, "unset");

	struct mem m;
	struct trace *t = mem_open(&m);
	ck_assert(!trace_enabled(t, 0));
	ck_assert(!trace_enabled(t, -1));
	char name[32];
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof name, "ev%d", i);
		ck_assert_int_eq(trace_event_id(t, name), i);
	}
	for (int i = 99; i >= 0; i--) {
		snprintf(name, sizeof name, "ev%d", i);
		ck_assert_int_eq(trace_event_id(t, name), i);
		ck_assert_str_eq(trace_event_name(t, i), name);
		ck_assert(trace_enabled(t, i));
	}
	ck_assert(!trace_enabled(t, 100));
	ck_assert(!trace_enabled(t, -1));
	ck_assert(!trace_enabled(t, INT32_MIN));
	/* The name is copied. */
	strcpy(name, "later");
	int id = trace_event_id(t, name);
	strcpy(name, "xxxxx");
	ck_assert_str_eq(trace_event_name(t, id), "later");
	free(mem_close(t, &m));
}
END_TEST

/* Which of names[] the filter enables, as a string of 0/1, registering them
 * before (when) = 0 or after = 1 the filter is set. */
static const char *const fnames[] = {
	"mm_page_alloc", "mm_page_free", "mm_page_pcpu_drain", "kmalloc", "kmem_cache_alloc",
	"kmem_cache_free", "sched:switch", "mm_page", "a", "abc",
};
enum { NF = sizeof fnames / sizeof fnames[0] };

static const char *filter_bits(const char *patterns, int after)
{
	static char bits[NF + 1];
	struct mem m;
	struct trace *t = mem_open(&m);
	int ids[NF];
	char err[256] = "";
	if (!after)
		for (int i = 0; i < NF; i++)
			ids[i] = trace_event_id(t, fnames[i]);
	ck_assert_msg(trace_set_filter(t, patterns, err, sizeof err) == 0, "%s", err);
	if (after)
		for (int i = 0; i < NF; i++)
			ids[i] = trace_event_id(t, fnames[i]);
	for (int i = 0; i < NF; i++)
		bits[i] = trace_enabled(t, ids[i]) ? '1' : '0';
	bits[NF] = '\0';
	free(mem_close(t, &m));
	return bits;
}

/* Each case checked with the events registered before and after the filter:
 * the result must not depend on it. */
static void check_filter(const char *patterns, const char *want)
{
	ck_assert_msg(strcmp(filter_bits(patterns, 0), want) == 0, "filter \"%s\" (before): %s, want %s",
		      patterns, filter_bits(patterns, 0), want);
	ck_assert_msg(strcmp(filter_bits(patterns, 1), want) == 0, "filter \"%s\" (after): %s, want %s",
		      patterns, filter_bits(patterns, 1), want);
}

START_TEST(test_filter_patterns)
{
	/*                                     alloc free drain kmalloc kc_alloc kc_free switch mm_page a abc */
	check_filter(NULL,                     "1111111111");
	check_filter("",                       "1111111111");
	check_filter("*",                      "1111111111");
	check_filter("kmalloc",                "0001000000");
	check_filter("mm_page",                "0000000100");
	check_filter("mm_page_alloc,kmalloc",  "1001000000");
	check_filter("mm_page_*",              "1110000000");
	check_filter("mm_page*",               "1110000100");
	check_filter("kmem*",                  "0000110000");
	check_filter("*_free",                 "0100010000");
	check_filter("*alloc*",                "1001100000");
	check_filter("*a*c*",                  "1011110001");
	check_filter("a*c",                    "0000000001");
	check_filter("sched:*",                "0000001000");
	check_filter("**",                     "1111111111");
	check_filter("m*_*_*e",                "0100000000");
	check_filter("nothing_matches",        "0000000000");
	check_filter("A",                      "0000000000");   /* case matters */
	check_filter("-mm_page_pcpu_drain",    "1101111111");
	check_filter("-mm_page_*,-sched:*",    "0001110111");
	check_filter("mm_page_*,-mm_page_pcpu_drain", "1100000000");
	check_filter("-mm_page_pcpu_drain,mm_page_*", "1100000000");   /* order does not matter */
	check_filter("*,-*alloc*",             "0110011111");
	check_filter("-*alloc*,*",             "0110011111");
	check_filter("kmalloc,-kmalloc",       "0000000000");
	check_filter("-kmalloc,kmalloc",       "0000000000");
	check_filter("-*",                     "0000000000");
	check_filter(" kmalloc , \t-x,a\t",    "0001000010");
	check_filter("a,a,a",                  "0000000010");
}
END_TEST

/* Setting a new filter recomputes every registered event and applies to the
 * ones registered later. */
START_TEST(test_filter_change)
{
	struct mem m;
	struct trace *t = mem_open(&m);
	int a = trace_event_id(t, "mm_page_alloc");
	ck_assert_int_eq(trace_set_filter(t, "kmem*", NULL, 0), 0);
	ck_assert(!trace_enabled(t, a));
	int k = trace_event_id(t, "kmem_cache_alloc");
	ck_assert(trace_enabled(t, k));
	ck_assert_int_eq(trace_set_filter(t, "mm_*", NULL, 0), 0);
	ck_assert(trace_enabled(t, a));
	ck_assert(!trace_enabled(t, k));
	ck_assert_int_eq(trace_set_filter(t, NULL, NULL, 0), 0);
	ck_assert(trace_enabled(t, a));
	ck_assert(trace_enabled(t, k));
	ck_assert_int_eq(trace_set_filter(t, "-kmem*", NULL, 0), 0);
	int k2 = trace_event_id(t, "kmem_cache_free");
	int s = trace_event_id(t, "sched:switch");
	ck_assert(!trace_enabled(t, k2));
	ck_assert(trace_enabled(t, s));
	ck_assert(trace_enabled(t, a));

	/* Only enabled events are written, by the intended tracepoint shape. */
	int ids[4] = {a, k, k2, s};
	for (int i = 0; i < 4; i++) {
		if (trace_enabled(t, ids[i])) {
			trace_begin(t, ids[i], (cycle_t)i, 0, NULL);
			trace_end(t);
		}
	}
	char *out = mem_close(t, &m);
	ck_assert_str_eq(out,
			 "{\"ev\":\"mm_page_alloc\",\"t\":0,\"cpu\":0}\n"
			 "{\"ev\":\"sched:switch\",\"t\":3,\"cpu\":0}\n");
	free(out);
}
END_TEST

/* A malformed filter returns -1 with a message naming the problem, and the
 * previous filter stays in effect. */
static void check_bad_filter(const char *patterns, const char *want_in_msg)
{
	struct mem m;
	struct trace *t = mem_open(&m);
	int a = trace_event_id(t, "a");
	int b = trace_event_id(t, "b");
	ck_assert_int_eq(trace_set_filter(t, "a", NULL, 0), 0);
	char err[512] = "";
	ck_assert_int_eq(trace_set_filter(t, patterns, err, sizeof err), -1);
	ck_assert_msg(strstr(err, want_in_msg) != NULL, "filter \"%s\": message \"%s\" lacks \"%s\"",
		      patterns, err, want_in_msg);
	ck_assert_msg(strstr(err, "trace filter") != NULL, "message \"%s\"", err);
	ck_assert(trace_enabled(t, a));
	ck_assert(!trace_enabled(t, b));
	int c = trace_event_id(t, "c");
	ck_assert(!trace_enabled(t, c));
	/* No message buffer is fine too. */
	ck_assert_int_eq(trace_set_filter(t, patterns, NULL, 0), -1);
	char tiny[4] = "xyz";
	ck_assert_int_eq(trace_set_filter(t, patterns, tiny, sizeof tiny), -1);
	ck_assert_uint_le(strlen(tiny), 3);
	free(mem_close(t, &m));
}

START_TEST(test_filter_errors)
{
	check_bad_filter("a,,b", "empty item");
	check_bad_filter("a,", "empty item");
	check_bad_filter(",a", "empty item");
	check_bad_filter(" ", "empty item");
	check_bad_filter("-", "empty item");
	check_bad_filter("a, - ,b", "empty item");
	check_bad_filter("mm?page", "bad character '?'");
	check_bad_filter("a b", "bad character ' '");
	check_bad_filter("mm-page", "bad character '-'");
	check_bad_filter("--a", "bad character '-'");
	check_bad_filter("a,[b]", "bad character '['");
	check_bad_filter("x,\"y\"", "bad character '\"'");
	check_bad_filter("a\tb", "bad character 0x09");
	check_bad_filter("a\nb", "bad character 0x0a");
	check_bad_filter("caf\xc3\xa9", "bad character 0xc3");
	/* The whole list is quoted in the message. */
	check_bad_filter("kmalloc,mm page", "\"kmalloc,mm page\"");
	check_bad_filter("kmalloc,mm page", "\"mm page\"");
}
END_TEST

/* ---- Counters, files, streams ---- */

START_TEST(test_counters)
{
	struct mem m;
	struct trace *t = mem_open(&m);
	const struct trace_counters *c = trace_counters(t);
	ck_assert_uint_eq(c->lines, 0);
	ck_assert_uint_eq(c->bytes, 0);
	int id = trace_event_id(t, "e");
	trace_begin(t, id, 1, 0, NULL);
	trace_end(t);
	const char *l1 = "{\"ev\":\"e\",\"t\":1,\"cpu\":0}\n";
	ck_assert_uint_eq(c->lines, 1);
	ck_assert_uint_eq(c->bytes, strlen(l1));
	/* A line in progress is not counted. */
	trace_line_begin(t);
	trace_str(t, "s", "abcdef");
	ck_assert_uint_eq(c->lines, 1);
	ck_assert_uint_eq(c->bytes, strlen(l1));
	trace_line_end(t);
	ck_assert_uint_eq(c->lines, 2);
	ck_assert_uint_eq(c->bytes, strlen(l1) + strlen("{\"s\":\"abcdef\"}\n"));
	ck_assert_ptr_eq(trace_counters(t), c);
	uint64_t bytes = c->bytes;
	char *s = mem_close(t, &m);
	ck_assert_uint_eq(strlen(s), bytes);
	free(s);
}
END_TEST

/* 100k lines through trace_open to a file, far more than the buffer: the file
 * is exactly what printf gives for the same lines, and the counters agree. */
START_TEST(test_large_output)
{
	enum { N = 100000 };
	char path[64];
	tmp_path(path, sizeof path);
	char err[256];
	struct trace *t = trace_open(path, err, sizeof err);
	ck_assert_ptr_nonnull(t);
	ck_assert_ptr_null(trace_error(t));
	int a = trace_event_id(t, "mm_page_alloc"), f = trace_event_id(t, "mm_page_free");
	size_t cap = (size_t)N * 200, n = 0;
	char *expect = malloc(cap);
	n += (size_t)sprintf(expect + n, "{\"mmsim\":\"trace\",\"n\":%d}\n", N);
	trace_line_begin(t);
	trace_str(t, "mmsim", "trace");
	trace_u64(t, "n", N);
	trace_line_end(t);
	for (int i = 0; i < N; i++) {
		uint64_t pfn = (uint64_t)i * 2654435761u;
		int id = i % 5 ? a : f;
		trace_begin(t, id, (cycle_t)i * 1000 + 7, i % 8, "task-3");
		trace_u64(t, "pfn", pfn);
		trace_u64(t, "order", (uint64_t)(i % 11));
		trace_str(t, "gfp", i % 2 ? "GFP_KERNEL" : "GFP_ATOMIC|__GFP_\"Z\"");
		trace_hex(t, "addr", pfn << 12);
		trace_i64(t, "delta", -(int64_t)i);
		trace_end(t);
		n += (size_t)sprintf(expect + n,
				     "{\"ev\":\"%s\",\"t\":%" PRIu64 ",\"cpu\":%d,\"task\":\"task-3\","
				     "\"pfn\":%" PRIu64 ",\"order\":%d,\"gfp\":\"%s\",\"addr\":\"0x%" PRIx64
				     "\",\"delta\":%d}\n",
				     i % 5 ? "mm_page_alloc" : "mm_page_free", (uint64_t)i * 1000 + 7,
				     i % 8, pfn, i % 11,
				     i % 2 ? "GFP_KERNEL" : "GFP_ATOMIC|__GFP_\\\"Z\\\"", pfn << 12, -i);
	}
	const struct trace_counters *c = trace_counters(t);
	ck_assert_uint_eq(c->lines, N + 1);
	ck_assert_uint_eq(c->bytes, n);
	ck_assert_int_eq(trace_close(t), 0);
	size_t len;
	char *s = read_file(path, &len);
	ck_assert_uint_eq(len, n);
	ck_assert(memcmp(s, expect, n) == 0);
	/* Every line is JSON with the leading keys in order. */
	const char *l = strchr(s, '\n') + 1;
	for (int i = 0; i < N; i += 997) {
		cJSON *j = parse_line(l);
		char keys[128];
		keys_of(j, keys, sizeof keys);
		ck_assert_str_eq(keys, "ev,t,cpu,task,pfn,order,gfp,addr,delta");
		cJSON_Delete(j);
		for (int k = 0; k < 997 && *l; k++)
			l = strchr(l, '\n') + 1;
	}
	free(s);
	free(expect);
	unlink(path);
}
END_TEST

/* An unbuffered stream on path, as trace_open sets up (its own file is a
 * temporary one until trace_close, sim/ofile.h, so tests of what a flush
 * hands out watch a stream of their own). */
static struct trace *open_unbuffered(const char *path, FILE **fp)
{
	*fp = fopen(path, "w");
	ck_assert_ptr_nonnull(*fp);
	setvbuf(*fp, NULL, _IONBF, 0);
	return trace_open_fp(*fp, path);
}

/* trace_flush hands everything to the file now. */
START_TEST(test_flush)
{
	char path[64];
	tmp_path(path, sizeof path);
	FILE *fp;
	struct trace *t = open_unbuffered(path, &fp);
	ck_assert_ptr_nonnull(t);
	trace_line_begin(t);
	trace_u64(t, "a", 1);
	trace_line_end(t);
	size_t len;
	char *s = read_file(path, &len);
	ck_assert_uint_eq(len, 0);   /* still in the 64 KiB buffer */
	free(s);
	ck_assert_int_eq(trace_flush(t), 0);
	s = read_file(path, &len);
	ck_assert_str_eq(s, "{\"a\":1}\n");
	free(s);
	ck_assert_int_eq(trace_close(t), 0);
	fclose(fp);
	unlink(path);
}
END_TEST

/* A flush inside a line hands out the part written so far; the line is
 * finished later and the counters only count complete lines. */
START_TEST(test_flush_mid_line)
{
	char path[64];
	tmp_path(path, sizeof path);
	FILE *fp;
	struct trace *t = open_unbuffered(path, &fp);
	ck_assert_ptr_nonnull(t);
	int id = trace_event_id(t, "e");
	trace_begin(t, id, 3, 1, NULL);
	trace_u64(t, "a", 1);
	ck_assert_int_eq(trace_flush(t), 0);
	char *s = read_file(path, NULL);
	ck_assert_str_eq(s, "{\"ev\":\"e\",\"t\":3,\"cpu\":1,\"a\":1");
	free(s);
	ck_assert_uint_eq(trace_counters(t)->lines, 0);
	ck_assert_uint_eq(trace_counters(t)->bytes, 0);
	trace_u64(t, "b", 2);
	trace_end(t);
	ck_assert_uint_eq(trace_counters(t)->lines, 1);
	ck_assert_uint_eq(trace_counters(t)->bytes, strlen("{\"ev\":\"e\",\"t\":3,\"cpu\":1,\"a\":1,\"b\":2}\n"));
	ck_assert_int_eq(trace_close(t), 0);
	fclose(fp);
	s = read_file(path, NULL);
	ck_assert_str_eq(s, "{\"ev\":\"e\",\"t\":3,\"cpu\":1,\"a\":1,\"b\":2}\n");
	free(s);
	unlink(path);
}
END_TEST

/* trace_open replaces an existing file, at trace_close: until then the old
 * contents are there (sim/ofile.h). */
START_TEST(test_open_truncates)
{
	char path[64];
	tmp_path(path, sizeof path);
	FILE *fp = fopen(path, "w");
	fputs("old contents that are longer than the new ones\n", fp);
	fclose(fp);
	struct trace *t = trace_open(path, NULL, 0);
	trace_line_begin(t);
	trace_line_end(t);
	ck_assert_int_eq(trace_flush(t), 0);
	char *s = read_file(path, NULL);
	ck_assert_str_eq(s, "old contents that are longer than the new ones\n");
	free(s);
	ck_assert_int_eq(trace_close(t), 0);
	s = read_file(path, NULL);
	ck_assert_str_eq(s, "{}\n");
	free(s);
	unlink(path);
}
END_TEST

/* A write that fails (disk full) is an error naming the file, at close even
 * when nothing reached the disk before, and sticky. */
START_TEST(test_dev_full_small)
{
	struct trace *t = trace_open("/dev/full", NULL, 0);
	ck_assert_ptr_nonnull(t);
	trace_line_begin(t);
	trace_u64(t, "a", 1);
	trace_line_end(t);
	ck_assert_ptr_null(trace_error(t));  /* still buffered */
	char err[256] = "";
	ck_assert_int_eq(trace_close_err(t, err, sizeof err), -1);
	ck_assert_str_eq(err, "/dev/full: write failed: No space left on device");
}
END_TEST

START_TEST(test_dev_full_large)
{
	struct trace *t = trace_open("/dev/full", NULL, 0);
	ck_assert_ptr_nonnull(t);
	int id = trace_event_id(t, "e");
	for (int i = 0; i < 20000 && !trace_error(t); i++) {
		trace_begin(t, id, (cycle_t)i, 0, "task");
		trace_u64(t, "i", (uint64_t)i);
		trace_end(t);
	}
	ck_assert_ptr_nonnull(trace_error(t));
	ck_assert_str_eq(trace_error(t), "/dev/full: write failed: No space left on device");
	/* Sticky: later output is discarded, flush keeps failing, the message
	 * stays the first one. */
	for (int i = 0; i < 20000; i++) {
		trace_begin(t, id, (cycle_t)i, 0, "task");
		trace_end(t);
	}
	ck_assert_int_eq(trace_flush(t), -1);
	ck_assert_int_eq(trace_flush(t), -1);
	ck_assert_str_eq(trace_error(t), "/dev/full: write failed: No space left on device");
	ck_assert_int_eq(trace_close(t), -1);
}
END_TEST

/* A caller's stream on /dev/full (stdio-buffered): the failure shows at the
 * flush, under the caller's name. */
START_TEST(test_dev_full_caller_stream)
{
	FILE *fp = fopen("/dev/full", "w");
	ck_assert_ptr_nonnull(fp);
	struct trace *t = trace_open_fp(fp, "my-trace");
	trace_line_begin(t);
	trace_line_end(t);
	ck_assert_int_eq(trace_flush(t), -1);
	ck_assert_str_eq(trace_error(t), "my-trace: write failed: No space left on device");
	char err[256];
	ck_assert_int_eq(trace_close_err(t, err, sizeof err), -1);
	ck_assert_str_eq(err, "my-trace: write failed: No space left on device");
	fclose(fp);

	fp = fopen("/dev/full", "w");
	t = trace_open_fp(fp, NULL);
	trace_line_begin(t);
	trace_line_end(t);
	ck_assert_int_eq(trace_close_err(t, err, sizeof err), -1);
	ck_assert_str_eq(err, "trace: write failed: No space left on device");
	fclose(fp);
}
END_TEST

START_TEST(test_open_missing_dir)
{
	char err[256] = "";
	struct trace *t = trace_open("/nonexistent-mmsim-dir/sub/trace.jsonl", err, sizeof err);
	ck_assert_ptr_null(t);
	ck_assert_str_eq(err, "cannot open /nonexistent-mmsim-dir/sub/trace.jsonl for writing: "
			      "No such file or directory");
	/* No buffer for the message is fine. */
	ck_assert_ptr_null(trace_open("/nonexistent-mmsim-dir/x", NULL, 0));
	char tiny[8] = "";
	ck_assert_ptr_null(trace_open("/nonexistent-mmsim-dir/x", tiny, sizeof tiny));
	ck_assert_str_eq(tiny, "cannot ");
}
END_TEST

/* trace_open_fp: the trace writes to the caller's stream and leaves it open
 * (and its position after the trace) at close. */
START_TEST(test_open_fp_caller_stream)
{
	FILE *fp = tmpfile();
	ck_assert_ptr_nonnull(fp);
	fputs("# before\n", fp);
	struct trace *t = trace_open_fp(fp, "tmp");
	int id = trace_event_id(t, "e");
	trace_begin(t, id, 99, 1, "w");
	trace_u64(t, "x", 5);
	trace_end(t);
	ck_assert_int_eq(trace_close(t), 0);
	fputs("# after\n", fp);     /* still open */
	rewind(fp);
	char buf[256];
	size_t n = fread(buf, 1, sizeof buf - 1, fp);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "# before\n{\"ev\":\"e\",\"t\":99,\"cpu\":1,\"task\":\"w\",\"x\":5}\n# after\n");
	fclose(fp);
}
END_TEST

/* "-" is standard output, flushed but not closed at the end. */
START_TEST(test_open_stdout)
{
	char path[64];
	tmp_path(path, sizeof path);
	ck_assert_ptr_nonnull(freopen(path, "w", stdout));
	struct trace *t = trace_open("-", NULL, 0);
	ck_assert_ptr_nonnull(t);
	trace_line_begin(t);
	trace_u64(t, "a", 1);
	trace_line_end(t);
	ck_assert_int_eq(trace_close(t), 0);
	char *s = read_file(path, NULL);
	ck_assert_str_eq(s, "{\"a\":1}\n");     /* flushed at close */
	free(s);
	ck_assert_int_ge(printf("more\n"), 0);  /* not closed */
	ck_assert_int_eq(fflush(stdout), 0);
	s = read_file(path, NULL);
	ck_assert_str_eq(s, "{\"a\":1}\nmore\n");
	free(s);
	unlink(path);
}
END_TEST

/* Two traces live side by side in one process. */
START_TEST(test_two_traces)
{
	struct mem m1, m2;
	struct trace *t1 = mem_open(&m1), *t2 = mem_open(&m2);
	int a1 = trace_event_id(t1, "a");
	int b2 = trace_event_id(t2, "b");
	int a2 = trace_event_id(t2, "a");
	ck_assert_int_eq(trace_set_filter(t1, "-a", NULL, 0), 0);
	ck_assert(!trace_enabled(t1, a1));
	ck_assert(trace_enabled(t2, a2));
	trace_begin(t2, b2, 1, 0, NULL);
	trace_end(t2);
	char *s1 = mem_close(t1, &m1), *s2 = mem_close(t2, &m2);
	ck_assert_str_eq(s1, "");
	ck_assert_str_eq(s2, "{\"ev\":\"b\",\"t\":1,\"cpu\":0}\n");
	free(s1);
	free(s2);
}
END_TEST

Suite *trace_suite(void)
{
	Suite *s = suite_create("trace");
	TCase *tc = tcase_create("lines");
	tcase_add_test(tc, test_event_line_exact);
	tcase_add_test(tc, test_event_optional_members);
	tcase_add_test(tc, test_event_task_escaped);
	tcase_add_test(tc, test_plain_lines);
	tcase_add_test(tc, test_deterministic);
	suite_add_tcase(s, tc);

	tc = tcase_create("values");
	/* test_double_locale may build two locales with localedef: seconds on
	 * a busy machine, more than Check's default 4 s timeout. */
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_u64_values);
	tcase_add_test(tc, test_i64_values);
	tcase_add_test(tc, test_hex_values);
	tcase_add_test(tc, test_bool_null);
	tcase_add_test(tc, test_double_roundtrip);
	tcase_add_test(tc, test_double_special);
	tcase_add_test(tc, test_double_locale);
	tcase_add_test(tc, test_string_escapes);
	tcase_add_test(tc, test_strn);
	tcase_add_test(tc, test_long_strings);
	tcase_add_test(tc, test_long_key_and_name);
	suite_add_tcase(s, tc);

	tc = tcase_create("nesting");
	tcase_add_test(tc, test_nested);
	tcase_add_test(tc, test_nested_comma_state);
	tcase_add_test(tc, test_nesting_limit_ok);
	tcase_add_test_raise_signal(tc, test_nesting_limit_aborts, SIGABRT);
	suite_add_tcase(s, tc);

	tc = tcase_create("misuse");
	tcase_add_test_raise_signal(tc, test_field_outside_line_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, test_key_in_array_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, test_no_key_in_object_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, test_mismatched_close_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, test_close_line_level_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, test_line_end_with_open_container_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, test_line_end_outside_line_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, test_begin_inside_line_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, test_begin_disabled_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, test_begin_unknown_id_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, test_close_with_open_line_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, test_invalid_event_name_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, test_null_event_name_aborts, SIGABRT);
	suite_add_tcase(s, tc);

	tc = tcase_create("filter");
	tcase_add_test(tc, test_valid_name);
	tcase_add_test(tc, test_event_ids);
	tcase_add_test(tc, test_filter_patterns);
	tcase_add_test(tc, test_filter_change);
	tcase_add_test(tc, test_filter_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("output");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_counters);
	tcase_add_test(tc, test_large_output);
	tcase_add_test(tc, test_flush);
	tcase_add_test(tc, test_flush_mid_line);
	tcase_add_test(tc, test_open_truncates);
	tcase_add_test(tc, test_dev_full_small);
	tcase_add_test(tc, test_dev_full_large);
	tcase_add_test(tc, test_dev_full_caller_stream);
	tcase_add_test(tc, test_open_missing_dir);
	tcase_add_test(tc, test_open_fp_caller_stream);
	tcase_add_test(tc, test_open_stdout);
	tcase_add_test(tc, test_two_traces);
	suite_add_tcase(s, tc);
	return s;
}
