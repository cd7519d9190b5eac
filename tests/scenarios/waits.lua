-- Test: wait queues (m:waitqueue, t:wait with and without a timeout,
-- q:wake, q:waiting), and the free lists as Lua tables (k:freelists).
local mmsim = require "mmsim"
local m = mmsim.machine("x86_64")
local k = m:boot{}
local q = m:waitqueue("ready")
local log = {}
m:spawn{ cpu = 0, name = "consumer", fn = function(t)
  assert(t:wait(q) == true)                 -- woken by the producer
  log[#log + 1] = "woken@" .. t:now()
  assert(t:wait(q, 500) == false)           -- nobody wakes it: times out
  log[#log + 1] = "timeout@" .. t:now()
end }
m:spawn{ cpu = 1, name = "producer", fn = function(t)
  t:think(1000)
  assert(q:waiting() == 1)
  assert(q:wake() == 1)                     -- wakes the one waiter
  assert(q:wake(1) == 0)                    -- nobody left
end }
m:run()
assert(log[1] == "woken@1000", log[1])
assert(log[2] == "timeout@1500", log[2])
assert(q:waiting() == 0)

-- Free lists: per zone, orders 0..max_order-1 head first, and per-CPU lists.
local fl = k:freelists()
local zones = k:zones()
assert(#fl == #zones)
for i, z in ipairs(fl) do
  assert(z.zone == zones[i].zone and z.node == zones[i].node)
  assert(#z.orders == 11 and #z.pcp == m:ncpus())
  local free = 0
  for o, list in ipairs(z.orders) do
    assert(#list == zones[i].nr_free[o])
    for _, pfn in ipairs(list) do
      assert(pfn % (1 << (o - 1)) == 0, "a free block is aligned to its order")
    end
    free = free + #list * (1 << (o - 1))
  end
  -- As in 2.6.11, pages on per-CPU lists are not counted as free.
  assert(free == zones[i].free, z.zone .. ": the buddy lists add up to the free count")
end
