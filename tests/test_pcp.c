/*
 * Tests of the per-CPU hot and cold lists (2.6.11 buffered_rmqueue,
 * rmqueue_bulk, free_hot_cold_page) and of what the cost model sees.
 *
 * The machine is the book's 1 GiB PC. Its Normal zone has batch 16, hot
 * low 32 / high 96, cold low 0 / high 32 (test_mm_init works these out).
 * Its free lists at boot (test_mm_init's DMA case, worked the same way for
 * Normal, whose free frames start at pfn 8193 after the boot data at
 * [4096, 8192]): 8193 (o0), 8194 (o1), 8196 (o2), 8200 (o3), 8208 (o4),
 * 8224 (o5) ... each order's lowest block, then order-10 blocks.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "mm/mm.h"
#include "mm_testutil.h"

static struct per_cpu_pages *hot(struct tm *t, int cpu)
{
	return &tm_zone(t, 0, ZONE_NORMAL)->pageset[cpu].pcp[0];
}

/*
 * Refill: the first order-0 request finds the hot list at 0 <= low (32) and
 * takes a batch of 16 with rmqueue_bulk: __rmqueue gives 8193, then splits
 * 8194's pair, 8196's four, 8200's eight, 8208's sixteen, each time taking
 * the lowest frame: 8193 .. 8208, appended in that order. The head (8193)
 * is handed out; 15 remain. The second request finds 15 <= 32: another
 * batch (8209 .. 8224), 31, hands out 8194, 30. The third: 30 <= 32, refill
 * to 46, hand out 8195, 45. Then no refill until the count is back at 32,
 * before the 17th request: 45 - 13 = 32.
 */
START_TEST(test_refill_thresholds)
{
	struct tm t;
	struct mm_policy p;
	mm_policy_default(&p);
	p.check = true;
	tm_boot_preset(&t, "pc-i386", 0, 0, &p);
	struct page *pg = alloc_pages(t.mm, GFP_KERNEL, 0);
	ck_assert_uint_eq(page_to_pfn(t.mm, pg), 8193);
	ck_assert_int_eq(hot(&t, 0)->count, 15);
	ck_assert_uint_eq(mm_vm_event(t.mm, PCP_REFILL), 1);
	uint64_t pfns[20];
	ck_assert_int_eq(tm_list(&t, 0, &hot(&t, 0)->list, pfns, 20), 15);
	for (int i = 0; i < 15; i++)
		ck_assert_uint_eq(pfns[i], 8194 + (uint64_t)i);
	int expect_count[] = { 0, 15, 30, 45 };
	for (int k = 2; k <= 16; k++) {
		pg = alloc_pages(t.mm, GFP_KERNEL, 0);
		ck_assert_uint_eq(page_to_pfn(t.mm, pg), 8192 + (uint64_t)k);
		if (k <= 3)
			ck_assert_int_eq(hot(&t, 0)->count, expect_count[k]);
	}
	ck_assert_uint_eq(mm_vm_event(t.mm, PCP_REFILL), 3);
	ck_assert_int_eq(hot(&t, 0)->count, 32);
	pg = alloc_pages(t.mm, GFP_KERNEL, 0);
	ck_assert_uint_eq(page_to_pfn(t.mm, pg), 8209);
	ck_assert_uint_eq(mm_vm_event(t.mm, PCP_REFILL), 4);
	ck_assert_int_eq(hot(&t, 0)->count, 47);
	/* Pages on the list are not free pages of the zone. */
	ck_assert_uint_eq(tm_zone(&t, 0, ZONE_NORMAL)->free_pages, 221183 - 17 - 47);
	ck_assert_uint_eq(mm_vm_event(t.mm, PGALLOC_NORMAL), 17);
	tm_free(&t);
}
END_TEST

/*
 * Drain: a freed frame goes to the head of the hot list; when the list
 * already holds high (96) frames, a batch of 16 goes back to the buddy
 * lists from the tail first. Allocate 200 frames, then free them in order,
 * checking the rule at every step, and check which frames the first drain
 * returned: the 16 at the tail.
 */
START_TEST(test_drain_threshold)
{
	struct tm t;
	struct mm_policy p;
	mm_policy_default(&p);
	p.check = true;
	tm_boot_preset(&t, "pc-i386", 0, 0, &p);
	struct page *pg[200];
	for (int i = 0; i < 200; i++) {
		int before = hot(&t, 0)->count;
		uint64_t refills = mm_vm_event(t.mm, PCP_REFILL);
		pg[i] = alloc_pages(t.mm, GFP_KERNEL, 0);
		ck_assert_ptr_nonnull(pg[i]);
		bool refilled = mm_vm_event(t.mm, PCP_REFILL) == refills + 1;
		ck_assert_int_eq(refilled, before <= 32);
		ck_assert_int_eq(hot(&t, 0)->count, before + (refilled ? 16 : 0) - 1);
	}
	bool first_drain_seen = false;
	for (int i = 0; i < 200; i++) {
		int before = hot(&t, 0)->count;
		uint64_t tail[16];
		if (before >= 96 && !first_drain_seen) {
			uint64_t all[128];
			int n = tm_list(&t, 0, &hot(&t, 0)->list, all, 128);
			ck_assert_int_eq(n, before);
			for (int k = 0; k < 16; k++)
				tail[k] = all[n - 1 - k];
		}
		uint64_t drains = mm_vm_event(t.mm, PCP_DRAIN);
		ck_assert_int_eq(__free_pages(t.mm, pg[i], 0), 0);
		bool drained = mm_vm_event(t.mm, PCP_DRAIN) == drains + 1;
		ck_assert_int_eq(drained, before >= 96);
		ck_assert_int_eq(hot(&t, 0)->count, before - (drained ? 16 : 0) + 1);
		if (drained && !first_drain_seen) {
			first_drain_seen = true;
			for (int k = 0; k < 16; k++) {
				struct page *q = pfn_to_page(t.mm, tail[k]);
				ck_assert_int_eq(page_count(q), 0);
				/* Back in the buddy system: it or a block holding it is free
				 * there, and it is no longer on the list. */
				uint64_t all[128];
				int n = tm_list(&t, 0, &hot(&t, 0)->list, all, 128);
				for (int m = 0; m < n; m++)
					ck_assert_uint_ne(all[m], tail[k]);
			}
		}
	}
	ck_assert(first_drain_seen);
	tm_free(&t);
}
END_TEST

/* A frame freed hot is the next one handed out on the same CPU; another
 * CPU does not see it (its own list). */
START_TEST(test_hot_reuse)
{
	struct tm t;
	tm_boot_preset(&t, "x86_64-numa2", 0, 0, NULL);
	struct page *a = alloc_pages(t.mm, GFP_KERNEL, 0);
	ck_assert_int_eq(__free_pages(t.mm, a, 0), 0);
	ck_assert_ptr_eq(alloc_pages(t.mm, GFP_KERNEL, 0), a);
	ck_assert_int_eq(__free_pages(t.mm, a, 0), 0);
	mm_set_cpu(t.mm, 1);                 /* same node, another CPU */
	struct page *b = alloc_pages(t.mm, GFP_KERNEL, 0);
	ck_assert_ptr_ne(b, a);
	mm_set_cpu(t.mm, 0);
	ck_assert_ptr_eq(alloc_pages(t.mm, GFP_KERNEL, 0), a);
	tm_free(&t);
}
END_TEST

/* __GFP_COLD takes from the cold list (low 0: refilled only when empty);
 * free_cold_page puts a frame at the head of the cold list. */
START_TEST(test_cold_list)
{
	struct tm t;
	tm_boot_preset(&t, "pc-i386", 0, 0, NULL);
	struct zone *z = tm_zone(&t, 0, ZONE_NORMAL);
	struct page *c = alloc_pages(t.mm, GFP_KERNEL | __GFP_COLD, 0);
	ck_assert_uint_eq(page_to_pfn(t.mm, c), 8193);
	ck_assert_int_eq(z->pageset[0].pcp[1].count, 15);
	ck_assert_int_eq(z->pageset[0].pcp[0].count, 0);
	ck_assert_int_eq(free_cold_page(t.mm, c), 0);
	ck_assert_int_eq(z->pageset[0].pcp[1].count, 16);
	ck_assert_uint_eq(z->pageset[0].pcp[1].list.first, 8193 - 0);   /* node 0 starts at pfn 0 */
	/* The hot list is separate: a hot request refills it from the buddy
	 * lists (8209 onwards: the cold list holds 8193..8208). */
	struct page *h = alloc_pages(t.mm, GFP_KERNEL, 0);
	ck_assert_uint_eq(page_to_pfn(t.mm, h), 8209);
	tm_free(&t);
}
END_TEST

/* With pcp=off the same workload takes the zone lock for every allocation
 * and every free. With the lists on, the same frame goes back and forth
 * through the hot list, and the lock is taken by three refills only: at
 * counts 0, 16 and 32 before an allocation (<= low 32); after the third the
 * list holds 48 and stays above low. */
START_TEST(test_pcp_off_locks)
{
	struct mm_policy p;
	mm_policy_default(&p);
	for (int on = 0; on < 2; on++) {
		struct tm t;
		p.pcp = on;
		tm_boot_preset(&t, "pc-i386", 0, 0, &p);
		for (int i = 0; i < 1000; i++) {
			struct page *a = alloc_pages(t.mm, GFP_KERNEL, 0);
			ck_assert_int_eq(__free_pages(t.mm, a, 0), 0);
		}
		uint64_t want = on ? 3 : 2000;
		ck_assert_uint_eq(mm_vm_event(t.mm, ZONE_LOCK), want);
		ck_assert_uint_eq(tm_zone(&t, 0, ZONE_NORMAL)->lock.acquisitions, want);
		tm_free(&t);
	}
}
END_TEST

static cycle_t run_pairs(struct tm *t, int nid, int n)
{
	cycle_t start = sim_now(&t->s);
	for (int i = 0; i < n; i++) {
		struct page *a = alloc_pages_node(t->mm, nid, GFP_KERNEL, 0);
		ck_assert_ptr_nonnull(a);
		ck_assert_int_eq(__free_pages(t->mm, a, 0), 0);
	}
	return sim_now(&t->s) - start;
}

/*
 * The cost model sees it (a fake port: 1 cycle for a line this CPU touched
 * recently, 100 for a local miss, 300 for a remote one). 1000 order-0
 * pairs cost fewer cycles with the per-CPU lists than without (the zone's
 * lock, counters and free-list heads are not touched at all once the list is
 * warm); and a zone on a remote node costs more than the local one.
 */
START_TEST(test_cost_model_sees_it)
{
	struct fake_port f;
	struct mm_policy p;
	struct tm t;
	cycle_t with, without;
	mm_policy_default(&p);
	tm_boot_preset_port(&t, &f, "x86_64-numa2", 0, 0, &p);
	with = run_pairs(&t, 0, 1000);
	ck_assert_uint_gt(f.accesses, 0);
	tm_free(&t);
	p.pcp = false;
	tm_boot_preset_port(&t, &f, "x86_64-numa2", 0, 0, &p);
	without = run_pairs(&t, 0, 1000);
	tm_free(&t);
	ck_assert_msg(with < without, "with pcp %llu cycles, without %llu", (unsigned long long)with,
		      (unsigned long long)without);

	/* Remote: the same pairs on node 0's zone, from CPU 0 (node 0) and
	 * from CPU 2 (node 1) on identically booted machines: the same
	 * accesses, the misses cost 300 instead of 100. */
	cycle_t local = 0, remote = 0;
	for (int pcp = 0; pcp < 2; pcp++) {
		p.pcp = pcp;
		tm_boot_preset_port(&t, &f, "x86_64-numa2", 0, 0, &p);
		local = run_pairs(&t, 0, 1000);
		tm_free(&t);
		tm_boot_preset_port(&t, &f, "x86_64-numa2", 0, 0, &p);
		mm_set_cpu(t.mm, 2);
		remote = run_pairs(&t, 0, 1000);
		tm_free(&t);
		ck_assert_msg(remote > local, "pcp %d: local %llu remote %llu", pcp, (unsigned long long)local,
			      (unsigned long long)remote);
	}
	ck_assert_msg(remote > local, "local %llu remote %llu", (unsigned long long)local,
		      (unsigned long long)remote);
}
END_TEST

/* Metadata accesses happen at the right simulated addresses: an order-0
 * allocation writes the _count of its struct page, in the node's mem_map. */
START_TEST(test_access_addresses)
{
	struct fake_port f;
	struct tm t;
	tm_boot_preset_port(&t, &f, "pc-i386", 0, 0, NULL);
	/* The first allocation will be pfn 8193 (test_refill_thresholds). */
	f.watch = page_desc_paddr(t.mm, pfn_to_page(t.mm, 8193)) + PAGE_OFF_FLAGS;
	ck_assert_uint_eq(f.watch, 16 * MiB + 4096 + 8193 * 64);
	struct page *a = alloc_pages(t.mm, GFP_KERNEL, 0);
	ck_assert_uint_eq(page_to_pfn(t.mm, a), 8193);
	ck_assert_uint_gt(f.watch_hits, 0);
	/* The zone lock word was written by the refill. */
	f.watch = tm_zone(&t, 0, ZONE_NORMAL)->lock.paddr;
	f.watch_hits = 0;
	struct page *b = alloc_pages(t.mm, GFP_KERNEL, 0);    /* 15 <= 32: refill */
	ck_assert_uint_eq(f.watch_hits, 2);                    /* acquire and release */
	/* __GFP_ZERO writes every line of the frame: 64 writes at pfn << 12.
	 * Compare two allocations that both come straight off the list (the
	 * third refilled it to 46: no refill until it is back at 32). */
	struct page *c = alloc_pages(t.mm, GFP_KERNEL, 0);
	uint64_t w = f.writes;
	f.watch = 0;
	struct page *z = alloc_pages(t.mm, GFP_KERNEL | __GFP_ZERO, 0);
	uint64_t wz = f.writes - w;
	w = f.writes;
	struct page *nz = alloc_pages(t.mm, GFP_KERNEL, 0);
	ck_assert_uint_eq(wz - (f.writes - w), 64);
	(void)b;
	(void)c;
	(void)z;
	(void)nz;
	tm_free(&t);
}
END_TEST

Suite *pcp_suite(void)
{
	Suite *s = suite_create("pcp");
	TCase *tc = tcase_create("pcp");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_refill_thresholds);
	tcase_add_test(tc, test_drain_threshold);
	tcase_add_test(tc, test_hot_reuse);
	tcase_add_test(tc, test_cold_list);
	tcase_add_test(tc, test_pcp_off_locks);
	tcase_add_test(tc, test_cost_model_sees_it);
	tcase_add_test(tc, test_access_addresses);
	suite_add_tcase(s, tc);
	return s;
}

/* ---- Inside the run loop: tasks on two CPUs ----------------------------- */

struct worker {
	struct sim_task task;
	struct mm *mm;
	int left;
	cycle_t cycles;         /* charged by its steps */
};

static enum sim_step worker_step(struct sim *s, struct sim_task *t)
{
	struct worker *w = t->owner;
	cycle_t before = sim_now(s);
	struct page *p = alloc_pages(w->mm, GFP_KERNEL, 0);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(__free_pages(w->mm, p, 0), 0);
	w->cycles += sim_now(s) - before;
	return --w->left > 0 ? SIM_STEP_CONTINUE : SIM_STEP_EXIT;
}

/* Two tasks on two CPUs of one node, pcp off, the fake port: each step is
 * one alloc+free pair, both take the same zone lock, so the second CPU
 * spins on it (contention is charged), and the run is deterministic: the
 * same cycles twice. */
static void run_workers(cycle_t *c0, cycle_t *c1, uint64_t *contended)
{
	struct fake_port f;
	struct mm_policy p;
	struct tm t;
	mm_policy_default(&p);
	p.pcp = false;
	tm_boot_preset_port(&t, &f, "x86_64-numa2", 0, 0, &p);
	mm_set_cpu(t.mm, -1);
	struct worker w[2];
	for (int i = 0; i < 2; i++) {
		w[i].mm = t.mm;
		w[i].left = 100;
		w[i].cycles = 0;
		sim_task_init(&t.s, &w[i].task, i ? "worker1" : "worker0", i, worker_step, &w[i]);
		sim_task_start(&t.s, &w[i].task, 0);
	}
	ck_assert_int_eq(sim_run(&t.s), SIM_STOP_EMPTY);
	*c0 = w[0].cycles;
	*c1 = w[1].cycles;
	*contended = tm_zone(&t, 0, ZONE_NORMAL)->lock.contended;
	ck_assert_uint_eq(mm_vm_event(t.mm, ZONE_LOCK), 400);
	tm_free(&t);
}

START_TEST(test_tasks_contend_deterministically)
{
	cycle_t a0, a1, b0, b1;
	uint64_t ca, cb;
	run_workers(&a0, &a1, &ca);
	run_workers(&b0, &b1, &cb);
	ck_assert_uint_gt(ca, 0);
	ck_assert_uint_eq(a0, b0);
	ck_assert_uint_eq(a1, b1);
	ck_assert_uint_eq(ca, cb);
}
END_TEST

Suite *pcp_tasks_suite(void)
{
	Suite *s = suite_create("pcp_tasks");
	TCase *tc = tcase_create("tasks");
	tcase_add_test(tc, test_tasks_contend_deterministically);
	suite_add_tcase(s, tc);
	return s;
}
