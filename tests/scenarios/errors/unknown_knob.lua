-- Misuse: a knob that does not exist, in the boot table.
local mmsim = require "mmsim"
local m = mmsim.machine("pc-i386")
m:boot{ colour = "blue" } -- ERROR
