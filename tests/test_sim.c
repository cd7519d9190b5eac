/*
 * Tests of sim/sim: the run loop and its stop conditions, tasks on CPUs
 * (charged cycles decide when the next step runs; one CPU serialises, two
 * overlap; plain events steal CPU time), wait queues (FIFO wake-ups, exact
 * counts, timeouts, sleeps), timed locks against a fake memory port, and
 * determinism of a whole random scenario.
 *
 * Every expected cycle below follows from the costs the test charges; the
 * comments do the arithmetic.
 */
#include <check.h>
#include <signal.h>
#include <string.h>

#include "sim/sim.h"

extern Suite *sim_suite(void);

/* ---- A log of what ran when ---- */

struct log_rec {
	cycle_t when;
	int who;        /* task id, or 100 + n for plain event n */
	int arg;        /* timed_out for a task step; what a waker woke */
};

static struct log_rec logv[4096];
static int nlog;

static void log_add(cycle_t when, int who, int arg)
{
	ck_assert_int_lt(nlog, (int)(sizeof logv / sizeof logv[0]));
	logv[nlog++] = (struct log_rec){ when, who, arg };
}

#define ck_log(i, w, id, a)                                    \
	do {                                                   \
		ck_assert_int_gt(nlog, (i));                   \
		ck_assert_uint_eq(logv[i].when, (w));          \
		ck_assert_int_eq(logv[i].who, (id));           \
		ck_assert_int_eq(logv[i].arg, (a));            \
	} while (0)

/* ---- Scripted tasks: each step charges, then does one thing ---- */

enum what {
	DO_CONT,                /* return CONTINUE */
	DO_WAIT,                /* wait on x->wq */
	DO_WAIT_TO,             /* wait on x->wq, timeout arg */
	DO_SLEEP,               /* sleep arg */
	DO_EXIT,                /* return EXIT */
	DO_WAIT_SELF_WAKE,      /* wait on x->wq, then wake one from it */
	DO_WAKE_EXIT,           /* wake one from x->wq, charge arg more, exit */
	DO_SLEEP_TWICE,         /* a mistake: aborts */
};

struct spec {
	cycle_t charge;
	enum what what;
	cycle_t arg;
};

struct tt {
	struct sim_task t;
	const struct spec *spec;
	int i;
	struct sim_waitq *wq;
	int exits;              /* on_exit calls */
	int self_woken;
};

static enum sim_step scripted(struct sim *s, struct sim_task *t)
{
	struct tt *x = ev_container_of(t, struct tt, t);
	ck_assert_ptr_eq(sim_cur_task(s), t);
	ck_assert_int_eq(sim_cur_cpu(s), t->cpu);
	ck_assert_int_eq(t->state, SIM_TASK_RUNNING);
	log_add(s->now, t->id, t->timed_out);
	const struct spec *sp = &x->spec[x->i++];
	sim_charge(s, sp->charge);
	switch (sp->what) {
	case DO_CONT:
		return SIM_STEP_CONTINUE;
	case DO_WAIT:
		sim_task_wait(s, x->wq);
		return SIM_STEP_WAIT;
	case DO_WAIT_TO:
		sim_task_wait_timeout(s, x->wq, sp->arg);
		return SIM_STEP_WAIT;
	case DO_SLEEP:
		sim_task_sleep(s, sp->arg);
		return SIM_STEP_WAIT;
	case DO_WAIT_SELF_WAKE:
		sim_task_wait(s, x->wq);
		x->self_woken = sim_wake_up(s, x->wq, 1);
		return SIM_STEP_WAIT;
	case DO_WAKE_EXIT:
		x->self_woken = sim_wake_up(s, x->wq, 1);
		sim_charge(s, sp->arg);
		return SIM_STEP_EXIT;
	case DO_SLEEP_TWICE:
		sim_task_sleep(s, sp->arg);
		sim_task_sleep(s, sp->arg);
		return SIM_STEP_WAIT;
	case DO_EXIT:
		return SIM_STEP_EXIT;
	}
	return SIM_STEP_EXIT;
}

static void count_exit(struct sim *s, struct sim_task *t)
{
	struct tt *x = ev_container_of(t, struct tt, t);
	ck_assert_int_eq(t->state, SIM_TASK_EXITED);
	x->exits++;
}

static void tt_init(struct sim *s, struct tt *x, const char *name, int cpu,
		    const struct spec *spec, struct sim_waitq *wq)
{
	memset(x, 0, sizeof *x);
	sim_task_init(s, &x->t, name, cpu, scripted, x);
	x->spec = spec;
	x->wq = wq;
	x->t.on_exit = count_exit;
}

/* ---- Plain events ---- */

struct pe {
	struct sim_event ev;
	int n;                  /* logged as 100 + n */
	cycle_t charge;
	struct sim_waitq *wq;   /* wake this ... */
	int nr;                 /* ... this many (if wq) */
	int woken;
	int fired;
	cycle_t now_after_charge;
};

static void pe_fire(struct sim *s, struct sim_event *ev)
{
	struct pe *p = ev_container_of(ev, struct pe, ev);
	ck_assert_ptr_null(sim_cur_task(s));
	ck_assert_int_eq(sim_cur_cpu(s), ev->cpu);
	p->fired++;
	sim_charge(s, p->charge);
	p->now_after_charge = sim_now(s);
	if (p->wq)
		p->woken = sim_wake_up(s, p->wq, p->nr);
	log_add(s->now, 100 + p->n, p->woken);
}

static void pe_init(struct pe *p, int n, int cpu, uint16_t prio, cycle_t charge)
{
	memset(p, 0, sizeof *p);
	sim_event_init(&p->ev, pe_fire, prio, cpu);
	p->n = n;
	p->charge = charge;
}

static void setup(void)
{
	nlog = 0;
}

/* ---- Tasks and CPUs ---- */

START_TEST(test_charge_sets_next_step)
{
	static const struct spec sp[] = {
		{ 100, DO_CONT, 0 }, { 250, DO_CONT, 0 }, { 0, DO_CONT, 0 }, { 40, DO_EXIT, 0 },
	};
	struct sim s;
	struct tt a;
	sim_init(&s, 2, 1);
	tt_init(&s, &a, "a", 1, sp, NULL);
	ck_assert_int_eq(a.t.state, SIM_TASK_NEW);
	ck_assert_int_eq(a.t.id, 0);
	sim_task_start(&s, &a.t, 10);
	ck_assert_int_eq(a.t.state, SIM_TASK_RUNNABLE);
	ck_assert_int_eq(sim_run(&s), SIM_STOP_EMPTY);
	ck_assert_int_eq(s.stop_reason, SIM_STOP_EMPTY);
	/* 10, then 10 + 100, + 250, + 0 (the same cycle); exit charges 40. */
	ck_assert_int_eq(nlog, 4);
	ck_log(0, 10, 0, 0);
	ck_log(1, 110, 0, 0);
	ck_log(2, 360, 0, 0);
	ck_log(3, 360, 0, 0);
	ck_assert_int_eq(a.t.state, SIM_TASK_EXITED);
	ck_assert_int_eq(a.exits, 1);
	ck_assert_uint_eq(a.t.runtime, 390);
	ck_assert_uint_eq(a.t.steps, 4);
	ck_assert_uint_eq(a.t.deferrals, 0);
	ck_assert_uint_eq(s.cpus[1].clock, 400);
	ck_assert_uint_eq(s.cpus[1].busy, 390);
	ck_assert_uint_eq(s.cpus[1].steps, 4);
	ck_assert_uint_eq(s.cpus[0].clock, 0);
	ck_assert_uint_eq(s.cpus[0].busy, 0);
	ck_assert_uint_eq(s.now, 360);
	ck_assert_uint_eq(s.count[SIM_CNT_EVENTS], 4);
	ck_assert_uint_eq(s.count[SIM_CNT_STEPS], 4);
	/* Outside the run: idle context. */
	ck_assert_int_eq(sim_cur_cpu(&s), -1);
	ck_assert_ptr_null(sim_cur_task(&s));
	ck_assert_uint_eq(sim_now(&s), 360);
	sim_destroy(&s);
}
END_TEST

/* Two tasks on one CPU, both ready at 0, 100 cycles a step, 3 steps each:
 * they alternate, and every step but the first waited for the other. */
START_TEST(test_one_cpu_serializes)
{
	static const struct spec sp[] = {
		{ 100, DO_CONT, 0 }, { 100, DO_CONT, 0 }, { 100, DO_EXIT, 0 },
	};
	struct sim s;
	struct tt a, b;
	sim_init(&s, 1, 1);
	tt_init(&s, &a, "a", 0, sp, NULL);
	tt_init(&s, &b, "b", 0, sp, NULL);
	sim_task_start(&s, &a.t, 0);
	sim_task_start(&s, &b.t, 0);
	ck_assert_int_eq(sim_run(&s), SIM_STOP_EMPTY);
	ck_assert_int_eq(nlog, 6);
	ck_log(0, 0, 0, 0);
	ck_log(1, 100, 1, 0);
	ck_log(2, 200, 0, 0);
	ck_log(3, 300, 1, 0);
	ck_log(4, 400, 0, 0);
	ck_log(5, 500, 1, 0);
	/* b deferred at 0, 200, 400; a at 100, 300. */
	ck_assert_uint_eq(a.t.deferrals, 2);
	ck_assert_uint_eq(b.t.deferrals, 3);
	ck_assert_uint_eq(s.cpus[0].deferrals, 5);
	ck_assert_uint_eq(s.count[SIM_CNT_DEFERRALS], 5);
	ck_assert_uint_eq(s.cpus[0].steps, 6);
	ck_assert_uint_eq(s.cpus[0].busy, 600);
	ck_assert_uint_eq(s.cpus[0].clock, 600);
	ck_assert_uint_eq(s.count[SIM_CNT_EVENTS], 11);
	ck_assert_uint_eq(a.t.runtime, 300);
	ck_assert_uint_eq(b.t.runtime, 300);
	ck_assert_int_eq(a.exits + b.exits, 2);
	sim_destroy(&s);
}
END_TEST

START_TEST(test_two_cpus_overlap)
{
	static const struct spec sp[] = {
		{ 100, DO_CONT, 0 }, { 100, DO_CONT, 0 }, { 100, DO_EXIT, 0 },
	};
	struct sim s;
	struct tt a, b;
	sim_init(&s, 2, 1);
	tt_init(&s, &a, "a", 0, sp, NULL);
	tt_init(&s, &b, "b", 1, sp, NULL);
	sim_task_start(&s, &a.t, 0);
	sim_task_start(&s, &b.t, 0);
	ck_assert_int_eq(sim_run(&s), SIM_STOP_EMPTY);
	ck_assert_int_eq(nlog, 6);
	for (int i = 0; i < 6; i++)
		ck_log(i, (cycle_t)(i / 2) * 100, i % 2, 0);
	ck_assert_uint_eq(s.count[SIM_CNT_DEFERRALS], 0);
	for (int c = 0; c < 2; c++) {
		ck_assert_uint_eq(s.cpus[c].clock, 300);
		ck_assert_uint_eq(s.cpus[c].busy, 300);
		ck_assert_uint_eq(s.cpus[c].steps, 3);
	}
	ck_assert_uint_eq(s.now, 200);
	sim_destroy(&s);
}
END_TEST

/* A plain event on a CPU steals its charged cycles from whatever the CPU
 * was doing; one with no CPU only moves its own sim_now(). */
START_TEST(test_plain_event_steals_cpu)
{
	static const struct spec sp[] = { { 100, DO_CONT, 0 }, { 100, DO_EXIT, 0 } };
	struct sim s;
	struct tt a;
	struct pe irq, dev, idle;
	sim_init(&s, 2, 1);
	tt_init(&s, &a, "a", 0, sp, NULL);
	pe_init(&irq, 0, 0, SIM_PRIO_HW, 30);
	pe_init(&dev, 1, -1, SIM_PRIO_HW, 1000);
	pe_init(&idle, 2, 1, SIM_PRIO_DEFAULT, 5);
	sim_task_start(&s, &a.t, 0);
	sim_schedule(&s, &irq.ev, 50);
	sim_schedule(&s, &dev.ev, 60);
	sim_schedule(&s, &idle.ev, 70);
	ck_assert_int_eq(sim_run(&s), SIM_STOP_EMPTY);
	/* a: 0..100; irq at 50 takes 30 more: cpu0 busy until 130, where a's
	 * second step (due at 100) is deferred to. */
	ck_assert_int_eq(nlog, 5);
	ck_log(0, 0, 0, 0);
	ck_log(1, 50, 100, 0);
	ck_log(2, 60, 101, 0);
	ck_log(3, 70, 102, 0);
	ck_log(4, 130, 0, 0);
	ck_assert_uint_eq(irq.now_after_charge, 80);
	ck_assert_uint_eq(dev.now_after_charge, 1060);
	ck_assert_uint_eq(a.t.deferrals, 1);
	ck_assert_uint_eq(s.cpus[0].clock, 230);
	ck_assert_uint_eq(s.cpus[0].busy, 230);
	ck_assert_uint_eq(s.cpus[0].steps, 2);
	ck_assert_uint_eq(a.t.runtime, 200);
	ck_assert_uint_eq(s.cpus[1].clock, 75);
	ck_assert_uint_eq(s.cpus[1].busy, 5);
	ck_assert_uint_eq(s.cpus[1].steps, 0);
	sim_destroy(&s);
}
END_TEST

static void resched_self(struct sim *s, struct sim_event *ev)
{
	struct pe *p = ev_container_of(ev, struct pe, ev);
	p->fired++;
	log_add(s->now, 100 + p->n, p->fired);
	sim_charge(s, p->charge);
	if (p->nr == 0 || p->fired < p->nr)
		sim_schedule_in(s, ev, 5);
}

/* sim_schedule_in counts from sim_now(): after the charges. Plain-event
 * scheduling, rescheduling and cancelling. */
START_TEST(test_schedule_in_reschedule_cancel)
{
	struct sim s;
	struct pe a, b, c;
	sim_init(&s, 1, 1);
	pe_init(&a, 0, -1, SIM_PRIO_DEFAULT, 20);
	a.ev.fn = resched_self;
	a.nr = 3;
	pe_init(&b, 1, -1, SIM_PRIO_DEFAULT, 0);
	pe_init(&c, 2, -1, SIM_PRIO_DEFAULT, 0);
	sim_schedule(&s, &a.ev, 100);
	sim_schedule(&s, &b.ev, 1000);
	sim_schedule(&s, &c.ev, 2000);
	sim_reschedule(&s, &b.ev, 110);
	sim_cancel(&s, &c.ev);
	sim_cancel(&s, &c.ev);
	ck_assert(!ev_queued(&c.ev));
	ck_assert_int_eq(sim_run(&s), SIM_STOP_EMPTY);
	/* a at 100, 125, 150 (20 charged + 5 each time); b at 110. */
	ck_assert_int_eq(nlog, 4);
	ck_log(0, 100, 100, 1);
	ck_log(1, 110, 101, 0);
	ck_log(2, 125, 100, 2);
	ck_log(3, 150, 100, 3);
	ck_assert_int_eq(c.fired, 0);
	/* Outside a run, schedule_in counts from s->now. */
	sim_schedule_in(&s, &c.ev, 7);
	ck_assert_uint_eq(c.ev.when, 157);
	sim_destroy(&s);
	ck_assert(!ev_queued(&c.ev));
}
END_TEST

/* ---- Stop conditions ---- */

START_TEST(test_stop_empty)
{
	struct sim s;
	struct pe a;
	sim_init(&s, 1, 1);
	ck_assert_int_eq(sim_run(&s), SIM_STOP_EMPTY);
	ck_assert_uint_eq(s.count[SIM_CNT_EVENTS], 0);
	pe_init(&a, 0, 0, SIM_PRIO_DEFAULT, 0);
	sim_schedule(&s, &a.ev, 42);
	ck_assert_int_eq(sim_run(&s), SIM_STOP_EMPTY);
	ck_assert_int_eq(a.fired, 1);
	ck_assert_uint_eq(s.now, 42);
	ck_assert_int_eq(sim_run(&s), SIM_STOP_EMPTY);
	ck_assert_uint_eq(s.count[SIM_CNT_EVENTS], 1);
	ck_assert_str_eq(sim_stop_name(SIM_STOP_EMPTY), "empty");
	ck_assert_str_eq(sim_stop_name(SIM_STOP_WATCHDOG), "watchdog");
	ck_assert_str_eq(sim_counter_name(SIM_CNT_DEFERRALS), "task_deferrals");
	ck_assert_str_eq(sim_counter_name(SIM_NR_COUNTERS), "unknown");
	sim_destroy(&s);
}
END_TEST

START_TEST(test_stop_max_cycles)
{
	struct sim s;
	struct pe e[3];
	sim_init(&s, 1, 1);
	for (int i = 0; i < 3; i++) {
		pe_init(&e[i], i, -1, SIM_PRIO_DEFAULT, 0);
		sim_schedule(&s, &e[i].ev, (cycle_t)(i + 1) * 10);
	}
	s.max_cycles = 20;      /* due at or before 20 runs */
	ck_assert_int_eq(sim_run(&s), SIM_STOP_MAX_CYCLES);
	ck_assert_int_eq(s.stop_reason, SIM_STOP_MAX_CYCLES);
	ck_assert_int_eq(nlog, 2);
	ck_assert_uint_eq(s.now, 20);
	ck_assert(ev_queued(&e[2].ev));
	ck_assert_uint_eq(ev_count(&s.queue), 1);
	ck_assert_int_eq(sim_run(&s), SIM_STOP_MAX_CYCLES);  /* still stuck */
	ck_assert_int_eq(nlog, 2);
	s.max_cycles = CYCLE_MAX;
	ck_assert_int_eq(sim_run(&s), SIM_STOP_EMPTY);
	ck_assert_int_eq(nlog, 3);
	ck_log(2, 30, 102, 0);
	sim_destroy(&s);
}
END_TEST

START_TEST(test_stop_max_events)
{
	struct sim s;
	struct pe a;
	sim_init(&s, 1, 1);
	pe_init(&a, 0, -1, SIM_PRIO_DEFAULT, 5);
	a.ev.fn = resched_self;         /* every 10 cycles, forever */
	sim_schedule(&s, &a.ev, 0);
	s.max_events = 5;
	ck_assert_int_eq(sim_run(&s), SIM_STOP_MAX_EVENTS);
	ck_assert_int_eq(a.fired, 5);
	ck_assert_uint_eq(s.count[SIM_CNT_EVENTS], 5);
	ck_assert_uint_eq(s.now, 40);
	ck_assert(ev_queued(&a.ev));
	ck_assert_uint_eq(a.ev.when, 50);
	ck_assert_int_eq(sim_run(&s), SIM_STOP_MAX_EVENTS);   /* a total */
	ck_assert_int_eq(a.fired, 5);
	s.max_events = 8;
	ck_assert_int_eq(sim_run(&s), SIM_STOP_MAX_EVENTS);
	ck_assert_int_eq(a.fired, 8);
	ck_assert_uint_eq(s.now, 70);
	sim_destroy(&s);
}
END_TEST

static void stop_at_third(struct sim *s, struct sim_event *ev)
{
	struct pe *p = ev_container_of(ev, struct pe, ev);
	p->fired++;
	if (p->fired == 3)
		sim_stop(s);
	if (p->fired < 10)
		sim_schedule(s, ev, s->now + 1);
}

START_TEST(test_stop_requested)
{
	struct sim s;
	struct pe a, other;
	sim_init(&s, 1, 1);
	pe_init(&a, 0, -1, SIM_PRIO_DEFAULT, 0);
	a.ev.fn = stop_at_third;
	pe_init(&other, 1, -1, SIM_PRIO_STATS, 0);
	sim_schedule(&s, &a.ev, 0);
	sim_schedule(&s, &other.ev, 2);    /* same cycle, after the stop */
	ck_assert_int_eq(sim_run(&s), SIM_STOP_REQUESTED);
	ck_assert_int_eq(a.fired, 3);
	ck_assert_int_eq(other.fired, 0);   /* stopped right after the event */
	ck_assert_uint_eq(s.now, 2);
	ck_assert(!s.stop_requested);
	ck_assert_int_eq(sim_run(&s), SIM_STOP_EMPTY);
	ck_assert_int_eq(a.fired, 10);
	ck_assert_int_eq(other.fired, 1);
	sim_destroy(&s);
}
END_TEST

static void spin_same_cycle(struct sim *s, struct sim_event *ev)
{
	struct pe *p = ev_container_of(ev, struct pe, ev);
	p->fired++;
	sim_schedule(s, ev, s->now);
}

START_TEST(test_watchdog_plain_event)
{
	struct sim s;
	struct pe a, b;
	sim_init(&s, 1, 1);
	ck_assert_uint_eq(s.watchdog_events, SIM_DEFAULT_WATCHDOG);
	s.watchdog_events = 1000;
	pe_init(&a, 0, -1, SIM_PRIO_DEFAULT, 0);
	a.ev.fn = spin_same_cycle;
	pe_init(&b, 1, -1, SIM_PRIO_DEFAULT, 0);
	sim_schedule(&s, &b.ev, 3);
	sim_schedule(&s, &a.ev, 5);
	ck_assert_int_eq(sim_run(&s), SIM_STOP_WATCHDOG);
	/* b at 3, then exactly 1000 events at 5. */
	ck_assert_int_eq(b.fired, 1);
	ck_assert_int_eq(a.fired, 1000);
	ck_assert_uint_eq(s.count[SIM_CNT_EVENTS], 1001);
	ck_assert_uint_eq(s.now, 5);
	sim_destroy(&s);
}
END_TEST

/* Events 1 cycle apart, far more of them than the watchdog's budget: no
 * stop, because the cycle moves. */
START_TEST(test_watchdog_needs_one_cycle)
{
	struct sim s;
	struct pe a;
	sim_init(&s, 1, 1);
	s.watchdog_events = 10;
	pe_init(&a, 0, -1, SIM_PRIO_DEFAULT, 0);
	a.ev.fn = stop_at_third;        /* reschedules 1 cycle later, 10 times */
	sim_schedule(&s, &a.ev, 0);
	ck_assert_int_eq(sim_run(&s), SIM_STOP_REQUESTED);
	ck_assert_int_eq(sim_run(&s), SIM_STOP_EMPTY);
	ck_assert_int_eq(a.fired, 10);
	/* Exactly the budget at one cycle is allowed. */
	struct pe e[10];
	for (int i = 0; i < 10; i++) {
		pe_init(&e[i], i, -1, SIM_PRIO_DEFAULT, 0);
		sim_schedule(&s, &e[i].ev, 100);
	}
	ck_assert_int_eq(sim_run(&s), SIM_STOP_EMPTY);
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(e[i].fired, 1);
	sim_destroy(&s);
}
END_TEST

static enum sim_step zero_cost_step(struct sim *s, struct sim_task *t)
{
	return SIM_STEP_CONTINUE;
}

START_TEST(test_watchdog_zero_cost_task)
{
	struct sim s;
	struct sim_task t;
	sim_init(&s, 1, 1);
	s.watchdog_events = 500;
	sim_task_init(&s, &t, "spinner", 0, zero_cost_step, NULL);
	sim_task_start(&s, &t, 7);
	ck_assert_int_eq(sim_run(&s), SIM_STOP_WATCHDOG);
	ck_assert_uint_eq(t.steps, 500);
	ck_assert_uint_eq(s.now, 7);
	/* The budget starts afresh at each run. */
	ck_assert_int_eq(sim_run(&s), SIM_STOP_WATCHDOG);
	ck_assert_uint_eq(t.steps, 1000);
	sim_destroy(&s);
}
END_TEST

/* ---- Wait queues ---- */

/* Three tasks wait in the order T2, T0, T1 (by start time, not id); a
 * wake-up of 1 at 100 takes T2, a wake-up of all at 200 takes T0 then T1. */
START_TEST(test_wait_wake_fifo)
{
	static const struct spec sp[] = { { 10, DO_WAIT, 0 }, { 1, DO_EXIT, 0 } };
	struct sim s;
	struct sim_waitq wq;
	struct tt t[3];
	struct pe w1, w2;
	sim_init(&s, 3, 1);
	sim_waitq_init(&wq, "wq");
	for (int i = 0; i < 3; i++)
		tt_init(&s, &t[i], "t", i, sp, &wq);
	sim_task_start(&s, &t[2].t, 0);
	sim_task_start(&s, &t[0].t, 5);
	sim_task_start(&s, &t[1].t, 10);
	pe_init(&w1, 0, -1, SIM_PRIO_DEFAULT, 0);
	w1.wq = &wq;
	w1.nr = 1;
	pe_init(&w2, 1, -1, SIM_PRIO_DEFAULT, 0);
	w2.wq = &wq;
	w2.nr = 0;
	sim_schedule(&s, &w1.ev, 100);
	sim_schedule(&s, &w2.ev, 200);
	s.max_cycles = 150;
	ck_assert_int_eq(sim_run(&s), SIM_STOP_MAX_CYCLES);
	ck_assert_uint_eq(wq.nr_waiting, 2);
	ck_assert_int_eq(t[0].t.state, SIM_TASK_WAITING);
	ck_assert_ptr_eq(t[0].t.wq, &wq);
	ck_assert(!ev_queued(&t[0].t.ev));      /* no timeout: nothing queued */
	ck_assert_int_eq(t[2].t.state, SIM_TASK_EXITED);
	s.max_cycles = CYCLE_MAX;
	ck_assert_int_eq(sim_run(&s), SIM_STOP_EMPTY);
	ck_assert_int_eq(nlog, 8);
	ck_log(0, 0, 2, 0);
	ck_log(1, 5, 0, 0);
	ck_log(2, 10, 1, 0);
	ck_log(3, 100, 100, 1);
	ck_log(4, 100, 2, 0);
	ck_log(5, 200, 101, 2);
	ck_log(6, 200, 0, 0);
	ck_log(7, 200, 1, 0);
	ck_assert_uint_eq(wq.nr_waiting, 0);
	ck_assert_uint_eq(wq.waits, 3);
	ck_assert_uint_eq(wq.wakeups, 3);
	ck_assert_uint_eq(wq.timeouts, 0);
	ck_assert_uint_eq(s.count[SIM_CNT_WAITS], 3);
	ck_assert_uint_eq(s.count[SIM_CNT_WAKEUPS], 3);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(t[i].exits, 1);
		ck_assert_ptr_null(t[i].t.wq);
	}
	sim_destroy(&s);
}
END_TEST

static void wake_2_then_10_then_1(struct sim *s, struct sim_event *ev)
{
	struct pe *p = ev_container_of(ev, struct pe, ev);
	ck_assert_int_eq(sim_wake_up(s, p->wq, 2), 2);
	ck_assert_uint_eq(p->wq->nr_waiting, 3);
	ck_assert_int_eq(sim_wake_up(s, p->wq, 10), 3);
	ck_assert_uint_eq(p->wq->nr_waiting, 0);
	ck_assert_int_eq(sim_wake_up(s, p->wq, 1), 0);
	ck_assert_int_eq(sim_wake_up(s, p->wq, 0), 0);
	p->fired++;
}

/* Five tasks on one CPU wait; wake_up(2) wakes exactly 2, the rest follow;
 * the woken run one after another on their shared CPU, in wake order. */
START_TEST(test_wake_exact_count)
{
	static const struct spec sp[] = { { 10, DO_WAIT, 0 }, { 1, DO_EXIT, 0 } };
	struct sim s;
	struct sim_waitq wq;
	struct tt t[5];
	struct pe w;
	sim_init(&s, 1, 1);
	sim_waitq_init(&wq, "wq");
	for (int i = 0; i < 5; i++) {
		tt_init(&s, &t[i], "t", 0, sp, &wq);
		sim_task_start(&s, &t[i].t, 0);
	}
	pe_init(&w, 0, -1, SIM_PRIO_DEFAULT, 0);
	w.ev.fn = wake_2_then_10_then_1;
	w.wq = &wq;
	sim_schedule(&s, &w.ev, 1000);
	ck_assert_int_eq(sim_run(&s), SIM_STOP_EMPTY);
	ck_assert_int_eq(w.fired, 1);
	ck_assert_int_eq(nlog, 10);
	for (int i = 0; i < 5; i++) {
		ck_log(i, (cycle_t)i * 10, i, 0);
		ck_log(5 + i, 1000 + (cycle_t)i, i, 0);
	}
	/* 4 + 3 + 2 + 1 deferrals at the start, the same after the wake. */
	ck_assert_uint_eq(s.count[SIM_CNT_DEFERRALS], 20);
	ck_assert_uint_eq(s.count[SIM_CNT_WAKEUPS], 5);
	ck_assert_uint_eq(s.cpus[0].busy, 55);
	sim_destroy(&s);
}
END_TEST

START_TEST(test_wait_timeout_expires)
{
	static const struct spec sp[] = { { 20, DO_WAIT_TO, 500 }, { 1, DO_EXIT, 0 } };
	struct sim s;
	struct sim_waitq wq;
	struct tt a;
	struct pe late;
	sim_init(&s, 1, 1);
	sim_waitq_init(&wq, "wq");
	tt_init(&s, &a, "a", 0, sp, &wq);
	sim_task_start(&s, &a.t, 0);
	pe_init(&late, 0, -1, SIM_PRIO_DEFAULT, 0);
	late.wq = &wq;
	sim_schedule(&s, &late.ev, 600);
	s.max_cycles = 519;
	ck_assert_int_eq(sim_run(&s), SIM_STOP_MAX_CYCLES);
	ck_assert_int_eq(a.t.state, SIM_TASK_WAITING);
	ck_assert(ev_queued(&a.t.ev));
	ck_assert_uint_eq(a.t.ev.when, 520);   /* 500 after the step's end */
	ck_assert_uint_eq(wq.nr_waiting, 1);
	s.max_cycles = CYCLE_MAX;
	ck_assert_int_eq(sim_run(&s), SIM_STOP_EMPTY);
	ck_assert_int_eq(nlog, 3);
	ck_log(0, 0, 0, 0);
	ck_log(1, 520, 0, 1);           /* timed_out */
	ck_log(2, 600, 100, 0);         /* nobody left to wake */
	ck_assert(a.t.timed_out);
	ck_assert_uint_eq(wq.nr_waiting, 0);
	ck_assert_uint_eq(wq.timeouts, 1);
	ck_assert_uint_eq(wq.wakeups, 0);
	ck_assert_uint_eq(s.count[SIM_CNT_TIMEOUTS], 1);
	ck_assert_uint_eq(s.count[SIM_CNT_WAITS], 1);
	ck_assert_ptr_null(a.t.wq);
	ck_assert_int_eq(a.exits, 1);
	sim_destroy(&s);
}
END_TEST

START_TEST(test_wake_cancels_timeout)
{
	static const struct spec sp[] = { { 20, DO_WAIT_TO, 500 }, { 1, DO_EXIT, 0 } };
	struct sim s;
	struct sim_waitq wq;
	struct tt a;
	struct pe w;
	sim_init(&s, 1, 1);
	sim_waitq_init(&wq, "wq");
	tt_init(&s, &a, "a", 0, sp, &wq);
	sim_task_start(&s, &a.t, 0);
	pe_init(&w, 0, -1, SIM_PRIO_DEFAULT, 0);
	w.wq = &wq;
	w.nr = 1;
	sim_schedule(&s, &w.ev, 300);
	ck_assert_int_eq(sim_run(&s), SIM_STOP_EMPTY);
	ck_assert_int_eq(nlog, 3);
	ck_log(0, 0, 0, 0);
	ck_log(1, 300, 100, 1);
	ck_log(2, 300, 0, 0);
	ck_assert(!a.t.timed_out);
	ck_assert_uint_eq(s.now, 300);          /* nothing left at 520 */
	ck_assert_uint_eq(s.count[SIM_CNT_EVENTS], 3);
	ck_assert_uint_eq(s.count[SIM_CNT_TIMEOUTS], 0);
	ck_assert_uint_eq(wq.timeouts, 0);
	ck_assert_uint_eq(wq.wakeups, 1);
	sim_destroy(&s);
}
END_TEST

/* A wake-up at the very cycle of the timeout: hardware priority goes first
 * and wins; a stats-priority event comes after the timeout and finds no one. */
START_TEST(test_wake_at_timeout_cycle)
{
	static const struct spec sp[] = { { 20, DO_WAIT_TO, 500 }, { 1, DO_EXIT, 0 } };
	for (int k = 0; k < 2; k++) {
		struct sim s;
		struct sim_waitq wq;
		struct tt a;
		struct pe w;
		nlog = 0;
		sim_init(&s, 1, 1);
		sim_waitq_init(&wq, "wq");
		tt_init(&s, &a, "a", 0, sp, &wq);
		sim_task_start(&s, &a.t, 0);
		pe_init(&w, 0, -1, k == 0 ? SIM_PRIO_HW : SIM_PRIO_STATS, 0);
		w.wq = &wq;
		sim_schedule(&s, &w.ev, 520);
		ck_assert_int_eq(sim_run(&s), SIM_STOP_EMPTY);
		ck_assert_int_eq(nlog, 3);
		if (k == 0) {
			ck_log(1, 520, 100, 1);
			ck_log(2, 520, 0, 0);
		} else {
			ck_log(1, 520, 0, 1);
			ck_log(2, 520, 100, 0);
		}
		ck_assert_uint_eq(s.count[SIM_CNT_TIMEOUTS], (uint64_t)k);
		sim_destroy(&s);
	}
}
END_TEST

/* A timeout that fires while the task's CPU is busy: the task leaves the
 * queue at the timeout, runs when the CPU frees, and still sees timed_out. */
START_TEST(test_timeout_deferred)
{
	static const struct spec spa[] = { { 10, DO_WAIT_TO, 90 }, { 1, DO_EXIT, 0 } };
	static const struct spec spb[] = { { 500, DO_EXIT, 0 } };
	struct sim s;
	struct sim_waitq wq;
	struct tt a, b;
	sim_init(&s, 1, 1);
	sim_waitq_init(&wq, "wq");
	tt_init(&s, &a, "a", 0, spa, &wq);
	tt_init(&s, &b, "b", 0, spb, NULL);
	sim_task_start(&s, &a.t, 0);
	sim_task_start(&s, &b.t, 20);
	ck_assert_int_eq(sim_run(&s), SIM_STOP_EMPTY);
	/* a waits 10..100; b runs 20..520; a's timeout at 100 is deferred. */
	ck_assert_int_eq(nlog, 3);
	ck_log(0, 0, 0, 0);
	ck_log(1, 20, 1, 0);
	ck_log(2, 520, 0, 1);
	ck_assert_uint_eq(wq.nr_waiting, 0);
	ck_assert_uint_eq(a.t.deferrals, 1);
	ck_assert_uint_eq(s.count[SIM_CNT_TIMEOUTS], 1);
	sim_destroy(&s);
}
END_TEST

/* A sleep frees the CPU: another task runs in the gap. */
START_TEST(test_sleep)
{
	static const struct spec spa[] = { { 10, DO_SLEEP, 100 }, { 3, DO_EXIT, 0 } };
	static const struct spec spb[] = { { 50, DO_EXIT, 0 } };
	struct sim s;
	struct tt a, b;
	sim_init(&s, 1, 1);
	tt_init(&s, &a, "a", 0, spa, NULL);
	tt_init(&s, &b, "b", 0, spb, NULL);
	sim_task_start(&s, &a.t, 0);
	sim_task_start(&s, &b.t, 0);
	s.max_cycles = 100;
	ck_assert_int_eq(sim_run(&s), SIM_STOP_MAX_CYCLES);
	ck_assert_int_eq(a.t.state, SIM_TASK_SLEEPING);
	ck_assert_uint_eq(a.t.ev.when, 110);
	s.max_cycles = CYCLE_MAX;
	ck_assert_int_eq(sim_run(&s), SIM_STOP_EMPTY);
	ck_assert_int_eq(nlog, 3);
	ck_log(0, 0, 0, 0);
	ck_log(1, 10, 1, 0);            /* b deferred from 0 to 10 */
	ck_log(2, 110, 0, 0);
	ck_assert_uint_eq(s.count[SIM_CNT_SLEEPS], 1);
	ck_assert_uint_eq(s.count[SIM_CNT_WAITS], 0);
	ck_assert_uint_eq(s.cpus[0].busy, 63);
	ck_assert_uint_eq(s.cpus[0].clock, 113);
	ck_assert_uint_eq(a.t.runtime, 13);
	sim_destroy(&s);
}
END_TEST

/* A step that waits and then wakes its own queue: it stays runnable and its
 * next step comes right after its charges. */
START_TEST(test_wait_then_self_wake)
{
	static const struct spec sp[] = { { 10, DO_WAIT_SELF_WAKE, 0 }, { 1, DO_EXIT, 0 } };
	struct sim s;
	struct sim_waitq wq;
	struct tt a;
	sim_init(&s, 1, 1);
	sim_waitq_init(&wq, "wq");
	tt_init(&s, &a, "a", 0, sp, &wq);
	sim_task_start(&s, &a.t, 0);
	ck_assert_int_eq(sim_run(&s), SIM_STOP_EMPTY);
	ck_assert_int_eq(a.self_woken, 1);
	ck_assert_int_eq(nlog, 2);
	ck_log(1, 10, 0, 0);
	ck_assert_uint_eq(wq.nr_waiting, 0);
	ck_assert_int_eq(a.exits, 1);
	sim_destroy(&s);
}
END_TEST

/* on_exit may free (here: scribble over) the task; sim/ does not touch it. */
static void poison_exit(struct sim *s, struct sim_task *t)
{
	struct tt *x = ev_container_of(t, struct tt, t);
	int n = x->exits + 1;
	memset(x, 0xa5, sizeof *x);
	x->exits = n;
}

START_TEST(test_on_exit_once_and_may_free)
{
	static const struct spec sp[] = { { 5, DO_CONT, 0 }, { 5, DO_EXIT, 0 } };
	struct sim s;
	struct tt a, b;
	struct pe later;
	sim_init(&s, 1, 1);
	tt_init(&s, &a, "a", 0, sp, NULL);
	tt_init(&s, &b, "b", 0, sp, NULL);
	a.t.on_exit = poison_exit;
	pe_init(&later, 0, 0, SIM_PRIO_DEFAULT, 0);
	sim_task_start(&s, &a.t, 0);
	sim_task_start(&s, &b.t, 0);
	sim_schedule(&s, &later.ev, 1000);
	ck_assert_int_eq(sim_run(&s), SIM_STOP_EMPTY);
	ck_assert_int_eq(a.exits, 1);
	ck_assert_int_eq(b.exits, 1);
	ck_assert_int_eq(later.fired, 1);
	sim_destroy(&s);
}
END_TEST

/* A task kept waiting for its CPU goes before tasks that only became ready
 * at the cycle the CPU frees (SIM_PRIO_RUNQ), and ready tasks take turns. */
START_TEST(test_runq_order)
{
	static const struct spec spa[] = { { 100, DO_CONT, 0 }, { 100, DO_EXIT, 0 } };
	static const struct spec spb[] = { { 100, DO_EXIT, 0 } };
	struct sim s;
	struct tt a, b, c;
	sim_init(&s, 1, 1);
	tt_init(&s, &a, "a", 0, spa, NULL);
	tt_init(&s, &b, "b", 0, spb, NULL);
	tt_init(&s, &c, "c", 0, spb, NULL);
	sim_task_start(&s, &a.t, 0);
	sim_task_start(&s, &b.t, 50);
	sim_task_start(&s, &c.t, 100);
	ck_assert_int_eq(sim_run(&s), SIM_STOP_EMPTY);
	/* b waited since 50: first at 100. c (started before a's re-arm, so an
	 * earlier seq at 100) is deferred before a, so runs before it. */
	ck_assert_int_eq(nlog, 4);
	ck_log(0, 0, 0, 0);
	ck_log(1, 100, 1, 0);
	ck_log(2, 200, 2, 0);
	ck_log(3, 300, 0, 0);
	ck_assert_uint_eq(s.count[SIM_CNT_DEFERRALS], 4);
	sim_destroy(&s);
}
END_TEST

/* A task wakes a waiter on its own CPU mid-step: the waiter is runnable from
 * the cycle of the wake-up but runs only once the waker's step is over. */
START_TEST(test_wake_by_task_same_cpu)
{
	static const struct spec spw[] = { { 10, DO_WAIT, 0 }, { 1, DO_EXIT, 0 } };
	static const struct spec spk[] = { { 20, DO_WAKE_EXIT, 30 } };
	struct sim s;
	struct sim_waitq wq;
	struct tt w, k;
	sim_init(&s, 1, 1);
	sim_waitq_init(&wq, "wq");
	tt_init(&s, &w, "w", 0, spw, &wq);
	tt_init(&s, &k, "k", 0, spk, &wq);
	sim_task_start(&s, &w.t, 0);
	sim_task_start(&s, &k.t, 100);
	ck_assert_int_eq(sim_run(&s), SIM_STOP_EMPTY);
	ck_assert_int_eq(k.self_woken, 1);
	ck_assert_int_eq(nlog, 3);
	ck_log(0, 0, 0, 0);
	ck_log(1, 100, 1, 0);
	ck_log(2, 150, 0, 0);           /* woken at 120, CPU busy until 150 */
	ck_assert_uint_eq(w.t.deferrals, 1);
	ck_assert_uint_eq(s.cpus[0].busy, 61);
	sim_destroy(&s);
}
END_TEST

START_TEST(test_wait_twice_aborts)
{
	static const struct spec sp[] = { { 1, DO_SLEEP_TWICE, 5 } };
	struct sim s;
	struct tt a;
	sim_init(&s, 1, 1);
	tt_init(&s, &a, "a", 0, sp, NULL);
	sim_task_start(&s, &a.t, 0);
	sim_run(&s);
}
END_TEST

START_TEST(test_cancel_task_event_aborts)
{
	static const struct spec sp[] = { { 5, DO_EXIT, 0 } };
	struct sim s;
	struct tt a;
	sim_init(&s, 1, 1);
	tt_init(&s, &a, "a", 0, sp, NULL);
	sim_task_start(&s, &a.t, 0);
	sim_cancel(&s, &a.t.ev);
}
END_TEST

/* ---- Host-side mistakes abort ---- */

START_TEST(test_schedule_in_past_aborts)
{
	struct sim s;
	struct pe a, b;
	sim_init(&s, 1, 1);
	pe_init(&a, 0, -1, SIM_PRIO_DEFAULT, 0);
	pe_init(&b, 1, -1, SIM_PRIO_DEFAULT, 0);
	sim_schedule(&s, &a.ev, 100);
	sim_run(&s);
	sim_schedule(&s, &b.ev, 99);
}
END_TEST

START_TEST(test_schedule_task_event_aborts)
{
	static const struct spec sp[] = { { 5, DO_EXIT, 0 } };
	struct sim s;
	struct tt a;
	sim_init(&s, 1, 1);
	tt_init(&s, &a, "a", 0, sp, NULL);
	sim_schedule(&s, &a.t.ev, 5);
}
END_TEST

START_TEST(test_schedule_twice_aborts)
{
	struct sim s;
	struct pe a;
	sim_init(&s, 1, 1);
	pe_init(&a, 0, -1, SIM_PRIO_DEFAULT, 0);
	sim_schedule(&s, &a.ev, 5);
	sim_schedule(&s, &a.ev, 6);
}
END_TEST

START_TEST(test_task_started_twice_aborts)
{
	static const struct spec sp[] = { { 5, DO_EXIT, 0 } };
	struct sim s;
	struct tt a;
	sim_init(&s, 1, 1);
	tt_init(&s, &a, "a", 0, sp, NULL);
	sim_task_start(&s, &a.t, 0);
	sim_task_start(&s, &a.t, 0);
}
END_TEST

static enum sim_step lying_step(struct sim *s, struct sim_task *t)
{
	return SIM_STEP_WAIT;           /* without having waited */
}

START_TEST(test_wait_without_waiting_aborts)
{
	struct sim s;
	struct sim_task t;
	sim_init(&s, 1, 1);
	sim_task_init(&s, &t, "liar", 0, lying_step, NULL);
	sim_task_start(&s, &t, 0);
	sim_run(&s);
}
END_TEST

START_TEST(test_wait_outside_step_aborts)
{
	struct sim s;
	struct sim_waitq wq;
	sim_init(&s, 1, 1);
	sim_waitq_init(&wq, "wq");
	sim_task_wait(&s, &wq);
}
END_TEST

/* ---- Timed locks ---- */

struct fake_mem {
	int calls;
	int last_cpu;
	uint64_t last_paddr;
	unsigned last_size;
	int last_write;
	cycle_t cost;
};

static cycle_t fake_access(void *ctx, int cpu, uint64_t paddr, unsigned size, int write)
{
	struct fake_mem *m = ctx;
	m->calls++;
	m->last_cpu = cpu;
	m->last_paddr = paddr;
	m->last_size = size;
	m->last_write = write;
	return m->cost;
}

struct lt {
	struct sim_task t;
	struct sim_lock *l;
	cycle_t before, hold;   /* charge before taking it, and while holding */
	cycle_t got_at;         /* sim_now() right after the acquire */
	int steps;
};

static enum sim_step lock_step(struct sim *s, struct sim_task *t)
{
	struct lt *x = ev_container_of(t, struct lt, t);
	x->steps++;
	sim_charge(s, x->before);
	sim_lock_acquire(s, x->l);
	ck_assert_int_eq(x->l->holder, t->cpu);
	x->got_at = sim_now(s);
	sim_charge(s, x->hold);
	sim_lock_release(s, x->l);
	ck_assert_int_eq(x->l->holder, -1);
	return SIM_STEP_EXIT;
}

static void lt_init(struct sim *s, struct lt *x, int cpu, struct sim_lock *l,
		    cycle_t before, cycle_t hold)
{
	memset(x, 0, sizeof *x);
	sim_task_init(s, &x->t, "locker", cpu, lock_step, x);
	x->l = l;
	x->before = before;
	x->hold = hold;
}

/* Cycles stolen from a CPU (a shootdown's flush, reported by the memory
 * port) push its next step back and count as busy time. */
struct steal_src {
	cycle_t pending[2];     /* per CPU, handed out once */
	int calls;
};

static cycle_t fake_take_stolen(void *ctx, int cpu)
{
	struct steal_src *src = ctx;
	cycle_t c = src->pending[cpu];
	src->pending[cpu] = 0;
	src->calls++;
	return c;
}

struct stepper {
	struct sim_task t;
	cycle_t at[3];
	int n;
};

static enum sim_step stepper_step(struct sim *s, struct sim_task *t)
{
	struct stepper *x = ev_container_of(t, struct stepper, t);
	x->at[x->n++] = sim_now(s);
	sim_charge(s, 10);
	return x->n == 3 ? SIM_STEP_EXIT : SIM_STEP_CONTINUE;
}

START_TEST(test_stolen_cycles_delay_next_step)
{
	struct sim s;
	struct steal_src src = { {0, 0}, 0 };
	struct stepper a, b;
	sim_init(&s, 2, 1);
	s.mem.take_stolen = fake_take_stolen;
	s.mem.ctx = &src;
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	sim_task_init(&s, &a.t, "victim", 0, stepper_step, &a);
	sim_task_init(&s, &b.t, "other", 1, stepper_step, &b);
	sim_task_start(&s, &a.t, 0);
	sim_task_start(&s, &b.t, 0);
	src.pending[0] = 100;   /* stolen before cpu 0's first step */
	ck_assert_int_eq(sim_run(&s), SIM_STOP_EMPTY);
	/* cpu 0: clock max(0, 0) + 100, so the first step waits until 100,
	 * then 110, 120. cpu 1 is untouched: 0, 10, 20. */
	ck_assert_uint_eq(a.at[0], 100);
	ck_assert_uint_eq(a.at[1], 110);
	ck_assert_uint_eq(a.at[2], 120);
	ck_assert_uint_eq(b.at[0], 0);
	ck_assert_uint_eq(b.at[2], 20);
	ck_assert_uint_eq(s.cpus[0].stolen, 100);
	ck_assert_uint_eq(s.cpus[0].busy, 130);
	ck_assert_uint_eq(s.cpus[1].stolen, 0);
	ck_assert_uint_eq(s.cpus[1].busy, 30);
	ck_assert_int_ge(src.calls, 6);
	sim_destroy(&s);
}
END_TEST

START_TEST(test_lock_uncontended)
{
	struct sim s;
	struct fake_mem m = { 0, -1, 0, 0, 0, 7 };
	struct sim_lock l;
	struct lt a;
	sim_init(&s, 2, 1);
	s.mem.access = fake_access;
	s.mem.ctx = &m;
	sim_lock_init(&l, "zone", 0x1000);
	ck_assert_int_eq(l.holder, -1);
	lt_init(&s, &a, 1, &l, 3, 50);
	sim_task_start(&s, &a.t, 100);
	ck_assert_int_eq(sim_run(&s), SIM_STOP_EMPTY);
	/* 3 before, 7 for the lock word, 50 held, 7 to release. */
	ck_assert_int_eq(m.calls, 2);
	ck_assert_int_eq(m.last_cpu, 1);
	ck_assert_uint_eq(m.last_paddr, 0x1000);
	ck_assert_uint_eq(m.last_size, 8);
	ck_assert_int_eq(m.last_write, 1);
	ck_assert_uint_eq(a.got_at, 110);
	ck_assert_uint_eq(a.t.runtime, 67);
	ck_assert_uint_eq(s.cpus[1].clock, 167);
	ck_assert_uint_eq(l.acquisitions, 1);
	ck_assert_uint_eq(l.contended, 0);
	ck_assert_uint_eq(l.spin_cycles, 0);
	ck_assert_uint_eq(l.held_until, 167);
	ck_assert_uint_eq(l.hold_cycles, 57);
	sim_destroy(&s);
}
END_TEST

/* With no memory port, the lock itself costs nothing. */
START_TEST(test_lock_no_port_is_free)
{
	struct sim s;
	struct sim_lock l;
	struct lt a;
	sim_init(&s, 1, 1);
	sim_lock_init(&l, "l", 0);
	lt_init(&s, &a, 0, &l, 0, 10);
	sim_task_start(&s, &a.t, 0);
	sim_run(&s);
	ck_assert_uint_eq(a.t.runtime, 10);
	ck_assert_uint_eq(l.held_until, 10);
	ck_assert_uint_eq(l.hold_cycles, 10);
	sim_destroy(&s);
}
END_TEST

/* CPU 0 holds the lock 7..114; CPU 1 wants it at 10 and spins until 114. A
 * third taker on CPU 0 after that does not spin. */
START_TEST(test_lock_contended)
{
	struct sim s;
	struct fake_mem m = { 0, -1, 0, 0, 0, 7 };
	struct sim_lock l;
	struct lt a, b, c;
	sim_init(&s, 2, 1);
	s.mem.access = fake_access;
	s.mem.ctx = &m;
	sim_lock_init(&l, "lru", 0x40);
	lt_init(&s, &a, 0, &l, 0, 100);
	lt_init(&s, &b, 1, &l, 0, 5);
	lt_init(&s, &c, 0, &l, 0, 1);
	sim_task_start(&s, &a.t, 0);
	sim_task_start(&s, &b.t, 10);
	sim_task_start(&s, &c.t, 500);
	ck_assert_int_eq(sim_run(&s), SIM_STOP_EMPTY);
	/* a: word 0..7, held to 107, release word to 114. */
	ck_assert_uint_eq(a.got_at, 7);
	/* b: spins 10..114 (104), word to 121, holds 5, release word to 133. */
	ck_assert_uint_eq(b.got_at, 121);
	ck_assert_uint_eq(b.t.runtime, 123);
	ck_assert_uint_eq(s.cpus[1].clock, 133);
	ck_assert_uint_eq(s.cpus[1].busy, 123);
	/* c: at 500, free since 133: 7 + 1 + 7. */
	ck_assert_uint_eq(c.got_at, 507);
	ck_assert_uint_eq(c.t.runtime, 15);
	ck_assert_uint_eq(l.acquisitions, 3);
	ck_assert_uint_eq(l.contended, 1);
	ck_assert_uint_eq(l.spin_cycles, 104);
	ck_assert_uint_eq(l.held_until, 515);
	/* Held 7..114, 121..133, 507..515. */
	ck_assert_uint_eq(l.hold_cycles, 107 + 12 + 8);
	ck_assert_int_eq(m.calls, 6);
	sim_destroy(&s);
}
END_TEST

static enum sim_step release_unheld_step(struct sim *s, struct sim_task *t)
{
	sim_lock_release(s, t->owner);
	return SIM_STEP_EXIT;
}

START_TEST(test_lock_release_unheld_aborts)
{
	struct sim s;
	struct sim_lock l;
	struct sim_task t;
	sim_init(&s, 1, 1);
	sim_lock_init(&l, "l", 0);
	sim_task_init(&s, &t, "t", 0, release_unheld_step, &l);
	sim_task_start(&s, &t, 0);
	sim_run(&s);
}
END_TEST

static enum sim_step hold_and_sleep_step(struct sim *s, struct sim_task *t)
{
	sim_lock_acquire(s, t->owner);
	sim_task_sleep(s, 1000);
	return SIM_STEP_WAIT;
}

static void lock_fire(struct sim *s, struct sim_event *ev)
{
	struct pe *p = ev_container_of(ev, struct pe, ev);
	struct sim_lock *l = (struct sim_lock *)(void *)p->wq;  /* smuggled */
	if (p->nr)
		sim_lock_acquire(s, l);
	else
		sim_lock_release(s, l);
}

/* Held across a sleep on CPU 0, then CPU 1 releases it: not the holder. */
START_TEST(test_lock_release_by_other_cpu_aborts)
{
	struct sim s;
	struct sim_lock l;
	struct sim_task t;
	struct pe p;
	sim_init(&s, 2, 1);
	sim_lock_init(&l, "l", 0);
	sim_task_init(&s, &t, "t", 0, hold_and_sleep_step, &l);
	sim_task_start(&s, &t, 0);
	pe_init(&p, 0, 1, SIM_PRIO_DEFAULT, 0);
	p.ev.fn = lock_fire;
	p.wq = (struct sim_waitq *)(void *)&l;
	p.nr = 0;
	sim_schedule(&s, &p.ev, 10);
	sim_run(&s);
}
END_TEST

/* Held across a sleep on CPU 0, then CPU 1 takes it: held in host terms. */
START_TEST(test_lock_acquire_while_held_aborts)
{
	struct sim s;
	struct sim_lock l;
	struct sim_task t;
	struct pe p;
	sim_init(&s, 2, 1);
	sim_lock_init(&l, "l", 0);
	sim_task_init(&s, &t, "t", 0, hold_and_sleep_step, &l);
	sim_task_start(&s, &t, 0);
	pe_init(&p, 0, 1, SIM_PRIO_DEFAULT, 0);
	p.ev.fn = lock_fire;
	p.wq = (struct sim_waitq *)(void *)&l;
	p.nr = 1;
	sim_schedule(&s, &p.ev, 10);
	sim_run(&s);
}
END_TEST

/* A plain event with no CPU cannot take a lock. */
START_TEST(test_lock_without_cpu_aborts)
{
	struct sim s;
	struct sim_lock l;
	struct pe p;
	sim_init(&s, 1, 1);
	sim_lock_init(&l, "l", 0);
	pe_init(&p, 0, -1, SIM_PRIO_DEFAULT, 0);
	p.ev.fn = lock_fire;
	p.wq = (struct sim_waitq *)(void *)&l;
	p.nr = 1;
	sim_schedule(&s, &p.ev, 10);
	sim_run(&s);
}
END_TEST

/* ---- Determinism ---- */

struct rt {
	struct sim_task t;
	struct sim_waitq *wqs;
	struct sim_lock *locks;
	int left;
};

static enum sim_step random_step(struct sim *s, struct sim_task *t)
{
	struct rt *x = ev_container_of(t, struct rt, t);
	log_add(s->now, t->id, t->timed_out);
	sim_charge(s, 1 + rng_below(&s->rng, 50));
	uint64_t r = rng_below(&s->rng, 10);
	if (r < 3) {
		struct sim_lock *l = &x->locks[rng_below(&s->rng, 2)];
		sim_lock_acquire(s, l);
		sim_charge(s, rng_below(&s->rng, 30));
		sim_lock_release(s, l);
	} else if (r < 6) {
		int n = sim_wake_up(s, &x->wqs[rng_below(&s->rng, 2)],
				    (int)rng_below(&s->rng, 3));
		log_add(sim_now(s), 1000 + t->id, n);
	}
	if (--x->left == 0)
		return SIM_STEP_EXIT;
	r = rng_below(&s->rng, 10);
	if (r < 3) {
		sim_task_wait_timeout(s, &x->wqs[rng_below(&s->rng, 2)],
				      rng_below(&s->rng, 2000));
		return SIM_STEP_WAIT;
	}
	if (r < 4) {
		sim_task_sleep(s, rng_below(&s->rng, 300));
		return SIM_STEP_WAIT;
	}
	return SIM_STEP_CONTINUE;
}

static cycle_t scenario(uint64_t seed, uint64_t *counts, struct sim_lock *locks_out)
{
	enum { NT = 12 };
	struct sim s;
	struct sim_waitq wqs[2];
	struct sim_lock locks[2];
	struct rt t[NT];
	struct fake_mem m = { 0, -1, 0, 0, 0, 3 };
	nlog = 0;
	sim_init(&s, 4, seed);
	s.mem.access = fake_access;
	s.mem.ctx = &m;
	sim_waitq_init(&wqs[0], "a");
	sim_waitq_init(&wqs[1], "b");
	sim_lock_init(&locks[0], "x", 0x100);
	sim_lock_init(&locks[1], "y", 0x140);
	for (int i = 0; i < NT; i++) {
		sim_task_init(&s, &t[i].t, "r", i % 4, random_step, NULL);
		t[i].wqs = wqs;
		t[i].locks = locks;
		t[i].left = 100;
		sim_task_start(&s, &t[i].t, rng_below(&s.rng, 100));
	}
	ck_assert_int_eq(sim_run(&s), SIM_STOP_EMPTY);
	memcpy(counts, s.count, sizeof s.count);
	memcpy(locks_out, locks, sizeof locks);
	cycle_t now = s.now;
	sim_destroy(&s);
	return now;
}

START_TEST(test_determinism)
{
	static struct log_rec first[4096];
	uint64_t c1[SIM_NR_COUNTERS], c2[SIM_NR_COUNTERS];
	struct sim_lock l1[2], l2[2];
	cycle_t end1 = scenario(7, c1, l1);
	int n1 = nlog;
	memcpy(first, logv, sizeof logv);
	cycle_t end2 = scenario(7, c2, l2);
	ck_assert_int_eq(nlog, n1);
	ck_assert_uint_eq(end1, end2);
	ck_assert_int_eq(memcmp(first, logv, (size_t)n1 * sizeof logv[0]), 0);
	ck_assert_int_eq(memcmp(c1, c2, sizeof c1), 0);
	for (int i = 0; i < 2; i++) {
		ck_assert_uint_eq(l1[i].acquisitions, l2[i].acquisitions);
		ck_assert_uint_eq(l1[i].spin_cycles, l2[i].spin_cycles);
		ck_assert_uint_eq(l1[i].hold_cycles, l2[i].hold_cycles);
	}
	/* The scenario did exercise everything. */
	ck_assert_uint_gt(c1[SIM_CNT_STEPS], 1000);
	ck_assert_uint_gt(c1[SIM_CNT_DEFERRALS], 0);
	ck_assert_uint_gt(c1[SIM_CNT_WAKEUPS], 0);
	ck_assert_uint_gt(c1[SIM_CNT_TIMEOUTS], 0);
	ck_assert_uint_gt(c1[SIM_CNT_SLEEPS], 0);
	ck_assert_uint_gt(l1[0].contended + l1[1].contended, 0);
	/* Steps logged in time order. */
	for (int i = 1; i < n1; i++)
		if (first[i].who < 1000 && first[i - 1].who < 1000)
			ck_assert_uint_ge(first[i].when, first[i - 1].when);
	/* Another seed, another run. */
	scenario(8, c2, l2);
	ck_assert(nlog != n1 || memcmp(first, logv, (size_t)n1 * sizeof logv[0]) != 0);
}
END_TEST

Suite *sim_suite(void)
{
	Suite *s = suite_create("sim");
	TCase *tc = tcase_create("tasks");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_charge_sets_next_step);
	tcase_add_test(tc, test_one_cpu_serializes);
	tcase_add_test(tc, test_two_cpus_overlap);
	tcase_add_test(tc, test_plain_event_steals_cpu);
	tcase_add_test(tc, test_schedule_in_reschedule_cancel);
	tcase_add_test(tc, test_on_exit_once_and_may_free);
	tcase_add_test(tc, test_runq_order);
	suite_add_tcase(s, tc);

	tc = tcase_create("stop");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_stop_empty);
	tcase_add_test(tc, test_stop_max_cycles);
	tcase_add_test(tc, test_stop_max_events);
	tcase_add_test(tc, test_stop_requested);
	tcase_add_test(tc, test_watchdog_plain_event);
	tcase_add_test(tc, test_watchdog_needs_one_cycle);
	tcase_add_test(tc, test_watchdog_zero_cost_task);
	suite_add_tcase(s, tc);

	tc = tcase_create("wait");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_wait_wake_fifo);
	tcase_add_test(tc, test_wake_exact_count);
	tcase_add_test(tc, test_wait_timeout_expires);
	tcase_add_test(tc, test_wake_cancels_timeout);
	tcase_add_test(tc, test_wake_at_timeout_cycle);
	tcase_add_test(tc, test_timeout_deferred);
	tcase_add_test(tc, test_sleep);
	tcase_add_test(tc, test_wait_then_self_wake);
	tcase_add_test(tc, test_wake_by_task_same_cpu);
	suite_add_tcase(s, tc);

	tc = tcase_create("aborts");
	tcase_add_test_raise_signal(tc, test_schedule_in_past_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, test_schedule_task_event_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, test_schedule_twice_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, test_task_started_twice_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, test_wait_without_waiting_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, test_wait_outside_step_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, test_wait_twice_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, test_cancel_task_event_aborts, SIGABRT);
	suite_add_tcase(s, tc);

	tc = tcase_create("locks");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_stolen_cycles_delay_next_step);
	tcase_add_test(tc, test_lock_uncontended);
	tcase_add_test(tc, test_lock_no_port_is_free);
	tcase_add_test(tc, test_lock_contended);
	tcase_add_test_raise_signal(tc, test_lock_release_unheld_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, test_lock_release_by_other_cpu_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, test_lock_acquire_while_held_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, test_lock_without_cpu_aborts, SIGABRT);
	suite_add_tcase(s, tc);

	tc = tcase_create("determinism");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_determinism);
	suite_add_tcase(s, tc);
	return s;
}
