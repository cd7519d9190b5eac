-- Test: a machine described in full as a Lua table (the JSON format's
-- shape): two nodes of 512 MiB, three CPUs, asymmetric distances.
local mmsim = require "mmsim"
local m = mmsim.machine{
  name = "tiny-numa", arch = "x86_64",
  nodes = { { start = "0x0", ["end"] = "0x20000000" },
            { start = "0x20000000", ["end"] = "0x40000000" } },
  cpus = { { node = 0 }, { node = 0 }, { node = 1, hz = 2000000000 } },
  distance = { { 10, 15 }, { 25, 10 } },
}
assert(m:ncpus() == 3 and m:nnodes() == 2 and m:cpu_node(2) == 1)
local k = m:boot{}
local nodes = {}
for _, z in ipairs(k:zones()) do nodes[z.node] = (nodes[z.node] or 0) + z.present end
assert(nodes[0] == 131072 and nodes[1] == 131072)
print("machine_full: ok")
