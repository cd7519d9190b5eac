/*
 * Tests of sim/trace_read: the flat scanner (its grammar on hand-picked
 * lines; whatever it accepts among thousands of mutations of a real event
 * line, cJSON accepts too), the fields it decodes, and the reader on
 * files: the shape checks with their messages, lines longer than the read
 * buffer, lines split across reads, a trace written by sim/trace.c read
 * back.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/rng.h"
#include "sim/trace_read.h"

static int scan(const char *s, struct trd_event *ev)
{
	return trd_scan_flat(s, strlen(s), ev);
}

START_TEST(test_flat_fields)
{
	struct trd_event ev;
	ck_assert_int_eq(scan("{\"ev\":\"mm_page_alloc\",\"t\":4212,\"cpu\":0,\"task\":\"w\\\"0\","
			      "\"pfn\":1309696,\"ok\":true,\"x\":null,\"f\":-1.5e3,\"cycles\":18446744073709551615}",
			      &ev), 0);
	ck_assert(trd_span_eq(ev.name, "mm_page_alloc"));
	ck_assert(ev.has_t);
	ck_assert_uint_eq(ev.t, 4212);
	ck_assert(ev.has_cycles);
	ck_assert_uint_eq(ev.cycles, UINT64_MAX);
	ck_assert_int_eq(ev.nfields, 9);
	ck_assert(trd_span_eq(ev.keys[3], "task"));
	ck_assert(trd_span_eq(ev.vals[3], "\"w\\\"0\""));
	ck_assert(trd_span_eq(*trd_field(&ev, "f"), "-1.5e3"));
	ck_assert_ptr_null(trd_field(&ev, "nope"));

	/* Not plain non-negative integers: decoded as absent. */
	ck_assert_int_eq(scan("{\"ev\":\"a\",\"t\":-1,\"cycles\":2.5}", &ev), 0);
	ck_assert(!ev.has_t);
	ck_assert(!ev.has_cycles);
	ck_assert_int_eq(scan("{\"ev\":\"a\",\"cycles\":18446744073709551616}", &ev), 0);
	ck_assert(!ev.has_cycles);
	ck_assert_int_eq(scan(" { } ", &ev), 0);
	ck_assert_int_eq(ev.nfields, 0);
}
END_TEST

START_TEST(test_flat_grammar)
{
	static const struct {
		const char *line;
		int flat;
	} cases[] = {
		{"{\"ev\":\"a\",\"t\":1}", 1}, {"{\"ev\":\"a\",\"t\":01}", 0},
		{"{\"ev\":\"a\",\"t\":1.}", 0}, {"{\"ev\":\"a\",\"t\":-}", 0},
		{"{\"ev\":\"a\",\"t\":1e}", 0}, {"{\"ev\":\"a\",\"t\":1e+5}", 1},
		{"{\"ev\":\"a\",}", 0}, {"{\"ev\":\"a\"", 0}, {"{\"ev\":\"a\"}x", 0},
		{"{\"ev\":\"a\\q\"}", 0}, {"{\"ev\":\"a\\u00e9\"}", 1},
		{"{\"ev\":\"a\\u00g9\"}", 0}, {"{\"ev\":\"a\tb\"}", 0}, {"{\"ev\":tru}", 0},
		{"{\"ev\":falsey}", 0}, {"{ \"ev\" : \"a\" , \"t\" : 2 }", 1},
		{"{\"ev\":\"a\",\"t\":2,}", 0}, {"{,}", 0}, {"[1]", 0}, {"{\"ev\":\"a\"}}", 0},
		{"{\"a\":1 \"b\":2}", 0}, {"{\"ev\":\"\\\\\"}", 1}, {"{\"a\":{}}", 0},
		{"{\"a\":[1]}", 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct trd_event ev;
		int flat = scan(cases[i].line, &ev) == 0;
		ck_assert_msg(flat == cases[i].flat, "%s: scanner says %d", cases[i].line, flat);
	}
}
END_TEST

/* Random byte edits of a real line: whatever the scanner accepts, cJSON
 * accepts too, as one whole object. (cJSON is laxer, e.g. about leading
 * zeros; what the scanner refuses goes to cJSON anyway.) */
START_TEST(test_flat_mutations)
{
	const char *base = "{\"ev\":\"mm_page_alloc\",\"t\":7516,\"cpu\":0,\"task\":\"worker0\","
			   "\"pfn\":1309696,\"ok\":true,\"gfp_flags\":\"GFP_KERNEL\",\"cycles\":75}";
	static const char alphabet[] = "{}[]\":,\\0123456789-+.eEtrufalsn u\t";
	struct rng rng;
	rng_seed(&rng, 42);
	size_t n = strlen(base);
	char buf[256];
	int accepted = 0;
	for (int iter = 0; iter < 20000; iter++) {
		memcpy(buf, base, n + 1);
		size_t len = n;
		int edits = 1 + (int)rng_below(&rng, 3);
		for (int e = 0; e < edits; e++) {
			size_t at = (size_t)rng_below(&rng, len);
			char c = alphabet[rng_below(&rng, sizeof alphabet - 1)];
			switch (rng_below(&rng, 3)) {
			case 0:
				buf[at] = c;
				break;
			case 1:   /* delete */
				memmove(buf + at, buf + at + 1, len - at);
				len--;
				break;
			default:  /* insert */
				if (len + 2 < sizeof buf) {
					memmove(buf + at + 1, buf + at, len - at + 1);
					buf[at] = c;
					len++;
				}
			}
		}
		struct trd_event ev;
		if (trd_scan_flat(buf, len, &ev) == 0) {
			accepted++;
			const char *end = NULL;
			cJSON *j = cJSON_ParseWithLengthOpts(buf, len, &end, false);
			ck_assert_msg(j && end == buf + len, "scanner accepts what cJSON refuses: %.*s",
				      (int)len, buf);
			cJSON_Delete(j);
		}
	}
	ck_assert_int_gt(accepted, 100);   /* the property was tested */
}
END_TEST

/* ---- The reader on files ---- */

static char path[64];

static void write_file(const char *text)
{
	snprintf(path, sizeof path, "/tmp/mmsim-trd-%d.jsonl", (int)getpid());
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

#define HDR "{\"type\":\"header\",\"format\":\"mmsim-trace\",\"version\":1}\n"
#define SUM "{\"type\":\"summary\",\"status\":\"ok\"}\n"

/* Reads the whole file; returns the kinds as letters (H E S U O) and the
 * error message, if any, in err. */
static void read_all(char *kinds, size_t n, char *err, size_t errlen)
{
	struct trace_reader r;
	err[0] = 0;
	size_t k = 0;
	if (trd_open(&r, path)) {
		snprintf(err, errlen, "%s", r.err);
	} else {
		for (;;) {
			enum trd_kind kind = trd_next(&r);
			if (kind == TRD_EOF)
				break;
			if (kind == TRD_ERROR) {
				snprintf(err, errlen, "%s", r.err);
				break;
			}
			static const char letters[] = "?HEPSO";   /* P: snapshot */
			if (k + 1 < n)
				kinds[k++] = letters[kind];
		}
	}
	kinds[k] = 0;
	trd_close(&r);
	unlink(path);
}

static void check_file(const char *text, const char *want_kinds, const char *want_err)
{
	char kinds[64], err[600];
	write_file(text);
	read_all(kinds, sizeof kinds, err, sizeof err);
	ck_assert_str_eq(kinds, want_kinds);
	if (!want_err) {
		ck_assert_str_eq(err, "");
	} else {
		char full[600];
		snprintf(full, sizeof full, "%s%s", path, want_err);
		ck_assert_msg(!strncmp(err, full, strlen(full)), "got '%s', expected '%s...'", err, full);
	}
}

START_TEST(test_reader_shapes)
{
	check_file(HDR "{\"ev\":\"a\",\"t\":1}\n{\"type\":\"snapshot\",\"t\":2}\n"
		   "{\"type\":\"later\"}\n{\"t\":3,\"ev\":\"b\"}\n" SUM, "HEPOES", NULL);
	check_file(HDR "{\"ev\":\"a\",\"t\":1}\n", "HE", ":2: truncated: no summary line");
	check_file(HDR "{\"ev\":\"a\",\"t\":1", "H", ":2: truncated: the last line has no end");
	check_file(HDR "{\"ev\":\"a\",\"t\":1,}\n" SUM, "H", ":2: not JSON");
	check_file(HDR "\n" SUM, "H", ":2: not JSON");
	check_file(HDR "[1,2]\n" SUM, "H", ":2: not a JSON object");
	check_file(HDR "{\"type\":\"snapshot\"} x\n" SUM, "H", ":2: not JSON (column 21: text after");
	check_file(HDR HDR SUM, "H", ":2: a second header");
	check_file(HDR SUM SUM, "HS", ":3: a line after the summary");
	check_file("{\"ev\":\"a\"}\n" SUM, "", ":1: not an mmsim trace");
	check_file("{\"type\":\"header\",\"format\":\"mmsim-trace\"}\n" SUM, "", ":1: the header has no version");
	check_file("{\"type\":\"header\",\"format\":\"mmsim-trace\",\"version\":2}\n" SUM, "",
		   ":1: unknown trace format version 2");
	check_file("", "", ": empty file");
}
END_TEST

/* A line longer than the read buffer (a summary of 3 MB), and event lines
 * straddling every read boundary. */
START_TEST(test_reader_long_lines)
{
	snprintf(path, sizeof path, "/tmp/mmsim-trd-%d.jsonl", (int)getpid());
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(HDR, f);
	int nev = 40000;
	for (int i = 0; i < nev; i++)
		fprintf(f, "{\"ev\":\"e%d\",\"t\":%d,\"pad\":\"%*s\",\"cycles\":%d}\n", i % 3, i,
			i % 97, "", i);
	fputs("{\"type\":\"summary\",\"status\":\"ok\",\"pad\":\"", f);
	for (int i = 0; i < 3 << 20; i++)
		fputc('x', f);
	fputs("\"}\n", f);
	fclose(f);

	struct trace_reader r;
	ck_assert_int_eq(trd_open(&r, path), 0);
	ck_assert_int_eq(trd_next(&r), TRD_HEADER);
	for (int i = 0; i < nev; i++) {
		ck_assert_int_eq(trd_next(&r), TRD_EVENT);
		ck_assert(r.ev.has_t && r.ev.t == (uint64_t)i);
		ck_assert(r.ev.has_cycles && r.ev.cycles == (uint64_t)i);
		ck_assert_uint_eq(r.lineno, (uint64_t)i + 2);
	}
	ck_assert_int_eq(trd_next(&r), TRD_SUMMARY);
	ck_assert_uint_eq(strlen(cJSON_GetObjectItem(r.json, "pad")->valuestring), 3u << 20);
	ck_assert_int_eq(trd_next(&r), TRD_EOF);
	ck_assert_int_eq(trd_next(&r), TRD_EOF);
	trd_close(&r);
	unlink(path);
}
END_TEST

START_TEST(test_reader_missing)
{
	struct trace_reader r;
	ck_assert_int_eq(trd_open(&r, "/nonexistent/x.jsonl"), -1);
	ck_assert_str_eq(r.err, "/nonexistent/x.jsonl: cannot open: No such file or directory");
	trd_close(&r);
}
END_TEST

Suite *trace_read_suite(void)
{
	Suite *s = suite_create("trace_read");
	TCase *tc = tcase_create("scanner");
	tcase_add_test(tc, test_flat_fields);
	tcase_add_test(tc, test_flat_grammar);
	tcase_add_test(tc, test_flat_mutations);
	suite_add_tcase(s, tc);
	tc = tcase_create("reader");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_reader_shapes);
	tcase_add_test(tc, test_reader_long_lines);
	tcase_add_test(tc, test_reader_missing);
	suite_add_tcase(s, tc);
	return s;
}
