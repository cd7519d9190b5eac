/*
 * The simulation: the run loop, the current context, CPUs as serial
 * resources, tasks, wait queues and timed locks. Everything a run needs lives
 * in one struct sim passed to every call, as Lua passes lua_State; there is no
 * process-wide state, so simulations in one process are independent.
 *
 * Time. s->now is the cycle of the event being processed. An operation runs
 * to completion in host terms, but it costs simulated time: it charges cycles
 * (sim_charge) as it goes, and sim_now() = cur.start + cur.charged is "now,
 * as far as this operation has got". Whatever it schedules or stamps is
 * relative to sim_now(). Nothing may be scheduled before s->now.
 *
 * CPUs. A CPU does one thing at a time. cpu.clock is the cycle until which it
 * is busy; a task whose step comes due while its CPU is still busy is deferred
 * to cpu.clock (at SIM_PRIO_RUNQ, so tasks that were kept waiting go before
 * tasks that only became ready then: the CPU round-robins between its ready
 * tasks one step at a time). When a step runs at `start` and charges c cycles,
 * the CPU is busy until start + c and the task's next step (on CONTINUE) is
 * due then.
 *
 * Plain events (not tasks) are not deferred: they stand for hardware and
 * interrupts, which happen at their cycle whatever the CPU is doing. If one
 * carries a cpu and charges cycles, it steals them from that CPU: cpu.clock
 * becomes max(clock, start) + charged and cpu.busy grows by charged, so the
 * work the CPU was doing finishes that much later. With cpu -1, charging only
 * moves sim_now() inside the event (a device's own latency).
 *
 * Approximation to know about: operations are atomic in host terms, in the
 * order their events fire. A step that starts at cycle 0 and takes a lock at
 * cycle 1000 (after charging) has it before a step on another CPU that starts
 * at cycle 10 and wants it at cycle 10; the second one spins until the first
 * releases. Short steps keep this small.
 */
#ifndef MMSIM_SIM_SIM_H
#define MMSIM_SIM_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/event.h"
#include "sim/rng.h"
#include "sim/types.h"

/* Why sim_run returned. */
enum sim_stop {
	SIM_STOP_NONE = 0,      /* sim_run has not returned yet */
	SIM_STOP_EMPTY,         /* no events left */
	SIM_STOP_MAX_CYCLES,    /* the next event is after max_cycles; still queued */
	SIM_STOP_MAX_EVENTS,    /* max_events events have been processed in total */
	SIM_STOP_REQUESTED,     /* sim_stop() was called */
	SIM_STOP_WATCHDOG,      /* watchdog_events events in a row at one cycle */
};

/* Run-wide counters, indexed so a stats registry can walk them by name. */
enum sim_counter {
	SIM_CNT_EVENTS,         /* events processed (task steps and deferrals included) */
	SIM_CNT_STEPS,          /* task steps run */
	SIM_CNT_DEFERRALS,      /* task steps pushed back because their CPU was busy */
	SIM_CNT_WAITS,          /* sim_task_wait and sim_task_wait_timeout calls */
	SIM_CNT_WAKEUPS,        /* tasks woken by sim_wake_up */
	SIM_CNT_TIMEOUTS,       /* waits that ended by their timeout */
	SIM_CNT_SLEEPS,         /* sim_task_sleep calls */
	SIM_NR_COUNTERS
};

struct sim_task;
struct sim_fiber;
struct fiber;

/* What is running now. Outside sim_run: cpu -1, no task, start = s->now. */
struct sim_ctx {
	int cpu;                /* the event's CPU, -1 for none */
	struct sim_task *task;  /* the task whose step this is, or NULL */
	cycle_t start;          /* cycle the event fired at */
	cycle_t charged;        /* cycles charged by this event so far */
};

struct sim_cpu {
	cycle_t clock;          /* busy until this cycle */
	cycle_t busy;           /* cycles charged on this CPU in total */
	uint64_t hz;            /* clock rate, for turning cycles into seconds; set
				 * by whoever builds the machine (default 1 GHz) */
	uint64_t steps;         /* task steps run here */
	uint64_t deferrals;     /* task steps deferred because it was busy */
	cycle_t stolen;         /* cycles other CPUs made it spend (memport
				 * take_stolen), included in busy */
};

struct sim {
	struct ev_queue queue;
	cycle_t now;            /* cycle of the event being (or last) processed */
	struct sim_ctx cur;
	int ncpus;
	struct sim_cpu *cpus;   /* [ncpus] */
	uint64_t count[SIM_NR_COUNTERS];

	/* Stop conditions, read at each event; set them freely between runs. */
	cycle_t max_cycles;     /* run events due at or before this (CYCLE_MAX: no limit) */
	uint64_t max_events;    /* stop once count[SIM_CNT_EVENTS] reaches this
				 * (a total, not per call: raise it to continue) */
	uint64_t watchdog_events; /* stop after this many events in a row at one
				   * cycle (0: never); the budget starts afresh at
				   * each sim_run */

	struct rng rng;         /* the run's only source of randomness */
	struct sim_memport mem; /* to the hardware model; NULL access costs nothing */
	enum sim_stop stop_reason; /* why the last sim_run returned */

	/* The run loop's own bookkeeping: read it, do not write it. */
	bool running;           /* inside sim_run */
	bool stop_requested;    /* sim_stop() since the last event */
	int next_task_id;
	cycle_t stall_cycle;    /* the watchdog's cycle ... */
	uint64_t stall_events;  /* ... and how many events ran at it in a row */

	/* Fibers for the steps of tasks that may block (sim_task_block). */
	struct fiber *loop_fiber;      /* the run loop's own stack (made with
					* the first fiber) */
	struct sim_fiber *fiber_idle;  /* fibers no step holds, to reuse */
	struct sim_fiber *fiber_all;   /* every fiber made, to free them */
	struct sim_fiber *fiber_cur;   /* the one running a step now, or NULL */
	size_t fiber_stack;            /* bytes of stack per fiber */
	unsigned nr_fibers;            /* fibers made */
	uint64_t blocks;               /* steps that blocked part-way */
};

#define SIM_DEFAULT_HZ UINT64_C(1000000000)
#define SIM_DEFAULT_WATCHDOG UINT64_C(10000000)

/*
 * A simulation with ncpus idle CPUs at cycle 0, no events, no limits, the
 * watchdog at SIM_DEFAULT_WATCHDOG and the RNG seeded with `seed`. Aborts on
 * host out-of-memory. The caller owns s and frees with sim_destroy.
 */
void sim_init(struct sim *s, int ncpus, uint64_t seed);

/* Frees what sim_init allocated. Events still queued are dropped (marked
 * unqueued); tasks and their owners belong to their creators. */
void sim_destroy(struct sim *s);

/* Queue ev at `when` (>= s->now; aborts otherwise, and if ev is queued). */
void sim_schedule(struct sim *s, struct sim_event *ev, cycle_t when);

/* Queue ev `delta` cycles after sim_now(s). */
void sim_schedule_in(struct sim *s, struct sim_event *ev, cycle_t delta);

/* Move ev to `when` whether or not it is queued (it goes after events already
 * queued at the same cycle and priority). */
void sim_reschedule(struct sim *s, struct sim_event *ev, cycle_t when);

/* Unqueue ev if queued. Not for a task's own event (use the task calls). */
void sim_cancel(struct sim *s, struct sim_event *ev);

/*
 * Process events in order until one of the stop conditions; returns it (also
 * left in s->stop_reason). Can be called again to continue. Not reentrant:
 * an event must not call it.
 */
enum sim_stop sim_run(struct sim *s);

/* Ask sim_run to return SIM_STOP_REQUESTED after the current event. Called
 * between runs, it makes the next sim_run return at once, before any event. */
void sim_stop(struct sim *s);

const char *sim_stop_name(enum sim_stop why);
const char *sim_counter_name(enum sim_counter c);

/* The cycle the current operation has reached. */
static inline cycle_t sim_now(const struct sim *s)
{
	return s->cur.start + s->cur.charged;
}

/*
 * Charge c cycles to the current operation: sim_now() advances, and when the
 * event ends its CPU is busy for them (see the essay above). Outside sim_run
 * there is no CPU to bill: charges then only move sim_now(), and the next
 * sim_run starts from s->now regardless.
 */
static inline void sim_charge(struct sim *s, cycle_t c)
{
	s->cur.charged += c;
}

static inline int sim_cur_cpu(const struct sim *s)
{
	return s->cur.cpu;
}

static inline struct sim_task *sim_cur_task(const struct sim *s)
{
	return s->cur.task;
}

/* ---- Tasks ------------------------------------------------------------- */

/* What a task's step asks for next. */
enum sim_step {
	SIM_STEP_CONTINUE,      /* run my next step once my charged cycles are done */
	SIM_STEP_WAIT,          /* I called sim_task_wait[_timeout] or sim_task_sleep */
	SIM_STEP_EXIT,          /* I am done */
};

typedef enum sim_step (*sim_task_fn)(struct sim *s, struct sim_task *t);

enum sim_task_state {
	SIM_TASK_NEW,           /* initialised, not started */
	SIM_TASK_RUNNABLE,      /* its event is queued for its next step */
	SIM_TASK_RUNNING,       /* its step is executing */
	SIM_TASK_WAITING,       /* on a wait queue; its event is queued only if a
				 * timeout is armed */
	SIM_TASK_SLEEPING,      /* its event is queued for the end of the sleep */
	SIM_TASK_EXITED,        /* its step returned SIM_STEP_EXIT */
};

/* Intrusive doubly linked list (circular, with a head node). */
struct sim_list {
	struct sim_list *prev, *next;
};

struct sim_waitq;

struct sim_task {
	struct sim_event ev;    /* its next step, sleep end or timeout */
	sim_task_fn step;
	void *owner;            /* for the step function: the Lua coroutine, kswapd... */
	/* Called once after the step returned SIM_STEP_EXIT; sim/ never touches
	 * the task after it, so it may free the task. NULL: nothing. */
	void (*on_exit)(struct sim *s, struct sim_task *t);
	char name[32];
	int id;                 /* from sim_init's counter: 0, 1, 2 ... in init order */
	int cpu;
	enum sim_task_state state;
	struct sim_list link;   /* in wq's list while WAITING */
	struct sim_waitq *wq;   /* the queue it waits on, or NULL */
	bool timed_out;         /* the last wait ended by its timeout */
	cycle_t runtime;        /* cycles charged by its steps */
	uint64_t steps;
	uint64_t deferrals;     /* steps pushed back because its CPU was busy */

	/* Whether its steps may block part-way (sim_task_block): they then
	 * run on a fiber (sim/fiber.h). Set before the task starts. */
	bool may_block;
	struct sim_fiber *fiber; /* the fiber holding its blocked step, or NULL */

	/* A wait or sleep asked for by the running step, armed when it returns
	 * (the step's charges come first). Private to sim.c. */
	bool wait_called;       /* this step called a wait or sleep */
	bool wait_timed;        /* ... with a timeout, or a sleep: arm the event */
	cycle_t wait_cycles;    /* ... for this many cycles after the step ends */
};

/*
 * Make t an inert task of s on `cpu` (0 <= cpu < s->ncpus); its id comes from
 * s's counter. The name is copied (truncated to 31 bytes). The task must not
 * move in memory until it has exited or s is destroyed.
 */
void sim_task_init(struct sim *s, struct sim_task *t, const char *name, int cpu,
		   sim_task_fn step, void *owner);

/* Its first step runs at `when` (>= s->now), or when its CPU is free. */
void sim_task_start(struct sim *s, struct sim_task *t, cycle_t when);

/*
 * Inside a task's step: end the step as if it returned SIM_STEP_CONTINUE and
 * begin the task's next step at once, without the round trip through the
 * queue, when the run loop would run that step next anyway: nothing queued
 * is due at or before the step's end, no stop condition (max_cycles,
 * max_events, the watchdog, sim_stop) would end the run first, and the step
 * has not called a wait. Every clock, counter and the watchdog move exactly
 * as they would have: the run is the same, event for event, only faster.
 * Returns true if the next step has begun (sim_now() unchanged, the new
 * step's charges start at 0), false if nothing changed and the step must
 * return to the loop.
 */
bool sim_task_continue_inline(struct sim *s);

/* ---- Waiting ----------------------------------------------------------- */

struct sim_waitq {
	const char *name;       /* not copied: a literal or something that outlives it */
	struct sim_list waiters; /* tasks, oldest first */
	uint32_t nr_waiting;
	uint64_t waits;         /* waits started on it */
	uint64_t wakeups;       /* tasks woken from it */
	uint64_t timeouts;      /* waits on it that timed out */
};

/* An empty queue. It links to itself: do not copy or move it afterwards. */
void sim_waitq_init(struct sim_waitq *wq, const char *name);

/*
 * Inside a task's step: wait on wq until woken; the step must then return
 * SIM_STEP_WAIT and is called again when woken. Sets t->timed_out = false.
 */
void sim_task_wait(struct sim *s, struct sim_waitq *wq);

/* As sim_task_wait, but give up `cycles` after the step ends: then the task
 * leaves wq and its step is called with t->timed_out = true. */
void sim_task_wait_timeout(struct sim *s, struct sim_waitq *wq, cycle_t cycles);

/* Inside a task's step: wait on nothing for `cycles` after the step ends; the
 * CPU is free meanwhile. The step must return SIM_STEP_WAIT. */
void sim_task_sleep(struct sim *s, cycle_t cycles);

/*
 * Wake up to nr of wq's waiters (nr <= 0: all), oldest first; each becomes
 * runnable at sim_now(s) (later if its CPU is busy then), in that order.
 * Returns how many were woken. Callable from any event.
 */
int sim_wake_up(struct sim *s, struct sim_waitq *wq, int nr);

/*
 * Blocking part-way through a step, as kernel code sleeps.
 *
 * A task marked may_block runs each step on a fiber, a host stack of its
 * own. Inside such a step, code any number of calls deep can wait in
 * simulated time and carry on where it stopped: sim_task_block waits on wq
 * (sim_task_block_timeout with a timeout, sim_task_block_sleep on nothing);
 * the part of the step done so far ends there exactly as a step returning
 * SIM_STEP_WAIT would (its charged cycles are billed, its CPU is free), and
 * when the task is woken (or times out) the call returns inside a new step
 * that starts at the wake-up cycle, on the same host stack, with nothing
 * charged yet. The caller then goes on and eventually returns from the step
 * function as usual. Runs stay deterministic: blocking changes only which
 * host stack holds the frames.
 *
 * sim_task_can_block says whether the running code may block: inside a
 * step of a may_block task, before any wait was called in this step. Code
 * that may be reached otherwise (from a plain event, from a test driving mm/
 * outside sim_run, from a task that is not may_block) must check it and take
 * its non-sleeping path, as kernel code checks whether it may sleep.
 *
 * sim_task_block and sim_task_block_timeout return true when woken, false
 * when the timeout ended the wait. Each aborts if the task cannot block.
 */
bool sim_task_can_block(const struct sim *s);
bool sim_task_block(struct sim *s, struct sim_waitq *wq);
bool sim_task_block_timeout(struct sim *s, struct sim_waitq *wq, cycle_t cycles);
void sim_task_block_sleep(struct sim *s, cycle_t cycles);

/* ---- Timed locks ------------------------------------------------------- */

/*
 * A spinlock whose contention costs simulated time. Because operations are
 * atomic in host terms, a lock is always free when someone comes to take it;
 * what remains of "held" is held_until, the cycle its last holder let go.
 * A CPU that takes it earlier than that spins (is charged) until then.
 */
struct sim_lock {
	const char *name;       /* not copied */
	uint64_t paddr;         /* the lock word's simulated physical address */
	cycle_t held_until;     /* the last release's cycle */
	int holder;             /* CPU holding it in host terms, -1 when free */
	uint64_t acquisitions;
	uint64_t contended;     /* acquisitions that had to spin */
	cycle_t spin_cycles;    /* cycles spent spinning, in total */
	cycle_t acquired_at;    /* cycle the current holder got it */
	cycle_t hold_cycles;    /* cycles it was held, in total */
};

void sim_lock_init(struct sim_lock *l, const char *name, uint64_t paddr);

/*
 * Take l on the current CPU at sim_now(s): spin (charge) until held_until if
 * that is later, then write the lock word through s->mem (charging what the
 * port says). Aborts if l is held in host terms (held across a wait, or never
 * released) or if there is no current CPU.
 */
void sim_lock_acquire(struct sim *s, struct sim_lock *l);

/* Write the lock word through s->mem, then free l as of sim_now(s). Aborts
 * unless the current CPU holds it. */
void sim_lock_release(struct sim *s, struct sim_lock *l);

#endif
