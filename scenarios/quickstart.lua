-- quickstart.lua: the scenario `make run` runs.
--
-- A 2-node x86_64 machine boots the classic (Linux 2.6.11) page allocator.
-- Four tasks, one per CPU, allocate pages, write them, and free them; one
-- of them also asks for larger blocks (order 3: 8 contiguous pages), which
-- the buddy system must split from bigger free blocks.
--
-- Run it:      ./mmsim run scenarios/quickstart.lua
-- Its trace:   ./mmsim run scenarios/quickstart.lua -o quickstart.jsonl
-- Change it:   -P pcp=off (no per-CPU page lists), --seed 7, --era ...
local mmsim = require "mmsim"

local m = mmsim.machine{ preset = "x86_64-numa2" }
local k = m:boot{ era = "classic" }

print("Booted " .. m:ncpus() .. " CPUs on " .. m:nnodes() .. " NUMA nodes.")
print("Free memory per order at boot (/proc/buddyinfo):")
io.write(k:proc("buddyinfo"))

for cpu = 0, m:ncpus() - 1 do
  m:spawn{ cpu = cpu, name = "worker" .. cpu, fn = function(t)
    local held = {}
    for i = 1, 500 do
      -- Keep up to 16 pages; free a random one when full.
      if #held == 16 then
        local j = math.random(#held)
        t:free_pages(held[j], 0)
        held[j] = held[#held]
        held[#held] = nil
      end
      local pfn = t:alloc_pages("GFP_KERNEL", 0)
      t:touch(pfn)                      -- write all 4096 bytes of it
      held[#held + 1] = pfn
      if cpu == 0 and i % 50 == 0 then  -- now and then, an order-3 block
        local big = t:alloc_pages("GFP_KERNEL", 3)
        t:free_pages(big, 3)
      end
      t:think(200)                      -- work that touches no memory
    end
    for _, pfn in ipairs(held) do t:free_pages(pfn, 0) end
  end }
end

m:run()

local s = m:stats()
local a, f = s["ops.alloc_cycles"], s["ops.free_cycles"]
print(string.format("\nSimulated %d cycles. %d allocations, %d frees.", m:now(),
  s["ops.alloc"], s["ops.free"]))
print(string.format("An allocation cost %d cycles at the median (p99 %d), a free %d (p99 %d).",
  a.p50, a.p99, f.p50, f.p99))
if k:policy("pcp") == "on" then
  print(string.format("Per-CPU page lists served most of them: %d refills moved pages in " ..
    "batches from the buddy lists (the zone lock was taken %d times).",
    s["mm.vmstat.pcp_refill"], s["mm.vmstat.zone_lock"]))
else
  print(string.format("Without per-CPU page lists every allocation and free took the " ..
    "zone lock: %d times.", s["mm.vmstat.zone_lock"]))
end
print("Free memory per order at the end:")
io.write(k:proc("buddyinfo"))
print("\nWrite a trace with -o quickstart.jsonl; try -P pcp=off to see the difference.")
