-- Test: the modern era's watermark boost, seen from Lua. With max_order 9
-- no free block is a whole pageblock, so the first unmovable page steals a
-- smaller movable block: 6.1's boost_watermark raises the boost by a
-- pageblock (512: max(512, high * 1.5) caps it) and, since GFP_KERNEL may
-- wake kswapd, sets ZONE_BOOSTED_WATERMARK, so rmqueue wakes kswapd even
-- though the node is balanced. When kswapd runs, its pass clears the boost
-- as 6.1's balance_pgdat does. zoneinfo shows min/low/high with the boost.
local mmsim = require "mmsim"
local m = mmsim.machine{ preset = "x86_64", mem = "256M", cpus = 1 }
local k = m:boot{ era = "modern", pcp = "off", max_order = 9, check = true }
local function field(name)
  return tonumber(k:proc("zoneinfo"):match("zone%s+DMA32\n.-\n%s+" .. name .. "%s+(%d+)"))
end
local min0 = field("min")
assert(field("boost") == 0 and min0 > 0)
local pfn
m:spawn{ name = "steal", fn = function(t)
  pfn = t:alloc_pages("GFP_KERNEL", 0)
end }
-- The allocation (and its wakeup) happens in the task's first step; kswapd
-- runs after it. Stop in between: the boost is there, min/low/high with it.
assert(m:run{ max_cycles = 3000 } == "max_cycles")
assert(field("boost") == 512, field("boost"))
assert(field("min") == min0 + 512)
assert(k:vmstat().kswapd_wake == 1 and k:vmstat().pageoutrun == 0)
-- kswapd's pass: the boost is gone.
assert(m:run() == "empty")
assert(field("boost") == 0, field("boost"))
assert(field("min") == min0)
assert(k:vmstat().pageoutrun == 1)
print("boost61: ok")
