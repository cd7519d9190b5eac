-- NUMA misses in the modern era (6.1 zone_statistics): a two-node 64 MiB
-- machine (x86_64-numa2: node 0 is pfn 0..8191 with DMA and DMA32, node 1
-- pfn 8192..16383 with DMA32). CPU 0 (node 0) allocates GFP_KERNEL pages
-- until node 0's zones are under their low watermarks and node 1 serves
-- (node 0's zonelist: 0:DMA32, 0:DMA, 1:DMA32). The preferred zone is
-- 0:DMA32 throughout, so each page from node 0 is a hit and local there;
-- each page from node 1 is a miss and other_node on node 1, and a foreign
-- on node 0 (charged to the preferred zone). The counts below come from
-- where the pages landed, by those rules.
local mmsim = require "mmsim"
local m = mmsim.machine{ preset = "x86_64-numa2", mem = "64M" }
local k = m:boot{ era = "modern" }
assert(m:cpu_node(0) == 0)

local n0, n1, pages = 0, 0, {}
m:spawn{ cpu = 0, name = "fill", fn = function(t)
	local extra = 0
	while extra < 5 do
		local pfn = assert(t:alloc_pages("GFP_KERNEL", 0))
		pages[#pages + 1] = pfn
		if pfn >= 8192 then
			n1 = n1 + 1
			extra = extra + 1
		else
			n0 = n0 + 1
		end
	end
end }
m:run()
assert(n0 > 7000 and n1 == 5, n0 .. " " .. n1)

local function numastat(nid)
	local t = {}
	for key, v in k:proc("numastat", nid):gmatch("(%S+) (%d+)\n") do t[key] = tonumber(v) end
	return t
end
local s0, s1 = numastat(0), numastat(1)
assert(s0.numa_hit == n0 and s0.numa_miss == 0 and s0.numa_foreign == n1, k:proc("numastat"))
assert(s0.local_node == n0 and s0.other_node == 0, k:proc("numastat"))
assert(s1.numa_hit == 0 and s1.numa_miss == n1 and s1.numa_foreign == 0, k:proc("numastat"))
assert(s1.local_node == 0 and s1.other_node == n1, k:proc("numastat"))
local vm = k:proc("vmstat")
local function num(key) return tonumber(vm:match("\n" .. key .. " (%d+)\n")) end
assert(num("numa_hit") == n0 and num("numa_miss") == n1 and num("numa_foreign") == n1, vm)
assert(num("numa_local") == n0 and num("numa_other") == n1, vm)
assert(num("pgalloc_dma") + num("pgalloc_dma32") == n0 + n1, vm)
print("modern_numa_miss: ok")
