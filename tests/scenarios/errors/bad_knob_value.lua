-- Misuse: a knob value the policy does not accept, in the boot table.
local mmsim = require "mmsim"
local m = mmsim.machine("pc-i386")
m:boot{ pcp = "maybe" } -- ERROR
