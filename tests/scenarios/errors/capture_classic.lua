-- Misuse: the capture's state is 6.1's; the classic era cannot take it.
local mmsim = require "mmsim"
local m = mmsim.machine{ from = "tests/data/linux-6.1/b_1g_2cpu/boot", capture = "in_use" }
m:boot{ era = "classic" } -- ERROR
