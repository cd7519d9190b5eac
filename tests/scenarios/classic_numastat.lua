-- The classic era's per-node files (2.6.11 drivers/base/node.c) on the real
-- two-node 6.1 machine (tests/data/linux-6.1/d_numa2): 2.6.11's
-- zone_statistics counts the same way 6.1's does, and numastat has the same
-- six lines; the node's meminfo opens with an empty line and its MemTotal
-- is the node's present pages (2.6.11 si_meminfo_node), here 262112.
local mmsim = require "mmsim"
local m = mmsim.machine{ from = "tests/data/linux-6.1/d_numa2/boot" }
local k = m:boot{ era = "classic" }
-- CPU 1 (node 1), GFP_KERNEL: preferred 1:DMA32, served there.
m:spawn{ cpu = 1, name = "c", fn = function(t) t:alloc_pages("GFP_KERNEL", 0) end }
m:run()
local s = k:proc("numastat", 1)
assert(s == "numa_hit 1\nnuma_miss 0\nnuma_foreign 0\ninterleave_hit 0\nlocal_node 1\nother_node 0\n", s)
assert(k:proc("numastat", 0):find("^numa_hit 0\n"))
local mi = k:proc("node_meminfo", 1)
assert(mi:find("^\nNode 1 MemTotal:      1048448 kB\nNode 1 MemFree: "), mi)
assert(mi:find("\nNode 1 LowFree: +%d+ kB\n$"), mi)
print("classic_numastat: ok")
