-- The modern era from Lua: import a real Linux 6.1 machine (two nodes, a
-- CPU each; tests/data/linux-6.1/d_numa2, captured under QEMU), boot it, and
-- check the figures 6.1 printed (sysctl_mfk_rewrite/proc/zoneinfo: 6.1's
-- computation from the final managed counts), then run-time sysctl writes
-- recomputing what 6.1's handlers recompute.
local mmsim = require "mmsim"
local m = mmsim.machine{ from = "tests/data/linux-6.1/d_numa2/boot" }
assert(m:nnodes() == 2 and m:ncpus() == 2)
local k = m:boot{ era = "modern" }
assert(k:policy("era") == "modern")
-- 6.1 khugepaged set_recommended_min_free_kbytes: 3 zones * 11 pageblocks
assert(k:min_free_kbytes() == 67584, k:min_free_kbytes())

local zi = k:proc("zoneinfo")
local function field(node, zone, name)
	local pat = "Node " .. node .. ", zone%s+" .. zone .. "\n.-\n%s+" .. name .. "%s+(%d+)"
	return tonumber(zi:match(pat))
end
-- __setup_per_zone_wmarks with watermark_scale_factor 10
assert(field(0, "DMA32", "managed") == 242525)
assert(field(0, "DMA32", "min") == 8126 and field(0, "DMA32", "low") == 10157 and
       field(0, "DMA32", "high") == 12188, zi)
assert(field(1, "DMA32", "min") == 8641 and field(1, "DMA32", "high") == 12961)
assert(zi:find("protection: (0, 947, 947, 947, 947)", 1, true))
-- zone_highsize: the low watermark over the node's one CPU
assert(zi:find("high:  10157\n              batch: 63", 1, true))

-- Run-time writes: watermark_scale_factor (setup_per_zone_wmarks and pcp high)
k:sysctl("watermark_scale_factor", 100)
zi = k:proc("zoneinfo")
assert(field(0, "DMA32", "low") == 10551 and field(0, "DMA32", "high") == 12976)
assert(zi:find("high:  10551", 1, true))
k:sysctl("watermark_scale_factor", 10)
-- lowmem_reserve_ratio halved: protection only
k:sysctl("lowmem_reserve_ratio", "128 128 16 0 0")
zi = k:proc("zoneinfo")
assert(zi:find("protection: (0, 1894, 1894, 1894, 1894)", 1, true))
assert(field(0, "DMA32", "low") == 10157)
-- percpu_pagelist_high_fraction: high = managed / 8 over the node's CPUs
k:sysctl("percpu_pagelist_high_fraction", 8)
assert(k:proc("zoneinfo"):find("high:  30315", 1, true))
local ok, err = pcall(k.sysctl, k, "percpu_pagelist_high_fraction", 3)
assert(not ok and err:find("bad value '3'", 1, true), err)
ok, err = pcall(k.sysctl, k, "swappiness", 60)
assert(not ok and err:find("sysctl: unknown 'swappiness'", 1, true), err)

-- the zonelists as dmesg's mminit lines
assert(k:proc("zonelists"):find("mminit::zonelist general 1:DMA32 = 1:DMA32 0:DMA32 0:DMA \n", 1, true))

-- the classic allocator still serves the modern era (this stage)
local got
m:spawn{ cpu = 0, name = "alloc", fn = function(t)
	got = t:alloc_pages("GFP_KERNEL", 0)
	t:free_pages(got, 0)
end }
m:run()
assert(got)
print("modern_import: ok")
