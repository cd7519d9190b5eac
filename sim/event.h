/*
 * The event queue: every future happening of a simulation is a struct
 * sim_event waiting in one priority queue, and the run loop (sim.c) takes
 * them out earliest first.
 *
 * An event is embedded in the object it belongs to (a task, a device, a
 * timer), so scheduling never allocates; the callback gets the event back
 * and recovers its owner with ev_container_of(). The queue only holds
 * pointers, so the owner must stay put in memory while its event is queued.
 *
 * Order is total: by cycle, then by priority (lower first), then by a
 * sequence number the queue hands out at every push. Two events with the same
 * cycle and priority therefore fire in the order they were scheduled (libuv's
 * start_id), which is what makes a run reproducible from its seed: nothing
 * depends on where an event happens to sit in the heap.
 *
 * Re-pushing an event that is still queued is always a bug (it would fire
 * twice, or the first time silently vanish), so ev_push aborts on it; to move
 * a queued event use ev_reschedule, to drop it ev_cancel.
 */
#ifndef MMSIM_SIM_EVENT_H
#define MMSIM_SIM_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/types.h"

struct sim;
struct sim_event;

/*
 * Called when the event fires. The event has already left the queue, so the
 * callback may push it again, or free its owner: the run loop does not touch
 * the event after the call returns.
 */
typedef void (*sim_event_fn)(struct sim *s, struct sim_event *ev);

/*
 * What goes first among events due at the same cycle. The gaps leave room
 * for later layers; only the order matters, and it is part of the
 * determinism contract, so changing it changes traces.
 */
enum sim_prio {
	SIM_PRIO_HW = 0,        /* device and DMA completions: the hardware moved first */
	SIM_PRIO_WAKE = 10,     /* timers and wake-ups, so the woken can run this cycle */
	SIM_PRIO_RUNQ = 20,     /* a task that waited for its busy CPU (sim.c): it was
				 * ready before this cycle, so it runs before tasks
				 * that only became ready at it */
	SIM_PRIO_TASK = 30,     /* a task's next step */
	SIM_PRIO_DEFAULT = 40,  /* plain events that did not say */
	SIM_PRIO_STATS = 1000,  /* snapshots: last, so they see all of the cycle */
};

/* heap_index of an event that is not in any queue. */
#define EV_NOT_QUEUED UINT32_MAX

/* 32 bytes: a task or device carries one without noticing. */
struct sim_event {
	cycle_t when;           /* when it fires (valid while queued and in fn) */
	uint64_t seq;           /* tie-break, set by the queue at each push */
	sim_event_fn fn;
	uint32_t heap_index;    /* slot in the heap, or EV_NOT_QUEUED */
	uint16_t prio;          /* enum sim_prio, or any value between */
	int16_t cpu;            /* CPU the event runs on, -1 for none */
};

/* The owner of an embedded event (or of any embedded member). */
#define ev_container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/*
 * One heap slot. The ordering key lives here, beside the pointer, so sifting
 * compares adjacent memory and never chases an event pointer (only moves
 * write back through it, to keep heap_index true).
 */
struct ev_slot {
	cycle_t when;
	uint64_t key;           /* prio << EV_SEQ_BITS | seq */
	struct sim_event *ev;
};

#define EV_SEQ_BITS 48

struct ev_queue {
	struct ev_slot *heap;   /* 4-ary min-heap, heap[0] the earliest */
	uint32_t count;
	uint32_t cap;
	uint64_t next_seq;      /* the seq the next push will get */
};

/* An inert event: not queued, fires fn. */
void sim_event_init(struct sim_event *ev, sim_event_fn fn, uint16_t prio, int cpu);

/* An empty queue. Host allocation happens at the first push. */
void ev_queue_init(struct ev_queue *q);

/* Frees the heap. Events still queued are left marked unqueued, so their
 * owners may be freed or reused. */
void ev_queue_free(struct ev_queue *q);

/* Queue ev to fire at `when`. Aborts if ev is already queued. */
void ev_push(struct ev_queue *q, struct sim_event *ev, cycle_t when);

/* Queue ev at `when` whether or not it is queued now; it gets a fresh seq,
 * as if cancelled and pushed, but moves in place in O(log n). */
void ev_reschedule(struct ev_queue *q, struct sim_event *ev, cycle_t when);

/* Remove ev from the queue; does nothing if it is not queued. */
void ev_cancel(struct ev_queue *q, struct sim_event *ev);

/* The earliest event, removed from the queue; NULL if the queue is empty. */
struct sim_event *ev_pop(struct ev_queue *q);

/*
 * Consistency walk (heap order, back-pointers, no seq from the future): for
 * tests and debug builds, O(n). Returns false on the first broken invariant.
 */
bool ev_queue_check(const struct ev_queue *q);

/* The earliest event, left in the queue; NULL if the queue is empty. */
static inline struct sim_event *ev_peek(const struct ev_queue *q)
{
	return q->count ? q->heap[0].ev : NULL;
}

static inline bool ev_queued(const struct sim_event *ev)
{
	return ev->heap_index != EV_NOT_QUEUED;
}

static inline uint32_t ev_count(const struct ev_queue *q)
{
	return q->count;
}

#endif
