-- ZONE_MOVABLE carved from HighMem (a 2-level i386, movablecore=256M):
-- tests/data/shapes-6.1/i386_movablecore (its README works out the
-- numbers). 6.1's is_highmem() counts this Movable zone as HighMem: the
-- HighMem watermark rule, and its pages need kmap like HighMem's.
local mmsim = require "mmsim"
local MOVABLE, HIGHMEM = 458752, 0x377fe
local m = mmsim.machine{ from = "tests/data/shapes-6.1/i386_movablecore" }
local k = m:boot{ era = "modern" }
local zi = k:proc("zoneinfo")
-- clamp(65504 / 1024, 32, 128) = 63; step max(3253 / 4, 65) = 813
assert(zi:find("Node 0, zone  Movable\n  pages free     %d+\n        boost    0\n        min      63\n" ..
	       "        low      876\n        high     1689\n"), zi)
assert(zi:find("protection: (0, 0, 7232, 9279)", 1, true), zi)
local mv, hi, va, lo, lova
m:spawn{ cpu = 0, name = "i386mv", fn = function(t)
	mv = t:alloc_pages("GFP_HIGHUSER_MOVABLE", 0)
	hi = t:alloc_pages("GFP_HIGHUSER", 0)
	lo = t:alloc_pages("GFP_KERNEL", 0)
	va = t:kmap(mv)
	lova = t:kmap(lo)
	t:kunmap(mv)
	t:kunmap(lo)
	t:free_pages(mv, 0)
	t:free_pages(hi, 0)
	t:free_pages(lo, 0)
end }
m:run()
assert(mv >= MOVABLE, mv)
assert(hi >= HIGHMEM and hi < MOVABLE, hi)
assert(lo < HIGHMEM, lo)
assert(va >= 0xff800000, string.format("%x", va))               -- a pkmap slot
assert(lova == 0xc0000000 + lo * 4096, string.format("%x", lova)) -- the direct map
print("shapes61_i386_movable: ok")
