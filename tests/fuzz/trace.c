/*
 * Fuzz target: traces read back (sim/trace_read.h) and the tools that read
 * them (report, diff, export).
 *
 * The input is written to a file and read as a trace. Properties:
 *   - the reader ends in TRD_EOF or TRD_ERROR, and an error names the file;
 *     line numbers only grow; every event line it calls flat scans as flat
 *     on its own;
 *   - `mmsim report` (text, --json, --csv) and `mmsim export --perfetto`
 *     finish with 0 on a trace the reader took whole, 2 on one it refused;
 *     export's and report --json's outputs are JSON;
 *   - `mmsim diff` of the trace with itself says "the same" (0), or
 *     "trouble" (2) when the reader refused it: never "different" (text,
 *     --each, --csv, --json); with --json its output is JSON too.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "tests/fuzz/fuzz.h"
#include "tools/tools.h"

struct call {
	int argc;
	char **argv;
	int (*cmd)(int, char **);
};

static int run_cmd(void *ctx)
{
	struct call *c = ctx;
	return c->cmd(c->argc, c->argv);
}

/* Runs a tool with stdout thrown away (or sent to out, when given). */
static int tool(int (*cmd)(int, char **), const char *out, int argc, ...)
{
	char *argv[8];
	va_list ap;
	va_start(ap, argc);
	for (int i = 0; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	struct call c = { argc, argv, cmd };
	return fuzz_stdout_to(out, run_cmd, &c);
}

static bool file_is_json(const char *path)
{
	size_t n;
	char *text = fuzz_read_file(path, &n);
	cJSON *j = cJSON_Parse(text);
	free(text);
	cJSON_Delete(j);
	return j != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[512], out[512];
	snprintf(path, sizeof path, "%s/t.jsonl", fuzz_tmpdir());
	snprintf(out, sizeof out, "%s/out.json", fuzz_tmpdir());
	fuzz_write_file(path, data, size);

	bool valid = fuzz_read_trace(path);
	int want = valid ? 0 : 2;

	/* One variant of each tool per input (the input's length picks it):
	 * each reader costs a 1 MiB buffer, which dominates a small input's
	 * time under ASan. */
	bool alt = size & 1;
	int rc;
	switch (size % 3) {
	case 0:
		rc = alt ? tool(cmd_report, NULL, 3, "--top", "100", path) : tool(cmd_report, NULL, 1, path);
		FUZZ_CHECK(rc == want, "report%s: exit %d, expected %d", alt ? " --top 100" : "", rc, want);
		break;
	case 1:
		rc = tool(cmd_report, out, 2, "--json", path);
		FUZZ_CHECK(rc == want, "report --json: exit %d, expected %d", rc, want);
		if (rc == 0)
			FUZZ_CHECK(file_is_json(out), "report --json printed something that is not JSON%s", "");
		break;
	default:
		rc = tool(cmd_report, NULL, 2, "--csv", path);
		FUZZ_CHECK(rc == want, "report --csv: exit %d, expected %d", rc, want);
	}

	remove(out);
	rc = tool(cmd_export, NULL, 4, "--perfetto", path, "-o", out);
	FUZZ_CHECK(rc == want, "export: exit %d, expected %d", rc, want);
	if (rc == 0)
		FUZZ_CHECK(file_is_json(out), "export wrote %s, which is not JSON", out);

	if (size & 2) {
		rc = tool(cmd_diff, out, 3, "--json", path, path);
		FUZZ_CHECK(rc == want, "diff --json with itself: exit %d, expected %d", rc, want);
		if (rc == 0)
			FUZZ_CHECK(file_is_json(out), "diff --json printed something that is not JSON%s", "");
	} else {
		const char *opt = alt ? "--each" : "--csv";
		rc = size & 4 ? tool(cmd_diff, NULL, 3, opt, path, path) : tool(cmd_diff, NULL, 2, path, path);
		FUZZ_CHECK(rc == want, "diff%s%s with itself: exit %d, expected %d", size & 4 ? " " : "",
			   size & 4 ? opt : "", rc, want);
	}
	return 0;
}
