/*
 * The run loop, tasks, wait queues and timed locks.
 *
 * The loop. sim_run peeks at the earliest event, checks the stop conditions
 * against it (so an event past max_cycles stays queued for the next call),
 * pops it, makes it the current context (cpu, no task, start = its cycle,
 * nothing charged) and calls it. After the call it does not touch the event
 * again: the callback may have re-queued or freed it. For a plain event with
 * a CPU it then bills the charged cycles to that CPU (see sim.h).
 *
 * Tasks are events with a state machine around them. Every task event fires
 * task_fire(), which is how the loop tells a task's event from a plain one
 * (cur.task is set only there). The state says why the event was queued:
 *
 *   RUNNABLE  next step (after CONTINUE, a start, a wake-up or a deferral)
 *   SLEEPING  the end of a sleep
 *   WAITING   a timeout: the task leaves its wait queue, timed_out = true
 *
 * and in every case the task is then RUNNABLE and either runs its step now
 * or, if its CPU's clock is past this cycle, is re-queued at the clock with
 * SIM_PRIO_RUNQ. A WAITING task without a timeout has no event queued; a
 * wake-up queues (or moves) it. The invariant that keeps this honest: a task
 * has its event queued exactly when it is RUNNABLE or SLEEPING, or WAITING
 * with a timeout.
 *
 * A wait or sleep called inside a step is only recorded there (wait_called,
 * wait_timed, wait_cycles) and armed when the step returns, so the wait
 * starts after all the cycles the step charged, whatever order the step did
 * things in. The one odd case, a step that waits on a queue and then wakes
 * that same queue, leaves the task RUNNABLE without an event; the end of the
 * step queues it like a CONTINUE.
 *
 * Wait queues are FIFO lists threaded through the tasks (struct sim_list),
 * so a timeout removes a task from the middle in O(1).
 *
 * Fibers. A may_block task's step runs on a fiber taken from a pool: the
 * loop switches to it, the fiber calls the step function, stores what it
 * returned and switches back. A step that blocks (sim_task_block) arms its
 * wait exactly as a WAIT step does, keeps the fiber (t->fiber) and switches
 * back with SIM_STEP_WAIT; the task's next step switches to that fiber
 * instead of calling the step function, so the blocked call returns. A
 * fiber whose step returned goes back to the pool, so there are as many
 * fibers as steps blocked at once, plus one.
 */
#include <stdlib.h>
#include <string.h>

#include "sim/fiber.h"
#include "sim/sim.h"

/* ---- Lists ------------------------------------------------------------- */

static void list_init(struct sim_list *head)
{
	head->prev = head->next = head;
}

static bool list_empty(const struct sim_list *head)
{
	return head->next == head;
}

static void list_add_tail(struct sim_list *head, struct sim_list *n)
{
	n->prev = head->prev;
	n->next = head;
	head->prev->next = n;
	head->prev = n;
}

static void list_del(struct sim_list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->prev = n->next = n;
}

/* ---- The simulation ---------------------------------------------------- */

static void task_fire(struct sim *s, struct sim_event *ev);

static void set_idle_ctx(struct sim *s)
{
	s->cur.cpu = -1;
	s->cur.task = NULL;
	s->cur.start = s->now;
	s->cur.charged = 0;
}

void sim_init(struct sim *s, int ncpus, uint64_t seed)
{
	MMSIM_ASSERT(ncpus >= 1 && ncpus <= INT16_MAX);
	memset(s, 0, sizeof *s);
	ev_queue_init(&s->queue);
	s->now = 0;
	set_idle_ctx(s);
	s->ncpus = ncpus;
	s->cpus = mmsim_xcalloc((size_t)ncpus, sizeof s->cpus[0]);
	for (int i = 0; i < ncpus; i++)
		s->cpus[i].hz = SIM_DEFAULT_HZ;
	s->max_cycles = CYCLE_MAX;
	s->max_events = UINT64_MAX;
	s->watchdog_events = SIM_DEFAULT_WATCHDOG;
	rng_seed(&s->rng, seed);
	s->mem.access = NULL;
	s->mem.ctx = NULL;
	s->stop_reason = SIM_STOP_NONE;
	s->running = false;
	s->stop_requested = false;
	s->next_task_id = 0;
	s->stall_cycle = 0;
	s->stall_events = 0;
	s->fiber_stack = fiber_default_stack();
}

struct sim_fiber {
	struct fiber *f;
	struct sim *s;
	struct sim_task *task;          /* the task whose step it runs or holds */
	enum sim_step result;           /* what that step returned, or WAIT */
	struct sim_fiber *next_idle;
	struct sim_fiber *next_all;
};

static void free_fibers(struct sim *s)
{
	while (s->fiber_all) {
		struct sim_fiber *sf = s->fiber_all;
		s->fiber_all = sf->next_all;
		fiber_free(sf->f);
		free(sf);
	}
	fiber_free(s->loop_fiber);
	s->loop_fiber = NULL;
	s->fiber_idle = NULL;
	s->fiber_cur = NULL;
}

void sim_destroy(struct sim *s)
{
	MMSIM_ASSERT(!s->running);
	free_fibers(s);
	ev_queue_free(&s->queue);
	free(s->cpus);
	s->cpus = NULL;
	s->ncpus = 0;
}

static void check_schedule(const struct sim *s, const struct sim_event *ev, cycle_t when)
{
	if (ev->fn == task_fire)
		mmsim_panic("a task's event scheduled directly: use the sim_task_ calls");
	if (when < s->now)
		mmsim_panic("event scheduled at cycle %llu, before now (%llu)",
			    (unsigned long long)when, (unsigned long long)s->now);
	if (ev->cpu >= s->ncpus)
		mmsim_panic("event on cpu %d, but the simulation has %d", ev->cpu, s->ncpus);
}

void sim_schedule(struct sim *s, struct sim_event *ev, cycle_t when)
{
	check_schedule(s, ev, when);
	ev_push(&s->queue, ev, when);
}

void sim_schedule_in(struct sim *s, struct sim_event *ev, cycle_t delta)
{
	sim_schedule(s, ev, sim_now(s) + delta);
}

void sim_reschedule(struct sim *s, struct sim_event *ev, cycle_t when)
{
	check_schedule(s, ev, when);
	ev_reschedule(&s->queue, ev, when);
}

void sim_cancel(struct sim *s, struct sim_event *ev)
{
	if (ev->fn == task_fire)
		mmsim_panic("a task's event cancelled directly: use the sim_task_ calls");
	ev_cancel(&s->queue, ev);
}

void sim_stop(struct sim *s)
{
	s->stop_requested = true;
}

/* A plain event on a CPU charged cycles: they are that CPU's, taken on top of
 * whatever it was already busy with. */
static void bill_plain_event(struct sim *s)
{
	struct sim_cpu *c = &s->cpus[s->cur.cpu];
	cycle_t from = c->clock > s->cur.start ? c->clock : s->cur.start;
	c->clock = from + s->cur.charged;
	c->busy += s->cur.charged;
}

enum sim_stop sim_run(struct sim *s)
{
	MMSIM_ASSERT(!s->running);
	s->running = true;
	s->stall_events = 0;
	enum sim_stop why;
	for (;;) {
		if (s->stop_requested) {
			s->stop_requested = false;
			why = SIM_STOP_REQUESTED;
			break;
		}
		struct sim_event *ev = ev_peek(&s->queue);
		if (ev == NULL) {
			why = SIM_STOP_EMPTY;
			break;
		}
		cycle_t when = ev->when;
		if (when > s->max_cycles) {
			why = SIM_STOP_MAX_CYCLES;
			break;
		}
		if (s->count[SIM_CNT_EVENTS] >= s->max_events) {
			why = SIM_STOP_MAX_EVENTS;
			break;
		}
		if (when != s->stall_cycle) {
			s->stall_cycle = when;
			s->stall_events = 0;
		} else if (s->watchdog_events && s->stall_events >= s->watchdog_events) {
			why = SIM_STOP_WATCHDOG;
			break;
		}
		s->stall_events++;

		ev_pop(&s->queue);
		s->now = when;
		s->cur.cpu = ev->cpu;
		s->cur.task = NULL;
		s->cur.start = when;
		s->cur.charged = 0;
		s->count[SIM_CNT_EVENTS]++;
		ev->fn(s, ev);
		if (s->cur.task == NULL && s->cur.cpu >= 0 && s->cur.charged)
			bill_plain_event(s);
	}
	s->running = false;
	set_idle_ctx(s);
	s->stop_reason = why;
	return why;
}

const char *sim_stop_name(enum sim_stop why)
{
	switch (why) {
	case SIM_STOP_NONE:       return "none";
	case SIM_STOP_EMPTY:      return "empty";
	case SIM_STOP_MAX_CYCLES: return "max_cycles";
	case SIM_STOP_MAX_EVENTS: return "max_events";
	case SIM_STOP_REQUESTED:  return "requested";
	case SIM_STOP_WATCHDOG:   return "watchdog";
	}
	return "unknown";
}

const char *sim_counter_name(enum sim_counter c)
{
	static const char *const names[SIM_NR_COUNTERS] = {
		[SIM_CNT_EVENTS] = "events",
		[SIM_CNT_STEPS] = "task_steps",
		[SIM_CNT_DEFERRALS] = "task_deferrals",
		[SIM_CNT_WAITS] = "task_waits",
		[SIM_CNT_WAKEUPS] = "task_wakeups",
		[SIM_CNT_TIMEOUTS] = "task_timeouts",
		[SIM_CNT_SLEEPS] = "task_sleeps",
	};
	return (unsigned)c < SIM_NR_COUNTERS ? names[c] : "unknown";
}

/* ---- Tasks ------------------------------------------------------------- */

void sim_task_init(struct sim *s, struct sim_task *t, const char *name, int cpu,
		   sim_task_fn step, void *owner)
{
	MMSIM_ASSERT(cpu >= 0 && cpu < s->ncpus);
	MMSIM_ASSERT(step != NULL);
	sim_event_init(&t->ev, task_fire, SIM_PRIO_TASK, cpu);
	t->step = step;
	t->owner = owner;
	t->on_exit = NULL;
	size_t n = strlen(name);
	if (n >= sizeof t->name)
		n = sizeof t->name - 1;
	memcpy(t->name, name, n);
	t->name[n] = '\0';
	t->id = s->next_task_id++;
	t->cpu = cpu;
	t->state = SIM_TASK_NEW;
	list_init(&t->link);
	t->wq = NULL;
	t->timed_out = false;
	t->runtime = 0;
	t->steps = 0;
	t->deferrals = 0;
	t->may_block = false;
	t->fiber = NULL;
	t->wait_called = false;
	t->wait_timed = false;
	t->wait_cycles = 0;
}

/* Queue t's event for its next step (or the end of its sleep or timeout). */
static void arm(struct sim *s, struct sim_task *t, cycle_t when)
{
	t->ev.prio = SIM_PRIO_TASK;
	ev_push(&s->queue, &t->ev, when);
}

void sim_task_start(struct sim *s, struct sim_task *t, cycle_t when)
{
	if (t->state != SIM_TASK_NEW)
		mmsim_panic("task %s started twice", t->name);
	if (when < s->now)
		mmsim_panic("task %s started at cycle %llu, before now (%llu)", t->name,
			    (unsigned long long)when, (unsigned long long)s->now);
	t->state = SIM_TASK_RUNNABLE;
	arm(s, t, when);
}

static void leave_waitq(struct sim_task *t)
{
	list_del(&t->link);
	t->wq->nr_waiting--;
	t->wq = NULL;
}

/* Saturating: a timeout of "practically never" must not wrap into the past. */
static cycle_t after(cycle_t t, cycle_t d)
{
	return d > CYCLE_MAX - t ? CYCLE_MAX : t + d;
}

/* What a fiber does all its life: run the step of the task it is given,
 * report, and wait to be given the next. */
static void fiber_body(void *arg)
{
	struct sim_fiber *sf = arg;
	struct sim *s = sf->s;
	for (;;) {
		struct sim_task *t = sf->task;
		sf->result = t->step(s, t);
		fiber_switch(sf->f, s->loop_fiber);
	}
}

static struct sim_fiber *get_fiber(struct sim *s)
{
	struct sim_fiber *sf = s->fiber_idle;
	if (sf) {
		s->fiber_idle = sf->next_idle;
		return sf;
	}
	if (!s->loop_fiber)
		s->loop_fiber = fiber_main();
	sf = mmsim_xcalloc(1, sizeof *sf);
	sf->s = s;
	sf->f = fiber_new(s->fiber_stack, fiber_body, sf);
	sf->next_all = s->fiber_all;
	s->fiber_all = sf;
	s->nr_fibers++;
	return sf;
}

/* Run (or resume) t's step on a fiber; what it returned, or WAIT if it
 * blocked part-way. */
static enum sim_step step_on_fiber(struct sim *s, struct sim_task *t)
{
	struct sim_fiber *sf = t->fiber;
	if (sf) {
		t->fiber = NULL;        /* resuming: it will hold it again if it
					 * blocks again */
	} else {
		sf = get_fiber(s);
		sf->task = t;
	}
	s->fiber_cur = sf;
	fiber_switch(s->loop_fiber, sf->f);
	s->fiber_cur = NULL;
	if (t->fiber != sf) {
		sf->task = NULL;
		sf->next_idle = s->fiber_idle;
		s->fiber_idle = sf;
	}
	return sf->result;
}

static void run_step(struct sim *s, struct sim_task *t, struct sim_cpu *c)
{
	t->state = SIM_TASK_RUNNING;
	t->wait_called = false;
	t->wait_timed = false;
	enum sim_step r = t->may_block ? step_on_fiber(s, t) : t->step(s, t);

	cycle_t charged = s->cur.charged;
	cycle_t end = s->cur.start + charged;
	c->clock = end;
	c->busy += charged;
	c->steps++;
	t->runtime += charged;
	t->steps++;
	s->count[SIM_CNT_STEPS]++;

	switch (r) {
	case SIM_STEP_CONTINUE:
		if (t->wait_called)
			mmsim_panic("task %s waited but its step returned CONTINUE", t->name);
		t->state = SIM_TASK_RUNNABLE;
		arm(s, t, end);
		return;
	case SIM_STEP_WAIT:
		if (!t->wait_called)
			mmsim_panic("task %s returned WAIT without waiting", t->name);
		if (t->state == SIM_TASK_RUNNABLE)      /* woke itself */
			arm(s, t, end);
		else if (t->wait_timed)
			arm(s, t, after(end, t->wait_cycles));
		return;
	case SIM_STEP_EXIT:
		if (t->wait_called)
			mmsim_panic("task %s waited but its step returned EXIT", t->name);
		t->state = SIM_TASK_EXITED;
		if (t->on_exit)
			t->on_exit(s, t);
		return;
	}
	mmsim_panic("task %s returned %d from its step", t->name, (int)r);
}

static void task_fire(struct sim *s, struct sim_event *ev)
{
	struct sim_task *t = ev_container_of(ev, struct sim_task, ev);
	struct sim_cpu *c = &s->cpus[t->cpu];
	s->cur.task = t;
	switch (t->state) {
	case SIM_TASK_RUNNABLE:
	case SIM_TASK_SLEEPING:
		break;
	case SIM_TASK_WAITING:
		t->wq->timeouts++;
		leave_waitq(t);
		t->timed_out = true;
		s->count[SIM_CNT_TIMEOUTS]++;
		break;
	default:
		mmsim_panic("task %s fired in state %d", t->name, (int)t->state);
	}
	t->state = SIM_TASK_RUNNABLE;
	if (s->mem.take_stolen) {
		cycle_t st = s->mem.take_stolen(s->mem.ctx, t->cpu);
		if (st) {
			c->clock = after(c->clock > ev->when ? c->clock : ev->when, st);
			c->busy += st;
			c->stolen += st;
		}
	}
	if (c->clock > ev->when) {
		ev->prio = SIM_PRIO_RUNQ;
		ev_push(&s->queue, ev, c->clock);
		c->deferrals++;
		t->deferrals++;
		s->count[SIM_CNT_DEFERRALS]++;
		return;
	}
	run_step(s, t, c);
}

bool sim_task_continue_inline(struct sim *s)
{
	struct sim_task *t = s->cur.task;
	MMSIM_ASSERT(s->running && t != NULL && t->state == SIM_TASK_RUNNING);
	if (t->wait_called || s->stop_requested)
		return false;
	struct sim_cpu *c = &s->cpus[t->cpu];
	cycle_t charged = s->cur.charged;
	cycle_t end = s->cur.start + charged;
	/* The run loop's tests, for the event it would pop next: this task's,
	 * at `end`. Anything queued at `end` or before goes first (a tie is
	 * left to the loop: the queued event may well come first). */
	const struct sim_event *next = ev_peek(&s->queue);
	if (next && next->when <= end)
		return false;
	if (end > s->max_cycles || s->count[SIM_CNT_EVENTS] >= s->max_events)
		return false;
	if (end == s->stall_cycle && s->watchdog_events && s->stall_events >= s->watchdog_events)
		return false;

	/* run_step's end of a CONTINUE step. */
	c->clock = end;
	c->busy += charged;
	c->steps++;
	t->runtime += charged;
	t->steps++;
	s->count[SIM_CNT_STEPS]++;
	/* The loop's pop of the task's event at `end`. */
	if (end != s->stall_cycle) {
		s->stall_cycle = end;
		s->stall_events = 0;
	}
	s->stall_events++;
	s->now = end;
	s->cur.start = end;
	s->cur.charged = 0;
	s->count[SIM_CNT_EVENTS]++;
	t->ev.when = end;
	/* task_fire: cycles stolen from this CPU come from other CPUs' events,
	 * and none has run since this step began and took them. */
	if (s->mem.take_stolen) {
		cycle_t st = s->mem.take_stolen(s->mem.ctx, t->cpu);
		MMSIM_ASSERT(st == 0);
	}
	/* run_step's start. */
	t->wait_called = false;
	t->wait_timed = false;
	return true;
}

/* The task whose step is running; aborts, naming `what`, if there is none. */
static struct sim_task *running_task(struct sim *s, const char *what)
{
	struct sim_task *t = s->cur.task;
	if (t == NULL)
		mmsim_panic("%s called outside a task's step", what);
	/* Before the state test: a wait already called in this step has moved
	 * the state off RUNNING, and that is the mistake to name. */
	if (t->wait_called)
		mmsim_panic("%s: task %s already waits in this step", what, t->name);
	if (t->state != SIM_TASK_RUNNING)
		mmsim_panic("%s called outside a task's step", what);
	return t;
}

/* ---- Waiting ----------------------------------------------------------- */

void sim_waitq_init(struct sim_waitq *wq, const char *name)
{
	wq->name = name;
	list_init(&wq->waiters);
	wq->nr_waiting = 0;
	wq->waits = 0;
	wq->wakeups = 0;
	wq->timeouts = 0;
}

static void wait_on(struct sim *s, struct sim_task *t, struct sim_waitq *wq)
{
	list_add_tail(&wq->waiters, &t->link);
	wq->nr_waiting++;
	wq->waits++;
	t->wq = wq;
	t->state = SIM_TASK_WAITING;
	t->timed_out = false;
	t->wait_called = true;
	s->count[SIM_CNT_WAITS]++;
}

void sim_task_wait(struct sim *s, struct sim_waitq *wq)
{
	struct sim_task *t = running_task(s, "sim_task_wait");
	wait_on(s, t, wq);
}

void sim_task_wait_timeout(struct sim *s, struct sim_waitq *wq, cycle_t cycles)
{
	struct sim_task *t = running_task(s, "sim_task_wait_timeout");
	wait_on(s, t, wq);
	t->wait_timed = true;
	t->wait_cycles = cycles;
}

void sim_task_sleep(struct sim *s, cycle_t cycles)
{
	struct sim_task *t = running_task(s, "sim_task_sleep");
	t->state = SIM_TASK_SLEEPING;
	t->timed_out = false;
	t->wait_called = true;
	t->wait_timed = true;
	t->wait_cycles = cycles;
	s->count[SIM_CNT_SLEEPS]++;
}

int sim_wake_up(struct sim *s, struct sim_waitq *wq, int nr)
{
	int woken = 0;
	cycle_t when = sim_now(s);
	while ((nr <= 0 || woken < nr) && !list_empty(&wq->waiters)) {
		struct sim_task *t = ev_container_of(wq->waiters.next, struct sim_task, link);
		MMSIM_ASSERT(t->state == SIM_TASK_WAITING && t->wq == wq);
		leave_waitq(t);
		wq->wakeups++;
		s->count[SIM_CNT_WAKEUPS]++;
		t->timed_out = false;
		t->state = SIM_TASK_RUNNABLE;
		/* A task waking itself is still in its step; run_step queues
		 * it when the step returns. Otherwise queue it now, moving an
		 * armed timeout in place. */
		if (t != s->cur.task) {
			t->ev.prio = SIM_PRIO_TASK;
			ev_reschedule(&s->queue, &t->ev, when);
		}
		woken++;
	}
	return woken;
}

bool sim_task_can_block(const struct sim *s)
{
	const struct sim_task *t = s->cur.task;
	return t && s->running && t->state == SIM_TASK_RUNNING && !t->wait_called &&
	       s->fiber_cur && s->fiber_cur->task == t;
}

/* The wait is armed (recorded in t): leave the step here, keeping the fiber,
 * until run_step switches back to it for the task's next step. */
static void block(struct sim *s, struct sim_task *t)
{
	struct sim_fiber *sf = s->fiber_cur;
	t->fiber = sf;
	sf->result = SIM_STEP_WAIT;
	s->blocks++;
	fiber_switch(sf->f, s->loop_fiber);
}

static struct sim_task *blocking_task(struct sim *s, const char *what)
{
	struct sim_task *t = running_task(s, what);
	if (!sim_task_can_block(s))
		mmsim_panic("%s: task %s cannot block here (not may_block, or not on its fiber)",
			    what, t->name);
	return t;
}

bool sim_task_block(struct sim *s, struct sim_waitq *wq)
{
	struct sim_task *t = blocking_task(s, "sim_task_block");
	wait_on(s, t, wq);
	block(s, t);
	return !t->timed_out;
}

bool sim_task_block_timeout(struct sim *s, struct sim_waitq *wq, cycle_t cycles)
{
	struct sim_task *t = blocking_task(s, "sim_task_block_timeout");
	wait_on(s, t, wq);
	t->wait_timed = true;
	t->wait_cycles = cycles;
	block(s, t);
	return !t->timed_out;
}

void sim_task_block_sleep(struct sim *s, cycle_t cycles)
{
	struct sim_task *t = blocking_task(s, "sim_task_block_sleep");
	sim_task_sleep(s, cycles);
	block(s, t);
}

/* ---- Timed locks ------------------------------------------------------- */

void sim_lock_init(struct sim_lock *l, const char *name, uint64_t paddr)
{
	l->name = name;
	l->paddr = paddr;
	l->held_until = 0;
	l->holder = -1;
	l->acquisitions = 0;
	l->contended = 0;
	l->spin_cycles = 0;
	l->acquired_at = 0;
	l->hold_cycles = 0;
}

/* The atomic write to the lock word: where hw/ costs the cache line moving
 * from the last holder's CPU to this one. */
static void write_lock_word(struct sim *s, const struct sim_lock *l, int cpu)
{
	if (s->mem.access)
		sim_charge(s, s->mem.access(s->mem.ctx, cpu, l->paddr, 8, 1));
}

void sim_lock_acquire(struct sim *s, struct sim_lock *l)
{
	int cpu = s->cur.cpu;
	if (cpu < 0)
		mmsim_panic("lock %s taken with no current CPU", l->name);
	if (l->holder != -1)
		mmsim_panic("lock %s taken on cpu %d while cpu %d holds it "
			    "(held across a wait, or never released)", l->name, cpu, l->holder);
	cycle_t t = sim_now(s);
	if (l->held_until > t) {
		cycle_t spin = l->held_until - t;
		sim_charge(s, spin);
		l->contended++;
		l->spin_cycles += spin;
	}
	write_lock_word(s, l, cpu);
	l->holder = cpu;
	l->acquisitions++;
	l->acquired_at = sim_now(s);
}

void sim_lock_release(struct sim *s, struct sim_lock *l)
{
	int cpu = s->cur.cpu;
	if (l->holder == -1 || l->holder != cpu)
		mmsim_panic("lock %s released on cpu %d, held by cpu %d", l->name, cpu, l->holder);
	write_lock_word(s, l, cpu);
	l->held_until = sim_now(s);
	l->hold_cycles += l->held_until - l->acquired_at;
	l->holder = -1;
}
