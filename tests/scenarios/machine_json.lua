-- Test: a machine from a JSON description (docs/machines.md), by file name.
-- Run from the top of the tree (make test does).
local mmsim = require "mmsim"
local m = mmsim.machine("scenarios/machines/two-socket.json")
assert(m:ncpus() == 8 and m:nnodes() == 2)
assert(m:cpu_node(3) == 0 and m:cpu_node(4) == 1)
local k = m:boot{}
assert(#k:zones() == 4)  -- node 0: DMA, DMA32, Normal; node 1: Normal
print("machine_json: ok")
