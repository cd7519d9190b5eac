-- Lab: filling a real Linux 6.1 box's memory from one CPU
-- (scenarios/labs/fill/README.md).
--
-- The machine is imported from a directory laid out like the real box's
-- /proc and /sys at boot (../shared/linux-6.1/MACHINE/boot; copies in
-- tests/data/linux-6.1), with its state at capture: the pages the kernel
-- had in use and those on the per-CPU lists, and the watermarks as the box
-- showed them. Then, as the box did with
--   taskset 0x1 dd if=/dev/zero of=/tmp/FILE bs=1M count=N   (a tmpfs)
-- one task pinned to CPU 0 allocates N MiB of shmem pages
-- (GFP_HIGHUSER_MOVABLE, order 0), N being 60 % of MemFree, or the
-- workload/fill-plan's fill_MiB when the directory has one (what the real
-- box wrote). It prints which zones served the pages, in order, where each
-- stopped, and zoneinfo at the end (compare with after_fill/proc/zoneinfo).
--
--   ./mmsim run scenarios/labs/fill/fill.lua                    (d_numa2)
--   FILL_DIR=tests/data/linux-6.1/b_1g_2cpu ./mmsim run scenarios/labs/fill/fill.lua
--   FILL_WMARKS=recomputed ./mmsim run scenarios/labs/fill/fill.lua
--   ./mmsim run scenarios/labs/fill/fill.lua -o fill.jsonl      (a snapshot per 64 MiB)
--
-- FILL_DIR is the machine's directory (holding boot/ and, optionally,
-- workload/fill-plan). FILL_WMARKS is "captured" (the default: min, low,
-- high and pcp high/batch as boot/proc/zoneinfo shows them, which 6.1
-- computed early at boot from smaller managed counts) or "recomputed" (what
-- 6.1 computes from the final counts, as after a sysctl write).
-- FILL_PROTECTION is "recomputed" (the default: reading
-- /proc/sys/vm/lowmem_reserve_ratio recomputes it in 6.1, and the capture
-- read it right after printing boot/proc/zoneinfo, before the fill: the
-- after_fill zoneinfo shows the recomputed values) or "captured" (as
-- boot/proc/zoneinfo shows it).
local mmsim = require "mmsim"

local dir = os.getenv("FILL_DIR") or "tests/data/linux-6.1/d_numa2"
local wmarks = os.getenv("FILL_WMARKS") or "captured"
local prot = os.getenv("FILL_PROTECTION") or "recomputed"
for name, v in pairs{ FILL_WMARKS = wmarks, FILL_PROTECTION = prot } do
  assert(v == "captured" or v == "recomputed", name .. ": 'captured' or 'recomputed', not '" .. v .. "'")
end

local capture = { "in_use" }
if wmarks == "captured" then capture[#capture + 1] = "wmarks" end
if prot == "captured" then capture[#capture + 1] = "protection" end
local m = mmsim.machine{ from = dir .. "/boot", capture = capture }
local k = m:boot{ era = "modern" }

-- Zones by pfn, and a zone's key ("0 DMA32").
local zones = k:zones()
local function key(z) return z.node .. " " .. z.zone end
local function zone_of(pfn)
  for i, z in ipairs(zones) do
    if pfn >= z.start_pfn and pfn < z.start_pfn + z.spanned then return i end
  end
end

-- Pages on each zone's per-CPU lists, from zoneinfo ("count:" per CPU).
local function pcp_counts()
  local counts, cur = {}, nil
  for line in k:proc("zoneinfo"):gmatch("[^\n]+") do
    local n, name = line:match("^Node (%d+), zone%s+(%S+)")
    if n then cur = n .. " " .. name; counts[cur] = counts[cur] or 0 end
    local c = line:match("^%s+count:%s+(%d+)")
    if c and cur then counts[cur] = counts[cur] + tonumber(c) end
  end
  return counts
end

-- MemFree as 6.1 computes it: the free pages of every zone (the buddy
-- lists; pages on per-CPU lists are not counted), in kB.
local function memfree_kb()
  local n = 0
  for _, z in ipairs(k:zones()) do n = n + z.free end
  return n * 4
end

local memfree = memfree_kb()
local plan_mib, plan_cpu
local f = io.open(dir .. "/workload/fill-plan")
if f then
  local text = f:read("a")
  f:close()
  plan_mib = tonumber(text:match("fill_MiB=(%d+)"))
  plan_cpu = tonumber(text:match("cpu=(%d+)"))
end
local mib = plan_mib or memfree * 60 // 100 // 1024
local cpu = plan_cpu or 0
print(string.format("%s: MemFree %d kB at capture; 60 %% is %d MiB; filling %d MiB%s on CPU %d",
  dir, memfree, memfree * 60 // 100 // 1024, mib, plan_mib and " (workload/fill-plan)" or "", cpu))
print(string.format("watermarks %s, protection %s", wmarks, prot))

local before = {}
local pcp0 = pcp_counts()
for _, z in ipairs(zones) do before[key(z)] = { free = z.free, pcp = pcp0[key(z)] } end

-- Free pages per zone as the fill goes (every 128 MiB and at the end).
local header = "\n   MiB"
for _, z in ipairs(zones) do header = header .. string.format(" %10s", z.node .. ":" .. z.zone) end
print(header)
local function progress(done)
  local line = string.format("  %4d", done)
  for _, z in ipairs(k:zones()) do line = line .. string.format(" %10d", z.free) end
  print(line)
end
progress(0)

local first, last, served = {}, {}, {}
local order = {}
m:spawn{ cpu = cpu, name = "dd", fn = function(t)
  local n = 0
  for chunk = 1, mib do
    local list = t:alloc_bulk(256, "GFP_HIGHUSER_MOVABLE", 0)   -- one 1 MiB write
    for _, pfn in ipairs(list) do
      n = n + 1
      local i = zone_of(pfn)
      if not first[i] then first[i] = n; order[#order + 1] = i end
      last[i] = n
      served[i] = (served[i] or 0) + 1
    end
    if #list < 256 then
      print(string.format("the allocator refused after %d pages", n))
      break
    end
    if chunk % 64 == 0 then k:snapshot() end
    if chunk % 128 == 0 or chunk == mib then progress(chunk) end
  end
end }
m:run()
k:check()   -- every page accounted for: free, on a per-CPU list, or handed out

print("\nzones in the order they served the fill (pages numbered from 1):")
for _, i in ipairs(order) do
  local z = zones[i]
  print(string.format("  node %d %-6s pages %7d .. %7d  (%d pages)", z.node, z.zone, first[i], last[i], served[i]))
end

-- Where each zone stopped: free pages against low + protection against
-- ZONE_MOVABLE, the highest zone GFP_HIGHUSER_MOVABLE allows (6.1's
-- lowmem_reserve[highest_zoneidx]; Movable is the fourth protection
-- column on 64- and 32-bit kernels alike).
local after = k:zones()
local pcp1 = pcp_counts()
local zi = k:proc("zoneinfo")
local function protection(z)
  local block = zi:match("Node " .. z.node .. ", zone%s+" .. z.zone .. "\n.-protection: %(([^)]*)%)")
  local p = {}
  for v in block:gmatch("%d+") do p[#p + 1] = tonumber(v) end
  return p
end
local idx = 4
print("\nper zone:    free before  pcp before   free after  pcp after     low  low+protection")
for _, z in ipairs(after) do
  local b = before[key(z)]
  print(string.format("  node %d %-6s %10d %10d %12d %10d %7d %10d", z.node, z.zone, b.free, b.pcp,
    z.free, pcp1[key(z)], z.low, z.low + protection(z)[idx]))
end
print()
io.write(zi)
