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
#include <lauxlib.h>
#include <lua.h>
#include <stdint.h>

#include "hw/hw.h"
#include "lua/internal.h"
#include "mm/highmem.h"
#include "mm/mm.h"
#include "sim/sim.h"

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
