-- Misuse: a part of the capture's state that does not exist.
local mmsim = require "mmsim"
local m = mmsim.machine{ from = "tests/data/linux-6.1/b_1g_2cpu/boot", capture = { "in_use", "free" } } -- ERROR
m:boot{ era = "modern" }
