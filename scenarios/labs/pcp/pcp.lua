-- Lab: per-CPU page lists on versus off (scenarios/labs/pcp/README.md).
--
-- Four CPUs of one node allocate and free single pages as fast as they
-- can. Run it twice and compare:
--
--   ./mmsim run scenarios/labs/pcp/pcp.lua               (lists on: 2.6.11's default)
--   ./mmsim run scenarios/labs/pcp/pcp.lua -P pcp=off    (every page through the zone lock)
local mmsim = require "mmsim"

local ROUNDS, BATCH = 300, 8      -- per task: 300 x (8 allocations, 8 frees)

local m = mmsim.machine{ preset = "x86_64", mem = "1G", cpus = 4 }
local k = m:boot{}               -- pcp is on unless -P pcp=off says otherwise

print(string.format("Per-CPU page lists: %s. %d CPUs, one node, each allocating and freeing " ..
  "%d single pages.", k:policy("pcp"):upper(), m:ncpus(), ROUNDS * BATCH))

for cpu = 0, m:ncpus() - 1 do
  m:spawn{ cpu = cpu, name = "worker" .. cpu, fn = function(t)
    local held = {}
    for _ = 1, ROUNDS do
      for i = 1, BATCH do held[i] = t:alloc_pages("GFP_KERNEL", 0) end
      t:think(500)                  -- use the pages (work that touches no memory)
      for i = 1, BATCH do t:free_pages(held[i], 0) end
    end
  end }
end
m:run()

local s = m:stats()
local a, f = s["ops.alloc_cycles"], s["ops.free_cycles"]
local locks, spin = 0, 0
for name, v in pairs(s) do
  if name:match("^mm%.node%d+%.%w+%.lock_acquisitions$") then locks = locks + v end
  if name:match("^mm%.node%d+%.%w+%.lock_spin_cycles$") then spin = spin + v end
end
print("")
print(string.format("  %-28s %8s %8s %8s %8s", "cycles per operation", "p50", "p99", "max", "mean"))
print(string.format("  %-28s %8d %8d %8d %8.1f", "allocation", a.p50, a.p99, a.max, a.mean))
print(string.format("  %-28s %8d %8d %8d %8.1f", "free", f.p50, f.p99, f.max, f.mean))
print("")
print(string.format("  %-28s %8d  (%.1f per 1000 allocations)", "zone lock acquisitions",
  locks, 1000 * locks / s["ops.alloc"]))
print(string.format("  %-28s %8d", "cycles spent spinning on it", spin))
print(string.format("  %-28s %8d", "per-CPU list refills", s["mm.vmstat.pcp_refill"]))
print(string.format("  %-28s %8d", "per-CPU list drains", s["mm.vmstat.pcp_drain"]))
print(string.format("  %-28s %8d cycles", "simulated time", m:now()))
print("")
if k:policy("pcp") == "on" then
  print("Now run it with -P pcp=off and compare.")
else
  print("Now run it without -P pcp=off and compare.")
end
