/*
 * Fuzz target: GFP strings (mm/gfp.h), as scenarios, -P and traces write
 * them. The input is the string. Properties:
 *   - gfp_parse accepts it or refuses it with a message, which fits the
 *     buffer whatever its size (a NUL-terminated prefix), down to none;
 *   - an accepted mask formats into text that parses back to the same mask,
 *     and selects a zone type 0..4;
 *   - any 32-bit mask formats without overflowing, snprintf-style (the
 *     length it wanted, a truncated copy in a small buffer); its bits that
 *     gfp_parse knows parse back (the input's first 4 bytes are the mask).
 */
#include <string.h>

#include "mm/gfp.h"
#include "tests/fuzz/fuzz.h"

static void check_format(gfp_t mask)
{
	char buf[600], small[7];
	int n = gfp_format(mask, buf, sizeof buf);
	FUZZ_CHECK(n > 0 && (size_t)n < sizeof buf && strlen(buf) == (size_t)n,
		   "gfp_format(0x%x) = %d, '%s'", mask, n, buf);
	int m = gfp_format(mask, small, sizeof small);
	FUZZ_CHECK(m == n && strlen(small) == (n < 6 ? (size_t)n : 6) && !strncmp(small, buf, strlen(small)),
		   "gfp_format(0x%x) in 7 bytes: %d, '%s' (in full: '%s')", mask, m, small, buf);
	FUZZ_CHECK(gfp_format(mask, NULL, 0) == n, "gfp_format(0x%x, NULL, 0)", mask);
	if (mask & ~__GFP_BITS_MASK_MODERN)
		return;
	gfp_t again;
	char err[512];
	FUZZ_CHECK(gfp_parse(buf, &again, err, sizeof err) == 0, "'%s' from 0x%x: %s", buf, mask, err);
	FUZZ_CHECK(again == mask, "'%s' read back as 0x%x, not 0x%x", buf, again, mask);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	gfp_t mask = 0;
	char err[2048];
	memset(err, 'x', sizeof err);
	int rc = gfp_parse(text, &mask, err, sizeof err);
	if (rc == 0) {
		check_format(mask);
		int z = gfp_zone(mask);
		FUZZ_CHECK(z >= 0 && z <= 4, "gfp_zone(0x%x) = %d", mask, z);
	} else {
		FUZZ_CHECK(rc == -1 && memchr(err, '\0', sizeof err) && !strncmp(err, "gfp: ", 5),
			   "refused '%s' with rc %d and '%.100s'", text, rc, err);
		char tiny[9];
		memset(tiny, 'x', sizeof tiny);
		FUZZ_CHECK(gfp_parse(text, &mask, tiny, sizeof tiny) == -1 && memchr(tiny, '\0', sizeof tiny),
			   "a message in 9 bytes%s", "");
		FUZZ_CHECK(gfp_parse(text, &mask, NULL, 0) == -1, "no message buffer%s", "");
	}
	if (size >= 4) {
		gfp_t raw = (gfp_t)data[0] | (gfp_t)data[1] << 8 | (gfp_t)data[2] << 16 | (gfp_t)data[3] << 24;
		check_format(raw);
	}
	free(text);
	return 0;
}
