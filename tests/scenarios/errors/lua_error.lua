-- A plain Lua error inside a task.
local mmsim = require "mmsim"
local m = mmsim.machine("pc-i386")
local k = m:boot{}
m:spawn{ name = "failing", fn = function(t)
  t:think(10)
  error("something went wrong") -- ERROR
end }
m:run()
