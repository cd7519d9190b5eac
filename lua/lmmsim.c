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

#include "lua/internal.h"
#include "mm/gfp.h"

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
