/*
 * "mmsim.machine": the scenario's one machine. mmsim.machine(desc) builds
 * it from a preset, a JSON file, a captured real machine or a Lua table (a
 * table is turned into cJSON and read by the same code as a JSON file, so
 * both spellings give the same messages); m:boot{...} boots the memory
 * manager with the policy knobs (the imported machine's sysctls first,
 * then the script's in name order, then the command line's -P) and returns
 * the "mmsim.kernel" handle (lkernel.c). The machine's other methods are
 * queries that cost nothing. m:spawn is in ltask.c, m:device and
 * m:waitqueue in ldevice.c, m:run in lrun.c.
 */
#include <cjson/cJSON.h>
#include <lauxlib.h>
#include <lua.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/hw.h"
#include "hw/machine.h"
#include "lua/internal.h"
#include "mm/bounce.h"
#include "mm/highmem.h"
#include "mm/mm.h"
#include "mm/vmalloc.h"
#include "sim/sim.h"
#include "sim/stats.h"

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

/* ---- Building and booting ------------------------------------------------ */

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

/* mmsim.machine(desc): desc is a preset name, a JSON file name (ending in
 * .json), or a table: {preset=, mem=, cpus=N} or a full description in the
 * JSON format's shape (docs/machines.md). */

int lmm_machine_new(lua_State *L)
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
	lmm_push_udata(L, m, "mmsim.machine");
	return 1;
}

/* The recurring snapshot event (--snapshot-every), started by m:boot. */
static void snapshot_fire(struct sim *s, struct sim_event *ev)
{
	struct machine *m = (struct machine *)((char *)ev - offsetof(struct machine, snap_ev));
	lmm_write_snapshot(m, false);
	/* Only while something else is going on: the snapshot event alone must
	 * not keep an idle simulation alive. */
	if (ev_count(&s->queue) > 0)
		sim_schedule(s, ev, s->now + m->run->o->snapshot_every);
}

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

	lmm_write_header(r);
	if (r->o->snapshot_every) {
		sim_event_init(&m->snap_ev, snapshot_fire, SIM_PRIO_STATS, -1);
		sim_schedule(&m->sim, &m->snap_ev, m->sim.now + r->o->snapshot_every);
	}
	lmm_push_udata(L, m, "mmsim.kernel");
	return 1;
}

/* ---- Queries ------------------------------------------------------------- */

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

/* ---- Freeing ------------------------------------------------------------- */

/* Everything the machine holds, after the run: the simulation, the memory
 * manager, the hardware model, the tasks with what they still hold, the
 * wait queues. The creator (lmm_machine_new) has its counterpart here. */
void lmm_machine_free(struct machine *m)
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

static const luaL_Reg machine_methods[] = {
	{"boot", m_boot},
	{"now", m_now},
	{"ncpus", m_ncpus},
	{"nnodes", m_nnodes},
	{"cpu_node", m_cpu_node},
	{"stats", m_stats},
	{NULL, NULL},
};

void lmm_open_machine(lua_State *L)
{
	lmm_add_methods(L, "mmsim.machine", machine_methods);
}
