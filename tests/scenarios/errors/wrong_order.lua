-- Misuse: freeing a block with another order than it was allocated with.
local mmsim = require "mmsim"
local m = mmsim.machine("pc-i386")
local k = m:boot{}
m:spawn{ fn = function(t)
  local p = t:alloc_pages("GFP_KERNEL", 2)
  t:free_pages(p, 1) -- ERROR
end }
m:run()
