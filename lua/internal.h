/*
 * What the files of lua/ share, and nothing else: the structures of a run
 * (struct run, struct machine, struct ltask), the ownership table, and the
 * few helpers every task method calls, kept `static inline` here because
 * they are on the path of every call a scenario makes (check_task,
 * running_task, op_done, task_gfp, the ownership table). Not a public
 * header: the runner's API is lua/scenario.h.
 *
 * Objects. A scenario has one machine (struct machine: the description, the
 * hardware model, the simulation, later the memory manager); Lua sees it as
 * a "mmsim.machine" userdata, the booted kernel as "mmsim.kernel" and each
 * task as "mmsim.task". The C structures belong to the run, not to Lua's
 * garbage collector: they live until scenario_run returns, so a userdata
 * kept by the script can never dangle.
 *
 * Files, one per library object, each registering its own methods on its
 * class (lmm_add_methods) when luaopen_mmsim (lmmsim.c) opens the module:
 *   lmmsim.c       the module table, class registration, GFP parsing
 *   lmachine.c     "mmsim.machine": building, booting, the machine's queries
 *   lkernel.c      "mmsim.kernel": the booted kernel's views and knobs
 *   ltask.c        "mmsim.task": spawn, the step, time, touching memory
 *   ltask_pages.c  the task's page allocations, frees, bulk helpers, churn
 *   ltask_kmap.c   the task's HighMem mappings (kmap, kmap_atomic)
 *   ltask_user.c   the task's user address space (mmap, utouch, gup)
 *   lslab.c        "mmsim.kmem_cache", kmalloc and vmalloc
 *   ldevice.c      DMA devices and transfers, "mmsim.waitqueue"
 *   lrun.c         the runner: scenario_run, m:run, the trace's lines
 *
 * Ownership. Blocks handed to tasks are recorded (pfn -> order) so that a
 * touch of memory the scenario never allocated, or a free with the wrong
 * order, is caught with a clear message before the allocator sees it.
 */
#ifndef MMSIM_LUA_INTERNAL_H
#define MMSIM_LUA_INTERNAL_H

#include <lauxlib.h>
#include <lua.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lua/scenario.h"
#include "mm/gfp.h"
#include "mm/highmem.h"
#include "mm/mm.h"
#include "sim/sim.h"
#include "sim/stats.h"
#include "sim/trace.h"

struct hw_import;
struct mm_dma_req;
struct run;
struct ltask;


/* Allocated blocks: pfn -> order, open addressing with linear probing.
 * Keys are pfn + 1 so that 0 means empty; deleted slots are re-filled by a
 * backward shift, so there are no tombstones and lookups stay short. */
struct owners {
	uint64_t *key;
	uint8_t *order;
	size_t cap, n;
};

struct op_hists {
	struct stats_hist alloc, free, touch;
};

/* The scenario's one machine, behind both "mmsim.machine" and "mmsim.kernel"
 * (built by lmm_machine_new in lmachine.c, freed by lmm_machine_free). */
struct machine {
	struct run *run;
	struct hw_machine_desc desc;
	struct hw *hw;
	struct sim sim;
	struct mm *mm;
	struct mm_policy policy;
	struct stats_registry *stats;
	struct ltask **tasks;
	int ntasks, cap;
	struct owners owners;
	struct op_hists hist;
	char gfp_text[64];      /* the last GFP string parsed, and its value: */
	gfp_t gfp_value;        /* scripts pass the same one again and again */
	uint64_t ops_alloc, ops_alloc_failed, ops_free, ops_touch, ops_think;
	struct sim_event snap_ev;
	bool booted;
	bool ran;               /* m:run was called (no implicit run at the end) */
	struct sim_waitq **waitqs;  /* made by m:waitqueue, freed with the machine */
	int nwaitqs;
	enum sim_stop last_stop;
	/* mmsim.machine{from = DIR}: the captured sysctl values, applied at
	 * boot before the scenario's knobs ("" when missing). */
	char import_knobs[3][64];
	bool import_thp_off;
	/* mmsim.machine{from = DIR, capture = ...}: the import, kept for boot
	 * to rebuild its state at capture (mm_apply_capture); NULL without. */
	struct hw_import *capture_imp;
	unsigned capture_what;
};

/* A task: a coroutine and the sim_task whose step resumes it (ltask.c). */
struct ltask {
	struct sim_task task;
	struct machine *m;
	lua_State *co;
	int co_ref;             /* registry reference keeping the coroutine alive */
	int nargs;              /* values for the next resume */
	bool wait;              /* the operation asked to wait or sleep */
	bool done;
	struct lkmaps *kmaps;   /* HighMem mappings it holds (NULL: none yet) */
	struct mm_struct *umm;  /* its user address space (NULL: none yet) */
	struct lkmaps *pins;    /* user pages it pinned (t:get_user_pages) */
	struct mm_dma_req *dreq; /* its DMA request (t:dma), made at its first use */
};

/* One scenario_run (lrun.c), reached from any Lua thread by get_run. */
struct run {
	const struct scenario_opts *o;
	lua_State *L;
	struct trace *trace;
	struct machine *m;
	bool header_written;
	char *failure;          /* message and traceback of the error that ended it */
	bool failed;
	uint64_t instructions;
	int ev_task_start, ev_task_exit;
	double t0;              /* host time the run started (progress only) */
	const void *task_mt;    /* the "mmsim.task" metatable, for check_task */
	double last_progress;
	lua_Alloc lalloc;       /* the state's own allocator, under fault_lalloc */
	void *lalloc_ud;
	size_t lua_nomem;       /* the size of the last Lua allocation that failed */
};

/*
 * What a task holds: the frames it kmapped (with how many times) and, per
 * km_type, the frame in its CPU's window. t:touch of a HighMem frame goes
 * through one of these mappings, so it needs the task itself to hold one.
 * The pages a task pinned with t:get_user_pages are kept in the same shape
 * (ltask_user.c).
 */
struct lkmaps {
	uint64_t *pfn;
	int *count;
	int n, cap;
	int64_t window[KM_TYPE_NR];     /* pfn, or -1 */
};

/* ---- Functions one file defines and others call -------------------------- */

int luaopen_mmsim(lua_State *L);
void lmm_add_methods(lua_State *L, const char *tname, const luaL_Reg *methods);
void lmm_push_udata(lua_State *L, void *ptr, const char *tname);
gfp_t lmm_check_gfp_text(lua_State *L, const char *s, const char *fn);

/* Each file's part of luaopen_mmsim: its classes and methods. */
void lmm_open_machine(lua_State *L);
void lmm_open_kernel(lua_State *L);
void lmm_open_task(lua_State *L);
void lmm_open_task_pages(lua_State *L);
void lmm_open_task_kmap(lua_State *L);
void lmm_open_task_user(lua_State *L);
void lmm_open_slab(lua_State *L);
void lmm_open_device(lua_State *L);
void lmm_open_run(lua_State *L);

/* lmachine.c: mmsim.machine(desc), the module's constructor; and the
 * machine freed with all the run made (NULL: nothing). */
int lmm_machine_new(lua_State *L);
void lmm_machine_free(struct machine *m);

/* lrun.c: the trace's header (once) and snapshot lines; the run's first
 * failure (later ones are dropped). */
void lmm_write_header(struct run *r);
void lmm_write_snapshot(struct machine *m, bool freelists);
void lmm_set_failure(struct run *r, const char *msg);

/* ltask.c: the options of a touch, and the touch itself (see there). */
int lmm_touch_options(lua_State *L, int idx, uint64_t size, const char *fn, const char *what,
		      uint64_t *off, uint64_t *len);
int lmm_touch_vaddr(lua_State *L, struct ltask *t, const char *fn, uint64_t vaddr,
		    uint64_t len, int write);

/* ltask_kmap.c: where task t reaches a HighMem block's bytes (see there). */
uint64_t lmm_highmem_touch_addr(lua_State *L, struct ltask *t, uint64_t pfn, uint64_t off,
				uint64_t len);

/* ---- Static inline helpers ----------------------------------------------- */

/* The run context is in every Lua thread's extra space (new threads copy
 * the main thread's): Redis keeps its context in the registry, but a
 * registry lookup by name costs a string hash on every task call. */
static inline struct run *get_run(lua_State *L)
{
	return *(struct run **)lua_getextraspace(L);
}

/* ---- Ownership table ----------------------------------------------------- */

static inline size_t owners_slot(const struct owners *t, uint64_t k)
{
	uint64_t h = k * UINT64_C(0x9e3779b97f4a7c15);
	return (size_t)(h >> 17) & (t->cap - 1);
}

static inline void owners_put(struct owners *t, uint64_t pfn, unsigned order);

static inline void owners_grow(struct owners *t)
{
	struct owners old = *t;
	t->cap = old.cap ? old.cap * 2 : 1024;
	t->key = mmsim_xcalloc(t->cap, sizeof *t->key);
	t->order = mmsim_xcalloc(t->cap, sizeof *t->order);
	t->n = 0;
	for (size_t i = 0; i < old.cap; i++)
		if (old.key[i])
			owners_put(t, old.key[i] - 1, old.order[i]);
	free(old.key);
	free(old.order);
}

static inline void owners_put(struct owners *t, uint64_t pfn, unsigned order)
{
	if (2 * (t->n + 1) > t->cap)
		owners_grow(t);
	uint64_t k = pfn + 1;
	size_t i = owners_slot(t, k);
	while (t->key[i] && t->key[i] != k)
		i = (i + 1) & (t->cap - 1);
	if (!t->key[i])
		t->n++;
	t->key[i] = k;
	t->order[i] = (uint8_t)order;
}

/* The slot holding pfn's block, or -1. */
static inline long owners_find(const struct owners *t, uint64_t pfn)
{
	if (!t->cap)
		return -1;
	uint64_t k = pfn + 1;
	for (size_t i = owners_slot(t, k); t->key[i]; i = (i + 1) & (t->cap - 1))
		if (t->key[i] == k)
			return (long)i;
	return -1;
}

/* The order of the block at pfn, or -1 if no block starts there. */
static inline int owners_get(const struct owners *t, uint64_t pfn)
{
	long i = owners_find(t, pfn);
	return i < 0 ? -1 : t->order[i];
}

/* Empty slot i (found by owners_find). */
static inline void owners_del_at(struct owners *t, size_t i)
{
	size_t mask = t->cap - 1;
	/* Backward-shift deletion: pull later members of the probe run into the
	 * hole when their home slot does not lie between the hole and them. */
	size_t j = i;
	for (;;) {
		j = (j + 1) & mask;
		if (!t->key[j])
			break;
		size_t home = owners_slot(t, t->key[j]);
		bool between = i <= j ? (i < home && home <= j) : (i < home || home <= j);
		if (between)
			continue;
		t->key[i] = t->key[j];
		t->order[i] = t->order[j];
		i = j;
	}
	t->key[i] = 0;
	t->n--;
}

/* ---- Checking arguments -------------------------------------------------- */

static inline struct machine *check_machine(lua_State *L, int idx)
{
	struct machine **p = luaL_checkudata(L, idx, "mmsim.machine");
	return *p;
}

static inline struct ltask *check_task(lua_State *L, int idx)
{
	/* Every task call starts here: compare the metatable by address rather
	 * than through luaL_checkudata's lookup by name; that stays for the
	 * error message. */
	void *p = lua_touserdata(L, idx);
	if (p && lua_getmetatable(L, idx)) {
		const void *mt = lua_topointer(L, -1);
		lua_pop(L, 1);
		if (mt == get_run(L)->task_mt)
			return *(struct ltask **)p;
	}
	return *(struct ltask **)luaL_checkudata(L, idx, "mmsim.task");
}

/* The task whose coroutine is running this call, or an error naming the
 * function: kernel operations need a CPU and a place in simulated time. */
static inline struct ltask *running_task(lua_State *L, const char *fn)
{
	struct ltask *t = check_task(L, 1);
	if (t->co != L)
		luaL_error(L, "%s: only task '%s' itself can call this (call it inside the task's "
			   "function)", fn, t->task.name);
	if (t->m->sim.cur.task != &t->task)
		luaL_error(L, "%s: task '%s' is not running", fn, t->task.name);
	return t;
}

/* May task t go on to its next operation in place ("Running ahead" in
 * ltask.c)? If so, its next step has begun. */
static inline bool run_ahead(struct ltask *t)
{
	return !t->wait && !t->m->run->failed && sim_task_continue_inline(&t->m->sim);
}

/* Continuation of a yield that left n results on the stack. */
static inline int return_results(lua_State *L, int status, lua_KContext n)
{
	(void)status;
	return (int)n;
}

/* The operation is done: its n results are on top of the stack. Either the
 * task runs ahead and they are returned now, or the step ends and they are
 * returned when the task is resumed. */
static inline int op_done(lua_State *L, struct ltask *t, int n)
{
	if (run_ahead(t))
		return n;
	return lua_yieldk(L, 0, (lua_KContext)n, return_results);
}

static inline gfp_t check_gfp(lua_State *L, int idx, const char *fn)
{
	return lmm_check_gfp_text(L, luaL_checkstring(L, idx), fn);
}

/* check_gfp for a task's call: the last text parsed is remembered. */
static inline gfp_t task_gfp(lua_State *L, struct machine *m, int idx, const char *fn)
{
	size_t len;
	const char *s = luaL_checklstring(L, idx, &len);
	if (len < sizeof m->gfp_text && !memcmp(s, m->gfp_text, len + 1))
		return m->gfp_value;
	gfp_t g = lmm_check_gfp_text(L, s, fn);
	if (len < sizeof m->gfp_text) {
		memcpy(m->gfp_text, s, len + 1);
		m->gfp_value = g;
	}
	return g;
}

static inline int kmaps_find(const struct lkmaps *k, uint64_t pfn)
{
	for (int i = 0; k && i < k->n; i++)
		if (k->pfn[i] == pfn)
			return i;
	return -1;
}

#endif
