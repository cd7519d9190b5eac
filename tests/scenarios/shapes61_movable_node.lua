-- movable_node (6.1): node 1's memory is hotpluggable, all of it
-- ZONE_MOVABLE (tests/data/shapes-6.1/numa2_movable_node). A task on
-- node 1's CPU gets movable pages from its own node, but its kernel
-- allocations fall back to node 0: node 1 has no zone GFP_KERNEL may use.
local mmsim = require "mmsim"
local m = mmsim.machine{ from = "tests/data/shapes-6.1/numa2_movable_node" }
local k = m:boot{ era = "modern" }
assert(k:min_free_kbytes() == 45056, k:min_free_kbytes())   -- 2 zones up to Normal
local mov, kern
m:spawn{ cpu = 1, name = "node1", fn = function(t)
	mov = t:alloc_pages("GFP_HIGHUSER_MOVABLE", 0)
	kern = t:alloc_pages("GFP_KERNEL", 0)
	t:free_pages(mov, 0)
	t:free_pages(kern, 0)
end }
m:run()
assert(mov >= 262144, mov)      -- node 1
assert(kern < 262144, kern)     -- node 0's DMA32
print("shapes61_movable_node: ok")
