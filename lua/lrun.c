/*
 * The runner behind `mmsim run SCENARIO.lua` (lua/scenario.h): a Lua state
 * with the `mmsim` module, the script run under a message handler and a
 * count hook, m:run (the simulation's run loop, in slices so a long run
 * can show its progress), and the trace's own lines: the header, snapshots
 * and the summary.
 *
 * Errors. A mistake in the script (a bad argument, a misuse the allocator
 * refuses) is a Lua error raised at the script's line. An error inside a
 * task stops the simulation; the runner reports it with the task's own
 * traceback, and the trace ends with a failed summary line.
 */
#include <errno.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hw/machine.h"
#include "lua/internal.h"
#include "lua/scenario.h"
#include "mm/mm.h"
#include "sim/sim.h"
#include "sim/stats.h"
#include "sim/trace.h"

#define TRACE_FORMAT_VERSION 1
#define HOOK_EVERY 1000     /* Lua instructions between two count-hook calls */

/* Host time, for the progress line only: nothing simulated reads it. */
static double host_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- Trace lines --------------------------------------------------------- */

/* The header line, once, before anything else the trace holds: the
 * scenario, the seed, the era and policy once booted, the machine. */
void lmm_write_header(struct run *r)
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

/* A snapshot line of the booted machine's state at this cycle (the free
 * lists too if asked): at --snapshot-every, k:snapshot, and the end. */
void lmm_write_snapshot(struct machine *m, bool freelists)
{
	struct trace *t = m->run->trace;
	if (!t || !m->booted)
		return;
	lmm_write_header(m->run);
	trace_line_begin(t);
	trace_str(t, "type", "snapshot");
	trace_u64(t, "t", sim_now(&m->sim));
	mm_trace_snapshot(m->mm, t);
	if (freelists)
		mm_trace_freelists(m->mm, t);
	trace_line_end(t);
}

/* The last line: a final snapshot, then the status, the error's message
 * (without its traceback) and the counters. */
static void write_summary(struct run *r, int status)
{
	struct trace *t = r->trace;
	if (!t)
		return;
	lmm_write_header(r);
	struct machine *m = r->m;
	if (m && m->booted)
		lmm_write_snapshot(m, false);
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

/* The error that ended the run, message and traceback: the first one
 * only, later ones are its consequences. */
void lmm_set_failure(struct run *r, const char *msg)
{
	if (r->failure)
		return;
	r->failure = mmsim_xstrdup(msg ? msg : "(error object is not a string)");
	r->failed = true;
}

/* ---- m:run --------------------------------------------------------------- */

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

/* ---- The runner ---------------------------------------------------------- */

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
	luaL_requiref(L, "mmsim", luaopen_mmsim, 0);
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
			lmm_push_udata(L, r.m, "mmsim.machine");
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
			lmm_set_failure(&r, msg);
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
	lmm_machine_free(r.m);
	free(r.failure);
	return status;
}

static const luaL_Reg run_machine_methods[] = {
	{"run", m_run},
	{NULL, NULL},
};

void lmm_open_run(lua_State *L)
{
	lmm_add_methods(L, "mmsim.machine", run_machine_methods);
}
