/*
 * What tasks wait on: DMA devices and wait queues.
 *
 * DMA. m:device{...} attaches a device with its address mask (24 bits for
 * ISA, 32 for PCI) to the hardware model and sets up the memory manager's
 * side (mm_dma_setup: the bounce pools). t:dma(dev, pfn, ...) maps a block
 * for the device and runs the transfer; the request waits for a bounce
 * page while the pool is empty (tried again when woken) and, when async,
 * for the device's completion interrupt. Each wait is a lua_yieldk whose
 * continuation (dma_k) looks at the request's state and goes on from
 * there, so the script sees one call.
 *
 * Wait queues. m:waitqueue(name) makes a "mmsim.waitqueue": tasks wait on
 * it with t:wait (with an optional timeout), anyone wakes them with
 * q:wake, at no simulated cost. The queues belong to the machine and are
 * freed with it.
 */
#include <lauxlib.h>
#include <lua.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hw/dma.h"
#include "hw/hw.h"
#include "lua/internal.h"
#include "mm/bounce.h"
#include "mm/mm.h"
#include "sim/sim.h"

/* ---- DMA devices and transfers (issue 7) --------------------------------- */

/* m:device{name = "isa", bits = 24, bytes_per_cycle = 1, setup = 2000} -> id */
static int m_device(lua_State *L)
{
	struct machine *m = check_machine(L, 1);
	luaL_checktype(L, 2, LUA_TTABLE);
	if (!m->booted)
		return luaL_error(L, "device: boot the machine first (m:boot{...})");
	lua_getfield(L, 2, "name");
	const char *name = luaL_optstring(L, -1, "dev");
	lua_getfield(L, 2, "bits");
	lua_Integer bits = luaL_optinteger(L, -1, 64);
	lua_getfield(L, 2, "bytes_per_cycle");
	lua_Number bpc = luaL_optnumber(L, -1, 4.0);
	lua_getfield(L, 2, "setup");
	lua_Integer setup = luaL_optinteger(L, -1, 1000);
	if (bits < 1 || bits > 64)
		return luaL_error(L, "device: bits = %I: must be 1..64 (ISA 24, PCI 32, 64)", bits);
	if (!(bpc > 0))
		return luaL_error(L, "device: bytes_per_cycle must be positive");
	if (setup < 0)
		return luaL_error(L, "device: setup = %I cycles: must not be negative", setup);
	for (int d = 0; d < hw_dma_count(m->hw); d++)
		if (!strcmp(hw_dma_name(m->hw, d), name))
			return luaL_error(L, "device: a device named '%s' is attached already", name);
	int dev = hw_dma_attach(m->hw, name, (unsigned)bits, bpc, (cycle_t)setup);
	if (dev < 0)
		return luaL_error(L, "device: at most %d devices", HW_DMA_MAX_DEVICES);
	if (mm_dma_setup(m->mm, dev))
		return luaL_error(L, "device: %s", mm_error(m->mm));
	if (hw_dma_count(m->hw) == 1)      /* mm.dma.* once, dmaN.* per device */
		mm_dma_register_stats(m->mm, m->stats);
	hw_register_dma_stats(m->hw, m->stats, dev);
	lua_pushinteger(L, dev);
	return 1;
}

static int check_device(lua_State *L, struct machine *m, int idx, const char *fn)
{
	if (lua_type(L, idx) == LUA_TSTRING) {
		const char *name = lua_tostring(L, idx);
		for (int d = 0; d < hw_dma_count(m->hw); d++)
			if (!strcmp(hw_dma_name(m->hw, d), name))
				return d;
		luaL_error(L, "%s: no device named '%s' (attach it with m:device{...})", fn, name);
	}
	lua_Integer d = luaL_checkinteger(L, idx);
	if (d < 0 || d >= hw_dma_count(m->hw))
		luaL_error(L, "%s: no device %I (attach it with m:device{...})", fn, d);
	return (int)d;
}

static int dma_k(lua_State *L, int status, lua_KContext ctx);

/* One try of t:dma's request: done, waiting for a bounce page (the pool's
 * queue; tried again when woken) or for the completion interrupt. */
static int dma_try(lua_State *L, struct ltask *t, int dev, uint64_t pfn, uint64_t off,
		   uint64_t len, int dir, gfp_t gfp, bool async)
{
	struct machine *m = t->m;
	struct mm_dma_req *r = t->dreq;
	if (r->state == MM_DMA_REQ_IN_FLIGHT)        /* woken: is it done? */
		return dma_k(L, LUA_YIELD, 0);
	int rc = mm_dma_submit(m->mm, r, dev, pfn_to_page(m->mm, pfn), off, len, dir, gfp, async);
	if (rc == -MM_EDMAMASK || rc == -MM_ENOMEM) {
		lua_pushnil(L);
		lua_pushstring(L, mm_error(m->mm));
		return op_done(L, t, 2);
	}
	if (rc == -MM_EAGAIN) {
		sim_task_wait(&m->sim, mm_dma_pool_wait(m->mm, dev));
		t->wait = true;
		return lua_yieldk(L, 0, 0, dma_k);
	}
	if (rc)
		return luaL_error(L, "dma: %s", mm_error(m->mm));
	if (r->state == MM_DMA_REQ_IN_FLIGHT) {
		sim_task_wait(&m->sim, &r->done);
		t->wait = true;
		return lua_yieldk(L, 0, 0, dma_k);
	}
	lua_pushboolean(L, r->bounced);
	return op_done(L, t, 1);
}

/* Resumed after a wait: the arguments are still on the stack, the request
 * remembers the rest. */
static int dma_k(lua_State *L, int status, lua_KContext ctx)
{
	(void)status;
	(void)ctx;
	struct ltask *t = running_task(L, "dma");
	struct mm_dma_req *r = t->dreq;
	if (r->state == MM_DMA_REQ_DONE) {
		lua_pushboolean(L, r->bounced);
		return op_done(L, t, 1);
	}
	if (r->state == MM_DMA_REQ_IN_FLIGHT) {
		sim_task_wait(&t->m->sim, &r->done);
		t->wait = true;
		return lua_yieldk(L, 0, 0, dma_k);
	}
	return dma_try(L, t, r->dev, r->pfn, r->off, r->len, r->dir, r->gfp, r->async);
}

/* t:dma(dev, pfn [, {dir = "to_device", offset = 0, len = rest, async =
 * false, gfp = "GFP_NOIO"}]) -> bounced (true/false), or nil and a message
 * when the buffer is beyond the device's mask and dma_bounce is off, or
 * when the bounce pool is empty and gfp may not sleep. Waits while the
 * bounce pool is empty; with async the task sleeps while the device works
 * (the completion interrupt wakes it). */
static int t_dma(lua_State *L)
{
	struct ltask *t = running_task(L, "dma");
	struct machine *m = t->m;
	int dev = check_device(L, m, 2, "dma");
	lua_Integer pfn = luaL_checkinteger(L, 3);
	int order = pfn >= 0 ? owners_get(&m->owners, (uint64_t)pfn) : -1;
	if (order < 0)
		return luaL_error(L, "dma: pfn %I is not a block this scenario allocated (or it was "
				  "freed)", pfn);
	uint64_t size = HW_PAGE_SIZE << order, off = 0, len = size;
	int dir = HW_DMA_TO_DEVICE;
	bool async = false;
	gfp_t gfp = GFP_NOIO;
	if (!lua_isnoneornil(L, 4)) {
		luaL_checktype(L, 4, LUA_TTABLE);
		lua_getfield(L, 4, "dir");
		if (!lua_isnil(L, -1)) {
			const char *d = luaL_checkstring(L, -1);
			if (!strcmp(d, "to_device"))
				dir = HW_DMA_TO_DEVICE;
			else if (!strcmp(d, "from_device"))
				dir = HW_DMA_FROM_DEVICE;
			else
				return luaL_error(L, "dma: dir = '%s': must be 'to_device' (the device "
						  "reads memory) or 'from_device' (it writes)", d);
		}
		lua_getfield(L, 4, "offset");
		if (!lua_isnil(L, -1))
			off = (uint64_t)luaL_checkinteger(L, -1);
		lua_getfield(L, 4, "len");
		if (!lua_isnil(L, -1))
			len = (uint64_t)luaL_checkinteger(L, -1);
		else
			len = off < size ? size - off : 0;
		lua_getfield(L, 4, "async");
		async = lua_toboolean(L, -1);
		lua_getfield(L, 4, "gfp");
		if (!lua_isnil(L, -1))
			gfp = lmm_check_gfp_text(L, luaL_checkstring(L, -1), "dma");
		lua_pop(L, 5);
	}
	if (off > size || len > size - off || len == 0)
		return luaL_error(L, "dma: bytes [%I, %I) are not a non-empty range of the %I-byte "
				  "block at pfn %I", (lua_Integer)off, (lua_Integer)(off + len),
				  (lua_Integer)size, pfn);
	if (!t->dreq) {
		t->dreq = mmsim_xcalloc(1, sizeof *t->dreq);
		mm_dma_req_init(t->dreq);
	}
	return dma_try(L, t, dev, (uint64_t)pfn, off, len, dir, gfp, async);
}

/* ---- Wait queues --------------------------------------------------------- */

/* Continuation of a wait: true when woken, false when the timeout ended it. */
static int wait_done(lua_State *L, int status, lua_KContext ctx)
{
	(void)status;
	struct ltask *t = (struct ltask *)ctx;
	lua_pushboolean(L, !t->task.timed_out);
	return 1;
}

static struct sim_waitq *check_waitq(lua_State *L, int idx)
{
	struct sim_waitq **p = luaL_checkudata(L, idx, "mmsim.waitqueue");
	return *p;
}

/* t:wait(q [, timeout]) -> true if woken, false if the timeout passed */
static int t_wait(lua_State *L)
{
	struct ltask *t = running_task(L, "wait");
	struct sim_waitq *wq = check_waitq(L, 2);
	if (lua_isnoneornil(L, 3)) {
		sim_task_wait(&t->m->sim, wq);
	} else {
		lua_Integer c = luaL_checkinteger(L, 3);
		if (c < 0)
			return luaL_error(L, "wait: a timeout of %I cycles: must not be negative", c);
		sim_task_wait_timeout(&t->m->sim, wq, (cycle_t)c);
	}
	t->wait = true;
	return lua_yieldk(L, 0, (lua_KContext)t, wait_done);
}

/* m:waitqueue(name) -> a queue tasks wait on with t:wait and wake with q:wake */
static int m_waitqueue(lua_State *L)
{
	struct machine *m = check_machine(L, 1);
	const char *name = luaL_optstring(L, 2, "waitqueue");
	struct sim_waitq *wq = mmsim_xcalloc(1, sizeof *wq + strlen(name) + 1);
	char *copy = (char *)(wq + 1);
	strcpy(copy, name);
	sim_waitq_init(wq, copy);
	m->waitqs = mmsim_xrealloc(m->waitqs, (size_t)(m->nwaitqs + 1) * sizeof *m->waitqs);
	m->waitqs[m->nwaitqs++] = wq;
	void **p = lua_newuserdatauv(L, sizeof(void *), 0);
	*p = wq;
	luaL_setmetatable(L, "mmsim.waitqueue");
	return 1;
}

/* q:wake([n]) -> how many were woken: the n (default all) oldest waiters
 * become runnable now, oldest first. Costs nothing; callable anywhere. */
static int q_wake(lua_State *L)
{
	struct sim_waitq *wq = check_waitq(L, 1);
	lua_Integer n = luaL_optinteger(L, 2, 0);
	if (n < 0)
		return luaL_error(L, "wake: %I tasks: must not be negative", n);
	struct run *r = get_run(L);
	lua_pushinteger(L, sim_wake_up(&r->m->sim, wq, (int)n));
	return 1;
}

/* q:waiting() -> how many tasks wait on it */
static int q_waiting(lua_State *L)
{
	lua_pushinteger(L, check_waitq(L, 1)->nr_waiting);
	return 1;
}

static const luaL_Reg waitq_methods[] = {
	{"wake", q_wake},
	{"waiting", q_waiting},
	{NULL, NULL},
};

static const luaL_Reg device_machine_methods[] = {
	{"waitqueue", m_waitqueue},
	{"device", m_device},             /* DMA (issue 7) */
	{NULL, NULL},
};

static const luaL_Reg device_task_methods[] = {
	{"wait", t_wait},
	{"dma", t_dma},
	{NULL, NULL},
};

void lmm_open_device(lua_State *L)
{
	lmm_add_methods(L, "mmsim.waitqueue", waitq_methods);
	lmm_add_methods(L, "mmsim.machine", device_machine_methods);
	lmm_add_methods(L, "mmsim.task", device_task_methods);
}
