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
#include <lauxlib.h>
#include <lua.h>
#include <stdint.h>
#include <stdlib.h>

#include "hw/hw.h"
#include "lua/internal.h"
#include "mm/mm.h"
#include "mm/mmap.h"
#include "sim/sim.h"
#include "sim/stats.h"

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
