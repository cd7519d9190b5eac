/*
 * Fuzz target: the Lua API (lua/scenario.h, docs/scenarios.md), through the
 * scenario runner as `mmsim run` uses it.
 *
 * The input is a string of bytes that tests/fuzz/lua_api.lua (read from the
 * repository, where make runs) interprets as a machine, knobs and a
 * sequence of API calls with hostile arguments; that file states the
 * properties it checks at the end (k:check() and the views' identities)
 * and ends the process with status 86 when one breaks. Here: the scenario
 * file is the input as a Lua string, FUZZ, followed by the interpreter;
 * the run writes a trace, which must then read back whole, whatever the
 * run did (a failed run ends its trace with an error summary); the run's
 * status is 0 or 1, never 2 (usage) and never a crash; one input in four
 * is run twice, and both traces must be the same bytes.
 */
#include <string.h>

#include "lua/scenario.h"
#include "tests/fuzz/fuzz.h"

static char *driver;
static size_t driver_len;

static void load_driver(void)
{
	const char *path = "tests/fuzz/lua_api.lua";
	FILE *f = fopen(path, "rb");
	FUZZ_CHECK(f != NULL, "cannot read %s (run from the repository's root)", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	driver = malloc((size_t)n);
	driver_len = fread(driver, 1, (size_t)n, f);
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!driver)
		load_driver();
	if (size > 4096)
		return 0;    /* 64 calls per task, a few tasks: more bytes add nothing */
	char path[512], out[512];
	snprintf(path, sizeof path, "%s/fuzz.lua", fuzz_tmpdir());
	snprintf(out, sizeof out, "%s/fuzz.jsonl", fuzz_tmpdir());
	size_t cap = 16 + 4 * size + driver_len;
	char *text = malloc(cap), *p = text;
	p += sprintf(p, "FUZZ = \"");
	for (size_t i = 0; i < size; i++)
		p += sprintf(p, "\\x%02x", data[i]);
	p += sprintf(p, "\"\n");
	memcpy(p, driver, driver_len);
	p += driver_len;
	fuzz_write_file(path, text, (size_t)(p - text));
	free(text);

	struct scenario_opts o = {
		.path = path,
		.out = out,
		.seed = 1,
		.max_cycles = UINT64_C(10000000000),
		.max_instructions = 20000000,
		.quiet = true,
	};
	int rc = scenario_run(&o);
	FUZZ_CHECK(rc == 0 || rc == 1, "scenario_run returned %d", rc);
	FUZZ_CHECK(fuzz_read_trace(out), "the run's trace does not read back whole%s", "");
	if (size % 4 == 3) {
		/* Determinism: the same scenario and seed again, the same bytes. */
		char again[512];
		snprintf(again, sizeof again, "%s/again.jsonl", fuzz_tmpdir());
		o.out = again;
		int rc2 = scenario_run(&o);
		FUZZ_CHECK(rc2 == rc, "run again: status %d, then %d", rc, rc2);
		size_t n1, n2;
		char *t1 = fuzz_read_file(out, &n1), *t2 = fuzz_read_file(again, &n2);
		FUZZ_CHECK(n1 == n2 && !memcmp(t1, t2, n1), "the same scenario twice: traces differ "
			   "(%zu and %zu bytes)", n1, n2);
		free(t1);
		free(t2);
	}
	return 0;
}
