-- Test: alloc_bulk stops at the first failure, even when that is the very
-- first allocation (it used to retry forever).
local mmsim = require "mmsim"
local m = mmsim.machine{ preset = "pc-i386", mem = "64M" }
m:boot{ pcp = "off" }
m:spawn{ fn = function(t)
  -- 64 MiB holds fewer than 16 free order-10 blocks: the first call takes
  -- them all and stops at its first failure, the second fails at once.
  local a = t:alloc_bulk(100, "GFP_KERNEL|__GFP_NOWARN", 10)
  assert(#a > 0 and #a < 16, "got " .. #a)
  local b = t:alloc_bulk(3, "GFP_KERNEL|__GFP_NOWARN", 10)
  assert(#b == 0, "got " .. #b)
  t:free_bulk(a, 10)
end }
m:run()
