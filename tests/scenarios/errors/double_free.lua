-- Misuse: freeing a block twice.
local mmsim = require "mmsim"
local m = mmsim.machine("pc-i386")
local k = m:boot{}
m:spawn{ fn = function(t)
  local p = t:alloc_pages("GFP_KERNEL", 0)
  t:free_pages(p, 0)
  t:free_pages(p, 0) -- ERROR
end }
m:run()
