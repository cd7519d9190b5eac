-- A task's error caught by the script with pcall: the run still fails.
local mmsim = require "mmsim"
local m = mmsim.machine("pc-i386")
m:boot{}
m:spawn{ name = "failing", fn = function(t)
  t:think(10)
  error("caught but fatal") -- ERROR
end }
local ok, msg = pcall(m.run, m)
assert(not ok and msg:find("caught but fatal", 1, true), "pcall sees the task's message")
