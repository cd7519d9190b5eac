-- Misuse: touching a page the scenario never allocated.
local mmsim = require "mmsim"
local m = mmsim.machine("pc-i386")
local k = m:boot{}
m:spawn{ fn = function(t)
  local p = t:alloc_pages("GFP_KERNEL", 0)
  t:touch(p + 1) -- ERROR
end }
m:run()
