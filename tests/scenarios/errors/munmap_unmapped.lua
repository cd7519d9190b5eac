-- Misuse: munmap of a range that is not wholly mapped.
local mmsim = require "mmsim"
local m = mmsim.machine("pc-i386")
local k = m:boot{}
m:spawn{ fn = function(t)
  local a = t:mmap(2)
  t:munmap(a, 3) -- ERROR
end }
m:run()
