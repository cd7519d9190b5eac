-- Lab: anti-fragmentation by migrate type (scenarios/labs/fragmentation/README.md).
--
-- A 256 MiB x86_64 machine, per-CPU lists off. One task allocates order-0
-- pages, three movable (user pages: GFP_HIGHUSER_MOVABLE in the modern era;
-- the classic era has no such flag, GFP_HIGHUSER) for one unmovable
-- (GFP_KERNEL), until the allocator refuses; then frees every movable page.
-- How many whole pageblocks (order-9 blocks, 2 MiB, on x86_64) are free
-- again?
--
-- Run it in both eras and compare (Gorman's result):
--   ./mmsim run scenarios/labs/fragmentation/fragmentation.lua               (classic)
--   ./mmsim run scenarios/labs/fragmentation/fragmentation.lua --era modern  (6.1)
local mmsim = require "mmsim"

local m = mmsim.machine{ preset = "x86_64", mem = "256M" }
local k = m:boot{ pcp = "off" }
local era = k:policy("era")
local movable = era == "modern" and "GFP_HIGHUSER_MOVABLE" or "GFP_HIGHUSER"

-- The machine's pageblock order (k:pageblock_order(): 9 on x86_64, 10 on
-- a 2-level i386). The classic era has no pageblocks: count blocks of the
-- same 2 MiB there, to compare.
local pbo = k:pageblock_order() or 9

-- Free frames in blocks of order >= pbo, in pageblocks, over every zone.
local function free_pageblocks()
  local n = 0
  for _, z in ipairs(k:zones()) do
    for o = pbo + 1, #z.nr_free do n = n + z.nr_free[o] * 2 ^ (o - 1 - pbo) end
  end
  return math.floor(n)
end

m:spawn{ name = "fragment", fn = function(t)
  print(string.format("era %s: %d free pageblocks at boot", era, free_pageblocks()))
  local mov, nmov, nunmov = {}, 0, 0
  local i = 0
  while true do
    local unmovable = i % 4 == 3
    local pfn = t:alloc_pages((unmovable and "GFP_KERNEL" or movable) .. "|__GFP_NOWARN", 0)
    if not pfn then break end
    if unmovable then nunmov = nunmov + 1 else nmov = nmov + 1; mov[nmov] = pfn end
    i = i + 1
  end
  print(string.format("allocated %d movable and %d unmovable pages: %d free pageblocks",
    nmov, nunmov, free_pageblocks()))
  for j = 1, nmov do t:free_pages(mov[j], 0) end
  print(string.format("movable pages freed: %d free pageblocks", free_pageblocks()))
end }
m:run()
if era == "modern" then print(k:proc("pagetypeinfo")) end
