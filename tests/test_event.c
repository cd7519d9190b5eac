/*
 * Tests of sim/event: the order of the queue (cycle, then priority, then
 * push order), cancelling and rescheduling from every position, the
 * double-push abort, steady-state memory, and a long random run of
 * interleaved pushes, pops, cancels and reschedules checked step by step
 * against an independent reference (a plain binary heap with lazy deletion).
 */
#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "sim/event.h"
#include "sim/rng.h"

extern Suite *event_suite(void);

/* Check records a checkpoint through a pipe at every passing assertion; in
 * loops of a million steps that is most of the time, so hot loops test first
 * and call the Check assertion (which prints both values) only on failure. */
#define FAST_TRUE(c) do { if (!(c)) ck_assert(c); } while (0)
#define FAST_INT_EQ(a, b) do { if ((a) != (b)) ck_assert_int_eq(a, b); } while (0)
#define FAST_UINT_EQ(a, b) do { if ((a) != (b)) ck_assert_uint_eq(a, b); } while (0)
#define FAST_PTR_EQ(a, b) do { if ((a) != (b)) ck_assert_ptr_eq(a, b); } while (0)

/* Under a sanitizer the random run is scaled down to stay well inside the
 * time budget; the plain build does the full million. */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_SANITIZER 1
#endif
#endif
#ifndef UNDER_SANITIZER
#define UNDER_SANITIZER 0
#endif

struct item {
	struct sim_event ev;
	int id;
};

static void nop(struct sim *s, struct sim_event *ev)
{
}

static struct item *item_of(struct sim_event *ev)
{
	return ev ? ev_container_of(ev, struct item, ev) : NULL;
}

static void items_init(struct item *it, int n, uint16_t prio)
{
	for (int i = 0; i < n; i++) {
		sim_event_init(&it[i].ev, nop, prio, -1);
		it[i].id = i;
	}
}

/* Pops everything, writing ids in pop order; returns how many. */
static int drain(struct ev_queue *q, int *ids, int max)
{
	int n = 0;
	struct sim_event *ev;
	while ((ev = ev_pop(q)) != NULL) {
		FAST_TRUE(!ev_queued(ev));
		ck_assert_int_lt(n, max);
		ids[n++] = item_of(ev)->id;
		FAST_TRUE(ev_queue_check(q));
	}
	return n;
}

START_TEST(test_init_state)
{
	struct item it;
	sim_event_init(&it.ev, nop, SIM_PRIO_HW, 3);
	ck_assert(!ev_queued(&it.ev));
	ck_assert_uint_eq(it.ev.heap_index, EV_NOT_QUEUED);
	ck_assert_int_eq(it.ev.cpu, 3);
	ck_assert_uint_eq(it.ev.prio, SIM_PRIO_HW);
	ck_assert(it.ev.fn == nop);
	ck_assert_uint_eq(sizeof(struct sim_event), 32);

	struct ev_queue q;
	ev_queue_init(&q);
	ck_assert_uint_eq(ev_count(&q), 0);
	ck_assert_ptr_null(ev_peek(&q));
	ck_assert_ptr_null(ev_pop(&q));
	ck_assert(ev_queue_check(&q));
	ev_queue_free(&q);
}
END_TEST

START_TEST(test_order_by_time)
{
	static const cycle_t when[10] = { 50, 10, 90, 30, 70, 0, 80, 20, 60, 40 };
	struct item it[10];
	struct ev_queue q;
	int ids[10];
	ev_queue_init(&q);
	items_init(it, 10, SIM_PRIO_DEFAULT);
	for (int i = 0; i < 10; i++)
		ev_push(&q, &it[i].ev, when[i]);
	ck_assert_uint_eq(ev_count(&q), 10);
	ck_assert(ev_queue_check(&q));
	ck_assert_ptr_eq(ev_peek(&q), &it[5].ev);
	ck_assert_uint_eq(ev_count(&q), 10);
	ck_assert_int_eq(drain(&q, ids, 10), 10);
	static const int expect[10] = { 5, 1, 7, 3, 9, 0, 8, 4, 6, 2 };
	for (int i = 0; i < 10; i++) {
		ck_assert_int_eq(ids[i], expect[i]);
		ck_assert_uint_eq(it[ids[i]].ev.when, (cycle_t)i * 10);
	}
	ev_queue_free(&q);
}
END_TEST

/* Same cycle: lower priority first; same priority too: push order, however
 * many there are (this is what makes a run reproducible). */
START_TEST(test_ties_prio_then_fifo)
{
	enum { N = 300 };
	static struct item it[N];
	static int ids[N + 1];
	static const uint16_t prios[4] = { SIM_PRIO_STATS, SIM_PRIO_TASK, SIM_PRIO_HW,
					   SIM_PRIO_WAKE };
	struct ev_queue q;
	ev_queue_init(&q);
	for (int i = 0; i < N; i++) {
		sim_event_init(&it[i].ev, nop, prios[i % 4], -1);
		it[i].id = i;
		ev_push(&q, &it[i].ev, 1000);
		ck_assert_uint_eq(it[i].ev.seq, (uint64_t)i);
	}
	/* One event a cycle earlier, pushed last, with the worst priority. */
	struct item early;
	sim_event_init(&early.ev, nop, UINT16_MAX, -1);
	early.id = -1;
	ev_push(&q, &early.ev, 999);
	ck_assert_int_eq(drain(&q, ids, N + 1), N + 1);
	ck_assert_int_eq(ids[0], -1);
	/* Then all HW (i % 4 == 2) in push order, WAKE (3), TASK (1), STATS (0). */
	static const int order[4] = { 2, 3, 1, 0 };
	int k = 1;
	for (int p = 0; p < 4; p++)
		for (int i = order[p]; i < N; i += 4)
			ck_assert_int_eq(ids[k++], i);
	ck_assert_int_eq(k, N + 1);
	ev_queue_free(&q);
}
END_TEST

START_TEST(test_cancel_positions)
{
	enum { N = 40 };
	struct item it[N];
	struct ev_queue q;
	int ids[N];
	ev_queue_init(&q);
	items_init(it, N, SIM_PRIO_DEFAULT);
	/* Times 0, 10, ... pushed in a scrambled order. */
	for (int i = 0; i < N; i++) {
		int j = (i * 17) % N;
		ev_push(&q, &it[j].ev, (cycle_t)j * 10);
	}
	ck_assert(ev_queue_check(&q));

	/* The head. */
	ck_assert_ptr_eq(ev_peek(&q), &it[0].ev);
	ev_cancel(&q, &it[0].ev);
	ck_assert(!ev_queued(&it[0].ev));
	ck_assert_ptr_eq(ev_peek(&q), &it[1].ev);
	ck_assert(ev_queue_check(&q));
	/* The event in the last heap slot. */
	struct sim_event *last = q.heap[q.count - 1].ev;
	int last_id = item_of(last)->id;
	ev_cancel(&q, last);
	ck_assert(!ev_queued(last));
	ck_assert(ev_queue_check(&q));
	/* Something from the middle of the heap, and the latest event. */
	struct sim_event *mid = q.heap[q.count / 2].ev;
	int mid_id = item_of(mid)->id;
	ev_cancel(&q, mid);
	ck_assert(ev_queue_check(&q));
	int latest = N - 1;
	if (latest == last_id || latest == mid_id)
		latest = N - 2;
	ev_cancel(&q, &it[latest].ev);
	ck_assert(ev_queue_check(&q));
	/* Cancelling again, or an event never queued, does nothing. */
	uint32_t count = ev_count(&q);
	ev_cancel(&q, &it[0].ev);
	ev_cancel(&q, mid);
	struct item stray;
	sim_event_init(&stray.ev, nop, 0, -1);
	ev_cancel(&q, &stray.ev);
	ck_assert_uint_eq(ev_count(&q), count);
	ck_assert_uint_eq(count, N - 4);
	ck_assert(ev_queue_check(&q));

	int n = drain(&q, ids, N);
	ck_assert_int_eq(n, N - 4);
	int prev = -1;
	for (int i = 0; i < n; i++) {
		ck_assert_int_gt(ids[i], prev);
		ck_assert(ids[i] != 0 && ids[i] != last_id && ids[i] != mid_id &&
			  ids[i] != latest);
		prev = ids[i];
	}
	/* A cancelled event can be pushed again. */
	ev_push(&q, &it[0].ev, 5);
	ck_assert_ptr_eq(ev_pop(&q), &it[0].ev);
	/* Cancelling the only event empties the queue. */
	ev_push(&q, &it[1].ev, 5);
	ev_cancel(&q, &it[1].ev);
	ck_assert_uint_eq(ev_count(&q), 0);
	ck_assert_ptr_null(ev_pop(&q));
	ev_queue_free(&q);
}
END_TEST

START_TEST(test_reschedule)
{
	enum { N = 30 };
	struct item it[N];
	struct ev_queue q;
	int ids[N];
	ev_queue_init(&q);
	items_init(it, N, SIM_PRIO_DEFAULT);
	for (int i = 0; i < N; i++)
		ev_push(&q, &it[i].ev, 100 + (cycle_t)i * 10);   /* 100 .. 390 */

	ev_reschedule(&q, &it[20].ev, 5);       /* earlier than everything */
	ck_assert(ev_queue_check(&q));
	ck_assert_ptr_eq(ev_peek(&q), &it[20].ev);
	ck_assert_uint_eq(it[20].ev.when, 5);
	ev_reschedule(&q, &it[0].ev, 1000);     /* the head, to after everything */
	ck_assert(ev_queue_check(&q));
	ck_assert_ptr_eq(ev_peek(&q), &it[20].ev);
	ev_reschedule(&q, &it[5].ev, 200);      /* to a tie with it[10]: goes after it */
	ck_assert(ev_queue_check(&q));
	ev_reschedule(&q, &it[25].ev, 250);     /* earlier, to a tie with it[15] */
	ck_assert_uint_eq(ev_count(&q), N);
	/* Not queued: reschedule pushes it. */
	struct sim_event *p = ev_pop(&q);
	ck_assert_ptr_eq(p, &it[20].ev);
	ev_reschedule(&q, p, 395);
	ck_assert(ev_queued(p));
	ck_assert_uint_eq(ev_count(&q), N);
	ck_assert(ev_queue_check(&q));

	ck_assert_int_eq(drain(&q, ids, N), N);
	static const int expect[N] = { 1, 2, 3, 4, 6, 7, 8, 9, 10, 5, 11, 12, 13, 14,
				       15, 25, 16, 17, 18, 19, 21, 22, 23, 24, 26,
				       27, 28, 29, 20, 0 };
	for (int i = 0; i < N; i++)
		ck_assert_int_eq(ids[i], expect[i]);
	ev_queue_free(&q);
}
END_TEST

/* Rescheduling to the very same cycle gives a fresh sequence number: the
 * event goes behind everything already queued at that cycle and priority. */
START_TEST(test_reschedule_same_time_goes_last)
{
	struct item it[5];
	struct ev_queue q;
	int ids[5];
	ev_queue_init(&q);
	items_init(it, 5, SIM_PRIO_WAKE);
	for (int i = 0; i < 5; i++)
		ev_push(&q, &it[i].ev, 77);
	uint64_t old = it[1].ev.seq;
	ev_reschedule(&q, &it[1].ev, 77);
	ck_assert_uint_gt(it[1].ev.seq, old);
	ck_assert_int_eq(drain(&q, ids, 5), 5);
	static const int expect[5] = { 0, 2, 3, 4, 1 };
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(ids[i], expect[i]);
	ev_queue_free(&q);
}
END_TEST

START_TEST(test_double_push_aborts)
{
	struct item it;
	struct ev_queue q;
	ev_queue_init(&q);
	items_init(&it, 1, 0);
	ev_push(&q, &it.ev, 10);
	ev_push(&q, &it.ev, 20);
}
END_TEST

/* ev_queue_check catches a broken heap order and a stale back-pointer. */
START_TEST(test_check_detects_corruption)
{
	enum { N = 20 };
	struct item it[N];
	struct ev_queue q;
	ev_queue_init(&q);
	items_init(it, N, 0);
	for (int i = 0; i < N; i++)
		ev_push(&q, &it[i].ev, (cycle_t)i);
	ck_assert(ev_queue_check(&q));
	struct ev_slot tmp = q.heap[0];
	q.heap[0] = q.heap[N - 1];
	q.heap[N - 1] = tmp;
	ck_assert(!ev_queue_check(&q));         /* back-pointers wrong */
	q.heap[0].ev->heap_index = 0;
	q.heap[N - 1].ev->heap_index = N - 1;
	ck_assert(!ev_queue_check(&q));         /* order wrong */
	q.heap[N - 1] = q.heap[0];
	q.heap[0] = tmp;
	q.heap[0].ev->heap_index = 0;
	q.heap[N - 1].ev->heap_index = N - 1;
	ck_assert(ev_queue_check(&q));
	q.heap[3].when++;                       /* slot and event disagree */
	ck_assert(!ev_queue_check(&q));
	q.heap[3].when--;
	ck_assert(ev_queue_check(&q));
	ev_queue_free(&q);
	/* Freeing leaves the events unqueued. */
	for (int i = 0; i < N; i++)
		ck_assert(!ev_queued(&it[i].ev));
}
END_TEST

/* Steady state: once the queue has held its peak, pushes and pops never
 * touch the host allocator (the array neither grows nor moves). */
START_TEST(test_no_allocation_in_steady_state)
{
	enum { PENDING = 1000, PAIRS = 200000 };
	static struct item it[PENDING];
	struct ev_queue q;
	struct rng r;
	rng_seed(&r, 5);
	ev_queue_init(&q);
	items_init(it, PENDING, SIM_PRIO_DEFAULT);
	for (int i = 0; i < PENDING; i++)
		ev_push(&q, &it[i].ev, rng_below(&r, 1000));
	uint32_t cap = q.cap;
	const struct ev_slot *heap = q.heap;
	ck_assert_uint_ge(cap, PENDING);
	ck_assert_uint_lt(cap, 2 * PENDING);
	cycle_t now = 0;
	for (int i = 0; i < PAIRS; i++) {
		struct sim_event *ev = ev_pop(&q);
		ck_assert_uint_ge(ev->when, now);
		now = ev->when;
		ev_push(&q, ev, now + rng_below(&r, 1000));
		FAST_PTR_EQ(q.heap, heap);
	}
	FAST_UINT_EQ(q.cap, cap);
	FAST_UINT_EQ(ev_count(&q), PENDING);
	FAST_TRUE(ev_queue_check(&q));
	ev_queue_free(&q);
}
END_TEST

/* ---- The random run against a reference ---- */

/* Reference: a binary min-heap of (when, prio, seq, id) records with lazy
 * deletion; a record is live while its event is queued with that very seq. */
struct ref_rec {
	cycle_t when;
	uint64_t prio, seq;
	int id;
};

struct ref_heap {
	struct ref_rec *a;
	size_t n, cap;
};

static int ref_before(const struct ref_rec *x, const struct ref_rec *y)
{
	if (x->when != y->when)
		return x->when < y->when;
	if (x->prio != y->prio)
		return x->prio < y->prio;
	return x->seq < y->seq;
}

static void ref_push(struct ref_heap *h, struct ref_rec r)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 1024;
		h->a = realloc(h->a, h->cap * sizeof h->a[0]);
		ck_assert_ptr_nonnull(h->a);
	}
	size_t i = h->n++;
	while (i > 0 && ref_before(&r, &h->a[(i - 1) / 2])) {
		h->a[i] = h->a[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->a[i] = r;
}

static struct ref_rec ref_pop(struct ref_heap *h)
{
	struct ref_rec top = h->a[0], x = h->a[--h->n];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && ref_before(&h->a[c + 1], &h->a[c]))
			c++;
		if (!ref_before(&h->a[c], &x))
			break;
		h->a[i] = h->a[c];
		i = c;
	}
	if (h->n)
		h->a[i] = x;
	return top;
}

/* What the reference believes about each event. */
struct ref_state {
	bool queued;
	uint64_t seq;
};

static bool ref_live(const struct ref_state *st, const struct ref_rec *r)
{
	return st[r->id].queued && st[r->id].seq == r->seq;
}

/* The earliest live record, dropping dead ones on the way; false if none. */
static bool ref_pop_live(struct ref_heap *h, const struct ref_state *st, struct ref_rec *out)
{
	while (h->n) {
		*out = ref_pop(h);
		if (ref_live(st, out))
			return true;
	}
	return false;
}

static void ref_note_push(struct ref_heap *h, struct ref_state *st, const struct item *it)
{
	st[it->id].queued = true;
	st[it->id].seq = it->ev.seq;
	ref_push(h, (struct ref_rec){ it->ev.when, it->ev.prio, it->ev.seq, it->id });
}

START_TEST(test_random_against_reference)
{
	enum { NEV = 4096 };
	const long ops = UNDER_SANITIZER ? 200000 : 1000000;
	struct item *it = calloc(NEV, sizeof *it);
	struct ref_state *st = calloc(NEV, sizeof *st);
	ck_assert_ptr_nonnull(it);
	ck_assert_ptr_nonnull(st);
	struct ref_heap ref = { NULL, 0, 0 };
	struct ev_queue q;
	struct rng r;
	rng_seed(&r, 20241123);
	ev_queue_init(&q);
	for (int i = 0; i < NEV; i++) {
		sim_event_init(&it[i].ev, nop, (uint16_t)rng_below(&r, 4) * 10, -1);
		it[i].id = i;
	}
	cycle_t now = 0;
	long pops = 0, pushes = 0, cancels = 0, resched = 0, ties = 0;
	cycle_t last_when = CYCLE_MAX;
	for (long k = 0; k < ops; k++) {
		uint64_t dice = rng_below(&r, 100);
		struct item *x = &it[rng_below(&r, NEV)];
		/* Times: mostly a small spread after now (many equal), some
		 * exactly now, a few far away, a few before now (the queue
		 * itself does not care about the past). */
		uint64_t tdice = rng_below(&r, 16);
		cycle_t when = tdice < 10 ? now + rng_below(&r, 8)
			     : tdice < 13 ? now
			     : tdice < 15 ? now + rng_below(&r, 1u << 20)
			     : (now > 4 ? now - rng_below(&r, 4) : now);
		if (dice < 45) {                /* push (if not queued) */
			if (ev_queued(&x->ev))
				continue;
			x->ev.prio = (uint16_t)rng_below(&r, 4) * 10;
			ev_push(&q, &x->ev, when);
			ref_note_push(&ref, st, x);
			pushes++;
		} else if (dice < 85) {         /* pop */
			struct sim_event *ev = ev_pop(&q);
			struct ref_rec rec;
			bool any = ref_pop_live(&ref, st, &rec);
			FAST_INT_EQ(ev != NULL, any);
			if (!ev)
				continue;
			struct item *got = item_of(ev);
			FAST_INT_EQ(got->id, rec.id);
			FAST_UINT_EQ(ev->when, rec.when);
			FAST_UINT_EQ(ev->seq, rec.seq);
			FAST_TRUE(!ev_queued(ev));
			st[got->id].queued = false;
			ties += ev->when == last_when;
			last_when = ev->when;
			if (ev->when > now)
				now = ev->when;
			pops++;
		} else if (dice < 93) {         /* cancel (queued or not) */
			cancels += ev_queued(&x->ev);
			ev_cancel(&q, &x->ev);
			FAST_TRUE(!ev_queued(&x->ev));
			st[x->id].queued = false;
		} else {                        /* reschedule (queued or not) */
			x->ev.prio = (uint16_t)rng_below(&r, 4) * 10;
			ev_reschedule(&q, &x->ev, when);
			FAST_TRUE(ev_queued(&x->ev));
			ref_note_push(&ref, st, x);
			resched++;
		}
		if ((k & 4095) == 0)
			FAST_TRUE(ev_queue_check(&q));
	}
	FAST_TRUE(ev_queue_check(&q));
	/* Then drain both completely. */
	struct sim_event *ev;
	while ((ev = ev_pop(&q)) != NULL) {
		struct ref_rec rec;
		FAST_TRUE(ref_pop_live(&ref, st, &rec));
		FAST_INT_EQ(item_of(ev)->id, rec.id);
		FAST_UINT_EQ(ev->seq, rec.seq);
		st[rec.id].queued = false;
		pops++;
	}
	struct ref_rec rec;
	FAST_TRUE(!ref_pop_live(&ref, st, &rec));
	/* The run exercised what it meant to. */
	ck_assert_int_gt(pops, ops / 3);
	ck_assert_int_gt(pushes, ops / 4);
	ck_assert_int_gt(cancels, ops / 100);
	ck_assert_int_gt(resched, ops / 100);
	ck_assert_int_gt(ties, ops / 20);
	ev_queue_free(&q);
	free(ref.a);
	free(st);
	free(it);
}
END_TEST

static int cmp_rec(const void *a, const void *b)
{
	const struct ref_rec *x = a, *y = b;
	return ref_before(x, y) ? -1 : ref_before(y, x) ? 1 : 0;
}

/* Batches: push many (with ties), cancel some, pop all; the pop order must
 * be exactly the qsort order of the surviving (when, prio, seq) records. */
START_TEST(test_batches_against_qsort)
{
	enum { N = 20000 };
	struct item *it = calloc(N, sizeof *it);
	struct ref_rec *recs = calloc(N, sizeof *recs);
	ck_assert_ptr_nonnull(it);
	ck_assert_ptr_nonnull(recs);
	struct ev_queue q;
	struct rng r;
	rng_seed(&r, 77);
	ev_queue_init(&q);
	for (int batch = 0; batch < 5; batch++) {
		cycle_t spread = batch == 0 ? 1 : (cycle_t)100 << (batch * 4);
		for (int i = 0; i < N; i++) {
			sim_event_init(&it[i].ev, nop, (uint16_t)rng_below(&r, 3), -1);
			it[i].id = i;
			ev_push(&q, &it[i].ev, rng_below(&r, spread));
		}
		for (int i = 0; i < N / 10; i++)
			ev_cancel(&q, &it[rng_below(&r, N)].ev);
		FAST_TRUE(ev_queue_check(&q));
		size_t m = 0;
		for (int i = 0; i < N; i++)
			if (ev_queued(&it[i].ev))
				recs[m++] = (struct ref_rec){ it[i].ev.when, it[i].ev.prio,
							      it[i].ev.seq, i };
		FAST_UINT_EQ(m, ev_count(&q));
		qsort(recs, m, sizeof recs[0], cmp_rec);
		for (size_t i = 0; i < m; i++) {
			struct sim_event *ev = ev_pop(&q);
			ck_assert_ptr_nonnull(ev);
			FAST_INT_EQ(item_of(ev)->id, recs[i].id);
		}
		ck_assert_ptr_null(ev_pop(&q));
	}
	ev_queue_free(&q);
	free(recs);
	free(it);
}
END_TEST

Suite *event_suite(void)
{
	Suite *s = suite_create("event");
	TCase *tc = tcase_create("order");
	tcase_add_test(tc, test_init_state);
	tcase_add_test(tc, test_order_by_time);
	tcase_add_test(tc, test_ties_prio_then_fifo);
	tcase_add_test(tc, test_cancel_positions);
	tcase_add_test(tc, test_reschedule);
	tcase_add_test(tc, test_reschedule_same_time_goes_last);
	tcase_add_test_raise_signal(tc, test_double_push_aborts, SIGABRT);
	tcase_add_test(tc, test_check_detects_corruption);
	suite_add_tcase(s, tc);
	tc = tcase_create("random");
	tcase_add_test(tc, test_no_allocation_in_steady_state);
	tcase_add_test(tc, test_random_against_reference);
	tcase_add_test(tc, test_batches_against_qsort);
	suite_add_tcase(s, tc);
	return s;
}
