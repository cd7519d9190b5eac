/*
 * GFP flags: how an allocation may be satisfied (Linux 2.6.11
 * include/linux/gfp.h).
 *
 * The low bits are zone modifiers (which zones may hold the pages), the rest
 * are action modifiers (may the allocator sleep, start I/O, dip into
 * reserves, retry...). The values are 2.6.11's, plus __GFP_DMA32, which
 * 2.6.11 did not have (ZONE_DMA32 arrived in 2.6.16, with this value),
 * and the modern era's (6.1) bits above them.
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

/*
 * The modern era's (6.1) action modifiers that 2.6.11 did not have, above
 * the 2.6.11 bits for the same reason (their 6.1 values collide with
 * 2.6.11's); the classic era rejects them. 4.4 split __GFP_WAIT in two:
 * __GFP_DIRECT_RECLAIM (may sleep and reclaim: mmsim keeps it on the
 * __GFP_WAIT bit) and __GFP_KSWAPD_RECLAIM (may wake kswapd).
 */
#define __GFP_ATOMIC         0x40000u   /* cannot reclaim and is high priority */
#define __GFP_KSWAPD_RECLAIM 0x80000u   /* wake kswapd below the low watermark */
#define __GFP_MEMALLOC       0x100000u  /* ignore every watermark (ALLOC_NO_WATERMARKS) */
#define __GFP_NOMEMALLOC     0x200000u  /* never use the reserves, beats __GFP_MEMALLOC */
#define __GFP_THISNODE       0x400000u  /* this node only: no fallback, no OOM kill */
#define __GFP_RETRY_MAYFAIL  0x800000u  /* retry reclaim, but fail rather than OOM kill */
#define __GFP_HARDWALL       0x1000000u /* the cpuset's nodes only (mmsim has no cpusets) */
#define __GFP_BITS_MASK_MODERN 0x1ffffffu

#define __GFP_DIRECT_RECLAIM __GFP_WAIT
#define __GFP_RECLAIM        (__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)

/*
 * The usual combinations. The names 2.6.11 had keep 2.6.11's values: the
 * classic era, the C callers (slab, vmalloc, bounce) and the scenarios
 * share them. The modern era reads such a mask the way 4.4 converted the
 * kernel's callers (gfp_legacy_to_61 in mm/6.1/page_alloc.c): __GFP_WAIT gains
 * __GFP_KSWAPD_RECLAIM, GFP_ATOMIC becomes 6.1's
 * __GFP_HIGH|__GFP_ATOMIC|__GFP_KSWAPD_RECLAIM. The names 2.6.11 did not
 * have carry their 6.1 values and exist in the modern era only.
 */
#define GFP_ATOMIC   (__GFP_HIGH)
#define GFP_NOIO     (__GFP_WAIT)
#define GFP_NOFS     (__GFP_WAIT | __GFP_IO)
#define GFP_KERNEL   (__GFP_WAIT | __GFP_IO | __GFP_FS)
#define GFP_USER     (__GFP_WAIT | __GFP_IO | __GFP_FS)
#define GFP_HIGHUSER (__GFP_WAIT | __GFP_IO | __GFP_FS | __GFP_HIGHMEM)
#define GFP_DMA      __GFP_DMA
#define GFP_DMA32    __GFP_DMA32
/* 6.1 only: */
#define GFP_NOWAIT           (__GFP_KSWAPD_RECLAIM)
#define GFP_HIGHUSER_MOVABLE (__GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL | __GFP_HIGHMEM | \
			      __GFP_MOVABLE)      /* user pages, page cache */
#define GFP_TRANSHUGE_LIGHT  ((GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_NOMEMALLOC | __GFP_NOWARN) & \
			      ~__GFP_RECLAIM)     /* a THP fault that must not stall */
#define GFP_TRANSHUGE        (GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM)

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
