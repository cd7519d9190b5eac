-- Misuse: a user access beyond the mapping (a segmentation fault).
local mmsim = require "mmsim"
local m = mmsim.machine("pc-i386")
local k = m:boot{}
m:spawn{ fn = function(t)
  local a = t:mmap(2)
  t:utouch(a + 4096)
  t:utouch(a + 2 * 4096) -- ERROR
end }
m:run()
