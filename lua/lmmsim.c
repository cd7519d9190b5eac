/*
 * The `mmsim` Lua module and the scenario runner (see scenario.h and
 * docs/scenarios.md for the scenario-facing reference).
 *
 * Objects. A scenario has one machine (struct machine: the description, the
 * hardware model, the simulation, later the memory manager); Lua sees it as
 * a "mmsim.machine" userdata, the booted kernel as "mmsim.kernel" and each
 * task as "mmsim.task". The C structures belong to the run, not to Lua's
 * garbage collector: they live until scenario_run returns, so a userdata
 * kept by the script can never dangle.
 *
 * Tasks. A task is a coroutine plus a struct sim_task whose step resumes
 * it. A kernel operation called from the coroutine (alloc_pages, touch,
 * think...) does its work at once, charging cycles to the current context,
 * then yields; the step ends, and the run loop resumes the coroutine when
 * the CPU has spent those cycles. The operation's results are left on the
 * coroutine's stack and returned by a continuation (lua_yieldk), so the
 * script sees an ordinary function call. Bulk helpers loop in C the same
 * way, the loop state on the coroutine's stack.
 *
 * Running ahead. Yielding after every operation costs more host time than
 * most operations (a resume, an event pushed and popped). When the run loop
 * would resume this same task next anyway (nothing else is due before the
 * cycle the operation ended, no stop condition applies, the operation does
 * not wait), sim_task_continue_inline ends the step and begins the next one
 * in place, and the task goes straight on: the run is the same event for
 * event (clocks, counters, watchdog, trace), only faster.
 *
 * Errors. A mistake in the script (a bad argument, a misuse the allocator
 * refuses) is a Lua error raised at the script's line. An error inside a
 * task stops the simulation; the runner reports it with the task's own
 * traceback, and the trace ends with a failed summary line.
 *
 * Ownership. Blocks handed to tasks are recorded (pfn -> order) so that a
 * touch of memory the scenario never allocated, or a free with the wrong
 * order, is caught with a clear message before the allocator sees it.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hw/hw.h"
#include "hw/machine.h"
#include "lua/scenario.h"
#include "hw/dma.h"
#include "mm/bounce.h"
#include "mm/gfp.h"
#include "mm/highmem.h"
#include "mm/mm.h"
#include "mm/mmap.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"
#include "sim/sim.h"
#include "sim/stats.h"
#include "sim/trace.h"

#define TRACE_FORMAT_VERSION 1
#define HOOK_EVERY 1000     /* Lua instructions between two count-hook calls */

struct run;

/* Allocated blocks: pfn -> order, open addressing with linear probing.
 * Keys are pfn + 1 so that 0 means empty; deleted slots are re-filled by a
 * backward shift, so there are no tombstones and lookups stay short. */
struct owners {
	uint64_t *key;
	uint8_t *order;
	size_t cap, n;
};

struct ltask;

struct op_hists {
	struct stats_hist alloc, free, touch;
};

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


static double host_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The run context is in every Lua thread's extra space (new threads copy
 * the main thread's): Redis keeps its context in the registry, but a
 * registry lookup by name costs a string hash on every task call. */
static struct run *get_run(lua_State *L)
{
	return *(struct run **)lua_getextraspace(L);
}

/* ---- Ownership table ------------------------------------------------------ */

static size_t owners_slot(const struct owners *t, uint64_t k)
{
	uint64_t h = k * UINT64_C(0x9e3779b97f4a7c15);
	return (size_t)(h >> 17) & (t->cap - 1);
}

static void owners_put(struct owners *t, uint64_t pfn, unsigned order);

static void owners_grow(struct owners *t)
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

static void owners_put(struct owners *t, uint64_t pfn, unsigned order)
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
static long owners_find(const struct owners *t, uint64_t pfn)
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
static int owners_get(const struct owners *t, uint64_t pfn)
{
	long i = owners_find(t, pfn);
	return i < 0 ? -1 : t->order[i];
}

/* Empty slot i (found by owners_find). */
static void owners_del_at(struct owners *t, size_t i)
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

/* ---- Lua values to cJSON (for machine descriptions) ---------------------- */

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The table at idx as JSON: an array when its keys are exactly 1..n, else an
 * object with string keys, members in sorted order (Lua's traversal order is
 * not deterministic, and an error message must not depend on it). Returns
 * NULL with a message in err on a value JSON cannot hold; never raises a Lua
 * error, so nothing built so far can leak. */
static cJSON *lua_to_json(lua_State *L, int idx, const char *path, int depth, char *err,
			  size_t errlen)
{
	idx = lua_absindex(L, idx);
	switch (lua_type(L, idx)) {
	case LUA_TBOOLEAN:
		return cJSON_CreateBool(lua_toboolean(L, idx));
	case LUA_TNUMBER:
		return cJSON_CreateNumber(lua_tonumber(L, idx));
	case LUA_TSTRING:
		return cJSON_CreateString(lua_tostring(L, idx));
	case LUA_TTABLE:
		break;
	default:
		snprintf(err, errlen, "machine: %s: a %s cannot be part of a machine description",
			 *path ? path : "(top)", luaL_typename(L, idx));
		return NULL;
	}
	if (depth > 8) {
		snprintf(err, errlen, "machine: %s: nested too deeply", path);
		return NULL;
	}
	lua_Integer n = (lua_Integer)lua_rawlen(L, idx);
	size_t count = 0;
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		count++;
		lua_pop(L, 1);
	}
	char sub[256];
	if (n > 0 && (size_t)n == count) {
		cJSON *arr = cJSON_CreateArray();
		for (lua_Integer i = 1; i <= n; i++) {
			lua_rawgeti(L, idx, i);
			snprintf(sub, sizeof sub, "%s[%lld]", path, (long long)(i - 1));
			cJSON *item = lua_to_json(L, -1, sub, depth + 1, err, errlen);
			lua_pop(L, 1);
			if (!item) {
				cJSON_Delete(arr);
				return NULL;
			}
			cJSON_AddItemToArray(arr, item);
		}
		return arr;
	}
	const char **keys = mmsim_xcalloc(count ? count : 1, sizeof *keys);
	size_t k = 0;
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		lua_pop(L, 1);
		if (lua_type(L, -1) != LUA_TSTRING) {
			snprintf(err, errlen, "machine: %s: keys must be names (found a %s key)",
				 *path ? path : "(top)", luaL_typename(L, -1));
			lua_pop(L, 1);
			free(keys);
			return NULL;
		}
		keys[k++] = lua_tostring(L, -1);
	}
	qsort(keys, count, sizeof *keys, key_cmp);
	cJSON *obj = cJSON_CreateObject();
	for (size_t i = 0; i < count; i++) {
		lua_getfield(L, idx, keys[i]);
		snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", keys[i]);
		cJSON *item = lua_to_json(L, -1, sub, depth + 1, err, errlen);
		lua_pop(L, 1);
		if (!item) {
			cJSON_Delete(obj);
			free(keys);
			return NULL;
		}
		cJSON_AddItemToObject(obj, keys[i], item);
	}
	free(keys);
	return obj;
}

/* ---- Trace lines ------------------------------------------------------------ */

static void write_header(struct run *r)
{
	struct trace *t = r->trace;
	struct machine *m = r->m;
	if (!t || r->header_written)
		return;
	r->header_written = true;
	trace_line_begin(t);
	trace_str(t, "type", "header");
	trace_str(t, "format", "mmsim-trace");
	trace_u64(t, "version", TRACE_FORMAT_VERSION);
	trace_str(t, "tool", "mmsim " MMSIM_VERSION);
	trace_str(t, "scenario", r->o->path);
	trace_u64(t, "seed", r->o->seed);
	if (m && m->booted) {
		char era[16];
		mm_policy_get(&m->policy, "era", era, sizeof era);
		trace_str(t, "era", era);
		mm_policy_trace(&m->policy, t, "policy");
	} else {
		trace_null(t, "era");
		trace_null(t, "policy");
	}
	if (m) {
		hw_desc_trace(&m->desc, t, "machine");
		if (m->booted)
			mm_trace_zones(m->mm, t);
	} else {
		trace_null(t, "machine");
	}
	trace_line_end(t);
}

static void write_snapshot(struct machine *m, bool freelists)
{
	struct trace *t = m->run->trace;
	if (!t || !m->booted)
		return;
	write_header(m->run);
	trace_line_begin(t);
	trace_str(t, "type", "snapshot");
	trace_u64(t, "t", sim_now(&m->sim));
	mm_trace_snapshot(m->mm, t);
	if (freelists)
		mm_trace_freelists(m->mm, t);
	trace_line_end(t);
}

static void write_summary(struct run *r, int status)
{
	struct trace *t = r->trace;
	if (!t)
		return;
	write_header(r);
	struct machine *m = r->m;
	if (m && m->booted)
		write_snapshot(m, false);
	trace_line_begin(t);
	trace_str(t, "type", "summary");
	trace_str(t, "status", status == 0 ? "ok" : "error");
	if (r->failure) {
		/* The message alone; the traceback stays on stderr. */
		const char *nl = strchr(r->failure, '\n');
		trace_strn(t, "error", r->failure, nl ? (size_t)(nl - r->failure) : strlen(r->failure));
	}
	if (m) {
		trace_u64(t, "cycles", m->sim.now);
		trace_str(t, "stop", sim_stop_name(m->last_stop));
		trace_u64(t, "events", m->sim.count[SIM_CNT_EVENTS]);
		if (m->stats)
			stats_trace(m->stats, t, "stats");
	}
	trace_line_end(t);
}

/* ---- Tasks ------------------------------------------------------------------ */

static void set_failure(struct run *r, const char *msg)
{
	if (r->failure)
		return;
	r->failure = mmsim_xstrdup(msg ? msg : "(error object is not a string)");
	r->failed = true;
}

static enum sim_step ltask_step(struct sim *s, struct sim_task *st)
{
	struct ltask *t = (struct ltask *)st;
	struct run *r = t->m->run;
	int nres = 0;
	t->wait = false;
	int nargs = t->nargs;
	t->nargs = 0;
	int rc = lua_resume(t->co, r->L, nargs, &nres);
	if (rc == LUA_YIELD) {
		lua_pop(t->co, nres);
		return t->wait ? SIM_STEP_WAIT : SIM_STEP_CONTINUE;
	}
	if (rc == LUA_ERRMEM)   /* the host is out of memory, not the scenario wrong */
		mmsim_oom(r->lua_nomem);
	if (rc != LUA_OK) {
		const char *msg = lua_tostring(t->co, -1);
		luaL_traceback(r->L, t->co, msg, 0);
		lua_pushfstring(r->L, "\n(in task '%s' on cpu %d at cycle %I)", st->name, st->cpu,
				(lua_Integer)sim_now(s));
		lua_concat(r->L, 2);
		set_failure(r, lua_tostring(r->L, -1));
		lua_pop(r->L, 1);
		sim_stop(s);
	}
	if (rc == LUA_OK && t->umm) {      /* do_exit: exit_mmap */
		mmput(t->m->mm, t->umm);
		t->umm = NULL;
	}
	t->done = true;
	if (trace_enabled(r->trace, r->ev_task_exit)) {
		trace_begin(r->trace, r->ev_task_exit, sim_now(s), st->cpu, st->name);
		trace_u64(r->trace, "runtime", st->runtime + s->cur.charged);
		trace_u64(r->trace, "steps", st->steps + 1);
		trace_end(r->trace);
	}
	return SIM_STEP_EXIT;
}

static struct ltask *check_task(lua_State *L, int idx)
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
static struct ltask *running_task(lua_State *L, const char *fn)
{
	struct ltask *t = check_task(L, 1);
	if (t->co != L)
		luaL_error(L, "%s: only task '%s' itself can call this (call it inside the task's "
			   "function)", fn, t->task.name);
	if (t->m->sim.cur.task != &t->task)
		luaL_error(L, "%s: task '%s' is not running", fn, t->task.name);
	return t;
}

/* May task t go on to its next operation in place ("Running ahead")? If
 * so, its next step has begun. */
static bool run_ahead(struct ltask *t)
{
	return !t->wait && !t->m->run->failed && sim_task_continue_inline(&t->m->sim);
}

/* Continuation of a yield that left n results on the stack. */
static int return_results(lua_State *L, int status, lua_KContext n)
{
	(void)status;
	return (int)n;
}

/* The operation is done: its n results are on top of the stack. Either the
 * task runs ahead and they are returned now, or the step ends and they are
 * returned when the task is resumed. */
static int op_done(lua_State *L, struct ltask *t, int n)
{
	if (run_ahead(t))
		return n;
	return lua_yieldk(L, 0, (lua_KContext)n, return_results);
}

static gfp_t check_gfp_text(lua_State *L, const char *s, const char *fn)
{
	gfp_t g;
	char err[1024];
	if (gfp_parse(s, &g, err, sizeof err)) {
		if (fn)
			luaL_error(L, "%s: %s", fn, err);
		luaL_error(L, "%s", err);
	}
	return g;
}

static gfp_t check_gfp(lua_State *L, int idx, const char *fn)
{
	return check_gfp_text(L, luaL_checkstring(L, idx), fn);
}

/* check_gfp for a task's call: the last text parsed is remembered. */
static gfp_t task_gfp(lua_State *L, struct machine *m, int idx, const char *fn)
{
	size_t len;
	const char *s = luaL_checklstring(L, idx, &len);
	if (len < sizeof m->gfp_text && !memcmp(s, m->gfp_text, len + 1))
		return m->gfp_value;
	gfp_t g = check_gfp_text(L, s, fn);
	if (len < sizeof m->gfp_text) {
		memcpy(m->gfp_text, s, len + 1);
		m->gfp_value = g;
	}
	return g;
}

static unsigned check_order(lua_State *L, struct machine *m, int idx, const char *fn)
{
	lua_Integer o = luaL_optinteger(L, idx, 0);
	if (o < 0 || o >= (lua_Integer)mm_max_order(m->mm))
		luaL_error(L, "%s: order %I is outside 0..%d (max_order is %d)", fn, o,
			   (int)mm_max_order(m->mm) - 1, (int)mm_max_order(m->mm));
	return (unsigned)o;
}

/* One allocation on the running task's CPU: the pfn, or -1 on failure. */
static int64_t do_alloc(struct machine *m, int nid, gfp_t gfp, unsigned order)
{
	cycle_t t0 = sim_now(&m->sim);
	struct page *p = nid < 0 ? alloc_pages(m->mm, gfp, order)
				 : alloc_pages_node(m->mm, nid, gfp, order);
	stats_hist_add(&m->hist.alloc, sim_now(&m->sim) - t0);
	m->ops_alloc++;
	if (!p) {
		m->ops_alloc_failed++;
		return -1;
	}
	uint64_t pfn = page_to_pfn(m->mm, p);
	owners_put(&m->owners, pfn, order);
	return (int64_t)pfn;
}

/* One free: 0, or -1 with a message in err. */
static int do_free(struct machine *m, uint64_t pfn, lua_Integer order_arg, char *err, size_t len)
{
	long slot = owners_find(&m->owners, pfn);
	int order = slot < 0 ? -1 : m->owners.order[slot];
	if (order < 0) {
		snprintf(err, len, "pfn %llu is not a block this scenario allocated (or it was "
			 "freed already)", (unsigned long long)pfn);
		return -1;
	}
	if (order_arg >= 0 && order_arg != order) {
		snprintf(err, len, "pfn %llu was allocated with order %d, freed with order %lld",
			 (unsigned long long)pfn, order, (long long)order_arg);
		return -1;
	}
	cycle_t t0 = sim_now(&m->sim);
	int rc = free_pages_pfn(m->mm, pfn, (unsigned)order);
	stats_hist_add(&m->hist.free, sim_now(&m->sim) - t0);
	if (rc) {
		snprintf(err, len, "%s", mm_error(m->mm));
		return -1;
	}
	m->ops_free++;
	owners_del_at(&m->owners, (size_t)slot);   /* the free changed no slot */
	return 0;
}

static int t_alloc_pages_common(lua_State *L, const char *fn, int nid_idx)
{
	struct ltask *t = running_task(L, fn);
	struct machine *m = t->m;
	int nid = -1;
	if (nid_idx) {
		lua_Integer n = luaL_checkinteger(L, nid_idx);
		if (n < -1 || n >= mm_nr_nodes(m->mm))
			luaL_error(L, "%s: node %I does not exist (the machine has %d)", fn, n,
				   mm_nr_nodes(m->mm));
		nid = (int)n;
	}
	int base = nid_idx ? nid_idx : 1;
	gfp_t gfp = task_gfp(L, m, base + 1, fn);
	unsigned order = check_order(L, m, base + 2, fn);
	int64_t pfn = do_alloc(m, nid, gfp, order);
	if (pfn < 0) {
		if (mm_errno(m->mm) == MM_EINVAL)
			luaL_error(L, "%s: %s", fn, mm_error(m->mm));
		lua_pushnil(L);
	} else {
		lua_pushinteger(L, pfn);
	}
	return op_done(L, t, 1);
}

static int t_alloc_pages(lua_State *L)
{
	return t_alloc_pages_common(L, "alloc_pages", 0);
}

static int t_alloc_pages_node(lua_State *L)
{
	return t_alloc_pages_common(L, "alloc_pages_node", 2);
}

static int t_free_pages(lua_State *L)
{
	struct ltask *t = running_task(L, "free_pages");
	lua_Integer pfn = luaL_checkinteger(L, 2);
	lua_Integer order = luaL_optinteger(L, 3, -1);
	char err[256];
	if (pfn < 0 || do_free(t->m, (uint64_t)pfn, order, err, sizeof err))
		return luaL_error(L, "free_pages: %s", pfn < 0 ? "a pfn is not negative" : err);
	return op_done(L, t, 0);
}

/* ---- HighMem: kmap, kunmap, kmap_atomic, kunmap_atomic (issue 7) -------- */

/*
 * What a task holds: the frames it kmapped (with how many times) and, per
 * km_type, the frame in its CPU's window. t:touch of a HighMem frame goes
 * through one of these mappings, so it needs the task itself to hold one.
 */
struct lkmaps {
	uint64_t *pfn;
	int *count;
	int n, cap;
	int64_t window[KM_TYPE_NR];     /* pfn, or -1 */
};

static struct lkmaps *task_kmaps(struct ltask *t)
{
	if (!t->kmaps) {
		t->kmaps = mmsim_xcalloc(1, sizeof *t->kmaps);
		for (int i = 0; i < KM_TYPE_NR; i++)
			t->kmaps->window[i] = -1;
	}
	return t->kmaps;
}

static int kmaps_find(const struct lkmaps *k, uint64_t pfn)
{
	for (int i = 0; k && i < k->n; i++)
		if (k->pfn[i] == pfn)
			return i;
	return -1;
}

/* The kernel virtual address at which task t reaches bytes [off, off + len)
 * of the HighMem block at pfn: its kmap or its kmap_atomic window of the
 * page they lie in (one page per touch), or a Lua error. */
static uint64_t highmem_touch_addr(lua_State *L, struct ltask *t, uint64_t pfn, uint64_t off,
				   uint64_t len)
{
	uint64_t page = pfn + (off >> HW_PAGE_SHIFT), in = off & (HW_PAGE_SIZE - 1);
	if (len > HW_PAGE_SIZE - in)
		luaL_error(L, "touch: pfn %I is in HighMem, mapped one page at a time: bytes [%I, %I) "
			   "cross a page boundary", (lua_Integer)pfn, (lua_Integer)off,
			   (lua_Integer)(off + len));
	struct lkmaps *k = t->kmaps;
	if (kmaps_find(k, page) >= 0)
		return page_address(t->m->mm, pfn_to_page(t->m->mm, page)) + in;
	for (int i = 0; k && i < KM_TYPE_NR; i++)
		if (k->window[i] == (int64_t)page)
			return mm_fixmap_kmap_addr(t->m->mm, t->task.cpu, i) + in;
	luaL_error(L, "touch: pfn %I is in HighMem, which the kernel reaches only through a "
		   "mapping: t:kmap(%I) or t:kmap_atomic(%I, type) first", (lua_Integer)page,
		   (lua_Integer)page, (lua_Integer)page);
	return 0;
}

/* A frame a task may map: one of the scenario's blocks (its first frame),
 * or a user page the task pinned with t:get_user_pages. */
static struct page *check_kmap_pfn(lua_State *L, struct ltask *t, int idx, const char *fn)
{
	struct machine *m = t->m;
	lua_Integer pfn = luaL_checkinteger(L, idx);
	if (pfn >= 0 && kmaps_find(t->pins, (uint64_t)pfn) >= 0)
		return pfn_to_page(m->mm, (uint64_t)pfn);
	if (pfn < 0 || owners_get(&m->owners, (uint64_t)pfn) < 0)
		luaL_error(L, "%s: pfn %I is not a block this scenario allocated (or it was freed)",
			   fn, pfn);
	return pfn_to_page(m->mm, (uint64_t)pfn);
}

static int kmap_k(lua_State *L, int status, lua_KContext ctx);

/* One try of kmap: the address, or a wait on pkmap_map_wait and another
 * try when woken (the kernel's loop in map_new_virtual). */
static int kmap_try(lua_State *L, struct ltask *t, struct page *pg)
{
	struct machine *m = t->m;
	uint64_t va = kmap(m->mm, pg);
	if (!va) {
		if (mm_errno(m->mm) != MM_EAGAIN)
			return luaL_error(L, "kmap: %s", mm_error(m->mm));
		sim_task_wait(&m->sim, mm_pkmap_wait(m->mm));
		t->wait = true;
		return lua_yieldk(L, 0, 0, kmap_k);
	}
	struct lkmaps *k = task_kmaps(t);
	uint64_t pfn = page_to_pfn(m->mm, pg);
	int i = kmaps_find(k, pfn);
	if (i < 0) {
		if (k->n == k->cap) {
			k->cap = k->cap ? 2 * k->cap : 16;
			k->pfn = mmsim_xrealloc(k->pfn, (size_t)k->cap * sizeof *k->pfn);
			k->count = mmsim_xrealloc(k->count, (size_t)k->cap * sizeof *k->count);
		}
		i = k->n++;
		k->pfn[i] = pfn;
		k->count[i] = 0;
	}
	k->count[i]++;
	lua_pushinteger(L, (lua_Integer)va);
	return op_done(L, t, 1);
}

static int kmap_k(lua_State *L, int status, lua_KContext ctx)
{
	(void)status;
	(void)ctx;
	struct ltask *t = running_task(L, "kmap");
	return kmap_try(L, t, pfn_to_page(t->m->mm, (uint64_t)luaL_checkinteger(L, 2)));
}

/* t:kmap(pfn) -> the kernel virtual address; waits while the pool is full */
static int t_kmap(lua_State *L)
{
	struct ltask *t = running_task(L, "kmap");
	return kmap_try(L, t, check_kmap_pfn(L, t, 2, "kmap"));
}

/* t:kunmap(pfn) */
static int t_kunmap(lua_State *L)
{
	struct ltask *t = running_task(L, "kunmap");
	struct machine *m = t->m;
	struct page *pg = check_kmap_pfn(L, t, 2, "kunmap");
	uint64_t pfn = page_to_pfn(m->mm, pg);
	struct lkmaps *k = t->kmaps;
	int i = kmaps_find(k, pfn);
	if (i < 0)
		return luaL_error(L, "kunmap: task '%s' holds no kmap of pfn %I", t->task.name,
				  (lua_Integer)pfn);
	if (kunmap(m->mm, pg))
		return luaL_error(L, "kunmap: %s", mm_error(m->mm));
	if (--k->count[i] == 0) {
		k->n--;
		k->pfn[i] = k->pfn[k->n];
		k->count[i] = k->count[k->n];
	}
	return op_done(L, t, 0);
}

static int check_km_type(lua_State *L, int idx, const char *fn)
{
	if (lua_type(L, idx) == LUA_TNUMBER) {
		lua_Integer n = luaL_checkinteger(L, idx);
		if (n < 0 || n >= KM_TYPE_NR)
			luaL_error(L, "%s: km_type %I is outside 0..%d", fn, n, KM_TYPE_NR - 1);
		return (int)n;
	}
	const char *s = luaL_checkstring(L, idx);
	int type = km_type_parse(s);
	if (type < 0)
		luaL_error(L, "%s: unknown km_type '%s' (KM_USER0, KM_USER1, KM_BOUNCE_READ, KM_IRQ0 ... "
			   "as in 2.6.11's kmap_types.h)", fn, s);
	return type;
}

/* t:kmap_atomic(pfn, type) -> the address in the CPU's window `type` */
static int t_kmap_atomic(lua_State *L)
{
	struct ltask *t = running_task(L, "kmap_atomic");
	struct machine *m = t->m;
	struct page *pg = check_kmap_pfn(L, t, 2, "kmap_atomic");
	int type = check_km_type(L, 3, "kmap_atomic");
	uint64_t va = kmap_atomic(m->mm, pg, type);
	if (!va)
		return luaL_error(L, "kmap_atomic: %s", mm_error(m->mm));
	task_kmaps(t)->window[type] = (int64_t)page_to_pfn(m->mm, pg);
	lua_pushinteger(L, (lua_Integer)va);
	return op_done(L, t, 1);
}

/* t:kunmap_atomic(type) */
static int t_kunmap_atomic(lua_State *L)
{
	struct ltask *t = running_task(L, "kunmap_atomic");
	int type = check_km_type(L, 2, "kunmap_atomic");
	if (!t->kmaps || t->kmaps->window[type] < 0)
		return luaL_error(L, "kunmap_atomic: task '%s' holds no %s window", t->task.name,
				  km_type_name(type));
	if (kunmap_atomic(t->m->mm, type))
		return luaL_error(L, "kunmap_atomic: %s", mm_error(t->m->mm));
	t->kmaps->window[type] = -1;
	return op_done(L, t, 0);
}

/* ---- DMA devices and transfers (issue 7) ---------------------------------- */

static struct machine *check_machine_ud(lua_State *L, int idx)
{
	return *(struct machine **)luaL_checkudata(L, idx, "mmsim.machine");
}

/* m:device{name = "isa", bits = 24, bytes_per_cycle = 1, setup = 2000} -> id */
static int m_device(lua_State *L)
{
	struct machine *m = check_machine_ud(L, 1);
	luaL_checktype(L, 2, LUA_TTABLE);
	if (!m->booted)
		return luaL_error(L, "device: boot the machine first (m:boot{...})");
	lua_getfield(L, 2, "name");
	const char *name = luaL_optstring(L, -1, "dev");
	lua_getfield(L, 2, "bits");
	lua_Integer bits = luaL_optinteger(L, -1, 64);
	lua_getfield(L, 2, "bytes_per_cycle");
	lua_Number bpc = luaL_optnumber(L, -1, 4.0);
	lua_getfield(L, 2, "setup");
	lua_Integer setup = luaL_optinteger(L, -1, 1000);
	if (bits < 1 || bits > 64)
		return luaL_error(L, "device: bits = %I: must be 1..64 (ISA 24, PCI 32, 64)", bits);
	if (!(bpc > 0))
		return luaL_error(L, "device: bytes_per_cycle must be positive");
	if (setup < 0)
		return luaL_error(L, "device: setup = %I cycles: must not be negative", setup);
	for (int d = 0; d < hw_dma_count(m->hw); d++)
		if (!strcmp(hw_dma_name(m->hw, d), name))
			return luaL_error(L, "device: a device named '%s' is attached already", name);
	int dev = hw_dma_attach(m->hw, name, (unsigned)bits, bpc, (cycle_t)setup);
	if (dev < 0)
		return luaL_error(L, "device: at most %d devices", HW_DMA_MAX_DEVICES);
	if (mm_dma_setup(m->mm, dev))
		return luaL_error(L, "device: %s", mm_error(m->mm));
	if (hw_dma_count(m->hw) == 1)      /* mm.dma.* once, dmaN.* per device */
		mm_dma_register_stats(m->mm, m->stats);
	hw_register_dma_stats(m->hw, m->stats, dev);
	lua_pushinteger(L, dev);
	return 1;
}

static int check_device(lua_State *L, struct machine *m, int idx, const char *fn)
{
	if (lua_type(L, idx) == LUA_TSTRING) {
		const char *name = lua_tostring(L, idx);
		for (int d = 0; d < hw_dma_count(m->hw); d++)
			if (!strcmp(hw_dma_name(m->hw, d), name))
				return d;
		luaL_error(L, "%s: no device named '%s' (attach it with m:device{...})", fn, name);
	}
	lua_Integer d = luaL_checkinteger(L, idx);
	if (d < 0 || d >= hw_dma_count(m->hw))
		luaL_error(L, "%s: no device %I (attach it with m:device{...})", fn, d);
	return (int)d;
}

static int dma_k(lua_State *L, int status, lua_KContext ctx);

/* One try of t:dma's request: done, waiting for a bounce page (the pool's
 * queue; tried again when woken) or for the completion interrupt. */
static int dma_try(lua_State *L, struct ltask *t, int dev, uint64_t pfn, uint64_t off,
		   uint64_t len, int dir, gfp_t gfp, bool async)
{
	struct machine *m = t->m;
	struct mm_dma_req *r = t->dreq;
	if (r->state == MM_DMA_REQ_IN_FLIGHT)        /* woken: is it done? */
		return dma_k(L, LUA_YIELD, 0);
	int rc = mm_dma_submit(m->mm, r, dev, pfn_to_page(m->mm, pfn), off, len, dir, gfp, async);
	if (rc == -MM_EDMAMASK || rc == -MM_ENOMEM) {
		lua_pushnil(L);
		lua_pushstring(L, mm_error(m->mm));
		return op_done(L, t, 2);
	}
	if (rc == -MM_EAGAIN) {
		sim_task_wait(&m->sim, mm_dma_pool_wait(m->mm, dev));
		t->wait = true;
		return lua_yieldk(L, 0, 0, dma_k);
	}
	if (rc)
		return luaL_error(L, "dma: %s", mm_error(m->mm));
	if (r->state == MM_DMA_REQ_IN_FLIGHT) {
		sim_task_wait(&m->sim, &r->done);
		t->wait = true;
		return lua_yieldk(L, 0, 0, dma_k);
	}
	lua_pushboolean(L, r->bounced);
	return op_done(L, t, 1);
}

/* Resumed after a wait: the arguments are still on the stack, the request
 * remembers the rest. */
static int dma_k(lua_State *L, int status, lua_KContext ctx)
{
	(void)status;
	(void)ctx;
	struct ltask *t = running_task(L, "dma");
	struct mm_dma_req *r = t->dreq;
	if (r->state == MM_DMA_REQ_DONE) {
		lua_pushboolean(L, r->bounced);
		return op_done(L, t, 1);
	}
	if (r->state == MM_DMA_REQ_IN_FLIGHT) {
		sim_task_wait(&t->m->sim, &r->done);
		t->wait = true;
		return lua_yieldk(L, 0, 0, dma_k);
	}
	return dma_try(L, t, r->dev, r->pfn, r->off, r->len, r->dir, r->gfp, r->async);
}

/* t:dma(dev, pfn [, {dir = "to_device", offset = 0, len = rest, async =
 * false, gfp = "GFP_NOIO"}]) -> bounced (true/false), or nil and a message
 * when the buffer is beyond the device's mask and dma_bounce is off, or
 * when the bounce pool is empty and gfp may not sleep. Waits while the
 * bounce pool is empty; with async the task sleeps while the device works
 * (the completion interrupt wakes it). */
static int t_dma(lua_State *L)
{
	struct ltask *t = running_task(L, "dma");
	struct machine *m = t->m;
	int dev = check_device(L, m, 2, "dma");
	lua_Integer pfn = luaL_checkinteger(L, 3);
	int order = pfn >= 0 ? owners_get(&m->owners, (uint64_t)pfn) : -1;
	if (order < 0)
		return luaL_error(L, "dma: pfn %I is not a block this scenario allocated (or it was "
				  "freed)", pfn);
	uint64_t size = HW_PAGE_SIZE << order, off = 0, len = size;
	int dir = HW_DMA_TO_DEVICE;
	bool async = false;
	gfp_t gfp = GFP_NOIO;
	if (!lua_isnoneornil(L, 4)) {
		luaL_checktype(L, 4, LUA_TTABLE);
		lua_getfield(L, 4, "dir");
		if (!lua_isnil(L, -1)) {
			const char *d = luaL_checkstring(L, -1);
			if (!strcmp(d, "to_device"))
				dir = HW_DMA_TO_DEVICE;
			else if (!strcmp(d, "from_device"))
				dir = HW_DMA_FROM_DEVICE;
			else
				return luaL_error(L, "dma: dir = '%s': must be 'to_device' (the device "
						  "reads memory) or 'from_device' (it writes)", d);
		}
		lua_getfield(L, 4, "offset");
		if (!lua_isnil(L, -1))
			off = (uint64_t)luaL_checkinteger(L, -1);
		lua_getfield(L, 4, "len");
		if (!lua_isnil(L, -1))
			len = (uint64_t)luaL_checkinteger(L, -1);
		else
			len = off < size ? size - off : 0;
		lua_getfield(L, 4, "async");
		async = lua_toboolean(L, -1);
		lua_getfield(L, 4, "gfp");
		if (!lua_isnil(L, -1))
			gfp = check_gfp_text(L, luaL_checkstring(L, -1), "dma");
		lua_pop(L, 5);
	}
	if (off > size || len > size - off || len == 0)
		return luaL_error(L, "dma: bytes [%I, %I) are not a non-empty range of the %I-byte "
				  "block at pfn %I", (lua_Integer)off, (lua_Integer)(off + len),
				  (lua_Integer)size, pfn);
	if (!t->dreq) {
		t->dreq = mmsim_xcalloc(1, sizeof *t->dreq);
		mm_dma_req_init(t->dreq);
	}
	return dma_try(L, t, dev, (uint64_t)pfn, off, len, dir, gfp, async);
}

/* ---- User address spaces: mmap, munmap, utouch, uwalk (issue 7) ----------- */

/* The task's address space, made at its first use (fork's mm_alloc). */
static struct mm_struct *task_mm(lua_State *L, struct ltask *t, const char *fn)
{
	struct machine *m = t->m;
	if (t->umm)
		return t->umm;
	bool first = !mm_user_stats(m->mm);
	t->umm = mm_alloc(m->mm);
	if (!t->umm)
		luaL_error(L, "%s: %s", fn, mm_error(m->mm));
	if (first)
		mm_user_register_stats(m->mm, m->stats);
	return t->umm;
}

static uint64_t check_npages(lua_State *L, struct machine *m, int idx, const char *fn)
{
	lua_Integer n = luaL_checkinteger(L, idx);
	if (n < 1 || (uint64_t)n > mm_task_size(m->mm) / HW_PAGE_SIZE)
		luaL_error(L, "%s: %I pages: must be at least 1 and fit below TASK_SIZE", fn, n);
	return (uint64_t)n;
}

/* t:mmap(npages) -> the user address of a new anonymous mapping */
static int t_mmap(lua_State *L)
{
	struct ltask *t = running_task(L, "mmap");
	struct machine *m = t->m;
	uint64_t n = check_npages(L, m, 2, "mmap");
	struct mm_struct *umm = task_mm(L, t, "mmap");
	uint64_t addr = do_mmap(m->mm, umm, n * HW_PAGE_SIZE);
	if (!addr)
		return luaL_error(L, "%s", mm_error(m->mm));   /* "mmap: ..." */
	lua_pushinteger(L, (lua_Integer)addr);
	return op_done(L, t, 1);
}

/* t:munmap(uaddr, npages) */
static int t_munmap(lua_State *L)
{
	struct ltask *t = running_task(L, "munmap");
	struct machine *m = t->m;
	lua_Integer a = luaL_checkinteger(L, 2);
	uint64_t n = check_npages(L, m, 3, "munmap");
	if (!t->umm)
		return luaL_error(L, "munmap: task '%s' has mapped nothing", t->task.name);
	if (a < 0 || do_munmap(m->mm, t->umm, (uint64_t)a, n * HW_PAGE_SIZE))
		return luaL_error(L, "%s", a < 0 ? "munmap: a negative address" : mm_error(m->mm));
	return op_done(L, t, 0);
}

/* t:utouch(uaddr [, {write = true, len = 4096}]) -> faults taken: user code
 * reads or writes its memory through the TLB and its page tables, faulting
 * pages in; no kmap. Touching an address no mmap covers is an error. */
static int t_utouch(lua_State *L)
{
	struct ltask *t = running_task(L, "utouch");
	struct machine *m = t->m;
	lua_Integer a = luaL_checkinteger(L, 2);
	int write = 1;
	lua_Integer len = HW_PAGE_SIZE - (a & (HW_PAGE_SIZE - 1));
	if (!lua_isnoneornil(L, 3)) {
		luaL_checktype(L, 3, LUA_TTABLE);
		lua_getfield(L, 3, "write");
		if (!lua_isnil(L, -1))
			write = lua_toboolean(L, -1);
		lua_getfield(L, 3, "len");
		if (!lua_isnil(L, -1))
			len = luaL_checkinteger(L, -1);
		lua_pop(L, 2);
	}
	if (len < 1 || len > (lua_Integer)UINT32_MAX)
		return luaL_error(L, "utouch: len = %I: must be 1 .. 4 GiB", len);
	struct mm_struct *umm = task_mm(L, t, "utouch");
	cycle_t t0 = sim_now(&m->sim);
	struct mm_uaccess_info info;
	if (a < 0 || mm_uaccess(m->mm, umm, (uint64_t)a, (uint64_t)len, write, &info))
		return luaL_error(L, "utouch: %s", a < 0 ? "a negative address" : mm_error(m->mm));
	stats_hist_add(&m->hist.touch, sim_now(&m->sim) - t0);
	m->ops_touch++;
	lua_pushinteger(L, info.faults);
	return op_done(L, t, 1);
}

/* t:get_user_pages(uaddr, n = 1) -> {pfn, ...}: the kernel's way to user
 * memory (2.6.11 get_user_pages): the frames, faulted in if need be, each
 * pinned (a reference) until t:put_page(pfn). The task may then kmap,
 * kmap_atomic and touch them as the kernel would. */
static int t_get_user_pages(lua_State *L)
{
	struct ltask *t = running_task(L, "get_user_pages");
	struct machine *m = t->m;
	lua_Integer a = luaL_checkinteger(L, 2);
	lua_Integer n = luaL_optinteger(L, 3, 1);
	if (n < 1 || n > 65536)
		return luaL_error(L, "get_user_pages: %I pages: must be 1 .. 65536", n);
	struct mm_struct *umm = task_mm(L, t, "get_user_pages");
	struct page **pages = mmsim_xcalloc((size_t)n, sizeof *pages);
	int got = a < 0 ? -MM_EINVAL : get_user_pages(m->mm, umm, (uint64_t)a, (int)n, 1, pages);
	if (got < 0) {
		free(pages);
		return luaL_error(L, "%s", a < 0 ? "get_user_pages: a negative address"
						  : mm_error(m->mm));
	}
	if (!t->pins) {
		t->pins = mmsim_xcalloc(1, sizeof *t->pins);
		for (int i = 0; i < KM_TYPE_NR; i++)
			t->pins->window[i] = -1;
	}
	struct lkmaps *k = t->pins;
	lua_createtable(L, got, 0);
	for (int i = 0; i < got; i++) {
		uint64_t pfn = page_to_pfn(m->mm, pages[i]);
		int j = kmaps_find(k, pfn);
		if (j < 0) {
			if (k->n == k->cap) {
				k->cap = k->cap ? 2 * k->cap : 16;
				k->pfn = mmsim_xrealloc(k->pfn, (size_t)k->cap * sizeof *k->pfn);
				k->count = mmsim_xrealloc(k->count, (size_t)k->cap * sizeof *k->count);
			}
			j = k->n++;
			k->pfn[j] = pfn;
			k->count[j] = 0;
		}
		k->count[j]++;
		lua_pushinteger(L, (lua_Integer)pfn);
		lua_rawseti(L, -2, i + 1);
	}
	free(pages);
	return op_done(L, t, 1);
}

/* t:put_page(pfn): drop a pin t:get_user_pages took (the frame is freed if
 * it was unmapped meanwhile) */
static int t_put_page(lua_State *L)
{
	struct ltask *t = running_task(L, "put_page");
	struct machine *m = t->m;
	lua_Integer pfn = luaL_checkinteger(L, 2);
	struct lkmaps *k = t->pins;
	int j = pfn >= 0 ? kmaps_find(k, (uint64_t)pfn) : -1;
	if (j < 0)
		return luaL_error(L, "put_page: task '%s' holds no pin on pfn %I (t:get_user_pages "
				  "takes them)", t->task.name, pfn);
	if (__free_pages(m->mm, pfn_to_page(m->mm, (uint64_t)pfn), 0))
		return luaL_error(L, "put_page: %s", mm_error(m->mm));
	if (--k->count[j] == 0) {
		k->n--;
		k->pfn[j] = k->pfn[k->n];
		k->count[j] = k->count[k->n];
	}
	return op_done(L, t, 0);
}

/* t:share_mm(other): task t becomes a thread of other's process (CLONE_VM):
 * it uses other's address space (made now if other has none yet) from its
 * next user access on; t must not have one of its own. */
static int t_share_mm(lua_State *L)
{
	struct ltask *t = running_task(L, "share_mm");
	struct ltask *o = check_task(L, 2);
	if (t->umm)
		return luaL_error(L, "share_mm: task '%s' has an address space already (share it "
				  "before its first mmap)", t->task.name);
	if (o == t)
		return luaL_error(L, "share_mm: a task cannot share its own address space");
	if (o->done)
		return luaL_error(L, "share_mm: task '%s' has exited", o->task.name);
	t->umm = task_mm(L, o, "share_mm");
	mmget(t->umm);
	return op_done(L, t, 0);
}

/* t:uwalk(uaddr) -> {present, writable, pfn, zone, node, levels, vma}: where a user
 * page lives, read from the page tables at no simulated cost */
static int t_uwalk(lua_State *L)
{
	struct ltask *t = check_task(L, 1);
	struct machine *m = t->m;
	lua_Integer a = luaL_checkinteger(L, 2);
	lua_newtable(L);
	struct mm_upage u = { 0 };
	if (t->umm && a >= 0)
		mm_uwalk(m->mm, t->umm, (uint64_t)a, &u);
	lua_pushboolean(L, u.vma);
	lua_setfield(L, -2, "vma");
	lua_pushboolean(L, u.present);
	lua_setfield(L, -2, "present");
	lua_pushinteger(L, (lua_Integer)u.levels);
	lua_setfield(L, -2, "levels");
	if (u.present) {
		lua_pushboolean(L, u.writable);
		lua_setfield(L, -2, "writable");
		lua_pushinteger(L, (lua_Integer)u.pfn);
		lua_setfield(L, -2, "pfn");
		lua_pushinteger(L, u.nid);
		lua_setfield(L, -2, "node");
		lua_pushstring(L, NODE_DATA(m->mm, u.nid)->node_zones[u.zone].name);
		lua_setfield(L, -2, "zone");
	}
	return 1;
}

/* t:mm() -> {rss, pgtables, vmas, min_flt, pgd}: the task's address space
 * (nil before its first mmap) */
static int t_mm(lua_State *L)
{
	struct ltask *t = check_task(L, 1);
	if (!t->umm) {
		lua_pushnil(L);
		return 1;
	}
	lua_newtable(L);
	lua_pushinteger(L, (lua_Integer)mm_rss(t->umm));
	lua_setfield(L, -2, "rss");
	lua_pushinteger(L, (lua_Integer)mm_nr_pgtables(t->umm));
	lua_setfield(L, -2, "pgtables");
	lua_pushinteger(L, (lua_Integer)mm_map_count(t->umm));
	lua_setfield(L, -2, "vmas");
	lua_pushinteger(L, (lua_Integer)mm_min_flt(t->umm));
	lua_setfield(L, -2, "min_flt");
	lua_pushinteger(L, (lua_Integer)mm_pgd_paddr(t->umm));
	lua_setfield(L, -2, "pgd");
	lua_pushinteger(L, mm_users(t->umm));
	lua_setfield(L, -2, "users");
	return 1;
}

/* ---- end of HighMem and DMA ----------------------------------------------- */

/*
 * The options of a touch at stack index idx, {write = true, offset = 0,
 * len = the rest}, over an object of `size` bytes: sets *off and *len and
 * returns whether it writes. A range outside the object is an error of
 * function fn naming the object as `what` ("block at pfn 8193").
 */
static int touch_options(lua_State *L, int idx, uint64_t size, const char *fn, const char *what,
			 uint64_t *off, uint64_t *len)
{
	int write = 1;
	*off = 0;
	*len = size;
	if (lua_isnoneornil(L, idx))
		return write;
	luaL_checktype(L, idx, LUA_TTABLE);
	lua_getfield(L, idx, "write");
	if (!lua_isnil(L, -1))
		write = lua_toboolean(L, -1);
	lua_getfield(L, idx, "offset");
	if (!lua_isnil(L, -1))
		*off = (uint64_t)luaL_checkinteger(L, -1);
	lua_getfield(L, idx, "len");
	if (!lua_isnil(L, -1))
		*len = (uint64_t)luaL_checkinteger(L, -1);
	else
		*len = *off < size ? size - *off : 0;
	lua_pop(L, 3);
	if (*off > size || *len > size - *off)
		luaL_error(L, "%s: bytes [%I, %I) lie outside the %I-byte %s", fn, (lua_Integer)*off,
			   (lua_Integer)(*off + *len), (lua_Integer)size, what);
	return write;
}

/* The end of every touch: len bytes at kernel virtual address vaddr through
 * the task's CPU's TLB and caches, charged, counted, and the step ended. A
 * fault is a bug (the callers only pass mapped addresses), not a misuse. */
static int touch_vaddr(lua_State *L, struct ltask *t, const char *fn, uint64_t vaddr,
		       uint64_t len, int write)
{
	struct machine *m = t->m;
	cycle_t c;
	/* One call for the range: hw_vaccess translates once per 4 KiB page
	 * (a hit after the first within a large page) and charges each line. */
	int rc = hw_vaccess(m->hw, t->task.cpu, vaddr, (unsigned)len, write, &c);
	sim_charge(&m->sim, c);
	if (rc)
		mmsim_panic("%s: fault %d at 0x%llx", fn, rc, (unsigned long long)vaddr);
	stats_hist_add(&m->hist.touch, c);
	m->ops_touch++;
	return op_done(L, t, 0);
}

/* touch(pfn [, {write=bool, offset=bytes, len=bytes}]): the task reads or
 * writes bytes of a block it allocated, as the kernel does: at the block's
 * direct-map address (page_address), through its CPU's TLB (a miss walks
 * the kernel's page tables through the caches) and then its caches. */
static int t_touch(lua_State *L)
{
	struct ltask *t = running_task(L, "touch");
	struct machine *m = t->m;
	lua_Integer pfn = luaL_checkinteger(L, 2);
	int order = pfn >= 0 ? owners_get(&m->owners, (uint64_t)pfn) : -1;
	if (order < 0 && pfn >= 0 && kmaps_find(t->pins, (uint64_t)pfn) >= 0)
		order = 0;                 /* a user page the task pinned */
	if (order < 0)
		return luaL_error(L, "touch: pfn %I is not a block this scenario allocated "
				  "(or it was freed)", pfn);
	uint64_t size = HW_PAGE_SIZE << order;
	char what[64];
	snprintf(what, sizeof what, "block at pfn %lld", (long long)pfn);
	uint64_t off, len;
	int write = touch_options(L, 3, size, "touch", what, &off, &len);
	struct page *pg = pfn_to_page(m->mm, (uint64_t)pfn);
	uint64_t vaddr = page_address(m->mm, pg) + off;
	if (PageHighMem(pg))
		vaddr = highmem_touch_addr(L, t, (uint64_t)pfn, off, len);
	return touch_vaddr(L, t, "touch", vaddr, len, write);
}

static int t_think(lua_State *L)
{
	struct ltask *t = running_task(L, "think");
	lua_Integer c = luaL_checkinteger(L, 2);
	if (c < 0)
		return luaL_error(L, "think: %I cycles: must not be negative", c);
	sim_charge(&t->m->sim, (cycle_t)c);
	t->m->ops_think++;
	return op_done(L, t, 0);
}

static int t_sleep(lua_State *L)
{
	struct ltask *t = running_task(L, "sleep");
	lua_Integer c = luaL_checkinteger(L, 2);
	if (c < 0)
		return luaL_error(L, "sleep: %I cycles: must not be negative", c);
	sim_task_sleep(&t->m->sim, (cycle_t)c);
	t->wait = true;
	return op_done(L, t, 0);
}

static int t_drain(lua_State *L)
{
	struct ltask *t = running_task(L, "drain");
	drain_local_pages(t->m->mm);
	return op_done(L, t, 0);
}

static int t_now(lua_State *L)
{
	struct ltask *t = check_task(L, 1);
	lua_pushinteger(L, (lua_Integer)sim_now(&t->m->sim));
	return 1;
}

static int t_cpu(lua_State *L)
{
	lua_pushinteger(L, check_task(L, 1)->task.cpu);
	return 1;
}

static int t_node(lua_State *L)
{
	struct ltask *t = check_task(L, 1);
	lua_pushinteger(L, t->m->desc.cpus[t->task.cpu].node);
	return 1;
}

static int t_name(lua_State *L)
{
	lua_pushstring(L, check_task(L, 1)->task.name);
	return 1;
}

static int t_tostring(lua_State *L)
{
	struct ltask *t = check_task(L, 1);
	lua_pushfstring(L, "task '%s' on cpu %d", t->task.name, t->task.cpu);
	return 1;
}

/* Continuation of a wait: true when woken, false when the timeout ended it. */
static int wait_done(lua_State *L, int status, lua_KContext ctx)
{
	(void)status;
	struct ltask *t = (struct ltask *)ctx;
	lua_pushboolean(L, !t->task.timed_out);
	return 1;
}

static struct sim_waitq *check_waitq(lua_State *L, int idx)
{
	struct sim_waitq **p = luaL_checkudata(L, idx, "mmsim.waitqueue");
	return *p;
}

/* t:wait(q [, timeout]) -> true if woken, false if the timeout passed */
static int t_wait(lua_State *L)
{
	struct ltask *t = running_task(L, "wait");
	struct sim_waitq *wq = check_waitq(L, 2);
	if (lua_isnoneornil(L, 3)) {
		sim_task_wait(&t->m->sim, wq);
	} else {
		lua_Integer c = luaL_checkinteger(L, 3);
		if (c < 0)
			return luaL_error(L, "wait: a timeout of %I cycles: must not be negative", c);
		sim_task_wait_timeout(&t->m->sim, wq, (cycle_t)c);
	}
	t->wait = true;
	return lua_yieldk(L, 0, (lua_KContext)t, wait_done);
}

/* m:waitqueue(name) -> a queue tasks wait on with t:wait and wake with q:wake */
static int m_waitqueue(lua_State *L)
{
	struct machine *m = *(struct machine **)luaL_checkudata(L, 1, "mmsim.machine");
	const char *name = luaL_optstring(L, 2, "waitqueue");
	struct sim_waitq *wq = mmsim_xcalloc(1, sizeof *wq + strlen(name) + 1);
	char *copy = (char *)(wq + 1);
	strcpy(copy, name);
	sim_waitq_init(wq, copy);
	m->waitqs = mmsim_xrealloc(m->waitqs, (size_t)(m->nwaitqs + 1) * sizeof *m->waitqs);
	m->waitqs[m->nwaitqs++] = wq;
	void **p = lua_newuserdatauv(L, sizeof(void *), 0);
	*p = wq;
	luaL_setmetatable(L, "mmsim.waitqueue");
	return 1;
}

/* q:wake([n]) -> how many were woken: the n (default all) oldest waiters
 * become runnable now, oldest first. Costs nothing; callable anywhere. */
static int q_wake(lua_State *L)
{
	struct sim_waitq *wq = check_waitq(L, 1);
	lua_Integer n = luaL_optinteger(L, 2, 0);
	if (n < 0)
		return luaL_error(L, "wake: %I tasks: must not be negative", n);
	struct run *r = get_run(L);
	lua_pushinteger(L, sim_wake_up(&r->m->sim, wq, (int)n));
	return 1;
}

/* q:waiting() -> how many tasks wait on it */
static int q_waiting(lua_State *L)
{
	lua_pushinteger(L, check_waitq(L, 1)->nr_waiting);
	return 1;
}

/* ---- Bulk helpers: looping in C, running ahead when they may ------------ */

/* alloc_bulk(n, gfp [, order]) -> {pfn, ...}: stops at the first failure. */
static int alloc_bulk_k(lua_State *L, int status, lua_KContext ctx)
{
	(void)status;
	(void)ctx;
	/* stack: 1 task, 2 n (lowered to the count at a failure), 3 gfp,
	 * 4 order, 5 result, 6 count */
	struct ltask *t = check_task(L, 1);
	struct machine *m = t->m;
	lua_Integer n = lua_tointeger(L, 2);
	lua_Integer i = lua_tointeger(L, 6);
	gfp_t gfp = (gfp_t)lua_tointeger(L, 3);
	unsigned order = (unsigned)lua_tointeger(L, 4);
	while (i < n) {
		int64_t pfn = do_alloc(m, -1, gfp, order);
		if (pfn >= 0) {
			lua_pushinteger(L, pfn);
			lua_rawseti(L, 5, ++i);
		} else {
			n = i;          /* the failed call's cycles are spent: end after it */
			lua_pushinteger(L, n);
			lua_replace(L, 2);
		}
		if (!run_ahead(t)) {
			lua_pushinteger(L, i);
			lua_replace(L, 6);
			return lua_yieldk(L, 0, 0, alloc_bulk_k);
		}
	}
	lua_pushvalue(L, 5);
	return 1;
}

static int t_alloc_bulk(lua_State *L)
{
	struct ltask *t = running_task(L, "alloc_bulk");
	lua_Integer n = luaL_checkinteger(L, 2);
	if (n < 0)
		return luaL_error(L, "alloc_bulk: %I blocks: must not be negative", n);
	gfp_t gfp = check_gfp(L, 3, "alloc_bulk");
	unsigned order = check_order(L, t->m, 4, "alloc_bulk");
	lua_settop(L, 2);
	lua_pushinteger(L, gfp);
	lua_pushinteger(L, order);
	lua_createtable(L, (int)(n < 1 << 20 ? n : 1 << 20), 0);
	lua_pushinteger(L, 0);
	return alloc_bulk_k(L, LUA_OK, 1);
}

/* free_bulk({pfn, ...} [, order]): frees each, one per step. */
static int free_bulk_k(lua_State *L, int status, lua_KContext ctx)
{
	(void)status;
	(void)ctx;
	/* stack: 1 task, 2 list, 3 order, 4 index */
	struct ltask *t = check_task(L, 1);
	lua_Integer i = lua_tointeger(L, 4);
	lua_Integer order = lua_tointeger(L, 3);
	char err[256];
	for (;; i++) {
		if (lua_rawgeti(L, 2, i) == LUA_TNIL) {
			lua_pop(L, 1);
			return 0;
		}
		if (!lua_isinteger(L, -1))
			return luaL_error(L, "free_bulk: entry %I is not a pfn", i);
		lua_Integer pfn = lua_tointeger(L, -1);
		lua_pop(L, 1);
		if (pfn < 0 || do_free(t->m, (uint64_t)pfn, order, err, sizeof err))
			return luaL_error(L, "free_bulk: entry %I: %s", i, pfn < 0 ? "negative pfn" : err);
		if (!run_ahead(t)) {
			lua_pushinteger(L, i + 1);
			lua_replace(L, 4);
			return lua_yieldk(L, 0, 0, free_bulk_k);
		}
	}
}

static int t_free_bulk(lua_State *L)
{
	running_task(L, "free_bulk");
	luaL_checktype(L, 2, LUA_TTABLE);
	lua_Integer order = luaL_optinteger(L, 3, -1);
	lua_settop(L, 2);
	lua_pushinteger(L, order);
	lua_pushinteger(L, 1);
	return free_bulk_k(L, LUA_OK, 0);
}

/*
 * churn{ops=N, gfp=..., orders={w0, w1, ...}, live=K, touch=bool}: N random
 * operations, each an allocation (of an order drawn with the weights, wi for
 * order i-1) or a free of a random live block; allocations while fewer than
 * K are live, frees when K are (or with probability 1/2 in between).
 * Randomness from the run's seeded generator. Frees everything at the end.
 * Returns {allocs=, frees=, failures=}.
 */
struct churn {
	uint64_t ops, done;
	gfp_t gfp;
	unsigned nweights;
	uint64_t weights[16], total;
	uint64_t *live;           /* pfn << 8 | order */
	size_t nlive, cap;
	bool touch;
	uint64_t allocs, frees, failures;
};

static int churn_gc(lua_State *L)
{
	struct churn *c = lua_touserdata(L, 1);
	free(c->live);
	c->live = NULL;
	return 0;
}

static int churn_k(lua_State *L, int status, lua_KContext ctx)
{
	(void)status;
	(void)ctx;
	/* stack: 1 task, 2 options, 3 churn state */
	struct ltask *t = check_task(L, 1);
	struct machine *m = t->m;
	struct churn *c = lua_touserdata(L, 3);
	struct rng *rng = &m->sim.rng;
	char err[256];
again:
	if (c->done < c->ops) {
		c->done++;
		bool do_alloc_op = c->nlive == 0 ||
			(c->nlive < c->cap && rng_below(rng, 2) == 0);
		if (do_alloc_op) {
			uint64_t x = rng_below(rng, c->total);
			unsigned order = 0;
			while (x >= c->weights[order]) {
				x -= c->weights[order];
				order++;
			}
			int64_t pfn = do_alloc(m, -1, c->gfp, order);
			if (pfn < 0) {
				c->failures++;
			} else {
				c->allocs++;
				c->live[c->nlive++] = (uint64_t)pfn << 8 | order;
				if (c->touch) {
					/* The first word, through the TLB like touch. */
					struct page *pg = pfn_to_page(m->mm, (uint64_t)pfn);
					cycle_t cy;
					if (hw_vaccess(m->hw, t->task.cpu, page_address(m->mm, pg), 8,
						       HW_WRITE, &cy))
						mmsim_panic("churn: pfn %lld: fault in the direct map",
							    (long long)pfn);
					sim_charge(&m->sim, cy);
				}
			}
		} else {
			size_t k = (size_t)rng_below(rng, c->nlive);
			uint64_t e = c->live[k];
			c->live[k] = c->live[--c->nlive];
			if (do_free(m, e >> 8, (lua_Integer)(e & 0xff), err, sizeof err))
				return luaL_error(L, "churn: %s", err);
			c->frees++;
		}
		if (run_ahead(t))
			goto again;
		return lua_yieldk(L, 0, 0, churn_k);
	}
	if (c->nlive) {
		uint64_t e = c->live[--c->nlive];
		if (do_free(m, e >> 8, (lua_Integer)(e & 0xff), err, sizeof err))
			return luaL_error(L, "churn: %s", err);
		c->frees++;
		if (run_ahead(t))
			goto again;
		return lua_yieldk(L, 0, 0, churn_k);
	}
	lua_createtable(L, 0, 3);
	lua_pushinteger(L, (lua_Integer)c->allocs);
	lua_setfield(L, -2, "allocs");
	lua_pushinteger(L, (lua_Integer)c->frees);
	lua_setfield(L, -2, "frees");
	lua_pushinteger(L, (lua_Integer)c->failures);
	lua_setfield(L, -2, "failures");
	return 1;
}

static int t_churn(lua_State *L)
{
	struct ltask *t = running_task(L, "churn");
	luaL_checktype(L, 2, LUA_TTABLE);
	lua_settop(L, 2);
	struct churn *c = lua_newuserdatauv(L, sizeof *c, 0);
	memset(c, 0, sizeof *c);
	if (luaL_newmetatable(L, "mmsim.churn")) {
		lua_pushcfunction(L, churn_gc);
		lua_setfield(L, -2, "__gc");
	}
	lua_setmetatable(L, -2);
	lua_getfield(L, 2, "ops");
	lua_Integer ops = luaL_optinteger(L, -1, 1000);
	lua_getfield(L, 2, "live");
	lua_Integer live = luaL_optinteger(L, -1, 64);
	lua_getfield(L, 2, "gfp");
	c->gfp = lua_isnil(L, -1) ? GFP_KERNEL : check_gfp(L, -1, "churn");
	lua_getfield(L, 2, "touch");
	c->touch = lua_toboolean(L, -1);
	lua_pop(L, 4);
	if (c->touch && (c->gfp & __GFP_HIGHMEM))
		return luaL_error(L, "churn: touch=true needs lowmem pages: HighMem is reached only "
				  "through kmap (not simulated yet); drop __GFP_HIGHMEM from gfp");
	if (ops < 0 || live < 1 || live > (1 << 24))
		return luaL_error(L, "churn: ops must be >= 0 and live 1..16777216");
	c->ops = (uint64_t)ops;
	c->cap = (size_t)live;
	lua_getfield(L, 2, "orders");
	if (lua_isnil(L, -1)) {
		c->nweights = 1;
		c->weights[0] = 1;
	} else {
		luaL_checktype(L, -1, LUA_TTABLE);
		lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
		if (n < 1 || n > 16 || n > (lua_Integer)mm_max_order(t->m->mm))
			return luaL_error(L, "churn: orders: 1 to %d weights (order 0 first)",
					  (int)mm_max_order(t->m->mm));
		c->nweights = (unsigned)n;
		for (lua_Integer i = 1; i <= n; i++) {
			lua_rawgeti(L, -1, i);
			lua_Integer w = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : -1;
			if (w < 0)
				return luaL_error(L, "churn: orders[%I]: a weight is an integer >= 0", i);
			c->weights[i - 1] = (uint64_t)w;
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 1);
	for (unsigned i = 0; i < c->nweights; i++)
		c->total += c->weights[i];
	if (!c->total)
		return luaL_error(L, "churn: orders: the weights add up to 0");
	c->live = mmsim_xcalloc(c->cap, sizeof *c->live);
	return churn_k(L, LUA_OK, 0);
}

/* ---- Slab allocator and kmalloc (mm/slab.h; issue 8) ---------------------- */

/* A cache as Lua sees it: a "mmsim.kmem_cache" userdata. Destroying the
 * cache through it marks it dead, so a later use is a clear error. */
struct lcache {
	kmem_cache_t *c;
	bool dead;
};

static struct lcache *check_lcache(lua_State *L, int idx, const char *fn)
{
	struct lcache *lc = luaL_checkudata(L, idx, "mmsim.kmem_cache");
	if (lc->dead)
		luaL_error(L, "%s: the cache was destroyed", fn);
	return lc;
}

/* Object addresses reach Lua as integers: kernel virtual addresses are
 * above 2^63 on x86_64, so they wrap to negative integers, which is fine
 * for comparison and printing with %x. */
static uint64_t check_kaddr(lua_State *L, int idx)
{
	return (uint64_t)luaL_checkinteger(L, idx);
}

/* Push the result of an allocation: the address, or nil when memory ran
 * out; a misuse is an error naming the function. */
static void push_obj(lua_State *L, struct machine *m, uint64_t objp, const char *fn)
{
	if (objp) {
		lua_pushinteger(L, (lua_Integer)objp);
		return;
	}
	if (mm_errno(m->mm) != MM_ENOMEM)
		luaL_error(L, "%s: %s", fn, mm_error(m->mm));
	lua_pushnil(L);
}

static unsigned long slab_flags(lua_State *L, const char *s)
{
	unsigned long f = 0;
	while (*s) {
		size_t n = strcspn(s, "|");
		char w[40];
		size_t a = 0, b = n;
		while (a < b && s[a] == ' ')
			a++;
		while (b > a && s[b - 1] == ' ')
			b--;
		if (b - a >= sizeof w)
			luaL_error(L, "kmem_cache_create: unknown flag '%.*s'", (int)(b - a), s + a);
		memcpy(w, s + a, b - a);
		w[b - a] = '\0';
		if (!strcmp(w, "SLAB_HWCACHE_ALIGN"))
			f |= SLAB_HWCACHE_ALIGN;
		else if (!strcmp(w, "SLAB_CACHE_DMA"))
			f |= SLAB_CACHE_DMA;
		else if (!strcmp(w, "SLAB_RECLAIM_ACCOUNT"))
			f |= SLAB_RECLAIM_ACCOUNT;
		else if (strcmp(w, "0") && w[0])
			luaL_error(L, "kmem_cache_create: unknown flag '%s' (known: SLAB_HWCACHE_ALIGN, "
				   "SLAB_CACHE_DMA, SLAB_RECLAIM_ACCOUNT)", w);
		s += n;
		if (*s == '|')
			s++;
	}
	return f;
}

/* t:kmem_cache_create(name, size [, {align=, flags="SLAB_HWCACHE_ALIGN|...",
 * ctor=bool}]) -> cache */
static int t_kmem_cache_create(lua_State *L)
{
	struct ltask *t = running_task(L, "kmem_cache_create");
	const char *name = luaL_checkstring(L, 2);
	lua_Integer size = luaL_checkinteger(L, 3);
	lua_Integer align = 0;
	unsigned long flags = 0;
	bool ctor = false;
	if (!lua_isnoneornil(L, 4)) {
		luaL_checktype(L, 4, LUA_TTABLE);
		lua_getfield(L, 4, "align");
		if (!lua_isnil(L, -1))
			align = luaL_checkinteger(L, -1);
		lua_getfield(L, 4, "flags");
		if (!lua_isnil(L, -1))
			flags = slab_flags(L, luaL_checkstring(L, -1));
		lua_getfield(L, 4, "ctor");
		ctor = lua_toboolean(L, -1);
		lua_pop(L, 3);
	}
	if (size < 0 || align < 0)
		return luaL_error(L, "kmem_cache_create: size and align must not be negative");
	kmem_cache_t *c = kmem_cache_create(t->m->mm, name, (size_t)size, (size_t)align, flags, ctor);
	if (!c)
		return luaL_error(L, "kmem_cache_create: %s", mm_error(t->m->mm));
	struct lcache *lc = lua_newuserdatauv(L, sizeof *lc, 0);
	lc->c = c;
	lc->dead = false;
	luaL_setmetatable(L, "mmsim.kmem_cache");
	return op_done(L, t, 1);
}

/* t:kmem_cache_alloc(cache, gfp) -> address or nil */
static int t_kmem_cache_alloc(lua_State *L)
{
	struct ltask *t = running_task(L, "kmem_cache_alloc");
	struct lcache *lc = check_lcache(L, 2, "kmem_cache_alloc");
	gfp_t gfp = task_gfp(L, t->m, 3, "kmem_cache_alloc");
	push_obj(L, t->m, kmem_cache_alloc(t->m->mm, lc->c, gfp), "kmem_cache_alloc");
	return op_done(L, t, 1);
}

/* t:kmem_cache_free(cache, address) */
static int t_kmem_cache_free(lua_State *L)
{
	struct ltask *t = running_task(L, "kmem_cache_free");
	struct lcache *lc = check_lcache(L, 2, "kmem_cache_free");
	if (kmem_cache_free(t->m->mm, lc->c, check_kaddr(L, 3)))
		return luaL_error(L, "%s", mm_error(t->m->mm));
	return op_done(L, t, 0);
}

/* t:kmem_cache_shrink(cache) -> true if slabs remain */
static int t_kmem_cache_shrink(lua_State *L)
{
	struct ltask *t = running_task(L, "kmem_cache_shrink");
	struct lcache *lc = check_lcache(L, 2, "kmem_cache_shrink");
	int rc = kmem_cache_shrink(t->m->mm, lc->c);
	if (rc < 0)
		return luaL_error(L, "%s", mm_error(t->m->mm));
	lua_pushboolean(L, rc);
	return op_done(L, t, 1);
}

/* t:kmem_cache_destroy(cache): an error if objects are live */
static int t_kmem_cache_destroy(lua_State *L)
{
	struct ltask *t = running_task(L, "kmem_cache_destroy");
	struct lcache *lc = check_lcache(L, 2, "kmem_cache_destroy");
	if (kmem_cache_destroy(t->m->mm, lc->c))
		return luaL_error(L, "%s", mm_error(t->m->mm));
	lc->dead = true;
	lc->c = NULL;
	return op_done(L, t, 0);
}

/* t:kmalloc(size, gfp) -> address or nil */
static int t_kmalloc(lua_State *L)
{
	struct ltask *t = running_task(L, "kmalloc");
	lua_Integer size = luaL_checkinteger(L, 2);
	gfp_t gfp = task_gfp(L, t->m, 3, "kmalloc");
	if (size < 0)
		return luaL_error(L, "kmalloc: size %I must not be negative", size);
	push_obj(L, t->m, kmalloc(t->m->mm, (size_t)size, gfp), "kmalloc");
	return op_done(L, t, 1);
}

/* t:kfree(address) */
static int t_kfree(lua_State *L)
{
	struct ltask *t = running_task(L, "kfree");
	if (kfree(t->m->mm, check_kaddr(L, 2)))
		return luaL_error(L, "%s", mm_error(t->m->mm));
	return op_done(L, t, 0);
}

/* t:ksize(address) -> bytes (0: not a live object); costs nothing */
static int t_ksize(lua_State *L)
{
	struct ltask *t = check_task(L, 1);
	lua_pushinteger(L, (lua_Integer)ksize(t->m->mm, check_kaddr(L, 2)));
	return 1;
}

/* t:kmem_touch(address [, {offset=, len=, write=}]): read or write bytes of
 * a live slab object through the CPU's TLB and caches, like t:touch. */
static int t_kmem_touch(lua_State *L)
{
	struct ltask *t = running_task(L, "kmem_touch");
	struct machine *m = t->m;
	uint64_t objp = check_kaddr(L, 2);
	size_t size = kmem_object_size(m->mm, objp);
	if (!size) {
		char a[32];
		snprintf(a, sizeof a, "0x%llx", (unsigned long long)objp);
		return luaL_error(L, "kmem_touch: %s is not a live slab object", a);
	}
	uint64_t off, len;
	int write = touch_options(L, 3, size, "kmem_touch", "object", &off, &len);
	return touch_vaddr(L, t, "kmem_touch", objp + off, len, write);
}

/* c:info() -> {name=, objsize=, num=, gfporder=, colour=, ...} */
static int c_info(lua_State *L)
{
	struct lcache *lc = check_lcache(L, 1, "info");
	struct kmem_cache_info in;
	kmem_cache_get_info(NULL, lc->c, &in);
	lua_createtable(L, 0, 24);
	lua_pushstring(L, in.name);
	lua_setfield(L, -2, "name");
	lua_pushboolean(L, in.off_slab);
	lua_setfield(L, -2, "off_slab");
	const struct { const char *k; lua_Integer v; } f[] = {
		{"objsize", in.objsize}, {"align", in.align}, {"num", in.num},
		{"gfporder", in.gfporder}, {"left_over", in.left_over}, {"colour", in.colour},
		{"colour_off", in.colour_off}, {"colour_next", in.colour_next},
		{"slab_size", in.slab_size}, {"limit", in.limit}, {"batchcount", in.batchcount},
		{"shared", in.shared}, {"free_limit", in.free_limit},
		{"slabs_full", (lua_Integer)in.slabs_full}, {"slabs_partial", (lua_Integer)in.slabs_partial},
		{"slabs_free", (lua_Integer)in.slabs_free}, {"free_objects", (lua_Integer)in.free_objects},
		{"active_objs", (lua_Integer)in.active_objs}, {"num_objs", (lua_Integer)in.num_objs},
		{"shared_avail", in.shared_avail}, {"allocs", (lua_Integer)in.allocs},
		{"frees", (lua_Integer)in.frees}, {"grown", (lua_Integer)in.grown},
		{"destroyed_slabs", (lua_Integer)in.destroyed_slabs}, {"refills", (lua_Integer)in.refills},
		{"flushes", (lua_Integer)in.flushes},
	};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		lua_pushinteger(L, f[i].v);
		lua_setfield(L, -2, f[i].k);
	}
	return 1;
}

/* c:avail(cpu) -> objects in that CPU's array cache */
static int c_avail(lua_State *L)
{
	struct lcache *lc = check_lcache(L, 1, "avail");
	lua_Integer cpu = luaL_checkinteger(L, 2);
	int ncpus = get_run(L)->m->desc.nr_cpus;
	if (cpu < 0 || cpu >= ncpus)   /* found by tests/fuzz/lua_api.c */
		return luaL_error(L, "avail: cpu %I does not exist (the machine has %d)", cpu, ncpus);
	lua_pushinteger(L, kmem_cache_cpu_avail(lc->c, (int)cpu));
	return 1;
}

static int c_tostring(lua_State *L)
{
	struct lcache *lc = luaL_checkudata(L, 1, "mmsim.kmem_cache");
	if (lc->dead)
		lua_pushstring(L, "kmem_cache (destroyed)");
	else
		lua_pushfstring(L, "kmem_cache %s", kmem_cache_name(lc->c));
	return 1;
}

static const luaL_Reg kmem_cache_methods[] = {
	{"info", c_info},
	{"avail", c_avail},
	{NULL, NULL},
};

/* ---- end of the slab section ---------------------------------------------- */

/* ---- vmalloc (mm/vmalloc.h; issue 8) -------------------------------------- */

/* t:vmalloc(size [, gfp]) -> address or nil (gfp defaults to
 * "GFP_KERNEL|__GFP_HIGHMEM", vmalloc's own) */
static int t_vmalloc(lua_State *L)
{
	struct ltask *t = running_task(L, "vmalloc");
	lua_Integer size = luaL_checkinteger(L, 2);
	if (size < 0)
		return luaL_error(L, "vmalloc: size %I must not be negative", size);
	gfp_t gfp = lua_isnoneornil(L, 3) ? GFP_KERNEL | __GFP_HIGHMEM : task_gfp(L, t->m, 3, "vmalloc");
	push_obj(L, t->m, __vmalloc(t->m->mm, (size_t)size, gfp), "vmalloc");
	return op_done(L, t, 1);
}

/* t:vfree(address) */
static int t_vfree(lua_State *L)
{
	struct ltask *t = running_task(L, "vfree");
	if (vfree(t->m->mm, check_kaddr(L, 2)))
		return luaL_error(L, "%s", mm_error(t->m->mm));
	return op_done(L, t, 0);
}

/* t:vtouch(address [, {offset=, len=, write=}]): bytes of a vmalloc area
 * through the TLB (4 KiB entries: a walk of every level on a miss). */
static int t_vtouch(lua_State *L)
{
	struct ltask *t = running_task(L, "vtouch");
	struct machine *m = t->m;
	uint64_t addr = check_kaddr(L, 2);
	uint64_t size;
	uint64_t start = vmalloc_area_of(m->mm, addr, &size, NULL);
	if (!start || start != addr) {
		char a[32];
		snprintf(a, sizeof a, "0x%llx", (unsigned long long)addr);
		return luaL_error(L, "vtouch: %s is not the start of a vmalloc area", a);
	}
	uint64_t off, len;
	int write = touch_options(L, 3, size, "vtouch", "area", &off, &len);
	return touch_vaddr(L, t, "vtouch", addr + off, len, write);
}

/* ---- end of the vmalloc section ------------------------------------------- */

/* ---- The machine ------------------------------------------------------------ */

static struct machine *check_machine(lua_State *L, int idx)
{
	struct machine **p = luaL_checkudata(L, idx, "mmsim.machine");
	return *p;
}

static struct machine *check_kernel(lua_State *L, int idx)
{
	struct machine **p = luaL_checkudata(L, idx, "mmsim.kernel");
	return *p;
}

static void push_ptr_udata(lua_State *L, void *ptr, const char *tname)
{
	void **p = lua_newuserdatauv(L, sizeof ptr, 0);
	*p = ptr;
	luaL_setmetatable(L, tname);
}

/* mmsim.machine(desc): desc is a preset name, a JSON file name (ending in
 * .json), or a table: {preset=, mem=, cpus=N} or a full description in the
 * JSON format's shape (docs/machines.md). */
static const char *knob_text(lua_State *L, int idx, const char *name);

static int l_machine(lua_State *L)
{
	struct run *r = get_run(L);
	if (r->m)
		return luaL_error(L, "machine: a scenario builds one machine (this one has %s)",
				  r->m->desc.name);
	struct hw_machine_desc d;
	struct hw_import *imp = NULL;
	unsigned capture_what = 0;
	char err[512];
	int rc;
	if (lua_type(L, 1) == LUA_TSTRING) {
		const char *s = lua_tostring(L, 1);
		size_t n = strlen(s);
		rc = n > 5 && !strcmp(s + n - 5, ".json") ? hw_desc_load(s, &d, err, sizeof err)
							  : hw_preset(s, 0, 0, &d, err, sizeof err);
	} else {
		luaL_checktype(L, 1, LUA_TTABLE);
		lua_settop(L, 1);
		lua_getfield(L, 1, "file");
		lua_getfield(L, 1, "from");
		if (lua_type(L, -1) == LUA_TSTRING) {
			/* A real machine's captured /proc and /sys (hw_import_dir),
			 * and optionally its state at capture. */
			int top = lua_gettop(L);
			lua_getfield(L, 1, "capture");
			if (!lua_isnil(L, -1)) {
				const char *text = lua_type(L, -1) == LUA_TTABLE ? knob_text(L, -1, "capture")
										  : lua_tostring(L, -1);
				if (!text)
					return luaL_error(L, "machine: capture: a string or a list of strings");
				if (mm_capture_parse(text, &capture_what, err, sizeof err))
					return luaL_error(L, "machine: capture: %s", err);
			}
			lua_settop(L, top);
			imp = mmsim_xcalloc(1, sizeof *imp);
			rc = hw_import_dir(lua_tostring(L, -1), imp, err, sizeof err);
			d = imp->desc;
			if (rc)
				free(imp), imp = NULL;
		} else if (lua_type(L, -2) == LUA_TSTRING) {
			rc = hw_desc_load(lua_tostring(L, -2), &d, err, sizeof err);
		} else {
			lua_pop(L, 1);
			lua_pop(L, 1);
			/* `cpus = N` is the count (the sketch's spelling); the JSON
			 * format's "cpus" is the list. */
			lua_getfield(L, 1, "cpus");
			bool cpus_count = lua_type(L, -1) == LUA_TNUMBER;
			lua_pop(L, 1);
			cJSON *j = lua_to_json(L, 1, "", 0, err, sizeof err);
			if (!j)
				return luaL_error(L, "%s", err);
			if (cpus_count) {
				cJSON *c = cJSON_DetachItemFromObjectCaseSensitive(j, "cpus");
				cJSON_AddItemToObject(j, "nr_cpus", c);
			}
			rc = hw_desc_from_cjson(j, "machine", &d, err, sizeof err);
			cJSON_Delete(j);
		}
	}
	if (rc)
		return luaL_error(L, "%s", err);

	struct machine *m = mmsim_xcalloc(1, sizeof *m);
	m->run = r;
	m->desc = d;
	if (imp) {
		snprintf(m->import_knobs[0], 64, "%s", imp->watermark_scale_factor);
		snprintf(m->import_knobs[1], 64, "%s", imp->lowmem_reserve_ratio);
		snprintf(m->import_knobs[2], 64, "%s", imp->percpu_pagelist_high_fraction);
		m->import_thp_off = !strcmp(imp->thp, "never");
		if (capture_what) {
			m->capture_imp = imp;
			m->capture_what = capture_what;
		} else {
			free(imp);
		}
	}
	m->hw = hw_create(&m->desc, err, sizeof err);
	if (!m->hw) {
		free(m);
		return luaL_error(L, "machine: %s", err);
	}
	sim_init(&m->sim, d.nr_cpus, r->o->seed);
	m->sim.mem = hw_memport(m->hw);
	m->sim.max_cycles = r->o->max_cycles;
	for (int c = 0; c < d.nr_cpus; c++)
		m->sim.cpus[c].hz = d.cpus[c].hz;
	m->last_stop = SIM_STOP_NONE;
	r->m = m;
	push_ptr_udata(L, m, "mmsim.machine");
	return 1;
}

/* A Lua value as a policy knob's text: strings as they are, numbers in
 * decimal, booleans as on/off, arrays joined with commas. */
static const char *knob_text(lua_State *L, int idx, const char *name)
{
	idx = lua_absindex(L, idx);
	switch (lua_type(L, idx)) {
	case LUA_TBOOLEAN:
		return lua_toboolean(L, idx) ? "on" : "off";
	case LUA_TNUMBER:
	case LUA_TSTRING:
		return lua_tostring(L, idx);
	case LUA_TTABLE: {
		luaL_Buffer b;
		luaL_buffinit(L, &b);
		lua_Integer n = (lua_Integer)lua_rawlen(L, idx);
		for (lua_Integer i = 1; i <= n; i++) {
			lua_rawgeti(L, idx, i);
			if (i > 1)
				luaL_addchar(&b, ',');
			luaL_addvalue(&b);
		}
		luaL_pushresult(&b);
		return lua_tostring(L, -1);
	}
	default:
		luaL_error(L, "boot: %s: a %s is not a knob value", name, luaL_typename(L, idx));
		return NULL;
	}
}

/* Start the recurring snapshot event after `every` cycles. */
static void snapshot_fire(struct sim *s, struct sim_event *ev);

/* m:boot{era=..., knob=value, ...} -> kernel */
static int m_boot(lua_State *L)
{
	struct machine *m = check_machine(L, 1);
	struct run *r = m->run;
	if (m->booted)
		return luaL_error(L, "boot: the machine is booted already");
	mm_policy_default(&m->policy);
	char err[512];
	static const char *const import_names[3] = { "watermark_scale_factor", "lowmem_reserve_ratio",
						      "percpu_pagelist_high_fraction" };
	for (int i = 0; i < 3; i++)
		if (m->import_knobs[i][0] &&
		    mm_policy_set(&m->policy, import_names[i], m->import_knobs[i], err, sizeof err))
			return luaL_error(L, "boot: the imported proc/sys/vm/%s", err);
	if (m->import_thp_off)
		m->policy.thp = false;
	if (!lua_isnoneornil(L, 2)) {
		luaL_checktype(L, 2, LUA_TTABLE);
		/* Knobs in name order: the first bad one reported is always the same. */
		const char *keys[64];
		size_t n = 0;
		lua_pushnil(L);
		while (lua_next(L, 2)) {
			lua_pop(L, 1);
			if (lua_type(L, -1) != LUA_TSTRING)
				return luaL_error(L, "boot: knob names are strings");
			if (n == 64)
				return luaL_error(L, "boot: too many knobs");
			keys[n++] = lua_tostring(L, -1);
		}
		qsort(keys, n, sizeof keys[0], key_cmp);
		for (size_t i = 0; i < n; i++) {
			lua_getfield(L, 2, keys[i]);
			const char *v = knob_text(L, -1, keys[i]);
			if (mm_policy_set(&m->policy, keys[i], v, err, sizeof err))
				return luaL_error(L, "boot: %s", err);
			lua_settop(L, 2);
		}
	}
	/* The command line's -P knobs win over the scenario's. */
	for (int i = 0; i < r->o->npolicy; i++)
		if (mm_policy_parse(&m->policy, r->o->policy[i], err, sizeof err))
			return luaL_error(L, "-P %s: %s", r->o->policy[i], err);
	hw_set_cost_model(m->hw, m->policy.hw);
	m->mm = mm_boot(&m->sim, &m->desc, &m->policy, r->trace, err, sizeof err);
	if (!m->mm)
		return luaL_error(L, "boot: %s", err);
	m->booted = true;
	if (m->capture_imp && mm_apply_capture(m->mm, m->capture_imp, m->capture_what, err, sizeof err))
		return luaL_error(L, "boot: capture: %s", err);
	/* Kernel virtual addresses go through the kernel's page tables. */
	struct hw_mmu mmu = mm_kernel_mmu(m->mm);
	for (int c = 0; c < m->desc.nr_cpus; c++)
		hw_set_mmu(m->hw, c, &mmu);
	vmalloc_set_hw(m->mm, m->hw);   /* vfree's TLB flushes (issue 8) */
	mm_set_hw(m->mm, m->hw);   /* kmap's TLB invalidations */

	m->stats = stats_create();
	static const struct stats_def sim_defs[SIM_NR_COUNTERS] = {
		[SIM_CNT_EVENTS] = {"events", "events processed"},
		[SIM_CNT_STEPS] = {"steps", "task steps run"},
		[SIM_CNT_DEFERRALS] = {"deferrals", "task steps deferred: their CPU was busy"},
		[SIM_CNT_WAITS] = {"waits", "waits on wait queues"},
		[SIM_CNT_WAKEUPS] = {"wakeups", "tasks woken"},
		[SIM_CNT_TIMEOUTS] = {"timeouts", "waits that timed out"},
		[SIM_CNT_SLEEPS] = {"sleeps", "sleeps"},
	};
	stats_add_counters(m->stats, "sim", sim_defs, SIM_NR_COUNTERS, m->sim.count);
	stats_add_counter(m->stats, "ops.alloc", "allocations asked for by tasks", &m->ops_alloc);
	stats_add_counter(m->stats, "ops.alloc_failed", "of which failed", &m->ops_alloc_failed);
	stats_add_counter(m->stats, "ops.free", "frees by tasks", &m->ops_free);
	stats_add_counter(m->stats, "ops.touch", "touches by tasks", &m->ops_touch);
	stats_add_counter(m->stats, "ops.think", "think calls", &m->ops_think);
	stats_add_hist(m->stats, "ops.alloc_cycles", "cycles per allocation", &m->hist.alloc);
	stats_add_hist(m->stats, "ops.free_cycles", "cycles per free", &m->hist.free);
	stats_add_hist(m->stats, "ops.touch_cycles", "cycles per touch", &m->hist.touch);
	mm_register_stats(m->mm, m->stats);
	hw_register_stats(m->hw, m->stats);

	write_header(r);
	if (r->o->snapshot_every) {
		sim_event_init(&m->snap_ev, snapshot_fire, SIM_PRIO_STATS, -1);
		sim_schedule(&m->sim, &m->snap_ev, m->sim.now + r->o->snapshot_every);
	}
	push_ptr_udata(L, m, "mmsim.kernel");
	return 1;
}

static void snapshot_fire(struct sim *s, struct sim_event *ev)
{
	struct machine *m = (struct machine *)((char *)ev - offsetof(struct machine, snap_ev));
	write_snapshot(m, false);
	/* Only while something else is going on: the snapshot event alone must
	 * not keep an idle simulation alive. */
	if (ev_count(&s->queue) > 0)
		sim_schedule(s, ev, s->now + m->run->o->snapshot_every);
}

/* m:spawn{cpu=, name=, fn=, at=} -> task */
static int m_spawn(lua_State *L)
{
	struct machine *m = check_machine(L, 1);
	luaL_checktype(L, 2, LUA_TTABLE);
	if (!m->booted)
		return luaL_error(L, "spawn: boot the machine first (m:boot{...})");
	lua_getfield(L, 2, "cpu");
	lua_Integer cpu = luaL_optinteger(L, -1, 0);
	lua_getfield(L, 2, "name");
	const char *name = luaL_optstring(L, -1, NULL);
	lua_getfield(L, 2, "at");
	lua_Integer at = luaL_optinteger(L, -1, (lua_Integer)m->sim.now);
	lua_getfield(L, 2, "fn");
	if (lua_type(L, -1) != LUA_TFUNCTION)
		return luaL_error(L, "spawn: fn must be a function (the task's body)");
	if (cpu < 0 || cpu >= m->desc.nr_cpus)
		return luaL_error(L, "spawn: cpu %I does not exist (the machine has %d)", cpu,
				  m->desc.nr_cpus);
	if (at < (lua_Integer)m->sim.now)
		return luaL_error(L, "spawn: at %I is in the past (now is %I)", at,
				  (lua_Integer)m->sim.now);

	struct ltask *t = mmsim_xcalloc(1, sizeof *t);
	t->m = m;
	char def[32];
	if (!name) {
		snprintf(def, sizeof def, "task%d", m->ntasks);
		name = def;
	}
	sim_task_init(&m->sim, &t->task, name, (int)cpu, ltask_step, t);
	if (m->ntasks == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 16;
		m->tasks = mmsim_xrealloc(m->tasks, (size_t)m->cap * sizeof *m->tasks);
	}
	m->tasks[m->ntasks++] = t;

	t->co = lua_newthread(L);
	t->co_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_pushvalue(L, -1);              /* fn */
	lua_xmove(L, t->co, 1);
	push_ptr_udata(L, t, "mmsim.task");
	lua_pushvalue(L, -1);
	lua_xmove(L, t->co, 1);            /* the task is fn's argument */
	t->nargs = 1;
	sim_task_start(&m->sim, &t->task, (cycle_t)at);
	struct run *r = m->run;
	if (trace_enabled(r->trace, r->ev_task_start)) {
		trace_begin(r->trace, r->ev_task_start, (cycle_t)at, (int)cpu, t->task.name);
		trace_end(r->trace);
	}
	return 1;
}

static void progress(struct run *r, bool final)
{
	struct machine *m = r->m;
	double now = host_now();
	if (!final && now - r->last_progress < 0.5)
		return;
	r->last_progress = now;
	double el = now - r->t0;
	fprintf(stderr, "\rmmsim: %llu cycles, %llu events, %.1f M events/s   ",
		(unsigned long long)m->sim.now, (unsigned long long)m->sim.count[SIM_CNT_EVENTS],
		el > 0 ? (double)m->sim.count[SIM_CNT_EVENTS] / el / 1e6 : 0.0);
	if (final)
		fputc('\n', stderr);
}

/* m:run{max_cycles=} -> why it stopped ("empty", "max_cycles", ...) */
static int m_run(lua_State *L)
{
	struct machine *m = check_machine(L, 1);
	struct run *r = m->run;
	if (m->sim.running)
		return luaL_error(L, "run: the simulation is running already (called from a task?)");
	cycle_t saved = m->sim.max_cycles;
	if (lua_istable(L, 2)) {
		lua_getfield(L, 2, "max_cycles");
		if (!lua_isnil(L, -1)) {
			lua_Integer c = luaL_checkinteger(L, -1);
			if (c < 0)
				return luaL_error(L, "run: max_cycles must not be negative");
			if ((cycle_t)c < m->sim.max_cycles)
				m->sim.max_cycles = (cycle_t)c;
		}
		lua_pop(L, 1);
	}
	bool show = !r->o->quiet && isatty(2);
	bool shown = false;
	enum sim_stop why;
	/* In slices of events, so a long run can show progress. sim_run starts
	 * the watchdog's budget afresh at each call, so the slices keep their
	 * own count of events at one cycle across calls. */
	cycle_t stall_at = m->sim.now;
	uint64_t stall_from = m->sim.count[SIM_CNT_EVENTS];
	for (;;) {
		m->sim.max_events = m->sim.count[SIM_CNT_EVENTS] + 1000000;
		why = sim_run(&m->sim);
		if (why != SIM_STOP_MAX_EVENTS)
			break;
		if (m->sim.now != stall_at) {
			stall_at = m->sim.now;
			stall_from = m->sim.count[SIM_CNT_EVENTS];
		} else if (m->sim.watchdog_events &&
			   m->sim.count[SIM_CNT_EVENTS] - stall_from >= m->sim.watchdog_events) {
			why = SIM_STOP_WATCHDOG;
			break;
		}
		if (show && host_now() - r->t0 > 2.0) {
			progress(r, false);
			shown = true;
		}
	}
	if (shown)
		progress(r, true);
	m->sim.max_events = UINT64_MAX;
	bool cmdline_limit = m->sim.max_cycles == r->o->max_cycles;
	m->sim.max_cycles = saved;
	m->last_stop = why;
	m->ran = true;
	if (r->failed) {
		/* The task's message (without its traceback, which the runner
		 * prints): a script that catches it with pcall sees what failed. */
		const char *nl = strchr(r->failure, '\n');
		lua_pushlstring(L, r->failure, nl ? (size_t)(nl - r->failure) : strlen(r->failure));
		return lua_error(L);
	}
	if (why == SIM_STOP_MAX_CYCLES && cmdline_limit && r->o->max_cycles != CYCLE_MAX) {
		/* The command line's limit, unlike a scenario's own
		 * m:run{max_cycles=}, means the run did not finish. */
		char msg[160];
		snprintf(msg, sizeof msg, "the simulation was stopped at --max-cycles %llu before "
			 "it finished", (unsigned long long)r->o->max_cycles);
		return luaL_error(L, "run: %s", msg);
	}
	if (why == SIM_STOP_EMPTY) {
		/* Nothing left to happen, yet a task waits: nothing will ever wake
		 * it. Say which, rather than end as if all went well. */
		for (int i = 0; i < m->ntasks; i++) {
			struct sim_task *st = &m->tasks[i]->task;
			if (st->state == SIM_TASK_WAITING) {
				char msg[200];
				snprintf(msg, sizeof msg, "task '%s' waits on '%s' and nothing is left "
					 "to wake it", st->name, st->wq ? st->wq->name : "?");
				return luaL_error(L, "run: %s", msg);
			}
		}
	}
	if (why == SIM_STOP_WATCHDOG)
		return luaL_error(L, "run: the simulation made no progress at cycle %I (a task "
				  "loops without spending cycles?)", (lua_Integer)m->sim.now);
	lua_pushstring(L, sim_stop_name(why));
	return 1;
}

static int m_now(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)check_machine(L, 1)->sim.now);
	return 1;
}

static int m_ncpus(lua_State *L)
{
	lua_pushinteger(L, check_machine(L, 1)->desc.nr_cpus);
	return 1;
}

static int m_nnodes(lua_State *L)
{
	lua_pushinteger(L, check_machine(L, 1)->desc.nr_nodes);
	return 1;
}

static int m_cpu_node(lua_State *L)
{
	struct machine *m = check_machine(L, 1);
	lua_Integer c = luaL_checkinteger(L, 2);
	if (c < 0 || c >= m->desc.nr_cpus)
		return luaL_error(L, "cpu_node: cpu %I does not exist", c);
	lua_pushinteger(L, m->desc.cpus[c].node);
	return 1;
}

/* m:stats() -> {name = value, ...}: every counter, histograms as tables. */
static int m_stats(lua_State *L)
{
	struct machine *m = check_machine(L, 1);
	lua_newtable(L);
	if (!m->stats)
		return 1;
	for (size_t i = 0; i < stats_count(m->stats); i++) {
		const struct stats_hist *h = stats_hist(m->stats, i);
		if (h) {
			lua_createtable(L, 0, 6);
			lua_pushinteger(L, (lua_Integer)h->count);
			lua_setfield(L, -2, "count");
			lua_pushnumber(L, stats_hist_mean(h));
			lua_setfield(L, -2, "mean");
			lua_pushinteger(L, (lua_Integer)stats_hist_percentile(h, 50));
			lua_setfield(L, -2, "p50");
			lua_pushinteger(L, (lua_Integer)stats_hist_percentile(h, 90));
			lua_setfield(L, -2, "p90");
			lua_pushinteger(L, (lua_Integer)stats_hist_percentile(h, 99));
			lua_setfield(L, -2, "p99");
			lua_pushinteger(L, (lua_Integer)h->max);
			lua_setfield(L, -2, "max");
		} else {
			lua_pushinteger(L, (lua_Integer)stats_value(m->stats, i));
		}
		lua_setfield(L, -2, stats_name(m->stats, i));
	}
	return 1;
}

/* ---- The kernel's views ------------------------------------------------------ */

/* k:sysctl(name, value): a run-time write to /proc/sys/vm/name
 * (mm_sysctl_write: what the era's handler recomputes). */
static int k_sysctl(lua_State *L)
{
	struct machine *m = check_kernel(L, 1);
	const char *name = luaL_checkstring(L, 2);
	const char *v = luaL_tolstring(L, 3, NULL);
	char err[512];
	if (mm_sysctl_write(m->mm, name, v, err, sizeof err))
		return luaL_error(L, "%s", err);
	return 0;
}

static int k_proc(lua_State *L)
{
	struct machine *m = check_kernel(L, 1);
	const char *name = luaL_checkstring(L, 2);
	const char *const *v = mm_view_names(m->mm);
	while (*v && strcmp(*v, name))
		v++;
	if (!*v) {
		luaL_Buffer b;
		luaL_buffinit(L, &b);
		for (v = mm_view_names(m->mm); *v; v++) {
			luaL_addstring(&b, *v);
			if (v[1])
				luaL_addstring(&b, ", ");
		}
		luaL_pushresult(&b);
		return luaL_error(L, "proc: no view '%s' (known: %s)", name, lua_tostring(L, -1));
	}
	/* k:proc("numastat", nid): one node's file alone. */
	if (!lua_isnoneornil(L, 3)) {
		lua_Integer nid = luaL_checkinteger(L, 3);
		if (strcmp(name, "numastat") && strcmp(name, "node_meminfo"))
			return luaL_error(L, "proc: view '%s' takes no node (only numastat and node_meminfo do)", name);
		if (nid < 0 || nid >= mm_nr_nodes(m->mm))
			return luaL_error(L, "proc: %s: no node %d (the machine's nodes are 0 to %d)", name, (int)nid,
					  mm_nr_nodes(m->mm) - 1);
		size_t need = mm_node_view(m->mm, name, (int)nid, NULL, 0);
		if (mm_errno(m->mm))
			return luaL_error(L, "proc: %s", mm_error(m->mm));
		char *buf = mmsim_xmalloc(need + 1);
		mm_node_view(m->mm, name, (int)nid, buf, need + 1);
		lua_pushlstring(L, buf, need);
		free(buf);
		return 1;
	}
	size_t need = mm_view(m->mm, name, NULL, 0);
	/* a view the machine's kernel lacks (the per-node files without
	 * CONFIG_NUMA); mm_node_view clears mm_errno first, mm_view does not */
	if ((!strcmp(name, "numastat") || !strcmp(name, "node_meminfo")) && mm_errno(m->mm))
		return luaL_error(L, "proc: %s", mm_error(m->mm));
	char *buf = mmsim_xmalloc(need + 1);
	mm_view(m->mm, name, buf, need + 1);
	lua_pushlstring(L, buf, need);
	free(buf);
	return 1;
}

/* A new table for one zone, {node=, zone=, ...}, on the stack. */
static void push_zone_table(lua_State *L, int nid, const struct zone *z, int nfields)
{
	lua_createtable(L, 0, nfields);
	lua_pushinteger(L, nid);
	lua_setfield(L, -2, "node");
	lua_pushstring(L, z->name);
	lua_setfield(L, -2, "zone");
}

/* k:zones() -> {{node=, zone=, free=, min=, low=, high=, managed=, present=,
 * spanned=, start_pfn=, nr_free={...}}, ...}: buddyinfo and zoneinfo as data. */
static int k_zones(lua_State *L)
{
	struct machine *m = check_kernel(L, 1);
	lua_newtable(L);
	int n = 0;
	for (int nid = 0; nid < mm_nr_nodes(m->mm); nid++) {
		pg_data_t *pgdat = NODE_DATA(m->mm, nid);
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			struct zone *z = &pgdat->node_zones[j];
			if (!z->present_pages)
				continue;
			push_zone_table(L, nid, z, 12);
			const struct { const char *k; unsigned long v; } f[] = {
				{"free", z->free_pages}, {"min", z->pages_min},
				{"low", z->pages_low}, {"high", z->pages_high},
				{"managed", z->managed_pages}, {"present", z->present_pages},
				{"spanned", z->spanned_pages}, {"start_pfn", z->zone_start_pfn},
			};
			for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
				lua_pushinteger(L, (lua_Integer)f[i].v);
				lua_setfield(L, -2, f[i].k);
			}
			lua_createtable(L, (int)mm_max_order(m->mm), 0);
			for (unsigned o = 0; o < mm_max_order(m->mm); o++) {
				lua_pushinteger(L, (lua_Integer)z->free_area[o].nr_free);
				lua_rawseti(L, -2, o + 1);
			}
			lua_setfield(L, -2, "nr_free");
			lua_rawseti(L, -2, ++n);
		}
	}
	return 1;
}

static void push_list(lua_State *L, struct machine *m, int nid, int zone, int list)
{
	size_t n = mm_list_pfns(m->mm, nid, zone, list, NULL, 0);
	uint64_t *pfns = mmsim_xmalloc((n ? n : 1) * sizeof *pfns);
	mm_list_pfns(m->mm, nid, zone, list, pfns, n);
	lua_createtable(L, (int)n, 0);
	for (size_t i = 0; i < n; i++) {
		lua_pushinteger(L, (lua_Integer)pfns[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	free(pfns);
}

/* k:freelists() -> {{node=, zone=, orders={{pfn, ...} per order, head
 * first}, pcp={{cpu=, hot={...}, cold={...}}, ...}}, ...} */
static int k_freelists(lua_State *L)
{
	struct machine *m = check_kernel(L, 1);
	lua_newtable(L);
	int n = 0;
	for (int nid = 0; nid < mm_nr_nodes(m->mm); nid++) {
		pg_data_t *pgdat = NODE_DATA(m->mm, nid);
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			struct zone *z = &pgdat->node_zones[j];
			if (!z->present_pages)
				continue;
			push_zone_table(L, nid, z, 4);
			lua_createtable(L, (int)mm_max_order(m->mm), 0);
			for (unsigned o = 0; o < mm_max_order(m->mm); o++) {
				push_list(L, m, nid, j, (int)o);
				lua_rawseti(L, -2, o + 1);
			}
			lua_setfield(L, -2, "orders");
			lua_createtable(L, m->desc.nr_cpus, 0);
			for (int cpu = 0; cpu < m->desc.nr_cpus; cpu++) {
				lua_createtable(L, 0, 3);
				lua_pushinteger(L, cpu);
				lua_setfield(L, -2, "cpu");
				push_list(L, m, nid, j, MM_PCP_LIST(cpu, 0));
				lua_setfield(L, -2, "hot");
				push_list(L, m, nid, j, MM_PCP_LIST(cpu, 1));
				lua_setfield(L, -2, "cold");
				lua_rawseti(L, -2, cpu + 1);
			}
			lua_setfield(L, -2, "pcp");
			lua_rawseti(L, -2, ++n);
		}
	}
	return 1;
}

/* k:vmstat() -> {pgalloc_normal = N, ...} */
static int k_vmstat(lua_State *L)
{
	struct machine *m = check_kernel(L, 1);
	lua_createtable(L, 0, NR_VM_EVENT_ITEMS);
	for (int i = 0; i < NR_VM_EVENT_ITEMS; i++) {
		lua_pushinteger(L, (lua_Integer)mm_vm_event(m->mm, (enum vm_event_item)i));
		lua_setfield(L, -2, mm_vm_event_name((enum vm_event_item)i));
	}
	return 1;
}

/* k:snapshot{freelists=bool}: a snapshot line in the trace now. */
static int k_snapshot(lua_State *L)
{
	struct machine *m = check_kernel(L, 1);
	bool fl = false;
	if (lua_istable(L, 2)) {
		lua_getfield(L, 2, "freelists");
		fl = lua_toboolean(L, -1);
		lua_pop(L, 1);
	}
	write_snapshot(m, fl);
	return 0;
}

static int k_check(lua_State *L)
{
	struct machine *m = check_kernel(L, 1);
	char err[512];
	if (mm_check(m->mm, err, sizeof err))
		return luaL_error(L, "check: %s", err);
	if (kmem_cache_check(m->mm, err, sizeof err))   /* the slab caches (issue 8) */
		return luaL_error(L, "check: %s", err);
	return 0;
}

static int k_nr_free_pages(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)nr_free_pages(check_kernel(L, 1)->mm));
	return 1;
}

static int k_min_free_kbytes(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)mm_min_free_kbytes(check_kernel(L, 1)->mm));
	return 1;
}

/* k:pageblock_order() -> the modern era's pageblock order, nil in the
 * classic era (no pageblocks) */
static int k_pageblock_order(lua_State *L)
{
	unsigned o = mm_pageblock_order(check_kernel(L, 1)->mm);
	if (o)
		lua_pushinteger(L, (lua_Integer)o);
	else
		lua_pushnil(L);
	return 1;
}

/* k:policy(name) -> the knob's value as text */
static int k_policy(lua_State *L)
{
	struct machine *m = check_kernel(L, 1);
	const char *name = luaL_checkstring(L, 2);
	char buf[128];
	if (mm_policy_get(&m->policy, name, buf, sizeof buf) < 0)
		return luaL_error(L, "policy: no knob '%s'", name);
	lua_pushstring(L, buf);
	return 1;
}

/* ---- Module table -------------------------------------------------------------- */

static int l_seed(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)get_run(L)->o->seed);
	return 1;
}

static int l_parse_gfp(lua_State *L)
{
	gfp_t g = check_gfp(L, 1, NULL);
	lua_pushinteger(L, g);
	return 1;
}

static const luaL_Reg module_fns[] = {
	{"machine", l_machine},
	{"seed", l_seed},
	{"gfp", l_parse_gfp},
	{NULL, NULL},
};

static const luaL_Reg machine_methods[] = {
	{"boot", m_boot},
	{"spawn", m_spawn},
	{"run", m_run},
	{"now", m_now},
	{"ncpus", m_ncpus},
	{"nnodes", m_nnodes},
	{"cpu_node", m_cpu_node},
	{"waitqueue", m_waitqueue},
	{"device", m_device},             /* DMA (issue 7) */
	{"stats", m_stats},
	{NULL, NULL},
};

static const luaL_Reg kernel_methods[] = {
	{"proc", k_proc},
	{"sysctl", k_sysctl},
	{"zones", k_zones},
	{"vmstat", k_vmstat},
	{"freelists", k_freelists},
	{"snapshot", k_snapshot},
	{"check", k_check},
	{"nr_free_pages", k_nr_free_pages},
	{"min_free_kbytes", k_min_free_kbytes},
	{"pageblock_order", k_pageblock_order},
	{"policy", k_policy},
	{NULL, NULL},
};

static const luaL_Reg task_methods[] = {
	{"alloc_pages", t_alloc_pages},
	{"alloc_pages_node", t_alloc_pages_node},
	{"free_pages", t_free_pages},
	{"touch", t_touch},
	{"think", t_think},
	{"sleep", t_sleep},
	{"wait", t_wait},
	{"drain", t_drain},
	{"alloc_bulk", t_alloc_bulk},
	{"free_bulk", t_free_bulk},
	{"churn", t_churn},
	/* slab allocator and kmalloc (issue 8) */
	{"kmem_cache_create", t_kmem_cache_create},
	{"kmem_cache_alloc", t_kmem_cache_alloc},
	{"kmem_cache_free", t_kmem_cache_free},
	{"kmem_cache_shrink", t_kmem_cache_shrink},
	{"kmem_cache_destroy", t_kmem_cache_destroy},
	{"kmalloc", t_kmalloc},
	{"kfree", t_kfree},
	{"ksize", t_ksize},
	{"kmem_touch", t_kmem_touch},
	{"vmalloc", t_vmalloc},
	{"vfree", t_vfree},
	{"vtouch", t_vtouch},
	{"kmap", t_kmap},                 /* HighMem (issue 7) */
	{"kunmap", t_kunmap},
	{"kmap_atomic", t_kmap_atomic},
	{"kunmap_atomic", t_kunmap_atomic},
	{"dma", t_dma},
	{"mmap", t_mmap},                 /* user address spaces (issue 7) */
	{"munmap", t_munmap},
	{"utouch", t_utouch},
	{"uwalk", t_uwalk},
	{"share_mm", t_share_mm},
	{"get_user_pages", t_get_user_pages},
	{"put_page", t_put_page},
	{"mm", t_mm},
	{"now", t_now},
	{"cpu", t_cpu},
	{"node", t_node},
	{"name", t_name},
	{NULL, NULL},
};

static const luaL_Reg waitq_methods[] = {
	{"wake", q_wake},
	{"waiting", q_waiting},
	{NULL, NULL},
};

static void new_class(lua_State *L, const char *name, const luaL_Reg *methods)
{
	luaL_newmetatable(L, name);
	lua_newtable(L);
	luaL_setfuncs(L, methods, 0);
	lua_setfield(L, -2, "__index");
	lua_pushstring(L, name);
	lua_setfield(L, -2, "__name");
	lua_pop(L, 1);
}

static int open_mmsim(lua_State *L)
{
	new_class(L, "mmsim.machine", machine_methods);
	new_class(L, "mmsim.kernel", kernel_methods);
	new_class(L, "mmsim.task", task_methods);
	new_class(L, "mmsim.waitqueue", waitq_methods);
	new_class(L, "mmsim.kmem_cache", kmem_cache_methods);   /* issue 8 */
	luaL_getmetatable(L, "mmsim.kmem_cache");
	lua_pushcfunction(L, c_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pop(L, 1);
	luaL_getmetatable(L, "mmsim.task");
	lua_pushcfunction(L, t_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pop(L, 1);
	luaL_newlib(L, module_fns);
	return 1;
}

/* ---- The runner -------------------------------------------------------------------- */

static void count_hook(lua_State *L, lua_Debug *ar)
{
	struct run *r = get_run(L);
	r->instructions += HOOK_EVERY;
	if (r->instructions > r->o->max_instructions) {
		lua_getinfo(L, "Sl", ar);
		luaL_error(L, "%s:%d: the scenario ran more than %I Lua instructions (a runaway "
			   "loop? raise the limit with --max-instructions)", ar->short_src,
			   ar->currentline, (lua_Integer)r->o->max_instructions);
	}
}

/* print() when the trace goes to standard output: the script's words go to
 * standard error, so they cannot break the trace. Same format as Lua's. */
static int print_stderr(lua_State *L)
{
	int n = lua_gettop(L);
	for (int i = 1; i <= n; i++) {
		size_t len;
		const char *s = luaL_tolstring(L, i, &len);
		if (i > 1)
			fputc('\t', stderr);
		fwrite(s, 1, len, stderr);
		lua_pop(L, 1);
	}
	fputc('\n', stderr);
	return 0;
}

/* The Lua state's allocator behind host fault injection (sim/types.h), so
 * a test can make Lua itself run out of memory. Only growth may fail: Lua
 * relies on a shrink always succeeding. */
static void *fault_lalloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct run *r = ud;
	void *p = nsize > (ptr ? osize : 0) && mmsim_fault_alloc()
			  ? NULL : r->lalloc(r->lalloc_ud, ptr, osize, nsize);
	if (!p && nsize)
		r->lua_nomem = nsize;
	return p;
}

/* Lua calls this for an error outside every protected call, which in the
 * runner's own calls (setting the state up, the end of the run) can only
 * be Lua running out of memory: end as a host out-of-memory does, not with
 * Lua's default abort. */
static int lua_panic_exit(lua_State *L)
{
	const char *msg = lua_tostring(L, -1);
	if (msg && !strcmp(msg, "not enough memory"))
		mmsim_oom(get_run(L)->lua_nomem);
	mmsim_panic("unprotected Lua error: %s", msg ? msg : "(not a string)");
}

static int msgh(lua_State *L)
{
	const char *msg = lua_tostring(L, 1);
	if (!msg)
		msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
	luaL_traceback(L, L, msg, 1);
	return 1;
}

static void free_machine(struct machine *m)
{
	if (!m)
		return;
	sim_destroy(&m->sim);     /* before mm_destroy: kswapd's event lives in mm */
	if (m->mm)
		mm_destroy(m->mm);
	if (m->stats)
		stats_destroy(m->stats);
	hw_destroy(m->hw);
	for (int i = 0; i < m->ntasks; i++) {
		if (m->tasks[i]->dreq) {
			mm_dma_req_release(m->tasks[i]->dreq);
			free(m->tasks[i]->dreq);
		}
		if (m->tasks[i]->pins) {
			free(m->tasks[i]->pins->pfn);
			free(m->tasks[i]->pins->count);
			free(m->tasks[i]->pins);
		}
		if (m->tasks[i]->kmaps) {
			free(m->tasks[i]->kmaps->pfn);
			free(m->tasks[i]->kmaps->count);
			free(m->tasks[i]->kmaps);
		}
		free(m->tasks[i]);
	}
	free(m->tasks);
	free(m->owners.key);
	free(m->owners.order);
	for (int i = 0; i < m->nwaitqs; i++)
		free(m->waitqs[i]);
	free(m->waitqs);
	free(m->capture_imp);
	free(m);
}

int scenario_run(const struct scenario_opts *o)
{
	struct run r = {0};
	r.o = o;
	r.t0 = host_now();
	char err[512];
	/* A scenario that cannot be read is a usage error, found before any
	 * trace file is created. */
	FILE *probe = fopen(o->path, "r");
	if (!probe) {
		fprintf(stderr, "mmsim: run: %s: cannot open: %s\n", o->path, strerror(errno));
		return 2;
	}
	fclose(probe);
	if (o->out) {
		r.trace = !strcmp(o->out, "-") ? trace_open_fp(stdout, "standard output")
					       : trace_open(o->out, err, sizeof err);
		if (!r.trace) {
			fprintf(stderr, "mmsim: run: %s\n", err);
			return 2;
		}
		trace_exit_on_error(r.trace, "mmsim: run: ", 2);   /* a lost trace ends the run */
		if (trace_set_filter(r.trace, o->events, err, sizeof err)) {
			fprintf(stderr, "mmsim: run: --events: %s\n", err);
			trace_close(r.trace);
			return 2;
		}
	}
	r.ev_task_start = trace_event_id(r.trace, "task_start");
	r.ev_task_exit = trace_event_id(r.trace, "task_exit");

	lua_State *L = luaL_newstate();
	if (!L) {
		fprintf(stderr, "mmsim: run: cannot create a Lua state\n");
		trace_close(r.trace);
		return 1;
	}
	r.L = L;
	r.lalloc = lua_getallocf(L, &r.lalloc_ud);
	lua_setallocf(L, fault_lalloc, &r);
	*(struct run **)lua_getextraspace(L) = &r;   /* before anything can fail */
	lua_atpanic(L, lua_panic_exit);
	luaL_openlibs(L);
	luaL_requiref(L, "mmsim", open_mmsim, 0);
	lua_pop(L, 1);
	luaL_getmetatable(L, "mmsim.task");
	r.task_mt = lua_topointer(L, -1);
	lua_pop(L, 1);
	/* math.random follows the run's seed, like everything else. */
	lua_getglobal(L, "math");
	lua_getfield(L, -1, "randomseed");
	lua_pushinteger(L, (lua_Integer)o->seed);
	lua_call(L, 1, 0);
	lua_pop(L, 1);
	if (o->out && !strcmp(o->out, "-")) {
		lua_pushcfunction(L, print_stderr);
		lua_setglobal(L, "print");
		lua_getglobal(L, "io");
		lua_getfield(L, -1, "stderr");
		lua_setfield(L, -2, "stdout");   /* io.write goes through io.output() */
		lua_pop(L, 1);
		lua_getglobal(L, "io");
		lua_getfield(L, -1, "output");
		lua_getfield(L, -2, "stderr");
		lua_call(L, 1, 0);
		lua_pop(L, 1);
	}
	lua_sethook(L, count_hook, LUA_MASKCOUNT, HOOK_EVERY);

	int status = 0;
	lua_pushcfunction(L, msgh);
	int rc = luaL_loadfile(L, o->path);
	if (rc == LUA_OK)
		rc = lua_pcall(L, 0, 0, -2);
	if (rc == LUA_OK && r.m && r.m->booted && !r.m->ran) {
		/* Tasks spawned but never run: the end of the script runs them.
		 * (After an m:run that stopped early, the script chose to stop.) */
		bool pending = false;
		for (int i = 0; i < r.m->ntasks; i++)
			pending |= !r.m->tasks[i]->done && r.m->tasks[i]->task.state != SIM_TASK_EXITED;
		if (pending && ev_count(&r.m->sim.queue)) {
			lua_pushcfunction(L, m_run);
			push_ptr_udata(L, r.m, "mmsim.machine");
			rc = lua_pcall(L, 1, 0, -3);
			if (rc != LUA_OK && !r.failure) {
				/* No script line to blame: name the place in words. */
				lua_pushfstring(L, "%s: (the run at the end of the scenario) %s", o->path,
						lua_tostring(L, -1));
				lua_replace(L, -2);
			}
		}
	}
	if (rc == LUA_OK && r.failed) {
		/* A task failed and the script caught the error (pcall): the run
		 * still failed. */
		rc = LUA_ERRRUN;
	}
	if (rc == LUA_ERRMEM)
		mmsim_oom(r.lua_nomem);
	if (rc != LUA_OK) {
		if (!r.failure) {
			const char *msg = lua_tostring(L, -1);
			if (rc == LUA_ERRFILE || rc == LUA_ERRSYNTAX)
				msg = lua_tostring(L, -1);
			set_failure(&r, msg);
		}
		fprintf(stderr, "mmsim: %s\n", r.failure);
		status = 1;
		if (rc == LUA_ERRFILE)
			status = 2;
	}
	write_summary(&r, status);
	if (r.trace && trace_close_err(r.trace, err, sizeof err)) {
		fprintf(stderr, "mmsim: run: %s\n", err);
		if (!status)
			status = 1;
	}
	r.trace = NULL;

	if (status == 0 && !o->quiet && !(o->out && !strcmp(o->out, "-")) && r.m) {
		/* A one-paragraph summary for a human; the details are in the trace. */
		struct machine *m = r.m;
		double hz = (double)m->desc.cpus[0].hz;
		printf("mmsim: %s on %s: %llu cycles (%.3f ms at %.2f GHz), %llu events; "
		       "%llu allocations (%llu failed), %llu frees, %llu touches", o->path,
		       m->desc.name, (unsigned long long)m->sim.now, (double)m->sim.now / hz * 1e3,
		       hz / 1e9, (unsigned long long)m->sim.count[SIM_CNT_EVENTS],
		       (unsigned long long)m->ops_alloc, (unsigned long long)m->ops_alloc_failed,
		       (unsigned long long)m->ops_free, (unsigned long long)m->ops_touch);
		/* The script's own calls above; user pages come through faults. */
		uint64_t faults = m->mm ? mm_vm_event(m->mm, PGFAULT) : 0;
		if (faults)
			printf(", %llu page faults", (unsigned long long)faults);
		printf("\n");
	}
	lua_close(L);
	free_machine(r.m);
	free(r.failure);
	return status;
}
