-- Test: mmsim.machine{file = ...}, the table form of a JSON description.
local mmsim = require "mmsim"
local m = mmsim.machine{ file = "scenarios/machines/two-socket.json" }
assert(m:nnodes() == 2 and m:ncpus() == 8)
print("machine_file: ok")
