-- The Lua API fuzzer's interpreter (tests/fuzz/lua_api.c runs it as a
-- scenario, with the fuzz input in the string FUZZ defined above this
-- file). The bytes choose a machine, an era and knobs, then a sequence of
-- API calls with hostile arguments: most arguments are plausible (a block
-- the scenario holds, a GFP string that parses), the rest anything Lua can
-- pass (nil, NaN, huge integers, tables, other objects, long strings).
-- Every call is made under pcall: a refused call is the API doing its job.
-- What must hold whatever the calls did, checked at the end:
--   - k:check() passes (free lists, counts, buddies, per-CPU lists);
--   - /proc/vmstat's nr_free_pages is k:nr_free_pages(), the zones' free
--     pages in k:zones() and zoneinfo, and the blocks of buddyinfo;
--     meminfo's MemFree is 4 KiB times it (HighFree + LowFree too, in the
--     classic era's meminfo); each node's MemFree + MemUsed is its
--     MemTotal, and the nodes' MemFree add up to MemFree.
-- A broken property ends the process with status 86 and the reason on
-- stderr (to libFuzzer, a crash; to the replay, a failure).
-- MMSIM_FUZZ_VERBOSE=1 in the environment prints each call.
local mmsim = require "mmsim"
local data = FUZZ
local pos = 1
local verbose = os.getenv("MMSIM_FUZZ_VERBOSE") ~= nil

local function byte()
	if pos > #data then return 0 end
	local b = data:byte(pos)
	pos = pos + 1
	return b
end
local function more() return pos <= #data end
local function pick(list) return list[byte() % #list + 1] end

local function broken(what)
	io.stderr:write("fuzz: property broken: " .. what .. "\n")
	io.stderr:flush()
	os.exit(86)
end

-- ---- Values ---------------------------------------------------------------

local co = coroutine.create(function() end)
local hostile = {
	false, true, 0, -1, 1, 2, 7, 63, 64, 4095, 4096, 2^31, 2^31 - 1, 2^32, 2^53,
	math.maxinteger, math.mininteger, -2^63, 0.5, -0.0, 1/0, -1/0, 0/0, 1e308,
	"", "0", "-1", "0x10", "x", "GFP_KERNEL", "KM_USER0", "to_device",
	string.rep("A", 300), "a\0b", "\255\254", "%s%n", {}, { 1, 2, 3 },
	{ write = "yes", offset = -1, len = 0/0 }, print, co, io.stderr,
}
local objects = {}            -- m, k, queues, tasks, caches: filled in as made

-- A hostile value, or an object of the wrong kind.
local function bad()
	local b = byte()
	if b % 5 == 0 and #objects > 0 then return objects[b % #objects + 1] end
	if b % 7 == 0 then return nil end
	return hostile[b % #hostile + 1]
end

-- good() most of the time, bad() otherwise.
local function arg(good)
	if byte() < 216 then return good() end
	return bad()
end

local gfp_words = {
	"GFP_KERNEL", "GFP_ATOMIC", "GFP_NOIO", "GFP_NOFS", "GFP_USER", "GFP_HIGHUSER",
	"GFP_DMA", "GFP_DMA32", "__GFP_ZERO", "__GFP_COLD", "__GFP_NOWARN", "__GFP_HIGH",
	"__GFP_COMP", "__GFP_NOFAIL", "__GFP_NORETRY", "__GFP_REPEAT", "__GFP_HIGHMEM",
	"__GFP_MOVABLE", "__GFP_RECLAIMABLE", "__GFP_THISNODE", "__GFP_MEMALLOC",
	"__GFP_NOMEMALLOC", "GFP_HIGHUSER_MOVABLE", "GFP_NOWAIT", "GFP_TRANSHUGE",
	"__GFP_ATOMIC", "__GFP_DIRECT_RECLAIM", "0x8000", "0", "GFP_KERNAL", " | ",
}
local function gfp()
	local n = byte() % 3 + 1
	local w = {}
	for i = 1, n do w[i] = pick(gfp_words) end
	return table.concat(w, "|")
end
local function small() return pick{ 0, 0, 1, 1, 2, 3, 4, 7, 10, 11, 16, 100, -1 } end
local function count() return pick{ 0, 1, 2, 3, 8, 16, 64, 200, 1000, -1 } end
local function cycles() return pick{ 0, 1, 10, 100, 1000, 100000, 10000000 } end

-- ---- What the scenario holds ------------------------------------------------

local S = { blocks = {}, objs = {}, caches = {}, areas = {}, vmas = {}, pins = {},
	    kmaps = {}, tasks = {}, queues = {}, devices = {} }
local function keep(list, v)
	if v ~= nil and #list < 256 then list[#list + 1] = v end
end
local function any(list, default)
	if #list == 0 then return default end
	return list[byte() % #list + 1]
end
local function take(list)
	if #list == 0 then return nil end
	return table.remove(list, byte() % #list + 1)
end
local function block() local b = any(S.blocks) return b and b.pfn or 1 end

local kmtypes = { "KM_USER0", "KM_USER1", "KM_BOUNCE_READ", "KM_IRQ0", "KM_PTE0", 0, 12, 13, -1 }

-- ---- The calls ----------------------------------------------------------------

local m, k                   -- the machine and kernel
local task_ops = {
	function(t) -- alloc_pages
		local order = arg(small)
		local pfn = t:alloc_pages(arg(gfp), order)
		if pfn then keep(S.blocks, { pfn = pfn, order = order }) end
	end,
	function(t) -- alloc_pages_node
		local order = arg(small)
		local pfn = t:alloc_pages_node(arg(function() return byte() % 4 - 1 end), arg(gfp), order)
		if pfn then keep(S.blocks, { pfn = pfn, order = order }) end
	end,
	function(t) -- free_pages
		local b = take(S.blocks)
		if b and byte() % 4 > 0 then t:free_pages(b.pfn, b.order) else t:free_pages(arg(block), arg(small)) end
	end,
	function(t) -- touch
		t:touch(arg(block), arg(function()
			return { write = byte() % 2 == 0, offset = arg(small), len = arg(count) }
		end))
	end,
	function(t) t:think(arg(cycles)) end,
	function(t) t:sleep(arg(cycles)) end,
	function(t) -- wait, with a timeout most of the time
		local q = any(S.queues)
		if byte() % 4 > 0 then t:wait(arg(function() return q end), arg(cycles)) else t:wait(arg(function() return q end)) end
	end,
	function() local q = any(S.queues) if q then q:wake(arg(small)) q:waiting() end end,
	function(t) t:drain() end,
	function(t) -- alloc_bulk
		local order = arg(small)
		local list = t:alloc_bulk(arg(count), arg(gfp), order)
		for _, pfn in ipairs(list) do keep(S.blocks, { pfn = pfn, order = order }) end
	end,
	function(t) -- free_bulk
		local list, order = {}, nil
		for _ = 1, byte() % 4 do
			local b = take(S.blocks)
			if b then list[#list + 1] = b.pfn; order = b.order end
		end
		if byte() % 3 == 0 then list[#list + 1] = arg(block) end
		t:free_bulk(arg(function() return list end), arg(function() return order end))
	end,
	function(t) -- churn
		t:churn(arg(function()
			return { ops = count(), gfp = gfp(), orders = arg(function() return { byte() % 4, byte() % 3, 1 } end),
				 live = arg(function() return byte() % 32 + 1 end), touch = byte() % 2 == 0 }
		end))
	end,
	function(t) -- kmem_cache_create
		local flags = pick{ "", "SLAB_HWCACHE_ALIGN", "SLAB_CACHE_DMA", "SLAB_RECLAIM_ACCOUNT",
				    "SLAB_HWCACHE_ALIGN|SLAB_CACHE_DMA", "SLAB_POISON" }
		local c = t:kmem_cache_create(arg(function() return "c" .. byte() % 8 end),
			arg(function() return pick{ 4, 8, 24, 200, 4096, 5000, 131072, 131073 } end),
			arg(function() return { align = pick{ 0, 8, 64, 3 }, flags = flags, ctor = byte() % 2 == 0 } end))
		keep(S.caches, c)
		keep(objects, c)
	end,
	function(t) -- kmem_cache_alloc
		local c = any(S.caches)
		local p = t:kmem_cache_alloc(arg(function() return c end), arg(gfp))
		if p then keep(S.objs, p) end
	end,
	function(t) -- kmem_cache_free
		local c = any(S.caches)
		t:kmem_cache_free(arg(function() return c end), arg(function() return take(S.objs) end))
	end,
	function(t) local c = any(S.caches) t:kmem_cache_shrink(arg(function() return c end)) end,
	function(t) local c = any(S.caches) t:kmem_cache_destroy(arg(function() return c end)) end,
	function() local c = any(S.caches) if c then c:info() c:avail(arg(small)) end end,
	function(t) -- kmalloc
		local p = t:kmalloc(arg(function() return pick{ 0, 1, 32, 100, 4096, 131072, 131073 } end), arg(gfp))
		if p then keep(S.objs, p) end
	end,
	function(t) t:kfree(arg(function() return take(S.objs) or 0 end)) end,
	function(t) t:ksize(arg(function() return any(S.objs, 0) end)) end,
	function(t)
		t:kmem_touch(arg(function() return any(S.objs, 0) end),
			arg(function() return { write = byte() % 2 == 0, offset = small(), len = small() } end))
	end,
	function(t) -- vmalloc
		local a = t:vmalloc(arg(function() return pick{ 1, 4096, 5000, 65536, 0 } end),
			byte() % 2 == 0 and arg(gfp) or nil)
		keep(S.areas, a)
	end,
	function(t) t:vfree(arg(function() return take(S.areas) or 0 end)) end,
	function(t)
		t:vtouch(arg(function() return any(S.areas, 0) end),
			arg(function() return { write = byte() % 2 == 0, offset = small(), len = count() } end))
	end,
	function(t) -- kmap
		local pfn = arg(block)
		t:kmap(pfn)
		keep(S.kmaps, pfn)
	end,
	function(t) t:kunmap(arg(function() return take(S.kmaps) or block() end)) end,
	function(t) t:kmap_atomic(arg(block), arg(function() return pick(kmtypes) end)) end,
	function(t) t:kunmap_atomic(arg(function() return pick(kmtypes) end)) end,
	function(t) -- dma
		local dev = any(S.devices, 0)
		t:dma(arg(function() return dev end), arg(block), arg(function()
			return { dir = pick{ "to_device", "from_device", "both" }, offset = small(), len = count(),
				 async = byte() % 2 == 0, gfp = pick{ "GFP_NOIO", "GFP_ATOMIC", "GFP_KERNEL" } }
		end))
	end,
	function(t) -- mmap
		local n = arg(function() return pick{ 1, 2, 4, 16, 0 } end)
		local a = t:mmap(n)
		if a then keep(S.vmas, { addr = a, n = n }) end
	end,
	function(t) -- munmap
		local v = take(S.vmas)
		if v and byte() % 4 > 0 then t:munmap(v.addr, v.n) else t:munmap(arg(function() return v and v.addr or 0 end), arg(small)) end
	end,
	function(t)
		local v = any(S.vmas)
		t:utouch(arg(function() return v and v.addr + 4096 * (byte() % v.n) + byte() or 0 end),
			arg(function() return { write = byte() % 2 == 0, len = count() } end))
	end,
	function(t) local v = any(S.vmas) t:uwalk(arg(function() return v and v.addr or 0 end)) end,
	function(t) t:share_mm(arg(function() return any(S.tasks) end)) end,
	function(t) -- get_user_pages
		local v = any(S.vmas)
		local list = t:get_user_pages(arg(function() return v and v.addr or 0 end), arg(function() return byte() % 3 + 1 end))
		for _, pfn in ipairs(list or {}) do keep(S.pins, pfn) end
	end,
	function(t) t:put_page(arg(function() return take(S.pins) or block() end)) end,
	function(t) t:mm() t:now() t:cpu() t:node() t:name() tostring(t) end,
	function(t) -- another task's operation, from this one
		local o = any(S.tasks)
		if o and o ~= t then o:alloc_pages("GFP_KERNEL", 0) end
	end,
	function() m:run() end,                                  -- from inside a task
	function() -- spawn a task of its own
		if #S.tasks < 8 then
			local nt = m:spawn(arg(function()
				return { fn = TASK, cpu = arg(function() return byte() % (m:ncpus() + 1) end),
					 name = pick{ "w", "a\"b\\c\n\1", string.rep("n", 200) },
					 at = byte() % 2 == 0 and m:now() + cycles() or nil }
			end))
			keep(S.tasks, nt)
			keep(objects, nt)
		end
	end,
	function() error(pick{ "a task's own error", {} }) end,
}

-- Kernel and machine calls, from anywhere.
local views = { "buddyinfo", "zoneinfo", "vmstat", "meminfo", "freelists", "slabinfo", "vmallocinfo",
		"zonelists", "numastat", "node_meminfo", "pagetypeinfo", "nothing" }
local knobs = { "min_free_kbytes", "watermark_scale_factor", "lowmem_reserve_ratio",
		"percpu_pagelist_high_fraction", "numa_zonelist_order", "pcp" }
local kernel_ops = {
	function() k:proc(arg(function() return pick(views) end), byte() % 2 == 0 and arg(small) or nil) end,
	function() k:zones() k:vmstat() k:nr_free_pages() k:min_free_kbytes() k:pageblock_order() end,
	function() k:freelists() end,
	function() k:snapshot(arg(function() return { freelists = byte() % 2 == 0 } end)) end,
	function() -- sysctl
		k:sysctl(arg(function() return pick(knobs) end), arg(function()
			return pick{ 0, 1, 10, 128, 1000, 3000, 3001, "256 256 32", "1 1", "Node", "Zone", 2048, "8", -5 }
		end))
	end,
	function() k:policy(arg(function() return pick{ "pcp", "era", "max_order", "colour" } end)) end,
	function() m:stats() m:now() m:ncpus() m:nnodes() m:cpu_node(arg(small)) end,
	function() keep(S.queues, m:waitqueue(arg(function() return "q" .. byte() % 4 end))) end,
	function() -- device
		local id = m:device(arg(function()
			return { name = "d" .. byte() % 4, bits = pick{ 24, 32, 64, 0, 65 },
				 bytes_per_cycle = pick{ 1, 4, 0 }, setup = pick{ 0, 1000 } }
		end))
		keep(S.devices, id)
	end,
	function() mmsim.gfp(arg(gfp)) mmsim.seed() end,
	function() mmsim.machine("x86_64") end,                   -- a second machine
	function() m:boot{} end,                                   -- a second boot
}

local function call(list, ...)
	local i = byte() % #list + 1
	local ok, err = pcall(list[i], ...)
	if verbose then io.stderr:write(("fuzz: %s op %d: %s\n"):format(select("#", ...) > 0 and "task" or "kernel", i,
		ok and "ok" or tostring(err))) end
end

-- A task: calls until the bytes run out or it has made 64.
function TASK(t)
	for _ = 1, 64 do
		if not more() then return end
		if byte() % 8 == 0 then call(kernel_ops) else call(task_ops, t) end
	end
end

-- ---- The machine ------------------------------------------------------------------

local machines = {
	{ preset = "x86_64", mem = "32M", cpus = 2 },
	{ preset = "pc-i386", mem = "64M" },
	{ preset = "x86_64-numa2", mem = "64M" },
	{ preset = "pc-i386-pae", mem = "48M", cpus = 2 },
	{ arch = "i386", mem = "40M", numa = false },
	{ arch = "i386", mem = "64M", lowmem_end = "0x2000000" },       -- 32 MiB of HighMem
	{ arch = "i386-pae", mem = "48M", lowmem_end = "0x1800000", cpus = 2 },
	{ preset = "x86_64-numa4", mem = "128M" },
	{ arch = "x86_64", nodes = { { start = "0x0", ["end"] = "0x2000000" },
				     { start = "0x2000000", ["end"] = "0x4000000", movable_start = "0x3000000" } } },
}
local desc = pick(machines)
-- Small caches: making a 16 MiB LLC per node costs more than the calls.
desc.l2 = { size = "128K" }
desc.llc = { size = "512K" }
local ok, err = pcall(function() m = mmsim.machine(desc) end)
if not ok then broken("a machine the fuzzer relies on was refused: " .. tostring(err)) end
objects[#objects + 1] = m

local boot = { era = pick{ "classic", "modern" }, pcp = pick{ "on", "off" } }
local b = byte()
if b % 3 == 0 then boot.max_order = pick{ 2, 4, 11, 15 } end
if b % 5 == 0 then boot.min_free_kbytes = pick{ 128, 1024, "auto" } end
if b % 7 == 0 then boot.highpte = "on" end
if b % 11 == 0 then boot.dma_bounce = "off" end
if b % 4 == 0 and desc.mem ~= "128M" then boot.check = "on" end   -- a walk of mem_map per call
if b % 13 == 0 then boot.zonelist_order = "zone" end
if b % 17 == 0 then boot.slab_colour = false end
ok, k = pcall(m.boot, m, boot)
if not ok then
	if verbose then io.stderr:write("fuzz: boot refused: " .. tostring(k) .. "\n") end
	ok, k = pcall(m.boot, m, {})
	if not ok then broken("no boot: " .. tostring(k)) end
end
objects[#objects + 1] = k
if verbose then io.stderr:write(("fuzz: machine %d, boot %s\n"):format(pos, k:policy("era"))) end

for _ = 1, byte() % 3 + 1 do
	local t = m:spawn{ fn = TASK, cpu = byte() % m:ncpus() }
	keep(S.tasks, t)
	objects[#objects + 1] = t
end

-- Rounds: run what is spawned, call the kernel from the main chunk, spawn
-- again while bytes are left.
for _ = 1, 4 do
	local why
	ok, why = pcall(m.run, m, byte() % 4 == 0 and { max_cycles = m:now() + cycles() } or nil)
	if verbose then io.stderr:write("fuzz: run: " .. tostring(why) .. "\n") end
	for _ = 1, byte() % 4 do if more() then call(kernel_ops) end end
	if not more() then break end
	local t
	ok, t = pcall(m.spawn, m, { fn = TASK, cpu = byte() % m:ncpus() })
	if ok then keep(S.tasks, t) end
end
pcall(m.run, m)

-- ---- The properties -------------------------------------------------------------------

ok, err = pcall(k.check, k)
if not ok then broken(tostring(err)) end

local function num(text, key)
	local v = ("\n" .. text):match("\n" .. key:gsub("[%(%)]", "%%%0") .. "%s+(%d+)")
	return tonumber(v)
end
local vm, mi = k:proc("vmstat"), k:proc("meminfo")
local nr_free = num(vm, "nr_free_pages")
local function same(a, b, what)
	if a ~= b then broken(("%s: %s, expected %s"):format(what, tostring(a), tostring(b))) end
end
same(k:nr_free_pages(), nr_free, "k:nr_free_pages() against vmstat's nr_free_pages")
local zones_free = 0
for _, z in ipairs(k:zones()) do zones_free = zones_free + z.free end
same(zones_free, nr_free, "k:zones() free pages against nr_free_pages")
local zi_free = 0
for f in k:proc("zoneinfo"):gmatch("pages free%s+(%d+)") do zi_free = zi_free + tonumber(f) end
same(zi_free, nr_free, "zoneinfo's pages free against nr_free_pages")
local bi_free = 0
for line in k:proc("buddyinfo"):gmatch("[^\n]+") do
	local order = 0
	for c in line:match("zone%s+%S+(.*)"):gmatch("%d+") do
		bi_free = bi_free + tonumber(c) * 2 ^ order
		order = order + 1
	end
end
same(math.tointeger(bi_free), nr_free, "buddyinfo's blocks against nr_free_pages")
local mem_free = num(mi, "MemFree:")
same(mem_free, 4 * nr_free, "meminfo's MemFree against 4 x nr_free_pages")
if num(mi, "HighTotal:") and num(mi, "LowTotal:") then
	same(num(mi, "HighTotal:") + num(mi, "LowTotal:"), num(mi, "MemTotal:"), "HighTotal + LowTotal")
	same(num(mi, "HighFree:") + num(mi, "LowFree:"), mem_free, "HighFree + LowFree")
end
local nodes_free, numa = 0, true
for nid = 0, m:nnodes() - 1 do
	local okn, nm = pcall(k.proc, k, "node_meminfo", nid)
	if not okn then numa = false break end
	local pre = "Node " .. nid .. " "
	local total, nfree, used = num(nm, pre .. "MemTotal:"), num(nm, pre .. "MemFree:"), num(nm, pre .. "MemUsed:")
	same(nfree + used, total, "node " .. nid .. " MemFree + MemUsed against MemTotal")
	nodes_free = nodes_free + nfree
end
if numa then same(nodes_free, mem_free, "the nodes' MemFree against MemFree") end
if verbose then io.stderr:write(("fuzz: properties hold (%d pages free)\n"):format(nr_free)) end
