-- Lab: permanent versus temporary kernel mappings of HighMem
-- (scenarios/labs/highmem/README.md).
--
-- Two CPUs of the 1 GiB i386 PC use HighMem pages twice over: first the
-- kmap way, then the kmap_atomic way. CPU 0's task (the "holder") maps 900
-- pages and keeps them while it works; CPU 1's task (the "streamer") goes
-- through 700 pages in chunks of 200: map the chunk, write it, unmap it.
-- With kmap the two want more than the pool's 1024 slots, so the streamer
-- waits for the holder's kunmaps; with kmap_atomic nobody waits, but every
-- mapping costs a TLB invalidation.
--
--   ./mmsim run scenarios/labs/highmem/highmem.lua
local mmsim = require "mmsim"

local HOLD, STREAM, CHUNK, USE = 900, 700, 200, 256   -- pages; bytes written per page
local WORK = 300000                -- cycles the holder works while holding its pages

local m = mmsim.machine{ preset = "pc-i386", cpus = 2 }
local k = m:boot{}
local barrier = m:waitqueue("phase")
local holding = m:waitqueue("holding")   -- the holder has mapped its set
local arrived = 0
local snap = {}                    -- m:stats() at the start of each phase and at the end
local t_phase = {}

local function phase_done(t, name)
  -- The last task to arrive records the phase's end and lets the others go.
  arrived = arrived + 1
  if arrived < m:ncpus() then
    t:wait(barrier)
  else
    arrived = 0
    snap[name] = m:stats()
    t_phase[name] = t:now()
    barrier:wake()
  end
end

local function holder(t)
  local pages = {}
  for i = 1, HOLD do pages[i] = t:alloc_pages("GFP_HIGHUSER", 0) end
  phase_done(t, "start")
  for i = 1, HOLD do t:kmap(pages[i]); t:touch(pages[i], { len = USE }) end
  holding:wake()
  t:think(WORK)
  for i = 1, HOLD do t:kunmap(pages[i]) end
  phase_done(t, "kmap")
  for i = 1, HOLD do
    t:kmap_atomic(pages[i], "KM_USER0")
    t:touch(pages[i], { len = USE })
    t:kunmap_atomic("KM_USER0")
  end
  t:think(WORK)
  phase_done(t, "atomic")
end

local function streamer(t)
  local pages = {}
  for i = 1, STREAM do pages[i] = t:alloc_pages("GFP_HIGHUSER", 0) end
  phase_done(t, "start")
  t:wait(holding)                  -- start once the holder has its 900
  for c = 1, STREAM, CHUNK do
    local last = math.min(c + CHUNK - 1, STREAM)
    for i = c, last do t:kmap(pages[i]) end          -- may wait for a slot
    for i = c, last do t:touch(pages[i], { len = USE }) end
    for i = c, last do t:kunmap(pages[i]) end
  end
  phase_done(t, "kmap")
  for i = 1, STREAM do
    t:kmap_atomic(pages[i], "KM_USER0")
    t:touch(pages[i], { len = USE })
    t:kunmap_atomic("KM_USER0")
  end
  phase_done(t, "atomic")
end

m:spawn{ cpu = 0, name = "holder", fn = holder }
m:spawn{ cpu = 1, name = "streamer", fn = streamer }
m:run()

local function delta(a, b, name) return (b[name] or 0) - (a[name] or 0) end
local function sum(a, b, pattern)
  local n = 0
  for name, v in pairs(b) do
    if type(v) == "number" and name:match(pattern) then n = n + v - (a[name] or 0) end
  end
  return n
end
local phases = {
  { "kmap", snap.start, snap.kmap, t_phase.kmap - t_phase.start },
  { "kmap_atomic", snap.kmap, snap.atomic, t_phase.atomic - t_phase.kmap },
}
print(string.format("HighMem mappings: a holder of %d pages on cpu 0, a streamer of %d pages " ..
  "in chunks of %d on cpu 1 (LAST_PKMAP = 1024), %d bytes written per page.", HOLD, STREAM, CHUNK, USE))
print("")
print(string.format("  %-36s %12s %12s", "", "kmap", "kmap_atomic"))
local rows = {
  { "simulated time (cycles)", function(p) return p[4] end },
  { "kmap calls", function(p) return delta(p[2], p[3], "mm.highmem.kmap") end },
  { "kmap_atomic calls", function(p) return delta(p[2], p[3], "mm.highmem.kmap_atomic") end },
  { "new pkmap mappings", function(p) return delta(p[2], p[3], "mm.highmem.kmap_new") end },
  { "waits for a free pkmap slot", function(p) return delta(p[2], p[3], "mm.highmem.kmap_waits") end },
  { "flush_all_zero_pkmaps", function(p) return delta(p[2], p[3], "mm.highmem.flushes") end },
  { "global TLB flushes (all CPUs)", function(p) return sum(p[2], p[3], "^cpu%d+%.tlb%.flush_all$") end },
  { "IPIs sent", function(p) return sum(p[2], p[3], "^cpu%d+%.tlb%.ipis_sent$") end },
  { "single-entry invalidations", function(p) return sum(p[2], p[3], "^cpu%d+%.tlb%.flush_page$") end },
  { "TLB misses", function(p) return sum(p[2], p[3], "^cpu%d+%.tlb%.misses$") end },
  { "page-table walk cycles", function(p) return sum(p[2], p[3], "^cpu%d+%.tlb%.walk_cycles$") end },
  { "page-table entries written", function(p) return delta(p[2], p[3], "mm.highmem.pte_writes") end },
  { "cycles spinning on kmap_lock", function(p) return delta(p[2], p[3], "mm.highmem.kmap_lock_spin_cycles") end },
}
for _, r in ipairs(rows) do
  print(string.format("  %-36s %12d %12d", r[1], r[2](phases[1]), r[2](phases[2])))
end
