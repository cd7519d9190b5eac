/*
 * "mmsim.kernel": the booted kernel, as m:boot returns it. Its methods read
 * the memory manager's state without simulated cost (the era's /proc and
 * /sys files as text, zones and free lists as tables, the vm events, the
 * policy knobs), write a sysctl as a run-time write to /proc/sys/vm would,
 * check the invariants, and put a snapshot line in the trace.
 */
#include <lauxlib.h>
#include <lua.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lua/internal.h"
#include "mm/mm.h"
#include "mm/slab.h"

static struct machine *check_kernel(lua_State *L, int idx)
{
	struct machine **p = luaL_checkudata(L, idx, "mmsim.kernel");
	return *p;
}

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
		/* Lua's buffer, not the host heap: a Lua error (out of memory)
		 * while the text is built leaks nothing. */
		luaL_Buffer b;
		char *buf = luaL_buffinitsize(L, &b, need + 1);
		mm_node_view(m->mm, name, (int)nid, buf, need + 1);
		luaL_pushresultsize(&b, need);
		return 1;
	}
	size_t need = mm_view(m->mm, name, NULL, 0);
	/* a view the machine's kernel lacks (the per-node files without
	 * CONFIG_NUMA); mm_node_view clears mm_errno first, mm_view does not */
	if ((!strcmp(name, "numastat") || !strcmp(name, "node_meminfo")) && mm_errno(m->mm))
		return luaL_error(L, "proc: %s", mm_error(m->mm));
	luaL_Buffer b;
	char *buf = luaL_buffinitsize(L, &b, need + 1);
	mm_view(m->mm, name, buf, need + 1);
	luaL_pushresultsize(&b, need);
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
	/* A userdata, collected by Lua, so a Lua error below leaks nothing. */
	uint64_t *pfns = lua_newuserdatauv(L, (n ? n : 1) * sizeof *pfns, 0);
	mm_list_pfns(m->mm, nid, zone, list, pfns, n);
	lua_createtable(L, (int)n, 0);
	for (size_t i = 0; i < n; i++) {
		lua_pushinteger(L, (lua_Integer)pfns[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_remove(L, -2);
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
	lmm_write_snapshot(m, fl);
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

void lmm_open_kernel(lua_State *L)
{
	lmm_add_methods(L, "mmsim.kernel", kernel_methods);
}
