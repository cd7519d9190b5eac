/*
 * Tests of sim/fiber and of blocking part-way through a step
 * (sim_task_block*): the raw switch keeps locals and deep frames intact;
 * a blocked step bills what it charged, frees its CPU, and resumes at the
 * wake-up cycle with nothing charged; a timeout and a sleep resume when they
 * should; a task that blocks is the same run, clock for clock, as the same
 * work written as separate steps; the fiber pool holds as many fibers as
 * steps blocked at once (plus one); code that cannot block is told so.
 */
#include <check.h>
#include <signal.h>
#include <string.h>

#include "sim/fiber.h"
#include "sim/sim.h"

/* ---- The raw switch ---- */

struct ping {
	struct fiber *main, *f;
	int count;
	volatile double acc;    /* a floating-point value live across switches */
};

/* Recurse with a sizeable frame, switching out at the bottom: the frames
 * above must survive the round trip. */
static long deep(struct ping *p, int depth)
{
	volatile char pad[1024];
	memset((char *)pad, depth & 0x7f, sizeof pad);
	if (depth == 0) {
		fiber_switch(p->f, p->main);
		return 0;
	}
	long below = deep(p, depth - 1);
	return below + pad[depth % sizeof pad] + depth;
}

static void ping_body(void *arg)
{
	struct ping *p = arg;
	double local = 1.5;
	for (;;) {
		p->count++;
		local *= 2;
		p->acc = local;
		long r = deep(p, 200);  /* about 200 KiB of stack */
		/* sum over depth d of (d & 0x7f) + d, for d = 1..200 */
		long want = 0;
		for (int d = 1; d <= 200; d++)
			want += (d & 0x7f) + d;
		ck_assert_int_eq(r, want);
		fiber_switch(p->f, p->main);
	}
}

START_TEST(test_fiber_switch)
{
	struct ping p = {0};
	p.main = fiber_main();
	p.f = fiber_new(fiber_default_stack(), ping_body, &p);
	for (int i = 1; i <= 3; i++) {
		fiber_switch(p.main, p.f);      /* to the bottom of deep() */
		ck_assert_int_eq(p.count, i);
		fiber_switch(p.main, p.f);      /* back up, then the loop's switch */
		ck_assert(p.acc == 1.5 * (double)(1 << i));
	}
	fiber_free(p.f);
	fiber_free(p.main);
}
END_TEST

/* ---- Blocking tasks ---- */

struct blocker {
	struct sim_task t;
	struct sim_waitq *wq;
	cycle_t before, after;  /* charged before and after the block */
	cycle_t timeout;        /* 0: sim_task_block; else with this timeout */
	cycle_t sleep;          /* non-zero: sim_task_block_sleep instead */
	int depth;              /* calls between the step and the block */
	bool woken;             /* what the block returned */
	cycle_t resumed_at;     /* sim_now() right after the block */
	cycle_t charged_at_resume;
	int exits;
};

static void do_block(struct sim *s, struct blocker *b, int depth)
{
	if (depth > 0) {
		volatile int guard = depth;
		do_block(s, b, depth - 1);
		ck_assert_int_eq(guard, depth);
		return;
	}
	ck_assert(sim_task_can_block(s));
	if (b->sleep) {
		sim_task_block_sleep(s, b->sleep);
		b->woken = true;
	} else if (b->timeout) {
		b->woken = sim_task_block_timeout(s, b->wq, b->timeout);
	} else {
		b->woken = sim_task_block(s, b->wq);
	}
	b->resumed_at = sim_now(s);
	b->charged_at_resume = s->cur.charged;
}

static enum sim_step blocker_step(struct sim *s, struct sim_task *t)
{
	struct blocker *b = t->owner;
	sim_charge(s, b->before);
	do_block(s, b, b->depth);
	sim_charge(s, b->after);
	return SIM_STEP_EXIT;
}

static void count_exit(struct sim *s, struct sim_task *t)
{
	(void)s;
	((struct blocker *)t->owner)->exits++;
}

static void blocker_init(struct sim *s, struct blocker *b, const char *name, int cpu)
{
	sim_task_init(s, &b->t, name, cpu, blocker_step, b);
	b->t.may_block = true;
	b->t.on_exit = count_exit;
}

/* A plain event that wakes everyone on a queue. */
struct waker {
	struct sim_event ev;
	struct sim_waitq *wq;
	int woke;
};

static void waker_fire(struct sim *s, struct sim_event *ev)
{
	struct waker *w = (struct waker *)ev;
	w->woke += sim_wake_up(s, w->wq, 0);
}

START_TEST(test_block_and_wake)
{
	struct sim s;
	sim_init(&s, 2, 1);
	struct sim_waitq wq;
	sim_waitq_init(&wq, "wq");
	struct blocker b = { .wq = &wq, .before = 100, .after = 30, .depth = 50 };
	blocker_init(&s, &b, "b", 0);
	sim_task_start(&s, &b.t, 0);
	struct waker w = { .wq = &wq };
	sim_event_init(&w.ev, waker_fire, SIM_PRIO_HW, -1);
	sim_schedule(&s, &w.ev, 500);
	ck_assert_int_eq(sim_run(&s), SIM_STOP_EMPTY);

	ck_assert_int_eq(w.woke, 1);
	ck_assert(b.woken);
	/* Woken at 500: the resumed step starts then with nothing charged. */
	ck_assert_uint_eq(b.resumed_at, 500);
	ck_assert_uint_eq(b.charged_at_resume, 0);
	ck_assert_int_eq(b.exits, 1);
	/* Two steps: 0..100, then 500..530. */
	ck_assert_uint_eq(b.t.steps, 2);
	ck_assert_uint_eq(b.t.runtime, 130);
	ck_assert_uint_eq(s.cpus[0].busy, 130);
	ck_assert_uint_eq(s.cpus[0].clock, 530);
	ck_assert_uint_eq(s.count[SIM_CNT_WAITS], 1);
	ck_assert_uint_eq(s.count[SIM_CNT_WAKEUPS], 1);
	ck_assert_uint_eq(s.blocks, 1);
	ck_assert_uint_eq(s.nr_fibers, 1);
	ck_assert_ptr_null(b.t.fiber);
	sim_destroy(&s);
}
END_TEST

START_TEST(test_block_timeout_and_sleep)
{
	struct sim s;
	sim_init(&s, 2, 1);
	struct sim_waitq wq;
	sim_waitq_init(&wq, "wq");
	/* Times out 40 cycles after its first part ends at 10. */
	struct blocker a = { .wq = &wq, .before = 10, .after = 5, .timeout = 40 };
	blocker_init(&s, &a, "a", 0);
	/* Sleeps 70 after 20. */
	struct blocker b = { .before = 20, .after = 1, .sleep = 70, .depth = 3 };
	blocker_init(&s, &b, "b", 1);
	sim_task_start(&s, &a.t, 0);
	sim_task_start(&s, &b.t, 0);
	ck_assert_int_eq(sim_run(&s), SIM_STOP_EMPTY);
	ck_assert(!a.woken);
	ck_assert_uint_eq(a.resumed_at, 50);
	ck_assert(a.t.timed_out);
	ck_assert_uint_eq(s.cpus[0].clock, 55);
	ck_assert_uint_eq(b.resumed_at, 90);
	ck_assert_uint_eq(s.cpus[1].clock, 91);
	ck_assert_uint_eq(s.count[SIM_CNT_TIMEOUTS], 1);
	ck_assert_uint_eq(s.count[SIM_CNT_SLEEPS], 1);
	ck_assert_int_eq(a.exits + b.exits, 2);
	sim_destroy(&s);
}
END_TEST

/* While a's step is blocked, its CPU runs another task: blocking frees the
 * CPU exactly as a WAIT step does. */
START_TEST(test_block_frees_cpu)
{
	struct sim s;
	sim_init(&s, 1, 1);
	struct blocker a = { .before = 10, .after = 10, .sleep = 1000 };
	struct blocker b = { .before = 200, .after = 0, .sleep = 1 };
	blocker_init(&s, &a, "a", 0);
	blocker_init(&s, &b, "b", 0);
	sim_task_start(&s, &a.t, 0);
	sim_task_start(&s, &b.t, 0);
	ck_assert_int_eq(sim_run(&s), SIM_STOP_EMPTY);
	/* a: 0..10, blocked; b: 10..210, sleeps 1, 211..211; a back at 1010. */
	ck_assert_uint_eq(b.resumed_at, 211);
	ck_assert_uint_eq(a.resumed_at, 1010);
	ck_assert_uint_eq(s.cpus[0].clock, 1020);
	ck_assert_uint_eq(s.cpus[0].busy, 220);
	/* Both were blocked at once: two fibers. */
	ck_assert_uint_eq(s.nr_fibers, 2);
	sim_destroy(&s);
}
END_TEST

/* The same work as separate steps: charge, sleep (WAIT), charge, exit. */
struct stepper {
	struct sim_task t;
	int phase;
	cycle_t before, after, sleep;
};

static enum sim_step stepper_step(struct sim *s, struct sim_task *t)
{
	struct stepper *x = t->owner;
	if (x->phase++ == 0) {
		sim_charge(s, x->before);
		sim_task_sleep(s, x->sleep);
		return SIM_STEP_WAIT;
	}
	sim_charge(s, x->after);
	return SIM_STEP_EXIT;
}

START_TEST(test_block_equals_steps)
{
	/* Eight tasks on three CPUs with clashing times, both ways. */
	struct sim s1, s2;
	sim_init(&s1, 3, 7);
	sim_init(&s2, 3, 7);
	struct blocker b[8];
	struct stepper x[8];
	memset(b, 0, sizeof b);
	memset(x, 0, sizeof x);
	for (int i = 0; i < 8; i++) {
		cycle_t before = 13 * (cycle_t)(i + 1), after = 7 + 5 * (cycle_t)(i % 3),
			sleep = 50 + 11 * (cycle_t)(i % 4);
		b[i] = (struct blocker){ .before = before, .after = after, .sleep = sleep, .depth = i };
		x[i] = (struct stepper){ .before = before, .after = after, .sleep = sleep };
		char name[8] = "t0";
		name[1] = (char)('0' + i);
		blocker_init(&s1, &b[i], name, i % 3);
		sim_task_init(&s2, &x[i].t, name, i % 3, stepper_step, &x[i]);
		sim_task_start(&s1, &b[i].t, (cycle_t)(i % 2) * 5);
		sim_task_start(&s2, &x[i].t, (cycle_t)(i % 2) * 5);
	}
	ck_assert_int_eq(sim_run(&s1), SIM_STOP_EMPTY);
	ck_assert_int_eq(sim_run(&s2), SIM_STOP_EMPTY);
	ck_assert_uint_eq(s1.now, s2.now);
	for (int c = 0; c < 3; c++) {
		ck_assert_uint_eq(s1.cpus[c].clock, s2.cpus[c].clock);
		ck_assert_uint_eq(s1.cpus[c].busy, s2.cpus[c].busy);
		ck_assert_uint_eq(s1.cpus[c].steps, s2.cpus[c].steps);
		ck_assert_uint_eq(s1.cpus[c].deferrals, s2.cpus[c].deferrals);
	}
	for (int i = 0; i < SIM_NR_COUNTERS; i++)
		ck_assert_uint_eq(s1.count[i], s2.count[i]);
	for (int i = 0; i < 8; i++) {
		ck_assert_uint_eq(b[i].t.runtime, x[i].t.runtime);
		ck_assert_uint_eq(b[i].t.steps, x[i].t.steps);
	}
	sim_destroy(&s1);
	sim_destroy(&s2);
}
END_TEST

/* A hundred steps blocked at once, then all woken: 100 fibers; a second
 * round reuses them. */
START_TEST(test_fiber_pool)
{
	struct sim s;
	sim_init(&s, 4, 1);
	struct sim_waitq wq;
	sim_waitq_init(&wq, "wq");
	static struct blocker b[100];
	memset(b, 0, sizeof b);
	for (int i = 0; i < 100; i++) {
		b[i] = (struct blocker){ .wq = &wq, .before = 1, .after = 1, .depth = i % 7 };
		blocker_init(&s, &b[i], "b", i % 4);
		sim_task_start(&s, &b[i].t, 0);
	}
	struct waker w = { .wq = &wq };
	sim_event_init(&w.ev, waker_fire, SIM_PRIO_HW, -1);
	sim_schedule(&s, &w.ev, 1000);
	ck_assert_int_eq(sim_run(&s), SIM_STOP_EMPTY);
	ck_assert_int_eq(w.woke, 100);
	ck_assert_uint_eq(s.nr_fibers, 100);
	for (int i = 0; i < 100; i++) {
		ck_assert(b[i].woken);
		ck_assert_int_eq(b[i].exits, 1);
	}
	/* Round two: the same tasks again, one at a time (a sleep each). */
	for (int i = 0; i < 100; i++) {
		b[i] = (struct blocker){ .before = 1, .after = 1, .sleep = 5 };
		blocker_init(&s, &b[i], "c", 0);
		sim_task_start(&s, &b[i].t, s.now + (cycle_t)i * 100);
	}
	ck_assert_int_eq(sim_run(&s), SIM_STOP_EMPTY);
	ck_assert_uint_eq(s.nr_fibers, 100);
	sim_destroy(&s);
}
END_TEST

/* Who may block: not a plain event, not a task that is not may_block, not
 * outside sim_run, not after a wait already called in the step. */
static int can_block_seen[4];

static void event_probe(struct sim *s, struct sim_event *ev)
{
	(void)ev;
	can_block_seen[0] = sim_task_can_block(s) ? 1 : 2;
}

static enum sim_step plain_task_step(struct sim *s, struct sim_task *t)
{
	(void)t;
	can_block_seen[1] = sim_task_can_block(s) ? 1 : 2;
	return SIM_STEP_EXIT;
}

static enum sim_step waiting_task_step(struct sim *s, struct sim_task *t)
{
	if (t->steps > 0)
		return SIM_STEP_EXIT;
	can_block_seen[2] = sim_task_can_block(s) ? 1 : 2;
	sim_task_sleep(s, 10);
	can_block_seen[3] = sim_task_can_block(s) ? 1 : 2;
	return SIM_STEP_WAIT;
}

START_TEST(test_can_block)
{
	struct sim s;
	sim_init(&s, 1, 1);
	ck_assert(!sim_task_can_block(&s));
	struct sim_event ev;
	sim_event_init(&ev, event_probe, SIM_PRIO_HW, 0);
	sim_schedule(&s, &ev, 5);
	struct sim_task plain, waiting;
	sim_task_init(&s, &plain, "plain", 0, plain_task_step, NULL);
	sim_task_init(&s, &waiting, "waiting", 0, waiting_task_step, NULL);
	waiting.may_block = true;
	sim_task_start(&s, &plain, 0);
	sim_task_start(&s, &waiting, 0);
	ck_assert_int_eq(sim_run(&s), SIM_STOP_EMPTY);
	ck_assert_int_eq(can_block_seen[0], 2);
	ck_assert_int_eq(can_block_seen[1], 2);
	ck_assert_int_eq(can_block_seen[2], 1);
	ck_assert_int_eq(can_block_seen[3], 2);
	sim_destroy(&s);
}
END_TEST

static enum sim_step bad_block_step(struct sim *s, struct sim_task *t)
{
	(void)t;
	struct sim_waitq wq;
	sim_waitq_init(&wq, "wq");
	sim_task_block(s, &wq);         /* not may_block: aborts */
	return SIM_STEP_EXIT;
}

START_TEST(test_block_without_fiber_aborts)
{
	struct sim s;
	sim_init(&s, 1, 1);
	struct sim_task t;
	sim_task_init(&s, &t, "t", 0, bad_block_step, NULL);
	sim_task_start(&s, &t, 0);
	sim_run(&s);
}
END_TEST

Suite *fiber_suite(void)
{
	Suite *su = suite_create("fiber");
	TCase *tc = tcase_create("fiber");
	tcase_add_test(tc, test_fiber_switch);
	tcase_add_test(tc, test_block_and_wake);
	tcase_add_test(tc, test_block_timeout_and_sleep);
	tcase_add_test(tc, test_block_frees_cpu);
	tcase_add_test(tc, test_block_equals_steps);
	tcase_add_test(tc, test_fiber_pool);
	tcase_add_test(tc, test_can_block);
	tcase_add_test_raise_signal(tc, test_block_without_fiber_aborts, SIGABRT);
	suite_add_tcase(su, tc);
	return su;
}
