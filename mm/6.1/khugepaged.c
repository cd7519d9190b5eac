/*
 * Linux 6.1 mm/khugepaged.c: what the transparent huge pages' daemon does
 * to the page allocator's reserves. When THP is on and the machine has
 * 512 MiB or more, hugepage_init starts khugepaged, which raises
 * min_free_kbytes so that fallbacks between migrate types find whole
 * pageblocks (set_recommended_min_free_kbytes). khugepaged's collapsing of
 * pages into huge pages is not modelled.
 */
#include "mm/6.1/internal.h"

/*
 * 6.1 set_recommended_min_free_kbytes: per populated zone at or below
 * Normal, 2 pageblocks free plus MIGRATE_PCPTYPES^2 pageblocks for
 * fallbacks, at most 5 % of nr_free_buffer_pages; it only ever raises
 * min_free_kbytes. Then the watermarks again.
 */
void set_recommended_min_free_kbytes(struct mm *mm)
{
	unsigned long nr_zones = 0;
	for (int nid = 0; nid < mm->nr_nodes; nid++)
		for (int j = 0; j <= ZONE_NORMAL; j++)
			if (populated_zone(&mm->node_data[nid]->node_zones[j]))
				nr_zones++;
	unsigned long pb = 1UL << mm->pageblock_order;
	unsigned long rec = pb * nr_zones * 2;
	rec += pb * nr_zones * MIGRATE_PCPTYPES * MIGRATE_PCPTYPES;
	unsigned long cap = nr_free_buffer_pages_61(mm) / 20;
	if (rec > cap)
		rec = cap;
	rec <<= HW_PAGE_SHIFT - 10;
	if (rec > mm->min_free_kbytes)
		mm->min_free_kbytes = rec;
	setup_per_zone_wmarks_61(mm);
}
