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

print("shapes61_i386: ok")
