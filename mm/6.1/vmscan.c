/*
 * Page reclaim of Linux 6.1 (mm/vmscan.c): kswapd, its wakeup, and direct
 * reclaim, as stubs until the reclaim issue. kswapd is a real task (one
 * per node, made at boot) that is woken and traced; its balance_pgdat pass
 * reclaims nothing but ends as 6.1's does for a boosted node, clearing the
 * boosts. try_to_free_pages is entered, counted and traced, and frees
 * nothing. The allocator (page_alloc.c) sees what 6.1's would after
 * reclaim that found nothing to reclaim.
 */
#include "mm/6.1/internal.h"
#include "mm/buddy.h"

/* 6.1 pgdat_balanced: some zone up to highest_zoneidx meets its high
 * watermark (boost included) for this order; a node with no such zone
 * needs no balancing. */
static bool pgdat_balanced(pg_data_t *pgdat, unsigned order, int highest_zoneidx)
{
	bool any = false;
	for (int i = 0; i <= highest_zoneidx && i < MAX_NR_ZONES; i++) {
		struct zone *z = &pgdat->node_zones[i];
		if (!z->managed_pages)
			continue;
		any = true;
		if (__zone_watermark_ok_61(z, order, wmark_pages(z, ALLOC_WMARK_HIGH), highest_zoneidx, 0,
					   (long)z->free_pages, pgdat->mm->max_order))
			return true;
	}
	return !any;
}

/* 6.1 pgdat_watermark_boosted */
static bool pgdat_watermark_boosted(const pg_data_t *pgdat, int highest_zoneidx)
{
	for (int i = 0; i <= highest_zoneidx && i < MAX_NR_ZONES; i++)
		if (pgdat->node_zones[i].managed_pages && pgdat->node_zones[i].watermark_boost)
			return true;
	return false;
}

/*
 * 6.1 wakeup_kswapd: record the order and the highest zone to balance,
 * then wake kswapd unless it sleeps and the node is balanced and not
 * boosted (kcompactd, which 6.1 would wake then, is not modelled; nor is
 * kswapd_failures, since kswapd reclaims nothing yet). kswapd_wake_up
 * (mm/page_alloc.c) starts it at its first wakeup.
 */
void wakeup_kswapd_61(struct mm *mm, struct zone *zone, gfp_t gfp, unsigned order, int highest_zoneidx)
{
	(void)gfp;
	if (!zone->present_pages)
		return;
	pg_data_t *pgdat = zone->zone_pgdat;
	mm_touch(mm, zone->paddr, 8, 0);
	if (pgdat->kswapd_highest_zoneidx == MAX_NR_ZONES || pgdat->kswapd_highest_zoneidx < highest_zoneidx)
		pgdat->kswapd_highest_zoneidx = highest_zoneidx;
	if (pgdat->kswapd_max_order < (int)order)
		pgdat->kswapd_max_order = (int)order;
	if (kswapd_asleep(pgdat) && pgdat_balanced(pgdat, order, highest_zoneidx) &&
	    !pgdat_watermark_boosted(pgdat, highest_zoneidx))
		return;
	kswapd_wake_up(mm, pgdat, order);
}

/*
 * kswapd's step: one balance_pgdat pass (which reclaims nothing yet), then
 * sleep on kswapd_wait until the next wakeup_kswapd. The pass ends as
 * 6.1's does for a boosted node: every zone up to the highest one asked
 * for loses the boost it had when the pass began, reclaim or not (6.1
 * balance_pgdat's zone_boosts).
 */
enum sim_step kswapd_61(struct sim *s, struct sim_task *t)
{
	pg_data_t *pgdat = t->owner;
	struct mm *mm = pgdat->mm;
	int saved = mm->cpu;
	mm->cpu = t->cpu;
	pgdat->kswapd_runs++;
	mm->vm[PAGEOUTRUN]++;
	int highest = pgdat->kswapd_highest_zoneidx;
	if (highest == MAX_NR_ZONES)
		highest = MAX_NR_ZONES - 1;
	pgdat->kswapd_highest_zoneidx = MAX_NR_ZONES;
	for (int i = 0; i <= highest; i++) {
		struct zone *z = &pgdat->node_zones[i];
		if (!z->managed_pages || !z->watermark_boost)
			continue;
		unsigned long old = z->watermark_boost;
		spin_lock(mm, z);
		z->watermark_boost = 0;
		spin_unlock(mm, z);
		trace_mm_watermark_boost(mm, z, old);
	}
	trace_mm_simple(mm, mm->ev_kswapd_sleep, pgdat->node_id, (unsigned)pgdat->kswapd_max_order);
	pgdat->kswapd_max_order = 0;
	mm->cpu = saved;
	sim_task_wait(s, &pgdat->kswapd_wait);
	return SIM_STEP_WAIT;
}

/* 6.1 try_to_free_pages: direct reclaim, counted (allocstall) and traced;
 * frees nothing yet. Returns the pages reclaimed: none. */
unsigned long try_to_free_pages_61(struct mm *mm, gfp_t gfp, unsigned order)
{
	mm->vm[ALLOCSTALL]++;
	trace_mm_direct_reclaim(mm, gfp, order, 0);
	return 0;
}
