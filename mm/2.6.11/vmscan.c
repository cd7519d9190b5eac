/*
 * Page reclaim of Linux 2.6.11 (mm/vmscan.c): kswapd, its wakeup, and
 * direct reclaim, as stubs until the reclaim issue. kswapd is a real task
 * (one per node, made at boot) that is woken and traced and runs an empty
 * balance_pgdat pass; try_to_free_pages is entered, counted and traced,
 * and frees nothing. The allocator (page_alloc.c) sees what 2.6.11's would
 * after reclaim that found nothing to reclaim.
 */
#include "mm/2.6.11/internal.h"

/*
 * 2.6.11 wakeup_kswapd: only when the zone is at or below pages_low, and
 * only if kswapd is asleep (kswapd_wake_up: started at its first wakeup,
 * mm/page_alloc.c). The order asked for is recorded for balance_pgdat.
 */
void wakeup_kswapd_2611(struct mm *mm, struct zone *zone, unsigned order)
{
	if (!zone->present_pages)
		return;
	pg_data_t *pgdat = zone->zone_pgdat;
	mm_touch(mm, zone->paddr, 8, 0);
	if (zone->free_pages > zone->pages_low)
		return;
	if (pgdat->kswapd_max_order < (int)order)
		pgdat->kswapd_max_order = (int)order;
	kswapd_wake_up(mm, pgdat, order);
}

/*
 * kswapd's step: one balance_pgdat pass (which reclaims nothing yet), then
 * sleep on kswapd_wait until the next wakeup_kswapd.
 */
enum sim_step kswapd_2611(struct sim *s, struct sim_task *t)
{
	pg_data_t *pgdat = t->owner;
	struct mm *mm = pgdat->mm;
	int saved = mm->cpu;
	mm->cpu = t->cpu;
	pgdat->kswapd_runs++;
	mm->vm[PAGEOUTRUN]++;
	trace_mm_simple(mm, mm->ev_kswapd_sleep, pgdat->node_id, (unsigned)pgdat->kswapd_max_order);
	pgdat->kswapd_max_order = 0;
	mm->cpu = saved;
	sim_task_wait(s, &pgdat->kswapd_wait);
	return SIM_STEP_WAIT;
}

/* 2.6.11 try_to_free_pages: direct reclaim, counted and traced; frees
 * nothing yet. Returns the progress made: none. */
int try_to_free_pages_2611(struct mm *mm, gfp_t gfp, unsigned order)
{
	mm->vm[ALLOCSTALL]++;
	trace_mm_direct_reclaim(mm, gfp, order, 0);
	return 0;
}
