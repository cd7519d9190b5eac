-- The modern era on machine shapes other than the two real captures: the
-- hand-made 6.1 captures of tests/data/shapes-6.1 (their README works every
-- number out from 6.1's rules). Allocations go where 6.1's zonelists send
-- them.
local mmsim = require "mmsim"

-- A 2 GiB i386 (2-level page tables) with HighMem from pfn 0x377fe.
local HIGHMEM = 0x377fe
local m = mmsim.machine{ from = "tests/data/shapes-6.1/i386_highmem" }
local k = m:boot{ era = "modern" }
assert(k:min_free_kbytes() == 41988, k:min_free_kbytes())
local zi = k:proc("zoneinfo")
assert(zi:find("protection: (0, 810, 1970, 1970)", 1, true), zi)
-- 6.1's 32-bit lowmem_reserve_ratio has four ratios: DMA Normal HighMem Movable
k:sysctl("lowmem_reserve_ratio", "128 16 0 0")
zi = k:proc("zoneinfo")
-- 207482 / 128, (207482 + 296930) / 128; 296930 / 16
assert(zi:find("protection: (0, 1620, 3940, 3940)", 1, true), zi)
assert(zi:find("protection: (0, 0, 18558, 18558)", 1, true), zi)
local hi, lo, dma
m:spawn{ cpu = 1, name = "i386", fn = function(t)
	hi = t:alloc_pages("GFP_HIGHUSER", 0)
	lo = t:alloc_pages("GFP_KERNEL", 0)
	dma = t:alloc_pages("GFP_KERNEL|GFP_DMA", 0)
	t:free_pages(hi, 0)
	t:free_pages(lo, 0)
	t:free_pages(dma, 0)
end }
m:run()
assert(hi >= HIGHMEM, hi)
assert(lo >= 4096 and lo < HIGHMEM, lo)
assert(dma < 4096, dma)

-- No sys/devices/system/node in the capture: a kernel without CONFIG_NUMA.
-- 6.1 then has no numa_* counters (zoneinfo, vmstat), no node directory
-- (drivers/base/node.c is CONFIG_NUMA only) and no vm.numa_zonelist_order.
zi = k:proc("zoneinfo")
assert(not zi:find("numa_", 1, true) and not zi:find("pgpromote_", 1, true), zi)
assert(not k:proc("vmstat"):find("numa_", 1, true))
for _, v in ipairs{ "numastat", "node_meminfo" } do
	local ok, err = pcall(k.proc, k, v)
	assert(not ok and err:find("without CONFIG_NUMA", 1, true), err)
	ok, err = pcall(k.proc, k, v, 0)
	assert(not ok and err:find("without CONFIG_NUMA", 1, true), err)
end
local ok, err = pcall(k.sysctl, k, "numa_zonelist_order", "Node")
assert(not ok and err:find("no /proc/sys/vm/numa_zonelist_order", 1, true), err)
-- (m:boot{zonelist_order = ...} is refused too: tests/cli_machine.sh.)

print("shapes61_i386: ok")
