-- The modern era's views after a few allocations, from Lua: the real 6.1
-- machine with two nodes and a CPU each (tests/data/linux-6.1/d_numa2).
-- 6.1's zone_statistics, once per allocation whatever its order: numa_hit
-- on the serving zone when its node is the preferred zone's (numa_miss
-- there and numa_foreign on the preferred zone otherwise), and local_node
-- when the serving node is the allocating CPU's (other_node otherwise).
-- pgalloc_ZONE counts pages (2^order). /proc/vmstat's numa_* add up the
-- zones' counters; the node files add up one node's.
local mmsim = require "mmsim"
local m = mmsim.machine{ from = "tests/data/linux-6.1/d_numa2/boot" }
local k = m:boot{ era = "modern" }

local function num(text, key)
	local v = text:match("\n" .. key:gsub("[%(%)]", "%%%0") .. " +(%d+)") or
		text:match("^" .. key:gsub("[%(%)]", "%%%0") .. " +(%d+)")
	return assert(tonumber(v), key .. " not in\n" .. text)
end
local function numastat(nid)
	local s, t = k:proc("numastat", nid), {}
	for key, v in s:gmatch("(%S+) (%d+)\n") do t[key] = tonumber(v) end
	return t
end
local function check_numastat(nid, want)
	local got = numastat(nid)
	for _, key in ipairs{ "numa_hit", "numa_miss", "numa_foreign", "interleave_hit", "local_node", "other_node" } do
		assert(got[key] == (want[key] or 0),
		       ("node%d %s: %d, expected %d"):format(nid, key, got[key], want[key] or 0))
	end
end

-- A fresh boot: no allocation yet; every managed frame was freed once.
check_numastat(0, {})
check_numastat(1, {})
local vm = k:proc("vmstat")
local managed = 0
for _, z in ipairs(k:zones()) do managed = managed + z.managed end
assert(num(vm, "pgfree") == managed and managed == 504262, vm)

-- CPU 0 (node 0): five order-0 pages and an order-2 block from GFP_KERNEL
-- (preferred zone 0:DMA32, served there: hit, local), then one page bound
-- to node 1 (preferred 1:DMA32, served there: hit on node 1, but not the
-- CPU's node: other_node).
local pages = {}
m:spawn{ cpu = 0, name = "node0", fn = function(t)
	for i = 1, 5 do pages[#pages + 1] = { t:alloc_pages("GFP_KERNEL", 0), 0 } end
	pages[#pages + 1] = { t:alloc_pages("GFP_KERNEL", 2), 2 }
	pages[#pages + 1] = { t:alloc_pages_node(1, "GFP_KERNEL", 0), 0 }
end }
m:run()
check_numastat(0, { numa_hit = 6, local_node = 6 })
check_numastat(1, { numa_hit = 1, other_node = 1 })
vm = k:proc("vmstat")
assert(num(vm, "numa_hit") == 7 and num(vm, "numa_miss") == 0 and num(vm, "numa_foreign") == 0, vm)
assert(num(vm, "numa_interleave") == 0 and num(vm, "numa_local") == 6 and num(vm, "numa_other") == 1, vm)
-- 5 + 4 + 1 pages, all from DMA32 zones
assert(num(vm, "pgalloc_dma32") == 10 and num(vm, "pgalloc_dma") == 0 and num(vm, "pgalloc_normal") == 0, vm)

-- nr_free_pages is the buddy lists only: the per-CPU lists' pages
-- (zoneinfo's count:) are neither free nor allocated.
local free, on_pcp = 0, 0
for _, z in ipairs(k:zones()) do free = free + z.free end
for c in k:proc("zoneinfo"):gmatch("count: (%d+)") do on_pcp = on_pcp + tonumber(c) end
assert(on_pcp > 0, "the refills left pages on the per-CPU lists")
assert(num(vm, "nr_free_pages") == free and free == managed - 10 - on_pcp, vm)
local mi = k:proc("meminfo")
assert(num(mi, "MemFree:") == 4 * free and num(mi, "MemTotal:") == 4 * managed, mi)
local n1 = k:proc("node_meminfo", 1)
assert(num(n1, "Node 1 MemTotal:") == 1031588, n1)    -- the real node 1's
assert(num(n1, "Node 1 MemFree:") + num(n1, "Node 1 MemUsed:") == 1031588, n1)

-- CPU 1 (node 1) frees everything, then allocates one page bound to node
-- 0: node 0 counts a hit that is not local.
m:spawn{ cpu = 1, name = "node1", fn = function(t)
	for _, p in ipairs(pages) do t:free_pages(p[1], p[2]) end
	pages = { t:alloc_pages_node(0, "GFP_KERNEL", 0) }
	t:free_pages(pages[1], 0)
end }
m:run()
check_numastat(0, { numa_hit = 7, local_node = 6, other_node = 1 })
check_numastat(1, { numa_hit = 1, other_node = 1 })
assert(num(k:proc("vmstat"), "pgfree") == managed + 11)

-- Every node at once: head(1)'s headers.
assert(k:proc("numastat"):find("^==> node0/numastat <==\nnuma_hit 7\n.*\n\n==> node1/numastat <==\nnuma_hit 1\n"))
local ok, err = pcall(k.proc, k, "numastat", 2)
assert(not ok and err:find("no node 2", 1, true), err)
ok, err = pcall(k.proc, k, "vmstat", 0)
assert(not ok and err:find("takes no node", 1, true), err)

print("modern_views: ok")
