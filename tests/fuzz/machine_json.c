/*
 * Fuzz target: machine descriptions in JSON (hw/machine_json.c,
 * docs/machines.md). The input is the JSON text. Properties:
 *   - hw_desc_from_json accepts it with a description hw_desc_validate
 *     passes, or refuses it with a message naming the source ("fuzz");
 *   - an accepted description written back as JSON (hw_desc_trace, what a
 *     trace header holds) reads back as a description that writes the same
 *     bytes: a trace's machine can be run again as it is;
 *   - a small one boots in the era the input's length picks, and
 *     fuzz_boot_check's identities hold.
 */
#include <string.h>

#include <cJSON.h>

#include "hw/machine.h"
#include "sim/trace.h"
#include "tests/fuzz/fuzz.h"

/* d as the JSON text hw_desc_trace writes (malloc'd). */
static char *as_json(const struct hw_machine_desc *d)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	FUZZ_CHECK(mem != NULL, "open_memstream%s", "");
	struct trace *t = trace_open_fp(mem, "memory");
	trace_line_begin(t);
	hw_desc_trace(d, t, "machine");
	trace_line_end(t);
	FUZZ_CHECK(trace_close(t) == 0, "writing the description%s", "");
	fclose(mem);
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	static struct hw_machine_desc d, again;   /* big: not on the stack */
	char err[512];
	memset(err, 0, sizeof err);
	if (hw_desc_from_json(text, "fuzz", &d, err, sizeof err)) {
		FUZZ_CHECK(!strncmp(err, "fuzz", 4), "message '%s'", err);
		free(text);
		return 0;
	}
	FUZZ_CHECK(hw_desc_validate(&d, err, sizeof err) == 0, "accepted, then invalid: %s", err);
	char *json = as_json(&d);
	cJSON *line = cJSON_Parse(json);
	FUZZ_CHECK(line != NULL, "the description written is not JSON: %s", json);
	int rc = hw_desc_from_cjson(cJSON_GetObjectItemCaseSensitive(line, "machine"), "again", &again,
				    err, sizeof err);
	FUZZ_CHECK(rc == 0, "the description written does not read back: %s\n%s", err, json);
	char *json2 = as_json(&again);
	FUZZ_CHECK(!strcmp(json, json2), "written twice differently:\n%s\n%s", json, json2);
	cJSON_Delete(line);
	free(json);
	free(json2);
	fuzz_boot_check(&d, (int)(size & 1), NULL, 0);
	free(text);
	return 0;
}
