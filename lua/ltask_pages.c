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
#include "mm/mm.h"
#include "sim/rng.h"
#include "sim/sim.h"
#include "sim/stats.h"

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
