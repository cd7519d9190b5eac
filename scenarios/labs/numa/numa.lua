-- Lab: NUMA distance (scenarios/labs/numa/README.md).
--
-- x86_64-numa4 has four nodes with an asymmetric distance matrix (the SLIT):
-- from node 0 the others are 16, 21 and 31 away, and node 2 is 22 away from
-- node 0 but node 0 only 21 from node 2. The same workload (allocate pages
-- with alloc_pages_node on one node, write every byte of each, free them)
-- runs from a CPU on node 0 and then from a CPU on node 2, once per target
-- node, and prints what an allocation and a touch cost.
--
-- Run it:  ./mmsim run scenarios/labs/numa/numa.lua
local mmsim = require "mmsim"

local PAGES = 32                  -- pages per (CPU, node) pair

local m = mmsim.machine("x86_64-numa4")
local k = m:boot{}

-- The distance matrix of the preset (docs/machines.md); the measured costs
-- below come from the hardware model, not from this table.
local SLIT = { { 10, 16, 21, 31 }, { 16, 10, 31, 21 }, { 22, 31, 10, 16 }, { 31, 22, 16, 10 } }

local results = {}                -- results[cpu][node] = {alloc=, touch=}

local function workload(t)
  results[t:cpu()] = {}
  for node = 0, m:nnodes() - 1 do
    local pfns, alloc_cycles, touch_cycles = {}, 0, 0
    for i = 1, PAGES do
      local t0 = t:now()
      pfns[i] = t:alloc_pages_node(node, "GFP_KERNEL", 0)
      alloc_cycles = alloc_cycles + (t:now() - t0)
    end
    for i = 1, PAGES do
      local t0 = t:now()
      t:touch(pfns[i])              -- write all 4096 bytes: 64 lines
      touch_cycles = touch_cycles + (t:now() - t0)
    end
    for i = 1, PAGES do t:free_pages(pfns[i], 0) end
    results[t:cpu()][node] = { alloc = alloc_cycles / PAGES, touch = touch_cycles / PAGES }
  end
end

-- CPU 0 is on node 0, CPU 4 on node 2; one run after the other, so that
-- they do not disturb each other's caches or locks.
m:spawn{ cpu = 0, name = "on-node0", fn = workload }
m:run()
m:spawn{ cpu = 4, name = "on-node2", fn = workload }
m:run()

for _, cpu in ipairs{ 0, 4 } do
  local from = m:cpu_node(cpu)
  print(string.format("\nCPU %d (node %d) allocating %d pages on each node and writing them:", cpu,
    from, PAGES))
  print(string.format("  %-6s %9s %18s %18s %14s", "node", "distance", "alloc cycles/page",
    "touch cycles/page", "touch / local"))
  local here = results[cpu][from].touch
  for node = 0, m:nnodes() - 1 do
    local r = results[cpu][node]
    print(string.format("  %-6s %9d %18.0f %18.0f %14.2f", node .. (node == from and " *" or ""),
      SLIT[from + 1][node + 1], r.alloc, r.touch, r.touch / here))
  end
end
local vm = k:vmstat()
print(string.format("\n(* = the CPU's own node.) vmstat: %d allocations on the local node, " ..
  "%d on another (local_node / other_node).", vm.local_node, vm.other_node))
