-- Test: several tasks on a 2-node machine: CPUs and nodes, interleaving in
-- simulated time, spawn's `at`, alloc_pages_node on a remote node, the
-- NUMA counters, run's max_cycles, and what only a task may call.
local mmsim = require "mmsim"
local m = mmsim.machine("x86_64-numa2")
assert(m:ncpus() == 4 and m:nnodes() == 2)
assert(m:cpu_node(0) == 0 and m:cpu_node(1) == 0 and m:cpu_node(2) == 1 and m:cpu_node(3) == 1)
local ok, err = pcall(m.cpu_node, m, 4)
assert(not ok and err:find("cpu 4 does not exist", 1, true), err)
ok, err = pcall(m.spawn, m, { fn = function() end })
assert(not ok and err:find("boot the machine first", 1, true), err)
local k = m:boot{}

local node1 = k:zones()[#k:zones()]
assert(node1.node == 1 and node1.zone == "Normal")

-- Two tasks on two CPUs, each thinking 100 cycles per step: their steps
-- alternate in simulated time, whatever the host does.
local log = {}
for cpu = 0, 1 do
  m:spawn{ cpu = cpu, name = "ping" .. cpu, fn = function(t)
    for i = 1, 3 do
      log[#log + 1] = t:name() .. "@" .. t:now()
      t:think(100)
    end
  end }
end
-- A task that starts later; task names default to taskN.
local late
m:spawn{ cpu = 3, name = "other", fn = function(t)
  -- one task cannot make another's kernel calls
  local ok2, err2 = pcall(late.think, late, 10)
  assert(not ok2 and err2:find("think: only task 'task3' itself can call this", 1, true), err2)
end }
late = m:spawn{ cpu = 2, at = 5000, fn = function(t)
  assert(t:now() == 5000 and t:cpu() == 2 and t:node() == 1)
  -- local and remote allocations from node 1's CPU
  local vm0 = k:vmstat()
  local here = t:alloc_pages_node(1, "GFP_KERNEL", 0)
  local there = t:alloc_pages_node(0, "GFP_KERNEL", 0)
  assert(here >= node1.start_pfn, "node 1's page")
  assert(there < node1.start_pfn, "node 0's page")
  local vm1 = k:vmstat()
  assert(vm1.local_node - vm0.local_node == 1 and vm1.other_node - vm0.other_node == 1)
  -- the remote page costs more to touch (distance 20 against 10)
  local t0 = t:now(); t:touch(here); local near = t:now() - t0
  t0 = t:now(); t:touch(there); local far = t:now() - t0
  assert(far > near, far .. " " .. near)
  t:free_pages(here, 0)
  t:free_pages(there, 0)
  -- the machine cannot be run from inside a task
  local ok2, err2 = pcall(m.run, m)
  assert(not ok2 and err2:find("running already", 1, true), err2)
end }
assert(late:name() == "task3")
ok, err = pcall(m.spawn, m, { cpu = 9, fn = function() end })
assert(not ok and err:find("cpu 9 does not exist (the machine has 4)", 1, true), err)
ok, err = pcall(m.spawn, m, { cpu = 0 })
assert(not ok and err:find("fn must be a function", 1, true), err)

-- Outside its function, a task's kernel operations are refused.
ok, err = pcall(late.alloc_pages, late, "GFP_KERNEL", 0)
assert(not ok and err:find("only task 'task3' itself can call this", 1, true), err)
ok, err = pcall(late.think, late, 10)
assert(not ok and err:find("think: only task", 1, true), err)

-- run up to a cycle, then on to the end
-- (the clock stops at the last event at or before the limit: 100 here)
assert(m:run{ max_cycles = 150 } == "max_cycles")
assert(m:now() == 100, m:now())
assert(#log == 4)
assert(m:run() == "empty")
assert(table.concat(log, " ") == "ping0@0 ping1@0 ping0@100 ping1@100 ping0@200 ping1@200",
  table.concat(log, " "))
assert(m:now() > 5000)
local s = m:stats()
assert(s["sim.steps"] > 0 and s["ops.alloc"] == 2 and s["ops.touch"] == 2)
k:check()
print("tasks: ok")
