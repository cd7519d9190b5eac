/*
 * The slab allocator and vmalloc, as tasks call them (mm/slab.h,
 * mm/vmalloc.h; docs/slab.md).
 *
 * A cache is a "mmsim.kmem_cache" userdata holding the kernel's
 * kmem_cache_t. t:kmem_cache_destroy marks it dead rather than freeing it
 * (the userdata may still be referenced), so a later use is a clear error.
 * Objects and vmalloc areas reach Lua as their kernel virtual addresses;
 * kmem_touch and vtouch read or write their bytes through the task's CPU's
 * TLB and caches as t:touch does for pages (lmm_touch_vaddr, ltask.c).
 * An allocation that finds no memory returns nil, as the kernel returns
 * NULL; a misuse (a double free, an object of another cache) is an error.
 */
#include <lauxlib.h>
#include <lua.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lua/internal.h"
#include "mm/mm.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"

/* ---- Slab allocator and kmalloc (mm/slab.h; issue 8) --------------------- */

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
	int write = lmm_touch_options(L, 3, size, "kmem_touch", "object", &off, &len);
	return lmm_touch_vaddr(L, t, "kmem_touch", objp + off, len, write);
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

/* ---- vmalloc (mm/vmalloc.h; issue 8) ------------------------------------- */

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
	int write = lmm_touch_options(L, 3, size, "vtouch", "area", &off, &len);
	return lmm_touch_vaddr(L, t, "vtouch", addr + off, len, write);
}

static const luaL_Reg kmem_cache_methods[] = {
	{"info", c_info},
	{"avail", c_avail},
	{NULL, NULL},
};

static const luaL_Reg slab_task_methods[] = {
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
	{NULL, NULL},
};

void lmm_open_slab(lua_State *L)
{
	lmm_add_methods(L, "mmsim.kmem_cache", kmem_cache_methods);   /* issue 8 */
	luaL_getmetatable(L, "mmsim.kmem_cache");
	lua_pushcfunction(L, c_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pop(L, 1);
	lmm_add_methods(L, "mmsim.task", slab_task_methods);
}
