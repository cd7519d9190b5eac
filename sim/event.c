/*
 * The event queue as a 4-ary min-heap of slots.
 *
 * heap[0 .. count) is an implicit tree: the children of slot i are slots
 * 4i+1 .. 4i+4, its parent is (i-1)/4. Invariants, checked by
 * ev_queue_check():
 *   - no slot is ordered before its parent, so heap[0] is the earliest;
 *   - heap[i].ev->heap_index == i for every queued event, and an event that
 *     is not queued has heap_index == EV_NOT_QUEUED;
 *   - a slot's when and key agree with its event's when, prio and seq.
 * The back-pointer is what makes cancelling or moving an event from the
 * middle O(log n) instead of a linear search.
 *
 * Why 4-ary: a simulation pops as often as it pushes, and a pop walks from
 * the root to a leaf. Four children per node halve the depth of a binary
 * heap; the four candidates sit in 96 contiguous bytes, so the extra
 * comparisons are on data already in cache and cost less than the levels
 * they save (bench/bench_event.c measured both). Pushes in a simulation are
 * mostly later than nearly everything queued, so they rarely climb far.
 *
 * Why the key in the slot: comparing two slots reads (when, key) side by
 * side in the array; dereferencing events scattered through their owners
 * would turn every comparison into a potential cache miss. prio and seq are
 * folded into one 64-bit key (prio in the top 16 bits) so a tie on the cycle
 * costs one more comparison, not two.
 *
 * Why no branches in the comparisons: which of four children is earliest is
 * unpredictable, so sift_down picks it with a branch-free tournament
 * (before() and first_of() below). With ordinary if-chains the same code ran
 * pop+push at 15 M pairs/s instead of 25-32 M/s (gcc/clang, 1,000 pending).
 *
 * Memory: the array doubles when full and never shrinks, so in steady state
 * (as many pushes as pops) there is no host allocation at all.
 */
#include <stdlib.h>

#include "sim/event.h"

#define ARITY 4
#define INITIAL_CAP 64

/* sift_down's tournament is written out for four children. */
_Static_assert(ARITY == 4, "sift_down assumes a 4-ary heap");

static inline uint64_t make_key(uint16_t prio, uint64_t seq)
{
	return (uint64_t)prio << EV_SEQ_BITS | seq;
}

/*
 * Whether slot a goes before slot b. Free of branches on purpose: which of
 * two children is earlier is a coin flip that a branch predictor gets wrong
 * half the time, and with the short-circuit form (when < || when == && key <)
 * those mispredictions made pop+push ~1.7x slower (bench/bench_event.c).
 * The result feeds arithmetic in first_of(), not an if, so the compiler
 * cannot turn it back into a branch.
 */
static inline int before(const struct ev_slot *a, const struct ev_slot *b)
{
#ifdef __SIZEOF_INT128__
	/* One 128-bit comparison: cmp and sbb. */
	unsigned __int128 x = (unsigned __int128)a->when << 64 | a->key;
	unsigned __int128 y = (unsigned __int128)b->when << 64 | b->key;
	return x < y;
#else
	return (a->when < b->when) | ((a->when == b->when) & (a->key < b->key));
#endif
}

/* Whichever of slots i and j goes first, computed with arithmetic rather
 * than a conditional so that it stays free of branches. */
static inline uint32_t first_of(const struct ev_slot *h, uint32_t i, uint32_t j)
{
	uint32_t m = -(uint32_t)before(&h[j], &h[i]);
	return i ^ ((i ^ j) & m);
}

static inline void place(struct ev_slot *h, uint32_t i, struct ev_slot x)
{
	h[i] = x;
	x.ev->heap_index = i;
}

/* Put x into the hole at i, moving ancestors that go after it down. */
static void sift_up(struct ev_slot *h, uint32_t i, struct ev_slot x)
{
	while (i > 0) {
		uint32_t p = (i - 1) / ARITY;
		if (!before(&x, &h[p]))
			break;
		place(h, i, h[p]);
		i = p;
	}
	place(h, i, x);
}

/* Put x into the hole at i of a heap of n slots, moving earlier children up. */
static void sift_down(struct ev_slot *h, uint32_t n, uint32_t i, struct ev_slot x)
{
	for (;;) {
		uint32_t c = ARITY * i + 1;
		if (c >= n)
			break;
		uint32_t best;
		if (n - c >= ARITY) {
			/* All four children: a tournament of three
			 * branch-free comparisons. */
			best = first_of(h, first_of(h, c, c + 1), first_of(h, c + 2, c + 3));
		} else {
			best = c;
			for (uint32_t j = c + 1; j < n; j++)
				best = first_of(h, best, j);
		}
		if (!before(&h[best], &x))
			break;
		place(h, i, h[best]);
		i = best;
	}
	place(h, i, x);
}

/* Fill the hole at i with x, in whichever direction x has to travel. */
static void sift(struct ev_slot *h, uint32_t n, uint32_t i, struct ev_slot x)
{
	if (i > 0 && before(&x, &h[(i - 1) / ARITY]))
		sift_up(h, i, x);
	else
		sift_down(h, n, i, x);
}

static struct ev_slot make_slot(struct ev_queue *q, struct sim_event *ev, cycle_t when)
{
	/* 2^48 pushes is months of host time at full speed; a wrap would
	 * silently reorder ties, so refuse instead. */
	MMSIM_ASSERT(q->next_seq < (UINT64_C(1) << EV_SEQ_BITS));
	ev->when = when;
	ev->seq = q->next_seq++;
	return (struct ev_slot){ when, make_key(ev->prio, ev->seq), ev };
}

void sim_event_init(struct sim_event *ev, sim_event_fn fn, uint16_t prio, int cpu)
{
	MMSIM_ASSERT(cpu >= -1 && cpu <= INT16_MAX);
	ev->when = 0;
	ev->seq = 0;
	ev->fn = fn;
	ev->heap_index = EV_NOT_QUEUED;
	ev->prio = prio;
	ev->cpu = (int16_t)cpu;
}

void ev_queue_init(struct ev_queue *q)
{
	q->heap = NULL;
	q->count = 0;
	q->cap = 0;
	q->next_seq = 0;
}

void ev_queue_free(struct ev_queue *q)
{
	for (uint32_t i = 0; i < q->count; i++)
		q->heap[i].ev->heap_index = EV_NOT_QUEUED;
	free(q->heap);
	ev_queue_init(q);
}

static void grow(struct ev_queue *q)
{
	/* heap_index must be able to name every slot and still have
	 * EV_NOT_QUEUED free, and sift_down's first child index, ARITY * i + 1,
	 * must not wrap in 32 bits for any slot i of the doubled array. */
	MMSIM_ASSERT(q->cap <= UINT32_MAX / (2 * ARITY));
	uint32_t cap = q->cap ? 2 * q->cap : INITIAL_CAP;
	q->heap = mmsim_xrealloc(q->heap, (size_t)cap * sizeof q->heap[0]);
	q->cap = cap;
}

void ev_push(struct ev_queue *q, struct sim_event *ev, cycle_t when)
{
	if (ev->heap_index != EV_NOT_QUEUED)
		mmsim_panic("event %p pushed while already queued (at cycle %llu)",
			    (void *)ev, (unsigned long long)ev->when);
	if (q->count == q->cap)
		grow(q);
	sift_up(q->heap, q->count++, make_slot(q, ev, when));
}

void ev_reschedule(struct ev_queue *q, struct sim_event *ev, cycle_t when)
{
	if (ev->heap_index == EV_NOT_QUEUED) {
		ev_push(q, ev, when);
		return;
	}
	sift(q->heap, q->count, ev->heap_index, make_slot(q, ev, when));
}

void ev_cancel(struct ev_queue *q, struct sim_event *ev)
{
	uint32_t i = ev->heap_index;
	if (i == EV_NOT_QUEUED)
		return;
	MMSIM_ASSERT(i < q->count && q->heap[i].ev == ev);
	ev->heap_index = EV_NOT_QUEUED;
	uint32_t last = --q->count;
	if (i != last)
		sift(q->heap, last, i, q->heap[last]);
}

struct sim_event *ev_pop(struct ev_queue *q)
{
	if (q->count == 0)
		return NULL;
	struct sim_event *ev = q->heap[0].ev;
	ev->heap_index = EV_NOT_QUEUED;
	uint32_t last = --q->count;
	if (last > 0)
		sift_down(q->heap, last, 0, q->heap[last]);
	return ev;
}

bool ev_queue_check(const struct ev_queue *q)
{
	if (q->count > q->cap)
		return false;
	for (uint32_t i = 0; i < q->count; i++) {
		const struct ev_slot *sl = &q->heap[i];
		const struct sim_event *ev = sl->ev;
		if (ev == NULL || ev->heap_index != i)
			return false;
		if (sl->when != ev->when || sl->key != make_key(ev->prio, ev->seq))
			return false;
		if (ev->seq >= q->next_seq)
			return false;
		if (i > 0 && before(sl, &q->heap[(i - 1) / ARITY]))
			return false;
	}
	return true;
}
