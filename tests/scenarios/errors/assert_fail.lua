-- A failed assertion in the main chunk, after the run.
local mmsim = require "mmsim"
local m = mmsim.machine("pc-i386")
local k = m:boot{}
m:spawn{ fn = function(t) t:think(10) end }
m:run()
assert(m:now() == 0, "the clock moved") -- ERROR
