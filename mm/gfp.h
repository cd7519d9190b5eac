/*
 * GFP flags: how an allocation may be satisfied (Linux 2.6.11
 * include/linux/gfp.h).
 *
 * The low bits are zone modifiers (which zones may hold the pages), the rest
 * are action modifiers (may the allocator sleep, start I/O, dip into
 * reserves, retry...). The values are 2.6.11's, plus __GFP_DMA32, which
 * 2.6.11 did not have (ZONE_DMA32 arrived in 2.6.16, with this value).
 */
#ifndef MMSIM_MM_GFP_H
#define MMSIM_MM_GFP_H

#include <stddef.h>

typedef unsigned int gfp_t;

/* Zone modifiers. */
#define __GFP_DMA      0x01u   /* only ZONE_DMA (below 16 MiB) */
#define __GFP_HIGHMEM  0x02u   /* ZONE_HIGHMEM and everything below */
#define __GFP_DMA32    0x04u   /* ZONE_DMA32 and below (from 2.6.16) */
#define GFP_ZONEMASK   0x07u

/* Action modifiers. */
#define __GFP_WAIT     0x10u   /* may sleep: direct reclaim, retries */
#define __GFP_HIGH     0x20u   /* may use emergency pools (halves the mark) */
#define __GFP_IO       0x40u   /* may start physical I/O */
#define __GFP_FS       0x80u   /* may call into filesystems (and the OOM killer) */
#define __GFP_COLD     0x100u  /* cache-cold page wanted: the cold per-CPU list */
#define __GFP_NOWARN   0x200u  /* no "page allocation failure" report */
#define __GFP_REPEAT   0x400u  /* retry, but may fail */
#define __GFP_NOFAIL   0x800u  /* retry forever */
#define __GFP_NORETRY  0x1000u /* do not retry */
#define __GFP_NO_GROW  0x2000u /* slab internal: do not grow the cache */
#define __GFP_COMP     0x4000u /* a compound page (head and tails marked) */
#define __GFP_ZERO     0x8000u /* zero the pages before handing them out */

#define __GFP_BITS_MASK 0xffffu

/* The modern era's (6.1) migrate-type modifiers. 6.1 keeps them at 0x08
 * and 0x10, which 2.6.11 numbers differently; mmsim puts them above the
 * 2.6.11 bits so one gfp_t serves both eras. The classic era rejects them.
 * Neither: MIGRATE_UNMOVABLE (6.1 gfp_migratetype). */
#define __GFP_MOVABLE     0x10000u  /* the pages can be migrated: MIGRATE_MOVABLE */
#define __GFP_RECLAIMABLE 0x20000u  /* slab that can shrink: MIGRATE_RECLAIMABLE */
#define __GFP_BITS_MASK_MODERN 0x3ffffu

/* The usual combinations. */
#define GFP_ATOMIC   (__GFP_HIGH)
#define GFP_NOIO     (__GFP_WAIT)
#define GFP_NOFS     (__GFP_WAIT | __GFP_IO)
#define GFP_KERNEL   (__GFP_WAIT | __GFP_IO | __GFP_FS)
#define GFP_USER     (__GFP_WAIT | __GFP_IO | __GFP_FS)
#define GFP_HIGHUSER (__GFP_WAIT | __GFP_IO | __GFP_FS | __GFP_HIGHMEM)
#define GFP_HIGHUSER_MOVABLE (GFP_HIGHUSER | __GFP_MOVABLE)   /* 6.1: user pages */
#define GFP_DMA      __GFP_DMA
#define GFP_DMA32    __GFP_DMA32

/*
 * The highest zone a mask allows (an enum zone_type), which also selects the
 * zonelist. As 2.6.11's build_zonelists reads the modifiers: __GFP_DMA wins
 * over everything, then __GFP_HIGHMEM, then __GFP_DMA32; none means Normal.
 */
static inline int gfp_zone(gfp_t gfp_mask)
{
	/* enum zone_type: DMA 0, DMA32 1, Normal 2, HighMem 3, Movable 4
	 * (mm/mmzone.h). 6.1's GFP_ZONE_TABLE: __GFP_MOVABLE with
	 * __GFP_HIGHMEM may use ZONE_MOVABLE; with neither DMA flag and no
	 * __GFP_HIGHMEM it stays Normal. */
	if (gfp_mask & __GFP_DMA)
		return 0;
	if ((gfp_mask & (__GFP_HIGHMEM | __GFP_MOVABLE)) == (__GFP_HIGHMEM | __GFP_MOVABLE))
		return 4;
	if (gfp_mask & __GFP_HIGHMEM)
		return 3;
	if (gfp_mask & __GFP_DMA32)
		return 1;
	return 2;
}

/*
 * Parse "GFP_KERNEL|__GFP_ZERO" (names of flags or combinations, '|'
 * separated, spaces allowed around them; a number such as 0xd0 is accepted
 * too). Returns 0 and sets *out, or -1 with a message naming the unknown
 * word and listing the known names.
 */
int gfp_parse(const char *text, gfp_t *out, char *err, size_t errlen);

/*
 * Write a mask as text: the largest known combination it contains, then
 * the remaining single flags, e.g. "GFP_KERNEL|__GFP_ZERO"; "0" for none.
 * Returns the length it wanted (snprintf-style).
 */
int gfp_format(gfp_t gfp_mask, char *buf, size_t len);

#endif
