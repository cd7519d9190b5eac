/*
 * A checker for whole trace files, so the end-to-end tests can say "every
 * line is valid JSON" on a machine without python3 or jq.
 *
 * jsonl_check() reads a trace and requires: every line a complete JSON
 * object (cJSON, nothing after it), the first line the header
 * ({"type":"header","format":"mmsim-trace","version":1}), the last line a
 * summary with a "status" string, and a newline after the last line.
 *
 * The unit run checks the checker on small files written here. With
 * MMSIM_JSONL set to one or more paths (separated by spaces) one more test
 * checks those files: tests/cli_scenarios.sh runs
 *   CK_RUN_SUITE=jsonl MMSIM_JSONL="a.jsonl b.jsonl" run_tests
 * on the traces it produced.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* 0 when the file is a well-formed trace, else -1 with "PATH:LINE: what"
 * in err. Reads the file line by line; memory does not grow with it. */
static int jsonl_check(const char *path, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	if (!fp) {
		snprintf(err, errlen, "%s: cannot open", path);
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long n = 0;
	bool last_summary = false, last_newline = true;
	int rc = 0;
	while ((len = getline(&line, &cap, fp)) >= 0) {
		n++;
		last_newline = len > 0 && line[len - 1] == '\n';
		if (last_newline)
			line[--len] = '\0';
		const char *end = NULL;
		cJSON *j = cJSON_ParseWithLengthOpts(line, (size_t)len, &end, 0);
		if (!j || !cJSON_IsObject(j) || (end && end != line + len)) {
			snprintf(err, errlen, "%s:%ld: not one JSON object: %.60s", path, n, line);
			cJSON_Delete(j);
			rc = -1;
			break;
		}
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(j, "type");
		if (n == 1) {
			const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(j, "format");
			const cJSON *ver = cJSON_GetObjectItemCaseSensitive(j, "version");
			if (!cJSON_IsString(type) || strcmp(type->valuestring, "header") ||
			    !cJSON_IsString(fmt) || strcmp(fmt->valuestring, "mmsim-trace") ||
			    !cJSON_IsNumber(ver) || ver->valuedouble != 1) {
				snprintf(err, errlen, "%s:1: not a version 1 mmsim-trace header", path);
				cJSON_Delete(j);
				rc = -1;
				break;
			}
		}
		last_summary = cJSON_IsString(type) && !strcmp(type->valuestring, "summary") &&
			       cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "status"));
		cJSON_Delete(j);
	}
	free(line);
	fclose(fp);
	if (rc)
		return rc;
	if (n == 0) {
		snprintf(err, errlen, "%s: empty", path);
		return -1;
	}
	if (!last_summary) {
		snprintf(err, errlen, "%s:%ld: the last line is not a summary with a status", path, n);
		return -1;
	}
	if (!last_newline) {
		snprintf(err, errlen, "%s:%ld: no newline after the last line", path, n);
		return -1;
	}
	return 0;
}

static void write_tmp(char *path, size_t n, const char *text)
{
	snprintf(path, n, "/tmp/mmsim-jsonl-XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	FILE *fp = fdopen(fd, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	ck_assert_int_eq(fclose(fp), 0);
}

static const char HEADER[] = "{\"type\":\"header\",\"format\":\"mmsim-trace\",\"version\":1}\n";

START_TEST(jsonl_accepts_a_trace)
{
	char path[64], err[256] = "";
	char text[512];
	snprintf(text, sizeof text, "%s%s%s", HEADER,
		 "{\"ev\":\"mm_page_alloc\",\"t\":12,\"cpu\":0,\"task\":\"a\\\"b\",\"pfn\":8193}\n",
		 "{\"type\":\"summary\",\"status\":\"ok\",\"stats\":{\"x\":[1,2.5e3]}}\n");
	write_tmp(path, sizeof path, text);
	int rc = jsonl_check(path, err, sizeof err);
	unlink(path);
	ck_assert_msg(rc == 0, "%s", err);
}
END_TEST

/* Each broken trace is refused with the line at fault. */
START_TEST(jsonl_refuses_broken_traces)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{"{\"type\":\"header\",\"format\":\"mmsim-trace\",\"version\":1}\n{\"ev\":\"x\",\"t\":1\n"
		 "{\"type\":\"summary\",\"status\":\"ok\"}\n", ":2: not one JSON object"},
		{"{\"type\":\"header\",\"format\":\"mmsim-trace\",\"version\":1}\n{\"ev\":\"x\"} junk\n"
		 "{\"type\":\"summary\",\"status\":\"ok\"}\n", ":2: not one JSON object"},
		{"{\"type\":\"header\",\"format\":\"mmsim-trace\",\"version\":1}\n[1,2]\n"
		 "{\"type\":\"summary\",\"status\":\"ok\"}\n", ":2: not one JSON object"},
		{"{\"type\":\"header\",\"format\":\"other\",\"version\":1}\n"
		 "{\"type\":\"summary\",\"status\":\"ok\"}\n", ":1: not a version 1"},
		{"{\"type\":\"header\",\"format\":\"mmsim-trace\",\"version\":1}\n{\"ev\":\"x\",\"t\":1}\n",
		 ":2: the last line is not a summary"},
		{"{\"type\":\"header\",\"format\":\"mmsim-trace\",\"version\":1}\n"
		 "{\"type\":\"summary\",\"status\":\"ok\"}", ":2: no newline"},
		{"", ": empty"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char path[64], err[256] = "";
		write_tmp(path, sizeof path, cases[i].text);
		int rc = jsonl_check(path, err, sizeof err);
		unlink(path);
		ck_assert_msg(rc == -1, "case %zu accepted", i);
		ck_assert_msg(strstr(err, cases[i].want), "case %zu: '%s' lacks '%s'", i, err,
			      cases[i].want);
	}
}
END_TEST

/* The files named in MMSIM_JSONL (only added when it is set). */
START_TEST(jsonl_env_files)
{
	char *list = strdup(getenv("MMSIM_JSONL"));
	ck_assert_ptr_nonnull(list);
	int nfiles = 0;
	for (char *save = NULL, *p = strtok_r(list, " ", &save); p; p = strtok_r(NULL, " ", &save)) {
		char err[512] = "";
		ck_assert_msg(jsonl_check(p, err, sizeof err) == 0, "%s", err);
		nfiles++;
	}
	free(list);
	ck_assert_int_gt(nfiles, 0);
}
END_TEST

Suite *jsonl_suite(void)
{
	Suite *s = suite_create("jsonl");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, jsonl_accepts_a_trace);
	tcase_add_test(tc, jsonl_refuses_broken_traces);
	if (getenv("MMSIM_JSONL")) {
		tcase_add_test(tc, jsonl_env_files);
		tcase_set_timeout(tc, 60);
	}
	suite_add_tcase(s, tc);
	return s;
}
