-- Test: the scenario's boot table asks for pcp=on and min_free_kbytes=2048;
-- tests/cli_scenarios.sh runs it with -P and checks that -P wins (the header
-- and what this prints).
local mmsim = require "mmsim"
local m = mmsim.machine("pc-i386")
local k = m:boot{ pcp = "on", min_free_kbytes = 2048, hw = true }
print("pcp=" .. k:policy("pcp") .. " min_free_kbytes=" .. k:policy("min_free_kbytes") ..
      " (" .. k:min_free_kbytes() .. ") hw=" .. k:policy("hw"))
