/*
 * The `mmsim` Lua module (docs/scenarios.md is the scenario-facing
 * reference): its table of functions (mmsim.machine, mmsim.seed,
 * mmsim.gfp), the classes its objects belong to, and the helpers the
 * object files share. The runner (lrun.c) opens it with luaL_requiref.
 *
 * Classes. Each C object is a userdata holding a pointer to a structure
 * the run owns (lua/internal.h), with a named metatable whose __index is
 * its table of methods: "mmsim.machine", "mmsim.kernel", "mmsim.task",
 * "mmsim.waitqueue", "mmsim.kmem_cache". The files of lua/ are one per
 * object (the machine, the kernel handle, tasks split by subject, devices
 * and wait queues, kmem caches, the runner), and each adds its own methods
 * to its class, or to another's (m:spawn belongs to the task file), from
 * its lmm_open_* function, which luaopen_mmsim calls in turn.
 */
#include <lauxlib.h>
#include <lua.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/hw.h"
#include "lua/internal.h"
#include "mm/gfp.h"
#include "mm/highmem.h"
#include "mm/mm.h"
#include "mm/mmap.h"
#include "sim/rng.h"
#include "sim/sim.h"
#include "sim/stats.h"
#include "sim/trace.h"

/* ---- Helpers the object files share -------------------------------------- */

/* The GFP flags in s ("GFP_KERNEL|__GFP_DMA"), or a Lua error naming
 * function fn (NULL: no name). */
gfp_t lmm_check_gfp_text(lua_State *L, const char *s, const char *fn)
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

/* A new userdata holding ptr, of class tname, on the stack. */
void lmm_push_udata(lua_State *L, void *ptr, const char *tname)
{
	void **p = lua_newuserdatauv(L, sizeof ptr, 0);
	*p = ptr;
	luaL_setmetatable(L, tname);
}

/* Add methods to the class named tname, made at its first use: a metatable
 * (luaL_newmetatable, which sets __name) whose __index is the table of
 * methods. */
void lmm_add_methods(lua_State *L, const char *tname, const luaL_Reg *methods)
{
	if (luaL_newmetatable(L, tname)) {
		lua_newtable(L);
		lua_setfield(L, -2, "__index");
	}
	lua_getfield(L, -1, "__index");
	luaL_setfuncs(L, methods, 0);
	lua_pop(L, 2);
}

/* ---- Module table -------------------------------------------------------- */

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
	{"machine", lmm_machine_new},
	{"seed", l_seed},
	{"gfp", l_parse_gfp},
	{NULL, NULL},
};

int luaopen_mmsim(lua_State *L)
{
	lmm_open_machine(L);       /* lmachine.c */
	lmm_open_kernel(L);        /* lkernel.c */
	lmm_open_task(L);          /* ltask.c */
	lmm_open_task_pages(L);    /* ltask_pages.c */
	lmm_open_task_kmap(L);     /* ltask_kmap.c */
	lmm_open_task_user(L);     /* ltask_user.c */
	lmm_open_slab(L);          /* lslab.c */
	lmm_open_device(L);        /* ldevice.c */
	lmm_open_run(L);           /* lrun.c */
	luaL_newlib(L, module_fns);
	return 1;
}

/*
 * "mmsim.task": a task of the scenario, its step, and the calls every task
 * has (time, thinking, sleeping, where it runs). The task's other methods
 * are grouped by subject, each file registering its own: pages
 * (ltask_pages.c), HighMem mappings (ltask_kmap.c), user memory
 * (ltask_user.c), slab and vmalloc (lslab.c), DMA and waits (ldevice.c).
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
 * event (clocks, counters, watchdog, trace), only faster. The helpers on
 * this path (check_task, running_task, op_done) are in lua/internal.h.
 */
/* ---- The step and m:spawn ------------------------------------------------ */

/* The task's step: resume its coroutine (the task is the function's
 * argument at the first step). A yield ends the step, waiting if the
 * operation asked to; an error stops the run; the function's return ends
 * the task and drops its address space (do_exit's exit_mmap). */
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
	if (rc != LUA_OK) {
		const char *msg = lua_tostring(t->co, -1);
		luaL_traceback(r->L, t->co, msg, 0);
		lua_pushfstring(r->L, "\n(in task '%s' on cpu %d at cycle %I)", st->name, st->cpu,
				(lua_Integer)sim_now(s));
		lua_concat(r->L, 2);
		lmm_set_failure(r, lua_tostring(r->L, -1));
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
	lmm_push_udata(L, t, "mmsim.task");
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

/* ---- Touching memory ----------------------------------------------------- */

/*
 * The options of a touch at stack index idx, {write = true, offset = 0,
 * len = the rest}, over an object of `size` bytes: sets *off and *len and
 * returns whether it writes. A range outside the object is an error of
 * function fn naming the object as `what` ("block at pfn 8193").
 */
int lmm_touch_options(lua_State *L, int idx, uint64_t size, const char *fn, const char *what,
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
int lmm_touch_vaddr(lua_State *L, struct ltask *t, const char *fn, uint64_t vaddr,
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

/* ---- Time and place ------------------------------------------------------ */

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

static const luaL_Reg task_methods[] = {
	{"think", t_think},
	{"sleep", t_sleep},
	{"now", t_now},
	{"cpu", t_cpu},
	{"node", t_node},
	{"name", t_name},
	{NULL, NULL},
};

static const luaL_Reg task_machine_methods[] = {
	{"spawn", m_spawn},
	{NULL, NULL},
};

void lmm_open_task(lua_State *L)
{
	lmm_add_methods(L, "mmsim.task", task_methods);
	luaL_getmetatable(L, "mmsim.task");
	lua_pushcfunction(L, t_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pop(L, 1);
	lmm_add_methods(L, "mmsim.machine", task_machine_methods);
}

/*
 * A task's pages: t:alloc_pages, t:alloc_pages_node, t:free_pages,
 * t:touch of a block, t:drain of its CPU's per-CPU lists, and the bulk
 * helpers (t:alloc_bulk, t:free_bulk, t:churn) that loop in C with one
 * operation per step, running ahead when they may (ltask.c), so the
 * interleaving with other CPUs stays exact.
 *
 * Every block handed to the script goes into the machine's ownership table
 * (lua/internal.h) and leaves it when freed; a free or touch of anything
 * else is refused with a message before the allocator sees it. This is
 * the hot path of a scenario (bench/bench_lua.c measures it): the
 * ownership table and the per-call helpers are static inline.
 */
/* ---- Allocating, freeing, touching --------------------------------------- */

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
	int write = lmm_touch_options(L, 3, size, "touch", what, &off, &len);
	struct page *pg = pfn_to_page(m->mm, (uint64_t)pfn);
	uint64_t vaddr = page_address(m->mm, pg) + off;
	if (PageHighMem(pg))
		vaddr = lmm_highmem_touch_addr(L, t, (uint64_t)pfn, off, len);
	return lmm_touch_vaddr(L, t, "touch", vaddr, len, write);
}

static int t_drain(lua_State *L)
{
	struct ltask *t = running_task(L, "drain");
	drain_local_pages(t->m->mm);
	return op_done(L, t, 0);
}

/* ---- Bulk helpers: looping in C, running ahead when they may ------------- */

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

static const luaL_Reg pages_task_methods[] = {
	{"alloc_pages", t_alloc_pages},
	{"alloc_pages_node", t_alloc_pages_node},
	{"free_pages", t_free_pages},
	{"touch", t_touch},
	{"drain", t_drain},
	{"alloc_bulk", t_alloc_bulk},
	{"free_bulk", t_free_bulk},
	{"churn", t_churn},
	{NULL, NULL},
};

void lmm_open_task_pages(lua_State *L)
{
	lmm_add_methods(L, "mmsim.task", pages_task_methods);
}

/*
 * A task's HighMem mappings (mm/highmem.h; docs/highmem.md): t:kmap and
 * t:kunmap (the pkmap pool, shared by all CPUs; kmap waits on
 * pkmap_map_wait while every slot is taken, and tries again when woken,
 * as 2.6.11's map_new_virtual loops), t:kmap_atomic and t:kunmap_atomic
 * (the CPU's fixmap window of a km_type, never waiting).
 *
 * The kernel reaches a HighMem frame only through one of these mappings,
 * so the task records what it holds (struct lkmaps, lua/internal.h) and
 * t:touch of a HighMem block goes through one of them
 * (lmm_highmem_touch_addr). A task may map its own blocks and the user
 * pages it pinned with t:get_user_pages (ltask_user.c).
 */
static struct lkmaps *task_kmaps(struct ltask *t)
{
	if (!t->kmaps) {
		t->kmaps = mmsim_xcalloc(1, sizeof *t->kmaps);
		for (int i = 0; i < KM_TYPE_NR; i++)
			t->kmaps->window[i] = -1;
	}
	return t->kmaps;
}

/* The kernel virtual address at which task t reaches bytes [off, off + len)
 * of the HighMem block at pfn: its kmap or its kmap_atomic window of the
 * page they lie in (one page per touch), or a Lua error. */
uint64_t lmm_highmem_touch_addr(lua_State *L, struct ltask *t, uint64_t pfn, uint64_t off,
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

static const luaL_Reg kmap_task_methods[] = {
	{"kmap", t_kmap},                 /* HighMem (issue 7) */
	{"kunmap", t_kunmap},
	{"kmap_atomic", t_kmap_atomic},
	{"kunmap_atomic", t_kunmap_atomic},
	{NULL, NULL},
};

void lmm_open_task_kmap(lua_State *L)
{
	lmm_add_methods(L, "mmsim.task", kmap_task_methods);
}

/*
 * A task's user memory (mm/mmap.h, mm/memory.c; docs/highmem.md): its
 * address space, made at its first use as fork's mm_alloc would and torn
 * down when the task ends (exit_mmap, in ltask.c's step), or shared with
 * another task's (t:share_mm, CLONE_VM). t:mmap and t:munmap make and
 * remove anonymous mappings; t:utouch reads or writes user memory through
 * the CPU's TLB and the task's page tables, faulting pages in;
 * t:get_user_pages and t:put_page pin frames for the kernel (kept in a
 * struct lkmaps, lua/internal.h); t:uwalk and t:mm read the tables and
 * the counters at no simulated cost.
 */
/* ---- User address spaces: mmap, munmap, utouch, uwalk (issue 7) ---------- */

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

static const luaL_Reg user_task_methods[] = {
	{"mmap", t_mmap},                 /* user address spaces (issue 7) */
	{"munmap", t_munmap},
	{"utouch", t_utouch},
	{"uwalk", t_uwalk},
	{"share_mm", t_share_mm},
	{"get_user_pages", t_get_user_pages},
	{"put_page", t_put_page},
	{"mm", t_mm},
	{NULL, NULL},
};

void lmm_open_task_user(lua_State *L)
{
	lmm_add_methods(L, "mmsim.task", user_task_methods);
}
