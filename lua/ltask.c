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
#include <lauxlib.h>
#include <lua.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hw/hw.h"
#include "lua/internal.h"
#include "mm/mm.h"
#include "mm/mmap.h"
#include "sim/sim.h"
#include "sim/trace.h"

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
	if (rc == LUA_ERRMEM)   /* the host is out of memory, not the scenario wrong */
		mmsim_oom(r->lua_nomem);
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
	t->task.may_block = true;     /* kernel code it calls may block part-way (sim/fiber.h) */
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
