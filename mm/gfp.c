/*
 * GFP flags: the zone a mask selects, and the text form used by scenarios,
 * the command line and traces.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/gfp.h"
#include "mm/mmzone.h"
#include "sim/types.h"

_Static_assert(ZONE_DMA == 0 && ZONE_DMA32 == 1 && ZONE_NORMAL == 2 && ZONE_HIGHMEM == 3 &&
	       ZONE_MOVABLE == 4,
	       "gfp_zone in gfp.h returns these numbers");


struct gfp_name {
	const char *name;
	gfp_t value;
};

/* Combinations first, then the single bits in bit order (the classic
 * era's, then the modern era's). GFP_USER equals GFP_KERNEL in 2.6.11, so
 * formatting says GFP_KERNEL. */
static const struct gfp_name gfp_names[] = {
	{ "GFP_HIGHUSER", GFP_HIGHUSER },
	{ "GFP_KERNEL", GFP_KERNEL },
	{ "GFP_USER", GFP_USER },
	{ "GFP_NOFS", GFP_NOFS },
	{ "GFP_NOIO", GFP_NOIO },
	{ "GFP_ATOMIC", GFP_ATOMIC },
	{ "GFP_DMA", GFP_DMA },
	{ "GFP_DMA32", GFP_DMA32 },
	{ "__GFP_DMA", __GFP_DMA },
	{ "__GFP_HIGHMEM", __GFP_HIGHMEM },
	{ "__GFP_DMA32", __GFP_DMA32 },
	{ "__GFP_WAIT", __GFP_WAIT },
	{ "__GFP_HIGH", __GFP_HIGH },
	{ "__GFP_IO", __GFP_IO },
	{ "__GFP_FS", __GFP_FS },
	{ "__GFP_COLD", __GFP_COLD },
	{ "__GFP_NOWARN", __GFP_NOWARN },
	{ "__GFP_REPEAT", __GFP_REPEAT },
	{ "__GFP_NOFAIL", __GFP_NOFAIL },
	{ "__GFP_NORETRY", __GFP_NORETRY },
	{ "__GFP_NO_GROW", __GFP_NO_GROW },
	{ "__GFP_COMP", __GFP_COMP },
	{ "__GFP_ZERO", __GFP_ZERO },
	/* The modern era's (6.1) */
	{ "__GFP_MOVABLE", __GFP_MOVABLE },
	{ "__GFP_RECLAIMABLE", __GFP_RECLAIMABLE },
	{ "__GFP_ATOMIC", __GFP_ATOMIC },
	{ "__GFP_KSWAPD_RECLAIM", __GFP_KSWAPD_RECLAIM },
	{ "__GFP_MEMALLOC", __GFP_MEMALLOC },
	{ "__GFP_NOMEMALLOC", __GFP_NOMEMALLOC },
	{ "__GFP_THISNODE", __GFP_THISNODE },
	{ "__GFP_RETRY_MAYFAIL", __GFP_RETRY_MAYFAIL },
	{ "__GFP_HARDWALL", __GFP_HARDWALL },
	{ "GFP_HIGHUSER_MOVABLE", GFP_HIGHUSER_MOVABLE },
	{ "GFP_TRANSHUGE", GFP_TRANSHUGE },
	{ "GFP_TRANSHUGE_LIGHT", GFP_TRANSHUGE_LIGHT },
	{ "GFP_NOWAIT", GFP_NOWAIT },
	/* Parsed, never printed: 4.4's names for bits mmsim shares with 2.6.11 */
	{ "__GFP_DIRECT_RECLAIM", __GFP_DIRECT_RECLAIM },
	{ "__GFP_RECLAIM", __GFP_RECLAIM },
};
#define NR_GFP_NAMES (sizeof gfp_names / sizeof gfp_names[0])
#define NR_CLASSIC_COMBOS 8          /* gfp_names[0..7] */
#define FIRST_MODERN_COMBO 32        /* gfp_names[32..35] */
#define FIRST_ALIAS 36
_Static_assert(sizeof gfp_names / sizeof gfp_names[0] == 38, "the indices above and combo_order");

static bool is_combo(size_t i)
{
	return i < NR_CLASSIC_COMBOS || (i >= FIRST_MODERN_COMBO && i < FIRST_ALIAS);
}

int gfp_parse(const char *text, gfp_t *out, char *err, size_t errlen)
{
	gfp_t mask = 0;
	const char *p = text;
	if (!text)
		return mmsim_errf(err, errlen, "gfp: no flags given");
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		const char *start = p;
		while (*p && *p != '|' && !isspace((unsigned char)*p))
			p++;
		size_t len = (size_t)(p - start);
		while (isspace((unsigned char)*p))
			p++;
		if (len == 0)
			return mmsim_errf(err, errlen, "gfp: empty flag in '%s'", text);
		bool found = false;
		if (isdigit((unsigned char)start[0])) {
			char word[32];
			char *end;
			if (len < sizeof word) {
				memcpy(word, start, len);
				word[len] = '\0';
				errno = 0;
				unsigned long v = strtoul(word, &end, 0);
				if (errno == 0 && *end == '\0' && v <= __GFP_BITS_MASK_MODERN) {
					mask |= (gfp_t)v;
					found = true;
				}
			}
		} else {
			for (size_t i = 0; i < NR_GFP_NAMES; i++) {
				if (strlen(gfp_names[i].name) == len &&
				    memcmp(gfp_names[i].name, start, len) == 0) {
					mask |= gfp_names[i].value;
					found = true;
					break;
				}
			}
		}
		if (!found) {
			char known[1024] = "";
			for (size_t i = 0; i < NR_GFP_NAMES; i++) {
				strncat(known, gfp_names[i].name, sizeof known - strlen(known) - 1);
				if (i + 1 < NR_GFP_NAMES)
					strncat(known, ", ", sizeof known - strlen(known) - 1);
			}
			return mmsim_errf(err, errlen, "gfp: unknown flag '%.*s' (known: %s, or a number up to 0x%x)",
				    (int)len, start, known, __GFP_BITS_MASK_MODERN);
		}
		if (*p == '\0')
			break;
		if (*p != '|')
			return mmsim_errf(err, errlen, "gfp: expected '|' after '%.*s' in '%s'", (int)len, start, text);
		p++;
	}
	*out = mask;
	return 0;
}

/* The combination gfp_format names first: the largest the mask holds,
 * the modern era's (which hold 2.6.11's) before 2.6.11's. */
static const int combo_order[] = { 33, 32, 34, 0, 1, 3, 4, 5, 6, 7, 35 };

int gfp_format(gfp_t gfp_mask, char *buf, size_t len)
{
	char tmp[512];
	size_t n = 0;
	gfp_t left = gfp_mask;
	tmp[0] = '\0';
	for (size_t k = 0; k < sizeof combo_order / sizeof combo_order[0]; k++) {
		gfp_t v = gfp_names[combo_order[k]].value;
		if ((gfp_mask & v) == v) {
			n = (size_t)snprintf(tmp, sizeof tmp, "%s", gfp_names[combo_order[k]].name);
			left &= ~v;
			break;
		}
	}
	for (size_t i = 0; i < FIRST_ALIAS && left; i++) {
		gfp_t v = gfp_names[i].value;
		if (is_combo(i) || !(left & v))
			continue;
		n += (size_t)snprintf(tmp + n, sizeof tmp - n, "%s%s", n ? "|" : "", gfp_names[i].name);
		left &= ~v;
	}
	if (left)
		n += (size_t)snprintf(tmp + n, sizeof tmp - n, "%s0x%x", n ? "|" : "", left);
	if (n == 0)
		n = (size_t)snprintf(tmp, sizeof tmp, "0");
	return snprintf(buf, len, "%s", tmp);
}
