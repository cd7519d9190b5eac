-- The modern era on machine shapes other than the two real captures: the
-- hand-made 6.1 captures of tests/data/shapes-6.1 (their README works every
-- number out from 6.1's rules). Allocations go where 6.1's zonelists send
-- them.
local mmsim = require "mmsim"

-- Four nodes with an asymmetric SLIT: node 2 has CPUs 4-5 and no memory,
-- node 3 memory and no CPUs. 6.1's fallback orders: node 0: 0 3 1,
-- node 1: 1 3 0, node 2: 2 1 0 3, node 3: 3 1 0.
local m = mmsim.machine{ from = "tests/data/shapes-6.1/numa4_asym" }
assert(m:nnodes() == 4 and m:ncpus() == 6 and m:cpu_node(4) == 2)
local k = m:boot{ era = "modern" }
assert(k:min_free_kbytes() == 90112, k:min_free_kbytes())
local function node_of(pfn)
	if pfn < 262144 then return 0 elseif pfn >= 1048576 and pfn < 1310720 then return 1 end
	assert(pfn >= 1310720 and pfn < 1572864, pfn)
	return 3
end
local got = {}
m:spawn{ cpu = 4, name = "memoryless", fn = function(t)
	got.cpu4 = node_of(t:alloc_pages("GFP_KERNEL", 0))      -- node 2's list: 1 first
	got.n3 = node_of(t:alloc_pages_node(3, "GFP_KERNEL", 0))  -- node 3's own memory
end }
m:spawn{ cpu = 0, name = "local", fn = function(t)
	got.cpu0 = node_of(t:alloc_pages("GFP_KERNEL", 0))
end }
m:run()
assert(got.cpu4 == 1 and got.n3 == 3 and got.cpu0 == 0, got.cpu4 .. got.n3 .. got.cpu0)
assert(k:proc("zonelists"):find("mminit::zonelist general 3:Normal = 3:Normal 1:Normal 0:DMA32 0:DMA \n",
				 1, true))
print("shapes61_numa4: ok")
