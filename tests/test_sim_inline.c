/*
 * sim_task_continue_inline: a step that goes on to the task's next step in
 * place must give the same run as returning SIM_STEP_CONTINUE every time.
 * Each scenario below runs twice, once with one operation per step and once
 * going on inline whenever allowed, and everything observable is compared:
 * the log of (cycle, task, operation), the clocks, every counter, the stop
 * reason. The scenarios mix what can come between two operations: another
 * task on the same CPU, tasks on another CPU, a plain event that steals
 * cycles, zero-cost operations (the watchdog), max_events and max_cycles.
 */
#include <check.h>
#include <string.h>

#include "sim/sim.h"

#define NOPS 200

struct rec {
	cycle_t when;
	int task, op;
};

struct run {
	struct rec log[4 * NOPS + 16];
	int nlog;
	bool inline_ok;
	int inlined;
};

struct worker {
	struct sim_task task;
	struct run *run;
	int id, next, nops;
	cycle_t cost[NOPS];
};

static enum sim_step worker_step(struct sim *s, struct sim_task *st)
{
	struct worker *w = st->owner;
	struct run *r = w->run;
	for (;;) {
		int i = w->next++;
		sim_charge(s, w->cost[i]);
		r->log[r->nlog++] = (struct rec){ sim_now(s), w->id, i };
		if (w->next == w->nops)
			return SIM_STEP_EXIT;
		if (!r->inline_ok || !sim_task_continue_inline(s))
			return SIM_STEP_CONTINUE;
		r->inlined++;
	}
}

struct stealer {
	struct sim_event ev;
	struct run *run;
};

static void steal_fire(struct sim *s, struct sim_event *ev)
{
	struct stealer *p = (struct stealer *)ev;
	sim_charge(s, 25);
	p->run->log[p->run->nlog++] = (struct rec){ sim_now(s), 99, 0 };
}

struct result {
	struct run run;
	enum sim_stop why;
	cycle_t now, clock[2], busy[2], runtime[3];
	uint64_t count[SIM_NR_COUNTERS], steps[3];
};

/* Scenario k: costs from a small LCG, zero for every op when zero_cost. */
static void play(int k, bool inline_ok, bool zero_cost, uint64_t max_events, cycle_t max_cycles,
		 struct result *out)
{
	static struct worker w[3];
	static struct stealer st;
	struct sim s;
	memset(out, 0, sizeof *out);
	memset(w, 0, sizeof w);
	out->run.inline_ok = inline_ok;
	sim_init(&s, 2, 1);
	s.watchdog_events = 50;
	s.max_events = max_events;
	s.max_cycles = max_cycles;
	uint64_t x = 12345u + (uint64_t)k;
	for (int i = 0; i < 3; i++) {
		w[i].run = &out->run;
		w[i].id = i;
		w[i].nops = NOPS - 40 * i;
		for (int j = 0; j < NOPS; j++) {
			x = x * 6364136223846793005u + 1442695040888963407u;
			w[i].cost[j] = zero_cost ? 0 : (x >> 60) * (cycle_t)(k + 1);   /* 0..15 (k+1) */
		}
		/* Tasks 0 and 1 share CPU 0; task 2 is alone on CPU 1. */
		sim_task_init(&s, &w[i].task, "w", i == 2 ? 1 : 0, worker_step, &w[i]);
		sim_task_start(&s, &w[i].task, (cycle_t)(i * 7));
	}
	st.run = &out->run;
	sim_event_init(&st.ev, steal_fire, SIM_PRIO_TASK, 0);
	sim_schedule(&s, &st.ev, 500);
	out->why = sim_run(&s);
	out->now = s.now;
	for (int c = 0; c < 2; c++) {
		out->clock[c] = s.cpus[c].clock;
		out->busy[c] = s.cpus[c].busy;
	}
	for (int i = 0; i < 3; i++) {
		out->runtime[i] = w[i].task.runtime;
		out->steps[i] = w[i].task.steps;
	}
	memcpy(out->count, s.count, sizeof s.count);
	sim_destroy(&s);
}

static void same_run(int k, bool zero_cost, uint64_t max_events, cycle_t max_cycles)
{
	static struct result a, b;
	play(k, false, zero_cost, max_events, max_cycles, &a);
	play(k, true, zero_cost, max_events, max_cycles, &b);
	ck_assert_int_eq(a.why, b.why);
	ck_assert_int_eq(a.run.nlog, b.run.nlog);
	for (int i = 0; i < a.run.nlog; i++) {
		ck_assert_uint_eq(a.run.log[i].when, b.run.log[i].when);
		ck_assert_int_eq(a.run.log[i].task, b.run.log[i].task);
		ck_assert_int_eq(a.run.log[i].op, b.run.log[i].op);
	}
	ck_assert_uint_eq(a.now, b.now);
	for (int c = 0; c < 2; c++) {
		ck_assert_uint_eq(a.clock[c], b.clock[c]);
		ck_assert_uint_eq(a.busy[c], b.busy[c]);
	}
	for (int i = 0; i < 3; i++) {
		ck_assert_uint_eq(a.runtime[i], b.runtime[i]);
		ck_assert_uint_eq(a.steps[i], b.steps[i]);
	}
	for (int i = 0; i < SIM_NR_COUNTERS; i++)
		ck_assert_uint_eq(a.count[i], b.count[i]);
	ck_assert_int_eq(a.run.inlined, 0);
}

START_TEST(test_inline_same_run)
{
	for (int k = 0; k < 6; k++)
		same_run(k, false, UINT64_MAX, CYCLE_MAX);
}
END_TEST

/* Inline steps do happen: task 2 runs alone on CPU 1 after the others are
 * done, so most of its steps go on in place. */
START_TEST(test_inline_happens)
{
	static struct result b;
	play(0, true, false, UINT64_MAX, CYCLE_MAX, &b);
	ck_assert_int_gt(b.run.inlined, 50);
	ck_assert_int_eq(b.why, SIM_STOP_EMPTY);
}
END_TEST

START_TEST(test_inline_stop_conditions)
{
	same_run(1, true, UINT64_MAX, CYCLE_MAX);   /* zero costs: the watchdog */
	same_run(2, false, 137, CYCLE_MAX);         /* max_events */
	same_run(3, false, UINT64_MAX, 1000);       /* max_cycles */
	static struct result b;
	play(1, true, true, UINT64_MAX, CYCLE_MAX, &b);
	ck_assert_int_eq(b.why, SIM_STOP_WATCHDOG);
}
END_TEST

Suite *sim_inline_suite(void)
{
	Suite *s = suite_create("sim_inline");
	TCase *tc = tcase_create("sim_inline");
	tcase_add_test(tc, test_inline_same_run);
	tcase_add_test(tc, test_inline_happens);
	tcase_add_test(tc, test_inline_stop_conditions);
	suite_add_tcase(s, tc);
	return s;
}
