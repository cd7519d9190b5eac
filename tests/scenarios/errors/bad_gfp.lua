-- Misuse: a GFP string with a flag that does not exist.
local mmsim = require "mmsim"
local m = mmsim.machine("pc-i386")
local k = m:boot{}
m:spawn{ fn = function(t)
  t:alloc_pages("GFP_KERNAL", 0) -- ERROR
end }
m:run()
